"""An objective's derivatives as a report: what ``symgd diff`` shows.

:class:`Derivatives` gives the objective, each partial derivative, the
gradient and the Hessian as text, Markdown, LaTeX and plain data (the report
interface of :mod:`symgd._report`). :func:`derivatives_text` and
:func:`derivatives_dict` are the same forms as functions.
"""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from .._report import Report
from .._text import point

__all__ = ["Derivatives", "derivatives_text", "derivatives_dict", "derivatives_latex",
           "point_text"]


class Derivatives(Report):
    """An objective's partial derivatives, gradient and Hessian.

    Parameters
    ----------
    objective : Objective
        Anything with the objective protocol (``label``, ``names``, ``expr``,
        ``variables``, ``gradient``, ``hessian``).
    unicode : bool
        Write ``∂`` and ``∇`` in the text (else ``d`` and ``grad``).

    Examples
    --------
    >>> from symgd import Objective
    >>> d = Derivatives(Objective("z = x^2 + x*y + y^2"), unicode=False)
    >>> print(d.text().splitlines()[2])
    dz/dx = 2*x + y
    >>> print(d.markdown().splitlines()[2])
    - $\\frac{\\partial z}{\\partial x} = 2 x + y$
    >>> d.to_dict()["hessian"]
    [['2', '1'], ['1', '2']]
    >>> d
    <Derivatives: z(x, y) = x**2 + x*y + y**2>
    """

    def __init__(self, objective: Any, unicode: bool = True) -> None:
        self.objective = objective
        self.unicode = unicode

    def text(self) -> str:
        return derivatives_text(self.objective, unicode=self.unicode)

    def markdown(self) -> str:
        """The LaTeX lines as Markdown math: the partials as a list."""
        if self.objective.n == 1:
            head, first, second = _latex_lines(self.objective)
            return "\n".join([f"${head}$", "", f"- ${first}$", f"- ${second}$"])
        head, *partials, grad, hess = _latex_lines(self.objective)
        lines = [f"${head}$", ""]
        lines += [f"- ${p}$" for p in partials]
        lines += ["", f"${grad}$", "", f"Hessian: ${hess}$"]
        return "\n".join(lines)

    def latex(self) -> str:
        return derivatives_latex(self.objective)

    def to_dict(self) -> dict[str, Any]:
        return derivatives_dict(self.objective)


def derivatives_dict(objective: Any) -> dict[str, Any]:
    """Variables, gradient and Hessian as strings in SymPy syntax.

    >>> from symgd import Objective
    >>> derivatives_dict(Objective("x^2 + x*y + y^2"))["gradient"]
    ['2*x + y', 'x + 2*y']
    """
    h = objective.hessian
    return {"name": objective.label, "expression": str(objective.expr),
            "variables": list(objective.names),
            "gradient": [str(g) for g in objective.gradient],
            "hessian": [[str(h[i, j]) for j in range(objective.n)]
                        for i in range(objective.n)]}


def derivatives_text(objective: Any, latex: bool = False, unicode: bool = True) -> str:
    """The objective, each partial derivative, the gradient and the Hessian.

    >>> from symgd import Objective
    >>> print(derivatives_text(Objective("z = x^2 + x*y + y^2"), unicode=False))
    z(x, y) = x**2 + x*y + y**2
    <BLANKLINE>
    dz/dx = 2*x + y
    dz/dy = x + 2*y
    <BLANKLINE>
    grad z = (2*x + y, x + 2*y)
    <BLANKLINE>
    Hessian:
    [2, 1]
    [1, 2]
    """
    if latex:
        return derivatives_latex(objective)
    if objective.n == 1:
        return _one_variable_text(objective, unicode)
    name, names = objective.label, objective.names
    d, nabla = ("∂", "∇") if unicode else ("d", "grad ")
    lines = [f"{name}({', '.join(names)}) = {objective.expr}", ""]
    lines += [f"{d}{name}/{d}{v} = {g}" for v, g in zip(names, objective.gradient)]
    lines += ["", f"{nabla}{name} = ({', '.join(str(g) for g in objective.gradient)})",
              "", "Hessian:"]
    h = objective.hessian
    cells = [[str(h[i, j]) for j in range(objective.n)] for i in range(objective.n)]
    widths = [max(len(r[j]) for r in cells) for j in range(objective.n)]
    lines += ["[" + ", ".join(c.rjust(w) for c, w in zip(row, widths)) + "]" for row in cells]
    return "\n".join(lines)


def _one_variable_text(objective: Any, unicode: bool) -> str:
    """One variable: the function, f′ and f″ (a gradient and a 1×1 Hessian
    say the same less plainly).

    >>> from symgd import Objective
    >>> print(_one_variable_text(Objective("x^3"), unicode=False))
    f(x) = x**3
    <BLANKLINE>
    f'(x) = 3*x**2
    f''(x) = 6*x
    """
    name, (v,) = objective.label, objective.names
    prime, second = ("′", "″") if unicode else ("'", "''")
    return "\n".join([f"{name}({v}) = {objective.expr}", "",
                      f"{name}{prime}({v}) = {objective.gradient[0]}",
                      f"{name}{second}({v}) = {objective.hessian[0, 0]}"])


def derivatives_latex(objective: Any) -> str:
    r"""The objective, its partials, gradient and Hessian, one LaTeX line each.

    >>> from symgd import Objective
    >>> print(derivatives_latex(Objective("x^2 + y")))
    f(x, y) = x^{2} + y
    \frac{\partial f}{\partial x} = 2 x
    \frac{\partial f}{\partial y} = 1
    \nabla f = \left(2 x, 1\right)
    H = \left[\begin{matrix}2 & 0\\0 & 0\end{matrix}\right]
    >>> print(derivatives_latex(Objective("x^2")))
    f(x) = x^{2}
    f'(x) = 2 x
    f''(x) = 2
    """
    return "\n".join(_latex_lines(objective))


def _latex_lines(objective: Any) -> list[str]:
    name = sp.latex(sp.Symbol(objective.label))
    lines = [objective.latex()]
    if objective.n == 1:
        v = sp.latex(objective.variables[0])
        return lines + [f"{name}'({v}) = {sp.latex(objective.gradient[0])}",
                        f"{name}''({v}) = {sp.latex(objective.hessian[0, 0])}"]
    for v, g in zip(objective.variables, objective.gradient):
        lines.append(rf"\frac{{\partial {name}}}{{\partial {sp.latex(v)}}} = {sp.latex(g)}")
    grad = ", ".join(sp.latex(g) for g in objective.gradient)
    lines.append(rf"\nabla {name} = \left({grad}\right)")
    lines.append(rf"H = {sp.latex(objective.hessian)}")
    return lines


def point_text(names: Sequence[str], values: Sequence[float], digits: int = 6) -> str:
    """A point written the one way symgd writes points (:func:`symgd._text.point`).

    >>> point_text(["x", "y"], [1, 2.5])
    '(x = 1, y = 2.5)'
    """
    return point(names, values, digits)
