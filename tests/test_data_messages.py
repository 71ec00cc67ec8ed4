"""Messages about data files: where and what kind, never the file's text.

Every hostile file is written to a temporary folder and read with
``read_table``, with ``mse`` and with ``symgd fit`` (in process). Each
message must name the line (and the column where there is one), must not
contain the secret substrings planted in the file, nor more than a short
prefix of any long token of the file; the command line must exit 2 with one
line on standard error and no traceback.
"""

from __future__ import annotations

import io
import os
import re
from typing import NamedTuple
from unittest import mock

import numpy as np
import pytest

import symgd
from symgd.cli.main import main
from symgd.errors import DataError

PASSWD = ("root:x:0:0:root:/root:/bin/bash\n"
          "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
          "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n")
SHADOW = ("root:$6$Zq8s1N0w$Hx4kTq9hashhashhash:19000:0:99999:7:::\n"
          "daemon:*:19000:0:99999:7:::\n")
MAPS = ("561342dbb000-561342dbc000 r--p 00000000 08:01 1234 /usr/bin/python3.11\n"
        "561342dbc000-561342dbd000 r-xp 00001000 08:01 1234 /usr/bin/python3.11\n")
ENV = "API_KEY=sk-live-51HcQ2xYzTopSecret\nDB_PASSWORD=hunter2hunter2\n"


class Case(NamedTuple):
    id: str
    content: str | bytes
    where: tuple[str, ...]        # fragments the message must hold
    secrets: tuple[str, ...] = ()  # substrings it must not hold


CASES = [
    Case("passwd", PASSWD, ("line 2, column 1", "it is text"), ("root", "daemon", "/bin")),
    Case("shadow", SHADOW, ("line 2, column 1",), ("$6$", "Zq8s1N0w", "hash", "daemon")),
    Case("proc-maps", MAPS, ("line 2, column 1",), ("561342", "python3", "r-xp")),
    Case("env-file", ENV, ("line 2, column 1",), ("sk-live", "hunter2", "API_KEY")),
    Case("env-file-two-lines", ENV + "X=1\n", ("line 2, column 1",),
         ("sk-live", "hunter2", "API_KEY")),
    Case("secret-cell", "x,y\n1,2\nAPI_KEY=sk-live-51HcQ2xY,3\n",
         ("line 3, column 'x'", "it is text"), ("sk-live", "API_KEY", "51HcQ2")),
    Case("secret-cell-spaces", "x y\n1 2\n3 ghp_16C7e42F292c6912E7710c838347Ae178B4a\n",
         ("line 3, column 'y'", "it is text"), ("ghp_", "16C7e42")),
    Case("long-secret-cell", "x,y\n1,2\n" + "s3cr3t" * 10_000 + ",4\n",
         ("line 3, column 'x'",), ("s3cr3t",)),
    Case("secret-header-name", "password=hunter2,y\n1,2\nabc,3\n",
         ("line 3, column 1",), ("hunter2", "password")),
    Case("card-number-header", "4111 1111 1111 1111\n1 2 3 4\n", ("only numbers", "4 fields"),
         ("4111",)),
    Case("duplicate-unnamed-header", "a:secret a:secret\n1 2\n", ("columns 1 and 2",),
         ("secret",)),
    Case("stray-cr-row", "x,y\n1,2\n3\r9,4\n", ("line 3, column 'x'", "carriage return")),
    Case("stray-cr-second-cell", "x,y\n1,2\n3,4\r9\n", ("line 3, column 'y'",
                                                         "carriage return")),
    # a first line that ends with a lone \r says the lines end with \r
    Case("cr-in-header-then-lf", "x\r1,y\n1,2\n", ("line 2", "line feed")),
    Case("stray-cr-spaces", "x y\n1 2\n3\r9 4\n", ("line 3", "carriage return")),
    Case("mixed-line-endings", "x,y\r1,2\n3,4\n", ("line 2", "line feed")),
    Case("text-after-quote", 'x,y\n"4"5,2\n3,4\n', ("line 2, column 'x'", "closing quote")),
    Case("quote-inside-cell", 'x,y\n1,2\n4"5,2\n', ("line 3, column 'x'", "quote")),
    Case("quote-never-closed", 'x,y\n1,2\n"1,2\n', ("line 3, column 'x'", "never closed")),
    Case("quote-in-header", 'x,"y"z\n1,2\n', ("line 1", "closing quote")),
    Case("thousands-separator", "x;y\n1;2\n1,234;5\n",
         ("line 3, column 'x'", "thousands separator", "'1,234'")),
    Case("comma-decimal", "x;y\n1;2\n4,5;5\n", ("line 3, column 'x'", "comma decimal")),
    Case("empty-cell", "x,y\n1,\n", ("line 2, column 'y'", "empty")),
    Case("binary", bytes(range(256)) * 16, ("UTF-8",)),
    Case("latin-1-secret", "x y\n1 2\nm\xf6t\xf6rhead 3\n".encode("latin-1"),
         ("UTF-8", "line 3"), ("rhead",)),
    Case("nul-in-cell", "x y\n1 2\n1\x00secret 3\n", ("line 3, column 'x'",), ("secret",)),
    Case("bom-and-bad-cell", "\ufeffx,y\n1,2\nsecret,3\n", ("line 3, column 'x'",),
         ("secret",)),
    Case("ragged-secret", "x,y\n1,2\nsecret,in,many,fields\n", ("line 3", "4 fields"),
         ("secret",)),
    Case("non-finite", "x,y\n1,2\nnan,3\n", ("line 3, column 'x'", "finite")),
    Case("huge-number", "x,y\n1,2\n" + "9" * 400 + ",3\n",
         ("line 3, column 'x'", "400 characters"), ("9" * 20,)),
]


def _write(tmp_path, content) -> str:
    path = tmp_path / "data.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return str(path)


def _tokens(content) -> list[str]:
    text = content.decode("latin-1") if isinstance(content, bytes) else content
    return [t for t in re.split(r"[,;\t\n\r ]+", text) if len(t) > 24]


def check_message(msg: str, case: Case, path: str) -> None:
    shown = msg.replace(path, "<path>")
    for fragment in case.where:
        assert fragment in shown, (fragment, msg)
    for secret in case.secrets:
        assert secret not in shown, (secret, msg)
    for token in _tokens(case.content):
        assert token[:12] not in shown, (token[:12], msg)
    assert len(shown) < 400, msg


def data_error(call, *args, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        call(*args, **kwargs)
    return str(info.value)


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_read_table_says_where_never_what(case, tmp_path):
    path = _write(tmp_path, case.content)
    check_message(data_error(symgd.read_table, path), case, path)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fit_on_the_command_line_says_where_never_what(case, tmp_path):
    path = _write(tmp_path, case.content)
    code, out, err = run_cli(["fit", path, "--model", "w*x + b"])
    assert code == 2, (out, err)
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("symgd: error: ")
    check_message(err.strip(), case, path)


def test_a_symlink_to_a_secret_file(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text(SHADOW)
    link = tmp_path / "data.csv"
    os.symlink(secret, link)
    code, out, err = run_cli(["fit", str(link), "--model", "w*x + b"])
    assert code == 2 and "Traceback" not in err
    assert "Zq8s1N0w" not in err and "daemon" not in err and "line 2" in err


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="no /proc")
@pytest.mark.parametrize("target", ["/proc/self/maps", "/etc/passwd"])
def test_real_system_files(target):
    code, out, err = run_cli(["fit", target, "--model", "w*x + b"])
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1
    with open(target) as file:
        lines = file.read().splitlines()
    for line in lines[:3]:
        for part in re.split(r"[\s:]+", line):
            if len(part) > 6:
                assert part not in err, (part, err)


def test_a_header_name_that_is_not_a_name_is_not_shown_in_later_messages(tmp_path):
    path = _write(tmp_path, "API_KEY=sk-live-51Hc,y\n1,2\n2,4\n3,7\n")
    msg = data_error(symgd.mse, "w*x + b", path)
    assert "sk-live" not in msg and "(column 1)" in msg
    # in-memory data is the caller's own: its names are shown as given
    msg = data_error(symgd.mse, "w*x + b", {"a:b": [1.0, 2.0], "y": [1.0, 2.0]})
    assert "a:b" in msg


# --------------------------------------------------------- read correctly

@pytest.mark.parametrize("text", [
    "x,y\r1,2\r3,4\r5,7\r",          # classic Mac line endings
    "x,y\r1,2\r3,4\r5,7",
    "x,y\r\n1,2\r\n3,4\r\n5,7\r\n",
    "x,y\n1,2\n3,4\n5,7",
    '"x","y"\n"1","2"\n"3", "4"\n5,"7"\n',
    '"x, the input",y\n1,2\n3,4\n5,7\n',
    "\ufeffx,y\n1,2\n\n# a comment\n3,4\n5,7\n",
], ids=["cr", "cr-no-last", "crlf", "lf-no-last", "quoted", "quoted-comma-header", "bom"])
def test_line_endings_and_quotes_read_the_same_numbers(tmp_path, text):
    ds = symgd.read_table(_write(tmp_path, text))
    np.testing.assert_array_equal(ds[ds.names[0]], [1.0, 3.0, 5.0])
    np.testing.assert_array_equal(ds["y"], [2.0, 4.0, 7.0])
    assert ds.names[0] in ("x", "x, the input")


def test_cr_line_numbers_count_carriage_returns(tmp_path):
    msg = data_error(symgd.read_table, _write(tmp_path, "x,y\r1,2\r3,4\r5,oops\r"))
    assert "line 4, column 'y'" in msg


def test_a_line_ending_split_between_blocks(tmp_path):
    # \r at the end of one block and \n at the start of the next are one ending
    text = "x,y\r\n" + "".join(f"{k},{2 * k}\r\n" for k in range(500))
    path = _write(tmp_path, text)
    for block in (5, 6, 7, 64, 1000):
        with mock.patch("symgd.data.tables._READ_BLOCK", block):
            ds = symgd.read_table(path)
        np.testing.assert_array_equal(ds["y"], 2 * np.arange(500))
    text = "x,y\r" + "".join(f"{k},{2 * k}\r" for k in range(500))
    path = _write(tmp_path, text)
    for block in (4, 5, 6, 64):
        with mock.patch("symgd.data.tables._READ_BLOCK", block):
            ds = symgd.read_table(path)
        np.testing.assert_array_equal(ds["x"], np.arange(500))


def test_multibyte_characters_split_between_blocks(tmp_path):
    path = _write(tmp_path, "größe,y\n" + "".join(f"{k},{k}\n" for k in range(100)))
    for block in (1, 2, 3, 7):
        with mock.patch("symgd.data.tables._READ_BLOCK", block):
            assert symgd.read_table(path).names == ("größe", "y")


def test_a_huge_line_is_refused_before_it_is_split(tmp_path):
    path = _write(tmp_path, "x y\n1 2\n" + "1 " * 200_000 + "\n")
    with mock.patch("symgd.data.tables._MAX_LINE", 100_000):
        msg = data_error(symgd.read_table, path)
        code, out, err = run_cli(["fit", path, "--model", "w*x + b"])
    assert "line 3 is longer than 100000 characters" in msg
    assert code == 2 and "Traceback" not in err and "longer than" in err


def test_parse_table_reads_in_blocks_too():
    text = "a b\n" + "".join(f"{k} {k * k}\n" for k in range(300))
    with mock.patch("symgd.data.tables._READ_BLOCK", 17):
        ds = symgd.data.parse_table(text)
    np.testing.assert_array_equal(ds["b"], np.arange(300) ** 2)


# --------------------------------------------------- linear and its names

def test_linear_refuses_columns_that_cannot_be_symbols(tmp_path):
    path = _write(tmp_path, "weight kg,__class__,z,y\n1,2,3,4\n2,3,1,5\n4,1,7,2\n6,2,1,8\n")
    msg = data_error(symgd.mse, "linear", path)
    assert "'weight kg'" in msg and "'__class__'" in msg and "columns=" in msg
    code, out, err = run_cli(["fit", path, "--model", "linear"])
    assert code == 2 and "--columns" in err and "'weight kg'" in err
    # the fix the message gives works, and so does listing the features
    fixed = symgd.mse("linear", path, columns={"x1": "weight kg", "x2": "__class__"})
    assert set(fixed.columns) == {"x1", "x2", "z", "y"}
    assert set(symgd.mse("linear:z", path).columns) == {"z", "y"}


def test_linear_refuses_columns_named_like_its_parameters(tmp_path):
    path = _write(tmp_path, "w1,b,y\n1,2,3\n2,3,5\n4,1,2\n3,3,3\n")
    msg = data_error(symgd.mse, "linear", path)
    assert "'w1'" in msg and "'b'" in msg and "columns=" in msg
    code, out, err = run_cli(["fit", path, "--model", "linear"])
    assert code == 2 and "--columns x1=w1,x2=b" in err
    fixed = symgd.mse("linear", path, columns={"x1": "w1", "x2": "b"})
    assert list(fixed.names) == ["w1", "w2", "b"]
    # the same least-squares fit as NumPy's on the two columns
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    X = np.c_[data[:, :2], np.ones(len(data))]
    expected = np.linalg.lstsq(X, data[:, 2], rcond=None)[0]
    np.testing.assert_allclose(fixed.grad(expected), 0, atol=1e-9)
