"""The shared oracles are proven here: the numerical derivatives against closed
forms and SciPy's Rosenbrock derivatives, the mpmath gradient against exact
derivatives, and the lessons' typed-in data against the built-in files."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import rosen, rosen_der, rosen_hess

import symgd
from oracles import (BOWL, CARS_MPG, CARS_WEIGHT, KIND_NAMES, PIZZA_COLUMNS, PIZZA_X, PIZZA_Y,
                     cars_loss, derivative, gradient, jacobian, make_kind, mp_gradient,
                     pizza_loss)

ACCURACY = 1e-9      # the oracle's promise: relative, on smooth functions at float64


def relative_error(got, expected) -> float:
    """Largest error relative to the largest expected entry (entries may be 0)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return float(np.abs(got - expected).max() / max(np.abs(expected).max(), 1e-300))


# ------------------------------------------------ numerical derivatives, closed forms

def poly(v):
    x, y, z = v
    return x**3 * y - 2 * x * y**2 * z + z**5 - 7


def poly_grad(v):
    x, y, z = v
    return np.array([3 * x**2 * y - 2 * y**2 * z, x**3 - 4 * x * y * z, -2 * x * y**2 + 5 * z**4])


def poly_hess(v):
    x, y, z = v
    return np.array([[6 * x * y, 3 * x**2 - 4 * y * z, -2 * y**2],
                     [3 * x**2 - 4 * y * z, -4 * x * z, -4 * x * y],
                     [-2 * y**2, -4 * x * y, 20 * z**3]])


A = np.array([0.5, -1.5, 2.0])


CLOSED_FORMS = [
    pytest.param(poly, poly_grad, (-2, 2), id="polynomial"),
    pytest.param(lambda v: np.exp(A @ v), lambda v: A * np.exp(A @ v), (-1, 1), id="exp"),
    pytest.param(lambda v: np.sin(v[0]) * np.cos(2 * v[1]) + np.sin(v[2]),
                 lambda v: np.array([np.cos(v[0]) * np.cos(2 * v[1]),
                                     -2 * np.sin(v[0]) * np.sin(2 * v[1]), np.cos(v[2])]),
                 (-3, 3), id="sin"),
]


@pytest.mark.parametrize("f, grad, interval", CLOSED_FORMS)
def test_gradient_matches_closed_forms(f, grad, interval):
    rng = np.random.default_rng(1)
    for x in rng.uniform(*interval, size=(10, 3)):
        assert relative_error(gradient(f, x), grad(x)) < ACCURACY


@pytest.mark.parametrize("f, grad, interval", CLOSED_FORMS)
def test_derivative_is_one_component_of_the_gradient(f, grad, interval):
    x = np.random.default_rng(2).uniform(*interval, size=3)
    g = gradient(f, x)
    assert [derivative(f, x, i) for i in range(3)] == list(g)
    assert isinstance(derivative(f, x, 0), float)


def test_hessian_as_jacobian_of_the_gradient():
    rng = np.random.default_rng(3)
    for x in rng.uniform(-2, 2, size=(10, 3)):
        assert relative_error(jacobian(poly_grad, x), poly_hess(x)) < ACCURACY


def test_jacobian_shape_and_orientation():
    def g(v):
        return np.array([v[0] * v[1], np.sin(v[0]), np.exp(v[1])])
    x = np.array([0.4, -1.1])
    expected = [[x[1], x[0]], [np.cos(x[0]), 0.0], [0.0, np.exp(x[1])]]   # J[j, k] = dg_j/dx_k
    J = jacobian(g, x)
    assert J.shape == (3, 2)
    np.testing.assert_allclose(J, expected, rtol=ACCURACY, atol=1e-13)


def test_rosenbrock_in_ten_dimensions_matches_scipy():
    rng = np.random.default_rng(4)
    for x in rng.uniform(-2, 2, size=(10, 10)):
        assert relative_error(gradient(rosen, x), rosen_der(x)) < ACCURACY
        assert relative_error(jacobian(rosen_der, x), rosen_hess(x)) < ACCURACY


@pytest.mark.parametrize("x0", [1e-2, 1.0, 1e3, 1e6])
def test_steps_are_relative_to_the_size_of_x(x0):
    # d log(x)/dx = 1/x: an absolute step of 1e-2 would be far too large at 1e-2
    # and lost in round-off at 1e6 without the scaling; pass h near 0.
    h = 1e-3 * x0 if x0 < 1 else None
    assert derivative(lambda v: np.log(v[0]), [x0], 0, h=h) * x0 == pytest.approx(1, rel=ACCURACY)


def test_richardson_extrapolation_is_what_makes_it_accurate():
    f, x = (lambda v: np.exp(np.sin(v[0]))), [0.8]
    exact = np.cos(0.8) * np.exp(np.sin(0.8))
    errors = [abs(derivative(f, x, 0, levels=k) - exact) / exact for k in (1, 2, 3)]
    assert errors[0] > 1e-6 and errors[1] < 1e-7 and errors[2] < 1e-11
    assert errors[0] > errors[1] > errors[2]


def test_given_step_one_or_per_coordinate():
    x = np.array([1.0, 2.0])
    central = derivative(poly_of_two, x, 1, h=1e-3, levels=1)
    assert central == (poly_of_two(x + [0, 1e-3]) - poly_of_two(x - [0, 1e-3])) / 2e-3
    np.testing.assert_allclose(gradient(poly_of_two, x, h=[1e-2, 1e-3]), [2 * 1 * 2, 1 + 12],
                               rtol=ACCURACY)


def poly_of_two(v):
    return v[0] ** 2 * v[1] + v[1] ** 3


def test_a_non_finite_function_gives_nan_without_a_warning():
    # log(x) with a step beyond 0: the oracle returns nan; the caller checks finiteness
    with np.errstate(invalid="ignore", divide="ignore"):
        value = derivative(lambda v: np.log(v[0]), [1e-3], 0)
    assert np.isnan(value)
    assert np.isnan(derivative(lambda v: np.inf * v[0], [1.0], 0))


@pytest.mark.parametrize("bad", [dict(h=0.0), dict(h=-1e-3), dict(h=np.nan), dict(levels=0),
                                 dict(levels=2.5), dict(levels=True)])
def test_bad_steps_and_levels_are_refused(bad):
    with pytest.raises(ValueError, match="h must be|levels must be"):
        derivative(np.sum, [1.0], 0, **bad)


# ----------------------------------------------------------------- mpmath oracle

def test_mp_gradient_matches_exact_derivatives_to_many_digits():
    x, y = sp.symbols("x y", real=True)
    expr = sp.exp(x) * sp.sin(y) + x**3 * y
    with mpmath.workdps(40):
        px, py = mpmath.mpf("0.3"), mpmath.mpf("-1.2")
        exact = [mpmath.exp(px) * mpmath.sin(py) + 3 * px**2 * py,
                 mpmath.exp(px) * mpmath.cos(py) + px**3]
    got = mp_gradient(expr, [x, y], ["0.3", "-1.2"], dps=30)
    assert all(isinstance(g, mpmath.mpf) for g in got)
    assert all(abs(g - e) < mpmath.mpf(10) ** -25 for g, e in zip(got, exact))


def test_mp_gradient_knows_symgds_own_functions():
    from symgd.expr.registry import sigmoid, softplus
    t = sp.Symbol("t", real=True)
    (d_sigmoid,) = mp_gradient(sigmoid(t), [t], [0.5])
    (d_softplus,) = mp_gradient(softplus(t), [t], [0.5])
    with mpmath.workdps(40):
        s = 1 / (1 + mpmath.exp(-mpmath.mpf(0.5)))
        assert abs(d_sigmoid - s * (1 - s)) < mpmath.mpf(10) ** -25
        assert abs(d_softplus - s) < mpmath.mpf(10) ** -25


def test_mp_gradient_agrees_with_the_float_oracle():
    names = sp.symbols("x0:10", real=True)
    expr = sum(100 * (names[i + 1] - names[i] ** 2) ** 2 + (1 - names[i]) ** 2
               for i in range(9))
    x = np.random.default_rng(5).uniform(-2, 2, 10)
    mp = np.array([float(g) for g in mp_gradient(expr, names, x)])
    assert relative_error(mp, rosen_der(x)) < 1e-15
    assert relative_error(gradient(rosen, x), mp) < ACCURACY


def test_mp_gradient_wants_one_coordinate_per_symbol():
    x, y = sp.symbols("x y")
    with pytest.raises(ValueError, match="1 coordinates for 2 symbols"):
        mp_gradient(x * y, [x, y], [1.0])


# ------------------------------------------------------------- lesson data

def builtin(name):
    return np.loadtxt(symgd.dataset_path(name), skiprows=1, unpack=True)


def test_cars_data_is_the_builtin_file():
    weight, mpg = builtin("cars")
    np.testing.assert_array_equal(CARS_WEIGHT, weight)
    np.testing.assert_array_equal(CARS_MPG, mpg)
    assert len(CARS_WEIGHT) == 7
    assert symgd.dataset_path("cars").read_text().split("\n", 1)[0].split() == ["weight", "mpg"]


def test_pizza_data_is_the_builtin_file():
    x, y = builtin("pizza")
    np.testing.assert_array_equal(PIZZA_X, x)
    np.testing.assert_array_equal(PIZZA_Y, y)
    assert len(PIZZA_X) == 30
    header = symgd.dataset_path("pizza").read_text().split("\n", 1)[0].split()
    assert list(PIZZA_COLUMNS.values()) == header


def test_shared_data_cannot_be_changed_by_a_test():
    for array in (CARS_WEIGHT, CARS_MPG, PIZZA_X, PIZZA_Y):
        with pytest.raises(ValueError):
            array[0] = 0.0
    with pytest.raises(TypeError):
        PIZZA_COLUMNS["x"] = "Pizzas"


def test_loss_factories_use_the_lessons_data_and_parameters():
    cars = cars_loss()
    assert cars.names == ("w", "b")
    np.testing.assert_array_equal(cars.data["weight"], CARS_WEIGHT)
    np.testing.assert_array_equal(cars.data["mpg"], CARS_MPG)
    assert cars.value([0, 0]) == pytest.approx(np.mean(CARS_MPG ** 2), rel=1e-12)
    assert cars_loss(sufficient_statistics=False).value([1, 2]) == \
        pytest.approx(np.mean((CARS_WEIGHT + 2 - CARS_MPG) ** 2), rel=1e-12)
    pizza, through_zero = pizza_loss(), pizza_loss(bias=False)
    assert pizza.names == ("b", "w") and through_zero.names == ("w",)
    np.testing.assert_array_equal(pizza.data["Reservations"], PIZZA_X)
    assert through_zero.value([2.0]) == pytest.approx(np.mean((2 * PIZZA_X - PIZZA_Y) ** 2))
    assert pizza_loss(params=["w", "b"]).names == ("w", "b")


def test_bowl_is_the_first_lesson():
    assert symgd.Objective(BOWL).value([1, 1]) == 3.0


def test_every_kind_can_be_made():
    for name in KIND_NAMES:
        kind = make_kind(name)
        assert kind.name == name and kind.point.shape == (kind.objective.n,)
    with pytest.raises(ValueError, match="expression"):
        make_kind("spline")
