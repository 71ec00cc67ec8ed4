"""Proof mode, exact decisions of rational claims, and domains in check_gradient.

Every verdict is checked against the truth established independently:
``sympy.diff`` of the function and the claim evaluated with mpmath at 30
digits at the reported point (and the function is real there).
"""

import io
import json

import mpmath
import pytest
import sympy as sp

from symgd import InputError, check_gradient, check_hessian
from symgd.check import DIFFERENT, EQUAL, UNDECIDED, check_report_exit_code
from symgd.cli.main import main

X = sp.Symbol("x", real=True)
TAYLOR_COS_20 = " + ".join(f"(-1)^{k}*x^{2 * k}/{sp.factorial(2 * k)}" for k in range(11))


def _value(text, point):
    """``text`` (SymPy syntax, in x and y) at ``point`` with mpmath at 30 digits."""
    symbols = {n: sp.Symbol(n, real=True) for n in point}
    expr = sp.sympify(text.replace("^", "**"), locals=symbols)
    with mpmath.workdps(30):
        fn = sp.lambdify(list(symbols.values()), expr, "mpmath")
        return mpmath.mpmathify(fn(*(mpmath.mpf(repr(v)) for v in point.values())))


def _true_partial(f, wrt, point):
    """d f / d wrt at ``point``, by sympy.diff then mpmath at 30 digits."""
    symbols = {n: sp.Symbol(n, real=True) for n in point}
    expr = sp.sympify(f.replace("^", "**"), locals=symbols)
    return _value(str(sp.diff(expr, symbols[wrt])), point)


def _real_finite(z):
    z = mpmath.mpc(z)
    return mpmath.isfinite(z.real) and abs(z.imag) < mpmath.mpf(10) ** -25


def _assert_true_counterexample(f, claimed, c, wrt="x"):
    """The reported point is in f's real domain and the claim differs from
    the true partial there, with the values the report gives."""
    where = c.counterexample.point
    assert _real_finite(_value(f, where)), "counterexample outside f's real domain"
    truth = _true_partial(f, wrt, where)
    claim = _value(claimed, where)
    assert _real_finite(truth) and _real_finite(claim)
    assert abs(claim - truth) > mpmath.mpf(10) ** -20 * max(1, abs(truth))
    assert float(mpmath.re(truth)) == pytest.approx(c.counterexample.true, rel=1e-12)
    assert float(mpmath.re(claim)) == pytest.approx(c.counterexample.claimed, rel=1e-12)


# ------------------------------------------------------------ exact decisions

@pytest.mark.parametrize("require", ["numeric", "proof"])
def test_a_polynomial_claim_off_by_1e_7_is_wrong_not_numerically_right(require):
    r = check_gradient("x^2", "2.0000001*x", require=require)
    c = r[0]
    assert c.verdict == DIFFERENT and c.method == "exact" and not r.ok
    _assert_true_counterexample("x^2", "2.0000001*x", c)
    # the two values are shown with enough digits to tell them apart
    assert "claimed 1.3600001, true 1.36" in c.summary()
    assert check_report_exit_code(r) == 1


def test_a_rational_claim_is_proven_exactly_in_strict_mode():
    f, claimed = "x/(1 + x^2)", "(1 - x^2)/(1 + x^2)^2"
    r = check_gradient(f, claimed, require="proof")
    assert r.ok and r[0].verdict == EQUAL and r[0].step == "cancel"
    for v in (-3.7, 0.3, 12.0):     # the truth, independently
        assert abs(_value(claimed, {"x": v}) - _true_partial(f, "x", {"x": v})) < 1e-25


def test_a_nonzero_rational_difference_gets_a_point_in_fs_domain():
    # f is not rational, the difference is: the exact point must have x > 0.
    f, claimed = "log(x) + x^2", "1/x + 2.0000001*x"
    c = check_gradient(f, claimed)[0]
    assert c.verdict == DIFFERENT and c.method == "exact"
    assert c.counterexample.point["x"] > 0
    _assert_true_counterexample(f, claimed, c)


def test_a_two_variable_polynomial_decides_each_component_exactly():
    f = "x^2*y"
    r = check_gradient(f, ["2.0000001*x*y", "x^2"], require="proof")
    assert [c.verdict for c in r] == [DIFFERENT, EQUAL]
    where = r[0].counterexample.point
    assert abs(_value("2.0000001*x*y", where) - _true_partial(f, "x", where)) > 1e-20


def test_a_nonzero_constant_difference_is_never_numerically_right():
    claimed = "cos(x) + 1e-9"
    c = check_gradient("sin(x)", claimed)[0]
    assert c.verdict == DIFFERENT and not c.ok
    _assert_true_counterexample("sin(x)", claimed, c)


def test_a_taylor_polynomial_of_the_derivative_is_wrong():
    c = check_gradient("sin(x)", TAYLOR_COS_20)[0]
    assert c.verdict == DIFFERENT and not c.ok
    _assert_true_counterexample("sin(x)", TAYLOR_COS_20, c)
    assert "only (differs" in c.summary()      # context: right at the random points


# ------------------------------------------------------------------ domains

def test_no_counterexample_where_f_is_not_real():
    # 1/abs(x) is the derivative of log(x) wherever log(x) is real (x > 0).
    r = check_gradient("log(x)", "1/abs(x)")
    c = r[0]
    assert c.verdict != DIFFERENT and r.ok
    assert c.numeric == "equal" and c.points_used > 0
    for v in (0.05, 0.7, 2.4, 310.0):
        assert abs(_value("1/abs(x)", {"x": v}) - _true_partial("log(x)", "x", {"x": v})) \
            < 1e-25
    assert not check_gradient("log(x)", "1/abs(x)", require="proof").ok


def test_a_claim_right_for_positive_x_only_says_so():
    f, claimed = "log(abs(x))", "1/abs(x)"
    c = check_gradient(f, claimed)[0]
    assert c.verdict == DIFFERENT and c.agrees_where == "x > 0"
    assert "right for x > 0 only (differs at (x = " in c.summary()
    assert c.counterexample.point["x"] < 0
    _assert_true_counterexample(f, claimed, c)
    assert c.to_dict()["agrees_where"] == "x > 0"


def test_a_claim_right_for_abs_x_below_pi_only_is_wrong_with_context():
    f, claimed = "acos(cos(x))", "x/abs(x)"
    c = check_gradient(f, claimed)[0]
    assert c.verdict == DIFFERENT and not c.ok
    assert abs(c.counterexample.point["x"]) > float(mpmath.pi)
    _assert_true_counterexample(f, claimed, c)
    assert "right at " in c.summary() and "only (differs" in c.summary()


# -------------------------------------------------------------- strict mode

def test_strict_mode_accepts_a_claim_sympy_proves():
    r = check_gradient("x^2 + x*y + y^2", "2x + y, x + 2y", require="proof")
    assert r.ok and all(c.verdict == EQUAL for c in r)
    assert r.to_dict()["require"] == "proof" and check_report_exit_code(r) == 0
    h = check_hessian("x^2*y", "2y, 2x; 2x, 0", require="proof")
    assert h.ok and h.to_dict()["require"] == "proof"


def test_strict_mode_refuses_a_right_claim_sympy_cannot_prove():
    # 1/x is d/dx log|x| everywhere (independently, at points of both signs) ...
    for v in (-2.3, -0.4, 0.6, 15.0):
        assert abs(_value("1/x", {"x": v}) - _true_partial("log(abs(x))", "x", {"x": v})) \
            < 1e-25
    default = check_gradient("log(abs(x))", "1/x")
    assert default.ok and default[0].verdict == UNDECIDED
    assert "numerically right: equal at 20 random points, not proven" in default[0].summary()
    assert default.to_dict()["require"] == "numeric"
    assert check_report_exit_code(default) == 0
    # ... but SymPy does not prove it: not ok when proof is required.
    strict = check_gradient("log(abs(x))", "1/x", require="proof")
    c = strict[0]
    assert c.verdict == UNDECIDED and not c.ok and not strict.ok and strict.undecided
    assert "UNDECIDED (proof required)" in c.summary() and "not proven" in c.summary()
    assert "not proven" in strict.verdict_line().lower()
    d = strict.to_dict()
    assert d["require"] == "proof" and d["undecided"] is True and d["ok"] is False
    assert d["components"][0]["require"] == "proof"
    assert check_report_exit_code(strict) == 3


def test_strict_mode_when_nothing_could_be_read_in_time():
    r = check_gradient("sin(x)^2", "sin(2x)", timeout=0, require="proof")
    assert not r.ok and r.undecided and check_report_exit_code(r) == 3


def test_strict_mode_with_a_wrong_component_exits_1():
    r = check_gradient("log(abs(x)) + y^2", "1/x, 3y", require="proof")
    assert [c.verdict for c in r] == [UNDECIDED, DIFFERENT]
    assert check_report_exit_code(r) == 1


def test_require_must_be_one_of_the_options():
    for check in (check_gradient, check_hessian):
        with pytest.raises(InputError) as err:
            check("x^2", "2x" if check is check_gradient else "2", require="bogus")
        assert "numeric" in str(err.value) and "proof" in str(err.value)
        assert "bogus" in str(err.value)


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_strict_exit_codes():
    assert _cli("check", "x^2", "--grad", "2x", "--strict")[0] == 0
    assert _cli("check", "x^2", "--grad", "2.0000001x", "--strict")[0] == 1
    assert _cli("check", "log(abs(x))", "--grad", "1/x")[0] == 0
    code, out, _ = _cli("check", "log(abs(x))", "--grad", "1/x", "--strict")
    assert code == 3 and "UNDECIDED (proof required)" in out
    code, out, _ = _cli("check", "log(abs(x))", "--grad", "1/x", "--strict", "--json")
    assert code == 3
    data = json.loads(out)
    assert data["gradient"]["require"] == "proof" and data["gradient"]["undecided"] is True


def test_cli_strict_is_in_the_help():
    code, out, _ = _cli("check", "--help")
    assert code == 0 and "--strict" in out and "3" in out
