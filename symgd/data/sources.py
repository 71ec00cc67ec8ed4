"""Columnar files and frames, read a column at a time and a chunk of rows at a time.

A :class:`TableSource` names its columns and hands out the ones asked
for, in chunks of rows, as 1-D float64 arrays (DataFrames: :mod:`.frames`): Parquet files and Arrow
IPC (Feather) files read only the requested columns (pyarrow, the
``symgd[parquet]`` extra); ``.npy`` files are memory-mapped; ``.npz``
files hold named 1-D arrays, or one 2-D array whose columns are named by
``names``; pandas and polars DataFrames (and polars LazyFrames, which
compute only the requested columns) are read without copying where their
columns are already float64. pyarrow, pandas and polars are imported only
when such data is given.

Every source makes the same checks on the cells it hands out, with the
same messages: a missing (null) value, NaN or infinity names its row
(1-based; for Parquet also the row group) and its column, never the
cell's contents. Columns of booleans are read as 0 and 1. Integers are
exact in float64 up to 2**53 in magnitude; a larger integer is refused
(it would be rounded), with its row and column. Text, dates, lists and
other non-numeric columns are refused when they are asked for; when all
columns are loaded (:meth:`TableSource.load` without names) they are left
out.
"""

from __future__ import annotations

import importlib
import itertools
import os
import pathlib
import stat
import sys
from typing import Any, Iterator, Sequence

import numpy as np

from .._text import quote, truncate
from ..errors import DataError
from .dataset import Dataset, column_label, shown_names

__all__ = ["TableSource", "open_source", "MissingExtra", "ParquetSource", "ArrowSource",
           "ArraySource", "NpzSource", "SUFFIXES", "renamed"]

_CHUNK_ROWS = 1 << 16
_EXACT = 2 ** 53          # integers beyond this magnitude are not exact in float64
_BUFFER = 1 << 20         # bytes of a Parquet column read at a time (bounds memory)


class MissingExtra(DataError, ImportError):
    """An optional library that a kind of data needs is not installed."""


def _require(module: str, extra: str, what: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f"{what} needs {module.split('.')[0]}, which is not installed: "
                           f'pip install "symgd[{extra}]"') from None


def _label(path: object, limit: int = 200) -> str:
    text = str(path)
    return text if len(text) <= limit else text[:limit - 60] + "..." + text[-57:]


def _checked_file(path: pathlib.Path) -> int:
    """The size of a regular file; DataError for a missing or special one."""
    shown = repr(_label(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DataError(f"no such data file: {shown}") from None
    except (OSError, ValueError) as err:
        raise DataError(f"cannot read {shown}: {getattr(err, 'strerror', None) or err}") from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{shown} is not a regular file; give a file of data")
    return info.st_size


def _given_names(names: Sequence[str] | str) -> list[str]:
    if isinstance(names, str):
        return [n for n in names.replace(",", " ").split() if n]
    return [str(n) for n in names]


def renamed(own: Sequence[str], names: Sequence[str] | None, source: str) -> tuple[str, ...]:
    """The column names: the source's own, or ``names`` (one per column) instead."""
    result = list(own) if names is None else _given_names(names)
    if names is not None and len(result) != len(own):
        raise DataError(f"{len(result)} names given for {len(own)} columns of {source}; "
                        "give one name per column, or none")
    seen: dict[str, int] = {}
    for k, n in enumerate(result):
        if not n.strip():
            raise DataError(f"{source}: column {k + 1} has no name; name every column")
        if n in seen:
            raise DataError(f"{source}: {column_label(n, k)} has the same name as column "
                            f"{seen[n] + 1}; rename one of them")
        seen[n] = k
    if not result:
        raise DataError(f"{source} has no columns")
    return tuple(result)


def _chunk_rows(rows: object) -> int:
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 1:
        raise DataError(f"rows of a chunk must be a positive integer, got {rows!r:.40}")
    return int(rows)


# ----------------------------------------------------------------- the base

class TableSource:
    """Named columns that are read a chunk of rows at a time.

    Attributes
    ----------
    source : str
        A label for messages (a file's path, ``"DataFrame"``).
    names : tuple of str
    rows : int or None
        The number of rows, when known without reading them.
    nbytes : int or None
        The size on disk, where there is a file.
    bytes_read : int
        About how many bytes the current pass has read (for progress).
    """

    source: str = "data"
    names: tuple[str, ...] = ()
    rows: int | None = None
    nbytes: int | None = None
    bytes_read: int = 0
    names_from_file = True
    _load_rows: int | None = None     # rows a chunk of load() (None: all at once)

    def chunks(self, names: Sequence[str], rows: int = _CHUNK_ROWS
               ) -> Iterator[list[np.ndarray]]:
        """The named columns, at most ``rows`` rows at a time (fewer where a
        file's row group or record batch ends), each chunk a list of 1-D
        read-only float64 arrays in the order of ``names``."""
        index = self._index(names)
        return self._read(index, _chunk_rows(rows))

    def load(self, names: Sequence[str] | None = None) -> Dataset:
        """All (or the named) columns in memory, as a :class:`Dataset`.

        Without ``names``, the columns that are not numeric (text, dates,
        lists) are left out.
        """
        if names is None:
            names = [n for k, n in enumerate(self.names) if self._numeric(k)]
            if not names:
                raise DataError(f"{self.source} has no numeric columns (its columns are "
                                f"{shown_names(self.names)}); give numbers")
        names = list(names)
        dataset = Dataset(dict(zip(names, self._whole(names))), source=self.source)
        dataset.names_from_file = self.names_from_file
        return dataset

    def _whole(self, names: list[str]) -> list[np.ndarray]:
        """The named columns whole: the one chunk of all rows where the reader
        gives it (a view where possible), else chunks copied into columns
        allocated once (the row count known) or joined at the end."""
        step = self._load_rows or self.rows or 1 << 20
        chunks = self.chunks(names, step)
        first = next(chunks, None)
        if first is None or not len(first[0]):
            raise DataError(f"{self.source} has no rows")
        if self.rows is None or len(first[0]) == self.rows:
            parts = [[c] for c in first]
            for chunk in chunks:
                for part, column in zip(parts, chunk):
                    part.append(column)
            return [p[0] if len(p) == 1 else np.concatenate(p) for p in parts]
        columns = [np.empty(self.rows) for _ in names]
        done = 0
        for chunk in itertools.chain([first], chunks):
            end = done + len(chunk[0])
            if end > self.rows:
                raise DataError(f"{self.source} changed while it was read; read it again")
            for column, values in zip(columns, chunk):
                column[done:end] = values
            done = end
        if done != self.rows:
            raise DataError(f"{self.source} changed while it was read; read it again")
        return columns

    # ------------------------------------------------------ for the readers

    def _read(self, index: list[int], rows: int) -> Iterator[list[np.ndarray]]:
        """The columns at positions ``index``, in chunks of at most ``rows``."""
        raise NotImplementedError     # each reader defines it

    def _numeric(self, k: int) -> bool:
        """Whether column ``k`` holds numbers or booleans (decided from its type)."""
        return True

    def _index(self, names: Sequence[str]) -> list[int]:
        if isinstance(names, str):
            names = [names]
        index = []
        for name in names:
            if name not in self.names:
                raise DataError(f"{self.source} has no column {quote(name)}; its columns are "
                                f"{shown_names(self.names)}")
            index.append(self.names.index(name))
        if not index:
            raise DataError(f"no columns of {self.source} were asked for; name at least one")
        return index

    def _where(self, row: int, k: int) -> str:
        """Row ``row`` (0-based) of column ``k``, for a message."""
        return f"{self.source}, row {row + 1:,}, {column_label(self.names[k], k)}"

    def _not_numeric(self, k: int, kind: str) -> DataError:
        return DataError(f"{self.source}: {column_label(self.names[k], k)} holds {kind}, not "
                         "numbers; symgd reads numeric and boolean columns: convert it to "
                         "numbers, or leave it out of the model")

    def _numbers(self, values: np.ndarray, k: int, start: int) -> np.ndarray:
        """A chunk of column ``k`` (its first row is ``start``) as read-only float64,
        checked: numbers, integers exact in float64, every value finite."""
        kind = values.dtype.kind
        if kind not in "biuf":
            raise self._not_numeric(k, _numpy_kind(values.dtype))
        if kind in "iu" and values.dtype.itemsize >= 8 and len(values):
            big = (values > _EXACT) if kind == "u" else (values > _EXACT) | (values < -_EXACT)
            if big.any():
                row = start + int(np.argmax(big))
                raise DataError(f"{self._where(row, k)}: an integer larger than 2**53 in "
                                "magnitude, which float64 cannot hold exactly; convert the "
                                "column to floating point first if rounding it is acceptable, "
                                "or rescale it")
        out = values if values.dtype == np.float64 else values.astype(np.float64)
        if kind == "f":
            bad = ~np.isfinite(out)
            if bad.any():
                row = int(np.argmax(bad))
                what = "NaN (not a number)" if np.isnan(out[row]) else "an infinite value"
                raise DataError(f"{self._where(start + row, k)} holds {what}; remove or fill "
                                "such rows first")
        if out is values:
            out = out.view()
        out.flags.writeable = False
        return out

    def _missing(self, row: int, k: int) -> DataError:
        return DataError(f"{self._where(row, k)} is missing (null); remove or fill such rows "
                         "first (for example with dropna())")

    def __repr__(self) -> str:
        rows = "rows not counted" if self.rows is None else f"{self.rows:,} rows"
        return f"<{type(self).__name__}: {self.source}: {rows}, {len(self.names)} columns>"


def _numpy_kind(dtype: np.dtype) -> str:
    kinds = {"U": "text (strings)", "S": "bytes", "O": "Python objects", "M": "dates or times",
             "m": "time spans", "c": "complex numbers", "V": "records"}
    return kinds.get(dtype.kind, f"values of type {dtype}")


# ---------------------------------------------------------------- Arrow

def _arrow_kind(pa: Any, t: Any) -> str | None:
    """What a non-numeric Arrow type holds, for a message; None for a numeric one."""
    types = pa.types
    if types.is_integer(t) or types.is_floating(t) or types.is_boolean(t) \
            or types.is_decimal(t):
        return None
    checks = [((types.is_string, types.is_large_string, getattr(types, "is_string_view", None)),
               "text (strings)"),
              ((types.is_binary, types.is_large_binary, types.is_fixed_size_binary), "bytes"),
              ((types.is_temporal,), "dates or times"),
              ((types.is_list, types.is_large_list, types.is_fixed_size_list, types.is_struct,
                types.is_map, types.is_union), "nested values (lists or records)"),
              ((types.is_dictionary,), "categories (dictionary-encoded values)"),
              ((types.is_null,), "only missing values (nulls)")]
    for tests, kind in checks:
        if any(test is not None and test(t) for test in tests):
            return kind
    return f"values of type {truncate(t, 40)}"


class _ArrowColumns(TableSource):
    """What Parquet and Arrow IPC files share: Arrow types, Arrow arrays to NumPy."""

    _what = "an Arrow file"
    _load_rows = 1 << 16              # a file is loaded by pieces into columns allocated once

    def _open_arrow(self, path: str | os.PathLike, names: Sequence[str] | None) -> None:
        self._pa = _require("pyarrow", "parquet", f"reading {self._what} ({_label(path)})")
        self.path = pathlib.Path(path)
        self.source = _label(self.path)
        self.nbytes = _checked_file(self.path)

    def _set_schema(self, schema: Any, names: Sequence[str] | None) -> None:
        self._file_names = list(schema.names)
        self._types = [f.type for f in schema]
        self.names = renamed(self._file_names, names, self.source)

    def _numeric(self, k: int) -> bool:
        return _arrow_kind(self._pa, self._types[k]) is None

    def _check_types(self, index: list[int]) -> None:
        for k in index:
            kind = _arrow_kind(self._pa, self._types[k])
            if kind is not None:
                raise self._not_numeric(k, kind)

    def _damaged(self, row: int | None = None) -> DataError:
        near = f" (near row {row + 1:,})" if row is not None else ""
        return DataError(f"{self.source} is not {self._what}, or it is damaged{near} (for "
                         "example cut short); write it again")

    def _arrow_numbers(self, column: Any, k: int, start: int) -> np.ndarray:
        pa = self._pa
        if column.null_count:
            nulls = column.is_null().to_numpy(zero_copy_only=False)
            raise self._missing(start + int(np.argmax(nulls)), k)
        if pa.types.is_decimal(column.type):
            column = column.cast(pa.float64())
        return self._numbers(np.asarray(column.to_numpy(zero_copy_only=False)), k, start)


class ParquetSource(_ArrowColumns):
    """A Parquet file, read by column and by batches of rows (pyarrow).

    Parameters
    ----------
    path : path
    names : sequence of str, optional
        Names for the file's columns instead of its own (one per column).
    """

    _what = "a Parquet file"

    def __init__(self, path: str | os.PathLike, names: Sequence[str] | None = None) -> None:
        self._open_arrow(path, names)
        self._pq = _require("pyarrow.parquet", "parquet", f"reading {self.source}")
        meta = self._file().metadata
        self.rows = meta.num_rows
        self._set_schema(self._file().schema_arrow, names)
        self._group_ends = np.cumsum([meta.row_group(g).num_rows
                                      for g in range(meta.num_row_groups)])
        if not self.rows:
            raise DataError(f"{self.source} has no rows")

    def _file(self) -> Any:
        try:
            return self._pq.ParquetFile(self.path, pre_buffer=False, buffer_size=_BUFFER)
        except (self._pa.ArrowException, OSError, ValueError):
            raise self._damaged() from None

    def _where(self, row: int, k: int) -> str:
        group = int(np.searchsorted(self._group_ends, row, side="right"))
        return (f"{self.source}, row {row + 1:,} (row group {group + 1} of "
                f"{len(self._group_ends)}), {column_label(self.names[k], k)}")

    def _read(self, index: list[int], rows: int) -> Iterator[list[np.ndarray]]:
        self._check_types(index)
        wanted = list(dict.fromkeys(self._file_names[k] for k in index))
        batches = self._file().iter_batches(batch_size=rows, columns=wanted, use_threads=False)
        start = 0
        self.bytes_read = 0
        while True:
            try:
                batch = next(batches, None)
            except (self._pa.ArrowException, OSError, ValueError):
                raise self._damaged(start) from None
            if batch is None:
                break
            chunk = [self._arrow_numbers(batch.column(wanted.index(self._file_names[k])), k,
                                         start) for k in index]
            start += batch.num_rows
            self.bytes_read = int(self.nbytes * start / max(self.rows, 1))
            yield chunk
        if start != self.rows:
            raise self._damaged(start)


class ArrowSource(_ArrowColumns):
    """An Arrow IPC file (Feather version 2), memory-mapped and read by column;
    an Arrow IPC stream is read from its start at each pass.

    Parameters
    ----------
    path : path
    names : sequence of str, optional
        Names for the file's columns instead of its own (one per column).
    """

    _what = "an Arrow IPC (Feather) file"

    def __init__(self, path: str | os.PathLike, names: Sequence[str] | None = None) -> None:
        self._open_arrow(path, names)
        self._stream = False
        reader = self._reader(None)
        self._set_schema(reader.schema, names)
        self.rows = None if self._stream else reader.count_rows()
        if self.rows == 0:
            raise DataError(f"{self.source} has no rows")

    def _reader(self, fields: list[int] | None) -> Any:
        pa = self._pa
        options = pa.ipc.IpcReadOptions(included_fields=fields, use_threads=False) \
            if fields is not None else None
        try:
            source = pa.memory_map(str(self.path))
            if not self._stream:
                try:
                    return pa.ipc.open_file(source, options=options)
                except pa.ArrowInvalid:
                    self._stream = True
                    source = pa.memory_map(str(self.path))
            return pa.ipc.open_stream(source, options=options)
        except (pa.ArrowException, OSError, ValueError):
            raise self._damaged() from None

    def _batches(self, reader: Any) -> Iterator[Any]:
        if self._stream:
            yield from reader
        else:
            for b in range(reader.num_record_batches):
                yield reader.get_batch(b)

    def _read(self, index: list[int], rows: int) -> Iterator[list[np.ndarray]]:
        pa = self._pa
        self._check_types(index)
        fields = sorted(set(index))
        batches = self._batches(self._reader(fields))
        start = 0
        self.bytes_read = 0
        while True:
            try:
                batch = next(batches, None)
            except (pa.ArrowException, OSError, ValueError):
                raise self._damaged(start) from None
            if batch is None:
                break
            for offset in range(0, batch.num_rows, rows):
                piece = batch.slice(offset, rows)
                yield [self._arrow_numbers(piece.column(fields.index(k)), k, start)
                       for k in index]
                start += piece.num_rows
                if self.rows:
                    self.bytes_read = int(self.nbytes * start / self.rows)
        if not start:
            raise DataError(f"{self.source} has no rows")


# ---------------------------------------------------------------- NumPy

class ArraySource(TableSource):
    """A NumPy array's columns: a 2-D array with names, or a structured array
    (its field names), such as a memory-mapped ``.npy`` file. Chunks are
    views where the array is float64 (never copies of the whole array).

    Parameters
    ----------
    array : numpy.ndarray
    names : sequence of str, optional
        Required for a 2-D array (one per column); for a structured array,
        names instead of its field names.
    source : str
    """

    def __init__(self, array: np.ndarray, names: Sequence[str] | None = None,
                 source: str = "array") -> None:
        self.source = source
        self.names_from_file = source != "array"
        self._array = array
        fields = array.dtype.names
        if fields is not None:
            if array.ndim != 1:
                raise DataError(f"{source}: a structured array must be 1-D (one record a "
                                f"row), got shape {array.shape}")
            for k, f in enumerate(fields):
                if array.dtype[f].shape:
                    raise DataError(f"{source}: {column_label(f, k)} holds arrays in each "
                                    "row (a field of shape "
                                    f"{array.dtype[f].shape}); give one number per cell")
            self.names = renamed(list(fields), names, source)
        else:
            if array.ndim == 1 and names is not None and len(_given_names(names)) == 1:
                array = self._array = array.reshape(-1, 1)
            if array.ndim != 2:
                raise DataError(f"{source}: a data array must be 2-D (rows x columns), got "
                                f"shape {array.shape}")
            if names is None:
                raise DataError(f"{source}: a 2-D data array needs column names: names=[...] "
                                f"with {array.shape[1]} names")
            self.names = renamed([str(k + 1) for k in range(array.shape[1])], names, source)
        self.rows = int(array.shape[0])
        if not self.rows:
            raise DataError(f"{source} has no rows")

    def _numeric(self, k: int) -> bool:
        return self._column(k).dtype.kind in "biuf"

    def _column(self, k: int) -> np.ndarray:
        fields = self._array.dtype.names
        return self._array[fields[k]] if fields is not None else self._array[:, k]

    def _read(self, index: list[int], rows: int) -> Iterator[list[np.ndarray]]:
        columns = [self._column(k) for k in index]
        width = sum(self._array.dtype.itemsize for _ in index)
        for start in range(0, self.rows, rows):
            yield [self._numbers(c[start:start + rows], k, start) for c, k in zip(columns, index)]
            self.bytes_read = int((start + rows) * width)


def _npy(path: str | os.PathLike, names: Sequence[str] | None) -> ArraySource:
    path = pathlib.Path(path)
    size = _checked_file(path)
    label = _label(path)
    damaged = DataError(f"{label} is not a NumPy .npy file, or it is damaged; save it again "
                        "with numpy.save")
    try:
        with open(path, "rb") as file:
            if file.read(6) != b"\x93NUMPY":
                raise damaged
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as err:
        if "pickle" in str(err).lower() or "python objects" in str(err).lower():
            raise DataError(f"{label} holds Python objects (pickled), which symgd does not "
                            "load; save an array of numbers") from None
        raise damaged from None
    except OSError:
        raise damaged from None
    source = ArraySource(array, names, source=label)
    source.nbytes = size
    return source


class NpzSource(TableSource):
    """A NumPy ``.npz`` file: named 1-D arrays of equal length (its columns),
    or one 2-D array whose columns ``names`` names. A member is read whole
    when it is first needed in a pass (a zip member cannot be memory-mapped),
    so a pass holds the named columns (or the one 2-D array) in memory.

    Parameters
    ----------
    path : path
    names : sequence of str, optional
    """

    def __init__(self, path: str | os.PathLike, names: Sequence[str] | None = None) -> None:
        self.path = pathlib.Path(path)
        self.source = _label(self.path)
        self.nbytes = _checked_file(self.path)
        members = self._members()
        shapes = {m: s for m, (s, _) in members.items()}
        if len(members) == 1 and len(next(iter(shapes.values()))) == 2:
            self._matrix = next(iter(members))
            shape = shapes[self._matrix]
            if names is None:
                raise DataError(f"{self.source} holds one 2-D array: give its {shape[1]} "
                                "column names (names=[...])")
            self.names = renamed([str(k + 1) for k in range(shape[1])], names, self.source)
            self.rows = shape[0]
        else:
            self._matrix = None
            for k, (m, s) in enumerate(shapes.items()):
                if len(s) != 1:
                    raise DataError(f"{self.source}: {column_label(m, k)} has shape {s}; an "
                                    ".npz file of columns holds 1-D arrays of equal length, "
                                    "or one 2-D array")
            lengths = {s[0] for s in shapes.values()}
            if len(lengths) > 1:
                raise DataError(f"{self.source}: its arrays have different lengths "
                                f"({', '.join(str(n) for n in sorted(lengths))}); every "
                                "column needs one value per row")
            self._members_order = list(members)
            self.names = renamed(self._members_order, names, self.source)
            self.rows = lengths.pop() if lengths else 0
        self._dtypes = [d for _, d in members.values()]
        if not self.rows:
            raise DataError(f"{self.source} has no rows")

    def _damaged(self) -> DataError:
        return DataError(f"{self.source} is not a NumPy .npz file, or it is damaged; save "
                         "it again with numpy.savez")

    def _open(self) -> Any:
        try:
            return np.load(self.path, allow_pickle=False)
        except (ValueError, OSError, EOFError):
            raise self._damaged() from None

    def _members(self) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """Each member's shape and dtype, from its header (without reading it)."""
        found = {}
        with self._open() as npz:
            if not hasattr(npz, "files"):
                raise self._damaged()
            for name in npz.files:
                try:
                    with npz.zip.open(name + ".npy") as f:
                        version = np.lib.format.read_magic(f)
                        read = np.lib.format.read_array_header_1_0 if version == (1, 0) \
                            else np.lib.format.read_array_header_2_0
                        shape, _, dtype = read(f)
                except (ValueError, OSError, KeyError, EOFError):
                    raise self._damaged() from None
                found[name] = (shape, dtype)
        if not found:
            raise DataError(f"{self.source} holds no arrays")
        return found

    def _numeric(self, k: int) -> bool:
        dtypes = self._dtypes
        return (dtypes[0] if self._matrix is not None else dtypes[k]).kind in "biuf"

    def _load(self, npz: Any, member: str) -> np.ndarray:
        try:
            return npz[member]
        except ValueError as err:
            if "pickle" in str(err).lower():
                raise DataError(f"{self.source} holds Python objects (pickled), which symgd "
                                "does not load; save arrays of numbers") from None
            raise self._damaged() from None
        except (OSError, EOFError, KeyError):
            raise self._damaged() from None

    def _read(self, index: list[int], rows: int) -> Iterator[list[np.ndarray]]:
        with self._open() as npz:
            if self._matrix is not None:
                matrix = self._load(npz, self._matrix)
                columns = [matrix[:, k] for k in index]
            else:
                columns = [self._load(npz, self._members_order[k]) for k in index]
        for start in range(0, self.rows, rows):
            yield [self._numbers(c[start:start + rows], k, start) for c, k in zip(columns, index)]
            self.bytes_read = int(self.nbytes * min(start + rows, self.rows) / self.rows)


# ---------------------------------------------------------------- opening

SUFFIXES = {".parquet": ParquetSource, ".pq": ParquetSource,
            ".feather": ArrowSource, ".arrow": ArrowSource, ".ipc": ArrowSource,
            ".npy": _npy, ".npz": NpzSource}
"""The file suffixes read by a :class:`TableSource` (any case), and their readers."""


def _is_instance(data: Any, module: str, *classes: str) -> bool:
    loaded = sys.modules.get(module)
    return loaded is not None and any(isinstance(data, getattr(loaded, c, ())) for c in classes)


def open_source(data: Any, names: Sequence[str] | None = None) -> TableSource | None:
    """A :class:`TableSource` for columnar data; None for anything else.

    Parameters
    ----------
    data : path, DataFrame, LazyFrame or numpy array
        A path ending ``.parquet``/``.pq``, ``.feather``/``.arrow``/``.ipc``,
        ``.npy`` or ``.npz``; a pandas or polars DataFrame or a polars
        LazyFrame; a memory-mapped or structured NumPy array, or a 2-D one
        with ``names``. Text files, mappings and Datasets give None (they
        are read elsewhere).
    names : sequence of str, optional
        Column names: required for a 2-D array; elsewhere, names instead of
        the data's own, one per column.

    >>> source = open_source(np.arange(6.0).reshape(3, 2), names=["x", "y"])
    >>> source.names, source.rows
    (('x', 'y'), 3)
    >>> [c.tolist() for c in next(source.chunks(["y"], rows=2))]
    [[1.0, 3.0]]
    >>> open_source({"x": [1.0]}) is None
    True
    """
    if isinstance(data, (str, os.PathLike)):
        try:
            suffix = pathlib.Path(data).suffix.lower()
        except (TypeError, ValueError):
            return None
        reader = SUFFIXES.get(suffix)
        return reader(data, names) if reader is not None else None
    if _is_instance(data, "pandas", "DataFrame"):
        from .frames import PandasSource
        return PandasSource(data, names)
    if _is_instance(data, "polars", "DataFrame", "LazyFrame"):
        from .frames import PolarsSource
        return PolarsSource(data, names)
    if isinstance(data, np.memmap):
        return ArraySource(data, names, source="memory-mapped array")
    if isinstance(data, np.ndarray) and (data.dtype.names is not None
                                         or (data.ndim == 2 and names is not None)):
        return ArraySource(data, names)
    return None
