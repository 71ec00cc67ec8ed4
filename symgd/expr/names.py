"""Names: which are valid, which are reserved, and the symbols symgd makes of them.

A name is a Latin or Greek letter followed by letters, digits or ``_``
(no Greek letter drawn like a Latin one). Function names are reserved,
except those that are also ordinary symbols when not called (``gamma`` as a
step size); ``nan``, ``inf`` and friends are never names. ``e`` and ``pi``
are the constants unless declared otherwise.
"""

from __future__ import annotations

import re

import sympy as sp

from ..errors import InputError, InputTypeError
from .limits import MAX_NAME_LENGTH
from .registry import BARE_SYMBOL_NAMES, FUNCTIONS
from .tokens import NAME, confusable_at

__all__ = ["check_name", "make_symbol", "natural_key", "names_list", "CONSTANTS",
           "NOT_NUMBERS"]

#: Names of numbers symgd refuses (it works with finite reals).
NOT_NUMBERS = frozenset({"nan", "NaN", "inf", "Inf", "infinity", "Infinity", "oo", "zoo"})
#: The constants a name means unless it is declared a variable or a constant.
CONSTANTS = {"pi": sp.pi, "e": sp.E}


def make_symbol(name: str) -> sp.Symbol:
    """The real SymPy symbol symgd uses for ``name``.

    >>> make_symbol("x").is_real
    True
    """
    return sp.Symbol(name, real=True)


def check_name(name: object, what: str = "name") -> str:
    """Return ``name`` if it is a valid symgd name, else raise InputError.

    >>> check_name("w1")
    'w1'
    """
    if isinstance(name, sp.Symbol):
        name = name.name
    if not isinstance(name, str):
        raise InputTypeError(f"{what} must be a string, got {type(name).__name__} {name!r}")
    if not NAME.match(name) or len(name) > MAX_NAME_LENGTH or confusable_at(name) is not None:
        raise InputError(
            f"{what} {name!r} is not a valid name: use a letter followed by "
            f"letters, digits or '_' (at most {MAX_NAME_LENGTH} characters; no Greek "
            "letter that looks like a Latin one)")
    if name in NOT_NUMBERS or name in FUNCTIONS and name not in BARE_SYMBOL_NAMES:
        raise InputError(f"{what} {name!r} is reserved: choose another name")
    return name


def natural_key(name: str) -> tuple:
    """Sort key that puts ``x2`` before ``x10``.

    >>> sorted(["x10", "x2", "b", "x1"], key=natural_key)
    ['b', 'x1', 'x2', 'x10']
    """
    return tuple((0, int(p)) if p.isdigit() else (1, p)
                 for p in re.split(r"(\d+)", name) if p)


def names_list(variables: object) -> list[object]:
    """``"x, y"``, ``("x", "y")`` or symbols -> a list; anything else is an error.

    The items are not checked (see :func:`check_name`).

    >>> names_list("x, y z"), names_list(None)
    (['x', 'y', 'z'], [])
    """
    if variables is None:
        return []
    if isinstance(variables, str):
        return [p for p in re.split(r"[\s,]+", variables) if p]
    if isinstance(variables, sp.Symbol):
        return [variables]
    try:
        return list(variables)  # type: ignore[call-overload]
    except TypeError:
        raise InputTypeError(f"variables must be names such as ('x', 'y') or 'x, y', got "
                             f"{type(variables).__name__} {variables!r:.40}") from None
