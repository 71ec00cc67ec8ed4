"""The library's argument names as the command line's flags.

The library's messages name its Python arguments (``max_iter must be 0 or
more``); on the command line the same message names the flag the value came
from (``--max-iter must be 0 or more``). :func:`as_flags` is applied where
the command prints an error, and nowhere else, so the error classes keep
their own wording.
"""

from __future__ import annotations

import re

__all__ = ["FLAGS", "COMMAND_FLAGS", "as_flags"]

# Python argument -> the flag that gives it.
FLAGS = {
    "max_iter": "--max-iter", "batch_size": "--batch-size", "lr": "--lr", "lrs": "--lrs",
    "tol": "--tol", "ftol": "--ftol", "start": "--start", "variables": "--vars",
    "constants": "--const", "epochs": "--epochs", "seed": "--seed", "columns": "--columns",
    "target": "--target", "params": "--params", "every": "--every", "digits": "--digits",
    "first": "--first", "exact": "--exact", "points": "--points", "timeout": "--timeout",
    "bounds": "--bounds", "at": "--at", "wrt": "--wrt", "scheme": "--init",
    "tangent_at": "--tangent-at",
}
# Where a command gives an argument from another flag.
COMMAND_FLAGS = {"plot": {"at": "--start"}}

# Names no sentence uses as a word: they are the argument wherever they stand.
_TECHNICAL = ("max_iter", "batch_size", "tangent_at", "lrs", "lr", "ftol", "tol")
# Other names are the argument only where the message says something about it
# ("start has 3 values", "columns maps ...", "target=..."), or shows its value
# ("variables ['x', 'x'] ...") for the names that hold one.
_VERB = r"\s+(?:must|needs|maps|names?|has|lacks)\b|="
_VALUE = r"\s+[\[{]"
_HOLDERS = ("start", "variables", "constants", "columns", "params", "bounds")
_BEFORE = r"(?<![\w'\"./=-])(?<!\bthe )(?<!\ba )(?<!\()(?<!, )"


def as_flags(message: str, command: str | None = None) -> str:
    """``message`` with the Python argument names it mentions written as flags.

    >>> as_flags("max_iter must be 0 or more, got -1")
    '--max-iter must be 0 or more, got -1'
    >>> as_flags("start has 3 values but the objective has 2 variables (x, y)")
    '--start has 3 values but the objective has 2 variables (x, y)'
    >>> as_flags("epochs needs batch_size (mini-batch descent)")
    '--epochs needs --batch-size (mini-batch descent)'
    >>> as_flags("the start point is not finite; call descend(..., exact=True)")
    'the start point is not finite; call descend(..., exact=True)'
    >>> as_flags("at={'q': 2.0} names ['q'], which are not variables", "plot")
    "--start={'q': 2.0} names ['q'], which are not variables"
    """
    table = {**FLAGS, **COMMAND_FLAGS.get(command or "", {})}

    def flag(match: re.Match[str]) -> str:
        return table[match.group(1)]

    def names(chosen: object) -> str:
        return "|".join(n for n in sorted(table, key=len, reverse=True) if n in chosen)

    message = re.sub(rf"{_BEFORE}\b({names(_TECHNICAL)})\b(?![\w-])", flag, message)
    message = re.sub(rf"{_BEFORE}\b({names(table)})\b(?={_VERB})", flag, message)
    return re.sub(rf"{_BEFORE}\b({names(_HOLDERS)})\b(?={_VALUE})", flag, message)
