r"""LaTeX input, read through the same safe parser as plain text.

LaTeX is never evaluated, nor given to SymPy's LaTeX parser: its tokens are
translated into symgd's plain syntax with every product, group and call
written out (``\frac{x^2}{2}`` becomes ``((x)**(2))/(2)``), which then goes
through :func:`symgd.expr.parse.parse_definition` and all its checks and
limits. An error found there is reported at the column of the LaTeX text.

What is read, as in a textbook: ``\frac \dfrac \tfrac``, ``\sqrt`` and
``\sqrt[n]``, ``^{...}``, subscripts as names (``x_{1}`` is ``x_1``),
``\cdot \times \div``, ``( ) [ ] \{ \} {}`` and ``\left \right`` as
grouping, ``|x|`` and ``\left| \right|`` as the absolute value, the
functions (``\sin x``, ``\sin^2 x``, ``\sin^{-1} x``, ``\log_{b} x``,
``\operatorname{sigmoid}(x)``), ``\pi``, ``e`` and ``\mathrm{e}``, Greek
letters as names, ``\mathrm{name}`` as a multi-letter name, spacing
commands, and ``f(x, y) = ...``. Juxtaposed letters are a product
(``xy`` is ``x*y``) unless the run is a declared name. A run of letters that
spells a function or a Greek letter (``sin``, ``theta``), ``x^23``,
``x_12`` and ``x2`` are refused with the spellings to choose from. Every
other command is refused by name (``\int``, ``\sum``, ``\def`` ...):
nothing in the text is ever run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from ..errors import ParseError, SymgdError
from .limits import MAX_DEPTH, MAX_LENGTH
from .names import check_name
from .registry import BARE_SYMBOL_NAMES, FUNCTIONS

__all__ = ["looks_like_latex", "read_latex", "translate", "SYNTAXES"]

#: The values of the ``syntax=`` parameter.
SYNTAXES = ("auto", "plain", "latex")

_GREEK = """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa
    varkappa lambda mu nu xi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi
    omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega""".split()
#: LaTeX function commands -> the plain name (checked against the registry when used).
_FUNCTIONS = {"sin": "sin", "cos": "cos", "tan": "tan", "sec": "sec", "csc": "csc",
              "cot": "cot", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
              "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "coth": "coth", "sech": "sech",
              "csch": "csch", "ln": "ln", "log": "log", "lg": "log10", "exp": "exp",
              "max": "max", "min": "min", "sgn": "sign"}
_INVERSE = {"sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot", "sec": "asec",
            "csc": "acsc", "sinh": "asinh", "cosh": "acosh", "tanh": "atanh",
            "coth": "acoth", "sech": "asech", "csch": "acsch"}
_OPERATOR_NAMES = {"arsinh": "asinh", "arcosh": "acosh", "artanh": "atanh",
                   "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh"}
_OPERATORS = {"+": "+", "-": "-", "*": "*", "/": "/", "cdot": "*", "times": "*",
              "div": "/", "ast": "*"}
_SPACES = frozenset(",:; !") | frozenset("""quad qquad thinspace
    medspace thickspace negthinspace negmedspace negthickspace enspace enskip displaystyle
    textstyle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr""".split())
_NAME_STYLES = frozenset("mathrm mathit text textrm textit mathnormal operatorname".split())
_FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_UNICODE = {"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*",
            "\u00f7": "/"}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
_LETTER = re.compile(r"[A-Za-z\u0391-\u03a9\u03b1-\u03c9]")
_DIGITS = "0123456789"
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_DELIMITERS = {"(": ("open", "paren"), ")": ("close", "paren"), "[": ("open", "bracket"),
               "]": ("close", "bracket"), "{": ("open", "brace"), "}": ("close", "brace"),
               "lbrace": ("open", "brace"), "rbrace": ("close", "brace"),
               "lbrack": ("open", "bracket"), "rbrack": ("close", "bracket"),
               "lvert": ("open", "bar"), "rvert": ("close", "bar"), "|": ("bar", "bar"),
               "vert": ("bar", "bar")}

_REFUSED = [
    ("int iint iiint oint", "integrals are not supported; give the function itself"),
    ("sum prod", "sums and products of many terms are not supported; write the terms out"),
    ("lim liminf limsup to rightarrow Rightarrow longrightarrow Longrightarrow mapsto",
     "limits are not supported; give the expression itself"),
    ("infty", "symgd works with finite real numbers"),
    ("partial nabla", "symgd computes the derivatives: give the function itself"),
    ("begin end matrix pmatrix bmatrix cases array substack",
     "environments and matrices are not supported; give one scalar expression"),
    ("binom tbinom dbinom choose", "binomial coefficients are not supported"),
    ("lfloor rfloor lceil rceil", "floor and ceiling are not supported"),
    ("langle rangle", "bra-ket and inner-product brackets are not supported"),
    ("mathbb mathbf mathcal mathfrak mathscr boldsymbol bm vec hat bar overline underline "
     "tilde widetilde widehat dot ddot", "decorated letters are not supported; use a plain "
     "name such as x_1"),
    ("neq ne leq le geq ge lt gt leqslant geqslant approx equiv sim simeq in notin subset "
     "propto", "comparisons are not supported; give the expression to minimize"),
    ("pm mp", "give a single expression, once with + and once with -"),
    ("cdots ldots dots vdots ddots", "write all the terms out"),
    ("prime", "primes are not supported; write the derivative out, or use another name"),
    ("over atop", "write \\frac{a}{b}"),
    ("def edef gdef xdef let input include write immediate openout read newcommand "
     "renewcommand providecommand csname endcsname catcode usepackage documentclass "
     "makeatletter expandafter special jobname futurelet uppercase lowercase",
     "symgd reads formulas, not TeX programs; nothing in the text is run"),
    ("gcd det Pr arg deg dim hom ker inf sup mod bmod pmod", "this function is not supported"),
]
_REFUSALS = {name: hint for names, hint in _REFUSED for name in names.split()}
_CHAR_HINTS = {"'": "primes are not supported; write the derivative out, or use another name",
               "!": "factorials are not supported", "<": "comparisons are not supported",
               ">": "comparisons are not supported", "&": "give a single expression",
               "%": "TeX comments are not supported", "$": "give the formula without $ signs "
               "inside it", "#": "macro parameters are not supported", "@": "",
               ";": "give a single expression", ":": "write \\frac{a}{b} or a / b",
               '"': "", "?": "", "\\": "a lone backslash: a command is \\ and letters"}


@dataclass
class _Tok:
    kind: str        # num word cmd op open close bar , = ^ _ refuse end
    text: str
    pos: int
    spaced: bool = False
    sized: bool = False   # \left or \right
    checked: bool = False  # a run of letters already checked


def looks_like_latex(text: str) -> bool:
    r"""Whether ``text`` is read as LaTeX when ``syntax="auto"``: it has a backslash.

    >>> looks_like_latex(r"\frac{x}{2}"), looks_like_latex("x/2")
    (True, False)
    """
    return "\\" in text


def read_latex(text: str, variables: Iterable[str], constants: Mapping[str, object],
               plain: Callable[..., object]) -> object:
    r"""Read LaTeX ``text`` with the plain reader ``plain(text, variables=, constants=)``.

    ``variables`` are the declared names (a run of letters equal to one is
    that name), ``constants`` the declared constants. ParseErrors of the
    plain reader are reported on ``text``.
    """
    declared = set(variables) | set(constants)
    source, where, names = translate(text, declared)
    if len(source) > MAX_LENGTH:
        raise ParseError(f"written out, this LaTeX is {len(source)} characters long", text[:60],
                         None, f"symgd reads at most {MAX_LENGTH} characters of expression")
    names = [n for n in names if n not in constants and _valid(n)]
    try:
        return plain(source, variables=[*variables, *names], constants=constants)
    except ParseError as err:
        pos = where[min(err.position, len(where) - 1)] if err.position is not None and \
            where else None
        raise ParseError(err.reason, text, pos, err.hint) from None


def _valid(name: str) -> bool:
    try:
        check_name(name)
    except SymgdError:
        return False    # left to the plain reader, which says why
    return True


def translate(text: str, declared: Iterable[str] = ()) -> tuple[str, list[int], list[str]]:
    r"""LaTeX ``text`` in symgd's plain syntax, with the column of each character
    in ``text`` and the names it uses.

    >>> translate(r"f(x, y) = \frac{x^2}{2} + \sin y")[0]
    'f ( x , y ) = ( x ** ( 2 ) )/( 2 ) + sin( y )'
    >>> translate(r"\pi r^2 + x_{1}\cdot\theta")[0]
    'pi * r ** ( 2 ) + x_1 * theta'
    """
    tokens = _tokenize(_strip_math_delimiters(text))
    reader = _Reader(tokens, text, set(declared))
    try:
        pieces = reader.definition()
    except RecursionError:   # pragma: no cover - the depth limit comes first
        raise ParseError("the expression is nested too deeply", text[:60], None,
                         f"symgd allows at most {MAX_DEPTH} levels") from None
    source, where = "", []
    for piece, pos in pieces:   # spaces keep two signs from making one (* * is not **)
        source += piece + " "
        where += [pos] * (len(piece) + 1)
    return source.rstrip(), where[:-1], sorted(reader.names)


def _strip_math_delimiters(text: str) -> str:
    """``$x$``, ``$$x$$``, ``\\(x\\)`` and ``\\[x\\]`` -> ``x`` (kept at the same columns)."""
    s = text.strip()
    lead = len(text) - len(text.lstrip())
    for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if len(s) > len(left) + len(right) - 1 and s.startswith(left) and s.endswith(right):
            inner = s[len(left):len(s) - len(right)]
            return " " * (lead + len(left)) + inner
    return text


# ---------------------------------------------------------------- tokenizer

def _tokenize(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n, spaced = 0, len(text), False
    while i < n:
        ch = text[i]
        if ch.isspace() or ch == "~":
            i, spaced = i + 1, True
            continue
        if ch == "\\":
            name, j = _command_at(text, i)
            if name in _SPACES:
                i, spaced = j, True
                continue
            if name in ("left", "right"):
                tok, j = _sized_delimiter(text, i, j, name)
            else:
                tok = _command_token(name, text, i)
            tok.spaced = spaced
            out.append(tok)
        elif _LETTER.match(ch):
            j = i
            while j < n and _LETTER.match(text[j]):
                j += 1
            out.append(_Tok("word", text[i:j], i, spaced))
        elif ch in _DIGITS or ch == "." and text[i + 1:i + 2] in tuple(_DIGITS):
            m = _NUMBER.match(text, i)
            j = m.end()
            out.append(_Tok("num", m.group(0), i, spaced))
        elif ch in _SUPERSCRIPTS:
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            out += [_Tok("^", "^", i, spaced), _Tok("open", "group", i)]
            for k in range(i, j):
                digit = _SUPERSCRIPTS[text[k]]
                out.append(_Tok("num" if digit.isdigit() else "op", digit, k))
            out.append(_Tok("close", "group", j - 1))
        else:
            out.append(_char_token(ch, text, i, spaced))
            j = i + 1
        i, spaced = j, False
    out.append(_Tok("end", "", n, spaced))
    return out


def _command_at(text: str, i: int) -> tuple[str, int]:
    j = i + 1
    while j < len(text) and text[j].isascii() and text[j].isalpha():
        j += 1
    if j == i + 1:
        if j >= len(text):
            raise ParseError("a lone backslash at the end", text, i,
                             "a LaTeX command is a backslash and letters, e.g. \\frac")
        return text[j], j + 1
    return text[i + 1:j], j


def _sized_delimiter(text: str, i: int, j: int, side: str) -> tuple[_Tok, int]:
    while j < len(text) and text[j].isspace():
        j += 1
    if j >= len(text):
        raise ParseError(f"\\{side} needs a delimiter after it", text, i,
                         f"write \\{side}( or \\{side}|")
    delim, end = _command_at(text, j) if text[j] == "\\" else (text[j], j + 1)
    kind = _DELIMITERS.get(delim)
    if kind is None:
        raise ParseError(f"\\{side}{text[j:end]} is not a delimiter symgd reads", text, i,
                         "use \\left( \\right), \\left[ \\right], \\left\\{ \\right\\} or "
                         "\\left| \\right|")
    role = "open" if side == "left" else "close"
    if kind[0] not in (role, "bar"):
        raise ParseError(f"\\{side} with a {'closing' if role == 'open' else 'opening'} "
                         f"delimiter", text, i, "match \\left( with \\right)")
    return _Tok(role, kind[1], i, sized=True), end


def _command_token(name: str, text: str, i: int) -> _Tok:
    if name in ("{", "}"):
        return _Tok("open" if name == "{" else "close", "brace", i)
    if name in _DELIMITERS and name.isalpha():
        kind = _DELIMITERS[name]
        return _Tok(kind[0], kind[1], i)
    if name in _OPERATORS:
        return _Tok("op", _OPERATORS[name], i)
    return _Tok("cmd", name, i)


_KNOWN = frozenset(_GREEK) | frozenset(_FUNCTIONS) | _NAME_STYLES | _FRACTIONS | {"pi", "sqrt"}


def _refuse_commands(tokens: list[_Tok], text: str) -> None:
    """The first command symgd does not read, named, before anything else is said."""
    for tok in tokens:
        if tok.kind == "cmd" and tok.text not in _KNOWN:
            hint = _REFUSALS.get(tok.text) or {
                "\\": "give a single expression on one line",
                "|": "norms are not supported; write \\left| x \\right| for an absolute value"
            }.get(tok.text, "symgd reads the LaTeX commands listed in its README")
            raise ParseError(f"unsupported LaTeX command '\\{tok.text}'", text, tok.pos, hint)


def _char_token(ch: str, text: str, i: int, spaced: bool) -> _Tok:
    ch = _UNICODE.get(ch, ch)
    if ch in "+-*/":
        return _Tok("op", ch, i, spaced)
    if ch == "π":
        return _Tok("cmd", "pi", i, spaced)
    if ch in _DELIMITERS:
        kind = _DELIMITERS[ch]
        return _Tok(kind[0], kind[1] if ch not in "{}" else "group", i, spaced)
    if ch in ",=^_":
        return _Tok(ch, ch, i, spaced)
    hint = _CHAR_HINTS.get(ch, "use numbers, letters, LaTeX commands, + - * / ^ and groups")
    raise ParseError(f"unexpected character {ch!r}", text, i, hint)


# ----------------------------------------------------------------- groups

def _match_groups(tokens: list[_Tok], text: str) -> dict[int, int]:
    """Index of each opening token -> its closing token; bare bars resolved in place."""
    match: dict[int, int] = {}
    stack: list[tuple[int, list[int]]] = [(-1, [])]
    for k, tok in enumerate(tokens):
        if tok.kind == "open":
            stack[-1][1].append(k)
            stack.append((k, []))
            if len(stack) > MAX_DEPTH + 1:
                raise ParseError("groups are nested too deeply", text, tok.pos,
                                 f"symgd allows at most {MAX_DEPTH} levels")
        elif tok.kind == "close":
            start, level = stack.pop()
            if start < 0:
                raise ParseError(f"unmatched closing {_shown(tok)}", text, tok.pos,
                                 "remove it or add the opening one")
            first = tokens[start]
            if (first.text, first.sized) != (tok.text, tok.sized):
                raise ParseError(f"{_shown(first)} is closed by {_shown(tok)}", text, tok.pos,
                                 "close each group with its own kind of delimiter")
            _resolve_bars(tokens, level, text, match)
            match[start] = k
            stack[-1][1].append(k)
        else:
            stack[-1][1].append(k)
    if len(stack) > 1:
        tok = tokens[stack[-1][0]]
        raise ParseError(f"{_shown(tok)} is never closed", text, tok.pos,
                         "add the closing delimiter")
    _resolve_bars(tokens, stack[0][1], text, match)
    return match


def _shown(tok: _Tok) -> str:
    opening = tok.kind == "open"
    plain = {"paren": "()", "bracket": "[]", "brace": "\\{\\}", "group": "{}",
             "bar": "||"}[tok.text]
    shown = plain[0] if opening else plain[1:] if len(plain) == 2 else plain[2:]
    if tok.text == "brace":
        shown = "\\{" if opening else "\\}"
    return ("\\left" if opening else "\\right") + shown if tok.sized else repr(shown)


def _operand_end(tok: _Tok) -> bool:
    return tok.kind in ("num", "word", "close") or tok.kind == "cmd" and \
        (tok.text in _GREEK or tok.text == "pi")


def _resolve_bars(tokens: list[_Tok], level: list[int], text: str,
                  match: dict[int, int]) -> None:
    """Decide which bare ``|`` of one group level open and which close an absolute value.

    Each bar closes (after an operand, with one open) or opens; the readings
    in which every bar is paired are counted (up to two) by dynamic
    programming over (bar, open bars, role of an adjacent previous bar), so
    ``|x||y|`` is |x|*|y|, ``||x||`` is ||x||, and ``|a|b|c|`` is refused
    as ambiguous.
    """
    bars = [n for n, k in enumerate(level) if tokens[k].kind == "bar"]
    if not bars:
        return
    m, depth_max = len(bars), min(MAX_DEPTH, len(bars))
    adjacent = [i > 0 and bars[i - 1] == bars[i] - 1 for i in range(m)]
    static = [bars[i] > 0 and _operand_end(tokens[level[bars[i] - 1]]) for i in range(m)]
    # ways[i][d][r]: completions of bars i.. with d open, r = previous bar closed
    ways = [[[0, 0] for _ in range(depth_max + 2)] for _ in range(m + 1)]
    ways[m][0] = [1, 1]
    for i in range(m - 1, -1, -1):
        for d in range(min(i, depth_max) + 1):
            for r in (0, 1):
                after = r == 1 if adjacent[i] else static[i]
                total = ways[i + 1][d + 1][0] if d < depth_max else 0
                if after and d > 0:
                    total += ways[i + 1][d - 1][1]
                ways[i][d][r] = min(total, 2)
    first = tokens[level[bars[0]]]
    if ways[0][0][0] == 0:
        raise ParseError("the bars '|' do not pair up", text, first.pos,
                         "put a bar on each side of an absolute value: |x - 1|")
    if ways[0][0][0] > 1:
        raise ParseError("the bars '|' pair up in more than one way", text, first.pos,
                         "write each absolute value as \\left| ... \\right|")
    d, r, opened = 0, 0, []
    for i in range(m):
        after = r == 1 if adjacent[i] else static[i]
        tok = tokens[level[bars[i]]]
        if after and d > 0 and ways[i + 1][d - 1][1]:
            tok.kind, d, r = "close", d - 1, 1
            match[opened.pop()] = level[bars[i]]
        else:
            tok.kind, d, r = "open", d + 1, 0
            opened.append(level[bars[i]])


# ------------------------------------------------------------------ reader

class _Reader:
    """Recursive descent over the tokens, writing plain pieces (text, column)."""

    def __init__(self, tokens: list[_Tok], text: str, declared: set[str]) -> None:
        self.tokens, self.text, self.declared = tokens, text, declared
        _refuse_commands(tokens, text)
        self.match = _match_groups(tokens, text)
        self.k, self.depth = 0, 0
        self.names: set[str] = set()
        self.called: list[tuple[str, int, int]] = []
        self.standalone: set[str] = set()

    # -- helpers
    def peek(self, ahead: int = 0) -> _Tok:
        return self.tokens[min(self.k + ahead, len(self.tokens) - 1)]

    def take(self) -> _Tok:
        tok = self.peek()
        self.k += 1
        return tok

    def fail(self, reason: str, tok: _Tok, hint: str = "") -> ParseError:
        return ParseError(reason, self.text, tok.pos if tok.kind != "end" else None, hint)

    def nest(self, tok: _Tok) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("the expression is nested too deeply", tok,
                            f"symgd allows at most {MAX_DEPTH} levels")

    # -- the whole text
    def definition(self) -> list[tuple[str, int]]:
        equals, depth = [], 0
        for k, t in enumerate(self.tokens):
            depth += (t.kind == "open") - (t.kind == "close")
            if t.kind == "=" and depth == 0:
                equals.append(k)
        if len(equals) > 1:
            raise self.fail("more than one '='", self.tokens[equals[1]],
                            "give one expression, optionally named: z = x^2 + y^2")
        out: list[tuple[str, int]] = []
        if equals:
            out = self._lhs(equals[0])
        body = self.expression()
        end = self.peek()
        if end.kind != "end":
            raise self._unexpected(end)
        for name, pos, _ in self.called:
            if name not in self.standalone and name not in self.declared:
                raise self._not_function(name, pos)
        if not body:
            raise ParseError("the expression is empty", self.text, None,
                             "write an expression such as x^2 + y^2")
        return out + body

    def _lhs(self, eq: int) -> list[tuple[str, int]]:
        hint = ("the left side of '=' must be a name such as z or f(x, y); symgd minimizes "
                "an expression, it does not solve equations")
        name, first = self._lhs_name(hint), self.tokens[0]
        out = [(name, first.pos)]
        if self.k < eq and self.peek().kind == "open" and self.peek().text == "paren":
            out.append(("(", self.take().pos))
            while True:
                out.append((self._lhs_name(hint), self.peek().pos))
                tok = self.take()
                if tok.kind == "close":
                    break
                if tok.kind != ",":
                    raise self.fail("this is not a list of names", tok, hint)
                out.append((",", tok.pos))
            out.append((")", tok.pos))
        if self.k != eq:
            raise self.fail("this is not a name", self.peek(), hint)
        out.append(("=", self.take().pos))
        return out

    def _lhs_name(self, hint: str) -> str:
        tok = self.peek()
        if tok.kind == "word":
            self.take()
            return self._subscripted(tok.text, tok)
        if tok.kind == "cmd" and (tok.text in _GREEK or tok.text in _NAME_STYLES):
            name = self._name_atom()
            if isinstance(name, str):
                return name
        raise self.fail("this is not a name", tok, hint)

    # -- sequences
    def expression(self) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        last: _Tok | None = None
        while True:
            tok = self.peek()
            if tok.kind == "op":
                out.append((tok.text, self.take().pos))
                last = None
            elif self._starts_operand(tok):
                if last is not None:
                    if last.kind == "num" and tok.kind == "num":
                        raise self.fail("two numbers in a row", tok,
                                        f"write {last.text} \\cdot {tok.text}, or one number")
                    out.append(("*", tok.pos))
                out += self.factor()
                last = tok
            else:
                return out

    def _starts_operand(self, tok: _Tok) -> bool:
        return tok.kind in ("num", "word", "open", "cmd")

    def _not_function(self, name: str, pos: int) -> ParseError:
        return ParseError(f"{name!r} is followed by '(' but is not a function symgd knows",
                          self.text, pos, f"for a product write {name} \\cdot (...); "
                          "functions are written \\sin, \\ln, \\operatorname{sigmoid}...")

    def _unexpected(self, tok: _Tok) -> ParseError:
        for name, pos, paren in self.called:
            if tok.kind == "," and paren < self.k < self.match.get(paren, paren):
                return self._not_function(name, pos)
        if tok.kind == "close":
            return self.fail(f"unexpected {_shown(tok)}", tok, "check the groups")
        if tok.kind == ",":
            return self.fail("',' outside a function's arguments", tok,
                             "give a single expression; ',' separates function arguments")
        if tok.kind in "^_":
            return self.fail(f"'{tok.kind}' has nothing before it", tok,
                             "write x^{2} or x_{1}")
        return self.fail(f"unexpected {tok.text!r}", tok, "")

    def factor(self) -> list[tuple[str, int]]:
        tok = self.peek()
        pieces, simple = self.atom()
        if self.peek().kind == "^":
            caret = self.take()
            exponent = self.script(caret, "^")
            if self.peek().kind in "^_":
                raise self.fail("a double superscript or a subscript after a superscript",
                                self.peek(), "write x_{1}^{2}, or group: {x^{2}}^{3}")
            if not simple:
                pieces = [("(", tok.pos), *pieces, (")", tok.pos)]
            pieces += [("**", caret.pos), ("(", caret.pos), *exponent, (")", caret.pos)]
        if self.peek().kind == "_":
            raise self.fail("a subscript needs a letter before it", self.peek(),
                            "write x_{1}")
        return pieces

    # -- atoms: (pieces, whether a power can follow them without parentheses)
    def atom(self) -> tuple[list[tuple[str, int]], bool]:
        tok = self.peek()
        if tok.kind == "num":
            self.take()
            return [(tok.text, tok.pos)], True
        if tok.kind == "word":
            return self._word(), True
        if tok.kind == "open":
            return self._group(), True
        if tok.kind != "cmd":
            raise self._unexpected(tok)
        name = tok.text
        if name in _GREEK or name in _NAME_STYLES:
            result = self._name_atom()
            if isinstance(result, str):
                return self._name(result, tok), True
            return result, True
        if name == "pi":
            self.take()
            return [("pi", tok.pos)], True
        if name in _FRACTIONS:
            return self._fraction(), False
        if name == "sqrt":
            return self._root(), True
        if name in _FUNCTIONS:
            self.take()
            return self._function(_FUNCTIONS[name], tok, name), False
        raise AssertionError(name)  # pragma: no cover - _refuse_commands came first

    def _word(self) -> list[tuple[str, int]]:
        tok = self.peek()
        word = tok.text
        if word in self.declared:
            self.take()
            return self._name(self._subscripted(word, tok), tok)
        if len(word) > 1:
            if not tok.checked:
                self._check_run(tok)
            # one letter now; the rest of the run stays to be read next
            self.tokens[self.k] = _Tok("word", word[1:], tok.pos + 1, checked=True)
            return self._name(word[0], tok)
        self.take()
        return self._name(self._subscripted(word, tok), tok)

    def _check_run(self, tok: _Tok) -> None:
        word = tok.text
        for name in sorted(self.declared, key=len, reverse=True):
            if len(name) > 1 and name in word:
                at = word.index(name)
                raise ParseError(f"'{word}' contains the declared name '{name}'", self.text,
                                 tok.pos + at, "separate the names with spaces: "
                                 f"{' '.join([*word[:at], name, *word[at + len(name):]])}")
        for start in range(len(word)):
            for name in sorted(set(_FUNCTIONS) | set(_GREEK) | {"pi"}, key=len, reverse=True):
                if len(name) > 1 and word.startswith(name, start):
                    what = "a function" if name in _FUNCTIONS else "a constant" if \
                        name == "pi" else "a Greek letter"
                    spaced = " ".join(word)
                    raise ParseError(f"'{word}' contains '{name}', {what}, written without "
                                     "a backslash", self.text, tok.pos + start,
                                     f"write \\{name} for {what}, or {spaced} for a product "
                                     "of letters")

    def _name(self, name: str, tok: _Tok) -> list[tuple[str, int]]:
        nxt = self.peek()
        if nxt.kind == "num" and not nxt.spaced and name[-1].isalpha():
            raise self.fail(f"'{name}{nxt.text}': a letter followed by digits", nxt,
                            f"write {name}_{{{nxt.text}}} for a subscript, or "
                            f"{nxt.text}{name} for a product")
        if nxt.kind == "open" and nxt.text == "paren":
            self.called.append((name, tok.pos, self.k))
        else:
            self.standalone.add(name)
        if name != "e":
            self.names.add(name)
        return [(name, tok.pos)]

    def _subscripted(self, base: str, tok: _Tok) -> str:
        if self.peek().kind != "_":
            return base
        under = self.take()
        nxt = self.peek()
        if nxt.kind == "open" and nxt.text == "group":
            end = self.match[self.k]
            parts = self.tokens[self.k + 1:end]
            if not parts or not all(p.kind in ("word", "num") or p.kind == "cmd" and
                                    p.text in _GREEK for p in parts):
                raise self.fail("a subscript symgd reads is letters and digits", under,
                                "write x_{1}, x_{ij} or a_{2n}; an expression cannot be "
                                "a subscript")
            self.k = end + 1
            sub = "".join(p.text for p in parts)
        elif nxt.kind in ("word", "num") or nxt.kind == "cmd" and nxt.text in _GREEK:
            self.take()
            sub = nxt.text
            if len(sub) > 1 and nxt.kind != "cmd":
                raise self.fail(f"'{base}_{sub}' reads as {base}_{sub[0]} times {sub[1:]}",
                                nxt, f"write {base}_{{{sub}}} (or {base}_{{{sub[0]}}} "
                                f"{sub[1:]})")
        else:
            raise self.fail("a subscript needs letters or digits after '_'", under,
                            "write x_{1}")
        return f"{base}_{sub}"

    def _name_atom(self) -> str | list[tuple[str, int]]:
        """A Greek letter or ``\\mathrm{...}``: a name (str), or pieces for a function/e."""
        tok = self.take()
        if tok.text in _GREEK:
            return self._subscripted(tok.text, tok)
        nxt = self.peek()
        if nxt.kind != "open" or nxt.text != "group":
            raise self.fail(f"\\{tok.text} needs braces", tok, f"write \\{tok.text}{{name}}")
        end = self.match[self.k]
        parts = self.tokens[self.k + 1:end]
        word = "".join(p.text for p in parts)
        if not parts or parts[0].kind != "word" or \
                any(p.kind not in ("word", "num") or p.spaced for p in parts[1:]):
            raise self.fail(f"\\{tok.text}{{...}} must hold one name", nxt,
                            f"write \\{tok.text}{{name}} with letters and digits only")
        self.k = end + 1
        if word == "e" and tok.text != "operatorname":
            return [("exp(1)", tok.pos)]
        function = _OPERATOR_NAMES.get(word, word)
        if function in FUNCTIONS and function not in BARE_SYMBOL_NAMES or \
                tok.text == "operatorname":
            if function not in FUNCTIONS:
                raise self.fail(f"unknown function '\\operatorname{{{word}}}'", tok,
                                "known functions: " + ", ".join(sorted(FUNCTIONS)))
            return self._function(function, tok, word)
        return self._subscripted(word, tok)

    # -- groups, fractions, roots
    def _group(self, wrap: bool = True) -> list[tuple[str, int]]:
        tok = self.take()
        self.nest(tok)
        end = self.match[self.k - 1]
        inner = self.expression()
        if self.k != end:
            raise self._unexpected(self.peek())
        close = self.take()
        if not inner:
            raise self.fail(f"nothing between {_shown(tok)} and {_shown(close)}", tok,
                            "put an expression inside")
        self.depth -= 1
        if tok.text == "bar":
            return [("Abs(", tok.pos), *inner, (")", close.pos)]
        return [("(", tok.pos), *inner, (")", close.pos)] if wrap else inner

    def argument(self, command: _Tok) -> list[tuple[str, int]]:
        """A TeX argument: a braced group, or one digit, letter or symbol command
        (to be put in parentheses by the caller)."""
        tok = self.peek()
        if tok.kind == "open" and tok.text == "group":
            return self._group(wrap=False)
        if tok.kind in ("num", "word") and len(tok.text) > 1:
            self.tokens[self.k] = _Tok(tok.kind, tok.text[1:], tok.pos + 1)
            if tok.kind == "num" and tok.text[1] == ".":
                raise self.fail("a decimal number as an argument without braces", tok,
                                f"write \\{command.text}{{{tok.text}}}")
            return self._name(tok.text[0], tok) if tok.kind == "word" else \
                [(tok.text[0], tok.pos)]
        if tok.kind in ("num", "word", "cmd"):
            return self.atom()[0]
        raise self.fail(f"\\{command.text} needs an argument here", tok,
                        f"write \\{command.text}{{...}}")

    def _fraction(self) -> list[tuple[str, int]]:
        tok = self.take()
        self._refuse_derivative(tok)
        self.nest(tok)
        top = self.argument(tok)
        bottom = self.argument(tok)
        self.depth -= 1
        return [("(", tok.pos), *top, (")/(", tok.pos), *bottom, (")", tok.pos)]

    def _refuse_derivative(self, tok: _Tok) -> None:
        """``\\frac{d}{dx}``, ``\\frac{dy}{dx}``: derivative notation, not d/(d*x)."""
        def first(k: int) -> tuple[int, int]:
            group = self.tokens[k].kind == "open" and self.tokens[k].text == "group"
            return (k + 1 if group else k), self.match.get(k, k) + 1
        top, after = first(self.k)
        bottom, _ = first(min(after, len(self.tokens) - 1))
        words = [self.tokens[top], self.tokens[bottom]]
        if all(t.kind == "word" and t.text.startswith("d") for t in words) and \
                (len(words[1].text) > 1 or self.tokens[bottom + 1].kind == "cmd"):
            raise self.fail("derivative notation d/dx is not supported", tok,
                            "symgd computes the derivatives: give the function itself, "
                            "e.g. symgd diff \"x^2\"")

    def _root(self) -> list[tuple[str, int]]:
        tok = self.take()
        self.nest(tok)
        if self.peek().kind == "open" and self.peek().text == "bracket":
            self.take()
            index = self.expression()
            close = self.take()
            if close.kind != "close" or close.text != "bracket" or not index:
                raise self.fail("\\sqrt[n]{...} needs an index and a ']'", close,
                                "write \\sqrt[3]{x}")
            body = self.argument(tok)
            self.depth -= 1
            return [("((", tok.pos), *body, (")**(1/(", tok.pos), *index, (")))", tok.pos)]
        body = self.argument(tok)
        self.depth -= 1
        return [("sqrt(", tok.pos), *body, (")", tok.pos)]

    # -- functions
    def _function(self, name: str, tok: _Tok, shown: str) -> list[tuple[str, int]]:
        power: list[tuple[str, int]] | None = None
        base: list[tuple[str, int]] | None = None
        inverse = negative = False
        while self.peek().kind in "^_":
            mark = self.take()
            if mark.kind == "^" and power is None and not inverse:
                inverse = self._is_minus_one()
                negative = self._group_starts_with_minus()
                script = self.script(mark, "^")
                power = None if inverse else script
            elif mark.kind == "_" and base is None and name == "log":
                base = self.script(mark, "_")
            else:
                raise self.fail(f"unexpected '{mark.kind}' after \\{shown}", mark,
                                "write \\log_{2} x or \\sin^{2} x")
        if inverse:
            if shown not in _INVERSE:
                raise self.fail(f"\\{shown}^{{-1}} could be the inverse function or 1/\\{shown}",
                                tok, f"write 1/\\{shown}(x) or (\\{shown} x)^{{-1}}")
            name = _INVERSE[shown]
        if power is not None and negative:
            raise self.fail(f"a negative power of \\{shown} is ambiguous", tok,
                            f"write 1/\\{shown}^{{2}}(x) or (\\{shown} x)^{{-2}}")
        if name not in FUNCTIONS:
            raise self.fail(f"'\\{shown}{'^{-1}' if inverse else ''}' is not a function "
                            "symgd knows", tok, "known functions: " + ", ".join(sorted(FUNCTIONS)))
        self.nest(tok)
        args = self._arguments(tok, shown)
        self.depth -= 1
        if base is not None:
            args += [(",", tok.pos), *base]
        call = [(f"{name}(", tok.pos), *args, (")", tok.pos)]
        if power is not None:
            call = [("(", tok.pos), *call, (")**(", tok.pos), *power, (")", tok.pos)]
        return call

    def _is_minus_one(self) -> bool:
        kinds = [(t.kind, t.text) for t in self.tokens[self.k:self.k + 4]]
        return kinds == [("open", "group"), ("op", "-"), ("num", "1"), ("close", "group")]

    def _group_starts_with_minus(self) -> bool:
        return self.peek().kind == "open" and self.peek(1).kind == "op" and \
            self.peek(1).text == "-"

    def _arguments(self, tok: _Tok, shown: str) -> list[tuple[str, int]]:
        nxt = self.peek()
        if nxt.kind == "open" and nxt.text in ("paren", "group"):
            end = self.match[self.k]
            self.take()
            out: list[tuple[str, int]] = []
            while True:
                arg = self.expression()
                if not arg:
                    raise self.fail(f"an empty argument of \\{shown}", self.peek(),
                                    f"write \\{shown}(x)")
                out += arg
                if self.peek().kind == "," and nxt.text == "paren":
                    out.append((",", self.take().pos))
                    continue
                break
            if self.k != end:
                raise self._unexpected(self.peek())
            self.take()
            return out
        return self._bare_argument(tok, shown)

    def _bare_argument(self, tok: _Tok, shown: str) -> list[tuple[str, int]]:
        r"""``\sin x``, ``\ln xy``, ``\sin 2x``, ``\sin \cos x``: the factors up to
        the next operator or function."""
        out: list[tuple[str, int]] = []
        while True:
            nxt = self.peek()
            if not self._starts_operand(nxt):
                break
            is_function = nxt.kind == "cmd" and (nxt.text in _FUNCTIONS or
                                                 nxt.text == "operatorname")
            if out and is_function:
                break
            if out and nxt.kind == "open" and nxt.text == "paren":
                raise self.fail(f"a '(' inside the argument of \\{shown}, which has no "
                                "parentheses", nxt, f"write \\{shown}(...) around the whole "
                                f"argument, or \\{shown}(x) (...) for a product")
            if out:
                out.append(("*", nxt.pos))
            out += self.factor()
            if is_function:
                break
        if not out:
            raise self.fail(f"\\{shown} needs an argument", tok, f"write \\{shown}(x) or "
                            f"\\{shown} x")
        return out

    def script(self, mark: _Tok, kind: str) -> list[tuple[str, int]]:
        """What follows ``^`` (or ``_`` of ``\\log``): a group, one digit, letter or symbol."""
        tok = self.peek()
        if tok.kind == "open" and tok.text in ("group", "paren"):
            return self._group(wrap=False)
        if tok.kind in ("num", "word") and len(tok.text) > 1 and not \
                (tok.kind == "word" and tok.text in self.declared):
            head, rest = tok.text[0], tok.text[1:]
            raise self.fail(f"'{kind}{tok.text}' reads as {kind}{head} followed by {rest}",
                            tok, f"write {kind}{{{tok.text}}} (or {kind}{{{head}}} {rest})")
        if tok.kind in ("num", "word", "cmd"):
            return self.atom()[0]
        if tok.kind == "op" and tok.text in "+-":
            raise self.fail(f"'{kind}' followed by a sign", tok,
                            f"put the exponent in braces: {kind}{{{tok.text}...}}")
        raise self.fail(f"'{kind}' needs something after it", mark, f"write x{kind}{{2}}")
