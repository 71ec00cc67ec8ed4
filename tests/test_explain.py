"""Tests of symgd.explain: step-by-step derivatives, rule by rule.

The oracle is SymPy's own ``diff`` (exactly where cheap, numerically at
random points otherwise), the lessons' formulas (∇z = [2x + y, 2y + x], the
(2/M) Σ x_i (w x_i + b − y_i) form) and the car lesson's published gradient
at (0, 0): (−119.7, −34.3).
"""

from __future__ import annotations

import io

import random
import re

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symgd
from symgd import InputError, InputTypeError, ObjectiveError
from symgd.explain import FORMATS, RULES, Derivation, Explanation, Step, explain
from symgd.expr import make_symbol, relu, sigmoid, softplus

from oracles import CARS_MPG, CARS_WEIGHT

x, y, w, b = sp.symbols("x y w b")     # explain hands back plain symbols


def real_diff(expr, var):
    """SymPy's derivative for real variables (|x|' = sign(x)), in plain symbols."""
    real = {s: sp.Symbol(s.name, real=True) for s in expr.free_symbols
            if isinstance(s, sp.Symbol)}
    back = {r: s for s, r in real.items()}
    return sp.diff(expr.xreplace(real), real[var]).xreplace(back)


def cars() -> symgd.DataObjective:
    return symgd.mse("w*weight + b", "cars", target="mpg")


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def sum_value(expr: sp.Expr, columns: dict[str, list[float]],
              point: dict[sp.Symbol, float]) -> float:
    """A Σ_{i=1}^{M} form evaluated on the data, row by row (no symgd code)."""
    (i, _, M), = next(iter(expr.atoms(sp.Sum))).limits
    rows = len(next(iter(columns.values())))
    expanded = expr.subs(M, rows).doit()
    values = {sp.IndexedBase(name)[k]: v for name, col in columns.items()
              for k, v in enumerate(col, start=1)}
    return float(expanded.xreplace(values).xreplace(point))


# ----------------------------------------------------------- the lessons

def test_bowl_with_respect_to_x_names_each_rule():
    text = str(explain("x² + xy + y²", wrt="x"))
    for words in ("sum rule", "power rule", "constant multiple rule", "constant rule",
                  "treat y as a constant"):
        assert words in text
    assert last_line(text) == "so ∂f/∂x = 2*x + y"


def test_bowl_with_respect_to_y():
    e = explain("z = x² + xy + y²", wrt="y")
    assert last_line(str(e)) == "so ∂z/∂y = x + 2*y"
    assert "treat x as a constant" in str(e)
    assert e.result == x + 2 * y


def test_bowl_gradient_matches_lesson_and_objective():
    e = explain("x² + xy + y²")
    assert e.results == (2 * x + y, x + 2 * y)
    assert e.results == symgd.Objective("x² + xy + y²").gradient
    assert e.result == e.results          # several variables: the gradient


def test_constant_factor_and_exp():
    e = explain("sin(x)·exp(y)", wrt="x")
    text = str(e)
    assert "constant multiple rule" in text and "trig rule" in text
    assert "treat y as a constant" in text
    assert e.result == sp.exp(y) * sp.cos(x)
    e = explain("sin(x)·exp(y)", wrt="y")
    assert "exp rule" in str(e) and "treat x as a constant" in str(e)
    assert e.result == sp.exp(y) * sp.sin(x)


def test_product_with_chain_and_exp():
    e = explain("sin(x)·exp(x*y)", wrt="x")
    text = str(e)
    assert "product rule" in text and "chain rule (exp rule)" in text
    assert "u = x*y" in text and "∂u/∂x = y" in text
    assert sp.simplify(e.result - sp.diff(sp.sin(x) * sp.exp(x * y), x)) == 0


def test_softplus_of_linear_form_uses_the_chain_rule_twice():
    e = explain("log(1 + exp(w*x + b))", wrt="w")
    text = str(e)
    assert text.count("chain rule") == 2
    assert "chain rule (log rule)" in text and "chain rule (exp rule)" in text
    assert "with u = exp(b + w*x) + 1" in text and "with v = b + w*x" in text
    assert "∂u/∂w = ∂/∂w(exp(b + w*x) + 1)" in text
    assert last_line(text) == "so ∂f/∂w = x*exp(b + w*x)/(exp(b + w*x) + 1)"
    expected = x * sp.exp(w * x + b) / (sp.exp(w * x + b) + 1)
    assert sp.simplify(e.result - expected) == 0


def test_squared_residual_names_u():
    e = explain("(w*x + b − y)²", wrt="w")
    text = str(e)
    assert "chain rule (power rule)" in text
    assert "with u = b + w*x - y" in text
    assert "∂u/∂w = ∂/∂w(b + w*x - y)" in text
    assert "treat b and y as constants" in text and "treat x as a constant" in text
    assert last_line(text) == "so ∂f/∂w = 2*x*(b + w*x - y)"
    named = [s for s in e.steps if s.name is not None]
    assert [(s.name.name, s.expr) for s in named] == [("u", b + w * x - y)]


def test_car_lesson_textbook_sum():
    L = cars()
    e = explain(L)
    assert e.variables == (b, w) and len(e) == 2
    text = e.derivations[1].text()
    assert text.startswith("∂L/∂w for L = (1/M)*Σ_{i=1}^{M} (b + w*weight[i] - mpg[i])**2:")
    assert "the derivative of a sum is the sum of the derivatives" in text
    assert "mpg[i] and weight[i] are constants" in text
    assert "with u = b + w*weight[i] - mpg[i]" in text
    assert last_line(text).endswith(
        "= (2/M)*Σ_{i=1}^{M} (b + w*weight[i] - mpg[i])*weight[i]")
    assert last_line(e.derivations[0].text()).endswith(
        "= (2/M)*Σ_{i=1}^{M} (b + w*weight[i] - mpg[i])")
    # the textbook form, and the lesson's slopes at (0, 0)
    assert e.results == L.gradient
    columns = {"weight": CARS_WEIGHT, "mpg": CARS_MPG}
    at_zero = {b: 0.0, w: 0.0}
    assert round(sum_value(e.results[1], columns, at_zero), 1) == -119.7
    assert round(sum_value(e.results[0], columns, at_zero), 1) == -34.3


def test_log_loss_per_row_is_sigma_minus_y():
    d = {"x": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 1.0]}
    L = symgd.log_loss("sigmoid(w*x + b)", d)
    e = explain(L, wrt="w")
    text = str(e)
    assert "softplus rule" in text and "the same function" in text
    assert e.result == L.gradient[L.names.index("w")]
    point = {b: 0.3, w: -0.7}
    assert sum_value(e.result, d, point) == pytest.approx(L.grad([0.3, -0.7])[1])


def test_mean_absolute_error_uses_the_abs_rule():
    d = {"x": [1.0, 2.0, 3.0], "y": [0.5, 1.0, 2.0]}
    e = explain(symgd.mae("w*x + b", d), wrt="w")
    assert "chain rule (abs rule)" in str(e)
    assert "sign(b + w*x[i] - y[i])" in last_line(str(e))


LESSONS = [("x² + xy + y²", "x"), ("sin(x)·exp(y)", "x"),
           ("log(1 + exp(w*x + b))", "w"), ("(w*x + b − y)²", "w"), (None, "w")]


def lesson(source: str | None, var: str) -> Explanation:
    return explain(cars() if source is None else source, wrt=var)


def balanced(text: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("source, var", LESSONS)
def test_lesson_formats(source, var):
    e = lesson(source, var)
    text, markdown, latex = e.text(), e.markdown(), e.latex()
    for step in e.steps:
        assert step.label in text
        assert f"**{step.label}**" in markdown
    numbered = [line for line in markdown.splitlines() if re.match(r"\d+\. ", line)]
    assert [int(line.split(".")[0]) for line in numbered] == list(range(1, len(e.steps) + 1))
    assert markdown.count("$") % 2 == 0 and "$" in markdown
    assert latex.startswith("\\begin{align*}") and latex.endswith("\\end{align*}")
    assert balanced(latex) and balanced(markdown)
    assert "\\frac" in latex and "\\partial" in latex
    assert latex.count("\\\\\n") == len(e.steps) + 1        # header, steps, result
    assert e.format("latex") == latex and e._repr_latex_() == latex
    assert e._repr_markdown_() == markdown
    assert str(e) == text and str(explain(cars() if source is None else source,
                                          wrt=var, fmt="markdown")) == markdown


def test_output_is_deterministic():
    assert explain("x² + xy + y²").text() == explain("x² + xy + y²").text()
    assert explain(cars()).latex() == explain(cars()).latex()


# ------------------------------------------------------- every rule, named

RULE_EXAMPLES = {
    "sum rule": ["x^2 + x + 1"],
    "constant rule": ["x + y"],
    "constant multiple rule": ["3*sin(x)", "y*x"],
    "power rule": ["x^5", "x^(-2)", "sqrt(x)", "x^(2/3)", "1/x", "x^y"],
    "product rule": ["x*sin(x)", "x*exp(x)*cos(x)"],
    "quotient rule": ["sin(x)/(x + 1)", "(x^2 + 1)/(x^2 - 1)"],
    "chain rule": ["sin(x^2)", "(x^2 + 1)^3"],
    "exp rule": ["exp(x)", "exp(2*x)"],
    "log rule": ["log(x)", "ln(x^2 + 1)"],
    "base-b log rule": ["log10(x)", "log(x, 2)", "log2(x^2 + 1)"],
    "base-a exponential rule": ["2^x", "3^(x^2)", "y^x"],
    "general power rule": ["x^x", "(x^2 + 1)^sin(x)"],
    "trig rule": ["sin(x)", "cos(x)", "tan(x)", "sec(x)", "csc(x)", "cot(x)"],
    "inverse trig rule": ["asin(x)", "acos(x)", "atan(x)"],
    "hyperbolic rule": ["sinh(x)", "cosh(x)", "tanh(x)"],
    "inverse hyperbolic rule": ["asinh(x)", "acosh(x)", "atanh(x)"],
    "abs rule": ["abs(x)", "abs(x^2 - 1)"],
    "sigmoid rule": ["sigmoid(x)", "sigmoid(2*x + 1)"],
    "softplus rule": ["softplus(x)", "softplus(x*y)"],
    "relu rule": ["relu(x)", "relu(x - 1)"],
    "derivative from SymPy": ["erf(x)", "gamma(x^2)", "atan2(y, x)"],
}


def test_every_rule_has_an_example():
    assert set(RULE_EXAMPLES) == set(RULES)


@pytest.mark.parametrize("rule, source",
                         [(r, s) for r, sources in RULE_EXAMPLES.items() for s in sources])
def test_rule_is_named_and_result_is_exact(rule, source):
    e = explain(source, wrt="x")
    assert rule in {s.rule for s in e.steps} | {s.outer for s in e.steps}
    assert rule in e.text()
    expr = symgd.Objective(source).expr
    assert sp.simplify(e.result - real_diff(expr, x)) == 0


@pytest.mark.parametrize("source, form", [
    ("sigmoid(x^2)", "(1 - sigmoid(u))*sigmoid(u)*du/dx"),
    ("softplus(x^2)", "sigmoid(u)*du/dx"),
    ("abs(x^2 - 1)", "sign(u)*du/dx"),
    ("sqrt(x^2 + 1)", "(1/(2*sqrt(u)))*du/dx"),
    ("tan(x)", "d/dx(tan(x)) = sec(x)**2"),
    ("x^x", "d/dx(x**x) = x**x*d/dx(x*log(x))"),
    ("sin(x)/x", "(x*d/dx(sin(x)) - sin(x)*dx/dx)/x**2"),
    ("x*sin(x)", "dx/dx*sin(x) + x*d/dx(sin(x))"),
    ("log10(x)", "= 1/(x*log(10))"),
    ("2^x", "= 2**x*log(2)"),
    ("x^(-2)", "= -2/x**3  (n = -2)"),
])
def test_textbook_forms(source, form):
    assert form in explain(source).text()


def test_trivial_leaves_are_inline():
    e = explain("3*x + 1")
    assert [s.rule for s in e.steps] == ["sum rule", "constant multiple rule"]
    assert "the constant term 1 has derivative 0" in e.text()
    assert "3*dx/dx = 3" in e.text()
    e = explain("sin(2*x)")
    assert len(e.steps) == 1 and "with u = 2*x, du/dx = 2" in e.text()
    assert e.steps[0].complete


def test_steps_are_outside_in():
    e = explain("exp(sin(x^2)) + x*cos(x)")
    depths = [s.depth for s in e.steps]
    assert depths[0] == 0
    assert all(b_ <= a + 1 for a, b_ in zip(depths, depths[1:]))
    assert e.steps[0].rule == "sum rule"
    assert [s.outer for s in e.steps if s.rule == "chain rule"] == ["exp rule", "trig rule"]
    assert all(isinstance(s, Step) for s in e.steps)
    assert isinstance(e.derivations[0], Derivation)


def test_single_variable_uses_d_and_several_use_partial():
    assert last_line(str(explain("x^3"))) == "so df/dx = 3*x**2"
    assert last_line(str(explain("x^3 + y", wrt="x"))) == "so ∂f/∂x = 3*x**2"
    assert "\\frac{d f}{d x}" in explain("x^3").latex()


# ----------------------------------------------------------- errors

def test_unknown_variable_lists_the_variables():
    with pytest.raises(InputError, match="its variables are x, y"):
        explain("x^2 + y", wrt="z")
    with pytest.raises(InputError, match="b, w"):
        explain(cars(), wrt="weight")


def test_bad_arguments():
    with pytest.raises(InputTypeError):
        explain("x^2", wrt=3)
    with pytest.raises(InputError, match="text, markdown, latex"):
        explain("x^2", fmt="html")
    with pytest.raises(InputError, match="text, markdown, latex"):
        explain("x^2").format("pdf")


def test_all_variables_and_chosen_order():
    e = explain("x^2 + x*y + y^2")
    assert len(e) == 2 and [d.variable for d in e] == [x, y]
    assert e.text().count("\nso ∂f/∂") == 2
    e = explain("x^2 + x*y + y^2", wrt=["y", x])
    assert e.variables == (y, x) and e.results == (x + 2 * y, 2 * x + y)
    assert len(e.steps) == sum(len(d.steps) for d in e)


def test_accepts_sympy_expressions_and_objectives():
    plain = sp.Symbol("t")                      # no assumptions: kept as given
    e = explain(plain ** 3 + sp.sin(plain))
    assert e.result == 3 * plain ** 2 + sp.cos(plain)
    obj = symgd.Objective("x^2*y", variables=("y", "x"))
    assert explain(obj).variables == (y, x)


def test_unsupported_functions_fall_back_to_sympy():
    f = sp.Function("f")
    e = explain(f(x ** 2) + y, wrt="x")
    assert "chain rule (derivative from SymPy)" in e.text()
    assert "symgd has no rule for f" in e.text()
    assert e.result == sp.diff(f(x ** 2) + y, x)
    e = explain(sp.Piecewise((x ** 2, x > 0), (x, True)))
    assert e.steps[0].rule == "derivative from SymPy"
    assert e.result == sp.Piecewise((2 * x, x > 0), (1, True))
    e = explain("erf(x^2)")
    assert "SymPy gives d/du(erf(u)) = 2*exp(-u**2)/sqrt(pi)" in e.text()
    assert explain(sp.Max(x, x ** 2 + y), wrt="x").result == sp.diff(sp.Max(x, x ** 2 + y), x)


def test_a_wrong_rule_raises_instead_of_being_hidden(monkeypatch):
    from symgd.expr.registry import FUNCTION_RULES
    monkeypatch.setitem(FUNCTION_RULES, sp.sin, ("trig rule", sp.sin))
    with pytest.raises(RuntimeError, match="sympy.diff gives cos"):
        explain("sin(x)")


# ------------------------------------------ property: equal to sympy.diff

FUNCTIONS = [sp.sin, sp.cos, sp.exp, sp.log, sp.sqrt, sp.tanh, sp.atan, sp.Abs, sigmoid]


def _safely(build):
    def apply(args):
        try:
            return build(*args)
        except (ValueError, TypeError, ZeroDivisionError, KeyError, RecursionError):
            return sp.nan
    return apply


def _power(base, exponent):
    return base ** exponent


leaves = st.one_of(st.sampled_from([x, y, x, y]), st.integers(-3, 3).map(sp.Integer))


def _extend(children):
    return st.one_of(
        st.tuples(children, children).map(_safely(lambda a, c: a + c)),
        st.tuples(children, children).map(_safely(lambda a, c: a * c)),
        st.tuples(children, children).map(_safely(lambda a, c: a / c)),
        st.tuples(children, st.integers(-3, 3).map(sp.Integer)).map(_safely(_power)),
        st.tuples(children, children).map(_safely(_power)),
        st.tuples(st.sampled_from(FUNCTIONS), children).map(_safely(lambda f, a: f(a))),
    )


expressions = st.recursive(leaves, _extend, max_leaves=10)


def _numeric(expr: sp.Expr, point: dict) -> complex | None:
    plain = expr.replace(lambda e: isinstance(e, sigmoid),
                         lambda e: 1 / (1 + sp.exp(-e.args[0])))
    try:
        fn = sp.lambdify(list(point), plain, "mpmath")
    except Exception:       # nothing to evaluate numerically (zoo, an undefined f)
        return None
    try:
        with mpmath.workdps(25):
            z = complex(fn(*point.values()))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return z if np.isfinite(z.real) and np.isfinite(z.imag) else None


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(expr=expressions, seed=st.integers(0, 2 ** 16))
def test_result_equals_sympy_diff(expr, seed):
    assume(isinstance(expr, sp.Expr) and not expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.I))
    assume(expr.free_symbols & {x, y})
    try:
        symgd.Objective(expr)
    except ObjectiveError:      # not a real-valued objective (e.g. log(-2))
        assume(False)
    var = x if x in expr.free_symbols else y
    e = explain(expr, wrt=var)          # never raises
    e.text(), e.markdown(), e.latex()
    got, want = e.result, real_diff(expr, var)
    if got.is_rational_function(x, y) and want.is_rational_function(x, y):
        assert sp.cancel(got - want) == 0
        return
    rng = random.Random(seed)
    for _ in range(4):
        point = {x: rng.uniform(-2.5, 2.5), y: rng.uniform(-2.5, 2.5)}
        a, c = _numeric(got, point), _numeric(want, point)
        if a is not None and c is not None:
            assert abs(a - c) <= 1e-7 * max(1.0, abs(a), abs(c)), (expr, got, want, point)


def test_formats_listed():
    assert FORMATS == ("text", "markdown", "latex")


# ------------------------------------------------------------------ the CLI

class _Utf8(io.StringIO):
    encoding = "utf-8"


def _cli(*argv):
    from symgd.cli import main
    out, err = _Utf8(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt, marker", [("text", "so ∂f/∂x = exp(y)*cos(x)"),
                                         ("markdown", "**trig rule**"),
                                         ("latex", r"\begin{align*}")])
def test_cli_explains_in_each_format(fmt, marker):
    code, out, err = _cli("explain", "sin(x)·exp(y)", "--wrt", "x", "--format", fmt)
    assert code == 0 and err == ""
    assert marker in out
    assert out == explain("sin(x)*exp(y)", wrt="x").format(fmt).rstrip("\n") + "\n"


def test_cli_explains_every_variable_by_default():
    code, out, _ = _cli("explain", "z = x² + xy + y²")
    assert code == 0
    assert "so ∂z/∂x = 2*x + y" in out and "so ∂z/∂y = x + 2*y" in out


def test_cli_explains_a_data_loss_the_textbook_way():
    code, out, _ = _cli("explain", "--data", "cars", "--model", "w*x + b",
                        "--columns", "x=weight,y=mpg", "--wrt", "w")
    assert code == 0
    assert "(2/M)*Σ_{i=1}^{M} (b + w*x[i] - y[i])*x[i]" in out


def test_cli_explains_one_weight_of_a_network():
    code, out, _ = _cli("explain", "--data", "pizza", "--model", "mlp:1-2-1:tanh",
                        "--columns", "x1=Reservations,y=Pizzas", "--wrt", "W1_11")
    assert code == 0
    assert "chain rule (hyperbolic rule)" in out and out.count("so ∂L/∂W1_11") == 1


@pytest.mark.parametrize("argv", [
    ["explain", "x^2", "--wrt", "q"],                    # not a variable
    ["explain"],                                         # nothing to explain
    ["explain", "x^2", "--format", "html"],              # unknown format
    ["explain", "x^2", "--model", "w*x"],                # --model without --data
    ["explain", "__import__('os')"],                     # not an expression
])
def test_cli_explain_bad_input_is_one_line_exit_2(argv):
    code, out, err = _cli(*argv)
    assert code == 2 and out == ""
    assert err.startswith("symgd: error:") and err.count("\n") == 1


def test_cli_explain_on_an_ascii_terminal_writes_d_and_sum():
    from symgd.cli import main
    out = io.StringIO()                      # no encoding: treated as ASCII
    assert main(["explain", "--data", "cars", "--model", "w*x + b", "--columns",
                 "x=weight,y=mpg", "--wrt", "b"], out=out, err=io.StringIO()) == 0
    text = out.getvalue()
    assert text.isascii() and "so dL/db" in text and "sum_{i=1}^{M}" in text


def test_a_network_weight_gets_a_short_form_with_the_activations_named():
    import numpy as np
    import symgd
    net = symgd.mlp((2, 2, 1), activation="tanh", output="sigmoid")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])
    L = symgd.mse(net, {"x1": X[:, 0], "x2": X[:, 1], "y": [0, 1, 1, 0.0]})
    (d,) = explain(L, wrt="W1_11")
    parts, short = d.shorthand()
    # substituting the named parts back gives the full result
    for name, part in reversed(parts):
        short = short.subs(name, part)
    assert sp.simplify(short - d.result) == 0
    assert [str(p).split("(")[0] for _, p in parts] == ["tanh", "sigmoid"]
    assert "in short: ∂L/∂W1_11 = (2/M)*Σ_{i=1}^{M} W2_11*a2*(1 - a1**2)*(1 - a2)" in d.text()
    assert "in short:" in d.markdown() and r"\text{in short, with}" in d.latex()
    (short_one,) = explain("x^2 + y", wrt="x")
    assert short_one.shorthand() is None and "in short" not in short_one.text()


# ------------------------------------------------ the rules from the registry

TEXTBOOK_RULES = {
    sp.exp: "exp rule", sp.log: "log rule",
    sp.sin: "trig rule", sp.cos: "trig rule", sp.tan: "trig rule", sp.cot: "trig rule",
    sp.sec: "trig rule", sp.csc: "trig rule",
    sp.asin: "inverse trig rule", sp.acos: "inverse trig rule", sp.atan: "inverse trig rule",
    sp.acot: "inverse trig rule", sp.asec: "inverse trig rule", sp.acsc: "inverse trig rule",
    sp.sinh: "hyperbolic rule", sp.cosh: "hyperbolic rule", sp.tanh: "hyperbolic rule",
    sp.coth: "hyperbolic rule", sp.sech: "hyperbolic rule", sp.csch: "hyperbolic rule",
    sp.asinh: "inverse hyperbolic rule", sp.acosh: "inverse hyperbolic rule",
    sp.atanh: "inverse hyperbolic rule", sp.acoth: "inverse hyperbolic rule",
    sp.asech: "inverse hyperbolic rule", sp.acsch: "inverse hyperbolic rule",
    sigmoid: "sigmoid rule", softplus: "softplus rule", relu: "relu rule",
}


def test_the_engine_rule_table_is_the_textbook_one():
    from symgd.expr import agree
    from symgd.expr.registry import FUNCTION_RULES, REAL_ARGUMENT_RULES
    assert {f: rule for f, (rule, _) in FUNCTION_RULES.items()} == TEXTBOOK_RULES
    assert REAL_ARGUMENT_RULES == {sp.Abs: ("abs rule", sp.sign)}
    u = sp.Symbol("u", real=True)
    for f, (rule, derivative) in FUNCTION_RULES.items():
        assert agree(derivative(u), sp.diff(f(u), u)) is True, (f, rule)


def test_every_registry_rule_is_a_rule_explain_names():
    from symgd.expr import REGISTRY
    assert {e.rule for e in REGISTRY if e.rule is not None} <= set(RULES)


def _typed_entries():
    from symgd.expr import REGISTRY
    return [(name, e) for e in REGISTRY for name in e.names]


@pytest.mark.parametrize("name, entry", _typed_entries(), ids=[n for n, _ in _typed_entries()])
def test_every_parsed_function_has_a_rule_or_is_said_to_come_from_sympy(name, entry):
    call = f"{name}({', '.join('xy'[:entry.arity[0]])})"
    e = explain(call, wrt="x")
    named = {s.rule for s in e.steps} | {s.outer for s in e.steps}
    if entry.rule is not None:
        assert entry.rule in named, (call, named)
    else:
        assert "derivative from SymPy" in named, (call, named)
        assert "symgd has no rule" in e.text()
    assert e.result == real_diff(symgd.Objective(call).expr, x) or \
        sp.simplify(e.result - real_diff(symgd.Objective(call).expr, x)) == 0


# ---------------------------------------------------- the report interface

def test_symgd_explain_stays_the_function_after_importing_its_modules():
    import subprocess
    import sys
    code = ("import symgd.explain.derive, symgd.explain.report, symgd.explain.printers\n"
            "import symgd.explain.core\n"
            "import symgd\n"
            "from symgd.explain import derive\n"
            "assert callable(symgd.explain), symgd.explain\n"
            "assert 'sum rule' in derive.RULES\n"
            "print(symgd.explain('x^2').text())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.strip().splitlines()[-1] == "so df/dx = 2*x"
    import symgd.explain.derive  # noqa: F401 - in this process too
    assert callable(symgd.explain) and symgd.explain("x^2").text().endswith("so df/dx = 2*x")


def test_explanation_is_a_report():
    from symgd._report import Report
    e = explain("x² + xy + y²")
    assert isinstance(e, Report) and all(isinstance(d, Report) for d in e)
    assert repr(e) == "<Explanation: f with respect to x, y: 8 steps>"
    assert repr(e.derivations[0]) == "<Derivation: ∂f/∂x = 2*x + y>"
    data = e.to_dict()
    assert data["variables"] == ["x", "y"] and data["label"] == "f"
    dx = data["derivations"][0]
    assert dx["variable"] == "x" and dx["result"] == "2*x + y" and dx["short"] is None
    assert [s["rule"] for s in dx["steps"]] == [s.rule for s in e.derivations[0].steps]
    assert dx["steps"][0]["text"] == ("∂/∂x(x**2 + x*y + y**2) = "
                                      "∂/∂x(x**2) + ∂/∂x(x*y) + ∂/∂x(y**2)")
    assert dx["steps"][2]["note"] == "treat y as a constant"
    import json
    assert json.loads(e.to_json()) == data
    assert str(e) == e.text() and e.format("markdown") == e.markdown()


def test_a_data_loss_and_a_long_result_as_data():
    d = explain(cars(), wrt="w").to_dict()["derivations"][0]
    assert d["variable"] == "w" and "Σ_{i=1}^{M}" in d["result"]
    assert d["steps"][0]["rule"] == "sum rule" and d["steps"][0]["depth"] == 0
    assert all(s["depth"] >= 1 for s in d["steps"][1:])
    text = "sigmoid(v1*tanh(w1*x + b1) + v2*tanh(w2*x + b2) + v3*tanh(w3*x + b3) + c)^2"
    short = explain(text, wrt="w1").to_dict()["derivations"][0]["short"]
    assert short == {"result": "2*a2**2*v1*x*(1 - a1**2)*(1 - a2)",
                     "with": {"a1": "tanh(b1 + w1*x)",
                              "a2": "sigmoid(a1*v1 + c + v2*tanh(b2 + w2*x) + "
                                    "v3*tanh(b3 + w3*x))"}}
