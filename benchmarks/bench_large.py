"""Large objectives: Rosenbrock's sum of n - 1 terms given as a SymPy
expression, and the product (x1 + 1)(x2 + 1)...(x200 + 1).

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_large.py``.

Every build is timed in a fresh interpreter (SymPy's cache would otherwise
carry work from one measurement to the next); the expression is made before
the clock starts. "build" is ``symgd.Objective(expr)`` and its first
gradient, so value and gradient are compiled; the anchor is
``sympy.lambdify(x, expr)`` of the value alone, in the same run. A
gradient is timed as the best of many calls of ``Objective.grad`` at one
point, against ``scipy.optimize.rosen_der`` at the same point.
"""

from __future__ import annotations

import multiprocessing as mp
import time
import timeit

SIZES = (250, 500, 1000)
PRODUCT = 200


def _rosenbrock(n: int):
    import sympy as sp
    x = sp.symbols(f"x1:{n + 1}")
    return x, sum(100 * (x[i + 1] - x[i]**2)**2 + (1 - x[i])**2 for i in range(n - 1))


def _lambdify_value(n: int) -> float:
    import sympy as sp
    x, expr = _rosenbrock(n)
    start = time.perf_counter()
    sp.lambdify(x, expr)
    return time.perf_counter() - start


def _build(n: int) -> tuple[float, float, float]:
    """Build time, and one gradient's time by symgd and by SciPy (seconds)."""
    import numpy as np
    from scipy.optimize import rosen_der
    import symgd
    x, expr = _rosenbrock(n)
    p = np.random.default_rng(0).uniform(-2, 2, n)
    start = time.perf_counter()
    obj = symgd.Objective(expr)
    g = obj.grad(p)
    build = time.perf_counter() - start
    assert np.allclose(g, rosen_der(p), rtol=1e-12, atol=1e-9)

    def best(f) -> float:
        return min(timeit.repeat(f, number=500, repeat=7)) / 500

    return build, best(lambda: obj.grad(p)), best(lambda: rosen_der(p))


def _product(k: int) -> float:
    import numpy as np
    import sympy as sp
    import symgd
    x = sp.symbols(f"x1:{k + 1}")
    expr = sp.Mul(*[v + 1 for v in x])
    p = np.full(k, 0.01)
    start = time.perf_counter()
    g = symgd.Objective(expr).grad(p)
    seconds = time.perf_counter() - start
    assert np.allclose(g, np.prod(p + 1) / (p + 1), rtol=1e-12)
    return seconds


def fresh(func, *args):
    """``func(*args)`` in a new interpreter."""
    with mp.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(func, args)


def main() -> None:
    builds = {}
    for n in SIZES:
        anchor = fresh(_lambdify_value, n)
        build, grad, scipy_grad = fresh(_build, n)
        builds[n] = build
        print(f"rosenbrock_{n}_build: {build:.3f} s = {build / anchor:.2f}x sympy "
              f"value-only lambdify {anchor:.3f} s (goal < 1x)")
        print(f"rosenbrock_{n}_grad: {grad * 1e6:.1f} us = {grad / scipy_grad:.2f}x "
              f"rosen_der {scipy_grad * 1e6:.1f} us (goal <= 2x)")
    first, last = SIZES[0], SIZES[-1]
    growth = builds[last] / builds[first]
    print(f"rosenbrock_build_growth_{first}_to_{last}: {growth:.2f}x for "
          f"{last / first:.0f}x the terms (goal about {last / first:.0f}x: linear)")
    seconds = fresh(_product, PRODUCT)
    print(f"product_{PRODUCT}_gradient_build_and_eval: {seconds:.3f} s (goal < 1 s)")


if __name__ == "__main__":
    main()
