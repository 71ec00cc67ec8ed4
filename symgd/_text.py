"""Small text helpers shared by every layer: one way to shorten, quote and
print numbers and points, and one way to make values JSON-safe.

Messages and reports never build these by hand, so a point looks the same
in an error, a check report and a run's message.
"""

from __future__ import annotations

import math
import numbers
import re
import reprlib
from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["truncate", "shorten", "quote", "names_list", "number", "point", "plural",
           "json_safe", "markdown_escape", "MAX_MESSAGE"]

MAX_MESSAGE = 1500           # characters of one error message, at most
_LONG_WORD = re.compile(r"\S{81,}")
_SHOWN_NAMES = 10            # names listed in a message, at most
_SHOWN_CHARS = 60            # characters of a user's text quoted in a message, at most
_POINT_COORDS = 8            # coordinates of a point written out, at most


def truncate(text: object, limit: int = 60) -> str:
    """``str(text)``, cut to ``limit`` characters with "..." when longer.

    >>> truncate("x" * 100, 10)
    'xxxxxxx...'
    >>> truncate("short")
    'short'
    """
    text = str(text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def shorten(message: str) -> str:
    """``message`` with each very long word (a pasted number, a name of
    100,000 letters) shortened in the middle, and at most MAX_MESSAGE characters.

    >>> shorten("variable '" + "x" * 500 + "' is too long")
    "variable 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxx' (502 characters) is too long"
    """
    def cut(m: re.Match[str]) -> str:
        word = m.group(0)
        return f"{word[:40]}...{word[-20:]} ({len(word)} characters)"
    message = _LONG_WORD.sub(cut, message)
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE - 200] + " ... " + message[-195:]
    return message


def quote(text: object, limit: int = _SHOWN_CHARS) -> str:
    """``repr`` of a user's text for a message, shortened in the middle when long
    (anything else: a short ``repr``).

    >>> quote("x")
    "'x'"
    >>> quote("a" * 100, 20)
    "'aaaaaaaaaaa...aaaaa' (100 characters)"
    >>> quote(list(range(100)))
    '[0, 1, 2, 3, 4, 5, ...]'
    """
    if not isinstance(text, str):
        return reprlib.repr(text)
    if len(text) <= limit:
        return repr(text)
    tail = max(limit // 4, 1)
    return f"{text[:limit - tail - 3] + '...' + text[-tail:]!r} ({len(text)} characters)"


def names_list(names: Sequence[str], limit: int = _SHOWN_NAMES, noun: str = "columns") -> str:
    """Names for a message: the first ``limit``, then how many in all.

    >>> names_list(["x", "y"])
    'x, y'
    >>> names_list([f"c{i}" for i in range(10_000)], 3)
    'c0, c1, c2, ... (10000 columns in all)'
    """
    names = list(names)
    shown = ", ".join(truncate(n, 30) for n in names[:limit])
    if len(names) > limit:
        shown += f", ... ({len(names)} {noun} in all)"
    return shown


def number(value: object, digits: int = 6) -> str:
    """A number with ``digits`` significant digits, never ``-0``; exact SymPy
    numbers keep their exact form.

    >>> number(0.1 + 0.2), number(-1e-30 * 0), number(2.0), number(float("inf"))
    ('0.3', '0', '2', 'inf')
    >>> import sympy
    >>> number(sympy.Rational(-41901, 350))
    '-41901/350'
    """
    if getattr(value, "is_Rational", False):
        return str(value)
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return str(v)
    text = f"{v:.{digits}g}"
    return "0" if text in ("-0", "0") else text


def point(names: Sequence[str], values: Sequence[object] | Mapping[str, object],
          digits: int = 6) -> str:
    """The one way a point is written: ``(x = 0.68, y = -1.15)``.

    Long points show their first coordinates and how many there are.

    >>> point(["x", "y"], [0.68, -1.15])
    '(x = 0.68, y = -1.15)'
    >>> point(["w"], {"w": 2})
    '(w = 2)'
    >>> point([f"x{i}" for i in range(1, 101)], range(100))
    '(x1 = 0, x2 = 1, x3 = 2, x4 = 3, x5 = 4, x6 = 5, ..., x100 = 99; 100 coordinates)'
    """
    names = list(names)
    vals = [values[n] for n in names] if isinstance(values, Mapping) else list(values)
    pairs = [f"{n} = {number(v, digits)}" for n, v in zip(names, vals)]
    if len(pairs) > _POINT_COORDS:
        pairs = pairs[:_POINT_COORDS - 2] + ["...", pairs[-1]]
        return "(" + ", ".join(pairs) + f"; {len(names)} coordinates)"
    return "(" + ", ".join(pairs) + ")"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``"1 point"``, ``"3 points"``.

    >>> plural(1, "point"), plural(3, "point"), plural(2, "entry", "entries")
    ('1 point', '3 points', '2 entries')
    """
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def json_safe(value: Any) -> Any:
    """Plain JSON types: NaN and infinities become None, tuples and arrays
    lists, NumPy scalars Python numbers, exact SymPy numbers and expressions
    their text (``"-41901/350"``), mapping keys strings.

    >>> json_safe({"x": (1.5, float("nan")), 2: np.array([1, 2])})
    {'x': [1.5, None], '2': [1, 2]}
    >>> import sympy
    >>> json_safe([sympy.Rational(-41901, 350), sympy.Integer(3), sympy.Float(0.5)])
    ['-41901/350', 3, 0.5]
    """
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if hasattr(value, "free_symbols") and not getattr(value, "is_Float", False):
        # a SymPy object: an integer stays one, anything else exact keeps its text
        return int(value) if getattr(value, "is_Integer", False) else str(value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if getattr(value, "is_Float", False) or isinstance(value, (numbers.Real, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if hasattr(value, "to_dict"):
        return json_safe(value.to_dict())
    return str(value)


def markdown_escape(text: str) -> str:
    """Text safe inside a Markdown table cell or paragraph.

    >>> print(markdown_escape("a|b *c*"))
    a\\|b \\*c\\*
    """
    for ch in ("\\", "|", "*", "_", "`"):
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ")
