"""Step rules (parametrized over the registry), schedules, and many runs at once."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import rosen

import symgd
from symgd import InputError, InputTypeError, Status, descend
from symgd.descent import ELEMENTWISE_RULES, RULES, descend_many, get_rule
from symgd.descent.steps import adam, momentum, nesterov, schedule

# Standard test functions: (expression, usual start, published minima).
FUNCTIONS = {
    "booth": ("(x + 2*y - 7)^2 + (2*x + y - 5)^2", [0, 0], [[1, 3]]),
    "matyas": ("0.26*(x^2 + y^2) - 0.48*x*y", [5, -3], [[0, 0]]),
    "beale": ("(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
              [1, 1], [[3, 0.5]]),
    "himmelblau": ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", [0, 0],
                   [[3, 2], [-2.805118, 3.131312], [-3.779310, -3.283186],
                    [3.584428, -1.848126]]),
    "rosenbrock": ("(1 - x)^2 + 100*(y - x^2)^2", [-1.2, 1], [[1, 1]]),
    "rosenbrock5": (None, [1.3, 0.7, 0.8, 1.9, 1.2], [[1, 1, 1, 1, 1]]),
    "camel": ("2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2", [1, 1], [[0, 0]]),
}
# Learning rates that work for each rule (line searches and Newton use lr as
# their first trial step).
LR = {
    "fixed": dict(booth=0.05, matyas=1.0, beale=0.01, himmelblau=0.01, rosenbrock=1e-3,
                  rosenbrock5=1e-3, camel=0.05),
    "momentum": dict(booth=0.01, matyas=0.5, beale=0.002, himmelblau=0.002,
                     rosenbrock=2e-4, rosenbrock5=2e-4, camel=0.01),
    "nesterov": dict(booth=0.01, matyas=0.5, beale=0.002, himmelblau=0.002,
                     rosenbrock=2e-4, rosenbrock5=2e-4, camel=0.01),
    "adam": dict(booth=0.1, matyas=0.1, beale=0.05, himmelblau=0.1, rosenbrock=0.02,
                 rosenbrock5=0.01, camel=0.05),
    "adagrad": {name: 0.5 for name in FUNCTIONS},
    "rmsprop": {name: 0.01 for name in FUNCTIONS},
    "backtracking": dict(booth=1.0, matyas=1.0, beale=1.0, himmelblau=1.0, rosenbrock=1.0,
                         rosenbrock5=0.1, camel=1.0),
    "newton": {name: 1.0 for name in FUNCTIONS},
    "exact": dict(booth=1.0, matyas=1.0),          # quadratics only
}


# RMSProp's steps stay about lr long near a minimum: it converges only with a
# decreasing rate.
OPTIONS = {"rmsprop": dict(schedule="exponential", decay=0.999)}


def objective(name: str) -> symgd.Objective:
    expr = FUNCTIONS[name][0]
    return symgd.Objective.from_function(rosen, n=5) if expr is None else symgd.Objective(expr)


def test_every_registered_rule_is_tested():
    assert set(LR) == set(RULES)


@pytest.mark.parametrize("rule, name", [(r, f) for r in LR for f in LR[r]])
def test_each_rule_reaches_the_published_minimum(rule, name):
    _, start, minima = FUNCTIONS[name]
    res = descend(objective(name), start, lr=LR[rule][name], step=rule, max_iter=300_000,
                  tol=1e-7, **OPTIONS.get(rule, {}))
    assert res.success, res.message
    distance = min(np.abs(res.x - np.array(m)).max() for m in minima)
    assert distance < 1e-5


def test_newton_converges_quadratically_on_rosenbrock():
    res = descend(objective("rosenbrock"), [-1.2, 1], lr=1.0, step="newton", tol=1e-10)
    assert res.success and res.nit < 30
    norms = res.history.grad_norm
    # quadratic convergence: from |g| < 1e-2 to |g| < 1e-10 in a few steps
    near, done = np.argmax(norms < 1e-2), np.argmax(norms < 1e-10)
    assert 0 < done - near <= 4


def test_newton_on_a_quadratic_takes_one_step():
    res = descend("x^2 + x*y + y^2 - 3*x", [5, -7], lr=1.0, step="newton")
    assert res.nit == 1 and np.allclose(res.x, [2, -1])


def test_exact_line_search_needs_a_quadratic():
    with pytest.raises(InputError, match="quadratic"):
        descend("x^4 + y^2", [1, 1], step="exact")


def test_exact_line_search_minimizes_along_the_gradient():
    # From (1, 1) on z = x² + xy + y² the gradient is an eigenvector: one step.
    res = descend("x^2 + x*y + y^2", [1, 1], lr=1.0, step="exact")
    assert res.nit == 1 and np.allclose(res.x, 0)


# ------------------------------------------------------- update formulas

def test_momentum_update_formula():
    rule, g = momentum(0.1, beta=0.5), np.array([2.0, -1.0])
    s = rule.init(np.zeros(2))
    step1, s = rule.update(g, s, None, None)
    step2, s = rule.update(g, s, None, None)
    np.testing.assert_allclose(step1, 0.1 * g)                 # v1 = g
    np.testing.assert_allclose(step2, 0.1 * (0.5 * g + g))     # v2 = 0.5 v1 + g


def test_nesterov_update_formula():
    rule, g = nesterov(0.1, beta=0.5), np.array([2.0])
    s = rule.init(np.zeros(1))
    step, s = rule.update(g, s, None, None)
    np.testing.assert_allclose(step, 0.1 * (g + 0.5 * g))      # g + beta * v1, v1 = g


def test_adam_first_steps_match_the_formula():
    rule = adam(0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    s = rule.init(np.zeros(2))
    g1, g2 = np.array([3.0, -0.5]), np.array([1.0, 2.0])
    step1, s = rule.update(g1, s, None, None)
    step2, s = rule.update(g2, s, None, None)
    m = 0.9 * (0.1 * g1) + 0.1 * g2
    v = 0.999 * (0.001 * g1 ** 2) + 0.001 * g2 ** 2
    expected = 0.01 * (m / (1 - 0.9 ** 2)) / (np.sqrt(v / (1 - 0.999 ** 2)) + 1e-8)
    np.testing.assert_allclose(step1, 0.01 * np.sign(g1), rtol=1e-6)
    np.testing.assert_allclose(step2, expected, rtol=1e-12)


def test_rule_state_is_not_mutated():
    rule = adam(0.1)
    s0 = rule.init(np.zeros(2))
    before = [np.copy(a) if isinstance(a, np.ndarray) else a for a in s0]
    rule.update(np.ones(2), s0, None, None)
    for a, b in zip(s0, before):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------- schedules

@pytest.mark.parametrize("kind, options, t, factor", [
    ("constant", {}, 50, 1.0),
    ("step", {"decay": 0.5, "every": 10}, 25, 0.25),
    ("inverse", {"decay": 0.1}, 10, 0.5),
    ("exponential", {"decay": 0.9}, 2, 0.81),
])
def test_schedules(kind, options, t, factor):
    assert schedule(kind, **options)(t) == pytest.approx(factor)


def test_fixed_rule_with_a_schedule_matches_a_hand_loop():
    res = descend("x^2", [1.0], lr=0.4, step="fixed", schedule="exponential", decay=0.5,
                  max_iter=5, tol=None)
    x, expected = 1.0, [1.0]
    for t in range(5):
        x -= 0.4 * 0.5 ** t * 2 * x
        expected.append(x)
    np.testing.assert_allclose(res.history.x[:, 0], expected, rtol=1e-15)


@pytest.mark.parametrize("kwargs, error", [
    ({"step": "fixed", "beta": 0.9}, InputError),
    ({"step": "momentum", "beta": 1.0}, InputError),
    ({"step": "momentum", "beta": "0.9"}, InputTypeError),
    ({"step": "adam", "eps": 0}, InputError),
    ({"step": "fixed", "schedule": "cosine"}, InputError),
    ({"step": "fixed", "schedule": "step", "every": 0}, InputError),
    ({"step": "newton", "beta": 0.9}, InputTypeError),
])
def test_bad_rule_options(kwargs, error):
    with pytest.raises(error):
        descend("x^2 + y^2", [1, 1], lr=0.1, **kwargs)


def test_get_rule_lists_the_valid_names():
    with pytest.raises(InputError, match="adagrad, adam, backtracking, exact, fixed, "
                                         "momentum, nesterov, newton, rmsprop"):
        get_rule("adadelta", 0.1)


# ------------------------------------------------------- the step bound

def test_fixed_step_just_below_the_bound_converges_and_just_above_diverges():
    z = symgd.Objective("x^2 + x*y + y^2")
    bound = symgd.step_size_bound(z)
    assert bound.bound_text() == "2/3" and bound.best_text() == "1/2"
    below = descend(z, [1, -0.5], lr=0.99 * 2 / 3, max_iter=5000)
    above = descend(z, [1, -0.5], lr=1.01 * 2 / 3, max_iter=5000)
    assert below.status == Status.CONVERGED
    assert above.status == Status.DIVERGED and "2/3" in above.message


# ------------------------------------------------------------ many runs

@pytest.mark.parametrize("rule", sorted(ELEMENTWISE_RULES))
def test_descend_many_gives_what_separate_runs_give(rule):
    obj = symgd.Objective("x^2 + x*y + y^2")
    rng = np.random.default_rng(4)
    starts = rng.uniform(-3, 3, size=(40, 2))
    lrs = rng.uniform(0.01, 0.3, size=40)
    options = OPTIONS.get(rule, {})     # a constant-rate RMSProp hovers chaotically
    batch = descend_many(obj, starts, lr=lrs, step=rule, history=True, max_iter=2000,
                         **options)
    for i in range(0, 40, 3):
        single = descend(obj, starts[i], lr=lrs[i], step=rule, max_iter=2000, **options)
        run = batch[i]
        assert (run.nit, run.status) == (single.nit, single.status)
        if rule == "rmsprop":
            # RMSProp divides by the root of a small running mean while it hovers,
            # which magnifies a last-bit difference between one and many gradient
            # evaluations: the paths agree until the hovering, then at the end.
            np.testing.assert_allclose(run.history.x[:20], single.history.x[:20], rtol=1e-9)
            np.testing.assert_allclose(run.x, single.x, atol=1e-7)
        else:
            np.testing.assert_allclose(run.history.x, single.history.x, rtol=1e-12,
                                       atol=1e-15)
        assert run.message == single.message


def test_descend_many_over_learning_rates_finds_the_divergence_bound():
    lrs = np.array([0.5, 0.6, 0.66, 0.67, 0.7, 1.0])
    batch = descend_many("x^2 + x*y + y^2", [1, 1], lr=lrs, max_iter=5000)
    diverged = batch.status == Status.DIVERGED
    np.testing.assert_array_equal(diverged, lrs > 2 / 3)
    assert all(batch.success[~diverged])


def test_descend_many_keeps_first_and_last_rows_by_default():
    batch = descend_many("x^2 + y^2", [[1, 2], [3, 4]], lr=0.1)
    run = batch[1]
    assert len(run.history) == 2 and list(run.history.iteration) == [0, run.nit]
    np.testing.assert_array_equal(run.history.x[0], [3, 4])


@pytest.mark.parametrize("kwargs, error", [
    ({"starts": [[1, 2, 3]]}, InputError),
    ({"starts": [[1, np.nan]]}, InputError),
    ({"starts": [[1, 2]], "lr": [0.1, 0.2]}, InputError),
    ({"starts": [[1, 2]], "lr": -0.1}, InputError),
    ({"starts": [[1, 2]], "step": "newton"}, InputError),
    ({"starts": "ab"}, InputTypeError),
])
def test_descend_many_bad_input(kwargs, error):
    options = {"lr": 0.1, **kwargs}
    starts = options.pop("starts")
    with pytest.raises(error):
        descend_many("x^2 + y^2", starts, **options)


# ------------------------------------------- adaptive rules against PyTorch's

def _torch_adagrad(grad, x0, lr, steps, eps=1e-10):
    """torch.optim.Adagrad's documented algorithm (lr_decay = 0, weight_decay = 0,
    initial_accumulator_value = 0), written out independently of symgd."""
    x, state_sum, path = np.array(x0, float), np.zeros(len(x0)), []
    for _ in range(steps):
        g = grad(x)
        state_sum = state_sum + g * g
        x = x - lr * g / (np.sqrt(state_sum) + eps)
        path.append(x)
    return np.array(path)


def _torch_rmsprop(grad, x0, lr, steps, alpha, eps=1e-8):
    """torch.optim.RMSprop's documented algorithm (centered=False, momentum=0)."""
    x, v, path = np.array(x0, float), np.zeros(len(x0)), []
    for _ in range(steps):
        g = grad(x)
        v = alpha * v + (1 - alpha) * g * g
        x = x - lr * g / (np.sqrt(v) + eps)
        path.append(x)
    return np.array(path)


@pytest.mark.parametrize("name", ["rosenbrock", "beale", "himmelblau"])
def test_adagrad_and_rmsprop_follow_the_published_algorithms(name):
    obj, start = objective(name), FUNCTIONS[name][1]
    ada = descend(obj, start, lr=0.3, step="adagrad", max_iter=200, tol=None)
    np.testing.assert_allclose(ada.history.x[1:], _torch_adagrad(obj.grad, start, 0.3, 200),
                               rtol=1e-10, atol=1e-12)
    rms = descend(obj, start, lr=0.003, step="rmsprop", rho=0.99, max_iter=200, tol=None)
    np.testing.assert_allclose(rms.history.x[1:],
                               _torch_rmsprop(obj.grad, start, 0.003, 200, alpha=0.99),
                               rtol=1e-10, atol=1e-12)


def test_rmsprop_with_a_constant_rate_hovers_and_the_advice_says_why():
    res = descend("x^2 + x*y + y^2", [1, 2], lr=0.01, step="rmsprop", max_iter=20_000)
    assert res.status == Status.MAX_ITER
    assert 1e-3 < np.abs(res.x).max() < 0.02           # about lr from the minimum
    assert "schedule" in res.message and "more iterations will not help" in res.message
    fixed = descend("x^2 + x*y + y^2", [1, 2], lr=0.01, step="rmsprop", max_iter=20_000,
                    schedule="exponential", decay=0.999)
    assert fixed.success and np.abs(fixed.x).max() < 1e-6


@pytest.mark.parametrize("rule, option, bad", [
    ("adagrad", "eps", 0), ("adagrad", "eps", -1e-8), ("adagrad", "eps", float("nan")),
    ("rmsprop", "rho", 1.0), ("rmsprop", "rho", -0.1), ("rmsprop", "eps", "1e-8"),
])
def test_adaptive_rule_options_are_checked(rule, option, bad):
    with pytest.raises((InputError, InputTypeError), match=option):
        descend("x^2 + y^2", [1, 1], lr=0.1, step=rule, **{option: bad})
