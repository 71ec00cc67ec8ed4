"""Tests of symgd.Objective and step_size_bound, each against an independent oracle.

Oracles: hand-written NumPy reference functions and their central finite
differences, SciPy's Rosenbrock derivatives, exact hand-computed derivatives,
and numpy.linalg.eigvalsh.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.optimize
import scipy.special
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symgd
from symgd import InputError, InputTypeError, Objective, ObjectiveError, step_size_bound

from oracles import gradient, jacobian

SEED = 20240611
POINTS_PER_CASE = 4


# ------------------------------------------------------------------ helpers

def random_points(low, high, n, count=POINTS_PER_CASE, seed=SEED):
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, size=(count, n))


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


# --------------------------------------------- 1. gradients and Hessians vs FD

# (text, variable names in expected order, NumPy reference of those variables,
#  sampling interval inside the domain)
GRADIENT_CASES = [
    pytest.param("x^3*y - 2*x*y^2 + 4", ("x", "y"),
                 lambda x, y: x**3 * y - 2 * x * y**2 + 4, (-2, 2), id="polynomial"),
    pytest.param("exp(x*y) + log(x^2 + 1)", ("x", "y"),
                 lambda x, y: np.exp(x * y) + np.log(x**2 + 1), (-1.5, 1.5), id="exp-log"),
    pytest.param("sin(x)*cos(y) + tan(x/3)", ("x", "y"),
                 lambda x, y: np.sin(x) * np.cos(y) + np.tan(x / 3), (-2, 2), id="trig"),
    pytest.param("(x^2 + 1)/(y^2 + 2)", ("x", "y"),
                 lambda x, y: (x**2 + 1) / (y**2 + 2), (-3, 3), id="quotient"),
    pytest.param("sin(exp(x) + cos(y))^2", ("x", "y"),
                 lambda x, y: np.sin(np.exp(x) + np.cos(y))**2, (-1, 1), id="nested"),
    pytest.param("sqrt(x^2 + y^2 + 1)", ("x", "y"),
                 lambda x, y: np.sqrt(x**2 + y**2 + 1), (-3, 3), id="sqrt"),
    pytest.param("tanh(2x - y)", ("x", "y"),
                 lambda x, y: np.tanh(2 * x - y), (-1, 1), id="tanh-implicit-product"),
    pytest.param("atan(x*y) - x", ("x", "y"),
                 lambda x, y: np.arctan(x * y) - x, (-2, 2), id="atan"),
    pytest.param("abs(x) + abs(y - 3)*x", ("x", "y"),
                 lambda x, y: np.abs(x) + np.abs(y - 3) * x, (0.5, 2), id="abs-away-from-kink"),
    pytest.param("sigmoid(x*y - 1)", ("x", "y"),
                 lambda x, y: sigmoid(x * y - 1), (-2, 2), id="sigmoid"),
    pytest.param("x^y", ("x", "y"),
                 lambda x, y: x**y, (0.5, 2), id="power-x-to-y"),
    pytest.param("log(x, 2)*y", ("x", "y"),
                 lambda x, y: np.log2(x) * y, (0.5, 3), id="log-base-2"),
    pytest.param("x*y*z + sin(w)*z^2 + exp(w - x)", ("w", "x", "y", "z"),
                 lambda w, x, y, z: x * y * z + np.sin(w) * z**2 + np.exp(w - x), (-1, 1),
                 id="four-variables"),
    pytest.param("log(1 + x^2 + y^2 + z^2)/(1 + exp(-x*z))", ("x", "y", "z"),
                 lambda x, y, z: np.log(1 + x**2 + y**2 + z**2) / (1 + np.exp(-x * z)),
                 (-2, 2), id="three-variables-quotient"),
    pytest.param("cosh(x)*sinh(y) - x*y", ("x", "y"),
                 lambda x, y: np.cosh(x) * np.sinh(y) - x * y, (-1.5, 1.5), id="hyperbolic"),
    pytest.param("sqrt(x)*log(y) + 1/(x*y)", ("x", "y"),
                 lambda x, y: np.sqrt(x) * np.log(y) + 1 / (x * y), (0.5, 3), id="sqrt-log-reciprocal"),
    pytest.param("exp(-(x^2 + y^2)/2)*cos(3x)", ("x", "y"),
                 lambda x, y: np.exp(-(x**2 + y**2) / 2) * np.cos(3 * x), (-2, 2), id="gaussian-cos"),
    pytest.param("softplus(x - 2y)", ("x", "y"),
                 lambda x, y: np.log1p(np.exp(x - 2 * y)), (-2, 2), id="softplus"),
]


@pytest.mark.parametrize("text, names, reference, interval", GRADIENT_CASES)
def test_value_matches_numpy_reference(text, names, reference, interval):
    obj = Objective(text)
    assert obj.names == names
    for x in random_points(*interval, len(names)):
        value = obj.value(x)
        assert type(value) is float
        assert value == pytest.approx(float(reference(*x)), rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("text, names, reference, interval", GRADIENT_CASES)
def test_gradient_matches_finite_differences_of_reference(text, names, reference, interval):
    obj = Objective(text)
    f = lambda v: reference(*v)  # noqa: E731
    for x in random_points(*interval, len(names)):
        expected = gradient(f, x)
        got = obj.grad(x)
        assert got.shape == (len(names),) and got.dtype == np.float64
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("text, names, reference, interval", GRADIENT_CASES)
def test_hessian_matches_finite_differences_of_grad(text, names, reference, interval):
    obj = Objective(text)
    for x in random_points(*interval, len(names), seed=SEED + 1):
        expected = jacobian(obj.grad, x)  # row i = d grad / d x_i (symmetric)
        got = obj.hess(x)
        assert got.shape == (len(names), len(names)) and got.dtype == np.float64
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(got, got.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text, names, reference, interval", GRADIENT_CASES[:6])
def test_value_and_grad_agrees_with_value_and_grad(text, names, reference, interval):
    obj = Objective(text)
    for x in random_points(*interval, len(names)):
        value, gradient = obj.value_and_grad(x)
        # value() computes the value alone (no gradient): equal to round-off
        assert value == pytest.approx(obj.value(x), rel=1e-14, abs=1e-300)
        np.testing.assert_array_equal(gradient, obj.grad(x))


# ------------------------------------------------------- 2. the seed lesson

def test_seed_lesson_gradient_hessian_and_name_are_exact():
    obj = Objective("z = x² + xy + y²")
    x, y = obj.variables
    assert obj.names == ("x", "y")
    assert obj.name == "z" and obj.label == "z"
    assert obj.gradient == (2 * x + y, x + 2 * y)
    assert obj.partial("x") == 2 * x + y
    assert obj.partial(y) == x + 2 * y
    assert obj.hessian == sp.Matrix([[2, 1], [1, 2]])
    assert obj.is_quadratic
    assert obj.value([1, 2]) == 7.0
    np.testing.assert_array_equal(obj.grad([1, 2]), [4.0, 5.0])
    np.testing.assert_array_equal(obj.hess([5, -7]), [[2.0, 1.0], [1.0, 2.0]])


def test_seed_lesson_step_size_bound_is_two_thirds_and_best_one_half():
    bound = step_size_bound(Objective("z = x² + xy + y²"))
    assert (bound.lambda_min, bound.lambda_max) == (1.0, 3.0)
    assert bound.bound == pytest.approx(2 / 3, rel=1e-15)
    assert bound.best == pytest.approx(1 / 2, rel=1e-15)
    assert bound.bound_text() == "2/3"
    assert bound.best_text() == "1/2"
    assert bound.exact_bound == sp.Rational(2, 3)
    assert bound.quadratic


def test_step_size_bound_accepts_text():
    assert step_size_bound("x^2 + x*y + y^2").bound_text() == "2/3"


def test_step_size_bound_of_nonquadratic_needs_a_point():
    with pytest.raises(InputError):
        step_size_bound("x^4 + y^2")


def test_step_size_bound_of_nonquadratic_uses_hessian_at_point():
    # Hessian of x^4 + y^2 at (1, 1) is diag(12, 2).
    bound = step_size_bound("x^4 + y^2", at=[1, 1])
    assert not bound.quadratic
    assert bound.lambda_max == pytest.approx(12.0)
    assert bound.lambda_min == pytest.approx(2.0)
    assert bound.bound == pytest.approx(2 / 12)
    assert bound.best == pytest.approx(2 / 14)


def test_step_size_bound_of_indefinite_quadratic_has_no_best_step():
    bound = step_size_bound("x^2 - y^2")
    assert bound.lambda_min == -2.0 and bound.lambda_max == 2.0
    assert bound.best is None
    assert bound.best_text() == "none"


def test_step_size_bound_of_linear_objective_is_infinite():
    bound = step_size_bound("3x + 2y")
    assert bound.bound == math.inf
    assert bound.best is None


# ------------------------------------------------- 3. functions and SciPy's rosen

@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_rosen_gradient_and_hessian_equal_scipy(n):
    obj = Objective.from_function(scipy.optimize.rosen, n=n)
    assert obj.names == tuple(f"x{i}" for i in range(1, n + 1))
    assert obj.name == "rosen"
    for x in random_points(-2, 2, n):
        assert obj.value(x) == pytest.approx(scipy.optimize.rosen(x), rel=1e-12)
        np.testing.assert_allclose(obj.grad(x), scipy.optimize.rosen_der(x),
                                   rtol=1e-12, atol=1e-10)
        np.testing.assert_allclose(obj.hess(x), scipy.optimize.rosen_hess(x),
                                   rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_rosen_expression_has_integer_exponents_and_no_floats(n):
    expr = Objective.from_function(scipy.optimize.rosen, n=n).expr
    assert not expr.atoms(sp.Float)
    for power in expr.atoms(sp.Pow):
        assert power.exp.is_Integer, power


def test_rosen_three_variables_expression_is_the_textbook_form():
    x1, x2, x3 = sp.symbols("x1 x2 x3")
    obj = Objective.from_function(scipy.optimize.rosen, n=3)
    expected = (1 - x1)**2 + (1 - x2)**2 + 100 * (x2 - x1**2)**2 + 100 * (x3 - x2**2)**2
    assert sp.expand(obj.expr.subs(dict(zip(obj.variables, (x1, x2, x3)))) - expected) == 0


def test_from_function_of_scalars_uses_parameter_names():
    obj = Objective.from_function(lambda a, b: (1 - a)**2 + 100 * (b - a**2)**2)
    a, b = obj.variables
    assert obj.names == ("a", "b")
    assert obj.name is None
    assert obj.gradient == (sp.diff((1 - a)**2 + 100 * (b - a**2)**2, a),
                            200 * (b - a**2))
    np.testing.assert_allclose(obj.grad([1.5, -0.5]),
                               scipy.optimize.rosen_der(np.array([1.5, -0.5])), rtol=1e-13)


def test_objective_accepts_a_callable_directly():
    obj = Objective(lambda x, y: x * y + sp.sin(x))
    assert obj.names == ("x", "y")
    np.testing.assert_allclose(obj.grad([0.3, 2.0]), [2.0 + math.cos(0.3), 0.3], rtol=1e-14)


def test_from_function_with_variables_renames_parameters():
    obj = Objective.from_function(lambda x, y: x**2 * y, variables=["a", "b"])
    assert obj.names == ("a", "b")
    np.testing.assert_allclose(obj.grad([2.0, 3.0]), [12.0, 4.0])


def test_from_function_of_vector_with_numpy_sum():
    obj = Objective.from_function(lambda v: np.sum(v**2) + v[0] * v[2], n=3)
    assert obj.names == ("x1", "x2", "x3")
    np.testing.assert_allclose(obj.grad([1.0, 2.0, 3.0]), [5.0, 4.0, 7.0])


def test_from_function_with_math_sin_is_an_objective_error():
    with pytest.raises(ObjectiveError, match="math"):
        Objective.from_function(lambda x, y: math.sin(x) + y)


@pytest.mark.parametrize("func, kwargs", [
    pytest.param(lambda x, y: [x, y], {}, id="list"),
    pytest.param(lambda x, y: (x, y), {}, id="tuple"),
    pytest.param(lambda v: v * 2, {"n": 2}, id="array-size-2"),
    pytest.param(lambda x, y: sp.Matrix([x, y]), {}, id="sympy-matrix"),
])
def test_from_function_returning_non_scalar_is_an_objective_error(func, kwargs):
    with pytest.raises(ObjectiveError):
        Objective.from_function(func, **kwargs)


def test_from_function_returning_size_one_array_is_accepted():
    obj = Objective.from_function(lambda v: np.array([v[0] * v[1]]), n=2)
    np.testing.assert_allclose(obj.grad([2.0, 5.0]), [5.0, 2.0])


@pytest.mark.parametrize("call", [
    pytest.param(lambda: Objective.from_function(lambda *a: a[0]), id="varargs"),
    pytest.param(lambda: Objective.from_function(lambda v: v[0], n=0), id="n-zero"),
    pytest.param(lambda: Objective.from_function(lambda v: v[0], n=2, variables=["a"]),
                 id="n-and-names-disagree"),
])
def test_from_function_bad_arguments_are_input_errors(call):
    with pytest.raises(InputError):
        call()


def test_from_function_of_non_callable_is_input_type_error():
    with pytest.raises(InputTypeError):
        Objective.from_function(3)


# ------------------------------------------------- 4. the user's own SymPy symbols

def test_sympy_input_gradient_is_in_the_users_symbols():
    x, y = sp.symbols("x y")  # no assumptions: not the real symbols symgd uses
    obj = Objective(x**2 * y)
    assert obj.variables == (x, y)
    assert obj.expr == x**2 * y
    assert obj.gradient == (2 * x * y, x**2)
    assert obj.hessian == sp.Matrix([[2 * y, 2 * x], [2 * x, 0]])
    assert obj.partial(x) == 2 * x * y
    assert obj.symbol("y") == y
    np.testing.assert_allclose(obj.grad([3.0, -2.0]), [-12.0, 9.0])


def test_sympy_abs_of_user_symbol_differentiates_to_sign():
    x = sp.Symbol("x")
    obj = Objective(sp.Abs(x))
    assert obj.gradient[0] == sp.sign(x)
    assert obj.grad([-2.5])[0] == -1.0
    assert obj.grad([4.0])[0] == 1.0
    assert obj.value([-2.5]) == 2.5


def test_variables_given_as_user_symbols_set_the_order():
    x, y = sp.symbols("x y")
    obj = Objective(x**2 * y, variables=(y, x))
    assert obj.names == ("y", "x")
    assert obj.variables == (y, x)
    assert obj.gradient == (x**2, 2 * x * y)
    np.testing.assert_allclose(obj.grad([3.0, 2.0]), [4.0, 12.0])


def test_single_symbol_as_variables():
    x = sp.Symbol("x")
    assert Objective(x**2, variables=x).variables == (x,)


def test_absent_variable_given_as_user_symbol_is_the_users_symbol():
    x, y = sp.symbols("x y")
    obj = Objective(x**2, variables=(x, y))
    assert obj.variables == (x, y)


def test_two_symbols_with_the_same_name_are_rejected():
    with pytest.raises(ObjectiveError):
        Objective(sp.Symbol("x") + sp.Symbol("x", real=True))


@pytest.mark.parametrize("expr", [
    pytest.param(sp.Symbol("x") > 1, id="relational"),
    pytest.param(sp.Integer(3), id="no-variables"),
    pytest.param(sp.I * sp.Symbol("x"), id="complex"),
    pytest.param(sp.ImmutableMatrix([sp.Symbol("x"), sp.Symbol("y")]), id="immutable-matrix"),
    pytest.param(sp.Symbol("x") + sp.zoo, id="complex-infinity"),
])
def test_unusable_sympy_expressions_are_objective_errors(expr):
    with pytest.raises(ObjectiveError):
        Objective(expr)


def test_mutable_sympy_matrix_is_an_objective_error():
    x, y = sp.symbols("x y")
    with pytest.raises(ObjectiveError):
        Objective(sp.Matrix([x**2, y]))


@pytest.mark.parametrize("text", ["3", "2 + 5"])
def test_text_without_variables_is_an_objective_error(text):
    with pytest.raises(ObjectiveError):
        Objective(text)


def test_unknown_symbol_not_among_variables_is_an_objective_error():
    with pytest.raises(ObjectiveError, match="'a'"):
        Objective("x + a", variables=["x"])
    x, y = sp.symbols("x y")
    with pytest.raises(ObjectiveError, match="'y'"):
        Objective(x + y, variables=["x"])


def test_constants_are_substituted():
    obj = Objective("a*x^2 + y", constants={"a": 3})
    assert obj.names == ("x", "y")
    np.testing.assert_allclose(obj.grad([2.0, 0.0]), [12.0, 1.0])
    a, x = sp.symbols("a x")
    obj = Objective(a * x**2, constants={"a": 2.5})
    assert obj.names == ("x",)
    assert obj.grad([2.0])[0] == 10.0


@pytest.mark.parametrize("bad", [3.5, None, [1, 2]])
def test_objective_of_wrong_type_is_input_type_error(bad):
    with pytest.raises(InputTypeError):
        Objective(bad)


def test_objective_of_objective_keeps_expression():
    obj = Objective("x^2 + 3y")
    copy = Objective(obj)
    assert copy.expr == obj.expr
    assert copy.names == obj.names


def test_objective_of_objective_keeps_variable_order():
    obj = Objective("z(y, x) = x^2 + y")
    assert Objective(obj).names == ("y", "x")


# --------------------------------------------------------- 5. variable order

@pytest.mark.parametrize("text, names", [
    ("x10 + x2 + x1", ("x1", "x2", "x10")),
    ("w*b", ("b", "w")),
    ("y^2 + x", ("x", "y")),
    ("a10*a9 + a1", ("a1", "a9", "a10")),
])
def test_default_variable_order_is_natural_sort(text, names):
    assert Objective(text).names == names


def test_natural_key_sorts_numbers_numerically():
    from symgd.objective import natural_key
    assert sorted(["x10", "x2", "b", "x1"], key=natural_key) == ["b", "x1", "x2", "x10"]


def test_explicit_variables_reorder_gradient_and_grad():
    obj = Objective("x^2 + x*y + 3y", variables=("y", "x"))
    x, y = obj.symbol("x"), obj.symbol("y")
    assert obj.names == ("y", "x")
    assert obj.gradient == (x + 3, 2 * x + y)
    # the point is in the order (y, x)
    np.testing.assert_array_equal(obj.grad([1.0, 2.0]), [5.0, 5.0])
    np.testing.assert_array_equal(obj.grad([10.0, 2.0]), [5.0, 14.0])
    assert obj.hessian == sp.Matrix([[0, 1], [1, 2]])


@pytest.mark.parametrize("variables", ["x, y", "x y", "x,y"])
def test_variables_as_a_string(variables):
    assert Objective("y*x^2", variables=variables).names == ("x", "y")


def test_variables_string_sets_order():
    assert Objective("y*x^2", variables="y, x").names == ("y", "x")


def test_duplicate_variables_are_an_input_error():
    with pytest.raises(InputError):
        Objective("x^2 + y", variables=("x", "x"))


def test_absent_variable_has_zero_gradient():
    obj = Objective("x^2", variables=("x", "y"))
    assert obj.gradient == (2 * obj.symbol("x"), 0)
    got = obj.grad([1.5, 7.0])
    assert got.dtype == np.float64 and got.shape == (2,)
    np.testing.assert_array_equal(got, [3.0, 0.0])
    np.testing.assert_array_equal(obj.hess([1.5, 7.0]), [[2.0, 0.0], [0.0, 0.0]])


def test_left_hand_side_sets_variable_order():
    obj = Objective("f(y, x) = x^2 + 3y")
    assert obj.names == ("y", "x")
    assert obj.name == "f"
    x, y = obj.symbol("x"), obj.symbol("y")
    assert obj.gradient == (3, 2 * x)
    np.testing.assert_array_equal(obj.grad([0.0, 5.0]), [3.0, 10.0])


def test_left_hand_side_agreeing_with_variables_is_accepted():
    assert Objective("f(y, x) = x^2 + 3y", variables=("y", "x")).names == ("y", "x")


def test_left_hand_side_conflicting_with_variables_is_an_input_error():
    with pytest.raises(InputError):
        Objective("f(y, x) = x^2 + 3y", variables=("x", "y"))


@pytest.mark.parametrize("variables, error", [
    ([1], InputTypeError),
    (["2x"], InputError),
    (["sin"], InputError),
])
def test_invalid_variable_names_are_rejected(variables, error):
    with pytest.raises(error):
        Objective("x^2", variables=variables)


def test_partial_of_unknown_variable_is_an_input_error():
    with pytest.raises(InputError, match="x, y"):
        Objective("x^2 + y").partial("z")


# ------------------------------------------------------ 6. shapes and dtypes

@pytest.mark.parametrize("text, variables, point, expected", [
    ("3x + 2y", None, [1.0, -4.0], [3.0, 2.0]),
    ("3x + 2y", None, [0, 0], [3.0, 2.0]),
    ("5x", None, [2], [5.0]),
    ("x^2", None, [3], [6.0]),
    ("x + 2z", ("x", "y", "z"), [1, 1, 1], [1.0, 0.0, 2.0]),
])
def test_grad_is_float64_one_dimensional_even_for_constant_derivatives(
        text, variables, point, expected):
    obj = Objective(text, variables=variables)
    got = obj.grad(point)
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.float64
    assert got.shape == (obj.n,)
    np.testing.assert_array_equal(got, expected)
    value, gradient = obj.value_and_grad(point)
    assert type(value) is float
    assert gradient.dtype == np.float64 and gradient.shape == (obj.n,)


@pytest.mark.parametrize("text", ["3x + 2y", "x*y", "x^2", "exp(x)*y + z"])
def test_hess_is_float64_square(text):
    obj = Objective(text)
    got = obj.hess(np.ones(obj.n))
    assert got.dtype == np.float64
    assert got.shape == (obj.n, obj.n)


def test_value_is_a_python_float():
    assert type(Objective("x^2 + y").value([1, 2])) is float
    assert type(Objective("3x").value([1])) is float


def test_dict_point_is_read_by_name():
    obj = Objective("x^2 + 3y")
    assert obj.value({"y": 1, "x": 2}) == 7.0
    np.testing.assert_array_equal(obj.grad({"y": 1, "x": 2}), [4.0, 3.0])


@pytest.mark.parametrize("point", [{"x": 1}, {"x": 1, "y": 2, "z": 3}])
def test_dict_point_with_missing_or_unknown_names_is_an_input_error(point):
    with pytest.raises(InputError, match="x, y"):
        Objective("x^2 + 3y").value(point)


def test_scalar_point_applies_to_every_variable():
    obj = Objective("x^2 + 3y")
    assert obj.value(2) == 10.0
    np.testing.assert_array_equal(obj.grad(2.0), [4.0, 3.0])


@pytest.mark.parametrize("point", [[1.0], [1.0, 2.0, 3.0], []])
def test_point_of_wrong_length_names_the_variables(point):
    obj = Objective("x^2 + 3y")
    for method in (obj.value, obj.grad, obj.hess, obj.value_and_grad):
        with pytest.raises(InputError, match=r"\(x, y\)"):
            method(point)


def test_two_dimensional_point_is_an_input_error():
    with pytest.raises(InputError):
        Objective("x^2 + 3y").grad(np.array([[1.0, 2.0]]))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_point_is_an_input_error(bad):
    obj = Objective("x^2 + 3y")
    with pytest.raises(InputError):
        obj.value([1.0, bad])
    with pytest.raises(InputError):
        obj.grad({"x": bad, "y": 0})


@pytest.mark.parametrize("bad", ["abc", ["a", "b"], [1, [2, 3]]])
def test_non_numeric_point_is_an_input_type_error(bad):
    with pytest.raises(InputTypeError):
        Objective("x^2 + 3y").value(bad)


def test_none_in_point_is_an_input_error():
    # NumPy turns None into nan, which is then rejected as non-finite
    with pytest.raises(InputError):
        Objective("x^2 + 3y").value([1, None])


def test_input_array_is_not_modified():
    obj = Objective("x^2 + 3y")
    for point in (np.array([1.5, -2.0]), np.array([1, 2]), [1.5, -2.0]):
        before = np.array(point, copy=True)
        obj.value(point)
        obj.grad(point)
        obj.value_and_grad(point)
        obj.hess(point)
        np.testing.assert_array_equal(point, before)
    point = {"x": 1.0, "y": 2.0}
    obj.grad(point)
    assert point == {"x": 1.0, "y": 2.0}


def test_grad_returns_a_fresh_array_each_call():
    obj = Objective("x^2 + 3y")
    first = obj.grad([1.0, 1.0])
    first[:] = 99.0
    np.testing.assert_array_equal(obj.grad([1.0, 1.0]), [2.0, 3.0])


# ---------------------------------------- 7. undefined points do not raise

def test_log_of_negative_is_nan():
    assert math.isnan(Objective("log(x)").value([-1]))


def test_reciprocal_at_zero_is_inf_or_nan():
    value = Objective("1/x").value([0])
    assert math.isinf(value) or math.isnan(value)


def test_exp_overflow_is_inf():
    assert Objective("exp(x)").value([1000]) == math.inf
    assert Objective("exp(x)").grad([1000])[0] == math.inf


def test_cube_root_of_negative_is_nan_not_complex():
    obj = Objective("x^(1/3)")
    value = obj.value([-8])
    assert type(value) is float and math.isnan(value)
    got = obj.grad([-8])
    assert got.dtype == np.float64 and math.isnan(got[0])
    assert obj.value([8]) == pytest.approx(2.0, rel=1e-15)


def test_sqrt_of_negative_in_gradient_is_nan():
    obj = Objective("sqrt(x) + y")
    value, gradient = obj.value_and_grad([-4.0, 1.0])
    assert math.isnan(value)
    assert math.isnan(gradient[0])
    assert gradient.dtype == np.float64


@pytest.mark.parametrize("text, reference, derivative, interval", [
    pytest.param("gamma(x)", scipy.special.gamma,
                 lambda t: scipy.special.gamma(t) * scipy.special.digamma(t), (0.3, 4), id="gamma"),
    pytest.param("erf(x)", scipy.special.erf,
                 lambda t: 2 / math.sqrt(math.pi) * np.exp(-t**2), (-2, 2), id="erf"),
    pytest.param("sigmoid(x)", scipy.special.expit,
                 lambda t: scipy.special.expit(t) * (1 - scipy.special.expit(t)), (-5, 5),
                 id="sigmoid"),
])
def test_special_functions_compile_and_match_scipy_and_finite_differences(
        text, reference, derivative, interval):
    obj = Objective(text)
    for (x,) in random_points(*interval, 1):
        assert obj.value([x]) == pytest.approx(float(reference(x)), rel=1e-12)
        got = obj.grad([x])[0]
        assert got == pytest.approx(float(derivative(x)), rel=1e-10)
        fd = gradient(lambda v: reference(v[0]), [x])[0]
        assert got == pytest.approx(fd, rel=1e-6, abs=1e-8)
        hess_fd = jacobian(obj.grad, [x])[0, 0]
        assert obj.hess([x])[0, 0] == pytest.approx(hess_fd, rel=1e-6, abs=1e-6)


def test_sigmoid_does_not_overflow_for_large_negative_arguments():
    obj = Objective("sigmoid(x)")
    assert obj.value([-1000]) == 0.0
    assert obj.value([1000]) == 1.0
    assert obj.grad([-1000])[0] == 0.0


# ------------------------------------------------------------- 8. display

def test_str_and_repr_contain_the_expression():
    obj = Objective("z = x^2/y")
    assert str(obj) == "z = x**2/y"
    assert "x**2/y" in repr(obj)
    assert repr(obj).startswith("Objective(")
    assert "('x', 'y')" in repr(obj)
    unnamed = Objective("x^2 + y")
    assert str(unnamed) == "x**2 + y"
    assert unnamed.name is None and unnamed.label == "f"


def test_repr_round_trips_through_the_constructor():
    obj = Objective("f(y, x) = x^2*sin(y) + 3y")
    text = repr(obj)
    rebuilt = eval(text, {"Objective": Objective})
    assert rebuilt.names == obj.names
    assert sp.simplify(rebuilt.expr - obj.expr) == 0


def test_latex_of_quotient_has_frac_and_the_name():
    latex = Objective("z = x^2/y").latex()
    assert r"\frac" in latex
    assert latex.startswith("z(x, y) = ")


def test_latex_of_square_has_superscript_and_default_name():
    latex = Objective("x^2 + y").latex()
    assert "^{2}" in latex
    assert latex.startswith("f(x, y) = ")


def test_latex_of_sigmoid_uses_sigma():
    assert r"\sigma" in Objective("loss = sigmoid(w)").latex()


def test_repr_latex_is_display_math():
    text = Objective("z = x^2 + y")._repr_latex_()
    assert text.startswith("$") and text.endswith("$")
    assert "z(x, y)" in text


def test_pretty_is_a_string_with_the_name():
    drawn = Objective("loss = x^2/y").pretty()
    assert isinstance(drawn, str)
    assert "loss" in drawn
    assert "─" in drawn  # a fraction bar
    assert "f" in Objective("x^2").pretty()


# ------------------------------------------- 9. property test on quadratics

@st.composite
def quadratic_data(draw):
    n = draw(st.sampled_from([2, 3]))
    entries = st.integers(min_value=-3, max_value=3)
    m = np.array(draw(st.lists(entries, min_size=n * n, max_size=n * n)),
                 dtype=np.int64).reshape(n, n)
    b = draw(st.lists(entries, min_size=n, max_size=n))
    return m @ m.T + np.eye(n, dtype=np.int64), b


@settings(max_examples=50, deadline=None)
@given(quadratic_data())
def test_random_quadratic_hessian_is_exact_and_bound_matches_eigvalsh(data):
    a, b = data
    n = len(b)
    symbols = sp.symbols(f"x1:{n + 1}")
    xs = sp.Matrix(symbols)
    a_exact = sp.Matrix(a.tolist())
    expr = sp.Rational(1, 2) * (xs.T * a_exact * xs)[0, 0] + (sp.Matrix(b).T * xs)[0, 0]
    obj = Objective(expr, variables=symbols)
    assert obj.hessian == a_exact
    assert obj.is_quadratic
    bound = step_size_bound(obj)
    eigenvalues = np.linalg.eigvalsh(a.astype(float))
    assert bound.quadratic
    assert bound.lambda_max == pytest.approx(eigenvalues.max(), rel=1e-9, abs=1e-9)
    assert bound.lambda_min == pytest.approx(eigenvalues.min(), rel=1e-9, abs=1e-9)
    assert bound.bound == pytest.approx(2 / eigenvalues.max(), rel=1e-9)
    assert bound.best == pytest.approx(2 / (eigenvalues.min() + eigenvalues.max()), rel=1e-9)
    # the gradient at a random integer point is A x + b
    point = np.arange(1, n + 1, dtype=float)
    np.testing.assert_allclose(obj.grad(point), a @ point + np.array(b), rtol=1e-12)


@pytest.mark.parametrize("text", ["x^4 + y^2", "exp(x)", "x*y*z", "sin(x) + y^2"])
def test_non_quadratics_are_not_quadratic(text):
    assert not Objective(text).is_quadratic


@pytest.mark.parametrize("text", ["3x + 2y", "x^2 - 4x*y", "(x + y)^2 + 7"])
def test_linear_and_quadratic_are_quadratic(text):
    assert Objective(text).is_quadratic


def test_package_exports_the_tested_names():
    assert symgd.Objective is Objective
    assert symgd.step_size_bound is step_size_bound
    assert issubclass(symgd.InputTypeError, symgd.InputError)
    assert issubclass(symgd.ObjectiveError, ValueError)


def test_a_single_symbol_is_an_objective():
    x = sp.Symbol("x", real=True)
    obj = Objective(x)
    assert obj.gradient == (1,) and obj.names == ("x",)
    with pytest.raises(ObjectiveError, match="condition"):
        Objective(sp.Gt(x, 1))


def test_gradient_of_a_long_sum_matches_sympy_diff_term_by_term():
    import sympy as sp
    text = " + ".join(f"{k}*x{k}^2" for k in range(1, 301)) + " + x1*x300"
    obj = Objective(text)
    grad = obj.gradient
    assert len(grad) == 300
    for k in (1, 2, 150, 300):
        v = obj.symbol(f"x{k}")
        assert sp.simplify(grad[k - 1] - sp.diff(obj.expr, v)) == 0
    assert obj.grad(np.ones(300))[0] == pytest.approx(2 + 1)        # 2*x1 + x300


def test_a_derivative_too_large_to_build_is_refused_with_the_reason():
    from symgd import ResourceError
    from symgd.objective.derivatives import MAX_GRADIENT_NODES
    with pytest.raises(ResourceError, match="product rule") as err:
        Objective("".join(f"(x+{i})" for i in range(1, 1000))).gradient
    assert f"{MAX_GRADIENT_NODES:,}" in str(err.value) and "MAX_GRADIENT_NODES" in str(err.value)
    # a short product stays inside the bound: d/dx of (x+1)...(x+7) at 0 is 7!·Σ 1/i
    obj = Objective("".join(f"(x+{i})" for i in range(1, 8)))
    assert obj.grad([0.0])[0] == pytest.approx(float(sum(5040 // i for i in range(1, 8))))
