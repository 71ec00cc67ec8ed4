"""The descent loop: :func:`descend` checks its input, picks a loop and
turns what the loop recorded into a :class:`~symgd.descent.result.Result`.

Not converging is a result, not an exception: divergence, non-finite values
and the iteration cap end the run with ``success=False`` and a message that
says what happened and what to try (:mod:`symgd.descent.stopping`).

A plain fixed step on a small objective runs the loop generated with the
objective inlined (:mod:`symgd.descent.codegen`); every other step rule, and
mini-batch descent over data rows, runs the general loop with an
``advance`` function defined here.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from typing import Any, Callable, Iterable, Mapping, NamedTuple

import numpy as np
import sympy as sp

from .._progress import Progress, progress_line
from .._options import function, integer, seed as check_seed
from ..errors import InputError, InputTypeError, ResourceError
from ..expr.parse import exact_number
from ..objective.core import Objective, as_objective
from ..objective.points import keyed_by_name
from .advice import linear_message
from .codegen import fast_loop, general_loop, history_cap
from .result import History, Iterate, Result, Status, history_from_rows
from .steps import StepRule, get_rule
from .stopping import Batches, Limits, Stop, check_limits, diagnose, message

__all__ = ["descend", "run", "Counts", "FAST_PATH_MAX_VARIABLES", "MAX_EXACT_DIGITS",
           "MAX_EXACT_OPERATIONS"]

# Up to this many variables the fixed step runs the generated loop on Python
# floats (see codegen.py).
FAST_PATH_MAX_VARIABLES = 32

# Exact rows stop before the first row with a fraction whose numerator or
# denominator has more than this many digits: fixed-step iterates of a
# polynomial of degree d grow about (d - 1)-fold in length each step, and
# arithmetic on them soon takes longer than any lesson is worth.
MAX_EXACT_DIGITS = 1000
# Likewise before an exact value that is not a rational (the iterates of
# exp(x) nest exponentials, about doubling in size each step) with more
# operations than this (sympy.count_ops).
MAX_EXACT_OPERATIONS = 200
# Gradient norms of squared norms below this are simplified by SymPy
# (sqrt(8) is 2*sqrt(2)); above it factoring would be slow, so they stay
# sqrt(p/q), still exact.
_SMALL_NORM = 10 ** 15


def descend(objective: object, start: object, lr: float = 0.1, *, max_iter: int = 1000,
            tol: float | None = 1e-8, ftol: float = 0.0, step: str | StepRule = "fixed",
            callback: Callable[[Iterate], Any] | None = None, history: bool = True,
            patience: int = 20, record_bound: bool = False, exact: bool | int = False,
            batch_size: int | None = None, epochs: int | None = None, shuffle: bool = True,
            seed: int = 0, progress: bool | str = False, backend: str = "auto",
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
        ``adam``, ``adagrad``, ``rmsprop``, ``backtracking``, ``exact``
        (quadratics) or ``newton``
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
        correctly. The float run is unchanged. The exact rows stop early,
        and the message says where, when a row would hold a fraction with
        more than ``MAX_EXACT_DIGITS`` (1000) digits in its numerator or
        denominator, or a value that is not a rational with more than
        ``MAX_EXACT_OPERATIONS`` (200) operations.
    progress : bool or "auto"
        Show a progress line on standard error (iterations, iterations per
        second, the loss, an upper bound on the time left) once the run has
        taken a second; ``"auto"`` shows it only when standard error is a
        terminal. Never part of the result.
    backend : {"auto", "numpy", "numba"}
        What runs the loop (see :mod:`symgd.fast.choice`): ``"numpy"`` the
        default path; ``"numba"`` the loop compiled with numba (``pip
        install "symgd[fast]"``), for the fixed step with a constant rate on
        an objective with closed-form derivatives (``math`` functions),
        without a callback or a progress line; ``"auto"`` (the default)
        uses numba when it is installed, the run is one it can do, and the
        objective's loop is compiled already, or ``max_iter`` is at least
        1,000,000 and the run is still going after a pilot of 100,000 steps
        on the default path (a run that stops sooner is the pilot's result).
        Both give the same iterates, statuses and messages to round-off;
        ``result.backend`` says which ran, ``result.compile_time`` how long
        compiling took.
    record_bound : bool
        Add the local step bound 2/λmax of the Hessian at every iterate as
        the history column ``lr_bound`` (``inf`` where the Hessian has no
        positive eigenvalue), and say in the message if the learning rate
        was above it. Costs one Hessian per iterate; the Hessians are
        computed ``HESSIAN_CHUNK_VALUES // n²`` rows at a time
        (:func:`~symgd.analysis.bounds.local_bounds`) and only one number a
        row is kept, so the history stays within its bound of about
        ``HISTORY_MAX_VALUES`` numbers. Running out of memory here (or in
        the loop) raises :class:`~symgd.errors.ResourceError`.
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
    unbounded below are not detected in advance: they stop with status
    ``UNBOUNDED`` when the loss falls below -1e100 or, after falling, to
    -inf (``NOT_FINITE`` when one step jumps there).

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
    limits = check_limits(max_iter, tol, ftol, patience)
    fast = rule.plain and obj.n <= FAST_PATH_MAX_VARIABLES and obj.inlinable \
        and batches is None
    steps = _exact_steps(exact, rule)
    counts = Counts()
    advance = None if batches is None else _batch_advance(obj, rule, x0, batches, counts)
    counted = None if batches is None else Batches(batches.size, batches.per_epoch, epochs)
    line = progress_line("descend", limits.max_iter, show=progress, bound=True)
    chosen = _backend(backend, obj, rule, limits, batches is not None, callback, line)
    try:
        result = run(obj, rule, x0, limits, fast=fast, callback=callback, keep=history,
                     advance=advance, batches=counted, counts=counts, progress=line,
                     backend=chosen)
    except MemoryError:
        raise ResourceError(f"descend ran out of memory on a run of {obj.n} variables: "
                            f"pass history=False or a smaller max_iter") from None
    finally:
        if line is not None:
            line.close()
    if batches is not None:
        result.history.extra["epoch"] = result.history.iteration // batches.per_epoch
    if steps:
        wanted = min(steps, result.nit)
        result.history.exact, why = _exact_rows(obj, start, lr, wanted)
        if why:
            result = dataclasses.replace(result, message=result.message + _exact_note(
                len(result.history.exact), why))
    if not record_bound:
        return result
    try:
        return _with_bounds(obj, rule, result)
    except MemoryError:
        raise ResourceError(f"descend ran out of memory recording the local bound 2/λmax "
                            f"at {len(result.history):,} iterates of {obj.n} variables: "
                            f"pass record_bound=False or a smaller max_iter") from None


def _backend(backend: object, obj: Objective, rule: StepRule, limits: Limits,
             batches: bool, callback: object, line: Progress | None) -> str:
    """``"numpy"`` or ``"numba"``, as :func:`symgd.fast.choice.pick` chooses for this
    run, or ``"auto"`` where ``"auto"`` chose numba."""
    from ..fast import choice as fast    # no numba import: that waits for a compile
    if fast.check_backend(backend) == "numpy":
        return "numpy"
    unsupported = fast.unsupported(rule, line, limits.max_iter)
    if batches:
        unsupported.append("mini-batch descent")
    if not obj.inlinable:
        unsupported.append("an objective without closed-form derivatives in its variables "
                           "(a data loss evaluated by rows, or a Python function)")
    elif obj.n > FAST_PATH_MAX_VARIABLES:
        unsupported.append(f"more than {FAST_PATH_MAX_VARIABLES} variables")
    if callback is not None:
        unsupported.append("a callback")
    # "auto" when auto chose numba: the default path runs should the objective not compile
    chosen = fast.pick(backend, obj, "loop", unsupported, limits.max_iter,
                       fast.AUTO_MIN_ITER)
    return "auto" if chosen == "numba" and backend == "auto" else chosen


def run(obj: Objective, rule: StepRule, x0: np.ndarray, limits: Limits, *, fast: bool,
        callback: Callable[[Iterate], Any] | None = None, keep: bool = True,
        advance: Callable[[tuple], tuple] | None = None,
        batches: Batches | None = None, counts: Counts | None = None,
        progress: Progress | None = None, backend: str = "numpy") -> Result:
    """One run of the loop from ``x0``: the generated loop with ``obj`` inlined
    when ``fast`` (the fixed step only), else the general loop with
    ``advance(x) -> (f, g1..gn, next x1..xn)`` (by default, ``rule``'s step).
    ``batches`` says how a mini-batch run counts its steps, for the message;
    ``counts`` holds the evaluations ``advance`` made beyond one value and
    gradient per iterate (a line search's trial values, Hessians);
    ``progress`` is told of the iterates now and then (``Progress.tick``).
    ``backend`` is ``"numpy"`` (the Python loops), ``"numba"`` (the compiled
    fixed-step loop of :mod:`symgd.fast.loops`, for ``fast`` runs without
    a callback or progress; an :class:`~symgd.errors.InputError` should the
    objective not compile) or ``"auto"`` (the compiled loop, or the Python
    one should the objective not compile: the same results).

    :func:`descend` calls this after checking its input; ``limits`` come
    from :func:`~symgd.descent.stopping.check_limits`.

    >>> from symgd.descent.steps import get_rule
    >>> obj = Objective("x^2 + y^2")
    >>> res = run(obj, get_rule("fixed", 0.1), np.array([1.0, 1.0]),
    ...           check_limits(1000, 1e-8, 0, 20), fast=True)
    >>> res.status == Status.CONVERGED, res.nit
    (True, 88)
    """
    n = obj.n
    counts = Counts() if counts is None else counts
    linear = limits.max_iter > 0 and obj.is_linear
    max_iter = 0 if linear else limits.max_iter
    out, seconds = None, 0.0
    if backend == "auto" and max_iter <= _pilot_steps(obj):     # a linear objective
        backend = "numpy"
    if fast and backend == "auto":
        # a pilot on the default path: a run that stops within it is the run
        out = fast_loop(obj)(tuple(x0.tolist()), rule.lr, _pilot_steps(obj), limits.tol,
                             limits.ftol, limits.patience, keep, None, None, obj.evaluator.at,
                             n + 1, history_cap(n))
        if out[0] == Status.MAX_ITER:       # still going: worth compiling
            out = None
    compiled = None
    if fast and out is None and backend != "numpy":
        compiled = _compiled_run(obj, rule, x0, limits, linear, keep, backend)
    if compiled is not None:
        *out, seconds = compiled
        backend = "numba"
    elif out is None:
        loop = fast_loop(obj) if fast else general_loop
        if advance is None and not fast:
            advance = _rule_advance(obj, rule, x0, counts)
        out = loop(tuple(x0.tolist()), rule.lr, max_iter, limits.tol, limits.ftol,
                   limits.patience, keep, _callback(callback, n), advance, obj.evaluator.at,
                   n + 1, history_cap(n), None if progress is None else progress.tick)
    if compiled is None:
        backend = "numpy"
    status, it, rows, last, stride = out
    hist = _history(obj.names, rows, last, it, stride if keep else 1)
    status = Status(status)
    if linear and status in (Status.MAX_ITER, Status.CALLBACK) and hist.grad_norm[-1] > 0:
        status = Status.DIVERGED
        text = linear_message(obj.names, rule, hist[0])
    else:
        stop = Stop(obj, rule, hist, it, limits, batches)
        status = diagnose(status, stop)
        text = message(status, stop)
    if keep and hist.stride > 1:
        text += (f" To bound its memory, the history holds only the iterates at "
                 f"multiples of {hist.stride:,} and the last ({len(hist):,} rows); a "
                 f"callback sees every iterate.")
    # tol=None asks for exactly max_iter steps: taking them all is a success
    success = status in (Status.CONVERGED, Status.SMALL_CHANGE) \
        or (status == Status.MAX_ITER and limits.tol < 0)
    # both loops evaluate value and gradient once at each iterate 0..it
    return Result(np.array(last[:n], dtype=float), float(last[n]),
                  np.array(last[n + 1:2 * n + 1], dtype=float), it, success, int(status),
                  text, hist, obj.names, rule.lr, limits.reported_tol, rule.name,
                  nfev=it + 1 + counts.nfev, njev=it + 1, nhev=counts.nhev,
                  backend=backend, compile_time=seconds)


def _pilot_steps(obj: Objective) -> int:
    """Steps ``backend="auto"`` takes on the default path before it compiles a
    loop not compiled yet (none once it is)."""
    from ..fast import choice, loops
    return 0 if loops.is_compiled(obj, "loop") else choice.AUTO_PILOT_STEPS


def _compiled_run(obj: Objective, rule: StepRule, x0: np.ndarray, limits: Limits,
                  linear: bool, keep: bool, backend: str) -> tuple | None:
    """The compiled loop's ``(status, it, rows, last, stride, compile
    seconds)``, or None to run the Python loop (``backend`` "numpy", or an
    objective that does not compile when the choice was not explicit)."""
    if backend == "numpy":
        return None
    from ..fast import loops
    try:
        return loops.run_loop(obj, x0, rule.lr, 0 if linear else limits.max_iter, limits.tol,
                              limits.ftol, limits.patience, keep, history_cap(obj.n))
    except loops.Unsupported as why:
        if backend == "auto":
            return None
        raise InputError(f"backend='numba' cannot run this descent: {why}; use "
                         f"backend='auto' or backend='numpy'") from None


def _history(names: tuple[str, ...], rows: list | np.ndarray, last: tuple, it: int,
             stride: int) -> History:
    """The recorded rows (tuples, or an array's rows), at multiples of
    ``stride``, and always the last iterate."""
    iterations = np.arange(len(rows), dtype=np.int64) * stride
    if isinstance(rows, np.ndarray):
        if not len(rows) or iterations[-1] != it:
            rows = np.vstack([rows, np.array(last)[None, :]])
            iterations = np.append(iterations, it)
        n = len(names)
        hist = History(names, rows[:, :n], rows[:, n], rows[:, n + 1:2 * n + 1], rows[:, -1],
                       iterations)
        hist.stride = stride
        return hist
    if not rows or iterations[-1] != it:
        rows.append(last)
        iterations = np.append(iterations, it)
    hist = history_from_rows(names, rows, iterations)
    hist.stride = stride
    return hist


def _callback(callback: Callable[[Iterate], Any] | None,
              n: int) -> Callable[[int, tuple], bool] | None:
    """The user's callback as the loop calls it: ``(it, row) -> stop?``."""
    if function(callback, "callback") is None:
        return None

    def stop(it: int, row: tuple) -> bool:
        info = Iterate(it, np.array(row[:n], dtype=float), float(row[n]),
                       np.array(row[n + 1:2 * n + 1], dtype=float), float(row[-1]))
        try:
            return bool(callback(info))
        except StopIteration:
            return True

    return stop


# ---------------------------------------------------------------- steps

class Counts:
    """Evaluations a run made besides one value and gradient per iterate."""

    def __init__(self) -> None:
        self.nfev = 0
        self.nhev = 0


def _rule_advance(obj: Objective, rule: StepRule, x0: np.ndarray,
                  counts: Counts) -> Callable[[tuple], tuple]:
    """``x -> (f, g1..gn, next x1..xn)`` for any step rule."""
    at = obj.evaluator.at
    state = rule.init(x0)
    extra = (_Problem(obj, counts),) if _takes_problem(rule.update) else ()

    def advance(point: tuple) -> tuple:
        nonlocal state
        x = np.array(point, dtype=float)
        out = at(x)
        with np.errstate(all="ignore"):
            delta, state = rule.update(np.array(out[1:], dtype=float), state, x, *extra)
            return (*out, *(x - delta).tolist())

    return advance


class _Problem:
    """What step rules may ask of the objective, without re-checking points."""

    def __init__(self, obj: Objective, counts: Counts) -> None:
        self._at = obj.value_evaluator.at       # the value alone: no gradient
        self._obj = obj
        self._counts = counts

    @property
    def is_quadratic(self) -> bool:
        """Asked for only by rules that need it: it may build the Hessian."""
        return self._obj.is_quadratic

    def value(self, x: np.ndarray) -> float:
        self._counts.nfev += 1
        return self._at(x)[0]

    def hess(self, x: np.ndarray) -> np.ndarray:
        self._counts.nhev += 1
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


# ---------------------------------------------------------------- mini-batches

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
    if obj.rows is None:
        raise InputError("mini-batch descent needs a data objective (mse, log_loss, ...)")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise InputTypeError(f"batch_size must be an integer, got {batch_size!r:.40}")
    seed = check_seed(seed)
    if not 1 <= batch_size <= obj.rows:
        raise InputError(f"batch_size must be between 1 and the {obj.rows} rows, got "
                         f"{batch_size}")
    if epochs is not None:
        epochs = integer(epochs, "epochs", low=1)
    per_epoch = -(-obj.rows // int(batch_size))
    return _Batches(obj.rows, int(batch_size), per_epoch, bool(shuffle), int(seed))


def _batch_advance(obj: Objective, rule: StepRule, x0: np.ndarray,
                   batches: _Batches, counts: Counts) -> Callable[[tuple], tuple]:
    """``x -> (f, g, next x)`` on the next mini-batch; a new order every epoch."""
    evaluator = obj.row_evaluator
    rng = np.random.default_rng(batches.seed)
    state = rule.init(x0)
    order, position = np.arange(batches.rows), batches.rows
    extra = (_Problem(obj, counts),) if _takes_problem(rule.update) else ()

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


# ---------------------------------------------------------------- options

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


def _exact_rows(obj: Objective, start: object, lr: object,
                steps: int) -> tuple[list[tuple], str]:
    """The first iterates in exact arithmetic: rows (x..., f, g..., |g|), up to
    the first row with a value too long (see :func:`_too_long`), and what
    stopped them there ("" when nothing did)."""
    f, grad = obj.exact_parts()
    names = obj.names
    if isinstance(start, Mapping):
        given = keyed_by_name(start, "start")
        x = [exact_number(given[k], "start") for k in names]
    elif np.ndim(start) == 0:
        x = [exact_number(_plain(start), "start")] * obj.n
    else:
        x = [exact_number(_plain(v), "start") for v in start]
    gamma = exact_number(_plain(lr), "lr")
    rows: list[tuple] = []
    for _ in range(steps + 1):
        why = _too_long(x)
        if why:
            return rows, why
        at = dict(zip(obj.real_symbols, x))
        value = f.xreplace(at)
        g = [d.xreplace(at) for d in grad]
        square = sum(gi ** 2 for gi in g)
        why = _too_long([value, *g]) or _too_long([square], 2 * MAX_EXACT_DIGITS)
        if why:
            return rows, why
        rows.append((*x, value, *g, _exact_norm(square)))
        x = [xi - gamma * gi for xi, gi in zip(x, g)]
    return rows, ""


def _too_long(values: Iterable[Any], digits: int = MAX_EXACT_DIGITS) -> str:
    """What makes a value in ``values`` too long to carry on exactly: a
    numerator or denominator with more than ``digits`` digits (a squared norm
    may have twice as many as the gradient), or an expression with more than
    ``MAX_EXACT_OPERATIONS`` operations; "" when none is."""
    limit = 10 ** digits
    for v in values:
        v = sp.sympify(v)
        if not isinstance(v, sp.Rational) and sp.count_ops(v) > MAX_EXACT_OPERATIONS:
            return f"exact values of more than {MAX_EXACT_OPERATIONS} operations"
        parts = [v] if isinstance(v, sp.Rational) else v.atoms(sp.Rational)
        if any(abs(r.p) >= limit or r.q >= limit for r in parts):
            return f"fractions with more than {MAX_EXACT_DIGITS} digits"
    return ""


def _exact_norm(square: Any) -> Any:
    """The exact square root of a squared gradient norm, without factoring
    a long rational: a rational for a square, else ``sqrt(p/q)`` unevaluated
    (SymPy's own form for short ones)."""
    if not isinstance(square, sp.Rational):
        return sp.sqrt(square)
    p, q = int(square.p), int(square.q)
    rp, rq = math.isqrt(p), math.isqrt(q)
    if rp * rp == p and rq * rq == q:
        return sp.Rational(rp, rq)
    if p < _SMALL_NORM and q < _SMALL_NORM:
        return sp.sqrt(square)
    return sp.Pow(square, sp.S.Half, evaluate=False)


def _exact_note(rows: int, why: str) -> str:
    if rows == 0:
        return f" No exact rows: the start or its gradient has {why}."
    return (f" Exact rows stop at iteration {rows - 1}: the next one has {why}; "
            f"the float run continues.")


def _plain(v: object) -> object:
    return v.item() if isinstance(v, np.generic) else v


def _with_bounds(obj: Objective, rule: StepRule, result: Result) -> Result:
    """Record 2/λmax at each iterate; note in the message where lr was above it."""
    from ..analysis.bounds import local_bounds   # here: symgd.analysis imports this package
    hist = result.history
    bounds = local_bounds(obj, hist.x)
    hist.extra["lr_bound"] = bounds
    result = dataclasses.replace(result, nhev=result.nhev + len(hist))   # one Hessian a row
    above = np.flatnonzero(rule.lr >= bounds)
    if not above.size:
        return result
    first = int(above[0])
    note = (f" Note: lr = {rule.lr:g} was at or above the local bound 2/λmax at "
            f"{above.size} of {len(hist)} recorded iterates (first at iteration "
            f"{int(hist.iteration[first])}, where the bound is {bounds[first]:.4g}).")
    return dataclasses.replace(result, message=result.message + note)

