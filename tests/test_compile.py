"""Tests of symgd.compile: Compiled's math and NumPy forms, and python_statements."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special
import sympy as sp

from symgd.objective import MATH_ERRORS, Compiled, python_statements
from symgd.expr.registry import sigmoid

x, y = sp.symbols("x y", real=True)


def test_at_returns_a_tuple_of_python_floats():
    c = Compiled((x, y), (x**2 + x * y + y**2, 2 * x + y, x + 2 * y))
    got = c.at([1.0, 2.0])
    assert got == (7.0, 4.0, 5.0)
    assert all(type(v) is float for v in got)


def test_scalar_and_array_forms_agree_with_hand_computation():
    c = Compiled((x, y), (sp.exp(x) * sp.sin(y), sp.log(x**2 + 1)))
    assert c.scalar(0.5, 1.2) == pytest.approx(
        (math.exp(0.5) * math.sin(1.2), math.log(1.25)), rel=1e-15)
    out = c.array(np.array([0.5, 1.0]), np.array([1.2, -0.3]))
    np.testing.assert_allclose(out[0], np.exp([0.5, 1.0]) * np.sin([1.2, -0.3]), rtol=1e-15)
    np.testing.assert_allclose(out[1], np.log(np.array([0.5, 1.0])**2 + 1), rtol=1e-15)


def test_integer_inputs_give_float_outputs():
    c = Compiled((x,), (x / 2, sp.Integer(3)))
    got = c.at([1])
    assert got == (0.5, 3.0)
    assert all(type(v) is float for v in got)


@pytest.mark.parametrize("expr, point, check", [
    pytest.param(sp.log(x), -1.0, math.isnan, id="log-negative"),
    pytest.param(sp.sqrt(x), -4.0, math.isnan, id="sqrt-negative"),
    pytest.param(sp.exp(x), 1000.0, lambda v: v == math.inf, id="exp-overflow"),
    pytest.param(1 / x, 0.0, lambda v: math.isinf(v) or math.isnan(v), id="reciprocal-zero"),
    pytest.param(x**sp.Rational(1, 3), -8.0, math.isnan, id="cube-root-negative"),
    pytest.param(sp.asin(x), 2.0, math.isnan, id="asin-out-of-domain"),
])
def test_at_falls_back_to_numpy_where_math_fails(expr, point, check):
    c = Compiled((x,), (expr,))
    with pytest.raises(MATH_ERRORS):
        # the fast path really fails here (or gives a complex that float() rejects)
        float(c.scalar(point)[0])
    (value,) = c.at([point])
    assert type(value) is float
    assert check(value)


def test_at_fallback_keeps_defined_outputs():
    c = Compiled((x, y), (sp.log(x) + y, 2 * y, sp.Integer(4)))
    value, dy, const = c.at([-1.0, 3.0])
    assert math.isnan(value)
    assert dy == 6.0
    assert const == 4.0


def test_at_array_over_many_points_matches_numpy():
    c = Compiled((x, y), (x * y, sp.exp(-x) + y**2))
    points = np.array([[0.0, 1.0, 2.0, -1.0], [3.0, -2.0, 0.5, 4.0]])
    out = c.at_array(points)
    assert isinstance(out, list) and len(out) == 2
    for arr in out:
        assert isinstance(arr, np.ndarray)
        assert arr.dtype == np.float64
        assert arr.shape == (4,)
    np.testing.assert_allclose(out[0], points[0] * points[1], rtol=1e-15)
    np.testing.assert_allclose(out[1], np.exp(-points[0]) + points[1]**2, rtol=1e-15)


def test_at_array_broadcasts_constant_outputs():
    c = Compiled((x, y), (x + y, sp.Integer(3), sp.Integer(0), sp.Rational(1, 2)))
    points = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out = c.at_array(points)
    for arr in out:
        assert arr.dtype == np.float64 and arr.shape == (3,)
    np.testing.assert_array_equal(out[1], [3.0, 3.0, 3.0])
    np.testing.assert_array_equal(out[2], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(out[3], [0.5, 0.5, 0.5])


def test_at_array_constant_output_is_writable_copy():
    c = Compiled((x,), (sp.Integer(3),))
    (out,) = c.at_array(np.array([[1.0, 2.0]]))
    out[0] = -1.0  # a broadcast view would be read-only
    assert out.tolist() == [-1.0, 3.0]


def test_at_array_with_two_dimensional_coordinates():
    c = Compiled((x, y), (x - y, sp.Integer(2)))
    points = np.arange(12, dtype=float).reshape(2, 2, 3)
    out = c.at_array(points)
    assert out[0].shape == (2, 3) and out[1].shape == (2, 3)
    np.testing.assert_array_equal(out[0], points[0] - points[1])
    np.testing.assert_array_equal(out[1], np.full((2, 3), 2.0))


def test_at_array_of_a_single_point():
    c = Compiled((x, y), (x * y, sp.Integer(5)))
    out = c.at_array(np.array([2.0, 3.0]))
    assert [float(v) for v in out] == [6.0, 5.0]
    assert all(v.dtype == np.float64 for v in out)


def test_at_array_gives_nan_not_complex_and_does_not_warn():
    c = Compiled((x,), (sp.log(x), x**sp.Rational(1, 3), sp.sqrt(x)))
    with np.errstate(all="raise"):  # at_array must silence NumPy itself
        out = c.at_array(np.array([[-8.0, 8.0]]))
    for arr in out:
        assert arr.dtype == np.float64
        assert math.isnan(arr[0])
    assert out[0][1] == pytest.approx(math.log(8.0), rel=1e-15)
    assert out[1][1] == pytest.approx(2.0, rel=1e-15)
    assert out[2][1] == pytest.approx(math.sqrt(8.0), rel=1e-15)


@pytest.mark.parametrize("expr, reference", [
    pytest.param(sp.gamma(x), scipy.special.gamma, id="gamma"),
    pytest.param(sp.polygamma(0, x), scipy.special.digamma, id="digamma"),
    pytest.param(sp.erf(x), scipy.special.erf, id="erf"),
    pytest.param(sigmoid(x), scipy.special.expit, id="sigmoid"),
    pytest.param(sp.diff(sigmoid(x), x),
                 lambda t: scipy.special.expit(t) * (1 - scipy.special.expit(t)),
                 id="sigmoid-derivative"),
])
def test_special_functions_in_both_forms_match_scipy(expr, reference):
    c = Compiled((x,), (expr,))
    points = np.array([0.3, 1.0, 2.5, 3.7])
    for p in points:
        assert c.at([p])[0] == pytest.approx(float(reference(p)), rel=1e-12)
    (arr,) = c.at_array(points[np.newaxis, :])
    assert arr.dtype == np.float64
    np.testing.assert_allclose(arr, reference(points), rtol=1e-12)


def test_gamma_at_pole_is_nan_or_inf_in_both_forms():
    c = Compiled((x,), (sp.gamma(x),))
    (value,) = c.at([0.0])
    assert math.isnan(value) or math.isinf(value)
    (arr,) = c.at_array(np.array([[0.0, -1.0, 2.0]]))
    assert not np.isfinite(arr[0]) and not np.isfinite(arr[1])
    assert arr[2] == 1.0


def test_sigmoid_compiled_handles_extremes():
    c = Compiled((x,), (sigmoid(x),))
    assert c.at([-1000.0]) == (0.0,)
    assert c.at([1000.0]) == (1.0,)
    (arr,) = c.at_array(np.array([[-1000.0, 0.0, 1000.0]]))
    np.testing.assert_array_equal(arr, [0.0, 0.5, 1.0])


def test_compiled_forms_are_built_once():
    c = Compiled((x,), (x**2,))
    assert c.scalar is c.scalar
    assert c.array is c.array


def test_python_statements_compute_the_outputs():
    a, b = sp.symbols("a b", real=True)
    f = sp.exp(a * b) + sp.sin(a * b) + sigmoid(a)
    outputs = (f, sp.diff(f, a), sp.diff(f, b))
    lines, namespace = python_statements((a, b), outputs, ("p", "q"), ("f", "ga", "gb"))
    assert all(isinstance(line, str) for line in lines)
    scope = dict(namespace, p=0.4, q=-1.3)
    exec("\n".join(lines), scope)  # the code is generated by SymPy, not user text
    expected = Compiled((a, b), outputs).at([0.4, -1.3])
    assert (scope["f"], scope["ga"], scope["gb"]) == pytest.approx(expected, rel=1e-14)
    e, s, sig = math.exp(0.4 * -1.3), math.sin(0.4 * -1.3), 1 / (1 + math.exp(-0.4))
    assert scope["f"] == pytest.approx(e + s + sig, rel=1e-14)


def test_python_statements_doctest_example():
    lines, _ = python_statements((x, y), (x**2 + x * y, 2 * x + y), ("a", "b"), ("f", "g"))
    assert lines == ["f = a**2 + a*b", "g = 2*a + b"]
