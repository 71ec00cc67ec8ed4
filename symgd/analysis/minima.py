r"""Minima the figures mark: of a quadratic bowl, and along one variable.

A quadratic :math:`f(x) = f_0 + g^T x + \frac12 x^T H x` with a positive
definite Hessian has one minimum, the solution of the linear system
:math:`\nabla f = g + Hx = 0`. Along one variable :math:`t` with the others
fixed, it is a parabola :math:`f(t_b) + g_t (t - t_b) + \frac{h}{2}(t - t_b)^2`
whose vertex is :math:`t_b - g_t/h`.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import sympy as sp

from ..errors import InputError
from ..objective.core import Objective, as_objective
from .numeric import values_and_gradients

__all__ = ["interval", "minimum_of", "minimum_along"]

_GRID = 801                  # points of the coarse search along one variable
_GOLDEN_STEPS = 60           # golden-section refinements (the bracket shrinks 0.618x each)


def minimum_of(objective: object) -> np.ndarray | None:
    """The minimum of a quadratic objective whose Hessian is positive definite.

    None for any other objective (not quadratic, or a Hessian with an
    eigenvalue that is not positive: no minimum, or no single one). The
    minimum is exact where SymPy solves the linear system ∇f = 0; for a data
    loss it is the least-squares solution
    (:meth:`~symgd.DataObjective.least_squares`); otherwise one Newton step
    from the origin, exact up to round-off.

    Examples
    --------
    >>> minimum_of("x^2 + x*y + y^2 - 3*x").tolist()
    [2.0, -1.0]
    >>> minimum_of("x^4 + y^2") is None, minimum_of("x^2 - y^2") is None
    (True, True)
    """
    obj = as_objective(objective)
    if not obj.is_quadratic:
        return None
    origin = np.zeros(obj.n)
    H = obj.hess(origin)
    eig = np.linalg.eigvalsh((H + H.T) / 2)
    if not np.isfinite(eig).all() or eig[0] <= 1e-12 * max(abs(eig[-1]), 1.0):
        return None
    if obj.per_sample is not None:          # a data loss: its own linear solve
        return obj.least_squares()
    exact = _linear_solution(obj)
    if exact is not None:
        return exact
    return np.linalg.solve(H, -obj.grad(origin))


def _linear_solution(obj: Objective) -> np.ndarray | None:
    """Solve grad f = 0 symbolically: a linear system for a quadratic."""
    try:
        solutions = sp.linsolve(list(obj.real_gradient), list(obj.real_symbols))
    except (ValueError, TypeError, NotImplementedError, sp.PolynomialError):
        return None
    for solution in solutions:
        if not any(v.free_symbols for v in solution):
            return np.array([float(v) for v in solution])
    return None


def minimum_along(objective: object, var: str | sp.Symbol, at: object,
                  bounds: Sequence[float] | None = None) -> float | None:
    """Where the objective is lowest along one variable, the others held at ``at``.

    For a quadratic with positive curvature along ``var``: the vertex of the
    parabola, exactly. Otherwise the lowest of 801 evenly spaced points in
    ``bounds``, refined by golden sections; None when that lowest point is
    an end of ``bounds`` (no minimum inside) or the objective is nowhere
    finite there.

    Parameters
    ----------
    objective : Objective or anything it accepts
    var : str or sympy.Symbol
        The variable that moves.
    at : point
        The values of every variable (the value of ``var`` in it is where a
        default search box is centred).
    bounds : (low, high), optional
        Where to search; by default ``at[var] ± 5``.

    Examples
    --------
    >>> minimum_along("x^2 + x*y + y^2", "x", [0, 1])
    -0.5
    >>> round(minimum_along("x^4 - 2*x^2 + y^2", "x", [0.5, 0], bounds=(0, 3)), 6)
    1.0
    >>> minimum_along("x^3", "x", [0]) is None
    True
    """
    obj = as_objective(objective)
    i = obj.index(var)
    base = obj.point(at, "at")
    box = interval(bounds) if bounds is not None else (base[i] - 5.0, base[i] + 5.0)
    if obj.is_quadratic:
        h = obj.hess(base)[i, i]
        if h > 0:
            return float(base[i] - obj.grad(base)[i] / h)
    return _search(obj, i, base, box)


def _search(obj: Objective, i: int, base: np.ndarray,
            box: tuple[float, float]) -> float | None:
    ts = np.linspace(box[0], box[1], _GRID)
    values = _along(obj, i, base, ts)
    if not np.isfinite(values).any():
        return None
    k = int(np.argmin(np.where(np.isfinite(values), values, np.inf)))
    if k in (0, len(ts) - 1):
        return None                                   # no interior minimum here
    a, b = ts[k - 1], ts[k + 1]
    ratio = (math.sqrt(5) - 1) / 2                    # golden-section refinement
    for _ in range(_GOLDEN_STEPS):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        fc, fd = _along(obj, i, base, [c, d])
        if fc <= fd:
            b = d
        else:
            a = c
    return float((a + b) / 2)


def _along(obj: Objective, i: int, base: np.ndarray, ts: Sequence[float]) -> np.ndarray:
    """The objective at ``base`` with coordinate ``i`` set to each of ``ts``."""
    points = np.tile(base, (len(ts), 1))
    points[:, i] = ts
    return values_and_gradients(obj, points)[:, 0]


def interval(value: object, what: str = "bounds") -> tuple[float, float]:
    """``(low, high)`` as two finite floats with low < high, or an InputError
    naming ``what``.

    >>> interval([-1, 2])
    (-1.0, 2.0)
    """
    try:
        low, high = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise InputError(f"{what} must be two numbers (low, high), got {value!r:.60}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise InputError(f"{what} must be finite with low < high, got ({low:g}, {high:g})")
    if not math.isfinite(high - low):
        raise InputError(f"{what} is too wide ({low:g}, {high:g}): high - low must be a finite "
                         "number (below about 1.8e308)")
    return (low, high)
