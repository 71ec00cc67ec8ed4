"""Reading a data file: peak memory and time of ``symgd.read_table``.

Generated comma-separated files of the given sizes (in MB) are read in a
fresh child process each; the child reports its peak resident memory
(``resource.getrusage(...).ru_maxrss``) beyond what it held after importing
symgd, and the time of the read. Memory is shown as a multiple of the final
float64 columns (rows x columns x 8 bytes) and of the file's size.

Two kinds of files: ``long`` numbers (``np.savetxt``'s ``%.18e``, 25
characters a value) and ``short`` numbers (``%.4g``, about 7 characters a
value, so the columns are a larger share of the file).

``--baseline REV`` also measures the reader of the git revision REV (its
``symgd`` package extracted to a temporary folder), in the same run, so that
the two can be compared on the same machine and files.

Run: python benchmarks/bench_read.py [--sizes 50,200] [--baseline main] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tarfile
import tempfile
import io

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLUMNS = 4

CHILD = r"""
import json, resource, sys, time
import numpy as np
import symgd
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
data = symgd.read_table(sys.argv[1])
elapsed = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": data.rows, "columns": len(data.names), "seconds": elapsed,
                  "peak_kib": after - before, "check": float(data[data.names[0]].sum())}))
"""


def make_file(path: pathlib.Path, megabytes: float, kind: str, seed: int = 0) -> None:
    """A CSV of about ``megabytes`` MB: a header line, then rows of COLUMNS numbers."""
    rng = np.random.default_rng(seed)
    fmt = "%.18e" if kind == "long" else "%.4g"
    probe = io.StringIO()
    np.savetxt(probe, rng.normal(size=(1000, COLUMNS)), fmt=fmt, delimiter=",")
    per_row = len(probe.getvalue()) / 1000
    rows = int(megabytes * 1e6 / per_row)
    with path.open("w") as file:
        file.write(",".join(f"x{k}" for k in range(1, COLUMNS + 1)) + "\n")
        block = 200_000
        for start in range(0, rows, block):
            np.savetxt(file, rng.normal(size=(min(block, rows - start), COLUMNS)), fmt=fmt,
                       delimiter=",")


def measure(tree: pathlib.Path, path: pathlib.Path, repeat: int) -> dict:
    """The best time of ``repeat`` reads, each in a fresh child (run in the
    file's folder, so that ``tree`` is the only symgd it can import)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    best: dict = {}
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)], env=env,
                              cwd=path.parent, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
        got = json.loads(done.stdout)
        if not best or got["seconds"] < best["seconds"]:
            best = got
    return best


def extract(rev: str, into: pathlib.Path) -> pathlib.Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "symgd"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200", help="file sizes in MB, e.g. 50,200")
    parser.add_argument("--kinds", default="long,short")
    parser.add_argument("--baseline", default=None, help="a git revision to compare with")
    parser.add_argument("--repeat", type=int, default=2, help="reads per file and reader")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = pathlib.Path(tmp)
        trees = {"this tree": ROOT}
        if args.baseline:
            trees[args.baseline] = extract(args.baseline, tmp_path / "baseline")
        print(f"{'file':>16} {'MB':>6} {'rows':>9}  {'reader':>10} {'seconds':>8} "
              f"{'peak MB':>8} {'x columns':>9} {'x file':>7}")
        for kind in args.kinds.split(","):
            for size in (float(s) for s in args.sizes.split(",")):
                path = tmp_path / f"{kind}-{size:g}.csv"
                make_file(path, size, kind)
                file_mb = path.stat().st_size / 1e6
                for name, tree in trees.items():
                    got = measure(tree, path, args.repeat)
                    if "error" in got:
                        print(f"{kind:>16} {file_mb:6.0f} {'':>9}  {name:>10} {got['error']}")
                        continue
                    columns_mb = got["rows"] * got["columns"] * 8 / 1e6
                    peak_mb = got["peak_kib"] * 1024 / 1e6
                    print(f"{kind:>16} {file_mb:6.0f} {got['rows']:9d}  {name:>10} "
                          f"{got['seconds']:8.2f} {peak_mb:8.0f} {peak_mb / columns_mb:9.2f} "
                          f"{peak_mb / file_mb:7.2f}")
                path.unlink()


if __name__ == "__main__":
    main()
