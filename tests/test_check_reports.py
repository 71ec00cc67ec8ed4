"""Every report the checks hand back has the one report interface: ``str()``
is the text, JSON is the plain data made safe, a notebook shows short
Markdown and ``repr()`` is one short line, never a dump of fields."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

import symgd
from symgd._report import Report
from symgd._text import json_safe
from symgd.check import (ComponentCheck, Counterexample, GradientReport, HessianReport,
                         LossRow, Mistake, NumericComponent, NumericReport, StepRow,
                         StepsReport, check_grad, check_gradient, check_hessian, check_steps)

BOWL = "x^2 + x*y + y^2"
CARS = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
LESSON_ROWS = [(0, 0), (1.2, 0.34), (2.75, 0.59), (3.17, 0.72), (3.47, 0.82), (3.68, 0.9)]
LESSON_LOSSES = [303.71, 170.67, 67.3, 50.63, 42.1, 37.74]
DATACLASS_DUMP = re.compile(r"\b[A-Z]\w*\(\w+=")


def wrong_gradient() -> GradientReport:
    return check_gradient(BOWL, "2x + y, -x - 2y")


def data_gradient() -> GradientReport:
    return check_gradient(CARS, "2*(w*weight + b - mpg), 2*(w*weight + b - mpg)")


def wrong_hessian() -> HessianReport:
    return check_hessian("x^2*y + y^3", "2y, 2x; 2y, 3y")


def numeric() -> NumericReport:
    def grad(v):
        g = rosen_der(v)
        g[3] *= 1.001
        return g
    return check_grad(rosen, grad, np.array([1.3, 0.7, 0.8, 1.9, 1.2]))


def steps() -> StepsReport:
    return check_steps(CARS, LESSON_ROWS, 0.01, losses=LESSON_LOSSES)


def component() -> ComponentCheck:
    return wrong_gradient()[1]


def undefined_component() -> ComponentCheck:
    return check_gradient("x*log(abs(x))", "log(x) + 1")[0]


BUILDERS = {
    "GradientReport": wrong_gradient, "GradientReport (data loss)": data_gradient,
    "HessianReport": wrong_hessian, "NumericReport": numeric, "StepsReport": steps,
    "ComponentCheck": component, "ComponentCheck (undefined)": undefined_component,
    "Counterexample": lambda: component().counterexample,
    "Mistake": lambda: component().mistake,
    "NumericComponent": lambda: numeric().worst,
    "StepRow": lambda: steps().bad_rows[0],
    "LossRow": lambda: steps().losses[2],
}


@pytest.fixture(scope="module", params=list(BUILDERS))
def report(request):
    return BUILDERS[request.param]()


def test_is_a_report(report):
    assert isinstance(report, Report)


def test_str_is_the_text(report):
    assert str(report) == report.text() and report.text()


def test_json_is_the_plain_data_made_safe(report):
    data = json.loads(report.to_json())
    assert data == json_safe(report.to_dict())


def test_notebook_shows_short_markdown(report):
    md = report._repr_markdown_()
    assert md and len(md) < 3000
    assert not DATACLASS_DUMP.search(md), md


def test_repr_is_one_short_line(report):
    text = repr(report)
    assert "\n" not in text and len(text) < 150
    assert text.startswith(f"<{type(report).__name__}: ")
    assert not DATACLASS_DUMP.search(text), text


def test_the_markdown_tables():
    md = wrong_gradient()._repr_markdown_()
    assert md.startswith("**Checking the gradient of `x**2 + x*y + y**2` (variables x, y)**")
    assert "| ∂f/∂y | `-x - 2y` | **WRONG** |" in md
    assert "the right partial is x + 2\\*y |" in md          # escaped outside code spans
    assert "| x[3] |" in numeric().markdown() and "**WRONG**" in numeric().markdown()
    assert "| 2 | (w = 2.75, b = 0.59) |" in steps().markdown()


def test_points_are_written_one_way():
    c = component()
    assert c.counterexample.where() == "(x = 0.68, y = -1.15)"
    assert str(c.counterexample) == "at (x = 0.68, y = -1.15) claimed 1.62, true -1.62"
    assert numeric().headline().startswith(
        "Gradient check at (x[0] = 1.3, x[1] = 0.7, x[2] = 0.8, x[3] = 1.9, x[4] = 1.2)")
    assert "(e.g. at (x = " in undefined_component().summary()


def test_printed_digits_are_kept_in_a_rounded_row():
    report = check_steps(BOWL, [[1, 1], [0.7, 0.7], [0.5, 0.5]], 0.1, decimals=2)
    assert "which rounds to (x = 0.49, y = 0.49)" in str(report)
    report = check_steps(BOWL, [[1, 1], ["0.70", "0.71"]], 0.1)
    assert "which rounds to (x = 0.70, y = 0.70)" in str(report)


def test_long_points_are_shortened():
    n = 30
    names = [f"x{i}" for i in range(1, n + 1)]
    report = check_gradient(" + ".join(f"{v}^2" for v in names),
                            ", ".join(f"2*{v}" for v in names[:-1]) + f", -2*{names[-1]}")
    where = report[n - 1].counterexample.where()
    assert where.endswith("; 30 coordinates)") and len(where) < 150
    assert len(repr(report)) < 150


def test_the_parts_are_records_with_the_report_interface():
    for cls in (Counterexample, Mistake, ComponentCheck, GradientReport, NumericComponent,
                NumericReport, StepRow, LossRow, StepsReport):
        assert issubclass(cls, Report)
        assert cls.__repr__ is Report.__repr__, cls   # the dataclass repr is not generated
