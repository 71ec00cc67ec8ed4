r"""Checking derivatives that someone worked out: homework, a gradient
hand-coded into a model, a textbook's table of iterates.

* :func:`check_gradient` and :func:`check_hessian` compare claimed partial
  derivatives (text, SymPy or a Python function) with the exact ones. Each
  component gets a verdict: ``"equal"`` (SymPy reduced the difference to 0),
  ``"different"`` (a point where both are defined and differ, with both
  values there), or ``"undecided"`` (simplification did not decide in time;
  then the numeric comparison at random points is reported as such). A wrong
  component names the likely mistake when it is cheap to tell: a sign error,
  a constant factor, the partial with respect to another variable, exchanged
  variables, a missing chain-rule factor.
* :func:`check_grad` compares any ``grad(x)`` with finite differences of any
  ``f(x)``, per component, by complex step where ``f`` accepts complex input.
* :func:`check_steps` recomputes a published table of gradient-descent
  iterates, row by row, at the table's printed precision.

Symbolic work runs in a child process that is killed at the time limit, so a
slow ``simplify`` never hangs the caller. Claimed text goes only through
:func:`symgd.parse`.

Examples
--------
>>> report = check_gradient("x^2 + x*y + y^2", "2x + y, -x - 2y")
>>> report.ok
False
>>> print(report.components[0].summary())
∂f/∂x: claimed 2x + y is right (= 2*x + y)
>>> report.components[1].verdict, report.components[1].mistake.kind
('different', 'sign error')
>>> check_report_exit_code(report)
1
"""

from __future__ import annotations

import inspect
import json
import math
import multiprocessing as mp
import numbers
import signal
import time
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from multiprocessing.connection import wait as _wait_any
from typing import Any, Callable, ClassVar, Mapping, Sequence

import numpy as np
import sympy as sp

from ..objective.compile import Compiled
from ..errors import InputError, InputTypeError, ObjectiveError
from ..data.losses import DataObjective
from ..objective.core import Objective, _derivative, as_objective
from ..expr.parse import exact_number, parse, split_top_level

__all__ = ["check_gradient", "check_hessian", "check_grad", "check_steps",
           "check_report_exit_code", "GradientReport", "HessianReport", "ComponentCheck",
           "Counterexample", "Mistake", "NumericReport", "NumericComponent",
           "StepsReport", "StepRow", "LossRow", "EQUAL", "DIFFERENT", "UNDECIDED"]

EQUAL, DIFFERENT, UNDECIDED = "equal", "different", "undecided"

_MAX_POINTS = 10_000
_SAMPLING_ROUNDS = 6
_MAX_CONFIRM = 5          # differing points re-evaluated with 30 digits, per component
_MAX_CANDIDATES = 12      # inner derivatives tried as missing chain-rule factors
_MAX_PERMUTED = 6         # exchanged variables are tried for up to this many symbols
_SHORT_RATIO_OPS = 20     # a symbolic ratio is shown only when this short
_SPAWN_STARTUP = 30.0     # seconds a spawned worker may take to import SymPy


# ====================================================================== reports

@dataclass(frozen=True)
class Counterexample:
    """A point where a claimed derivative and the true one differ."""

    point: dict[str, float]
    claimed: float
    true: float

    def where(self) -> str:
        """The point as ``(x=0.37, y=-1.25)``."""
        return "(" + ", ".join(f"{k}={_coord(v)}" for k, v in self.point.items()) + ")"

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({"point": self.point, "claimed": self.claimed, "true": self.true})


@dataclass(frozen=True)
class Mistake:
    """The likely mistake behind a wrong derivative.

    ``kind`` is one of ``"sign error"``, ``"constant factor"``,
    ``"chain rule"``, ``"wrong variable"``, ``"exchanged variables"``,
    ``"constant term"``, ``"zero"``, ``"missing factor"``, ``"extra factor"``.
    """

    kind: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class ComponentCheck:
    """The verdict on one claimed partial derivative (or Hessian entry).

    Attributes
    ----------
    label : str
        ``∂f/∂x`` or ``∂²f/∂x∂y``.
    variables : tuple of str
        The variable(s) it differentiates by.
    claimed, true : str
        The claimed derivative as given, and the exact one.
    verdict : {"equal", "different", "undecided"}
    method : {"symbolic", "counterexample", "numeric"}
        How the verdict was reached. ``"numeric"`` goes with ``"undecided"``
        (and with every callable that agrees at all points).
    points_used, points_agree : int
        Random points where both values were defined, and where they agreed.
    points_skipped : int
        Random points where the true value was defined but the claimed one
        was not (nan, infinite, complex, or the function raised).
    step : str or None
        The simplification that reduced the difference to 0.
    counterexample : Counterexample or None
    mistake : Mistake or None
    reason : str
        Why the verdict is ``"undecided"``.
    from_function : bool
        True when the claim was a Python function (numeric check only).
    """

    label: str
    variables: tuple[str, ...]
    claimed: str
    true: str
    verdict: str
    method: str
    points_used: int
    points_agree: int
    points_skipped: int = 0
    step: str | None = None
    counterexample: Counterexample | None = None
    mistake: Mistake | None = None
    reason: str = ""
    from_function: bool = False
    undefined_at: Counterexample | None = None

    @property
    def numeric(self) -> str:
        """``"equal"``, ``"different"`` or ``"not compared"`` (at the random points)."""
        if not self.points_used:
            return "not compared"
        return "equal" if self.points_agree == self.points_used else "different"

    @property
    def ok(self) -> bool:
        """Proven equal; or undecided, equal at every random point used, and
        defined wherever the true derivative is."""
        return self.verdict == EQUAL or (self.verdict == UNDECIDED and self.numeric == "equal"
                                         and not self.points_skipped)

    def summary(self) -> str:
        """One line for a student."""
        what = f"claimed {_short(self.claimed)}"
        if self.verdict == EQUAL:
            how = "" if self.step in (None, "as written") else f", shown by {self.step}"
            return f"{self.label}: {what} is right (= {_short(self.true)}{how})"
        if self.verdict == DIFFERENT:
            kind = f" ({self.mistake.kind})" if self.mistake else ""
            c = self.counterexample
            at = (f": at {c.where()} claimed {_num(c.claimed)}, true {_num(c.true)}"
                  if c else "")
            return f"{self.label}: {what} is WRONG{kind}{at}"
        if self.numeric == "equal" and self.points_skipped:
            u = self.undefined_at
            at = f" (e.g. at {u.where()}, where the true value is {_num(u.true)})" if u else ""
            return (f"{self.label}: {what} is undefined at {_points(self.points_skipped)} where "
                    f"the true {_what(self.label)} is defined{at}; elsewhere equal at "
                    f"{_points(self.points_used)}")
        if self.numeric == "equal":
            if self.from_function:
                return (f"{self.label}: {what} agrees with the exact {_what(self.label)} at "
                        f"{_points(self.points_used)} (a Python function is checked "
                        "numerically)")
            return (f"{self.label}: {what} is numerically right: equal at "
                    f"{_points(self.points_used)} ({self.reason})")
        return (f"{self.label}: {what} could not be checked: {self.reason}, and no random "
                "point had both values defined")

    def details(self) -> list[str]:
        """Further lines: the mistake, the right derivative, skipped points."""
        lines = []
        if self.verdict == DIFFERENT:
            if self.mistake:
                lines.append(self.mistake.detail)
            lines.append(f"the right {_what(self.label)} is {self.true}")
        if self.points_skipped and self.verdict == DIFFERENT:
            lines.append(f"{self.points_skipped} random point"
                         f"{'s' * (self.points_skipped != 1)} skipped: the claimed value "
                         "is undefined there while the true one is defined")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return _jsonable({
            "label": self.label, "variables": list(self.variables), "claimed": self.claimed,
            "true": self.true, "verdict": self.verdict, "method": self.method,
            "ok": self.ok, "step": self.step, "numeric": self.numeric,
            "points_used": self.points_used, "points_agree": self.points_agree,
            "points_skipped": self.points_skipped, "reason": self.reason or None,
            "from_function": self.from_function,
            "counterexample": self.counterexample.to_dict() if self.counterexample else None,
            "undefined_at": self.undefined_at.to_dict() if self.undefined_at else None,
            "mistake": self.mistake.to_dict() if self.mistake else None,
            "message": self.summary(), "details": self.details()})


@dataclass(frozen=True)
class GradientReport:
    """What :func:`check_gradient` found, one :class:`ComponentCheck` per partial.

    ``str(report)`` is a text report, :meth:`markdown` a Markdown table,
    :meth:`to_dict`/:meth:`to_json` JSON-ready forms; ``ok`` is True when every
    component is right (proven, or equal at every random point).
    """

    objective: str
    variables: tuple[str, ...]
    components: tuple[ComponentCheck, ...]
    points: int
    seed: int
    timeout: float
    elapsed: float
    symbolic_finished: bool
    note: str = ""
    kind: ClassVar[str] = "gradient"

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.components)

    @property
    def wrong(self) -> tuple[ComponentCheck, ...]:
        """The components found different."""
        return tuple(c for c in self.components if c.verdict == DIFFERENT)

    def __getitem__(self, k: int) -> ComponentCheck:
        return self.components[k]

    def __len__(self) -> int:
        return len(self.components)

    def _noun(self, count: int) -> str:
        if self.kind == "gradient":
            return "partial" if count == 1 else "partials"
        return "entry" if count == 1 else "entries"

    def headline(self) -> str:
        """The first line: what was checked."""
        return (f"Checking the {self.kind} of {self.objective} "
                f"(variables {', '.join(self.variables)})")

    def verdict_line(self) -> str:
        """The last line: how many components are right."""
        n = len(self.components)
        wrong = [c.label for c in self.wrong]
        if self.ok:
            proven = sum(c.verdict == EQUAL for c in self.components)
            if proven == n:
                return f"All {n} {self._noun(n)} are right." if n > 1 else "Right."
            return (f"All {n} {self._noun(n)} are right ({n - proven} checked numerically "
                    "only)."
                    if n > 1 else "Right (checked numerically only).")
        bad = [c.label for c in self.components if not c.ok]
        verb = "is" if len(bad) == 1 else "are"
        state = "wrong" if len(wrong) == len(bad) else "not right"
        if n == 1:
            return f"{state.capitalize()}: {bad[0]}."
        return f"{len(bad)} of {n} {self._noun(n)} {verb} {state}: {', '.join(bad)}."

    def __str__(self) -> str:
        lines = [self.headline()]
        if self.note:
            lines.append(f"  ({self.note})")
        for c in self.components:
            lines.append("  " + c.summary())
            lines += ["      " + d for d in c.details()]
        lines.append(self.verdict_line())
        return "\n".join(lines)

    def markdown(self) -> str:
        """A Markdown table, one row per component."""
        head = self.headline().replace(self.objective, f"`{self.objective}`")
        lines = [f"**{head}**", ""]
        if self.note:
            lines += [f"_{self.note}_", ""]
        lines += ["| | claimed | verdict | details |", "|---|---|---|---|"]
        for c in self.components:
            verdict = {EQUAL: "right", DIFFERENT: "**WRONG**"}.get(
                c.verdict, "numerically right" if c.ok else "not checked")
            info = c.summary().split(": ", 1)[1]
            extra = "; ".join([info, *c.details()])
            claimed = "(function)" if c.from_function else f"`{c.claimed}`"
            lines.append(f"| {c.label} | {claimed} | {verdict} | {_md(extra)} |")
        lines += ["", self.verdict_line()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (non-finite numbers become None)."""
        return _jsonable({
            "kind": self.kind.lower(), "objective": self.objective,
            "variables": list(self.variables), "ok": self.ok,
            "verdict": self.verdict_line(), "note": self.note or None,
            "points": self.points, "seed": self.seed, "timeout_s": self.timeout,
            "elapsed_s": round(self.elapsed, 4), "symbolic_finished": self.symbolic_finished,
            "components": [c.to_dict() for c in self.components]})

    def to_json(self, indent: int | None = 1) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class HessianReport(GradientReport):
    """What :func:`check_hessian` found, one :class:`ComponentCheck` per entry
    (row by row)."""

    kind: ClassVar[str] = "Hessian"


@dataclass(frozen=True)
class NumericComponent:
    """One component of :func:`check_grad`: claimed value against the estimate."""

    index: int
    name: str
    claimed: float
    estimate: float
    abs_error: float
    rel_error: float
    tolerance: float
    step: float
    ok: bool

    def line(self) -> str:
        verdict = "right" if self.ok else "WRONG"
        return (f"{self.name}: claimed {_num(self.claimed)}, estimate {_num(self.estimate)}, "
                f"abs error {self.abs_error:.2g}, rel error {self.rel_error:.2g}: {verdict}")

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class NumericReport:
    """What :func:`check_grad` found.

    Attributes
    ----------
    x0 : tuple of float
    fx : float
        ``f(x0)``.
    method : {"complex step", "central differences"}
    components : tuple of NumericComponent
    error : float
        ``||grad(x0) - estimate||``, the number ``scipy.optimize.check_grad``
        returns (with a more accurate estimate).
    note : str
        Why complex step was not used, when it was not.
    """

    x0: tuple[float, ...]
    fx: float
    method: str
    components: tuple[NumericComponent, ...]
    error: float
    note: str = ""

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.components)

    @property
    def worst(self) -> NumericComponent:
        """The component furthest outside (or closest to) its tolerance."""
        return max(self.components, key=lambda c: c.abs_error / c.tolerance)

    @property
    def max_abs_error(self) -> float:
        return max(c.abs_error for c in self.components)

    @property
    def max_rel_error(self) -> float:
        return max(c.rel_error for c in self.components)

    def headline(self) -> str:
        how = "complex step (h = 1e-20)" if self.method == "complex step" else \
            "central differences"
        point = ", ".join(_num(v) for v in self.x0)
        return f"Gradient check at x = ({point}) by {how}; f(x) = {_num(self.fx)}"

    def verdict_line(self) -> str:
        n, w = len(self.components), self.worst
        if self.ok:
            return (f"All {n} components agree (largest relative error "
                    f"{self.max_rel_error:.2g}); ||claimed - estimate|| = {self.error:.2g}.")
        bad = [c.name for c in self.components if not c.ok]
        verb = "is" if len(bad) == 1 else "are"
        return (f"{len(bad)} of {n} components {verb} wrong: {', '.join(bad)}; worst: "
                f"{w.name} (claimed {_num(w.claimed)}, estimate {_num(w.estimate)}).")

    def __str__(self) -> str:
        lines = [self.headline()]
        if self.note:
            lines.append(f"  ({self.note})")
        lines += ["  " + c.line() for c in self.components]
        lines.append(self.verdict_line())
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = [f"**{self.headline()}**", ""]
        if self.note:
            lines += [f"_{self.note}_", ""]
        lines += ["| component | claimed | estimate | abs error | rel error | verdict |",
                  "|---|---|---|---|---|---|"]
        for c in self.components:
            lines.append(f"| {c.name} | {_num(c.claimed)} | {_num(c.estimate)} | "
                         f"{c.abs_error:.2g} | {c.rel_error:.2g} | "
                         f"{'right' if c.ok else '**WRONG**'} |")
        return "\n".join(lines + ["", self.verdict_line()])

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({
            "kind": "numeric gradient", "x0": list(self.x0), "fx": self.fx,
            "method": self.method, "ok": self.ok, "error": self.error,
            "max_abs_error": self.max_abs_error, "max_rel_error": self.max_rel_error,
            "worst": self.worst.name, "note": self.note or None,
            "verdict": self.verdict_line(),
            "components": [c.to_dict() for c in self.components]})

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class StepRow:
    """One published row of :func:`check_steps`, recomputed.

    Attributes
    ----------
    row : int
        The row's number as the table prints it.
    published : tuple of float
    expected : tuple of float
        One step from the previous *published* row, unrounded.
    expected_shown : tuple of str
        ``expected`` rounded as the published values are printed.
    follows : bool
        True when every value of ``expected`` rounds to the published one.
    component_follows : tuple of bool
    chained : tuple of float
        The same row of an uninterrupted run from the first row.
    matches_chained : bool
    lr_range : tuple of float or None
        ``(low, high)``: the learning rates that would give this row at its
        printed precision, or None when no single rate does.
    implied_lr : tuple of float or None
        Per variable, the rate that reproduces its published value exactly.
    """

    row: int
    published: tuple[float, ...]
    expected: tuple[float, ...]
    expected_shown: tuple[str, ...]
    follows: bool
    component_follows: tuple[bool, ...]
    chained: tuple[float, ...]
    matches_chained: bool
    lr_range: tuple[float, float] | None
    implied_lr: tuple[float | None, ...]

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class LossRow:
    """A published loss against the loss at the printed point, at the point
    recomputed from the previous row, and at the uninterrupted run's point."""

    row: int
    published: float
    at_printed: float
    at_recomputed: float
    at_chained: float
    matches_printed: bool
    matches_recomputed: bool
    matches_chained: bool

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class StepsReport:
    """What :func:`check_steps` found: one :class:`StepRow` per step."""

    objective: str
    label: str
    variables: tuple[str, ...]
    lr: float
    start: tuple[float, ...]
    steps: tuple[StepRow, ...]
    losses: tuple[LossRow, ...]
    precision: str
    first_row: int = 0

    @property
    def ok(self) -> bool:
        """Every row follows from the one before, and the losses (if given) fit."""
        return all(s.follows for s in self.steps) and self.losses_explained is not False

    @property
    def bad_rows(self) -> tuple[StepRow, ...]:
        return tuple(s for s in self.steps if not s.follows)

    @property
    def losses_explained(self) -> str | None | bool:
        """Which points the published losses are the loss at: ``"printed"``,
        ``"recomputed"`` or ``"chained"``; False if none; None without losses."""
        if not self.losses:
            return None
        for kind in ("printed", "recomputed", "chained"):
            if all(getattr(r, f"matches_{kind}") for r in self.losses):
                return kind
        return False

    def _point(self, values: Sequence[Any]) -> str:
        return "(" + ", ".join(f"{n}={v if isinstance(v, str) else _num(v)}"
                               for n, v in zip(self.variables, values)) + ")"

    def headline(self) -> str:
        return (f"Checking {len(self.steps)} step{'s' * (len(self.steps) != 1)} of "
                f"x_(k+1) = x_k - {_num(self.lr)} ∇{self.label}(x_k) for {self.objective}, "
                f"each row recomputed from the published row before it ({self.precision})")

    def step_lines(self, s: StepRow) -> list[str]:
        prev = s.row - 1
        if s.follows:
            return [f"row {s.row} {self._point(s.published)}: follows from row {prev} "
                    f"(one step gives {self._point(s.expected)})"]
        off = [f"{n} should be {e}" for n, e, ok in
               zip(self.variables, s.expected_shown, s.component_follows) if not ok]
        lines = [f"row {s.row} {self._point(s.published)}: does NOT follow from row {prev}: "
                 f"one step gives {self._point(s.expected)}, which rounds to "
                 f"{self._point(s.expected_shown)}; {', '.join(off)}"]
        lines.append("    " + self._lr_sentence(s))
        return lines

    def _lr_sentence(self, s: StepRow) -> str:
        if s.lr_range is not None:
            lo, hi = s.lr_range
            return f"a learning rate between {lo:.4g} and {hi:.4g} would give this row"
        parts = [f"{n} lr ≈ {v:.4g}" for n, v in zip(self.variables, s.implied_lr)
                 if v is not None]
        return ("no single learning rate gives this row" +
                (f": {', '.join(parts)}" if parts else ""))

    def chain_line(self) -> str:
        differ = [s.row for s in self.steps if not s.matches_chained]
        if not differ:
            return ("An uninterrupted run from the first row gives the same table at the "
                    "printed precision.")
        first = next(s for s in self.steps if not s.matches_chained)
        rows = _ranges(differ)
        return (f"An uninterrupted run from row {self.first_row} differs from the table in "
                f"row{'s' * (len(differ) > 1)} {rows}: its row {first.row} is "
                f"{self._point(first.chained)}.")

    def loss_lines(self) -> list[str]:
        if not self.losses:
            return []
        kind = self.losses_explained
        n = len(self.losses)
        if kind == "printed":
            head = (f"Losses: all {n} published losses are the loss at the printed (rounded) "
                    "points, to the precision they are printed with.")
        elif kind == "recomputed":
            head = (f"Losses: all {n} published losses are the loss at the points recomputed "
                    "from the row before (not at the printed points).")
        elif kind == "chained":
            head = (f"Losses: all {n} published losses are the loss along an uninterrupted run "
                    "from the first row.")
        else:
            head = "Losses: some published losses match none of the points:"
        lines = [head]
        for r in self.losses:
            mark = "" if r.matches_printed else "  <- does not match"
            lines.append(f"    row {r.row}: published {_num(r.published)}, loss at the printed "
                         f"point {r.at_printed:.6g}{mark}")
        return lines

    def __str__(self) -> str:
        lines = [self.headline()]
        for s in self.steps:
            lines += ["  " + line for line in self.step_lines(s)]
        lines.append(self.chain_line())
        lines += self.loss_lines()
        bad = self.bad_rows
        if not bad:
            lines.append("Every row follows from the one before it.")
        else:
            rows = ", ".join(str(s.row) for s in bad)
            lines.append(f"{len(bad)} of {len(self.steps)} rows do not follow: row "
                         f"{rows}." if len(bad) > 1 else f"Row {rows} does not follow.")
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = [f"**{self.headline()}**", "",
                 "| row | published | one step from the row before | follows |",
                 "|---|---|---|---|"]
        lines.append(f"| {self.first_row} | {_md(self._point(self.start))} | (start) | |")
        for s in self.steps:
            lines.append(f"| {s.row} | {_md(self._point(s.published))} | "
                         f"{_md(self._point(s.expected))} | "
                         f"{'yes' if s.follows else '**no**'} |")
        lines += ["", self.chain_line()]
        if self.losses:
            lines += ["", "| row | published loss | loss at printed point | matches |",
                      "|---|---|---|---|"]
            lines += [f"| {r.row} | {_num(r.published)} | {r.at_printed:.6g} | "
                      f"{'yes' if r.matches_printed else '**no**'} |" for r in self.losses]
            lines += ["", self.loss_lines()[0]]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({
            "kind": "steps", "objective": self.objective, "label": self.label,
            "variables": list(self.variables),
            "lr": self.lr, "start": list(self.start), "precision": self.precision,
            "ok": self.ok, "first_row": self.first_row,
            "bad_rows": [s.row for s in self.bad_rows],
            "losses_explained": self.losses_explained,
            "steps": [s.to_dict() for s in self.steps],
            "losses": [r.to_dict() for r in self.losses],
            "text": str(self)})

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


def check_report_exit_code(report: Any) -> int:
    """The command-line exit code for a report: 0 when everything is right, 1 otherwise.

    (Invalid input raises a :class:`~symgd.SymgdError` before any report
    exists; the command exits with 2 for those.)

    >>> check_report_exit_code(check_gradient("x^2", "2x"))
    0
    """
    ok = getattr(report, "ok", None)
    if not isinstance(ok, bool):
        raise InputTypeError(f"expected a report from check_gradient, check_hessian, "
                             f"check_grad or check_steps; got {type(report).__name__}")
    return 0 if ok else 1


# ============================================================ check_gradient

def check_gradient(objective: Any, claimed: Any, *, variables: Sequence[str] | None = None,
                   points: int = 20, seed: int = 0, timeout: float = 2.0,
                   rtol: float = 1e-7, atol: float = 1e-9) -> GradientReport:
    r"""Check a claimed gradient against the exact one.

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
        Seconds for all the symbolic work together. It runs in a child
        process that is killed at the limit; what is not decided by then
        gets the verdict ``"undecided"`` with the numeric comparison.
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
    ∂f/∂x: claimed cos(x^2) is WRONG (chain rule): at (x=0.68) claimed 0.894984, true 1.21718
    >>> print(r.components[0].mistake.detail)
    missing chain-rule factor 2*x, the derivative of the inner x**2
    """
    settings = _settings(points, seed, timeout, rtol, atol)
    obj = as_objective(objective, variables)
    target = _gradient_target(obj, function=_is_function(claimed))
    claim = _gradient_claim(claimed, target)
    return _check(target, claim, settings, GradientReport)


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
    settings = _settings(points, seed, timeout, rtol, atol)
    obj = as_objective(objective, variables)
    target = _hessian_target(obj, function=_is_function(claimed))
    claim = _hessian_claim(claimed, target)
    return _check(target, claim, settings, HessianReport)


@dataclass(frozen=True)
class _Settings:
    points: int
    seed: int
    timeout: float
    rtol: float
    atol: float


def _settings(points: Any, seed: Any, timeout: Any, rtol: Any, atol: Any) -> _Settings:
    if isinstance(points, bool) or not isinstance(points, numbers.Integral) \
            or not 1 <= points <= _MAX_POINTS:
        raise InputError(f"points must be an integer from 1 to {_MAX_POINTS}, got {points!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    values = []
    for name, value in (("timeout", timeout), ("rtol", rtol), ("atol", atol)):
        if isinstance(value, (bool, str)) or not isinstance(value, numbers.Real) \
                or not math.isfinite(value) or value < 0:
            raise InputError(f"{name} must be a finite number >= 0, got {value!r}")
        values.append(float(value))
    return _Settings(int(points), int(seed), *values)


# ------------------------------------------------------------------ targets

@dataclass
class _Target:
    """The exact derivatives a claim is compared with."""

    obj: Objective
    kind: str
    symbols: tuple[sp.Symbol, ...]          # the identity is checked over these
    labels: list[str]
    wrt: list[tuple[int, ...]]              # variable indices of each component
    exprs: list[sp.Expr] | None             # exact derivatives (None: numeric only)
    shown: list[str]
    shape: tuple[int, ...]
    true_at: Callable[[np.ndarray], np.ndarray]  # (m, k) points -> (m, components)
    note: str = ""
    source: sp.Expr | None = None           # the expression differentiated

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.symbols)

    @property
    def size(self) -> int:
        return len(self.labels)


def _gradient_labels(obj: Objective, per_sample: bool) -> list[str]:
    f = "ℓ" if per_sample else obj.label
    return [f"∂{f}/∂{v}" for v in obj.names]


def _hessian_labels(obj: Objective, per_sample: bool) -> list[str]:
    f = "ℓ" if per_sample else obj.label
    return [f"∂²{f}/∂{a}²" if a == b else f"∂²{f}/∂{a}∂{b}"
            for a in obj.names for b in obj.names]


def _gradient_target(obj: Objective, function: bool) -> _Target:
    n = obj.n
    wrt = [(i,) for i in range(n)]
    if isinstance(obj, DataObjective):
        if function:
            return _Target(obj, "gradient", obj._real, _gradient_labels(obj, False), wrt, None,
                           [str(g) for g in obj.gradient], (n,),
                           lambda P: _rows_of(obj.grad, P, n))
        exprs = [_derivative(obj.per_sample, p) for p in obj._real]
        shown = [str(g) for g in obj.per_sample_gradient]
        return _symbolic_target(obj, "gradient", obj._real + obj._data_symbols,
                                _gradient_labels(obj, True), wrt, exprs, shown, (n,),
                                _per_sample_note(obj), obj.per_sample)
    exprs = list(obj._gradient)
    return _symbolic_target(obj, "gradient", obj._real, _gradient_labels(obj, False), wrt,
                            exprs, [str(g) for g in obj.gradient], (n,), "", obj._expr)


def _hessian_target(obj: Objective, function: bool) -> _Target:
    n = obj.n
    wrt = [(i, j) for i in range(n) for j in range(n)]
    if isinstance(obj, DataObjective):
        if function:
            return _Target(obj, "Hessian", obj._real, _hessian_labels(obj, False), wrt, None,
                           [str(h) for h in obj.hessian], (n, n),
                           lambda P: _rows_of(lambda p: obj.hess(p).ravel(), P, n * n))
        first = [_derivative(obj.per_sample, p) for p in obj._real]
        exprs = [_derivative(first[i], obj._real[j]) for i, j in wrt]
        shown = [str(sp.factor_terms(e)) for e in exprs]
        return _symbolic_target(obj, "Hessian", obj._real + obj._data_symbols,
                                _hessian_labels(obj, True), wrt, exprs, shown, (n, n),
                                _per_sample_note(obj), obj.per_sample)
    exprs = [obj._hessian[i, j] for i, j in wrt]
    return _symbolic_target(obj, "Hessian", obj._real, _hessian_labels(obj, False), wrt,
                            exprs, [str(h) for h in obj.hessian], (n, n), "", obj._expr)


def _symbolic_target(obj: Objective, kind: str, symbols: tuple[sp.Symbol, ...],
                     labels: list[str], wrt: list[tuple[int, ...]], exprs: list[sp.Expr],
                     shown: list[str], shape: tuple[int, ...], note: str,
                     source: sp.Expr) -> _Target:
    compiled = Compiled(symbols, exprs)
    return _Target(obj, kind, tuple(symbols), labels, wrt, exprs, shown, shape,
                   lambda P: _stack(compiled.at_array(list(P.T)), len(P)), note, source)


def _per_sample_note(obj: DataObjective) -> str:
    return (f"claimed derivatives are of one row's loss ℓ = {obj.per_sample}, in the "
            f"parameters and the data names {', '.join(s.name for s in obj._data_symbols)}; "
            f"the loss is the {obj.reduce} of ℓ over the {obj.rows} rows")


def _stack(values: Sequence[np.ndarray], m: int) -> np.ndarray:
    if not len(values):
        return np.empty((m, 0))
    return np.column_stack([np.broadcast_to(np.asarray(v, dtype=float), (m,)) for v in values])


def _rows_of(func: Callable[[np.ndarray], Any], P: np.ndarray, width: int) -> np.ndarray:
    out = np.full((len(P), width), np.nan)
    with np.errstate(all="ignore"):
        for k, p in enumerate(P):
            out[k] = np.asarray(func(p), dtype=float).ravel()
    return out


# ------------------------------------------------------------------- claims

@dataclass
class _Claim:
    """Claimed derivatives: expressions, or a function evaluated at points."""

    shown: list[str]
    exprs: list[sp.Expr] | None = None
    function: Callable[[np.ndarray], np.ndarray] | None = None


def _is_function(claimed: Any) -> bool:
    if isinstance(claimed, (str, bytes, Mapping, sp.Basic, sp.MatrixBase, np.ndarray,
                            list, tuple, type)):
        return False
    return callable(claimed)


def _gradient_claim(claimed: Any, target: _Target) -> _Claim:
    if target.exprs is None or _is_function(claimed):
        return _function_claim(claimed, target)
    items = _gradient_items(claimed, target)
    return _expression_claim(items, target)


def _hessian_claim(claimed: Any, target: _Target) -> _Claim:
    if target.exprs is None or _is_function(claimed):
        return _function_claim(claimed, target)
    n = target.obj.n
    rows = _matrix_rows(claimed, n)
    if len(rows) != n or any(len(r) != n for r in rows):
        shape = f"{len(rows)} rows of lengths {[len(r) for r in rows]}"
        raise InputError(f"the claimed Hessian must be {n}×{n} (the variables are "
                         f"{', '.join(target.obj.names)}), got {shape}")
    return _expression_claim([x for row in rows for x in row], target)


def _gradient_items(claimed: Any, target: _Target) -> list[Any]:
    obj, n = target.obj, target.obj.n
    if isinstance(claimed, str):
        items: list[Any] = split_top_level(_unwrap(claimed), ",")
    elif isinstance(claimed, Mapping):
        items = _by_name(claimed, obj.names)
    elif isinstance(claimed, sp.MatrixBase):
        if 1 not in claimed.shape:
            raise InputError(f"a claimed gradient must be a vector, got a matrix of shape "
                             f"{claimed.shape}")
        items = list(claimed)
    elif isinstance(claimed, (list, tuple, np.ndarray)):
        items = list(np.asarray(claimed, dtype=object).ravel()) \
            if isinstance(claimed, np.ndarray) else list(claimed)
    elif isinstance(claimed, (sp.Basic, numbers.Number)):
        items = [claimed]
    else:
        raise InputTypeError(
            f"the claimed gradient must be text, a list of partials, a mapping from "
            f"variable names to partials or a Python function; got {type(claimed).__name__}")
    if len(items) != n:
        shown = "; ".join(str(i) for i in items)
        raise InputError(
            f"{obj.label} has {n} variable{'s' * (n != 1)} ({', '.join(obj.names)}), so its "
            f"gradient has {n} partial{'s' * (n != 1)}, but {len(items)} "
            f"{'were' if len(items) != 1 else 'was'} claimed: {shown}")
    return items


def _by_name(claimed: Mapping[Any, Any], names: Sequence[str]) -> list[Any]:
    given = {(k.name if isinstance(k, sp.Symbol) else k): v for k, v in claimed.items()}
    unknown = [k for k in given if k not in names]
    missing = [k for k in names if k not in given]
    if unknown:
        which = "is not a variable" if len(unknown) == 1 else "are not variables"
        raise InputError(f"the claimed partials name {', '.join(map(str, unknown))}, which "
                         f"{which}; the variables are {', '.join(names)}")
    if missing:
        raise InputError(f"no claimed partial for {', '.join(missing)}; give one for every "
                         f"variable ({', '.join(names)})")
    return [given[k] for k in names]


def _matrix_rows(claimed: Any, n: int) -> list[list[Any]]:
    if isinstance(claimed, str):
        return _matrix_text(claimed, n)
    if isinstance(claimed, sp.MatrixBase):
        return [list(claimed.row(i)) for i in range(claimed.rows)]
    if isinstance(claimed, np.ndarray):
        claimed = claimed.tolist() if claimed.ndim == 2 else [claimed.tolist()]
    if isinstance(claimed, (list, tuple)):
        if n == 1 and claimed and not isinstance(claimed[0], (list, tuple, np.ndarray)):
            return [list(claimed)]
        rows = []
        for row in claimed:
            if not isinstance(row, (list, tuple, np.ndarray, sp.MatrixBase)):
                raise InputError(f"the claimed Hessian must be a list of rows, got the row "
                                 f"{row!r}; write [[a, b], [c, d]]")
            rows.append(list(row))
        return rows
    if isinstance(claimed, (sp.Basic, numbers.Number)) and n == 1:
        return [[claimed]]
    raise InputTypeError(f"the claimed Hessian must be text, nested lists, a SymPy Matrix "
                         f"or a Python function; got {type(claimed).__name__}")


def _matrix_text(text: str, n: int) -> list[list[str]]:
    body = _unwrap(text)
    if split_top_level(body, ";")[1:]:
        return [split_top_level(_unwrap(row), ",") for row in split_top_level(body, ";")]
    parts = split_top_level(body, ",")
    if all(p.startswith("[") and p.endswith("]") for p in parts) and body != text.strip():
        return [split_top_level(_unwrap(p), ",") for p in parts]
    if n == 1 and len(parts) == 1:
        return [parts]
    raise InputError(f"write the claimed Hessian as rows separated by ';' "
                     f"(\"2, 1; 1, 2\") or as [[2, 1], [1, 2]]; got {text!r:.80}")


def _unwrap(text: str) -> str:
    """``[a, b]`` -> ``a, b``; ``(a, b)`` -> ``a, b`` (not ``(a + b)``)."""
    text = text.strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("[", "]"), ("(", ")")):
        depth = 0
        for k, ch in enumerate(text):
            depth += (ch in "([") - (ch in ")]")
            if depth == 0 and k < len(text) - 1:
                return text            # the first bracket closes before the end
        inner = text[1:-1].strip()
        if text[0] == "[" or len(split_top_level(inner, ",")) > 1 or ";" in inner:
            return inner
    return text


def _expression_claim(items: Sequence[Any], target: _Target) -> _Claim:
    exprs, shown = [], []
    for label, item in zip(target.labels, items):
        exprs.append(_claimed_expr(item, label, target))
        shown.append(item.strip() if isinstance(item, str) else str(item))
    return _Claim(shown, exprs=exprs)


def _claimed_expr(item: Any, label: str, target: _Target) -> sp.Expr:
    names = target.names
    if isinstance(item, str):
        if not item.strip():
            raise InputError(f"the claimed {label} is empty; give an expression such as 2x + y")
        expr = parse(item, variables=names)
    elif isinstance(item, bool):
        raise InputTypeError(f"the claimed {label} must be an expression, got {item!r}")
    elif isinstance(item, (numbers.Number, np.number)):
        expr = exact_number(item, f"the claimed {label}")
    elif isinstance(item, sp.Expr):
        expr = item
    else:
        raise InputTypeError(f"the claimed {label} must be text, a number or a SymPy "
                             f"expression; got {type(item).__name__} {item!r:.60}")
    by_name = dict(zip(names, target.symbols))
    free = expr.free_symbols
    odd = [s for s in free if not isinstance(s, sp.Symbol)]
    unknown = sorted({s.name if isinstance(s, sp.Symbol) else str(s) for s in free
                      if not isinstance(s, sp.Symbol) or s.name not in by_name})
    if unknown or odd:
        which = "is not a variable" if len(unknown) == 1 else "are not variables"
        raise InputError(f"the claimed {label} {str(item)!r:.80} uses "
                         f"{', '.join(unknown)}, which {which} of {target.obj.label} "
                         f"(its {'names' if target.note else 'variables'}: "
                         f"{', '.join(names)}); write it in those names only")
    return expr.xreplace({s: by_name[s.name] for s in free})


# ---------------------------------------------------------- function claims

def _function_claim(func: Any, target: _Target) -> _Claim:
    if not callable(func) or isinstance(func, type):
        raise InputTypeError(f"the claimed {target.kind} must be a Python function here, "
                             f"got {type(func).__name__}")
    name = getattr(func, "__name__", "")
    name = name if name.isidentifier() else ("grad" if target.kind == "gradient" else "hess")
    caller = _FunctionCaller(func, target, name)
    shown = [f"{name}(x)" + "".join(f"[{i}]" for i in ij) for ij in target.wrt] \
        if target.obj.n > 1 else [f"{name}(x)"]
    return _Claim(shown, function=caller)


class _FunctionCaller:
    """Calls a claimed ``grad``/``hess`` at points; learns how it takes its input."""

    def __init__(self, func: Callable[..., Any], target: _Target, name: str) -> None:
        self.func = func
        self.target = target
        self.name = name
        self.n = target.obj.n
        self.modes = self._modes()

    def _modes(self) -> list[str]:
        try:
            params = list(inspect.signature(self.func).parameters.values())
        except (TypeError, ValueError):
            return ["vector", "scalars"]
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                      p.POSITIONAL_OR_KEYWORD)]
        required = [p for p in positional if p.default is p.empty]
        if any(p.kind == p.VAR_POSITIONAL for p in params):
            return ["vector", "scalars"]
        if self.n > 1 and len(required) <= self.n <= len(positional):
            return ["scalars"]
        return ["vector", "scalars"] if self.n == 1 else ["vector"]

    def _call(self, mode: str, p: np.ndarray) -> Any:
        if mode == "vector":
            return self.func(p.copy())
        return self.func(*(float(v) for v in p))

    def _shaped(self, value: Any, p: np.ndarray) -> np.ndarray:
        arr = np.asarray(value)
        if arr.dtype.kind == "c":
            arr = np.where(arr.imag == 0, arr.real, np.nan)
        if arr.dtype.kind not in "biuf":
            try:
                arr = arr.astype(float)
            except (TypeError, ValueError):
                raise InputError(f"the claimed {self.target.kind} function {self.name} "
                                 f"returned {value!r:.60} at {_where(self.target.names, p)}, "
                                 "which is not numbers") from None
        want = self.target.shape
        if arr.size == self.target.size and (arr.shape == want or arr.ndim <= 1 and len(want) == 1
                                              or arr.ndim == 0 and self.target.size == 1):
            return arr.astype(float).ravel()
        raise InputError(f"the claimed {self.target.kind} function {self.name} returned shape "
                         f"{arr.shape} at {_where(self.target.names, p)}; expected "
                         f"{'×'.join(map(str, want))} values (variables "
                         f"{', '.join(self.target.obj.names)})")

    def __call__(self, P: np.ndarray) -> np.ndarray:
        out = np.full((len(P), self.target.size), np.nan)
        first_error: tuple[BaseException, np.ndarray] | None = None
        for k, p in enumerate(P):
            for mode in list(self.modes):
                try:
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        value = self._call(mode, p)
                except Exception as err:  # the user's function: any error is possible
                    first_error = first_error or (err, p)
                    continue
                out[k] = self._shaped(value, p)
                self.modes = [mode]           # this way of calling works: keep it
                break
        if first_error is not None and not np.isfinite(out).any():
            err, p = first_error
            raise InputError(f"the claimed {self.target.kind} function {self.name} raised "
                             f"{type(err).__name__}: {err} at {_where(self.target.names, p)} "
                             f"(and at every other point tried); it should take "
                             f"{self._expects()}") from None
        return out

    def _expects(self) -> str:
        names = ", ".join(self.target.obj.names)
        return f"one array ({names}) or {self.n} numbers" if self.n > 1 else "one array or number"


# ------------------------------------------------------------- the check

def _check(target: _Target, claim: _Claim, s: _Settings, report: type) -> Any:
    start = time.monotonic()
    numeric = _compare_numerically(target, claim, s)
    diagnoses = [_diagnose(k, target, numeric, s) if numeric.witness[k] is not None else None
                 for k in range(target.size)]
    symbolic: dict[int, dict[str, Any]] = {}
    status = "finished"
    if claim.exprs is not None:
        tasks = _tasks(target, claim, numeric, diagnoses, s)
        symbolic, status = _run_symbolic(tasks, s.timeout)
    components = tuple(_component(k, target, claim, numeric, diagnoses[k], symbolic.get(k, {}),
                                  s, status) for k in range(target.size))
    return report(objective=str(target.obj), variables=target.obj.names,
                  components=components, points=s.points, seed=s.seed, timeout=s.timeout,
                  elapsed=time.monotonic() - start, symbolic_finished=status == "finished",
                  note=target.note)


@dataclass
class _Numeric:
    """Values of the claimed and true derivatives at the random points."""

    P: np.ndarray          # (m, k) points where the whole true derivative is finite
    T: np.ndarray          # (m, c) true values
    A: np.ndarray          # (m, c) claimed values (nan where undefined)
    close: np.ndarray      # (m, c) agreement (False where either is undefined)
    both: np.ndarray       # (m, c) both finite
    witness: list[int | None]


def _candidates(rng: np.random.Generator, k: int, m: int) -> np.ndarray:
    """Random points with two decimals: half anywhere in ±2.5, half positive.

    Multiples of 1/4 (0, ±1, ±1/2, ...) are moved by 0.01: removable
    singularities and coincidences like those are not what is being tested.
    """
    anywhere = rng.uniform(-2.5, 2.5, size=(m, k))
    positive = rng.uniform(0.05, 2.5, size=(m, k))
    P = np.round(np.vstack([anywhere, positive]), 2)
    special = np.abs(4 * P - np.round(4 * P)) < 1e-9    # 0, ±1/4, ±1/2, ±1, ...
    P[special] += 0.01
    return P


def _sample(target: _Target, s: _Settings) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(s.seed)
    k = len(target.symbols)
    kept_P, kept_T, have = [], [], 0
    for _ in range(_SAMPLING_ROUNDS):
        P = _candidates(rng, k, 2 * s.points)
        T = target.true_at(P)
        good = np.isfinite(T).all(axis=1)
        kept_P.append(P[good])
        kept_T.append(T[good])
        have += int(good.sum())
        if have >= s.points:
            break
    P = np.vstack(kept_P)[:s.points]
    T = np.vstack(kept_T)[:s.points]
    return P, T


def _close(a: np.ndarray, b: np.ndarray, s: _Settings) -> np.ndarray:
    with np.errstate(all="ignore"):
        scale = np.maximum(np.abs(a), np.abs(b))
        ok = np.abs(a - b) <= s.atol + s.rtol * scale
    return ok & np.isfinite(a) & np.isfinite(b)


def _compare_numerically(target: _Target, claim: _Claim, s: _Settings) -> _Numeric:
    P, T = _sample(target, s)
    A = _claimed_values(target, claim, P)
    both = np.isfinite(A) & np.isfinite(T)
    close = _close(A, T, s)
    witness = []
    for c in range(target.size):
        differ = np.flatnonzero(both[:, c] & ~close[:, c])
        witness.append(int(differ[0]) if len(differ) else None)
    return _Numeric(P, T, A, close, both, witness)


def _claimed_values(target: _Target, claim: _Claim, P: np.ndarray) -> np.ndarray:
    if not len(P):
        return np.empty((0, target.size))
    if claim.function is not None:
        return claim.function(P)
    try:
        compiled = Compiled(target.symbols, claim.exprs)
        return _stack(compiled.at_array(list(P.T)), len(P))
    except ObjectiveError:
        raise
    except Exception as err:  # SymPy printers and NumPy raise many kinds
        raise ObjectiveError(f"cannot evaluate the claimed {target.kind} numerically "
                             f"({type(err).__name__}: {err})") from None


# ---------------------------------------------------------------- diagnosis

def _allclose(a: np.ndarray, b: np.ndarray, s: _Settings) -> bool:
    return bool(len(a)) and bool(_close(a, b, s).all())


def _diagnose(c: int, target: _Target, num: _Numeric, s: _Settings) -> Mistake | None:
    """The likely mistake, from the values at the random points (cheap)."""
    rows = num.both[:, c]
    a, t = num.A[rows, c], num.T[rows, c]
    if len(a) < 2:
        return None
    if _allclose(a, np.zeros_like(a), s):
        return Mistake("zero", f"the claimed {_what(target.labels[c])} is 0, but the true one "
                       "is not")
    if _allclose(a, -t, s):
        return Mistake("sign error", "the claimed value is minus the true one: check the "
                       "signs (a minus sign inside, or the inner derivative of -x or 1 - x)")
    for check in (_chain_rule, _constant_factor, _other_component, _exchanged, _constant_term):
        found = check(c, target, num, s, a, t)
        if found is not None:
            return found
    return None


def _constant_factor(c: int, target: _Target, num: _Numeric, s: _Settings,
                     a: np.ndarray, t: np.ndarray) -> Mistake | None:
    with np.errstate(all="ignore"):
        nonzero = np.abs(t) > max(s.atol, 1e-12 * float(np.max(np.abs(t))))
        if nonzero.sum() < 2:
            return None
        factor = float(np.median(a[nonzero] / t[nonzero]))
    if not _allclose(a, factor * t, s):
        return None
    shown = _nice(factor)
    inner = _constant_inner(c, target, 1 / factor) if factor else None
    if inner is not None:
        return Mistake("chain rule", f"missing chain-rule factor {_nice(1 / factor)}, the "
                       f"derivative of the inner {inner}")
    return Mistake("constant factor", f"the claimed value is {shown} times the true one: a "
                   "constant factor is off (an exponent brought down, or a coefficient)")


def _constant_term(c: int, target: _Target, num: _Numeric, s: _Settings,
                   a: np.ndarray, t: np.ndarray) -> Mistake | None:
    offset = float(np.median(a - t))
    if not _allclose(a, t + offset, s):
        return None
    sign = "+" if offset > 0 else "-"
    return Mistake("constant term", f"the claimed value is the true one {sign} "
                   f"{_nice(abs(offset))}: a constant term is off (the derivative of a linear "
                   "term, or a constant that should have vanished)")


def _other_component(c: int, target: _Target, num: _Numeric, s: _Settings,
                     a: np.ndarray, t: np.ndarray) -> Mistake | None:
    rows = num.both[:, c]
    for j in range(target.size):
        if j != c and _allclose(a, num.T[rows, j], s) and not _allclose(t, num.T[rows, j], s):
            if target.kind == "gradient":
                other = target.obj.names[target.wrt[j][0]]
                return Mistake("wrong variable", f"this is {target.labels[j]}, the derivative "
                               f"with respect to {other}, not {target.labels[c]}")
            return Mistake("wrong variable", f"this is {target.labels[j]}, not "
                           f"{target.labels[c]}")
    return None


def _exchanged(c: int, target: _Target, num: _Numeric, s: _Settings,
               a: np.ndarray, t: np.ndarray) -> Mistake | None:
    k = len(target.symbols)
    if k < 2 or k > _MAX_PERMUTED:
        return None
    P = num.P[num.both[:, c]]
    for p in range(k):
        for q in range(p + 1, k):
            Q = P.copy()
            Q[:, [p, q]] = Q[:, [q, p]]
            swapped = target.true_at(Q)[:, c]
            if _allclose(a, swapped, s):
                x, y = target.names[p], target.names[q]
                what = _what(target.labels[c])
                return Mistake("exchanged variables",
                               f"this is the true {what} with {x} and {y} exchanged")
    return None


def _inner_parts(target: _Target, var: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr]]:
    """Inner expressions u of the objective and du/dvar: chain-rule factors."""
    found: list[tuple[sp.Expr, sp.Expr]] = []
    if target.source is None:
        return found
    for count, node in enumerate(sp.preorder_traversal(target.source)):
        if count > 2000 or len(found) >= _MAX_CANDIDATES:
            break
        inner = list(node.args) if isinstance(node, sp.Function) else \
            [node.base, node.exp] if node.is_Pow else []
        for u in inner:
            if u.has(var) and u != var and not u.is_Number:
                du = _derivative(u, var)
                if du != 0 and du not in (1, -1) and all(du != d for _, d in found):
                    found.append((u, du))
    return found


def _constant_inner(c: int, target: _Target, factor: float) -> sp.Expr | None:
    if target.kind != "gradient":
        return None
    var = target.symbols[target.wrt[c][0]]
    for u, du in _inner_parts(target, var):
        if du.is_Number and abs(float(du) - factor) <= 1e-12 * max(1, abs(factor)):
            return u
    return None


def _chain_rule(c: int, target: _Target, num: _Numeric, s: _Settings,
                a: np.ndarray, t: np.ndarray) -> Mistake | None:
    if target.kind != "gradient":
        return None
    var = target.symbols[target.wrt[c][0]]
    parts = [(u, du) for u, du in _inner_parts(target, var) if not du.is_Number]
    if not parts:
        return None
    P = num.P[num.both[:, c]]
    try:
        values = Compiled(target.symbols, [du for _, du in parts]).at_array(list(P.T))
    except Exception:  # an inner derivative that cannot be evaluated: no diagnosis
        return None
    for (u, du), v in zip(parts, values):
        v = np.broadcast_to(v, a.shape)
        with np.errstate(all="ignore"):
            if _allclose(t, a * v, s):
                return Mistake("chain rule", f"missing chain-rule factor {du}, the derivative "
                               f"of the inner {u}")
            if _allclose(a, t * v, s):
                return Mistake("extra factor", f"an extra factor {du} (the derivative of "
                               f"{u}) multiplies the claimed value")
    return None


# ----------------------------------------------------- symbolic (child process)

def _tasks(target: _Target, claim: _Claim, num: _Numeric, diagnoses: list[Mistake | None],
           s: _Settings) -> list[tuple]:
    tasks = []
    for c in range(target.size):
        a, t = claim.exprs[c], target.exprs[c]
        if num.witness[c] is None and sp.S(a - t) == 0:
            continue                              # equal as written: nothing to do
        differ = np.flatnonzero(num.both[:, c] & ~num.close[:, c])[:_MAX_CONFIRM]
        points = [_exact_point(target.symbols, num.P[j]) for j in differ]
        want_ratio = bool(len(differ)) and diagnoses[c] is None
        tasks.append((c, a, t, [int(j) for j in differ], points, want_ratio, s.rtol, s.atol))
    return tasks


def _exact_point(symbols: Sequence[sp.Symbol], p: np.ndarray) -> dict[sp.Symbol, sp.Rational]:
    return {sym: sp.Rational(repr(float(v))) for sym, v in zip(symbols, p)}


def _context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def _run_symbolic(tasks: list[tuple], timeout: float) -> tuple[dict[int, dict], str]:
    """Run :func:`_symbolic_worker` in a child; kill it at the time limit.

    Returns the results by component and ``"finished"``, ``"timed out"`` or
    ``"no worker"`` (no child process could be started).
    """
    results: dict[int, dict[str, Any]] = {}
    if not tasks:
        return results, "finished"
    if timeout <= 0:
        return results, "timed out"
    ctx = _context()
    try:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_symbolic_worker, args=(send, tasks, timeout), daemon=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
            proc.start()
        send.close()
    except (OSError, RuntimeError, ValueError, AssertionError):
        # No child processes here (a daemonic worker, a sandbox): numeric verdicts only.
        return results, "no worker"
    spawned = ctx.get_start_method() != "fork"
    deadline = time.monotonic() + (_SPAWN_STARTUP if spawned else timeout)
    finished = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not _wait_any([receive, proc.sentinel], timeout=left):
                break
            if not receive.poll():
                break                           # the child ended and sent nothing more
            try:
                message = receive.recv()
            except (EOFError, OSError):
                break
            if message[0] == "ready":
                if spawned:
                    deadline = time.monotonic() + timeout
            elif message[0] == "done":
                finished = not message[1]
                break
            else:
                results.setdefault(message[1], {})[message[0]] = message[2:]
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1.0)
        receive.close()
    return results, "finished" if finished else "timed out"


class _Expired(BaseException):
    """Raised by SIGALRM inside a slice (a BaseException: SymPy's ``except
    Exception`` clauses let it through)."""


_TIMED_OUT, _FAILED = object(), object()


def _limited(seconds: float, func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)``, or ``_TIMED_OUT`` after ``seconds`` (Unix), ``_FAILED`` on error."""
    if seconds <= 0:
        return _TIMED_OUT
    alarm = hasattr(signal, "setitimer")

    def expire(signum: int, frame: Any) -> None:
        raise _Expired

    try:
        try:
            if alarm:
                signal.signal(signal.SIGALRM, expire)
                signal.setitimer(signal.ITIMER_REAL, seconds)
            return func(*args)
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        return _TIMED_OUT
    except Exception:  # SymPy raises many kinds on odd input: treat as not decided
        return _FAILED


def _is_zero(e: Any) -> bool:
    return isinstance(e, sp.Basic) and (e == 0 or getattr(e, "is_zero", None) is True)


_CHEAP_STEPS: tuple[tuple[str, Callable[[sp.Expr], sp.Expr]], ...] = (
    ("expand", sp.expand),
    ("cancel", sp.cancel),
    ("together", lambda e: sp.cancel(sp.together(e))),
    ("expand_log", lambda e: sp.expand(sp.expand_log(e, force=False))),
    ("powsimp", lambda e: sp.expand(sp.powsimp(sp.powdenest(e)))),
    ("expand_trig", lambda e: sp.expand(sp.expand_trig(e))),
    ("trigsimp", sp.trigsimp),
)


def _cheap_zero(d: sp.Expr) -> str | None:
    for name, step in _CHEAP_STEPS:
        if _is_zero(step(d)):
            return name
    return None


def _simplify_zero(d: sp.Expr) -> str | None:
    return "simplify" if _is_zero(sp.simplify(d)) else None


def _confirm(a: sp.Expr, t: sp.Expr, point: dict, rtol: float, atol: float) -> tuple | None:
    """Both values at an exact point with 30 digits: (a, t) when they differ."""
    av = complex(sp.N(a.xreplace(point), 30))
    tv = complex(sp.N(t.xreplace(point), 30))
    dv = complex(sp.N((a - t).xreplace(point), 30))
    if abs(av.imag) > 1e-20 or abs(tv.imag) > 1e-20:
        return None
    if abs(dv) > atol + rtol * max(abs(av), abs(tv)):
        return av.real, tv.real
    return None


def _ratio(a: sp.Expr, t: sp.Expr) -> tuple[str, str] | None:
    """A short factor r with t = r*a ('missing') or a = r*t ('extra').

    Only a pure factor counts (a product, or one over a product): a quotient
    of two expressions in the variables says nothing useful.
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


def _symbolic_worker(conn: Any, tasks: list[tuple], budget: float) -> None:
    """In the child: confirm counterexamples exactly, find short ratios, try to
    reduce each difference to 0 (cheap steps first, then ``simplify``),
    sending each result as soon as it is known."""
    end = time.monotonic() + budget
    left = lambda: end - time.monotonic()  # noqa: E731
    expired = False
    try:
        conn.send(("ready",))
        to_prove = []
        for c, a, t, rows, points, want_ratio, rtol, atol in tasks:
            if not rows:
                to_prove.append((c, a - t))
                continue
            state = "refuted"       # until a point differs, or cannot be decided
            for j, point in zip(rows, points):
                values = _limited(min(left(), budget / 4), _confirm, a, t, point, rtol, atol)
                if isinstance(values, tuple):
                    conn.send(("confirmed", c, j, *values))
                    state = "confirmed"
                    break
                if values is _TIMED_OUT:
                    state, expired = "unknown", True
                    break
                if values is _FAILED:
                    state = "unknown"
            if state == "refuted":
                conn.send(("refuted", c))
                to_prove.append((c, a - t))
            elif state == "confirmed" and want_ratio:
                ratio = _limited(min(left(), budget / 4), _ratio, a, t)
                if isinstance(ratio, tuple):
                    conn.send(("ratio", c, *ratio))
        pending = []
        for k, (c, d) in enumerate(to_prove):
            share = 0.5 * left() / (len(to_prove) - k)
            step = _limited(share, _cheap_zero, d)
            if isinstance(step, str):
                conn.send(("equal", c, step))
            else:
                pending.append((c, d))       # simplify decides, or runs out of time
        for k, (c, d) in enumerate(pending):
            step = _limited(left() / (len(pending) - k), _simplify_zero, d)
            if isinstance(step, str):
                conn.send(("equal", c, step))
            elif step is not _TIMED_OUT:
                conn.send(("unproven", c))
            else:
                expired = True
        conn.send(("done", expired))
    except (BrokenPipeError, EOFError, OSError, _Expired):
        pass
    finally:
        conn.close()


# -------------------------------------------------------- component verdicts

def _component(c: int, target: _Target, claim: _Claim, num: _Numeric,
               mistake: Mistake | None, symbolic: dict[str, tuple], s: _Settings,
               status: str) -> ComponentCheck:
    used = int(num.both[:, c].sum())
    agree = int(num.close[:, c].sum())
    undefined = np.flatnonzero(np.isfinite(num.T[:, c]) & ~np.isfinite(num.A[:, c]))
    names = tuple(target.obj.names[i] for i in target.wrt[c])
    base = dict(label=target.labels[c], variables=names, claimed=claim.shown[c],
                true=target.shown[c], points_used=used, points_agree=agree,
                points_skipped=len(undefined), from_function=claim.function is not None,
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
        point = {n: float(v) for n, v in zip(target.names, num.P[j])}
        if mistake is None and "ratio" in symbolic:
            kind, ratio = symbolic["ratio"]
            mistake = Mistake("missing factor", f"the true value is {ratio} times the claimed "
                              "one: a factor is missing (a chain-rule factor?)") \
                if kind == "missing" else Mistake(
                    "extra factor", f"the claimed value is {ratio} times the true one")
        return ComponentCheck(verdict=DIFFERENT, method="counterexample",
                              counterexample=Counterexample(point, float(a), float(t)),
                              mistake=mistake, **base)
    reason = _undecided_reason(claim, symbolic, s, status)
    return ComponentCheck(verdict=UNDECIDED, method="numeric", reason=reason, **base)


def _example(target: _Target, num: _Numeric, c: int, rows: np.ndarray
             ) -> Counterexample | None:
    if not len(rows):
        return None
    j = int(rows[0])
    point = {n: float(v) for n, v in zip(target.names, num.P[j])}
    return Counterexample(point, float(num.A[j, c]), float(num.T[j, c]))


def _undecided_reason(claim: _Claim, symbolic: dict[str, tuple], s: _Settings,
                      status: str) -> str:
    if claim.function is not None:
        return "a Python function can only be checked numerically"
    if "unproven" in symbolic:
        return "SymPy could not reduce the difference to 0"
    if status == "no worker":
        return "no process could be started for the symbolic check"
    return f"SymPy did not decide within {_num(s.timeout)} s"


# ================================================================ check_grad

_EPS = np.finfo(float).eps
_COMPLEX_H = 1e-20


def check_grad(f: Callable[[np.ndarray], Any], grad: Callable[[np.ndarray], Any], x0: Any, *,
               eps: float | Sequence[float] | None = None,
               complex_step: bool | str = "auto", rtol: float | None = None,
               atol: float | None = None, names: Sequence[str] | None = None
               ) -> NumericReport:
    r"""Compare a gradient function with finite differences of ``f``, per component.

    Like :func:`scipy.optimize.check_grad`, but per component (claimed value,
    estimate, absolute and relative error, verdict, the worst named), with a
    step chosen per component and, where ``f`` accepts complex numbers, the
    complex step :math:`\operatorname{Im} f(x + i h e_k)/h` (``h = 1e-20``),
    which has no cancellation error.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for a 1-D array ``x``.
    grad : callable
        ``grad(x) -> array`` of the same length as ``x``.
    x0 : array_like
        The point.
    eps : float or sequence, optional
        Central-difference steps. By default
        :math:`h_k = \sqrt[3]{\epsilon}\,\max(1, |x_k|)` (the step that
        balances truncation and rounding error).
    complex_step : "auto", True or False
        "auto" uses the complex step when ``f`` accepts complex input and it
        agrees with the central difference (``f`` must be complex-analytic:
        no ``abs``, no ``.real``); otherwise central differences, silently.
        True requires it.
    rtol, atol : float, optional
        A component is right when ``|claimed - estimate| <= atol + rtol *
        max(|claimed|, |estimate|)``, plus the rounding error of the central
        difference. By default 1e-6 and 1e-8 (central), 1e-9 and 1e-12
        (complex step).
    names : sequence of str, optional
        Component names for the report (``x[0], x[1], ...`` by default).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda v: v[0]**2 * np.sin(v[1])
    >>> g = lambda v: np.array([2*v[0]*np.sin(v[1]), v[0]**2*np.cos(v[1])])
    >>> r = check_grad(f, g, [1.5, 0.3])
    >>> r.ok, r.method, r.max_abs_error < 1e-14
    (True, 'complex step', True)
    >>> bad = lambda v: np.array([2*v[0]*np.sin(v[1]), -v[0]**2*np.cos(v[1])])
    >>> check_grad(f, bad, [1.5, 0.3]).worst.name
    'x[1]'
    """
    x = _point(x0)
    n = len(x)
    labels = _component_names(names, n)
    fx = _scalar(f, x, "f")
    g = _gradient_value(grad, x)
    h = _steps(eps, x)
    central = np.array([_central(f, x, k, h[k]) for k in range(n)])
    method, note, estimate = "central differences", "", central
    if complex_step not in ("auto", True, False):
        raise InputError(f"complex_step must be 'auto', True or False, got {complex_step!r}")
    if complex_step:
        cs, why = _complex_step(f, x, central, fx, h)
        if cs is not None:
            method, estimate = "complex step", cs
        elif complex_step is True:
            raise InputError(f"complex step is not possible: {why}")
        else:
            note = f"central differences: {why}"
    rtol_, atol_ = (1e-9, 1e-12) if method == "complex step" else (1e-6, 1e-8)
    rtol_ = rtol_ if rtol is None else float(rtol)
    atol_ = atol_ if atol is None else float(atol)
    rounding = 0.0 if method == "complex step" else 100 * _EPS * max(1.0, abs(fx)) / h
    comps = []
    for k in range(n):
        c, e = float(g[k]), float(estimate[k])
        err = abs(c - e)
        scale = max(abs(c), abs(e))
        tol = atol_ + rtol_ * scale + (rounding[k] if method != "complex step" else 0.0)
        comps.append(NumericComponent(k, labels[k], c, e, err, err / scale if scale else 0.0,
                                      tol, float(h[k]) if method != "complex step"
                                      else _COMPLEX_H, err <= tol))
    error = float(np.sqrt(sum((c.claimed - c.estimate) ** 2 for c in comps)))
    return NumericReport(tuple(float(v) for v in x), fx, method, tuple(comps), error, note)


def _point(x0: Any) -> np.ndarray:
    try:
        x = np.atleast_1d(np.asarray(x0, dtype=float))
    except (TypeError, ValueError):
        raise InputError(f"x0 must be numbers, got {x0!r:.60}") from None
    if x.ndim != 1 or not len(x) or not np.isfinite(x).all():
        raise InputError(f"x0 must be a non-empty 1-D array of finite numbers, got {x0!r:.60}")
    return x


def _component_names(names: Sequence[str] | None, n: int) -> list[str]:
    if names is None:
        return [f"x[{k}]" for k in range(n)]
    names = [str(v) for v in names]
    if len(names) != n:
        raise InputError(f"names has {len(names)} entries for {n} components")
    return names


def _quiet_call(func: Callable[..., Any], *args: Any) -> Any:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args)


def _scalar(f: Callable[..., Any], x: np.ndarray, what: str) -> float:
    try:
        value = _quiet_call(f, x.copy())
        arr = np.asarray(value, dtype=float)
    except Exception as err:  # the user's function
        raise InputError(f"{what}(x0) raised {type(err).__name__}: {err}") from None
    if arr.size != 1:
        raise InputError(f"{what}(x0) must return one number, got shape {arr.shape}")
    value = float(arr.ravel()[0])
    if not math.isfinite(value):
        raise InputError(f"{what}(x0) is {value}; choose a point where f is finite")
    return value


def _gradient_value(grad: Callable[..., Any], x: np.ndarray) -> np.ndarray:
    try:
        g = np.asarray(_quiet_call(grad, x.copy()), dtype=float).ravel()
    except Exception as err:  # the user's function
        raise InputError(f"grad(x0) raised {type(err).__name__}: {err}") from None
    if g.shape != x.shape:
        raise InputError(f"grad(x0) returned {g.size} values; expected {len(x)}, one per "
                         "component of x0")
    return g


def _steps(eps: Any, x: np.ndarray) -> np.ndarray:
    if eps is None:
        h = np.cbrt(_EPS) * np.maximum(1.0, np.abs(x))
    else:
        h = np.broadcast_to(np.asarray(eps, dtype=float), x.shape).copy()
        if not (np.isfinite(h).all() and (h > 0).all()):
            raise InputError(f"eps must be positive, got {eps!r}")
    return (x + h) - x          # a step that is exact in floating point


def _central(f: Callable[..., Any], x: np.ndarray, k: int, h: float) -> float:
    up, down = x.copy(), x.copy()
    up[k] += h
    down[k] -= h
    try:
        return (float(_quiet_call(f, up)) - float(_quiet_call(f, down))) / (2 * h)
    except Exception as err:  # the user's function
        raise InputError(f"f raised {type(err).__name__}: {err} at x0 ± {h:.3g} in "
                         f"component {k}") from None


def _complex_step(f: Callable[..., Any], x: np.ndarray, central: np.ndarray, fx: float,
                  h: np.ndarray) -> tuple[np.ndarray | None, str]:
    out = np.empty(len(x))
    for k in range(len(x)):
        z = x.astype(complex)
        z[k] += 1j * _COMPLEX_H
        try:
            value = np.asarray(_quiet_call(f, z))
        except Exception as err:  # no complex input: that is fine, use differences
            return None, f"f does not accept complex input ({type(err).__name__})"
        if value.size != 1 or value.dtype.kind != "c":
            return None, "f does not return complex values for complex input"
        out[k] = float(value.ravel()[0].imag) / _COMPLEX_H
    # A function that is not complex-analytic (abs, .real) gives wrong values.
    slack = 1e-4 * np.maximum(1, np.abs(central)) + 1e3 * _EPS * max(1, abs(fx)) / h
    if not (np.isfinite(out).all() and (np.abs(out - central) <= slack).all()):
        return None, "f's complex values disagree with central differences (abs or .real?)"
    return out, ""


# ============================================================= check_steps

def check_steps(objective: Any, iterates: Any, lr: float, *, decimals: int | None = None,
                tol: float | None = None, losses: Sequence[Any] | None = None,
                loss_decimals: int | None = None, variables: Sequence[str] | None = None,
                first_row: int = 0) -> StepsReport:
    r"""Check a published table of gradient-descent iterates, row by row.

    Each row is recomputed from the *previous published row*,
    :math:`x_{k+1} = x_k - \gamma \nabla f(x_k)`, and compared at the
    table's precision; an uninterrupted run from the first row is computed
    too.

    Parameters
    ----------
    objective : Objective, str, sympy.Expr or callable
    iterates : rows of numbers (or numeric strings such as "1.20")
        The first row is the start.
    lr : float
        The learning rate :math:`\gamma`.
    decimals : int, optional
        The table's rounding: a row follows when the recomputed values,
        rounded to this many decimals, are the published ones. By default
        each value is compared at the precision it is printed with (1.2:
        one decimal; 0.34: two; give strings to keep trailing zeros).
    tol : float, optional
        Compare with ``|recomputed - published| <= tol`` instead.
    losses : sequence, optional
        A published loss per row: compared, at its printed precision (or
        ``loss_decimals``), with the loss at the printed point, at the
        recomputed point and along the uninterrupted run.
    first_row : int
        The number the table gives its first row (the car lesson: 1).

    Examples
    --------
    >>> r = check_steps("x^2 + x*y + y^2", [[1, 1], [0.7, 0.7], [0.49, 0.49]], 0.1)
    >>> r.ok
    True
    >>> r = check_steps("x^2 + x*y + y^2", [[1, 1], [0.7, 0.7], [0.5, 0.5]], 0.1, decimals=2)
    >>> r.ok, [s.row for s in r.bad_rows], r.bad_rows[0].expected_shown
    (False, [2], ('0.49', '0.49'))
    """
    obj = as_objective(objective, variables)
    rows, row_decimals = _table(iterates, obj.n, "iterates")
    if len(rows) < 2:
        raise InputError("iterates needs at least two rows: the start and one step")
    lr = _finite(lr, "lr")
    if decimals is not None:
        decimals = _nonnegative_int(decimals, "decimals")
        row_decimals = np.full_like(row_decimals, decimals)
    if tol is not None:
        tol = _finite(tol, "tol")
    if isinstance(first_row, bool) or not isinstance(first_row, numbers.Integral):
        raise InputTypeError(f"first_row must be an integer, got {first_row!r}")
    expected, chained = _recompute(obj, rows, lr)
    steps = tuple(_step_row(obj, rows, expected, chained, row_decimals, tol, lr, k, first_row)
                  for k in range(1, len(rows)))
    loss_rows = _loss_rows(obj, losses, loss_decimals, rows, expected, chained, first_row)
    precision = (f"to within {tol:g}" if tol is not None else
                 f"rounded to {decimals} decimals" if decimals is not None else
                 "at the precision each value is printed with")
    return StepsReport(str(obj) if obj.name else f"{obj.label} = {obj}", obj.label, obj.names, lr,
                       tuple(float(v) for v in rows[0]), steps, loss_rows, precision,
                       int(first_row))


def _finite(value: Any, name: str) -> float:
    if isinstance(value, (bool, str)) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _nonnegative_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise InputError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def _printed(value: Any, what: str) -> tuple[float, int]:
    """A published number and the decimals it is printed with."""
    if isinstance(value, bool):
        raise InputTypeError(f"{what} must be numbers, got {value!r}")
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
    elif isinstance(value, (numbers.Integral, np.integer)):
        text = str(int(value))
    elif isinstance(value, (numbers.Real, np.floating)):
        text = repr(float(value))
    else:
        raise InputTypeError(f"{what} must be numbers, got {type(value).__name__} "
                             f"{value!r:.40}")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise InputError(f"{what}: {value!r} is not a number") from None
    if not d.is_finite():
        raise InputError(f"{what}: {value!r} is not a finite number")
    return float(d), max(0, -int(d.as_tuple().exponent))


def _table(iterates: Any, n: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(iterates, np.ndarray):
        iterates = iterates.tolist()
    try:
        rows = [list(r.values()) if isinstance(r, Mapping) else list(r) for r in iterates]
    except TypeError:
        raise InputTypeError(f"{what} must be rows of numbers, got "
                             f"{type(iterates).__name__}") from None
    bad = [k for k, r in enumerate(rows) if len(r) != n]
    if bad:
        raise InputError(f"{what}: row {bad[0]} has {len(rows[bad[0]])} values; each row needs "
                         f"{n}, one per variable")
    parsed = [[_printed(v, what) for v in r] for r in rows]
    values = np.array([[v for v, _ in r] for r in parsed], dtype=float).reshape(-1, n)
    digits = np.array([[d for _, d in r] for r in parsed], dtype=int).reshape(-1, n)
    return values, digits


def _recompute(obj: Objective, rows: np.ndarray, lr: float) -> tuple[np.ndarray, np.ndarray]:
    expected = np.empty_like(rows)
    chained = np.empty_like(rows)
    expected[0] = chained[0] = rows[0]
    with np.errstate(all="ignore"):
        for k in range(1, len(rows)):
            expected[k] = rows[k - 1] - lr * obj.grad(rows[k - 1])
            chained[k] = chained[k - 1] - lr * obj.grad(chained[k - 1])
    return expected, chained


def _matches(value: np.ndarray, published: np.ndarray, digits: np.ndarray,
             tol: float | None) -> np.ndarray:
    """Does ``value`` round to ``published`` (or lie within ``tol``)?"""
    with np.errstate(all="ignore"):
        half = np.full(np.shape(value), tol) if tol is not None else 0.5 * 10.0 ** -digits
        slack = 1e-9 * half + 4 * _EPS * np.abs(published)
        return np.isfinite(value) & (np.abs(value - published) <= half + slack)


def _rounded(value: float, digits: int, tol: float | None) -> str:
    if not math.isfinite(value):
        return str(value)
    return _num(value) if tol is not None else f"{value:.{digits}f}"


def _step_row(obj: Objective, rows: np.ndarray, expected: np.ndarray, chained: np.ndarray,
              digits: np.ndarray, tol: float | None, lr: float, k: int, first: int) -> StepRow:
    per = _matches(expected[k], rows[k], digits[k], tol)
    shown = tuple(_rounded(float(v), int(d), tol) for v, d in zip(expected[k], digits[k]))
    lr_range, implied = _implied_lr(obj, rows, digits, tol, k)
    return StepRow(first + k, tuple(map(float, rows[k])), tuple(map(float, expected[k])),
                   shown, bool(per.all()), tuple(bool(v) for v in per),
                   tuple(map(float, chained[k])),
                   bool(_matches(chained[k], rows[k], digits[k], tol).all()),
                   lr_range, implied)


def _implied_lr(obj: Objective, rows: np.ndarray, digits: np.ndarray, tol: float | None,
                k: int) -> tuple[tuple[float, float] | None, tuple[float | None, ...]]:
    """The learning rates that give row k from row k-1 (per variable, and together)."""
    prev, now = rows[k - 1], rows[k]
    g = obj.grad(prev)
    half = np.full(len(now), tol) if tol is not None else 0.5 * 10.0 ** -digits[k]
    low, high, implied = 0.0, math.inf, []
    for j in range(len(now)):
        if not (math.isfinite(g[j]) and g[j] != 0):
            implied.append(None)
            if abs(prev[j] - now[j]) > half[j]:
                low, high = math.inf, -math.inf
            continue
        implied.append(float((prev[j] - now[j]) / g[j]))
        a, b = sorted(((prev[j] - (now[j] + half[j])) / g[j],
                       (prev[j] - (now[j] - half[j])) / g[j]))
        low, high = max(low, a), min(high, b)
    lr_range = (float(low), float(high)) if low <= high and math.isfinite(high) else None
    return lr_range, tuple(implied)


def _loss_rows(obj: Objective, losses: Sequence[Any] | None, loss_decimals: int | None,
               rows: np.ndarray, expected: np.ndarray, chained: np.ndarray,
               first: int) -> tuple[LossRow, ...]:
    if losses is None:
        return ()
    values, digits = _table([[v] for v in losses], 1, "losses")
    values, digits = values[:, 0], digits[:, 0]
    if len(values) != len(rows):
        raise InputError(f"losses has {len(values)} values for {len(rows)} rows of iterates; "
                         "give one loss per row")
    if loss_decimals is not None:
        digits = np.full_like(digits, _nonnegative_int(loss_decimals, "loss_decimals"))
    out = []
    for k in range(len(rows)):
        at = [obj.value(p[k]) for p in (rows, expected, chained)]
        ok = [bool(_matches(np.array(v), np.array(values[k]), np.array(digits[k]), None))
              for v in at]
        out.append(LossRow(first + k, float(values[k]), *map(float, at), *ok))
    return tuple(out)


# ================================================================== helpers

def _num(v: float) -> str:
    """Six significant digits, no ``-0``."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    text = f"{v:.6g}"
    return "0" if text in ("-0", "0") else text


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _coord(v: float) -> str:
    return f"{float(v):g}"


def _where(names: Sequence[str], p: np.ndarray) -> str:
    return "(" + ", ".join(f"{n}={_coord(v)}" for n, v in zip(names, p)) + ")"


def _points(k: int) -> str:
    return f"{k} random point{'s' * (k != 1)}"


def _what(label: str) -> str:
    return "entry" if label.startswith("∂²") else "partial"


def _nice(c: float) -> str:
    """A number as a short fraction when it is one (2/3), else six digits."""
    fr = Fraction(c).limit_denominator(100)
    if abs(float(fr) - c) <= 1e-9 * max(1.0, abs(c)):
        return str(fr)
    return _num(c)


def _ranges(rows: Sequence[int]) -> str:
    """[2, 3, 4, 6] -> '2–4, 6'."""
    parts, start = [], None
    for k, r in enumerate(rows):
        if start is None:
            start = r
        if k + 1 == len(rows) or rows[k + 1] != r + 1:
            parts.append(str(start) if start == r else f"{start}–{r}")
            start = None
    return ", ".join(parts)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _jsonable(value: Any) -> Any:
    """Plain JSON types: NaN and infinities become None, tuples lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if isinstance(value, (numbers.Real, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    return value
