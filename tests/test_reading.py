"""Reading math as people mean it: no silent misreading, and hints that work.

The corpus (tests/corpus/reading.py) holds inputs from SymPy's parser tests,
textbook exercise lists and calculator conventions, each with the reading a
teacher means or "must refuse". Every input is either read exactly so, or
refused with a ParseError; every spelling the error proposes parses, and one
of them (or the declaration the message offers) gives what the source means.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

import symgd
from symgd.errors import ParseError
from symgd.expr import agree

sys.path.insert(0, str(Path(__file__).parent))
from corpus.reading import GROUPS, OPTIONS, REFUSE  # noqa: E402

CASES = [(group, text, reading, meaning) for group, cases in GROUPS.items()
         for text, reading, meaning in cases]
ROOT = Path(__file__).resolve().parent.parent


def _plain(expr: sp.Expr) -> sp.Expr:
    """``expr`` with plain symbols, so that names, not assumptions, are compared."""
    return expr.xreplace({s: sp.Symbol(s.name) for s in expr.free_symbols})


def _oracle(reading: str) -> sp.Expr:
    """SymPy's own parser on the explicit reading (no implicit products)."""
    names = {m.group(1): sp.Symbol(m.group(1))
             for m in re.finditer(r"([^\W\d]\w*)(?!\w)(?!\()", reading)
             if m.group(1) not in {"E", "pi"}}
    return parse_expr(reading, local_dict=names, transformations=standard_transformations)


def _same(got: sp.Expr, reading: str) -> bool:
    want = _oracle(reading)
    got = _plain(got)
    names = {s.name for s in got.free_symbols} == {s.name for s in want.free_symbols}
    return names and agree(got, want) is True


def _declared(err: ParseError) -> tuple[str, ...]:
    m = re.search(r'declare variables="([^"]*)"', err.hint)
    return tuple(m.group(1).split(",")) if m else ()


def test_corpus_size():
    counts = {g: len(c) for g, c in GROUPS.items()}
    refused = sum(reading == REFUSE for _, _, reading, _ in CASES)
    print(f"reading corpus: {len(CASES)} inputs, {len(CASES) - refused} read, "
          f"{refused} refused, {counts}")
    assert len(CASES) >= 200
    assert len({text for _, text, _, _ in CASES}) == len(CASES), "texts must be unique"


@pytest.mark.parametrize("group, text, reading, meaning", CASES,
                         ids=[f"{g}-{t}" for g, t, _, _ in CASES])
def test_no_silent_misreading(group, text, reading, meaning):
    options = OPTIONS.get(text, {})
    try:
        got = symgd.parse(text, **options)
    except ParseError as err:
        assert reading == REFUSE, f"{text!r} refused but means {reading}: {err}"
        assert err.text == text
        return
    assert reading != REFUSE, f"{text!r} must be refused, was read as {got}"
    assert _same(got, reading), f"{text!r} read as {got}, means {reading}"


REFUSALS = [(g, t, m) for g, t, r, m in CASES if r == REFUSE]


@pytest.mark.parametrize("group, text, meaning", REFUSALS,
                         ids=[f"{g}-{t}" for g, t, _ in REFUSALS])
def test_every_suggested_spelling_parses_and_one_gives_the_meaning(group, text, meaning):
    options = OPTIONS.get(text, {})
    with pytest.raises(ParseError) as info:
        symgd.parse(text, **options)
    err = info.value
    read = [symgd.parse(s, **options) for s in err.suggestions]   # each one parses
    for s in err.suggestions:
        assert s in str(err), f"the suggestion {s!r} is not shown in the message"
    if meaning is None:
        return
    if any(_same(r, meaning) for r in read):
        return
    declared = _declared(err)
    assert declared, f"{text!r}: no suggestion of {err.suggestions} means {meaning}"
    assert _same(symgd.parse(text, variables=declared), meaning)


def test_refusals_that_name_a_variable_offer_its_declaration():
    err = pytest.raises(ParseError, symgd.parse, "z = xy").value
    assert str(err).endswith('write z = x*y, or declare variables="xy"')
    assert "'xy' could be x·y or one variable named xy" in str(err)
    assert symgd.parse("z = xy", variables=("xy",)) == symgd.parse("xy", variables=["xy"])
    cost = pytest.raises(ParseError, symgd.parse, "(price - cost)^2").value
    assert _declared(cost) == ("cost",)
    assert _same(symgd.parse("(price - cost)^2", variables=("cost",)), "(price - cost)**2")


def test_suggestions_survive_pickling():
    err = pytest.raises(ParseError, symgd.parse, "cosx + sinx").value
    again = pickle.loads(pickle.dumps(err))
    assert again.suggestions == err.suggestions == ("cos(x) + sin(x)",)
    assert str(again) == str(err)


def test_data_columns_are_declared_names():
    data = {"mpg": [21.0, 22.8, 18.7], "wt": [2.62, 2.32, 3.44]}
    with pytest.raises(ParseError, match="one variable named mpg"):
        symgd.parse("(a wt + b - mpg)^2")
    obj = symgd.loss("(a wt + b - mpg)^2", data, params=("a", "b"))
    assert [v.name for v in obj.variables] == ["a", "b"]
    assert obj.value([0.0, 0.0]) == pytest.approx((21.0**2 + 22.8**2 + 18.7**2) / 3)


def test_the_command_line_prints_the_message_without_a_traceback():
    run = subprocess.run([sys.executable, "-m", "symgd", "diff", "z = xy"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode != 0
    assert "Traceback" not in run.stderr + run.stdout
    assert "could be x·y or one variable named xy" in run.stderr + run.stdout
    assert "z = x*y" in run.stderr + run.stdout
    assert 'declare --vars="xy"' in run.stderr + run.stdout
    declared = subprocess.run([sys.executable, "-m", "symgd", "diff", "z = xy", '--vars=xy'],
                              cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert declared.returncode == 0 and "z′(xy) = 1" in declared.stdout   # one variable: f′


def test_a_single_power_over_the_limit_is_named_as_such():
    err = pytest.raises(ParseError, symgd.parse, "x^2000").value
    assert "the exponent 2000 is too large" in str(err) and "power of a power" not in str(err)
    err = pytest.raises(ParseError, symgd.parse, "(x^20)^200").value
    assert "a power of a power, with combined exponent 4000," in str(err)


@pytest.mark.parametrize("text", ["e^1000", "pi^1000", "x + e^1000", "e^500*e^500"])
def test_every_constant_part_must_have_a_float64_value(text):
    with pytest.raises(ParseError, match="has no float64 value"):
        symgd.parse(text)
