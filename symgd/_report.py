"""The one report interface shared by every object symgd hands back.

A report class defines :meth:`Report.text` (what ``str()`` and the terminal
show) and :meth:`Report.to_dict` (plain data); it may override
:meth:`Report.markdown`, :meth:`Report.latex` and :meth:`Report.html` where
it has a better form. Everything else follows from those:

* ``str(r)`` is ``r.text()``; ``repr(r)`` is one short line,
  ``<ClassName: headline>``, never a dump of fields;
* ``r.to_json()`` is ``to_dict()`` made JSON-safe (NaN and infinities are
  ``null``, exact numbers their text);
* Jupyter shows ``_repr_markdown_`` (or ``_repr_html_`` where the class
  defines ``html``), ``_repr_latex_`` where it defines ``latex``, and
  IPython's terminal shows ``text()``;
* :func:`render` gives any of the formats by name, which is how the command
  line prints every command.

Dataclasses that use the interface are declared with ``repr=False`` so that
the short ``__repr__`` below is not replaced by a generated one.
"""

from __future__ import annotations

import html as _html
import json
from typing import Any

from ._text import json_safe, truncate
from .errors import InputError

__all__ = ["Report", "FORMATS", "render", "html_pre"]

FORMATS = ("text", "markdown", "latex", "json")
_REPR_CHARS = 100            # characters of the headline in repr()
_PRETTY_LINES = 60           # lines IPython's terminal display shows, at most


class Report:
    """Mixin: the report interface (see the module docstring)."""

    def text(self) -> str:
        """The report as plain text, as ``str()`` gives it."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (numbers, strings, lists, dicts)."""
        raise NotImplementedError

    def markdown(self) -> str:
        """The report as Markdown (by default the text, line breaks kept)."""
        return "  \n".join(_md_line(line) for line in self.text().splitlines())

    def latex(self) -> str | None:
        """The report as LaTeX where that is natural, else None."""
        return None

    def html(self) -> str | None:
        """The report as an HTML fragment where the class has one, else None."""
        return None

    def to_json(self, indent: int | None = 1) -> str:
        """:meth:`to_dict` as JSON; NaN and infinities are ``null``."""
        return json.dumps(json_safe(self.to_dict()), indent=indent, ensure_ascii=False,
                          allow_nan=False)

    def headline(self) -> str:
        """One line that says what the report is about (the first line of the text)."""
        text = self.text()
        return text.splitlines()[0] if text else ""

    def format(self, fmt: str = "text") -> str:
        """The report in one of :data:`FORMATS` (``latex`` falls back to text)."""
        return render(self, fmt)

    # ------------------------------------------------------ displays

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {truncate(self.headline(), _REPR_CHARS)}>"

    def _repr_markdown_(self) -> str | None:
        if type(self).html is not Report.html:
            return None                         # the HTML form is shown instead
        return self.markdown()

    def _repr_html_(self) -> str | None:
        return self.html()

    def _repr_latex_(self) -> str | None:
        body = self.latex()
        return None if body is None else body

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        if cycle:
            p.text(repr(self))
            return
        lines = self.text().splitlines()
        if len(lines) > _PRETTY_LINES:
            lines = lines[:_PRETTY_LINES] + [f"... ({len(lines) - _PRETTY_LINES} more lines)"]
        p.text("\n".join(lines))


def render(report: Any, fmt: str = "text") -> str:
    """``report`` in the format ``fmt`` (one of :data:`FORMATS`).

    Works on any object with the report interface; ``latex`` falls back to
    the text for reports with no LaTeX form.

    >>> class Hello(Report):
    ...     def text(self): return "hello *world*"
    ...     def to_dict(self): return {"greeting": "hello", "value": float("nan")}
    >>> h = Hello()
    >>> render(h, "json")
    '{\\n "greeting": "hello",\\n "value": null\\n}'
    >>> render(h, "markdown")
    'hello \\\\*world\\\\*'
    >>> repr(h)
    '<Hello: hello *world*>'
    """
    if fmt == "text":
        return report.text()
    if fmt == "markdown":
        return report.markdown()
    if fmt == "latex":
        body = report.latex()
        return report.text() if body is None else body
    if fmt == "json":
        return report.to_json()
    raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def html_pre(text: str) -> str:
    """Text as an HTML ``<pre>`` block (escaped)."""
    return f"<pre>{_html.escape(text)}</pre>"


def _md_line(line: str) -> str:
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    for ch in ("\\", "*", "_", "`", "|", "<", ">", "#"):
        stripped = stripped.replace(ch, "\\" + ch)
    return "&nbsp;" * indent + stripped
