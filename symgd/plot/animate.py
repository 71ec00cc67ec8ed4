r"""Animated descent: balls rolling down the contours, a surface, a curve of
one variable, or a model line moving through the data.

:func:`animate` draws the background once (contours, colour bar, minimum)
and then, frame by frame, only the moving artists: each run's ball and trail
and a read-out of the iteration and losses. On flat axes the animation
blits (only those artists are redrawn), so a frame costs milliseconds.
Save it with ``anim.save("descent.gif")`` (Pillow, no ffmpeg needed) or
show it in a notebook with ``anim.to_jshtml()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..descent import History, Result
from .._options import real
from ..errors import InputError, InputTypeError, ObjectiveError
from ..objective.core import as_objective
from .common import COLORS, MAX_PIXELS, add_legend, as_history, check_dpi, pyplot
from .runs import check_labels, run_color, run_label, runs_of

if TYPE_CHECKING:
    from matplotlib.animation import FuncAnimation

__all__ = ["animate", "KINDS", "MAX_FRAMES"]

KINDS = ("contour", "surface", "slice", "fit")
MAX_FRAMES = 2000          # a bound on the frames of one animation
_DEFAULT_FRAMES = 120


def animate(objective: Any, *results: Any, kind: str | None = None,
            labels: Sequence[str] | None = None, fps: float = 20,
            frames: int | None = None, trail: bool = True,
            dpi: float | None = None, **options: Any) -> FuncAnimation:
    r"""An animation of one or several descents.

    Parameters
    ----------
    objective : Objective or anything it accepts
    *results : Result, History, or a list, Batch or race of them
        The runs; all are animated together, on one shared iteration clock
        (a run that stopped early stays at its end point).
    kind : {"contour", "surface", "slice", "fit"}, optional
        ``contour`` (two variables, the default for them), ``surface`` (the
        3-D surface; it does not blit), ``slice`` (one variable: the curve
        f(x) with the ball on it, the default for one variable) or ``fit``
        (a data loss of a one-feature model: the model line and residuals
        moving through the data, beside the loss curve; the default for
        such losses).
    labels : list of str, optional
        Legend entries (default: each run's step rule and learning rate).
    fps : float
        Frames per second of playback.
    frames : int, optional
        How many frames: by default one per iteration of the longest run, up
        to 120 (longer runs are sampled evenly, last iterate included); at
        most 2000.
    trail : bool
        Draw the path behind each ball.
    dpi : float, optional
        The figure's resolution (its default otherwise).
    **options
        Passed to the background's plot function (``bounds``, ``levels``,
        ``resolution``, ...).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        ``anim.save("x.gif", writer="pillow")``, ``anim.to_jshtml()``.
        Its ``symgd_iterations`` attribute lists the iteration each frame
        shows.

    Examples
    --------
    >>> import symgd
    >>> res = symgd.descend("x^2 + x*y + y^2", [2, 1], lr=0.3, max_iter=40)
    >>> anim = symgd.animate("x^2 + x*y + y^2", res, frames=10)
    >>> anim.symgd_iterations[:4], anim.symgd_iterations[-1]
    ([0, 4, 9, 13], 40)
    >>> anim.symgd_close()
    """
    runs = [run for group in results for run in runs_of(group)]
    if not runs:
        raise InputError("animate needs at least one result of symgd.descend")
    obj = as_objective(objective)
    labels = check_labels(labels, len(runs))
    kind = _kind(obj, kind)
    fps = _positive(fps, "fps")
    hists = [as_history(run) for run in runs]
    for h in hists:
        if h.names != obj.names:
            raise InputError(f"a result is a run over the variables {h.names}, but the "
                             f"objective's variables are {obj.names}")
    clock = _clock(hists, frames)
    texts = [run_label(run, k, labels) for k, run in enumerate(runs)]
    plt = pyplot()
    if kind == "fit":
        fig, artists, update = _fit_scene(obj, hists, texts, clock, trail, **options)
    else:
        fig, artists, update = _path_scene(obj, kind, runs, hists, texts, clock, trail,
                                           **options)
    if dpi is not None:
        fig.set_dpi(check_dpi(dpi, fig))
    blit = kind != "surface"

    def init() -> list:
        return update(0)

    anim = _animation_class()(fig, update, frames=len(clock), init_func=init, blit=blit,
                              interval=1000.0 / fps, repeat=True)
    anim.symgd_iterations = [int(t) for t in clock]
    anim.symgd_figure, anim.symgd_blit = fig, blit
    anim.symgd_artists = artists
    anim.symgd_update = update
    anim.symgd_fps = fps
    anim.symgd_close = lambda: plt.close(fig)
    return anim


def _animation_class() -> type:
    """FuncAnimation whose ``save`` of a GIF draws the background once and
    only the moving artists per frame (as blitting does on screen), instead of
    redrawing the whole figure for every frame."""
    from matplotlib.animation import FuncAnimation

    class Animation(FuncAnimation):
        def save(self, filename: Any, writer: Any = None, fps: float | None = None,
                 dpi: float | None = None, **kwargs: Any) -> None:
            fast = (str(filename).lower().endswith(".gif") and writer in (None, "pillow")
                    and not kwargs and self.symgd_blit)
            if not fast:
                return super().save(filename, writer=writer, fps=fps, dpi=dpi, **kwargs)
            save_gif(self, filename, fps=fps, dpi=dpi)

    return Animation


def frames_rgba(anim: Any, dpi: float | None = None) -> Any:
    """Each frame of a symgd animation as an RGBA array, drawing the
    background once (the figure without its animated artists) and then only
    the animated artists on a copy of it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = anim.symgd_figure
    old_dpi, old_canvas = fig.dpi, fig.canvas
    canvas = FigureCanvasAgg(fig)
    try:
        if dpi is not None:
            fig.set_dpi(check_dpi(dpi, fig))
        canvas.draw()                                   # animated artists are skipped
        background = canvas.copy_from_bbox(fig.bbox)
        for frame in range(len(anim.symgd_iterations)):
            canvas.restore_region(background)
            for artist in anim.symgd_update(frame):
                fig.draw_artist(artist)
            yield np.asarray(canvas.buffer_rgba()).copy()
    finally:
        fig.set_dpi(old_dpi)
        fig.set_canvas(old_canvas)


def save_gif(anim: Any, filename: Any, fps: float | None = None,
             dpi: float | None = None) -> None:
    """Write a symgd animation as a looping GIF with Pillow."""
    from PIL import Image
    fig = anim.symgd_figure
    width, height = fig.get_size_inches()
    pixels = width * height * (check_dpi(dpi, fig) if dpi is not None else fig.dpi) ** 2
    frames = len(anim.symgd_iterations)
    if pixels * frames > 25 * MAX_PIXELS:
        raise InputError(f"a GIF of {frames} frames of {pixels / 1e6:.1f} million pixels is "
                         f"too large to make ({frames * pixels / 1e6:,.0f} million pixels in "
                         f"all; the most is {25 * MAX_PIXELS // 1_000_000:,} million): use "
                         "fewer frames or a lower dpi")
    images = [Image.fromarray(rgba[..., :3]).quantize(colors=255, method=Image.Quantize.MEDIANCUT)
              for rgba in frames_rgba(anim, dpi)]
    rate = _positive(fps, "fps") if fps is not None else anim.symgd_fps
    images[0].save(filename, format="GIF", save_all=True, append_images=images[1:],
                   duration=int(round(1000 / rate)), loop=0, disposal=1)


def _kind(obj: Any, kind: str | None) -> str:
    if kind is None:
        if obj.per_sample is not None and getattr(obj, "model", None) is not None:
            try:
                from .data import one_feature_model
                one_feature_model(obj)
                return "fit"
            except ObjectiveError:
                pass
        if obj.n == 2:
            return "contour"
        if obj.n == 1:
            return "slice"
        raise ObjectiveError(f"an animation shows one or two variables (or a model of one "
                             f"feature through its data); {obj.label} has {obj.n}: "
                             f"{', '.join(obj.names)}")
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind in ("contour", "surface") and obj.n != 2:
        raise ObjectiveError(f"a {kind} animation needs 2 variables; {obj.label} has {obj.n}")
    if kind == "slice" and obj.n != 1:
        raise ObjectiveError(f"a slice animation needs 1 variable; {obj.label} has {obj.n}")
    return kind


def _positive(value: object, name: str) -> float:
    return real(value, name, low=0.0, low_open=True)


def _clock(hists: Sequence[History], frames: int | None) -> np.ndarray:
    """The iteration each frame shows: every iteration of the longest run,
    or an even sample of them (first and last included)."""
    last = max(int(h.iteration[-1]) for h in hists)
    if frames is None:
        frames = min(last + 1, _DEFAULT_FRAMES)
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) \
            or not 1 <= frames <= MAX_FRAMES:
        raise InputError(f"frames must be a whole number from 1 to {MAX_FRAMES}, "
                         f"got {frames!r:.40}")
    return np.unique(np.round(np.linspace(0, last, int(frames))).astype(int))


def _row_at(hist: History, t: int) -> int:
    """The last history row at or before iteration ``t``."""
    return max(0, int(np.searchsorted(hist.iteration, t, side="right")) - 1)


def _finite(points: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(points), points, np.nan)


def _readout(ax: Any) -> Any:
    return ax.text(0.02, 0.98, "", transform=ax.transAxes, va="top", ha="left",
                   fontsize="medium", family="monospace", zorder=20, animated=True,
                   bbox=dict(boxstyle="round", fc="white", ec="0.6", alpha=0.85))


def _readout_text(t: int, texts: Sequence[str], hists: Sequence[History],
                  rows: Sequence[int]) -> str:
    lines = [f"t = {t}"]
    if len(hists) == 1:
        h, r = hists[0], rows[0]
        lines.append(f"f = {h.loss[r]:.4g}   |∇f| = {h.grad_norm[r]:.3g}")
    else:
        width = max(len(_plain(text)) for text in texts)
        lines += [f"{_plain(text):<{width}}  f = {h.loss[r]:.4g}"
                  for text, h, r in zip(texts, hists, rows)]
    return "\n".join(lines)


def _plain(label: str) -> str:
    return label.replace("$\\gamma = ", "γ = ").replace("$", "")


def _path_scene(obj: Any, kind: str, runs: Sequence[Any], hists: Sequence[History],
                texts: Sequence[str], clock: np.ndarray, trail: bool,
                **options: Any) -> tuple:
    from .contour import box_of_runs, plot_contour, plot_surface
    from .curves import plot_slice
    if kind == "contour":
        options.setdefault("arrows", False)
        options.setdefault("bounds", box_of_runs(obj, runs))
        drawn = plot_contour(obj, None, **options)
    elif kind == "surface":
        options.setdefault("bounds", box_of_runs(obj, runs))
        drawn = plot_surface(obj, None, **options)
    else:
        xs = np.concatenate([_finite(h.x[:, 0]) for h in hists])
        xs = xs[np.isfinite(xs)]
        if "bounds" not in options and xs.size:
            lo, hi = float(xs.min()), float(xs.max())
            pad = 0.15 * (hi - lo) if hi > lo else 1.0
            options["bounds"] = (lo - pad, hi + pad)
        drawn = plot_slice(obj, obj.names[0], **options)
    fig, ax = drawn.figure, drawn.axes
    balls, trails = [], []
    for k, text in enumerate(texts):
        color = run_color(k)
        style = dict(color=color, animated=kind != "surface", zorder=8)
        if kind == "surface":
            trails.append(ax.plot([], [], [], "-", lw=2, **style)[0])
            balls.append(ax.plot([], [], [], "o", ms=10, mec="black", label=text, **style)[0])
        else:   # on a curve the steps are dots on it (chords would cross it)
            trails.append(ax.plot([], [], "o" if kind == "slice" else "-",
                                  lw=2, ms=4, **style)[0])
            balls.append(ax.plot([], [], "o", ms=10, mec="black", label=text, **style)[0])
    readout = _readout(ax) if kind != "surface" else ax.text2D(
        0.02, 0.98, "", transform=ax.transAxes, va="top", family="monospace")
    add_legend(ax, loc="lower right" if kind != "surface" else "upper right",
               fontsize="medium")
    points = [_finite(h.x) for h in hists]
    losses = [_finite(h.loss) for h in hists]

    def update(frame: int) -> list:
        t = int(clock[frame])
        rows = [_row_at(h, t) for h in hists]
        for k, r in enumerate(rows):
            p, f = points[k], losses[k]
            if kind == "slice":
                xs_, ys_ = p[:r + 1, 0], f[:r + 1]
            else:
                xs_, ys_ = p[:r + 1, 0], p[:r + 1, 1]
            if kind == "surface":
                trails[k].set_data_3d(xs_ if trail else xs_[-1:], ys_ if trail else ys_[-1:],
                                      f[:r + 1] if trail else f[r:r + 1])
                balls[k].set_data_3d(xs_[-1:], ys_[-1:], f[r:r + 1])
            else:
                trails[k].set_data(xs_ if trail else xs_[-1:], ys_ if trail else ys_[-1:])
                balls[k].set_data(xs_[-1:], ys_[-1:])
        readout.set_text(_readout_text(t, texts, hists, rows))
        return [*trails, *balls, readout]

    return fig, (*trails, *balls, readout), update


def _fit_scene(obj: Any, hists: Sequence[History], texts: Sequence[str], clock: np.ndarray,
               trail: bool, **options: Any) -> tuple:
    from .data import one_feature_model, predict
    if options:
        raise InputTypeError(f"a fit animation takes no plot options, got "
                             f"{', '.join(sorted(options))}")
    model, feature = one_feature_model(obj)
    xdata = np.asarray(obj.data[obj.columns[feature.name]], dtype=float)
    ydata = np.asarray(obj.data[obj.columns[obj.target]], dtype=float)
    plt = pyplot()
    fig, (ax, lax) = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained",
                                  gridspec_kw={"width_ratios": [1.25, 1]})
    ax.scatter(xdata, ydata, s=36, color=COLORS["data"], edgecolor="white", zorder=5,
               label="data")
    pad = 0.05 * (xdata.max() - xdata.min() or 1.0)
    xs = np.linspace(xdata.min() - pad, xdata.max() + pad, 200)
    # the frame: the data, and the models of the later half of training
    finals = [predict(model, xs, h.x[-1]) for h in hists]
    span = np.concatenate([ydata, *[f[np.isfinite(f)] for f in finals]])
    low, high = float(span.min()), float(span.max())
    margin = 0.1 * (high - low or 1.0)
    ax.set_ylim(low - margin, high + margin)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_xlabel(obj.columns[feature.name])
    ax.set_ylabel(obj.columns[obj.target])
    ax.set_title(f"Model {obj.target} ≈ {obj.model}")
    ax.grid(True, alpha=0.3)
    lines, residuals = [], []
    for k, text in enumerate(texts):
        color = run_color(k)
        lines.append(ax.plot([], [], "-", lw=2.4, color=color, label=text, animated=True,
                             zorder=4)[0])
        residuals.append(ax.vlines([], [], [], color=color, lw=1.0, alpha=0.6, zorder=3,
                                   animated=True))
    losses = [_finite(h.loss) for h in hists]
    for k, (h, f) in enumerate(zip(hists, losses)):
        lax.plot(h.iteration, f, color=run_color(k), lw=1.6, alpha=0.35)
    positive = all((f[np.isfinite(f)] > 0).all() for f in losses)
    if positive:
        lax.set_yscale("log")
    from matplotlib.ticker import MaxNLocator
    lax.xaxis.set_major_locator(MaxNLocator(integer=True))
    lax.set_xlabel("iteration $t$")
    lax.set_ylabel(f"loss {obj.label}")
    lax.set_title("Loss curve")
    lax.grid(True, alpha=0.3)
    marks = [lax.plot([], [], "o", ms=9, mec="black", color=run_color(k), animated=True,
                      zorder=5)[0] for k in range(len(hists))]
    readout = _readout(lax)
    add_legend(ax, fontsize="medium")

    def update(frame: int) -> list:
        t = int(clock[frame])
        rows = [_row_at(h, t) for h in hists]
        for k, r in enumerate(rows):
            theta = hists[k].x[r]
            lines[k].set_data(xs, predict(model, xs, theta))
            fitted = predict(model, xdata, theta)
            residuals[k].set_segments(np.stack([np.column_stack([xdata, ydata]),
                                                np.column_stack([xdata, fitted])], axis=1))
            marks[k].set_data([hists[k].iteration[r]], [losses[k][r]])
        readout.set_text(_readout_text(t, texts, hists, rows))
        return [*residuals, *lines, *marks, readout]

    return fig, (*lines, *residuals, *marks, readout), update
