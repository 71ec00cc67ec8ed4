"""Tests of symgd.data: Dataset, as_dataset, read_table and parse_table.

Covers the built-in lesson data, the text formats read_table understands,
every kind of bad data (each a DataError that says what and where), the
promise never to modify the caller's arrays, agreement of the fast NumPy
reader with the careful cell-by-cell reader, DataFrame-like input and a
large file.
"""

from __future__ import annotations

import pathlib
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symgd
from symgd import DataError, InputTypeError, SymgdError
from symgd.data import BUILTIN, Dataset, as_dataset, parse_table, read_table

from oracles import CARS_MPG, CARS_WEIGHT


def write(tmp_path: pathlib.Path, text: str, name: str = "table.txt") -> pathlib.Path:
    """Write ``text`` byte for byte (no newline translation)."""
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def data_error(func, *args, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        func(*args, **kwargs)
    return str(info.value)


# ------------------------------------------------------------- built-in data

def test_pizza_matches_the_lessons_own_loadtxt():
    ds = as_dataset("pizza")
    assert ds.names == ("Reservations", "Pizzas")
    assert ds.rows == 30 and len(ds) == 30
    X, Y = np.loadtxt(symgd.dataset_path("pizza"), skiprows=1, unpack=True)
    np.testing.assert_array_equal(ds["Reservations"], X)
    np.testing.assert_array_equal(ds["Pizzas"], Y)
    assert ds["Pizzas"].dtype == np.float64


def test_cars_has_the_seven_rows_of_the_car_lesson():
    ds = as_dataset("cars")
    assert ds.names == ("weight", "mpg")
    assert ds.rows == 7
    np.testing.assert_array_equal(ds["weight"], CARS_WEIGHT)
    np.testing.assert_array_equal(ds["mpg"], CARS_MPG)


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_builtin_by_name_equals_reading_its_file(name):
    by_name = as_dataset(name)
    by_path = read_table(symgd.dataset_path(name))
    by_pathlib = as_dataset(pathlib.Path(symgd.dataset_path(name)))
    assert by_name.names == by_path.names == by_pathlib.names
    for col in by_name.names:
        np.testing.assert_array_equal(by_name[col], by_path[col])
        np.testing.assert_array_equal(by_name[col], by_pathlib[col])


def test_dataset_path_names_the_file_and_rejects_unknown_names():
    assert symgd.dataset_path("pizza").name == "pizza.txt"
    assert symgd.dataset_path("cars").is_file()
    msg = data_error(symgd.dataset_path, "bikes")
    assert "bikes" in msg and "cars" in msg and "pizza" in msg


def test_a_file_named_like_a_builtin_wins(tmp_path, monkeypatch):
    write(tmp_path, "a b\n1 2\n3 5\n", name="pizza")
    monkeypatch.chdir(tmp_path)
    ds = as_dataset("pizza")
    assert ds.names == ("a", "b")
    np.testing.assert_array_equal(ds["b"], [2, 5])


def test_dataset_interface():
    ds = Dataset({"x": [1, 2, 3], "y": [2.0, 4.0, 6.5]}, source="mine")
    assert ds.names == ("x", "y")
    assert ds.rows == 3 and len(ds) == 3
    assert "x" in ds and "z" not in ds and 3 not in ds
    np.testing.assert_array_equal(ds["y"], [2.0, 4.0, 6.5])
    assert ds["x"].dtype == np.float64
    msg = data_error(ds.__getitem__, "z")
    assert "'z'" in msg and "mine" in msg and "x, y" in msg
    assert "3 rows" in repr(ds) and "mine" in repr(ds)
    ds.check_varies("x")  # varies: no error
    assert as_dataset(ds) is ds


def test_data_error_is_a_value_error():
    assert issubclass(DataError, SymgdError) and issubclass(DataError, ValueError)
    assert issubclass(InputTypeError, TypeError)


# -------------------------------------------------------------- text formats

@pytest.mark.parametrize("text", [
    "x y\n1 2\n3 4\n",
    "x    y\n1     2\n3     4\n",
    "   x   y   \n  1   2  \n  3   4  \n",
    "x\ty\n1\t2\n3\t4\n",
    "x  y\n1\t2\n3 \t 4\n",
    "x,y\n1,2\n3,4\n",
    "x, y\n1, 2\n3 ,4\n",
    "x;y\n1;2\n3;4\n",
    "x y\n\n1 2\n   \n# a comment\n3 4\n\n",
    "# leading comment\n\nx y\n1 2\n  # indented comment\n3 4\n",
    "x y\r\n1 2\r\n3 4\r\n",
    "x,y\r\n1,2\r\n\r\n3,4",
    "\ufeffx y\n1 2\n3 4\n",
    "\ufeffx,y\r\n1,2\r\n3,4\r\n",
    'x,"y"\n1,2\n3,4\n',
    'x,y\n"1",2\n3,"4"\n',  # quoted numbers: careful path
], ids=["space", "spaces", "padded", "tab", "space-tab-mix", "comma", "comma-space",
        "semicolon", "blank-and-comment", "comment-before-header", "crlf", "crlf-csv",
        "bom", "bom-crlf-csv", "quoted-header", "quoted-cells"])
def test_text_formats_read_the_same_table(tmp_path, text):
    ds = read_table(write(tmp_path, text))
    assert ds.names == ("x", "y")
    np.testing.assert_array_equal(ds["x"], [1.0, 3.0])
    np.testing.assert_array_equal(ds["y"], [2.0, 4.0])
    # as_dataset with a str path and a pathlib path agrees
    for path in (str(tmp_path / "table.txt"), tmp_path / "table.txt"):
        assert as_dataset(path).names == ("x", "y")


def test_csv_with_a_quoted_header_field_containing_a_space(tmp_path):
    path = write(tmp_path, '"miles per gallon",weight\n18,3.5\n15,3.69\n')
    ds = as_dataset(path)
    assert ds.names == ("miles per gallon", "weight")
    np.testing.assert_array_equal(ds["miles per gallon"], [18, 15])
    np.testing.assert_array_equal(ds["weight"], [3.5, 3.69])


def test_tab_separated_names_with_spaces(tmp_path):
    ds = read_table(write(tmp_path, "car weight\tmiles per gallon\n3.5\t18\n"))
    assert ds.names == ("car weight", "miles per gallon")
    assert ds["miles per gallon"][0] == 18


def test_semicolon_with_decimal_points(tmp_path):
    ds = read_table(write(tmp_path, "a;b;c\n1.5;-2.25;3e2\n-0.5;4;5\n"))
    assert ds.names == ("a", "b", "c")
    np.testing.assert_array_equal(ds["a"], [1.5, -0.5])
    np.testing.assert_array_equal(ds["b"], [-2.25, 4])
    np.testing.assert_array_equal(ds["c"], [300, 5])


def test_scientific_notation_and_negative_numbers(tmp_path):
    text = "x y z\n-1.5e-3 2E+10 -7\n+4 .5 1.\n-0 1e-320 -1.7976931348623157e308\n"
    ds = read_table(write(tmp_path, text))
    np.testing.assert_array_equal(ds["x"], [-1.5e-3, 4.0, -0.0])
    np.testing.assert_array_equal(ds["y"], [2e10, 0.5, 1e-320])
    np.testing.assert_array_equal(ds["z"], [-7.0, 1.0, -1.7976931348623157e308])


def test_single_column_file(tmp_path):
    ds = read_table(write(tmp_path, "x\n1\n2\n3\n"))
    assert ds.names == ("x",)
    np.testing.assert_array_equal(ds["x"], [1, 2, 3])


def test_single_row_file(tmp_path):
    ds = read_table(write(tmp_path, "x,y\n1,2\n"))
    assert ds.rows == 1
    np.testing.assert_array_equal(ds["y"], [2])


@pytest.mark.parametrize("text", ["1 2\n3 4\n", "1,2\n3,4\n", "# no header\n1;2\n\n3;4\n"])
def test_names_for_a_headerless_file(tmp_path, text):
    ds = read_table(write(tmp_path, text), names=["a", "b"])
    assert ds.names == ("a", "b")
    np.testing.assert_array_equal(ds["a"], [1, 3])
    np.testing.assert_array_equal(ds["b"], [2, 4])
    assert as_dataset(tmp_path / "table.txt", names=("a", "b")).names == ("a", "b")


def test_names_override_a_header(tmp_path):
    path = write(tmp_path, "x y\n1 2\n3 4\n")
    ds = as_dataset(path, names=["u", "v"])
    assert ds.names == ("u", "v")
    assert ds.rows == 2  # the header line is dropped, not read as data
    np.testing.assert_array_equal(ds["u"], [1, 3])


def test_parse_table_on_text_directly():
    ds = parse_table("x y\n1 2\n", source="inline")
    assert ds.names == ("x", "y") and ds.source == "inline"
    msg = data_error(parse_table, "x y\n1 b\n", source="inline")
    assert msg.startswith("inline, line 2")


# ------------------------------------------------------------ bad text data

def test_missing_file_names_the_path_and_the_builtins(tmp_path):
    path = tmp_path / "nope.txt"
    for arg in (str(path), path):
        msg = data_error(as_dataset, arg)
        assert str(path) in msg
        assert "cars" in msg and "pizza" in msg


def test_read_table_on_a_missing_file_is_a_data_error(tmp_path):
    path = tmp_path / "nope.txt"
    msg = data_error(read_table, path)
    assert str(path) in msg


def test_a_directory_is_not_a_data_file(tmp_path):
    msg = data_error(as_dataset, tmp_path)
    assert str(tmp_path) in msg and "not a file" in msg
    msg = data_error(read_table, tmp_path)
    assert str(tmp_path) in msg


@pytest.mark.parametrize("text, words", [
    ("", ["empty"]),
    ("\n\n   \n", ["empty"]),
    ("# only a comment\n", ["empty"]),
    ("x y\n", ["header", "no rows"]),
    ("x y\n\n# nothing\n", ["header", "no rows"]),
    ("1 2\n3 4\n", ["first line", "name the columns", "'1 2'"]),
], ids=["empty", "blank", "comment-only", "header-only", "header-blank", "numbers-only"])
def test_empty_or_headerless_files(tmp_path, text, words):
    path = write(tmp_path, text)
    msg = data_error(read_table, path)
    assert str(path) in msg
    for word in words:
        assert word in msg


@pytest.mark.parametrize("text, where", [
    ("x y\n1 2\n3 oops\n", "line 3, column 'y'"),
    ("x y\n1 2\n\n# c\n3 oops\n", "line 5, column 'y'"),
    ("x,y\n1,2\nabc,4\n", "line 3, column 'x'"),
    ("x,y\n1,2\n3,\n", "line 3, column 'y'"),
    ("x;y\n1;2\n3;4,5\n", "line 3, column 'y'"),
    ("x\ty\n1\t2\n3\t1.2.3\n", "line 3, column 'y'"),
    ("x y\r\n1 2\r\n3 4\r\n5 z\r\n", "line 4, column 'y'"),
    ("\ufeffx y\n1 2\n3 q\n", "line 3, column 'y'"),
    ('"miles per gallon",weight\n18,3.5\n15,heavy\n', "line 3, column 'weight'"),
], ids=["space", "blank-and-comment", "comma", "empty-cell", "decimal-comma", "tab",
        "crlf", "bom", "quoted-header"])
def test_non_numeric_cell_names_line_and_column(tmp_path, text, where):
    path = write(tmp_path, text)
    msg = data_error(read_table, path)
    assert where in msg
    assert str(path) in msg
    assert "not a number" in msg


@pytest.mark.parametrize("text, line, count", [
    ("x y\n1 2\n3 4 5\n", 3, 3),
    ("x y\n1 2\n3\n", 3, 1),
    ("x,y\n1,2\n3,4,\n", 3, 3),
    ("x;y\n1;2\n\n3\n", 4, 1),
    ("x y\n1 2 3\n", 2, 3),
])
def test_wrong_number_of_fields_names_the_line(tmp_path, text, line, count):
    msg = data_error(read_table, write(tmp_path, text))
    assert f"line {line}:" in msg
    assert f"{count} field{'s' * (count != 1)}," in msg


@pytest.mark.parametrize("text", ["x y x\n1 2 3\n", "a,b,a\n1,2,3\n", "x y\n1 2\n"])
def test_duplicate_column_names(tmp_path, text):
    if text.startswith("x y\n"):
        msg = data_error(read_table, write(tmp_path, text), names=["u", "u"])
        assert "'u'" in msg
    else:
        msg = data_error(read_table, write(tmp_path, text))
        assert ("'x'" in msg) or ("'a'" in msg)
    assert "twice" in msg


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400"])
def test_non_finite_cells_name_line_and_column(tmp_path, cell):
    msg = data_error(read_table, write(tmp_path, f"x y\n1 2\n3 4\n{cell} 5\n"))
    assert "line 4, column 'x'" in msg
    assert repr(cell) in msg
    assert "finite" in msg


def test_a_non_utf8_file(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"x y\n1 \xff\n")
    msg = data_error(read_table, path)
    assert str(path) in msg and "UTF-8" in msg
    assert "UTF-8" in data_error(as_dataset, path)


def test_names_count_mismatch_with_a_file(tmp_path):
    path = write(tmp_path, "1 2\n3 4\n")
    msg = data_error(read_table, path, names=["a"])
    assert "line 1:" in msg and "2 fields" in msg
    msg = data_error(read_table, path, names=["a", "b", "c"])
    assert "line 1:" in msg and "2 fields" in msg


def test_empty_name_in_a_header(tmp_path):
    msg = data_error(read_table, write(tmp_path, "x,,z\n1,2,3\n"))
    assert "no name" in msg


# ------------------------------------------------------------ in-memory data

def test_two_dimensional_array_and_list_with_names():
    arr = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    for data in (arr, arr.tolist(), tuple(map(tuple, arr.tolist()))):
        ds = as_dataset(data, names=["x", "y"])
        assert ds.names == ("x", "y") and ds.rows == 3
        np.testing.assert_array_equal(ds["y"], [2, 4, 6])


def test_mapping_of_columns():
    ds = as_dataset({"a": [1, 2], "b": np.array([3.5, 4.5]), "c": (True, False)})
    assert ds.names == ("a", "b", "c")
    np.testing.assert_array_equal(ds["c"], [1.0, 0.0])


@pytest.mark.parametrize("shape", [(3, 1), (1, 3)])
def test_a_single_row_or_column_2d_value_is_flattened(shape):
    ds = Dataset({"x": np.arange(3.0).reshape(shape)})
    np.testing.assert_array_equal(ds["x"], [0, 1, 2])


def test_two_dimensional_array_without_names():
    msg = data_error(as_dataset, np.zeros((4, 3)))
    assert "names" in msg and "3" in msg


@pytest.mark.parametrize("names", [["x"], ["x", "y", "z"]])
def test_names_count_mismatch_with_an_array(names):
    msg = data_error(as_dataset, np.zeros((4, 2)), names=names)
    assert f"{len(names)} names" in msg and "2 columns" in msg


def test_duplicate_names_for_an_array():
    msg = data_error(as_dataset, np.zeros((4, 2)), names=["x", "x"])
    assert "'x'" in msg and "twice" in msg


@pytest.mark.parametrize("data", [np.zeros((2, 2, 2)), np.zeros(3), [1.0, 2.0]])
def test_array_of_wrong_dimension(data):
    msg = data_error(as_dataset, data, names=["x", "y"])
    assert "2-D" in msg and str(np.shape(data)) in msg


def test_columns_of_unequal_length_list_the_lengths():
    msg = data_error(as_dataset, {"x": [1, 2, 3], "y": [1, 2]})
    assert "x: 3" in msg and "y: 2" in msg


@pytest.mark.parametrize("data, names", [
    ({"x": [], "y": []}, None),
    ({"x": np.empty(0)}, None),
    (np.empty((0, 2)), ["x", "y"]),
])
def test_zero_rows(data, names):
    msg = data_error(as_dataset, data, names=names)
    assert "no rows" in msg


def test_no_columns():
    assert "no columns" in data_error(Dataset, {})


@pytest.mark.parametrize("values", [
    ["a", "b"],
    np.array(["1", "2"]),
    np.array([1.0, 2.0], dtype=object),
    [object(), object()],
    [1 + 2j, 3 + 0j],
], ids=["str-list", "str-array", "object-floats", "objects", "complex"])
def test_non_numeric_column_in_a_mapping(values):
    msg = data_error(as_dataset, {"x": [1.0, 2.0], "y": values})
    assert "'y'" in msg and "numeric" in msg


def test_ragged_column():
    msg = data_error(Dataset, {"x": [[1, 2], [3]]})
    assert "'x'" in msg


@pytest.mark.parametrize("value", [np.zeros((2, 3)), 5.0])
def test_a_column_that_is_not_one_dimensional(value):
    msg = data_error(Dataset, {"x": value})
    assert "'x'" in msg and str(np.shape(value)) in msg


@pytest.mark.parametrize("name", ["", "  ", 3, None])
def test_column_names_must_be_non_empty_strings(name):
    assert repr(name) in data_error(Dataset, {name: [1.0, 2.0]})


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_value_in_an_array_names_the_row(bad):
    col = np.array([1.0, 2.0, 3.0, bad, 5.0])
    msg = data_error(as_dataset, {"x": np.arange(5.0), "y": col})
    assert "'y'" in msg and "row 4" in msg
    assert np.isnan(col[3]) or np.isinf(col[3])  # the caller's array is untouched
    msg = data_error(as_dataset, np.column_stack([np.arange(5.0), col]), names=["a", "b"])
    assert "'b'" in msg and "row 4" in msg


@pytest.mark.parametrize("value, shown", [(3, "3"), (2.5, "2.5"), (-0.125, "-0.125")])
def test_check_varies_on_a_constant_column(value, shown):
    ds = Dataset({"x": [1.0, 2.0, 3.0], "c": [value] * 3}, source="mine")
    ds.check_varies("x")
    msg = data_error(ds.check_varies, "c")
    assert "'c'" in msg and "constant" in msg and shown in msg and "mine" in msg


def test_check_varies_on_one_row_and_on_a_missing_column():
    Dataset({"c": [4.0]}).check_varies("c")  # a single row is not "constant"
    assert "'z'" in data_error(Dataset({"c": [1.0, 2.0]}).check_varies, "z")


@pytest.mark.parametrize("data", [1, 2.5, {1, 2}, frozenset(), None, b"x y\n1 2\n", object()],
                         ids=["int", "float", "set", "frozenset", "none", "bytes", "object"])
def test_wrong_types_are_input_type_errors(data):
    with pytest.raises(InputTypeError) as info:
        as_dataset(data)
    assert type(data).__name__ in str(info.value)


@pytest.mark.parametrize("columns", [[("x", [1, 2])], "x", 3])
def test_dataset_needs_a_mapping(columns):
    with pytest.raises(InputTypeError):
        Dataset(columns)


# ------------------------------------------- user arrays are never modified

def test_float64_contiguous_input_is_shared_but_read_only():
    user = np.array([1.0, 2.0, 3.0])
    ds = as_dataset({"x": user, "y": [4, 5, 6]})
    col = ds["x"]
    assert np.shares_memory(col, user)
    assert not col.flags.writeable
    with pytest.raises(ValueError):
        col[0] = 99.0
    with pytest.raises(ValueError):
        col += 1
    assert user.flags.writeable
    np.testing.assert_array_equal(user, [1.0, 2.0, 3.0])
    user[0] = 7.0  # the caller can still write to their own array
    assert user[0] == 7.0


@pytest.mark.parametrize("make", [
    lambda: np.array([1, 2, 3]),
    lambda: np.array([1, 2, 3], dtype=np.int8),
    lambda: np.array([1.0, 2.0, 3.0], dtype=np.float32),
    lambda: np.array([1.0, 2.0, 3.0], dtype=">f8"),
    lambda: np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])[:, 0],
    lambda: (np.arange(6.0) + 1)[::2],
], ids=["int64", "int8", "float32", "big-endian", "strided-column", "step-slice"])
def test_converted_columns_are_contiguous_float64_copies(make):
    user = make()
    before = user.copy()
    ds = Dataset({"x": user})
    col = ds["x"]
    assert col.dtype == np.float64 and col.dtype.isnative
    assert col.flags.c_contiguous
    assert not np.shares_memory(col, user)
    assert not col.flags.writeable
    with pytest.raises(ValueError):
        col[0] = 99.0
    assert user.flags.writeable
    assert user.dtype == before.dtype
    np.testing.assert_array_equal(user, before)
    np.testing.assert_array_equal(col, before.astype(float))


def test_columns_of_a_c_order_2d_array_are_copies():
    user = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    before = user.copy()
    ds = as_dataset(user, names=["x", "y"])
    for name in ds.names:
        assert not np.shares_memory(ds[name], user)
        assert ds[name].flags.c_contiguous and not ds[name].flags.writeable
    assert user.flags.writeable
    np.testing.assert_array_equal(user, before)


def test_columns_of_a_fortran_order_2d_array_are_shared_read_only_views():
    user = np.asfortranarray([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    ds = as_dataset(user, names=["x", "y"])
    assert np.shares_memory(ds["y"], user)
    assert not ds["y"].flags.writeable
    assert user.flags.writeable
    with pytest.raises(ValueError):
        ds["y"][0] = 0.0
    np.testing.assert_array_equal(user[:, 1], [2.0, 4.0, 6.0])


def test_a_read_only_user_array_is_accepted_and_stays_read_only():
    user = np.array([1.0, 2.0])
    user.flags.writeable = False
    ds = Dataset({"x": user})
    assert np.shares_memory(ds["x"], user)
    assert not user.flags.writeable


def test_file_columns_are_read_only(tmp_path):
    ds = read_table(write(tmp_path, "x y\n1 2\n"))
    with pytest.raises(ValueError):
        ds["x"][0] = 5.0


def test_builtin_columns_cannot_be_corrupted_between_loads():
    first = as_dataset("pizza")
    with pytest.raises(ValueError):
        first["Pizzas"][0] = -1.0
    assert as_dataset("pizza")["Pizzas"][0] == first["Pizzas"][0] == 33.0


# ------------------------------- fast and careful readers agree (hypothesis)

SEPARATORS = [" ", "   ", "\t", " \t ", ",", ", ", ";", "\t"]
finite = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 20))
    cols = draw(st.integers(1, 4))
    values = np.array(draw(st.lists(st.lists(finite, min_size=cols, max_size=cols),
                                    min_size=rows, max_size=rows)), dtype=float)
    sep = draw(st.sampled_from(SEPARATORS))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    # extra lines: blank or comment lines before a data row (index r means before row r)
    extras = draw(st.lists(st.tuples(st.integers(0, rows - 1),
                                     st.sampled_from(["", "   ", "# note", "  # 1 2 3"])),
                           max_size=4))
    return values, sep, newline, sorted(extras, key=lambda e: e[0])


def render(values, sep, newline, extras, bad=None):
    """Text of the table, and the 1-based line number of each data row."""
    names = [f"c{k}" for k in range(values.shape[1])]
    lines = [sep.join(names)]
    line_of_row = []
    for r, row in enumerate(values):
        lines.extend(extra for at, extra in extras if at == r)
        cells = [repr(float(v)) for v in row]
        if bad is not None and bad[0] == r:
            cells[bad[1]] = bad[2]
        lines.append(sep.join(cells))
        line_of_row.append(len(lines))
    return newline.join(lines) + newline, names, line_of_row


def same_bits(a, b):
    return np.array_equal(np.asarray(a, dtype=float).view(np.int64),
                          np.asarray(b, dtype=float).view(np.int64))


@settings(max_examples=40, deadline=None)
@given(table=tables())
def test_random_well_formed_table_reads_back_exactly(tmp_path_factory, table):
    values, sep, newline, extras = table
    text, names, _ = render(values, sep, newline, extras)
    path = tmp_path_factory.mktemp("table") / "t.txt"
    path.write_bytes(text.encode())
    results = []
    real_fast_parse = symgd.data.tables._fast_parse

    def spy(*args, **kwargs):
        results.append(real_fast_parse(*args, **kwargs))
        return results[-1]

    with mock.patch("symgd.data.tables._fast_parse", spy):
        fast = read_table(path)
    assert results and results[0] is not None  # NumPy's reader took the table
    assert fast.names == tuple(names)
    assert fast.rows == values.shape[0]
    for k, name in enumerate(names):
        assert same_bits(fast[name], values[:, k])
    # the careful cell-by-cell reader gives exactly the same numbers
    with mock.patch("symgd.data.tables._fast_parse", return_value=None):
        careful = read_table(path)
    assert careful.names == fast.names
    for name in names:
        assert same_bits(careful[name], fast[name])


BAD_CELLS = ["abc", "1.2.3", "nan", "-inf", "inf", "NaN", "1e", "x1", "--3", "1e999",
             "0x1F", "1d5", "one", "'2'"]
TEXT_CELLS = {"abc", "x1", "0x1F", "one", "'2'"}


@settings(max_examples=40, deadline=None)
@given(table=tables(), data=st.data())
def test_one_corrupted_cell_is_reported_at_its_line_and_column(tmp_path_factory, table,
                                                                data):
    values, sep, newline, extras = table
    rows, cols = values.shape
    r = data.draw(st.integers(0, rows - 1), label="row")
    c = data.draw(st.integers(0, cols - 1), label="col")
    token = data.draw(st.sampled_from(BAD_CELLS), label="token")
    text, names, line_of_row = render(values, sep, newline, extras, bad=(r, c, token))
    path = tmp_path_factory.mktemp("table") / "t.txt"
    path.write_bytes(text.encode())
    with pytest.raises(DataError) as info:
        read_table(path)
    msg = str(info.value)
    assert f"line {line_of_row[r]}, column '{names[c]}'" in msg
    # number-like tokens are quoted; text is described, never echoed
    if token in TEXT_CELLS:
        assert repr(token) not in msg and "it is text" in msg
    else:
        assert repr(token) in msg


# ------------------------------------------------------------ DataFrame-like

class _Column:
    def __init__(self, values):
        self._values = values

    def to_numpy(self):
        return np.asarray(self._values)


class DataFrame:
    """The smallest DataFrame-like object: columns, and [c].to_numpy()."""

    def __init__(self, columns):
        self._data = dict(columns)
        self.columns = list(self._data)

    def __getitem__(self, name):
        return _Column(self._data[name])


class FullDataFrame(DataFrame):
    pass


FullDataFrame.__name__ = "DataFrame"
FullDataFrame.to_numpy = lambda self: np.column_stack([self._data[c] for c in self.columns])


def test_dataframe_like_object_with_to_numpy_is_accepted():
    frame = FullDataFrame({"x": [1, 2, 3], "y": np.array([2.0, 4.0, 6.5])})
    assert type(frame).__name__ == "DataFrame"
    ds = as_dataset(frame)
    assert ds.names == ("x", "y") and ds.rows == 3
    np.testing.assert_array_equal(ds["y"], [2.0, 4.0, 6.5])
    assert ds.source == "DataFrame"


def test_dataframe_like_object_with_bad_column_is_a_data_error():
    frame = FullDataFrame({"x": [1.0, np.nan]})
    assert "row 2" in data_error(as_dataset, frame)


def test_minimal_dataframe_duck_type_is_accepted():
    ds = as_dataset(DataFrame({"x": [1, 2, 3], "y": [2.0, 4.0, 6.5]}))
    assert ds.names == ("x", "y")
    np.testing.assert_array_equal(ds["x"], [1.0, 2.0, 3.0])


def test_real_pandas_dataframe_if_available():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"weight": CARS_WEIGHT, "mpg": CARS_MPG})
    ds = as_dataset(frame)
    assert ds.names == ("weight", "mpg")
    np.testing.assert_array_equal(ds["mpg"], CARS_MPG)


# ------------------------------------------------------------ line numbering

@pytest.mark.parametrize("char", ["\x0c", "\u2028"], ids=["form-feed", "line-separator"])
def test_only_newlines_end_lines(tmp_path, char):
    path = write(tmp_path, f"x y\n# page{char}break\n1 2\n3 4\n")
    ds = read_table(path)
    assert ds.rows == 2


# ------------------------------------------------------------------ large file

def test_large_file_reads_correctly(tmp_path):
    rng = np.random.default_rng(12345)
    values = rng.normal(size=(200_000, 3)) * [1.0, 1e6, 1e-6]
    path = tmp_path / "big.txt"
    np.savetxt(path, values, header="a b c", comments="")
    ds = read_table(path)
    assert ds.names == ("a", "b", "c") and ds.rows == 200_000
    for k, name in enumerate(ds.names):
        for r in (0, 1, 99_999, 199_999):
            assert ds[name][r] == values[r, k]
    np.testing.assert_array_equal(ds["b"], values[:, 1])


def test_large_file_with_one_bad_cell_at_the_end(tmp_path):
    rng = np.random.default_rng(7)
    values = rng.normal(size=(200_000, 3))
    path = tmp_path / "big.csv"
    np.savetxt(path, values, delimiter=",", header="a,b,c", comments="")
    with path.open("a") as f:
        f.write("1,oops,3\n")
    msg = data_error(read_table, path)
    assert "line 200002, column 'b'" in msg


@pytest.mark.parametrize("cell", ["1_000", "\uff11", "0x1F", "1e", "--1"])
def test_cells_must_be_plain_ascii_numbers(tmp_path, cell):
    msg = data_error(read_table, write(tmp_path, f"x y\n1 2\n3 {cell}\n"))
    assert "line 3" in msg and "'y'" in msg


def test_bom_is_stripped_by_parse_table_too():
    assert parse_table("\ufeffx y\n1 2\n").names == ("x", "y")


@pytest.mark.parametrize("names", ["x, y", "x y", "x,y"])
def test_names_may_be_one_string(names):
    assert as_dataset(np.zeros((2, 2)), names=names).names == ("x", "y")


# ------------------------------------------------- files that are not regular

@pytest.mark.skipif(not pathlib.Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("reader", [read_table, as_dataset])
def test_a_device_is_refused_before_it_is_read(reader):
    # /dev/zero never ends and reports a size of 0: it must not be opened at all.
    with mock.patch("symgd.data.tables.os.open", side_effect=AssertionError("opened")):
        msg = data_error(reader, "/dev/zero")
    assert "'/dev/zero'" in msg and "character device" in msg
    assert "regular text file" in msg


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("reader", [read_table, as_dataset])
def test_a_fifo_is_refused_without_opening_it(tmp_path, reader):
    import os
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # open() on a FIFO with no writer blocks forever: it must not be called.
    with mock.patch("symgd.data.tables.os.open", side_effect=AssertionError("opened")):
        msg = data_error(reader, fifo)
    assert str(fifo) in msg and "FIFO" in msg and "regular text file" in msg


def test_mse_on_a_device_is_a_data_error():
    if not pathlib.Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    msg = data_error(symgd.mse, "w*x + b", "/dev/zero")
    assert "/dev/zero" in msg and "regular text file" in msg


def test_a_file_swapped_for_a_fifo_after_the_check_is_refused(tmp_path):
    # Between the check and the open the path may change: the open does not
    # block and the opened file is checked again.
    import os
    import stat as stat_module
    path = write(tmp_path, "x y\n1 2\n")
    real_fstat = os.fstat

    def fifo_fstat(fd):
        st = real_fstat(fd)
        mode = (st.st_mode & ~stat_module.S_IFMT(st.st_mode)) | stat_module.S_IFIFO
        return os.stat_result((mode, *tuple(st)[1:]))

    with mock.patch("symgd.data.tables.os.fstat", side_effect=fifo_fstat):
        msg = data_error(read_table, path)
    assert "FIFO" in msg


def test_the_size_cap_holds_whatever_the_size_claims(tmp_path):
    path = write(tmp_path, "x y\n" + "1 2\n" * 50)          # 204 bytes
    with mock.patch("symgd.data.tables._MAX_FILE_BYTES", 100):
        msg = data_error(read_table, path)
    assert "too large" in msg and str(path) in msg
    # st_size is only a first check: a file that grew (or lies) is still cut off
    with mock.patch("symgd.data.tables._MAX_FILE_BYTES", 100), \
            mock.patch("symgd.data.tables._regular_file",
                       return_value=mock.Mock(st_size=10, st_mode=0o100644)):
        msg = data_error(read_table, path)
    assert "too large" in msg
    with mock.patch("symgd.data.tables._MAX_FILE_BYTES", 204):
        assert read_table(path).rows == 50


def test_a_file_larger_than_one_read_block_is_read_whole(tmp_path):
    rows = 3000
    path = write(tmp_path, "x y\n" + "".join(f"{k} {2 * k}\n" for k in range(rows)))
    with mock.patch("symgd.data.tables._READ_BLOCK", 1000):
        ds = read_table(path)
    assert ds.rows == rows
    np.testing.assert_array_equal(ds["y"], 2 * np.arange(rows))


def test_read_table_needs_a_path():
    with pytest.raises(InputTypeError, match="file path"):
        read_table(5)


# ------------------------------------------------------- short messages

def test_a_missing_column_lists_only_the_first_columns(tmp_path):
    header = " ".join(f"c{i}" for i in range(10_000))
    path = write(tmp_path, header + "\n" + " ".join(["1"] * 10_000) + "\n")
    ds = read_table(path)
    msg = data_error(ds.__getitem__, "nope")
    assert "c0, c1, c2" in msg and "c9999" not in msg
    assert "(10000 columns in all)" in msg
    assert len(msg) < 300 + len(str(path))


def test_show_names_and_clip():
    from symgd._text import names_list as show_names, quote as clip
    assert show_names(["x", "y"]) == "x, y"
    shown = show_names([f"c{i}" for i in range(10_000)])
    assert shown.startswith("c0, c1,") and shown.endswith("... (10000 columns in all)")
    assert len(shown) < 300
    assert len(show_names(["a" * 10_000, "b"])) < 100
    assert clip("x") == "'x'"
    long = clip("z" * 100_000)
    assert len(long) < 100 and "(100000 characters)" in long


def test_user_text_in_messages_is_clipped(tmp_path):
    cell = "9" * 100_000 + "x"
    path = write(tmp_path, f"x y\n{cell} 2\n")
    msg = data_error(read_table, path)
    assert "is not a number" in msg and len(msg) < 300 + len(str(path))
    name = "n" * 100_000
    msg = data_error(Dataset, {name: [1, 2], "y": [1, 2, 3]})
    assert "different lengths" in msg and len(msg) < 300
    msg = data_error(Dataset, {f"c{i}": [1.0] * (1 + (i == 0)) for i in range(10_000)})
    assert "(10000 columns in all)" in msg and len(msg) < 300


def test_header_with_code_is_read_as_plain_names(tmp_path):
    # Text that looks like code is a column name like any other; nothing runs.
    path = write(tmp_path, "__import__('os').system('touch_PWNED') y\n1 2\n2 3\n")
    ds = read_table(path)
    assert ds.names == ("__import__('os').system('touch_PWNED')", "y")
    # A space inside it splits it, as in every space-separated header:
    path = write(tmp_path, "__import__('os').system('touch PWNED') y\n1 2\n")
    assert "2 fields, but there are 3 column names" in data_error(read_table, path)


@pytest.mark.parametrize("text, number", [
    ("1", True), ("1.", True), ("1.5", True), (".5", True), ("-1e5", True), ("+2.5E-3", True),
    ("5.e3", True), ("+.5e1", True), ("1e", False), ("e5", False), (".", False),
    ("1..2", False), ("--1", False), ("1e+", False), ("12a", False), ("", False),
])
def test_number_syntax(text, number):
    from symgd.data.tables import _is_number
    assert _is_number(text) is number


def test_a_long_cell_that_is_not_a_number_is_rejected_in_linear_time(tmp_path):
    # The number pattern used to backtrack quadratically: 100,000 digits and a
    # letter took minutes. (No timing is asserted; a regression hangs the test.)
    from symgd.data.tables import _is_number
    assert not _is_number("9" * 1_000_000 + "x")
    path = write(tmp_path, "x y\n1 2\n" + "9" * 1_000_000 + "x 3\n")
    msg = data_error(read_table, path)
    assert "line 3" in msg and "is not a number" in msg and len(msg) < 400 + len(str(path))
