"""Run every benchmark in this folder (bench_*.py, among them bench_check.py: batch
grading): python benchmarks/run.py [NAME ...]"""

from __future__ import annotations

import pathlib
import runpy
import sys

HERE = pathlib.Path(__file__).resolve().parent

if __name__ == "__main__":
    chosen = sys.argv[1:]
    for path in sorted(HERE.glob("bench_*.py")):
        if chosen and not any(c in path.stem for c in chosen):
            continue
        print(f"=== {path.name}")
        runpy.run_path(str(path), run_name="__main__")
        print()
