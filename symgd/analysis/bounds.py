r"""Step-size facts from the Hessian's eigenvalues.

For a quadratic objective (constant Hessian :math:`H`), fixed-step descent
:math:`x_{t+1} = x_t - \gamma \nabla f(x_t)` multiplies the error along each
eigenvector of :math:`H` by :math:`1 - \gamma\lambda`. It converges from
every start exactly when :math:`0 < \gamma < 2/\lambda_{max}`, and the
fastest fixed step is :math:`2/(\lambda_{min} + \lambda_{max})`. For other
objectives the same numbers, computed from the Hessian at a point, describe
the behaviour near that point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from .._report import Report
from .._text import number
from ..errors import InputError
from ..objective.core import Objective, as_objective
from .numeric import hessians

__all__ = ["StepBound", "step_size_bound", "local_bounds"]


@dataclass(frozen=True, repr=False)
class StepBound(Report):
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

    Examples
    --------
    >>> print(step_size_bound("x^2 + x*y + y^2"))
    Fixed steps converge for 0 < lr < 2/λmax = 2/3; the fastest is lr = 2/(λmin + λmax) = 1/2.
    The Hessian is constant, with eigenvalues from 1 to 3: this holds from every start.
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

    def text(self) -> str:
        """The bound and the fastest fixed step in words, then the eigenvalues."""
        verb = "converge" if self.quadratic else "are stable near the point"
        if math.isfinite(self.bound):
            head = f"Fixed steps {verb} for 0 < lr < 2/λmax = {self.bound_text()}"
        else:
            head = "No step-size bound: the Hessian has no positive eigenvalue"
        if self.best is not None:
            head += f"; the fastest is lr = 2/(λmin + λmax) = {self.best_text()}"
        where = ("The Hessian is constant, with eigenvalues" if self.quadratic
                 else "The Hessian at the point has eigenvalues")
        scope = "this holds from every start" if self.quadratic else "this holds near it"
        return (f"{head}.\n{where} from {number(self.lambda_min)} to "
                f"{number(self.lambda_max)}: {scope}.")

    def to_dict(self) -> dict[str, Any]:
        """The facts as plain data (exact numbers as text; no bound: None)."""
        return {"lambda_min": self.lambda_min, "lambda_max": self.lambda_max,
                "bound": self.bound if math.isfinite(self.bound) else None,
                "best": self.best,
                "exact_bound": None if self.exact_bound is None else str(self.exact_bound),
                "exact_best": None if self.exact_best is None else str(self.exact_best),
                "quadratic": self.quadratic}


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
            raise InputError("this objective's Hessian is not constant: give the point "
                             "where to take it, at=[...]")
        values = np.linalg.eigvalsh(obj.hess(at))
    return _bound(float(values[0]), float(values[-1]), quadratic=obj.is_quadratic)


def _exact_eigenvalues(obj: Objective) -> list[sp.Expr] | None:
    h = obj.real_hessian
    if obj.n > 3 or not all(e.is_Rational for e in h):
        return None
    values = list(h.eigenvals())
    if not all(v.is_real for v in values):
        return None
    return values


def _bound(lmin: Any, lmax: Any, quadratic: bool) -> StepBound:
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
        return text if exact.is_Rational else f"{text} ≈ {number(exact)}"
    return "none" if value is None else number(value)


# Hessian entries held at once by local_bounds: the points' Hessians are
# computed in blocks of HESSIAN_CHUNK_VALUES // n² rows and only each row's
# largest eigenvalue is kept, so a bound per iterate of a long run costs
# one number a row (about 8 MB of Hessians at a time).
HESSIAN_CHUNK_VALUES = 1_000_000


def local_bounds(objective: object, points: object) -> np.ndarray:
    """The local fixed-step bound 2/λmax(H(x)) at each point (rows of ``points``).

    The Hessians are computed ``HESSIAN_CHUNK_VALUES // n²`` points at a
    time; only the largest eigenvalue of each is kept.

    ``inf`` where the Hessian has no positive eigenvalue.

    >>> local_bounds("x^4 + y^2", [[1, 1], [0.5, 0], [0, 0]]).round(4).tolist()
    [0.1667, 0.6667, 1.0]
    """
    obj = as_objective(objective)
    X = np.atleast_2d(np.asarray(points, dtype=float))
    if X.shape[1] != obj.n:
        raise InputError(f"points must have {obj.n} columns ({', '.join(obj.names)}), got "
                         f"shape {X.shape}")
    lam = np.full(len(X), np.nan)
    rows = max(1, HESSIAN_CHUNK_VALUES // (obj.n * obj.n))   # only λmax is kept a row
    for lo in range(0, len(X), rows):
        H = hessians(obj, X[lo:lo + rows])
        with np.errstate(all="ignore"):
            H = np.where(np.isfinite(H), H, np.nan)
            ok = np.isfinite(H).all(axis=(1, 2))
            if ok.any():
                part = lam[lo:lo + rows]
                part[ok] = np.linalg.eigvalsh(H[ok])[:, -1]
    with np.errstate(all="ignore"):
        return np.where(lam > 0, 2.0 / lam, np.where(np.isnan(lam), np.nan, np.inf))
