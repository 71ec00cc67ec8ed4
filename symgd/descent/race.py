"""Step rules racing on one objective from one start: :func:`race`.

Each rule runs :func:`symgd.descend` with its own learning rate; the
:class:`Race` holds the results in order, says which rules converged and how
fast, and draws or animates them together (each run in its own colour).
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from .._report import Report
from .._text import number, plural
from ..errors import InputError, InputTypeError
from .loop import descend
from .result import Result, Status
from .steps import RULES, rule_options

__all__ = ["race", "Race", "RACE_RULES"]

#: The rules a race runs by default, the classic order of a lecture.
RACE_RULES = ("fixed", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


class Race(Report):
    """The runs of :func:`race`: one :class:`Result` per step rule, in order.

    ``race[i]`` or ``race["adam"]`` is one run; iterating gives the results.
    :meth:`plot` draws them together and :meth:`animate` animates them.

    Attributes
    ----------
    objective : Objective
    results : tuple of Result
    rules : tuple of str
    labels : tuple of str
        The legend entries: the rule and its learning rate.
    """

    def __init__(self, objective: Any, results: Sequence[Result], rules: Sequence[str],
                 labels: Sequence[str]) -> None:
        self.objective = objective
        self.results = tuple(results)
        self.rules = tuple(rules)
        self.labels = tuple(labels)

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)

    def __getitem__(self, key: int | str) -> Result:
        if isinstance(key, str):
            if key not in self.rules:
                raise InputError(f"no run of the rule {key!r} in this race; it ran "
                                 f"{', '.join(self.rules)}")
            return self.results[self.rules.index(key)]
        return self.results[key]

    def winner(self) -> str | None:
        """The rule that converged in the fewest steps (None when none converged)."""
        done = [(r.nit, k) for k, r in enumerate(self.results) if r.success]
        return self.rules[min(done)[1]] if done else None

    # ------------------------------------------------------------ report

    def headline(self) -> str:
        won = self.winner()
        done = sum(r.success for r in self.results)
        head = f"race of {plural(len(self), 'step rule')} on {self.objective.label}: " \
               f"{done} converged"
        return head + (f", fastest {won}" if won else "")

    def _outcome(self, k: int) -> str:
        return {Status.CONVERGED: "converged", Status.SMALL_CHANGE: "converged (ftol)",
                Status.MAX_ITER: "stopped at max_iter", Status.DIVERGED: "diverged",
                Status.NOT_FINITE: "became nan or infinite",
                Status.OSCILLATING: "oscillated", Status.UNBOUNDED: "unbounded below",
                Status.LINE_SEARCH_FAILED: "line search failed",
                Status.CALLBACK: "stopped by the callback"}[Status(self.results[k].status)]

    def _row(self, k: int) -> str:
        r = self.results[k]
        return (f"{self.rules[k]:<12} lr = {number(r.lr, 4):<9} {self._outcome(k):<22} "
                f"{plural(r.nit, 'step'):<12} f = {r.fun:.6g}")

    def text(self) -> str:
        return "\n".join([self.headline(), *(self._row(k) for k in range(len(self)))])

    def markdown(self) -> str:
        lines = [f"**{self.headline()}**", "", "| rule | lr | outcome | steps | f |",
                 "|---|---|---|---|---|"]
        for k, r in enumerate(self.results):
            lines.append(f"| {self.rules[k]} | {number(r.lr, 4)} | {self._outcome(k)} | "
                         f"{r.nit} | "
                         f"{r.fun:.6g} |")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"objective": str(self.objective), "winner": self.winner(),
                "runs": [{"rule": rule, **r.to_dict(), "lr": r.lr}
                         for rule, r in zip(self.rules, self.results)]}

    def __repr__(self) -> str:
        return f"<Race: {len(self)} rules, {sum(r.success for r in self.results)} converged>"

    # ------------------------------------------------------------ figures

    def plot(self, kind: str = "contour", **options: Any) -> Any:
        """The runs on one figure: ``kind`` is ``"contour"`` (two variables),
        ``"surface"``, ``"loss"`` or ``"slice"`` (one variable); the options go
        to that plot function."""
        from .. import plot as plots
        if kind == "loss":
            options.setdefault("log", True)
            return plots.plot_loss(self, labels=self.labels, name=self.objective.label,
                                   **options)
        if kind == "contour":
            options.setdefault("arrows", False)
            return plots.plot_contour(self.objective, self, labels=self.labels, **options)
        if kind == "surface":
            return plots.plot_surface(self.objective, self, labels=self.labels, **options)
        raise InputError(f"kind must be 'contour', 'surface' or 'loss', got {kind!r}")

    def animate(self, **options: Any) -> Any:
        """The runs as one animation: see :func:`symgd.animate`."""
        from ..plot.animate import animate
        options.setdefault("labels", self.labels)
        return animate(self.objective, self, **options)


def race(objective: Any, start: Any, rules: Sequence[str] = RACE_RULES,
         lr: float | Mapping[str, float] = 0.01, *, max_iter: int = 1000,
         tol: float | None = 1e-8, **options: Any) -> Race:
    r"""Run several step rules from one start and compare them.

    Parameters
    ----------
    objective : Objective or anything it accepts
    start : point
        The common start.
    rules : sequence of str
        Step rules by name (see :data:`symgd.descent.RULES`); by default
        fixed, momentum, nesterov, adagrad, rmsprop and adam.
    lr : float or mapping of rule name to float
        One learning rate for every rule, or one per rule (every rule of
        the race must then have one). Adaptive rules (adagrad, rmsprop,
        adam) take steps of about ``lr`` per coordinate, so a fair race
        usually gives them their own rate.
    max_iter, tol
        As in :func:`symgd.descend`, for every run.
    **options
        Options of the step rules (``beta``, ``rho``, ``eps``, ...): each goes
        to the rules that take it; an option no rule of the race takes is an
        error.

    Returns
    -------
    Race

    Examples
    --------
    >>> import symgd
    >>> r = symgd.race("x^2 + 10*y^2", [2, 1], rules=("fixed", "momentum", "adam"),
    ...                lr={"fixed": 0.09, "momentum": 0.02, "adam": 0.1}, max_iter=2000)
    >>> print(r)
    race of 3 step rules on f: 3 converged, fastest fixed
    fixed        lr = 0.09      converged              101 steps    f = 1.58416e-17
    momentum     lr = 0.02      converged              369 steps    f = 1.881e-17
    adam         lr = 0.1       converged              373 steps    f = 1.79561e-17
    >>> r["adam"].nit
    373
    """
    from ..objective.core import as_objective
    obj = as_objective(objective)
    if isinstance(rules, str) or not isinstance(rules, Sequence) or not rules:
        raise InputTypeError(f"rules must be a list of step rule names, got {rules!r:.60}")
    rules = tuple(rules)
    for rule in rules:
        if rule not in RULES:
            raise InputError(f"unknown step rule {rule!r}; choose from "
                             f"{', '.join(sorted(RULES))}")
    if len(set(rules)) != len(rules):
        raise InputError(f"rules lists a rule twice: {', '.join(rules)}")
    rates = _rates(lr, rules)
    taken = {key for rule in rules for key in rule_options(rule)}
    unused = sorted(set(options) - taken)
    if unused:
        raise InputTypeError(f"no rule of this race takes the option "
                             f"{', '.join(repr(k) for k in unused)}; the rules' options are "
                             f"{', '.join(sorted(taken)) or '(none)'}")
    results = []
    for rule in rules:
        own = {k: v for k, v in options.items() if k in rule_options(rule)}
        results.append(descend(obj, start, lr=rates[rule], step=rule, max_iter=max_iter,
                               tol=tol, **own))
    labels = [f"{rule}, $\\gamma = {number(rates[rule], 3)}$" for rule in rules]
    return Race(obj, results, rules, labels)


def _rates(lr: float | Mapping[str, float], rules: tuple[str, ...]) -> dict[str, float]:
    if isinstance(lr, Mapping):
        missing = [r for r in rules if r not in lr]
        extra = [r for r in lr if r not in rules]
        if missing or extra:
            raise InputError(f"lr must give a rate for each rule of the race"
                             f"{': missing ' + ', '.join(missing) if missing else ''}"
                             f"{'; not in the race: ' + ', '.join(map(str, extra)) if extra else ''}")
        return {r: lr[r] for r in rules}
    if isinstance(lr, (bool, str)) or not isinstance(lr, (int, float, np.number)) \
            or not math.isfinite(float(lr)):
        raise InputTypeError(f"lr must be a number or a mapping of rule names to numbers, "
                             f"got {lr!r:.60}")
    return {r: float(lr) for r in rules}
