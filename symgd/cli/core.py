"""The ``symgd`` command's entry points under their former module name."""

from .main import main
from .parser import build_parser

__all__ = ["main", "build_parser"]
