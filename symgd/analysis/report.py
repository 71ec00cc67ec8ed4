r"""The analysis report: stationary points and step-size facts together.

For a quadratic objective (constant Hessian :math:`H`) fixed-step descent
shrinks the error by :math:`\rho = \max_i |1 - \gamma\lambda_i|` per step; for
other objectives the same numbers hold near the point where the Hessian is
taken.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._report import Report
from .._text import number, point
from ..descent.steps import check_lr
from ..objective.core import Objective, as_objective
from .bounds import StepBound, step_size_bound
from .stationary import StationaryPoints, stationary_points

__all__ = ["Analysis", "analyze"]


@dataclass(frozen=True, repr=False)
class Analysis(Report):
    """What the exact derivatives say about an objective (see :func:`analyze`).

    Attributes
    ----------
    objective : Objective
    stationary : StationaryPoints
    exact_points : bool
        True when the stationary points are all of them (solved exactly, or
        the objective is quadratic).
    bound : StepBound or None
        The step-size facts (None for a non-quadratic objective without ``at``).
    convex : bool or None
        None when not decided.
    lr, contraction, iterations
        The learning rate assessed, the factor the error shrinks by per
        step, and the predicted number of steps to reach ``tol``.
    at : ndarray or None
        Where the Hessian was taken.
    """

    objective: Objective
    stationary: StationaryPoints
    exact_points: bool
    bound: StepBound | None
    convex: bool | None
    lr: float | None
    contraction: float | None
    iterations: int | None
    at: np.ndarray | None

    def text(self) -> str:
        """The report as plain text."""
        obj = self.objective
        lines = [f"{obj}", ""]
        how = self.stationary.how() if self.stationary.solved_exactly or \
            not self.exact_points else "solved exactly"
        if self.stationary:
            lines.append(f"Stationary points ({how}):")
            lines += [f"  {p.text()}" for p in self.stationary]
        else:
            lines.append(f"No stationary points ({how}).")
        lines.append("")
        lines += self._step_lines()
        return "\n".join(lines)

    def _step_lines(self) -> list[str]:
        b = self.bound
        if b is None:
            return ["Step sizes: give a point (at=...) for the local facts."]
        if b.quadratic:
            lines = [f"The Hessian is constant (a quadratic objective) with eigenvalues "
                     f"from {number(b.lambda_min)} to {number(b.lambda_max)}; the objective is "
                     f"{'convex' if self.convex else 'not convex'}."]
            where = "converges from every start exactly when"
        else:
            at = "the point" if self.at is None else point(self.objective.names, self.at)
            lines = [f"At {at} the Hessian's eigenvalues run from {number(b.lambda_min)} to "
                     f"{number(b.lambda_max)}."]
            if self.convex is False:
                lines[-1] += " The objective is not convex (it has a saddle or a maximum)."
            where = "is stable near there only when"
        if b.lambda_max > 0:
            lines.append(f"Fixed-step gradient descent {where} 0 < lr < 2/λmax = "
                         f"{b.bound_text()}.")
        if b.best is not None:
            rho = (b.lambda_max - b.lambda_min) / (b.lambda_max + b.lambda_min)
            lines.append(f"The fastest fixed step is lr = 2/(λmin + λmax) = {b.best_text()}, "
                         f"shrinking the error at least {number(rho, 4)}× per step.")
        return lines + self._lr_lines(b)

    def _lr_lines(self, b: StepBound) -> list[str]:
        if self.lr is None:
            return []
        if self.contraction is None:
            if b.lambda_max <= 0:
                return [f"The Hessian has no upward curvature here: steps of any size "
                        f"move downhill from this point (lr = {self.lr:g})."]
            side = "below" if self.lr < b.bound else "above"
            return [f"lr = {self.lr:g} is {side} the local bound {number(b.bound)}."]
        if self.contraction < 1:
            tail = (f"; the gradient norm reaches tol within {self.iterations} steps"
                    if self.iterations is not None else "")
            return [f"With lr = {self.lr:g} the error shrinks at least "
                    f"{number(self.contraction, 4)}× per step{tail}."]
        return [f"With lr = {self.lr:g} the factor max|1 − lr·λ| is "
                f"{number(self.contraction, 4)} ≥ 1: the steps do not converge."]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        b = self.bound
        return {
            "stationary_points": [p.to_dict() for p in self.stationary],
            "solved_exactly": self.exact_points, "convex": self.convex,
            "quadratic": None if b is None else b.quadratic,
            "lambda_min": None if b is None else b.lambda_min,
            "lambda_max": None if b is None else b.lambda_max,
            "lr_bound": None if b is None or not math.isfinite(b.bound) else b.bound,
            "best_lr": None if b is None else b.best,
            "lr": self.lr, "contraction": self.contraction, "iterations": self.iterations,
        }


def analyze(objective: object, lr: float | None = None, at: object = None, *,
            tol: float = 1e-8, bounds: object = None, timeout: float = 1.0,
            progress: bool | str = False) -> Analysis:
    r"""Stationary points and step-size facts, from the exact derivatives.

    For a quadratic objective (constant Hessian :math:`H`): fixed-step
    descent converges from every start exactly when
    :math:`0 < \gamma < 2/\lambda_{max}`, the fastest fixed step is
    :math:`2/(\lambda_{min} + \lambda_{max})`, the error shrinks by
    :math:`\rho = \max_i |1 - \gamma\lambda_i|` per step, and, since each
    eigen-component of the gradient shrinks by :math:`|1 - \gamma\lambda_i|`,
    the gradient norm falls from :math:`\lVert g_0\rVert` to ``tol`` within
    :math:`\lceil \log(\mathrm{tol}/\lVert g_0\rVert)/\log\rho \rceil` steps.
    For other objectives the same numbers hold near the point ``at``.

    Parameters
    ----------
    objective : Objective or anything it accepts
    lr : float, optional
        A learning rate to assess.
    at : point, optional
        Where to take the Hessian (and the starting gradient).
    tol : float
        The gradient-norm tolerance for the predicted number of steps.
    bounds, timeout, progress
        As in :func:`stationary_points`.

    Examples
    --------
    >>> a = analyze("x^2 + x*y + y^2", lr=0.1, at=[1, 1])
    >>> a.bound.bound_text(), a.convex, a.contraction, a.iterations
    ('2/3', True, 0.9, 189)
    """
    obj = as_objective(objective)
    points = stationary_points(obj, bounds, timeout=timeout, progress=progress)
    exact = obj.is_quadratic or points.solved_exactly
    where = None if at is None else obj.point(at, "at")
    bound = None
    if obj.is_quadratic or where is not None:
        bound = step_size_bound(obj, at=where)
    convex = _convexity(bound, points)
    contraction = iterations = None
    if lr is not None:
        lr = check_lr(lr)
    if lr is not None and bound is not None and bound.lambda_min > 0:
        # every error component shrinks by |1 - lr*λ| (near the point, if not quadratic)
        contraction = max(abs(1 - lr * bound.lambda_min), abs(1 - lr * bound.lambda_max))
        if where is not None and 0 < contraction < 1:
            g0 = float(np.linalg.norm(obj.grad(where)))
            iterations = 0 if g0 <= tol else int(math.ceil(math.log(tol / g0) /
                                                           math.log(contraction)))
    return Analysis(obj, points, exact, bound, convex, lr, contraction, iterations, where)


def _convexity(bound: StepBound | None, points: StationaryPoints) -> bool | None:
    if bound is not None and bound.quadratic:
        return bound.lambda_min >= -1e-12 * max(1.0, abs(bound.lambda_max))
    if any(p.kind in ("saddle", "maximum") or p.of in ("saddle points", "maxima")
           for p in points):
        return False
    return None
