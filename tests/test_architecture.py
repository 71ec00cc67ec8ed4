"""The layout's rules, checked on the source (docs/architecture.md).

Each rule is one the package keeps so that a change stays local: modules of
one job, no reaching into another module's or object's private names, one
process runner, one report interface.
"""

from __future__ import annotations

import ast
import inspect
import json
import pathlib
import re

import pytest

import symgd

PACKAGE = pathlib.Path(symgd.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 700

# Names with a leading underscore that other libraries document as public API:
# SymPy's printer hooks (_print, _print_<Class>, _latex, _as_ordered_terms,
# _sympystr), NamedTuple's _replace/_fields/_asdict, and os._exit.
_HOOK = re.compile(r"^_(print\w*|latex|as_ordered_terms|replace|fields|asdict|sympystr|exit)$")
_MODULES_READ_WITH_VARS = {"math"}      # vars(math): the names of a standard module


def _rel(path: pathlib.Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _tree(path: pathlib.Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def test_no_module_is_over_700_lines_without_a_reason_at_its_top():
    long = []
    for path in MODULES:
        lines = path.read_text(encoding="utf-8").splitlines()
        doc = ast.get_docstring(_tree(path)) or ""
        if len(lines) > MAX_LINES and "longer than 700 lines" not in doc.lower():
            long.append((_rel(path), len(lines)))
    assert not long


def test_no_module_imports_another_modules_underscore_names():
    found = []
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                found += [f"{_rel(path)}:{node.lineno} {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert not found


def _private_reaches(path: pathlib.Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "vars" and not (
                node.args and getattr(node.args[0], "id", None) in _MODULES_READ_WITH_VARS):
            found.append(f"{_rel(path)}:{node.lineno} vars(...)")
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or name.startswith("__") or _HOOK.match(name):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        if isinstance(owner, ast.Call) and getattr(owner.func, "id", None) == "super":
            continue
        found.append(f"{_rel(path)}:{node.lineno} {ast.unparse(node)}")
    return found


def test_no_module_reads_another_objects_private_attributes():
    found = [hit for path in MODULES for hit in _private_reaches(path)]
    assert not found


def test_kinds_of_objective_are_not_tested_outside_the_data_package():
    found = []
    for path in MODULES:
        if path.parent.name == "data":
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance" \
                    and len(node.args) == 2 and "DataObjective" in ast.unparse(node.args[1]):
                found.append(f"{_rel(path)}:{node.lineno}")
    assert not found


def test_only_the_process_runner_starts_processes_or_sets_signal_handlers():
    pattern = re.compile(r"\bos\.fork\b|\bmultiprocessing\b|\bsubprocess\b|signal\.signal"
                         r"|signal\.setitimer")
    starters = [_rel(p) for p in MODULES if pattern.search(p.read_text(encoding="utf-8"))]
    assert starters == ["symgd/_isolate.py"]


def test_the_package_init_only_re_exports():
    tree = _tree(PACKAGE / "__init__.py")
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "ImportFrom", "Import", "Assign"}
    assert sorted(symgd.__all__) == sorted(set(symgd.__all__))
    for name in symgd.__all__:
        assert hasattr(symgd, name), name


def test_symgd_explain_is_the_function():
    import symgd.explain as module_or_function    # noqa: F401
    assert callable(symgd.explain)
    assert "2*x" in symgd.explain("x^2").text()


# ------------------------------------------------------------- reports

def _reports():
    """One real instance of every report type a user gets back."""
    bowl = symgd.Objective("x^2 + x*y + y^2")
    cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    res = symgd.descend(bowl, [1, 1], lr=0.1)
    grad = symgd.check_gradient(bowl, "2x + y, x + 2y")
    return {
        "Result": res,
        "History": res.history,
        "Batch": symgd.descend_many(bowl, [[1, 1], [2, 0]], lr=0.1),
        "Race": symgd.race(bowl, [1, 1], rules=("fixed", "adam"), lr=0.1, max_iter=50),
        "Analysis": symgd.analyze(bowl, lr=0.1),
        "StepBound": symgd.step_size_bound(bowl),
        "StationaryPoints": symgd.stationary_points(bowl),
        "StationaryPoint": symgd.stationary_points(bowl)[0],
        "GradientReport": grad,
        "ComponentCheck": grad[0],
        "HessianReport": symgd.check_hessian(bowl, [[2, 1], [1, 2]]),
        "NumericReport": symgd.check_grad(lambda v: v @ v, lambda v: 2 * v, [1.0, 2.0]),
        "StepsReport": symgd.check_steps(cars, [[0, 0], [1.1972, 0.34286]], lr=0.01),
        "Explanation": symgd.explain(bowl, wrt="x"),
        "Derivation": symgd.explain(bowl, wrt="x").derivations[0],
        "Dataset": cars.data,
        "Drawn": _drawn(bowl, res),
        "Lesson": symgd.report(bowl, [1, 1], lr=0.1, frames=0),
        **_explorer(bowl),
    }


def _explorer(objective):
    """The notebook explorer, where its extra (ipywidgets) is installed."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return {}
    import matplotlib.pyplot as plt
    explorer = symgd.explore(objective, [1, 1])
    plt.close(explorer.figure)
    return {"Explorer": explorer}


def _drawn(objective, result):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    drawn = symgd.plot_contour(objective, result)
    plt.close(drawn.figure)
    return drawn


REPORTS = _reports()
_DUMP = re.compile(r"\b[A-Z]\w*\((\w+=)")


@pytest.mark.parametrize("kind", sorted(REPORTS))
def test_every_report_has_the_one_interface(kind):
    report = REPORTS[kind]
    for method in ("text", "markdown", "to_dict", "to_json"):
        assert callable(getattr(report, method, None)), method
    assert str(report) == report.text()
    assert json.loads(report.to_json()) == json.loads(json.dumps(
        symgd._text.json_safe(report.to_dict()), allow_nan=False))
    shown = repr(report)
    assert "\n" not in shown and len(shown) < 150 and not _DUMP.search(shown)


@pytest.mark.parametrize("kind", sorted(REPORTS))
def test_every_report_displays_readably_in_a_notebook(kind):
    report = REPORTS[kind]
    rich = report._repr_html_() or report._repr_markdown_()
    assert rich, "no rich display"
    assert len(rich) < 6000
    assert not _DUMP.search(re.sub(r"<[^>]+>", "", rich)), rich[:300]


def test_every_report_type_is_covered():
    from symgd._report import Report
    public = {name for name in symgd.__all__
              if inspect.isclass(getattr(symgd, name)) and issubclass(getattr(symgd, name), Report)}
    if "Explorer" not in REPORTS:       # a core-only install: no ipywidgets
        public.discard("Explorer")
    assert public <= set(REPORTS)
