"""Runs of letters: one name, a product of letters, or a question to the user.

``xy`` may be the product x·y or one variable named ``xy``; ``sinx`` may be
sin(x) or a variable. The rule, applied to every name that is not declared
(``variables=``, ``constants=``, data columns, ``f(a, b) =``), a function, a
constant or a Greek letter's name:

1. a name with a digit or ``_`` is one name (``w1``, ``x_1``), except a
   function name followed by a number (``sin2x``), which is refused;
2. a run that ends with a function name and is called is a product
   (``xsin(x)`` is x·sin(x)); one that starts with a function name and has at
   most two more letters is refused (``sinx``: write ``sin(x)`` or ``sin x``);
3. a run that is in one way only a product of the single-letter variables
   used elsewhere, declared names and the constants ``e``, ``pi`` is that
   product (``xe^x``, ``x^2 + xy``);
4. two letters are a product when other single-letter variables are used
   (``ax^2 + bx + c``, ``y = mx + b``); four or more letters with a vowel
   are one name (``weight``); anything else (``mpg`` undeclared, ``z = xy``)
   is refused, with each reading spelled out.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Mapping

import sympy as sp

from ..errors import ParseError
from .limits import MAX_NAME_LENGTH
from .names import CONSTANTS, NOT_NUMBERS
from .registry import BARE_SYMBOL_NAMES, FUNCTIONS
from .tokens import Token

__all__ = ["resolve_names", "check_token_name", "WORDS", "LOG_BASE"]

#: Names never split into a product of letters (xy -> x*y applies to others).
WORDS = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | frozenset("""
    alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi
    omicron rho sigma tau upsilon phi chi psi omega lr""".split())

#: ``log_2``, ``log_10``, ``log_e``: the logarithm to a typed base.
LOG_BASE = re.compile(r"log_([0-9]+|e)\Z")

_VOWELS = frozenset("aeiouAEIOU")
_SHOWN = 200    # a longer input is not repeated in full in a hint
#: Python's words (``if``, ``import``, ``await``...): never read as mathematics.
_PYTHON_WORDS = frozenset(keyword.kwlist + keyword.softkwlist) - {"lambda", "_"}
_LONGEST = max(map(len, FUNCTIONS))


def check_token_name(token: Token, text: str) -> None:
    if len(token.text) > MAX_NAME_LENGTH:
        raise ParseError(f"a name is {len(token.text)} characters long", text,
                         token.pos, f"names have at most {MAX_NAME_LENGTH} characters")
    if token.text in NOT_NUMBERS:
        raise ParseError(f"{token.text!r} is not a number symgd accepts", text, token.pos,
                         "symgd works with finite real numbers")


@dataclass(frozen=True)
class _Question:
    """A run read two ways: the token, its readings, and the one-variable option."""

    token: Token
    readings: tuple[str, ...]       # spellings of the run (x*y, sin(x))
    shown: tuple[str, ...]          # how the message names them (x·y, sin(x))
    declare: bool = True            # "or declare variables=(...)" applies
    ends: tuple[int, ...] = ()      # where each reading's span ends (the run's end by default)
    lead: str = ""                  # "*" after a digit: 2ex is 2*e*x, not the number 2e

    def end(self, n: int) -> int:
        return self.ends[n] if self.ends else self.token.end


class _Reader:
    def __init__(self, tokens: list[Token], text: str, declared: set[str],
                 values: Mapping[str, sp.Expr]) -> None:
        self.text = text
        self.fixed = declared | set(values)
        n = len(tokens)
        self.called = [k + 1 < n and tokens[k + 1].kind == "(" for k in range(n)]
        self.standalone = {t.text for k, t in enumerate(tokens)
                           if t.kind == "name" and not self.called[k]}
        singles = {s for s in self.standalone if len(s) == 1 and s not in CONSTANTS}
        singles |= {d for d in self.fixed if len(d) == 1}
        self.context = bool(singles)
        self.atoms = self.fixed | singles
        self.questions: list[_Question] = []

    def name(self, tok: Token, called: bool) -> list[Token]:
        w = tok.text
        if w in self.fixed:
            return [tok]
        if w in FUNCTIONS and (called or w not in BARE_SYMBOL_NAMES):
            return [Token("func", w, tok.pos, tok.spaced, tok.length)]
        if w in CONSTANTS:
            return [Token("const", w, tok.pos, tok.spaced, tok.length)]
        if w in WORDS:
            return [tok]
        if w in _PYTHON_WORDS:
            raise ParseError(f"{w!r} is a word of Python, not of mathematics", self.text,
                             tok.pos, f"write a formula; to use {w!r} as a variable, "
                             f'declare variables="{w}"')
        if LOG_BASE.match(w) and called:
            return [Token("func", w, tok.pos, tok.spaced, tok.length)]
        return self.run(tok, called)

    def run(self, tok: Token, called: bool) -> list[Token]:
        w = tok.text
        head = _function_prefix(w)
        if not w.isalpha():
            rest = w[len(head):] if head else ""
            if head and re.fullmatch(r"[0-9]*[^\W\d_]{0,2}", rest):
                return self.ask(tok, (f"{head}({_product(rest)})",), declare=False)
            return [tok]
        if called:
            tail = next((w[-n:] for n in range(min(len(w) - 1, _LONGEST), 0, -1)
                         if w[-n:] in FUNCTIONS), None)
            if tail is not None:
                prefix = Token("name", w[:-len(tail)], tok.pos, tok.spaced, len(w) - len(tail))
                return [*self.name(prefix, False), Token("op", "*", tok.pos, False),
                        Token("func", tail, tok.pos + prefix.length, False, len(tail))]
        if head and len(w) - len(head) <= 2:
            rest = w[len(head):]
            inner = rest if rest in WORDS else _product(rest)
            return self.ask(tok, (f"{head}({inner})" + "*" * called,))
        if len(w) < 2:
            return [tok]
        ways = [way for way in _decompositions(w, self.atoms | {"pi", "e"}, 2)
                if any(part not in CONSTANTS for part in way)]
        if len(ways) == 1:
            return self.product(tok, ways[0])
        star = "*" if called else ""
        if len(ways) > 1:
            return self.ask(tok, tuple("*".join(way) + star for way in ways))
        letters = _letters(w)
        vowel = any(c in _VOWELS for c in w)
        if self.context and len(w) == 2:
            return self.product(tok, letters)
        if len(w) >= 4 and vowel:
            return [tok]
        return self.ask(tok, ("*".join(letters) + star,))

    def product(self, tok: Token, parts: list[str]) -> list[Token]:
        out: list[Token] = []
        offset = 0
        for n, part in enumerate(parts):
            if n:
                out.append(Token("op", "*", tok.pos + offset, False))
            piece = Token("name", part, tok.pos + offset, tok.spaced and n == 0, len(part))
            out.append(piece if part in self.fixed or part not in CONSTANTS
                       else Token("const", part, piece.pos, piece.spaced, piece.length))
            offset += len(part)
        return out

    def ask(self, tok: Token, readings: tuple[str, ...], declare: bool = True) -> list[Token]:
        lead = "*" if tok.pos and self.text[tok.pos - 1:tok.pos].isdigit() else ""
        shown = tuple(r.replace("*", "·") for r in readings)
        self.questions.append(_Question(tok, readings, shown, declare, (), lead))
        return [tok]

    def with_power(self, k: int, tokens: list[Token]) -> None:
        """``sinx^2``: sin(x)^2 or sin(x^2)? The question about ``tokens[k]`` offers both."""
        q = self.questions[-1]
        head = _function_prefix(q.token.text)
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if head is None or nxt is None or not q.readings[0].startswith(head):
            return
        if nxt.kind == "sup" and not nxt.spaced:
            end = nxt.end
        elif nxt.kind == "op" and nxt.text == "**" and k + 2 < len(tokens) \
                and tokens[k + 2].kind in ("num", "name") and tokens[k + 2].length:
            end = tokens[k + 2].end
        else:
            return
        inner = q.readings[0][len(head) + 1:-1]
        power = self.text[q.token.end:end]
        extended = f"{head}({inner}{power})"
        self.questions[-1] = _Question(q.token, (extended, q.readings[0]),
                                       (extended, q.shown[0] + power), q.declare,
                                       (end, q.token.end), q.lead)


def resolve_names(tokens: list[Token], text: str, declared: set[str],
                  values: Mapping[str, sp.Expr]) -> list[Token]:
    """Mark function calls and constants, read runs of letters, check names.

    Raises a ParseError naming the readings when a run could mean two things.
    """
    reader = _Reader(tokens, text, declared, values)
    out: list[Token] = []
    for k, tok in enumerate(tokens):
        if tok.kind != "name":
            out.append(tok)
            continue
        check_token_name(tok, text)
        asked = len(reader.questions)
        parts = reader.name(tok, reader.called[k])
        if len(reader.questions) > asked:
            reader.with_power(k, tokens)
        if len(reader.questions) == asked and reader.called[k] and parts == [tok] \
                and tok.text not in reader.standalone and tok.text not in reader.fixed:
            raise _unknown_function(tok, text)
        out.extend(parts)
    if reader.questions:
        raise _question_error(reader.questions, text)
    return out


def _question_error(questions: list[_Question], text: str) -> ParseError:
    first = questions[0]
    word = first.token.text
    also = [q for q in questions[1:]]
    suggestions = tuple(_spelled(text, [(first, n)] + [(q, 0) for q in also])
                        for n in range(len(first.readings)))
    readings = " or ".join(first.shown)
    typed = text[first.token.pos:max(first.end(n) for n in range(len(first.readings)))]
    reason = f"{typed!r} could be {readings} or one variable named {word}"
    misspelt = _misspelt_call(first.token, text)
    if misspelt is not None:           # sinn(x): most likely a typo of a function name
        reason += f" (did you mean {misspelt!r}?)"
        suggestions = (text[:first.token.pos] + misspelt + text[first.token.end:],
                       *suggestions)
    shown = suggestions if len(text) <= _SHOWN else first.readings
    hint = f"write {' or '.join(shown)}"
    if first.declare:
        names = tuple(dict.fromkeys(q.token.text for q in questions if q.declare))
        hint += f', or declare variables="{",".join(names)}"'
    return ParseError(reason, text, first.token.pos, hint, suggestions)


def _spelled(text: str, choices: list[tuple[_Question, int]]) -> str:
    """``text`` with each questioned run replaced by its chosen reading."""
    out, at = [], 0
    for q, n in sorted(choices, key=lambda c: c[0].token.pos):
        if q.token.pos < at:
            continue
        out += [text[at:q.token.pos], q.lead + q.readings[n]]
        at = q.end(n)
    return "".join(out) + text[at:]


def _misspelt_call(tok: Token, text: str) -> str | None:
    """The function name a called run (``sinn(x)``) is one letter or so from."""
    import difflib
    if not text[tok.end:].lstrip().startswith("("):
        return None
    close = difflib.get_close_matches(tok.text, sorted(FUNCTIONS), n=1, cutoff=0.8)
    return close[0] if close and close[0] != tok.text else None


def _unknown_function(tok: Token, text: str) -> ParseError:
    listed = ", ".join(sorted(FUNCTIONS))
    short = tok.length and len(text) <= _SHOWN
    product = text[:tok.end] + "*" + text[tok.end:] if short else f"{tok.text}*(...)"
    return ParseError(f"unknown function {tok.text!r}", text, tok.pos,
                      f"to multiply, write {product}; known functions: {listed}",
                      (product,) if short else ())


def _function_prefix(word: str) -> str | None:
    """The longest function name ``word`` starts with, if shorter than the word."""
    return next((word[:n] for n in range(min(len(word) - 1, _LONGEST), 0, -1)
                 if word[:n] in FUNCTIONS), None)


def _letters(word: str) -> list[str]:
    """``pir`` -> ``['pi', 'r']``; other runs letter by letter."""
    out, k = [], 0
    while k < len(word):
        step = 2 if word.startswith("pi", k) else 1
        out.append(word[k:k + step])
        k += step
    return out


def _product(run: str) -> str:
    """``2xy`` -> ``2*x*y``: a number, then the letters as a product."""
    m = re.match(r"[0-9]*", run)
    number, rest = m.group(0), run[m.end():]
    parts = ([number] if number else []) + _letters(rest)
    return "*".join(parts)


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
