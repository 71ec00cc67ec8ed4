"""How an objective is evaluated, and what it can tell about itself cheaply.

An :class:`~symgd.objective.core.Objective` holds its ordered variables and
one :class:`Strategy`, chosen when it is built, and answers the questions
of the objective protocol (its closed forms, its evaluators, whether it is
quadratic or linear, whether its Hessian is cheap) by asking the strategy.
:class:`ExpressionStrategy` is the strategy of an objective written as an
expression; the data losses of :mod:`symgd.data` add theirs (sufficient
statistics, a sum over rows).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np
import sympy as sp

from .compile import Compiled, nodes
from .derivatives import degree_bound, directional_hessian, gradient_of, hessian_of
from .evaluator import Evaluator

__all__ = ["Strategy", "ExpressionStrategy", "CHEAP_HESSIAN_NODES"]

CHEAP_HESSIAN_NODES = 1000
"""Gradient nodes up to which building the symbolic Hessian counts as cheap."""


class Strategy(ABC):
    """The evaluation strategy of one kind of objective in ``symbols``.

    Subclasses answer every question below; the defaults are those that
    follow from the others.
    """

    def __init__(self, symbols: Sequence[sp.Symbol]) -> None:
        self.symbols = tuple(symbols)

    # ------------------------------------------------------- closed forms

    @property
    @abstractmethod
    def real_expr(self) -> sp.Expr | None:
        """The objective in :attr:`symbols`; None when it has no closed form."""

    @property
    @abstractmethod
    def real_gradient(self) -> tuple[sp.Expr, ...] | None:
        """The gradient in :attr:`symbols`; None when there is no closed form."""

    @property
    @abstractmethod
    def real_hessian(self) -> sp.Matrix | None:
        """The Hessian in :attr:`symbols`; None when there is no closed form."""

    @property
    @abstractmethod
    def inlinable(self) -> bool:
        """True when value and gradient are closed-form expressions in the
        symbols alone (so descent may inline them)."""

    # ----------------------------------------------------------- numerics

    @property
    @abstractmethod
    def evaluator(self) -> Evaluator:
        """``at(point) -> (f, df/dθ1, ..., df/dθn)``."""

    @property
    @abstractmethod
    def hessian_evaluator(self) -> Evaluator:
        """``at(point)`` gives the n*n Hessian entries, row by row."""

    @property
    def value_evaluator(self) -> Evaluator:
        """An evaluator whose first output is the value, for callers that need
        the value alone (line searches, ``Objective.value``). By default
        :attr:`evaluator`; a kind that can skip the gradient gives one that does."""
        return self.evaluator

    @property
    def vectorized(self) -> bool:
        """True when :attr:`evaluator` evaluates many points in one call."""
        return bool(self.evaluator.vectorized)

    def hess(self, point: np.ndarray) -> np.ndarray:
        """The Hessian at a checked point, as an ``(n, n)`` float array."""
        n = len(self.symbols)
        return np.array(self.hessian_evaluator.at(point), dtype=float).reshape(n, n)

    def hessp(self, point: np.ndarray, direction: np.ndarray) -> np.ndarray:
        """The Hessian at a checked point times ``direction``, shape ``(n,)``.

        By default from the Hessian; kinds that can do without it override this.
        """
        return self.hess(point) @ direction

    # ---------------------------------------------------- what it is

    @property
    @abstractmethod
    def is_quadratic(self) -> bool:
        """True when the Hessian is constant (a quadratic or linear objective)."""

    @property
    def quadratic_is_known(self) -> bool:
        """True when :attr:`is_quadratic` costs nothing (no Hessian to build)."""
        return True

    @property
    def hessian_is_cheap(self) -> bool:
        """True when the Hessian is built already or quick to build."""
        return True

    @property
    @abstractmethod
    def is_linear(self) -> bool:
        """Whether the objective is a polynomial of total degree 1, decided cheaply
        (False when in doubt)."""

    @property
    @abstractmethod
    def degree_bound(self) -> int | None:
        """An upper bound (0, 1 or 2) on the polynomial degree, or None."""


class ExpressionStrategy(Strategy):
    """A closed-form expression: derivatives by SymPy, built on demand and
    kept; value and gradient compiled together (see
    :class:`~symgd.objective.compile.Compiled`).

    Examples
    --------
    >>> x, y = sp.symbols("x y", real=True)
    >>> s = ExpressionStrategy(x**2 + x*y, (x, y))
    >>> s.real_gradient, s.quadratic_is_known
    ((2*x + y, x), False)
    >>> s.evaluator.at([1.0, 2.0]), s.is_quadratic, s.quadratic_is_known
    ((3.0, 4.0, 1.0), True, True)
    """

    def __init__(self, expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> None:
        super().__init__(symbols)
        self.expr = expr
        self._gradient: tuple[sp.Expr, ...] | None = None
        self._hessian: sp.Matrix | None = None
        self._quadratic: bool | None = None
        self._degree: tuple[int | None] | None = None
        self._evaluator: Compiled | None = None
        self._value_evaluator: Compiled | None = None
        self._hessian_evaluator: Compiled | None = None
        self._hessp_evaluator: Compiled | None = None

    @property
    def real_expr(self) -> sp.Expr:
        return self.expr

    @property
    def real_gradient(self) -> tuple[sp.Expr, ...]:
        if self._gradient is None:
            self._gradient = gradient_of(self.expr, self.symbols)
        return self._gradient

    @property
    def real_hessian(self) -> sp.Matrix:
        if self._hessian is None:
            self._hessian = hessian_of(self.real_gradient, self.symbols)
        return self._hessian

    @property
    def inlinable(self) -> bool:
        return True

    @property
    def evaluator(self) -> Compiled:
        if self._evaluator is None:
            self._evaluator = Compiled(self.symbols, (self.expr, *self.real_gradient))
        return self._evaluator

    @property
    def value_evaluator(self) -> Compiled:
        """The value alone, compiled once (no gradient computed)."""
        if self._value_evaluator is None:
            self._value_evaluator = Compiled(self.symbols, (self.expr,))
        return self._value_evaluator

    def hessp(self, point: np.ndarray, direction: np.ndarray) -> np.ndarray:
        """The Hessian times ``direction``: from the Hessian when it is built
        already, else from the gradient of the directional derivative
        ``∇f · p`` (see :func:`~symgd.objective.derivatives.directional_hessian`),
        derived and compiled once, so the n×n matrix is never built."""
        if self._hessian is not None:
            return self.hess(point) @ direction
        if self._hessp_evaluator is None:
            arguments, products = directional_hessian(self.real_gradient, self.symbols)
            self._hessp_evaluator = Compiled(arguments, products)
        values = self._hessp_evaluator.at([*point, *direction])
        return np.array(values, dtype=float)

    @property
    def hessian_evaluator(self) -> Compiled:
        if self._hessian_evaluator is None:
            h, n = self.real_hessian, len(self.symbols)
            self._hessian_evaluator = Compiled(self.symbols,
                                               [h[i, j] for i in range(n) for j in range(n)])
        return self._hessian_evaluator

    @property
    def vectorized(self) -> bool:
        return True

    @property
    def is_quadratic(self) -> bool:
        if self._quadratic is None:
            self._quadratic = not (self.real_hessian.free_symbols & set(self.symbols))
        return self._quadratic

    @property
    def quadratic_is_known(self) -> bool:
        return self._quadratic is not None or self._hessian is not None

    @property
    def hessian_is_cheap(self) -> bool:
        """Built already, or a gradient of at most :data:`CHEAP_HESSIAN_NODES` nodes."""
        if self._hessian is not None:
            return True
        total = 0
        for g in self.real_gradient:
            total += nodes(g, CHEAP_HESSIAN_NODES + 1)
            if total > CHEAP_HESSIAN_NODES:
                return False
        return True

    @property
    def is_linear(self) -> bool:
        if self._quadratic is False:
            return False
        if self._hessian is not None:
            return all(entry == 0 for entry in self._hessian)
        bound = self.degree_bound
        if bound == 2:
            # a quadratic written so that its squares cancel, as (x + 1)^2 - x^2:
            # SymPy collects the terms of its gradient
            variables = set(self.symbols)
            return not any(g.free_symbols & variables for g in self.real_gradient)
        return bound == 1

    @property
    def degree_bound(self) -> int | None:
        if self._degree is None:
            self._degree = (degree_bound(self.expr, self.symbols),)
        return self._degree[0]
