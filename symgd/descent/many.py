"""Many descents at once: :func:`descend_many` steps every run together on
arrays, each run stopping on its own by the rules of
:mod:`symgd.descent.stopping` (evaluated on arrays of runs).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._progress import Progress, progress_line
from ..errors import InputError, InputTypeError, ResourceError
from ..objective.core import Objective, as_objective
from .result import Batch, History, Status
from .steps import ELEMENTWISE_RULES, StepRule, get_rule
from .advice import OSCILLATION_PROBE
from .stopping import STATE, Limits, Stop, VectorRules, check_limits, diagnose, message

__all__ = ["descend_many", "MANY_HISTORY_MAX_VALUES"]

# The most numbers descend_many(history=True) keeps (k starts × (max_iter + 1)
# iterations × (2n + 2) columns, 8 bytes each: 200 MB, twice that while the
# rows are stacked); a larger history is refused before the loop starts.
MANY_HISTORY_MAX_VALUES = 25_000_000

_RULES = VectorRules()


def descend_many(objective: object, starts: object, lr: object = 0.1, *,
                 max_iter: int = 1000, tol: float | None = 1e-8, ftol: float = 0.0,
                 step: str = "fixed", history: bool = False, patience: int = 20,
                 progress: bool | str = False, backend: str = "auto",
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
    step : {"fixed", "momentum", "nesterov", "adam", "adagrad", "rmsprop"}
        An element-wise step rule (the line searches and Newton need one
        run at a time: use :func:`descend`).
    history : bool
        Keep every iterate of every run (memory: k × (max_iter + 1) ×
        (2n + 2) floats). By default only the first and last rows of each
        run. A history of more than ``MANY_HISTORY_MAX_VALUES`` (25,000,000,
        200 MB) numbers is refused before anything is allocated, with a
        :class:`~symgd.errors.ResourceError` naming the bound.
    progress : bool or "auto"
        Show a progress line on standard error (iterations, the runs still
        active, the lowest loss); see :func:`descend`.
    backend : {"auto", "numpy", "numba"}
        What runs the loop (see :mod:`symgd.fast.choice`): ``"numba"`` runs
        each start to its stop in a compiled loop (the fixed step, no
        progress line; ``pip install "symgd[fast]"``); ``"auto"`` does so
        when numba is installed and the objective's loop is compiled
        already, or the runs × ``max_iter`` are at least 10,000,000 and some
        run is still going after a pilot of 1,000,000 run-steps on the NumPy
        loop (when none is, that is the result). The per-run results are the
        same to round-off; ``batch.backend`` says which ran,
        ``batch.compile_time`` how long compiling took.
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
    >>> print(lrs.text().splitlines()[0])
    3 runs of x, y: 2 converged, 1 diverged.
    """
    obj = as_objective(objective)
    if step not in ELEMENTWISE_RULES:
        raise InputError(f"descend_many steps many runs together, which needs an "
                         f"element-wise rule ({', '.join(sorted(ELEMENTWISE_RULES))}); for "
                         f"{step!r} call descend() once per start")
    if not (obj.inlinable and obj.vectorized):
        raise InputError("descend_many needs an objective with closed-form derivatives; "
                         "this data objective is evaluated row by row: call descend() per start")
    X0, rates = _many_starts(obj, starts, lr)
    rule = get_rule(step, 1.0, **step_options)       # steps are linear in lr: scaled below
    limits = check_limits(max_iter, tol, ftol, patience)
    _check_history_size(X0.shape, limits.max_iter, history)
    line = progress_line("descend_many", limits.max_iter, show=progress, bound=True)
    chosen = _backend(backend, obj, rule, X0, limits, line)
    try:
        pilot = _pilot(obj, X0, rates, history, limits, rule) if chosen == "auto" else None
        if pilot is not None:
            return pilot
        if chosen != "numpy":
            batch = _compiled_loop(obj, rule, X0, rates, history, limits, chosen)
            if batch is not None:
                return batch
        return _many_loop(obj, rule, X0, rates, history, limits, line)
    except MemoryError:
        raise ResourceError(f"descend_many ran out of memory with {X0.shape[0]:,} starts of "
                            f"{X0.shape[1]} variables: use fewer starts, a smaller max_iter "
                            f"or history=False") from None
    finally:
        if line is not None:
            line.close()


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


def _pilot(obj: Objective, X0: np.ndarray, rates: np.ndarray, keep: bool, limits: Limits,
           rule: StepRule) -> Batch | None:
    """The runs on the NumPy loop for the first ``AUTO_PILOT_RUN_STEPS``
    run-steps (before ``backend="auto"`` compiles a loop not compiled yet):
    the Batch when every run stopped within them, None when some did not."""
    from ..fast import choice, loops
    if loops.is_compiled(obj, "many"):
        return None
    steps = max(1, choice.AUTO_PILOT_RUN_STEPS // len(X0))
    if steps >= limits.max_iter:
        return None
    found = _many_rows(obj, rule, X0, rates, keep, limits._replace(max_iter=steps))
    if (found[-1] == Status.MAX_ITER).any():     # some still going: worth compiling
        return None
    return _batch(obj, rule, X0, rates, limits, *found)


def _many_loop(obj: Objective, rule: StepRule, X0: np.ndarray, rates: np.ndarray,
               keep: bool, limits: Limits, progress: Progress | None = None) -> Batch:
    """The lockstep loop: the stopping rules on arrays of runs."""
    return _batch(obj, rule, X0, rates, limits,
                  *_many_rows(obj, rule, X0, rates, keep, limits, progress))


def _many_rows(obj: Objective, rule: StepRule, X0: np.ndarray, rates: np.ndarray,
               keep: bool, limits: Limits, progress: Progress | None = None) -> tuple:
    """The lockstep loop's ``(first, last, rows, nit, status)``, statuses as
    the rules give them (before :func:`diagnose`).

    While every run is active whole arrays are used; once some have
    stopped, only the active ones are evaluated and moved.
    """
    k, n = X0.shape
    evaluate = obj.evaluator.at_array
    X = X0.copy()
    step_state = rule.init(X)
    active = np.ones(k, dtype=bool)
    status = np.full(k, int(Status.MAX_ITER))
    nit = np.zeros(k, dtype=int)
    state = {name: np.full(k, value) for name, value in STATE.items()}
    fixed = {"max_iter": limits.max_iter, "tol": limits.tol, "ftol": limits.ftol,
             "patience": limits.patience, "stop": False}    # no callback here
    last = np.full((k, 2 * n + 2), np.nan)
    rows: list[np.ndarray] | None = [] if keep else None
    first = np.empty((0, 2 * n + 2))
    with np.errstate(all="ignore"):    # overflows and nan are statuses here
        for it in range(limits.max_iter + 1):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            sel = slice(None) if idx.size == k else idx
            table = _rows_at(evaluate, X[sel])
            f, G, gn = table[:, n], table[:, n + 1:2 * n + 1], table[:, -1]
            if progress is not None:
                low = f[np.isfinite(f)]
                progress.update(it, float(low.min()) if low.size else None,
                                f"{idx.size:,} of {k:,} runs active")
            if it == 0:
                first = table
            if rows is not None:
                rows.append(_recorded(rows, sel, table))
            space = {**fixed, "f": f, "gn": gn, "it": it, "stuck": False,
                     **{name: values[sel] for name, values in state.items()}}
            found = _RULES.stop(space, idx.size)
            _RULES.advance(space)
            for name, values in state.items():
                values[sel] = space[name]
            done = found >= 0
            status[idx[done]] = found[done]
            last[idx[done]] = table[done]
            active[idx[done]] = False
            moving = idx[~done]
            if moving.size == 0:
                break
            nit[moving] = it + 1
            grad = np.zeros_like(X)
            grad[moving] = G[~done]
            delta, step_state = rule.update(grad, step_state, X, obj)
            X[moving] -= rates[moving, None] * delta[moving]
    recorded = np.stack(rows) if rows is not None else None
    return first, last, recorded, nit, status


def _batch(obj: Objective, rule: StepRule, X0: np.ndarray, rates: np.ndarray,
           limits: Limits, first: np.ndarray, last: np.ndarray, recorded: np.ndarray | None,
           nit: np.ndarray, status: np.ndarray, oscillating: np.ndarray | None = None,
           backend: str = "numpy", compile_time: float = 0.0) -> Batch:
    """The Batch of what a loop recorded, each run's status diagnosed as
    :func:`descend` does (with the answers of the oscillation probe run
    already, when ``oscillating`` holds them)."""
    n = X0.shape[1]
    for i in np.flatnonzero(np.isin(status, (Status.MAX_ITER, Status.NOT_FINITE))):
        ends = np.stack([first[i], last[i]])     # diagnose() reads the first and last
        hist = History(obj.names, ends[:, :n], ends[:, n], ends[:, n + 1:2 * n + 1],
                       ends[:, -1], [0, nit[i]])
        status[i] = diagnose(Status(int(status[i])),
                             Stop(obj, rule._replace(lr=float(rates[i])), hist, int(nit[i]),
                                  limits),
                             None if oscillating is None else bool(oscillating[i]))
    return Batch(obj.names, X0, rates, first, last, recorded, nit, status,
                 limits.reported_tol, _explainer(obj, rule, limits), step=rule.name,
                 backend=backend, compile_time=compile_time)


def _backend(backend: object, obj: Objective, rule: StepRule, X0: np.ndarray, limits: Limits,
             line: Progress | None) -> str:
    """``"numpy"`` or ``"numba"``, as :func:`symgd.fast.choice.pick` chooses, or
    ``"auto"`` where ``"auto"`` chose numba."""
    from ..fast import choice as fast    # no numba import: that waits for a compile
    if fast.check_backend(backend) == "numpy":
        return "numpy"
    unsupported = fast.unsupported(rule, line, limits.max_iter)
    # "auto" when auto chose numba: the default path runs should the objective not compile
    chosen = fast.pick(backend, obj, "many", unsupported, X0.shape[0] * limits.max_iter,
                     fast.AUTO_MIN_RUN_STEPS)
    return "auto" if chosen == "numba" and backend == "auto" else chosen


def _compiled_loop(obj: Objective, rule: StepRule, X0: np.ndarray, rates: np.ndarray,
                   keep: bool, limits: Limits, backend: str) -> Batch | None:
    """The runs in the compiled loop of :mod:`symgd.fast.loops`; None to run
    the NumPy loop instead when the objective does not compile and the
    choice was ``"auto"``."""
    from ..fast import loops
    try:
        first, last, recorded, nit, status, oscillating, seconds = loops.run_many(
            obj, X0, rates, limits.max_iter, limits.tol, limits.ftol, limits.patience, keep,
            OSCILLATION_PROBE)
    except loops.Unsupported as why:
        if backend == "auto":
            return None
        raise InputError(f"backend='numba' cannot run this descent: {why}; use "
                         f"backend='auto' or backend='numpy'") from None
    return _batch(obj, rule, X0, rates, limits, first, last, recorded, nit, status,
                  oscillating, backend="numba", compile_time=seconds)


def _check_history_size(shape: tuple[int, int], max_iter: int, keep: bool) -> None:
    """Refuse a kept history of more than ``MANY_HISTORY_MAX_VALUES`` numbers.

    >>> _check_history_size((10_000, 2), 10_000, True)
    Traceback (most recent call last):
    ...
    symgd.errors.ResourceError: descend_many with history=True would keep 600,060,000 numbers (10,000 starts × 10,001 iterations × 6), above MANY_HISTORY_MAX_VALUES = 25,000,000: pass history=False, or use fewer starts or a smaller max_iter
    """
    k, n = shape
    values = k * (max_iter + 1) * (2 * n + 2)
    if keep and values > MANY_HISTORY_MAX_VALUES:
        raise ResourceError(
            f"descend_many with history=True would keep {values:,} numbers ({k:,} starts × "
            f"{max_iter + 1:,} iterations × {2 * n + 2}), above MANY_HISTORY_MAX_VALUES = "
            f"{MANY_HISTORY_MAX_VALUES:,}: pass history=False, or use fewer starts or a "
            f"smaller max_iter")


def _rows_at(evaluate: Any, X: np.ndarray) -> np.ndarray:
    """Rows ``(x..., f, g..., |g|)`` at the points ``X`` (one a row)."""
    out = evaluate([X[:, j] for j in range(X.shape[1])])
    G = np.stack(out[1:], axis=1)
    gn = np.hypot.reduce(G, axis=1)     # as math.hypot in descend's loop
    return np.concatenate([X, out[0][:, None], G, gn[:, None]], axis=1)


def _recorded(rows: list[np.ndarray], sel: Any, table: np.ndarray) -> np.ndarray:
    """This iteration's row of every run: the active runs' new rows, the
    stopped runs' last ones."""
    if not rows:
        return table
    current = rows[-1].copy()
    current[sel] = table
    return current


def _explainer(obj: Objective, rule: StepRule, limits: Limits) -> Any:
    """The message of one run of the batch, written when asked for."""
    def explain(status: Status, hist: History, it: int, lr: float) -> str:
        return message(status, Stop(obj, rule._replace(lr=lr), hist, it, limits))
    return explain
