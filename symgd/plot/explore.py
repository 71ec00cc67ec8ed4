r"""A live explorer for notebooks: :func:`explore`.

Sliders and boxes for the learning rate, the start point, the step rule and
the number of iterations; each change reruns the descent and redraws the
contour (or, for one variable, the curve) with the path, the loss curve and
the step-size bound :math:`2/\lambda_{max}`. With an interactive matplotlib
backend in Jupyter (``%matplotlib widget``), a click on the contour moves the
start there.

Needs ipywidgets: ``pip install "symgd[notebook]"``.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .._report import Report
from .._text import number, point
from ..errors import InputError, SymgdError
from ..objective.core import as_objective

__all__ = ["explore", "Explorer"]

_RULES = ("fixed", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "backtracking",
          "newton")


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:
        raise SymgdError("symgd.explore needs ipywidgets, which is not installed: "
                         "pip install \"symgd[notebook]\" (or pip install ipywidgets)") from None
    return ipywidgets


class Explorer(Report):
    """The explorer's widgets and its latest run; displaying it shows the widgets.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole explorer (what a notebook displays).
    controls : dict of str to widget
        ``lr``, ``step``, ``iterations`` and one box per start coordinate
        (by variable name).
    result : Result
        The run now drawn.
    figure : matplotlib Figure
        The figure now drawn (the contour or curve, and the loss curve).
    bound : StepBound or None
        The step-size bound at the start (None where it cannot be computed).
    """

    def __init__(self, objective: Any, start: np.ndarray, lr: float, step: str,
                 iterations: int, bounds: Any) -> None:
        widgets = _widgets()
        self.objective = objective
        self._bounds = bounds
        self.controls: dict[str, Any] = {
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-4, max=1, step=0.05,
                                         description="γ (lr)", readout_format=".3g",
                                         continuous_update=False),
            "step": widgets.Dropdown(options=_RULES, value=step, description="rule"),
            "iterations": widgets.IntSlider(value=iterations, min=1, max=2000,
                                            description="iterations",
                                            continuous_update=False),
        }
        for name, value in zip(objective.names, start):
            self.controls[name] = widgets.FloatText(value=float(value),
                                                    description=f"start {name}")
        self.output = widgets.Output()
        self.status = widgets.HTML()
        self.widget = widgets.VBox([
            widgets.HBox([self.controls["lr"], self.controls["step"],
                          self.controls["iterations"]]),
            widgets.HBox([self.controls[n] for n in objective.names]),
            self.status, self.output])
        self.result: Any = None
        self.figure: Any = None
        self.bound: Any = None
        self.redraws = 0
        for control in self.controls.values():
            control.observe(lambda change: self.redraw(), names="value")
        self.redraw()

    @property
    def start(self) -> np.ndarray:
        """The start point in the boxes."""
        return np.array([self.controls[n].value for n in self.objective.names], dtype=float)

    def set_start(self, values: Sequence[float]) -> None:
        """Move the start (one redraw, not one per coordinate)."""
        names = self.objective.names
        for name, value in zip(names[:-1], values[:-1]):
            control = self.controls[name]
            control.unobserve_all("value")
            control.value = float(value)
            control.observe(lambda change: self.redraw(), names="value")
        self.controls[names[-1]].value = float(values[-1])

    def redraw(self) -> None:
        """Rerun the descent with the controls' values and draw it again."""
        from ..analysis import step_size_bound
        from ..descent import descend
        from .common import pyplot
        from .contour import plot_contour
        from .curves import plot_loss, plot_slice
        plt = pyplot()
        obj, c = self.objective, self.controls
        start = self.start
        self.result = descend(obj, start, lr=c["lr"].value, step=c["step"].value,
                              max_iter=int(c["iterations"].value))
        try:
            self.bound = step_size_bound(obj, at=None if obj.is_cheaply_quadratic else start)
        except (SymgdError, ValueError, np.linalg.LinAlgError):
            self.bound = None
        if self.figure is None:
            self.figure = plt.figure(figsize=(11, 4.4), layout="constrained")
            self.figure.canvas.mpl_connect("button_press_event", self._clicked)
        fig = self.figure
        fig.clear()
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
        if obj.n == 2:
            plot_contour(obj, self.result, ax=left, bounds=self._bounds, arrows=False,
                         colorbar=False)
        else:
            hist = self.result.history.x[:, 0]
            finite = hist[np.isfinite(hist)]
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1, 1)
            pad = 0.2 * (hi - lo) if hi > lo else 1.0
            plot_slice(obj, obj.names[0], ax=left,
                       bounds=self._bounds or (lo - pad, hi + pad))
            loss = self.result.history.loss
            left.plot(hist, loss, "o-", color="#d62728", ms=4, lw=1, zorder=5)
        try:
            plot_loss(self.result, ax=right, log=True, name=obj.label)
        except InputError:
            right.text(0.5, 0.5, "no finite loss to draw", ha="center",
                       transform=right.transAxes)
        self.status.value = self._status_html()
        self.redraws += 1
        from IPython import get_ipython
        if get_ipython() is None:         # not in a notebook: nothing to show the figure in
            return
        self.output.clear_output(wait=True)
        with self.output:
            from IPython.display import display
            display(fig)

    def _clicked(self, event: Any) -> None:
        if self.objective.n == 2 and event.inaxes is not None and event.xdata is not None \
                and event.inaxes is self.figure.axes[0]:
            self.set_start([event.xdata, event.ydata])

    def _bound_text(self) -> str:
        b, lr = self.bound, self.controls["lr"].value
        if b is None or not math.isfinite(b.bound):
            return "no step-size bound here (the Hessian is not positive definite)"
        where = "everywhere" if b.quadratic else "near the start"
        side = "below" if lr < b.bound else "above"
        return (f"fixed steps are stable {where} for γ < 2/λmax = {number(b.bound, 4)}; "
                f"γ = {number(lr, 4)} is {side} it")

    def _status_html(self) -> str:
        import html
        return (f"<b>{html.escape(self.result.message.split('. ')[0])}.</b><br>"
                f"{html.escape(self._bound_text())}")

    # ------------------------------------------------------------ report

    def text(self) -> str:
        res = self.result
        return (f"explorer of {self.objective.label}: {self.controls['step'].value} with "
                f"lr = {number(self.controls['lr'].value, 4)} from "
                f"{point(self.objective.names, self.start)}\n{res.message}\n"
                f"{self._bound_text()}")

    def to_dict(self) -> dict[str, Any]:
        return {"objective": str(self.objective), "lr": self.controls["lr"].value,
                "step": self.controls["step"].value,
                "iterations": self.controls["iterations"].value,
                "start": dict(zip(self.objective.names, self.start.tolist())),
                "result": self.result.to_dict()}

    def __repr__(self) -> str:
        return f"<Explorer: {self.objective.label}, lr = {number(self.controls['lr'].value, 4)}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        show = getattr(self.widget, "_repr_mimebundle_")     # the widget's own display
        return show(**kwargs)


def explore(objective: Any, start: Any = None, lr: float = 0.1, *, step: str = "fixed",
            iterations: int = 50, bounds: Any = None) -> Explorer:
    r"""A live explorer of gradient descent on one objective, for notebooks.

    Parameters
    ----------
    objective : Objective or anything it accepts
        One or two variables (a data loss of two parameters, too).
    start : point, optional
        The first start (default: 1 in every coordinate).
    lr : float
        The first learning rate (the slider spans 1e-4 to 10, logarithmic).
    step : str
        The first step rule.
    iterations : int
        The first number of iterations (the slider goes to 2000).
    bounds : optional
        The plotted box (as in :func:`plot_contour`); by default each run's.

    Returns
    -------
    Explorer
        Display it (the last line of a cell) to get the widgets.

    Raises
    ------
    SymgdError
        When ipywidgets is not installed (``pip install "symgd[notebook]"``).
    """
    _widgets()
    obj = as_objective(objective)
    if obj.n not in (1, 2):
        raise InputError(f"explore draws one or two variables; {obj.label} has {obj.n} "
                         f"({', '.join(obj.names)})")
    x0 = obj.point(start, "start") if start is not None else np.ones(obj.n)
    if step not in _RULES:
        raise InputError(f"step must be one of {', '.join(_RULES)}, got {step!r}")
    return Explorer(obj, x0, float(lr), step, int(iterations), bounds)
