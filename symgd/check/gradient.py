r"""Checking a claimed gradient or Hessian against the exact one.

A check has three parts: the values of both at random points
(:mod:`.sampling`), the likely mistake read from them (:mod:`.diagnose`),
and the exact work in a child process under the time limit
(:mod:`.symbolic`). This module puts them together into one
:class:`~symgd.check.reports.ComponentCheck` per component.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from .._isolate import NO_PROCESS, TIMED_OUT, call, forks
from .._text import number
from ..objective.core import Objective, as_objective
from .claims import Claim, gradient_claim, hessian_claim, is_function
from .diagnose import diagnose
from .reports import (DIFFERENT, EQUAL, UNDECIDED, ComponentCheck, Counterexample,
                      GradientReport, HessianReport, Mistake)
from .sampling import Samples, Settings, compare_at_points, settings
from .symbolic import BROKE, FINISHED, NO_WORKER, run, tasks
from .targets import Target, gradient_target, hessian_target

__all__ = ["check_gradient", "check_hessian"]


def check_gradient(objective: Any, claimed: Any, *, variables: Sequence[str] | None = None,
                   points: int = 20, seed: int = 0, timeout: float = 2.0,
                   rtol: float = 1e-7, atol: float = 1e-9) -> GradientReport:
    r"""Check a claimed gradient against the exact one.

    Each component gets a verdict: ``"equal"`` (SymPy reduced the difference
    to 0), ``"different"`` (a point where both are defined and differ, with
    both values there), or ``"undecided"`` (simplification did not decide in
    time; then the numeric comparison at random points is reported as such).
    A wrong component names the likely mistake when it is cheap to tell: a
    sign error, a constant factor, the partial with respect to another
    variable, exchanged variables, a missing chain-rule factor.

    Parameters
    ----------
    objective : Objective, str, sympy.Expr or callable
        Anything :class:`~symgd.Objective` accepts. For a data loss
        (:func:`~symgd.mse` ...), claimed text is the partial derivative of
        *one row's* loss, in the parameters and the data names, e.g.
        ``"2*weight*(w*weight + b - mpg)"``; symgd averages it over the rows.
    claimed : str, sequence, mapping or callable
        The partial derivatives in the order of the objective's variables,
        as text or SymPy: a list, a mapping ``{name: partial}``, or one
        string with the partials separated by commas (``"2x + y, 2y + x"``;
        commas inside parentheses do not separate). Or a Python function,
        ``grad(v) -> array`` of one vector or ``grad(x, y) -> sequence`` of
        one number per variable (told apart by its signature).
    variables : sequence of str, optional
        The variable order, when ``objective`` is not an Objective already.
    points : int
        Random points at which values are compared.
    seed : int
        Seed of the random points.
    timeout : float
        Seconds for all the work on the claim together: reading and
        compiling it, comparing at the points, and the symbolic work. It runs
        in a child process that is killed at the limit; what is not decided
        by then gets the verdict ``"undecided"`` with the numeric comparison
        (or, when even reading and compiling the claim took longer, with
        nothing compared, said so).
    rtol, atol : float
        Two values agree when ``|a - b| <= atol + rtol * max(|a|, |b|)``.

    Returns
    -------
    GradientReport

    Raises
    ------
    ParseError
        Claimed text that cannot be read.
    InputError
        The wrong number of partials, names that are not variables, a
        function that raises everywhere or returns the wrong shape.

    Examples
    --------
    >>> r = check_gradient("sin(x^2)", ["cos(x^2)"])
    >>> print(r.components[0].summary())
    ∂f/∂x: claimed cos(x^2) is WRONG (chain rule): at (x = 0.68) claimed 0.894984, true 1.21718
    >>> print(r.components[0].mistake.detail)
    missing chain-rule factor 2*x, the derivative of the inner x**2
    """
    s = settings(points, seed, timeout, rtol, atol)
    return _within_limit(as_objective(objective, variables), claimed, s,
                         gradient_target, gradient_claim, GradientReport)


def check_hessian(objective: Any, claimed: Any, *, variables: Sequence[str] | None = None,
                  points: int = 20, seed: int = 0, timeout: float = 2.0,
                  rtol: float = 1e-7, atol: float = 1e-9) -> HessianReport:
    """Check a claimed Hessian against the exact one, entry by entry.

    ``claimed`` is a matrix: nested lists of text or SymPy, a SymPy Matrix,
    text with rows separated by ``;`` (``"2, 1; 1, 2"``) or written as
    ``"[[2, 1], [1, 2]]"``, or a Python function ``hess(v) -> (n, n) array``
    (or ``hess(x, y)``). Other parameters as in :func:`check_gradient`.

    >>> r = check_hessian("x^2 + x*y + y^2", "2, 1; 1, 2")
    >>> r.ok, len(r.components)
    (True, 4)
    """
    s = settings(points, seed, timeout, rtol, atol)
    return _within_limit(as_objective(objective, variables), claimed, s,
                         hessian_target, hessian_claim, HessianReport)


_REPLY_SECONDS = 0.5     # beyond the limit, for the child to send its report back


def _within_limit(obj: Objective, claimed: Any, s: Settings,
                  target_of: Callable[..., Target], claim_of: Callable[[Any, Target], Claim],
                  report: type) -> Any:
    """The check in a child killed after ``s.timeout`` s, so that reading and
    compiling the claim count against the limit too. Without a child process
    (a sandbox), or where a child cannot share this process's memory (no
    ``fork``: the claim may be a lambda), it runs here, and only the symbolic
    part is limited."""
    function = is_function(claimed)

    def check(deadline: float) -> Any:
        target = target_of(obj, function=function)
        return _check(target, claim_of(claimed, target), s, report, deadline)

    start = time.monotonic()
    deadline = start + s.timeout
    if not forks():
        return check(deadline)
    outcome = call(check, (deadline,), s.timeout + _REPLY_SECONDS)
    if outcome is NO_PROCESS:
        return check(deadline)
    if outcome is TIMED_OUT:
        return _over_time(target_of(obj, function=function), s, report,
                          time.monotonic() - start)
    return outcome


def _started(deadline: float, s: Settings) -> float:
    """When the check began (the time limit counts from there)."""
    return deadline - s.timeout


def _over_time(target: Target, s: Settings, report: type, elapsed: float) -> Any:
    """The report when even reading and compiling the claim took too long."""
    reason = (f"reading and compiling the claim took longer than timeout = "
              f"{number(s.timeout)} s, so nothing was compared; give a larger timeout")
    components = tuple(ComponentCheck(
        label=target.labels[c], variables=tuple(target.obj.names[i] for i in target.wrt[c]),
        claimed="(not read in time)", true=target.shown[c], verdict=UNDECIDED,
        method="none", points_used=0, points_agree=0, reason=reason)
        for c in range(target.size))
    return report(objective=str(target.obj), variables=target.obj.names,
                  components=components, points=s.points, seed=s.seed, timeout=s.timeout,
                  elapsed=elapsed, symbolic_finished=False, note=target.note)


def _check(target: Target, claim: Claim, s: Settings, report: type,
           deadline: float) -> Any:
    start = _started(deadline, s)
    num = compare_at_points(target, claim, s)
    mistakes = [diagnose(c, target, num, s) if num.witness[c] is not None else None
                for c in range(target.size)]
    symbolic: dict[int, dict[str, tuple]] = {}
    status = FINISHED
    if claim.exprs is not None:
        symbolic, status = run(tasks(target, claim, num, mistakes, s),
                               deadline - time.monotonic())
    components = tuple(_component(c, target, claim, num, mistakes[c], symbolic.get(c, {}),
                                  s, status) for c in range(target.size))
    return report(objective=str(target.obj), variables=target.obj.names,
                  components=components, points=s.points, seed=s.seed, timeout=s.timeout,
                  elapsed=time.monotonic() - start, symbolic_finished=status == FINISHED,
                  note=target.note)


def _component(c: int, target: Target, claim: Claim, num: Samples, mistake: Mistake | None,
               symbolic: dict[str, tuple], s: Settings, status: str) -> ComponentCheck:
    """The verdict on component ``c`` from everything found about it."""
    used = int(num.both[:, c].sum())
    undefined = np.flatnonzero(np.isfinite(num.T[:, c]) & ~np.isfinite(num.A[:, c]))
    base = dict(label=target.labels[c],
                variables=tuple(target.obj.names[i] for i in target.wrt[c]),
                claimed=claim.shown[c], true=target.shown[c], points_used=used,
                points_agree=int(num.close[:, c].sum()), points_skipped=len(undefined),
                from_function=claim.function is not None,
                undefined_at=_example(target, num, c, undefined))
    if "refuted" in symbolic:      # float64 rounding only: 30 digits agree everywhere
        base["points_agree"] = used
    if claim.exprs is not None and num.witness[c] is None and \
            sp.S(claim.exprs[c] - target.exprs[c]) == 0:
        return ComponentCheck(verdict=EQUAL, method="symbolic", step="as written", **base)
    if "equal" in symbolic:
        return ComponentCheck(verdict=EQUAL, method="symbolic", step=symbolic["equal"][0],
                              **base)
    if num.witness[c] is not None and "refuted" not in symbolic:
        j, values = num.witness[c], None
        if "confirmed" in symbolic:
            j, *values = symbolic["confirmed"]
        a, t = values or (num.A[j, c], num.T[j, c])
        where = {n: float(v) for n, v in zip(target.names, num.P[j])}
        if mistake is None and "ratio" in symbolic:
            mistake = _factor_mistake(*symbolic["ratio"])
        return ComponentCheck(verdict=DIFFERENT, method="counterexample",
                              counterexample=Counterexample(where, float(a), float(t)),
                              mistake=mistake, **base)
    return ComponentCheck(verdict=UNDECIDED, method="numeric",
                          reason=_undecided_reason(claim, symbolic, s, status), **base)


def _factor_mistake(kind: str, ratio: str) -> Mistake:
    if kind == "missing":
        return Mistake("missing factor", f"the true value is {ratio} times the claimed one: a "
                       "factor is missing (a chain-rule factor?)")
    return Mistake("extra factor", f"the claimed value is {ratio} times the true one")


def _example(target: Target, num: Samples, c: int, rows: np.ndarray) -> Counterexample | None:
    if not len(rows):
        return None
    j = int(rows[0])
    where = {n: float(v) for n, v in zip(target.names, num.P[j])}
    return Counterexample(where, float(num.A[j, c]), float(num.T[j, c]))


def _undecided_reason(claim: Claim, symbolic: dict[str, tuple], s: Settings,
                      status: str) -> str:
    if claim.function is not None:
        return "a Python function can only be checked numerically"
    if "unproven" in symbolic:
        return "SymPy could not reduce the difference to 0"
    if status == NO_WORKER:
        return "no process could be started for the symbolic check"
    if status == BROKE:
        return "the symbolic check stopped with an error"
    return f"SymPy did not decide within {number(s.timeout)} s"
