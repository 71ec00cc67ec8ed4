"""Tests of symgd.plot: what each figure contains, not its pixels.

The data a figure drew (returned in a ``Drawn``) is checked against
independent oracles: the run's own history, ``numpy.linalg.lstsq`` for the
car lesson's minimum, the pizza lesson's derivative written out in NumPy,
the closed-form minimum of a quadratic.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")            # before pyplot: files only, no window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import symgd  # noqa: E402
from symgd import InputError, InputTypeError, ObjectiveError, Status  # noqa: E402
from symgd.plot import common  # noqa: E402
from symgd.plot import (Drawn, plot_contour, plot_fit, plot_learning_rates,  # noqa: E402
                        plot_loss, plot_slice, plot_snapshots, plot_surface, save)

from oracles import BOWL, CARS_MPG, CARS_WEIGHT, PIZZA_COLUMNS, cars_loss  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def bowl_run():
    return symgd.descend(BOWL, start=[2, 1], lr=0.1)


@pytest.fixture(scope="module")
def cars():
    return cars_loss()


@pytest.fixture(scope="module")
def cars_run(cars):
    return symgd.descend(cars, start=[0, 0], lr=0.03, max_iter=1000, tol=None)


@pytest.fixture(scope="module")
def pizza_xy():
    return np.loadtxt(symgd.dataset_path("pizza"), skiprows=1, unpack=True)


def cars_lstsq():
    design = np.column_stack([CARS_WEIGHT, np.ones_like(CARS_WEIGHT)])
    return np.linalg.lstsq(design, CARS_MPG, rcond=None)[0]


def bowl(x, y):
    return x**2 + x * y + y**2


# ------------------------------------------------------------------ basics

def test_importing_plotting_does_not_import_matplotlib():
    code = ("import sys, symgd, symgd.plot, symgd.plot.common, symgd.plot.curves, "
            "symgd.plot.contour, symgd.plot.data, symgd.plot.rates; "
            "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "False", done.stderr


def test_a_gui_backend_becomes_agg_without_a_display(monkeypatch):
    calls = []
    monkeypatch.setattr(common, "headless", lambda: True)
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "TkAgg")
    monkeypatch.setattr(matplotlib, "use", lambda name: calls.append(name))
    common.pyplot()
    assert calls == ["Agg"]


@pytest.mark.parametrize("backend,headless", [("svg", True), ("module://my_backend", True),
                                              ("QtAgg", False)])
def test_a_chosen_backend_is_kept(monkeypatch, backend, headless):
    calls = []
    monkeypatch.setattr(common, "headless", lambda: headless)
    monkeypatch.setattr(matplotlib, "get_backend", lambda: backend)
    monkeypatch.setattr(matplotlib, "use", lambda name: calls.append(name))
    common.pyplot()
    assert calls == []


def test_drawn_is_frozen(bowl_run):
    d = plot_loss(bowl_run)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.kind = "other"
    assert isinstance(d, Drawn) and d.figure is d.axes.figure


DUMP = re.compile(r"\b[A-Z]\w*\([^)]*\b\w+=")     # ClassName(field=...: a dataclass dump


def test_drawn_reads_as_a_report(bowl_run):
    d = plot_contour(BOWL, bowl_run, arrows=3)
    assert repr(d) == f"<Drawn: contour plot of f with a path of {bowl_run.nit} steps>"
    assert str(d) == d.text()
    lines = d.text().splitlines()
    assert lines[1].startswith("path: from (x = 2, y = 1) to (x = ")
    assert "minimum: (x = 0, y = 0)" in lines and "arrows: 9 arrows of -∇f" in lines
    data = json.loads(d.to_json())
    assert data["kind"] == "contour" and data["points"] == len(bowl_run.history)
    assert data["minimum"] == [0.0, 0.0] and data["arrows"] == 9 and data["names"] == ["x", "y"]
    md = d._repr_markdown_()
    assert len(md) < 3000 and not DUMP.search(md) and not DUMP.search(repr(d))


def test_drawn_of_several_panels_lists_them(cars, cars_run):
    d = plot_learning_rates(BOWL, start=[2, 1])
    lines = d.text().splitlines()
    assert lines[0] == "learning-rate panels of f: 3 learning rates"
    assert [line.split(":")[0] for line in lines[1:4]] == ["panel 1", "panel 2", "panel 3"]
    assert [p["outcome"] for p in json.loads(d.to_json())["panels"]] == \
        ["slow", "converged", "diverged"]
    fit = plot_fit(cars, cars_run)
    assert repr(fit) == "<Drawn: fit of L at iterations 1, 200, 1000>"
    assert "residuals: 7 lines" in fit.text()
    loss = plot_loss(cars_run, name="L")
    assert repr(loss) == "<Drawn: loss curve of L over 1001 iterates>"
    piece = plot_slice(BOWL, "x", at={"y": 1}, tangent_at=1)
    assert "minimum: (x = -0.5), f = 0.75" in piece.text()
    assert "tangent: slope 3" in piece.text()


def test_plots_draw_on_the_given_axes(bowl_run):
    fig, ax = plt.subplots()
    d = plot_contour(BOWL, bowl_run, ax=ax, colorbar=False)
    assert d.axes is ax and d.figure is fig


def test_a_non_axes_is_refused(bowl_run):
    with pytest.raises(InputTypeError, match="matplotlib Axes"):
        plot_loss(bowl_run, ax="not axes")


# ------------------------------------------------------------------ loss curve

def test_loss_curve_is_the_history(bowl_run):
    d = plot_loss(bowl_run)
    np.testing.assert_array_equal(d.x, bowl_run.history.iteration)
    np.testing.assert_array_equal(d.y, bowl_run.history.loss)
    assert d.axes.get_yscale() == "linear"
    assert d.xlabel == "iteration $t$" and d.ylabel == "loss $f(x, y)$"
    assert "converged in 172 steps" in d.title
    line = d.axes.get_lines()[0]
    np.testing.assert_array_equal(line.get_ydata(), bowl_run.history.loss)


def test_loss_curve_on_a_log_scale(cars_run):
    d = plot_loss(cars_run.history, log=True, name="L")
    assert d.axes.get_yscale() == "log"
    assert d.offset == 0.0 and d.ylabel == "loss $L(w, b)$"
    np.testing.assert_array_equal(d.y, cars_run.history.loss)


def test_log_scale_subtracts_the_lowest_loss_when_losses_are_negative():
    res = symgd.descend("x^2 - 1", start=2, lr=0.1, max_iter=30, tol=None)
    d = plot_loss(res, log=True)
    low = res.history.loss.min()
    assert d.offset == low < 0
    assert d.axes.get_yscale() == "log" and "lowest" in d.ylabel
    shifted = res.history.loss - low
    drawn = shifted > 0
    np.testing.assert_allclose(d.y[drawn], shifted[drawn])
    assert np.isnan(d.y[~drawn]).all() and (~drawn).sum() == 1


def test_log_scale_refuses_a_flat_non_positive_loss():
    hist = symgd.History(("x",), [[0.0], [0.0]], [0.0, 0.0], [[0.0], [0.0]], [0.0, 0.0])
    with pytest.raises(InputError, match="log scale"):
        plot_loss(hist, log=True)
    assert plot_loss(hist).y.tolist() == [0.0, 0.0]       # linear is fine


def test_loss_curve_of_a_diverging_run_skips_non_finite_losses():
    res = symgd.descend("exp(x^2)", start=3, lr=1.0, max_iter=50)
    assert not np.isfinite(res.history.loss).all()
    d = plot_loss(res)
    finite = np.isfinite(res.history.loss)
    np.testing.assert_array_equal(d.y[finite], res.history.loss[finite])
    assert np.isnan(d.y[~finite]).all()


def test_loss_curve_needs_a_result():
    with pytest.raises(InputTypeError, match="Result"):
        plot_loss([1, 2, 3])


# ------------------------------------------------------------------ contour

def test_contour_path_start_end_and_exact_minimum(bowl_run):
    d = plot_contour(BOWL, bowl_run)
    np.testing.assert_array_equal(d.x, bowl_run.history.x[:, 0])
    np.testing.assert_array_equal(d.y, bowl_run.history.x[:, 1])
    np.testing.assert_array_equal(d.start, [2, 1])
    np.testing.assert_array_equal(d.end, bowl_run.x)
    assert d.minimum.tolist() == [0.0, 0.0]            # grad = 0 solved exactly
    assert (d.xlabel, d.ylabel) == ("$x$", "$y$")
    assert "x^{2}" in d.title
    assert {"start", "minimum"} <= set(d.legend)
    assert any("nabla" in entry for entry in d.legend)


def test_contour_default_bounds_hold_the_path_and_the_minimum(bowl_run):
    d = plot_contour(BOWL, bowl_run, arrows=False)
    (x0, x1), (y0, y1) = d.bounds
    path = bowl_run.history.x
    assert x0 < path[:, 0].min() and path[:, 0].max() < x1
    assert y0 < path[:, 1].min() and path[:, 1].max() < y1
    assert d.axes.get_xlim() == pytest.approx((x0, x1))


def test_contour_arrows_point_downhill():
    d = plot_contour(BOWL, bounds=[(-1, 1), (-2, 2)], arrows=4)
    assert d.arrows.shape == (16, 4)
    x, y, u, v = d.arrows.T
    np.testing.assert_allclose(u, -(2 * x + y))       # -df/dx
    np.testing.assert_allclose(v, -(x + 2 * y))       # -df/dy
    moved = bowl(x + 1e-3 * u, y + 1e-3 * v)
    assert np.all(moved[np.hypot(u, v) > 0] < bowl(x, y)[np.hypot(u, v) > 0])


def test_contour_arrows_along_the_path(bowl_run):
    d = plot_contour(BOWL, bowl_run, arrows="path")
    assert 2 <= len(d.arrows) <= 6
    for x, y, u, v in d.arrows:
        row = np.flatnonzero((bowl_run.history.x == [x, y]).all(axis=1))[0]
        np.testing.assert_array_equal([u, v], -bowl_run.history.grad[row])


def test_contour_of_the_car_lesson_marks_the_least_squares_fit(cars, cars_run):
    d = plot_contour(cars, cars_run)
    np.testing.assert_allclose(d.minimum, cars_lstsq(), rtol=1e-10)
    assert (d.xlabel, d.ylabel) == ("$w$", "$b$")
    assert "M = 7" in d.title


def test_contour_marks_a_given_minimum(bowl_run):
    d = plot_contour(BOWL, bowl_run, minimum={"x": 0.5, "y": -0.5})
    assert d.minimum.tolist() == [0.5, -0.5]


def test_contour_of_a_non_quadratic_marks_the_minimum_stationary_points_finds():
    res = symgd.descend("exp(x) - x + y^2", start=[1, 1], lr=0.3)
    assert res.success
    d = plot_contour("exp(x) - x + y^2", res)
    # the minimum stationary_points finds nearest the run's end (here exact, 0)
    np.testing.assert_allclose(d.minimum, res.x, atol=1e-7)
    failed = symgd.descend("exp(x) - x + y^2", start=[1, 1], lr=0.3, max_iter=3)
    np.testing.assert_allclose(plot_contour("exp(x) - x + y^2", failed).minimum, [0, 0],
                               atol=1e-12)
    # no minimum at all: nothing is marked
    assert plot_contour("x - y", symgd.descend("x - y", [0, 0], lr=0.1,
                                               max_iter=3)).minimum is None


def test_contour_of_a_saddle_marks_no_minimum():
    assert plot_contour("x^2 - y^2").minimum is None


def test_contour_of_a_diverging_run_keeps_a_finite_frame():
    res = symgd.descend(BOWL, start=[2, 1], lr=0.9)
    assert res.status == Status.DIVERGED
    d = plot_contour(BOWL, res)
    (x0, x1), (y0, y1) = d.bounds
    assert max(abs(x0), abs(x1), abs(y0), abs(y1)) < 10        # start and minimum in view
    assert x0 < 0 < 2 < x1 and y0 < 0 < 1 < y1
    assert np.abs(res.history.x).max() > 1000                   # the path leaves the frame
    np.testing.assert_array_equal(d.x, res.history.x[:, 0])


def test_contour_of_a_row_by_row_data_loss_is_fast():
    loss = symgd.mae("w*x + b", "pizza", columns=PIZZA_COLUMNS)
    res = symgd.descend(loss, start=[1, 10], lr=0.01, max_iter=50)
    begin = time.perf_counter()
    d = plot_contour(loss, res, resolution=60)
    assert time.perf_counter() - begin < 3.0
    assert np.isfinite(d.x).all()


def test_contour_uses_latex_names():
    d = plot_contour("alpha^2 + beta^2", arrows=False)
    assert (d.xlabel, d.ylabel) == (r"$\alpha$", r"$\beta$")


@pytest.mark.parametrize("expr", ["x^2", "x^2 + y^2 + z^2"])
def test_contour_needs_exactly_two_variables(expr):
    with pytest.raises(ObjectiveError, match="exactly 2 variables"):
        plot_contour(expr)


@pytest.mark.parametrize("kwargs,match", [
    ({"bounds": [(1, 0), (0, 1)]}, "low < high"),
    ({"bounds": [0, 1]}, "two numbers"),
    ({"bounds": 3}, r"\(x0, x1\)"),
    ({"levels": 1}, "at least 2"),
    ({"arrows": "everywhere"}, "arrows"),
    ({"arrows": "path"}, "needs a result"),
    ({"resolution": 2}, "resolution"),
    ({"minimum": [1, 2, 3]}, "3 values"),
])
def test_contour_refuses_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        plot_contour(BOWL, **kwargs)


def test_contour_outside_the_domain_says_so():
    with pytest.raises(ObjectiveError, match="not finite anywhere"):
        plot_contour("log(x) + log(y)", bounds=[(-2, -1), (-2, -1)])


def test_contour_refuses_a_run_of_other_variables():
    res = symgd.descend("a^2 + b^2", start=[1, 1], lr=0.1)
    with pytest.raises(InputError, match="variables"):
        plot_contour(BOWL, res)


@settings(max_examples=8, deadline=None)
@given(a=st.floats(0.5, 4), c=st.floats(0.5, 4), b=st.floats(-0.9, 0.9),
       d=st.integers(-5, 5), e=st.integers(-5, 5))
def test_contour_marks_the_minimum_of_every_positive_definite_quadratic(a, b, c, d, e):
    b = float(b * 2 * np.sqrt(a * c))                       # keeps 4ac - b^2 > 0
    x, y = sp.symbols("x y")
    obj = symgd.Objective(a * x**2 + b * x * y + c * y**2 + d * x + e * y)
    drawn = plot_contour(obj, arrows=False, filled=False, resolution=8)
    exact = np.linalg.solve([[2 * a, b], [b, 2 * c]], [-d, -e])
    np.testing.assert_allclose(drawn.minimum, exact, rtol=1e-9, atol=1e-9)
    plt.close("all")


# ------------------------------------------------------------------ surface

def test_surface_path_is_drawn_at_its_losses(cars, cars_run):
    d = plot_surface(cars, cars_run)
    assert d.axes.name == "3d"
    np.testing.assert_array_equal(d.x, cars_run.history.x[:, 0])
    np.testing.assert_array_equal(d.y, cars_run.history.x[:, 1])
    np.testing.assert_array_equal(d.z, cars_run.history.loss)
    w, b = cars_lstsq()
    lowest = np.mean((w * CARS_WEIGHT + b - CARS_MPG) ** 2)
    np.testing.assert_allclose(d.minimum, [w, b, lowest], rtol=1e-9)
    assert (d.xlabel, d.ylabel, d.zlabel) == ("$w$", "$b$", "$L$")


def test_surface_clipped_like_a_bowl(bowl_run):
    d = plot_surface(BOWL, bowl_run, clip=True, view=(20, 30))
    assert d.minimum.tolist() == [0.0, 0.0, 0.0]
    assert d.axes.elev == 20 and d.axes.azim == 30


def test_surface_needs_3d_axes(bowl_run):
    _, ax = plt.subplots()
    with pytest.raises(InputError, match="3-D"):
        plot_surface(BOWL, bowl_run, ax=ax)


def test_surface_needs_two_variables():
    with pytest.raises(ObjectiveError, match="exactly 2"):
        plot_surface("x^2")


# ------------------------------------------------------------------ slice

def test_pizza_hiker_tangent_has_the_exact_slope(pizza_xy):
    X, Y = pizza_xy
    loss = symgd.mse("w*x", "pizza", columns=PIZZA_COLUMNS)
    d = plot_slice(loss, "w", bounds=(-1, 4), tangent_at=0.5)
    assert d.slope == pytest.approx(2 * np.mean(X * (0.5 * X - Y)), rel=1e-12)
    best = np.sum(X * Y) / np.sum(X * X)                 # dL/dw = 0
    assert d.minimum[0] == pytest.approx(best, rel=1e-12)
    assert d.minimum[1] == pytest.approx(np.mean((best * X - Y) ** 2), rel=1e-12)
    expected = np.mean((d.x[:, None] * X - Y) ** 2, axis=1)
    np.testing.assert_allclose(d.y, expected, rtol=1e-12)
    assert d.x[0] == -1 and d.x[-1] == 4
    (t0, t1), (f0, f1) = d.curves["tangent"]
    assert (f1 - f0) / (t1 - t0) == pytest.approx(d.slope)
    assert f0 + d.slope * (0.5 - t0) == pytest.approx(np.mean((0.5 * X - Y) ** 2))
    assert d.xlabel == "$w$" and d.ylabel == "$L(w)$"
    assert any("minimum" in entry for entry in d.legend)


def test_slice_of_two_variables_holds_the_others_fixed():
    d = plot_slice(BOWL, "y", at={"x": 2}, tangent_at=0)
    assert d.slope == 2.0                                 # x + 2y at (2, 0)
    assert d.minimum.tolist() == [-1.0, 3.0]               # y = -x/2, z = 4 - 2 + 1
    np.testing.assert_allclose(d.y, bowl(2, d.x))
    assert "x = 2" in d.title and d.ylabel == "$f(y)$"


def test_slice_defaults_to_the_minimum_of_a_quadratic():
    d = plot_slice("(x - 1)^2 + (y + 2)^2 + x*y", "x")
    exact = np.linalg.solve([[2, 1], [1, 2]], [2, -4])
    assert d.minimum[0] == pytest.approx(exact[0])
    assert d.slope is None and "tangent" not in d.curves


def test_slice_of_a_non_quadratic_searches_its_minimum():
    d = plot_slice("cos(x)", "x", bounds=(0, 6))
    assert d.minimum[0] == pytest.approx(np.pi, abs=1e-7)
    assert d.minimum[1] == pytest.approx(-1.0)


@pytest.mark.parametrize("kwargs,error,match", [
    ({"var": "z"}, InputError, "not a variable"),
    ({"var": "x", "at": {"q": 1}}, InputError, "not variables"),
    ({"var": "x", "bounds": (2, 2)}, InputError, "low < high"),
    ({"var": "x", "tangent_at": "here"}, InputTypeError, "number"),
])
def test_slice_refuses_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_slice(BOWL, **kwargs)


# ------------------------------------------------------------------ fits

def test_fit_snapshots_and_residuals(cars, cars_run):
    d = plot_fit(cars, cars_run)
    assert d.iterations == (1, 200, 1000)      # half and 95 % of the loss's fall, the end
    np.testing.assert_array_equal(d.x, CARS_WEIGHT)
    np.testing.assert_array_equal(d.y, CARS_MPG)
    for (label, curve), it in zip(d.curves.items(), d.iterations):
        w, b = cars_run.history.x[it]
        assert f"t = {it}" in label
        np.testing.assert_allclose(curve[1], w * curve[0] + b)
    w, b = cars_run.x
    np.testing.assert_array_equal(d.segments[:, 0], np.column_stack([CARS_WEIGHT, CARS_MPG]))
    np.testing.assert_allclose(d.segments[:, 1, 1], w * CARS_WEIGHT + b)
    assert d.xlabel == "$weight$" and d.ylabel == "$mpg$"
    assert "data" in d.legend


def test_fit_of_chosen_iterations_with_column_names(pizza_xy):
    loss = symgd.mse("w*x + b", "pizza", columns=PIZZA_COLUMNS)
    res = symgd.descend(loss, start=0, lr=0.001, max_iter=100, tol=None)
    d = plot_fit(loss, res, iterations=[2, -1], residuals=False)
    assert d.iterations == (2, 100) and d.segments is None
    assert d.xlabel == "$x$ (Reservations)" and d.ylabel == "$y$ (Pizzas)"
    np.testing.assert_array_equal(d.x, pizza_xy[0])


def test_fit_of_a_curved_model():
    data = {"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 2.0, 5.0, 10.0]}
    loss = symgd.mse("a*x^2 + c", data, params=["a", "c"])
    res = symgd.descend(loss, start=0, lr=0.01, max_iter=20)
    d = plot_fit(loss, res, iterations=[-1])
    a, c = res.x
    (xs, ys), = d.curves.values()
    np.testing.assert_allclose(ys, a * xs**2 + c)


def test_fit_refuses_what_it_cannot_draw(cars, cars_run):
    with pytest.raises(InputError, match="no iteration 5000"):
        plot_fit(cars, cars_run, iterations=[5000])
    with pytest.raises(ObjectiveError, match="data loss of a model"):
        plot_fit(symgd.Objective(BOWL), cars_run)
    two = symgd.mse("linear", {"x1": [1.0, 2, 3, 4], "x2": [0.0, 1, 0, 2],
                               "y": [1.0, 2, 2, 4]})
    res = symgd.descend(two, start=0, lr=0.01, max_iter=5)
    with pytest.raises(ObjectiveError, match="2 feature columns"):
        plot_fit(two, res)


def test_snapshots_one_column_per_iteration(cars, cars_run):
    d = plot_snapshots(cars, cars_run, iterations=[2, 400, 1000])
    assert d.iterations == (2, 400, 1000) and len(d.panels) == 6
    kinds = [p.kind for p in d.panels]
    assert kinds == ["loss", "fit"] * 3
    assert "iteration 400" in d.panels[2].title
    w, b = cars_run.history.x[400]
    np.testing.assert_allclose(d.panels[3].segments[:, 1, 1], w * CARS_WEIGHT + b)


# ------------------------------------------------------------------ learning rates

def test_learning_rates_too_small_good_too_big():
    d = plot_learning_rates(BOWL, start=[2, 1], max_iter=300)
    bound = 2 / 3                                       # 2 / lambda_max, lambda_max = 3
    lrs = [p.lr for p in d.panels]
    np.testing.assert_allclose(lrs, [bound / 50, 0.5, 1.1 * bound])
    assert [p.outcome for p in d.panels] == ["slow", "converged", "diverged"]
    assert [p.result.status for p in d.panels] == [Status.MAX_ITER, Status.CONVERGED,
                                                   Status.DIVERGED]
    assert "slow" in d.panels[0].title and "0.0133" in d.panels[0].title
    assert "converged in" in d.panels[1].title and "diverged" in d.panels[2].title
    assert all(p.kind == "contour" for p in d.panels)
    assert len({p.bounds for p in d.panels}) == 1       # one box for all panels
    for p in d.panels:
        np.testing.assert_array_equal(p.x, p.result.history.x[:, 0])
        assert p.minimum.tolist() == [0.0, 0.0]


def test_learning_rates_of_a_badly_conditioned_loss_use_half_the_bound(cars):
    d = plot_learning_rates(cars, start=[0, 0], max_iter=50)
    bound = symgd.step_size_bound(cars).bound
    np.testing.assert_allclose([p.lr for p in d.panels], [bound / 50, bound / 2, 1.1 * bound])
    assert d.panels[2].outcome == "diverged"


def test_learning_rates_of_one_variable_draw_loss_curves():
    d = plot_learning_rates("x^2", start=3, lrs=[0.01, 0.4, 1.2], max_iter=100)
    assert [p.kind for p in d.panels] == ["loss"] * 3
    assert [p.outcome for p in d.panels] == ["slow", "converged", "diverged"]
    assert d.panels[1].axes.get_yscale() == "log"


def test_learning_rates_on_given_axes():
    fig, axes = plt.subplots(1, 2)
    d = plot_learning_rates(BOWL, start=[2, 1], lrs=[0.1, 0.5], axes=axes)
    assert d.figure is fig and [p.axes for p in d.panels] == list(axes)
    with pytest.raises(InputError, match="one Axes per learning rate"):
        plot_learning_rates(BOWL, start=[2, 1], lrs=[0.1], axes=axes)


@pytest.mark.parametrize("objective,lrs,match", [
    (BOWL, [0.1, -1], "positive"),
    ("-x^2", None, "no positive eigenvalue"),
])
def test_learning_rates_refuse_bad_input(objective, lrs, match):
    with pytest.raises(InputError, match=match):
        plot_learning_rates(objective, start=1, lrs=lrs)


# ------------------------------------------------------------------ saving

SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF", "svg": b"<?xml"}


@pytest.mark.parametrize("kind", sorted(SIGNATURES))
def test_save_writes_the_format_of_the_extension(tmp_path, kind):
    d = plot_slice("x^2", "x", tangent_at=0.5)
    out = save(d, tmp_path / f"slice.{kind}")
    assert out == tmp_path / f"slice.{kind}"
    data = out.read_bytes()
    assert data.startswith(SIGNATURES[kind]) and len(data) > 1000
    if kind == "svg":
        assert b"<svg" in data[:2000]


def test_save_takes_a_figure_and_an_upper_case_extension(tmp_path):
    d = plot_slice("x^2", "x")
    out = save(d.figure, str(tmp_path / "slice.PNG"), dpi=50)
    assert out.read_bytes().startswith(SIGNATURES["png"])


@pytest.mark.parametrize("name,match", [("figure.jpg", "png, .svg or .pdf"),
                                        ("figure", "png, .svg or .pdf"),
                                        ("missing/figure.png", "does not exist")])
def test_save_refuses_bad_paths(tmp_path, name, match):
    d = plot_slice("x^2", "x")
    with pytest.raises(InputError, match=match):
        save(d, tmp_path / name)
    assert not os.listdir(tmp_path)


def test_save_refuses_what_is_not_a_figure(tmp_path):
    with pytest.raises(InputTypeError, match="Figure"):
        save("figure", tmp_path / "x.png")


# ------------------------------------------------ basins and learning-rate sweeps

def test_basins_of_himmelblau_reach_their_own_minimum():
    d = symgd.plot_basins("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", resolution=24)
    assert d.kind == "basins" and d.minimum.shape == (4, 2)
    X, Y = np.meshgrid(d.x, d.y, indexing="xy")
    # a start right next to a minimum lies in that minimum's basin
    for k, m in enumerate(d.minimum):
        i, j = np.unravel_index(np.argmin((X - m[0]) ** 2 + (Y - m[1]) ** 2), X.shape)
        assert d.z[i, j] == k
    assert (d.z >= 0).mean() > 0.95
    lam = max(np.linalg.eigvalsh(symgd.Objective(
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2").hess(m))[-1] for m in d.minimum)
    assert d.lr == pytest.approx(0.5 * 2 / lam)


def test_basins_need_two_variables_and_a_sane_resolution():
    with pytest.raises(ObjectiveError):
        symgd.plot_basins("x^2")
    with pytest.raises(InputError):
        symgd.plot_basins("x^2 + y^2", resolution=1)


def test_lr_sweep_draws_the_exact_bound_and_diverges_above_it():
    d = symgd.plot_lr_sweep("x^2 + x*y + y^2", [1, -0.5], max_iter=300)
    assert d.curves["2/λmax"][0].tolist() == pytest.approx([2 / 3, 2 / 3])
    assert d.curves["best"][0].tolist() == pytest.approx([0.5, 0.5])
    assert np.all(np.isnan(d.y[d.x > 2 / 3 * 1.001]))
    assert np.all(np.isfinite(d.y[d.x < 0.6]))
    assert d.axes.get_xscale() == "log"
    with pytest.raises(InputError):
        symgd.plot_lr_sweep("x^2", 1, lrs=[0.1])


# ------------------------------------------------------------------ CLI

@pytest.mark.parametrize("argv", [
    ["contour", "x^2 + x*y + y^2", "--start", "2,1"],
    ["surface", "x^2 + x*y + y^2", "--start", "2,1"],
    ["loss", "x^2 + y^2", "--start", "1,1", "--log"],
    ["slice", "--data", "pizza", "--model", "w*x", "--columns", "x=Reservations,y=Pizzas",
     "--var", "w", "--tangent-at", "0.5"],
    ["fit", "--data", "cars", "--model", "w*weight + b", "--target", "mpg", "--lr", "0.03",
     "--max-iter", "300"],
    ["learning-rates", "x^2 + x*y + y^2", "--start", "2,1"],
    ["lr-sweep", "x^2 + x*y + y^2", "--start", "1,-0.5"],
    ["basins", "(x^2 - 1)^2 + y^2", "--bounds=-2,2"],
])
def test_cli_plot_kinds_write_files(argv, tmp_path):
    import io
    from symgd.cli import main
    path = tmp_path / "figure.png"
    out, err = io.StringIO(), io.StringIO()
    code = main(["plot", *argv, "--out", str(path)], out=out, err=err)
    # 300 steps do not converge on the cars loss: the figure is drawn, the exit is 1
    assert code == (1 if argv[0] == "fit" else 0), err.getvalue()
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_descend_and_fit_draw_with_plot(tmp_path):
    import io
    from symgd.cli import main
    for argv in (["descend", "x^2 + y^2", "--start", "1,1"],
                 ["fit", "cars", "--model", "w*weight + b", "--target", "mpg", "--lr", "0.03",
                  "--max-iter", "100"]):
        path = tmp_path / f"{argv[0]}.svg"
        code = main([*argv, "--plot", str(path)], out=io.StringIO(), err=io.StringIO())
        assert code in (0, 1) and path.read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("argv", [["contour", "x^2", "--out", "x.png"],
                                  ["contour", "x^2 + y^2", "--out", "x.gif"],
                                  ["slice", "x^2 + y^2", "--out", "x.png"],
                                  ["fit", "--out", "x.png"],
                                  ["fit", "x^2", "--data", "cars", "--out", "x.png"]])
def test_cli_plot_bad_input(argv, tmp_path, monkeypatch):
    import io
    from symgd.cli import main
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    assert main(["plot", *argv], out=io.StringIO(), err=err) == 2
    assert len(err.getvalue().strip().splitlines()) == 1
