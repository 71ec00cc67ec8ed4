"""Data beyond memory: a streamed CSV fit, a Parquet fit and Dask steps.

* **CSV**: a file of N (x, y) rows is fitted by ``symgd.mse("w*x + b",
  path, stream=True).least_squares()`` in a fresh child process, which
  reports its time and its peak resident memory beyond what it held after
  importing symgd. In the same run, the fastest one-pass readers found for
  the format read the same columns in chunks: pyarrow's ``open_csv`` and
  pandas' ``read_csv(chunksize=...)``. Goal: peak <= 250 MB, time <= 2x the
  fastest reader.
* **Parquet**: the same rows as a Parquet file, fitted by symgd, against
  pyarrow reading the two columns batch by batch. Goal: <= 2x.
* **Dask**: the MSE statistics of 10^7 rows on a LocalCluster (one
  reduction), and the time of one log-loss gradient step (one reduction per
  step) with 1 and 2 worker processes.

Run: python benchmarks/bench_bigdata.py [--rows 10000000] [--dask-rows 10000000] [--keep DIR]
(``--rows 100000000`` writes the 3 GB file of the goal: about 3 minutes to
write.)
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from ratios import speed  # noqa: E402

CHILD = r"""
import json, sys, time
import numpy as np
import symgd
from benchmarks.ratios import peak_bytes
path = sys.argv[1]
base = peak_bytes()
t = time.perf_counter()
L = symgd.mse("w*x + b", path, params=["w", "b"], stream=True)
fit = L.least_squares()
seconds = time.perf_counter() - t
peak = peak_bytes()
print(json.dumps({"seconds": seconds, "grown": peak - base, "peak": peak,
                  "fit": fit.tolist(),
                  "rows": L.rows, "evaluation": L.evaluation}))
"""

CONVERT = r"""
import sys, pyarrow.csv as pc, pyarrow.parquet as pq
pq.write_table(pc.read_csv(sys.argv[1]), sys.argv[2], row_group_size=1 << 20)
"""

READERS = {
    "pyarrow open_csv": r"""
import sys, time, pyarrow as pa, pyarrow.csv as pc
t = time.perf_counter()
r = pc.open_csv(sys.argv[1], read_options=pc.ReadOptions(block_size=1 << 23),
                convert_options=pc.ConvertOptions(column_types={"x": pa.float64(), "y": pa.float64()}))
n = 0
for b in r:
    x, y = b.column(0).to_numpy(), b.column(1).to_numpy(); n += len(x)
print(time.perf_counter() - t)
""",
    "pandas read_csv chunks": r"""
import sys, time, pandas as pd
t = time.perf_counter()
for c in pd.read_csv(sys.argv[1], chunksize=1 << 18, dtype="float64"):
    x, y = c["x"].to_numpy(), c["y"].to_numpy()
print(time.perf_counter() - t)
""",
    "pyarrow parquet batches": r"""
import sys, time, pyarrow.parquet as pq
t = time.perf_counter()
f = pq.ParquetFile(sys.argv[1])
for b in f.iter_batches(columns=["x", "y"], batch_size=1 << 18):
    x, y = b.column(0).to_numpy(), b.column(1).to_numpy()
print(time.perf_counter() - t)
""",
}


def write_csv(path: pathlib.Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    block = 1_000_000
    with open(path, "w") as f:
        f.write("x,y\n")
        for start in range(0, rows, block):
            n = min(block, rows - start)
            x = rng.normal(size=n) * 3 + 10
            y = 2.5 * x - 1 + rng.normal(size=n)
            f.write("\n".join(f"{a:.10g},{b:.10g}" for a, b in zip(x.tolist(), y.tolist())))
            f.write("\n")


def child(code: str, path: pathlib.Path) -> str:
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode:
        return "error: " + out.stderr.strip().splitlines()[-1]
    return out.stdout.strip()


def available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def files(rows: int, folder: pathlib.Path, keep: bool = False) -> None:
    csv = folder / f"rows-{rows}.csv"
    if not csv.exists():
        t = time.perf_counter()
        write_csv(csv, rows)
        print(f"CSV: {rows:,} rows, {csv.stat().st_size / 1e6:,.0f} MB "
              f"(written in {time.perf_counter() - t:.0f} s)")
    else:
        print(f"CSV: {rows:,} rows, {csv.stat().st_size / 1e6:,.0f} MB (kept from a run before)")
    fit = json.loads(child(CHILD, csv))
    print(f"  symgd streamed fit: {fit['seconds']:.2f} s, peak memory {fit['peak'] / 1e6:.0f} MB "
          f"for the whole process, {fit['grown'] / 1e6:.0f} MB above its peak after importing "
          f"symgd (goal <= 250 MB); w, b = {fit['fit'][0]:.6f}, {fit['fit'][1]:.6f}")
    best = None
    for name in ("pyarrow open_csv", "pandas read_csv chunks"):
        if not available(name.split()[0]):
            print(f"  {name}: not installed")
            continue
        seconds = float(child(READERS[name], csv))
        print(f"  {name}: {seconds:.2f} s ({speed('symgd', fit['seconds'], seconds)})")
        best = seconds if best is None else min(best, seconds)
    if best:
        print(f"  symgd / fastest reader: {fit['seconds'] / best:.2f}x (goal <= 2x)")
    if available("pyarrow"):
        parquet = folder / f"rows-{rows}.parquet"
        if not parquet.exists():
            # in a child process: the whole table is read here
            subprocess.run([sys.executable, "-c", CONVERT, str(csv), str(parquet)], check=True)
        if not keep:
            os.unlink(csv)
        print(f"Parquet: {parquet.stat().st_size / 1e6:,.0f} MB")
        answer = child(CHILD, parquet)
        if answer.startswith("error"):
            print(f"  symgd fit: {answer}")
            return
        fit = json.loads(answer)
        seconds = float(child(READERS["pyarrow parquet batches"], parquet))
        print(f"  symgd fit: {fit['seconds']:.2f} s, peak memory {fit['peak'] / 1e6:.0f} MB; "
              f"pyarrow reading the columns: {seconds:.2f} s; "
              f"ratio {fit['seconds'] / seconds:.2f}x (goal <= 2x)")
        print(f"  ({fit['evaluation']})")


def on_dask(rows: int) -> None:
    if not available("dask.distributed"):
        print("Dask: not installed")
        return
    import dask
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    import symgd
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=50) as cluster, \
                Client(cluster):
            rng = da.random.RandomState(1)
            x = rng.normal(size=rows, chunks=rows // 8)
            y = (rng.random_sample(size=rows, chunks=rows // 8) < 1 / (1 + da.exp(-2 * x)))
            data = da.stack([x, y.astype(float)], axis=1).rechunk({1: -1}).persist()
            dask.compute(data.sum())
            t = time.perf_counter()
            L = symgd.mse("w*x + b", data, names=["x", "y"], params=["w", "b"])
            L.least_squares()
            stats = time.perf_counter() - t
            ll = symgd.log_loss("sigmoid(w*x + b)", data, names=["x", "y"], params=["w", "b"])
            ll.grad([0.1, 0.0])
            t = time.perf_counter()
            steps = 5
            run = symgd.descend(ll, [0.0, 0.0], lr=1.0, max_iter=steps, tol=None)
            step = (time.perf_counter() - t) / (run.nfev or steps + 1)
            print(f"Dask, {workers} worker{'s' if workers > 1 else ''}, {rows:,} rows in 8 "
                  f"partitions: MSE statistics {stats:.2f} s; log-loss step {step * 1e3:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dask-rows", type=int, default=10_000_000)
    parser.add_argument("--keep", metavar="FOLDER",
                        help="write the files in FOLDER and keep them for the next run")
    args = parser.parse_args()
    if args.keep:
        pathlib.Path(args.keep).mkdir(parents=True, exist_ok=True)
        files(args.rows, pathlib.Path(args.keep), keep=True)
    else:
        with tempfile.TemporaryDirectory() as folder:
            files(args.rows, pathlib.Path(folder))
    on_dask(args.dask_rows)
