"""The likely mistake behind a wrong derivative, read from its values.

Each test compares the claimed values ``a`` with the true ones ``t`` at the
random points where both are defined, and names a mistake when one simple
relation holds everywhere, the most specific first: ``a = 0``, ``a = -t`` (a
sign), ``t = a·u'`` (a chain-rule factor ``u'`` of an inner ``u``), a rule
misapplied to one part ``g`` of the function (a power rule applied to an
exponent, ``x·a^(x-1)`` for ``a^x``; a forgotten ``1/ln b`` of ``log_b``;
one term of a product rule ``u'v + uv'``, or ``u'v'``, or ``u'/v'`` for a
quotient), ``a = c·t`` (a constant factor, or a constant inner derivative),
``a`` equal to another component (the wrong variable), ``a`` the true value
with two variables exchanged, ``a`` the true value with one additive term's
sign flipped, or ``a = t + c`` (a constant term). The misapplied rules are
built symbolically from the function's parts (the true partial with the
part's derivative ``g'`` replaced by the wrong one,
``t + (∂f/∂g)·(wrong - g')``) and compared at the same points; the rest is
a few vector operations.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Optional

import numpy as np
import sympy as sp

from .._text import number
from ..objective.compile import Compiled
from ..objective.derivatives import derivative
from .readable import typed
from .reports import Mistake, component_noun
from .sampling import Samples, Settings, allclose
from .targets import Target

__all__ = ["diagnose", "nice_number"]

_MAX_PERMUTED = 6         # exchanged variables are tried for up to this many symbols
_MAX_NODES = 400          # nodes of the function searched for misapplied rules
_MAX_RULES = 24           # misapplied-rule candidates compared
_MAX_TERMS = 12           # additive terms whose sign is flipped one at a time
_MAX_EXPANDED = 60        # a one-term partial is expanded into terms below this size
_MAX_FACTORS = 4          # product-rule terms tried for products of up to this many factors

Test = Callable[[int, Target, Samples, Settings, np.ndarray, np.ndarray], Optional[Mistake]]


def diagnose(c: int, target: Target, num: Samples, s: Settings) -> Mistake | None:
    """The likely mistake in component ``c``, or None when no simple one fits."""
    rows = num.both[:, c]
    a, t = num.A[rows, c], num.T[rows, c]
    if len(a) < 2:
        return None
    if allclose(a, np.zeros_like(a), s):
        return Mistake("zero", f"the claimed {component_noun(target.labels[c])} is 0, but the "
                       "true one is not")
    if allclose(a, -t, s):
        return Mistake("sign error", "the claimed value is minus the true one: check the "
                       "signs (a minus sign inside, or the inner derivative of -x or 1 - x)")
    tests: tuple[Test, ...] = (_chain_rule, _misapplied_rule, _constant_factor,
                               _other_component, _exchanged, _sign_of_term, _constant_term)
    for test in tests:
        found = test(c, target, num, s, a, t)
        if found is not None:
            return found
    return None


def nice_number(c: float) -> str:
    """A number as a short fraction when it is one, else six digits.

    >>> nice_number(2 / 3), nice_number(-4.0), nice_number(0.123456789)
    ('2/3', '-4', '0.123457')
    """
    fr = Fraction(c).limit_denominator(100)
    if abs(float(fr) - c) <= 1e-9 * max(1.0, abs(c)):
        return str(fr)
    return number(c)


def _constant_factor(c: int, target: Target, num: Samples, s: Settings,
                     a: np.ndarray, t: np.ndarray) -> Mistake | None:
    with np.errstate(all="ignore"):
        nonzero = np.abs(t) > max(s.atol, 1e-12 * float(np.max(np.abs(t))))
        if nonzero.sum() < 2:
            return None
        factor = float(np.median(a[nonzero] / t[nonzero]))
    if not allclose(a, factor * t, s):
        return None
    inner = _constant_inner(c, target, 1 / factor) if factor else None
    if inner is not None:
        return Mistake("chain rule", f"missing chain-rule factor {nice_number(1 / factor)}, the "
                       f"derivative of the inner {inner}")
    return Mistake("constant factor", f"the claimed value is {nice_number(factor)} times the "
                   "true one: a constant factor is off (an exponent brought down, or a "
                   "coefficient)")


def _constant_term(c: int, target: Target, num: Samples, s: Settings,
                   a: np.ndarray, t: np.ndarray) -> Mistake | None:
    offset = float(np.median(a - t))
    if not allclose(a, t + offset, s):
        return None
    sign = "+" if offset > 0 else "-"
    flipped = _flipped_constant(target, c, offset)
    why = f": the sign of the term {flipped} is flipped (claimed {-flipped})" \
        if flipped is not None else \
        ": a constant term is off (the derivative of a linear term, or a constant that " \
        "should have vanished)"
    return Mistake("constant term", f"the claimed value is the true one {sign} "
                   f"{nice_number(abs(offset))}{why}")


def _flipped_constant(target: Target, c: int, offset: float) -> sp.Expr | None:
    """The constant term of the true partial whose sign flipped gives ``offset``."""
    if target.exprs is None:
        return None
    for term in sp.Add.make_args(target.exprs[c]):
        if term.is_Number and abs(float(-2 * term) - offset) <= 1e-9 * max(1.0, abs(offset)):
            return term
    return None


def _other_component(c: int, target: Target, num: Samples, s: Settings,
                     a: np.ndarray, t: np.ndarray) -> Mistake | None:
    rows = num.both[:, c]
    for j in range(target.size):
        if j != c and allclose(a, num.T[rows, j], s) and not allclose(t, num.T[rows, j], s):
            if target.kind == "gradient":
                other = target.obj.names[target.wrt[j][0]]
                return Mistake("wrong variable", f"this is {target.labels[j]}, the derivative "
                               f"with respect to {other}, not {target.labels[c]}")
            return Mistake("wrong variable", f"this is {target.labels[j]}, not "
                           f"{target.labels[c]}")
    return None


def _exchanged(c: int, target: Target, num: Samples, s: Settings,
               a: np.ndarray, t: np.ndarray) -> Mistake | None:
    k = len(target.symbols)
    if k < 2 or k > _MAX_PERMUTED:
        return None
    P = num.P[num.both[:, c]]
    for p in range(k):
        for q in range(p + 1, k):
            Q = P.copy()
            Q[:, [p, q]] = Q[:, [q, p]]
            if allclose(a, target.true_at(Q)[:, c], s):
                x, y = target.names[p], target.names[q]
                return Mistake("exchanged variables", f"this is the true "
                               f"{component_noun(target.labels[c])} with {x} and {y} exchanged")
    return None


def _constant_inner(c: int, target: Target, factor: float) -> sp.Expr | None:
    """An inner expression whose derivative is the constant ``factor``."""
    if target.kind != "gradient":
        return None
    var = target.symbols[target.wrt[c][0]]
    for u, du in target.inner_parts(var):
        if du.is_Number and abs(float(du) - factor) <= 1e-12 * max(1, abs(factor)):
            return u
    return None


def _chain_rule(c: int, target: Target, num: Samples, s: Settings,
                a: np.ndarray, t: np.ndarray) -> Mistake | None:
    if target.kind != "gradient":
        return None
    var = target.symbols[target.wrt[c][0]]
    parts = [(u, du) for u, du in target.inner_parts(var) if not du.is_Number]
    if not parts:
        return None
    P = num.P[num.both[:, c]]
    try:
        values = Compiled(target.symbols, [du for _, du in parts]).at_array(list(P.T))
    except Exception:  # an inner derivative that cannot be evaluated: no diagnosis
        return None
    for (u, du), v in zip(parts, values):
        v = np.broadcast_to(v, a.shape)
        with np.errstate(all="ignore"):
            if allclose(t, a * v, s):
                return Mistake("chain rule", f"missing chain-rule factor {du}, the derivative "
                               f"of the inner {u}")
            if allclose(a, t * v, s):
                return Mistake("extra factor", f"an extra factor {du} (the derivative of "
                               f"{u}) multiplies the claimed value")
    return None


def _misapplied_rule(c: int, target: Target, num: Samples, s: Settings,
                     a: np.ndarray, t: np.ndarray) -> Mistake | None:
    """A power rule on an exponent, a forgotten log base, a product rule."""
    if target.kind != "gradient" or target.source is None or target.exprs is None:
        return None
    var = target.symbols[target.wrt[c][0]]
    try:
        rules = _rules(target.source, var, target.exprs[c])
    except Exception:  # a part SymPy cannot differentiate or substitute: no diagnosis
        return None
    return _first_match(rules, target, num, c, a, s)


def _first_match(rules: list[tuple[Mistake, sp.Expr]], target: Target, num: Samples, c: int,
                 a: np.ndarray, s: Settings) -> Mistake | None:
    if not rules:
        return None
    P = num.P[num.both[:, c]]
    try:
        values = Compiled(target.symbols, [e for _, e in rules]).at_array(list(P.T))
    except Exception:  # a candidate that cannot be evaluated: no diagnosis
        return None
    for (mistake, _), v in zip(rules, values):
        with np.errstate(all="ignore"):
            if allclose(a, np.broadcast_to(np.asarray(v, dtype=float), a.shape), s):
                return mistake
    return None


def _rules(f: sp.Expr, var: sp.Symbol, true: sp.Expr) -> list[tuple[Mistake, sp.Expr]]:
    """Each misapplied rule as a mistake and the partial it gives."""
    found: list[tuple[Mistake, sp.Expr]] = []
    for count, g in enumerate(sp.preorder_traversal(f)):
        if count > _MAX_NODES or len(found) >= _MAX_RULES:
            break
        if not isinstance(g, sp.Expr) or not g.has(var) or g == var:
            continue
        wrongs = _power_on_exponent(g, var) + _log_base(g, var) + _product(g, var)
        if not wrongs:
            continue
        dg = derivative(g, var)
        outer = _outer(f, g)
        if outer is None:
            continue
        for mistake, wrong in wrongs:
            found.append((mistake, true + outer * (wrong - dg)))
    return found[:_MAX_RULES]


def _outer(f: sp.Expr, g: sp.Expr) -> sp.Expr | None:
    """``∂f/∂g``, the factor a change of the part ``g`` is multiplied by."""
    if f == g:
        return sp.S.One
    d = sp.Dummy("g")
    replaced = f.xreplace({g: d})
    if not replaced.has(d):
        return None
    return derivative(replaced, d).xreplace({d: g})


def _power_on_exponent(g: sp.Expr, var: sp.Symbol) -> list[tuple[Mistake, sp.Expr]]:
    """``a^u`` (or ``exp(u)``) differentiated as if ``u`` were a constant power."""
    if isinstance(g, sp.exp):
        base, u = sp.E, g.args[0]
    elif g.is_Pow and not g.base.has(var) and g.exp.has(var):
        base, u = g.base, g.exp
    else:
        return []
    du = derivative(u, var)
    rule = "exp(u)" if base == sp.E else f"{typed(base)}^u·ln({typed(base)})"
    power = f"{typed(base)}^u" if base != sp.E else "exp(u)"
    found = []
    for wrong in ([u * base ** (u - 1)] + ([u * base ** (u - 1) * du] if du != 1 else [])):
        found.append((Mistake("power rule", f"the power rule was applied to an exponent: the "
                              f"derivative of {typed(g)} is {typed(derivative(g, var))}, not "
                              f"{typed(wrong)} (n·x^(n-1) is for a constant power n; the "
                              f"derivative of {power} is {rule})"), wrong))
    return found


def _log_base(g: sp.Expr, var: sp.Symbol) -> list[tuple[Mistake, sp.Expr]]:
    """``log(u)/log(b)`` differentiated as ``log(u)``: the ``1/ln b`` forgotten."""
    if not g.is_Mul:
        return []
    for k in g.args:
        if k.is_Pow and k.exp == -1 and isinstance(k.base, sp.log) and not k.base.has(var):
            b = typed(k.base.args[0])
            if any(isinstance(q, sp.log) and q.has(var) for q in sp.Mul.make_args(g / k)):
                m = Mistake("log base", f"the factor 1/ln({b}) of the base-{b} logarithm is "
                            f"missing: the derivative of log(u, {b}) is u'/(u·ln({b})), "
                            "not u'/u")
                return [(m, derivative(g, var) * k.base)]
    return []


def _product(g: sp.Expr, var: sp.Symbol) -> list[tuple[Mistake, sp.Expr]]:
    """A product ``u·v`` differentiated as ``u'v``, ``uv'`` or ``u'v'``
    (a quotient ``u/v`` as ``u'/v'``)."""
    if not g.is_Mul:
        return []
    const = sp.Mul(*[q for q in g.args if not q.has(var)])
    parts = sorted((q for q in g.args if q.has(var)),     # a denominator last
                   key=lambda q: bool(q.is_Pow and q.exp.is_negative))
    if not 2 <= len(parts) <= _MAX_FACTORS:
        return []
    ds = [derivative(q, var) for q in parts]
    terms = [const * ds[i] * sp.Mul(*(parts[:i] + parts[i + 1:])) for i in range(len(parts))]
    found = []
    if len(parts) == 2:
        u, v = const * parts[0], parts[1]
        names = f"for {typed(g)} = u·v (u = {typed(u)}, v = {typed(v)}) only "
        for kept, dropped, (k, d) in ((0, 1, ("u'·v", "u·v'")), (1, 0, ("u·v'", "u'·v"))):
            if terms[kept] != 0:
                found.append((Mistake("product rule", f"the product rule was not used: {names}"
                                      f"{k} = {typed(terms[kept])} is kept, {d} = "
                                      f"{typed(terms[dropped])} is dropped"), terms[kept]))
    else:
        for q, term in zip(parts, terms):
            if term != 0:
                found.append((Mistake("product rule", f"the product rule was not used: for "
                                      f"{typed(g)} only the term with the derivative of "
                                      f"{typed(q)}, {typed(term)}, is kept"), term))
    dens = [q for q in parts if q.is_Pow and q.exp.is_negative]
    if len(parts) == 2 and len(dens) == 1:
        v = 1 / dens[0]
        u = const * (parts[0] if parts[1] is dens[0] else parts[1])
        du, dv = derivative(u, var), derivative(v, var)
        if dv != 0:
            found.append((Mistake("quotient rule", f"the claim is u'/v' = {typed(du / dv)} "
                                  f"for u/v with u = {typed(u)}, v = {typed(v)}; the "
                                  "derivative of u/v is (u'·v - u·v')/v^2"), du / dv))
    elif all(d != 0 for d in ds):
        found.append((Mistake("product rule", f"the claim is the product of the factors' "
                              f"derivatives, {typed(const * sp.Mul(*ds))}; the derivative of "
                              "u·v is u'·v + u·v', not u'·v'"), const * sp.Mul(*ds)))
    return found


def _sign_of_term(c: int, target: Target, num: Samples, s: Settings,
                  a: np.ndarray, t: np.ndarray) -> Mistake | None:
    """The true partial with one additive term's sign flipped."""
    if target.exprs is None:
        return None
    true = target.exprs[c]
    terms = sp.Add.make_args(true)
    if len(terms) < 2 and sp.count_ops(true) <= _MAX_EXPANDED:
        terms = sp.Add.make_args(sp.expand(true))
    if not 2 <= len(terms) <= _MAX_TERMS:
        return None
    # a flipped constant is a constant term, named by _constant_term
    terms = tuple(term for term in terms if not term.is_Number)
    rules = [(Mistake("sign of a term", f"the sign of one term is flipped: the true "
                      f"partial has {typed(term)}, the claim {typed(-term)}"), true - 2 * term)
             for term in terms]
    return _first_match(rules, target, num, c, a, s)
