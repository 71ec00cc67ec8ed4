"""The likely mistake behind a wrong derivative, read from its values.

Each test compares the claimed values ``a`` with the true ones ``t`` at the
random points where both are defined, and names a mistake when one simple
relation holds everywhere: ``a = 0``, ``a = -t`` (a sign), ``a = c·t`` (a
constant factor, or a constant inner derivative), ``t = a·u'`` (a chain-rule
factor ``u'`` of an inner ``u``), ``a`` equal to another component (the
wrong variable), ``a`` the true value with two variables exchanged, or
``a = t + c`` (a constant term). All of it is cheap: a few vector operations.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Optional

import numpy as np
import sympy as sp

from .._text import number
from ..objective.compile import Compiled
from .reports import Mistake, component_noun
from .sampling import Samples, Settings, allclose
from .targets import Target

__all__ = ["diagnose", "nice_number"]

_MAX_PERMUTED = 6         # exchanged variables are tried for up to this many symbols

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
    tests: tuple[Test, ...] = (_chain_rule, _constant_factor, _other_component, _exchanged,
                               _constant_term)
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
    return Mistake("constant term", f"the claimed value is the true one {sign} "
                   f"{nice_number(abs(offset))}: a constant term is off (the derivative of a "
                   "linear term, or a constant that should have vanished)")


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
