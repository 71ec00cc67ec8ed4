"""Every kind of objective answers the one objective protocol, consistently.

The kinds: those of the shared oracles (``oracles.make_kind``: a plain
expression, a quadratic data loss (sufficient statistics), the same loss
evaluated row by row, a log-loss, a network's loss) and a data loss
polynomial but not quadratic in its parameters (reduced to a polynomial).
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

from oracles import KIND_NAMES, Kind, cars_loss, jacobian, make_kind

PACKAGE = pathlib.Path(symgd.__file__).resolve().parent


def _line(rows: int = 30, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, rows)
    return {"x": x, "y": 3 * x - 1 + rng.normal(scale=0.1, size=rows)}


def _polynomial_kind() -> Kind:
    obj = symgd.loss("(w^2*x + b - y)^2", _line())
    return Kind("polynomial data loss", obj, obj.point({"b": 0.3, "w": -0.8}))


# The facts of each kind: a data loss, closed forms, many points in one call,
# quadratic, linear.
FACTS = {
    "expression": (False, True, True, True, False),
    "quadratic data loss": (True, True, True, True, False),
    "row-by-row data loss": (True, False, False, True, False),
    "log-loss": (True, False, False, False, False),
    "polynomial data loss": (True, True, True, False, False),
    "network loss": (True, False, False, False, False),
}
NAMES = ("data", "inlinable", "vectorized", "quadratic", "linear")

PROTOCOL = ("names", "n", "variables", "expr", "gradient", "hessian", "partial", "label",
            "name", "point", "value", "grad", "value_and_grad", "hess", "exact_parts",
            "inlinable", "is_quadratic", "degree_bound", "real_symbols", "real_expr",
            "real_gradient", "real_hessian", "index", "evaluator", "hessian_evaluator",
            "vectorized", "hessian_is_cheap", "quadratic_is_known", "is_cheaply_quadratic",
            "is_linear", "per_sample", "data_symbols", "rows", "compiled")
DATA_PROTOCOL = ("data", "columns", "reduce", "model", "target", "display", "textbook",
                 "row_evaluator", "least_squares", "per_sample_gradient")


@pytest.fixture(scope="module", params=list(FACTS),
                ids=[name.replace(" ", "-") for name in FACTS])
def kind(request):
    """``(name, objective, point, facts)`` for every kind: those of the shared
    oracles (``oracles.make_kind``) and a loss polynomial but not quadratic."""
    name = request.param
    made = _polynomial_kind() if name == "polynomial data loss" else make_kind(name)
    return name, made.objective, made.point, dict(zip(NAMES, FACTS[name]))


def _points(obj: Objective, point: np.ndarray, count: int = 3) -> list[np.ndarray]:
    """The kind's point and a few nearby ones."""
    rng = np.random.default_rng(obj.n)
    return [np.array(point)] + [point + rng.normal(scale=0.3, size=obj.n)
                                for _ in range(count - 1)]


def test_the_kinds_here_cover_the_shared_ones():
    assert set(KIND_NAMES) < set(FACTS)


# ------------------------------------------------------- members and facts

def test_every_protocol_member_exists(kind):
    _, obj, point, facts = kind
    assert isinstance(obj, Objective)
    for member in PROTOCOL:
        assert hasattr(obj, member), member
    for member in DATA_PROTOCOL:
        assert hasattr(obj, member) is facts["data"], member
    assert isinstance(obj.evaluator, Evaluator)
    assert isinstance(obj.hessian_evaluator, Evaluator)
    assert obj.compiled is obj.evaluator


def test_names_symbols_and_index_agree(kind):
    _, obj, point, _ = kind
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
    _, obj, point, facts = kind
    if not facts["data"]:
        assert obj.per_sample is None and obj.rows is None and obj.data_symbols == ()
        return
    assert isinstance(obj.per_sample, sp.Expr)
    assert obj.rows == obj.data.rows > 0
    assert {s.name for s in obj.data_symbols} == set(obj.columns)
    assert obj.reduce in ("mean", "sum")
    assert not set(obj.data_symbols) & set(obj.real_symbols)
    assert obj.textbook.reduce(obj.per_sample).has(sp.Sum)
    np.testing.assert_allclose(obj.row_evaluator.at(point), obj.evaluator.at(point),
                               rtol=1e-9, atol=1e-12)


def test_kind_facts(kind):
    _, obj, _, facts = kind
    assert obj.inlinable is facts["inlinable"]
    assert obj.vectorized is facts["vectorized"]
    assert obj.is_linear is facts["linear"]
    assert obj.is_cheaply_quadratic is facts["quadratic"]
    assert obj.is_quadratic is facts["quadratic"]
    assert obj.quadratic_is_known
    assert isinstance(obj.hessian_is_cheap, bool)
    assert obj.degree_bound in ((2, 1) if facts["quadratic"] else (None,))


def test_closed_forms_exist_exactly_when_inlinable(kind):
    _, obj, point, facts = kind
    if not facts["inlinable"]:
        assert obj.real_expr is None and obj.real_gradient is None
        assert obj.real_hessian is None
        return
    compiled = Compiled(obj.real_symbols, (obj.real_expr, *obj.real_gradient))
    for at in _points(obj, point):
        np.testing.assert_allclose(compiled.at(at), obj.evaluator.at(at),
                                   rtol=1e-9, atol=1e-9)
    assert obj.real_hessian.shape == (obj.n, obj.n)


# ------------------------------------------------------------- numerics

def test_evaluator_is_value_and_gradient(kind):
    _, obj, point, _ = kind
    for at in _points(obj, point):
        out = obj.evaluator.at(at)
        assert len(out) == obj.n + 1 and all(isinstance(v, float) for v in out)
        # value() computes the value alone (no gradient): equal to round-off
        assert out[0] == pytest.approx(obj.value(at), rel=1e-14, abs=1e-300, nan_ok=True)
        np.testing.assert_array_equal(out[1:], obj.grad(at))
        value, grad = obj.value_and_grad(at)
        assert value == out[0]
        np.testing.assert_array_equal(grad, out[1:])


def test_many_points_agree_with_one_at_a_time(kind):
    _, obj, point, _ = kind
    points = np.array(_points(obj, point, 4)).T           # one row per coordinate
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
    _, obj, point, _ = kind
    for at in _points(obj, point, 2):
        H = obj.hess(at)
        assert H.shape == (obj.n, obj.n)
        np.testing.assert_array_equal(H, H.T)
        np.testing.assert_array_equal(
            H, np.array(obj.hessian_evaluator.at(at)).reshape(obj.n, obj.n))
        numeric = jacobian(obj.grad, at)
        scale = float(np.abs(numeric).max())
        np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-5 * scale)


def test_exact_parts_are_closed_forms_or_a_clear_error(kind):
    name, obj, point, _ = kind
    if name in ("log-loss", "network loss"):
        with pytest.raises(ObjectiveError, match="polynomial"):
            obj.exact_parts()
        return
    f, grad = obj.exact_parts()
    at = dict(zip(obj.real_symbols, (sp.Float(v, 30) for v in point)))
    assert float(f.xreplace(at)) == pytest.approx(obj.value(point), rel=1e-9)
    np.testing.assert_allclose([float(g.xreplace(at)) for g in grad], obj.grad(point),
                               rtol=1e-8, atol=1e-9)


# ----------------------------------------------------- between the kinds

def test_quadratic_losses_solve_to_the_same_least_squares_point():
    fast, slow = cars_loss(), cars_loss(sufficient_statistics=False)
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
    obj = cars_loss()
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


def test_no_underscore_names_are_imported():
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                found += [(path.name, a.name) for a in node.names if a.name.startswith("_")
                          and not a.name.startswith("__")]
    assert not found


def test_the_evaluation_modules_need_no_type_ignores():
    for name in ("objective/core.py", "objective/strategy.py", "objective/evaluator.py",
                 "data/objective.py", "data/statistics.py", "data/rows.py",
                 "data/sample.py", "data/losses.py"):
        assert "type: ignore" not in (PACKAGE / name).read_text(encoding="utf-8"), name
