r"""The exact solution of :math:`\nabla f = 0`, only when it is provably complete.

A polynomial (or rational) gradient system is solved through its Gröbner
basis in lexicographic order:

* the basis is ``[1]``: there are no solutions, not even complex ones;
* the system is not zero-dimensional: the solutions form curves or
  surfaces, and there is no finite list to give (``None``);
* the basis is in *shape position*, ``x_i - g_i(t)`` for every variable but
  the last and one polynomial ``p(t)``: the solutions are exactly
  ``t = r, x_i = g_i(r)`` for the distinct roots ``r`` of ``p``, so the real
  solutions are the real roots of ``p`` (isolated exactly, as ``CRootOf``
  where there are no radicals) and every other root is a complex solution,
  counted and left out;
* otherwise the same through a new last variable, a linear form of the
  others that separates the solutions (the shape lemma);
* otherwise SymPy's ``solve_poly_system(..., strict=True)``, which raises
  rather than drop solutions it cannot write down.

Any other outcome is ``None``: the caller then searches numerically and
says so. The functions here run in a child process (see
:func:`symgd._isolate.call`), so a basis that grows without end is stopped.
"""

from __future__ import annotations

import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError
from sympy.solvers.polysys import SolveFailed

__all__ = ["solve_complete", "to_float"]

_DIGITS = 40                 # working precision when deciding real / pole


def solve_complete(gradient: list, variables: list) -> dict | None:
    """All real solutions of ``gradient = 0`` and the number of non-real ones.

    Returns ``{"points": [{symbol: exact value}], "complex": int}``, or None
    when completeness cannot be shown (positive-dimensional solution sets,
    unsolvable factors).

    >>> x, y = sp.symbols("x y", real=True)
    >>> r = solve_complete([3*x**2 - 3, 2*y], [x, y])
    >>> sorted(p[x] for p in r["points"]), r["complex"]
    ([-1, 1], 0)
    >>> r = solve_complete([x**3 + x, y], [x, y])     # x = ±i are not real
    >>> r["points"], r["complex"]
    ([{x: 0, y: 0}], 2)
    >>> solve_complete([x*(x**2 + y**2 - 1), y*(x**2 + y**2 - 1)], [x, y]) is None
    True
    """
    numerators, denominators = [], []
    for g in gradient:
        num, den = sp.fraction(sp.together(_rational(g)))
        numerators.append(sp.expand(num))
        if not den.is_number:
            denominators.append(den)
    numerators = [p for p in numerators if p != 0]
    if not numerators:
        return None                   # the gradient vanishes everywhere
    basis = sp.groebner(numerators, *variables, order="lex")
    if list(basis.exprs) == [1]:
        return {"points": [], "complex": 0}
    if not basis.is_zero_dimensional:
        return None
    found = _shape(list(basis.exprs), variables)
    if found is None:
        found = _separated(numerators, variables)
    if found is None:
        found = _strict(numerators, variables)
    if found is None:
        return None
    points, non_real = found
    kept = [p for p in points if not _pole(p, denominators)]
    return {"points": kept, "complex": non_real}


def _rational(expr: sp.Expr) -> sp.Expr:
    """Decimal coefficients as the rationals they are written as (2.1 -> 21/10)."""
    floats = expr.atoms(sp.Float)
    return expr.xreplace({f: sp.Rational(str(f)) for f in floats}) if floats else expr


def _shape(polys: list, variables: list) -> tuple[list, int] | None:
    """Solutions of a lex basis in shape position, or None if it is not."""
    n, t = len(variables), variables[-1]
    if len(polys) != n or polys[-1].free_symbols - {t}:
        return None
    formulas = {}
    for x, p in zip(variables[:-1], polys[:-1]):
        if p.free_symbols - {x, t}:
            return None
        P = sp.Poly(p, x)
        if P.degree() != 1 or not P.LC().is_number:
            return None
        formulas[x] = -P.TC() / P.LC()
    last = sp.Poly(polys[-1], t).sqf_part()
    roots = last.real_roots()
    points = []
    for r in roots:
        p = {x: g.subs(t, r) for x, g in formulas.items()}
        p[t] = r
        points.append({v: p[v] for v in variables})
    return points, last.degree() - len(roots)


def _separated(numerators: list, variables: list) -> tuple[list, int] | None:
    """The shape lemma through a new last variable ``t = x1 + 2 x2 + 3 x3 + ...``:
    when ``t`` separates the solutions (and the ideal is radical) the basis is
    in shape position in ``t``; a real ``t`` then gives a real solution
    (``x_i = g_i(t)`` with rational ``g_i``). None when it is not."""
    t = sp.Dummy("t")
    form = t - sum((k + 1) * x for k, x in enumerate(variables))
    basis = sp.groebner(numerators + [form], *variables, t, order="lex")
    found = _shape(list(basis.exprs), list(variables) + [t])
    if found is None:
        return None
    points, non_real = found
    return [{v: p[v] for v in variables} for p in points], non_real


def _strict(numerators: list, variables: list) -> tuple[list, int] | None:
    """SymPy's complete solve: every solution, or None when a factor is unsolvable."""
    try:
        solutions = sp.solve_poly_system(numerators, *variables, strict=True)
    except (BasePolynomialError, SolveFailed, NotImplementedError):
        return None
    if solutions is None:
        return None
    points, non_real = [], 0
    for s in set(tuple(s) for s in solutions):
        values = [sp.N(v, _DIGITS) for v in s]
        if all(abs(sp.im(v)) <= 10.0 ** (10 - _DIGITS) * max(1, abs(sp.re(v)))
               for v in values):
            points.append(dict(zip(variables, s)))
        else:
            non_real += 1
    return points, non_real


def _pole(point: dict, denominators: list) -> bool:
    """True where a denominator of the gradient vanishes (not a stationary point)."""
    return any(abs(sp.N(d.subs(point), _DIGITS)) <= 10.0 ** (10 - _DIGITS)
               for d in denominators)


def to_float(value: sp.Expr) -> float:
    """The real value of an exact real number (radicals with ``I`` or ``CRootOf``).

    >>> to_float(sp.CRootOf(sp.Symbol("x")**5 - sp.Symbol("x") - 1, 0))
    1.1673039782614187
    """
    return float(sp.re(sp.N(value, 30)))
