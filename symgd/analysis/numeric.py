"""An objective at many points at once: values, gradients and Hessians.

One call for all points where the objective's evaluator takes arrays
(:attr:`Objective.vectorized`), one call per point otherwise. The
stationary-point search, the local bounds and the figures all evaluate
through these two functions.
"""

from __future__ import annotations

import numpy as np

from ..objective.core import Objective

__all__ = ["values_and_gradients", "hessians"]


def _rows(objective: Objective, points: object) -> np.ndarray:
    P = np.asarray(points, dtype=float)
    return P.reshape(-1, objective.n) if P.size else np.empty((0, objective.n))


def values_and_gradients(objective: Objective, points: object) -> np.ndarray:
    """``f`` and its gradient at each row of ``points``: shape ``(k, n + 1)``.

    Non-finite where the objective is undefined (no warning, no error).

    >>> values_and_gradients(Objective("x^2 + y"), [[1, 2], [3, 0]]).tolist()
    [[3.0, 2.0, 1.0], [9.0, 6.0, 1.0]]
    """
    P = _rows(objective, points)
    evaluator = objective.evaluator
    # a data loss evaluated row by row says vectorized but has no at_array yet
    at_array = getattr(evaluator, "at_array", None) if objective.vectorized else None
    if at_array is not None:
        out = at_array([P[:, j] for j in range(objective.n)])
        return np.column_stack([np.broadcast_to(np.asarray(o, dtype=float), (len(P),))
                                for o in out])
    evaluate = evaluator.at
    return np.array([evaluate(p) for p in P], dtype=float).reshape(len(P), objective.n + 1)


def hessians(objective: Objective, points: object) -> np.ndarray:
    """The Hessian at each row of ``points``: shape ``(k, n, n)``.

    >>> hessians(Objective("x^3 + x*y"), [[1, 0], [2, 5]]).tolist()
    [[[6.0, 1.0], [1.0, 0.0]], [[12.0, 1.0], [1.0, 0.0]]]
    """
    P = _rows(objective, points)
    n = objective.n
    if objective.inlinable:        # the Hessian's entries compiled: all points at once
        entries = objective.hessian_evaluator.at_array([P[:, j] for j in range(n)])
        return np.stack([np.broadcast_to(np.asarray(e, dtype=float), (len(P),))
                         for e in entries], axis=1).reshape(-1, n, n)
    return np.stack([objective.hess(x) for x in P]).reshape(-1, n, n)
