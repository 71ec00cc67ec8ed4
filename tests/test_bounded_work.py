"""Hostile-but-valid inputs: large sums, products and compositions.

Each case runs in a forked child under hard CPU, memory and wall-clock
limits (``run_isolated`` of the security tests) and must either give the
right gradient (checked against a closed form computed with NumPy) or raise
a symgd error that names the limit it hit. The reverse-mode gradient is also
checked against ``sympy.diff`` on a corpus of random expressions.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import sympy as sp

import symgd
from symgd.objective.derivatives import (MAX_GRADIENT_NODES, MAX_HESSIAN_ENTRIES,
                                         adjoint_gradient)
from test_security import _isolation, run_isolated

CPU = 20                      # CPU seconds a case may take in its child
MEMORY = 1 << 30              # bytes of address space beyond the child's start


def _names(n):
    return [f"x{i}" for i in range(1, n + 1)]


def _point(n):
    return np.linspace(0.1, 0.9, n)


def _product_plus_one(n):
    text = "*".join(f"(x{i}+1)" for i in range(1, n + 1))
    return text, lambda p: np.prod(p + 1) / (p + 1)


def _monomial(n):
    text = "*".join(_names(n))
    return text, lambda p: np.prod(p) / p


def _square_of_sum(n):
    return f"({'+'.join(_names(n))})^2", lambda p: np.full(n, 2 * p.sum())


def _sine_of_sum(n):
    return f"sin({'+'.join(_names(n))})", lambda p: np.full(n, math.cos(p.sum()))


def _exp_of_squares(n):
    text = f"exp(({'+'.join(f'x{i}^2' for i in range(1, n + 1))})/{n})"
    return text, lambda p: 2 * p / n * math.exp((p ** 2).sum() / n)


def _log_of_squares(n):
    text = f"log(1+{'+'.join(f'x{i}^2' for i in range(1, n + 1))})"
    return text, lambda p: 2 * p / (1 + (p ** 2).sum())


def _sum_of_products(n):
    # x1*x2 + x2*x3 + ... : each partial is the sum of its two neighbours
    text = "+".join(f"x{i}*x{i + 1}" for i in range(1, n))

    def grad(p):
        g = np.zeros(n)
        g[:-1] += p[1:]
        g[1:] += p[:-1]
        return g
    return text, grad


def _nested_sine(depth):
    text = "x1"
    for _ in range(depth):
        text = f"sin({text})"

    def grad(p):
        value, slope = p[0], 1.0
        for _ in range(depth):
            value, slope = math.sin(value), slope * math.cos(value)
        return np.array([slope])
    return text, grad


def _tanh_chain(n):
    # tanh(x1 + tanh(x2 + tanh(x3 + ...)))
    text = f"x{n}"
    for i in range(n - 1, 0, -1):
        text = f"x{i}+tanh({text})"
    text = f"tanh({text})"

    def grad(p):
        inner = [0.0] * (n + 1)
        inner[n] = p[n - 1]
        for i in range(n - 1, 0, -1):
            inner[i] = p[i - 1] + math.tanh(inner[i + 1])
        g, factor = np.zeros(n), 1 - math.tanh(inner[1]) ** 2
        for i in range(1, n):
            g[i - 1] = factor
            factor *= 1 - math.tanh(inner[i + 1]) ** 2
        g[n - 1] = factor
        return g
    return text, grad


def _power_of_sum(n, k):
    return f"({'+'.join(_names(n))})^{k}", lambda p: np.full(n, k * p.sum() ** (k - 1))


BUILDERS = {
    "product (xi+1)": (_product_plus_one, (20, 50, 100, 200)),
    "monomial x1...xn": (_monomial, (50, 100, 200)),
    "square of a sum": (_square_of_sum, (100, 1000)),
    "sine of a sum": (_sine_of_sum, (100, 300, 1000)),
    "exp of squares": (_exp_of_squares, (50, 200, 500)),
    "log of squares": (_log_of_squares, (100, 500)),
    "chain of products": (_sum_of_products, (100, 500, 1000)),
    "nested sine": (_nested_sine, (10, 30, 60)),
    "tanh chain": (_tanh_chain, (10, 20, 30)),
    "cube of a sum": (lambda n: _power_of_sum(n, 3), (50, 500)),
    "tenth power of a sum": (lambda n: _power_of_sum(n, 10), (20, 200)),
}

CASES = [pytest.param(kind, size, id=f"{kind}-{size}")
         for kind, (_, sizes) in BUILDERS.items() for size in sizes]


def _gradient_error(kind, size):
    build, _ = BUILDERS[kind]
    text, oracle = build(size)
    obj = symgd.Objective(text)
    p = _point(obj.n)
    got = obj.grad(p)
    want = oracle(p)
    return float(np.max(np.abs(got - want) / (1 + np.abs(want))))


@_isolation
@pytest.mark.parametrize("kind, size", CASES)
def test_large_gradients_are_right_and_bounded(kind, size):
    outcome = run_isolated(lambda: _gradient_error(kind, size), cpu=CPU, memory=MEMORY)
    if outcome.kind == "symgd":
        assert "MAX_" in outcome.detail, outcome
        return
    assert outcome.kind == "returned", outcome
    assert outcome.detail < 1e-9, outcome


def _refusal(make):
    try:
        make()
    except symgd.ResourceError as err:
        return str(err)
    return None


@_isolation
@pytest.mark.parametrize("text, part, name, limit", [
    ("".join(f"(x+{i})" for i in range(1, 1000)), "gradient", "MAX_GRADIENT_NODES",
     MAX_GRADIENT_NODES),
    ("+".join(f"x{i}^4" for i in range(1, 301)), "hessian", "MAX_HESSIAN_ENTRIES",
     MAX_HESSIAN_ENTRIES),
], ids=["gradient-over-the-node-budget", "hessian-over-the-entry-budget"])
def test_work_over_a_budget_is_refused_naming_the_limit(text, part, name, limit):
    outcome = run_isolated(lambda: _refusal(lambda: getattr(symgd.Objective(text), part)),
                           cpu=CPU, memory=MEMORY)
    assert outcome.kind == "returned", outcome
    assert name in outcome.detail and f"{limit:,}" in outcome.detail


def test_a_hessian_of_a_large_expression_matches_sympy():
    x = sp.symbols("x1:9", real=True)
    expr = sp.Mul(*[xi + 1 for xi in x]) * sp.sin(sum(x))
    got = symgd.Objective(expr).hessian
    p = {xi: sp.Rational(k + 1, 7) for k, xi in enumerate(x)}
    want = sp.hessian(expr, x)
    for i in range(len(x)):
        for j in range(len(x)):
            assert abs(sp.N((got[i, j] - want[i, j]).xreplace(p), 40)) < 1e-30


# --------------------------------------------- the adjoint pass against sympy.diff

_X = sp.symbols("x y z", real=True)
_UNARY = [sp.sin, sp.cos, sp.exp, sp.tanh, sp.atan, lambda u: sp.log(1 + u**2),
          lambda u: sp.sqrt(1 + u**2), sp.Abs, lambda u: u**3]


def _random_expression(rng, depth):
    if depth == 0:
        return rng.choice([*_X, sp.Integer(rng.randint(1, 4))])
    pick = rng.random()
    if pick < 0.35:
        return rng.choice(_UNARY)(_random_expression(rng, depth - 1))
    parts = [_random_expression(rng, depth - 1) for _ in range(rng.randint(2, 4))]
    return sp.Add(*parts) if pick < 0.7 else sp.Mul(*parts)


@pytest.mark.parametrize("seed", range(40))
def test_the_adjoint_gradient_equals_sympy_diff(seed):
    rng = random.Random(seed)
    expr = _random_expression(rng, 4)
    got = adjoint_gradient(expr, _X)
    point = {v: sp.Rational(rng.randint(-9, 9), 7) + sp.Rational(1, 13) for v in _X}
    for v, g in zip(_X, got):
        want = sp.diff(expr, v).replace(lambda e: isinstance(e, sp.DiracDelta),
                                        lambda e: sp.S.Zero)
        want = want.xreplace(point)
        have = g.xreplace(point)
        a, b = sp.N(have, 50), sp.N(want, 50)
        assert abs(a - b) <= 1e-35 * (1 + abs(b)), (expr, v, a, b)
