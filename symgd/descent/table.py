"""Iteration tables and derivative summaries as strings.

Library functions here return strings; only :mod:`symgd.cli` prints.
"""

from __future__ import annotations

import csv
import decimal
import io
import json
import math
import numbers
from typing import Any

import sympy as sp

from .._text import json_safe, number
from .._options import integer
from ..errors import InputError, InputTypeError
from ..objective.display import derivatives_dict, derivatives_text

__all__ = ["format_table", "TABLE_FORMATS", "derivatives_text", "derivatives_dict"]

TABLE_FORMATS = ("text", "markdown", "latex", "csv", "json")


def format_table(history: Any, every: int = 1, digits: int = 6, fmt: str = "text",
                 gradient: bool = False, first: int = 0, exact: bool = False) -> str:
    """A table of a run's iterations.

    Parameters
    ----------
    history : History
        From ``Result.history``.
    every : int
        Show every ``every``-th iteration; the last one is always shown.
    digits : int
        Significant digits of each number.
    fmt : {"text", "markdown", "latex", "csv", "json"}
    gradient : bool
        Add one column per partial derivative.
    first : int
        The number of the first row (a lesson may count from 1).
    exact : bool
        Print the rows computed in exact arithmetic (``descend(exact=...)``),
        rounded half up in decimal, instead of the floating-point rows.

    Examples
    --------
    >>> from symgd import descend
    >>> res = descend("x^2 + x*y + y^2", start=[1, 1], lr=0.1, max_iter=3)
    >>> print(format_table(res.history, digits=4))
    iteration      x      y    loss  grad_norm
            0      1      1       3      4.243
            1    0.7    0.7    1.47       2.97
            2   0.49   0.49  0.7203      2.079
            3  0.343  0.343  0.3529      1.455
    """
    every = _positive_int(every, "every")
    digits = _positive_int(digits, "digits")
    if isinstance(first, bool) or not isinstance(first, numbers.Integral):
        raise InputTypeError(f"first must be an integer, got {first!r}")
    if fmt not in TABLE_FORMATS:
        raise InputError(f"unknown table format {fmt!r}; choose one of "
                         f"{', '.join(TABLE_FORMATS)}")
    if exact:
        header, rows = _exact_table_rows(history, every, gradient)
    else:
        header, rows = _table_rows(history, every, gradient)
    rows = [[int(row[0]) + int(first), *row[1:]] for row in rows]
    if fmt == "json":
        return json.dumps([dict(zip(header, json_safe([_exact_as_text(v) for v in row])))
                           for row in rows], indent=1)
    write = _exact_text if exact else number
    cells = [[str(int(row[0])), *(write(v, digits) for v in row[1:])] for row in rows]
    return {"text": _text, "markdown": _markdown, "latex": _latex,
            "csv": _csv}[fmt](header, cells)


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, float):
        raise InputTypeError(f"{name} must be a positive integer, got {value!r}")
    return integer(value, name, low=1)


def _table_rows(history: Any, every: int, gradient: bool) -> tuple[list[str], list[list]]:
    n = len(history.names)
    header = ["iteration", *history.names, "loss"]
    if gradient:
        header += [f"df/d{v}" for v in history.names]
    header.append("grad_norm")
    header += list(history.extra)
    picked = [k for k in range(len(history)) if k % every == 0]
    if len(history) and picked[-1] != len(history) - 1:
        picked.append(len(history) - 1)
    rows = []
    for k in picked:
        row = [int(history.iteration[k]), *history.x[k], history.loss[k]]
        if gradient:
            row += list(history.grad[k][:n])
        rows.append([*row, history.grad_norm[k], *(c[k] for c in history.extra.values())])
    return header, rows


def _exact_table_rows(history: Any, every: int, gradient: bool) -> tuple[list[str], list]:
    if history.exact is None:
        raise InputError("this run has no exact rows: call descend(..., exact=True)")
    if not history.exact:
        raise InputError("this run has no exact rows: the start or its gradient has "
                         "values too long to compute exactly; leave out exact=True")
    n = len(history.names)
    header = ["iteration", *history.names, "loss"]
    header += [f"df/d{v}" for v in history.names] if gradient else []
    header.append("grad_norm")
    picked = [k for k in range(len(history.exact)) if k % every == 0]
    if picked[-1] != len(history.exact) - 1:
        picked.append(len(history.exact) - 1)
    rows = []
    for k in picked:
        row = history.exact[k]
        grads = list(row[n + 1:2 * n + 1]) if gradient else []
        rows.append([k, *row[:n + 1], *grads, row[-1]])
    return header, rows


def _exact_text(value: Any, digits: int) -> str:
    """An exact number rounded half up to ``digits`` significant digits."""
    if isinstance(value, int):
        return str(value)
    value = sp.nsimplify(value) if isinstance(value, float) else value
    if value.is_Pow and value.exp == sp.S.Half and value.base.is_Rational \
            and value.base.is_positive:
        d = _sqrt_decimal(int(value.base.p), int(value.base.q), digits)
    elif value.is_Rational:
        d = decimal.Decimal(int(value.p)) / decimal.Decimal(int(value.q)) if value.q != 1 \
            else decimal.Decimal(int(value.p))
    else:
        d = decimal.Decimal(str(sp.N(value, digits + 15)))
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.rounding = digits, decimal.ROUND_HALF_UP
        d = +d
    text = format(d.normalize(), "f") if abs(d.adjusted()) < 16 else format(d.normalize(), "g")
    return "0" if text in ("-0", "0E+0") else text


def _sqrt_decimal(p: int, q: int, digits: int) -> decimal.Decimal:
    """sqrt(p/q) for positive integers, rounded half up to ``digits`` significant
    digits with integer square roots only (no factoring, no binary floats)."""
    # floor(sqrt(p/q) * 10^s) == isqrt(floor(p * 10^(2s) / q)); pick s so that
    # it has digits + 1 digits, the last one deciding the rounding
    s = digits - (p.bit_length() - q.bit_length()) * 3 // 20
    while True:
        num, den = (p * 10 ** (2 * s), q) if s >= 0 else (p, q * 10 ** (-2 * s))
        r = math.isqrt(num // den)
        if r < 10 ** digits:
            s += 1
        elif r >= 10 ** (digits + 1):
            s -= 1
        else:
            break
    # the digits after the last kept one are at least one half exactly when
    # the first of them is 5 or more: half up
    r = r // 10 + (r % 10 >= 5)
    return decimal.Decimal(r).scaleb(1 - s)


def _exact_as_text(value: Any) -> Any:
    """An exact SymPy number as its text (``"-41901/350"``), anything else as is."""
    return str(value) if isinstance(value, sp.Basic) and not value.is_Float else value


def _text(header: list[str], cells: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    widths = [w + 2 if i else w for i, w in enumerate(widths)]
    lines = ["".join(h.rjust(w) for h, w in zip(header, widths))]
    lines += ["".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def _markdown(header: list[str], cells: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def _latex(header: list[str], cells: list[list[str]]) -> str:
    def tex(name: str) -> str:
        if name.startswith("df/d"):
            return rf"$\partial f/\partial {sp.latex(sp.Symbol(name[4:]))}$"
        if name == "grad_norm":
            return r"$\lVert\nabla f\rVert$"
        return name if name in ("iteration", "loss") else f"${sp.latex(sp.Symbol(name))}$"
    lines = [r"\begin{tabular}{" + "r" * len(header) + "}", r"\toprule",
             " & ".join(tex(h) for h in header) + r" \\", r"\midrule"]
    lines += [" & ".join(row) + r" \\" for row in cells]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def _csv(header: list[str], cells: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(cells)
    return out.getvalue().rstrip("\n")


