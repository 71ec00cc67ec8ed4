"""One function per command: each builds its report, prints it with
:func:`symgd.cli.emit.emit` and returns the exit code.

Only the command line prints, writes files and chooses exit codes: 0 for
success, 1 for a run that did not converge (or a claimed derivative that is
not right), 2 for invalid input, 3 for a claimed derivative that is not
proven when ``check --strict`` requires proof (and none is wrong).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any, Callable, Sequence, TextIO

from ..analysis import analyze as analyze_objective
from ..check import check_gradient, check_hessian, check_report_exit_code
from .._progress import progress_line
from ..data.dataset import Dataset
from ..check.batch import iter_checks, read_jsonl, summary_line
from ..check.claims import WithConstants
from ..errors import InputError
from ..objective.display import Derivatives
from . import inputs
from .demos import DEMO_REPORTS, DemoList
from .emit import emit, shows_symbols
from .flags import run_message
from .reports import (Equation, FitHeading, ObjectiveHeading, Run, Saved, Sections,
                      ShellWords, Table, TableOptions)

__all__ = ["COMMANDS", "EXIT_OK", "EXIT_NOT_CONVERGED", "EXIT_BAD_INPUT", "EXIT_UNDECIDED",
           "diff", "descend",
           "fit", "analyze", "check", "explain", "plot", "animate", "report", "demo", "completion", "DEMO_REPORTS"]

EXIT_OK, EXIT_NOT_CONVERGED, EXIT_BAD_INPUT = 0, 1, 2
EXIT_UNDECIDED = 3         # check --strict: right at every point tried, but not proven


def diff(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd diff``: the partial derivatives, gradient and Hessian."""
    emit(Derivatives(inputs.objective(args), unicode=shows_symbols(out)), args.format, out)
    return EXIT_OK


def descend(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd descend``: one run of gradient descent on EXPR."""
    _check_plot_file(args)
    obj = inputs.objective(args)
    res = inputs.run(obj, args)
    return _report_run(obj, res, ObjectiveHeading(obj), args, out)


def fit(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd fit``: a model fitted to data by gradient descent."""
    _check_plot_file(args)
    model, obj, network = inputs.model_loss(args, args.data)
    if args.start is None:
        start = model.init(seed=args.seed, scheme=args.init) if network else {}
        args.start = ",".join(f"{k}={v!r}" for k, v in start.items()) or "0"
    batches = {}
    if args.batch_size is not None:
        batches = {"batch_size": args.batch_size, "epochs": args.epochs,
                   "shuffle": not args.no_shuffle, "seed": args.seed}
    res = inputs.run(obj, args, **batches)
    return _report_run(obj, res, _fit_heading(args, model, obj, network, shows_symbols(out)),
                       args, out, least_squares=obj.least_squares() if obj.is_quadratic
                       else None)


def _check_plot_file(args: argparse.Namespace) -> None:
    """--plot FILE is checked before the run, not after it."""
    if getattr(args, "plot", None):
        from ..plot.common import check_output
        check_output(args.plot, "--plot")


def _fit_heading(args: argparse.Namespace, model: Any, obj: Any, network: bool,
                 unicode: bool) -> FitHeading:
    """The data, model and loss; the loss and its partial derivatives as sums
    over the rows (a network's partials are long: see explain), which the text
    writes out in full only with --verbose."""
    what = str(model) if network else f"model {obj.model}"
    equations = [Equation(obj.label, None, obj.expr)]
    if not network:
        equations += [Equation(obj.label, v, g) for v, g in zip(obj.names, obj.gradient)]
    title = f"{obj.rows} rows of {args.data}; {what}, {args.loss} loss"
    if not isinstance(obj.data, Dataset):      # streamed: say how the rows were reduced
        title += f" ({obj.evaluation})"
    return FitHeading(title, equations,
                      unicode, brief=not args.verbose)


def _report_run(obj: Any, res: Any, heading: Any, args: argparse.Namespace, out: TextIO,
                least_squares: Any = None) -> int:
    """Draw the run (--plot), then print it: with --table (or --exact) in a format
    other than text, the iteration table alone."""
    if args.plot:
        _save(_natural_figure(obj, res), args.plot)
    table = None
    if args.table or args.exact:
        table = Table(res, TableOptions(every=args.every, digits=args.digits,
                                        gradient=args.gradient, first=args.first,
                                        exact=bool(args.exact)))
    if table is not None and args.format != "text":
        emit(table, args.format, out)
    else:
        emit(Run(heading, res, label=obj.label, digits=args.digits, table=table,
                 least_squares=least_squares), args.format, out)
    return EXIT_OK if res.success else EXIT_NOT_CONVERGED


def analyze(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd analyze``: stationary points and step-size facts."""
    obj = inputs.objective(args)
    at = inputs.start_value(args.at, obj.names) if args.at else None
    emit(ShellWords(analyze_objective(obj, lr=args.lr, at=at,
                                      bounds=inputs.numbers(args.bounds, "bound"),
                                      progress=inputs.progress(args))),
         args.format, out)
    return EXIT_OK


def check(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd check``: claimed derivatives against the exact ones (exit 0 right,
    1 wrong or not checked, 3 with --strict when right but not proven)."""
    if args.batch is not None:
        return _check_batch(args, out)
    obj = inputs.objective(args)
    constants = inputs.assignments(args.const, "--const")
    options = dict(points=args.points, seed=args.seed, timeout=args.timeout,
                   require="proof" if args.strict else "numeric")
    reports = {}
    for kind, claimed, run_check in (("gradient", args.grad, check_gradient),
                                     ("hessian", args.hessian, check_hessian)):
        if claimed is not None:
            reports[kind] = run_check(obj, WithConstants(claimed, constants) if constants
                                      else claimed, **options)
    emit(Sections(list(reports.items())), args.format, out)
    codes = {check_report_exit_code(r) for r in reports.values()}
    return EXIT_NOT_CONVERGED if EXIT_NOT_CONVERGED in codes else max(codes)  # wrong first


def _check_batch(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd check --batch FILE``: one JSON line per item, then the summary line."""
    lines = _batch_lines(args.batch)
    start = time.monotonic()
    done = []
    line = progress_line("check", len(lines), show=inputs.progress(args), unit="lines")
    try:
        for item in iter_checks(read_jsonl(lines), timeout=args.timeout, points=args.points,
                                seed=args.seed, require="proof" if args.strict else "numeric"):
            done.append(item)
            if line is not None:
                line.clear()                 # the JSON line goes where the progress line was
            out.write(json.dumps(item.line()) + "\n")
            out.flush()
            if line is not None:
                line.update(len(done), note=f"{sum(not i.ok for i in done):,} not right")
    finally:
        if line is not None:
            line.close()
    out.write(json.dumps(summary_line(done, time.monotonic() - start)) + "\n")
    return EXIT_OK if all(i.ok for i in done) else EXIT_NOT_CONVERGED


def _batch_lines(path: str) -> list[str]:
    if path == "-":
        return sys.stdin.read().splitlines()
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except OSError as err:
        raise InputError(f"cannot read the --batch file {path!r}: "
                         f"{err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise InputError(f"the --batch file {path!r} is not UTF-8 text ({err.reason} at "
                         f"byte {err.start})") from None


def explain(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd explain``: the partial derivatives derived rule by rule."""
    from ..explain.core import explain as explain_objective
    obj = inputs.expr_or_data(args)
    emit(explain_objective(obj, wrt=inputs.names(args.wrt)), args.format, out)
    return EXIT_OK


def plot(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd plot``: one figure, saved to --out."""
    from .. import plot as plotting
    from ..plot.common import check_output
    check_output(args.out, "--out")
    obj = inputs.expr_or_data(args)
    bounds = _plot_bounds(args.kind, inputs.numbers(args.bounds, "bound"))
    lrs = inputs.numbers(args.lrs, "lr")
    kind = args.kind
    if kind in ("learning-rates", "lr-sweep"):
        start = obj.point(inputs.start_value("0" if args.start is None else args.start,
                                             obj.names), "start")
        draw = plotting.plot_learning_rates if kind == "learning-rates" else \
            plotting.plot_lr_sweep
        drawn = draw(obj, start, lrs, max_iter=args.max_iter)
    elif kind == "basins":
        drawn = plotting.plot_basins(obj, bounds, args.lr, step=args.step,
                                     max_iter=args.max_iter)
    elif kind == "slice":
        at = inputs.start_value(args.start, obj.names) if args.start is not None else None
        drawn = plotting.plot_slice(obj, args.var, at=at, bounds=bounds,
                                    tangent_at=args.tangent_at)
    else:
        res = inputs.run(obj, args)
        drawn = {"loss": lambda: plotting.plot_loss(res, log=args.log, name=obj.label),
                 "contour": lambda: plotting.plot_contour(obj, res, bounds=bounds),
                 "surface": lambda: plotting.plot_surface(obj, res, bounds=bounds),
                 "fit": lambda: plotting.plot_fit(obj, res),
                 "snapshots": lambda: plotting.plot_snapshots(obj, res)}[kind]()
        if not res.success:
            _title_not_converged(drawn, res)
            _save(drawn, args.out, args.dpi)
            emit(Saved(kind, args.out, not_converged=res.message), args.format, out)
            return EXIT_NOT_CONVERGED
    _save(drawn, args.out, args.dpi)
    emit(Saved(kind, args.out), args.format, out)
    return EXIT_OK


def animate(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd animate``: one run (or a race of step rules) animated to --out."""
    from ..plot.animate import animate as animate_runs
    from ..plot.common import check_output
    path = check_output(args.out, "--out", suffixes=(".gif", ".html"))
    obj = inputs.expr_or_data(args)
    runs = _animated_runs(obj, args)
    kind = args.kind or ("contour" if obj.n == 2 else "slice")
    bounds = _plot_bounds(kind, inputs.numbers(args.bounds, "bound"))
    options = {} if bounds is None else {"bounds": bounds}
    anim = animate_runs(obj, *runs, kind=args.kind, fps=args.fps, frames=args.frames,
                        dpi=args.dpi, **options)
    failed = [r for r in runs if not r.success]
    try:
        if failed:
            axes = anim.symgd_figure.axes[0]
            names = ", ".join(f"{r.step} (lr = {r.lr:g})" for r in failed) if len(runs) > 1 \
                else None
            note = f"did not converge: {names}" if names else "did not converge"
            title = axes.get_title()
            axes.set_title(f"{title}\n{note}" if title else note, color="#b00000")
        if path.suffix.lower() == ".gif":
            anim.save(str(path))
        else:
            path.write_text(_animation_page(anim.to_jshtml(), obj.label), encoding="utf-8")
    finally:
        anim.symgd_close()
    message, runs_text = None, "the run drawn did not converge"
    if failed:
        message = failed[0].message if len(runs) == 1 else \
            " ".join(f"{r.step}: {r.message}" for r in failed)
        if len(runs) > 1:
            runs_text = f"{len(failed)} of the {len(runs)} runs did not converge"
    emit(Saved("animation", args.out, not_converged=message and run_message(message),
               runs=runs_text), args.format, out)
    return EXIT_NOT_CONVERGED if failed else EXIT_OK


def _animated_runs(obj: Any, args: argparse.Namespace) -> list:
    """The run of --step, or one run per rule of --race (each at its own rate
    where given, else at --lr)."""
    if args.race is None:
        return [inputs.run(obj, args)]
    from ..descent.race import race
    rates = inputs.race_rules(args.race, 0.1 if args.lr is None else args.lr)
    start = inputs.start_value("0" if args.start is None else args.start, obj.names)
    return list(race(obj, start, rules=list(rates), lr=rates, max_iter=args.max_iter,
                     tol=inputs.tolerance(args), **inputs.step_options(args)).results)


def _animation_page(player: str, label: str) -> str:
    """A minimal HTML page around matplotlib's JavaScript player."""
    import html
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Gradient descent on {html.escape(label)}</title></head>\n"
            f"<body>\n{player}\n</body></html>\n")


def report(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd report``: a lesson on one objective as one HTML file."""
    from ..lesson import report as lesson_report
    from ..plot.common import check_output
    check_output(args.out, "--out", suffixes=(".html", ".htm"))
    obj = inputs.expr_or_data(args)
    start = inputs.start_value(args.start, obj.names) if args.start is not None else None
    lesson = lesson_report(obj, start, args.lr, step=args.step, max_iter=args.max_iter,
                           tol=inputs.tolerance(args), frames=args.frames, title=args.title,
                           **inputs.step_options(args))
    lesson.save(args.out)
    res = lesson.result
    emit(Saved("report", args.out,
               not_converged=None if res.success else run_message(res.message)),
         args.format, out)
    return EXIT_OK if res.success else EXIT_NOT_CONVERGED


def _plot_bounds(kind: str, values: list[float] | None) -> Any:
    """--bounds as the figure takes it: LOW,HIGH for a slice (and for both axes
    of a two-variable figure), or X0,X1,Y0,Y1."""
    if values is None:
        return None
    two_axes = kind in ("contour", "surface")   # basins takes one LOW,HIGH for both
    if len(values) == 2:
        pair = _bound_pair(values)
        return (pair, pair) if two_axes else pair
    if len(values) == 4 and two_axes:
        return (_bound_pair(values[:2], "X0,X1"), _bound_pair(values[2:], "Y0,Y1"))
    forms = "LOW,HIGH (both axes) or X0,X1,Y0,Y1" if two_axes else "LOW,HIGH"
    raise InputError(f"--bounds takes {forms} for plot {kind}; got {len(values)} numbers")


def _bound_pair(values: Sequence[float], what: str = "LOW,HIGH") -> tuple[float, float]:
    low, high = values
    if not low < high:
        raise InputError(f"--bounds {what} needs LOW < HIGH, got {low:g},{high:g}")
    if not math.isfinite(high - low):
        raise InputError(f"--bounds {what} is too wide ({low:g} to {high:g}): the width must "
                         "be a finite number (below about 1.8e308)")
    return (low, high)


def _title_not_converged(drawn: Any, res: Any) -> None:
    """The figure's title says that the run drawn did not converge, and how it ended."""
    how = res.message.split(":")[0].split(".")[0].strip()
    note = f"did not converge ({how.lower()})" if how else "did not converge"
    title = drawn.axes.get_title()
    drawn.axes.set_title(f"{title}\n{note}" if title else note, color="#b00000")


def _natural_figure(obj: Any, res: Any) -> Any:
    """The figure --plot draws: the fit of a one-feature model, the contour of
    two variables, else the loss curve."""
    from .. import plot as plotting
    if obj.per_sample is not None and _one_feature(obj):
        return plotting.plot_fit(obj, res)
    if obj.n == 2:
        return plotting.plot_contour(obj, res)
    if obj.n == 1:                  # the calculus picture: f(x) with the steps on it
        return plotting.plot_slice(obj, obj.names[0], result=res)
    return plotting.plot_loss(res, log=True, name=obj.label)


def _one_feature(obj: Any) -> bool:
    features = [s for s in obj.columns if s != obj.target]
    return obj.model is not None and len(features) == 1


def _save(drawn: Any, path: str, dpi: int = 120) -> None:
    from .. import plot as plotting
    try:
        plotting.save(drawn, path, dpi=dpi)
    finally:
        drawn.close()


def completion(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd completion SHELL``: a completion script made from the parser."""
    from .completion import script
    from .parser import build_parser
    out.write(script(build_parser(), args.shell))
    return EXIT_OK


def demo(args: argparse.Namespace, out: TextIO) -> int:
    """``symgd demo``: a built-in example from the lessons."""
    if args.list:
        emit(DemoList(), args.format, out)
    else:
        emit(DEMO_REPORTS[args.name](shows_symbols(out)), args.format, out)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "diff": diff, "descend": descend, "fit": fit, "analyze": analyze, "check": check,
    "explain": explain, "plot": plot, "animate": animate, "report": report, "demo": demo,
    "completion": completion}
