"""The descent loop as generated Python code, on Python floats.

One template, :data:`LOOP`, is filled in two ways:

* :func:`fast_loop` inlines an objective's value and gradient (the
  statements of :func:`~symgd.objective.compile.python_statements`) and the
  fixed step, so a step costs a fraction of a microsecond;
* :data:`general_loop` calls ``advance(x) -> (f, g1..gn, next x1..xn)``,
  which any step rule provides (see :mod:`symgd.descent.loop`).

Both stop by the rules of :mod:`symgd.descent.stopping`, pasted in as code.
The generated source is registered in :mod:`linecache` under the file name
``<symgd descent loop N>``, so tracebacks and :mod:`inspect` show it.
"""

from __future__ import annotations

import collections
import itertools
import linecache
import math
import threading
import weakref
from typing import Any, Callable, Iterable

from ..objective.compile import MATH_ERRORS, inline_statements
from .result import Status
from .stopping import FINITE, STATE, STOP_RULES, UPDATES

__all__ = ["LOOP", "fast_loop", "general_loop", "make_loop", "history_cap",
           "HISTORY_MAX_VALUES", "LOOP_FILENAME"]

# About the most numbers a history records before it is thinned: a run of up
# to HISTORY_MAX_VALUES / (2n + 2) steps keeps every row (x, f, gradient,
# |g|), 1,000,000 steps for one variable. Rows are Python tuples while the
# loop runs, about 50 bytes a number, so a run's history stays within about
# 250 MB however many steps it takes.
HISTORY_MAX_VALUES = 4_000_000

LOOP_FILENAME = "<symgd descent loop {}>"

# ``{evaluate}`` sets the loss ``f``, the gradient norm ``gn``, ``ok`` and
# whatever ``{update}`` needs; ``{row}`` is the recorded tuple
# (x..., f, g..., |g|); ``{tests}`` and ``{state}`` come from the stopping
# rules.
#
# Rows are recorded at the iterations 0, stride, 2*stride, ... When ``cap``
# (even) rows are held, every second one is dropped and the stride doubles,
# so the rows stay at multiples of the stride and memory stays bounded. The
# caller adds the last row when it is not one of them. ``keep`` false
# records iteration 0 only (its stride is past max_iter). ``tick(it, f)``,
# when given, is called at iteration 0 and then at the iteration it returns
# (a progress line: one comparison per iterate, a call now and then).
LOOP = """\
def loop(start, lr, max_iter, tol, ftol, patience, keep, callback, advance, robust, n1, cap,
         tick=None):
    {unpack}
    next_tick = 0 if tick is not None else max_iter + 2
    rows = []
    append = rows.append
    stride = 1 if keep else max_iter + 2
    full = cap - 1 if keep else -1
    record = 0
{initial}
    it = 0
    status = MAX_ITER
    for it in range(max_iter + 1):
{evaluate}
        if it == record:
            append({row})
            record += stride
            if it == full:
                del rows[1::2]
                stride += stride
                full = (cap - 1) * stride
        stop = callback is not None and callback(it, {row})
        if it >= next_tick:
            next_tick = tick(it, f)
{tests}
{state}
{update}
    return status, it, rows, {row}, stride
"""

# What the loop and the stopping rules call; these win over the inlined
# statements' namespace.
_NAMES = {"inf": math.inf, "hypot": math.hypot, "isfinite": math.isfinite, "abs": abs,
          "max": max, "MATH_ERRORS": MATH_ERRORS, **{s.name: int(s) for s in Status}}
# Names the loop itself binds; the inlined statements must not use them.
_LOCALS = frozenset({"start", "lr", "max_iter", "tol", "ftol", "patience", "keep",
                     "callback", "advance", "robust", "n1", "cap", "tick", "next_tick", "rows", "append",
                     "stride", "full", "record", "it", "status", "f", "gn", "ok", "stop", "stuck",
                     *STATE})
_numbers = itertools.count(1)


def _indent(lines: Iterable[str], depth: int) -> str:
    return "\n".join(" " * depth + line for line in lines)


def _tests() -> str:
    """The stopping rules, in order, as ``if`` statements that end the loop."""
    lines = []
    for rule in STOP_RULES:
        lines += [f"if {rule.condition}:", f"    status = {rule.status.name}", "    break"]
    return _indent(lines, 8)


def make_loop(namespace: dict[str, Any], **snippets: str) -> Callable[..., tuple]:
    """The loop of :data:`LOOP` with ``snippets`` filled in, compiled in
    ``namespace`` and registered in :mod:`linecache`."""
    clash = _LOCALS & set(namespace)
    if clash:
        raise ValueError(f"generated statements use the loop's names {sorted(clash)}")
    code = LOOP.format(initial=_indent((f"{k} = {v!r}" for k, v in STATE.items()), 4),
                       tests=_tests(),
                       state=_indent((f"{k} = {v}" for k, v in UPDATES), 8), **snippets)
    scope = {**namespace, **_NAMES}
    exec(_code(code), scope)
    return scope["loop"]


_CODES: collections.OrderedDict[str, Any] = collections.OrderedDict()
_MAX_CODES = 256


def _code(source: str) -> Any:
    """The code object of a loop's source, compiled once while it is among
    the last :data:`_MAX_CODES` sources (a new objective of the same shape,
    such as a linear model on other data, prints the same loop: compiling it
    again took 1.4 ms of each run), with its source in :mod:`linecache` for
    tracebacks while it is kept."""
    with _CODES_LOCK:
        code = _CODES.get(source)
        if code is not None:
            _CODES.move_to_end(source)
            return code
        filename = LOOP_FILENAME.format(next(_numbers))
        code = compile(source, filename, "exec")
        _CODES[source] = code
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        while len(_CODES) > _MAX_CODES:
            _, old = _CODES.popitem(last=False)
            linecache.cache.pop(old.co_filename, None)
        return code


_CODES_LOCK = threading.Lock()


# The general path. Its evaluation never raises for math reasons (an
# evaluator falls back to NumPy), so it catches nothing: an error from a
# step rule reaches the caller.
general_loop = make_loop(
    {}, unpack="x = tuple(start)",
    evaluate=_indent(["out = advance(x)", "f = out[0]", "gn = hypot(*out[1:n1])",
                      f"ok = {FINITE}", "stuck = out[n1:] == x"], 8),
    row="(*x, *out[:n1], gn)", update=_indent(["x = out[n1:]"], 8))

_fast_loops: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def fast_loop(obj: Any) -> Callable[..., tuple]:
    """The loop with ``obj``'s value and gradient inlined and the fixed step,
    built once per objective.

    Where ``math`` raises (``log`` of a negative number, an overflow in
    ``exp``), the point is evaluated again by ``robust`` (NumPy: nan or inf),
    as the general loop's evaluator does, and the rules decide.
    """
    loop = _fast_loops.get(obj)
    if loop is None:
        v = [f"_v{i}" for i in range(obj.n)]
        g = [f"_g{i}" for i in range(obj.n)]
        lines, namespace = inline_statements(obj, v, ["f", *g])
        point = "(" + ", ".join(v) + ",)"
        # the fixed step always moves a point with a nonzero gradient (or
        # runs to max_iter when lr * g is below x's precision)
        norm = [f"gn = hypot({', '.join(g)})", f"ok = {FINITE}", "stuck = False"]
        evaluate = ["try:", *(f"    {line}" for line in [*lines, *norm]),
                    "except MATH_ERRORS:",
                    f"    {', '.join(['f', *g])}, = robust({point})",
                    *(f"    {line}" for line in norm)]
        loop = make_loop(
            namespace, unpack=f"{point} = start", evaluate=_indent(evaluate, 8),
            row="(" + ", ".join([*v, "f", *g, "gn"]) + ",)",
            update=_indent((f"{vi} = {vi} - lr * {gi}" for vi, gi in zip(v, g)), 8))
        _fast_loops[obj] = loop
    return loop


def history_cap(n: int) -> int:
    """Recording this many rows (even, at least 4) thins the history: a run
    of up to ``HISTORY_MAX_VALUES // (2n + 2)`` steps keeps every iterate.

    >>> history_cap(2)
    666668
    """
    cap = HISTORY_MAX_VALUES // (2 * n + 2) + 2
    return max(4, cap - cap % 2)
