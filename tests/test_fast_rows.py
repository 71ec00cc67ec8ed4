"""Fused per-row kernels (symgd.fast.rows) against the NumPy row path and
against independent NumPy oracles: log-loss, MAE, MSE without statistics,
networks; descent iterates; faults; the backend option."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

numba = pytest.importorskip("numba")

import symgd  # noqa: E402
from symgd.data.networks import mlp  # noqa: E402
from symgd.descent.result import Status  # noqa: E402
from symgd.errors import InputError  # noqa: E402
from symgd.expr.registry import numeric_namespace, relu, sigmoid, softplus  # noqa: E402
from symgd.fast import rows as fast  # noqa: E402

RTOL = 1e-12


def assert_close(a, b, rtol=RTOL):
    """Equal to round-off, relative to the largest component."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(np.abs(b).max(), 1e-300)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale)


def both(build):
    """The same objective with the NumPy path and with the kernel."""
    slow, quick = build("numpy"), build("numba")
    assert slow.row_evaluator.kernel is None
    assert quick.row_evaluator.kernel is not None, quick.row_evaluator.fallback
    return slow, quick


def linear_data(rows=3000, d=3, seed=0, logistic=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, d))
    z = X @ np.linspace(-1.0, 1.0, d) + 0.3
    y = (rng.random(rows) < 1 / (1 + np.exp(-z))).astype(float) if logistic \
        else z + rng.normal(scale=0.5, size=rows)
    data = {f"x{j + 1}": X[:, j] for j in range(d)}
    data["y"] = y
    return X, y, data


def linear_model(d):
    return " + ".join(f"w{j}*x{j}" for j in range(1, d + 1)) + " + b"


PARAMS3 = ["w1", "w2", "w3", "b"]


# ------------------------------------------------------------ losses vs oracles

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_log_loss_matches_numpy_path_and_closed_form(seed):
    X, y, data = linear_data(logistic=True, seed=seed)
    slow, quick = both(lambda be: symgd.log_loss(f"sigmoid({linear_model(3)})", data,
                                                 params=PARAMS3, backend=be))
    theta = np.random.default_rng(seed + 10).normal(size=4)
    z = X @ theta[:3] + theta[3]
    p = 1 / (1 + np.exp(-z))
    oracle = np.r_[np.mean(np.logaddexp(0, z) - y * z), X.T @ (p - y) / len(y), np.mean(p - y)]
    f_q, g_q = quick.value_and_grad(theta)
    f_s, g_s = slow.value_and_grad(theta)
    assert_close(np.r_[f_q, g_q], np.r_[f_s, g_s])
    assert_close(np.r_[f_q, g_q], oracle)


def test_mae_matches_closed_form():
    X, y, data = linear_data(seed=3)
    slow, quick = both(lambda be: symgd.mae(linear_model(3), data, params=PARAMS3, backend=be))
    theta = np.array([0.2, -0.4, 0.9, 0.1])
    r = X @ theta[:3] + theta[3] - y
    oracle = np.r_[np.mean(np.abs(r)), X.T @ np.sign(r) / len(y), np.mean(np.sign(r))]
    assert_close(np.r_[quick.value_and_grad(theta)[0], quick.value_and_grad(theta)[1]], oracle)
    assert_close(quick.value_and_grad(theta)[1], slow.value_and_grad(theta)[1])


def test_mse_without_statistics_matches_normal_equations():
    X, y, data = linear_data(seed=4)
    slow, quick = both(lambda be: symgd.mse(linear_model(3), data, params=PARAMS3,
                                            sufficient_statistics=False, backend=be))
    A = np.column_stack([X, np.ones(len(y))])
    best = np.linalg.lstsq(A, y, rcond=None)[0]
    theta = np.array([1.0, 2.0, -1.0, 0.5])
    r = A @ theta - y
    assert_close(quick.value_and_grad(theta)[1], 2 * A.T @ r / len(y))
    assert_close(quick.value(theta), slow.value(theta))
    # the gradient vanishes at the least-squares solution (to round-off of its size)
    assert np.abs(quick.value_and_grad(best)[1]).max() < 1e-12 * np.abs(A.T @ y).max()


def backprop(X, y, layers, theta_by_name):
    """Mean squared error of a tanh network and its gradient by hand-written
    backpropagation (identity output), keyed by symgd's parameter names."""
    Ws, bs = [], []
    for layer, (n_in, n_out) in enumerate(zip(layers, layers[1:]), start=1):
        sep = "_" if max(n_in, n_out) > 9 else ""
        Ws.append(np.array([[theta_by_name[f"W{layer}_{i}{sep}{j}"] for j in range(1, n_in + 1)]
                            for i in range(1, n_out + 1)]))
        bs.append(np.array([theta_by_name[f"b{layer}_{i}"] for i in range(1, n_out + 1)]))
    acts = [X]
    for k, (W, b) in enumerate(zip(Ws, bs)):
        z = acts[-1] @ W.T + b
        acts.append(z if k == len(Ws) - 1 else np.tanh(z))
    r = acts[-1][:, 0] - y
    delta = (2 * r / len(y))[:, None]
    grads = {}
    for k in range(len(Ws) - 1, -1, -1):
        layer, (n_out, n_in) = k + 1, Ws[k].shape
        sep = "_" if max(n_in, n_out) > 9 else ""
        gW, gb = delta.T @ acts[k], delta.sum(axis=0)
        for i in range(n_out):
            grads[f"b{layer}_{i + 1}"] = gb[i]
            for j in range(n_in):
                grads[f"W{layer}_{i + 1}{sep}{j + 1}"] = gW[i, j]
        if k:
            delta = (delta @ Ws[k]) * (1 - acts[k] ** 2)
    return np.mean(r * r), grads


@pytest.mark.parametrize("layers,rows", [((2, 16, 1), 2500), ((10, 8, 8, 1), 1500)])
def test_networks_match_backprop(layers, rows):
    rng = np.random.default_rng(5)
    X = rng.uniform(-2, 2, size=(rows, layers[0]))
    y = np.sin(X[:, 0]) * np.cos(X[:, 1])
    net = mlp(layers)
    data = {f"x{j + 1}": X[:, j] for j in range(layers[0])}
    data["y"] = y
    slow, quick = both(lambda be: symgd.mse(net, data, backend=be))
    theta = net.init(seed=1)
    point = [theta[p] for p in quick.names]
    f_q, g_q = quick.value_and_grad(point)
    f_s, g_s = slow.value_and_grad(point)
    loss, grads = backprop(X, y, layers, theta)
    assert_close(np.r_[f_q, g_q], np.r_[f_s, g_s], rtol=1e-11)
    assert_close(np.r_[f_q, g_q], np.r_[loss, [grads[p] for p in quick.names]], rtol=1e-11)


def test_subsampled_rows_and_hessian_agree():
    X, y, data = linear_data(logistic=True, seed=6)
    slow, quick = both(lambda be: symgd.log_loss(f"sigmoid({linear_model(3)})", data,
                                                 params=PARAMS3, backend=be))
    theta = [0.3, -0.2, 0.1, 0.05]
    rows = np.arange(0, len(y), 7)
    assert_close(quick.row_evaluator.reduced(theta, rows), slow.row_evaluator.reduced(theta, rows))
    assert_close(quick.hess(theta), slow.hess(theta))
    z = X @ np.array(theta[:3]) + theta[3]
    p = 1 / (1 + np.exp(-z))
    A = np.column_stack([X, np.ones(len(y))])
    assert_close(quick.hess(theta), (A * (p * (1 - p))[:, None]).T @ A / len(y))


# ------------------------------------------------------------ descent

def test_descend_gives_the_same_iterates():
    _, _, data = linear_data(logistic=True, seed=7)
    slow, quick = both(lambda be: symgd.log_loss(f"sigmoid({linear_model(3)})", data,
                                                 params=PARAMS3, backend=be))
    a = symgd.descend(slow, 0, lr=0.5, max_iter=40, tol=None)
    b = symgd.descend(quick, 0, lr=0.5, max_iter=40, tol=None)
    assert a.status == b.status and a.nit == b.nit and a.message == b.message
    np.testing.assert_allclose(np.asarray(b.history.x), np.asarray(a.history.x),
                               rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(b.history.loss, a.history.loss, rtol=1e-12)


def test_descend_network_same_iterates():
    rng = np.random.default_rng(8)
    X = rng.uniform(-2, 2, size=(800, 2))
    data = {"x1": X[:, 0], "x2": X[:, 1], "y": np.tanh(X[:, 0] - X[:, 1])}
    net = mlp((2, 4, 1))
    slow, quick = both(lambda be: symgd.mse(net, data, backend=be))
    start = [net.init(seed=2)[p] for p in quick.names]
    a = symgd.descend(slow, start, lr=0.1, max_iter=25, tol=None)
    b = symgd.descend(quick, start, lr=0.1, max_iter=25, tol=None)
    assert a.status == b.status and a.nit == b.nit
    np.testing.assert_allclose(b.x, a.x, rtol=1e-11, atol=1e-13)


# ------------------------------------------------------------ faults

def test_log_of_zero_reports_not_finite_like_numpy():
    # p = w*x reaches 0 and below: log(0) = -inf, log of a negative number nan
    rng = np.random.default_rng(9)
    data = {"x": rng.uniform(0.0, 1.0, 2000), "y": (rng.random(2000) < 0.5).astype(float)}
    data["x"][0] = 0.0
    slow, quick = both(lambda be: symgd.log_loss("w*x", data, backend=be))
    assert np.isnan(slow.value([0.5])) == np.isnan(quick.value([0.5]))
    assert slow.value([0.5]) == pytest.approx(quick.value([0.5]), nan_ok=True) or \
        (not np.isfinite(slow.value([0.5])) and not np.isfinite(quick.value([0.5])))
    a = symgd.descend(slow, 0.5, lr=0.1, max_iter=10)
    b = symgd.descend(quick, 0.5, lr=0.1, max_iter=10)
    assert a.status == b.status == Status.NOT_FINITE
    assert a.message == b.message and a.nit == b.nit
    np.testing.assert_array_equal(a.x, b.x)


def test_overflow_diverges_the_same_way():
    rng = np.random.default_rng(10)
    data = {"x": rng.uniform(1.0, 3.0, 1500)}
    data["y"] = np.exp(0.5 * data["x"])
    slow, quick = both(lambda be: symgd.mse("exp(w*x)", data, backend=be))
    a = symgd.descend(slow, 0.0, lr=50.0, max_iter=50)       # one step to w ~ 350
    b = symgd.descend(quick, 0.0, lr=50.0, max_iter=50)
    assert a.status == b.status and a.status in (Status.NOT_FINITE, Status.DIVERGED)
    assert a.message == b.message and a.nit == b.nit
    np.testing.assert_allclose(b.x, a.x, rtol=1e-12)


SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -1.5, 800.0, -800.0, 1e-300])


@pytest.mark.parametrize("head", [sigmoid, softplus, relu, sp.Abs, sp.sign, sp.exp, sp.log,
                                  sp.tanh, sp.sqrt, lambda t: sp.Heaviside(t, 0),
                                  lambda t: 1 / t, lambda t: t ** sp.Rational(3, 2)])
def test_special_values_match_numpy(head):
    t = sp.Symbol("t", real=True)
    expr = head(t)
    kernel = fast.fused_kernel([expr], [], [t])
    f = sp.lambdify([t], expr, modules=[numeric_namespace("numpy"), "numpy"])
    with np.errstate(all="ignore"):
        expected = np.broadcast_to(np.asarray(f(SPECIAL), dtype=float), SPECIAL.shape)
    got = np.array([kernel(np.empty(0), (SPECIAL[k:k + 1].copy(),))[0] for k in range(len(SPECIAL))])
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got[~np.isnan(got)], expected[~np.isnan(expected)], rtol=1e-15)


def test_sigmoid_and_softplus_sharing_an_exponential_match_numpy():
    t = sp.Symbol("t", real=True)
    kernel = fast.fused_kernel([softplus(t), sigmoid(t)], [], [t])
    assert "_sigmoid_e" in kernel.source and "_softplus_e" in kernel.source
    ns = numeric_namespace("numpy")
    values = np.r_[SPECIAL, np.linspace(-40, 40, 101)]
    for v in values:
        got = kernel(np.empty(0), (np.array([v]),))
        with np.errstate(all="ignore"):
            expected = np.array([ns["softplus"](v), ns["sigmoid"](v)], dtype=float)
        np.testing.assert_allclose(got, expected, rtol=1e-15, equal_nan=True)


def _per_row(expr, values):
    """A one-output kernel's value at each of ``values``, one row at a time."""
    t = sp.Symbol("t", real=True)
    kernel = fast.fused_kernel([expr(t)], [], [t])
    return np.array([kernel(np.empty(0), (np.array([v]),))[0] for v in values])


def _ulps(got, exact):
    """|got - exact| in units of the last place of the exact (mpmath) value."""
    return [abs(float((exact(v) - mpmath.mpf(g)) / mpmath.mpf(np.spacing(float(exact(v))))))
            for v, g in got]


mpmath = pytest.importorskip("mpmath")
RNG = np.random.default_rng(2026)
EXP_POINTS = np.r_[RNG.uniform(-0.35, 0.35, 400), RNG.uniform(-745.0, 709.7, 800),
                   -np.logspace(-300, np.log10(745), 300), np.logspace(-300, np.log10(709.7), 300),
                   [0.0, -0.0, 1.0, -1.0, 709.78, -708.39, -745.1, 5e-324, np.log(2) / 2]]


def test_exp_is_within_one_ulp_of_mpmath():
    # symgd's branch-free exp (vectorised in the row loop) against 100-bit mpmath,
    # over the whole range: normal, subnormal and the reduction's edges
    mpmath.mp.prec = 100
    got = _per_row(sp.exp, EXP_POINTS)
    normal = [(v, g) for v, g in zip(EXP_POINTS, got) if 2.3e-308 < np.exp(v) < np.inf]
    assert max(_ulps(normal, lambda v: mpmath.exp(mpmath.mpf(v)))) <= 1.0
    tiny = [(v, g) for v, g in zip(EXP_POINTS, got) if np.exp(v) <= 2.3e-308]
    for v, g in tiny:      # subnormal results: within one step of 2**-1074
        assert abs(float(mpmath.exp(mpmath.mpf(v))) - g) <= 5e-324
    edges = _per_row(sp.exp, [710.0, 1e308, np.inf, -746.0, -1e308, -np.inf, np.nan])
    np.testing.assert_array_equal(edges, [np.inf, np.inf, np.inf, 0.0, 0.0, 0.0, np.nan])


def test_tanh_in_lanes_is_within_three_ulp_of_mpmath():
    # a tanh that several outputs share is computed a sub-block at a time in
    # vector lanes, by symgd's branch-free tanh; against 100-bit mpmath
    mpmath.mp.prec = 100
    t = sp.Symbol("t", real=True)
    kernel = fast.fused_kernel([sp.tanh(t), sp.tanh(t) ** 3], [], [t])
    assert "def _lanes(" in kernel.source and "_tanh_rows(buf, 0, 1," in kernel.source
    values = np.r_[RNG.uniform(-3, 3, 600), RNG.uniform(-25, 25, 200),
                   np.logspace(-300, 2.9, 300), -np.logspace(-300, 2.9, 300),
                   np.linspace(-0.5, 0.5, 301), [0.34657359027997264, 19.06, 710.0, -710.0]]
    got = [kernel(np.empty(0), (np.array([v]),))[0] for v in values]
    assert max(_ulps(list(zip(values, got)), lambda v: mpmath.tanh(mpmath.mpf(v)))) <= 3.0
    # inside a block of 1,024 rows (the vector loop, not its remainder) the same
    # values: the other rows are 0, whose tanh adds nothing
    def in_block(v):
        column = np.zeros(1024)
        column[517] = v
        return kernel(np.empty(0), (column,))[0]
    np.testing.assert_array_equal([in_block(v) for v in values[::20]], got[::20])
    edges = [kernel(np.empty(0), (np.array([v]),))[0] for v in (0.0, np.inf, -np.inf, np.nan)]
    np.testing.assert_array_equal(edges, [0.0, 1.0, -1.0, np.nan])


def test_a_deeper_network_takes_its_tanh_in_lanes_a_layer_at_a_time():
    # layer 2's tanh needs layer 1's: two stages, and the loss and gradient equal
    # the NumPy path's to round-off
    net = symgd.mlp((2, 3, 3, 1))
    rng = np.random.default_rng(5)
    data = {"x1": rng.normal(size=3000), "x2": rng.normal(size=3000)}
    data["y"] = np.sin(data["x1"])
    fused = symgd.mse(net, data, backend="numba")
    slow = symgd.mse(net, data, backend="numpy")
    theta = net.init(seed=1)
    point = [theta[p] for p in fused.names]
    f, g = fused.value_and_grad(point)
    assert fused.evaluator.kernel.source.count("_tanh_rows(buf") == 2
    f0, g0 = slow.value_and_grad(point)
    assert f == pytest.approx(f0, rel=1e-13)
    np.testing.assert_allclose(g, g0, rtol=1e-11, atol=1e-14)


def test_softplus_and_sigmoid_are_within_a_few_ulp_of_mpmath():
    # softplus's log1p(exp(-|t|)) + max(t, 0) and sigmoid, without branches
    mpmath.mp.prec = 100
    ts = np.r_[RNG.uniform(-40, 40, 800), -np.logspace(-12, 2.8, 200), np.logspace(-12, 2.8, 200),
               [0.0, np.log(np.sqrt(2) - 1), -np.log(np.sqrt(2) - 1), 36.7, -36.7]]
    got = _per_row(softplus, ts)
    exact = lambda v: mpmath.log1p(mpmath.exp(mpmath.mpf(v)))   # noqa: E731
    assert max(_ulps([(v, g) for v, g in zip(ts, got) if v < 700], exact)) <= 3.0
    got = _per_row(sigmoid, ts)
    exact = lambda v: 1 / (1 + mpmath.exp(-mpmath.mpf(v)))   # noqa: E731
    assert max(_ulps([(v, g) for v, g in zip(ts, got) if v > -700], exact)) <= 3.0
    np.testing.assert_array_equal(_per_row(softplus, [-np.inf, np.inf, -800.0, np.nan]),
                                  [0.0, np.inf, 0.0, np.nan])


def test_sums_in_vector_lanes_stay_within_round_off_of_exact_sums():
    # the sums are reassociated (vector lanes); against math.fsum of the same rows
    t = sp.Symbol("t", real=True)
    kernel = fast.fused_kernel([t, t**2, sp.exp(-t**2)], [], [t])
    for rows in (1, 7, fast.SUB - 1, fast.SUB + 3, fast.BLOCK + 5, 50 * fast.BLOCK + 17):
        v = RNG.normal(size=rows) * 10
        got = kernel(np.empty(0), (v,))
        exact = [math.fsum(v), math.fsum(v * v), math.fsum(np.exp(-v * v))]
        np.testing.assert_allclose(got, exact, rtol=1e-13, atol=1e-13 * np.abs(v).sum())


def test_sub_blocks_follow_the_number_of_factors():
    w, x = sp.symbols("w x", real=True)
    few = fast.kernel_source([w * x, x * sp.exp(w * x)], [w], [x])
    # two factors (w and exp(w x)) and the column x that multiplies them
    assert few.startswith(fast.VECTOR_MARK) and f"np.empty((3, {fast.SUB}))" in few
    many = fast.kernel_source([sp.exp(k * w * x) for k in range(1, 101)], [w], [x])
    assert "np.empty((100, 16))" in many and fast.sub_rows(100) == 16


@pytest.mark.parametrize("head, vector", [
    (sigmoid, True), (softplus, True), (sp.exp, True), (sp.Abs, True), (sp.sqrt, True),
    (lambda t: t ** 3 - 1 / t, True), (sp.tanh, False), (sp.log, False), (sp.sin, False),
    (lambda t: t ** sp.Rational(3, 2), False), (lambda t: 2 ** t, False)])
def test_form_follows_the_functions_and_both_forms_match_numpy(head, vector):
    # vector lanes only without libm calls; either way the sums match NumPy's
    w, x = sp.symbols("w x", real=True)
    outs = [head(w * x + 2), x * head(w * x + 2)]
    kernel = fast.fused_kernel(outs, [w], [x])
    assert kernel.source.startswith(fast.VECTOR_MARK if vector else fast.ONE_LOOP_MARK)
    v = np.random.default_rng(5).uniform(0.1, 1.5, 3 * fast.BLOCK + 11)
    f = sp.lambdify([w, x], outs, modules=[numeric_namespace("numpy"), "numpy"])
    expected = [np.sum(np.broadcast_to(o, v.shape)) for o in f(0.7, v)]
    assert_close(kernel(np.array([0.7]), (v,)), expected, rtol=1e-13)


# ------------------------------------------------------------ the kernel itself

def test_kernel_data_layouts_threads_and_block_edges():
    w, b, x1, x2 = sp.symbols("w b x1 x2", real=True)
    outs = [sp.tanh(w * x1 + b) * x2, x1 * sp.tanh(w * x1 + b), sp.exp(-w * x2)]
    kernel = fast.fused_kernel(outs, [w, b], [x1, x2])
    rng = np.random.default_rng(11)
    for rows in (0, 1, fast.BLOCK - 1, fast.BLOCK, fast.BLOCK + 1, 5 * fast.BLOCK + 3):
        C = rng.normal(size=(rows, 2))
        before = C.copy()
        theta = np.array([0.7, -0.2])
        t = np.tanh(theta[0] * C[:, 0] + theta[1])
        oracle = [np.sum(t * C[:, 1]), np.sum(C[:, 0] * t), np.sum(np.exp(-theta[0] * C[:, 1]))]
        F = np.asfortranarray(C)
        for data in (C, F, (np.ascontiguousarray(C[:, 0]), np.ascontiguousarray(C[:, 1]))):
            assert_close(kernel(theta, data), oracle) if rows else \
                np.testing.assert_array_equal(kernel(theta, data), np.zeros(3))
        np.testing.assert_array_equal(C, before)            # user data untouched
    C = rng.normal(size=(20 * fast.BLOCK + 5, 2))
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = kernel(np.array([0.3, 0.1]), C, parallel=True)
        numba.set_num_threads(previous)
        many = kernel(np.array([0.3, 0.1]), C, parallel=True)
    finally:
        numba.set_num_threads(previous)
    serial = kernel(np.array([0.3, 0.1]), C, parallel=False)
    np.testing.assert_array_equal(one, many)                # blocks fixed: same bits
    np.testing.assert_array_equal(serial, many)


def test_kernel_cache_is_per_structure():
    a, u = sp.symbols("a u", real=True)
    c, v = sp.symbols("c v", real=True)
    k1 = fast.fused_kernel([sp.sin(a * u)], [a], [u])
    k2 = fast.fused_kernel([sp.sin(c * v)], [c], [v])
    assert k1.source == k2.source
    k1(np.array([1.0]), (np.ones(3),))
    assert k2.compiled


def test_kernel_refuses_bad_inputs():
    w, x = sp.symbols("w x", real=True)
    kernel = fast.fused_kernel([w * x], [w], [x])
    with pytest.raises(InputError, match="float64"):
        kernel(np.array([1.0]), np.ones((3, 1), dtype=np.float32))
    with pytest.raises(InputError, match="1 columns"):
        kernel(np.array([1.0]), np.ones((3, 2)))
    with pytest.raises(InputError, match="1 parameters"):
        kernel(np.array([1.0, 2.0]), (np.ones(3),))


# ------------------------------------------------------------ the backend option

def test_backend_option_is_checked():
    _, _, data = linear_data(rows=50)
    with pytest.raises(InputError, match="backend must be one of"):
        symgd.mae(linear_model(3), data, params=PARAMS3, backend="fortran")


def test_numba_backend_needs_numba(monkeypatch):
    _, _, data = linear_data(rows=50)
    monkeypatch.setattr(fast, "available", lambda: False)
    with pytest.raises(InputError, match=r"symgd\[fast\]"):
        symgd.mae(linear_model(3), data, params=PARAMS3, backend="numba")
    auto = symgd.mae(linear_model(3), data, params=PARAMS3, backend="auto")
    monkeypatch.setattr(fast, "AUTO_MIN_WORK", 1)
    assert auto.row_evaluator.kernel is None                 # numba "absent": NumPy


def test_auto_uses_the_kernel_only_for_large_work(monkeypatch):
    _, _, data = linear_data(rows=200, logistic=True)
    small = symgd.log_loss(f"sigmoid({linear_model(3)})", data, params=PARAMS3)
    assert small.row_evaluator.kernel is None                # 200 rows x 5 outputs
    monkeypatch.setattr(fast, "AUTO_MIN_WORK", 1000)
    large = symgd.log_loss(f"sigmoid({linear_model(3)})", data, params=PARAMS3)
    assert large.row_evaluator.kernel is not None             # 200 x 5 = 1000
    assert large.value([0.1, 0.2, 0.3, 0.4]) == pytest.approx(small.value([0.1, 0.2, 0.3, 0.4]),
                                                              rel=RTOL)


def test_untranslated_function_falls_back_to_numpy():
    rng = np.random.default_rng(12)
    data = {"x": rng.uniform(1.0, 2.0, 100), "y": rng.uniform(0.0, 1.0, 100)}
    L = symgd.loss("(gamma(w*x) - y)^2", data, backend="numba")
    assert L.row_evaluator.kernel is None and "gamma" in L.row_evaluator.fallback
    assert np.isfinite(L.value([1.0]))


def test_importing_symgd_does_not_import_numba():
    code = "import sys, symgd; symgd.mse('w*x', {'x': [1.0, 2.0], 'y': [1.0, 2.0]}); " \
           "print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "False"


def test_advice_compiles_no_kernel_but_a_later_hessian_does(monkeypatch):
    # a run stopped by max_iter gets a step bound from one Hessian: NumPy's,
    # since compiling its kernel costs seconds; a Hessian asked for later
    # (Newton's method, analysis) still gets the kernel
    monkeypatch.setattr(fast, "AUTO_MIN_WORK", 1000)
    calls = []
    call = fast.FusedKernel.__call__
    monkeypatch.setattr(fast.FusedKernel, "__call__",
                        lambda self, *a, **k: (calls.append(self.outputs), call(self, *a, **k))[1])
    _, _, data = linear_data(rows=2000, logistic=True)
    obj = symgd.log_loss(f"sigmoid({linear_model(3)})", data, params=PARAMS3)
    res = symgd.descend(obj, 0, lr=0.5, max_iter=2)
    assert res.status == Status.MAX_ITER and "max_iter" in res.message
    assert set(calls) == {5}                                   # loss and gradient only
    slow = symgd.log_loss(f"sigmoid({linear_model(3)})", data, params=PARAMS3, backend="numpy")
    assert_close(obj.hess(res.x), slow.hess(res.x))
    assert max(calls) > 5                                      # the Hessian's kernel now


def test_parallel_kernel_runs_in_a_forked_child():
    # the blocks run on a thread pool made in this process; a child forked
    # after it has none of its threads and must make its own, not wait forever
    import multiprocessing
    w, x = sp.symbols("w x", real=True)
    kernel = fast.fused_kernel([sp.cos(w * x), x * sp.sin(w * x)], [w], [x])
    C = np.random.default_rng(3).normal(size=(40 * fast.BLOCK, 1))
    here = kernel(np.array([0.4]), C, parallel=True)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=lambda: send.send(kernel(np.array([0.4]), C, parallel=True)))
    child.start()
    child.join(timeout=120)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive and child.exitcode == 0
    np.testing.assert_array_equal(receive.recv(), here)
