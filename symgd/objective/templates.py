"""Sums of many terms of a few shapes, evaluated one shape at a time.

An objective such as Rosenbrock's ``sum(100*(x[i+1] - x[i]**2)**2 + (1 - x[i])**2)``
is a sum of thousands of terms but only two *templates*: each term is one
of a few small expressions with its variables renamed. Renaming the
variables of every term, in the order they first appear, to placeholders
``t0, t1, ...`` finds them; terms that differ only in their numbers (the
``i`` of ``(x_i - i)**2``) are grouped too, with those numbers as further
placeholders ``c0, c1, ...`` (only the coefficients and constant terms of
sums and products, never exponents).

Each template is differentiated and compiled once, and evaluated on all of
its terms in one NumPy call, with the variables gathered by index arrays
(``x[idx0], x[idx1], ...``); each placeholder's partial derivatives are
added into the gradient with :func:`numpy.bincount`. Terms whose shape no
other term shares are the *remainder*, an expression compiled as usual.
Building costs about the size of the expression (SymPy's cache makes
renaming terms of one shape cheap) instead of the work of differentiating
and printing every term, and one gradient costs a few NumPy operations per
template.

Round-off aside, the values are those of the expression's own compiled form
(:class:`~symgd.objective.compile.Compiled` of the whole sum): wherever a
value or a partial derivative comes out nan or infinite, that point is
evaluated again by that form, so a numeric fault is reported exactly as
it would be without templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import sympy as sp

from .compile import Compiled
from .derivatives import degree_bound, gradient_of
from .strategy import ExpressionStrategy

__all__ = ["TemplatedSumStrategy", "templated_strategy", "TEMPLATE_MIN_TERMS",
           "TEMPLATE_MIN_GROUP"]

TEMPLATE_MIN_TERMS = 50
"""Sums of fewer terms are compiled as one expression."""

TEMPLATE_MIN_GROUP = 4
"""Fewer terms of one shape are left to the remainder."""

_T: list[sp.Symbol] = []
_C: list[sp.Symbol] = []


def _placeholders(store: list[sp.Symbol], letter: str, k: int) -> list[sp.Symbol]:
    while len(store) < k:
        store.append(sp.Dummy(f"{letter}{len(store)}", real=True))
    return store[:k]


@dataclass
class _Group:
    """The terms of one template: ``template(x[take[0]], ..., x[take[k-1]], *consts)``."""

    template: sp.Expr
    variables: tuple[sp.Symbol, ...]      # placeholders t0..t(k-1)
    numbers: tuple[sp.Symbol, ...]        # placeholders c0..c(m-1)
    index: np.ndarray                     # (terms, k) variable positions
    consts: np.ndarray                    # (terms, m) numbers

    def __post_init__(self) -> None:
        self.take = [_as_slice(self.index[:, j]) for j in range(self.index.shape[1])]
        self.columns = [np.ascontiguousarray(self.consts[:, j])
                        for j in range(self.consts.shape[1])]
        args = (*self.variables, *self.numbers)
        self.gradient = tuple(_shorter(d) for d in gradient_of(self.template, self.variables))
        self.full = Compiled(args, (self.template, *self.gradient))
        self.value = Compiled(args, (self.template,))
        self._hessp: Compiled | None = None

    @property
    def size(self) -> int:
        return self.index.shape[0]

    def hessp(self) -> tuple[Compiled, list[tuple[int, int]]]:
        """The template's Hessian entries on and above the diagonal, compiled."""
        if self._hessp is None:
            pairs, entries = [], []
            for a, g in enumerate(self.gradient):
                for b in range(a, len(self.variables)):
                    entry = gradient_of(g, (self.variables[b],))[0]
                    if entry != 0:
                        pairs.append((a, b))
                        entries.append(entry)
            self._pairs = pairs
            self._hessp = Compiled((*self.variables, *self.numbers), tuple(entries))
        return self._hessp, self._pairs


def _shorter(expr: sp.Expr) -> sp.Expr:
    """``expr`` with common factors taken out of its sums when that takes fewer
    operations (``200*t0 - 200*t1**2`` -> ``200*(t0 - t1**2)``, which shares
    ``t0 - t1**2`` with the value)."""
    try:
        factored = sp.factor_terms(expr)
    except (RecursionError, TypeError, ValueError):
        return expr
    return factored if sp.count_ops(factored) < sp.count_ops(expr) else expr


def _as_slice(idx: np.ndarray) -> slice | np.ndarray:
    """A slice for indices in arithmetic progression (a view, no copy), else the indices."""
    if len(idx) > 1:
        step = int(idx[1] - idx[0])
        if step > 0 and np.array_equal(idx, idx[0] + step * np.arange(len(idx))):
            return slice(int(idx[0]), int(idx[-1]) + 1, step)
    return idx


# ------------------------------------------------------------------ splitting

def _first_symbols(term: sp.Basic) -> list[sp.Symbol]:
    """The symbols of ``term`` in the order a preorder walk meets them."""
    seen: dict[sp.Symbol, None] = {}
    for node in sp.preorder_traversal(term):
        if node.is_Symbol and node not in seen:
            seen[node] = None
    return list(seen)


def _abstract_numbers(expr: sp.Basic, found: list[sp.Number]) -> sp.Basic:
    """``expr`` with each number that is an argument of a sum or a product
    replaced by the next number placeholder; the numbers go to ``found``."""
    if not expr.args:
        return expr
    flat = expr.is_Add or expr.is_Mul
    args = []
    for a in expr.args:
        if flat and a.is_Number:
            found.append(a)
            args.append(_placeholders(_C, "c", len(found))[-1])
        else:
            args.append(_abstract_numbers(a, found))
    return expr.func(*args)


def _split(terms: Sequence[sp.Expr], position: Mapping[sp.Symbol, int], min_group: int,
           numbers: bool) -> tuple[list[_Group], list[sp.Expr]]:
    """Groups of at least ``min_group`` terms of one template, and the other terms.

    With ``numbers``, the numbers of sums and products are placeholders too."""
    shapes: dict[sp.Expr, tuple[tuple, list, list, list]] = {}
    rest: list[sp.Expr] = []
    for term in terms:
        symbols = _first_symbols(term)
        if not symbols or any(s not in position for s in symbols):
            rest.append(term)
            continue
        places = _placeholders(_T, "t", len(symbols))
        shape = term.xreplace(dict(zip(symbols, places)))
        found: list[sp.Number] = []
        if numbers:
            try:
                shape = _abstract_numbers(shape, found)
            except (RecursionError, TypeError, ValueError):
                rest.append(term)
                continue
        if shape.free_symbols != set(places) | set(_C[:len(found)]):
            rest.append(term)                    # a placeholder vanished: keep it whole
            continue
        entry = shapes.setdefault(shape, (tuple(places), [], [], []))
        entry[1].append([position[s] for s in symbols])
        entry[2].append([float(v) for v in found])
        entry[3].append(term)
    groups = []
    for shape, (places, index, consts, members) in shapes.items():
        if len(members) >= min_group:
            m = len(consts[0])
            order = sorted(range(len(index)), key=index.__getitem__)   # runs become slices
            index, consts = [index[k] for k in order], [consts[k] for k in order]
            groups.append([shape, places, tuple(_C[:m]),
                           np.array(index, dtype=np.intp).reshape(len(index), -1),
                           np.array(consts, dtype=float).reshape(len(consts), m)])
        else:
            rest.extend(members)
    return groups, rest


def _fused(specs: list[list]) -> list[list]:
    """Groups merged where the terms of one use, row by row, variables that the
    terms of another use too (Rosenbrock's ``(1 - x_i)**2`` beside
    ``100*(x_(i+1) - x_i**2)**2``): one template of both, evaluated once, with
    one partial derivative per variable instead of one per term."""
    out: list[list] = []
    for spec in sorted(specs, key=lambda s: -s[3].shape[1]):
        shape, places, numbers, index, consts = spec
        for host in out:
            if host[3].shape[0] != index.shape[0]:
                continue
            where = [next((j for j in range(host[3].shape[1])
                           if np.array_equal(host[3][:, j], index[:, a])), None)
                     for a in range(index.shape[1])]
            if None in where:
                continue
            m = len(host[2])
            more = _placeholders(_C, "c", m + len(numbers))[m:]
            rename = {**{p: host[1][j] for p, j in zip(places, where)},
                      **dict(zip(numbers, more))}
            host[0] = host[0] + shape.xreplace(rename)
            host[2] = (*host[2], *more)
            host[4] = np.hstack([host[4], consts])
            break
        else:
            out.append(list(spec))
    return out


def templated_strategy(raw: sp.Expr, user: Sequence[sp.Symbol], symbols: Sequence[sp.Symbol],
                       *, min_terms: int = TEMPLATE_MIN_TERMS,
                       min_group: int = TEMPLATE_MIN_GROUP) -> TemplatedSumStrategy | None:
    """The templated strategy of ``raw`` (in the symbols ``user``, the
    variables in order; ``symbols`` the same variables as real symbols), or
    None when ``raw`` is not a sum of at least ``min_terms`` terms of which
    at least ``min_terms`` share templates.

    >>> x = sp.symbols("x1:61", real=True)
    >>> s = templated_strategy(sum((x[i + 1] - x[i])**2 for i in range(59)) + x[0]**4, x, x)
    >>> [g.size for g in s.groups], s.remainder.expr
    ([59], x1**4)
    >>> s.evaluator.at(np.arange(60.0))[:3]
    (59.0, -2.0, 0.0)
    """
    if not isinstance(raw, sp.Add) or len(raw.args) < min_terms:
        return None
    # the expression may be in either form of the variables (text is read in
    # real symbols, a SymPy expression comes in the caller's)
    position = {**{u: k for k, u in enumerate(user)}, **{r: k for k, r in enumerate(symbols)}}
    groups, rest = _split(raw.args, position, min_group, numbers=False)
    more, rest = _split(rest, position, min_group, numbers=True)
    groups += more
    if sum(len(g[3]) for g in groups) < min_terms:
        return None
    groups = [_Group(*spec) for spec in _fused(groups)]
    to_real = {u: r for u, r in zip(user, symbols) if u != r}
    return TemplatedSumStrategy(raw, to_real, symbols, groups, rest)


# ------------------------------------------------------------------ strategy

class TemplatedSumStrategy(ExpressionStrategy):
    """A sum evaluated template by template (see the module's description).

    The closed forms (:attr:`real_expr`, :attr:`real_gradient`, the Hessian)
    are those of the whole expression, built only when asked for; the
    numerics (:attr:`evaluator`, :attr:`value_evaluator`, :meth:`hessp`)
    go by templates.
    """

    def __init__(self, raw: sp.Expr, to_real: Mapping[sp.Symbol, sp.Symbol],
                 symbols: Sequence[sp.Symbol], groups: list[_Group],
                 rest: Sequence[sp.Expr]) -> None:
        self._raw, self._to_real = raw, dict(to_real)
        super().__init__(None, symbols)
        self.groups = groups
        self.remainder: ExpressionStrategy | None = None
        self.rest_index = np.zeros(0, dtype=np.intp)
        if rest:
            position = {s: k for k, s in enumerate(symbols)}
            expr = sp.Add(*rest).xreplace(self._to_real)
            used = sorted(expr.free_symbols & set(position), key=position.__getitem__)
            self.remainder = ExpressionStrategy(expr, used)
            self.rest_index = np.array([position[s] for s in used], dtype=np.intp)
        self._templated = TemplatedEvaluator(self)

    @property
    def expr(self) -> sp.Expr:
        """The whole sum in the real symbols, converted when first asked for."""
        if self._expr is None:
            self._expr = self._raw.xreplace(self._to_real) if self._to_real else self._raw
        return self._expr

    @expr.setter
    def expr(self, value: sp.Expr | None) -> None:
        self._expr = value

    @property
    def evaluator(self) -> TemplatedEvaluator:
        return self._templated

    @property
    def value_evaluator(self) -> TemplatedEvaluator:
        return self._templated.values_only

    @property
    def reference(self) -> Compiled:
        """The whole expression's value and gradient compiled as one, used where
        a template gives a non-finite number."""
        return ExpressionStrategy.evaluator.fget(self)

    @property
    def reference_value(self) -> Compiled:
        return ExpressionStrategy.value_evaluator.fget(self)

    @property
    def degree_bound(self) -> int | None:
        """The largest degree bound of a template or the remainder."""
        if self._degree is None:
            bounds = [degree_bound(g.template, g.variables) for g in self.groups]
            if self.remainder is not None:
                bounds.append(self.remainder.degree_bound)
            self._degree = (None if None in bounds else max(bounds),)
        return self._degree[0]

    def hessp(self, point: np.ndarray, direction: np.ndarray) -> np.ndarray:
        """The Hessian times ``direction``, template by template."""
        n = len(self.symbols)
        out = np.zeros(n)
        with np.errstate(all="ignore"):
            for g in self.groups:
                compiled, pairs = g.hessp()
                if not pairs:
                    continue
                xs = [point[t] for t in g.take]
                ps = [direction[t] for t in g.take]
                entries = _outputs(compiled.array(*xs, *g.columns), g.size)
                for (a, b), h in zip(pairs, entries):
                    out += np.bincount(g.index[:, a], weights=h * ps[b], minlength=n)
                    if a != b:
                        out += np.bincount(g.index[:, b], weights=h * ps[a], minlength=n)
            if self.remainder is not None:
                k = self.rest_index
                out[k] += self.remainder.hessp(point[k], direction[k])
        if not np.isfinite(out).all():
            return ExpressionStrategy.hessp(self, point, direction)
        return out


def _floats(value: object, size: int) -> np.ndarray:
    """One compiled output as a float array of ``size`` (a constant broadcast)."""
    if type(value) is np.ndarray and value.dtype == np.float64 and value.shape == (size,):
        return value
    return _outputs((value,), size)[0]


def _outputs(values: Sequence[object], size: int) -> list[np.ndarray]:
    """Compiled outputs as float arrays of ``size`` (constants broadcast)."""
    out = []
    for v in values:
        arr = np.asarray(v)
        if arr.dtype.kind == "c":
            arr = np.where(arr.imag == 0, arr.real, np.nan)
        if arr.dtype.kind != "f":
            arr = arr.astype(float)
        out.append(arr if arr.shape == (size,) else np.broadcast_to(arr, (size,)))
    return out


class TemplatedEvaluator:
    """The :class:`~symgd.objective.evaluator.Evaluator` of a
    :class:`TemplatedSumStrategy`: ``(f, df/dx1, ..., df/dxn)``, or the value
    alone (:attr:`values_only`)."""

    vectorized = True

    def __init__(self, strategy: TemplatedSumStrategy, gradient: bool = True) -> None:
        self._s = strategy
        self._gradient = gradient
        self.values_only = self if not gradient else TemplatedEvaluator(strategy, False)

    # ------------------------------------------------------------ one point

    def _one(self, x: np.ndarray) -> tuple[float, np.ndarray | None]:
        s, n = self._s, len(self._s.symbols)
        total = 0.0
        grad = np.zeros(n) if self._gradient else None
        scattered: list[tuple[np.ndarray, np.ndarray]] = []
        for g in s.groups:
            compiled = g.full if self._gradient else g.value
            out = compiled.array(*[x[t] for t in g.take], *g.columns)
            total += float(_floats(out[0], g.size).sum())
            for j in range(1, len(out)):
                w, t = _floats(out[j], g.size), g.take[j - 1]
                if type(t) is slice:            # distinct positions: add in place
                    grad[t] += w
                else:
                    scattered.append((t, w))
        if scattered:
            grad += np.bincount(np.concatenate([t for t, _ in scattered]),
                                weights=np.concatenate([w for _, w in scattered]),
                                minlength=n)
        if s.remainder is not None:
            k = s.rest_index
            rest = s.remainder.evaluator if self._gradient else s.remainder.value_evaluator
            r = rest.at(x[k])
            total += r[0]
            if self._gradient:
                grad[k] += r[1:]
        return total, grad

    def value_and_grad(self, point: Sequence[float]) -> tuple[float, np.ndarray]:
        """Value and gradient (a new array) at one point."""
        x = np.asarray(point, dtype=float)
        with np.errstate(all="ignore"):
            f, grad = self._one(x)
        if not (np.isfinite(f) and (grad is None or np.isfinite(grad).all())):
            out = self._reference().at(x)
            return float(out[0]), np.array(out[1:], dtype=float)
        return f, grad

    def at(self, point: Sequence[float]) -> tuple[float, ...]:
        """The outputs at one point, as floats (nan where undefined)."""
        f, grad = self.value_and_grad(point)
        return (f,) if grad is None else (f, *grad.tolist())

    def _reference(self) -> Compiled:
        return self._s.reference if self._gradient else self._s.reference_value

    # ----------------------------------------------------------- many points

    def array(self, *coords: np.ndarray) -> list[np.ndarray]:
        """The outputs at points given one array per coordinate, in NumPy's own
        floating-point error state (so a caller may make it raise)."""
        s, n = self._s, len(self._s.symbols)
        shape = np.broadcast_shapes(*(np.shape(c) for c in coords))
        X = np.stack([np.broadcast_to(np.asarray(c, dtype=float), shape).ravel()
                      for c in coords])
        P = X.shape[1]
        total = np.zeros(P)
        grad = np.zeros((n, P)) if self._gradient else None
        for g in s.groups:
            compiled = g.full if self._gradient else g.value
            consts = [c[:, None] for c in g.columns]
            out = compiled.array(*[X[t] for t in g.take], *consts)
            out = [np.broadcast_to(_real(v), (g.size, P)) for v in out]
            total += out[0].sum(axis=0)
            for j, w in enumerate(out[1:]):
                np.add.at(grad, g.index[:, j], w)
        if s.remainder is not None:
            k = s.rest_index
            rest = s.remainder.evaluator if self._gradient else s.remainder.value_evaluator
            r = rest.array(*X[k]) if len(k) else rest.array()
            r = [np.broadcast_to(_real(v), (P,)) for v in r]
            total += r[0]
            if self._gradient:
                grad[k] += np.array(r[1:]).reshape(len(k), P)
        rows = [total] + (list(grad) if self._gradient else [])
        return [row.reshape(shape) for row in rows]

    def at_array(self, columns: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The outputs at many points, one float array per output."""
        with np.errstate(all="ignore"):
            out = self.array(*columns)
        bad = ~np.isfinite(out[0])
        for row in out[1:]:
            bad |= ~np.isfinite(row)
        if bad.any():
            shape = out[0].shape
            coords = [np.broadcast_to(np.asarray(c, dtype=float), shape)[bad] for c in columns]
            again = self._reference().at_array(coords)
            for row, fixed in zip(out, again):
                row[bad] = fixed
        return out


def _real(value: object) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind == "c":
        arr = np.where(arr.imag == 0, arr.real, np.nan)
    return arr.astype(float, copy=False)
