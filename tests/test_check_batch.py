"""Batch grading (symgd.check_many, symgd check --batch) and the scripting
interface of symgd check: partials by name, named constants in claims, one
JSON object on every exit with --json, nothing left running afterwards."""

from __future__ import annotations

import io
import json
import os
import sys
import time

import pytest

import symgd
from symgd import check_gradient, check_hessian, check_many
from symgd.check import BatchCheck, ItemCheck
from symgd.check.reports import DIFFERENT
from symgd.cli.main import main
from symgd.errors import InputError
from procs import cmdline, stat

HAS_PROC = os.path.isdir("/proc")

# (function, claimed gradient, truly right?): textbook answers and typical mistakes.
CASES = [
    ("x^2 + x*y + y^2", "2x + y, x + 2y", True),
    ("x^2 + x*y + y^2", "2x + y, -x - 2y", False),
    ("x^2 + x*y + y^2", "y: x + 2*y, x: y + 2*x", True),
    ("sin(x^2)", "2x*cos(x^2)", True),
    ("sin(x^2)", "cos(x^2)", False),
    ("x*exp(x)", "exp(x)*(1 + x)", True),
    ("x*exp(x)", "exp(x)", False),
    ("log(x^2 + 1)", "2x/(x^2 + 1)", True),
    ("log(x^2 + 1)", "1/(x^2 + 1)", False),
    ("exp(-x^2 - y^2)", "-2x*exp(-x^2 - y^2), -2y*exp(-x^2 - y^2)", True),
    ("exp(-x^2 - y^2)", "-2x*exp(-x^2 - y^2), -2x*exp(-x^2 - y^2)", False),
    ("x^3*y - 2*x*y^2", "3x^2*y - 2y^2, x^3 - 4x*y", True),
    ("x^3*y - 2*x*y^2", "3x^2*y - 2y^2, x^3 - 2x*y", False),
    ("1/(1 + exp(-x))", "exp(-x)/(1 + exp(-x))^2", True),
    ("1/(1 + exp(-x))", "-exp(-x)/(1 + exp(-x))^2", False),
    ("tanh(x)", "1 - tanh(x)^2", True),
    ("tanh(x)", "1/cosh(x)^2", True),
    ("tanh(x)", "1 + tanh(x)^2", False),
    ("sqrt(x^2 + y^2 + 1)", "x/sqrt(x^2 + y^2 + 1), y/sqrt(x^2 + y^2 + 1)", True),
    ("(1 - x)^2 + 100*(y - x^2)^2", "-2*(1 - x) - 400*x*(y - x^2), 200*(y - x^2)", True),
    ("(1 - x)^2 + 100*(y - x^2)^2", "-2*(1 - x) - 200*x*(y - x^2), 200*(y - x^2)", False),
    ("sin(x)*cos(y)", "cos(x)*cos(y), -sin(x)*sin(y)", True),
    ("sin(x)*cos(y)", "cos(x)*cos(y), sin(x)*sin(y)", False),
    ("x^2*exp(3*y)", "2x*exp(3y), 3x^2*exp(3y)", True),
    ("x^2*exp(3*y)", "2x*exp(3y), x^2*exp(3y)", False),
    ("cos(x)^2", "-sin(2x)", True),
    ("cos(x)^2", "2*sin(x)*cos(x)", False),
    ("x^4 - 3x^2 + 2", "4x^3 - 6x", True),
    ("log(1 + exp(x))", "1/(1 + exp(-x))", True),
    ("x*y*z", "y*z, x*z, x*z", False),
]


def cli(*argv, stdin=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def json_lines(text):
    return [json.loads(line) for line in text.splitlines()]


# ------------------------------------------------------------ check_many

def test_batch_verdicts_equal_individual_checks():
    assert len(CASES) == 30
    report = check_many([{"id": k, "function": f, "gradient": g}
                         for k, (f, g, _) in enumerate(CASES)])
    assert isinstance(report, BatchCheck) and isinstance(report[0], ItemCheck)
    for (f, g, right), item in zip(CASES, report.items):
        single = check_gradient(f, g)
        expected = "right" if single.ok else \
            "wrong" if any(c.verdict == DIFFERENT for c in single.components) else "undecided"
        assert item.verdict == expected, (f, g)
        assert item.verdict == ("right" if right else "wrong"), (f, g)
        assert [c["verdict"] == "right" for c in item.components] == \
            [c.ok for c in single.components]
    counts = report.counts
    assert counts == {"right": 17, "wrong": 13, "undecided": 0, "error": 0}
    summary = report.summary()
    assert summary["summary"] is True and summary["items"] == 30
    assert summary["seconds"] >= summary["median_seconds"] > 0
    lines = list(report.lines())
    assert [line["id"] for line in lines] == list(range(30))
    json.dumps(lines, allow_nan=False)
    assert {"id", "verdict", "ok", "components", "message", "seconds"} <= set(lines[1])
    assert {"label", "verdict", "message"} <= set(lines[1]["components"][1])
    assert "WRONG" in lines[1]["message"] and lines[1]["components"][1]["verdict"] == "wrong"
    # the report interface
    assert report.text().startswith("Checked 30 submissions")
    assert "| id | verdict |" in report.markdown()
    assert json.loads(report.to_json())["summary"]["wrong"] == 13


def test_batch_hessians_and_both():
    report = check_many([
        {"function": "x^2*y", "hessian": "2y, 2x; 2x, 0"},
        {"function": "x^2*y", "gradient": "y: x^2, x: 2x*y", "hessian": [["2y", "2x"],
                                                                         ["2x", "0"]]},
        {"function": "x^2*y", "gradient": "2x*y, x^2", "hessian": "2y, 2x; 2x, 1"}])
    assert [i.verdict for i in report.items] == ["right", "right", "wrong"]
    assert len(report[1].components) == 6 and len(report[2].components) == 6
    assert report[2].message.startswith("∂²f/∂y²") and "WRONG" in report[2].message
    assert report[0].reports[0].ok and check_hessian("x^2*y", "2y, 2x; 2x, 0").ok


def test_bad_items_are_error_lines_and_the_batch_goes_on():
    items = [
        {"id": "parse", "function": "x^2", "gradient": "2x^"},
        {"id": "nofunc", "gradient": "2x"},
        {"id": "noclaim", "function": "x^2"},
        {"id": "unknown", "function": "x^2 + y^2", "gradient": "2x, 2q"},
        {"id": "count", "function": "x^2 + y^2", "gradient": "2x"},
        {"id": "field", "function": "x^2", "gradient": "2x", "gradeint": "2x"},
        {"id": "badfn", "function": "x^^2", "gradient": "2x"},
        "not a mapping",
        {"id": "ok", "function": "x^2", "gradient": "2x"},
    ]
    report = check_many(items)
    lines = {line["id"]: line for line in report.lines()}
    assert lines["ok"]["verdict"] == "right"
    errors = [line for line in lines.values() if line["verdict"] == "error"]
    assert len(errors) == 8 and all(not e["ok"] and e["components"] == [] for e in errors)
    assert lines["parse"]["kind"] == "ParseError" and "cannot parse '2x^'" in \
        lines["parse"]["message"]
    assert "no \"function\"" in lines["nofunc"]["message"]
    assert "neither \"gradient\" nor \"hessian\"" in lines["noclaim"]["message"]
    assert "uses q, which is not a variable" in lines["unknown"]["message"]
    assert "2 partials, but 1 was claimed" in lines["count"]["message"]
    assert "unknown field gradeint" in lines["field"]["message"]
    assert lines["badfn"]["kind"] == "ParseError"
    assert lines[8]["kind"] == "InputTypeError"       # its number, from 1
    assert report.counts["error"] == 8 and not report.ok
    with pytest.raises(InputError, match="require must be one of"):
        check_many([], require="maybe")


def test_require_proof_makes_numeric_agreement_undecided():
    # a true identity SymPy does not prove: sqrt((x+1)^2) = |x + 1| for real x
    item = {"function": "x^2", "gradient": "2*x + (sqrt(x^2 + 2*x + 1) - abs(x + 1))"}
    default, = check_many([item]).items
    strict, = check_many([item], require="proof").items
    assert default.verdict == "right" and strict.verdict == "undecided"


def test_named_partials_in_any_order():
    f = "(w*x + b - y)^2"
    claim = "b: 2*(w*x + b - y), w: 2*x*(w*x + b - y)"
    obj = symgd.Objective(f, variables=["w", "b", "x", "y"])
    rest = ", y: -2*(w*x + b - y), x: 2*w*(w*x + b - y)"
    assert check_gradient(obj, claim + rest).ok
    assert check_gradient(obj, "w = 2*x*(w*x + b - y), b = 2*(w*x + b - y), "
                               "x = 2*w*(w*x + b - y), y = -2*(w*x + b - y)").ok
    assert not check_gradient(obj, "b: 2*x*(w*x + b - y), w: 2*(w*x + b - y)" + rest).ok
    # x = 2, y = 3 in the claims too: through check_many's constants
    report = check_many([{"function": f, "variables": "w,b", "constants": {"x": 2, "y": 3},
                          "gradient": claim},
                         {"function": f, "variables": ["w", "b"],
                          "constants": {"x": 2, "y": 3},
                          "gradient": "b: 2*x*(w*x + b - y), w: 2*(w*x + b - y)"}])
    assert [i.verdict for i in report.items] == ["right", "wrong"]
    with pytest.raises(InputError, match=r"name q, which is not a variable; the variables "
                                         r"are w, b, x, y"):
        check_gradient(obj, "q: 2*x, b: 1, x: 1, y: 1")
    with pytest.raises(InputError, match="no claimed partial for b, x, y"):
        check_gradient(obj, "w: 2*x*(w*x + b - y)")
    with pytest.raises(InputError, match="give w twice"):
        check_gradient(obj, "w: 1, w: 2")


def test_constants_in_claims():
    report = check_many([
        {"function": "a*x^2", "constants": {"a": 2.5}, "gradient": "2a*x"},
        {"function": "a*x^2", "constants": {"a": 2.5}, "gradient": "5x"},
        {"function": "a*x^2", "constants": {"a": 2.5}, "gradient": "a*x"},
        {"function": "a*x^2 + b*y", "constants": {"a": "1/3", "b": 2},
         "gradient": {"y": "b", "x": "2*a*x"}, "hessian": "2a, 0; 0, 0"},
    ])
    assert [i.verdict for i in report.items] == ["right", "right", "wrong", "right"]
    assert "claimed 2a*x is right" in report[0].message or report[0].ok
    code, out, err = cli("check", "a*x^2", "--const", "a=2.5", "--grad", "2a*x", "--json")
    assert code == 0 and json.loads(out)["gradient"]["ok"]
    code, out, err = cli("check", "a*x^2", "--const", "a=2.5", "--grad", "a*x", "--json")
    assert code == 1 and not json.loads(out)["gradient"]["ok"]


# ------------------------------------------------------------ the command line

def test_cli_named_partials(monkeypatch):
    code, out, err = cli("check", "x^2*y + y^3", "--grad", "y: x^2 + 3y^2, x: 2x*y",
                         "--json")
    assert code == 0 and err == "" and json.loads(out)["gradient"]["ok"]
    code, out, err = cli("check", "x^2*y + y^3", "--grad", "y: 2x*y, x: x^2 + 3y^2")
    assert code == 1 and "WRONG" in out
    code, out, err = cli("check", "x^2*y", "--grad", "x: 2x*y, z: x^2", "--json")
    assert code == 2 and "name z, which is not a variable; the variables are x, y" in err
    assert json.loads(out)["kind"] == "InputError"


def test_cli_batch_file_stdout_and_summary(tmp_path):
    path = tmp_path / "subs.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a", "function": "x^2 + y^2", "gradient": "2x, 2y"}),
        "this is not json",
        "[1, 2]",
        "",
        json.dumps({"function": "x*exp(x)", "gradient": "exp(x)"}),
        json.dumps({"id": "c", "function": "a*x^2", "constants": {"a": 2.5},
                    "gradient": "2a*x"}),
    ]) + "\n", encoding="utf-8")
    code, out, err = cli("check", "--batch", str(path))
    assert code == 1 and err == ""
    lines = json_lines(out)
    items, summary = lines[:-1], lines[-1]
    assert [i["id"] for i in items] == ["a", "line 2", "line 3", 5, "c"]
    assert [i["verdict"] for i in items] == ["right", "error", "error", "wrong", "right"]
    assert "line 2 is not JSON" in items[1]["message"] and items[1]["kind"] == "ParseError"
    assert "line 3 is a JSON array, not an object" in items[2]["message"]
    assert summary["summary"] is True and summary["items"] == 5
    assert (summary["right"], summary["wrong"], summary["error"]) == (2, 1, 2)
    assert all("summary" not in i for i in items)
    code, out, err = cli("check", "--batch", str(path), "--json", "--timeout", "3")
    assert code == 1 and len(json_lines(out)) == 6


def test_cli_batch_stdin_all_right_exit_0(monkeypatch):
    text = "\n".join(json.dumps({"function": f, "gradient": g}) for f, g, ok in CASES[:6]
                     if ok)
    code, out, err = cli("check", "--batch", "-", stdin=text, monkeypatch=monkeypatch)
    lines = json_lines(out)
    assert code == 0 and err == "" and len(lines) == 5
    assert all(i["verdict"] == "right" for i in lines[:-1]) and lines[-1]["ok"]


def test_cli_batch_bad_file_and_bad_combinations(tmp_path):
    code, out, err = cli("check", "--batch", str(tmp_path / "missing.jsonl"))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("symgd: error: cannot read the --batch file") and \
        "No such file" in err
    code, out, err = cli("check", "--batch", str(tmp_path / "missing.jsonl"), "--json")
    assert code == 2 and json.loads(out)["kind"] == "InputError"
    (tmp_path / "latin.jsonl").write_bytes(b'{"function": "\xe9"}\n')
    code, out, err = cli("check", "--batch", str(tmp_path / "latin.jsonl"))
    assert code == 2 and "not UTF-8" in err
    for extra in (["x^2"], ["--grad", "2x"], ["--const", "a=1"], ["--format", "markdown"]):
        code, out, err = cli("check", "--batch", "-", *extra)
        assert code == 2 and "cannot go with --batch" in err, extra
    code, out, err = cli("check", "--grad", "2x")
    assert code == 2 and "give EXPR" in err


# ------------------------------------------------------------ --json on every exit

@pytest.mark.parametrize("argv, code, key", [
    (["check", "x^2", "--grad", "2x"], 0, "gradient"),
    (["check", "x^2", "--grad", "x"], 1, "gradient"),
    (["check", "x^", "--grad", "2x"], 2, "error"),
    (["check", "x^2", "--grad", "2q"], 2, "error"),
    (["check", "x^2"], 2, "error"),
    (["check", "x^2", "--grad", "2x", "--points", "0"], 2, "error"),
    (["check", "x^2", "--strict", "--grad",
      "2*x + (sqrt(x^2 + 2*x + 1) - abs(x + 1))"], 3, "gradient"),
    (["check", "x^2", "--strict", "--grad", "2x"], 0, "gradient"),
])
def test_json_on_every_exit(argv, code, key):
    for form in (["--json"], ["--format", "json"], ["--format=json"]):
        got, out, err = cli(*argv, *form)
        assert got == code, (argv, form, err)
        assert out.count("\n") == 1, out
        obj = json.loads(out)
        assert key in obj
        if code == 2:
            assert obj["exit"] == 2 and obj["kind"] in ("ParseError", "InputError",
                                                        "UsageError")
            assert err.startswith("symgd: error:") and err.count("\n") == 1
            assert obj["error"] in err
        else:
            assert err == ""


def test_json_error_kind_names_the_parse_error():
    code, out, err = cli("check", "x^", "--grad", "2x", "--json")
    assert json.loads(out) == {"error": err[len("symgd: error: "):].rstrip("\n"),
                               "kind": "ParseError", "exit": 2}
    code, out, err = cli("check", "x^2", "--grad", "2x")
    assert code == 0 and "{" not in out          # no JSON without --json


# ------------------------------------------------------------ threads and Pool workers

def _grade(items):
    return [(line["verdict"], [c["method"] for c in line["components"]])
            for line in check_many(items).lines()]


ITEMS = [{"function": "x*exp(x)", "gradient": "exp(x)*(1 + x)"},
         {"function": "x*exp(x)", "gradient": "exp(x)"}]
EXPECTED = [("right", ["symbolic"]), ("wrong", ["counterexample"])]


def test_batch_in_threads():
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(_grade, [ITEMS, ITEMS, ITEMS])) == [EXPECTED] * 3


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a fork Pool")
def test_batch_in_a_pool_worker_is_still_symbolic():
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.map(_grade, [ITEMS]) == [EXPECTED]


# ------------------------------------------------------------ nothing left running

def _ours():
    """Live processes forked from this one: its children, and any process
    with its command line started since it was (an orphaned grandchild is
    adopted by another process)."""
    me = os.getpid()
    start, cmd = int(stat(me)[19]), cmdline(me)
    found = set()
    for e in os.listdir("/proc"):
        if not e.isdigit() or int(e) == me or (s := stat(e)) is None or s[0] == "Z":
            continue
        if int(s[1]) == me or (cmdline(e) == cmd and int(s[19]) >= start):
            found.add(int(e))
    return found


@pytest.mark.skipif(not HAS_PROC, reason="reads processes from /proc")
def test_nothing_left_running_after_a_batch_with_time_outs():
    before = _ours()
    slow = "cos(x) + (sin(x)^8 + cos(x)^8 - (1 - 4*sin(x)^2*cos(x)^2 + " \
           "2*sin(x)^4*cos(x)^4))"
    items = [{"id": k, "function": "sin(x)", "gradient": slow if k % 2 else "cos(x)"}
             for k in range(20)]
    report = check_many(items, timeout=0.3)
    assert len(report) == 20
    assert all(i.seconds < 0.3 + 1.5 for i in report.items)
    assert {i.verdict for i in report.items[1::2]} <= {"right", "undecided"}
    assert any("did not decide" in i.message or "numerically" in i.message
               for i in report.items[1::2])
    assert all(i.verdict == "right" for i in report.items[0::2])
    end = time.monotonic() + 2.0
    while _ours() - before and time.monotonic() < end:
        time.sleep(0.05)
    assert not _ours() - before, "a child process was left running"
