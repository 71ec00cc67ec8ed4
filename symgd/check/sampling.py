"""The claimed and the true derivatives at random points.

This is the cheap half of a check: it finds the points where the two differ
(the candidates for a counterexample, confirmed exactly later), and its
values are what the likely mistake is read from.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._text import quote
from ..errors import InputError, ObjectiveError
from ..objective.compile import Compiled
from .claims import Claim
from .targets import Target, stack_columns

__all__ = ["Settings", "settings", "Samples", "compare_at_points", "close", "allclose",
           "scale_floor", "MAX_POINTS", "FLOOR_FACTOR"]

MAX_POINTS = 10_000
_SAMPLING_ROUNDS = 6      # rounds of drawing points until enough have a finite true value
FLOOR_FACTOR = 1e-6       # the scale floor, relative to the typical size of the true values
_TYPICAL_QUANTILE = 10    # percentile of the sizes taken as "typical": low, so that a few
                          # huge values (exp(100x) at x = 7) do not hide the small ones


@dataclass(frozen=True)
class Settings:
    """The options of :func:`~symgd.check_gradient`, checked."""

    points: int
    seed: int
    timeout: float
    rtol: float
    atol: float


def settings(points: Any, seed: Any, timeout: Any, rtol: Any, atol: Any) -> Settings:
    """The options, or an InputError naming the one that is out of range.

    >>> settings(20, 0, 2, 1e-7, 1e-9).timeout
    2.0
    """
    if isinstance(points, bool) or not isinstance(points, numbers.Integral) \
            or not 1 <= points <= MAX_POINTS:
        raise InputError(f"points must be an integer from 1 to {MAX_POINTS}, got {quote(points)}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {quote(seed)}")
    values = []
    for name, value in (("timeout", timeout), ("rtol", rtol), ("atol", atol)):
        if isinstance(value, (bool, str)) or not isinstance(value, numbers.Real) \
                or not math.isfinite(value) or value < 0:
            raise InputError(f"{name} must be a finite number >= 0, got {quote(value)}")
        values.append(float(value))
    return Settings(int(points), int(seed), *values)


@dataclass
class Samples:
    """Values of the claimed and true derivatives at the random points."""

    P: np.ndarray          # (m, k) points where the whole true derivative is finite
    T: np.ndarray          # (m, c) true values
    A: np.ndarray          # (m, c) claimed values (nan where undefined)
    close: np.ndarray      # (m, c) agreement (False where either is undefined)
    both: np.ndarray       # (m, c) both finite
    witness: list[int | None]   # per component, the first point where they differ
    floor: np.ndarray = field(default_factory=lambda: np.zeros(0))   # (c,) scale floors

    def differing(self, c: int) -> np.ndarray:
        """The points (row numbers) where component ``c`` differs."""
        return np.flatnonzero(self.both[:, c] & ~self.close[:, c])


def scale_floor(values: np.ndarray) -> np.ndarray:
    """Per column, :data:`FLOOR_FACTOR` times the typical size of the values.

    The typical size is a low percentile of the finite nonzero ``|values|``
    in the column (or, for a column that is 0 everywhere, in all columns):
    the size below which a difference is taken for round-off near a zero.
    It is never a fixed absolute number: scaling the problem scales it.

    >>> scale_floor(np.array([[1e-10, 0.0], [3e-10, 0.0]])).tolist()
    [1.2e-16, 1.2e-16]
    >>> scale_floor(np.zeros((2, 1))).tolist()
    [0.0]
    """
    v = np.abs(np.atleast_1d(np.asarray(values, dtype=float)))
    if v.ndim == 1:
        v = v[:, None]
    with np.errstate(all="ignore"):
        usable = np.isfinite(v) & (v > 0)

    def typical(x: np.ndarray) -> float:
        return float(np.percentile(x, _TYPICAL_QUANTILE)) if len(x) else 0.0

    overall = typical(v[usable])
    cols = [typical(v[usable[:, c], c]) or overall for c in range(v.shape[1])]
    return FLOOR_FACTOR * np.array(cols, dtype=float)


def close(a: np.ndarray, b: np.ndarray, s: Settings, floor: Any = None) -> np.ndarray:
    """Where ``|a - b| <= atol + rtol * max(|a|, |b|, floor)`` and both are finite.

    The comparison is relative to the size of the values: ``atol`` is 0
    unless the user gives one, and ``floor`` (per column) is a tiny fraction
    of the typical size of the values (:func:`scale_floor`), so that
    round-off near a zero is tolerated but a small value is still compared
    with its own size. Without ``floor``, it is taken from both arrays.

    >>> s = settings(20, 0, 2, 1e-7, 0)
    >>> bool(close(np.array([-2e-10]), np.array([2e-10]), s)[0])
    False
    >>> bool(close(np.array([2e-10 * (1 + 1e-9)]), np.array([2e-10]), s)[0])
    True
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(all="ignore"):
        size = np.maximum(np.abs(a), np.abs(b))
        if floor is None:
            floor = scale_floor(np.where(np.isfinite(size), size, np.nan))
            floor = floor.reshape(size.shape[1:]) if size.ndim > 1 else floor[0]
        ok = np.abs(a - b) <= s.atol + s.rtol * np.maximum(size, floor)
    return ok & np.isfinite(a) & np.isfinite(b)


def allclose(a: np.ndarray, b: np.ndarray, s: Settings, floor: Any = None) -> bool:
    """True when ``a`` is not empty and :func:`close` to ``b`` everywhere."""
    return bool(len(a)) and bool(close(a, b, s, floor).all())


def compare_at_points(target: Target, claim: Claim, s: Settings) -> Samples:
    """Both derivatives at ``s.points`` random points where the true one is finite."""
    P, T = _sample(target, s)
    A = _claimed_values(target, claim, P)
    both = np.isfinite(A) & np.isfinite(T)
    floor = scale_floor(T) if len(T) else np.zeros(target.size)
    agree = close(A, T, s, floor)
    samples = Samples(P, T, A, agree, both, [], floor)
    for c in range(target.size):
        differ = samples.differing(c)
        samples.witness.append(int(differ[0]) if len(differ) else None)
    return samples


def _candidates(rng: np.random.Generator, k: int, m: int) -> np.ndarray:
    """Random points, ``3m/2`` of them in an order that mixes three draws:
    anywhere in ±2.5 and positive in (0.05, 2.5), with two decimals, and
    (every third point) a log-spread ``±10^U(-3, 2)`` with three
    significant digits, so that small and large magnitudes are tried too.

    Multiples of 1/4 (0, ±1, ±1/2, ...) are moved by 0.01: removable
    singularities and coincidences like those are not what is being tested.
    """
    anywhere = rng.uniform(-2.5, 2.5, size=(m, k))
    positive = rng.uniform(0.05, 2.5, size=(m, k))
    spread = rng.choice([-1.0, 1.0], size=(m // 2, k)) * 10.0 ** rng.uniform(-3, 2, (m // 2, k))
    spread = np.array([[float(f"{v:.3g}") for v in row] for row in spread]).reshape(-1, k)
    P = np.round(np.vstack([anywhere, positive]), 2)
    rows = []
    for i in range(len(P)):
        rows.append(P[i])
        if i % 2 == 1 and i // 2 < len(spread):
            rows.append(spread[i // 2])
    P = np.array(rows).reshape(-1, k)
    special = np.abs(4 * P - np.round(4 * P)) < 1e-9    # 0, ±1/4, ±1/2, ±1, ...
    P[special] += 0.01
    return P


def _sample(target: Target, s: Settings) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(s.seed)
    k = len(target.symbols)
    kept_P, kept_T, have = [], [], 0
    for _ in range(_SAMPLING_ROUNDS):
        P = _candidates(rng, k, 2 * s.points)
        T = target.true_at(P)
        good = np.isfinite(T).all(axis=1)
        kept_P.append(P[good])
        kept_T.append(T[good])
        have += int(good.sum())
        if have >= s.points:
            break
    return np.vstack(kept_P)[:s.points], np.vstack(kept_T)[:s.points]


def _claimed_values(target: Target, claim: Claim, P: np.ndarray) -> np.ndarray:
    if not len(P):
        return np.empty((0, target.size))
    if claim.function is not None:
        return claim.function(P)
    try:
        compiled = Compiled(target.symbols, claim.exprs)
        return stack_columns(compiled.at_array(list(P.T)), len(P))
    except ObjectiveError:
        raise
    except Exception as err:  # SymPy printers and NumPy raise many kinds
        raise ObjectiveError(f"cannot evaluate the claimed {target.kind} numerically "
                             f"({type(err).__name__}: {err})") from None
