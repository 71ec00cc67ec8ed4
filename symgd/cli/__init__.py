"""The ``symgd`` command."""

from .core import main

__all__ = ["main"]
