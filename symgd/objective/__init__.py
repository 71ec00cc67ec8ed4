"""The Objective: an expression, its ordered variables, derivatives and compiled forms.

The modules, one job each: :mod:`.core` (the :class:`Objective` and the
objective protocol), :mod:`.strategy` (how an objective is evaluated),
:mod:`.evaluator` (the one numeric interface, :class:`Evaluator`),
:mod:`.compile` (expressions to fast numeric code), :mod:`.derivatives`
(exact derivatives within bounds) and :mod:`.points` (checked points).
"""

from .compile import MATH_ERRORS, Compiled, auto_cse, inline_statements, nodes, python_statements
from .core import Objective, as_objective, natural_key
from .derivatives import (MAX_DERIVATIVE_SIZE, degree_bound, derivative, derivative_size,
                          directional_hessian, gradient_of, hessian_of)
from .evaluator import ConstantEvaluator, Evaluator, at_each_point
from .points import as_point
from .strategy import ExpressionStrategy, Strategy

__all__ = ["Objective", "as_objective", "natural_key", "derivative", "gradient_of",
           "hessian_of", "directional_hessian", "derivative_size", "MAX_DERIVATIVE_SIZE", "degree_bound",
           "Compiled", "python_statements", "inline_statements", "MATH_ERRORS", "auto_cse", "nodes",
           "Evaluator", "ConstantEvaluator", "at_each_point", "as_point",
           "Strategy", "ExpressionStrategy"]
