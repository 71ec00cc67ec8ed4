"""Advice for a run that failed: what the step bound says, why a linear
objective has no minimum, whether a point is a pole.

Advice is cheap and never raises: when the analysis it needs fails or would
be slow (a Hessian of a huge gradient), the advice is generic instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._text import number, point
from .steps import StepRule

__all__ = ["slow_advice", "bound_advice", "local_bound", "linear_message",
           "divides_by_zero", "negative_curvature", "oscillates", "oscillation_advice",
           "line_search_advice", "OSCILLATION_PROBE"]

# Fixed steps a run that reached max_iter takes again from its last point to
# see whether it oscillates (see oscillates()).
OSCILLATION_PROBE = 64

_GENERIC_SLOW = "Try more iterations (max_iter), a larger lr, or a looser tol."


def _step_size_bound(obj: Any, at: Any = None) -> Any:
    # imported here: symgd.analysis imports the step rules of this package
    from ..analysis.bounds import step_size_bound
    from ..fast.choice import no_new_compiles
    with no_new_compiles():      # one Hessian for advice is not worth a kernel's compile
        return step_size_bound(obj) if at is None else step_size_bound(obj, at=at)


def slow_advice(obj: Any, rule: StepRule, last: Any = None) -> str:
    """Advice for a run stopped by max_iter (at the point ``last``)."""
    if rule.name in ("adam", "rmsprop") and not rule.scheduled:
        return (f"{rule.name} divides each step by a running size of the gradient, so "
                f"with a constant lr its steps stay about lr = {number(rule.lr, 3)} long "
                f"and it hovers about that far from a minimum (more iterations will not "
                f"help); add a decreasing schedule (schedule=\"exponential\", "
                f"decay=0.999) or try a smaller lr.")
    if rule.name == "adagrad":
        return (f"adagrad's steps shrink as the squared gradients add up; try a larger "
                f"lr than {number(rule.lr, 3)} (0.5 to 1 is usual) or more iterations.")
    if rule.plain and last is not None and not obj.is_cheaply_quadratic:
        here = _curvature(obj, last)
        if here is not None and math.isfinite(here.bound) and rule.lr >= here.bound:
            return (f"lr = {number(rule.lr, 4)} is above the local step bound 2/λmax = "
                    f"{number(here.bound, 4)} at the last point, so the steps are not "
                    f"stable there (a larger lr will not help); try lr = "
                    f"{number(here.bound / 2, 3)} or smaller.")
    try:
        # only a quadratic's bound holds everywhere, and is cheap to compute
        bound = _step_size_bound(obj) if obj.is_cheaply_quadratic else None
    except Exception:  # the analysis is advice; a failure must not hide the result
        return _GENERIC_SLOW
    if bound is None or not math.isfinite(bound.lambda_min):
        return _GENERIC_SLOW
    if negative_curvature(bound):
        return (f"The objective is quadratic with a negative Hessian eigenvalue "
                f"({bound.lambda_min:.6g}), so it is unbounded below and has no minimum: "
                f"more iterations will not help. Try an objective that is bounded below.")
    if rule.name == "fixed" and bound.best is not None and rule.lr < bound.best:
        return (f"Try more iterations (max_iter) or a larger lr: for this quadratic the "
                f"fastest fixed step is lr = {bound.best_text()}.")
    return _GENERIC_SLOW


def negative_curvature(bound: Any) -> bool:
    """Whether the Hessian has a negative eigenvalue beyond round-off."""
    scale = max(abs(bound.lambda_min), abs(bound.lambda_max))
    return bound.lambda_min < -1e-10 * scale


def local_bound(obj: Any, start: np.ndarray) -> Any:
    """The step bound 2/λmax of the Hessian at ``start``, or None when it is
    not cheap to find or there is no positive curvature there."""
    try:
        if not obj.hessian_is_cheap:
            return None
        bound = _step_size_bound(obj, at=start)
    except Exception:  # the analysis is advice; a failure must not hide the result
        return None
    return bound if math.isfinite(bound.lambda_max) and bound.lambda_max > 0 else None


def bound_advice(obj: Any, rule: StepRule, start: np.ndarray) -> str:
    """Advice for a run that diverged from ``start``: the learning rate against
    the step bound 2/λmax."""
    lr = f"lr = {rule.lr:g}"
    if rule.name != "fixed":
        return (f"{lr} is probably too large for the {rule.name} rule; try a value 10 "
                "times smaller.")
    bound = local_bound(obj, start)
    if bound is None:
        return f"{lr} is probably too large; try a value 10 times smaller."
    if bound.quadratic:
        return _quadratic_advice(rule, bound, lr)
    return (f"At the start the Hessian's largest eigenvalue is {bound.lambda_max:.6g}, so "
            f"steps stay stable there only for lr < {bound.bound:.3g}; {lr} is too large "
            f"for this objective. Try lr = {bound.bound / 4:.2g} or smaller.")


def _quadratic_advice(rule: StepRule, bound: Any, lr: str) -> str:
    # fixed-step descent on a quadratic converges exactly when lr < 2/λmax
    facts = (f"The objective is quadratic with Hessian eigenvalues up to "
             f"{bound.lambda_max:.6g}, so fixed-step descent converges only for "
             f"lr < 2/λmax = {bound.bound_text()}; {lr} is "
             f"{'above' if rule.lr >= bound.bound else 'below'} it.")
    if negative_curvature(bound):
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


def linear_message(names: tuple[str, ...], rule: StepRule, start: Any) -> str:
    """Why a linear objective's run stopped at once: it has no minimum.

    ``start`` is the first iterate (``x``, ``grad``, ``grad_norm``).
    """
    if rule.plain:
        drop = rule.lr * start.grad_norm ** 2     # f(x - lr g) = f(x) - lr |g|^2
        how = f"gradient descent lowers it by lr·|∇f|² = {drop:.6g} every step forever"
    else:
        how = f"gradient descent ({rule.name} rule) lowers it every step forever"
    penalty = (f"0.01*{names[0]}^2" if len(names) == 1 else "0.01*(" + " + ".join(
        f"{v}^2" for v in names[:3]) + (" + ...)" if len(names) > 3 else ")"))
    return (f"Diverged at the start point, x = {point(names, start.x)}: the objective "
            f"is linear, so it has no minimum; {how} (its gradient is constant, "
            f"{point([f'df/d{v}' for v in names], start.grad)}, of norm "
            f"{start.grad_norm:.6g}). Try an "
            f"objective that is bounded below, for example with a penalty such as "
            f"{penalty} added.")


def divides_by_zero(obj: Any, x: np.ndarray) -> bool:
    """Whether evaluating ``obj`` (value and gradient) at ``x`` divides by zero
    (a pole, or the log of 0) rather than overflowing.

    Decided with the evaluator's raw NumPy form (``evaluator.array``, as
    :class:`~symgd.objective.compile.Compiled` has), which NumPy can make
    raise on a division by zero; False for evaluators without one.
    """
    raw = getattr(obj.evaluator, "array", None)
    if raw is None or not obj.vectorized:
        return False
    coords = [np.array([v], dtype=float) for v in x]
    try:
        with np.errstate(divide="raise", over="ignore", under="ignore", invalid="ignore"):
            raw(*coords)
    except FloatingPointError:
        return True
    except Exception:  # the message is advice; a failure must not hide the result
        return False
    return False


def oscillates(obj: Any, lr: float, x: np.ndarray, steps: int = OSCILLATION_PROBE) -> bool:
    """Whether fixed steps of ``lr`` from ``x`` oscillate without converging:
    consecutive steps point in opposite directions (nearly every time) while
    the gradient norm does not even halve over ``steps`` steps."""
    at = obj.evaluator.at
    try:
        with np.errstate(all="ignore"):
            x = np.array(x, dtype=float)
            g = np.array(at(x)[1:], dtype=float)
            start, previous, flips = float(np.linalg.norm(g)), None, 0
            for _ in range(steps):
                step = -lr * g
                if previous is not None and float(step @ previous) < 0:
                    flips += 1
                previous, x = step, x + step
                g = np.array(at(x)[1:], dtype=float)
            end = float(np.linalg.norm(g))
    except Exception:  # the diagnosis is advice; a failure must not hide the result
        return False
    return (math.isfinite(end) and start > 0 and end > 0.5 * start
            and flips >= 0.9 * (steps - 1))


def _curvature(obj: Any, x: np.ndarray) -> Any:
    """The step bound at ``x`` when the Hessian is cheap (None otherwise or on failure)."""
    try:
        if not obj.hessian_is_cheap:
            return None
        return _step_size_bound(obj, at=x)
    except Exception:  # the analysis is advice; a failure must not hide the result
        return None


def oscillation_advice(obj: Any, rule: StepRule, x: np.ndarray) -> str:
    """Why fixed steps of ``rule.lr`` oscillate near ``x``, and what to try."""
    lr = f"lr = {number(rule.lr, 4)}"
    bound = _curvature(obj, x)
    if bound is not None and math.isfinite(bound.lambda_max) \
            and bound.lambda_max <= 1e-12 * max(1.0, abs(bound.lambda_min)):
        return (f"the objective has no curvature near the last point (its Hessian is 0 "
                f"there, as at a kink such as abs at 0), so a fixed step of {lr} "
                f"oscillates around the kink and never converges. Try a decreasing "
                f"schedule, e.g. schedule=\"inverse\", decay=0.1, or "
                f"step=\"backtracking\".")
    if bound is None or not math.isfinite(bound.bound):
        return (f"the iterates alternate without converging, so {lr} is probably at or "
                f"above the local step bound 2/λmax. Try lr = {number(rule.lr / 2, 3)} "
                f"or smaller.")
    where = "2/λmax" if bound.quadratic else "the local bound 2/λmax at the last point"
    relation = ("at" if abs(rule.lr - bound.bound) <= 1e-6 * bound.bound
                else "above" if rule.lr > bound.bound else "just below")
    effect = ("the iterates oscillate without converging" if relation != "just below"
              else "the iterates oscillate and converge only very slowly")
    if bound.best is not None and bound.best < rule.lr:
        there = "" if bound.quadratic else " there"
        tip = f"try lr = {bound.best_text()} (the fastest fixed step{there}) or smaller"
    else:
        tip = f"try lr = {number(bound.bound / 2, 3)} or smaller"
    return f"{lr} is {relation} {where} = {bound.bound_text()}: {effect}; {tip}."


def line_search_advice(obj: Any, rule: StepRule, last: Any, at: str, tol: float) -> str:
    """What a run whose step rule returned the same point says, and what to try."""
    gn = last.grad_norm
    if rule.name in ("backtracking", "newton"):
        along = "−∇f" if rule.name == "backtracking" else "the Newton direction"
        scale = abs(last.loss) if math.isfinite(last.loss) else 0.0
        head = (f"the line search ({rule.name} rule) found no decrease along {along} "
                f"{at}, where the gradient norm is {gn:.3g}: no step from lr down to "
                f"lr·2⁻⁶⁰ lowered the loss, so the point would repeat forever.")
        size = max(1.0, float(np.linalg.norm(last.x)))
        smallest = rule.lr * 2.0 ** -60 * gn      # the shortest backtracking step tried
        if rule.name == "backtracking" and smallest > 1e-3 * size:
            tip = (f" Even the shortest step tried, lr·2⁻⁶⁰·|∇f| = {smallest:.3g}, moves x "
                   f"far beyond its size ({size:.3g}): the gradient is huge, so the "
                   f"search must start from a much smaller lr (about |x|/|∇f| = "
                   f"{size / gn:.3g}), or rescale the objective (divide it by a typical "
                   f"value of f) or its variables.")
        elif tol >= 0 and gn <= 1e-6 * max(1.0, scale):
            tip = (f" The gradient is small: this is probably a minimum to machine "
                   f"precision, and tol = {tol:g} is tighter than the loss can resolve; "
                   f"try a looser tol or ftol.")
        else:
            tip = (" Steps this short change f by less than its rounding, so a smaller "
                   "starting lr would not help: the objective is probably badly scaled "
                   "(its values huge or tiny) or not smooth there; try rescaling it "
                   "(divide by a typical value of f), rescaling the variables, or "
                   "step=\"newton\".")
        return head + tip
    return (f"the {rule.name} step no longer changes the point {at}, where the gradient "
            f"norm is {gn:.3g}: the step is below the floating-point precision of x "
            f"(or its learning rate decayed to 0). Try a larger lr or a slower schedule, "
            f"or rescale the variables.")
