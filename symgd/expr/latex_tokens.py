r"""The tokens of LaTeX input, its groups, and the commands symgd reads.

The first stage of :mod:`symgd.expr.latex`: a tokenizer that accepts
letters, digits, the signs of arithmetic, groups and backslash commands
(spacing commands are whitespace, ``\left``/``\right`` make one token with
their delimiter); the refusal, by name, of every command symgd does not
read, before anything else is said; and the pairing of every group, with the
bare bars ``|`` of each group level paired by a bounded search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ParseError
from .limits import MAX_DEPTH

__all__ = ["LatexToken", "tokenize_latex", "strip_math_delimiters", "refuse_commands",
           "match_groups", "delimiter_text", "GREEK", "LATEX_FUNCTIONS", "INVERSES",
           "OPERATOR_NAMES", "NAME_STYLES", "FRACTIONS", "SPELLED", "REFUSALS"]

#: Greek letter commands: each is a name (``\theta`` is ``theta``).
GREEK = """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa
    varkappa lambda mu nu xi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi
    omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega""".split()
#: LaTeX function commands -> the plain name (checked against the registry when used).
LATEX_FUNCTIONS = {"sin": "sin", "cos": "cos", "tan": "tan", "sec": "sec", "csc": "csc",
                   "cot": "cot", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
                   "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "coth": "coth",
                   "sech": "sech", "csch": "csch", "ln": "ln", "log": "log", "lg": "log10",
                   "exp": "exp", "max": "max", "min": "min", "sgn": "sign"}
#: ``\sin^{-1}`` and the like: the inverse function's plain name.
INVERSES = {"sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot", "sec": "asec",
            "csc": "acsc", "sinh": "asinh", "cosh": "acosh", "tanh": "atanh",
            "coth": "acoth", "sech": "asech", "csch": "acsch"}
#: Other spellings of registry functions in ``\operatorname{...}``.
OPERATOR_NAMES = {"arsinh": "asinh", "arcosh": "acosh", "artanh": "atanh",
                  "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh"}
_OPERATORS = {"+": "+", "-": "-", "*": "*", "/": "/", "cdot": "*", "times": "*",
              "div": "/", "ast": "*"}
_SPACES = frozenset(",:; !") | frozenset("""quad qquad thinspace
    medspace thickspace negthinspace negmedspace negthickspace enspace enskip displaystyle
    textstyle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr""".split())
#: Commands whose braced argument is one name (or a function, or ``e``).
NAME_STYLES = frozenset("mathrm mathit text textrm textit mathnormal operatorname".split())
FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_UNICODE = {"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*",
            "\u00f7": "/"}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
_LETTER = re.compile(r"[A-Za-z\u0391-\u03a9\u03b1-\u03c9]")
_DIGITS = "0123456789"
_MAX_BARS = 200          # bare '|' paired up by search in one group
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
REFUSALS = {name: hint for names, hint in _REFUSED for name in names.split()}
_CHAR_HINTS = {"'": "primes are not supported; write the derivative out, or use another name",
               "!": "factorials are not supported", "<": "comparisons are not supported",
               ">": "comparisons are not supported", "&": "give a single expression",
               "%": "TeX comments are not supported", "$": "give the formula without $ signs "
               "inside it", "#": "macro parameters are not supported", "@": "",
               ";": "give a single expression", ":": "write \\frac{a}{b} or a / b",
               '"': "", "?": "", "\\": "a lone backslash: a command is \\ and letters"}


@dataclass
class LatexToken:
    """One token of LaTeX input, with where it was typed."""

    kind: str        # num word cmd op open close bar , = ^ _ end
    text: str
    pos: int
    spaced: bool = False
    sized: bool = False   # \left or \right
    run: str = ""         # on the first letter of a run of letters: the whole run



def strip_math_delimiters(text: str) -> str:
    """``$x$``, ``$$x$$``, ``\\(x\\)`` and ``\\[x\\]`` -> ``x`` (kept at the same columns)."""
    s = text.strip()
    lead = len(text) - len(text.lstrip())
    for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if len(s) > len(left) + len(right) - 1 and s.startswith(left) and s.endswith(right):
            inner = s[len(left):len(s) - len(right)]
            return " " * (lead + len(left)) + inner
    return text


# ---------------------------------------------------------------- tokenizer

def tokenize_latex(text: str) -> list[LatexToken]:
    out: list[LatexToken] = []
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
            out.append(LatexToken("word", text[i], i, spaced, run=text[i:j]))
            out += [LatexToken("word", text[k], k) for k in range(i + 1, j)]
        elif ch in _DIGITS or ch == "." and text[i + 1:i + 2] in tuple(_DIGITS):
            m = _NUMBER.match(text, i)
            j = m.end()
            out.append(LatexToken("num", m.group(0), i, spaced))
        elif ch in _SUPERSCRIPTS:
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            out += [LatexToken("^", "^", i, spaced), LatexToken("open", "group", i)]
            for k in range(i, j):
                digit = _SUPERSCRIPTS[text[k]]
                out.append(LatexToken("num" if digit.isdigit() else "op", digit, k))
            out.append(LatexToken("close", "group", j - 1))
        else:
            out.append(_char_token(ch, text, i, spaced))
            j = i + 1
        i, spaced = j, False
    out.append(LatexToken("end", "", n, spaced))
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


def _sized_delimiter(text: str, i: int, j: int, side: str) -> tuple[LatexToken, int]:
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
    return LatexToken(role, kind[1], i, sized=True), end


def _command_token(name: str, text: str, i: int) -> LatexToken:
    if name in ("{", "}"):
        return LatexToken("open" if name == "{" else "close", "brace", i)
    if name in _DELIMITERS and name.isalpha():
        kind = _DELIMITERS[name]
        return LatexToken(kind[0], kind[1], i)
    if name in _OPERATORS:
        return LatexToken("op", _OPERATORS[name], i)
    return LatexToken("cmd", name, i)


#: Names of functions, Greek letters and pi, which a run of letters may not spell.
SPELLED = re.compile("|".join(sorted((n for n in {*LATEX_FUNCTIONS, *GREEK, "pi"} if len(n) > 1),
                                      key=len, reverse=True)))
_KNOWN = frozenset(GREEK) | frozenset(LATEX_FUNCTIONS) | NAME_STYLES | FRACTIONS | {"pi", "sqrt"}


def refuse_commands(tokens: list[LatexToken], text: str) -> None:
    """The first command symgd does not read, named, before anything else is said."""
    for tok in tokens:
        if tok.kind == "cmd" and tok.text not in _KNOWN:
            hint = REFUSALS.get(tok.text) or {
                "\\": "give a single expression on one line",
                "|": "norms are not supported; write \\left| x \\right| for an absolute value"
            }.get(tok.text, "symgd reads the LaTeX commands listed in its README")
            shown = f"'\\{tok.text}'" if tok.text.isprintable() else \
                f"a backslash before {tok.text!r}"
            raise ParseError(f"unsupported LaTeX command {shown}", text, tok.pos, hint)


def _char_token(ch: str, text: str, i: int, spaced: bool) -> LatexToken:
    ch = _UNICODE.get(ch, ch)
    if ch in "+-*/":
        return LatexToken("op", ch, i, spaced)
    if ch == "π":
        return LatexToken("cmd", "pi", i, spaced)
    if ch in _DELIMITERS:
        kind = _DELIMITERS[ch]
        return LatexToken(kind[0], kind[1] if ch not in "{}" else "group", i, spaced)
    if ch in ",=^_":
        return LatexToken(ch, ch, i, spaced)
    hint = _CHAR_HINTS.get(ch, "use numbers, letters, LaTeX commands, + - * / ^ and groups")
    raise ParseError(f"unexpected character {ch!r}", text, i, hint)


# ----------------------------------------------------------------- groups

def match_groups(tokens: list[LatexToken], text: str) -> dict[int, int]:
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
                raise ParseError(f"unmatched closing {delimiter_text(tok)}", text, tok.pos,
                                 "remove it or add the opening one")
            first = tokens[start]
            if (first.text, first.sized) != (tok.text, tok.sized):
                raise ParseError(f"{delimiter_text(first)} is closed by {delimiter_text(tok)}", text, tok.pos,
                                 "close each group with its own kind of delimiter")
            _resolve_bars(tokens, level, text, match)
            match[start] = k
            stack[-1][1].append(k)
        else:
            stack[-1][1].append(k)
    if len(stack) > 1:
        tok = tokens[stack[-1][0]]
        raise ParseError(f"{delimiter_text(tok)} is never closed", text, tok.pos,
                         "add the closing delimiter")
    _resolve_bars(tokens, stack[0][1], text, match)
    return match


def delimiter_text(tok: LatexToken) -> str:
    opening = tok.kind == "open"
    plain = {"paren": "()", "bracket": "[]", "brace": "\\{\\}", "group": "{}",
             "bar": "||"}[tok.text]
    shown = plain[0] if opening else plain[1:] if len(plain) == 2 else plain[2:]
    if tok.text == "brace":
        shown = "\\{" if opening else "\\}"
    return ("\\left" if opening else "\\right") + shown if tok.sized else repr(shown)


def _operand_end(tok: LatexToken) -> bool:
    return tok.kind in ("num", "word", "close") or tok.kind == "cmd" and \
        (tok.text in GREEK or tok.text == "pi")


def _resolve_bars(tokens: list[LatexToken], level: list[int], text: str,
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
    if len(bars) > _MAX_BARS:
        raise ParseError(f"{len(bars)} bars '|' in one group", text, tokens[level[bars[0]]].pos,
                         f"symgd pairs up at most {_MAX_BARS} bare bars in a group; write "
                         "absolute values as \\left| ... \\right|")
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
