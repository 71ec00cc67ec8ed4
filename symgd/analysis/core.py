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

from ..errors import InputError
from ..objective.core import Objective, as_objective
from ..descent.steps import check_lr
from .._isolate import TIMED_OUT, call_with_timeout

__all__ = ["StepBound", "step_size_bound", "StationaryPoint", "stationary_points",
           "Analysis", "analyze", "local_bounds"]


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


# ------------------------------------------------------- stationary points

@dataclass(frozen=True)
class StationaryPoint:
    """A point where the gradient vanishes, classified by the Hessian there.

    Attributes
    ----------
    point : dict
        Variable name -> value (float).
    exact : dict or None
        Variable name -> exact SymPy value, when solved symbolically.
    value : float
        The objective there.
    kind : {"minimum", "maximum", "saddle", "degenerate"}
        From the Hessian's eigenvalues: all positive, all negative, both
        signs, or some zero (the second-derivative test says nothing).
    eigenvalues : tuple of float
    """

    point: dict
    exact: dict | None
    value: float
    kind: str
    eigenvalues: tuple

    def text(self, digits: int = 6) -> str:
        """``(x = 3, y = 2)  f = 0  minimum (Hessian eigenvalues 8.5, 82.3)``."""
        if self.exact is not None:
            where = ", ".join(f"{k} = {v}" for k, v in self.exact.items())
        else:
            where = ", ".join(f"{k} = {v:.{digits}g}" for k, v in self.point.items())
        eig = ", ".join(f"{e:.4g}" for e in self.eigenvalues)
        value = 0.0 if abs(self.value) < 1e-12 else self.value    # round-off at a zero
        return f"({where})  f = {value:.{digits}g}  {self.kind} (Hessian eigenvalues {eig})"


def stationary_points(objective: object, bounds: object = None, *, timeout: float = 1.0,
                      starts: int = 4000) -> list[StationaryPoint]:
    r"""Every point where :math:`\nabla f = 0`, classified by the Hessian.

    When the gradient is a polynomial (or rational) system, SymPy solves it
    exactly if it can within ``timeout`` seconds; otherwise Newton's method on
    :math:`\nabla f = 0` is started from a grid of points in ``bounds`` (all
    runs at once), and the points it converges to are merged. The numeric
    search finds the stationary points in the box that the grid reaches; it
    cannot prove there are no others.

    Parameters
    ----------
    objective : Objective or anything it accepts
    bounds : sequence of (low, high) per variable, or one (low, high) pair
        The box searched numerically; default (-5, 5) for every variable.
    timeout : float
        Seconds allowed for the exact solution.
    starts : int
        About how many grid points start the numeric search.

    Examples
    --------
    >>> [p.text() for p in stationary_points("x^2 + x*y + y^2 - 3*x")]
    ['(x = 2, y = -1)  f = -3  minimum (Hessian eigenvalues 1, 3)']
    >>> sorted(p.kind for p in stationary_points("x^3 - 3*x + y^2"))
    ['minimum', 'saddle']
    """
    obj = as_objective(objective)
    box = _box(bounds, obj.n)
    exact = _solve_exactly(obj, timeout)
    if exact is not None:
        points = [_classify(obj, {v.name: complex(s[v]).real for v in obj._real},
                            {v.name: s[v] for v in obj._real}) for s in exact]
    else:
        points = [_classify(obj, dict(zip(obj.names, p)), None)
                  for p in _newton_search(obj, box, starts)]
    return sorted(points, key=lambda p: (p.value, tuple(p.point.values())))


def _box(bounds: object, n: int) -> np.ndarray:
    if bounds is None:
        return np.array([[-5.0, 5.0]] * n)
    try:
        box = np.array(bounds, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"bounds must be (low, high) pairs, got {bounds!r:.60}") from None
    if box.shape == (2,):
        box = np.tile(box, (n, 1))
    if box.shape != (n, 2) or not np.isfinite(box).all() or not (box[:, 0] < box[:, 1]).all():
        raise InputError(f"bounds must be {n} (low, high) pairs with low < high, got "
                         f"{bounds!r:.60}")
    return box


def _solve(gradient: list, variables: list) -> list | None:
    solutions = sp.solve(gradient, variables, dict=True)
    if not isinstance(solutions, list):
        return None
    real = []
    for s in solutions:
        if set(s) != set(variables):       # a curve or surface of solutions
            return None
        values = [complex(sp.N(s[v], 30)) for v in variables]
        if all(abs(c.imag) <= 1e-12 * max(1.0, abs(c.real)) for c in values):
            real.append({v: sp.nsimplify(s[v]) if s[v].is_real is None else s[v]
                         for v in variables})
    return real


def _solve_exactly(obj: Objective, timeout: float) -> list | None:
    gradient = list(obj._gradient)
    if not all(g.is_rational_function(*obj._real) for g in gradient):
        return None
    try:
        result = call_with_timeout(_solve, (gradient, list(obj._real)), timeout)
    except RuntimeError:        # SymPy could not solve it: search numerically
        return None
    return None if result is TIMED_OUT else result


def _newton_search(obj: Objective, box: np.ndarray, starts: int) -> list[np.ndarray]:
    n = obj.n
    per_axis = max(2, int(round(starts ** (1.0 / n))))
    axes = [np.linspace(lo, hi, per_axis) for lo, hi in box]
    X = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=1)
    width = float(np.max(box[:, 1] - box[:, 0]))
    grad_at = lambda P: np.stack(obj.compiled.at_array(list(P.T))[1:], axis=1)
    hess_at = lambda P: np.stack(obj._compiled_hessian.at_array(list(P.T)),
                                 axis=1).reshape(-1, n, n)
    with np.errstate(all="ignore"):
        for _ in range(60):
            G, H = grad_at(X), hess_at(X)
            step = _solve_stacked(H, G)
            length = np.linalg.norm(step, axis=1)
            step *= np.minimum(1.0, 0.25 * width / np.maximum(length, 1e-300))[:, None]
            X = X - step
        G = grad_at(X)
    scale = 1.0 + np.abs(X).max(axis=1)
    inside = np.all((X >= box[:, 0] - 1e-9 * width) & (X <= box[:, 1] + 1e-9 * width), axis=1)
    good = inside & np.isfinite(G).all(axis=1) & (np.linalg.norm(G, axis=1) <= 1e-8 * scale)
    return _merge(X[good], 1e-6 * width)


def _solve_stacked(H: np.ndarray, G: np.ndarray) -> np.ndarray:
    bad = ~np.isfinite(H).all(axis=(1, 2)) | ~np.isfinite(G).all(axis=1)
    H, G = np.where(bad[:, None, None], np.eye(H.shape[1]), H), np.where(bad[:, None], 0, G)
    try:
        return np.linalg.solve(H, G[..., None])[..., 0]
    except np.linalg.LinAlgError:   # some Hessian is singular: least squares for all
        return (np.linalg.pinv(H) @ G[..., None])[..., 0]


def _merge(points: np.ndarray, radius: float) -> list[np.ndarray]:
    kept: list[np.ndarray] = []
    for p in points[np.lexsort(points.T[::-1])] if len(points) else []:
        if all(np.abs(p - q).max() > radius for q in kept):
            kept.append(p)
    return kept


def _classify(obj: Objective, point: dict, exact: dict | None) -> StationaryPoint:
    x = np.array([point[v] for v in obj.names])
    eig = np.linalg.eigvalsh(obj.hess(x))
    tol = 1e-9 * max(1.0, float(np.abs(eig).max()))
    if np.all(eig > tol):
        kind = "minimum"
    elif np.all(eig < -tol):
        kind = "maximum"
    elif np.any(eig > tol) and np.any(eig < -tol):
        kind = "saddle"
    else:
        kind = "degenerate"
    return StationaryPoint({k: float(v) for k, v in point.items()}, exact, obj.value(x),
                           kind, tuple(float(e) for e in eig))


# ------------------------------------------------------------- the report

@dataclass(frozen=True)
class Analysis:
    """What the exact derivatives say about an objective (see :func:`analyze`)."""

    objective: Objective
    stationary: list
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
        how = "solved exactly" if self.exact_points else \
            "found numerically in the search box; there may be others outside it"
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
                     f"from {b.lambda_min:.6g} to {b.lambda_max:.6g}; the objective is "
                     f"{'convex' if self.convex else 'not convex'}."]
            where = "converges from every start exactly when"
        else:
            lines = [f"At {_point(self.objective.names, self.at)} the Hessian's eigenvalues "
                     f"run from {b.lambda_min:.6g} to {b.lambda_max:.6g}."]
            if self.convex is False:
                lines[-1] += " The objective is not convex (it has a saddle or a maximum)."
            where = "is stable near there only when"
        if b.lambda_max > 0:
            lines.append(f"Fixed-step gradient descent {where} 0 < lr < 2/λmax = "
                         f"{b.bound_text()}.")
        if b.best is not None:
            rho = (b.lambda_max - b.lambda_min) / (b.lambda_max + b.lambda_min)
            lines.append(f"The fastest fixed step is lr = 2/(λmin + λmax) = {b.best_text()}, "
                         f"shrinking the error at least {rho:.4g}× per step.")
        if self.lr is not None and self.contraction is None:
            if b.lambda_max <= 0:
                lines.append(f"The Hessian has no upward curvature here: steps of any size "
                             f"move downhill from this point (lr = {self.lr:g}).")
            else:
                side = "below" if self.lr < b.bound else "above"
                lines.append(f"lr = {self.lr:g} is {side} the local bound {b.bound:.6g}.")
        if self.lr is not None and self.contraction is not None:
            if self.contraction < 1:
                tail = (f"; the gradient norm reaches tol within {self.iterations} steps"
                        if self.iterations is not None else "")
                lines.append(f"With lr = {self.lr:g} the error shrinks at least "
                             f"{self.contraction:.4g}× per step{tail}.")
            else:
                lines.append(f"With lr = {self.lr:g} the factor max|1 − lr·λ| is "
                             f"{self.contraction:.4g} ≥ 1: the steps do not converge.")
        return lines

    def __str__(self) -> str:
        return self.text()

    def to_dict(self) -> dict:
        """A JSON-ready summary."""
        b = self.bound
        return {
            "stationary_points": [{"point": p.point, "value": p.value, "kind": p.kind,
                                   "eigenvalues": list(p.eigenvalues),
                                   "exact": None if p.exact is None else
                                   {k: str(v) for k, v in p.exact.items()}}
                                  for p in self.stationary],
            "solved_exactly": self.exact_points, "convex": self.convex,
            "quadratic": None if b is None else b.quadratic,
            "lambda_min": None if b is None else b.lambda_min,
            "lambda_max": None if b is None else b.lambda_max,
            "lr_bound": None if b is None or not math.isfinite(b.bound) else b.bound,
            "best_lr": None if b is None else b.best,
            "lr": self.lr, "contraction": self.contraction, "iterations": self.iterations,
        }


def analyze(objective: object, lr: float | None = None, at: object = None, *,
            tol: float = 1e-8, bounds: object = None, timeout: float = 1.0) -> Analysis:
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
    bounds, timeout
        As in :func:`stationary_points`.

    Examples
    --------
    >>> a = analyze("x^2 + x*y + y^2", lr=0.1, at=[1, 1])
    >>> a.bound.bound_text(), a.convex, a.contraction, a.iterations
    ('2/3', True, 0.9, 189)
    """
    obj = as_objective(objective)
    exact = obj.is_quadratic or _solve_exactly(obj, timeout) is not None
    points = stationary_points(obj, bounds, timeout=timeout)
    point = None if at is None else obj.point(at, "at")
    bound = None
    if obj.is_quadratic or point is not None:
        bound = step_size_bound(obj, at=point)
    convex = _convexity(obj, bound, points)
    contraction = iterations = None
    if lr is not None:
        lr = check_lr(lr)
    if lr is not None and bound is not None and bound.lambda_min > 0:
        # every error component shrinks by |1 - lr*λ| (near the point, if not quadratic)
        contraction = max(abs(1 - lr * bound.lambda_min), abs(1 - lr * bound.lambda_max))
        if point is not None and 0 < contraction < 1:
            g0 = float(np.linalg.norm(obj.grad(point)))
            iterations = 0 if g0 <= tol else int(math.ceil(math.log(tol / g0) /
                                                           math.log(contraction)))
    return Analysis(obj, points, exact, bound, convex, lr, contraction, iterations, point)


def _convexity(obj: Objective, bound: StepBound | None, points: list) -> bool | None:
    if bound is not None and bound.quadratic:
        return bound.lambda_min >= -1e-12 * max(1.0, abs(bound.lambda_max))
    if any(p.kind in ("saddle", "maximum") for p in points):
        return False
    return None


def _point(names: tuple, x: np.ndarray | None) -> str:
    if x is None:
        return "the point"
    return "(" + ", ".join(f"{n} = {v:.6g}" for n, v in zip(names, x)) + ")"


def local_bounds(objective: object, points: object) -> np.ndarray:
    """The local fixed-step bound 2/λmax(H(x)) at each point (rows of ``points``).

    ``inf`` where the Hessian has no positive eigenvalue.

    >>> local_bounds("x^4 + y^2", [[1, 1], [0.5, 0], [0, 0]]).round(4).tolist()
    [0.1667, 0.6667, 1.0]
    """
    obj = as_objective(objective)
    X = np.atleast_2d(np.asarray(points, dtype=float))
    if X.shape[1] != obj.n:
        raise InputError(f"points must have {obj.n} columns ({', '.join(obj.names)}), got "
                         f"shape {X.shape}")
    if obj.inlinable:
        entries = obj._compiled_hessian.at_array(list(X.T))
        H = np.stack(entries, axis=1).reshape(-1, obj.n, obj.n)
    else:
        H = np.stack([obj.hess(x) for x in X])
    with np.errstate(all="ignore"):
        H = np.where(np.isfinite(H), H, np.nan)
        lam = np.full(len(X), np.nan)
        ok = np.isfinite(H).all(axis=(1, 2))
        if ok.any():
            lam[ok] = np.linalg.eigvalsh(H[ok])[:, -1]
        return np.where(lam > 0, 2.0 / lam, np.where(np.isnan(lam), np.nan, np.inf))
