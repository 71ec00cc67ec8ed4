"""Sums of many terms evaluated template by template (symgd.objective.templates).

Oracles: SciPy's ``rosen`` and ``rosen_der``; NumPy transcriptions of
benchmark functions (SciPy's go_benchmark_functions, written as sums) with
gradients by extrapolated central differences (tests/oracles.py); and the
expression's own compiled form (the path taken without templates), which
the templated path must match to round-off, and exactly where a value is
nan or infinite.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import rosen, rosen_der

import symgd
import symgd.objective.core as core
from symgd.objective.strategy import ExpressionStrategy
from symgd.objective.templates import TemplatedSumStrategy, templated_strategy
from oracles import gradient

RNG = np.random.default_rng(15)


def xs(n: int) -> tuple[sp.Symbol, ...]:
    return sp.symbols(f"x1:{n + 1}")


def rosenbrock(n: int) -> sp.Expr:
    x = xs(n)
    return sum(100 * (x[i + 1] - x[i]**2)**2 + (1 - x[i])**2 for i in range(n - 1))


@pytest.fixture
def untemplated(monkeypatch):
    """Objectives built while this fixture is active take the default path."""
    def build(expr, **kw):
        with monkeypatch.context() as m:
            m.setattr(core, "templated_strategy", lambda *a, **k: None)
            return symgd.Objective(expr, **kw)
    return build


def forced(expr: sp.Expr, n: int) -> TemplatedSumStrategy:
    """The templated strategy of a small sum (every shape a template)."""
    x = sp.symbols(f"x1:{n + 1}", real=True)
    real = expr.xreplace(dict(zip(xs(n), x)))
    s = templated_strategy(real, x, x, min_terms=1, min_group=1)
    assert isinstance(s, TemplatedSumStrategy)
    return s


# ---------------------------------------------------------------- Rosenbrock

@pytest.mark.parametrize("n", [2, 10])
def test_small_rosenbrock_against_scipy(n):
    s = forced(rosenbrock(n), n)
    for p in RNG.uniform(-2, 2, size=(5, n)):
        f, g = s.evaluator.value_and_grad(p)
        assert f == pytest.approx(rosen(p), rel=1e-13)
        np.testing.assert_allclose(g, rosen_der(p), rtol=1e-12, atol=1e-10)
        assert s.value_evaluator.at(p)[0] == pytest.approx(rosen(p), rel=1e-13)


def test_rosenbrock_1000_is_templated_and_right():
    n = 1000
    obj = symgd.Objective(rosenbrock(n))
    assert isinstance(obj._strategy, TemplatedSumStrategy)
    assert obj._strategy.remainder is None
    assert len(obj._strategy.groups) == 1          # the two shapes fused into one
    for p in RNG.uniform(-2, 2, size=(3, n)):
        assert obj.value(p) == pytest.approx(rosen(p), rel=1e-13)
        scale = np.abs(rosen_der(p)).max()
        np.testing.assert_allclose(obj.grad(p), rosen_der(p), rtol=0, atol=1e-13 * scale)
    P = RNG.uniform(-2, 2, size=(n, 4))           # many points: shape (n, S)
    np.testing.assert_allclose(obj.value(P), rosen(P), rtol=1e-13)
    np.testing.assert_allclose(obj.grad(P), rosen_der(P), rtol=1e-12, atol=1e-9)


def test_text_and_function_inputs_are_templated():
    n = 120
    text = " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n))
    for obj in (symgd.Objective(text), symgd.Objective.from_function(rosen, n=n)):
        assert isinstance(obj._strategy, TemplatedSumStrategy)
        p = RNG.uniform(-2, 2, n)
        np.testing.assert_allclose(obj.grad(p), rosen_der(p), rtol=1e-12, atol=1e-10)


def test_gradient_for_display_is_the_symbolic_one(untemplated):
    expr = rosenbrock(60)
    obj, ref = symgd.Objective(expr), untemplated(expr)
    assert isinstance(obj._strategy, TemplatedSumStrategy)
    assert obj._strategy._gradient is None           # not built until asked for
    assert obj.gradient == ref.gradient
    assert obj.expr == ref.expr


# ------------------------------------------------------------ benchmark sums

def _dixon_price(n):
    x = xs(n)
    return (x[0] - 1)**2 + sum((i + 1) * (2 * x[i]**2 - x[i - 1])**2 for i in range(1, n))


def _np_dixon_price(v):
    i = np.arange(2, v.size + 1)
    return (v[0] - 1)**2 + np.sum(i * (2 * v[1:]**2 - v[:-1])**2)


def _styblinski_tang(n):
    return sum(v**4 - 16 * v**2 + 5 * v for v in xs(n)) / 2


def _np_styblinski_tang(v):
    return np.sum(v**4 - 16 * v**2 + 5 * v) / 2


def _sum_squares(n):
    return sum((i + 1) * v**2 for i, v in enumerate(xs(n)))


def _np_sum_squares(v):
    return np.sum(np.arange(1, v.size + 1) * v**2)


def _trid(n):
    x = xs(n)
    return sum((v - 1)**2 for v in x) - sum(x[i] * x[i - 1] for i in range(1, n))


def _np_trid(v):
    return np.sum((v - 1)**2) - np.sum(v[1:] * v[:-1])


def _zakharov(n):
    x = xs(n)
    u = sum(sp.Rational(i + 1, 2) * v for i, v in enumerate(x))
    return sum(v**2 for v in x) + u**2 + u**4


def _np_zakharov(v):
    u = np.sum(0.5 * np.arange(1, v.size + 1) * v)
    return np.sum(v**2) + u**2 + u**4


BENCHMARKS = {
    "DixonPrice": (_dixon_price, _np_dixon_price),
    "StyblinskiTang": (_styblinski_tang, _np_styblinski_tang),
    "SumSquares": (_sum_squares, _np_sum_squares),
    "Trid": (_trid, _np_trid),
    "Zakharov": (_zakharov, _np_zakharov),
}


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_benchmark_sums_against_numpy_and_differences(name):
    n = 60
    build, formula = BENCHMARKS[name]
    obj = symgd.Objective(build(n))
    assert isinstance(obj._strategy, TemplatedSumStrategy)
    for p in RNG.uniform(-1.5, 1.5, size=(2, n)):
        assert obj.value(p) == pytest.approx(formula(p), rel=1e-12, abs=1e-12)
        expected = gradient(formula, p)
        scale = max(1.0, np.abs(expected).max())
        np.testing.assert_allclose(obj.grad(p), expected, rtol=0, atol=1e-8 * scale)


def test_zakharov_mixes_templates_and_a_remainder():
    s = symgd.Objective(_zakharov(60))._strategy
    assert s.groups and s.remainder is not None
    assert s.remainder.expr.is_Pow or s.remainder.expr.is_Add


def test_constants_differing_between_terms_are_placeholders():
    n = 80
    x = xs(n)
    obj = symgd.Objective(sum((x[i] - (i + 1))**2 for i in range(n)) + x[0] * x[1])
    s = obj._strategy
    assert isinstance(s, TemplatedSumStrategy)
    assert [g.size for g in s.groups] == [n] and s.groups[0].numbers
    p = RNG.uniform(-3, 3, n)
    target = np.arange(1, n + 1)
    expected = 2 * (p - target)
    expected[0] += p[1]
    expected[1] += p[0]
    np.testing.assert_allclose(obj.grad(p), expected, rtol=1e-14, atol=1e-12)
    assert obj.value(p) == pytest.approx(np.sum((p - target)**2) + p[0] * p[1], rel=1e-14)


def test_exponents_stay_literal():
    """Terms that differ in an exponent are different templates, never one."""
    n = 60
    x = xs(n)
    expr = sum(x[i]**(2 + i % 3) for i in range(n))
    obj = symgd.Objective(expr)
    p = RNG.uniform(0.5, 1.5, n)
    powers = 2 + np.arange(n) % 3
    np.testing.assert_allclose(obj.grad(p), powers * p**(powers - 1), rtol=1e-14)


# ---------------------------------------------------------- numeric faults

def _same(a, b, rtol=1e-12):
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_array_equal(np.isinf(a), np.isinf(b))
    ok = np.isfinite(a)
    np.testing.assert_allclose(np.asarray(a)[ok], np.asarray(b)[ok], rtol=rtol, atol=1e-12)


FAULTS = {
    # log of a negative number: nan; of zero: -inf
    "log": (lambda x: sum(sp.log(v) + v**2 for v in x), lambda n: np.r_[-1.0, 0.0, np.ones(n - 2)]),
    # exp overflows
    "exp": (lambda x: sum(sp.exp(v) * v for v in x), lambda n: np.r_[800.0, np.zeros(n - 1)]),
    # 1/0
    "pole": (lambda x: sum(1 / v for v in x), lambda n: np.r_[0.0, np.ones(n - 1)]),
    # the partials of two terms cancel symbolically, not numerically
    "cancel": (lambda x: sum(x[i] * sp.exp(x[i + 1]) + x[i] * (x[i + 2] - sp.exp(x[i + 1]))
                             for i in range(0, len(x) - 2, 3)),
               lambda n: np.r_[1.0, 1000.0, 2.0, np.ones(n - 3)]),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_non_finite_values_match_the_default_path(name, untemplated):
    n = 90
    build, point = FAULTS[name]
    expr = build(xs(n))
    obj, ref = symgd.Objective(expr), untemplated(expr)
    assert isinstance(obj._strategy, TemplatedSumStrategy)
    p = point(n)
    _same(obj.evaluator.at(p), ref.evaluator.at(p))
    _same([obj.value(p)], [ref.value(p)])
    _same(obj.grad(p), ref.grad(p))
    P = np.stack([p, np.ones(n), 0.5 * np.ones(n)], axis=1)
    for a, b in zip(obj.evaluator.at_array(list(P)), ref.evaluator.at_array(list(P))):
        _same(a, b)


def test_divide_by_zero_is_seen_by_the_raw_form():
    n = 60
    x = xs(n)
    obj = symgd.Objective(sum(1 / v for v in x))
    coords = [np.array([v]) for v in np.r_[0.0, np.ones(n - 1)]]
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        obj.evaluator.array(*coords)


# ------------------------------------------------------ descent and hessp

@pytest.mark.parametrize("lr, step", [(1e-4, "fixed"), (1e-3, "momentum"), (1.0, "fixed"),
                                      (0.05, "backtracking")])
def test_descend_equals_the_default_path(lr, step, untemplated):
    n = 40
    expr = rosenbrock(n)
    obj, ref = symgd.Objective(expr), untemplated(expr)
    assert isinstance(obj._strategy, TemplatedSumStrategy)
    start = np.linspace(-1.2, 1.0, n)
    a = symgd.descend(obj, start, lr=lr, step=step, max_iter=150)
    b = symgd.descend(ref, start, lr=lr, step=step, max_iter=150)
    assert (a.status, a.nit, a.success) == (b.status, b.nit, b.success)
    assert a.message == b.message
    # a diverging run amplifies round-off step by step
    _same(a.x, b.x, rtol=1e-8)
    _same(a.history.loss, b.history.loss, rtol=1e-8)


def test_hessp_against_the_default_path(untemplated):
    n = 60
    expr = _dixon_price(n) + sp.sin(xs(n)[3] * xs(n)[7])
    obj, ref = symgd.Objective(expr), untemplated(expr)
    p, d = RNG.uniform(-1, 1, n), RNG.normal(size=n)
    np.testing.assert_allclose(obj.hessp(p, d), ref.hessp(p, d), rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(obj.hessp(p, d), ref.hess(p) @ d, rtol=1e-12, atol=1e-10)


def test_small_and_short_sums_take_the_default_path():
    assert not isinstance(symgd.Objective("x^2 + y^2")._strategy, TemplatedSumStrategy)
    x = xs(60)
    mixed = sum(v ** (i + 1) for i, v in enumerate(x, 1))   # every exponent different
    assert type(symgd.Objective(mixed)._strategy) is ExpressionStrategy


def test_a_never_real_term_is_refused():
    x = xs(60)
    with pytest.raises(symgd.SymgdError, match="not real"):
        symgd.Objective(sum(v**2 for v in x) + sp.asin(3))


# ------------------------------------------------------------ long products

def test_long_product_gradient_by_shared_partial_products():
    k = 200
    x = xs(k)
    obj = symgd.Objective(sp.Mul(*[v + 1 for v in x]) * sp.exp(x[5]))
    p = RNG.uniform(-0.2, 0.2, k)
    base = np.prod(p + 1) * np.exp(p[5])
    expected = base / (p + 1)
    expected[5] += base
    np.testing.assert_allclose(obj.grad(p), expected, rtol=1e-13)
    # the shown partial is the product rule's, written out
    flat = sp.Mul(*[v + 1 for v in x if v != x[7]]) * sp.exp(x[5])
    assert sp.expand(obj.gradient[7] - flat) == 0
