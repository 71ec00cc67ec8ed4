"""The user's own SymPy symbols: what symgd hands back is in plain symbols.

``x, y = sympy.symbols("x y")`` must work with every public expression:
``==``, ``subs``, ``diff``, ``solve``, ``lambdify``; points keyed by those
symbols; an objective built from a SymPy expression keeps the caller's
symbols; named constants in claims are read as the objective read them.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symgd
from symgd.expr import make_symbol

x, y = sp.symbols("x y")
w, b = sp.symbols("w b")


def real_free(value) -> list[sp.Symbol]:
    """The symbols in ``value`` that carry an assumption (none should)."""
    items = list(value) if isinstance(value, (tuple, list, sp.MatrixBase)) else [value]
    return [s for e in items for s in sp.sympify(e).free_symbols
            if isinstance(s, sp.Symbol) and s.name not in ("i", "M") and s.assumptions0
            != sp.Symbol(s.name).assumptions0]


# ------------------------------------------------------- the interop

@pytest.fixture
def bowl() -> symgd.Objective:
    return symgd.Objective("x^2 + x*y + y^2")


def test_gradient_equals_expressions_in_user_symbols(bowl):
    assert bowl.gradient[0] == 2*x + y
    assert bowl.gradient == (2*x + y, x + 2*y)
    assert bowl.expr == x**2 + x*y + y**2
    assert bowl.hessian == sp.Matrix([[2, 1], [1, 2]])
    assert bowl.partial(y) == x + 2*y and bowl.partial("x") == 2*x + y
    assert bowl.variables == (x, y)
    assert not real_free(bowl.gradient) and not real_free(bowl.expr)


def test_subs_diff_solve_lambdify(bowl):
    assert bowl.gradient[0].subs(x, 1) == 2 + y
    assert sp.diff(bowl.expr, x) == 2*x + y
    assert sp.solve(bowl.gradient, [x, y]) == {x: 0, y: 0}
    f = sp.lambdify((x, y), bowl.expr)
    assert f(1.0, 2.0) == 7.0 == bowl.value([1, 2])


def test_parse_gives_plain_symbols():
    assert symgd.parse("2x + y") == 2*x + y
    assert symgd.parse("f(x, y) = x y") == x*y
    assert symgd.parse(r"\frac{x^2}{2}") == x**2/2
    assert not real_free(symgd.parse("abs(x) + sqrt(y^2)"))


def test_realness_is_still_used_inside():
    # |x|, sqrt(x^2) and x^2 read for real x: the public form is the same function
    obj = symgd.Objective("sqrt(x^2) + abs(y)^2")
    assert obj.expr == sp.Abs(x) + y**2
    assert obj.gradient == (sp.sign(x), 2*y)
    assert obj.real_symbols == (make_symbol("x"), make_symbol("y"))
    assert obj.real_expr.free_symbols == set(obj.real_symbols)


@pytest.mark.parametrize("text", [
    "abs(x) + abs(x*y - 1)",
    "sqrt(x^2 + y^2 + 1)",
    "log(x^2 + 1) * sign(y) + log(abs(x))",
    "sqrt(abs(x)) + x*log(y^2)",
    "abs(x)^3 + exp(-abs(y))",
])
def test_public_derivatives_are_the_true_derivatives(text):
    """The public gradient and Hessian, lambdified in the user's symbols, agree
    with central differences of the public expression at random points."""
    obj = symgd.Objective(text)
    f = sp.lambdify((x, y), obj.expr, "numpy")
    g = sp.lambdify((x, y), list(obj.gradient), "numpy")
    H = sp.lambdify((x, y), obj.hessian, "numpy")
    rng = np.random.default_rng(3)
    h = 1e-6
    for px, py in rng.uniform(-2.0, 2.0, size=(8, 2)):
        p = np.array([px, py])
        fd = [(f(*(p + h*e)) - f(*(p - h*e))) / (2*h) for e in np.eye(2)]
        np.testing.assert_allclose(np.array(g(px, py), dtype=float), fd, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.array(g(px, py), dtype=float), obj.grad(p), rtol=1e-12)
        fdh = np.array([(np.array(g(*(p + h*e)), dtype=float)
                         - np.array(g(*(p - h*e)), dtype=float)) / (2*h) for e in np.eye(2)])
        np.testing.assert_allclose(np.array(H(px, py), dtype=float), fdh.T,
                                   rtol=1e-4, atol=1e-5)


def test_derivative_of_abs_is_sign_of_the_user_symbol():
    obj = symgd.Objective("abs(x)")
    assert obj.gradient == (sp.sign(x),)
    assert obj.gradient[0].subs(x, -3) == -1


# ------------------------------------------------------------------ mappings

def test_points_keyed_by_symbols(bowl):
    assert bowl.value({x: 1, y: 2}) == 7.0
    np.testing.assert_array_equal(bowl.grad({x: 1, y: 2}), [4.0, 5.0])
    np.testing.assert_array_equal(bowl.grad({x: 1, "y": 2}), [4.0, 5.0])
    np.testing.assert_array_equal(bowl.hess({y: 0, x: 0}), [[2, 1], [1, 2]])
    res = symgd.descend(bowl, start={x: 1, y: 2}, lr=0.1)
    same = symgd.descend(bowl, start=[1, 2], lr=0.1)
    np.testing.assert_array_equal(res.x, same.x)
    assert res.success


def test_point_giving_a_name_twice_is_refused(bowl):
    with pytest.raises(symgd.InputError, match="'x' twice"):
        bowl.value({x: 1, "x": 2, y: 0})
    with pytest.raises(symgd.InputError, match=r"lacks \['y'\]"):
        bowl.value({x: 1})


def test_exact_table_start_keyed_by_symbols():
    obj = symgd.Objective("x^2 + y^2")
    by_symbol = symgd.descend(obj, start={x: 1, y: 2}, lr=0.25, exact=3)
    by_name = symgd.descend(obj, start={"x": 1, "y": 2}, lr=0.25, exact=3)
    assert by_symbol.history.exact == by_name.history.exact
    # x <- x - 0.25*2x = x/2: the first rows start at (1, 2) and halve
    assert [row[:2] for row in by_symbol.history.exact] == [
        (1, 2), (sp.Rational(1, 2), 1), (sp.Rational(1, 4), sp.Rational(1, 2)),
        (sp.Rational(1, 8), sp.Rational(1, 4))]


# --------------------------------------------------- Objective(sympy_expr)

def test_objective_of_sympy_expression_keeps_the_symbols():
    obj = symgd.Objective(x**2 + sp.sin(x*y))
    assert obj.variables == (x, y)
    assert all(v.assumptions0 == {"commutative": True} for v in obj.variables)
    assert obj.gradient == (2*x + y*sp.cos(x*y), x*sp.cos(x*y))


def test_symbols_with_assumptions_are_kept():
    p = sp.Symbol("p", positive=True)
    q = sp.Symbol("q", real=True)
    obj = symgd.Objective(p**2 + q**2 + p*q)
    assert obj.variables == (p, q)      # Symbol equality includes the assumptions
    assert obj.variables[0].is_positive and obj.variables[0] != sp.Symbol("p")
    assert obj.gradient == (2*p + q, p + 2*q)
    assert obj.expr.free_symbols == {p, q}
    # a variable given as a symbol in variables= is that symbol
    t = sp.Symbol("t", nonnegative=True)
    assert symgd.Objective("t^2", variables=[t]).variables == (t,)


def test_from_function_gives_plain_symbols():
    obj = symgd.Objective.from_function(lambda x, y: (1 - x)**2 + 100*(y - x**2)**2)
    assert obj.variables == (x, y)
    assert obj.gradient[1] == 200*(y - x**2)


def test_objective_of_an_objective_keeps_the_symbols(bowl):
    again = symgd.Objective(bowl)
    assert again.variables == (x, y) and again.gradient == bowl.gradient


# -------------------------------------------------------------- data losses

def test_data_loss_expressions_are_in_plain_symbols():
    data = {"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.5]}
    L = symgd.mse("w*x + b", data)
    assert L.variables == (b, w)
    assert not real_free(L.gradient) and not real_free(L.expr) and not real_free(L.hessian)
    i, M = L.textbook.i, L.textbook.M
    X, Y = sp.IndexedBase("x"), sp.IndexedBase("y")
    assert L.gradient[0] == 2*sp.Sum(b + w*X[i] - Y[i], (i, 1, M))/M
    # substituting the user's symbols changes the expression
    assert L.gradient[0].subs(b, 1) == 2*sp.Sum(1 + w*X[i] - Y[i], (i, 1, M))/M
    assert L.value({b: 0, w: 2}) == pytest.approx(np.mean((2*np.array([1, 2, 3.0])
                                                           - [2, 4, 6.5])**2))


# --------------------------------------------------------------- reports

def test_explain_results_in_user_symbols():
    e = symgd.explain("abs(x)*y + sqrt(x^2 + 1)")
    assert e.variables == (x, y)
    assert e.result == (y*sp.sign(x) + x/sp.sqrt(x**2 + 1), sp.Abs(x))
    assert all(not real_free(s.result) and not real_free(s.expr) for s in e.steps)
    # the shown form is kept as it was derived
    assert "∂/∂x(y*Abs(x)) = y*∂/∂x(Abs(x))" in e.text()


def test_check_reads_claims_in_user_symbols(bowl):
    report = symgd.check_gradient(bowl, [2*x + y, x + 2*y])
    assert report.ok
    assert [c.claimed for c in report.components] == ["2*x + y", "x + 2*y"]
    assert symgd.check_gradient(bowl, {x: 2*x + y, y: x + 2*y}).ok
    assert not symgd.check_gradient(bowl, [2*x, x + 2*y]).ok
    assert symgd.check_hessian(bowl, sp.Matrix([[2, 1], [1, 2]])).ok


# ---------------------------------------------------- constants in claims

def test_claim_with_the_objectives_constants():
    obj = symgd.Objective("a*x^2", constants={"a": 2.5})
    assert obj.constants == {"a": sp.Rational(5, 2)}
    assert obj.gradient == (5*x,)
    right = symgd.check_gradient(obj, "2a*x")
    assert right.ok and "= 5*x" in right.components[0].summary()
    assert symgd.check_gradient(obj, [2*sp.Symbol("a")*x]).ok
    wrong = symgd.check_gradient(obj, "3a*x")
    assert not wrong.ok and wrong.components[0].mistake is not None
    assert symgd.check_hessian(obj, "2a").ok and not symgd.check_hessian(obj, "a").ok


def test_claim_with_constants_of_a_model():
    data = {"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.5]}
    L = symgd.mse("a*w*x + b", data, constants={"a": 2})
    assert L.constants == {"a": 2}
    assert symgd.check_gradient(L, ["2*(a*w*x + b - y)", "2*a*x*(a*w*x + b - y)"]).ok
    assert not symgd.check_gradient(L, ["2*(a*w*x + b - y)", "2*x*(a*w*x + b - y)"]).ok


def test_constants_carry_over_and_unknown_names_still_refused():
    obj = symgd.Objective(symgd.Objective("a*x^2", constants={"a": 3}))
    assert obj.constants == {"a": 3} and symgd.check_gradient(obj, "2a*x").ok
    with pytest.raises(symgd.InputError, match="uses c"):
        symgd.check_gradient(obj, "2c*x")


def test_network_expression_is_in_plain_symbols():
    net = symgd.mlp((1, 1), activation="sigmoid", output="sigmoid")
    weight, bias, x1 = sp.symbols(f"{net.params[0]} {net.params[1]} x1")
    assert net.expr == symgd.expr.registry.sigmoid(weight*x1 + bias)
    assert not real_free(net.expr)


def test_fitted_model_of_one_feature_is_drawn(tmp_path):
    from symgd.plot.data import one_feature_model, predict
    data = {"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.5]}
    L = symgd.mse("w*x + b", data)
    fn, feature = one_feature_model(L)
    assert feature.name == "x"
    np.testing.assert_allclose(predict(fn, np.array([0.0, 2.0]), np.array([1.0, 3.0])),
                               [1.0, 7.0])          # b + w*x with b = 1, w = 3
