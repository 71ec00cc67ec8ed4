"""``main``: parse the command line, run the command, turn errors into exit codes.

Exit codes: 0 success, 1 a run that did not converge (or a claimed
derivative that is not right), 2 invalid input with one line on stderr
(``--debug`` adds the traceback before it), 3 a claimed derivative not
proven under ``check --strict`` (none wrong), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from typing import Sequence, TextIO

from ..errors import SymgdError
from .commands import COMMANDS, EXIT_BAD_INPUT
from .flags import as_flags
from .parser import COMMANDS as COMMAND_NAMES
from .parser import SHORT_OPTIONS, UsageError, build_parser
from .rules import settle

__all__ = ["main", "protect_leading_dashes"]

EXIT_INTERRUPTED = 130


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
    command = None
    try:
        try:
            with contextlib.redirect_stdout(out):
                args = build_parser().parse_args(protect_leading_dashes(argv))
        except SystemExit as done:      # --help and --version
            return int(done.code or 0)
        command = args.command
        if command is None:
            raise UsageError("no command given; choose one of "
                             f"{', '.join(COMMAND_NAMES)} (see 'symgd --help')")
        settle(args)
        return COMMANDS[command](args, out)
    except SymgdError as error:           # the library's words, with the flags named
        return _bad_input(as_flags(str(error), command), "--debug" in argv, err)
    except UsageError as error:
        return _bad_input(str(error), "--debug" in argv, err)
    except KeyboardInterrupt:
        err.write("symgd: interrupted\n")
        return EXIT_INTERRUPTED


def _bad_input(message: str, debug: bool, err: TextIO) -> int:
    """One line on stderr (after the traceback with --debug); exit code 2."""
    if debug:
        traceback.print_exc(file=err)
    err.write(f"symgd: error: {' '.join(message.splitlines())}\n")
    return EXIT_BAD_INPUT


def protect_leading_dashes(argv: Sequence[str]) -> list[str]:
    """``-x^2`` or ``-1,2`` are values, not options: argparse needs telling.

    A leading space keeps argparse from reading them as options; the
    expression and number parsers ignore it.

    >>> protect_leading_dashes(["diff", "-x^2", "--json", "-h"])
    ['diff', ' -x^2', '--json', '-h']
    """
    return [" " + a if a.startswith("-") and not a.startswith("--") and len(a) > 1
            and a.split("=", 1)[0] not in SHORT_OPTIONS else a for a in argv]

