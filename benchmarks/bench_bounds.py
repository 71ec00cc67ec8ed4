"""Time to differentiate and compile the gradient of large valid expressions.

Each case is built from text, its gradient derived (``Objective.gradient``)
and compiled and evaluated once (``Objective.grad``), in a fresh process per
case so that SymPy's caches do not carry over. Cases past the node budget
report the ResourceError they end in.
Run: python benchmarks/bench_bounds.py [names...]
"""

from __future__ import annotations

import subprocess
import sys
import time

CASES = {
    "product (x_i+1), 100 factors": "*".join(f"(x{i}+1)" for i in range(1, 101)),
    "product (x_i+1), 200 factors": "*".join(f"(x{i}+1)" for i in range(1, 201)),
    "x1*x2*...*x200": "*".join(f"x{i}" for i in range(1, 201)),
    "(x1+...+x1000)^2": "(" + "+".join(f"x{i}" for i in range(1, 1001)) + ")^2",
    "sin(x1+...+x1000)": "sin(" + "+".join(f"x{i}" for i in range(1, 1001)) + ")",
    "(x+1)...(x+999), one variable": "".join(f"(x+{i})" for i in range(1, 1000)),
}

CHILD = """
import sys, time
import numpy as np
import symgd
text = sys.stdin.read()
t0 = time.perf_counter()
obj = symgd.Objective(text)
t1 = time.perf_counter()
try:
    obj.gradient
    t2 = time.perf_counter()
    obj.grad(np.linspace(0.1, 0.9, obj.n))
    t3 = time.perf_counter()
    print(f"parse {t1 - t0:6.2f} s  gradient {t2 - t1:6.2f} s  compile+evaluate {t3 - t2:6.2f} s")
except symgd.ResourceError as err:
    print(f"ResourceError after {time.perf_counter() - t1:.2f} s: {str(err)[:70]}...")
"""


def main(names: list[str]) -> None:
    for name, text in CASES.items():
        if names and not any(n in name for n in names):
            continue
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD], input=text, text=True,
                             capture_output=True, timeout=600)
        line = out.stdout.strip() or out.stderr.strip().splitlines()[-1]
        print(f"{name:34s} {line}   (process {time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
