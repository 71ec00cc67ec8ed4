"""A derivative as a student would write it: short, and typed back as is.

:func:`readable` tries a few cheap rewritings (``u·sign(u)`` as
``abs(u)``, ``factor_terms``, ``cancel``, ``factor``, ``together``, a
rational function with its signs turned the natural way round, and ``simplify`` only for small expressions), keeps
the one with the fewest operations, and prints it in the syntax symgd's
parser reads: ``abs(x)`` for ``Abs(x)``, ``x/abs(x)`` for ``sign(x)``,
``(1 + x/abs(x))/2`` for the step ``Heaviside(x)``. The printed text is
parsed back and compared with the expression (:func:`symgd.expr.equal.agree`);
a form that does not read back as the same function is never shown.

Everything runs in this process, so the time is bounded by the size of the
expression and a clock checked between the steps, never by a signal.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Callable

import sympy as sp
from sympy.printing.str import StrPrinter

from ..expr.equal import agree
from ..expr.parse import parse_real
from ..expr.registry import relu, sigmoid, softplus

__all__ = ["readable", "typed"]

_MAX_OPS = 600            # larger expressions are only printed, not rewritten
_MAX_FACTOR_OPS = 150     # cancel, factor and together only below this many operations
_MAX_SIMPLIFY_OPS = 40    # simplify only below this many operations
_CONSTANTS = {"E": sp.E, "pi": sp.pi, "I": sp.I, "oo": sp.oo}
_FUNCTION_NAMES = {"sigmoid": sigmoid, "softplus": softplus, "relu": relu}


class _TypedPrinter(StrPrinter):
    """SymPy's ``str`` with ``abs`` for ``Abs``."""

    def _print_Abs(self, e: sp.Expr) -> str:
        return f"abs({self._print(e.args[0])})"


def typed(expr: sp.Expr) -> str:
    """``expr`` in the syntax symgd's parser reads: ``sign(u)`` as
    ``u/abs(u)``, the step ``Heaviside(u)`` as ``(1 + u/abs(u))/2``.

    >>> x = sp.Symbol("x", real=True)
    >>> typed(sp.sign(x) * sp.Abs(x - 1)), typed(sp.Heaviside(x, 0))
    ('x*abs(x - 1)/abs(x)', 'x/(2*abs(x)) + 1/2')
    """
    rewritten = expr.replace(
        lambda e: isinstance(e, sp.sign),
        lambda e: e.args[0] / sp.Abs(e.args[0])).replace(
        lambda e: isinstance(e, sp.Heaviside),
        lambda e: (1 + e.args[0] / sp.Abs(e.args[0])) / 2)
    return _TypedPrinter().doprint(rewritten)


def readable(expr: sp.Expr | str, seconds: float = 0.5) -> str:
    """The shortest form of ``expr`` found within about ``seconds``, typed.

    A string is read as SymPy prints expressions (every name a real
    symbol, ``sign``, ``Heaviside`` and symgd's own functions known).

    >>> x = sp.Symbol("x", real=True)
    >>> readable(sp.diff(sp.log((1 + x) / (1 - x)), x))
    '2/(1 - x**2)'
    >>> readable("sign(x)"), readable("x*exp(x) + exp(x)")
    ('x/abs(x)', '(x + 1)*exp(x)')
    """
    if isinstance(expr, str):
        return _readable_text(expr, float(seconds))
    return _readable(expr, float(seconds))


@lru_cache(maxsize=256)
def _readable_text(text: str, seconds: float) -> str:
    try:
        expr = _read(text)
    except Exception:      # not SymPy's printing after all: shown as it came
        return text
    return _readable(expr, seconds)


def _read(text: str) -> sp.Expr:
    names: dict[str, object] = {}
    for m in re.finditer(r"[A-Za-z_][A-Za-z_0-9]*", text):
        name = m.group(0)
        called = text[m.end():m.end() + 1] == "("
        if called:
            if name in _FUNCTION_NAMES:
                names[name] = _FUNCTION_NAMES[name]
        elif name in _CONSTANTS:
            names[name] = _CONSTANTS[name]
        else:
            names[name] = sp.Symbol(name, real=True)
    return sp.sympify(text, locals=names)


def _readable(expr: sp.Expr, seconds: float) -> str:
    expr = sp.sympify(expr)
    start = time.monotonic()
    ops = {expr: sp.count_ops(expr)}
    if ops[expr] <= _MAX_OPS:
        steps: list[tuple[int, Callable[[sp.Expr], sp.Expr]]] = [
            (_MAX_OPS, _sign_merged), (_MAX_OPS, sp.factor_terms), (_MAX_FACTOR_OPS, sp.cancel),
            (_MAX_FACTOR_OPS, sp.factor), (_MAX_FACTOR_OPS, sp.together),
            (_MAX_FACTOR_OPS, _signs_turned), (_MAX_SIMPLIFY_OPS, sp.simplify)]
        for limit, step in steps:
            best = min(ops, key=lambda e: ops[e])
            bases = [best] if step is sp.simplify else list(dict.fromkeys([expr, best]))
            for base in bases:
                if ops[base] > limit or time.monotonic() - start > seconds:
                    continue
                try:
                    new = step(base)
                except Exception:      # a rewriting SymPy cannot do here: skipped
                    continue
                if new not in ops:
                    ops[new] = sp.count_ops(new)
    ranked = sorted(ops, key=lambda e: ops[e])
    for e in ranked[:4]:
        shown = typed(e)
        if _reads_back(shown, expr):
            return shown
    return typed(expr)


def _sign_merged(expr: sp.Expr) -> sp.Expr:
    """``u^n·sign(u)`` as ``u^(n-1)·abs(u)``: ``x*sign(x) + abs(x)`` as ``2*abs(x)``."""
    def merged(e: sp.Expr) -> sp.Expr:
        for q in e.args:
            if not isinstance(q, sp.sign):
                continue
            u = q.args[0]
            for p in e.args:
                if p == u or (p.is_Pow and p.base == u and p.exp.is_integer
                              and p.exp.is_positive):
                    return e / (q * u) * sp.Abs(u)
        return e
    return expr.replace(lambda e: e.is_Mul and any(isinstance(q, sp.sign) for q in e.args),
                        merged)


def _signs_turned(expr: sp.Expr) -> sp.Expr:
    """A quotient with its numerator and denominator negated, when that
    removes minus signs: ``-2/(x**2 - 1)`` as ``2/(1 - x**2)``."""
    n, d = sp.fraction(sp.cancel(expr))
    if d == 1:
        return expr
    n, d = sp.expand(-n), sp.expand(-d)
    return sp.Mul(n, sp.Pow(d, -1), evaluate=False) if n.is_Number else n / d


def _reads_back(shown: str, expr: sp.Expr) -> bool:
    try:
        parsed = parse_real(shown, variables=sorted(s.name for s in expr.free_symbols))
        renamed = {s: sp.Symbol(s.name, real=True) for s in expr.free_symbols}
        return agree(parsed, expr.xreplace(renamed)) is True
    except Exception:      # the parser refuses it: another form is shown
        return False
