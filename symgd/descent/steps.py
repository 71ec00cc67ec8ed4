r"""Step rules: how a gradient becomes a step.

A rule is a pure pair of functions (the optax style): ``init(x0) -> state``
and ``update(grad, state, x, problem) -> (step, state)``; the new point is
``x - step``. State is never mutated: ``update`` returns a new one. Only
:func:`symgd.descend` keeps the current point. ``problem`` gives rules that
need more than the gradient (line searches, Newton) the objective's
``value(x)`` and ``hess(x)``.

Rules are chosen by name from :data:`RULES`:

=============== ==============================================================
``fixed``       :math:`s_t = \gamma_t g_t`
``momentum``    :math:`v_{t+1} = \beta v_t + g_t,\ s_t = \gamma_t v_{t+1}` (heavy ball)
``nesterov``    :math:`v_{t+1} = \beta v_t + g_t,\ s_t = \gamma_t (g_t + \beta v_{t+1})`
``adam``        :math:`m, v` moving averages of :math:`g, g^2`, bias-corrected;
                :math:`s_t = \gamma_t \hat m / (\sqrt{\hat v} + \epsilon)`
``adagrad``     :math:`G_{t+1} = G_t + g_t^2,\ s_t = \gamma_t g_t / (\sqrt{G_{t+1}} + \epsilon)`
``rmsprop``     :math:`v_{t+1} = \rho v_t + (1-\rho) g_t^2,\ s_t = \gamma_t g_t / (\sqrt{v_{t+1}} + \epsilon)`
``backtracking`` Armijo: the largest :math:`\gamma = \gamma_t \rho^k` with
                :math:`f(x - \gamma g) \le f(x) - c \gamma \lVert g\rVert^2`
``exact``       for a quadratic: :math:`\gamma = g^T g / g^T H g` (the
                minimum along :math:`-g`)
``newton``      :math:`s_t = \gamma (H + \mu I)^{-1} g_t`, :math:`\mu` = 0 where
                :math:`H` is positive definite, :math:`\gamma` by backtracking
=============== ==============================================================

:math:`\gamma_t` is ``lr`` times a schedule (:data:`SCHEDULES`): ``constant``,
``step`` (:math:`\gamma \cdot d^{\lfloor t/k\rfloor}`), ``inverse``
(:math:`\gamma / (1 + d t)`), ``exponential`` (:math:`\gamma d^t`).
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable, NamedTuple, Protocol

import numpy as np

from .._options import integer, real
from ..errors import InputError, InputTypeError

__all__ = ["StepRule", "RULES", "SCHEDULES", "get_rule", "check_lr", "schedule",
           "fixed", "momentum", "nesterov", "adam", "adagrad", "rmsprop", "backtracking",
           "exact", "newton",
           "ELEMENTWISE_RULES", "rule_options"]


class Problem(Protocol):
    """What a rule may ask of the objective besides the gradient."""

    def value(self, x: np.ndarray) -> float: ...

    def hess(self, x: np.ndarray) -> np.ndarray: ...


class StepRule(NamedTuple):
    """A step rule: ``init(x0) -> state``, ``update(g, state, x, problem) -> (step, state)``.

    ``lr`` is the base learning rate (for messages and the fast path) and
    ``plain`` is True for the fixed rule with a constant rate, which descent
    may compile into its loop; ``scheduled`` is True when the rate follows a
    schedule (advice for a slow run depends on it).
    """

    name: str
    init: Callable[[np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any]]
    lr: float
    plain: bool = False
    scheduled: bool = False


def check_lr(lr: object) -> float:
    """``lr`` as a positive finite float, or an InputError that says why."""
    value = real(lr, "lr", accepts="a positive finite number such as 0.01")
    if value <= 0:
        raise InputError(f"lr must be a positive finite number, got {lr!r}; "
                         "try a small value such as 0.01")
    return value


def _fraction(value: object, name: str, low: float = 0.0, high: float = 1.0) -> float:
    return real(value, name, low=low, high=high, high_open=True)


# ----------------------------------------------------------------- schedules

def schedule(kind: str = "constant", decay: float = 0.5,
             every: int = 100) -> Callable[[int], float]:
    """A learning-rate multiplier as a function of the iteration ``t``.

    >>> s = schedule("step", decay=0.5, every=10)
    >>> s(0), s(9), s(10), s(25)
    (1.0, 1.0, 0.5, 0.25)
    >>> schedule("inverse", decay=1.0)(3)
    0.25
    """
    if kind not in SCHEDULES:
        raise InputError(f"unknown schedule {kind!r}; choose one of {', '.join(SCHEDULES)}")
    if kind == "constant":
        return lambda t: 1.0
    every = integer(every, "every", low=1)
    if kind == "inverse":
        d = real(decay, "decay", low=0.0,
                 accepts="a finite number, 0 or more (the inverse schedule)")
        return lambda t: 1.0 / (1.0 + d * t)
    d = _fraction(decay, "decay", 0.0, 1.0 + 1e-12)
    if kind == "step":
        return lambda t: d ** (t // every)
    return lambda t: d ** t


SCHEDULES = ("constant", "step", "inverse", "exponential")


def _rate(lr: float, sched: str | Callable[[int], float] | None, **options: Any):
    if sched is None:
        if options:
            raise InputError(f"unknown option {sorted(options)[0]!r} for this step rule; "
                             "decay and every go with schedule=...")
        return lambda t: lr
    mult = sched if callable(sched) else schedule(sched, **options)
    return lambda t: lr * mult(t)


# ---------------------------------------------------------------------- rules

def fixed(lr: float, schedule: str | Callable[[int], float] | None = None,
          **options: Any) -> StepRule:
    r"""Plain gradient descent: :math:`x_{t+1} = x_t - \gamma_t \nabla f(x_t)`.

    >>> rule = fixed(0.1)
    >>> step, state = rule.update(np.array([2.0, -4.0]), rule.init(np.zeros(2)), None, None)
    >>> step
    array([ 0.2, -0.4])
    """
    lr = check_lr(lr)
    rate = _rate(lr, schedule, **options)

    def init(x0: np.ndarray) -> int:
        return 0

    def update(grad: np.ndarray, t: int, x: Any, problem: Any = None) -> tuple:
        return rate(t) * grad, t + 1

    return StepRule("fixed", init, update, lr, plain=schedule is None)


def momentum(lr: float, beta: float = 0.9, schedule: Any = None, **options: Any) -> StepRule:
    r"""Heavy-ball momentum: :math:`v_{t+1} = \beta v_t + g_t`, step :math:`\gamma_t v_{t+1}`.

    >>> rule = momentum(0.1, beta=0.5)
    >>> s = rule.init(np.zeros(1))
    >>> step, s = rule.update(np.array([1.0]), s, None, None)
    >>> step, s = rule.update(np.array([1.0]), s, None, None)
    >>> step
    array([0.15])
    """
    return _velocity_rule("momentum", lr, beta, schedule, options, look_ahead=False)


def nesterov(lr: float, beta: float = 0.9, schedule: Any = None, **options: Any) -> StepRule:
    r"""Nesterov momentum: :math:`v_{t+1} = \beta v_t + g_t`, step :math:`\gamma_t(g_t + \beta v_{t+1})`.

    (The look-ahead written with the gradient at :math:`x_t`, as in PyTorch.)
    """
    return _velocity_rule("nesterov", lr, beta, schedule, options, look_ahead=True)


def _velocity_rule(name: str, lr: float, beta: float, schedule: Any,
                   options: dict[str, Any], look_ahead: bool) -> StepRule:
    """Momentum (step along v) or Nesterov (step along g + beta*v)."""
    lr, beta = check_lr(lr), _fraction(beta, "beta")
    rate = _rate(lr, schedule, **options)

    def init(x0: np.ndarray) -> tuple:
        return 0, np.zeros_like(np.asarray(x0, dtype=float))

    def update(grad: np.ndarray, state: tuple, x: Any, problem: Any = None) -> tuple:
        t, v = state
        v = beta * v + grad
        return rate(t) * (grad + beta * v if look_ahead else v), (t + 1, v)

    return StepRule(name, init, update, lr)


def adam(lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
         schedule: Any = None, **options: Any) -> StepRule:
    r"""Adam: bias-corrected moving averages of :math:`g` and :math:`g^2`.

    :math:`m_{t+1} = \beta_1 m_t + (1-\beta_1) g_t`,
    :math:`v_{t+1} = \beta_2 v_t + (1-\beta_2) g_t^2`, step
    :math:`\gamma_t \hat m / (\sqrt{\hat v} + \epsilon)` with
    :math:`\hat m = m_{t+1}/(1-\beta_1^{t+1})`, :math:`\hat v = v_{t+1}/(1-\beta_2^{t+1})`.

    >>> rule = adam(0.1)
    >>> step, _ = rule.update(np.array([5.0, -0.01]), rule.init(np.zeros(2)), None, None)
    >>> np.round(step, 6)   # the first step has size lr in every coordinate
    array([ 0.1, -0.1])
    """
    lr = check_lr(lr)
    beta1, beta2 = _fraction(beta1, "beta1"), _fraction(beta2, "beta2")
    eps = _positive(eps, "eps")
    rate = _rate(lr, schedule, **options)

    def init(x0: np.ndarray) -> tuple:
        zero = np.zeros_like(np.asarray(x0, dtype=float))
        return 0, zero, zero

    def update(grad: np.ndarray, state: tuple, x: Any, problem: Any = None) -> tuple:
        t, m, v = state
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        m_hat = m / (1 - beta1 ** (t + 1))
        v_hat = v / (1 - beta2 ** (t + 1))
        return rate(t) * m_hat / (np.sqrt(v_hat) + eps), (t + 1, m, v)

    return StepRule("adam", init, update, lr, scheduled=schedule is not None)


def adagrad(lr: float, eps: float = 1e-10, schedule: Any = None, **options: Any) -> StepRule:
    r"""AdaGrad (Duchi, Hazan and Singer, 2011): each coordinate's step is
    divided by the root of the sum of its squared gradients so far.

    :math:`G_{t+1} = G_t + g_t^2`, step :math:`\gamma_t g_t / (\sqrt{G_{t+1}} + \epsilon)`,
    with :math:`G_0 = 0` and :math:`\epsilon = 10^{-10}`, as ``torch.optim.Adagrad``.
    Steps shrink as the squares add up, so AdaGrad needs a larger ``lr`` than
    plain descent (0.1 to 1 is usual).

    >>> rule = adagrad(0.5)
    >>> step, state = rule.update(np.array([4.0, -0.01]), rule.init(np.zeros(2)), None, None)
    >>> np.round(step, 6)   # the first step has size lr in every coordinate
    array([ 0.5, -0.5])
    >>> step, _ = rule.update(np.array([4.0, -0.01]), state, None, None)
    >>> np.round(step, 6)   # the same gradient again: lr / sqrt(2)
    array([ 0.353553, -0.353553])
    """
    lr = check_lr(lr)
    eps = _positive(eps, "eps")
    return _root_scaled("adagrad", lr, 1.0, 1.0, eps, _rate(lr, schedule, **options), False)


def rmsprop(lr: float, rho: float = 0.9, eps: float = 1e-8, schedule: Any = None,
            **options: Any) -> StepRule:
    r"""RMSProp (Tieleman and Hinton, 2012): each coordinate's step is divided
    by the root of a moving average of its squared gradients.

    :math:`v_{t+1} = \rho v_t + (1-\rho) g_t^2`, step
    :math:`\gamma_t g_t / (\sqrt{v_{t+1}} + \epsilon)`, with :math:`v_0 = 0`
    (``torch.optim.RMSprop`` with ``alpha=rho``; ``rho = 0.9`` as in the
    lecture that introduced it and in Keras).

    >>> rule = rmsprop(0.01, rho=0.9)
    >>> step, _ = rule.update(np.array([3.0, -0.02]), rule.init(np.zeros(2)), None, None)
    >>> np.round(step, 6)   # first step: lr / sqrt(1 - rho) in every coordinate
    array([ 0.031623, -0.031623])
    """
    lr = check_lr(lr)
    rho = _fraction(rho, "rho")
    eps = _positive(eps, "eps")
    return _root_scaled("rmsprop", lr, rho, 1 - rho, eps, _rate(lr, schedule, **options),
                        schedule is not None)


def _root_scaled(name: str, lr: float, keep: float, add: float, eps: float,
                 rate: Callable[[int], float], scheduled: bool) -> StepRule:
    """A rule that divides each coordinate's step by the root of a running
    sum of squared gradients, ``s <- keep * s + add * g^2`` (AdaGrad: 1, 1;
    RMSProp: rho, 1 - rho)."""

    def init(x0: np.ndarray) -> tuple:
        return 0, np.zeros_like(np.asarray(x0, dtype=float))

    def update(grad: np.ndarray, state: tuple, x: Any, problem: Any = None) -> tuple:
        t, squares = state
        squares = keep * squares + add * grad * grad
        return rate(t) * grad / (np.sqrt(squares) + eps), (t + 1, squares)

    return StepRule(name, init, update, lr, scheduled=scheduled)


def _positive(value: object, name: str) -> float:
    return real(value, name, low=0.0, low_open=True)


def _armijo(problem: Problem, x: np.ndarray, grad: np.ndarray, direction: np.ndarray,
            gamma: float, shrink: float, c: float, tries: int) -> float:
    """The largest gamma * shrink**k with f(x - γd) <= f(x) - c γ g·d (0 if none)."""
    fx = problem.value(x)
    slope = float(grad @ direction)
    for _ in range(tries):
        trial = problem.value(x - gamma * direction)
        if math.isfinite(trial) and trial <= fx - c * gamma * slope:
            return gamma
        gamma *= shrink
    return 0.0


def backtracking(lr: float = 1.0, shrink: float = 0.5, c: float = 1e-4,
                 max_halvings: int = 60, schedule: Any = None, **options: Any) -> StepRule:
    r"""Armijo backtracking line search along :math:`-g`.

    Try :math:`\gamma = \min(\gamma_t, 2\gamma_{prev})` and multiply by
    ``shrink`` until :math:`f(x - \gamma g) \le f(x) - c\,\gamma\,\lVert g\rVert^2`
    (starting from twice the last accepted step saves evaluations where the
    good step is much smaller than ``lr``).
    """
    lr = check_lr(lr)
    shrink = _fraction(shrink, "shrink", 1e-6, 1.0)
    c = _fraction(c, "c", 0.0, 1.0)
    rate = _rate(lr, schedule, **options)

    def init(x0: np.ndarray) -> tuple:
        return 0, math.inf

    def update(grad: np.ndarray, state: tuple, x: np.ndarray, problem: Problem) -> tuple:
        t, previous = state
        gamma = _armijo(problem, x, grad, grad, min(rate(t), 2 * previous), shrink, c,
                        max_halvings)
        return gamma * grad, (t + 1, gamma if gamma > 0 else previous)

    return StepRule("backtracking", init, update, lr)


def exact(lr: float = 1.0) -> StepRule:
    r"""Exact line search for a quadratic: :math:`\gamma = g^T g / g^T H g`.

    ``lr`` scales the exact step (1 is the exact minimum along :math:`-g`).
    The objective's Hessian must be constant.
    """
    lr = check_lr(lr)

    def init(x0: np.ndarray) -> int:
        return 0

    def update(grad: np.ndarray, t: int, x: np.ndarray, problem: Problem) -> tuple:
        curvature = float(grad @ problem.hess(x) @ grad)
        if not curvature > 0:
            return np.zeros_like(grad), t + 1
        return lr * float(grad @ grad) / curvature * grad, t + 1

    return StepRule("exact", init, update, lr)


def newton(lr: float = 1.0, shrink: float = 0.5, c: float = 1e-4) -> StepRule:
    r"""Newton's method with the symbolic Hessian, made safe far from a minimum.

    The direction is :math:`d = (H + \mu I)^{-1} g`, with :math:`\mu = 0`
    where :math:`H` is positive definite (pure Newton) and otherwise just
    large enough to make it so, so :math:`d` always points downhill; the step
    :math:`\gamma d` starts at :math:`\gamma` = ``lr`` and is shortened by
    Armijo backtracking. Near a minimum this is Newton's method, converging
    quadratically.
    """
    lr = check_lr(lr)
    shrink = _fraction(shrink, "shrink", 1e-6, 1.0)
    c = _fraction(c, "c", 0.0, 1.0)

    def init(x0: np.ndarray) -> int:
        return 0

    def update(grad: np.ndarray, t: int, x: np.ndarray, problem: Problem) -> tuple:
        direction = _newton_direction(problem.hess(x), grad)
        gamma = _armijo(problem, x, grad, direction, lr, shrink, c, 60)
        return gamma * direction, t + 1

    return StepRule("newton", init, update, lr)


def _newton_direction(h: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """(H + μI)⁻¹ g with the smallest μ >= 0 (on a doubling scale) making H + μI
    positive definite; the gradient itself where H is not finite."""
    if not np.all(np.isfinite(h)):
        return grad
    n = len(grad)
    scale = max(1.0, float(np.abs(h).max()))
    mu = 0.0
    for _ in range(60):
        try:
            factor = np.linalg.cholesky(h + mu * np.eye(n))
            return np.linalg.solve(factor.T, np.linalg.solve(factor, grad))
        except np.linalg.LinAlgError:
            mu = max(2 * mu, 1e-3 * scale)
    return grad


RULES: dict[str, Callable[..., StepRule]] = {
    "fixed": fixed, "momentum": momentum, "nesterov": nesterov, "adam": adam,
    "adagrad": adagrad, "rmsprop": rmsprop,
    "backtracking": backtracking, "exact": exact, "newton": newton,
}

# Rules whose update works coordinate by coordinate on arrays of any shape,
# so many runs can step together (see symgd.descent.many.descend_many).
ELEMENTWISE_RULES = frozenset({"fixed", "momentum", "nesterov", "adam", "adagrad", "rmsprop"})


def get_rule(name: str | StepRule, lr: float, **options: Any) -> StepRule:
    """The rule called ``name`` with learning rate ``lr`` and its options.

    >>> get_rule("fixed", 0.5).lr
    0.5
    >>> get_rule("adam", 0.01, beta1=0.8).name
    'adam'
    """
    if isinstance(name, StepRule):
        if options:
            raise InputError("options apply to a rule given by name, not to a StepRule")
        return name
    if not isinstance(name, str) or name not in RULES:
        raise InputError(f"unknown step rule {name!r}; choose one of "
                         f"{', '.join(sorted(RULES))}")
    _check_options(name, options)
    try:
        return RULES[name](lr, **options)
    except TypeError as err:
        raise InputTypeError(f"step rule {name!r}: {err}") from None


# Keywords of other optimizers that people pass to descend by habit.
_FOREIGN = ("bounds", "method", "jac", "hess", "constraints", "options", "x0")
# What a schedule takes (see schedule()), besides its kind.
_SCHEDULE_OPTIONS = ("decay", "every")


def rule_options(name: str) -> tuple[str, ...]:
    """The options of the rule ``name``, from its factory's signature (and,
    for rules with a schedule, the schedule's ``decay`` and ``every``).

    >>> rule_options("momentum")
    ('beta', 'schedule', 'decay', 'every')
    >>> rule_options("newton")
    ('shrink', 'c')
    """
    params = list(inspect.signature(RULES[name]).parameters.values())[1:]   # after lr
    named = tuple(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
    return named + (_SCHEDULE_OPTIONS if "schedule" in named else ())


def _check_options(name: str, options: dict[str, Any]) -> None:
    """An InputTypeError that names the rule and its options for an unknown one."""
    known = rule_options(name)
    unknown = sorted(k for k in options if k not in known)
    if not unknown:
        if "schedule" in known and options.get("schedule") is None:
            loose = [k for k in _SCHEDULE_OPTIONS if k in options]
            if loose:
                raise InputError(f"option {loose[0]!r} of the step rule {name!r} goes with "
                                 f"a schedule: add schedule=\"step\", \"inverse\" or "
                                 f"\"exponential\"")
        return
    text = (f"unknown option{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(k) for k in unknown)} for the step rule {name!r}; its options "
            f"are {', '.join(known) if known else '(none)'} (and lr)")
    foreign = [k for k in unknown if k in _FOREIGN]
    if foreign:
        text += (f". {', '.join(repr(k) for k in foreign)} "
                 f"{'is' if len(foreign) == 1 else 'are'} not an argument of descend, which "
                 f"is unconstrained gradient descent: for bounds, constraints or another "
                 f"method use SciPy, e.g. scipy.optimize.minimize(obj.value, x0, "
                 f"jac=obj.grad, bounds=..., method=\"L-BFGS-B\") with "
                 f"obj = symgd.Objective(...)")
    raise InputTypeError(text)     # an unexpected keyword argument, as Python says
