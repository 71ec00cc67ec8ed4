r"""Figures of an objective of two variables: contour lines with the descent
path and the downhill direction, the surface in 3-D, and the basins of
attraction of its minima.

The default box is built around the minimum (:func:`symgd.analysis.minimum_of`
for a quadratic bowl), the path and the start's mirror image through the
minimum, so that the whole bowl is seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import sympy as sp

from ..analysis import local_bounds, minimum_of, stationary_points
from ..descent import History, Result, descend_many
from ..errors import InputError, InputTypeError, ObjectiveError, SymgdError
from ..objective.core import Objective
from .common import (CMAP, COLORS, Drawn, add_legend, aspect, gradients_at, interval,
                     label_axes, mark_minimum, marker_rows, mathtext, name_latex, new_axes,
                     path_of, pyplot, title_of, two_variables, values_at)
from .runs import (LEVELS_GID, PATH_GID, check_labels, has_levels, is_many, paths_on,
                   run_color, run_label, runs_of)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_contour", "plot_surface", "plot_basins", "default_box", "box_of_runs"]

_ARROW_GRID = 8            # arrows=True: an 8 x 8 grid of -grad f
_KEEP_RADIUS = 3.0         # default bounds: path points within 3x the start's distance


# ------------------------------------------------------------------ contours

def plot_contour(objective: Objective | str | sp.Expr, result: Result | History | None = None,
                 ax: Axes | None = None,
                 bounds: Sequence[Sequence[float]] | None = None,
                 levels: int | Sequence[float] = 20, arrows: bool | int | str = True,
                 minimum: Sequence[float] | Mapping[str, float] | None = None, *,
                 filled: bool = True, colorbar: bool = True, resolution: int = 60,
                 label: str | None = None, labels: Sequence[str] | None = None) -> Drawn:
    r"""Contour lines of an objective of two variables, with the descent path.

    Parameters
    ----------
    objective : Objective or anything it accepts
        Exactly two variables: the first on the x-axis, the second on the
        y-axis.
    result : Result or History, or a list of them, optional
        A run whose path (``history.x``) is drawn, start and end marked; or
        several runs (a list, a :class:`~symgd.descent.Batch` or
        :func:`symgd.race`), each in its own colour with one legend entry.
        Called again on the same ``ax``, it adds the run in the next colour
        and leaves the contours as they are.
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
    labels : list of str, optional
        Several runs: their legend entries (default: each run's step rule
        and learning rate, e.g. "momentum, γ = 0.01").

    Returns
    -------
    Drawn
        ``x``, ``y``: the (first) path; ``start``, ``end``, ``minimum``,
        ``arrows``, ``bounds``; several runs: ``curves``, each run's path
        by its legend entry, shape ``(2, m)``.

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
    runs, many = runs_of(result), is_many(result)
    labels = check_labels(labels, len(runs)) if many else None
    fig, ax = new_axes(ax)
    before = paths_on(ax)
    if before and bounds is None:          # adding a run: keep the box already drawn
        bounds = (ax.get_xlim(), ax.get_ylim())
    obj, hists, marked, box, (X, Y, Z) = _landscape(objective, "a contour plot", runs,
                                                    minimum, bounds, resolution)
    arrow_data = None
    if not has_levels(ax):
        _draw_levels(ax, X, Y, Z, levels, marked, filled, colorbar, obj,
                     top=max((_rim(Z, h, box) for h in hists), default=np.inf))
        arrow_data = _draw_arrows(ax, obj, arrows, hists[0] if len(hists) == 1 else None,
                                  box)
    paths, curves = [], {}
    for k, hist in enumerate(hists):
        index = before + k
        text = label if not many else run_label(runs[k], k, labels)
        if index and text is None:
            text = run_label(runs[k], index)
        paths.append(_draw_path_2d(ax, hist, text, run_color(index), marks=index == 0,
                                   steps=not many))
        if many or index:
            curves[text] = np.vstack(paths[-1][:2])
    path = paths[0] if paths else _draw_path_2d(ax, None, None)
    for k, hist in enumerate(hists):
        _point_to_end(ax, hist, box, run_color(before + k))
    if not before:
        mark_minimum(ax, marked)
    ax.set_xlim(box[0])
    ax.set_ylim(box[1])
    label_axes(ax, obj)
    ax.set_title(title_of(obj))
    aspect(ax, box)
    add_legend(ax)
    return Drawn(fig, ax, "contour", x=path[0], y=path[1], start=path[2], end=path[3],
                 minimum=marked, arrows=arrow_data, bounds=box, curves=curves,
                 result=result if isinstance(result, Result) else None,
                 subject=obj.label, names=obj.names)


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
        shade = ax.contourf(X, Y, Zm, levels=values, cmap=CMAP, alpha=0.45, zorder=0,
                            extend=extend)
        shade.set_gid(LEVELS_GID)
        if colorbar:
            from matplotlib.ticker import MaxNLocator
            ax.figure.colorbar(shade, ax=ax, label=mathtext(name_latex(obj)),
                               spacing="proportional", ticks=MaxNLocator(6))
    lines = values[values > low] if values.size > 1 else values
    drawn = ax.contour(X, Y, Zm, levels=lines, cmap=CMAP, linewidths=0.9, zorder=1)
    drawn.set_gid(LEVELS_GID)


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


def _draw_path_2d(ax: Axes, hist: History | None, label: str | None,
                  color: str = COLORS["path"], marks: bool = True,
                  steps: bool = True) -> tuple[np.ndarray, np.ndarray, Any, Any]:
    """One run's path; ``marks``: the start and end get legend entries (the
    first run of a figure), the end's with its iteration when ``steps``."""
    if hist is None:
        return np.empty(0), np.empty(0), None, None
    pts = np.where(np.isfinite(hist.x), hist.x, np.nan)
    px, py = pts[:, 0], pts[:, 1]
    text = label or f"descent path ({len(pts) - 1} steps)"
    ax.plot(px, py, "-", color=color, lw=1.6, zorder=3, label=text, gid=PATH_GID)
    shown = marker_rows(len(pts))
    ax.plot(px[shown], py[shown], "o", color=color, ms=3.5, zorder=3)
    ax.plot(px[0], py[0], "o", mfc="white", mec=color, mew=2, ms=9, zorder=5,
            label="start" if marks else None)
    if np.isfinite(pts[-1]).all():
        end = f"end ($t = {int(hist.iteration[-1])}$)" if steps else "end"
        ax.plot(px[-1], py[-1], "o", color=color, mec="black", ms=8, zorder=5,
                label=end if marks else None)
    return px.copy(), py.copy(), hist.x[0].copy(), hist.x[-1].copy()


def _point_to_end(ax: Axes, hist: History, box: tuple, color: str) -> None:
    """An arrow at the frame's edge toward an end point outside the frame
    (a diverging run), labelled with where the run ended."""
    end = hist.x[-1]
    (x0, x1), (y0, y1) = box
    if not np.isfinite(end).all() or (x0 <= end[0] <= x1 and y0 <= end[1] <= y1):
        return
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    half = np.array([(x1 - x0) / 2, (y1 - y0) / 2])
    direction = (end - centre) / half
    tip = centre + half * 0.92 * direction / np.abs(direction).max()
    tail = centre + half * 0.62 * direction / np.abs(direction).max()
    far = max(abs(float(v)) for v in end)
    where = f"{far:.3g}" if far < 1e6 else f"{far:.1e}"
    ax.annotate(f"end ($t = {int(hist.iteration[-1])}$) far outside: |x| ≈ {where}",
                xy=tip, xytext=tail, color=color, fontsize="small", ha="center",
                arrowprops=dict(arrowstyle="-|>", color=color, lw=2), zorder=7,
                bbox=dict(boxstyle="round", fc="white", ec=color, alpha=0.85))


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
        grads, target = gradients_at(obj, points), 0.9 / mode
    keep = np.isfinite(grads).all(axis=1) & np.isfinite(points).all(axis=1)
    points, down = points[keep], -grads[keep]
    if len(points):
        scale = _arrow_scale(down, box, target)
        ax.quiver(points[:, 0], points[:, 1], down[:, 0] * scale, down[:, 1] * scale,
                  angles="xy", scale_units="xy", scale=1, color=COLORS["arrow"],
                  width=0.004, headwidth=4, alpha=0.75, zorder=2,
                  label=r"$-\nabla " + name_latex(obj) + "$ (downhill)")
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
                 clip: bool = False, labels: Sequence[str] | None = None) -> Drawn:
    """The objective of two variables as a 3-D surface, with the descent path on it.

    The path's points are drawn at their loss values (``history.loss``), on
    top of the surface; points outside ``bounds`` are left out of the drawing
    (not of ``Drawn.x``).

    Parameters
    ----------
    objective : Objective or anything it accepts
        Exactly two variables.
    result : Result or History, or a list of them, optional
        One run, or several (each in its own colour, as in :func:`plot_contour`).
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
    labels : list of str, optional
        Several runs: their legend entries.

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
    runs, many = runs_of(result), is_many(result)
    labels = check_labels(labels, len(runs)) if many else None
    obj, hists, marked, box, (X, Y, Z) = _landscape(objective, "a surface plot", runs,
                                                    minimum, bounds, resolution)
    fig, ax = new_axes(ax, projection="3d", figsize=(7.0, 5.6))
    ax.computed_zorder = False
    if clip:
        Z = np.where(Z <= max((_rim(Z, h, box) for h in hists), default=_rim(Z, None, box)),
                     Z, np.nan)
    ax.plot_surface(X, Y, np.ma.masked_invalid(Z), cmap=CMAP, alpha=0.6, linewidth=0,
                    antialiased=True, rcount=resolution, ccount=resolution, zorder=1)
    px = py = pz = np.empty(0)
    start = end = None
    curves = {}
    for k, hist in enumerate(hists):
        text = run_label(runs[k], k, labels) if many else None
        drawn = _draw_path_3d(ax, hist, box, text, run_color(k), marks=k == 0,
                              steps=not many)
        if k == 0:
            px, py, pz = drawn
            start, end = hist.x[0].copy(), hist.x[-1].copy()
        if many:
            curves[text] = np.vstack(drawn)
    point = None
    if marked is not None:
        point = np.array([*marked, obj.value(marked)])
        mark_minimum(ax, marked, z=point[2])
    ax.set_xlim(box[0])
    ax.set_ylim(box[1])
    label_axes(ax, obj)
    ax.set_zlabel(mathtext(name_latex(obj)))
    ax.set_title(title_of(obj))
    if view is not None:
        ax.view_init(elev=view[0], azim=view[1])
    add_legend(ax, loc="upper left")
    return Drawn(fig, ax, "surface", x=px, y=py, z=pz, start=start, end=end,
                 minimum=point, bounds=box, curves=curves,
                 result=result if isinstance(result, Result) else None,
                 subject=obj.label, names=obj.names)


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


def _draw_path_3d(ax: Axes, hist: History, box: tuple, label: str | None = None,
                  color: str = COLORS["path"], marks: bool = True,
                  steps: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pts = np.where(np.isfinite(hist.x), hist.x, np.nan)
    loss = np.where(np.isfinite(hist.loss), hist.loss, np.nan)
    inside = ((pts[:, 0] >= box[0][0]) & (pts[:, 0] <= box[0][1])
              & (pts[:, 1] >= box[1][0]) & (pts[:, 1] <= box[1][1]))
    sx, sy, sz = (np.where(inside, v, np.nan) for v in (pts[:, 0], pts[:, 1], loss))
    ax.plot(sx, sy, sz, "-", color=color, lw=1.8, zorder=10, gid=PATH_GID,
            label=label or f"descent path ({len(pts) - 1} steps)")
    shown = marker_rows(len(pts))
    ax.plot(sx[shown], sy[shown], sz[shown], "o", color=color, ms=3.5, zorder=10)
    ax.plot([sx[0]], [sy[0]], [sz[0]], "o", mfc="white", mec=color, mew=2, ms=9,
            zorder=11, label="start" if marks else None)
    if inside[-1]:
        end = f"end ($t = {int(hist.iteration[-1])}$)" if steps else "end"
        ax.plot([sx[-1]], [sy[-1]], [sz[-1]], "o", color=color, mec="black", ms=8,
                zorder=11, label=end if marks else None)
    return pts[:, 0].copy(), pts[:, 1].copy(), loss.copy()


# ------------------------------------------------------------------ basins

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
    obj = two_variables(objective, "a basins plot")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 2 <= resolution <= 400:
        raise InputError(f"resolution must be an integer from 2 to 400, got {resolution!r}")
    box = interval(bounds if bounds is not None else (-5, 5), "bounds")
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
    fig, ax = new_axes(ax)
    colors = pyplot().get_cmap("tab10")
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
    label_axes(ax, obj)
    ax.set_title(f"Basins of attraction of {title_of(obj)}\n{step} steps, lr = {lr:.3g}")
    add_legend(ax, loc="upper right", fontsize="x-small")
    return Drawn(fig, ax, "basins", x=xs, y=xs, z=basin, minimum=minima,
                 bounds=(box, box), lr=float(lr), subject=obj.label, names=obj.names)


# ------------------------------------------------------------------ the box and the grid

def _landscape(objective: object, what: str, runs: Sequence[Any], minimum: Any, bounds: Any,
               resolution: int) -> tuple:
    """What a contour and a surface plot share: the objective, the paths, the
    marked minimum, the box around them and the grid of values on it."""
    obj = two_variables(objective, what)
    hists = [path_of(obj, run) for run in runs]
    marked = _marked_minimum(obj, runs, minimum)
    box = _box(bounds, hists, marked)
    return obj, hists, marked, box, _grid(obj, box, resolution)


def box_of_runs(objective: object, runs: Sequence[Any]) -> tuple:
    """The default box of a contour plot of these runs (see :func:`plot_contour`)."""
    obj = two_variables(objective, "a contour plot")
    hists = [path_of(obj, run) for run in runs]
    return _box(None, hists, _marked_minimum(obj, runs, None))


def _marked_minimum(obj: Objective, runs: Sequence[Any], minimum: object) -> np.ndarray | None:
    if minimum is not None:
        return obj.point(minimum, "minimum")
    best = minimum_of(obj)
    if best is not None:
        return best
    found = _nearest_minimum(obj, runs)
    if found is not None:
        return found
    for run in runs:
        if isinstance(run, Result) and run.success and np.isfinite(run.x).all():
            return np.asarray(run.x, dtype=float).copy()
    return None


def _nearest_minimum(obj: Objective, runs: Sequence[Any]) -> np.ndarray | None:
    """The local minimum (from :func:`symgd.stationary_points`) nearest the
    end of the first run, for an expression of two variables; None when there
    is none, no run, or the search fails or is refused."""
    ends = [np.asarray(path_of(obj, run).x[-1], dtype=float) for run in runs]
    ends = [e for e in ends if np.isfinite(e).all()]
    if not ends or obj.per_sample is not None:
        return None
    try:
        points = stationary_points(obj)
    except (SymgdError, ValueError, ArithmeticError):
        return None
    minima = [np.array([p.point[n] for n in obj.names], dtype=float)
              for p in points if p.kind == "minimum"]
    if not minima:
        return None
    return min(minima, key=lambda m: float(np.linalg.norm(m - ends[0])))


def _box(bounds: object, hists: Sequence[History], marked: np.ndarray | None) -> tuple:
    if bounds is not None:
        try:
            xb, yb = bounds  # type: ignore[misc]
        except (TypeError, ValueError):
            raise InputError(f"bounds must be ((x0, x1), (y0, y1)), got {bounds!r}") from None
        return (interval(xb, "bounds[0]"), interval(yb, "bounds[1]"))
    if len(hists) <= 1:
        return default_box(hists[0].x if hists else np.empty((0, 2)), marked)
    boxes = np.array([default_box(h.x, marked) for h in hists])     # (runs, 2, 2)
    return tuple((float(boxes[:, k, 0].min()), float(boxes[:, k, 1].max())) for k in range(2))


def default_box(points: np.ndarray, centre: np.ndarray | None) -> tuple:
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


def _grid(obj: Objective, box: tuple,
          resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or not 5 <= resolution <= 1000:
        raise InputError(f"resolution must be an integer from 5 to 1000, got {resolution!r}")
    X, Y = np.meshgrid(np.linspace(*box[0], resolution), np.linspace(*box[1], resolution))
    Z = values_at(obj, np.column_stack([X.ravel(), Y.ravel()])).reshape(X.shape)
    return X, Y, Z
