r"""Fused per-row kernels: a data loss and its gradient in one pass over the rows.

From the per-sample outputs (the loss and its partial derivatives, in the
parameters and the data symbols) one numba function is generated that
visits every row once and accumulates every output:

.. math::
    s_k = \sum_{i=1}^{M} o_k(\theta; x_i, y_i), \quad k = 0, \dots, K-1,

with the common subexpressions of all outputs computed once per row
(:func:`~symgd.objective.compile.auto_cse`) and those that involve no data
(parameter-only terms) once per block or sub-block. The rows are cut into blocks of
:data:`BLOCK` rows; runs of blocks go to a few threads (the compiled
function releases the GIL; :func:`threads` of them; one thread below
:data:`PARALLEL_MIN_BLOCKS` blocks), each block into its own row of partial
sums, and the partial sums are added block after block. The block size
does not depend on the number of threads, so neither does the result, bit
for bit.

A block takes one of two forms (:func:`vectorisable` chooses):

* **in vector lanes**, when the per-row code calls no libm function but
  ``sqrt``: :func:`sub_rows` rows at a time, ``_rows`` writes each row's
  distinct output factors (and the data columns that multiply them) into a
  small buffer and ``_sums`` adds up each output as a sum or a dot product
  of the buffer's rows; ``_sums`` is one function for every kernel, the only
  code compiled with reassociation (``fastmath={"reassoc"}``), so that its
  sums run in vector lanes. ``exp`` (also inside sigmoid and
  softplus) and softplus's ``log1p`` are symgd's branch-free functions,
  within 1 and 2 ulp, so that the row loop is vectorised too (a log-loss
  step on 1e6 × 10 rows: 9–12 ms, against 17 ms in one loop with libm);
* **one loop** otherwise (tanh, log, sin, ...): every row's outputs added
  in order, with libm's functions; the tanh values that several outputs
  share (a network's hidden units) are computed first, a sub-block of rows
  and a layer at a time, in vector lanes with symgd's branch-free tanh
  (within 3 ulp; :mod:`symgd.fast.lanes`), and read from a buffer (a
  2-16-1 network's loss and gradient on 10,000 rows: 1.0 ms, against 1.9 ms
  with libm's tanh in the loop; compiling takes about 2 s longer).

The per-row code uses NumPy's error model (``1/0`` is ``inf``, ``log(-1)``
is ``nan``, nothing raises) without fast-math, so each row gives what the
NumPy path gives to round-off, non-finite values included. Expressions
using a function the generator does not translate get no kernel
(:func:`supported` says which).

numba is imported only when a kernel is first compiled; compiled kernels
are cached per expression structure (the generated source, in which
parameters, columns and temporaries are numbered, not named).
"""

from __future__ import annotations

import importlib.util
import math
import threading
from typing import Any, Sequence

import numpy as np
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from ..errors import InputError, ObjectiveError
from ..expr.registry import relu, sigmoid, softplus
from ..objective.compile import auto_cse
from .kernel_math import HELPERS, LIBM_MATH, SUMS, TANH_MATH, TANH_ROWS, VECTOR_MATH
from .lanes import lane_temporaries, lanes_source
from .threads import THREADS, threads

__all__ = ["FusedKernel", "fused_kernel", "available", "supported", "use_kernel",
           "BACKENDS", "AUTO_MIN_WORK", "BLOCK", "SUB", "SUB_VALUES", "sub_rows",
           "PARALLEL_MIN_BLOCKS", "check_backend", "threads"]

BACKENDS = ("auto", "numpy", "numba")
"""The row backends: ``auto`` (numba when installed and the work is large),
``numpy`` (always the NumPy path), ``numba`` (the fused kernel)."""

AUTO_MIN_WORK = 1_000_000
"""``backend="auto"`` compiles a kernel when rows × outputs reaches this.

A kernel takes 1.5-4 s to compile (a logistic model's loss and gradient
in 10 features: 3.5 s as the first in a process, 2.5 s after; a network
more: see the benchmarks); one NumPy pass over rows × outputs = 10⁶ values
takes a few milliseconds, and the kernel saves most of it, so the compile
pays for itself within several hundred steps. Inside
:func:`symgd.fast.choice.no_new_compiles` (a result's advice) ``"auto"``
compiles nothing new."""

BLOCK = 1024
"""Rows per block: the unit of parallel work and of the partial sums."""

SUB = 256
"""Rows per sub-block at most: the per-row values of a sub-block are computed
into a buffer (one row of it per distinct output factor), which is then
summed. Fewer rows when there are many factors (:func:`sub_rows`), so
that the buffer stays in the first-level cache."""

SUB_VALUES = 3072
"""Values in a sub-block's buffer at most (24 KB): a 2-16-1 network's 34
factors get sub-blocks of 64 rows, a 10-8-8-1 network's 90 factors 32 rows
(on 2 cores, 256 rows made the 10-8-8-1 gradient 30% slower)."""


def sub_rows(factors: int) -> int:
    """Rows per sub-block for a buffer of ``factors`` rows: the largest power
    of 2 up to :data:`SUB` whose buffer holds at most :data:`SUB_VALUES`
    values, and at least 8.

    >>> sub_rows(2), sub_rows(34), sub_rows(90), sub_rows(5000)
    (256, 64, 32, 8)
    """
    rows = SUB
    while rows > 8 and rows * factors > SUB_VALUES:
        rows //= 2
    return rows

PARALLEL_MIN_BLOCKS = 4
"""Fewer blocks than this run on one thread. Measured on 2 cores, a 2-16-1
network's loss and gradient: 10 blocks took 2.54 ms on one thread and
1.57 ms on two, 4 blocks 1.22 and 0.98 ms; with the other core busy (another
process), 10 blocks took 2.52 and 2.71 ms (numba's ``prange``, used before
the thread pool, took 2.9 and 6.6 ms there)."""

_FUNCTIONS: dict[type, str] = {
    sp.exp: "_exp", sp.log: "math.log",
    sp.sin: "math.sin", sp.cos: "math.cos", sp.tan: "math.tan",
    sp.asin: "math.asin", sp.acos: "math.acos", sp.atan: "math.atan",
    sp.sinh: "math.sinh", sp.cosh: "math.cosh", sp.tanh: "math.tanh",
    sp.asinh: "math.asinh", sp.acosh: "math.acosh", sp.atanh: "math.atanh",
    sp.atan2: "math.atan2", sp.erf: "math.erf",
    sp.Abs: "abs", sp.sign: "_sign", sp.Heaviside: "_heaviside",
    sigmoid: "_sigmoid", softplus: "_softplus", relu: "_relu",
}
"""SymPy functions and the numba-compiled code that evaluates them."""

_ATOMS = (sp.Symbol, sp.Integer, sp.Rational, sp.Float, sp.NumberSymbol)


def available() -> bool:
    """Whether numba is installed (looked up without importing it).

    >>> isinstance(available(), bool)
    True
    """
    return importlib.util.find_spec("numba") is not None


def check_backend(backend: Any) -> str:
    """``backend`` checked: one of :data:`BACKENDS`, and ``"numba"`` only when
    numba is installed.

    >>> check_backend("auto")
    'auto'
    >>> check_backend("fortran")
    Traceback (most recent call last):
    ...
    symgd.errors.InputError: backend must be one of 'auto', 'numpy', 'numba'; got 'fortran'
    """
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise InputError(f"backend must be one of {', '.join(map(repr, BACKENDS))}; "
                         f"got {backend!r}")
    if backend == "numba" and not available():
        raise InputError("backend='numba' needs numba, which is not installed: "
                         "pip install 'symgd[fast]', or use backend='auto' or 'numpy'")
    return backend


def supported(outputs: Sequence[sp.Expr]) -> str | None:
    """None when every output can be compiled into a kernel, else the name of
    the first function (or kind of term) that cannot.

    >>> x, w = sp.symbols("x w", real=True)
    >>> supported([sp.tanh(w*x), sp.log(1 + w**2)]), supported([sp.gamma(w*x)])
    (None, 'gamma')
    """
    seen: set[sp.Basic] = set()
    stack = [sp.sympify(o) for o in outputs]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, _ATOMS):
            continue
        if node.is_Number or node.is_NumberSymbol:
            if not node.is_real:
                return str(node)
            continue
        if not (node.is_Add or node.is_Mul or node.is_Pow or type(node) in _FUNCTIONS):
            return type(node).__name__
        stack.extend(node.args)
    return None


def use_kernel(backend: str, rows: int, outputs: int) -> bool:
    """Whether a full pass uses the kernel: always for ``"numba"``, never for
    ``"numpy"``; for ``"auto"`` when numba is installed and rows × outputs
    reaches :data:`AUTO_MIN_WORK`.

    >>> use_kernel("numpy", 10**7, 10), use_kernel("auto", 10, 2)
    (False, False)
    """
    if backend == "numpy":
        return False
    if backend == "numba":
        return True
    return available() and rows * outputs >= AUTO_MIN_WORK


class _Printer(PythonCodePrinter):
    """Python for numba: symbols by position, symgd's functions as helpers."""

    def __init__(self, names: dict[sp.Symbol, str], shared: dict[sp.Expr, str]) -> None:
        super().__init__({"fully_qualified_modules": True, "inline": True,
                          "allow_unknown_functions": False})
        self.names = names
        self.shared = shared     # argument u -> the name of exp(-|u|), for sigmoid and softplus

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        name = self.names.get(expr)
        if name is None:
            raise ObjectiveError(f"no fused kernel: {expr.name!r} is neither a parameter "
                                 "nor a data column")
        return name

    _print_Dummy = _print_Symbol

    def _print_Function(self, expr: sp.Function) -> str:
        head = _FUNCTIONS.get(type(expr))
        if type(expr) in (sigmoid, softplus) and expr.args[0] in self.shared:
            u = expr.args[0]
            return f"{head}_e({self._print(u)}, {self.shared[u]})"
        if head is None:
            raise ObjectiveError(f"no kernel for the function {type(expr).__name__}")
        return f"{head}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Heaviside(self, expr: sp.Basic) -> str:
        return self._print_Function(expr)

    def _print_sign(self, expr: sp.Basic) -> str:
        return self._print_Function(expr)

    def _print_Abs(self, expr: sp.Basic) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Integer(self, expr: sp.Integer) -> str:
        return str(int(expr))

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"({int(expr.p)}/{int(expr.q)})"


def kernel_source(outputs: Sequence[sp.Expr], params: Sequence[sp.Symbol],
                  data: Sequence[sp.Symbol]) -> str:
    """The Python source of the kernel for ``outputs`` (see :func:`fused_kernel`).

    Parameters are read as ``theta[k]``, columns as arguments ``c0, c1, ...``,
    temporaries are ``t0, t1, ...``: the source depends on the structure of
    the expressions only, so it is the key of the compile cache.

    A kernel whose rows can run in vector lanes (:func:`vectorisable`)
    computes each row's distinct factors into a buffer, then sums them:

    >>> w, x = sp.symbols("w x", real=True)
    >>> src = kernel_source([sigmoid(w*x), x*sigmoid(w*x)], [w], [x])
    >>> print(src.split("\\n\\n\\ndef _blocks")[0])
    # rows: vectorised
    def _rows(theta, c0, lo, hi, buf):
        p0 = theta[0]
        v0 = c0[lo:hi]
        for j in range(hi - lo):
            d0 = v0[j]
            buf[0, j] = _sigmoid(p0*d0)
        row = buf[1]
        col = c0[lo:hi]
        for j in range(hi - lo):
            row[j] = col[j]
    <BLANKLINE>
    <BLANKLINE>
    _LEFT = np.array([-1, 1], dtype=np.int64)
    _RIGHT = np.array([0, 0], dtype=np.int64)
    <BLANKLINE>
    <BLANKLINE>
    def _block(theta, c0, lo, hi, out):
        buf = np.empty((2, 256))
        for s in range(lo, hi, 256):
            e = min(s + 256, hi)
            _rows(theta, c0, s, e, buf)
            _sums(buf, e - s, _LEFT, _RIGHT, out)

    Other kernels (libm's sin here) sum in the same loop:

    >>> src = kernel_source([sp.sin(w*x)**2, 2*x*sp.sin(w*x)], [w], [x])
    >>> print(src.split("\\n\\n\\ndef _blocks")[0])
    # rows: one loop
    def _block(theta, c0, lo, hi, out):
        p0 = theta[0]
        a0 = 0.0
        a1 = 0.0
        v0 = c0[lo:hi]
        for j in range(hi - lo):
            d0 = v0[j]
            t0 = math.sin(p0*d0)
            a0 += t0**2
            a1 += d0*(2*t0)
        out[0] = a0
        out[1] = a1

    A tanh that is a common subexpression is computed first, a sub-block at a
    time and a network layer at a time, into a buffer: ``_lanes`` writes the
    arguments and the shared ``_tanh_rows`` replaces them by their tanh in
    vector lanes (symgd's branch-free tanh, within 3 ulp):

    >>> src = kernel_source([sp.tanh(w*x)**2, 2*x*sp.tanh(w*x)], [w], [x])
    >>> print(src.split("\\n\\n\\ndef _blocks")[0])
    # rows: one loop
    def _block(theta, c0, lo, hi, out):
        p0 = theta[0]
        a0 = 0.0
        a1 = 0.0
        buf = np.empty((1, 256))
        for s in range(lo, hi, 256):
            e = min(s + 256, hi)
            _lanes(theta, c0, s, e, buf)
            v0 = c0[s:e]
            for j in range(e - s):
                d0 = v0[j]
                t0 = buf[0, j]
                a0 += t0**2
                a1 += d0*(2*t0)
        out[0] = a0
        out[1] = a1
    <BLANKLINE>
    <BLANKLINE>
    def _lanes(theta, c0, lo, hi, buf):
        p0 = theta[0]
        v0 = c0[lo:hi]
        for j in range(hi - lo):
            d0 = v0[j]
            buf[0, j] = p0*d0
        _tanh_rows(buf, 0, 1, hi - lo)
    """
    outputs = [sp.sympify(o) for o in outputs]
    nout = len(outputs)
    plan, rests = _split_columns(outputs, set(data))
    temporaries, reduced = auto_cse(rests, prefix="_cse")
    names: dict[sp.Symbol, str] = {}
    names.update({p: f"p{k}" for k, p in enumerate(params)})
    names.update({d: f"d{k}" for k, d in enumerate(data)})
    varying = set(data)
    hoisted, per_row = [], []
    for k, (t, e) in enumerate(temporaries):
        names[t] = f"t{k}"
        if e.free_symbols & varying:
            varying.add(t)
            per_row.append((t, e))
        else:
            hoisted.append((t, e))
    shared = _shared_exponentials(temporaries, reduced)
    printer = _Printer(names, shared)
    emitted: set[sp.Expr] = set()

    def exponentials(expr: sp.Expr, indent: str) -> list[str]:
        """``e = exp(-|u|)`` lines for the sigmoid and softplus of ``u`` in
        ``expr`` that share it and have not had it computed yet."""
        found = [f.args[0] for f in _ordered_atoms(expr, (sigmoid, softplus))]
        new = [u for u in dict.fromkeys(found) if u in shared and u not in emitted]
        emitted.update(new)
        return [f"{indent}{shared[u]} = _exp(-abs({printer.doprint(u)}))" for u in new]

    def assign(target: str, expr: sp.Expr, indent: str, op: str = "=") -> list[str]:
        return [*exponentials(expr, indent), f"{indent}{target} {op} {printer.doprint(expr)}"]

    columns = ", ".join(f"c{k}" for k in range(len(data)))
    args = f"theta, {columns}, " if data else "theta, "
    vector = vectorisable([e for _, e in per_row] + list(reduced))
    lines = [VECTOR_MARK if vector else ONE_LOOP_MARK]
    lines += [f"def {'_rows' if vector else '_block'}({args}lo, hi, "
              f"{'buf' if vector else 'out'}):"]
    lines += [f"    p{k} = theta[{k}]" for k in range(len(params))]
    for t, e in hoisted:
        lines += assign(names[t], e, "    ")
    lanes = [] if vector else lane_temporaries(per_row)
    ind = " " * (12 if lanes else 8)
    if not vector:
        lines += [f"    a{k} = 0.0" for k in range(nout)]
    if lanes:                  # the tanh values of a sub-block first, in vector lanes
        sub = sub_rows(len(lanes))
        lines += [f"    buf = np.empty(({len(lanes)}, {sub}))",
                  f"    for s in range(lo, hi, {sub}):",
                  f"        e = min(s + {sub}, hi)", f"        _lanes({args}s, e, buf)"]
        lo_hi, pad = ("s", "e"), "    "
    else:
        lo_hi, pad = ("lo", "hi"), ""
    # The rows through views starting at lo, indexed from 0: with c[i] for i
    # from lo, numba's wraparound of negative indices made every column a
    # gather in the vectorised loop (12.9 ms against 5.5 ms serial, log-loss
    # on 1e6 x 10 rows)
    lines += [f"    {pad}v{k} = c{k}[{lo_hi[0]}:{lo_hi[1]}]" for k in range(len(data))]
    lines.append(f"    {pad}for j in range({lo_hi[1]} - {lo_hi[0]}):")
    lines += [f"{ind}d{k} = v{k}[j]" for k in range(len(data))]
    if lanes:
        tail, slot = lanes_source(args, params, hoisted, per_row, lanes, data, names, assign)
    else:
        tail, slot = [], {}
    for t, e in per_row:
        lines += [f"{ind}{names[t]} = buf[{slot[t]}, j]"] if t in slot else assign(names[t], e, ind)
    if vector:
        lines += _split_tail(args, reduced, plan, names, nout, assign)
    else:
        uses = [sum(1 for _, m in plan if m == r) for r in range(len(reduced))]
        for r, e in enumerate(reduced):          # a factor shared by several outputs, once
            if uses[r] > 1:
                lines += assign(f"r{r}", e, ind)
        for k, (column, r) in enumerate(plan):
            rest = f"r{r}" if uses[r] > 1 else None
            if rest is None:
                lines += exponentials(reduced[r], ind)
                rest = printer.doprint(reduced[r])
            term = rest if column is None else f"{names[column]}*{_parenthesized(rest)}"
            lines.append(f"{ind}a{k} += {term}")
        lines += [f"    out[{k}] = a{k}" for k in range(nout)]
        lines += tail
    lines += ["", "", f"def _blocks({args}n, partial, first, stop):",
              "    for b in range(first, stop):",
              f"        lo = b * {BLOCK}",
              f"        _block({args}lo, min(lo + {BLOCK}, n), partial[b])"]
    return "\n".join(lines) + "\n"


def _split_tail(args: str, reduced: Sequence[sp.Expr], plan: list, names: dict,
                nout: int, assign: Any) -> list[str]:
    """The rest of the split form after ``_rows``'s temporaries: each distinct
    factor into its row of ``buf``, then the data columns that multiply
    them; ``_block`` runs ``_rows`` and the sums every kernel shares
    (:data:`~symgd.fast.kernel_math.SUMS`) a sub-block at a time, output k adding up
    ``buf[LEFT[k]] * buf[RIGHT[k]]`` (or ``buf[RIGHT[k]]`` where LEFT[k] is -1)."""
    lines = []
    for r, e in enumerate(reduced):
        lines += assign(f"buf[{r}, j]", e, " " * 8)
    factors = sorted({names[column] for column, _ in plan if column is not None},
                     key=lambda name: int(name[1:]))
    row = {name: len(reduced) + q for q, name in enumerate(factors)}
    # the columns that multiply a factor, copied after the row loop, one
    # vectorised loop each, between 1-D views (stores of theirs inside the
    # row loop would keep it from being vectorised: 35 ms instead of 12 for
    # a log-loss pass; copying by index instead of views, 21 ms instead of 17)
    for name in factors:
        lines += [f"    row = buf[{row[name]}]", f"    col = c{name[1:]}[lo:hi]",
                  "    for j in range(hi - lo):", "        row[j] = col[j]"]
    left = [-1 if column is None else row[names[column]] for column, _ in plan]
    right = [r for _, r in plan]
    sub = sub_rows(len(reduced) + len(factors))
    lines += ["", "", f"_LEFT = np.array({left}, dtype=np.int64)",
              f"_RIGHT = np.array({right}, dtype=np.int64)",
              "", "", f"def _block({args}lo, hi, out):",
              f"    buf = np.empty(({len(reduced) + len(factors)}, {sub}))",
              f"    for s in range(lo, hi, {sub}):",
              f"        e = min(s + {sub}, hi)",
              f"        _rows({args}s, e, buf)",
              "        _sums(buf, e - s, _LEFT, _RIGHT, out)"]
    return lines




VECTOR_MARK = "# rows: vectorised"
ONE_LOOP_MARK = "# rows: one loop"
"""The first line of a kernel's source: which form it takes, and so which
``exp`` and ``log1p`` it is compiled with."""

_VECTOR_FUNCTIONS = (sp.exp, sigmoid, softplus, sp.Abs, sp.sign, sp.Heaviside, relu)


def vectorisable(exprs: Sequence[sp.Expr]) -> bool:
    """Whether per-row code for ``exprs`` can run in vector lanes: it calls
    no ``math`` function (exp, sigmoid and softplus have symgd's branch-free
    versions; abs, sign, Heaviside and relu are selects) and raises to no
    power but an integer or ±1/2 (a square root). Otherwise a kernel keeps
    one loop with libm's functions: their calls are scalar, and the split
    form's buffer would cost compile time for nothing (measured: a 2-16-1
    tanh network compiled in 1.6 s as one loop and 3.7 s split with sums of
    its own, and ran in 2.8 ms either way).

    >>> w, x = sp.symbols("w x", real=True)
    >>> vectorisable([sigmoid(w*x), sp.exp(-w**2*x), sp.sqrt(w*x)])
    True
    >>> vectorisable([sp.tanh(w*x)]), vectorisable([x**w])
    (False, False)
    """
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.Function) and not isinstance(node, _VECTOR_FUNCTIONS):
                return False
            if node.is_Pow and not (node.exp.is_Integer or
                                    node.exp in (sp.S.Half, -sp.S.Half)):
                return False
    return True


def _split_columns(outputs: Sequence[sp.Expr],
                   data: set) -> tuple[list[tuple[sp.Symbol | None, int]], list[sp.Expr]]:
    """Each output as ``column * rest`` when a data column is a factor (the
    rest, often shared, as the gradient components ``x_j * r`` of one layer
    share ``r``): the plan (column or None, index of the rest) and the
    distinct rests."""
    plan: list[tuple[sp.Symbol | None, int]] = []
    rests: list[sp.Expr] = []
    index: dict[sp.Expr, int] = {}
    for out in outputs:
        column, rest = None, out
        if out.is_Mul:
            column = next((f for f in out.args if f in data), None)
            if column is not None:
                rest = out / column
        if rest not in index:
            index[rest] = len(rests)
            rests.append(rest)
        plan.append((column, index[rest]))
    return plan, rests


def _parenthesized(code: str) -> str:
    return code if code.isidentifier() else f"({code})"


def _ordered_atoms(expr: sp.Expr, types: tuple) -> list[sp.Expr]:
    """The subexpressions of ``expr`` of the given types, in a fixed order."""
    return [node for node in sp.preorder_traversal(expr) if isinstance(node, types)]


def _shared_exponentials(temporaries: Sequence, reduced: Sequence) -> dict[sp.Expr, str]:
    """Arguments ``u`` of both a sigmoid and a softplus (log-loss and its
    gradient), each with the name of its shared ``exp(-|u|)``: one
    exponential per row instead of two."""
    heads: dict[sp.Expr, set] = {}
    for expr in [*(e for _, e in temporaries), *reduced]:
        for f in _ordered_atoms(expr, (sigmoid, softplus)):
            heads.setdefault(f.args[0], set()).add(type(f))
    both = [u for u, h in heads.items() if len(h) == 2]
    return {u: f"e{k}" for k, u in enumerate(both)}


_CACHE: dict[str, Any] = {}
_LOCK = threading.Lock()


def _compile(source: str) -> Any:
    """``_blocks`` of ``source`` (the blocks from ``first`` to ``stop``,
    without the GIL), compiled (lazily, at its first call) and cached."""
    with _LOCK:
        kernel = _CACHE.get(source)
        if kernel is None:
            import numba
            namespace: dict[str, Any] = {"math": math, "np": np, "njit": numba.njit}
            # The source is printed by SymPy from validated expressions and
            # numbered names; no user text is executed.
            vector = source.startswith(VECTOR_MARK)
            maths = VECTOR_MATH if vector else LIBM_MATH
            exec(compile(maths + HELPERS, "<symgd kernel helpers>", "exec"), namespace)
            exec(compile(source, "<symgd fused kernel>", "exec"), namespace)
            strict = numba.njit(fastmath=False, error_model="numpy", nogil=True)
            if vector:
                namespace["_rows"] = strict(namespace["_rows"])
                namespace["_sums"] = _shared(numba, "_sums", SUMS, {"reassoc"})
            if "\ndef _lanes(" in source:
                namespace["_tanh_rows"] = _shared(numba, "_tanh_rows", TANH_MATH + TANH_ROWS,
                                                  False)
                namespace["_lanes"] = strict(namespace["_lanes"])
            namespace["_block"] = strict(namespace["_block"])
            kernel = strict(namespace["_blocks"])
            _CACHE[source] = kernel
        return kernel


_SHARED: dict[str, Any] = {}


def _shared(numba: Any, name: str, source: str, fastmath: Any) -> Any:
    """``name`` of ``source``, compiled once per process and called by every
    kernel that needs it: the buffer sums of :data:`~symgd.fast.kernel_math.SUMS`
    (with reassociation, so that they run in vector lanes; every per-row
    value stays strict) and the lanes' tanh of
    :data:`~symgd.fast.kernel_math.TANH_ROWS`. Called under the compile lock."""
    if name not in _SHARED:
        namespace: dict[str, Any] = {"np": np, "njit": numba.njit}
        exec(compile(source, f"<symgd kernel {name}>", "exec"), namespace)
        _SHARED[name] = numba.njit(fastmath=fastmath, error_model="numpy",
                                   nogil=True)(namespace[name])
    return _SHARED[name]


def is_compiled(source: str) -> bool:
    """Whether a kernel of this source is in the cache."""
    return source in _CACHE


class FusedKernel:
    """Sums over the rows of several per-row outputs, in one parallel pass.

    Parameters
    ----------
    outputs : sequence of sympy.Expr
        Per-row expressions in ``params`` and ``data``.
    params, data : sequence of sympy.Symbol
        The parameters (in the order of ``theta``) and the data symbols (in
        the order of the columns).

    Examples
    --------
    >>> w, x = sp.symbols("w x", real=True)
    >>> k = fused_kernel([(w*x - 1)**2, 2*x*(w*x - 1)], [w], [x])
    >>> k(np.array([2.0]), (np.array([1.0, 2.0]),))        # doctest: +SKIP
    array([10., 16.])
    """

    def __init__(self, outputs: Sequence[sp.Expr], params: Sequence[sp.Symbol],
                 data: Sequence[sp.Symbol]) -> None:
        missing = supported(outputs)
        if missing is not None:
            raise ObjectiveError(f"no fused kernel for expressions using {missing}")
        self.outputs = len(outputs)
        self.params = len(params)
        self.columns = len(data)
        self.source = kernel_source(outputs, params, data)

    @property
    def compiled(self) -> bool:
        """Whether this structure's kernel is compiled already (in this process)."""
        return is_compiled(self.source)

    def __call__(self, theta: Sequence[float], data: Any,
                 parallel: bool | None = None) -> np.ndarray:
        """The sum over rows of each output.

        ``data`` is a 2-D float64 array (rows × columns, C- or F-ordered) or
        a sequence of 1-D float64 columns; neither is copied. ``parallel``
        (by default: from :data:`PARALLEL_MIN_BLOCKS` blocks on) runs the
        blocks on :func:`threads` threads; the blocks and the order their sums are
        added in are the same either way, and so is the result, bit for bit.
        """
        columns = _columns(data, self.columns)
        rows = len(columns[0]) if columns else 0
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        if theta.shape != (self.params,):
            raise InputError(f"the kernel takes {self.params} parameters, got "
                             f"{theta.shape[0] if theta.ndim == 1 else theta.shape}")
        blocks = -(-rows // BLOCK)
        partial = np.zeros((blocks, self.outputs))
        if parallel is None:
            parallel = blocks >= PARALLEL_MIN_BLOCKS
        kernel = _compile(self.source)
        count = min(threads(), blocks) if parallel else 1
        if count > 1:
            THREADS.run(kernel, (theta, *columns, rows, partial), blocks, count)
        else:
            kernel(theta, *columns, rows, partial, 0, blocks)
        return partial.sum(axis=0)


def _columns(data: Any, count: int) -> tuple[np.ndarray, ...]:
    if isinstance(data, np.ndarray) and data.ndim == 2:
        if data.dtype != np.float64:
            raise InputError(f"kernel data must be float64, got {data.dtype}")
        if data.shape[1] != count:
            raise InputError(f"the kernel reads {count} columns, the data has {data.shape[1]}")
        return tuple(data[:, k] for k in range(count))
    columns = tuple(data)
    if len(columns) != count:
        raise InputError(f"the kernel reads {count} columns, got {len(columns)}")
    for c in columns:
        if not isinstance(c, np.ndarray) or c.ndim != 1 or c.dtype != np.float64:
            raise InputError("kernel columns must be 1-D float64 arrays")
        if len(c) != len(columns[0]):
            raise InputError("kernel columns must all have the same length")
    return columns


def fused_kernel(outputs: Sequence[sp.Expr], params: Sequence[sp.Symbol],
                 data: Sequence[sp.Symbol]) -> FusedKernel:
    """A :class:`FusedKernel` for ``outputs`` (compiled at its first call)."""
    return FusedKernel(outputs, params, data)
