"""Compiling SymPy expressions to fast numeric functions, once.

One :func:`sympy.lambdify` call (with ``cse=True``, so value and gradient
share their common subexpressions) per kind of evaluation:

* ``scalar``: Python floats in, a tuple of floats out, using the ``math``
  module. This is the fast path for small problems: a call costs well under
  a microsecond, where NumPy's per-call overhead on a length-2 array is
  several times larger.
* ``array``: NumPy arrays in, arrays out, for many points at once and as the
  robust fallback where ``math`` raises (``log`` of a negative number,
  overflow in ``exp``): NumPy returns nan or inf there instead.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter
from sympy.simplify.cse_main import tree_cse

from ..errors import ObjectiveError
from ..expr.registry import numeric_namespace

__all__ = ["Compiled", "MATH_ERRORS", "python_statements", "inline_statements", "auto_cse", "nodes", "FULL_CSE_NODES"]

# Up to this many expression-tree nodes SymPy's full cse is used; beyond, only
# repeated subtrees are shared (tree_cse), which is many times cheaper.
FULL_CSE_NODES = 400


def auto_cse(exprs: Sequence[sp.Expr], prefix: str = "x") -> tuple[list, Sequence]:
    """Common subexpressions: SymPy's full ``cse`` for small expressions,
    repeated subtrees only for large ones (full cse grows much faster).

    The reduced expressions come back in the container they came in (a
    tuple stays a tuple), as :func:`sympy.lambdify` expects of ``cse=``.

    >>> x, y = sp.symbols("x y")
    >>> auto_cse([(x + y)**2, sp.sin(x + y)])
    ([(x0, x + y)], [x0**2, sin(x0)])
    """
    items = [sp.sympify(e) for e in exprs]
    taken = _symbols_of(items)
    names = sp.numbered_symbols(prefix, exclude=taken)
    total = 0
    for e in items:
        total += nodes(e, FULL_CSE_NODES + 2 - total)
        if total > FULL_CSE_NODES:
            break
    if total <= FULL_CSE_NODES:
        temporaries, reduced = sp.cse(items, symbols=names)
    else:
        temporaries, reduced = tree_cse(items, names, opt_subs={}, order="none")
    return temporaries, tuple(reduced) if isinstance(exprs, tuple) else list(reduced)


def _symbols_of(items: Sequence[sp.Basic]) -> set[sp.Symbol]:
    """The symbols in ``items``, each distinct subexpression looked at once
    (``free_symbols`` walks a shared subexpression once per use)."""
    seen: set[sp.Basic] = set()
    found: set[sp.Symbol] = set()
    stack = list(items)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, sp.Symbol):
            found.add(node)
        stack.extend(a for a in node.args if a not in seen)
    return found


def nodes(expr: sp.Basic, limit: int = FULL_CSE_NODES + 1) -> int:
    """The number of nodes of an expression tree, counted up to ``limit``.

    >>> x = sp.Symbol("x")
    >>> nodes(x**2 + 1), nodes(sp.Add(*sp.symbols("a:100")), limit=10)
    (5, 10)
    """
    count = 0
    for _ in sp.preorder_traversal(expr):
        count += 1
        if count >= limit:
            break
    return count



# What the ``math`` module raises where NumPy would return nan or inf; a
# complex result (a negative number to a fractional power) shows up as a
# TypeError when it meets ``math``.
MATH_ERRORS = (ValueError, ArithmeticError, TypeError)


SORTED_SUM_TERMS = 200
"""Sums with more terms are printed in SymPy's stored order: sorting a sum of
2,000 terms for display took over a second."""


def _unsorted_large_sums(printer: type) -> type:
    class Printer(printer):  # type: ignore[misc, valid-type]
        def _as_ordered_terms(self, expr: sp.Expr, order: Any = None) -> list:
            if len(expr.args) > SORTED_SUM_TERMS:
                return list(expr.args)
            return super()._as_ordered_terms(expr, order=order)
    Printer.__name__ = printer.__name__
    return Printer


def _printer(kind: str, namespace: Mapping[str, Any]) -> Any:
    """The printer lambdify would choose for ``kind``, with
    :data:`SORTED_SUM_TERMS`."""
    from sympy.printing.numpy import NumPyPrinter
    printer = _PRINTERS.get(kind)
    if printer is None:
        base = NumPyPrinter if kind == "numpy" else PythonCodePrinter
        printer = _PRINTERS[kind] = _unsorted_large_sums(base)
    return printer({"fully_qualified_modules": False, "inline": True,
                    "allow_unknown_functions": True,
                    "user_functions": {k: k for k in namespace}})


_PRINTERS: dict[str, type] = {}


class Compiled:
    """Numeric forms of a tuple of expressions in the given arguments: an
    :class:`~symgd.objective.evaluator.Evaluator`.

    Parameters
    ----------
    arguments : sequence of sympy.Symbol
        The positional arguments, in order.
    outputs : sequence of sympy.Expr
        Typically ``(f, df/dx1, ..., df/dxn)``.

    Examples
    --------
    >>> x, y = sp.symbols("x y", real=True)
    >>> c = Compiled((x, y), (x**2 + x*y + y**2, 2*x + y, x + 2*y))
    >>> c.at([1.0, 2.0])
    (7.0, 4.0, 5.0)
    >>> c.scalar(1.0, 2.0)
    (7.0, 4.0, 5.0)
    >>> c.vectorized
    True
    """

    vectorized = True
    """Many points are evaluated in one NumPy call (see :meth:`at_array`)."""

    def __init__(self, arguments: Sequence[sp.Symbol], outputs: Sequence[sp.Expr]) -> None:
        self.arguments = tuple(arguments)
        self.outputs = tuple(outputs)

    def __getstate__(self) -> dict[str, Any]:
        # the compiled functions are rebuilt where the object is unpickled
        # (a Dask worker): only the expressions travel
        return {"arguments": self.arguments, "outputs": self.outputs}

    def _lambdify(self, kind: str) -> Callable:
        namespace = numeric_namespace(kind)
        try:
            # common subexpressions first, so that lambdify only walks the
            # reduced outputs (its own walk visits a shared subtree once per use)
            temporaries, reduced = auto_cse(self.outputs)
            return sp.lambdify(self.arguments, reduced, modules=[namespace, kind],
                               cse=lambda exprs: (temporaries, exprs),
                               printer=_printer(kind, namespace))
        except Exception as err:  # SymPy's printers raise many kinds
            raise ObjectiveError(
                f"cannot compile the expression for numeric evaluation ({err}); "
                "it uses a function symgd cannot evaluate numerically") from None

    @cached_property
    def scalar(self) -> Callable[..., tuple]:
        """Fast function of Python floats (``math`` module); may raise."""
        return self._lambdify("math")

    @cached_property
    def array(self) -> Callable[..., tuple]:
        """Function of NumPy arrays; returns nan/inf instead of raising."""
        return self._lambdify("numpy")

    def at(self, point: Sequence[float]) -> tuple[float, ...]:
        """All outputs at one point, as floats (nan where undefined)."""
        try:
            values = self.scalar(*[float(v) for v in point])
            return tuple(float(v) for v in values)
        except MATH_ERRORS:
            return tuple(float(v) for v in self.at_array(np.asarray(point, dtype=float)))

    def at_array(self, points: Sequence[np.ndarray]) -> list[np.ndarray]:
        """All outputs at points of shape ``(n,)`` or ``(n, m)``, as float arrays.

        Constant outputs are broadcast to the shape of one coordinate, so the
        result never holds Python ints or object arrays.
        """
        coords = [np.asarray(p, dtype=float) for p in points]
        shape = np.broadcast_shapes(*(c.shape for c in coords)) if coords else ()
        with np.errstate(all="ignore"):
            values = self.array(*coords)
            return [_real_array(v, shape) for v in values]


def _real_array(value: object, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind == "c":
        arr = np.where(arr.imag == 0, arr.real, np.nan)
    try:
        arr = arr.astype(float, copy=False)
    except (TypeError, ValueError):
        arr = np.full(arr.shape, math.nan)
    return np.broadcast_to(arr, shape).copy() if arr.shape != shape else arr


def python_statements(arguments: Sequence[sp.Symbol], outputs: Sequence[sp.Expr],
                      argument_names: Sequence[str],
                      output_names: Sequence[str]) -> tuple[list[str], dict[str, Any]]:
    """Straight-line Python computing ``outputs`` from ``arguments`` with ``math``.

    The statements assign common subexpressions to ``_t0, _t1, ...`` and each
    output to its name in ``output_names``; arguments are read from the
    local names ``argument_names``. This is what :func:`sympy.lambdify`
    generates for ``modules="math"`` with ``cse=True``, without the function
    around it, so the descent loop can run it inline. The code is printed by
    SymPy from an already validated expression; no user text is executed.

    Returns the statements and the namespace they need.

    >>> x, y = sp.symbols("x y", real=True)
    >>> lines, ns = python_statements((x, y), (x**2 + x*y, 2*x + y), ("a", "b"), ("f", "g"))
    >>> lines
    ['f = a**2 + a*b', 'g = 2*a + b']
    """
    rename = {a: sp.Symbol(nm, real=True) for a, nm in zip(arguments, argument_names)}
    exprs = [sp.sympify(o).xreplace(rename) for o in outputs]
    temporaries, reduced = auto_cse(exprs, prefix="_t")
    namespace: dict[str, Any] = {k: v for k, v in vars(math).items() if not k.startswith("_")}
    namespace.update(numeric_namespace("math"))
    printer = _printer("math", numeric_namespace("math"))
    try:
        lines = [f"{t} = {printer.doprint(e)}" for t, e in temporaries]
        lines += [f"{nm} = {printer.doprint(e)}" for nm, e in zip(output_names, reduced)]
    except Exception as err:  # SymPy's printers raise many kinds
        raise ObjectiveError(f"cannot compile the expression for numeric evaluation "
                             f"({err})") from None
    return lines, namespace


def inline_statements(obj: Any, argument_names: Sequence[str],
                      output_names: Sequence[str]) -> tuple[list[str], dict[str, Any]]:
    """:func:`python_statements` of an objective's value and gradient, or the
    objective's own statements when it writes them (``obj.inline_statements``,
    such as a quadratic kept as numbers: printing its n^2 terms through SymPy
    would cost more than a short run)."""
    own = getattr(obj, "inline_statements", None)
    lines = own(argument_names, output_names) if own is not None else None
    if lines is not None:
        return lines, python_statements((), (), (), ())[1]
    return python_statements(obj.real_symbols, (obj.real_expr, *obj.real_gradient),
                             argument_names, output_names)
