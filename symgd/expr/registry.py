"""The mathematical functions symgd understands, and their numeric forms.

The parser only ever calls the builders in :data:`FUNCTIONS`; nothing else
named in user text can be called. :class:`sigmoid` is a SymPy function of
its own so that its derivative prints in the textbook form
``sigmoid(t)*(1 - sigmoid(t))``.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import sympy as sp

__all__ = ["sigmoid", "softplus", "relu", "FUNCTIONS", "BARE_SYMBOL_NAMES", "numeric_namespace"]


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

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\operatorname{relu}\left(%s\right)" % printer._print(self.args[0])


def _log(x, base=None):
    return sp.log(x) if base is None else sp.log(x, base)


# name -> (builder, smallest and largest number of arguments)
FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], int, int]] = {
    "sin": (sp.sin, 1, 1), "cos": (sp.cos, 1, 1), "tan": (sp.tan, 1, 1),
    "cot": (sp.cot, 1, 1), "sec": (sp.sec, 1, 1), "csc": (sp.csc, 1, 1),
    "asin": (sp.asin, 1, 1), "acos": (sp.acos, 1, 1), "atan": (sp.atan, 1, 1),
    "arcsin": (sp.asin, 1, 1), "arccos": (sp.acos, 1, 1),
    "arctan": (sp.atan, 1, 1), "atan2": (sp.atan2, 2, 2),
    "arctan2": (sp.atan2, 2, 2),
    "sinh": (sp.sinh, 1, 1), "cosh": (sp.cosh, 1, 1), "tanh": (sp.tanh, 1, 1),
    "asinh": (sp.asinh, 1, 1), "acosh": (sp.acosh, 1, 1),
    "atanh": (sp.atanh, 1, 1), "arcsinh": (sp.asinh, 1, 1),
    "arccosh": (sp.acosh, 1, 1), "arctanh": (sp.atanh, 1, 1),
    "exp": (sp.exp, 1, 1), "log": (_log, 1, 2), "ln": (sp.log, 1, 1),
    "log10": (lambda x: sp.log(x, 10), 1, 1),
    "log2": (lambda x: sp.log(x, 2), 1, 1),
    "sqrt": (sp.sqrt, 1, 1), "abs": (sp.Abs, 1, 1), "Abs": (sp.Abs, 1, 1),
    "erf": (sp.erf, 1, 1), "gamma": (sp.gamma, 1, 1), "beta": (sp.beta, 2, 2),
    "sigmoid": (sigmoid, 1, 1),
    "softplus": (softplus, 1, 1),
    "relu": (relu, 1, 1),
}

# Function names that are ordinary symbols when not called: gamma(x) is the
# gamma function, but "gamma * x" uses a symbol named gamma (a step size).
BARE_SYMBOL_NAMES = frozenset({"gamma", "beta"})


def _sigmoid_float(t: float) -> float:
    # 1/(1+e^-t) == (1 + tanh(t/2))/2, which never overflows.
    return 0.5 * (1.0 + math.tanh(0.5 * t))


def _sigmoid_array(t):
    # 1/(1 + e^-t) in place: one allocation; e^-t overflowing to inf gives
    # exactly 0 (callers evaluate under np.errstate). Twice as fast as tanh.
    out = np.negative(t, dtype=float)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def _safe(fn: Callable[..., float]) -> Callable[..., float]:
    """A float function that returns nan where ``fn`` has no value."""
    def wrapped(*args):
        try:
            return float(fn(*args))
        except (ValueError, OverflowError, ZeroDivisionError, TypeError):
            return math.nan
    return wrapped


def _softplus_float(t: float) -> float:
    # log(1 + e^t) without overflow: max(t, 0) + log1p(e^-|t|)
    return max(t, 0.0) + math.log1p(math.exp(-abs(t)))


def _softplus_array(t):
    # max(t, 0) + log1p(e^-|t|) in place: a third faster than np.logaddexp(0, t)
    out = np.abs(t, dtype=float)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(t, 0.0)
    return out


def _polygamma_float(n, x):
    import mpmath
    return float(mpmath.polygamma(int(n), x))


def _vectorized(fn: Callable[..., float]) -> Callable[..., np.ndarray]:
    return np.vectorize(_safe(fn), otypes=[float])


def numeric_namespace(kind: str) -> dict[str, Callable]:
    """Implementations that SymPy's ``math``/``numpy`` printers leave unnamed.

    ``kind`` is ``"math"`` (Python floats) or ``"numpy"`` (arrays).
    """
    if kind == "math":
        return {"sigmoid": _sigmoid_float, "softplus": _softplus_float,
                "relu": lambda t: t if t > 0 else 0.0,
                "Heaviside": lambda t, h0=0.5: 1.0 if t > 0 else (h0 if t == 0 else 0.0),
                "polygamma": _polygamma_float}
    return {
        "sigmoid": _sigmoid_array, "softplus": _softplus_array,
        "relu": lambda t: np.maximum(t, 0.0),
        "polygamma": _vectorized(_polygamma_float),
        "gamma": _vectorized(math.gamma),
        "erf": _vectorized(math.erf),
    }
