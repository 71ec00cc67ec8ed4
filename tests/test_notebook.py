"""examples/lessons.ipynb runs top to bottom on a real kernel and shows the
rich outputs a lesson needs (LaTeX objective, HTML tables, Markdown
derivations, figures), with the lessons' numbers."""

from __future__ import annotations

import collections
import pathlib

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat", reason="needs the notebook extra (nbformat)")
nbclient = pytest.importorskip("nbclient", reason="needs the notebook extra (nbclient)")
pytest.importorskip("ipykernel", reason="needs the notebook extra (ipykernel)")
pytest.importorskip("ipywidgets", reason="needs the notebook extra (ipywidgets)")

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "examples" / "lessons.ipynb"


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    return nb


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            for out in cell.outputs:
                yield cell, out


def _result_of(nb, source_start):
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start))
    return next(o for o in cell.outputs if o.output_type == "execute_result")["data"]


def test_the_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_every_cell_runs_without_an_error(executed):
    errors = [out for _, out in _outputs(executed) if out.output_type == "error"]
    assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]
    warnings = [out.text for _, out in _outputs(executed)
                if out.output_type == "stream" and out.name == "stderr"
                and "Warning" in out.text and "TCP" not in out.text]
    assert not warnings


def test_the_rich_outputs_a_lesson_needs(executed):
    kinds = collections.Counter(kind for _, out in _outputs(executed)
                                for kind in out.get("data", {}))
    assert kinds["text/latex"] >= 3          # the objectives as mathematics
    assert kinds["text/html"] >= 2           # results, tables, the animation
    assert kinds["text/markdown"] >= 4       # derivations and reports
    assert kinds["image/png"] >= 8           # the figures
    objective = _result_of(executed, "z = symgd.Objective")
    assert "x^{2} + x y + y^{2}" in objective["text/latex"]
    animation = _result_of(executed, "anim = race.animate")
    assert "<img" in animation["text/html"] and "data:image/png;base64" in animation["text/html"]


def test_the_lessons_numbers(executed):
    slope = _result_of(executed, "pizza = symgd.mse")["text/plain"]
    assert float(slope) == pytest.approx(-588.0)
    fit = _result_of(executed, "X = np.column_stack")["text/plain"]
    numbers = np.array([float(v) for v in
                        fit.replace("array", "").replace("(", " ").replace(")", " ")
                        .replace("[", " ").replace("]", " ").replace(",", " ").split()])
    least_squares, descent = numbers[:2], numbers[2:4]
    np.testing.assert_allclose(descent, least_squares, rtol=1e-5)
