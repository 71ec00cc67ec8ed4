"""--format on every command, the options refused in combinations that do not
use them, and error messages that name the command line's flags."""

from __future__ import annotations

import csv
import io
import json

import pytest

from symgd import InputError, Objective, descend
from symgd._report import FORMATS, Report, render
from symgd.cli import main
from symgd.cli.emit import emit, plain
from symgd.cli.flags import FLAGS, as_flags
from symgd.cli.parser import COMMANDS, DEMOS
from symgd.cli.commands import DEMO_REPORTS
from symgd.cli.rules import PLOT_USES
from symgd.descent.table import derivatives_dict as table_derivatives_dict
from symgd.objective.display import Derivatives, derivatives_dict, derivatives_text

from oracles import BOWL

PIZZA = ["pizza", "--model", "w*x + b", "--columns", "x=Reservations,y=Pizzas"]


class Utf8IO(io.StringIO):
    encoding = "utf-8"


class AsciiIO(io.StringIO):
    encoding = "ascii"


def cli(*argv, out_cls=Utf8IO):
    out, err = out_cls(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def command_line(name, tmp_path):
    """One quick command line of each command."""
    return {
        "diff": ["diff", "z = x^2 + x*y + y^2"],
        "descend": ["descend", BOWL, "--start", "1,1", "--max-iter", "5"],
        "fit": ["fit", *PIZZA, "--lr", "0.001", "--max-iter", "3"],
        "analyze": ["analyze", BOWL, "--lr", "0.1"],
        "check": ["check", BOWL, "--grad", "2x + y, x + 2y"],
        "explain": ["explain", BOWL, "--wrt", "x"],
        "plot": ["plot", "loss", BOWL, "--start", "1,1", "--max-iter", "5",
                 "--out", str(tmp_path / "figure.png")],
        "animate": ["animate", BOWL, "--start", "1,1", "--max-iter", "5", "--frames", "3",
                    "--dpi", "40", "--out", str(tmp_path / "descent.gif")],
        "report": ["report", BOWL, "--start", "1,1", "--lr", "0.4", "--frames", "0",
                   "--out", str(tmp_path / "lesson.html")],
        "demo": ["demo"],
    }[name]


# What the JSON of each command holds, at least.
JSON_KEYS = {"diff": {"gradient", "hessian"}, "descend": {"x", "fun", "message"},
             "fit": {"x", "least_squares"}, "analyze": {"stationary_points", "lr_bound"},
             "check": {"gradient"}, "explain": set(), "plot": {"kind", "path"},
             "animate": {"kind", "path"}, "report": {"kind", "path"},
             "demo": {"derivatives", "converging", "too_big"}}
# Commands whose report has a LaTeX form of its own.
LATEX = {"diff", "descend", "fit", "explain", "demo"}
# Commands whose report has no Markdown form (a one-line summary).
NO_MARKDOWN = {"plot", "animate", "report"}


def _param(name, *marks):
    return pytest.param(name, id=name, marks=list(marks))


JSON_COMMANDS = [_param(c) for c in COMMANDS]


def test_every_command_is_covered():
    assert set(COMMANDS) == set(JSON_KEYS)
    assert sorted(DEMOS) == sorted(DEMO_REPORTS)


# ------------------------------------------------------------ each format

@pytest.mark.parametrize("name", COMMANDS)
def test_text_is_the_default_format(name, tmp_path):
    argv = command_line(name, tmp_path)
    code, out, err = cli(*argv)
    assert code in (0, 1) and err == "" and out.strip()
    assert cli(*argv, "--format", "text") == (code, out, err)


@pytest.mark.parametrize("name", COMMANDS)
def test_markdown(name, tmp_path):
    argv = command_line(name, tmp_path)
    code, out, err = cli(*argv, "--format", "markdown")
    assert code in (0, 1) and err == "" and out.strip()
    if name not in NO_MARKDOWN:
        assert out != cli(*argv)[1]


@pytest.mark.parametrize("name", COMMANDS)
def test_latex(name, tmp_path):
    argv = command_line(name, tmp_path)
    code, out, err = cli(*argv, "--format", "latex")
    assert code in (0, 1) and err == "" and out.strip()
    if name in LATEX:
        assert "\\frac" in out or "\\[" in out or "\\begin" in out, out[:300]
    else:                      # LaTeX where the report has it, else the text
        assert "\\" in out or out == cli(*argv)[1]


@pytest.mark.parametrize("name", JSON_COMMANDS)
def test_json_parses(name, tmp_path):
    code, out, err = cli(*command_line(name, tmp_path), "--format", "json")
    assert code in (0, 1) and err == ""
    assert out.count("\n") == 1 and out.isascii()
    data = json.loads(out)
    assert isinstance(data, dict) and JSON_KEYS[name] <= set(data)


def _without_times(value):
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if k != "elapsed_s"}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


@pytest.mark.parametrize("name", JSON_COMMANDS)
def test_json_flag_is_format_json(name, tmp_path):
    argv = command_line(name, tmp_path)
    code, out, err = cli(*argv, "--json")
    code2, out2, err2 = cli(*argv, "--format", "json")
    assert (code, err) == (code2, err2) and err == ""
    assert _without_times(json.loads(out)) == _without_times(json.loads(out2))
    assert cli(*argv, "--json", "--format", "json")[0] == code


@pytest.mark.parametrize("name", COMMANDS)
def test_text_on_an_ascii_terminal_is_ascii(name, tmp_path):
    code, out, err = cli(*command_line(name, tmp_path), out_cls=AsciiIO)
    assert code in (0, 1) and err == "" and out.isascii()


def test_descend_format_json_without_table_is_the_result():
    code, out, err = cli("descend", BOWL, "--start", "1,1", "--format", "json")
    assert code == 0 and err == ""
    assert json.loads(out) == json.loads(json.dumps(descend(BOWL, [1, 1]).to_dict()))


def test_descend_table_keeps_its_formats():
    base = ["descend", BOWL, "--start", "1,1", "--max-iter", "3", "--table"]
    rows = list(csv.reader(io.StringIO(cli(*base, "--format", "csv")[1])))
    assert rows[0] == ["iteration", "x", "y", "loss", "grad_norm"] and len(rows) == 5
    table = json.loads(cli(*base, "--json")[1])
    assert [r["iteration"] for r in table] == [0, 1, 2, 3]
    assert "|---:|" in cli(*base, "--format", "markdown")[1]
    text = cli(*base)[1]
    assert "grad_norm" in text and "lr = 0.1" in text


def test_descend_markdown_and_latex_say_what_the_text_says():
    argv = ["descend", BOWL, "--start", "1,1", "--lr", "0.7"]
    code, md, _ = cli(*argv, "--format", "markdown")
    assert code == 1 and "Diverged" in md and "$f(x, y) = x^{2} + x y + y^{2}$" in md
    code, tex, _ = cli(*argv, "--format", "latex")
    assert code == 1 and "Diverged" in tex and r"\gamma = 0.7" in tex
    assert r"\left(x = 6.7275, y = 6.7275\right)" in tex


def test_fit_markdown_has_the_least_squares_solution():
    code, out, _ = cli("fit", *PIZZA, "--lr", "0.001", "--max-iter", "3", "--format",
                       "markdown")
    assert code == 1 and "least squares: (b = 13.1726, w = 1.08111)" in out
    assert r"\frac{\partial L}{\partial w}" in out


def test_explain_markdown_and_latex_are_the_explanations_own():
    from symgd import explain
    for fmt in ("markdown", "latex"):
        code, out, _ = cli("explain", BOWL, "--wrt", "x", "--format", fmt)
        assert out == explain(BOWL, wrt="x").format(fmt).rstrip("\n") + "\n"


def test_diff_latex_flag_is_format_latex():
    assert cli("diff", BOWL, "--latex") == cli("diff", BOWL, "--format", "latex")


# ------------------------------------------------------------ refused combinations

def assert_refused(argv, flag):
    code, out, err = cli(*argv)
    assert code == 2 and out == "", (code, out)
    assert err.startswith("symgd: error:") and err.count("\n") == 1, err
    assert flag in err, err


RUN = ["descend", BOWL, "--start", "1,1"]
FIT = ["fit", *PIZZA]


@pytest.mark.parametrize("argv, flag", [
    ([*RUN, "--every", "2"], "--every"),
    ([*RUN, "--gradient"], "--gradient"),
    ([*RUN, "--first", "1"], "--first"),
    ([*RUN, "--record-bound"], "--record-bound"),
    ([*RUN, "--format", "csv"], "--format csv"),
    ([*RUN, "--json", "--format", "markdown"], "--json"),
    ([*RUN, "--json", "--digits", "3"], "--digits"),
    ([*RUN, "--table", "--format", "json", "--digits", "3"], "--digits"),
    ([*FIT, "--format", "csv"], "--format csv"),
    ([*FIT, "--every", "5"], "--every"),
    ([*FIT, "--epochs", "3"], "--epochs"),
    ([*FIT, "--no-shuffle"], "--no-shuffle"),
    ([*FIT, "--init", "he"], "--init"),
    (["fit", "pizza", "--model", "mlp:1-2-1:tanh", "--columns", "x1=Reservations,y=Pizzas",
      "--init", "he", "--start", "0"], "--init"),
    ([*FIT, "--seed", "3"], "--seed"),
    ([*FIT, "--batch-size", "5", "--no-shuffle", "--seed", "3"], "--seed"),
    (["diff", BOWL, "--latex", "--format", "json"], "--latex"),
    (["diff", BOWL, "--json", "--format", "latex"], "--json"),
    (["diff", BOWL, "--latex", "--json"], "--json"),
    (["diff", BOWL, "--format", "csv"], "--format"),
    (["analyze", BOWL, "--json", "--format", "text"], "--json"),
    (["check", BOWL, "--grad", "2x + y, x + 2y", "--json", "--format", "markdown"],
     "--json"),
    (["explain", BOWL, "--loss", "mae"], "--loss"),
    (["explain", BOWL, "--target", "q"], "--target"),
    (["explain", BOWL, "--columns", "x=a"], "--columns"),
    (["explain", BOWL, "--params", "w"], "--params"),
    (["explain", "--data", "cars", "--model", "w*x + b", "--columns", "x=weight,y=mpg",
      "--vars", "w,b"], "--vars"),
    (["demo", "--format", "csv"], "--format"),
    (["plot", "loss", BOWL, "--out", "f.png", "--table"], "--table"),
    (["plot", "loss", BOWL, "--out", "f.png", "--format", "csv"], "--format"),
])
def test_an_option_not_used_is_refused(argv, flag, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_refused(argv, flag)
    assert not list(tmp_path.iterdir())


_PLOT_OPTIONS = {"--start": "1,1", "--lr": "0.1", "--step": "momentum",
                 "--option": "beta=0.5", "--max-iter": "5", "--tol": "1e-3",
                 "--ftol": "1e-3", "--log": None, "--bounds": "-2,2", "--var": "x",
                 "--tangent-at": "0.5", "--lrs": "0.1,0.2"}
_PLOT_REFUSED = [(kind, flag) for kind, uses in PLOT_USES.items()
                 for flag in _PLOT_OPTIONS if flag not in uses]


@pytest.mark.parametrize("kind, flag", _PLOT_REFUSED)
def test_plot_refuses_what_its_kind_does_not_use(kind, flag, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    value = _PLOT_OPTIONS[flag]
    argv = ["plot", kind, BOWL, "--out", "f.png", flag, *([value] if value else [])]
    if kind == "slice" and flag != "--var":
        argv += ["--var", "x"]
    assert_refused(argv, flag)
    assert f"plot {kind}" in cli(*argv)[2]
    assert not list(tmp_path.iterdir())


def test_the_table_options_are_used_with_exact_alone():
    code, out, err = cli(*RUN, "--exact", "3", "--every", "2", "--first", "1", "--max-iter", "3")
    assert code == 1 and err == "" and "iteration" in out


# ------------------------------------------------------------ messages name flags

@pytest.mark.parametrize("argv, flag, python", [
    ([*RUN, "--tol", "-1"], "--tol must", "tol must"),
    ([*RUN, "--ftol", "-1"], "--ftol must", "ftol must"),
    (["descend", BOWL, "--start", "1,2,3"], "--start has 3 values", "start has"),
    (["descend", BOWL, "--start", "x=1"], "--start x=1.0 lacks y", "start {"),
    ([*RUN, "--exact", "200"], "--exact must", "exact must"),
    ([*FIT, "--batch-size", "1000"], "--batch-size must", "batch_size"),
    ([*FIT, "--params", "w,w"], "--params name", "params name"),
    (["fit", "pizza", "--model", "w*x + b", "--columns", "x=Reservation,y=Pizzas"],
     "--columns maps", "columns maps"),
    ([*FIT, "--target", "q"], "--target NAME or --columns q=COLUMN", "target="),
    (["diff", BOWL, "--vars", "x,x"], "--vars x, x name", "variables ["),
    (["diff", "x^2 + y", "--vars", "x"], "add it to --vars or give --const y=VALUE", "constants="),
    (["analyze", BOWL, "--at", "1,2,3"], "--at has", "at has"),
    (["analyze", BOWL, "--bounds", "1,0"], "--bounds must", "bounds must"),
    (["check", BOWL, "--grad", "2x + y, x + 2y", "--timeout", "-1"], "--timeout must",
     "timeout must"),
    (["plot", "slice", BOWL, "--var", "x", "--start", "x=1,q=2", "--out", "f.png"],
     "--start names q", "at="),
    (["plot", "learning-rates", BOWL, "--lrs", "-1,2", "--out", "f.png"], "--lrs must",
     "lrs must"),
])
def test_library_messages_name_the_flags(argv, flag, python, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*argv)
    assert code == 2 and err.count("\n") == 1, err
    assert flag in err and f"error: {python}" not in err and f" {python}" not in err, err


def test_the_library_keeps_its_own_wording():
    with pytest.raises(InputError, match="^tol must"):
        descend(BOWL, [1, 1], tol=-1)
    with pytest.raises(InputError, match="^max_iter must"):
        descend(BOWL, [1, 1], max_iter=-1)


@pytest.mark.parametrize("message", [
    "the start point is outside the domain",
    "claimed 2.5 at (x=0.68, y=-1.15), true -2.5",
    "the Hessian at the start has no positive eigenvalue",
    "the target column 'q' is not in the data",
    "the variables ('x', 'y') of the run",
])
def test_words_that_are_not_arguments_stay(message):
    assert as_flags(message) == message


def test_every_flag_of_the_table_is_an_option_of_some_command():
    from symgd.cli.parser import build_parser
    helps = "".join(cli(name, "--help")[1] for name in COMMANDS)
    assert build_parser() is not None
    for flag in FLAGS.values():
        assert flag in helps, flag


# ------------------------------------------------------------ the one emit path

class Greeting(Report):
    def text(self):
        return "hello ∂world"

    def markdown(self):
        return "**hello**"

    def to_dict(self):
        return {"greeting": "hello ∂", "n": float("nan")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_emit_writes_what_render_gives(fmt):
    out = Utf8IO()
    emit(Greeting(), fmt, out)
    expected = render(Greeting(), fmt)
    if fmt == "json":
        assert json.loads(out.getvalue()) == json.loads(expected)
        assert out.getvalue().count("\n") == 1 and out.getvalue().isascii()
    else:
        assert out.getvalue() == expected + "\n"


def test_emit_on_an_ascii_stream_writes_ascii():
    out = AsciiIO()
    emit(Greeting(), "text", out)
    assert out.getvalue() == "hello dworld\n"
    assert plain("θ ≤ 1") == "\\u03b8 <= 1"


# ------------------------------------------------------------ Derivatives

def test_derivatives_report_is_the_diff_output():
    obj = Objective("z = x^2 + x*y + y^2")
    d = Derivatives(obj)
    assert d.text() == derivatives_text(obj) == str(d)
    assert Derivatives(obj, unicode=False).text() == derivatives_text(obj, unicode=False)
    assert d.latex() == derivatives_text(obj, latex=True)
    assert d.to_dict() == derivatives_dict(obj) == table_derivatives_dict(obj)
    assert json.loads(d.to_json()) == derivatives_dict(obj)
    assert d.markdown().count("$") >= 8 and d.markdown() != d.text()
    assert repr(d) == "<Derivatives: z(x, y) = x**2 + x*y + y**2>"
    code, out, _ = cli("diff", "z = x^2 + x*y + y^2")
    assert out == d.text() + "\n"
