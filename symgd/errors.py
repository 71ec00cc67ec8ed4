"""Errors raised by symgd for invalid input.

Every error is a :class:`SymgdError` and also subclasses the nearest builtin
(``ValueError`` or ``TypeError``), so ``except ValueError`` keeps working.
A run that does not converge is *not* an error: it is reported in
:class:`symgd.Result`.
"""

from __future__ import annotations

from ._text import MAX_MESSAGE, shorten, truncate  # noqa: F401  (re-exported)

__all__ = [
    "SymgdError",
    "ParseError",
    "ObjectiveError",
    "InputError",
    "InputTypeError",
    "DataError",
    "ResourceError",
]


truncated = truncate       # the name the modules used before _text


class SymgdError(Exception):
    """Base class of every error symgd raises on purpose.

    A single message is kept to one readable line: very long words quoted from
    the input are shortened (see :func:`shorten`).
    """

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str):
            args = (shorten(args[0]),)
        super().__init__(*args)


class ParseError(SymgdError, ValueError):
    """Text that symgd cannot read as a mathematical expression.

    Attributes
    ----------
    text : str
        The text that was received (possibly shortened for very long input).
    position : int or None
        0-based index into ``text`` where the problem is, when known: the
        character is ``text[position]``. The message counts columns from 1,
        as editors do, and says "column ``position + 1``" (:attr:`column`).
    column : int or None
        The 1-based column the message names (``position + 1``).
    reason : str
        What is wrong, without the text and the column.
    hint : str
        What to do instead.
    suggestions : tuple of str
        Whole inputs the message proposes, each spelling one reading of the
        text (``("x*y",)`` for ``"xy"``); every one of them parses.

    Examples
    --------
    >>> err = ParseError("the expression ends with '+'", "2x +", 3)
    >>> err.position, err.column, err.text[err.position]
    (3, 4, '+')
    >>> "at column 4" in str(err)
    True
    """

    def __init__(self, reason: str, text: str = "", position: int | None = None,
                 hint: str = "", suggestions: tuple[str, ...] = ()) -> None:
        self.reason = reason
        self.text = text
        self.position = position
        self.hint = hint
        self.suggestions = tuple(suggestions)
        super().__init__(self._one_line())

    def __reduce__(self) -> tuple:
        # rebuilt from its parts, not from the one-line message (pickling, processes)
        return (type(self), (self.reason, self.text, self.position, self.hint,
                             self.suggestions))

    @property
    def column(self) -> int | None:
        """The 1-based column of the message (``position + 1``), or None."""
        return None if self.position is None else self.position + 1

    def _one_line(self) -> str:
        shown = truncated(self.text)
        where = f" at column {self.column}" if self.position is not None else ""
        # LaTeX commands read better with one backslash than with repr's two
        msg = f"cannot parse {repr(shown).replace(chr(92) * 2, chr(92))}{where}: {self.reason}"
        return f"{msg}; {self.hint}" if self.hint else msg

    def show(self) -> str:
        """The message with the input and a caret under the faulty column.

        >>> err = ParseError("unexpected ')'", "x + )", 4)
        >>> print(err.show())
        x + )
            ^
        cannot parse 'x + )' at column 5: unexpected ')'
        """
        if self.position is None or len(self.text) > 200:
            return str(self)
        return f"{self.text}\n{' ' * self.position}^\n{self}"


class ObjectiveError(SymgdError, ValueError):
    """An expression or function that cannot be used as an objective."""


class InputError(SymgdError, ValueError):
    """An invalid argument: a start point, a learning rate, a variable list..."""


class InputTypeError(InputError, TypeError):
    """An argument of the wrong type."""


class DataError(SymgdError, ValueError):
    """Data that cannot be used: a missing file, a non-numeric cell, NaN,
    columns of unequal length, a constant feature..."""


class ResourceError(ObjectiveError):
    """Valid input whose symbolic or exact work would exceed one of symgd's
    documented limits (expression nodes of a derivative, entries of a
    Hessian, digits of an exact number, values kept in a history); the
    message names the limit and what to do instead.

    It subclasses :class:`ObjectiveError` (and so ``ValueError``), so code
    that catches those keeps working.
    """
