"""Checking derivatives worked out by hand: homework, a hand-coded gradient,
and a textbook's table of gradient-descent iterates.

symgd derives the exact derivatives with SymPy and compares: a wrong answer
comes with a point where it differs, both values there, and the likely
mistake. Run: python examples/check_homework.py
"""

import numpy as np

import symgd
from symgd import check_grad, check_gradient, check_steps


def homework() -> None:
    """Three students' answers to "find the gradient"."""
    print("=== Homework ===\n")
    # Right, written differently from SymPy's form: 2(x + y) - y = 2x + y.
    print(check_gradient("z = x^2 + xy + y^2", "2(x + y) - y, 2y + x"), "\n")
    # A sign error in the second partial.
    print(check_gradient("z = x^2*y - 3y", "2xy, 3 - x^2"), "\n")
    # The chain rule forgotten: d/dx sin(x^2 y) needs the factor 2xy.
    print(check_gradient("z = sin(x^2*y)", "cos(x^2*y), x^2*cos(x^2*y)"), "\n")


def hand_coded_gradient() -> None:
    """A logistic-regression gradient hand-coded with NumPy, one bug in it."""
    print("=== A hand-coded gradient ===\n")
    a, y = 1.5, 1.0                      # one example: feature a, label y

    def loss(v):                         # log-loss of sigmoid(w*a + b)
        z = v[0] * a + v[1]
        return np.log(1 + np.exp(z)) - y * z

    def grad(v):                         # the bug: the bias term got the factor a too
        r = 1 / (1 + np.exp(-(v[0] * a + v[1]))) - y
        return np.array([r * a, r * a])

    print(check_gradient("L(w, b) = log(1 + exp(1.5w + b)) - (1.5w + b)", grad), "\n")
    # Without any symbols: finite differences (complex step where possible).
    print(check_grad(loss, grad, [0.2, -0.4], names=["w", "b"]), "\n")


def lesson_table() -> None:
    """The car lesson's published table, recomputed row by row (lr = 0.01)."""
    print("=== The car lesson's table ===\n")
    L = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    rows = [(0, 0), (1.2, 0.34), (2.75, 0.59), (3.17, 0.72), (3.47, 0.82), (3.68, 0.9)]
    losses = [303.71, 170.67, 67.3, 50.63, 42.1, 37.74]
    report = check_steps(L, rows, lr=0.01, losses=losses, first_row=1)
    print(report)


def main() -> None:
    homework()
    hand_coded_gradient()
    lesson_table()


if __name__ == "__main__":   # needed where child processes are spawned (Windows, macOS)
    main()
