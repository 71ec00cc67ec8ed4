"""The descent loop, its stopping rules, and what it returns.

:func:`descend` is the only loop in symgd. Not converging is a result, not
an exception: divergence, non-finite values and the iteration cap end the
run with ``success=False`` and a message that says what happened and what
to try.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import itertools
import math
import numbers
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

import numpy as np
import sympy as sp

from ..objective.compile import MATH_ERRORS, Compiled, _nodes, python_statements
from ..errors import InputError, InputTypeError
from ..objective.core import Objective, as_objective
from .steps import ELEMENTWISE_RULES, StepRule, get_rule

__all__ = ["descend", "descend_many", "Batch", "Result", "History", "Iterate", "Status",
           "FAST_PATH_MAX_VARIABLES", "HISTORY_MAX_VALUES"]

# Up to this many variables the loop runs on Python floats (see compile.py).
FAST_PATH_MAX_VARIABLES = 32

# About the most numbers a history records before it is thinned: a run of up
# to HISTORY_MAX_VALUES / (2n + 2) steps keeps every row (x, f, gradient,
# |g|), 1,000,000 steps for one variable. Rows are Python tuples while the
# loop runs, about 50 bytes a number, so a run's history stays within about
# 250 MB however many steps it takes.
HISTORY_MAX_VALUES = 4_000_000


class Status(enum.IntEnum):
    """Why a run stopped. ``Result.status`` holds one of these."""

    CONVERGED = 0   #: the gradient norm fell to ``tol``
    MAX_ITER = 1    #: ``max_iter`` steps were taken
    SMALL_CHANGE = 2  #: the loss changed by at most ``ftol`` (relative)
    DIVERGED = 3    #: the loss kept growing, or it can only fall forever (a linear objective)
    NOT_FINITE = 4  #: the loss or gradient became nan or infinite
    CALLBACK = 5    #: the callback asked to stop


class Iterate(NamedTuple):
    """One iteration, as given to a callback and as a row of :class:`History`."""

    iteration: int
    x: np.ndarray
    loss: float
    grad: np.ndarray
    grad_norm: float


class History:
    """Every iterate of a run: row ``k`` is the point *before* step ``k + 1``.

    Row 0 is the start. A run of ``nit`` steps has ``nit + 1`` rows, unless
    it was too long to keep them all (see :func:`descend`, ``history``):
    then the rows are the iterates at multiples of :attr:`stride` and the
    last one, and :attr:`iteration` says which iterate each row is.

    Attributes
    ----------
    names : tuple of str
        The variables' names.
    x, grad : ndarray, shape (rows, n)
    loss, grad_norm : ndarray, shape (rows,)
    iteration : ndarray of int, shape (rows,)
        The iteration of each row.
    stride : int
        1 when every iterate was recorded; ``s > 1`` when a long run was
        thinned to the iterates at multiples of ``s`` (and the last).

    Examples
    --------
    >>> h = History(("x",), [[1.0], [0.5]], [1.0, 0.25], [[2.0], [1.0]], [2.0, 1.0])
    >>> len(h), h.columns
    (2, ('iteration', 'x', 'loss', 'df/dx', 'grad_norm'))
    >>> np.asarray(h)
    array([[0.  , 1.  , 1.  , 2.  , 2.  ],
           [1.  , 0.5 , 0.25, 1.  , 1.  ]])
    >>> h[-1].loss
    0.25
    """

    def __init__(self, names: Sequence[str], x: Any, loss: Any, grad: Any,
                 grad_norm: Any, iteration: Any = None) -> None:
        n = len(names)
        self.names = tuple(names)
        self.x = np.asarray(x, dtype=float).reshape(-1, n)
        self.loss = np.asarray(loss, dtype=float).reshape(-1)
        self.grad = np.asarray(grad, dtype=float).reshape(-1, n)
        self.grad_norm = np.asarray(grad_norm, dtype=float).reshape(-1)
        self.iteration = (np.arange(len(self.loss)) if iteration is None
                          else np.asarray(iteration, dtype=int).reshape(-1))
        self.stride = 1                          # > 1 when a long run was thinned
        self.extra: dict[str, np.ndarray] = {}   # optional columns, e.g. "lr_bound"
        self.exact: list[tuple] | None = None    # first rows in exact arithmetic

    def __len__(self) -> int:
        return len(self.loss)

    def __getitem__(self, k: int) -> Iterate:
        k = range(len(self))[k]
        return Iterate(int(self.iteration[k]), self.x[k].copy(), float(self.loss[k]),
                       self.grad[k].copy(), float(self.grad_norm[k]))

    def __iter__(self):
        return (self[k] for k in range(len(self)))

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names of :meth:`__array__` and :meth:`rows`."""
        return ("iteration", *self.names, "loss",
                *(f"df/d{v}" for v in self.names), "grad_norm", *self.extra)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        table = np.column_stack([self.iteration, self.x, self.loss, self.grad,
                                 self.grad_norm, *self.extra.values()]).astype(float)
        return table if dtype is None else table.astype(dtype)

    def rows(self) -> list[tuple[float, ...]]:
        """The history as a list of tuples in the order of :attr:`columns`."""
        return [(int(row[0]), *row[1:]) for row in np.asarray(self).tolist()]

    def to_dicts(self) -> list[dict[str, float]]:
        """The history as a list of ``{column: value}`` dictionaries."""
        return [dict(zip(self.columns, row)) for row in self.rows()]

    def __repr__(self) -> str:
        return f"History({len(self)} rows, variables={self.names})"


@dataclass(frozen=True, repr=False)
class Result:
    """The outcome of :func:`descend`, with SciPy's field names.

    Attributes
    ----------
    x : ndarray
        The last point.
    fun : float
        The objective there.
    jac : ndarray
        The gradient there.
    nit : int
        Steps taken.
    success : bool
        True when a convergence test was met.
    status : int
        A :class:`Status` value.
    message : str
        What happened and, when it failed, what to try.
    history : History
        Every iterate.
    names : tuple of str
        The variables' names.
    lr : float
        The (base) learning rate of the run.
    tol : float or None
        The gradient-norm tolerance; None when the test was off.
    """

    x: np.ndarray
    fun: float
    jac: np.ndarray
    nit: int
    success: bool
    status: int
    message: str
    history: History
    names: tuple[str, ...] = field(default=())
    lr: float | None = None
    tol: float | None = None

    @property
    def point(self) -> dict[str, float]:
        """The last point as ``{name: value}``."""
        return dict(zip(self.names, (float(v) for v in self.x)))

    def __repr__(self) -> str:
        lines = [f"  success: {self.success}", f"   status: {self.status}",
                 f"  message: {self.message}", f"      fun: {self.fun!r}",
                 f"        x: {self.x!r}", f"      nit: {self.nit}",
                 f"      jac: {self.jac!r}", f"  history: {self.history!r}"]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (non-finite numbers become ``None``)."""
        return {"x": {k: _json_number(v) for k, v in self.point.items()},
                "fun": _json_number(self.fun),
                "jac": {k: _json_number(v) for k, v in zip(self.names, self.jac)},
                "nit": self.nit, "success": self.success, "status": int(self.status),
                "message": self.message}

    def table(self, every: int = 1, digits: int = 6, fmt: str = "text",
              gradient: bool = False, first: int = 0, exact: bool = False) -> str:
        """The history as a table; see :func:`symgd.reporting.format_table`."""
        from .table import format_table
        return format_table(self.history, every=every, digits=digits, fmt=fmt,
                            gradient=gradient, first=first, exact=exact)

    def _repr_html_(self) -> str:
        from .table import result_html
        return result_html(self)


def _json_number(v: float) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def descend(objective: object, start: object, lr: float = 0.1, *, max_iter: int = 1000,
            tol: float | None = 1e-8, ftol: float = 0.0, step: str | StepRule = "fixed",
            callback: Callable[[Iterate], Any] | None = None, history: bool = True,
            patience: int = 20, record_bound: bool = False, exact: bool | int = False,
            batch_size: int | None = None, epochs: int | None = None, shuffle: bool = True,
            seed: int = 0,
            variables: Iterable[str] | None = None,
            constants: Mapping[str, object] | None = None, **step_options: Any) -> Result:
    r"""Minimize by gradient descent: :math:`x_{t+1} = x_t - \gamma \nabla f(x_t)`.

    Parameters
    ----------
    objective : Objective, str, sympy.Expr or callable
        What to minimize (anything :class:`Objective` accepts).
    start : sequence, mapping or number
        The first point: values in the order of the variables, a mapping
        ``{name: value}``, or one number for every variable.
    lr : float
        The learning rate (step size) :math:`\gamma`.
    max_iter : int
        The most steps to take.
    tol : float or None
        Stop, successfully, when the gradient's Euclidean norm is ``<= tol``.
        None never stops on the gradient (always ``max_iter`` steps, unless
        another test stops the run).
    ftol : float
        Stop, successfully, when the loss changes by at most ``ftol`` relative
        to ``max(|f_t|, |f_{t+1}|, 1)``. 0 turns this test off.
    step : str or StepRule
        The step rule, by name: ``fixed``, ``momentum``, ``nesterov``,
        ``adam``, ``backtracking``, ``exact`` (quadratics) or ``newton``
        (see :mod:`symgd.steps` for each update formula).
    callback : callable, optional
        Called with an :class:`Iterate` for every iterate, the last included;
        returning a true value (or raising ``StopIteration``) stops the run
        after that iterate (status ``CALLBACK``, unless it stopped there for
        another reason). Exceptions it raises reach the caller.
    history : bool
        Keep every iterate (True) or only the first and the last (False).
        Memory stays bounded either way: with n variables, a run of more
        than ``HISTORY_MAX_VALUES // (2n + 2)`` steps (1,000,000 for one
        variable) is thinned while it runs, keeping every second row and
        from then on recording every second iterate, as often as needed. Its history then holds the iterates at multiples
        of ``history.stride`` and always the first and the last,
        ``history.iteration`` numbers them, and the message says so.
        Shorter runs keep every iterate. A callback still sees every
        iterate.
    patience : int
        The run is declared diverging when the loss has risen this many
        iterations in a row and is above its starting value.
    batch_size, epochs, shuffle, seed
        Mini-batch (stochastic) descent for a data objective: each step uses
        ``batch_size`` rows (1 is plain stochastic gradient descent), an
        epoch passes over every row once, in an order shuffled with
        ``seed`` when ``shuffle`` is true. ``epochs`` sets ``max_iter`` to
        that many passes. The history records each batch's loss and
        gradient, with the epoch as the column ``epoch``; the gradient test
        ``tol`` then applies to batch gradients.
    exact : bool or int
        Also compute the first iterations (10 for True, or this many) of a
        fixed step in exact rational arithmetic, from the start, lr and data
        as written (0.1 is 1/10): ``history.exact`` holds those rows as
        SymPy numbers and ``result.table(exact=True)`` prints them rounded
        correctly. The float run is unchanged.
    record_bound : bool
        Add the local step bound 2/λmax of the Hessian at every iterate as
        the history column ``lr_bound`` (``inf`` where the Hessian has no
        positive eigenvalue), and say in the message if the learning rate
        was above it. Costs one Hessian per iterate.
    variables, constants
        Passed to :class:`Objective` when ``objective`` is not one already.
    **step_options
        Options of the step rule, e.g. ``beta=0.9`` for momentum,
        ``beta1``/``beta2`` for Adam, ``schedule="exponential", decay=0.99``.

    Returns
    -------
    Result
        Never raises for a run that fails to converge; check ``success``.

    Notes
    -----
    A linear objective (a polynomial of total degree 1, so a constant,
    nonzero gradient) has no minimum: every step would lower it by the same
    amount forever. Such a run stops at the start point, without a step,
    with ``success=False`` and status ``DIVERGED`` (unless the gradient is
    already within ``tol`` or ``max_iter`` is 0). Other objectives that are
    unbounded below are not detected in advance: they stop when the loss
    overflows (``NOT_FINITE``) or after ``max_iter`` steps.

    Examples
    --------
    >>> res = descend("x^2 + x*y + y^2", start=[1, 1], lr=0.1)
    >>> res.success, res.nit, bool(np.allclose(res.x, 0, atol=1e-8))
    (True, 56, True)
    >>> res = descend("x^2 + x*y + y^2", start=[1, 1], lr=0.7)
    >>> res.success, res.status == Status.DIVERGED
    (False, True)
    >>> "2/3" in res.message
    True
    >>> res = descend("2*x - y", start=[0, 0])
    >>> res.status == Status.DIVERGED, res.nit, "linear" in res.message
    (True, 0, True)
    """
    obj = as_objective(objective, variables, constants)
    x0 = obj.point(start, "start")
    rule = get_rule(step, lr, **step_options)
    if rule.name == "exact" and not obj.is_quadratic:
        raise InputError("the exact line search needs a quadratic objective (a constant "
                         "Hessian); use step='backtracking' instead")
    batches = _batches(obj, batch_size, epochs, shuffle, seed)
    if batches is not None and epochs is not None:
        max_iter = epochs * batches.per_epoch
    limits = _check_limits(max_iter, tol, ftol, patience)
    fast = rule.plain and obj.n <= FAST_PATH_MAX_VARIABLES and obj.inlinable \
        and batches is None
    steps = _exact_steps(exact, rule)
    advance = None if batches is None else _batch_advance(obj, rule, x0, batches)
    result = _loop(obj, rule, x0, fast, callback, history, *limits, advance=advance)
    if batches is not None:
        result.history.extra["epoch"] = result.history.iteration // batches.per_epoch
    if steps:
        result.history.exact = _exact_rows(obj, start, lr, min(steps, result.nit))
    return _with_bounds(obj, rule, result) if record_bound else result


def _exact_steps(exact: bool | int, rule: StepRule) -> int:
    if exact is False or exact is None or exact == 0:
        return 0
    if rule.name != "fixed" or not rule.plain:
        raise InputError("exact arithmetic is available for the fixed step rule only")
    if exact is True:
        return 10
    if isinstance(exact, bool) or not isinstance(exact, int) or not 0 < exact <= 100:
        raise InputError(f"exact must be True or a number of iterations from 1 to 100, "
                         f"got {exact!r}")
    return exact


def _exact_rows(obj: Objective, start: object, lr: object, steps: int) -> list[tuple]:
    """The first iterates in exact arithmetic: rows (x..., f, g..., |g|)."""
    from ..expr.parse import exact_number
    f, grad = obj.exact_parts()
    names = obj.names
    if isinstance(start, Mapping):
        x = [exact_number(start[k], "start") for k in names]
    elif np.ndim(start) == 0:
        x = [exact_number(_plain(start), "start")] * obj.n
    else:
        x = [exact_number(_plain(v), "start") for v in start]
    gamma = exact_number(_plain(lr), "lr")
    rows = []
    for _ in range(steps + 1):
        at = dict(zip(obj._real, x))
        value = f.xreplace(at)
        g = [d.xreplace(at) for d in grad]
        rows.append((*x, value, *g, sp.sqrt(sum(gi ** 2 for gi in g))))
        x = [xi - gamma * gi for xi, gi in zip(x, g)]
    return rows


def _plain(v: object) -> object:
    return v.item() if isinstance(v, np.generic) else v


def _with_bounds(obj: Objective, rule: StepRule, result: Result) -> Result:
    """Record 2/λmax at each iterate; note in the message where lr was above it."""
    from ..analysis.core import local_bounds
    hist = result.history
    bounds = local_bounds(obj, hist.x)
    hist.extra["lr_bound"] = bounds
    above = np.flatnonzero(rule.lr >= bounds)
    if not above.size:
        return result
    first = int(above[0])
    note = (f" Note: lr = {rule.lr:g} was at or above the local bound 2/λmax at "
            f"{above.size} of {len(hist)} recorded iterates (first at iteration "
            f"{int(hist.iteration[first])}, where the bound is {bounds[first]:.4g}).")
    return dataclasses.replace(result, message=result.message + note)


def _check_limits(max_iter: object, tol: object, ftol: object,
                  patience: object) -> tuple[int, float, float, int]:
    for name, value in (("max_iter", max_iter), ("patience", patience)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InputTypeError(f"{name} must be an integer, got {value!r}")
    if max_iter < 0:
        raise InputError(f"max_iter must be 0 or more, got {max_iter}")
    if patience < 1:
        raise InputError(f"patience must be 1 or more, got {patience}")
    checked = []
    if tol is None:        # never stop on the gradient norm: run max_iter steps
        tol = -math.inf
        checked.append(tol)
    for name, value in (("tol", tol), ("ftol", ftol))[len(checked):]:
        if isinstance(value, (bool, str)) or not isinstance(value, numbers.Real):
            raise InputTypeError(f"{name} must be a number, got {value!r}")
        value = float(value)
        if not value >= 0 or math.isinf(value):
            hint = ", or None to turn the gradient test off" if name == "tol" else ""
            raise InputError(f"{name} must be a finite number >= 0{hint}; got {value!r}")
        checked.append(value)
    return int(max_iter), checked[0], checked[1], int(patience)


# The descent loop, written once. ``{evaluate}`` sets the loss ``_f``, the
# gradient norm ``_gn`` and whatever ``{update}`` needs; ``{row}`` is the
# recorded tuple (x..., f, g..., |g|). The fast path inlines the objective's
# compiled statements on Python floats; the general path calls a step rule.
#
# Rows are recorded at the iterations 0, stride, 2*stride, ... When ``cap``
# (even) rows are held, every second one is dropped and the stride doubles,
# so the rows stay at multiples of the stride and memory stays bounded. The
# caller adds the last row when it is not one of them. ``keep`` false
# records iteration 0 only (its stride is past max_iter).
_LOOP = """
def loop(start, lr, max_iter, tol, ftol, patience, keep, callback, advance, n1, cap):
    {unpack}
    rows = []
    append = rows.append
    stride = 1 if keep else max_iter + 2
    full = cap - 1 if keep else -1
    record = 0
    first = prev = inf
    rises = 0
    it = 0
    status = MAX_ITER
    for it in range(max_iter + 1):
        try:
{evaluate}
            _ok = isfinite(_f + _gn) or isfinite(_f) and isfinite(_gn)
        except MATH_ERRORS:
            return FAILED, it, rows, {point}, rises, stride
        if it == record:
            append({row})
            record += stride
            if it == full:
                del rows[1::2]
                stride += stride
                full = (cap - 1) * stride
        _stop = callback is not None and callback(it, {row})
        if not _ok:
            status = DIVERGED if rises >= 3 else NOT_FINITE
            break
        if _gn <= tol:
            status = CONVERGED
            break
        if not it:
            first = _f
        elif ftol and abs(prev - _f) <= ftol * max(abs(prev), abs(_f), 1.0):
            status = SMALL_CHANGE
            break
        rises = rises + 1 if _f > prev else 0
        if rises >= patience and _f > first:
            status = DIVERGED
            break
        prev = _f
        if _stop:
            status = CALLBACK
            break
        if it == max_iter:
            break
{update}
    return status, it, rows, {row}, rises, stride
"""
_FAILED = -1  # math raised inside the fast path: re-evaluate that point with NumPy
_LOOP_NAMES = {"inf": math.inf, "hypot": math.hypot, "isfinite": math.isfinite,
               "MATH_ERRORS": MATH_ERRORS, "FAILED": _FAILED,
               **{s.name: int(s) for s in Status}}


def _make_loop(namespace: dict[str, Any], catch: tuple = MATH_ERRORS,
               **snippets: str) -> Callable[..., tuple]:
    code = _LOOP.format(**snippets)
    scope = {**namespace, **_LOOP_NAMES, "MATH_ERRORS": catch}
    exec(compile(code, "<symgd descent loop>", "exec"), scope)
    return scope["loop"]


def _indent(lines: Iterable[str], depth: int = 12) -> str:
    return "\n".join(" " * depth + line for line in lines)


# The general path: ``advance(x) -> (f, g1..gn, next x1..xn)`` from a step rule.
# Its evaluation never raises for math reasons (Compiled.at falls back to
# NumPy), so it catches nothing: an error from a step rule reaches the caller.
_general_loop = _make_loop(
    {}, catch=(), unpack="_x = tuple(start)",
    evaluate=_indent(["_out = advance(_x)", "_f = _out[0]", "_gn = hypot(*_out[1:n1])"]),
    row="(*_x, *_out[:n1], _gn)", point="_x", update=_indent(["_x = _out[n1:]"], 8))

_fast_loops: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fast_loop(obj: Objective) -> Callable[..., tuple]:
    """The loop with ``obj``'s value and gradient inlined, built once per objective."""
    loop = _fast_loops.get(obj)
    if loop is None:
        v = [f"_v{i}" for i in range(obj.n)]
        g = [f"_g{i}" for i in range(obj.n)]
        lines, namespace = python_statements(obj._real, (obj._expr, *obj._gradient),
                                             v, ["_f", *g])
        point = "(" + ", ".join(v) + ",)"
        loop = _make_loop(
            namespace, unpack=f"{point} = start",
            evaluate=_indent([*lines, f"_gn = hypot({', '.join(g)})"]),
            row="(" + ", ".join([*v, "_f", *g, "_gn"]) + ",)", point=point,
            update=_indent((f"{vi} = {vi} - lr * {gi}" for vi, gi in zip(v, g)), 8))
        _fast_loops[obj] = loop
    return loop


def _history_cap(n: int) -> int:
    """Recording this many rows (even, at least 4) thins the history: a run
    of up to ``HISTORY_MAX_VALUES // (2n + 2)`` steps keeps every iterate."""
    cap = HISTORY_MAX_VALUES // (2 * n + 2) + 2
    return max(4, cap - cap % 2)


def _loop(obj: Objective, rule: StepRule, x0: np.ndarray, fast: bool,
          callback: Callable[[Iterate], Any] | None, keep: bool,
          max_iter: int, tol: float, ftol: float, patience: int,
          advance: Callable[[tuple], tuple] | None = None) -> Result:
    n = obj.n
    linear = max_iter > 0 and _is_linear(obj)
    loop = _fast_loop(obj) if fast else _general_loop
    if advance is None and not fast:
        advance = _rule_advance(obj, rule, x0)
    status, it, rows, last, rises, stride = loop(
        tuple(x0.tolist()), rule.lr, 0 if linear else max_iter, tol, ftol, patience, keep,
        _callback(callback, n), advance, n + 1, _history_cap(n))
    if status == _FAILED:
        last = _robust_row(obj, last)
        status = Status.DIVERGED if rises >= 3 else Status.NOT_FINITE
    iterations = np.arange(len(rows), dtype=np.int64) * stride
    if not rows or iterations[-1] != it:      # the last iterate is always a row
        rows.append(last)
        iterations = np.append(iterations, it)
    hist = _history(obj.names, rows, iterations)
    status = Status(status)
    if linear and status in (Status.MAX_ITER, Status.CALLBACK) and hist.grad_norm[-1] > 0:
        status = Status.DIVERGED
        message = _linear_message(obj, rule, hist)
    else:
        message = _message(status, obj, rule, hist, it, tol, ftol, patience, max_iter)
    if keep and stride > 1:
        hist.stride = stride
        message += (f" To bound its memory, the history holds only the iterates at "
                    f"multiples of {stride:,} and the last ({len(hist):,} rows); a "
                    f"callback sees every iterate.")
    success = status in (Status.CONVERGED, Status.SMALL_CHANGE)
    return Result(np.array(last[:n], dtype=float), float(last[n]),
                  np.array(last[n + 1:2 * n + 1], dtype=float), it, success, int(status),
                  message, hist, obj.names, rule.lr, None if tol < 0 else tol)


def _robust_row(obj: Objective, point: tuple) -> tuple:
    out = obj.compiled.at(np.array(point, dtype=float))
    return (*map(float, point), *out, math.hypot(*out[1:]))


def _rule_advance(obj: Objective, rule: StepRule,
                  x0: np.ndarray) -> Callable[[tuple], tuple]:
    """``x -> (f, g1..gn, next x1..xn)`` for any step rule."""
    at = obj.compiled.at
    state = rule.init(x0)
    extra = (_Problem(obj),) if _takes_problem(rule.update) else ()

    def advance(point: tuple) -> tuple:
        nonlocal state
        x = np.array(point, dtype=float)
        out = at(x)
        with np.errstate(all="ignore"):
            delta, state = rule.update(np.array(out[1:], dtype=float), state, x, *extra)
            return (*out, *(x - delta).tolist())

    return advance


class _Batches(NamedTuple):
    rows: int
    size: int
    per_epoch: int
    shuffle: bool
    seed: int


def _batches(obj: Objective, batch_size: object, epochs: object, shuffle: bool,
             seed: object) -> _Batches | None:
    if batch_size is None:
        if epochs is not None:
            raise InputError("epochs needs batch_size (mini-batch descent)")
        return None
    from ..data.losses import DataObjective
    if not isinstance(obj, DataObjective):
        raise InputError("mini-batch descent needs a data objective (mse, log_loss, ...)")
    for name, value in (("batch_size", batch_size), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InputTypeError(f"{name} must be an integer, got {value!r}")
    if not 1 <= batch_size <= obj.rows:
        raise InputError(f"batch_size must be between 1 and the {obj.rows} rows, got "
                         f"{batch_size}")
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int)
                               or epochs < 1):
        raise InputError(f"epochs must be a positive integer, got {epochs!r}")
    per_epoch = -(-obj.rows // int(batch_size))
    return _Batches(obj.rows, int(batch_size), per_epoch, bool(shuffle), int(seed))


def _batch_advance(obj: Objective, rule: StepRule, x0: np.ndarray,
                   batches: _Batches) -> Callable[[tuple], tuple]:
    """``x -> (f, g, next x)`` on the next mini-batch; a new order every epoch."""
    evaluator = obj.row_evaluator
    rng = np.random.default_rng(batches.seed)
    state = rule.init(x0)
    order, position = np.arange(batches.rows), batches.rows
    extra = (_Problem(obj),) if _takes_problem(rule.update) else ()

    def advance(point: tuple) -> tuple:
        nonlocal state, order, position
        if position >= batches.rows:
            order = rng.permutation(batches.rows) if batches.shuffle else order
            position = 0
        rows = order[position:position + batches.size]
        position += batches.size
        x = np.array(point, dtype=float)
        out = evaluator.reduced(x, rows)
        with np.errstate(all="ignore"):
            delta, state = rule.update(np.array(out[1:], dtype=float), state, x, *extra)
            return (*out, *(x - delta).tolist())

    return advance


class _Problem:
    """What step rules may ask of the objective, without re-checking points."""

    def __init__(self, obj: Objective) -> None:
        self._at = obj.compiled.at
        self._obj = obj

    @property
    def is_quadratic(self) -> bool:
        """Asked for only by rules that need it: it may build the Hessian."""
        return self._obj.is_quadratic

    def value(self, x: np.ndarray) -> float:
        return self._at(x)[0]

    def hess(self, x: np.ndarray) -> np.ndarray:
        return self._obj.hess(x)


def _takes_problem(update: Callable[..., Any]) -> bool:
    """Whether a rule's update accepts the ``problem`` argument (custom rules
    may be written as ``update(grad, state, x)``)."""
    try:
        params = inspect.signature(update).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 4 or any(p.kind == p.VAR_POSITIONAL for p in params)


def _callback(callback: Callable[[Iterate], Any] | None,
              n: int) -> Callable[[int, tuple], bool] | None:
    if callback is None:
        return None

    def stop(it: int, row: tuple) -> bool:
        info = Iterate(it, np.array(row[:n], dtype=float), float(row[n]),
                       np.array(row[n + 1:2 * n + 1], dtype=float), float(row[-1]))
        try:
            return bool(callback(info))
        except StopIteration:
            return True

    return stop


def _history(names: tuple[str, ...], rows: list, iterations: np.ndarray) -> History:
    n = len(names)
    width = 2 * n + 2
    table = np.fromiter(itertools.chain.from_iterable(rows), dtype=float,
                        count=len(rows) * width).reshape(len(rows), width)
    return History(names, table[:, :n], table[:, n], table[:, n + 1:2 * n + 1],
                   table[:, -1], iterations)


# ---------------------------------------------------------------- messages

def _message(status: Status, obj: Objective, rule: StepRule, hist: History, it: int,
             tol: float, ftol: float, patience: int, max_iter: int) -> str:
    last = hist[-1]
    if status == Status.CONVERGED:
        return (f"Converged: the gradient norm {last.grad_norm:.3g} is within tol = "
                f"{tol:g} after {it} iteration{'s' * (it != 1)}.")
    if status == Status.SMALL_CHANGE:
        return (f"Converged: the loss changed by less than ftol = {ftol:g} (relative) at "
                f"iteration {it}; the gradient norm is {last.grad_norm:.3g}.")
    if status == Status.CALLBACK:
        return f"Stopped by the callback at iteration {it}."
    if status == Status.MAX_ITER:
        if tol < 0:
            return (f"Ran max_iter = {max_iter} iterations (no gradient tolerance); the "
                    f"gradient norm is {last.grad_norm:.3g}.")
        return (f"Stopped after max_iter = {max_iter} iterations without converging: the "
                f"gradient norm is still {last.grad_norm:.3g} (tol = {tol:g}). "
                f"{_slow_advice(obj, rule, hist)}")
    if status == Status.DIVERGED:
        return _diverged(obj, rule, hist, it, patience)
    return _not_finite(obj, hist, it)


# Messages name at most this many coordinates of a point (Result.x has all).
_POINT_TEXT_MAX = 12


def _point_text(names: Sequence[str], x: np.ndarray) -> str:
    shown = [f"{n}={v:.6g}" for n, v in zip(names[:_POINT_TEXT_MAX], x)]
    if len(names) > _POINT_TEXT_MAX:
        shown.append(f"... {len(names) - _POINT_TEXT_MAX} more")
    return "(" + ", ".join(shown) + ")"


def _diverged(obj: Objective, rule: StepRule, hist: History, it: int, patience: int) -> str:
    last = hist[-1]
    at = f"at iteration {it}, x = {_point_text(obj.names, last.x)}"
    if math.isfinite(last.loss) and math.isfinite(last.grad_norm):
        what = (f"the loss rose for {patience} iterations in a row, from "
                f"{hist.loss[0]:.6g} at the start to {last.loss:.6g} {at}")
    elif _divides_by_zero(obj, last.x):
        what = (f"the loss rose and then, {at}, reached a point where the objective is "
                f"undefined (infinite, not just large): a division by zero or a log of 0")
    elif math.isnan(last.loss) or math.isnan(last.grad_norm):
        bad = "the loss" if math.isnan(last.loss) else "the gradient"
        what = (f"the loss rose and then {bad} became nan {at}: the objective or its "
                f"derivative is undefined there")
    else:
        bad = "" if not math.isfinite(last.loss) else " the gradient"
        what = f"the loss grew without bound and{bad} overflowed {at}"
    return f"Diverged: {what}. {_bound_advice(obj, rule, hist)}"


def _bound_advice(obj: Objective, rule: StepRule, hist: History) -> str:
    lr = f"lr = {rule.lr:g}"
    if rule.name != "fixed":
        return (f"{lr} is probably too large for the {rule.name} rule; try a value 10 "
                "times smaller.")
    bound = _local_bound(obj, hist)
    if bound is None:
        return f"{lr} is probably too large; try a value 10 times smaller."
    if bound.quadratic:
        facts = (f"The objective is quadratic with Hessian eigenvalues up to "
                 f"{bound.lambda_max:.6g}, so fixed-step descent converges only for "
                 f"lr < 2/λmax = {bound.bound_text()}; {lr} is "
                 f"{'above' if rule.lr >= bound.bound else 'below'} it.")
        if _negative_curvature(bound):
            tip = (f" Its smallest eigenvalue is {bound.lambda_min:.6g} < 0, so it is "
                   f"unbounded below and has no minimum: no step converges. Try an "
                   f"objective that is bounded below (positive definite).")
        elif bound.best is not None and bound.best < rule.lr:
            tip = f" Try lr = {bound.best_text()} (the fastest fixed step) or smaller."
        elif rule.lr >= bound.bound:
            tip = f" Try lr below {bound.bound_text()}."
        else:
            tip = " Try a smaller lr, or a larger patience if the loss rose only briefly."
        return facts + tip
    return (f"At the start the Hessian's largest eigenvalue is {bound.lambda_max:.6g}, so "
            f"steps stay stable there only for lr < {bound.bound:.3g}; {lr} is too large "
            f"for this objective. Try lr = {bound.bound / 4:.2g} or smaller.")


# How large (in expression-tree nodes, all gradient components together) an
# objective's gradient may be for the stop messages to build its Hessian as
# advice. Beyond it (a power tower x^x^...^x, say) the Hessian can take
# seconds or fail, and the advice is generic instead.
_ADVICE_MAX_NODES = 1000


def _local_bound(obj: Objective, hist: History):
    from ..analysis.core import step_size_bound
    try:
        if not _hessian_is_cheap(obj):
            return None
        bound = step_size_bound(obj, at=hist.x[0])
    except Exception:  # the analysis is advice; a failure must not hide the result
        return None
    return bound if math.isfinite(bound.lambda_max) and bound.lambda_max > 0 else None


def _hessian_is_cheap(obj: Objective) -> bool:
    """Whether the symbolic Hessian is built already or quick to build."""
    known = vars(obj)
    if "_hessian" in known or not obj.inlinable:
        return True       # cached, or a data objective's per-row Hessian
    total = 0
    for g in obj._gradient:
        total += _nodes(g, _ADVICE_MAX_NODES + 1)
        if total > _ADVICE_MAX_NODES:
            return False
    return True


def _slow_advice(obj: Objective, rule: StepRule, hist: History) -> str:
    """Advice for a run stopped by max_iter; cheap, and never raises."""
    generic = "Try more iterations (max_iter), a larger lr, or a looser tol."
    from ..analysis.core import step_size_bound
    try:
        # only a quadratic's bound holds everywhere, and is cheap to compute
        bound = step_size_bound(obj) if _cheaply_quadratic(obj) else None
    except Exception:  # the analysis is advice; a failure must not hide the result
        return generic
    if bound is None or not math.isfinite(bound.lambda_min):
        return generic
    if _negative_curvature(bound):
        return (f"The objective is quadratic with a negative Hessian eigenvalue "
                f"({bound.lambda_min:.6g}), so it is unbounded below and has no minimum: "
                f"more iterations will not help. Try an objective that is bounded below.")
    if rule.name == "fixed" and bound.best is not None and rule.lr < bound.best:
        return (f"Try more iterations (max_iter) or a larger lr: for this quadratic the "
                f"fastest fixed step is lr = {bound.best_text()}.")
    return generic


def _negative_curvature(bound: Any) -> bool:
    """Whether the Hessian has a negative eigenvalue beyond round-off."""
    scale = max(abs(bound.lambda_min), abs(bound.lambda_max))
    return bound.lambda_min < -1e-10 * scale


def _cheaply_quadratic(obj: Objective) -> bool:
    """Whether ``obj`` is quadratic (a constant Hessian), decided without building
    the Hessian: from the cached answer, else by a polynomial degree test."""
    known = vars(obj)
    if "is_quadratic" in known or "_hessian" in known:
        return bool(obj.is_quadratic)
    return obj.degree_bound is not None


def _is_linear(obj: Objective) -> bool:
    """Whether ``obj`` is a polynomial of total degree 1 (decided cheaply): from
    the cached Hessian when there is one, else from the expression."""
    if not obj.inlinable:
        return False
    known = vars(obj)
    if "is_quadratic" in known and not obj.is_quadratic:
        return False
    if "_hessian" in known:      # e.g. a data objective's statistics: no expression
        try:
            return bool(obj.is_quadratic) and not np.any(obj.hess(np.zeros(obj.n)))
        except Exception:  # a cheap test only: when in doubt, run as usual
            return False
    bound = obj.degree_bound
    if bound == 2:
        # a quadratic written so that its squares cancel, as (x + 1)^2 - x^2:
        # SymPy collects the terms of its (already computed) gradient
        variables = set(obj._real)
        return not any(g.free_symbols & variables for g in obj._gradient)
    return bound == 1


def _linear_message(obj: Objective, rule: StepRule, hist: History) -> str:
    start = hist[0]
    names = obj.names
    if rule.plain:
        drop = rule.lr * start.grad_norm ** 2
        how = f"gradient descent lowers it by lr·|∇f|² = {drop:.6g} every step forever"
    else:
        how = f"gradient descent ({rule.name} rule) lowers it every step forever"
    penalty = (f"0.01*{names[0]}^2" if len(names) == 1 else "0.01*(" + " + ".join(
        f"{v}^2" for v in names[:3]) + (" + ...)" if len(names) > 3 else ")"))
    return (f"Diverged at the start point, x = {_point_text(names, start.x)}: the objective "
            f"is linear, so it has no minimum; {how} (its gradient is constant, "
            f"{_point_text([f'df/d{v}' for v in names], start.grad)}, of norm "
            f"{start.grad_norm:.6g}). Try an "
            f"objective that is bounded below, for example with a penalty such as "
            f"{penalty} added.")


def _divides_by_zero(obj: Objective, x: np.ndarray) -> bool:
    """Whether evaluating ``obj`` (value and gradient) at ``x`` divides by zero
    (a pole, or the log of 0) rather than overflowing."""
    compiled = getattr(obj, "compiled", None)
    if not isinstance(compiled, Compiled):
        return False
    coords = [np.array([v], dtype=float) for v in x]
    try:
        with np.errstate(divide="raise", over="ignore", under="ignore", invalid="ignore"):
            compiled.array(*coords)
    except FloatingPointError:
        return True
    except Exception:  # the message is advice; a failure must not hide the result
        return False
    return False


def _not_finite(obj: Objective, hist: History, it: int) -> str:
    last = hist[-1]
    point = _point_text(obj.names, last.x)
    if it and last.loss == -math.inf and not _divides_by_zero(obj, last.x):
        return (f"Stopped: the loss fell without bound and overflowed to -inf at iteration "
                f"{it}, x = {point}: the objective is unbounded below along this path, so "
                f"it has no minimum there. Try an objective that is bounded below (add a "
                f"penalty such as a multiple of the squared variables), or a start point "
                f"in the basin of a minimum.")
    where = "at the start point" if it == 0 else f"at iteration {it}"
    bad = "the loss" if not math.isfinite(last.loss) else "the gradient"
    value = last.loss if not math.isfinite(last.loss) else last.grad_norm
    kind = "nan" if math.isnan(value) else "infinite"
    advice = ("Try a start point inside the objective's domain, where its value and "
              "gradient are finite." if it == 0
              else "Try a smaller lr, or a start point further from the boundary.")
    return (f"Stopped: {bad} is {kind} {where}, x = {point}: "
            f"the objective or its derivative is undefined or overflows there (for "
            f"example log or sqrt of a negative number, a division by zero, or a kink "
            f"such as abs at 0). {advice}")


# ------------------------------------------------------------ many runs

class Batch:
    """The outcome of :func:`descend_many`: one run per start (or learning rate).

    Arrays cover all runs at once; ``batch[i]`` is run ``i`` as a full
    :class:`Result` (its message is written when asked for).

    Attributes
    ----------
    x : ndarray, shape (k, n)
        Each run's last point.
    fun, nit, status, success, lr : ndarray, shape (k,)
    jac : ndarray, shape (k, n)
    starts : ndarray, shape (k, n)
    """

    def __init__(self, obj: Objective, rule: StepRule, starts: np.ndarray, lr: np.ndarray,
                 rows: np.ndarray | None, last: np.ndarray, nit: np.ndarray,
                 status: np.ndarray, limits: tuple) -> None:
        n = obj.n
        self._obj, self._rule, self._rows, self._limits = obj, rule, rows, limits
        self.names = obj.names
        self.starts, self.lr = starts, lr
        self._last = last
        self.x, self.fun = last[:, :n], last[:, n]
        self.jac, self.grad_norm = last[:, n + 1:2 * n + 1], last[:, -1]
        self.nit, self.status = nit, status
        self.success = np.isin(status, (Status.CONVERGED, Status.SMALL_CHANGE))

    def __len__(self) -> int:
        return len(self.fun)

    def __getitem__(self, i: int) -> Result:
        i = range(len(self))[i]
        n, it = self._obj.n, int(self.nit[i])
        if self._rows is not None:
            rows = self._rows[:it + 1, i]
            hist = History(self.names, rows[:, :n], rows[:, n], rows[:, n + 1:2 * n + 1],
                           rows[:, -1])
        else:
            first = self._first[i]
            rows = np.array([first, self._last[i]]) if it else first[None, :]
            hist = History(self.names, rows[:, :n], rows[:, n], rows[:, n + 1:2 * n + 1],
                           rows[:, -1], [0, it][:len(rows)])
        rule = self._rule._replace(lr=float(self.lr[i]))
        max_iter, tol, ftol, patience = self._limits
        status = Status(int(self.status[i]))
        message = _message(status, self._obj, rule, hist, it, tol, ftol, patience, max_iter)
        return Result(self.x[i].copy(), float(self.fun[i]), self.jac[i].copy(), it,
                      bool(self.success[i]), int(status), message, hist, self.names,
                      float(self.lr[i]), None if tol < 0 else tol)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        counts = {Status(s).name: int(c) for s, c in zip(*np.unique(self.status,
                                                                   return_counts=True))}
        return f"Batch({len(self)} runs, {counts})"


def descend_many(objective: object, starts: object, lr: object = 0.1, *,
                 max_iter: int = 1000, tol: float | None = 1e-8, ftol: float = 0.0,
                 step: str = "fixed", history: bool = False, patience: int = 20,
                 **step_options: Any) -> Batch:
    r"""Many descents at once, vectorized: one run per start point or learning rate.

    The compiled functions are evaluated on arrays holding every active run;
    each run stops on its own (converged, diverged, ...) by the same tests as
    :func:`descend`, with the same iterates up to round-off (which, as for any
    two implementations, can grow along chaotic runs near the stability
    limit).

    Parameters
    ----------
    objective : Objective or anything it accepts
    starts : array of shape (k, n), or one point
        The start points. One point with ``k`` learning rates runs them all
        from that point.
    lr : float or array of shape (k,)
        One learning rate for all runs, or one per run.
    step : {"fixed", "momentum", "nesterov", "adam"}
        An element-wise step rule (the line searches and Newton need one
        run at a time: use :func:`descend`).
    history : bool
        Keep every iterate of every run (memory: k × max_iter × (2n + 2)
        floats). By default only the first and last rows of each run.
    max_iter, tol, ftol, patience, **step_options
        As in :func:`descend`.

    Examples
    --------
    >>> batch = descend_many("x^2 + x*y + y^2", [[1, 1], [-2, 0.5], [3, -1]], lr=0.1)
    >>> batch.success.tolist(), bool(np.abs(batch.x).max() < 1e-7)
    ([True, True, True], True)
    >>> lrs = descend_many("x^2 + x*y + y^2", [1, 1], lr=[0.1, 0.6, 0.7])
    >>> [Status(s).name for s in lrs.status]
    ['CONVERGED', 'CONVERGED', 'DIVERGED']
    """
    obj = as_objective(objective)
    if step not in ELEMENTWISE_RULES:
        raise InputError(f"descend_many steps many runs together, which needs an "
                         f"element-wise rule ({', '.join(sorted(ELEMENTWISE_RULES))}); for "
                         f"{step!r} call descend() once per start")
    if not isinstance(obj.compiled, Compiled):
        raise InputError("descend_many needs an objective with closed-form derivatives; "
                         "this data objective is evaluated row by row: call descend() per start")
    X0, rates = _many_starts(obj, starts, lr)
    rule = get_rule(step, 1.0, **step_options)       # steps are linear in lr: scaled below
    limits = _check_limits(max_iter, tol, ftol, patience)
    return _many_loop(obj, rule, X0, rates, history, limits)


def _many_starts(obj: Objective, starts: object, lr: object) -> tuple[np.ndarray, np.ndarray]:
    try:
        X0 = np.array(starts, dtype=float)
        rates = np.array(lr, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError("starts and lr must be numbers or arrays of numbers") from None
    if X0.ndim == 1 and X0.shape == (obj.n,) or X0.ndim == 0:
        X0 = np.broadcast_to(obj.point(X0, "start"), (max(rates.size, 1), obj.n)).copy()
    if X0.ndim != 2 or X0.shape[1] != obj.n:
        raise InputError(f"starts must have shape (runs, {obj.n}) for the variables "
                         f"{', '.join(obj.names)}; got shape {X0.shape}")
    if not np.isfinite(X0).all():
        raise InputError("every start point must be finite")
    if rates.ndim == 0 or rates.shape == (1,):
        rates = np.full(len(X0), float(rates.reshape(-1)[0]))
    if rates.shape != (len(X0),):
        raise InputError(f"lr must be one number or one per run ({len(X0)}), got shape "
                         f"{rates.shape}")
    if not (np.isfinite(rates).all() and (rates > 0).all()):
        raise InputError("every lr must be a positive finite number")
    return X0, rates


def _many_loop(obj: Objective, rule: StepRule, X0: np.ndarray, rates: np.ndarray,
               keep: bool, limits: tuple) -> Batch:
    """The lockstep loop: the same tests as descend's loop, on arrays of runs.

    While every run is active whole arrays are used; once some have
    stopped, only the active ones are evaluated and moved.
    """
    max_iter, tol, ftol, patience = limits
    k, n = X0.shape
    evaluate = obj.compiled.at_array
    X = X0.copy()
    state = rule.init(X)
    active = np.ones(k, dtype=bool)
    status = np.full(k, int(Status.MAX_ITER))
    nit = np.zeros(k, dtype=int)
    rises = np.zeros(k, dtype=int)
    prev = np.full(k, np.inf)
    first_loss = np.full(k, np.nan)
    last = np.full((k, 2 * n + 2), np.nan)
    rows = [] if keep else None
    first_rows = None
    scaled = rates[:, None]
    for it in range(max_iter + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        every = idx.size == k
        sel = slice(None) if every else idx
        Xa = X[sel]
        out = evaluate([Xa[:, j] for j in range(n)])
        f, G = out[0], np.stack(out[1:], axis=1)
        gn = np.hypot.reduce(G, axis=1)     # as math.hypot in descend's loop

        def rows_of(mask: Any = slice(None)) -> np.ndarray:
            return np.concatenate([Xa[mask], f[mask, None], G[mask], gn[mask, None]], axis=1)

        if it == 0:
            first_rows, first_loss[:] = rows_of(), f
        if keep:
            current = np.full((k, 2 * n + 2), np.nan) if rows else rows_of()
            if rows:
                current[:] = rows[-1]
                current[sel] = rows_of()
            rows.append(current)
        finite = np.isfinite(f) & np.isfinite(gn)
        r = rises[sel]
        done = _settle(status, idx, ~finite, np.where(r >= 3, Status.DIVERGED,
                                                       Status.NOT_FINITE))
        done |= _settle(status, idx, finite & (gn <= tol), Status.CONVERGED)
        if it and ftol:
            p = prev[sel]
            small = np.abs(p - f) <= ftol * np.maximum(np.maximum(np.abs(p), np.abs(f)), 1.0)
            done |= _settle(status, idx, ~done & small, Status.SMALL_CHANGE)
        r = np.where(f > prev[sel], r + 1, 0)
        rises[sel] = r
        done |= _settle(status, idx, ~done & (r >= patience) & (f > first_loss[sel]),
                        Status.DIVERGED)
        prev[sel] = f
        if it == max_iter:
            last[idx] = rows_of()
            break
        if done.any():
            last[idx[done]] = rows_of(done)
            active[idx[done]] = False
        moving = idx[~done]
        nit[moving] = it + 1
        grad = np.zeros_like(X)
        grad[moving] = G[~done]
        with np.errstate(all="ignore"):
            delta, state = rule.update(grad, state, X, obj)
            X[moving] -= scaled[moving] * delta[moving]
    table = np.stack(rows) if keep else None
    batch = Batch(obj, rule, X0, rates, table, last, nit, status, limits)
    batch._first = first_rows
    return batch


def _settle(status: np.ndarray, idx: np.ndarray, mask: np.ndarray, code: Any) -> np.ndarray:
    """Give the runs ``idx[mask]`` their final status; return ``mask``."""
    if mask.any():
        status[idx[mask]] = np.broadcast_to(np.asarray(code, dtype=int), idx.shape)[mask]
    return mask
