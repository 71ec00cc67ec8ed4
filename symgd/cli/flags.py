"""The library's argument names as the command line's flags.

The library's messages name its Python arguments (``max_iter must be 0 or
more``); on the command line the same message names the flag the value came
from (``--max-iter must be 0 or more``). :func:`as_flags` is applied where
the command prints an error, and nowhere else, so the error classes keep
their own wording. Besides bare names it rewrites the Python idioms of the
messages: ``columns={'y': 'column name'}`` is ``--columns y=COLUMN``,
``target=...`` is ``--target NAME``, ``descend(..., exact=True)`` is
``--exact``, ``use plot_slice`` is ``use symgd plot slice``. An error that
says which argument it is about (an ``option`` attribute holding the Python
name) has that name written as its flag wherever it stands.

:data:`FLAGS` is the one table; a new argument with a flag goes there.
"""

from __future__ import annotations

import re

__all__ = ["FLAGS", "COMMAND_FLAGS", "METAVARS", "STEP_OPTIONS", "as_flags", "run_message"]

# Python argument -> the flag that gives it.
FLAGS = {
    "max_iter": "--max-iter", "batch_size": "--batch-size", "lr": "--lr", "lrs": "--lrs",
    "tol": "--tol", "ftol": "--ftol", "start": "--start", "variables": "--vars",
    "constants": "--const", "epochs": "--epochs", "seed": "--seed", "columns": "--columns",
    "target": "--target", "params": "--params", "every": "--every", "digits": "--digits",
    "first": "--first", "exact": "--exact", "points": "--points", "timeout": "--timeout",
    "bounds": "--bounds", "at": "--at", "wrt": "--wrt", "scheme": "--init",
    "tangent_at": "--tangent-at", "dpi": "--dpi", "fps": "--fps", "frames": "--frames",
    "backend": "--backend",
}
# Where a command gives an argument from another flag.
COMMAND_FLAGS = {"plot": {"at": "--start"}}
# What stands for the value after a flag, where a message leaves it open (``target=...``).
METAVARS = {"--target": "NAME", "--at": "X", "--start": "X0", "--max-iter": "N",
            "--vars": "NAMES", "--params": "NAMES", "--bounds": "LOW,HIGH", "--lr": "LR",
            "--batch-size": "B", "--epochs": "N", "--wrt": "NAMES"}
# Step-rule options, given on the command line as --option NAME=VALUE.
STEP_OPTIONS = ("schedule", "decay", "beta1", "beta2", "beta", "eps", "shrink", "patience",
                "rho", "every")
_IDIOM_VALUES = {"'column name'": "COLUMN", "...": "VALUE"}

# Names no sentence uses as a word: they are the argument wherever they stand.
_TECHNICAL = ("max_iter", "batch_size", "tangent_at", "lrs", "lr", "ftol", "tol")
# Other names are the argument only where the message says something about it
# ("start has 3 values", "columns maps ...", "target=..."), or shows its value
# ("variables ['x', 'x'] ...") for the names that hold one.
_VERB = r"\s+(?:must|needs|maps|names?|has|lacks)\b|="
_VALUE = r"\s+[\[{]"
_HOLDERS = ("start", "variables", "constants", "columns", "params", "bounds")
_BEFORE = r"(?<![\w'\"./=-])(?<!\bthe )(?<!\ba )(?<!\()(?<!, )"


def as_flags(message: str, command: str | None = None, error: object = None) -> str:
    """``message`` with the Python argument names it mentions written as flags.

    ``error``, when given, is the error the message comes from: an
    ``option`` attribute naming its Python argument is written as the flag.

    >>> as_flags("max_iter must be 0 or more, got -1")
    '--max-iter must be 0 or more, got -1'
    >>> as_flags("start has 3 values but the objective has 2 variables (x, y)")
    '--start has 3 values but the objective has 2 variables (x, y)'
    >>> as_flags("Stopped after max_iter = 5 iterations")
    'Stopped after --max-iter 5 iterations'
    >>> as_flags("epochs needs batch_size (mini-batch descent)")
    '--epochs needs --batch-size (mini-batch descent)'
    >>> as_flags("this run has no exact rows: call descend(..., exact=True)")
    'this run has no exact rows: add --exact'
    >>> as_flags("start {'x': 1.0} lacks ['y']; the variables are x, y")
    '--start x=1.0 lacks y; the variables are x, y'
    >>> as_flags("variables ['x', 'x'] name a variable twice; list each once")
    '--vars x, x name a variable twice; list each once'
    >>> as_flags("name it with target=... or columns={'y': 'column name'}")
    'name it with --target NAME or --columns y=COLUMN'
    >>> as_flags("give constants={'y': ...}; or call descend(..., exact=True)")
    'give --const y=VALUE; or add --exact'
    >>> as_flags("tol must be a finite number >= 0, or None to turn the gradient test off; got -1")
    '--tol must be a finite number >= 0; got -1'
    >>> as_flags('add schedule="step", "inverse" or "exponential"')
    'add --option schedule=step, inverse or exponential'
    >>> as_flags("exact must be True or a number of iterations from 1 to 100, got 200")
    '--exact must be given alone or with a number of iterations from 1 to 100, got 200'
    >>> as_flags("use plot_slice for one variable; give a point (at=...)")
    'use symgd plot slice for one variable; give a point (--at X)'
    >>> as_flags("at={'q': 2.0} names ['q'], which are not variables", "plot")
    '--start q=2.0 names q, which are not variables'
    >>> as_flags("backend='numba' cannot run this descent: ...; use backend='auto' or "
    ...          "backend='numpy'")
    '--backend numba cannot run this descent: ...; use --backend auto or --backend numpy'
    """
    table = {**FLAGS, **COMMAND_FLAGS.get(command or "", {})}
    message = _idioms(message, table)
    option = getattr(error, "option", None)
    if isinstance(option, str) and option in table:
        message = re.sub(rf"{_BEFORE}\b{re.escape(option)}\b(?![\w-])",
                         lambda m: table[option], message)

    def flag(match: re.Match[str]) -> str:
        return table[match.group(1)]

    def names(chosen: object) -> str:
        return "|".join(n for n in sorted(table, key=len, reverse=True) if n in chosen)

    message = re.sub(rf"{_BEFORE}\b({names(_TECHNICAL)})\b(?![\w-])", flag, message)
    message = re.sub(rf"{_BEFORE}\b({names(table)})\b(?={_VERB})", flag, message)
    message = re.sub(r"(?<![\w-])(--[a-z][a-z-]*) = (?=[-\w(])", r"\1 ", message)
    return _lists(re.sub(rf"{_BEFORE}\b({names(_HOLDERS)})\b(?={_VALUE})", flag, message))


def run_message(message: str) -> str:
    """A report's text (a run's message, an analysis) with the Python idioms
    and the names no sentence uses, those with an underscore, written as
    flags; ``lr`` and ``tol`` stay, as the quantities the sentence is about.

    >>> run_message("Step sizes: give a point (at=...) for the local facts.")
    'Step sizes: give a point (--at X) for the local facts.'

    >>> run_message("Stopped after max_iter = 5 iterations (tol = 1e-08); try more "
    ...             "iterations (max_iter) or lr < 2/3")
    'Stopped after --max-iter 5 iterations (tol = 1e-08); try more iterations (--max-iter) or lr < 2/3'
    """
    underscored = "|".join(n for n in FLAGS if "_" in n)
    message = _idioms(message, FLAGS)
    message = re.sub(rf"(?<![\w-])({underscored}) = (?=[-\w(])",
                     lambda m: FLAGS[m.group(1)] + " ", message)
    return re.sub(rf"(?<![\w-])({underscored})\b", lambda m: FLAGS[m.group(1)], message)


# options whose False has a flag of its own
_NEGATED = {"stream": "--no-stream"}


def _idioms(message: str, table: dict[str, str]) -> str:
    """The Python idioms of a message in the command line's words."""
    def mapping(match: re.Match[str]) -> str:     # columns={'y': 'x'} -> --columns y=x
        flag = table[match.group(1)]
        pairs = re.findall(r"'([^']*)':\s*('[^']*'|[^,}]+)", match.group(2))
        return flag + " " + ",".join(
            f"{k}={_IDIOM_VALUES.get(v.strip(), v.strip().strip(chr(39)))}" for k, v in pairs)

    def option(match: re.Match[str]) -> str:      # schedule=... -> --option schedule=...
        return f"--option {match.group(1)}=..."

    def keyword(match: re.Match[str]) -> str:     # exact=True -> --exact
        name, value = match.group(1), match.group(2)
        flag = table.get(name, "--" + name.replace("_", "-"))
        if value == "False" and name in _NEGATED:
            return _NEGATED[name]
        return f"leave out {flag}" if value == "False" else flag

    def quoted_option(match: re.Match[str]) -> str:   # schedule="step", "inverse" or ...
        values = re.findall(r'"([^"]+)"', match.group(0))
        listed = ", ".join(values[:-1]) + (f" or {values[-1]}" if len(values) > 1 else values[0])
        return f"--option {match.group(1)}={listed}"

    holders = "|".join(sorted(table, key=len, reverse=True))
    message = re.sub(rf'(?<![\w.-])({"|".join(STEP_OPTIONS)})="[^"]+"(?:, "[^"]+")*(?: or "[^"]+")?',
                     quoted_option, message)
    # the Python value None has no flag: the command line leaves the option out
    message = re.sub(r",? or None to turn [^;,]* off", "", message)
    message = re.sub(r"(--[\w-]+|\b\w+) must be True or (a number[^,;]*)",
                     lambda m: f"{m.group(1)} must be given alone or with {m.group(2)}", message)
    message = re.sub(rf"(?<![\w.-])({holders})=(\{{[^{{}}]*\}})", mapping, message)
    message = re.sub(r"call \w+\(\.\.\., (\w+)=(True)\)",
                     lambda m: f"add {keyword(m)}", message)
    message = re.sub(r"(?<![\w.-])(\w+)=(True|False)\b", keyword, message)
    message = re.sub(rf"(?<![\w.-])({'|'.join(STEP_OPTIONS)})=\.\.\.", option, message)
    message = re.sub(rf"(?<![\w.-])({holders})=\.\.\.",
                     lambda m: f"{table[m.group(1)]} {METAVARS.get(table[m.group(1)], 'VALUE')}",
                     message)
    message = re.sub(r"(?<![\w.-])backend='(\w+)'", r"--backend \1", message)
    message = re.sub(r"\bplot_(\w+)", lambda m: "symgd plot " + m.group(1).replace("_", "-"),
                     message)
    return message


def _lists(message: str) -> str:
    """A list of names shown as Python: ``names ['q', 'r']`` -> ``names q, r``;
    a mapping ``{'x': 1.0}`` -> ``x=1.0``."""
    message = re.sub(r"\{((?:'[^']*':\s*[^{}:,]+(?:,\s*)?)+)\}",
                     lambda m: ",".join(f"{k}={v.strip()}" for k, v in
                                        re.findall(r"'([^']*)':\s*([^,]+)", m.group(1))),
                     message)
    message = re.sub(r"\bto variables\b", "to --vars", message)
    return re.sub(r"\[((?:'[^']*'(?:, )?)+)\]",
                  lambda m: ", ".join(re.findall(r"'([^']*)'", m.group(1))), message)
