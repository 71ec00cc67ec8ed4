"""The descent loop, its stopping rules, and what it returns.

:func:`descend` is the only loop in symgd. Not converging is a result, not
an exception: divergence, non-finite values and the iteration cap end the
run with ``success=False`` and a message that says what happened and what
to try.
"""

from __future__ import annotations

import enum
import itertools
import math
import numbers
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from .compile import MATH_ERRORS, python_statements
from .exceptions import InputError, InputTypeError
from .objective import Objective, as_objective
from .steps import StepRule, get_rule

__all__ = ["descend", "Result", "History", "Iterate", "Status", "FAST_PATH_MAX_VARIABLES"]

# Up to this many variables the loop runs on Python floats (see compile.py).
FAST_PATH_MAX_VARIABLES = 32


class Status(enum.IntEnum):
    """Why a run stopped. ``Result.status`` holds one of these."""

    CONVERGED = 0   #: the gradient norm fell to ``tol``
    MAX_ITER = 1    #: ``max_iter`` steps were taken
    SMALL_CHANGE = 2  #: the loss changed by at most ``ftol`` (relative)
    DIVERGED = 3    #: the loss kept growing
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

    Row 0 is the start. A run of ``nit`` steps has ``nit + 1`` rows.

    Attributes
    ----------
    names : tuple of str
        The variables' names.
    x, grad : ndarray, shape (rows, n)
    loss, grad_norm : ndarray, shape (rows,)

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
                *(f"df/d{v}" for v in self.names), "grad_norm")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        table = np.column_stack([self.iteration, self.x, self.loss, self.grad,
                                 self.grad_norm]).astype(float)
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
              gradient: bool = False) -> str:
        """The history as a table; see :func:`symgd.reporting.format_table`."""
        from .reporting import format_table
        return format_table(self.history, every=every, digits=digits, fmt=fmt,
                            gradient=gradient)


def _json_number(v: float) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def descend(objective: object, start: object, lr: float = 0.1, *, max_iter: int = 1000,
            tol: float | None = 1e-8, ftol: float = 0.0, step: str | StepRule = "fixed",
            callback: Callable[[Iterate], Any] | None = None, history: bool = True,
            patience: int = 20, variables: Iterable[str] | None = None,
            constants: Mapping[str, object] | None = None) -> Result:
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
        The step rule, by name (see :data:`symgd.steps.RULES`).
    callback : callable, optional
        Called with an :class:`Iterate` for every iterate, the last included;
        returning a true value (or raising ``StopIteration``) stops the run
        after that iterate (status ``CALLBACK``, unless it stopped there for
        another reason). Exceptions it raises reach the caller.
    history : bool
        Keep every iterate (True) or only the last (False, for long runs).
    patience : int
        The run is declared diverging when the loss has risen this many
        iterations in a row and is above its starting value.
    variables, constants
        Passed to :class:`Objective` when ``objective`` is not one already.

    Returns
    -------
    Result
        Never raises for a run that fails to converge; check ``success``.

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
    """
    obj = as_objective(objective, variables, constants)
    x0 = obj.point(start, "start")
    rule = get_rule(step, lr)
    limits = _check_limits(max_iter, tol, ftol, patience)
    fast = rule.name == "fixed" and obj.n <= FAST_PATH_MAX_VARIABLES and obj.inlinable
    return _loop(obj, rule, x0, fast, callback, history, *limits)


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
_LOOP = """
def loop(start, lr, max_iter, tol, ftol, patience, keep, callback, advance, n1):
    {unpack}
    rows = []
    append = rows.append
    first = prev = inf
    rises = 0
    it = 0
    status = MAX_ITER
    for it in range(max_iter + 1):
        try:
{evaluate}
            _ok = isfinite(_f + _gn) or isfinite(_f) and isfinite(_gn)
        except MATH_ERRORS:
            return FAILED, it, rows, {point}, rises
        if keep or not it:
            append({row})
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
    return status, it, rows, {row}, rises
"""
_FAILED = -1  # math raised inside the fast path: re-evaluate that point with NumPy
_LOOP_NAMES = {"inf": math.inf, "hypot": math.hypot, "isfinite": math.isfinite,
               "MATH_ERRORS": MATH_ERRORS, "FAILED": _FAILED,
               **{s.name: int(s) for s in Status}}


def _make_loop(namespace: dict[str, Any], **snippets: str) -> Callable[..., tuple]:
    code = _LOOP.format(**snippets)
    scope = {**namespace, **_LOOP_NAMES}
    exec(compile(code, "<symgd descent loop>", "exec"), scope)
    return scope["loop"]


def _indent(lines: Iterable[str], depth: int = 12) -> str:
    return "\n".join(" " * depth + line for line in lines)


# The general path: ``advance(x) -> (f, g1..gn, next x1..xn)`` from a step rule.
_general_loop = _make_loop(
    {}, unpack="_x = tuple(start)",
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


def _loop(obj: Objective, rule: StepRule, x0: np.ndarray, fast: bool,
          callback: Callable[[Iterate], Any] | None, keep: bool,
          max_iter: int, tol: float, ftol: float, patience: int) -> Result:
    n = obj.n
    loop = _fast_loop(obj) if fast else _general_loop
    advance = None if fast else _rule_advance(obj, rule, x0)
    status, it, rows, last, rises = loop(
        tuple(x0.tolist()), rule.lr, max_iter, tol, ftol, patience, keep,
        _callback(callback, n), advance, n + 1)
    if status == _FAILED:
        last = _robust_row(obj, last)
        status = Status.DIVERGED if rises >= 3 else Status.NOT_FINITE
        if keep or not rows:
            rows.append(last)
    if not keep and it and len(rows) == 1:
        rows.append(last)
    hist = _history(obj.names, rows, keep, it)
    status = Status(status)
    message = _message(status, obj, rule, hist, it, tol, ftol, patience, max_iter)
    success = status in (Status.CONVERGED, Status.SMALL_CHANGE)
    return Result(np.array(last[:n], dtype=float), float(last[n]),
                  np.array(last[n + 1:2 * n + 1], dtype=float), it, success, int(status),
                  message, hist, obj.names)


def _robust_row(obj: Objective, point: tuple) -> tuple:
    out = obj.compiled.at(np.array(point, dtype=float))
    return (*map(float, point), *out, math.hypot(*out[1:]))


def _rule_advance(obj: Objective, rule: StepRule,
                  x0: np.ndarray) -> Callable[[tuple], tuple]:
    """``x -> (f, g1..gn, next x1..xn)`` for any step rule."""
    at = obj.compiled.at
    state = rule.init(x0)

    def advance(point: tuple) -> tuple:
        nonlocal state
        x = np.array(point, dtype=float)
        out = at(x)
        with np.errstate(all="ignore"):
            delta, state = rule.update(np.array(out[1:], dtype=float), state, x)
            return (*out, *(x - delta).tolist())

    return advance


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


def _history(names: tuple[str, ...], rows: list, keep: bool, it: int) -> History:
    n = len(names)
    width = 2 * n + 2
    table = np.fromiter(itertools.chain.from_iterable(rows), dtype=float,
                        count=len(rows) * width).reshape(len(rows), width)
    iterations = None if keep else [0, it][:len(rows)]
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


def _point_text(names: Sequence[str], x: np.ndarray) -> str:
    return "(" + ", ".join(f"{n}={v:.6g}" for n, v in zip(names, x)) + ")"


def _diverged(obj: Objective, rule: StepRule, hist: History, it: int, patience: int) -> str:
    last = hist[-1]
    if math.isfinite(last.loss):
        what = (f"the loss rose for {patience} iterations in a row, from "
                f"{hist.loss[0]:.6g} at the start to {last.loss:.6g} at iteration {it}")
    else:
        what = f"the loss grew without bound and overflowed at iteration {it}"
    return f"Diverged: {what}. {_bound_advice(obj, rule, hist)}"


def _bound_advice(obj: Objective, rule: StepRule, hist: History) -> str:
    bound = _local_bound(obj, hist)
    lr = f"lr = {rule.lr:g}"
    if bound is None:
        return f"{lr} is probably too large; try a value 10 times smaller."
    if bound.quadratic:
        tip = f" Try lr = {bound.best_text()} (the fastest fixed step) or smaller." \
            if bound.best is not None and bound.best < rule.lr else ""
        return (f"The objective is quadratic with Hessian eigenvalues up to "
                f"{bound.lambda_max:.6g}, so fixed-step descent converges only for "
                f"lr < 2/λmax = {bound.bound_text()}; {lr} is "
                f"{'above' if rule.lr >= bound.bound else 'below'} it.{tip}")
    return (f"At the start the Hessian's largest eigenvalue is {bound.lambda_max:.6g}, so "
            f"steps stay stable there only for lr < {bound.bound:.3g}; {lr} is too large "
            f"for this objective. Try lr = {bound.bound / 4:.2g} or smaller.")


def _local_bound(obj: Objective, hist: History):
    from .analysis import step_size_bound
    try:
        bound = step_size_bound(obj, at=hist.x[0])
    except Exception:  # the analysis is advice; a failure must not hide the result
        return None
    return bound if math.isfinite(bound.lambda_max) and bound.lambda_max > 0 else None


def _slow_advice(obj: Objective, rule: StepRule, hist: History) -> str:
    bound = _local_bound(obj, hist) if obj.is_quadratic else None
    if bound is not None and bound.best is not None and rule.lr < bound.best:
        return (f"Try more iterations (max_iter) or a larger lr: for this quadratic the "
                f"fastest fixed step is lr = {bound.best_text()}.")
    return "Try more iterations (max_iter), a larger lr, or a looser tol."


def _not_finite(obj: Objective, hist: History, it: int) -> str:
    last = hist[-1]
    where = "at the start point" if it == 0 else f"at iteration {it}"
    bad = "the loss" if not math.isfinite(last.loss) else "the gradient"
    value = last.loss if not math.isfinite(last.loss) else last.grad_norm
    kind = "nan" if math.isnan(value) else "infinite"
    advice = ("Start inside the objective's domain." if it == 0
              else "Try a smaller lr, or a start point further from the boundary.")
    return (f"Stopped: {bad} is {kind} {where}, x = {_point_text(obj.names, last.x)}: "
            f"the objective or its derivative is undefined or overflows there (for "
            f"example log or sqrt of a negative number, a division by zero, or a kink "
            f"such as abs at 0). {advice}")
