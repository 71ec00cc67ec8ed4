"""Safe parsing of mathematical text into SymPy expressions.

User text is never given to ``eval``, ``sympify`` or ``parse_expr``. It is
read in three stages, each of which can only reject:

1. a tokenizer that accepts a fixed set of characters (digits, Latin and
   Greek letters, arithmetic signs, parentheses, commas and one ``=``) and
   turns the notation people type (``x²``, ``2x``, ``xy``, ``sin x``,
   ``|x|``, ``−``, ``×``, ``·``, ``÷``, ``^``) into explicit tokens;
2. Python's :func:`ast.parse` on a rewritten string in which every name and
   number is a placeholder, so Python keywords and Unicode never reach it;
3. a walker that accepts only numbers, names, ``+ - * / **``, unary signs
   and calls of the functions in :data:`symgd.expr.registry.FUNCTIONS`, and
   builds the SymPy expression while bounding nesting and number sizes.

This module holds the entry points and the reading of a ``name =``
left-hand side; the stages are :mod:`~symgd.expr.tokens`,
:mod:`~symgd.expr.notation` and :mod:`~symgd.expr.build`, the limits
:mod:`~symgd.expr.limits`.

:func:`parse` hands back SymPy's plain symbols (``sympy.Symbol(name)``, as
``sympy.symbols`` makes them); inside symgd, :func:`parse_definition` gives
real symbols, with which ``|x|`` and ``sqrt(x^2)`` are simplified for real
values. ``e`` and ``pi`` (or ``π``) are the
constants unless they are declared as variables or constants. Decimal
numbers are kept exact (``0.1`` is ``1/10``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import sympy as sp

from ..errors import InputError, InputTypeError, ParseError
from .build import build
from .limits import MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, MAX_NAME_LENGTH, MAX_NUMBER_BITS
from .names import NOT_NUMBERS, check_name, make_symbol, names_list, natural_key, public
from .letters import check_token_name, resolve_names
from .notation import (apply_functions, check_sequence, expand_superscripts, insert_products,
                       read_bars, wrap_roots)
from .numbers import constant_values, exact_number, float_number, has_float_value
from .latex import SYNTAXES, looks_like_latex, read_latex
from .registry import FUNCTIONS
from .tokens import Token, tokenize

__all__ = ["parse", "parse_real", "parse_definition", "Definition", "make_symbol", "split_top_level",
           "check_name", "exact_number", "float_number", "constant_values", "names_list",
           "natural_key", "has_float_value", "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT",
           "MAX_NUMBER_BITS", "MAX_NAME_LENGTH"]



@dataclass(frozen=True)
class Definition:
    """What :func:`parse_definition` read from ``name(args) = expression``.

    Attributes
    ----------
    expr : sympy.Expr
        The right-hand side.
    name : str or None
        The left-hand side's name (``"z"`` in ``"z = x^2"``), if any.
    arguments : tuple of str or None
        The argument names of ``f(x, y) = ...``: an explicit variable order.
    """

    expr: sp.Expr
    name: str | None = None
    arguments: tuple[str, ...] | None = None


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split ``text`` at ``sep`` outside parentheses and brackets, stripped.

    >>> split_top_level("2x + y, atan2(y, x), [1, 2]")
    ['2x + y', 'atan2(y, x)', '[1, 2]']
    """
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:k].strip())
            start = k + 1
    parts.append(text[start:].strip())
    return parts


def parse(text: str, *, variables: Iterable[object] | None = None,
          constants: Mapping[str, object] | None = None, syntax: str = "auto") -> sp.Expr:
    r"""Parse mathematical text into a SymPy expression, safely.

    Parameters
    ----------
    text : str
        For example ``"x² + xy + y²"``, ``"z = 2x^2 - 3(x+1)"`` or
        ``"sin(x)·exp(y)"``. An optional ``name =`` left-hand side is
        dropped (see :func:`parse_definition` to keep it).
    variables : iterable of str, optional
        Names that are variables. They decide how products of letters are
        read (``xy`` is ``x*y`` when ``x`` and ``y`` are variables) and stop
        ``e`` or ``pi`` from meaning the constants.
    constants : mapping of str to number, optional
        Names replaced by exact numbers, e.g. ``{"a": 2.5}``.
    syntax : {"auto", "plain", "latex"}, optional
        ``"latex"`` reads LaTeX (``\frac{x^2}{2} + \sin y``, see
        :mod:`symgd.expr.latex`); ``"auto"`` (the default) reads LaTeX when the
        text has a backslash, plain text otherwise.

    Returns
    -------
    sympy.Expr
        The expression, in SymPy's plain symbols: ``parse("2x + y") == 2*x + y``
        with ``x, y = sympy.symbols("x y")``.

    Raises
    ------
    ParseError
        With the input, the column and a hint, for anything that is not a
        valid expression.

    Examples
    --------
    >>> parse("x² + xy + y²")
    x**2 + x*y + y**2
    >>> parse("2x(y+1) - 3·sin(x)^2")
    2*x*(y + 1) - 3*sin(x)**2
    >>> parse("a*x^2", constants={"a": 2.5})
    5*x**2/2
    >>> parse("e^x + gamma*lambda")
    gamma*lambda + exp(x)
    >>> parse(r"\frac{x^2}{2} + \sin y")
    x**2/2 + sin(y)
    """
    return public(parse_real(text, variables=variables, constants=constants, syntax=syntax))


def parse_real(text: str, *, variables: Iterable[object] | None = None,
               constants: Mapping[str, object] | None = None, syntax: str = "auto") -> sp.Expr:
    """:func:`parse`, keeping symgd's real symbols (for use inside symgd).

    >>> parse_real("x^2").free_symbols == {make_symbol("x")}
    True
    """
    return parse_definition(text, variables=variables, constants=constants,
                            syntax=syntax).expr


def parse_definition(text: str, *, variables: Iterable[object] | None = None,
                     constants: Mapping[str, object] | None = None,
                     syntax: str = "auto") -> Definition:
    r"""Parse ``[name[(args)] =] expression`` and keep the left-hand side.

    ``syntax`` is as in :func:`parse`.

    >>> d = parse_definition("f(y, x) = x^2 + 3y")
    >>> d.name, d.arguments, d.expr
    ('f', ('y', 'x'), x**2 + 3*y)
    >>> parse_definition(r"f(x, y) = \frac{x}{y}", syntax="latex").arguments
    ('x', 'y')

    A ParseError's ``suggestions`` are whole inputs that parse (with the same
    ``variables`` and ``constants``); a spelling that would not is dropped.
    """
    try:
        return _definition(text, variables, constants, syntax)
    except ParseError as err:
        kept = tuple(s for s in err.suggestions if _parses(s, variables, constants))
        if kept == err.suggestions:
            raise
        raise ParseError(err.reason, err.text, err.position, err.hint, kept) from None


def _parses(text: str, variables: Iterable[object] | None,
            constants: Mapping[str, object] | None) -> bool:
    """True when a suggested spelling (plain syntax, or LaTeX where it has a
    backslash command) parses."""
    try:
        _definition(text, variables, constants, "auto")
        return True
    except ParseError:
        return False


def _definition(text: str, variables: Iterable[object] | None,
                constants: Mapping[str, object] | None, syntax: str = "auto") -> Definition:
    if not isinstance(text, str):
        raise InputTypeError(
            f"an expression must be given as a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the input is {len(text)} characters long",
                         text[:60], hint=f"symgd reads at most {MAX_LENGTH} characters")
    # ---- LaTeX input: translated to plain syntax, then read as below
    if syntax not in SYNTAXES:
        raise InputError(f"syntax must be one of {', '.join(map(repr, SYNTAXES))}, "
                         f"got {syntax!r}")
    if syntax == "latex" or syntax == "auto" and looks_like_latex(text):
        names = [check_name(v, "variable") for v in names_list(variables)]
        return read_latex(text, names, constant_values(constants),  # type: ignore[return-value]
                          _plain_definition)
    return _plain_definition(text, variables=variables, constants=constants)


def _plain_definition(text: str, *, variables: Iterable[object] | None,
                      constants: Mapping[str, object] | None) -> Definition:
    declared = [check_name(v, "variable") for v in names_list(variables)]
    values = constant_values(constants)
    tokens = tokenize(text)
    lhs, rhs = _split_definition(tokens, text)
    name, arguments = _read_lhs(lhs, text)
    declared += list(arguments or ())
    clash = set(declared) & set(values)
    if clash:
        raise InputError(f"{sorted(clash)[0]!r} is both a variable and a constant; "
                         "give it in only one of them")
    if name is not None and any(t.kind == "name" and t.text == name for t in rhs):
        at = next(t.pos for t in rhs if t.kind == "name" and t.text == name)
        raise ParseError(f"{name!r} is defined in terms of itself", text, at,
                         "use another name on the left, e.g. L = ...")
    tokens = resolve_names(wrap_roots(rhs, text), text, set(declared), values)
    tokens = expand_superscripts(read_bars(tokens, text), text)
    tokens = insert_products(apply_functions(tokens, text), text)
    check_sequence(tokens, text)
    expr = build(tokens, text, values)
    return Definition(expr, name, arguments)



# ------------------------------------------------------ left-hand side "z ="

def _split_definition(tokens: list[Token], text: str) -> tuple[list[Token], list[Token]]:
    equals = [k for k, t in enumerate(tokens) if t.kind == "="]
    if not equals:
        return [], tokens
    if len(equals) > 1:
        second = tokens[equals[1]]
        hint = ("comparisons are not supported" if equals[1] == equals[0] + 1
                else "give one expression, optionally named: z = x^2 + y^2")
        raise ParseError("more than one '='", text, second.pos, hint)
    k = equals[0]
    if k == 0:
        raise ParseError("nothing before '='", text, tokens[0].pos,
                         "write a name such as z = ..., or drop the '='")
    if k == len(tokens) - 1:
        raise ParseError("nothing after '='", text, tokens[k].pos,
                         "write the expression after '=': z = x^2 + y^2")
    return tokens[:k], tokens[k + 1:]


def _read_lhs(lhs: list[Token], text: str) -> tuple[str | None, tuple[str, ...] | None]:
    if not lhs:
        return None, None
    hint = ("the left side of '=' must be a name such as z or f(x, y); "
            "symgd minimizes an expression, it does not solve equations")
    kinds = [t.kind for t in lhs]
    if kinds == ["name"]:
        return _lhs_name(lhs[0], text, hint), None
    if len(lhs) >= 4 and kinds[:2] == ["name", "("] and kinds[-1] == ")":
        inner = lhs[2:-1]
        names = inner[0::2]
        commas = inner[1::2]
        if all(t.kind == "name" for t in names) and all(t.kind == "," for t in commas) \
                and len(inner) % 2 == 1:
            args = tuple(_lhs_name(t, text, hint) for t in names)
            if len(set(args)) != len(args):
                raise ParseError("an argument is repeated on the left of '='",
                                 text, lhs[0].pos, "name each variable once: f(x, y) = ...")
            return _lhs_name(lhs[0], text, hint), args
    raise ParseError("this is not a name", text, lhs[0].pos, hint)


def _lhs_name(token: Token, text: str, hint: str) -> str:
    if token.kind != "name" or token.text in FUNCTIONS or token.text in NOT_NUMBERS:
        raise ParseError(f"{token.text!r} cannot be defined here", text, token.pos, hint)
    check_token_name(token, text)
    return token.text

