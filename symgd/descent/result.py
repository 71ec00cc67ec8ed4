"""What a descent hands back: :class:`Result` (one run), :class:`Batch` (many
runs at once), :class:`History` (every iterate) and their displays.

All three share the report interface of :mod:`symgd._report`: ``str()`` is
:meth:`text`, ``repr()`` one short line, :meth:`to_dict`/``to_json()`` plain
data, and Markdown, LaTeX and (for a Result) HTML forms for notebooks.
Displays show the first and last rows of a long history, never all of it.
"""

from __future__ import annotations

import enum
import html
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, NamedTuple, Sequence

import numpy as np

from .._report import Report
from .._text import json_safe, markdown_escape, names_list, number, plural, point
from .table import format_table

__all__ = ["Status", "Iterate", "History", "Result", "Batch", "history_from_rows",
           "STATUS_WORDS"]

# Rows a display shows from each end of a long history (all rows when there
# are at most 2 * DISPLAY_ROWS + 1).
DISPLAY_ROWS = 3
_HTML_ROWS = 6                # first rows of a Result's HTML table (and the last 2)


class Status(enum.IntEnum):
    """Why a run stopped. ``Result.status`` holds one of these."""

    CONVERGED = 0   #: the gradient norm fell to ``tol``
    MAX_ITER = 1    #: ``max_iter`` steps were taken
    SMALL_CHANGE = 2  #: the loss changed by at most ``ftol`` (relative)
    DIVERGED = 3    #: the loss kept growing, or it can only fall forever (a linear objective)
    NOT_FINITE = 4  #: the loss or gradient became nan or infinite
    CALLBACK = 5    #: the callback asked to stop
    LINE_SEARCH_FAILED = 6  #: the step no longer moves the point (no decrease found)
    OSCILLATING = 7  #: fixed steps alternate at about the same loss (lr at the bound)
    UNBOUNDED = 8   #: the loss fell without bound along the path (no minimum)


# How a summary counts runs that stopped for each reason.
STATUS_WORDS = {
    Status.CONVERGED: "converged",
    Status.SMALL_CHANGE: "converged on a small change (ftol)",
    Status.MAX_ITER: "reached max_iter",
    Status.DIVERGED: "diverged",
    Status.NOT_FINITE: "became nan or infinite",
    Status.CALLBACK: "stopped by the callback",
    Status.LINE_SEARCH_FAILED: "stopped: the line search found no decrease",
    Status.OSCILLATING: "oscillated without converging",
    Status.UNBOUNDED: "fell without bound (no minimum)",
}


class Iterate(NamedTuple):
    """One iteration, as given to a callback and as a row of :class:`History`."""

    iteration: int
    x: np.ndarray
    loss: float
    grad: np.ndarray
    grad_norm: float


class History(Report):
    """Every iterate of a run: row ``k`` is the point *before* step ``k + 1``.

    Row 0 is the start. A run of ``nit`` steps has ``nit + 1`` rows, unless
    it was too long to keep them all (see :func:`descend`, ``history``):
    then the rows are the iterates at multiples of :attr:`stride` and the
    last one, and :attr:`iteration` says which iterate each row is.

    ``str(history)`` is the whole table; notebooks show its first and last
    rows.

    Attributes
    ----------
    names : tuple of str
        The variables' names.
    x, grad : ndarray, shape (rows, n)
    loss, grad_norm : ndarray, shape (rows,)
    iteration : ndarray of int, shape (rows,)
        The iteration of each row.
    stride : int
        1 when every iterate was recorded; ``s > 1`` when a long run was
        thinned to the iterates at multiples of ``s`` (and the last).

    Examples
    --------
    >>> h = History(("x",), [[1.0], [0.5]], [1.0, 0.25], [[2.0], [1.0]], [2.0, 1.0])
    >>> len(h), h.columns
    (2, ('iteration', 'x', 'loss', 'df/dx', 'grad_norm'))
    >>> np.asarray(h)
    array([[0.  , 1.  , 1.  , 2.  , 2.  ],
           [1.  , 0.5 , 0.25, 1.  , 1.  ]])
    >>> h[-1].loss
    0.25
    >>> repr(h)
    '<History: 2 rows of x>'
    >>> print(h)
    iteration    x  loss  grad_norm
            0    1     1          2
            1  0.5  0.25          1
    """

    def __init__(self, names: Sequence[str], x: Any, loss: Any, grad: Any,
                 grad_norm: Any, iteration: Any = None) -> None:
        n = len(names)
        self.names = tuple(names)
        self.x = np.asarray(x, dtype=float).reshape(-1, n)
        self.loss = np.asarray(loss, dtype=float).reshape(-1)
        self.grad = np.asarray(grad, dtype=float).reshape(-1, n)
        self.grad_norm = np.asarray(grad_norm, dtype=float).reshape(-1)
        self.iteration = (np.arange(len(self.loss)) if iteration is None
                          else np.asarray(iteration, dtype=int).reshape(-1))
        self.stride = 1                          # > 1 when a long run was thinned
        self.extra: dict[str, np.ndarray] = {}   # optional columns, e.g. "lr_bound"
        self.exact: list[tuple] | None = None    # first rows in exact arithmetic

    def __len__(self) -> int:
        return len(self.loss)

    def __getitem__(self, k: int) -> Iterate:
        k = range(len(self))[k]
        return Iterate(int(self.iteration[k]), self.x[k].copy(), float(self.loss[k]),
                       self.grad[k].copy(), float(self.grad_norm[k]))

    def __iter__(self) -> Iterator[Iterate]:
        return (self[k] for k in range(len(self)))

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names of :meth:`__array__` and :meth:`rows`."""
        return ("iteration", *self.names, "loss",
                *(f"df/d{v}" for v in self.names), "grad_norm", *self.extra)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        table = np.column_stack([self.iteration, self.x, self.loss, self.grad,
                                 self.grad_norm, *self.extra.values()]).astype(float)
        return table if dtype is None else table.astype(dtype)

    def rows(self) -> list[tuple[float, ...]]:
        """The history as a list of tuples in the order of :attr:`columns`."""
        return [(int(row[0]), *row[1:]) for row in np.asarray(self).tolist()]

    def to_dicts(self) -> list[dict[str, float]]:
        """The history as a list of ``{column: value}`` dictionaries."""
        return [dict(zip(self.columns, row)) for row in self.rows()]

    def select(self, picked: Sequence[int]) -> History:
        """A history of the rows ``picked`` only (their iteration numbers kept)."""
        picked = list(picked)
        part = History(self.names, self.x[picked], self.loss[picked], self.grad[picked],
                       self.grad_norm[picked], self.iteration[picked])
        part.stride = self.stride
        part.extra = {k: v[picked] for k, v in self.extra.items()}
        return part

    # ------------------------------------------------------ report interface

    def headline(self) -> str:
        thinned = f", at multiples of {self.stride:,}" if self.stride > 1 else ""
        return f"{plural(len(self), 'row')} of {names_list(self.names, noun='variables')}" \
               f"{thinned}"

    def text(self) -> str:
        """The whole table (see :meth:`Result.table` for options)."""
        return format_table(self) if len(self) else "(no rows)"

    def markdown(self) -> str:
        """The whole table in Markdown."""
        return format_table(self, fmt="markdown") if len(self) else "(no rows)"

    def latex(self) -> str:
        """The whole table in LaTeX (booktabs)."""
        return format_table(self, fmt="latex")

    def to_dict(self) -> dict[str, Any]:
        """The columns and the rows (and the exact rows, as text, when computed)."""
        out: dict[str, Any] = {"names": list(self.names), "stride": self.stride,
                               "columns": list(self.columns), "rows": self.rows()}
        if self.exact:
            out["exact"] = [[str(v) for v in row] for row in self.exact]
        return out

    def _repr_markdown_(self) -> str:
        return short_table(self, "markdown")

    def _repr_latex_(self) -> str:
        return short_table(self, "latex")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self) if cycle else short_table(self, "text"))


def short_table(history: History, fmt: str = "text", rows: int = DISPLAY_ROWS) -> str:
    """The table of the first and last ``rows`` rows, with a row of dots between
    them when rows were left out.

    >>> h = History(("x",), np.arange(10.0), np.arange(10.0), np.ones(10), np.ones(10))
    >>> print(short_table(h, rows=2))
    iteration  x  loss  grad_norm
            0  0     0          1
            1  1     1          1
          ...
            8  8     8          1
            9  9     9          1
    """
    count = len(history)
    if count == 0:
        return "(no rows)"
    if count <= 2 * rows + 1:
        return format_table(history, fmt=fmt)
    picked = [*range(rows), *range(count - rows, count)]
    lines = format_table(history.select(picked), fmt=fmt).splitlines()
    head = {"text": 1, "markdown": 2, "latex": 4}[fmt] + rows   # lines before the gap
    width = len(history.columns) if fmt != "text" else 0
    dots = {"text": "...".rjust(len("iteration")),
            "markdown": "| " + " | ".join(["…"] * width) + " |",
            "latex": " & ".join([r"\vdots"] * width) + r" \\"}[fmt]
    return "\n".join([*lines[:head], dots, *lines[head:]])


def history_from_rows(names: Sequence[str], rows: list[tuple],
                      iterations: np.ndarray) -> History:
    """A History from recorded rows ``(x..., f, g..., |g|)``."""
    n = len(names)
    width = 2 * n + 2
    table = np.fromiter(itertools.chain.from_iterable(rows), dtype=float,
                        count=len(rows) * width).reshape(len(rows), width)
    return History(names, table[:, :n], table[:, n], table[:, n + 1:2 * n + 1],
                   table[:, -1], iterations)


@dataclass(frozen=True, repr=False)
class Result(Report):
    """The outcome of :func:`descend`, with SciPy's field names.

    ``str(result)`` is the message and the first and last rows of the
    history; :meth:`table` gives the whole table in any format.

    Attributes
    ----------
    x : ndarray
        The last point.
    fun : float
        The objective there.
    jac : ndarray
        The gradient there.
    nit : int
        Steps taken.
    success : bool
        True when a convergence test was met, or, with ``tol=None`` (no
        gradient test), when all ``max_iter`` steps asked for were taken.
    status : int
        A :class:`Status` value.
    message : str
        What happened and, when it failed, what to try.
    history : History
        Every iterate.
    names : tuple of str
        The variables' names.
    lr : float
        The (base) learning rate of the run.
    tol : float or None
        The gradient-norm tolerance; None when the test was off.
    step : str or None
        The step rule's name (``"fixed"``, ``"momentum"``, ...).
    nfev, njev, nhev : int
        How many times the run evaluated the objective, its gradient and its
        Hessian (a Hessian-vector product counts as one). Value and gradient
        computed together count once in each; a line search's trial values
        count in ``nfev`` only. A mini-batch step counts one evaluation on
        its batch. Evaluations made afterwards to write the message's advice
        are not counted.
    backend : str
        What ran the loop: ``"numpy"`` (the default path) or ``"numba"``
        (the compiled loop of :mod:`symgd.fast.loops`).
    compile_time : float
        Seconds this call spent compiling the loop (0.0 when it was compiled
        before, or not compiled). Neither field is part of the mapping.

    Like SciPy's ``OptimizeResult``, a Result is also read as a mapping:
    ``res["x"]``, ``"nfev" in res``, ``res.keys()``, ``res.items()``,
    ``dict(res)``.

    Examples
    --------
    >>> from symgd import descend
    >>> res = descend("x^2", start=[1.0], lr=0.25, tol=1e-6)
    >>> res["nit"], res["nfev"], res.njev, "fun" in res
    (21, 22, 22, True)
    >>> list(res.keys())[:6]
    ['x', 'fun', 'jac', 'nit', 'nfev', 'njev']
    """

    x: np.ndarray
    fun: float
    jac: np.ndarray
    nit: int
    success: bool
    status: int
    message: str
    history: History
    names: tuple[str, ...] = field(default=())
    lr: float | None = None
    tol: float | None = None
    step: str | None = None
    nfev: int = 0
    njev: int = 0
    nhev: int = 0
    backend: str = "numpy"
    compile_time: float = 0.0

    # -------------------------------------------- OptimizeResult's mapping

    def keys(self) -> list[str]:
        """The field names, SciPy's first: ``x``, ``fun``, ``jac``, ``nit``,
        ``nfev``, ``njev``, ``nhev``, ``success``, ``status``, ``message``, then
        ``history``, ``names``, ``lr``, ``tol``, ``step``."""
        return list(_KEYS)

    def values(self) -> list[Any]:
        """The fields' values, in the order of :meth:`keys`."""
        return [getattr(self, k) for k in _KEYS]

    def items(self) -> list[tuple[str, Any]]:
        """``(name, value)`` pairs, in the order of :meth:`keys`."""
        return [(k, getattr(self, k)) for k in _KEYS]

    def get(self, key: str, default: Any = None) -> Any:
        """``res[key]``, or ``default`` when it is not a field."""
        return getattr(self, key) if key in _KEYS else default

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str) or key not in _KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __contains__(self, key: object) -> bool:
        return key in _KEYS

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)

    @property
    def point(self) -> dict[str, float]:
        """The last point as ``{name: value}``."""
        return dict(zip(self.names, (float(v) for v in self.x)))

    def table(self, every: int = 1, digits: int = 6, fmt: str = "text",
              gradient: bool = False, first: int = 0, exact: bool = False) -> str:
        """The history as a table; see :func:`symgd.descent.table.format_table`."""
        return format_table(self.history, every=every, digits=digits, fmt=fmt,
                            gradient=gradient, first=first, exact=exact)

    # ------------------------------------------------------ report interface

    def headline(self) -> str:
        return (f"success={self.success}, status={Status(self.status).name}, "
                f"nit={self.nit}, fun={number(self.fun)}")

    def text(self) -> str:
        """The message, then the first and last rows of the history."""
        return f"{self.message}\n\n{short_table(self.history)}"

    def markdown(self) -> str:
        """The message and the first and last rows as a Markdown table."""
        return f"{markdown_escape(self.message)}\n\n{short_table(self.history, 'markdown')}"

    def latex(self) -> str:
        """The whole history as a LaTeX (booktabs) table."""
        return self.table(fmt="latex")

    def _repr_latex_(self) -> str:
        return short_table(self.history, "latex")

    def html(self) -> str:
        """The message and the first and last rows as HTML, for notebooks."""
        return _result_html(self, _HTML_ROWS)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (non-finite numbers become ``None``)."""
        return {"x": {k: json_safe(v) for k, v in self.point.items()},
                "fun": json_safe(self.fun),
                "jac": {k: json_safe(v) for k, v in zip(self.names, self.jac)},
                "nit": self.nit, "nfev": self.nfev, "njev": self.njev, "nhev": self.nhev,
                "success": self.success, "status": int(self.status),
                "message": self.message}


_KEYS = ("x", "fun", "jac", "nit", "nfev", "njev", "nhev", "success", "status", "message",
         "history", "names", "lr", "tol", "step")


def _result_html(result: Result, rows: int) -> str:
    """The message and the first ``rows`` and last two rows of the history."""
    h = result.history
    keep = list(range(min(rows, len(h))))
    keep += [k for k in range(max(len(h) - 2, rows), len(h)) if k not in keep]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in h.columns)
    table = np.asarray(h)
    body = []
    for pos, k in enumerate(keep):
        if pos and k != keep[pos - 1] + 1:
            body.append(f"<tr><td colspan='{len(h.columns)}'>…</td></tr>")
        cells = [str(int(table[k, 0]))] + [f"{v:.6g}" for v in table[k, 1:]]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    state = ("converged" if result.status in (Status.CONVERGED, Status.SMALL_CHANGE)
             else "ran the steps asked for" if result.success else "did not converge")
    return (f"<p><b>{html.escape(state)}</b>: {html.escape(result.message)}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


# What a Batch asks to write the message of one run: (status, history,
# iterations, lr) -> message.
Explain = Callable[[Status, History, int, float], str]


class Batch(Report):
    """The outcome of :func:`descend_many`: one run per start (or learning rate).

    Arrays cover all runs at once; ``batch[i]`` is run ``i`` as a full
    :class:`Result` (its message is written when asked for). ``str(batch)``
    says how many runs converged or diverged and which run ended lowest.

    Attributes
    ----------
    x : ndarray, shape (k, n)
        Each run's last point.
    fun, nit, status, success, lr : ndarray, shape (k,)
    jac : ndarray, shape (k, n)
    starts : ndarray, shape (k, n)
    backend : str
        What ran the loop: ``"numpy"`` or ``"numba"`` (see :mod:`symgd.fast.choice`).
    compile_time : float
        Seconds this call spent compiling the loop (0.0 when it was compiled
        before, or not compiled).
    """

    def __init__(self, names: Sequence[str], starts: np.ndarray, lr: np.ndarray,
                 first: np.ndarray, last: np.ndarray, rows: np.ndarray | None,
                 nit: np.ndarray, status: np.ndarray, tol: float | None,
                 explain: Explain, step: str | None = None, backend: str = "numpy",
                 compile_time: float = 0.0) -> None:
        n = len(names)
        self.names = tuple(names)
        self.starts, self.lr = starts, lr
        self.x, self.fun = last[:, :n], last[:, n]
        self.jac, self.grad_norm = last[:, n + 1:2 * n + 1], last[:, -1]
        self.nit, self.status = nit, status
        self.success = np.isin(status, (Status.CONVERGED, Status.SMALL_CHANGE))
        if tol is None:        # tol=None asks for max_iter steps: taking them all succeeds
            self.success |= status == Status.MAX_ITER
        self._first, self._last, self._rows = first, last, rows
        self._tol, self._explain = tol, explain
        self.step = step
        self.backend, self.compile_time = backend, compile_time

    def __len__(self) -> int:
        return len(self.fun)

    def __getitem__(self, i: int) -> Result:
        i = range(len(self))[i]
        it = int(self.nit[i])
        if self._rows is not None:
            hist = self._history(self._rows[:it + 1, i], None)
        else:
            rows = np.array([self._first[i], self._last[i]]) if it else self._first[i][None, :]
            hist = self._history(rows, [0, it][:len(rows)])
        status = Status(int(self.status[i]))
        lr = float(self.lr[i])
        return Result(self.x[i].copy(), float(self.fun[i]), self.jac[i].copy(), it,
                      bool(self.success[i]), int(status), self._explain(status, hist, it, lr),
                      hist, self.names, lr, self._tol, self.step, nfev=it + 1, njev=it + 1,
                      backend=self.backend)

    def _history(self, rows: np.ndarray, iterations: Any) -> History:
        n = len(self.names)
        return History(self.names, rows[:, :n], rows[:, n], rows[:, n + 1:2 * n + 1],
                       rows[:, -1], iterations)

    def __iter__(self) -> Iterator[Result]:
        return (self[i] for i in range(len(self)))

    def counts(self) -> dict[Status, int]:
        """How many runs stopped for each reason, in the order of :class:`Status`."""
        found = dict(zip(*np.unique(self.status, return_counts=True)))
        return {s: int(found[s]) for s in Status if s in found}

    def best(self) -> int | None:
        """The run that ended lowest: among the successful runs if there are
        any, else among all; None when no run ended at a finite loss."""
        finite = np.isfinite(self.fun)
        for pool in (finite & self.success, finite):
            if pool.any():
                return int(np.flatnonzero(pool)[np.argmin(self.fun[pool])])
        return None

    # ------------------------------------------------------ report interface

    def text(self) -> str:
        """How many runs converged, diverged, ...; the best run."""
        counts = ", ".join(f"{c} {STATUS_WORDS[s]}" for s, c in self.counts().items())
        lines = [f"{plural(len(self), 'run')} of {names_list(self.names, noun='variables')}"
                 f": {counts or 'none'}."]
        i = self.best()
        if i is None and len(self):
            lines.append("No run ended at a finite loss.")
        elif i is not None:
            lines.append(
                f"Best run: {i} (start {point(self.names, self.starts[i])}, lr = "
                f"{number(self.lr[i])}): loss {number(self.fun[i])} at "
                f"{point(self.names, self.x[i])} after {plural(int(self.nit[i]), 'iteration')}"
                f", {STATUS_WORDS[Status(int(self.status[i]))]}.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The counts, the best run and every run's start, lr, end point and status."""
        best = self.best()
        return {"runs": len(self), "names": list(self.names),
                "counts": {s.name: c for s, c in self.counts().items()},
                "best": best,
                "results": [{"start": dict(zip(self.names, self.starts[i].tolist())),
                             "lr": float(self.lr[i]),
                             "x": dict(zip(self.names, self.x[i].tolist())),
                             "fun": float(self.fun[i]), "nit": int(self.nit[i]),
                             "status": Status(int(self.status[i])).name,
                             "success": bool(self.success[i])} for i in range(len(self))]}
