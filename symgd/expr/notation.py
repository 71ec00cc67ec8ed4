"""The notation people type, rewritten into explicit tokens.

Between the tokenizer and the builder: ``x²`` becomes ``x**(2)``, ``√x``
becomes ``sqrt(x)``, implicit products are made explicit (``2x``,
``2(x+1)``, ``(a)(b)``, ``x(y+1)``), a word made of declared names is split
into their product (``xy`` is ``x*y`` when ``x`` and ``y`` are variables, and
an error when it could be read two ways), function names are told from
variables, and the usual slips (a doubled operator, an unclosed
parenthesis, a space inside a product) get a message of their own before
Python's parser sees the text.
"""

from __future__ import annotations

import re
from typing import Mapping

import sympy as sp

from ..errors import ParseError
from .limits import MAX_DEPTH, MAX_NAME_LENGTH
from .names import CONSTANTS, NOT_NUMBERS
from .registry import BARE_SYMBOL_NAMES, FUNCTIONS
from .tokens import Token

__all__ = ["resolve_names", "expand_superscripts", "wrap_roots", "insert_products",
           "check_sequence", "check_token_name", "WORDS"]

#: Names never split into a product of letters (xy -> x*y applies to others).
WORDS = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | frozenset("""
    alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi
    omicron rho sigma tau upsilon phi chi psi omega""".split())


def check_token_name(token: Token, text: str) -> None:
    if len(token.text) > MAX_NAME_LENGTH:
        raise ParseError(f"a name is {len(token.text)} characters long", text,
                         token.pos, f"names have at most {MAX_NAME_LENGTH} characters")
    if token.text in NOT_NUMBERS:
        raise ParseError(f"{token.text!r} is not a number symgd accepts", text, token.pos,
                         "symgd works with finite real numbers")



def resolve_names(tokens: list[Token], text: str, declared: set[str],
                   values: Mapping[str, sp.Expr]) -> list[Token]:
    """Mark function calls, split products of letters (xy -> x*y), check names."""
    fixed = declared | set(values)
    called = [k + 1 < len(tokens) and tokens[k + 1].kind == "(" for k in range(len(tokens))]
    standalone = {t.text for k, t in enumerate(tokens) if t.kind == "name" and not called[k]}
    atoms = fixed | {s for s in standalone if len(s) == 1 and s not in CONSTANTS}
    out: list[Token] = []
    for k, tok in enumerate(tokens):
        if tok.kind != "name":
            out.append(tok)
            continue
        check_token_name(tok, text)
        if tok.text in FUNCTIONS and tok.text not in fixed:
            out.append(_function_use(tok, called[k], text))
        elif tok.text in fixed:
            out.append(tok)
        elif tok.text in CONSTANTS:
            out.append(Token("const", tok.text, tok.pos, tok.spaced))
        else:
            parts = _split_product(tok, atoms, text)
            if parts is None and called[k] and tok.text not in standalone:
                raise _unknown_function(tok, text)
            out.extend(parts or [tok])
    return out


def _function_use(tok: Token, is_called: bool, text: str) -> Token:
    if is_called:
        return Token("func", tok.text, tok.pos, tok.spaced)
    if tok.text in BARE_SYMBOL_NAMES:
        return tok
    raise ParseError(f"{tok.text!r} is a function", text, tok.pos,
                     f"call it with parentheses: {tok.text}(x)")


def _unknown_function(tok: Token, text: str) -> ParseError:
    listed = ", ".join(sorted(FUNCTIONS))
    return ParseError(f"unknown function {tok.text!r}", text, tok.pos,
                      f"to multiply, write {tok.text}*(...); known functions: {listed}")


def _split_product(tok: Token, atoms: set[str], text: str) -> list[Token] | None:
    """``xy`` -> ``x * y`` when it is a product of known names in one way only."""
    word = tok.text
    if len(word) < 2 or word in WORDS or not word.isalpha():
        return None
    ways = _decompositions(word, atoms, limit=2)
    if not ways:
        return None
    if len(ways) > 1:
        shown = " or ".join("*".join(w) for w in ways)
        raise ParseError(f"{word!r} is ambiguous: it could be {shown}", text, tok.pos,
                         "write the product with '*'")
    parts: list[Token] = []
    offset = 0
    for n, part in enumerate(ways[0]):
        if n:
            parts.append(Token("op", "*", tok.pos + offset, False))
        parts.append(Token("name", part, tok.pos + offset, tok.spaced and n == 0))
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


def expand_superscripts(tokens: list[Token], text: str) -> list[Token]:
    out: list[Token] = []
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
        out += [Token("op", "**", tok.pos, False), Token("(", "(", tok.pos, False)]
        if tok.text[0] in "+-":
            out.append(Token("op", tok.text[0], tok.pos, False))
        out += [Token("num", tok.text.lstrip("+-"), tok.pos, False),
                Token(")", ")", tok.pos, False)]
    return out


def wrap_roots(tokens: list[Token], text: str) -> list[Token]:
    """``√x`` and ``√2`` -> ``sqrt(x)``, ``sqrt(2)``; ``√(x+1)`` is a call."""
    out: list[Token] = []
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
            out += [Token("(", "(", arg[0].pos, False), *arg,
                    Token(")", ")", arg[0].pos, False)]
            k += len(arg)
        k += 1
    return out


def insert_products(tokens: list[Token], text: str) -> list[Token]:
    """Make implicit products explicit: ``2x``, ``2(x+1)``, ``(a)(b)``, ``x(y+1)``."""
    out: list[Token] = []
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
            out.append(Token("op", "*", tok.pos, False))
        out.append(tok)
    return out


def check_sequence(tokens: list[Token], text: str) -> None:
    """Friendly messages for the usual slips, before Python's parser sees them."""
    if not tokens:
        raise ParseError("the expression is empty", text, None,
                         "write an expression such as x^2 + y^2")
    opens: list[tuple[Token, bool]] = []   # each '(' and whether it opens a call
    signs = 0
    prev: Token | None = None
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


def _check_operator_use(prev: Token | None, tok: Token, text: str) -> None:
    binary = tok.kind == "op" and tok.text in ("*", "/", "**")
    if binary and (prev is None or prev.kind in ("op", "(", ",")):
        before = "at the start" if prev is None else f"after {prev.text!r}"
        raise ParseError(f"{tok.text!r} {before} has nothing on its left", text, tok.pos,
                         "check for a missing value or a doubled operator")
    if tok.kind in (")", ",") and prev is not None and prev.kind in ("op", ","):
        raise ParseError(f"{prev.text!r} has nothing on its right", text, prev.pos,
                         "check for a missing value")

