"""Running symbolic work under a hard time limit.

SymPy's ``solve`` and ``simplify`` can run for minutes on some inputs, and a
Python thread cannot be stopped. :func:`call_with_timeout` runs the work in a
child process and kills it when the time is up, so no input can hang the
caller. On Linux the child is forked (a few milliseconds); elsewhere it is
spawned, so the function and its arguments must be picklable.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from typing import Any, Callable

__all__ = ["call_with_timeout", "TIMED_OUT"]


class _TimedOut:
    """The result of work that did not finish in time."""

    def __repr__(self) -> str:
        return "TIMED_OUT"


TIMED_OUT = _TimedOut()


def _child(conn: Any, fn: Callable[..., Any], args: tuple) -> None:
    try:
        result: tuple[bool, Any] = (True, fn(*args))
    except BaseException as err:                    # reported to the parent
        result = (False, f"{type(err).__name__}: {err}")
    try:
        conn.send(result)
    except Exception as err:                        # an unpicklable result
        conn.send((False, f"the result could not be sent back: {err}"))
    finally:
        conn.close()


def _context() -> Any:
    if sys.platform.startswith("linux"):
        return mp.get_context("fork")
    return mp.get_context("spawn")


def call_with_timeout(fn: Callable[..., Any], args: tuple = (), timeout: float = 2.0) -> Any:
    """``fn(*args)``, or :data:`TIMED_OUT` if it takes longer than ``timeout`` s.

    An exception raised by ``fn`` is raised again here as a RuntimeError
    carrying its message.

    >>> call_with_timeout(sum, ([1, 2, 3],))
    6
    >>> import time
    >>> call_with_timeout(time.sleep, (5,), timeout=0.2)
    TIMED_OUT
    """
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(timeout):
            return TIMED_OUT
        ok, value = receive.recv()
    except EOFError:                       # the child died without answering
        return TIMED_OUT
    finally:
        if process.is_alive():
            process.kill()
        process.join(1.0)
        receive.close()
    if not ok:
        raise RuntimeError(value)
    return value
