"""The figures under their former module name, for the code that still imports it.

The figures live in :mod:`symgd.plot` (common, curves, contour, data,
rates); this module only re-exports them.
"""

from .common import COLORS, FORMATS, Drawn, save
from .contour import plot_basins, plot_contour, plot_surface
from .curves import plot_loss, plot_slice
from .data import plot_fit, plot_snapshots
from .rates import plot_learning_rates, plot_lr_sweep

__all__ = ["Drawn", "plot_loss", "plot_contour", "plot_surface", "plot_slice", "plot_fit",
           "plot_snapshots", "plot_learning_rates", "plot_basins", "plot_lr_sweep", "save",
           "COLORS", "FORMATS"]
