"""The builder: Python's parser on placeholder text, then a whitelist walk to SymPy.

Every name and number of the token list is replaced by a placeholder
(``_n0``, ``_c1``), so Python keywords and Unicode never reach
:func:`ast.parse`; the walk accepts only numbers, names, ``+ - * / **``,
unary signs and calls of the functions in :data:`symgd.expr.registry.FUNCTIONS`,
and builds the SymPy expression while bounding nesting, exponents and the
size of every number (see :mod:`symgd.expr.limits`).
"""

from __future__ import annotations

import ast
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Mapping

import sympy as sp

from ..errors import ParseError, truncated
from .limits import MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, MAX_NUMBER_BITS
from .names import CONSTANTS, make_symbol
from .numbers import has_float_value
from .letters import LOG_BASE
from .registry import FUNCTIONS, LARGEST_ARGUMENT
from .tokens import Token

__all__ = ["build"]


def build(tokens: list[Token], text: str, values: Mapping[str, sp.Expr]) -> sp.Expr:
    """The SymPy expression of checked, explicit ``tokens`` typed as ``text``.

    ``values`` are the constants' exact values by name.
    """
    return _Builder(tokens, text, values).build()


# ------------------------------------------------------- long chains

_GROUP = 64   # operands per group when a long + or * chain is regrouped


def _balanced(tokens: list[Token]) -> list[Token]:
    """Regroup long ``+`` and ``*`` chains so the syntax tree stays shallow.

    Python's parser turns ``x1 + x2 + ... + x3000`` into a tree 3000 levels
    deep, which ``ast.parse`` cannot return. Binary ``a - b`` becomes
    ``a + -b`` (equal for every a, b) and every 64 terms (or factors of a
    ``*`` chain) are put in parentheses; ``/`` chains are left as they are.
    """
    out: list[Token] = []
    for k, tok in enumerate(tokens):
        binary_minus = tok.kind == "op" and tok.text == "-" and k and \
            tokens[k - 1].kind in ("num", "name", "const", ")")
        if binary_minus:
            out += [Token("op", "+", tok.pos, tok.spaced), Token("op", "-", tok.pos, False)]
        else:
            out.append(tok)
    if len(out) <= 2 * _GROUP:
        return out
    return _regroup(out)


def _regroup(tokens: list[Token]) -> list[Token]:
    """Regroup at every parenthesis level, from the innermost out."""
    stack: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.kind == "(":
            stack.append([tok])
        elif tok.kind == ")":
            inner = stack.pop()
            stack[-1] += [inner[0], *_group_level(inner[1:]), tok]
        else:
            stack[-1].append(tok)
    return _group_level(stack[0])


def _group_level(tokens: list[Token]) -> list[Token]:
    """Group one level's ``+`` terms, and each term's ``*`` factors."""
    parts = _split_level(tokens, ",")
    grouped = []
    for n, part in enumerate(parts):
        terms = [_group_chain(_split_level(t, "*"), "*") for t in _split_level(part, "+")]
        grouped += ([Token(",", ",", part[0].pos, False)] if n else []) + \
            _group_chain(terms, "+")
    return grouped


def _split_level(tokens: list[Token], op: str) -> list[list[Token]]:
    """Split at binary ``op`` tokens outside parentheses."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for k, tok in enumerate(tokens):
        depth += (tok.kind == "(") - (tok.kind == ")")
        binary = k and tokens[k - 1].kind in ("num", "name", "const", ")")
        if depth == 0 and tok.text == op and tok.kind in ("op", ",") and (binary or op == ","):
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


def _group_chain(operands: list[list[Token]], op: str) -> list[Token]:
    while len(operands) > _GROUP:
        operands = [_parenthesized(_join(operands[k:k + _GROUP], op))
                    for k in range(0, len(operands), _GROUP)]
    return _join(operands, op)


def _join(operands: list[list[Token]], op: str) -> list[Token]:
    out: list[Token] = []
    for n, operand in enumerate(operands):
        if n:
            out.append(Token("op", op, operand[0].pos, False))
        out += operand
    return out


def _parenthesized(tokens: list[Token]) -> list[Token]:
    return [Token("(", "(", tokens[0].pos, False), *tokens,
            Token(")", ")", tokens[-1].pos, False)]


# ----------------------------------------------------------------- builder

class _Builder:
    """Python's parser on placeholder text, then a whitelist walk to SymPy."""

    def __init__(self, tokens: list[Token], text: str,
                 values: Mapping[str, sp.Expr]) -> None:
        self.text = text
        self.values = values
        self.atoms: dict[str, object] = {}
        self.where: dict[str, int] = {}
        self.source = self._placeholders(tokens)

    def _placeholders(self, tokens: list[Token]) -> str:
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
            return CONSTANTS[tok.text]
        return make_symbol(tok.text)

    def _number(self, tok: Token) -> sp.Expr:
        try:
            d = Decimal(tok.text)
        except InvalidOperation:  # pragma: no cover - the tokenizer's regex prevents it
            raise ParseError(f"malformed number {tok.text!r}", self.text, tok.pos) from None
        if d != 0 and not (-308 <= d.adjusted() <= 308 and math.isfinite(float(d))):
            raise ParseError(f"the number {tok.text} is outside the range of float64",
                             self.text, tok.pos, "use numbers between 1e-308 and 1e308")
        sign, digits, exponent = d.as_tuple()
        mantissa = int("".join(map(str, digits)) or "0")
        if len(digits) > MAX_DIGITS:
            raise ParseError(f"the number has {len(digits)} digits", self.text, tok.pos,
                             f"symgd reads at most {MAX_DIGITS} digits")
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
        return self._float64(self._bounded(sp.Mul(number, *factors), node), node)

    def _power(self, node: ast.BinOp, depth: int) -> sp.Expr:
        base = self._node(node.left, depth + 1)
        exponent = self._node(node.right, depth + 1)
        if exponent.is_Number:
            inner = _largest_exponent(base)
            combined = abs(exponent) * inner
            if combined > MAX_EXPONENT:
                combined = float(combined)
                shown = int(combined) if combined.is_integer() else combined
                what = f"the exponent {exponent}" if inner == 1 else \
                    f"a power of a power, with combined exponent {shown},"
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
        return self._float64(self._real(self._sized(sp.Pow(base, exponent), node), node), node)

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
        builder, low, high = _function(tok.text)
        if not low <= len(node.args) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            hint, fixes = f"write {tok.text}({', '.join('xy'[:low])})", ()
            comma = re.search(r"(?<=[0-9]),(?=[0-9])", self.text[tok.pos:])
            if comma is not None:
                at = tok.pos + comma.start()
                fixes = (self.text[:at] + "." + self.text[at + 1:],)
                hint = f"for a decimal, use a point: {fixes[0]}; or {hint}"
            raise ParseError(f"{tok.text}() takes {want} argument{'s' * (high > 1)}, "
                             f"got {len(node.args)}", self.text, tok.pos, hint, fixes)
        args = [self._node(a, depth + 1) for a in node.args]
        largest = LARGEST_ARGUMENT.get(tok.text)
        if largest is not None and any(a.is_Number and abs(a) > largest for a in args):
            raise ParseError(f"{tok.text}() of a number above {largest} overflows float64",
                             self.text, tok.pos, "use smaller arguments")
        try:
            value = builder(*args)
        except (ValueError, TypeError, ArithmeticError) as err:
            raise ParseError(f"{tok.text}() cannot take these arguments ({err})", self.text,
                             tok.pos, "") from None
        value = self._real(value, node)
        if not value.free_symbols and not value.is_Rational and not has_float_value(value):
            raise ParseError(f"{truncated(value)} has no float64 value (it overflows or cannot be "
                             "evaluated)", self.text, tok.pos,
                             "symgd keeps numbers between ~1e-308 and ~1e308")
        return value

    def _float64(self, value: sp.Expr, node: ast.AST) -> sp.Expr:
        """Refuse a constant part with no float64 value (``e^1000``, ``pi^1000``)."""
        if not value.free_symbols and not value.is_Rational and value.is_Number is not True \
                and not has_float_value(value):
            raise ParseError(f"{truncated(value)} has no float64 value (it overflows or cannot "
                             "be evaluated)", self.text, self._position(node),
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


def _function(name: str) -> tuple:
    """The builder and arity of a typed function; ``log_2`` is log to base 2."""
    m = LOG_BASE.match(name)
    if m is None:
        return FUNCTIONS[name]
    base = sp.E if m.group(1) == "e" else sp.Integer(m.group(1))
    if base in (0, 1):
        raise ParseError(f"{name} has no base", name, None, "use a base such as 2 or 10")
    return (lambda u: sp.log(u, base)), 1, 1


def _largest_exponent(expr: sp.Expr) -> float:
    """The largest |n| of a numeric power inside ``expr`` (at least 1)."""
    exps = [abs(p.exp) for p in expr.atoms(sp.Pow) if p.exp.is_Number]
    return float(max(exps, default=1))
