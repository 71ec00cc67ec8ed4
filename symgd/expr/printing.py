r"""LaTeX that keeps names apart: products with a multi-letter name get thin
spaces, so ``w*weight_i`` typesets as :math:`w \, weight_{i}` and not as the
run-together "wweight".

>>> import sympy as sp
>>> w, weight = sp.symbols("w weight")
>>> latex(w * weight + w * sp.Symbol("x"))
'w \\, weight + w x'
>>> latex(2 * sp.Symbol("theta") * sp.Symbol("x"))
'2 \\theta x'
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

__all__ = ["NamesLatexPrinter", "latex", "THIN"]

THIN = r" \, "
_WORD = re.compile(r"^(\\mathrm\{)?[A-Za-z]{2,}")


class NamesLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with a thin space in products that hold a
    multi-letter name (a word such as ``weight``, not a Greek letter)."""

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not any(self._is_word(f) for f in sp.Mul.make_args(expr)):
            return super()._print_Mul(expr)
        saved = self._settings["mul_symbol_latex"]
        self._settings["mul_symbol_latex"] = THIN
        try:
            return super()._print_Mul(expr)
        finally:
            self._settings["mul_symbol_latex"] = saved

    def _is_word(self, factor: Any) -> bool:
        base = factor.base if isinstance(factor, sp.Pow) else factor
        if isinstance(base, sp.Indexed):
            base = base.base.label
        if not isinstance(base, sp.Symbol):
            return False
        return bool(_WORD.match(self._print(base)))


def latex(expr: Any, **settings: Any) -> str:
    """``sympy.latex`` with thin spaces next to multi-letter names."""
    return NamesLatexPrinter(settings).doprint(expr)
