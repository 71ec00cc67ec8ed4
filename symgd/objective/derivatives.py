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

from .._text import truncate
from ..errors import ObjectiveError, ResourceError
from .compile import nodes

__all__ = ["derivative", "merge_powers", "gradient_of", "hessian_of", "derivative_size",
           "MAX_DERIVATIVE_SIZE", "degree_bound", "POLYNOMIAL_MAX_NODES", "directional_hessian",
           "MAX_GRADIENT_NODES", "MAX_HESSIAN_ENTRIES", "ADJOINT_NODES", "adjoint_gradient"]

MAX_DERIVATIVE_SIZE = 50_000
"""The most new SymPy nodes one partial derivative may take (see
:func:`derivative_size`); a product of 999 factors would take ~10^6."""

MAX_GRADIENT_NODES = 100_000
"""The most new SymPy nodes the gradient of one expression may take (counted
by :func:`adjoint_gradient` as it builds them, a product of k factors that
all contain variables counting k*k); beyond, a
:class:`~symgd.errors.ResourceError` names this limit. A product of about
300 such factors is there."""

MAX_HESSIAN_ENTRIES = 20_000
"""The most distinct entries (on and above the diagonal) a symbolic Hessian
may have: n(n+1)/2 <= 20,000, so up to 199 variables."""

ADJOINT_NODES = 100
"""Expressions of more tree nodes than this are differentiated by one
reverse-mode (adjoint) pass (:func:`adjoint_gradient`) instead of one
``sympy.diff`` per variable."""

PRODUCT_TREE_FACTORS = 16
"""Products of at least this many factors that contain variables are
differentiated with shared partial products (O(k log k) nodes, not k*k)."""

POLYNOMIAL_MAX_NODES = 20_000
"""The most expression nodes :func:`degree_bound` looks at."""


def derivative(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """``d expr / d var``, checked: refused when it would be too large to build,
    and written so that every derivative that exists evaluates.

    symgd evaluates in the real domain (a subexpression that is not real
    makes the value nan), and the derivative is taken there:

    * ``|u|' = sign(u) u'`` (SymPy would write it with ``re`` and ``im``
      when it cannot tell that ``u`` is real);
    * ``sign``, ``Heaviside``, ``floor`` and ``ceiling`` are locally
      constant: their derivative is 0 (also with respect to the value at 0
      that ``Heaviside``'s second argument gives),
      where SymPy would leave it unevaluated or write a Dirac delta;
    * Dirac deltas (the second derivative of a kink or a step) are dropped;
    * a product ``s**a * s**b`` of powers of one base ``s >= 0`` is written
      ``s**(a + b)`` (:func:`merge_powers`), so that ``s**a / s`` gives its
      limit where ``s = 0`` instead of 0/0.

    At a kink the value is therefore a one-sided convention: ``sign(0) = 0``,
    so ``|x|'`` is 0 at 0 (a subgradient) and ``|x|''`` contributes 0;
    ``Max``/``Min`` at a tie take half of each side (``Heaviside(0) = 1/2``);
    ``relu'(0) = 0``. Only a function with no known derivative (an undefined
    function) is refused.

    >>> x, y = sp.symbols("x y", real=True)
    >>> derivative(abs(x) * x, x)
    x*sign(x) + Abs(x)
    >>> derivative(sp.sign(x / (y - 2)), x)
    0
    >>> derivative((x**2 + y**2)**sp.sqrt(sp.pi), x)
    2*sqrt(pi)*x*(x**2 + y**2)**(-1 + sqrt(pi))
    """
    size = derivative_size(expr, var)
    if size > MAX_DERIVATIVE_SIZE:
        raise ResourceError(
            f"the derivative with respect to {var} would be too large (about {size:,} "
            f"SymPy terms; symgd stops at {MAX_DERIVATIVE_SIZE:,}): the product rule "
            "copies every factor of a long product; write the objective as a sum or "
            "with fewer factors")
    try:
        real = expr.has(*_REAL_FORMS)
        d = sp.diff(_to_real_forms(expr) if real else expr, var)
        if real:
            d = _from_real_forms(d)
        if d.has(sp.DiracDelta):
            d = d.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
        d = merge_powers(d)
    except RecursionError:
        raise ObjectiveError("the expression is too deeply nested to differentiate") from None
    if d.has(sp.Derivative, sp.Subs):
        unknown = sorted({str(getattr(e.expr, "func", e.expr)) for e in d.atoms(sp.Derivative)})
        raise ObjectiveError(
            f"cannot differentiate {truncate(expr)} with respect to {var}: "
            f"{', '.join(unknown) or 'a part of it'} has no known derivative "
            "(an undefined function)")
    return d


class _RealAbs(sp.Function):
    """``Abs`` while differentiating: ``|u|' = sign(u) u'``, right wherever
    ``u`` is real (where it is not, symgd's value is nan anyway)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.sign(self.args[0])

    def _eval_is_extended_nonnegative(self) -> bool:
        return True


def _flat(head: type) -> type:
    """A stand-in for ``head`` while differentiating, with derivative 0."""
    def fdiff(self: sp.Function, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero
    return type(f"_{head.__name__}_flat", (sp.Function,), {"fdiff": fdiff})


_LOCALLY_CONSTANT = (sp.sign, sp.Heaviside, sp.floor, sp.ceiling)
_STAND_INS: dict[type, type] = {sp.Abs: _RealAbs, **{h: _flat(h) for h in _LOCALLY_CONSTANT}}
_REAL_FORMS = tuple(_STAND_INS)


def _to_real_forms(expr: sp.Expr) -> sp.Expr:
    for head, stand_in in _STAND_INS.items():
        if expr.has(head):
            expr = expr.replace(head, stand_in)
    return expr


def _from_real_forms(expr: sp.Expr) -> sp.Expr:
    for head, stand_in in _STAND_INS.items():
        if expr.has(stand_in):
            expr = expr.replace(stand_in, head)
    return expr


def merge_powers(expr: sp.Expr) -> sp.Expr:
    """``expr`` with the powers of one base ``s`` in each product merged,
    ``s**a * s**b -> s**(a + b)``, where SymPy tells that ``s >= 0`` and
    some exponent is not a number (SymPy merges numeric ones itself).

    This is an identity wherever ``s > 0``; where ``s = 0`` it replaces the
    0/0 of a derivative written ``s**a / s`` by the value of the merged power
    (its limit, as ``s**(a - 1)`` is continuous there when ``a > 1``).

    >>> x, y = sp.symbols("x y", real=True)
    >>> merge_powers(sp.Abs(x)**sp.pi * sp.sign(x) / sp.Abs(x))
    Abs(x)**(-1 + pi)*sign(x)
    >>> merge_powers(x**sp.pi / x)     # x may be negative: left as it is
    x**pi/x
    """
    if not any(p.is_Pow and not p.exp.is_Number for p in _pows(expr)):
        return expr
    memo: dict[sp.Basic, sp.Basic] = {}
    return _merged(expr, memo)


def _pows(expr: sp.Expr):
    stack = [expr]
    seen: set[sp.Basic] = set()
    while stack:
        node = stack.pop()
        if node.is_Pow:
            yield node
        for a in node.args:
            if a.args and a not in seen:
                seen.add(a)
                stack.append(a)


def _merged(expr: sp.Basic, memo: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    if not expr.args:
        return expr
    done = memo.get(expr)
    if done is not None:
        return done
    args = [_merged(a, memo) for a in expr.args]
    new = expr.func(*args) if any(a is not b for a, b in zip(args, expr.args)) else expr
    if new.is_Mul:
        new = _merged_product(new)
    memo[expr] = new
    return new


def _merged_product(product: sp.Mul) -> sp.Expr:
    exponents: dict[sp.Basic, list[sp.Expr]] = {}
    for factor in product.args:
        base, exp = (factor.base, factor.exp) if factor.is_Pow else (factor, sp.S.One)
        if not base.is_Number:
            exponents.setdefault(base, []).append(exp)
    merge = {b for b, es in exponents.items()
             if len(es) > 1 and not all(e.is_Number for e in es) and b.is_nonnegative}
    if not merge:
        return product
    kept = [f for f in product.args
            if (f.base if f.is_Pow else f) not in merge]
    return sp.Mul(*kept, *(sp.Pow(b, sp.Add(*exponents[b])) for b in merge))


def gradient_of(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> tuple[sp.Expr, ...]:
    """The partial derivatives of ``expr``, one per variable.

    A small expression (up to :data:`ADJOINT_NODES` tree nodes) is
    differentiated by :func:`derivative`, once per variable; the terms of a
    sum are sorted by the variables they contain first, so that each
    derivative only looks at its own terms. A larger one is differentiated
    by one reverse-mode pass (:func:`adjoint_gradient`), whose cost grows
    with the size of the expression, not with its size times the number of
    variables; more than :data:`MAX_GRADIENT_NODES` new nodes raise a
    :class:`~symgd.errors.ResourceError`.

    >>> x, y = sp.symbols("x y")
    >>> gradient_of(x**2 + x*y + 3, (x, y))
    (2*x + y, x)
    """
    if nodes(expr, ADJOINT_NODES + 1) > ADJOINT_NODES:
        return adjoint_gradient(expr, variables)
    terms = expr.args if isinstance(expr, sp.Add) else (expr,)
    wanted = set(variables)
    touching: dict[sp.Symbol, list[sp.Expr]] = {v: [] for v in variables}
    for term in terms:
        for s in term.free_symbols & wanted:
            touching[s].append(term)
    return tuple(derivative(sp.Add(*touching[v]), v) for v in variables)


def adjoint_gradient(expr: sp.Expr, variables: Sequence[sp.Symbol], *,
                     budget: int | None = None) -> tuple[sp.Expr, ...]:
    """The gradient of ``expr`` by one reverse-mode (adjoint) pass over its
    expression graph.

    Each distinct subexpression ``u`` that contains a variable gets an
    adjoint ``ū = ∂expr/∂u``, the sum over its parents ``p`` of
    ``p̄ · ∂p/∂u``, taken parents first; the gradient is the adjoints of the
    variables. Shared subexpressions stay shared (one SymPy object), so the
    work grows with the graph, and compiling with common subexpressions
    (:func:`~symgd.objective.compile.auto_cse`) sees the sharing. The local
    partials of functions are those of :func:`derivative` (so ``Abs``,
    ``sign``, ``Max`` follow the same real-domain conventions).

    Raises :class:`~symgd.errors.ResourceError` when more than ``budget``
    (by default :data:`MAX_GRADIENT_NODES`) new nodes would be built.

    >>> x, y = sp.symbols("x y", real=True)
    >>> adjoint_gradient(sp.sin(x * y) + x**2, (x, y))
    (2*x + y*cos(x*y), x*cos(x*y))
    >>> adjoint_gradient((x + 1) * (y + 1) * (x + y), (x, y))
    ((x + 1)*(y + 1) + (x + y)*(y + 1), (x + 1)*(x + y) + (x + 1)*(y + 1))
    """
    limit = MAX_GRADIENT_NODES if budget is None else budget
    wanted = set(variables)
    order, depends = _dependent_order(expr, wanted)
    contributions: dict[sp.Basic, list[sp.Expr]] = {expr: [sp.S.One]}
    adjoints: dict[sp.Basic, sp.Expr] = {}
    built = 0
    try:
        for node in reversed(order):
            parts = contributions.pop(node, None)
            if not parts:
                continue
            adjoint = sp.Add(*parts) if len(parts) > 1 else parts[0]
            built += len(parts)
            if node.is_Symbol:
                adjoints[node] = adjoint
                continue
            if node.is_Mul:
                # k partials of len(args) factors each: built as shared partial
                # products (_tree_partials), but written out in full wherever the
                # gradient is shown or evaluated by SymPy, so counted in full
                built += sum(depends[a] for a in node.args) * len(node.args)
            if built > limit:
                raise _too_large(limit)
            for arg, local in _local_partials(node, depends, wanted):
                if local == 1:
                    term = adjoint                  # shared, nothing new
                    built += 1
                elif isinstance(local, _Shared):
                    term = local.product if adjoint == 1 else \
                        sp.Mul(adjoint, local.product, evaluate=False)
                    built += 2
                else:
                    term = adjoint * local
                    built += 1 + len(term.args)
                contributions.setdefault(arg, []).append(term)
            if built > limit:
                raise _too_large(limit)
    except RecursionError:
        raise ObjectiveError("the expression is too deeply nested to differentiate") from None
    gradient = [adjoints.get(v, sp.S.Zero) for v in variables]
    if any(p.is_Pow and not p.exp.is_Number for p in _pows(expr)):
        memo: dict[sp.Basic, sp.Basic] = {}
        gradient = [_merged(g, memo) for g in gradient]
    return tuple(gradient)


def _too_large(limit: int) -> ResourceError:
    return ResourceError(
        f"the gradient of this expression would take more than {limit:,} new SymPy "
        f"nodes (symgd's limit MAX_GRADIENT_NODES): the product rule copies every "
        "factor of a long product; write it with fewer or shorter products, or with "
        "fewer variables")


def _dependent_order(expr: sp.Expr, wanted: set) -> tuple[list[sp.Basic], dict]:
    """The distinct subexpressions that contain a variable of ``wanted``,
    children before parents, and for every subexpression seen whether it does."""
    depends: dict[sp.Basic, bool] = {}
    order: list[sp.Basic] = []
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if done:
            depends[node] = any(depends[a] for a in node.args)
            if depends[node]:
                order.append(node)
            continue
        if node in depends:
            continue
        if not node.args:
            depends[node] = node in wanted
            if depends[node]:
                order.append(node)
            continue
        depends[node] = False                   # open; set when its arguments are done
        stack.append((node, True))
        stack.extend((a, False) for a in node.args if a not in depends)
    return order, depends


_TEMPLATES: dict[tuple, sp.Expr | None] = {}


def _local_partials(node: sp.Basic, depends: dict, wanted: set):
    """``(argument, ∂node/∂argument)`` for the arguments of ``node`` that
    contain a variable; for a node whose arguments are not all expressions
    (``Piecewise``), ``(variable, ∂node/∂variable)`` instead."""
    args = node.args
    if node.is_Add:
        return [(a, sp.S.One) for a in args if depends[a]]
    if node.is_Mul:
        if sum(depends[a] for a in args) >= PRODUCT_TREE_FACTORS:
            return _tree_partials(args, depends)
        return [(a, sp.Mul(*args[:k], *args[k + 1:])) for k, a in enumerate(args) if depends[a]]
    if node.is_Pow:
        base, exp = args
        out = []
        if depends[base]:
            out.append((base, exp * base**(exp - 1)))
        if depends[exp]:
            out.append((exp, node * sp.log(base)))
        return out
    if isinstance(node, sp.Expr) and all(isinstance(a, sp.Expr) for a in args) \
            and not isinstance(node, sp.Piecewise):
        out = []
        for k, a in enumerate(args):
            if not depends[a]:
                continue
            template = _template(node.func, len(args), k)
            if template is None:
                break
            out.append((a, template.xreplace(dict(zip(_SLOTS[len(args)], args)))))
        else:
            return out
    return [(v, derivative(node, v)) for v in sorted(node.free_symbols & wanted, key=str)]


class _Shared:
    """A partial derivative written as a product of shared partial products
    (see :func:`_tree_partials`), kept unevaluated so the sharing survives."""

    def __init__(self, product: sp.Expr) -> None:
        self.product = product

    def __eq__(self, other: object) -> bool:
        return False                              # never the number 1

    __hash__ = object.__hash__


def _tree_partials(args: Sequence[sp.Expr], depends: dict) -> list:
    """The partials of the product of ``args`` by each factor, in O(k log k):
    the products of a balanced binary tree over the factors are formed once,
    and the partial by factor ``k`` is the product of the siblings on the path
    from ``k`` to the root (about log2(k) shared subproducts), where the
    product rule written out would copy k - 1 factors into each of k partials."""
    def split(lo: int, hi: int) -> sp.Expr:
        if hi - lo == 1:
            return args[lo]
        mid = (lo + hi) // 2
        return sp.Mul(products(lo, mid), products(mid, hi), evaluate=False)

    memo: dict[tuple[int, int], sp.Expr] = {}

    def products(lo: int, hi: int) -> sp.Expr:
        if (lo, hi) not in memo:
            memo[(lo, hi)] = split(lo, hi)
        return memo[(lo, hi)]

    out = []
    for k, a in enumerate(args):
        if not depends[a]:
            continue
        siblings, lo, hi = [], 0, len(args)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if k < mid:
                siblings.append(products(mid, hi))
                hi = mid
            else:
                siblings.append(products(lo, mid))
                lo = mid
        partial = siblings[0] if len(siblings) == 1 else sp.Mul(*siblings, evaluate=False)
        out.append((a, _Shared(partial)))
    return out


_SLOTS: dict[int, tuple[sp.Symbol, ...]] = {}


def _template(func: type, m: int, k: int) -> sp.Expr | None:
    """``∂ func(a0, ..., a_{m-1}) / ∂a_k`` in placeholder symbols, or None when
    ``func`` of placeholders is not a function of them (it evaluated away)."""
    key = (func, m, k)
    if key not in _TEMPLATES:
        slots = _SLOTS.setdefault(m, tuple(sp.Dummy(f"a{j}", real=True) for j in range(m)))
        try:
            applied = func(*slots)
            ok = applied.func is func and applied.args == slots
            _TEMPLATES[key] = derivative(applied, slots[k]) if ok else None
        except (TypeError, ValueError):
            _TEMPLATES[key] = None
    return _TEMPLATES[key]


def hessian_of(gradient: Sequence[sp.Expr], variables: Sequence[sp.Symbol]) -> sp.Matrix:
    """The symmetric matrix of second derivatives, from the gradient: each
    entry above the diagonal is differentiated once and mirrored. More than
    :data:`MAX_HESSIAN_ENTRIES` such entries raise a
    :class:`~symgd.errors.ResourceError`.

    >>> x, y = sp.symbols("x y")
    >>> hessian_of((2*x + y, x + 3*y**2), (x, y))
    Matrix([
    [2,   1],
    [1, 6*y]])
    """
    n = len(variables)
    entries = n * (n + 1) // 2
    if entries > MAX_HESSIAN_ENTRIES:
        raise ResourceError(
            f"the Hessian of {n} variables has {entries:,} distinct entries (symgd's limit "
            f"MAX_HESSIAN_ENTRIES is {MAX_HESSIAN_ENTRIES:,}); use a method that needs "
            "only gradients (or Hessian-vector products, Objective.hessp)")
    rows = [[sp.S.Zero] * n for _ in range(n)]
    for i in range(n):
        row = gradient_of(gradient[i], tuple(variables[i:]))
        for j in range(i, n):
            rows[i][j] = rows[j][i] = row[j - i]
    return sp.Matrix(rows)


def directional_hessian(gradient: Sequence[sp.Expr], variables: Sequence[sp.Symbol]
                        ) -> tuple[tuple[sp.Symbol, ...], tuple[sp.Expr, ...]]:
    r"""Hessian-vector products without the Hessian matrix: the expressions
    :math:`(H p)_i = \sum_j p_j\, \partial^2 f / \partial x_i \partial x_j`, in
    the variables and the components of :math:`p`.

    Returns ``(arguments, products)``: the variables followed by one new
    symbol per component of :math:`p`, and the n products. Only the
    second derivatives that can be nonzero are taken (a partial is
    differentiated by the variables it contains, each pair once, and
    mirrored), so a Hessian with few nonzero entries per row costs about
    n derivatives, and the compiled products have n outputs, not n².

    >>> x, y = sp.symbols("x y")
    >>> args, hp = directional_hessian((2*x + y, x + 3*y**2), (x, y))
    >>> [str(a) for a in args], hp
    (['x', 'y', '_p1', '_p2'], (2*_p1 + _p2, _p1 + 6*_p2*y))
    """
    direction = tuple(sp.Dummy(f"p{j + 1}", real=True) for j in range(len(variables)))
    position = {v: k for k, v in enumerate(variables)}
    rows: list[list[sp.Expr]] = [[] for _ in variables]
    for j, g in enumerate(gradient):
        for i in sorted(position[s] for s in g.free_symbols if s in position):
            if i < j:
                continue                    # taken from the partial of x_i (symmetry)
            entry = derivative(g, variables[i])
            if entry == 0:
                continue
            rows[j].append(direction[i] * entry)
            if i != j:
                rows[i].append(direction[j] * entry)
    return (*variables, *direction), tuple(sp.Add(*terms) for terms in rows)


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
