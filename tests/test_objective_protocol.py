"""Every kind of objective answers the one objective protocol, consistently.

The kinds: a plain expression, a quadratic data loss (sufficient
statistics), a data loss evaluated row by row (a mean squared error with
statistics declined, a log-loss), a data loss polynomial but not quadratic
in its parameters (reduced to a polynomial), and a network's loss.
"""

from __future__ import annotations

import ast
import pathlib
import re

import numpy as np
import pytest
import sympy as sp

import symgd
from symgd import ObjectiveError
from symgd.objective import Compiled, Evaluator, Objective

PACKAGE = pathlib.Path(symgd.__file__).resolve().parent


def _labels(rows: int = 40, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, rows)
    return {"x": x, "y": (x + 0.3 * rng.normal(size=rows) > 0).astype(float)}


def _line(rows: int = 30, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, rows)
    return {"x": x, "y": 3 * x - 1 + rng.normal(scale=0.1, size=rows)}


def _network_data(rows: int = 25, seed: int = 2) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, rows)
    return {"x1": x, "y": np.sin(2 * x)}


# name -> (builder, expected facts); built lazily so a failure names its kind
KINDS = {
    "plain": (lambda: Objective("x^2 + x*y + y^2"),
              dict(data=False, inlinable=True, vectorized=True, quadratic=True,
                   linear=False)),
    "quadratic-data": (lambda: symgd.mse("w*weight + b", "cars", target="mpg",
                                         params=["w", "b"]),
                       dict(data=True, inlinable=True, vectorized=True, quadratic=True,
                            linear=False)),
    "row-by-row-mse": (lambda: symgd.mse("w*weight + b", "cars", target="mpg",
                                         params=["w", "b"], sufficient_statistics=False),
                       dict(data=True, inlinable=False, vectorized=False, quadratic=True,
                            linear=False)),
    "row-by-row-log-loss": (lambda: symgd.log_loss("sigmoid(w*x + b)", _labels()),
                            dict(data=True, inlinable=False, vectorized=False,
                                 quadratic=False, linear=False)),
    "polynomial-data": (lambda: symgd.loss("(w^2*x + b - y)^2", _line()),
                        dict(data=True, inlinable=True, vectorized=True, quadratic=False,
                             linear=False)),
    "network": (lambda: symgd.mse(symgd.mlp((1, 2, 1)), _network_data()),
                dict(data=True, inlinable=False, vectorized=False, quadratic=False,
                     linear=False)),
}

PROTOCOL = ("names", "n", "variables", "expr", "gradient", "hessian", "partial", "label",
            "name", "point", "value", "grad", "value_and_grad", "hess", "exact_parts",
            "inlinable", "is_quadratic", "degree_bound", "real_symbols", "real_expr",
            "real_gradient", "real_hessian", "index", "evaluator", "hessian_evaluator",
            "vectorized", "hessian_is_cheap", "quadratic_is_known", "is_cheaply_quadratic",
            "is_linear", "per_sample", "data_symbols", "rows", "compiled")
DATA_PROTOCOL = ("data", "columns", "reduce", "model", "target", "display", "textbook",
                 "row_evaluator", "least_squares", "per_sample_gradient")

_BUILT: dict[str, Objective] = {}


@pytest.fixture(params=list(KINDS))
def kind(request):
    name = request.param
    if name not in _BUILT:
        _BUILT[name] = KINDS[name][0]()
    return name, _BUILT[name], KINDS[name][1]


def _points(obj: Objective, count: int = 3) -> list[np.ndarray]:
    rng = np.random.default_rng(obj.n)
    return [rng.normal(scale=0.5, size=obj.n) for _ in range(count)]


# ------------------------------------------------------- members and facts

def test_every_protocol_member_exists(kind):
    _, obj, facts = kind
    assert isinstance(obj, Objective)
    for member in PROTOCOL:
        assert hasattr(obj, member), member
    for member in DATA_PROTOCOL:
        assert hasattr(obj, member) is facts["data"], member
    assert isinstance(obj.evaluator, Evaluator)
    assert isinstance(obj.hessian_evaluator, Evaluator)
    assert obj.compiled is obj.evaluator


def test_names_symbols_and_index_agree(kind):
    _, obj, _ = kind
    assert tuple(s.name for s in obj.real_symbols) == obj.names
    assert tuple(v.name for v in obj.variables) == obj.names
    assert obj.n == len(obj.names)
    for k, name in enumerate(obj.names):
        assert obj.index(name) == k == obj.index(obj.real_symbols[k])
    assert len(obj.gradient) == obj.n
    assert obj.partial(obj.names[-1]) == obj.gradient[-1]
    assert obj.hessian.shape == (obj.n, obj.n)
    assert obj.label == (obj.name or "f")


def test_data_members_are_set_exactly_for_data_losses(kind):
    _, obj, facts = kind
    if not facts["data"]:
        assert obj.per_sample is None and obj.rows is None and obj.data_symbols == ()
        return
    assert isinstance(obj.per_sample, sp.Expr)
    assert obj.rows == obj.data.rows > 0
    assert {s.name for s in obj.data_symbols} == set(obj.columns)
    assert obj.reduce in ("mean", "sum")
    assert not set(obj.data_symbols) & set(obj.real_symbols)
    assert obj.textbook.reduce(obj.per_sample).has(sp.Sum)
    point = _points(obj, 1)[0]
    np.testing.assert_allclose(obj.row_evaluator.at(point), obj.evaluator.at(point),
                               rtol=1e-9, atol=1e-12)


def test_kind_facts(kind):
    _, obj, facts = kind
    assert obj.inlinable is facts["inlinable"]
    assert obj.vectorized is facts["vectorized"]
    assert obj.is_linear is facts["linear"]
    assert obj.is_cheaply_quadratic is facts["quadratic"]
    assert obj.is_quadratic is facts["quadratic"]
    assert obj.quadratic_is_known
    assert isinstance(obj.hessian_is_cheap, bool)
    assert obj.degree_bound is None or obj.degree_bound in (0, 1, 2)
    if facts["quadratic"] and obj.degree_bound is not None:
        assert obj.degree_bound == 2


def test_closed_forms_exist_exactly_when_inlinable(kind):
    _, obj, facts = kind
    if not facts["inlinable"]:
        assert obj.real_expr is None and obj.real_gradient is None
        assert obj.real_hessian is None
        return
    compiled = Compiled(obj.real_symbols, (obj.real_expr, *obj.real_gradient))
    for point in _points(obj):
        np.testing.assert_allclose(compiled.at(point), obj.evaluator.at(point),
                                   rtol=1e-9, atol=1e-9)
    assert obj.real_hessian.shape == (obj.n, obj.n)


# ------------------------------------------------------------- numerics

def test_evaluator_is_value_and_gradient(kind):
    _, obj, _ = kind
    for point in _points(obj):
        out = obj.evaluator.at(point)
        assert len(out) == obj.n + 1 and all(isinstance(v, float) for v in out)
        assert out[0] == obj.value(point)
        np.testing.assert_array_equal(out[1:], obj.grad(point))
        value, grad = obj.value_and_grad(point)
        assert value == out[0]
        np.testing.assert_array_equal(grad, out[1:])


def test_many_points_agree_with_one_at_a_time(kind):
    _, obj, _ = kind
    points = np.array(_points(obj, 4)).T           # one row per coordinate
    many = obj.evaluator.at_array(list(points))
    assert len(many) == obj.n + 1 and all(v.shape == (4,) for v in many)
    for k in range(4):
        np.testing.assert_allclose([v[k] for v in many], obj.evaluator.at(points[:, k]),
                                   rtol=1e-12, atol=1e-12)
    entries = obj.hessian_evaluator.at_array(list(points))
    assert len(entries) == obj.n * obj.n
    for k in range(4):
        np.testing.assert_allclose(np.array([v[k] for v in entries]).reshape(obj.n, obj.n),
                                   obj.hess(points[:, k]), rtol=1e-12, atol=1e-12)


def test_hessian_agrees_with_central_differences_of_the_gradient(kind):
    _, obj, _ = kind
    for point in _points(obj, 2):
        H = obj.hess(point)
        assert H.shape == (obj.n, obj.n)
        np.testing.assert_array_equal(H, H.T)
        np.testing.assert_array_equal(
            H, np.array(obj.hessian_evaluator.at(point)).reshape(obj.n, obj.n))
        steps = 1e-5 * np.maximum(1.0, np.abs(point))
        columns = []
        for j in range(obj.n):
            e = np.zeros(obj.n)
            e[j] = steps[j]
            columns.append((obj.grad(point + e) - obj.grad(point - e)) / (2 * steps[j]))
        numeric = np.column_stack(columns)
        scale = max(1.0, float(np.abs(H).max()))
        np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-5 * scale)


def test_exact_parts_are_closed_forms_or_a_clear_error(kind):
    name, obj, _ = kind
    polynomial = name in ("plain", "quadratic-data", "row-by-row-mse", "polynomial-data")
    if not polynomial:
        with pytest.raises(ObjectiveError, match="polynomial"):
            obj.exact_parts()
        return
    f, grad = obj.exact_parts()
    point = _points(obj, 1)[0]
    at = dict(zip(obj.real_symbols, (sp.Float(v, 30) for v in point)))
    assert float(f.xreplace(at)) == pytest.approx(obj.value(point), rel=1e-9)
    np.testing.assert_allclose([float(g.xreplace(at)) for g in grad], obj.grad(point),
                               rtol=1e-8, atol=1e-9)


# ----------------------------------------------------- between the kinds

def test_quadratic_losses_solve_to_the_same_least_squares_point():
    fast = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    slow = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"],
                     sufficient_statistics=False)
    np.testing.assert_allclose(slow.least_squares(), fast.least_squares(), rtol=1e-9)
    np.testing.assert_allclose(fast.grad(fast.least_squares()), 0.0, atol=1e-9)
    np.testing.assert_allclose(slow.hess([0, 0]), fast.hess([0, 0]), rtol=1e-12)


def test_a_loss_linear_in_its_parameters_is_linear_whichever_way_it_is_evaluated():
    data = _line()
    for statistics in (True, False):
        obj = symgd.loss("w*x + b - y", data, sufficient_statistics=statistics)
        assert obj.is_linear and obj.is_quadratic and obj.is_cheaply_quadratic
        np.testing.assert_array_equal(obj.hess([0.3, 0.2]), np.zeros((2, 2)))


def test_a_plain_objective_is_told_quadratic_without_building_its_hessian():
    obj = Objective("(x - y)^2 + 3*x")
    assert not obj.quadratic_is_known
    assert obj.is_cheaply_quadratic and obj.degree_bound == 2
    assert not obj.quadratic_is_known            # the degree test built nothing
    assert obj.is_quadratic and obj.quadratic_is_known
    cubic = Objective("x^3 + y")
    assert not cubic.is_cheaply_quadratic and not cubic.is_quadratic


def test_the_hessian_of_a_quadratic_data_loss_is_cheap_and_constant():
    obj = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    assert obj.hessian_is_cheap and obj.quadratic_is_known
    np.testing.assert_array_equal(obj.hess([0, 0]), obj.hess([5.0, -3.0]))
    np.testing.assert_array_equal(np.array(obj.real_hessian, dtype=float), obj.hess([1, 1]))


# ------------------------------------------------------ the design holds

def _modules():
    for package in ("objective", "data"):
        yield from sorted((PACKAGE / package).glob("*.py"))


def test_no_module_reads_private_caches_or_patches_instances():
    # vars(math), the math module's functions for compiled code, is no object's cache
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"__dict__|\bvars\((?!math\))", text), path.name


def test_underscore_names_are_imported_in_one_marked_place_only():
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                found += [(path.name, a.name) for a in node.names if a.name.startswith("_")
                          and not a.name.startswith("__")]
    assert found == [("core.py", "_constant_values"), ("core.py", "_names_list")]
    core = (PACKAGE / "objective" / "core.py").read_text(encoding="utf-8")
    assert "TODO(protocol)" in core.split("_constant_values")[0]


def test_the_evaluation_modules_need_no_type_ignores():
    for name in ("objective/core.py", "objective/strategy.py", "objective/evaluator.py",
                 "data/objective.py", "data/statistics.py", "data/rows.py",
                 "data/sample.py", "data/losses.py"):
        assert "type: ignore" not in (PACKAGE / name).read_text(encoding="utf-8"), name
