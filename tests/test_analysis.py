"""Stationary points, step-size facts and local bounds, against known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import symgd
from symgd import InputError, Status, analyze, descend, local_bounds, stationary_points
from symgd.cli import main

HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
# Published: four minima, one maximum, four saddle points.
HIMMELBLAU_MINIMA = [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186),
                     (3.584428, -1.848126)]
HIMMELBLAU_MAXIMUM = (-0.270845, -0.923039)


def test_himmelblau_has_nine_stationary_points_classified():
    points = stationary_points(HIMMELBLAU)
    kinds = sorted(p.kind for p in points)
    assert kinds == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    minima = [tuple(p.point.values()) for p in points if p.kind == "minimum"]
    for m in HIMMELBLAU_MINIMA:
        assert min(max(abs(a - b) for a, b in zip(m, q)) for q in minima) < 1e-5
    top = next(p for p in points if p.kind == "maximum")
    assert np.allclose(list(top.point.values()), HIMMELBLAU_MAXIMUM, atol=1e-5)
    assert top.value == pytest.approx(181.617, abs=1e-3)
    for p in points:      # the gradient really vanishes there
        assert np.linalg.norm(symgd.Objective(HIMMELBLAU).grad(list(p.point.values()))) < 1e-7


def test_quadratic_is_solved_exactly():
    [p] = stationary_points("x^2 + x*y + y^2 - 3*x")
    assert p.exact == {"x": 2, "y": -1} and p.kind == "minimum"
    assert p.eigenvalues == pytest.approx((1, 3))


def test_three_hump_camel_exact_points_are_real_and_classified():
    points = stationary_points("2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2")
    kinds = sorted(p.kind for p in points)
    assert kinds == ["minimum"] * 3 + ["saddle"] * 2
    origin = [p for p in points if np.allclose(list(p.point.values()), 0)]
    assert origin and origin[0].kind == "minimum" and origin[0].value == 0


def test_maximum_and_degenerate_points():
    kinds = {p.kind for p in stationary_points("-(x^2 + y^2)")}
    assert kinds == {"maximum"}
    [p] = stationary_points("x^4 + y^4")
    assert p.kind == "degenerate"      # Hessian zero: the second-order test is silent


def test_trig_points_are_found_numerically_in_the_box():
    points = stationary_points("sin(x) + cos(y)", bounds=(-4, 4))
    assert len(points) == 6        # x = ±π/2, y in {-π, 0, π}
    for p in points:
        x, y = p.point["x"], p.point["y"]
        assert abs(math.cos(x)) < 1e-8 and abs(math.sin(y)) < 1e-8
    assert {p.kind for p in points} == {"minimum", "maximum", "saddle"}


def test_linear_objective_has_no_stationary_points():
    assert stationary_points("x + 2*y") == []


def test_mse_of_a_linear_model_stationary_point_is_least_squares():
    cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    [p] = stationary_points(cars)
    X = np.column_stack([cars.data["weight"], np.ones(7)])
    expected = np.linalg.lstsq(X, cars.data["mpg"], rcond=None)[0]
    assert p.kind == "minimum"
    np.testing.assert_allclose([p.point["w"], p.point["b"]], expected, rtol=1e-9)


@pytest.mark.parametrize("bounds", ["abc", [(1, 0), (0, 1)], [(0, 1)] * 3, [(0, np.inf)]])
def test_bad_bounds(bounds):
    with pytest.raises(InputError):
        stationary_points("x^2 + y^2", bounds=bounds)


# ------------------------------------------------------------ step sizes

def test_seed_quadratic_facts():
    a = analyze("x^2 + x*y + y^2", lr=0.1, at=[1, 1])
    assert (a.bound.lambda_min, a.bound.lambda_max) == (1.0, 3.0)
    assert a.bound.bound_text() == "2/3" and a.bound.best_text() == "1/2"
    assert a.convex is True and a.contraction == pytest.approx(0.9)
    actual = descend("x^2 + x*y + y^2", [1, 1], lr=0.1).nit
    assert actual <= a.iterations          # the prediction is an upper bound
    text = a.text()
    assert "0 < lr < 2/λmax = 2/3" in text and "lr = 2/(λmin + λmax) = 1/2" in text


@pytest.mark.parametrize("seed", range(5))
def test_predicted_iterations_bound_random_quadratics(seed):
    rng = np.random.default_rng(seed)
    M = rng.integers(-3, 4, size=(3, 3))
    A = M @ M.T + np.eye(3)
    x = sp.symbols("x1:4", real=True)
    expr = sp.Rational(1, 2) * sum(int(A[i, j]) * x[i] * x[j]
                                   for i in range(3) for j in range(3))
    lam = np.linalg.eigvalsh(A)
    lr = 1.0 / lam[-1]
    start = rng.uniform(-2, 2, 3)
    a = analyze(expr, lr=lr, at=start)
    assert a.contraction == pytest.approx(1 - lam[0] / lam[-1])
    res = descend(expr, start, lr=lr, max_iter=100_000)
    assert res.success and res.nit <= a.iterations


def test_convexity_of_non_quadratics():
    assert analyze(HIMMELBLAU).convex is False
    assert analyze("exp(x) + y^2").convex is None      # not decided


def test_local_facts_need_a_point_for_non_quadratics():
    assert analyze("x^4 + y^2").bound is None
    b = analyze("x^4 + y^2", at=[1, 1]).bound
    assert b.bound == pytest.approx(2 / 12)


def test_no_upward_curvature_message():
    text = analyze(HIMMELBLAU, lr=0.01, at=[0, 0]).text()
    assert "no upward curvature" in text


def test_local_bounds_match_numeric_eigenvalues():
    obj = symgd.Objective(HIMMELBLAU)
    pts = np.random.default_rng(1).uniform(-4, 4, size=(20, 2))
    bounds = local_bounds(obj, pts)
    for p, b in zip(pts, bounds):
        lam = np.linalg.eigvalsh(obj.hess(p))[-1]
        assert b == (pytest.approx(2 / lam) if lam > 0 else math.inf)


def test_record_bound_adds_a_column_and_a_warning():
    res = descend("x^4 + y^2", [1, 1], lr=0.3, max_iter=8, record_bound=True)
    assert res.history.columns[-1] == "lr_bound"
    assert res.history.extra["lr_bound"][0] == pytest.approx(2 / 12)
    assert "above the local bound" in res.message
    assert "lr_bound" in res.table()
    calm = descend("x^4 + y^2", [1, 1], lr=0.01, max_iter=8, record_bound=True)
    assert "Note" not in calm.message


def test_record_bound_for_data_objectives_evaluated_row_by_row():
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    L = symgd.log_loss("sigmoid(w*x + b)", {"x": x, "y": (x > 0).astype(float)})
    res = descend(L, 0, lr=1.0, max_iter=3, record_bound=True)
    assert len(res.history.extra["lr_bound"]) == 4


# ------------------------------------------------------------------- CLI

def run_cli(*argv):
    import io
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_analyze_himmelblau():
    code, out, err = run_cli("analyze", HIMMELBLAU)
    assert code == 0 and out.count("minimum") == 4 and out.count("saddle") == 4
    assert out.count("maximum") == 1


def test_cli_analyze_json():
    import json
    code, out, err = run_cli("analyze", "x^2 + x*y + y^2", "--lr", "0.5", "--at", "1,1",
                             "--json")
    d = json.loads(out)
    assert d["lr_bound"] == pytest.approx(2 / 3) and d["best_lr"] == pytest.approx(0.5)
    assert d["stationary_points"][0]["exact"] == {"x": "0", "y": "0"}


@pytest.mark.parametrize("argv", [
    ["analyze", "x^2 +"], ["analyze", "x^2", "--lr", "-1"],
    ["analyze", "x^2 + y^2", "--bounds", "1,0"], ["analyze", "x^2", "--at", "1,2"],
])
def test_cli_analyze_bad_input(argv):
    code, out, err = run_cli(*argv)
    assert code == 2 and err.startswith("symgd: error:") and len(err.splitlines()) == 1


def test_cli_descend_with_a_step_rule_and_options():
    code, out, err = run_cli("descend", "(1-x)^2 + 100*(y-x^2)^2", "--start=-1.2,1",
                             "--lr", "1", "--step", "newton")
    assert code == 0 and "x = 1, y = 1" in out
    code, out, err = run_cli("descend", "x^2 + y^2", "--start", "1,1", "--step", "momentum",
                             "--option", "beta=0.5")
    assert code == 0
    code, out, err = run_cli("descend", "x^2 + y^2", "--start", "1,1", "--option", "beta=0.5")
    assert code == 2 and "unknown option 'beta'" in err
