"""The one registry of the mathematical functions symgd knows.

Each :class:`Entry` says, for one function: the names it is typed with and
the SymPy builder the parser calls (nothing else named in user text can be
called), its ``math``, NumPy and mpmath forms, and the textbook rule
:func:`symgd.explain` names for its derivative. Every other table is
derived from :data:`REGISTRY`:

* :data:`FUNCTIONS`, :data:`BARE_SYMBOL_NAMES` and :data:`LARGEST_ARGUMENT`
  for the parser;
* :func:`numeric_namespace` (``math``, ``numpy``) for the compiled
  objective and :func:`mpmath_namespace` for the equality oracle: the forms
  SymPy's printers cannot name;
* :data:`FUNCTION_RULES` and :data:`REAL_ARGUMENT_RULES` for the derivation
  engine.

:class:`sigmoid`, :class:`softplus` and :class:`relu` are SymPy functions
of symgd's own, so that their derivatives print in the textbook form
(``sigmoid(t)*(1 - sigmoid(t))``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable

import mpmath
import numpy as np
import sympy as sp

from ..errors import InputError

__all__ = ["sigmoid", "softplus", "relu", "Entry", "REGISTRY", "OWN_FUNCTIONS", "FUNCTIONS",
           "BARE_SYMBOL_NAMES", "LARGEST_ARGUMENT", "FUNCTION_RULES", "REAL_ARGUMENT_RULES",
           "KINDS", "numeric_namespace", "mpmath_namespace"]


class sigmoid(sp.Function):
    r"""The logistic function :math:`\sigma(t) = 1/(1 + e^{-t})`.

    >>> t = sp.Symbol("t", real=True)
    >>> sp.diff(sigmoid(t), t)
    (1 - sigmoid(t))*sigmoid(t)
    >>> sigmoid(0)
    1/2
    """

    nargs = 1

    @classmethod
    def eval(cls, t):
        if t.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, t, **kwargs):
        return 1 / (1 + sp.exp(-t))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\sigma\left(%s\right)" % printer._print(self.args[0])


class softplus(sp.Function):
    r"""The smooth ramp :math:`\log(1 + e^{t})`, whose derivative is :class:`sigmoid`.

    >>> t = sp.Symbol("t", real=True)
    >>> sp.diff(softplus(t), t)
    sigmoid(t)
    """

    nargs = 1

    @classmethod
    def eval(cls, t):
        if t.is_zero:
            return sp.log(2)
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, t, **kwargs):
        return sp.log(1 + sp.exp(t))

    def _eval_mpmath(self):
        # how evalf computes softplus(number): mpmath has no softplus
        return _softplus_mpmath, self.args

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])


class relu(sp.Function):
    r"""The rectifier :math:`\max(0, t)`; its derivative is taken as the step
    :math:`[t > 0]` (0 at the kink, a valid subgradient).

    >>> t = sp.Symbol("t", real=True)
    >>> sp.diff(relu(t), t)
    Heaviside(t, 0)
    """

    nargs = 1

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _eval_mpmath(self):
        # how evalf computes relu(number): mpmath has no relu
        return _relu_mpmath, self.args

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\operatorname{relu}\left(%s\right)" % printer._print(self.args[0])


#: symgd's own SymPy functions (they print themselves, in LaTeX too).
OWN_FUNCTIONS = (sigmoid, softplus, relu)

#: The kinds of numeric form an entry has.
KINDS = ("math", "numpy", "mpmath")


@dataclass(frozen=True)
class Entry:
    """One function symgd knows.

    Attributes
    ----------
    head : type or None
        The SymPy function class of ``f(u)``; None when the builder writes
        the function with others (``sqrt(u)`` is a power, ``log10(u)`` a
        quotient of logarithms).
    names : tuple of str
        The names it is typed with; none for the functions that only SymPy
        writes (``acot``, or ``Heaviside`` in the derivative of ``relu``).
    build : callable or None
        What the parser calls with the SymPy arguments (``head`` by default).
    arity : (int, int)
        The smallest and largest number of arguments.
    math, numpy, mpmath : callable
        The numeric forms: Python floats, NumPy arrays, mpmath numbers.
    supplied : frozenset of str
        The kinds (``"math"``, ``"numpy"``, ``"mpmath"``) for which SymPy's
        printers do not name the function: there the form above is handed
        to :func:`sympy.lambdify` (elsewhere SymPy prints its own).
    rule : str or None
        The rule :func:`symgd.explain` names for its derivative; None when
        the derivative is SymPy's.
    derivative : callable or None
        ``f'(u)`` as the textbook writes it, for the chain rule; None when
        the engine applies ``rule`` by the expression's shape (``sqrt(u)``
        by the power rule).
    real_only : bool
        The textbook derivative holds for real arguments only (``|u|' = sign(u)``).
    bare_symbol : bool
        Uncalled, the name is an ordinary symbol (``gamma`` as a step size).
    largest_argument : int or None
        Numbers above this overflow float64 when SymPy evaluates the
        function exactly on them (``gamma(n)`` is a factorial).
    points : tuple of tuples
        Arguments in the real domain, where the numeric forms are checked.

    Examples
    --------
    >>> e = next(e for e in REGISTRY if "arcsin" in e.names)
    >>> e.names, e.head, e.rule, e.math(0.5) == math.asin(0.5)
    (('asin', 'arcsin'), asin, 'inverse trig rule', True)
    """

    head: type | None
    names: tuple[str, ...] = ()
    build: Callable[..., sp.Expr] | None = None
    arity: tuple[int, int] = (1, 1)
    math: Callable[..., Any] | None = None
    numpy: Callable[..., Any] | None = None
    mpmath: Callable[..., Any] | None = None
    supplied: frozenset[str] = frozenset()
    rule: str | None = None
    derivative: Callable[[sp.Expr], sp.Expr] | None = None
    real_only: bool = False
    bare_symbol: bool = False
    largest_argument: int | None = None
    points: tuple[tuple[float, ...], ...] = ((-0.6,), (0.3,), (1.7,))

    @property
    def builder(self) -> Callable[..., sp.Expr]:
        """What builds the SymPy expression from SymPy arguments."""
        return self.build if self.build is not None else self.head

    @property
    def label(self) -> str:
        """The entry's name: its first typed name, else SymPy's."""
        return self.names[0] if self.names else self.head.__name__

    def form(self, kind: str) -> Callable[..., Any]:
        """The numeric form of one of :data:`KINDS`."""
        return getattr(self, _check_kind(kind))


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InputError(f"unknown kind of numeric form {kind!r}; use one of {', '.join(KINDS)}")
    return kind


# ------------------------------------------------------- numeric forms

def _sigmoid_float(t: float) -> float:
    # 1/(1+e^-t) == (1 + tanh(t/2))/2, which never overflows.
    return 0.5 * (1.0 + math.tanh(0.5 * t))


def _sigmoid_array(t):
    # 1/(1 + e^-t) in place: one allocation; e^-t overflowing to inf gives
    # exactly 0 (callers evaluate under np.errstate). Twice as fast as tanh.
    out = np.array(t, dtype=float)          # a copy, also of a 0-d array or a float
    np.negative(out, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def _softplus_float(t: float) -> float:
    # log(1 + e^t) without overflow: max(t, 0) + log1p(e^-|t|)
    return max(t, 0.0) + math.log1p(math.exp(-abs(t)))


def _softplus_array(t):
    # max(t, 0) + log1p(e^-|t|) in place: a third faster than np.logaddexp(0, t)
    out = np.array(t, dtype=float)          # a copy, also of a 0-d array or a float
    np.abs(out, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(t, 0.0)
    return out


def _relu_float(t: float) -> float:
    return t if t > 0 else 0.0


def _relu_array(t):
    return np.maximum(t, 0.0)


def _relu_mpmath(t: Any) -> Any:
    return mpmath.mpf(t) if t > 0 else mpmath.mpf(0)


def _softplus_mpmath(t: Any) -> Any:
    return mpmath.log(1 + mpmath.exp(t))


def _heaviside_float(t: float, h0: float = 0.5) -> float:
    return 1.0 if t > 0 else (h0 if t == 0 else 0.0)


def _heaviside_array(t, h0=0.5):
    return np.heaviside(t, h0)


def _heaviside_mpmath(t: Any, h0: Any = 0.5) -> Any:
    return 1 if t > 0 else (h0 if t == 0 else 0)


def _polygamma_float(n, x):
    return float(mpmath.polygamma(int(n), x))


def _safe(fn: Callable[..., float]) -> Callable[..., float]:
    """A float function that returns nan where ``fn`` has no value."""
    def wrapped(*args):
        try:
            return float(fn(*args))
        except (ValueError, OverflowError, ZeroDivisionError, TypeError):
            return math.nan
    return wrapped


def _vectorized(fn: Callable[..., float]) -> Callable[..., np.ndarray]:
    return np.vectorize(_safe(fn), otypes=[float])


def _reduced(pairwise: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    """``min``/``max`` of any number of arrays from the pairwise ``np.minimum``/``np.maximum``."""
    def many(*args):
        out = args[0]
        for a in args[1:]:
            out = pairwise(out, a)
        return out
    return many


def _beta_float(a: float, b: float) -> float:
    return math.gamma(a) * math.gamma(b) / math.gamma(a + b)


def _log(x, base=None):
    return sp.log(x) if base is None else sp.log(x, base)


def _log10(x):
    return sp.log(x, 10)


def _log2(x):
    return sp.log(x, 2)


def _log_float(x, base=None):
    return math.log(x) if base is None else math.log(x, base)


def _log_array(x, base=None):
    return np.log(x) if base is None else np.log(x) / np.log(base)


def _log_mpmath(x, base=None):
    return mpmath.log(x) if base is None else mpmath.log(x, base)


def _reciprocal(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``1/f(t)``: sec from cos, coth from tanh."""
    def g(t):
        return 1 / f(t)
    return g


def _of_reciprocal(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``f(1/t)``: acot from atan, asec from acos (their real branches)."""
    def g(t):
        return f(1 / t)
    return g


# -------------------------------------------------------------- entries

_S = sp.sqrt
_OWN = frozenset(KINDS)                 # symgd's own functions: no printer names them
_UNIT = ((-0.6,), (0.3,), (0.9,))       # inside (-1, 1)
_POSITIVE = ((0.3,), (1.7,), (4.2,))
_OUTSIDE_UNIT = ((-2.5,), (1.3,), (3.0,))   # |t| > 1


def _trig(head, rule, d, f_math, f_numpy, **kw) -> Entry:
    return Entry(head, (head.__name__,), math=f_math, numpy=f_numpy,
                 mpmath=getattr(mpmath, head.__name__), rule=rule, derivative=d, **kw)


_LOG = Entry(sp.log, ("log",), build=_log, arity=(1, 2), math=_log_float, numpy=_log_array,
             mpmath=_log_mpmath, rule="log rule", derivative=lambda u: 1 / u,
             points=((0.3,), (4.2,), (2.5, 10.0), (9.0, 3.0)))

#: Every function symgd knows, one entry each.
REGISTRY: tuple[Entry, ...] = (
    _trig(sp.sin, "trig rule", sp.cos, math.sin, np.sin),
    _trig(sp.cos, "trig rule", lambda u: -sp.sin(u), math.cos, np.cos),
    _trig(sp.tan, "trig rule", lambda u: sp.sec(u) ** 2, math.tan, np.tan),
    _trig(sp.cot, "trig rule", lambda u: -sp.csc(u) ** 2, _reciprocal(math.tan),
          _reciprocal(np.tan)),
    _trig(sp.sec, "trig rule", lambda u: sp.sec(u) * sp.tan(u), _reciprocal(math.cos),
          _reciprocal(np.cos)),
    _trig(sp.csc, "trig rule", lambda u: -sp.csc(u) * sp.cot(u), _reciprocal(math.sin),
          _reciprocal(np.sin)),
    Entry(sp.asin, ("asin", "arcsin"), math=math.asin, numpy=np.arcsin, mpmath=mpmath.asin,
          rule="inverse trig rule", derivative=lambda u: 1 / _S(1 - u ** 2), points=_UNIT),
    Entry(sp.acos, ("acos", "arccos"), math=math.acos, numpy=np.arccos, mpmath=mpmath.acos,
          rule="inverse trig rule", derivative=lambda u: -1 / _S(1 - u ** 2), points=_UNIT),
    Entry(sp.atan, ("atan", "arctan"), math=math.atan, numpy=np.arctan, mpmath=mpmath.atan,
          rule="inverse trig rule", derivative=lambda u: 1 / (u ** 2 + 1)),
    Entry(sp.acot, ("acot", "arccot"), math=_of_reciprocal(math.atan), numpy=_of_reciprocal(np.arctan),
          mpmath=mpmath.acot, rule="inverse trig rule", derivative=lambda u: -1 / (u ** 2 + 1)),
    # asec, acsc, acosh: where a textbook form could differ from SymPy's off
    # the real domain, SymPy's form is used.
    Entry(sp.asec, ("asec", "arcsec"), math=_of_reciprocal(math.acos), numpy=_of_reciprocal(np.arccos),
          mpmath=mpmath.asec, rule="inverse trig rule",
          derivative=lambda u: 1 / (u ** 2 * _S(1 - 1 / u ** 2)), points=_OUTSIDE_UNIT),
    Entry(sp.acsc, ("acsc", "arccsc"), math=_of_reciprocal(math.asin), numpy=_of_reciprocal(np.arcsin),
          mpmath=mpmath.acsc, rule="inverse trig rule",
          derivative=lambda u: -1 / (u ** 2 * _S(1 - 1 / u ** 2)), points=_OUTSIDE_UNIT),
    Entry(sp.atan2, ("atan2", "arctan2"), arity=(2, 2), math=math.atan2, numpy=np.arctan2,
          mpmath=mpmath.atan2, points=((1.0, 2.0), (-0.5, -1.5), (2.0, -0.3))),
    _trig(sp.sinh, "hyperbolic rule", sp.cosh, math.sinh, np.sinh),
    _trig(sp.cosh, "hyperbolic rule", sp.sinh, math.cosh, np.cosh),
    _trig(sp.tanh, "hyperbolic rule", lambda u: 1 - sp.tanh(u) ** 2, math.tanh, np.tanh),
    Entry(sp.coth, ("coth",), math=_reciprocal(math.tanh), numpy=_reciprocal(np.tanh), mpmath=mpmath.coth,
          rule="hyperbolic rule", derivative=lambda u: -1 / sp.sinh(u) ** 2),
    Entry(sp.sech, ("sech",), math=_reciprocal(math.cosh), numpy=_reciprocal(np.cosh), mpmath=mpmath.sech,
          rule="hyperbolic rule", derivative=lambda u: -sp.tanh(u) * sp.sech(u)),
    Entry(sp.csch, ("csch",), math=_reciprocal(math.sinh), numpy=_reciprocal(np.sinh), mpmath=mpmath.csch,
          rule="hyperbolic rule", derivative=lambda u: -sp.coth(u) * sp.csch(u)),
    Entry(sp.asinh, ("asinh", "arcsinh"), math=math.asinh, numpy=np.arcsinh,
          mpmath=mpmath.asinh, rule="inverse hyperbolic rule",
          derivative=lambda u: 1 / _S(u ** 2 + 1)),
    Entry(sp.acosh, ("acosh", "arccosh"), math=math.acosh, numpy=np.arccosh,
          mpmath=mpmath.acosh, rule="inverse hyperbolic rule",
          derivative=lambda u: 1 / (_S(u - 1) * _S(u + 1)), points=((1.2,), (2.5,), (7.0,))),
    Entry(sp.atanh, ("atanh", "arctanh"), math=math.atanh, numpy=np.arctanh,
          mpmath=mpmath.atanh, rule="inverse hyperbolic rule",
          derivative=lambda u: 1 / (1 - u ** 2), points=_UNIT),
    Entry(sp.acoth, ("acoth", "arccoth"), math=_of_reciprocal(math.atanh), numpy=_of_reciprocal(np.arctanh),
          mpmath=mpmath.acoth, rule="inverse hyperbolic rule",
          derivative=lambda u: 1 / (1 - u ** 2), points=_OUTSIDE_UNIT),
    Entry(sp.asech, ("asech", "arcsech"), math=_of_reciprocal(math.acosh),
          numpy=_of_reciprocal(np.arccosh), mpmath=mpmath.asech, rule="inverse hyperbolic rule",
          derivative=lambda u: -1 / (u * _S(1 - u ** 2)), points=((0.2,), (0.5,), (0.9,))),
    Entry(sp.acsch, ("acsch", "arccsch"), math=_of_reciprocal(math.asinh),
          numpy=_of_reciprocal(np.arcsinh), mpmath=mpmath.acsch, rule="inverse hyperbolic rule",
          derivative=lambda u: -1 / (u ** 2 * _S(1 + 1 / u ** 2)), points=_OUTSIDE_UNIT),
    Entry(sp.exp, ("exp",), math=math.exp, numpy=np.exp, mpmath=mpmath.exp, rule="exp rule",
          derivative=sp.exp),
    _LOG,
    replace(_LOG, names=("ln",), build=sp.log, arity=(1, 1), points=_POSITIVE),
    # log_b(u) is log(u)/log(b) in SymPy: the base-b log rule reads that quotient
    Entry(None, ("log10",), build=_log10, math=math.log10, numpy=np.log10,
          mpmath=mpmath.log10, rule="base-b log rule", points=_POSITIVE),
    Entry(None, ("log2",), build=_log2, math=math.log2, numpy=np.log2,
          mpmath=lambda t: mpmath.log(t, 2), rule="base-b log rule", points=_POSITIVE),
    Entry(None, ("sqrt",), build=sp.sqrt, math=math.sqrt, numpy=np.sqrt, mpmath=mpmath.sqrt,
          rule="power rule", points=_POSITIVE),
    # cbrt(u) is u**(1/3) as in SymPy: real for u >= 0
    Entry(None, ("cbrt",), build=sp.cbrt, math=math.cbrt, numpy=np.cbrt, mpmath=mpmath.cbrt,
          rule="power rule", points=_POSITIVE),
    Entry(sp.Abs, ("abs", "Abs"), math=abs, numpy=np.abs, mpmath=mpmath.fabs,
          rule="abs rule", derivative=sp.sign, real_only=True),
    Entry(sp.sign, ("sign", "sgn"), math=lambda t: math.copysign(1.0, t) if t else 0.0, numpy=np.sign,
          mpmath=mpmath.sign),
    Entry(sp.Min, ("min", "Min"), arity=(2, 8), math=min, numpy=_reduced(np.minimum),
          mpmath=min, points=((-0.6, 0.3), (1.7, 0.2), (0.5, 2.0, -1.0))),
    Entry(sp.Max, ("max", "Max"), arity=(2, 8), math=max, numpy=_reduced(np.maximum),
          mpmath=max, points=((-0.6, 0.3), (1.7, 0.2), (0.5, 2.0, -1.0))),
    Entry(sp.erf, ("erf",), math=math.erf, numpy=_vectorized(math.erf), mpmath=mpmath.erf,
          supplied=frozenset({"numpy"})),
    Entry(sp.gamma, ("gamma",), math=math.gamma, numpy=_vectorized(math.gamma),
          mpmath=mpmath.gamma, supplied=frozenset({"numpy"}), bare_symbol=True,
          largest_argument=171, points=((-0.6,), (0.3,), (4.5,))),
    Entry(sp.polygamma, arity=(2, 2), math=_polygamma_float,
          numpy=_vectorized(_polygamma_float), mpmath=mpmath.polygamma,
          supplied=frozenset({"math", "numpy"}), points=((0, 0.3), (0, 2.5), (1, 1.7))),
    Entry(sp.beta, ("beta",), arity=(2, 2), math=_beta_float, numpy=_vectorized(_beta_float),
          mpmath=mpmath.beta, bare_symbol=True, largest_argument=171,
          points=((1.5, 2.0), (0.3, 0.7), (4.0, 2.5))),
    Entry(sigmoid, ("sigmoid",), math=_sigmoid_float, numpy=_sigmoid_array,
          mpmath=lambda t: 1 / (1 + mpmath.exp(-t)), supplied=_OWN, rule="sigmoid rule",
          derivative=lambda u: sigmoid(u) * (1 - sigmoid(u))),
    Entry(softplus, ("softplus",), math=_softplus_float, numpy=_softplus_array,
          mpmath=_softplus_mpmath, supplied=_OWN,
          rule="softplus rule", derivative=sigmoid),
    Entry(relu, ("relu",), math=_relu_float, numpy=_relu_array,
          mpmath=_relu_mpmath, supplied=_OWN, rule="relu rule",
          derivative=lambda u: sp.Heaviside(u, 0)),
    # the derivative of relu: Heaviside(t, 0) is the step [t > 0]
    Entry(sp.Heaviside, arity=(1, 2), math=_heaviside_float, numpy=_heaviside_array,
          mpmath=_heaviside_mpmath, supplied=frozenset({"math", "mpmath"}),
          points=((-0.6,), (1.7,), (0.0, 0.0), (0.0, 1.0), (2.0, 0.0))),
)


# --------------------------------------------------------- derived tables

#: Typed name -> (builder, smallest and largest number of arguments).
FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], int, int]] = {
    name: (e.builder, *e.arity) for e in REGISTRY for name in e.names}

#: Function names that are ordinary symbols when not called: gamma(x) is the
#: gamma function, but "gamma * x" uses a symbol named gamma (a step size).
BARE_SYMBOL_NAMES = frozenset(name for e in REGISTRY if e.bare_symbol for name in e.names)

#: Typed name -> the largest number it may be called on (SymPy evaluates it exactly).
LARGEST_ARGUMENT: dict[str, int] = {
    name: e.largest_argument for e in REGISTRY if e.largest_argument is not None
    for name in e.names}


def _rules(real_only: bool) -> dict[type, tuple[str, Callable[[sp.Expr], sp.Expr]]]:
    table: dict[type, tuple[str, Callable[[sp.Expr], sp.Expr]]] = {}
    for e in REGISTRY:
        if e.head is not None and e.derivative is not None and e.real_only == real_only:
            table.setdefault(e.head, (e.rule, e.derivative))   # ln is a spelling of log
    return table


#: SymPy function -> (rule, derivative at u): the derivation engine's chain rules.
FUNCTION_RULES = _rules(real_only=False)

#: The same, for rules that hold for a real argument only (``|u|' = sign(u)``).
REAL_ARGUMENT_RULES = _rules(real_only=True)


def numeric_namespace(kind: str) -> dict[str, Callable]:
    """Implementations that SymPy's ``math``/``numpy`` printers leave unnamed.

    ``kind`` is ``"math"`` (Python floats), ``"numpy"`` (arrays) or
    ``"mpmath"``; the result is what :func:`sympy.lambdify` takes first in
    ``modules=[namespace, kind]``.

    >>> sorted(numeric_namespace("math"))
    ['Heaviside', 'polygamma', 'relu', 'sigmoid', 'softplus']
    """
    _check_kind(kind)
    return {e.head.__name__: e.form(kind) for e in REGISTRY if kind in e.supplied}


def mpmath_namespace() -> dict[str, Any]:
    """:func:`numeric_namespace` for mpmath, as the equality oracle evaluates.

    >>> sorted(mpmath_namespace())
    ['Heaviside', 'relu', 'sigmoid', 'softplus']
    """
    return numeric_namespace("mpmath")
