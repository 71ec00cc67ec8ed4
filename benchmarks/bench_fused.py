"""Fused per-row kernels (symgd.fast.rows, backend="numba") against hand-written NumPy.

* log-loss of a logistic model, 1,000,000 rows × 10 features, one step
  (loss and gradient): symgd's kernel makes one parallel pass over the rows;
  the baseline is the vectorised z = X@w + b, p = σ(z), loss, X.T @ (p - y).
  Goal: ≥ 3× faster than hand NumPy.
* MSE of tanh networks on 10,000 rows, loss and gradient: the kernel of the
  network's symbolic gradient against hand-written NumPy backpropagation.
  Goal: ≤ 1.0× the hand-written time. 10-64-64-1 has 4,929 parameters, over
  the 2,000 that symgd.mlp writes out; 10-8-8-1 is measured instead, and
  10-32-32-1 (1,441 parameters) with --deep: its kernel is ~6,000 lines of
  straight-line code, which numba takes many minutes to compile.

Times are medians of repeats in one run, each function in a block of its own
calls (see :func:`in_blocks` for why not taking turns); the one-time compile
(SymPy derivatives, code generation, numba) is reported separately. PyTorch
columns appear when PyTorch is installed, and JAX columns (jax.jit of
jax.value_and_grad of the same loss, float64, the arrays put on the device
once; compile reported separately) when JAX is installed. Their gradients
are checked against the hand-written ones before the times are printed.
Run: python benchmarks/bench_fused.py [--rows N] [--repeats R] [--deep]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time

import numpy as np
from ratios import speed

import symgd
from symgd.data.networks import mlp
from symgd.fast.rows import available

HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_JAX = importlib.util.find_spec("jax") is not None


def jax_compiled(loss, *args):
    """jax.jit(jax.value_and_grad(loss)) compiled for ``args`` (float64):
    (compile seconds, a call that waits for its result)."""
    import jax
    t0 = time.perf_counter()
    compiled = jax.jit(jax.value_and_grad(loss)).lower(*args).compile()
    seconds = time.perf_counter() - t0
    return seconds, lambda: jax.block_until_ready(compiled(*args))


def jax_arrays(*arrays):
    """The arrays on JAX's device once, in float64."""
    import jax
    jax.config.update("jax_enable_x64", True)
    return [jax.device_put(a) for a in arrays]


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def in_blocks(fns: dict, repeats: int) -> dict[str, float]:
    """Median ms of each function, each timed in a block of its own calls
    (after one call to warm it up).

    Not taking turns: the thread pools of OpenBLAS, numba, PyTorch and JAX
    keep spinning for a while after a call returns and slow whatever runs
    next on the same cores. Measured on 2 cores: the symgd log-loss kernel
    took 10.0 ms in a block, 23.4 ms right after a hand NumPy step, 13.6 ms
    0.2 s after it; the hand NumPy step, taking turns, 82 ms instead of 45.
    Blocks back to back are not enough either: a 10-8-8-1 network's kernel
    took 2.6 ms alone and 4.3 ms in the block right after hand backprop's,
    so each block starts half a second after the one before."""
    ms = {}
    for k, fn in fns.items():
        time.sleep(0.5)
        fn()
        ms[k] = median_ms(fn, repeats)
    return ms


# ------------------------------------------------------------ log-loss

def hand_logloss_step(X, y, w, b):
    n = len(y)
    z = X @ w + b
    p = 1 / (1 + np.exp(-z))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return loss, X.T @ (p - y) / n, np.mean(p - y)


def torch_logloss_step(Xt, yt, w, b):
    import torch
    loss = torch.nn.functional.binary_cross_entropy_with_logits(Xt @ w + b, yt)
    return torch.autograd.grad(loss, (w, b))


def jax_logloss(params, X, y):
    import jax
    import jax.numpy as jnp
    w, b = params
    z = X @ w + b
    return jnp.mean(jax.nn.softplus(z) - y * z)      # the log-loss of sigmoid(z)


def logloss(rows: int, d: int, repeats: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, d))
    w_true = np.linspace(-1.0, 1.0, d)
    y = (rng.random(rows) < 1 / (1 + np.exp(-(X @ w_true + 0.5)))).astype(float)
    data = {f"x{j}": X[:, j - 1] for j in range(1, d + 1)}
    data["y"] = y
    params = [f"w{j}" for j in range(1, d + 1)] + ["b"]
    model = "sigmoid(" + " + ".join(f"w{j}*x{j}" for j in range(1, d + 1)) + " + b)"
    theta = np.r_[0.3 * w_true, 0.1]

    t0 = time.perf_counter()
    fused = symgd.log_loss(model, data, params=params)           # backend="auto"
    fused.value_and_grad(theta)
    first = time.perf_counter() - t0
    chosen = "numba" if fused.row_evaluator.kernel is not None else "numpy"
    numpy_path = symgd.log_loss(model, data, params=params, backend="numpy")
    numpy_path.value_and_grad(theta)
    hand_logloss_step(X, y, theta[:d], theta[d])

    fns = {"hand": lambda: hand_logloss_step(X, y, theta[:d], theta[d]),
           "fused": lambda: fused.value_and_grad(theta),
           "numpy": lambda: numpy_path.value_and_grad(theta)}
    if HAS_TORCH:
        import torch
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        wt = torch.tensor(theta[:d], requires_grad=True)
        bt = torch.tensor(theta[d], requires_grad=True)
        fns["torch"] = lambda: torch_logloss_step(Xt, yt, wt, bt)
    if HAS_JAX:
        Xj, yj, wj, bj = jax_arrays(X, y, theta[:d], theta[d])
        jax_compile, fns["jax"] = jax_compiled(jax_logloss, (wj, bj), Xj, yj)
        fns["jax"]()
    ms = in_blocks(fns, repeats)
    compile_s = first - ms["fused"] / 1e3

    f, g = fused.value_and_grad(theta)
    loss, gw, gb = hand_logloss_step(X, y, theta[:d], theta[d])
    diff = np.abs(np.r_[f - loss, np.asarray(g) - np.r_[gw, gb]]).max()
    if HAS_TORCH:
        t_gw, t_gb = fns["torch"]()
        assert np.allclose(np.r_[t_gw.numpy(), t_gb.item()], np.r_[gw, gb], rtol=1e-9,
                           atol=1e-12)
    if HAS_JAX:
        j_loss, (j_gw, j_gb) = fns["jax"]()
        j_diff = np.abs(np.r_[float(j_loss) - loss, np.asarray(j_gw) - gw, float(j_gb) - gb]).max()
        assert j_diff < 1e-9
    print(f"log-loss, logistic model, {rows:,} rows x {d} features, one step "
          f"(backend auto chose {chosen})")
    print(f"  hand NumPy: {ms['hand']:.2f} ms; symgd fused: {ms['fused']:.2f} ms; "
          f"symgd NumPy path: {ms['numpy']:.2f} ms; max |difference| {diff:.1e}")
    if HAS_TORCH:
        print(f"  PyTorch autograd: {ms['torch']:.2f} ms "
              f"(hand NumPy / PyTorch: {ms['hand'] / ms['torch']:.2f}x)")
    else:
        print("  (PyTorch not installed: skipped)")
    if HAS_JAX:
        print(f"  JAX jit value_and_grad: {ms['jax']:.2f} ms (compile {jax_compile:.2f} s, not "
              f"included); hand NumPy / JAX: {ms['hand'] / ms['jax']:.2f}x; symgd fused / JAX: "
              f"{ms['fused'] / ms['jax']:.2f}x ({speed('symgd fused', ms['fused'], ms['jax'])}); "
              f"max |difference| {j_diff:.1e}")
    else:
        print("  (JAX not installed: skipped)")
    shape = f"{rows:.0e}".replace("+0", "").replace("+", "") + f"x{d}"
    print(f"log-loss {shape} step, hand NumPy / symgd fused: {ms['hand'] / ms['fused']:.2f}x "
          f"(goal >= 3x)")
    print(f"log-loss {shape} step, hand NumPy / symgd NumPy path: "
          f"{ms['hand'] / ms['numpy']:.2f}x (before the kernel)")
    print(f"log-loss compile (derivatives, code, numba): {compile_s:.2f} s (one-time)")
    print()


# ------------------------------------------------------------ networks

def weights(net, theta: dict[str, float]):
    """The network's parameters as matrices (W, b) per layer."""
    out = []
    for layer, (n_in, n_out) in enumerate(zip(net.layers, net.layers[1:]), start=1):
        sep = "_" if max(n_in, n_out) > 9 else ""
        W = np.array([[theta[f"W{layer}_{i}{sep}{j}"] for j in range(1, n_in + 1)]
                      for i in range(1, n_out + 1)])
        b = np.array([theta[f"b{layer}_{i}"] for i in range(1, n_out + 1)])
        out.append((W, b))
    return out


def hand_backprop(X, y, layers):
    """Loss and gradients (per layer) of mean((net(X) - y)²), tanh hidden units."""
    n = len(y)
    acts = [X]
    for k, (W, b) in enumerate(layers):
        z = acts[-1] @ W.T + b
        acts.append(z if k == len(layers) - 1 else np.tanh(z))
    r = acts[-1][:, 0] - y
    loss = r @ r / n
    delta = (2 / n * r)[:, None]
    grads = []
    for k in range(len(layers) - 1, -1, -1):
        grads.append((delta.T @ acts[k], delta.sum(axis=0)))
        if k:
            delta = (delta @ layers[k][0]) * (1 - acts[k] * acts[k])
    return loss, grads[::-1]


def torch_backprop(Xt, yt, params):
    import torch
    a = Xt
    for k in range(0, len(params), 2):
        a = a @ params[k].T + params[k + 1]
        if k < len(params) - 2:
            a = torch.tanh(a)
    loss = torch.mean((a[:, 0] - yt) ** 2)
    return torch.autograd.grad(loss, params)


def jax_network_loss(params, X, y):
    """mean((net(X) - y)²) of the network given as [W1, b1, W2, b2, ...], tanh hidden units."""
    import jax.numpy as jnp
    a = X
    for k in range(0, len(params), 2):
        a = a @ params[k].T + params[k + 1]
        if k < len(params) - 2:
            a = jnp.tanh(a)
    return jnp.mean((a[:, 0] - y) ** 2)


def largest_difference(grads, hand_grads) -> float:
    """max |a - b| over per-layer [gW1, gb1, ...] against the hand [(gW1, gb1), ...]."""
    return max(float(np.abs(np.asarray(a) - b).max())
               for a, b in zip(grads, [g for Wb in hand_grads for g in Wb]))


def network(layers: tuple[int, ...], rows: int, repeats: int) -> None:
    label = "-".join(map(str, layers))
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(rows, layers[0]))
    y = np.sin(X[:, 0]) * np.cos(X[:, 1])
    data = {f"x{j + 1}": X[:, j] for j in range(layers[0])}
    data["y"] = y
    net = mlp(layers)
    theta = net.init(seed=0)
    t0 = time.perf_counter()
    fused = symgd.mse(net, data, backend="numba")
    point = [theta[p] for p in fused.names]
    fused.value_and_grad(point)
    first = time.perf_counter() - t0
    numpy_path = symgd.mse(net, data, backend="numpy")
    numpy_path.value_and_grad(point)
    W = weights(net, theta)
    hand_backprop(X, y, W)
    fns = {"hand": lambda: hand_backprop(X, y, W),
           "fused": lambda: fused.value_and_grad(point),
           "numpy": lambda: numpy_path.value_and_grad(point)}
    if HAS_TORCH:
        import torch
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        tp = [torch.tensor(a, requires_grad=True) for Wb in W for a in Wb]
        fns["torch"] = lambda: torch_backprop(Xt, yt, tp)
    if HAS_JAX:
        Xj, yj, *pj = jax_arrays(X, y, *[a for Wb in W for a in Wb])
        jax_compile, fns["jax"] = jax_compiled(jax_network_loss, pj, Xj, yj)
        fns["jax"]()
    ms = in_blocks(fns, repeats)
    compile_s = first - ms["fused"] / 1e3

    f, g = fused.value_and_grad(point)
    loss, grads = hand_backprop(X, y, W)
    if HAS_TORCH:
        assert largest_difference([t.numpy() for t in fns["torch"]()], grads) < 1e-9
    if HAS_JAX:
        j_loss, j_grads = fns["jax"]()
        j_diff = max(abs(float(j_loss) - loss), largest_difference(j_grads, grads))
        assert np.allclose(float(j_loss), loss) and all(
            np.allclose(np.asarray(a), b, rtol=1e-9, atol=1e-12)
            for a, b in zip(j_grads, [g for Wb in grads for g in Wb]))
    by_name = dict(zip(fused.names, g))
    hand_by_name = {}
    for layer, ((gW, gb), (n_in, n_out)) in enumerate(zip(grads, zip(net.layers, net.layers[1:])),
                                                      start=1):
        sep = "_" if max(n_in, n_out) > 9 else ""
        for i in range(n_out):
            hand_by_name[f"b{layer}_{i + 1}"] = gb[i]
            for j in range(n_in):
                hand_by_name[f"W{layer}_{i + 1}{sep}{j + 1}"] = gW[i, j]
    diff = max(abs(f - loss), max(abs(by_name[p] - hand_by_name[p]) for p in by_name))
    print(f"MLP {label} tanh, MSE on {rows:,} rows, {len(net.params)} parameters, "
          "loss and gradient")
    print(f"  hand NumPy backprop: {ms['hand']:.3f} ms; symgd fused: {ms['fused']:.3f} ms; "
          f"symgd NumPy path: {ms['numpy']:.3f} ms; max |difference| {diff:.1e}")
    if HAS_TORCH:
        print(f"  PyTorch autograd: {ms['torch']:.3f} ms")
    else:
        print("  (PyTorch not installed: skipped)")
    if HAS_JAX:
        print(f"  JAX jit value_and_grad: {ms['jax']:.3f} ms (compile {jax_compile:.2f} s, not "
              f"included); max |difference| from hand backprop {j_diff:.1e}")
    else:
        print("  (JAX not installed: skipped)")
    goal = " (goal <= 1.0x)" if layers == (2, 16, 1) else " (report)"
    print(f"MLP {label} gradient, symgd fused / hand NumPy backprop: "
          f"{ms['fused'] / ms['hand']:.2f}x{goal}")
    print(f"MLP {label} gradient, symgd NumPy path / hand NumPy backprop: "
          f"{ms['numpy'] / ms['hand']:.2f}x (before the kernel)")
    if HAS_JAX:
        print(f"MLP {label} gradient, symgd fused / JAX: {ms['fused'] / ms['jax']:.2f}x; "
              f"hand NumPy backprop / JAX: {ms['hand'] / ms['jax']:.2f}x")
    print(f"MLP {label} compile (network, derivatives, code, numba): {compile_s:.2f} s "
          "(one-time)")
    print()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--deep", action="store_true",
                        help="also 10-32-32-1 (1,441 parameters: its compile takes many minutes)")
    args = parser.parse_args()
    if not available():
        print("numba is not installed (pip install 'symgd[fast]'): nothing to measure")
        return
    logloss(args.rows, 10, args.repeats)
    network((2, 16, 1), 10_000, 5 * args.repeats)
    try:
        mlp((10, 64, 64, 1))
    except symgd.SymgdError as err:
        print(f"MLP 10-64-64-1: not built ({err})")
    network((10, 8, 8, 1), 10_000, 2 * args.repeats)
    if args.deep:
        network((10, 32, 32, 1), 10_000, args.repeats)


if __name__ == "__main__":
    main()
