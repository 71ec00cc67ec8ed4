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
from .._text import names_list, number, quote
from ..errors import InputError
from ..objective.core import Objective, as_objective
from .claims import Claim, gradient_claim, hessian_claim, is_function
from .diagnose import diagnose
from .reports import (DIFFERENT, EQUAL, REQUIRE, UNDECIDED, ComponentCheck, Counterexample,
                      GradientReport, HessianReport, Mistake)
from .sampling import Samples, Settings, compare_at_points, settings
from .symbolic import BROKE, FINISHED, NO_WORKER, run, tasks
from .targets import Target, gradient_target, hessian_target

__all__ = ["check_gradient", "check_hessian"]


def check_gradient(objective: Any, claimed: Any, *, variables: Sequence[str] | None = None,
                   points: int = 20, seed: int = 0, timeout: float = 2.0,
                   rtol: float = 1e-7, atol: float = 0.0,
                   require: str = "numeric") -> GradientReport:
    r"""Check a claimed gradient against the exact one.

    Each component gets a verdict: ``"equal"`` (SymPy reduced the difference
    to 0), ``"different"`` (a point where the function, the claim and the
    true derivative are real and finite and the two differ, with both values
    there; a claim that is right on part of the domain says where), or
    ``"undecided"`` (simplification did not decide in time; then the numeric
    comparison at random points is reported as such, "not proven"). When the
    difference is a rational function (polynomial and rational claims), it
    is decided exactly, never by sampling.
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
        Two values agree when ``|a - b| <= atol + rtol * max(|a|, |b|, s)``,
        where ``s`` is a tiny fraction (1e-6) of the typical size of the true
        values at the points, so that round-off near a zero is tolerated.
        atol=0 by default: a small derivative is compared relative to its
        size (the gradient of ``1e-10*x^2`` as strictly as that of ``x^2``).
    require : {"numeric", "proof"}
        What counts as right. ``"numeric"``: proven equal, or undecided but
        equal at every random point (the report says "not proven").
        ``"proof"`` (an autograder's strict mode): only proven equality;
        undecided is not ok (``symgd check --strict`` exits 3).

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
    df/dx: claimed cos(x^2) is WRONG (chain rule): at (x = 0.68) claimed 0.894984, true 1.21718
    >>> print(r.components[0].mistake.detail)
    missing chain-rule factor 2*x, the derivative of the inner x**2
    """
    s = settings(points, seed, timeout, rtol, atol)
    return _within_limit(as_objective(objective, variables), claimed, s,
                         gradient_target, gradient_claim, GradientReport, _require(require))


def check_hessian(objective: Any, claimed: Any, *, variables: Sequence[str] | None = None,
                  points: int = 20, seed: int = 0, timeout: float = 2.0,
                  rtol: float = 1e-7, atol: float = 0.0,
                  require: str = "numeric") -> HessianReport:
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
                         hessian_target, hessian_claim, HessianReport, _require(require))


def _require(require: Any) -> str:
    """``require``, or an InputError naming the options."""
    if not isinstance(require, str) or require not in REQUIRE:
        raise InputError(f"require must be one of {names_list(REQUIRE)}, got {quote(require)}")
    return require


_REPLY_SECONDS = 0.5     # beyond the limit, for the child to send its report back


def _within_limit(obj: Objective, claimed: Any, s: Settings,
                  target_of: Callable[..., Target], claim_of: Callable[[Any, Target], Claim],
                  report: type, require: str = "numeric") -> Any:
    """The check in a child killed after ``s.timeout`` s, so that reading and
    compiling the claim count against the limit too. Without a child process
    (a sandbox), or where a child cannot share this process's memory (no
    ``fork``: the claim may be a lambda), it runs here, and only the symbolic
    part is limited."""
    function = is_function(claimed)

    def check(deadline: float) -> Any:
        target = target_of(obj, function=function)
        return _check(target, claim_of(claimed, target), s, report, deadline, require)

    start = time.monotonic()
    deadline = start + s.timeout
    if not forks():
        return check(deadline)
    outcome = call(check, (deadline,), s.timeout + _REPLY_SECONDS)
    if outcome is NO_PROCESS:
        return check(deadline)
    if outcome is TIMED_OUT:
        return _over_time(target_of(obj, function=function), s, report,
                          time.monotonic() - start, require)
    return outcome


def _started(deadline: float, s: Settings) -> float:
    """When the check began (the time limit counts from there)."""
    return deadline - s.timeout


def _over_time(target: Target, s: Settings, report: type, elapsed: float,
               require: str) -> Any:
    """The report when even reading and compiling the claim took too long."""
    reason = (f"reading and compiling the claim took longer than timeout = "
              f"{number(s.timeout)} s, so nothing was compared; give a larger timeout")
    components = tuple(ComponentCheck(
        label=target.labels[c], variables=tuple(target.obj.names[i] for i in target.wrt[c]),
        claimed="(not read in time)", true=target.shown[c], verdict=UNDECIDED,
        method="none", points_used=0, points_agree=0, reason=reason, require=require)
        for c in range(target.size))
    return report(objective=str(target.obj), variables=target.obj.names,
                  components=components, points=s.points, seed=s.seed, timeout=s.timeout,
                  elapsed=elapsed, symbolic_finished=False, note=target.note, require=require)


def _check(target: Target, claim: Claim, s: Settings, report: type,
           deadline: float, require: str = "numeric") -> Any:
    start = _started(deadline, s)
    num = _in_domain(compare_at_points(target, claim, s), target)
    mistakes = [diagnose(c, target, num, s) if num.witness[c] is not None else None
                for c in range(target.size)]
    symbolic: dict[int, dict[str, tuple]] = {}
    status = FINISHED
    if claim.exprs is not None:
        symbolic, status = run(tasks(target, claim, num, mistakes, s),
                               deadline - time.monotonic())
    components = tuple(_component(c, target, claim, num, mistakes[c], symbolic.get(c, {}),
                                  s, status, require) for c in range(target.size))
    return report(objective=str(target.obj), variables=target.obj.names,
                  components=components, points=s.points, seed=s.seed, timeout=s.timeout,
                  elapsed=time.monotonic() - start, symbolic_finished=status == FINISHED,
                  note=target.note, require=require)


def _in_domain(num: Samples, target: Target) -> Samples:
    """Only the random points where the function differentiated is real and
    finite: outside its domain nothing is a counterexample."""
    keep = target.f_defined(num.P)
    if keep.all():
        return num
    out = Samples(num.P[keep], num.T[keep], num.A[keep], num.close[keep], num.both[keep], [])
    for c in range(target.size):
        differ = out.differing(c)
        out.witness.append(int(differ[0]) if len(differ) else None)
    return out


def _agrees_where(target: Target, num: Samples, c: int) -> str | None:
    """For a component that agrees at some random points and differs at
    others: the sign of one variable that separates them (``"x > 0"``), or
    ``""``; None when it agrees nowhere."""
    agree, differ = num.close[:, c], num.both[:, c] & ~num.close[:, c]
    if not agree.any() or not differ.any():
        return None
    for i, name in enumerate(target.names):
        v = num.P[:, i]
        for sign, op in ((1, ">"), (-1, "<")):
            if (sign * v[agree] > 0).all() and (sign * v[differ] < 0).all():
                return f"{name} {op} 0"
    return ""


def _component(c: int, target: Target, claim: Claim, num: Samples, mistake: Mistake | None,
               symbolic: dict[str, tuple], s: Settings, status: str,
               require: str = "numeric") -> ComponentCheck:
    """The verdict on component ``c`` from everything found about it."""
    used = int(num.both[:, c].sum())
    undefined = np.flatnonzero(np.isfinite(num.T[:, c]) & ~np.isfinite(num.A[:, c]))
    base = dict(label=target.labels[c],
                variables=tuple(target.obj.names[i] for i in target.wrt[c]),
                claimed=claim.shown[c], true=target.shown[c], points_used=used,
                points_agree=int(num.close[:, c].sum()), points_skipped=len(undefined),
                from_function=claim.function is not None,
                undefined_at=_example(target, num, c, undefined), require=require)
    if "refuted" in symbolic or "equal" in symbolic:   # float64 rounding only
        base["points_agree"] = used
    if claim.exprs is not None and num.witness[c] is None and \
            sp.S(claim.exprs[c] - target.exprs[c]) == 0:
        return ComponentCheck(verdict=EQUAL, method="symbolic", step="as written", **base)
    if "equal" in symbolic:
        return ComponentCheck(verdict=EQUAL, method="symbolic", step=symbolic["equal"][0],
                              **base)
    if mistake is None and "ratio" in symbolic:
        mistake = _factor_mistake(*symbolic["ratio"])
    if "proved" in symbolic or "far" in symbolic:   # exact, or far from the random points
        where, a, t = symbolic.get("proved") or symbolic["far"]
        method = "exact" if "proved" in symbolic else "counterexample"
        return ComponentCheck(verdict=DIFFERENT, method=method,
                              counterexample=Counterexample(where, float(a), float(t)),
                              mistake=mistake, agrees_where=_agrees_where(target, num, c)
                              if "proved" in symbolic else "" if base["points_agree"] else None,
                              **base)
    if num.witness[c] is not None and "refuted" not in symbolic:
        j, values = num.witness[c], None
        if "confirmed" in symbolic:
            j, *values = symbolic["confirmed"]
        a, t = values or (num.A[j, c], num.T[j, c])
        where = {n: float(v) for n, v in zip(target.names, num.P[j])}
        return ComponentCheck(verdict=DIFFERENT, method="counterexample",
                              counterexample=Counterexample(where, float(a), float(t)),
                              mistake=mistake, agrees_where=_agrees_where(target, num, c),
                              **base)
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
