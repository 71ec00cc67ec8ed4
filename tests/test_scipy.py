"""SciPy's conventions: an Objective is a SciPy objective, a Result reads like an
OptimizeResult, and symgd.minimize runs SciPy's methods.

Oracles: scipy.optimize.rosen, rosen_der and rosen_hess_prod (SciPy's own
Rosenbrock function, written by hand) and SciPy's own counts of calls.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symgd
from symgd.descent import result as result_module
from symgd.objective.compile import Compiled

optimize = pytest.importorskip("scipy.optimize")
rosen, rosen_der, rosen_hess_prod = optimize.rosen, optimize.rosen_der, optimize.rosen_hess_prod

ROSEN = symgd.Objective.from_function(rosen, n=4)
START = np.array([-1.2, 1.0, -0.5, 0.8])


# ------------------------------------------------------------ the Objective

def test_objective_is_callable_and_hessp_matches_scipy():
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, p = rng.normal(size=4) * 1.5, rng.normal(size=4)
        assert ROSEN(x) == pytest.approx(rosen(x), rel=1e-13)
        np.testing.assert_allclose(ROSEN.hessp(x, p), rosen_hess_prod(x, p), rtol=1e-12)
        np.testing.assert_allclose(ROSEN.hessp(x, p), ROSEN.hess(x) @ p, rtol=1e-12)


def test_hessp_does_not_build_the_hessian():
    obj = symgd.Objective.from_function(rosen, n=6)
    obj.hessp(np.ones(6), np.arange(6.0))
    assert not obj.quadratic_is_known          # the symbolic Hessian was never built


def test_value_and_grad_over_arrays_of_points():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 9))                 # (n, S): SciPy's vectorized convention
    np.testing.assert_allclose(ROSEN.value(X), rosen(X), rtol=1e-12)
    expected = np.array([rosen_der(c) for c in X.T])
    np.testing.assert_allclose(ROSEN.grad(X), expected.T, rtol=1e-12)
    np.testing.assert_allclose(ROSEN.value(X.T, axis=-1), rosen(X), rtol=1e-12)
    np.testing.assert_allclose(ROSEN.grad(X.T, axis=1), expected, rtol=1e-12)
    grid = rng.normal(size=(4, 3, 5))           # any shape after the variables
    assert ROSEN.value(grid).shape == (3, 5)
    assert ROSEN(grid)[2, 4] == pytest.approx(rosen(grid[:, 2, 4]), rel=1e-13)
    before = X.copy()
    ROSEN.value(X), ROSEN.grad(X)
    np.testing.assert_array_equal(X, before)    # user arrays are not modified


def test_arrays_of_the_wrong_shape_are_refused_clearly():
    with pytest.raises(symgd.InputError, match=r"4 variables.*axis=-1"):
        ROSEN.value(np.zeros((3, 4)))
    with pytest.raises(symgd.InputError, match="axis"):
        ROSEN.value(np.zeros((4, 4)), axis=2)
    with pytest.raises(symgd.InputError, match="finite"):
        ROSEN.value(np.full((4, 2), np.nan))


def test_data_objectives_answer_the_same_questions():
    rng = np.random.default_rng(2)
    x = rng.normal(size=40)
    y = (x + rng.normal(size=40) > 0).astype(float)
    loss = symgd.log_loss("sigmoid(w*x + b)", symgd.Dataset({"x": x, "y": y}))
    theta, p = np.array([0.3, -0.7]), np.array([1.0, -2.0])
    np.testing.assert_allclose(loss.hessp(theta, p), loss.hess(theta) @ p, rtol=1e-12)
    b, w = theta

    def reference(b, w):
        q = 1 / (1 + np.exp(-(w * x + b)))
        return -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))

    assert loss(theta) == pytest.approx(reference(b, w), rel=1e-12)
    T = np.array([[0.3, 0.0, 1.0], [-0.7, 2.0, 0.5]])
    np.testing.assert_allclose(loss.value(T), [reference(*t) for t in T.T], rtol=1e-12)


def test_value_does_not_compute_the_gradient(monkeypatch):
    outputs = []
    real_at = Compiled.at

    def spy(self, point):
        outputs.append(len(self.outputs))
        return real_at(self, point)

    monkeypatch.setattr(Compiled, "at", spy)
    obj = symgd.Objective("sin(x)*y + x^4")
    obj.value([1.0, 2.0])
    assert outputs == [1]


def test_differential_evolution_vectorized():
    calls = []

    def counted(X):
        calls.append(np.shape(X))
        return ROSEN(X)

    res = optimize.differential_evolution(counted, [(-2, 2)] * 4, vectorized=True,
                                          updating="deferred", seed=1, tol=1e-10,
                                          maxiter=3000)
    assert res.success and np.allclose(res.x, 1, atol=1e-3)
    assert all(len(s) == 2 and s[0] == 4 for s in calls)     # (n, S) arrays, not points
    assert max(s[1] for s in calls) > 1


# ------------------------------------------------------------- SciPy methods

@pytest.mark.parametrize("method", ["BFGS", "Newton-CG", "trust-krylov", "trust-ncg",
                                    "trust-exact", "L-BFGS-B"])
def test_minimize_agrees_with_scipy_on_rosenbrock(method):
    ours = symgd.minimize(ROSEN, START, method=method)
    extra = {}
    if method in ("Newton-CG", "trust-krylov", "trust-ncg"):
        extra["hessp"] = rosen_hess_prod
    elif method == "trust-exact":
        extra["hess"] = optimize.rosen_hess
    theirs = optimize.minimize(rosen, START, method=method, jac=rosen_der, **extra)
    assert ours.success == theirs.success
    np.testing.assert_allclose(ours.x, theirs.x, rtol=1e-6, atol=1e-8)
    if theirs.success:     # a minimum (in 4-D Rosenbrock also has one near x1 = -0.78)
        assert np.linalg.norm(rosen_der(ours.x)) < 1e-4
    assert (ours.nit, ours.nfev, ours.njev, ours.nhev) == \
        (theirs.nit, theirs.nfev, theirs.njev, theirs.get("nhev", 0))
    # the history: the start, then every iterate SciPy reported
    h = ours.history
    np.testing.assert_array_equal(h.x[0], START)
    np.testing.assert_array_equal(h.x[-1], ours.x)
    assert len(h) == ours.nit + 1
    np.testing.assert_allclose(h.loss, rosen(h.x.T), rtol=1e-12)
    np.testing.assert_allclose(h.grad, np.array([rosen_der(r) for r in h.x]), rtol=1e-12,
                               atol=1e-10)
    assert ours["fun"] == ours.fun == pytest.approx(rosen(ours.x), rel=1e-12)


def test_minimize_counts_agree_with_a_counting_wrapper(monkeypatch):
    counts = {"value": 0, "grad": 0, "hessp": 0}
    for name in counts:
        real = getattr(symgd.Objective, name)

        def counted(self, *args, _real=real, _name=name, **kw):
            counts[_name] += 1
            return _real(self, *args, **kw)

        monkeypatch.setattr(symgd.Objective, name, counted)
    obj = symgd.Objective.from_function(rosen, n=3)
    before = dict(counts)
    res = symgd.minimize(obj, [-1, 1, 0.5], method="Newton-CG")
    assert res.success
    # the history reuses SciPy's evaluations: every value and gradient call is SciPy's
    assert counts["value"] - before["value"] == res.nfev
    assert counts["grad"] - before["grad"] == res.njev
    assert counts["hessp"] - before["hessp"] == res.nhev


def test_minimize_passes_options_and_stops_on_the_callback():
    seen = []
    res = symgd.minimize(ROSEN, START, method="BFGS", options={"maxiter": 3})
    assert not res.success and res.status == symgd.Status.MAX_ITER and res.nit == 3
    res = symgd.minimize(ROSEN, START, method="BFGS",
                         callback=lambda it: seen.append(it.iteration) or it.iteration == 2)
    assert res.status == symgd.Status.CALLBACK and seen == [0, 1, 2]
    simplex = symgd.minimize("(x - 1)^2 + (y + 2)^2", [0, 0], method="Nelder-Mead")
    assert simplex.success and np.allclose(simplex.x, [1, -2], atol=1e-3)
    assert simplex.njev == 0                      # Nelder-Mead is given no gradient


def test_minimize_without_scipy_names_the_extra(monkeypatch):
    import importlib
    real = importlib.import_module

    def no_scipy(name, *args):
        if name.startswith("scipy"):
            raise ImportError("No module named 'scipy'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_scipy)
    with pytest.raises(symgd.SymgdError, match=r"symgd\[scipy\]"):
        symgd.minimize("x^2", [1.0])


def test_minimize_refuses_an_unknown_method():
    with pytest.raises(symgd.InputError, match="no method"):
        symgd.minimize("x^2", [1.0], method="steepest")


# ------------------------------------------------------------- the Result

def test_result_reads_like_an_optimize_result():
    res = symgd.descend("x^2 + x*y + y^2", [1, 1], lr=0.1)
    theirs = optimize.minimize(lambda v: v @ v, [1.0, 1.0])
    for key in ("x", "fun", "jac", "nit", "nfev", "njev", "success", "status", "message"):
        assert key in res and key in theirs
        assert res[key] is getattr(res, key)
    assert dict(res.items())["nit"] == res.nit == 56
    assert list(res) == res.keys() and len(res) == len(res.keys())
    assert "nope" not in res and res.get("nope", 7) == 7
    with pytest.raises(KeyError):
        res["nope"]
    assert dict(res)["history"] is res.history


def test_descend_counts_every_evaluation(monkeypatch):
    calls = {"value_and_grad": 0, "value": 0}
    real_at = Compiled.at

    def spy(self, point):
        kind = {1: "value", 3: "value_and_grad"}.get(len(self.outputs))   # n = 2
        if kind:
            calls[kind] += 1
        return real_at(self, point)

    monkeypatch.setattr(Compiled, "at", spy)
    hessians = []
    real_hess = symgd.Objective.hess
    monkeypatch.setattr(symgd.Objective, "hess",
                        lambda self, x: hessians.append(1) or real_hess(self, x))
    for step, options in [("momentum", {}), ("backtracking", {"lr": 1.0}),
                          ("newton", {"lr": 1.0})]:
        obj = symgd.Objective("(1 - x)^2 + 10*(y - x^2)^2 + x^4")
        for key in calls:
            calls[key] = 0
        hessians.clear()
        res = symgd.descend(obj, [-1, 1], step=step, max_iter=300, **options)
        assert res.njev == calls["value_and_grad"] == res.nit + 1, step
        assert res.nfev == calls["value_and_grad"] + calls["value"], step
        assert res.nhev == len(hessians), step
        if step == "backtracking":
            assert calls["value"] > 0
        if step == "newton":
            assert res.nhev > 0


def test_fast_loop_counts_one_evaluation_per_iterate():
    res = symgd.descend("x^2 + 3*y^2", [1, 1], lr=0.1)
    assert res.nfev == res.njev == res.nit + 1 and res.nhev == 0
    batch = symgd.descend_many("x^2 + 3*y^2", [[1, 1], [2, 0]], lr=0.1)
    assert [r.nfev for r in batch] == [int(n) + 1 for n in batch.nit]


def test_scipy_and_symgd_compare_on_one_objective():
    obj = symgd.Objective("(1 - x)^2 + 100*(y - x^2)^2")
    ours = symgd.descend(obj, [-1.2, 1], step="newton", lr=1.0)
    theirs = symgd.minimize(obj, [-1.2, 1], method="trust-exact")
    assert ours.success and theirs.success
    np.testing.assert_allclose(ours.x, theirs.x, atol=1e-6)
    assert isinstance(theirs, result_module.Result) and isinstance(theirs.history,
                                                                    symgd.History)
    assert theirs.table().splitlines()[0].split()[:2] == ["iteration", "x"]
    assert [v.name for v in obj.variables] == ["x", "y"]


def test_the_callback_stops_methods_with_the_older_callback_form():
    # TNC passes the point alone and cannot be asked to stop; symgd unwinds it
    res = symgd.minimize(ROSEN, START, method="TNC", callback=lambda it: it.iteration >= 3)
    assert res.status == symgd.Status.CALLBACK and not res.success and res.nit == 3
    assert len(res.history) == 4 and res.nfev > 0
    np.testing.assert_array_equal(res.x, res.history.x[-1])


@pytest.mark.parametrize("method", ["Nelder-Mead", "Powell", "TNC", "SLSQP", "trust-constr",
                                    "dogleg", "COBYLA"])
def test_every_other_method_runs_without_warnings(method):
    res = symgd.minimize("(x - 1)^2 + 2*(y + 0.5)^2 + x*y", [0.3, 0.2], method=method)
    assert res.success, res.message
    theirs = optimize.minimize(lambda v: (v[0] - 1) ** 2 + 2 * (v[1] + 0.5) ** 2 + v[0] * v[1],
                               [0.3, 0.2], method=method if method not in ("dogleg",) else "BFGS")
    np.testing.assert_allclose(res.x, theirs.x, atol=2e-3)


def test_the_default_method_is_scipys_choice():
    assert "SciPy BFGS" in symgd.minimize("(x - 1)^2", [3.0]).message
    bounded = symgd.minimize("(x - 1)^2", [3.0], bounds=[(2, 5)])
    assert "SciPy L-BFGS-B" in bounded.message and bounded.x[0] == pytest.approx(2.0)
