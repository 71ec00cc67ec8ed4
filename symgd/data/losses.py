"""The loss constructors: a model and data to a :class:`DataObjective`.

:func:`loss` reduces any per-sample loss over the rows; :func:`mse`,
:func:`sse`, :func:`mae` and :func:`log_loss` build the usual ones from a
model (text, SymPy, ``"linear"`` or a network of :func:`~symgd.mlp`);
:func:`linear_model` writes ``w1*x1 + ... + b``.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping, Sequence

import sympy as sp

from .._text import quote
from ..errors import DataError, InputError, InputTypeError, ObjectiveError
from ..expr.parse import check_name, make_symbol, parse_real
from ..expr.registry import sigmoid, softplus
from ..objective import natural_key
from .dataset import column_label, looks_like_name
from .networks import MLP, parse_mlp_spec
from .objective import REDUCTIONS, DataObjective
from .chunked import as_data
from .tables import Dataset

__all__ = ["DataObjective", "loss", "mse", "sse", "mae", "log_loss", "linear_model",
           "REDUCTIONS", "LOSSES", "MAX_LINEAR_FEATURES"]

# The most features of the "linear" model: its objective is symbolic, with a
# gradient of n terms per parameter and n^2 Hessian entries.
MAX_LINEAR_FEATURES = 200


# --------------------------------------------------------------- builders

def linear_model(features: Sequence[str], bias: str | None = "b",
                 weights: str = "w") -> sp.Expr:
    """One weight per feature, in order, and a bias: ``w1*x1 + w2*x2 + b``.

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
         sufficient_statistics: bool = True, stream: object = "auto",
         progress: object = False, backend: str = "auto") -> DataObjective:
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
    stream : {"auto", True, False}
        For a file: True reads it in chunks, never holding all its rows
        (any size; a polynomial loss such as the MSE of a linear model
        needs one pass, any other loss a pass per step, or one load when
        the file is at most 2 GiB); ``"auto"`` (default) streams files over
        256 MiB; False loads the file (at most 2 GiB). A Dask collection is
        always reduced on its cluster. :attr:`DataObjective.evaluation`
        says which was done.
    progress : bool or "auto"
        A progress line on standard error while a streamed file is read.
    backend : {"auto", "numpy", "numba"}
        How every row is evaluated when there are no sufficient statistics:
        NumPy, or one fused numba pass per step (the ``symgd[fast]`` extra);
        ``"auto"`` uses numba when it is installed and rows × outputs
        reaches ``symgd.fast.rows.AUTO_MIN_WORK`` (10⁶).

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
    dataset = as_data(data, names, stream, progress)
    mapping = _column_map(columns, dataset)
    symbols = _data_names(dataset, mapping)
    expr = _as_expr(per_sample, symbols, params, constants, "per-sample loss")
    return _build(expr, dataset, mapping, params, reduce=reduce, name=name,
                  sufficient_statistics=sufficient_statistics, constants=constants,
                  backend=backend)


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
                sufficient_statistics: bool = True, stream: object = "auto",
                progress: object = False, backend: str = "auto") -> DataObjective:
    params = _param_list(params)
    dataset = as_data(data, names, stream, progress)
    mapping = _column_map(columns, dataset)
    target = check_name(target, "target")
    y_column = mapping.get(target, target)
    if y_column not in dataset:
        raise DataError(f"the target column {quote(y_column)} is not in {dataset.source}; its "
                        f"columns are {dataset.shown_names()}; name it with "
                        f"target=... or columns={{{quote(target)}: 'column name'}}")
    mapping.setdefault(target, y_column)
    symbols = _data_names(dataset, mapping)
    if isinstance(model, str) and model.strip().startswith("mlp:"):
        model = parse_mlp_spec(model)
    if isinstance(model, MLP):
        f = model.expr.xreplace({s: make_symbol(s.name) for s in model.expr.free_symbols})
        params = list(params) if params is not None else list(model.params)
    elif isinstance(model, str) and model.strip().split(":")[0].strip() == "linear":
        f, params = _linear_shorthand(model, dataset, mapping, target, params)
    else:
        f = _as_expr(model, symbols, params, constants, "model")
    if make_symbol(target) in f.free_symbols:
        raise ObjectiveError(f"the model {_expr_text(f)} uses the target {quote(target)}; the "
                             "model predicts the target from the other columns")
    y = make_symbol(target)
    per_sample, display = _per_sample(kind, f, y, dataset, mapping[target])
    reduce = "sum" if kind == "sse" else "mean"
    obj = _build(per_sample, dataset, mapping, params, reduce=reduce, name=name or "L",
                 model=f, target=target, display=display,
                 sufficient_statistics=sufficient_statistics, constants=constants,
                 backend=backend)
    for symbol, column in obj.columns.items():
        if symbol != target and make_symbol(symbol) in f.free_symbols:
            dataset.check_varies(column)
    return obj


def _per_sample(kind: str, f: sp.Expr, y: sp.Symbol, dataset: Any,
                target: str) -> tuple[sp.Expr, sp.Expr | None]:
    if kind in ("mse", "sse"):
        return (f - y) ** 2, None
    if kind == "mae":
        return sp.Abs(f - y), None
    if isinstance(dataset, Dataset):
        labels = dataset[target]
        low, high = labels.min(), labels.max()
    else:
        low, high = dataset.column_ranges([target])[target]
    if low < 0 or high > 1:
        raise DataError(f"log-loss needs labels in [0, 1] (0 or 1, or probabilities); the "
                        f"target column holds values from {low:g} to {high:g}")
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
                             f"{type(columns).__name__} {quote(columns)}")
    mapping = {}
    for symbol, column in columns.items():
        check_name(symbol, "column symbol")
        if not isinstance(column, str):
            raise DataError(f"columns maps {quote(symbol)} to {quote(column)}, a "
                            f"{type(column).__name__}: columns= needs one column name (a "
                            f"string) per symbol, e.g. columns={{{quote(symbol)}: "
                            f"'column name'}}; the columns of {dataset.source} are "
                            f"{dataset.shown_names()}")
        if column not in dataset:
            raise DataError(f"columns maps {quote(symbol)} to {quote(column)}, which is not a "
                            f"column of {dataset.source}; its columns are "
                            f"{dataset.shown_names()}")
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
                             f"{quote(params)}")
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
        return parse_real(source, variables=declared, constants=constants)
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
        which = f"uses every column of {dataset.source} except the target {quote(target)}, that is"
        _no_unnamed_columns(dataset, mapping, features)
    if len(features) > MAX_LINEAR_FEATURES:
        example = ",".join(features[:3])
        raise DataError(f"the linear model {which} {len(features)} features; symgd builds "
                        f"linear models of at most {MAX_LINEAR_FEATURES} features (its "
                        "objective is symbolic, with a gradient and a Hessian in every "
                        "weight): choose the features to use, e.g. "
                        f"model={quote('linear:' + example)}, or fit on a file with fewer "
                        "columns")
    unknown = [f for f in features if f not in usable]
    if unknown:
        raise DataError(f"linear model: {quote(unknown[0])} is not a column of {dataset.source}; "
                        f"its columns are {dataset.shown_names()}")
    f = linear_model(features)
    suffixes = [re.fullmatch(r"[A-Za-z_]*?(\d+)", c) for c in features]
    if all(suffixes) and len({m.group(1) for m in suffixes}) == len(features):
        rename = {make_symbol(f"w{k}"): make_symbol(f"w{m.group(1)}")
                  for k, m in enumerate(suffixes, start=1)}
        f = f.xreplace(rename)
    order = sorted((s.name for s in f.free_symbols if s.name.startswith("w")),
                   key=natural_key) + ["b"]
    _no_clash(order, features, usable, dataset)
    return f, list(params) if params is not None else order


def _no_unnamed_columns(dataset: Dataset, mapping: Mapping[str, str],
                        features: Sequence[str]) -> None:
    """Refuse ``linear`` (every column) on a file with columns that cannot be
    symbols (``weight kg``, ``__class__``): leaving them out silently would fit
    another model than the one asked for."""
    mapped = set(mapping.values())
    unnamed = [(k, c) for k, c in enumerate(dataset.names)
               if c not in mapped and not _is_name(c)]
    if not unnamed:
        return
    labels = ", ".join(column_label(c, k) for k, c in unnamed[:5])
    more = f" (and {len(unnamed) - 5} more)" if len(unnamed) > 5 else ""
    free = _free_symbols(dataset, mapping, len(unnamed[:3]), "x")
    example = ", ".join(f"{quote(sym)}: {quote(c) if looks_like_name(c) else 'column name'}"
                        for sym, (_, c) in zip(free, unnamed[:3]))
    listed = ",".join(features[:3]) or "x1"
    raise DataError(f"the linear model uses every column except the target, but {labels}"
                    f"{more} of {dataset.source} cannot be a symbol (a name is a letter "
                    "followed by letters, digits or '_'); map each to a symbol, e.g. "
                    f"columns={{{example}}}, or list the features to use, e.g. "
                    f"the model {quote('linear:' + listed)}")


def _no_clash(params: Sequence[str], features: Sequence[str], usable: Mapping[str, str],
              dataset: Dataset) -> None:
    """Refuse ``linear`` when a feature has a parameter's name (a column ``w1``
    or ``b``): the name would be the column and the parameter at once."""
    clashes = [f for f in features if f in params]
    if not clashes:
        return
    free = _free_symbols(dataset, usable, len(clashes), "x")
    example = ", ".join(f"{quote(sym)}: {quote(c)}" for sym, c in zip(free, clashes))
    names = ", ".join(quote(c) for c in clashes)
    raise DataError(f"the linear model's parameters ({', '.join(params)}) include "
                    f"{names}, also the name of {'a column' if len(clashes) == 1 else 'columns'}"
                    f" of {dataset.source}; map the column{'s' * (len(clashes) > 1)} to other "
                    f"symbols, e.g. columns={{{example}}}, or rename "
                    f"{'it' if len(clashes) == 1 else 'them'} in the file")


def _free_symbols(dataset: Dataset, taken: Mapping[str, str], count: int,
                  stem: str) -> list[str]:
    """``count`` names ``x1, x2, ...`` that are neither columns nor symbols in use."""
    used = set(dataset.names) | set(taken)
    names, k = [], 1
    while len(names) < count:
        if f"{stem}{k}" not in used:
            names.append(f"{stem}{k}")
        k += 1
    return names


def _build(expr: sp.Expr, dataset: Dataset, mapping: Mapping[str, str],
           params: Iterable[str] | None, **options: Any) -> DataObjective:
    symbols = _data_names(dataset, mapping)
    names = {s.name for s in expr.free_symbols}
    param_names = [check_name(p, "parameter") for p in params] if params is not None else \
        sorted((n for n in names if n not in symbols), key=natural_key)
    if len(set(param_names)) != len(param_names):
        twice = next(p for p in param_names if param_names.count(p) > 1)
        raise InputError(f"params name the parameter {quote(twice)} twice")
    data_used = [n for n in names if n not in param_names]
    unknown = [n for n in data_used if n not in symbols]
    if unknown:
        raise DataError(f"{quote(unknown[0])} is neither a parameter nor a column of "
                        f"{dataset.source} (columns: {dataset.shown_names()})")
    target = options.get("target")
    features = [n for n in data_used if n != target]
    if not features:
        raise DataError(f"the model uses no data column; the columns of {dataset.source} are "
                        f"{dataset.shown_names()}; use them in the model, or map names "
                        "with columns={'x': 'column name'}")
    if not param_names:
        raise ObjectiveError(f"{_expr_text(expr)} has no parameters to fit")
    unused = [p for p in param_names if p not in names]
    if unused:
        raise InputError(f"parameter {quote(unused[0])} does not appear in {_expr_text(expr)}; "
                         "list only the "
                         "model's parameters")
    used = {n: symbols[n] for n in sorted(data_used, key=natural_key)}
    return DataObjective(expr, [make_symbol(p) for p in param_names], used, dataset, **options)
