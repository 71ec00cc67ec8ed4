"""Tests of symgd.descend: the loop, its stopping rules, History and Result."""

from __future__ import annotations

import inspect
import json
import math
import traceback
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import rosen, rosen_der

import symgd
import symgd.descent.codegen
from symgd import (History, InputError, InputTypeError, Iterate, Objective, Result,
                   Status, StepRule, SymgdError, descend)
from symgd._text import number
from symgd.descent import FAST_PATH_MAX_VARIABLES, Limits, get_rule
from symgd.descent.loop import run

from oracles import BOWL


def hand_loop(x, y, lr, steps):
    """x_{t+1} = x_t - lr * (2x + y, x + 2y), written out by hand."""
    points = [(x, y)]
    for _ in range(steps):
        gx, gy = 2 * x + y, x + 2 * y
        x, y = x - lr * gx, y - lr * gy
        points.append((x, y))
    return np.array(points)


def run_loop(obj, x0, fast, lr=0.1, callback=None, keep=True, max_iter=1000, tol=1e-8,
             ftol=0.0, patience=20, rule=None):
    rule = rule or get_rule("fixed", lr)
    return run(obj, rule, np.asarray(x0, dtype=float), Limits(max_iter, tol, ftol, patience),
               fast=fast, callback=callback, keep=keep)


# ------------------------------------------------------------ seed lesson

def test_bowl_converges_to_origin():
    res = descend(BOWL, [1, 1], lr=0.1)
    assert isinstance(res, Result)
    assert res.status == Status.CONVERGED == 0
    assert res.success is True
    np.testing.assert_allclose(res.x, [0, 0], atol=1e-6)
    assert abs(res.fun) < 1e-12
    assert np.linalg.norm(res.jac) <= 1e-8
    assert res.names == ("x", "y")
    assert res.point == {"x": res.x[0], "y": res.x[1]}
    assert "Converged" in res.message and str(res.nit) in res.message


def test_bowl_iterates_equal_hand_written_loop():
    res = descend(BOWL, [1, 1], lr=0.1)
    expected = hand_loop(1.0, 1.0, 0.1, res.nit)
    assert res.history.x.shape == expected.shape == (res.nit + 1, 2)
    for k in range(len(res.history)):
        np.testing.assert_allclose(res.history.x[k], expected[k], rtol=0, atol=1e-15)
    np.testing.assert_allclose(res.x, expected[-1], rtol=0, atol=1e-15)


def test_bowl_too_large_step_diverges_and_mentions_bound():
    res = descend(BOWL, [1, 1], lr=0.7)
    assert res.status == Status.DIVERGED
    assert res.success is False
    assert "2/3" in res.message
    assert "Diverged" in res.message
    # the loss really grew
    assert res.fun > res.history.loss[0]


def test_bowl_just_below_bound_converges():
    res = descend(BOWL, [1, 1], lr=0.66, max_iter=5000)
    assert res.status == Status.CONVERGED
    assert res.success
    np.testing.assert_allclose(res.x, [0, 0], atol=1e-6)


def test_bowl_just_above_bound_diverges():
    res = descend(BOWL, [1, 1], lr=0.67, max_iter=100_000)
    assert res.status == Status.DIVERGED
    assert not res.success
    assert "2/3" in res.message
    assert "above" in res.message


def test_patience_controls_divergence_detection():
    res = descend(BOWL, [1, 1], lr=0.7, patience=5)
    assert res.status == Status.DIVERGED
    assert res.nit == 5
    assert len(res.history) == 6


# ------------------------------------------------------------ statuses

def test_status_values():
    assert [int(s) for s in Status] == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert Status.CONVERGED == 0 and Status.MAX_ITER == 1 and Status.SMALL_CHANGE == 2
    assert Status.DIVERGED == 3 and Status.NOT_FINITE == 4 and Status.CALLBACK == 5
    assert Status.LINE_SEARCH_FAILED == 6 and Status.OSCILLATING == 7 and Status.UNBOUNDED == 8


def test_max_iter_status_and_message():
    res = descend(BOWL, [1, 1], lr=0.1, max_iter=5)
    assert res.status == Status.MAX_ITER
    assert res.success is False
    assert res.nit == 5
    assert len(res.history) == 6
    assert "max_iter" in res.message
    assert "more iterations" in res.message


def test_max_iter_zero_takes_no_step():
    res = descend(BOWL, [1, 1], lr=0.1, max_iter=0)
    assert res.status == Status.MAX_ITER
    assert res.nit == 0
    assert len(res.history) == 1
    np.testing.assert_array_equal(res.x, [1, 1])


def test_small_change_status():
    res = descend(BOWL, [1, 1], lr=0.1, ftol=1e-3)
    assert res.status == Status.SMALL_CHANGE
    assert res.success is True
    assert "ftol" in res.message
    # the stopping test really held at the end and not before
    loss = res.history.loss
    scale = max(abs(loss[-2]), abs(loss[-1]), 1.0)
    assert abs(loss[-2] - loss[-1]) <= 1e-3 * scale
    for k in range(1, len(loss) - 1):
        scale = max(abs(loss[k - 1]), abs(loss[k]), 1.0)
        assert abs(loss[k - 1] - loss[k]) > 1e-3 * scale
    # and the run stopped well before the gradient test would have
    assert res.nit < descend(BOWL, [1, 1], lr=0.1).nit


def test_converged_at_start():
    res = descend(BOWL, [0, 0], lr=0.1)
    assert res.status == Status.CONVERGED and res.success
    assert res.nit == 0
    assert len(res.history) == 1
    assert "0 iterations" in res.message


def test_not_finite_when_iterate_leaves_domain():
    res = descend("log(x)", [1], lr=2)
    assert res.status == Status.NOT_FINITE
    assert res.success is False
    assert res.nit == 1
    assert "iteration 1" in res.message
    assert "x = -1" in res.message
    # history kept up to and including the bad point
    assert len(res.history) == 2
    np.testing.assert_array_equal(res.history.x[:, 0], [1.0, -1.0])
    assert res.history.loss[0] == 0.0
    assert math.isnan(res.history.loss[1])
    np.testing.assert_array_equal(res.x, [-1.0])
    assert math.isnan(res.fun)


def test_not_finite_at_start_point():
    res = descend("log(x)", [-1], lr=0.1)
    assert res.status == Status.NOT_FINITE
    assert res.nit == 0
    assert not res.success
    assert "start" in res.message
    assert len(res.history) == 1


@pytest.mark.parametrize("history", [True, False])
def test_overflow_ends_quietly(history):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = descend("x^4", [3], lr=0.1, history=history)
    assert res.status in (Status.DIVERGED, Status.NOT_FINITE)
    assert not res.success
    assert not math.isfinite(res.fun)
    assert res.history.iteration[-1] == res.nit


def test_abs_does_not_raise():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = descend("abs(x)", [1], lr=0.3, max_iter=50)
        at_kink = descend("abs(x)", [0], lr=0.3)
    assert res.status in set(Status)
    assert np.all(np.isfinite(res.history.x))
    assert at_kink.nit == 0


def test_cube_root_leaving_domain_is_not_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = descend("x**(1/3) + x^2", [1], lr=1)
    assert res.status == Status.NOT_FINITE
    assert not res.success
    assert res.history.x[-1, 0] < 0


def test_not_finite_history_false_keeps_bad_point():
    res = descend("log(x)", [1], lr=2, history=False)
    assert res.status == Status.NOT_FINITE
    assert list(res.history.iteration) == [0, 1]
    np.testing.assert_array_equal(res.history.x[:, 0], [1.0, -1.0])


# ------------------------------------------------------------ history

@pytest.mark.parametrize("expr,start,lr,kw", [
    (BOWL, [1, 1], 0.1, {}),
    (BOWL, [1, 1], 0.7, {}),
    (BOWL, [-1, 2], 0.1, {"max_iter": 7}),
    ("(1 - x)^2 + 10*(y - x^2)^2 + z^2", [0.5, -0.3, 2], 0.01, {"max_iter": 50}),
    ("sin(x) + cos(y)", [0.3, 0.2], 0.5, {}),
])
def test_history_rows_match_objective(expr, start, lr, kw):
    obj = Objective(expr)
    res = descend(obj, start, lr=lr, **kw)
    h = res.history
    rows = res.nit + 1
    n = obj.n
    assert isinstance(h, History)
    assert len(h) == rows
    assert h.x.shape == (rows, n) and h.grad.shape == (rows, n)
    assert h.loss.shape == (rows,) and h.grad_norm.shape == (rows,)
    np.testing.assert_array_equal(h.iteration, np.arange(rows))
    np.testing.assert_array_equal(h.x[0], np.asarray(start, dtype=float))
    for k in range(rows):
        assert h.loss[k] == pytest.approx(obj.value(h.x[k]), rel=1e-14, abs=1e-300)
        np.testing.assert_allclose(h.grad[k], obj.grad(h.x[k]), rtol=1e-14, atol=1e-300)
        assert h.grad_norm[k] == pytest.approx(np.linalg.norm(h.grad[k]), rel=1e-14)
    # each step really is x - lr * grad
    np.testing.assert_allclose(h.x[1:], h.x[:-1] - lr * h.grad[:-1], rtol=1e-15, atol=0)
    # the result is the last row
    np.testing.assert_array_equal(res.x, h.x[-1])
    assert res.fun == h.loss[-1]
    np.testing.assert_array_equal(res.jac, h.grad[-1])
    assert h.names == obj.names == res.names


def test_history_array_columns_rows_and_dicts():
    res = descend(BOWL, [1, 1], lr=0.1, max_iter=4)
    h = res.history
    table = np.asarray(h)
    assert table.shape == (5, 2 * 2 + 3)
    assert h.columns == ("iteration", "x", "y", "loss", "df/dx", "df/dy", "grad_norm")
    np.testing.assert_array_equal(table[:, 0], h.iteration)
    np.testing.assert_array_equal(table[:, 1:3], h.x)
    np.testing.assert_array_equal(table[:, 3], h.loss)
    np.testing.assert_array_equal(table[:, 4:6], h.grad)
    np.testing.assert_array_equal(table[:, 6], h.grad_norm)
    rows = h.rows()
    assert len(rows) == 5
    for k, row in enumerate(rows):
        assert isinstance(row[0], int) and row[0] == k
        assert list(row) == pytest.approx(list(table[k]))
    dicts = h.to_dicts()
    assert [tuple(d.values()) for d in dicts] == rows
    assert all(tuple(d) == h.columns for d in dicts)
    json.dumps(dicts)  # plain Python numbers
    assert np.asarray(h, dtype=np.float32).dtype == np.float32


def test_history_indexing_and_iteration():
    res = descend(BOWL, [1, 1], lr=0.1, max_iter=3)
    h = res.history
    last = h[-1]
    assert isinstance(last, Iterate)
    assert last.iteration == 3
    np.testing.assert_array_equal(last.x, res.x)
    assert last.loss == res.fun
    np.testing.assert_array_equal(last.grad, res.jac)
    assert last.grad_norm == h.grad_norm[-1]
    assert [it.iteration for it in h] == [0, 1, 2, 3]
    first = h[0]
    first.x[0] = 99.0  # a copy
    assert h.x[0, 0] == 1.0
    with pytest.raises(IndexError):
        h[4]
    assert "4 rows" in repr(h)


@pytest.mark.parametrize("expr,start,lr,kw", [
    (BOWL, [1, 1], 0.1, {}),
    (BOWL, [1, 1], 0.7, {}),
    (BOWL, [1, 1], 0.1, {"max_iter": 9}),
    (BOWL, [1, 1], 0.1, {"ftol": 1e-4}),
])
def test_history_false_keeps_first_and_last(expr, start, lr, kw):
    full = descend(expr, start, lr=lr, **kw)
    short = descend(expr, start, lr=lr, history=False, **kw)
    assert len(short.history) == 2
    assert list(short.history.iteration) == [0, full.nit]
    assert short.nit == full.nit and short.status == full.status
    np.testing.assert_array_equal(short.x, full.x)
    assert short.fun == full.fun
    np.testing.assert_array_equal(short.jac, full.jac)
    np.testing.assert_array_equal(short.history.x[0], full.history.x[0])
    np.testing.assert_array_equal(short.history.x[-1], full.history.x[-1])
    assert short.message == full.message
    # the table shows the real iteration numbers
    assert short.table().splitlines()[-1].split()[0] == str(full.nit)


def test_result_to_dict_is_json_ready():
    res = descend(BOWL, [1, 1], lr=0.1)
    d = res.to_dict()
    assert set(d) == {"x", "fun", "jac", "nit", "nfev", "njev", "nhev", "success", "status",
                      "message"}
    assert d["x"] == res.point
    assert d["nit"] == res.nit and d["status"] == 0 and d["success"] is True
    assert json.loads(json.dumps(d)) == d
    bad = descend("log(x)", [-1]).to_dict()
    assert bad["fun"] is None
    assert bad["status"] == Status.NOT_FINITE
    json.dumps(bad, allow_nan=False)
    assert "success" in repr(res) and repr(res).startswith("<Result: ")
    assert "\n" not in repr(res)


# ------------------------------------------------------------ callback

def test_callback_receives_every_iteration():
    seen = []
    res = descend(BOWL, [1, 1], lr=0.1, max_iter=10, callback=seen.append)
    assert res.status == Status.MAX_ITER
    assert [it.iteration for it in seen] == list(range(11))
    for it in seen:
        assert isinstance(it, Iterate)
        k = it.iteration
        np.testing.assert_array_equal(it.x, res.history.x[k])
        assert it.loss == res.history.loss[k]
        np.testing.assert_array_equal(it.grad, res.history.grad[k])
        assert it.grad_norm == res.history.grad_norm[k]
    expected = hand_loop(1.0, 1.0, 0.1, 10)
    np.testing.assert_allclose([it.x for it in seen], expected, rtol=0, atol=1e-15)


def test_callback_true_stops_run():
    res = descend(BOWL, [1, 1], lr=0.1, callback=lambda it: it.iteration == 5)
    assert res.status == Status.CALLBACK
    assert res.success is False
    assert res.nit == 5
    assert len(res.history) == 6
    assert "callback" in res.message and "5" in res.message
    np.testing.assert_allclose(res.x, hand_loop(1.0, 1.0, 0.1, 5)[-1], rtol=0, atol=1e-15)


def test_callback_stop_iteration_stops_run():
    def cb(it):
        if it.iteration == 3:
            raise StopIteration
    res = descend(BOWL, [1, 1], lr=0.1, callback=cb)
    assert res.status == Status.CALLBACK
    assert res.nit == 3


def test_callback_arrays_are_copies():
    def cb(it):
        it.x[:] = 1e6
        it.grad[:] = -1e6
    res = descend(BOWL, [1, 1], lr=0.1, callback=cb)
    plain = descend(BOWL, [1, 1], lr=0.1)
    assert res.status == Status.CONVERGED
    np.testing.assert_array_equal(res.history.x, plain.history.x)
    np.testing.assert_array_equal(res.x, plain.x)


def test_callback_other_exception_propagates():
    def cb(it):
        raise RuntimeError("from the callback")
    with pytest.raises(RuntimeError, match="from the callback"):
        descend(BOWL, [1, 1], lr=0.1, callback=cb)


@pytest.mark.parametrize("exc", [ValueError, ZeroDivisionError, TypeError])
@pytest.mark.parametrize("fast", [True, False])
def test_callback_errors_are_not_reported_as_not_finite(exc, fast):
    def cb(it):
        if it.iteration == 3:
            raise exc("from the callback")
    with pytest.raises(exc, match="from the callback"):
        run_loop(Objective(BOWL), [1, 1], fast, callback=cb)


# ------------------------------------------------------------ inputs

@pytest.mark.parametrize("lr,error,word", [
    (0, InputError, "lr"),
    (-0.1, InputError, "lr"),
    (float("nan"), InputError, "lr"),
    (float("inf"), InputError, "lr"),
    ("0.1", InputTypeError, "lr"),
    (None, InputTypeError, "lr"),
    (True, InputTypeError, "lr"),
])
def test_bad_lr(lr, error, word):
    with pytest.raises(error, match=word):
        descend(BOWL, [1, 1], lr=lr)


@pytest.mark.parametrize("kw,error,word", [
    ({"max_iter": -1}, InputError, "max_iter"),
    ({"max_iter": 10.0}, InputTypeError, "max_iter"),
    ({"max_iter": 1.5}, InputTypeError, "max_iter"),
    ({"max_iter": True}, InputTypeError, "max_iter"),
    ({"tol": -1e-3}, InputError, "tol"),
    ({"tol": float("nan")}, InputError, "tol"),
    ({"tol": "abc"}, InputTypeError, "tol"),
    ({"ftol": -1}, InputError, "ftol"),
    ({"ftol": float("inf")}, InputError, "ftol"),
    ({"patience": 0}, InputError, "patience"),
    ({"step": "steepest"}, InputError, "adam, backtracking, exact, fixed"),
    ({"step": 3}, InputError, "step rule"),
])
def test_bad_limits(kw, error, word):
    with pytest.raises(error, match=word):
        descend(BOWL, [1, 1], lr=0.1, **kw)


@pytest.mark.parametrize("start,error,word", [
    ([1, 2, 3], InputError, "3 values"),
    ([1], InputError, "1 value"),
    ([1, float("nan")], InputError, "finite"),
    ([float("inf"), 1], InputError, "finite"),
    ("abc", InputTypeError, "start"),
    ([1, "a"], InputTypeError, "start"),
    (1 + 2j, InputTypeError, "start"),
    ({"x": 1}, InputError, "lacks"),
    ({"x": 1, "y": 2, "w": 3}, InputError, "unknown"),
    ([[1, 2]], InputError, "start"),
])
def test_bad_start(start, error, word):
    with pytest.raises(error, match=word):
        descend(BOWL, start, lr=0.1)


def test_errors_are_symgd_and_builtin():
    assert issubclass(InputError, SymgdError) and issubclass(InputError, ValueError)
    assert issubclass(InputTypeError, SymgdError) and issubclass(InputTypeError, TypeError)
    with pytest.raises(ValueError):
        descend(BOWL, [1, 1], lr=-1)
    with pytest.raises(TypeError):
        descend(BOWL, [1, 1], lr="fast")


def test_start_dict_and_scalar():
    ref = descend(BOWL, [1.5, 1.5], lr=0.1)
    as_dict = descend(BOWL, {"y": 1.5, "x": 1.5}, lr=0.1)
    scalar = descend(BOWL, 1.5, lr=0.1)
    for res in (as_dict, scalar):
        np.testing.assert_array_equal(res.history.x, ref.history.x)
    asym = descend(BOWL, {"y": 2, "x": -1}, lr=0.1, max_iter=0)
    np.testing.assert_array_equal(asym.x, [-1, 2])


def test_start_is_not_modified():
    start = np.array([1.0, -2.0])
    lst = [1.0, -2.0]
    descend(BOWL, start, lr=0.1)
    descend(BOWL, lst, lr=0.1)
    np.testing.assert_array_equal(start, [1.0, -2.0])
    assert lst == [1.0, -2.0]


def test_objective_kinds_and_variables_constants():
    x, y = sp.symbols("x y")
    by_text = descend(BOWL, [1, 1], lr=0.1)
    by_sympy = descend(x**2 + x * y + y**2, [1, 1], lr=0.1)
    by_func = descend(lambda x, y: x**2 + x * y + y**2, [1, 1], lr=0.1)
    for res in (by_sympy, by_func):
        np.testing.assert_array_equal(res.history.x, by_text.history.x)
    const = descend("a*x^2", [1], lr=0.1, constants={"a": 2}, max_iter=1)
    np.testing.assert_allclose(const.x, [1 - 0.1 * 4])
    ordered = descend("x^2 + 3*y^2", [1, 2], lr=0.1, variables=["y", "x"], max_iter=0)
    assert ordered.names == ("y", "x")
    assert ordered.point == {"y": 1.0, "x": 2.0}


# ------------------------------------------------------------ fast vs general path

@pytest.mark.parametrize("expr,start,lr,kw", [
    (BOWL, [1, 1], 0.1, {}),
    (BOWL, [1, 1], 0.7, {}),
    (BOWL, [1, 1], 0.1, {"ftol": 1e-5}),
    ("(1 - x)^2 + 100*(y - x^2)^2", [-1.2, 1], 1e-3, {"max_iter": 300}),
    ("exp(x) + exp(-y) + x*y", [0.5, 0.1], 0.05, {"max_iter": 300}),
    ("log(x)", [1], 2, {}),
    ("x^4", [3], 0.1, {}),
    ("x**(1/3) + x^2", [1], 1, {}),
])
@pytest.mark.parametrize("keep", [True, False])
def test_fast_and_general_paths_agree(expr, start, lr, kw, keep):
    obj = Objective(expr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast = run_loop(obj, start, True, lr=lr, keep=keep, **kw)
        general = run_loop(obj, start, False, lr=lr, keep=keep, **kw)
    assert fast.status == general.status
    assert fast.nit == general.nit
    assert fast.message == general.message
    np.testing.assert_array_equal(fast.history.iteration, general.history.iteration)
    np.testing.assert_allclose(np.asarray(fast.history), np.asarray(general.history),
                               rtol=1e-12, atol=1e-12, equal_nan=True)


def test_general_path_used_above_threshold_matches_closed_form():
    n = 40
    assert n > FAST_PATH_MAX_VARIABLES
    coef = np.arange(1, n + 1) / 10.0
    expr = " + ".join(f"{float(c)!r}*x{i}^2" for i, c in enumerate(coef, 1))
    obj = Objective(expr)
    assert obj.names == tuple(f"x{i}" for i in range(1, n + 1))
    x0 = np.linspace(-1, 1, n)
    lr = 0.1
    res = descend(obj, x0, lr=lr, max_iter=60)
    assert res.nit == 60 and res.status == Status.MAX_ITER
    t = np.arange(61)[:, None]
    expected = (1 - 2 * lr * coef)[None, :] ** t * x0[None, :]
    np.testing.assert_allclose(res.history.x, expected, rtol=1e-12, atol=1e-14)
    # the forced fast loop on the same 40-variable objective gives the same iterates
    fast = run_loop(obj, x0, True, lr=lr, max_iter=60)
    np.testing.assert_allclose(np.asarray(fast.history), np.asarray(res.history),
                               rtol=1e-12, atol=1e-14)
    # and it converges given enough steps
    done = descend(obj, x0, lr=lr, max_iter=5000, history=False)
    assert done.success and done.status == Status.CONVERGED
    assert np.linalg.norm(done.jac) <= 1e-8
    np.testing.assert_allclose(done.x, 0, atol=1e-6)


def test_custom_step_rule_uses_general_path():
    seen = []

    def init(x0):
        return 0

    def update(g, state, x):
        seen.append(state)
        return 0.1 * g, state + 1

    rule = StepRule("plain", init, update, 0.1)
    res = descend(BOWL, [1, 1], step=rule, max_iter=10)
    np.testing.assert_allclose(res.history.x, hand_loop(1.0, 1.0, 0.1, 10), rtol=0, atol=1e-15)
    assert seen[:11] == list(range(11))


def test_general_path_overflow_is_quiet():
    expr = " + ".join(f"x{i}^2" for i in range(1, 41))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast = descend("x^2 + y^2", 1.0, lr=1e200)
        res = descend(expr, 1.0, lr=1e200)
    assert fast.status == Status.NOT_FINITE
    assert res.status == Status.NOT_FINITE


@settings(max_examples=30, deadline=None)
@given(c1=st.floats(0.1, 5), c2=st.floats(0.1, 5), b=st.floats(-0.09, 0.09),
       x=st.floats(-10, 10), y=st.floats(-10, 10), lr=st.floats(1e-3, 0.5))
def test_property_fast_general_and_hand_loop_agree(c1, c2, b, x, y, lr):
    # f = c1 x^2 + b x y + c2 y^2 with float coefficients
    X, Y = sp.symbols("x y")
    fc1, fb, fc2 = (sp.Float(v, 17) for v in (c1, b, c2))
    obj = Objective(fc1 * X**2 + fb * X * Y + fc2 * Y**2)
    fast = run_loop(obj, [x, y], True, lr=lr, max_iter=40)
    general = run_loop(obj, [x, y], False, lr=lr, max_iter=40)
    assert fast.status == general.status and fast.nit == general.nit
    np.testing.assert_allclose(np.asarray(fast.history), np.asarray(general.history),
                               rtol=1e-12, atol=1e-12, equal_nan=True)
    # hand-written loop
    px, py = x, y
    for k in range(len(fast.history)):
        assert fast.history.x[k] == pytest.approx([px, py], rel=1e-9, abs=1e-9)
        gx, gy = 2 * c1 * px + b * py, b * px + 2 * c2 * py
        px, py = px - lr * gx, py - lr * gy


# ------------------------------------------------------------ Rosenbrock

def test_rosenbrock_with_scipy_oracle():
    obj = Objective.from_function(rosen, n=2)
    x0 = np.array([-1.2, 1.0])
    np.testing.assert_allclose(obj.grad(x0), rosen_der(x0), rtol=1e-13)
    assert obj.value(x0) == pytest.approx(rosen(x0), rel=1e-14)
    res = descend(obj, x0, lr=1e-3, max_iter=100_000, tol=1e-6, history=False)
    assert res.success and res.status == Status.CONVERGED
    np.testing.assert_allclose(res.x, [1, 1], atol=1e-3)
    np.testing.assert_allclose(res.jac, rosen_der(res.x), rtol=1e-6, atol=1e-12)
    assert res.fun == pytest.approx(rosen(res.x), rel=1e-9, abs=1e-18)
    assert res.names == ("x1", "x2")


def test_public_api_exports():
    for name in ("descend", "Result", "History", "Iterate", "Status", "Objective",
                 "InputError", "InputTypeError", "SymgdError"):
        assert hasattr(symgd, name)


def test_callback_sees_the_final_iterate_of_a_converged_run():
    seen = []
    res = descend(BOWL, [1, 1], lr=0.1, callback=seen.append)
    assert res.status == Status.CONVERGED
    assert [it.iteration for it in seen] == list(range(res.nit + 1))
    np.testing.assert_array_equal(seen[-1].x, res.x)


def test_callback_true_on_the_converged_iterate_keeps_converged_status():
    res = descend(BOWL, [1, 1], lr=0.1, callback=lambda it: True, max_iter=0, tol=1e9)
    assert res.status == Status.CONVERGED and res.success


@pytest.mark.parametrize("start", [None, "1", ["1", "2"], [1, None]])
def test_start_that_is_not_numbers_is_a_type_error(start):
    with pytest.raises(InputTypeError):
        descend(BOWL, start, lr=0.1)


@pytest.mark.parametrize("name", ["tol", "ftol"])
def test_tolerances_given_as_text_are_type_errors(name):
    with pytest.raises(InputTypeError):
        descend(BOWL, [1, 1], lr=0.1, **{name: "0.1"})


# ------------------------------------------------------------ stop messages and limits

PATHS = {"fast": {}, "general": {"step": "momentum", "beta": 0.0}}


@pytest.mark.parametrize("path", PATHS)
def test_overflow_divergence_names_the_iteration_and_the_point(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = descend("x^4", [10.0], lr=1.0, max_iter=500, **PATHS[path])
    assert res.status == Status.DIVERGED and not res.success
    assert res.nit == 4 and len(res.history) == 5
    assert "overflowed at iteration 4" in res.message
    assert f"x = (x = {res.x[0]:.6g})" in res.message
    assert "try" in res.message.lower()


@pytest.mark.parametrize("path", PATHS)
def test_division_by_zero_after_rises_says_undefined_not_unbounded(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = descend("x^2 + 1/x", [1.0], lr=0.5, max_iter=500, **PATHS[path])
    assert res.status == Status.DIVERGED
    assert res.nit == 7 and res.x.tolist() == [0.0]
    assert math.isinf(res.fun)
    assert "iteration 7, x = (x = 0)" in res.message
    assert "undefined" in res.message and "division by zero" in res.message
    assert "grew without bound" not in res.message
    assert "try" in res.message.lower()


def test_fast_and_general_paths_give_the_same_fault_messages():
    for text, start, lr in [("x^4", [10.0], 1.0), ("x^2 + 1/x", [1.0], 0.5),
                            ("log(x)", [-1.0], 0.1), ("-exp(x)", [1.0], 1000.0)]:
        obj = Objective(text)
        fast = run_loop(obj, start, True, lr=lr)
        general = run_loop(obj, start, False, lr=lr)
        assert (fast.status, fast.nit, fast.message) == \
            (general.status, general.nit, general.message)


@pytest.mark.parametrize("text, start, lr, kw, status", [
    ("log(x)", [-1.0], 0.1, {}, Status.NOT_FINITE),                 # outside the domain
    ("log(x)", [1.0], 2.0, {}, Status.NOT_FINITE),                  # leaves the domain
    ("sqrt(x)", [1.0], 2.0, {}, Status.NOT_FINITE),                 # infinite gradient
    ("-exp(x)", [1.0], 1000.0, {}, Status.NOT_FINITE),              # falls to -inf
    ("x^4", [10.0], 1.0, {}, Status.DIVERGED),                      # overflow
    ("x^2 + 1/x", [1.0], 0.5, {}, Status.DIVERGED),                 # pole
    (BOWL, [1, 1], 0.7, {}, Status.DIVERGED),                       # rises
    ("3*x^2 - y^2", [1, 1e-3], 0.7, {}, Status.DIVERGED),           # indefinite
    (BOWL, [1, 1], 1.5, {"step": "momentum"}, Status.DIVERGED),
    (BOWL, [1, 1], 0.01, {"max_iter": 5}, Status.MAX_ITER),
    ("-x^2", [1.0], 0.1, {"max_iter": 50}, Status.MAX_ITER),
    ("2*x - y", [0, 0], 0.1, {}, Status.DIVERGED),                  # linear
])
def test_every_failure_message_says_what_to_try(text, start, lr, kw, status):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = descend(text, start, lr=lr, **kw)
    assert res.status == status and not res.success, res.message
    assert "try" in res.message.lower(), res.message
    for name, value in zip(res.names, res.x):
        assert f"{name} = {number(value)}" in res.message or status == Status.MAX_ITER


def test_nan_at_the_start_point_says_to_start_inside_the_domain():
    res = descend("log(x)", [-1.0], lr=0.1)
    assert res.status == Status.NOT_FINITE and res.nit == 0
    assert "Try a start point inside the objective's domain" in res.message


def test_loss_falling_to_minus_infinity_says_unbounded_below():
    res = descend("-exp(x)", [1.0], lr=1000.0)
    assert res.status == Status.NOT_FINITE and res.nit == 1
    assert "unbounded below" in res.message and "iteration 1" in res.message
    log0 = descend("log(x)", [1.0], lr=1.0)          # lands on 0 exactly: a pole, not
    assert log0.x.tolist() == [0.0]                   # a fall without bound
    assert log0.status == Status.NOT_FINITE and "unbounded" not in log0.message


def test_indefinite_quadratic_advice_says_there_is_no_minimum():
    res = descend("x^2 - y^2", [1, 1], lr=0.1, max_iter=50)
    assert res.status == Status.MAX_ITER
    assert "unbounded below" in res.message and "more iterations will not help" in res.message
    semidefinite = descend("(x + y)^2", [1, 0], lr=0.01, max_iter=5)
    assert "unbounded" not in semidefinite.message


# ------------------------------------------------------------ linear objectives

@pytest.mark.parametrize("step", ["fixed", "momentum", "adam", "backtracking", "newton"])
def test_linear_objective_stops_at_once_without_a_step(step):
    seen = []
    res = descend("2*x - 3*y + 1", [1, 1], lr=0.1, step=step, max_iter=10**12,
                  callback=seen.append)
    assert res.status == Status.DIVERGED and not res.success
    assert res.nit == 0 and len(res.history) == 1 and len(seen) == 1
    np.testing.assert_array_equal(res.x, [1, 1])
    np.testing.assert_array_equal(res.jac, [2, -3])
    assert "the objective is linear, so it has no minimum" in res.message
    assert "every step forever" in res.message and "Try" in res.message
    assert "x = (x = 1, y = 1)" in res.message
    if step == "fixed":
        assert "by lr·|∇f|² = 1.3 every step" in res.message


@pytest.mark.parametrize("text", ["x", "(x + 1)^2 - x^2", "(x + 1)*(x - 1) - x^2 + y"])
def test_linear_objectives_written_in_many_ways_are_detected(text):
    res = descend(text, 1.0, max_iter=10**12)
    assert res.status == Status.DIVERGED and res.nit == 0
    assert "linear" in res.message


def test_linear_detection_uses_a_hessian_already_built():
    obj = Objective("x + y")
    assert obj.is_quadratic          # builds and caches the (zero) Hessian
    res = descend(obj, [0, 0], max_iter=10**12)
    assert res.status == Status.DIVERGED and res.nit == 0


@pytest.mark.parametrize("text", ["x^2 + x", "x^3", "exp(x) + x", "x*y", "abs(x) + x"])
def test_objectives_that_are_not_linear_run_as_usual(text):
    res = descend(text, [0.5] * Objective(text).n, lr=0.01, max_iter=20)
    assert res.nit > 0 and "linear" not in res.message


def test_linear_objective_still_honours_tol_and_max_iter_zero():
    flat = descend("1e-10*x", 1.0)
    assert flat.status == Status.CONVERGED and flat.success and flat.nit == 0
    none = descend("x", 1.0, max_iter=0)
    assert none.status == Status.MAX_ITER and none.nit == 0


def test_cli_descend_of_a_linear_objective_with_a_huge_max_iter_exits_1():
    import io
    from symgd.cli import main
    out, err = io.StringIO(), io.StringIO()
    code = main(["descend", "x", "--start", "1", "--max-iter", str(10**12)], out=out, err=err)
    assert code == 1, err.getvalue()
    assert "linear" in out.getvalue()


# ------------------------------------------------------------ bounded history

def test_history_cap_keeps_every_row_of_a_million_step_run():
    from symgd.descent.codegen import HISTORY_MAX_VALUES, history_cap
    assert HISTORY_MAX_VALUES // 4 == 1_000_000
    assert history_cap(1) > 1_000_001 and history_cap(1) % 2 == 0
    assert history_cap(2) == 666_668
    assert history_cap(10**7) == 4


@pytest.mark.parametrize("fast", [True, False])
def test_long_runs_thin_the_history_to_bounded_memory(monkeypatch, fast):
    obj = Objective("-log(x)")                    # unbounded below, slowly: no test fires
    full = run_loop(obj, [1.0], fast, lr=0.01, max_iter=1000)
    assert len(full.history) == 1001 and full.history.stride == 1
    monkeypatch.setattr(symgd.descent.codegen, "HISTORY_MAX_VALUES", 40)   # cap: 12 rows, n = 1
    seen = []
    res = run_loop(obj, [1.0], fast, lr=0.01, max_iter=1000, callback=seen.append)
    hist = res.history
    assert res.status == Status.MAX_ITER and res.nit == 1000 and len(seen) == 1001
    assert 2 <= len(hist) <= 12
    stride = hist.stride
    assert stride > 1 and stride & (stride - 1) == 0          # a power of two
    it = hist.iteration
    assert it[0] == 0 and it[-1] == 1000
    np.testing.assert_array_equal(it[:-1], np.arange(len(it) - 1) * stride)
    np.testing.assert_array_equal(np.asarray(hist), np.asarray(full.history)[it])
    np.testing.assert_array_equal(hist.x[-1], res.x)
    assert f"multiples of {stride}" in res.message and "memory" in res.message
    assert res.message.startswith(full.message)


@pytest.mark.parametrize("fast", [True, False])
def test_thinned_history_keeps_the_bad_last_point(monkeypatch, fast):
    obj = Objective("x^2 + 1/x")
    full = run_loop(obj, [1.0], fast, lr=0.5)
    monkeypatch.setattr(symgd.descent.codegen, "HISTORY_MAX_VALUES", 4)    # cap: 4 rows
    res = run_loop(obj, [1.0], fast, lr=0.5)
    assert (res.status, res.nit) == (full.status, full.nit) == (Status.DIVERGED, 7)
    assert len(res.history) <= 4 and res.history.iteration[-1] == 7
    np.testing.assert_array_equal(np.asarray(res.history),
                                  np.asarray(full.history)[res.history.iteration])
    assert math.isinf(res.history.loss[-1])


def test_runs_below_the_cap_and_history_false_are_unchanged(monkeypatch):
    monkeypatch.setattr(symgd.descent.codegen, "HISTORY_MAX_VALUES", 40)   # 10 steps keep all rows
    res = descend("-log(x)", 1.0, lr=0.01, max_iter=10)
    assert len(res.history) == 11 and res.history.stride == 1
    assert list(res.history.iteration) == list(range(11))
    assert "memory" not in res.message
    short = descend("-log(x)", 1.0, lr=0.01, max_iter=1000, history=False)
    assert list(short.history.iteration) == [0, 1000] and "memory" not in short.message


# ------------------------------------------------------------ advice stays cheap

def test_max_iter_advice_on_a_power_tower_returns_without_a_hessian():
    obj = Objective("^".join(["x"] * 60))
    res = descend(obj, 0.5, lr=0.01, max_iter=10)
    assert res.status == Status.MAX_ITER and res.nit == 10
    assert "Try more iterations" in res.message
    assert "_hessian" not in vars(obj) and "is_quadratic" not in vars(obj)


@pytest.mark.parametrize("step", ["momentum", "adam"])
def test_general_path_does_not_build_the_hessian(step):
    obj = Objective("^".join(["x"] * 12))
    res = descend(obj, 0.5, lr=0.01, max_iter=10, step=step)
    assert res.status == Status.MAX_ITER
    assert "_hessian" not in vars(obj)


def test_advice_that_fails_gives_generic_advice(monkeypatch):
    import symgd.analysis.bounds

    def broken(*args, **kwargs):
        raise symgd.ObjectiveError("too deeply nested to differentiate")

    monkeypatch.setattr(symgd.analysis.bounds, "step_size_bound", broken)
    res = descend(BOWL, [1, 1], lr=0.01, max_iter=5)
    assert res.status == Status.MAX_ITER
    assert res.message.endswith("Try more iterations (max_iter), a larger lr, or a looser tol.")
    diverged = descend(BOWL, [1, 1], lr=0.7)
    assert diverged.status == Status.DIVERGED and "10 times smaller" in diverged.message


def test_quadratic_max_iter_advice_still_names_the_fastest_step():
    res = descend(BOWL, [1, 1], lr=0.01, max_iter=5)
    assert "fastest fixed step is lr = 1/2" in res.message


def test_stop_messages_shorten_points_with_many_variables():
    expr = " + ".join(f"x{i}^2" for i in range(1, 41))
    res = descend(expr, 1.0, lr=2.0)
    assert res.status == Status.DIVERGED
    assert "x6 = " in res.message and "x7 = " not in res.message
    assert "; 40 coordinates)" in res.message


# ------------------------------------------------------------ generated code is visible

def generated_frames(err: BaseException) -> list:
    return [frame for frame in traceback.extract_tb(err.__traceback__)
            if frame.filename.startswith("<symgd descent loop ")]


def test_traceback_through_the_generated_loop_shows_its_lines():
    def cb(it):
        raise RuntimeError("from the callback")
    with pytest.raises(RuntimeError) as info:
        descend(Objective(BOWL), [1, 1], lr=0.1, callback=cb)
    frames = generated_frames(info.value)
    assert len(frames) == 1
    assert frames[0].line.startswith("stop = callback is not None and callback(it, (_v0, _v1,")


def test_an_error_raised_in_the_generated_loop_points_at_its_line():
    def bad_advance(x):
        return (1.0, "not a number", *x)
    with pytest.raises(TypeError) as info:
        run(Objective("x"), get_rule("fixed", 0.1), np.array([1.0]),
            Limits(10, 1e-8, 0.0, 20), fast=False, advance=bad_advance)
    frames = generated_frames(info.value)
    assert frames and frames[-1] == traceback.extract_tb(info.value.__traceback__)[-1]
    assert frames[-1].line == "gn = hypot(*out[1:n1])"


def test_inspect_shows_the_generated_source_with_the_objective_inlined():
    obj = Objective(BOWL)
    loop = symgd.descent.codegen.fast_loop(obj)
    source = inspect.getsource(loop)
    assert source.startswith("def loop(")
    assert "f = _v0**2 + _v0*_v1 + _v1**2" in source
    assert "_v0 = _v0 - lr * _g0" in source
    assert inspect.getsourcefile(loop).startswith("<symgd descent loop ")
