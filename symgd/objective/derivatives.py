"""Exact derivatives, with the bounds that keep them affordable.

One partial derivative (:func:`derivative`), the gradient
(:func:`gradient_of`) and the Hessian (:func:`hessian_of`), refused with a
reason when the product rule would build an expression too large; and a
linear-time upper bound on the polynomial degree (:func:`degree_bound`)
that tells a quadratic without differentiating.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp

from ..errors import ObjectiveError
from .compile import nodes

__all__ = ["derivative", "gradient_of", "hessian_of", "derivative_size",
           "MAX_DERIVATIVE_SIZE", "degree_bound", "POLYNOMIAL_MAX_NODES"]

MAX_DERIVATIVE_SIZE = 50_000
"""The most new SymPy nodes one partial derivative may take (see
:func:`derivative_size`); a product of 999 factors would take ~10^6."""

POLYNOMIAL_MAX_NODES = 20_000
"""The most expression nodes :func:`degree_bound` looks at."""


def derivative(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """``d expr / d var``, checked: refused when it would be too large to build,
    with Dirac deltas (the second derivative of a kink) dropped.

    >>> x = sp.Symbol("x", real=True)
    >>> derivative(abs(x) * x, x)
    x*sign(x) + Abs(x)
    """
    size = derivative_size(expr, var)
    if size > MAX_DERIVATIVE_SIZE:
        raise ObjectiveError(
            f"the derivative with respect to {var} would be too large (about {size:,} "
            f"SymPy terms; symgd stops at {MAX_DERIVATIVE_SIZE:,}): the product rule "
            "copies every factor of a long product; write the objective as a sum or "
            "with fewer factors")
    try:
        d = sp.diff(expr, var)
    except RecursionError:
        raise ObjectiveError("the expression is too deeply nested to differentiate") from None
    if d.has(sp.DiracDelta):
        d = d.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
    if d.has(sp.Derivative, sp.Subs):
        raise ObjectiveError(f"SymPy could not differentiate {expr} with respect to "
                             f"{var}: the result still contains an unevaluated derivative")
    return d


def gradient_of(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> tuple[sp.Expr, ...]:
    """The partial derivatives of ``expr``, one per variable.

    The terms of a sum are sorted by the variables they contain first, so
    that each derivative only looks at its own terms: a sum of n variables
    costs O(n), not O(n²).

    >>> x, y = sp.symbols("x y")
    >>> gradient_of(x**2 + x*y + 3, (x, y))
    (2*x + y, x)
    """
    terms = expr.args if isinstance(expr, sp.Add) else (expr,)
    wanted = set(variables)
    touching: dict[sp.Symbol, list[sp.Expr]] = {v: [] for v in variables}
    for term in terms:
        for s in term.free_symbols & wanted:
            touching[s].append(term)
    return tuple(derivative(sp.Add(*touching[v]), v) for v in variables)


def hessian_of(gradient: Sequence[sp.Expr], variables: Sequence[sp.Symbol]) -> sp.Matrix:
    """The symmetric matrix of second derivatives, from the gradient: each
    entry above the diagonal is differentiated once and mirrored.

    >>> x, y = sp.symbols("x y")
    >>> hessian_of((2*x + y, x + 3*y**2), (x, y))
    Matrix([
    [2,   1],
    [1, 6*y]])
    """
    n = len(variables)
    rows = [[sp.S.Zero] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            rows[i][j] = rows[j][i] = derivative(gradient[i], variables[j])
    return sp.Matrix(rows)


def derivative_size(expr: sp.Expr, var: sp.Symbol) -> int:
    """About how many new SymPy nodes ``diff(expr, var)`` creates.

    Counted once per distinct subexpression that contains ``var``: a product
    of k such factors costs k*k (the product rule copies the other factors
    into each of k terms), a sum one node per term, anything else a few.

    >>> x = sp.Symbol("x")
    >>> derivative_size(sp.Mul(*[x + i for i in range(1, 11)]), x)
    110
    """
    contains: dict[sp.Basic, bool] = {}
    total = 0
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if node in contains and not done:
            continue
        if not done:
            if node == var:
                contains[node] = True
                continue
            if not node.args:
                contains[node] = False
                continue
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in contains)
            continue
        hits = sum(contains[a] for a in node.args)
        contains[node] = hits > 0
        if hits:
            if isinstance(node, sp.Mul):
                total += hits * len(node.args)
            elif isinstance(node, sp.Add):
                total += hits
            else:
                total += 2 + len(node.args)
    return total


def degree_bound(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> int | None:
    """An upper bound (0, 1 or 2) on the total degree of ``expr`` as a
    polynomial in ``variables``, read off its tree in linear time without
    differentiating; None when it is not written as a polynomial of degree at
    most 2, or when that is not cheap to tell (over
    :data:`POLYNOMIAL_MAX_NODES` nodes). Other symbols count as constants.

    >>> x, y, a = sp.symbols("x y a")
    >>> degree_bound((x + 1)**2 - x*y, (x, y)), degree_bound(sp.sin(a) * x, (x,))
    (2, 1)
    >>> degree_bound(sp.sin(x), (x,)), degree_bound(x**3, (x,))
    (None, None)
    """
    if nodes(expr, POLYNOMIAL_MAX_NODES + 1) > POLYNOMIAL_MAX_NODES:
        return None
    try:
        bound = _tree_degree(expr, frozenset(variables))
    except RecursionError:
        return None
    return bound if bound is not None and bound <= 2 else None


def _tree_degree(expr: sp.Expr, variables: frozenset) -> int | None:
    """The degree bound of one subtree; None when it is not written as a polynomial."""
    if expr.is_Symbol:
        return 1 if expr in variables else 0
    if expr.is_Number:
        return 0
    if expr.is_Add or expr.is_Mul:
        degrees = [_tree_degree(a, variables) for a in expr.args]
        if None in degrees:
            return None
        return max(degrees) if expr.is_Add else sum(degrees)
    if expr.is_Pow and expr.exp.is_Integer and expr.exp >= 0:
        base = _tree_degree(expr.base, variables)
        return None if base is None else base * int(expr.exp)
    # anything else (a function, a fractional power) is a constant only when
    # it is free of the variables; its subtree is looked at once, here
    return None if expr.free_symbols & variables else 0
