"""The compiled backend (numba) against the default path, in the same run.

* tiny loop: z = x² + xy + y², 1,000,000 fixed steps with history=False,
  descend(backend="numba") per step against a bare hand-written Python
  update loop (x -= lr*grad only: a lower bound for any Python loop) and
  against descend's default path; the compile time separately (the first
  compile in a process also starts numba's compiler);
* JAX, when installed: the same update in jax.lax.fori_loop, jit-compiled
  in float64, the same number of steps; its compile time separately;
* many starts: Rosenbrock, 10,000 starts x 1,000 steps,
  descend_many(backend="numba") against 10,000 separate descend() calls on
  the default path (and against descend_many's NumPy loop).

Repeats are interleaved and the median is reported. Lines read
``name: value (goal ...)``. Needs numba (pip install "symgd[fast]").
Run: python benchmarks/bench_fast.py [--starts K] [--steps N]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time

import numpy as np
from ratios import speed

import symgd
from symgd import descend, descend_many
from symgd.fast import choice

BOWL = "x^2 + x*y + y^2"
ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"
LR = 1e-7          # 1,000,000 steps neither converge nor underflow
MANY_LR = 1e-4     # no run converges or diverges in 1,000 steps
REPEATS = 5
HAS_JAX = importlib.util.find_spec("jax") is not None


def bare_python(x: float, y: float, steps: int) -> tuple[float, float]:
    for _ in range(steps):
        gx = 2 * x + y
        gy = x + 2 * y
        x -= LR * gx
        y -= LR * gy
    return x, y


def jax_loop(steps: int):
    """The bare update as a jit-compiled jax.lax.fori_loop (float64), compiled
    ahead of time: (compile seconds, a function of (x, y) that waits for its result)."""
    import jax
    jax.config.update("jax_enable_x64", True)

    def run(x, y):
        def body(_, state):
            x, y = state
            return x - LR * (2 * x + y), y - LR * (x + 2 * y)
        return jax.lax.fori_loop(0, steps, body, (x, y))

    start = jax.numpy.float64(1.0)
    t0 = time.perf_counter()
    compiled = jax.jit(run).lower(start, start).compile()
    seconds = time.perf_counter() - t0

    def call(x: float, y: float) -> np.ndarray:
        return np.array(jax.block_until_ready(compiled(jax.numpy.float64(x),
                                                       jax.numpy.float64(y))))
    return seconds, call


def timed(function, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - t0, value


def tiny_loop(steps: int) -> None:
    obj = symgd.Objective(BOWL)
    options = dict(lr=LR, max_iter=steps, tol=None, history=False)
    first = descend(obj, [1.0, 1.0], backend="numba", **{**options, "max_iter": 10})
    warm = descend(symgd.Objective("x^2 + 2*x*y + 3*y^2"), [1.0, 1.0], backend="numba",
                   **{**options, "max_iter": 10})
    compiled, default, bare, jaxed = [], [], [], []
    if HAS_JAX:
        jax_compile, jax_run = jax_loop(steps)
        jax_run(1.0, 1.0)
    for _ in range(REPEATS):
        seconds, fast = timed(descend, obj, [1.0, 1.0], backend="numba", **options)
        compiled.append(seconds)
        seconds, slow = timed(descend, obj, [1.0, 1.0], backend="numpy", **options)
        default.append(seconds)
        bare.append(timed(bare_python, 1.0, 1.0, steps)[0])
        if HAS_JAX:
            seconds, jax_x = timed(jax_run, 1.0, 1.0)
            jaxed.append(seconds)
    c, d, b = (statistics.median(t) / steps for t in (compiled, default, bare))
    assert fast.backend == "numba" and slow.backend == "numpy"
    worst = float(np.abs(fast.x - slow.x).max())
    print(f"tiny loop, {BOWL}, {steps:,} steps, history=False "
          f"(end points differ by {worst:.1e})")
    if HAS_JAX:
        j = statistics.median(jaxed) / steps
        print(f"  compiled per step: {c * 1e9:.1f} ns (goal: within a few times of JAX "
              f"fori_loop, {j * 1e9:.1f} ns a step in this run)")
    else:
        print(f"  compiled per step: {c * 1e9:.1f} ns (goal: within a few times of JAX "
              f"fori_loop, 12 ns a step where it was measured; JAX is not run here)")
    print(f"  bare hand-written Python per step: {b * 1e9:.1f} ns")
    print(f"  default path per step: {d * 1e9:.1f} ns")
    print(f"  compiled / bare Python: {c / b:.3f}x (goal <= 0.2x)")
    print(f"  compiled / default path: {c / d:.3f}x; {speed('compiled', c, d)}")
    if HAS_JAX:
        print(f"  JAX fori_loop per step (jit, float64, excluding compile): {j * 1e9:.1f} ns; "
              f"end point differs from compiled by {np.abs(jax_x - fast.x).max():.1e}")
        print(f"  compiled / JAX fori_loop: {c / j:.2f}x; {speed('compiled', c, j)}")
        print(f"  JAX compile time (jit of the loop): {jax_compile:.2f} s")
    else:
        print("  (JAX not installed: skipped)")
    print(f"  compile time, first in the process: {first.compile_time:.2f} s (goal: reported "
          f"separately, cached per objective)")
    print(f"  compile time, another objective: {warm.compile_time:.2f} s")
    again = descend(obj, [1.0, 1.0], backend="numba", **options)
    print(f"  compile time, the same objective again: {again.compile_time:.2f} s")


def many_starts(k: int, steps: int = 1_000) -> None:
    obj = symgd.Objective(ROSENBROCK)
    starts = np.random.default_rng(0).uniform(-2, 2, size=(k, 2))
    first = descend_many(obj, starts[:10], lr=MANY_LR, max_iter=5, backend="numba")
    descend_many(obj, starts[:10], lr=MANY_LR, max_iter=5, backend="numpy")
    descend(obj, starts[0], lr=MANY_LR, max_iter=5, history=False, backend="numpy")

    compiled, batch = timed(descend_many, obj, starts, lr=MANY_LR, max_iter=steps, tol=None,
                            backend="numba")
    vectorized, numpy_batch = timed(descend_many, obj, starts, lr=MANY_LR, max_iter=steps,
                                    tol=None, backend="numpy")
    separate, singles = timed(lambda: [descend(obj, s, lr=MANY_LR, max_iter=steps, tol=None,
                                               history=False, backend="numpy")
                                       for s in starts])
    ends = np.array([r.x for r in singles])
    worst = max(float(np.abs(ends - batch.x).max()),
                float(np.abs(numpy_batch.x - batch.x).max()))
    same = bool((np.array([r.status for r in singles]) == batch.status).all()
                and (numpy_batch.status == batch.status).all())
    print(f"descend_many, Rosenbrock, {k:,} starts x {steps:,} steps (same statuses: {same}; "
          f"end points differ by {worst:.1e})")
    print(f"  compiled descend_many: {compiled:.3f} s ({compiled / (k * steps) * 1e9:.1f} ns "
          f"per run-step)")
    print(f"  NumPy descend_many: {vectorized:.3f} s")
    print(f"  {k:,} separate descend(): {separate:.3f} s")
    print(f"  compiled descend_many vs separate runs: {separate / compiled:.1f}x faster "
          f"(goal >= 20x)")
    print(f"  compiled vs NumPy descend_many: {speed('compiled', compiled, vectorized)}")
    print(f"  compile time (multi-start loop): {first.compile_time:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000_000)
    args = parser.parse_args()
    if not choice.available():
        print('numba is not installed: pip install "symgd[fast]"; nothing to measure')
        return
    tiny_loop(args.steps)
    many_starts(args.starts)


if __name__ == "__main__":
    main()
