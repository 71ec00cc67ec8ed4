r"""Hostile and malformed LaTeX, in the manner of ``tests/test_security.py``.

LaTeX input is translated to symgd's plain syntax and read by the same safe
parser, so the catalogue's guarantees must hold for it too: every case is a
ParseError within the catalogue's time bound, nothing is evaluated (``eval``,
``sympify`` of strings and ``parse_expr`` are forbidden, only placeholder text
reaches ``compile``), nothing is written, and the TeX commands that run
programs or read files (``\def``, ``\input``, ``\write18`` ...) are refused by
name.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symgd
from symgd import ParseError
from symgd.expr import MAX_DEPTH

from test_security import (assert_nothing_written, assert_only_placeholders_compiled,
                           describe, expect_error, guarded, timed)

_DEEP = MAX_DEPTH + 1

HOSTILE = [
    # TeX programs and file access: refused by name, never run
    ("def", r"\def\x{1} \x + 1", r"\def"),
    ("edef", r"\edef\x{\x\x} x", r"\edef"),
    ("input", r"\input{/etc/passwd}", r"\input"),
    ("include", r"\include{secret}", r"\include"),
    ("write18", r"\immediate\write18{touch PWNED}", r"\immediate"),
    ("write18-bare", r"\write18{touch PWNED} + x", r"\write"),
    ("openout", r"\openout1=PWNED", r"\openout"),
    ("newcommand", r"\newcommand{\f}{x} \f", r"\newcommand"),
    ("catcode", r"\catcode`\^=11 x", r"\catcode"),
    ("csname", r"\csname x\endcsname", r"\csname"),
    ("usepackage", r"\usepackage{shellesc} x", r"\usepackage"),
    ("python-inside-text", r"\text{__import__('os').system('touch PWNED')}",
     "unexpected character"),
    ("python-inside-operatorname", r"\operatorname{eval}(x)", r"\operatorname{eval}"),
    ("python-in-subscript", r"x_{__class__}", "subscript"),
    ("dunder-name", r"\mathrm{__import__}", r"\mathrm"),
    # resource exhaustion
    ("deep-frac", r"\frac{" * _DEEP + "x" + "}{2}" * _DEEP, "nested too deeply"),
    ("deep-unbraced-frac", r"\frac" * 1500 + "1" * 1501, "nested too deeply"),
    ("deep-sqrt", "\\sqrt " * 1500 + "x", "nested too deeply"),
    ("deep-sin", r"\sin" * 2000 + " x", "nested too deeply"),
    ("deep-braces", "{" * 3000 + "x" + "}" * 3000, "nested too deeply"),
    ("deep-left", r"\left(" * 300 + "x" + r"\right)" * 300, "nested too deeply"),
    ("huge-exponent", r"x^{10^{10}}", "too large"),
    ("huge-power-of-two", r"2^{2^{2^{2^{2^{2}}}}}", "too large"),
    ("huge-number", "10^{400}", "too large"),
    ("exp-of-exp", r"\exp(\exp(\exp(\exp(10))))", "float64"),
    ("many-bars", "|" * 5000, "bars"),
    ("ambiguous-bars", "|x" * 149 + "|", "more than one way"),
    ("unpaired-bars", "|x|" * 60 + "|", "do not pair up"),
    ("long-letter-run", "x" * 60_000, "characters"),
    ("long-name", r"\mathrm{" + "a" * 5000 + "}", "characters"),
    ("long-subscript", "x_{" + "1" * 5000 + "}", "characters"),
    ("long-command", "\\" + "a" * 9000, "unsupported LaTeX command"),
    ("too-long", r"\frac{x}{2}+" * 5000, "characters long"),
    # malformed
    ("unbalanced-open", r"\frac{x}{2", "never closed"),
    ("unbalanced-close", r"\frac{x}{2}}", "unmatched"),
    ("crossed", r"\frac{(x}{y)}", "closed by"),
    ("left-without-right", r"\left( x", "never closed"),
    ("right-without-left", r"x \right)", "unmatched"),
    ("left-dot", r"\left. x \right|", r"\left."),
    ("lone-backslash", "x + \\", "backslash"),
    ("empty-group", "{}", "nothing between"),
    ("empty-frac", r"\frac{}{}", "nothing between"),
    ("only-spacing", r"\, \; \quad", "empty"),
    ("dollars-only", "$$", "empty"),
    ("nul", "x\x00", "unexpected character"),
    ("form-feed-command", "\\\x0c", "unsupported LaTeX command"),
    ("comment", r"x % \input{x}", "comment"),
    ("alignment", r"x & y \\ z", "single expression"),
    ("double-superscript", "x^2^3", "double superscript"),
    ("infinity", r"\infty - \infty", r"\infty"),
    ("matrix", r"\begin{pmatrix} 1 & 2 \end{pmatrix}", r"\begin"),
]


@pytest.mark.parametrize("entry", ["parse", "Objective"])
@pytest.mark.parametrize("text, named", [pytest.param(t, n, id=i) for i, t, n in HOSTILE])
def test_hostile_latex_is_refused_quickly_and_nothing_runs(text, named, entry, tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    read = symgd.parse if entry == "parse" else symgd.Objective
    with guarded() as sources:
        value, elapsed = timed(lambda: read(text, syntax="latex"))
    err = expect_error(value, elapsed, ParseError)
    assert named in str(err), str(err)
    assert err.position is None or 0 <= err.position < max(len(text), 1)
    assert_only_placeholders_compiled(sources)
    assert_nothing_written(tmp_path)


def test_hostile_catalogue_size():
    assert len(HOSTILE) >= 45
    assert len({i for i, _, _ in HOSTILE}) == len(HOSTILE)


def test_large_latex_within_the_limits_is_read():
    """Within the limits the reading still works: depth, bars, a long sum, a tower."""
    with guarded():
        text = r"\frac{" * (MAX_DEPTH // 2) + "x" + "}{2}" * (MAX_DEPTH // 2)
        assert symgd.parse(text) == sp.Symbol("x") / 2 ** (MAX_DEPTH // 2)
        assert symgd.parse(" + ".join(["|x|"] * 60), syntax="latex") == 60 * abs(sp.Symbol("x"))
        terms = "+".join(f"x_{{{i}}}" for i in range(1, 300))
        assert len(symgd.parse(terms, syntax="latex").free_symbols) == 299
        tower, elapsed = timed(lambda: symgd.parse("x^{" * 40 + "2" + "}" * 40))
        assert isinstance(tower, (sp.Pow, ParseError)), describe(tower)


_PIECES = [r"\frac", r"\sqrt", "[", "]", "{", "}", "(", ")", "|", r"\left(", r"\right)",
           r"\left|", r"\right|", "^", "_", "x", "y", "e", "2", "10", ".5", r"\sin", r"\ln",
           r"\log", r"\cdot", "+", "-", "/", " ", r"\,", r"\pi", r"\theta", r"\mathrm{",
           r"\operatorname{", "sigmoid", "=", ",", "f", r"\exp", "d", r"\{", r"\}", r"\int",
           "'", "!", "\\", "xy", "sinx", r"\tan^{-1}", "^{-1}", r"\dfrac", r"\lvert", r"\rvert",
           "$", "²", "θ", r"\def", "\n"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=16))
def test_fuzzed_latex_reads_or_fails_cleanly(pieces):
    text = "".join(pieces)
    with guarded() as sources:
        value, elapsed = timed(lambda: symgd.parse(text, syntax="latex"))
    if isinstance(value, BaseException):
        expect_error(value, elapsed, ParseError)
    else:
        assert isinstance(value, sp.Expr) and elapsed < 1.0
    assert_only_placeholders_compiled(sources)
