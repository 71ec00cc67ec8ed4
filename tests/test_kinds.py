"""Every kind of objective (``objective_kind`` in conftest.py) against the shared
oracles: its value against a NumPy formula written out here, its gradient and
Hessian against Richardson-extrapolated central differences, its exact
gradient (where it has a closed form) against mpmath, and a few descent steps."""

from __future__ import annotations

import numpy as np
import pytest

import symgd
from oracles import CARS_MPG, CARS_WEIGHT, KIND_NAMES, gradient, jacobian, mp_gradient


def cars_mse(p):
    w, b = p["w"], p["b"]
    return np.mean((w * CARS_WEIGHT + b - CARS_MPG) ** 2)


def logistic_loss(p, data):
    z = p["w1"] * data["x1"] + p["w2"] * data["x2"] + p["b"]
    return np.mean(np.logaddexp(0, z) - data["y"] * z)     # -y log σ(z) - (1-y) log(1-σ(z))


def network_mse(p, data):
    hidden = [np.tanh(p[f"W1_{k}1"] * data["x"] + p[f"b1_{k}"]) for k in (1, 2, 3)]
    out = sum(p[f"W2_1{k}"] * h for k, h in zip((1, 2, 3), hidden)) + p["b2_1"]
    return np.mean((out - data["y"]) ** 2)


# The value of each kind at a parameter dict, without symgd.
REFERENCES = {
    "expression": lambda p, data: p["x"] ** 2 + p["x"] * p["y"] + p["y"] ** 2,
    "quadratic data loss": lambda p, data: cars_mse(p),
    "row-by-row data loss": lambda p, data: cars_mse(p),
    "log-loss": logistic_loss,
    "network loss": network_mse,
}


def reference(kind):
    """The kind's value as a function of a float array, in NumPy."""
    obj = kind.objective
    data = None if obj.per_sample is None else {c: obj.data[col] for c, col in
                                                obj.columns.items()}
    return lambda theta: REFERENCES[kind.name](dict(zip(obj.names, theta)), data)


def assert_close(got, expected, rel):
    """Entries within ``rel`` relative to the entry or to the largest entry."""
    scale = np.abs(expected).max()
    np.testing.assert_allclose(got, expected, rtol=rel, atol=rel * scale)


def test_every_kind_has_a_reference():
    assert set(REFERENCES) == set(KIND_NAMES)


def test_the_kinds_are_what_they_say(objective_kind):
    name, obj, point = objective_kind
    assert point.shape == (obj.n,) and point.dtype == np.float64
    assert (obj.per_sample is None) == (name == "expression")
    if name == "row-by-row data loss":
        assert obj.real_expr is None
    if name in ("expression", "quadratic data loss"):
        assert obj.is_quadratic


def test_value_matches_numpy(objective_kind):
    _, obj, point = objective_kind
    value = obj.value(point)
    assert isinstance(value, float)
    assert value == pytest.approx(reference(objective_kind)(point), rel=1e-12)
    both = obj.value_and_grad(point)
    assert both[0] == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(both[1], obj.grad(point), rtol=1e-14, atol=0)


def test_gradient_matches_central_differences(objective_kind):
    _, obj, point = objective_kind
    got = obj.grad(point)
    assert got.shape == (obj.n,)
    assert_close(got, gradient(obj.value, point), rel=1e-6)
    assert_close(got, gradient(reference(objective_kind), point), rel=1e-6)


def test_hessian_matches_central_differences_of_the_gradient(objective_kind):
    _, obj, point = objective_kind
    got = obj.hess(point)
    assert got.shape == (obj.n, obj.n)
    assert_close(got, jacobian(obj.grad, point), rel=1e-4)
    np.testing.assert_allclose(got, got.T, rtol=1e-12, atol=1e-12)


def test_exact_gradient_matches_mpmath(objective_kind):
    _, obj, point = objective_kind
    if obj.real_expr is None:
        pytest.skip("evaluated row by row: no closed form in the parameters")
    mp = np.array([float(d) for d in mp_gradient(obj.real_expr, obj.real_symbols, point)])
    assert_close(obj.grad(point), mp, rel=1e-10)


def test_a_few_small_steps_lower_the_loss(objective_kind):
    _, obj, point = objective_kind
    res = symgd.descend(obj, point, lr=1e-3, max_iter=5, tol=None)
    assert res.nit == 5
    assert res.fun < obj.value(point)
    assert np.all(np.diff(res.history.loss) < 0)
