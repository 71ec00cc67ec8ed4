"""User-given numbers made exact, and the check that they fit in a float64.

Floats are read by their shortest decimal form (``0.1`` is ``1/10``), text
by the safe parser; every number must be finite, real and within float64's
range, because the compiled objective computes in float64.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from numbers import Real
from typing import Mapping

import sympy as sp

from ..errors import InputError, InputTypeError, truncated
from .limits import MAX_NUMBER_BITS
from .names import check_name

__all__ = ["exact_number", "float_number", "constant_values", "has_float_value"]


def exact_number(value: object, what: str = "value") -> sp.Expr:
    """An exact SymPy number for a user-given numeric value.

    Floats are read by their shortest decimal form, so ``0.1`` is ``1/10``.

    >>> exact_number(2.5), exact_number(0.1), exact_number("1/3")
    (5/2, 1/10, 1/3)
    """
    if isinstance(value, bool):
        raise InputTypeError(f"{what} must be a number, got {value!r}")
    if isinstance(value, str):
        from .parse import parse     # the parser reads constants with this module
        number = parse(value)
        if number.free_symbols:
            raise InputError(f"{what} {value!r} must be a number, not an expression "
                             "with names")
        return _checked_size(number, what)
    if isinstance(value, sp.Expr):
        number = value
    elif isinstance(value, (int, Fraction)):
        number = sp.Rational(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError(f"{what} must be a finite number, got {value!r}")
        number = sp.Rational(str(value))
    elif isinstance(value, Real):
        if value != value or abs(float(value)) == float("inf"):
            raise InputError(f"{what} must be a finite number, got {value!r}")
        number = sp.Rational(repr(float(value)))
    else:
        raise InputTypeError(f"{what} must be a number, got {type(value).__name__} {value!r}")
    if number.free_symbols or not number.is_finite or number.is_real is not True:
        raise InputError(f"{what} must be a finite real number, got {value!r}")
    return _checked_size(number, what)


def float_number(value: object, what: str = "value") -> float:
    """:func:`exact_number` as a float64, refusing values that overflow it.

    >>> float_number("1/4"), float_number("exp(-1)") > 0.36
    (0.25, True)
    """
    return float(exact_number(value, what))


def constant_values(constants: Mapping[str, object] | None) -> dict[str, sp.Expr]:
    """The checked names and exact values of a ``constants=`` mapping.

    >>> constant_values({"a": 2.5, "b": "1/3"})
    {'a': 5/2, 'b': 1/3}
    """
    if constants is None:
        return {}
    if not isinstance(constants, Mapping):
        raise InputTypeError("constants must be a mapping such as {'a': 2.5}, "
                             f"got {type(constants).__name__}")
    return {check_name(k, "constant"): exact_number(v, f"constant {k!r}")
            for k, v in constants.items()}


def has_float_value(number: sp.Expr) -> bool:
    """Whether a constant expression has a finite float64 value.

    >>> has_float_value(sp.exp(700)), has_float_value(sp.exp(710))
    (True, False)
    """
    try:
        return math.isfinite(float(number.evalf(30)))
    except (OverflowError, TypeError, ValueError, ZeroDivisionError, RecursionError):
        return False


def _checked_size(number: sp.Expr, what: str) -> sp.Expr:
    if isinstance(number, sp.Rational):
        bits = max(abs(number.p).bit_length(), number.q.bit_length())
        if bits > MAX_NUMBER_BITS:
            raise InputError(f"{what} is outside the range of float64 (an exact number of "
                             f"{bits} bits; symgd keeps numbers between ~1e-308 and ~1e308)")
        return number
    if not has_float_value(number):
        raise InputError(f"{what} {truncated(number)} has no float64 value (it overflows or "
                         "cannot be evaluated); symgd keeps numbers between ~1e-308 and "
                         "~1e308")
    return number
