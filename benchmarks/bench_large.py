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

When installed, two more columns per size, each in its own fresh
interpreter: JAX (``jax.jit(jax.grad(f))`` of a vectorised Rosenbrock in
float64; build is the first call, compile included) and symengine (``diff``
of the expression by each variable, then ``symengine.Lambdify`` with the
LLVM backend, and with the lambda backend). Every gradient is checked
against ``rosen_der`` at the same point before it is timed.
"""

from __future__ import annotations

import importlib.util
import multiprocessing as mp
import time
import timeit

SIZES = (250, 500, 1000)
PRODUCT = 200
HAS_JAX = importlib.util.find_spec("jax") is not None
HAS_SYMENGINE = importlib.util.find_spec("symengine") is not None


def _best(f) -> float:
    return min(timeit.repeat(f, number=500, repeat=7)) / 500


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
    return build, _best(lambda: obj.grad(p)), _best(lambda: rosen_der(p))


def _jax(n: int) -> tuple[float, float, float]:
    """JAX: build (jit of grad and its first call) and one gradient, and SciPy's (seconds)."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    from scipy.optimize import rosen_der
    jax.config.update("jax_enable_x64", True)

    def rosen(x):
        return jnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

    p = np.random.default_rng(0).uniform(-2, 2, n)
    pj = jax.device_put(p)
    start = time.perf_counter()
    grad = jax.jit(jax.grad(rosen))
    g = grad(pj).block_until_ready()
    build = time.perf_counter() - start
    assert np.allclose(np.asarray(g), rosen_der(p), rtol=1e-12, atol=1e-9)
    return build, _best(lambda: grad(pj).block_until_ready()), _best(lambda: rosen_der(p))


def _symengine(n: int) -> dict[str, float]:
    """symengine: diff of each partial, Lambdify (llvm, lambda) and their gradients (seconds)."""
    import numpy as np
    import symengine as se
    from scipy.optimize import rosen_der
    x = se.symbols(" ".join(f"x{i}" for i in range(1, n + 1)))
    expr = se.Add(*[100 * (x[i + 1] - x[i]**2)**2 + (1 - x[i])**2 for i in range(n - 1)])
    p = np.random.default_rng(0).uniform(-2, 2, n)
    out = {}
    start = time.perf_counter()
    partials = [expr.diff(v) for v in x]
    out["diff"] = time.perf_counter() - start
    for backend in ("llvm", "lambda"):
        start = time.perf_counter()
        grad = se.Lambdify(x, partials, backend=backend)
        out[f"{backend}_build"] = time.perf_counter() - start
        assert np.allclose(grad(p), rosen_der(p), rtol=1e-12, atol=1e-9)
        out[f"{backend}_grad"] = _best(lambda: grad(p))
    out["scipy_grad"] = _best(lambda: rosen_der(p))
    return out


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
        if HAS_JAX:
            j_build, j_grad, j_scipy = fresh(_jax, n)
            print(f"rosenbrock_{n}_jax: build (jit of grad, first call) {j_build:.3f} s, "
                  f"symgd build / JAX build {build / j_build:.2f}x; grad {j_grad * 1e6:.1f} us "
                  f"= {j_grad / j_scipy:.2f}x rosen_der {j_scipy * 1e6:.1f} us; "
                  f"symgd grad / JAX grad {grad / j_grad:.2f}x")
        if HAS_SYMENGINE:
            e = fresh(_symengine, n)
            e_build = e["diff"] + e["llvm_build"]
            print(f"rosenbrock_{n}_symengine: build {e_build:.3f} s (diff {e['diff']:.3f} s + "
                  f"Lambdify llvm {e['llvm_build']:.3f} s), symgd build / symengine build "
                  f"{build / e_build:.2f}x; grad {e['llvm_grad'] * 1e6:.1f} us = "
                  f"{e['llvm_grad'] / e['scipy_grad']:.2f}x rosen_der "
                  f"{e['scipy_grad'] * 1e6:.1f} us; symgd grad / symengine grad "
                  f"{grad / e['llvm_grad']:.2f}x")
            print(f"rosenbrock_{n}_symengine_lambda: Lambdify lambda {e['lambda_build']:.3f} s; "
                  f"grad {e['lambda_grad'] * 1e6:.1f} us = "
                  f"{e['lambda_grad'] / e['scipy_grad']:.2f}x rosen_der")
    if not HAS_JAX:
        print("(JAX not installed: skipped)")
    if not HAS_SYMENGINE:
        print("(symengine not installed: skipped)")
    first, last = SIZES[0], SIZES[-1]
    growth = builds[last] / builds[first]
    print(f"rosenbrock_build_growth_{first}_to_{last}: {growth:.2f}x for "
          f"{last / first:.0f}x the terms (goal about {last / first:.0f}x: linear)")
    seconds = fresh(_product, PRODUCT)
    print(f"product_{PRODUCT}_gradient_build_and_eval: {seconds:.3f} s (goal < 1 s)")


if __name__ == "__main__":
    main()
