"""The one way the ``symgd`` command prints a report.

Every command builds a report and hands it to :func:`emit` with the format
asked for; ``--format`` therefore means the same on every command. JSON is
written on one line in ASCII; other formats go to a terminal that cannot
show ``∂``, ``∇``, ``Σ`` or ``λ`` with those written in ASCII.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from .._report import FORMATS, render

__all__ = ["emit", "shows_symbols", "plain"]

# What a terminal that cannot show them gets instead.
_ASCII = {"∂": "d", "∇": "grad ", "Σ": "sum", "²": "^2", "≈": "~", "–": "-", "λ": "lambda",
          "′": "'", "″": "''", "×": "x", "≤": "<=", "≥": ">=", "→": "->", "…": "...", "·": "*",
          "&emsp;": "  "}


def emit(report: Any, fmt: str, out: TextIO) -> None:
    """Write ``report`` in ``fmt`` (one of :data:`symgd._report.FORMATS`, or a
    format of the report's own such as a table's ``csv``) to ``out``.

    >>> import io
    >>> from symgd.objective.display import Derivatives
    >>> from symgd import Objective
    >>> out = io.StringIO()
    >>> emit(Derivatives(Objective("x^2")), "json", out)
    >>> out.getvalue().count("\\n"), json.loads(out.getvalue())["gradient"]
    (1, ['2*x'])
    """
    text = render(report, fmt) if fmt in FORMATS else report.format(fmt)
    if fmt == "json":
        text = json.dumps(json.loads(text))          # one line, ASCII
    elif not shows_symbols(out):
        text = plain(text, out.encoding or "ascii")
    out.write(text.rstrip("\n") + "\n")


def shows_symbols(stream: TextIO) -> bool:
    """True when ``stream`` can show ``∂`` and ``∇`` (a stream with no encoding cannot)."""
    try:
        "∂∇".encode(stream.encoding or "ascii")
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def plain(text: str, encoding: str = "ascii") -> str:
    """``text`` for a terminal with ``encoding``: the usual symbols in ASCII, any
    other character it cannot show as an escape.

    >>> plain("∂z/∂x ≤ 2λ, θ")
    'dz/dx <= 2lambda, \\\\u03b8'
    """
    for symbol, ascii_form in _ASCII.items():
        text = text.replace(symbol, ascii_form)
    try:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        return text.encode("ascii", "backslashreplace").decode("ascii")
