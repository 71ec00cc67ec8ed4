"""Shared test settings and fixtures.

Hypothesis draws new random examples on every run, which is how the property
and fuzz tests keep finding new cases. CI sets ``HYPOTHESIS_PROFILE=ci`` to
draw the same examples every time, so that a submission's result does not
depend on the luck of the draw.

The shared oracles and the lessons' data are in ``oracles.py`` (importable
from every test file: pytest puts ``tests/`` on ``sys.path``).
"""

import os

import pytest
from hypothesis import settings

from oracles import KIND_NAMES, Kind, make_kind

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="module", params=KIND_NAMES,
                ids=[name.replace(" ", "-") for name in KIND_NAMES])
def objective_kind(request: pytest.FixtureRequest) -> Kind:
    """One objective of each kind symgd handles, as ``(name, objective, point)``:
    a plain expression (the bowl), a quadratic data loss (the cars MSE), the
    same loss evaluated row by row, a log-loss and a network's MSE (see
    ``oracles.make_kind``). ``point`` is a read-only float array in the order
    of ``objective.names``."""
    return make_kind(request.param)
