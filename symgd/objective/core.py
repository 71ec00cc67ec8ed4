"""The objective: ordered variables and the strategy that evaluates them.

:class:`Objective` is what every layer of symgd works with. Each kind of
objective (an expression here; the data losses of :mod:`symgd.data`) calls
the one initialiser :meth:`Objective._initialise` with its variables, in
order, and its :class:`~symgd.objective.strategy.Strategy`; the members of
the objective protocol (see the section of that name below) are answered
by that strategy, or overridden by the kind.

The module is longer than 700 lines because the protocol is one list: every
member an objective answers (value, gradient, Hessian, their compiled
forms, displays, points) is here, each short, so the whole contract can be
read in one place.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import sympy as sp

from ..expr.printing import latex as names_latex

from ..errors import InputError, InputTypeError, ObjectiveError
from ..expr import (check_name, constant_values, make_symbol, names_list, natural_key,
                    parse_definition, plain_symbol, public)
from ..expr.latex import SYNTAXES
from .evaluator import Evaluator
from .points import as_point
from .strategy import ExpressionStrategy, Strategy
from .templates import TEMPLATE_MIN_TERMS, templated_strategy

__all__ = ["Objective", "as_objective", "natural_key"]


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
    syntax : {"auto", "plain", "latex"}, optional
        How text is read (see :func:`symgd.parse`): LaTeX when it has a
        backslash (``"auto"``), or always plain text, or always LaTeX.

    Notes
    -----
    An objective is a SciPy objective: calling it, ``obj(x)``, is
    :meth:`value`, so ``scipy.optimize.minimize(obj, x0, jac=obj.grad,
    hessp=obj.hessp)`` works as it is, and :meth:`value` and :meth:`grad`
    take arrays of many points (``differential_evolution(obj, bounds,
    vectorized=True)``). :func:`symgd.minimize` runs SciPy's methods and
    returns symgd's :class:`~symgd.Result`.

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
                 name: str | None = None, syntax: str = "auto") -> None:
        if syntax not in SYNTAXES:
            raise InputError(f"syntax must be one of {', '.join(map(repr, SYNTAXES))}, "
                             f"got {syntax!r}")
        if variables is not None:
            variables = _split_names(variables) if isinstance(variables, (str, sp.Symbol)) \
                else names_list(variables)
        given = {} if variables is None else \
            {v.name: v for v in variables if isinstance(v, sp.Symbol)}
        names = None if variables is None else [check_name(v, "variable") for v in variables]
        if names is not None and len(set(names)) != len(names):
            raise InputError(f"variables {names} name a variable twice; list each once")
        values = constant_values(constants) if constants is not None else {}
        if isinstance(expr, Objective):
            names = list(expr.names) if names is None else names
            given = {**{v.name: v for v in expr.variables}, **given}
            name = name or expr.name
            values = {**expr.constants, **values}
            expr = expr.expr
        if isinstance(expr, sp.MatrixBase):
            _check_expression(expr)
        if isinstance(expr, str):
            definition = parse_definition(expr, variables=names, constants=constants,
                                          syntax=syntax)
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
        # text is read in real symbols; its user sees plain ones (or those given)
        user, real = _ordered_symbols(raw, names, given, own=not isinstance(expr, str))
        strategy = templated_strategy(raw, user, real)
        if strategy is None:
            to_real = {u: r for u, r in zip(user, real) if u != r}
            strategy = ExpressionStrategy(raw.xreplace(to_real), real)
        self._initialise(real, strategy, user=user,
                         name=check_name(name, "name") if name is not None else None,
                         constants=values)

    def _initialise(self, symbols: Sequence[sp.Symbol], strategy: Strategy, *,
                    user: Sequence[sp.Symbol] | None = None,
                    name: str | None = None,
                    constants: Mapping[str, sp.Expr] | None = None) -> None:
        """The one initialiser of every kind of objective.

        ``symbols`` are the variables, in order, as the real symbols that
        derivatives and numerics use; ``strategy`` evaluates the objective
        in them; ``user`` are the caller's own symbols for the same
        variables (shown in :attr:`expr` and :attr:`gradient`), by default
        ``symbols``; ``name`` is the display name, already checked;
        ``constants`` the named constants substituted when it was built
        (claimed derivatives are read with the same substitution).
        """
        symbols = tuple(symbols)
        if tuple(strategy.symbols) != symbols:
            raise ValueError(f"the strategy evaluates {strategy.symbols}, not the "
                             f"variables {symbols}")
        user = symbols if user is None else tuple(user)
        self.name = name
        self._constants = dict(constants or {})
        self._real = symbols
        self._names = tuple(s.name for s in symbols)
        self._user = user
        self._to_real = {u: r for u, r in zip(user, symbols) if u != r}
        self._to_user = dict(zip(symbols, user))    # also where they are the same symbol
        self._strategy = strategy

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
        symbols = [plain_symbol(v) for v in names]
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
        return self._user_form(self._closed_form(self.real_expr, "expression"))

    @property
    def constants(self) -> dict[str, sp.Expr]:
        """The named constants substituted when the objective was built, as
        exact numbers (``{"a": 5/2}``); claimed derivatives of it are read
        with the same substitution, so ``2a*x`` is ``5*x``.

        >>> Objective("a*x^2", constants={"a": 2.5}).constants
        {'a': 5/2}
        """
        return dict(self._constants)

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        """The variables, in order."""
        return self._user

    @property
    def names(self) -> tuple[str, ...]:
        """The variables' names, in order."""
        return self._names

    @property
    def n(self) -> int:
        """The number of variables."""
        return len(self._real)

    def symbol(self, name: str) -> sp.Symbol:
        """The variable called ``name``."""
        return self.variables[self.index(name)]

    @property
    def gradient(self) -> tuple[sp.Expr, ...]:
        """The partial derivatives, in the order of :attr:`variables`."""
        return tuple(self._user_form(g) for g in
                     self._closed_form(self.real_gradient, "gradient"))

    @property
    def hessian(self) -> sp.Matrix:
        """The matrix of second partial derivatives.

        A kink such as ``abs(x)`` at 0 contributes nothing (the Dirac delta
        of its second derivative is dropped).
        """
        hessian = sp.Matrix(self._closed_form(self.real_hessian, "Hessian"))   # a copy
        return self._user_form(hessian)

    def partial(self, var: str | sp.Symbol) -> sp.Expr:
        """The partial derivative with respect to one variable.

        >>> Objective("x^2 + x*y + y^2").partial("y")
        x + 2*y
        """
        return self.gradient[self.index(var)]

    def _user_form(self, expr: Any) -> Any:
        return self.user_form(expr)

    def user_form(self, value: Any, *, keep_form: bool = False) -> Any:
        """``value`` (an expression in :attr:`real_symbols`, or a tuple, list or
        matrix of them) in the caller's symbols: those given, else SymPy's
        plain symbols, so no real symbol leaks into what a user is handed.
        ``keep_form`` renames without evaluating (for displayed forms).

        >>> import sympy as sp
        >>> obj = Objective("abs(x)")
        >>> obj.user_form(obj.real_gradient) == (sp.sign(sp.Symbol("x")),)
        True
        """
        return public(value, self._to_user, keep_form=keep_form)

    def _closed_form(self, value: Any, what: str) -> Any:
        if value is None:
            raise ObjectiveError(f"this objective has no closed-form {what} in its "
                                 "variables (it is evaluated row by row over its data)")
        return value

    # ------------------------------------------------ the objective protocol
    # What the other layers (descent, analysis, check, explain, plot, cli) may
    # use. Every kind of objective provides these; no layer reads another
    # object's private attributes or asks which kind of objective it has.

    @property
    def per_sample(self) -> sp.Expr | None:
        """The loss of one data row, for an objective that is a mean or sum over
        data rows; None for an objective that is an expression in its variables."""
        return None

    @property
    def data_symbols(self) -> tuple[sp.Symbol, ...]:
        """The symbols that stand for data columns in :attr:`per_sample` (none here)."""
        return ()

    @property
    def rows(self) -> int | None:
        """The number of data rows, for an objective over data; None otherwise."""
        return None

    @property
    def real_symbols(self) -> tuple[sp.Symbol, ...]:
        """The variables as the real symbols used for derivatives and numerics."""
        return self._real

    @property
    def real_expr(self) -> sp.Expr | None:
        """The expression in :attr:`real_symbols` (None for an objective that is
        evaluated row by row and has no closed form in its variables)."""
        return self._strategy.real_expr

    @property
    def real_gradient(self) -> tuple[sp.Expr, ...] | None:
        """The gradient in :attr:`real_symbols` (None when evaluated row by row)."""
        return self._strategy.real_gradient

    @property
    def real_hessian(self) -> sp.Matrix | None:
        """The Hessian in :attr:`real_symbols` (None when evaluated row by row)."""
        return self._strategy.real_hessian

    def index(self, var: str | sp.Symbol) -> int:
        """The position of a variable, by name or symbol.

        >>> Objective("x^2 + y").index("y")
        1
        """
        key = var.name if isinstance(var, sp.Symbol) else var
        try:
            return self.names.index(key)
        except ValueError:
            raise InputError(f"{var!r} is not a variable of this objective; its variables "
                             f"are {', '.join(self.names)}") from None

    @property
    def inlinable(self) -> bool:
        """True when value and gradient are closed-form expressions in the
        variables alone, so descent can inline them."""
        return self._strategy.inlinable

    @property
    def degree_bound(self) -> int | None:
        """An upper bound (0, 1 or 2) on the total degree of the objective as a
        polynomial in its variables, read off its expression tree in linear time
        without differentiating; None when it is not written as a polynomial of
        degree at most 2, or when that is not cheap to tell (an expression of
        over 20,000 nodes). For a data loss, the bound of its per-sample loss
        (the mean over rows has at most that degree).

        >>> Objective("(x + 1)^2 - x*y").degree_bound, Objective("sin(x)").degree_bound
        (2, None)
        """
        return self._strategy.degree_bound

    @property
    def is_quadratic(self) -> bool:
        """True when the Hessian is constant (a quadratic or linear objective).

        >>> Objective("x^2 + 3*x*y").is_quadratic, Objective("x^3").is_quadratic
        (True, False)
        """
        return self._strategy.is_quadratic

    @property
    def evaluator(self) -> Evaluator:
        """Value and gradient together: ``evaluator.at(point)`` gives
        ``(f, df/dx1, ..., df/dxn)``; ``evaluator.at_array(columns)`` the same
        for many points at once (in one call when :attr:`vectorized`)."""
        return self._strategy.evaluator

    @property
    def compiled(self) -> Evaluator:
        """The same as :attr:`evaluator` (its earlier name)."""
        return self.evaluator

    @property
    def hessian_evaluator(self) -> Evaluator:
        """The Hessian's entries, row by row, with ``at`` and ``at_array``."""
        return self._strategy.hessian_evaluator

    @property
    def vectorized(self) -> bool:
        """True when :attr:`evaluator` evaluates many points in one call."""
        return self._strategy.vectorized

    @property
    def hessian_is_cheap(self) -> bool:
        """True when the Hessian is built already or quick to build (a gradient
        of at most 1,000 nodes), or is not built symbolically at all (a quadratic
        data loss's Hessian is a matrix of numbers; a loss evaluated row by row
        sums its second derivatives over the rows)."""
        return self._strategy.hessian_is_cheap

    @property
    def quadratic_is_known(self) -> bool:
        """True when :attr:`is_quadratic` is known without building the Hessian."""
        return self._strategy.quadratic_is_known

    @property
    def is_cheaply_quadratic(self) -> bool:
        """Whether the objective is quadratic (a constant Hessian), decided
        without building the Hessian: from a known answer, else by the
        polynomial degree test of :attr:`degree_bound`.

        >>> Objective("(x - y)^2 + x").is_cheaply_quadratic
        True
        """
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
        return self._strategy.is_linear

    # ---------------------------------------------------------- numerics

    def point(self, x: object, what: str = "point") -> np.ndarray:
        """A point as a float array of length :attr:`n`, checked.

        ``x`` may be a sequence in the order of :attr:`variables`, a mapping
        from names to values, or a single number for every variable.
        """
        return as_point(x, self.names, what)

    def value(self, x: object, *, axis: int = 0) -> float | np.ndarray:
        """The objective's value at ``x`` (nan where it is undefined).

        The gradient is not computed. ``x`` is one point (a sequence, a
        mapping of names or one number; a float comes back) or an array of
        many points whose axis ``axis`` holds the variables: shape
        ``(n, S)`` by default, SciPy's convention for vectorized callers
        such as ``differential_evolution(..., vectorized=True)``, or
        ``(S, n)`` with ``axis=-1``. An array of the other axes' shape
        comes back.

        >>> obj = Objective("x^2 + 10*y")
        >>> obj.value([1, 2])
        21.0
        >>> obj.value(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]]))
        array([ 1.,  4., 19.])
        >>> obj.value(np.array([[1.0, 0.0], [3.0, 1.0]]), axis=-1)
        array([ 1., 19.])
        """
        batch = self._batch(x, axis)
        if batch is None:
            return float(self._strategy.value_evaluator.at(self.point(x))[0])
        return self._strategy.value_evaluator.at_array(batch)[0]

    __call__ = value

    def grad(self, x: object, *, axis: int = 0) -> np.ndarray:
        """The gradient at ``x`` as a 1-D float array; for an array of many
        points (see :meth:`value`), the gradients in an array of the same
        shape, the partial derivatives along ``axis``.

        >>> obj = Objective("x^2 + 10*y")
        >>> obj.grad(np.array([[1.0, 0.0], [3.0, 1.0]]), axis=-1)
        array([[ 2., 10.],
               [ 6., 10.]])
        """
        batch = None if type(x) is np.ndarray and x.ndim == 1 else self._batch(x, axis)
        if batch is None:
            return self.value_and_grad(x)[1]
        return np.stack(self.evaluator.at_array(batch)[1:], axis=axis)

    def value_and_grad(self, x: object) -> tuple[float, np.ndarray]:
        """Value and gradient at ``x`` from one evaluation."""
        evaluator = self.evaluator
        both = getattr(evaluator, "value_and_grad", None)    # an array without a tuple
        if both is not None:
            f, g = both(self.point(x))
            return float(f), np.asarray(g, dtype=float)
        out = evaluator.at(self.point(x))
        return out[0], np.array(out[1:], dtype=float)

    def hess(self, x: object) -> np.ndarray:
        """The Hessian at ``x`` as an ``(n, n)`` float array."""
        return self._strategy.hess(self.point(x))

    def hessp(self, x: object, p: object) -> np.ndarray:
        """The Hessian at ``x`` times the vector ``p``, as a 1-D float array.

        For an expression, the gradient of the directional derivative
        ``∇f · p`` is derived once and compiled, so the n×n Hessian is never
        formed (unless it was built already); SciPy's ``hessp=`` argument
        (Newton-CG, trust-ncg, trust-krylov) takes this method.

        >>> Objective("x^2*y + y^3").hessp([1, 2], [1, 0])
        array([4., 2.])
        """
        return np.asarray(self._strategy.hessp(self.point(x), self.point(p, "p")),
                          dtype=float)

    @property
    def value_evaluator(self) -> Evaluator:
        """An evaluator whose first output is the value, computed without the
        gradient where the objective allows."""
        return self._strategy.value_evaluator

    def _batch(self, x: object, axis: int) -> list[np.ndarray] | None:
        """The coordinates of many points as one array per variable, or None
        when ``x`` is one point."""
        if isinstance(x, (Mapping, str, bytes)) or not isinstance(x, (np.ndarray, list, tuple)):
            return None
        try:
            arr = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            return None                       # point() says what is wrong
        if arr.ndim < 2:
            return None
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) \
                or not -arr.ndim <= axis < arr.ndim:
            raise InputError(f"axis must be an axis of the array of shape {arr.shape}, "
                             f"got {axis!r}")
        if arr.shape[axis] != self.n:
            raise InputError(
                f"an array of points of shape {arr.shape} has {arr.shape[axis]} values "
                f"along axis {axis}, but the objective has {self.n} variable"
                f"{'s' * (self.n != 1)} ({', '.join(self.names)}); give shape (n, S), "
                "or (S, n) with axis=-1")
        if not np.all(np.isfinite(arr)):
            raise InputError("points must be finite numbers; the array holds nan or inf")
        return list(np.moveaxis(arr, axis, 0))

    def exact_parts(self) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
        """The objective and its gradient for exact evaluation (real symbols)."""
        return (self._closed_form(self.real_expr, "expression"),
                self._closed_form(self.real_gradient, "gradient"))

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
        return f"{_latex_name(self.label)}({args}) = {names_latex(self.expr)}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


def as_objective(obj: object, variables: Iterable[str] | None = None,
                 constants: Mapping[str, object] | None = None) -> Objective:
    """``obj`` itself if it is an Objective, else ``Objective(obj, ...)``."""
    if isinstance(obj, Objective) and variables is None and constants is None:
        return obj
    return Objective(obj, variables, constants=constants)



# ----------------------------------------------------------------- helpers

def _ordered_symbols(raw: sp.Expr, names: list[str] | None,
                     given: Mapping[str, sp.Symbol], own: bool = True
                     ) -> tuple[tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    """The variables in order, as the caller's symbols and as real symbols,
    checked against the names the expression uses.

    The caller's symbol for a name is the one given in ``variables=``, else
    (``own``: the expression is the caller's) the one in the expression,
    else SymPy's plain symbol of that name."""
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
    used = by_name if own else {}
    user = tuple(used.get(n) or given.get(n) or plain_symbol(n) for n in names)
    return user, tuple(make_symbol(n) for n in names)


def _split_names(text: str | sp.Symbol) -> list[str]:
    if isinstance(text, sp.Symbol):
        return [text.name]
    return [p.strip() for p in text.replace(",", " ").split()]


def _latex_name(name: str) -> str:
    return sp.latex(sp.Symbol(name))


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
    if expr.has(sp.I) or _not_real(expr):
        raise ObjectiveError(f"the objective {expr} is not real-valued; symgd minimizes "
                             "real functions")
    return expr


def _not_real(expr: sp.Expr) -> bool:
    """Whether SymPy tells that ``expr`` is never real.

    A sum of many terms is asked term by term, once per shape of term (its
    symbols renamed in order), and not at all for terms built from real
    numbers and symbols by sums, products and whole powers: asking SymPy
    about a sum of 2,000 terms took seconds. A term that is never real makes
    the sum never real unless another cancels it; such a sum is refused.
    """
    if not (expr.is_Add and len(expr.args) >= TEMPLATE_MIN_TERMS):
        return expr.is_extended_real is False
    asked: dict[sp.Expr, bool] = {}
    for term in expr.args:
        if _plainly_real(term):
            continue
        shape = term.xreplace({s: _stand_in(j, s) for j, s in enumerate(_in_order(term))})
        if shape not in asked:
            asked[shape] = shape.is_extended_real is False
        if asked[shape]:
            return True
    return False


_STAND_INS: dict[tuple, sp.Dummy] = {}


def _stand_in(j: int, symbol: sp.Symbol) -> sp.Dummy:
    """The ``j``-th placeholder with the assumptions of ``symbol``."""
    key = (j, tuple(sorted(symbol.assumptions0.items())))
    if key not in _STAND_INS:
        _STAND_INS[key] = sp.Dummy(f"s{j}", **symbol.assumptions0)
    return _STAND_INS[key]


def _in_order(term: sp.Basic) -> list[sp.Symbol]:
    seen: dict[sp.Symbol, None] = {}
    for node in sp.preorder_traversal(term):
        if node.is_Symbol:
            seen.setdefault(node)
    return list(seen)


def _plainly_real(expr: sp.Basic) -> bool:
    """True for an expression of real numbers and symbols that may be real,
    combined by sums, products and integer powers (never a non-real value)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if node.is_Symbol:
            if node.is_extended_real is False:
                return False
        elif node.is_Number:
            if not node.is_extended_real:
                return False
        elif node.is_Add or node.is_Mul:
            stack.extend(node.args)
        elif node.is_Pow and node.exp.is_Integer:
            stack.append(node.base)
        else:
            return False
    return True


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
    values = {by_name[k]: v for k, v in constant_values(constants).items() if k in by_name}
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
