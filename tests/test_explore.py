"""The notebook explorer: its controls rerun the descent and redraw."""

from __future__ import annotations

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import symgd  # noqa: E402
from symgd import InputError, Status, SymgdError  # noqa: E402

pytest.importorskip("ipywidgets", reason="the explorer needs the notebook extra (ipywidgets)")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_moving_the_lr_slider_reruns_the_descent_and_the_bound_judges_it():
    e = symgd.explore("x^2 + x*y + y^2", [2, 1], lr=0.1, iterations=200)
    assert e.result.success and "below" in e.text()
    e.controls["lr"].value = 0.7                    # above the bound 2/3
    assert e.result.status == Status.DIVERGED
    assert "γ < 2/λmax = 0.6667" in e.text() and "is above it" in e.text()
    ref = symgd.descend("x^2 + x*y + y^2", [2, 1], lr=0.7, max_iter=200)
    np.testing.assert_array_equal(e.result.history.x, ref.history.x)


def test_each_control_changes_the_run():
    e = symgd.explore("x^2 + x*y + y^2", [2, 1], lr=0.1, iterations=20)
    e.controls["step"].value = "momentum"
    assert e.result.step == "momentum"
    e.controls["iterations"].value = 7
    assert e.result.nit == 7
    before = e.redraws
    e.set_start([1.5, -0.5])                        # one redraw for a new point
    assert e.redraws == before + 1
    np.testing.assert_array_equal(e.result.history.x[0], [1.5, -0.5])


def test_a_click_on_the_contour_moves_the_start():
    e = symgd.explore("x^2 + x*y + y^2", [2, 1], lr=0.1)
    ax = e.figure.axes[0]
    e.figure.canvas.draw()
    x, y = ax.transData.transform((-1.0, 0.5))
    from matplotlib.backend_bases import MouseEvent
    event = MouseEvent("button_press_event", e.figure.canvas, x, y, button=1)
    e.figure.canvas.callbacks.process("button_press_event", event)
    np.testing.assert_allclose(e.result.history.x[0], [-1.0, 0.5], atol=1e-6)


def test_one_variable_and_data_losses():
    e = symgd.explore("x^4 - 3x^2 + x", 2, lr=0.02)
    assert e.figure.axes[0].get_xlabel() != "" and "near the start" in e.text()
    cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    e = symgd.explore(cars, [0, 0], lr=0.03, iterations=100)
    assert e.result.names == ("w", "b")
    assert e.to_dict()["start"] == {"w": 0.0, "b": 0.0}


def test_the_explorer_displays_as_its_widgets():
    e = symgd.explore("x^2 + y^2", [1, 1])
    assert "application/vnd.jupyter.widget-view+json" in e._repr_mimebundle_()


@pytest.mark.parametrize("kwargs", [dict(step="exact-ish"), dict(start=[1, 2, 3])])
def test_bad_input(kwargs):
    with pytest.raises(InputError):
        symgd.explore("x^2 + y^2", **kwargs)


def test_three_variables_are_refused():
    with pytest.raises(InputError, match="one or two variables"):
        symgd.explore("x^2 + y^2 + z^2")


def test_without_ipywidgets_the_error_names_the_extra(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(SymgdError, match=r"symgd\[notebook\]"):
        symgd.explore("x^2 + y^2")
