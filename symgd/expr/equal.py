"""The one expression-equality oracle: are two expressions the same function?

Used wherever symgd must tell whether two expressions agree (a derivation
against ``sympy.diff``, a claimed derivative against the true one):

* :func:`agree` compares structurally, then at real points with mpmath at 30
  significant digits, then by ``sympy.simplify`` where neither can be
  evaluated;
* :func:`is_zero`, :func:`cheap_zero` and :func:`simplify_zero` are the exact
  tests that a difference is 0: one look, the cheap rewriting steps
  (:data:`CHEAP_STEPS`) one by one, and ``sympy.simplify``. The cheap steps
  name the step that decided, which is what a report tells a student
  ("shown by expand"). ``simplify`` can take minutes: run it under a time
  limit (:func:`symgd._isolate.limited` in an isolated child).
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable, Sequence

import sympy as sp

from ..objective.core import natural_key

__all__ = ["agree", "values_at", "mpmath_namespace", "is_zero", "cheap_zero", "simplify_zero",
           "CHEAP_STEPS"]


def mpmath_namespace() -> dict[str, Any]:
    """The functions symgd adds to SymPy, for ``lambdify`` with mpmath."""
    import mpmath

    def heaviside(t: Any, h0: Any = 0.5) -> Any:
        return 1 if t > 0 else (h0 if t == 0 else 0)

    return {"sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
            "softplus": lambda t: mpmath.log(1 + mpmath.exp(t)),
            "relu": lambda t: t if t > 0 else 0, "Heaviside": heaviside}


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
    return True if simplify_zero(a - b) else None


# ------------------------------------------------------------ exact zero tests

def is_zero(e: Any) -> bool:
    """Whether ``e`` is a SymPy expression known to be 0 as it stands.

    >>> x = sp.Symbol("x")
    >>> is_zero(sp.S(0)), is_zero(x - x), is_zero(x), is_zero(0)
    (True, True, False, False)
    """
    return isinstance(e, sp.Basic) and (e == 0 or getattr(e, "is_zero", None) is True)


# (name, rewriting): each is cheap on the expressions people write, and each
# decides a family of identities (polynomials, rational functions, log and
# power laws, trigonometric identities).
CHEAP_STEPS: tuple[tuple[str, Callable[[sp.Expr], sp.Expr]], ...] = (
    ("expand", sp.expand),
    ("cancel", sp.cancel),
    ("together", lambda e: sp.cancel(sp.together(e))),
    ("expand_log", lambda e: sp.expand(sp.expand_log(e, force=False))),
    ("powsimp", lambda e: sp.expand(sp.powsimp(sp.powdenest(e)))),
    ("expand_trig", lambda e: sp.expand(sp.expand_trig(e))),
    ("trigsimp", sp.trigsimp),
)


def cheap_zero(d: sp.Expr) -> str | None:
    """The name of the first of :data:`CHEAP_STEPS` that reduces ``d`` to 0, or None.

    >>> x = sp.Symbol("x", real=True)
    >>> cheap_zero(2*(x + 1) - 2*x - 2), cheap_zero(sp.sin(2*x) - 2*sp.sin(x)*sp.cos(x))
    ('expand', 'expand_trig')
    >>> print(cheap_zero(x - 1))
    None
    """
    for name, step in CHEAP_STEPS:
        if is_zero(step(d)):
            return name
    return None


def simplify_zero(d: sp.Expr) -> str | None:
    """``"simplify"`` when ``sympy.simplify`` reduces ``d`` to 0, else None
    (slow on some input: run it under a time limit).

    >>> x = sp.Symbol("x", real=True)
    >>> simplify_zero(sp.sin(x)**2 + sp.cos(x)**2 - 1)
    'simplify'
    """
    return "simplify" if is_zero(sp.simplify(d)) else None
