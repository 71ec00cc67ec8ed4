"""Run every benchmark in this folder (bench_*.py, among them bench_check.py: batch
grading), then list every line that states a goal, so the ratios and their
goals can be read together: python benchmarks/run.py [NAME ...]"""

from __future__ import annotations

import contextlib
import io
import pathlib
import runpy
import sys
import traceback

HERE = pathlib.Path(__file__).resolve().parent


class Tee(io.TextIOBase):
    """Standard output that is also kept."""

    def __init__(self, out: io.TextIOBase) -> None:
        self.out, self.kept = out, []

    def write(self, text: str) -> int:
        self.kept.append(text)
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


if __name__ == "__main__":
    chosen = sys.argv[1:]
    sys.path.insert(0, str(HERE))
    goals: list[tuple[str, str]] = []
    failed: list[str] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if chosen and not any(c in path.stem for c in chosen):
            continue
        print(f"=== {path.name}", flush=True)
        tee = Tee(sys.stdout)
        saved = sys.argv
        sys.argv = [str(path)]
        try:
            with contextlib.redirect_stdout(tee):
                runpy.run_path(str(path), run_name="__main__")
        except Exception as err:     # one broken benchmark must not hide the others' figures
            failed.append(path.name)
            traceback.print_exc()
            print(f"{path.name} FAILED: {type(err).__name__}: {err}")
        finally:
            sys.argv = saved
        goals += [(path.stem, line.strip()) for line in "".join(tee.kept).splitlines()
                  if "(goal" in line]
        print()
    if goals:
        print("=== goals")
        for name, line in goals:
            print(f"{name}: {line}")
    if failed:
        print(f"=== failed: {', '.join(failed)}")
        sys.exit(1)
