"""Multilayer perceptrons: structure, initialization, exact gradients, XOR, mini-batches."""

from __future__ import annotations

import io

import numpy as np
import pytest
import sympy as sp

import symgd
from symgd import InputError, InputTypeError, Status, descend
from symgd.cli import main
from symgd.data import mlp, parse_mlp_spec

XOR = {"x1": np.array([0.0, 0, 1, 1]), "x2": np.array([0.0, 1, 0, 1]),
       "y": np.array([0.0, 1, 1, 0])}


def test_parameters_are_named_layer_unit_input():
    net = mlp((2, 3, 1))
    assert net.params[:6] == ("W1_11", "W1_12", "W1_21", "W1_22", "W1_31", "W1_32")
    assert net.params[6:] == ("b1_1", "b1_2", "b1_3", "W2_11", "W2_12", "W2_13", "b2_1")
    assert net.inputs == ("x1", "x2")
    wide = mlp((2, 16, 1))
    assert "W1_16_2" in wide.params and "W2_1_16" in wide.params


def test_expression_is_the_written_out_network():
    net = mlp((2, 2, 1), activation="sigmoid", output="sigmoid")
    S = lambda name: sp.Symbol(name)              # noqa: E731
    sigma = symgd.expr.registry.sigmoid
    x1, x2 = S("x1"), S("x2")
    h1 = sigma(S("W1_11") * x1 + S("W1_12") * x2 + S("b1_1"))
    h2 = sigma(S("W1_21") * x1 + S("W1_22") * x2 + S("b1_2"))
    assert net.expr == sigma(S("W2_11") * h1 + S("W2_12") * h2 + S("b2_1"))


@pytest.mark.parametrize("layers, error", [
    ((2,), InputError), ((2, 0, 1), InputError), ((2, 3, 2), InputError),
    ((2, 3.5, 1), InputError), (5, InputTypeError), ((2, 100, 100, 1), InputError),
])
def test_bad_layers(layers, error):
    with pytest.raises(error):
        mlp(layers)


def test_bad_activation_and_spec():
    with pytest.raises(InputError, match="tanh"):
        mlp((2, 2, 1), activation="swish")
    with pytest.raises(InputError, match="mlp:2-3-1"):
        parse_mlp_spec("mlp:2-x-1")
    assert parse_mlp_spec("mlp:3-4-1:relu:sigmoid").layers == (3, 4, 1)


def test_initialization_is_reproducible_and_scaled():
    net = mlp((4, 8, 1))
    a, b, c = net.init(seed=7), net.init(seed=7), net.init(seed=8)
    assert a == b and a != c
    assert all(v == 0 for k, v in a.items() if k.startswith("b"))
    limit = np.sqrt(6 / (4 + 8))
    first = [v for k, v in a.items() if k.startswith("W1_")]
    assert max(abs(v) for v in first) <= limit
    he = net.init(seed=0, scheme="he")
    assert np.std([v for k, v in he.items() if k.startswith("W1_")]) == \
        pytest.approx(np.sqrt(2 / 4), rel=0.5)
    with pytest.raises(InputError):
        net.init(scheme="orthogonal")
    with pytest.raises(InputTypeError):
        net.init(seed="0")


def test_xor_is_learned_from_a_fixed_seed():
    net = mlp((2, 3, 1), activation="tanh", output="sigmoid")
    L = symgd.log_loss(net, XOR)
    res = descend(L, net.init(seed=0), lr=1.0, max_iter=5000)
    assert res.fun < 0.01
    predictions = np.array([float(net.expr.xreplace({**{sp.Symbol(k): v
                                                        for k, v in res.point.items()},
                                                     sp.Symbol("x1"): a,
                                                     sp.Symbol("x2"): b}))
                            for a, b in zip(XOR["x1"], XOR["x2"])])
    np.testing.assert_array_equal(predictions > 0.5, XOR["y"] > 0.5)


@pytest.mark.parametrize("loss, output", [("mse", "identity"), ("logloss", "sigmoid")])
def test_symbolic_gradient_matches_central_differences(loss, output):
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, size=(30, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    net = mlp((2, 4, 1), activation="tanh", output=output)
    build = symgd.mse if loss == "mse" else symgd.log_loss
    L = build(net, {"x1": X[:, 0], "x2": X[:, 1], "y": y})
    for _ in range(3):
        theta = rng.normal(scale=0.8, size=L.n)
        g = L.grad(theta)
        h = 1e-6
        numeric = np.array([(L.value(theta + h * e) - L.value(theta - h * e)) / (2 * h)
                            for e in np.eye(L.n)])
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)


def test_gradient_equals_hand_written_backpropagation():
    rng = np.random.default_rng(5)
    X = rng.uniform(-2, 2, size=(200, 2))
    y = np.sin(X[:, 0])
    net = mlp((2, 5, 1), activation="tanh")
    L = symgd.mse(net, {"x1": X[:, 0], "x2": X[:, 1], "y": y})
    theta = net.init(seed=3)
    W1 = np.array([[theta[f"W1_{i}{j}"] for j in (1, 2)] for i in range(1, 6)])
    b1 = np.array([theta[f"b1_{i}"] for i in range(1, 6)])
    W2 = np.array([theta[f"W2_1{i}"] for i in range(1, 6)])
    b2 = theta["b2_1"]
    A = np.tanh(X @ W1.T + b1)
    r = A @ W2 + b2 - y
    d = 2 * r / len(y)
    dZ = np.outer(d, W2) * (1 - A * A)
    expected = {**{f"W1_{i + 1}{j + 1}": (dZ.T @ X)[i, j] for i in range(5) for j in range(2)},
                **{f"b1_{i + 1}": dZ.sum(0)[i] for i in range(5)},
                **{f"W2_1{i + 1}": (A.T @ d)[i] for i in range(5)}, "b2_1": d.sum()}
    value, grad = L.value_and_grad([theta[p] for p in L.names])
    assert value == pytest.approx(r @ r / len(y), rel=1e-13)
    for name, g in zip(L.names, grad):
        assert g == pytest.approx(expected[name], rel=1e-10, abs=1e-14)


def test_relu_network_trains_and_its_kink_is_a_subgradient():
    net = mlp((2, 4, 1), activation="relu", output="sigmoid")
    L = symgd.log_loss(net, XOR)
    theta = net.init(seed=1, scheme="he")
    assert np.all(np.isfinite(L.grad(theta)))
    res = descend(L, theta, lr=0.5, max_iter=200)
    assert res.fun < L.value(theta)


# ----------------------------------------------------------- mini-batches

def regression_data(rows=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, rows)
    return {"x": x, "y": 3 * x - 1 + rng.normal(scale=0.05, size=rows)}


def test_one_batch_of_every_row_is_full_batch_descent():
    L = symgd.mse("w*x + b", regression_data(), sufficient_statistics=False)
    full = descend(L, 0, lr=0.1, max_iter=30)
    batched = descend(L, 0, lr=0.1, batch_size=L.rows, epochs=30, shuffle=False)
    np.testing.assert_allclose(batched.history.x, full.history.x, rtol=1e-12)


def test_stochastic_descent_is_reproducible_and_reaches_the_fit():
    L = symgd.mse("w*x + b", regression_data())
    a = descend(L, 0, lr=0.05, batch_size=8, epochs=40, seed=3)
    b = descend(L, 0, lr=0.05, batch_size=8, epochs=40, seed=3)
    c = descend(L, 0, lr=0.05, batch_size=8, epochs=40, seed=4)
    np.testing.assert_array_equal(a.history.x, b.history.x)
    assert not np.array_equal(a.history.x, c.history.x)
    assert a.nit == 40 * 50 and a.history.extra["epoch"][-1] == 40
    np.testing.assert_allclose(a.x, L.least_squares(), atol=0.05)


@pytest.mark.parametrize("kwargs, error", [
    ({"batch_size": 0}, InputError), ({"batch_size": 10_000}, InputError),
    ({"batch_size": 2.5}, InputTypeError), ({"epochs": 3}, InputError),
    ({"batch_size": 8, "epochs": 0}, InputError),
])
def test_bad_batch_options(kwargs, error):
    with pytest.raises(error):
        descend(symgd.mse("w*x + b", regression_data()), 0, lr=0.1, **kwargs)


def test_batches_need_a_data_objective():
    with pytest.raises(InputError, match="data objective"):
        descend("x^2", 1, lr=0.1, batch_size=4)


# ------------------------------------------------------------------- CLI

def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def test_cli_fits_xor_with_a_network(tmp_path):
    path = tmp_path / "xor.txt"
    path.write_text("x1 x2 y\n0 0 0\n0 1 1\n1 0 1\n1 1 0\n")
    code, out, err = run_cli("fit", str(path), "--model", "mlp:2-3-1:tanh:sigmoid",
                             "--loss", "logloss", "--lr", "1", "--max-iter", "5000", "--json")
    import json
    d = json.loads(out)
    assert d["fun"] < 0.01 and set(d["x"]) >= {"W1_11", "b2_1"}


def test_cli_mini_batches(tmp_path):
    code, out, err = run_cli("fit", "pizza", "--model", "w*x + b", "--columns",
                             "x=Reservations,y=Pizzas", "--lr", "0.0005", "--batch-size", "5",
                             "--epochs", "50", "--json")
    import json
    assert json.loads(out)["nit"] == 50 * 6
    code, out, err = run_cli("fit", "pizza", "--model", "w*x + b", "--columns",
                             "x=Reservations,y=Pizzas", "--epochs", "5")
    assert code == 2 and "--batch-size" in err
