r"""Figures of a descent: loss curves, contours, surfaces, slices and fits.

Every plot function draws on the matplotlib Axes it is given (or on a new
figure when ``ax=None``), never calls ``plt.show()``, and returns a
:class:`Drawn`: the figure, the axes and the data it plotted, so that a test
or a script can check what is on a figure without looking at pixels.

matplotlib is imported only when a figure is drawn (``import symgd`` does
not import it). Without a display (a server, a CI job), an interactive
backend is replaced by ``Agg``; any other backend the user chose is left
alone.

Colours are the same in every figure: the descent path in red (start: an
open circle, end: a filled one), the minimum as a green cross, the downhill
direction :math:`-\nabla f` as dark arrows, tangents in orange, data points
and residual lines in blue.

Examples
--------
>>> import symgd
>>> res = symgd.descend("x^2 + x*y + y^2", start=[2, 1], lr=0.1)
>>> d = plot_contour("x^2 + x*y + y^2", res)
>>> d.minimum.tolist(), d.xlabel, d.ylabel
([0.0, 0.0], '$x$', '$y$')
>>> bool(np.array_equal(d.x, res.history.x[:, 0]))
True
>>> d.close()
"""

from __future__ import annotations

import math
import os
import pathlib
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np
import sympy as sp

from ..analysis.core import local_bounds, stationary_points, step_size_bound
from ..objective.compile import Compiled
from ..errors import InputError, InputTypeError, ObjectiveError
from ..expr.registry import numeric_namespace
from ..data.losses import DataObjective
from ..objective.core import Objective, as_objective
from ..descent.loop import History, Result, Status, descend, descend_many

if TYPE_CHECKING:  # matplotlib is imported lazily, when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Drawn", "plot_loss", "plot_contour", "plot_surface", "plot_slice", "plot_fit",
           "plot_snapshots", "plot_learning_rates", "save", "COLORS", "FORMATS"]

#: The colour of each kind of mark, the same in every figure.
COLORS: dict[str, str] = {
    "path": "#d62728",       # the descent path (red)
    "minimum": "#2ca02c",    # the true minimum (green cross)
    "arrow": "#262626",      # -grad f, downhill (near black)
    "tangent": "#ff7f0e",    # tangent lines (orange)
    "data": "#1f77b4",       # data points and residual lines (blue)
    "curve": "#1f77b4",      # loss curves of one variable (blue)
}
#: File formats :func:`save` writes, by extension.
FORMATS = ("png", "svg", "pdf")

_CMAP = "viridis"
_GUI_BACKENDS = ("tk", "qt", "gtk", "wx", "macosx")
_MAX_MARKERS = 60          # mark every iterate of a path up to this many
_ARROW_GRID = 8            # arrows=True: an 8 x 8 grid of -grad f
_KEEP_RADIUS = 3.0         # default bounds: path points within 3x the start's distance


# ------------------------------------------------------------------ result type

@dataclass(frozen=True, eq=False)
class Drawn:
    r"""What a plot function drew: the figure, its axes and the plotted data.

    Only the fields a figure uses are set; the others keep their defaults.
    Arrays are copies of what was plotted, in data coordinates.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    axes : matplotlib.axes.Axes
        The axes drawn on (for figures of several panels, the first; see
        ``panels``).
    kind : str
        ``"loss"``, ``"contour"``, ``"surface"``, ``"slice"``, ``"fit"``,
        ``"snapshots"``, ``"learning_rates"``, ``"basins"`` or ``"lr_sweep"``.
    x, y : ndarray
        The main data. Loss curve: the iterations and the plotted losses
        (``loss - offset``; nan where not drawn). Contour and surface: the
        path's coordinates, one per iterate (non-finite ones as nan). Slice:
        the curve. Fit: the data points.
    z : ndarray or None
        Surface: the loss at each iterate of the path.
    start, end : ndarray or None
        The path's first and last point.
    minimum : ndarray or None
        The marked minimum: ``(x, y)`` on a contour, ``(x, y, f)`` on a
        surface, ``(t, f(t))`` on a slice; None when none is marked.
    arrows : ndarray or None
        Shape ``(k, 4)``: rows ``(x, y, u, v)`` where ``(u, v) = -∇f(x, y)``,
        the downhill direction, before scaling for display.
    curves : dict of str to ndarray
        Other lines, by legend label, each of shape ``(2, m)`` (x and y):
        the model snapshots of a fit, the tangent of a slice.
    segments : ndarray or None
        Residual lines of a fit, shape ``(k, 2, 2)``: ``[[x, y_data],
        [x, y_model]]`` per data point.
    slope : float or None
        Slice: the exact partial derivative at ``tangent_at``.
    offset : float
        Loss curve: the number subtracted from the losses before plotting
        (the lowest loss, on a log scale with losses <= 0; else 0).
    bounds : tuple
        The plotted range: ``((x0, x1), (y0, y1))`` or ``(t0, t1)``.
    iterations : tuple of int
        Fit and snapshots: the iterations drawn.
    lr : float or None
        Learning-rate panels: the learning rate.
    outcome : str or None
        Learning-rate panels: ``"converged"``, ``"slow"`` (stopped at
        ``max_iter``), ``"diverged"`` or ``"stopped"``.
    result : Result or None
        The run drawn, where the function ran it.
    panels : tuple of Drawn
        Figures of several panels: what each panel drew.
    """

    figure: Figure
    axes: Axes
    kind: str
    x: np.ndarray = field(default_factory=lambda: np.empty(0))
    y: np.ndarray = field(default_factory=lambda: np.empty(0))
    z: np.ndarray | None = None
    start: np.ndarray | None = None
    end: np.ndarray | None = None
    minimum: np.ndarray | None = None
    arrows: np.ndarray | None = None
    curves: dict[str, np.ndarray] = field(default_factory=dict)
    segments: np.ndarray | None = None
    slope: float | None = None
    offset: float = 0.0
    bounds: tuple = ()
    iterations: tuple[int, ...] = ()
    lr: float | None = None
    outcome: str | None = None
    result: Result | None = None
    panels: tuple[Drawn, ...] = ()

    @property
    def title(self) -> str:
        """The axes' title."""
        return self.axes.get_title()

    @property
    def xlabel(self) -> str:
        """The x-axis label."""
        return self.axes.get_xlabel()

    @property
    def ylabel(self) -> str:
        """The y-axis label."""
        return self.axes.get_ylabel()

    @property
    def zlabel(self) -> str:
        """The z-axis label of a 3-D plot (empty otherwise)."""
        get = getattr(self.axes, "get_zlabel", None)
        return get() if get is not None else ""

    @property
    def legend(self) -> list[str]:
        """The legend's entries, in order (empty without a legend)."""
        leg = self.axes.get_legend()
        return [t.get_text() for t in leg.get_texts()] if leg is not None else []

    def close(self) -> None:
        """Close the figure (free its memory in pyplot)."""
        _pyplot().close(self.figure)

    def __repr__(self) -> str:
        return f"Drawn({self.kind!r}, title={self.title!r})"


# ------------------------------------------------------------------ loss curve

def plot_loss(result: Result | History, ax: Axes | None = None, log: bool = False, *,
              name: str | None = None, label: str | None = None) -> Drawn:
    r"""The loss against the iteration.

    Parameters
    ----------
    result : Result or History
        A run of :func:`symgd.descend`, or its history.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    log : bool
        A logarithmic loss axis. Losses that are zero or negative cannot be
        drawn on it: then the curve is the loss minus the lowest loss of the
        run (``Drawn.offset``), whose zero (the lowest iterate) is left out,
        and the axis label says so.
    name : str, optional
        The objective's name for the axis label, e.g. ``"L"``.
    label : str, optional
        A legend entry for the curve (no legend when None).

    Returns
    -------
    Drawn
        ``x``: the iterations; ``y``: the plotted values (nan where a loss is
        not finite or not drawn); ``offset``.

    Raises
    ------
    InputError
        When no loss is finite, or on a log scale no loss is left to draw.

    Examples
    --------
    >>> import symgd
    >>> res = symgd.descend("x^2 + x*y + y^2", start=[1, 1], lr=0.1)
    >>> d = plot_loss(res, log=True)
    >>> d.axes.get_yscale(), d.xlabel, len(d.x) == res.nit + 1
    ('log', 'iteration $t$', True)
    >>> d.close()
    """
    hist = _as_history(result)
    loss = np.where(np.isfinite(hist.loss), hist.loss, np.nan)
    finite = loss[np.isfinite(loss)]
    if finite.size == 0:
        raise InputError("no loss of this run is finite, so there is no loss curve to "
                         "draw; look at Result.message for what went wrong")
    offset = 0.0
    if log and finite.min() <= 0:
        offset = float(finite.min())
        loss = loss - offset
        loss[~(loss > 0)] = np.nan
        if not np.isfinite(loss).any():
            raise InputError(f"cannot draw the loss on a log scale: every finite loss "
                             f"equals {offset:g}, which is not positive; use log=False")
    fig, ax = _axes(ax)
    iterations = hist.iteration.astype(float)
    marker = "o" if len(loss) <= _MAX_MARKERS else None
    ax.plot(iterations, loss, color=COLORS["path"], lw=2, marker=marker, ms=4, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("iteration $t$")
    ax.set_ylabel(_loss_label(name, hist.names, offset))
    ax.set_title("Loss curve" + (f": {_outcome_text(result)}"
                                 if isinstance(result, Result) else ""))
    ax.grid(True, which="major", alpha=0.3)
    if label is not None:
        ax.legend()
    return Drawn(fig, ax, "loss", x=iterations, y=loss, offset=offset,
                 result=result if isinstance(result, Result) else None)


def _loss_label(name: str | None, names: Sequence[str], offset: float) -> str:
    args = ", ".join(_latex(n) for n in names)
    f = f"{_latex(name)}({args})" if name else f"f({args})"
    if offset:
        return f"loss − lowest: ${f} - ({offset:.6g})$"
    return f"loss ${f}$"


# ------------------------------------------------------------------ contours

def plot_contour(objective: Objective | str | sp.Expr, result: Result | History | None = None,
                 ax: Axes | None = None,
                 bounds: Sequence[Sequence[float]] | None = None,
                 levels: int | Sequence[float] = 20, arrows: bool | int | str = True,
                 minimum: Sequence[float] | Mapping[str, float] | None = None, *,
                 filled: bool = True, colorbar: bool = True, resolution: int = 60,
                 label: str | None = None) -> Drawn:
    r"""Contour lines of an objective of two variables, with the descent path.

    Parameters
    ----------
    objective : Objective or anything it accepts
        Exactly two variables: the first on the x-axis, the second on the
        y-axis.
    result : Result or History, optional
        A run whose path (``history.x``) is drawn, start and end marked.
    ax : matplotlib Axes, optional
    bounds : ((x0, x1), (y0, y1)), optional
        The plotted box. By default a box around the minimum, the path (the
        iterates no further from the minimum than 3 times the start, so a
        diverging run leaves the frame instead of shrinking everything
        else) and the start's mirror image through the minimum (so the
        whole bowl is seen), with a margin; when the two ranges are
        comparable the box is widened to 4:3 and drawn with equal scales,
        where :math:`-\nabla f` is perpendicular to the contour lines.
    levels : int or sequence of float
        The contour levels, or their number: spaced as squares between the
        lowest value and the highest (with a result: at most 1.25 times the
        path's highest loss, or the highest level whose line closes inside
        the box, whichever is larger), so the lines of a bowl come out evenly
        spaced and those near the path are not lost.
    arrows : bool, int or "path"
        The downhill direction :math:`-\nabla f`: True for an 8 × 8 grid of
        arrows, an integer ``k`` for a ``k × k`` grid, ``"path"`` for arrows
        at a few iterates of the path, False for none. Lengths are
        proportional to :math:`\|\nabla f\|`.
    minimum : point, optional
        Where to mark the minimum. By default: for a quadratic objective with
        a positive definite Hessian, the exact solution of :math:`\nabla f =
        0` (for a quadratic data loss, :meth:`DataObjective.least_squares`);
        otherwise the end of a successful run; otherwise nothing.
    filled : bool
        Shade between the contour lines.
    colorbar : bool
        Add a colour bar of the objective's values (when ``filled``).
    resolution : int
        Grid points per axis.
    label : str, optional
        The path's legend entry (default "descent path").

    Returns
    -------
    Drawn
        ``x``, ``y``: the path; ``start``, ``end``, ``minimum``, ``arrows``,
        ``bounds``.

    Raises
    ------
    ObjectiveError
        When the objective does not have exactly two variables.
    InputError
        For bounds that are not two increasing pairs, a result of other
        variables, too few levels.

    Examples
    --------
    >>> d = plot_contour("x^2 + x*y + y^2", bounds=[(-1, 1), (-1, 1)], arrows=3)
    >>> d.arrows[:2].round(3).tolist()         # (x, y, -df/dx, -df/dy)
    [[-0.667, -0.667, 2.0, 2.0], [0.0, -0.667, 0.667, 1.333]]
    >>> d.close()
    """
    obj, hist, marked, box, (X, Y, Z) = _landscape(objective, "a contour plot", result,
                                                   minimum, bounds, resolution)
    fig, ax = _axes(ax)
    _draw_levels(ax, X, Y, Z, levels, marked, filled, colorbar, obj,
                 top=_rim(Z, hist, box) if hist is not None else np.inf)
    arrow_data = _draw_arrows(ax, obj, arrows, hist, box)
    path = _draw_path_2d(ax, hist, label)
    _mark_minimum(ax, marked)
    ax.set_xlim(box[0])
    ax.set_ylim(box[1])
    _label_axes(ax, obj)
    ax.set_title(_title(obj))
    _aspect(ax, box)
    _legend(ax)
    return Drawn(fig, ax, "contour", x=path[0], y=path[1], start=path[2], end=path[3],
                 minimum=marked, arrows=arrow_data, bounds=box,
                 result=result if isinstance(result, Result) else None)


def _draw_levels(ax: Axes, X: np.ndarray, Y: np.ndarray, Z: np.ndarray,
                 levels: int | Sequence[float], marked: np.ndarray | None, filled: bool,
                 colorbar: bool, obj: Objective, top: float = np.inf) -> None:
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise ObjectiveError(f"{obj} is not finite anywhere in the plotted box; choose "
                             "bounds= inside its domain")
    low = min(finite.min(), obj.value(marked)) if marked is not None else finite.min()
    high = min(float(finite.max()), top)
    values = _levels(levels, float(low), high)
    Zm = np.ma.masked_invalid(Z)
    if filled and values.size > 1:
        extend = "max" if finite.max() > values[-1] else "neither"
        shade = ax.contourf(X, Y, Zm, levels=values, cmap=_CMAP, alpha=0.45, zorder=0,
                            extend=extend)
        if colorbar:
            from matplotlib.ticker import MaxNLocator
            ax.figure.colorbar(shade, ax=ax, label=_math(_name_latex(obj)),
                               spacing="proportional", ticks=MaxNLocator(6))
    lines = values[values > low] if values.size > 1 else values
    ax.contour(X, Y, Zm, levels=lines, cmap=_CMAP, linewidths=0.9, zorder=1)


def _levels(levels: int | Sequence[float], low: float, high: float) -> np.ndarray:
    if isinstance(levels, (int, np.integer)) and not isinstance(levels, bool):
        if levels < 2:
            raise InputError(f"levels must be at least 2, got {levels}")
        if not high > low:
            return np.array([low - 1.0, low, low + 1.0])
        # squares: the lines of a quadratic bowl come out evenly spaced
        return low + (high - low) * np.linspace(0, 1, int(levels) + 1) ** 2
    try:
        values = np.unique(np.asarray(levels, dtype=float))
    except (TypeError, ValueError):
        raise InputTypeError(f"levels must be a number of levels or a list of values, "
                             f"got {levels!r}") from None
    if values.ndim != 1 or values.size == 0 or not np.isfinite(values).all():
        raise InputError(f"levels must be finite values, got {levels!r}")
    return values


def _draw_path_2d(ax: Axes, hist: History | None,
                  label: str | None) -> tuple[np.ndarray, np.ndarray, Any, Any]:
    if hist is None:
        return np.empty(0), np.empty(0), None, None
    pts = np.where(np.isfinite(hist.x), hist.x, np.nan)
    px, py = pts[:, 0], pts[:, 1]
    text = label or f"descent path ({len(pts) - 1} steps)"
    ax.plot(px, py, "-", color=COLORS["path"], lw=1.6, zorder=3, label=text)
    shown = _marker_rows(len(pts))
    ax.plot(px[shown], py[shown], "o", color=COLORS["path"], ms=3.5, zorder=3)
    ax.plot(px[0], py[0], "o", mfc="white", mec=COLORS["path"], mew=2, ms=9, zorder=5,
            label="start")
    if np.isfinite(pts[-1]).all():
        ax.plot(px[-1], py[-1], "o", color=COLORS["path"], mec="black", ms=8, zorder=5,
                label=f"end ($t = {int(hist.iteration[-1])}$)")
    return px.copy(), py.copy(), hist.x[0].copy(), hist.x[-1].copy()


def _marker_rows(rows: int) -> np.ndarray:
    """Every row of a short path; a geometric selection of a long one."""
    if rows <= _MAX_MARKERS:
        return np.arange(rows)
    return np.unique(np.geomspace(1, rows, _MAX_MARKERS).astype(int) - 1)


def _mark_minimum(ax: Axes, marked: np.ndarray | None, z: float | None = None) -> None:
    if marked is None:
        return
    style = dict(marker="X", color=COLORS["minimum"], mec="black", mew=1, ms=13,
                 ls="none", zorder=6, label="minimum")
    if z is None:
        ax.plot([marked[0]], [marked[1]], **style)
    else:
        ax.plot([marked[0]], [marked[1]], [z], **style)


def _draw_arrows(ax: Axes, obj: Objective, arrows: bool | int | str, hist: History | None,
                 box: tuple) -> np.ndarray | None:
    mode = _arrow_mode(arrows, hist)
    if mode is None:
        return None
    if mode == "path":
        rows = _path_arrow_rows(hist, box)
        points, grads, target = hist.x[rows], hist.grad[rows], 0.12
    else:
        points = _grid_points(box, mode)
        grads, target = _gradients(obj, points), 0.9 / mode
    keep = np.isfinite(grads).all(axis=1) & np.isfinite(points).all(axis=1)
    points, down = points[keep], -grads[keep]
    if len(points):
        scale = _arrow_scale(down, box, target)
        ax.quiver(points[:, 0], points[:, 1], down[:, 0] * scale, down[:, 1] * scale,
                  angles="xy", scale_units="xy", scale=1, color=COLORS["arrow"],
                  width=0.004, headwidth=4, alpha=0.75, zorder=2,
                  label=r"$-\nabla " + _name_latex(obj) + "$ (downhill)")
    return np.column_stack([points, down]) if len(points) else np.empty((0, 4))


def _arrow_mode(arrows: bool | int | str, hist: History | None) -> int | str | None:
    """None (no arrows), ``"path"``, or the size k of a k x k grid."""
    if isinstance(arrows, str):
        if arrows != "path":
            raise InputError(f"arrows must be True, False, a grid size or 'path'; "
                             f"got {arrows!r}")
        if hist is None:
            raise InputError("arrows='path' needs a result whose path to follow")
        return "path"
    if isinstance(arrows, bool) or arrows is None:
        return _ARROW_GRID if arrows else None
    if isinstance(arrows, (int, np.integer)) and arrows >= 0:
        return int(arrows) or None
    raise InputError(f"arrows must be True, False, a grid size or 'path'; got {arrows!r}")


def _grid_points(box: tuple, k: int) -> np.ndarray:
    """The centres of a k x k grid of cells over the box."""
    (x0, x1), (y0, y1) = box
    X, Y = np.meshgrid(x0 + (x1 - x0) * (np.arange(k) + 0.5) / k,
                       y0 + (y1 - y0) * (np.arange(k) + 0.5) / k)
    return np.column_stack([X.ravel(), Y.ravel()])


def _path_arrow_rows(hist: History, box: tuple, count: int = 6) -> np.ndarray:
    """About ``count`` iterates evenly spaced along the path's visible length."""
    lo = np.array([box[0][0], box[1][0]])
    size = np.array([box[0][1] - box[0][0], box[1][1] - box[1][0]])
    inside = np.all(np.isfinite(hist.x) & (hist.x >= lo) & (hist.x <= lo + size), axis=1)
    rows = np.flatnonzero(inside & (hist.grad_norm > 0))
    if rows.size == 0:
        return rows
    unit = (hist.x[rows] - lo) / size
    s = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(unit, axis=0).T))])
    targets = np.linspace(0, s[-1], count) if s[-1] > 0 else [0.0]
    return np.unique(rows[np.minimum(np.searchsorted(s, targets), rows.size - 1)])


def _arrow_scale(down: np.ndarray, box: tuple, target: float) -> float:
    """One factor for all arrows: the longest spans ``target`` of the box."""
    size = np.array([box[0][1] - box[0][0], box[1][1] - box[1][0]])
    longest = np.max(np.hypot(*(down / size).T))
    return float(target / longest) if longest > 0 else 0.0


# ------------------------------------------------------------------ surface

def plot_surface(objective: Objective | str | sp.Expr, result: Result | History | None = None,
                 ax: Axes | None = None,
                 bounds: Sequence[Sequence[float]] | None = None, *,
                 minimum: Sequence[float] | Mapping[str, float] | None = None,
                 resolution: int = 50, view: tuple[float, float] | None = None,
                 clip: bool = False) -> Drawn:
    """The objective of two variables as a 3-D surface, with the descent path on it.

    The path's points are drawn at their loss values (``history.loss``), on
    top of the surface; points outside ``bounds`` are left out of the drawing
    (not of ``Drawn.x``).

    Parameters
    ----------
    objective : Objective or anything it accepts
        Exactly two variables.
    result : Result or History, optional
    ax : 3-D matplotlib Axes, optional
        Made with ``projection="3d"``; a new figure when None. Its
        ``computed_zorder`` is turned off so the path stays visible.
    bounds, minimum, resolution
        As in :func:`plot_contour` (``resolution`` defaults to 50).
    view : (elevation, azimuth), optional
        The viewing angles in degrees.
    clip : bool
        Cut the surface off above a level, like the rim of a bowl, so that
        the steep corners of the box do not flatten the part the path runs
        over: at the highest level whose contour lies wholly inside the box,
        raised where needed to 1.25 times the highest loss of the path.

    Returns
    -------
    Drawn
        ``x``, ``y``, ``z``: the path and its losses; ``minimum``:
        ``(x, y, f)``.

    Examples
    --------
    >>> import symgd
    >>> cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    >>> res = symgd.descend(cars, start=[0, 0], lr=0.03, max_iter=3000)
    >>> d = plot_surface(cars, res)
    >>> d.minimum.round(2).tolist(), d.zlabel
    ([-4.57, 33.59, 1.47], '$L$')
    >>> d.close()
    """
    obj, hist, marked, box, (X, Y, Z) = _landscape(objective, "a surface plot", result,
                                                   minimum, bounds, resolution)
    fig, ax = _axes(ax, projection="3d", figsize=(7.0, 5.6))
    ax.computed_zorder = False
    if clip:
        Z = np.where(Z <= _rim(Z, hist, box), Z, np.nan)
    ax.plot_surface(X, Y, np.ma.masked_invalid(Z), cmap=_CMAP, alpha=0.6, linewidth=0,
                    antialiased=True, rcount=resolution, ccount=resolution, zorder=1)
    px = py = pz = np.empty(0)
    start = end = None
    if hist is not None:
        px, py, pz = _draw_path_3d(ax, hist, box)
        start, end = hist.x[0].copy(), hist.x[-1].copy()
    point = None
    if marked is not None:
        point = np.array([*marked, obj.value(marked)])
        _mark_minimum(ax, marked, z=point[2])
    ax.set_xlim(box[0])
    ax.set_ylim(box[1])
    _label_axes(ax, obj)
    ax.set_zlabel(_math(_name_latex(obj)))
    ax.set_title(_title(obj))
    if view is not None:
        ax.view_init(elev=view[0], azim=view[1])
    _legend(ax, loc="upper left")
    return Drawn(fig, ax, "surface", x=px, y=py, z=pz, start=start, end=end,
                 minimum=point, bounds=box,
                 result=result if isinstance(result, Result) else None)


def _rim(Z: np.ndarray, hist: History | None, box: tuple) -> float:
    """Where to cut a surface: its lowest value on the box's edge, or above the path."""
    edge = np.concatenate([Z[0], Z[-1], Z[:, 0], Z[:, -1]])
    edge = edge[np.isfinite(edge)]
    rim = float(edge.min()) if edge.size else np.inf
    if hist is not None:
        lo = np.array([box[0][0], box[1][0]])
        hi = np.array([box[0][1], box[1][1]])
        inside = np.all((hist.x >= lo) & (hist.x <= hi), axis=1) & np.isfinite(hist.loss)
        if inside.any():
            rim = max(rim, 1.25 * float(hist.loss[inside].max()))
    return rim


def _draw_path_3d(ax: Axes, hist: History,
                  box: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pts = np.where(np.isfinite(hist.x), hist.x, np.nan)
    loss = np.where(np.isfinite(hist.loss), hist.loss, np.nan)
    inside = ((pts[:, 0] >= box[0][0]) & (pts[:, 0] <= box[0][1])
              & (pts[:, 1] >= box[1][0]) & (pts[:, 1] <= box[1][1]))
    sx, sy, sz = (np.where(inside, v, np.nan) for v in (pts[:, 0], pts[:, 1], loss))
    ax.plot(sx, sy, sz, "-", color=COLORS["path"], lw=1.8, zorder=10,
            label=f"descent path ({len(pts) - 1} steps)")
    shown = _marker_rows(len(pts))
    ax.plot(sx[shown], sy[shown], sz[shown], "o", color=COLORS["path"], ms=3.5, zorder=10)
    ax.plot([sx[0]], [sy[0]], [sz[0]], "o", mfc="white", mec=COLORS["path"], mew=2, ms=9,
            zorder=11, label="start")
    if inside[-1]:
        ax.plot([sx[-1]], [sy[-1]], [sz[-1]], "o", color=COLORS["path"], mec="black",
                ms=8, zorder=11, label=f"end ($t = {int(hist.iteration[-1])}$)")
    return pts[:, 0].copy(), pts[:, 1].copy(), loss.copy()


# ------------------------------------------------------------------ slice

def plot_slice(objective: Objective | str | sp.Expr, var: str | sp.Symbol,
               at: Sequence[float] | Mapping[str, float] | None = None,
               ax: Axes | None = None, bounds: Sequence[float] | None = None,
               tangent_at: float | None = None) -> Drawn:
    r"""The loss as a function of one variable, the others held fixed.

    The curve's lowest point is marked with a green cross and, with
    ``tangent_at``, the tangent there is drawn: a line whose slope is the
    exact partial derivative :math:`\partial f/\partial v` at that point (the
    hiker in the valley walks against it).

    Parameters
    ----------
    objective : Objective or anything it accepts
    var : str or sympy.Symbol
        The variable on the x-axis.
    at : point, optional
        Values of the other variables (a full point or a mapping of the
        others; the value of ``var`` in it is ignored). By default the
        minimum of a quadratic objective with a positive definite Hessian,
        otherwise zeros.
    ax : matplotlib Axes, optional
    bounds : (low, high), optional
        The range of ``var``; by default around the slice's minimum and
        ``tangent_at``.
    tangent_at : float, optional
        Where to draw the tangent.

    Returns
    -------
    Drawn
        ``x``, ``y``: the curve; ``minimum``: ``(t, f(t))`` of the slice;
        ``slope``: the derivative at ``tangent_at`` (None without one);
        ``curves["tangent"]``: the tangent segment.

    Examples
    --------
    >>> d = plot_slice("x^2 + x*y + y^2", "x", at={"y": 1}, tangent_at=1)
    >>> d.slope, d.minimum.tolist(), d.xlabel
    (3.0, [-0.5, 0.75], '$x$')
    >>> d.close()
    """
    obj = as_objective(objective)
    i = obj._index(var)
    base = _slice_base(obj, at)
    t0 = _finite(tangent_at, "tangent_at") if tangent_at is not None else None
    low = _slice_minimum(obj, i, base, bounds, t0)
    box = _interval(bounds, "bounds") if bounds is not None else _slice_box(low, t0, base[i])
    ts = np.linspace(box[0], box[1], 400)
    values = _values(obj, _along(base, i, ts))
    fig, ax = _axes(ax)
    sym = obj.variables[i]
    ax.plot(ts, values, color=COLORS["curve"], lw=2, label=_math(_slice_name(obj, i)))
    marked = None
    if low is not None:
        marked = np.array([low, obj.value(_along(base, i, [low])[0])])
        ax.plot([marked[0]], [marked[1]], "X", color=COLORS["minimum"], mec="black", ms=13,
                zorder=5, label=f"minimum at ${sp.latex(sym)} = {low:.4g}$")
    slope, curves = None, {}
    if t0 is not None:
        slope, curves["tangent"] = _draw_tangent(ax, obj, i, base, t0, box)
    ax.set_xlim(box)
    ax.set_xlabel(_math(sp.latex(sym)))
    ax.set_ylabel(_math(_slice_name(obj, i)))
    ax.set_title(_slice_title(obj, i, base))
    ax.grid(True, alpha=0.3)
    _legend(ax)
    return Drawn(fig, ax, "slice", x=ts, y=values, minimum=marked, slope=slope,
                 curves=curves, bounds=box)


def _slice_base(obj: Objective, at: object) -> np.ndarray:
    if at is None:
        best = _quadratic_minimum(obj)
        return best if best is not None else np.zeros(obj.n)
    if isinstance(at, Mapping):
        unknown = [k for k in at if k not in obj.names]
        if unknown:
            raise InputError(f"at={dict(at)!r} names {unknown}, which are not variables; "
                             f"the variables are {', '.join(obj.names)}")
        values = dict(zip(obj.names, [0.0] * obj.n)) | {k: at[k] for k in at}
        return obj.point(values, "at")
    return obj.point(at, "at")


def _along(base: np.ndarray, i: int, ts: Sequence[float]) -> np.ndarray:
    points = np.tile(base, (len(ts), 1))
    points[:, i] = ts
    return points


def _slice_minimum(obj: Objective, i: int, base: np.ndarray, bounds: object,
                   t0: float | None) -> float | None:
    """The lowest point of the slice: exact for a quadratic, else searched."""
    if obj.is_quadratic:
        h = obj.hess(base)[i, i]
        if h > 0:   # f(t) = f(t_b) + g (t - t_b) + h/2 (t - t_b)^2
            return float(base[i] - obj.grad(base)[i] / h)
    centre = base[i] if t0 is None else t0
    box = _interval(bounds, "bounds") if bounds is not None else (centre - 5, centre + 5)
    return _search_minimum(obj, i, base, box)


def _search_minimum(obj: Objective, i: int, base: np.ndarray,
                    box: tuple[float, float]) -> float | None:
    ts = np.linspace(box[0], box[1], 801)
    values = _values(obj, _along(base, i, ts))
    if not np.isfinite(values).any():
        return None
    k = int(np.nanargmin(np.where(np.isfinite(values), values, np.inf)))
    if k in (0, len(ts) - 1):
        return None                                   # no interior minimum here
    a, b = ts[k - 1], ts[k + 1]
    ratio = (math.sqrt(5) - 1) / 2                    # golden-section refinement
    for _ in range(60):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        fc, fd = _values(obj, _along(base, i, [c, d]))
        if fc <= fd:
            b = d
        else:
            a = c
    return float((a + b) / 2)


def _slice_box(low: float | None, t0: float | None, current: float) -> tuple[float, float]:
    centre = low if low is not None else (t0 if t0 is not None else current)
    reach = max([abs(p - centre) for p in (t0, current, 0.0) if p is not None] + [0.0])
    half = 1.5 * reach if reach > 0 else max(1.0, abs(centre))
    return (centre - half, centre + half)


def _draw_tangent(ax: Axes, obj: Objective, i: int, base: np.ndarray, t0: float,
                  box: tuple[float, float]) -> tuple[float, np.ndarray]:
    point = _along(base, i, [t0])[0]
    f0, grad = obj.value_and_grad(point)
    slope = float(grad[i])
    half = 0.18 * (box[1] - box[0])
    ts = np.array([t0 - half, t0 + half])
    line = np.vstack([ts, f0 + slope * (ts - t0)])
    name = sp.latex(obj.variables[i])
    ax.plot(line[0], line[1], "-", color=COLORS["tangent"], lw=2.2, zorder=4,
            label=fr"tangent: slope $\partial {_name_latex(obj)}/\partial {name}"
                  fr" = {slope:.4g}$")
    ax.plot([t0], [f0], "o", color=COLORS["tangent"], mec="black", ms=9, zorder=6)
    return slope, line


def _slice_name(obj: Objective, i: int) -> str:
    return f"{_name_latex(obj)}({sp.latex(obj.variables[i])})"


def _slice_title(obj: Objective, i: int, base: np.ndarray) -> str:
    fixed = [f"{sp.latex(v)} = {base[k]:.4g}" for k, v in enumerate(obj.variables) if k != i]
    text = _slice_name(obj, i) + "".join(r",\ " + f for f in fixed)
    return "Loss curve " + _math(text, f"{obj.label}({obj.names[i]})")


# ------------------------------------------------------------------ fits

def plot_fit(objective: DataObjective, result: Result | History,
             iterations: Sequence[int] | None = None, ax: Axes | None = None, *,
             residuals: bool = True) -> Drawn:
    """The data and the model at a few iterations of training.

    One panel: the data points, the model's curve at each chosen iteration
    (light to dark red as training goes on), and for the *last* snapshot
    the residual lines from each data point to the model (their lengths are
    what the loss measures). For one panel per snapshot, with the loss curve
    above each, see :func:`plot_snapshots`.

    Parameters
    ----------
    objective : DataObjective
        A loss of a model with exactly one feature column (``w*x + b``,
        ``a*x**2 + b*x + c``, ...).
    result : Result or History
        The run whose parameters are drawn.
    iterations : sequence of int, optional
        Iteration numbers to draw (negative numbers count from the last
        row). By default the first, middle and last row of the history.
    ax : matplotlib Axes, optional
    residuals : bool
        Draw the residual lines of the last snapshot.

    Returns
    -------
    Drawn
        ``x``, ``y``: the data; ``curves``: each snapshot's model, by legend
        label; ``segments``: the residual lines; ``iterations``.

    Raises
    ------
    ObjectiveError
        For an objective that is not a data loss of a model of one feature.
    InputError
        For iterations the history does not hold.

    Examples
    --------
    >>> import symgd
    >>> pizza = symgd.mse("w*x + b", "pizza", columns={"x": "Reservations", "y": "Pizzas"})
    >>> res = symgd.descend(pizza, start=0, lr=0.001, max_iter=2000, tol=None)
    >>> d = plot_fit(pizza, res)
    >>> d.iterations, d.xlabel, d.segments.shape
    ((0, 1000, 2000), '$x$ (Reservations)', (30, 2, 2))
    >>> d.close()
    """
    model, feature = _one_feature_model(objective)
    hist = _path_of(objective, result, needed=True)
    rows = _snapshot_rows(hist, iterations)
    xdata = objective.data[objective.columns[feature.name]]
    ydata = objective.data[objective.columns[objective.target]]
    fig, ax = _axes(ax)
    curves, segments = _draw_fit(ax, objective, model, feature, hist, rows, residuals)
    ax.scatter(xdata, ydata, s=36, color=COLORS["data"], edgecolor="white", zorder=5,
               label="data")
    _label_fit(ax, objective, feature, model)
    _legend(ax)
    return Drawn(fig, ax, "fit", x=xdata.copy(), y=ydata.copy(), curves=curves,
                 segments=segments, iterations=tuple(int(hist.iteration[r]) for r in rows),
                 result=result if isinstance(result, Result) else None)


def _draw_fit(ax: Axes, obj: DataObjective, model: Callable[..., Any], feature: sp.Symbol,
              hist: History, rows: Sequence[int], residuals: bool,
              colors: Sequence[Any] | None = None,
              short: bool = False) -> tuple[dict[str, np.ndarray], Any]:
    xdata = obj.data[obj.columns[feature.name]]
    ydata = obj.data[obj.columns[obj.target]]
    pad = 0.05 * (xdata.max() - xdata.min())
    xs = np.linspace(xdata.min() - pad, xdata.max() + pad, 200)
    if colors is None:
        colors = _shades(len(rows))
    curves: dict[str, np.ndarray] = {}
    for row, color in zip(rows, colors):
        theta = hist.x[row]
        text = f"model at $t = {int(hist.iteration[row])}$"
        if not short:
            text += ": " + _params_text(obj, theta)
        ys = _predict(model, xs, theta)
        ax.plot(xs, ys, color=color, lw=2.2, zorder=3, label=text)
        curves[text] = np.vstack([xs, ys])
    segments = None
    if residuals and rows:
        fitted = _predict(model, xdata, hist.x[rows[-1]])
        segments = np.stack([np.column_stack([xdata, ydata]),
                             np.column_stack([xdata, fitted])], axis=1)
        ax.vlines(xdata, ydata, fitted, color=COLORS["data"], lw=1.2, alpha=0.8, zorder=2,
                  label="residuals (last snapshot)" if len(rows) > 1 else "residuals")
    return curves, segments


def _shades(k: int) -> list[Any]:
    plt = _pyplot()
    if k == 1:
        return [COLORS["path"]]
    return [plt.get_cmap("Reds")(v) for v in np.linspace(0.35, 0.95, k)]


def _label_fit(ax: Axes, obj: DataObjective, feature: sp.Symbol, model: Any) -> None:
    xcol, ycol = obj.columns[feature.name], obj.columns[obj.target]
    ax.set_xlabel(_column_label(feature.name, xcol))
    ax.set_ylabel(_column_label(obj.target, ycol))
    ax.set_title("Model " + _math(f"{_latex(obj.target)} \\approx {_expr_latex(obj.model)}",
                                  f"{obj.target} ≈ {obj.model}"))
    ax.grid(True, alpha=0.3)


def _column_label(symbol: str, column: str) -> str:
    text = _math(_latex(symbol))
    return text if symbol == column else f"{text} ({column})"


def _params_text(obj: Objective, theta: np.ndarray) -> str:
    return "$" + r",\ ".join(f"{sp.latex(v)} = {t:.3g}"
                             for v, t in zip(obj.variables, theta)) + "$"


def _one_feature_model(obj: object) -> tuple[Callable[..., Any], sp.Symbol]:
    if not isinstance(obj, DataObjective) or obj.model is None:
        raise ObjectiveError(
            f"plot_fit draws a model through data: it needs a data loss of a model, such "
            f"as symgd.mse('w*x + b', data); got {type(obj).__name__}")
    params = set(obj.variables)
    features = sorted((s for s in obj.model.free_symbols if s not in params),
                      key=lambda s: s.name)
    if len(features) != 1:
        names = ", ".join(s.name for s in features) or "none"
        raise ObjectiveError(f"plot_fit draws a model of one feature against it; the model "
                             f"{obj.model} has {len(features)} feature columns ({names})")
    feature = features[0]
    fn = sp.lambdify((feature, *obj.variables), obj.model,
                     modules=[numeric_namespace("numpy"), "numpy"])
    return fn, feature


def _predict(model: Callable[..., Any], xs: np.ndarray, theta: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        ys = np.asarray(model(xs, *(float(t) for t in theta)), dtype=float)
    return np.broadcast_to(ys, xs.shape).copy()


def _snapshot_rows(hist: History, iterations: Sequence[int] | None) -> list[int]:
    if iterations is None:
        rows = [0, (len(hist) - 1) // 2, len(hist) - 1]
        return sorted(set(rows), key=rows.index)
    if isinstance(iterations, (int, np.integer)):
        iterations = [iterations]
    rows = []
    for it in iterations:
        if isinstance(it, bool) or not isinstance(it, (int, np.integer)):
            raise InputTypeError(f"iterations must be integers, got {it!r}")
        if it < 0:
            if -it > len(hist):
                raise InputError(f"iteration {it} counts back past the start: the history "
                                 f"has {len(hist)} rows")
            rows.append(len(hist) + int(it))
            continue
        found = np.flatnonzero(hist.iteration == it)
        if found.size == 0:
            raise InputError(f"the history holds no iteration {it}; it has iterations "
                             f"{int(hist.iteration[0])} to {int(hist.iteration[-1])}"
                             f"{'' if len(hist) == hist.iteration[-1] + 1 else ' (not all)'}")
        rows.append(int(found[0]))
    return rows


def plot_snapshots(objective: DataObjective, result: Result | History,
                   iterations: Sequence[int] | None = None, axes: Any = None) -> Drawn:
    """The loss curve and the model at a few iterations, one column per snapshot.

    Each column shows, on top, the loss curve with the snapshot's iteration
    marked and, below, the data with the model at that iteration and its
    residual lines: the beginning, middle and end of training side by side.

    Parameters
    ----------
    objective, result, iterations
        As in :func:`plot_fit`.
    axes : 2-D array of matplotlib Axes, optional
        Shape ``(2, k)`` for ``k`` snapshots; a new figure when None.

    Returns
    -------
    Drawn
        ``panels``: per snapshot, the loss panel then the fit panel
        (``2k`` in all); ``iterations``.

    Examples
    --------
    >>> import symgd
    >>> pizza = symgd.mse("w*x + b", "pizza", columns={"x": "Reservations", "y": "Pizzas"})
    >>> res = symgd.descend(pizza, start=0, lr=0.001, max_iter=100, tol=None)
    >>> d = plot_snapshots(pizza, res, iterations=[0, 100])
    >>> len(d.panels), d.iterations
    (4, (0, 100))
    >>> d.close()
    """
    model, feature = _one_feature_model(objective)
    hist = _path_of(objective, result, needed=True)
    rows = _snapshot_rows(hist, iterations)
    k = len(rows)
    if axes is None:
        fig, grid = _pyplot().subplots(2, k, figsize=(4.2 * k, 7.0), squeeze=False,
                                       layout="constrained")
    else:
        grid = np.asarray(axes, dtype=object).reshape(2, -1)
        if grid.shape[1] != k:
            raise InputError(f"axes must be 2 x {k} for {k} snapshots, got {grid.shape}")
        fig = grid[0, 0].figure
    panels: list[Drawn] = []
    colors = _shades(k)
    for j, row in enumerate(rows):
        top = plot_loss(result, ax=grid[0, j], name=objective.label)
        it = int(hist.iteration[row])
        top.axes.plot([it], [hist.loss[row]], "o", color=colors[j], mec="black", ms=10,
                      zorder=5)
        top.axes.axvline(it, color=colors[j], ls="--", lw=1)
        top.axes.set_title(f"iteration {it}: loss {hist.loss[row]:.4g}")
        ax = grid[1, j]
        curves, segments = _draw_fit(ax, objective, model, feature, hist, [row], True,
                                     colors=[colors[j]], short=True)
        xdata = objective.data[objective.columns[feature.name]]
        ydata = objective.data[objective.columns[objective.target]]
        ax.scatter(xdata, ydata, s=30, color=COLORS["data"], edgecolor="white", zorder=5,
                   label="data")
        _label_fit(ax, objective, feature, model)
        ax.set_title(_params_text(objective, hist.x[row]))
        _legend(ax, fontsize="x-small")
        panels += [top, Drawn(fig, ax, "fit", x=xdata.copy(), y=ydata.copy(), curves=curves,
                              segments=segments, iterations=(it,))]
    _share_limits([p.axes for p in panels[1::2]])
    return Drawn(fig, panels[0].axes, "snapshots", panels=tuple(panels),
                 iterations=tuple(int(hist.iteration[r]) for r in rows),
                 result=result if isinstance(result, Result) else None)


def _share_limits(axes: Sequence[Any]) -> None:
    """Give fit panels the same y-range, so the snapshots compare at a glance."""
    lows, highs = zip(*(ax.get_ylim() for ax in axes))
    for ax in axes:
        ax.set_ylim(min(lows), max(highs))


# ------------------------------------------------------------------ learning rates

def plot_learning_rates(objective: Objective | str | sp.Expr,
                        start: Sequence[float] | Mapping[str, float] | float,
                        lrs: Sequence[float] | None = None, max_iter: int = 500,
                        axes: Sequence[Axes] | None = None, *,
                        tol: float | None = 1e-8) -> Drawn:
    r"""The same descent with a too small, a good and a too big learning rate.

    One panel per learning rate: contour lines and the path for an
    objective of two variables (all panels in the same box, drawn from the
    runs that did not diverge, so a diverging path leaves the frame),
    otherwise the loss curve (log scale where every loss is positive). Each
    panel's title gives the learning rate and the outcome.

    Parameters
    ----------
    objective : Objective or anything it accepts
    start : point
    lrs : sequence of float, optional
        The learning rates. By default, from the step-size bound
        :math:`2/\lambda_{max}` of the Hessian at ``start``
        (:func:`symgd.step_size_bound`): too small = bound / 50; good = the
        fastest fixed step :math:`2/(\lambda_{min} + \lambda_{max})` when it
        is below 0.9 × bound, else bound / 2 (a badly conditioned problem
        would oscillate across its valley at the fastest step); too big =
        1.1 × bound, which diverges on a quadratic unless the start lies
        exactly on the flattest direction.
    max_iter : int
        Steps per run; a run still going then is called "slow".
    axes : sequence of matplotlib Axes, optional
        One per learning rate; a new figure of side-by-side panels when None.
    tol : float or None
        The gradient tolerance of each run (see :func:`symgd.descend`).

    Returns
    -------
    Drawn
        ``panels``: one Drawn per learning rate, with ``lr``, ``outcome``
        and ``result`` set.

    Raises
    ------
    InputError
        Without ``lrs`` where the Hessian at ``start`` has no positive
        eigenvalue (no bound exists), or for learning rates that are not
        positive.

    Examples
    --------
    >>> d = plot_learning_rates("x^2 + x*y + y^2", start=[2, 1])
    >>> [(round(p.lr, 4), p.outcome) for p in d.panels]
    [(0.0133, 'slow'), (0.5, 'converged'), (0.7333, 'diverged')]
    >>> d.close()
    """
    obj = as_objective(objective)
    x0 = obj.point(start, "start")
    rates, names = _learning_rates(obj, x0, lrs)
    runs = [descend(obj, x0, lr=lr, max_iter=max_iter, tol=tol) for lr in rates]
    fig, panel_axes = _panel_axes(axes, len(rates))
    box = _common_box(obj, runs) if obj.n == 2 else None
    panels = []
    for ax, lr, name, res in zip(panel_axes, rates, names, runs):
        panels.append(_lr_panel(obj, ax, lr, name, res, box))
        if panels[1:] and ax.get_legend() is not None:
            ax.get_legend().remove()          # one legend, in the first panel
    if axes is None:
        fig.suptitle(_lr_suptitle(obj, x0))
    return Drawn(fig, panel_axes[0], "learning_rates", panels=tuple(panels))


def _learning_rates(obj: Objective, x0: np.ndarray,
                    lrs: Sequence[float] | None) -> tuple[list[float], list[str]]:
    if lrs is not None:
        try:
            rates = [float(v) for v in lrs]
        except (TypeError, ValueError):
            raise InputTypeError(f"lrs must be numbers, got {lrs!r}") from None
        if not rates or not all(math.isfinite(r) and r > 0 for r in rates):
            raise InputError(f"lrs must be positive finite numbers, got {lrs!r}")
        return rates, [""] * len(rates)
    bound = step_size_bound(obj, at=x0)
    if not math.isfinite(bound.bound):
        raise InputError("the Hessian at the start has no positive eigenvalue, so there is "
                         "no step-size bound to choose learning rates from; pass lrs=[...]")
    good = bound.best if bound.best is not None and bound.best <= 0.9 * bound.bound \
        else bound.bound / 2
    return ([bound.bound / 50, good, 1.1 * bound.bound],
            ["too small", "good", "too big"])


def _panel_axes(axes: Sequence[Axes] | None, k: int) -> tuple[Figure, list[Axes]]:
    if axes is None:
        fig, grid = _pyplot().subplots(1, k, figsize=(4.6 * k, 4.6), squeeze=False,
                                       layout="constrained")
        return fig, list(grid[0])
    flat = list(np.asarray(axes, dtype=object).ravel())
    if len(flat) != k:
        raise InputError(f"axes must hold one Axes per learning rate ({k}), got {len(flat)}")
    return flat[0].figure, flat


def _common_box(obj: Objective, runs: Sequence[Result]) -> tuple:
    calm = [r for r in runs if r.status not in (Status.DIVERGED, Status.NOT_FINITE)]
    chosen = calm or list(runs)
    marked = _quadratic_minimum(obj)
    paths = np.vstack([r.history.x for r in chosen])
    if marked is None:
        ends = [r.x for r in chosen if r.success]
        marked = ends[0] if ends else None
    return _default_box(paths, marked)


def _lr_panel(obj: Objective, ax: Axes, lr: float, name: str, res: Result,
              box: tuple | None) -> Drawn:
    if obj.n == 2:
        drawn = plot_contour(obj, res, ax=ax, bounds=box, arrows=False, colorbar=False,
                             label="descent path")
    else:
        positive = res.history.loss[np.isfinite(res.history.loss)]
        drawn = plot_loss(res, ax=ax, log=bool(positive.size and positive.min() > 0),
                          name=obj.label)
    outcome = _outcome(res)
    head = f"{name}: " if name else ""
    ax.set_title(f"{head}$\\gamma = {lr:.3g}$\n{_outcome_text(res)}",
                 color=_OUTCOME_COLORS[outcome])
    return Drawn(drawn.figure, ax, drawn.kind, x=drawn.x, y=drawn.y, start=drawn.start,
                 end=drawn.end, minimum=drawn.minimum, bounds=drawn.bounds,
                 offset=drawn.offset, lr=lr, outcome=outcome, result=res)


_OUTCOME_COLORS = {"converged": "#1a7f37", "slow": "#9a6700", "diverged": "#cf222e",
                   "stopped": "black"}


def _outcome(res: Result) -> str:
    if res.status in (Status.CONVERGED, Status.SMALL_CHANGE):
        return "converged"
    if res.status in (Status.DIVERGED, Status.NOT_FINITE):
        return "diverged"
    if res.status == Status.MAX_ITER:
        return "slow"
    return "stopped"


def _outcome_text(res: Result) -> str:
    outcome = _outcome(res)
    steps = f"{res.nit} step{'s' * (res.nit != 1)}"
    if outcome == "converged":
        return f"converged in {steps}"
    if outcome == "diverged":
        return f"diverged (stopped after {steps})"
    if outcome == "slow":
        if res.tol is None:                     # tol=None: ran max_iter on purpose
            return f"ran {steps} (no gradient tolerance)"
        return f"slow: not converged after {steps}"
    return f"stopped after {steps}"


def _lr_suptitle(obj: Objective, x0: np.ndarray) -> str:
    where = ", ".join(f"{v:g}" for v in x0)
    try:
        bound = step_size_bound(obj, at=x0)
        limit = rf", $2/\lambda_{{max}} = {bound.bound:.3g}$"
    except Exception:    # the bound is a caption; a failure must not stop the figure
        limit = ""
    return _title(obj) + f" from ({where}){limit}"


# ------------------------------------------------------------------ saving

def plot_basins(objective: Objective | str | sp.Expr, bounds: Sequence[Any] | None = None,
                lr: float | None = None, *, step: str = "fixed", resolution: int = 60,
                max_iter: int = 2000, ax: Axes | None = None) -> Drawn:
    r"""Basins of attraction: which minimum gradient descent reaches from each start.

    Every point of a ``resolution`` × ``resolution`` grid in ``bounds`` starts
    one run (all at once, with :func:`symgd.descend_many`); the point is
    coloured by the minimum its run converged to, and left white where the
    run diverged or did not converge. The minima come from
    :func:`symgd.stationary_points`. ``lr`` defaults to half the smallest
    local bound 2/λmax at the minima.

    ``Drawn.z`` holds the basin index per grid point (-1: none),
    ``Drawn.minimum`` the minima (one per row), ``Drawn.x``/``y`` the grid.

    >>> d = plot_basins("(x^2 - 1)^2 + y^2", bounds=(-2, 2), resolution=20)
    >>> d.minimum.tolist(), sorted(set(d.z.ravel().tolist()))
    ([[-1.0, 0.0], [1.0, 0.0]], [0, 1])
    >>> d.close()
    """
    obj = _two_variables(objective, "a basins plot")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 2 <= resolution <= 400:
        raise InputError(f"resolution must be an integer from 2 to 400, got {resolution!r}")
    box = _interval(bounds if bounds is not None else (-5, 5), "bounds")
    minima = np.array([list(p.point.values()) for p in stationary_points(obj, box)
                       if p.kind == "minimum"]).reshape(-1, 2)
    if lr is None:
        safe = local_bounds(obj, minima) if len(minima) else np.array([])
        safe = safe[np.isfinite(safe)]
        lr = 0.5 * float(safe.min()) if safe.size else 0.01
    xs = np.linspace(box[0], box[1], resolution)
    X, Y = np.meshgrid(xs, xs, indexing="xy")
    starts = np.column_stack([X.ravel(), Y.ravel()])
    batch = descend_many(obj, starts, lr=lr, step=step, max_iter=max_iter, tol=1e-8)
    basin = np.full(len(starts), -1)
    if len(minima):
        dist = np.linalg.norm(batch.x[:, None, :] - minima[None, :, :], axis=2)
        near = dist.min(axis=1) <= 1e-3 * max(1.0, float(np.abs(minima).max()))
        basin = np.where(batch.success & near, dist.argmin(axis=1), -1)
    basin = basin.reshape(X.shape)
    fig, ax = _axes(ax)
    colors = _pyplot().get_cmap("tab10")
    image = np.ones(basin.shape + (4,))
    for k in range(len(minima)):
        image[basin == k] = colors(k % 10)
    image[..., 3] = np.where(basin >= 0, 0.75, 1.0)
    ax.imshow(image, origin="lower", extent=(box[0], box[1], box[0], box[1]),
              interpolation="nearest", aspect="equal")
    for k, m in enumerate(minima):
        ax.plot(*m, "X", ms=11, color=colors(k % 10), mec="black",
                label=f"minimum ({m[0]:.3g}, {m[1]:.3g})")
    if (basin < 0).any():
        ax.plot([], [], "s", color="white", mec="grey", label="no minimum reached")
    _label_axes(ax, obj)
    ax.set_title(f"Basins of attraction of {_title(obj)}\n{step} steps, lr = {lr:.3g}")
    _legend(ax, loc="upper right", fontsize="x-small")
    return Drawn(fig, ax, "basins", x=xs, y=xs, z=basin, minimum=minima,
                 bounds=(box, box), lr=float(lr))


def plot_lr_sweep(objective: Objective | str | sp.Expr,
                  start: Sequence[float] | Mapping[str, float] | float,
                  lrs: Sequence[float] | None = None, *, max_iter: int = 200,
                  ax: Axes | None = None) -> Drawn:
    r"""The loss after ``max_iter`` fixed steps against the learning rate.

    All rates run at once (:func:`symgd.descend_many`). The exact divergence
    bound :math:`2/\lambda_{max}` (global for a quadratic, at the start
    otherwise) and the fastest fixed step are drawn as vertical lines;
    diverged runs are marked at the top. ``lrs`` defaults to 60 rates from
    1/100 of the bound to 1.5 times it.

    ``Drawn.x`` holds the rates, ``Drawn.y`` the final losses (nan where a
    run diverged), ``Drawn.curves["2/λmax"]`` the bound line.

    >>> d = plot_lr_sweep("x^2 + x*y + y^2", [1, -0.5])
    >>> bool(np.all(np.isnan(d.y[d.x > 2/3]))), bool(np.all(np.isfinite(d.y[d.x < 0.6])))
    (True, True)
    >>> d.close()
    """
    obj = as_objective(objective)
    x0 = obj.point(start, "start")
    try:
        bound = step_size_bound(obj, at=x0)
    except Exception:    # the bound is drawn as a guide; a failure must not stop the figure
        bound = None
    limit = bound.bound if bound is not None and np.isfinite(bound.bound) else None
    if lrs is None:
        high = limit if limit is not None else 1.0
        rates = np.geomspace(high / 100, 1.5 * high, 60)
    else:
        rates = np.asarray(lrs, dtype=float).ravel()
        if rates.size < 2 or not (np.isfinite(rates).all() and (rates > 0).all()):
            raise InputError("lrs must be two or more positive finite learning rates")
    batch = descend_many(obj, x0, lr=rates, max_iter=max_iter, tol=1e-12)
    final = np.where(batch.status == int(Status.DIVERGED), np.nan, batch.fun)
    final = np.where(np.isfinite(final), final, np.nan)
    fig, ax = _axes(ax)
    shown = final - np.nanmin(final) if np.nanmin(final) <= 0 else final
    floor = np.nanmin(shown[shown > 0]) if (shown > 0).any() else 1.0
    ax.plot(rates, np.maximum(shown, floor), ".-", color="#0969da",
            label=f"loss after {max_iter} steps")
    top = np.nanmax(shown) if np.isfinite(shown).any() else 1.0
    diverged = np.isnan(final)
    if diverged.any():
        ax.plot(rates[diverged], np.full(diverged.sum(), top), "x", color="#cf222e",
                label="diverged")
    curves = {}
    if limit is not None:
        ax.axvline(limit, color="#cf222e", ls="--",
                   label=f"$2/\\lambda_{{max}}$ = {bound.bound_text()}")
        curves["2/λmax"] = np.array([[limit, limit], [floor, top]])
    if bound is not None and bound.best is not None:
        ax.axvline(bound.best, color="#1a7f37", ls=":",
                   label=f"fastest step {bound.best_text()}")
        curves["best"] = np.array([[bound.best, bound.best], [floor, top]])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"learning rate $\gamma$")
    ax.set_ylabel("final loss" + (" − min" if shown is not final else ""))
    ax.set_title(f"{_title(obj)}: the loss after {max_iter} steps")
    _legend(ax, fontsize="x-small")
    return Drawn(fig, ax, "lr_sweep", x=rates, y=final, curves=curves,
                 bounds=(float(rates[0]), float(rates[-1])), start=x0)


def save(figure: Figure | Drawn, path: str | os.PathLike, *, dpi: int = 120) -> pathlib.Path:
    """Write a figure to a PNG, SVG or PDF file, chosen by the extension.

    Parameters
    ----------
    figure : matplotlib Figure or Drawn
    path : str or path-like
        Ends in ``.png``, ``.svg`` or ``.pdf``; its folder must exist.
    dpi : int
        Resolution of a PNG (and of images inside the others).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        For another extension, or a folder that does not exist.

    Examples
    --------
    >>> import tempfile
    >>> d = plot_slice("x^2", "x")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save(d, pathlib.Path(tmp) / "slice.svg")
    ...     out.name, out.stat().st_size > 0
    ('slice.svg', True)
    >>> d.close()
    """
    fig = figure.figure if isinstance(figure, Drawn) else figure
    if not hasattr(fig, "savefig"):
        raise InputTypeError(f"save needs a matplotlib Figure or a Drawn, got "
                             f"{type(figure).__name__}")
    target = pathlib.Path(path)
    kind = target.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise InputError(f"cannot save a figure as {target.name!r}: the file name must end "
                         f"in .png, .svg or .pdf")
    if not target.parent.is_dir():
        raise InputError(f"cannot save {target.name!r}: the folder {str(target.parent)!r} "
                         "does not exist; create it first")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not dpi > 0:
        raise InputError(f"dpi must be a positive number, got {dpi!r}")
    fig.savefig(target, format=kind, dpi=dpi, bbox_inches="tight")
    return target


# ------------------------------------------------------------------ helpers

def _pyplot() -> Any:
    """matplotlib.pyplot, switching a GUI backend to Agg when there is no display."""
    import matplotlib
    if _headless() and _is_gui(matplotlib.get_backend()):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _headless() -> bool:
    if sys.platform.startswith(("win", "darwin")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _is_gui(backend: str) -> bool:
    name = backend.lower()
    return not name.startswith("module://") and name.startswith(_GUI_BACKENDS)


def _axes(ax: Axes | None, projection: str | None = None,
          figsize: tuple[float, float] = (6.4, 4.8)) -> tuple[Figure, Axes]:
    if ax is None:
        fig = _pyplot().figure(figsize=figsize, layout="constrained")
        return fig, fig.add_subplot(projection=projection)
    if not hasattr(ax, "plot") or not hasattr(ax, "figure"):
        raise InputTypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if projection == "3d" and getattr(ax, "name", "") != "3d":
        raise InputError("a surface needs 3-D axes: make them with "
                         "fig.add_subplot(projection='3d')")
    return ax.figure, ax


def _as_history(result: object) -> History:
    if isinstance(result, Result):
        return result.history
    if isinstance(result, History):
        return result
    raise InputTypeError(f"expected a Result of symgd.descend or its History, got "
                         f"{type(result).__name__}")


def _path_of(obj: Objective, result: object, needed: bool = False) -> History | None:
    if result is None:
        if needed:
            raise InputError("this figure needs a result of symgd.descend")
        return None
    hist = _as_history(result)
    if hist.names != obj.names:
        raise InputError(f"the result is a run over the variables {hist.names}, but the "
                         f"objective's variables are {obj.names}")
    if len(hist) == 0:
        raise InputError("the result's history is empty")
    return hist


def _landscape(objective: object, what: str, result: Any, minimum: Any, bounds: Any,
               resolution: int) -> tuple:
    """What a contour and a surface plot share: the objective, the path, the
    marked minimum, the box around them and the grid of values on it."""
    obj = _two_variables(objective, what)
    hist = _path_of(obj, result)
    marked = _marked_minimum(obj, result, minimum)
    box = _box(bounds, hist, marked)
    return obj, hist, marked, box, _grid(obj, box, resolution)


def _two_variables(objective: object, what: str) -> Objective:
    obj = as_objective(objective)
    if obj.n != 2:
        hint = "; use plot_slice for one variable at a time" if obj.n else ""
        raise ObjectiveError(f"{what} needs an objective of exactly 2 variables; "
                             f"{obj.label} has {obj.n} ({', '.join(obj.names)}){hint}")
    return obj


def _quadratic_minimum(obj: Objective) -> np.ndarray | None:
    """The minimum of a quadratic with a positive definite Hessian, else None."""
    if not obj.is_quadratic:
        return None
    H = obj.hess(np.zeros(obj.n))
    eig = np.linalg.eigvalsh((H + H.T) / 2)
    if not np.isfinite(eig).all() or eig[0] <= 1e-12 * max(abs(eig[-1]), 1.0):
        return None
    if isinstance(obj, DataObjective):
        return obj.least_squares()
    exact = _exact_stationary_point(obj)
    if exact is not None:
        return exact
    return np.linalg.solve(H, -obj.grad(np.zeros(obj.n)))    # one Newton step from 0


def _exact_stationary_point(obj: Objective) -> np.ndarray | None:
    """Solve grad f = 0 symbolically (a linear system for a quadratic)."""
    try:
        solutions = sp.linsolve(list(obj._gradient), list(obj._real))
    except (ValueError, TypeError, NotImplementedError, sp.PolynomialError):
        return None
    for solution in solutions:
        if not any(v.free_symbols for v in solution):
            return np.array([float(v) for v in solution])
    return None


def _marked_minimum(obj: Objective, result: object, minimum: object) -> np.ndarray | None:
    if minimum is not None:
        return obj.point(minimum, "minimum")
    best = _quadratic_minimum(obj)
    if best is not None:
        return best
    if isinstance(result, Result) and result.success and np.isfinite(result.x).all():
        return np.asarray(result.x, dtype=float).copy()
    return None


def _box(bounds: object, hist: History | None, marked: np.ndarray | None) -> tuple:
    if bounds is not None:
        try:
            xb, yb = bounds  # type: ignore[misc]
        except (TypeError, ValueError):
            raise InputError(f"bounds must be ((x0, x1), (y0, y1)), got {bounds!r}") from None
        return (_interval(xb, "bounds[0]"), _interval(yb, "bounds[1]"))
    return _default_box(hist.x if hist is not None else np.empty((0, 2)), marked)


def _default_box(points: np.ndarray, centre: np.ndarray | None) -> tuple:
    """A box around the points near the centre, the centre and the start's mirror
    image through it, with a margin; widened to 4:3 when the ranges are
    comparable (then drawn with equal scales)."""
    pts = points[np.isfinite(points).all(axis=1)]
    if centre is not None and len(pts):
        dist = np.hypot(*(pts - centre).T)
        if dist[0] > 0:
            pts = pts[dist <= _KEEP_RADIUS * dist[0]]
    if centre is not None:
        mirror = 2 * centre - pts[0] if len(pts) else centre
        pts = np.vstack([pts, centre, mirror])
    if not len(pts):
        return ((-2.0, 2.0), (-2.0, 2.0))
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    width = hi - lo
    spread = width.max()
    for k in range(2):
        if not width[k] > 1e-9 * max(1.0, abs(lo[k])):
            half = 0.5 * spread if spread > 0 else max(1.0, abs(lo[k]))
            lo[k], hi[k], width[k] = lo[k] - half, hi[k] + half, 2 * half
    lo, hi = lo - 0.12 * width, hi + 0.12 * width
    width = hi - lo
    ratio = width[0] / width[1]
    if 1 / 2.5 <= ratio <= 2.5:
        k = 0 if ratio < 4 / 3 else 1                     # widen the short side
        extra = (width[1] * 4 / 3 - width[0]) if k == 0 else (width[0] * 3 / 4 - width[1])
        lo[k], hi[k] = lo[k] - extra / 2, hi[k] + extra / 2
    return tuple((float(a), float(b)) for a, b in zip(lo, hi))


def _interval(value: object, what: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise InputError(f"{what} must be two numbers (low, high), got {value!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise InputError(f"{what} must be finite with low < high, got ({low:g}, {high:g})")
    return (low, high)


def _finite(value: object, what: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputTypeError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise InputError(f"{what} must be finite, got {number}")
    return number


def _grid(obj: Objective, box: tuple,
          resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or not 5 <= resolution <= 1000:
        raise InputError(f"resolution must be an integer from 5 to 1000, got {resolution!r}")
    X, Y = np.meshgrid(np.linspace(*box[0], resolution), np.linspace(*box[1], resolution))
    Z = _values(obj, np.column_stack([X.ravel(), Y.ravel()])).reshape(X.shape)
    return X, Y, Z


def _values(obj: Objective, points: np.ndarray) -> np.ndarray:
    """The objective at each row of ``points``: vectorized where it can be."""
    points = np.asarray(points, dtype=float)
    if isinstance(obj.compiled, Compiled):
        return obj.compiled.at_array([points[:, j] for j in range(obj.n)])[0]
    return np.array([obj.compiled.at(p)[0] for p in points], dtype=float)


def _gradients(obj: Objective, points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=float)
    if isinstance(obj.compiled, Compiled):
        out = obj.compiled.at_array([points[:, j] for j in range(obj.n)])
        return np.column_stack(out[1:])
    return np.array([obj.compiled.at(p)[1:] for p in points], dtype=float)


def _label_axes(ax: Axes, obj: Objective) -> None:
    ax.set_xlabel(_math(sp.latex(obj.variables[0])))
    ax.set_ylabel(_math(sp.latex(obj.variables[1])))


def _aspect(ax: Axes, box: tuple) -> None:
    """Equal scales when the two ranges are comparable: the true geometry,
    where -grad f is perpendicular to the contour lines."""
    ratio = (box[0][1] - box[0][0]) / (box[1][1] - box[1][0])
    if 1 / 2.5 <= ratio <= 2.5:
        ax.set_aspect("equal", adjustable="box")


def _legend(ax: Axes, loc: str = "best", fontsize: str = "small") -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc=loc, fontsize=fontsize, framealpha=0.9)


def _latex(name: str) -> str:
    return sp.latex(sp.Symbol(name))


def _name_latex(obj: Objective) -> str:
    return _latex(obj.label)


def _expr_latex(expr: sp.Expr) -> str:
    """LaTeX of an expression; a thin space between factors when a name has
    several letters (mathtext would run ``w weight`` together)."""
    long_names = any(len(s.name) > 1 for s in expr.free_symbols if isinstance(s, sp.Symbol))
    return sp.latex(expr, mul_symbol=r"\," if long_names else None)


def _title(obj: Objective) -> str:
    r"""The objective as a title: ``f(x, y) = ...``; a data loss as
    :math:`L(w, b) = \frac{1}{M}\sum_{i=1}^{M} \ell_i`."""
    args = ", ".join(sp.latex(v) for v in obj.variables)
    head = f"{_name_latex(obj)}({args})"
    if isinstance(obj, DataObjective):
        rows = {s: sp.Symbol(f"{s.name}_i") for s in obj._data_symbols}
        mean = r"\frac{1}{M}" if obj.reduce == "mean" else ""
        body = f"{mean}\\sum_{{i=1}}^{{M}} {_expr_latex(obj._display.xreplace(rows))}"
        return _math(f"{head} = {body}", head) + f" over $M = {obj.rows}$ rows"
    return _math(f"{head} = {_expr_latex(obj.expr)}", str(obj))


def _math(latex: str, fallback: str | None = None) -> str:
    """``$latex$`` when matplotlib's mathtext can draw it, else ``fallback``."""
    text = f"${latex}$"
    if _mathtext_ok(text):
        return text
    return fallback if fallback is not None else latex


_MATHTEXT_CACHE: dict[str, bool] = {}


def _mathtext_ok(text: str) -> bool:
    if text not in _MATHTEXT_CACHE:
        from matplotlib.mathtext import MathTextParser
        try:
            MathTextParser("path").parse(text)
            _MATHTEXT_CACHE[text] = True
        except ValueError:
            _MATHTEXT_CACHE[text] = False
    return _MATHTEXT_CACHE[text]
