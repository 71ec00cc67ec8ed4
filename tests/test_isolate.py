"""The process runner: values, errors, time limits, streaming, and no child
left behind -- not after a time-out, not after the parent is killed, not in a
Pool worker, not with a main module read from stdin."""

from __future__ import annotations

import errno
import multiprocessing as mp
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import warnings

import pytest
import sympy as sp

from symgd import _isolate
from symgd._isolate import (FAILED, NO_PROCESS, TIMED_OUT, IsolatedError, call,
                            call_with_timeout, limited)
from procs import cmdline, stat

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, HERE]))   # this symgd, this file
HAS_PROC = os.path.isdir("/proc")
HAS_FORK = hasattr(os, "fork")
needs_proc = pytest.mark.skipif(not HAS_PROC, reason="reads processes from /proc")
needs_fork = pytest.mark.skipif(not HAS_FORK, reason="os.fork is POSIX only")
needs_alarm = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no SIGALRM timer")


# ------------------------------------------------- work for the child (importable)

def add(a, b):
    return a + b


def fail(message):
    raise ValueError(message)


def spin():
    while True:
        pass


def spin_after(send, n):
    for i in range(n):
        send(i)
    while True:
        pass


def flood(send):
    while True:
        send("more")


def report_pid_and_spin(send):
    send(os.getpid())
    while True:
        pass


def slow_sympy():
    # Two 30-digit primes: factoring their product takes SymPy well over 15 s.
    return sp.factorint(sp.nextprime(10**29) * sp.nextprime(3 * 10**29))


def unpicklable():
    return threading.Lock()


def send_unpicklable(send):
    send(threading.Lock())
    return "sent"


def chatty(x):
    print("noise on stdout " * 100)
    return x * 2


def slice_in_child():
    return limited(0.2, spin), limited(1.0, add, 1, 2), limited(1.0, fail, "no")


def pool_job(x):
    return mp.current_process().daemon, call(add, (x, 1), timeout=10)


# ------------------------------------------------- helpers

def children(pid=None):
    """Pids whose parent is ``pid`` (this process), zombies included, but not
    multiprocessing's resource tracker, which outlives any one Pool."""
    pid = os.getpid() if pid is None else pid
    return [int(e) for e in os.listdir("/proc")
            if e.isdigit() and (s := stat(e)) is not None and int(s[1]) == pid
            and b"resource_tracker" not in cmdline(e)]


def gone(pid):
    """No such process, or a zombie (reaped by whoever adopted it)."""
    s = stat(pid)
    return s is None or s[0] == "Z"


def wait_gone(pid, within):
    end = time.monotonic() + within
    while time.monotonic() < end:
        if gone(pid):
            return True
        time.sleep(0.02)
    return gone(pid)


@pytest.fixture(autouse=True)
def no_child_left():
    before = set(children()) if HAS_PROC else set()
    yield
    if HAS_PROC:
        assert set(children()) <= before, "a child process was left behind"


@pytest.fixture(params=["fork", "subprocess"])
def path(request, monkeypatch):
    if request.param == "fork" and not HAS_FORK:
        pytest.skip("os.fork is POSIX only")
    monkeypatch.setattr(_isolate, "_FORCE_SUBPROCESS", request.param == "subprocess")
    return request.param


def run_python(*argv, stdin=None):
    return subprocess.run([sys.executable, *argv], input=stdin, capture_output=True,
                          text=True, env=ENV, timeout=60)


# ------------------------------------------------- values, errors, time-outs

def test_value_is_returned(path):
    assert call(add, (2, 3)) == 5
    x = sp.Symbol("x")
    assert call(sp.expand, ((x + 1) ** 2,)) == x**2 + 2*x + 1


def test_error_is_raised_with_its_type_name(path):
    with pytest.raises(IsolatedError) as caught:
        call(fail, ("bad input",))
    assert str(caught.value) == "ValueError: bad input"
    assert isinstance(caught.value, RuntimeError)


def announce(send, work):
    send("started")
    return work()


@pytest.mark.parametrize("work", [spin, slow_sympy], ids=["python-loop", "sympy-factorint"])
def test_endless_work_times_out(path, work):
    # Timed from the child's first message: a new interpreter's start-up
    # (importing SymPy) is, by design, not counted in the limit.
    started = []
    assert call(announce, (work,), timeout=0.5,
                on_message=lambda m: started.append(time.monotonic())) is TIMED_OUT
    assert time.monotonic() - started[0] < 0.5 + 1.0


def test_messages_before_a_time_out_are_kept(path):
    got = []
    assert call(spin_after, (5,), timeout=0.5, on_message=got.append) is TIMED_OUT
    assert got == [0, 1, 2, 3, 4]


def test_a_flood_of_messages_does_not_delay_the_time_out(path):
    got = []
    assert call(flood, timeout=0.3, on_message=lambda m: got.append(time.monotonic())) \
        is TIMED_OUT
    assert got and time.monotonic() - got[0] < 0.3 + 1.0


def test_unpicklable_result_is_an_error_not_a_hang(path):
    began = time.monotonic()
    with pytest.raises(IsolatedError, match="could not be sent back"):
        call(unpicklable, timeout=5)
    assert time.monotonic() - began < 5


@needs_fork
def test_unpicklable_message_is_an_error():
    with pytest.raises(IsolatedError, match="TypeError"):
        call(send_unpicklable, on_message=lambda m: None)


def test_prints_in_the_child_do_not_disturb_the_answer(path):
    assert call(chatty, (21,)) == 42


def test_limited_inside_the_child_and_sentinels_survive_pickling():
    assert call(slice_in_child, timeout=5) == (TIMED_OUT, 3, FAILED)
    for s in (TIMED_OUT, NO_PROCESS, FAILED):
        assert pickle.loads(pickle.dumps(s)) is s
    assert [repr(s) for s in (TIMED_OUT, NO_PROCESS, FAILED)] == \
        [str(s) for s in (TIMED_OUT, NO_PROCESS, FAILED)] == ["TIMED_OUT", "NO_PROCESS", "FAILED"]


@needs_fork
def test_the_warning_about_fork_with_threads_is_silenced(monkeypatch):
    real_fork = os.fork

    def warning_fork():        # what os.fork does in a process with threads (3.12+)
        warnings.warn("This process is multi-threaded, use of fork() may lead to "
                      "deadlocks in the child.", DeprecationWarning, stacklevel=2)
        return real_fork()
    monkeypatch.setattr(os, "fork", warning_fork)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert call(add, (1, 2)) == 3


def test_zero_time_is_a_time_out_without_a_child():
    assert call(add, (1, 2), timeout=0) is TIMED_OUT


def test_local_function_is_refused_on_the_subprocess_path(monkeypatch):
    monkeypatch.setattr(_isolate, "_FORCE_SUBPROCESS", True)
    with pytest.raises(IsolatedError):
        call(lambda: 1)


def test_call_from_another_thread():
    out = []
    t = threading.Thread(target=lambda: out.append(call(add, (1, 1))))
    t.start()
    t.join(10)
    assert out == [2]


def test_call_with_timeout_keeps_its_old_meaning(monkeypatch):
    assert call_with_timeout(add, (1, 2), 2.0) == 3
    assert call_with_timeout(spin, (), 0.2) is TIMED_OUT
    with pytest.raises(RuntimeError, match="ValueError: no"):
        call_with_timeout(fail, ("no",), 2.0)
    monkeypatch.setattr(_isolate, "_FORCE_SUBPROCESS", False)
    monkeypatch.setattr(os, "fork", _no_fork, raising=False)
    assert call_with_timeout(add, (1, 2), 2.0) is TIMED_OUT


# ------------------------------------------------- no process at all

def _no_fork():
    raise OSError(errno.EAGAIN, "Resource temporarily unavailable")


def test_no_process_when_fork_fails(monkeypatch):
    monkeypatch.setattr(os, "fork", _no_fork, raising=False)
    assert call(add, (1, 2)) is NO_PROCESS


def test_no_process_when_no_interpreter_starts(monkeypatch):
    monkeypatch.setattr(_isolate, "_FORCE_SUBPROCESS", True)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: _no_fork())
    assert call(add, (1, 2)) is NO_PROCESS


# ------------------------------------------------- nothing left behind

@needs_proc
def test_timed_out_child_is_killed_and_reaped(path):
    before, pids = set(children()), []
    assert call(report_pid_and_spin, timeout=0.3, on_message=pids.append) is TIMED_OUT
    assert stat(pids[0]) is None                 # not even a zombie
    assert set(children()) <= before


@needs_proc
def test_child_is_reaped_when_the_caller_is_interrupted():
    pids = []

    def interrupt(pid):
        pids.append(pid)
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        call(report_pid_and_spin, timeout=10, on_message=interrupt)
    assert stat(pids[0]) is None


PARENT = """
import os, sys
from symgd import _isolate
import test_isolate
_isolate._FORCE_SUBPROCESS = sys.argv[1] == "subprocess"
_isolate._WATCH = tuple(sys.argv[2].split(","))
print(os.getpid(), flush=True)
_isolate.call(test_isolate.report_pid_and_spin, timeout=60,
              on_message=lambda pid: print(pid, flush=True))
"""


ALL = ",".join(_isolate._WATCH)


@needs_proc
@pytest.mark.parametrize("how, watch, sig", [
    ("fork", ALL, signal.SIGKILL),
    ("fork", ALL, signal.SIGTERM),
    ("fork", "pdeathsig", signal.SIGKILL),
    ("fork", "ppid", signal.SIGKILL),            # the guard where there is no prctl
    ("subprocess", ALL, signal.SIGKILL),
    ("subprocess", ALL, signal.SIGTERM),
    ("subprocess", "stdin", signal.SIGKILL),     # the guard on Windows
])
def test_child_dies_with_its_parent(how, watch, sig):
    if how == "fork" and not HAS_FORK:
        pytest.skip("os.fork is POSIX only")
    parent = subprocess.Popen([sys.executable, "-c", PARENT, how, watch],
                              stdout=subprocess.PIPE, text=True, env=ENV)
    child = None
    try:
        assert int(parent.stdout.readline()) == parent.pid
        child = int(parent.stdout.readline())
        assert int(stat(child)[1]) == parent.pid and not gone(child)
        parent.send_signal(sig)
        parent.wait(10)
        assert wait_gone(child, 2.0), f"child {child} outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
        if child is not None and not gone(child):
            os.kill(child, signal.SIGKILL)       # leave no spinning orphan behind


ATEXIT = """
import atexit, sys
from symgd._isolate import call
atexit.register(lambda: print("atexit ran"))
sys.stdout.write("buffered ")                # not flushed before the fork
print(call(sum, ([1, 2],)))
"""


@needs_fork
def test_child_runs_no_atexit_handler_and_flushes_no_parent_buffer():
    done = run_python("-c", ATEXIT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "buffered 3\natexit ran\n"


# ------------------------------------------------- where multiprocessing fails

@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_works_inside_a_pool_worker(method):
    if method not in mp.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    ctx = mp.get_context(method)
    pool = ctx.Pool(1)
    try:
        # A Pool worker is daemonic: multiprocessing would refuse it a child.
        assert pool.map(pool_job, [1, 41]) == [(True, 2), (True, 42)]
    finally:
        pool.close()
        pool.join()


STDIN_MAIN = """
import multiprocessing, sys
from symgd._isolate import call
if sys.argv[1] == "spawn":
    multiprocessing.set_start_method("spawn")

def square(send, x):
    send("working")
    return x * x

got = []
print(call(square, (7,), on_message=got.append), got)
"""


@needs_fork
@pytest.mark.parametrize("method", ["default", "spawn"])
def test_works_with_a_main_module_read_from_stdin(method):
    done = run_python("-", method, stdin=STDIN_MAIN)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "49 ['working']\n"


# ------------------------------------------------- limited()

@needs_alarm
def test_limited_returns_value_failed_or_timed_out():
    assert limited(1.0, add, 1, 2) == 3
    assert limited(1.0, fail, "x") is FAILED
    assert limited(0, add, 1, 2) is TIMED_OUT
    began = time.monotonic()
    assert limited(0.2, spin) is TIMED_OUT
    assert limited(0.2, time.sleep, 5) is TIMED_OUT
    assert time.monotonic() - began < 1.0


@needs_alarm
def test_limited_is_not_swallowed_by_except_exception():
    def stubborn():
        while True:
            try:
                sum(range(1000))
            except Exception:
                return "swallowed"
    assert limited(0.2, stubborn) is TIMED_OUT


@needs_alarm
def test_limited_restores_the_previous_handler_and_leaves_no_timer():
    before = signal.getsignal(signal.SIGALRM)
    limited(0.1, spin)
    limited(1.0, add, 1, 2)
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# ------------------------------------------------- the library's own children

def check_in_worker(_):
    """A claim that needs the child's simplification (sin(2x) = 2 sin x cos x)."""
    import symgd
    c = symgd.check_gradient("sin(x)^2", "sin(2x)")[0]
    return c.verdict, c.method


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_check_gradient_in_a_pool_worker_gets_the_symbolic_verdict(method):
    if method not in mp.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    with mp.get_context(method).Pool(1) as pool:
        assert pool.map(check_in_worker, [0]) == [("equal", "symbolic")]


SOLVER = """
import symgd
symgd.analyze("x^3*y^2 + y^3*z^2 + z^3*x^2 + x*y*z + x + y + z", timeout=120)
"""


@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_stationary_point_solve_dies_with_its_parent(sig):
    """``symgd analyze`` of a system SymPy cannot solve quickly: its solve
    child must not keep running when the command is killed."""
    parent = subprocess.Popen([sys.executable, "-c", SOLVER], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kids = []
    try:
        end = time.monotonic() + 60
        while not kids and time.monotonic() < end and parent.poll() is None:
            kids = children(parent.pid)
            time.sleep(0.05)
        assert kids, "the solve never started a child"
        parent.send_signal(sig)
        parent.wait(10)
        assert all(wait_gone(k, 2.0) for k in kids), "the solve outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        for k in kids:
            if not gone(k):
                os.kill(k, signal.SIGKILL)
