"""The exact half of a check, done in a child process under the time limit.

For each component the child

0. decides the difference exactly when it is a rational function of the
   variables (as written, or after ``expand``): ``cancel`` leaves a
   polynomial numerator that is 0 or has a nonzero coefficient, and a
   nonzero one gets an exact point where it is nonzero and the function,
   the claim and the true derivative are real and finite (*proved*);
   nothing of the numeric comparison is needed for those;
1. confirms a counterexample: the values at a point where the float64
   values differ, again with 30 digits at the exact point (float64 rounding
   alone is not a mistake: when every such point agrees at 30 digits the
   difference is *refuted*, and the component goes on to step 3);
2. for a confirmed one with no mistake named yet, looks for a short factor
   ``r`` with ``true = r·claimed`` (or the other way round);
3. tries to reduce ``claimed - true`` to 0: the cheap steps of
   :func:`symgd.expr.equal.cheap_zero` for every component first, then a
   look for a counterexample far from the random points (magnitudes up to
   1400, at 30 digits, on the function's real domain: a Taylor polynomial
   or a claim right only for ``|x| < π`` differs there), then ``simplify``
   with what time is left.

Each result is sent to the parent as soon as it is known (``symgd._isolate``
streams the messages), so what was decided before the time limit is kept.
Where no child process can be started the check is numeric only.
"""

from __future__ import annotations

import time
from typing import Callable, NamedTuple, Sequence

import numpy as np
import sympy as sp

from .._isolate import FAILED, NO_PROCESS, TIMED_OUT, IsolatedError, call, limited
from ..expr.equal import cheap_zero, simplify_zero, values_at
from .claims import Claim
from .reports import Mistake
from .sampling import Samples, Settings
from .targets import Target

__all__ = ["Task", "tasks", "run", "work", "exact", "FINISHED", "EXPIRED", "NO_WORKER",
           "BROKE"]

FINISHED, EXPIRED, NO_WORKER, BROKE = "finished", "timed out", "no worker", "failed"

_MAX_CONFIRM = 5          # differing points re-evaluated with 30 digits, per component
_SHORT_RATIO_OPS = 20     # a symbolic ratio is shown only when this short


class Task(NamedTuple):
    """The symbolic work on one component (picklable, for the child)."""

    component: int
    claimed: sp.Expr
    true: sp.Expr
    rows: list[int]                         # random points where the values differ
    points: list[dict[sp.Symbol, sp.Rational]]   # the same points, exactly
    want_ratio: bool                        # no mistake named yet: look for a factor
    rtol: float
    atol: float
    source: sp.Expr | None = None           # the function differentiated (its domain)
    candidates: list[dict[sp.Symbol, sp.Rational]] = []   # exact points for a proof
    symbols: tuple[sp.Symbol, ...] = ()
    floor: float = 0.0                      # the scale floor of the comparison


Results = dict[int, dict[str, tuple]]     # component -> message kind -> its values


def tasks(target: Target, claim: Claim, num: Samples, diagnoses: Sequence[Mistake | None],
          s: Settings) -> list[Task]:
    """The components that need symbolic work (all but those equal as written)."""
    out = []
    candidates = [_exact_point(target.symbols, p) for p in num.P] + \
        _simple_points(target.symbols)
    for c in range(target.size):
        a, t = claim.exprs[c], target.exprs[c]
        if num.witness[c] is None and sp.S(a - t) == 0:
            continue                              # equal as written: nothing to do
        differ = num.differing(c)[:_MAX_CONFIRM]
        points = [_exact_point(target.symbols, num.P[j]) for j in differ]
        out.append(Task(c, a, t, [int(j) for j in differ], points, diagnoses[c] is None,
                        s.rtol, s.atol, target.source, candidates, target.symbols,
                        float(num.floor[c]) if len(num.floor) else 0.0))
    return out


def run(work_list: list[Task], timeout: float) -> tuple[Results, str]:
    """Do ``work_list`` in a child killed after ``timeout`` s.

    Returns the results by component and how it ended: :data:`FINISHED`,
    :data:`EXPIRED` (the time ran out), :data:`NO_WORKER` (no child process
    could be started) or :data:`BROKE` (the child raised).
    """
    results: Results = {}
    if not work_list:
        return results, FINISHED

    def receive(message: tuple) -> None:
        kind, c, *values = message
        results.setdefault(c, {})[kind] = tuple(values)

    try:
        outcome = call(work, (work_list, timeout), timeout, on_message=receive)
    except IsolatedError:
        return results, BROKE
    if outcome is NO_PROCESS:
        return results, NO_WORKER
    cut_short = outcome is TIMED_OUT or outcome is True
    return results, EXPIRED if cut_short else FINISHED


# ------------------------------------------------------------- in the child

def work(send: Callable[[tuple], None], work_list: list[Task], budget: float) -> bool:
    """In the child: confirm, find ratios, prove; send each result at once.
    Returns True when some work was cut short by the time limit."""
    end = time.monotonic() + budget

    def left() -> float:
        return end - time.monotonic()

    expired = False
    to_prove = []
    for task in work_list:
        c, a, t = task.component, task.claimed, task.true
        decided = limited(min(left(), budget / 4), exact, a, t, task.source, task.candidates)
        expired = expired or decided is TIMED_OUT
        if isinstance(decided, tuple) and decided[0] == "equal":
            send(("equal", c, "cancel"))
            continue
        if isinstance(decided, tuple):
            send(("proved", c, *decided[1:]))
            found = limited(min(left(), budget / 4), ratio, a, t) if task.want_ratio else None
            if isinstance(found, tuple):
                send(("ratio", c, *found))
            continue
        if not task.rows:
            to_prove.append((c, a - t, task))
            continue
        state, cut = _confirm_any(send, task, lambda: min(left(), budget / 4))
        expired = expired or cut
        if state == "refuted":
            send(("refuted", c))
            to_prove.append((c, a - t, task))
        elif state == "confirmed" and task.want_ratio:
            found = limited(min(left(), budget / 4), ratio, a, t)
            if isinstance(found, tuple):
                send(("ratio", c, *found))
    return _prove(send, to_prove, left) or expired


def _confirm_any(send: Callable[[tuple], None], task: Task,
                 slice_of: Callable[[], float]) -> tuple[str, bool]:
    """Re-evaluate the differing points exactly: ``"confirmed"`` (sent) at
    the first that still differs, ``"refuted"`` when all agree, else
    ``"unknown"``; and whether the time limit cut it short."""
    state = "refuted"
    for j, exact in zip(task.rows, task.points):
        values = limited(slice_of(), confirm, task.claimed, task.true, exact, task.rtol,
                         task.atol, task.floor)
        if isinstance(values, tuple):
            send(("confirmed", task.component, j, *values))
            return "confirmed", False
        if values is TIMED_OUT:
            return "unknown", True
        if values is FAILED:
            state = "unknown"
    return state, False


def _prove(send: Callable[[tuple], None], to_prove: list[tuple[int, sp.Expr, Task]],
           left: Callable[[], float]) -> bool:
    """Reduce each difference to 0: cheap steps for all first (half the time
    left), a look far out, then ``simplify``. Returns True when ``simplify``
    ran out of time."""
    expired = False
    pending = []
    for k, (c, d, task) in enumerate(to_prove):
        step = limited(0.5 * left() / (len(to_prove) - k), cheap_zero, d)
        if isinstance(step, str):
            send(("equal", c, step))
            continue
        far = limited(0.25 * left() / (len(to_prove) - k), far_out, task)
        if isinstance(far, tuple):
            send(("far", c, *far))
        else:
            pending.append((c, d))       # simplify decides, or runs out of time
    for k, (c, d) in enumerate(pending):
        step = limited(left() / (len(pending) - k), simplify_zero, d)
        if isinstance(step, str):
            send(("equal", c, step))
        elif step is TIMED_OUT:
            expired = True
        else:
            send(("unproven", c))
    return expired


def exact(a: sp.Expr, t: sp.Expr, source: sp.Expr | None,
          candidates: Sequence[dict[sp.Symbol, sp.Rational]]) -> tuple | None:
    """``a - t`` decided exactly when it is a rational function (with exact
    coefficients) of its symbols, as written or after ``expand``:
    ``("equal",)``, ``("different", point, a_value, t_value)`` at the first
    candidate point where the difference is nonzero and ``source``, ``a``
    and ``t`` are real and finite; else (not rational, or no such point
    among the candidates) None.

    >>> x = sp.Symbol("x", real=True)
    >>> exact(2*x, x**2 - (x - 1)**2 + 1, None, [])
    ('equal',)
    >>> exact(sp.Rational(20000001, 10**7)*x, 2*x, x**2, [{x: sp.Rational(1, 2)}])
    ('different', {'x': 0.5}, 1.00000005, 1.0)
    >>> print(exact(sp.cos(x), sp.sin(x), None, []))
    None
    """
    d = a - t
    if d.has(sp.Float):          # float coefficients: not exact arithmetic
        return None
    free = sorted(d.free_symbols, key=lambda v: v.name)
    if not d.is_rational_function(*free):
        d = sp.expand(d)
        if d.has(sp.Float) or not d.is_rational_function(*free):
            return None
    d = sp.cancel(sp.together(d))
    top = sp.fraction(d)[0]
    coefficients = sp.Poly(top, *free).coeffs() if free else [top]
    zero = [sp.S(k).is_zero for k in coefficients]
    if all(z is True for z in zero):
        return ("equal",)
    if not any(z is False for z in zero):
        return None                   # coefficients SymPy cannot decide
    for p in candidates:
        dv = d.xreplace(p)
        if not (dv.is_number and dv.is_finite and dv.is_zero is False):
            continue
        values = [_real_value(e, p) for e in (a, t, source if source is not None else 0)]
        if all(v is not None for v in values):
            return ("different", {v.name: float(p[v]) for v in p}, values[0], values[1])
    return None


def far_out(task: Task) -> tuple | None:
    """A point far from the random ones (up to 1400) where the function is real
    and finite and the claimed and true values differ (30 digits, confirmed
    by ``evalf``): ``(point, claimed, true)``, or None."""
    symbols = task.symbols
    points = _far_points(len(symbols))
    a_values = values_at(task.claimed, symbols, points)
    t_values = values_at(task.true, symbols, points)
    for p, av, tv in zip(points, a_values, t_values):
        if av is None or tv is None or abs(av.imag) + abs(tv.imag) > 1e-20:
            continue
        if abs(av - tv) <= task.atol + task.rtol * max(abs(av), abs(tv), task.floor):
            continue
        exact_p = {v: sp.Rational(repr(x)) for v, x in zip(symbols, p)}
        if task.source is not None and _real_value(task.source, exact_p) is None:
            continue
        values = confirm(task.claimed, task.true, exact_p, task.rtol, task.atol, task.floor)
        if values is not None and np.isfinite(values).all():    # not beyond float64
            return ({v.name: float(x) for v, x in zip(symbols, p)}, *values)
    return None


def _far_points(k: int) -> list[list[float]]:
    """24 points with magnitudes from 3.3 to 1402.7, mixed signs, then positive."""
    mags = (3.3, 4.7, 6.9, 9.6, 14.3, 21.7, 33.1, 58.9, 97.3, 233.9, 611.3, 1402.7)
    return [[mags[(j + 5 * i) % 12] * (-1) ** ((j + i) * (j < 12)) for i in range(k)]
            for j in range(24)]


def _real_value(e: sp.Expr, p: dict) -> float | None:
    """``e`` at the exact point ``p`` (30 digits) when real and finite, else None."""
    try:
        z = complex(sp.N(sp.S(e).xreplace(p), 30))
    except (TypeError, ValueError):
        return None
    if abs(z.imag) > 1e-25 * max(1.0, abs(z.real)) or not np.isfinite(z.real):
        return None
    return z.real


def _simple_points(symbols: Sequence[sp.Symbol]) -> list[dict[sp.Symbol, sp.Rational]]:
    """A few exact points with small denominators, for a proof when no random
    point shows the difference (a polynomial has few roots)."""
    values = [sp.Rational(n, 7) for n in (3, -5, 11, -13, 17, 2, -1, 26, 40, -33)]
    return [{v: values[(k + 3 * i) % len(values)] for i, v in enumerate(symbols)}
            for k in range(2 * len(values))]


def confirm(a: sp.Expr, t: sp.Expr, point: dict, rtol: float, atol: float,
            floor: float = 0.0) -> tuple[float, float] | None:
    """Both values at an exact point with 30 digits: ``(a, t)`` when they differ.

    >>> x = sp.Symbol("x")
    >>> confirm(2*x, 3*x, {x: sp.Rational(1, 2)}, 1e-7, 1e-9)
    (1.0, 1.5)
    >>> print(confirm(2*x, 2*x + sp.Rational(1, 10**20), {x: 1}, 1e-7, 1e-9))
    None
    """
    av = complex(sp.N(a.xreplace(point), 30))
    tv = complex(sp.N(t.xreplace(point), 30))
    dv = complex(sp.N((a - t).xreplace(point), 30))
    if abs(av.imag) > 1e-20 or abs(tv.imag) > 1e-20:
        return None
    if abs(dv) > atol + rtol * max(abs(av), abs(tv), floor):
        return av.real, tv.real
    return None


def ratio(a: sp.Expr, t: sp.Expr) -> tuple[str, str] | None:
    """A short factor r with t = r*a (``"missing"``) or a = r*t (``"extra"``).

    Only a pure factor counts (a product, or one over a product): a quotient
    of two expressions in the variables says nothing useful.

    >>> x, y = sp.symbols("x y")
    >>> ratio(x, 2*x*y)
    ('missing', '2*y')
    >>> print(ratio(x, x + y))
    None
    """
    best = None
    limit = min(_SHORT_RATIO_OPS, sp.count_ops(t))
    for kind, r in (("missing", sp.cancel(t / a)), ("extra", sp.cancel(a / t))):
        r = sp.factor_terms(r)
        num, den = sp.fraction(r)
        pure = not (num.free_symbols and den.free_symbols)
        ops = sp.count_ops(r)
        if r.free_symbols and pure and not r.has(sp.nan, sp.zoo) and ops <= limit:
            if best is None or ops < best[2]:
                best = (kind, r, ops)
    return None if best is None else (best[0], str(best[1]))


def _exact_point(symbols: Sequence[sp.Symbol], p: np.ndarray) -> dict[sp.Symbol, sp.Rational]:
    """A float point as exact rationals (the float's shortest decimal form)."""
    return {sym: sp.Rational(repr(float(v))) for sym, v in zip(symbols, p)}

