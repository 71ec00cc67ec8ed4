"""A 2-16-1 tanh network's full-batch MSE gradient on 10,000 samples.

symgd (the symbolic gradient of the written-out network, compiled once with
shared subexpressions) against hand-written NumPy backpropagation, in the
same run, at the same parameters; the gradients are compared.
Run: python benchmarks/bench_mlp.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import symgd
from symgd.data.networks import mlp

ROWS, HIDDEN, REPEATS = 10_000, 16, 30


def hand_backprop(X, y, W1, b1, W2, b2):
    """Loss and gradients of mean((tanh(X W1ᵀ + b1) W2ᵀ + b2 - y)²)."""
    n = len(y)
    A = np.tanh(X @ W1.T + b1)               # (n, h)
    r = A @ W2 + b2 - y                       # (n,)
    loss = r @ r / n
    d_out = 2 * r / n
    gW2, gb2 = A.T @ d_out, d_out.sum()
    dZ = np.outer(d_out, W2) * (1 - A * A)    # (n, h)
    return loss, dZ.T @ X, dZ.sum(axis=0), gW2, gb2


def main() -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(ROWS, 2))
    y = np.sin(X[:, 0]) * np.cos(X[:, 1])
    net = mlp((2, HIDDEN, 1), activation="tanh")
    t0 = time.perf_counter()
    L = symgd.mse(net, {"x1": X[:, 0], "x2": X[:, 1], "y": y})
    theta = net.init(seed=0)
    point = [theta[p] for p in L.names]
    L.value_and_grad(point)                   # compiles once
    setup = time.perf_counter() - t0

    W1 = np.array([[theta[f"W1_{i}_{j}"] for j in (1, 2)] for i in range(1, HIDDEN + 1)])
    b1 = np.array([theta[f"b1_{i}"] for i in range(1, HIDDEN + 1)])
    W2 = np.array([theta[f"W2_1_{i}"] for i in range(1, HIDDEN + 1)])
    b2 = theta["b2_1"]

    sym, hand = [], []
    for _ in range(REPEATS):
        t = time.perf_counter()
        value, grad = L.value_and_grad(point)
        sym.append(time.perf_counter() - t)
        t = time.perf_counter()
        loss, gW1, gb1, gW2, gb2 = hand_backprop(X, y, W1, b1, W2, b2)
        hand.append(time.perf_counter() - t)

    by_name = dict(zip(L.names, grad))
    mine = np.r_[[by_name[f"W1_{i}_{j}"] for i in range(1, HIDDEN + 1) for j in (1, 2)],
                 [by_name[f"b1_{i}"] for i in range(1, HIDDEN + 1)],
                 [by_name[f"W2_1_{i}"] for i in range(1, HIDDEN + 1)], by_name["b2_1"]]
    theirs = np.r_[gW1.ravel(), gb1, gW2, gb2]
    s, h = statistics.median(sym) * 1e3, statistics.median(hand) * 1e3
    print(f"2-{HIDDEN}-1 tanh network, MSE on {ROWS:,} samples, {len(L.names)} parameters")
    print(f"  one-time setup (network, derivatives, compile): {setup:.2f} s")
    print(f"  symgd value and gradient:      {s:7.3f} ms (median of {REPEATS})")
    print(f"  hand-written NumPy backprop:   {h:7.3f} ms")
    print(f"  symgd / hand-written: {s / h:.2f}x (target <= 2x); "
          f"max |gradient difference| {np.abs(mine - theirs).max():.1e}, "
          f"loss difference {abs(value - loss):.1e}")


if __name__ == "__main__":
    main()
