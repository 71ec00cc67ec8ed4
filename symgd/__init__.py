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

from .analysis import (Analysis, StationaryPoint, StepBound, analyze, local_bounds,
                       stationary_points, step_size_bound)
from .check import (ComponentCheck, GradientReport, HessianReport, NumericReport, StepsReport,
                    check_grad, check_gradient, check_hessian, check_many,
                    check_report_exit_code, check_steps)
from .data import (MLP, DataObjective, Dataset, dataset_path, linear_model, log_loss, loss,
                   mae, mlp, mse, read_table, sse)
from .errors import (DataError, InputError, InputTypeError, ObjectiveError, ParseError,
                     ResourceError, SymgdError)
from .explain import Derivation, Explanation, explain
from .expr import parse
from .objective import Objective
from .plot import (Drawn, Explorer, animate, explore, plot_basins, plot_contour, plot_fit,
                   plot_learning_rates, plot_loss, plot_lr_sweep, plot_slice, plot_snapshots,
                   plot_surface)
from .plot import save as save_figure
from .descent import Batch, History, Iterate, Result, Status, descend, descend_many, minimize
from .descent import Race, race
from .lesson import Lesson, report
from .descent import RULES, StepRule

__version__ = "0.1.0"

__all__ = [
    "Objective", "parse", "descend", "descend_many", "minimize", "race", "Race", "Result",
    "Batch", "History",
    "Iterate", "Status", "RULES", "StepRule",
    "step_size_bound", "StepBound", "stationary_points", "StationaryPoint", "analyze",
    "Analysis", "local_bounds",
    "DataObjective", "loss", "mse", "sse", "mae", "log_loss", "linear_model", "mlp", "MLP",
    "Dataset", "read_table", "dataset_path",
    "check_gradient", "check_hessian", "check_grad", "check_steps", "check_many",
    "check_report_exit_code",
    "GradientReport", "HessianReport", "ComponentCheck", "NumericReport", "StepsReport",
    "explain", "Explanation", "Derivation",
    "Drawn", "plot_loss", "plot_contour", "plot_surface", "plot_slice", "plot_fit",
    "plot_snapshots", "plot_learning_rates", "plot_basins", "plot_lr_sweep", "save_figure",
    "animate", "explore", "Explorer", "report", "Lesson",
    "SymgdError", "ParseError", "ObjectiveError", "ResourceError", "InputError", "InputTypeError",
    "DataError", "__version__",
]
