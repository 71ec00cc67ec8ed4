r"""LaTeX input (:mod:`symgd.expr.latex`) against SymPy's own LaTeX-parser tests.

``tests/corpus/latex_sympy.py`` holds SymPy's input/output pairs verbatim:
every pair in symgd's subset must give SymPy's expression, every other one a
ParseError naming what symgd does not read; then symgd's own additions
(textbook notation, definitions, declared names, errors), the ``syntax=``
parameter and the command line.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp

import symgd
from symgd import InputError, ParseError
from symgd.cli import main
from symgd.expr import parse, parse_definition, public, relu, sigmoid, softplus
from symgd.expr.latex import looks_like_latex

from corpus.latex_sympy import (BAD_NAMED, BAD_STRINGS, CASES_ENV, DIFFERENT,
                                FAILING_BAD_STRINGS, GOOD_PAIRS, REFUSED)


def plain(expr: sp.Expr) -> sp.Expr:
    """``expr`` with each symbol replaced by the assumption-free symbol of its name."""
    return expr.xreplace({s: sp.Symbol(s.name) for s in expr.free_symbols})


def latex(text: str, **kw) -> sp.Expr:
    """``text`` read as LaTeX (SymPy's cases include some without a backslash)."""
    return parse(text, syntax="latex", **kw)


def symgd_name(name: str) -> str:
    """SymPy's LaTeX names of subscripts (``x_{1}``, ``a_{2*n}``) as symgd spells them."""
    return re.sub(r"[{}*]", "", name)


def expected_form(expr: sp.Expr) -> sp.Expr:
    """SymPy's expected expression with symgd's names and exact decimals."""
    expr = sp.S(expr)
    expr = expr.xreplace({s: sp.Symbol(symgd_name(s.name)) for s in expr.free_symbols})
    return expr.xreplace({f: sp.Rational(str(f)) for f in expr.atoms(sp.Float)})


def same(got: sp.Expr, want: sp.Expr) -> bool:
    got, want = plain(got), expected_form(want)
    return got == want or sp.simplify(got - want) == 0


SUPPORTED = [(latex, want) for latex, want in GOOD_PAIRS
             if latex not in REFUSED and latex not in DIFFERENT]


def test_corpus_is_classified_completely():
    """Every SymPy pair is supported, refused or different on purpose, once."""
    latex = [text for text, _ in GOOD_PAIRS]
    assert set(REFUSED) <= set(latex) and set(DIFFERENT) <= set(latex)
    assert not set(REFUSED) & set(DIFFERENT)
    counts = (len(GOOD_PAIRS), len(SUPPORTED), len([t for t in latex if t in REFUSED]),
              len(DIFFERENT))
    print("pairs, supported, refused, different:", counts)
    assert len(SUPPORTED) >= 90


@pytest.mark.parametrize("latex, want", SUPPORTED, ids=[t for t, _ in SUPPORTED])
def test_supported_pairs_give_sympys_expression(latex, want):
    got = parse(latex, syntax="latex")
    assert same(got, want), f"{latex}: symgd {got}, SymPy {want}"
    if looks_like_latex(latex):       # detected: the default reads it the same
        assert parse(latex) == got


@pytest.mark.parametrize("latex", sorted(REFUSED))
def test_refused_pairs_name_what_is_not_read(latex):
    with pytest.raises(ParseError) as info:
        parse(latex, syntax="latex")
    assert REFUSED[latex] in str(info.value), str(info.value)
    assert info.value.text == latex


@pytest.mark.parametrize("latex", sorted(DIFFERENT))
def test_pairs_read_otherwise_on_purpose(latex):
    ours, _why = DIFFERENT[latex]
    got = parse(latex, syntax="latex")
    assert same(got, ours)
    want = dict(GOOD_PAIRS)[latex]
    assert isinstance(want, sp.Equality) or not same(got, want)


def test_equation_pair_is_a_definition():
    d = parse_definition("x = y", syntax="latex")
    assert (d.name, plain(d.expr)) == ("x", sp.Symbol("y"))
    assert parse_definition(r"x = \frac{y}{2}").name == "x"


@pytest.mark.parametrize("latex", [*BAD_STRINGS, *FAILING_BAD_STRINGS, CASES_ENV])
def test_sympys_bad_strings_are_refused(latex):
    with pytest.raises(ParseError) as info:
        parse(latex, syntax="latex")
    message = str(info.value)
    assert message and "\n" not in message
    if latex in BAD_NAMED:
        assert BAD_NAMED[latex] in message, message


# ------------------------------------------------------- symgd's own readings

X, Y, T = sp.symbols("x y t")
THETA = sp.Symbol("theta")

TEXTBOOK = [
    (r"\frac{x^2}{2} + \sin(y)", X**2 / 2 + sp.sin(Y)),
    (r"\frac{x^{2}}{2}+\sin y", X**2 / 2 + sp.sin(Y)),
    (r"\sqrt[3]{x}", sp.root(X, 3)),
    (r"\left( x + 1 \right)^{2}", (X + 1) ** 2),
    (r"\left| x - 1 \right|", sp.Abs(X - 1)),
    (r"\ln|x|", sp.log(sp.Abs(X))),
    (r"\sin^2 x + \cos^2 x", sp.sin(X) ** 2 + sp.cos(X) ** 2),
    (r"\tan^{-1}(x)", sp.atan(X)),
    (r"\sinh^{-1} x", sp.asinh(X)),
    (r"\log_{10} x", sp.log(X, 10)),
    (r"\log_2(x)", sp.log(X, 2)),
    (r"e^{-x^2}", sp.exp(-X**2)),
    (r"\mathrm{e}^{2x}", sp.exp(2 * X)),
    (r"x e^{x}", X * sp.exp(X)),
    (r"\pi r^2", sp.pi * sp.Symbol("r") ** 2),
    (r"2 \pi r", 2 * sp.pi * sp.Symbol("r")),
    (r"x y", X * Y),
    (r"2x\sin(x)", 2 * X * sp.sin(X)),
    (r"\sin 2x", sp.sin(2 * X)),
    (r"\theta^2 + \alpha_{1}", THETA**2 + sp.Symbol("alpha_1")),
    (r"\operatorname{sigmoid}(t)", sigmoid(T)),
    (r"\operatorname{softplus}(x) + \operatorname{relu}(y)", softplus(X) + relu(Y)),
    (r"\operatorname{atan2}(y, x)", sp.atan2(Y, X)),
    (r"x \times y \div 2", X * Y / 2),
    (r"\{ x + 1 \} \cdot 3", 3 * (X + 1)),
    (r"x\,y\;+\quad 1", X * Y + 1),
    (r"\mathrm{mpg} \cdot w", sp.Symbol("mpg") * sp.Symbol("w")),
    (r"x_{12} + x_1", sp.Symbol("x_12") + sp.Symbol("x_1")),
    (r"$x^2 + y^2$", X**2 + Y**2),
    (r"\[ x^2 \]", X**2),
    (r"\frac{x²}{2}", X**2 / 2),
    (r"x^{-1}", 1 / X),
    (r"\frac{1}{2}^{2}", sp.Rational(1, 4)),
    (r"\left(\frac{x}{2}\right)^{2}", X**2 / 4),
    (r"\dfrac{\sqrt{x}}{\tfrac{1}{2}}", 2 * sp.sqrt(X)),
    (r"x(x+1)", X * (X + 1)),
    (r"-x^2", -X**2),
    (r"e^{x}", sp.exp(X)),
]


@pytest.mark.parametrize("latex, want", TEXTBOOK, ids=[t for t, _ in TEXTBOOK])
def test_textbook_latex(latex, want):
    got = plain(parse(latex, syntax="latex"))
    assert got == want or sp.simplify(got - want) == 0, got


def test_subscripts_are_the_plain_parsers_names():
    assert latex(r"x_{1} + x_2") == parse("x_1 + x_2")
    assert parse(r"\theta_{0}") == parse("theta_0")


def test_definitions():
    d = parse_definition(r"f(x, y) = \frac{x^2}{2} + \sin y")
    assert (d.name, d.arguments) == ("f", ("x", "y"))
    d = parse_definition(r"z = x y", syntax="latex")
    assert (d.name, plain(d.expr)) == ("z", X * Y)
    d = parse_definition(r"L(\theta) = \theta^{2}")
    assert (d.name, d.arguments) == ("L", ("theta",))
    assert symgd.Objective(r"f(y, x) = x^2 + 3y").names == ("y", "x")


def test_declared_names_and_constants():
    assert plain(latex("lr x", variables=("lr", "x"))) == sp.Symbol("lr") * X
    with pytest.raises(ParseError, match="contains the declared name 'lr'"):
        latex("lrx", variables=("lr", "x"))
    assert latex("a x^2", constants={"a": 2.5}) == parse("a*x^2", constants={"a": 2.5})
    assert plain(parse(r"\frac{e}{2}", variables=("e",))) == sp.Symbol("e") / 2
    assert parse(r"\frac{e}{2}") == sp.E / 2


@pytest.mark.parametrize("text, named", [
    (r"sinx", r"\sin"), (r"\frac{theta}{2}", r"\theta"), (r"x^23", "^{23}"),
    (r"x_12", "x_{12}"), (r"x2", "x_{2}"), (r"|a|b|c|", r"\left|"),
    (r"\sin^{-2} x", r"\sin"), (r"\ln^{-1} x", r"\ln"), (r"e^-x", "^{-"),
    (r"\sin x (x + 1)", r"\sin(...)"), (r"a(b + c)", r"a \cdot (...)"),
    (r"\operatorname{foo}(x)", r"\operatorname{foo}"), (r"\left. x \right|", r"\left."),
    (r"\left( x \right]", r"\right]"), (r"x^{2}^{3}", "double superscript"),
    (r"\def\x{1} \x", r"\def"), (r"\input{/etc/passwd}", r"\input"),
    (r"\write18{touch PWNED}", r"\write"), (r"\mathbb{R}", r"\mathbb"),
    (r"\|x\|", r"\|"), (r"x \cdot \cdot y", "'*'"), (r"\frac{1}{0}", "division by zero"),
    (r"\sum_{i=1}^{n} x_i", r"\sum"), (r"1.5.2", "two numbers"), (r"2 3", "two numbers"),
])
def test_refusals_name_the_spelling_to_use(text, named):
    with pytest.raises(ParseError) as info:
        latex(text)
    assert info.value.text == text
    assert named in str(info.value), str(info.value)


def test_every_suggested_spelling_parses():
    """The spellings a refusal proposes are read (as what they say)."""
    fixes = {r"sinx": r"\sin x", r"x^23": "x^{23}", r"x_12": "x_{12}", r"x2": "x_{2}",
             r"\sin^{-2} x": r"(\sin x)^{-2}", r"e^-x": "e^{-x}",
             r"a(b + c)": r"a \cdot (b + c)", r"|a|b|c|": r"\left|a\right| b \left|c\right|"}
    for wrong, fix in fixes.items():
        with pytest.raises(ParseError):
            latex(wrong)
        latex(fix)
    assert plain(latex(r"(\sin x)^{-2}")) == sp.sin(X) ** -2
    assert plain(latex(r"\left|a\right| b \left|c\right|")) == \
        sp.Abs(sp.Symbol("a")) * sp.Symbol("b") * sp.Abs(sp.Symbol("c"))


def test_error_columns_point_into_the_latex():
    with pytest.raises(ParseError) as info:
        parse(r"\frac{x}{2} + \int x")
    assert info.value.position == r"\frac{x}{2} + \int x".index(r"\int")
    with pytest.raises(ParseError) as info:
        parse(r"\frac{x}{2} + +")
    assert info.value.position == len(r"\frac{x}{2} + +") - 1


def test_syntax_parameter():
    assert looks_like_latex(r"\sin x") and not looks_like_latex("sin(x)")
    assert plain(parse("xy", syntax="latex")) == X * Y
    assert plain(parse("x^{2}", syntax="latex")) == X**2
    with pytest.raises(ParseError):
        parse(r"\frac{x}{2}", syntax="plain")
    with pytest.raises(InputError, match="syntax must be one of"):
        parse("x", syntax="tex")
    obj = symgd.Objective(r"\frac{x^2}{2} + \sin(y)")
    assert obj.names == ("x", "y")
    assert symgd.Objective("xy", syntax="latex").names == ("x", "y")


def test_cli_latex_input(capsys):
    assert main(["diff", "--latex-input", r"\frac{x^2}{2} + \sin(y)"]) == 0
    shown = capsys.readouterr().out
    assert "∂f/∂x = x" in shown and "∂f/∂y = cos(y)" in shown
    assert main(["diff", r"\frac{x^2}{2} + \sin(y)"]) == 0      # detected
    assert capsys.readouterr().out == shown
    assert main(["diff", "--latex-input", "x y"]) == 0
    assert "∂f/∂x = y" in capsys.readouterr().out


def test_cli_refusals(capsys):
    assert main(["diff", r"\int x \, dx"]) == 2
    err = capsys.readouterr().err
    assert r"'\int'" in err and "Traceback" not in err
    assert main(["explain", "--data", "pizza", "--model", "w*x + b", "--latex-input"]) == 2
    assert "--latex-input" in capsys.readouterr().err


# ------------------------------------------- SymPy's LaTeX printer as an oracle

_R = {n: sp.Symbol(n, real=True) for n in ("x", "y", "z", "theta", "x_1")}
PRINTED = [
    _R["x"]**2 / 2 + sp.sin(_R["y"]), sp.exp(-_R["x"]**2), sp.log(_R["x"]) * sp.sqrt(_R["y"]),
    sp.atan(_R["x"] / _R["y"]), sp.Abs(_R["x"] - 1), sp.cos(_R["x"])**2, sp.root(_R["x"], 3),
    (_R["x"] + 1)**-2, sp.tanh(_R["theta"]), 3 * _R["x_1"]**2, sp.asin(_R["x"]),
    sp.sinh(_R["x"]) * sp.cosh(_R["y"]), sp.log(_R["x"], 2), sp.pi * _R["x"]**2,
    sp.exp(_R["x"]) * _R["y"], sp.sec(_R["x"]) + sp.csc(_R["y"]) + sp.cot(_R["z"]),
    _R["x"] * _R["y"] * _R["z"] / (_R["x"] + _R["y"]), sp.sqrt(_R["x"]**2 + _R["y"]**2),
    1 / (1 + sp.exp(-_R["x"])), _R["x"]**_R["y"], sp.exp(sp.sin(_R["x"])),
    sp.log(sp.Abs(_R["x"])), sp.atan2(_R["y"], _R["x"]), sp.Rational(3, 4) - _R["x"] / 2,
    sp.acos(_R["x"] / 2) + sp.atan(_R["y"]) ** 3, softplus(_R["x"]) + relu(_R["y"]),
]


@pytest.mark.parametrize("expr", PRINTED, ids=[sp.latex(e) for e in PRINTED])
def test_sympys_printed_latex_reads_back(expr):
    """``sympy.latex`` output (``\\sin{\\left(x \\right)}``, ``\\operatorname{atan}_{2}``...)
    is read back as the expression printed."""
    got = parse(sp.latex(expr), syntax="latex")
    want = public(expr)               # parse hands back plain symbols
    assert got == want or sp.simplify(got - want) == 0, (sp.latex(expr), got)


def test_symgds_own_sigmoid_latex_is_refused_with_the_spelling_to_use():
    # symgd prints sigmoid as \sigma\left(t\right); read back, \sigma is a name
    with pytest.raises(ParseError, match=r"\\operatorname\{sigmoid\}"):
        parse(sp.latex(sigmoid(_R["x"])))
