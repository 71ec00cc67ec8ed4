"""What :func:`~symgd.check_steps` hands back: one row per published step,
one per published loss, and the report (re-exported by :mod:`.reports`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Sequence

from .._report import Report
from .._text import json_safe, markdown_escape, number, plural, point

__all__ = ["StepRow", "LossRow", "StepsReport"]


def _fields(obj: Any) -> dict[str, Any]:
    """A dataclass's fields by name (the rows are plain records)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


@dataclass(frozen=True, repr=False)
class StepRow(Report):
    """One published row of :func:`~symgd.check_steps`, recomputed.

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

    def text(self) -> str:
        shown = ", ".join(self.expected_shown)
        if self.follows:
            return f"row {self.row}: follows from the row before (one step gives {shown})"
        return f"row {self.row}: does NOT follow from the row before (one step gives {shown})"

    def to_dict(self) -> dict[str, Any]:
        return json_safe(_fields(self))


@dataclass(frozen=True, repr=False)
class LossRow(Report):
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

    def text(self) -> str:
        mark = "" if self.matches_printed else "  <- does not match"
        return (f"row {self.row}: published {number(self.published)}, loss at the printed "
                f"point {self.at_printed:.6g}{mark}")

    def to_dict(self) -> dict[str, Any]:
        return json_safe(_fields(self))


class _Written:
    """A value already written at its printed precision ("1.20"): shown as is."""

    __slots__ = ("written",)

    def __init__(self, written: str) -> None:
        self.written = written

    def __str__(self) -> str:
        return self.written


@dataclass(frozen=True, repr=False)
class StepsReport(Report):
    """What :func:`~symgd.check_steps` found: one :class:`StepRow` per step."""

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
        """A row as a point; text values (``"1.20"``) keep their printed digits."""
        return point(self.variables,
                     [_Written(v) if isinstance(v, str) else v for v in values])

    def headline(self) -> str:
        return (f"Checking {plural(len(self.steps), 'step')} of "
                f"x_(k+1) = x_k - {number(self.lr)} ∇{self.label}(x_k) for {self.objective}, "
                f"each row recomputed from the published row before it ({self.precision})")

    def step_lines(self, s: StepRow) -> list[str]:
        """The lines of one row: follows, or what one step gives instead."""
        prev = s.row - 1
        if s.follows:
            return [f"row {s.row} {self._point(s.published)}: follows from row {prev} "
                    f"(one step gives {self._point(s.expected)})"]
        off = [f"{n} should be {e}" for n, e, ok in
               zip(self.variables, s.expected_shown, s.component_follows) if not ok]
        return [f"row {s.row} {self._point(s.published)}: does NOT follow from row {prev}: "
                f"one step gives {self._point(s.expected)}, which rounds to "
                f"{self._point(s.expected_shown)}; {', '.join(off)}",
                "    " + self._lr_sentence(s)]

    def _lr_sentence(self, s: StepRow) -> str:
        if s.lr_range is not None:
            lo, hi = s.lr_range
            return f"a learning rate between {lo:.4g} and {hi:.4g} would give this row"
        parts = [f"{n} lr ≈ {v:.4g}" for n, v in zip(self.variables, s.implied_lr)
                 if v is not None]
        return ("no single learning rate gives this row" +
                (f": {', '.join(parts)}" if parts else ""))

    def chain_line(self) -> str:
        """Whether an uninterrupted run from the first row gives the same table."""
        differ = [s.row for s in self.steps if not s.matches_chained]
        if not differ:
            return ("An uninterrupted run from the first row gives the same table at the "
                    "printed precision.")
        first = next(s for s in self.steps if not s.matches_chained)
        return (f"An uninterrupted run from row {self.first_row} differs from the table in "
                f"row{'s' * (len(differ) > 1)} {_ranges(differ)}: its row {first.row} is "
                f"{self._point(first.chained)}.")

    def loss_lines(self) -> list[str]:
        """Which points the published losses are the loss at, row by row."""
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
        return [head, *("    " + r.text() for r in self.losses)]

    def text(self) -> str:
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
        """Markdown tables: the rows, and the losses when given."""
        lines = [f"**{markdown_escape(self.headline())}**", "",
                 "| row | published | one step from the row before | follows |",
                 "|---|---|---|---|",
                 f"| {self.first_row} | {markdown_escape(self._point(self.start))} | (start) | |"]
        for s in self.steps:
            lines.append(f"| {s.row} | {markdown_escape(self._point(s.published))} | "
                         f"{markdown_escape(self._point(s.expected))} | "
                         f"{'yes' if s.follows else '**no**'} |")
        lines += ["", markdown_escape(self.chain_line())]
        if self.losses:
            lines += ["", "| row | published loss | loss at printed point | matches |",
                      "|---|---|---|---|"]
            lines += [f"| {r.row} | {number(r.published)} | {r.at_printed:.6g} | "
                      f"{'yes' if r.matches_printed else '**no**'} |" for r in self.losses]
            lines += ["", markdown_escape(self.loss_lines()[0])]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "kind": "steps", "objective": self.objective, "label": self.label,
            "variables": list(self.variables),
            "lr": self.lr, "start": list(self.start), "precision": self.precision,
            "ok": self.ok, "first_row": self.first_row,
            "bad_rows": [s.row for s in self.bad_rows],
            "losses_explained": self.losses_explained,
            "steps": [s.to_dict() for s in self.steps],
            "losses": [r.to_dict() for r in self.losses],
            "text": self.text()})


def _ranges(rows: Sequence[int]) -> str:
    """Row numbers as ranges.

    >>> _ranges([2, 3, 4, 6])
    '2–4, 6'
    """
    parts, start = [], None
    for k, r in enumerate(rows):
        if start is None:
            start = r
        if k + 1 == len(rows) or rows[k + 1] != r + 1:
            parts.append(str(start) if start == r else f"{start}–{r}")
            start = None
    return ", ".join(parts)
