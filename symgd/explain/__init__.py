"""Derivatives step by step, one textbook rule per line.

:func:`explain` is the entry point (in :mod:`.core`); :mod:`.derive` is the
derivation engine, :mod:`.printers` how steps print, :mod:`.report` the
:class:`Derivation` and :class:`Explanation` it returns.

``symgd.explain`` is the function: the package ``symgd`` binds the name to
it, so a submodule is reached with ``from symgd.explain import derive``
(``symgd.explain.derive`` as an attribute is the function's, and does not
exist).
"""

from .core import explain
from .derive import RULES, Step
from .report import FORMATS, Derivation, Explanation

__all__ = ["explain", "Explanation", "Derivation", "FORMATS", "RULES", "Step"]
