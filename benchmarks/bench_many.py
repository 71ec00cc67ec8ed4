"""10,000 start points x 1,000 steps on Rosenbrock's function, two ways.

* symgd.descend_many: every run steps together; the compiled functions are
  evaluated on arrays of all active runs;
* 10,000 separate symgd.descend calls (each on its fast path, compiled once
  and shared).

Both keep only the first and last rows of each run, and give identical
results. Run: python benchmarks/bench_many.py [--starts K]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from ratios import speed

import symgd
from symgd.descent import descend_many

STEPS = 1_000
LR = 1e-4        # small enough that no run converges or diverges: 1,000 steps each


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=10_000)
    k = parser.parse_args().starts
    obj = symgd.Objective("(1 - x)^2 + 100*(y - x^2)^2")
    starts = np.random.default_rng(0).uniform(-2, 2, size=(k, 2))
    descend_many(obj, starts[:10], lr=LR, max_iter=5)             # compile once
    symgd.descend(obj, starts[0], lr=LR, max_iter=5, history=False)

    t0 = time.perf_counter()
    batch = descend_many(obj, starts, lr=LR, max_iter=STEPS, tol=None)
    vectorized = time.perf_counter() - t0

    t0 = time.perf_counter()
    singles = [symgd.descend(obj, s, lr=LR, max_iter=STEPS, tol=None, history=False)
               for s in starts]
    separate = time.perf_counter() - t0

    ends = np.array([r.x for r in singles])
    worst = np.abs(ends - batch.x).max()
    steps = int(batch.nit.sum())
    print(f"Rosenbrock, {k:,} starts x {STEPS:,} steps ({steps:,} steps in all)")
    print(f"  descend_many (vectorized): {vectorized:7.2f} s  "
          f"({vectorized / steps * 1e9:6.1f} ns per run-step)")
    print(f"  {k:,} separate descend():  {separate:7.2f} s  "
          f"({separate / steps * 1e9:6.1f} ns per run-step)")
    print(f"  {speed('vectorized', vectorized, separate)}; largest difference of the "
          f"end points {worst:.1e}")


if __name__ == "__main__":
    main()
