"""The exact derivatives a claim is compared with.

For an objective written in its variables, the target is its gradient (or
Hessian) in those variables. For a data loss the claim is about *one row's*
loss ``ℓ``, in the parameters and the data names, so the target is the
derivative of ``ℓ`` and the identity is checked over both. A Python function
claimed for a data loss is compared numerically with the loss's own gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from ..objective.compile import Compiled
from ..objective.core import Objective
from ..objective.derivatives import derivative

__all__ = ["Target", "gradient_target", "hessian_target", "stack_columns"]

_MAX_CANDIDATES = 12      # inner derivatives tried as missing chain-rule factors
_MAX_NODES = 2000         # nodes of the objective searched for inner expressions


@dataclass
class Target:
    """The exact derivatives a claim is compared with.

    ``true_at`` evaluates them at ``(m, k)`` points over :attr:`symbols`,
    giving ``(m, size)`` values; ``exprs`` is None when the comparison can
    only be numeric (a function claimed for a data loss).
    """

    obj: Objective
    kind: str                               # "gradient" or "Hessian"
    symbols: tuple[sp.Symbol, ...]          # the identity is checked over these
    labels: list[str]
    wrt: list[tuple[int, ...]]              # variable indices of each component
    exprs: list[sp.Expr] | None             # exact derivatives (None: numeric only)
    shown: list[str]
    shape: tuple[int, ...]
    true_at: Callable[[np.ndarray], np.ndarray]
    note: str = ""
    source: sp.Expr | None = None           # the expression differentiated
    f_at: Callable[[np.ndarray], np.ndarray] | None = None   # its (m,) values, nan if not real

    def f_defined(self, P: np.ndarray) -> np.ndarray:
        """Where the expression differentiated is real and finite (everywhere
        when it cannot be evaluated here: a function claimed for a data loss)."""
        if self.f_at is None or not len(P):
            return np.ones(len(P), dtype=bool)
        return np.isfinite(self.f_at(P))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.symbols)

    @property
    def size(self) -> int:
        return len(self.labels)

    def inner_parts(self, var: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr]]:
        """Inner expressions ``u`` of the objective with ``du/dvar``: the
        factors a forgotten chain rule leaves out (at most 12)."""
        found: list[tuple[sp.Expr, sp.Expr]] = []
        if self.source is None:
            return found
        for count, node in enumerate(sp.preorder_traversal(self.source)):
            if count > _MAX_NODES or len(found) >= _MAX_CANDIDATES:
                break
            inner = list(node.args) if isinstance(node, sp.Function) else \
                [node.base, node.exp] if node.is_Pow else []
            for u in inner:
                if u.has(var) and u != var and not u.is_Number:
                    du = derivative(u, var)
                    if du != 0 and du not in (1, -1) and all(du != d for _, d in found):
                        found.append((u, du))
        return found


def gradient_target(obj: Objective, function: bool) -> Target:
    """The exact gradient of ``obj`` (``function``: the claim is a Python function)."""
    n = obj.n
    wrt = [(i,) for i in range(n)]
    real = obj.real_symbols
    if obj.per_sample is not None:
        if function:
            return Target(obj, "gradient", real, _gradient_labels(obj, False), wrt, None,
                          [str(g) for g in obj.gradient], (n,),
                          lambda P: _rows_of(obj.grad, P, n))
        exprs = [derivative(obj.per_sample, p) for p in real]
        shown = [str(sp.factor_terms(e)) for e in exprs]
        return _symbolic(obj, "gradient", real + obj.data_symbols, _gradient_labels(obj, True),
                         wrt, exprs, shown, (n,), _per_sample_note(obj), obj.per_sample)
    return _symbolic(obj, "gradient", real, _gradient_labels(obj, False), wrt,
                     list(obj.real_gradient), [str(g) for g in obj.gradient], (n,), "",
                     obj.real_expr)


def hessian_target(obj: Objective, function: bool) -> Target:
    """The exact Hessian of ``obj``, entry by entry, row by row."""
    n = obj.n
    wrt = [(i, j) for i in range(n) for j in range(n)]
    real = obj.real_symbols
    if obj.per_sample is not None:
        if function:
            return Target(obj, "Hessian", real, _hessian_labels(obj, False), wrt, None,
                          [str(h) for h in obj.hessian], (n, n),
                          lambda P: _rows_of(lambda p: obj.hess(p).ravel(), P, n * n))
        first = [derivative(obj.per_sample, p) for p in real]
        exprs = [derivative(first[i], real[j]) for i, j in wrt]
        shown = [str(sp.factor_terms(e)) for e in exprs]
        return _symbolic(obj, "Hessian", real + obj.data_symbols, _hessian_labels(obj, True),
                         wrt, exprs, shown, (n, n), _per_sample_note(obj), obj.per_sample)
    hessian = obj.real_hessian
    return _symbolic(obj, "Hessian", real, _hessian_labels(obj, False), wrt,
                     [hessian[i, j] for i, j in wrt], [str(h) for h in obj.hessian], (n, n),
                     "", obj.real_expr)


def stack_columns(values: Sequence[Any], m: int) -> np.ndarray:
    """Compiled values (arrays or constants) as an ``(m, len(values))`` array."""
    if not len(values):
        return np.empty((m, 0))
    return np.column_stack([np.broadcast_to(np.asarray(v, dtype=float), (m,)) for v in values])


def _gradient_labels(obj: Objective, per_sample: bool) -> list[str]:
    """``∂f/∂x`` for several variables, ``df/dx`` for one (as explain writes them)."""
    f = "ℓ" if per_sample else obj.label
    d = "d" if obj.n == 1 else "∂"
    return [f"{d}{f}/{d}{v}" for v in obj.names]


def _hessian_labels(obj: Objective, per_sample: bool) -> list[str]:
    f = "ℓ" if per_sample else obj.label
    d = "d" if obj.n == 1 else "∂"
    return [f"{d}²{f}/{d}{a}²" if a == b else f"{d}²{f}/{d}{a}{d}{b}"
            for a in obj.names for b in obj.names]


def _symbolic(obj: Objective, kind: str, symbols: tuple[sp.Symbol, ...], labels: list[str],
              wrt: list[tuple[int, ...]], exprs: list[sp.Expr], shown: list[str],
              shape: tuple[int, ...], note: str, source: sp.Expr | None) -> Target:
    compiled = Compiled(symbols, exprs)
    f_at = None
    if source is not None:
        of_f = Compiled(symbols, [source])
        f_at = lambda P: stack_columns(of_f.at_array(list(P.T)), len(P))[:, 0]  # noqa: E731
    return Target(obj, kind, tuple(symbols), labels, wrt, exprs, shown, shape,
                  lambda P: stack_columns(compiled.at_array(list(P.T)), len(P)), note, source,
                  f_at)


def _per_sample_note(obj: Objective) -> str:
    return (f"claimed derivatives are of one row's loss ℓ = {obj.per_sample}, in the "
            f"parameters and the data names {', '.join(s.name for s in obj.data_symbols)}; "
            f"the loss is the {obj.reduce} of ℓ over the {obj.rows} rows")


def _rows_of(func: Callable[[np.ndarray], Any], P: np.ndarray, width: int) -> np.ndarray:
    out = np.full((len(P), width), np.nan)
    with np.errstate(all="ignore"):
        for k, p in enumerate(P):
            out[k] = np.asarray(func(p), dtype=float).ravel()
    return out
