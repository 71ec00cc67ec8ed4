"""The analysis under its former module name, for the code that still imports it.

The analysis lives in :mod:`symgd.analysis` (stationary, bounds, minima,
report); this module only re-exports it.
"""

from .bounds import StepBound, local_bounds, step_size_bound
from .report import Analysis, analyze
from .stationary import StationaryPoint, StationaryPoints, stationary_points

__all__ = ["StepBound", "step_size_bound", "StationaryPoint", "StationaryPoints",
           "stationary_points", "Analysis", "analyze", "local_bounds"]
