"""Functions of SciPy's global-optimisation benchmark suite, as symgd text.

The source is ``benchmarks/benchmarks/go_benchmark_functions/go_funcs_*.py``
in the scipy/scipy repository: each class there has ``fun(self, x)``,
``_bounds``, ``global_optimum`` and ``fglob``. Every entry below keeps the
class name and file, the bounds, the published global optimum (the first one
listed) and ``fglob``, and holds the function twice:

* ``text``: the transcription into symgd's syntax (what the tests analyse);
* ``numpy``: ``fun`` re-implemented in NumPy by copying the formula of the
  SciPy source, with ``x`` an array; it is the independent oracle that
  catches a transcription error (the tests compare the two at random points
  in the bounds to 1e-12 relative).

``interior`` is False where the published optimum lies on the boundary of
the box (not a stationary point). ``unique`` marks the 2-D functions whose global minimum is unique and an
interior stationary point of the box (not on its boundary), so that a
stationary-point search over the bounds must find it and call it a minimum.
``smooth`` is False for functions with ``abs`` (differentiable away from a
set of measure zero, where the Hessian involves ``sign``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy import abs, arange, cos, exp, log, pi, prod, sin, sqrt, sum, tan  # noqa: A004

__all__ = ["Benchmark", "CORPUS"]


@dataclass(frozen=True)
class Benchmark:
    """One SciPy benchmark function and its transcription."""

    name: str                   # the SciPy class
    source: str                 # the file in go_benchmark_functions/
    text: str                   # symgd's syntax; variables x, y (2-D) or x1..xn
    numpy: Callable[[np.ndarray], float]   # SciPy's fun, copied
    bounds: tuple               # (low, high) per variable, SciPy's _bounds
    optimum: tuple              # SciPy's global_optimum[0]
    fglob: float                # SciPy's fglob
    unique: bool = False        # 2-D, one global minimum, interior stationary point
    smooth: bool = True         # no abs/sign in the expression
    fglob_tol: float = 1e-6     # the precision to which optimum and fglob are published
    optimum_tol: float = 1e-4   # the precision of the published optimum's position
    interior: bool = True       # the optimum is a stationary point inside the box
    costly: str = ""            # why the stationary-point search is skipped, if it is

    @property
    def n(self) -> int:
        return len(self.bounds)


def _box(low: float, high: float, n: int) -> tuple:
    return tuple((low, high) for _ in range(n))


_XS = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10"]

# --------------------------------------------------------------- data (copied)

_T10 = [round(0.1 * i, 1) for i in range(1, 11)]           # arange(1, 11.) * 0.1
_T11 = [round(0.1 * i, 1) for i in range(1, 12)]           # arange(1, 12.) * 0.1

_HARTMANN3_A = [[3.0, 10.0, 30.0], [0.1, 10.0, 35.0], [3.0, 10.0, 30.0], [0.1, 10.0, 35.0]]
_HARTMANN3_P = [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470],
                [0.1091, 0.8732, 0.5547], [0.03815, 0.5743, 0.8828]]
_HARTMANN6_A = [[10.0, 3.0, 17.0, 3.5, 1.7, 8.0], [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
                [3.0, 3.5, 1.7, 10.0, 17.0, 8.0], [17.0, 8.0, 0.05, 10.0, 0.1, 14.0]]
_HARTMANN6_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
                [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
                [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
                [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
_HARTMANN_C = [1.0, 1.2, 3.0, 3.2]
_SHEKEL05_A = [[4.0, 4.0, 4.0, 4.0], [1.0, 1.0, 1.0, 1.0], [8.0, 8.0, 8.0, 8.0],
               [6.0, 6.0, 6.0, 6.0], [3.0, 7.0, 3.0, 7.0]]
_SHEKEL05_C = [0.1, 0.2, 0.2, 0.4, 0.4]
_JUDGE_A = [0.286, 0.973, 0.384, 0.276, 0.973, 0.543, 0.957, 0.948, 0.543, 0.797,
            0.936, 0.889, 0.006, 0.828, 0.399, 0.617, 0.939, 0.784, 0.072, 0.889]
_JUDGE_B = [0.645, 0.585, 0.310, 0.058, 0.455, 0.779, 0.259, 0.202, 0.028, 0.099,
            0.142, 0.296, 0.175, 0.180, 0.842, 0.039, 0.103, 0.620, 0.158, 0.704]
_JUDGE_C = [4.284, 4.149, 3.877, 0.533, 2.211, 2.389, 2.145, 3.231, 1.998, 1.379,
            2.106, 1.428, 1.011, 2.179, 2.858, 1.388, 1.651, 1.593, 1.046, 2.152]
_KOWALIK_A_INV = [0.25, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0]
_KOWALIK_B = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342,
              0.0323, 0.0235, 0.0246]
_LANGERMANN = list(zip([3, 5, 2, 1, 7], [5, 2, 1, 4, 9], [1, 2, 5, 2, 3]))   # a, b, c

# ------------------------------------------------------ NumPy forms (copied)


def _biggs_exp05(x):
    t = arange(1, 12.) * 0.1
    y = exp(-t) - 5 * exp(-10 * t) + 3 * exp(-4 * t)
    vec = (x[2] * exp(-t * x[0]) - x[3] * exp(-t * x[1]) + 3 * exp(-t * x[4]) - y) ** 2
    return sum(vec)


def _hartmann(a, p, c):
    a, p, c = np.array(a), np.array(p), np.array(c)

    def fun(x):
        XX = np.atleast_2d(x)
        d = sum(a * (XX - p) ** 2, axis=1)
        return -sum(c * exp(-d))
    return fun


def _hartmann_text(a, p, c, names):
    terms = []
    for ai, pi_, ci in zip(a, p, c):
        d = " + ".join(f"{aij}*({v} - {pij})^2" for aij, pij, v in zip(ai, pi_, names))
        terms.append(f"{ci}*exp(-({d}))")
    return "-(" + " + ".join(terms) + ")"


def _shekel05(x):
    A, C = np.array(_SHEKEL05_A), np.array(_SHEKEL05_C)
    return -sum(1 / (sum((x - A) ** 2, axis=1) + C))


def _judge(x):
    a, b, c = np.array(_JUDGE_A), np.array(_JUDGE_B), np.array(_JUDGE_C)
    return sum(((x[0] + x[1] * a + (x[1] ** 2.0) * b) - c) ** 2.0)


def _kowalik(x):
    a, b = 1.0 / np.array(_KOWALIK_A_INV), np.array(_KOWALIK_B)
    vec = b - (x[0] * (a ** 2 + a * x[1]) / (a ** 2 + a * x[2] + x[3]))
    return sum(vec ** 2)


def _langermann(x):
    a = np.array([3, 5, 2, 1, 7])
    b = np.array([5, 2, 1, 4, 9])
    c = np.array([1, 2, 5, 2, 3])
    return (-sum(c * exp(-(1 / pi) * ((x[0] - a) ** 2 + (x[1] - b) ** 2))
                 * cos(pi * ((x[0] - a) ** 2 + (x[1] - b) ** 2))))


def _mishra09(x):
    a = (2 * x[0] ** 3 + 5 * x[0] * x[1] + 4 * x[2] - 2 * x[0] ** 2 * x[2] - 18)
    b = x[0] + x[1] ** 3 + x[0] * x[1] ** 2 + x[0] * x[2] ** 2 - 22.0
    c = (8 * x[0] ** 2 + 2 * x[1] * x[2] + 2 * x[1] ** 2 + 3 * x[1] ** 3 - 52)
    return (a * c * b ** 2 + a * b * c ** 2 + b ** 2 + (x[0] + x[1] - x[2]) ** 2) ** 2


def _powersum(x):
    b = np.array([8.0, 18.0, 44.0, 114.0])
    k = np.atleast_2d(arange(4) + 1).T
    return sum((sum(x ** k, axis=1) - b) ** 2)


def _goldstein_price(x):
    a = (1 + (x[0] + x[1] + 1) ** 2
         * (19 - 14 * x[0] + 3 * x[0] ** 2 - 14 * x[1] + 6 * x[0] * x[1] + 3 * x[1] ** 2))
    b = (30 + (2 * x[0] - 3 * x[1]) ** 2
         * (18 - 32 * x[0] + 12 * x[0] ** 2 + 48 * x[1] - 36 * x[0] * x[1] + 27 * x[1] ** 2))
    return a * b


def _zacharov(x):
    u = sum(x ** 2)
    v = sum(arange(1, 3) * x)
    return u + (0.5 * v) ** 2 + (0.5 * v) ** 4


# ------------------------------------------------------------------ the corpus

CORPUS: tuple[Benchmark, ...] = (
    # ------------------------------------------------------------- 2-D, unique
    Benchmark(  # Beale, go_funcs_B.py
        "Beale", "go_funcs_B.py",
        "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        lambda x: ((1.5 - x[0] + x[0] * x[1]) ** 2 + (2.25 - x[0] + x[0] * x[1] ** 2) ** 2
                   + (2.625 - x[0] + x[0] * x[1] ** 3) ** 2),
        ((-4.5, 4.5), (-4.5, 4.5)), (3.0, 0.5), 0.0, unique=True),
    Benchmark(  # Cube, go_funcs_C.py
        "Cube", "go_funcs_C.py", "100*(y - x^3)^2 + (1 - x)^2",
        lambda x: 100.0 * (x[1] - x[0] ** 3.0) ** 2.0 + (1.0 - x[0]) ** 2.0,
        ((-10.0, 10.0), (-10.0, 10.0)), (1.0, 1.0), 0.0, unique=True),
    Benchmark(  # EggCrate, go_funcs_E.py
        "EggCrate", "go_funcs_E.py", "x^2 + y^2 + 25*(sin(x)^2 + sin(y)^2)",
        lambda x: x[0] ** 2 + x[1] ** 2 + 25 * (sin(x[0]) ** 2 + sin(x[1]) ** 2),
        ((-5.0, 5.0), (-5.0, 5.0)), (0.0, 0.0), 0.0, unique=True),
    Benchmark(  # ElAttarVidyasagarDutta, go_funcs_E.py
        "ElAttarVidyasagarDutta", "go_funcs_E.py",
        "(x^2 + y - 10)^2 + (x + y^2 - 7)^2 + (x^2 + y^3 - 1)^2",
        lambda x: ((x[0] ** 2 + x[1] - 10) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2
                   + (x[0] ** 2 + x[1] ** 3 - 1) ** 2),
        ((-100.0, 100.0), (-100.0, 100.0)), (3.40918683, -2.17143304), 1.712780354,
        unique=True),
    Benchmark(  # Exp2, go_funcs_E.py
        "Exp2", "go_funcs_E.py",
        " + ".join(f"(exp(-{i}*x/10) - 5*exp(-{i}*y/10) - exp(-{i}/10) + 5*exp(-{i}))^2"
                   for i in range(10)),
        lambda x: sum((exp(-arange(10.) * x[0] / 10.) - 5 * exp(-arange(10.) * x[1] / 10.)
                       - exp(-arange(10.) / 10.) + 5 * exp(-arange(10.))) ** 2),
        ((0.0, 20.0), (0.0, 20.0)), (1.0, 10.0), 0.0, unique=True),
    Benchmark(  # FreudensteinRoth, go_funcs_F.py
        "FreudensteinRoth", "go_funcs_F.py",
        "(-13 + x + ((5 - y)*y - 2)*y)^2 + (-29 + x + ((y + 1)*y - 14)*y)^2",
        lambda x: ((-13.0 + x[0] + ((5.0 - x[1]) * x[1] - 2.0) * x[1]) ** 2
                   + (-29.0 + x[0] + ((x[1] + 1.0) * x[1] - 14.0) * x[1]) ** 2),
        ((-10.0, 10.0), (-10.0, 10.0)), (5.0, 4.0), 0.0, unique=True),
    Benchmark(  # GoldsteinPrice, go_funcs_G.py
        "GoldsteinPrice", "go_funcs_G.py",
        "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
        "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
        _goldstein_price, ((-2.0, 2.0), (-2.0, 2.0)), (0.0, -1.0), 3.0, unique=True),
    Benchmark(  # Hosaki, go_funcs_H.py
        "Hosaki", "go_funcs_H.py",
        "(1 - 8*x + 7*x^2 - 7/3*x^3 + 0.25*x^4)*y^2*exp(-y)",
        lambda x: ((1 - 8 * x[0] + 7 * x[0] ** 2 - 7 / 3. * x[0] ** 3 + 0.25 * x[0] ** 4)
                   * x[1] ** 2 * exp(-x[1])),
        ((0.0, 5.0), (0.0, 6.0)), (4.0, 2.0), -2.3458115, unique=True),
    Benchmark(  # JennrichSampson, go_funcs_J.py
        "JennrichSampson", "go_funcs_J.py",
        " + ".join(f"(2 + 2*{i} - (exp({i}*x) + exp({i}*y)))^2" for i in range(1, 11)),
        lambda x: sum((2 + 2 * arange(1, 11) - (exp(arange(1, 11) * x[0])
                                                 + exp(arange(1, 11) * x[1]))) ** 2),
        ((-1.0, 1.0), (-1.0, 1.0)), (0.257825, 0.257825), 124.3621824, unique=True),
    Benchmark(  # Judge, go_funcs_J.py
        "Judge", "go_funcs_J.py",
        " + ".join(f"(x + y*{a} + y^2*{b} - {c})^2" for a, b, c in zip(_JUDGE_A, _JUDGE_B, _JUDGE_C)),
        _judge, ((-10.0, 10.0), (-10.0, 10.0)), (0.86479, 1.2357), 16.0817307, unique=True),
    Benchmark(  # Leon, go_funcs_L.py
        "Leon", "go_funcs_L.py", "100*(y - x^2)^2 + (1 - x)^2",
        lambda x: 100. * (x[1] - x[0] ** 2.0) ** 2.0 + (1 - x[0]) ** 2.0,
        ((-1.2, 1.2), (-1.2, 1.2)), (1.0, 1.0), 0.0, unique=True),
    Benchmark(  # Matyas, go_funcs_M.py
        "Matyas", "go_funcs_M.py", "0.26*(x^2 + y^2) - 0.48*x*y",
        lambda x: 0.26 * (x[0] ** 2 + x[1] ** 2) - 0.48 * x[0] * x[1],
        ((-10.0, 10.0), (-10.0, 10.0)), (0.0, 0.0), 0.0, unique=True),
    Benchmark(  # McCormick, go_funcs_M.py
        "McCormick", "go_funcs_M.py", "sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1",
        lambda x: sin(x[0] + x[1]) + (x[0] - x[1]) ** 2 - 1.5 * x[0] + 2.5 * x[1] + 1,
        ((-1.5, 4.0), (-3.0, 3.0)), (-0.5471975602214493, -1.547197559268372),
        -1.913222954981037, unique=True),
    Benchmark(  # RosenbrockModified, go_funcs_R.py
        "RosenbrockModified", "go_funcs_R.py",
        "74 + 100*(y - x^2)^2 + (1 - x)^2 - 400*exp(-((x + 1)^2 + (y + 1)^2)/0.1)",
        lambda x: (74 + 100. * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
                   - 400 * exp(-((x[0] + 1.) ** 2 + (x[1] + 1.) ** 2) / 0.1)),
        ((-2.0, 2.0), (-2.0, 2.0)), (-0.90955374, -0.95057172), 34.040243106640844,
        unique=True),
    Benchmark(  # RotatedEllipse01, go_funcs_R.py
        "RotatedEllipse01", "go_funcs_R.py", "7*x^2 - 6*sqrt(3)*x*y + 13*y^2",
        lambda x: 7.0 * x[0] ** 2.0 - 6.0 * sqrt(3) * x[0] * x[1] + 13 * x[1] ** 2.0,
        ((-500.0, 500.0), (-500.0, 500.0)), (0.0, 0.0), 0.0, unique=True),
    Benchmark(  # RotatedEllipse02, go_funcs_R.py
        "RotatedEllipse02", "go_funcs_R.py", "x^2 - x*y + y^2",
        lambda x: x[0] ** 2.0 - x[0] * x[1] + x[1] ** 2.0,
        ((-500.0, 500.0), (-500.0, 500.0)), (0.0, 0.0), 0.0, unique=True),
    Benchmark(  # ThreeHumpCamel, go_funcs_T.py
        "ThreeHumpCamel", "go_funcs_T.py", "2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2",
        lambda x: (2.0 * x[0] ** 2.0 - 1.05 * x[0] ** 4.0 + x[0] ** 6 / 6.0
                   + x[0] * x[1] + x[1] ** 2.0),
        ((-5.0, 5.0), (-5.0, 5.0)), (0.0, 0.0), 0.0, unique=True),
    Benchmark(  # Ursem01, go_funcs_U.py
        "Ursem01", "go_funcs_U.py", "-sin(2*x - 0.5*pi) - 3*cos(y) - 0.5*x",
        lambda x: -sin(2 * x[0] - 0.5 * pi) - 3.0 * cos(x[1]) - 0.5 * x[0],
        ((-2.5, 3.0), (-2.0, 2.0)), (1.69714, 0.0), -4.81681406371, unique=True),
    Benchmark(  # Zettl, go_funcs_Z.py
        "Zettl", "go_funcs_Z.py", "(x^2 + y^2 - 2*x)^2 + 0.25*x",
        lambda x: (x[0] ** 2 + x[1] ** 2 - 2 * x[0]) ** 2 + 0.25 * x[0],
        ((-5.0, 10.0), (-5.0, 10.0)), (-0.02989597760285287, 0.0), -0.003791237220468656,
        unique=True),
    Benchmark(  # Zirilli, go_funcs_Z.py
        "Zirilli", "go_funcs_Z.py", "0.25*x^4 - 0.5*x^2 + 0.1*x + 0.5*y^2",
        lambda x: 0.25 * x[0] ** 4 - 0.5 * x[0] ** 2 + 0.1 * x[0] + 0.5 * x[1] ** 2,
        ((-10.0, 10.0), (-10.0, 10.0)), (-1.0465, 0.0), -0.35238603, unique=True,
        optimum_tol=5e-4),   # the root of x^3 - x + 0.1 is -1.046681
    Benchmark(  # Schwefel36, go_funcs_S.py
        "Schwefel36", "go_funcs_S.py", "-x*y*(72 - 2*x - 2*y)",
        lambda x: -x[0] * x[1] * (72 - 2 * x[0] - 2 * x[1]),
        ((0.0, 500.0), (0.0, 500.0)), (12.0, 12.0), -3456.0, unique=True),
    Benchmark(  # CosineMixture, go_funcs_C.py
        "CosineMixture", "go_funcs_C.py", "-0.1*(cos(5*pi*x) + cos(5*pi*y)) + x^2 + y^2",
        lambda x: -0.1 * sum(cos(5.0 * pi * x)) + sum(x ** 2.0),
        ((-1.0, 1.0), (-1.0, 1.0)), (0.0, 0.0), -0.2, unique=True),
    Benchmark(  # Wavy, go_funcs_W.py
        "Wavy", "go_funcs_W.py", "1 - (cos(10*x)*exp(-x^2/2) + cos(10*y)*exp(-y^2/2))/2",
        lambda x: 1.0 - (1.0 / 2) * sum(cos(10 * x) * exp(-x ** 2.0 / 2.0)),
        ((-pi, pi), (-pi, pi)), (0.0, 0.0), 0.0, unique=True),
    Benchmark(  # Langermann, go_funcs_L.py
        "Langermann", "go_funcs_L.py",
        "-(" + " + ".join(f"{c}*exp(-((x - {a})^2 + (y - {b})^2)/pi)"
                          f"*cos(pi*((x - {a})^2 + (y - {b})^2))"
                          for a, b, c in _LANGERMANN) + ")",
        _langermann, ((0.0, 10.0), (0.0, 10.0)), (2.00299219, 1.006096), -5.1621259,
        unique=True, costly="cos of a squared distance: about 2,000 stationary points "
                            "in the box, 10 s"),
    Benchmark(  # Quadratic, go_funcs_Q.py
        "Quadratic", "go_funcs_Q.py",
        "-3803.84 - 138.08*x - 232.92*y + 128.08*x^2 + 203.64*y^2 + 182.25*x*y",
        lambda x: (-3803.84 - 138.08 * x[0] - 232.92 * x[1] + 128.08 * x[0] ** 2.0
                   + 203.64 * x[1] ** 2.0 + 182.25 * x[0] * x[1]),
        ((-10.0, 10.0), (-10.0, 10.0)), (0.19388, 0.48513), -3873.72418, unique=True),
    Benchmark(  # StyblinskiTang, go_funcs_S.py
        "StyblinskiTang", "go_funcs_S.py", "(x^4 - 16*x^2 + 5*x + y^4 - 16*y^2 + 5*y)/2",
        lambda x: sum(x ** 4 - 16 * x ** 2 + 5 * x) / 2,
        ((-5.0, 5.0), (-5.0, 5.0)), (-2.90353401818596, -2.90353401818596),
        -78.33233140754284, unique=True),
    Benchmark(  # Zacharov, go_funcs_Z.py
        "Zacharov", "go_funcs_Z.py", "x^2 + y^2 + (0.5*(x + 2*y))^2 + (0.5*(x + 2*y))^4",
        _zacharov, ((-5.0, 10.0), (-5.0, 10.0)), (0.0, 0.0), 0.0, unique=True),
    Benchmark(  # Giunta, go_funcs_G.py
        "Giunta", "go_funcs_G.py",
        "0.6 + sin(16*x/15 - 1) + sin(16*x/15 - 1)^2 + sin(4*(16*x/15 - 1))/50"
        " + sin(16*y/15 - 1) + sin(16*y/15 - 1)^2 + sin(4*(16*y/15 - 1))/50",
        lambda x: 0.6 + sum(sin(16 * x / 15.0 - 1) + sin(16 * x / 15.0 - 1) ** 2
                            + sin(4 * (16 * x / 15.0 - 1)) / 50.),
        ((-1.0, 1.0), (-1.0, 1.0)), (0.4673200277395354, 0.4673200169591304),
        0.06447042053690566, unique=True),
    Benchmark(  # Chichinadze, go_funcs_C.py
        "Chichinadze", "go_funcs_C.py",
        "x^2 - 12*x + 11 + 10*cos(pi*x/2) + 8*sin(5*pi*x/2) - 1/sqrt(5)*exp(-(y - 0.5)^2/2)",
        lambda x: (x[0] ** 2 - 12 * x[0] + 11 + 10 * cos(pi * x[0] / 2)
                   + 8 * sin(5 * pi * x[0] / 2) - 1.0 / sqrt(5) * exp(-((x[1] - 0.5) ** 2) / 2)),
        ((-30.0, 30.0), (-30.0, 30.0)), (6.18986658696568, 0.5), -42.94438701899098,
        unique=True, costly="~3,000 stationary points on the +-30 box (8 sin(5 pi x/2)): 12 s"),
    Benchmark(  # Levy13, go_funcs_L.py
        "Levy13", "go_funcs_L.py",
        "sin(3*pi*x)^2 + (x - 1)^2*(1 + sin(3*pi*y)^2) + (y - 1)^2*(1 + sin(2*pi*y)^2)",
        lambda x: (sin(3 * pi * x[0]) ** 2 + (x[0] - 1) ** 2 * (1 + (sin(3 * pi * x[1])) ** 2)
                   + (x[1] - 1) ** 2 * (1 + (sin(2 * pi * x[1])) ** 2)),
        ((-10.0, 10.0), (-10.0, 10.0)), (1.0, 1.0), 0.0, unique=True),
    Benchmark(  # Price02, go_funcs_P.py
        "Price02", "go_funcs_P.py", "1 + sin(x)^2 + sin(y)^2 - 0.1*exp(-x^2 - y^2)",
        lambda x: 1.0 + sum(sin(x) ** 2) - 0.1 * exp(-x[0] ** 2.0 - x[1] ** 2.0),
        ((-10.0, 10.0), (-10.0, 10.0)), (0.0, 0.0), 0.9, unique=True),
    Benchmark(  # Exponential, go_funcs_E.py
        "Exponential", "go_funcs_E.py", "-exp(-0.5*(x^2 + y^2))",
        lambda x: -exp(-0.5 * sum(x ** 2.0)),
        ((-1.0, 1.0), (-1.0, 1.0)), (0.0, 0.0), -1.0, unique=True),
    Benchmark(  # Rastrigin, go_funcs_R.py
        "Rastrigin", "go_funcs_R.py", "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
        lambda x: 10.0 * 2 + sum(x ** 2.0 - 10.0 * cos(2.0 * pi * x)),
        ((-5.12, 5.12), (-5.12, 5.12)), (0.0, 0.0), 0.0, unique=True),
    Benchmark(  # Bohachevsky1, go_funcs_B.py
        "Bohachevsky1", "go_funcs_B.py",
        "x^2 + 2*y^2 - 0.3*cos(3*pi*x) - 0.4*cos(4*pi*y) + 0.7",
        lambda x: (x[0] ** 2 + 2 * x[1] ** 2 - 0.3 * cos(3 * pi * x[0])
                   - 0.4 * cos(4 * pi * x[1]) + 0.7),
        ((-100.0, 100.0), (-100.0, 100.0)), (0.0, 0.0), 0.0, unique=True),
    Benchmark(  # Easom, go_funcs_E.py
        "Easom", "go_funcs_E.py", "-cos(x)*cos(y)*exp(-((x - pi)^2 + (y - pi)^2))",
        lambda x: -cos(x[0]) * cos(x[1]) * exp(-((x[0] - pi) ** 2 + (x[1] - pi) ** 2)),
        ((-100.0, 100.0), (-100.0, 100.0)), (pi, pi), -1.0, unique=True,
        costly="flat to exp(-10^4) on most of the +-100 box: every start is a "
               "near-stationary point (issue 19 measures 29 s)"),
    # ------------------------------------------------ 2-D, several global minima
    Benchmark(  # HimmelBlau, go_funcs_H.py
        "HimmelBlau", "go_funcs_H.py", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        lambda x: (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2,
        ((-5.0, 5.0), (-5.0, 5.0)), (3.0, 2.0), 0.0),
    Benchmark(  # SixHumpCamel, go_funcs_S.py
        "SixHumpCamel", "go_funcs_S.py", "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (4*y^2 - 4)*y^2",
        lambda x: ((4 - 2.1 * x[0] ** 2 + x[0] ** 4 / 3) * x[0] ** 2 + x[0] * x[1]
                   + (4 * x[1] ** 2 - 4) * x[1] ** 2),
        ((-5.0, 5.0), (-5.0, 5.0)), (0.08984201368301331, -0.7126564032704135), -1.031628),
    Benchmark(  # Branin01, go_funcs_B.py
        "Branin01", "go_funcs_B.py",
        "(y - 5.1/(4*pi^2)*x^2 + 5*x/pi - 6)^2 + 10*(1 - 1/(8*pi))*cos(x) + 10",
        lambda x: ((x[1] - (5.1 / (4 * pi ** 2)) * x[0] ** 2 + 5 * x[0] / pi - 6) ** 2
                   + 10 * (1 - 1 / (8 * pi)) * cos(x[0]) + 10),
        ((-5.0, 10.0), (0.0, 15.0)), (-pi, 12.275), 0.39788735772973816),
    Benchmark(  # Treccani, go_funcs_T.py (minima at (-2, 0) and (0, 0))
        "Treccani", "go_funcs_T.py", "x^4 + 4*x^3 + 4*x^2 + y^2",
        lambda x: x[0] ** 4 + 4.0 * x[0] ** 3 + 4.0 * x[0] ** 2 + x[1] ** 2,
        ((-5.0, 5.0), (-5.0, 5.0)), (-2.0, 0.0), 0.0),
    Benchmark(  # WayburnSeader01, go_funcs_W.py (a second zero near x = 1.6)
        "WayburnSeader01", "go_funcs_W.py", "(x^6 + y^4 - 17)^2 + (2*x + y - 4)^2",
        lambda x: (x[0] ** 6 + x[1] ** 4 - 17) ** 2 + (2 * x[0] + x[1] - 4) ** 2,
        ((-5.0, 5.0), (-5.0, 5.0)), (1.0, 2.0), 0.0),
    Benchmark(  # Bird, go_funcs_B.py
        "Bird", "go_funcs_B.py",
        "sin(x)*exp((1 - cos(y))^2) + cos(y)*exp((1 - sin(x))^2) + (x - y)^2",
        lambda x: (sin(x[0]) * exp((1 - cos(x[1])) ** 2)
                   + cos(x[1]) * exp((1 - sin(x[0])) ** 2) + (x[0] - x[1]) ** 2),
        ((-2 * pi, 2 * pi), (-2 * pi, 2 * pi)), (4.701055751981055, 3.152946019601391),
        -106.7645367198034),
    Benchmark(  # DeckkersAarts, go_funcs_D.py (y -> -y symmetric)
        "DeckkersAarts", "go_funcs_D.py",
        "1e5*x^2 + y^2 - (x^2 + y^2)^2 + 1e-5*(x^2 + y^2)^4",
        lambda x: (1.e5 * x[0] ** 2 + x[1] ** 2 - (x[0] ** 2 + x[1] ** 2) ** 2
                   + 1.e-5 * (x[0] ** 2 + x[1] ** 2) ** 4),
        ((-20.0, 20.0), (-20.0, 20.0)), (0.0, 14.9451209), -24776.518342168),
    Benchmark(  # Adjiman, go_funcs_A.py (optimum on the boundary x = 2)
        "Adjiman", "go_funcs_A.py", "cos(x)*sin(y) - x/(y^2 + 1)",
        lambda x: cos(x[0]) * sin(x[1]) - x[0] / (x[1] ** 2 + 1),
        ((-1.0, 2.0), (-1.0, 1.0)), (2.0, 0.10578), -2.02180678, interior=False),
    Benchmark(  # Price01, go_funcs_P.py (four minima (+-5, +-5))
        "Price01", "go_funcs_P.py", "(abs(x) - 5)^2 + (abs(y) - 5)^2",
        lambda x: (abs(x[0]) - 5.0) ** 2.0 + (abs(x[1]) - 5.0) ** 2.0,
        ((-500.0, 500.0), (-500.0, 500.0)), (5.0, 5.0), 0.0, smooth=False),
    Benchmark(  # Schwefel26, go_funcs_S.py (the classic 418.9829 n constant)
        "Schwefel26", "go_funcs_S.py",
        "418.982887*2 - x*sin(sqrt(abs(x))) - y*sin(sqrt(abs(y)))",
        lambda x: 418.982887 * 2 - sum(x * sin(sqrt(abs(x)))),
        ((-500.0, 500.0), (-500.0, 500.0)), (420.968746, 420.968746), 0.0, smooth=False),
    Benchmark(  # TestTubeHolder, go_funcs_T.py (minima at (+-pi/2, 0))
        "TestTubeHolder", "go_funcs_T.py",
        "-4*abs(sin(x)*cos(y)*exp(abs(cos((x^2 + y^2)/200))))",
        lambda x: -4 * abs(sin(x[0]) * cos(x[1])
                           * exp(abs(cos((x[0] ** 2 + x[1] ** 2) / 200)))),
        ((-10.0, 10.0), (-10.0, 10.0)), (-pi / 2, 0.0), -10.872299901558, smooth=False,
        optimum_tol=5e-4),   # the minimum is at x = -1.5706026, 1.9e-4 from -pi/2
    # --------------------------------------------------------------------- n-D
    Benchmark(  # BiggsExp03, go_funcs_B.py
        "BiggsExp03", "go_funcs_B.py",
        " + ".join(f"(exp(-{t}*x1) - x3*exp(-{t}*x2) - exp(-{t}) + 5*exp(-10*{t}))^2"
                   for t in _T10),
        lambda x: sum((exp(-arange(1., 11.) * 0.1 * x[0])
                       - x[2] * exp(-arange(1., 11.) * 0.1 * x[1])
                       - (exp(-arange(1., 11.) * 0.1)
                          - 5 * exp(-10 * arange(1., 11.) * 0.1))) ** 2),
        _box(0.0, 20.0, 3), (1.0, 10.0, 5.0), 0.0),
    Benchmark(  # BiggsExp04, go_funcs_B.py
        "BiggsExp04", "go_funcs_B.py",
        " + ".join(f"(x3*exp(-{t}*x1) - x4*exp(-{t}*x2) - exp(-{t}) + 5*exp(-10*{t}))^2"
                   for t in _T10),
        lambda x: sum((x[2] * exp(-arange(1, 11.) * 0.1 * x[0])
                       - x[3] * exp(-arange(1, 11.) * 0.1 * x[1])
                       - (exp(-arange(1, 11.) * 0.1)
                          - 5 * exp(-10 * arange(1, 11.) * 0.1))) ** 2),
        _box(0.0, 20.0, 4), (1.0, 10.0, 1.0, 5.0), 0.0),
    Benchmark(  # BiggsExp05, go_funcs_B.py
        "BiggsExp05", "go_funcs_B.py",
        " + ".join(f"(x3*exp(-{t}*x1) - x4*exp(-{t}*x2) + 3*exp(-{t}*x5)"
                   f" - exp(-{t}) + 5*exp(-10*{t}) - 3*exp(-4*{t}))^2" for t in _T11),
        _biggs_exp05, _box(0.0, 20.0, 5), (1.0, 10.0, 1.0, 5.0, 4.0), 0.0),
    Benchmark(  # BoxBetts, go_funcs_B.py
        "BoxBetts", "go_funcs_B.py",
        " + ".join(f"(exp(-0.1*{i}*x1) - exp(-0.1*{i}*x2) - (exp(-0.1*{i}) - exp(-{i}))*x3)^2"
                   for i in range(1, 11)),
        lambda x: sum((exp(-0.1 * arange(1, 11) * x[0]) - exp(-0.1 * arange(1, 11) * x[1])
                       - (exp(-0.1 * arange(1, 11)) - exp(-arange(1, 11))) * x[2]) ** 2),
        ((0.9, 1.2), (9.0, 11.2), (0.9, 1.2)), (1.0, 10.0, 1.0), 0.0),
    Benchmark(  # Colville, go_funcs_C.py
        "Colville", "go_funcs_C.py",
        "100*(x1 - x2^2)^2 + (1 - x1)^2 + (1 - x3)^2 + 90*(x4 - x3^2)^2"
        " + 10.1*((x2 - 1)^2 + (x4 - 1)^2) + 19.8*(x2 - 1)*(x4 - 1)",
        lambda x: (100 * (x[0] - x[1] ** 2) ** 2 + (1 - x[0]) ** 2 + (1 - x[2]) ** 2
                   + 90 * (x[3] - x[2] ** 2) ** 2 + 10.1 * ((x[1] - 1) ** 2 + (x[3] - 1) ** 2)
                   + 19.8 * (x[1] - 1) * (x[3] - 1)),
        _box(-10.0, 10.0, 4), (1.0, 1.0, 1.0, 1.0), 0.0),
    Benchmark(  # Hartmann3, go_funcs_H.py
        "Hartmann3", "go_funcs_H.py",
        _hartmann_text(_HARTMANN3_A, _HARTMANN3_P, _HARTMANN_C, _XS[:3]),
        _hartmann(_HARTMANN3_A, _HARTMANN3_P, _HARTMANN_C),
        _box(0.0, 1.0, 3), (0.11461292, 0.55564907, 0.85254697), -3.8627821478),
    Benchmark(  # Hartmann6, go_funcs_H.py
        "Hartmann6", "go_funcs_H.py",
        _hartmann_text(_HARTMANN6_A, _HARTMANN6_P, _HARTMANN_C, _XS[:6]),
        _hartmann(_HARTMANN6_A, _HARTMANN6_P, _HARTMANN_C),
        _box(0.0, 1.0, 6), (0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162,
                            0.65730054), -3.32236801141551),
    Benchmark(  # Shekel05, go_funcs_S.py
        "Shekel05", "go_funcs_S.py",
        "-(" + " + ".join("1/(" + " + ".join(f"(x{j + 1} - {a})^2" for j, a in enumerate(row))
                          + f" + {c})" for row, c in zip(_SHEKEL05_A, _SHEKEL05_C)) + ")",
        _shekel05, _box(0.0, 10.0, 4),
        (4.00003715092, 4.00013327435, 4.00003714871, 4.0001332742), -10.1531996791),
    Benchmark(  # Kowalik, go_funcs_K.py
        "Kowalik", "go_funcs_K.py",
        " + ".join(f"({b} - x1*((1/{ai})^2 + (1/{ai})*x2)/((1/{ai})^2 + (1/{ai})*x3 + x4))^2"
                   for ai, b in zip(_KOWALIK_A_INV, _KOWALIK_B)),
        _kowalik, _box(-5.0, 5.0, 4), (0.192833, 0.190836, 0.123117, 0.135766), 0.0003074861),
    Benchmark(  # Powell, go_funcs_P.py
        "Powell", "go_funcs_P.py",
        "(x1 + 10*x2)^2 + 5*(x3 - x4)^2 + (x2 - 2*x3)^4 + 10*(x1 - x4)^4",
        lambda x: ((x[0] + 10 * x[1]) ** 2 + 5 * (x[2] - x[3]) ** 2
                   + (x[1] - 2 * x[2]) ** 4 + 10 * (x[0] - x[3]) ** 4),
        _box(-4.0, 5.0, 4), (0.0, 0.0, 0.0, 0.0), 0.0),
    Benchmark(  # PowerSum, go_funcs_P.py
        "PowerSum", "go_funcs_P.py",
        " + ".join(f"(x1^{k} + x2^{k} + x3^{k} + x4^{k} - {b})^2"
                   for k, b in zip(range(1, 5), [8, 18, 44, 114])),
        _powersum, _box(0.0, 4.0, 4), (1.0, 2.0, 2.0, 3.0), 0.0),
    Benchmark(  # Trid, go_funcs_T.py
        "Trid", "go_funcs_T.py",
        " + ".join(f"(x{i} - 1)^2" for i in range(1, 7)) + " - ("
        + " + ".join(f"x{i + 1}*x{i}" for i in range(1, 6)) + ")",
        lambda x: sum((x - 1.0) ** 2.0) - sum(x[1:] * x[:-1]),
        _box(-20.0, 20.0, 6), (6.0, 10.0, 12.0, 12.0, 10.0, 6.0), -50.0),
    Benchmark(  # Paviani, go_funcs_P.py
        "Paviani", "go_funcs_P.py",
        " + ".join(f"log({v} - 2)^2 + log(10 - {v})^2" for v in _XS)
        + " - (" + "*".join(_XS) + ")^0.2",
        lambda x: sum(log(x - 2) ** 2.0 + log(10.0 - x) ** 2.0) - prod(x) ** 0.2,
        _box(2.001, 9.999, 10), (9.350266,) * 10, -45.7784684040686),
    Benchmark(  # MieleCantrell, go_funcs_M.py
        "MieleCantrell", "go_funcs_M.py",
        "(exp(-x1) - x2)^4 + 100*(x2 - x3)^6 + tan(x3 - x4)^4 + x1^8",
        lambda x: ((exp(-x[0]) - x[1]) ** 4 + 100 * (x[1] - x[2]) ** 6
                   + tan(x[2] - x[3]) ** 4 + x[0] ** 8),
        _box(-1.0, 1.0, 4), (0.0, 1.0, 1.0, 1.0), 0.0),
    Benchmark(  # Mishra09, go_funcs_M.py
        "Mishra09", "go_funcs_M.py",
        "(a*c*b^2 + a*b*c^2 + b^2 + (x1 + x2 - x3)^2)^2"
        .replace("a", "(2*x1^3 + 5*x1*x2 + 4*x3 - 2*x1^2*x3 - 18)")
        .replace("b", "(x1 + x2^3 + x1*x2^2 + x1*x3^2 - 22)")
        .replace("c", "(8*x1^2 + 2*x2*x3 + 2*x2^2 + 3*x2^3 - 52)"),
        _mishra09, _box(-10.0, 10.0, 3), (1.0, 2.0, 3.0), 0.0),
)
