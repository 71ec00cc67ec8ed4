"""Does a derivation agree with ``sympy.diff``? Decided robustly, or said to be undecided.

:func:`cross_check` tries, in a child process under a time limit:

1. a symbolic check: the difference, put over one denominator and cancelled,
   is 0 (exact; skipped when the difference is too large to cancel quickly);
2. numeric checks at real points of several scales (small, moderate and
   large ``|x|``), each side evaluated with mpmath at 30, 60, 120 and 240
   digits until two precisions agree. A point counts only where both sides
   are finite in double precision (a screen that skips astronomically large
   values such as ``exp(exp(exp(30)))``, which no precision resolves) and
   stable across precisions; there the relative error decides;
3. ``sympy.simplify`` of the difference, when no point could be used.

A disagreement at a point where both sides are reliably evaluated is a real
one. When nothing decides, the answer is None with the reason, never a guess.
"""

from __future__ import annotations

import cmath
import random
from typing import Any, Sequence

import sympy as sp

from .._isolate import NO_PROCESS, TIMED_OUT, call, limited
from ..expr import natural_key
from ..expr.equal import simplify_zero
from ..expr.registry import mpmath_namespace, numeric_namespace

__all__ = ["cross_check"]

_BUDGET = 6.0          # seconds for the whole check, in a child
_SYMBOLIC = 1.5        # seconds for the cancellation
_POINT = 0.5           # seconds for one point at every precision
_SIMPLIFY = 2.0        # seconds for sympy.simplify, the last resort
_CANCEL_OPS = 2000     # a larger difference is not cancelled
_PRECISIONS = (30, 60, 120, 240)
_RELATIVE = 1e-12      # agreement at a point


def _points(n: int) -> list[list[float]]:
    """Points of three scales: the moderate ones first (as ``agree`` takes them)."""
    rng = random.Random(1)

    def draw(lo: float, hi: float, digits: int) -> list[float]:
        return [round(rng.choice((-1, 1)) * rng.uniform(lo, hi), digits) for _ in range(n)]

    return ([draw(0.15, 2.4, 4) for _ in range(5)] + [draw(0.001, 0.1, 5) for _ in range(3)]
            + [draw(3.0, 150.0, 3) for _ in range(4)])


def _moderate(fn: Any, point: Sequence[float]) -> bool:
    """False where the value overflows double precision (a screen before mpmath,
    whose time grows with the size of exponents); True where it cannot tell."""
    try:
        z = complex(fn(*(complex(v) for v in point)))
    except (OverflowError, FloatingPointError, ZeroDivisionError):
        return False
    except Exception:      # noqa: BLE001 - a function NumPy lacks: let mpmath decide
        return True
    return cmath.isfinite(z)


def _stable(fn: Any, point: Sequence[float]) -> Any:
    """The value with mpmath, once two precisions agree; None if they never do."""
    import mpmath
    previous = None
    for dps in _PRECISIONS:
        with mpmath.workdps(dps):
            try:
                z = mpmath.mpc(fn(*(mpmath.mpf(v) for v in point)))
            except Exception:      # noqa: BLE001 - a pole, an undefined function
                return None
            if not (mpmath.isfinite(z.real) and mpmath.isfinite(z.imag)):
                return None
            if previous is not None:
                if z == 0 and previous == 0:
                    return z
                if abs(z - previous) <= mpmath.mpf(10) ** (-(dps // 4)) * abs(z):
                    return z
            previous = z
    return None


def _at_point(fa: Any, fb: Any, da: Any, db: Any, point: Sequence[float]) -> bool | None:
    """Whether the sides agree at ``point``: None where it cannot be told reliably."""
    if not (_moderate(da, point) and _moderate(db, point)):
        return None
    va, vb = _stable(fa, point), _stable(fb, point)
    if va is None or vb is None:
        return None
    scale = max(abs(va), abs(vb))
    return scale == 0 or bool(abs(va - vb) <= _RELATIVE * scale)


def _numeric(a: sp.Expr, b: sp.Expr) -> tuple[bool | None, int, int]:
    """(verdict, points tried, points used): False at the first reliable disagreement."""
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: natural_key(s.name))
    try:
        fa, fb = (sp.lambdify(symbols, e, modules=[mpmath_namespace(), "mpmath"])
                  for e in (a, b))
        da, db = (sp.lambdify(symbols, e, modules=[numeric_namespace("numpy"), "numpy"])
                  for e in (a, b))
    except Exception:      # noqa: BLE001 - something lambdify cannot print
        return None, 0, 0
    import numpy as np
    points = _points(len(symbols))
    used = 0
    with np.errstate(all="ignore"):
        for point in points:
            found = limited(_POINT, _at_point, fa, fb, da, db, point)
            if found is False:
                return False, len(points), used + 1
            if found is True:
                used += 1
    return (True if used else None), len(points), used


def _check(a: sp.Expr, b: sp.Expr) -> tuple[bool | None, str]:
    d = a - b
    if sp.count_ops(d) <= _CANCEL_OPS:
        zero = limited(_SYMBOLIC, lambda: sp.cancel(sp.together(d)) == 0)
        if zero is True:
            return True, "cancelled symbolically"
    verdict, tried, used = _numeric(a, b)
    if verdict is not None:
        return verdict, f"compared at {used} of {tried} points"
    if limited(_SIMPLIFY, simplify_zero, d) == "simplify":
        return True, "simplified to 0"
    if not tried:
        return None, "its expressions cannot be evaluated numerically"
    return None, (f"at none of {tried} sample points could both sides be evaluated "
                  f"reliably (the values are too large, too small, undefined or lose "
                  f"all their digits to cancellation)")


def cross_check(a: sp.Expr, b: sp.Expr) -> tuple[bool | None, str]:
    """Whether ``a == b`` as functions, and how that was decided (or why it was not).

    Returns ``(True, how)``, ``(False, how)`` for a reliable disagreement, or
    ``(None, why)`` when no check could decide.

    >>> x = sp.Symbol("x", real=True)
    >>> cross_check(2*sp.sin(x)*sp.cos(x), sp.sin(2*x))[0]
    True
    >>> cross_check(sp.sin(x), sp.cos(x))
    (False, 'compared at 1 of 12 points')
    >>> a = sp.exp(sp.exp(sp.exp(x**2 + 5)))
    >>> cross_check(a*(a + 1) - a**2, a)[0]
    True
    """
    if a == b or sp.expand(a - b, deep=False) == 0:
        return True, "identical"
    found = call(_check, (a, b), timeout=_BUDGET)
    if found is NO_PROCESS:       # no child: the same checks, in-process
        found = _check(a, b)
    if found is TIMED_OUT:
        return None, f"checking took longer than {_BUDGET:g} seconds"
    return found
