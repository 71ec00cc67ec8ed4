r"""LaTeX input, read through the same safe parser as plain text.

LaTeX is never evaluated, nor given to SymPy's LaTeX parser: its tokens are
translated into symgd's plain syntax with every product, group and call
written out (``\frac{x^2}{2}`` becomes ``( x ** ( 2 ) )/( 2 )``), which then goes
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

from typing import Callable, Iterable, Mapping

from ..errors import ParseError, SymgdError
from .latex_tokens import (FRACTIONS, GREEK, INVERSES, LATEX_FUNCTIONS, NAME_STYLES,
                           OPERATOR_NAMES, SPELLED, LatexToken, delimiter_text, match_groups,
                           refuse_commands, strip_math_delimiters, tokenize_latex)
from .limits import MAX_DEPTH, MAX_LENGTH
from .names import check_name
from .registry import BARE_SYMBOL_NAMES, FUNCTIONS

__all__ = ["looks_like_latex", "read_latex", "translate", "SYNTAXES"]

#: The values of the ``syntax=`` parameter.
SYNTAXES = ("auto", "plain", "latex")


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
    tokens = tokenize_latex(strip_math_delimiters(text))
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


# ------------------------------------------------------------------ reader

class _Reader:
    """Recursive descent over the tokens, writing plain pieces (text, column)."""

    def __init__(self, tokens: list[LatexToken], text: str, declared: set[str]) -> None:
        self.tokens, self.text, self.declared = tokens, text, declared
        refuse_commands(tokens, text)
        self.match = match_groups(tokens, text)
        self.k, self.depth = 0, 0
        self.names: set[str] = set()
        self.called: list[tuple[str, int, int]] = []
        self.standalone: set[str] = set()

    # -- helpers
    def peek(self, ahead: int = 0) -> LatexToken:
        return self.tokens[min(self.k + ahead, len(self.tokens) - 1)]

    def take(self) -> LatexToken:
        tok = self.peek()
        self.k += 1
        return tok

    def fail(self, reason: str, tok: LatexToken, hint: str = "") -> ParseError:
        return ParseError(reason, self.text, tok.pos if tok.kind != "end" else None, hint)

    def nest(self, tok: LatexToken) -> None:
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
                at = self.peek().pos
                out.append((self._lhs_name(hint), at))
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
            self.k += len(tok.run) or 1
            return self._subscripted(tok.run or tok.text, tok)
        if tok.kind == "cmd" and (tok.text in GREEK or tok.text in NAME_STYLES):
            name = self._name_atom()
            if isinstance(name, str):
                return name
        raise self.fail("this is not a name", tok, hint)

    # -- sequences
    def expression(self) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        last: LatexToken | None = None
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

    def _starts_operand(self, tok: LatexToken) -> bool:
        return tok.kind in ("num", "word", "open", "cmd")

    def _not_function(self, name: str, pos: int) -> ParseError:
        hint = f"for a product write {name} \\cdot (...); functions are written \\sin, " \
            "\\ln, \\operatorname{sigmoid}..."
        if name == "sigma":
            hint = ("for the logistic function write \\operatorname{sigmoid}(x); for a "
                    "product, \\sigma \\cdot (...)")
        return ParseError(f"{name!r} is followed by '(' but is not a function symgd knows",
                          self.text, pos, hint)

    def _unexpected(self, tok: LatexToken) -> ParseError:
        for name, pos, paren in self.called:
            if tok.kind == "," and paren < self.k < self.match.get(paren, paren):
                return self._not_function(name, pos)
        if tok.kind == "close":
            return self.fail(f"unexpected {delimiter_text(tok)}", tok, "check the groups")
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
        if name in GREEK or name in NAME_STYLES:
            result = self._name_atom()
            if isinstance(result, str):
                return self._name(result, tok), True
            return result, True
        if name == "pi":
            self.take()
            return [("pi", tok.pos)], True
        if name in FRACTIONS:
            return self._fraction(), False
        if name == "sqrt":
            return self._root(), True
        if name in LATEX_FUNCTIONS:
            self.take()
            return self._function(LATEX_FUNCTIONS[name], tok, name), False
        raise AssertionError(name)  # pragma: no cover - refuse_commands came first

    def _word(self) -> list[tuple[str, int]]:
        """One letter (a run of letters is their product), or a declared name."""
        tok = self.peek()
        run = tok.run
        if len(run) > 1 and run in self.declared:
            self.k += len(run)
            return self._name(self._subscripted(run, tok), tok)
        if len(run) > 1:
            self._check_run(tok)
        self.take()
        return self._name(self._subscripted(tok.text, tok), tok)

    def _check_run(self, tok: LatexToken) -> None:
        word = tok.run
        for name in sorted(self.declared, key=len, reverse=True):
            if len(name) > 1 and name in word:
                at = word.index(name)
                raise ParseError(f"'{word}' contains the declared name '{name}'", self.text,
                                 tok.pos + at, "separate the names with spaces: "
                                 f"{' '.join([*word[:at], name, *word[at + len(name):]])}")
        m = SPELLED.search(word)
        if m:
            name = m.group(0)
            what = "a function" if name in LATEX_FUNCTIONS else "a constant" if \
                name == "pi" else "a Greek letter"
            raise ParseError(f"'{word}' contains '{name}', {what}, written without a "
                             "backslash", self.text, tok.pos + m.start(),
                             f"write \\{name} for {what}, or {' '.join(word)} for a product "
                             "of letters")

    def _name(self, name: str, tok: LatexToken) -> list[tuple[str, int]]:
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

    def _subscripted(self, base: str, tok: LatexToken) -> str:
        if self.peek().kind != "_":
            return base
        under = self.take()
        nxt = self.peek()
        if nxt.kind == "open" and nxt.text == "group":
            end = self.match[self.k]
            parts = self.tokens[self.k + 1:end]
            if not parts or not all(p.kind in ("word", "num") or p.kind == "cmd" and
                                    p.text in GREEK for p in parts):
                raise self.fail("a subscript symgd reads is letters and digits", under,
                                "write x_{1}, x_{ij} or a_{2n}; an expression cannot be "
                                "a subscript")
            self.k = end + 1
            sub = "".join(p.text for p in parts)
        elif nxt.kind in ("word", "num") or nxt.kind == "cmd" and nxt.text in GREEK:
            self.take()
            sub = nxt.text
            if nxt.kind == "word" and len(nxt.run) > 1:
                sub = nxt.run
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
        if tok.text in GREEK:
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
        function = OPERATOR_NAMES.get(word, word)
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
            raise self.fail(f"nothing between {delimiter_text(tok)} and {delimiter_text(close)}", tok,
                            "put an expression inside")
        self.depth -= 1
        if tok.text == "bar":
            return [("Abs(", tok.pos), *inner, (")", close.pos)]
        return [("(", tok.pos), *inner, (")", close.pos)] if wrap else inner

    def argument(self, command: LatexToken) -> list[tuple[str, int]]:
        """A TeX argument: a braced group, or one digit, letter or symbol command
        (to be put in parentheses by the caller)."""
        tok = self.peek()
        if tok.kind == "open" and tok.text == "group":
            return self._group(wrap=False)
        if tok.kind in ("num", "word") and len(tok.text) > 1:
            self.tokens[self.k] = LatexToken(tok.kind, tok.text[1:], tok.pos + 1)
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

    def _refuse_derivative(self, tok: LatexToken) -> None:
        """``\\frac{d}{dx}``, ``\\frac{dy}{dx}``: derivative notation, not d/(d*x)."""
        def first(k: int) -> tuple[int, int]:
            group = self.tokens[k].kind == "open" and self.tokens[k].text == "group"
            return (k + 1 if group else k), self.match.get(k, k) + 1
        top, after = first(self.k)
        bottom, _ = first(min(after, len(self.tokens) - 1))
        words = [self.tokens[top], self.tokens[bottom]]
        if all(t.kind == "word" and t.text == "d" and t.run for t in words) and \
                (len(words[1].run) > 1 or self.tokens[bottom + 1].kind == "cmd"):
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
    def _function(self, name: str, tok: LatexToken, shown: str) -> list[tuple[str, int]]:
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
            elif mark.kind == "_" and name == "atan":
                if [piece for piece, _ in self.script(mark, "_")] != ["2"]:
                    raise self.fail("a subscript on atan other than 2", mark,
                                    "write \\operatorname{atan2}(y, x)")
                name = "atan2"      # SymPy prints atan2 as \operatorname{atan}_{2}
            else:
                raise self.fail(f"unexpected '{mark.kind}' after \\{shown}", mark,
                                "write \\log_{2} x or \\sin^{2} x")
        if inverse:
            if shown not in INVERSES:
                raise self.fail(f"\\{shown}^{{-1}} could be the inverse function or 1/\\{shown}",
                                tok, f"write 1/\\{shown}(x) or (\\{shown} x)^{{-1}}")
            name = INVERSES[shown]
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

    def _arguments(self, tok: LatexToken, shown: str) -> list[tuple[str, int]]:
        nxt = self.peek()
        inner = self.peek(1)
        if nxt.kind == "open" and nxt.text == "group" and inner.kind == "open" and \
                inner.text == "paren" and self.match.get(self.k + 1) == self.match[self.k] - 1:
            self.take()              # SymPy's printer: \sin{\left(x \right)}
            out = self._arguments(tok, shown)
            self.take()
            return out
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

    def _bare_argument(self, tok: LatexToken, shown: str) -> list[tuple[str, int]]:
        r"""``\sin x``, ``\ln xy``, ``\sin 2x``, ``\sin \cos x``: the factors up to
        the next operator or function."""
        out: list[tuple[str, int]] = []
        while True:
            nxt = self.peek()
            if not self._starts_operand(nxt):
                break
            is_function = nxt.kind == "cmd" and (nxt.text in LATEX_FUNCTIONS or
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

    def script(self, mark: LatexToken, kind: str) -> list[tuple[str, int]]:
        """What follows ``^`` (or ``_`` of ``\\log``): a group, one digit, letter or symbol."""
        tok = self.peek()
        if tok.kind == "open" and tok.text in ("group", "paren"):
            return self._group(wrap=False)
        whole = tok.run if tok.kind == "word" else tok.text
        if tok.kind in ("num", "word") and len(whole) > 1 and whole not in self.declared:
            head, rest = whole[0], whole[1:]
            raise self.fail(f"'{kind}{whole}' reads as {kind}{head} followed by {rest}",
                            tok, f"write {kind}{{{whole}}} (or {kind}{{{head}}} {rest})")
        if tok.kind in ("num", "word", "cmd"):
            return self.atom()[0]
        if tok.kind == "op" and tok.text in "+-":
            raise self.fail(f"'{kind}' followed by a sign", tok,
                            f"put the exponent in braces: {kind}{{{tok.text}...}}")
        raise self.fail(f"'{kind}' needs something after it", mark, f"write x{kind}{{2}}")
