"""Which backend runs a descent: the default path or the loops compiled with numba.

Install numba with ``pip install "symgd[fast]"``. This module never imports
numba; :mod:`symgd.fast.loops` imports it the first time a loop is compiled.

:func:`symgd.descend` and :func:`symgd.descend_many` take
``backend="auto" | "numpy" | "numba"``:

``numpy``
    The default, dependency-light path: the loop generated in Python with
    the objective inlined (:mod:`symgd.descent.codegen`), the general loop
    for other step rules, NumPy arrays for many starts.
``numba``
    The same loop, stopping rules and history thinning compiled to machine
    code (:mod:`symgd.fast.loops`). It needs numba, the fixed step with a
    constant rate, an objective of closed-form value and gradient written
    with the ``math`` functions, no callback and no progress line; otherwise
    a :class:`~symgd.errors.InputError` says what is missing.
``auto``
    ``numba`` when it is installed, the run is one it can do, and the work
    pays for the compile: the objective's loop is compiled already, or
    ``max_iter`` is at least :data:`AUTO_MIN_ITER` for :func:`descend`
    (starts × ``max_iter`` at least :data:`AUTO_MIN_RUN_STEPS` for
    :func:`descend_many`) and the run is still going after a pilot on the
    default path (:data:`AUTO_PILOT_STEPS` steps; for many starts,
    :data:`AUTO_PILOT_RUN_STEPS` run-steps): a run that stops within its
    pilot (diverges, converges early) is that result, and is never
    compiled for. Otherwise ``numpy``, which gives the same results to
    round-off.

A result says which ran (``result.backend``, ``batch.backend``) and how
long compiling took in that call (``compile_time``, seconds; 0 when the
loop was compiled before: loops are cached per objective and per
generated source).
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import threading
from typing import Any, Iterator

from ..errors import InputError

__all__ = ["BACKENDS", "AUTO_MIN_ITER", "AUTO_MIN_RUN_STEPS", "AUTO_PILOT_STEPS",
           "AUTO_PILOT_RUN_STEPS", "INSTALL", "MAX_ITER_LIMIT",
           "available", "require", "check_backend", "pick", "unsupported",
           "no_new_compiles", "compiles_allowed"]

BACKENDS = ("auto", "numpy", "numba")

# Compiling a loop takes about 0.5 s (3 s for the first in a process, which
# also starts numba's compiler; measured: benchmarks/bench_fast.py). The
# Python loop takes about 0.5 µs a step on small objectives, the compiled
# one a few ns, so a run that may take a million steps can pay for it.
AUTO_MIN_ITER = 1_000_000
# descend_many's NumPy loop costs about 50-100 ns per run and step on small
# objectives (more when few runs are active): ten million run-steps take
# about as long as a compile.
AUTO_MIN_RUN_STEPS = 10_000_000
# The pilots: about 50 ms of the default path on a small objective, a
# tenth of a compile, spent again by a run that outlasts it.
AUTO_PILOT_STEPS = 100_000
AUTO_PILOT_RUN_STEPS = 1_000_000

INSTALL = 'pip install "symgd[fast]"'

# Iteration counts are 64-bit integers in compiled code.
MAX_ITER_LIMIT = 2 ** 62


_QUIET = threading.local()


@contextlib.contextmanager
def no_new_compiles() -> Iterator[None]:
    """Inside this block ``backend="auto"`` compiles no new fused kernel: what
    it would compile one for runs on NumPy, and is decided again after the
    block. The advice of a result wraps its analysis in it: a step bound
    needs one Hessian, 0.11 s on NumPy for a logistic model on 1e6 × 10
    rows against 2.5 s to compile its kernel.

    >>> with no_new_compiles():
    ...     compiles_allowed()
    False
    >>> compiles_allowed()
    True
    """
    previous = getattr(_QUIET, "on", False)
    _QUIET.on = True
    try:
        yield
    finally:
        _QUIET.on = previous


def compiles_allowed() -> bool:
    """Whether ``backend="auto"`` may compile a new kernel in this thread now
    (not inside :func:`no_new_compiles`)."""
    return not getattr(_QUIET, "on", False)


def available() -> bool:
    """Whether numba can be imported (looked up without importing it).

    >>> isinstance(available(), bool)
    True
    """
    if sys.modules.get("numba") is not None:     # imported already: no path search (0.2 ms)
        return True
    return importlib.util.find_spec("numba") is not None


def require() -> None:
    """Raise an :class:`~symgd.errors.InputError` naming the extra when numba
    is missing."""
    if not available():
        raise InputError(f"backend='numba' needs numba, which is not installed; install it "
                         f"with {INSTALL} (or pip install numba), or use backend='numpy'")


def check_backend(backend: object) -> str:
    """``backend`` checked: one of :data:`BACKENDS`.

    >>> check_backend("auto")
    'auto'
    >>> check_backend("jax")
    Traceback (most recent call last):
    ...
    symgd.errors.InputError: backend must be one of 'auto', 'numpy', 'numba'; got 'jax'
    """
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise InputError(f"backend must be one of {', '.join(map(repr, BACKENDS))}; "
                         f"got {backend!r:.40}")
    return backend


def unsupported(rule: Any, progress: object, max_iter: int) -> list[str]:
    """What of a run the compiled loops cannot do, from its step rule, its
    progress line (None when not shown) and ``max_iter``; empty when they can.

    >>> from symgd.descent.steps import get_rule
    >>> unsupported(get_rule("fixed", 0.1), None, 1000)
    []
    >>> unsupported(get_rule("adam", 0.1), None, 2 ** 62)
    ["the step rule 'adam' (only the fixed step with a constant rate is compiled)", 'max_iter of 2**62 or more']
    """
    reasons = []
    if not rule.plain:
        reasons.append(f"the step rule {rule.name!r} (only the fixed step with a constant "
                       f"rate is compiled)")
    if progress is not None:
        reasons.append("a progress line")
    if max_iter >= MAX_ITER_LIMIT:
        reasons.append("max_iter of 2**62 or more")
    return reasons


def pick(backend: object, obj: object, kind: str, unsupported: list[str], work: int,
         threshold: int) -> str:
    """The backend that runs: ``"numpy"`` or ``"numba"``.

    ``unsupported`` says what of this run compiled code cannot do (empty
    when it can); ``work`` (steps, or runs × steps) is weighed against
    ``threshold`` by ``"auto"``, unless ``obj``'s ``kind`` loop (``"loop"``
    or ``"many"``) is compiled already. An explicit ``"numba"`` raises an
    :class:`~symgd.errors.InputError` when numba is missing (naming the
    extra) or the run is unsupported (naming what is).

    >>> pick("numpy", None, "loop", [], 10**9, 1)
    'numpy'
    >>> pick("auto", None, "loop", ["a callback"], 10**9, 1)
    'numpy'
    """
    backend = check_backend(backend)
    if backend == "numpy":
        return "numpy"
    if backend == "numba":
        require()
        if unsupported:
            raise InputError(f"backend='numba' cannot run this descent: it does not support "
                             f"{'; '.join(unsupported)}; use backend='auto' or "
                             f"backend='numpy'")
        return "numba"
    if unsupported or not available():
        return "numpy"
    if work >= threshold:
        return "numba"
    from .loops import is_compiled
    return "numba" if is_compiled(obj, kind) else "numpy"
