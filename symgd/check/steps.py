r"""Checking a published table of gradient-descent iterates, row by row.

Each row is recomputed from the row printed before it and compared at the
precision it is printed with, which tells a wrong row from a rounded one;
an uninterrupted run from the first row, and the learning rates that would
give a wrong row, say more about what went wrong.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Sequence

import numpy as np

from .._text import number, quote
from ..errors import InputError, InputTypeError
from ..objective.core import Objective, as_objective
from .reports import LossRow, StepRow, StepsReport

__all__ = ["check_steps"]

_EPS = np.finfo(float).eps

def check_steps(objective: Any, iterates: Any, lr: float, *, decimals: int | None = None,
                tol: float | None = None, losses: Sequence[Any] | None = None,
                loss_decimals: int | None = None, variables: Sequence[str] | None = None,
                first_row: int = 0) -> StepsReport:
    r"""Check a published table of gradient-descent iterates, row by row.

    Each row is recomputed from the *previous published row*,
    :math:`x_{k+1} = x_k - \gamma \nabla f(x_k)`, and compared at the
    table's precision; an uninterrupted run from the first row is computed
    too.

    Parameters
    ----------
    objective : Objective, str, sympy.Expr or callable
    iterates : rows of numbers (or numeric strings such as "1.20")
        The first row is the start.
    lr : float
        The learning rate :math:`\gamma`.
    decimals : int, optional
        The table's rounding: a row follows when the recomputed values,
        rounded to this many decimals, are the published ones. By default
        each value is compared at the precision it is printed with (1.2:
        one decimal; 0.34: two; give strings to keep trailing zeros).
    tol : float, optional
        Compare with ``|recomputed - published| <= tol`` instead.
    losses : sequence, optional
        A published loss per row: compared, at its printed precision (or
        ``loss_decimals``), with the loss at the printed point, at the
        recomputed point and along the uninterrupted run.
    first_row : int
        The number the table gives its first row (the car lesson: 1).

    Examples
    --------
    >>> r = check_steps("x^2 + x*y + y^2", [[1, 1], [0.7, 0.7], [0.49, 0.49]], 0.1)
    >>> r.ok
    True
    >>> r = check_steps("x^2 + x*y + y^2", [[1, 1], [0.7, 0.7], [0.5, 0.5]], 0.1, decimals=2)
    >>> r.ok, [s.row for s in r.bad_rows], r.bad_rows[0].expected_shown
    (False, [2], ('0.49', '0.49'))
    """
    obj = as_objective(objective, variables)
    rows, row_decimals = _table(iterates, obj.n, "iterates")
    if len(rows) < 2:
        raise InputError("iterates needs at least two rows: the start and one step")
    lr = _finite(lr, "lr")
    if decimals is not None:
        decimals = _nonnegative_int(decimals, "decimals")
        row_decimals = np.full_like(row_decimals, decimals)
    if tol is not None:
        tol = _finite(tol, "tol")
    if isinstance(first_row, bool) or not isinstance(first_row, numbers.Integral):
        raise InputTypeError(f"first_row must be an integer, got {quote(first_row)}")
    expected, chained = _recompute(obj, rows, lr)
    steps = tuple(_step_row(obj, rows, expected, chained, row_decimals, tol, lr, k, first_row)
                  for k in range(1, len(rows)))
    loss_rows = _loss_rows(obj, losses, loss_decimals, rows, expected, chained, first_row)
    precision = (f"to within {tol:g}" if tol is not None else
                 f"rounded to {decimals} decimals" if decimals is not None else
                 "at the precision each value is printed with")
    return StepsReport(str(obj) if obj.name else f"{obj.label} = {obj}", obj.label, obj.names, lr,
                       tuple(float(v) for v in rows[0]), steps, loss_rows, precision,
                       int(first_row))


def _finite(value: Any, name: str) -> float:
    if isinstance(value, (bool, str)) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {quote(value)}")
    return float(value)


def _nonnegative_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise InputError(f"{name} must be an integer >= 0, got {quote(value)}")
    return int(value)


def _printed(value: Any, what: str) -> tuple[float, int]:
    """A published number and the decimals it is printed with."""
    if isinstance(value, bool):
        raise InputTypeError(f"{what} must be numbers, got {quote(value)}")
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
    elif isinstance(value, (numbers.Integral, np.integer)):
        text = str(int(value))
    elif isinstance(value, (numbers.Real, np.floating)):
        text = repr(float(value))
    else:
        raise InputTypeError(f"{what} must be numbers, got {type(value).__name__} "
                             f"{quote(value, 40)}")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise InputError(f"{what}: {quote(value)} is not a number") from None
    if not d.is_finite():
        raise InputError(f"{what}: {quote(value)} is not a finite number")
    return float(d), max(0, -int(d.as_tuple().exponent))


def _table(iterates: Any, n: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(iterates, np.ndarray):
        iterates = iterates.tolist()
    try:
        rows = [list(r.values()) if isinstance(r, Mapping) else list(r) for r in iterates]
    except TypeError:
        raise InputTypeError(f"{what} must be rows of numbers, got "
                             f"{type(iterates).__name__}") from None
    bad = [k for k, r in enumerate(rows) if len(r) != n]
    if bad:
        raise InputError(f"{what}: row {bad[0]} has {len(rows[bad[0]])} values; each row needs "
                         f"{n}, one per variable")
    parsed = [[_printed(v, what) for v in r] for r in rows]
    values = np.array([[v for v, _ in r] for r in parsed], dtype=float).reshape(-1, n)
    digits = np.array([[d for _, d in r] for r in parsed], dtype=int).reshape(-1, n)
    return values, digits


def _recompute(obj: Objective, rows: np.ndarray, lr: float) -> tuple[np.ndarray, np.ndarray]:
    expected = np.empty_like(rows)
    chained = np.empty_like(rows)
    expected[0] = chained[0] = rows[0]
    with np.errstate(all="ignore"):
        for k in range(1, len(rows)):
            expected[k] = rows[k - 1] - lr * obj.grad(rows[k - 1])
            chained[k] = chained[k - 1] - lr * obj.grad(chained[k - 1])
    return expected, chained


def _matches(value: np.ndarray, published: np.ndarray, digits: np.ndarray,
             tol: float | None) -> np.ndarray:
    """Does ``value`` round to ``published`` (or lie within ``tol``)?"""
    with np.errstate(all="ignore"):
        half = np.full(np.shape(value), tol) if tol is not None else 0.5 * 10.0 ** -digits
        slack = 1e-9 * half + 4 * _EPS * np.abs(published)
        return np.isfinite(value) & (np.abs(value - published) <= half + slack)


def _rounded(value: float, digits: int, tol: float | None) -> str:
    if not math.isfinite(value):
        return str(value)
    return number(value) if tol is not None else f"{value:.{digits}f}"


def _step_row(obj: Objective, rows: np.ndarray, expected: np.ndarray, chained: np.ndarray,
              digits: np.ndarray, tol: float | None, lr: float, k: int, first: int) -> StepRow:
    per = _matches(expected[k], rows[k], digits[k], tol)
    shown = tuple(_rounded(float(v), int(d), tol) for v, d in zip(expected[k], digits[k]))
    lr_range, implied = _implied_lr(obj, rows, digits, tol, k)
    return StepRow(first + k, tuple(map(float, rows[k])), tuple(map(float, expected[k])),
                   shown, bool(per.all()), tuple(bool(v) for v in per),
                   tuple(map(float, chained[k])),
                   bool(_matches(chained[k], rows[k], digits[k], tol).all()),
                   lr_range, implied)


def _implied_lr(obj: Objective, rows: np.ndarray, digits: np.ndarray, tol: float | None,
                k: int) -> tuple[tuple[float, float] | None, tuple[float | None, ...]]:
    """The learning rates that give row k from row k-1 (per variable, and together)."""
    prev, now = rows[k - 1], rows[k]
    g = obj.grad(prev)
    half = np.full(len(now), tol) if tol is not None else 0.5 * 10.0 ** -digits[k]
    low, high, implied = 0.0, math.inf, []
    for j in range(len(now)):
        if not (math.isfinite(g[j]) and g[j] != 0):
            implied.append(None)
            if abs(prev[j] - now[j]) > half[j]:
                low, high = math.inf, -math.inf
            continue
        implied.append(float((prev[j] - now[j]) / g[j]))
        a, b = sorted(((prev[j] - (now[j] + half[j])) / g[j],
                       (prev[j] - (now[j] - half[j])) / g[j]))
        low, high = max(low, a), min(high, b)
    lr_range = (float(low), float(high)) if low <= high and math.isfinite(high) else None
    return lr_range, tuple(implied)


def _loss_rows(obj: Objective, losses: Sequence[Any] | None, loss_decimals: int | None,
               rows: np.ndarray, expected: np.ndarray, chained: np.ndarray,
               first: int) -> tuple[LossRow, ...]:
    if losses is None:
        return ()
    values, digits = _table([[v] for v in losses], 1, "losses")
    values, digits = values[:, 0], digits[:, 0]
    if len(values) != len(rows):
        raise InputError(f"losses has {len(values)} values for {len(rows)} rows of iterates; "
                         "give one loss per row")
    if loss_decimals is not None:
        digits = np.full_like(digits, _nonnegative_int(loss_decimals, "loss_decimals"))
    out = []
    for k in range(len(rows)):
        at = [obj.value(p[k]) for p in (rows, expected, chained)]
        ok = [bool(_matches(np.array(v), np.array(values[k]), np.array(digits[k]), None))
              for v in at]
        out.append(LossRow(first + k, float(values[k]), *map(float, at), *ok))
    return tuple(out)
