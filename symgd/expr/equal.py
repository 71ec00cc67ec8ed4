"""The one expression-equality oracle: are two expressions the same function?

Used wherever symgd must tell whether two expressions agree (a derivation
against ``sympy.diff``, a claimed derivative against the true one): first
structurally, then at real points with mpmath at 30 significant digits, then
by ``sympy.simplify`` where neither can be evaluated.
"""

from __future__ import annotations

import math
import random
from typing import Sequence

import sympy as sp

from .names import natural_key
from .registry import mpmath_namespace

__all__ = ["agree", "values_at", "mpmath_namespace"]


def values_at(expr: sp.Expr, symbols: Sequence[sp.Symbol],
            points: Sequence[Sequence[float]]) -> list[complex | None]:
    """``expr`` at each point, with mpmath at 30 digits; None where undefined."""
    import mpmath
    try:
        fn = sp.lambdify(symbols, expr, modules=[mpmath_namespace(), "mpmath"])
    except Exception:      # something lambdify cannot print (an undefined function)
        return [None] * len(points)
    out: list[complex | None] = []
    with mpmath.workdps(30):
        for point in points:
            try:
                z = complex(fn(*(mpmath.mpf(v) for v in point)))
            except Exception:      # a pole, an undefined function, a domain error
                out.append(None)
                continue
            finite = math.isfinite(z.real) and math.isfinite(z.imag)
            out.append(z if finite else None)
    return out


def agree(a: sp.Expr, b: sp.Expr, points: int = 5) -> bool | None:
    """Whether ``a == b`` as functions: True, False, or None if undecided.

    Compared at real points (30 significant digits); where neither can be
    evaluated (an undefined function), by ``sympy.simplify``.
    """
    if a == b or sp.expand(a - b, deep=False) == 0:
        return True
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: natural_key(s.name))
    rng = random.Random(1)
    chosen = [[round(rng.choice((-1, 1)) * rng.uniform(0.15, 2.4), 4) for _ in symbols]
              for _ in range(points)]
    compared = 0
    for va, vb in zip(values_at(a, symbols, chosen), values_at(b, symbols, chosen)):
        if va is None or vb is None:
            continue
        if abs(va - vb) > 1e-9 * max(1.0, abs(va), abs(vb)):
            return False
        compared += 1
    if compared:
        return True
    return True if sp.simplify(a - b) == 0 else None
