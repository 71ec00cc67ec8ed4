r"""Grading many claimed derivatives in one process: :func:`check_many`.

An autograder hands over submissions, each a mapping::

    {"id": "s1", "function": "(w*x + b - y)^2",
     "gradient": {"w": "2*x*(w*x + b - y)", "b": "2*(w*x + b - y)"},
     "variables": ["w", "b"], "constants": {"x": 2, "y": 3}}

``gradient`` is text (``"2x, 2y"`` or ``"w: ..., b: ..."`` in any order), a
list of partials or a mapping by name; ``hessian`` (optional, with or
without ``gradient``) is text or nested lists. Each item is checked by
:func:`~symgd.check.gradient.check_gradient` (and
:func:`~symgd.check.gradient.check_hessian`), whose child process holds the
time limit over reading, compiling and simplifying the claim. One bad item
(text that does not parse, a missing field, a name that is not a variable)
becomes an ``"error"`` line with symgd's message; it never stops the batch.

Each item gets one of four verdicts: ``"right"`` (every component proven
equal, or equal at every random point; with ``require="proof"`` proven
only), ``"wrong"`` (a component differs at a point where both are defined),
``"undecided"`` and ``"error"``.

>>> report = check_many([{"id": 1, "function": "x^2", "gradient": "2x"},
...                      {"id": 2, "function": "x^2", "gradient": "x"},
...                      {"id": 3, "function": "x^", "gradient": "2x"}])
>>> [(line["id"], line["verdict"]) for line in report.lines()]
[(1, 'right'), (2, 'wrong'), (3, 'error')]
>>> report.counts
{'right': 1, 'wrong': 1, 'undecided': 0, 'error': 1}
"""

from __future__ import annotations

import json
import statistics
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Sized

import numpy as np
import sympy as sp

from .._progress import progress_line
from .._report import Report
from .._text import json_safe, number, plural, truncate
from ..errors import InputError, InputTypeError, SymgdError
from ..expr.parse import split_top_level
from ..objective.core import Objective
from .claims import WithConstants, gradient_claim
from .gradient import check_gradient, check_hessian
from .reports import EQUAL, UNDECIDED
from .targets import gradient_target, hessian_target

__all__ = ["check_many", "iter_checks", "read_jsonl", "summary_line", "warm_up", "BatchCheck",
           "ItemCheck", "BadItem", "VERDICTS", "FIELDS"]

VERDICTS = ("right", "wrong", "undecided", "error")
FIELDS = ("id", "function", "gradient", "hessian", "variables", "constants")
REQUIRE = ("numeric", "proof")
_SHOWN = 200              # characters of an item's message shown in text()
_LEAST_SECONDS = 0.1      # the Hessian's share when the gradient used up the limit


@dataclass(frozen=True, repr=False)
class BadItem(Report):
    """An item that could not even be read (a line of a file that is not a
    JSON object); it becomes an ``"error"`` line with ``message``."""

    id: Any
    message: str
    kind: str = "InputError"

    def text(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"id": self.id, "message": self.message, "kind": self.kind})


@dataclass(frozen=True, repr=False)
class ItemCheck(Report):
    """The verdict on one submission.

    ``components`` are plain dicts (label, verdict, message), one per
    partial (and Hessian entry); ``kind`` names the error class of an
    ``"error"`` item (``ParseError``, ``InputError`` ...); ``reports`` are
    the full :class:`~symgd.check.reports.GradientReport` /
    ``HessianReport`` behind the verdict (none for an error).
    """

    id: Any
    verdict: str
    message: str
    seconds: float
    components: tuple[dict[str, Any], ...] = ()
    kind: str | None = None
    reports: tuple[Any, ...] = field(default=(), compare=False)

    @property
    def ok(self) -> bool:
        return self.verdict == "right"

    def line(self) -> dict[str, Any]:
        """The JSON-safe line of this item (what ``symgd check --batch`` prints)."""
        out: dict[str, Any] = {"id": self.id, "verdict": self.verdict, "ok": self.ok,
                               "message": self.message, "seconds": round(self.seconds, 4),
                               "components": [dict(c) for c in self.components]}
        if self.kind is not None:
            out["kind"] = self.kind
        return json_safe(out)

    def text(self) -> str:
        return f"{self.id}: {self.verdict}: {truncate(self.message, _SHOWN)}"

    def to_dict(self) -> dict[str, Any]:
        return self.line()


@dataclass(frozen=True, repr=False)
class BatchCheck(Report):
    """What :func:`check_many` found: one :class:`ItemCheck` per item, in order.

    :meth:`lines` gives one JSON-safe dict per item, :meth:`summary` the
    counts and times; ``ok`` is True when every item is right.
    """

    items: tuple[ItemCheck, ...]
    seconds: float
    timeout: float
    points: int
    seed: int
    require: str = "numeric"

    @property
    def ok(self) -> bool:
        return all(i.ok for i in self.items)

    @property
    def counts(self) -> dict[str, int]:
        """How many items got each verdict."""
        return {v: sum(i.verdict == v for i in self.items) for v in VERDICTS}

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, k: int) -> ItemCheck:
        return self.items[k]

    def lines(self) -> Iterator[dict[str, Any]]:
        """One JSON-safe dict per item."""
        for item in self.items:
            yield item.line()

    def summary(self) -> dict[str, Any]:
        """Counts and times; ``"summary": True`` tells it from an item's line."""
        return summary_line(self.items, self.seconds)

    def headline(self) -> str:
        c = self.counts
        return (f"Checked {plural(len(self.items), 'submission')} in "
                f"{number(self.seconds, 3)} s: {c['right']} right, {c['wrong']} wrong, "
                f"{c['undecided']} undecided, {plural(c['error'], 'error')}")

    def text(self) -> str:
        return "\n".join([self.headline(), *("  " + i.text() for i in self.items)])

    def markdown(self) -> str:
        rows = ["| id | verdict | seconds | message |", "|---|---|---|---|"]
        for i in self.items:
            message = truncate(i.message, _SHOWN).replace("|", "\\|").replace("\n", " ")
            rows.append(f"| {i.id} | {i.verdict} | {number(i.seconds, 3)} | {message} |")
        return "\n".join([f"**{self.headline()}**", "", *rows])

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"items": list(self.lines()), "summary": self.summary(),
                          "timeout_s": self.timeout, "points": self.points, "seed": self.seed,
                          "require": self.require})


def summary_line(items: Iterable[ItemCheck], seconds: float) -> dict[str, Any]:
    """The summary of checked items: counts, total and median seconds."""
    items = list(items)
    counts = {v: sum(i.verdict == v for i in items) for v in VERDICTS}
    times = [i.seconds for i in items]
    return {"summary": True, "items": len(items), **counts,
            "ok": counts["right"] == len(items), "seconds": round(seconds, 4),
            "median_seconds": round(statistics.median(times), 4) if times else None,
            "max_seconds": round(max(times), 4) if times else None}


def check_many(items: Iterable[Any], *, timeout: float = 2.0, points: int = 20,
               seed: int = 0, require: str = "numeric",
               progress: bool | str = False) -> BatchCheck:
    r"""Check many claimed gradients and Hessians in one process.

    Parameters
    ----------
    items : iterable of mappings
        Each with ``"function"`` (the objective as text), ``"gradient"``
        and/or ``"hessian"`` (the claims: text, lists, or a mapping from
        variable names to partials), and optionally ``"id"`` (default the
        item's number, from 1), ``"variables"`` (their order, a list or
        ``"w,b"``) and ``"constants"`` (``{"a": 2.5}``: substituted in the
        function and in the claims alike).
    timeout : float
        Seconds for each item: reading, compiling and simplifying its
        claims (a gradient and a Hessian share it).
    points, seed : int
        Random points of each numeric comparison, and their seed.
    require : {"numeric", "proof"}
        ``"proof"``: an item is right only when SymPy proved every
        component equal; equal at every random point is "undecided".
    progress : bool or "auto"
        Show a progress line on standard error (items checked, items per
        second, how many were wrong so far, the time left); ``"auto"`` only
        when standard error is a terminal.

    Returns
    -------
    BatchCheck

    >>> r = check_many([{"function": "w^2*b", "gradient": "b: w^2, w: 2*w*b"}])
    >>> r[0].verdict, r[0].id, [c["label"] for c in r[0].components]
    ('right', 1, ['∂f/∂b', '∂f/∂w'])
    """
    if require not in REQUIRE:
        raise InputError(f"require must be one of {', '.join(REQUIRE)}, got {require!r}")
    start = time.monotonic()
    total = len(items) if isinstance(items, Sized) else None
    line = progress_line("check", total, show=progress, unit="items")
    if line is None:
        done = tuple(iter_checks(items, timeout=timeout, points=points, seed=seed,
                                 require=require))
    else:
        checked: list[ItemCheck] = []
        wrong = 0
        try:
            for item in iter_checks(items, timeout=timeout, points=points, seed=seed,
                                    require=require):
                checked.append(item)
                wrong += not item.ok
                line.update(len(checked), note=f"{wrong:,} not right")
        finally:
            line.close()
        done = tuple(checked)
    return BatchCheck(done, time.monotonic() - start, timeout, points, seed, require)


_warm = False


def warm_up() -> None:
    """Do once, in this process, what every check's child would otherwise do
    first: import the parts of SymPy that parsing, differentiating and
    compiling load on first use. Each child is forked from this process and
    starts from there (a check costs about a fifth of the time). Only speed
    depends on it; a failure here is ignored."""
    global _warm
    if _warm:
        return
    _warm = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = Objective("sin(x)*exp(y) + x^2*y + log(1 + x^2)/y")
            target = gradient_target(obj, function=False)
            claim = gradient_claim("cos(x)*exp(y) + 2*x*y, sin(x)*exp(y) + x^2", target)
            target.true_at(np.array([[0.5, 1.5], [1.0, 2.0]]))
            hessian_target(obj, function=False).true_at(np.array([[0.5, 1.5]]))
            for a, t in zip(claim.exprs or (), target.exprs or ()):
                d = a - t
                sp.cancel(d)
                sp.simplify(d)
                d.xreplace({s: sp.Rational(1, 3) for s in d.free_symbols}).evalf(30)
    except Exception:                    # noqa: BLE001 - speed only
        pass


def iter_checks(items: Iterable[Any], *, timeout: float = 2.0, points: int = 20,
                seed: int = 0, require: str = "numeric") -> Iterator[ItemCheck]:
    """The checks of :func:`check_many`, one at a time as each is done."""
    warm_up()
    for k, item in enumerate(items, 1):
        began = time.monotonic()
        ident = item.get("id", k) if isinstance(item, Mapping) else \
            item.id if isinstance(item, BadItem) else k
        if isinstance(item, BadItem):
            yield _error(ident, item.message, item.kind, began)
            continue
        try:
            reports = _check_item(item, timeout, points, seed)
        except SymgdError as error:
            yield _error(ident, str(error), type(error).__name__, began)
            continue
        except Exception as error:      # noqa: BLE001 - one item never stops the batch
            yield _error(ident, f"{type(error).__name__}: {error}", type(error).__name__,
                         began)
            continue
        yield _verdict(ident, reports, require, time.monotonic() - began)


def _error(ident: Any, message: str, kind: str, began: float) -> ItemCheck:
    return ItemCheck(ident, "error", " ".join(message.splitlines()),
                     time.monotonic() - began, kind=kind)


def _check_item(item: Any, timeout: float, points: int, seed: int) -> tuple[Any, ...]:
    if not isinstance(item, Mapping):
        raise InputTypeError(f"an item must be a mapping such as {{\"function\": \"x^2\", "
                             f"\"gradient\": \"2x\"}}, got {type(item).__name__}")
    unknown = [str(k) for k in item if k not in FIELDS]
    if unknown:
        raise InputError(f"unknown field{'s' * (len(unknown) > 1)} {', '.join(unknown)}; an "
                         f"item has {', '.join(FIELDS)}")
    if "function" not in item:
        raise InputError("the item has no \"function\": the objective whose derivatives "
                         "are claimed")
    if item.get("gradient") is None and item.get("hessian") is None:
        raise InputError("the item has neither \"gradient\" nor \"hessian\": nothing is "
                         "claimed")
    function = item["function"]
    if not isinstance(function, str):
        raise InputTypeError(f"\"function\" must be text, got {type(function).__name__}")
    constants = item.get("constants")
    if constants is not None and not isinstance(constants, Mapping):
        raise InputTypeError(f"\"constants\" must be an object such as {{\"a\": 2.5}}, got "
                             f"{type(constants).__name__}")
    obj = Objective(function, _variables(item.get("variables")), constants=constants or None)
    options = dict(points=points, seed=seed)
    began = time.monotonic()
    reports = []
    for key, check in (("gradient", check_gradient), ("hessian", check_hessian)):
        claimed = item.get(key)
        if claimed is None:
            continue
        left = max(timeout - (time.monotonic() - began), _LEAST_SECONDS) if reports \
            else timeout
        if constants:
            claimed = WithConstants(claimed, constants)
        reports.append(check(obj, claimed, timeout=left, **options))
    return tuple(reports)


def _variables(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return split_top_level(value.replace(" ", ",") if "," not in value else value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise InputTypeError(f"\"variables\" must be a list of names such as [\"w\", \"b\"] or "
                         f"\"w,b\", got {json.dumps(json_safe(value), default=str)}")


def _component_verdict(c: Any, require: str) -> str:
    if c.verdict == EQUAL:
        return "right"
    if c.ok:
        return "undecided" if require == "proof" else "right"
    if c.verdict == UNDECIDED:
        return "undecided"
    return "wrong"


def _verdict(ident: Any, reports: tuple[Any, ...], require: str,
             seconds: float) -> ItemCheck:
    components = []
    verdicts = []
    for report in reports:
        for c in report.components:
            v = _component_verdict(c, require)
            verdicts.append(v)
            components.append({"label": c.label, "verdict": v, "check": c.verdict,
                               "method": c.method, "message": c.summary(),
                               "mistake": c.mistake.kind if c.mistake else None})
    verdict = "wrong" if "wrong" in verdicts else "undecided" if "undecided" in verdicts \
        else "right"
    if verdict == "right":
        message = " ".join(f"{r.kind.capitalize()}: {r.verdict_line()}" if len(reports) > 1
                           else r.verdict_line() for r in reports)
    else:
        message = "; ".join(c["message"] for c in components if c["verdict"] != "right")
    return ItemCheck(ident, verdict, message, seconds, tuple(components), reports=reports)


def read_jsonl(lines: Iterable[str]) -> Iterator[Mapping[str, Any] | BadItem]:
    """The items of a JSON-lines text: one object per line; blank lines are
    skipped; a line that is not a JSON object is a :class:`BadItem` naming
    its number. An item without ``"id"`` gets its line number.

    >>> for item in read_jsonl(['{"function": "x^2"}', '', '[1]', '{"id": 3']):
    ...     print(getattr(item, "message", item))
    {'function': 'x^2', 'id': 1}
    line 3 is a JSON array, not an object
    line 4 is not JSON: Expecting ',' delimiter (column 9)
    """
    for k, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield BadItem(f"line {k}", f"line {k} is not JSON: {error.msg} (column "
                          f"{error.colno})", "ParseError")
            continue
        if not isinstance(value, dict):
            kind = {list: "a JSON array", str: "a JSON string"}.get(type(value), "a JSON value")
            yield BadItem(f"line {k}", f"line {k} is {kind}, not an object")
            continue
        value.setdefault("id", k)
        yield value
