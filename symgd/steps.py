"""Step rules: how a gradient becomes a step.

A rule is a pure pair of functions (the optax style): ``init(x0) -> state``
and ``update(grad, state, x) -> (step, state)``. The new point is
``x - step``. State is never mutated; only :func:`symgd.descend` keeps the
current point. Rules are chosen by name from :data:`RULES`.
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

from .exceptions import InputError, InputTypeError

__all__ = ["StepRule", "fixed", "RULES", "get_rule", "check_lr"]


class StepRule(NamedTuple):
    """A step rule: ``init(x0) -> state``, ``update(g, state, x) -> (step, state)``.

    ``lr`` is the base learning rate, for messages and the fast path.
    """

    name: str
    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any, np.ndarray], tuple[np.ndarray, Any]]
    lr: float


def check_lr(lr: object) -> float:
    """``lr`` as a positive finite float, or an InputError that says why."""
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)) \
            and not hasattr(lr, "__float__"):
        raise InputTypeError(f"lr must be a number, got {type(lr).__name__} {lr!r:.40}")
    value = float(lr)
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"lr must be a positive finite number, got {lr!r}; "
                         "try a small value such as 0.01")
    return value


def fixed(lr: float) -> StepRule:
    r"""Plain gradient descent: :math:`x_{t+1} = x_t - \gamma \nabla f(x_t)`.

    >>> rule = fixed(0.1)
    >>> step, state = rule.update(np.array([2.0, -4.0]), rule.init(np.zeros(2)), None)
    >>> step
    array([ 0.2, -0.4])
    """
    lr = check_lr(lr)

    def init(x0: np.ndarray) -> None:
        return None

    def update(grad: np.ndarray, state: None, x: np.ndarray) -> tuple[np.ndarray, None]:
        return lr * grad, state

    return StepRule("fixed", init, update, lr)


RULES: dict[str, Callable[..., StepRule]] = {"fixed": fixed}


def get_rule(name: str | StepRule, lr: float, **options: Any) -> StepRule:
    """The rule called ``name`` with learning rate ``lr``.

    >>> get_rule("fixed", 0.5).lr
    0.5
    """
    if isinstance(name, StepRule):
        return name
    if not isinstance(name, str) or name not in RULES:
        raise InputError(f"unknown step rule {name!r}; choose one of "
                         f"{', '.join(sorted(RULES))}")
    try:
        return RULES[name](lr, **options)
    except TypeError as err:
        raise InputTypeError(f"step rule {name!r}: {err}") from None
