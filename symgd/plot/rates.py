r"""Figures of the learning rate: the same descent with a too small, a good
and a too big rate side by side, and the loss after a fixed number of steps
against the rate, with the exact bound :math:`2/\lambda_{max}` marked.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import sympy as sp

from .._text import point
from ..analysis import minimum_of, step_size_bound
from ..descent import Result, Status, descend, descend_many
from ..errors import InputError, InputTypeError
from ..objective.core import Objective, as_objective
from .common import (OUTCOME_COLORS, Drawn, add_legend, new_axes, outcome_of, outcome_text,
                     pyplot, title_of, values_at)
from .contour import default_box, plot_contour
from .curves import plot_loss

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_learning_rates", "plot_lr_sweep"]


# ------------------------------------------------------------------ side by side

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
        would oscillate across its valley at the fastest step), and bound / 4
        where all eigenvalues are about equal (the fastest step would land on
        the minimum in one step, which shows nothing of descent); too big =
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
    levels = _common_levels(obj, box) if box is not None else None
    panels = []
    for ax, lr, name, res in zip(panel_axes, rates, names, runs):
        panels.append(_lr_panel(obj, ax, lr, name, res, box, levels))
        if panels[1:] and ax.get_legend() is not None:
            ax.get_legend().remove()          # one legend, in the first panel
    if axes is None:
        fig.suptitle(_lr_suptitle(obj, x0))
    return Drawn(fig, panel_axes[0], "learning_rates", panels=tuple(panels),
                 subject=obj.label, names=obj.names)


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
    # The fastest step is "good" unless it is exact: with all eigenvalues
    # equal (one variable, a round bowl) it lands on the minimum in one step,
    # which teaches nothing about descent; then a quarter of the bound, which
    # halves the error each step.
    isotropic = bound.lambda_min >= 0.9 * bound.lambda_max
    if isotropic:
        good = bound.bound / 4
    elif bound.best is not None and bound.best <= 0.9 * bound.bound:
        good = bound.best
    else:                       # badly conditioned: the fastest step would zigzag
        good = bound.bound / 2
    return ([bound.bound / 50, good, 1.1 * bound.bound],
            ["too small", "good", "too big"])


def _panel_axes(axes: Sequence[Axes] | None, k: int) -> tuple[Figure, list[Axes]]:
    if axes is None:
        fig, grid = pyplot().subplots(1, k, figsize=(4.6 * k, 4.6), squeeze=False,
                                       layout="constrained")
        return fig, list(grid[0])
    flat = list(np.asarray(axes, dtype=object).ravel())
    if len(flat) != k:
        raise InputError(f"axes must hold one Axes per learning rate ({k}), got {len(flat)}")
    return flat[0].figure, flat


def _common_box(obj: Objective, runs: Sequence[Result]) -> tuple:
    calm = [r for r in runs
            if r.status not in (Status.DIVERGED, Status.NOT_FINITE, Status.UNBOUNDED)]
    chosen = calm or list(runs)
    marked = minimum_of(obj)
    paths = np.vstack([r.history.x for r in chosen])
    if marked is None:
        ends = [r.x for r in chosen if r.success]
        marked = ends[0] if ends else None
    return default_box(paths, marked)


def _common_levels(obj: Objective, box: tuple, count: int = 20) -> np.ndarray | None:
    """One set of contour levels for every panel, so one colour means one
    value across them (squares, as in plot_contour: a bowl's lines come out
    evenly spaced)."""
    X, Y = np.meshgrid(np.linspace(*box[0], 60), np.linspace(*box[1], 60))
    Z = values_at(obj, np.column_stack([X.ravel(), Y.ravel()]))
    finite = Z[np.isfinite(Z)]
    if finite.size == 0 or not finite.max() > finite.min():
        return None
    low, high = float(finite.min()), float(finite.max())
    return low + (high - low) * np.linspace(0, 1, count + 1) ** 2


def _lr_panel(obj: Objective, ax: Axes, lr: float, name: str, res: Result,
              box: tuple | None, levels: np.ndarray | None = None) -> Drawn:
    if obj.n == 2:
        drawn = plot_contour(obj, res, ax=ax, bounds=box, arrows=False, colorbar=False,
                             label="descent path",
                             **({"levels": levels} if levels is not None else {}))
    else:
        positive = res.history.loss[np.isfinite(res.history.loss)]
        drawn = plot_loss(res, ax=ax, log=bool(positive.size and positive.min() > 0),
                          name=obj.label)
    outcome = outcome_of(res)
    head = f"{name}: " if name else ""
    ax.set_title(f"{head}$\\gamma = {rate_latex(lr)}$\n{outcome_text(res)}",
                 color=OUTCOME_COLORS[outcome])
    return Drawn(drawn.figure, ax, drawn.kind, x=drawn.x, y=drawn.y, start=drawn.start,
                 end=drawn.end, minimum=drawn.minimum, bounds=drawn.bounds,
                 offset=drawn.offset, lr=lr, outcome=outcome, result=res,
                 subject=drawn.subject, names=drawn.names)


def rate_latex(lr: float) -> str:
    """A learning rate in LaTeX: ``0.05``, or ``9.14 \\times 10^{-5}``."""
    if 1e-3 <= abs(lr) < 1e4:
        return f"{lr:.3g}"
    mantissa, exponent = f"{lr:.2e}".split("e")
    return f"{float(mantissa):.3g} \\times 10^{{{int(exponent)}}}"


def _lr_suptitle(obj: Objective, x0: np.ndarray) -> str:
    try:
        bound = step_size_bound(obj, at=x0)
        limit = rf", $2/\lambda_{{max}} = {bound.bound:.3g}$"
    except Exception:    # the bound is a caption; a failure must not stop the figure
        limit = ""
    return title_of(obj) + f" from {point(obj.names, x0)}{limit}"


# ------------------------------------------------------------------ sweep

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
    gone = np.isin(batch.status, [int(Status.DIVERGED), int(Status.UNBOUNDED)])
    final = np.where(gone, np.nan, batch.fun)
    final = np.where(np.isfinite(final), final, np.nan)
    fig, ax = new_axes(ax)
    shown = final - np.nanmin(final) if np.nanmin(final) <= 0 else final
    floor = np.nanmin(shown[shown > 0]) if (shown > 0).any() else 1.0
    ax.plot(rates, np.maximum(shown, floor), ".-", color="#0969da",
            label=f"loss after {max_iter} steps")
    top = np.nanmax(shown) if np.isfinite(shown).any() else 1.0
    diverged = np.isnan(final)
    if diverged.any():
        # above every finite loss, at the top of the axes: a diverged run has no
        # final loss to draw
        from matplotlib.transforms import blended_transform_factory
        strip = blended_transform_factory(ax.transData, ax.transAxes)
        ax.plot(rates[diverged], np.full(diverged.sum(), 0.96), "^", color="#cf222e",
                transform=strip, clip_on=False, label="diverged (loss → ∞)")
        ax.axvspan(rates[diverged].min(), rates[-1], color="#cf222e", alpha=0.07, lw=0)
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
    ax.set_title(f"{title_of(obj)}: the loss after {max_iter} steps")
    add_legend(ax)
    return Drawn(fig, ax, "lr_sweep", x=rates, y=final, curves=curves,
                 bounds=(float(rates[0]), float(rates[-1])), start=x0,
                 subject=obj.label, names=obj.names)
