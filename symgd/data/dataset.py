"""The :class:`Dataset`: named, equal-length, finite float64 columns.

Its columns are read-only views of the caller's arrays, or copies when a
conversion is needed; readers (:mod:`symgd.data.tables`) build it.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Sequence

import numpy as np

from .._report import Report
from .._text import markdown_escape, names_list, number, plural, quote, truncate
from ..errors import DataError, InputTypeError

__all__ = ["Dataset"]

_SHOWN_NAMES = 10          # column names listed in a message, at most
_SHOWN_ROWS = 5            # rows a dataset's text shows
_SHOWN_COLUMNS = 8         # columns a dataset's text shows
_NAME_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?: [A-Za-z0-9_]+)*")
MAX_SHOWN_NAME = 24        # characters of a column name a message may quote


def looks_like_name(name: object) -> bool:
    """True for a column name that a message may quote: letters, digits and
    underscores (words separated by single spaces), starting with a letter or
    ``_``, at most :data:`MAX_SHOWN_NAME` characters.

    A file's first line is not always a header: for ``/etc/passwd`` it is
    ``root:x:0:0:...``, and messages must not show it.

    >>> looks_like_name("miles per gallon"), looks_like_name("root:x:0:0:root:/root")
    (True, False)
    """
    return isinstance(name, str) and len(name) <= MAX_SHOWN_NAME \
        and _NAME_LIKE.fullmatch(name) is not None


def column_label(name: str, index: int) -> str:
    """``column 'y'`` when the name looks like one, else ``column 3`` (1-based).

    >>> column_label("y", 1), column_label("API_KEY=sk-live-1234", 0)
    ("column 'y'", 'column 1')
    """
    return f"column {quote(name)}" if looks_like_name(name) else f"column {index + 1}"


def shown_names(names: Sequence[str], limit: int = _SHOWN_NAMES) -> str:
    """Column names for a message; a name that does not look like one
    (:func:`looks_like_name`) is shown as its position, ``(column 3)``.

    >>> shown_names(["x", "root:x:0:0"])
    'x, (column 2)'
    """
    shown = [n if looks_like_name(n) else f"(column {k + 1})"
             for k, n in enumerate(names[:limit])]
    return names_list(shown + list(names[limit:]), limit)


class Dataset(Report):
    """Named, equal-length, finite float64 columns.

    Parameters
    ----------
    columns : mapping of str to 1-D array-like
    source : str
        Where the data came from, for messages.

    Examples
    --------
    >>> d = Dataset({"x": [1, 2, 3], "y": [2.0, 4.0, 6.5]})
    >>> d.names, d.rows
    (('x', 'y'), 3)
    >>> d["y"]
    array([2. , 4. , 6.5])
    >>> d
    <Dataset: data: 3 rows, 2 columns (x, y)>
    >>> print(d)
    data: 3 rows, 2 columns (x, y)
      x    y
      1    2
      2    4
      3  6.5
    >>> d.to_dict()
    {'source': 'data', 'rows': 3, 'columns': ['x', 'y']}
    """

    def __init__(self, columns: Mapping[str, Any], source: str = "data") -> None:
        if not isinstance(columns, Mapping):
            raise InputTypeError(f"columns must be a mapping of names to arrays, got "
                                 f"{type(columns).__name__}")
        self.source = source
        #: True when the names come from a file: messages then quote only
        #: names that look like column names (see :func:`looks_like_name`).
        self.names_from_file = False
        self._columns: dict[str, np.ndarray] = {}
        self._sums: dict[str, float] = {}
        self._sums_current = False      # see take_current_sums
        for name, values in columns.items():
            if not isinstance(name, str) or not name.strip():
                raise DataError(f"{source}: column names must be non-empty strings, "
                                f"got {quote(name)}")
            self._columns[name], self._sums[name] = _column(values, name, source)
        if not self._columns:
            raise DataError(f"{source} has no columns")
        lengths = {k: len(v) for k, v in self._columns.items()}
        if len(set(lengths.values())) > 1:
            items = list(lengths.items())
            shown = ", ".join(f"{truncate(k, 30)}: {n}" for k, n in items[:_SHOWN_NAMES])
            if len(items) > _SHOWN_NAMES:
                shown += f", ... ({len(items)} columns in all)"
            raise DataError(f"{source}: columns have different lengths ({shown}); every "
                            "column needs one value per row")
        if not next(iter(lengths.values())):
            raise DataError(f"{source} has no rows")

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(self._columns)

    def shown_names(self) -> str:
        """The column names for a message (a file's names only where they look
        like names: :func:`shown_names`)."""
        return shown_names(self.names) if self.names_from_file else names_list(self.names)

    def column_sum(self, name: str) -> float:
        """The sum of a column (pairwise, as :func:`numpy.sum`), found when
        the column was checked: the statistics of a linear model centre the
        columns on their means with it, without a pass of their own.

        >>> Dataset({"x": [1.0, 2.0, 3.5]}).column_sum("x")
        6.5
        """
        return self._sums[name]

    def take_current_sums(self) -> bool:
        """Whether the column sums are surely those of the rows as they are
        now: true once, for a data set that :func:`~symgd.data.tables.as_dataset`
        made from the caller's data in the call that asks (a Dataset made
        before views arrays that the caller may have changed since). Asking
        uses it up.

        >>> d = Dataset({"x": [1.0, 2.0]})
        >>> d.take_current_sums()
        False
        >>> d.mark_sums_current()
        >>> d.take_current_sums(), d.take_current_sums()
        (True, False)
        """
        current, self._sums_current = self._sums_current, False
        return current

    def mark_sums_current(self) -> None:
        """The column sums are those of the rows now (see :meth:`take_current_sums`)."""
        self._sums_current = True

    def mark_sums_stale(self) -> None:
        """The column sums may no longer be those of the rows (see
        :meth:`take_current_sums`)."""
        self._sums_current = False

    @property
    def rows(self) -> int:
        """The number of rows."""
        return len(next(iter(self._columns.values())))

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._columns[name]
        except (KeyError, TypeError):   # TypeError: an unhashable name, such as a list
            raise DataError(f"{self.source} has no column {quote(name)}; its columns are "
                            f"{self.shown_names()}") from None

    def __contains__(self, name: object) -> bool:
        try:
            return name in self._columns
        except TypeError:               # an unhashable name is no column's name
            return False

    def __len__(self) -> int:
        return self.rows

    # ------------------------------------------------------------ report

    def headline(self) -> str:
        """Where the data came from, and its size: ``cars: 32 rows, 2 columns (weight, mpg)``."""
        return (f"{self.source}: {plural(self.rows, 'row')}, "
                f"{plural(len(self.names), 'column')} ({names_list(self.names)})")

    def _shown(self) -> tuple[list[str], list[list[str]]]:
        """The names and the first rows' cells that the text and Markdown show."""
        names = list(self.names[:_SHOWN_COLUMNS])
        cells = [[number(self._columns[n][r]) for n in names]
                 for r in range(min(self.rows, _SHOWN_ROWS))]
        return [truncate(n, 30) for n in names], cells

    def _more(self) -> str:
        more = []
        if self.rows > _SHOWN_ROWS:
            more.append(f"{plural(self.rows - _SHOWN_ROWS, 'more row')}")
        if len(self.names) > _SHOWN_COLUMNS:
            more.append(f"{plural(len(self.names) - _SHOWN_COLUMNS, 'more column')}")
        return ", ".join(more)

    def text(self) -> str:
        """The headline, then the first rows as a table."""
        names, cells = self._shown()
        widths = [max(len(c) for c in column) for column in zip(names, *cells)]
        lines = [self.headline()]
        lines += ["  " + "  ".join(c.rjust(w) for c, w in zip(row, widths))
                  for row in [names, *cells]]
        if self._more():
            lines.append(f"  ... ({self._more()})")
        return "\n".join(lines)

    def markdown(self) -> str:
        """The headline, then the first rows as a Markdown table."""
        names, cells = self._shown()
        lines = [markdown_escape(self.headline()), ""]
        lines.append("| " + " | ".join(markdown_escape(n) for n in names) + " |")
        lines.append("|" + "---:|" * len(names))
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        if self._more():
            lines += ["", f"... ({self._more()})"]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Where the data came from, its number of rows and its column names."""
        return {"source": self.source, "rows": self.rows, "columns": list(self.names)}

    def check_varies(self, name: str) -> None:
        """Raise DataError when column ``name`` holds one value in every row."""
        col = self[name]
        # most columns differ within their first values: no pass over the rest
        if self.rows > 1 and not (col[:64] != col[0]).any() and col.min() == col.max():
            label = column_label(name, self.names.index(name)) if self.names_from_file \
                else f"column {quote(name)}"
            raise DataError(
                f"{label} of {self.source} is constant (every row is {col[0]!r}): "
                "it carries no information, and as a feature it makes the fit "
                "degenerate; leave it out of the model")


def _column(values: Any, name: str, source: str) -> tuple[np.ndarray, float]:
    """The column as a read-only float64 array, and its sum."""
    try:
        arr = np.asarray(values)
    except Exception as err:
        raise DataError(f"{source}: column {quote(name)} cannot be read as numbers "
                        f"({truncate(err, 200)})") from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{source}: column {quote(name)} is not numeric (dtype {arr.dtype}); "
                        "give numbers")
    if arr.ndim != 1:
        if arr.ndim == 2 and 1 in arr.shape:
            arr = arr.reshape(-1)
        else:
            raise DataError(f"{source}: column {quote(name)} has shape {arr.shape}; a column "
                            "must be one-dimensional")
    if arr.dtype != np.float64 or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=np.float64)
    else:
        arr = arr.view()
    arr.flags.writeable = False
    # a sum of finite values is finite unless it overflows, and any inf or nan
    # makes it inf or nan: one pass, no mask, for the usual all-finite column
    with np.errstate(all="ignore"):
        total = float(np.add.reduce(arr))
    bad = None if math.isfinite(total) else ~np.isfinite(arr)
    if bad is not None and bad.any():
        row = int(np.argmax(bad))
        raise DataError(f"{source}: column {quote(name)} has a non-finite value ({arr[row]}) "
                        f"in row {row + 1}; remove or fill such rows first")
    return arr, total
