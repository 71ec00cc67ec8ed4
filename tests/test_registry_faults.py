"""Every function symgd knows, on scalars, 0-d and n-d arrays, and at its numeric
faults (overflow, outside the domain, huge steps): a number, nan or inf, or a
Result with success=False, never an exception or a warning. Finite values are
checked against SymPy's own evaluation at 30 digits (an independent oracle).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import sympy as sp

import symgd
from symgd.expr.registry import FUNCTIONS

NAMES = sorted(FUNCTIONS)
POINTS = (0.5, -0.7, 0.0, 3.0, -800.0, 800.0, 1e308, -1e308)


def _objective(name):
    builder, low, high = FUNCTIONS[name]
    k = 2 if low >= 2 else 1
    text = f"{name}(x)" if k == 1 else f"{name}(x, y)"
    return symgd.Objective(text, variables=["x", "y"][:k]), k


def _oracle(obj, point):
    """SymPy's value at 30 digits, as a float (nan where it is not a finite real)."""
    value = obj.expr.subs(dict(zip(obj.variables, [sp.Float(v, 30) for v in point])))
    try:
        value = complex(sp.N(value, 30))
    except (TypeError, ValueError):
        return math.nan
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return math.nan
    return value.real


@pytest.fixture(autouse=True)
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("name", NAMES)
def test_scalar_values_match_sympy_or_are_nan(name):
    obj, k = _objective(name)
    for v in POINTS:
        point = [v] * k
        got = obj.value(point)
        assert isinstance(got, float)
        want = _oracle(obj, point)
        if name in ("atan2", "arctan2") and v == 0:
            assert got == 0.0         # IEEE 754's atan2(0, 0); SymPy leaves it undefined
            continue
        if math.isfinite(got):                       # a finite answer is the right one
            assert got == pytest.approx(want, rel=1e-9, abs=1e-300), (name, v)
        elif abs(v) <= 3 and math.isfinite(want) and abs(want) < 1e300:
            pytest.fail(f"{name}({v}) is {got}, but it is {want}")   # must not give up here
        # else: nan or inf where float64 cannot hold the true value (beta(800, 800)
        # underflows through gamma(800), which overflows): "not sure", never wrong


@pytest.mark.parametrize("name", NAMES)
def test_gradient_is_finite_or_not_never_an_exception(name):
    obj, k = _objective(name)
    for v in POINTS:
        g = obj.grad([v] * k)
        assert g.shape == (k,) and g.dtype == float


@pytest.mark.parametrize("name", NAMES)
def test_arrays_give_the_scalar_values(name):
    obj, k = _objective(name)
    xs = np.array(POINTS)
    batch = np.tile(xs, (k, 1))                       # (n, S): one column a point
    values = obj.value(batch)
    assert values.shape == (len(POINTS),)
    scalars = np.array([obj.value([v] * k) for v in POINTS])
    # the same numbers (vectorised and scalar code may round the last bit apart)
    np.testing.assert_allclose(values, scalars, rtol=4e-16, atol=0, equal_nan=True)
    for v in POINTS:
        zero_d = obj.value(np.array(v) if k == 1 else [np.array(v)] * k)
        np.testing.assert_array_equal(zero_d, obj.value([v] * k))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("step", ["fixed", "momentum"])
def test_a_run_that_meets_a_fault_is_a_result(name, step):
    obj, k = _objective(name)
    run = symgd.descend(f"{obj.expr} + x^2" if k == 1 else f"{obj.expr} + x^2 + y^2",
                        [0.5] * k, lr=1000.0, max_iter=20, step=step)
    assert isinstance(run, symgd.Result)
    assert run.success in (True, False) and run.message


def test_a_variable_named_like_a_generated_helper_is_a_variable():
    obj = symgd.Objective("Heaviside*x + relu(x)", variables=["Heaviside", "x"])
    assert obj.value([2.0, 3.0]) == pytest.approx(9.0)
    assert obj.grad([2.0, -1.0]) == pytest.approx([-1.0, 2.0])
