"""Tests of the ``symgd`` command (symgd.cli.main) and its entry points."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import symgd
from symgd import descend
from symgd.cli import main

from oracles import BOWL


class Utf8IO(io.StringIO):
    """A text stream that declares UTF-8, like a terminal's stdout."""
    encoding = "utf-8"


class AsciiIO(io.StringIO):
    encoding = "ascii"


def cli(*argv, out_cls=io.StringIO):
    out, err = out_cls(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code, out, err):
    assert code == 2
    assert err.startswith("symgd: error:")
    assert err.endswith("\n") and err.count("\n") == 1
    assert "Traceback" not in err and "Traceback" not in out


# ------------------------------------------------------------ diff

def test_diff_text_unicode():
    code, out, err = cli("diff", "z = x^2 + x*y + y^2", out_cls=Utf8IO)
    assert code == 0 and err == ""
    assert "∂z/∂x = 2*x + y" in out
    assert "∂z/∂y = x + 2*y" in out
    assert "∇z = (2*x + y, x + 2*y)" in out
    assert "Hessian:\n[2, 1]\n[1, 2]" in out


def test_diff_text_ascii_fallback():
    code, out, err = cli("diff", "z = x^2 + x*y + y^2", out_cls=AsciiIO)
    assert code == 0
    assert "dz/dx = 2*x + y" in out
    assert "grad z = (2*x + y, x + 2*y)" in out
    out.encode("ascii")


def test_diff_text_plain_stringio():
    # a StringIO has no encoding; symgd then writes ASCII 'd' instead of '∂'
    code, out, err = cli("diff", "z = x^2 + x*y + y^2")
    assert code == 0 and err == ""
    assert "z/" in out and "x = 2*x + y" in out


def test_diff_json():
    code, out, err = cli("diff", BOWL, "--json")
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    d = json.loads(out)
    assert isinstance(d, dict)
    assert d["variables"] == ["x", "y"]
    assert d["gradient"] == ["2*x + y", "x + 2*y"]
    assert d["hessian"] == [["2", "1"], ["1", "2"]]


def test_diff_latex():
    code, out, err = cli("diff", "z = x^2 + x*y + y^2", "--latex")
    assert code == 0
    assert r"\frac{\partial z}{\partial x}" in out
    assert r"\frac{\partial z}{\partial y}" in out


def test_diff_latex_and_json_exclusive():
    assert_one_line_error(*cli("diff", BOWL, "--latex", "--json"))


def test_diff_leading_minus_expression():
    code, out, err = cli("diff", "-x^2", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["expression"] == "-x**2"
    assert d["gradient"] == ["-2*x"]


def test_diff_constants():
    code, out, err = cli("diff", "a*x^2 + b*y", "--const", "a=2", "--const", "b=3", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["variables"] == ["x", "y"]
    assert d["gradient"] == ["4*x", "3"]
    code, out2, _ = cli("diff", "a*x^2 + b*y", "--const", "a=2,b=3", "--json")
    assert code == 0 and json.loads(out2) == d


def test_diff_vars_order():
    _, out, _ = cli("diff", "x^2 + 3*x*y", "--json")
    _, out_yx, _ = cli("diff", "x^2 + 3*x*y", "--vars", "y,x", "--json")
    d, d_yx = json.loads(out), json.loads(out_yx)
    assert d["variables"] == ["x", "y"] and d_yx["variables"] == ["y", "x"]
    assert d_yx["gradient"] == d["gradient"][::-1] == ["3*x", "2*x + 3*y"]
    assert d_yx["hessian"] == [["0", "3"], ["3", "2"]]


# ------------------------------------------------------------ descend

def test_descend_json():
    code, out, err = cli("descend", BOWL, "--start", "1,1", "--json")
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    d = json.loads(out)
    assert {"x", "fun", "nit", "success", "status", "message"} <= set(d)
    assert set(d["x"]) == {"x", "y"}
    ref = descend(BOWL, [1, 1], lr=0.1)
    assert d["x"] == ref.point
    assert d["fun"] == ref.fun and d["nit"] == ref.nit == 56
    assert d["success"] is True and d["status"] == 0
    assert d["message"] == ref.message


def test_descend_json_options_passed_through():
    code, out, _ = cli("descend", BOWL, "--start", "1,1", "--lr", "0.2", "--max-iter", "7",
                       "--tol", "1e-3", "--json")
    ref = descend(BOWL, [1, 1], lr=0.2, max_iter=7, tol=1e-3)
    assert code == 1
    assert json.loads(out) == json.loads(json.dumps(ref.to_dict()))
    code, out, _ = cli("descend", BOWL, "--start", "1,1", "--ftol", "1e-3", "--json")
    assert code == 0 and json.loads(out)["status"] == 2


def test_descend_exact_number_arguments():
    code, out, _ = cli("descend", BOWL, "--start", "1/2,1/3", "--lr", "1/10", "--json",
                       "--max-iter", "0")
    assert code == 1
    assert json.loads(out)["x"] == {"x": 0.5, "y": 1 / 3}


@pytest.mark.parametrize("argv,code,status", [
    (["--start", "1,1"], 0, 0),
    (["--start", "1,1", "--lr", "0.7"], 1, 3),
    (["--start", "1,1", "--max-iter", "3"], 1, 1),
])
def test_descend_exit_codes(argv, code, status):
    got, out, err = cli("descend", BOWL, *argv, "--json")
    assert got == code and err == ""
    assert json.loads(out)["status"] == status
    got_text, text, _ = cli("descend", BOWL, *argv)
    assert got_text == code


def test_descend_not_finite_json_uses_null():
    code, out, _ = cli("descend", "log(x)", "--start", "-1", "--json")
    assert code == 1
    d = json.loads(out)
    assert d["fun"] is None and d["status"] == 4 and d["nit"] == 0


def test_descend_text_output():
    code, out, err = cli("descend", BOWL, "--start", "1,1")
    assert code == 0 and err == ""
    assert "lr = 0.1" in out
    assert "Converged" in out
    assert "grad_norm" not in out  # no table without --table
    assert "x = 2.11588e-09, y = 2.11588e-09" in out


def test_descend_diverging_message_mentions_bound():
    code, out, _ = cli("descend", BOWL, "--start", "1,1", "--lr", "0.7")
    assert code == 1
    assert "Diverged" in out and "2/3" in out


def test_descend_table_every_prints_last_iteration():
    code, out, _ = cli("descend", BOWL, "--start", "1,1", "--table", "--every", "10")
    assert code == 0
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["iteration"])
    rows = []
    for line in lines[header + 1:]:
        if not line.strip():
            break
        rows.append(int(line.split()[0]))
    assert rows == [0, 10, 20, 30, 40, 50, 56]


def test_descend_table_gradient_and_digits():
    code, out, _ = cli("descend", BOWL, "--start", "1,1", "--table", "--gradient",
                       "--digits", "3", "--max-iter", "2")
    assert code == 1
    assert "df/dx" in out and "df/dy" in out
    assert "0.49" in out


def test_descend_table_csv():
    code, out, err = cli("descend", BOWL, "--start", "1,1", "--max-iter", "3", "--table",
                         "--format", "csv")
    assert code == 1 and err == ""
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["iteration", "x", "y", "loss", "grad_norm"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2", "3"]
    assert [float(v) for v in rows[2][1:3]] == [0.7, 0.7]


@pytest.mark.parametrize("fmt,marker", [("markdown", "|---:|"), ("latex", r"\toprule"),
                                        ("json", '"iteration"')])
def test_descend_table_other_formats(fmt, marker):
    code, out, _ = cli("descend", BOWL, "--start", "1,1", "--table", "--format", fmt)
    assert code == 0
    assert marker in out
    if fmt == "json":
        assert json.loads(out)[-1]["iteration"] == 56


@pytest.mark.parametrize("start", [["--start", "x=1,y=1"], ["--start", "y=1,x=1"],
                                   ["--start", "1,1"], ["--start", "1"], ["--start=1,1"]])
def test_descend_start_forms(start):
    code, out, _ = cli("descend", BOWL, *start, "--json")
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(descend(BOWL, [1, 1]).to_dict()))


@pytest.mark.parametrize("start", [["--start=-1,2"], ["--start", "-1,2"]])
def test_descend_negative_start(start):
    code, out, err = cli("descend", BOWL, *start, "--max-iter", "0", "--json")
    assert code == 1, err
    assert json.loads(out)["x"] == {"x": -1.0, "y": 2.0}


def test_descend_negative_named_start_and_expression():
    code, out, err = cli("descend", "-x^2 + x^4", "--start", "-2", "--max-iter", "0", "--json")
    assert code == 1, err
    assert json.loads(out)["x"] == {"x": -2.0}
    assert json.loads(out)["fun"] == -4 + 16


def test_descend_const_and_vars():
    code, out, err = cli("descend", "a*(x - b)^2 + y^2", "--const", "a=2", "--const", "b=3",
                         "--start", "0,1", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["x"]["x"] == pytest.approx(3, abs=1e-6)
    code, out, _ = cli("descend", "x^2 + 3*y^2", "--vars", "y,x", "--start", "1,2",
                       "--max-iter", "0", "--json")
    assert list(json.loads(out)["x"].items()) == [("y", 1.0), ("x", 2.0)]


# ------------------------------------------------------------ errors

@pytest.mark.parametrize("argv", [
    ["descend", "x^2 +* y", "--start", "1,1"],          # bad expression
    ["diff", "x^2 + (y"],                                # bad expression
    ["diff", "sin("],                                    # bad expression
    ["descend", BOWL, "--start", "1,1", "--lr", "abc"],  # bad --lr
    ["descend", BOWL, "--start", "1,1", "--lr", "-1"],   # bad --lr
    ["descend", BOWL, "--start", "1,1", "--lr", "0"],    # bad --lr
    ["descend", BOWL, "--start", "1,1", "--max-iter", "2.5"],
    ["descend", BOWL, "--start", "1,1", "--max-iter", "-3"],
    ["descend", BOWL, "--start", "1,1", "--tol", "-1"],
    ["descend", BOWL, "--start", "1,1", "--bogus"],      # unknown option
    ["diff", BOWL, "--bogus"],                           # unknown option
    ["descend", BOWL],                                   # missing --start
    ["descend", BOWL, "--start", "1,1,1"],               # wrong start length
    ["descend", BOWL, "--start", "x=1"],                 # missing name
    ["descend", BOWL, "--start", "x=1,w=2"],             # unknown name
    ["descend", BOWL, "--start", "1,a"],                 # not a number
    ["descend", BOWL, "--start", ""],                    # empty
    ["descend", BOWL, "--start", "1,1", "--table", "--every", "0"],
    ["descend", BOWL, "--start", "1,1", "--format", "html"],
    ["diff", "x^2", "--const", "a"],                     # bad --const
    ["diff", "a*x^2", "--vars", "x,x"],                  # duplicate variable
    ["diff", "a*x^2", "--vars", "x"],                    # unknown name a
    ["frobnicate"],                                      # unknown command
    ["demo", "nosuchdemo"],
])
def test_bad_input_exit_2_one_line(argv):
    code, out, err = cli(*argv)
    assert_one_line_error(code, out, err)


def test_error_messages_are_specific():
    _, _, err = cli("descend", BOWL)
    assert "--start" in err
    _, _, err = cli("descend", BOWL, "--start", "1,1,1")
    assert "3 values" in err
    _, _, err = cli("frobnicate")
    assert "frobnicate" in err
    _, _, err = cli("descend", BOWL, "--start", "1,1", "--lr", "abc")
    assert "--lr" in err
    _, _, err = cli("descend", BOWL, "--start", "1", "--bogus")
    assert "--bogus" in err


def test_negative_digits_is_bad_input():
    code, out, err = cli("descend", BOWL, "--start", "1,1", "--digits", "-1")
    assert_one_line_error(code, out, err)


def test_negative_digits_with_table_is_bad_input():
    assert_one_line_error(*cli("descend", BOWL, "--start", "1,1", "--table", "--digits", "-1"))


def test_debug_prints_traceback():
    code, out, err = cli("descend", "x^2 +* y", "--start", "1,1", "--debug")
    assert code == 2
    assert "Traceback" in err
    assert err.rstrip("\n").splitlines()[-1].startswith("symgd: error:")


def test_no_command_is_a_one_line_usage_error():
    code, out, err = cli()
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgd: error: no command given")
    assert "descend" in lines[0]


# ------------------------------------------------------------ demo

def test_demo():
    code, out, err = cli("demo")
    assert code == 0 and err == ""
    assert "2/3" in out
    assert "Converged" in out and "Diverged" in out
    code2, out2, _ = cli("demo", "bowl")
    assert code2 == 0 and out2 == out


def test_demo_unicode():
    code, out, _ = cli("demo", out_cls=Utf8IO)
    assert code == 0
    assert "∂z/∂x = 2*x + y" in out


def test_version_returns_zero_and_writes_to_out():
    out, err = io.StringIO(), io.StringIO()
    try:
        code = main(["--version"], out=out, err=err)
    except SystemExit as exit_:
        code = f"SystemExit({exit_.code})"
    assert code == 0
    assert symgd.__version__ in out.getvalue()


# ------------------------------------------------------------ entry points

def _env():
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def test_python_dash_m():
    proc = subprocess.run([sys.executable, "-m", "symgd", "diff", "x^2"], capture_output=True,
                          text=True, encoding="utf-8", env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "f′(x) = 2*x" in proc.stdout


def test_python_dash_m_bad_input():
    proc = subprocess.run([sys.executable, "-m", "symgd", "descend", "x^2"],
                          capture_output=True, text=True, encoding="utf-8", env=_env(),
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith("symgd: error:") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def test_console_script_version():
    script = Path(sys.executable).parent / ("symgd.exe" if os.name == "nt" else "symgd")
    if not script.exists():
        pytest.skip("the symgd console script is not installed next to this Python")
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                          env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"symgd {symgd.__version__}"


# ------------------------------------------------------------ fit

def test_fit_car_lesson_json_matches_least_squares():
    code, out, err = cli("fit", "cars", "--model", "w*weight + b", "--target", "mpg",
                         "--lr", "0.01", "--max-iter", "200000", "--tol", "1e-9", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["success"] is True
    assert d["x"]["w"] == pytest.approx(d["least_squares"]["w"], abs=1e-6)
    assert d["x"]["b"] == pytest.approx(d["least_squares"]["b"], abs=1e-6)
    assert d["least_squares"]["w"] == pytest.approx(-4.5691095, abs=1e-6)


def test_fit_pizza_table_shows_the_published_losses():
    code, out, err = cli("fit", "pizza", "--model", "w*x + b",
                         "--columns", "x=Reservations,y=Pizzas", "--lr", "0.005",
                         "--max-iter", "2", "--table", "--format", "csv", "--digits", "14")
    assert code == 1, err          # two steps do not converge
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:4] == ["iteration", "b", "w", "loss"]
    assert [f"{float(r[3]):.10f}" for r in rows[1:]] == [
        "812.8666666667", "1131.8941261333", "1587.8389543973"]


def test_fit_text_output_shows_the_textbook_gradient():
    code, out, err = cli("fit", "cars", "--model", "w*weight + b", "--target", "mpg",
                         "--params", "w,b", "--lr", "0.01", "--max-iter", "1")
    assert code == 1, err
    assert "7 rows of cars" in out and "least squares: (w = -4.56911, b = 33.5851)" in out
    assert "weight[i]" in out


@pytest.mark.parametrize("argv, fragment", [
    (["fit", "no_such_file.txt", "--model", "w*x"], "no such data file"),
    (["fit", "pizza", "--model", "w*x + b"], "target column 'y'"),
    (["fit", "pizza", "--model", "w*q", "--target", "Pizzas"], "uses no data column"),
    (["fit", "pizza", "--model", "w*Reservations", "--target", "Pizzas",
      "--loss", "logloss"], "labels in [0, 1]"),
    (["fit", "pizza", "--model", "w*x", "--columns", "x"], "name=value"),
    (["fit", "pizza", "--model", "w*x +", "--columns", "x=Reservations,y=Pizzas"],
     "cannot parse"),
])
def test_fit_bad_input_is_one_line_exit_2(argv, fragment):
    code, out, err = cli(*argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgd: error:") and fragment in lines[0]
    assert "Traceback" not in err


def test_fit_bad_cell_names_line_and_column(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("x y\n1 2\n3 oops\n")
    code, out, err = cli("fit", str(path), "--model", "w*x + b")
    assert code == 2 and "line 3, column 'y'" in err


# ------------------------------------------------------------ check

def test_check_right_gradient_exits_0():
    code, out, err = cli("check", "x^2 + xy + y^2", "--grad", "2x + y, 2y + x")
    assert code == 0 and "All 2 partials are right." in out


def test_check_sign_error_exits_1_and_names_it():
    code, out, err = cli("check", "z = x^2*y - 3y", "--grad", "2xy, 3 - x^2")
    assert code == 1 and "sign error" in out and "dz/dy" in out      # ASCII stream


def test_check_json_has_gradient_and_hessian():
    code, out, err = cli("check", "x^2 + x*y + y^2", "--grad", "2x + y, x + 2y",
                         "--hessian", "2, 1; 1, 2", "--json")
    d = json.loads(out)
    assert code == 0 and set(d) == {"gradient", "hessian"}


def test_check_ascii_terminal_gets_no_unicode():
    class Ascii(io.StringIO):
        encoding = "ascii"
    out, err = Ascii(), io.StringIO()
    code = symgd.cli.main(["check", "x^2 + y^2", "--grad", "2x, 2y"], out=out, err=err)
    assert code == 0 and out.getvalue().isascii() and "df/dx" in out.getvalue()


@pytest.mark.parametrize("argv", [["check", "x^2"], ["check", "x^2", "--grad", "2x +"],
                                  ["check", "x^2 + y^2", "--grad", "2x"],
                                  ["check", "x^2", "--hessian", "1, 2; 3"]])
def test_check_bad_input_exits_2(argv):
    code, out, err = cli(*argv)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
