"""The cross-check of a derivation against sympy.diff, on hostile but valid input.

Each input must end, within a hard time limit in a child process, in either
a checked derivation (whose result is then compared with mpmath's numeric
derivative of the input) or the plain sentence that it could not be
cross-checked; never an exception, also on the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from symgd.explain import explain
from symgd.explain.crosscheck import cross_check

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "could not be cross-checked numerically against sympy.diff"

# (input, a point where mpmath's numeric derivative of the input is an oracle, or None)
HOSTILE = [
    ("exp(exp(exp(x^2+5)))/(1+exp(exp(exp(x^2+5))))", None),
    ("exp(exp(exp(x^2+5)))", None),
    ("1/exp(exp(exp(x^2+5))) + x", None),
    ("exp(exp(exp(x)))", 0.3),
    ("exp(exp(exp(exp(x))))", -2.0),
    ("exp(1000*x)", 0.001),
    ("exp(-1000*x^2)", 0.01),
    ("x^1000", 1.001),
    ("x^(1/1000)", 2.0),
    ("(x+1)^2 - x^2 - 2*x", 0.7),
    ("cosh(x)^2 - sinh(x)^2", 0.7),
    ("sinh(x) - (exp(x) - exp(-x))/2", 0.5),
    ("(x^2 - 1)/(x - 1) - x", 3.0),
    ("log(log(log(x)))", 20.0),
    ("sqrt(x - 100)", 150.0),
    ("asin(x/1000)", 3.0),
    ("tanh(1000*x)", 0.0005),
    ("sin(1000000*x)", 1e-7),
    ("x^2/10^300", 1.0),
    ("log(1 + exp(1000*x))", 0.001),
    ("exp(1000*x*y) + y", None),
]

_CHILD = r"""
import io, json, sys
import mpmath, sympy as sp
from symgd.explain import explain
from symgd.cli import main
text, point = sys.argv[1], json.loads(sys.argv[2])
e = explain(text)
found = {"unchecked": [d.unchecked for d in e], "text": e.text(),
         "markdown": e.markdown(), "latex": e.latex()}
if point is not None:
    d = e.derivations[0]
    x = d.variable
    fn = sp.lambdify([x], d.expr, "mpmath")
    dfn = sp.lambdify([x], d.result, "mpmath")
    with mpmath.workdps(50):
        found["oracle"] = str(mpmath.diff(fn, mpmath.mpf(point)))
        found["result"] = str(mpmath.mpf(dfn(mpmath.mpf(point))))
out, err = io.StringIO(), io.StringIO()
found["rc"] = main(["explain", text], out=out, err=err)
found["out"], found["err"] = out.getvalue(), err.getvalue()
print(json.dumps(found))
"""


def _run(text, point):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", _CHILD, text, json.dumps(point)],
                          capture_output=True, text=True, timeout=20, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("text,point", HOSTILE, ids=[t for t, _ in HOSTILE])
def test_hostile_input_is_checked_or_says_it_could_not_be(text, point):
    found = _run(text, point)
    assert found["rc"] == 0 and "Traceback" not in found["err"] and found["err"] == ""
    for unchecked in found["unchecked"]:
        shown = SENTENCE in found["text"]
        assert shown == (unchecked is not None)
        assert (SENTENCE in found["markdown"]) == shown and (SENTENCE in found["out"]) == shown
        if unchecked is not None:
            assert "sample points" in unchecked or "seconds" in unchecked
    if point is not None:
        oracle, result = sp.Float(found["oracle"], 50), sp.Float(found["result"], 50)
        assert abs(oracle - result) <= 1e-20 * max(1, abs(oracle)), (oracle, result)


def test_the_exp_tower_quotient_is_checked_symbolically():
    e = explain("exp(exp(exp(x^2+5)))/(1+exp(exp(exp(x^2+5))))")
    x = e.derivations[0].variable
    a = sp.exp(sp.exp(sp.exp(x ** 2 + 5)))
    assert e.derivations[0].unchecked is None and SENTENCE not in e.text()
    assert sp.cancel(sp.together(e.result - sp.diff(a / (1 + a), x))) == 0


def test_an_undecided_check_is_shown_as_a_sentence_not_raised(monkeypatch):
    import importlib
    derive = importlib.import_module("symgd.explain.derive")
    why = "at none of 12 sample points could both sides be evaluated reliably"
    monkeypatch.setattr(derive, "cross_check", lambda a, b: (None, why))
    for text in ["sin(x)", "exp(exp(exp(x^2+5)))"]:
        e = explain(text)
        d = e.derivations[0]
        assert d.unchecked == why and d.to_dict()["unchecked"] == why
        assert f"{SENTENCE}: {why})" in e.text().splitlines()[-1]
        assert SENTENCE in e.markdown() and SENTENCE in e.latex()
    assert str(explain("sin(x)").result) == "cos(x)"
    monkeypatch.undo()
    assert explain("sin(x)").derivations[0].unchecked is None
    assert SENTENCE not in explain("sin(x)").text()


@pytest.mark.parametrize("text", ["exp(exp(x))", "exp(1000*x)", "x*exp(exp(exp(x)))",
                                  "exp(x^2/1000)"])
def test_a_wrong_rule_is_still_caught(monkeypatch, text):
    from symgd.expr.registry import FUNCTION_RULES
    monkeypatch.setitem(FUNCTION_RULES, sp.exp, ("exp rule", lambda u: 2 * sp.exp(u)))
    with pytest.raises(RuntimeError, match="bug in symgd.explain"):
        explain(text)


def test_cross_check_verdicts():
    x = sp.Symbol("x", real=True)
    big = sp.exp(sp.exp(sp.exp(x ** 2 + 5)))
    assert cross_check(big * (big + 1) - big ** 2, big)[0] is True       # by cancellation
    assert cross_check(sp.exp(1000 * x), 1.000001 * sp.exp(1000 * x))[0] is False
    assert cross_check(sp.sqrt(x - 100), sp.sqrt(x - 100) * (1 + 1e-9))[0] is False
    assert cross_check(sp.asin(x / 1000), sp.asin(x / 1000) + 1e-8)[0] is False
    assert cross_check(sp.log(sp.log(sp.log(x))), sp.log(sp.log(sp.log(x))) + 1)[0] is False
    verdict, why = cross_check(big, 2 * big)
    assert verdict is None and "sample points" in why
