"""The ``symgd`` command.

Only this module prints, writes files and chooses exit codes:
0 for success, 1 for a run that did not converge, 2 for invalid input (one
line on stderr; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import traceback
from typing import Any, Sequence, TextIO

import sympy as sp

from .. import __version__
from ..analysis.core import analyze
from ..check import check_gradient, check_hessian, check_report_exit_code
from ..errors import InputError, SymgdError
from ..data.losses import LOSSES, DataObjective
from ..data.networks import INITIALIZERS, MLP, parse_mlp_spec
from ..objective.core import Objective
from ..expr.parse import float_number, split_top_level
from ..descent.table import TABLE_FORMATS, derivatives_dict, derivatives_text, point_text
from ..descent.loop import descend
from ..descent.steps import RULES

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_NOT_CONVERGED, EXIT_BAD_INPUT = 0, 1, 2
PLOT_KINDS = ("loss", "contour", "surface", "slice", "fit", "snapshots", "learning-rates",
              "basins", "lr-sweep")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line, exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{message} (see '{self.prog} --help')")


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``symgd`` command."""
    parser = _Parser(prog="symgd", description="Symbolic derivatives and gradient descent.")
    parser.add_argument("--version", action="version", version=f"symgd {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    diff = sub.add_parser("diff", help="show the partial derivatives, gradient and Hessian",
                          description="Show an objective's partial derivatives, gradient "
                          "and Hessian.")
    _objective_options(diff)
    out = diff.add_mutually_exclusive_group()
    out.add_argument("--latex", action="store_true", help="print LaTeX")
    out.add_argument("--json", action="store_true", help="print one JSON object")
    diff.set_defaults(run=_run_diff)

    run = sub.add_parser("descend", help="run gradient descent",
                         description="Minimize EXPR by gradient descent x <- x - lr*grad f(x). "
                         "Exit code 0 when it converged, 1 when it did not.")
    _objective_options(run)
    _run_options(run, start_required=True)
    run.set_defaults(run=_run_descend)

    fit = sub.add_parser("fit", help="fit a model to data by gradient descent",
                         description="Fit MODEL to DATA (a text file with a header line, or "
                         "a built-in data set: cars, pizza) by minimizing a loss. Exit code 0 "
                         "when descent converged, 1 when it did not.")
    fit.add_argument("data", metavar="DATA", help="data file or built-in name (cars, pizza)")
    _model_options(fit, required=True)
    fit.add_argument("--const", action="append", metavar="NAME=VALUE", default=[],
                     help="a constant, e.g. a=2.5 (repeatable)")
    fit.add_argument("--debug", action="store_true", help="show tracebacks")
    fit.add_argument("--init", choices=INITIALIZERS, default="xavier",
                     help="random start for a network model (default xavier)")
    fit.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    fit.add_argument("--batch-size", type=_positive_int, metavar="B",
                     help="mini-batch descent with B rows a step")
    fit.add_argument("--epochs", type=_positive_int, help="passes over the data (with "
                     "--batch-size)")
    fit.add_argument("--no-shuffle", action="store_true",
                     help="take the batches in the data's order")
    _run_options(fit, start_required=False)
    fit.set_defaults(run=_run_fit)

    ana = sub.add_parser("analyze", help="stationary points and step-size facts",
                         description="Find and classify the stationary points of EXPR and "
                         "say which fixed step sizes converge.")
    _objective_options(ana)
    ana.add_argument("--lr", type=_number_arg, help="a learning rate to assess")
    ana.add_argument("--at", metavar="X", help="point for the local facts, e.g. 1,1")
    ana.add_argument("--bounds", metavar="LOW,HIGH",
                     help="box for the numeric search (default -5,5 for every variable)")
    ana.add_argument("--json", action="store_true", help="print one JSON object")
    ana.set_defaults(run=_run_analyze)

    check = sub.add_parser("check", help="check claimed derivatives",
                           description="Check claimed derivatives of EXPR against the exact "
                           "ones. Exit code 0 when all are right, 1 when one is wrong or "
                           "could not be checked, 2 for invalid input.")
    _objective_options(check)
    check.add_argument("--grad", metavar="PARTIALS",
                       help='claimed partials in variable order: "2x + y, 2y + x"')
    check.add_argument("--hessian", metavar="ROWS", help='claimed Hessian: "2, 1; 1, 2"')
    check.add_argument("--points", type=_positive_int, default=20,
                       help="random points (default 20)")
    check.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    check.add_argument("--timeout", type=_number_arg, default=2.0,
                       help="seconds for simplification (default 2)")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(run=_run_check)

    expl = sub.add_parser("explain", help="derive the partial derivatives step by step",
                          description="Show how each partial derivative of EXPR is obtained, "
                          "one rule per line (sum, constant multiple, power, product, "
                          "quotient and chain rules...). With --data and --model: the "
                          "textbook derivation of the loss over the data.")
    expl.add_argument("expr", metavar="EXPR", nargs="?", help="the objective (or use --data)")
    expl.add_argument("--wrt", metavar="NAMES",
                      help="the variable(s) to differentiate by, e.g. x or w,b (default all)")
    expl.add_argument("--format", choices=("text", "markdown", "latex"), default="text",
                      help="default text")
    expl.add_argument("--vars", metavar="NAMES", help="variables in order, e.g. x,y")
    expl.add_argument("--const", action="append", metavar="NAME=VALUE", default=[])
    _data_options(expl)
    expl.add_argument("--debug", action="store_true", help="show tracebacks")
    expl.set_defaults(run=_run_explain)

    plot = sub.add_parser("plot", help="draw a figure to a file",
                          description="Draw a figure of a descent to a PNG, SVG or PDF file. "
                          "The objective is EXPR, or a loss of --model on --data.")
    plot.add_argument("kind", choices=PLOT_KINDS, help="which figure")
    plot.add_argument("expr", metavar="EXPR", nargs="?", help="the objective (or use --data)")
    plot.add_argument("--out", required=True, metavar="FILE", help="where to save: .png, .svg "
                      "or .pdf")
    plot.add_argument("--vars", metavar="NAMES", help="variables in order, e.g. x,y")
    plot.add_argument("--const", action="append", metavar="NAME=VALUE", default=[])
    _data_options(plot)
    plot.add_argument("--var", help="slice: the variable to vary")
    plot.add_argument("--tangent-at", type=_number_arg, help="slice: where to draw the tangent")
    plot.add_argument("--bounds", metavar="LOW,HIGH", help="the plotted range")
    plot.add_argument("--log", action="store_true", help="loss: a logarithmic scale")
    plot.add_argument("--lrs", metavar="A,B,C", help="learning-rates and lr-sweep: the rates")
    plot.add_argument("--dpi", type=_positive_int, default=120)
    plot.add_argument("--debug", action="store_true", help="show tracebacks")
    _run_options(plot, start_required=False)
    plot.set_defaults(run=_run_plot, lr=None)     # basins choose their own lr by default

    demo = sub.add_parser("demo", help="run a built-in example",
                          description="Run a built-in example from the gradient-descent "
                          "lessons.")
    demo.add_argument("name", nargs="?", default="bowl", choices=sorted(DEMOS),
                      help="which example (default bowl: z = x^2 + xy + y^2)")
    demo.add_argument("--debug", action="store_true", help="show tracebacks")
    demo.set_defaults(run=_run_demo)
    return parser


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", metavar="DATA", help="data file or built-in name (cars, pizza)")
    _model_options(p, required=False)


def _model_options(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--model", required=required,
                   help='the model: "w*x + b", linear, linear:x1,x2, mlp:2-3-1:tanh' +
                   ("" if required else " (with --data)"))
    p.add_argument("--loss", choices=sorted(LOSSES), default="mse", help="default mse")
    p.add_argument("--columns", metavar="SYM=COLUMN,...",
                   help="map model symbols to columns, e.g. x=Reservations,y=Pizzas")
    p.add_argument("--target", default="y", help="the target symbol (default y)")
    p.add_argument("--params", metavar="NAMES", help="parameters in order, e.g. w,b")


def _objective_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("expr", metavar="EXPR", help='the objective, e.g. "z = x^2 + xy + y^2"')
    p.add_argument("--vars", metavar="NAMES", help="variables in order, e.g. x,y")
    p.add_argument("--const", action="append", metavar="NAME=VALUE", default=[],
                   help="a constant, e.g. a=2.5 (repeatable, or a=1,b=2)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def _run_options(p: argparse.ArgumentParser, start_required: bool) -> None:
    p.add_argument("--start", required=start_required, default=None,
                   metavar="X0", help="start point: 1,1 or x=1,y=2 or one number for all "
                   "variables" + ("" if start_required else " (default 0; a network starts "
                                  "from --init)") +
                   "; write --start=-1,2 for a negative first value")
    p.add_argument("--lr", type=_number_arg, default=0.1, help="learning rate (default 0.1)")
    p.add_argument("--step", choices=sorted(RULES), default="fixed",
                   help="step rule (default fixed)")
    p.add_argument("--option", action="append", metavar="NAME=VALUE", default=[],
                   help="a step-rule option, e.g. beta=0.9 or schedule=exponential "
                   "(repeatable)")
    p.add_argument("--record-bound", action="store_true",
                   help="add the local step bound 2/λmax at every iterate to the table")
    p.add_argument("--plot", metavar="FILE", help="also draw the run to FILE (.png, .svg, "
                   ".pdf): the contour for two variables, the fit for a one-feature model, "
                   "else the loss curve")
    p.add_argument("--max-iter", type=_count, default=1000, help="most steps (default 1000)")
    p.add_argument("--tol", type=_number_arg, default=1e-8,
                   help="stop when the gradient norm is at most this (default 1e-8)")
    p.add_argument("--ftol", type=_number_arg, default=0.0,
                   help="stop when the relative loss change is at most this (default off)")
    p.add_argument("--table", action="store_true", help="print the iteration table")
    p.add_argument("--every", type=_positive_int, default=1, metavar="K",
                   help="table rows every K iterations (default 1)")
    p.add_argument("--digits", type=_positive_int, default=6,
                   help="significant digits (default 6)")
    p.add_argument("--format", choices=TABLE_FORMATS, default="text",
                   help="table format (default text)")
    p.add_argument("--gradient", action="store_true", help="add gradient columns to the table")
    p.add_argument("--first", type=int, default=0, metavar="N",
                   help="number the table's rows from N (a lesson may count from 1)")
    p.add_argument("--exact", nargs="?", const=10, type=_positive_int, metavar="N",
                   help="print the first N iterations (default 10) computed in exact "
                   "arithmetic")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _number_arg(text: str) -> float:
    try:
        return float_number(text.strip())
    except SymgdError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _positive_int(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _assignments(items: Sequence[str], what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        for part in split_top_level(item):
            name, eq, value = part.partition("=")
            if not eq or not name.strip() or not value.strip():
                raise InputError(f"{what} {part!r} must look like name=value, e.g. a=2.5")
            pairs[name.strip()] = value.strip()
    return pairs


def _objective(args: argparse.Namespace) -> Objective:
    variables = split_top_level(args.vars) if args.vars else None
    constants = _assignments(args.const, "--const")
    return Objective(args.expr, variables, constants=constants or None)


def _start(text: str, obj: Objective) -> Any:
    parts = split_top_level(text)
    if any("=" in p for p in parts):
        return {k: float_number(v, f"start value {k!r}")
                for k, v in _assignments([text], "--start").items()}
    values = [float_number(p, "start value") for p in parts]
    return values[0] if len(values) == 1 else values


def _stdout_symbols(stream: TextIO) -> bool:
    try:
        "∂∇".encode(stream.encoding or "ascii")
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def _run_diff(args: argparse.Namespace, out: TextIO) -> int:
    obj = _objective(args)
    if args.json:
        out.write(json.dumps(derivatives_dict(obj)) + "\n")
    else:
        out.write(derivatives_text(obj, latex=args.latex, unicode=_stdout_symbols(out)) + "\n")
    return EXIT_OK


def _run_descend(args: argparse.Namespace, out: TextIO) -> int:
    obj = _objective(args)
    return _descend_and_report(obj, args, out, header=f"{obj}\n")


def _run_fit(args: argparse.Namespace, out: TextIO) -> int:
    model, obj = _model_loss(args, args.data)
    if isinstance(model, MLP) and args.start is None:
        start = model.init(seed=args.seed, scheme=args.init)
        args.start = ",".join(f"{k}={v!r}" for k, v in start.items())
    if args.start is None:
        args.start = "0"
    batches = {}
    if args.batch_size is not None:
        batches = {"batch_size": args.batch_size, "epochs": args.epochs,
                   "shuffle": not args.no_shuffle, "seed": args.seed}
    elif args.epochs is not None:
        raise InputError("--epochs needs --batch-size")
    unicode = _stdout_symbols(out)
    d = "∂" if unicode else "d"
    what = str(model) if isinstance(model, MLP) else f"model {obj.model}"
    lines = [f"{obj.rows} rows of {args.data}; {what}, {args.loss} loss", ""]
    lines.append(_equation(obj.label, obj.expr, unicode))
    if not isinstance(model, MLP):        # a network's partials are long: see explain
        lines += [_equation(f"{d}{obj.label}/{d}{v}", g, unicode)
                  for v, g in zip(obj.names, obj.gradient)]
    extra = {}
    if obj.is_quadratic:
        solution = obj.least_squares()
        extra["least_squares"] = dict(zip(obj.names, solution.tolist()))
    code = _descend_and_report(obj, args, out, header="\n".join(lines) + "\n", extra=extra,
                               **batches)
    if extra and not args.json and not (args.table and args.format != "text"):
        out.write(f"least squares: {point_text(obj.names, solution, args.digits)}\n")
    return code


def _option_value(text: str) -> Any:
    """A step-rule option: a whole number, a number, or a word (a schedule)."""
    if text.lstrip("+-").isdigit():
        return int(text)
    try:
        return float_number(text)
    except SymgdError:
        return text


def _run_analyze(args: argparse.Namespace, out: TextIO) -> int:
    obj = _objective(args)
    at = _start(args.at, obj) if args.at else None
    bounds = [float_number(v, "bound") for v in split_top_level(args.bounds)] \
        if args.bounds else None
    report = analyze(obj, lr=args.lr, at=at, bounds=bounds)
    out.write((json.dumps(report.to_dict()) if args.json else report.text()) + "\n")
    return EXIT_OK


def _run_check(args: argparse.Namespace, out: TextIO) -> int:
    if args.grad is None and args.hessian is None:
        raise InputError("give --grad and/or --hessian: the claimed derivatives to check")
    obj = _objective(args)
    options = dict(points=args.points, seed=args.seed, timeout=args.timeout)
    reports = {}
    if args.grad is not None:
        reports["gradient"] = check_gradient(obj, args.grad, **options)
    if args.hessian is not None:
        reports["hessian"] = check_hessian(obj, args.hessian, **options)
    if args.json:
        out.write(json.dumps({k: r.to_dict() for k, r in reports.items()}) + "\n")
    else:
        text = "\n\n".join(str(r) for r in reports.values()) + "\n"
        out.write(text if _stdout_symbols(out) else _ascii(text))
    return max(check_report_exit_code(r) for r in reports.values())


def _ascii(text: str) -> str:
    """Reports written for a terminal that cannot show ∂, ², ≈, –."""
    table = {"∂": "d", "²": "^2", "≈": "~", "–": "-", "∇": "grad ", "λ": "lambda",
             "×": "x", "≤": "<=", "≥": ">=", "→": "->", "…": "..."}
    text = "".join(table.get(c, c) for c in text)
    return text.encode("ascii", "replace").decode("ascii")


def _equation(name: str, expr: Any, unicode: bool) -> str:
    if not unicode:
        return f"{name} = {expr}"
    return sp.pretty(sp.Eq(sp.Symbol(name), expr, evaluate=False), use_unicode=True)


def _run(obj: Objective, args: argparse.Namespace, **batches: Any) -> Any:
    options = {k: _option_value(v) for k, v in _assignments(args.option, "--option").items()}
    lr = 0.1 if args.lr is None else args.lr
    start = _start("0" if args.start is None else args.start, obj)
    return descend(obj, start, lr=lr, max_iter=args.max_iter,
                   tol=args.tol, ftol=args.ftol, step=args.step,
                   record_bound=args.record_bound, exact=args.exact or False, **batches,
                   **options)


def _natural_figure(obj: Objective, res: Any) -> Any:
    from ..plot import core as plotting
    if isinstance(obj, DataObjective) and _one_feature(obj):
        return plotting.plot_fit(obj, res)
    if obj.n == 2:
        return plotting.plot_contour(obj, res)
    return plotting.plot_loss(res, log=True)


def _one_feature(obj: DataObjective) -> bool:
    features = [s for s in obj.columns if s != obj.target]
    return obj.model is not None and len(features) == 1


def _save(drawn: Any, path: str, dpi: int = 120) -> None:
    from ..plot import core as plotting
    try:
        plotting.save(drawn, path, dpi=dpi)
    finally:
        drawn.close()


def _model_loss(args: argparse.Namespace, data: str) -> tuple[Any, Any]:
    """``(model, loss)``: --model (text, or an MLP for ``mlp:...``) with --loss on
    ``data``, and --columns, --target, --params and --const."""
    columns = _assignments([args.columns], "--columns") if args.columns else None
    params = split_top_level(args.params) if args.params else None
    model: Any = args.model
    if model.strip().startswith("mlp:"):
        model = parse_mlp_spec(model)
    obj = LOSSES[args.loss](model, data, target=args.target, columns=columns, params=params,
                            constants=_assignments(args.const, "--const") or None)
    return model, obj


def _expr_or_data(args: argparse.Namespace) -> Any:
    """The objective of ``plot`` and ``explain``: EXPR, or --model's loss on --data."""
    if args.data is not None:
        if args.model is None or args.expr is not None:
            raise InputError("give either EXPR, or --data with --model")
        return _model_loss(args, args.data)[1]
    if args.model is not None:
        raise InputError("--model needs --data")
    if args.expr is not None:
        return _objective(args)
    raise InputError("give the objective: EXPR, or --data with --model")


def _run_explain(args: argparse.Namespace, out: TextIO) -> int:
    from ..explain.core import explain
    obj = _expr_or_data(args)
    wrt = split_top_level(args.wrt) if args.wrt else None
    text = explain(obj, wrt=wrt, fmt=args.format).format(args.format)
    if not _stdout_symbols(out):
        encoding = out.encoding or "ascii"
        text = text.replace("∂", "d").replace("Σ", "sum").replace("&emsp;", "  ")
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    out.write(text.rstrip("\n") + "\n")
    return 0


def _run_plot(args: argparse.Namespace, out: TextIO) -> int:
    from ..plot import core as plotting
    obj = _expr_or_data(args)
    bounds = [float_number(v, "bound") for v in split_top_level(args.bounds)] \
        if args.bounds else None
    lrs = [float_number(v, "lr") for v in split_top_level(args.lrs)] \
        if args.lrs else None
    kind = args.kind
    if kind in ("learning-rates", "lr-sweep"):
        start = obj.point(_start("0" if args.start is None else args.start, obj), "start")
        drawn = plotting.plot_learning_rates(obj, start, lrs, max_iter=args.max_iter) \
            if kind == "learning-rates" else \
            plotting.plot_lr_sweep(obj, start, lrs, max_iter=args.max_iter)
    elif kind == "basins":
        drawn = plotting.plot_basins(obj, bounds, args.lr, step=args.step,
                                     max_iter=args.max_iter)
    elif kind == "slice":
        if not args.var:
            raise InputError("a slice needs --var, the variable to vary")
        at = _start(args.start, obj) if args.start is not None else None
        drawn = plotting.plot_slice(obj, args.var, at=at, bounds=bounds,
                                    tangent_at=args.tangent_at)
    else:
        res = _run(obj, args)
        drawn = {"loss": lambda: plotting.plot_loss(res, log=args.log),
                 "contour": lambda: plotting.plot_contour(obj, res, bounds=bounds),
                 "surface": lambda: plotting.plot_surface(obj, res, bounds=bounds),
                 "fit": lambda: plotting.plot_fit(obj, res),
                 "snapshots": lambda: plotting.plot_snapshots(obj, res)}[kind]()
    _save(drawn, args.out, args.dpi)
    out.write(f"saved {kind} to {args.out}\n")
    return EXIT_OK


def _descend_and_report(obj: Objective, args: argparse.Namespace, out: TextIO,
                        header: str, extra: dict | None = None, **batches: Any) -> int:
    res = _run(obj, args, **batches)
    if args.plot:
        _save(_natural_figure(obj, res), args.plot)
    code = EXIT_OK if res.success else EXIT_NOT_CONVERGED
    if args.json:
        out.write(json.dumps({**res.to_dict(), **(extra or {})}) + "\n")
        return code
    show = args.table or bool(args.exact)
    table = res.table(every=args.every, digits=args.digits, fmt=args.format,
                      gradient=args.gradient, first=args.first,
                      exact=bool(args.exact)) if show else None
    if table is not None and args.format != "text":
        out.write(table + "\n")
        return code
    out.write(f"{header}lr = {res.lr:g}, start: {point_text(obj.names, res.history.x[0])}\n\n")
    if table is not None:
        out.write(table + "\n\n")
    out.write(res.message + "\n")
    out.write(f"{point_text(obj.names, res.x, args.digits)}\n"
              f"{obj.label} = {res.fun:.{args.digits}g}\n")
    return code


def _demo_bowl(out: TextIO) -> int:
    """z = x² + xy + y²: derivatives, a converging run, a step that is too big."""
    obj = Objective("z = x^2 + x*y + y^2")
    unicode = _stdout_symbols(out)
    out.write(derivatives_text(obj, unicode=unicode) + "\n\n")
    good = descend(obj, [1, 1], lr=0.1)
    out.write("Gradient descent from (1, 1) with lr = 0.1:\n\n")
    out.write(good.table(every=8, digits=4) + "\n\n" + good.message + "\n\n")
    bad = descend(obj, [1, 1], lr=0.7)
    out.write("The same with lr = 0.7, a step that is too big:\n\n")
    out.write(bad.table(every=5, digits=4) + "\n\n" + bad.message + "\n")
    return EXIT_OK


DEMOS = {"bowl": _demo_bowl}


def _run_demo(args: argparse.Namespace, out: TextIO) -> int:
    return DEMOS[args.name](out)


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def _protect_leading_dashes(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``-x^2`` or ``-1,2`` are values, not options: argparse needs telling.

    A leading space keeps argparse from reading them as options; the
    parser ignores it.
    """
    known = set(parser._option_string_actions)
    for action in parser._actions:
        for choice in getattr(action, "choices", None) or {}:
            sub = action.choices[choice]
            if isinstance(sub, argparse.ArgumentParser):
                known |= set(sub._option_string_actions)
    return [" " + a if a.startswith("-") and not a.startswith("--") and len(a) > 1
            and a.split("=", 1)[0] not in known else a for a in argv]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    try:
        try:
            with contextlib.redirect_stdout(out):
                args = parser.parse_args(_protect_leading_dashes(args_list, parser))
        except SystemExit as done:      # --help and --version
            return int(done.code or 0)
        if getattr(args, "run", None) is None:
            raise _UsageError("no command given; choose one of "
                              f"{', '.join(_commands(parser))} (see 'symgd --help')")
        return args.run(args, out)
    except (SymgdError, _UsageError) as error:
        if debug:
            traceback.print_exc(file=err)
        err.write(f"symgd: error: {error}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        err.write("symgd: interrupted\n")
        return 130
