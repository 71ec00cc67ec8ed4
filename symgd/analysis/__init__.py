"""What exact derivatives tell about a descent before it runs.

:mod:`.stationary` finds where the gradient vanishes and classifies each
point; :mod:`.bounds` gives the step-size facts of the Hessian's
eigenvalues; :mod:`.minima` the minima figures mark; :mod:`.report` puts
them together in :func:`analyze`; :mod:`.numeric` evaluates an objective
at many points at once.
"""

from .bounds import StepBound, local_bounds, step_size_bound
from .minima import minimum_along, minimum_of
from .numeric import hessians, values_and_gradients
from .report import Analysis, analyze
from .stationary import StationaryPoint, StationaryPoints, stationary_points

__all__ = ["StepBound", "step_size_bound", "local_bounds", "StationaryPoint",
           "StationaryPoints", "stationary_points", "Analysis", "analyze", "minimum_of",
           "minimum_along", "values_and_gradients", "hessians"]
