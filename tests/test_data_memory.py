"""Reading a data file costs memory in proportion to its float64 columns.

Each case runs in a child process: one that reads a generated file of about
40 MB and reports its peak resident memory beyond what it held before the
read, and children under an address-space limit (``RLIMIT_AS``) set just
above what they hold, where the read must end in a one-line symgd error,
in Python and on the command line, never a traceback.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

resource = pytest.importorskip("resource")
if not pathlib.Path("/proc/self/status").exists():
    pytest.skip("needs /proc to measure the address space", allow_module_level=True)

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLUMNS = 4
BLOCK_ROWS = 10_000


def make_file(path: pathlib.Path, repeats: int) -> float:
    """A CSV of ``repeats`` copies of one random block; the sum of column x1."""
    rng = np.random.default_rng(3)
    block = np.round(rng.normal(size=(BLOCK_ROWS, COLUMNS)) * 100, 3)
    text = "\n".join(",".join(f"{v:g}" for v in row) for row in block) + "\n"
    with path.open("w") as file:
        file.write(",".join(f"x{k}" for k in range(1, COLUMNS + 1)) + "\n")
        for _ in range(repeats):
            file.write(text)
    return float(block[:, 0].sum() * repeats)


CHILD = r"""
import json, resource, sys
import numpy as np
import symgd
from symgd.cli.main import main

def vm_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024

mode, path, extra = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "peak":
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    data = symgd.read_table(path)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak": (after - before) * 1024, "rows": data.rows,
                      "sum": float(data["x1"].sum())}))
    sys.exit(0)
limit = vm_bytes() + extra
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
if mode == "python":
    try:
        data = symgd.read_table(path)
        print(json.dumps({"rows": data.rows}))
    except symgd.DataError as err:
        print(json.dumps({"error": str(err)}))
else:
    sys.exit(main(["fit", path, "--model", "w*x1 + b", "--columns", "y=x2"]))
"""


def run_child(mode: str, path: pathlib.Path, extra: int = 0) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-c", CHILD, mode, str(path), str(extra)],
                          env=env, cwd=path.parent, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("memory") / "big.csv"
    total = make_file(path, repeats=120)          # 1.2 million rows, about 40 MB
    return path, total, 120 * BLOCK_ROWS


def test_peak_memory_is_within_three_times_the_columns(big_file):
    path, total, rows = big_file
    done = run_child("peak", path)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["rows"] == rows
    assert got["sum"] == pytest.approx(total, rel=1e-12)
    columns = rows * COLUMNS * 8
    assert path.stat().st_size > 30e6
    # the old reader needed about ten times the columns (every line a Python string)
    assert got["peak"] < 3 * columns, (got["peak"] / columns)


def test_reading_under_a_limit_just_above_the_columns_succeeds(big_file):
    path, _, rows = big_file
    columns = rows * COLUMNS * 8
    done = run_child("python", path, extra=int(2.5 * columns) + 64 * 2 ** 20)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"rows": rows}


def test_too_little_memory_is_a_one_line_data_error(big_file):
    path, _, _ = big_file
    done = run_child("python", path, extra=8 * 2 ** 20)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert "error" in got and "not enough memory" in got["error"], got
    assert "\n" not in got["error"] and str(path.name) in got["error"]


def test_too_little_memory_on_the_command_line(big_file):
    path, _, _ = big_file
    done = run_child("cli", path, extra=8 * 2 ** 20)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "not enough memory" in done.stderr, done.stderr
