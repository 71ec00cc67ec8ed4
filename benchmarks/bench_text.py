"""Long typed objectives at the text limit: how long reading, building and
one gradient take for the largest inputs the parser accepts.

Each case runs in a fresh interpreter (SymPy's cache would otherwise carry
work from one case to the next) and reports seconds for ``symgd.parse``,
then for ``symgd.Objective(text)`` with its first value and gradient, and
the child's peak memory. A case that breaks a size bound reports the
``symgd`` error it raised instead (a refusal, not a hang).

Run: python benchmarks/bench_text.py [--length N]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from ratios import peak_bytes  # noqa: E402


def _terms(length: int, make, sep: str = "+") -> str:
    """Terms ``make(1), make(2), ...`` joined by ``sep``, as many as fit in ``length``."""
    parts, size, k = [], -len(sep), 1
    while True:
        term = make(k)
        if size + len(sep) + len(term) > length:
            return sep.join(parts)
        parts.append(term)
        size += len(sep) + len(term)
        k += 1


def cases(length: int) -> dict[str, str]:
    return {
        "Rosenbrock typed out": _terms(
            length, lambda k: f"100*(x{k + 1} - x{k}^2)^2 + (1 - x{k})^2", " + "),
        "sum of distinct variables": _terms(length, lambda k: f"x{k}"),
        "product (x1+1)(x2+1)...": _terms(length, lambda k: f"(x{k}+1)", "*"),
        "sum of products x_k*x_(k+1)": _terms(length, lambda k: f"x{k}*x{k + 1}"),
        "sum of sin(cos(x_k*y))": _terms(length, lambda k: f"sin(cos(x{k}*y))"),
        "numbers: sum of k/(k+1)*x^2": _terms(length, lambda k: f"{k}/{k + 1}*x^2"),
        "powers x^n*y^m": _terms(length, lambda k: f"x^{999 - k % 500}*y^{k % 7}"),
        "one variable, x*x*x...": "*".join(["x"] * ((length + 1) // 2)),
    }


def _run(text: str, out) -> None:
    import numpy as np

    import symgd
    start = time.perf_counter()
    try:
        expr = symgd.parse(text)
        parsed = time.perf_counter() - start
        obj = symgd.Objective(expr)
        p = np.full(len(obj.variables), 0.5)
        obj.value(p)
        obj.grad(p)
        built = time.perf_counter() - start - parsed
        note = f"{len(obj.variables)} variables"
    except symgd.SymgdError as err:
        parsed, built = time.perf_counter() - start, 0.0
        note = f"refused: {type(err).__name__}: {str(err)[:70]}"
    out.put((parsed, built, peak_bytes() / 2 ** 20, note))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--length", type=int, default=None,
                        help="characters of each input (default: symgd's limit)")
    args = parser.parse_args()
    from symgd.expr import MAX_LENGTH
    length = args.length or MAX_LENGTH
    ctx = mp.get_context("spawn")
    print(f"inputs of at most {length:,} characters (the limit is {MAX_LENGTH:,})")
    print(f"{'case':32s} {'chars':>7s} {'parse s':>8s} {'build+grad s':>12s} {'peak MB':>8s}")
    for name, text in cases(length).items():
        q = ctx.Queue()
        proc = ctx.Process(target=_run, args=(text, q))
        proc.start()
        proc.join(600)
        if proc.is_alive():
            proc.kill()
            print(f"{name:32s} {len(text):7,d}  did not finish in 600 s")
            continue
        parsed, built, peak, note = q.get()
        print(f"{name:32s} {len(text):7,d} {parsed:8.2f} {built:12.2f} {peak:8.0f}  {note}")


if __name__ == "__main__":
    main()
