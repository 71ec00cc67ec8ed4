"""Time the parser on every input of the security catalogue (tests/test_security.py).

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_parse.py``.
Prints the five slowest inputs and the slowest time, best of three runs each.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import symgd  # noqa: E402
from test_security import CATALOGUE, _MANY_NAMES  # noqa: E402


def best_time(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        try:
            symgd.parse(text)
        except Exception:   # the catalogue is made of inputs that must be refused
            pass
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    inputs = [(f"{c.category}-{c.id}", c.text) for c in CATALOGUE]
    inputs.append(("largest-sum", "+".join(f"x{i}" for i in range(1, 1800))))
    inputs.append(("many-names", _MANY_NAMES))
    times = sorted(((best_time(text), name) for name, text in inputs), reverse=True)
    for seconds, name in times[:5]:
        print(f"{seconds * 1000:8.1f} ms  {name}")
    print(f"{len(inputs)} inputs; slowest {times[0][0] * 1000:.1f} ms ({times[0][1]})")


if __name__ == "__main__":
    main()
