"""Sphinx configuration of symgd's reference manual.

Build it with ``python -m sphinx -W -b html docs docs/_build`` (the ``docs``
extra installs Sphinx, numpydoc, MyST-NB and a Jupyter kernel); ``tests/test_docs_build.py``
builds it with warnings as errors.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import symgd  # noqa: E402  (after the path is set)

project = "symgd"
author = "symgd contributors"
copyright = "symgd contributors"
release = symgd.__version__
version = symgd.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",                  # Markdown pages (MyST) and the lessons notebook, executed
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "images"]

# The API pages document each public name with autofunction/autoclass, and
# the autosummary tables link to them: no stub pages are generated.
autosummary_generate = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"             # the numpydoc sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

# lessons.ipynb (a link to examples/lessons.ipynb) is run on every build, so
# the manual shows what the code does today; an error in a cell fails the build.
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True

html_theme = "alabaster"
html_title = f"symgd {release}"
html_static_path: list[str] = []
