"""The analysis reports speak the one report interface, and StationaryPoints
still behaves as the sequence of points it replaces.

Where a test needs the exact solution, it allows the solve 30 s (not 1 s) so
that a busy machine does not turn it into the numeric search.
"""

from __future__ import annotations

import json
import pickle
import re

import numpy as np
import pytest

import symgd
from symgd.analysis import (Analysis, StationaryPoint, StationaryPoints, StepBound,
                            minimum_along, minimum_of)

BOWL = "x^2 + x*y + y^2"
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
DUMP = re.compile(r"\b[A-Z]\w*\([^)]*\b\w+=")     # ClassName(field=...: a dataclass dump


def reports():
    cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    himmelblau = symgd.stationary_points(HIMMELBLAU, timeout=30)
    return {
        "analysis": symgd.analyze(BOWL, lr=0.1, at=[1, 1], timeout=30),
        "analysis-local": symgd.analyze(HIMMELBLAU, lr=0.01, at=[0, 0]),
        "analysis-data": symgd.analyze(cars, lr=0.01),
        "bound": symgd.step_size_bound(BOWL),
        "bound-local": symgd.step_size_bound("x^4 + y^2", at=[1, 1]),
        "bound-none": symgd.step_size_bound("-(x^2 + y^2)"),
        "point": himmelblau[0],
        "points": himmelblau,
        "numeric-points": symgd.stationary_points("sin(x) + cos(y)", bounds=(-4, 4)),
        "circle": symgd.stationary_points("(x^2 + y^2 - 1)^2"),
        "no-points": symgd.stationary_points("x + 2*y", timeout=30),
    }


REPORTS = reports()


@pytest.mark.parametrize("name", list(REPORTS))
def test_the_report_interface(name):
    r = REPORTS[name]
    assert str(r) == r.text() and r.text()
    json.loads(r.to_json())
    md = r._repr_markdown_()
    assert md and len(md) < 3000 and not DUMP.search(md), md
    line = repr(r)
    assert "\n" not in line and len(line) < 150 and line.startswith(f"<{type(r).__name__}: ")
    assert not DUMP.search(line), line


def test_the_readme_point_line():
    a = REPORTS["analysis"]
    assert "  (x = 0, y = 0)  f = 0  minimum (Hessian eigenvalues 1, 3)" in a.text()
    assert a.stationary[0].text() == "(x = 0, y = 0)  f = 0  minimum (Hessian eigenvalues 1, 3)"


def test_analysis_json_is_the_summary_it_was():
    d = json.loads(REPORTS["analysis"].to_json())
    assert d["stationary_points"] == [{"point": {"x": 0.0, "y": 0.0}, "value": 0.0,
                                       "kind": "minimum", "eigenvalues": [1.0, 3.0],
                                       "exact": {"x": "0", "y": "0"}}]
    assert d["lr_bound"] == pytest.approx(2 / 3) and d["best_lr"] == pytest.approx(0.5)
    assert (d["contraction"], d["iterations"], d["solved_exactly"]) == (0.9, 189, True)


def test_a_local_analysis_writes_its_point_in_the_one_style():
    assert "At (x = 0, y = 0) the Hessian's eigenvalues" in REPORTS["analysis-local"].text()


def test_step_bound_words_and_data():
    b = REPORTS["bound"]
    assert isinstance(b, StepBound)
    assert b.text().splitlines()[0] == ("Fixed steps converge for 0 < lr < 2/λmax = 2/3; "
                                        "the fastest is lr = 2/(λmin + λmax) = 1/2.")
    assert b.bound_text() == "2/3" and b.best_text() == "1/2"
    assert b.to_dict() == {"lambda_min": 1.0, "lambda_max": 3.0, "bound": pytest.approx(2 / 3),
                           "best": 0.5, "exact_bound": "2/3", "exact_best": "1/2",
                           "quadratic": True}
    assert "near" in REPORTS["bound-local"].text()
    none = REPORTS["bound-none"]
    assert "no positive eigenvalue" in none.text() and none.to_dict()["bound"] is None


def test_stationary_point_data():
    p = REPORTS["point"]
    assert isinstance(p, StationaryPoint)
    d = p.to_dict()
    assert d["kind"] == "minimum" and d["exact"] == {"x": "3", "y": "2"}   # Himmelblau: exact
    assert set(d["point"]) == {"x", "y"}
    numeric = REPORTS["numeric-points"][0].to_dict()
    assert numeric["exact"] is None and "count" not in numeric


def test_a_degenerate_set_is_one_entry_with_its_data():
    [ring, top] = REPORTS["circle"]
    d = ring.to_dict()
    assert (d["kind"], d["dimension"], d["of"]) == ("degenerate set", 1, "minima")
    assert d["count"] > 400 and d["value"] == pytest.approx(0, abs=1e-12)
    assert ring.text().startswith("a curve of minima through (x = ")
    assert top.kind == "maximum" and top.point == {"x": 0.0, "y": 0.0}


def test_exact_irrational_coordinates_are_decimals_in_the_text_exact_in_the_data():
    points = symgd.stationary_points("(x^2 - 2)^2 + y^2", timeout=30)
    low = points[0]
    assert low.text().startswith("(x = -1.41421, y = 0)  f = 0  minimum")
    assert low.to_dict()["exact"] == {"x": "-sqrt(2)", "y": "0"}


def test_stationary_points_is_still_a_sequence_of_points():
    points = REPORTS["points"]
    assert isinstance(points, StationaryPoints) and isinstance(points, tuple)
    assert len(points) == 9 and points.solved_exactly is True     # provably all nine
    as_list = list(points)
    assert points == as_list and as_list == points and not (points != as_list)
    assert points == tuple(as_list) and points != as_list[:-1]
    assert points[0] is as_list[0] and points[-1].kind == "maximum"
    assert [p.kind for p in points].count("minimum") == 4
    assert points[:4] == as_list[:4] and isinstance(points[:4], StationaryPoints)
    assert sorted(points, key=lambda p: p.value) == as_list
    assert REPORTS["no-points"] == [] and not REPORTS["no-points"]
    again = pickle.loads(pickle.dumps(points))
    assert again == points and again.solved_exactly is True
    numeric = REPORTS["numeric-points"]
    again = pickle.loads(pickle.dumps(numeric))
    assert again == numeric and (again.method, again.box, again.starts) == \
        ("numeric", ((-4.0, 4.0), (-4.0, 4.0)), 512)


def test_stationary_points_text_and_markdown():
    points = REPORTS["points"]
    lines = points.text().splitlines()
    assert lines[0] == "9 stationary points (solved exactly):"
    assert len(lines) == 10 and all(line.startswith("  (x = ") for line in lines[1:])
    assert points.markdown().count("\n- ") == 9
    exact = symgd.stationary_points("x^3 - 3*x + y^2", timeout=30)
    assert exact.solved_exactly and exact.to_dict()["solved_exactly"] is True
    assert [p["kind"] for p in exact.to_dict()["points"]] == ["minimum", "saddle"]
    assert REPORTS["no-points"].text() == "No stationary points (solved exactly)."
    numeric = REPORTS["numeric-points"]
    assert numeric.text().splitlines()[0] == (
        "6 stationary points (found numerically in the box [-4, 4] × [-4, 4] from 512 starts; "
        "there may be others outside the box or between starts):")
    assert numeric.to_dict()["method"] == "numeric" and numeric.to_dict()["starts"] == 512


def test_many_points_are_listed_in_a_short_notebook_display():
    many = symgd.stationary_points("sin(x) + cos(y)", bounds=(-20, 20), starts=20_000)
    assert len(many) > 30
    md = many._repr_markdown_()
    assert len(md) < 3000 and "more" in md
    assert len(many.text().splitlines()) == len(many) + 1


def test_analysis_holds_the_points_it_reports():
    a = REPORTS["analysis"]
    assert isinstance(a, Analysis) and isinstance(a.stationary, StationaryPoints)
    assert a.exact_points and a.stationary.solved_exactly


# ------------------------------------------------------------- minima

def test_minimum_of_a_quadratic_bowl():
    np.testing.assert_allclose(minimum_of("x^2 + x*y + y^2 - 3*x"), [2, -1])
    assert minimum_of("x^2 - y^2") is None          # a saddle: no minimum
    assert minimum_of("(x + y)^2") is None          # a valley of minima: no single one
    assert minimum_of(HIMMELBLAU) is None           # not quadratic


def test_minimum_of_a_data_loss_is_least_squares():
    cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    X = np.column_stack([cars.data["weight"], np.ones(cars.rows)])
    expected = np.linalg.lstsq(X, cars.data["mpg"], rcond=None)[0]
    np.testing.assert_allclose(minimum_of(cars), expected, rtol=1e-9)


def test_minimum_along_one_variable():
    assert minimum_along(BOWL, "x", [0, 1]) == -0.5              # the parabola's vertex
    assert minimum_along("x^4 - 2*x^2 + y^2", "x", [0.5, 0], bounds=(0, 3)) == \
        pytest.approx(1.0, abs=1e-7)
    assert minimum_along("x^3 + y", "x", [0, 0]) is None          # lowest at the box's end
    with pytest.raises(symgd.InputError):
        minimum_along(BOWL, "x", [0, 0], bounds=(1, 0))
