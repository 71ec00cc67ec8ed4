"""Data sets for data objectives: columns of floats, checked once.

A :class:`Dataset` holds named 1-D float64 columns of equal length. It is
built from a mapping of arrays, a 2-D array with names, a text file with a
header line (whitespace, comma, semicolon or tab separated, as the lesson's
``pizza.txt``), a pandas DataFrame (pandas is not required by symgd), or a
built-in data set's name. The caller's arrays are never modified: columns
are read-only views, or copies when a conversion is needed.
"""

from __future__ import annotations

import csv
import io
import math
import os
import pathlib
import re
import stat
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .._report import Report
from .._text import markdown_escape, names_list, number, plural, quote, truncate
from ..errors import DataError, InputTypeError

__all__ = ["Dataset", "as_dataset", "read_table", "parse_table", "BUILTIN", "dataset_path"]

_HERE = pathlib.Path(__file__).resolve().parent / "files"
BUILTIN = {"cars": "cars.txt", "pizza": "pizza.txt"}
_MAX_FILE_BYTES = 2 * 1024 ** 3
_READ_BLOCK = 1 << 24      # bytes read at a time (the whole file is kept, up to the cap)
_SHOWN_NAMES = 10          # column names listed in a message, at most
_SHOWN_ROWS = 5            # rows a dataset's text shows
_SHOWN_COLUMNS = 8         # columns a dataset's text shows


def _source(path: object, limit: int = 200) -> str:
    """A path for messages, shortened in the middle when very long."""
    text = str(path)
    return text if len(text) <= limit else text[:limit - 60] + "..." + text[-57:]


def dataset_path(name: str) -> pathlib.Path:
    """The file of a built-in data set: ``"cars"`` or ``"pizza"``.

    >>> dataset_path("pizza").name
    'pizza.txt'
    """
    if name not in BUILTIN:
        raise DataError(f"no built-in data set {quote(name)}; choose one of "
                        f"{', '.join(sorted(BUILTIN))}")
    return _HERE / BUILTIN[name]


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
        self._columns: dict[str, np.ndarray] = {}
        for name, values in columns.items():
            if not isinstance(name, str) or not name.strip():
                raise DataError(f"{source}: column names must be non-empty strings, "
                                f"got {quote(name)}")
            self._columns[name] = _column(values, name, source)
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

    @property
    def rows(self) -> int:
        """The number of rows."""
        return len(next(iter(self._columns.values())))

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._columns[name]
        except (KeyError, TypeError):   # TypeError: an unhashable name, such as a list
            raise DataError(f"{self.source} has no column {quote(name)}; its columns are "
                            f"{names_list(self.names)}") from None

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
        if self.rows > 1 and col.min() == col.max():
            raise DataError(
                f"column {quote(name)} of {self.source} is constant (every row is {col[0]!r}): "
                "it carries no information, and as a feature it makes the fit "
                "degenerate; leave it out of the model")


def _column(values: Any, name: str, source: str) -> np.ndarray:
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
    bad = ~np.isfinite(arr)
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(f"{source}: column {quote(name)} has a non-finite value ({arr[row]}) "
                        f"in row {row + 1}; remove or fill such rows first")
    return arr


def as_dataset(data: Any, names: Sequence[str] | None = None) -> Dataset:
    """A :class:`Dataset` from anything symgd accepts as data.

    Parameters
    ----------
    data : Dataset, mapping, 2-D array, path, built-in name or DataFrame
        A path is a text file with a header line; ``"cars"`` and ``"pizza"``
        name the lessons' built-in data sets (a file of that name wins).
    names : sequence of str, optional
        Column names for a 2-D array (required then), or for a text file
        without a header line.

    >>> as_dataset(np.array([[1.0, 2.0], [3.0, 4.0]]), names=["x", "y"])["y"]
    array([2., 4.])
    """
    if isinstance(data, Dataset):
        return data
    if isinstance(data, (str, os.PathLike)):
        path = _resolve_path(data)
        dataset = read_table(path, names=names)
        if path != pathlib.Path(data):
            dataset.source = f"the built-in data set {str(data)!r}"
        return dataset
    if isinstance(data, Mapping):
        return Dataset(data, source="data")
    if _is_dataframe(data):
        return Dataset({str(c): data[c].to_numpy() for c in data.columns}, source="DataFrame")
    if isinstance(data, np.ndarray) or isinstance(data, (list, tuple)):
        return _from_matrix(data, names)
    raise InputTypeError(f"data must be a mapping of columns, a 2-D array with names, a "
                         f"file path or a DataFrame; got {type(data).__name__}")


def _is_dataframe(data: Any) -> bool:
    return type(data).__name__ == "DataFrame" and hasattr(data, "columns") \
        and hasattr(data, "__getitem__")


def _from_matrix(data: Any, names: Sequence[str] | None) -> Dataset:
    arr = np.asarray(data)
    if arr.ndim != 2:
        raise DataError(f"a data array must be 2-D (rows x columns), got shape {arr.shape}")
    if names is None:
        raise DataError(f"a 2-D data array needs column names: names=[...] with "
                        f"{arr.shape[1]} names")
    names = _names(names)
    if len(names) != arr.shape[1]:
        raise DataError(f"{len(names)} names given for {arr.shape[1]} columns")
    _check_unique(names, "data")
    return Dataset({n: arr[:, k] for k, n in enumerate(names)}, source="array")


def _names(names: Sequence[str] | str) -> list[str]:
    """Column names from a sequence, or from one string "x, y" / "x y"."""
    if isinstance(names, str):
        return [n for n in re.split(r"[\s,]+", names) if n]
    return [str(n) for n in names]


def _resolve_path(data: str | os.PathLike) -> pathlib.Path:
    path = pathlib.Path(data)
    if not _exists(path) and str(data) in BUILTIN:
        return dataset_path(str(data))
    _regular_file(path)
    return path


def _exists(path: pathlib.Path) -> bool:
    try:
        os.stat(path)
    except (OSError, ValueError):
        return False
    return True


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"))


def _not_regular(shown: str, mode: int) -> DataError:
    kind = next((k for test, k in _KINDS if test(mode)), "a special file")
    return DataError(f"{shown} is not a file of data but {kind}; give a regular text file "
                     "with a header line")


def _regular_file(path: pathlib.Path) -> os.stat_result:
    """``os.stat`` of a regular file; DataError for anything else.

    Devices (``/dev/zero``), FIFOs, sockets and directories are refused
    before they are opened: reading them could block or never end.
    """
    shown = repr(_source(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        hint = f" (built-in data sets: {', '.join(sorted(BUILTIN))})"
        raise DataError(f"no such data file: {shown}{hint}") from None
    except ValueError as err:          # an embedded NUL character
        raise DataError(f"cannot read {shown}: {err}") from None
    except OSError as err:
        raise DataError(f"cannot read {shown}: {err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(shown, info.st_mode)
    return info


_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))


def _read_bytes(path: pathlib.Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file (DataError when it holds more).

    The file is checked before it is opened, opened without blocking (in
    case it was replaced by a FIFO in between) and checked again; the read
    is bounded whatever the file's size claims to be.
    """
    shown = repr(_source(path))
    info = _regular_file(path)
    if info.st_size > limit:
        raise DataError(f"{shown} is too large ({info.st_size} bytes; at most {limit}): "
                        "give a smaller text file")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as err:
        raise DataError(f"cannot read {shown}: {err.strerror or err}") from None
    with open(fd, "rb", buffering=0, closefd=True) as file:
        mode = os.fstat(file.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(shown, mode)
        chunks, total = [], 0
        block = min(info.st_size + 1, _READ_BLOCK)
        try:
            while total <= limit:
                chunk = file.read(min(block, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                block = _READ_BLOCK
        except OSError as err:
            raise DataError(f"cannot read {shown}: {err.strerror or err}") from None
        except MemoryError:
            raise DataError(f"{shown} is too large to read into memory") from None
    data = b"".join(chunks)
    if len(data) > limit:
        raise DataError(f"{shown} is too large (more than {limit} bytes): give a smaller "
                        "text file")
    return data


def _check_unique(names: Iterable[str], source: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise DataError(f"{source}: column name {quote(n)} appears twice")
        seen.add(n)


def read_table(path: str | os.PathLike, names: Sequence[str] | None = None) -> Dataset:
    """Read a text table whose first line names the columns.

    Fields are separated by commas, semicolons, tabs or runs of spaces
    (decided from the header line). Blank lines and lines starting with
    ``#`` are skipped. A cell that is not a number is reported with its line
    and column.

    >>> read_table(dataset_path("pizza")).names
    ('Reservations', 'Pizzas')
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"read_table needs a file path, got {type(path).__name__}")
    path = pathlib.Path(path)
    data = _read_bytes(path, _MAX_FILE_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{_source(path)} is not a UTF-8 text file") from None
    return parse_table(text, source=_source(path), names=names)


def parse_table(text: str, source: str = "data", names: Sequence[str] | None = None) -> Dataset:
    """Parse the text of a table (see :func:`read_table`)."""
    # Only \n ends a line (str.splitlines would also split at form feeds, \x1c..\x1e,
    # \x85, \u2028 and \u2029, and misnumber the lines).
    lines = [(k + 1, line.rstrip("\r")) for k, line in enumerate(text.lstrip("\ufeff").split("\n"))
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise DataError(f"{source} is empty")
    split = _splitter(lines[0][1])
    header = split(lines[0][1])
    if names is not None:
        names = _names(names)
        if not all(_is_number(h) for h in header):
            lines = lines[1:]
    else:
        if all(_is_number(h) for h in header):
            raise DataError(f"{source}: the first line must name the columns (for example "
                            f"'x y'); it holds only numbers: {quote(lines[0][1].strip())}")
        names = [h.strip() for h in header]
        lines = lines[1:]
    if any(not n for n in names):
        raise DataError(f"{source}: a column in the header line has no name")
    _check_unique(names, source)
    if not lines:
        raise DataError(f"{source} has a header line but no rows")
    values = _fast_parse([line for _, line in lines], split, len(names))
    if values is None:
        values = _careful_parse(lines, split, names, source)
    return Dataset({n: values[:, k] for k, n in enumerate(names)}, source=source)


def _fast_parse(lines: list[str], split, width: int) -> np.ndarray | None:
    """NumPy's reader for well-formed tables; None where anything is off."""
    delimiter = None if split is str.split else split.__defaults__[0]
    try:
        values = np.loadtxt(lines, delimiter=delimiter, ndmin=2, dtype=float,
                            comments=None)
    except (ValueError, IndexError):
        return None
    if values.shape != (len(lines), width) or not np.isfinite(values).all():
        return None
    return values


def _careful_parse(lines: list[tuple[int, str]], split, names: list[str],
                   source: str) -> np.ndarray:
    """Cell by cell, to say which line and column is wrong."""
    values = np.empty((len(lines), len(names)))
    for r, (lineno, line) in enumerate(lines):
        fields = split(line)
        if len(fields) != len(names):
            raise DataError(f"{source}, line {lineno}: {_count(len(fields), 'field')}, but "
                            f"there are {_count(len(names), 'column name')}")
        for c, field in enumerate(fields):
            values[r, c] = _cell(field, lineno, names[c], source)
    return values


def _splitter(header: str):
    for sep in (",", ";", "\t"):
        if sep in header:
            return lambda line, sep=sep: next(csv.reader(io.StringIO(line), delimiter=sep))
    return str.split


# Unambiguous (each digit can be matched one way only), so that a failed match on
# a long cell ("999...9x") takes linear time, not quadratic.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text.strip()))


def _cell(field: str, lineno: int, column: str, source: str) -> float:
    text = field.strip()
    where = f"{source}, line {lineno}, column {quote(column)}"
    if _NOT_FINITE.fullmatch(text):
        raise DataError(f"{where}: {quote(text)} is not a finite number; remove or fill such rows "
                        "first")
    if not _NUMBER.fullmatch(text):
        raise DataError(f"{where}: {quote(text)} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise DataError(f"{where}: {quote(text)} is outside the range of float64")
    return value
