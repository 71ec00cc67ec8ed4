"""Shared test settings.

Hypothesis draws new random examples on every run, which is how the property
and fuzz tests keep finding new cases. CI sets ``HYPOTHESIS_PROFILE=ci`` to
draw the same examples every time, so that a submission's result does not
depend on the luck of the draw.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
