"""Several runs on one figure: their colours, labels and the shared box.

The first run is drawn in the path red of every single-run figure; the
others take the colours of :data:`RUN_COLORS`, which never repeats the path
red (nor the green of the marked minimum). Calling a plot function again on
the same Axes adds a run in the next colour instead of drawing the
background again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..descent import History, Result
from ..errors import InputError, InputTypeError
from .common import COLORS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["RUN_COLORS", "PATH_GID", "LEVELS_GID", "runs_of", "run_label", "run_color",
           "paths_on", "has_levels", "is_many"]

#: The colours of runs drawn together, in order: the path red first, then
#: colours that are neither red nor the minimum's green.
RUN_COLORS: tuple[str, ...] = (COLORS["path"], "#1f77b4", "#ff7f0e", "#9467bd", "#17becf",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#000000")
#: The ``gid`` of each run's path line and of the filled levels, so that a
#: second call on the same Axes knows what is already there.
PATH_GID = "symgd-path"
LEVELS_GID = "symgd-levels"


def is_many(result: object) -> bool:
    """True for several runs: a list or tuple of results, a Batch or a Race."""
    if isinstance(result, (Result, History)) or result is None:
        return False
    return isinstance(result, (list, tuple)) or hasattr(result, "results") \
        or (hasattr(result, "__getitem__") and hasattr(result, "starts"))


def runs_of(result: object) -> list[Result | History]:
    """The runs in ``result``: one Result or History, a list or tuple of them,
    a :class:`~symgd.descent.Batch` or a race."""
    if result is None:
        return []
    if isinstance(result, (Result, History)):
        return [result]
    if hasattr(result, "results"):
        items: Sequence[Any] = list(result.results)
    elif isinstance(result, (list, tuple)):
        items = list(result)
    elif hasattr(result, "__getitem__") and hasattr(result, "starts"):   # a Batch
        items = list(result)
    else:
        raise InputTypeError(f"expected a Result of symgd.descend, its History, or a list "
                             f"of them, got {type(result).__name__}")
    if not items:
        raise InputError("the list of runs is empty")
    for i, item in enumerate(items):
        if not isinstance(item, (Result, History)):
            raise InputTypeError(f"run {i} is a {type(item).__name__}, not a Result of "
                                 f"symgd.descend or its History")
    return items


def run_label(run: Result | History, i: int, labels: Sequence[str] | None = None) -> str:
    """The legend entry of run ``i``: the given label, else its step rule and γ."""
    if labels is not None:
        if i >= len(labels):
            raise InputError(f"labels has {len(labels)} entries for more runs than that")
        return str(labels[i])
    if isinstance(run, Result):
        rule = getattr(run, "step", None) or "run"
        lr = f", $\\gamma = {run.lr:.3g}$" if run.lr is not None else ""
        return f"{rule}{lr}"
    return f"run {i + 1}"


def run_color(i: int) -> str:
    """The colour of the ``i``-th run on a figure."""
    return RUN_COLORS[i % len(RUN_COLORS)]


def paths_on(ax: Axes) -> int:
    """How many runs symgd has already drawn on ``ax``."""
    return sum(1 for line in ax.get_lines() if line.get_gid() == PATH_GID)


def has_levels(ax: Axes) -> bool:
    """True when symgd has already filled the contour levels of ``ax``."""
    return any(getattr(c, "get_gid", lambda: None)() == LEVELS_GID for c in ax.collections)


def check_labels(labels: Sequence[str] | None, count: int) -> Sequence[str] | None:
    if labels is None:
        return None
    if isinstance(labels, str) or len(labels) != count:
        raise InputError(f"labels must be a list of {count} names, one per run, got "
                         f"{labels!r:.60}")
    return labels
