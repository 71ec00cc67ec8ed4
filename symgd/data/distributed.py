r"""Data on a Dask cluster: every pass over the rows is a Dask reduction.

A Dask DataFrame (or a 2-D Dask array with column names) is used where
symgd takes data; its partitions never leave the workers. Each pass that a
loss needs (see :mod:`.chunked`) maps a small function over the
partitions, on the workers, and merges the results as a tree:

* the sufficient statistics of a polynomial loss (the MSE of a linear
  model) are one pass: each partition's row count, means and centred
  products (:class:`~symgd.data.chunked.Moments`), merged by Chan's rule;
* any other loss sums its value and gradient over the partitions at each
  step: one round trip to the cluster per step.

What is sent to the workers is SymPy expressions; each worker compiles
them once. Computations run on the active ``dask.distributed`` client
when there is one, else on Dask's default scheduler. Persist the
collection first (``df = df.persist()``) so that each step does not read
its source again.

Needs the ``dask`` extra: ``pip install "symgd[dask]"``.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .._report import Report
from .._text import names_list, plural, quote
from ..errors import DataError, InputError
from .dataset import column_label

__all__ = ["DaskData", "dask_data"]


def _is_dask(data: Any) -> bool:
    module = type(data).__module__ or ""
    return module == "dask" or module.startswith(("dask.", "dask_expr"))


def dask_data(data: Any, names: Sequence[str] | None = None) -> DaskData | None:
    """A :class:`DaskData` for a Dask DataFrame or 2-D array; None for other data."""
    if not _is_dask(data):
        return None
    try:
        import dask.delayed  # noqa: F401
    except ImportError:          # pragma: no cover - a Dask object implies Dask
        raise DataError('Dask data needs the dask extra: pip install "symgd[dask]"') from None
    return DaskData(data, names)


class DaskData(Report):
    """The rows of a Dask DataFrame or 2-D Dask array, reduced on the cluster.

    Parameters
    ----------
    data : dask.dataframe.DataFrame or dask.array.Array
    names : sequence of str, optional
        Column names, required for a 2-D array.
    """

    in_memory = False
    loadable = False            # a loss never pulls the partitions to the client
    names_from_file = False

    def __init__(self, data: Any, names: Sequence[str] | None = None) -> None:
        if hasattr(data, "columns") and hasattr(data, "to_delayed"):
            self.kind = "DataFrame"
            self.names = tuple(str(c) for c in data.columns)
            if names is not None:
                raise InputError("names=... is for arrays; a DataFrame names its columns")
            self._parts = data.to_delayed()
            self._rows: int | None = None
        elif getattr(data, "ndim", None) == 2 and hasattr(data, "to_delayed"):
            self.kind = "array"
            if names is None:
                raise DataError(f"a 2-D Dask array needs column names: names=[...] with "
                                f"{data.shape[1]} names")
            from .tables import split_names
            self.names = tuple(split_names(names))
            if len(self.names) != data.shape[1]:
                raise DataError(f"{len(self.names)} names given for {data.shape[1]} columns")
            if data.dtype.kind not in "biuf":
                raise DataError(f"the Dask array is not numeric (dtype {data.dtype}); give numbers")
            if len(data.chunks[1]) > 1:
                data = data.rechunk({1: -1})
            self._parts = list(data.to_delayed()[:, 0])
            self._rows = int(data.shape[0]) if np.isfinite(data.shape[0]) else None
        else:
            raise DataError(f"symgd reads Dask DataFrames and 2-D Dask arrays, not "
                            f"{type(data).__name__}")
        if len(set(self.names)) != len(self.names):
            twice = next(n for n in self.names if self.names.count(n) > 1)
            raise DataError(f"the Dask {self.kind} names the column {quote(twice)} twice")
        self.partitions = len(self._parts)
        self.source = f"the Dask {self.kind} ({plural(self.partitions, 'partition')})"
        self._ranges: dict[str, tuple[float, float]] = {}
        self.passes = 0

    # ------------------------------------------------------------ passes

    def map_chunks(self, names: Sequence[str], fn: Callable[[list[np.ndarray]], Any],
                   merge: Callable[[Any, Any], Any]) -> Any:
        """``fn`` of every partition's named columns, on the workers, merged as
        a tree; one round trip to the cluster."""
        import dask
        for name in names:
            self._check_name(name)
        self.passes += 1
        index = [self.names.index(n) for n in names]
        apply = dask.delayed(_apply, pure=False)
        join = dask.delayed(_merge_counted, pure=False)
        level = [apply(part, k, index, list(names), self.kind, fn)
                 for k, part in enumerate(self._parts)]
        while len(level) > 1:
            level = [join(level[k], level[k + 1], merge) if k + 1 < len(level) else level[k]
                     for k in range(0, len(level), 2)]
        try:
            count, result = dask.compute(level[0])[0]
        except DataError:
            raise
        except MemoryError:
            raise DataError(f"{self.source}: a worker ran out of memory; use smaller "
                            "partitions (repartition)") from None
        if count == 0 or result is None:
            raise DataError(f"{self.source} has no rows")
        if self._rows is None:
            self._rows = count
        return result

    def chunks(self, names: Sequence[str], rows: int = 0) -> Any:
        """Not offered: the rows stay on the cluster."""
        raise DataError(f"{self.source} stays on its cluster; its rows are reduced there, "
                        "not read one chunk at a time")

    @property
    def rows(self) -> int:
        """The number of rows (counted on the cluster when not known)."""
        if self._rows is None:
            self.column_ranges(self.names[:1])
        return self._rows

    def column_ranges(self, names: Sequence[str]) -> dict[str, tuple[float, float]]:
        """The smallest and largest value of each named column (one reduction)."""
        from .chunked import column_ranges_of, merge_column_ranges
        missing = [n for n in dict.fromkeys(names) if n not in self._ranges]
        if missing:
            low, high = self.map_chunks(missing, column_ranges_of, merge_column_ranges)
            for n, lo, hi in zip(missing, low, high):
                self._ranges[n] = (float(lo), float(hi))
        return {n: self._ranges[n] for n in names}

    def note_ranges(self, names: Sequence[str], low: np.ndarray, high: np.ndarray) -> None:
        """Record column ranges that a pass over the rows found."""
        for n, lo, hi in zip(names, low, high):
            self._ranges.setdefault(n, (float(lo), float(hi)))

    def describe_passes(self) -> str:
        """For :attr:`~symgd.data.objective.DataObjective.evaluation`."""
        return (f"a Dask reduction over {plural(self.partitions, 'partition')} "
                f"({self.rows:,} rows), one round trip per pass")

    def check_varies(self, name: str) -> None:
        """Raise DataError when column ``name`` holds one value in every row."""
        lo, hi = self.column_ranges([name])[name]
        if self.rows > 1 and lo == hi:
            raise DataError(f"column {quote(name)} of {self.source} is constant (every row "
                            f"is {lo!r}); leave it out of the model")

    def _check_name(self, name: str) -> None:
        if name not in self.names:
            raise DataError(f"{self.source} has no column {quote(name)}; its columns are "
                            f"{self.shown_names()}")

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> np.ndarray:
        self._check_name(name)
        raise DataError(f"{self.source} stays on its cluster, so its rows cannot be shown "
                        "or plotted; plot a sample: .sample(frac=...).compute()")

    def __len__(self) -> int:
        return self.rows

    def shown_names(self) -> str:
        return names_list(self.names)

    def headline(self) -> str:
        rows = f"{self._rows:,} rows" if self._rows is not None else "rows not yet counted"
        return (f"{self.source}: {rows}, {plural(len(self.names), 'column')} "
                f"({names_list(self.names)})")

    def text(self) -> str:
        return self.headline()

    def markdown(self) -> str:
        return self.headline()

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rows": self._rows, "columns": list(self.names),
                "partitions": self.partitions}


def _apply(part: Any, number: int, index: list[int], names: list[str], kind: str,
           fn: Callable[[list[np.ndarray]], Any]) -> tuple[int, Any]:
    """On a worker: one partition's named columns as float64, checked, then ``fn``."""
    if kind == "DataFrame":
        columns = [part.iloc[:, k] for k in index]
        arrays = []
        for name, col in zip(names, columns):
            if col.dtype.kind not in "biuf":
                raise DataError(f"the Dask DataFrame: {column_label(name, index[0])} is not "
                                f"numeric (dtype {col.dtype}); give numbers")
            arrays.append(np.asarray(col.to_numpy(dtype=float, na_value=np.nan), dtype=float))
    else:
        block = np.asarray(part)
        if block.ndim != 2:
            raise DataError("the Dask array's blocks must be 2-D (rows x columns)")
        arrays = [np.ascontiguousarray(block[:, k], dtype=float) for k in index]
    n = len(arrays[0]) if arrays else 0
    for name, arr in zip(names, arrays):
        bad = ~np.isfinite(arr)
        if bad.any():
            row = int(np.argmax(bad))
            raise DataError(f"the Dask {kind}, partition {number + 1}, row {row + 1}: column "
                            f"{quote(name)} is missing or not finite; drop or fill such rows "
                            "first (dropna, fillna)")
    if n == 0:
        return 0, None
    return n, fn(arrays)


def _merge_counted(a: tuple[int, Any], b: tuple[int, Any],
                   merge: Callable[[Any, Any], Any]) -> tuple[int, Any]:
    if a[1] is None:
        return b
    if b[1] is None:
        return a
    return a[0] + b[0], merge(a[1], b[1])
