"""Every stop tells the truth: each Status, in each loop that can reach it
(the generated loop, the general loop, descend_many), ends with a message
whose advice fits what happened."""

from __future__ import annotations

import time
import warnings
from typing import Any, NamedTuple

import numpy as np
import pytest
from scipy.special import expit

import symgd
from symgd import Objective, Status, descend, descend_many
from symgd.descent import check_limits, get_rule
from symgd.descent.loop import run

from oracles import BOWL


def _logistic_fit() -> Objective:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 2))
    y = (rng.random(400) < expit(X @ [1.5, -2.0] + 0.3)).astype(float)
    return symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", {"x1": X[:, 0], "x2": X[:, 1], "y": y})


LOGISTIC = _logistic_fit()


class Case(NamedTuple):
    objective: Any
    start: list
    lr: float
    options: dict
    status: Status
    says: tuple            # phrases the message must hold
    loops: tuple           # "fast", "general", "many"
    never: tuple = ("a larger lr",)   # phrases it must not hold


ALL = ("fast", "general", "many")
CASES = {
    "converged": Case(BOWL, [1, 1], 0.1, {}, Status.CONVERGED, ("Converged", "tol = 1e-08"),
                      ALL),
    "small change": Case(BOWL, [1, 1], 0.1, {"ftol": 1e-3}, Status.SMALL_CHANGE,
                         ("ftol = 0.001",), ALL),
    "max_iter": Case(BOWL, [1, 1], 0.01, {"max_iter": 5}, Status.MAX_ITER,
                     ("max_iter = 5", "fastest fixed step is lr = 1/2"), ALL, ()),
    "diverged": Case(BOWL, [1, 1], 0.7, {}, Status.DIVERGED,
                     ("Diverged", "2/λmax = 2/3", "Try lr = 1/2"), ALL),
    "rose above the start": Case(LOGISTIC, [0, 0, 0], 30.0, {"max_iter": 300},
                                 Status.DIVERGED,
                                 ("rose above its start", "0.693147", "1.11742",
                                  "iterates oscillate at that level",
                                  "more iterations will not help", "lr < 6.98",
                                  "Try lr = 1.7 or smaller"), ("fast", "general")),
    "not finite": Case("log(x)", [1], 2.0, {}, Status.NOT_FINITE,
                       ("nan", "smaller lr"), ALL),
    "callback": Case(BOWL, [1, 1], 0.1, {"callback": lambda info: info.iteration == 3},
                     Status.CALLBACK, ("callback at iteration 3",), ("fast", "general")),
    "line search": Case("1e30*(x^2 + y^2)", [1, 1], 1.0,
                        {"step": "backtracking", "max_iter": 5000},
                        Status.LINE_SEARCH_FAILED,
                        ("line search (backtracking rule) found no decrease along −∇f",
                         "iteration 0", "(x = 1, y = 1)", "much smaller lr (about |x|/|∇f| = 5e-31)",
                         "rescale"), ("general",)),
    # which start ends on a line search that finds no decrease depends on the last
    # bits of the value (evaluated alone since the line search stopped paying for
    # the gradient): from (0, 1) it does, at the maximum of x1*x2*(72-2*x1-2*x2)
    "newton line search": Case("-x1*x2*(72-2*x1-2*x2)", [0, 1], 0.1, {"step": "newton"},
                               Status.LINE_SEARCH_FAILED,
                               ("line search (newton rule)", "Newton direction",
                                "probably a minimum to machine precision", "looser tol"),
                               ("general",)),
    "step below precision": Case(BOWL, [1, 1], 0.1,
                                 {"schedule": "exponential", "decay": 0.01},
                                 Status.LINE_SEARCH_FAILED,
                                 ("fixed step no longer changes the point",
                                  "decayed to 0"), ("general",), ()),
    "at the bound": Case(BOWL, [1, 1], 2 / 3, {}, Status.OSCILLATING,
                         ("lr = 0.6667 is at 2/λmax = 2/3",
                          "oscillate without converging", "try lr = 1/2"), ALL),
    "x^2 at lr 1": Case("x^2", [1], 1.0, {}, Status.OSCILLATING,
                        ("lr = 1 is at 2/λmax = 1", "try lr = 1/2"), ALL),
    "kink": Case("abs(x)", [1], 0.3, {}, Status.OSCILLATING,
                 ("no curvature", "kink", "decreasing schedule"), ALL),
    "unbounded cubic": Case("-x1*x2*(72-2*x1-2*x2)", [-10, 5], 1.0, {"step": "newton"},
                            Status.UNBOUNDED,
                            ("unbounded below along the path from (x1 = -10, x2 = 5)",
                             "no minimum", "below -1e+100"), ("general",)),
    "unbounded fixed": Case("x^3", [-1], 0.1, {}, Status.UNBOUNDED,
                            ("unbounded below along the path from (x = -1)",
                             "below -1e+100"), ALL),
    "unbounded to -inf": Case("-exp(x)", [1], 1.0, {}, Status.UNBOUNDED,
                              ("unbounded below", "overflowed to -inf"), ALL),
}


def _run(case: Case, loop: str):
    options = dict(case.options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if loop == "fast":
            assert "step" not in options and "schedule" not in options
            return descend(case.objective, case.start, lr=case.lr, **options)
        if loop == "many":
            batch = descend_many(case.objective, [case.start, case.start],
                                 lr=[case.lr, case.lr], **options)
            assert batch.status[0] == batch.status[1]
            return batch[0]
        limits = {k: options.pop(k) for k in ("max_iter", "ftol", "tol") if k in options}
        callback = options.pop("callback", None)
        obj = case.objective if isinstance(case.objective, Objective) \
            else Objective(case.objective)
        rule = get_rule(options.pop("step", "fixed"), case.lr, **options)
        checked = check_limits(limits.get("max_iter", 1000), limits.get("tol", 1e-8),
                               limits.get("ftol", 0.0), 20)
        return run(obj, rule, obj.point(case.start, "start"), checked, fast=False,
                   callback=callback)


@pytest.mark.parametrize("name, loop", [(name, loop) for name, case in CASES.items()
                                        for loop in case.loops])
def test_every_stop_says_what_happened(name, loop):
    case = CASES[name]
    res = _run(case, loop)
    assert Status(res.status) == case.status, res.message
    assert res.success == (case.status in (Status.CONVERGED, Status.SMALL_CHANGE))
    for phrase in case.says:
        assert phrase in res.message, (phrase, res.message)
    for phrase in case.never:
        assert phrase not in res.message, (phrase, res.message)


def test_every_status_has_a_case():
    covered = {case.status for case in CASES.values()}
    assert covered == set(Status)
    for status in Status:
        loops = {loop for case in CASES.values() if case.status == status for loop in case.loops}
        assert "general" in loops, status


def test_a_failed_line_search_stops_at_once():
    start = time.perf_counter()
    res = descend("1e30*(x^2 + y^2)", [1, 1], step="backtracking", lr=1.0, max_iter=5000)
    assert res.nit == 0 and time.perf_counter() - start < 2.0
    assert res.status == Status.LINE_SEARCH_FAILED and not res.success
    np.testing.assert_array_equal(res.x, [1.0, 1.0])


def test_a_line_search_that_still_moves_is_not_stopped():
    res = descend(BOWL, [1, 1], step="backtracking", lr=1.0)
    assert res.status == Status.CONVERGED
    res = descend("(x - 1)^2 + 10*(y - x^2)^2", [-1, 1], step="newton")
    assert res.status == Status.CONVERGED and np.allclose(res.x, 1)


def test_a_max_iter_run_that_ends_above_its_start_is_diverging():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = descend("log(1 + x^2)", [0.5], lr=2.5, max_iter=200)
        many = descend_many("log(1 + x^2)", [[0.5]], lr=2.5, max_iter=200)
    assert res.status == Status.DIVERGED == many.status[0]
    for text in (res.message, many[0].message):
        assert "rose above its start, from 0.223144" in text
        assert "a larger lr" not in text and "smaller" in text


def test_oscillation_is_not_slow_convergence():
    # well below the bound the run converges, or at max_iter is slow (not oscillating)
    res = descend(BOWL, [1, 1], lr=0.01, max_iter=200)
    assert res.status == Status.MAX_ITER
    res = descend(BOWL, [1, 1], lr=0.6)       # alternates but converges
    assert res.status == Status.CONVERGED


def test_just_below_the_bound_says_it_converges_slowly():
    res = descend(BOWL, [1, 0.999], lr=0.6666, max_iter=300)
    assert res.status == Status.OSCILLATING
    assert "just below 2/λmax = 2/3" in res.message and "only very slowly" in res.message


def test_max_iter_above_the_local_bound_does_not_ask_for_a_larger_lr():
    res = descend("x^4 + y^2", [1.2, 1.0], lr=0.4, max_iter=100, patience=1000)
    assert res.status in (Status.MAX_ITER, Status.OSCILLATING, Status.DIVERGED), res.message
    assert "a larger lr" not in res.message


def _mse():
    return symgd.mse("w*x + b", {"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.1]})


def test_epochs_run_reports_epochs_and_batches():
    res = descend(_mse(), [0, 0], lr=0.01, batch_size=2, epochs=500, tol=1e-12)
    assert res.status == Status.MAX_ITER
    assert "Stopped after 500 epochs (1,000 batches of 2 rows)" in res.message
    assert "max_iter" not in res.message and "batch gradient" in res.message
    assert "full loss" in res.message


def test_batch_run_without_epochs_counts_batches():
    res = descend(_mse(), [0, 0], lr=0.01, batch_size=1, max_iter=10, tol=1e-12)
    assert "max_iter = 10 batches of 1 row (2.5 epochs of 4 batches)" in res.message


@pytest.mark.parametrize("step, option, known", [
    ("fixed", "bounds", "schedule, decay, every"),
    ("fixed", "method", "schedule, decay, every"),
    ("momentum", "jac", "beta, schedule, decay, every"),
    ("newton", "bounds", "shrink, c"),
    ("adam", "beta", "beta1, beta2, eps, schedule, decay, every"),
])
def test_unknown_options_name_the_rule_and_its_options(step, option, known):
    with pytest.raises(symgd.errors.InputError) as err:
        descend("x^2 + y^2", [1, 1], step=step, **{option: None})
    text = str(err.value)
    assert f"unknown option {option!r} for the step rule {step!r}" in text
    assert f"its options are {known} (and lr)" in text
    if option in ("bounds", "method", "jac"):
        assert "not an argument of descend" in text
        assert "scipy.optimize.minimize(obj.value, x0, jac=obj.grad" in text
    else:
        assert "scipy" not in text


def test_unknown_options_in_descend_many_name_the_rule():
    with pytest.raises(symgd.errors.InputError, match="step rule 'fixed'.*bounds"):
        descend_many("x^2", [[1.0]], bounds=[(0, 1)])


def test_a_schedule_option_without_a_schedule_says_so():
    with pytest.raises(symgd.errors.InputError,
                       match="option 'decay' of the step rule 'fixed' goes with a schedule"):
        descend("x^2", [1], decay=0.5)


def test_the_scipy_suggestion_works():
    scipy_optimize = pytest.importorskip("scipy.optimize")
    obj = Objective("(x - 2)^2 + (y + 1)^2")
    res = scipy_optimize.minimize(obj.value, [0, 0], jac=obj.grad, bounds=[(0, 1), (0, 1)],
                                  method="L-BFGS-B")
    np.testing.assert_allclose(res.x, [1, 0], atol=1e-8)


def test_the_lr_a_failed_line_search_suggests_works():
    """The advice is checked by following it: from lr = |x|/|∇f| the same
    search reaches the minimum (here in one step)."""
    res = symgd.descend("1e30*(x^2 + y^2)", [1, 1], step="backtracking", lr=5e-31,
                        max_iter=30)
    assert res.success and res.fun <= 1e-20 * res.history.loss[0]
