"""A per-sample loss together with the data it is reduced over.

:class:`SampleLoss` is what the evaluation strategies of a data loss read
(the sufficient statistics of :mod:`.statistics`, the sum over rows of
:mod:`.rows`): the loss of one row in the parameters and the data symbols,
the columns those symbols stand for, and the reduction over the rows.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import sympy as sp

from ..expr.parse import make_symbol
from .tables import Dataset

__all__ = ["SampleLoss", "REDUCTIONS"]

REDUCTIONS = ("mean", "sum")


class SampleLoss:
    """The loss of one row, its parameters, its data and its reduction.

    Parameters
    ----------
    per_sample : sympy.Expr
        The loss of one row, in ``params`` and the data symbols.
    params : sequence of sympy.Symbol
        The parameters, in order.
    columns : mapping
        Data symbol name -> column name of ``data``.
    data : Dataset
    reduce : {"mean", "sum"}

    Examples
    --------
    >>> d = Dataset({"x": [1.0, 2.0], "y": [3.0, 5.0]})
    >>> w = make_symbol("w")
    >>> s = SampleLoss((w * make_symbol("x") - make_symbol("y"))**2, [w], {"x": "x", "y": "y"}, d)
    >>> s.data_symbols, s.rows, s.scale
    ((x, y), 2, 0.5)
    """

    def __init__(self, per_sample: sp.Expr, params: Sequence[sp.Symbol],
                 columns: Mapping[str, str], data: Dataset, reduce: str = "mean") -> None:
        self.per_sample = per_sample
        self.params = tuple(params)
        self.columns = dict(columns)
        self.data = data
        self.reduce = reduce
        self.data_symbols = tuple(make_symbol(s) for s in self.columns)

    def with_params(self, params: Sequence[sp.Symbol]) -> SampleLoss:
        """The same loss and data, evaluated in other parameters (such as the
        parameters and the components of a direction, for Hessian products)."""
        return SampleLoss(self.per_sample, params, self.columns, self.data, self.reduce)

    @property
    def rows(self) -> int:
        """The number of data rows, M."""
        return self.data.rows

    @property
    def scale(self) -> float:
        """The factor of the sum over rows: 1/M for a mean, 1 for a sum."""
        return 1.0 / self.rows if self.reduce == "mean" else 1.0

    def column(self, symbol: sp.Symbol) -> np.ndarray:
        """The column that a data symbol stands for."""
        return self.data[self.columns[symbol.name]]

    @property
    def column_names(self) -> list[str]:
        """The data column of each data symbol, in the order of :attr:`data_symbols`."""
        return [self.columns[s.name] for s in self.data_symbols]

    @property
    def in_memory(self) -> bool:
        """True when the rows are held in memory (a :class:`Dataset`)."""
        return isinstance(self.data, Dataset)

    def column_arrays(self) -> list[np.ndarray]:
        """Every data symbol's column, in the order of :attr:`data_symbols`."""
        return [self.column(s) for s in self.data_symbols]
