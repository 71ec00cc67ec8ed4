"""The command line's options turned into the library's inputs: objectives,
start points, data losses and descent runs."""

from __future__ import annotations

import argparse
from typing import Any, NamedTuple, Sequence

from ..data.losses import LOSSES
from ..data.networks import parse_mlp_spec
from ..descent import Result, descend
from ..errors import InputError, SymgdError
from ..expr.parse import float_number, split_top_level
from ..objective.core import Objective

__all__ = ["assignments", "objective", "start_value", "numbers", "names", "FitInputs",
           "model_loss", "expr_or_data", "option_value", "run", "is_network_spec"]


def assignments(items: Sequence[str], what: str) -> dict[str, str]:
    """``["a=1,b=2", "c=3"]`` -> ``{"a": "1", "b": "2", "c": "3"}``; ``what`` names the option."""
    pairs: dict[str, str] = {}
    for item in items:
        for part in split_top_level(item):
            name, eq, value = part.partition("=")
            if not eq or not name.strip() or not value.strip():
                raise InputError(f"{what} {part!r} must look like name=value, e.g. a=2.5")
            pairs[name.strip()] = value.strip()
    return pairs


def names(text: str | None) -> list[str] | None:
    """``"x,y"`` -> ``["x", "y"]``; None stays None."""
    return split_top_level(text) if text else None


def numbers(text: str | None, what: str) -> list[float] | None:
    """``"-5,5"`` -> ``[-5.0, 5.0]``; None stays None."""
    return [float_number(v, what) for v in split_top_level(text)] if text else None


def objective(args: argparse.Namespace) -> Objective:
    """EXPR with --vars and --const."""
    constants = assignments(args.const, "--const")
    return Objective(args.expr, names(args.vars), constants=constants or None)


def start_value(text: str) -> Any:
    """A start point: ``1,1``, ``x=1,y=2`` or one number for every variable."""
    parts = split_top_level(text)
    if any("=" in p for p in parts):
        return {k: float_number(v, f"start value {k!r}")
                for k, v in assignments([text], "--start").items()}
    values = [float_number(p, "start value") for p in parts]
    return values[0] if len(values) == 1 else values


def is_network_spec(model: str) -> bool:
    """True for ``mlp:2-3-1:tanh`` and the like."""
    return model.strip().startswith("mlp:")


class FitInputs(NamedTuple):
    """The model as given (text, or a network) and its loss on the data."""
    model: Any
    loss: Any
    network: bool


def model_loss(args: argparse.Namespace, data: str) -> FitInputs:
    """--model (text, or a network for ``mlp:...``) with --loss on ``data``, and
    --columns, --target, --params and --const."""
    columns = assignments([args.columns], "--columns") if args.columns else None
    network = is_network_spec(args.model)
    model: Any = parse_mlp_spec(args.model) if network else args.model
    loss = LOSSES[args.loss](model, data, target=args.target, columns=columns,
                             params=names(args.params),
                             constants=assignments(args.const, "--const") or None)
    return FitInputs(model, loss, network)


def expr_or_data(args: argparse.Namespace) -> Any:
    """The objective of ``plot`` and ``explain``: EXPR, or --model's loss on --data."""
    if args.data is not None:
        return model_loss(args, args.data).loss
    return objective(args)


def option_value(text: str) -> Any:
    """A step-rule option: a whole number, a number, or a word (a schedule)."""
    if text.lstrip("+-").isdigit():
        return int(text)
    try:
        return float_number(text)
    except SymgdError:
        return text


def run(obj: Any, args: argparse.Namespace, **batches: Any) -> Result:
    """One descent with the run options (--start, --lr, --step, --option, ...)."""
    options = {k: option_value(v) for k, v in assignments(args.option, "--option").items()}
    lr = 0.1 if args.lr is None else args.lr
    start = start_value("0" if args.start is None else args.start)
    return descend(obj, start, lr=lr, max_iter=args.max_iter, tol=args.tol, ftol=args.ftol,
                   step=args.step, record_bound=getattr(args, "record_bound", False),
                   exact=getattr(args, "exact", None) or False, progress=progress(args),
                   **batches, **options)


def progress(args: argparse.Namespace) -> bool | str:
    """The progress line asked for: ``"auto"`` (shown when standard error is a
    terminal) unless ``--no-progress`` or ``--quiet``; ``--progress`` always."""
    choice = getattr(args, "progress", "auto")
    if choice == "never" or getattr(args, "quiet", False):
        return False
    return True if choice == "always" else "auto"
