"""Hessian-vector products and the progress line, timed.

* ``Objective.hessp`` against ``Objective.hess(x) @ p`` on Rosenbrock's
  function in n variables: the first call (derive and compile) and then
  each call. ``hessp`` compiles n outputs where ``hess`` compiles n²
  (and refuses n = 200: 20,100 entries, over ``MAX_HESSIAN_ENTRIES``);
* ``descend`` with and without ``progress=True`` (the generated fast loop,
  3,000,000 steps): the line costs one comparison per iterate.

Run: python benchmarks/bench_scipy.py [--n 50 200] [--steps 3000000]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time

import numpy as np

import symgd


def rosen(v):
    return sum(100 * (v[k + 1] - v[k] ** 2) ** 2 + (1 - v[k]) ** 2 for k in range(len(v) - 1))


def products(n: int, calls: int = 100) -> None:
    x, p = np.linspace(-1, 1, n), np.ones(n)
    for name, product in (("hessp", lambda o: o.hessp(x, p)),
                          ("hess @ p", lambda o: o.hess(x) @ p)):
        obj = symgd.Objective.from_function(rosen, n=n)
        obj.grad(x)                                  # the gradient is derived for both
        start = time.perf_counter()
        try:
            product(obj)
        except symgd.ResourceError as err:           # n(n + 1)/2 entries over the limit
            print(f"n = {n:4d}  {name:9s} refused: {str(err).split(';')[0]}")
            continue
        first = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(calls):
            product(obj)
        each = (time.perf_counter() - start) / calls
        print(f"n = {n:4d}  {name:9s} first call {first:6.2f} s, then {each * 1e6:8.0f} µs")


def progress(steps: int) -> None:
    for shown in (False, True):
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            symgd.descend("x^2 + y^2 + sin(x*y)", [1, 1], lr=1e-7, max_iter=steps, tol=None,
                          progress=shown)
        print(f"descend, {steps:,} steps, progress={shown!s:5s}: "
              f"{time.perf_counter() - start:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, nargs="*", default=[50, 200])
    parser.add_argument("--steps", type=int, default=3_000_000)
    args = parser.parse_args()
    for n in args.n:
        products(n)
    progress(args.steps)


if __name__ == "__main__":
    main()
