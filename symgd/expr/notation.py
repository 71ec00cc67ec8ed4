"""The notation people type, rewritten into explicit tokens.

Between the tokenizer and the builder (after :mod:`.letters` has read the
runs of letters): ``x²`` becomes ``x**(2)``, ``√x`` becomes ``sqrt(x)``,
``|x|`` becomes ``abs(x)``, a function written without parentheses gets
them (``sin x``, ``sin^2 x``, ``tan^-1(x)``, ``ln|x|``), implicit products
are made explicit (``2x``, ``2 pi r``, ``2(x+1)``, ``(a)(b)``), and the usual
slips (a doubled operator, an unclosed parenthesis, a decimal comma) get a
message of their own before Python's parser sees the text.
"""

from __future__ import annotations

import re

from ..errors import ParseError
from .limits import MAX_DEPTH
from .tokens import Token

__all__ = ["expand_superscripts", "wrap_roots", "read_bars", "apply_functions",
           "insert_products", "check_sequence"]

_OPERAND_END = ("num", "name", "const", ")")
#: f^-1: the inverse function's name.
INVERSES = {"sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot", "sec": "asec",
            "csc": "acsc", "sinh": "asinh", "cosh": "acosh", "tanh": "atanh",
            "coth": "acoth", "sech": "asech", "csch": "acsch"}


def expand_superscripts(tokens: list[Token], text: str) -> list[Token]:
    out: list[Token] = []
    for tok in tokens:
        if tok.kind != "sup":
            out.append(tok)
            continue
        if not out or out[-1].kind not in ("num", "name", "const", "func", ")"):
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
    """``√x``, ``∛x`` -> ``sqrt(x)``, ``cbrt(x)``; ``√(x+1)`` is a call; ``∜u`` is ``sqrt(sqrt(u))``."""
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        if _is_root(tokens[k], text):
            wrapped, k = _root(tokens, k, text, 0)
            out += wrapped
        else:
            out.append(tokens[k])
            k += 1
    return out


def _is_root(tok: Token, text: str) -> bool:
    return tok.kind == "name" and tok.length == 1 and text[tok.pos] in "√∛∜"


def _root(tokens: list[Token], k: int, text: str, depth: int) -> tuple[list[Token], int]:
    """The root at ``tokens[k]`` applied to what follows (``√√x`` is √(√x))."""
    tok = tokens[k]
    if depth > MAX_DEPTH:
        raise ParseError("roots are nested too deeply", text, tok.pos,
                         f"symgd allows at most {MAX_DEPTH} levels")
    end = k + 1
    if end < len(tokens) and _is_root(tokens[end], text) and not tokens[end].spaced:
        arg, end = _root(tokens, end, text, depth + 1)
    elif end < len(tokens) and tokens[end].kind in ("num", "name") and not tokens[end].spaced:
        end += 1
        if end < len(tokens) and tokens[end].kind == "sup" and not tokens[end].spaced:
            end += 1
        arg = tokens[k + 1:end]
    elif end < len(tokens) and tokens[end].kind == "(":
        end = _closing(tokens, end) + 1
        arg = tokens[k + 1:end]
    if end == k + 1 or end > len(tokens):
        raise ParseError(f"{text[tok.pos]!r} needs something to take the root of", text,
                         tok.pos, f"write {text[tok.pos]}x or {text[tok.pos]}(x + 1)")
    for _ in range(2 if text[tok.pos] == "∜" else 1):
        arg = [Token("name", tok.text, tok.pos, False), Token("(", "(", tok.pos, False),
               *arg, Token(")", ")", tok.pos, False)]
    return [Token("(", "(", tok.pos, tok.spaced), *arg, Token(")", ")", tok.pos, False)], end


def _closing(tokens: list[Token], k: int) -> int:
    """The index of the ``)`` that closes ``tokens[k]``, or ``len(tokens)`` if none."""
    depth = 0
    for j in range(k, len(tokens)):
        depth += (tokens[j].kind == "(") - (tokens[j].kind == ")")
        if depth == 0:
            return j
    return len(tokens)


def read_bars(tokens: list[Token], text: str) -> list[Token]:
    """``|x - 1|`` -> ``abs(x - 1)``: a bar after an operand closes the open one."""
    out: list[Token] = []
    open_bars: list[tuple[Token, int]] = []     # each open bar and the paren depth
    depth = 0
    for tok in tokens:
        if tok.kind == "(":
            depth += 1
        elif tok.kind == ")":
            depth -= 1
        if tok.kind != "|":
            out.append(tok)
            continue
        after_operand = bool(out) and out[-1].kind in _OPERAND_END
        if open_bars and after_operand and open_bars[-1][1] == depth:
            open_bars.pop()
            out.append(Token(")", ")", tok.pos, tok.spaced, 1))
        else:
            open_bars.append((tok, depth))
            out += [Token("func", "abs", tok.pos, tok.spaced, 1), Token("(", "(", tok.pos, False)]
    if open_bars:
        bar = open_bars[-1][0]
        raise ParseError("'|' is never closed", text, bar.pos,
                         "write |x| with a bar on each side, or abs(x)")
    return out


def apply_functions(tokens: list[Token], text: str) -> list[Token]:
    """Parentheses for a function written without them.

    ``sin x``, ``sin 2x``, ``sin x^2`` (sin(x²)), ``ln|x|`` apply the function
    to one factor; ``sin^2 x`` and ``sin²(x)`` are (sin x)²; ``tan^-1(x)`` and
    ``sin⁻¹ x`` are the inverse functions. A factor followed by another one
    (``sin x y``) is refused: sin(x·y) or sin(x)·y?
    """
    return _Applier(tokens, text).run(0, len(tokens), 0)


class _Applier:
    def __init__(self, tokens: list[Token], text: str) -> None:
        self.tokens, self.text = tokens, text

    def run(self, k: int, stop: int, depth: int) -> list[Token]:
        out: list[Token] = []
        while k < stop:
            tok = self.tokens[k]
            if tok.kind == "func" and not self._is(k + 1, "("):
                emitted, k = self.application(k, depth + 1)
                out += emitted
            else:
                out.append(tok)
                k += 1
        return out

    def _is(self, k: int, kind: str, text: str | None = None) -> bool:
        return k < len(self.tokens) and self.tokens[k].kind == kind and \
            (text is None or self.tokens[k].text == text)

    def application(self, k: int, depth: int) -> tuple[list[Token], int]:
        if depth > MAX_DEPTH:
            raise ParseError("functions are nested too deeply", self.text, None,
                             f"symgd allows at most {MAX_DEPTH} levels")
        func = self.tokens[k]
        power, j = self.function_power(k + 1)
        if self._is(j, "("):
            end = _closing(self.tokens, j)
            if end >= len(self.tokens):
                return [func], k + 1          # the unclosed '(' is reported later
            arg = self.run(j + 1, end, depth)
            j = end + 1
        else:
            arg, end = self.factor(j, depth)
            if arg is None:
                if power is not None:
                    raise ParseError(f"{func.text}^{power} needs an argument", self.text,
                                     func.pos, f"write {func.text}^{power}(x)")
                return [func], k + 1          # reported by the builder: call it with ( )
            if self._is(end, "num") or self._is(end, "name") or self._is(end, "const") \
                    or self._is(end, "("):
                raise self.two_factors(func, j, end, end)
            if (self._is(end, "op", "*") or self._is(end, "op", "/")) \
                    and not self._is(end + 1, "func"):
                raise self.two_factors(func, j, end, end + 1)
            j = end
        open_, close = Token("(", "(", func.pos, False), Token(")", ")", func.pos, False)
        if power is None:
            return [func, open_, *arg, close], j
        if power == -1:
            if func.text not in INVERSES:
                raise ParseError(f"{func.text}^-1 has no inverse function in symgd",
                                 self.text, func.pos,
                                 f"write 1/{func.text}(x) for the reciprocal")
            inverse = Token("func", INVERSES[func.text], func.pos, func.spaced)
            return [inverse, open_, *arg, close], j
        exponent = [Token("op", "**", func.pos, False), Token("num", str(power), func.pos, False)]
        return [func, open_, *arg, close, *exponent], j

    def function_power(self, k: int) -> tuple[int | None, int]:
        """``^2``, ``^-1``, ``**(2)``, ``²`` after a function name: (the integer, next index)."""
        if not self._is(k, "op", "**"):
            return None, k
        j, parens = k + 1, self._is(k + 1, "(")
        j += parens
        sign = -1 if self._is(j, "op", "-") else 1
        j += self._is(j, "op", "-") or self._is(j, "op", "+")
        if not self._is(j, "num") or not self.tokens[j].text.isdigit():
            raise ParseError(f"a power of the function {self.tokens[k - 1].text!r}", self.text,
                             self.tokens[k].pos,
                             f"write ({self.tokens[k - 1].text}(x))^p for a power of its value")
        power = sign * int(self.tokens[j].text)
        j += 1
        if parens:
            if not self._is(j, ")"):
                raise ParseError(f"a power of the function {self.tokens[k - 1].text!r}",
                                 self.text, self.tokens[k].pos,
                                 f"write ({self.tokens[k - 1].text}(x))^p")
            j += 1
        if power < -1 or power == 0:
            name = self.tokens[k - 1].text
            raise ParseError(f"{name}^{power} could be a power of {name} or of its inverse",
                             self.text, self.tokens[k].pos,
                             f"write ({name}(x))^({power}) for the power of the value")
        return power, j

    def factor(self, j: int, depth: int) -> tuple[list[Token] | None, int]:
        """One factor at ``j``: ``x``, ``2x``, ``(…)``, ``f(…)``, ``ln x``, with ``^p``."""
        tokens = self.tokens
        if j >= len(tokens):
            return None, j
        tok = tokens[j]
        if tok.kind == "num":
            out, j = [tok], j + 1
            if (self._is(j, "name") or self._is(j, "const")) and not tokens[j].spaced:
                out, j = out + [Token("op", "*", tokens[j].pos, False), tokens[j]], j + 1
        elif tok.kind in ("name", "const"):
            out, j = [tok], j + 1
        elif tok.kind == "(":
            end = _closing(tokens, j)
            if end >= len(tokens):
                return None, j
            out, j = [tok, *self.run(j + 1, end, depth), tokens[end]], end + 1
        elif tok.kind == "func":
            if self._is(j + 1, "("):
                end = _closing(tokens, j + 1)
                if end >= len(tokens):
                    return None, j
                out, j = [tok, tokens[j + 1], *self.run(j + 2, end, depth), tokens[end]], \
                    end + 1
            else:
                out, j = self.application(j, depth + 1)
        else:
            return None, j
        while self._is(j, "op", "**"):
            exponent, after = self.exponent(j + 1, depth)
            if exponent is None:
                break
            out, j = out + [tokens[j], *exponent], after
        return out, j

    def exponent(self, j: int, depth: int) -> tuple[list[Token] | None, int]:
        signs = []
        while self._is(j, "op", "-") or self._is(j, "op", "+"):
            signs.append(self.tokens[j])
            j += 1
        tok = self.tokens[j] if j < len(self.tokens) else None
        if tok is None:
            return None, j
        if tok.kind in ("num", "name", "const"):
            return [*signs, tok], j + 1
        if tok.kind == "(":
            end = _closing(self.tokens, j)
            if end >= len(self.tokens):
                return None, j
            return [*signs, tok, *self.run(j + 1, end, depth), self.tokens[end]], end + 1
        return None, j

    def two_factors(self, func: Token, j: int, end: int, operand: int) -> ParseError:
        """``sin x y``, ``cos 2*x``: the function of the product, or the product of its value?"""
        tokens = self.tokens
        last = operand
        if last < len(tokens) and tokens[last].kind == "(":
            last = _closing(tokens, last)
        typed = [t for t in tokens[j:min(last + 1, len(tokens))] if t.length]
        b = max((t.end for t in tokens[j:end] if t.length), default=0)
        if not typed or not b or last >= len(tokens) or len(self.text) > 200:
            return ParseError(f"{func.text} without parentheses is followed by two factors",
                              self.text, func.pos, f"write {func.text}(...) with parentheses")
        a, c = typed[0].pos, max(t.end for t in typed)
        head = self.text[:a].rstrip()
        rest = self.text[b:c].strip()
        rest = rest if operand > end else "*" + rest
        seg_one = f"{func.text}({self.text[a:c]})"
        seg_two = f"{func.text}({self.text[a:b]}){rest}"
        one = head + f"({self.text[a:c]})" + self.text[c:]
        two = head + f"({self.text[a:b]}){rest}" + self.text[c:]
        return ParseError(f"'{self.text[func.pos:c]}' could be {seg_one} or {seg_two}",
                          self.text, func.pos, f"write {one} or {two}", (one, two))


def insert_products(tokens: list[Token], text: str) -> list[Token]:
    """Make implicit products explicit: ``2x``, ``2(x+1)``, ``(a)(b)``, ``x(y+1)``."""
    out: list[Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if prev is not None and prev.kind in ("num", "name", "const", ")") \
                and tok.kind in ("num", "name", "const", "func", "("):
            gap = text[prev.end:tok.pos] if prev.length and tok.length else ""
            if "\n" in gap or "\r" in gap:
                raise ParseError("two expressions on separate lines", text, tok.pos,
                                 "give a single expression, or join the lines with an operator")
            if prev.kind == "num" and tok.kind == "num" and tok.spaced:
                fixed = text[:prev.end] + "*" + text[tok.pos:]
                raise ParseError(f"two numbers side by side: {prev.text} {tok.text}", text,
                                 tok.pos, f"write {prev.text}*{tok.text} for the product, or "
                                 "remove the space for one number", (fixed,))
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
            _check_decimal_comma(prev, tok, text)
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


def _check_decimal_comma(prev: Token | None, comma: Token, text: str) -> None:
    """``3,5`` outside a call's arguments is a decimal written with a comma."""
    after = text[comma.pos + 1:comma.pos + 2]
    if prev is not None and prev.kind == "num" and prev.end == comma.pos and after.isdigit():
        fixed = text[:comma.pos] + "." + text[comma.pos + 1:]
        if not _in_call(text, comma.pos):
            raise ParseError("a decimal comma", text, comma.pos,
                             f"use a point for decimals: {fixed}", (fixed,))


def _in_call(text: str, at: int) -> bool:
    """Whether ``text[at]`` is inside parentheses that follow a name (a call's arguments)."""
    depth, k = 0, at - 1
    while k >= 0:
        depth += (text[k] == ")") - (text[k] == "(")
        if depth < 0:
            before = text[:k].rstrip()
            return bool(before) and (before[-1].isalnum() or before[-1] == "_")
        k -= 1
    return False


def _check_operator_use(prev: Token | None, tok: Token, text: str) -> None:
    binary = tok.kind == "op" and tok.text in ("*", "/", "**")
    if binary and (prev is None or prev.kind in ("op", "(", ",")):
        before = "at the start" if prev is None else f"after {prev.text!r}"
        raise ParseError(f"{tok.text!r} {before} has nothing on its left", text, tok.pos,
                         "check for a missing value or a doubled operator")
    if tok.kind in (")", ",") and prev is not None and prev.kind in ("op", ","):
        raise ParseError(f"{prev.text!r} has nothing on its right", text, prev.pos,
                         "check for a missing value")

