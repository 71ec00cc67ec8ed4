"""The progress line: on standard error only, when asked or on a terminal.

The command-line tests run ``python -m symgd descend`` with its standard
error on a pseudo-terminal (the pty module) and on a pipe.
"""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import symgd
from symgd import _progress

ROOT = Path(__file__).resolve().parents[1]
pty = pytest.importorskip("pty")           # POSIX only

# About five seconds here (momentum runs the general loop): long enough for the line.
LONG_RUN = ["descend", "x^2 + y^2 + sin(x*y)", "--start", "1,1", "--lr", "1e-6",
            "--max-iter", "100000", "--step", "momentum", "--json"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _run_on_a_terminal(args: list[str], until: bytes | None = None,
                       limit: float = 300.0) -> tuple[bytes, bytes, int | None]:
    """Run symgd with standard error on a pseudo-terminal and standard output on
    a pipe; stop it once ``until`` has appeared on the terminal (if given)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "symgd", *args], stdout=subprocess.PIPE,
                            stderr=slave, stdin=subprocess.DEVNULL, env=_env())
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:          # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
                if until is not None and until in seen:
                    break
            elif proc.poll() is not None:
                break
    finally:
        if until is not None and proc.poll() is None:
            proc.kill()
        out, _ = proc.communicate(timeout=limit)
        os.close(master)
    return seen, out, proc.returncode


# Stopped as soon as its line shows, so it may be far longer than the others:
# an idle machine must not finish it before the line's first draw.
LONGER_RUN = [*LONG_RUN[:7], "1000000", *LONG_RUN[8:]]


def test_progress_line_on_a_terminal():
    seen, _, _ = _run_on_a_terminal(LONGER_RUN, until=b"ETA")
    text = seen.decode("utf-8", "replace")
    assert "descend" in text and "/1,000,000 it" in text and "it/s" in text, text
    assert "loss " in text and "ETA ≤" in text, text
    assert "\r" in text                       # redrawn in place


def test_no_progress_line_when_stderr_is_piped():
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "symgd", *LONG_RUN], capture_output=True,
                          text=True, encoding="utf-8", env=_env(), timeout=600)
    elapsed = time.monotonic() - start
    if elapsed < 2 * _progress.DELAY:
        pytest.skip(f"the run took {elapsed:.1f} s: too short for a progress line")
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["nit"] == 100000     # stdout is the JSON alone


def test_no_progress_flag_on_a_terminal():
    start = time.monotonic()
    seen, out, code = _run_on_a_terminal([*LONG_RUN, "--no-progress"])
    if time.monotonic() - start < 2 * _progress.DELAY:
        pytest.skip("the run was too short for a progress line")
    assert b"it/s" not in seen and code == 1           # max_iter: not converged
    assert json.loads(out)["nfev"] == 100001


# ------------------------------------------------------------- in Python

@pytest.fixture
def at_once(monkeypatch):
    """Progress lines from the first update (no delay, no throttle)."""
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    monkeypatch.setattr(_progress, "INTERVAL", 0.0)


def test_python_calls_take_progress(at_once, capsys):
    res = symgd.descend("x^2 + y^2", [1, 1], lr=0.01, step="momentum", progress=True)
    err = capsys.readouterr()
    assert "descend" in err.err and "it/s" in err.err and err.out == ""
    assert res.success
    symgd.descend_many("x^2 + y^2", [[1, 1], [2, 2]], lr=0.1, progress=True)
    assert "runs active" in capsys.readouterr().err
    symgd.stationary_points("sin(x)*cos(y)", bounds=(-3, 3), starts=64, progress=True)
    assert "stationary points" in capsys.readouterr().err
    symgd.check_many([{"function": "x^2", "gradient": "2*x"}] * 3, progress=True)
    assert "/3 items" in capsys.readouterr().err
    symgd.minimize("x^2 + y^2", [1, 1], progress=True)
    assert "SciPy BFGS" in capsys.readouterr().err


def test_progress_is_off_by_default_and_auto_off_when_not_a_terminal(at_once, capsys):
    symgd.descend("x^2 + y^2", [1, 1], lr=0.01)
    symgd.descend("x^2 + y^2", [1, 1], lr=0.01, progress="auto")   # pytest captures stderr
    assert capsys.readouterr().err == ""
    with pytest.raises(symgd.InputTypeError, match="progress"):
        symgd.descend("x^2", [1], progress="yes")


def test_progress_does_not_change_the_run(at_once, capsys):
    for step in ("fixed", "momentum"):
        quiet = symgd.descend("x^2 + 3*y^2 + x*y", [1, -2], lr=0.05, step=step)
        shown = symgd.descend("x^2 + 3*y^2 + x*y", [1, -2], lr=0.05, step=step, progress=True)
        np.testing.assert_array_equal(np.asarray(quiet.history), np.asarray(shown.history))
        assert (quiet.nfev, quiet.status) == (shown.nfev, shown.status)


def test_the_line_and_its_end():
    out = io.StringIO()
    p = _progress.Progress("check", 4, unit="items", stream=out, delay=0.0, interval=0.0)
    assert p.line(1, elapsed=0.5) == "check  1/4 items  25%  2 items/s  ETA 2s"
    p.update(1)
    p.close()
    assert out.getvalue().startswith("\rcheck  1/4 items") and out.getvalue().endswith("\n")
    unknown = _progress.Progress("search", stream=out)
    assert unknown.line(30, loss=2.5, elapsed=10.0) == "search  30 it  3 it/s  loss 2.5"
    silent = io.StringIO()
    _progress.Progress("x", 10, stream=silent).close()    # never shown: nothing written
    assert silent.getvalue() == ""
