"""The argument parser of the ``symgd`` command: its commands and the option
groups they share.

Options whose use depends on the combination (``--every`` needs ``--table``)
default to None here, so that :mod:`symgd.cli.rules` can tell an option given
from one left out; their defaults are kept per command in ``args.defaults``
and filled in after the rules are checked.
"""

from __future__ import annotations

import argparse
import difflib
import re
from typing import Any

from .. import __version__
from .._report import FORMATS
from ..data.losses import LOSSES
from ..data.networks import INITIALIZERS
from ..descent.loop import MAX_EXACT_DIGITS
from ..descent.steps import RULES
from ..errors import SymgdError
from ..fast.choice import BACKENDS
from ..expr.parse import float_number

__all__ = ["build_parser", "Parser", "UsageError", "COMMANDS", "PLOT_KINDS", "DEMOS",
           "ANIMATION_KINDS", "SHORT_OPTIONS", "TABLE_ONLY_FORMATS", "SHELLS", "TOOLS", "did_you_mean", "whole_number"]

# The commands that print a report (in every --format), then the others.
COMMANDS = ("diff", "descend", "fit", "analyze", "check", "explain", "plot", "animate",
            "report", "demo")
TOOLS = ("completion",)
SHELLS = ("bash", "zsh", "fish")
PLOT_KINDS = ("loss", "contour", "surface", "slice", "fit", "snapshots", "learning-rates",
              "basins", "lr-sweep")
ANIMATION_KINDS = ("contour", "surface", "slice", "fit")
DEMOS = ("bowl", "york", "cars", "pizza")
TABLE_ONLY_FORMATS = ("csv",)      # formats of the iteration table alone
SHORT_OPTIONS = ("-h", "-o", "-q", "-V")    # every other option is written --name


class UsageError(Exception):
    """A mistake in how the command was called (one line, exit code 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line, exit code 2, with the
    closest valid word ("did you mean ...?") and the help of the command at
    fault. Options are never abbreviated (``--t`` is not ``--table``), so that
    a new option cannot change what an old command line means."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("allow_abbrev", False)
        super().__init__(*args, **kw)
        self.commands: dict[str, Parser] = {}

    def error(self, message: str) -> None:  # type: ignore[override]
        # A value protected from argparse by a leading space (see
        # symgd.cli.main.protect_leading_dashes) is shown as typed.
        message = message.replace("' -", "'-").replace("  -", " -")
        raise UsageError(f"{message}{self.suggestion(message)} (see '{self.prog} --help')")

    def flags(self) -> list[str]:
        """Every option string of this parser, in the order they were added."""
        return [s for a in self._actions for s in a.option_strings]

    def arguments(self) -> list[argparse.Action]:
        """This parser's arguments (for shell completion)."""
        return list(self._actions)

    def suggestion(self, message: str) -> str:
        """``"; did you mean 'diff'?"`` for an invalid choice or an unknown option."""
        choice = re.search(r"invalid choice: '(.*?)' \(choose from (.*)\)", message)
        if choice:
            return did_you_mean(choice.group(1), re.findall(r"'(.*?)'", choice.group(2)))
        unknown = re.search(r"unrecognized arguments: (\S+)", message)
        if unknown and unknown.group(1).startswith("--"):
            return did_you_mean(unknown.group(1).split("=", 1)[0], self.flags())
        return ""


def did_you_mean(word: str, choices: Any) -> str:
    """``"; did you mean 'x'?"`` naming the closest of ``choices``, or ``""``.

    >>> did_you_mean("dif", ["diff", "descend"])
    "; did you mean 'diff'?"
    >>> did_you_mean("zzz", ["diff", "descend"])
    ''
    """
    close = difflib.get_close_matches(word.strip(), list(choices), n=1, cutoff=0.7)
    return f"; did you mean {close[0]!r}?" if close else ""


def build_parser() -> Parser:
    """The argument parser of the ``symgd`` command."""
    parser = Parser(prog="symgd", description="Symbolic derivatives and gradient descent.")
    parser.add_argument("-V", "--version", action="version", version=f"symgd {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for add in (_diff, _descend, _fit, _analyze, _check, _explain, _plot, _animate, _report,
                _demo, _completion):
        add(sub)
    parser.commands = dict(sub.choices)
    return parser


# ------------------------------------------------------------ the commands

def _command(sub: Any, name: str, help: str, description: str) -> tuple[Parser, dict]:
    p = sub.add_parser(name, help=help, description=description)
    defaults: dict[str, Any] = {}
    p.set_defaults(defaults=defaults)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    loud = p.add_mutually_exclusive_group()
    loud.add_argument("-q", "--quiet", action="store_true",
                      help="print no report: the exit code says how it went (errors still "
                      "go to stderr; files are still written)")
    loud.add_argument("--verbose", action="store_true",
                      help="say more: what was read and the time taken, on stderr" +
                      ("; and the loss's partial derivatives in full" if name == "fit" else ""))
    return p, defaults


def _progress_option(p: argparse.ArgumentParser) -> None:
    """``--progress``/``--no-progress``: the progress line on standard error
    (by default shown when standard error is a terminal and the run takes
    over a second)."""
    p.add_argument("--progress", dest="progress", action="store_const", const="always",
                   default="auto", help="show a progress line on stderr even when it is "
                   "not a terminal")
    p.add_argument("--no-progress", dest="progress", action="store_const", const="never",
                   help="never show the progress line")


def _diff(sub: Any) -> None:
    p, defaults = _command(sub, "diff", "show the partial derivatives, gradient and Hessian",
                           "Show an objective's partial derivatives, gradient and Hessian.")
    _objective_options(p)
    _format_options(p, defaults, latex_alias=True)


def _descend(sub: Any) -> None:
    p, defaults = _command(sub, "descend", "run gradient descent",
                           "Minimize EXPR by gradient descent x <- x - lr*grad f(x). "
                           "Exit code 0 when it converged, 1 when it did not.")
    _progress_option(p)
    _objective_options(p)
    _run_options(p, defaults, start_required=True)
    _table_options(p, defaults)
    _format_options(p, defaults, table=True)


_DATA_HELP = "data file (text, .parquet, .feather, .npy, .npz) or built-in name (cars, pizza)"


def _fit(sub: Any) -> None:
    p, defaults = _command(sub, "fit", "fit a model to data by gradient descent",
                           "Fit MODEL to DATA (a text file with a header line; a Parquet, "
                           "Feather/Arrow, .npy or .npz file; or a built-in data set: cars, "
                           "pizza) by minimizing a loss. Exit code 0 when descent "
                           "converged, 1 when it did not.")
    _progress_option(p)
    p.add_argument("data", metavar="DATA", help=_DATA_HELP)
    _model_options(p, defaults, required=True)
    p.add_argument("--const", action="append", metavar="NAME=VALUE", default=[],
                   help="a constant, e.g. a=2.5 (repeatable)")
    p.add_argument("--stream", dest="stream", action="store_const", const=True,
                   default="auto", help="read DATA in chunks, never holding all its rows "
                   "(any size; the default for files over 256 MiB)")
    p.add_argument("--no-stream", dest="stream", action="store_const", const=False,
                   help="load DATA into memory (at most 2 GiB)")
    _option(p, defaults, "--init", "xavier", choices=INITIALIZERS,
            help="random start of a network model (default xavier)")
    _option(p, defaults, "--seed", 0, type=int,
            help="random seed of a network's start and of shuffled batches (default 0)")
    p.add_argument("--batch-size", type=_positive_int, metavar="B",
                   help="mini-batch descent with B rows a step")
    p.add_argument("--epochs", type=_positive_int, help="passes over the data (with "
                   "--batch-size)")
    p.add_argument("--no-shuffle", action="store_true",
                   help="take the batches in the data's order (with --batch-size)")
    _run_options(p, defaults, start_required=False)
    _table_options(p, defaults)
    _format_options(p, defaults, table=True)


def _analyze(sub: Any) -> None:
    p, defaults = _command(sub, "analyze", "stationary points and step-size facts",
                           "Find and classify the stationary points of EXPR and say which "
                           "fixed step sizes converge.")
    _progress_option(p)
    _objective_options(p)
    p.add_argument("--lr", type=_number_arg, help="a learning rate to assess")
    p.add_argument("--at", metavar="X", help="point for the local facts, e.g. 1,1")
    p.add_argument("--bounds", metavar="LOW,HIGH",
                   help="box for the numeric search (default -5,5 for every variable)")
    _format_options(p, defaults)


def _check(sub: Any) -> None:
    p, defaults = _command(sub, "check", "check claimed derivatives",
                           "Check claimed derivatives of EXPR against the exact ones. Exit "
                           "code 0 when all are right, 1 when one is wrong or could not be "
                           "checked, 2 for invalid input, 3 with --strict when one is "
                           "numerically right but not proven. With --json every exit prints "
                           "one JSON object (for exit 2: {\"error\": ..., \"kind\": ...}). "
                           "With --batch FILE: one JSON object per line in (function, "
                           "gradient and/or hessian, optional id, variables, constants), one "
                           "JSON line per item out, then a last line with \"summary\": true; "
                           "exit 0 when every item is right, else 1.")
    _progress_option(p)
    _objective_options(p, optional=True, help="the objective, e.g. \"z = x^2 + xy + y^2\" "
                       "(not with --batch)")
    p.add_argument("--grad", metavar="PARTIALS",
                   help='claimed partials in variable order: "2x + y, 2y + x", or by name '
                   'in any order: "y: 2y + x, x: 2x + y"')
    p.add_argument("--hessian", metavar="ROWS", help='claimed Hessian: "2, 1; 1, 2"')
    p.add_argument("--batch", metavar="FILE",
                   help="grade many submissions: a JSON-lines file ('-' for stdin)")
    p.add_argument("--strict", action="store_true",
                   help="accept only derivatives proven equal (numerically equal is "
                   "undecided: exit 3)")
    p.add_argument("--points", type=_positive_int, default=20, help="random points (default 20)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--timeout", type=_number_arg, default=2.0,
                   help="seconds for reading, compiling and simplifying each claim "
                   "(default 2)")
    _format_options(p, defaults)


def _explain(sub: Any) -> None:
    p, defaults = _command(sub, "explain", "derive the partial derivatives step by step",
                           "Show how each partial derivative of EXPR is obtained, one rule per "
                           "line (sum, constant multiple, power, product, quotient and chain "
                           "rules...). With --data and --model: the textbook derivation of the "
                           "loss over the data.")
    _objective_options(p, optional=True)
    p.add_argument("--wrt", metavar="NAMES",
                   help="the variable(s) to differentiate by, e.g. x or w,b (default all)")
    _data_options(p, defaults)
    _format_options(p, defaults)


def _plot(sub: Any) -> None:
    p, defaults = _command(sub, "plot", "draw a figure to a file",
                           "Draw a figure of a descent to a PNG, SVG or PDF file. The "
                           "objective is EXPR, or a loss of --model on --data.")
    p.add_argument("kind", choices=PLOT_KINDS, help="which figure")
    _objective_options(p, optional=True)
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="where to save: .png, .svg "
                   "or .pdf")
    _data_options(p, defaults)
    p.add_argument("--var", help="slice: the variable to vary")
    p.add_argument("--tangent-at", type=_number_arg, help="slice: where to draw the tangent")
    p.add_argument("--bounds", metavar="LOW,HIGH", help="the plotted range")
    p.add_argument("--log", action="store_true", help="loss: a logarithmic scale")
    p.add_argument("--lrs", metavar="A,B,C", help="learning-rates and lr-sweep: the rates")
    p.add_argument("--dpi", type=_positive_int, default=120)
    _run_options(p, defaults, start_required=False, lr_default=None)
    _format_options(p, defaults)


def _animate(sub: Any) -> None:
    p, defaults = _command(sub, "animate", "animate a descent to a GIF or HTML file",
                           "Animate gradient descent on EXPR (or a loss of --model on --data): "
                           "the ball moving on the contour, the surface or the curve, or the "
                           "model line moving through the data, with a live loss readout. "
                           "--race runs several step rules from one start. Exit code 0 when "
                           "every run converged, 1 when one did not.")
    _objective_options(p, optional=True)
    p.add_argument("-o", "--out", required=True, metavar="FILE",
                   help="where to save: .gif (Pillow) or .html (a page that plays it)")
    _data_options(p, defaults)
    p.add_argument("--kind", choices=ANIMATION_KINDS,
                   help="contour (two variables), surface, slice (one variable) or fit (a "
                   "one-feature model); by default the natural one")
    p.add_argument("--race", metavar="RULES",
                   help="several step rules, e.g. fixed,momentum,adam, or with their own "
                   "rates, fixed=0.3,adam=0.1 (instead of --step)")
    _option(p, defaults, "--frames", None, type=_positive_int,
            help="number of frames (default one per iteration, at most 120)")
    _option(p, defaults, "--fps", 20.0, type=_number_arg, help="frames a second (default 20)")
    p.add_argument("--bounds", metavar="LOW,HIGH", help="the plotted range")
    p.add_argument("--dpi", type=_positive_int, default=100)
    _run_options(p, defaults, start_required=False)
    _format_options(p, defaults)


def _report(sub: Any) -> None:
    p, defaults = _command(sub, "report", "write a lesson as one HTML page",
                           "Write a self-contained HTML lesson on EXPR (or a loss of --model "
                           "on --data): the objective, the derivatives step by step, the "
                           "step-size analysis, the iteration table, the figures and an "
                           "animation, with no network access needed to view it. Exit code "
                           "0 when the run converged, 1 when it did not (the page is written "
                           "either way).")
    _objective_options(p, optional=True)
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="where to save: .html")
    _data_options(p, defaults)
    p.add_argument("--start", metavar="X0", help="start point (default 0 for a data loss, "
                   "else 1); write --start=-1,2 for a negative first value")
    p.add_argument("--lr", type=_number_arg,
                   help="learning rate (default a quarter of the bound 2/λmax)")
    _option(p, defaults, "--step", "fixed", choices=sorted(RULES),
            help="step rule (default fixed)")
    p.add_argument("--option", action="append", metavar="NAME=VALUE", default=[],
                   help="a step-rule option, e.g. beta=0.9 (repeatable)")
    _option(p, defaults, "--max-iter", 1000, type=_count, help="most steps (default 1000)")
    _option(p, defaults, "--tol", 1e-8, type=_tolerance,
            help="stop when the gradient norm is at most this (default 1e-8); 'none' "
            "runs exactly --max-iter steps")
    _option(p, defaults, "--frames", 40, type=_count,
            help="frames of the animation (default 40; 0 for none)")
    p.add_argument("--title", help="the page's title")
    _format_options(p, defaults)


def _demo(sub: Any) -> None:
    p, defaults = _command(sub, "demo", "run a built-in example",
                           "Run a built-in example from the gradient-descent lessons.")
    p.add_argument("name", nargs="?", default="bowl", choices=DEMOS,
                   help="which example: bowl (the default: z = x^2 + xy + y^2), york (the "
                   "learning rate and its bound), cars (a line through the car data), pizza "
                   "(pizzas against reservations); --list says more")
    p.add_argument("--list", action="store_true", help="list the demos and what each shows")
    _format_options(p, defaults)


def _completion(sub: Any) -> None:
    p, defaults = _command(sub, "completion", "print a shell completion script",
                           "Print a completion script for SHELL, generated from this "
                           "command's own options. bash: eval \"$(symgd completion bash)\"; "
                           "zsh: the same in ~/.zshrc; fish: symgd completion fish | source.")
    p.add_argument("shell", metavar="SHELL", choices=SHELLS, help="bash, zsh or fish")


# ------------------------------------------------------------ option groups

def _option(p: argparse.ArgumentParser, defaults: dict, flag: str, default: Any,
            **kw: Any) -> None:
    """An option whose default is filled in after the rules are checked."""
    action = p.add_argument(flag, default=None, **kw)
    defaults[action.dest] = default


def _objective_options(p: argparse.ArgumentParser, optional: bool = False,
                       help: str = "the objective (or use --data)") -> None:
    if optional:
        p.add_argument("expr", metavar="EXPR", nargs="?", help=help)
    else:
        p.add_argument("expr", metavar="EXPR",
                       help='the objective, e.g. "z = x^2 + xy + y^2"')
    p.add_argument("--vars", metavar="NAMES", help="variables in order, e.g. x,y")
    p.add_argument("--const", action="append", metavar="NAME=VALUE", default=[],
                   help="a constant, e.g. a=2.5 (repeatable, or a=1,b=2)")
    p.add_argument("--latex-input", action="store_true",
                   help="read EXPR as LaTeX, e.g. \"\\frac{x^2}{2} + \\sin y\" (text with a "
                   "backslash is read as LaTeX anyway)")


def _data_options(p: argparse.ArgumentParser, defaults: dict) -> None:
    p.add_argument("--data", metavar="DATA", help=_DATA_HELP)
    _model_options(p, defaults, required=False)


def _model_options(p: argparse.ArgumentParser, defaults: dict, required: bool) -> None:
    p.add_argument("--model", required=required,
                   help='the model: "w*x + b", linear, linear:x1,x2, mlp:2-3-1:tanh' +
                   ("" if required else " (with --data)"))
    _option(p, defaults, "--loss", "mse", choices=sorted(LOSSES), help="default mse")
    p.add_argument("--columns", metavar="SYM=COLUMN,...",
                   help="map model symbols to columns, e.g. x=Reservations,y=Pizzas")
    _option(p, defaults, "--target", "y", help="the target symbol (default y)")
    p.add_argument("--params", metavar="NAMES", help="parameters in order, e.g. w,b")


def _run_options(p: argparse.ArgumentParser, defaults: dict, start_required: bool,
                 lr_default: float | None = 0.1) -> None:
    """The start, the step rule and the stopping rules of a descent."""
    p.add_argument("--start", required=start_required, default=None,
                   metavar="X0", help="start point: 1,1 or x=1,y=2 or one number for all "
                   "variables" + ("" if start_required else " (default 0; a network starts "
                                  "from --init)") +
                   "; write --start=-1,2 for a negative first value")
    _option(p, defaults, "--lr", lr_default, type=_number_arg,
            help="learning rate" + ("" if lr_default is None else f" (default {lr_default:g})"))
    _option(p, defaults, "--step", "fixed", choices=sorted(RULES),
            help="step rule (default fixed)")
    p.add_argument("--option", action="append", metavar="NAME=VALUE", default=[],
                   help="a step-rule option, e.g. beta=0.9 or schedule=exponential "
                   "(repeatable)")
    _option(p, defaults, "--max-iter", 1000, type=_count, help="most steps (default 1000)")
    _option(p, defaults, "--tol", 1e-8, type=_tolerance,
            help="stop when the gradient norm is at most this (default 1e-8); 'none' "
            "runs exactly --max-iter steps, and taking them all is a success")
    _option(p, defaults, "--ftol", 0.0, type=_number_arg,
            help="stop when the relative loss change is at most this (default off)")
    _option(p, defaults, "--backend", "auto", choices=BACKENDS,
            help="what runs the loop: numpy (the default path), numba (compiled; "
            'pip install "symgd[fast]"; the fixed step only), or auto (numba when installed '
            "and a long run pays for compiling; default auto)")


def _table_options(p: argparse.ArgumentParser, defaults: dict) -> None:
    """The iteration table and the figure of a run."""
    p.add_argument("--table", action="store_true", help="print the iteration table")
    _option(p, defaults, "--every", 1, type=_positive_int, metavar="K",
            help="table rows every K iterations (default 1)")
    _option(p, defaults, "--digits", 6, type=_positive_int,
            help="significant digits (default 6)")
    p.add_argument("--gradient", action="store_true", help="add gradient columns to the table")
    _option(p, defaults, "--first", 0, type=int, metavar="N",
            help="number the table's rows from N (a lesson may count from 1)")
    p.add_argument("--exact", nargs="?", const=10, type=_positive_int, metavar="N",
                   help="print the first N iterations (default 10) computed in exact "
                   f"arithmetic, stopping before fractions of more than {MAX_EXACT_DIGITS} "
                   "digits")
    p.add_argument("--record-bound", action="store_true",
                   help="add the local step bound 2/λmax at every iterate to the table")
    p.add_argument("--plot", metavar="FILE", help="also draw the run to FILE (.png, .svg, "
                   ".pdf): the contour for two variables, the fit for a one-feature model, "
                   "else the loss curve")


def _format_options(p: argparse.ArgumentParser, defaults: dict, table: bool = False,
                    latex_alias: bool = False) -> None:
    """--format, the same on every command, and its aliases."""
    choices = FORMATS + (TABLE_ONLY_FORMATS if table else ())
    where = ("; with --table, a format other than text prints the iteration table alone "
             "(csv only with --table)") if table else ""
    _option(p, defaults, "--format", "text", choices=choices,
            help=f"output format (default text){where}")
    aliases = p.add_mutually_exclusive_group()
    if latex_alias:
        aliases.add_argument("--latex", action="store_true", help="the same as --format latex")
    aliases.add_argument("--json", action="store_true",
                         help="one JSON object: the same as --format json")


# ------------------------------------------------------------ value types

def _number_arg(text: str) -> float:
    try:
        return float_number(text.strip())
    except SymgdError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def whole_number(text: str) -> int:
    """A whole number, also in exponent form (``1e4``, ``2.5e3``); else ValueError.

    >>> whole_number("1e4"), whole_number("20000"), whole_number("2.5E3")
    (10000, 20000, 2500)
    """
    text = text.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if not re.fullmatch(r"[+-]?\d+(?:\.\d*)?[eE]\+?\d{1,3}", text):
        raise ValueError(text)
    value = float(text)
    if not value.is_integer():
        raise ValueError(text)
    return int(value)


NO_TOLERANCE = "none"      # --tol none (None itself means "not given" here)


def _tolerance(text: str) -> float | str:
    if text.strip().lower() in ("none", "off"):
        return NO_TOLERANCE
    return _number_arg(text)


def _count(text: str) -> int:
    try:
        value = whole_number(text)
    except (ValueError, SymgdError):
        raise argparse.ArgumentTypeError(f"{text.strip()!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text.strip()!r} must be 0 or more")
    return value


def _positive_int(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text.strip()!r} must be 1 or more")
    return value
