r"""What :func:`symgd.explain` returns: one :class:`Derivation` per variable,
gathered in an :class:`Explanation`, in text, Markdown and LaTeX.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import sympy as sp

from .._report import Report
from ..errors import InputError
from .derive import Step
from .printers import LatexPrinter, TextPrinter, latex_parts, latex_text

__all__ = ["Derivation", "Explanation", "FORMATS", "check_format"]

FORMATS = ("text", "markdown", "latex")
_SHORTHAND_LENGTH = 160  # results printed longer than this also get a short form


# ------------------------------------------------------------ derivations

@dataclass(frozen=True, repr=False)
class Derivation(Report):
    r"""The derivative of one objective with respect to one variable, step by step.

    Attributes
    ----------
    variable : sympy.Symbol
    label : str
        The objective's name (``f``, ``z``, ``L``).
    expr : sympy.Expr
        The objective as shown (for a data objective, the sum over rows).
    steps : tuple of Step
        One rule per step, outside in.
    result : sympy.Expr
        The simplified derivative (for a data objective, the sum over rows
        such as ``2*Sum(x[i]*(b + w*x[i] - y[i]), (i, 1, M))/M``).
    partial : bool
        Whether to write ``∂`` (several variables) or ``d``.
    summed : sympy.Expr or None
        For a data objective, the mean of the rows' derivatives before it is
        simplified.
    unchecked : str or None
        Why the result could not be cross-checked against ``sympy.diff``
        (None when it was).

    Examples
    --------
    >>> from symgd.explain import explain
    >>> d = explain("x^3").derivations[0]
    >>> d
    <Derivation: df/dx = 3*x**2>
    >>> d.to_dict()["steps"]
    [{'rule': 'power rule', 'outer': None, 'depth': 0, 'text': 'd/dx(x**3) = 3*x**2', 'note': ''}]
    """

    variable: sp.Symbol
    label: str
    expr: sp.Expr
    steps: tuple[Step, ...]
    result: sp.Expr
    partial: bool = True
    summed: sp.Expr | None = None
    unchecked: str | None = None

    def caveat(self) -> str | None:
        """The sentence shown when the result could not be cross-checked, else None."""
        if self.unchecked is None:
            return None
        return (f"(this derivation could not be cross-checked numerically against "
                f"sympy.diff: {self.unchecked})")

    # ------------------------------------------------------------- text

    def _name(self, latex: bool = False) -> str:
        d = (r"\partial" if self.partial else "d") if latex else ("∂" if self.partial else "d")
        v = sp.latex(self.variable) if latex else str(self.variable)
        f = sp.latex(sp.Symbol(self.label)) if latex else self.label
        return r"\frac{%s %s}{%s %s}" % (d, f, d, v) if latex else f"{d}{f}/{d}{v}"

    def _lhs(self, step: Step, pr: Any) -> str:
        lhs = pr.doprint(sp.Derivative(step.expr, self.variable))
        if step.name is not None:
            lhs = f"{pr.doprint(sp.Derivative(step.name, self.variable))} = {lhs}"
        return lhs

    def _rhs(self, step: Step, pr: Any) -> str:
        form = pr.doprint(step.form)
        result = pr.doprint(step.result)
        return f"{form} = {result}" if step.complete and result != form else form

    def _equation(self, step: Step, pr: Any) -> tuple[str, str]:
        """A step as text: ``(lhs = rhs, note)``."""
        note = "".join(p if isinstance(p, str) else pr.doprint(p) for p in step.note)
        return f"{self._lhs(step, pr)} = {self._rhs(step, pr)}", note

    def text(self) -> str:
        """Numbered steps in SymPy's str notation, with ``∂`` and ``Σ``."""
        pr = TextPrinter(self.variable, self.partial)
        lines = [f"{self._name()} for {self.label} = {pr.doprint(self.expr)}:"]
        for k, step in enumerate(self.steps, start=1):
            equation, note = self._equation(step, pr)
            line = f"{'   ' * step.depth}{k}. {step.label}: {equation}"
            lines.append(f"{line}  ({note})" if note else line)
        lines.append(f"so {self._name()} = {self._final(pr)}")
        short = self._shorthand_text(pr)
        if short:
            lines.append(f"in short: {short[0]}  with {short[1]}")
        if self.caveat():
            lines.append(self.caveat())
        return "\n".join(lines)

    def _final(self, pr: Any) -> str:
        result = pr.doprint(self.result)
        if self.summed is None:
            return result
        summed = pr.doprint(self.summed)
        return result if summed == result else f"{summed} = {result}"

    def shorthand(self) -> tuple[tuple[tuple[sp.Symbol, sp.Expr], ...], sp.Expr] | None:
        """The result with its repeated parts named, or None when it is short.

        A long result (backpropagation through a network, say) repeats whole
        subexpressions; :func:`sympy.cse` names them ``a1, a2, ...`` (the
        activations), which is how the derivative is read and computed.
        Returns ``(((a1, part), ...), result in terms of a1, a2, ...)``.
        """
        if len(str(self.result)) <= _SHORTHAND_LENGTH:
            return None
        taken = {s.name for s in self.result.free_symbols} | {self.label}
        prefix = next(p for p in ("a", "h", "s", "q") if not any(
            t.startswith(p) and t[1:].isdigit() for t in taken))
        try:
            parts, (short,) = sp.cse(self.result, symbols=sp.numbered_symbols(prefix, start=1),
                                     optimizations=None)
        except Exception:  # noqa: BLE001 - a display aid only; never fail the derivation
            return None
        if not parts:
            return None
        return tuple(parts), short

    def _shorthand_text(self, pr: Any, latex: bool = False) -> str | None:
        found = self.shorthand()
        if found is None:
            return None
        parts, short = found
        sep = r",\ " if latex else ", "
        named = sep.join(f"{pr.doprint(a)} = {pr.doprint(e)}" for a, e in parts)
        return (f"{self._name(latex)} = {pr.doprint(short)}", named)

    def markdown(self) -> str:
        """A numbered list with ``$...$`` math."""
        pr = LatexPrinter(self.variable, self.partial)
        lines = [f"${self._name(latex=True)}$ for "
                 f"${sp.latex(sp.Symbol(self.label))} = {pr.doprint(self.expr)}$:", ""]
        for k, step in enumerate(self.steps, start=1):
            note = "".join(p if isinstance(p, str) else f"${pr.doprint(p)}$"
                           for p in step.note)
            line = (f"{k}. {'&emsp;' * step.depth}**{step.label}**: "
                    f"${self._lhs(step, pr)} = {self._rhs(step, pr)}$")
            lines.append(f"{line} ({note})" if note else line)
        lines += ["", f"so ${self._name(latex=True)} = {self._final(pr)}$"]
        short = self._shorthand_text(pr, latex=True)
        if short:
            lines += ["", f"in short: ${short[0]}$ with ${short[1]}$"]
        if self.caveat():
            lines += ["", self.caveat()]
        return "\n".join(lines)

    def latex(self) -> str:
        r"""An ``align*`` environment: one equation a line, its rule on the right."""
        pr = LatexPrinter(self.variable, self.partial)
        f = sp.latex(sp.Symbol(self.label))
        rows = [f"{f} &= {pr.doprint(self.expr)} && "
                f"{latex_text('find ')}{self._name(latex=True)}"]
        for k, step in enumerate(self.steps, start=1):
            parts = [f"{k}. {step.label}", *(["; ", *step.note] if step.note else [])]
            why = latex_parts(parts, pr)
            lhs = self._lhs(step, pr)
            rows.append(f"{lhs} &= {self._rhs(step, pr)} && {why}")
        rows.append(f"{self._name(latex=True)} &= {self._final(pr)} && {latex_text('so')}")
        found = self.shorthand()
        if found:
            parts, short = found
            rows.append(f"{self._name(latex=True)} &= {pr.doprint(short)} && "
                        f"{latex_text('in short, with')}")
            rows += [f"{pr.doprint(a)} &= {pr.doprint(e)} &&" for a, e in parts]
        if self.caveat():
            rows.append(f"&& {latex_text(self.caveat())}")
        body = " \\\\\n".join(rows)
        return f"\\begin{{align*}}\n{body}\n\\end{{align*}}"


    # ------------------------------------------------------------- data

    def headline(self) -> str:
        """``∂f/∂x = result``, for the short ``repr``."""
        pr = TextPrinter(self.variable, self.partial)
        return f"{self._name()} = {pr.doprint(self.result)}"

    def to_dict(self) -> dict[str, Any]:
        """The derivation as plain data: each step's rule and text, the result
        as text, and the short form of a long result (None when short)."""
        pr = TextPrinter(self.variable, self.partial)
        steps = []
        for step in self.steps:
            equation, note = self._equation(step, pr)
            steps.append({"rule": step.rule, "outer": step.outer, "depth": step.depth,
                          "text": equation, "note": note})
        found = self.shorthand()
        short = None if found is None else {
            "result": pr.doprint(found[1]),
            "with": {pr.doprint(a): pr.doprint(e) for a, e in found[0]}}
        return {"variable": str(self.variable), "label": self.label,
                "expr": pr.doprint(self.expr), "result": pr.doprint(self.result),
                "steps": steps, "short": short, "unchecked": self.unchecked}


class Explanation(Report):
    r"""How each partial derivative of an objective is obtained, rule by rule.

    Returned by :func:`explain`; holds one :class:`Derivation` per variable.

    Attributes
    ----------
    derivations : tuple of Derivation
    fmt : {"text", "markdown", "latex"}
        The format of ``str(explanation)``.

    Examples
    --------
    >>> from symgd.explain import explain
    >>> e = explain("x^2 + x*y + y^2")
    >>> e.results
    (2*x + y, x + 2*y)
    >>> [d.variable for d in e]
    [x, y]
    >>> e
    <Explanation: f with respect to x, y: 8 steps>
    >>> [d["result"] for d in e.to_dict()["derivations"]]
    ['2*x + y', 'x + 2*y']
    """

    def __init__(self, derivations: Sequence[Derivation], fmt: str = "text") -> None:
        self.derivations = tuple(derivations)
        self.fmt = check_format(fmt)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The steps, those of each variable's derivation in turn."""
        return tuple(s for d in self.derivations for s in d.steps)

    @property
    def results(self) -> tuple[sp.Expr, ...]:
        """Each derivation's result, in the order of the variables."""
        return tuple(d.result for d in self.derivations)

    @property
    def result(self) -> sp.Expr | tuple[sp.Expr, ...]:
        """The derivative (one variable), or the gradient as a tuple (several)."""
        return self.results[0] if len(self.derivations) == 1 else self.results

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        """The variables differentiated by, in order."""
        return tuple(d.variable for d in self.derivations)

    def text(self) -> str:
        """Plain text: numbered steps, ``∂`` and SymPy's str forms."""
        return "\n\n".join(d.text() for d in self.derivations)

    def markdown(self) -> str:
        """Markdown: a numbered list per variable, math in ``$...$``."""
        return "\n\n".join(d.markdown() for d in self.derivations)

    def latex(self) -> str:
        """LaTeX: one ``align*`` environment per variable."""
        return "\n".join(d.latex() for d in self.derivations)

    def format(self, fmt: str) -> str:
        """The explanation in ``fmt``: ``"text"``, ``"markdown"`` or ``"latex"``."""
        return {"text": self.text, "markdown": self.markdown,
                "latex": self.latex}[check_format(fmt)]()

    def __str__(self) -> str:
        return self.format(self.fmt)

    def headline(self) -> str:
        """What is differentiated by what, and in how many steps (the short ``repr``)."""
        names = ", ".join(str(v) for v in self.variables)
        return (f"{self.derivations[0].label} with respect to {names}: "
                f"{len(self.steps)} steps")

    def to_dict(self) -> dict[str, Any]:
        """The explanation as plain data: one :meth:`Derivation.to_dict` per variable."""
        return {"label": self.derivations[0].label,
                "variables": [str(v) for v in self.variables],
                "derivations": [d.to_dict() for d in self.derivations]}

    def __iter__(self) -> Iterator[Derivation]:
        return iter(self.derivations)

    def __len__(self) -> int:
        return len(self.derivations)


def check_format(fmt: str) -> str:
    """``fmt`` if it is one of :data:`FORMATS`, else InputError."""
    if fmt not in FORMATS:
        raise InputError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    return fmt

