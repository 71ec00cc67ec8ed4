"""A 2-16-1 tanh network's full-batch MSE gradient on 10,000 samples.

symgd (the symbolic gradient of the written-out network, compiled once with
shared subexpressions) against hand-written NumPy backpropagation, in the
same run, at the same parameters; the gradients are compared. When
installed, JAX (jax.jit of jax.value_and_grad of the same network, float64,
compiled before timing) takes turns in the same loop, and PyTorch (autograd)
is timed after that loop, on its own: its OpenMP threads, taking turns with
NumPy's BLAS threads on a small machine, slowed symgd and itself many times
over. Their gradients are checked against the hand-written ones.
Run: python benchmarks/bench_mlp.py
"""

from __future__ import annotations

import importlib.util
import statistics
import time

import numpy as np

import symgd
from symgd.data.networks import mlp

ROWS, HIDDEN, REPEATS = 10_000, 16, 30
HAS_JAX = importlib.util.find_spec("jax") is not None
HAS_TORCH = importlib.util.find_spec("torch") is not None


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


def jax_step(X, y, W1, b1, W2, b2):
    """(compile seconds, a call returning the loss and the gradients as hand_backprop does)."""
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)

    def loss(params, X, y):
        W1, b1, W2, b2 = params
        r = jnp.tanh(X @ W1.T + b1) @ W2 + b2 - y
        return jnp.mean(r * r)

    args = ([jax.device_put(a) for a in (W1, b1, W2, np.float64(b2))],
            jax.device_put(X), jax.device_put(y))
    t0 = time.perf_counter()
    compiled = jax.jit(jax.value_and_grad(loss)).lower(*args).compile()
    seconds = time.perf_counter() - t0

    def call():
        value, grads = jax.block_until_ready(compiled(*args))
        return value, *grads
    return seconds, call


def torch_step(X, y, W1, b1, W2, b2):
    """A call returning the loss and the gradients as hand_backprop does."""
    import torch
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    params = [torch.tensor(a, requires_grad=True) for a in (W1, b1, W2, np.float64(b2))]

    def call():
        r = torch.tanh(Xt @ params[0].T + params[1]) @ params[2] + params[3] - yt
        loss = torch.mean(r * r)
        return loss, *torch.autograd.grad(loss, params)
    return call


def largest_difference(a, b) -> float:
    """max |difference| of two (loss, gW1, gb1, gW2, gb2) tuples."""
    return max(float(np.abs(np.asarray(u, dtype=float) - np.asarray(v, dtype=float)).max())
               for u, v in zip(a, b))


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

    others = {}
    if HAS_JAX:
        jax_compile, others["JAX jit value_and_grad"] = jax_step(X, y, W1, b1, W2, b2)
        others["JAX jit value_and_grad"]()
    other_times = {name: [] for name in others}
    sym, hand = [], []
    for _ in range(REPEATS):
        t = time.perf_counter()
        value, grad = L.value_and_grad(point)
        sym.append(time.perf_counter() - t)
        t = time.perf_counter()
        loss, gW1, gb1, gW2, gb2 = hand_backprop(X, y, W1, b1, W2, b2)
        hand.append(time.perf_counter() - t)
        for name, call in others.items():
            t = time.perf_counter()
            call()
            other_times[name].append(time.perf_counter() - t)
    if HAS_TORCH:
        others["PyTorch autograd"] = call = torch_step(X, y, W1, b1, W2, b2)
        call()
        other_times["PyTorch autograd"] = []
        for _ in range(REPEATS):
            t = time.perf_counter()
            call()
            other_times["PyTorch autograd"].append(time.perf_counter() - t)

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
    mine_hand = (loss, gW1, gb1, gW2, gb2)
    for name in ("JAX jit value_and_grad", "PyTorch autograd"):
        if name not in others:
            print(f"  ({name.split()[0]} not installed: skipped)")
            continue
        result = others[name]()
        result = [r.detach().numpy() if hasattr(r, "detach") else np.asarray(r) for r in result]
        diff = largest_difference(result, mine_hand)
        assert diff < 1e-9, (name, diff)
        o = statistics.median(other_times[name]) * 1e3
        extra = f" (compile {jax_compile:.2f} s, not included)" if name.startswith("JAX") else ""
        print(f"  {name + ':':30} {o:7.3f} ms{extra}; max |difference| from hand-written "
              f"{diff:.1e}")
        print(f"  symgd / {name.split()[0]}: {s / o:.2f}x; hand-written / {name.split()[0]}: "
              f"{h / o:.2f}x")


if __name__ == "__main__":
    main()
