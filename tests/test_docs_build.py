"""The reference manual (docs/) builds with Sphinx, warnings as errors, and
covers every public name; its SciPy page's examples run as doctests."""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import symgd

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NEEDED = ("sphinx", "numpydoc", "myst_nb", "ipykernel")


def test_every_public_name_has_an_api_entry():
    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. auto(?:function|class|data):: (\w+)", text, re.M))
    assert documented == set(symgd.__all__) - {"__version__"}


def test_the_manual_builds_without_warnings(tmp_path):
    missing = [m for m in NEEDED if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the docs extra is not installed ({', '.join(missing)}): "
                    "pip install 'symgd[docs]'")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q",
                           "-b", "html", "-d", str(tmp_path / "doctrees"), str(DOCS),
                           str(tmp_path / "html")],
                          capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    # Sphinx's warnings ("file: WARNING: ..."); the kernel that runs the notebook
    # logs lines of its own ("[IPKernelApp] WARNING | ...") that are not the manual's
    sphinx_warnings = [line for line in proc.stderr.splitlines()
                       if "WARNING:" in line and not line.startswith("[IPKernelApp]")]
    assert not sphinx_warnings, proc.stderr[-4000:]
    api = (tmp_path / "html" / "api.html").read_text(encoding="utf-8")
    for name in ("symgd.minimize", "symgd.Objective.hessp", "symgd.Result.keys"):
        assert f'id="{name}"' in api
    guide = (tmp_path / "html" / "guide.html").read_text(encoding="utf-8")
    assert "_images/contour.png" in guide            # the README's figures come along
    lessons = (tmp_path / "html" / "lessons.html").read_text(encoding="utf-8")
    assert "Gradient descent in three lessons" in lessons
    assert lessons.count("<img") >= 5                # the notebook's figures, executed
    assert "Converged" in lessons                    # a result's rich output


def test_the_scipy_page_examples_run():
    pytest.importorskip("scipy")
    failures, tried = doctest.testfile(str(DOCS / "scipy.md"), module_relative=False,
                                       optionflags=doctest.ELLIPSIS)
    assert tried > 10 and failures == 0
