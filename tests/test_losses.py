"""Tests of data objectives: mse, sse, mae, log_loss, loss and linear_model.

Every number is checked against an independent oracle: the lessons' published
numbers, hand-written NumPy formulas and loops, ``numpy.linalg.lstsq`` and
finite differences.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp
from scipy.special import expit

import symgd
from symgd.objective import Compiled
from symgd.expr.parse import make_symbol
from symgd import (DataError, DataObjective, InputError, InputTypeError, ObjectiveError,
                   ParseError, descend)

from oracles import (CARS_MPG, CARS_WEIGHT, PIZZA_X, PIZZA_Y, cars_loss, gradient, jacobian,
                     pizza_loss)


def lstsq(design, y):
    return np.linalg.lstsq(design, y, rcond=None)[0]


def numpy_descent(grad, theta, lr, steps):
    """Plain fixed-step gradient descent, every iterate kept."""
    theta = np.array(theta, dtype=float)
    xs = [theta.copy()]
    for _ in range(steps):
        theta = theta - lr * grad(theta)
        xs.append(theta.copy())
    return np.array(xs)


def evaluate_display(expr, data, point):
    """Evaluate a displayed ``Sum(..., (i, 1, M))/M`` form on actual rows."""
    rows = len(next(iter(data.values())))
    bound = set()
    replace = {}
    for s in expr.atoms(sp.Sum):
        summand = s.function
        (_, lo, hi), = s.limits
        assert lo == 1
        bound.add(hi)
        total = 0.0
        for r in range(rows):
            row = {ix: sp.Float(data[ix.base.name][r]) for ix in summand.atoms(sp.Indexed)}
            term = summand.xreplace(row)
            term = term.xreplace({v: sp.Float(point[v.name]) for v in term.free_symbols})
            total += float(term)
        replace[s] = sp.Float(total)
    assert len(bound) == 1, "every sum runs to the same M"
    out = expr.xreplace(replace)
    out = out.xreplace({bound.pop(): rows})
    out = out.xreplace({v: sp.Float(point[v.name]) for v in out.free_symbols})
    return float(out)


# ===================================================================== car lesson

def test_builtin_cars_is_the_lesson_data():
    obj = cars_loss()
    assert obj.rows == 7
    np.testing.assert_array_equal(obj.data["weight"], CARS_WEIGHT)
    np.testing.assert_array_equal(obj.data["mpg"], CARS_MPG)
    assert obj.names == ("w", "b")
    assert isinstance(obj, DataObjective) and isinstance(obj, symgd.Objective)


def test_cars_gradient_and_loss_at_zero():
    obj = cars_loss()
    g = obj.grad([0, 0])
    np.testing.assert_array_equal(g.round(1), [-119.7, -34.3])
    x, y = CARS_WEIGHT, CARS_MPG
    np.testing.assert_allclose(g, [-2 * np.mean(x * y), -2 * np.mean(y)], rtol=1e-12)
    assert round(obj.value([0, 0]), 2) == 303.71
    assert obj.value([0, 0]) == pytest.approx(2126 / 7, rel=1e-13)
    value, grad = obj.value_and_grad([0, 0])
    assert value == obj.value([0, 0])
    np.testing.assert_array_equal(grad, g)


def test_cars_one_step():
    res = descend(cars_loss(), [0, 0], lr=0.01, max_iter=1)
    assert res.nit == 1
    np.testing.assert_array_equal(res.history.x[0], [0, 0])
    np.testing.assert_array_equal(res.history.x[1].round(3), [1.197, 0.343])
    x, y = CARS_WEIGHT, CARS_MPG
    np.testing.assert_allclose(res.x, [0.02 * np.mean(x * y), 0.02 * np.mean(y)],
                               rtol=1e-12)


def test_cars_descent_converges_to_lstsq():
    res = descend(cars_loss(), [0, 0], lr=0.01, tol=1e-9, max_iter=200000)
    assert res.success
    sol = lstsq(np.column_stack([CARS_WEIGHT, np.ones(7)]), CARS_MPG)
    np.testing.assert_allclose(res.x, sol, atol=1e-6, rtol=0)


def test_cars_least_squares_matches_lstsq():
    sol = lstsq(np.column_stack([CARS_WEIGHT, np.ones(7)]), CARS_MPG)
    np.testing.assert_allclose(cars_loss().least_squares(), sol, atol=1e-9, rtol=0)


def test_cars_via_columns_mapping_is_the_same_objective():
    a = cars_loss()
    b = symgd.mse("w*x + b", "cars", columns={"x": "weight", "y": "mpg"},
                  params=["w", "b"])
    for theta in ([0, 0], [1.5, -2.0], [-4.5, 33.6]):
        assert b.value(theta) == pytest.approx(a.value(theta), rel=1e-14)
        np.testing.assert_allclose(b.grad(theta), a.grad(theta), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(b.least_squares(), a.least_squares(), rtol=1e-12)
    assert b.columns == {"x": "weight", "y": "mpg"}


# =================================================================== pizza lesson

def test_builtin_pizza_is_the_lesson_data():
    obj = pizza_loss()
    assert obj.rows == 30
    np.testing.assert_array_equal(obj.data["Reservations"], PIZZA_X)
    np.testing.assert_array_equal(obj.data["Pizzas"], PIZZA_Y)


def test_pizza_published_losses_lr_0_005():
    # The book's solution notes: lr = 0.005 diverges, printing these losses.
    res = descend(pizza_loss(), [0, 0], lr=0.005, max_iter=2)
    printed = ["%.10f" % loss for loss in res.history.loss]
    assert printed == ["812.8666666667", "1131.8941261333", "1587.8389543973"]


def test_pizza_without_bias_matches_lesson_loop():
    X, Y = PIZZA_X, PIZZA_Y
    lr, iterations = 0.001, 100
    w, losses, ws = 0.0, [], []
    for _ in range(iterations + 1):
        ws.append(w)
        losses.append(np.average((X * w - Y) ** 2))
        w -= 2 * np.average(X * (X * w - Y)) * lr
    obj = pizza_loss(bias=False)
    assert obj.names == ("w",)
    res = descend(obj, [0], lr=lr, max_iter=iterations, tol=0)
    # w converges within 100 steps; the run may stop early once the gradient
    # is exactly 0 (tol=0), the lesson's loop keeps repeating the same w.
    rows = res.nit + 1
    assert res.nit == iterations or res.history.grad_norm[-1] == 0
    np.testing.assert_allclose(res.history.loss, losses[:rows], rtol=1e-12)
    np.testing.assert_allclose(res.history.x[:, 0], ws[:rows], rtol=1e-12)
    np.testing.assert_allclose(ws[rows:], res.x[0], rtol=1e-12)
    np.testing.assert_allclose(losses[rows:], res.fun, rtol=1e-12)


def test_pizza_with_bias_matches_lesson_loop():
    X, Y = PIZZA_X, PIZZA_Y
    lr, iterations = 0.001, 20000
    w = b = 0.0
    for _ in range(iterations):
        r = X * w + b - Y
        w_grad, b_grad = 2 * np.average(X * r), 2 * np.average(r)
        w, b = w - w_grad * lr, b - b_grad * lr
    res = descend(pizza_loss(params=["w", "b"]), [0, 0], lr=lr, max_iter=iterations, tol=0)
    assert res.nit == iterations or res.history.grad_norm[-1] == 0
    np.testing.assert_allclose(res.x, [w, b], rtol=1e-10)
    # and the lesson's answer is close to the least-squares line
    sol = lstsq(np.column_stack([X, np.ones_like(X)]), Y)
    np.testing.assert_allclose(res.x, sol, rtol=0.05)


# ===================================================== sufficient statistics vs rows

def _features(name, cols):
    if name == "line":
        return "w*x + b", ["x"], lambda c: np.column_stack([np.ones_like(c["x"]), c["x"]])
    if name == "quadratic":
        return ("a*x**2 + b*x + c", ["x"],
                lambda c: np.column_stack([c["x"] ** 2, c["x"], np.ones_like(c["x"])]))
    if name == "three":
        return ("w1*x1 + w2*x2 + w3*x3 + b", ["x1", "x2", "x3"],
                lambda c: np.column_stack([np.ones_like(c["x1"]), c["x1"], c["x2"], c["x3"]]))
    if name == "linear":
        return ("linear", ["x1", "x2", "x3"],
                lambda c: np.column_stack([c["x1"], c["x2"], c["x3"], np.ones_like(c["x1"])]))
    raise AssertionError(name)


@pytest.mark.parametrize("name", ["line", "quadratic", "three", "linear"])
def test_statistics_and_rows_give_the_same_iterates(name):
    rng = np.random.default_rng(11)
    n = 500
    data = {k: rng.normal(size=n) for k in ("x", "x1", "x2", "x3")}
    model, used, design = _features(name, data)
    data = {k: data[k] for k in used}
    Phi = design(data)
    data["y"] = Phi @ rng.normal(size=Phi.shape[1]) + 0.1 * rng.normal(size=n) + 0.5
    fast = symgd.mse(model, data)
    slow = symgd.mse(model, data, sufficient_statistics=False)
    assert fast.inlinable is True
    assert slow.inlinable is False
    assert fast.names == slow.names
    start = np.linspace(-1, 1, fast.n)
    a = descend(fast, start, lr=0.05, max_iter=200, tol=0)
    b = descend(slow, start, lr=0.05, max_iter=200, tol=0)
    assert a.nit == b.nit == 200
    scale = np.abs(b.history.x).max()
    np.testing.assert_allclose(a.history.x, b.history.x, rtol=1e-9, atol=1e-12 * scale)
    np.testing.assert_allclose(a.history.loss, b.history.loss, rtol=1e-9)
    # and both follow a hand-written NumPy loop
    y = data["y"]
    hand = numpy_descent(lambda t: 2 * Phi.T @ (Phi @ t - y) / n, start, 0.05, 200)
    np.testing.assert_allclose(b.history.x, hand, rtol=1e-9, atol=1e-12 * scale)
    np.testing.assert_allclose(
        a.history.loss, [np.mean((Phi @ t - y) ** 2) for t in hand], rtol=1e-9)


def test_statistics_for_a_quartic_loss_match_rows():
    # degree 4 in the parameters: the statistics are not expanded around a minimum
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 2, 300)
    y = 0.8 ** 2 * x - 0.3 + 0.05 * rng.normal(size=300)
    data = {"x": x, "y": y}
    fast = symgd.loss("(w^2*x + b - y)^2", data)
    slow = symgd.loss("(w^2*x + b - y)^2", data, sufficient_statistics=False)
    assert fast.inlinable and not slow.inlinable
    for theta in ([0.1, 0.5], [-0.3, 0.8], [2.0, -1.5]):
        b, w = theta
        r = w ** 2 * x + b - y
        assert fast.value(theta) == pytest.approx(np.mean(r ** 2), rel=1e-12)
        hand = [2 * np.mean(r), 4 * w * np.mean(r * x)]
        np.testing.assert_allclose(fast.grad(theta), hand, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(slow.grad(theta), hand, rtol=1e-10, atol=1e-13)
    a = descend(fast, [0.1, 0.5], lr=0.05, max_iter=200, tol=0)
    b = descend(slow, [0.1, 0.5], lr=0.05, max_iter=200, tol=0)
    np.testing.assert_allclose(a.history.x, b.history.x, rtol=1e-9)


def _offset_data(n=2000, seed=2):
    rng = np.random.default_rng(seed)
    x = 2000 + rng.uniform(-10, 10, n)
    y = 1e6 + 0.3 * (x - 2000) + rng.uniform(-5, 5, n)
    return x, y


@pytest.mark.parametrize("statistics", [True, False])
def test_large_offsets_descend_to_lstsq(statistics):
    x, y = _offset_data()
    obj = symgd.mse("w*(x - 2000) + b", {"x": x, "y": y},
                    sufficient_statistics=statistics)
    assert obj.inlinable is statistics
    start_norm = np.linalg.norm(obj.grad([0, 0]))
    assert start_norm > 1e6
    res = descend(obj, [0, 0], lr=0.01, max_iter=100000, tol=1e-6 * 1e-6 * start_norm)
    assert res.success, res.message
    assert res.history.grad_norm[-1] <= 1e-12 * start_norm
    sol = lstsq(np.column_stack([np.ones_like(x), x - 2000]), y)
    np.testing.assert_allclose(res.x, sol, rtol=1e-6)
    r = sol[0] + sol[1] * (x - 2000) - y
    assert obj.value(res.x) == pytest.approx(np.mean(r ** 2), rel=1e-9)


def test_large_offsets_raw_model_is_precise_near_the_optimum():
    # "w*x + b" with x ~ 2000: the statistics would cancel catastrophically if
    # expanded around 0 (y**2 ~ 1e12 while the loss is ~ 8).
    x, y = _offset_data()
    obj = symgd.mse("w*x + b", {"x": x, "y": y})
    assert obj.inlinable
    sol = lstsq(np.column_stack([np.ones_like(x), x]), y)
    for theta in (sol, sol + [1e-3, 0], sol + [0, 1e-6]):
        r = theta[0] + theta[1] * x - y
        assert obj.value(theta) == pytest.approx(np.mean(r ** 2), rel=1e-9)
        hand = np.array([2 * np.mean(r), 2 * np.mean(x * r)])
        scale = 2 * np.mean(np.abs(x * r))
        np.testing.assert_allclose(obj.grad(theta), hand, rtol=0, atol=1e-6 * scale)
    assert np.linalg.norm(obj.grad(sol)) <= 1e-6 * 2 * np.mean(np.abs(x * (sol[0] + sol[1] * x - y)))


def test_large_offsets_least_squares_matches_lstsq():
    x, y = _offset_data()
    obj = symgd.mse("w*x + b", {"x": x, "y": y})
    sol = lstsq(np.column_stack([np.ones_like(x), x]), y)
    np.testing.assert_allclose(obj.least_squares(), sol, rtol=1e-6)


# ======================================================================= log-loss

def _logistic_data(n=400, seed=7):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    z = X @ [1.5, -2.0] + 0.3
    y = (rng.random(n) < expit(z)).astype(float)
    return X, y, {"x1": X[:, 0], "x2": X[:, 1], "y": y}


def _hand_logloss(X, y, b, w):
    p = expit(X @ w + b)
    value = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    r = p - y
    return value, np.concatenate([[np.mean(r)], X.T @ r / len(y)])


@pytest.mark.parametrize("theta", [[0.0, 0.0, 0.0], [0.3, -0.7, 1.1], [-1.0, 2.0, -3.0]])
def test_log_loss_matches_numpy(theta):
    X, y, data = _logistic_data()
    obj = symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", data)
    assert obj.names == ("b", "w1", "w2")
    assert not obj.inlinable
    value, grad = _hand_logloss(X, y, theta[0], np.array(theta[1:]))
    assert obj.value(theta) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(obj.grad(theta), grad, rtol=1e-12, atol=1e-15)
    v2, g2 = obj.value_and_grad(theta)
    assert v2 == obj.value(theta)
    np.testing.assert_array_equal(g2, obj.grad(theta))


def test_log_loss_at_zero_is_log_2():
    _, _, data = _logistic_data()
    obj = symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", data)
    assert obj.value([0, 0, 0]) == pytest.approx(np.log(2), rel=1e-14)


@pytest.mark.parametrize("theta", [[0.0, 1000.0, 1000.0], [-1000.0, 1000.0, -1000.0],
                                   [500.0, -1000.0, 1000.0]])
def test_log_loss_is_finite_for_extreme_logits(theta):
    X, y, data = _logistic_data()
    obj = symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", data)
    value, grad = obj.value_and_grad(theta)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    z = X @ np.array(theta[1:]) + theta[0]
    stable = np.mean(np.logaddexp(0, z) - y * z)
    assert value == pytest.approx(stable, rel=1e-12)
    r = expit(z) - y
    np.testing.assert_allclose(grad, [np.mean(r), *(X.T @ r / len(y))], rtol=1e-12,
                               atol=1e-15)


def test_log_loss_gradient_and_hessian_match_finite_differences():
    X, y, data = _logistic_data()
    obj = symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", data)
    theta = np.array([0.2, 0.9, -1.3])
    np.testing.assert_allclose(obj.grad(theta), gradient(obj.value, theta),
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(obj.hess(theta), jacobian(obj.grad, theta),
                               rtol=1e-5, atol=1e-8)
    # textbook Hessian: Phi^T diag(p (1 - p)) Phi / N
    Phi = np.column_stack([np.ones(len(y)), X])
    p = expit(Phi @ theta)
    np.testing.assert_allclose(obj.hess(theta), Phi.T @ (Phi * (p * (1 - p))[:, None]) / len(y),
                               rtol=1e-12, atol=1e-15)


def test_log_loss_descent_finds_the_logistic_fit():
    X, y, data = _logistic_data()
    obj = symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", data)
    res = descend(obj, [0, 0, 0], lr=1.0, max_iter=5000, tol=1e-8)
    assert res.success, res.message
    # the optimum satisfies X^T (p - y) = 0, checked by hand
    _, grad = _hand_logloss(X, y, res.x[0], res.x[1:])
    assert np.linalg.norm(grad) < 1e-7


@pytest.mark.parametrize("labels", [[0.0, 1.0, 2.0, 1.0], [-1.0, 1.0, 0.0, 1.0],
                                    [0.0, 1.0, 1.0001, 0.0]])
def test_log_loss_rejects_labels_outside_unit_interval(labels):
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        symgd.log_loss("sigmoid(w*x + b)", {"x": [1.0, 2.0, 3.0, 4.0], "y": labels})


def test_log_loss_accepts_probability_labels():
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    y = np.array([0.1, 0.5, 0.7, 1.0])
    obj = symgd.log_loss("sigmoid(w*x + b)", {"x": x, "y": y})
    b, w = 0.2, 0.4
    p = expit(w * x + b)
    assert obj.value([b, w]) == pytest.approx(
        -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-12)


def test_log_loss_displays_the_textbook_gradient():
    _, _, data = _logistic_data()
    obj = symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", data)
    for g in obj.gradient:
        text = str(g)
        assert "sigmoid" in text and "- y[i]" in text
        assert "log" not in text and "exp" not in text
        assert text.endswith("/M")
    assert "x1[i]" in str(obj.gradient[1]) and "x2[i]" in str(obj.gradient[2])
    # the displayed gradient evaluates to the numbers
    small = {k: v[:6] for k, v in data.items()}
    obj = symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", small)
    point = {"b": 0.1, "w1": -0.4, "w2": 0.8}
    for g, value in zip(obj.gradient, obj.grad(list(point.values()))):
        assert evaluate_display(g, small, point) == pytest.approx(value, rel=1e-10)
    # the displayed loss is the cross-entropy
    assert "log" in str(obj.expr)
    assert evaluate_display(obj.expr, small, point) == pytest.approx(
        obj.value(list(point.values())), rel=1e-10)


def test_log_loss_with_a_non_sigmoid_probability_model():
    rng = np.random.default_rng(9)
    x = rng.uniform(0.1, 3.0, 300)
    y = (rng.random(300) < np.exp(-0.7 * x)).astype(float)
    obj = symgd.log_loss("exp(-w*x)", {"x": x, "y": y})
    assert obj.names == ("w",)
    for w in (0.3, 0.7, 1.5):
        p = np.exp(-w * x)
        value = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        grad = np.mean(y * x - (1 - y) * x * p / (1 - p))
        assert obj.value([w]) == pytest.approx(value, rel=1e-12)
        assert obj.grad([w])[0] == pytest.approx(grad, rel=1e-10)
        assert obj.grad([w])[0] == pytest.approx(
            gradient(obj.value, [w])[0], rel=1e-6)
    res = descend(obj, [0.3], lr=0.5, max_iter=2000, tol=1e-10)
    assert res.success, res.message
    p = np.exp(-res.x[0] * x)
    assert abs(np.mean(y * x - (1 - y) * x * p / (1 - p))) < 1e-9


# ============================================================================ MAE

def test_mae_matches_numpy():
    rng = np.random.default_rng(4)
    x = rng.normal(size=200)
    y = 2 * x + 1 + rng.normal(size=200)
    obj = symgd.mae("w*x + b", {"x": x, "y": y})
    assert not obj.inlinable
    for b, w in ([0.0, 0.0], [1.0, 2.0], [-0.5, 3.5]):
        r = w * x + b - y
        assert obj.value([b, w]) == pytest.approx(np.mean(np.abs(r)), rel=1e-13)
        np.testing.assert_allclose(obj.grad([b, w]),
                                   [np.mean(np.sign(r)), np.mean(np.sign(r) * x)],
                                   rtol=1e-13, atol=1e-15)


def test_mae_subgradient_is_zero_where_residuals_are_zero():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    obj = symgd.mae("w*x + b", {"x": x, "y": 2 * x})
    assert obj.value([0, 2]) == 0.0
    np.testing.assert_array_equal(obj.grad([0, 2]), [0.0, 0.0])
    # some residuals zero, one not: sign(0) = 0 for those rows
    obj = symgd.mae("w*x + b", {"x": x, "y": [2.0, 4.0, 6.0, 9.0]})
    r = 2 * x - [2.0, 4.0, 6.0, 9.0]
    assert obj.value([0, 2]) == pytest.approx(np.mean(np.abs(r)))
    np.testing.assert_allclose(obj.grad([0, 2]), [np.mean(np.sign(r)),
                                                  np.mean(np.sign(r) * x)])
    np.testing.assert_allclose(obj.grad([0, 2]), [-0.25, -1.0])


def test_mae_hessian_drops_dirac_delta():
    # Objective documents: a kink such as abs at 0 contributes nothing to the Hessian
    assert symgd.Objective("abs(x - 1)").hess([0.0]).tolist() == [[0.0]]
    obj = symgd.mae("w*x + b", {"x": [1.0, 2.0, 3.0], "y": [1.0, 3.0, 2.0]})
    np.testing.assert_array_equal(obj.hess([0.1, 0.2]), np.zeros((2, 2)))


# =============================================================== sums and custom

def _line_data(n=50, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return {"x": x, "y": 1.5 * x - 0.5 + 0.3 * rng.normal(size=n)}


@pytest.mark.parametrize("statistics", [True, False])
def test_sum_reduction_and_sse_are_m_times_mse(statistics):
    data = _line_data()
    m = len(data["x"])
    mean = symgd.mse("w*x + b", data, sufficient_statistics=statistics)
    total = symgd.loss("(w*x + b - y)^2", data, reduce="sum",
                       sufficient_statistics=statistics)
    sse = symgd.sse("w*x + b", data, sufficient_statistics=statistics)
    averaged = symgd.loss("(w*x + b - y)^2", data, sufficient_statistics=statistics)
    assert total.reduce == sse.reduce == "sum" and mean.reduce == "mean"
    for theta in ([0, 0], [0.3, -1.2], [-0.5, 1.5]):
        b, w = theta
        hand = np.sum((w * data["x"] + b - data["y"]) ** 2)
        for obj in (total, sse):
            assert obj.value(theta) == pytest.approx(m * mean.value(theta), rel=1e-12)
            assert obj.value(theta) == pytest.approx(hand, rel=1e-12)
            np.testing.assert_allclose(obj.grad(theta), m * mean.grad(theta), rtol=1e-12,
                                       atol=1e-12)
            np.testing.assert_allclose(obj.hess(theta), m * mean.hess(theta), rtol=1e-12)
        assert averaged.value(theta) == pytest.approx(mean.value(theta), rel=1e-13)


def test_log_cosh_loss_matches_numpy_and_finite_differences():
    data = _line_data(200)
    x, y = data["x"], data["y"]
    obj = symgd.loss("log(cosh(w*x + b - y))", data)
    assert obj.names == ("b", "w") and not obj.inlinable
    for theta in ([0.3, 1.2], [-0.5, 1.5], [2.0, -3.0]):
        b, w = theta
        r = w * x + b - y
        assert obj.value(theta) == pytest.approx(np.mean(np.log(np.cosh(r))), rel=1e-12)
        hand = [np.mean(np.tanh(r)), np.mean(np.tanh(r) * x)]
        np.testing.assert_allclose(obj.grad(theta), hand, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(obj.grad(theta), gradient(obj.value, theta),
                                   rtol=1e-6, atol=1e-9)
        # hess() against finite differences of grad() and the hand formula
        H = obj.hess(theta)
        np.testing.assert_allclose(H, jacobian(obj.grad, theta), rtol=1e-6,
                                   atol=1e-9)
        s = 1 - np.tanh(r) ** 2
        np.testing.assert_allclose(H, [[np.mean(s), np.mean(s * x)],
                                       [np.mean(s * x), np.mean(s * x * x)]], rtol=1e-10)
        np.testing.assert_array_equal(H, H.T)
    res = descend(obj, [0, 0], lr=0.5, max_iter=5000, tol=1e-10)
    assert res.success
    r = res.x[1] * x + res.x[0] - y
    assert abs(np.mean(np.tanh(r))) < 1e-10 and abs(np.mean(np.tanh(r) * x)) < 1e-10


def test_mse_hessian_is_constant_and_matches_design():
    data = _line_data()
    obj = symgd.mse("w*x + b", data)
    Phi = np.column_stack([np.ones_like(data["x"]), data["x"]])
    for theta in ([0, 0], [5, -7]):
        np.testing.assert_allclose(obj.hess(theta), 2 * Phi.T @ Phi / len(Phi), rtol=1e-12)
    np.testing.assert_allclose(obj.least_squares(), lstsq(Phi, data["y"]), rtol=1e-10)


def test_least_squares_refuses_non_quadratic_losses():
    data = _line_data()
    with pytest.raises(ObjectiveError, match="quadratic"):
        symgd.loss("log(cosh(w*x + b - y))", data).least_squares()


def test_per_sample_forms():
    obj = symgd.mse("w*x + b", _line_data())
    b, w, x, y = sp.symbols("b w x y", real=True)
    assert sp.simplify(obj.per_sample - (w * x + b - y) ** 2) == 0
    expected = (2 * (w * x + b - y), 2 * x * (w * x + b - y))
    for got, want in zip(obj.per_sample_gradient, expected):
        assert sp.simplify(got - want) == 0
    assert sp.simplify(obj.model - (w * x + b)) == 0


# ======================================================================== display

def test_mse_gradient_display_is_two_sum_over_m():
    data = {"x": np.array([1.0, 2.0, 4.0]), "y": np.array([1.0, 3.0, 2.0])}
    obj = symgd.mse("w*x + b", data)
    M = next(s for s in obj.expr.free_symbols if s.name == "M")
    for g in obj.gradient:
        coeff, rest = g.as_coeff_Mul()
        assert coeff == 2
        sums = list(rest.atoms(sp.Sum))
        assert len(sums) == 1
        assert sp.simplify(rest - sums[0] / M) == 0
        assert sums[0].limits[0][1:] == (1, M)
        text = str(g)
        assert "Sum" in text and text.endswith("/M")
    assert "x[i]" in str(obj.gradient[1])
    # expr is a Sum divided by M
    coeff, rest = obj.expr.as_coeff_Mul()
    assert coeff == 1 and isinstance(rest, sp.Mul)
    assert set(type(a) for a in rest.args) == {sp.Sum, sp.Pow}
    assert str(obj.expr) == "Sum((b + w*x[i] - y[i])**2, (i, 1, M))/M"
    assert str(obj) == "L = Sum((b + w*x[i] - y[i])**2, (i, 1, M))/M"
    point = {"b": 0.25, "w": -0.5}
    theta = [point["b"], point["w"]]
    assert evaluate_display(obj.expr, data, point) == pytest.approx(obj.value(theta))
    for g, value in zip(obj.gradient, obj.grad(theta)):
        assert evaluate_display(g, data, point) == pytest.approx(value)
    H = obj.hessian
    for i in range(2):
        for j in range(2):
            assert evaluate_display(H[i, j], data, point) == pytest.approx(
                obj.hess(theta)[i, j])


def test_sum_reduction_display_has_no_division():
    data = {"x": np.array([1.0, 2.0, 4.0]), "y": np.array([1.0, 3.0, 2.0])}
    for obj in (symgd.loss("(w*x + b - y)^2", data, reduce="sum"),
                symgd.sse("w*x + b", data)):
        assert "/M" not in str(obj.expr)
        assert isinstance(obj.expr, sp.Sum)
        for g in obj.gradient:
            assert "/M" not in str(g) and "Sum" in str(g)
        point = {"b": 0.25, "w": -0.5}
        assert evaluate_display(obj.expr, data, point) == pytest.approx(
            obj.value([0.25, -0.5]))


@pytest.mark.parametrize("model, data, point, index, count", [
    ("M*x + b", {"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0]}, {"M": 0.5, "b": 0.1}, "i", "N"),
    ("w*i + b", {"i": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0]}, {"w": 0.5, "b": 0.1}, "k", "M"),
    ("M*i + N", {"i": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0]}, {"M": 0.5, "N": 0.1}, "k", "m"),
])
def test_display_avoids_names_in_use(model, data, point, index, count):
    obj = symgd.mse(model, data)
    theta = [point[n] for n in obj.names]
    for form, value in [(obj.expr, obj.value(theta)),
                        *zip(obj.gradient, obj.grad(theta))]:
        (s,) = form.atoms(sp.Sum)
        i, lo, hi = s.limits[0]
        assert (i.name, lo, hi.name) == (index, 1, count)
        assert evaluate_display(form, data, point) == pytest.approx(value, rel=1e-12)
    assert str(obj).startswith("L = ")
    assert "mean over 3 rows" in repr(obj)


@pytest.mark.parametrize("model, data", [
    ("M*x + N*m", {"x": [1.0, 2.0, 3.0], "m": [0.0, 1.0, 5.0], "y": [1.0, 2.0, 4.0]}),
    ("a*i + b*k + c*j + d*n",
     {"i": [1.0, 2.0, 3.0], "k": [3.0, 1.0, 2.0], "j": [0.0, 5.0, 1.0],
      "n": [1.0, 4.0, 3.0], "y": [1.0, 2.0, 4.0]}),
])
def test_display_when_every_preferred_name_is_taken(model, data):
    obj = symgd.mse(model, data)
    theta = np.linspace(0.1, 0.5, obj.n)
    point = dict(zip(obj.names, theta))
    assert evaluate_display(obj.expr, data, point) == pytest.approx(obj.value(theta))


# ======================================================== parameters and columns

def test_default_parameter_order_is_by_name():
    data = _line_data()
    assert symgd.mse("w*x + b", data).names == ("b", "w")
    assert symgd.mse("b + w*x", data).names == ("b", "w")
    assert symgd.mse("w10*x + w2*x**2 + a", data).names == ("a", "w2", "w10")


def test_params_order_is_respected():
    data = _line_data()
    a = symgd.mse("w*x + b", data, params=["w", "b"])
    b = symgd.mse("w*x + b", data)
    assert a.names == ("w", "b")
    np.testing.assert_allclose(a.grad([1.5, -0.5]), b.grad([-0.5, 1.5])[::-1], rtol=1e-13)
    assert a.value({"w": 1.5, "b": -0.5}) == pytest.approx(b.value([-0.5, 1.5]))


def test_column_named_like_a_parameter_can_be_made_a_parameter():
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([1.0, 2.0, 4.0])
    data = {"x": x, "w": np.array([5.0, 6.0, 7.0]), "y": y}
    # by default w is the data column
    assert symgd.mse("w*x + b", data).names == ("b",)
    obj = symgd.mse("w*x + b", data, params=["w", "b"])
    assert obj.names == ("w", "b")
    assert set(obj.columns) == {"x", "y"}
    for w, b in ([1.0, 0.0], [0.5, 0.2]):
        assert obj.value([w, b]) == pytest.approx(np.mean((w * x + b - y) ** 2))


def test_linear_shorthand_over_all_columns():
    rng = np.random.default_rng(8)
    A = rng.normal(size=(60, 4))
    obj = symgd.mse("linear", A, names=["x1", "x2", "x3", "y"])
    assert obj.names == ("w1", "w2", "w3", "b")
    w1, w2, w3, b, x1, x2, x3 = sp.symbols("w1 w2 w3 b x1 x2 x3", real=True)
    assert sp.simplify(obj.model - (w1 * x1 + w2 * x2 + w3 * x3 + b)) == 0
    Phi = np.column_stack([A[:, :3], np.ones(60)])
    np.testing.assert_allclose(obj.least_squares(), lstsq(Phi, A[:, 3]), rtol=1e-10)
    theta = [0.1, -0.2, 0.3, 0.4]
    assert obj.value(theta) == pytest.approx(np.mean((Phi @ theta - A[:, 3]) ** 2),
                                             rel=1e-12)
    # the same with an explicit model and the same parameter order
    explicit = symgd.mse("w1*x1 + w2*x2 + w3*x3 + b", A, names=["x1", "x2", "x3", "y"],
                         params=["w1", "w2", "w3", "b"])
    np.testing.assert_allclose(obj.grad(theta), explicit.grad(theta), rtol=1e-12)


def test_linear_shorthand_with_chosen_columns():
    rng = np.random.default_rng(8)
    A = rng.normal(size=(60, 4))
    for text in ("linear:x1,x3", "linear: x1 , x3"):
        obj = symgd.mse(text, A, names=["x1", "x2", "x3", "y"])
        assert obj.names == ("w1", "w3", "b")      # each weight numbered like its feature
        w1, w3, x1, x3, b = map(make_symbol, ("w1", "w3", "x1", "x3", "b"))
        assert obj.model == w1 * x1 + w3 * x3 + b
        assert set(obj.columns) == {"x1", "x3", "y"}
        Phi = np.column_stack([A[:, 0], A[:, 2], np.ones(60)])
        np.testing.assert_allclose(obj.least_squares(), lstsq(Phi, A[:, 3]), rtol=1e-10)


def test_linear_shorthand_with_another_target_and_mapping():
    rng = np.random.default_rng(8)
    A = rng.normal(size=(40, 3))
    obj = symgd.mse("linear", A, names=["a", "c", "t"], target="t")
    assert obj.names == ("w1", "w2", "b")
    Phi = np.column_stack([A[:, :2], np.ones(40)])
    np.testing.assert_allclose(obj.least_squares(), lstsq(Phi, A[:, 2]), rtol=1e-10)
    pz = symgd.mse("linear", "pizza", columns={"y": "Pizzas"})
    assert pz.names == ("w1", "b")
    np.testing.assert_allclose(
        pz.least_squares(), lstsq(np.column_stack([PIZZA_X, np.ones(30)]), PIZZA_Y),
        rtol=1e-10)


def test_linear_shorthand_unknown_column():
    A = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(DataError, match="x9"):
        symgd.mse("linear:x1,x9", A, names=["x1", "x2", "y"])


def test_linear_model_builder():
    w1, w2, b, x1, x2, a1, weight = sp.symbols("w1 w2 b x1 x2 a1 weight", real=True)
    assert symgd.linear_model(["x1", "x2"]) == w1 * x1 + w2 * x2 + b
    assert symgd.linear_model(["weight"], bias=None, weights="a") == a1 * weight
    with pytest.raises(InputError):
        symgd.linear_model([])
    obj = symgd.mse(symgd.linear_model(["weight"]), "cars", target="mpg")
    assert obj.names == ("b", "w1")
    np.testing.assert_allclose(obj.least_squares()[::-1], cars_loss().least_squares(),
                               rtol=1e-12)


def test_multi_feature_two_d_array_with_names():
    rng = np.random.default_rng(12)
    X = rng.normal(size=(300, 3))
    y = X @ [1.0, -2.0, 0.5] + 3.0 + 0.01 * rng.normal(size=300)
    A = np.column_stack([X, y])
    obj = symgd.mse("a*p + c*q + d*r + k", A, names=["p", "q", "r", "y"])
    assert obj.names == ("a", "c", "d", "k")
    Phi = np.column_stack([X, np.ones(300)])
    sol = lstsq(Phi, y)
    np.testing.assert_allclose(obj.least_squares(), sol, rtol=1e-10)
    res = descend(obj, np.zeros(4), lr=0.2, max_iter=20000, tol=1e-10)
    assert res.success
    np.testing.assert_allclose(res.x, sol, rtol=1e-8, atol=1e-10)


def test_data_from_a_file(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1,2\n2,4.5\n3,5.5\n4,8\n")
    obj = symgd.mse("w*x + b", path)
    x = np.array([1.0, 2, 3, 4])
    y = np.array([2, 4.5, 5.5, 8])
    np.testing.assert_allclose(obj.least_squares(),
                               lstsq(np.column_stack([np.ones(4), x]), y), rtol=1e-12)
    assert symgd.mse("w*x + b", str(path)).value([1, 2]) == pytest.approx(
        np.mean((2 * x + 1 - y) ** 2))


def test_constants_are_substituted():
    data = _line_data()
    obj = symgd.mse("a*x + b", data, constants={"a": 2})
    assert obj.names == ("b",)
    assert obj.value([0.5]) == pytest.approx(np.mean((2 * data["x"] + 0.5 - data["y"]) ** 2))


def test_sympy_model():
    w, b, x = sp.symbols("w b x")  # plain symbols, no assumptions
    data = _line_data()
    a = symgd.mse(w * x + b, data)
    c = symgd.mse("w*x + b", data)
    assert a.names == c.names
    np.testing.assert_allclose(a.grad([0.3, 0.4]), c.grad([0.3, 0.4]), rtol=1e-14)


# ========================================================================== errors

def test_missing_target_message():
    with pytest.raises(DataError) as err:
        symgd.mse("w*x + b", {"x": [1.0, 2.0], "z": [1.0, 2.0]})
    msg = str(err.value)
    assert "'y'" in msg and "x, z" in msg and "target=" in msg and "columns=" in msg
    # the car data's target is mpg: forgetting target= says so
    with pytest.raises(DataError, match="weight, mpg"):
        symgd.mse("w*weight + b", "cars")


def test_columns_mapping_to_a_missing_column():
    with pytest.raises(DataError, match="'q'.*x, y"):
        symgd.mse("w*x + b", {"x": [1.0, 2.0], "y": [1.0, 2.0]}, columns={"x": "q"})
    with pytest.raises(DataError, match="Pizza"):
        symgd.mse("w*x + b", "pizza", columns={"x": "Reservations", "y": "Pizza"})


def test_columns_must_be_a_mapping():
    with pytest.raises(InputTypeError):
        symgd.mse("w*x + b", {"x": [1.0, 2.0], "y": [1.0, 2.0]}, columns=[("x", "x")])


def test_model_without_data_column():
    with pytest.raises(DataError, match="no data column"):
        symgd.mse("w + b", {"x": [1.0, 2.0], "y": [1.0, 2.0]})


def test_model_using_the_target():
    with pytest.raises(ObjectiveError, match="target 'y'"):
        symgd.mse("w*x + b*y", {"x": [1.0, 2.0], "y": [1.0, 2.0]})
    with pytest.raises(ObjectiveError, match="target 'mpg'"):
        symgd.mse("w*weight + mpg", "cars", target="mpg")


def test_unknown_symbol():
    with pytest.raises(DataError, match="'q' is neither a parameter nor a column"):
        symgd.mse("w*x + b*q", {"x": [1.0, 2.0], "y": [1.0, 2.0]}, params=["w", "b"])
    with pytest.raises(DataError, match="'b' is neither"):
        symgd.mse("w*x + b", {"x": [1.0, 2.0], "y": [1.0, 2.0]}, params=["w"])


@pytest.mark.parametrize("build", [
    pytest.param(lambda d: symgd.mse("w*q + b", d, columns={"q": "x"}), id="mapped"),
    pytest.param(lambda d: symgd.mse("w*x + b", d), id="unmapped-mse"),
    pytest.param(lambda d: symgd.mae("w*x + b", d), id="unmapped-mae"),
    pytest.param(lambda d: symgd.mse("linear", d), id="linear"),
])
def test_constant_feature_column(build):
    data = {"x": np.ones(5), "y": np.arange(5.0)}
    with pytest.raises(DataError, match="'x'.*constant"):
        build(data)


def test_reduce_must_be_mean_or_sum():
    with pytest.raises(InputError, match="median"):
        symgd.loss("(w*x + b - y)^2", {"x": [1.0, 3.0], "y": [1.0, 2.0]}, reduce="median")


@pytest.mark.parametrize("model", [42, 1.5, ["w*x"], None])
def test_model_must_be_text_or_sympy(model):
    with pytest.raises(InputTypeError):
        symgd.mse(model, {"x": [1.0, 3.0], "y": [1.0, 2.0]})
    with pytest.raises(InputTypeError):
        symgd.loss(model, {"x": [1.0, 3.0], "y": [1.0, 2.0]})


@pytest.mark.parametrize("text", ["w*x +", "w*(x + b", "w x ) b", "w*x + + * b"])
def test_bad_model_text(text):
    with pytest.raises(ParseError):
        symgd.mse(text, {"x": [1.0, 3.0], "y": [1.0, 2.0]})


def test_duplicate_params():
    with pytest.raises(InputError, match="twice"):
        symgd.mse("w*x + b", {"x": [1.0, 3.0], "y": [1.0, 2.0]}, params=["w", "b", "w"])


def test_errors_are_value_errors():
    # callers can catch ValueError
    with pytest.raises(ValueError):
        symgd.mse("w*x + b", {"x": [1.0, 2.0]})
    with pytest.raises(ValueError):
        symgd.loss("(w*x + b - y)^2", {"x": [1.0, 3.0], "y": [1.0, 2.0]}, reduce="max")


# ================================================================ no modification

def _builders():
    return [
        lambda d, **kw: symgd.mse("w*x1 + v*x2 + b", d, **kw),
        lambda d, **kw: symgd.mse("w*x1 + v*x2 + b", d, sufficient_statistics=False, **kw),
        lambda d, **kw: symgd.mae("w*x1 + v*x2 + b", d, **kw),
        lambda d, **kw: symgd.log_loss("sigmoid(w*x1 + v*x2 + b)", d, target="t", **kw),
        lambda d, **kw: symgd.loss("log(cosh(w*x1 + v*x2 + b - y))", d, **kw),
    ]


@pytest.mark.parametrize("k", range(5))
@pytest.mark.parametrize("readonly", [False, True])
def test_user_arrays_are_not_modified(k, readonly):
    rng = np.random.default_rng(k)
    n = 100
    arrays = {"x1": rng.normal(size=n), "x2": rng.normal(size=n),
              "y": rng.normal(size=n), "t": (rng.random(n) < 0.5).astype(float),
              "i": rng.integers(0, 5, n)}  # an int column, converted
    # a strided view too
    base = rng.normal(size=2 * n)
    arrays["x2"] = base[::2]
    if readonly:
        for a in arrays.values():
            a.flags.writeable = False
    copies = {key: a.copy() for key, a in arrays.items()}
    flags = {key: a.flags.writeable for key, a in arrays.items()}
    base_copy = base.copy()
    obj = _builders()[k](arrays)
    theta = np.linspace(-0.5, 0.5, obj.n)
    obj.value(theta)
    obj.grad(theta)
    if k != 2:  # mae: see test_mae_hessian_drops_dirac_delta
        obj.hess(theta)
    descend(obj, theta, lr=0.01, max_iter=50)
    str(obj.expr), obj.gradient
    for key, a in arrays.items():
        np.testing.assert_array_equal(a, copies[key])
        assert a.flags.writeable == flags[key]
    np.testing.assert_array_equal(base, base_copy)


def test_two_d_array_is_not_modified():
    rng = np.random.default_rng(3)
    A = rng.normal(size=(80, 3))
    A_copy = A.copy()
    obj = symgd.mse("linear", A, names=["x1", "x2", "y"])
    obj.least_squares()
    descend(obj, [0, 0, 0], lr=0.1, max_iter=100)
    symgd.mse("linear", A, names=["x1", "x2", "y"], sufficient_statistics=False)
    np.testing.assert_array_equal(A, A_copy)
    assert A.flags.writeable


def test_objective_data_is_read_only():
    x = np.array([1.0, 2.0, 3.0])
    obj = symgd.mse("w*x + b", {"x": x, "y": [1.0, 2.0, 2.5]})
    with pytest.raises(ValueError):
        obj.data["x"][0] = 5.0
    assert x.flags.writeable


def test_hand_written_logistic_is_read_as_sigmoid():
    rng = np.random.default_rng(3)
    x = rng.normal(size=50)
    d = {"x": x, "y": (x > 0).astype(float)}
    plain = symgd.log_loss("1/(1 + exp(-(w*x + b)))", d)
    named = symgd.log_loss("sigmoid(w*x + b)", d)
    for theta in ([0.3, -0.2], [1000.0, 1000.0]):
        assert np.isfinite(plain.value(theta))
        assert plain.value(theta) == pytest.approx(named.value(theta), rel=1e-12)
        np.testing.assert_allclose(plain.grad(theta), named.grad(theta), rtol=1e-12)


def test_a_listed_parameter_missing_from_the_model_is_an_error():
    with pytest.raises(InputError, match="'b' does not appear"):
        symgd.mse("w*x", {"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 2.5]}, params=["w", "b"])


# ----------------------------------------------------- malformed options

SMALL = {"x": [1.0, 2.0, 3.0, 4.0], "y": [2.1, 3.9, 6.2, 7.8]}


@pytest.mark.parametrize("column", [["y"], {"y": 1}, np.array(["y"]), ("y",), 5, None])
def test_a_column_map_value_must_be_a_column_name(column):
    with pytest.raises(DataError) as info:
        symgd.mse("w*x + b", SMALL, columns={"x": column})
    msg = str(info.value)
    assert "columns" in msg and "column name (a string)" in msg
    assert "'x'" in msg and len(msg) < 400


@pytest.mark.parametrize("columns", ["x=y", [("x", "y")], 5])
def test_a_column_map_must_be_a_mapping(columns):
    with pytest.raises(InputTypeError, match="columns must map symbols to column names"):
        symgd.mse("w*x + b", SMALL, columns=columns)


@pytest.mark.parametrize("params", [5, 3.5, b"wb", {"w": 1}, object()])
@pytest.mark.parametrize("build", [
    lambda p: symgd.mse("w*x + b", SMALL, params=p),
    lambda p: symgd.loss("(w*x + b - y)^2", SMALL, params=p),
    lambda p: symgd.mse("linear:x", SMALL, params=p),
], ids=["mse", "loss", "linear"])
def test_params_must_be_a_list_of_names(params, build):
    with pytest.raises(InputTypeError, match="params must be the parameter names"):
        build(params)


def test_params_may_be_one_string_or_any_iterable():
    assert symgd.mse("w*x + b", SMALL, params="b, w").names == ("b", "w")
    assert symgd.mse("w*x + b", SMALL, params=iter(["b", "w"])).names == ("b", "w")
    assert symgd.loss("(w*x + b - y)^2", SMALL,
                      params=(p for p in ["w", "b"])).names == ("w", "b")


def test_messages_list_only_the_first_columns():
    wide = {f"c{i}": np.arange(3.0) + i for i in range(10_000)}
    for call in (lambda: symgd.mse("w*c1 + b", wide),                       # no target y
                 lambda: symgd.mse("w*c1 + b", wide, target="c0", columns={"x": "nope"}),
                 lambda: symgd.mse("w*nope + b", wide, target="c0")):
        with pytest.raises(DataError) as info:
            call()
        msg = str(info.value)
        assert "c0, c1, c2" in msg and "(10000 columns in all)" in msg
        assert "c9999" not in msg and len(msg) < 500


# ------------------------------------------------ values near float max

@pytest.mark.parametrize("model", ["w*x + b", "w*x^2 + b", "a*x + c*x^2 + b"])
def test_values_whose_squares_overflow_are_a_data_error(model, tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("x y\n1e308 1\n-1e308 2\n3 3\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataError) as info:
            symgd.mse(model, path)
    msg = str(info.value)
    assert "too large" in msg and "'x'" in msg and "rescale" in msg
    assert "overflow float64" in msg


def test_an_overflowing_target_and_a_general_quadratic_are_data_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataError, match="column 'y' reaches 1e\\+300.*rescale"):
            symgd.mse("w*x + b", {"x": [1.0, 2.0, 3.0], "y": [1e300, -1e300, 1.0]})
        # not a square of a linear form: the statistics route of general quadratics
        with pytest.raises(DataError, match="too large"):
            symgd.loss("(w*x - y)^2 + w^2*x^2", {"x": [1e200, 2.0], "y": [1.0, 2.0]})


def test_large_but_representable_values_give_a_finite_objective():
    x = np.array([1e150, -1e150, 3e149, 2e149])
    y = 2.0 * x / 1e150 + 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        obj = symgd.mse("w*x + b", {"x": x, "y": y})
        theta = {"w": 2.0 / 1e150, "b": 1.0}
        assert obj.value(theta) == pytest.approx(0.0, abs=1e-6)
        assert np.isfinite(obj.value([0.0, 0.0])) and np.isfinite(obj.grad([0.0, 0.0])).all()


# ----------------------------------------------- the linear model at scale

def _wide_data(p: int, rows: int = 40, seed: int = 5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, p))
    y = X @ rng.normal(size=p) + 0.5 + 0.1 * rng.normal(size=rows)
    data = {f"c{j}": X[:, j - 1] for j in range(1, p + 1)}
    data["c0"] = y
    return X, y, data


def test_linear_model_of_100_features_matches_numpy_least_squares():
    X, y, data = _wide_data(100, rows=150)
    obj = symgd.mse("linear", data, target="c0")
    assert obj.names == (*(f"w{j}" for j in range(1, 101)), "b")
    assert obj.is_quadratic and obj.inlinable
    rows = len(y)
    A = np.column_stack([X, np.ones(rows)])
    rng = np.random.default_rng(8)
    for theta in (np.zeros(101), rng.normal(size=101)):
        r = A @ theta - y
        np.testing.assert_allclose(obj.grad(theta), 2 / rows * (A.T @ r),
                                   rtol=1e-9, atol=1e-10)
        assert obj.value(theta) == pytest.approx(r @ r / rows, rel=1e-10)
    np.testing.assert_allclose(obj.hess(np.zeros(101)), 2 / rows * (A.T @ A),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(obj.least_squares(), lstsq(A, y), rtol=1e-8, atol=1e-10)
    # many points at once agree with one point at a time
    points = rng.normal(size=(101, 3))
    many = obj.compiled.at_array(list(points))
    for k in range(3):
        one = obj.compiled.at(points[:, k])
        np.testing.assert_allclose([v[k] for v in many], one, rtol=1e-12, atol=1e-12)
    res = descend(obj, np.zeros(101), lr=0.05, max_iter=20)
    assert res.nit == 20 and res.history.loss[-1] < res.history.loss[0]


def test_quadratic_numbers_agree_with_the_symbolic_form():
    obj = cars_loss()
    symbolic = Compiled(obj.real_symbols, (obj.real_expr, *obj.real_gradient))
    for point in ([0.0, 0.0], [-4.0, 30.0], [1e3, -2e3]):
        np.testing.assert_allclose(obj.compiled.at(point), symbolic.at(point),
                                   rtol=1e-12, atol=1e-9)
    H = np.array(obj.real_hessian, dtype=float)
    np.testing.assert_array_equal(obj.hess([1.0, 2.0]), H)
    np.testing.assert_array_equal(
        np.array(obj.hessian_evaluator.at([1.0, 2.0])).reshape(2, 2), H)


def test_too_many_linear_features_is_a_clear_error():
    from symgd.data import MAX_LINEAR_FEATURES
    p = MAX_LINEAR_FEATURES + 1
    data = {f"c{j}": np.arange(3.0) * j for j in range(p + 1)}
    with pytest.raises(DataError) as info:
        symgd.mse("linear", data, target="c0")
    msg = str(info.value)
    assert f"{p} features" in msg and f"at most {MAX_LINEAR_FEATURES}" in msg
    assert "linear:c1,c2,c3" in msg
    listed = "linear:" + ",".join(f"c{j}" for j in range(1, p + 1))
    with pytest.raises(DataError, match=f"names {p} features"):
        symgd.mse(listed, data, target="c0")
    # at the limit it is built
    data.pop(f"c{p}")
    assert symgd.mse("linear", data, target="c0").n == MAX_LINEAR_FEATURES + 1


def test_statistics_centred_on_column_means_match_exact_sums_over_two_chunks():
    # the statistics of data in memory are centred on the columns' means (from the
    # sums taken when the data were checked), chunk after chunk; against exact
    # rational arithmetic on the same float64 values, with a mean 10^7 times the
    # spread and more rows than one chunk. The raw model w*x + b has E[x^2] = 1e14
    # in its Hessian, where the variance 1/3 is a few ulp: the loss near the
    # optimum is evaluated from the centred products (it was 5% off)
    from fractions import Fraction
    rng = np.random.default_rng(11)
    n = symgd.data.statistics.CHUNK_ROWS + 4321
    x = 1e7 + rng.uniform(-1, 1, n)
    y = 3e6 + 2 * (x - 1e7) + 0.1 * rng.normal(size=n)
    obj = symgd.mse("w*x + b", {"x": x, "y": y})
    assert obj.inlinable
    sol = lstsq(np.column_stack([np.ones(n), x]), y)
    fx, fy = [Fraction(v) for v in x], [Fraction(v) for v in y]
    for b, w in (sol, sol + [0.5, 0], sol + [0, 1e-7]):
        fb, fw = Fraction(b), Fraction(w)
        r = [fw * xi + fb - yi for xi, yi in zip(fx, fy)]
        value = sum(ri * ri for ri in r) / n
        grad = [2 * sum(r) / n, 2 * sum(ri * xi for ri, xi in zip(r, fx)) / n]
        assert obj.value([b, w]) == pytest.approx(float(value), rel=1e-8)
        scale = 2 * float(sum(abs(ri * xi) for ri, xi in zip(r, fx)) / n)
        np.testing.assert_allclose(obj.grad([b, w]), [float(g) for g in grad],
                                   rtol=0, atol=1e-8 * scale)
        # the descent loop's inlined statements and the closed form agree with it
        run = descend(obj, [b, w], lr=1e-30, max_iter=1, tol=None)
        assert run.history.loss[0] == pytest.approx(float(value), rel=1e-8)
        exact = obj.real_expr.subs(dict(zip(obj.real_symbols, (sp.Rational(fb), sp.Rational(fw)))))
        assert float(exact) == pytest.approx(float(value), rel=1e-8)


def test_statistics_follow_the_rows_when_a_callers_array_changed_after_its_dataset():
    # a Dataset holds views of the caller's arrays; the sums it took when it was
    # made only centre the statistics, which are taken from the rows themselves
    rng = np.random.default_rng(4)
    n = symgd.data.statistics.CHUNK_ROWS + 999
    x = rng.normal(size=n)
    y = 2 * x + 1 + 0.1 * rng.normal(size=n)
    data = symgd.Dataset({"x": x, "y": y})
    x += 5.0
    obj = symgd.mse("w*x + b", data)
    sol = lstsq(np.column_stack([np.ones(n), x]), y)
    np.testing.assert_allclose(obj.least_squares(), sol, rtol=1e-9)
    r = sol[0] + sol[1] * x - y
    assert obj.value(sol) == pytest.approx(np.mean(r ** 2), rel=1e-9)
    # the same through DataObjective, which takes a Dataset as it is
    x -= 7.0
    w, b, xs, ys = sp.symbols("w b x y", real=True)
    direct = DataObjective((w * xs + b - ys) ** 2, [b, w], {"x": "x", "y": "y"}, data)
    np.testing.assert_allclose(direct.least_squares(),
                               lstsq(np.column_stack([np.ones(n), x]), y), rtol=1e-9)
