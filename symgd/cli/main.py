"""``main``: parse the command line, run the command, turn errors into exit codes.

Exit codes: 0 success, 1 a run that did not converge (or a claimed
derivative that is not right), 2 invalid input with one line on stderr
(``--debug`` adds the traceback before it), 3 a derivative right at every
point tried but not proven (``check --strict``), 130 interrupted, 141 the
reader of the output went away (``symgd demo | head -1``: nothing is printed). Every
exit of ``symgd check --json`` (or ``--format json``) prints one JSON object
on stdout: the report, or for 2 and 130 ``{"error": message, "kind": ...,
"exit": code}`` besides the line on stderr.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import re
import sys
import time
import traceback
from typing import Sequence, TextIO

from ..errors import SymgdError
from ..expr.registry import FUNCTIONS
from .commands import COMMANDS, EXIT_BAD_INPUT
from .flags import as_flags
from .parser import COMMANDS as REPORT_COMMANDS
from .parser import TOOLS
from .parser import SHORT_OPTIONS, UsageError, build_parser, did_you_mean
from .rules import settle

__all__ = ["main", "protect_leading_dashes", "wants_json"]

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141     # 128 + SIGPIPE, as a program killed by the signal reports


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run the ``symgd`` command line; returns the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default ``sys.argv[1:]``).
    out, err : text streams, optional
        Where the report and the errors go (default stdout and stderr).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _run(argv, out, err)
        out.flush()
        return code
    except BrokenPipeError:               # the reader left (symgd demo | head -1)
        _silence(out)
        return EXIT_BROKEN_PIPE


def _run(argv: list[str], out: TextIO, err: TextIO) -> int:
    command = None
    started = time.monotonic()
    try:
        parser = build_parser()
        try:
            with contextlib.redirect_stdout(out):
                args, extra = parser.parse_known_args(protect_leading_dashes(argv))
        except SystemExit as done:      # --help and --version
            return int(done.code or 0)
        command = args.command
        if command is None:
            raise UsageError("no command given; choose one of "
                             f"{', '.join(REPORT_COMMANDS + TOOLS)} (see 'symgd --help')")
        if extra:                         # named with the command's own help
            parser.commands[command].error(f"unrecognized arguments: {' '.join(extra)}")
        _unprotect(args)
        settle(args)
        shown = io.StringIO() if args.quiet else out
        code = COMMANDS[command](args, shown)
        if args.verbose:
            err.write(f"symgd {command}: exit {code} after "
                      f"{time.monotonic() - started:.2f} s\n")
        return code
    except SymgdError as error:           # the library's words, with the flags named
        message = _closest_function(as_flags(str(error), command, error))
        return _bad_input(message, type(error).__name__, argv, out, err)
    except UsageError as error:
        return _bad_input(str(error), "UsageError", argv, out, err)
    except MemoryError:                   # numpy's _ArrayMemoryError too
        gc.collect()
        return _bad_input(f"out of memory in 'symgd {command or ''}': the work asked for is "
                          "larger than this machine's memory allows; try fewer iterations, "
                          "starts, rows or a lower --dpi", "MemoryError", argv, out, err)
    except KeyboardInterrupt:
        err.write("symgd: interrupted\n")
        if wants_json(argv):
            _json_error("interrupted", "KeyboardInterrupt", EXIT_INTERRUPTED, out)
        return EXIT_INTERRUPTED


def _unprotect(args: object) -> None:
    """The values that :func:`protect_leading_dashes` hid from argparse, as typed
    (so that a message quotes ``-x^`` and counts its columns from the ``-``)."""
    def typed(value: object) -> object:
        if isinstance(value, str) and value.startswith(" -"):
            return value[1:]
        if isinstance(value, list):
            return [typed(v) for v in value]
        return value
    for name, value in list(args.__dict__.items()):
        setattr(args, name, typed(value))


def _closest_function(message: str) -> str:
    """An unknown function (or step-rule option) named with the closest known one.

    >>> _closest_function("unknown function 'sinn'; to multiply, write sinn*(...); known "
    ...                   "functions: cos, sin")
    "unknown function 'sinn' (did you mean 'sin'?); to multiply, write sinn*(...); known functions: cos, sin"
    """
    option = re.search(r"unknown option '(\w+)' for the step rule '\w+'; its options are "
                       r"([\w, ]+)", message)
    if option:
        close = did_you_mean(option.group(1), option.group(2).split(", ")).lstrip("; ")
        return f"{message} ({close})" if close else message
    found = re.search(r"unknown function '(\w+)'", message)
    if not found:
        return message
    close = did_you_mean(found.group(1), FUNCTIONS).lstrip("; ")
    return message[:found.end()] + (f" ({close})" if close else "") + message[found.end():]


def _silence(out: TextIO) -> None:
    """After a broken pipe: point the standard output at /dev/null, so that
    Python's own flush at exit does not print a second BrokenPipeError."""
    if out is sys.stdout:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):     # no file descriptor (a test's stream)
            pass


def _bad_input(message: str, kind: str, argv: Sequence[str], out: TextIO,
               err: TextIO) -> int:
    """One line on stderr (after the traceback with --debug), and with --json
    one JSON object on stdout; exit code 2."""
    if "--debug" in argv:
        traceback.print_exc(file=err)
    message = " ".join(message.splitlines())
    err.write(f"symgd: error: {message}\n")
    if wants_json(argv):
        _json_error(message, kind, EXIT_BAD_INPUT, out)
    return EXIT_BAD_INPUT


def _json_error(message: str, kind: str, code: int, out: TextIO) -> None:
    out.write(json.dumps({"error": message, "kind": kind, "exit": code}) + "\n")
    out.flush()


def wants_json(argv: Sequence[str]) -> bool:
    """Whether ``symgd check`` is asked for JSON and nothing else (read from the
    words themselves, so that it holds even when they cannot be parsed).

    >>> wants_json(["check", "x^", "--json"]), wants_json(["check", "x", "--format=json"])
    (True, True)
    >>> wants_json(["check", "x", "--format", "json"]), wants_json(["check", "json"])
    (True, False)
    >>> wants_json(["check", "x", "--json", "--format", "text"]), wants_json(["diff", "--json"])
    (False, False)
    """
    words = list(argv)
    command = next((w for w in words if not w.startswith("-")), None)
    formats = [b for a, b in zip(words, words[1:]) if a == "--format"] + \
        [w.split("=", 1)[1] for w in words if w.startswith("--format=")]
    asked = "--json" in words or "json" in formats
    return command == "check" and asked and "--latex" not in words and \
        all(f == "json" for f in formats)


def protect_leading_dashes(argv: Sequence[str]) -> list[str]:
    """``-x^2`` or ``-1,2`` are values, not options: argparse needs telling.

    A leading space keeps argparse from reading them as options; the
    expression and number parsers ignore it.

    >>> protect_leading_dashes(["diff", "-x^2", "--json", "-h"])
    ['diff', ' -x^2', '--json', '-h']
    """
    return [" " + a if a.startswith("-") and not a.startswith("--") and len(a) > 1
            and a.split("=", 1)[0] not in SHORT_OPTIONS else a for a in argv]

