"""Networks with one to three hidden layers: value and gradient against a
NumPy forward pass and hand-written backpropagation, and central differences."""

import numpy as np
import pytest

import symgd
from symgd.data import mlp

ACT = {
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)),
                lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
}


def unpack(net, theta):
    """Weight matrices and bias vectors from the flat parameter vector."""
    values = dict(zip(net.params, theta))
    out = []
    for layer, (n_in, n_out) in enumerate(zip(net.layers, net.layers[1:]), start=1):
        sep = "_" if max(n_in, n_out) > 9 else ""
        W = np.array([[values[f"W{layer}_{i}{sep}{j}"] for j in range(1, n_in + 1)]
                      for i in range(1, n_out + 1)])
        b = np.array([values[f"b{layer}_{i}"] for i in range(1, n_out + 1)])
        out.append((W, b))
    return out


def oracle(net, theta, X, y, loss):
    """Loss and gradient by a forward pass and backpropagation."""
    layers = unpack(net, theta)
    a, cache = X, []
    for k, (W, b) in enumerate(layers):
        name = net.output if k == len(layers) - 1 else net.activation
        z = a @ W.T + b
        cache.append((a, z, name))
        a = ACT[name][0](z)
    p = a[:, 0]
    m = len(y)
    if loss == "mse":
        value = np.mean((p - y) ** 2)
        delta = (2 * (p - y) / m)[:, None] * ACT[cache[-1][2]][1](cache[-1][1])
    else:                                   # log-loss of a sigmoid output
        z = cache[-1][1][:, 0]
        value = np.mean(np.logaddexp(0, z) - y * z)
        delta = ((p - y) / m)[:, None]
    grads = []
    for k in range(len(layers) - 1, -1, -1):
        a_prev, _, _ = cache[k]
        W, _ = layers[k]
        grads.append((delta.T @ a_prev, delta.sum(axis=0)))
        if k:
            _, z_prev, name = cache[k - 1]
            delta = (delta @ W) * ACT[name][1](z_prev)
    grads.reverse()
    flat = {}
    for layer, (gW, gb) in enumerate(grads, start=1):
        n_out, n_in = gW.shape
        sep = "_" if max(n_in, n_out) > 9 else ""
        for i in range(n_out):
            for j in range(n_in):
                flat[f"W{layer}_{i + 1}{sep}{j + 1}"] = gW[i, j]
            flat[f"b{layer}_{i + 1}"] = gb[i]
    return value, np.array([flat[p] for p in net.params])


SHAPES = [(2, 3, 1), (2, 2, 2, 1), (2, 2, 2, 2, 1)]


def data(n_in, rows=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, n_in))
    y = (rng.random(rows) > 0.5).astype(float)
    table = {f"x{j + 1}": X[:, j] for j in range(n_in)}
    table["y"] = y
    return X, y, table


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("activation", sorted(ACT))
@pytest.mark.parametrize("loss,output", [("mse", "identity"), ("mse", "tanh"),
                                         ("logloss", "sigmoid")])
def test_value_and_gradient_match_backpropagation(shape, activation, loss, output):
    net = mlp(shape, activation=activation, output=output)
    X, y, table = data(shape[0])
    objective = (symgd.mse if loss == "mse" else symgd.log_loss)(net, table)
    theta = np.array(list(net.init(seed=3).values()))
    theta += np.random.default_rng(4).normal(scale=0.3, size=theta.size)  # nonzero biases
    value, grad = oracle(net, theta, X, y, loss)
    assert objective.value(theta) == pytest.approx(value, rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(objective.grad(theta), grad, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("shape", [(2, 2, 2, 1)],
                         ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "identity"])
def test_gradient_matches_central_differences(shape, activation):
    net = mlp(shape, activation=activation, output="sigmoid")
    _, _, table = data(shape[0], seed=1)
    objective = symgd.log_loss(net, table)
    theta = np.array(list(net.init(seed=5).values())) + 0.1
    h = 1e-6
    numeric = np.array([(objective.value(theta + h * e) - objective.value(theta - h * e)) / (2 * h)
                        for e in np.eye(theta.size)])
    np.testing.assert_allclose(objective.grad(theta), numeric, rtol=1e-5, atol=1e-8)


def test_two_hidden_layers_descend_and_lower_the_loss():
    net = mlp((2, 2, 2, 1), activation="tanh", output="sigmoid")
    _, _, table = data(2, seed=2)
    objective = symgd.log_loss(net, table)
    start = list(net.init(seed=0).values())
    result = symgd.descend(objective, start, lr=0.5, max_iter=50)
    assert np.isfinite(result.fun) and result.fun < objective.value(start)


def test_cli_fits_a_two_hidden_layer_network(tmp_path):
    from test_networks import run_cli
    path = tmp_path / "xor.txt"
    path.write_text("x1 x2 y\n0 0 0\n0 1 1\n1 0 1\n1 1 0\n")
    code, out, err = run_cli("fit", str(path), "--model", "mlp:2-2-2-1:tanh:sigmoid",
                             "--loss", "logloss", "--max-iter", "20")
    assert code in (0, 1), err
    assert "Traceback" not in err and "15 parameters" in out
