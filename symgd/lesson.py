r"""A lesson as one self-contained HTML file: :func:`report`.

The page holds the objective and its derivatives (MathML, printed by
SymPy), each derivative's rule-by-rule derivation, the step-size analysis,
the iteration table, the contour (or the curve of one variable, or the model
through the data), the loss curve and an animation of the run. Figures are
PNG and GIF data URIs, so the file needs no network and no other file: open
it in a browser, mail it, or put it on a course page.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import pathlib
from typing import Any, Sequence

import numpy as np
import sympy as sp

from ._report import Report
from ._text import number, point
from .errors import InputError, SymgdError

__all__ = ["report", "Lesson"]

_TABLE_HEAD, _TABLE_TAIL = 8, 3        # iteration table: first and last rows
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.8rem; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
math[display="block"] { font-size: 1.25rem; margin: .6rem 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
td, th { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: right; }
th { background: #f6f8fa; } tr.gap td { text-align: center; color: #656d76; }
ol.steps li { margin: .3rem 0; } .rule { color: #656d76; font-style: italic; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #656d76; font-size: .9rem; } .verdict { font-weight: 600; }
"""


def _mathml(expr: Any, display: bool = True) -> str:
    from sympy.printing.mathml import mathml
    body = mathml(expr, printer="presentation")
    mode = ' display="block"' if display else ""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}>{body}</math>'


def _png(fig: Any, dpi: int = 100) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(src: str, alt: str, caption: str) -> str:
    return (f'<figure><img src="{src}" alt="{html.escape(alt)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


class Lesson(Report):
    """A lesson page: the objective, derivatives, analysis, table, figures.

    Attributes
    ----------
    objective : Objective
    result : Result
        The run shown.
    sections : tuple of str
        The sections' titles, in order.
    """

    def __init__(self, objective: Any, result: Any, parts: Sequence[tuple[str, str]],
                 title: str) -> None:
        self.objective, self.result = objective, result
        self._parts = tuple(parts)
        self.title = title
        self.sections = tuple(name for name, _ in self._parts)

    def html(self) -> str:
        """The whole page: one HTML document with everything inlined."""
        body = "\n".join(f"<section><h2>{html.escape(name)}</h2>\n{content}</section>"
                         for name, content in self._parts)
        return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head>"
                f"<body><h1>{html.escape(self.title)}</h1>\n{body}\n</body></html>\n")

    def save(self, path: str | os.PathLike) -> pathlib.Path:
        """Write the page to ``path`` (``.html``) and return the path."""
        target = pathlib.Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            raise InputError(f"a lesson report is an HTML file: name it with .html, got "
                             f"{target.name!r:.80}")
        if target.is_dir():
            raise InputError(f"{str(target)!r:.80} is a directory; give a file name ending "
                             f"in .html")
        try:
            target.write_text(self.html(), encoding="utf-8")
        except OSError as err:
            raise InputError(f"cannot write the report to {str(target)!r:.80}: "
                             f"{err.strerror or err}") from None
        return target

    def text(self) -> str:
        return (f"lesson report of {self.objective.label}: {', '.join(self.sections)}\n"
                f"{self.result.message}")

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "sections": list(self.sections),
                "result": self.result.to_dict()}

    def __repr__(self) -> str:
        return f"<Lesson: {self.title}, {len(self.sections)} sections>"

    def _repr_html_(self) -> str:
        # a notebook shows the summary; the page itself is self.html()
        return f"<p><b>{html.escape(self.title)}</b>: {html.escape(', '.join(self.sections))}</p>"


def report(objective: Any, start: Any = None, lr: float | None = None, *,
           step: str = "fixed", max_iter: int = 1000, tol: float | None = 1e-8,
           frames: int = 40, title: str | None = None, **options: Any) -> Lesson:
    r"""A lesson on one objective as a self-contained HTML page.

    Parameters
    ----------
    objective : Objective, DataObjective or anything Objective accepts
    start : point, optional
        Where the descent starts (default: 0 for a data loss, 1 otherwise).
    lr : float, optional
        The learning rate. By default a quarter of the step-size bound
        :math:`2/\lambda_{max}` (at the start, where the Hessian is not
        constant): a run that converges without the exact step.
    step : str
        The step rule.
    max_iter, tol
        As in :func:`symgd.descend`.
    frames : int
        Frames of the animation (0 for none).
    title : str, optional
        The page's title.
    **options
        Options of the step rule (``beta``, ``schedule``, ...), as in
        :func:`symgd.descend`.

    Returns
    -------
    Lesson
        ``lesson.save("lesson.html")`` writes it; ``lesson.html()`` is the page.

    Examples
    --------
    >>> import symgd
    >>> lesson = symgd.report("x^2 + x*y + y^2", [2, 1], lr=0.1, frames=0)
    >>> lesson.sections
    ('Objective', 'Derivatives', 'Step size', 'Iterations', 'Figures')
    >>> "<math" in lesson.html() and "data:image/png;base64" in lesson.html()
    True
    """
    from .analysis import analyze, step_size_bound
    from .descent import descend
    from .objective.core import as_objective
    obj = objective if getattr(objective, "per_sample", None) is not None \
        else as_objective(objective)
    x0 = obj.point(start if start is not None else (0 if obj.per_sample is not None else 1),
                   "start")
    if lr is None:
        lr = _default_lr(obj, x0, step_size_bound)
    if isinstance(frames, bool) or not isinstance(frames, int) or not 0 <= frames <= 400:
        raise InputError(f"frames must be a whole number from 0 to 400, got {frames!r:.40}")
    result = descend(obj, x0, lr=lr, step=step, max_iter=max_iter, tol=tol, **options)
    parts = [("Objective", _objective_part(obj)),
             ("Derivatives", _derivatives_part(obj)),
             ("Step size", _analysis_part(obj, x0, lr, result, analyze)),
             ("Iterations", _table_part(obj, result)),
             ("Figures", _figures_part(obj, result, frames))]
    name = title or f"Gradient descent on {obj.label}"
    return Lesson(obj, result, parts, name)


def _default_lr(obj: Any, x0: np.ndarray, step_size_bound: Any) -> float:
    try:
        bound = step_size_bound(obj, at=None if obj.is_cheaply_quadratic else x0)
    except (SymgdError, ValueError, np.linalg.LinAlgError):
        return 0.01
    if not (math.isfinite(bound.bound) and bound.bound > 0):
        return 0.01
    return float(f"{bound.bound / 4:.2g}")


def _objective_part(obj: Any) -> str:
    label = sp.Symbol(obj.label)
    if obj.per_sample is not None:
        tb = obj.textbook
        shown = sp.Eq(label, tb.reduce(obj.per_sample), evaluate=False)
        rows = f"<p>over {obj.data.rows} rows of the data ({html.escape(', '.join(obj.data.names))}).</p>"
    else:
        shown = sp.Eq(label, obj.expr, evaluate=False)
        rows = ""
    names = ", ".join(obj.names)
    return (f"{_mathml(shown)}\n<p>Variables: {html.escape(names)}.</p>{rows}")


def _derivatives_part(obj: Any) -> str:
    from .explain import explain
    out = []
    if obj.per_sample is not None:
        tb = obj.textbook
        for v, g in zip(obj.variables, obj.gradient):
            lhs = sp.Derivative(sp.Function(obj.label)(*obj.variables), v)
            out.append(_mathml(sp.Eq(lhs, tb.reduce(sp.diff(obj.per_sample, v)),
                                     evaluate=False)))
        return "\n".join(out)
    explanation = explain(obj)
    for d in explanation.derivations:
        v = d.variable
        lhs = sp.Derivative(sp.Function(obj.label)(*obj.variables), v) if d.partial \
            else sp.Derivative(sp.Function(obj.label)(v), v)
        out.append(_mathml(sp.Eq(lhs, d.result, evaluate=False)))
        steps = []
        for s in d.steps:
            rhs = s.form if s.form != s.result else s.result
            eq = sp.Eq(sp.Derivative(s.expr, v), rhs, evaluate=False)
            steps.append(f'<li><span class="rule">{html.escape(s.rule)}</span>: '
                         f"{_mathml(eq, display=False)}</li>")
        out.append(f'<details><summary>step by step</summary><ol class="steps">'
                   f'{"".join(steps)}</ol></details>')
    return "\n".join(out)


def _analysis_part(obj: Any, x0: np.ndarray, lr: float, result: Any, analyze: Any) -> str:
    try:
        text = analyze(obj, lr=lr, at=x0).text()
    except SymgdError as err:
        text = f"No analysis: {err}"
    blocks = [b for b in text.split("\n\n") if b.strip()]
    if blocks and blocks[0].strip() == str(obj.expr):      # the objective, shown above
        blocks = blocks[1:]
    paragraphs = "".join("<p>" + "<br>".join(html.escape(line.strip())
                                             for line in b.splitlines()) + "</p>"
                         for b in blocks)
    verdict = html.escape(result.message)
    return (f'{paragraphs}<p class="verdict">The run: {html.escape(result.step or "fixed")} '
            f"steps with lr = {html.escape(number(lr, 4))} from "
            f"{html.escape(point(obj.names, x0))}. {verdict}</p>")


def _table_part(obj: Any, result: Any) -> str:
    hist = result.history
    head = "".join(f"<th>{html.escape(h)}</th>" for h in
                   ("t", *obj.names, obj.label, "|∇" + obj.label + "|"))
    rows = list(range(len(hist)))
    if len(rows) > _TABLE_HEAD + _TABLE_TAIL:
        rows = rows[:_TABLE_HEAD] + [-1] + rows[-_TABLE_TAIL:]
    body = []
    for r in rows:
        if r < 0:
            body.append(f'<tr class="gap"><td colspan="{obj.n + 3}">⋮</td></tr>')
            continue
        cells = [str(int(hist.iteration[r])), *(f"{v:.6g}" for v in hist.x[r]),
                 f"{hist.loss[r]:.6g}", f"{hist.grad_norm[r]:.3g}"]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figures_part(obj: Any, result: Any, frames: int) -> str:
    from .plot import animate, plot_contour, plot_fit, plot_loss, plot_slice
    from .plot.common import pyplot
    from .plot.animate import save_gif
    plt = pyplot()
    out = []
    data_fit = obj.per_sample is not None and getattr(obj, "model", None) is not None
    try:
        if obj.n == 2:
            d = plot_contour(obj, result)
            out.append(_figure(_png(d.figure), "contour with the descent path",
                               "Contours, the path and the minimum."))
            d.close()
        elif obj.n == 1:
            d = plot_slice(obj, obj.names[0], result=result)
            out.append(_figure(_png(d.figure), "the objective with the steps on it",
                               "The objective and each step on it."))
            d.close()
        if data_fit:
            try:
                d = plot_fit(obj, result)
                out.append(_figure(_png(d.figure), "the model through the data",
                                   "The model at three iterations, with residuals."))
                d.close()
            except SymgdError:
                pass
        d = plot_loss(result, log=True, name=obj.label)
        out.append(_figure(_png(d.figure), "loss curve", "The loss at each iteration."))
        d.close()
        if frames:
            anim = animate(obj, result, frames=frames)
            buf = io.BytesIO()
            save_gif(anim, buf, dpi=72)
            anim.symgd_close()
            src = "data:image/gif;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
            out.append(_figure(src, "animation of the descent", "The descent, animated."))
    finally:
        plt.close("all")
    return "\n".join(out)

