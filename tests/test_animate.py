"""Animations, races and several runs on one figure."""

from __future__ import annotations

import matplotlib
matplotlib.use("Agg")
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import symgd  # noqa: E402
from symgd import InputError, InputTypeError, ObjectiveError  # noqa: E402
from symgd.plot.common import COLORS  # noqa: E402
from symgd.plot.runs import LEVELS_GID, PATH_GID, RUN_COLORS  # noqa: E402

BOWL = "x^2 + x*y + y^2"
RATES = {"fixed": 0.3, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.5, "rmsprop": 0.05,
         "adam": 0.1}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def bowl_race():
    return symgd.race(BOWL, [2, 1], lr=RATES, max_iter=200)


def _same(c1, c2):
    return np.allclose(mcolors.to_rgba(c1), mcolors.to_rgba(c2))


# ---------------------------------------------------------------- race

def test_each_run_of_a_race_is_the_run_descend_gives(bowl_race):
    assert bowl_race.rules == tuple(RATES)
    for rule, res in zip(bowl_race.rules, bowl_race):
        alone = symgd.descend(BOWL, [2, 1], lr=RATES[rule], step=rule, max_iter=200)
        np.testing.assert_array_equal(res.history.x, alone.history.x)
        assert (res.status, res.step, res.lr) == (alone.status, rule, RATES[rule])


def test_the_race_report_names_the_fastest_converged_rule(bowl_race):
    done = {r: res.nit for r, res in zip(bowl_race.rules, bowl_race) if res.success}
    assert bowl_race.winner() == min(done, key=done.get)
    text = str(bowl_race)
    assert text.splitlines()[0].endswith(f"fastest {bowl_race.winner()}")
    assert len(text.splitlines()) == 1 + len(RATES)
    assert bowl_race.to_dict()["winner"] == bowl_race.winner()
    assert bowl_race["adam"] is bowl_race[5]


def test_a_race_passes_each_option_to_the_rules_that_take_it():
    r = symgd.race(BOWL, [2, 1], rules=("momentum", "rmsprop"), lr=0.05, beta=0.5, rho=0.8,
                   max_iter=50, tol=None)
    ref = symgd.descend(BOWL, [2, 1], lr=0.05, step="momentum", beta=0.5, max_iter=50,
                        tol=None)
    np.testing.assert_array_equal(r["momentum"].x, ref.x)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(rules=("fixed", "adadelta")), InputError, "adadelta"),
    (dict(rules=("fixed", "fixed")), InputError, "twice"),
    (dict(rules="fixed"), InputTypeError, "list"),
    (dict(rules=("fixed", "adam"), lr={"fixed": 0.1}), InputError, "missing adam"),
    (dict(rules=("fixed",), lr={"fixed": 0.1, "adam": 0.1}), InputError, "not in the race"),
    (dict(rules=("fixed",), beta=0.5), InputTypeError, "beta"),
    (dict(rules=("fixed",), lr="fast"), InputTypeError, "lr"),
])
def test_race_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        symgd.race(BOWL, [2, 1], **kwargs)


# ------------------------------------------------- several runs on a figure

def test_several_runs_each_get_their_own_colour_and_one_legend_entry(bowl_race):
    d = bowl_race.plot()
    paths = [line for line in d.axes.get_lines() if line.get_gid() == PATH_GID]
    assert len(paths) == len(bowl_race)
    colors = [p.get_color() for p in paths]
    assert _same(colors[0], COLORS["path"])
    assert not any(_same(c, COLORS["path"]) for c in colors[1:])
    assert len({mcolors.to_hex(c) for c in colors}) == len(colors)
    assert d.legend.count("start") == 1 and all(label in d.legend for label in bowl_race.labels)
    for label, res in zip(bowl_race.labels, bowl_race):
        np.testing.assert_array_equal(d.curves[label].T, res.history.x)
    # every run is inside the default box
    (x0, x1), (y0, y1) = d.bounds
    for res in bowl_race:
        assert (x0 <= res.history.x[:, 0]).all() and (res.history.x[:, 0] <= x1).all()
        assert (y0 <= res.history.x[:, 1]).all() and (res.history.x[:, 1] <= y1).all()


def test_plotting_twice_on_one_axes_adds_a_run_instead_of_stacking():
    a = symgd.descend(BOWL, [2, 1], lr=0.3)
    b = symgd.descend(BOWL, [2, 1], lr=0.1, step="momentum")
    fig, ax = plt.subplots()
    symgd.plot_contour(BOWL, a, ax=ax)
    filled = [c for c in ax.collections if c.get_gid() == LEVELS_GID]
    d = symgd.plot_contour(BOWL, b, ax=ax)
    assert [c for c in ax.collections if c.get_gid() == LEVELS_GID] == filled
    paths = [line for line in ax.get_lines() if line.get_gid() == PATH_GID]
    assert len(paths) == 2 and not _same(paths[1].get_color(), COLORS["path"])
    assert len(d.legend) == len(set(d.legend))          # no repeated entries
    assert "momentum, $\\gamma = 0.1$" in d.legend


def test_loss_curves_of_several_runs(bowl_race):
    d = symgd.plot_loss(list(bowl_race), log=True, labels=list(bowl_race.rules))
    assert d.legend == list(bowl_race.rules)
    for rule, res in zip(bowl_race.rules, bowl_race):
        np.testing.assert_array_equal(d.curves[rule][1], res.history.loss)
    ticks = d.axes.xaxis.get_major_locator()()
    assert np.allclose(ticks, np.round(ticks))          # whole iterations only


def test_a_surface_of_several_runs(bowl_race):
    d = symgd.plot_surface(BOWL, bowl_race, labels=list(bowl_race.rules))
    assert set(d.curves) == set(bowl_race.rules)


def test_labels_must_match_the_runs(bowl_race):
    with pytest.raises(InputError, match="6 names"):
        symgd.plot_contour(BOWL, bowl_race, labels=["a", "b"])


# ---------------------------------------------------------------- animate

def test_a_gif_has_one_frame_per_clock_tick(tmp_path):
    res = symgd.descend(BOWL, [2, 1], lr=0.3, max_iter=30)
    anim = symgd.animate(BOWL, res, frames=12)
    path = tmp_path / "descent.gif"
    anim.save(path)
    with Image.open(path) as gif:
        assert gif.n_frames == len(anim.symgd_iterations) == 12
        assert gif.info["loop"] == 0
        first = np.asarray(gif.convert("RGB")).copy()
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB"))
    assert (first != last).any()                        # the ball moved
    assert anim.symgd_iterations[0] == 0 and anim.symgd_iterations[-1] == res.nit


def test_each_frame_puts_each_ball_at_that_iterate(bowl_race):
    anim = bowl_race.animate(frames=25)
    balls = anim.symgd_artists[len(bowl_race):2 * len(bowl_race)]
    for frame in (0, 7, 24):
        anim.symgd_update(frame)
        t = anim.symgd_iterations[frame]
        for ball, res in zip(balls, bowl_race):
            row = min(t, res.nit)                       # a run that stopped stays put
            np.testing.assert_allclose(np.ravel(ball.get_data()), res.history.x[row])


def test_the_gif_writer_draws_what_the_frames_show(tmp_path):
    """The fast writer (background drawn once) gives the picture a full redraw gives."""
    from symgd.plot.animate import frames_rgba
    res = symgd.descend(BOWL, [2, 1], lr=0.3, max_iter=10)
    anim = symgd.animate(BOWL, res, frames=4)
    fast = list(frames_rgba(anim, dpi=50))
    fig = anim.symgd_figure
    fig.set_dpi(50)
    anim.symgd_update(3)
    for artist in anim.symgd_artists:
        artist.set_animated(False)
    fig.canvas.draw()
    full = np.asarray(fig.canvas.buffer_rgba())
    assert fast[3].shape == full.shape
    assert np.mean(np.abs(fast[3].astype(int) - full.astype(int)) > 8) < 0.01


def test_a_one_variable_animation_rolls_on_the_curve(tmp_path):
    res = symgd.descend("x^4 - 3x^2 + x", 2, lr=0.02, max_iter=100)
    anim = symgd.animate("x^4 - 3x^2 + x", res, frames=10)
    anim.symgd_update(9)
    ball = anim.symgd_artists[1]
    x, f = (float(v[0]) for v in ball.get_data())
    assert x == pytest.approx(res.x[0]) and f == pytest.approx(res.fun)


def test_a_data_loss_animates_the_model_through_the_data(tmp_path):
    cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    res = symgd.descend(cars, [0, 0], lr=0.03, max_iter=400)
    anim = symgd.animate(cars, res, frames=8)
    anim.symgd_update(7)
    line = anim.symgd_artists[0]
    xs, ys = line.get_data()
    w, b = res.x
    np.testing.assert_allclose(ys, w * xs + b)
    anim.save(tmp_path / "fit.gif")


@pytest.mark.parametrize("kwargs, error", [
    (dict(frames=0), InputError), (dict(frames=10**6), InputError),
    (dict(frames=2.5), InputError), (dict(fps=0), InputError), (dict(fps="fast"), InputTypeError),
    (dict(kind="movie"), InputError), (dict(kind="slice"), ObjectiveError),
    (dict(labels=["a", "b"]), InputError),
])
def test_animate_bad_input(kwargs, error):
    res = symgd.descend(BOWL, [2, 1], lr=0.3, max_iter=5)
    with pytest.raises(error):
        symgd.animate(BOWL, res, **kwargs)


def test_animate_refuses_a_run_of_other_variables():
    res = symgd.descend("a^2 + b^2", [1, 1], lr=0.3, max_iter=5)
    with pytest.raises(InputError, match="variables"):
        symgd.animate(BOWL, res)
    with pytest.raises(InputError, match="at least one"):
        symgd.animate(BOWL)


def test_run_colours_never_reuse_the_path_red_or_the_minimum_green():
    assert _same(RUN_COLORS[0], COLORS["path"])
    for c in RUN_COLORS[1:]:
        assert not _same(c, COLORS["path"]) and not _same(c, COLORS["minimum"])


# ------------------------------------------ a lesson loop of exactly N steps

def test_a_run_of_exactly_the_steps_asked_for_is_a_success():
    pizza = symgd.mse("w*x", "pizza", columns={"x": "Reservations", "y": "Pizzas"})
    res = symgd.descend(pizza, start=0, lr=0.001, max_iter=100, tol=None)
    assert res.success and res.status == symgd.Status.MAX_ITER and res.nit == 100
    assert "as asked" in res.message and "did not converge" not in res._repr_html_()
    slow = symgd.descend(pizza, start=0, lr=0.001, max_iter=10)
    assert not slow.success                       # with a tolerance, stopping short fails
    batch = symgd.descend_many(pizza, [[0.0], [1.0]], lr=0.001, max_iter=100, tol=None)
    assert batch.success.all()
    d = symgd.plot_loss(res)
    assert d.title == "Loss curve: ran 100 steps as asked"


def test_the_cli_exits_0_for_a_run_of_exactly_the_steps_asked_for(capsys):
    from symgd.cli import main
    assert main(["descend", "x^2", "--start", "1", "--lr", "0.1", "--max-iter", "5",
                 "--tol", "none"]) == 0
    assert "as asked" in capsys.readouterr().out
    assert main(["descend", "x^2", "--start", "1", "--lr", "0.1", "--max-iter", "5"]) == 1


# ------------------------------------------------------ names kept apart

def test_products_of_names_are_typeset_apart():
    cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    assert r"w \, {weight}_{i}" in cars.latex()
    assert r"w \, {weight}_{i}" in symgd.explain(cars).latex()
    assert "w {weight}" not in symgd.explain(cars).markdown()
    assert symgd.Objective("x*y + 2*x").latex() == "f(x, y) = x y + 2 x"


# ------------------------------------------------------- figures that teach

def test_learning_rate_panels_share_one_colour_scale_and_avoid_the_exact_step():
    pizza = symgd.mse("w*x", "pizza", columns={"x": "Reservations", "y": "Pizzas"})
    d = symgd.plot_learning_rates(pizza, 0)
    good = d.panels[1]
    assert good.outcome == "converged" and good.result.nit > 5    # not the one-step jump
    assert r"9.14 \times 10^{-5}" in d.panels[0].title
    bowl = symgd.plot_learning_rates(BOWL, [2, 1])
    levels = [[c for c in p.axes.collections if c.get_gid() == LEVELS_GID][0].levels
              for p in bowl.panels]
    for other in levels[1:]:
        np.testing.assert_array_equal(other, levels[0])


def test_a_diverged_end_outside_the_frame_is_pointed_at():
    res = symgd.descend(BOWL, [2, 1], lr=0.75, max_iter=40)
    d = symgd.plot_contour(BOWL, res, bounds=[(-3, 3), (-3, 3)])
    notes = [t.get_text() for t in d.axes.texts]
    assert any("far outside" in n for n in notes)


def test_the_sweep_marks_diverged_runs_above_every_loss():
    d = symgd.plot_lr_sweep(BOWL, [1, -0.5])
    marks = [line for line in d.axes.get_lines() if line.get_label().startswith("diverged")]
    assert marks and np.allclose(marks[0].get_ydata(), 0.96)    # axes fraction: the top
    assert np.isnan(d.y[d.x > 2 / 3]).all()


def test_the_rosenbrock_contour_marks_its_minimum_even_when_the_run_stops_short():
    rosen = "(1 - x)^2 + 100*(y - x^2)^2"
    res = symgd.descend(rosen, [-1.2, 1], lr=1e-3, max_iter=500)
    assert not res.success
    d = symgd.plot_contour(rosen, res)
    np.testing.assert_allclose(d.minimum, [1, 1], atol=1e-8)


def test_default_snapshots_show_training_happen():
    pizza = symgd.mse("w*x + b", "pizza", columns={"x": "Reservations", "y": "Pizzas"},
                      params=["w", "b"])
    res = symgd.descend(pizza, start=0, lr=0.001, max_iter=20_000, tol=None)
    d = symgd.plot_fit(pizza, res)
    first, middle, last = d.iterations
    assert 0 < first < middle < last == 20_000
    loss = res.history.loss
    assert loss[first] - loss[-1] <= 0.5 * (loss[0] - loss[-1])


def test_a_one_variable_run_is_drawn_on_its_curve(tmp_path):
    res = symgd.descend("x^4 - 3x^2 + x", 2, lr=0.02, max_iter=60)
    d = symgd.plot_slice("x^4 - 3x^2 + x", "x", result=res)
    np.testing.assert_array_equal(d.curves["steps"][0], res.history.x[:, 0])
    np.testing.assert_allclose(d.curves["steps"][1], res.history.loss)
    assert d.bounds[0] < res.history.x[:, 0].min() and d.bounds[1] > 2
    from symgd.cli import main
    out = tmp_path / "one.png"
    main(["descend", "x^4 - 3x^2 + x", "--start", "2", "--lr", "0.02", "--plot", str(out)])
    assert out.exists()
    with pytest.raises(InputError, match="one variable"):
        symgd.plot_slice(BOWL, "x", result=symgd.descend(BOWL, [1, 1], lr=0.1))
