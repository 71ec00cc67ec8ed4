r"""What every figure shares: the :class:`Drawn` record, axes, saving,
colours, labels and the checks of common arguments.

matplotlib is imported only when a figure is drawn (``import symgd`` does
not import it). Without a display (a server, a CI job), an interactive
backend is replaced by ``Agg``; any other backend the user chose is left
alone.
"""

from __future__ import annotations

import os
import pathlib
import sys
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from .._report import Report
from .._text import number, plural, point
from ..analysis import values_and_gradients
from ..analysis.minima import interval
from ..descent import History, Result, Status
from .._options import real
from ..errors import InputError, InputTypeError, ObjectiveError
from ..expr.printing import latex as names_latex
from ..objective.core import Objective, as_objective

if TYPE_CHECKING:  # matplotlib is imported lazily, when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Drawn", "save", "COLORS", "FORMATS", "CMAP", "MAX_MARKERS", "OUTCOME_COLORS",
           "pyplot", "headless", "is_gui", "new_axes", "as_history", "path_of",
           "two_variables", "interval", "finite_number", "values_at", "gradients_at", "marker_rows",
           "mark_minimum", "label_axes", "aspect", "add_legend", "outcome_of", "outcome_text",
           "latex_name", "name_latex", "expr_latex", "title_of", "mathtext"]

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
#: The colour map of contours and surfaces.
CMAP = "viridis"
_GUI_BACKENDS = ("tk", "qt", "gtk", "wx", "macosx")
MAX_MARKERS = 60         # mark every iterate of a path up to this many


@dataclass(frozen=True, eq=False, repr=False)
class Drawn(Report):
    r"""What a plot function drew: the figure, its axes and the plotted data.

    Only the fields a figure uses are set; the others keep their defaults.
    Arrays are copies of what was plotted, in data coordinates. As a report,
    its text says what was drawn and :meth:`to_dict` summarises the data.

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
    subject : str
        The name of what was plotted: the objective's label (``"f"``,
        ``"L"``), or a loss curve's ``name``.
    names : tuple of str
        The variables of the points in ``start``, ``end`` and ``minimum``
        (a slice: its one variable).

    Examples
    --------
    >>> import symgd
    >>> from symgd.plot import plot_contour
    >>> res = symgd.descend("x^2 + x*y + y^2", start=[2, 1], lr=0.25, max_iter=2)
    >>> d = plot_contour("x^2 + x*y + y^2", res, arrows=False)
    >>> d
    <Drawn: contour plot of f with a path of 2 steps>
    >>> print(d)
    contour plot of f with a path of 2 steps
    path: from (x = 2, y = 1) to (x = 0.375, y = -0.1875)
    minimum: (x = 0, y = 0)
    title: $f(x, y) = x^{2} + x y + y^{2}$
    >>> d.close()
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
    subject: str = ""
    names: tuple[str, ...] = ()

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
        pyplot().close(self.figure)

    # ------------------------------------------------------------ the report

    def text(self) -> str:
        """What was drawn: a headline, then one line per mark."""
        return "\n".join([self._headline(), *self._details()])

    def _headline(self) -> str:
        words = _KIND_WORDS.get(self.kind, self.kind)
        head = f"{words} of {self.subject}" if self.subject else words
        if self.kind in ("contour", "surface") and self.start is not None:
            head += f" with a path of {plural(len(self.x) - 1, 'step')}"
        elif self.kind == "loss":
            head += f" over {plural(len(self.x), 'iterate')}"
        elif self.kind == "slice" and self.names:
            head += f" along {self.names[0]}"
        elif self.kind in ("fit", "snapshots") and self.iterations:
            head += " at iterations " + ", ".join(str(i) for i in self.iterations)
        elif self.kind in ("learning_rates", "lr_sweep"):
            count = len(self.panels) if self.kind == "learning_rates" else len(self.x)
            head += f": {plural(count, 'learning rate')}"
        elif self.kind == "basins" and self.minimum is not None:
            head += f": {plural(len(self.minimum), 'minimum', 'minima')}"
        return head

    def _details(self) -> list[str]:
        lines = []
        if self.start is not None and self.names:
            if self.end is None:
                lines.append(f"start: {point(self.names, self.start)}")
            else:
                lines.append(f"path: from {point(self.names, self.start)} to "
                             f"{point(self.names, self.end)}")
        if self.minimum is not None and len(self.minimum) and self.names:
            lines.append(self._minimum_line())
        if self.arrows is not None:
            lines.append(f"arrows: {plural(len(self.arrows), 'arrow')} of -∇{self.subject}")
        if self.slope is not None:
            lines.append(f"tangent: slope {number(self.slope)}")
        if self.curves:
            labels = list(self.curves)
            shown = f": {', '.join(labels)}" if all(len(t) <= 20 for t in labels) else ""
            lines.append(f"lines: {len(labels)}{shown}")
        if self.segments is not None:
            lines.append(f"residuals: {plural(len(self.segments), 'line')}")
        if self.offset:
            lines.append(f"offset: {number(self.offset)} subtracted from the losses")
        if self.lr is not None:
            lines.append(f"lr = {number(self.lr)}" +
                         (f": {self.outcome}" if self.outcome else ""))
        lines += [f"panel {k}: {p.headline()}" for k, p in enumerate(self.panels, 1)]
        title = self._figure_title()
        if title:
            lines.append(f"title: {title}")
        return lines

    def _figure_title(self) -> str:
        """The figure's title over several panels, else the axes' title, on one line."""
        suptitle = getattr(self.figure, "get_suptitle", None)   # matplotlib >= 3.8
        title = (suptitle() if self.panels and suptitle is not None else "") or \
            ("" if self.panels else self.title)
        return " / ".join(line for line in title.splitlines() if line.strip())

    def _minimum_line(self) -> str:
        m = np.asarray(self.minimum, dtype=float)
        if self.kind == "basins":
            return "minima: " + ", ".join(point(self.names, row) for row in m)
        if self.kind == "slice":
            return f"minimum: {point(self.names, m[:1])}, {self.subject} = {number(m[1])}"
        where = point(self.names, m[:len(self.names)])
        if len(m) > len(self.names):
            where += f", {self.subject} = {number(m[len(self.names)])}"
        return f"minimum: {where}"

    def to_dict(self) -> dict[str, Any]:
        """A summary of what was drawn: its marks, labels and counts (no arrays
        of the curves themselves)."""
        def listed(a: Any) -> Any:
            return None if a is None else np.asarray(a, dtype=float).tolist()
        return {"kind": self.kind, "subject": self.subject, "names": list(self.names),
                "title": self.title, "xlabel": self.xlabel, "ylabel": self.ylabel,
                "points": int(len(self.x)), "start": listed(self.start),
                "end": listed(self.end), "minimum": listed(self.minimum),
                "arrows": None if self.arrows is None else int(len(self.arrows)),
                "lines": list(self.curves),
                "residuals": None if self.segments is None else int(len(self.segments)),
                "slope": self.slope, "offset": self.offset, "bounds": self.bounds,
                "iterations": list(self.iterations), "lr": self.lr, "outcome": self.outcome,
                "panels": [p.to_dict() for p in self.panels]}


_KIND_WORDS = {"loss": "loss curve", "contour": "contour plot", "surface": "surface plot",
               "slice": "slice", "fit": "fit", "snapshots": "snapshots",
               "learning_rates": "learning-rate panels", "basins": "basins of attraction",
               "lr_sweep": "learning-rate sweep"}


def check_output(path: str | os.PathLike, what: str = "the path",
                 suffixes: tuple[str, ...] = (".png", ".svg", ".pdf")) -> pathlib.Path:
    """The path a file is to be written to, checked before any work is done:
    a name ending in one of ``suffixes`` (a figure's ``.png``, ``.svg`` or
    ``.pdf`` by default), in a folder that exists and can be written, and not
    a directory or a special file.

    The check opens the file for appending (which changes nothing in a file
    that exists) and removes it again when it did not exist, so that a
    read-only place (``/proc``) fails here and not after the figure is drawn.
    ``what`` names the input in messages (``--out`` on the command line).

    >>> check_output("/no/such/folder/figure.png")
    Traceback (most recent call last):
    ...
    symgd.errors.InputError: the path '/no/such/folder/figure.png': the folder '/no/such/folder' does not exist; create it first
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"{what} must be a file name, got {type(path).__name__}")
    target = pathlib.Path(path)
    shown = repr(str(target)[:200])
    try:
        is_dir, exists = target.is_dir(), target.exists()
        parent_ok = target.parent.is_dir()
    except (OSError, ValueError) as err:
        raise InputError(f"{what} {shown} cannot be used: {getattr(err, 'strerror', None) or err}") from None
    if is_dir:
        raise InputError(f"{what} {shown} is a directory (a folder); give a file name in it, "
                         f"such as {str(target / ('figure' + suffixes[0]))[:200]!r}")
    if target.suffix.lower() not in suffixes:
        ends = ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if len(suffixes) > 1 \
            else suffixes[0]
        raise InputError(f"{what} {shown}: the file name must end in {ends}")
    if not parent_ok:
        raise InputError(f"{what} {shown}: the folder {str(target.parent)[:200]!r} does not "
                         "exist; create it first")
    if exists and not target.is_file():
        raise InputError(f"{what} {shown} is not a regular file; give a new file name")
    try:
        with open(target, "ab"):
            pass
    except OSError as err:
        raise InputError(f"{what} {shown} cannot be written: {err.strerror or err}; choose "
                         "another folder") from None
    if not exists:
        try:
            target.unlink()
        except OSError:
            pass
    return target


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
    >>> from symgd.plot import plot_slice
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
    check_output(target)
    if not target.parent.is_dir():
        raise InputError(f"cannot save {target.name!r}: the folder {str(target.parent)!r} "
                         "does not exist; create it first")
    dpi = check_dpi(dpi, fig)
    try:
        # Drawing a figure of extreme ranges (axes near 1e154, a curve that
        # overflows) makes matplotlib's tick code overflow harmlessly: the
        # figure is right, and the warning would only alarm.
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            fig.savefig(target, format=kind, dpi=dpi, bbox_inches="tight")
    except OSError as err:
        raise InputError(f"cannot save {str(target)[:200]!r}: {err.strerror or err}") from None
    return target


#: The most dots per inch a figure is saved at, and the most pixels an image
#: may have (a 6.4 x 4.8 in figure at 1000 dpi is 31 million).
MAX_DPI = 1000
MAX_PIXELS = 40_000_000


def check_dpi(dpi: object, fig: Any = None) -> float:
    """``dpi`` checked: a number in (0, MAX_DPI], and, for ``fig``, at most
    :data:`MAX_PIXELS` pixels, before anything is drawn."""
    value = real(dpi, "dpi", low=0.0, high=float(MAX_DPI), low_open=True)
    if fig is not None:
        width, height = fig.get_size_inches()
        pixels = width * height * value * value
        if pixels > MAX_PIXELS:
            raise InputError(f"dpi = {value:g} would make an image of {pixels / 1e6:.0f} "
                             f"million pixels; the most is {MAX_PIXELS // 1_000_000} million "
                             f"(dpi about {int((MAX_PIXELS / (width * height)) ** 0.5)} "
                             "for this figure)")
    return value


def pyplot() -> Any:
    """matplotlib.pyplot, switching a GUI backend to Agg when there is no display."""
    import matplotlib
    if headless() and is_gui(matplotlib.get_backend()):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def headless() -> bool:
    """True when no display is available (never on Windows and macOS)."""
    if sys.platform.startswith(("win", "darwin")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def is_gui(backend: str) -> bool:
    """True for an interactive backend that needs a display."""
    name = backend.lower()
    return not name.startswith("module://") and name.startswith(_GUI_BACKENDS)


def new_axes(ax: Axes | None, projection: str | None = None,
             figsize: tuple[float, float] = (6.4, 4.8)) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: ``ax`` checked, or a new figure."""
    if ax is None:
        fig = pyplot().figure(figsize=figsize, layout="constrained")
        return fig, fig.add_subplot(projection=projection)
    if not hasattr(ax, "plot") or not hasattr(ax, "figure"):
        raise InputTypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if projection == "3d" and getattr(ax, "name", "") != "3d":
        raise InputError("a surface needs 3-D axes: make them with "
                         "fig.add_subplot(projection='3d')")
    return ax.figure, ax


def as_history(result: object) -> History:
    """The history of a Result, or a History itself; anything else is refused."""
    if isinstance(result, Result):
        return result.history
    if isinstance(result, History):
        return result
    raise InputTypeError(f"expected a Result of symgd.descend or its History, got "
                         f"{type(result).__name__}")


def path_of(obj: Objective, result: object, needed: bool = False) -> History | None:
    """The history of a run over ``obj``'s variables (None without a result,
    unless ``needed``)."""
    if result is None:
        if needed:
            raise InputError("this figure needs a result of symgd.descend")
        return None
    hist = as_history(result)
    if hist.names != obj.names:
        raise InputError(f"the result is a run over the variables {hist.names}, but the "
                         f"objective's variables are {obj.names}")
    if len(hist) == 0:
        raise InputError("the result's history is empty")
    return hist


def two_variables(objective: object, what: str) -> Objective:
    """The objective, refused unless it has exactly two variables."""
    obj = as_objective(objective)
    if obj.n != 2:
        hint = "; use plot_slice for one variable at a time" if obj.n else ""
        raise ObjectiveError(f"{what} needs an objective of exactly 2 variables; "
                             f"{obj.label} has {obj.n} ({', '.join(obj.names)}){hint}")
    return obj




def finite_number(value: object, what: str) -> float:
    """``value`` as a finite float."""
    return real(value, what)


def values_at(obj: Objective, points: np.ndarray) -> np.ndarray:
    """The objective at each row of ``points``: vectorized where it can be."""
    return values_and_gradients(obj, points)[:, 0]


def gradients_at(obj: Objective, points: np.ndarray) -> np.ndarray:
    """The gradient at each row of ``points``, shape ``(k, n)``."""
    return values_and_gradients(obj, points)[:, 1:]


def marker_rows(rows: int) -> np.ndarray:
    """Every row of a short path; a geometric selection of a long one."""
    if rows <= MAX_MARKERS:
        return np.arange(rows)
    return np.unique(np.geomspace(1, rows, MAX_MARKERS).astype(int) - 1)


def mark_minimum(ax: Axes, marked: np.ndarray | None, z: float | None = None) -> None:
    """The green cross at the minimum (at height ``z`` on 3-D axes)."""
    if marked is None:
        return
    style = dict(marker="X", color=COLORS["minimum"], mec="black", mew=1, ms=13,
                 ls="none", zorder=6, label="minimum")
    if z is None:
        ax.plot([marked[0]], [marked[1]], **style)
    else:
        ax.plot([marked[0]], [marked[1]], [z], **style)


def label_axes(ax: Axes, obj: Objective) -> None:
    """The first variable on the x-axis, the second on the y-axis."""
    ax.set_xlabel(mathtext(sp.latex(obj.variables[0])))
    ax.set_ylabel(mathtext(sp.latex(obj.variables[1])))


def aspect(ax: Axes, box: tuple) -> None:
    """Equal scales when the two ranges are comparable: the true geometry,
    where -grad f is perpendicular to the contour lines."""
    ratio = (box[0][1] - box[0][0]) / (box[1][1] - box[1][0])
    if 1 / 2.5 <= ratio <= 2.5:
        ax.set_aspect("equal", adjustable="box")


def add_legend(ax: Axes, loc: str = "best", fontsize: str = "medium") -> None:
    """A legend, when anything drawn has a label."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc=loc, fontsize=fontsize, framealpha=0.9)


#: The title colour of a learning-rate panel, by outcome.
OUTCOME_COLORS = {"converged": "#1a7f37", "ran": "#1a7f37", "slow": "#9a6700",
                  "diverged": "#cf222e", "stopped": "black"}


def outcome_of(res: Result) -> str:
    """``"converged"``, ``"ran"`` (``tol=None``: every step asked for),
    ``"diverged"`` (also unbounded below), ``"slow"`` (stopped at max_iter, or
    oscillating without converging) or ``"stopped"``."""
    if res.status in (Status.CONVERGED, Status.SMALL_CHANGE):
        return "converged"
    if res.status == Status.MAX_ITER and res.success:      # tol=None: the steps asked for
        return "ran"
    if res.status in (Status.DIVERGED, Status.NOT_FINITE, Status.UNBOUNDED):
        return "diverged"
    if res.status in (Status.MAX_ITER, Status.OSCILLATING):
        return "slow"
    return "stopped"


def outcome_text(res: Result) -> str:
    """How a run ended, in a few words for a title."""
    outcome = outcome_of(res)
    steps = f"{res.nit} step{'s' * (res.nit != 1)}"
    if outcome == "converged":
        return f"converged in {steps}"
    if res.status == Status.UNBOUNDED:
        return f"unbounded below (stopped after {steps})"
    if outcome == "diverged":
        return f"diverged (stopped after {steps})"
    if res.status == Status.OSCILLATING:
        return f"oscillating: not converged after {steps}"
    if outcome == "ran":
        return f"ran {steps} as asked"
    if outcome == "slow":
        return f"slow: not converged after {steps}"
    return f"stopped after {steps}"


def latex_name(name: str) -> str:
    """LaTeX of a variable's name (``w_1`` for ``w1``)."""
    return sp.latex(sp.Symbol(name))


def name_latex(obj: Objective) -> str:
    """LaTeX of the objective's label."""
    return latex_name(obj.label)


def expr_latex(expr: sp.Expr) -> str:
    """LaTeX of an expression; a thin space between factors when a name has
    several letters (mathtext would run ``w weight`` together)."""
    return names_latex(expr)


def title_of(obj: Objective) -> str:
    r"""The objective as a title: ``f(x, y) = ...``; a data loss as
    :math:`L(w, b) = \frac{1}{M}\sum_{i=1}^{M} \ell_i`."""
    args = ", ".join(sp.latex(v) for v in obj.variables)
    head = f"{name_latex(obj)}({args})"
    if obj.per_sample is not None:           # a data loss: the mean or sum over its rows
        rows = {s: sp.Symbol(f"{s.name}_i") for s in obj.data_symbols}
        mean = r"\frac{1}{M}" if obj.reduce == "mean" else ""
        body = f"{mean}\\sum_{{i=1}}^{{M}} {expr_latex(obj.display.xreplace(rows))}"
        return mathtext(f"{head} = {body}", head) + f" over $M = {obj.rows}$ rows"
    return mathtext(f"{head} = {expr_latex(obj.expr)}", str(obj))


def mathtext(latex: str, fallback: str | None = None) -> str:
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
