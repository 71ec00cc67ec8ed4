"""A progress line on standard error for long runs.

One line, redrawn in place, once a run has taken :data:`DELAY` seconds::

    descend  41,000/1,000,000 it  4%  20,480 it/s  loss 0.0123  ETA ≤47s

with the rate, the latest loss (where there is one) and the time left.
When a run may stop before its limit (a descent that converges), the ETA
is an upper bound and says so with ``≤``. It is written to standard error
only, never to standard output or into a report, and erased when the run
ends, so piped output and JSON are unchanged.

Why not tqdm: symgd's core has no such dependency, and the line needs
only a throttled ``time.monotonic()`` check per iterate (tqdm's bar costs
more per update, and its optional use would make the output depend on what
else is installed). :func:`progress_line` returns None when nothing is to
be shown, so a run without progress pays nothing.
"""

from __future__ import annotations

import math
import shutil
import sys
import time
from typing import IO, Any

from .errors import InputTypeError

__all__ = ["Progress", "progress_line", "wanted", "DELAY", "INTERVAL"]

DELAY = 1.0
"""Seconds a run takes before its progress line appears (short runs show none)."""

INTERVAL = 0.2
"""Seconds between redraws of the line."""


def wanted(show: object, stream: Any) -> bool:
    """Whether to show progress: ``True`` always, ``False`` never, ``None`` or
    ``"auto"`` when ``stream`` is a terminal.

    >>> import io
    >>> wanted("auto", io.StringIO()), wanted(True, io.StringIO()), wanted(False, sys.stderr)
    (False, True, False)
    """
    if show is None or show == "auto":
        try:
            return bool(stream.isatty())
        except (AttributeError, ValueError):       # no isatty, or a closed stream
            return False
    if isinstance(show, bool):
        return show
    raise InputTypeError(f"progress must be True, False or 'auto', got {show!r:.40}")


def progress_line(label: str, total: int | None = None, *, show: object = False,
                  unit: str = "it", bound: bool = False,
                  stream: IO[str] | None = None) -> Progress | None:
    """A :class:`Progress` when ``show`` asks for one (see :func:`wanted`), else None.

    >>> import io
    >>> progress_line("descend", 100, show="auto", stream=io.StringIO()) is None
    True
    """
    stream = sys.stderr if stream is None else stream
    if not wanted(show, stream):
        return None
    return Progress(label, total, unit=unit, bound=bound, stream=stream)


class Progress:
    """One progress line, redrawn at most every :data:`INTERVAL` seconds.

    Parameters
    ----------
    label : str
        What runs (``"descend"``, ``"stationary points"``).
    total : int, optional
        The most units the run takes (None: unknown, no ETA).
    unit : str
        The unit counted (``"it"``, ``"starts"``, ``"items"``).
    bound : bool
        True when the run may stop before ``total``: the ETA is then an
        upper bound, shown with ``≤``.
    stream : file, optional
        Where to write; standard error by default.
    delay, interval : float, optional
        Seconds before the first line, and between lines (by default
        :data:`DELAY` and :data:`INTERVAL`).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> p = Progress("descend", 1000, bound=True, stream=out, delay=0.0, interval=0.0)
    >>> p.line(250, loss=0.5, elapsed=2.0)
    'descend  250/1,000 it  25%  125 it/s  loss 0.5  ETA ≤6s'
    >>> p.update(250, loss=0.5); p.close()
    >>> out.getvalue().startswith("\\rdescend  250/1,000 it")
    True
    """

    def __init__(self, label: str, total: int | None = None, *, unit: str = "it",
                 bound: bool = False, stream: IO[str] | None = None,
                 delay: float | None = None, interval: float | None = None) -> None:
        self.label, self.unit, self.bound = label, unit, bound
        self.total = None if total is None else int(total)
        self.stream = sys.stderr if stream is None else stream
        self.interval = INTERVAL if interval is None else interval
        self.start = time.monotonic()
        self._next = self.start + (DELAY if delay is None else delay)
        self._shown = False
        try:
            self._terminal = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            self._terminal = False

    def stage(self, label: str, total: int | None = None, *, unit: str = "it",
              bound: bool = False) -> None:
        """Go on to the next stage of a run: a new label and count, the clock
        restarted for the rate (the line stays up if it was shown)."""
        self.label, self.unit, self.bound = label, unit, bound
        self.total = None if total is None else int(total)
        self.start = time.monotonic()

    def update(self, done: int, loss: float | None = None, note: str = "") -> None:
        """Say that ``done`` units are done (cheap when it is not time to redraw)."""
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self.interval
        text = self.line(done, loss, note, now - self.start)
        if self._terminal:
            width = shutil.get_terminal_size((80, 24)).columns - 1
            text = text[:max(width, 10)]
        try:
            self.stream.write("\r" + text + ("\x1b[K" if self._terminal else ""))
            self.stream.flush()
        except (OSError, ValueError):          # a closed or broken stream: stop showing
            self._next = math.inf
            return
        self._shown = True

    def tick(self, done: int, loss: float | None = None) -> int:
        """:meth:`update`, returning the count at which to call again: about
        a twentieth of a second of work ahead at the rate so far, so a fast
        loop pays one comparison per iterate.

        >>> Progress("descend", 10).tick(0)
        1
        """
        self.update(done, loss)
        elapsed = time.monotonic() - self.start
        ahead = done / elapsed * 0.05 if elapsed > 0 else 0.0
        return done + max(1, min(int(ahead), 1 << 40))

    def line(self, done: int, loss: float | None = None, note: str = "",
             elapsed: float | None = None) -> str:
        """The line's text after ``elapsed`` seconds."""
        elapsed = time.monotonic() - self.start if elapsed is None else elapsed
        parts = [self.label]
        if self.total:
            parts.append(f"{done:,}/{self.total:,} {self.unit}")
            parts.append(f"{100 * done // self.total}%")
        else:
            parts.append(f"{done:,} {self.unit}")
        rate = done / elapsed if elapsed > 0 else 0.0
        if rate > 0:
            parts.append(f"{_rate(rate)} {self.unit}/s")
        if loss is not None:
            parts.append(f"loss {loss:.6g}")
        if note:
            parts.append(note)
        if self.total and rate > 0 and done < self.total:
            parts.append(f"ETA {'≤' if self.bound else ''}{_duration((self.total - done) / rate)}")
        return "  ".join(parts)

    def clear(self) -> None:
        """Erase the line on a terminal (before other output is written there);
        the next :meth:`update` draws it again."""
        if self._shown and self._terminal:
            try:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._next = 0.0 if self._next != math.inf else math.inf

    def close(self) -> None:
        """End the line: erased on a terminal, else ended with a newline."""
        if not self._shown:
            return
        self._shown = False
        try:
            self.stream.write("\r\x1b[K" if self._terminal else "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _rate(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.2g}"


def _duration(seconds: float) -> str:
    """``7s``, ``3m05s``, ``2h10m``.

    >>> _duration(7.0), _duration(185), _duration(7800)
    ('7s', '3m05s', '2h10m')
    """
    if not math.isfinite(seconds):
        return "?"
    s = int(math.ceil(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"
