"""Running symbolic work in a child process under a hard time limit.

SymPy's ``solve`` or ``simplify`` can run for minutes, and a thread cannot be
stopped, so :func:`call` runs such work in a child process killed when its time
is up; :func:`limited` slices the time inside the child.

On POSIX the child is made by ``os.fork`` itself, not :mod:`multiprocessing`:
it costs milliseconds, needs nothing picklable, and works in a daemonic
``Pool`` worker, with a main module read from stdin, and under the spawn start
method. It ends with ``os._exit``, so it runs no ``atexit`` handler and flushes
none of the parent's buffers. Without ``fork`` (Windows; ``_FORCE_SUBPROCESS``
anywhere) the child is ``python -c`` importing this module (``-m`` would run
it a second time as ``__main__``), given an importable function pickled by
reference on its stdin; its start-up is bounded by ``_STARTUP``, not counted.

Either way the answers are length-prefixed pickles on a pipe, read by a parent
thread (pipes cannot be polled on Windows) that stamps their arrival, so
messages sent before a time-out are kept and a flood of them cannot delay it.
The child dies with its parent (``_WATCH``): by ``PR_SET_PDEATHSIG`` on Linux
(it follows the forking thread, which is the one that waits), by a thread
polling ``os.getppid()``, and for the subprocess child when its stdin closes.
The parent kills and reaps the child on every way out of :func:`call`.
"""

from __future__ import annotations

import enum
import gc
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
import warnings
from typing import Any, Callable

from .errors import SymgdError

__all__ = ["call", "forks", "limited", "IsolatedError", "TIMED_OUT", "NO_PROCESS", "FAILED",
           "call_with_timeout"]

_STARTUP = 30.0                  # seconds a child may take to become ready
_FORCE_SUBPROCESS = False        # start a new interpreter even where os.fork exists
_WATCH = ("pdeathsig", "ppid", "stdin")   # how a child notices its parent's death
_HEADER = struct.Struct(">Q")
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Marker(enum.Enum):
    """Named results; pickled by reference, they come back from a child as themselves."""

    TIMED_OUT = "the work did not finish in time, or the child died without answering"
    NO_PROCESS = "no child process could be started (a sandbox forbids it): callers degrade"
    FAILED = "the function given to limited() raised an Exception"

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__


TIMED_OUT, NO_PROCESS, FAILED = _Marker.TIMED_OUT, _Marker.NO_PROCESS, _Marker.FAILED


class IsolatedError(RuntimeError):
    """The isolated function raised; ``str()`` is ``"TypeName: message"``."""


class _Expired(BaseException):
    """The alarm of :func:`limited`; SymPy's ``except Exception`` lets it through."""


def _find_prctl() -> Callable[..., int] | None:
    try:
        import ctypes
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        prctl.argtypes = [ctypes.c_int, ctypes.c_ulong]
        return prctl
    except (ImportError, OSError, AttributeError):
        return None


_prctl = _find_prctl() if sys.platform.startswith("linux") else None


def _frame(*parts: Any) -> bytes:
    data = pickle.dumps(parts, pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _write(fd: int, data: bytes) -> None:
    """All of ``data``, with SIGALRM held off: :func:`limited` must not cut a frame."""
    mask = hasattr(signal, "pthread_sigmask")
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM}) if mask else None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        if mask:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _read(fd: int, n: int) -> bytearray | None:
    data = bytearray()
    while len(data) < n:
        if not (chunk := os.read(fd, min(n - len(data), 1 << 20))):
            return None                        # the other end has closed
        data += chunk
    return data


def _read_frame(fd: int) -> tuple | None:
    head = _read(fd, _HEADER.size)
    data = None if head is None else _read(fd, _HEADER.unpack(head)[0])
    return None if data is None else pickle.loads(data)


def _die_with(parent: int, watch: tuple) -> None:
    """In a child: end as soon as the process ``parent`` ends."""
    if "pdeathsig" in watch and _prctl is not None:
        _prctl(1, signal.SIGKILL)              # PR_SET_PDEATHSIG
    if "ppid" in watch:
        if os.getppid() != parent:             # it died before the guard was set
            os._exit(1)

        def poll() -> None:
            while os.getppid() == parent:
                time.sleep(0.2)
            os._exit(1)
        threading.Thread(target=poll, daemon=True).start()


def _work(out: int, load: Callable[[], tuple]) -> None:
    """In a child: run the job ``load()`` gives, write the answers; never returns."""
    try:
        try:
            fn, args, streaming = load()
            _write(out, _frame("ready", None))

            def send(obj: Any) -> None:
                _write(out, _frame("message", obj))
            value = fn(send, *args) if streaming else fn(*args)
            try:
                answer = _frame("value", value)
            except Exception as err:           # an unpicklable result
                answer = _frame("error", f"{type(err).__name__}: "
                                         f"the result could not be sent back: {err}")
        except BaseException as err:
            answer = _error_frame(err)
        _write(out, answer)
    finally:
        os._exit(0)                            # no atexit handlers, no stdio flush


def _error_frame(err: BaseException) -> bytes:
    """A symgd error goes back as itself (the caller's bad input); anything
    else as its type and message."""
    if isinstance(err, SymgdError):
        try:
            return _frame("raise", err)
        except Exception:  # an unpicklable error: its text is enough
            pass
    return _frame("error", f"{type(err).__name__}: {err}")


def _subprocess_main(parent: int, watch: tuple) -> None:
    """The interpreter started by :func:`_start_subprocess`."""
    _die_with(parent, watch)
    out = os.dup(1)
    os.dup2(2, 1)                              # the work's prints go to stderr
    sys.stdout = sys.stderr                   # (Python keeps fds 0-2 binary on Windows)

    def exit_at_eof() -> None:
        try:
            while os.read(0, 1 << 16):
                pass
        finally:
            os._exit(1)

    def load() -> tuple:
        path, job = _read_frame(0)             # type: ignore[misc]
        if "stdin" in watch:
            threading.Thread(target=exit_at_eof, daemon=True).start()
        sys.path[:] = path
        return pickle.loads(job)
    _work(out, load)


def _start_fork(fn: Callable[..., Any], args: tuple, streaming: bool) -> tuple:
    read, write = os.pipe()
    parent = os.getpid()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
            pid = os.fork()
    except BaseException:
        os.close(read)
        os.close(write)
        raise
    if pid == 0:
        try:
            # the parent's objects are left out of this child's collections:
            # after a 2 GB parent they added 0.2-0.5 s of CPU to a short job
            gc.freeze()
            os.close(read)
            _die_with(parent, _WATCH)
            _work(write, lambda: (fn, args, streaming))
        finally:
            os._exit(1)
    os.close(write)

    def stop() -> None:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):   # reaped elsewhere
            pass
    return read, stop


def _start_subprocess(fn: Callable[..., Any], args: tuple, streaming: bool) -> tuple:
    try:
        job = _frame(list(sys.path), pickle.dumps((fn, args, streaming), pickle.HIGHEST_PROTOCOL))
    except Exception as err:                   # a lambda, a local function
        raise IsolatedError(f"{type(err).__name__}: {err}") from None
    code = (f"import sys; sys.path.insert(0, {_ROOT!r}); from symgd._isolate import "
            f"_subprocess_main; _subprocess_main({os.getpid()}, {tuple(_WATCH)!r})")
    read, write = os.pipe()
    try:
        proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                stdout=write)
    except BaseException:
        os.close(read)
        raise
    finally:
        os.close(write)

    def feed() -> None:                        # in a thread: a full pipe must not block
        try:
            proc.stdin.write(job)              # type: ignore[union-attr]
            proc.stdin.flush()                 # type: ignore[union-attr]
        except (OSError, ValueError):
            pass

    def stop() -> None:
        proc.kill()
        proc.wait()
        try:
            proc.stdin.close()                 # type: ignore[union-attr]
        except OSError:
            pass
    try:
        threading.Thread(target=feed, daemon=True).start()
    except BaseException:
        stop()
        os.close(read)
        raise
    return read, stop


def _pump(fd: int, answers: queue.Queue) -> None:
    """In a parent thread: (time of arrival, frame) pairs, then (time, None)."""
    try:
        while (frame := _read_frame(fd)) is not None:
            answers.put((time.monotonic(), frame))
    except Exception as err:                   # an answer that cannot be unpickled
        answers.put((time.monotonic(),
                     ("error", f"{type(err).__name__}: the answer could not be read: {err}")))
    finally:
        os.close(fd)
        answers.put((time.monotonic(), None))


def forks() -> bool:
    """True when :func:`call` forks, so ``fn`` may be any callable (a closure,
    a lambda) and its arguments need not be picklable.

    >>> forks() == (hasattr(os, "fork") and not _FORCE_SUBPROCESS)
    True
    """
    return hasattr(os, "fork") and not _FORCE_SUBPROCESS


def call(fn: Callable[..., Any], args: tuple = (), timeout: float = 2.0, *,
         on_message: Callable[[Any], Any] | None = None) -> Any:
    """``fn(*args)`` in a child process, killed after ``timeout`` seconds of work.

    Parameters
    ----------
    fn : callable
        The work; without ``os.fork``, an importable module-level function.
    args : tuple
        Its arguments (picklable without ``os.fork``).
    timeout : float
        Seconds, counted from when the child is ready to work.
    on_message : callable, optional
        If given, the child calls ``fn(send, *args)``, and each ``send(obj)``
        reaches ``on_message(obj)`` at once; those before a time-out are kept.

    Returns
    -------
    object
        ``fn``'s value, :data:`TIMED_OUT` (also if the child died without
        answering) or :data:`NO_PROCESS` (no child could be started).

    Raises
    ------
    SymgdError
        ``fn`` raised one: the same error as in-process (invalid input).
    IsolatedError
        ``fn`` raised anything else, or its value could not be sent back.

    Examples
    --------
    >>> import time
    >>> call(sum, ([1, 2, 3],)), call(time.sleep, (5,), timeout=0.2)
    (6, TIMED_OUT)
    >>> call(int, ("x",))
    Traceback (most recent call last):
    symgd._isolate.IsolatedError: ValueError: invalid literal for int() with base 10: 'x'
    >>> def count(send, n):
    ...     return [send(i) for i in range(n)] and "done"
    >>> got = []
    >>> call(count, (3,), on_message=got.append), got
    ('done', [0, 1, 2])
    """
    if timeout <= 0:
        return TIMED_OUT
    start = _start_fork if forks() else _start_subprocess
    try:
        fd, stop = start(fn, tuple(args), on_message is not None)
    except OSError:                            # EAGAIN, a sandbox: no child at all
        return NO_PROCESS
    answers: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_pump, args=(fd, answers), daemon=True)
    try:
        reader.start()
        deadline = time.monotonic() + _STARTUP
        while True:
            try:
                at, frame = answers.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return TIMED_OUT
            if frame is None or at > deadline:
                return TIMED_OUT
            kind, obj = frame
            if kind == "ready":
                deadline = at + timeout
            elif kind == "message":
                on_message(obj)                # type: ignore[misc]
            elif kind == "value":
                return obj
            elif kind == "raise":
                raise obj                      # a symgd error: bad input, as in-process
            else:
                raise IsolatedError(obj)
    finally:
        stop()
        if reader.ident is None:
            os.close(fd)
        else:
            reader.join(1.0)


def limited(seconds: float, func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)``, or :data:`TIMED_OUT` after ``seconds``; :data:`FAILED` on error.

    For the main thread of an isolated child. A SIGALRM timer raises a
    BaseException, which SymPy's ``except Exception`` cannot swallow. Calls do
    not nest (the inner would cancel the outer's timer). Without the timer
    (Windows, another thread) only the parent's time limit bounds ``func``.

    Examples
    --------
    >>> import time
    >>> limited(1.0, sum, [1, 2]), limited(1.0, int, "x"), limited(0.1, time.sleep, 5)
    (3, FAILED, TIMED_OUT)
    """
    if seconds <= 0:
        return TIMED_OUT
    alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    armed = True

    def expire(signum: int, frame: Any) -> None:
        if armed:
            raise _Expired

    try:
        if alarm:
            previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return func(*args)
        finally:
            armed = False
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
    except _Expired:
        return TIMED_OUT
    except Exception:                          # SymPy raises many kinds on odd input
        return FAILED


def call_with_timeout(fn: Callable[..., Any], args: tuple = (), timeout: float = 2.0) -> Any:
    """:func:`call` without messages, :data:`NO_PROCESS` reported as :data:`TIMED_OUT`.

    >>> call_with_timeout(sum, ([1, 2, 3],))
    6
    """
    value = call(fn, args, timeout)
    return TIMED_OUT if value is NO_PROCESS else value
