"""The reports the commands print that are made of several library objects:
a run with its heading, an iteration table, a list of sections, a saved figure.

Each has the report interface of :mod:`symgd._report`, so that
:func:`symgd.cli.emit.emit` prints every command the same way.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple, Sequence

import sympy as sp

from .._report import Report
from .._text import markdown_escape, number, point
from .flags import run_message

__all__ = ["ShellWords", "Equation", "ObjectiveHeading", "FitHeading", "TableOptions", "Table",
           "Run", "Sections", "Saved", "latex_text", "latex_number", "latex_point"]

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                  "#": r"\#", "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}"}
_LATEX_SYMBOLS = {"λ": r"$\lambda$", "≤": r"$\le$", "≥": r"$\ge$", "²": r"$^2$",
                  "≈": r"$\approx$", "×": r"$\times$", "∇": r"$\nabla$", "∂": r"$\partial$",
                  "→": r"$\to$", "…": r"\ldots{}", "–": "--", "Σ": r"$\Sigma$", "·": r"$\cdot$"}
_LATEX_COORDS = 8            # coordinates of a point written out in LaTeX, at most


def latex_text(text: str) -> str:
    r"""Plain text safe in a LaTeX paragraph.

    >>> print(latex_text("lr < 2/λmax; 100% of x_1"))
    lr < 2/$\lambda$max; 100\% of x\_1
    """
    return "".join(_LATEX_SPECIAL.get(c, _LATEX_SYMBOLS.get(c, c)) for c in text)


def latex_number(value: object, digits: int = 6) -> str:
    r"""A number in LaTeX: ``2.5e-09`` becomes ``2.5 \cdot 10^{-9}``.

    >>> latex_number(2.5e-9), latex_number(3.0), latex_number(float("nan"))
    ('2.5 \\cdot 10^{-9}', '3', '\\mathrm{nan}')
    """
    text = number(value, digits)
    if text in ("nan", "inf", "-inf"):
        return rf"{'-' if text[0] == '-' else ''}\mathrm{{{text.lstrip('-')}}}"
    mantissa, e, exponent = text.partition("e")
    return rf"{mantissa} \cdot 10^{{{int(exponent)}}}" if e else text


def latex_point(names: Sequence[str], values: Sequence[object], digits: int = 6) -> str:
    r"""A point in LaTeX, in the one point style.

    >>> print(latex_point(["x", "w_1"], [1, 0.5]))
    \left(x = 1, w_{1} = 0.5\right)
    """
    pairs = [f"{sp.latex(sp.Symbol(n))} = {latex_number(v, digits)}"
             for n, v in zip(names, values)]
    if len(pairs) > _LATEX_COORDS:
        pairs = pairs[:_LATEX_COORDS - 2] + [r"\ldots", pairs[-1]]
    return r"\left(" + ", ".join(pairs) + r"\right)"


class ShellWords(Report):
    """A library report as the command line prints it: its text, Markdown and
    LaTeX with the Python idioms written as flags (:func:`symgd.cli.flags.run_message`);
    its data unchanged.

    >>> from symgd import analyze
    >>> print(ShellWords(analyze("x^4 + y^2")).text().splitlines()[-1])
    Step sizes: give a point (--at X) for the local facts.
    """

    def __init__(self, report: Any) -> None:
        self.report = report

    def text(self) -> str:
        return run_message(self.report.text())

    def markdown(self) -> str:
        return run_message(self.report.markdown())

    def latex(self) -> str | None:
        body = self.report.latex()
        return None if body is None else run_message(body)

    def to_dict(self) -> dict[str, Any]:
        return self.report.to_dict()

    def to_json(self, indent: int | None = 1) -> str:
        return self.report.to_json(indent)


class Equation(NamedTuple):
    """``label = expr``, or ``∂label/∂variable = expr`` when a variable is given."""
    label: str
    variable: str | None
    expr: Any

    def text(self, unicode: bool = True) -> str:
        d = "∂" if unicode else "d"
        name = self.label if self.variable is None else f"{d}{self.label}/{d}{self.variable}"
        if not unicode:
            return f"{name} = {self.expr}"
        return sp.pretty(sp.Eq(sp.Symbol(name), self.expr, evaluate=False), use_unicode=True)

    def latex(self) -> str:
        name = sp.latex(sp.Symbol(self.label))
        if self.variable is not None:
            name = rf"\frac{{\partial {name}}}{{\partial {sp.latex(sp.Symbol(self.variable))}}}"
        return f"{name} = {sp.latex(self.expr)}"


class ObjectiveHeading(Report):
    """An objective, as the heading of a run."""

    def __init__(self, objective: Any) -> None:
        self.objective = objective

    def text(self) -> str:
        return str(self.objective)

    def markdown(self) -> str:
        return f"${self.objective.latex()}$"

    def latex(self) -> str:
        return f"\\[ {self.objective.latex()} \\]"

    def to_dict(self) -> dict[str, Any]:
        return {"objective": str(self.objective)}


class FitHeading(Report):
    """What is fitted: a line on the data, model and loss, then the loss and
    its partial derivatives as equations. ``brief`` text writes the loss on
    one line and leaves the partials out (Markdown and LaTeX, rendered, keep
    them)."""

    def __init__(self, summary: str, equations: Sequence[Equation],
                 unicode: bool = True, brief: bool = False) -> None:
        self.summary = summary
        self.equations = tuple(equations)
        self.unicode = unicode
        self.brief = brief

    def text(self) -> str:
        if self.brief:
            loss = self.equations[0]
            return f"{self.summary}\n{loss.label} = {loss.expr}"
        return "\n".join([self.summary, "", *(e.text(self.unicode) for e in self.equations)])

    def markdown(self) -> str:
        first, *rest = self.equations
        lines = [markdown_escape(self.summary), "", f"${first.latex()}$"]
        return "\n".join(lines + ([""] if rest else []) + [f"- ${e.latex()}$" for e in rest])

    def latex(self) -> str:
        rows = " \\\\\n".join(e.latex() for e in self.equations)
        return f"{latex_text(self.summary)}\n\\begin{{gather*}}\n{rows}\n\\end{{gather*}}"

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary,
                "equations": [e.text(unicode=False) for e in self.equations]}


class TableOptions(NamedTuple):
    """How an iteration table is shown (see :meth:`symgd.Result.table`)."""
    every: int = 1
    digits: int = 6
    gradient: bool = False
    first: int = 0
    exact: bool = False


class Table(Report):
    """A run's iteration table; besides the common formats it has ``csv``."""

    def __init__(self, result: Any, options: TableOptions = TableOptions()) -> None:
        self.result = result
        self.options = options

    def _in(self, fmt: str) -> str:
        o = self.options
        return self.result.table(fmt=fmt, every=o.every, digits=o.digits, gradient=o.gradient,
                                 first=o.first, exact=o.exact)

    def text(self) -> str:
        return self._in("text")

    def markdown(self) -> str:
        return self._in("markdown")

    def latex(self) -> str:
        return self._in("latex")

    def csv(self) -> str:
        return self._in("csv")

    def rows(self) -> list[dict[str, Any]]:
        """One dict a row, as the table's JSON has them."""
        return json.loads(self._in("json"))

    def to_dict(self) -> dict[str, Any]:
        return {"result": self.result.to_dict(), "rows": self.rows()}

    def to_json(self, indent: int | None = 1) -> str:
        """The table's own JSON form: the list of its rows (as ``Result.table(fmt="json")``)."""
        return json.dumps(self.rows(), indent=indent, allow_nan=False)

    def format(self, fmt: str = "text") -> str:
        return self.csv() if fmt == "csv" else super().format(fmt)


class Run(Report):
    """A descent as ``symgd descend`` and ``symgd fit`` print it: the heading,
    the learning rate and start, the table (when asked for), the message,
    the last point and the loss there, and for a quadratic data loss the
    least-squares solution."""

    def __init__(self, heading: Report, result: Any, *, label: str, digits: int = 6,
                 table: Table | None = None,
                 least_squares: Sequence[float] | None = None) -> None:
        self.heading = heading
        self.result = result
        self.label = label
        self.digits = digits
        self.table = table
        self.least_squares = least_squares

    def _facts(self) -> tuple[str, str, str]:
        """The learning rate and start; the end; the least-squares solution."""
        res, names = self.result, self.result.names
        start = f"lr = {res.lr:g}, start: {point(names, res.history.x[0])}"
        end = f"{point(names, res.x, self.digits)}\n{self.label} = {number(res.fun, self.digits)}"
        ls = "" if self.least_squares is None else \
            f"least squares: {point(names, self.least_squares, self.digits)}"
        return start, end, ls

    def text(self) -> str:
        start, end, ls = self._facts()
        parts = [f"{self.heading.text()}\n{start}", *([self.table.text()] if self.table else []),
                 f"{run_message(self.result.message)}\n{end}" + (f"\n{ls}" if ls else "")]
        return "\n\n".join(parts)

    def markdown(self) -> str:
        start, end, ls = self._facts()
        parts = [self.heading.markdown(), markdown_escape(start),
                 *([self.table.markdown()] if self.table else []),
                 markdown_escape(run_message(self.result.message)),
                 "  \n".join(markdown_escape(line) for line in [*end.splitlines(), ls] if line)]
        return "\n\n".join(parts)

    def latex(self) -> str:
        res, names, digits = self.result, self.result.names, self.digits
        label = sp.latex(sp.Symbol(self.label))
        start = (rf"$\gamma = {latex_number(res.lr)}$, start "
                 rf"${latex_point(names, res.history.x[0])}$")
        end = (rf"${latex_point(names, res.x, digits)}$, "
               rf"${label} = {latex_number(res.fun, digits)}$")
        if self.least_squares is not None:
            end += rf"; least squares ${latex_point(names, self.least_squares, digits)}$"
        parts = [self.heading.latex() or latex_text(self.heading.text()), start,
                 *([self.table.latex()] if self.table else []),
                 latex_text(run_message(res.message)), end]
        return "\n\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.result.to_dict())
        if self.least_squares is not None:
            data["least_squares"] = dict(zip(self.result.names,
                                             (float(v) for v in self.least_squares)))
        return data


class Sections(Report):
    """Reports and paragraphs one after another, as one report.

    ``parts`` are ``(key, part)`` pairs: a part is a report (its ``to_dict()``
    is entry ``key`` of this report's) or a paragraph of text (key None).

    >>> s = Sections([(None, "Two runs:"), ("n", Saved("loss", "a.png"))])
    >>> print(s.text())
    Two runs:
    <BLANKLINE>
    saved loss to a.png
    >>> s.to_dict()
    {'n': {'kind': 'loss', 'path': 'a.png'}}
    """

    def __init__(self, parts: Sequence[tuple[str | None, Any]]) -> None:
        self.parts = list(parts)

    def text(self) -> str:
        return "\n\n".join(p if isinstance(p, str) else p.text() for _, p in self.parts)

    def markdown(self) -> str:
        return "\n\n".join(markdown_escape(p) if isinstance(p, str) else p.markdown()
                           for _, p in self.parts)

    def latex(self) -> str:
        return "\n\n".join(_latex_part(p) for _, p in self.parts)

    def to_dict(self) -> dict[str, Any]:
        return {key: part.to_dict() for key, part in self.parts if key is not None}


def _latex_part(part: Any) -> str:
    if isinstance(part, str):
        return latex_text(part)
    body = part.latex()
    return body if body is not None else \
        "\\begin{verbatim}\n" + part.text() + "\n\\end{verbatim}"


class Saved(Report):
    """A figure written to a file; ``not_converged`` is the message of a run
    drawn that did not converge."""

    def __init__(self, kind: str, path: str, not_converged: str | None = None,
                 runs: str = "the run drawn did not converge") -> None:
        self.kind = kind
        self.path = path
        self.not_converged = not_converged
        self.runs = runs

    def text(self) -> str:
        saved = f"saved {self.kind} to {self.path}"
        return saved if self.not_converged is None else \
            f"{saved}; {self.runs}: {self.not_converged}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "path": self.path}
        if self.not_converged is not None:
            data.update(converged=False, message=self.not_converged)
        return data
