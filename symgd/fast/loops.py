"""The fixed-step descent loops generated as numba code and compiled once.

Two loops are generated from the same pieces as the Python loop of
:mod:`symgd.descent.codegen`: the objective's value and gradient as
straight-line statements (:func:`~symgd.objective.compile.python_statements`),
the stopping rules of :mod:`symgd.descent.stopping` pasted in as code
(:data:`~symgd.descent.stopping.STOP_RULES`, ``STATE``, ``UPDATES``,
``FINITE``), and the fixed step ``x - lr * g``:

* ``loop`` (for :func:`symgd.descend`) records the rows ``(x..., f, g...,
  |g|)`` in a preallocated array with the Python loop's thinning rule: rows
  at the iterations 0, stride, 2*stride, ...; when ``cap`` rows are held,
  every second one is dropped and the stride doubles;
* ``many`` (for :func:`symgd.descend_many`) runs each start to its own stop
  and writes its first and last rows (and, when asked, every row).

symgd's own functions (``sigmoid``, ``softplus``, ``relu``, ``Heaviside``)
are their float forms compiled as they are; an objective that needs any
other function outside the ``math`` module (``polygamma``, in the derivative
of ``gamma``) is not compiled.

Where ``math`` would raise in Python (``log`` of a negative number, an
overflow, a division by zero), the compiled code gets nan or inf, as the
NumPy evaluation that the Python loop falls back to does (numba's
``error_model="numpy"``); the stopping rules then decide, so the statuses
and points are the same. The gradient norm is ``abs`` for one variable and
for more the square root of the sum of squares, or nested ``hypot`` where
that sum would overflow or underflow (see :func:`_norm`).

Loops are compiled once per generated source (so equal objectives share
them) and remembered per objective; numba is imported on the first compile.
The generated source is registered in :mod:`linecache` for tracebacks.
"""

from __future__ import annotations

import keyword
import linecache
import math
import re
import threading
import time
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from ..descent.result import Status
from ..descent.stopping import FINITE, STATE, STOP_RULES, UPDATES
from ..expr.registry import numeric_namespace
from ..objective.compile import inline_statements

__all__ = ["Unsupported", "loop_source", "many_source", "compiled", "is_compiled",
           "run_loop", "run_many"]

_FILENAME = "<symgd compiled loop {}>"
_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_]\w*")      # not the e of 1e5
# What the generated code may call: the math module, and the loop's own names.
_MATH = {k: v for k, v in vars(math).items() if not k.startswith("_")}
# symgd's own functions whose float forms (symgd.expr.registry) compile as
# they are, so the compiled code computes what the Python loop does.
_COMPILED_OWN = frozenset({"sigmoid", "softplus", "relu", "Heaviside"})
_NAMES = {**_MATH, "inf": math.inf, "nan": math.nan, "abs": abs, "max": max, "min": min,
          "float": float, "range": range, **{s.name: int(s) for s in Status}}


class Unsupported(Exception):
    """The objective cannot run compiled; ``str()`` says why."""


# ---------------------------------------------------------------- source

def _statements(obj: Any) -> tuple[list[str], list[str], list[str]]:
    """The value and gradient as numba-ready statements, the variables'
    local names and the gradient's; raises :class:`Unsupported`."""
    v = [f"_v{i}" for i in range(obj.n)]
    g = [f"_g{i}" for i in range(obj.n)]
    lines, _ = inline_statements(obj, v, ["f", *g])
    assigned = {line.split(" = ", 1)[0] for line in lines}
    used = {name for line in lines for name in _IDENTIFIER.findall(line.split(" = ", 1)[1])}
    foreign = sorted(n for n in used - assigned - set(v) - set(keyword.kwlist)
                     if n not in _NAMES and n not in _COMPILED_OWN)
    if foreign:
        raise Unsupported(f"the objective uses {', '.join(foreign)}, which compiled code "
                          f"cannot call (only the math module's functions and "
                          f"{', '.join(sorted(_COMPILED_OWN))})")
    outputs = {"f", *g}
    lines = [_BIG_INTEGER.sub(_as_float, line) for line in lines]
    # outputs as floats: a constant derivative prints as the integer 0
    lines = [f"{t} = float({e})" if t in outputs else line
             for line in lines for t, e in [line.split(" = ", 1)]]
    return lines, v, g


# Integers beyond 64 bits (exact coefficients such as 10**30) are floats in
# compiled code, as Python makes them when they meet a float.
_BIG_INTEGER = re.compile(r"(?<![\w.])\d{19,}(?![\w.])")


def _as_float(match: re.Match[str]) -> str:
    value = int(match.group(0))
    return repr(float(value)) if value >= 2 ** 63 else match.group(0)


def _norm(g: Sequence[str]) -> list[str]:
    """Statements setting ``gn = |g|``: ``abs`` for one component; for more,
    the square root of the sum of squares where that sum neither overflows
    nor loses precision to underflow (within an ulp or so of ``hypot``, and
    a third of its cost), nested ``hypot`` elsewhere."""
    if len(g) == 1:
        return [f"gn = abs({g[0]})"]
    nested = g[0]
    for gi in g[1:]:
        nested = f"hypot({nested}, {gi})"
    return [f"_sq = {' + '.join(f'{gi} * {gi}' for gi in g)}",
            f"gn = sqrt(_sq) if 1e-290 < _sq < 1e300 else {nested}"]


def _store(target: str, values: Sequence[str]) -> list[str]:
    return [f"{target}{j}] = {value}" for j, value in enumerate(values)]


def _rules(depth: int) -> list[str]:
    """The stopping rules, in order, as ``if`` statements that end the loop,
    then the state's update for the next iteration."""
    lines = []
    for rule in STOP_RULES:
        lines += [f"if {rule.condition}:", f"    status = {rule.status.name}", "    break"]
    lines += [f"{name} = {text}" for name, text in UPDATES]
    return [" " * depth + line for line in lines]


def _body(lines: list[str], v: list[str], g: list[str], depth: int) -> list[str]:
    pad = " " * depth
    return [*(pad + line for line in lines), *(pad + line for line in _norm(g)),
            f"{pad}ok = {FINITE}"]


def _setup(v: list[str], g: list[str], source: str, depth: int) -> list[str]:
    pad = " " * depth
    return [*(f"{pad}{vi} = {source}{i}]" for i, vi in enumerate(v)),
            f"{pad}f = 0.0", *(f"{pad}{gi} = 0.0" for gi in g), f"{pad}gn = 0.0",
            *(f"{pad}{k} = {val!r}" for k, val in STATE.items()),
            f"{pad}status = MAX_ITER", f"{pad}it = 0"]


def loop_source(obj: Any) -> str:
    """The source of the single-run loop for ``obj``.

    ``loop(start, lr, max_iter, tol, ftol, patience, keep, cap, hist, last)
    -> (status, it, rows, stride)`` fills ``hist`` (``rows`` of them) and
    ``last`` (the last iterate's row).
    """
    lines, v, g = _statements(obj)
    row = [*v, "f", *g, "gn"]
    pad = " " * 12
    code = [
        "def loop(start, lr, max_iter, tol, ftol, patience, keep, cap, hist, last):",
        "    stop = False",
        "    stuck = False",
        *_setup(v, g, "start[", 4),
        "    stride = 1 if keep else max_iter + 2",
        "    full = cap - 1 if keep else -1",
        "    record = 0",
        "    nrows = 0",
        "    for it in range(max_iter + 1):",
        *_body(lines, v, g, 8),
        "        if it == record:",
        *(pad + s for s in _store("hist[nrows, ", row)),
        "            nrows += 1",
        "            record += stride",
        "            if it == full:",
        "                half = cap // 2",
        "                for r in range(1, half):",
        "                    hist[r, :] = hist[2 * r, :]",
        "                nrows = half",
        "                stride += stride",
        "                full = (cap - 1) * stride",
        *_rules(8),
        *(f"        {vi} = {vi} - lr * {gi}" for vi, gi in zip(v, g)),
        *("    " + s for s in _store("last[", row)),
        "    return status, it, nrows, stride",
        ""]
    return "\n".join(code)


def many_source(obj: Any) -> str:
    """The source of the multi-start loop for ``obj``.

    ``many(starts, rates, max_iter, tol, ftol, patience, keep, firsts,
    lasts, nits, statuses, rows, steps, oscs)`` runs start ``run`` with the
    rate ``rates[run]`` to its stop and fills row ``run`` of ``firsts``,
    ``lasts``, ``nits``, ``statuses`` (and ``rows[it, run]`` when ``keep``),
    and ``oscs[run]``, the oscillation probe of ``steps`` steps (see
    :func:`_probe`).
    """
    lines, v, g = _statements(obj)
    row = [*v, "f", *g, "gn"]
    code = [
        "def many(starts, rates, max_iter, tol, ftol, patience, keep, firsts, lasts, nits,",
        "         statuses, rows, steps, oscs):",
        "    stop = False",
        "    stuck = False",
        "    for run in range(starts.shape[0]):",
        "        lr = rates[run]",
        *_setup(v, g, "starts[run, ", 8),
        "        for it in range(max_iter + 1):",
        *_body(lines, v, g, 12),
        "            if it == 0:",
        *(" " * 16 + s for s in _store("firsts[run, ", row)),
        "            if keep:",
        *(" " * 16 + s for s in _store("rows[it, run, ", row)),
        *_rules(12),
        *(f"            {vi} = {vi} - lr * {gi}" for vi, gi in zip(v, g)),
        *("        " + s for s in _store("lasts[run, ", row)),
        "        nits[run] = it",
        "        statuses[run] = status",
        *_probe(lines, v, g, 8),
        ""]
    return "\n".join(code)


def _probe(lines: list[str], v: list[str], g: list[str], depth: int) -> list[str]:
    """:func:`~symgd.descent.advice.oscillates` from the last point of a run
    that reached ``max_iter`` with a nonzero gradient: ``oscs[run]`` is
    whether ``steps`` fixed steps from there alternate in direction while
    the gradient norm does not even halve."""
    d = [f"_d{i}" for i in range(len(v))]
    s = [f"_s{i}" for i in range(len(v))]
    square = " + ".join(f"{gi} * {gi}" for gi in g)
    dot = " + ".join(f"{di} * {si}" for di, si in zip(d, s))
    code = [
        "osc = False",
        "if status == MAX_ITER and it > 0 and gn > 0:",
        f"    _pn = sqrt({square})",
        "    flips = 0",
        *(f"    {si} = 0.0" for si in s),
        "    for probe in range(steps):",
        *(f"        {di} = -lr * {gi}" for di, gi in zip(d, g)),
        f"        if probe > 0 and {dot} < 0:",
        "            flips += 1",
        *(f"        {si} = {di}" for si, di in zip(s, d)),
        *(f"        {vi} = {vi} + {di}" for vi, di in zip(v, d)),
        *(f"        {line}" for line in lines),
        f"    _pe = sqrt({square})",
        "    osc = isfinite(_pe) and _pn > 0 and _pe > 0.5 * _pn and flips >= 0.9 * (steps - 1)",
        "oscs[run] = osc"]
    return [" " * depth + line for line in code]


# ---------------------------------------------------------------- compiling

_SOURCES = {"loop": loop_source, "many": many_source}
_by_source: dict[str, Any] = {}
_by_object: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_numbers = iter(range(1, 1 << 62))


def _signature(kind: str) -> Any:
    from numba import types
    f1, f2, f3 = types.float64[::1], types.float64[:, ::1], types.float64[:, :, ::1]
    i64, b1 = types.int64, types.boolean
    if kind == "loop":
        return types.Tuple((i64, i64, i64, i64))(f1, types.float64, i64, types.float64,
                                                  types.float64, i64, b1, i64, f2, f1)
    return types.void(f2, f1, i64, types.float64, types.float64, i64, b1, f2, f2,
                      types.int64[::1], types.int64[::1], f3, i64, types.boolean[::1])


def _compile(source: str, kind: str) -> Callable[..., Any]:
    import numba
    filename = _FILENAME.format(next(_numbers))
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    forms = numeric_namespace("math")
    scope = {**_NAMES, **{name: numba.njit(error_model="numpy")(forms[name])
                          for name in _COMPILED_OWN if name in source}}
    exec(compile(source, filename, "exec"), scope)
    return numba.njit(_signature(kind), error_model="numpy", cache=False)(scope[kind])


def compiled(obj: Any, kind: str) -> tuple[Callable[..., Any], float]:
    """The compiled ``kind`` loop (``"loop"`` or ``"many"``) for ``obj`` and the
    seconds spent compiling it in this call (0.0 when it was compiled
    before); raises :class:`Unsupported` when the objective cannot run
    compiled (remembered, so the next call says so at once)."""
    with _lock:
        known = _by_object.setdefault(obj, {})
        if kind in known:
            found = known[kind]
            if isinstance(found, Unsupported):
                raise found
            return found, 0.0
        t0 = time.perf_counter()
        try:
            source = _SOURCES[kind](obj)
            function = _by_source.get(source)
            if function is None:
                try:
                    function = _compile(source, kind)
                except Exception as err:   # numba's typing and lowering raise many kinds
                    first = str(err).strip().splitlines()[0] if str(err).strip() else ""
                    raise Unsupported(f"numba cannot compile this objective's value and "
                                      f"gradient ({type(err).__name__}: {first:.200})") from None
                _by_source[source] = function
        except Unsupported as why:
            known[kind] = why
            raise
        known[kind] = function
        return function, time.perf_counter() - t0


def is_compiled(obj: Any, kind: str) -> bool:
    """Whether ``obj``'s ``kind`` loop is compiled already (so running it
    costs no compile time)."""
    found = _by_object.get(obj, {}).get(kind)
    return found is not None and not isinstance(found, Unsupported)


# ---------------------------------------------------------------- running

def run_loop(obj: Any, x0: np.ndarray, lr: float, max_iter: int, tol: float, ftol: float,
             patience: int, keep: bool, cap: int) -> tuple[int, int, np.ndarray, tuple,
                                                           int, float]:
    """One run: ``(status, it, rows, last, stride, compile_time)``, as the
    Python loop returns them (``rows`` an array of shape ``(m, 2n + 2)``)."""
    function, seconds = compiled(obj, "loop")
    width = 2 * obj.n + 2
    size = min(cap, max_iter + 1) if keep else 1
    hist = np.empty((size, width))
    last = np.empty(width)
    start = np.ascontiguousarray(x0, dtype=float)
    status, it, nrows, stride = function(start, float(lr), int(max_iter), float(tol),
                                         float(ftol), int(patience), bool(keep), int(cap),
                                         hist, last)
    return int(status), int(it), hist[:nrows], tuple(last.tolist()), int(stride), seconds


def run_many(obj: Any, X0: np.ndarray, rates: np.ndarray, max_iter: int, tol: float,
             ftol: float, patience: int, keep: bool,
             probe: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray,
                                  np.ndarray, np.ndarray, float]:
    """Every start to its own stop: ``(first, last, rows, nit, status,
    oscillating, compile_time)``, the first five as :func:`symgd.descend_many`'s
    NumPy loop records them (``rows[t, i]`` is run ``i``'s last row after it
    stopped), ``oscillating`` the answers of a ``probe``-step oscillation
    probe (see :func:`many_source`)."""
    function, seconds = compiled(obj, "many")
    k, n = X0.shape
    width = 2 * n + 2
    firsts = np.empty((k, width))
    lasts = np.empty((k, width))
    nits = np.zeros(k, dtype=np.int64)
    statuses = np.zeros(k, dtype=np.int64)
    rows = np.empty((max_iter + 1 if keep else 0, k, width))
    oscillating = np.zeros(k, dtype=bool)
    function(np.ascontiguousarray(X0, dtype=float), np.ascontiguousarray(rates, dtype=float),
             int(max_iter), float(tol), float(ftol), int(patience), bool(keep), firsts, lasts,
             nits, statuses, rows, int(probe), oscillating)
    recorded = None
    if keep:
        steps = int(nits.max()) + 1 if k else 0
        recorded = rows[:steps]
        after = np.arange(steps)[:, None] > nits[None, :]
        recorded[after] = np.broadcast_to(lasts, recorded.shape)[after]
    return firsts, lasts, recorded, nits, statuses, oscillating, seconds
