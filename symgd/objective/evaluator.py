"""The one interface of numeric evaluation: value and gradient at points.

Every way symgd evaluates an objective (a compiled expression, the
sufficient statistics of a quadratic data loss, a sum over data rows, a
constant) satisfies :class:`Evaluator`; the layers that evaluate
(descent, analysis, checks, figures) use only this interface.
"""

from __future__ import annotations

from typing import Callable, Iterable, Protocol, Sequence, runtime_checkable

import numpy as np

__all__ = ["Evaluator", "ConstantEvaluator", "at_each_point"]


@runtime_checkable
class Evaluator(Protocol):
    """Outputs such as ``(f, df/dθ1, ..., df/dθn)`` at one point or many.

    ``at(point)`` takes the point's coordinates in order and returns the
    outputs as floats (nan where undefined). ``at_array(columns)`` takes one
    array per coordinate (the points are the columns' common broadcast
    shape) and returns one float array of that shape per output.
    ``vectorized`` is true when ``at_array`` costs about one call of ``at``,
    false when it evaluates the points one by one.

    Examples
    --------
    >>> e = ConstantEvaluator([1.0, 2.0])
    >>> isinstance(e, Evaluator), e.at([0.5]), e.vectorized
    (True, (1.0, 2.0), True)
    """

    @property
    def vectorized(self) -> bool:
        """True when :meth:`at_array` evaluates many points in one call."""
        ...

    def at(self, point: Sequence[float]) -> tuple[float, ...]:
        """The outputs at one point."""
        ...

    def at_array(self, columns: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The outputs at many points, one array per output."""
        ...


class ConstantEvaluator:
    """Outputs that do not depend on the point, such as a quadratic's Hessian.

    >>> ConstantEvaluator([3.0]).at_array([np.zeros(2), np.ones(2)])
    [array([3., 3.])]
    """

    vectorized = True

    def __init__(self, values: Iterable[float]) -> None:
        self.values = tuple(float(v) for v in values)

    def at(self, point: Sequence[float]) -> tuple[float, ...]:
        """The values, whatever the point."""
        return self.values

    def at_array(self, columns: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each value, broadcast to the points' shape."""
        shape = np.broadcast_shapes(*(np.shape(c) for c in columns))
        return [np.full(shape, v) for v in self.values]


def at_each_point(at: Callable[[Sequence[float]], tuple[float, ...]],
                  columns: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``at_array`` for an evaluator that takes one point at a time: ``at`` is
    called at each point of the columns' broadcast shape.

    >>> at_each_point(lambda p: (p[0] * p[1], p[0]), [np.array([1.0, 2.0]), 3.0])
    [array([3., 6.]), array([1., 2.])]
    """
    coords = [np.asarray(c, dtype=float) for c in columns]
    shape = np.broadcast_shapes(*(c.shape for c in coords)) if coords else ()
    flat = [np.broadcast_to(c, shape).ravel() for c in coords]
    size = int(np.prod(shape, dtype=int))
    values = [at([float(c[k]) for c in flat]) for k in range(size)]
    width = len(values[0]) if values else len(at([0.0] * len(coords)))
    table = np.array(values, dtype=float).reshape(size, width)
    return [np.ascontiguousarray(table[:, m]).reshape(shape) for m in range(width)]
