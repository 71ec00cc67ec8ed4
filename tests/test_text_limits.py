"""Long typed objectives: the text limit admits Rosenbrock in 1,000
variables, its gradient is SciPy's, and one character more is refused."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

import symgd
from symgd.errors import ParseError
from symgd.expr import MAX_LENGTH


def _rosenbrock_text(n: int) -> str:
    return " + ".join(f"100*(x{k + 1} - x{k}^2)^2 + (1 - x{k})^2" for k in range(1, n))


@pytest.fixture(scope="module")
def rosenbrock_1000():
    text = _rosenbrock_text(1000)
    assert 10_000 < len(text) <= MAX_LENGTH
    return text, symgd.Objective(text)


def test_rosenbrock_in_1000_variables_typed_out_has_scipys_gradient(rosenbrock_1000):
    _, obj = rosenbrock_1000
    assert len(obj.variables) == 1000
    p = np.random.default_rng(3).uniform(-2, 2, 1000)
    order = np.argsort([int(str(v)[1:]) for v in obj.variables])
    q = np.empty(1000)
    q[order] = p
    assert obj.value(q) == pytest.approx(rosen(p), rel=1e-12)
    np.testing.assert_allclose(obj.grad(q)[order], rosen_der(p), rtol=1e-12, atol=1e-9)


def test_the_cli_reads_it_from_stdin(rosenbrock_1000):
    text, _ = rosenbrock_1000
    # at the minimum (1, ..., 1) the gradient is 0: descent stops there at once
    out = subprocess.run([sys.executable, "-m", "symgd", "descend", "-", "--start", "1",
                          "--lr", "0.0001", "--max-iter", "5", "--no-progress"],
                         input=text, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-500:]
    assert "Traceback" not in out.stderr
    assert "1000 coordinates" in out.stdout and "Converged" in out.stdout, out.stdout[-500:]


def test_one_character_over_the_limit_is_refused_naming_it():
    text = "x + " * (MAX_LENGTH // 4) + "x"
    assert len(text) == MAX_LENGTH + 1
    with pytest.raises(ParseError) as info:
        symgd.parse(text)
    assert f"{MAX_LENGTH}" in info.value.hint


def test_stdin_over_the_limit_is_refused_on_the_cli():
    text = "x + " * (MAX_LENGTH // 4) + "x"
    out = subprocess.run([sys.executable, "-m", "symgd", "diff", "-"], input=text,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and str(MAX_LENGTH) in out.stderr
