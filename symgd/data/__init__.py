"""Data objectives: datasets and readers, losses, sufficient statistics, networks.

The modules, one job each: :mod:`.tables` (the :class:`Dataset` and its
readers), :mod:`.losses` (the loss constructors), :mod:`.objective` (the
:class:`DataObjective`), :mod:`.sample` (a per-sample loss with its data),
:mod:`.statistics` (sufficient statistics), :mod:`.rows` (per-row
evaluation) and :mod:`.networks` (multilayer perceptrons).
"""

from .losses import (LOSSES, MAX_LINEAR_FEATURES, REDUCTIONS, linear_model, log_loss, loss,
                     mae, mse, sse)
from .networks import ACTIVATIONS, INITIALIZERS, MLP, mlp, parse_mlp_spec
from .objective import DataObjective, Textbook
from .rows import RowEvaluator, RowStrategy
from .sample import SampleLoss
from .statistics import QuadraticEvaluator, StatisticsStrategy
from .tables import BUILTIN, Dataset, as_dataset, dataset_path, parse_table, read_table

__all__ = ["Dataset", "read_table", "parse_table", "as_dataset", "dataset_path", "BUILTIN",
           "DataObjective", "Textbook", "loss", "mse", "sse", "mae", "log_loss",
           "linear_model", "LOSSES", "REDUCTIONS", "MAX_LINEAR_FEATURES",
           "MLP", "mlp", "parse_mlp_spec", "INITIALIZERS", "ACTIVATIONS",
           "SampleLoss", "QuadraticEvaluator", "StatisticsStrategy", "RowEvaluator",
           "RowStrategy"]
