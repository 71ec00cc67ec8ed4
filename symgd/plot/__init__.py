r"""Figures of a descent: loss curves, contours, surfaces, slices and fits.

Every plot function draws on the matplotlib Axes it is given (or on a new
figure when ``ax=None``), never calls ``plt.show()``, and returns a
:class:`Drawn`: the figure, the axes and the data it plotted, so that a test
or a script can check what is on a figure without looking at pixels.

matplotlib is imported only when a figure is drawn (``import symgd`` does
not import it). Without a display (a server, a CI job), an interactive
backend is replaced by ``Agg``; any other backend the user chose is left
alone.

Colours are the same in every figure: the descent path in red (start: an
open circle, end: a filled one), the minimum as a green cross, the downhill
direction :math:`-\nabla f` as dark arrows, tangents in orange, data points
and residual lines in blue.

The figures live in :mod:`.curves` (loss, slice), :mod:`.contour` (contour,
surface, basins), :mod:`.data` (fit, snapshots) and :mod:`.rates` (learning
rates, sweep); :mod:`.common` holds what they share.

Examples
--------
>>> import numpy as np, symgd
>>> res = symgd.descend("x^2 + x*y + y^2", start=[2, 1], lr=0.1)
>>> d = plot_contour("x^2 + x*y + y^2", res)
>>> d.minimum.tolist(), d.xlabel, d.ylabel
([0.0, 0.0], '$x$', '$y$')
>>> bool(np.array_equal(d.x, res.history.x[:, 0]))
True
>>> d.close()
"""

from .animate import animate
from .common import COLORS, FORMATS, Drawn, save
from .contour import plot_basins, plot_contour, plot_surface
from .curves import plot_loss, plot_slice
from .data import plot_fit, plot_snapshots
from .explore import Explorer, explore
from .rates import plot_learning_rates, plot_lr_sweep

__all__ = ["Drawn", "plot_loss", "plot_contour", "plot_surface", "plot_slice", "plot_fit",
           "plot_snapshots", "plot_learning_rates", "plot_basins", "plot_lr_sweep", "save",
           "animate", "explore", "Explorer", "COLORS", "FORMATS"]
