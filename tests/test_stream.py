"""Streamed files and Dask collections: the same losses as in memory, from
passes over chunks of rows.

Oracles: the in-memory path on the same rows; least squares from centred
sums taken with ``math.fsum`` (exactly rounded); NumPy's ``lstsq``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import symgd
from symgd.data import chunked
from symgd.data.chunked import CsvSource, Moments, Streamed, merge_all
from symgd.errors import DataError, InputError


def write_csv(path, columns, names):
    """A CSV with full-precision numbers (repr round-trips a double)."""
    rows = zip(*columns)
    path.write_text(",".join(names) + "\n"
                    + "".join(",".join(repr(float(v)) for v in row) + "\n" for row in rows))
    return path


def line_data(n, seed=0, offset=0.0, noise=0.1):
    rng = np.random.default_rng(seed)
    x = offset + rng.normal(size=n)
    y = 3.0 * x - 2.0 + noise * rng.normal(size=n)
    return x, y


def fsum_fit(x, y):
    """Least squares w, b and the mean squared residual, from exactly rounded sums."""
    n = len(x)
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    dx, dy = x - mx, y - my
    w = math.fsum(dx * dy) / math.fsum(dx * dx)
    b = my - w * mx
    r = dy - w * dx
    return w, b, math.fsum(r * r) / n


@pytest.fixture(scope="module")
def line_file(tmp_path_factory):
    x, y = line_data(150_000, seed=3)
    path = write_csv(tmp_path_factory.mktemp("s") / "line.csv", [x, y], ["x", "y"])
    return path, x, y


# ------------------------------------------------------------------ moments

def test_moments_merge_equals_the_moments_of_the_union():
    rng = np.random.default_rng(0)
    phi = rng.normal(size=(1000, 3)) + [1e6, 0.0, -5.0]
    parts = [Moments.of(phi[k:k + 97]) for k in range(0, 1000, 97)]
    merged = merge_all(parts, Moments.merge)
    centred = phi - phi.mean(axis=0)
    assert merged.n == 1000
    exact_mean = [math.fsum(c) / 1000 for c in phi.T]
    np.testing.assert_allclose(merged.mean, exact_mean, rtol=1e-15, atol=1e-15)
    # within 1e-11 of the entries' size (1000); the Gram matrix minus n μμᵀ
    # would be wrong by about 0.1 (12 digits lost to the offset 1e6)
    np.testing.assert_allclose(merged.centred, centred.T @ centred, rtol=0, atol=1e-8)
    np.testing.assert_allclose(merged.gram(), phi.T @ phi, rtol=1e-12)
    np.testing.assert_array_equal(merged.low, phi.min(axis=0))
    np.testing.assert_array_equal(merged.high, phi.max(axis=0))


def test_large_offset_fit_keeps_its_digits():
    """A common offset of 1e6 costs the Gram matrix 12 digits; the centred
    moments keep them: the slope to 1e-11 and the loss to 1e-9, relative."""
    x, y = line_data(400_000, seed=1, offset=1e6, noise=0.01)
    w, b, loss = fsum_fit(x, y)
    L = symgd.mse("w*x + b", {"x": x, "y": y}, params=["w", "b"])
    fit = L.least_squares()
    assert fit[0] == pytest.approx(w, rel=1e-11)
    # the intercept is as sensitive as the data make it: |dx/x| * offset
    assert fit[1] == pytest.approx(b, abs=1e6 * abs(w) * 1e-11)
    assert L.value(fit) == pytest.approx(loss, rel=1e-9)


# -------------------------------------------------------------- streamed CSV

def test_csv_source_reads_the_same_rows_in_chunks(line_file):
    path, x, y = line_file
    data = Streamed(CsvSource(path))
    assert data.names == ("x", "y")
    chunks = list(data.chunks(["y", "x"], rows=10_000))
    assert all(len(c[0]) <= 10_000 for c in chunks)
    assert all(len(c[0]) == 10_000 for c in chunks[:-1]) and len(chunks) == 15
    np.testing.assert_array_equal(np.concatenate([c[0] for c in chunks]), y)
    np.testing.assert_array_equal(np.concatenate([c[1] for c in chunks]), x)
    assert data.rows == len(x)


@pytest.mark.parametrize("model", ["w*x + b", "a*x^2 + b*x + c", "w*x"])
def test_streamed_statistics_equal_in_memory(line_file, model):
    path, x, y = line_file
    streamed = symgd.mse(model, str(path), stream=True)
    memory = symgd.mse(model, str(path), stream=False)
    assert "streamed" in streamed.evaluation and "in memory" in memory.evaluation
    assert streamed.rows == memory.rows == len(x)
    point = np.linspace(0.5, 1.5, streamed.n)
    assert streamed.value(point) == pytest.approx(memory.value(point), rel=1e-12)
    np.testing.assert_allclose(streamed.grad(point), memory.grad(point), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(streamed.least_squares(), memory.least_squares(), rtol=1e-11)


def test_streamed_line_is_least_squares(line_file):
    path, x, y = line_file
    fit = symgd.mse("w*x + b", str(path), params=["w", "b"], stream=True).least_squares()
    w, b, _ = fsum_fit(x, y)
    np.testing.assert_allclose(fit, [w, b], rtol=1e-12)
    np.testing.assert_allclose(fit, np.polyfit(x, y, 1), rtol=1e-10)


def test_streamed_polynomial_of_degree_four(line_file):
    """(w^2 x - y)^2 is a polynomial of degree 4 in w: its coefficients are
    column sums, one streamed pass."""
    path, x, y = line_file
    streamed = symgd.loss("(w^2*x - y)^2", str(path), params=["w"], stream=True)
    for w in (0.3, 1.7):
        assert streamed.value([w]) == pytest.approx(np.mean((w * w * x - y) ** 2), rel=1e-12)
        assert streamed.grad([w])[0] == pytest.approx(
            np.mean(2 * (w * w * x - y) * 2 * w * x), rel=1e-11)


def test_row_loss_loads_a_file_that_fits(line_file):
    path, x, y = line_file
    L = symgd.mae("w*x + b", str(path), params=["w", "b"], stream=True)
    assert "loaded into memory once" in L.evaluation
    assert L.value([2.0, 0.5]) == pytest.approx(np.mean(np.abs(2 * x + 0.5 - y)), rel=1e-12)


def test_row_loss_streams_each_step_beyond_the_load_limit(line_file, monkeypatch):
    path, x, y = line_file
    monkeypatch.setattr(chunked, "LOAD_BYTES", 0)
    monkeypatch.setattr("symgd.data.objective.LOAD_BYTES", 0)
    streamed = symgd.mae("w*x + b", str(path), params=["w", "b"], stream=True)
    memory = symgd.mae("w*x + b", {"x": x, "y": y}, params=["w", "b"])
    assert "row by row at each step, streamed" in streamed.evaluation
    r = np.sign(2 * x + 0.5 - y)
    np.testing.assert_allclose(streamed.grad([2.0, 0.5]), [np.mean(r * x), np.mean(r)],
                               rtol=1e-12)
    passes = streamed.data.passes
    a = symgd.descend(streamed, [0.0, 0.0], lr=0.5, max_iter=15, tol=None)
    b = symgd.descend(memory, [0.0, 0.0], lr=0.5, max_iter=15, tol=None)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12)
    assert streamed.data.passes - passes >= 15       # a pass over the file each step


def test_streamed_log_loss_checks_labels_by_a_pass(tmp_path):
    path = write_csv(tmp_path / "labels.csv", [[0.1, 0.2, 0.3], [0.0, 2.0, 1.0]], ["x", "y"])
    with pytest.raises(DataError, match=r"labels in \[0, 1\].*from 0 to 2"):
        symgd.log_loss("sigmoid(w*x + b)", str(path), stream=True)


def test_auto_streams_only_large_files(line_file, monkeypatch):
    path, _, _ = line_file
    assert "in memory" in symgd.mse("w*x + b", str(path)).evaluation
    monkeypatch.setattr(chunked, "STREAM_BYTES", 1000)
    assert "streamed" in symgd.mse("w*x + b", str(path)).evaluation
    assert "in memory" in symgd.mse("w*x + b", str(path), stream=False).evaluation
    assert "in memory" in symgd.mse("w*x + b", "pizza", target="y",
                                    columns={"x": "Reservations", "y": "Pizzas"}).evaluation


# --------------------------------------------------------------- bad input

def test_bad_cell_far_into_a_streamed_file_names_its_line(tmp_path):
    lines = ["x,y"] + [f"{k},{2 * k}" for k in range(100_000)]
    lines[90_001] = "3,SECRET_TOKEN_abc"
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as err:
        symgd.mse("w*x + b", str(path), stream=True)
    message = str(err.value)
    assert "line 90002" in message and "column 'y'" in message
    assert "SECRET" not in message


@pytest.mark.parametrize("text, match", [
    ("", "is empty"),
    ("x,y\n", "no rows"),
    ("x,y\n1,2\n3\n", "line 3: 1 field"),
])
def test_streamed_file_faults(tmp_path, text, match):
    path = tmp_path / "f.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=match):
        symgd.mse("w*x + b", str(path), stream=True)


def test_missing_column_is_named(line_file):
    path, _, _ = line_file
    with pytest.raises(DataError, match="target column 'z'"):
        symgd.mse("w*x + b", str(path), target="z", stream=True)


def test_streamed_rows_cannot_be_plotted_and_say_how(line_file):
    path, _, _ = line_file
    L = symgd.mse("w*x + b", str(path), stream=True)
    with pytest.raises(DataError, match="stream=False"):
        L.data["x"]


@pytest.mark.parametrize("bad", ["yes", 1, None, 0.5])
def test_stream_option_is_checked(bad):
    with pytest.raises(InputError, match="stream must be"):
        symgd.mse("w*x + b", {"x": [1.0, 2.0], "y": [1.0, 3.0]}, stream=bad)


def test_user_arrays_are_not_modified():
    x, y = line_data(1000)
    x0, y0 = x.copy(), y.copy()
    symgd.mse("w*x + b", {"x": x, "y": y}).least_squares()
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


# --------------------------------------------------------------- memory

def test_streamed_fit_memory_is_bounded_by_the_chunk(tmp_path):
    """A 60 MB CSV is fitted in a child process whose peak memory grows by
    far less than the file (loading would take about twice its size)."""
    x, y = line_data(20_000, seed=5)
    block = "".join(f"{a!r},{b!r}\n" for a, b in zip(x.tolist(), y.tolist()))
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("x,y\n")
        for _ in range(75):
            f.write(block)
    size = path.stat().st_size
    assert size > 50e6
    code = textwrap.dedent(f"""
        import json, resource, symgd, numpy as np
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        L = symgd.mse("w*x + b", {str(path)!r}, params=["w", "b"], stream=True)
        fit = L.least_squares()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({{"grown": (after - before) * 1024, "fit": fit.tolist(),
                          "rows": L.rows}}))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=True)
    report = json.loads(out.stdout)
    assert report["rows"] == 75 * 20_000
    np.testing.assert_allclose(report["fit"], np.polyfit(x, y, 1), rtol=1e-9)
    assert report["grown"] < 40e6, report


# ------------------------------------------------------------------ the CLI

def test_cli_fit_stream_gives_the_same_fit(line_file):
    path, _, _ = line_file
    run = [sys.executable, "-m", "symgd", "fit", str(path), "--model", "w*x + b",
           "--format", "json", "--max-iter", "2000", "--lr", "0.3"]
    streamed = json.loads(subprocess.run(run + ["--stream"], capture_output=True, text=True,
                                         check=True).stdout)
    loaded = json.loads(subprocess.run(run + ["--no-stream"], capture_output=True, text=True,
                                       check=True).stdout)
    assert streamed["x"] == pytest.approx(loaded["x"], rel=1e-10)
    assert streamed["success"] and loaded["success"]


def test_cli_plot_of_streamed_rows_says_no_stream(line_file, tmp_path):
    path, _, _ = line_file
    out = subprocess.run([sys.executable, "-m", "symgd", "fit", str(path), "--model", "w*x + b",
                          "--stream", "--plot", str(tmp_path / "p.png")],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "--no-stream" in out.stderr and "Traceback" not in out.stderr


def test_progress_line_reports_megabytes_and_rows(line_file, monkeypatch, capsys):
    import symgd._progress as progress
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    path, x, _ = line_file
    symgd.mse("w*x + b", str(path), stream=True, progress=True).least_squares()
    err = capsys.readouterr().err
    assert f"reading {path}" in err and " MB" in err and "rows" in err and "MB/s" in err
    assert f"{len(x):,} rows" in err or "rows" in err.splitlines()[-1]


def test_streamed_parquet_equals_in_memory_and_names_a_bad_row(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    x, y = line_data(120_000, seed=8, offset=500.0)
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"x": x, "y": y, "notes": ["n"] * len(x)}), path,
                   row_group_size=25_000)
    streamed = symgd.mse("w*x + b", str(path), params=["w", "b"], stream=True)
    assert "streamed" in streamed.evaluation
    w, b, loss = fsum_fit(x, y)
    np.testing.assert_allclose(streamed.least_squares(), [w, b], rtol=1e-11)
    bad = y.copy()
    bad[70_123] = np.nan
    pq.write_table(pa.table({"x": x, "y": bad}), path, row_group_size=25_000)
    with pytest.raises(DataError) as err:
        symgd.mse("w*x + b", str(path), stream=True)
    assert "70124" in str(err.value) or "70,124" in str(err.value)
    assert "column 'y'" in str(err.value)
