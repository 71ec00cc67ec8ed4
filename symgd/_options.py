"""The one check of numeric options: type, finiteness, range, whole numbers.

Every public function that takes a number (``lr``, ``tol``, ``beta``,
``decay``, ``dpi``, ``fps``, ``frames``...) checks it here before any work,
so that a bad value gives one :class:`~symgd.errors.InputError` (or
:class:`~symgd.errors.InputTypeError`) naming the option and what it
accepts, never a raw ``OverflowError``, ``ValueError`` or a NumPy warning
later in the run. The command line's messages name the flag instead (see
:mod:`symgd.cli.flags`).

What is accepted as a number: ``int`` (any size that fits a float64),
``float``, NumPy real scalars and 0-d real arrays, ``fractions.Fraction`` and
``decimal.Decimal`` (finite ones). Refused: ``bool``, text, complex numbers,
NaN and infinities (unless ``infinite=True``), signalling NaNs, and integers
beyond the float64 range.
"""

from __future__ import annotations

import decimal
import fractions
import math
import numbers
from typing import Any, Callable

import numpy as np

from .errors import InputError, InputTypeError

__all__ = ["real", "integer", "function", "seed", "MAX_INTEGER", "MAX_SEED"]

#: The largest whole-number option symgd accepts (iterations, epochs, frames...).
MAX_INTEGER = 10 ** 12
#: The largest random seed (NumPy takes any non-negative integer; this keeps it short).
MAX_SEED = 2 ** 64 - 1


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def real(value: object, name: str, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False, infinite: bool = False,
         accepts: str | None = None) -> float:
    """``value`` as a float, or an error naming ``name`` and what it accepts.

    ``low``/``high`` bound it (closed unless ``low_open``/``high_open``);
    ``infinite`` lets ``±inf`` through; ``accepts`` (``"a positive number"``)
    replaces the generated description in messages.

    >>> real(0.5, "beta", low=0, high=1, high_open=True)
    0.5
    >>> real(10**400, "lr")
    Traceback (most recent call last):
    ...
    symgd.errors.InputError: lr must be a finite number, got 1000000000000000000000000000000000000...: it is beyond the float64 range (about 1.8e308)
    >>> real("abc", "decay", low=0)
    Traceback (most recent call last):
    ...
    symgd.errors.InputTypeError: decay must be a number, 0 or more, got text 'abc'
    """
    wanted = accepts or ("a finite number" + _range_text(low, high, low_open, high_open)
                         if not infinite else "a number" + _range_text(low, high, low_open,
                                                                       high_open))
    typed = accepts or ("a number" + _range_text(low, high, low_open, high_open))
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be {typed}, got {value!r}")
    if isinstance(value, str):
        raise InputTypeError(f"{name} must be {typed}, got text {_shown(value)}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (complex, np.complexfloating)):
        raise InputTypeError(f"{name} must be {typed}, got the complex number {value!r}")
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            raise InputError(f"{name} must be {wanted}, got {value!r}")
    elif not isinstance(value, (numbers.Real, np.integer, np.floating)):
        raise InputTypeError(f"{name} must be {typed}, got "
                             f"{type(value).__name__} {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    except (TypeError, ValueError, decimal.InvalidOperation):
        raise InputTypeError(f"{name} must be {typed}, got {_shown(value)}") from None
    if math.isinf(number) and isinstance(value, (int, np.integer, fractions.Fraction,
                                                 decimal.Decimal)) \
            and not (isinstance(value, decimal.Decimal) and value.is_infinite()):
        raise InputError(f"{name} must be {wanted}, got {_shown(value)}: it is beyond the "
                         "float64 range (about 1.8e308)")
    if math.isnan(number) or (math.isinf(number) and not infinite):
        raise InputError(f"{name} must be {wanted}, got {_shown(value)}")
    if low is not None and (number < low or (low_open and number == low)) or \
            high is not None and (number > high or (high_open and number == high)):
        raise InputError(f"{name} must be {wanted}, got {_shown(value)}")
    return number


def _range_text(low: float | None, high: float | None, low_open: bool,
                high_open: bool) -> str:
    """``", 0 or more"``, ``" > 0"``, ``" in [0, 1)"``, or ``""``."""
    if low is None and high is None:
        return ""
    if high is None:
        return f" > {low:g}" if low_open else (", 0 or more" if low == 0 else
                                               f" >= {low:g}")
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    lo = "-inf" if low is None else f"{low:g}"
    return f" in {left}{lo}, {high:g}{right}"


def integer(value: object, name: str, *, low: int | None = 0,
            high: int | None = MAX_INTEGER) -> int:
    """``value`` as an int in ``[low, high]``, or an error naming ``name``.

    Floats that are whole numbers (``1e4``) are accepted.

    >>> integer(1e4, "max_iter")
    10000
    >>> integer(10**400, "max_iter")
    Traceback (most recent call last):
    ...
    symgd.errors.InputError: max_iter must be a whole number from 0 to 1000000000000, got 1000000000000000000000000000000000000...
    """
    span = f" from {low} to {high}" if low is not None and high is not None else \
        f", {low} or more" if low is not None else ""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, str):
        raise InputTypeError(f"{name} must be a whole number{span}, got {_shown(value)}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (numbers.Integral, np.integer)):
        whole = int(value)
    elif isinstance(value, (float, np.floating, decimal.Decimal, fractions.Fraction)):
        try:
            finite = math.isfinite(float(value))
        except (OverflowError, ValueError, decimal.InvalidOperation):
            finite = False
        if not finite or value != int(value):
            raise InputError(f"{name} must be a whole number{span}, got {_shown(value)}")
        whole = int(value)
    else:
        raise InputTypeError(f"{name} must be a whole number{span}, got "
                             f"{type(value).__name__} {_shown(value)}")
    if (low is not None and whole < low) or (high is not None and whole > high):
        raise InputError(f"{name} must be a whole number{span}, got {_shown(value)}")
    return whole


def seed(value: object, name: str = "seed") -> int:
    """A random seed: a whole number from 0 to :data:`MAX_SEED`.

    >>> seed(7)
    7
    """
    return integer(value, name, low=0, high=MAX_SEED)


def function(value: object, name: str) -> Callable[..., Any] | None:
    """``value`` if it is callable (or None), else an error naming ``name``.

    >>> function(print, "callback") is print
    True
    >>> function(5, "callback")
    Traceback (most recent call last):
    ...
    symgd.errors.InputTypeError: callback must be a function (or None), got int 5
    """
    if value is None or callable(value):
        return value  # type: ignore[return-value]
    raise InputTypeError(f"{name} must be a function (or None), got "
                         f"{type(value).__name__} {_shown(value)}")
