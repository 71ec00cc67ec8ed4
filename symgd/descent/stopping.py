r"""The stopping rules of a descent, written once.

Each iteration evaluates the loss :math:`f_t` and the gradient norm
:math:`\lVert g_t\rVert`; then the rules of :data:`STOP_RULES` are tried in
order and the first that holds ends the run with its :class:`Status`:

==================  ==============================================================
``DIVERGED``        :math:`f_t` or :math:`\lVert g_t\rVert` is nan or infinite
                    after the loss rose 3 times in a row (an overflow)
``NOT_FINITE``      :math:`f_t` or :math:`\lVert g_t\rVert` is nan or infinite
``CONVERGED``       :math:`\lVert g_t\rVert \le` ``tol``
``SMALL_CHANGE``    :math:`|f_{t-1} - f_t| \le` ``ftol`` :math:`\max(|f_{t-1}|, |f_t|, 1)`
                    (``ftol > 0``, from the second iterate on)
``LINE_SEARCH_...`` the step rule returned the same point while
                    :math:`\lVert g_t\rVert > 0` (``stuck``: a line search
                    found no decrease at this precision)
``UNBOUNDED``       :math:`f_t < -10^{100}` and :math:`f_t < 10^{10} f_0`
                    (from the second iterate on)
``DIVERGED``        the loss rose ``patience`` times in a row and is above
                    :math:`f_0`
``CALLBACK``        the callback returned a true value
``MAX_ITER``        ``max_iter`` steps were taken
==================  ==============================================================

When the loop has stopped, :func:`diagnose` looks again at a run that
reached ``max_iter`` or a non-finite value: a loss above its start is
``DIVERGED``; fixed steps that alternate at about the same loss are
``OSCILLATING`` (a probe of a few more steps from the last point); a loss
that fell to :math:`-\infty` (not at a pole) is ``UNBOUNDED``.

A rule's condition is a Python expression of the loop's state (:data:`STATE`)
on floats, as the generated loop of :mod:`symgd.descent.codegen` runs it;
:func:`vector_condition` turns the same text into NumPy code on arrays of
runs for :func:`symgd.descend_many`. So both loops stop by the same tests,
and a rule's message is written by one function, :func:`message`.
"""

from __future__ import annotations

import ast
import functools
import linecache
import math
from typing import Any, Callable, NamedTuple

import numpy as np

from .._options import integer, real
from ..errors import InputError, InputTypeError
from .._text import plural, point
from .advice import (bound_advice, divides_by_zero, line_search_advice, oscillates,
                     oscillation_advice, slow_advice)
from .result import History, Status
from .steps import StepRule

__all__ = ["Limits", "check_limits", "StopRule", "STOP_RULES", "STATE", "FINITE",
           "UPDATES", "vector_condition", "VectorRules", "Stop", "Batches",
           "message", "diagnose", "UNBOUNDED_BELOW"]


class Limits(NamedTuple):
    """The checked stopping parameters; ``tol`` is ``-inf`` when the gradient
    test is off."""

    max_iter: int
    tol: float
    ftol: float
    patience: int

    @property
    def reported_tol(self) -> float | None:
        """``tol`` as a Result reports it: None when the test was off."""
        return None if self.tol < 0 else self.tol


def check_limits(max_iter: object, tol: object, ftol: object, patience: object) -> Limits:
    """The stopping parameters checked, or an error that says which is wrong.

    >>> check_limits(100, None, 0, 20)
    Limits(max_iter=100, tol=-inf, ftol=0.0, patience=20)
    """
    for name, value in (("max_iter", max_iter), ("patience", patience)):
        if isinstance(value, (float, np.floating)):      # 1e4 is a count; 2.5 is not
            raise InputTypeError(f"{name} must be an integer, got {value!r}")
    max_iter = integer(max_iter, "max_iter", low=0, high=None)    # a cap, any size
    patience = integer(patience, "patience", low=1)
    checked = []
    if tol is None:        # never stop on the gradient norm: run max_iter steps
        tol = -math.inf
        checked.append(tol)
    for name, value in (("tol", tol), ("ftol", ftol))[len(checked):]:
        hint = ", or None to turn the gradient test off" if name == "tol" else ""
        value = real(value, name, accepts=f"a finite number, 0 or more{hint}",
                     infinite=True)
        if not value >= 0 or math.isinf(value):
            hint = ", or None to turn the gradient test off" if name == "tol" else ""
            raise InputError(f"{name} must be a finite number >= 0{hint}; got {value!r}")
        checked.append(value)
    return Limits(int(max_iter), checked[0], checked[1], int(patience))


# ---------------------------------------------------------------- the rules

# The loop's state when the rules are tried at iteration ``it``: ``f`` and
# ``gn`` (the loss and gradient norm there), ``ok`` (both finite, by
# FINITE), ``stop`` (the callback's answer), and, from the iterations
# before, ``prev`` (the last loss), ``first`` (the loss at the start) and
# ``rises`` (how many times in a row the loss rose); ``stuck`` (the step
# rule returned this same point as the next one); also the limits
# ``tol``, ``ftol``, ``patience`` and ``max_iter``. Initial values:
STATE = {"prev": math.inf, "first": math.inf, "rises": 0}

# Both finite; f + gn is finite exactly when both are, and is one test, but
# it overflows for two large finite numbers, hence the second test.
FINITE = "isfinite(f + gn) or isfinite(f) and isfinite(gn)"

# After the rules (in order): how the state moves on to the next iteration.
UPDATES = (("rises", "rises + 1 if f > prev else 0"),
           ("first", "f if it == 0 else first"),
           ("prev", "f"))


class StopRule(NamedTuple):
    """A stopping rule: when ``condition`` holds the run stops with ``status``."""

    status: Status
    condition: str


# Conditions see ``rises`` before this iteration's update: "the loss rose
# patience times in a row" is "it rises now, after patience - 1 rises".
STOP_RULES = (
    StopRule(Status.DIVERGED, "not ok and rises >= 3"),
    StopRule(Status.NOT_FINITE, "not ok"),
    StopRule(Status.CONVERGED, "gn <= tol"),
    StopRule(Status.SMALL_CHANGE,
             "it > 0 and ftol > 0 and abs(prev - f) <= ftol * max(abs(prev), abs(f), 1.0)"),
    StopRule(Status.LINE_SEARCH_FAILED, "stuck and gn > 0"),
    StopRule(Status.UNBOUNDED, "it > 0 and f < -1e100 and f < 1e10 * first"),
    StopRule(Status.DIVERGED, "f > prev and rises + 1 >= patience and f > first"),
    StopRule(Status.CALLBACK, "stop"),
    StopRule(Status.MAX_ITER, "it == max_iter"),
)


# The state that is one number for all runs of descend_many (the iteration,
# the limits, the callback's answer); the rest are arrays, one value a run.
SCALARS = frozenset({"it", "stop", "tol", "ftol", "patience", "max_iter"})


def _is_scalar(node: ast.AST) -> bool:
    return all(n.id in SCALARS for n in ast.walk(node) if isinstance(n, ast.Name)
               and n.id not in _VECTOR_NAMES)


class _Elementwise(ast.NodeTransformer):
    """The same test on arrays of runs: ``and``/``or``/``not`` of arrays as
    ``&``/``|``/``~``, ``a if c else b`` with an array ``c`` as
    ``where(c, a, b)``. Tests of :data:`SCALARS` alone stay Python tests,
    evaluated first, so they still spare the array work they guard."""

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        values = [self.visit(v) for v in node.values]
        scalar = [v for v in values if _is_scalar(v)]
        arrays = [v for v in values if not _is_scalar(v)]
        both = isinstance(node.op, ast.And)
        if not arrays:
            return ast.BoolOp(node.op, scalar)
        op = ast.BitAnd() if both else ast.BitOr()
        array = functools.reduce(lambda a, b: ast.BinOp(a, op, b), arrays)
        if not scalar:
            return array
        test = scalar[0] if len(scalar) == 1 else ast.BoolOp(node.op, scalar)
        if both:
            return ast.IfExp(test, array, ast.Constant(False))
        return ast.IfExp(test, ast.Constant(True), array)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        node = self.generic_visit(node)
        if isinstance(node.op, ast.Not) and not _is_scalar(node.operand):
            return ast.UnaryOp(ast.Invert(), node.operand)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        node = self.generic_visit(node)
        if _is_scalar(node.test):
            return node
        return ast.Call(ast.Name("where", ast.Load()), [node.test, node.body, node.orelse], [])


def vector_condition(condition: str) -> str:
    """``condition`` rewritten for arrays of runs (see :class:`_Elementwise`).

    >>> vector_condition("not ok and rises >= 3")
    '~ok & (rises >= 3)'
    >>> vector_condition("rises + 1 if f > prev else 0")
    'where(f > prev, rises + 1, 0)'
    >>> vector_condition("it > 0 and ftol > 0 and abs(prev - f) <= ftol")
    'abs(prev - f) <= ftol if it > 0 and ftol > 0 else False'
    """
    tree = _Elementwise().visit(ast.parse(condition, mode="eval"))
    return ast.unparse(ast.fix_missing_locations(tree))


def _maximum(*values: Any) -> Any:
    return functools.reduce(np.maximum, values)


_VECTOR_NAMES = {"isfinite": np.isfinite, "abs": np.abs, "max": _maximum, "where": np.where}
# What the rules and updates read (STATE, the limits, this iteration's values).
_ARGUMENTS = ("f", "gn", "ok", "stuck", "it", "stop", *STATE, "tol", "ftol", "patience", "max_iter")
_VECTOR_FILENAME = "<symgd stopping rules on arrays>"


class VectorRules:
    """The rules as NumPy code, for arrays of runs.

    Every condition on arrays is evaluated for every active run (no
    short-circuit); the values are those of the scalar tests, as the
    conditions have no side effects. The functions are generated
    once, from :data:`FINITE`, :data:`STOP_RULES` and :data:`UPDATES`, and
    registered in :mod:`linecache` for tracebacks.
    """

    def __init__(self) -> None:
        arguments = ", ".join(_ARGUMENTS)
        source = "\n".join([
            "def finite(f, gn):",
            f"    return {vector_condition(FINITE)}",
            f"def tests({arguments}):",
            "    return (",
            *(f"        {vector_condition(rule.condition)},  # {rule.status.name}"
              for rule in STOP_RULES),
            "    )",
            f"def moved({arguments}):",
            *(f"    {name} = {vector_condition(text)}" for name, text in UPDATES),
            f"    return {', '.join(name for name, _ in UPDATES)}",
            ""])
        scope = dict(_VECTOR_NAMES)
        exec(compile(source, _VECTOR_FILENAME, "exec"), scope)
        linecache.cache[_VECTOR_FILENAME] = (len(source), None, source.splitlines(True),
                                             _VECTOR_FILENAME)
        self._finite, self._tests, self._moved = scope["finite"], scope["tests"], scope["moved"]
        self._statuses = [int(rule.status) for rule in STOP_RULES]
        self._moving = [name for name, _ in UPDATES]

    def stop(self, state: dict[str, Any], runs: int) -> np.ndarray:
        """Each run's status by the first rule that holds, -1 where none does;
        sets ``state["ok"]``. Call it with NumPy's warnings off
        (``np.errstate(all="ignore")``): an overflow here is a value, not news."""
        state["ok"] = self._finite(state["f"], state["gn"])
        hits = self._tests(**state)
        found = np.full(runs, -1)
        for status, hit in zip(self._statuses, hits):
            if isinstance(hit, np.ndarray):
                if hit.any():
                    found[(found < 0) & hit] = status
            elif hit:                       # a test of SCALARS: every run
                found[found < 0] = status
                break
        return found

    def advance(self, state: dict[str, Any]) -> None:
        """Move ``state`` on to the next iteration, as :data:`UPDATES` says."""
        state.update(zip(self._moving, self._moved(**state)))


# ---------------------------------------------------------------- messages

class Batches(NamedTuple):
    """How a mini-batch run counts its steps: ``per_epoch`` batches of
    ``size`` rows; ``epochs`` as asked for (None: max_iter counts batches)."""

    size: int
    per_epoch: int
    epochs: int | None


class Stop(NamedTuple):
    """What a message may say about a stopped run."""

    objective: Any
    rule: StepRule
    history: History
    it: int
    limits: Limits
    batches: Batches | None = None


# The loss below which a falling run is taken to be unbounded below (the
# rule UNBOUNDED of STOP_RULES).
UNBOUNDED_BELOW = -1e100


def diagnose(status: Status, stop: Stop, oscillating: bool | None = None) -> Status:
    r"""The status that says what really happened, from the one the rules gave.

    A run that reached ``max_iter`` with its loss above the start is
    diverging (``DIVERGED``); a plain fixed step whose iterates alternate at
    about the same loss is ``OSCILLATING`` (by the probe
    :func:`~symgd.descent.advice.oscillates` from the last point, or
    ``oscillating`` when the caller ran that probe already, as the compiled
    multi-start loop does); a loss that overflowed to
    :math:`-\infty` away from a pole after a finite fall (not in the first
    step, which may be one overflow) is ``UNBOUNDED``.
    """
    status = Status(status)
    hist, last = stop.history, stop.history[-1]
    if status == Status.NOT_FINITE and stop.it > 1 and last.loss == -math.inf \
            and math.isfinite(hist.loss[0]) and not divides_by_zero(stop.objective, last.x):
        return Status.UNBOUNDED
    if status != Status.MAX_ITER or stop.it == 0 or not math.isfinite(last.loss):
        return status
    first = float(hist.loss[0])
    if math.isfinite(first) and last.loss > first + 1e-9 * max(abs(first), 1.0):
        return Status.DIVERGED
    # (the probe takes dozens of evaluations: not where each is a pass over a
    # streamed file or a cluster's partitions)
    if stop.rule.plain and stop.batches is None and last.grad_norm > 0 \
            and not getattr(stop.objective, "costly_evaluations", False) \
            and (oscillates(stop.objective, stop.rule.lr, last.x) if oscillating is None
                 else oscillating):
        return Status.OSCILLATING
    return status


def message(status: Status, stop: Stop) -> str:
    """What happened and, when the run failed, what to try."""
    return _MESSAGES[Status(status)](stop)


def _converged(stop: Stop) -> str:
    last, it = stop.history[-1], stop.it
    return (f"Converged: the gradient norm {last.grad_norm:.3g} is within tol = "
            f"{stop.limits.tol:g} after {plural(it, 'iteration')}.")


def _small_change(stop: Stop) -> str:
    return (f"Converged: the loss changed by less than ftol = {stop.limits.ftol:g} "
            f"(relative) at iteration {stop.it}; the gradient norm is "
            f"{stop.history[-1].grad_norm:.3g}.")


def _by_callback(stop: Stop) -> str:
    return f"Stopped by the callback at iteration {stop.it}."


def _steps_taken(stop: Stop) -> str:
    """``max_iter = 1000 iterations``, or for mini-batches the epochs and batches."""
    b = stop.batches
    if b is None:
        return f"max_iter = {stop.limits.max_iter} iterations"
    batches = f"{stop.it:,} {'batch' if stop.it == 1 else 'batches'} of {plural(b.size, 'row')}"
    if b.epochs is not None:
        return f"{plural(b.epochs, 'epoch')} ({batches})"
    return (f"max_iter = {batches} ({stop.it / b.per_epoch:.3g} epochs of "
            f"{plural(b.per_epoch, 'batch', 'batches')})")


def _max_iter(stop: Stop) -> str:
    gn, max_iter, tol = stop.history[-1].grad_norm, stop.limits.max_iter, stop.limits.tol
    if stop.batches is not None:
        what = "batch gradient norm"
        if tol < 0:
            return (f"Ran {_steps_taken(stop)} as asked (tol=None: no gradient "
                    f"tolerance); the {what} is {gn:.3g}.")
        return (f"Stopped after {_steps_taken(stop)} without converging: the {what} is "
                f"still {gn:.3g} (tol = {tol:g}). A batch gradient is noisy: near a "
                f"minimum it stays about as large as the batches differ, so it may never "
                f"reach tol. Judge the fit by the full loss (obj.value(result.x)), or "
                f"try a larger batch_size, a decreasing schedule (schedule=\"inverse\"), "
                f"more epochs or a looser tol.")
    if tol < 0:
        return (f"Ran max_iter = {max_iter} iterations as asked (tol=None: no gradient "
                f"tolerance); the gradient norm is {gn:.3g}.")
    return (f"Stopped after max_iter = {max_iter} iterations without converging: the "
            f"gradient norm is still {gn:.3g} (tol = {tol:g}). "
            f"{slow_advice(stop.objective, stop.rule, stop.history[-1].x)}")


def _diverged(stop: Stop) -> str:
    obj, hist, it = stop.objective, stop.history, stop.it
    last = hist[-1]
    at = f"at iteration {it}, x = {point(obj.names, last.x)}"
    if math.isfinite(last.loss) and math.isfinite(last.grad_norm) \
            and it == stop.limits.max_iter and last.loss > hist.loss[0]:
        cycle = stop.rule.plain and oscillates(obj, stop.rule.lr, last.x)
        how = ("the iterates oscillate at that level (a cycle, not a descent)" if cycle
               else "the run is diverging, not converging slowly")
        what = (f"the loss rose above its start, from {hist.loss[0]:.6g} to "
                f"{last.loss:.6g} after {_steps_taken(stop)} ({at}): {how}, and more "
                f"iterations will not help")
    elif math.isfinite(last.loss) and math.isfinite(last.grad_norm):
        what = (f"the loss rose for {stop.limits.patience} iterations in a row, from "
                f"{hist.loss[0]:.6g} at the start to {last.loss:.6g} {at}")
    elif divides_by_zero(obj, last.x):
        what = (f"the loss rose and then, {at}, reached a point where the objective is "
                f"undefined (infinite, not just large): a division by zero or a log of 0")
    elif math.isnan(last.loss) or math.isnan(last.grad_norm):
        bad = "the loss" if math.isnan(last.loss) else "the gradient"
        what = (f"the loss rose and then {bad} became nan {at}: the objective or its "
                f"derivative is undefined there")
    else:
        bad = "" if not math.isfinite(last.loss) else " the gradient"
        what = f"the loss grew without bound and{bad} overflowed {at}"
    return f"Diverged: {what}. {bound_advice(obj, stop.rule, hist.x[0])}"


def _unbounded(stop: Stop) -> str:
    obj, hist, it, last = stop.objective, stop.history, stop.it, stop.history[-1]
    how = ("overflowed to -inf" if last.loss == -math.inf
           else f"fell below {UNBOUNDED_BELOW:g}, to {last.loss:.6g}")
    return (f"Unbounded: the objective is unbounded below along the path from "
            f"{point(obj.names, hist.x[0])} (f = {hist.loss[0]:.6g}); it has no minimum "
            f"there. The loss {how} at iteration {it} at {point(obj.names, last.x)}, "
            f"where the gradient norm is {last.grad_norm:.3g}. Try an objective that is "
            f"bounded below (add a penalty such as a multiple of the squared variables), "
            f"or a start point in the basin of a local minimum.")


def _line_search_failed(stop: Stop) -> str:
    obj, it, last = stop.objective, stop.it, stop.history[-1]
    at = f"at iteration {it} at {point(obj.names, last.x)} (f = {last.loss:.6g})"
    return f"Stopped: {line_search_advice(obj, stop.rule, last, at, stop.limits.tol)}"


def _oscillating(stop: Stop) -> str:
    obj, last = stop.objective, stop.history[-1]
    return (f"Oscillating after {_steps_taken(stop)}: "
            f"{oscillation_advice(obj, stop.rule, last.x)} The last point is "
            f"{point(obj.names, last.x)}, f = {last.loss:.6g}, gradient norm "
            f"{last.grad_norm:.3g}.")


def _not_finite(stop: Stop) -> str:
    obj, it, last = stop.objective, stop.it, stop.history[-1]
    at = point(obj.names, last.x)
    if it and last.loss == -math.inf and not divides_by_zero(obj, last.x):
        return (f"Stopped: the loss fell without bound and overflowed to -inf at iteration "
                f"{it}, x = {at}: the objective is unbounded below along this path, so "
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
    return (f"Stopped: {bad} is {kind} {where}, x = {at}: "
            f"the objective or its derivative is undefined or overflows there (for "
            f"example log or sqrt of a negative number, a division by zero, or a kink "
            f"such as abs at 0). {advice}")


_MESSAGES: dict[Status, Callable[[Stop], str]] = {
    Status.CONVERGED: _converged, Status.SMALL_CHANGE: _small_change,
    Status.CALLBACK: _by_callback, Status.MAX_ITER: _max_iter,
    Status.DIVERGED: _diverged, Status.NOT_FINITE: _not_finite,
    Status.LINE_SEARCH_FAILED: _line_search_failed, Status.OSCILLATING: _oscillating,
    Status.UNBOUNDED: _unbounded,
}
