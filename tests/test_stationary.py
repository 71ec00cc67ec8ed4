"""Stationary points against truths found independently: the roots of the
gradient by NumPy's companion-matrix eigenvalues and resultants, polished
with mpmath; published optima (SciPy's global-optimisation benchmarks).

An exact result must be complete; a numeric one must say where and from
how many starts it looked; curves of stationary points come back once.
"""

from __future__ import annotations

import collections
import time

import mpmath
import numpy as np
import pytest
import sympy as sp

import symgd
from symgd.analysis.exact import to_float
from symgd.analysis.search import design, halton, merge

SEXTIC = "x^6 - 3*x^2 + x"
CAMEL = "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2"
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
CIRCLE = "(x^2 + y^2 - 1)^2"
PRICE04 = "(2*x^3*y - y^3)^2 + (6*x - y^2 + y)^2"      # SciPy's go_benchmark_functions
EASOM = "-cos(x)*cos(y)*exp(-((x - pi)^2 + (y - pi)^2))"
NUMERIC = 1e-4        # a time limit no exact solve meets: the numeric search answers


def kinds(points):
    return dict(collections.Counter(p.kind for p in points))


def coordinates(points):
    return np.array([list(p.point.values()) for p in points])


def matched(found, truth, tol):
    """Every true point has a found one within tol, and the other way round."""
    d = np.abs(found[:, None, :] - truth[None, :, :]).max(axis=2)
    return len(found) == len(truth) and (d.min(axis=0) < tol).all() and \
        (d.min(axis=1) < tol).all()


# ------------------------------------------------------------- the oracles

def sextic_truth():
    """The real roots of f' = 6x^5 - 6x + 1, polished to 30 digits; kinds by f''."""
    mpmath.mp.dps = 30
    roots = [r.real for r in np.roots([6, 0, 0, 0, -6, 1]) if abs(r.imag) < 1e-9]
    polished = sorted(float(mpmath.findroot(lambda x: 6 * x**5 - 6 * x + 1, r))
                      for r in roots)
    return polished, ["minimum" if 30 * x**4 - 6 > 0 else "maximum" for x in polished]


def camel_truth():
    """The six-hump camel's stationary points: from f_x = 0, y = -8x + 8.4x^3 - 2x^5;
    put into f_y = x - 8y + 16y^3, a degree-15 polynomial in x (a resultant)."""
    Y = np.polynomial.Polynomial([0, -8, 0, 8.4, 0, -2])
    X = np.polynomial.Polynomial([0, 1])
    p = X - 8 * Y + 16 * Y**3
    mpmath.mp.dps = 30

    def grad(x, y):
        return [8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3]

    points, labels = [], []
    for r in p.roots():
        if abs(r.imag) > 1e-7:
            continue
        x, y = mpmath.findroot(grad, (r.real, Y(r.real)))
        x, y = float(x), float(y)
        H = np.array([[8 - 25.2 * x**2 + 10 * x**4, 1], [1, -8 + 48 * y**2]])
        eig = np.linalg.eigvalsh(H)
        points.append((x, y))
        labels.append("minimum" if eig[0] > 0 else "maximum" if eig[1] < 0 else "saddle")
    return np.array(points), labels


# ------------------------------------------------- exact only when complete

def test_the_sextic_has_three_points_solved_completely():
    truth, truth_kinds = sextic_truth()
    points = symgd.stationary_points(SEXTIC, timeout=30)
    assert points.solved_exactly and points.non_real == 2      # the quintic's two complex roots
    found = sorted(points, key=lambda p: p.point["x"])
    assert [p.point["x"] for p in found] == pytest.approx(truth, abs=1e-12)
    assert [p.kind for p in found] == truth_kinds == ["minimum", "maximum", "minimum"]
    assert truth == pytest.approx([-1.03793, 0.16680, 0.95308], abs=1e-5)
    assert all(p.exact is not None for p in found)         # the exact roots kept
    assert "the other 2 solutions of ∇f = 0 are not real" in points.text()


def test_the_sextic_searched_numerically_says_so():
    truth, _ = sextic_truth()
    points = symgd.stationary_points(SEXTIC, timeout=NUMERIC)
    assert not points.solved_exactly and points.method == "numeric"
    assert sorted(p.point["x"] for p in points) == pytest.approx(truth, abs=1e-9)
    assert points.text().splitlines()[0] == (
        "3 stationary points (found numerically in the box [-5, 5] from 512 starts; "
        "there may be others outside the box or between starts):")
    assert "solved exactly" not in points.text()


@pytest.mark.parametrize("timeout", [30, NUMERIC])
def test_the_six_hump_camel_has_fifteen_points(timeout):
    truth, truth_kinds = camel_truth()
    points = symgd.stationary_points(CAMEL, timeout=timeout)
    assert points.solved_exactly is (timeout == 30)
    assert matched(coordinates(points), truth, 1e-7)
    assert kinds(points) == dict(collections.Counter(truth_kinds)) == \
        {"minimum": 6, "saddle": 7, "maximum": 2}
    low = [p for p in points if p.kind == "minimum" and p.value < -1.03]
    assert len(low) == 2 and all(p.value == pytest.approx(-1.0316285, abs=1e-7) for p in low)
    assert sorted(tuple(np.round(list(p.point.values()), 4)) for p in low) == \
        [(-0.0898, 0.7127), (0.0898, -0.7127)]              # published global minima


def test_himmelblau_with_a_longer_time_limit_is_all_nine():
    points = symgd.stationary_points(HIMMELBLAU, timeout=10)
    assert points.solved_exactly
    assert kinds(points) == {"minimum": 4, "saddle": 4, "maximum": 1}
    obj = symgd.Objective(HIMMELBLAU)
    assert all(np.linalg.norm(obj.grad(list(p.point.values()))) < 1e-9 for p in points)
    numeric = symgd.stationary_points(HIMMELBLAU, timeout=NUMERIC)
    assert matched(coordinates(numeric), coordinates(points), 1e-8)


def test_a_circle_of_solutions_is_not_solved_exactly_but_one_set():
    points = symgd.stationary_points(CIRCLE)
    assert not points.solved_exactly
    assert [p.kind for p in points] == ["degenerate set", "maximum"]
    ring, top = points
    assert (ring.dimension, ring.of) == (1, "minima") and ring.count > 400
    assert ring.point["x"] ** 2 + ring.point["y"] ** 2 == pytest.approx(1, abs=1e-9)
    assert top.point == {"x": 0.0, "y": 0.0} and top.value == 1
    assert points[0].text().startswith("a curve of minima through (x = ")
    assert "f = 0, found at" in points[0].text()


def test_a_sphere_of_minima_is_one_surface():
    points = symgd.stationary_points("(x^2 + y^2 + z^2 - 1)^2")
    assert [(p.kind, p.dimension) for p in points] == [("degenerate set", 2), ("maximum", 0)]
    assert points[0].text().startswith("a surface of minima through")


def test_separate_circles_are_separate_sets():
    points = symgd.stationary_points("(x^2 + y^2 - 1)^2 * (x^2 + y^2 - 9)^2", bounds=(-4, 4))
    sets = sorted((float(np.hypot(*p.point.values())), p.of) for p in points
                  if p.kind == "degenerate set")
    # f = (s - 1)^2 (s - 9)^2 in s = r^2: minima at r = 1 and 3, maxima at r = √5 between
    assert [of for _, of in sets] == ["minima", "maxima", "minima"]
    assert [r for r, _ in sets] == pytest.approx([1, 5 ** 0.5, 3], abs=1e-9)


def test_an_isolated_degenerate_point_is_not_a_set():
    # x^4 + y^4 has one stationary point; its Hessian is zero there
    points = symgd.stationary_points("x^4 + y^4 + 0*sin(x)", bounds=(-2, 2))
    assert [p.kind for p in points] == ["degenerate"]
    assert max(abs(v) for v in points[0].point.values()) < 1e-3


# ----------------------------------------------------------- the search

def test_price04_has_the_published_minima_and_the_origin_once():
    for timeout in (30, NUMERIC):
        points = symgd.stationary_points(PRICE04, bounds=(-50, 50), timeout=timeout)
        near_origin = [p for p in points if max(map(abs, p.point.values())) < 1e-2]
        assert len(near_origin) == 1, points.text()
        assert len(points) < 10
        for optimum in [(2, 4), (1.464, -2.506)]:
            assert any(np.allclose(list(p.point.values()), optimum, atol=1e-3) and
                       abs(p.value) < 1e-12 for p in points)


def test_twelve_cosines_find_minima_and_maxima_from_a_fixed_budget():
    expr = " + ".join(f"cos(x{i})" for i in range(1, 13))
    began = time.perf_counter()
    points = symgd.stationary_points(expr)
    assert time.perf_counter() - began < 60
    assert points.starts == 512 and points.box == ((-5.0, 5.0),) * 12
    found = kinds(points)
    assert found.get("minimum", 0) >= 1 and found.get("maximum", 0) >= 1
    for p in points:      # coordinates are multiples of π; f counts them
        x = np.array(list(p.point.values()))
        assert np.allclose(np.sin(x), 0, atol=1e-9)
        assert p.value == pytest.approx(np.cos(x).sum())
    assert "[-5, 5]^12 from 512 starts" in points.text().splitlines()[0]


def test_twenty_two_cosines_in_bounded_time_and_memory():
    # measured in a fresh interpreter: its own peak resident memory, start to end
    import json
    import os
    import subprocess
    import sys
    script = (
        "import json, resource, time, symgd\n"
        "expr = ' + '.join(f'cos(x{i})' for i in range(1, 23))\n"
        "began = time.perf_counter()\n"
        "points = symgd.stationary_points(expr)\n"
        "print(json.dumps({'seconds': time.perf_counter() - began, 'starts': points.starts,\n"
        "    'maxima': sum(p.kind == 'maximum' for p in points),\n"
        "    'mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=env, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["starts"] == 512 and got["maxima"] == 1     # the centre of the box
    assert got["seconds"] < 60 and got["mb"] < 600          # (a grid of corners: ~16 GB)


def test_easom_on_a_wide_box_is_quick_and_says_what_it_saw():
    began = time.perf_counter()
    points = symgd.stationary_points(EASOM, bounds=(-100, 100))
    assert time.perf_counter() - began < 20
    assert len(points) < 10 and not points.solved_exactly
    # far from (π, π) the gradient underflows to 0: one flat set, not 500 points
    flat = [p for p in points if p.kind == "degenerate set"]
    assert len(flat) == 1 and flat[0].count > 400


def test_the_published_easom_minimum_is_found_in_its_own_box():
    points = symgd.stationary_points(EASOM, bounds=(1, 5))
    low = points[0]
    assert low.kind == "minimum" and low.value == pytest.approx(-1, abs=1e-12)
    assert list(low.point.values()) == pytest.approx([np.pi, np.pi], abs=1e-9)


def test_more_starts_are_honoured_and_seeded():
    a = symgd.stationary_points("sin(x) + cos(y)", bounds=(-20, 20), starts=3000, seed=1)
    b = symgd.stationary_points("sin(x) + cos(y)", bounds=(-20, 20), starts=3000, seed=1)
    assert a.starts == 3000 and a == b
    with pytest.raises(symgd.InputError):
        symgd.stationary_points("sin(x)", starts=0)


# ---------------------------------------------------- the pieces, alone

def test_real_roots_written_with_i_are_real_numbers_with_their_exact_form():
    # x^3 - 3x + 1 has three real roots, which radicals can only write with I
    points = symgd.stationary_points("x^4/4 - 3*x^2/2 + x + y^4/4 - y^2/2", timeout=30)
    assert points.solved_exactly and len(points) == 9 and points.non_real == 0
    xs = sorted({round(p.point["x"], 12) for p in points})
    truth = sorted(float(mpmath.findroot(lambda t: t**3 - 3 * t + 1, r))
                   for r in np.roots([1, 0, -3, 1]).real)
    assert xs == pytest.approx(truth, abs=1e-12)
    for p in points:      # the exact form is kept, and it is the float shown
        assert isinstance(p.point["x"], float)
        assert complex(sp.N(p.exact["x"], 30)) == pytest.approx(p.point["x"], abs=1e-14)
    x = sp.Symbol("x")
    radicals = sp.solve(x**3 - 3 * x + 1, x)          # each written with I
    assert all(r.has(sp.I) for r in radicals)
    assert sorted(to_float(r) for r in radicals) == pytest.approx(truth, abs=1e-14)


def test_halton_is_space_filling():
    H = halton(1024, 3, seed=None)
    for j, base in enumerate([2, 3, 5]):     # each base stratifies its coordinate
        n = base ** int(np.log(1024) / np.log(base))
        counts = np.bincount((H[:n, j] * base).astype(int), minlength=base)
        assert counts.max() - counts.min() <= 1
    D = design(np.array([[-1.0, 1.0]] * 40), 512)
    assert D.shape == (512, 40) and (D[0] == 0).all() and (np.abs(D) <= 1).all()


def test_merge_is_fast_on_many_points():
    rng = np.random.default_rng(0)
    centres = rng.uniform(-5, 5, size=(2000, 4))
    points = np.repeat(centres, 50, axis=0) + rng.uniform(-1e-9, 1e-9, size=(100_000, 4))
    began = time.perf_counter()
    reps, counts = merge(points, 1e-6)
    assert time.perf_counter() - began < 10
    assert len(reps) == 2000 and (counts == 50).all()


def test_flat_regions_say_they_may_only_be_flat():
    points = symgd.stationary_points(EASOM, bounds=(-100, 100))
    flat = next(p for p in points if p.kind == "degenerate set")
    assert "0 there in double precision, so f may only be too flat to tell" in flat.text()


def test_the_cli_prints_the_three_points_of_the_sextic():
    import io
    from symgd.cli import main
    out, err = io.StringIO(), io.StringIO()
    assert main(["analyze", "x^6 - 3x^2 + x"], out=out, err=err) == 0
    text = out.getvalue()
    assert "No stationary points" not in text
    assert text.count("minimum") == 2 and text.count("maximum") == 1
    assert "(x = -1.03793)" in text and "(x = 0.166796)" in text and "(x = 0.953082)" in text


def test_only_complex_solutions_are_counted_and_named():
    points = symgd.stationary_points("x^3/3 + x", timeout=30)
    assert points == [] and points.solved_exactly and points.non_real == 2
    assert points.text() == ("No stationary points (solved exactly; 2 solutions of ∇f = 0 "
                             "are not real).")
    plane = symgd.stationary_points("x^3/3 + x^2/2 + x + y^2", timeout=30)
    assert plane == [] and plane.non_real == 2 and "solved exactly" in plane.text()


def test_a_rational_gradient_leaves_out_its_poles():
    points = symgd.stationary_points("1/x + x + y^2", timeout=30)
    assert points.solved_exactly
    assert sorted((p.point["x"], p.kind) for p in points) == [(-1.0, "saddle"),
                                                              (1.0, "minimum")]


def test_a_circle_of_maxima_makes_the_objective_not_convex():
    assert symgd.analyze("-(x^2 + y^2 - 1)^2").convex is False


def test_a_system_out_of_shape_position_is_still_solved_completely():
    # two sextics: the lex basis is [p(x), p(y)], not x - g(y); a separating
    # linear form puts it in shape position; 3 x 3 real points of 5 x 5
    truth, truth_kinds = sextic_truth()
    points = symgd.stationary_points(f"{SEXTIC} + y^6 - 3*y^2 + y", timeout=60)
    assert points.solved_exactly and points.non_real == 16
    expected = np.array([(a, b) for a in truth for b in truth])
    assert matched(coordinates(points), expected, 1e-12)
    assert kinds(points) == {"minimum": 4, "saddle": 4, "maximum": 1}
