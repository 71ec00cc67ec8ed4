r"""Sufficient statistics: a data loss polynomial in its parameters, reduced once.

When the per-sample loss is a polynomial in the parameters, its mean (or
sum) over the rows is a polynomial whose coefficients are sums over the
data: they are computed once, and a descent step costs nothing per row.

For a loss of degree 2 (the mean squared error of a model linear in its
parameters) the loss is kept as numbers, :math:`f_0 + g\cdot\delta +
\frac12 \delta^T H \delta` with :math:`\delta = \theta - \theta_0`, expanded
around the least-squares point :math:`\theta_0`, whose loss and gradient
are computed directly from the data, so values near the optimum keep full
precision (:class:`QuadraticEvaluator`, :class:`StatisticsStrategy`). A
loss of another degree becomes an ordinary expression in the parameters
(an :class:`~symgd.objective.strategy.ExpressionStrategy`).
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from .._text import quote
from ..errors import DataError
from ..objective import Compiled, ConstantEvaluator, ExpressionStrategy, Strategy, derivative
from .chunked import CHUNK_ROWS, Moments, map_chunks
from .dataset import Dataset
from .sample import SampleLoss

__all__ = ["QuadraticEvaluator", "StatisticsStrategy", "reduced_strategy", "column_sums",
           "CHUNK_ROWS"]



def reduced_strategy(sample: SampleLoss) -> tuple[Strategy, np.ndarray]:
    """The loss, polynomial in the parameters, with the data reduced once.

    Returns the strategy (statistics for degree 2, the polynomial with
    numeric coefficients otherwise) and the point where the reduction is
    most precise: the expansion point of the statistics, else the origin.

    >>> from symgd.data.tables import Dataset
    >>> from symgd.expr.parse import make_symbol
    >>> w, x, y = (make_symbol(s) for s in "wxy")
    >>> d = Dataset({"x": [1.0, 2.0], "y": [2.0, 4.0]})
    >>> strategy, centre = reduced_strategy(SampleLoss((w*x - y)**2, [w], {"x": "x", "y": "y"}, d))
    >>> type(strategy).__name__, centre
    ('StatisticsStrategy', array([2.]))
    """
    params = sample.params
    origin = np.zeros(len(params))
    features = _squared_linear_form(sample.per_sample, params)
    if features is not None:
        moments = _feature_moments(sample, features)
        scale = 1.0 / moments.n if sample.reduce == "mean" else 1.0
        hessian, linear = _gram_parts(moments, scale)
        _check_finite(sample, hessian, linear)
        theta0 = _centred_solve(sample, moments, hessian, linear)
        value, grad = _residual_from_moments(moments, theta0, scale)
        _check_finite(sample, value, grad)
        p = len(params)
        with np.errstate(all="ignore"):
            factors = (2 * scale * moments.centred[:p, :p], moments.mean[:p],
                       2 * scale * moments.n)
        if not (np.isfinite(factors[0]).all() and np.isfinite(factors[1]).all()
                and math.isfinite(factors[2])):
            factors = None
        return StatisticsStrategy(QuadraticEvaluator(theta0, value, grad, hessian, factors),
                                  params), theta0
    poly = sp.Poly(sample.per_sample, *params)
    monomials, coeffs = zip(*poly.terms())
    sums = column_sums(sample, coeffs)
    scale = sample.scale
    means = [s * scale for s in sums]
    _check_finite(sample, means)
    if poly.total_degree() != 2:
        reduced = sp.Add(*(_float(c) * sp.Mul(*(p ** e for p, e in zip(params, m)))
                           for m, c in zip(monomials, means)))
        return ExpressionStrategy(reduced, params), origin
    hessian, linear = _quadratic_parts(monomials, means, len(params))
    # Expand around the stationary point theta0, where loss and gradient are
    # taken directly from the data: no cancellation near the optimum.
    theta0 = _stationary_point(sample, hessian, linear)
    outputs = [sample.per_sample, *(derivative(sample.per_sample, p) for p in params)]
    direct = [s * scale for s in column_sums(sample, outputs, dict(zip(params, theta0)))]
    _check_finite(sample, direct)
    return StatisticsStrategy(QuadraticEvaluator(theta0, direct[0], direct[1:], hessian),
                              params), theta0


class QuadraticEvaluator:
    r"""A quadratic :math:`f_0 + g\cdot\delta + \frac12 \delta^T H \delta`,
    :math:`\delta = \theta - \theta_0`, evaluated with NumPy: an
    :class:`~symgd.objective.evaluator.Evaluator`.

    ``at(point)`` gives ``(f, df/dθ1, ...)`` and ``at_array(columns)`` the
    same for many points. No expression is compiled, so its cost does not
    grow with the size of an expression (n^2 terms for n parameters).

    >>> q = QuadraticEvaluator([1.0], 0.5, [0.0], [[2.0]])
    >>> q.at([3.0])
    (4.5, 4.0)
    """

    vectorized = True

    def __init__(self, theta0: Sequence[float], value: float, grad: Sequence[float],
                 hessian: Any, factors: tuple[Any, Any, float] | None = None) -> None:
        self.theta0 = np.asarray(theta0, dtype=float)
        self.value = float(value)
        self.grad = np.asarray(grad, dtype=float)
        self.hessian = np.asarray(hessian, dtype=float)
        #: the Hessian as ``(A, u, c)``, H = A + c u uᵀ (a least-squares loss:
        #: A from the centred products, u the features' means), or None. The
        #: quadratic is evaluated from them: H's own entries hold E[x²] = σ² +
        #: μ², where σ² is lost in rounding once μ is large (x ~ 1e7 ± 1 kept
        #: 5% of it), while ½ δᵀAδ + ½ c (u·δ)² keeps every digit of both parts.
        self.factors = None if factors is None else (
            np.asarray(factors[0], dtype=float), np.asarray(factors[1], dtype=float),
            float(factors[2]))

    def at(self, point: Sequence[float]) -> tuple[float, ...]:
        """Value and gradient at one point."""
        with np.errstate(all="ignore"):
            d = np.asarray(point, dtype=float) - self.theta0
            if self.factors is None:
                hd = self.hessian @ d
                f = self.value + self.grad @ d + 0.5 * (d @ hd)
            else:
                a, u, c = self.factors
                ad, m = a @ d, u @ d
                hd = ad + (c * m) * u
                f = self.value + self.grad @ d + 0.5 * (d @ ad) + 0.5 * c * m * m
            return (float(f), *(self.grad + hd).tolist())

    def at_array(self, columns: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Value and gradient at many points, one array per output."""
        coords = [np.asarray(p, dtype=float) for p in columns]
        shape = np.broadcast_shapes(*(c.shape for c in coords))
        with np.errstate(all="ignore"):
            d = np.stack([np.broadcast_to(c, shape) for c in coords], axis=-1) - self.theta0
            if self.factors is None:
                hd = d @ self.hessian.T
                f = self.value + d @ self.grad + 0.5 * np.einsum("...i,...i->...", d, hd)
            else:
                a, u, c = self.factors
                ad, m = d @ a.T, d @ u
                hd = ad + (c * m)[..., None] * u
                f = self.value + d @ self.grad + 0.5 * np.einsum("...i,...i->...", d, ad) \
                    + 0.5 * c * m * m
            g = hd + self.grad
        return [np.asarray(f, dtype=float).reshape(shape),
                *(np.ascontiguousarray(g[..., k]) for k in range(len(coords)))]


class StatisticsStrategy(Strategy):
    """The strategy of a quadratic data loss reduced to its statistics.

    Value, gradient and Hessian are numbers (a :class:`QuadraticEvaluator`);
    the loss and its gradient as expressions in the parameters are built
    only when asked for (for display, exact checks and inlined descent):
    n^2 terms.
    """

    def __init__(self, quadratic: QuadraticEvaluator, symbols: Sequence[sp.Symbol]) -> None:
        super().__init__(symbols)
        self.quadratic = quadratic
        self._taylor: tuple[sp.Expr, tuple[sp.Expr, ...]] | None = None
        self._hessian: sp.ImmutableMatrix | None = None

    @property
    def theta0(self) -> np.ndarray:
        """The expansion point (the least-squares point)."""
        return self.quadratic.theta0

    def _expansion(self) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
        if self._taylor is None:
            q = self.quadratic
            self._taylor = _taylor_quadratic(self.symbols, q.theta0, q.value, q.grad,
                                             q.hessian, q.factors)
        return self._taylor

    @property
    def real_expr(self) -> sp.Expr:
        return self._expansion()[0]

    @property
    def real_gradient(self) -> tuple[sp.Expr, ...]:
        return self._expansion()[1]

    @property
    def real_hessian(self) -> sp.ImmutableMatrix:
        if self._hessian is None:
            n = len(self.symbols)
            self._hessian = sp.ImmutableMatrix(
                n, n, [_float(v) for v in self.quadratic.hessian.ravel()])
        return self._hessian

    @property
    def inlinable(self) -> bool:
        return True

    def statements(self, argument_names: Sequence[str],
                   output_names: Sequence[str]) -> list[str]:
        r"""Straight-line Python for the value and gradient, printed from the
        numbers: :math:`\delta = \theta - \theta_0`, :math:`h = H\delta`,
        :math:`f = f_0 + \sum_i (g_i + h_i/2)\,\delta_i`, :math:`\nabla f = g + h`.

        >>> q = QuadraticEvaluator([1.0], 0.5, [0.0], [[2.0]])
        >>> StatisticsStrategy(q, [sp.Symbol("w")]).statements(["a"], ["f", "g"])
        ['_d0 = a - 1.0', '_h0 = 2.0*_d0', 'f = 0.5 + (0.0 + 0.5*_h0)*_d0', 'g = 0.0 + _h0']
        """
        q = self.quadratic
        n = len(argument_names)
        lines = [f"_d{i} = {a} - {float(q.theta0[i])!r}" for i, a in enumerate(argument_names)]
        if q.factors is not None:          # H = A + c u uᵀ, as QuadraticEvaluator.at
            a, u, c = q.factors
            mean = [f"{float(u[k])!r}*_d{k}" for k in range(n) if u[k]]
            lines.append(f"_m = {' + '.join(mean) or '0.0'}")
            for i in range(n):
                terms = [f"{float(a[i, k])!r}*_d{k}" for k in range(n) if a[i, k]]
                lines.append(f"_a{i} = {' + '.join(terms) or '0.0'}")
                lines.append(f"_h{i} = _a{i} + {float(c * u[i])!r}*_m")
            value = " + ".join(f"({float(q.grad[i])!r} + 0.5*_a{i})*_d{i}" for i in range(n))
            lines.append(f"{output_names[0]} = {float(q.value)!r} + {value} + "
                         f"{0.5 * c!r}*_m*_m")
        else:
            for i in range(n):
                terms = [f"{float(q.hessian[i, k])!r}*_d{k}" for k in range(n) if q.hessian[i, k]]
                lines.append(f"_h{i} = {' + '.join(terms) or '0.0'}")
            value = " + ".join(f"({float(q.grad[i])!r} + 0.5*_h{i})*_d{i}" for i in range(n))
            lines.append(f"{output_names[0]} = {float(q.value)!r} + {value}")
        lines += [f"{output_names[i + 1]} = {float(q.grad[i])!r} + _h{i}" for i in range(n)]
        return [line.replace("+ -", "- ") for line in lines]

    @property
    def evaluator(self) -> QuadraticEvaluator:
        return self.quadratic

    @property
    def hessian_evaluator(self) -> ConstantEvaluator:
        return ConstantEvaluator(self.quadratic.hessian.ravel())

    @property
    def vectorized(self) -> bool:
        return True

    def hess(self, point: np.ndarray) -> np.ndarray:
        return self.quadratic.hessian.copy()

    @property
    def is_quadratic(self) -> bool:
        return True

    @property
    def is_linear(self) -> bool:
        return not self.quadratic.hessian.any()

    @property
    def degree_bound(self) -> int:
        return 2 if self.quadratic.hessian.any() else 1


def _float(value: float) -> sp.Float:
    """A SymPy Float that prints back to exactly the same double."""
    return sp.Float(float(value), 17)


def column_sums(sample: SampleLoss, exprs: Sequence[sp.Expr],
                fixed: Mapping[sp.Symbol, float] | None = None) -> list[float]:
    """Sum over rows of each expression (in data symbols, with the symbols of
    ``fixed`` replaced by numbers), a chunk of rows at a time."""
    fixed = dict(fixed or {})
    exprs = [sp.sympify(e).xreplace({k: _float(v) for k, v in fixed.items()}) for e in exprs]
    sums = map_chunks(sample.data, sample.column_names, ChunkSums(sample.data_symbols, exprs),
                      np.add)
    return np.asarray(sums, dtype=float).tolist()


class ChunkSums:
    """The sums over one chunk's rows of expressions in the data symbols
    (picklable: a Dask worker compiles the expressions it is sent)."""

    def __init__(self, symbols: Sequence[sp.Symbol], exprs: Sequence[sp.Expr]) -> None:
        self.fn = Compiled(symbols, exprs)
        self.count = len(exprs)

    def __call__(self, chunk: list[np.ndarray]) -> np.ndarray:
        n = len(chunk[0]) if chunk else 0
        values = self.fn.at_array(chunk) if chunk else \
            [np.full(n, v) for v in self.fn.at(())]
        with np.errstate(all="ignore"):
            return np.array([float(np.sum(v)) for v in values])


def _stationary_point(sample: SampleLoss, hessian: np.ndarray,
                      linear: np.ndarray) -> np.ndarray:
    """The least-squares solution of ``H θ = -linear``, or DataError on overflow."""
    _check_finite(sample, hessian, linear)
    with np.errstate(all="ignore"):
        try:
            theta0 = -np.linalg.lstsq(hessian, linear, rcond=None)[0]
        except np.linalg.LinAlgError:
            raise _too_large(sample) from None
    _check_finite(sample, theta0)
    return theta0


def _check_finite(sample: SampleLoss, *values: Any) -> None:
    for v in values:
        if not np.isfinite(np.asarray(v, dtype=float)).all():
            raise _too_large(sample)


def _too_large(sample: SampleLoss) -> DataError:
    """The statistics overflowed float64: name the column with the largest values."""
    used = list(dict.fromkeys(sample.columns.values()))
    if sample.in_memory:
        peaks = {c: float(np.max(np.abs(sample.data[c]))) for c in used}
    else:
        peaks = {c: max(abs(lo), abs(hi)) for c, (lo, hi) in
                 sample.data.column_ranges(used).items()}
    column = max(used, key=lambda c: peaks[c])
    peak = peaks[column]
    power = 10.0 ** math.floor(math.log10(peak)) if peak > 0 else 1.0
    return DataError(
        f"the values in {sample.data.source} are too large to fit: column {quote(column)} "
        f"reaches {peak:.3g}, and the sums of squares and products over the rows overflow "
        f"float64 (about 1.8e308); rescale the column, e.g. divide it by {power:.0e} "
        "(and the fitted weights scale with it)")


def _squared_linear_form(per_sample: sp.Expr, params: Sequence[sp.Symbol]) -> list | None:
    """``(φ0 + Σ θ_j φ_j)²`` -> ``[φ1, ..., φp, φ0]`` (data-only expressions)."""
    if not (per_sample.is_Pow and per_sample.exp == 2):
        return None
    base = per_sample.base
    quick = _linear_coefficients(base, params)
    if quick is not None:
        return quick
    if not base.is_polynomial(*params) or sp.Poly(base, *params).total_degree() > 1:
        return None
    coeffs = [base.diff(p) for p in params]
    if any(c.free_symbols & set(params) for c in coeffs):
        return None
    return [*coeffs, base.xreplace({p: 0 for p in params})]


def _linear_coefficients(base: sp.Expr, params: Sequence[sp.Symbol]) -> list | None:
    """``[φ1, ..., φp, φ0]`` of ``φ0 + Σ θ_j φ_j`` read off its terms, in one pass
    (differentiating by each parameter costs n^2 for n terms); None where a
    term is not a parameter times data (then the general route decides)."""
    index = {p: k for k, p in enumerate(params)}
    coeffs: list[list[sp.Expr]] = [[] for _ in params]
    constant: list[sp.Expr] = []
    for term in sp.Add.make_args(base):
        factors = sp.Mul.make_args(term)
        found = [f for f in factors if f in index]
        if not found:
            if term.free_symbols & index.keys():
                return None
            constant.append(term)
            continue
        if len(found) != 1:
            return None
        rest = [f for f in factors if f is not found[0]]
        coeff = sp.Mul(*rest)
        if coeff.free_symbols & index.keys():
            return None
        coeffs[index[found[0]]].append(coeff)
    return [*(sp.Add(*c) for c in coeffs), sp.Add(*constant)]


class FeatureMoments:
    """The :class:`~symgd.data.chunked.Moments` of the feature columns
    ``[φ1, ..., φp, φ0]`` over one chunk of rows (picklable, for Dask workers)."""

    def __init__(self, symbols: Sequence[sp.Symbol], features: Sequence[sp.Expr],
                 ranges: bool = True) -> None:
        self.symbols = tuple(symbols)
        self.ranges = ranges
        index = {s: k for k, s in enumerate(self.symbols)}
        self.scaled = [_scaled_column(f, index) for f in features]
        self.fn = None if all(self.scaled) else Compiled(self.symbols, features)
        #: the features' means over all rows, when known before the pass
        #: (:meth:`centre_on`): each chunk's moments are then about them
        self.centre: np.ndarray | None = None

    def centre_on(self, column_means: Sequence[float]) -> bool:
        """Centre every chunk on the features' means over all rows, found
        from ``column_means`` (the mean of each column, in the order of the
        symbols), instead of on each chunk's first row and then its own mean:
        the chunk's moments are about those means, so they add up exactly
        (:meth:`~symgd.data.chunked.Moments.merge` with equal means), and the
        pass saves a mean and a subtraction over every chunk (5 of 29 ms on
        1e6 × 10 rows). The means must be those of the rows as they are
        (:meth:`~symgd.data.dataset.Dataset.take_current_sums`). The
        rounding of a mean, δ (of order eps log₂(rows) times the mean of
        |x|), adds rows · δ² to a centred sum: a relative bias of order
        (eps log₂(rows) |mean| / spread)², under 1e-12 while the mean is
        below 10⁸ times the spread (where float64 values keep eight digits
        of their spread). Only for numbers times columns, with finite means;
        returns whether the centre is used."""
        if self.fn is not None or self.ranges:
            return False
        centre = np.array([c if col is None else c * column_means[col]
                           for c, col in self.scaled], dtype=float)
        if not np.all(np.isfinite(centre)):
            return False
        self.centre = centre
        return True

    def __call__(self, chunk: list[np.ndarray]) -> Moments:
        n = len(chunk[0]) if chunk else 0
        k = len(self.scaled)
        if self.fn is None and n and self.centre is not None:
            return self._centred(chunk, n, k)
        if self.fn is None and n:   # numbers times columns (a linear model): nothing to compile
            # column sums run along memory; each column is copied already
            # shifted by its first row, which saves Moments a pass over the chunk
            phi = np.empty((n, k), order="F")
            first = np.empty(k)
            low, high = (np.empty(k), np.empty(k)) if self.ranges else (None, None)
            with np.errstate(all="ignore"):   # overflow is found later, by the caller
                self._fill_shifted(chunk, phi, first, low, high)
            return Moments.of_shifted(phi, first, low, high)
        if self.fn is None:
            return Moments.of(np.empty((0, k)), ranges=self.ranges)
        values = self.fn.at_array(chunk)
        phi = np.empty((n, len(values)), order="F")
        for j, v in enumerate(values):
            phi[:, j] = v
        return Moments.of(phi, ranges=self.ranges, scratch=True)

    def _centred(self, chunk: list[np.ndarray], n: int, k: int) -> Moments:
        """The chunk's moments about :attr:`centre`: each feature column is
        copied already minus its centre, then one product."""
        phi = np.empty((n, k), order="F")
        with np.errstate(all="ignore"):   # overflow is found later, by the caller
            for j, (c, col) in enumerate(self.scaled):
                if col is None:
                    phi[:, j] = 0.0           # a constant, its own centre
                    continue
                values = chunk[col] if c == 1.0 else np.multiply(chunk[col], c, out=phi[:, j])
                np.subtract(values, self.centre[j], out=phi[:, j])
            return Moments(n, self.centre.copy(), phi.T @ phi, None, None)

    def _fill_shifted(self, chunk: list[np.ndarray], phi: np.ndarray, first: np.ndarray,
                      low: np.ndarray | None, high: np.ndarray | None) -> None:
        """``phi[:, k]`` = feature k minus its first value; its range into
        ``low``/``high`` when they are given (taken before the shift)."""
        for k, (c, col) in enumerate(self.scaled):
            if col is None:
                values, first[k] = None, c
                phi[:, k] = 0.0
            else:
                values = chunk[col] if c == 1.0 else np.multiply(chunk[col], c, out=phi[:, k])
                first[k] = values[0]
            if low is not None:
                low[k], high[k] = (c, c) if values is None else (values.min(), values.max())
            if values is not None:
                np.subtract(values, first[k], out=phi[:, k])


def _column_means(sample: SampleLoss) -> list[float] | None:
    """The mean of each data column of a data set in memory, from the sums
    found when it was checked, if they are those of the rows as they are;
    None for other data."""
    data = sample.data
    if not isinstance(data, Dataset) or not data.rows or not data.take_current_sums():
        return None
    return [data.column_sum(name) / data.rows for name in sample.column_names]


def _feature_moments(sample: SampleLoss, features: list) -> Moments:
    # column ranges are for data not in memory (its constant columns are found by them)
    fn = FeatureMoments(sample.data_symbols, features, ranges=not sample.in_memory)
    means = _column_means(sample)
    if means is not None:
        fn.centre_on(means)
    moments = map_chunks(sample.data, sample.column_names, fn, Moments.merge)
    note = getattr(sample.data, "note_ranges", None)
    if note is not None:       # a feature that is a column gives that column's range
        names = sample.column_names
        plain = [(names[col], k) for k, spec in enumerate(fn.scaled)
                 if spec is not None and spec[1] is not None and spec[0] == 1.0
                 for col in [spec[1]]]
        note([n for n, _ in plain], [moments.low[k] for _, k in plain],
             [moments.high[k] for _, k in plain])
    return moments


def _gram_parts(moments: Moments, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Hessian and gradient at 0 of mean((Φθ + φ0)²): 2 Φᵀ[Φ φ0] scaled."""
    p = len(moments.mean) - 1
    with np.errstate(all="ignore"):
        gram = moments.gram() * scale
        return 2 * gram[:p, :p], 2 * gram[:p, p]


def _centred_solve(sample: SampleLoss, moments: Moments, hessian: np.ndarray,
                   linear: np.ndarray) -> np.ndarray:
    """The least-squares point, from the centred products where a feature is
    constant (an intercept): no digits are lost to a large offset of the data.

    With one constant feature c, the residual's mean can be made zero by its
    weight, and the other weights solve the centred normal equations
    C_JJ θ_J = -C_J0; then θ_c = -(μ_J·θ_J + μ_0)/μ_c. Otherwise the Gram
    matrix is solved, with one step of refinement whose residual is taken
    from the centred products.
    """
    p = len(moments.mean) - 1
    mean, centred = moments.mean, moments.centred
    # a constant column is centred to exact zeros, chunk by chunk and merged
    constant = [j for j in range(p) if centred[j, j] == 0 and mean[j] != 0]
    with np.errstate(all="ignore"):
        if len(constant) == 1:
            c = constant[0]
            rest = [j for j in range(p) if j != c]
            theta = np.zeros(p)
            if rest:
                try:
                    theta[rest] = -np.linalg.lstsq(centred[np.ix_(rest, rest)],
                                                   centred[rest, p], rcond=None)[0]
                except np.linalg.LinAlgError:
                    raise _too_large(sample) from None
            theta[c] = -(mean[rest] @ theta[rest] + mean[p]) / mean[c]
            _check_finite(sample, theta)
            return theta
        theta = _stationary_point(sample, hessian, linear)
        full = np.append(theta, 1.0)
        residual = centred[:p] @ full + moments.n * mean[:p] * (mean @ full)
        try:
            step = np.linalg.lstsq(moments.gram()[:p, :p], residual, rcond=None)[0]
        except np.linalg.LinAlgError:
            return theta
        refined = theta - step
        return refined if np.isfinite(refined).all() else theta


def _residual_from_moments(moments: Moments, theta0: np.ndarray,
                           scale: float) -> tuple[float, np.ndarray]:
    r"""Loss and gradient at θ0 of mean(r²), r = Φθ0 + φ0, from the moments:
    Σ r² = θ̃ᵀCθ̃ + n (μ·θ̃)² with θ̃ = (θ0, 1), both terms sums of squares."""
    p = len(theta0)
    full = np.append(theta0, 1.0)
    with np.errstate(all="ignore"):
        ct = moments.centred @ full
        mean_r = moments.mean @ full
        value = float(max(full @ ct, 0.0) + moments.n * mean_r * mean_r)
        grad = 2 * (ct[:p] + moments.n * moments.mean[:p] * mean_r)
        return value * scale, grad * scale


def _scaled_column(feature: sp.Expr, index: Mapping[sp.Symbol, int]) -> tuple | None:
    """``c * column`` -> ``(c, k)`` (the column's place); a number ``c`` ->
    ``(c, None)``; else None."""
    if feature.is_Number:
        return float(feature), None
    if feature in index:
        return 1.0, index[feature]
    if feature.is_Mul and len(feature.args) == 2 and feature.args[0].is_Number \
            and feature.args[1] in index:
        return float(feature.args[0]), index[feature.args[1]]
    return None


def _quadratic_parts(monomials: Sequence[tuple], means: Sequence[float],
                     n: int) -> tuple[np.ndarray, np.ndarray]:
    hessian, linear = np.zeros((n, n)), np.zeros(n)
    for m, c in zip(monomials, means):
        powers = [k for k, e in enumerate(m) for _ in range(e)]
        if len(powers) == 2:
            i, j = powers
            hessian[i, j] += c if i != j else 2 * c
            if i != j:
                hessian[j, i] += c
        elif len(powers) == 1:
            linear[powers[0]] += c
    return hessian, linear


def _taylor_quadratic(params: Sequence[sp.Symbol], theta0: np.ndarray, value: float,
                      grad: Sequence[float], hessian: np.ndarray,
                      factors: tuple[np.ndarray, np.ndarray, float] | None = None
                      ) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
    """f(θ0) + g·δ + ½ δᵀHδ with δ = θ - θ0, and its gradient; with
    ``factors`` (A, u, c), H = A + c u uᵀ and ½ δᵀHδ = ½ δᵀAδ + ½ c (u·δ)², as
    :class:`QuadraticEvaluator` evaluates it.

    ``evaluate=False`` keeps each δ intact instead of distributing the
    coefficients over it, which would bring back the cancellation.
    """
    n = len(params)
    delta = [p - _float(t) for p, t in zip(params, theta0)]
    terms = [_float(value)]
    terms += [sp.Mul(_float(g), d, evaluate=False) for g, d in zip(grad, delta)]
    if factors is not None:
        a, u, c = factors
        m = sp.Add(*(sp.Mul(_float(u[k]), delta[k], evaluate=False) for k in range(n) if u[k]),
                   evaluate=False)
        terms += [sp.Mul(_float(a[i, j] / (2 if i == j else 1)), delta[i], delta[j],
                         evaluate=False)
                  for i in range(n) for j in range(i, n) if a[i, j]]
        terms.append(sp.Mul(_float(c / 2), sp.Pow(m, 2, evaluate=False), evaluate=False))
        gradient = tuple(sp.Add(_float(grad[i]), *(sp.Mul(_float(a[i, k]), delta[k],
                                                           evaluate=False)
                                                    for k in range(n) if a[i, k]),
                                sp.Mul(_float(c * u[i]), m, evaluate=False),
                                evaluate=False) for i in range(n))
        return sp.Add(*terms, evaluate=False), gradient
    terms += [sp.Mul(_float(hessian[i, j] / (2 if i == j else 1)), delta[i], delta[j],
                     evaluate=False)
              for i in range(n) for j in range(i, n) if hessian[i, j]]
    gradient = tuple(sp.Add(_float(grad[i]), *(sp.Mul(_float(hessian[i, k]), delta[k],
                                                       evaluate=False)
                                                for k in range(n) if hessian[i, k]),
                            evaluate=False) for i in range(n))
    return sp.Add(*terms, evaluate=False), gradient
