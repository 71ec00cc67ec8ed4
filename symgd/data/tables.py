"""Data sets for data objectives: columns of floats, checked once.

A :class:`~symgd.data.dataset.Dataset` holds named 1-D float64 columns of
equal length. It is built from a mapping of arrays, a 2-D array with names,
a text file with a header line (whitespace, comma, semicolon or tab
separated, as the lesson's ``pizza.txt``), a pandas DataFrame (pandas is not
required by symgd), or a built-in data set's name. The caller's arrays are
never modified: columns are read-only views, or copies when a conversion is
needed.

A text file is read as a stream: a block of bytes at a time is decoded, cut
into whole lines and parsed into float64 rows, which are copied into one
column-major array sized from the file's length (grown when the guess is
short). No Python object is kept per cell or per line, so reading costs
about the final columns plus one block. Messages about a file say where
(line, column) and what kind of text is wrong, never the text itself:
a data file may be anything (``/etc/passwd``), and a message may be shown
to someone who must not read it.
"""

from __future__ import annotations

import codecs
import io
import math
import os
import pathlib
import re
import stat
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .._text import quote
from ..errors import DataError, InputTypeError
from .dataset import Dataset, column_label, looks_like_name
from .sources import open_source

__all__ = ["Dataset", "as_dataset", "read_table", "parse_table", "BUILTIN", "dataset_path"]

_HERE = pathlib.Path(__file__).resolve().parent / "files"
BUILTIN = {"cars": "cars.txt", "pizza": "pizza.txt"}
_MAX_FILE_BYTES = 2 * 1024 ** 3
_READ_BLOCK = 1 << 20      # bytes read and parsed at a time
_MAX_LINE = 1 << 24        # characters in one line, at most
_SHOWN_CELL = 16           # characters of a number-like cell a message may quote


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


def as_dataset(data: Any, names: Sequence[str] | None = None) -> Dataset:
    """A :class:`Dataset` from anything symgd accepts as data.

    Parameters
    ----------
    data : Dataset, mapping, 2-D array, path, built-in name or DataFrame
        A path is a text file with a header line, or a columnar file (by its
        suffix: ``.parquet``, ``.feather``/``.arrow``, ``.npy``, ``.npz``; see
        :mod:`.sources`); ``"cars"`` and ``"pizza"`` name the lessons'
        built-in data sets (a file of that name wins). A DataFrame is a
        pandas or polars one (or a polars LazyFrame).
    names : sequence of str, optional
        Column names for a 2-D array (required then), or for a text file
        without a header line.

    >>> as_dataset(np.array([[1.0, 2.0], [3.0, 4.0]]), names=["x", "y"])["y"]
    array([2., 4.])
    """
    if isinstance(data, Dataset):
        data.mark_sums_stale()       # made before this call: its arrays may have changed
        return data
    dataset = _new_dataset(data, names)
    dataset.mark_sums_current()      # made now: the caller's code has not run since
    return dataset


def _new_dataset(data: Any, names: Sequence[str] | None) -> Dataset:
    if isinstance(data, (str, os.PathLike)):
        path = _resolve_path(data)
        columnar = open_source(path, names) if path == pathlib.Path(data) else None
        if columnar is not None:
            return columnar.load()
        dataset = read_table(path, names=names)
        if path != pathlib.Path(data):
            dataset.source = f"the built-in data set {str(data)!r}"
        return dataset
    if isinstance(data, Mapping):
        return Dataset(data, source="data")
    if not _plain_matrix(data):
        columnar = open_source(data, names)
        if columnar is not None:
            return columnar.load()
    if _is_dataframe(data):
        return Dataset({str(c): data[c].to_numpy() for c in data.columns}, source="DataFrame")
    if isinstance(data, np.ndarray) or isinstance(data, (list, tuple)):
        return _from_matrix(data, names)
    raise InputTypeError(f"data must be a mapping of columns, a 2-D array with names, a "
                         f"file path or a DataFrame; got {type(data).__name__}")


def _plain_matrix(data: Any) -> bool:
    """A plain 2-D array (not memory-mapped, not structured): read by
    :func:`_from_matrix`, as before columnar sources."""
    return isinstance(data, np.ndarray) and not isinstance(data, np.memmap) \
        and data.dtype.names is None


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


def _blocks(path: pathlib.Path, limit: int) -> Iterable[bytes]:
    """The bytes of a regular file, a block at a time (at most ``limit`` in all:
    DataError when it holds more).

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
        total = 0
        while True:
            try:
                block = file.read(min(_READ_BLOCK, limit + 1 - total))
            except OSError as err:
                raise DataError(f"cannot read {shown}: {err.strerror or err}") from None
            if not block:
                return
            total += len(block)
            if total > limit:
                raise DataError(f"{shown} is too large (more than {limit} bytes): give a "
                                "smaller text file")
            yield block


def _check_unique(names: Sequence[str], source: str) -> None:
    seen: dict[str, int] = {}
    for k, n in enumerate(names):
        if n in seen:
            if looks_like_name(n):
                raise DataError(f"{source}: column name {quote(n)} appears twice (columns "
                                f"{seen[n] + 1} and {k + 1}); rename one of them")
            raise DataError(f"{source}: columns {seen[n] + 1} and {k + 1} have the same name "
                            "(a name that appears twice); rename one of them")
        seen[n] = k


def _out_of_memory(source: str, size: int | None) -> DataError:
    what = f" ({size / 1e6:.0f} MB)" if size else ""
    return DataError(f"{source}{what}: not enough memory to read it; free memory, raise the "
                     "memory limit, or give a smaller file (fewer rows or columns)")


def read_table(path: str | os.PathLike, names: Sequence[str] | None = None) -> Dataset:
    """Read a text table whose first line names the columns.

    Fields are separated by commas, semicolons, tabs or runs of spaces
    (decided from the header line); a comma-, semicolon- or tab-separated
    cell may be quoted (``"1.5"``). Lines end with ``\\n``, ``\\r\\n`` or (in
    a file with no ``\\n``) ``\\r``. Blank lines and lines starting with ``#``
    are skipped. A cell that is not a number is reported with its line,
    its column and what kind of text it is (not the text itself).

    >>> read_table(dataset_path("pizza")).names
    ('Reservations', 'Pizzas')
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"read_table needs a file path, got {type(path).__name__}")
    path = pathlib.Path(path)
    source = _source(path)
    size = None
    try:
        size = _regular_file(path).st_size
        parser = TableParser(source, names=names, size_hint=size)
        decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        for block in _blocks(path, _MAX_FILE_BYTES):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as err:
                raise parser.not_utf8(block, err.start) from None
            parser.feed(text)
        try:
            parser.feed(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            raise parser.not_utf8(b"", 0) from None
        dataset = parser.dataset()
    except MemoryError:
        raise _out_of_memory(source, size) from None
    dataset.names_from_file = True
    return dataset


def parse_table(text: str, source: str = "data", names: Sequence[str] | None = None) -> Dataset:
    """Parse the text of a table (see :func:`read_table`).

    >>> parse_table("x,y\\n1,2\\n3,4.5\\n")["y"]
    array([2. , 4.5])
    """
    try:
        parser = TableParser(source, names=names, size_hint=len(text))
        text = text.lstrip("\ufeff")
        for start in range(0, len(text), _READ_BLOCK):
            parser.feed(text[start:start + _READ_BLOCK])
        dataset = parser.dataset()
    except MemoryError:
        raise _out_of_memory(source, None) from None
    dataset.names_from_file = True
    return dataset


# ------------------------------------------------------------------ the parser

# Unambiguous (each digit can be matched one way only), so that a failed match on
# a long cell ("999...9x") takes linear time, not quadratic.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:(?:,[0-9]{3})+(?:\.[0-9]+)?"
                        r"|(?:\.[0-9]{3})+(?:,[0-9]+)?|(?:'[0-9]{3})+(?:\.[0-9]+)?)")
_COMMA_DECIMAL = re.compile(r"[+-]?[0-9]*,[0-9]+(?:[eE][+-]?[0-9]+)?")
_NUMBER_LIKE = re.compile(r"[+-]{0,2}[0-9.,]*(?:[eEdD][+-]?[0-9]*)?")
_QUOTED = re.compile(r'((?:[^"]|"")*)"')
_BLANK_LINE = re.compile(r"(?:\A|\n)[ \t]*\n")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text.strip()))


def _shown_number(text: str) -> str:
    """A number-like cell, quoted when short; else only its length."""
    return quote(text) if len(text) <= _SHOWN_CELL else f"a number of {len(text)} characters"


def describe_cell(text: str) -> str:
    """What a cell that is not a number is, for a message: ``empty``, ``text``,
    a number with a thousands separator or a comma decimal; only a short cell
    made of digits, points and commas is quoted.

    >>> describe_cell("4,5")
    "a number with a comma decimal ('4,5'); write a point: 4.5"
    >>> describe_cell("API_KEY=sk-live-1234")
    'text'
    """
    if not text:
        return "empty"
    if len(text) <= _SHOWN_CELL:
        if _THOUSANDS.fullmatch(text):
            return (f"a number with a thousands separator ({quote(text)}); write it without "
                    "separators")
        if _COMMA_DECIMAL.fullmatch(text):
            return (f"a number with a comma decimal ({quote(text)}); write a point: "
                    f"{text.replace(',', '.')}")
        if _NUMBER_LIKE.fullmatch(text) and any(c.isdigit() for c in text):
            return f"not a valid number ({quote(text)})"
    return "text"


def _delimiter_of(header: str) -> str | None:
    for sep in (",", ";", "\t"):
        if sep in header:
            return sep
    return None


def _fast_parse(text: str, delimiter: str | None, width: int, lines: int) -> np.ndarray | None:
    """NumPy's reader on whole lines of a well-formed table (``lines`` rows of
    ``width`` finite numbers); None where anything is off."""
    try:
        values = np.loadtxt(io.StringIO(text), delimiter=delimiter, ndmin=2, dtype=float,
                            comments=None)
    except (ValueError, IndexError):
        return None
    if values.shape != (lines, width) or not np.isfinite(values).all():
        return None
    return values


class TableParser:
    """Parse a table's text fed in pieces; :meth:`dataset` gives the columns.

    Parameters
    ----------
    source : str
        The file's name, for messages.
    names : sequence of str, optional
        Column names (the first line is then data when it holds only numbers).
    size_hint : int
        The text's expected length (a file's size): the column array is
        allocated for the rows that it suggests, and grown when short.
    """

    def __init__(self, source: str, names: Sequence[str] | None = None,
                 size_hint: int = 0) -> None:
        self.source = source
        self._given = _names(names) if names is not None else None
        self.names: list[str] | None = None
        self._delimiter: str | None = None
        self._eol: str | None = None       # "\n" (also for \r\n) or "\r"
        self._pending: list[str] = []      # the start of a line not yet ended
        self._pending_chars = 0
        self._lineno = 0                   # whole lines consumed
        self._chars = 0                    # characters consumed
        self._hint = max(int(size_hint), 0)
        self._values: np.ndarray | None = None
        self._rows = 0

    # -------------------------------------------------------------- feeding

    def feed(self, text: str) -> None:
        """Parse the whole lines that ``text`` (the next piece) completes."""
        if not text:
            return
        if self._pending:
            text = "".join(self._pending) + text
            self._pending, self._pending_chars = [], 0
        if self._eol is None:
            self._eol = self._line_ending(text)
        if self._eol is None:
            return self._keep(text)
        if self._eol == "\r":
            if "\n" in text:
                at = text.index("\n")
                line = self._lineno + text.count("\r", 0, at) + 1
                raise DataError(f"{self.source}, line {line}: a line feed (\\n) in a file whose "
                                "lines end with carriage returns (\\r); save the file with one "
                                "kind of line ending")
            text = text.replace("\r", "\n")
        cut = text.rfind("\n")
        if cut < 0:
            return self._keep(text)
        if cut + 1 < len(text):
            self._keep(text[cut + 1:])
        self._lines(text[:cut + 1] if cut + 1 < len(text) else text)

    @property
    def delimiter(self) -> str | None:
        """The field separator read from the header line (None: runs of spaces)."""
        return self._delimiter

    def _line_ending(self, text: str) -> str | None:
        """``"\\n"`` or ``"\\r"``, from the first line ending; None while undecided."""
        lf, cr = text.find("\n"), text.find("\r")
        if cr < 0 or 0 <= lf < cr:
            return "\n" if lf >= 0 else None
        if cr + 1 == len(text):
            return None                    # a \r at the end: \r\n, or \r and more?
        return "\n" if text[cr + 1] == "\n" else "\r"

    def _keep(self, text: str) -> None:
        self._pending.append(text)
        self._pending_chars += len(text)
        if self._pending_chars > _MAX_LINE:
            raise self._too_long(self._lineno + 1)

    def _too_long(self, lineno: int) -> DataError:
        return DataError(f"{self.source}, line {lineno} is longer than {_MAX_LINE} "
                         "characters: this is not a table symgd reads (give one row of "
                         "numbers a line)")

    def _lines(self, text: str) -> None:
        """Whole lines, each ended by \n."""
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        first = self._lineno + 1
        self._lineno += text.count("\n")
        self._chars += len(text)
        if self.names is None:
            text, first = self._header(text, first)
        if "\r" in text:
            self._stray_return(text, first)
        if text:
            self._rows_of(text, first)

    def _stray_return(self, text: str, first: int) -> None:
        at = text.index("\r")
        start = text.rfind("\n", 0, at) + 1
        line = first + text.count("\n", 0, start)
        before = text[start:at]
        where = f"{self.source}, line {line}"
        if self.names is not None:
            k = len(before.split()) - 1 if self._delimiter is None else \
                before.count(self._delimiter)
            k = min(max(k, 0), len(self.names) - 1)
            where += ", " + column_label(self.names[k], k)
        raise DataError(f"{where}: a carriage return (\\r) inside the line; the file mixes "
                        "line endings, or a cell holds a \\r: remove it, or save the file "
                        "with one kind of line ending")

    def _header(self, text: str, first: int) -> tuple[str, int]:
        """Find the header line in ``text``; the rest, and its first line number."""
        pos, lineno = 0, first
        while pos < len(text):
            end = text.index("\n", pos)
            line = text[pos:end]
            if line.strip() and not line.lstrip().startswith("#"):
                if self._take_header(line, lineno):
                    return text[end + 1:], lineno + 1
                return text[pos:], lineno          # the first line is a row of data
            pos, lineno = end + 1, lineno + 1
        return "", lineno

    def _take_header(self, line: str, lineno: int) -> bool:
        """Read the header line; False when it is a row of data (with ``names``)."""
        if "\r" in line:
            self._stray_return(line + "\n", lineno)
        self._delimiter = _delimiter_of(line)
        fields = [f.strip() for f in self._split(line, lineno, header=True)]
        numbers = all(_is_number(f) for f in fields)
        if self._given is not None:
            names, consumed = self._given, not numbers
        elif numbers:
            shown = quote(line.strip()) if len(line.strip()) <= 12 else \
                f"{_count(len(fields), 'field')}"
            raise DataError(f"{self.source}: the first line must name the columns (for "
                            f"example 'x y'); it holds only numbers: {shown}")
        else:
            names, consumed = fields, True
        if any(not n for n in names):
            raise DataError(f"{self.source}: a column in the header line has no name")
        _check_unique(names, self.source)
        self.names = list(names)
        return consumed

    # ------------------------------------------------------------ the rows

    def _rows_of(self, text: str, first: int) -> None:
        """Parse whole lines starting at line ``first``."""
        values = None
        if '"' not in text and "#" not in text and not _BLANK_LINE.search(text):
            values = _fast_parse(text, self._delimiter, len(self.names), text.count("\n"))
        if values is None:
            values = self._careful(text, first)
        if len(values):
            self._append(values)

    def _careful(self, text: str, first: int) -> np.ndarray:
        """Line by line, skipping blank and comment lines; cell by cell where
        NumPy's reader refuses the block, to say which line and column is wrong."""
        kept = [(first + k, line) for k, line in enumerate(text.split("\n")[:-1])
                if line.strip() and not line.lstrip().startswith("#")]
        width = len(self.names)
        if not kept:
            return np.empty((0, width))
        if '"' not in text:
            values = _fast_parse("\n".join(line for _, line in kept), self._delimiter,
                                 width, len(kept))
            if values is not None:
                return values
        values = np.empty((len(kept), width))
        for r, (lineno, line) in enumerate(kept):
            if len(line) > _MAX_LINE:
                raise self._too_long(lineno)
            fields = self._split(line, lineno)
            if len(fields) != width:
                raise DataError(f"{self.source}, line {lineno}: {_count(len(fields), 'field')}, "
                                f"but there are {_count(width, 'column name')}")
            for c, field in enumerate(fields):
                values[r, c] = self._cell(field, lineno, c)
        return values

    def _where(self, lineno: int, column: int | None) -> str:
        where = f"{self.source}, line {lineno}"
        if column is None:
            return where
        if self.names is None or column >= len(self.names):
            return f"{where}, column {column + 1}"
        return f"{where}, {column_label(self.names[column], column)}"

    def _split(self, line: str, lineno: int, header: bool = False) -> list[str]:
        sep = self._delimiter
        if sep is None:
            return line.split()
        if '"' not in line:
            return line.split(sep)
        return self._split_quoted(line, sep, lineno, header)

    def _split_quoted(self, line: str, sep: str, lineno: int, header: bool) -> list[str]:
        """Fields of a line with quotes: a quoted field is a whole cell,
        ``""`` inside it a quote; anything else around quotes is refused
        (``"4"5`` is not 45)."""
        fields: list[str] = []
        pos, n = 0, len(line)
        while True:
            start = pos
            while start < n and line[start] in " \t" and line[start] != sep:
                start += 1
            column = None if header else len(fields)
            if start < n and line[start] == '"':
                found = _QUOTED.match(line, start + 1)
                if found is None:
                    raise DataError(f"{self._where(lineno, column)}: a quote (\") that is never "
                                    "closed; close it, or remove it")
                after = found.end()
                while after < n and line[after] in " \t" and line[after] != sep:
                    after += 1
                if after < n and line[after] != sep:
                    raise DataError(f"{self._where(lineno, column)}: text after the closing "
                                    "quote of a quoted cell; a quoted cell must end at its "
                                    "closing quote")
                fields.append(found.group(1).replace('""', '"'))
                if after >= n:
                    return fields
                pos = after + 1
            else:
                end = line.find(sep, pos)
                cell = line[pos:] if end < 0 else line[pos:end]
                if '"' in cell:
                    raise DataError(f"{self._where(lineno, column)}: a quote (\") inside a "
                                    "cell that does not start with one; quote the whole cell, "
                                    "or remove the quote")
                fields.append(cell)
                if end < 0:
                    return fields
                pos = end + 1

    def _cell(self, field: str, lineno: int, column: int) -> float:
        text = field.strip()
        where = self._where(lineno, column)
        if _NOT_FINITE.fullmatch(text):
            raise DataError(f"{where}: {quote(text)} is not a finite number; remove or fill "
                            "such rows first")
        if not _NUMBER.fullmatch(text):
            raise DataError(f"{where} is not a number: it is {describe_cell(text)}")
        value = float(text)
        if not math.isfinite(value):
            raise DataError(f"{where}: {_shown_number(text)} is outside the range of float64 "
                            "(not a finite number)")
        return value

    # ------------------------------------------------------------ storage

    def _append(self, values: np.ndarray) -> None:
        """Copy a block's rows into the column-major array (grown when full)."""
        need = self._rows + len(values)
        store = self._values
        if store is None or need > store.shape[0]:
            per_row = max(self._chars / max(need, 1), 1.0)
            left = max(self._hint - self._chars, 0) / per_row
            guess = int(need + left * 1.05) + 16
            capacity = max(guess, need + 16) if store is None else \
                max(guess, int(store.shape[0] * 1.25), need)
            grown = np.empty((capacity, values.shape[1]), order="F")
            if store is not None:
                grown[:self._rows] = store[:self._rows]
            self._values = store = grown
        store[self._rows:need] = values
        self._rows = need

    def not_utf8(self, block: bytes, at: int) -> DataError:
        """The error for a byte that is not UTF-8 at ``at`` in the next ``block``."""
        ending = b"\r" if self._eol == "\r" else b"\n"
        line = self._lineno + sum(p.count("\n") for p in self._pending) \
            + block[:at].count(ending) + 1
        return DataError(f"{self.source} is not a UTF-8 text file (line {line} holds a byte "
                         "that is not UTF-8); save it as UTF-8 text")

    def dataset(self) -> Dataset:
        """The columns read, after the last piece."""
        if self._pending:
            rest = "".join(self._pending)
            self._pending, self._pending_chars = [], 0
            if self._eol != "\r" and rest.endswith("\r"):
                rest = rest[:-1]
            self._lines(rest + "\n")
        if self.names is None:
            raise DataError(f"{self.source} is empty")
        if not self._rows:
            raise DataError(f"{self.source} has a header line but no rows")
        store = self._values
        if store.shape[0] > 1.1 * self._rows + 64:
            store = np.asfortranarray(store[:self._rows])
        self._values = None
        return Dataset({n: store[:self._rows, k] for k, n in enumerate(self.names)},
                       source=self.source)


# the names the other readers (symgd.data.chunked, .distributed) use
regular_file = _regular_file
file_blocks = _blocks
shown_path = _source
resolve_path = _resolve_path
split_names = _names
