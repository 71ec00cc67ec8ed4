r"""Step-by-step derivatives: which rule gives each partial derivative.

:func:`explain` differentiates an objective the way a student does on
paper, outside in, naming one rule per line (sum rule, constant multiple,
power, product, quotient and chain rules, the derivatives of exp, log,
trigonometric, hyperbolic and symgd's own functions), and ends in the
simplified derivative. The derivation is computed by applying the rules
(:mod:`symgd.explain.derive`); its result is then checked against
:func:`sympy.diff`, and a disagreement raises (it would be a bug in this
module, never something to hide). Where no check can decide (values such as
``exp(exp(exp(30)))`` that no precision resolves), the derivation says so.

For a data objective (:func:`symgd.mse` and friends) the derivation is the
textbook one: the derivative of :math:`\frac{1}{M}\sum_i \ell_i` is the mean
of the derivatives of the rows' losses, the data being constants; one row's
loss is differentiated by the rules above, and the result is written as a
sum over the rows, e.g. :math:`\frac{2}{M}\sum_i x_i (b + w x_i - y_i)`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import sympy as sp

from ..errors import InputTypeError
from ..objective.core import Objective, as_objective
from .derive import Step, checked, derive, number_words
from .report import Derivation, Explanation, check_format

__all__ = ["explain"]


# ------------------------------------------------------------------ explain

def explain(objective: Any, wrt: str | sp.Symbol | Sequence[str | sp.Symbol] | None = None,
            fmt: str = "text") -> Explanation:
    r"""Explain how each partial derivative is obtained, one rule per step.

    Parameters
    ----------
    objective : str, sympy.Expr, Objective or DataObjective
        Anything :class:`~symgd.Objective` accepts (``"z = x² + xy + y²"``),
        or a data objective such as ``symgd.mse("w*x + b", data)``.
    wrt : str, sympy.Symbol or sequence of them, optional
        The variable(s) to differentiate by; all variables by default, one
        :class:`Derivation` each.
    fmt : {"text", "markdown", "latex"}
        What ``str()`` of the result gives; every format is also available
        from ``.text()``, ``.markdown()`` and ``.latex()``.

    Returns
    -------
    Explanation
        ``.steps`` (structured :class:`Step` objects), ``.result`` (the
        simplified derivative, equal to ``sympy.diff``), and the formatted
        derivation.

    Raises
    ------
    InputError
        If ``wrt`` is not a variable of the objective (the message lists
        them), or ``fmt`` is unknown.

    Notes
    -----
    Functions without a rule of their own (``erf``, ``gamma``, an undefined
    ``f``) are differentiated by SymPy inside a chain-rule step. The result
    of every derivation is checked against ``sympy.diff``; a disagreement
    raises ``RuntimeError``, as a bug in this module. Where the check cannot
    decide, the derivation ends with a sentence saying it could not be
    cross-checked, and why (``Derivation.unchecked``).

    Examples
    --------
    >>> print(explain("x² + xy + y²", wrt="x"))
    ∂f/∂x for f = x**2 + x*y + y**2:
    1. sum rule: ∂/∂x(x**2 + x*y + y**2) = ∂/∂x(x**2) + ∂/∂x(x*y) + ∂/∂x(y**2)
       2. power rule: ∂/∂x(x**2) = 2*x
       3. constant multiple rule: ∂/∂x(x*y) = y*∂x/∂x = y  (treat y as a constant)
       4. constant rule: ∂/∂x(y**2) = 0  (treat y as a constant)
    so ∂f/∂x = 2*x + y
    >>> print(explain("(w*x + b - y)^2", wrt="w"))
    ∂f/∂w for f = (b + w*x - y)**2:
    1. chain rule (power rule): ∂/∂w((b + w*x - y)**2) = 2*u*∂u/∂w  (with u = b + w*x - y)
       2. sum rule: ∂u/∂w = ∂/∂w(b + w*x - y) = ∂/∂w(b - y) + ∂/∂w(w*x)
          3. constant rule: ∂/∂w(b - y) = 0  (treat b and y as constants)
          4. constant multiple rule: ∂/∂w(w*x) = x*∂w/∂w = x  (treat x as a constant)
    so ∂f/∂w = 2*x*(b + w*x - y)
    >>> e = explain("sin(x)/x", fmt="markdown")
    >>> e.steps[0].rule, e.steps[1].label
    ('quotient rule', 'trig rule')
    >>> print(e)
    $\frac{d f}{d x}$ for $f = \frac{\sin{\left(x \right)}}{x}$:
    <BLANKLINE>
    1. **quotient rule**: $\frac{d}{d x}\left(\frac{\sin{\left(x \right)}}{x}\right) = \frac{x \cdot \frac{d}{d x}\left(\sin{\left(x \right)}\right) - \sin{\left(x \right)} \cdot \frac{d x}{d x}}{x^{2}}$
    2. &emsp;**trig rule**: $\frac{d}{d x}\left(\sin{\left(x \right)}\right) = \cos{\left(x \right)}$
    <BLANKLINE>
    so $\frac{d f}{d x} = \frac{x \cos{\left(x \right)} - \sin{\left(x \right)}}{x^{2}}$
    >>> explain("sin(x)^2").result
    2*sin(x)*cos(x)
    """
    fmt = check_format(fmt)
    obj = as_objective(objective)
    targets = _targets(obj, wrt)
    explain_one = _explain_data if obj.per_sample is not None else _explain_expr
    # derived in the real symbols (|u| and sign decisions), handed back in the user's
    return Explanation([_user_derivation(obj, explain_one(obj, v)) for v in targets], fmt)


def _user_derivation(obj: Objective, d: Derivation) -> Derivation:
    """``d`` with its expressions in the user's symbols, each form kept as shown."""
    def user(value: Any) -> Any:
        return obj.user_form(value, keep_form=True)

    steps = tuple(replace(s, expr=user(s.expr), form=user(s.form), result=user(s.result),
                          name=user(s.name), note=tuple(user(p) for p in s.note))
                  for s in d.steps)
    return replace(d, variable=user(d.variable), expr=user(d.expr), steps=steps,
                   result=obj.user_form(d.result), summed=user(d.summed))


def _targets(obj: Objective, wrt: Any) -> list[sp.Symbol]:
    if wrt is None:
        return list(obj.real_symbols)
    if isinstance(wrt, (str, sp.Symbol)):
        wrt = [wrt]
    try:
        wanted = list(wrt)
    except TypeError:
        raise InputTypeError(f"wrt must be a variable name, a SymPy symbol or a list of "
                             f"them; got {type(wrt).__name__} {wrt!r:.40}") from None
    for w in wanted:
        if not isinstance(w, (str, sp.Symbol)):
            raise InputTypeError(f"wrt must name variables; got {type(w).__name__} {w!r:.40}")
    return [obj.real_symbols[obj.index(w)] for w in wanted]


def _taken_names(expr: sp.Expr) -> set[str]:
    names = {str(s) for s in expr.free_symbols}
    names |= {str(b.label) for b in expr.atoms(sp.IndexedBase)}
    return names | {"i", "M"}


def _explain_expr(obj: Objective, var: sp.Symbol) -> Derivation:
    expr = obj.real_expr
    steps, derived = derive(expr, var, _taken_names(expr))
    result, unchecked = checked(derived, sp.diff(expr, var), f"d/d{var} of {expr}")
    return Derivation(var, obj.label, expr, steps, result, partial=obj.n > 1,
                      unchecked=unchecked)


def _explain_data(obj: Objective, var: sp.Symbol) -> Derivation:
    """A data loss's derivative: the sum rule over the rows, then one row's loss."""
    tb = obj.textbook
    scale = 1 / tb.M if tb.mean else sp.S.One
    # x -> x[i]; real, like the data symbols, so that |u| is known real
    indexed = {s: sp.IndexedBase(s.name, real=True)[tb.i] for s in obj.data_symbols}
    row = obj.per_sample.xreplace(indexed)
    shown = scale * sp.Sum(obj.display.xreplace(indexed), (tb.i, 1, tb.M))
    data = list(indexed.values())
    note = ["the derivative of a sum is the sum of the derivatives; the data ",
            *number_words(data), " are constants"]
    if tb.mean:
        note += [", and so is ", tb.M]
    if obj.display != obj.per_sample:
        note += ["; each row's loss is computed as ", row, ", the same function"]
    row_steps, derived = derive(row, var, _taken_names(row))
    plain = {v: k for k, v in indexed.items()}
    d_row, unchecked = checked(derived.xreplace(plain), sp.diff(obj.per_sample, var),
                               f"d/d{var} of {obj.per_sample}")
    result = tb.reduce(d_row)
    summed = scale * sp.Sum(sp.factor_terms(derived), (tb.i, 1, tb.M))
    first = Step("sum rule", scale * sp.Sum(row, (tb.i, 1, tb.M)),
                 scale * sp.Sum(sp.Derivative(row, var), (tb.i, 1, tb.M)), result, 0,
                 complete=False, note=tuple(note))
    steps = (first, *(replace(s, depth=s.depth + 1) for s in row_steps))
    return Derivation(var, obj.label, shown, steps, result, partial=True, summed=summed,
                      unchecked=unchecked)
