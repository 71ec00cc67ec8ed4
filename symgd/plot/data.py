"""Figures of a model fitted to data: the data, the model at a few iterations
of training and the residuals, in one panel or one column per snapshot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np
import sympy as sp

from ..descent import History, Result
from ..errors import InputError, InputTypeError, ObjectiveError
from ..expr.registry import numeric_namespace
from ..objective.core import Objective
from .common import COLORS, Drawn, add_legend, latex_name, mathtext, new_axes, path_of, pyplot
from .common import expr_latex
from .curves import plot_loss

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..data.losses import DataObjective

__all__ = ["plot_fit", "plot_snapshots"]


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
        row). By default the first iterates that have covered half and 95 %
        of the loss's whole fall, and the last.
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
    ((1, 19, 2000), '$x$ (Reservations)', (30, 2, 2))
    >>> d.close()
    """
    model, feature = one_feature_model(objective)
    hist = path_of(objective, result, needed=True)
    rows = _snapshot_rows(hist, iterations)
    xdata = objective.data[objective.columns[feature.name]]
    ydata = objective.data[objective.columns[objective.target]]
    fig, ax = new_axes(ax)
    curves, segments = _draw_fit(ax, objective, model, feature, hist, rows, residuals)
    ax.scatter(xdata, ydata, s=36, color=COLORS["data"], edgecolor="white", zorder=5,
               label="data")
    _label_fit(ax, objective, feature, model)
    add_legend(ax)
    return Drawn(fig, ax, "fit", x=xdata.copy(), y=ydata.copy(), curves=curves,
                 segments=segments, iterations=tuple(int(hist.iteration[r]) for r in rows),
                 result=result if isinstance(result, Result) else None,
                 subject=objective.label, names=objective.names)


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
        ys = predict(model, xs, theta)
        ax.plot(xs, ys, color=color, lw=2.2, zorder=3, label=text)
        curves[text] = np.vstack([xs, ys])
    segments = None
    if residuals and rows:
        fitted = predict(model, xdata, hist.x[rows[-1]])
        segments = np.stack([np.column_stack([xdata, ydata]),
                             np.column_stack([xdata, fitted])], axis=1)
        ax.vlines(xdata, ydata, fitted, color=COLORS["data"], lw=1.2, alpha=0.8, zorder=2,
                  label="residuals (last snapshot)" if len(rows) > 1 else "residuals")
    return curves, segments


def _shades(k: int) -> list[Any]:
    plt = pyplot()
    if k == 1:
        return [COLORS["path"]]
    return [plt.get_cmap("Reds")(v) for v in np.linspace(0.35, 0.95, k)]


def _label_fit(ax: Axes, obj: DataObjective, feature: sp.Symbol, model: Any) -> None:
    xcol, ycol = obj.columns[feature.name], obj.columns[obj.target]
    ax.set_xlabel(_column_label(feature.name, xcol))
    ax.set_ylabel(_column_label(obj.target, ycol))
    ax.set_title("Model " + mathtext(f"{latex_name(obj.target)} \\approx {expr_latex(obj.model)}",
                                  f"{obj.target} ≈ {obj.model}"))
    ax.grid(True, alpha=0.3)


def _column_label(symbol: str, column: str) -> str:
    text = mathtext(latex_name(symbol))
    return text if symbol == column else f"{text} ({column})"


def _params_text(obj: Objective, theta: np.ndarray) -> str:
    return "$" + r",\ ".join(f"{sp.latex(v)} = {t:.3g}"
                             for v, t in zip(obj.variables, theta)) + "$"


def one_feature_model(obj: object) -> tuple[Callable[..., Any], sp.Symbol]:
    if getattr(obj, "per_sample", None) is None or obj.model is None:
        raise ObjectiveError(
            f"plot_fit draws a model through data: it needs a data loss of a model, such "
            f"as symgd.mse('w*x + b', data); got {type(obj).__name__}")
    params = set(obj.real_symbols)        # the model is in the real symbols
    features = sorted((s for s in obj.model.free_symbols if s not in params),
                      key=lambda s: s.name)
    if len(features) != 1:
        names = ", ".join(s.name for s in features) or "none"
        raise ObjectiveError(f"plot_fit draws a model of one feature against it; the model "
                             f"{obj.model} has {len(features)} feature columns ({names})")
    feature = features[0]
    fn = sp.lambdify((feature, *obj.real_symbols), obj.model,
                     modules=[numeric_namespace("numpy"), "numpy"])
    return fn, feature


def predict(model: Callable[..., Any], xs: np.ndarray, theta: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        ys = np.asarray(model(xs, *(float(t) for t in theta)), dtype=float)
    return np.broadcast_to(ys, xs.shape).copy()


def _snapshot_rows(hist: History, iterations: Sequence[int] | None) -> list[int]:
    if iterations is None:
        return _informative_rows(hist)
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


def _informative_rows(hist: History) -> list[int]:
    """Snapshots that show training happen: the first iterates that have
    covered half and 95 % of the whole fall of the loss, and the last (the
    start, a zero model far from the data, is left out when it can be)."""
    last = len(hist) - 1
    loss = np.asarray(hist.loss, dtype=float)
    gap = loss - loss[-1]
    if last < 3 or not np.isfinite(gap).all() or not gap[0] > 0:
        rows = [0, last // 2, last]
        return sorted(set(rows), key=rows.index)
    rows = [int(np.argmax(gap <= share * gap[0])) for share in (0.5, 0.05)] + [last]
    rows = [max(r, 1) for r in rows]
    return sorted(set(rows))


# ------------------------------------------------------------------ snapshots

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
    model, feature = one_feature_model(objective)
    hist = path_of(objective, result, needed=True)
    rows = _snapshot_rows(hist, iterations)
    k = len(rows)
    if axes is None:
        fig, grid = pyplot().subplots(2, k, figsize=(4.2 * k, 7.0), squeeze=False,
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
        add_legend(ax, fontsize="x-small")
        panels += [top, Drawn(fig, ax, "fit", x=xdata.copy(), y=ydata.copy(), curves=curves,
                              segments=segments, iterations=(it,),
                              subject=objective.label, names=objective.names)]
    _share_limits([p.axes for p in panels[1::2]])
    return Drawn(fig, panels[0].axes, "snapshots", panels=tuple(panels),
                 iterations=tuple(int(hist.iteration[r]) for r in rows),
                 result=result if isinstance(result, Result) else None,
                 subject=objective.label, names=objective.names)


def _share_limits(axes: Sequence[Any]) -> None:
    """Give fit panels the same y-range, so the snapshots compare at a glance."""
    lows, highs = zip(*(ax.get_ylim() for ax in axes))
    for ax in axes:
        ax.set_ylim(min(lows), max(highs))
