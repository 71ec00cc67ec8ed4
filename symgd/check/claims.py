"""Reading claimed derivatives: text, SymPy, mappings by name, Python functions.

A claim becomes a :class:`Claim`: either expressions in the target's
symbols (text goes only through :func:`symgd.parse`), or a function that
evaluates the claimed ``grad``/``hess`` at many points. For a Python
function the signature tells whether it takes one vector or one number per
variable; where it does not, both are tried and the first that works is
kept.
"""

from __future__ import annotations

import inspect
import numbers
import re
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import sympy as sp

from .._text import point, quote
from ..errors import InputError, InputTypeError
from ..expr.numbers import constant_values
from ..expr.parse import exact_number, parse_real, split_top_level
from .targets import Target

__all__ = ["Claim", "WithConstants", "is_function", "gradient_claim", "hessian_claim",
           "call_modes", "FunctionCaller", "named_partials"]


@dataclass
class Claim:
    """Claimed derivatives: expressions, or a function evaluated at points."""

    shown: list[str]
    exprs: list[sp.Expr] | None = None
    function: Callable[[np.ndarray], np.ndarray] | None = None


@dataclass(frozen=True)
class WithConstants:
    """A claim that uses named constants: ``claimed`` is read with ``constants``
    substituted, as the objective was (``2a*x`` with ``{"a": 2.5}`` is ``5*x``).

    >>> from symgd.objective.core import Objective
    >>> from symgd.check.targets import gradient_target
    >>> t = gradient_target(Objective("a*x^2", constants={"a": 2.5}), function=False)
    >>> gradient_claim(WithConstants("2a*x", {"a": 2.5}), t).exprs
    [5*x]
    """

    claimed: Any
    constants: Mapping[str, object]


def is_function(claimed: Any) -> bool:
    """Whether ``claimed`` is a Python function (not text, SymPy or a container).

    >>> is_function(lambda v: v), is_function("2x"), is_function(["2x"]), is_function(int)
    (True, False, False, False)
    """
    if isinstance(claimed, (str, bytes, Mapping, sp.Basic, sp.MatrixBase, np.ndarray,
                            list, tuple, type)):
        return False
    return callable(claimed)


def gradient_claim(claimed: Any, target: Target) -> Claim:
    """A claimed gradient, read against ``target``."""
    claimed, constants = _constants_of(claimed, target)
    if target.exprs is None or is_function(claimed):
        return _function_claim(claimed, target)
    return _expression_claim(_gradient_items(claimed, target), target, constants)


def hessian_claim(claimed: Any, target: Target) -> Claim:
    """A claimed Hessian, read against ``target`` (it must be n×n)."""
    claimed, constants = _constants_of(claimed, target)
    if target.exprs is None or is_function(claimed):
        return _function_claim(claimed, target)
    n = target.obj.n
    rows = _matrix_rows(claimed, n)
    if len(rows) != n or any(len(r) != n for r in rows):
        shape = f"{len(rows)} rows of lengths {[len(r) for r in rows]}"
        raise InputError(f"the claimed Hessian must be {n}×{n} (the variables are "
                         f"{', '.join(target.obj.names)}), got {shape}")
    return _expression_claim([x for row in rows for x in row], target, constants)


def _constants_of(claimed: Any, target: Target) -> tuple[Any, dict[str, sp.Expr]]:
    """The claim and the constants to read it with: the objective's own
    (those substituted when it was built), and any given with the claim."""
    own = dict(getattr(target.obj, "constants", None) or {})
    if isinstance(claimed, WithConstants):
        return claimed.claimed, {**own, **constant_values(claimed.constants)}
    return claimed, own


# -------------------------------------------------------------- containers

def _gradient_items(claimed: Any, target: Target) -> list[Any]:
    obj, n = target.obj, target.obj.n
    if isinstance(claimed, str):
        items: list[Any] = split_top_level(_unwrap(claimed), ",")
        named = named_partials(items, obj.names)
        if named is not None:
            items = _by_name(named, obj.names)
    elif isinstance(claimed, Mapping):
        items = _by_name(claimed, obj.names)
    elif isinstance(claimed, sp.MatrixBase):
        if 1 not in claimed.shape:
            raise InputError(f"a claimed gradient must be a vector, got a matrix of shape "
                             f"{claimed.shape}")
        items = list(claimed)
    elif isinstance(claimed, (list, tuple, np.ndarray)):
        items = list(np.asarray(claimed, dtype=object).ravel()) \
            if isinstance(claimed, np.ndarray) else list(claimed)
    elif isinstance(claimed, (sp.Basic, numbers.Number)):
        items = [claimed]
    else:
        raise InputTypeError(
            f"the claimed gradient must be text, a list of partials, a mapping from "
            f"variable names to partials or a Python function; got {type(claimed).__name__}")
    if len(items) != n:
        shown = "; ".join(str(i) for i in items)
        raise InputError(
            f"{obj.label} has {n} variable{'s' * (n != 1)} ({', '.join(obj.names)}), so its "
            f"gradient has {n} partial{'s' * (n != 1)}, but {len(items)} "
            f"{'were' if len(items) != 1 else 'was'} claimed: {shown}")
    return items


def _by_name(claimed: Mapping[Any, Any], names: Sequence[str]) -> list[Any]:
    given = {(k.name if isinstance(k, sp.Symbol) else k): v for k, v in claimed.items()}
    unknown = [k for k in given if k not in names]
    missing = [k for k in names if k not in given]
    if unknown:
        which = "is not a variable" if len(unknown) == 1 else "are not variables"
        raise InputError(f"the claimed partials name {', '.join(map(str, unknown))}, which "
                         f"{which}; the variables are {', '.join(names)}")
    if missing:
        raise InputError(f"no claimed partial for {', '.join(missing)}; give one for every "
                         f"variable ({', '.join(names)})")
    return [given[k] for k in names]


_NAMED = re.compile(r"^\s*([^\W\d]\w*)\s*(:|=(?!=))(.*)$", re.S)


def named_partials(parts: Sequence[str], names: Sequence[str]) -> dict[str, str] | None:
    """``["w: 2x", "b: 1"]`` -> ``{"w": "2x", "b": "1"}``: partials given by
    name, in any order; None when the parts are not all written so.

    ``name: partial`` always names a variable (an unknown name is refused
    later, naming the variables); ``name = partial`` only when every name is
    a variable, since ``f = 2x`` may name the function.

    >>> named_partials(["b: 2*(w + b)", "w : 2*x"], ["w", "b"])
    {'b': '2*(w + b)', 'w': '2*x'}
    >>> named_partials(["w = 2*x", "b = 1"], ["w", "b"]), named_partials(["2x", "1"], ["x"])
    ({'w': '2*x', 'b': '1'}, None)
    """
    found = [_NAMED.match(p) for p in parts]
    if not parts or not all(found):
        return None
    pairs = [(m.group(1), m.group(2), m.group(3).strip()) for m in found if m]
    if any(sep == "=" for _, sep, _ in pairs) and \
            not all(sep == "=" and name in names for name, sep, _ in pairs):
        return None
    given: dict[str, str] = {}
    for name, _, partial in pairs:
        if name in given:
            raise InputError(f"the claimed partials give {name} twice; give each variable's "
                             f"partial once ({', '.join(names)})")
        given[name] = partial
    return given


def _matrix_rows(claimed: Any, n: int) -> list[list[Any]]:
    if isinstance(claimed, str):
        return _matrix_text(claimed, n)
    if isinstance(claimed, sp.MatrixBase):
        return [list(claimed.row(i)) for i in range(claimed.rows)]
    if isinstance(claimed, np.ndarray):
        claimed = claimed.tolist() if claimed.ndim == 2 else [claimed.tolist()]
    if isinstance(claimed, (list, tuple)):
        if n == 1 and claimed and not isinstance(claimed[0], (list, tuple, np.ndarray)):
            return [list(claimed)]
        rows = []
        for row in claimed:
            if not isinstance(row, (list, tuple, np.ndarray, sp.MatrixBase)):
                raise InputError(f"the claimed Hessian must be a list of rows, got the row "
                                 f"{quote(row)}; write [[a, b], [c, d]]")
            rows.append(list(row))
        return rows
    if isinstance(claimed, (sp.Basic, numbers.Number)) and n == 1:
        return [[claimed]]
    raise InputTypeError(f"the claimed Hessian must be text, nested lists, a SymPy Matrix "
                         f"or a Python function; got {type(claimed).__name__}")


def _matrix_text(text: str, n: int) -> list[list[str]]:
    body = _unwrap(text)
    if split_top_level(body, ";")[1:]:
        return [split_top_level(_unwrap(row), ",") for row in split_top_level(body, ";")]
    parts = split_top_level(body, ",")
    if all(p.startswith("[") and p.endswith("]") for p in parts) and body != text.strip():
        return [split_top_level(_unwrap(p), ",") for p in parts]
    if n == 1 and len(parts) == 1:
        return [parts]
    raise InputError(f"write the claimed Hessian as rows separated by ';' "
                     f"(\"2, 1; 1, 2\") or as [[2, 1], [1, 2]]; got {quote(text, 80)}")


def _unwrap(text: str) -> str:
    """The inside of one pair of brackets around a list.

    >>> _unwrap("[a, b]"), _unwrap("(a, b)"), _unwrap("(a + b)"), _unwrap("(a)*(b)")
    ('a, b', 'a, b', '(a + b)', '(a)*(b)')
    """
    text = text.strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("[", "]"), ("(", ")")):
        depth = 0
        for k, ch in enumerate(text):
            depth += (ch in "([") - (ch in ")]")
            if depth == 0 and k < len(text) - 1:
                return text            # the first bracket closes before the end
        inner = text[1:-1].strip()
        if text[0] == "[" or len(split_top_level(inner, ",")) > 1 or ";" in inner:
            return inner
    return text


# ------------------------------------------------------------- expressions

def _expression_claim(items: Sequence[Any], target: Target,
                      constants: Mapping[str, sp.Expr] | None = None) -> Claim:
    exprs, shown = [], []
    for label, item in zip(target.labels, items):
        exprs.append(_claimed_expr(item, label, target, constants or {}))
        shown.append(item.strip() if isinstance(item, str) else str(item))
    return Claim(shown, exprs=exprs)


def _claimed_expr(item: Any, label: str, target: Target,
                  constants: Mapping[str, sp.Expr]) -> sp.Expr:
    names = target.names
    constants = {k: v for k, v in constants.items() if k not in names}
    if isinstance(item, str):
        if not item.strip():
            raise InputError(f"the claimed {label} is empty; give an expression such as 2x + y")
        expr = parse_real(item, variables=names, constants=constants or None)
    elif isinstance(item, bool):
        raise InputTypeError(f"the claimed {label} must be an expression, got {item!r}")
    elif isinstance(item, (numbers.Number, np.number)):
        expr = exact_number(item, f"the claimed {label}")
    elif isinstance(item, sp.Expr):
        expr = item
    else:
        raise InputTypeError(f"the claimed {label} must be text, a number or a SymPy "
                             f"expression; got {type(item).__name__} {quote(item)}")
    if constants and not isinstance(item, str):
        expr = expr.xreplace({s: constants[s.name] for s in expr.free_symbols
                              if isinstance(s, sp.Symbol) and s.name in constants})
    return _in_target_symbols(expr, item, label, target)


def _in_target_symbols(expr: sp.Expr, item: Any, label: str, target: Target) -> sp.Expr:
    """``expr`` with its symbols replaced by the target's (same names), or an
    error naming the symbols that are not the target's."""
    names = target.names
    by_name = dict(zip(names, target.symbols))
    free = expr.free_symbols
    odd = [s for s in free if not isinstance(s, sp.Symbol)]
    unknown = sorted({s.name if isinstance(s, sp.Symbol) else str(s) for s in free
                      if not isinstance(s, sp.Symbol) or s.name not in by_name})
    if unknown or odd:
        which = "is not a variable" if len(unknown) == 1 else "are not variables"
        raise InputError(f"the claimed {label} {quote(str(item), 80)} uses "
                         f"{', '.join(unknown)}, which {which} of {target.obj.label} "
                         f"(its {'names' if target.note else 'variables'}: "
                         f"{', '.join(names)}); write it in those names only")
    return expr.xreplace({s: by_name[s.name] for s in free})


# ---------------------------------------------------------------- functions

def _function_claim(func: Any, target: Target) -> Claim:
    if not callable(func) or isinstance(func, type):
        raise InputTypeError(f"the claimed {target.kind} must be a Python function here, "
                             f"got {type(func).__name__}")
    name = getattr(func, "__name__", "")
    name = name if name.isidentifier() else ("grad" if target.kind == "gradient" else "hess")
    caller = FunctionCaller(func, target, name)
    shown = [f"{name}(x)" + "".join(f"[{i}]" for i in ij) for ij in target.wrt] \
        if target.obj.n > 1 else [f"{name}(x)"]
    return Claim(shown, function=caller)


def call_modes(func: Callable[..., Any], n: int) -> list[str]:
    """How to call a claimed function of ``n`` variables, from its signature:
    ``"vector"`` (one array) and/or ``"scalars"`` (one number per variable),
    in the order to try them.

    >>> call_modes(lambda x, y: 0, 2), call_modes(lambda v: 0, 2), call_modes(lambda x: 0, 1)
    (['scalars'], ['vector'], ['vector', 'scalars'])
    >>> call_modes(max, 2)
    ['vector', 'scalars']
    """
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return ["vector", "scalars"]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return ["vector", "scalars"]
    if n > 1 and len(required) <= n <= len(positional):
        return ["scalars"]
    return ["vector", "scalars"] if n == 1 else ["vector"]


class FunctionCaller:
    """Calls a claimed ``grad``/``hess`` at ``(m, k)`` points, giving ``(m,
    size)`` values (nan where it is undefined); learns how it takes its input."""

    def __init__(self, func: Callable[..., Any], target: Target, name: str) -> None:
        self.func = func
        self.target = target
        self.name = name
        self.n = target.obj.n
        self.modes = call_modes(func, self.n)

    def _call(self, mode: str, p: np.ndarray) -> Any:
        if mode == "vector":
            return self.func(p.copy())
        return self.func(*(float(v) for v in p))

    def _at(self, p: np.ndarray) -> str:
        return point(self.target.names, p)

    def _shaped(self, value: Any, p: np.ndarray) -> np.ndarray:
        arr = np.asarray(value)
        if arr.dtype.kind == "c":
            arr = np.where(arr.imag == 0, arr.real, np.nan)
        if arr.dtype.kind not in "biuf":
            try:
                arr = arr.astype(float)
            except (TypeError, ValueError):
                raise InputError(f"the claimed {self.target.kind} function {self.name} "
                                 f"returned {quote(value)} at {self._at(p)}, "
                                 "which is not numbers") from None
        want = self.target.shape
        if arr.size == self.target.size and (arr.shape == want or arr.ndim <= 1 and len(want) == 1
                                              or arr.ndim == 0 and self.target.size == 1):
            return arr.astype(float).ravel()
        raise InputError(f"the claimed {self.target.kind} function {self.name} returned shape "
                         f"{arr.shape} at {self._at(p)}; expected "
                         f"{'×'.join(map(str, want))} values (variables "
                         f"{', '.join(self.target.obj.names)})")

    def __call__(self, P: np.ndarray) -> np.ndarray:
        out = np.full((len(P), self.target.size), np.nan)
        first_error: tuple[BaseException, np.ndarray] | None = None
        for k, p in enumerate(P):
            for mode in list(self.modes):
                try:
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        value = self._call(mode, p)
                except Exception as err:  # the user's function: any error is possible
                    first_error = first_error or (err, p)
                    continue
                out[k] = self._shaped(value, p)
                self.modes = [mode]           # this way of calling works: keep it
                break
        if first_error is not None and not np.isfinite(out).any():
            err, p = first_error
            raise InputError(f"the claimed {self.target.kind} function {self.name} raised "
                             f"{type(err).__name__}: {err} at {self._at(p)} "
                             f"(and at every other point tried); it should take "
                             f"{self._expects()}") from None
        return out

    def _expects(self) -> str:
        names = ", ".join(self.target.obj.names)
        return f"one array ({names}) or {self.n} numbers" if self.n > 1 else "one array or number"
