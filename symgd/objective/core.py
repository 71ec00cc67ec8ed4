"""The objective: an expression, its ordered variables and its derivatives."""

from __future__ import annotations

import inspect
import re
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import sympy as sp

from .compile import Compiled, _nodes
from ..errors import InputError, InputTypeError, ObjectiveError
from ..expr.parse import (_constant_values, _names_list, check_name, make_symbol,
                      parse_definition)

__all__ = ["Objective", "as_objective", "natural_key"]


def natural_key(name: str) -> tuple:
    """Sort key that puts ``x2`` before ``x10``.

    >>> sorted(["x10", "x2", "b", "x1"], key=natural_key)
    ['b', 'x1', 'x2', 'x10']
    """
    return tuple((0, int(p)) if p.isdigit() else (1, p)
                 for p in re.split(r"(\d+)", name) if p)


class Objective:
    """A scalar function to minimize, with exact symbolic derivatives.

    Parameters
    ----------
    expr : str, sympy.Expr or callable
        The objective: text such as ``"z = x^2 + xy + y^2"`` (parsed safely,
        see :func:`symgd.parse`), a SymPy expression, or a Python function of
        symbols (see :meth:`from_function`).
    variables : sequence of str or sympy.Symbol, optional
        The variables, in order. By default all names in the expression,
        sorted by name (``x2`` before ``x10``), or the order of a left-hand
        side such as ``f(y, x) = ...``.
    constants : mapping, optional
        Names to replace by numbers, e.g. ``{"a": 2.5}``.
    name : str, optional
        The objective's name for display (``z`` in ``z = ...``); ``f`` if none.

    Examples
    --------
    >>> obj = Objective("z = x² + xy + y²")
    >>> obj.variables
    (x, y)
    >>> obj.gradient
    (2*x + y, x + 2*y)
    >>> obj.hessian
    Matrix([
    [2, 1],
    [1, 2]])
    >>> obj.value([1, 2])
    7.0
    >>> obj.grad([1, 2])
    array([4., 5.])
    >>> Objective("x^2 + x*y + y^2", variables=("y", "x")).gradient
    (x + 2*y, 2*x + y)
    """

    def __init__(self, expr: str | sp.Expr | Callable[..., Any] | Objective,
                 variables: Iterable[str | sp.Symbol] | None = None, *,
                 constants: Mapping[str, object] | None = None,
                 name: str | None = None) -> None:
        if variables is not None:
            variables = _split_names(variables) if isinstance(variables, (str, sp.Symbol)) \
                else _names_list(variables)
        given = {} if variables is None else \
            {v.name: v for v in variables if isinstance(v, sp.Symbol)}
        names = None if variables is None else [check_name(v, "variable") for v in variables]
        if names is not None and len(set(names)) != len(names):
            raise InputError(f"variables {names} name a variable twice; list each once")
        if isinstance(expr, Objective):
            names = list(expr.names) if names is None else names
            given = {**{v.name: v for v in expr.variables}, **given}
            name = name or expr.name
            expr = expr.expr
        if isinstance(expr, sp.MatrixBase):
            _check_expression(expr)
        if isinstance(expr, str):
            definition = parse_definition(expr, variables=names, constants=constants)
            raw, name = definition.expr, name or definition.name
            if names is None and definition.arguments is not None:
                names = list(definition.arguments)
            elif names is not None and definition.arguments is not None \
                    and list(definition.arguments) != names:
                raise InputError(f"the left-hand side lists variables "
                                 f"{list(definition.arguments)} but variables={names}")
        elif isinstance(expr, sp.Basic):
            raw = _substitute(_check_expression(expr), constants)
        elif callable(expr):
            obj = Objective.from_function(expr, variables=names, constants=constants)
            raw, names = obj.expr, [v.name for v in obj.variables]
        else:
            raise InputTypeError(
                f"an objective must be text, a SymPy expression or a function; "
                f"got {type(expr).__name__} {expr!r:.60}")
        self.name = check_name(name, "name") if name is not None else None
        self._setup(raw, names, given)

    def _setup(self, raw: sp.Expr, names: list[str] | None,
               given: Mapping[str, sp.Symbol]) -> None:
        by_name = {s.name: s for s in raw.free_symbols}
        if len(by_name) != len(raw.free_symbols):
            raise ObjectiveError("the expression has two different symbols with the same "
                                 "name; use one symbol per name")
        if names is None:
            names = sorted(by_name, key=natural_key)
        unknown = sorted(set(by_name) - set(names), key=natural_key)
        if unknown:
            raise ObjectiveError(
                f"the objective uses {unknown[0]!r}, which is neither a variable nor a "
                f"constant; add it to variables or give constants={{{unknown[0]!r}: ...}}")
        if not names:
            raise ObjectiveError(
                f"the objective {raw} has no variables: there is nothing to differentiate; "
                "write an expression in at least one variable, such as x^2")
        user = [by_name.get(n) or given.get(n) or make_symbol(n) for n in names]
        self._user = tuple(user)
        self._real = tuple(make_symbol(n) for n in names)
        self._to_real = {u: r for u, r in zip(user, self._real) if u != r}
        self._to_user = {r: u for u, r in self._to_real.items()}
        self._expr = raw.xreplace(self._to_real)

    # ------------------------------------------------------------ building

    @classmethod
    def from_function(cls, func: Callable[..., Any],
                      variables: Iterable[str] | None = None, *, n: int | None = None,
                      constants: Mapping[str, object] | None = None,
                      name: str | None = None) -> Objective:
        """An objective from a Python function, called once on symbols.

        Parameters
        ----------
        func : callable
            Either a function of scalars, ``f(x, y)``, whose parameter names
            become the variables, or (with ``n``) a function of one vector,
            ``f(v)``, called with an object array of symbols ``x1..xn``
            (SciPy's convention; ``v[0]`` is ``x1``). It must use operations
            SymPy understands: arithmetic, ``sympy.sin`` and the like,
            ``numpy.sum`` on the vector.
        variables : sequence of str, optional
            Names to use instead of the parameter names.
        n : int, optional
            Length of the vector for a function of one vector.

        Examples
        --------
        >>> Objective.from_function(lambda x, y: (1 - x)**2 + 100*(y - x**2)**2).variables
        (x, y)
        >>> from scipy.optimize import rosen
        >>> Objective.from_function(rosen, n=3).expr
        (1 - x1)**2 + (1 - x2)**2 + 100*(-x1**2 + x2)**2 + 100*(-x2**2 + x3)**2
        """
        if not callable(func):
            raise InputTypeError(f"from_function needs a callable, got {type(func).__name__}")
        names = _function_names(func, variables, n)
        symbols = [make_symbol(v) for v in names]
        args = [np.array(symbols, dtype=object)] if n is not None else symbols
        try:
            value = func(*args)
        except Exception as err:
            raise ObjectiveError(
                f"calling {getattr(func, '__name__', 'the function')} with symbols failed "
                f"({type(err).__name__}: {err}); write it with operations SymPy understands "
                "(+ - * / **, sympy.sin, sympy.exp, numpy.sum), not math.* functions") from None
        expr = _integral_floats(_check_expression(_as_expression(value)))
        if name is None:
            fname = getattr(func, "__name__", "")
            name = fname if fname.isidentifier() and fname != "<lambda>" else None
        return cls(expr, variables=names, constants=constants, name=name)

    # ---------------------------------------------------------- properties

    @property
    def expr(self) -> sp.Expr:
        """The expression, in the caller's symbols."""
        return self._expr.xreplace(self._to_user)

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        """The variables, in order."""
        return self._user

    @property
    def names(self) -> tuple[str, ...]:
        """The variables' names, in order."""
        return tuple(s.name for s in self._real)

    @property
    def n(self) -> int:
        """The number of variables."""
        return len(self._real)

    def symbol(self, name: str) -> sp.Symbol:
        """The variable called ``name``."""
        return self.variables[self._index(name)]

    def _index(self, var: str | sp.Symbol) -> int:
        key = var.name if isinstance(var, sp.Symbol) else var
        try:
            return self.names.index(key)
        except ValueError:
            raise InputError(f"{var!r} is not a variable of this objective; its variables "
                             f"are {', '.join(self.names)}") from None

    @cached_property
    def _gradient(self) -> tuple[sp.Expr, ...]:
        return gradient_of(self._expr, self._real)

    @cached_property
    def _hessian(self) -> sp.Matrix:
        n, g = self.n, self._gradient
        rows = [[sp.S.Zero] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                rows[i][j] = rows[j][i] = _derivative(g[i], self._real[j])
        return sp.Matrix(rows)

    @property
    def gradient(self) -> tuple[sp.Expr, ...]:
        """The partial derivatives, in the order of :attr:`variables`."""
        return tuple(g.xreplace(self._to_user) for g in self._gradient)

    @property
    def hessian(self) -> sp.Matrix:
        """The matrix of second partial derivatives.

        A kink such as ``abs(x)`` at 0 contributes nothing (the Dirac delta
        of its second derivative is dropped).
        """
        return self._hessian.xreplace(self._to_user)

    def partial(self, var: str | sp.Symbol) -> sp.Expr:
        """The partial derivative with respect to one variable.

        >>> Objective("x^2 + x*y + y^2").partial("y")
        x + 2*y
        """
        return self.gradient[self._index(var)]

    @property
    def inlinable(self) -> bool:
        """True when value and gradient are closed-form expressions in the
        variables alone, so descent can inline them (see run.py)."""
        return True

    @cached_property
    def degree_bound(self) -> int | None:
        """An upper bound (0, 1 or 2) on the total degree of the objective as a
        polynomial in its variables, read off its expression tree in linear time
        without differentiating; None when it is not written as a polynomial of
        degree at most 2, or when that is not cheap to tell (an objective
        evaluated row by row, an expression of over 20,000 nodes).

        >>> Objective("(x + 1)^2 - x*y").degree_bound, Objective("sin(x)").degree_bound
        (2, None)
        """
        expr = getattr(self, "_expr", None)
        if not isinstance(expr, sp.Expr) or not self.inlinable:
            return None
        if _nodes(expr, _POLYNOMIAL_MAX_NODES + 1) > _POLYNOMIAL_MAX_NODES:
            return None
        try:
            bound = _degree_bound(expr, frozenset(self._real))
        except RecursionError:
            return None
        return bound if bound is not None and bound <= 2 else None

    @cached_property
    def is_quadratic(self) -> bool:
        """True when the Hessian is constant (a quadratic or linear objective)."""
        return not (self._hessian.free_symbols & set(self._real))

    # ------------------------------------------------ the objective protocol
    # What the other layers (descent, analysis, check, explain, plot, cli) may
    # use. Every kind of objective provides these; no layer reads another
    # object's private attributes or asks which kind of objective it has.

    per_sample: sp.Expr | None = None
    """The loss of one data row, for an objective that is a mean or sum over
    data rows; None for an objective that is an expression in its variables."""

    data_symbols: tuple[sp.Symbol, ...] = ()
    """The symbols that stand for data columns in :attr:`per_sample` (none here)."""

    rows: int | None = None
    """The number of data rows, for an objective over data; None otherwise."""

    @property
    def real_symbols(self) -> tuple[sp.Symbol, ...]:
        """The variables as the real symbols used for derivatives and numerics."""
        return self._real

    @property
    def real_expr(self) -> sp.Expr | None:
        """The expression in :attr:`real_symbols` (None for an objective that is
        evaluated row by row and has no closed form in its variables)."""
        return self._expr

    @property
    def real_gradient(self) -> tuple[sp.Expr, ...]:
        """The gradient in :attr:`real_symbols`."""
        return self._gradient

    @property
    def real_hessian(self) -> sp.Matrix:
        """The Hessian in :attr:`real_symbols`."""
        return self._hessian

    def index(self, var: str | sp.Symbol) -> int:
        """The position of a variable, by name or symbol.

        >>> Objective("x^2 + y").index("y")
        1
        """
        return self._index(var)

    @property
    def evaluator(self) -> Any:
        """Value and gradient together: ``evaluator.at(point)`` gives
        ``(f, df/dx1, ..., df/dxn)``; ``evaluator.at_array(columns)`` the same
        for many points at once when :attr:`vectorized` is true."""
        return self.compiled

    @property
    def hessian_evaluator(self) -> Any:
        """The Hessian's entries, row by row, with ``at`` and ``at_array``."""
        return self._compiled_hessian

    @property
    def vectorized(self) -> bool:
        """True when :attr:`evaluator` evaluates many points in one call."""
        return True

    @property
    def hessian_is_cheap(self) -> bool:
        """True when the symbolic Hessian is built already or quick to build
        (its gradient has at most 1,000 nodes)."""
        if "_hessian" in self.__dict__ or not self.inlinable:
            return True
        total = 0
        for g in self._gradient:
            total += _nodes(g, _CHEAP_HESSIAN_NODES + 1)
            if total > _CHEAP_HESSIAN_NODES:
                return False
        return True

    @property
    def quadratic_is_known(self) -> bool:
        """True when :attr:`is_quadratic` is known without building the Hessian."""
        return "is_quadratic" in self.__dict__ or "_hessian" in self.__dict__

    @property
    def is_cheaply_quadratic(self) -> bool:
        """Whether the objective is quadratic (a constant Hessian), decided
        without building the Hessian: from a known answer, else by the
        polynomial degree test of :attr:`degree_bound`."""
        if self.quadratic_is_known:
            return bool(self.is_quadratic)
        return self.degree_bound is not None

    @property
    def is_linear(self) -> bool:
        """Whether the objective is a polynomial of total degree 1, decided cheaply.

        >>> Objective("2x - y").is_linear, Objective("(x + 1)^2 - x^2").is_linear
        (True, True)
        >>> Objective("x*y").is_linear
        False
        """
        if not self.inlinable:
            return False
        if "is_quadratic" in self.__dict__ and not self.is_quadratic:
            return False
        if "_hessian" in self.__dict__:    # e.g. a data loss's statistics: no expression
            try:
                return bool(self.is_quadratic) and not np.any(self.hess(np.zeros(self.n)))
            except Exception:  # a cheap test only: when in doubt, not linear
                return False
        bound = self.degree_bound
        if bound == 2:
            # a quadratic written so that its squares cancel, as (x + 1)^2 - x^2
            variables = set(self._real)
            return not any(g.free_symbols & variables for g in self._gradient)
        return bound == 1

    # ---------------------------------------------------------- numerics

    @cached_property
    def compiled(self) -> Compiled:
        """Value and gradient compiled together: ``(f, df/dx1, ..., df/dxn)``."""
        return Compiled(self._real, (self._expr, *self._gradient))

    @cached_property
    def _compiled_hessian(self) -> Compiled:
        entries = [self._hessian[i, j] for i in range(self.n) for j in range(self.n)]
        return Compiled(self._real, entries)

    def point(self, x: object, what: str = "point") -> np.ndarray:
        """A point as a float array of length :attr:`n`, checked.

        ``x`` may be a sequence in the order of :attr:`variables`, a mapping
        from names to values, or a single number for every variable.
        """
        return _as_point(x, self.names, what)

    def value(self, x: object) -> float:
        """The objective's value at ``x`` (nan where it is undefined)."""
        return self.compiled.at(self.point(x))[0]

    def grad(self, x: object) -> np.ndarray:
        """The gradient at ``x`` as a 1-D float array."""
        return np.array(self.compiled.at(self.point(x))[1:], dtype=float)

    def value_and_grad(self, x: object) -> tuple[float, np.ndarray]:
        """Value and gradient at ``x`` from one evaluation."""
        out = self.compiled.at(self.point(x))
        return out[0], np.array(out[1:], dtype=float)

    def hess(self, x: object) -> np.ndarray:
        """The Hessian at ``x`` as an ``(n, n)`` float array."""
        values = self._compiled_hessian.at(self.point(x))
        return np.array(values, dtype=float).reshape(self.n, self.n)

    def exact_parts(self) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
        """The objective and its gradient for exact evaluation (real symbols)."""
        return self._expr, self._gradient

    # ---------------------------------------------------------- display

    @property
    def label(self) -> str:
        """The name used in displays: the given name, or ``f``."""
        return self.name or "f"

    def __str__(self) -> str:
        return f"{self.name} = {self.expr}" if self.name else str(self.expr)

    def __repr__(self) -> str:
        return f"Objective({str(self.expr)!r}, variables={self.names!r})"

    def pretty(self) -> str:
        """The expression drawn with Unicode characters."""
        return sp.pretty(sp.Eq(sp.Symbol(self.label), self.expr, evaluate=False),
                         use_unicode=True)

    def latex(self) -> str:
        """The expression in LaTeX, with its name."""
        args = ", ".join(sp.latex(v) for v in self.variables)
        return f"{_latex_name(self.label)}({args}) = {sp.latex(self.expr)}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


def as_objective(obj: object, variables: Iterable[str] | None = None,
                 constants: Mapping[str, object] | None = None) -> Objective:
    """``obj`` itself if it is an Objective, else ``Objective(obj, ...)``."""
    if isinstance(obj, Objective) and variables is None and constants is None:
        return obj
    return Objective(obj, variables, constants=constants)


# ----------------------------------------------------------------- helpers

def _split_names(text: str | sp.Symbol) -> list[str]:
    if isinstance(text, sp.Symbol):
        return [text.name]
    return [p.strip() for p in text.replace(",", " ").split()]


_POLYNOMIAL_MAX_NODES = 20_000     # the most nodes degree_bound looks at
_CHEAP_HESSIAN_NODES = 1000        # gradient nodes below which a Hessian is cheap


def _degree_bound(expr: sp.Expr, variables: frozenset) -> int | None:
    """An upper bound on the total degree of ``expr`` as a polynomial in
    ``variables``, read off its tree; None when it is not written as one."""
    if expr.is_Symbol:
        return 1 if expr in variables else 0
    if expr.is_Number:
        return 0
    if expr.is_Add or expr.is_Mul:
        degrees = [_degree_bound(a, variables) for a in expr.args]
        if None in degrees:
            return None
        return max(degrees) if expr.is_Add else sum(degrees)
    if expr.is_Pow and expr.exp.is_Integer and expr.exp >= 0:
        base = _degree_bound(expr.base, variables)
        return None if base is None else base * int(expr.exp)
    # anything else (a function, a fractional power) is a constant only when
    # it is free of the variables; its subtree is looked at once, here
    return None if expr.free_symbols & variables else 0


def _latex_name(name: str) -> str:
    return sp.latex(sp.Symbol(name))


MAX_DERIVATIVE_SIZE = 50_000
"""The most new SymPy nodes one partial derivative may take (see
:func:`derivative_size`); a product of 999 factors would take ~10^6."""


def gradient_of(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> tuple[sp.Expr, ...]:
    """The partial derivatives of ``expr``, one per variable.

    The terms of a sum are sorted by the variables they contain first, so
    that each derivative only looks at its own terms: a sum of n variables
    costs O(n), not O(n²).

    >>> x, y = sp.symbols("x y")
    >>> gradient_of(x**2 + x*y + 3, (x, y))
    (2*x + y, x)
    """
    terms = expr.args if isinstance(expr, sp.Add) else (expr,)
    wanted = set(variables)
    touching: dict[sp.Symbol, list[sp.Expr]] = {v: [] for v in variables}
    for term in terms:
        for s in term.free_symbols & wanted:
            touching[s].append(term)
    return tuple(_derivative(sp.Add(*touching[v]), v) for v in variables)


def derivative_size(expr: sp.Expr, var: sp.Symbol) -> int:
    """About how many new SymPy nodes ``diff(expr, var)`` creates.

    Counted once per distinct subexpression that contains ``var``: a product
    of k such factors costs k*k (the product rule copies the other factors
    into each of k terms), a sum one node per term, anything else a few.

    >>> x = sp.Symbol("x")
    >>> derivative_size(sp.Mul(*[x + i for i in range(1, 11)]), x)
    110
    """
    contains: dict[sp.Basic, bool] = {}
    total = 0
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if node in contains and not done:
            continue
        if not done:
            if node == var:
                contains[node] = True
                continue
            if not node.args:
                contains[node] = False
                continue
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in contains)
            continue
        hits = sum(contains[a] for a in node.args)
        contains[node] = hits > 0
        if hits:
            if isinstance(node, sp.Mul):
                total += hits * len(node.args)
            elif isinstance(node, sp.Add):
                total += hits
            else:
                total += 2 + len(node.args)
    return total


def _derivative(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    size = derivative_size(expr, var)
    if size > MAX_DERIVATIVE_SIZE:
        raise ObjectiveError(
            f"the derivative with respect to {var} would be too large (about {size:,} "
            f"SymPy terms; symgd stops at {MAX_DERIVATIVE_SIZE:,}): the product rule "
            "copies every factor of a long product; write the objective as a sum or "
            "with fewer factors")
    try:
        d = sp.diff(expr, var)
    except RecursionError:
        raise ObjectiveError("the expression is too deeply nested to differentiate") from None
    if d.has(sp.DiracDelta):
        d = d.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
    if d.has(sp.Derivative, sp.Subs):
        raise ObjectiveError(f"SymPy could not differentiate {expr} with respect to "
                             f"{var}: the result still contains an unevaluated derivative")
    return d


def _check_expression(expr: object) -> sp.Expr:
    if isinstance(expr, sp.MatrixBase):
        raise ObjectiveError(f"the objective must be a scalar, got a matrix of shape "
                             f"{expr.shape}; minimize a scalar such as its squared norm")
    if isinstance(expr, sp.Rel) or isinstance(expr, sp.logic.boolalg.Boolean) \
            and not isinstance(expr, sp.Expr):      # a Symbol is both Expr and Boolean
        raise ObjectiveError(f"the objective must be an expression to minimize, got the "
                             f"condition {expr}")
    if not isinstance(expr, sp.Expr):
        raise ObjectiveError(f"the objective must be a scalar SymPy expression, got "
                             f"{type(expr).__name__}")
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ObjectiveError(f"the objective {expr} contains an infinity or an undefined value")
    if expr.has(sp.I) or expr.is_extended_real is False:
        raise ObjectiveError(f"the objective {expr} is not real-valued; symgd minimizes "
                             "real functions")
    return expr


def _as_expression(value: object) -> object:
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise ObjectiveError(f"the function returned an array of shape {value.shape}; "
                                 "it must return a scalar")
        value = value.reshape(()).item()
    if isinstance(value, (list, tuple)):
        raise ObjectiveError(f"the function returned a {type(value).__name__} of "
                             f"{len(value)} items; it must return a scalar")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sp.Float(value) if isinstance(value, float) else sp.Integer(value)
    return value


def _integral_floats(expr: sp.Expr) -> sp.Expr:
    """``x**2.0`` -> ``x**2``: floats that are whole numbers become integers."""
    ints = {f: sp.Integer(int(f)) for f in expr.atoms(sp.Float) if float(f).is_integer()}
    return expr.xreplace(ints) if ints else expr


def _substitute(expr: sp.Expr, constants: Mapping[str, object] | None) -> sp.Expr:
    if constants is None:
        return expr
    by_name = {s.name: s for s in expr.free_symbols}
    values = {by_name[k]: v for k, v in _constant_values(constants).items() if k in by_name}
    return expr.xreplace(values)


def _function_names(func: Callable[..., Any], variables: Iterable[str] | None,
                    n: int | None) -> list[str]:
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InputError(f"n must be a positive integer, got {n!r}")
        names = list(variables) if variables is not None else [f"x{i}" for i in range(1, n + 1)]
        if len(names) != n:
            raise InputError(f"n = {n} but {len(names)} variable names were given")
        return names
    if variables is not None:
        return list(variables)
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        raise InputError("cannot read the function's parameters; pass variables=(...) "
                         "or n=...") from None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if not params or any(p.kind not in kinds for p in params):
        raise InputError("the function must take its variables as named positional "
                         "parameters, f(x, y); for f(*args) or f(v) pass n=... or variables=")
    return [check_name(p.name, "parameter") for p in params]


def _as_point(x: object, names: Sequence[str], what: str) -> np.ndarray:
    n = len(names)
    if isinstance(x, Mapping):
        missing = [k for k in names if k not in x]
        extra = [k for k in x if k not in names]
        if missing or extra:
            problem = f"lacks {missing}" if missing else f"has unknown names {extra}"
            raise InputError(f"{what} {dict(x)!r} {problem}; the variables are "
                             f"{', '.join(names)}")
        x = [x[k] for k in names]
    if x is None or isinstance(x, (str, bytes)) or isinstance(x, (list, tuple)) and \
            any(v is None or isinstance(v, (str, bytes)) for v in x):
        raise InputTypeError(f"{what} must be numbers, one per variable "
                             f"({', '.join(names)}); got {x!r:.80}")
    try:
        arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError(f"{what} must be numbers, one per variable "
                             f"({', '.join(names)}); got {x!r:.80}") from None
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.ndim != 1:
        raise InputError(f"{what} must be one value per variable ({', '.join(names)}), "
                         f"got an array of shape {arr.shape}")
    if arr.shape != (n,):
        raise InputError(f"{what} has {arr.size} value{'s' * (arr.size != 1)} but the "
                         f"objective has {n} variable{'s' * (n != 1)} ({', '.join(names)})")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{what} must be finite numbers, got {arr.tolist()}")
    return arr
