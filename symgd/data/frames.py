"""pandas and polars DataFrames (and polars LazyFrames) as table sources (:mod:`.sources`).

Columns are taken by position, with the checks and messages of every
source (:mod:`.sources`); a float64 column without missing values is
handed out without a copy. Neither library is imported here: a frame is
recognised by :func:`~symgd.data.sources.open_source` only when its
library is already loaded.
"""

from __future__ import annotations

import sys
from typing import Any, Iterator, Sequence

import numpy as np

from .._text import truncate
from ..errors import DataError
from .sources import TableSource, renamed

__all__ = ["PandasSource", "PolarsSource"]


class PandasSource(TableSource):
    """A pandas DataFrame's columns (by position; names are ``str`` of the labels)."""

    names_from_file = False

    def __init__(self, frame: Any, names: Sequence[str] | None = None) -> None:
        self._frame = frame
        self.source = "DataFrame"
        self.names = renamed([str(c) for c in frame.columns], names, self.source)
        self.rows = len(frame)
        if not self.rows:
            raise DataError("the DataFrame has no rows")

    def _numeric(self, k: int) -> bool:
        from pandas.api import types
        dtype = self._frame.dtypes.iloc[k]
        return (types.is_numeric_dtype(dtype) or types.is_bool_dtype(dtype)) \
            and not types.is_complex_dtype(dtype)

    def _read(self, index: list[int], rows: int) -> Iterator[list[np.ndarray]]:
        for k in index:
            if not self._numeric(k):
                raise self._not_numeric(k, _pandas_kind(self._frame.dtypes.iloc[k]))
        columns = [self._frame.iloc[:, k] for k in index]
        for start in range(0, self.rows, rows):
            yield [self._series(c.iloc[start:start + rows], k, start)
                   for c, k in zip(columns, index)]

    def _series(self, series: Any, k: int, start: int) -> np.ndarray:
        missing = series.isna().to_numpy()
        if series.dtype.kind != "f" and missing.any():
            raise self._missing(start + int(np.argmax(missing)), k)
        dtype = getattr(series.dtype, "numpy_dtype", None)
        values = series.to_numpy() if dtype is None else series.to_numpy(dtype=dtype)
        return self._numbers(np.asarray(values), k, start)


def _pandas_kind(dtype: Any) -> str:
    text = str(dtype).lower()
    for key, kind in (("str", "text (strings)"), ("object", "Python objects (or text)"),
                      ("categor", "categories"), ("date", "dates or times"),
                      ("time", "dates or times"), ("complex", "complex numbers")):
        if key in text:
            return kind
    return f"values of type {truncate(dtype, 40)}"


class PolarsSource(TableSource):
    """A polars DataFrame's columns; for a LazyFrame, only the requested
    columns are computed (once per pass), so its row count is not known
    before the first pass."""

    names_from_file = False

    def __init__(self, frame: Any, names: Sequence[str] | None = None) -> None:
        self._pl = sys.modules["polars"]
        self._frame = frame
        self._lazy = isinstance(frame, self._pl.LazyFrame)
        self.source = "LazyFrame" if self._lazy else "DataFrame"
        schema = frame.collect_schema() if self._lazy else frame.schema
        self._own = list(schema.names())
        self._dtypes = list(schema.dtypes())
        self.names = renamed(self._own, names, self.source)
        self.rows = None if self._lazy else frame.height
        if self.rows == 0:
            raise DataError("the DataFrame has no rows")

    def _numeric(self, k: int) -> bool:
        dtype = self._dtypes[k]
        return dtype.is_numeric() or dtype == self._pl.Boolean

    def _read(self, index: list[int], rows: int) -> Iterator[list[np.ndarray]]:
        for k in index:
            if not self._numeric(k):
                raise self._not_numeric(k, _polars_kind(self._dtypes[k]))
        wanted = list(dict.fromkeys(self._own[k] for k in index))
        frame = self._frame
        if self._lazy:
            try:
                frame = frame.select(wanted).collect()
            except self._pl.exceptions.PolarsError as err:
                raise DataError(f"the LazyFrame's query failed ({type(err).__name__}); "
                                "check it with .collect() first") from None
            if not frame.height:
                raise DataError("the LazyFrame has no rows")
        columns = [frame.get_column(self._own[k]) for k in index]
        for start in range(0, frame.height, rows):
            yield [self._series(c.slice(start, rows), k, start) for c, k in zip(columns, index)]

    def _series(self, series: Any, k: int, start: int) -> np.ndarray:
        if series.null_count():
            raise self._missing(start + int(series.is_null().arg_max()), k)
        if series.dtype == self._pl.Decimal:
            series = series.cast(self._pl.Float64)
        return self._numbers(np.asarray(series.to_numpy()), k, start)


def _polars_kind(dtype: Any) -> str:
    if dtype.is_nested():
        return "nested values (lists or records)"
    if dtype.is_temporal():
        return "dates or times"
    text = str(dtype).lower()
    if "str" in text or "utf8" in text:
        return "text (strings)"
    if "categor" in text or "enum" in text:
        return "categories"
    return f"values of type {truncate(dtype, 40)}"
