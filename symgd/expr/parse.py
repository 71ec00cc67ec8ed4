"""Safe parsing of mathematical text into SymPy expressions.

User text is never given to ``eval``, ``sympify`` or ``parse_expr``. It is
read in three stages, each of which can only reject:

1. a tokenizer that accepts a fixed set of characters (digits, Latin and
   Greek letters, arithmetic signs, parentheses, commas and one ``=``) and
   turns the notation people type (``x²``, ``2x``, ``xy``, ``−``, ``×``,
   ``·``, ``÷``, ``^``) into explicit tokens;
2. Python's :func:`ast.parse` on a rewritten string in which every name and
   number is a placeholder, so Python keywords and Unicode never reach it;
3. a walker that accepts only numbers, names, ``+ - * / **``, unary signs
   and calls of the functions in :data:`symgd.functions.FUNCTIONS`, and
   builds the SymPy expression while bounding nesting and number sizes.

Every variable is a real SymPy symbol. ``e`` and ``pi`` (or ``π``) are the
constants unless they are declared as variables or constants. Decimal
numbers are kept exact (``0.1`` is ``1/10``).
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Real
from typing import Iterable, Mapping

import sympy as sp

from ..errors import InputError, InputTypeError, ParseError, truncated
from .registry import BARE_SYMBOL_NAMES, FUNCTIONS

__all__ = ["parse", "parse_definition", "Definition", "make_symbol", "split_top_level",
           "check_name", "exact_number", "MAX_LENGTH", "MAX_DEPTH",
           "MAX_EXPONENT", "MAX_NUMBER_BITS"]

MAX_LENGTH = 10_000      # characters of input
MAX_DEPTH = 64           # nested parentheses, calls, powers and signs
MAX_EXPONENT = 1_000     # largest |n| in x**n when n is a number
MAX_NUMBER_BITS = 1_024  # numerators and denominators within float64's range (~1.8e308)
MAX_NAME_LENGTH = 64

_WHITESPACE = " \t\n\r\u00a0\u2009\u202f"
_DIGITS = "0123456789"
_OPERATORS = {
    "+": "+", "-": "-", "*": "*", "/": "/", "^": "**",
    "\u2212": "-", "\u2013": "-",                       # minus sign, en dash
    "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2219": "*",  # × · ⋅ ∙
    "\u00f7": "/", "\u2215": "/",                       # ÷ ∕
}
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5",
                 "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+"}
_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_NAME_CHAR = re.compile(r"[A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]")
_NAME = re.compile(r"[A-Za-z\u0391-\u03a9\u03b1-\u03c9][A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]*\Z")
_NOT_NUMBERS = {"nan", "NaN", "inf", "Inf", "infinity", "Infinity", "oo", "zoo"}
_CONSTANTS = {"pi": sp.pi, "e": sp.E}
# SymPy evaluates these exactly on numbers (gamma(n) is a factorial): bound them.
_FACTORIAL_LIKE = frozenset({"gamma", "beta"})
# Names never split into a product of letters (xy -> x*y applies to others).
_WORDS = frozenset(FUNCTIONS) | frozenset(_CONSTANTS) | frozenset("""
    alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi
    omicron rho sigma tau upsilon phi chi psi omega""".split())
_CHAR_HINTS = {
    "[": "use parentheses ( ) for grouping; indexing is not supported",
    "]": "use parentheses ( ) for grouping; indexing is not supported",
    "{": "use parentheses ( ) for grouping", "}": "use parentheses ( ) for grouping",
    ".": "attribute access is not allowed; a '.' may only appear inside a number",
    "'": "strings are not allowed", '"': "strings are not allowed",
    ";": "give a single expression", ":": "give a single expression",
    "<": "comparisons are not supported; give the expression to minimize",
    ">": "comparisons are not supported; give the expression to minimize",
    "!": "factorials and comparisons are not supported",
    "%": "the modulo operator is not supported",
    "@": "matrix products are not supported", "_": "names must start with a letter",
    "\\": "LaTeX input is not supported; write x^2/2 instead of \\frac{x^2}{2}",
}


@dataclass(frozen=True)
class _Token:
    kind: str      # "num", "name", "op", "(", ")", ",", "=", "sup"
    text: str      # normalized: "**" for "^", "-" for "−", digits for "²"
    pos: int       # index of the first character in the original text
    spaced: bool   # whitespace right before the token


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
    if not _NAME.match(name) or len(name) > MAX_NAME_LENGTH or _confusable_at(name) is not None:
        raise InputError(
            f"{what} {name!r} is not a valid name: use a letter followed by "
            f"letters, digits or '_' (at most {MAX_NAME_LENGTH} characters; no Greek "
            "letter that looks like a Latin one)")
    if name in _NOT_NUMBERS or name in FUNCTIONS and name not in BARE_SYMBOL_NAMES:
        raise InputError(f"{what} {name!r} is reserved: choose another name")
    return name


def _names_list(variables: object) -> list[object]:
    """``"x, y"``, ``("x", "y")`` or symbols -> a list; anything else is an error."""
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
          constants: Mapping[str, object] | None = None) -> sp.Expr:
    """Parse mathematical text into a SymPy expression, safely.

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

    Returns
    -------
    sympy.Expr
        The expression, with real symbols.

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
    """
    return parse_definition(text, variables=variables, constants=constants).expr


def parse_definition(text: str, *, variables: Iterable[object] | None = None,
                     constants: Mapping[str, object] | None = None) -> Definition:
    """Parse ``[name[(args)] =] expression`` and keep the left-hand side.

    >>> d = parse_definition("f(y, x) = x^2 + 3y")
    >>> d.name, d.arguments, d.expr
    ('f', ('y', 'x'), x**2 + 3*y)
    """
    if not isinstance(text, str):
        raise InputTypeError(
            f"an expression must be given as a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the input is {len(text)} characters long",
                         text[:60], hint=f"symgd reads at most {MAX_LENGTH} characters")
    declared = [check_name(v, "variable") for v in _names_list(variables)]
    values = _constant_values(constants)
    tokens = _tokenize(text)
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
                         f"use another name on the left, e.g. L = ...")
    tokens = _expand_superscripts(_wrap_roots(rhs, text), text)
    tokens = _resolve_names(tokens, text, set(declared), values)
    tokens = _insert_products(tokens, text)
    _check_sequence(tokens, text)
    expr = _Builder(tokens, text, values).build()
    return Definition(expr, name, arguments)


# ---------------------------------------------------------------- tokenizer

def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n, spaced = 0, len(text), False
    while i < n:
        ch = text[i]
        if ch in _WHITESPACE:
            i, spaced = i + 1, True
            continue
        token, i = _read_token(text, i, spaced)
        tokens.append(token)
        spaced = False
    return tokens


def _read_token(text: str, i: int, spaced: bool) -> tuple[_Token, int]:
    ch = text[i]
    if ch in _DIGITS or ch == "." and text[i + 1:i + 2] in _DIGITS and i + 1 < len(text):
        m = _NUMBER.match(text, i)
        _check_number_end(text, m)
        return _Token("num", m.group(0), i, spaced), m.end()
    if ch == "π":
        return _Token("name", "pi", i, spaced), i + 1
    if ch == "√":
        return _Token("name", "sqrt", i, spaced), i + 1
    if _NAME_CHAR.match(ch) and not ch.isdigit() and ch != "_":
        j = i
        while j < len(text) and _NAME_CHAR.match(text[j]) and text[j] != "π":
            j += 1
        k = _confusable_at(text[i:j])
        if k is not None:
            ch = text[i + k]
            raise ParseError(f"{ch!r} ({_CONFUSABLE[ch]}) looks exactly like the Latin "
                             f"letter {_LATIN_TWIN[ch]!r}", text, i + k,
                             f"type the Latin letter {_LATIN_TWIN[ch]!r}")
        return _Token("name", text[i:j], i, spaced), j
    if text.startswith("**", i):
        return _Token("op", "**", i, spaced), i + 2
    if ch in _OPERATORS:
        return _Token("op", _OPERATORS[ch], i, spaced), i + 1
    if ch in "(),=":
        return _Token(ch, ch, i, spaced), i + 1
    if ch in _SUPERSCRIPTS:
        j = i
        while j < len(text) and text[j] in _SUPERSCRIPTS:
            j += 1
        sup = "".join(_SUPERSCRIPTS[c] for c in text[i:j])
        return _Token("sup", sup, i, spaced), j
    raise _bad_character(text, i)


_RADIX_LITERAL = re.compile(r"[xXbBoO][0-9A-Fa-f]")


def _check_number_end(text: str, m: re.Match[str]) -> None:
    """Refuse ``0x10``, ``0b1`` and ``1e``: read as ``0*x10`` or ``1*e``
    they would silently mean something else than what was typed."""
    end = m.end()
    if m.group(0) == "0" and _RADIX_LITERAL.match(text, end):
        raise ParseError("hexadecimal, binary and octal literals are not supported", text,
                         m.start(), "write the number in decimal, or 0*x10 for a product")
    after = text[end + 1:end + 2]
    if (m.group(2) is None and text[end:end + 1] in ("e", "E")
            and not (after.isalnum() or after == "_")):
        raise ParseError(f"'{text[m.start():end + 1]}' is a number with an 'e' but no "
                         "exponent", text, m.start(),
                         f"write {m.group(0)}e3 for {m.group(0)}×10³, or "
                         f"{m.group(0)}*e for {m.group(0)} times Euler's number")


# Greek letters drawn exactly like a Latin letter: as names they would be a
# second variable that prints like the first.
_CONFUSABLE = {ch: unicodedata.name(ch).title().replace("Letter ", "")
               for ch in "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο"}
_LATIN_TWIN = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο", "ABEZHIKMNOPTYXo"))


def _confusable_at(name: str) -> int | None:
    return next((k for k, ch in enumerate(name) if ch in _CONFUSABLE), None)


def _bad_character(text: str, i: int) -> ParseError:
    ch = text[i]
    name = unicodedata.name(ch, f"U+{ord(ch):04X}")
    if ch in _CHAR_HINTS:
        return ParseError(f"unexpected character {ch!r}", text, i, _CHAR_HINTS[ch])
    if ch.isalpha() or ch.isdigit():
        return ParseError(
            f"character {ch!r} ({name}) is not allowed in names", text, i,
            "type names with Latin or Greek letters, digits and '_' "
            "(a look-alike letter from another alphabet is a different character)")
    return ParseError(f"unexpected character {ch!r} ({name})", text, i,
                      "use numbers, names, + - * / ^, parentheses and function calls")


# ------------------------------------------------------ left-hand side "z ="

def _split_definition(tokens: list[_Token], text: str) -> tuple[list[_Token], list[_Token]]:
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


def _read_lhs(lhs: list[_Token], text: str) -> tuple[str | None, tuple[str, ...] | None]:
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


def _lhs_name(token: _Token, text: str, hint: str) -> str:
    if token.kind != "name" or token.text in FUNCTIONS or token.text in _NOT_NUMBERS:
        raise ParseError(f"{token.text!r} cannot be defined here", text, token.pos, hint)
    _check_token_name(token, text)
    return token.text


def _check_token_name(token: _Token, text: str) -> None:
    if len(token.text) > MAX_NAME_LENGTH:
        raise ParseError(f"a name is {len(token.text)} characters long", text,
                         token.pos, f"names have at most {MAX_NAME_LENGTH} characters")
    if token.text in _NOT_NUMBERS:
        raise ParseError(f"{token.text!r} is not a number symgd accepts", text, token.pos,
                         "symgd works with finite real numbers")


# ------------------------------------------------------------- constants

def exact_number(value: object, what: str = "value") -> sp.Expr:
    """An exact SymPy number for a user-given numeric value.

    Floats are read by their shortest decimal form, so ``0.1`` is ``1/10``.

    >>> exact_number(2.5), exact_number(0.1), exact_number("1/3")
    (5/2, 1/10, 1/3)
    """
    if isinstance(value, bool):
        raise InputTypeError(f"{what} must be a number, got {value!r}")
    if isinstance(value, str):
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


def _constant_values(constants: Mapping[str, object] | None) -> dict[str, sp.Expr]:
    if constants is None:
        return {}
    if not isinstance(constants, Mapping):
        raise InputTypeError("constants must be a mapping such as {'a': 2.5}, "
                             f"got {type(constants).__name__}")
    return {check_name(k, "constant"): exact_number(v, f"constant {k!r}")
            for k, v in constants.items()}


def _checked_size(number: sp.Expr, what: str) -> sp.Expr:
    if isinstance(number, sp.Rational):
        bits = max(abs(number.p).bit_length(), number.q.bit_length())
        if bits > MAX_NUMBER_BITS:
            raise InputError(f"{what} is outside the range of float64 (an exact number of "
                             f"{bits} bits; symgd keeps numbers between ~1e-308 and ~1e308)")
        return number
    if not _has_float_value(number):
        raise InputError(f"{what} {truncated(number)} has no float64 value (it overflows or "
                         "cannot be evaluated); symgd keeps numbers between ~1e-308 and "
                         "~1e308")
    return number


def _has_float_value(number: sp.Expr) -> bool:
    try:
        return math.isfinite(float(number.evalf(30)))
    except (OverflowError, TypeError, ValueError, ZeroDivisionError, RecursionError):
        return False


# --------------------------------------------------- names and products

def _resolve_names(tokens: list[_Token], text: str, declared: set[str],
                   values: Mapping[str, sp.Expr]) -> list[_Token]:
    """Mark function calls, split products of letters (xy -> x*y), check names."""
    fixed = declared | set(values)
    called = [k + 1 < len(tokens) and tokens[k + 1].kind == "(" for k in range(len(tokens))]
    standalone = {t.text for k, t in enumerate(tokens) if t.kind == "name" and not called[k]}
    atoms = fixed | {s for s in standalone if len(s) == 1 and s not in _CONSTANTS}
    out: list[_Token] = []
    for k, tok in enumerate(tokens):
        if tok.kind != "name":
            out.append(tok)
            continue
        _check_token_name(tok, text)
        if tok.text in FUNCTIONS and tok.text not in fixed:
            out.append(_function_use(tok, called[k], text))
        elif tok.text in fixed:
            out.append(tok)
        elif tok.text in _CONSTANTS:
            out.append(_Token("const", tok.text, tok.pos, tok.spaced))
        else:
            parts = _split_product(tok, atoms, text)
            if parts is None and called[k] and tok.text not in standalone:
                raise _unknown_function(tok, text)
            out.extend(parts or [tok])
    return out


def _function_use(tok: _Token, is_called: bool, text: str) -> _Token:
    if is_called:
        return _Token("func", tok.text, tok.pos, tok.spaced)
    if tok.text in BARE_SYMBOL_NAMES:
        return tok
    raise ParseError(f"{tok.text!r} is a function", text, tok.pos,
                     f"call it with parentheses: {tok.text}(x)")


def _unknown_function(tok: _Token, text: str) -> ParseError:
    listed = ", ".join(sorted(FUNCTIONS))
    return ParseError(f"unknown function {tok.text!r}", text, tok.pos,
                      f"to multiply, write {tok.text}*(...); known functions: {listed}")


def _split_product(tok: _Token, atoms: set[str], text: str) -> list[_Token] | None:
    """``xy`` -> ``x * y`` when it is a product of known names in one way only."""
    word = tok.text
    if len(word) < 2 or word in _WORDS or not word.isalpha():
        return None
    ways = _decompositions(word, atoms, limit=2)
    if not ways:
        return None
    if len(ways) > 1:
        shown = " or ".join("*".join(w) for w in ways)
        raise ParseError(f"{word!r} is ambiguous: it could be {shown}", text, tok.pos,
                         "write the product with '*'")
    parts: list[_Token] = []
    offset = 0
    for n, part in enumerate(ways[0]):
        if n:
            parts.append(_Token("op", "*", tok.pos + offset, False))
        parts.append(_Token("name", part, tok.pos + offset, tok.spaced and n == 0))
        offset += len(part)
    return parts


def _decompositions(word: str, atoms: set[str], limit: int) -> list[list[str]]:
    """Up to ``limit`` ways to write ``word`` as a concatenation of ``atoms``.

    Built from the end of the word (each suffix's ways computed once), so a
    long word costs O(len(word)**2) and never backtracks exponentially.

    >>> _decompositions("xyx", {"x", "y", "xy"}, 2)
    [['xy', 'x'], ['x', 'y', 'x']]
    """
    ways: list[list[list[str]]] = [[] for _ in range(len(word) + 1)]
    ways[len(word)] = [[]]
    for start in range(len(word) - 1, -1, -1):
        found: list[list[str]] = []
        for end in range(len(word), start, -1):
            head = word[start:end]
            if head not in atoms:
                continue
            for rest in ways[end]:
                found.append([head, *rest])
                if len(found) >= limit:
                    break
            if len(found) >= limit:
                break
        ways[start] = found
    return ways[0]


def _expand_superscripts(tokens: list[_Token], text: str) -> list[_Token]:
    out: list[_Token] = []
    for tok in tokens:
        if tok.kind != "sup":
            out.append(tok)
            continue
        if not out or out[-1].kind not in ("num", "name", ")"):
            raise ParseError("an exponent needs something before it", text, tok.pos,
                             "write x² or x^2")
        if tok.spaced:
            raise ParseError("a space before a superscript", text, tok.pos,
                             "write the superscript right after its base: x²")
        if not re.fullmatch(r"[+-]?\d+", tok.text):
            raise ParseError(f"malformed superscript exponent {tok.text!r}", text, tok.pos,
                             "write the exponent with ^, e.g. x^(-1)")
        out += [_Token("op", "**", tok.pos, False), _Token("(", "(", tok.pos, False)]
        if tok.text[0] in "+-":
            out.append(_Token("op", tok.text[0], tok.pos, False))
        out += [_Token("num", tok.text.lstrip("+-"), tok.pos, False),
                _Token(")", ")", tok.pos, False)]
    return out


def _wrap_roots(tokens: list[_Token], text: str) -> list[_Token]:
    """``√x`` and ``√2`` -> ``sqrt(x)``, ``sqrt(2)``; ``√(x+1)`` is a call."""
    out: list[_Token] = []
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        out.append(tok)
        is_root = tok.kind == "name" and text[tok.pos] == "√"
        if is_root and k + 1 < len(tokens) and tokens[k + 1].kind in ("num", "name") \
                and not tokens[k + 1].spaced:
            arg = [tokens[k + 1]]
            if k + 2 < len(tokens) and tokens[k + 2].kind == "sup" and not tokens[k + 2].spaced:
                arg.append(tokens[k + 2])
            out += [_Token("(", "(", arg[0].pos, False), *arg,
                    _Token(")", ")", arg[0].pos, False)]
            k += len(arg)
        k += 1
    return out


def _insert_products(tokens: list[_Token], text: str) -> list[_Token]:
    """Make implicit products explicit: ``2x``, ``2(x+1)``, ``(a)(b)``, ``x(y+1)``."""
    out: list[_Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if prev is not None and prev.kind in ("num", "name", "const", ")") \
                and tok.kind in ("num", "name", "const", "func", "("):
            if tok.spaced:
                raise ParseError(
                    f"missing operator between {prev.text!r} and {tok.text!r}", text,
                    tok.pos, f"write {prev.text}*{tok.text} (or {prev.text}{tok.text} "
                    "without a space for a product)")
            if prev.kind == "num" and tok.kind == "num":
                raise ParseError(f"malformed number {prev.text + tok.text!r}", text,
                                 tok.pos, "a number has at most one decimal point")
            out.append(_Token("op", "*", tok.pos, False))
        out.append(tok)
    return out


def _check_sequence(tokens: list[_Token], text: str) -> None:
    """Friendly messages for the usual slips, before Python's parser sees them."""
    if not tokens:
        raise ParseError("the expression is empty", text, None,
                         "write an expression such as x^2 + y^2")
    opens: list[tuple[_Token, bool]] = []   # each '(' and whether it opens a call
    signs = 0
    prev: _Token | None = None
    for tok in tokens:
        if tok.kind == "(":
            opens.append((tok, prev is not None and prev.kind == "func"))
            if len(opens) > MAX_DEPTH:
                raise ParseError("parentheses are nested too deeply", text, tok.pos,
                                 f"symgd allows at most {MAX_DEPTH} levels")
        elif tok.kind == ")":
            if not opens:
                raise ParseError("unmatched ')'", text, tok.pos, "remove it or add a '('")
            if prev is not None and prev.kind == "(":
                raise ParseError("empty parentheses", text, prev.pos,
                                 "put an expression or a function argument inside")
            opens.pop()
        elif tok.kind == ",":
            if not opens or not opens[-1][1]:
                raise ParseError("',' outside a function call", text, tok.pos,
                                 "give a single expression; ',' separates function arguments")
        _check_operator_use(prev, tok, text)
        signs = signs + 1 if tok.kind == "op" and tok.text in "+-" and \
            (prev is None or prev.kind in ("op", "(", ",")) else 0
        if signs > MAX_DEPTH:
            raise ParseError("too many signs in a row", text, tok.pos, "simplify the signs")
        prev = tok
    if opens:
        raise ParseError("'(' is never closed", text, opens[-1][0].pos, "add the missing ')'")
    if prev is not None and prev.kind in ("op", ","):
        raise ParseError(f"the expression ends with {prev.text!r}", text, prev.pos,
                         "complete it or remove the trailing operator")


def _check_operator_use(prev: _Token | None, tok: _Token, text: str) -> None:
    binary = tok.kind == "op" and tok.text in ("*", "/", "**")
    if binary and (prev is None or prev.kind in ("op", "(", ",")):
        before = "at the start" if prev is None else f"after {prev.text!r}"
        raise ParseError(f"{tok.text!r} {before} has nothing on its left", text, tok.pos,
                         "check for a missing value or a doubled operator")
    if tok.kind in (")", ",") and prev is not None and prev.kind in ("op", ","):
        raise ParseError(f"{prev.text!r} has nothing on its right", text, prev.pos,
                         "check for a missing value")


# ------------------------------------------------------- long chains

_GROUP = 64   # operands per group when a long + or * chain is regrouped


def _balanced(tokens: list[_Token]) -> list[_Token]:
    """Regroup long ``+`` and ``*`` chains so the syntax tree stays shallow.

    Python's parser turns ``x1 + x2 + ... + x3000`` into a tree 3000 levels
    deep, which ``ast.parse`` cannot return. Binary ``a - b`` becomes
    ``a + -b`` (equal for every a, b) and every 64 terms (or factors of a
    ``*`` chain) are put in parentheses; ``/`` chains are left as they are.
    """
    out: list[_Token] = []
    for k, tok in enumerate(tokens):
        binary_minus = tok.kind == "op" and tok.text == "-" and k and \
            tokens[k - 1].kind in ("num", "name", "const", ")")
        if binary_minus:
            out += [_Token("op", "+", tok.pos, tok.spaced), _Token("op", "-", tok.pos, False)]
        else:
            out.append(tok)
    if len(out) <= 2 * _GROUP:
        return out
    return _regroup(out)


def _regroup(tokens: list[_Token]) -> list[_Token]:
    """Regroup at every parenthesis level, from the innermost out."""
    stack: list[list[_Token]] = [[]]
    for tok in tokens:
        if tok.kind == "(":
            stack.append([tok])
        elif tok.kind == ")":
            inner = stack.pop()
            stack[-1] += [inner[0], *_group_level(inner[1:]), tok]
        else:
            stack[-1].append(tok)
    return _group_level(stack[0])


def _group_level(tokens: list[_Token]) -> list[_Token]:
    """Group one level's ``+`` terms, and each term's ``*`` factors."""
    parts = _split_level(tokens, ",")
    grouped = []
    for n, part in enumerate(parts):
        terms = [_group_chain(_split_level(t, "*"), "*") for t in _split_level(part, "+")]
        grouped += ([_Token(",", ",", part[0].pos, False)] if n else []) + \
            _group_chain(terms, "+")
    return grouped


def _split_level(tokens: list[_Token], op: str) -> list[list[_Token]]:
    """Split at binary ``op`` tokens outside parentheses."""
    parts: list[list[_Token]] = [[]]
    depth = 0
    for k, tok in enumerate(tokens):
        depth += (tok.kind == "(") - (tok.kind == ")")
        binary = k and tokens[k - 1].kind in ("num", "name", "const", ")")
        if depth == 0 and tok.text == op and tok.kind in ("op", ",") and (binary or op == ","):
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


def _group_chain(operands: list[list[_Token]], op: str) -> list[_Token]:
    while len(operands) > _GROUP:
        operands = [_parenthesized(_join(operands[k:k + _GROUP], op))
                    for k in range(0, len(operands), _GROUP)]
    return _join(operands, op)


def _join(operands: list[list[_Token]], op: str) -> list[_Token]:
    out: list[_Token] = []
    for n, operand in enumerate(operands):
        if n:
            out.append(_Token("op", op, operand[0].pos, False))
        out += operand
    return out


def _parenthesized(tokens: list[_Token]) -> list[_Token]:
    return [_Token("(", "(", tokens[0].pos, False), *tokens,
            _Token(")", ")", tokens[-1].pos, False)]


# ----------------------------------------------------------------- builder

class _Builder:
    """Python's parser on placeholder text, then a whitelist walk to SymPy."""

    def __init__(self, tokens: list[_Token], text: str,
                 values: Mapping[str, sp.Expr]) -> None:
        self.text = text
        self.values = values
        self.atoms: dict[str, object] = {}
        self.where: dict[str, int] = {}
        self.source = self._placeholders(tokens)

    def _placeholders(self, tokens: list[_Token]) -> str:
        tokens = _balanced(tokens)
        pieces = []
        by_name: dict[tuple[str, str], str] = {}
        for k, tok in enumerate(tokens):
            if tok.kind == "num":
                key = f"_c{k}"
                self.atoms[key] = tok
            elif tok.kind in ("name", "func", "const"):
                key = by_name.setdefault((tok.kind, tok.text), f"_n{len(by_name)}")
                self.atoms.setdefault(key, tok)
            else:
                key = tok.text
            self.where.setdefault(key, tok.pos)
            pieces.append(key)
        return " ".join(pieces)

    def build(self) -> sp.Expr:
        try:
            tree = ast.parse(self.source, mode="eval")
        except (MemoryError, RecursionError):
            raise ParseError("the expression is nested too deeply or its chain of "
                             "operations is too long", self.text, None,
                             f"symgd allows at most {MAX_DEPTH} levels; use parentheses "
                             "to group a long chain of divisions or powers") from None
        except (SyntaxError, ValueError):  # pragma: no cover - token checks come first
            raise ParseError("the expression is not well formed", self.text, None,
                             "check operators and parentheses") from None
        try:
            expr = self._node(tree.body, 0)
        except RecursionError:
            raise ParseError("the expression is nested too deeply", self.text, None,
                             f"symgd allows at most {MAX_DEPTH} levels") from None
        return self._check_defined(expr)

    def _check_defined(self, expr: sp.Expr) -> sp.Expr:
        if not isinstance(expr, sp.Expr):
            raise ParseError("this is not a numeric expression", self.text, None, "")
        if expr.has(sp.zoo, sp.nan):
            raise ParseError("the expression is undefined (a division by zero or "
                             "log(0) among its numbers)", self.text, None,
                             "check the constant parts of the expression")
        if expr.has(sp.oo, -sp.oo):
            raise ParseError("the expression contains an infinity", self.text, None,
                             "symgd works with finite real numbers")
        return expr

    def _fail(self, reason: str, node: ast.AST, hint: str = "") -> ParseError:
        pos = None
        if isinstance(node, ast.Name):
            pos = self.where.get(node.id)
        return ParseError(reason, self.text, pos, hint)

    def _node(self, node: ast.AST, depth: int) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise ParseError("the expression is nested too deeply", self.text, None,
                             f"symgd allows at most {MAX_DEPTH} levels")
        if isinstance(node, ast.Name):
            return self._atom(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            return self._sum(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            return self._product(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self._power(node, depth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self._signed(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        raise self._fail("unsupported syntax", node, "use + - * / ^ and function calls")

    def _atom(self, node: ast.Name) -> sp.Expr:
        tok = self.atoms.get(node.id)
        if tok is None:
            raise self._fail("unsupported syntax", node)
        if tok.kind == "num":
            return self._number(tok)
        if tok.text in self.values:
            return self.values[tok.text]
        if tok.kind == "func":
            raise ParseError(f"{tok.text!r} is a function", self.text, tok.pos,
                             f"call it with parentheses: {tok.text}(x)")
        if tok.kind == "const":
            return _CONSTANTS[tok.text]
        return make_symbol(tok.text)

    def _number(self, tok: _Token) -> sp.Expr:
        try:
            d = Decimal(tok.text)
        except InvalidOperation:  # pragma: no cover - the tokenizer's regex prevents it
            raise ParseError(f"malformed number {tok.text!r}", self.text, tok.pos) from None
        if d != 0 and not (-308 <= d.adjusted() <= 308 and math.isfinite(float(d))):
            raise ParseError(f"the number {tok.text} is outside the range of float64",
                             self.text, tok.pos, "use numbers between 1e-308 and 1e308")
        sign, digits, exponent = d.as_tuple()
        mantissa = int("".join(map(str, digits)) or "0")
        if len(digits) > 330:
            raise ParseError(f"the number has {len(digits)} digits", self.text, tok.pos,
                             "symgd reads at most 330 digits")
        if exponent >= 0:
            return sp.Integer(mantissa * 10 ** exponent)
        return sp.Rational(mantissa, 10 ** -exponent)

    def _fold(self, node: ast.BinOp, ops: tuple[type, ...]) -> list[tuple[bool, ast.AST]]:
        """Operands of a left-leaning chain a op b op c, without recursion."""
        chain: list[tuple[bool, ast.AST]] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            chain.append((isinstance(node.op, (ast.Sub, ast.Div)), node.right))
            node = node.left
        chain.append((False, node))
        chain.reverse()
        return chain

    def _sum(self, node: ast.BinOp, depth: int) -> sp.Expr:
        number, terms = sp.Integer(0), []
        for negative, operand in self._fold(node, (ast.Add, ast.Sub)):
            term = self._node(operand, depth + 1)
            term = -term if negative else term
            if term.is_Number:
                number = self._sized(number + term, operand)
            else:
                terms.append(term)
        return sp.Add(number, *terms)

    def _product(self, node: ast.BinOp, depth: int) -> sp.Expr:
        number, factors = sp.Integer(1), []
        for divide, operand in self._fold(node, (ast.Mult, ast.Div)):
            factor = self._node(operand, depth + 1)
            if divide and factor.is_zero:
                raise self._fail("division by zero", operand, "check the divisor")
            factor = 1 / factor if divide else factor
            if factor.is_Number:
                number = self._sized(number * factor, operand)
            else:
                factors.append(factor)
        return self._bounded(sp.Mul(number, *factors), node)

    def _power(self, node: ast.BinOp, depth: int) -> sp.Expr:
        base = self._node(node.left, depth + 1)
        exponent = self._node(node.right, depth + 1)
        if exponent.is_Number:
            combined = abs(exponent) * _largest_exponent(base)
            if combined > MAX_EXPONENT:
                what = f"the exponent {exponent}" if combined == abs(exponent) else \
                    f"a power of a power, with combined exponent {combined:g},"
                raise ParseError(f"{what} is too large", self.text,
                                 self._position(node.right),
                                 f"symgd allows exponents up to {MAX_EXPONENT} in size")
            if base.is_Rational and exponent.is_Integer:
                bits = max(math.log2(abs(base.p) or 1), math.log2(base.q)) * abs(int(exponent))
                if bits > MAX_NUMBER_BITS:
                    raise ParseError(f"{base}^{exponent} is too large a number", self.text,
                                     self._position(node.left),
                                     "symgd keeps numbers within the range of float64 (~1e308)")
        if base.is_zero and exponent.is_Number and exponent.is_negative:
            raise ParseError("division by zero: 0 raised to a negative power", self.text,
                             self._position(node.left), "check the base")
        return self._real(self._sized(sp.Pow(base, exponent), node), node)

    def _bounded(self, value: sp.Expr, node: ast.AST) -> sp.Expr:
        if _largest_exponent(value) > MAX_EXPONENT:
            raise ParseError("a power in the expression is too large", self.text,
                             self._position(node),
                             f"symgd allows exponents up to {MAX_EXPONENT} in size")
        return value

    def _signed(self, node: ast.UnaryOp, depth: int) -> sp.Expr:
        negative = False
        while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            negative ^= isinstance(node.op, ast.USub)
            node = node.operand
        value = self._node(node, depth + 1)
        return -value if negative else value

    def _call(self, node: ast.Call, depth: int) -> sp.Expr:
        tok = self.atoms.get(node.func.id) if isinstance(node.func, ast.Name) else None
        if tok is None or tok.kind != "func" \
                or node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self._fail("unsupported call", node.func, "call a known function: sin(x)")
        builder, low, high = FUNCTIONS[tok.text]
        if not low <= len(node.args) <= high:
            want = str(low) if low == high else f"{low} or {high}"
            raise ParseError(f"{tok.text}() takes {want} argument{'s' * (high > 1)}, "
                             f"got {len(node.args)}", self.text, tok.pos,
                             f"write {tok.text}({', '.join('xy'[:low])})")
        args = [self._node(a, depth + 1) for a in node.args]
        if tok.text in _FACTORIAL_LIKE and any(a.is_Number and abs(a) > 171 for a in args):
            raise ParseError(f"{tok.text}() of a number above 171 overflows float64", self.text,
                             tok.pos, "use smaller arguments")
        try:
            value = builder(*args)
        except (ValueError, TypeError, ArithmeticError) as err:
            raise ParseError(f"{tok.text}() cannot take these arguments ({err})", self.text,
                             tok.pos, "") from None
        value = self._real(value, node)
        if not value.free_symbols and not value.is_Rational and not _has_float_value(value):
            raise ParseError(f"{truncated(value)} has no float64 value (it overflows or cannot be "
                             "evaluated)", self.text, tok.pos,
                             "symgd keeps numbers between ~1e-308 and ~1e308")
        return value

    def _position(self, node: ast.AST) -> int | None:
        while not isinstance(node, ast.Name):
            children = list(ast.iter_child_nodes(node))
            if not children:
                return None
            node = children[0] if not isinstance(node, ast.Call) else node.func
        return self.where.get(node.id)

    def _sized(self, value: sp.Expr, node: ast.AST) -> sp.Expr:
        if isinstance(value, sp.Rational):
            bits = max(abs(value.p).bit_length(), value.q.bit_length())
            if bits > MAX_NUMBER_BITS:
                raise ParseError("a number in the expression is outside the range of float64",
                                 self.text, self._position(node),
                                 "symgd keeps numbers between ~1e-308 and ~1e308")
        return value

    def _real(self, value: sp.Expr, node: ast.AST) -> sp.Expr:
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise ParseError("a part of the expression is undefined (a division by "
                             "zero, or log(0))", self.text, self._position(node),
                             "check the constant parts of the expression")
        if value.has(sp.I) or not value.free_symbols and value.is_extended_real is False:
            raise ParseError(f"{value} is not a real number", self.text,
                             self._position(node), "symgd works with real numbers")
        return value


def _largest_exponent(expr: sp.Expr) -> float:
    """The largest |n| of a numeric power inside ``expr`` (at least 1)."""
    exps = [abs(p.exp) for p in expr.atoms(sp.Pow) if p.exp.is_Number]
    return float(max(exps, default=1))
