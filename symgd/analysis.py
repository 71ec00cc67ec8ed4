"""What exact derivatives tell about a descent before it runs.

For a quadratic objective (constant Hessian :math:`H`), fixed-step descent
:math:`x_{t+1} = x_t - \\gamma \\nabla f(x_t)` multiplies the error along each
eigenvector of :math:`H` by :math:`1 - \\gamma\\lambda`. It converges from
every start exactly when :math:`0 < \\gamma < 2/\\lambda_{max}`, and the
fastest fixed step is :math:`2/(\\lambda_{min} + \\lambda_{max})`. For other
objectives the same numbers, computed from the Hessian at a point, describe
the behaviour near that point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .objective import Objective, as_objective

__all__ = ["StepBound", "step_size_bound"]


@dataclass(frozen=True)
class StepBound:
    """Step-size facts from the Hessian's extreme eigenvalues.

    Attributes
    ----------
    lambda_min, lambda_max : float
        Smallest and largest eigenvalue of the Hessian.
    bound : float
        ``2 / lambda_max``: fixed steps at or above it do not converge
        (``inf`` when ``lambda_max <= 0``).
    best : float or None
        ``2 / (lambda_min + lambda_max)``, the fastest fixed step, when the
        Hessian is positive definite.
    exact_bound, exact_best : sympy.Expr or None
        The same numbers exactly, when the eigenvalues are known exactly.
    quadratic : bool
        True when the Hessian is constant, so the facts hold everywhere.
    """

    lambda_min: float
    lambda_max: float
    bound: float
    best: float | None
    exact_bound: sp.Expr | None
    exact_best: sp.Expr | None
    quadratic: bool

    def bound_text(self) -> str:
        """The bound as text: ``2/3`` exactly where known, else a decimal."""
        return _number_text(self.exact_bound, self.bound)

    def best_text(self) -> str:
        """The fastest fixed step as text."""
        return _number_text(self.exact_best, self.best)


def step_size_bound(objective: object, at: object = None) -> StepBound:
    """Step-size facts for fixed-step gradient descent.

    Parameters
    ----------
    objective : Objective or anything :class:`Objective` accepts
    at : point, optional
        Where to take the Hessian when it is not constant. Required then.

    Examples
    --------
    >>> b = step_size_bound("x^2 + x*y + y^2")
    >>> b.lambda_min, b.lambda_max, b.bound_text(), b.best_text()
    (1.0, 3.0, '2/3', '1/2')
    >>> round(step_size_bound("x^4 + y^2", at=[1, 1]).bound, 4)
    0.1667
    """
    obj = as_objective(objective)
    if obj.is_quadratic:
        exact = _exact_eigenvalues(obj)
        if exact is not None:
            return _bound(min(exact), max(exact), quadratic=True)
        values = np.linalg.eigvalsh(obj.hess(np.zeros(obj.n)))
    else:
        if at is None:
            from .exceptions import InputError
            raise InputError("this objective's Hessian is not constant: give the point "
                             "where to take it, at=[...]")
        values = np.linalg.eigvalsh(obj.hess(at))
    return _bound(float(values[0]), float(values[-1]), quadratic=obj.is_quadratic)


def _exact_eigenvalues(obj: Objective) -> list[sp.Expr] | None:
    h = obj._hessian
    if obj.n > 3 or not all(e.is_Rational for e in h):
        return None
    values = list(h.eigenvals())
    if not all(v.is_real for v in values):
        return None
    return values


def _bound(lmin, lmax, quadratic: bool) -> StepBound:
    exact = isinstance(lmax, sp.Expr)
    lo, hi = float(lmin), float(lmax)
    bound = 2 / hi if hi > 0 else math.inf
    best = 2 / (lo + hi) if lo > 0 else None
    exact_bound = sp.nsimplify(2 / lmax) if exact and hi > 0 else None
    exact_best = sp.radsimp(2 / (lmin + lmax)) if exact and lo > 0 else None
    return StepBound(lo, hi, bound, best, exact_bound, exact_best, quadratic)


def _number_text(exact: sp.Expr | None, value: float | None) -> str:
    if exact is not None:
        text = str(exact)
        return text if exact.is_Rational else f"{text} ≈ {float(exact):.6g}"
    return "none" if value is None else f"{value:.6g}"
