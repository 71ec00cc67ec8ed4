"""Points given by a user: a sequence, a mapping of names or one number, checked."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import sympy as sp

from ..errors import InputError, InputTypeError

__all__ = ["as_point", "keyed_by_name"]


def as_point(x: object, names: Sequence[str], what: str = "point") -> np.ndarray:
    """``x`` as a finite float array with one value per name, or a clear error.

    ``x`` may be a sequence in the order of ``names``, a mapping from names
    (or SymPy symbols of those names) to values, or a single number for
    every name; ``what`` names it in messages ("start", "point").

    >>> as_point({"y": 2, "x": 1}, ["x", "y"])
    array([1., 2.])
    >>> x, y = sp.symbols("x y")
    >>> as_point({x: 1, y: 2}, ["x", "y"])
    array([1., 2.])
    >>> as_point(0.5, ["x", "y"])
    array([0.5, 0.5])
    """
    n = len(names)
    if type(x) is np.ndarray and x.dtype == np.float64 and x.shape == (n,) and \
            np.isfinite(x).all():
        return x.copy()         # the common call, from a loop or an optimiser
    if isinstance(x, Mapping):
        x = keyed_by_name(x, what)
        missing = [k for k in names if k not in x]
        extra = [k for k in x if k not in names]
        if missing or extra:
            problem = f"lacks {missing}" if missing else f"has unknown names {extra}"
            raise InputError(f"{what} {dict(x)!r} {problem}; the variables are "
                             f"{', '.join(names)}")
        x = [x[k] for k in names]
    if x is None or isinstance(x, (str, bytes)) or isinstance(x, (list, tuple)) and \
            any(v is None or isinstance(v, (str, bytes)) for v in x):
        raise InputTypeError(f"{what} must be numbers, one per variable "
                             f"({', '.join(names)}); got {x!r:.80}")
    try:
        arr = np.array(x, dtype=float)
    except OverflowError:
        raise InputError(f"{what} must be finite numbers, one per variable "
                         f"({', '.join(names)}); {str(x)[:40]!r}... is beyond the float64 "
                         "range (about 1.8e308)") from None
    except (TypeError, ValueError):
        raise InputTypeError(f"{what} must be numbers, one per variable "
                             f"({', '.join(names)}); got {x!r:.80}") from None
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.ndim != 1:
        raise InputError(f"{what} must be one value per variable ({', '.join(names)}), "
                         f"got an array of shape {arr.shape}")
    if arr.shape != (n,):
        raise InputError(f"{what} has {arr.size} value{'s' * (arr.size != 1)} but the "
                         f"objective has {n} variable{'s' * (n != 1)} ({', '.join(names)})")
    if not np.isfinite(arr).all():
        raise InputError(f"{what} must be finite numbers, got {arr.tolist()}")
    return arr


def keyed_by_name(x: Mapping[object, object], what: str) -> dict[object, object]:
    """A mapping keyed by symbols or names, keyed by names; a name given twice
    (as ``"x"`` and as the symbol ``x``) is an error."""
    out: dict[object, object] = {}
    for key, value in x.items():
        name = key.name if isinstance(key, sp.Symbol) else key
        if name in out:
            raise InputError(f"{what} gives {name!r} twice (as a name and as a symbol, "
                             "or as two symbols of that name); give each variable once")
        out[name] = value
    return out
