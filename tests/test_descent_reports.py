"""Result, History and Batch as reports, and the stopping rules shared by every loop."""

from __future__ import annotations

import inspect
import json
import math
import warnings

import numpy as np
import pytest

from symgd import Batch, History, Objective, Result, Status, descend, descend_many
from symgd.descent import check_limits, get_rule
from symgd.descent.codegen import fast_loop
from symgd.descent.loop import run
from symgd.descent.stopping import FINITE, STOP_RULES, UPDATES, VectorRules

from oracles import BOWL

DISPLAY_MAX = 5_000           # characters of a notebook display, at most
REPR_MAX = 150                # characters of a repr, at most


def results() -> dict[str, Result]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {"converged": descend(BOWL, [1, 1], lr=0.1),
                "diverged": descend(BOWL, [1, 1], lr=0.7),
                "max_iter": descend(BOWL, [1, 1], lr=0.01, max_iter=500),
                "not_finite": descend("log(x)", [1], lr=2)}


RESULTS = results()


def assert_short_repr(obj: object, name: str) -> None:
    text = repr(obj)
    assert text.startswith(f"<{name}: ") and text.endswith(">")
    assert "\n" not in text and len(text) < REPR_MAX, text


def assert_no_field_dump(display: str) -> None:
    for field in ("Result(", "history=", "jac=array", "History(names"):
        assert field not in display


# ------------------------------------------------------------ Result

@pytest.mark.parametrize("kind", RESULTS)
def test_result_text_is_the_message_then_first_and_last_rows(kind):
    res = RESULTS[kind]
    assert str(res) == res.text()
    lines = res.text().splitlines()
    assert lines[0] == res.message.splitlines()[0]
    table = [line.split() for line in res.table().splitlines()]
    cells = [line.split() for line in lines]
    assert table[0] in cells and table[1] in cells and table[-1] in cells
    if len(res.history) > 7:
        assert "..." in res.text() and len(lines) < len(table)


@pytest.mark.parametrize("kind", RESULTS)
def test_result_json_repr_and_displays(kind):
    res = RESULTS[kind]
    data = json.loads(res.to_json())
    assert data == json.loads(json.dumps(res.to_dict()))
    assert set(data) == {"x", "fun", "jac", "nit", "nfev", "njev", "nhev", "success",
                         "status", "message"}
    assert data["message"] == res.message and data["status"] == res.status
    assert_short_repr(res, "Result")
    assert f"success={res.success}" in repr(res)
    assert Status(res.status).name in repr(res)
    html = res._repr_html_()
    assert html and len(html) < DISPLAY_MAX and "<table>" in html
    assert_no_field_dump(html)
    assert res._repr_markdown_() is None         # the HTML form is shown instead
    latex = res._repr_latex_()
    assert latex.startswith(r"\begin{tabular}") and len(latex) < DISPLAY_MAX


def test_result_markdown_and_latex():
    res = RESULTS["converged"]
    md = res.markdown()
    assert md.startswith("Converged") and "| iteration |" in md
    assert_no_field_dump(md)
    assert res.latex() == res.table(fmt="latex")
    assert r"\toprule" in res.latex() and r"\bottomrule" in res.latex()
    assert res.format("json") == res.to_json()


def test_result_to_dict_is_unchanged_by_the_report_interface():
    res = RESULTS["not_finite"]
    d = res.to_dict()
    assert d["fun"] is None and d["x"] == {"x": -1.0}
    assert json.loads(res.to_json()) == d


# ------------------------------------------------------------ History

def test_history_report():
    h = RESULTS["converged"].history
    assert isinstance(h, History)
    assert str(h) == h.text() == RESULTS["converged"].table()
    data = json.loads(h.to_json())
    assert data["columns"] == list(h.columns) and len(data["rows"]) == len(h)
    assert_short_repr(h, "History")
    assert f"{len(h)} rows" in repr(h)
    md = h._repr_markdown_()
    assert len(md) < DISPLAY_MAX and "| … |" in md and md.startswith("| iteration |")
    assert len(h._repr_latex_()) < DISPLAY_MAX
    assert h.markdown().count("\n") == len(h) + 1          # the whole table
    assert h.latex().startswith(r"\begin{tabular}")


def test_history_display_of_a_long_run_stays_short():
    res = descend("-log(x)", 1.0, lr=0.01, max_iter=20_000)
    for display in (res.history._repr_markdown_(), res.history._repr_latex_(),
                    res._repr_html_(), res.markdown(), res.text()):
        assert len(display) < DISPLAY_MAX


def test_history_with_exact_rows_is_json_ready():
    res = descend("x^2", [0.25], lr=0.25, max_iter=1, exact=1)
    data = json.loads(res.history.to_json())
    assert data["exact"][1][0] == "1/8"


# ------------------------------------------------------------ Batch

@pytest.fixture(scope="module")
def batch() -> Batch:
    return descend_many(BOWL, [1, 1], lr=[0.1, 0.6, 0.7, 0.01], max_iter=300)


def test_batch_text_counts_runs_and_names_the_best(batch):
    assert str(batch) == batch.text()
    first, best = batch.text().splitlines()
    assert first == "4 runs of x, y: 2 converged, 1 reached max_iter, 1 diverged."
    i = batch.best()
    assert batch.success[i] and batch.fun[i] == batch.fun[batch.success].min()
    assert best.startswith(f"Best run: {i} (start (x = 1, y = 1), lr = ")
    assert batch.counts() == {Status.CONVERGED: 2, Status.MAX_ITER: 1, Status.DIVERGED: 1}


def test_batch_json_repr_and_display(batch):
    data = json.loads(batch.to_json())
    assert data["runs"] == 4 and data["best"] == batch.best()
    assert data["counts"] == {"CONVERGED": 2, "MAX_ITER": 1, "DIVERGED": 1}
    assert [r["status"] for r in data["results"]] == [Status(s).name for s in batch.status]
    assert_short_repr(batch, "Batch")
    md = batch._repr_markdown_()
    assert md and len(md) < DISPLAY_MAX
    assert_no_field_dump(md)
    assert isinstance(batch[2], Result) and batch[2].status == Status.DIVERGED


def test_batch_of_runs_that_all_fail_says_so():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        failed = descend_many("log(x)", [[-1.0], [-2.0]], lr=0.1)
    assert failed.best() is None
    assert failed.text().splitlines() == ["2 runs of x: 2 became nan or infinite.",
                                          "No run ended at a finite loss."]


# ------------------------------------------------------------ one set of stopping rules

PROBLEMS = {
    "converged": (BOWL, [1.0, 1.0], 0.1, {}, Status.CONVERGED),
    "small change": (BOWL, [1.0, 1.0], 0.1, {"ftol": 1e-3}, Status.SMALL_CHANGE),
    "diverged": (BOWL, [1.0, 1.0], 0.7, {}, Status.DIVERGED),
    "patience": (BOWL, [1.0, 1.0], 0.7, {"patience": 5}, Status.DIVERGED),
    "overflow": ("x^4", [10.0], 1.0, {}, Status.DIVERGED),
    "pole": ("x^2 + 1/x", [1.0], 0.5, {}, Status.DIVERGED),
    "not finite": ("log(x)", [1.0], 2.0, {}, Status.NOT_FINITE),
    "not finite at start": ("log(x)", [-1.0], 0.1, {}, Status.NOT_FINITE),
    "falls to -inf": ("-exp(x)", [1.0], 1000.0, {}, Status.NOT_FINITE),
    "max_iter": (BOWL, [1.0, 1.0], 0.01, {"max_iter": 5}, Status.MAX_ITER),
    "no tol": (BOWL, [1.0, 1.0], 0.1, {"max_iter": 7, "tol": None}, Status.MAX_ITER),
}


@pytest.mark.parametrize("name", PROBLEMS)
def test_every_loop_stops_by_the_same_rules(name):
    text, start, lr, options, status = PROBLEMS[name]
    obj = Objective(text)
    limits = check_limits(options.get("max_iter", 1000), options.get("tol", 1e-8),
                          options.get("ftol", 0.0), options.get("patience", 20))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        generated = descend(obj, start, lr=lr, **options)
        general = run(obj, get_rule("fixed", lr), np.array(start), limits, fast=False)
        many = descend_many(obj, [start, start], lr=[lr, lr], **options)
    assert generated.status == status, generated.message
    for res in (general, many[0], many[1]):
        assert (res.status, res.nit, res.message) == \
            (generated.status, generated.nit, generated.message)
        np.testing.assert_allclose(res.x, generated.x, rtol=1e-12, atol=1e-300)


def test_the_generated_loop_pastes_in_each_rule_once():
    source = inspect.getsource(fast_loop(Objective(BOWL)))
    for rule in STOP_RULES:
        assert source.count(f"if {rule.condition}:") == 1
        assert f"status = {rule.status.name}" in source


def random_states(k: int, seed: int) -> dict[str, np.ndarray]:
    """Loop states with every kind of value: large, small, zero, nan, ±inf."""
    rng = np.random.default_rng(seed)
    special = np.array([np.nan, np.inf, -np.inf, 0.0, 1.0, 1e308, -1e308])

    def column():
        values = rng.normal(size=k) * 3
        odd = rng.random(k) < 0.25
        values[odd] = rng.choice(special, size=odd.sum())
        return values

    return {"f": column(), "gn": np.abs(column()), "prev": column(), "first": column(),
            "rises": rng.integers(0, 25, size=k), "stuck": rng.random(k) < 0.25}


@pytest.mark.parametrize("it, ftol, stop", [(0, 0.0, False), (7, 0.0, False),
                                            (7, 0.5, False), (7, 0.0, True),
                                            (1000, 0.1, False)])
def test_the_rules_on_arrays_give_what_the_rules_on_floats_give(it, ftol, stop):
    runs = random_states(500, seed=it)
    fixed = {"it": it, "stop": stop, "tol": 0.5, "ftol": ftol, "patience": 20,
             "max_iter": 1000}
    state = {**fixed, **runs}
    with np.errstate(all="ignore"):
        found = VectorRules().stop(state, 500)
        VectorRules().advance(state)
    for i in range(500):
        floats = {**fixed, **{name: values[i].item() for name, values in runs.items()}}
        floats["ok"] = eval(FINITE, {"isfinite": math.isfinite}, floats)
        expected = next((rule.status for rule in STOP_RULES
                         if eval(rule.condition, {}, floats)), -1)
        assert found[i] == expected, floats
        for name, update in UPDATES:
            assert state[name][i] == pytest.approx(eval(update, {}, floats), nan_ok=True)
