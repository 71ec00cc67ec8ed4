"""Grading submissions: 50 and 500 claimed gradients, two ways.

* symgd.check_many: every submission checked in this one process (each
  check in a forked child under its time limit);
* symgd check --batch FILE: the same submissions as JSON lines, through the
  command line (one interpreter start for the whole batch).

The submissions are textbook exercises, each with a right answer (in one of
several equivalent forms) or a typical mistake (sign, chain rule, product
rule, constant factor, exchanged partials). Both ways must give the same
verdicts, and the verdicts the right ones. Goal: 50 in at most 5 s.
Run: python benchmarks/bench_check.py [--sizes 50,500]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import symgd

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (function, right claims, wrong claims); claims are in variable order, or by name.
EXERCISES = [
    ("x^2 + x*y + y^2", ["2x + y, x + 2y", "y: x + 2*y, x: y + 2*x"], ["2x + y, -x - 2y"]),
    ("sin(x^2)", ["2x*cos(x^2)"], ["cos(x^2)"]),
    ("x*exp(x)", ["exp(x)*(1 + x)", "exp(x) + x*exp(x)"], ["exp(x)"]),
    ("log(x^2 + 1)", ["2x/(x^2 + 1)"], ["1/(x^2 + 1)"]),
    ("(w*x + b - y)^2", ["b: 2*(w*x + b - y), w: 2*x*(w*x + b - y), x: 2*w*(w*x + b - y), "
                         "y: -2*(w*x + b - y)"],
     ["2*x*(w*x + b - y), 2*(w*x + b - y), 2*w*(w*x + b - y), -2*(w*x + b - y)"]),
    ("exp(-x^2 - y^2)", ["-2x*exp(-x^2 - y^2), -2y*exp(-x^2 - y^2)"],
     ["-2x*exp(-x^2 - y^2), -2x*exp(-x^2 - y^2)"]),
    ("x^3*y - 2*x*y^2", ["3x^2*y - 2y^2, x^3 - 4x*y"], ["3x^2*y - 2y^2, x^3 - 2x*y"]),
    ("1/(1 + exp(-x))", ["exp(-x)/(1 + exp(-x))^2"], ["-exp(-x)/(1 + exp(-x))^2"]),
    ("tanh(x)", ["1 - tanh(x)^2", "1/cosh(x)^2"], ["1 + tanh(x)^2"]),
    ("sqrt(x^2 + y^2 + 1)", ["x/sqrt(x^2 + y^2 + 1), y/sqrt(x^2 + y^2 + 1)"],
     ["1/(2*sqrt(x^2 + y^2 + 1)), 1/(2*sqrt(x^2 + y^2 + 1))"]),
    ("(1 - x)^2 + 100*(y - x^2)^2", ["-2*(1 - x) - 400*x*(y - x^2), 200*(y - x^2)"],
     ["-2*(1 - x) - 200*x*(y - x^2), 200*(y - x^2)"]),
    ("sin(x)*cos(y)", ["cos(x)*cos(y), -sin(x)*sin(y)"], ["cos(x)*cos(y), sin(x)*sin(y)"]),
    ("x^2*exp(3*y)", ["2x*exp(3y), 3x^2*exp(3y)"], ["2x*exp(3y), x^2*exp(3y)"]),
    ("atan(x/y)", ["y/(x^2 + y^2), -x/(x^2 + y^2)"], ["1/(1 + x^2/y^2), -x/(x^2 + y^2)"]),
    ("cos(x)^2", ["-2*sin(x)*cos(x)", "-sin(2x)"], ["2*sin(x)*cos(x)"]),
    ("x^4 - 3x^2 + 2", ["4x^3 - 6x"], ["4x^3 - 3x"]),
    ("log(1 + exp(x))", ["exp(x)/(1 + exp(x))", "1/(1 + exp(-x))"], ["1/(1 + exp(x))"]),
    ("x*y*z", ["y*z, x*z, x*y"], ["y*z, x*z, x*z"]),
]


def submissions(n: int) -> list[dict]:
    """``n`` submissions, cycling through the exercises' right and wrong claims."""
    pool = [(f, claim, ok) for f, right, wrong in EXERCISES
            for claim, ok in [*((c, True) for c in right), *((c, False) for c in wrong)]]
    return [{"id": k, "function": pool[k % len(pool)][0], "gradient": pool[k % len(pool)][1],
             "expected": pool[k % len(pool)][2]} for k in range(n)]


def through_api(items: list[dict]) -> tuple[float, list[str], list[float]]:
    t0 = time.perf_counter()
    report = symgd.check_many([{k: v for k, v in i.items() if k != "expected"}
                               for i in items])
    total = time.perf_counter() - t0
    return total, [i.verdict for i in report.items], [i.seconds for i in report.items]


def through_cli(items: list[dict]) -> tuple[float, list[str], list[float]]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for i in items:
            f.write(json.dumps({k: v for k, v in i.items() if k != "expected"}) + "\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    try:
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "symgd", "check", "--batch", f.name],
                              capture_output=True, text=True, env=env, check=False)
        total = time.perf_counter() - t0
    finally:
        os.unlink(f.name)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    items_out = [line for line in lines if not line.get("summary")]
    return total, [i["verdict"] for i in items_out], [i["seconds"] for i in items_out]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,500")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(f"{'submissions':>11} {'way':>16} {'total s':>8} {'median s':>9} {'max s':>7} "
          f"{'right verdicts':>15}")
    for n in sizes:
        items = submissions(n)
        expected = ["right" if i["expected"] else "wrong" for i in items]
        for way, run in (("check_many", through_api), ("check --batch", through_cli)):
            total, verdicts, seconds = run(items)
            agree = sum(v == e for v, e in zip(verdicts, expected))
            print(f"{n:>11} {way:>16} {total:>8.2f} {statistics.median(seconds):>9.4f} "
                  f"{max(seconds):>7.3f} {agree:>9}/{n}")
            bad = [(i["function"], i["gradient"], v) for i, v, e in
                   zip(items, verdicts, expected) if v != e]
            for b in bad[:3]:
                print("    not as expected:", b)


if __name__ == "__main__":
    main()
