"""Columnar sources: Parquet, Arrow IPC (Feather), .npy, .npz, pandas and polars.

Each format is written by its own library and read back equal to the
original arrays, by chunks and whole; only the requested columns are read;
every kind of bad cell gives a DataError naming the file, the row (and
row group) and the column, never the cell's contents.
"""

from __future__ import annotations

import io
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import symgd
from symgd.cli import main
from symgd.data.sources import ArraySource, MissingExtra, open_source
from symgd.errors import DataError

SECRET = "sk-live-SECRET-4242"
RNG = np.random.default_rng(16)
N = 10_000
X = RNG.normal(size=N)
Y = 3.0 * X - 2.0 + 0.1 * RNG.normal(size=N)
Z = RNG.integers(-1000, 1000, size=N)          # an int64 column


def data_error(func, *args, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        func(*args, **kwargs)
    message = str(info.value)
    assert SECRET not in message and "Traceback" not in message
    return message


def read_back(source, names, rows=1000):
    chunks = list(source.chunks(names, rows))
    assert chunks and all(len(c) == len(names) for c in chunks)
    for chunk in chunks:
        assert len({len(c) for c in chunk}) == 1
        assert 0 < len(chunk[0]) <= rows
        assert all(c.dtype == np.float64 and c.ndim == 1 and not c.flags.writeable
                   for c in chunk)
    return [np.concatenate([c[k] for c in chunks]) for k in range(len(names))]


def check_round_trip(source, expected: dict, rows=1000):
    names = list(expected)
    assert set(names) <= set(source.names)
    for got, want in zip(read_back(source, names, rows), expected.values()):
        np.testing.assert_array_equal(got, np.asarray(want, dtype=float))
    # one column alone, in another order
    got = read_back(source, names[::-1][:1], rows)[0]
    np.testing.assert_array_equal(got, np.asarray(expected[names[-1]], dtype=float))
    loaded = source.load(names)
    assert loaded.names == tuple(names) and loaded.rows == len(X)
    for n in names:
        np.testing.assert_array_equal(loaded[n], np.asarray(expected[n], dtype=float))


# ------------------------------------------------------------- each format

def test_parquet_written_by_pyarrow(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"x": X, "y": Y, "z": Z}), path, row_group_size=3000)
    source = open_source(path)
    assert source.names == ("x", "y", "z") and source.rows == N
    assert source.nbytes == os.path.getsize(path) and source.source == str(path)
    check_round_trip(source, {"x": X, "y": Y, "z": Z}, rows=1000)
    check_round_trip(source, {"y": Y, "x": X}, rows=4096)   # across row groups


def test_parquet_written_by_pandas_and_polars(tmp_path):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    a, b = tmp_path / "pandas.parquet", tmp_path / "polars.pq"
    pd.DataFrame({"x": X, "y": Y}).to_parquet(a)
    pl.DataFrame({"x": X, "y": Y}).write_parquet(b, row_group_size=2500)
    for path in (a, b):
        check_round_trip(open_source(path), {"x": X, "y": Y})


@pytest.mark.parametrize("suffix", [".feather", ".arrow", ".ipc"])
def test_arrow_ipc_file(tmp_path, suffix):
    pa = pytest.importorskip("pyarrow")
    feather = pytest.importorskip("pyarrow.feather")
    path = tmp_path / f"t{suffix}"
    feather.write_feather(pa.table({"x": X, "y": Y, "z": Z}), path, chunksize=3000)
    source = open_source(path)
    assert source.rows == N
    check_round_trip(source, {"x": X, "y": Y, "z": Z}, rows=1000)


def test_arrow_ipc_stream_and_uncompressed_file(tmp_path):
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"x": X, "y": Y})
    stream = tmp_path / "s.arrow"
    with pa.OSFile(str(stream), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table, max_chunksize=4000)
    source = open_source(stream)
    check_round_trip(source, {"x": X, "y": Y})
    check_round_trip(source, {"x": X, "y": Y})            # a second pass
    plain = tmp_path / "plain.feather"
    pytest.importorskip("pyarrow.feather").write_feather(table, plain, compression="uncompressed")
    check_round_trip(open_source(plain), {"x": X, "y": Y})


def test_feather_written_by_pandas_and_polars(tmp_path):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    a, b = tmp_path / "pandas.feather", tmp_path / "polars.arrow"
    pd.DataFrame({"x": X, "y": Y}).to_feather(a)
    pl.DataFrame({"x": X, "y": Y}).write_ipc(b)
    for path in (a, b):
        check_round_trip(open_source(path), {"x": X, "y": Y})


def test_npy_two_dimensional_is_memory_mapped(tmp_path):
    path = tmp_path / "m.npy"
    matrix = np.column_stack([X, Y, Z])
    np.save(path, matrix)
    source = open_source(path, names=["x", "y", "z"])
    assert isinstance(source, ArraySource) and source.rows == N
    assert isinstance(source._array, np.memmap)            # not read into memory
    check_round_trip(source, {"x": X, "y": Y, "z": Z})
    np.save(tmp_path / "f.npy", np.asfortranarray(matrix))
    check_round_trip(open_source(tmp_path / "f.npy", names="x, y, z"), {"x": X, "y": Y})


def test_npy_structured_array_names_its_columns(tmp_path):
    records = np.zeros(N, dtype=[("x", "f8"), ("y", "f4"), ("k", "i4")])
    records["x"], records["y"], records["k"] = X, Y, Z
    np.save(tmp_path / "r.npy", records)
    source = open_source(tmp_path / "r.npy")
    assert source.names == ("x", "y", "k")
    check_round_trip(source, {"x": X, "y": Y.astype(np.float32), "k": Z})


def test_npz_named_columns_and_one_matrix(tmp_path):
    np.savez_compressed(tmp_path / "c.npz", x=X, y=Y, z=Z)
    source = open_source(tmp_path / "c.npz")
    assert source.names == ("x", "y", "z") and source.rows == N
    check_round_trip(source, {"x": X, "y": Y, "z": Z})
    np.savez(tmp_path / "m.npz", np.column_stack([X, Y]))
    check_round_trip(open_source(tmp_path / "m.npz", names=["x", "y"]), {"x": X, "y": Y})


def test_pandas_dataframe_columns_are_views_when_float64():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"x": X, "y": Y, "z": Z, "label": ["a"] * N})
    source = open_source(frame)
    assert source.source == "DataFrame" and source.rows == N
    check_round_trip(source, {"x": X, "y": Y, "z": Z})
    (x,) = next(source.chunks(["x"], rows=N))
    assert np.shares_memory(x, frame["x"].to_numpy())
    # loading every column leaves the text column out
    assert symgd.data.as_dataset(frame).names == ("x", "y", "z")


def test_pandas_nullable_and_boolean_columns():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"n": pd.array([1, 2, 3], dtype="Int64"),
                          "b": pd.array([True, False, True], dtype="boolean"),
                          "c": [True, True, False]})
    loaded = open_source(frame).load()
    np.testing.assert_array_equal(loaded["n"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(loaded["b"], [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(loaded["c"], [1.0, 1.0, 0.0])


def test_polars_dataframe_and_lazyframe():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"x": X, "y": Y, "z": Z, "s": [SECRET] * N})
    check_round_trip(open_source(frame), {"x": X, "y": Y, "z": Z})
    lazy = frame.lazy().with_columns((pl.col("x") * 2).alias("x2"))
    source = open_source(lazy)
    assert source.rows is None and source.source == "LazyFrame"
    got = read_back(source, ["x2", "y"], rows=3000)
    np.testing.assert_array_equal(got[0], 2 * X)
    np.testing.assert_array_equal(got[1], Y)


def test_lazyframe_computes_only_the_requested_columns():
    pl = pytest.importorskip("polars")
    # "bad" fails when computed (a string cast to a number): asking for x must not compute it
    lazy = pl.LazyFrame({"x": [1.0, 2.0], "s": [SECRET, "b"]}).with_columns(
        pl.col("s").cast(pl.Float64).alias("bad"))
    source = open_source(lazy)
    assert source.names == ("x", "s", "bad")
    np.testing.assert_array_equal(read_back(source, ["x"])[0], [1.0, 2.0])
    message = data_error(lambda: list(source.chunks(["bad"])))
    assert "LazyFrame" in message and ".collect()" in message


def test_memmap_and_plain_arrays_are_read_without_copies(tmp_path):
    path = tmp_path / "raw.f8"
    mm = np.memmap(path, dtype=np.float64, mode="w+", shape=(N, 2))
    mm[:, 0], mm[:, 1] = X, Y
    mm.flush()
    source = open_source(np.memmap(path, dtype=np.float64, mode="r", shape=(N, 2)),
                         names=["x", "y"])
    assert source.source == "memory-mapped array"
    check_round_trip(source, {"x": X, "y": Y})
    matrix = np.column_stack([X, Y])
    before = matrix.copy()
    (x, y) = next(open_source(matrix, names=["x", "y"]).chunks(["x", "y"], rows=N))
    assert np.shares_memory(x, matrix) and not x.flags.writeable
    symgd.mse("w*x + b", matrix, names=["x", "y"]).least_squares()
    np.testing.assert_array_equal(matrix, before)
    assert matrix.flags.writeable


def test_other_data_is_left_to_the_other_readers(tmp_path):
    (tmp_path / "t.csv").write_text("x,y\n1,2\n")
    assert open_source(tmp_path / "t.csv") is None
    assert open_source("cars") is None
    assert open_source({"x": [1.0]}) is None
    assert open_source(np.zeros((3, 2))) is None           # a 2-D array without names
    assert open_source(symgd.data.as_dataset({"x": [1.0]})) is None


def test_names_rename_the_columns_one_each(tmp_path):
    np.savez(tmp_path / "c.npz", a=X, b=Y)
    source = open_source(tmp_path / "c.npz", names=["x", "y"])
    assert source.names == ("x", "y")
    message = data_error(open_source, tmp_path / "c.npz", names=["x"])
    assert "1 names given for 2 columns" in message and "c.npz" in message


# ------------------------------------------------------------ projection

def test_parquet_reads_only_the_requested_columns(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "wide.parquet"
    big = RNG.normal(size=(N * 40))   # an unused column 40 times longer in bytes
    table = pa.table({"x": X, "y": Y,
                      "nested": pa.array([[1.0] * 40] * N),
                      "text": pa.array([SECRET] * N),
                      "big": pa.FixedSizeListArray.from_arrays(pa.array(big), 40)})
    pq.write_table(table, path, compression="none", use_dictionary=False)
    source = open_source(path)
    # columns of unsupported types are not read, so they cannot fail
    got = read_back(source, ["y", "x"], rows=2048)
    np.testing.assert_array_equal(got[0], Y)
    # and the bytes read from the file are about those of x and y
    io_file = pathlib.Path("/proc/self/io")
    if io_file.exists():
        def read_chars():
            fields = dict(line.split(": ") for line in io_file.read_text().splitlines())
            return int(fields["rchar"])
        before = read_chars()
        read_back(source, ["x"], rows=N)
        used = read_chars() - before
        assert used < os.path.getsize(path) / 10, used


def test_feather_reads_only_the_requested_columns(tmp_path):
    pa = pytest.importorskip("pyarrow")
    feather = pytest.importorskip("pyarrow.feather")
    path = tmp_path / "wide.feather"
    feather.write_feather(pa.table({"x": X, "text": [SECRET] * N,
                                    "nested": pa.array([[1.0, 2.0]] * N)}), path)
    np.testing.assert_array_equal(read_back(open_source(path), ["x"])[0], X)
    assert open_source(path).load().names == ("x",)


# ------------------------------------------------------------ bad data

def _parquet(tmp_path, columns, name="bad.parquet", **kwargs):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / name
    pq.write_table(pa.table(columns), path, **kwargs)
    return path


def test_parquet_bad_cells_name_row_row_group_and_column(tmp_path):
    pa = pytest.importorskip("pyarrow")
    values = np.arange(10.0)
    nan, inf = values.copy(), values.copy()
    nan[6], inf[2] = np.nan, -np.inf
    path = _parquet(tmp_path, {"x": values, "nan": nan, "inf": inf,
                               "nulls": pa.array([1, 2, 3, None, 5, 6, 7, 8, 9, 10],
                                                 pa.int64())}, row_group_size=4)
    source = open_source(path)
    message = data_error(lambda: list(source.chunks(["x", "nan"], rows=3)))
    assert message == (f"{path}, row 7 (row group 2 of 3), column 'nan' holds NaN (not a "
                       "number); remove or fill such rows first")
    message = data_error(lambda: list(source.chunks(["inf"])))
    assert "row 3 (row group 1 of 3), column 'inf' holds an infinite value" in message
    message = data_error(lambda: list(source.chunks(["nulls"])))
    assert "row 4 (row group 1 of 3), column 'nulls' is missing (null)" in message
    assert "remove or fill" in message
    message = data_error(symgd.mse, "w*x + b", path, target="nan")
    assert "row 7" in message and "'nan'" in message


def test_parquet_column_kinds_refused_with_what_to_do(tmp_path):
    pa = pytest.importorskip("pyarrow")
    path = _parquet(tmp_path, {"x": [1.0, 2.0], "s": [SECRET, SECRET],
                               "l": pa.array([[1.0], [2.0]]),
                               "t": pa.array([1, 2], pa.timestamp("s")),
                               "d": pa.array([SECRET, "a"]).dictionary_encode()})
    source = open_source(path)
    for name, kind in [("s", "text (strings)"), ("l", "nested values"),
                       ("t", "dates or times"), ("d", "categories")]:
        message = data_error(lambda: list(source.chunks(["x", name])))
        assert message.startswith(f"{path}: column '{name}' holds {kind}")
        assert "convert it to numbers, or leave it out of the model" in message


def test_booleans_are_zero_and_one_and_decimals_are_rounded(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import decimal
    path = _parquet(tmp_path, {"b": [True, False, True],
                               "d": pa.array([decimal.Decimal("1.25"), decimal.Decimal("-2"),
                                              decimal.Decimal("0.1")], pa.decimal128(5, 2))})
    loaded = open_source(path).load()
    np.testing.assert_array_equal(loaded["b"], [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(loaded["d"], [1.25, -2.0, 0.1])


@pytest.mark.parametrize("dtype", ["int64", "uint64"])
def test_integers_beyond_2_to_the_53_are_refused(tmp_path, dtype):
    pa = pytest.importorskip("pyarrow")
    exact = pa.array([2 ** 53, 1, 0], pa.int64() if dtype == "int64" else pa.uint64())
    np.testing.assert_array_equal(
        open_source(_parquet(tmp_path, {"n": exact}, "ok.parquet")).load()["n"],
        [2.0 ** 53, 1.0, 0.0])
    big = pa.array([1, 2, 2 ** 53 + 1], exact.type)
    message = data_error(open_source(_parquet(tmp_path, {"n": big})).load)
    assert "row 3 (row group 1 of 1), column 'n': an integer larger than 2**53" in message
    assert "convert the column to floating point" in message
    assert str(2 ** 53 + 1) not in message
    if dtype == "int64":
        negative = np.array([5, -(2 ** 53) - 1])
        message = data_error(open_source(negative.reshape(-1, 1), names=["n"]).load)
        assert "row 2, column 'n': an integer larger than 2**53" in message


def test_damaged_and_mislabelled_files(tmp_path):
    pytest.importorskip("pyarrow")
    good = _parquet(tmp_path, {"x": X, "y": Y}, "good.parquet", row_group_size=2000)
    blob = good.read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(blob[: len(blob) // 2])
    text = tmp_path / "text.parquet"
    text.write_text(f"x,y\n{SECRET},2\n")
    (tmp_path / "text.feather").write_text(f"x,y\n{SECRET},2\n")
    for path, what in [(cut, "a Parquet file"), (text, "a Parquet file"),
                       (tmp_path / "text.feather", "an Arrow IPC (Feather) file")]:
        message = data_error(open_source, path)
        assert message == f"{path} is not {what}, or it is damaged (for example cut short); " \
                          "write it again"
    # damage in the middle of the data: the footer is intact
    spoiled = bytearray(blob)
    middle = len(blob) // 2
    spoiled[middle - 2000:middle + 2000] = b"\xff" * 4000
    bad = tmp_path / "spoiled.parquet"
    bad.write_bytes(bytes(spoiled))
    with pytest.raises(DataError) as info:
        list(open_source(bad).chunks(["x", "y"]))
    assert "spoiled.parquet" in str(info.value)


def test_empty_tables_and_missing_columns(tmp_path):
    pa = pytest.importorskip("pyarrow")
    empty = _parquet(tmp_path, {"x": pa.array([], pa.float64())}, "empty.parquet")
    assert data_error(open_source, empty) == f"{empty} has no rows"
    np.save(tmp_path / "e.npy", np.zeros((0, 2)))
    assert data_error(open_source, tmp_path / "e.npy", names=["x", "y"]).endswith("has no rows")
    path = _parquet(tmp_path, {"x": [1.0], "y": [2.0]})
    message = data_error(lambda: list(open_source(path).chunks(["w"])))
    assert message == f"{path} has no column 'w'; its columns are x, y"
    message = data_error(symgd.mse, "w*v + b", path)
    assert "x" in message and "y" in message


def test_npy_and_npz_bad_data(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([SECRET, 1], dtype=object), allow_pickle=True)
    message = data_error(open_source, tmp_path / "obj.npy", names=["x"])
    assert "holds Python objects (pickled), which symgd does not load" in message
    (tmp_path / "text.npy").write_text(SECRET)
    assert "is not a NumPy .npy file" in data_error(open_source, tmp_path / "text.npy")
    np.save(tmp_path / "m.npy", np.ones((3, 2)))
    assert "needs column names: names=[...] with 2 names" in \
        data_error(open_source, tmp_path / "m.npy")
    values = np.ones((5, 2))
    values[3, 1] = np.inf
    np.save(tmp_path / "inf.npy", values)
    message = data_error(open_source(tmp_path / "inf.npy", names=["x", "y"]).load)
    assert message == f"{tmp_path / 'inf.npy'}, row 4, column 'y' holds an infinite value; " \
                      "remove or fill such rows first"
    np.savez(tmp_path / "uneven.npz", x=np.ones(3), y=np.ones(4))
    assert "different lengths (3, 4)" in data_error(open_source, tmp_path / "uneven.npz")
    np.savez(tmp_path / "text.npz", x=np.ones(2), s=np.array([SECRET, "b"]))
    message = data_error(lambda: list(open_source(tmp_path / "text.npz").chunks(["s"])))
    assert "column 's' holds text (strings), not numbers" in message
    (tmp_path / "zip.npz").write_text(SECRET)
    assert "is not a NumPy .npz file" in data_error(open_source, tmp_path / "zip.npz")


def test_frames_bad_cells():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    frame = pd.DataFrame({"x": [1.0, 2.0, np.nan], "n": pd.array([1, None, 3], "Int64"),
                          "s": [SECRET, "a", "b"]})
    source = open_source(frame)
    assert data_error(lambda: list(source.chunks(["x"]))) == \
        "DataFrame, row 3, column 'x' holds NaN (not a number); remove or fill such rows first"
    assert "row 2, column 'n' is missing (null)" in data_error(lambda: list(source.chunks(["n"])))
    assert "column 's' holds text (strings), not numbers" in \
        data_error(lambda: list(source.chunks(["s"])))
    frame = pl.DataFrame({"x": [1.0, None, 3.0], "s": [SECRET, "a", "b"],
                          "l": [[1], [2], [3]]})
    source = open_source(frame)
    assert "row 2, column 'x' is missing (null)" in data_error(lambda: list(source.chunks(["x"])))
    assert "text (strings)" in data_error(lambda: list(source.chunks(["s"])))
    assert "nested values" in data_error(lambda: list(source.chunks(["l"])))


def test_missing_pyarrow_says_what_to_install(tmp_path, monkeypatch):
    (tmp_path / "t.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingExtra) as info:
        open_source(tmp_path / "t.parquet")
    assert isinstance(info.value, ImportError) and isinstance(info.value, DataError)
    assert 'pip install "symgd[parquet]"' in str(info.value)
    code, out, err = _cli("fit", str(tmp_path / "t.parquet"), "--model", "w*x + b")
    assert code == 2 and 'pip install "symgd[parquet]"' in err and "Traceback" not in err


def test_readers_are_imported_only_when_needed():
    script = ("import sys, numpy as np, symgd\n"
              "symgd.mse('w*x + b', {'x': [1.0, 2.0, 3.0], 'y': [1.0, 2.5, 3.0]})\n"
              "symgd.mse('w*x + b', np.ones((3, 2)) * [[1], [2], [3]], names=['x', 'y'])\n"
              "print(sorted(m for m in ('pyarrow', 'pandas', 'polars') if m in sys.modules))\n")
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(symgd.__file__).parents[1]))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------ end to end

def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_mse_from_parquet_equals_csv_and_lstsq(tmp_path):
    pytest.importorskip("pyarrow")
    offset_x = X + 1000.0
    parquet = _parquet(tmp_path, {"x": offset_x, "y": Y}, "line.parquet", row_group_size=3000)
    csv = tmp_path / "line.csv"
    np.savetxt(csv, np.column_stack([offset_x, Y]), delimiter=",", header="x,y",
               comments="", fmt="%.17g")
    design = np.column_stack([offset_x, np.ones(N)])
    oracle = np.linalg.lstsq(design, Y, rcond=None)[0]          # (w, b)
    fits = {}
    for label, data, stream in [("parquet", parquet, "auto"), ("streamed", parquet, True),
                                ("csv", csv, False)]:
        loss = symgd.mse("w*x + b", data, params=["w", "b"], stream=stream)
        fits[label] = loss.least_squares()
        np.testing.assert_allclose(fits[label], oracle, rtol=1e-9)
        point = [2.5, -1.0]
        residual = design @ point - Y
        np.testing.assert_allclose(loss.value(point), np.mean(residual ** 2), rtol=1e-10)
        np.testing.assert_allclose(loss.grad(point), 2 * design.T @ residual / N, rtol=1e-8)
    assert "streamed from" in symgd.mse("w*x + b", parquet, stream=True).evaluation


@pytest.mark.parametrize("kind", ["pandas", "polars", "npz", "feather"])
def test_mse_from_frames_and_files_equals_lstsq(tmp_path, kind):
    if kind == "pandas":
        data = pytest.importorskip("pandas").DataFrame({"x": X, "y": Y})
    elif kind == "polars":
        data = pytest.importorskip("polars").DataFrame({"x": X, "y": Y})
    elif kind == "npz":
        data = tmp_path / "d.npz"
        np.savez(data, x=X, y=Y)
    else:
        pa = pytest.importorskip("pyarrow")
        data = tmp_path / "d.feather"
        pytest.importorskip("pyarrow.feather").write_feather(pa.table({"x": X, "y": Y}), data)
    oracle = np.linalg.lstsq(np.column_stack([X, np.ones(N)]), Y, rcond=None)[0]
    np.testing.assert_allclose(symgd.mse("w*x + b", data, params=["w", "b"]).least_squares(),
                               oracle, rtol=1e-9)


def test_cli_fit_reads_a_parquet_file(tmp_path):
    pytest.importorskip("pyarrow")
    path = _parquet(tmp_path, {"x": X, "y": Y}, "line.parquet")
    code, out, err = _cli("fit", str(path), "--model", "w*x + b", "--params", "w,b",
                          "--json", "--lr", "0.1", "--max-iter", "20000")
    assert code == 0, err
    import json
    result = json.loads(out)
    oracle = np.linalg.lstsq(np.column_stack([X, np.ones(N)]), Y, rcond=None)[0]
    np.testing.assert_allclose([result["least_squares"]["w"], result["least_squares"]["b"]],
                               oracle, rtol=1e-9)
    np.testing.assert_allclose([result["x"]["w"], result["x"]["b"]], oracle, atol=1e-6)


def test_cli_bad_parquet_is_one_line(tmp_path):
    pytest.importorskip("pyarrow")
    path = _parquet(tmp_path, {"x": [1.0, np.nan, 2.0], "y": [1.0, 2.0, 3.0]})
    code, out, err = _cli("fit", str(path), "--model", "w*x + b")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "row 2 (row group 1 of 1), column 'x' holds NaN" in err
    text = tmp_path / "secret.parquet"
    text.write_text(f"x,y\n{SECRET},1\n")
    code, out, err = _cli("fit", str(text), "--model", "w*x + b")
    assert code == 2 and SECRET not in err and "is not a Parquet file" in err


_MEMORY_CHILD = """
import resource, sys
import symgd
from symgd.data.sources import open_source

def peak_mb():      # VmHWM: this program's peak (ru_maxrss may keep the parent's, across exec)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024

def now_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2 ** 20
small, big, how = sys.argv[1:4]
for _ in open_source(small).chunks(["x", "y"]):      # the libraries' own memory, once
    pass
symgd.mse("w*x + b", small, stream=True).least_squares()
base = now_mb()
if how == "chunks":
    rows = sum(len(x) for x, y in open_source(big).chunks(["x", "y"]))
elif how == "load":
    rows = open_source(big).load(["x", "y"]).rows
else:
    rows = symgd.mse("w*x + b", big, stream=True).rows
print(rows, peak_mb() - base)
"""


@pytest.mark.skipif(not pathlib.Path("/proc/self/statm").exists(), reason="needs /proc")
def test_streaming_a_parquet_file_holds_about_one_chunk(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = 6_000_000                       # x and y: 96 MB as float64
    rng = np.random.default_rng(1)
    table = pa.table({"x": rng.normal(size=rows), "y": rng.normal(size=rows),
                      "unused": rng.normal(size=rows)})
    pq.write_table(table, tmp_path / "big.parquet")
    pq.write_table(table.slice(0, 1000), tmp_path / "small.parquet")
    del table
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(symgd.__file__).parents[1]))
    growth = {}
    for how in ("chunks", "stream", "load"):
        out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, str(tmp_path / "small.parquet"),
                              str(tmp_path / "big.parquet"), how], capture_output=True,
                             text=True, env=env, timeout=300)
        assert out.returncode == 0, out.stderr
        counted, growth_mb = out.stdout.split()
        assert int(counted) == rows
        growth[how] = float(growth_mb)
    assert growth["chunks"] < 40 and growth["stream"] < 40, growth
    # loading x and y holds their 96 MB (once: columns allocated once, not joined)
    assert 90 < growth["load"] < 135, growth
