"""Gradient descent: step rules, the loop, results and their histories.

Modules: :mod:`~symgd.descent.steps` (the pure step rules and their
registry), :mod:`~symgd.descent.stopping` (the stopping rules, written once),
:mod:`~symgd.descent.loop` (:func:`descend`), :mod:`~symgd.descent.codegen`
(the loop generated with the objective inlined),
:mod:`~symgd.descent.many` (:func:`descend_many`),
:mod:`~symgd.descent.race` (:func:`race`: step rules side by side),
:mod:`~symgd.descent.result` (Result, Batch, History),
:mod:`~symgd.descent.advice` (what to try when a run fails) and
:mod:`~symgd.descent.table` (iteration tables).
"""

from .codegen import HISTORY_MAX_VALUES
from .external import minimize
from .loop import FAST_PATH_MAX_VARIABLES, descend
from .many import descend_many
from .race import RACE_RULES, Race, race
from .result import Batch, History, Iterate, Result, Status
from .steps import ELEMENTWISE_RULES, RULES, SCHEDULES, StepRule, check_lr, get_rule
from .stopping import Limits, check_limits
from .table import TABLE_FORMATS, format_table

__all__ = ["descend", "descend_many", "minimize", "race", "Race", "RACE_RULES", "Result",
           "Batch", "History", "Iterate", "Status",
           "StepRule", "RULES", "SCHEDULES", "ELEMENTWISE_RULES", "get_rule", "check_lr",
           "Limits", "check_limits", "format_table", "TABLE_FORMATS",
           "FAST_PATH_MAX_VARIABLES", "HISTORY_MAX_VALUES"]
