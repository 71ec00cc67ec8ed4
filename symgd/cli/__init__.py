"""The ``symgd`` command: :func:`main`, with its parser (:mod:`.parser`),
the rules on option combinations (:mod:`.rules`), one function per command
(:mod:`.commands`) and the one way they print (:mod:`.emit`)."""

from .main import main

__all__ = ["main"]
