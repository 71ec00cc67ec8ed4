"""The command line speaks shell: flags in every message, "did you mean", -o,
stdin, --quiet/--verbose, a silent broken pipe, no option ignored, unknown
names named, shell completion, one notation for derivatives."""

from __future__ import annotations

import io
import json
import pickle
import re
import shutil
import subprocess
import sys

import pytest

import symgd
from symgd.cli import main
from symgd.cli.completion import command_options
from symgd.cli.parser import COMMANDS, TOOLS, build_parser
from symgd.errors import ParseError

from oracles import BOWL
from test_security import CLI_CASES

RUN = ["descend", BOWL, "--start", "1,1"]
PIZZA = ["pizza", "--model", "w*x + b", "--columns", "x=Reservations,y=Pizzas"]
CARS = ["cars", "--model", "w*weight + b", "--target", "mpg", "--params", "w,b"]


class Utf8IO(io.StringIO):
    encoding = "utf-8"


def cli(*argv):
    out, err = Utf8IO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _env():
    import os
    import pathlib
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    root = str(pathlib.Path(symgd.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


# ------------------------------------------------------------ messages name flags

# Failing command lines whose library message named a Python argument or idiom
# (target=..., columns={...}, constants={...}, at=..., plot_slice, max_iter).
FAILING = [
    ["fit", "pizza", "--model", "w*x + b"],
    ["fit", *PIZZA, "--target", "q"],
    ["fit", "pizza", "--model", "w*x + b", "--columns", "x=Reservation,y=Pizzas"],
    ["fit", *PIZZA, "--batch-size", "1000"],
    ["fit", *PIZZA, "--params", "w,w"],
    ["diff", "x^2 + y", "--vars", "x"],
    ["diff", BOWL, "--vars", "x,x"],
    ["descend", BOWL, "--start", "x=1"],
    ["descend", BOWL, "--start", "1,2,3"],
    [*RUN, "--tol", "-1"],
    [*RUN, "--exact", "200"],
    [*RUN, "--step", "fixed", "--option", "decay=0.5"],
    [*RUN, "--step", "momentum", "--option", "beta=2"],
    ["analyze", BOWL, "--at", "1,2,3"],
    ["analyze", BOWL, "--bounds", "1,0"],
    ["plot", "surface", "x^2", "--start", "1", "-o", "f.png"],
    ["plot", "contour", "x^2 + y^2 + z^2", "--start", "1", "-o", "f.png"],
    ["plot", "slice", BOWL, "--var", "q", "-o", "f.png"],
    ["plot", "learning-rates", BOWL, "--lrs", "-1,2", "-o", "f.png"],
    ["check", BOWL, "--grad", "2x + y, x + 2y", "--timeout", "-1"],
    ["explain", BOWL, "--wrt", "q"],
    [*RUN, "--step", "fixed", "--option", "decay=0.5"],
    [*RUN, "--step", "momentum", "--option", "bta=0.5"],
    [*RUN, "--exact", "200"],
]
# What a Python user writes and a shell user cannot.
PYTHON_ISMS = re.compile(r"=\.\.\.|\{'|\w+=\{|max_iter|batch_size|tangent_at|plot_\w|"
                         r"=True|=False|\w\(\.\.\.,|constants=|columns=|variables=|"
                         r"\bat=|\['|\w=\"|\bTrue\b|\bFalse\b|\bNone\b")


def _messages():
    cases = [argv for _, argv, code, *_ in CLI_CASES if code == 2] + FAILING
    return [pytest.param(argv, id=" ".join(argv)[:60]) for argv in cases]


@pytest.mark.parametrize("argv", _messages())
def test_no_message_speaks_python(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*argv)
    assert code == 2 and err.startswith("symgd: error: "), err
    assert not PYTHON_ISMS.search(err), err


@pytest.mark.parametrize("argv, says", [
    (["fit", "pizza", "--model", "w*x + b"], "name it with --target NAME or --columns y=COLUMN"),
    (["diff", "x^2 + y", "--vars", "x"], "add it to --vars or give --const y=VALUE"),
    (["descend", BOWL, "--start", "x=1"], "--start x=1.0 lacks y"),
    (["plot", "surface", "x^2", "--start", "1", "-o", "f.png"], "symgd plot slice"),
    ([*RUN, "--max-iter", "-1"], "--max-iter"),
])
def test_messages_give_the_flag_to_type(argv, says, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(*argv)
    assert code == 2 and says in err, err


def test_an_errors_option_attribute_names_its_flag():
    from symgd.cli.flags import as_flags

    class Named(Exception):
        option = "scheme"
    assert as_flags("unknown scheme 'z'", error=Named()) == "unknown --init 'z'"
    assert as_flags("unknown scheme 'z'") == "unknown scheme 'z'"


def test_run_messages_name_flags_too():
    code, out, _ = cli(*RUN, "--max-iter", "3")
    assert code == 1 and "--max-iter 3" in out and "max_iter" not in out


# ------------------------------------------------------------ argparse

def test_version_short_and_long():
    assert cli("-V")[0] == 0 and cli("--version")[0] == 0


@pytest.mark.parametrize("argv, shown", [
    (["-x"], "'-x'"), (["-1"], "'-1'"), (["diff", "x", "-k"], "-k"),
])
def test_a_dash_word_is_shown_as_typed(argv, shown):
    code, _, err = cli(*argv)
    assert code == 2 and shown in err and "' -" not in err and "  -" not in err, err


def test_unknown_arguments_point_to_the_commands_own_help():
    code, _, err = cli("descend", BOWL, "--start", "1", "--frob", "2")
    assert code == 2 and "(see 'symgd descend --help')" in err, err


@pytest.mark.parametrize("argv, meant", [
    (["dif", "x"], "'diff'"),
    (["descnd", "x"], "'descend'"),
    ([*RUN, "--setp", "fixed"], "'--step'"),
    ([*RUN, "--max-iters", "5"], "'--max-iter'"),
    ([*RUN, "--step", "adm"], "'adam'"),
    ([*RUN, "--step", "nesterof"], "'nesterov'"),
    (["fit", *PIZZA, "--loss", "mae2"], "'mae'"),
    (["plot", "contuor", BOWL, "-o", "f.png"], "'contour'"),
    (["diff", "sinn(x)"], "'sin'"),
    (["diff", "tanhh(x)"], "'tanh'"),
    ([*RUN, "--step", "momentum", "--option", "bta=0.5"], "'beta'"),
])
def test_did_you_mean(argv, meant):
    code, _, err = cli(*argv)
    assert code == 2 and f"did you mean {meant}?" in err, err


def test_no_suggestion_when_nothing_is_close():
    code, _, err = cli("zzzzzz")
    assert code == 2 and "did you mean" not in err


def test_options_are_not_abbreviated():
    code, _, err = cli(*RUN, "--tab")
    assert code == 2 and "--tab" in err


def test_every_out_has_o():
    parser = build_parser()
    for name, sub in parser.commands.items():
        flags = sub.flags()
        if "--out" in flags:
            assert "-o" in flags, name


def test_o_saves_the_figure(tmp_path):
    path = tmp_path / "f.png"
    code, out, err = cli("plot", "loss", BOWL, "--start", "1,1", "-o", str(path))
    assert code == 0 and path.stat().st_size > 0 and err == ""


def test_dash_reads_the_expression_from_stdin():
    proc = subprocess.run([sys.executable, "-m", "symgd", "diff", "-", "--json"], input="x^2*y\n",
                          capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["gradient"] == ["2*x*y", "x**2"]


def test_dash_with_empty_stdin_is_a_clear_error():
    proc = subprocess.run([sys.executable, "-m", "symgd", "diff", "-"], input="",
                          capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 2 and "stdin is empty" in proc.stderr


@pytest.mark.parametrize("name", COMMANDS + TOOLS)
def test_every_command_has_quiet_and_verbose(name):
    flags = build_parser().commands[name].flags()
    assert {"-q", "--quiet", "--verbose"} <= set(flags)


@pytest.mark.parametrize("argv, code", [
    (["diff", BOWL], 0), ([*RUN], 0), ([*RUN, "--lr", "0.7"], 1), (["demo"], 0),
    (["check", BOWL, "--grad", "2x, 2y"], 1), (["fit", *PIZZA, "--max-iter", "3"], 1),
])
def test_quiet_prints_nothing_and_keeps_the_exit_code(argv, code):
    assert cli(*argv, "-q") == (code, "", "")
    assert cli(*argv, "--quiet")[0] == code


def test_verbose_says_the_time_on_stderr():
    code, out, err = cli(*RUN, "--verbose")
    assert code == 0 and out == cli(*RUN)[1]
    assert re.fullmatch(r"symgd descend: exit 0 after \d+\.\d\d s\n", err), err


def test_quiet_and_verbose_exclude_each_other():
    assert cli(*RUN, "-q", "--verbose")[0] == 2


def test_broken_pipe_is_silent():
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; {sys.executable} -m symgd demo | "
                           "head -1"], capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.stdout.count("\n") == 1 and proc.stderr == "", proc.stderr
    assert proc.returncode in (0, 141)


def test_broken_pipe_in_main_returns_141():
    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError
    assert main(["demo"], out=Closed(), err=io.StringIO()) == 141


# ------------------------------------------------------------ plot tells a failed run

def test_plot_of_a_run_that_diverged_exits_1_and_says_so(tmp_path, monkeypatch):
    import symgd.plot as plotting
    titles = []
    real_save = plotting.save

    def save(drawn, path, dpi=120):
        titles.append(drawn.axes.get_title())
        real_save(drawn, path, dpi=dpi)
    monkeypatch.setattr(plotting, "save", save)
    path = tmp_path / "c.png"
    code, out, err = cli("plot", "contour", BOWL, "--start", "1,1", "--lr", "0.7", "-o",
                         str(path))
    assert code == 1 and path.exists() and err == ""
    assert "did not converge" in out and "Diverged" in out
    assert "did not converge (diverged)" in titles[0]
    code, out, _ = cli("plot", "contour", BOWL, "--start", "1,1", "--lr", "0.7", "-o",
                       str(path), "--json")
    assert code == 1 and json.loads(out)["converged"] is False


def test_plot_of_a_run_that_converged_exits_0(tmp_path):
    code, out, _ = cli("plot", "contour", BOWL, "--start", "1,1", "-o", str(tmp_path / "c.png"))
    assert code == 0 and "did not converge" not in out


@pytest.mark.parametrize("extra", [["--table"], ["--exact"], ["--plot", "g.png"],
                                   ["--every", "2"], ["--lr", "0.1"]])
def test_plot_refuses_options_it_does_not_use(extra, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli("plot", "slice", BOWL, "--var", "x", "-o", "f.png", *extra)
    assert code == 2 and extra[0] in err, err
    assert not (tmp_path / "f.png").exists()


# ------------------------------------------------------------ names that are not there

@pytest.mark.parametrize("argv, says", [
    (["descend", BOWL, "--start", "x=1,z=2"], "--start names z, which is not a variable"),
    (["descend", BOWL, "--start", "x=1,y=2,q=1,r=0"], "--start names q, r"),
    (["descend", BOWL, "--start", "1,1", "--vars", "x,z"], "--vars names z"),
    (["diff", "x^2", "--const", "b=2"], "--const b: EXPR has no 'b'"),
    (["descend", "a*x^2", "--start", "1", "--const", "a=1,c=3"], "--const c"),
    (["analyze", BOWL, "--at", "x=1,w=2"], "--start names w"),
    (["plot", "slice", BOWL, "--var", "x", "--start", "x=1,q=2", "-o", "f.png"],
     "--start names q"),
])
def test_unknown_names_are_named(argv, says, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(*argv)
    assert code == 2 and says in err, err


def test_vars_names_the_missing_variable_too():
    code, _, err = cli("descend", BOWL, "--start", "1,1", "--vars", "x,z")
    assert "it uses y, which --vars leaves out" in err


def test_a_constant_of_a_claim_only_is_accepted():
    # check: the claimed derivative may name a constant the function does not use
    code, out, err = cli("check", "x^2", "--const", "a=2", "--grad", "a*x")
    assert code == 0 and err == "", err


def test_a_declared_constant_e_is_the_constant():
    code, out, err = cli("diff", "e*x^2", "--const", "e=3", "--json")
    assert code == 0 and json.loads(out)["gradient"] == ["6*x"]


# ------------------------------------------------------------ numbers

@pytest.mark.parametrize("text, nit", [("1e1", 10), ("2.5e1", 25), ("1E1", 10), ("10", 10)])
def test_max_iter_in_exponent_form(text, nit):
    code, out, _ = cli(*RUN, "--lr", "0.01", "--max-iter", text, "--json")
    assert code == 1 and json.loads(out)["nit"] == nit


@pytest.mark.parametrize("text", ["2.5", "1e-1", "1e400", "10**3", "ten"])
def test_max_iter_that_is_not_a_whole_number(text):
    code, _, err = cli(*RUN, "--max-iter", text)
    assert code == 2 and "is not a whole number" in err and "--max-iter" in err


# ------------------------------------------------------------ derivatives

def test_one_variable_diff_prints_f_prime_and_f_double_prime():
    code, out, _ = cli("diff", "2x")
    assert code == 0 and out == "f(x) = 2*x\n\nf′(x) = 2\nf″(x) = 0\n"
    code, out, _ = cli("diff", "z = sin(t)")
    assert "z′(t) = cos(t)" in out and "z″(t) = -sin(t)" in out
    assert "∇" not in out and "Hessian" not in out


def test_one_variable_diff_on_an_ascii_terminal():
    out = io.StringIO()
    main(["diff", "x^3"], out=out, err=io.StringIO())
    assert out.getvalue() == "f(x) = x**3\n\nf'(x) = 3*x**2\nf''(x) = 6*x\n"


def test_one_variable_diff_json_keeps_its_keys():
    data = json.loads(cli("diff", "x^3", "--json")[1])
    assert data["gradient"] == ["3*x**2"] and data["hessian"] == [["6*x"]]


def test_several_variables_keep_partials():
    out = cli("diff", BOWL)[1]
    assert "∂f/∂x = 2*x + y" in out and "∇f" in out


def _partials(text):
    return set(re.findall(r"[∂d][fz]/[∂d][a-z]", text))


@pytest.mark.parametrize("expr, grad, notation", [
    ("x^2", "2x", {"df/dx"}),
    ("x^2 + y^2", "2x, 2y", {"∂f/∂x", "∂f/∂y"}),
])
def test_check_and_explain_write_partials_alike(expr, grad, notation):
    checked = cli("check", expr, "--grad", grad)[1]
    explained = cli("explain", expr)[1]
    assert _partials(checked) == notation
    assert _partials(explained) >= notation and _partials(explained) <= notation | {
        "d/dx", "∂/∂x"}


# ------------------------------------------------------------ fit

def test_fit_default_output_is_short_and_verbose_is_full():
    code, short, _ = cli("fit", *CARS, "--lr", "0.01", "--max-iter", "200")
    _, full, _ = cli("fit", *CARS, "--lr", "0.01", "--max-iter", "200", "--verbose")
    assert len(short.splitlines()) <= 10, short
    assert "∂L/∂w" not in short and "L = " in short and "model b + w*weight" in short
    assert "∂L/∂w" in full and "∂L/∂b" in full and len(full.splitlines()) > 25


def test_fit_quiet():
    assert cli("fit", *CARS, "--lr", "0.01", "--max-iter", "200", "--quiet") == (1, "", "")


def test_logistic_regression_from_the_shell(tmp_path):
    rows = ["x1,x2,y"] + [f"{(k % 7) / 3 - 1:.3f},{(k % 5) / 2 - 1:.3f},{int(k % 3 == 0)}"
                          for k in range(30)]
    data = tmp_path / "data.csv"
    data.write_text("\n".join(rows) + "\n")
    code, out, err = cli("fit", str(data), "--model", "sigmoid(linear)", "--loss", "logloss",
                         "--lr", "0.5", "--max-iter", "20000", "--json")
    assert code == 0, err
    # the same model in Python, as an oracle
    obj = symgd.log_loss("sigmoid(w1*x1 + w2*x2 + b)", str(data))
    res = symgd.descend(obj, [0, 0, 0], lr=0.5, max_iter=20000)
    fitted = json.loads(out)["x"]
    for name, value in zip(obj.names, res.x):
        assert fitted[name] == pytest.approx(value, abs=1e-6)
    code, _, err = cli("fit", str(data), "--model", "linear", "--loss", "logloss")
    assert code == 2 and 'sigmoid(linear)' in err


# ------------------------------------------------------------ completion

def test_bash_completion_is_valid_and_complete():
    code, script, err = cli("completion", "bash")
    assert code == 0 and err == ""
    subprocess.run(["bash", "-n"], input=script, text=True, check=True, timeout=60)
    table = command_options(build_parser())
    for name, options in table.items():
        assert f"    {name})" in script
        for flag in options:
            assert not flag or flag in script, (name, flag)
    assert set(table) == set(COMMANDS + TOOLS)


def _complete(script, *words):
    line = " ".join(f"'{w}'" for w in words)
    probe = (f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
             "_symgd_complete; printf '%s\\n' \"${COMPREPLY[@]}\"")
    return subprocess.run(["bash", "-c", probe], capture_output=True, text=True,
                          timeout=60).stdout.split()


def test_bash_completion_completes():
    script = cli("completion", "bash")[1]
    assert _complete(script, "symgd", "de") == ["descend", "demo"]
    assert _complete(script, "symgd", "descend", "x", "--st") == ["--start", "--step"]
    assert "adam" in _complete(script, "symgd", "fit", "d.csv", "--step", "")
    assert _complete(script, "symgd", "plot", "con") == ["contour"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_completion_list_the_commands(shell):
    code, script, _ = cli("completion", shell)
    assert code == 0
    for name in COMMANDS:
        assert name in script
    if shutil.which(shell):
        subprocess.run([shell, "-n"], input=script, text=True, check=True, timeout=60)


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion_completes():
    script = cli("completion", "fish")[1]

    def complete(line):
        probe = f"{script}\ncomplete -C '{line}'"
        out = subprocess.run(["fish", "-c", probe], capture_output=True, text=True,
                             timeout=60).stdout
        return sorted(w.split("\t")[0] for w in out.split("\n") if w)

    assert complete("symgd de") == ["demo", "descend"]
    assert complete("symgd descend x --st") == ["--start", "--step"]
    assert complete("symgd an") == ["analyze", "animate"]


def test_completion_needs_a_known_shell():
    code, _, err = cli("completion", "tcsh")
    assert code == 2 and "bash" in err


# ------------------------------------------------------------ ParseError.position

BAD = ["2x +", "sin(x", "x $ 2", "x +* 2", "(x + 1))", "x^^2", "sinn(x)", "1e", "2 3",
       "0x10", "3 + ", "f(x) = = x"]


@pytest.mark.parametrize("text", BAD)
def test_parse_error_column_is_position_plus_one(text):
    with pytest.raises(ParseError) as caught:
        symgd.parse(text)
    err = caught.value
    if err.position is None:
        assert "column" not in str(err) and err.column is None
        return
    assert 0 <= err.position < max(len(err.text), 1) + 1
    assert f"at column {err.column}" in str(err) and err.column == err.position + 1
    again = pickle.loads(pickle.dumps(err))
    assert (again.position, again.column, str(again)) == (err.position, err.column, str(err))


def test_parse_error_points_at_the_faulty_character():
    with pytest.raises(ParseError) as caught:
        symgd.parse("2x +")
    assert caught.value.text[caught.value.position] == "+"


def test_a_leading_minus_expression_is_quoted_and_counted_as_typed():
    code, _, err = cli("diff", "-x^")
    assert code == 2 and "cannot parse '-x^' at column 3" in err, err
