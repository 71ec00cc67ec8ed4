"""symgd: symbolic differentiation and gradient descent, explained.

Write an objective as text, SymPy or a Python function; symgd derives its
exact gradient and Hessian with SymPy, compiles them once to fast numeric
code, and runs gradient descent, recording every step.

>>> import symgd
>>> obj = symgd.Objective("z = x² + xy + y²")
>>> obj.gradient
(2*x + y, x + 2*y)
>>> res = symgd.descend(obj, start=[1, 1], lr=0.1)
>>> res.success
True
"""

from .analysis import StepBound, step_size_bound
from .exceptions import (InputError, InputTypeError, ObjectiveError, ParseError,
                         SymgdError)
from .objective import Objective
from .parsing import parse
from .run import History, Iterate, Result, Status, descend
from .steps import RULES, StepRule

__version__ = "0.1.0"

__all__ = [
    "Objective", "parse", "descend", "Result", "History", "Iterate", "Status",
    "step_size_bound", "StepBound", "RULES", "StepRule",
    "SymgdError", "ParseError", "ObjectiveError", "InputError", "InputTypeError",
    "__version__",
]
