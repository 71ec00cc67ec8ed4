r"""Curves of one variable: the loss against the iteration, and a slice of
the objective along one variable with its tangent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import sympy as sp

from ..analysis import minimum_along, minimum_of
from ..descent import History, Result
from ..errors import InputError
from ..objective.core import Objective, as_objective
from ..objective.points import keyed_by_name
from .common import (COLORS, MAX_MARKERS, Drawn, add_legend, as_history, finite_number,
                     interval, latex_name, mathtext, name_latex, new_axes, outcome_text,
                     values_at)
from .runs import (PATH_GID, RUN_COLORS, check_labels, is_many, paths_on, run_color,
                   run_label, runs_of)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_loss", "plot_slice"]


def plot_loss(result: Result | History | Sequence[Result | History], ax: Axes | None = None,
              log: bool = False, *, name: str | None = None, label: str | None = None,
              labels: Sequence[str] | None = None) -> Drawn:
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
    labels : list of str, optional
        Several runs (a list, a Batch or a race): their legend entries
        (default: each run's step rule and learning rate). Each run has its
        own colour; called again on the same ``ax``, a run is added in the
        next colour.

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
    if is_many(result):
        return _plot_losses(runs_of(result), ax, log, name, labels)
    hist = as_history(result)
    loss, offset = _plotted_loss(hist, log)
    fig, ax = new_axes(ax)
    index = paths_on(ax)
    if index and label is None:
        label = run_label(result, index)
    iterations = hist.iteration.astype(float)
    marker = "o" if len(loss) <= MAX_MARKERS else None
    ax.plot(iterations, loss, color=run_color(index), lw=2, marker=marker, ms=4, label=label,
            gid=PATH_GID)
    _loss_axes(ax, log, name, hist.names, offset)
    ax.set_title("Loss curve" + (f": {outcome_text(result)}"
                                 if isinstance(result, Result) and not index else ""))
    if label is not None:
        add_legend(ax)
    return Drawn(fig, ax, "loss", x=iterations, y=loss, offset=offset,
                 result=result if isinstance(result, Result) else None,
                 subject=name or "f", names=hist.names)


def _plotted_loss(hist: History, log: bool) -> tuple[np.ndarray, float]:
    """The losses to draw (nan where not drawn) and the offset subtracted."""
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
    return loss, offset


def _loss_axes(ax: Axes, log: bool, name: str | None, names: Sequence[str],
               offset: float) -> None:
    from matplotlib.ticker import MaxNLocator
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("iteration $t$")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(_loss_label(name, names, offset))
    ax.grid(True, which="major", alpha=0.3)


def _plot_losses(runs: Sequence[Result | History], ax: Axes | None, log: bool,
                 name: str | None, labels: Sequence[str] | None) -> Drawn:
    """Several loss curves on one axes, one colour and legend entry each; on a
    log scale with losses <= 0 they share one offset (the lowest of all)."""
    labels = check_labels(labels, len(runs))
    hists = [as_history(run) for run in runs]
    offset = 0.0
    if log:
        lows = [np.nanmin(np.where(np.isfinite(h.loss), h.loss, np.nan))
                for h in hists if np.isfinite(h.loss).any()]
        if lows and min(lows) <= 0:
            offset = float(min(lows))
    fig, ax = new_axes(ax)
    before = paths_on(ax)
    curves: dict[str, np.ndarray] = {}
    for k, (run, hist) in enumerate(zip(runs, hists)):
        loss = np.where(np.isfinite(hist.loss), hist.loss - offset, np.nan)
        if log:
            loss[~(loss > 0)] = np.nan
        text = run_label(run, k, labels)
        if not np.isfinite(loss).any():
            text += " (no finite loss)"
        iterations = hist.iteration.astype(float)
        marker = "o" if len(loss) <= MAX_MARKERS else None
        ax.plot(iterations, loss, color=run_color(before + k), lw=2, marker=marker, ms=4,
                label=text, gid=PATH_GID)
        curves[text] = np.vstack([iterations, loss])
    _loss_axes(ax, log, name, hists[0].names, offset)
    ax.set_title("Loss curves")
    add_legend(ax)
    first = next(iter(curves.values()))
    return Drawn(fig, ax, "loss", x=first[0], y=first[1], offset=offset, curves=curves,
                 subject=name or "f", names=hists[0].names)


def _loss_label(name: str | None, names: Sequence[str], offset: float) -> str:
    args = ", ".join(latex_name(n) for n in names)
    f = f"{latex_name(name)}({args})" if name else f"f({args})"
    if offset:
        return f"loss − lowest: ${f} - ({offset:.6g})$"
    return f"loss ${f}$"


def plot_slice(objective: Objective | str | sp.Expr, var: str | sp.Symbol,
               at: Sequence[float] | Mapping[str, float] | None = None,
               ax: Axes | None = None, bounds: Sequence[float] | None = None,
               tangent_at: float | None = None,
               result: Result | History | Sequence[Result | History] | None = None,
               labels: Sequence[str] | None = None) -> Drawn:
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
    result : Result, History, or a list, Batch or race of them, optional
        For an objective of one variable: runs whose steps are drawn on the
        curve, each iterate at :math:`(x_t, f(x_t))` (the calculus picture of
        descent), each run in its own colour; the default range covers them.
    labels : list of str, optional
        Several runs: their legend entries (default: step rule and γ).

    Returns
    -------
    Drawn
        ``x``, ``y``: the curve; ``minimum``: ``(t, f(t))`` of the slice;
        ``start``, ``end``: the run's first and last iterate;
        ``slope``: the derivative at ``tangent_at`` (None without one);
        ``curves["tangent"]``: the tangent segment; ``curves["steps"]`` the
        run's ``(x_t, f(x_t))`` (several runs: one entry per run, by its
        legend label).

    Examples
    --------
    >>> d = plot_slice("x^2 + x*y + y^2", "x", at={"y": 1}, tangent_at=1)
    >>> d.slope, d.minimum.tolist(), d.xlabel
    (3.0, [-0.5, 0.75], '$x$')
    >>> d.close()

    Several runs on the curve, one colour each:

    >>> import symgd
    >>> runs = [symgd.descend("x^4 - 3x^2 + x", 2, lr=lr, max_iter=50) for lr in (0.01, 0.05)]
    >>> d = plot_slice("x^4 - 3x^2 + x", "x", result=runs)
    >>> sorted(d.curves)
    ['fixed, $\\gamma = 0.01$', 'fixed, $\\gamma = 0.05$']
    >>> d.close()
    """
    obj = as_objective(objective)
    i = obj.index(var)
    base = _slice_base(obj, at)
    t0 = finite_number(tangent_at, "tangent_at") if tangent_at is not None else None
    many = is_many(result)
    runs = runs_of(result)
    if labels is not None and not many:
        raise InputError("labels names several runs; give result a list of runs")
    labels = check_labels(labels, len(runs)) if many else None
    hists = [_slice_run(obj, run) for run in runs]
    hist = hists[0] if hists else None
    if hists and bounds is None:
        spans = [_run_span(h) for h in hists]
        bounds = (min(a for a, _ in spans), max(b for _, b in spans))
    low = _slice_minimum(obj, i, base, bounds, t0)
    box = interval(bounds, "bounds") if bounds is not None else _slice_box(low, t0, base[i])
    ts = np.linspace(box[0], box[1], 400)
    values = values_at(obj, _along(base, i, ts))
    fig, ax = new_axes(ax)
    sym = obj.variables[i]
    ax.plot(ts, values, color=COLORS["curve"], lw=2, label=mathtext(_slice_name(obj, i)))
    marked = None
    if low is not None:
        marked = np.array([low, obj.value(_along(base, i, [low])[0])])
        ax.plot([marked[0]], [marked[1]], "X", color=COLORS["minimum"], mec="black", ms=13,
                zorder=5, label=f"minimum at ${sp.latex(sym)} = {low:.4g}$")
    slope, curves = None, {}
    if t0 is not None:
        slope, curves["tangent"] = _draw_tangent(ax, obj, i, base, t0, box)
    start = end = None
    if hist is not None and not many:
        curves["steps"] = _draw_steps(ax, hist)
    for k, h in enumerate(hists if many else []):
        text = run_label(runs[k], k, labels)
        curves[text] = _draw_steps(ax, h, _slice_color(k), text)
    if hist is not None:
        start, end = hist.x[0].copy(), hist.x[-1].copy()
    ax.set_xlim(box)
    ax.set_xlabel(mathtext(sp.latex(sym)))
    ax.set_ylabel(mathtext(_slice_name(obj, i)))
    ax.set_title(_slice_title(obj, i, base))
    ax.grid(True, alpha=0.3)
    add_legend(ax)
    return Drawn(fig, ax, "slice", x=ts, y=values, minimum=marked, slope=slope,
                 curves=curves, bounds=box, start=start, end=end,
                 result=result if isinstance(result, Result) else None,
                 subject=obj.label, names=(obj.names[i],))


def _slice_run(obj: Objective, result: object) -> History | None:
    if result is None:
        return None
    if obj.n != 1:
        raise InputError(f"plot_slice draws a run's steps only for an objective of one "
                         f"variable; {obj.label} has {obj.n}: draw its path with "
                         f"plot_contour (two variables) or plot_loss")
    hist = as_history(result)
    if hist.names != obj.names:
        raise InputError(f"the result is a run over {hist.names}, not over {obj.names}")
    return hist


def _run_span(hist: History) -> tuple[float, float]:
    xs = hist.x[:, 0][np.isfinite(hist.x[:, 0])]
    if not xs.size:
        return (-1.0, 1.0)
    lo, hi = float(xs.min()), float(xs.max())
    pad = 0.15 * (hi - lo) if hi > lo else max(1.0, abs(lo))
    return (lo - pad, hi + pad)


def _slice_color(k: int) -> str:
    """Run ``k``'s colour on a slice: the run palette without the curve's own colour."""
    import matplotlib.colors as mcolors
    colors = [c for c in RUN_COLORS if mcolors.to_hex(c) != mcolors.to_hex(COLORS["curve"])]
    return colors[k % len(colors)]


def _draw_steps(ax: Axes, hist: History, color: str | None = None,
                label: str | None = None) -> np.ndarray:
    """Each iterate on the curve, the start hollow and the end filled. One run
    (no ``label``) has legend entries for its steps, start and end; each of
    several runs has one, its ``label``, with the step count and last t."""
    xs = np.where(np.isfinite(hist.x[:, 0]), hist.x[:, 0], np.nan)
    fs = np.where(np.isfinite(hist.loss), hist.loss, np.nan)
    last = int(hist.iteration[-1])
    one = label is None
    color = color or COLORS["path"]
    ax.plot(xs, fs, "o" if one else "o-", color=color, ms=4, lw=0.8, zorder=4,
            label=f"steps ({len(xs) - 1})" if one else f"{label} ({len(xs) - 1} steps)")
    ax.plot(xs[0], fs[0], "o", mfc="white", mec=color, mew=2, ms=9, zorder=5,
            label="start" if one else None)
    ax.plot(xs[-1], fs[-1], "o", color=color, mec="black", ms=8, zorder=5,
            label=f"end ($t = {last}$)" if one else None)
    return np.vstack([xs, fs])


def _slice_base(obj: Objective, at: object) -> np.ndarray:
    if at is None:
        best = minimum_of(obj)
        return best if best is not None else np.zeros(obj.n)
    if isinstance(at, Mapping):
        at = keyed_by_name(at, "at")
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
    """The lowest point of the slice, searched in ``bounds`` or 5 either side of
    the tangent point (else of the current value)."""
    centre = base[i] if t0 is None else t0
    box = interval(bounds, "bounds") if bounds is not None else (centre - 5, centre + 5)
    return minimum_along(obj, obj.names[i], base, box)


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
            label=fr"tangent: slope $\partial {name_latex(obj)}/\partial {name}"
                  fr" = {slope:.4g}$")
    ax.plot([t0], [f0], "o", color=COLORS["tangent"], mec="black", ms=9, zorder=6)
    return slope, line


def _slice_name(obj: Objective, i: int) -> str:
    return f"{name_latex(obj)}({sp.latex(obj.variables[i])})"


def _slice_title(obj: Objective, i: int, base: np.ndarray) -> str:
    fixed = [f"{sp.latex(v)} = {base[k]:.4g}" for k, v in enumerate(obj.variables) if k != i]
    text = _slice_name(obj, i) + "".join(r",\ " + f for f in fixed)
    return "Loss curve " + mathtext(text, f"{obj.label}({obj.names[i]})")
