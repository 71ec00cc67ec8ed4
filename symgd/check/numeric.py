r"""Checking any gradient function against finite differences of any ``f``.

:func:`check_grad` is :func:`scipy.optimize.check_grad` per component: each
component's claimed value, its estimate (the complex step where ``f``
accepts complex numbers, else central differences with a step chosen per
component), both errors and a verdict.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Sequence

import numpy as np

from .._text import quote
from ..errors import InputError
from .reports import NumericComponent, NumericReport
from .sampling import FLOOR_FACTOR

__all__ = ["check_grad"]

_EPS = np.finfo(float).eps
_COMPLEX_H = 1e-20
_SMALLEST = math.ulp(0.0)


def check_grad(f: Callable[[np.ndarray], Any], grad: Callable[[np.ndarray], Any], x0: Any, *,
               eps: float | Sequence[float] | None = None,
               complex_step: bool | str = "auto", rtol: float | None = None,
               atol: float | None = None, names: Sequence[str] | None = None
               ) -> NumericReport:
    r"""Compare a gradient function with finite differences of ``f``, per component.

    Like :func:`scipy.optimize.check_grad`, but per component (claimed value,
    estimate, absolute and relative error, verdict, the worst named), with a
    step chosen per component and, where ``f`` accepts complex numbers, the
    complex step :math:`\operatorname{Im} f(x + i h e_k)/h` (``h = 1e-20``),
    which has no cancellation error.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for a 1-D array ``x``.
    grad : callable
        ``grad(x) -> array`` of the same length as ``x``.
    x0 : array_like
        The point.
    eps : float or sequence, optional
        Central-difference steps. By default
        :math:`h_k = \sqrt[3]{\epsilon}\,\max(1, |x_k|)` (the step that
        balances truncation and rounding error).
    complex_step : "auto", True or False
        "auto" uses the complex step when ``f`` accepts complex input and it
        agrees with the central difference (``f`` must be complex-analytic:
        no ``abs``, no ``.real``); otherwise central differences, silently.
        True requires it.
    rtol, atol : float, optional
        A component is right when ``|claimed - estimate| <= atol + rtol *
        max(|claimed|, |estimate|, floor)``, plus the rounding error of the
        central difference (``100 eps |f| / h``, with f's own size). The
        floor is ``1e-6`` times the largest estimated component, so that a
        component that is 0 up to round-off is right. rtol is 1e-6 (central
        differences) or 1e-9 (complex step) by default; atol=0 by default:
        a small derivative is compared relative to its size (the gradient
        of ``1e-10*f`` is checked as strictly as that of ``f``). The
        reported relative error is relative to that same size, so a
        component is right exactly when it is at most rtol (with atol=0).
    names : sequence of str, optional
        Component names for the report (``x[0], x[1], ...`` by default).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda v: v[0]**2 * np.sin(v[1])
    >>> g = lambda v: np.array([2*v[0]*np.sin(v[1]), v[0]**2*np.cos(v[1])])
    >>> r = check_grad(f, g, [1.5, 0.3])
    >>> r.ok, r.method, r.max_abs_error < 1e-14
    (True, 'complex step', True)
    >>> bad = lambda v: np.array([2*v[0]*np.sin(v[1]), -v[0]**2*np.cos(v[1])])
    >>> check_grad(f, bad, [1.5, 0.3]).worst.name
    'x[1]'
    """
    x = _as_point(x0)
    n = len(x)
    labels = _component_names(names, n)
    fx = _scalar(f, x, "f")
    g = _gradient_value(grad, x)
    h = _steps(eps, x)
    pairs = [_central(f, x, k, h[k]) for k in range(n)]
    central = np.array([d for d, _ in pairs])
    fsize = np.array([max(abs(fx), size) for _, size in pairs])
    method, note, estimate = "central differences", "", central
    if complex_step not in ("auto", True, False):
        raise InputError(f"complex_step must be 'auto', True or False, got {quote(complex_step)}")
    if complex_step:
        cs, why = _complex_step(f, x, central, fsize, h)
        if cs is not None:
            method, estimate = "complex step", cs
        elif complex_step is True:
            raise InputError(f"complex step is not possible: {why}")
        else:
            note = f"central differences: {why}"
    rtol_ = (1e-9 if method == "complex step" else 1e-6) if rtol is None else float(rtol)
    atol_ = 0.0 if atol is None else float(atol)
    if not (math.isfinite(rtol_) and math.isfinite(atol_) and rtol_ >= 0 and atol_ >= 0):
        raise InputError(f"rtol and atol must be finite numbers >= 0, got {quote(rtol)} and "
                         f"{quote(atol)}")
    # Round-off of the central difference: f's size over the step (not max(1, |f|),
    # which would accept any error in the gradient of a small f).
    rounding = np.zeros(n) if method == "complex step" else 100 * _EPS * fsize / h
    # The scale floor: a tiny fraction of the largest component, so that a
    # component that is 0 up to round-off is not called wrong.
    floor = FLOOR_FACTOR * float(np.max(np.abs(estimate)))
    comps = []
    for k in range(n):
        c, e = float(g[k]), float(estimate[k])
        err = abs(c - e)
        # (never exactly 0, so that errors can be divided by it: at an exact zero of
        # the whole gradient only an exact 0 is right)
        tol = max(float(atol_ + rounding[k] + rtol_ * max(abs(c), abs(e), floor)), _SMALLEST)
        comps.append(NumericComponent(k, labels[k], c, e, err, _relative(err, c, e, tol, rtol_),
                                      tol, float(h[k]) if method != "complex step"
                                      else _COMPLEX_H, err <= tol))
    error = float(np.sqrt(sum((c.claimed - c.estimate) ** 2 for c in comps)))
    return NumericReport(tuple(float(v) for v in x), fx, method, tuple(comps), error, note)


def _relative(err: float, c: float, e: float, tol: float, rtol: float) -> float:
    """The error relative to the size the comparison used: at most ``rtol``
    exactly when the component is right (so that "right" never stands next to
    a relative error above the tolerance)."""
    if rtol > 0 and tol > 0:
        return err * rtol / tol if err else 0.0
    scale = max(abs(c), abs(e))
    return err / scale if scale else (math.inf if err else 0.0)


def _as_point(x0: Any) -> np.ndarray:
    try:
        x = np.atleast_1d(np.asarray(x0, dtype=float))
    except (TypeError, ValueError):
        raise InputError(f"x0 must be numbers, got {quote(x0, 60)}") from None
    if x.ndim != 1 or not len(x) or not np.isfinite(x).all():
        raise InputError(f"x0 must be a non-empty 1-D array of finite numbers, got {quote(x0, 60)}")
    return x


def _component_names(names: Sequence[str] | None, n: int) -> list[str]:
    if names is None:
        return [f"x[{k}]" for k in range(n)]
    names = [str(v) for v in names]
    if len(names) != n:
        raise InputError(f"names has {len(names)} entries for {n} components")
    return names


def _quiet_call(func: Callable[..., Any], *args: Any) -> Any:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args)


def _scalar(f: Callable[..., Any], x: np.ndarray, what: str) -> float:
    try:
        value = _quiet_call(f, x.copy())
        arr = np.asarray(value, dtype=float)
    except Exception as err:  # the user's function
        raise InputError(f"{what}(x0) raised {type(err).__name__}: {err}") from None
    if arr.size != 1:
        raise InputError(f"{what}(x0) must return one number, got shape {arr.shape}")
    value = float(arr.ravel()[0])
    if not math.isfinite(value):
        raise InputError(f"{what}(x0) is {value}; choose a point where f is finite")
    return value


def _gradient_value(grad: Callable[..., Any], x: np.ndarray) -> np.ndarray:
    try:
        g = np.asarray(_quiet_call(grad, x.copy()), dtype=float).ravel()
    except Exception as err:  # the user's function
        raise InputError(f"grad(x0) raised {type(err).__name__}: {err}") from None
    if g.shape != x.shape:
        raise InputError(f"grad(x0) returned {g.size} values; expected {len(x)}, one per "
                         "component of x0")
    return g


def _steps(eps: Any, x: np.ndarray) -> np.ndarray:
    if eps is None:
        h = np.cbrt(_EPS) * np.maximum(1.0, np.abs(x))
    else:
        h = np.broadcast_to(np.asarray(eps, dtype=float), x.shape).copy()
        if not (np.isfinite(h).all() and (h > 0).all()):
            raise InputError(f"eps must be positive, got {quote(eps)}")
    return (x + h) - x          # a step that is exact in floating point


def _central(f: Callable[..., Any], x: np.ndarray, k: int, h: float) -> tuple[float, float]:
    """The central difference in component ``k`` and the size of f's two values."""
    up, down = x.copy(), x.copy()
    up[k] += h
    down[k] -= h
    try:
        fu, fd = float(_quiet_call(f, up)), float(_quiet_call(f, down))
        return (fu - fd) / (2 * h), max(abs(fu), abs(fd))
    except Exception as err:  # the user's function
        raise InputError(f"f raised {type(err).__name__}: {err} at x0 ± {h:.3g} in "
                         f"component {k}") from None


def _complex_step(f: Callable[..., Any], x: np.ndarray, central: np.ndarray, fsize: np.ndarray,
                  h: np.ndarray) -> tuple[np.ndarray | None, str]:
    out = np.empty(len(x))
    for k in range(len(x)):
        z = x.astype(complex)
        z[k] += 1j * _COMPLEX_H
        try:
            value = np.asarray(_quiet_call(f, z))
        except Exception as err:  # no complex input: that is fine, use differences
            return None, f"f does not accept complex input ({type(err).__name__})"
        if value.size != 1 or value.dtype.kind != "c":
            return None, "f does not return complex values for complex input"
        out[k] = float(value.ravel()[0].imag) / _COMPLEX_H
    # A function that is not complex-analytic (abs, .real) gives wrong values.
    # Relative to the sizes of f and of the differences (a small f is no excuse).
    size = np.maximum(np.abs(central), FLOOR_FACTOR * float(np.max(np.abs(central))))
    slack = 1e-4 * size + 1e3 * _EPS * fsize / h
    if not (np.isfinite(out).all() and (np.abs(out - central) <= slack).all()):
        return None, "f's complex values disagree with central differences (abs or .real?)"
    return out, ""
