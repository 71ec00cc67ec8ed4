"""The lesson commands: ``symgd demo york|cars|pizza``, ``symgd animate`` and
``symgd report``, checked against independent arithmetic (NumPy loops, least
squares, eigenvalues), Pillow's reading of the GIFs written, and the HTML page.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest

from symgd.cli import main
from symgd.cli.demos import DEMO_REPORTS
from symgd.cli.parser import DEMOS
from symgd.data.tables import dataset_path, read_table

BOWL = "z = x^2 + x*y + y^2"


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code, out, err, *words):
    assert code == 2, (out, err)
    assert err.startswith("symgd: error:") and err.count("\n") == 1, err
    assert "Traceback" not in err + out
    for word in words:
        assert word in err, (word, err)


def _columns(name, *cols):
    table = read_table(dataset_path(name))
    return [np.asarray(table[c], dtype=float) for c in cols]


def _gd(grad, x0, lr, steps):
    """Plain gradient descent, written here as the oracle."""
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x - lr * grad(x)
    return x


# ------------------------------------------------------------ demo

def test_every_demo_has_a_report_and_a_summary():
    assert sorted(DEMOS) == sorted(DEMO_REPORTS)
    code, out, _ = cli("demo", "--list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(DEMOS)


def test_demo_list_json_names_every_demo():
    code, out, _ = cli("demo", "--list", "--json")
    assert code == 0 and sorted(json.loads(out)) == sorted(DEMOS)


def test_demo_default_is_still_the_bowl():
    assert cli("demo")[1] == cli("demo", "bowl")[1]


def test_york_bound_is_two_over_the_largest_eigenvalue():
    code, out, _ = cli("demo", "york", "--json")
    assert code == 0
    data = json.loads(out)
    lam = np.linalg.eigvalsh(np.array([[2.0, 1.0], [1.0, 2.0]]))
    assert data["bound"]["bound"] == pytest.approx(2 / lam.max())
    assert data["bound"]["best"] == pytest.approx(2 / (lam.min() + lam.max()))
    text = cli("demo", "york")[1]
    assert "Converged" in text and "Diverged" in text and "without converging" in text
    assert "2/λmax = 2/3" in text or "2/lambda_max = 2/3" in text
    assert [data[k]["result"]["success"] for k in ("good", "too_small", "too_big")] == \
        [True, False, False]


def test_york_runs_match_a_numpy_loop():
    _, out, _ = cli("demo", "york", "--json")
    data = json.loads(out)
    grad = lambda p: np.array([2 * p[0] + p[1], p[0] + 2 * p[1]])
    for key, lr in (("good", 0.1), ("too_small", 0.01), ("too_big", 0.7)):
        for row in data[key]["rows"]:
            expected = _gd(grad, [2, 1], lr, row["iteration"])
            assert [row["x"], row["y"]] == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_cars_least_squares_is_numpys():
    code, out, _ = cli("demo", "cars", "--json")
    assert code == 0
    data = json.loads(out)["fit"]
    weight, mpg = _columns("cars", "weight", "mpg")
    X = np.column_stack([weight, np.ones_like(weight)])
    w, b = np.linalg.lstsq(X, mpg, rcond=None)[0]
    ls = data["least_squares"]
    assert ls["w"] == pytest.approx(w, rel=1e-9) and ls["b"] == pytest.approx(b, rel=1e-9)
    # 1,000 steps of lr = 0.01 from 0, as a NumPy loop over the rows
    grad = lambda p: np.array([np.mean(2 * (p[0] * weight + p[1] - mpg) * weight),
                               np.mean(2 * (p[0] * weight + p[1] - mpg))])
    end = _gd(grad, [0, 0], 0.01, 1000)
    got = data["x"]
    assert [got["w"], got["b"]] == pytest.approx(end, rel=1e-9)
    assert "as asked" in cli("demo", "cars")[1]


def test_pizza_slope_steps_and_prediction_match_numpy():
    code, out, _ = cli("demo", "pizza")
    assert code == 0
    x, y = _columns("pizza", "Reservations", "Pizzas")
    slope = np.mean(2 * (0.5 * x - y) * x)
    assert f"dL/dw = {slope:.6g}" in out
    w_alone = _gd(lambda p: np.array([np.mean(2 * (p[0] * x - y) * x)]), [0], 0.001, 100)
    data = json.loads(cli("demo", "pizza", "--json")[1])
    assert [data["w_alone"]["x"]["w"]] == pytest.approx(w_alone, rel=1e-9)
    both = _gd(lambda p: np.array([np.mean(2 * (p[0] * x + p[1] - y) * x),
                                   np.mean(2 * (p[0] * x + p[1] - y))]), [0, 0], 0.001, 20_000)
    assert [data["w_and_b"]["x"][k] for k in "wb"] == pytest.approx(both, rel=1e-9)
    predicted = float(re.search(r"20 reservations: ([\d.]+) pizzas", out).group(1))
    assert predicted == pytest.approx(both[0] * 20 + both[1], rel=1e-3)


@pytest.mark.parametrize("name", DEMOS)
@pytest.mark.parametrize("fmt", ["markdown", "latex", "json"])
def test_every_demo_prints_in_every_format(name, fmt):
    code, out, err = cli("demo", name, "--format", fmt)
    assert code == 0 and out.strip() and not err


def test_unknown_demo_suggests_the_close_one():
    assert_one_line_error(*cli("demo", "pizzza"), "did you mean 'pizza'")


# ------------------------------------------------------------ animate

def _frames(path):
    from PIL import Image
    with Image.open(path) as im:
        return im.n_frames, im.size


def test_animate_writes_a_gif_with_the_frames_asked(tmp_path):
    out = tmp_path / "descent.gif"
    code, text, err = cli("animate", BOWL, "--start", "2,1", "--lr", "0.1", "--frames", "7",
                          "--dpi", "50", "-o", str(out))
    assert code == 0, err
    assert text.strip() == f"saved animation to {out}"
    n, size = _frames(out)
    assert n == 7 and size == (320, 240)           # matplotlib's 6.4 x 4.8 in at 50 dpi


def test_animate_one_frame_per_iteration_by_default(tmp_path):
    out = tmp_path / "short.gif"
    code, _, _ = cli("animate", BOWL, "--start", "2,1", "--lr", "0.4", "--max-iter", "9",
                     "--tol", "none", "--dpi", "40", "-o", str(out))
    assert code == 0
    assert _frames(out)[0] == 10                   # iterations 0 to 9


def test_animate_a_race_exits_1_and_names_the_runs_that_did_not_converge(tmp_path):
    out = tmp_path / "race.gif"
    code, text, _ = cli("animate", BOWL, "--start", "2,1", "--race", "fixed=0.3,adam=0.1",
                        "--max-iter", "100", "--frames", "5", "--dpi", "40", "-o", str(out))
    assert code == 1
    assert "1 of the 2 runs did not converge: adam:" in text
    assert _frames(out)[0] == 5


def test_animate_a_one_variable_run_and_a_data_fit(tmp_path):
    one = tmp_path / "slice.gif"
    assert cli("animate", "x^4 - 3x^2 + x", "--start", "2", "--lr", "0.01", "--frames", "4",
               "--dpi", "40", "-o", str(one))[0] == 0
    fit = tmp_path / "fit.gif"
    code, _, err = cli("animate", "--data", "pizza", "--model", "w*x + b",
                       "--columns", "x=Reservations,y=Pizzas", "--lr", "0.001",
                       "--max-iter", "200", "--tol", "none", "--frames", "4", "--dpi", "40",
                       "-o", str(fit))
    assert code == 0, err
    assert _frames(fit)[0] == 4 and _frames(one)[0] == 4


def test_animate_to_html_is_a_page_with_the_player(tmp_path):
    out = tmp_path / "descent.html"
    assert cli("animate", BOWL, "--start", "2,1", "--lr", "0.3", "--frames", "3", "--dpi",
               "40", "-o", str(out))[0] == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count("data:image/png;base64") >= 3


@pytest.mark.parametrize("argv, words", [
    (["--out", "x.mp4"], ["--out", ".gif or .html"]),
    (["--out", "missing-folder/x.gif"], ["--out", "does not exist"]),
    (["--race", "fixed,adamm"], ["--race", "did you mean 'adam'"]),
    (["--race", "fixed,fixed"], ["--race", "twice"]),
    (["--race", "fixed=abc"], ["--race"]),
    (["--race", "fixed,adam", "--step", "momentum"], ["--step", "--race"]),
    (["--kind", "fit"], ["fit"]),
    (["--kind", "cube"], ["--kind"]),
    (["--frames", "0"], ["--frames"]),
])
def test_animate_bad_input_is_one_line_naming_the_flag(tmp_path, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    base = ["animate", BOWL, "--start", "2,1", "--dpi", "40"]
    if "--out" not in argv:
        base += ["--out", "x.gif"]
    assert_one_line_error(*cli(*base, *argv), *words)


def test_animate_refuses_a_folder_as_out_before_running(tmp_path):
    assert_one_line_error(*cli("animate", BOWL, "--start", "2,1", "--out", str(tmp_path)),
                          "--out", "folder")


# ------------------------------------------------------------ report

def test_report_writes_one_self_contained_page(tmp_path):
    out = tmp_path / "lesson.html"
    code, text, err = cli("report", BOWL, "--start", "2,1", "--lr", "0.1", "--frames", "3",
                          "-o", str(out))
    assert code == 0, err
    assert text.strip() == f"saved report to {out}"
    page = out.read_text()
    assert "<math" in page and "data:image/png;base64" in page or "data:image/gif" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)      # nothing from the network
    for section in ("Derivatives", "Step size", "Iterations", "Figures"):
        assert section in page


def test_report_of_a_diverging_run_is_written_and_exits_1(tmp_path):
    out = tmp_path / "big.html"
    code, text, _ = cli("report", BOWL, "--start", "2,1", "--lr", "0.7", "--frames", "0",
                        "-o", str(out))
    assert code == 1 and out.exists()
    assert "did not converge: Diverged" in text


def test_report_of_a_data_loss_with_a_step_rule_option(tmp_path):
    out = tmp_path / "pizza.html"
    code, _, err = cli("report", "--data", "pizza", "--model", "w*x + b", "--columns",
                       "x=Reservations,y=Pizzas", "--lr", "0.001", "--step", "momentum",
                       "--option", "beta=0.5", "--max-iter", "300", "--tol", "none",
                       "--frames", "0", "--title", "Pizzas", "-o", str(out))
    assert code == 0, err
    assert "<title>Pizzas</title>" in out.read_text()


@pytest.mark.parametrize("argv, words", [
    (["--out", "lesson.pdf"], ["--out", ".html"]),
    (["--out", "nowhere/lesson.html"], ["--out", "does not exist"]),
    (["--option", "beta"], ["--option"]),
    (["--frames", "-1"], ["--frames"]),
])
def test_report_bad_input_is_one_line_naming_the_flag(tmp_path, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    base = ["report", BOWL, "--start", "2,1"]
    if "--out" not in argv:
        base += ["--out", "lesson.html"]
    assert_one_line_error(*cli(*base, *argv), *words)
