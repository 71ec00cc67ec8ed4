"""Several runs on one slice: f(x) with each run's iterates on the curve."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pytest

import symgd
from symgd.errors import InputError
from symgd.plot import plot_slice
from symgd.plot.runs import RUN_COLORS

F = "x^4 - 3x^2 + x"


def f(x):
    return x ** 4 - 3 * x ** 2 + x


@pytest.fixture
def runs():
    return [symgd.descend(F, 2, lr=lr, max_iter=40) for lr in (0.01, 0.05)] + \
        [symgd.descend(F, -2, lr=0.02, max_iter=40, step="momentum")]


def test_each_run_is_on_the_curve_in_its_own_colour(runs):
    d = plot_slice(F, "x", result=runs)
    try:
        assert len(d.curves) == 3
        for (label, xy), run in zip(d.curves.items(), runs):
            assert xy[0] == pytest.approx(run.history.x[:, 0])
            assert xy[1] == pytest.approx(f(xy[0]))          # iterates sit on f(x)
        colours = {mcolors.to_hex(line.get_color()) for line in d.axes.get_lines()
                   if line.get_label().endswith("steps)")}
        curve = mcolors.to_hex(d.axes.get_lines()[0].get_color())
        others = [c for c in RUN_COLORS if mcolors.to_hex(c) != curve]
        assert colours == {mcolors.to_hex(c) for c in others[:3]}
        assert mcolors.to_hex(others[0]) == mcolors.to_hex(RUN_COLORS[0])   # path red first
        legend = [t.get_text() for t in d.axes.get_legend().get_texts()]
        assert "fixed, $\\gamma = 0.01$ (40 steps)" in legend
        assert "momentum, $\\gamma = 0.02$ (40 steps)" in legend
        assert "start" not in legend                            # one entry per run
    finally:
        d.close()


def test_the_default_range_covers_every_run(runs):
    d = plot_slice(F, "x", result=runs)
    try:
        xs = np.concatenate([r.history.x[:, 0] for r in runs])
        assert d.bounds[0] < xs.min() and d.bounds[1] > xs.max()
    finally:
        d.close()


def test_a_race_and_labels(runs):
    race = symgd.race(F, 2, rules=("fixed", "adam"), lr=0.01, max_iter=30)
    d = plot_slice(F, "x", result=race, labels=["plain", "adam"])
    try:
        assert sorted(d.curves) == ["adam", "plain"]
    finally:
        d.close()


def test_one_run_keeps_its_steps_start_and_end_entries():
    d = plot_slice(F, "x", result=symgd.descend(F, 2, lr=0.01, max_iter=10))
    try:
        legend = [t.get_text() for t in d.axes.get_legend().get_texts()]
        assert {"steps (10)", "start", "end ($t = 10$)"} <= set(legend)
    finally:
        d.close()


@pytest.mark.parametrize("kw, words", [
    ({"labels": ["a"]}, "labels"),
    ({"labels": "ab"}, "labels"),
])
def test_bad_labels_are_refused(runs, kw, words):
    with pytest.raises(InputError, match=words):
        plot_slice(F, "x", result=runs, **kw)


def test_labels_without_several_runs_are_refused(runs):
    with pytest.raises(InputError, match="several runs"):
        plot_slice(F, "x", result=runs[0], labels=["a"])


def test_runs_of_two_variables_are_refused():
    run = symgd.descend("x^2 + y^2", [1, 1], lr=0.1, max_iter=3)
    with pytest.raises(InputError, match="one variable"):
        plot_slice("x^2 + y^2", "x", result=[run, run])
