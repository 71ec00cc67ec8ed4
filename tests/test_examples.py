"""The example scripts run, and print the lessons' numbers."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def run(name: str) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True,
                          text=True, timeout=120, env={"MPLBACKEND": "Agg", "PATH": ""},
                          cwd=EXAMPLES.parent)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_every_example_is_tested():
    scripts = {p.name for p in EXAMPLES.glob("*.py")}
    tested = {"quadratic_bowl.py", "pizza.py", "car_mileage.py", "check_homework.py",
              "figures.py"}
    assert scripts <= tested, f"untested examples: {scripts - tested}"


def test_quadratic_bowl():
    out = run("quadratic_bowl.py")
    assert "∂z/∂x = 2*x + y" in out and "∂z/∂y = x + 2*y" in out
    assert "γ < 2/λmax = 2/3" in out


def test_pizza_prints_the_lessons_loop():
    out = run("pizza.py")
    lines = [line for line in out.splitlines() if line.startswith("Iteration")]
    assert lines[0] == "Iteration    0 => Loss: 812.8666666667"
    assert "Iteration   99 => Loss: 69.1209628275" in lines
    assert "w=1.8436928702" in out
    assert "w=1.0811301700, b=13.1722676564" in out


def test_car_mileage():
    out = run("car_mileage.py")
    assert "loss 303.71, slopes dL/dw = -119.7, dL/db = -34.3" in out
    assert "w = -4.569109, b = 33.585124" in out


def test_figures_example_draws_every_lesson_figure(tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLES / "figures.py"), str(tmp_path)],
                          capture_output=True, text=True, timeout=300,
                          env={"MPLBACKEND": "Agg", "PATH": ""}, cwd=EXAMPLES.parent)
    assert done.returncode == 0, done.stderr
    pngs = {p.name for p in tmp_path.glob("*.png")}
    assert len(pngs) >= 8 and all((tmp_path / p).stat().st_size > 5000 for p in pngs)
