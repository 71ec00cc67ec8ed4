r"""The data objective: a per-sample loss averaged (or summed) over data rows.

The data never enters the SymPy expression: a data objective keeps the
per-sample loss :math:`\ell(\theta; x, y)` with data *symbols*, and the
reduction over the :math:`M` rows is numeric. Its evaluation strategy is
chosen once, when it is built:

* **sufficient statistics** when :math:`\ell` is a polynomial in the
  parameters (see :mod:`.statistics`): the data is reduced once, and the
  loss becomes an ordinary objective in the parameters;
* **per-row evaluation** otherwise, or when statistics are declined (see
  :mod:`.rows`).

Both give the same numbers to round-off. Its displays are the textbook
sums over rows (:class:`Textbook`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import sympy as sp

from .._text import quote
from ..errors import InputError, ObjectiveError
from ..expr.names import plain_symbol
from ..expr.numbers import constant_values
from ..objective import Objective, Strategy, derivative
from .chunked import CHUNK_ROWS, LOAD_BYTES
from ..fast.rows import check_backend
from .rows import RowEvaluator, RowStrategy
from .sample import REDUCTIONS, SampleLoss
from .statistics import reduced_strategy
from .tables import Dataset

__all__ = ["DataObjective", "Textbook", "REDUCTIONS", "EXACT_MAX_ROWS"]

EXACT_MAX_ROWS = 10_000
"""The most rows :meth:`DataObjective.exact_parts` sums exactly."""


class DataObjective(Objective):
    r"""The mean (or sum) over data rows of a per-sample loss.

    Build one with :func:`~symgd.mse`, :func:`~symgd.sse`, :func:`~symgd.mae`,
    :func:`~symgd.log_loss` or :func:`~symgd.loss`. It is an
    :class:`~symgd.Objective` in the parameters: :func:`~symgd.descend`,
    ``value``, ``grad`` and ``hess`` work as usual. ``expr`` and
    ``gradient`` show the textbook forms, such as
    :math:`\frac{2}{M}\sum_{i=1}^{M} x_i (b + w x_i - y_i)`.

    Attributes
    ----------
    per_sample : sympy.Expr
        The loss of one row, in the parameters and the data symbols.
    data : Dataset
    columns : dict
        Data symbol name -> column name.
    reduce : {"mean", "sum"}
    model : sympy.Expr or None
        The model, for losses built from one.
    target : str or None
        The target's data symbol, for losses built from a model.

    Examples
    --------
    >>> d = Dataset({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.0]})
    >>> w = sp.Symbol("w", real=True)
    >>> x, y = sp.symbols("x y", real=True)
    >>> L = DataObjective((w*x - y)**2, [w], {"x": "x", "y": "y"}, d, name="L")
    >>> L.value([2.0]), L.rows, L.is_quadratic
    (0.0, 3, True)
    >>> L
    DataObjective('(w*x - y)**2', mean over 3 rows, variables=('w',))
    """

    def __init__(self, per_sample: sp.Expr, params: Sequence[sp.Symbol],
                 columns: Mapping[str, str], data: Dataset, *, reduce: str = "mean",
                 name: str | None = None, model: sp.Expr | None = None,
                 target: str | None = None, display: sp.Expr | None = None,
                 sufficient_statistics: bool = True,
                 constants: Mapping[str, object] | None = None,
                 backend: str = "auto") -> None:
        if reduce not in REDUCTIONS:
            raise InputError(f"reduce must be 'mean' or 'sum', got {quote(reduce)}")
        sample = SampleLoss(per_sample, params, columns, data, reduce)
        self._sample = sample
        self.model = model
        self.target = target
        self._display = per_sample if display is None else display
        self._backend = check_backend(backend)
        self._per_row = RowStrategy(sample, self._backend)
        strategy, self._centre = self._choose_strategy(sufficient_statistics)
        self._initialise(sample.params, strategy, name=name,
                         user=[plain_symbol(p.name) for p in sample.params],
                         constants=constant_values(constants) if constants else None)
        self._textbook_form: Textbook | None = None
        self._per_sample_gradient: tuple[sp.Expr, ...] | None = None

    def _choose_strategy(self, sufficient_statistics: bool) -> tuple[Strategy, np.ndarray]:
        """Statistics for a loss polynomial in the parameters (unless declined),
        else row by row; and the point where the strategy is most precise."""
        sample = self._sample
        if sufficient_statistics and sample.per_sample.is_polynomial(*sample.params):
            strategy, centre = reduced_strategy(sample)
            self._evaluation = ("sufficient statistics: one pass over the rows, "
                                + _where(sample.data))
            return strategy, centre
        if not sample.in_memory and _loadable(sample.data):
            self._load()
            self._evaluation = ("row by row at each step; the file was loaded into memory "
                                f"once ({sample.data.rows:,} rows)")
        else:
            self._evaluation = "row by row at each step, " + _where(sample.data)
        return self._per_row, np.zeros(len(sample.params))

    def _load(self) -> None:
        """Hold a streamed file's rows in memory (the columns the loss uses)."""
        sample = self._sample
        names = list(dict.fromkeys(sample.column_names))
        parts = list(zip(*sample.data.chunks(names)))
        columns = {n: np.concatenate(p) for n, p in zip(names, parts)}
        loaded = Dataset(columns, source=sample.data.source)
        loaded.names_from_file = True
        sample.data = loaded
        self._per_row = RowStrategy(sample, self._backend)

    def inline_statements(self, argument_names: Sequence[str],
                          output_names: Sequence[str]) -> list[str] | None:
        """The value and gradient as straight-line Python, printed from the
        statistics' numbers; None when the loss is not kept as statistics."""
        statements = getattr(self._strategy, "statements", None)
        return statements(argument_names, output_names) if statements is not None else None

    @property
    def costly_evaluations(self) -> bool:
        """True when each evaluation is a pass over rows not in memory (a
        streamed file, a Dask collection): descent then skips its optional
        probes, such as the oscillation diagnosis."""
        return not self._sample.in_memory and self._evaluation.startswith("row by row")

    @property
    def evaluation(self) -> str:
        """How the loss is evaluated: sufficient statistics or row by row, and
        whether the rows are in memory, streamed from a file in chunks, or
        reduced on a Dask cluster."""
        return self._evaluation

    # --------------------------------------------------------- the data

    @property
    def per_sample(self) -> sp.Expr:
        """The loss of one row, in the parameters and the data symbols."""
        return self._sample.per_sample

    @property
    def data(self) -> Dataset:
        """The data set the loss is reduced over."""
        return self._sample.data

    @property
    def columns(self) -> dict[str, str]:
        """Data symbol name -> column name."""
        return dict(self._sample.columns)

    @property
    def reduce(self) -> str:
        """How the rows are reduced: ``"mean"`` or ``"sum"``."""
        return self._sample.reduce

    @property
    def data_symbols(self) -> tuple[sp.Symbol, ...]:
        """The symbols that stand for data columns in :attr:`per_sample`."""
        return self._sample.data_symbols

    @property
    def rows(self) -> int:
        """The number of data rows, M."""
        return self._sample.rows

    @property
    def display(self) -> sp.Expr:
        """The per-sample loss as it is shown (the model written out)."""
        return self._display

    @property
    def textbook(self) -> Textbook:
        """The textbook form of the sums over rows: ``i``, ``M`` and ``reduce(expr)``."""
        if self._textbook_form is None:
            self._textbook_form = Textbook(self.per_sample, self.data_symbols, self.reduce)
        return self._textbook_form

    @property
    def row_evaluator(self) -> RowEvaluator:
        """Per-row evaluation of value and gradient (no sufficient statistics),
        with ``reduced(point, rows)`` for a mini-batch of rows."""
        return self._per_row.evaluator

    # ----------------------------------------------------------- numerics

    def least_squares(self) -> np.ndarray:
        """The stationary point of a quadratic loss, from one linear solve.

        For the mean squared error of a model linear in its parameters this
        is the least-squares fit (the minimum-norm one when it is not unique).
        """
        if not self.is_quadratic:
            raise ObjectiveError("least_squares() needs a loss that is quadratic in the "
                                 "parameters, such as the MSE of a linear model")
        # One Newton step from the point where the strategy is most precise
        # (the expansion point of the statistics, where the gradient was
        # taken directly from the data).
        x0 = self._centre
        return x0 - np.linalg.lstsq(self.hess(x0), self.grad(x0), rcond=None)[0]

    def exact_parts(self) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
        """The loss and gradient with exact sums over the data, as written.

        Each value is read by its shortest decimal form (3.5 is 7/2), so a
        lesson's table can be reproduced without binary round-off. For
        losses polynomial in the parameters, on up to 10,000 rows.
        """
        params = self.real_symbols
        if not self.per_sample.is_polynomial(*params):
            raise ObjectiveError("exact arithmetic needs a loss polynomial in the "
                                 "parameters, such as the MSE of a linear model")
        if self.rows > EXACT_MAX_ROWS:
            raise ObjectiveError(f"exact arithmetic sums every row; {self.rows} rows is too "
                                 f"many (at most {EXACT_MAX_ROWS:,})")
        poly = sp.Poly(self.per_sample, *params)
        symbols = self.data_symbols
        columns = [[sp.Rational(repr(float(v))) for v in self._sample.column(s)]
                   for s in symbols]
        total = sp.S.Zero
        for monomial, coeff in poly.terms():
            term = sum((coeff.xreplace(dict(zip(symbols, row))) for row in zip(*columns)),
                       sp.S.Zero)
            total += term * sp.Mul(*(p ** e for p, e in zip(params, monomial)))
        if self.reduce == "mean":
            total = total / self.rows
        expr = sp.expand(total)
        return expr, tuple(sp.diff(expr, p) for p in params)

    # ------------------------------------------------------------ display

    @property
    def expr(self) -> sp.Expr:
        r"""The loss as a sum over rows, e.g. ``Sum((b + w*x[i] - y[i])**2, (i, 1, M))/M``."""
        return self._user_form(self.textbook.reduce(self.display))

    @property
    def gradient(self) -> tuple[sp.Expr, ...]:
        """Each partial derivative as a sum over rows, constants in front."""
        return tuple(self._user_form(self.textbook.reduce(d)) for d in self.per_sample_gradient)

    @property
    def per_sample_gradient(self) -> tuple[sp.Expr, ...]:
        """The partial derivatives of one row's loss, factored."""
        if self._per_sample_gradient is None:
            self._per_sample_gradient = tuple(
                sp.factor_terms(derivative(self.per_sample, p)) for p in self.real_symbols)
        return self._per_sample_gradient

    @property
    def hessian(self) -> sp.Matrix:
        """Second partial derivatives as sums over rows."""
        n, params = self.n, self.real_symbols
        return self._user_form(sp.Matrix(n, n, lambda i, j: self.textbook.reduce(
            sp.factor_terms(derivative(self.per_sample_gradient[i], params[j])))))

    def __repr__(self) -> str:
        return (f"DataObjective({str(self.display)!r}, {self.reduce} over {self.rows} rows, "
                f"variables={self.names!r})")

    def __str__(self) -> str:
        return f"{self.label} = {self.expr}"


def _where(data: object) -> str:
    """Where the rows of a pass come from, for :attr:`DataObjective.evaluation`."""
    if isinstance(data, Dataset):
        return f"in memory ({data.rows:,} rows)"
    describe = getattr(data, "describe_passes", None)
    if describe is not None:
        return describe()
    return f"streamed from {data.source} in chunks of {CHUNK_ROWS:,} rows ({data.rows:,} rows)"


def _loadable(data: object) -> bool:
    """A streamed file small enough to load for a loss that needs every row
    at every step (a Dask collection stays on its cluster)."""
    size = getattr(data, "nbytes", None)
    return getattr(data, "loadable", True) and size is not None and size <= LOAD_BYTES


class Textbook:
    r"""``(1/M) Σ_{i=1}^{M} ℓ(x_i)`` forms, constants pulled in front.

    ``i`` and ``M`` are symbols the loss does not use; ``indexed`` maps each
    data symbol to its row, ``x[i]``.

    >>> x, w = sp.symbols("x w")
    >>> tb = Textbook((w*x)**2, (x,), "mean")
    >>> tb.reduce(2*w*x**2)
    2*Sum(w*x[i]**2, (i, 1, M))/M
    """

    def __init__(self, per_sample: sp.Expr, data_symbols: Sequence[sp.Symbol],
                 reduce: str = "mean") -> None:
        taken = {s.name for s in per_sample.free_symbols}
        self.i = sp.Symbol(_free_name(("i", "k", "j", "n"), taken), integer=True, positive=True)
        self.M = sp.Symbol(_free_name(("M", "N", "m"), taken | {self.i.name}),
                           integer=True, positive=True)
        self.mean = reduce == "mean"
        self.indexed = {s: sp.Indexed(sp.IndexedBase(s.name), self.i) for s in data_symbols}

    def reduce(self, per_sample: sp.Expr) -> sp.Expr:
        """The reduction over rows of a per-sample expression, as a ``Sum``."""
        coeff, rest = sp.factor_terms(per_sample).as_coeff_Mul()
        total = coeff * sp.Sum(rest.xreplace(self.indexed), (self.i, 1, self.M))
        return total / self.M if self.mean else total


def _free_name(preferred: Sequence[str], taken: set[str]) -> str:
    """The first preferred name not taken, else the first with a number added."""
    for name in preferred:
        if name not in taken:
            return name
    return next(f"{preferred[0]}{k}" for k in range(1, len(taken) + 2)
                if f"{preferred[0]}{k}" not in taken)
