"""What the checks hand back: one report class per check, and their parts.

Every class here has the report interface of :class:`symgd._report.Report`:
``str()`` is :meth:`text`, :meth:`to_dict` is plain JSON-ready data,
``to_json()``, a one-line ``repr`` and the notebook display (Markdown) come
from the mixin. Points are written with :func:`symgd._text.point`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from .._report import Report
from .._text import json_safe, markdown_escape, number, plural, point, truncate
from ..errors import InputTypeError
from .step_reports import LossRow, StepRow, StepsReport

__all__ = ["EQUAL", "DIFFERENT", "UNDECIDED", "REQUIRE", "Counterexample", "Mistake",
           "ComponentCheck", "GradientReport", "HessianReport", "NumericComponent",
           "NumericReport", "StepRow", "LossRow", "StepsReport", "check_report_exit_code",
           "component_noun"]

EQUAL, DIFFERENT, UNDECIDED = "equal", "different", "undecided"
REQUIRE = ("numeric", "proof")   # what counts as right: equal at every point, or proven

_SHOWN_CLAIM = 80            # characters of a claimed derivative in a summary line


def component_noun(label: str) -> str:
    """``"entry"`` for a Hessian label (``∂²f/∂x∂y``), ``"partial"`` otherwise.

    >>> component_noun("∂f/∂x"), component_noun("∂²f/∂x²")
    ('partial', 'entry')
    """
    return "entry" if label.startswith(("∂²", "d²")) else "partial"


def _fields(obj: Any) -> dict[str, Any]:
    """A dataclass's fields by name (for the parts that are plain records)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


# ====================================================== check_gradient's parts

@dataclass(frozen=True, repr=False)
class Counterexample(Report):
    """A point where a claimed derivative and the true one differ."""

    point: dict[str, float]
    claimed: float
    true: float

    def where(self) -> str:
        """The point as ``(x = 0.37, y = -1.25)``."""
        return point(list(self.point), self.point)

    def text(self) -> str:
        digits = next((d for d in range(6, 17) if number(self.claimed, d) !=
                       number(self.true, d)), 17)     # enough digits to tell them apart
        return (f"at {self.where()} claimed {number(self.claimed, digits)}, true "
                f"{number(self.true, digits)}")

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"point": self.point, "claimed": self.claimed, "true": self.true})


@dataclass(frozen=True, repr=False)
class Mistake(Report):
    """The likely mistake behind a wrong derivative.

    ``kind`` is one of ``"sign error"``, ``"constant factor"``,
    ``"chain rule"``, ``"wrong variable"``, ``"exchanged variables"``,
    ``"constant term"``, ``"zero"``, ``"missing factor"``, ``"extra factor"``.
    """

    kind: str
    detail: str

    def text(self) -> str:
        return f"{self.kind}: {self.detail}"

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "detail": self.detail}


@dataclass(frozen=True, repr=False)
class ComponentCheck(Report):
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
    method : {"symbolic", "exact", "counterexample", "numeric", "none"}
        How the verdict was reached (``"exact"``: the difference is a nonzero
        rational function, and the point was found with exact arithmetic).
        ``"numeric"`` goes with ``"undecided"`` (and with every callable that
        agrees at all points); ``"none"``: the claim was not compared at all
        (it could not be read in time).
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
    require : {"numeric", "proof"}
        ``"proof"``: only a proven equality is right (undecided is not ok).
    agrees_where : str
        For a wrong claim that agrees at some random points: where, as a sign
        condition (``"x > 0"``), or ``""`` when no sign separates them.
    from_function : bool
        True when the claim was a Python function (numeric check only).
    undefined_at : Counterexample or None
        A point where the claimed value is undefined and the true one is not.
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
    require: str = "numeric"
    agrees_where: str | None = None

    @property
    def numeric(self) -> str:
        """``"equal"``, ``"different"`` or ``"not compared"`` (at the random points)."""
        if not self.points_used:
            return "not compared"
        return "equal" if self.points_agree == self.points_used else "different"

    @property
    def ok(self) -> bool:
        """Proven equal; or (unless ``require="proof"``) undecided, equal at every
        random point used, and defined wherever the true derivative is."""
        return self.verdict == EQUAL or (self.verdict == UNDECIDED and self.numeric == "equal"
                                         and not self.points_skipped and self.require != "proof")

    def summary(self) -> str:
        """One line for a student."""
        what = f"claimed {truncate(self.claimed, _SHOWN_CLAIM)}"
        noun = component_noun(self.label)
        if self.verdict == EQUAL:
            how = "" if self.step in (None, "as written") else f", shown by {self.step}"
            return f"{self.label}: {what} is right (= {truncate(self.true, _SHOWN_CLAIM)}{how})"
        if self.verdict == DIFFERENT:
            kind = f" ({self.mistake.kind})" if self.mistake else ""
            at = f": {self.counterexample.text()}" if self.counterexample else ""
            if self.agrees_where is not None and self.counterexample:
                part = f"for {self.agrees_where}" if self.agrees_where else \
                    f"at {self.points_agree} of {plural(self.points_used, 'random point')}" \
                    if self.points_agree < self.points_used else \
                    f"at the {plural(self.points_used, 'random point')}"
                at = f": right {part} only (differs {self.counterexample.text()})"
            return f"{self.label}: {what} is WRONG{kind}{at}"
        used = plural(self.points_used, "random point")
        if self.numeric == "equal" and self.points_skipped:
            u = self.undefined_at
            at = f" (e.g. at {u.where()}, where the true value is {number(u.true)})" if u else ""
            return (f"{self.label}: {what} is undefined at "
                    f"{plural(self.points_skipped, 'random point')} where the true {noun} is "
                    f"defined{at}; elsewhere equal at {used}")
        if self.numeric == "equal":
            if self.from_function:
                return (f"{self.label}: {what} agrees with the exact {noun} at {used} (a "
                        "Python function is checked numerically)")
            if self.require == "proof":
                return (f"{self.label}: {what} is UNDECIDED (proof required): numerically "
                        f"equal at {used}, not proven ({self.reason})")
            return (f"{self.label}: {what} is numerically right: equal at {used}, not proven "
                    f"({self.reason})")
        if self.method == "none":
            return f"{self.label}: {what} could not be checked: {self.reason}"
        return (f"{self.label}: {what} could not be checked: {self.reason}, and no random "
                "point had both values defined")

    def details(self) -> list[str]:
        """Further lines: the mistake, the right derivative (its shortest
        form found within half a second, as it can be typed), skipped points."""
        from .readable import readable
        lines = []
        if self.verdict == DIFFERENT:
            if self.mistake:
                lines.append(self.mistake.detail)
            lines.append(f"the right {component_noun(self.label)} is {readable(self.true)}")
            if self.points_skipped:
                lines.append(f"{plural(self.points_skipped, 'random point')} skipped: the "
                             "claimed value is undefined there while the true one is defined")
        return lines

    def text(self) -> str:
        return "\n".join([self.summary(), *("    " + d for d in self.details())])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return json_safe({
            "label": self.label, "variables": list(self.variables), "claimed": self.claimed,
            "true": self.true, "verdict": self.verdict, "method": self.method,
            "ok": self.ok, "step": self.step, "numeric": self.numeric, "require": self.require,
            "agrees_where": self.agrees_where,
            "points_used": self.points_used, "points_agree": self.points_agree,
            "points_skipped": self.points_skipped, "reason": self.reason or None,
            "from_function": self.from_function,
            "counterexample": self.counterexample.to_dict() if self.counterexample else None,
            "undefined_at": self.undefined_at.to_dict() if self.undefined_at else None,
            "mistake": self.mistake.to_dict() if self.mistake else None,
            "message": self.summary(), "details": self.details()})


# ============================================== check_gradient, check_hessian

@dataclass(frozen=True, repr=False)
class GradientReport(Report):
    """What :func:`~symgd.check_gradient` found, one :class:`ComponentCheck` per partial.

    ``str(report)`` is a text report, :meth:`markdown` a Markdown table (what
    a notebook shows), :meth:`to_dict`/``to_json()`` JSON-ready forms; ``ok``
    is True when every component is right (proven, or equal at every random
    point).
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
    require: str = "numeric"
    kind: ClassVar[str] = "gradient"

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.components)

    @property
    def wrong(self) -> tuple[ComponentCheck, ...]:
        """The components found different."""
        return tuple(c for c in self.components if c.verdict == DIFFERENT)

    @property
    def undecided(self) -> bool:
        """No component is wrong, and some are not right: not decided (exit code 3
        when proof is required)."""
        return not self.wrong and not self.ok

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
        if not wrong and self.require == "proof":
            state = "not proven (proof required)"
        if n == 1:
            return f"{state.capitalize()}: {bad[0]}."
        return f"{len(bad)} of {n} {self._noun(n)} {verb} {state}: {', '.join(bad)}."

    def text(self) -> str:
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
        variables = markdown_escape(", ".join(self.variables))
        lines = [f"**Checking the {self.kind} of `{self.objective}` (variables {variables})**",
                 ""]
        if self.note:
            lines += [f"_{markdown_escape(self.note)}_", ""]
        lines += ["| | claimed | verdict | details |", "|---|---|---|---|"]
        for c in self.components:
            verdict = {EQUAL: "right", DIFFERENT: "**WRONG**"}.get(
                c.verdict, "numerically right" if c.ok else
                "not proven" if c.numeric == "equal" else "not checked")
            info = c.summary().split(": ", 1)[1]
            extra = "; ".join([info, *c.details()])
            claimed = "(function)" if c.from_function else f"`{c.claimed}`"
            lines.append(f"| {markdown_escape(c.label)} | {claimed} | {verdict} | "
                         f"{markdown_escape(extra)} |")
        lines += ["", markdown_escape(self.verdict_line())]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (non-finite numbers become None)."""
        return json_safe({
            "kind": self.kind.lower(), "objective": self.objective,
            "variables": list(self.variables), "ok": self.ok,
            "verdict": self.verdict_line(), "note": self.note or None,
            "require": self.require, "undecided": self.undecided,
            "points": self.points, "seed": self.seed, "timeout_s": self.timeout,
            "elapsed_s": round(self.elapsed, 4), "symbolic_finished": self.symbolic_finished,
            "components": [c.to_dict() for c in self.components]})


@dataclass(frozen=True, repr=False)
class HessianReport(GradientReport):
    """What :func:`~symgd.check_hessian` found, one :class:`ComponentCheck` per
    entry (row by row)."""

    kind: ClassVar[str] = "Hessian"


# ================================================================ check_grad

@dataclass(frozen=True, repr=False)
class NumericComponent(Report):
    """One component of :func:`~symgd.check_grad`: claimed value against the estimate."""

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
        """The component's line of the report."""
        verdict = "right" if self.ok else "WRONG"
        return (f"{self.name}: claimed {number(self.claimed)}, estimate "
                f"{number(self.estimate)}, abs error {self.abs_error:.2g}, rel error "
                f"{self.rel_error:.2g}: {verdict}")

    def text(self) -> str:
        return self.line()

    def to_dict(self) -> dict[str, Any]:
        return json_safe(_fields(self))


@dataclass(frozen=True, repr=False)
class NumericReport(Report):
    """What :func:`~symgd.check_grad` found.

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
        at = point([c.name for c in self.components], self.x0)
        return f"Gradient check at {at} by {how}; f(x) = {number(self.fx)}"

    def verdict_line(self) -> str:
        n, w = len(self.components), self.worst
        if self.ok:
            return (f"All {n} components agree (largest relative error "
                    f"{self.max_rel_error:.2g}); ||claimed - estimate|| = {self.error:.2g}.")
        bad = [c.name for c in self.components if not c.ok]
        verb = "is" if len(bad) == 1 else "are"
        return (f"{len(bad)} of {n} components {verb} wrong: {', '.join(bad)}; worst: "
                f"{w.name} (claimed {number(w.claimed)}, estimate {number(w.estimate)}).")

    def text(self) -> str:
        lines = [self.headline()]
        if self.note:
            lines.append(f"  ({self.note})")
        lines += ["  " + c.line() for c in self.components]
        lines.append(self.verdict_line())
        return "\n".join(lines)

    def markdown(self) -> str:
        """A Markdown table, one row per component."""
        lines = [f"**{markdown_escape(self.headline())}**", ""]
        if self.note:
            lines += [f"_{markdown_escape(self.note)}_", ""]
        lines += ["| component | claimed | estimate | abs error | rel error | verdict |",
                  "|---|---|---|---|---|---|"]
        for c in self.components:
            lines.append(f"| {markdown_escape(c.name)} | {number(c.claimed)} | "
                         f"{number(c.estimate)} | {c.abs_error:.2g} | {c.rel_error:.2g} | "
                         f"{'right' if c.ok else '**WRONG**'} |")
        return "\n".join(lines + ["", markdown_escape(self.verdict_line())])

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "kind": "numeric gradient", "x0": list(self.x0), "fx": self.fx,
            "method": self.method, "ok": self.ok, "error": self.error,
            "max_abs_error": self.max_abs_error, "max_rel_error": self.max_rel_error,
            "worst": self.worst.name, "note": self.note or None,
            "verdict": self.verdict_line(),
            "components": [c.to_dict() for c in self.components]})


# ================================================================ exit codes

def check_report_exit_code(report: Any) -> int:
    """The command-line exit code for a report: 0 when everything is right, 3
    when proof was required (``require="proof"``) and nothing is wrong but
    something is not proven, 1 otherwise.

    (Invalid input raises a :class:`~symgd.SymgdError` before any report
    exists; the command exits with 2 for those.)

    >>> from symgd import check_gradient
    >>> check_report_exit_code(check_gradient("x^2", "2x"))
    0
    """
    ok = getattr(report, "ok", None)
    if not isinstance(ok, bool):
        raise InputTypeError(f"expected a report from check_gradient, check_hessian, "
                             f"check_grad or check_steps; got {type(report).__name__}")
    if not ok and getattr(report, "require", None) == "proof" and report.undecided:
        return 3
    return 0 if ok else 1
