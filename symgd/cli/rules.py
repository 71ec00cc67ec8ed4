"""Which options a command uses in a given combination.

No option is silently ignored: one that the command would not use in the
combination given is refused with a one-line message naming it and saying
why. :func:`settle` checks the rules, resolves ``--format`` and its aliases
(``--json``, ``--latex``) and fills in the defaults left out on purpose by
:mod:`symgd.cli.parser`.
"""

from __future__ import annotations

import argparse
from typing import Callable

from .inputs import is_network_spec
from .parser import TABLE_ONLY_FORMATS, UsageError

__all__ = ["settle", "PLOT_USES"]

_RUN = ("--start", "--lr", "--step", "--option", "--max-iter", "--tol", "--ftol")
# The options each kind of figure uses (beyond --out, --dpi, the objective and --format).
PLOT_USES: dict[str, tuple[str, ...]] = {
    "loss": (*_RUN, "--log"),
    "contour": (*_RUN, "--bounds"),
    "surface": (*_RUN, "--bounds"),
    "fit": _RUN,
    "snapshots": _RUN,
    "slice": ("--var", "--tangent-at", "--start", "--bounds"),
    "learning-rates": ("--start", "--lrs", "--max-iter"),
    "lr-sweep": ("--start", "--lrs", "--max-iter"),
    "basins": ("--bounds", "--lr", "--step", "--max-iter"),
}
_PLOT_OPTIONAL = ("--start", "--lr", "--step", "--option", "--max-iter", "--tol", "--ftol",
                  "--log", "--bounds", "--var", "--tangent-at", "--lrs")


def settle(args: argparse.Namespace) -> None:
    """Refuse the options ``args.command`` does not use as given; then resolve
    --format and fill in the defaults."""
    args.format = _output_format(args)
    _RULES.get(args.command, _nothing)(args)
    for dest, default in args.defaults.items():
        if getattr(args, dest) is None:
            setattr(args, dest, default)


def _given(args: argparse.Namespace, flag: str) -> bool:
    value = getattr(args, flag.lstrip("-").replace("-", "_"))
    return value not in (None, False, [])


def _refuse(flag: str, reason: str) -> None:
    raise UsageError(f"{flag} {reason}")


def _output_format(args: argparse.Namespace) -> str | None:
    """--format, or the format an alias (--json, --latex) stands for."""
    fmt = getattr(args, "format", None)
    for flag, meaning in (("--json", "json"), ("--latex", "latex")):
        if not getattr(args, flag[2:], False):
            continue
        if fmt is not None and fmt != meaning:
            _refuse(flag, f"means --format {meaning}; it cannot go with --format {fmt}")
        fmt = meaning
    return fmt


def _nothing(args: argparse.Namespace) -> None:
    return None


def _run_report(args: argparse.Namespace) -> None:
    """descend and fit: the table options need the table; json keeps every digit."""
    table = args.table or args.exact is not None
    if not table:
        for flag in ("--every", "--gradient", "--first", "--record-bound"):
            if _given(args, flag):
                _refuse(flag, "changes the iteration table; add --table (or --exact)")
        if args.format in TABLE_ONLY_FORMATS:
            _refuse(f"--format {args.format}", "is a format of the iteration table; "
                    "add --table")
    if args.format == "json" and args.digits is not None:
        _refuse("--digits", "has no effect on JSON, which keeps every digit")


def _fit(args: argparse.Namespace) -> None:
    _run_report(args)
    batches = args.batch_size is not None
    if args.epochs is not None and not batches:
        raise UsageError("--epochs needs --batch-size")
    if args.no_shuffle and not batches:
        _refuse("--no-shuffle", "needs --batch-size (the batches to take in order)")
    network = is_network_spec(args.model)
    if args.init is not None and not network:
        _refuse("--init", "draws the start of a network model (--model mlp:...); this "
                "model starts from --start")
    if args.init is not None and args.start is not None:
        _refuse("--init", "draws a network's start; it cannot go with --start")
    shuffled = batches and not args.no_shuffle
    if args.seed is not None and not shuffled and not (network and args.start is None):
        _refuse("--seed", "draws a network's start or shuffles mini-batches; neither "
                "happens here")


def _data_or_expr(args: argparse.Namespace) -> None:
    """explain and plot: EXPR with --vars, or --data with --model and its options."""
    if args.data is not None:
        if args.model is None or args.expr is not None:
            raise UsageError("give either EXPR, or --data with --model")
        if args.vars is not None:
            _refuse("--vars", "names the variables of EXPR; name a data loss's parameters "
                    "with --params")
        if args.latex_input:
            _refuse("--latex-input", "reads EXPR as LaTeX; a data loss has no EXPR")
        return
    if args.model is not None:
        raise UsageError("--model needs --data")
    if args.expr is None:
        raise UsageError("give the objective: EXPR, or --data with --model")
    for flag in ("--loss", "--columns", "--target", "--params"):
        if _given(args, flag):
            _refuse(flag, "applies to a data loss; it needs --data and --model")


def _plot(args: argparse.Namespace) -> None:
    _data_or_expr(args)
    uses = PLOT_USES[args.kind]
    for flag in _PLOT_OPTIONAL:
        if flag not in uses and _given(args, flag):
            users = ", ".join(f"plot {k}" for k, v in PLOT_USES.items() if flag in v)
            _refuse(flag, f"has no effect on 'plot {args.kind}'; it is used by {users}")
    if args.kind == "slice" and not args.var:
        raise UsageError("a slice needs --var, the variable to vary")


def _check(args: argparse.Namespace) -> None:
    if args.batch is not None:
        for flag in ("EXPR", "--grad", "--hessian", "--vars", "--const", "--latex-input"):
            if _given(args, "expr" if flag == "EXPR" else flag):
                _refuse(flag, "cannot go with --batch: each line of the batch gives its own "
                        "function, claims, variables and constants")
        if args.format not in (None, "json"):
            _refuse(f"--format {args.format}", "cannot go with --batch, which writes JSON "
                    "lines")
        return
    if args.expr is None:
        raise UsageError("give EXPR, the objective whose derivatives are claimed (or "
                         "--batch FILE)")
    if args.grad is None and args.hessian is None:
        raise UsageError("give --grad and/or --hessian: the claimed derivatives to check")


def _animate(args: argparse.Namespace) -> None:
    _data_or_expr(args)
    if args.race is not None and args.step is not None:
        _refuse("--step", "chooses the one step rule; --race names several")
    if args.kind == "fit" and args.bounds is not None:
        _refuse("--bounds", "sets the plotted range of a contour, surface or slice; a fit "
                "animation shows the data's range")


_RULES: dict[str, Callable[[argparse.Namespace], None]] = {
    "descend": _run_report, "fit": _fit, "explain": _data_or_expr, "plot": _plot,
    "check": _check, "animate": _animate, "report": _data_or_expr,
}
