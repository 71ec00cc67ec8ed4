"""Names: which are valid, which are reserved, and the symbols symgd makes of them.

A name is a Latin or Greek letter followed by letters, digits or ``_``
(no Greek letter drawn like a Latin one). Function names are reserved,
except those that are also ordinary symbols when not called (``gamma`` as a
step size); ``nan``, ``inf`` and friends are never names. ``e`` and ``pi``
are the constants unless declared otherwise.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import sympy as sp

from ..errors import InputError, InputTypeError
from .limits import MAX_NAME_LENGTH
from .registry import BARE_SYMBOL_NAMES, FUNCTIONS
from .tokens import NAME, confusable_at

__all__ = ["check_name", "make_symbol", "plain_symbol", "public", "is_made_symbol",
           "natural_key", "names_list", "CONSTANTS", "NOT_NUMBERS"]

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


def plain_symbol(name: str) -> sp.Symbol:
    """The symbol a user gets for ``name``: SymPy's plain ``Symbol(name)``, with
    no assumptions, exactly what ``sympy.symbols`` gives.

    >>> import sympy as sp
    >>> plain_symbol("x") == sp.symbols("x")
    True
    """
    return sp.Symbol(name)


def is_made_symbol(s: object) -> bool:
    """Whether ``s`` is a symbol made by :func:`make_symbol` (real, nothing else).

    >>> is_made_symbol(make_symbol("x")), is_made_symbol(plain_symbol("x"))
    (True, False)
    """
    return isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy) \
        and s == make_symbol(s.name)


def public(value: Any, to_user: Mapping[sp.Basic, sp.Basic] | None = None, *,
           keep_form: bool = False) -> Any:
    """``value`` as it is handed to a user: the real symbols symgd computes with
    replaced by the user's (``to_user``) or else by plain symbols of the same
    names, so that ``==``, ``subs``, ``diff`` and ``solve`` with
    ``sympy.symbols`` work. Tuples, lists and matrices are converted item by
    item; anything that is not SymPy comes back as it is.

    The conversion is a renaming: under real assumptions the expression was
    simplified for real values (``sign(x)`` for the derivative of ``|x|``),
    and with plain symbols it is the same function of real ``x``.
    ``keep_form`` rebuilds without evaluation, so that a displayed form
    (an unevaluated product in a derivation step) keeps its shape.

    >>> import sympy as sp
    >>> x = make_symbol("x")
    >>> public(sp.Abs(x).diff(x)) == sp.sign(sp.Symbol("x"))
    True
    >>> public((x**2, [2*x]))
    (x**2, [2*x])
    """
    if isinstance(value, (tuple, list)):
        return type(value)(public(v, to_user, keep_form=keep_form) for v in value)
    if isinstance(value, sp.MatrixBase):
        return value.applyfunc(lambda e: public(e, to_user, keep_form=keep_form))
    if not isinstance(value, sp.Basic):
        return value
    mapping = _public_map(value, to_user or {})
    if not mapping:
        return value
    return _renamed(value, mapping) if keep_form else value.xreplace(mapping)


_UNEVALUATED = (sp.Add, sp.Mul, sp.Pow, sp.Rel)


def _renamed(expr: sp.Basic, mapping: Mapping[sp.Basic, sp.Basic]) -> sp.Basic:
    """``expr`` with ``mapping`` applied and every changed sum, product, power
    or relation rebuilt unevaluated, so its shown form stays as it was."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = tuple(_renamed(a, mapping) for a in expr.args)
    if all(a is b for a, b in zip(args, expr.args)):
        return expr
    if isinstance(expr, _UNEVALUATED):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _public_map(expr: sp.Basic, to_user: Mapping[sp.Basic, sp.Basic]) -> dict:
    mapping: dict = {}
    for s in expr.atoms(sp.Symbol):       # also the variable of a Derivative
        if s in to_user:
            mapping[s] = to_user[s]
        elif is_made_symbol(s):
            mapping[s] = plain_symbol(s.name)
    for base in expr.atoms(sp.IndexedBase):
        if base.assumptions0 and base.assumptions0.get("real") and is_made_symbol(base.label):
            mapping[base] = sp.IndexedBase(base.label.name)
    return mapping


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
