"""The command line's options turned into the library's inputs: objectives,
start points, data losses and descent runs."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NamedTuple, Sequence

from ..data.losses import LOSSES
from ..data.losses import mse as linear_loss
from ..data.networks import parse_mlp_spec
from ..descent import Result, descend
from ..errors import InputError, SymgdError
from ..expr.limits import MAX_LENGTH
from ..expr.parse import float_number, parse_definition, split_top_level
from ..objective.core import Objective
from .parser import NO_TOLERANCE

__all__ = ["assignments", "objective", "start_value", "numbers", "names", "FitInputs",
           "model_loss", "expr_or_data", "option_value", "run", "is_network_spec", "race_rules",
           "step_options", "tolerance", "NO_TOLERANCE"]


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


def race_rules(text: str, lr: float) -> dict[str, float]:
    """``--race``: ``"fixed,adam=0.1"`` -> ``{"fixed": lr, "adam": 0.1}``, each
    name a step rule (did you mean ... for a misspelt one).

    >>> race_rules("fixed,adam=0.1", 0.3)
    {'fixed': 0.3, 'adam': 0.1}
    """
    from ..descent.steps import RULES
    from .parser import did_you_mean
    rates: dict[str, float] = {}
    for part in split_top_level(text):
        name, eq, value = (s.strip() for s in part.partition("="))
        if name not in RULES:
            raise InputError(f"--race: {name!r:.40} is not a step rule"
                             f"{did_you_mean(name, sorted(RULES))} (choose from "
                             f"{', '.join(sorted(RULES))})")
        if name in rates:
            raise InputError(f"--race names {name!r} twice")
        if not eq:
            rates[name] = lr
            continue
        try:
            rates[name] = float_number(value, f"--race {name}'s rate")
        except SymgdError:
            raise InputError(f"--race: the rate of {name} must be a number, e.g. {name}=0.1; "
                             f"got {value!r:.40}") from None
    if not rates:
        raise InputError("--race needs step rules, e.g. fixed,momentum,adam")
    return rates


def names(text: str | None) -> list[str] | None:
    """``"x,y"`` -> ``["x", "y"]``; None stays None."""
    return split_top_level(text) if text else None


def numbers(text: str | None, what: str) -> list[float] | None:
    """``"-5,5"`` -> ``[-5.0, 5.0]``; None stays None."""
    return [float_number(v, what) for v in split_top_level(text)] if text else None


def expression(text: str | None) -> str | None:
    """EXPR as given, or read from stdin when it is ``-`` (one expression; a
    trailing newline is dropped)."""
    if text != "-":
        return text
    read = sys.stdin.read(MAX_LENGTH + 1)   # the parser's own limit refuses more
    if not read.strip():
        raise InputError("EXPR is '-' but stdin is empty; pipe an expression in, e.g. "
                         "echo 'x^2 + y^2' | symgd diff -")
    return read.rstrip("\n")


def objective(args: argparse.Namespace) -> Objective:
    """EXPR with --vars, --const and --latex-input; a name in --vars or --const
    that EXPR does not use is refused (it would be a typo or the wrong expression)."""
    args.expr = expression(args.expr)
    constants = assignments(args.const, "--const")
    variables = names(args.vars)
    syntax = "latex" if getattr(args, "latex_input", False) else "auto"
    _used_names(args.expr, variables, constants, claims=_claims(args), syntax=syntax)
    return Objective(args.expr, variables, constants=constants or None, syntax=syntax)


def _claims(args: argparse.Namespace) -> str:
    return " ".join(c for c in (getattr(args, "grad", None), getattr(args, "hessian", None))
                    if c)


def _used_names(text: str, variables: list[str] | None, constants: dict[str, str],
                claims: str = "", syntax: str = "auto") -> None:
    """Refuse --vars and --const names that EXPR does not use (``check``'s
    claims may use a constant that the function does not)."""
    declared = [*(variables or []), *constants]
    used = {s.name for s in parse_definition(text, variables=declared or None, syntax=syntax)
            .expr.free_symbols}
    shown = ", ".join(sorted(used)) or "none"
    unknown = [v for v in variables or [] if v not in used]
    if unknown:
        missing = sorted(used - set(variables or []) - set(constants))
        also = f"; it uses {', '.join(missing)}, which --vars leaves out" if missing else ""
        raise InputError(f"--vars names {', '.join(unknown)}, which EXPR does not use (its "
                         f"names are {shown}){also}")
    claimed = {s.name for c in split_top_level(claims.replace(";", ",").replace(":", ","))
               for s in _free(c)} if claims else set()
    unused = [c for c in constants if c not in used and c not in claimed]
    if unused:
        raise InputError(f"--const {unused[0]}: EXPR has no {unused[0]!r} (its names are "
                         f"{shown}); check the name, or leave the constant out")


def _free(text: str) -> set:
    try:
        return parse_definition(text).expr.free_symbols
    except SymgdError:       # the check reports an unreadable claim itself
        return set()


def start_value(text: str, known: Sequence[str] | None = None) -> Any:
    """A start point: ``1,1``, ``x=1,y=2`` or one number for every variable;
    with ``known`` (the variables), a name that is not one is refused."""
    parts = split_top_level(text)
    if any("=" in p for p in parts):
        given = assignments([text], "--start")
        unknown = [k for k in given if known is not None and k not in known]
        if unknown:
            raise InputError(f"--start names {', '.join(unknown)}, which "
                             f"{'is not a variable' if len(unknown) == 1 else 'are not variables'}"
                             f"; the variables are {', '.join(known or ())}")
        return {k: float_number(v, f"start value {k!r}") for k, v in given.items()}
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
    params = names(args.params)
    if network:
        model: Any = parse_mlp_spec(args.model)
    else:
        model, order = _linear_inside(args.model, data, args.target, columns)
        params = params or order
    if args.loss == "logloss" and args.model.strip().split(":")[0].strip() == "linear":
        raise InputError(f"--loss logloss needs a probability, and --model {args.model} is a "
                         f"linear form; write --model \"sigmoid({args.model.strip()})\" for "
                         "logistic regression")
    loss = LOSSES[args.loss](model, data, target=args.target, columns=columns,
                             params=params,
                             constants=assignments(args.const, "--const") or None,
                             stream=getattr(args, "stream", "auto"),
                             progress=progress(args))
    return FitInputs(model, loss, network)


_LINEAR_INSIDE = re.compile(r"\s*(\w+)\(\s*(linear(?::[\w\s,]*)?)\)\s*")


def _linear_inside(model: str, data: str, target: str,
                   columns: Any) -> tuple[str, list[str] | None]:
    """``sigmoid(linear)`` (or any function of ``linear`` / ``linear:x1,x2``):
    the linear form written out over the data's columns, inside the function,
    and its parameters in the linear model's order (w1, w2, ..., b). Logistic
    regression from the shell is ``--model "sigmoid(linear)" --loss logloss``."""
    found = _LINEAR_INSIDE.fullmatch(model)
    if not found:
        return model, None
    linear = linear_loss(found.group(2), data, target=target, columns=columns,
                         sufficient_statistics=False)
    return f"{found.group(1)}({linear.model})", list(linear.names)


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
    options = step_options(args)
    lr = 0.1 if args.lr is None else args.lr
    start = start_value("0" if args.start is None else args.start, obj.names)
    tol = tolerance(args)
    backend = getattr(args, "backend", "auto")
    shown = progress(args)
    if backend == "numba" and shown == "auto":    # a compiled loop shows no progress line
        shown = False
    return descend(obj, start, lr=lr, max_iter=args.max_iter, tol=tol, ftol=args.ftol,
                   step=args.step, record_bound=getattr(args, "record_bound", False),
                   exact=getattr(args, "exact", None) or False, progress=shown,
                   backend=backend, **batches, **options)


def step_options(args: argparse.Namespace) -> dict[str, Any]:
    """The step-rule options of ``--option NAME=VALUE`` (repeatable)."""
    return {k: option_value(v) for k, v in assignments(args.option, "--option").items()}


def tolerance(args: argparse.Namespace) -> float | None:
    """``--tol``: a number, or None for ``--tol none`` (run every step)."""
    return None if args.tol == NO_TOLERANCE else args.tol


def progress(args: argparse.Namespace) -> bool | str:
    """The progress line asked for: ``"auto"`` (shown when standard error is a
    terminal) unless ``--no-progress`` or ``--quiet``; ``--progress`` always."""
    choice = getattr(args, "progress", "auto")
    if choice == "never" or getattr(args, "quiet", False):
        return False
    return True if choice == "always" else "auto"
