r"""Stationary points: where :math:`\nabla f = 0`, and what the Hessian says there.

When the gradient is a polynomial (or rational) system, it is solved
exactly within a time limit (in a separate process, so a solve that runs
away is stopped), and the result is called exact only when it is provably
complete (see :mod:`.exact`). Otherwise Newton's method on
:math:`\nabla f = 0` runs from a space-filling design of starts in a box
(see :mod:`.search`), and the result says that it was found numerically,
in which box and from how many starts. Points that lie on a curve or
surface of stationary points are reported once, as a degenerate set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from .._isolate import NO_PROCESS, TIMED_OUT, IsolatedError, call
from .._progress import progress_line
from .._report import Report
from .._text import markdown_escape, number, plural, point, truncate
from ..errors import InputError
from ..objective.core import Objective, as_objective
from .exact import solve_complete, to_float
from .search import degenerate_sets, newton_search

__all__ = ["StationaryPoint", "StationaryPoints", "stationary_points"]

_MARKDOWN_POINTS = 30        # points listed in a notebook's display, at most
_SET_NAMES = {1: "curve", 2: "surface"}


@dataclass(frozen=True, repr=False)
class StationaryPoint(Report):
    """A point where the gradient vanishes, classified by the Hessian there, or
    one point standing for a whole curve or surface of them.

    Attributes
    ----------
    point : dict
        Variable name -> value (float).
    exact : dict or None
        Variable name -> exact SymPy value, when solved symbolically (a
        radical or ``CRootOf`` where the value has no simpler form).
    value : float
        The objective there.
    kind : {"minimum", "maximum", "saddle", "degenerate", "degenerate set"}
        From the Hessian's eigenvalues: all positive, all negative, both
        signs, or some zero (the second-derivative test says nothing);
        "degenerate set" when the point lies on a curve or surface of
        stationary points with the same value (found numerically), which
        this one entry stands for.
    eigenvalues : tuple of float
    count : int
        How many starts of the numeric search ended here (on the set, for a
        degenerate set); 1 for an exact point.
    dimension : int
        0 for a point; for a degenerate set its dimension (the number of
        null directions of the Hessian): 1 a curve, 2 a surface; as many
        as there are variables, a region (where f is flat).
    of : str
        For a degenerate set, what its points are: "minima", "maxima",
        "saddle points", or "stationary points" (Hessian zero); else "".
    """

    point: dict
    exact: dict | None
    value: float
    kind: str
    eigenvalues: tuple
    count: int = 1
    dimension: int = 0
    of: str = ""

    def text(self, digits: int = 6) -> str:
        """``(x = 3, y = 2)  f = 0  minimum (Hessian eigenvalues 8.5, 82.3)``, or
        ``a curve of minima through (x = 1, y = 0), f = 0, found at 212 starts
        (Hessian eigenvalues 0, 8)``.

        Exact rational coordinates are written exactly, others as decimals.
        """
        names = list(self.point)
        if self.exact is not None:
            values = [e if getattr(e, "is_Rational", False) else self.point[k]
                      for k, e in self.exact.items()]
        else:
            values = list(self.point.values())
        eig = ", ".join(number(0.0 if abs(e) < 1e-12 else e, 4) for e in self.eigenvalues)
        value = 0.0 if abs(self.value) < 1e-12 else self.value    # round-off at a zero
        where = point(names, values, digits)
        if self.kind == "degenerate set":
            shape = ("region" if self.dimension == len(self.point) else
                     _SET_NAMES.get(self.dimension, f"{self.dimension}-dimensional set"))
            flat = ("; the gradient and Hessian are 0 there in double precision, so f may "
                    "only be too flat to tell" if not any(self.eigenvalues) else "")
            return (f"a {shape} of {self.of} through {where}, f = {number(value, digits)}, "
                    f"found at {plural(self.count, 'start')} (Hessian eigenvalues {eig}){flat}")
        return f"{where}  f = {number(value, digits)}  {self.kind} (Hessian eigenvalues {eig})"

    def to_dict(self) -> dict[str, Any]:
        """The point, its value, kind and eigenvalues; exact values as text;
        for a degenerate set also its dimension, what it holds and its count."""
        d = {"point": dict(self.point), "value": self.value, "kind": self.kind,
             "eigenvalues": list(self.eigenvalues),
             "exact": None if self.exact is None else
             {k: str(v) for k, v in self.exact.items()}}
        if self.kind == "degenerate set":
            d.update(dimension=self.dimension, of=self.of, count=self.count)
        return d


class StationaryPoints(Report, tuple):
    """The stationary points of an objective: a tuple of :class:`StationaryPoint`,
    lowest value first, that also reads as a report.

    It compares equal to a list or tuple of the same points.

    Attributes
    ----------
    method : {"exact", "numeric"}
        "exact" when :math:`\\nabla f = 0` was solved symbolically and the
        solutions are provably all of them; "numeric" when they were found
        by Newton's method in a box (there may be others).
    solved_exactly : bool
        ``method == "exact"``.
    box : tuple of (low, high) or None
        The box searched numerically.
    starts : int or None
        How many starts the numeric search used.
    non_real : int
        For an exact result, how many complex, non-real solutions of
        :math:`\\nabla f = 0` were left out.

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

    method: str
    box: tuple | None
    starts: int | None
    non_real: int

    def __new__(cls, points: Iterable[StationaryPoint] = (), solved_exactly: bool = False,
                *, box: object = None, starts: int | None = None,
                non_real: int = 0) -> StationaryPoints:
        self = super().__new__(cls, points)
        self.method = "exact" if solved_exactly else "numeric"
        self.box = None if box is None else tuple(tuple(float(v) for v in row) for row in box)
        self.starts = None if starts is None else int(starts)
        self.non_real = int(non_real)
        return self

    @property
    def solved_exactly(self) -> bool:
        """True when the points were solved exactly and are provably all of them."""
        return self.method == "exact"

    def __reduce__(self) -> tuple:
        return (_rebuild, (tuple(self), self.solved_exactly, self.box, self.starts,
                           self.non_real))

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
        if isinstance(index, slice):
            return StationaryPoints(item, self.solved_exactly, box=self.box,
                                    starts=self.starts, non_real=self.non_real)
        return item

    def box_text(self) -> str:
        """The searched box: ``[-5, 5] × [-5, 5]``, or ``[-5, 5]^12`` in many dimensions."""
        if self.box is None:
            return ""
        rows = [f"[{number(lo)}, {number(hi)}]" for lo, hi in self.box]
        if len(rows) > 3 and len(set(rows)) == 1:
            return f"{rows[0]}^{len(rows)}"
        return truncate(" × ".join(rows), 120)

    def how(self) -> str:
        """How the points were found, in words."""
        if self.solved_exactly:
            if self.non_real:
                other = "the other " if self else ""
                verb = "is" if self.non_real == 1 else "are"
                return (f"solved exactly; {other}{plural(self.non_real, 'solution')} of "
                        f"∇f = 0 {verb} not real")
            return "solved exactly"
        starts = "" if self.starts is None else f" from {plural(self.starts, 'start')}"
        return (f"found numerically in the box {self.box_text()}{starts}; there may be others "
                f"outside the box or between starts")

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
        """How they were found (method, box, starts) and each point's
        :meth:`StationaryPoint.to_dict`."""
        return {"solved_exactly": self.solved_exactly, "method": self.method,
                "box": None if self.box is None else [list(b) for b in self.box],
                "starts": self.starts, "non_real": self.non_real,
                "points": [p.to_dict() for p in self]}


def _rebuild(points: tuple, solved_exactly: bool, box: object, starts: int | None,
             non_real: int) -> StationaryPoints:
    return StationaryPoints(points, solved_exactly, box=box, starts=starts, non_real=non_real)


def stationary_points(objective: object, bounds: object = None, *, timeout: float = 1.0,
                      starts: int = 512, seed: int = 0,
                      progress: bool | str = False) -> StationaryPoints:
    r"""Every point where :math:`\nabla f = 0`, classified by the Hessian.

    When the gradient is a polynomial (or rational) system it is solved
    exactly within ``timeout`` seconds, and the result is labelled exact only
    when it is provably complete: the lexicographic Gröbner basis accounts
    for every complex solution, the real ones are kept (as exact numbers,
    shown as decimals) and the others counted. Otherwise Newton's method on
    :math:`\nabla f = 0` runs from ``starts`` points of a space-filling
    design in ``bounds`` (the box's centre and a seeded Halton sequence; the
    number does not grow with the dimension), and the points it converges to
    are merged. A numeric result says so, with the box and the number of
    starts: it cannot prove there are no others. Points on a curve or
    surface of stationary points with one value are reported once, as a
    ``"degenerate set"``.

    Parameters
    ----------
    objective : Objective or anything it accepts
    bounds : sequence of (low, high) per variable, or one (low, high) pair
        The box searched numerically; default (-5, 5) for every variable.
    timeout : float
        Seconds allowed for the exact solution.
    starts : int
        How many starts the numeric search uses.
    seed : int
        Seeds the random shift of the design.
    progress : bool or "auto"
        Show a progress line on standard error during the numeric search
        (starts settled, the rate, the time left; then the points
        classified); ``"auto"`` only when standard error is a terminal.

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
    starts = _starts(starts)
    exact = _solve_exactly(obj, timeout)
    if exact is not None:
        real = obj.real_symbols
        points = [_classify(obj, {v.name: to_float(s[v]) for v in real},
                            {v.name: s[v] for v in real}) for s in exact["points"]]
        return StationaryPoints(_ordered(points), True, non_real=exact["complex"])
    line = progress_line("stationary points: Newton", starts, show=progress, unit="starts")
    try:
        found, counts = newton_search(obj, box, starts, seed, line)
        if line is not None:
            line.stage("stationary points: merging", len(found), unit="points")
            line.update(0)
        labels, dims = degenerate_sets(obj, found, box)
        if line is not None:
            line.stage("stationary points: classifying", len(found), unit="points")
        points = []
        for k, (p, c, label) in enumerate(zip(found, counts, labels)):
            if label < 0:
                points.append(_classify(obj, dict(zip(obj.names, p)), None, int(c)))
            if line is not None:
                line.update(k + 1)
    finally:
        if line is not None:
            line.close()
    for label in sorted(set(labels.tolist()) - {-1}):
        members = np.flatnonzero(labels == label)
        top = members[np.lexsort(found[members].T[::-1])[-1]]   # the largest first coordinate
        points.append(_degenerate_set(obj, found[top], int(counts[members].sum()),
                                      int(dims[top])))
    return StationaryPoints(_ordered(points), False, box=box, starts=starts)


def _ordered(points: list[StationaryPoint]) -> list[StationaryPoint]:
    return sorted(points, key=lambda p: (p.value, tuple(p.point.values())))


def _starts(starts: object) -> int:
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or starts < 1:
        raise InputError(f"starts must be a positive whole number, got {starts!r:.40}")
    return int(starts)


def _solve_exactly(objective: Objective, timeout: float) -> dict | None:
    """Every real solution of grad f = 0 and the number of non-real ones, or None
    when the gradient is not a rational system, the solution cannot be shown
    complete within ``timeout`` seconds, or the solutions form curves or surfaces."""
    gradient = list(objective.real_gradient)
    real = list(objective.real_symbols)
    if not all(g.is_rational_function(*real) for g in gradient):
        return None
    try:
        result = call(solve_complete, (gradient, real), timeout)
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


def _eigen_kind(eig: np.ndarray) -> str:
    tol = 1e-9 * max(1.0, float(np.abs(eig).max()))
    if np.all(eig > tol):
        return "minimum"
    if np.all(eig < -tol):
        return "maximum"
    if np.any(eig > tol) and np.any(eig < -tol):
        return "saddle"
    return "degenerate"


def _classify(obj: Objective, where: dict, exact: dict | None,
              count: int = 1) -> StationaryPoint:
    """The second-derivative test: the signs of the Hessian's eigenvalues."""
    x = np.array([where[v] for v in obj.names])
    eig = np.linalg.eigvalsh(obj.hess(x))
    return StationaryPoint({k: float(v) for k, v in where.items()}, exact, obj.value(x),
                           _eigen_kind(eig), tuple(float(e) for e in eig), count)


def _degenerate_set(obj: Objective, x: np.ndarray, count: int, dimension: int) -> StationaryPoint:
    """One entry for a curve or surface of stationary points through ``x``."""
    eig = np.linalg.eigvalsh(obj.hess(x))
    order = np.argsort(np.abs(eig))
    rest = eig[order[dimension:]]          # the eigenvalues across the set
    of = {"minimum": "minima", "maximum": "maxima", "saddle": "saddle points"}.get(
        _eigen_kind(rest) if len(rest) else "", "stationary points")
    return StationaryPoint(dict(zip(obj.names, (float(v) for v in x))), None, obj.value(x),
                           "degenerate set", tuple(float(e) for e in eig), count,
                           dimension, of)
