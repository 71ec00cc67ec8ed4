"""Scale-free derivative verdicts: a small or a large derivative is compared
relative to its own size, in check_gradient, check_hessian and check_grad.

The truth of every case is independent of symgd: the claims are the exact
derivatives (sympy.diff, written out by hand) or those with one known change
(a sign, a factor), and scipy.optimize.rosen_der is the Rosenbrock oracle.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import rosen, rosen_der

from symgd.check import DIFFERENT, check_grad, check_gradient, check_hessian
from symgd.check.sampling import close, scale_floor, settings


def exact_gradient(text: str, names: str) -> list[sp.Expr]:
    """The oracle: sympy.diff of the function, one partial per name."""
    f = sp.sympify(text.replace("^", "**"))
    return [sp.diff(f, sp.Symbol(n)) for n in names.split()]


# ------------------------------------------------- check_gradient, check_hessian

SCALED = [
    # (function, variables, the change made to the exact gradient, right?)
    ("1e-10*x**2", "x", 1, True),
    ("1e-10*x**2", "x", -1, False),
    ("6.674e-11*x*y", "x y", 1, True),
    ("6.674e-11*x*y", "x y", -1, False),          # both signs wrong
    ("exp(100*x)", "x", 1, True),
    ("exp(100*x)", "x", -1, False),
    ("exp(100*x)", "x", sp.Rational(1, 100), False),   # the chain factor forgotten
    ("1e10*x**2", "x", 1, True),
    ("1e10*x**2", "x", -1, False),
    ("1e10*x**2", "x", sp.Rational(1, 2), False),
    ("1e-8*(x**2 + y**2 + z**2)", "x y z", 1, True),
    ("1e-8*(x**2 + y**2 + z**2)", "x y z", sp.Rational(101, 100), False),
    ("1e8*(x**2 + y**2 + z**2)", "x y z", 1, True),
    ("1e8*(x**2 + y**2 + z**2)", "x y z", sp.Rational(101, 100), False),
]


@pytest.mark.parametrize("atol", [None, 0.0])
@pytest.mark.parametrize("function, names, change, right", SCALED)
def test_scaled_gradients_get_the_true_verdict(function, names, change, right, atol):
    claimed = [change * d for d in exact_gradient(function, names)]
    options = {} if atol is None else {"atol": atol}
    report = check_gradient(function, claimed, variables=names.split(), **options)
    assert report.ok is right, report.text()
    if not right:
        assert all(c.verdict == DIFFERENT for c in report.components), report.text()
        for c in report.components:      # the counterexample is true: the values differ
            a, t = c.counterexample.claimed, c.counterexample.true
            assert abs(a - t) > 1e-7 * max(abs(a), abs(t))
        assert "numerically right" not in report.text()


def test_the_examples_of_the_issue():
    assert not check_gradient("1e-10*x^2", "-2e-10*x").ok
    assert check_gradient("1e-10*x^2", "2e-10*x").ok
    assert not check_gradient("6.674e-11*x*y", "-6.674e-11*y, -6.674e-11*x").ok


@pytest.mark.parametrize("sign, right", [(1, True), (-1, False)])
def test_a_small_gradient_given_as_a_function_is_checked_relative_to_its_size(sign, right):
    # A Python function is checked numerically only: no symbolic step to rescue it.
    report = check_gradient("1e-10*x^2 + 6.674e-11*x*y", lambda x, y: (
        sign * (2e-10 * x + 6.674e-11 * y), sign * 6.674e-11 * x), atol=0)
    assert report.ok is right, report.text()
    if not right:
        assert [c.verdict for c in report.components] == [DIFFERENT, DIFFERENT]


def test_round_off_at_a_true_zero_is_not_a_mistake():
    # ∂f/∂y is 0; the claim's value there is sin² + cos² - 1, 0 up to round-off.
    report = check_gradient("x^2", lambda x, y: (2 * x, math.sin(x) ** 2 + math.cos(x) ** 2 - 1),
                            variables=["x", "y"], atol=0)
    assert report.ok, report.text()


@pytest.mark.parametrize("sign, right", [(1, True), (-1, False)])
def test_a_small_hessian_is_checked_relative_to_its_size(sign, right):
    claimed = f"{sign * 2e-10}*y, {sign * 2e-10}*x; {sign * 2e-10}*x, 0"
    report = check_hessian("1e-10*x^2*y", claimed, atol=0)
    assert report.ok is right, report.text()


def test_points_include_large_magnitudes():
    # Right for |x| <= 3, wrong by 2(|x| - 3) beyond: only a point outside ±2.5 shows it.
    report = check_gradient("x^2", "2*x + abs(abs(x) - 3) + abs(x) - 3")
    c = report.components[0]
    assert c.verdict == DIFFERENT, report.text()
    x = c.counterexample.point["x"]
    assert abs(x) > 3
    assert c.counterexample.true == pytest.approx(2 * x)


def test_points_respect_the_domain():
    # log's derivative: a sign error is found at a point where log is defined.
    c = check_gradient("log(x)", "-1/x").components[0]
    assert c.verdict == DIFFERENT and c.counterexample.point["x"] > 0
    assert check_gradient("log(x)", "1/x").ok


def test_the_comparison_is_relative_and_the_floor_scales():
    s = settings(20, 0, 2, 1e-7, 0)
    t = np.array([[2e-10], [-3e-10], [5e-10]])
    assert not close(-t, t, s, scale_floor(t)).any()
    assert close(t * (1 + 1e-9), t, s, scale_floor(t)).all()
    for factor in (1e-30, 1e30):        # the same verdicts at any scale
        assert (scale_floor(factor * t) == pytest.approx(factor * scale_floor(t)))
        assert not close(-factor * t, factor * t, s, scale_floor(factor * t)).any()
    # a user's atol is still honoured
    assert close(-t, t, settings(20, 0, 2, 1e-7, 1e-9), scale_floor(t)).all()


# ---------------------------------------------------------------- check_grad

def exp100(v):
    return np.exp(100 * v[0])


@pytest.mark.parametrize("complex_step", [True, False])
@pytest.mark.parametrize("sign, right", [(1, True), (-1, False)])
def test_check_grad_exp_100x(sign, right, complex_step):
    report = check_grad(exp100, lambda v: np.array([sign * 100 * np.exp(100 * v[0])]), [-1.0],
                        complex_step=complex_step)
    assert report.ok is right, report.text()
    assert report.method == ("complex step" if complex_step else "central differences")
    if not right:
        assert "right" not in report.text() and report.worst.name == "x[0]"


def rtol_of(report):
    return 1e-9 if report.method == "complex step" else 1e-6


def assert_never_right_beside_a_large_error(report):
    for c in report.components:
        assert c.ok == (c.rel_error <= rtol_of(report)), c.line()


X10 = np.random.default_rng(3).uniform(-2, 2, 10)     # all ten partials far from 0


@pytest.mark.parametrize("complex_step", [True, False])
def test_check_grad_rosenbrock_10d_right(complex_step):
    report = check_grad(rosen, rosen_der, X10, complex_step=complex_step)
    assert report.ok, report.text()
    assert_never_right_beside_a_large_error(report)


PERTURBATIONS = {"sign": -1.0, "factor 1.01": 1.01, "1e-6 relative": 1 + 1e-6}


def perturbed(k, factor, scale=1.0):
    def grad(x):
        g = scale * rosen_der(x)
        g[k] *= factor
        return g
    return grad


@pytest.mark.parametrize("what", PERTURBATIONS)
@pytest.mark.parametrize("k", range(10))
def test_check_grad_rosenbrock_10d_names_the_wrong_component(k, what):
    report = check_grad(rosen, perturbed(k, PERTURBATIONS[what]), X10)
    assert report.method == "complex step"
    assert [c.name for c in report.components if not c.ok] == [f"x[{k}]"], report.text()
    assert report.worst.name == f"x[{k}]"
    assert_never_right_beside_a_large_error(report)
    assert f"1 of 10 components is wrong: x[{k}]" in report.text()


@pytest.mark.parametrize("what", ["sign", "factor 1.01"])
@pytest.mark.parametrize("k", range(10))
def test_check_grad_rosenbrock_10d_by_central_differences(k, what):
    report = check_grad(rosen, perturbed(k, PERTURBATIONS[what]), X10, complex_step=False)
    assert [c.name for c in report.components if not c.ok] == [f"x[{k}]"], report.text()
    assert_never_right_beside_a_large_error(report)


@pytest.mark.parametrize("scale", [1e-12, 1e-8, 1e8, 1e12])
@pytest.mark.parametrize("complex_step", [True, False])
def test_check_grad_verdicts_do_not_depend_on_the_scale(scale, complex_step):
    def f(x):
        return scale * rosen(x)
    assert check_grad(f, perturbed(0, 1.0, scale), X10, complex_step=complex_step).ok
    whats = ["sign", "factor 1.01"] + (["1e-6 relative"] if complex_step else [])
    for what in whats:
        for k in (0, 4, 9):
            report = check_grad(f, perturbed(k, PERTURBATIONS[what], scale), X10,
                                complex_step=complex_step)
            assert [c.name for c in report.components if not c.ok] == [f"x[{k}]"], \
                (what, report.text())
            assert_never_right_beside_a_large_error(report)


@pytest.mark.parametrize("scale", [1e-8, 1e8])
@pytest.mark.parametrize("power", [2, 3])
def test_check_grad_badly_scaled_sums(scale, power):
    # sum |x_i|^power: abs is not complex-analytic for power 3, so central differences.
    x0 = np.linspace(-1.7, 2.3, 10)

    def f(x):
        return scale * np.sum(np.abs(x) ** power) if power == 3 else scale * np.sum(x ** 2)

    def grad(x):
        return scale * power * x * np.abs(x) ** (power - 2)

    assert check_grad(f, grad, x0).ok
    for k in (0, 7):
        for factor in (-1.0, 1.01):
            def bad(x, k=k, factor=factor):
                g = grad(x)
                g[k] *= factor
                return g
            report = check_grad(f, bad, x0)
            assert [c.name for c in report.components if not c.ok] == [f"x[{k}]"], \
                report.text()
            assert_never_right_beside_a_large_error(report)


def test_check_grad_tolerates_round_off_at_a_zero_component():
    # ∂f/∂x[1] is 0 at x[1] = 0; the claim there is round-off.
    def grad(x):
        return np.array([2 * x[0], np.sin(x[0]) ** 2 + np.cos(x[0]) ** 2 - 1])
    report = check_grad(lambda x: x[0] ** 2 + x[1] ** 2, grad, [0.7, 0.0])
    assert report.ok, report.text()


def test_check_grad_keeps_a_users_atol():
    bad = lambda v: np.array([-100 * np.exp(100 * v[0])])   # noqa: E731
    assert check_grad(exp100, bad, [-1.0], atol=1e-30).ok
    assert not check_grad(exp100, bad, [-1.0]).ok


@pytest.mark.parametrize("complex_step", [True, False])
def test_check_grad_at_an_exact_zero_of_the_whole_gradient(complex_step):
    def f(x):
        return x[0] ** 2 + x[1] ** 2
    report = check_grad(f, lambda x: 2 * x, [0.0, 0.0], complex_step=complex_step)
    assert report.ok and report.worst.name == "x[0]", report.text()
    report = check_grad(f, lambda x: 2 * x + 1.0, [0.0, 0.0], complex_step=complex_step)
    assert not report.ok and "right" not in report.text()
