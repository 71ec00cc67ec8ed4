"""Tests of symgd.reporting: iteration tables and derivative summaries."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pytest

from symgd import InputError, InputTypeError, Objective, descend
from symgd.descent.table import (TABLE_FORMATS, derivatives_dict, derivatives_text,
                             format_table)

from oracles import BOWL


@pytest.fixture(scope="module")
def run():
    # irregular numbers so that rounding to `digits` is visible
    return descend(BOWL, [1.23456789, -0.987654321], lr=0.123, max_iter=23)


def significant_digits(cell: str) -> int:
    mantissa = cell.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa)


def test_table_formats_listed():
    assert TABLE_FORMATS == ("text", "markdown", "latex", "csv", "json")


def test_text_table_doctest_example():
    res = descend(BOWL, [1, 1], lr=0.1, max_iter=3)
    assert format_table(res.history, digits=4) == (
        "iteration      x      y    loss  grad_norm\n"
        "        0      1      1       3      4.243\n"
        "        1    0.7    0.7    1.47       2.97\n"
        "        2   0.49   0.49  0.7203      2.079\n"
        "        3  0.343  0.343  0.3529      1.455")


def test_text_table_columns_and_rows(run):
    lines = format_table(run.history).splitlines()
    assert lines[0].split() == ["iteration", "x", "y", "loss", "grad_norm"]
    assert len(lines) == 1 + len(run.history) == 25
    # right-aligned columns: all lines have the same width
    assert len({len(line) for line in lines}) == 1
    for k, line in enumerate(lines[1:]):
        cells = line.split()
        assert int(cells[0]) == k
        values = [float(c) for c in cells[1:]]
        expected = [*run.history.x[k], run.history.loss[k], run.history.grad_norm[k]]
        assert values == pytest.approx(expected, rel=1e-5)


def test_text_table_gradient_columns(run):
    lines = format_table(run.history, gradient=True).splitlines()
    assert lines[0].split() == ["iteration", "x", "y", "loss", "df/dx", "df/dy", "grad_norm"]
    cells = [float(c) for c in lines[3].split()]
    assert cells[4:6] == pytest.approx(list(run.history.grad[2]), rel=1e-5)


@pytest.mark.parametrize("every", [1, 2, 5, 7, 10, 23, 24, 100])
def test_every_keeps_last_row(run, every):
    lines = format_table(run.history, every=every).splitlines()
    iterations = [int(line.split()[0]) for line in lines[1:]]
    expected = list(range(0, 24, every))
    if expected[-1] != 23:
        expected.append(23)
    assert iterations == expected
    assert iterations[0] == 0 and iterations[-1] == run.nit


@pytest.mark.parametrize("digits", [1, 2, 3, 6, 10])
def test_digits_respected(run, digits):
    lines = format_table(run.history, digits=digits).splitlines()[1:]
    cells = [c for line in lines for c in line.split()[1:]]
    assert all(significant_digits(c) <= digits for c in cells)
    assert max(significant_digits(c) for c in cells) == digits


def test_markdown_table(run):
    lines = format_table(run.history, every=10, fmt="markdown").splitlines()
    assert lines[0] == "| iteration | x | y | loss | grad_norm |"
    assert lines[1] == "|---:|---:|---:|---:|---:|"
    assert "|---:|" in lines[1]
    assert len(lines) == 2 + 4  # iterations 0, 10, 20, 23
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines[2:])
    assert lines[-1].startswith("| 23 |")


def test_latex_table(run):
    text = format_table(run.history, every=10, fmt="latex", gradient=True)
    lines = text.splitlines()
    assert lines[0] == r"\begin{tabular}{rrrrrrr}"
    assert r"\toprule" in lines and r"\midrule" in lines and r"\bottomrule" in lines
    assert lines.index(r"\toprule") < lines.index(r"\midrule") < lines.index(r"\bottomrule")
    assert lines[-1] == r"\end{tabular}"
    header = lines[2]
    assert header.startswith("iteration & $x$ & $y$ & loss")
    assert r"$\partial f/\partial x$" in header
    assert r"$\lVert\nabla f\rVert$" in header
    body = lines[lines.index(r"\midrule") + 1:lines.index(r"\bottomrule")]
    assert len(body) == 4
    assert all(row.endswith(r" \\") and row.count("&") == 6 for row in body)


def test_latex_greek_names():
    res = descend("alpha^2 + beta^2", [1, 1], lr=0.1, max_iter=1)
    text = res.table(fmt="latex")
    assert r"$\alpha$" in text and r"$\beta$" in text


@pytest.mark.parametrize("digits", [3, 6, 12])
def test_csv_round_trip(run, digits):
    text = format_table(run.history, digits=digits, fmt="csv", gradient=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["iteration", "x", "y", "loss", "df/dx", "df/dy", "grad_norm"]
    assert len(rows) == 1 + len(run.history)
    table = np.asarray(run.history)
    for k, row in enumerate(rows[1:]):
        assert int(row[0]) == table[k, 0]
        values = [float(v) for v in row[1:]]
        assert values == pytest.approx(list(table[k, 1:]), rel=10.0 ** (1 - digits))
        # exactly the value printed to `digits` significant digits
        assert row[1:] == [f"{v:.{digits}g}" for v in table[k, 1:]]
    assert not text.endswith("\n")


def test_json_table(run):
    text = format_table(run.history, every=5, fmt="json", gradient=True)
    rows = json.loads(text)
    assert [r["iteration"] for r in rows] == [0, 5, 10, 15, 20, 23]
    assert all(isinstance(r["iteration"], int) for r in rows)
    assert list(rows[0]) == ["iteration", "x", "y", "loss", "df/dx", "df/dy", "grad_norm"]
    last = rows[-1]
    # json keeps full precision
    assert last["x"] == run.x[0] and last["y"] == run.x[1]
    assert last["loss"] == run.fun
    assert [last["df/dx"], last["df/dy"]] == list(run.jac)


def test_json_table_non_finite_become_null():
    res = descend("log(x)", [1], lr=2)
    text = res.table(fmt="json")

    def no_constants(name):
        raise AssertionError(f"non-JSON constant {name}")
    rows = json.loads(text, parse_constant=no_constants)
    assert rows[-1]["loss"] is None
    assert rows[0]["loss"] == 0.0


def test_non_finite_in_text_table():
    res = descend("log(x)", [1], lr=2)
    last = res.table().splitlines()[-1].split()
    assert last[0] == "1" and last[2] == "nan"


def test_result_table_matches_format_table(run):
    for fmt in TABLE_FORMATS:
        assert run.table(every=4, digits=3, fmt=fmt, gradient=True) == format_table(
            run.history, every=4, digits=3, fmt=fmt, gradient=True)


def test_single_row_table():
    res = descend(BOWL, [0, 0], lr=0.1)
    lines = res.table(every=10).splitlines()
    assert len(lines) == 2 and lines[1].split()[0] == "0"


@pytest.mark.parametrize("kw,error,word", [
    ({"every": 0}, InputError, "every"),
    ({"every": -3}, InputError, "every"),
    ({"every": 1.5}, InputTypeError, "every"),
    ({"every": "2"}, InputTypeError, "every"),
    ({"every": True}, InputTypeError, "every"),
    ({"digits": 0}, InputError, "digits"),
    ({"digits": -1}, InputError, "digits"),
    ({"digits": 2.0}, InputTypeError, "digits"),
    ({"fmt": "html"}, InputError, "markdown"),
    ({"fmt": "TEXT"}, InputError, "format"),
])
def test_bad_table_arguments(run, kw, error, word):
    with pytest.raises(error, match=word):
        format_table(run.history, **kw)
    with pytest.raises(error):
        run.table(**kw)


# ------------------------------------------------------------ derivatives

def test_derivatives_dict():
    d = derivatives_dict(Objective("z = x^2 + x*y + y^2"))
    assert d == {"name": "z", "expression": "x**2 + x*y + y**2",
                 "variables": ["x", "y"],
                 "gradient": ["2*x + y", "x + 2*y"],
                 "hessian": [["2", "1"], ["1", "2"]]}
    assert json.loads(json.dumps(d)) == d


def test_derivatives_dict_unnamed_and_ordered():
    d = derivatives_dict(Objective("x^2 + 3*x*y", variables=("y", "x")))
    assert d["name"] == "f"
    assert d["variables"] == ["y", "x"]
    assert d["gradient"] == ["3*x", "2*x + 3*y"]
    assert d["hessian"] == [["0", "3"], ["3", "2"]]


def test_derivatives_text_ascii():
    text = derivatives_text(Objective("z = x^2 + x*y + y^2"), unicode=False)
    assert text == ("z(x, y) = x**2 + x*y + y**2\n\n"
                    "dz/dx = 2*x + y\n"
                    "dz/dy = x + 2*y\n\n"
                    "grad z = (2*x + y, x + 2*y)\n\n"
                    "Hessian:\n"
                    "[2, 1]\n"
                    "[1, 2]")
    text.encode("ascii")


def test_derivatives_text_unicode():
    text = derivatives_text(Objective("z = x^2 + x*y + y^2"))
    assert "∂z/∂x = 2*x + y" in text
    assert "∂z/∂y = x + 2*y" in text
    assert "∇z = (2*x + y, x + 2*y)" in text


def test_derivatives_text_hessian_alignment():
    text = derivatives_text(Objective("x^4 + x*y"), unicode=False)
    hess = text.split("Hessian:\n")[1].splitlines()
    assert hess == ["[12*x**2, 1]", "[      1, 0]"]


def test_derivatives_latex():
    text = derivatives_text(Objective("z = x^2 + x*y + y^2"), latex=True)
    lines = text.splitlines()
    assert lines[0] == "z(x, y) = x^{2} + x y + y^{2}"
    assert r"\frac{\partial z}{\partial x} = 2 x + y" in lines
    assert r"\frac{\partial z}{\partial y} = x + 2 y" in lines
    assert any(line.startswith(r"\nabla z = \left(") for line in lines)
    assert re.search(r"H = \\left\[\\begin\{matrix\}2 & 1\\\\1 & 2", text)


def test_numpy_integers_are_accepted_for_every_and_digits():
    res = descend("x^2 + x*y + y^2", [1, 1], lr=0.1, max_iter=4)
    assert format_table(res.history, every=np.int64(2), digits=np.int32(3)) == \
        format_table(res.history, every=2, digits=3)


# ------------------------------------------------------ exact arithmetic

def test_car_lesson_table_in_exact_arithmetic():
    import symgd
    cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    res = descend(cars, [0, 0], lr=0.01, max_iter=5, exact=True)
    import sympy as sp
    first, second = res.history.exact[0], res.history.exact[1]
    assert first[2] == sp.Rational(2126, 7)                     # loss 303.71...
    assert first[3:5] == (sp.Rational(-41901, 350), sp.Rational(-240, 7))
    assert second[:2] == (sp.Rational(41901, 35000), sp.Rational(12, 35))
    lines = res.table(first=1, digits=5, exact=True).splitlines()
    assert lines[1].split() == ["1", "0", "0", "303.71", "124.53"]
    w, b = lines[2].split()[1:3]
    assert (round(float(w), 1), round(float(b), 2)) == (1.2, 0.34)  # the lesson's rounding
    rows = json.loads(res.table(exact=True, fmt="json"))
    assert rows[1]["w"] == "41901/35000"


def test_exact_rows_round_half_up():
    res = descend("x^2", [0.25], lr=0.25, max_iter=1, exact=1)
    # x1 = 0.25 - 0.25*0.5 = 0.125 exactly: three digits, then two (half up)
    assert res.table(exact=True, digits=3).splitlines()[2].split()[1] == "0.125"
    assert res.table(exact=True, digits=2).splitlines()[2].split()[1] == "0.13"


def test_exact_needs_the_fixed_rule_and_a_polynomial_loss():
    import symgd
    with pytest.raises(InputError):
        descend("x^2", 1, lr=0.1, exact=True, step="adam")
    with pytest.raises(InputError):
        descend("x^2", 1, lr=0.1, exact=1000)
    rng = np.random.default_rng(0)
    x = rng.normal(size=20)
    L = symgd.log_loss("sigmoid(w*x)", {"x": x, "y": (x > 0).astype(float)})
    with pytest.raises(symgd.ObjectiveError):
        descend(L, 0, lr=0.1, exact=True)
    with pytest.raises(InputError, match="exact=True"):
        descend("x^2", 1, lr=0.1, max_iter=2).table(exact=True)


def test_result_html_for_notebooks():
    res = descend("x^2 + y^2", [1, 2], lr=0.1)
    html = res._repr_html_()
    assert "<table>" in html and "converged" in html and "grad_norm" in html
    assert "…" in html            # long histories are shortened
