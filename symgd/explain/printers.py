r"""How derivations print: ordered display forms and the text and LaTeX printers.

A rule turns ``d/dx(expr)`` into a form kept in the order a person writes it
(:class:`Terms`, :class:`Factors`, :class:`Quotient`: SymPy would sort the
terms and factors of an evaluated sum or product). The printers are SymPy's
str and LaTeX printers with ``∂/∂x(...)`` for a derivative still to be
taken, ``Σ_{i=1}^{M}`` for a sum over rows with its constant in front, and
``a = b`` for an equation in a note.
"""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp
from ..expr.printing import NamesLatexPrinter as _SympyLatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from ..expr.registry import OWN_FUNCTIONS

__all__ = ["Terms", "Factors", "Quotient", "TextPrinter", "LatexPrinter", "latex_parts",
           "latex_text"]


# ------------------------------------------------------------ display forms
# What a rule turns d/dx(expr) into, kept in the order a person writes it
# (SymPy would sort the terms and factors of an evaluated sum or product).

class Terms(sp.Expr):
    """An ordered sum ``t1 + t2 - t3``, for display only."""

    is_commutative = True
    precedence = PRECEDENCE["Add"]

    def __new__(cls, *terms: Any) -> Terms:
        return sp.Expr.__new__(cls, *map(sp.sympify, terms))

    def _pieces(self, printer: Any) -> str:
        out = []
        for k, term in enumerate(self.args):
            negative = term.could_extract_minus_sign()
            text = printer.parenthesize(-term if negative else term,
                                        PRECEDENCE["Mul"] if negative else PRECEDENCE["Add"],
                                        strict=True)
            out.append(("-" if negative else "") + text if k == 0 else
                       (" - " if negative else " + ") + text)
        return "".join(out)

    def _sympystr(self, printer: Any) -> str:
        return self._pieces(printer)

    def _latex(self, printer: Any) -> str:
        return self._pieces(printer)


class Factors(sp.Expr):
    """An ordered product ``f1*f2*f3``, for display only."""

    is_commutative = True
    precedence = PRECEDENCE["Mul"]

    def __new__(cls, *factors: Any) -> Factors:
        return sp.Expr.__new__(cls, *map(sp.sympify, factors))

    def _wrapped(self, printer: Any, sep: str, left: str, right: str) -> str:
        out = []
        for k, f in enumerate(self.args):
            text = printer._print(f)
            if needs_parentheses(f, first=k == 0, latex=sep != "*"):
                text = f"{left}{text}{right}"
            out.append(text)
        return sep.join(out)

    def _sympystr(self, printer: Any) -> str:
        return self._wrapped(printer, "*", "(", ")")

    def _latex(self, printer: Any) -> str:
        return self._wrapped(printer, r" \cdot ", r"\left(", r"\right)")


class Quotient(sp.Expr):
    """``numerator / denominator``, unevaluated, for display only."""

    is_commutative = True
    precedence = PRECEDENCE["Mul"]

    def __new__(cls, numerator: Any, denominator: Any) -> Quotient:
        return sp.Expr.__new__(cls, sp.sympify(numerator), sp.sympify(denominator))

    def _sympystr(self, printer: Any) -> str:
        num, den = self.args
        top = printer._print(num)
        if isinstance(num, (Terms, sp.Add)):
            top = f"({top})"
        bottom = printer._print(den)
        if isinstance(den, (sp.Add, sp.Mul, Terms, Factors)):
            bottom = f"({bottom})"
        return f"{top}/{bottom}"

    def _latex(self, printer: Any) -> str:
        num, den = self.args
        return r"\frac{%s}{%s}" % (printer._print(num), printer._print(den))


def needs_parentheses(f: sp.Expr, first: bool, latex: bool) -> bool:
    """Whether a factor of an ordered product needs parentheses."""
    if isinstance(f, (sp.Add, Terms)):
        return True
    if latex:      # fractions are self-delimiting; only a sign in the middle is not
        return not first and f.could_extract_minus_sign()
    if not first and (f.could_extract_minus_sign() or precedence(f) < PRECEDENCE["Mul"]):
        return True
    return (f.is_Mul or f.is_Pow or f.is_Rational) and sp.fraction(f)[1] != 1



# --------------------------------------------------------------- printers

def factor_and_sum(expr: sp.Mul) -> tuple[sp.Expr, sp.Sum] | None:
    """``(c, Σ...)`` for a product with exactly one sum, printed ``c Σ...``
    (the constant in front, as in a textbook); else None."""
    sums = [a for a in expr.args if isinstance(a, sp.Sum)]
    return (expr / sums[0], sums[0]) if len(sums) == 1 else None


class TextPrinter(StrPrinter):
    """SymPy's str forms, with ``∂/∂x(...)``, ``Σ_{i=1}^{M}`` and ``a = b``."""

    def __init__(self, var: sp.Symbol, partial: bool) -> None:
        super().__init__()
        self.var, self.partial = var, partial

    def _d(self, v: sp.Symbol) -> str:
        return "∂" if self.partial and v == self.var else "d"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        (v, _), = expr.variable_count
        d, inner = self._d(v), expr.expr
        if isinstance(inner, (sp.Symbol, sp.Indexed)):
            return f"{d}{self._print(inner)}/{d}{self._print(v)}"
        return f"{d}/{d}{self._print(v)}({self._print(inner)})"

    def _print_Sum(self, expr: sp.Sum) -> str:
        (i, lo, hi), = expr.limits
        body = expr.function
        text = self._print(body)
        if body.is_Add:
            text = f"({text})"
        return f"Σ_{{{self._print(i)}={self._print(lo)}}}^{{{self._print(hi)}}} {text}"

    def _print_Mul(self, expr: sp.Mul) -> str:
        found = factor_and_sum(expr)
        if found is None:
            return super()._print_Mul(expr)
        rest, total = found
        if rest == 1 or rest == -1:
            return ("-" if rest == -1 else "") + self._print(total)
        text = self._print(rest)
        if not rest.is_Atom:
            text = f"({text})"
        return f"{text}*{self._print(total)}"

    def _print_Equality(self, expr: sp.Eq) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"


class LatexPrinter(_SympyLatexPrinter):
    """SymPy's LaTeX, with ``\\frac{\\partial}{\\partial x}\\left(...\\right)``."""

    def __init__(self, var: sp.Symbol, partial: bool) -> None:
        super().__init__()
        self.var, self.partial = var, partial

    def _print(self, expr: Any, **kwargs: Any) -> str:
        # symgd's functions print themselves but take no exponent (sigmoid(x)**2)
        if isinstance(expr, OWN_FUNCTIONS) and "exp" in kwargs:
            return r"%s^{%s}" % (expr._latex(self), kwargs["exp"])
        return super()._print(expr, **kwargs)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        (v, _), = expr.variable_count
        d = r"\partial" if self.partial and v == self.var else "d"
        inner = expr.expr
        if isinstance(inner, (sp.Symbol, sp.Indexed)):
            return r"\frac{%s %s}{%s %s}" % (d, self._print(inner), d, self._print(v))
        return r"\frac{%s}{%s %s}\left(%s\right)" % (d, d, self._print(v), self._print(inner))

    def _print_Mul(self, expr: sp.Mul) -> str:
        found = factor_and_sum(expr)
        if found is None:
            return super()._print_Mul(expr)
        rest, total = found
        if rest == 1 or rest == -1:
            return ("-" if rest == -1 else "") + self._print(total)
        return f"{self._print(rest)} {self._print(total)}"


_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_",
                  "^": r"\^{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "~": r"\~{}"}


def latex_parts(parts: Sequence[Any], printer: Any) -> str:
    """Words and expressions: adjacent words in one ``\\text{}``."""
    out, words = [], ""
    for p in parts:
        if isinstance(p, str):
            words += p
            continue
        if words:
            out.append(latex_text(words))
            words = ""
        out.append(printer._print(p))
    if words:
        out.append(latex_text(words))
    return "".join(out)


def latex_text(text: str) -> str:
    return r"\text{%s}" % "".join(_LATEX_ESCAPES.get(ch, ch) for ch in text)

