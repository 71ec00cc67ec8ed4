r"""Data that is not held in memory: files read in chunks, and the sums over them.

A data loss touches its rows only through sums: the sufficient statistics
of a polynomial loss (:mod:`.statistics`), or, for any other loss, the
loss and its gradient summed over the rows at each step (:mod:`.rows`).
Sums over chunks of rows add up, so the rows need never be in memory at
once. :class:`Streamed` stands for such data: a :class:`~symgd.data.dataset.Dataset`
in every way a loss needs (names, number of rows, messages), whose rows
are read again, a chunk at a time, for each pass.

Every source of rows, in memory or not, gives its chunks to
:func:`map_chunks`: a function of one chunk's columns, whose results are
merged. For a Dask collection (:mod:`.distributed`) the chunks are its
partitions, and the merge is a tree reduction on the cluster.

Sums of squares are merged by Chan's rule (:class:`Moments`): each chunk
gives its row count, column means and centred products, and two chunks
combine exactly as their union would, so a sum over 10^9 rows with a large
common offset loses no more digits than a sum over one chunk.
"""

from __future__ import annotations

import codecs
import io
import os
import pathlib
import re
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from .._report import Report
from .._text import names_list, plural, quote
from ..errors import DataError, InputError
from .dataset import Dataset, column_label, shown_names
from .tables import TableParser, file_blocks, regular_file, shown_path

__all__ = ["Moments", "Streamed", "CsvSource", "map_chunks", "chunks_of", "as_data",
           "STREAM_BYTES", "CHUNK_ROWS", "LOAD_BYTES", "STREAM_CHOICES"]

CHUNK_ROWS = 1 << 16
"""Rows in one chunk (bounds the memory of a pass: about 0.5 MB a column)."""

STREAM_BYTES = 256 * 1024 ** 2
"""Files larger than this (256 MiB) are streamed when ``stream="auto"``."""

LOAD_BYTES = 2 * 1024 ** 3
"""The largest file a loss that needs every row at every step loads into memory
(2 GiB); larger files are read again in chunks at every step."""


STREAM_CHOICES = ("auto", True, False)


def as_data(data: Any, names: Sequence[str] | None = None, stream: object = "auto",
            progress: object = False) -> Any:
    """The data of a loss: a :class:`~symgd.data.dataset.Dataset` in memory, a
    :class:`Streamed` file, or a Dask collection's :class:`~symgd.data.distributed.DaskData`.

    Parameters
    ----------
    data : anything :func:`~symgd.data.tables.as_dataset` reads, or a Dask DataFrame or array
    names : sequence of str, optional
    stream : {"auto", True, False}
        True reads a file again in chunks at each pass instead of loading it;
        ``"auto"`` streams files larger than :data:`STREAM_BYTES`. Dask
        collections are always reduced on their cluster.
    progress : bool or "auto"
        A progress line on standard error for each pass over a streamed
        file (MB read, rows, MB/s, time left).

    >>> as_data({"x": [1.0, 2.0]}).rows
    2
    """
    from .tables import as_dataset, resolve_path
    if stream not in STREAM_CHOICES or not isinstance(stream, (bool, str)):
        raise InputError(f"stream must be 'auto', True or False, got {stream!r:.40}")
    from .distributed import dask_data
    distributed = dask_data(data, names)
    if distributed is not None:
        return distributed
    if isinstance(data, (str, os.PathLike)) and stream is not False:
        path = resolve_path(data)
        if path == pathlib.Path(data):
            columnar = _columnar(path, names)
            size = regular_file(path).st_size
            if stream is True or size > STREAM_BYTES:
                return Streamed(columnar if columnar is not None else CsvSource(path, names),
                                progress)
            if columnar is not None:
                return columnar.load()
    return as_dataset(data, names)


def _columnar(path: pathlib.Path, names: Sequence[str] | None) -> Any:
    """A columnar file's source (Parquet, Feather, .npy, .npz), or None."""
    try:
        from .sources import open_source
    except ImportError:              # pragma: no cover - the readers are part of symgd
        return None
    return open_source(path, names)


# ------------------------------------------------------------------ moments

class Moments:
    r"""Row count, column means and centred cross products of a block of rows,
    merged exactly (Chan, Golub and LeVeque's pairwise rule).

    For columns :math:`\phi` over :math:`n` rows: :math:`\mu = \frac1n\sum
    \phi_i` and :math:`C = \sum (\phi_i - \mu)(\phi_i - \mu)^T`. The Gram
    matrix is :math:`\Phi^T\Phi = C + n\mu\mu^T`, but :math:`C` and
    :math:`\mu` keep the digits that the Gram matrix loses to a large
    common offset.

    Examples
    --------
    >>> a = Moments.of(np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> b = Moments.of(np.array([[5.0, 7.0]]))
    >>> m = a.merge(b)
    >>> m.n, m.mean.tolist(), m.gram().tolist()
    (3, [3.0, 4.333333333333333], [[35.0, 49.0], [49.0, 69.0]])
    """

    __slots__ = ("n", "mean", "centred", "low", "high")

    def __init__(self, n: int, mean: np.ndarray, centred: np.ndarray,
                 low: np.ndarray | None = None, high: np.ndarray | None = None) -> None:
        self.n = int(n)
        self.mean = mean
        self.centred = centred
        self.low = mean if low is None else low
        self.high = mean if high is None else high

    @classmethod
    def of(cls, phi: np.ndarray, ranges: bool = True, scratch: bool = False) -> Moments:
        """The moments of the rows of a 2-D array (rows x columns).

        ``ranges`` false skips the columns' smallest and largest values (then
        both are the mean); ``scratch`` true lets ``phi`` be overwritten.
        """
        n = phi.shape[0]
        if n == 0:
            k = phi.shape[1]
            return cls(0, np.zeros(k), np.zeros((k, k)), np.full(k, np.inf), np.full(k, -np.inf))
        with np.errstate(all="ignore"):
            low = phi.min(axis=0) if ranges else None
            high = phi.max(axis=0) if ranges else None
            # centred on the first row, the column sums are of small numbers and
            # the mean keeps its digits whatever the common offset
            first = phi[0].copy()
            d = np.subtract(phi, first, out=phi if scratch else None)
        return cls.of_shifted(d, first, low, high)

    @classmethod
    def of_shifted(cls, d: np.ndarray, first: np.ndarray, low: np.ndarray | None = None,
                   high: np.ndarray | None = None) -> Moments:
        """The moments of rows given as ``d``, the rows minus ``first`` (their
        first row), as a caller that fills ``d`` can subtract while it copies;
        ``d`` is overwritten. ``low`` and ``high`` are the columns' ranges, if known."""
        with np.errstate(all="ignore"):
            shift = d.mean(axis=0)
            d -= shift
            return cls(d.shape[0], first + shift, d.T @ d, low, high)

    def merge(self, other: Moments) -> Moments:
        """The moments of both blocks of rows together."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        with np.errstate(all="ignore"):
            delta = other.mean - self.mean
            mean = self.mean + delta * (other.n / n)
            centred = self.centred + other.centred \
                + np.outer(delta, delta) * (self.n * (other.n / n))
        return Moments(n, mean, centred, np.minimum(self.low, other.low),
                       np.maximum(self.high, other.high))

    def gram(self) -> np.ndarray:
        r""":math:`\Phi^T\Phi = C + n\mu\mu^T`."""
        with np.errstate(all="ignore"):
            return self.centred + self.n * np.outer(self.mean, self.mean)


def merge_all(parts: Sequence[Any], merge: Callable[[Any, Any], Any]) -> Any:
    """Merge a list of results pairwise, as a balanced tree (fewer roundings
    than one long chain)."""
    parts = list(parts)
    while len(parts) > 1:
        parts = [merge(parts[k], parts[k + 1]) if k + 1 < len(parts) else parts[k]
                 for k in range(0, len(parts), 2)]
    return parts[0]


# ------------------------------------------------------------ passes over rows

def chunks_of(data: Any, names: Sequence[str], rows: int = CHUNK_ROWS
              ) -> Iterator[list[np.ndarray]]:
    """The named columns of ``data`` (a Dataset or a :class:`Streamed`), a
    chunk of rows at a time."""
    if isinstance(data, Dataset):
        columns = [data[n] for n in names]
        for start in range(0, data.rows, rows):
            yield [c[start:start + rows] for c in columns]
        return
    yield from data.chunks(names, rows)


def map_chunks(data: Any, names: Sequence[str], fn: Callable[[list[np.ndarray]], Any],
               merge: Callable[[Any, Any], Any]) -> Any:
    """``fn`` applied to every chunk of the named columns, the results merged.

    A data set of one chunk is one call. A Dask collection maps ``fn`` over
    its partitions on the cluster (see :mod:`.distributed`).
    """
    mapper = getattr(data, "map_chunks", None)
    if mapper is not None:
        return mapper(names, fn, merge)
    parts = [fn(chunk) for chunk in chunks_of(data, names)]
    if not parts:
        raise DataError(f"{data.source} has no rows")
    return merge_all(parts, merge)


# --------------------------------------------------------------- streamed data

class Streamed(Report):
    """Rows read from their source again, a chunk at a time, for each pass.

    It answers what a loss asks of its data (names, the number of rows,
    messages) without holding the rows; a plot of the rows, which needs
    them all, says how to load them.

    Parameters
    ----------
    source : object
        What gives the chunks: a :class:`CsvSource`, or a columnar source of
        :mod:`.sources`, with ``source``, ``names``, ``rows`` and
        ``chunks(names, rows)``.

    Examples
    --------
    >>> import tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "line.csv"
    >>> _ = path.write_text("x,y\\n1,3\\n2,5\\n3,7\\n")
    >>> data = Streamed(CsvSource(path))
    >>> data.names, data.rows
    (('x', 'y'), 3)
    >>> [c.tolist() for c in next(data.chunks(["y"]))]
    [[3.0, 5.0, 7.0]]
    """

    in_memory = False
    names_from_file = True

    def __init__(self, source: Any, progress: object = False) -> None:
        self._source = source
        self._show = progress
        self.source = source.source
        self.names = tuple(source.names)
        self._rows = source.rows
        self._ranges: dict[str, tuple[float, float]] = {}
        self.passes = 0

    @property
    def nbytes(self) -> int | None:
        """The source's size in bytes, where known."""
        return getattr(self._source, "nbytes", None)

    @property
    def rows(self) -> int:
        """The number of rows (counted by one pass when the source does not say)."""
        if self._rows is None:
            self.column_ranges(self.names[:1])
        return self._rows

    def chunks(self, names: Sequence[str], rows: int = CHUNK_ROWS
               ) -> Iterator[list[np.ndarray]]:
        """The named columns, a chunk of rows at a time (one pass over the source)."""
        for name in names:
            self._check_name(name)
        self.passes += 1
        count = 0
        line = self._progress_line()
        try:
            for chunk in self._source.chunks(list(names), rows):
                count += len(chunk[0]) if chunk else 0
                if line is not None:
                    done = getattr(self._source, "bytes_read", None)
                    line.update(count if done is None else done // 1_000_000,
                                note=f"{count:,} rows" if done is not None else "")
                yield chunk
        finally:
            if line is not None:
                line.close()
        if self._rows is None:
            self._rows = count
        elif count != self._rows:
            raise DataError(f"{self.source} changed while it was read: {count:,} rows "
                            f"this time, {self._rows:,} before; read it again")
        if count == 0:
            raise DataError(f"{self.source} has a header line but no rows")

    def _progress_line(self) -> Any:
        """A progress line for one pass (MB read, rows, MB/s, ETA), when asked for."""
        if self._show is False:
            return None
        from .._progress import progress_line
        if getattr(self._source, "bytes_read", None) is not None and self.nbytes:
            return progress_line(f"reading {self.source}", max(self.nbytes // 1_000_000, 1),
                                 show=self._show, unit="MB")
        return progress_line(f"reading {self.source}", self._rows, show=self._show,
                             unit="rows")

    def column_ranges(self, names: Sequence[str]) -> dict[str, tuple[float, float]]:
        """The smallest and largest value of each named column (a pass over
        the source for those not yet seen)."""
        missing = [n for n in dict.fromkeys(names) if n not in self._ranges]
        if missing:
            moments = map_chunks(self, missing, column_ranges_of, merge_column_ranges)
            for n, lo, hi in zip(missing, *moments):
                self._ranges[n] = (float(lo), float(hi))
        return {n: self._ranges[n] for n in names}

    def note_ranges(self, names: Sequence[str], low: np.ndarray, high: np.ndarray) -> None:
        """Record column ranges that a pass over the rows found."""
        for n, lo, hi in zip(names, low, high):
            self._ranges.setdefault(n, (float(lo), float(hi)))

    def _check_name(self, name: str) -> None:
        if name not in self.names:
            raise DataError(f"{self.source} has no column {quote(name)}; its columns are "
                            f"{self.shown_names()}")

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> np.ndarray:
        self._check_name(name)
        raise DataError(f"{self.source} is streamed, not held in memory, so its rows "
                        "cannot be shown or plotted; load it with stream=False (at most "
                        "2 GiB), or plot a sample of its rows")

    def __len__(self) -> int:
        return self.rows

    def shown_names(self) -> str:
        """The column names for a message."""
        return shown_names(self.names)

    def check_varies(self, name: str) -> None:
        """Raise DataError when column ``name`` holds one value in every row."""
        lo, hi = self.column_ranges([name])[name]
        if self.rows > 1 and lo == hi:
            raise DataError(
                f"{column_label(name, self.names.index(name))} of {self.source} is constant "
                f"(every row is {lo!r}): it carries no information, and as a feature it "
                "makes the fit degenerate; leave it out of the model")

    # ------------------------------------------------------------ report

    def headline(self) -> str:
        rows = f"{plural(self._rows, 'row')}" if self._rows is not None else "rows not yet counted"
        return (f"{self.source}: {rows}, {plural(len(self.names), 'column')} "
                f"({names_list(self.names)}), streamed")

    def text(self) -> str:
        return self.headline()

    def markdown(self) -> str:
        return self.headline()

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rows": self._rows, "columns": list(self.names),
                "streamed": True}


def column_ranges_of(chunk: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([c.min() for c in chunk]), np.array([c.max() for c in chunk]))


def merge_column_ranges(a: tuple, b: tuple) -> tuple:
    return np.minimum(a[0], b[0]), np.maximum(a[1], b[1])


# ---------------------------------------------------------------- CSV source

class CsvSource:
    """A text table (see :func:`~symgd.data.tables.read_table`) read in chunks.

    Each pass parses the file again from its first byte, with the same
    checks and messages as :func:`~symgd.data.tables.read_table`, holding
    about one chunk of rows at a time. The header is read when the source
    is made.
    """

    def __init__(self, path: str | os.PathLike, names: Sequence[str] | None = None) -> None:
        self.path = pathlib.Path(path)
        self.source = shown_path(self.path)
        self._given = names
        self.nbytes = regular_file(self.path).st_size
        self.rows: int | None = None
        self.bytes_read = 0
        header = self._parser()
        for _ in self._rows(header, first_only=True):
            break
        if header.names is None:
            raise DataError(f"{self.source} is empty")
        self.names = tuple(header.names)
        self._delimiter = header.delimiter
        self._plain: bool | None = None

    def _parser(self) -> _ChunkParser:
        return _ChunkParser(self.source, names=self._given)

    def _rows(self, parser: Any, first_only: bool = False) -> Iterator[np.ndarray]:
        decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self.bytes_read = 0
        for block in file_blocks(self.path, 1 << 62):
            self.bytes_read += len(block)
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as err:
                raise parser.not_utf8(block, err.start) from None
            parser.feed(text)
            yield from parser.take()
            if first_only and parser.names is not None:
                return
        try:
            parser.feed(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            raise parser.not_utf8(b"", 0) from None
        parser.finish()
        yield from parser.take()

    def chunks(self, names: Sequence[str], rows: int = CHUNK_ROWS) -> Iterator[list[np.ndarray]]:
        """The named columns, about ``rows`` rows at a time.

        With pyarrow installed (the ``parquet`` extra), a plain file (one
        header line first, comma-, semicolon- or tab-separated, no quotes,
        comments or carriage returns other than in ``\\r\\n``) is parsed by
        pyarrow's CSV reader, reading only the named columns. Anything it
        does not read as finite numbers is read again by symgd's own parser
        from that point, which gives the same rows or the same message as
        :func:`~symgd.data.tables.read_table`.
        """
        done = 0
        if self._arrow_ready():
            try:
                for chunk in self._arrow_chunks(names, rows):
                    done += len(chunk[0])
                    yield chunk
                return
            except _NotPlain:
                pass
        skip = done
        for chunk in self._own_chunks(names, rows):
            if skip:
                if skip >= len(chunk[0]):
                    skip -= len(chunk[0])
                    continue
                chunk = [c[skip:] for c in chunk]
                skip = 0
            yield chunk

    def _arrow_ready(self) -> bool:
        if self._plain is None:
            self._plain = False
            if self._given is None and self._delimiter in (",", ";", "\t"):
                try:
                    import pyarrow.csv  # noqa: F401  (is it installed?)
                except ImportError:
                    return False
                self._plain = True
        return self._plain

    def _arrow_chunks(self, names: Sequence[str], rows: int) -> Iterator[list[np.ndarray]]:
        import pyarrow as pa
        import pyarrow.csv as pcsv
        stream = _PlainBytes(file_blocks(self.path, 1 << 62), self)
        try:
            reader = pcsv.open_csv(
                stream,
                read_options=pcsv.ReadOptions(column_names=list(self.names), skip_rows=1,
                                              block_size=1 << 23),
                parse_options=pcsv.ParseOptions(delimiter=self._delimiter, quote_char=False,
                                                double_quote=False, newlines_in_values=False),
                convert_options=pcsv.ConvertOptions(
                    column_types={n: pa.float64() for n in names},
                    include_columns=list(names), null_values=[], strings_can_be_null=False,
                    quoted_strings_can_be_null=False))
            pending: list[list[np.ndarray]] = []
            held = 0
            for batch in reader:
                columns = []
                for k in range(len(names)):
                    column = batch.column(k)
                    if column.null_count:
                        raise _NotPlain
                    values = column.to_numpy(zero_copy_only=False)
                    if not np.isfinite(values).all():
                        raise _NotPlain
                    columns.append(values)
                pending.append(columns)
                held += batch.num_rows
                while held >= rows:
                    block = [np.concatenate(parts) if len(parts) > 1 else parts[0]
                             for parts in zip(*pending)]
                    yield [np.ascontiguousarray(c[:rows]) for c in block]
                    pending = [[c[rows:] for c in block]] if len(block[0]) > rows else []
                    held -= rows
            if pending and held:
                yield [np.concatenate(parts) for parts in zip(*pending)]
        except _NotPlain:
            raise
        except DataError:
            raise
        except Exception:     # pyarrow refused something: symgd's parser says what
            raise _NotPlain from None

    def _own_chunks(self, names: Sequence[str], rows: int) -> Iterator[list[np.ndarray]]:
        parser = self._parser()
        index: list[int] | None = None
        pending: list[np.ndarray] = []
        held = 0
        for values in self._rows(parser):
            if index is None:
                index = [parser.names.index(n) for n in names]
            pending.append(values[:, index])
            held += len(values)
            if held >= rows:
                block = np.concatenate(pending) if len(pending) > 1 else pending[0]
                whole = len(block) - len(block) % rows
                for start in range(0, whole, rows):
                    yield [np.ascontiguousarray(block[start:start + rows, k])
                           for k in range(len(names))]
                pending = [block[whole:]] if whole < len(block) else []
                held = len(block) - whole
        if pending:
            block = np.concatenate(pending)
            yield [np.ascontiguousarray(block[:, k]) for k in range(len(names))]


_LONE_CR = re.compile(rb"\r(?!\n)")


class _NotPlain(Exception):
    """The file is not one that pyarrow's CSV reader reads as symgd does."""


class _PlainBytes(io.RawIOBase):
    """A file's bytes for pyarrow's CSV reader, checked as they pass: the
    first line must be the header, and no block may hold a quote, a ``#``, a
    NUL or a carriage return outside ``\\r\\n`` (symgd's parser reads or
    refuses those itself)."""

    def __init__(self, blocks: Iterator[bytes], source: CsvSource) -> None:
        self._blocks = iter(blocks)
        self._source = source
        self._left = b""
        self._first = True
        self._last = b""
        source.bytes_read = 0

    def readable(self) -> bool:
        return True

    def _check(self, block: bytes) -> None:
        if self._first:
            self._first = False
            if block.startswith(b"\xef\xbb\xbf") or block[:1] in (b"\n", b"\r", b" ", b"\t"):
                raise _NotPlain
        if b'"' in block or b"#" in block or b"\x00" in block:
            raise _NotPlain
        if b"\r" in block or self._last == b"\r":
            # a \r must be followed by \n; a \r that ends the block is checked with the next
            if _LONE_CR.search(self._last + block[:-1] if block.endswith(b"\r")
                               else self._last + block + b"\n"):
                raise _NotPlain
        self._last = block[-1:]

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._check(block)
            self._source.bytes_read += len(block)
            self._left = block
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        return n


class _ChunkParser(TableParser):
    """A :class:`~symgd.data.tables.TableParser` that hands its rows out
    after each piece instead of keeping them."""

    def __init__(self, source: str, names: Sequence[str] | None = None) -> None:
        super().__init__(source, names=names)
        self._out: list[np.ndarray] = []

    def _append(self, values: np.ndarray) -> None:
        self._out.append(values)
        self._rows += len(values)

    def take(self) -> list[np.ndarray]:
        """The rows parsed since the last call."""
        out, self._out = self._out, []
        return out

    def finish(self) -> None:
        """Parse the last line (when it has no line ending); check the file had rows."""
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
