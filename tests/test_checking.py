"""Derivative checks, against independent oracles: hand-written derivatives
evaluated with ``math``, ``scipy.optimize.rosen_der``, ``approx_fprime`` and
``check_grad``, and the car lesson's published table recomputed with NumPy."""

from __future__ import annotations

import json
import math
import os
import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import approx_fprime, rosen, rosen_der
from scipy.optimize import check_grad as scipy_check_grad

import symgd
from symgd.check import (DIFFERENT, EQUAL, UNDECIDED, GradientReport, HessianReport,
                         NumericReport, StepsReport, check_grad, check_gradient, check_hessian,
                         check_report_exit_code, check_steps)

from oracles import BOWL, cars_loss


def at(counterexample, *names):
    return [counterexample.point[n] for n in names]


# ------------------------------------------------------- wrong claims caught

def test_sign_error_is_named_with_a_true_counterexample():
    report = check_gradient(BOWL, "2x + y, -x - 2y")
    right, wrong = report.components
    assert right.verdict == EQUAL and wrong.verdict == DIFFERENT
    assert wrong.mistake.kind == "sign error"
    x, y = at(wrong.counterexample, "x", "y")
    assert wrong.counterexample.claimed == pytest.approx(-x - 2 * y, rel=1e-12)
    assert wrong.counterexample.true == pytest.approx(x + 2 * y, rel=1e-12)
    assert abs(wrong.counterexample.claimed - wrong.counterexample.true) > 1e-6
    assert not report.ok and report.wrong == (wrong,)
    assert "∂f/∂y: claimed -x - 2y is WRONG (sign error): at (x = " in str(report)


def test_missing_chain_rule_factor():
    report = check_gradient("sin(x^2)", ["cos(x^2)"])
    c = report[0]
    assert c.verdict == DIFFERENT and c.mistake.kind == "chain rule"
    assert "2*x" in c.mistake.detail and "x**2" in c.mistake.detail
    (x,) = at(c.counterexample, "x")
    assert c.counterexample.claimed == pytest.approx(math.cos(x * x), rel=1e-12)
    assert c.counterexample.true == pytest.approx(2 * x * math.cos(x * x), rel=1e-12)


@pytest.mark.parametrize("objective, claimed, factor", [
    ("sin(3x)", "cos(3x)", "3"),                 # a constant inner derivative
    ("exp(-x^2)", "exp(-x^2)", "-2*x"),
    ("log(x^2 + 1)", "1/(x^2 + 1)", "2*x"),
    ("sin(sin(x))", "cos(sin(x))", "cos(x)"),
])
def test_more_chain_rule_factors(objective, claimed, factor):
    c = check_gradient(objective, claimed)[0]
    assert c.mistake.kind == "chain rule"
    assert f"factor {factor}," in c.mistake.detail


def test_partial_with_respect_to_the_other_variable():
    report = check_gradient(BOWL, "x + 2y, 2x + y")
    assert [c.mistake.kind for c in report.components] == ["wrong variable"] * 2
    assert "∂f/∂y" in report[0].mistake.detail


def test_variables_exchanged():
    report = check_gradient("x^3*y", "3y^2*x, y^3")
    assert [c.mistake.kind for c in report.components] == ["exchanged variables"] * 2
    assert "x and y exchanged" in report[1].mistake.detail


def test_wrong_constant_factor():
    c = check_gradient("x^3", "2x^2")[0]
    assert c.verdict == DIFFERENT and c.mistake.kind == "constant factor"
    assert "2/3 times" in c.mistake.detail
    (x,) = at(c.counterexample, "x")
    assert c.counterexample.true == pytest.approx(3 * x * x, rel=1e-12)


def test_wrong_constant_term():
    c = check_gradient("x^3 + 2x", "3x^2")[0]
    assert c.mistake.kind == "constant term" and "- 2" in c.mistake.detail


def test_a_factor_found_symbolically():
    # No inner expression explains it; the child process finds the ratio.
    c = check_gradient("x^2*y", "x, x^2")[0]
    assert c.verdict == DIFFERENT and c.mistake.kind == "missing factor"
    assert "2*y" in c.mistake.detail


# ----------------------------------------- right claims written differently

@pytest.mark.parametrize("objective, claimed", [
    (BOWL, "2*(x+y) - y, x + 2y"),              # expand
    ("(x+1)^3", "3x^2 + 6x + 3"),               # expanded form of the factored derivative
    ("x^3 + 3x^2 + 3x + 1", "3(x+1)^2"),         # factored form of the expanded one
    ("sin(x)^2", "sin(2x)"),                     # trig identity
    ("x*log(x)", "log(x) + exp(log(x))/x"),
    ("(x^2 - 1)/(x - 1)", "1"),                  # cancel
    ("log(x*y)", "1/x, 1/y"),
])
def test_right_claims_written_differently(objective, claimed):
    report = check_gradient(objective, claimed)
    assert report.ok, str(report)
    assert all(c.verdict == EQUAL for c in report.components)


def test_equal_only_where_the_function_is_defined():
    # log(x^2)/2 = log(x) only for x > 0, where x*log(x) is defined: SymPy
    # (symbols real) cannot prove it; every point used has x > 0.
    c = check_gradient("x*log(x)", "log(x^2)/2 + 1")[0]
    assert c.verdict in (EQUAL, UNDECIDED) and c.ok
    assert c.points_used == c.points_agree == 20 and c.points_skipped == 0
    if c.verdict == UNDECIDED:
        assert "numerically right: equal at 20 random points" in c.summary()


def test_claim_undefined_where_the_true_partial_is_defined():
    c = check_gradient("x*log(abs(x))", "log(x) + 1")[0]
    assert not c.ok and c.points_skipped > 0
    assert c.undefined_at.point["x"] < 0
    assert "is undefined at" in c.summary()


def test_float_cancellation_is_not_a_counterexample():
    # The expanded derivative of (x+1)^20 loses digits at x < -1 in float64;
    # the exact re-evaluation refutes those points and expand proves equality.
    x = sp.Symbol("x", real=True)
    claimed = str(sp.expand(20 * (x + 1) ** 19)).replace("**", "^")
    c = check_gradient("(x+1)^20", claimed, points=40)[0]
    assert c.verdict == EQUAL and c.points_agree == c.points_used


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=1, max_size=3), st.integers(1, 5),
       st.integers(1, 9))
def test_every_polynomial(coefficients, top, offset):
    # Degree 2 or more, so the derivative is not constant (for a constant one a
    # constant term and a constant factor explain a wrong value equally well).
    coefficients = [*coefficients, top]
    x = sp.Symbol("x", real=True)
    f = sum(c * x ** k for k, c in enumerate(coefficients, start=1))
    exact = sp.expand(sp.diff(f, x))
    assert check_gradient(f, [sp.factor(exact)]).ok
    c = check_gradient(f, [exact + offset])[0]
    assert c.verdict == DIFFERENT and c.mistake.kind == "constant term"


# ----------------------------------------------------------------- callables

def rosen_with_a_flipped_sign(v):
    g = rosen_der(v)
    g[2] = -g[2]
    return g


def test_callable_with_one_wrong_component_against_rosen_der():
    obj = symgd.Objective.from_function(rosen, n=4)
    report = check_gradient(obj, rosen_with_a_flipped_sign)
    assert [c.verdict for c in report.components] == [UNDECIDED, UNDECIDED, DIFFERENT,
                                                      UNDECIDED]
    bad = report[2]
    assert bad.label == "∂rosen/∂x3" and bad.mistake.kind == "sign error"
    point = np.array(at(bad.counterexample, "x1", "x2", "x3", "x4"))
    assert bad.counterexample.true == pytest.approx(rosen_der(point)[2], rel=1e-12)
    assert "rosen_with_a_flipped_sign(x)[2] is WRONG" in str(report)
    assert check_gradient(obj, rosen_der).ok


def test_callable_of_scalars_and_of_a_vector():
    assert check_gradient(BOWL, lambda x, y: (2 * x + y, 2 * y + x)).ok
    assert check_gradient(BOWL, lambda v: np.array([2 * v[0] + v[1], v[0] + 2 * v[1]])).ok
    report = check_gradient(BOWL, lambda x, y: [2 * x + y, 2 * y - x])
    assert [c.ok for c in report.components] == [True, False]
    assert "agrees with the exact partial at 20 random points" in report[0].summary()


def test_callable_that_fails_outside_the_domain():
    # math.log raises for x <= 0, where x*log(x) is undefined too: not an error.
    assert check_gradient("x*log(x)", lambda x: math.log(x) + 1).ok


# ------------------------------------------------------------------ Hessian

def test_hessian_forms():
    f = "x^2*y + y^3"
    for claimed in ("2y, 2x; 2x, 6y", "[[2y, 2x], [2x, 6y]]", [["2y", "2x"], ["2x", "6y"]],
                    sp.Matrix([[2 * sp.Symbol("y"), 2 * sp.Symbol("x")],
                               [2 * sp.Symbol("x"), 6 * sp.Symbol("y")]]),
                    lambda v: np.array([[2 * v[1], 2 * v[0]], [2 * v[0], 6 * v[1]]])):
        report = check_hessian(f, claimed)
        assert isinstance(report, HessianReport) and report.ok, str(report)
    report = check_hessian(f, "2y, 2x; 2y, 3y")
    assert [c.label for c in report.wrong] == ["∂²f/∂y∂x", "∂²f/∂y²"]
    assert report[3].mistake.kind == "constant factor"


# -------------------------------------------------------- data (lesson) losses

CARS = cars_loss()


def test_per_row_derivatives_of_a_data_loss():
    report = check_gradient(CARS, "2*weight*(w*weight + b - mpg), 2*(w*weight + b - mpg)")
    assert report.ok and "one row's loss" in report.note
    c = check_gradient(CARS, "2*(w*weight + b - mpg), 2*(w*weight + b - mpg)")[0]
    assert c.mistake.kind == "chain rule" and "factor weight" in c.mistake.detail


def test_callable_gradient_of_a_data_loss():
    weight, mpg = CARS.data["weight"], CARS.data["mpg"]

    def grad(v):
        r = v[0] * weight + v[1] - mpg
        return np.array([2 * np.mean(weight * r), 2 * np.mean(r)])
    assert check_gradient(CARS, grad).ok
    assert not check_gradient(CARS, lambda v: grad(v) * [1, 0.5]).ok


# --------------------------------------------------------------- check_grad

X0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])


def test_check_grad_on_a_correct_gradient_beats_scipy():
    central = check_grad(rosen, rosen_der, X0, complex_step=False)
    assert central.ok and central.method == "central differences"
    assert central.max_abs_error < 1e-6
    assert central.error < scipy_check_grad(rosen, rosen_der, X0)
    # Our central estimate and SciPy's forward difference agree within the
    # forward difference's own error against the exact gradient.
    estimate = np.array([c.estimate for c in central.components])
    forward = approx_fprime(X0, rosen)
    assert np.all(np.abs(estimate - forward)
                  <= np.abs(forward - rosen_der(X0)) + 1e-6 * np.abs(rosen_der(X0)))


def test_check_grad_complex_step():
    report = check_grad(rosen, rosen_der, X0)
    assert report.method == "complex step" and report.ok
    assert report.max_abs_error < 1e-12 * np.abs(rosen_der(X0)).max()
    f = lambda v: np.exp(v[0]) * np.sin(v[1]) / (1 + v[0] ** 2)  # noqa: E731
    g = lambda v: np.array([np.exp(v[0]) * np.sin(v[1]) * (1 - v[0]) ** 2  # noqa: E731
                            / (1 + v[0] ** 2) ** 2,
                            np.exp(v[0]) * np.cos(v[1]) / (1 + v[0] ** 2)])
    smooth = check_grad(f, g, [0.4, 1.1])
    assert smooth.method == "complex step" and smooth.max_abs_error < 1e-12
    assert smooth.max_abs_error <= check_grad(f, g, [0.4, 1.1],
                                              complex_step=False).max_abs_error


def test_check_grad_names_the_wrong_component():
    def grad(v):
        g = rosen_der(v)
        g[3] *= 1.001
        return g
    for complex_step in (True, False):
        report = check_grad(rosen, grad, X0, complex_step=complex_step)
        assert [c.ok for c in report.components] == [True, True, True, False, True]
        assert report.worst.name == "x[3]" and "worst: x[3]" in str(report)


def test_check_grad_falls_back_to_central_differences():
    f = lambda v: math.exp(v[0]) * math.sin(v[1])  # noqa: E731  (math: real only)
    g = lambda v: [math.exp(v[0]) * math.sin(v[1]), math.exp(v[0]) * math.cos(v[1])]  # noqa
    report = check_grad(f, g, [0.3, 1.1])
    assert report.method == "central differences" and report.ok and report.note
    kinked = check_grad(lambda v: np.abs(v).sum(), np.sign, [0.3, -1.1])
    assert kinked.method == "central differences" and kinked.ok   # abs is not analytic
    with pytest.raises(symgd.InputError, match="complex step is not possible"):
        check_grad(f, g, [0.3, 1.1], complex_step=True)


# -------------------------------------------------------------- check_steps

LESSON_ROWS = [(0, 0), (1.2, 0.34), (2.75, 0.59), (3.17, 0.72), (3.47, 0.82), (3.68, 0.9)]
LESSON_LOSSES = [303.71, 170.67, 67.3, 50.63, 42.1, 37.74]


def numpy_step(w, b, lr=0.01):
    x, y = CARS.data["weight"], CARS.data["mpg"]
    r = w * x + b - y
    return w - lr * 2 * np.mean(x * r), b - lr * 2 * np.mean(r)


def numpy_loss(w, b):
    x, y = CARS.data["weight"], CARS.data["mpg"]
    return float(np.mean((w * x + b - y) ** 2))


@pytest.mark.parametrize("decimals", [None, 2])
def test_car_lesson_table(decimals):
    report = check_steps(CARS, LESSON_ROWS, 0.01, decimals=decimals, losses=LESSON_LOSSES)
    assert isinstance(report, StepsReport) and not report.ok
    first, second, *rest = report.steps
    assert first.follows and first.expected == pytest.approx(numpy_step(0, 0), rel=1e-12)
    assert first.expected_shown == (("1.2", "0.34") if decimals is None else ("1.20", "0.34"))
    assert not second.follows and second.component_follows == (False, True)
    assert second.expected == pytest.approx(numpy_step(1.2, 0.34), rel=1e-12)
    assert second.expected_shown == (("2.05", "0.59") if decimals is None else ("2.05", "0.59"))
    assert second.lr_range is None                  # no single lr gives (2.75, 0.59)
    assert second.implied_lr[1] == pytest.approx(0.01, abs=2e-4)
    # Later rows follow from the row printed before them, but not from an
    # uninterrupted run from the start.
    assert all(s.follows and not s.matches_chained for s in rest)
    assert [s.row for s in report.bad_rows] == [2]
    # The published losses are the loss at the printed, rounded points.
    assert report.losses_explained == "printed"
    for row, (w, b) in zip(report.losses, LESSON_ROWS):
        assert row.at_printed == pytest.approx(numpy_loss(w, b), rel=1e-12)
    assert not report.losses[2].matches_recomputed
    text = str(report)
    assert "row 2 (w = 2.75, b = 0.59): does NOT follow from row 1" in text
    assert "rounds to (w = 2.05, b = 0.59)" in text
    assert "published losses are the loss at the printed (rounded) points" in text


def test_car_lesson_numbered_as_printed():
    report = check_steps(CARS, LESSON_ROWS, 0.01, first_row=1)
    assert [s.row for s in report.bad_rows] == [3]
    assert "row 3 (w = 2.75, b = 0.59): does NOT follow from row 2" in str(report)


def test_steps_that_follow_and_tolerance():
    rows = [[1, 1], [0.7, 0.7], [0.49, 0.49], [0.343, 0.343]]
    assert check_steps(BOWL, rows, 0.1).ok
    assert check_steps(BOWL, rows, 0.1, tol=1e-12).ok
    assert not check_steps(BOWL, [[1, 1], ["0.70", "0.71"]], 0.1).ok   # strings keep digits
    report = check_steps(BOWL, [[1, 1], [0.4, 0.4]], 0.1, decimals=1)
    # 1 - 3*lr must round to 0.4: lr in [0.55/3, 0.65/3]
    assert report.steps[0].lr_range == pytest.approx((0.55 / 3, 0.65 / 3), rel=1e-9)


# ----------------------------------------------------------------- timeouts

def hard_zero(k_max=10):
    x, y = sp.symbols("x y", real=True)
    return sum((sp.sin(k * x + y) ** 2 + sp.cos(k * x + y) ** 2 - 1) / (x ** 2 + k)
               for k in range(1, k_max + 1))


def test_hard_simplification_is_undecided_within_the_timeout():
    x, y = sp.symbols("x y", real=True)
    started = time.monotonic()
    report = check_gradient(x ** 2 * sp.sin(y), [2 * x * sp.sin(y) + hard_zero(),
                                                 x ** 2 * sp.cos(y)], timeout=0.5)
    elapsed = time.monotonic() - started
    assert elapsed < 0.5 + 1.0
    hard = report[0]
    assert hard.verdict == UNDECIDED and hard.numeric == "equal" and hard.ok
    assert "numerically right: equal at 20 random points" in hard.summary()
    assert report[1].verdict == EQUAL and report.ok and not report.symbolic_finished
    # A wrong claim hidden in the same hard expression is still caught.
    wrong = check_gradient(x ** 2 * sp.sin(y), [2 * x * sp.sin(y) + hard_zero() + x,
                                                x ** 2 * sp.cos(y)], timeout=0.5)
    assert wrong[0].verdict == DIFFERENT


def no_process_can_be_started(*args, **kwargs):
    raise OSError(11, "Resource temporarily unavailable")


def test_without_child_processes_the_check_is_numeric_only(monkeypatch):
    # A sandbox that forbids new processes: the symbolic work cannot run, so
    # the report says the claim was checked numerically only, and why.
    monkeypatch.setattr(os, "fork", no_process_can_be_started, raising=False)
    monkeypatch.setattr(subprocess, "Popen", no_process_can_be_started)
    report = check_gradient("sin(x)^2", "sin(2x)", timeout=20)
    c = report[0]
    assert c.verdict == UNDECIDED and c.method == "numeric" and c.ok
    assert c.reason == "no process could be started for the symbolic check"
    assert "numerically right: equal at 20 random points, not proven (no process could be started" \
        in c.summary()
    assert not report.symbolic_finished
    assert str(report).splitlines()[-1] == "Right (checked numerically only)."
    wrong = check_gradient("sin(x)^2", "cos(2x)", timeout=20)[0]
    assert wrong.verdict == DIFFERENT          # a counterexample needs no child process


def test_a_new_interpreter_as_the_child(monkeypatch):
    # Where there is no fork (Windows) the child is a new interpreter: the
    # work and its arguments travel pickled, and the proof still comes back.
    monkeypatch.delattr(os, "fork")
    report = check_gradient("sin(x)^2", "sin(2x)", timeout=20)
    assert report[0].verdict == EQUAL and report.symbolic_finished


# ------------------------------------------------------------------ reports

def test_report_forms_and_exit_codes():
    report = check_gradient(BOWL, "2x + y, -x - 2y")
    assert isinstance(report, GradientReport)
    text, md = str(report), report.markdown()
    assert text.splitlines()[0] == "Checking the gradient of x**2 + x*y + y**2 (variables x, y)"
    assert text.splitlines()[-1] == "1 of 2 partials is wrong: ∂f/∂y."
    assert "| ∂f/∂y | `-x - 2y` | **WRONG** |" in md
    data = json.loads(report.to_json())
    assert data["ok"] is False and data["components"][1]["mistake"]["kind"] == "sign error"
    assert data["components"][1]["counterexample"]["point"].keys() == {"x", "y"}
    assert check_report_exit_code(report) == 1
    assert check_report_exit_code(check_gradient(BOWL, "2x + y, 2y + x")) == 0
    steps = check_steps(CARS, LESSON_ROWS, 0.01, losses=LESSON_LOSSES)
    assert check_report_exit_code(steps) == 1 and json.loads(steps.to_json())["bad_rows"] == [2]
    assert "| 2 | (w = 2.75, b = 0.59) | (w = 2.05229, b = 0.589691) | **no** |" in steps.markdown()
    numeric = check_grad(rosen, rosen_der, X0)
    assert isinstance(numeric, NumericReport) and check_report_exit_code(numeric) == 0
    assert json.loads(numeric.to_json())["worst"].startswith("x[")
    assert "| x[0] |" in numeric.markdown()


def test_json_has_no_nan():
    report = check_gradient("x*log(abs(x))", "log(x) + 1")
    data = json.loads(report.to_json())              # allow_nan=False would raise
    assert data["components"][0]["undefined_at"]["claimed"] is None
    assert check_report_exit_code(report) == 1


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("claimed, error, message", [
    ("2x, 2y, 3", symgd.InputError, "2 partials, but 3 were claimed"),
    ("2x", symgd.InputError, "but 1 was claimed"),
    ("2x +, 2y", symgd.ParseError, "cannot parse '2x +'"),
    ("2x + z, 2y", symgd.InputError, "uses z, which is not a variable"),
    (["2x", "2y + speed + mass"], symgd.InputError, "uses mass, speed, which are not variables"),
    ({"x": "2x"}, symgd.InputError, "no claimed partial for y"),
    ({"x": "2x", "y": "2y", "t": "1"}, symgd.InputError, "name t"),
    (["2x", None], symgd.InputTypeError, "∂f/∂y must be text"),
    (object(), symgd.InputTypeError, "must be text, a list"),
    (lambda v: 1 / 0, symgd.InputError, "raised ZeroDivisionError"),
    (lambda v: np.ones(3), symgd.InputError, "returned shape (3,)"),
    (lambda v: "ab", symgd.InputError, "not numbers"),
])
def test_bad_claims(claimed, error, message):
    with pytest.raises(error) as info:
        check_gradient("x^2 + y^2", claimed)
    assert message in str(info.value)


def test_bad_arguments():
    with pytest.raises(symgd.InputError, match="points"):
        check_gradient(BOWL, "2x + y, 2y + x", points=0)
    with pytest.raises(symgd.InputError, match="timeout"):
        check_gradient(BOWL, "2x + y, 2y + x", timeout=-1)
    with pytest.raises(symgd.InputError, match="2×2"):
        check_hessian(BOWL, "2, 1; 1")
    with pytest.raises(symgd.InputError, match="grad\\(x0\\) returned 1 values"):
        check_grad(lambda v: v @ v, lambda v: 2 * v[:1], [1.0, 2.0])
    with pytest.raises(symgd.InputError, match="f\\(x0\\) raised ZeroDivisionError"):
        check_grad(lambda v: 1 / 0, lambda v: v, [1.0])
    with pytest.raises(symgd.InputError, match="row 1 has 2 values"):
        check_steps("x^2", [[1], [0.8, 2]], 0.1)
    with pytest.raises(symgd.InputError, match="one loss per row"):
        check_steps("x^2", [[1], [0.8]], 0.1, losses=[1])
    with pytest.raises(symgd.InputTypeError):
        check_report_exit_code("ok")


# ------------------------------------------------------------------ example

def test_example_script():
    root = pathlib.Path(__file__).resolve().parent.parent
    script = root / "examples" / "check_homework.py"
    # PYTHONPATH: the example runs with the symgd of this tree, not an installed one.
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env={"MPLBACKEND": "Agg", "PATH": "",
                                            "PYTHONPATH": str(root)},
                          cwd=root)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "∂z/∂x: claimed 2(x + y) - y is right (= 2*x + y)" in out
    assert "∂z/∂y: claimed 3 - x^2 is WRONG (sign error)" in out
    assert "missing chain-rule factor 2*x*y" in out
    assert "∂L/∂b: claimed grad(x)[1] is WRONG (constant factor)" in out
    assert "1 of 2 components is wrong: b" in out
    assert "row 3 (w = 2.75, b = 0.59): does NOT follow from row 2" in out


def test_the_time_limit_covers_reading_and_compiling_the_claim():
    """A claim of ~10,000 characters takes seconds to read and compile: with
    timeout=0.3 the check stops there and says that nothing was compared."""
    import time
    f = "+".join(f"sin({k}*x)*exp(y/{k})" for k in range(1, 200))
    claim = ("+".join(f"{k}*cos({k}*x)*exp(y/{k})" for k in range(1, 200)) + ", "
             + "+".join(f"sin({k}*x)*exp(y/{k})/{k}" for k in range(1, 200)))
    obj = symgd.Objective(f)
    start = time.monotonic()
    report = check_gradient(obj, claim, timeout=0.3)
    assert time.monotonic() - start < 15               # no hang (the limit, a reply, the labels)
    assert not report.ok
    for c in report.components:
        assert (c.verdict, c.method, c.points_used) == ("undecided", "none", 0)
        assert "took longer than timeout = 0.3 s" in c.summary()
    assert report.to_dict()["symbolic_finished"] is False


def test_a_bad_claim_read_in_the_child_is_the_same_error():
    with pytest.raises(symgd.ParseError) as err:
        check_gradient("x^2", "2x +")
    assert err.value.position == 3 and err.value.text == "2x +"
