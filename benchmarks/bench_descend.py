"""Per-step cost of gradient descent on z = x² + xy + y², 100,000 steps.

symgd's descend() against loops written by hand, measured in the same run:

* hand-written Python, same job: loss and gradient typed in by hand, the
  gradient-norm stopping test, every iterate recorded, the history returned
  as NumPy arrays -- what descend() does;
* hand-written Python, bare: only the update x -= lr*grad (a lower bound);
* hand-written NumPy, same job, on a length-2 array.

Repeats are interleaved and the median is reported, so load on the machine
affects all contenders alike. Run: python benchmarks/bench_descend.py
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np

import symgd

STEPS = 100_000
LR = 1e-5       # small enough that 100,000 steps neither converge nor underflow
TOL = 1e-12
REPEATS = 7


def hand_python(x: float, y: float) -> tuple:
    xs, fs, gs, ns = [], [], [], []
    for _ in range(STEPS + 1):
        loss = x * x + x * y + y * y
        gx = 2 * x + y
        gy = x + 2 * y
        gn = math.hypot(gx, gy)
        xs.append((x, y))
        fs.append(loss)
        gs.append((gx, gy))
        ns.append(gn)
        if gn <= TOL:
            break
        x -= LR * gx
        y -= LR * gy
    return np.array(xs), np.array(fs), np.array(gs), np.array(ns)


def hand_python_bare(x: float, y: float) -> tuple:
    for _ in range(STEPS):
        gx = 2 * x + y
        gy = x + 2 * y
        x -= LR * gx
        y -= LR * gy
    return x, y


def hand_numpy(x0: np.ndarray) -> tuple:
    x = x0.copy()
    xs, fs, gs, ns = [], [], [], []
    for _ in range(STEPS + 1):
        loss = x[0] * x[0] + x[0] * x[1] + x[1] * x[1]
        g = np.array([2 * x[0] + x[1], x[0] + 2 * x[1]])
        gn = np.linalg.norm(g)
        xs.append(x)
        fs.append(loss)
        gs.append(g)
        ns.append(gn)
        if gn <= TOL:
            break
        x = x - LR * g
    return np.array(xs), np.array(fs), np.array(gs), np.array(ns)


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> dict[str, float]:
    t0 = time.perf_counter()
    obj = symgd.Objective("z = x^2 + x*y + y^2")
    first = symgd.descend(obj, [1.0, 1.0], lr=LR, max_iter=10, tol=TOL)
    setup_ms = (time.perf_counter() - t0) * 1e3

    def run_symgd() -> None:
        res = symgd.descend(obj, [1.0, 1.0], lr=LR, max_iter=STEPS, tol=TOL)
        assert res.nit == STEPS and len(res.history) == STEPS + 1

    def run_symgd_last_only() -> None:
        res = symgd.descend(obj, [1.0, 1.0], lr=LR, max_iter=STEPS, tol=TOL, history=False)
        assert res.nit == STEPS

    contenders = {
        "symgd.descend": (run_symgd,),
        "symgd.descend, history=False": (run_symgd_last_only,),
        "hand-written Python, same job": (hand_python, 1.0, 1.0),
        "hand-written Python, bare update": (hand_python_bare, 1.0, 1.0),
        "hand-written NumPy, same job": (hand_numpy, np.array([1.0, 1.0])),
    }
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(REPEATS):
        for name, (fn, *args) in contenders.items():
            times[name].append(timed(fn, *args))

    # The same iterates, to round-off: symgd against the hand-written loop.
    res = symgd.descend(obj, [1.0, 1.0], lr=LR, max_iter=STEPS, tol=TOL)
    hx = hand_python(1.0, 1.0)[0]
    assert np.allclose(res.history.x, hx, rtol=1e-12, atol=0), "iterates differ"
    assert first.nit == 10

    per_step = {k: statistics.median(v) / STEPS * 1e6 for k, v in times.items()}
    base = per_step["hand-written Python, same job"]
    print(f"z = x^2 + xy + y^2, {STEPS:,} steps, median of {REPEATS} interleaved runs")
    print(f"(one-time parse + derivatives + compile + first run: {setup_ms:.1f} ms)\n")
    print(f"{'':34s}{'us/step':>9s}{'vs hand Python':>16s}")
    for name, us in per_step.items():
        print(f"{name:34s}{us:9.3f}{us / base:15.2f}x")
    ratio = per_step["symgd.descend"] / base
    print(f"\nsymgd / hand-written Python (same job): {ratio:.2f}x (target <= 1.5x)")
    return per_step


if __name__ == "__main__":
    main()
