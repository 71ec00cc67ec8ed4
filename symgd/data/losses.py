r"""Data objectives: a per-sample loss averaged (or summed) over data rows.

The data never enters the SymPy expression: a data objective keeps the
per-sample loss :math:`\ell(\theta; x, y)` with data *symbols*, and the
reduction over the :math:`M` rows is numeric. Two ways to evaluate it:

* **sufficient statistics** when :math:`\ell` is a polynomial in the
  parameters (mean squared error of a model linear or polynomial in them):
  the data is reduced once, and the loss becomes an ordinary objective in
  the parameters, so a descent step costs nothing per row. For losses of
  degree 2 the expansion is taken around the least-squares point, whose
  loss and gradient are computed directly from the data, so values near the
  optimum keep full precision;
* **per-row evaluation** otherwise (log-loss, absolute error, networks):
  one compiled NumPy function with shared subexpressions, linear forms
  :math:`\sum_j w_j x_j + b` computed as one matrix product over the stacked
  columns, and gradient components :math:`\sum_i x_{ij} r_i` as dot
  products.

Both give the same numbers to round-off.
"""

from __future__ import annotations

import math
import re
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import sympy as sp

from ..objective.compile import Compiled
from .tables import Dataset, as_dataset, clip, show_names
from ..errors import DataError, InputError, InputTypeError, ObjectiveError
from ..expr.registry import numeric_namespace, sigmoid, softplus
from .networks import MLP, parse_mlp_spec
from ..objective.core import Objective, _derivative, natural_key
from ..expr.parse import check_name, make_symbol, parse

__all__ = ["DataObjective", "loss", "mse", "sse", "mae", "log_loss", "linear_model",
           "REDUCTIONS", "LOSSES"]

REDUCTIONS = ("mean", "sum")
_CHUNK_ROWS = 1 << 16
# The most features of the "linear" model: its objective is symbolic, with a
# gradient of n terms per parameter and n^2 Hessian entries.
MAX_LINEAR_FEATURES = 200


class DataObjective(Objective):
    r"""The mean (or sum) over data rows of a per-sample loss.

    Build one with :func:`mse`, :func:`sse`, :func:`mae`, :func:`log_loss` or
    :func:`loss`. It is an :class:`~symgd.Objective` in the parameters:
    :func:`~symgd.descend`, ``value``, ``grad`` and ``hess`` work as usual.
    ``expr`` and ``gradient`` show the textbook forms, such as
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
    """

    def __init__(self, per_sample: sp.Expr, params: Sequence[sp.Symbol],
                 columns: Mapping[str, str], data: Dataset, *, reduce: str = "mean",
                 name: str | None = None, model: sp.Expr | None = None,
                 target: str | None = None, display: sp.Expr | None = None,
                 sufficient_statistics: bool = True) -> None:
        if reduce not in REDUCTIONS:
            raise InputError(f"reduce must be 'mean' or 'sum', got {clip(reduce)}")
        self.name = name
        self.per_sample = per_sample
        self.data = data
        self.columns = dict(columns)
        self.reduce = reduce
        self.model = model
        self.target = target
        self._display = per_sample if display is None else display
        self._user = self._real = tuple(params)
        self._to_real = self._to_user = {}
        self._data_symbols = tuple(make_symbol(s) for s in self.columns)
        self._polynomial: sp.Expr | None = None
        self._quadratic: _Quadratic | None = None
        if sufficient_statistics and per_sample.is_polynomial(*self._real):
            reduced = _reduced_polynomial(self)
            if isinstance(reduced, _Quadratic):
                # Value, gradient and Hessian are known as numbers: evaluated with
                # NumPy, and shown symbolically only when asked for.
                self._quadratic = reduced
                self._theta0 = reduced.theta0
                self.__dict__["is_quadratic"] = True
                self.__dict__["_hessian"] = sp.ImmutableMatrix(
                    self.n, self.n, [_float(v) for v in reduced.hessian.ravel()])
            else:
                self._polynomial = reduced

    @property
    def _expr(self) -> sp.Expr | None:  # type: ignore[override]
        """The loss in the parameters alone (None when evaluated per row)."""
        if self._quadratic is not None:
            return self._taylor[0]
        return self._polynomial

    @cached_property
    def _taylor(self) -> tuple:
        """Loss and gradient of a quadratic loss as expressions, built on demand
        (for display, exact checks and inlined descent): n^2 terms."""
        q = self._quadratic
        return _taylor_quadratic(self._real, q.theta0, q.value, q.grad, q.hessian)

    @cached_property
    def _gradient(self) -> tuple[sp.Expr, ...]:  # type: ignore[override]
        if self._quadratic is not None:
            return self._taylor[1]
        return Objective._gradient.func(self)

    @property
    def data_symbols(self) -> tuple[sp.Symbol, ...]:
        """The symbols that stand for data columns in :attr:`per_sample`."""
        return self._data_symbols

    @property
    def display(self) -> sp.Expr:
        """The per-sample loss as it is shown (the model written out)."""
        return self._display

    @property
    def textbook(self) -> Any:
        """The textbook form of the sums over rows: ``i``, ``M`` and ``reduce(expr)``."""
        return self._textbook

    # ----------------------------------------------------------- numerics

    @property
    def rows(self) -> int:
        """The number of data rows, M."""
        return self.data.rows

    @property
    def inlinable(self) -> bool:
        """True when the data has been reduced to sufficient statistics."""
        return self._quadratic is not None or self._polynomial is not None

    @cached_property
    def row_evaluator(self) -> _RowEvaluator:
        """Per-row evaluation of value and gradient (no sufficient statistics)."""
        outputs = (self.per_sample, *(_derivative(self.per_sample, p) for p in self._real))
        return _RowEvaluator(self, outputs)

    @cached_property
    def compiled(self) -> Any:  # type: ignore[override]
        """``.at(point) -> (f, df/dθ1, ...)``: statistics when possible, else per row."""
        if self._quadratic is not None:
            return self._quadratic
        if self._polynomial is not None:
            return Compiled(self._real, (self._polynomial, *self._gradient))
        return self.row_evaluator

    @cached_property
    def _compiled_hessian(self) -> Any:  # type: ignore[override]
        if self._quadratic is not None:
            return _Constant(self._quadratic.hessian.ravel())
        return super()._compiled_hessian

    @cached_property
    def is_quadratic(self) -> bool:  # type: ignore[override]
        return self._polynomial is not None and super().is_quadratic

    def hess(self, x: object) -> np.ndarray:
        """The Hessian at ``x`` as an ``(n, n)`` float array."""
        if self._quadratic is not None:
            self.point(x)
            return self._quadratic.hessian.copy()
        if self._polynomial is not None:
            return super().hess(x)
        point = self.point(x)
        n = self.n
        upper = [(i, j) for i in range(n) for j in range(i, n)]
        entries = [_derivative(_derivative(self.per_sample, self._real[i]), self._real[j])
                   for i, j in upper]
        scale = 1.0 / self.rows if self.reduce == "mean" else 1.0
        sums = _column_sums(self, entries, dict(zip(self._real, point)))
        h = np.zeros((n, n))
        for (i, j), v in zip(upper, sums):
            h[i, j] = h[j, i] = v * scale
        return h

    def least_squares(self) -> np.ndarray:
        """The stationary point of a quadratic loss, from one linear solve.

        For the mean squared error of a model linear in its parameters this
        is the least-squares fit (the minimum-norm one when it is not unique).
        """
        if not self.is_quadratic:
            raise ObjectiveError("least_squares() needs a loss that is quadratic in the "
                                 "parameters, such as the MSE of a linear model")
        # One Newton step from the expansion point theta0 of the statistics,
        # where the gradient was taken directly from the data.
        x0 = getattr(self, "_theta0", np.zeros(self.n))
        return x0 - np.linalg.lstsq(self.hess(x0), self.grad(x0), rcond=None)[0]

    def exact_parts(self) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
        """The loss and gradient with exact sums over the data, as written.

        Each value is read by its shortest decimal form (3.5 is 7/2), so a
        lesson's table can be reproduced without binary round-off. For
        losses polynomial in the parameters, on up to 10,000 rows.
        """
        if not self.per_sample.is_polynomial(*self._real):
            raise ObjectiveError("exact arithmetic needs a loss polynomial in the "
                                 "parameters, such as the MSE of a linear model")
        if self.rows > 10_000:
            raise ObjectiveError(f"exact arithmetic sums every row; {self.rows} rows is too "
                                 "many (at most 10,000)")
        poly = sp.Poly(self.per_sample, *self._real)
        symbols = self._data_symbols
        columns = [[sp.Rational(repr(float(v))) for v in self.data[self.columns[s.name]]]
                   for s in symbols]
        total = sp.S.Zero
        for monomial, coeff in poly.terms():
            term = sum((coeff.xreplace(dict(zip(symbols, row))) for row in zip(*columns)),
                       sp.S.Zero)
            total += term * sp.Mul(*(p ** e for p, e in zip(self._real, monomial)))
        if self.reduce == "mean":
            total = total / self.rows
        expr = sp.expand(total)
        return expr, tuple(sp.diff(expr, p) for p in self._real)

    # ------------------------------------------------------------ display

    @cached_property
    def _textbook(self) -> _Textbook:
        return _Textbook(self)

    @property
    def expr(self) -> sp.Expr:  # type: ignore[override]
        r"""The loss as a sum over rows, e.g. ``Sum((b + w*x[i] - y[i])**2, (i, 1, M))/M``."""
        return self._textbook.reduce(self._display)

    @property
    def gradient(self) -> tuple[sp.Expr, ...]:  # type: ignore[override]
        """Each partial derivative as a sum over rows, constants in front."""
        return tuple(self._textbook.reduce(d) for d in self.per_sample_gradient)

    @cached_property
    def per_sample_gradient(self) -> tuple[sp.Expr, ...]:
        """The partial derivatives of one row's loss, factored."""
        return tuple(sp.factor_terms(_derivative(self.per_sample, p)) for p in self._real)

    @property
    def hessian(self) -> sp.Matrix:  # type: ignore[override]
        """Second partial derivatives as sums over rows."""
        n = self.n
        return sp.Matrix(n, n, lambda i, j: self._textbook.reduce(sp.factor_terms(
            _derivative(self.per_sample_gradient[i], self._real[j]))))

    def __repr__(self) -> str:
        return (f"DataObjective({str(self._display)!r}, {self.reduce} over {self.rows} rows, "
                f"variables={self.names!r})")

    def __str__(self) -> str:
        return f"{self.label} = {self.expr}"


# --------------------------------------------------------------- builders

def linear_model(features: Sequence[str], bias: str | None = "b",
                 weights: str = "w") -> sp.Expr:
    """``w1*x1 + ... + wd*xd + b`` for the given feature names, in order.

    (The ``"linear"`` model of :func:`mse` numbers each weight like its
    feature where the features end in distinct numbers: ``linear:x1,x3`` is
    ``w1*x1 + w3*x3 + b``.)

    >>> linear_model(["x1", "x2"])
    b + w1*x1 + w2*x2
    >>> linear_model(["weight"], bias=None, weights="a")
    a1*weight
    """
    features = [check_name(f, "feature") for f in features]
    if not features:
        raise InputError("a linear model needs at least one feature")
    terms = [make_symbol(f"{weights}{k}") * make_symbol(f) for k, f in
             enumerate(features, start=1)]
    if bias is not None:
        terms.append(make_symbol(check_name(bias, "bias")))
    return sp.Add(*terms)


def loss(per_sample: str | sp.Expr, data: Any, *, reduce: str = "mean",
         columns: Mapping[str, str] | None = None,
         params: Iterable[str] | None = None, names: Sequence[str] | None = None,
         constants: Mapping[str, object] | None = None, name: str | None = None,
         sufficient_statistics: bool = True) -> DataObjective:
    """Any per-sample loss, reduced over the data by ``mean`` or ``sum``.

    Parameters
    ----------
    per_sample : str or sympy.Expr
        One row's loss, in parameters and data symbols, e.g.
        ``"(w*x + b - y)^2"``.
    data : mapping, 2-D array (with ``names``), path, built-in name or DataFrame
    reduce : {"mean", "sum"}
    columns : mapping, optional
        Symbol -> column name, for columns whose names differ from the
        symbols, e.g. ``{"x": "Reservations", "y": "Pizzas"}``.
    params : sequence of str or str, optional
        The parameters, in order (``["w", "b"]`` or ``"w, b"``). By default
        every symbol that is not a data column, sorted by name.
    names : sequence of str, optional
        Column names of a 2-D array.
    constants : mapping, optional
        Names replaced by numbers.
    sufficient_statistics : bool
        Reduce the data once when the loss is a polynomial in the parameters
        (default). False evaluates every row at every step.

    Examples
    --------
    >>> d = {"x": [1.0, 2.0, 3.0], "y": [2.0, 4.1, 5.9]}
    >>> L = loss("(w*x - y)^2", d)
    >>> L.gradient
    (2*Sum((w*x[i] - y[i])*x[i], (i, 1, M))/M,)
    >>> round(L.value([2.0]), 6)
    0.006667
    """
    params = _param_list(params)
    dataset = as_dataset(data, names)
    mapping = _column_map(columns, dataset)
    symbols = _data_names(dataset, mapping)
    expr = _as_expr(per_sample, symbols, params, constants, "per-sample loss")
    return _build(expr, dataset, mapping, params, reduce=reduce, name=name,
                  sufficient_statistics=sufficient_statistics)


def mse(model: str | sp.Expr, data: Any, *, target: str = "y", **options: Any) -> DataObjective:
    r"""Mean squared error :math:`\frac{1}{M}\sum_i (f(x_i) - y_i)^2` of a model.

    ``model`` is text or SymPy, e.g. ``"w*x + b"``, or ``"linear"`` for
    ``w1*x1 + ... + b`` over every column except the target (``"linear:x1,x2"``
    for chosen columns; at most :data:`MAX_LINEAR_FEATURES` features). The
    target column is ``target`` (``"y"``), or the column that ``columns`` maps
    it to. Other options as in :func:`loss`.

    Examples
    --------
    >>> cars = mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    >>> cars.grad([0, 0]).round(1)
    array([-119.7,  -34.3])
    >>> round(cars.value([0, 0]), 2)
    303.71
    """
    return _model_loss("mse", model, data, target, **options)


def sse(model: str | sp.Expr, data: Any, *, target: str = "y", **options: Any) -> DataObjective:
    r"""Sum of squared errors :math:`\sum_i (f(x_i) - y_i)^2`; see :func:`mse`."""
    return _model_loss("sse", model, data, target, **options)


def mae(model: str | sp.Expr, data: Any, *, target: str = "y", **options: Any) -> DataObjective:
    r"""Mean absolute error :math:`\frac{1}{M}\sum_i |f(x_i) - y_i|`; see :func:`mse`.

    Its gradient is the subgradient :math:`\frac{1}{M}\sum_i
    \operatorname{sign}(f(x_i) - y_i)\,\nabla f(x_i)`, taking 0 where a
    residual is exactly 0.
    """
    return _model_loss("mae", model, data, target, **options)


def log_loss(model: str | sp.Expr, data: Any, *, target: str = "y",
             **options: Any) -> DataObjective:
    r"""Binary cross-entropy :math:`-\frac{1}{M}\sum_i y_i\log p_i + (1-y_i)\log(1-p_i)`.

    ``model`` gives the probability :math:`p`, usually ``sigmoid(...)``; then
    the loss is evaluated as :math:`\operatorname{softplus}(z) - y z`, which
    never overflows, and its gradient is the textbook
    :math:`\frac{1}{M}\sum_i (\sigma(z_i) - y_i)\,\partial z_i/\partial\theta`.
    Labels must lie in [0, 1].
    """
    return _model_loss("logloss", model, data, target, **options)


def _model_loss(kind: str, model: str | sp.Expr, data: Any, target: str, *,
                columns: Mapping[str, str] | None = None,
                params: Iterable[str] | None = None, names: Sequence[str] | None = None,
                constants: Mapping[str, object] | None = None, name: str | None = None,
                sufficient_statistics: bool = True) -> DataObjective:
    params = _param_list(params)
    dataset = as_dataset(data, names)
    mapping = _column_map(columns, dataset)
    target = check_name(target, "target")
    y_column = mapping.get(target, target)
    if y_column not in dataset:
        raise DataError(f"the target column {clip(y_column)} is not in {dataset.source}; its "
                        f"columns are {show_names(dataset.names)}; name it with "
                        f"target=... or columns={{{clip(target)}: 'column name'}}")
    mapping.setdefault(target, y_column)
    symbols = _data_names(dataset, mapping)
    if isinstance(model, str) and model.strip().startswith("mlp:"):
        model = parse_mlp_spec(model)
    if isinstance(model, MLP):
        f, params = model.expr, list(params) if params is not None else list(model.params)
    elif isinstance(model, str) and model.strip().split(":")[0].strip() == "linear":
        f, params = _linear_shorthand(model, dataset, mapping, target, params)
    else:
        f = _as_expr(model, symbols, params, constants, "model")
    if make_symbol(target) in f.free_symbols:
        raise ObjectiveError(f"the model {_expr_text(f)} uses the target {clip(target)}; the "
                             "model predicts the target from the other columns")
    y = make_symbol(target)
    per_sample, display = _per_sample(kind, f, y, dataset[mapping[target]])
    reduce = "sum" if kind == "sse" else "mean"
    obj = _build(per_sample, dataset, mapping, params, reduce=reduce, name=name or "L",
                 model=f, target=target, display=display,
                 sufficient_statistics=sufficient_statistics)
    for symbol, column in obj.columns.items():
        if symbol != target and make_symbol(symbol) in f.free_symbols:
            dataset.check_varies(column)
    return obj


def _per_sample(kind: str, f: sp.Expr, y: sp.Symbol,
                labels: np.ndarray) -> tuple[sp.Expr, sp.Expr | None]:
    if kind in ("mse", "sse"):
        return (f - y) ** 2, None
    if kind == "mae":
        return sp.Abs(f - y), None
    if labels.min() < 0 or labels.max() > 1:
        raise DataError(f"log-loss needs labels in [0, 1] (0 or 1, or probabilities); the "
                        f"target column holds values from {labels.min():g} to {labels.max():g}")
    f = _as_sigmoid(f)
    display = -(y * sp.log(f) + (1 - y) * sp.log(1 - f))
    if isinstance(f, sigmoid):
        z = f.args[0]
        return softplus(z) - y * z, display
    return display, display


def _as_sigmoid(f: sp.Expr) -> sp.Expr:
    """``1/(1 + exp(-z))`` -> ``sigmoid(z)``, so log-loss can use its stable form."""
    if f.is_Pow and f.exp == -1 and f.base.is_Add and len(f.base.args) == 2 \
            and sp.S.One in f.base.args:
        other = next(a for a in f.base.args if a != sp.S.One)
        if isinstance(other, sp.exp):
            return sigmoid(-other.args[0])
    return f


LOSSES: dict[str, Callable[..., DataObjective]] = {"mse": mse, "sse": sse, "mae": mae,
                                                   "logloss": log_loss}


# ---------------------------------------------------------------- helpers

def _column_map(columns: Mapping[str, str] | None, dataset: Dataset) -> dict[str, str]:
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        raise InputTypeError(f"columns must map symbols to column names, e.g. "
                             f"{{'x': 'Reservations', 'y': 'Pizzas'}}; got "
                             f"{type(columns).__name__} {clip(columns)}")
    mapping = {}
    for symbol, column in columns.items():
        check_name(symbol, "column symbol")
        if not isinstance(column, str):
            raise DataError(f"columns maps {clip(symbol)} to {clip(column)}, a "
                            f"{type(column).__name__}: columns= needs one column name (a "
                            f"string) per symbol, e.g. columns={{{clip(symbol)}: "
                            f"'column name'}}; the columns of {dataset.source} are "
                            f"{show_names(dataset.names)}")
        if column not in dataset:
            raise DataError(f"columns maps {clip(symbol)} to {clip(column)}, which is not a "
                            f"column of {dataset.source}; its columns are "
                            f"{show_names(dataset.names)}")
        mapping[symbol] = column
    return mapping


def _param_list(params: object) -> list | None:
    """``params`` as a list: names such as ``["w", "b"]``, or one string ``"w, b"``."""
    if params is None:
        return None
    if isinstance(params, str):
        return [p for p in re.split(r"[\s,]+", params) if p]
    if isinstance(params, sp.Symbol):
        return [params]
    if isinstance(params, (bytes, Mapping)) or not isinstance(params, Iterable):
        raise InputTypeError(f"params must be the parameter names in order, such as "
                             f"['w', 'b'] or 'w, b'; got {type(params).__name__} "
                             f"{clip(params)}")
    return list(params)


def _expr_text(expr: object, limit: int = 200) -> str:
    """An expression for a message, shortened when long."""
    text = str(expr)
    return text if len(text) <= limit else f"{text[:limit - 30]} ... {text[-20:]}"


def _data_names(dataset: Dataset, mapping: Mapping[str, str]) -> dict[str, str]:
    """Symbol name -> column, for every column usable as a symbol."""
    names = {c: c for c in dataset.names if _is_name(c)}
    mapped = set(mapping.values())
    names = {k: v for k, v in names.items() if v not in mapped}
    names.update(mapping)
    return names


def _is_name(text: str) -> bool:
    try:
        check_name(text)
        return True
    except InputError:
        return False


def _as_expr(source: str | sp.Expr, symbols: Mapping[str, str],
             params: Iterable[str] | None, constants: Mapping[str, object] | None,
             what: str) -> sp.Expr:
    declared = list(symbols) + [check_name(p, "parameter") for p in params or ()]
    if isinstance(source, str):
        return parse(source, variables=declared, constants=constants)
    if isinstance(source, sp.Expr):
        expr = source.xreplace({s: make_symbol(s.name) for s in source.free_symbols
                                if isinstance(s, sp.Symbol)})
        return expr.xreplace({make_symbol(k): sp.sympify(v) for k, v in
                              (constants or {}).items()})
    raise InputTypeError(f"the {what} must be text or a SymPy expression, got "
                         f"{type(source).__name__}")


def _linear_shorthand(model: str, dataset: Dataset, mapping: Mapping[str, str],
                      target: str, params: Iterable[str] | None) -> tuple[sp.Expr, list[str]]:
    _, _, listed = model.partition(":")
    usable = _data_names(dataset, mapping)
    if listed.strip():
        features = [f.strip() for f in listed.split(",")]
        which = "names"
    else:
        features = [c for c in usable if c != target]
        which = f"uses every column of {dataset.source} except the target {clip(target)}, that is"
    if len(features) > MAX_LINEAR_FEATURES:
        example = ",".join(features[:3])
        raise DataError(f"the linear model {which} {len(features)} features; symgd builds "
                        f"linear models of at most {MAX_LINEAR_FEATURES} features (its "
                        "objective is symbolic, with a gradient and a Hessian in every "
                        "weight): choose the features to use, e.g. "
                        f"model={clip('linear:' + example)}, or fit on a file with fewer "
                        "columns")
    unknown = [f for f in features if f not in usable]
    if unknown:
        raise DataError(f"linear model: {clip(unknown[0])} is not a column of {dataset.source}; "
                        f"its columns are {show_names(dataset.names)}")
    f = linear_model(features)
    suffixes = [re.fullmatch(r"[A-Za-z_]*?(\d+)", c) for c in features]
    if all(suffixes) and len({m.group(1) for m in suffixes}) == len(features):
        rename = {make_symbol(f"w{k}"): make_symbol(f"w{m.group(1)}")
                  for k, m in enumerate(suffixes, start=1)}
        f = f.xreplace(rename)
    order = sorted((s.name for s in f.free_symbols if s.name.startswith("w")),
                   key=natural_key) + ["b"]
    return f, list(params) if params is not None else order


def _build(expr: sp.Expr, dataset: Dataset, mapping: Mapping[str, str],
           params: Iterable[str] | None, **options: Any) -> DataObjective:
    symbols = _data_names(dataset, mapping)
    names = {s.name for s in expr.free_symbols}
    param_names = [check_name(p, "parameter") for p in params] if params is not None else \
        sorted((n for n in names if n not in symbols), key=natural_key)
    if len(set(param_names)) != len(param_names):
        twice = next(p for p in param_names if param_names.count(p) > 1)
        raise InputError(f"params name the parameter {clip(twice)} twice")
    data_used = [n for n in names if n not in param_names]
    unknown = [n for n in data_used if n not in symbols]
    if unknown:
        raise DataError(f"{clip(unknown[0])} is neither a parameter nor a column of "
                        f"{dataset.source} (columns: {show_names(dataset.names)})")
    target = options.get("target")
    features = [n for n in data_used if n != target]
    if not features:
        raise DataError(f"the model uses no data column; the columns of {dataset.source} are "
                        f"{show_names(dataset.names)}; use them in the model, or map names "
                        "with columns={'x': 'column name'}")
    if not param_names:
        raise ObjectiveError(f"{_expr_text(expr)} has no parameters to fit")
    unused = [p for p in param_names if p not in names]
    if unused:
        raise InputError(f"parameter {clip(unused[0])} does not appear in {_expr_text(expr)}; "
                         "list only the "
                         "model's parameters")
    used = {n: symbols[n] for n in sorted(data_used, key=natural_key)}
    return DataObjective(expr, [make_symbol(p) for p in param_names], used, dataset, **options)


# -------------------------------------------------------- textbook display

class _Textbook:
    r"""``(1/M) Σ_{i=1}^{M} ℓ(x_i)`` forms, constants pulled in front."""

    def __init__(self, obj: DataObjective) -> None:
        taken = {s.name for s in obj.per_sample.free_symbols}
        self.i = sp.Symbol(_free_name(("i", "k", "j", "n"), taken), integer=True, positive=True)
        self.M = sp.Symbol(_free_name(("M", "N", "m"), taken | {self.i.name}),
                           integer=True, positive=True)
        self.mean = obj.reduce == "mean"
        self.indexed = {s: sp.Indexed(sp.IndexedBase(s.name), self.i)
                        for s in obj._data_symbols}

    def reduce(self, per_sample: sp.Expr) -> sp.Expr:
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


# ------------------------------------------------------ sufficient statistics

def _float(value: float) -> sp.Float:
    """A SymPy Float that prints back to exactly the same double."""
    return sp.Float(float(value), 17)


def _column_sums(obj: DataObjective, exprs: Sequence[sp.Expr],
                 fixed: Mapping[sp.Symbol, float] | None = None) -> list[float]:
    """Sum over rows of each expression (in data symbols), in chunks of rows."""
    fixed = dict(fixed or {})
    exprs = [sp.sympify(e).xreplace({k: _float(v) for k, v in fixed.items()}) for e in exprs]
    args = obj._data_symbols
    fn = Compiled(args, exprs)
    columns = [obj.data[obj.columns[s.name]] for s in args]
    sums = np.zeros(len(exprs))
    for start in range(0, obj.rows, _CHUNK_ROWS):
        part = [c[start:start + _CHUNK_ROWS] for c in columns]
        values = fn.at_array(part) if args else [np.asarray(fn.at(()))] * len(exprs)
        with np.errstate(all="ignore"):
            sums += [float(np.sum(v)) for v in values]
    return sums.tolist()


class _Quadratic:
    r"""A quadratic loss :math:`f_0 + g\cdot\delta + \frac12 \delta^T H \delta`,
    :math:`\delta = \theta - \theta_0`, evaluated with NumPy.

    Like :class:`~symgd.compile.Compiled`: ``at(point)`` gives ``(f, df/dθ1, ...)``
    and ``at_array(points)`` the same for many points. No expression is
    compiled, so its cost does not grow with the size of an expression
    (n^2 terms for n parameters).
    """

    def __init__(self, theta0: np.ndarray, value: float, grad: Sequence[float],
                 hessian: np.ndarray) -> None:
        self.theta0 = np.asarray(theta0, dtype=float)
        self.value = float(value)
        self.grad = np.asarray(grad, dtype=float)
        self.hessian = np.asarray(hessian, dtype=float)

    def at(self, point: Sequence[float]) -> tuple[float, ...]:
        with np.errstate(all="ignore"):
            d = np.asarray(point, dtype=float) - self.theta0
            hd = self.hessian @ d
            f = self.value + self.grad @ d + 0.5 * (d @ hd)
            return (float(f), *(self.grad + hd).tolist())

    def at_array(self, points: Sequence[np.ndarray]) -> list[np.ndarray]:
        coords = [np.asarray(p, dtype=float) for p in points]
        shape = np.broadcast_shapes(*(c.shape for c in coords))
        with np.errstate(all="ignore"):
            d = np.stack([np.broadcast_to(c, shape) for c in coords], axis=-1) - self.theta0
            hd = d @ self.hessian.T
            f = self.value + d @ self.grad + 0.5 * np.einsum("...i,...i->...", d, hd)
            g = hd + self.grad
        return [np.asarray(f, dtype=float).reshape(shape),
                *(np.ascontiguousarray(g[..., k]) for k in range(len(coords)))]


class _Constant:
    """Constant outputs with the interface of :class:`~symgd.compile.Compiled`."""

    def __init__(self, values: Iterable[float]) -> None:
        self.values = tuple(float(v) for v in values)

    def at(self, point: Sequence[float]) -> tuple[float, ...]:
        return self.values

    def at_array(self, points: Sequence[np.ndarray]) -> list[np.ndarray]:
        shape = np.broadcast_shapes(*(np.shape(p) for p in points))
        return [np.full(shape, v) for v in self.values]


def _reduced_polynomial(obj: DataObjective) -> _Quadratic | sp.Expr:
    """The loss as a polynomial in the parameters with numeric coefficients.

    For degree 2, a :class:`_Quadratic`: value, gradient and Hessian at the
    expansion point, as numbers; otherwise the polynomial as an expression.
    """
    params = obj._real
    scale = 1.0 / obj.rows if obj.reduce == "mean" else 1.0
    features = _squared_linear_form(obj.per_sample, params)
    if features is not None:
        hessian, linear = _gram_statistics(obj, features, scale)
        theta0 = _stationary_point(obj, hessian, linear)
        value, grad = _residual_statistics(obj, features, theta0, scale)
        _check_finite(obj, value, grad)
        return _Quadratic(theta0, value, grad, hessian)
    poly = sp.Poly(obj.per_sample, *params)
    monomials, coeffs = zip(*poly.terms())
    means = [s * scale for s in _column_sums(obj, coeffs)]
    _check_finite(obj, means)
    if poly.total_degree() != 2:
        return sp.Add(*(_float(c) * sp.Mul(*(p ** e for p, e in zip(params, m)))
                        for m, c in zip(monomials, means)))
    hessian, linear = _quadratic_parts(monomials, means, len(params))
    # Expand around the stationary point theta0, where loss and gradient are
    # taken directly from the data: no cancellation near the optimum.
    theta0 = _stationary_point(obj, hessian, linear)
    outputs = [obj.per_sample, *(_derivative(obj.per_sample, p) for p in params)]
    direct = [s * scale for s in _column_sums(obj, outputs, dict(zip(params, theta0)))]
    _check_finite(obj, direct)
    return _Quadratic(theta0, direct[0], direct[1:], hessian)


def _stationary_point(obj: DataObjective, hessian: np.ndarray,
                      linear: np.ndarray) -> np.ndarray:
    """The least-squares solution of ``H θ = -linear``, or DataError on overflow."""
    _check_finite(obj, hessian, linear)
    with np.errstate(all="ignore"):
        try:
            theta0 = -np.linalg.lstsq(hessian, linear, rcond=None)[0]
        except np.linalg.LinAlgError:
            raise _too_large(obj) from None
    _check_finite(obj, theta0)
    return theta0


def _check_finite(obj: DataObjective, *values: Any) -> None:
    for v in values:
        if not np.isfinite(np.asarray(v, dtype=float)).all():
            raise _too_large(obj)


def _too_large(obj: DataObjective) -> DataError:
    """The statistics overflowed float64: name the column with the largest values."""
    used = list(dict.fromkeys(obj.columns.values()))
    peaks = {c: float(np.max(np.abs(obj.data[c]))) for c in used}
    column = max(used, key=lambda c: peaks[c])
    peak = peaks[column]
    power = 10.0 ** math.floor(math.log10(peak)) if peak > 0 else 1.0
    return DataError(
        f"the values in {obj.data.source} are too large to fit: column {clip(column)} "
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


def _gram_statistics(obj: DataObjective, features: list,
                     scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Hessian and gradient at 0 of mean((Φθ + φ0)²), from Φᵀ Φ in chunks."""
    p = len(features) - 1
    gram = np.zeros((p + 1, p + 1))
    with np.errstate(all="ignore"):
        for phi in _feature_chunks(obj, features):
            gram += phi.T @ phi
        gram *= scale
        return 2 * gram[:p, :p], 2 * gram[:p, p]


def _residual_statistics(obj: DataObjective, features: list, theta0: np.ndarray,
                         scale: float) -> tuple[float, np.ndarray]:
    """Loss and gradient at θ0 straight from the residuals r = Φθ0 + φ0."""
    value, grad = 0.0, np.zeros(len(theta0))
    with np.errstate(all="ignore"):
        for phi in _feature_chunks(obj, features):
            r = phi[:, :-1] @ theta0 + phi[:, -1]
            value += float(r @ r)
            grad += 2 * (r @ phi[:, :-1])
        return value * scale, grad * scale


def _feature_chunks(obj: DataObjective, features: list):
    """The feature columns φ_j side by side, in chunks of rows."""
    columns = {s: obj.data[obj.columns[s.name]] for s in obj._data_symbols}
    scaled = [_scaled_column(f, columns) for f in features]
    fn = None if all(scaled) else Compiled(obj._data_symbols, features)
    for start in range(0, obj.rows, _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, obj.rows)
        if fn is None:   # numbers times columns (a linear model): nothing to compile
            yield np.column_stack([_scaled_part(c, col, start, stop) for c, col in scaled])
        else:
            yield np.column_stack(fn.at_array([c[start:stop] for c in columns.values()]))


def _scaled_column(feature: sp.Expr, columns: Mapping[sp.Symbol, np.ndarray]) -> tuple | None:
    """``c * column`` -> ``(c, column)``; a number ``c`` -> ``(c, None)``; else None."""
    if feature.is_Number:
        return float(feature), None
    if feature in columns:
        return 1.0, columns[feature]
    if feature.is_Mul and len(feature.args) == 2 and feature.args[0].is_Number \
            and feature.args[1] in columns:
        return float(feature.args[0]), columns[feature.args[1]]
    return None


def _scaled_part(c: float, column: np.ndarray | None, start: int, stop: int) -> np.ndarray:
    if column is None:
        return np.full(stop - start, c)
    part = column[start:stop]
    return part if c == 1.0 else (-part if c == -1.0 else c * part)


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
                      grad: Sequence[float], hessian: np.ndarray) -> tuple:
    """f(θ0) + g·δ + ½ δᵀHδ with δ = θ - θ0, its gradient and Hessian.

    ``evaluate=False`` keeps each δ intact instead of distributing the
    coefficients over it, which would bring back the cancellation.
    """
    n = len(params)
    delta = [p - _float(t) for p, t in zip(params, theta0)]
    terms = [_float(value)]
    terms += [sp.Mul(_float(g), d, evaluate=False) for g, d in zip(grad, delta)]
    terms += [sp.Mul(_float(hessian[i, j] / (2 if i == j else 1)), delta[i], delta[j],
                     evaluate=False)
              for i in range(n) for j in range(i, n) if hessian[i, j]]
    gradient = tuple(sp.Add(_float(grad[i]), *(sp.Mul(_float(hessian[i, k]), delta[k],
                                                       evaluate=False)
                                                for k in range(n) if hessian[i, k]),
                            evaluate=False) for i in range(n))
    matrix = sp.Matrix(n, n, lambda i, j: _float(hessian[i, j]))
    return sp.Add(*terms, evaluate=False), gradient, matrix


# ------------------------------------------------------- per-row evaluation

class _RowEvaluator:
    """Reduced value and gradient, evaluating every row.

    Linear forms ``c + Σ a_j·d_j`` over two or more data columns are computed
    as one matrix product with the stacked columns; an output of the form
    ``d·r`` (a data column times the rest) is reduced as a dot product, and
    those sharing ``r`` over all stacked columns as one ``r @ D``.
    """

    def __init__(self, obj: DataObjective, outputs: Sequence[sp.Expr]) -> None:
        self.obj = obj
        self.scale = 1.0 / obj.rows if obj.reduce == "mean" else 1.0
        data = set(obj._data_symbols)
        forms: dict[sp.Expr, sp.Symbol] = {}
        outputs = [_replace_linear_forms(_column_factored(o, data), data, forms)
                   for o in outputs]
        self.forms = list(forms.items())
        self.stacked = sorted({d for f, _ in self.forms for d in f.free_symbols & data},
                              key=lambda s: natural_key(s.name))
        self._coefficients = self._form_coefficients(data)
        plan, arrays = [], []
        for out in outputs:
            column, rest = _split_column(out, data)
            if rest not in arrays:
                arrays.append(rest)
            plan.append((column, arrays.index(rest)))
        self.plan = plan
        z = [s for _, s in self.forms]
        self.fn = Compiled((*obj._real, *z, *obj._data_symbols), arrays)
        self._stack = None

    def _form_coefficients(self, data: set) -> Compiled:
        rows = []
        for form, _ in self.forms:
            const, terms = form.as_independent(*data, as_Add=True)
            coeff = {d: sp.S.Zero for d in self.stacked}
            for term in sp.Add.make_args(terms):
                c, d = term.as_independent(*data, as_Mul=True)
                coeff[d] += c
            rows.append([const, *(coeff[d] for d in self.stacked)])
        return Compiled(self.obj._real, [e for row in rows for e in row])

    @property
    def stack(self) -> np.ndarray:
        """The columns of the linear forms side by side: (rows, k), built once."""
        if self._stack is None:
            cols = [self.obj.data[self.obj.columns[d.name]] for d in self.stacked]
            self._stack = np.column_stack(cols) if cols else np.empty((self.obj.rows, 0))
        return self._stack

    def _linear_forms(self, theta: Sequence[float], stack: np.ndarray | None) -> list:
        if not self.forms:
            return []
        k = len(self.stacked)
        coeffs = np.array(self._coefficients.at(theta), dtype=float).reshape(-1, k + 1)
        z = stack @ coeffs[:, 1:].T + coeffs[:, 0]
        return [np.ascontiguousarray(z[:, m]) for m in range(len(self.forms))]

    def reduced(self, theta: Sequence[float], rows: np.ndarray | None = None) -> tuple:
        """Each output, reduced over all rows (mean or sum), or over ``rows`` only
        (then a sum is scaled up to estimate the sum over every row)."""
        theta = [float(t) for t in theta]
        columns = [self.obj.data[self.obj.columns[d.name]] for d in self.obj._data_symbols]
        stack = self.stack if self.forms else None
        scale = self.scale
        if rows is not None:
            columns = [c[rows] for c in columns]
            stack = stack[rows] if stack is not None else None
            scale = 1.0 / len(rows) if self.obj.reduce == "mean" else self.obj.rows / len(rows)
        with np.errstate(all="ignore"):
            values = self.fn.at_array([*theta, *self._linear_forms(theta, stack), *columns])
            results = self._reduce(values, stack, columns)
        return tuple(float(v) * scale for v in results)

    def _reduce(self, values: list[np.ndarray], stack: np.ndarray | None,
                columns: list[np.ndarray]) -> list[float]:
        results: list[float] = [0.0] * len(self.plan)
        together: dict[int, list[int]] = {}
        for k, (column, rest) in enumerate(self.plan):
            if column is None:
                results[k] = float(np.sum(values[rest]))
            else:
                together.setdefault(rest, []).append(k)
        for rest, ks in together.items():
            cols = [self.plan[k][0] for k in ks]
            if cols == self.stacked:
                for k, v in zip(ks, values[rest] @ stack):
                    results[k] = float(v)
                continue
            index = {d: c for d, c in zip(self.obj._data_symbols, columns)}
            for k, col in zip(ks, cols):
                results[k] = float(np.dot(index[col], values[rest]))
        return results

    def at(self, point: Sequence[float]) -> tuple[float, ...]:
        """``(f, df/dθ1, ...)`` at one point, like :meth:`Compiled.at`."""
        return self.reduced(point)


def _replace_linear_forms(expr: sp.Expr, data: set,
                          forms: dict[sp.Expr, sp.Symbol]) -> sp.Expr:
    def is_form(node: sp.Basic) -> bool:
        if not node.is_Add:
            return False
        count = 0
        for term in node.args:
            c, d = term.as_independent(*data, as_Mul=True)
            if d == 1:
                continue
            if d not in data or c.free_symbols & data:
                return False
            count += 1
        return count >= 2

    def name(node: sp.Expr) -> sp.Symbol:
        if node not in forms:
            forms[node] = sp.Dummy(f"z{len(forms)}", real=True)
        return forms[node]

    return expr.replace(is_form, name)


def _column_factored(expr: sp.Expr, data: set) -> sp.Expr:
    """``x*a - x*y`` -> ``x*(a - y)``: a data column common to every term, taken
    out so the sum over rows becomes a dot product. (sympy.factor_terms does
    this too, but walks the whole tree: seconds for a network's derivatives.)"""
    if not expr.is_Add:
        return expr
    terms = expr.args
    for d in data:
        if all(t == d or t.is_Mul and d in t.args for t in terms):
            return d * sp.Add(*(t / d for t in terms))
    return expr


def _split_column(expr: sp.Expr, data: set) -> tuple[sp.Symbol | None, sp.Expr]:
    """``x * rest`` -> (x, rest) when a data column is a plain factor."""
    if expr.is_Mul:
        for factor in expr.args:
            if factor in data:
                return factor, expr / factor
    if expr in data:
        return expr, sp.S.One
    return None, expr
