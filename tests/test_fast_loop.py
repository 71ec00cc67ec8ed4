"""The compiled backend (symgd.fast, numba) against the default path.

The oracle is the default path itself (the generated Python loop for
descend, the NumPy loop for descend_many): the compiled loops must give the
same statuses, iteration counts, messages, end points and histories to
round-off, on the standard problems, on diverging runs and on the numeric
faults of the security catalogue; and the standard problems must end at
their published minima. Tests that need numba skip without it, so the core
install passes; the error for a missing numba is tested by hiding it.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

import symgd
from symgd import Status, descend, descend_many
from symgd.errors import InputError
from test_security import FAULTS

BOWL = "x^2 + x*y + y^2"
ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
BOOTH = "(x + 2*y - 7)^2 + (2*x + y - 5)^2"
RTOL, ATOL = 1e-10, 1e-12

# (objective, start, lr, options, the published minimum or None)
PROBLEMS = {
    "bowl": (BOWL, [1.0, 1.0], 0.1, {}, [0.0, 0.0]),
    "rosenbrock": (ROSENBROCK, [-1.2, 1.0], 1e-3, {"max_iter": 100_000}, [1.0, 1.0]),
    "himmelblau": (HIMMELBLAU, [0.0, 0.0], 0.01, {}, [3.0, 2.0]),
    "booth": (BOOTH, [0.0, 0.0], 0.05, {}, [1.0, 3.0]),
    "bowl tol=None": (BOWL, [1.0, -2.0], 0.01, {"tol": None, "max_iter": 3000}, None),
    "ftol": (BOWL, [1.0, 1.0], 0.1, {"ftol": 1e-3}, None),
    "max_iter": (BOWL, [1.0, 1.0], 0.01, {"max_iter": 5}, None),
    "max_iter 0": (BOWL, [1.0, 1.0], 0.01, {"max_iter": 0}, None),
    "diverged": (BOWL, [1.0, 1.0], 0.7, {}, None),
    "diverged, patience 3": (BOWL, [1.0, 1.0], 0.9, {"patience": 3}, None),
    "overflow": ("x^4", [10.0], 1.0, {}, None),
    "at the bound": (BOWL, [1.0, 1.0], 2 / 3, {}, None),
    "x^2 at lr 1": ("x^2", [1.0], 1.0, {}, None),
    "kink": ("abs(x)", [1.0], 0.3, {}, None),
    "unbounded": ("x^3", [-1.0], 0.1, {}, None),
    "unbounded to -inf": ("-exp(x)", [1.0], 1.0, {}, None),
    "linear": ("2*x - y", [0.0, 0.0], 0.1, {}, None),
    "three variables": ("(x - 1)^2 + 2*(y + 2)^2 + 3*z^2 + x*z", [1.0, 1.0, 1.0], 0.05, {},
                        None),
    "trigonometric": ("sin(x) + cos(y) + 0.1*(x^2 + y^2)", [1.0, 2.0], 0.1, {}, None),
}


def _quietly(function, *args, **kwargs):
    """Run without any warning (a warning would be a difference)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function(*args, **kwargs)


def assert_same_result(a: symgd.Result, b: symgd.Result) -> None:
    """Same status, steps, message and counts; points and histories to round-off."""
    assert (Status(b.status), b.nit, b.success) == (Status(a.status), a.nit, a.success), \
        b.message
    assert b.message == a.message
    assert (b.nfev, b.njev, b.nhev) == (a.nfev, a.njev, a.nhev)
    np.testing.assert_allclose(b.x, a.x, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(b.jac, a.jac, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(b.fun, a.fun, rtol=RTOL, atol=ATOL)
    assert b.history.stride == a.history.stride
    np.testing.assert_array_equal(b.history.iteration, a.history.iteration)
    np.testing.assert_allclose(np.asarray(b.history), np.asarray(a.history), rtol=RTOL,
                               atol=ATOL)


def _both(objective, start, lr, **options):
    numba = pytest.importorskip("numba")
    assert numba
    a = _quietly(descend, objective, start, lr=lr, backend="numpy", **options)
    b = _quietly(descend, objective, start, lr=lr, backend="numba", **options)
    assert a.backend == "numpy" and b.backend == "numba"
    return a, b


@pytest.mark.parametrize("name", PROBLEMS)
def test_compiled_descend_equals_the_default_path(name):
    objective, start, lr, options, minimum = PROBLEMS[name]
    a, b = _both(objective, start, lr, **options)
    assert_same_result(a, b)
    if minimum is not None:
        assert b.status == Status.CONVERGED
        np.testing.assert_allclose(b.x, minimum, atol=1e-6)
        assert b.fun == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name", ["bowl", "rosenbrock", "diverged", "kink"])
def test_history_false_keeps_the_first_and_last_rows(name):
    objective, start, lr, options, _ = PROBLEMS[name]
    a, b = _both(objective, start, lr, history=False, **options)
    assert_same_result(a, b)
    assert len(b.history) == (2 if b.nit else 1)


# every function of the registry, inside and outside its domain; gamma and
# beta need polygamma in their derivatives, which compiled code does not call
FUNCTIONS = ("Abs acos acosh acot acoth acsc acsch asec asech asin asinh atan atanh cbrt cos "
             "cosh cot coth csc csch erf exp ln log log10 log2 sec sech sgn sign sin sinh "
             "sqrt tan tanh relu sigmoid softplus").split()
NOT_COMPILED = {"gamma(x) + x^2": "polygamma", "beta(x, 2) + x^2": "polygamma"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_math_function_runs_compiled_as_by_default(function):
    text = f"{function}(x) + 0.1*x^2 + {function}(x*y + 2)"
    for start in ([0.5, 0.7], [1.5, -0.3], [3.0, 2.0]):
        a, b = _both(text, start, 0.3, max_iter=300)
        assert_same_result(a, b)


@pytest.mark.parametrize("text", NOT_COMPILED)
def test_functions_compiled_code_cannot_call_are_named(text):
    pytest.importorskip("numba")
    with pytest.raises(InputError, match=NOT_COMPILED[text]):
        descend(text, [0.5], lr=0.1, backend="numba")
    assert descend(text, [0.5], lr=0.1, max_iter=10**6).backend == "numpy"


def test_integers_beyond_64_bits_are_floats_in_compiled_code():
    for text, start, lr in [("10**30*x^2 + 2", [1e-16], 1e-31),
                            ("1e-20*x^4 + x^2 + 1e30*y^2", [1.0, 1e-16], 0.1)]:
        a, b = _both(text, start, lr)
        assert_same_result(a, b)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_numeric_faults_stop_at_the_same_point_with_the_same_message(fault):
    a, b = _both(fault.text, fault.start, fault.lr, max_iter=500)
    assert_same_result(a, b)
    assert Status(b.status) == fault.status and b.nit == fault.nit
    for got, want in zip(b.x, fault.point):
        if want is not None:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_diverging_runs_stop_where_the_default_path_stops():
    # a range of too-large rates: every one diverges, each at its own iteration
    for lr in (0.7, 0.8, 1.0, 1.5, 3.0, 100.0):
        a, b = _both(BOWL, [1.0, -0.5], lr)
        assert Status(b.status) == Status.DIVERGED
        assert_same_result(a, b)


@pytest.mark.parametrize("cap, steps", [(4, 50), (8, 1000), (16, 777), (6, 5)])
def test_history_is_thinned_by_the_same_rule(monkeypatch, cap, steps):
    loop = importlib.import_module("symgd.descent.loop")
    monkeypatch.setattr(loop, "history_cap", lambda n: cap)
    a, b = _both(BOWL, [1.0, -2.0], 1e-4, tol=None, max_iter=steps)
    assert_same_result(a, b)
    # rows at multiples of the stride, and the last one
    it = b.history.iteration
    assert it[0] == 0 and it[-1] == steps
    assert (it[:-1] % b.history.stride == 0).all()
    assert len(b.history) <= cap + 1
    if steps >= cap:
        assert b.history.stride > 1 and "To bound its memory" in b.message


def test_history_is_thinned_at_the_real_cap():
    # one variable: the cap is about 1,000,000 rows, so 1,500,000 steps thin once
    a, b = _both("x^2", [1.0], 1e-9, tol=None, max_iter=1_500_000)
    assert_same_result(a, b)
    assert b.history.stride == 2 and len(b.history) == 750_001


def test_exact_rows_and_bounds_are_added_to_a_compiled_run():
    a, b = _both(BOWL, [1, 1], 0.1, exact=5, record_bound=True)
    assert_same_result(a, b)
    assert b.history.exact == a.history.exact
    np.testing.assert_array_equal(b.history.extra["lr_bound"], a.history.extra["lr_bound"])


def test_compiled_loops_are_cached_per_objective_and_source():
    pytest.importorskip("numba")
    from symgd.fast import loops
    obj = symgd.Objective("x^2 + 3*y^2 + x*y - x")
    first = descend(obj, [1, 1], lr=0.1, backend="numba")
    again = descend(obj, [2, 0], lr=0.1, backend="numba")
    assert first.compile_time > 0 and again.compile_time == 0.0
    assert loops.is_compiled(obj, "loop")
    # an equal objective built again shares the compiled loop
    twin = symgd.Objective("x^2 + 3*y^2 + x*y - x")
    assert not loops.is_compiled(twin, "loop")
    assert loops.compiled(twin, "loop")[0] is loops.compiled(obj, "loop")[0]


def test_auto_uses_numba_only_when_it_pays():
    pytest.importorskip("numba")
    from symgd.fast import choice as fast
    obj = symgd.Objective("x^2 + 2*y^2 - x*y + y")
    assert descend(obj, [1, 1], lr=0.1).backend == "numpy"          # not worth a compile
    # runs that stop within the pilot are the pilot's result, however large max_iter
    for lr in (0.1, 5.0):
        short = descend(obj, [1, 1], lr=lr, max_iter=10**12)
        assert short.backend == "numpy" and short.compile_time == 0.0
        assert_same_result(descend(obj, [1, 1], lr=lr, backend="numpy", max_iter=10**12), short)
    assert not importlib.import_module("symgd.fast.loops").is_compiled(obj, "loop")
    linear = descend("2*x - y + 3", [0, 0], max_iter=10**12)      # stops before a step
    assert (linear.backend, Status(linear.status), linear.nit) == ("numpy", Status.DIVERGED, 0)
    # a run still going after the pilot is compiled, from the start
    options = dict(lr=1e-7, tol=None, max_iter=fast.AUTO_MIN_ITER)
    long = descend(obj, [1, 1], **options)
    assert long.backend == "numba" and long.compile_time > 0
    assert_same_result(descend(obj, [1, 1], backend="numpy", **options), long)
    assert descend(obj, [1, 1], lr=0.1).backend == "numba"          # compiled already
    # what numba does not run, auto runs the default way
    assert descend(obj, [1, 1], lr=0.1, callback=lambda info: None).backend == "numpy"
    assert descend(obj, [1, 1], lr=0.1, step="momentum").backend == "numpy"
    assert descend(obj, [1, 1], lr=0.1, schedule="inverse", decay=0.1).backend == "numpy"
    gamma = symgd.Objective("gamma(x) + y^2")
    ran = descend(gamma, [1.5, 1], lr=0.1, max_iter=fast.AUTO_MIN_ITER)
    assert ran.backend == "numpy" and ran.status == Status.CONVERGED


@pytest.mark.parametrize("options, named", [
    ({"callback": lambda info: None}, "a callback"),
    ({"step": "momentum"}, "'momentum'"),
    ({"schedule": "inverse", "decay": 0.1}, "constant rate"),
])
def test_explicit_numba_names_what_it_cannot_run(options, named):
    pytest.importorskip("numba")
    with pytest.raises(InputError, match="backend='numba' cannot run") as caught:
        descend(BOWL, [1, 1], lr=0.1, backend="numba", **options)
    assert named in str(caught.value)


def test_explicit_numba_names_a_function_it_cannot_call():
    pytest.importorskip("numba")
    with pytest.raises(InputError, match="polygamma") as caught:
        descend("gamma(x) + y^2", [1.5, 1], lr=0.1, backend="numba")
    assert "backend='numpy'" in str(caught.value)
    with pytest.raises(InputError, match="polygamma"):
        descend_many("gamma(x) + y^2", [[1.5, 1]], lr=0.1, backend="numba")


def test_numba_without_numba_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)      # import numba now fails
    from symgd.fast import choice as fast
    assert not fast.available()
    for call in (lambda: descend(BOWL, [1, 1], backend="numba"),
                 lambda: descend_many(BOWL, [[1, 1]], backend="numba")):
        with pytest.raises(InputError, match=r'pip install "symgd\[fast\]"'):
            call()
    # auto runs the default path
    res = descend(BOWL, [1, 1], lr=0.1, max_iter=fast.AUTO_MIN_ITER)
    assert res.backend == "numpy" and res.status == Status.CONVERGED
    assert descend_many(BOWL, [[1, 1]], max_iter=fast.AUTO_MIN_RUN_STEPS).backend == "numpy"


@pytest.mark.parametrize("backend", ["jax", "", None, 3])
def test_an_unknown_backend_is_refused(backend):
    for call in (descend, descend_many):
        with pytest.raises(InputError, match="backend must be one of 'auto', 'numpy', 'numba'"):
            call(BOWL, [1, 1], backend=backend)


def test_importing_symgd_does_not_import_numba():
    code = ("import sys, symgd; symgd.descend('x^2 + y^2', [1, 1]); "
            "symgd.descend_many('x^2 + y^2', [[1, 1], [2, 2]]); "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- many starts

def _many_both(objective, starts, lr, **options):
    pytest.importorskip("numba")
    a = _quietly(descend_many, objective, starts, lr=lr, backend="numpy", **options)
    b = _quietly(descend_many, objective, starts, lr=lr, backend="numba", **options)
    assert a.backend == "numpy" and b.backend == "numba"
    return a, b


def assert_same_batch(a: symgd.Batch, b: symgd.Batch, rtol: float = RTOL) -> None:
    np.testing.assert_array_equal(b.status, a.status)
    np.testing.assert_array_equal(b.nit, a.nit)
    np.testing.assert_array_equal(b.success, a.success)
    for name in ("x", "fun", "jac", "grad_norm"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=rtol, atol=ATOL)
    if a._rows is not None:
        assert b._rows.shape == a._rows.shape
        np.testing.assert_allclose(b._rows, a._rows, rtol=rtol, atol=ATOL)
    for i in range(len(a)):
        ra, rb = a[i], b[i]
        assert rb.message == ra.message
        np.testing.assert_allclose(np.asarray(rb.history), np.asarray(ra.history), rtol=rtol,
                                   atol=ATOL)
    assert b.text() == a.text()


@pytest.mark.parametrize("history", [False, True])
def test_compiled_many_equals_the_numpy_loop_on_rosenbrock(history):
    starts = np.random.default_rng(3).uniform(-2, 2, size=(60, 2))
    a, b = _many_both(ROSENBROCK, starts, 1e-3, max_iter=400, history=history)
    assert_same_batch(a, b)


def test_compiled_many_stops_each_run_on_its_own():
    # converging, oscillating, diverging and overflowing runs side by side
    lrs = [0.1, 0.3, 0.5, 2 / 3, 0.7, 0.9, 5.0, 1e3]
    a, b = _many_both(BOWL, [1.0, 1.0], lrs, max_iter=300, history=True)
    assert_same_batch(a, b)
    assert {Status.CONVERGED, Status.OSCILLATING, Status.DIVERGED} <= set(map(Status, b.status))


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.nit <= 20],
                         ids=[f.id for f in FAULTS if f.nit <= 20])
def test_compiled_many_meets_the_numeric_faults(fault):
    starts = [fault.start, [s + 0.125 for s in fault.start]]
    a, b = _many_both(fault.text, starts, fault.lr, max_iter=500, history=True)
    assert_same_batch(a, b)
    assert Status(b.status[0]) == fault.status and b.nit[0] == fault.nit


def test_compiled_many_equals_separate_runs():
    starts = np.random.default_rng(5).uniform(-4, 4, size=(25, 2))
    pytest.importorskip("numba")
    batch = descend_many(HIMMELBLAU, starts, lr=0.01, backend="numba")
    for i, start in enumerate(starts):
        single = descend(HIMMELBLAU, start, lr=0.01, backend="numpy")
        assert (Status(single.status), single.nit) == (Status(int(batch.status[i])),
                                                       int(batch.nit[i]))
        np.testing.assert_allclose(batch.x[i], single.x, rtol=RTOL, atol=ATOL)
        assert batch[i].message == single.message


def test_compiled_many_options_and_auto():
    pytest.importorskip("numba")
    from symgd.fast import choice as fast
    obj = symgd.Objective("x^2 + 4*y^2")
    assert descend_many(obj, [[1, 1], [2, 2]]).backend == "numpy"
    early = descend_many(obj, [[1, 1], [2, 2]], lr=[0.1, 5.0], max_iter=10**9)
    assert early.backend == "numpy" and early.counts() == {Status.CONVERGED: 1,
                                                           Status.DIVERGED: 1}
    assert early[1].message == descend(obj, [2, 2], lr=5.0, max_iter=10**9).message
    big = descend_many(obj, [[1, 1], [2, 2]], lr=1e-9, tol=None,
                       max_iter=fast.AUTO_MIN_RUN_STEPS // 2)
    assert big.backend == "numba" and big.compile_time > 0
    assert descend_many(obj, [[1, 1]], step="momentum").backend == "numpy"
    with pytest.raises(InputError, match="'momentum'"):
        descend_many(obj, [[1, 1]], step="momentum", backend="numba")
    a, b = _many_both(obj, [[1, 1], [-1, 3]], [0.1, 0.2], ftol=1e-6, patience=3)
    assert_same_batch(a, b)


def test_compiled_many_with_symgds_own_functions():
    starts = np.random.default_rng(8).uniform(-3, 3, size=(30, 2))
    a, b = _many_both("softplus(x - 1) + sigmoid(y) + relu(x*y) + 0.1*y^2", starts, 0.2,
                      max_iter=500, history=True)
    assert_same_batch(a, b, rtol=1e-9)


@pytest.mark.parametrize("text, lr", [("1e200*(x^2 + y^2)", 1e-201), ("1e-200*(x^2 + y^2)", 1e199),
                                      ("1e-160*(x^2 + y^2 + z^2)", 1e159)])
def test_gradient_norms_whose_squares_overflow_or_underflow(text, lr):
    # |g| is near 1e200 or 1e-200: its square is outside the float range
    a, b = _both(text, [1.0, -2.0, 0.5][:text.count("^")], lr, max_iter=50)
    assert_same_result(a, b)
    assert np.isfinite(b.history.grad_norm).all() and (b.history.grad_norm > 0).all()
    starts = [[1.0, -2.0, 0.5][:text.count("^")], [3.0, 1.0, -1.0][:text.count("^")]]
    a, b = _many_both(text, starts, lr, max_iter=50, history=True)
    assert_same_batch(a, b)
