"""The likely mistake behind a wrong derivative, on textbook mistakes, and
the right partial as it is shown: short, and read back by symgd's parser as
the same function (``agree``, and mpmath's own derivative of the function)."""

from __future__ import annotations

import time

import mpmath
import pytest
import sympy as sp

import symgd
from symgd.expr import parse_real
from symgd.check import DIFFERENT, check_gradient
from symgd.check.readable import readable, typed
from symgd.expr.equal import agree

from oracles import cars_loss, mp_gradient


def mistake_of(f: str, claim: str):
    c = check_gradient(f, claim)[0]
    assert c.verdict == DIFFERENT
    assert c.mistake is not None, c.text()
    return c.mistake


# ---------------------------------------------------------------- diagnoses

@pytest.mark.parametrize("f, claim, kept, dropped", [
    ("x*exp(x)", "exp(x)", "u'·v = exp(x)", "u·v' = x*exp(x)"),
    ("x*exp(x)", "x*exp(x)", "u·v' = x*exp(x)", "u'·v = exp(x)"),
    ("x^2*sin(x)", "2*x*sin(x)", "u'·v = 2*x*sin(x)", "u·v' = x**2*cos(x)"),
    ("x^2*sin(x) + 3*x", "2*x*sin(x) + 3", "u'·v = 2*x*sin(x)", "u·v' = x**2*cos(x)"),
    ("sin(x)*cos(x)", "cos(x)^2", "u·v' = cos(x)**2", "u'·v = -sin(x)**2"),
])
def test_product_rule_missing_is_one_term_of_u_v_plus_u_v(f, claim, kept, dropped):
    m = mistake_of(f, claim)
    assert m.kind == "product rule"
    assert f"{kept} is kept" in m.detail and f"{dropped} is dropped" in m.detail
    assert "chain" not in m.text()


def test_product_of_the_derivatives_and_quotient_of_the_derivatives():
    m = mistake_of("x^2*sin(x)", "2*x*cos(x)")
    assert m.kind == "product rule" and "not u'·v'" in m.detail
    m = mistake_of("sin(x)/x", "cos(x)")
    assert m.kind == "quotient rule" and "u'/v' = cos(x)" in m.detail


@pytest.mark.parametrize("f, claim, right", [
    ("2^x", "x*2^(x-1)", "2**x*log(2)"),
    ("10^x", "x*10^(x-1)", "10**x*log(10)"),
    ("exp(2*x)", "2*x*exp(2*x - 1)", "2*exp(2*x)"),
    ("3^(x^2)", "x^2*3^(x^2 - 1)*2*x", "2*3**(x**2)*x*log(3)"),
])
def test_power_rule_applied_to_an_exponent(f, claim, right):
    m = mistake_of(f, claim)
    assert m.kind == "power rule", m.text()
    assert "applied to an exponent" in m.detail and f"is {right}, not" in m.detail


@pytest.mark.parametrize("f, claim, base", [
    ("log(x, 10)", "1/x", "10"),
    ("log2(x)", "1/x", "2"),
    ("log(x^2 + 1, 2)", "2*x/(x^2 + 1)", "2"),
])
def test_log_base_forgotten(f, claim, base):
    m = mistake_of(f, claim)
    assert m.kind == "log base", m.text()
    assert f"1/ln({base})" in m.detail


@pytest.mark.parametrize("f, claim, factor", [
    ("exp(2*x)", "exp(2*x)", "2"),
    ("sin(3*x)", "cos(3*x)", "3"),
    ("(2*x + 1)^5", "5*(2*x + 1)^4", "2"),
])
def test_chain_factor_missing(f, claim, factor):
    m = mistake_of(f, claim)
    assert m.kind == "chain rule" and f"factor {factor}," in m.detail


def test_constant_factor_still_named():
    m = mistake_of("x^3", "x^2")
    assert m.kind == "constant factor" and "1/3 times" in m.detail


def test_sign_of_a_constant_term_is_a_constant_term_that_says_so():
    m = mistake_of("x^3 - 2*x", "3*x^2 + 2")
    assert m.kind == "constant term"
    assert m.detail == "the claimed value is the true one + 4: the sign of the term -2 is " \
        "flipped (claimed 2)"


@pytest.mark.parametrize("f, claim, true_term, claimed_term", [
    ("x^3 - 2*x^2", "3*x^2 + 4*x", "-4*x", "4*x"),
    ("cos(x) + x^2", "sin(x) + 2*x", "-sin(x)", "sin(x)"),
    ("x^2*y + exp(x)", "2*x*y - exp(x)", "exp(x)", "-exp(x)"),
])
def test_sign_of_one_term(f, claim, true_term, claimed_term):
    obj = symgd.Objective(f) if "y" not in f else symgd.Objective(f, variables="x, y")
    claims = [claim] if "y" not in f else [claim, "x^2"]
    c = check_gradient(obj, claims)[0]
    assert c.verdict == DIFFERENT and c.mistake.kind == "sign of a term", c.text()
    assert f"has {true_term}, the claim {claimed_term}" in c.mistake.detail


def test_whole_sign_is_a_sign_error_not_one_term():
    assert mistake_of("x^3 - 2*x", "2 - 3*x^2").kind == "sign error"


def test_diagnoses_take_little_time():
    start = time.monotonic()
    for f, claim in [("x*exp(x)", "exp(x)"), ("2^x", "x*2^(x-1)"), ("x^3 - 2*x", "3*x^2 + 2"),
                     ("sin(x)*cos(x)*exp(x)*x", "1")]:
        check_gradient(f, claim).text()
    assert time.monotonic() - start < 20


# ---------------------------------------------------------- the right partial

def test_right_partial_is_simplified_in_the_report():
    r = check_gradient("log((1+x)/(1-x))", "1/(1-x)")
    assert "the right partial is 2/(1 - x**2)" in r.text()
    assert "the right partial is (x + 1)*exp(x)" in check_gradient("x*exp(x)", "exp(x)").text()


def test_sign_is_shown_as_typed():
    text = check_gradient("abs(x)", "1").text()
    assert "the right partial is x/abs(x)" in text
    assert symgd.parse("x/abs(x)") is not None


x = sp.Symbol("x", real=True)
TEXTBOOK = [
    ("(x + 1)/(x - 1)", [0.3, 2.5]),
    ("log((1 + x)/(1 - x))", [0.2, -0.7]),
    ("x^2/(x^2 + 1)", [0.5, -2.0]),
    ("(x^3 - 1)/(x - 1)", [0.4, 2.2]),
    ("log(x^2 + 1)", [0.5, -1.5]),
    ("log(x, 2)", [0.5, 3.0]),
    ("x*log(x) - x", [0.5, 3.0]),
    ("log(sin(x))", [0.5, 2.0]),
    ("abs(x)", [-1.5, 0.7]),
    ("abs(x^2 - 1)", [0.5, 1.7]),
    ("x*abs(x)", [-1.2, 0.8]),
    ("x^2*abs(x - 1)", [-1.2, 1.8]),
    ("sin(x)*cos(x)", [0.3, 1.9]),
    ("tan(x)", [0.3, -1.1]),
    ("sin(x)^2 + cos(x)^2", [0.3, 1.0]),
    ("asin(x)", [0.3, -0.6]),
    ("atan(x^2)", [0.3, -1.6]),
    ("sinh(x)*cosh(x)", [0.3, -1.6]),
    ("tanh(x)", [0.3, -1.6]),
    ("log(cosh(x))", [0.3, -1.6]),
    ("x*exp(x)", [0.3, -1.6]),
    ("exp(x)/(1 + exp(x))", [0.3, -1.6]),
    ("sqrt(x^2 + 1)", [0.3, -1.6]),
    ("sigmoid(2*x)", [0.3, -1.6]),
]


@pytest.mark.parametrize("f, points", TEXTBOOK)
def test_readable_reads_back_as_the_true_partial(f, points):
    # in the real symbols symgd differentiates with (|x|' = sign(x))
    expr = parse_real(f)
    (var,) = sorted(expr.free_symbols, key=lambda s: s.name)
    true = sp.diff(expr, var)
    shown = readable(true)
    back = parse_real(shown)
    assert agree(back, true) is True, (shown, true)
    assert sp.count_ops(back) <= sp.count_ops(parse_real(typed(true))), (shown, true)
    for p in points:                              # against mpmath's own derivative
        want = mp_gradient(expr, [var], [p])[0]
        got = back.evalf(30, subs={var: mpmath.mpf(p)})
        assert abs(complex(got) - complex(want)) <= 1e-12 * max(1, abs(complex(want))), (f, p)


def test_sign_times_its_argument_is_shown_as_abs():
    assert readable(sp.diff(x * sp.Abs(x), x)) == "2*abs(x)"
    assert readable(sp.diff(x ** 2 * sp.Abs(x), x)) == "3*x*abs(x)"


def test_readable_of_a_string_as_sympy_prints_it():
    assert readable("(1 - x)*(1/(1 - x) + (x + 1)/(1 - x)**2)/(x + 1)") == "2/(1 - x**2)"
    assert readable("Heaviside(x, 0)") == "x/(2*abs(x)) + 1/2"
    assert readable("not an expression ((") == "not an expression (("


def test_readable_is_bounded_in_time_for_a_large_expression():
    big = sp.diff(sp.prod([sp.sin(k * x) + sp.cos(x) ** k for k in range(1, 9)]), x)
    start = time.monotonic()
    shown = readable(big, seconds=0.5)
    assert time.monotonic() - start < 3
    assert agree(parse_real(shown), big) is True


def test_typed_writes_abs_and_sign_so_the_parser_reads_them():
    for e in [sp.Abs(x - 1), sp.sign(x) * x ** 2, sp.sign(sp.sin(x))]:
        assert agree(parse_real(typed(e)), e) is True


def test_log_base_wins_over_a_constant_factor():
    m = mistake_of("log(x, 10) + x^2", "1/x + 2*x")
    assert m.kind == "log base" and "constant factor" not in m.text()


def test_product_rule_inside_a_function():
    c = check_gradient("exp(x*sin(x))", "exp(x*sin(x))*sin(x)")[0]
    assert c.mistake.kind == "product rule" and "x*sin(x) = u·v" in c.mistake.detail
    assert "(x*cos(x) + sin(x))*exp(x*sin(x))" in c.text()


def test_sign_of_a_term_in_one_rows_loss():
    c = check_gradient(cars_loss(), "2*weight*(w*weight + b + mpg), 2*(w*weight + b - mpg)")[0]
    assert c.mistake.kind == "sign of a term"
    assert "has -2*mpg*weight, the claim 2*mpg*weight" in c.mistake.detail
