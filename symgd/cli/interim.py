"""The report interface for objects that do not have all of it yet.

Every object the library hands back is becoming a :class:`symgd._report.Report`
(``text``, ``markdown``, ``latex``, ``to_dict``, ``to_json``). An object that
already has the whole interface is used as it is; one that has only part of
it (``str()`` or ``text()``, and ``to_dict()``) gets the rest from the mixin,
exactly as a subclass would. Once every report subclasses the mixin,
:func:`with_interface` returns its argument unchanged and this module can go.
"""

from __future__ import annotations

from typing import Any

from .._report import Report
from ..errors import InputError

__all__ = ["with_interface", "INTERFACE"]

INTERFACE = ("text", "markdown", "latex", "to_dict", "to_json")


def with_interface(obj: Any) -> Any:
    """``obj`` if it has the whole report interface, else ``obj`` completed by the mixin.

    >>> class Old:
    ...     def __str__(self): return "old *report*"
    ...     def to_dict(self): return {"n": 1}
    >>> r = with_interface(Old())
    >>> r.text(), r.markdown(), r.latex(), r.to_json(indent=None)
    ('old *report*', 'old \\\\*report\\\\*', None, '{"n": 1}')
    """
    if all(callable(getattr(obj, name, None)) for name in INTERFACE):
        return obj
    return _Completed(obj)


class _Completed(Report):
    """``obj``'s own forms where it has them, the mixin's elsewhere."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def _own(self, name: str) -> Any:
        method = getattr(self.obj, name, None)
        return method if callable(method) else None

    def text(self) -> str:
        own = self._own("text")
        return own() if own else str(self.obj)

    def markdown(self) -> str:
        own = self._own("markdown")
        return own() if own else super().markdown()

    def latex(self) -> str | None:
        own = self._own("latex")
        return own() if own else None

    def to_dict(self) -> dict[str, Any]:
        own = self._own("to_dict")
        if own is None:
            raise InputError(f"{type(self.obj).__name__} has no JSON form; use --format "
                             "text, markdown or latex")
        return own()
