"""Claimed derivatives from calculus exercise lists, each with its true verdict.

The exercises are the kind of Stewart- or Thomas-style lists a course hands
out: power, product, quotient and chain rules, exp and log (with bases),
trigonometric, inverse trigonometric and hyperbolic functions, partial
derivatives and gradients of functions of two and three variables, and
Hessians. Every function comes with several equivalent right answers
(expanded, factored, rewritten by a trigonometric identity or a log rule) and
the mistakes students make (a sign, a missing chain-rule factor, a missing
product-rule term, the power rule applied to an exponent, a forgotten log
base, a constant factor, the partial with respect to the other variable).
Then problems whose scale defeats an absolute tolerance (``1e-10*x^2``,
``6.674e-11*x*y``, ``exp(100x)``), claims that differ by a tiny relative
amount (``2.0000001*x``), and claims right on only part of the line.

Everything is in symgd's text syntax (:func:`symgd.parse`). A gradient claim
lists the partials in the alphabetical order of the variables, separated by
top-level commas; a Hessian claim separates rows by ``;``.

``expected`` is the truth, ``"right"`` or ``"wrong"``: right means that the
claim equals the true derivative at every point of f's real domain (where f
and its true derivative are real and finite). It is checked independently of
symgd's checker by ``tests/test_check_corpus.py::test_truth_of_each_case``
(SymPy's ``diff`` and a 30-digit mpmath comparison at points of f's real
domain spread over four and a half orders of magnitude).
"""

from __future__ import annotations

from dataclasses import dataclass

from math import factorial as _factorial

__all__ = ["Case", "CASES", "components"]


@dataclass(frozen=True)
class Case:
    """One claimed derivative."""

    id: str              # unique, "<kind>-<exercise>-<r|w><n>"
    kind: str            # the chapter of the exercise list
    function: str        # f, symgd syntax
    claim: str           # the claimed gradient ("a, b") or Hessian ("a, b; c, d")
    expected: str        # "right" or "wrong"
    hessian: bool = False
    note: str = ""       # which equivalent form, or which mistake

    @property
    def components(self) -> list[str]:
        """The claimed partials (or Hessian entries, row by row)."""
        return components(self.claim)


def components(text: str) -> list[str]:
    """Split at the commas and semicolons outside parentheses.

    >>> components("atan2(y, x), 2x; 1, 0")
    ['atan2(y, x)', '2x', '1', '0']
    """
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch in ",;" and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


# (kind, function, [right forms], [(wrong claim, the mistake)])
_GRADIENTS: list[tuple[str, str, list[str], list[tuple[str, str]]]] = [
    # ----------------------------------------------------------- power rule
    ("power", "x^5", ["5x^4", "5*x*x*x*x", "5*x^5/x"],
     [("4x^5", "exponent as factor, kept exponent"), ("x^4", "constant factor"),
      ("5x^6", "exponent raised")]),
    ("power", "1/x^2", ["-2/x^3", "-2x^(-3)", "-2*x^(-2)/x"],
     [("2/x^3", "sign"), ("-2/x", "power rule on the denominator only"),
      ("-1/x^3", "constant factor")]),
    ("power", "sqrt(x)", ["1/(2sqrt(x))", "x^(-1/2)/2", "sqrt(x)/(2x)"],
     [("1/sqrt(x)", "constant factor"), ("-1/(2sqrt(x))", "sign"),
      ("2/3*x^(3/2)", "antiderivative instead")]),
    ("power", "3x^4 - 2x^2 + 7x - 5", ["12x^3 - 4x + 7", "x*(12x^2 - 4) + 7",
                                        "4(3x^3 - x) + 7"],
     [("12x^3 - 4x + 2", "constant term kept"), ("12x^3 - 4x", "linear term dropped"),
      ("12x^3 + 4x + 7", "sign of one term")]),
    ("power", "x^(2/3)", ["2/(3x^(1/3))", "(2/3)*x^(-1/3)", "2*x^(2/3)/(3x)"],
     [("(2/3)*x^(1/3)", "exponent not lowered"), ("(3/2)*x^(-1/3)", "inverted factor")]),
    ("power", "x^3 + x^(-1)", ["3x^2 - 1/x^2", "(3x^4 - 1)/x^2"],
     [("3x^2 + 1/x^2", "sign"), ("3x^2 - 1/x", "power rule on -1 not applied")]),
    ("power", "(2x)^3", ["24x^2", "3*(2x)^2*2"],
     [("3*(2x)^2", "missing chain factor 2"), ("6x^2", "only x^3 differentiated")]),
    # ------------------------------------------ exponentials vs power rule
    ("exp-log", "2^x", ["2^x*log(2)", "log(2)*exp(x*log(2))"],
     [("x*2^(x-1)", "power rule applied to an exponent"), ("2^x", "log factor forgotten")]),
    ("exp-log", "10^x", ["10^x*log(10)", "log(10)*10^x"],
     [("x*10^(x-1)", "power rule applied to an exponent"),
      ("10^x/log(10)", "log factor inverted")]),
    ("exp-log", "exp(x)", ["exp(x)", "e^x"],
     [("x*exp(x-1)", "power rule applied to an exponent"), ("-exp(x)", "sign")]),
    ("exp-log", "x^x", ["x^x*(log(x) + 1)", "exp(x*log(x))*(1 + log(x))",
                        "x^x*log(x) + x^x"],
     [("x*x^(x-1)", "power rule applied to an exponent"),
      ("x^x*log(x)", "exponential rule only")]),
    ("exp-log", "3^(2x)", ["2log(3)*3^(2x)", "log(9)*9^x"],
     [("2x*3^(2x-1)", "power rule applied to an exponent"),
      ("2*3^(2x)", "log factor forgotten")]),
    ("exp-log", "exp(x^2)", ["2x*exp(x^2)", "2x*e^(x^2)"],
     [("x^2*exp(x^2-1)", "power rule applied to an exponent"),
      ("exp(2x)", "derivative of the exponent put in the exponent"),
      ("exp(x^2)", "missing chain factor")]),
    ("exp-log", "log(x)", ["1/x", "x^(-1)"],
     [("-1/x^2", "derivative of 1/x instead"), ("log(x)/x", "extra factor")]),
    ("exp-log", "log(x, 2)", ["1/(x*log(2))", "log2(exp(1))/x", "1/(x*ln(2))"],
     [("1/x", "log base forgotten"), ("log(2)/x", "log factor inverted")]),
    ("exp-log", "log10(x)", ["1/(x*log(10))", "log(exp(1), 10)/x"],
     [("1/x", "log base forgotten"), ("10/x", "base as factor")]),
    ("exp-log", "log(x^3)", ["3/x", "3x^2/x^3"],
     [("1/x^3", "log of a power"), ("1/(3x)", "inverted factor")]),
    ("exp-log", "log(sqrt(x))", ["1/(2x)", "1/(2sqrt(x))/sqrt(x)"],
     [("1/sqrt(x)", "missing chain factor"), ("1/(2sqrt(x))", "log dropped")]),
    ("exp-log", "log(x/(x+1))", ["1/x - 1/(x+1)", "1/(x*(x+1))", "1/(x^2 + x)"],
     [("1/x + 1/(x+1)", "log of a quotient, sign"), ("(x+1)/x", "chain factor missing")]),
    ("exp-log", "x^2*exp(-x)", ["(2x - x^2)*exp(-x)", "x*(2-x)*exp(-x)",
                                "2x*exp(-x) - x^2*exp(-x)"],
     [("-2x*exp(-x)", "product of the derivatives"),
      ("(2x + x^2)*exp(-x)", "sign of the chain factor")]),
    ("exp-log", "exp(x)*log(x)", ["exp(x)*log(x) + exp(x)/x", "exp(x)*(log(x) + 1/x)"],
     [("exp(x)/x", "product of the derivatives"),
      ("exp(x)*log(x)", "missing product-rule term")]),
    ("exp-log", "log(log(x))", ["1/(x*log(x))", "1/log(x)/x"],
     [("1/log(x)", "missing chain factor"), ("log(x)/x", "inverted")]),
    ("exp-log", "log(x^2 + 1)", ["2x/(x^2 + 1)", "2x/(1 + x^2)"],
     [("1/(x^2 + 1)", "missing chain factor"), ("2x/(x^2 + 1)^2", "extra power")]),
    # ------------------------------------------------------- product rule
    ("product", "x^2*sin(x)", ["2x*sin(x) + x^2*cos(x)", "x*(2sin(x) + x*cos(x))"],
     [("2x*cos(x)", "product of the derivatives"), ("x^2*cos(x)", "missing product-rule term"),
      ("2x*sin(x)", "missing product-rule term"),
      ("2x*sin(x) - x^2*cos(x)", "sign of one term")]),
    ("product", "x*exp(x)", ["exp(x) + x*exp(x)", "(1 + x)*exp(x)"],
     [("exp(x)", "missing product-rule term"), ("x*exp(x)", "missing product-rule term")]),
    ("product", "x*log(x)", ["log(x) + 1", "log(exp(1)*x)", "log(x) + x/x"],
     [("1/x", "product of the derivatives"), ("log(x)", "missing product-rule term")]),
    ("product", "exp(x)*cos(x)", ["exp(x)*(cos(x) - sin(x))",
                                  "exp(x)*cos(x) - exp(x)*sin(x)",
                                  "sqrt(2)*exp(x)*cos(x + pi/4)"],
     [("-exp(x)*sin(x)", "product of the derivatives"),
      ("exp(x)*(cos(x) + sin(x))", "sign of one term")]),
    ("product", "(x^2 + 1)*(x^3 - x)", ["5x^4 - 1", "2x*(x^3 - x) + (x^2 + 1)*(3x^2 - 1)"],
     [("2x*(3x^2 - 1)", "product of the derivatives"), ("5x^4 - 2x^2 - 1", "expansion slip")]),
    ("product", "sin(x)*cos(x)", ["cos(x)^2 - sin(x)^2", "cos(2x)", "1 - 2sin(x)^2",
                                  "2cos(x)^2 - 1"],
     [("-sin(x)*cos(x)", "product of the derivatives"),
      ("cos(x)^2 + sin(x)^2", "sign of one term"), ("sin(2x)", "identity misremembered")]),
    ("product", "x*sqrt(x + 1)", ["sqrt(x + 1) + x/(2sqrt(x + 1))",
                                  "(3x + 2)/(2sqrt(x + 1))"],
     [("1/(2sqrt(x + 1))", "product of the derivatives"),
      ("sqrt(x + 1) + x/sqrt(x + 1)", "constant factor in one term")]),
    ("product", "x*atan(x)", ["atan(x) + x/(1 + x^2)"],
     [("1/(1 + x^2)", "product of the derivatives"), ("atan(x)", "missing product-rule term")]),
    # ------------------------------------------------------ quotient rule
    ("quotient", "sin(x)/x", ["cos(x)/x - sin(x)/x^2", "(x*cos(x) - sin(x))/x^2"],
     [("(sin(x) - x*cos(x))/x^2", "sign (numerator terms swapped)"),
      ("cos(x)", "quotient of the derivatives"), ("cos(x)/x", "missing term")]),
    ("quotient", "x/(x + 1)", ["1/(x + 1)^2", "((x + 1) - x)/(x + 1)^2"],
     [("-1/(x + 1)^2", "sign"), ("1/(x + 1)", "denominator not squared"),
      ("(2x + 1)/(x + 1)^2", "sign in the quotient rule")]),
    ("quotient", "(x^2 - 1)/(x^2 + 1)", ["4x/(x^2 + 1)^2",
                                         "(2x*(x^2 + 1) - 2x*(x^2 - 1))/(x^2 + 1)^2"],
     [("-4x/(x^2 + 1)^2", "sign"), ("1", "quotient of the derivatives")]),
    ("quotient", "tan(x)", ["sec(x)^2", "1/cos(x)^2", "1 + tan(x)^2"],
     [("-1/cos(x)^2", "sign"), ("sec(x)*tan(x)", "derivative of sec instead")]),
    ("quotient", "2/(1 - x^2)", ["4x/(1 - x^2)^2", "4x/((1 - x)^2*(1 + x)^2)",
                                 "1/(1 - x)^2 - 1/(1 + x)^2"],
     [("-4x/(1 - x^2)^2", "sign"), ("-2/(1 - x^2)^2", "missing chain factor")]),
    ("quotient", "exp(x)/x", ["exp(x)*(x - 1)/x^2", "exp(x)/x - exp(x)/x^2"],
     [("exp(x)*(1 - x)/x^2", "sign"), ("exp(x)", "quotient of the derivatives")]),
    ("quotient", "(3x + 2)/(2x - 1)", ["-7/(2x - 1)^2", "(3(2x - 1) - 2(3x + 2))/(2x - 1)^2"],
     [("7/(2x - 1)^2", "sign"), ("3/2", "quotient of the derivatives")]),
    # --------------------------------------------------------- chain rule
    ("chain", "sin(x^2)", ["2x*cos(x^2)", "cos(x^2)*2*x"],
     [("cos(x^2)", "missing chain factor"), ("cos(2x)", "derivative put inside"),
      ("-2x*cos(x^2)", "sign")]),
    ("chain", "(3x + 1)^5", ["15(3x + 1)^4", "5*(3x + 1)^4*3"],
     [("5(3x + 1)^4", "missing chain factor"), ("15(3x + 1)^5", "exponent not lowered")]),
    ("chain", "exp(2x)", ["2exp(2x)", "2*exp(x)^2", "2*e^(2x)"],
     [("exp(2x)", "missing chain factor"),
      ("2x*exp(2x - 1)", "power rule applied to an exponent")]),
    ("chain", "sqrt(1 + x^2)", ["x/sqrt(1 + x^2)", "x*(1 + x^2)^(-1/2)"],
     [("1/(2sqrt(1 + x^2))", "missing chain factor"), ("2x/sqrt(1 + x^2)", "constant factor")]),
    ("chain", "cos(3x)^2", ["-6cos(3x)*sin(3x)", "-3sin(6x)"],
     [("-2cos(3x)*sin(3x)", "missing inner chain factor"), ("6cos(3x)*sin(3x)", "sign"),
      ("2cos(3x)", "outer derivative only")]),
    ("chain", "log(cos(x))", ["-tan(x)", "-sin(x)/cos(x)"],
     [("1/cos(x)", "missing chain factor"), ("tan(x)", "sign")]),
    ("chain", "exp(sin(x))", ["cos(x)*exp(sin(x))"],
     [("exp(sin(x))", "missing chain factor"), ("exp(cos(x))", "derivative put inside")]),
    ("chain", "sin(cos(x))", ["-sin(x)*cos(cos(x))"],
     [("cos(cos(x))", "missing chain factor"), ("sin(x)*cos(cos(x))", "sign")]),
    ("chain", "(x^2 + 1)^10", ["20x*(x^2 + 1)^9", "10*(x^2 + 1)^9*2x"],
     [("10(x^2 + 1)^9", "missing chain factor"), ("20x*(x^2 + 1)^10", "exponent not lowered")]),
    ("chain", "1/(1 + exp(-x))", ["exp(-x)/(1 + exp(-x))^2",
                                  "1/(1 + exp(-x)) - 1/(1 + exp(-x))^2",
                                  "1/(4cosh(x/2)^2)", "sigmoid(x)*(1 - sigmoid(x))"],
     [("-exp(-x)/(1 + exp(-x))^2", "sign of the chain factor"),
      ("1/(1 + exp(-x))^2", "missing chain factor")]),
    ("chain", "sin(2x + 1)^3", ["6sin(2x + 1)^2*cos(2x + 1)"],
     [("3sin(2x + 1)^2*cos(2x + 1)", "missing chain factor"),
      ("3cos(2x + 1)^2", "power of the derivative")]),
    ("chain", "sqrt(sin(x)^2 + 1)", ["sin(x)*cos(x)/sqrt(sin(x)^2 + 1)",
                                     "sin(2x)/(2sqrt(sin(x)^2 + 1))"],
     [("cos(x)/sqrt(sin(x)^2 + 1)", "missing chain factor"),
      ("1/(2sqrt(sin(x)^2 + 1))", "outer derivative only")]),
    # ------------------------------------------------------------- trig
    ("trig", "sin(x)", ["cos(x)", "sin(x + pi/2)"], [("-cos(x)", "sign")]),
    ("trig", "cos(x)", ["-sin(x)", "cos(x + pi/2)"], [("sin(x)", "sign")]),
    ("trig", "sec(x)", ["sec(x)*tan(x)", "sin(x)/cos(x)^2"],
     [("sec(x)^2", "derivative of tan instead"), ("-sec(x)*tan(x)", "sign")]),
    ("trig", "csc(x)", ["-csc(x)*cot(x)", "-cos(x)/sin(x)^2"],
     [("csc(x)*cot(x)", "sign")]),
    ("trig", "cot(x)", ["-csc(x)^2", "-1/sin(x)^2", "-(1 + cot(x)^2)"],
     [("csc(x)^2", "sign"), ("-sec(x)^2", "derivative of -tan instead")]),
    ("trig", "sin(x)^2", ["2sin(x)*cos(x)", "sin(2x)"],
     [("2sin(x)", "missing chain factor"), ("cos(x)^2", "power rule skipped"),
      ("2cos(x)", "derivative of the inside only")]),
    ("trig", "sin(x)^2 + cos(x)^2", ["0", "2sin(x)*cos(x) - 2cos(x)*sin(x)"],
     [("4sin(x)*cos(x)", "sign of one term")]),
    ("trig", "tan(2x)", ["2sec(2x)^2", "2/cos(2x)^2", "2(1 + tan(2x)^2)"],
     [("sec(2x)^2", "missing chain factor"), ("2sec(x)^2", "argument changed")]),
    ("trig", "x*sin(1/x)", ["sin(1/x) - cos(1/x)/x"],
     [("sin(1/x) + cos(1/x)/x", "sign of the chain factor"),
      ("cos(1/x)", "product of the derivatives")]),
    ("trig", "cos(x)^3", ["-3cos(x)^2*sin(x)", "-3sin(x)*(1 - sin(x)^2)"],
     [("3cos(x)^2*sin(x)", "sign"), ("-3cos(x)^2", "missing chain factor")]),
    # ---------------------------------------------------- inverse trig
    ("inverse-trig", "asin(x)", ["1/sqrt(1 - x^2)", "(1 - x^2)^(-1/2)"],
     [("-1/sqrt(1 - x^2)", "sign (derivative of acos)"),
      ("1/sqrt(1 + x^2)", "derivative of asinh instead")]),
    ("inverse-trig", "acos(x)", ["-1/sqrt(1 - x^2)"], [("1/sqrt(1 - x^2)", "sign")]),
    ("inverse-trig", "atan(x)", ["1/(1 + x^2)", "1/(x^2 + 1)"],
     [("-1/(1 + x^2)", "sign"), ("1/(1 - x^2)", "sign inside")]),
    ("inverse-trig", "atan(2x)", ["2/(1 + 4x^2)", "2/(1 + (2x)^2)"],
     [("1/(1 + 4x^2)", "missing chain factor"), ("2/(1 + 2x^2)", "square of 2x")]),
    ("inverse-trig", "asin(x^2)", ["2x/sqrt(1 - x^4)"],
     [("1/sqrt(1 - x^4)", "missing chain factor"), ("2x/sqrt(1 - x^2)", "inner not squared")]),
    ("inverse-trig", "atan(1/x)", ["-1/(1 + x^2)", "-1/(x^2*(1 + 1/x^2))"],
     [("1/(1 + 1/x^2)", "missing chain factor"), ("1/(1 + x^2)", "sign")]),
    ("inverse-trig", "asin(x) + acos(x)", ["0"], [("2/sqrt(1 - x^2)", "sign of one term")]),
    ("inverse-trig", "atan(sqrt(x))", ["1/(2sqrt(x)*(1 + x))"],
     [("1/(1 + x)", "missing chain factor"), ("1/(2sqrt(x)*(1 + x^2))", "inner squared")]),
    # ------------------------------------------------------- hyperbolic
    ("hyperbolic", "sinh(x)", ["cosh(x)", "(exp(x) + exp(-x))/2"],
     [("-cosh(x)", "sign"), ("sinh(x)", "no derivative")]),
    ("hyperbolic", "cosh(x)", ["sinh(x)", "(exp(x) - exp(-x))/2"],
     [("-sinh(x)", "sign (as for cos)")]),
    ("hyperbolic", "tanh(x)", ["1 - tanh(x)^2", "1/cosh(x)^2"],
     [("1 + tanh(x)^2", "sign (as for tan)"), ("-1/cosh(x)^2", "sign")]),
    ("hyperbolic", "asinh(x)", ["1/sqrt(x^2 + 1)"],
     [("1/sqrt(x^2 + 2)", "constant inside"), ("-1/sqrt(x^2 + 1)", "sign")]),
    ("hyperbolic", "acosh(x)", ["1/sqrt(x^2 - 1)", "1/(sqrt(x - 1)*sqrt(x + 1))"],
     [("-1/sqrt(x^2 - 1)", "sign"), ("1/sqrt(x^2 + 1)", "derivative of asinh instead")]),
    ("hyperbolic", "atanh(x)", ["1/(1 - x^2)"], [("1/(1 + x^2)", "derivative of atan instead")]),
    ("hyperbolic", "cosh(x)^2 - sinh(x)^2", ["0"],
     [("4sinh(x)*cosh(x)", "sign of one term")]),
    ("hyperbolic", "sinh(2x)", ["2cosh(2x)", "2(cosh(x)^2 + sinh(x)^2)"],
     [("cosh(2x)", "missing chain factor")]),
    ("hyperbolic", "log(cosh(x))", ["tanh(x)", "sinh(x)/cosh(x)"],
     [("1/cosh(x)", "missing chain factor"), ("-tanh(x)", "sign")]),
    # ------------------------------------------------- two variables
    ("partial", "x^2*y + y^3", ["2x*y, x^2 + 3y^2"],
     [("2x, x^2 + 3y^2", "y treated as 1"), ("x^2 + 3y^2, 2x*y", "partials exchanged"),
      ("2x*y, 3y^2", "missing term")]),
    ("partial", "x*exp(x*y)", ["exp(x*y)*(1 + x*y), x^2*exp(x*y)",
                               "exp(x*y) + x*y*exp(x*y), x*x*exp(x*y)"],
     [("exp(x*y), x^2*exp(x*y)", "missing product-rule term"),
      ("exp(x*y)*(1 + x*y), x*exp(x*y)", "missing chain factor")]),
    ("partial", "sin(x*y)", ["y*cos(x*y), x*cos(x*y)"],
     [("cos(x*y), cos(x*y)", "missing chain factor"),
      ("x*cos(x*y), y*cos(x*y)", "partial with respect to the other variable")]),
    ("partial", "sqrt(x^2 + y^2)", ["x/sqrt(x^2 + y^2), y/sqrt(x^2 + y^2)"],
     [("1/(2sqrt(x^2 + y^2)), 1/(2sqrt(x^2 + y^2))", "missing chain factor"),
      ("y/sqrt(x^2 + y^2), x/sqrt(x^2 + y^2)", "partial with respect to the other variable")]),
    ("partial", "log(x^2 + y^2)", ["2x/(x^2 + y^2), 2y/(x^2 + y^2)"],
     [("1/(x^2 + y^2), 1/(x^2 + y^2)", "missing chain factor"),
      ("2x/(x^2 + y^2), 2x/(x^2 + y^2)", "same partial twice")]),
    ("partial", "exp(-(x^2 + y^2))", ["-2x*exp(-x^2 - y^2), -2y*exp(-x^2 - y^2)"],
     [("2x*exp(-x^2 - y^2), 2y*exp(-x^2 - y^2)", "sign of the chain factor")]),
    ("partial", "x/y", ["1/y, -x/y^2"],
     [("1/y, x/y^2", "sign"), ("-x/y^2, 1/y", "partial with respect to the other variable")]),
    ("partial", "x^y", ["y*x^(y - 1), x^y*log(x)"],
     [("y*x^(y - 1), y*x^(y - 1)", "power rule applied to an exponent"),
      ("y*x^(y - 1), x^y", "log factor forgotten")]),
    ("partial", "(x + y)^2", ["2(x + y), 2(x + y)", "2x + 2y, 2y + 2x"],
     [("2x, 2y", "cross term dropped")]),
    ("partial", "atan(y/x)", ["-y/(x^2 + y^2), x/(x^2 + y^2)"],
     [("y/(x^2 + y^2), -x/(x^2 + y^2)", "sign"),
      ("x/(x^2 + y^2), -y/(x^2 + y^2)", "partial with respect to the other variable")]),
    ("partial", "(1 - x)^2 + 100(y - x^2)^2",
     ["-2(1 - x) - 400x*(y - x^2), 200(y - x^2)", "400x^3 - 400x*y + 2x - 2, 200y - 200x^2"],
     [("2(1 - x) - 400x*(y - x^2), 200(y - x^2)", "sign of the chain factor"),
      ("-2(1 - x) - 200x*(y - x^2), 200(y - x^2)", "missing chain factor 2x"),
      ("-2(1 - x) + 400x*(y - x^2), 200(y - x^2)", "sign of one term")]),
    ("partial", "x^0.3*y^0.7", ["0.3x^(-0.7)*y^0.7, 0.7x^0.3*y^(-0.3)",
                                "0.3*x^0.3*y^0.7/x, 0.7*x^0.3*y^0.7/y"],
     [("0.3x^(-0.7), 0.7y^(-0.3)", "other factor dropped"),
      ("0.3x^(-0.7)*y^0.7, 0.3x^0.3*y^(-0.3)", "wrong exponent as factor")]),
    ("partial", "log(exp(x) + exp(y))",
     ["exp(x)/(exp(x) + exp(y)), exp(y)/(exp(x) + exp(y))",
      "1/(1 + exp(y - x)), 1/(1 + exp(x - y))"],
     [("1/(exp(x) + exp(y)), 1/(exp(x) + exp(y))", "missing chain factor"),
      ("exp(y)/(exp(x) + exp(y)), exp(x)/(exp(x) + exp(y))", "partials exchanged")]),
    ("partial", "x^3*y^2 - 4x*y", ["3x^2*y^2 - 4y, 2x^3*y - 4x", "y*(3x^2*y - 4), x*(2x^2*y - 4)"],
     [("3x^2*y^2 - 4, 2x^3*y - 4", "other variable dropped"),
      ("6x^2*y, 6x^2*y", "mixed partial instead")]),
    ("partial", "sin(x)*cos(y)", ["cos(x)*cos(y), -sin(x)*sin(y)"],
     [("cos(x)*cos(y), sin(x)*sin(y)", "sign"), ("cos(x)*(-sin(y)), 0", "second partial zero")]),
    ("partial", "x*log(y) + y*log(x)", ["log(y) + y/x, x/y + log(x)"],
     [("1/y + 1/x, 1/y + 1/x", "derivatives of the logs only"),
      ("log(y) + y/x, x/y", "missing term")]),
    # ----------------------------------------------- three variables
    ("gradient-3", "x^2 + y^2 + z^2", ["2x, 2y, 2z", "2*x, 2*y, 2*z"],
     [("2x, 2y, z^2", "one partial not taken"), ("x, y, z", "constant factor")]),
    ("gradient-3", "x*y*z", ["y*z, x*z, x*y"],
     [("y*z, x*z, x*y*z", "one partial not taken"), ("1, 1, 1", "product rule as a sum")]),
    ("gradient-3", "x^2*y + y*z^2 + x*z", ["2x*y + z, x^2 + z^2, 2y*z + x"],
     [("2x*y, x^2 + z^2, 2y*z", "terms in two variables dropped"),
      ("2x*y + z, x^2 + z^2, 2y*z - x", "sign of one term")]),
    ("gradient-3", "exp(x + 2y - z)", ["exp(x + 2y - z), 2exp(x + 2y - z), -exp(x + 2y - z)"],
     [("exp(x + 2y - z), exp(x + 2y - z), exp(x + 2y - z)", "missing chain factors")]),
    ("gradient-3", "sin(x)*cos(y) + z", ["cos(x)*cos(y), -sin(x)*sin(y), 1"],
     [("cos(x)*cos(y), -sin(x)*sin(y), z", "derivative of z is 1"),
      ("cos(x)*cos(y), sin(x)*sin(y), 1", "sign")]),
    ("gradient-3", "sqrt(x^2 + y^2 + z^2)",
     ["x/sqrt(x^2 + y^2 + z^2), y/sqrt(x^2 + y^2 + z^2), z/sqrt(x^2 + y^2 + z^2)"],
     [("x/(x^2 + y^2 + z^2), y/(x^2 + y^2 + z^2), z/(x^2 + y^2 + z^2)", "square root lost")]),
    ("gradient-3", "x*exp(y*z)", ["exp(y*z), x*z*exp(y*z), x*y*exp(y*z)"],
     [("exp(y*z), x*exp(y*z), x*exp(y*z)", "missing chain factors"),
      ("exp(y*z), x*y*exp(y*z), x*z*exp(y*z)", "partial with respect to the other variable")]),
    ("gradient-3", "log(x*y*z)", ["1/x, 1/y, 1/z", "y*z/(x*y*z), x*z/(x*y*z), x*y/(x*y*z)"],
     [("1/(x*y*z), 1/(x*y*z), 1/(x*y*z)", "missing chain factor")]),
    # ------------------------------- scaled: small or large derivatives
    ("scaled", "1e-10*x^2", ["2e-10*x", "2*10^(-10)*x"],
     [("-2e-10*x", "sign, derivative of size 1e-10"),
      ("1e-10*x", "constant factor, derivative of size 1e-10")]),
    ("scaled", "6.674e-11*x*y", ["6.674e-11*y, 6.674e-11*x"],
     [("-6.674e-11*y, -6.674e-11*x", "both signs, gravitational constant"),
      ("6.674e-11*x, 6.674e-11*y", "partials exchanged, gravitational constant")]),
    ("scaled", "-6.674e-11/x", ["6.674e-11/x^2"], [("-6.674e-11/x^2", "sign")]),
    ("scaled", "exp(100x)", ["100exp(100x)", "100*exp(50x)^2"],
     [("-100exp(100x)", "sign"), ("exp(100x)", "missing chain factor 100")]),
    ("scaled", "1e10*x^2", ["2e10*x"], [("2e10*x + 1", "constant term of relative size 1e-10")]),
    ("scaled", "1e-8*sin(x)", ["1e-8*cos(x)"], [("-1e-8*cos(x)", "sign, size 1e-8")]),
    ("scaled", "6.626e-34*x^3", ["1.9878e-33*x^2"],
     [("6.626e-34*x^2", "exponent not brought down, size 1e-33")]),
    ("scaled", "1e-20*x^2 + y", ["2e-20*x, 1"], [("0, 1", "small partial dropped")]),
    ("scaled", "x^2", ["2x"], [("2.0000001*x", "relative difference 5e-8"),
                               ("2x + 1e-12", "constant term 1e-12")]),
    ("scaled", "sin(x)", ["cos(x)"],
     [("1 - x^2/2 + x^4/24 - x^6/720 + x^8/40320", "Taylor polynomial of degree 8"),
      (" + ".join(f"(-1)^{k}*x^{2 * k}/{_factorial(2 * k)}" for k in range(11)),
       "Taylor polynomial of degree 20")]),
    # -------------------------------------- right on part of the line only
    ("domain", "log(x)", ["1/abs(x)"], []),        # right wherever log is real
    ("domain", "log(x^2)", ["2/x"], [("2/abs(x)", "right for x > 0 only")]),
    ("domain", "sqrt(x^2)", ["x/abs(x)", "x/sqrt(x^2)"], [("1", "right for x > 0 only")]),
    ("domain", "abs(x)", ["x/abs(x)", "abs(x)/x"], [("1", "right for x > 0 only")]),
    ("domain", "acos(cos(x))", [], [("x/abs(x)", "right for |x| < pi only"),
                                    ("1", "right for 0 < x < pi only")]),
    ("domain", "asin(sin(x))", [], [("1", "right for |x| < pi/2 only")]),
    ("domain", "atan(tan(x))", ["1"], []),
    ("domain", "log(abs(x))", ["1/x"], [("1/abs(x)", "right for x > 0 only")]),
    ("domain", "sqrt(x)^2", ["1"], []),
    ("domain", "exp(log(x))", ["1"], []),
]

# (kind, function, right Hessians, wrong Hessians with the mistake)
_HESSIANS: list[tuple[str, str, list[str], list[tuple[str, str]]]] = [
    ("hessian", "x^2 + x*y + y^2", ["2, 1; 1, 2"],
     [("2, 0; 0, 2", "mixed partials dropped"), ("2, 2; 2, 2", "mixed partial doubled")]),
    ("hessian", "3x^2 - 2x*y + 5y^2", ["6, -2; -2, 10"],
     [("6, 2; 2, 10", "sign of the mixed partial")]),
    ("hessian", "x^2*y + y^3", ["2y, 2x; 2x, 6y"],
     [("2y, 2x; 2x, 3y^2", "second partial not taken")]),
    ("hessian", "exp(x*y)", ["y^2*exp(x*y), (1 + x*y)*exp(x*y); (1 + x*y)*exp(x*y), x^2*exp(x*y)"],
     [("y^2*exp(x*y), x*y*exp(x*y); x*y*exp(x*y), x^2*exp(x*y)",
       "product rule in the mixed entry")]),
    ("hessian", "sin(x)*cos(y)", ["-sin(x)*cos(y), -cos(x)*sin(y); -cos(x)*sin(y), -sin(x)*cos(y)"],
     [("-sin(x)*cos(y), cos(x)*sin(y); cos(x)*sin(y), -sin(x)*cos(y)", "sign of the mixed entry")]),
    ("hessian", "(1 - x)^2 + 100(y - x^2)^2",
     ["1200x^2 - 400y + 2, -400x; -400x, 200"],
     [("1200x^2 - 400y + 2, -400x; -400x, 100", "constant factor"),
      ("800x^2 - 400y + 2, -400x; -400x, 200", "product rule term missing")]),
    ("hessian", "x^2 + y^2 + z^2", ["2, 0, 0; 0, 2, 0; 0, 0, 2"],
     [("2, 2, 2; 2, 2, 2; 2, 2, 2", "mixed partials nonzero")]),
    ("hessian", "x*y*z", ["0, z, y; z, 0, x; y, x, 0"],
     [("0, y, z; y, 0, x; z, x, 0", "mixed partials exchanged")]),
    ("hessian", "x^2 + 2y^2 + 3z^2 + x*y - y*z", ["2, 1, 0; 1, 4, -1; 0, -1, 6"],
     [("2, 1, 0; 1, 4, 1; 0, 1, 6", "sign of a mixed entry"),
      ("1, 1, 0; 1, 2, -1; 0, -1, 3", "constant factor on the diagonal")]),
    ("hessian", "log(x^2 + y^2)",
     ["2(y^2 - x^2)/(x^2 + y^2)^2, -4x*y/(x^2 + y^2)^2; "
      "-4x*y/(x^2 + y^2)^2, 2(x^2 - y^2)/(x^2 + y^2)^2"],
     [("2/(x^2 + y^2), 0; 0, 2/(x^2 + y^2)", "quotient rule skipped")]),
    ("hessian", "x^4 + y^4", ["12x^2, 0; 0, 12y^2"], [("4x^3, 0; 0, 4y^3", "first derivative")]),
    ("hessian", "x^3 - 3x*y^2", ["6x, -6y; -6y, -6x"], [("6x, -6y; -6y, 6x", "sign")]),
    ("hessian", "exp(x)*sin(y)", ["exp(x)*sin(y), exp(x)*cos(y); exp(x)*cos(y), -exp(x)*sin(y)"],
     [("exp(x)*sin(y), exp(x)*cos(y); exp(x)*cos(y), exp(x)*sin(y)", "sign of sin''")]),
    ("hessian", "1e-10*(x^2 + y^2)", ["2e-10, 0; 0, 2e-10"],
     [("-2e-10, 0; 0, -2e-10", "sign, size 1e-10")]),
    ("hessian", "sqrt(x^2 + y^2)",
     ["y^2/(x^2 + y^2)^(3/2), -x*y/(x^2 + y^2)^(3/2); "
      "-x*y/(x^2 + y^2)^(3/2), x^2/(x^2 + y^2)^(3/2)"],
     [("1/sqrt(x^2 + y^2), 0; 0, 1/sqrt(x^2 + y^2)", "quotient rule skipped")]),
]


def _build() -> tuple[Case, ...]:
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for table, hessian in ((_GRADIENTS, False), (_HESSIANS, True)):
        for kind, function, rights, wrongs in table:
            seen[kind] = seen.get(kind, 0) + 1
            stem = f"{kind}-{seen[kind]}"
            for n, claim in enumerate(rights, 1):
                cases.append(Case(f"{stem}-r{n}", kind, function, claim, "right", hessian,
                                  "equivalent form"))
            for n, (claim, note) in enumerate(wrongs, 1):
                cases.append(Case(f"{stem}-w{n}", kind, function, claim, "wrong", hessian,
                                  note))
    return tuple(cases)


CASES: tuple[Case, ...] = _build()
