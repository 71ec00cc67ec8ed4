r"""Stationary points: where :math:`\nabla f = 0`, and what the Hessian says there.

When the gradient is a polynomial (or rational) system, SymPy solves it
exactly if it can within a time limit (in a separate process, so a solve
that runs away is stopped); otherwise Newton's method on
:math:`\nabla f = 0` starts from a grid of points in a box, all runs at
once, and the points it converges to are merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
import sympy as sp

from .._isolate import NO_PROCESS, TIMED_OUT, IsolatedError, call
from .._report import Report
from .._text import markdown_escape, number, plural, point
from ..errors import InputError
from ..objective.core import Objective, as_objective
from .numeric import hessians, values_and_gradients

__all__ = ["StationaryPoint", "StationaryPoints", "stationary_points"]

_NEWTON_STEPS = 60           # Newton iterations of the numeric search
_MARKDOWN_POINTS = 30        # points listed in a notebook's display, at most


@dataclass(frozen=True, repr=False)
class StationaryPoint(Report):
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
        """``(x = 3, y = 2)  f = 0  minimum (Hessian eigenvalues 8.5, 82.3)``.

        Exact rational coordinates are written exactly, others as decimals.
        """
        names = list(self.point)
        if self.exact is not None:
            values = [e if getattr(e, "is_Rational", False) else self.point[k]
                      for k, e in self.exact.items()]
        else:
            values = list(self.point.values())
        eig = ", ".join(number(e, 4) for e in self.eigenvalues)
        value = 0.0 if abs(self.value) < 1e-12 else self.value    # round-off at a zero
        return (f"{point(names, values, digits)}  f = {number(value, digits)}  "
                f"{self.kind} (Hessian eigenvalues {eig})")

    def to_dict(self) -> dict[str, Any]:
        """The point, its value, kind and eigenvalues; exact values as text."""
        return {"point": dict(self.point), "value": self.value, "kind": self.kind,
                "eigenvalues": list(self.eigenvalues),
                "exact": None if self.exact is None else
                {k: str(v) for k, v in self.exact.items()}}


class StationaryPoints(Report, tuple):
    """The stationary points of an objective: a tuple of :class:`StationaryPoint`,
    lowest value first, that also reads as a report.

    It compares equal to a list or tuple of the same points.

    Attributes
    ----------
    solved_exactly : bool
        True when SymPy solved :math:`\\nabla f = 0` (these are all the
        points); False when they were found numerically in a box.

    Examples
    --------
    >>> points = stationary_points("x^3 - 3*x + y^2", timeout=30)
    >>> len(points), points.solved_exactly, [p.kind for p in points]
    (2, True, ['minimum', 'saddle'])
    >>> print(points)
    2 stationary points (solved exactly):
      (x = 1, y = 0)  f = -2  minimum (Hessian eigenvalues 2, 6)
      (x = -1, y = 0)  f = 2  saddle (Hessian eigenvalues -6, 2)
    """

    solved_exactly: bool

    def __new__(cls, points: Iterable[StationaryPoint] = (),
                solved_exactly: bool = False) -> StationaryPoints:
        self = super().__new__(cls, points)
        self.solved_exactly = bool(solved_exactly)
        return self

    def __getnewargs__(self) -> tuple:
        return (tuple(self), self.solved_exactly)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return StationaryPoints(item, self.solved_exactly) if isinstance(index, slice) else item

    def how(self) -> str:
        """How the points were found, in words."""
        return ("solved exactly" if self.solved_exactly else
                "found numerically in the search box; there may be others outside it")

    def headline(self) -> str:
        """How many points there are and how they were found."""
        if not self:
            return f"No stationary points ({self.how()})."
        return f"{plural(len(self), 'stationary point')} ({self.how()})"

    def text(self) -> str:
        """How many points and how they were found, then one line per point."""
        if not self:
            return f"No stationary points ({self.how()})."
        lines = [f"{plural(len(self), 'stationary point')} ({self.how()}):"]
        return "\n".join(lines + [f"  {p.text()}" for p in self])

    def markdown(self) -> str:
        """A headline and a bulleted list (the first 30 points)."""
        if not self:
            return markdown_escape(self.text())
        head = f"**{plural(len(self), 'stationary point')}** ({markdown_escape(self.how())}):"
        items = [f"- {markdown_escape(p.text())}" for p in self[:_MARKDOWN_POINTS]]
        if len(self) > _MARKDOWN_POINTS:
            items.append(f"- ... and {len(self) - _MARKDOWN_POINTS} more")
        return "\n".join([head, ""] + items)

    def to_dict(self) -> dict[str, Any]:
        """How they were found and each point's :meth:`StationaryPoint.to_dict`."""
        return {"solved_exactly": self.solved_exactly,
                "points": [p.to_dict() for p in self]}


def stationary_points(objective: object, bounds: object = None, *, timeout: float = 1.0,
                      starts: int = 4000) -> StationaryPoints:
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

    Returns
    -------
    StationaryPoints
        A tuple of :class:`StationaryPoint`, lowest value first.

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
        real = obj.real_symbols
        points = [_classify(obj, {v.name: complex(s[v]).real for v in real},
                            {v.name: s[v] for v in real}) for s in exact]
    else:
        points = [_classify(obj, dict(zip(obj.names, p)), None)
                  for p in _newton_search(obj, box, starts)]
    ordered = sorted(points, key=lambda p: (p.value, tuple(p.point.values())))
    return StationaryPoints(ordered, solved_exactly=exact is not None)


def _solve_exactly(objective: Objective, timeout: float) -> list[dict] | None:
    """Every real solution of grad f = 0 (real symbol -> SymPy value), or None
    when the gradient is not a rational system, SymPy cannot solve it within
    ``timeout`` seconds, or the solutions form curves or surfaces."""
    gradient = list(objective.real_gradient)
    real = list(objective.real_symbols)
    if not all(g.is_rational_function(*real) for g in gradient):
        return None
    try:
        result = call(_solve, (gradient, real), timeout)
    except IsolatedError:       # SymPy could not solve it: search numerically
        return None
    return None if result is TIMED_OUT or result is NO_PROCESS else result


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
    """SymPy's solutions of the system, the real ones only (run in a child process)."""
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


def _newton_search(obj: Objective, box: np.ndarray, starts: int) -> list[np.ndarray]:
    """Newton's method on grad f = 0 from a grid over the box, every run at once."""
    n = obj.n
    per_axis = max(2, int(round(starts ** (1.0 / n))))
    axes = [np.linspace(lo, hi, per_axis) for lo, hi in box]
    X = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=1)
    width = float(np.max(box[:, 1] - box[:, 0]))
    with np.errstate(all="ignore"):
        for _ in range(_NEWTON_STEPS):
            G, H = values_and_gradients(obj, X)[:, 1:], hessians(obj, X)
            step = _solve_stacked(H, G)
            # no step longer than a quarter of the box: a flat Hessian must not fling a run away
            length = np.linalg.norm(step, axis=1)
            step *= np.minimum(1.0, 0.25 * width / np.maximum(length, 1e-300))[:, None]
            X = X - step
        G = values_and_gradients(obj, X)[:, 1:]
    scale = 1.0 + np.abs(X).max(axis=1)
    inside = np.all((X >= box[:, 0] - 1e-9 * width) & (X <= box[:, 1] + 1e-9 * width), axis=1)
    good = inside & np.isfinite(G).all(axis=1) & (np.linalg.norm(G, axis=1) <= 1e-8 * scale)
    return _merge(X[good], 1e-6 * width)


def _solve_stacked(H: np.ndarray, G: np.ndarray) -> np.ndarray:
    """The Newton step H⁻¹g for every run; runs with non-finite numbers stay put."""
    bad = ~np.isfinite(H).all(axis=(1, 2)) | ~np.isfinite(G).all(axis=1)
    H, G = np.where(bad[:, None, None], np.eye(H.shape[1]), H), np.where(bad[:, None], 0, G)
    try:
        return np.linalg.solve(H, G[..., None])[..., 0]
    except np.linalg.LinAlgError:   # some Hessian is singular: least squares for all
        return (np.linalg.pinv(H) @ G[..., None])[..., 0]


def _merge(points: np.ndarray, radius: float) -> list[np.ndarray]:
    """One point per cluster: points closer than ``radius`` (max-norm) are the same."""
    kept: list[np.ndarray] = []
    for p in points[np.lexsort(points.T[::-1])] if len(points) else []:
        if all(np.abs(p - q).max() > radius for q in kept):
            kept.append(p)
    return kept


def _classify(obj: Objective, where: dict, exact: dict | None) -> StationaryPoint:
    """The second-derivative test: the signs of the Hessian's eigenvalues."""
    x = np.array([where[v] for v in obj.names])
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
    return StationaryPoint({k: float(v) for k, v in where.items()}, exact, obj.value(x),
                           kind, tuple(float(e) for e in eig))
