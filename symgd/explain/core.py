r"""Step-by-step derivatives: which rule gives each partial derivative.

:func:`explain` differentiates an objective the way a student does on
paper, outside in, naming one rule per line (sum rule, constant multiple,
power, product, quotient and chain rules, the derivatives of exp, log,
trigonometric, hyperbolic and symgd's own functions), and ends in the
simplified derivative. The derivation is computed by applying the rules;
its result is then checked against :func:`sympy.diff`, and a disagreement
raises (it would be a bug in this module, never something to hide).

For a data objective (:func:`symgd.mse` and friends) the derivation is the
textbook one: the derivative of :math:`\frac{1}{M}\sum_i \ell_i` is the mean
of the derivatives of the rows' losses, the data being constants; one row's
loss is differentiated by the rules above, and the result is written as a
sum over the rows, e.g. :math:`\frac{2}{M}\sum_i x_i (b + w x_i - y_i)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from ..errors import InputError, InputTypeError
from ..expr.registry import relu, sigmoid, softplus
from ..data.losses import DataObjective
from ..expr.equal import agree
from ..objective.core import Objective, natural_key

__all__ = ["explain", "Explanation", "Derivation", "Step", "RULES", "FORMATS"]

FORMATS = ("text", "markdown", "latex")

#: The rules a step can name (``Step.rule`` or ``Step.outer``).
RULES = (
    "sum rule", "constant rule", "constant multiple rule", "power rule",
    "product rule", "quotient rule", "chain rule", "exp rule", "log rule",
    "base-b log rule", "base-a exponential rule", "general power rule",
    "trig rule", "inverse trig rule", "hyperbolic rule", "inverse hyperbolic rule",
    "abs rule", "sigmoid rule", "softplus rule", "relu rule", "derivative from SymPy",
)

_INNER_NAMES = ("u", "v", "t", "s", "r", "q", "p", "g", "h")
_SHORTHAND_LENGTH = 160  # results printed longer than this also get a short form
_RATIONAL_OPS = 60      # cancel/factor rational results up to this size (count_ops)


# ------------------------------------------------------------ display forms
# What a rule turns d/dx(expr) into, kept in the order a person writes it
# (SymPy would sort the terms and factors of an evaluated sum or product).

class _Terms(sp.Expr):
    """An ordered sum ``t1 + t2 - t3``, for display only."""

    is_commutative = True
    precedence = PRECEDENCE["Add"]

    def __new__(cls, *terms: Any) -> _Terms:
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


class _Factors(sp.Expr):
    """An ordered product ``f1*f2*f3``, for display only."""

    is_commutative = True
    precedence = PRECEDENCE["Mul"]

    def __new__(cls, *factors: Any) -> _Factors:
        return sp.Expr.__new__(cls, *map(sp.sympify, factors))

    def _wrapped(self, printer: Any, sep: str, left: str, right: str) -> str:
        out = []
        for k, f in enumerate(self.args):
            text = printer._print(f)
            if _needs_parentheses(f, first=k == 0, latex=sep != "*"):
                text = f"{left}{text}{right}"
            out.append(text)
        return sep.join(out)

    def _sympystr(self, printer: Any) -> str:
        return self._wrapped(printer, "*", "(", ")")

    def _latex(self, printer: Any) -> str:
        return self._wrapped(printer, r" \cdot ", r"\left(", r"\right)")


class _Quotient(sp.Expr):
    """``numerator / denominator``, unevaluated, for display only."""

    is_commutative = True
    precedence = PRECEDENCE["Mul"]

    def __new__(cls, numerator: Any, denominator: Any) -> _Quotient:
        return sp.Expr.__new__(cls, sp.sympify(numerator), sp.sympify(denominator))

    def _sympystr(self, printer: Any) -> str:
        num, den = self.args
        top = printer._print(num)
        if isinstance(num, (_Terms, sp.Add)):
            top = f"({top})"
        bottom = printer._print(den)
        if isinstance(den, (sp.Add, sp.Mul, _Terms, _Factors)):
            bottom = f"({bottom})"
        return f"{top}/{bottom}"

    def _latex(self, printer: Any) -> str:
        num, den = self.args
        return r"\frac{%s}{%s}" % (printer._print(num), printer._print(den))


def _needs_parentheses(f: sp.Expr, first: bool, latex: bool) -> bool:
    """Whether a factor of an ordered product needs parentheses."""
    if isinstance(f, (sp.Add, _Terms)):
        return True
    if latex:      # fractions are self-delimiting; only a sign in the middle is not
        return not first and f.could_extract_minus_sign()
    if not first and (f.could_extract_minus_sign() or precedence(f) < PRECEDENCE["Mul"]):
        return True
    return (f.is_Mul or f.is_Pow or f.is_Rational) and sp.fraction(f)[1] != 1


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


def _number_words(items: Sequence[Any]) -> list:
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
    return ["treat ", *_number_words(constants), f" as {plural}"]


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


# ------------------------------------------------------------------ rules

def _table() -> dict[type, tuple[str, Callable[[sp.Expr], sp.Expr]]]:
    """Function -> (rule, derivative of f at u). Where a textbook form could
    differ from SymPy's off the real domain (acosh, asec...), SymPy's is used."""
    S = sp.sqrt
    return {
        sp.exp: ("exp rule", sp.exp),
        sp.log: ("log rule", lambda u: 1 / u),
        sp.sin: ("trig rule", sp.cos),
        sp.cos: ("trig rule", lambda u: -sp.sin(u)),
        sp.tan: ("trig rule", lambda u: sp.sec(u) ** 2),
        sp.cot: ("trig rule", lambda u: -sp.csc(u) ** 2),
        sp.sec: ("trig rule", lambda u: sp.sec(u) * sp.tan(u)),
        sp.csc: ("trig rule", lambda u: -sp.csc(u) * sp.cot(u)),
        sp.asin: ("inverse trig rule", lambda u: 1 / S(1 - u ** 2)),
        sp.acos: ("inverse trig rule", lambda u: -1 / S(1 - u ** 2)),
        sp.atan: ("inverse trig rule", lambda u: 1 / (u ** 2 + 1)),
        sp.acot: ("inverse trig rule", lambda u: -1 / (u ** 2 + 1)),
        sp.asec: ("inverse trig rule", lambda u: 1 / (u ** 2 * S(1 - 1 / u ** 2))),
        sp.acsc: ("inverse trig rule", lambda u: -1 / (u ** 2 * S(1 - 1 / u ** 2))),
        sp.sinh: ("hyperbolic rule", sp.cosh),
        sp.cosh: ("hyperbolic rule", sp.sinh),
        sp.tanh: ("hyperbolic rule", lambda u: 1 - sp.tanh(u) ** 2),
        sp.coth: ("hyperbolic rule", lambda u: -1 / sp.sinh(u) ** 2),
        sp.sech: ("hyperbolic rule", lambda u: -sp.tanh(u) * sp.sech(u)),
        sp.csch: ("hyperbolic rule", lambda u: -sp.coth(u) * sp.csch(u)),
        sp.asinh: ("inverse hyperbolic rule", lambda u: 1 / S(u ** 2 + 1)),
        sp.acosh: ("inverse hyperbolic rule", lambda u: 1 / (S(u - 1) * S(u + 1))),
        sp.atanh: ("inverse hyperbolic rule", lambda u: 1 / (1 - u ** 2)),
        sp.acoth: ("inverse hyperbolic rule", lambda u: 1 / (1 - u ** 2)),
        sigmoid: ("sigmoid rule", lambda u: sigmoid(u) * (1 - sigmoid(u))),
        softplus: ("softplus rule", sigmoid),
        relu: ("relu rule", lambda u: sp.Heaviside(u, 0)),
    }


_FUNCTION_RULES = _table()


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
        if isinstance(expr, sp.Abs) and expr.args[0].is_extended_real:
            return self.chain(expr, expr.args[0], "abs rule", sp.sign)
        if isinstance(expr, sp.Function) and type(expr) in _FUNCTION_RULES:
            rule, outer = _FUNCTION_RULES[type(expr)]
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
        return _Node("sum rule", expr, _Terms(*form), sp.Add(*result), children, note=note)

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
        form = -self.D(dep) if c == -1 else _Factors(c, self.D(dep))
        return _Node("constant multiple rule", expr, form, c * child.result, [child],
                     constants=_constants_in(c))

    def product_rule(self, expr: sp.Expr, factors: list[sp.Expr]) -> _Node:
        children = [self.node(f) for f in factors]
        terms, result = [], []
        for k, child in enumerate(children):
            others = factors[:k] + factors[k + 1:]
            terms.append(_Factors(*factors[:k], self.D(factors[k]), *factors[k + 1:]))
            result.append(sp.Mul(*others) * child.result)
        return _Node("product rule", expr, _Terms(*terms), sp.Add(*result), children)

    def quotient(self, expr: sp.Expr, u: sp.Expr, v: sp.Expr) -> _Node:
        du, dv = self.node(u), self.node(v)
        top = _Terms(_Factors(v, self.D(u)), -_Factors(u, self.D(v)))
        form = _Quotient(top, sp.Pow(v, 2, evaluate=False))
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
        return _Node("general power rule", expr, _Factors(expr, self.D(inner)),
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
        return _Node("chain rule", expr, _Factors(at_u, self.D(u)), d * du.result, [du],
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


def _checked(derived: sp.Expr, expected: sp.Expr, what: str) -> sp.Expr:
    """The tidied derivative, after checking it against SymPy's."""
    tidy = _tidy(derived)
    if agree(tidy, expected) is not False:
        return tidy
    if agree(derived, expected) is not False:    # tidying changed a branch: keep it raw
        return derived
    raise RuntimeError(f"symgd.explain derived {derived} for {what}, but sympy.diff gives "
                       f"{expected}; this is a bug in symgd.explain, please report it")


# --------------------------------------------------------------- printers

def _factor_and_sum(expr: sp.Mul) -> tuple[sp.Expr, sp.Sum] | None:
    """``(c, Σ...)`` for a product with exactly one sum, printed ``c Σ...``
    (the constant in front, as in a textbook); else None."""
    sums = [a for a in expr.args if isinstance(a, sp.Sum)]
    return (expr / sums[0], sums[0]) if len(sums) == 1 else None


class _TextPrinter(StrPrinter):
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
        found = _factor_and_sum(expr)
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


class _LatexPrinter(LatexPrinter):
    """SymPy's LaTeX, with ``\\frac{\\partial}{\\partial x}\\left(...\\right)``."""

    def __init__(self, var: sp.Symbol, partial: bool) -> None:
        super().__init__()
        self.var, self.partial = var, partial

    def _print(self, expr: Any, **kwargs: Any) -> str:
        # symgd's functions print themselves but take no exponent (sigmoid(x)**2)
        if isinstance(expr, (sigmoid, softplus, relu)) and "exp" in kwargs:
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
        found = _factor_and_sum(expr)
        if found is None:
            return super()._print_Mul(expr)
        rest, total = found
        if rest == 1 or rest == -1:
            return ("-" if rest == -1 else "") + self._print(total)
        return f"{self._print(rest)} {self._print(total)}"


_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_",
                  "^": r"\^{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "~": r"\~{}"}


def _latex_parts(parts: Sequence[Any], printer: Any) -> str:
    """Words and expressions: adjacent words in one ``\\text{}``."""
    out, words = [], ""
    for p in parts:
        if isinstance(p, str):
            words += p
            continue
        if words:
            out.append(_latex_text(words))
            words = ""
        out.append(printer._print(p))
    if words:
        out.append(_latex_text(words))
    return "".join(out)


def _latex_text(text: str) -> str:
    return r"\text{%s}" % "".join(_LATEX_ESCAPES.get(ch, ch) for ch in text)


# ------------------------------------------------------------ derivations

@dataclass(frozen=True)
class Derivation:
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
    """

    variable: sp.Symbol
    label: str
    expr: sp.Expr
    steps: tuple[Step, ...]
    result: sp.Expr
    partial: bool = True
    summed: sp.Expr | None = None

    # ------------------------------------------------------------- text

    def _name(self, latex: bool = False) -> str:
        d = (r"\partial" if self.partial else "d") if latex else ("∂" if self.partial else "d")
        v = sp.latex(self.variable) if latex else str(self.variable)
        f = sp.latex(sp.Symbol(self.label)) if latex else self.label
        return r"\frac{%s %s}{%s %s}" % (d, f, d, v) if latex else f"{d}{f}/{d}{v}"

    def _lhs(self, step: Step, pr: Any) -> str:
        lhs = pr._print(sp.Derivative(step.expr, self.variable))
        if step.name is not None:
            lhs = f"{pr._print(sp.Derivative(step.name, self.variable))} = {lhs}"
        return lhs

    def _rhs(self, step: Step, pr: Any) -> str:
        form = pr._print(step.form)
        result = pr._print(step.result)
        return f"{form} = {result}" if step.complete and result != form else form

    def text(self) -> str:
        """Numbered steps in SymPy's str notation, with ``∂`` and ``Σ``."""
        pr = _TextPrinter(self.variable, self.partial)
        lines = [f"{self._name()} for {self.label} = {pr._print(self.expr)}:"]
        for k, step in enumerate(self.steps, start=1):
            note = "".join(p if isinstance(p, str) else pr._print(p) for p in step.note)
            line = (f"{'   ' * step.depth}{k}. {step.label}: {self._lhs(step, pr)} = "
                    f"{self._rhs(step, pr)}")
            lines.append(f"{line}  ({note})" if note else line)
        lines.append(f"so {self._name()} = {self._final(pr)}")
        short = self._shorthand_text(pr)
        if short:
            lines.append(f"in short: {short[0]}  with {short[1]}")
        return "\n".join(lines)

    def _final(self, pr: Any) -> str:
        result = pr._print(self.result)
        if self.summed is None:
            return result
        summed = pr._print(self.summed)
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
        named = sep.join(f"{pr._print(a)} = {pr._print(e)}" for a, e in parts)
        return (f"{self._name(latex)} = {pr._print(short)}", named)

    def markdown(self) -> str:
        """A numbered list with ``$...$`` math."""
        pr = _LatexPrinter(self.variable, self.partial)
        lines = [f"${self._name(latex=True)}$ for "
                 f"${sp.latex(sp.Symbol(self.label))} = {pr._print(self.expr)}$:", ""]
        for k, step in enumerate(self.steps, start=1):
            note = "".join(p if isinstance(p, str) else f"${pr._print(p)}$"
                           for p in step.note)
            line = (f"{k}. {'&emsp;' * step.depth}**{step.label}**: "
                    f"${self._lhs(step, pr)} = {self._rhs(step, pr)}$")
            lines.append(f"{line} ({note})" if note else line)
        lines += ["", f"so ${self._name(latex=True)} = {self._final(pr)}$"]
        short = self._shorthand_text(pr, latex=True)
        if short:
            lines += ["", f"in short: ${short[0]}$ with ${short[1]}$"]
        return "\n".join(lines)

    def latex(self) -> str:
        r"""An ``align*`` environment: one equation a line, its rule on the right."""
        pr = _LatexPrinter(self.variable, self.partial)
        f = sp.latex(sp.Symbol(self.label))
        rows = [f"{f} &= {pr._print(self.expr)} && "
                f"{_latex_text('find ')}{self._name(latex=True)}"]
        for k, step in enumerate(self.steps, start=1):
            parts = [f"{k}. {step.label}", *(["; ", *step.note] if step.note else [])]
            why = _latex_parts(parts, pr)
            lhs = self._lhs(step, pr)
            rows.append(f"{lhs} &= {self._rhs(step, pr)} && {why}")
        rows.append(f"{self._name(latex=True)} &= {self._final(pr)} && {_latex_text('so')}")
        found = self.shorthand()
        if found:
            parts, short = found
            rows.append(f"{self._name(latex=True)} &= {pr._print(short)} && "
                        f"{_latex_text('in short, with')}")
            rows += [f"{pr._print(a)} &= {pr._print(e)} &&" for a, e in parts]
        body = " \\\\\n".join(rows)
        return f"\\begin{{align*}}\n{body}\n\\end{{align*}}"


class Explanation:
    r"""How each partial derivative of an objective is obtained, rule by rule.

    Returned by :func:`explain`; holds one :class:`Derivation` per variable.

    Attributes
    ----------
    derivations : tuple of Derivation
    fmt : {"text", "markdown", "latex"}
        The format of ``str(explanation)``.

    Examples
    --------
    >>> e = explain("x^2 + x*y + y^2")
    >>> e.results
    (2*x + y, x + 2*y)
    >>> [d.variable for d in e]
    [x, y]
    """

    def __init__(self, derivations: Sequence[Derivation], fmt: str = "text") -> None:
        self.derivations = tuple(derivations)
        self.fmt = _check_format(fmt)

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
                "latex": self.latex}[_check_format(fmt)]()

    def __str__(self) -> str:
        return self.format(self.fmt)

    def __repr__(self) -> str:
        names = ", ".join(str(v) for v in self.variables)
        return (f"<Explanation of {self.derivations[0].label} with respect to {names}: "
                f"{len(self.steps)} steps>")

    def __iter__(self) -> Iterator[Derivation]:
        return iter(self.derivations)

    def __len__(self) -> int:
        return len(self.derivations)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def _repr_latex_(self) -> str:
        return self.latex()


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    return fmt


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
    raises ``RuntimeError``, as a bug in this module.

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
    fmt = _check_format(fmt)
    if isinstance(objective, DataObjective):
        obj: Objective = objective
    else:
        obj = objective if isinstance(objective, Objective) else Objective(objective)
    targets = _targets(obj, wrt)
    if isinstance(obj, DataObjective):
        return Explanation([_explain_data(obj, v) for v in targets], fmt)
    return Explanation([_explain_expr(obj, v) for v in targets], fmt)


def _targets(obj: Objective, wrt: Any) -> list[sp.Symbol]:
    if wrt is None:
        return list(obj.variables)
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
    return [obj.variables[obj._index(w)] for w in wanted]


def _taken_names(expr: sp.Expr) -> set[str]:
    names = {str(s) for s in expr.free_symbols}
    names |= {str(b.label) for b in expr.atoms(sp.IndexedBase)}
    return names | {"i", "M"}


def _explain_expr(obj: Objective, var: sp.Symbol) -> Derivation:
    expr = obj.expr
    root = _Deriver(var, _taken_names(expr)).node(expr)
    root.inline = False
    result = _checked(root.result, sp.diff(expr, var), f"d/d{var} of {expr}")
    return Derivation(var, obj.label, expr, _steps(root), result, partial=obj.n > 1)


def _explain_data(obj: DataObjective, var: sp.Symbol) -> Derivation:
    tb = obj._textbook
    scale = 1 / tb.M if tb.mean else sp.S.One
    # x -> x[i]; real, like the data symbols, so that |u| is known real
    indexed = {s: sp.IndexedBase(s.name, real=True)[tb.i] for s in obj._data_symbols}
    row = obj.per_sample.xreplace(indexed)
    shown = scale * sp.Sum(obj._display.xreplace(indexed), (tb.i, 1, tb.M))
    data = list(indexed.values())
    note = ["the derivative of a sum is the sum of the derivatives; the data ",
            *_number_words(data), " are constants"]
    if tb.mean:
        note += [", and so is ", tb.M]
    if obj._display != obj.per_sample:
        note += ["; each row's loss is computed as ", row, ", the same function"]
    first = Step("sum rule", scale * sp.Sum(row, (tb.i, 1, tb.M)),
                 scale * sp.Sum(sp.Derivative(row, var), (tb.i, 1, tb.M)), sp.S.Zero, 0,
                 complete=False, note=tuple(note))
    root = _Deriver(var, _taken_names(row)).node(row)
    root.inline = False
    plain = {v: k for k, v in indexed.items()}
    d_row = _checked(root.result.xreplace(plain), sp.diff(obj.per_sample, var),
                     f"d/d{var} of {obj.per_sample}")
    result = tb.reduce(d_row)
    summed = scale * sp.Sum(sp.factor_terms(root.result), (tb.i, 1, tb.M))
    first = Step(first.rule, first.expr, first.form, result, 0, complete=False,
                 note=first.note)
    steps = (first, *(Step(s.rule, s.expr, s.form, s.result, s.depth + 1, s.outer, s.name,
                           s.complete, s.note) for s in _steps(root)))
    return Derivation(var, obj.label, shown, steps, result, partial=True, summed=summed)
