"""Shared test oracles and the lessons' data.

The test files import from here (``from oracles import gradient, CARS_WEIGHT``;
pytest puts ``tests/`` on ``sys.path``), so that every test checks symgd
against the same independent references:

* :func:`derivative`, :func:`gradient` and :func:`jacobian`: one
  numerical-derivative oracle, central differences extrapolated by
  Richardson's method (a Hessian is the Jacobian of a gradient);
* :func:`mp_gradient`: a high-precision gradient of a SymPy expression with
  ``mpmath.diff``;
* the lessons' data typed in by hand (``CARS_*``, ``PIZZA_*``, checked against
  the built-in files in ``tests/test_oracles.py``), the bowl, and factories of
  the lessons' losses built with the public API;
* :func:`make_kind`: one objective of each kind symgd handles (a plain
  expression, a quadratic data loss, a loss evaluated row by row, a log-loss
  and a network's loss), for the ``objective_kind`` fixture of ``conftest.py``.

Nothing here uses symgd's derivatives: the numerical oracles only call the
function they are given.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, NamedTuple, Sequence

import mpmath
import numpy as np
import sympy as sp

import symgd

__all__ = ["STEP", "LEVELS", "derivative", "gradient", "jacobian", "mp_gradient",
           "BOWL", "CARS_WEIGHT", "CARS_MPG", "PIZZA_X", "PIZZA_Y", "PIZZA_COLUMNS",
           "cars_loss", "pizza_loss", "logistic_data", "network_data", "Kind", "KIND_NAMES",
           "make_kind"]

# ------------------------------------------------------- numerical derivatives

STEP = 1e-2
"""The first step of :func:`derivative`, relative to ``max(1, |x_i|)``."""

LEVELS = 3
"""Central differences at ``h, h/2, h/4``: truncation error O(h^6)."""


def _central(g: Callable[[np.ndarray], Any], x: np.ndarray, i: int,
             h: float) -> np.ndarray:
    """(g(x + h e_i) - g(x - h e_i)) / (2h), whose error is c2 h^2 + c4 h^4 + ..."""
    up, down = x.copy(), x.copy()
    up[i] += h
    down[i] -= h
    above = np.atleast_1d(np.asarray(g(up), dtype=float))
    below = np.atleast_1d(np.asarray(g(down), dtype=float))
    with np.errstate(invalid="ignore", over="ignore"):   # inf - inf is nan, not an error
        return (above - below) / (2 * h)


def _richardson(estimates: list[np.ndarray]) -> np.ndarray:
    """Combine estimates at h, h/2, h/4, ... whose error series has only even
    powers of h: each level R_k = (4^k R_{k-1}(h/2) - R_{k-1}(h)) / (4^k - 1)
    removes the next term, h^{2k}."""
    row = list(estimates)
    with np.errstate(invalid="ignore", over="ignore"):
        for k in range(1, len(estimates)):
            factor = 4.0 ** k
            row = [(factor * fine - coarse) / (factor - 1) for coarse, fine in zip(row, row[1:])]
    return row[0]


def _step(x: np.ndarray, i: int, h: float | Sequence[float] | None) -> float:
    if h is None:
        return STEP * max(1.0, abs(float(x[i])))
    step = float(np.broadcast_to(np.asarray(h, dtype=float), x.shape)[i])
    if not step > 0 or not np.isfinite(step):
        raise ValueError(f"the step h must be a positive finite number; got {h!r}")
    return step


def _as_x(x: object) -> np.ndarray:
    return np.atleast_1d(np.array(x, dtype=float))


def _check_levels(levels: int) -> None:
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise ValueError(f"levels must be an integer >= 1; got {levels!r}")


def _partial(g: Callable[[np.ndarray], Any], x: np.ndarray, i: int,
             h: float | Sequence[float] | None, levels: int) -> np.ndarray:
    """d g / d x_i (an array: g may be a vector function)."""
    _check_levels(levels)
    first = _step(x, i, h)
    return _richardson([_central(g, x, i, first / 2 ** k) for k in range(levels)])


def derivative(f: Callable[[np.ndarray], float], x: Sequence[float] | np.ndarray, i: int,
               h: float | Sequence[float] | None = None, levels: int = LEVELS) -> float:
    """The partial derivative ``df/dx_i`` of a scalar function, numerically.

    Central differences at the steps ``h, h/2, ..., h/2^(levels-1)``,
    extrapolated by Richardson's method: the error is O(h^(2 levels)) plus
    round-off of about ``1e-16 |f| / h``. With the defaults (``h = 0.01
    max(1, |x_i|)``, three levels) that is ~1e-12 relative on smooth
    functions whose scale of variation is not much below ``h``.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for a float array ``x`` (called with copies).
    x : sequence of float
        The point.
    i : int
        The coordinate to differentiate along.
    h : float or sequence of float, optional
        The first (largest) absolute step, one for all coordinates or one per
        coordinate; by default ``STEP * max(1, |x_i|)``.
    levels : int
        How many step sizes to extrapolate over; 1 is a plain central difference.

    Returns
    -------
    float
        The estimate (nan or inf where ``f`` is not finite near ``x``).

    Examples
    --------
    >>> round(derivative(lambda v: np.exp(v[0]), [0.0], 0), 12)
    1.0
    >>> round(derivative(lambda v: v[0] ** 2 * v[1], [3.0, 2.0], 1), 12)
    9.0
    """
    return float(_partial(f, _as_x(x), i, h, levels)[0])


def gradient(f: Callable[[np.ndarray], float], x: Sequence[float] | np.ndarray,
             h: float | Sequence[float] | None = None, levels: int = LEVELS) -> np.ndarray:
    """The gradient of a scalar function, numerically (see :func:`derivative`).

    Returns
    -------
    numpy.ndarray
        ``[df/dx_0, ..., df/dx_{n-1}]``.

    Examples
    --------
    >>> gradient(lambda v: v[0] ** 2 + v[0] * v[1] + v[1] ** 2, [1.0, 1.0]).round(10)
    array([3., 3.])
    """
    x = _as_x(x)
    return np.array([float(_partial(f, x, i, h, levels)[0]) for i in range(x.size)])


def jacobian(g: Callable[[np.ndarray], Any], x: Sequence[float] | np.ndarray,
             h: float | Sequence[float] | None = None, levels: int = LEVELS) -> np.ndarray:
    """The Jacobian of a vector function, numerically (see :func:`derivative`).

    A Hessian is the Jacobian of the gradient: ``jacobian(obj.grad, x)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, n)`` for ``g`` with ``m`` outputs and ``x`` of length ``n``:
        ``J[j, k] = d g_j / d x_k``.

    Examples
    --------
    >>> jacobian(lambda v: np.array([2 * v[0] + v[1], v[0] + 2 * v[1]]), [1.0, 1.0]).round(10)
    array([[2., 1.],
           [1., 2.]])
    """
    x = _as_x(x)
    return np.column_stack([_partial(g, x, k, h, levels) for k in range(x.size)])


# -------------------------------------------------------------- mpmath oracle

# symgd's own functions, written out for mpmath (lambdify knows the others)
_MPMATH_FUNCTIONS = {
    "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
    "softplus": lambda t: mpmath.log1p(mpmath.exp(t)),
    "relu": lambda t: t if t > 0 else mpmath.mpf(0),
}


def mp_gradient(expr: sp.Expr, symbols: Sequence[sp.Symbol], point: Sequence[object],
                dps: int = 30) -> list[mpmath.mpf]:
    """The gradient of a SymPy expression at ``dps`` significant digits.

    The expression is lambdified to mpmath and each partial derivative taken
    by ``mpmath.diff`` (its own extrapolated differences at working precision),
    so the result is right to about ``dps - 5`` digits where ``expr`` is
    analytic.

    Parameters
    ----------
    expr : sympy.Expr
    symbols : sequence of sympy.Symbol
        The variables, in the order of ``point``.
    point : sequence of numbers
        Floats are taken exactly; strings and fractions at ``dps`` digits.
    dps : int
        Decimal digits of precision.

    Returns
    -------
    list of mpmath.mpf
        ``[d expr / d s for s in symbols]`` at ``point``.

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> [mpmath.nstr(d, 20) for d in mp_gradient(sp.exp(x) * y, [x, y], [0.0, 2.0])]
    ['2.0', '1.0']
    """
    symbols = list(symbols)
    if len(symbols) != len(point):
        raise ValueError(f"{len(point)} coordinates for {len(symbols)} symbols")
    f = sp.lambdify(symbols, expr, modules=[_MPMATH_FUNCTIONS, "mpmath"])
    with mpmath.workdps(dps):
        at = [mpmath.mpmathify(v) for v in point]
        orders = np.eye(len(at), dtype=int).tolist()
        values = [mpmath.diff(f, at, tuple(order)) for order in orders]
        return [+v for v in values]    # unary plus rounds to the working precision


# ------------------------------------------------------------- lesson data

BOWL = "x^2 + x*y + y^2"
"""The first lesson's bowl, with gradient (2x + y, x + 2y)."""


def _frozen(values: Sequence[float]) -> np.ndarray:
    array = np.array(values, dtype=float)
    array.flags.writeable = False      # shared by every test: no test may change it
    return array


# The car lesson's table (weight in 1000 lb, miles per gallon), typed in by hand.
CARS_WEIGHT = _frozen([3.5, 3.69, 3.44, 3.43, 4.34, 4.42, 2.37])
CARS_MPG = _frozen([18, 15, 18, 16, 15, 14, 24])

# The pizza lesson's pizza.txt, typed in by hand.
PIZZA_X = _frozen([13, 2, 14, 23, 13, 1, 18, 10, 26, 3, 3, 21, 7, 22, 2, 27, 6, 10, 18,
                   15, 9, 26, 8, 15, 10, 21, 5, 6, 13, 13])
PIZZA_Y = _frozen([33, 16, 32, 51, 27, 16, 34, 17, 29, 15, 15, 32, 22, 37, 13, 44, 16,
                   21, 37, 30, 26, 34, 23, 39, 27, 37, 17, 18, 25, 23])
PIZZA_COLUMNS = MappingProxyType({"x": "Reservations", "y": "Pizzas"})


def cars_loss(**options: Any) -> symgd.DataObjective:
    """The car lesson's loss: the MSE of ``w*weight + b`` on the built-in cars data,
    parameters ``(w, b)``; ``options`` go to :func:`symgd.mse`."""
    return symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"], **options)


def pizza_loss(bias: bool = True, **options: Any) -> symgd.DataObjective:
    """The pizza lesson's loss: the MSE of ``w*x + b`` (``w*x`` without ``bias``)
    on the built-in pizza data; ``options`` go to :func:`symgd.mse`."""
    model = "w*x + b" if bias else "w*x"
    return symgd.mse(model, "pizza", columns=PIZZA_COLUMNS, **options)


# ----------------------------------------------------------- kinds of objective

def logistic_data(rows: int = 20, seed: int = 0) -> dict[str, np.ndarray]:
    """Two features and 0/1 labels from a noisy linear rule (not separable, so
    the log-loss has a finite minimum)."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=(2, rows))
    y = (x1 - 0.5 * x2 + 0.7 * rng.normal(size=rows) > 0).astype(float)
    return {"x1": x1, "x2": x2, "y": y}


def network_data(rows: int = 15) -> dict[str, np.ndarray]:
    """One input on [-2, 2] and a smooth target, sin(x)."""
    x = np.linspace(-2.0, 2.0, rows)
    return {"x": x, "y": np.sin(x)}


class Kind(NamedTuple):
    """One kind of objective: its name, the objective, and a read-only float
    point (in the order of ``objective.names``) at which to test it."""

    name: str
    objective: Any
    point: np.ndarray


KIND_NAMES = ("expression", "quadratic data loss", "row-by-row data loss", "log-loss",
              "network loss")


def make_kind(name: str) -> Kind:
    """The objective of kind ``name`` (one of :data:`KIND_NAMES`) and its point."""
    if name == "expression":
        obj = symgd.Objective(BOWL)
        point: object = {"x": 0.7, "y": -1.3}
    elif name == "quadratic data loss":
        obj, point = cars_loss(), {"w": 1.5, "b": 5.0}
    elif name == "row-by-row data loss":
        obj, point = cars_loss(sufficient_statistics=False), {"w": 1.5, "b": 5.0}
    elif name == "log-loss":
        obj = symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", logistic_data())
        point = {"b": 0.1, "w1": -0.4, "w2": 0.8}
    elif name == "network loss":
        net = symgd.mlp((1, 3, 1), inputs=["x"])
        obj, point = symgd.mse(net, network_data()), net.init(seed=0)
    else:
        raise ValueError(f"unknown kind {name!r}; choose one of {', '.join(KIND_NAMES)}")
    at = obj.point(point)
    at.flags.writeable = False         # shared by the tests of a module
    return Kind(name, obj, at)
