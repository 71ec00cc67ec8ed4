r"""The derivation engine: a derivative taken the way a student does on paper.

Outside in, one textbook rule per node (sum rule, constant multiple, power,
product, quotient and chain rules, and the rule of each function in
:data:`symgd.expr.registry.FUNCTION_RULES`); a function with no rule of its
own is differentiated by SymPy inside a chain-rule step. The nodes are then
listed as :class:`Step` objects, and the derivative they give is checked
against :func:`sympy.diff` by :func:`checked`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from ..expr import natural_key
from ..expr.registry import FUNCTION_RULES, REAL_ARGUMENT_RULES
from .crosscheck import cross_check
from .printers import Factors, Quotient, Terms

__all__ = ["RULES", "Step", "derive", "checked", "number_words"]

#: The rules a step can name (``Step.rule`` or ``Step.outer``).
RULES = (
    "sum rule", "constant rule", "constant multiple rule", "power rule",
    "product rule", "quotient rule", "chain rule", "exp rule", "log rule",
    "base-b log rule", "base-a exponential rule", "general power rule",
    "trig rule", "inverse trig rule", "hyperbolic rule", "inverse hyperbolic rule",
    "abs rule", "sigmoid rule", "softplus rule", "relu rule", "derivative from SymPy",
)

_INNER_NAMES = ("u", "v", "t", "s", "r", "q", "p", "g", "h")
_RATIONAL_OPS = 60      # cancel/factor rational results up to this size (count_ops)


# --------------------------------------------------------------- the steps

@dataclass(frozen=True)
class Step:
    r"""One line of a derivation: one rule applied to one expression.

    Attributes
    ----------
    rule : str
        The rule applied, one of :data:`RULES` (``"chain rule"``,
        ``"power rule"``, ...).
    expr : sympy.Expr
        The expression being differentiated.
    form : sympy.Expr
        What the rule turns its derivative into: derivatives of the parts
        still to be taken appear as unevaluated ``Derivative`` objects
        (printed ``∂/∂x(...)``, or ``∂u/∂x`` for an inner function named
        ``u``).
    result : sympy.Expr
        The derivative of ``expr`` once every part is differentiated.
    depth : int
        0 for the whole objective, 1 for its parts, and so on.
    outer : str or None
        For the chain rule, the rule of the outer function (``"exp rule"``).
    name : sympy.Symbol or None
        ``u`` when ``expr`` is the inner function that a chain rule named ``u``.
    complete : bool
        True when no part of ``form`` needs a step of its own, so the line
        can end in ``result``.
    note : tuple
        Explanation in words: strings and SymPy expressions (``Eq`` for
        ``u = ...``), such as ``("treat ", y, " as a constant")``.
    """

    rule: str
    expr: sp.Expr
    form: sp.Expr
    result: sp.Expr
    depth: int
    outer: str | None = None
    name: sp.Symbol | None = None
    complete: bool = True
    note: tuple = ()

    @property
    def label(self) -> str:
        """The rule as printed: ``"chain rule (power rule)"``."""
        return f"{self.rule} ({self.outer})" if self.outer else self.rule


@dataclass
class _Node:
    """A derivation tree node; the steps are its nodes, outside in."""

    rule: str
    expr: sp.Expr
    form: sp.Expr
    result: sp.Expr
    children: list[_Node] = field(default_factory=list)
    outer: str | None = None
    name: sp.Symbol | None = None
    note: list = field(default_factory=list)
    constants: tuple = ()
    inline: bool = False       # shown inside its parent's line, not as a step


def number_words(items: Sequence[Any]) -> list:
    """``[a, b, c]`` -> ``[a, ", ", b, " and ", c]``."""
    out: list = []
    for k, item in enumerate(items):
        if k:
            out.append(" and " if k == len(items) - 1 else ", ")
        out.append(item)
    return out


def _constant_note(constants: Sequence[sp.Expr]) -> list:
    if not constants:
        return []
    plural = "constants" if len(constants) > 1 else "a constant"
    return ["treat ", *number_words(constants), f" as {plural}"]


def _constants_in(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """The symbols (and indexed data like ``x[i]``) that ``expr`` depends on."""
    indexed = expr.atoms(sp.Indexed)
    hidden = set()
    for item in indexed:
        hidden |= item.free_symbols - {item}
    found = (expr.free_symbols - hidden - set(indexed)) | indexed
    return tuple(sorted(found, key=lambda s: natural_key(str(s))))


def _merge_constants(*groups: Sequence[sp.Expr]) -> tuple[sp.Expr, ...]:
    found = {c for g in groups for c in g}
    return tuple(sorted(found, key=lambda s: natural_key(str(s))))


# ------------------------------------------------------------ the engine

def derive(expr: sp.Expr, var: sp.Symbol,
           taken: set[str] = frozenset()) -> tuple[tuple[Step, ...], sp.Expr]:
    """The steps of ``d expr / d var``, outside in, and the derivative they give.

    ``taken`` are names the inner functions (``u``, ``v``, ...) must not
    use. The derivative is as the rules build it: see :func:`checked`.

    >>> x = sp.Symbol("x", real=True)
    >>> steps, d = derive(sp.sin(x) ** 2, x)
    >>> [s.label for s in steps], d
    (['chain rule (power rule)', 'trig rule'], 2*sin(x)*cos(x))
    """
    root = _Deriver(var, set(taken) | {str(s) for s in expr.free_symbols}).node(expr)
    root.inline = False
    return _steps(root), root.result


class _Deriver:
    """Builds the derivation tree of an expression with respect to ``var``."""

    def __init__(self, var: sp.Symbol, taken: set[str]) -> None:
        self.var = var
        self.taken = set(taken)

    def fresh(self, real: bool) -> sp.Symbol:
        """The next unused name for an inner function: u, v, t, ..., u1, ..."""
        names = (*_INNER_NAMES, *(f"u{k}" for k in range(1, 10_000)))
        name = next(n for n in names if n not in self.taken)
        self.taken.add(name)
        return sp.Symbol(name, real=True) if real else sp.Symbol(name)

    def D(self, expr: sp.Expr) -> sp.Derivative:
        return sp.Derivative(expr, self.var)

    def depends(self, expr: sp.Expr) -> bool:
        return self.var in expr.free_symbols

    # ---------------------------------------------------------- dispatch

    def node(self, expr: sp.Expr) -> _Node:
        if not self.depends(expr):
            return self.constant(expr)
        if expr == self.var:
            return _Node("power rule", expr, sp.S.One, sp.S.One, inline=True)
        if expr.is_Add:
            return self.sum(expr)
        if expr.is_Mul:
            return self.product(expr)
        if expr.is_Pow:
            return self.power(expr)
        if type(expr) in REAL_ARGUMENT_RULES and expr.args[0].is_extended_real:
            rule, outer = REAL_ARGUMENT_RULES[type(expr)]      # |u|' = sign(u)
            return self.chain(expr, expr.args[0], rule, outer)
        if isinstance(expr, sp.Function) and type(expr) in FUNCTION_RULES:
            rule, outer = FUNCTION_RULES[type(expr)]
            return self.chain(expr, expr.args[0], rule, outer)
        if isinstance(expr, sp.Function):
            return self.function(expr)
        return self.sympy(expr)

    def constant(self, expr: sp.Expr) -> _Node:
        constants = _constants_in(expr)
        return _Node("constant rule", expr, sp.S.Zero, sp.S.Zero,
                     constants=constants, inline=not constants)

    # ---------------------------------------------------------- sums

    def sum(self, expr: sp.Expr) -> _Node:
        terms = expr.as_ordered_terms()
        fixed = sp.Add(*(t for t in terms if not self.depends(t)))
        first_fixed = next((k for k, t in enumerate(terms) if not self.depends(t)), None)
        children, form, result = [], [], []
        note: list = []
        for k, t in enumerate(terms):
            if not self.depends(t):
                if k != first_fixed:
                    continue       # the constant terms are taken together, once
                if not fixed.free_symbols:    # a number: say so, not d/dx(1)
                    note = ["the constant term ", fixed, " has derivative 0"]
                    continue
                negative = fixed.could_extract_minus_sign()
                child = self.constant(-fixed if negative else fixed)
                children.append(child)
                form.append(-self.D(child.expr) if negative else self.D(child.expr))
                continue
            negative = t.could_extract_minus_sign()
            child = self.node(-t if negative else t)
            children.append(child)
            form.append(-self.D(child.expr) if negative else self.D(child.expr))
            result.append(-child.result if negative else child.result)
        return _Node("sum rule", expr, Terms(*form), sp.Add(*result), children, note=note)

    # ---------------------------------------------------------- products

    def product(self, expr: sp.Expr) -> _Node:
        c, dep = expr.as_independent(self.var, as_Mul=True)
        if isinstance(dep, sp.log) and c != 1:
            logbase = self.log_base(expr, c, dep)
            if logbase is not None:
                return logbase
        if c != 1:
            return self.constant_multiple(expr, c, dep)
        factors = list(sp.Mul.make_args(dep))
        below = [f for f in factors if f.is_Pow and f.exp.is_Number and f.exp.is_negative]
        above = [f for f in factors if f not in below]
        if below and above:
            return self.quotient(expr, sp.Mul(*above), sp.Mul(*(1 / f for f in below)))
        return self.product_rule(expr, factors)

    def constant_multiple(self, expr: sp.Expr, c: sp.Expr, dep: sp.Expr) -> _Node:
        child = self.node(dep)
        child.inline = child.inline or dep == self.var
        form = -self.D(dep) if c == -1 else Factors(c, self.D(dep))
        return _Node("constant multiple rule", expr, form, c * child.result, [child],
                     constants=_constants_in(c))

    def product_rule(self, expr: sp.Expr, factors: list[sp.Expr]) -> _Node:
        children = [self.node(f) for f in factors]
        terms, result = [], []
        for k, child in enumerate(children):
            others = factors[:k] + factors[k + 1:]
            terms.append(Factors(*factors[:k], self.D(factors[k]), *factors[k + 1:]))
            result.append(sp.Mul(*others) * child.result)
        return _Node("product rule", expr, Terms(*terms), sp.Add(*result), children)

    def quotient(self, expr: sp.Expr, u: sp.Expr, v: sp.Expr) -> _Node:
        du, dv = self.node(u), self.node(v)
        top = Terms(Factors(v, self.D(u)), -Factors(u, self.D(v)))
        form = Quotient(top, sp.Pow(v, 2, evaluate=False))
        result = (v * du.result - u * dv.result) / v ** 2
        return _Node("quotient rule", expr, form, result, [du, dv])

    def log_base(self, expr: sp.Expr, c: sp.Expr, log: sp.log) -> _Node | None:
        """``log(u)/log(b)`` (SymPy's form of log_b(u)) by the base-b log rule."""
        for f in sp.Mul.make_args(c):
            if f.is_Pow and f.exp == -1 and isinstance(f.base, sp.log):
                base, rest = f.base.args[0], c / f
                if rest != 1:      # 3*log_b(u): a constant multiple of log_b(u)
                    return self.constant_multiple(expr, rest, log * f)
                return self.chain(expr, log.args[0], "base-b log rule",
                                  lambda u: 1 / (u * sp.log(base)),
                                  note=["log(u)/log(", base, ") is the base-", base,
                                        " logarithm"])
        return None

    # ---------------------------------------------------------- powers

    def power(self, expr: sp.Pow) -> _Node:
        base, n = expr.base, expr.exp
        if not self.depends(n):
            note = [] if n.is_Integer and n > 0 else ["n = ", n]
            return self.chain(expr, base, "power rule", lambda u: n * u ** (n - 1),
                              note=note, constants=_constants_in(n))
        if not self.depends(base):
            return self.chain(expr, n, "base-a exponential rule",
                              lambda u: base ** u * sp.log(base),
                              constants=_constants_in(base))
        # u**v = exp(v*log(u)): logarithmic differentiation
        inner = n * sp.log(base)
        child = self.node(inner)
        written = sp.Eq(expr, sp.exp(sp.Mul(n, sp.log(base), evaluate=False),
                                     evaluate=False), evaluate=False)
        return _Node("general power rule", expr, Factors(expr, self.D(inner)),
                     expr * child.result, [child], note=["write ", written])

    # ---------------------------------------------------------- functions

    def chain(self, expr: sp.Expr, inner: sp.Expr, rule: str,
              outer: Callable[[sp.Expr], sp.Expr], note: list | None = None,
              constants: tuple = (), by_subs: bool = False) -> _Node:
        """``f(inner)``: the rule itself, or the chain rule with u = inner."""
        note = list(note or [])
        if inner == self.var:
            d = outer(inner)
            return _Node(rule, expr, d, d, note=note, constants=constants)
        u = self.fresh(real=bool(inner.is_extended_real))
        du = self.node(inner)
        du.name = u
        # u = c*x: du/dx = c, said in this line
        du.inline = inner.is_Mul and inner.as_independent(self.var, as_Mul=True)[1] == self.var
        at_u = outer(u)
        d = at_u.subs(u, inner) if by_subs else outer(inner)
        note = note + ([", "] if note else []) + ["with ", sp.Eq(u, inner, evaluate=False)]
        if du.inline:
            note += [", ", sp.Eq(self.D(u), du.result, evaluate=False)]
            constants = _merge_constants(constants, du.constants)
        return _Node("chain rule", expr, Factors(at_u, self.D(u)), d * du.result, [du],
                     outer=rule, note=note, constants=constants)

    def function(self, expr: sp.Function) -> _Node:
        """A function symgd has no rule for: its derivative from SymPy."""
        varying = [k for k, a in enumerate(expr.args) if self.depends(a)]
        if len(varying) != 1:
            return self.sympy(expr)
        k = varying[0]
        inner = expr.args[k]

        def outer(u: sp.Expr) -> sp.Expr:
            args = list(expr.args)
            args[k] = u
            return sp.diff(expr.func(*args), u)

        try:
            probe = self.fresh(real=bool(inner.is_extended_real))
            self.taken.discard(probe.name)
            name = type(expr).__name__
            d_outer = outer(probe)
            eq = sp.Eq(sp.Derivative(expr.func(*[probe if j == k else a
                                                   for j, a in enumerate(expr.args)]),
                                     probe), d_outer, evaluate=False)
        except Exception:       # an exotic function SymPy cannot take apart
            return self.sympy(expr)
        if d_outer.has(sp.Derivative, sp.Subs) and not isinstance(expr, AppliedUndef):
            return self.sympy(expr)     # e.g. |u| for a u that may be complex
        if inner == self.var:
            return _Node("derivative from SymPy", expr, d_outer.subs(probe, inner),
                         d_outer.subs(probe, inner),
                         note=[f"symgd has no rule of its own for {name}"])
        note = [f"symgd has no rule for {name}"]
        if not isinstance(d_outer, sp.Derivative):    # an undefined f stays f'(u)
            note += ["; SymPy gives ", eq]
        return self.chain(expr, inner, "derivative from SymPy", outer, by_subs=True,
                          note=note)

    def sympy(self, expr: sp.Expr) -> _Node:
        d = sp.diff(expr, self.var)
        return _Node("derivative from SymPy", expr, d, d,
                     note=[f"symgd has no rule of its own for {type(expr).__name__}"])


def _steps(root: _Node) -> tuple[Step, ...]:
    """The nodes outside in (preorder), skipping those shown inline."""
    steps: list[Step] = []

    def visit(node: _Node, depth: int) -> None:
        shown = [c for c in node.children if not c.inline]
        note = list(node.note)
        if node.constants:
            note += (["; "] if note else []) + _constant_note(node.constants)
        # SymPy distributes numbers over sums (2*(b + x) -> 2*b + 2*x): undo it
        result = sp.factor_terms(node.result) if not shown else node.result
        steps.append(Step(node.rule, node.expr, node.form, result, depth, node.outer,
                          node.name, complete=not shown, note=tuple(note)))
        for child in shown:
            visit(child, depth + 1)

    visit(root, 0)
    return tuple(steps)


# -------------------------------------------------- simplifying, checking

def _tidy(expr: sp.Expr) -> sp.Expr:
    """The shortest of a few equivalent forms (by SymPy's count of operations).

    ``sympy.simplify`` is not among them: it can take seconds on a small
    derivative. A rational function is also tried cancelled and factored.
    """
    candidates = [expr, sp.factor_terms(expr)]
    if expr.is_rational_function() and sp.count_ops(expr) <= _RATIONAL_OPS:
        candidates += [sp.cancel(expr), sp.factor(expr)]
    return min(candidates, key=sp.count_ops)


def checked(derived: sp.Expr, expected: sp.Expr, what: str) -> tuple[sp.Expr, str | None]:
    """The tidied derivative, after checking it against SymPy's, and why it
    could not be checked (None when it was).

    A reliable disagreement raises: it is a bug in this module, never
    something to hide. See :func:`~symgd.explain.crosscheck.cross_check`.
    """
    tidy = _tidy(derived)
    verdict, why = cross_check(tidy, expected)
    if verdict is None:
        return tidy, why
    if verdict:
        return tidy, None
    raw, why = cross_check(derived, expected)
    if raw is not False:                     # tidying changed a branch: keep it raw
        return derived, None if raw else why
    raise RuntimeError(f"symgd.explain derived {derived} for {what}, but sympy.diff gives "
                       f"{expected}; this is a bug in symgd.explain, please report it")
