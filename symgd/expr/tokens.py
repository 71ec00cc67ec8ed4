"""The tokenizer: which characters the parser accepts, and what they mean.

A fixed set of characters is accepted (digits, Latin and Greek letters,
arithmetic signs, parentheses, bars, commas and one ``=``); the typographic
forms people paste (``−``, ``×``, ``·``, ``÷``, superscript digits, ``π``,
``√ ∛ ∜``, vulgar fractions ``½`` and subscript digits ``w₁``) become the
plain tokens; fullwidth forms (``２ｘ``) are refused with the text spelled
in ASCII. Greek capitals drawn exactly like Latin letters
are refused: as names they would be a second variable that prints like the
first. Anything else is refused with a hint for the usual slips.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import ParseError

__all__ = ["Token", "tokenize", "confusable_at", "look_alike_error", "NAME", "NAME_CHAR"]

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
_SUBSCRIPTS = {chr(0x2080 + d): str(d) for d in range(10)}
_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5),
           "⅖": (2, 5), "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅐": (1, 7),
           "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8), "⅑": (1, 9), "⅒": (1, 10)}
_ROOTS = {"√": "sqrt", "∛": "cbrt", "∜": "sqrt"}
#: Fullwidth forms (``２ｘ＋１``) and the ideographic space: refused, the message
#: spelling the text with their ASCII twins (NFKC).
_FULLWIDTH = {c: unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = " "
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
_LOG_BASE = re.compile(r"\{([0-9]+|e)\}")
_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
#: One character of a name: a Latin or Greek letter, a digit or ``_``.
NAME_CHAR = re.compile(r"[A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]")
#: A whole name: a letter, then letters, digits or ``_``.
NAME = re.compile(r"[A-Za-z\u0391-\u03a9\u03b1-\u03c9][A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]*\Z")
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
    "\\": "this text is read as plain syntax; for LaTeX use syntax='latex' (or the "
          "default syntax='auto', which reads text with a backslash as LaTeX)",
}


@dataclass(frozen=True)
class Token:
    """One token of the input, with where it was typed."""

    kind: str      # "num", "name", "op", "(", ")", ",", "=", "|", "sup"; later "func", "const"
    text: str      # normalized: "**" for "^", "-" for "−", digits for "²"
    pos: int       # index of the first character in the original text
    spaced: bool   # whitespace right before the token
    length: int = 0  # characters typed (0 for a token the notation added)

    @property
    def end(self) -> int:
        """The index just after the token's typed characters."""
        return self.pos + self.length


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; raises ParseError at the first character refused.

    >>> [t.text for t in tokenize("2x² − y·π")]
    ['2', 'x', '2', '-', 'y', '*', 'pi']
    >>> [t.text for t in tokenize("½θ₁ + x")]
    ['(', '1', '/', '2', ')', 'θ_1', '+', 'x']
    """
    tokens: list[Token] = []
    read = text
    found = _WIDE.search(text)
    if found is not None:
        wide = found.start()
        ascii_text = text.translate(_FULLWIDTH)
        raise ParseError(f"{text[wide]!r} is a fullwidth character", text, wide,
                         f"type it as {_FULLWIDTH[ord(text[wide])]!r}: {ascii_text}",
                         (ascii_text,))
    i, n, spaced = 0, len(read), False
    while i < n:
        ch = read[i]
        if ch in _WHITESPACE:
            i, spaced = i + 1, True
            continue
        if ch in _VULGAR:
            tokens += _fraction(read, i, spaced, tokens)
            i, spaced = i + 1, False
            continue
        kind, word, j = _read_token(read, i)
        tokens.append(Token(kind, word, i, spaced, j - i))
        i, spaced = j, False
    return tokens


def _fraction(text: str, i: int, spaced: bool, before: list[Token]) -> list[Token]:
    """``½`` -> ``(1/2)``; ``1½`` is refused (a mixed number, or 1·½?)."""
    p, q = _VULGAR[text[i]]
    if before and before[-1].kind == ")" and before[-1].pos == i - 1 and text[i - 1] in _VULGAR:
        raise ParseError("two fractions side by side", text, i,
                         f"write the product with '*': {text[:i]}*{text[i:]}",
                         (f"{text[:i]}*{text[i:]}",))
    if before and before[-1].kind == "num" and not spaced:
        whole = before[-1].text
        readings = (text[:before[-1].pos] + f"({whole} + {p}/{q})" + text[i + 1:],
                    text[:i] + f"*{p}/{q}" + text[i + 1:])
        raise ParseError(f"'{whole}{text[i]}' is a mixed number", text, before[-1].pos,
                         f"write {readings[0]} for the sum, or {readings[1]} for the product",
                         readings)
    return [Token("(", "(", i, spaced, 1), Token("num", str(p), i, False),
            Token("op", "/", i, False), Token("num", str(q), i, False),
            Token(")", ")", i, False)]


def _read_token(text: str, i: int) -> tuple[str, str, int]:
    """The kind, normalized text and end of the token at ``text[i]``."""
    ch = text[i]
    if ch in _DIGITS or ch == "." and text[i + 1:i + 2] in _DIGITS and i + 1 < len(text):
        m = _NUMBER.match(text, i)
        _check_number_end(text, m)
        return "num", m.group(0), m.end()
    if ch == "π":
        return "name", "pi", i + 1
    if ch in _ROOTS:
        return "name", _ROOTS[ch], i + 1
    if NAME_CHAR.match(ch) and not ch.isdigit() and ch != "_":
        j = i
        while j < len(text) and NAME_CHAR.match(text[j]) and text[j] != "π":
            j += 1
        k = confusable_at(text[i:j])
        if k is not None:
            raise look_alike_error(text, i + k)
        name = text[i:j]
        if name == "log_" and _LOG_BASE.match(text, j):      # log_{10}(x)
            m = _LOG_BASE.match(text, j)
            name, j = name + m.group(1), m.end()
        if j < len(text) and text[j] in _SUBSCRIPTS:          # w₁ -> w_1
            k = j
            while k < len(text) and text[k] in _SUBSCRIPTS:
                k += 1
            name, j = name + "_" + "".join(_SUBSCRIPTS[c] for c in text[j:k]), k
        return "name", name, j
    if text.startswith("**", i):
        return "op", "**", i + 2
    if ch in _OPERATORS:
        return "op", _OPERATORS[ch], i + 1
    if ch in "(),=|":
        return ch, ch, i + 1
    if ch in _SUPERSCRIPTS:
        j = i
        while j < len(text) and text[j] in _SUPERSCRIPTS:
            j += 1
        sup = "".join(_SUPERSCRIPTS[c] for c in text[i:j])
        return "sup", sup, j
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


def confusable_at(name: str) -> int | None:
    """The index of the first Greek letter in ``name`` drawn like a Latin one, or None.

    >>> confusable_at("x"), confusable_at("xΑ")
    (None, 1)
    """
    return next((k for k, ch in enumerate(name) if ch in _CONFUSABLE), None)


def look_alike_error(text: str, i: int) -> ParseError:
    """The error for the look-alike letter at ``text[i]``."""
    ch = text[i]
    return ParseError(f"{ch!r} ({_CONFUSABLE[ch]}) looks exactly like the Latin "
                      f"letter {_LATIN_TWIN[ch]!r}", text, i,
                      f"type the Latin letter {_LATIN_TWIN[ch]!r}")


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
