"""The built-in lessons of ``symgd demo``: one report builder per name.

Each builder takes whether the terminal shows Unicode symbols and returns a
:class:`~symgd.cli.reports.Sections` report, so every demo prints in every
``--format`` like the other commands.

* ``bowl``: z = x² + xy + y², a run that converges and one whose step is too big;
* ``york``: the same bowl from (2, 1) with a good, a too small and a too big
  learning rate, and the exact bound 2/λmax that separates them;
* ``cars``: a line fitted to the car data (mpg against weight), the loss
  falling over 1,000 steps, and the least-squares line it is heading for;
* ``pizza``: the pizza data (pizzas against reservations), the slope of the
  loss in w alone, 100 steps on w, then w and b together and a prediction.
"""

from __future__ import annotations

from typing import Callable

from ..analysis.bounds import step_size_bound
from ..data.losses import mse
from ..descent import descend
from ..objective.core import Objective
from ..objective.display import Derivatives
from .._report import Report
from .._text import number
from .flags import run_message
from .reports import Equation, FitHeading, Run, Sections, Table, TableOptions

__all__ = ["DEMO_REPORTS", "DEMO_SUMMARIES", "DemoList"]


def bowl(unicode: bool) -> Sections:
    """z = x² + xy + y²: derivatives, a converging run, a step that is too big."""
    obj = Objective("z = x^2 + x*y + y^2")
    good = descend(obj, [1, 1], lr=0.1)
    bad = descend(obj, [1, 1], lr=0.7)
    return Sections([
        ("derivatives", Derivatives(obj, unicode=unicode)),
        (None, "Gradient descent from (1, 1) with lr = 0.1:"),
        ("converging", Table(good, TableOptions(every=8, digits=4))),
        (None, run_message(good.message)),
        (None, "The same with lr = 0.7, a step that is too big:"),
        ("too_big", Table(bad, TableOptions(every=5, digits=4))), (None, run_message(bad.message))])


def york(unicode: bool) -> Sections:
    """The learning rate on z = x² + xy + y² from (2, 1): good, too small, too big."""
    obj = Objective("z = x^2 + x*y + y^2")
    bound = step_size_bound(obj)
    good = descend(obj, [2, 1], lr=0.1)
    small = descend(obj, [2, 1], lr=0.01)
    big = descend(obj, [2, 1], lr=0.7)
    return Sections([
        ("derivatives", Derivatives(obj, unicode=unicode)),
        ("bound", bound),
        (None, "From (2, 1) with lr = 0.1, inside the bound:"),
        ("good", Table(good, TableOptions(every=20, digits=4))),
        (None, run_message(good.message)),
        (None, "lr = 0.01, too small: the same path in steps ten times shorter."),
        ("too_small", Table(small, TableOptions(every=250, digits=4))),
        (None, run_message(small.message)),
        (None, _too_big(bound, 0.7, unicode)),
        ("too_big", Table(big, TableOptions(every=5, digits=4))),
        (None, run_message(big.message))])


def _too_big(bound: object, lr: float, unicode: bool) -> str:
    """Why ``lr`` diverges: along the steepest direction each step multiplies
    the error by 1 − lr·λmax, which is below −1."""
    lam = "λmax" if unicode else "lambda_max"
    factor = 1 - lr * bound.lambda_max
    return (f"lr = {lr:g}, too big: above 2/{lam} = {bound.bound_text()}, each step "
            f"overshoots along the steepest direction, multiplying the error there by "
            f"1 - {lr:g}*{bound.lambda_max:g} = {factor:.3g}.")


def _data_heading(obj: object, what: str, unicode: bool) -> FitHeading:
    equations = [Equation(obj.label, None, obj.expr)]
    equations += [Equation(obj.label, v, g) for v, g in zip(obj.names, obj.gradient)]
    return FitHeading(what, equations, unicode, brief=False)


def cars(unicode: bool) -> Sections:
    """A line through the car data: 1,000 steps, then the least-squares line."""
    obj = mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    res = descend(obj, [0, 0], lr=0.01, max_iter=1000, tol=None)
    heading = _data_heading(obj, f"{obj.rows} cars: mpg = w·weight + b, mean squared error"
                            if unicode else
                            f"{obj.rows} cars: mpg = w*weight + b, mean squared error", unicode)
    return Sections([
        ("fit", Run(heading, res, label=obj.label, digits=4,
                    table=Table(res, TableOptions(every=200, digits=4)),
                    least_squares=obj.least_squares())),
        (None, "After 1,000 steps the line is still far from the least-squares line: "
         "the loss surface is a long narrow valley (plot it with "
         "'symgd plot surface --data cars --model \"w*weight + b\" --target mpg "
         "--start 0,0 --lr 0.01 --max-iter 1000 -o cars.png').")])


def pizza(unicode: bool) -> Sections:
    """Pizzas against reservations: the slope in w, then w alone, then w and b."""
    columns = {"x": "Reservations", "y": "Pizzas"}
    alone = mse("w*x", "pizza", columns=columns)
    slope = float(alone.grad([0.5])[0])
    run_w = descend(alone, [0], lr=0.001, max_iter=100, tol=None)
    both = mse("w*x + b", "pizza", columns=columns, params=["w", "b"])
    run_wb = descend(both, [0, 0], lr=0.001, max_iter=20_000, tol=None)
    w, b = (float(v) for v in run_wb.x)
    d = "dL/dw"
    return Sections([
        (None, f"{alone.rows} days of reservations and pizzas sold; the model y = w·x"
         if unicode else f"{alone.rows} days of reservations and pizzas sold; the model y = w*x"),
        (None, f"At w = 0.5 the slope of the loss is {d} = {number(slope)}: negative, so "
         "the loss falls as w grows, and a step of gradient descent increases w."),
        ("w_alone", Run(_data_heading(alone, "y = w*x, mean squared error", unicode), run_w,
                        label=alone.label, digits=4,
                        table=Table(run_w, TableOptions(every=20, digits=4)))),
        (None, "With a bias b the line need not pass through 0:"),
        ("w_and_b", Run(_data_heading(both, "y = w*x + b, mean squared error", unicode),
                        run_wb, label=both.label, digits=4,
                        table=Table(run_wb, TableOptions(every=4000, digits=4)),
                        least_squares=both.least_squares())),
        (None, f"Prediction for 20 reservations: {number(w * 20 + b, 4)} pizzas.")])


# One report builder per name in symgd.cli.parser.DEMOS.
DEMO_REPORTS: dict[str, Callable[[bool], Sections]] = {
    "bowl": bowl, "york": york, "cars": cars, "pizza": pizza}

DEMO_SUMMARIES: dict[str, str] = {
    name: (build.__doc__ or "").strip().splitlines()[0] for name, build in DEMO_REPORTS.items()}


class DemoList(Report):
    """``symgd demo --list``: each demo's name and what it shows.

    >>> print(DemoList().text().splitlines()[0])
    bowl   z = x² + xy + y²: derivatives, a converging run, a step that is too big.
    """

    def text(self) -> str:
        width = max(map(len, DEMO_SUMMARIES))
        return "\n".join(f"{name:<{width}}  {summary}" for name, summary in DEMO_SUMMARIES.items())

    def markdown(self) -> str:
        return "\n".join(f"* `{name}`: {summary}" for name, summary in DEMO_SUMMARIES.items())

    def to_dict(self) -> dict[str, str]:
        return dict(DEMO_SUMMARIES)
