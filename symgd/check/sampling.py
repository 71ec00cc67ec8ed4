"""The claimed and the true derivatives at random points.

This is the cheap half of a check: it finds the points where the two differ
(the candidates for a counterexample, confirmed exactly later), and its
values are what the likely mistake is read from.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._text import quote
from ..errors import InputError, ObjectiveError
from ..objective.compile import Compiled
from .claims import Claim
from .targets import Target, stack_columns

__all__ = ["Settings", "settings", "Samples", "compare_at_points", "close", "allclose",
           "MAX_POINTS"]

MAX_POINTS = 10_000
_SAMPLING_ROUNDS = 6      # rounds of drawing points until enough have a finite true value


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

    def differing(self, c: int) -> np.ndarray:
        """The points (row numbers) where component ``c`` differs."""
        return np.flatnonzero(self.both[:, c] & ~self.close[:, c])


def close(a: np.ndarray, b: np.ndarray, s: Settings) -> np.ndarray:
    """Where ``|a - b| <= atol + rtol * max(|a|, |b|)`` and both are finite."""
    with np.errstate(all="ignore"):
        scale = np.maximum(np.abs(a), np.abs(b))
        ok = np.abs(a - b) <= s.atol + s.rtol * scale
    return ok & np.isfinite(a) & np.isfinite(b)


def allclose(a: np.ndarray, b: np.ndarray, s: Settings) -> bool:
    """True when ``a`` is not empty and :func:`close` to ``b`` everywhere."""
    return bool(len(a)) and bool(close(a, b, s).all())


def compare_at_points(target: Target, claim: Claim, s: Settings) -> Samples:
    """Both derivatives at ``s.points`` random points where the true one is finite."""
    P, T = _sample(target, s)
    A = _claimed_values(target, claim, P)
    both = np.isfinite(A) & np.isfinite(T)
    agree = close(A, T, s)
    samples = Samples(P, T, A, agree, both, [])
    for c in range(target.size):
        differ = samples.differing(c)
        samples.witness.append(int(differ[0]) if len(differ) else None)
    return samples


def _candidates(rng: np.random.Generator, k: int, m: int) -> np.ndarray:
    """Random points with two decimals: half anywhere in ±2.5, half positive.

    Multiples of 1/4 (0, ±1, ±1/2, ...) are moved by 0.01: removable
    singularities and coincidences like those are not what is being tested.
    """
    anywhere = rng.uniform(-2.5, 2.5, size=(m, k))
    positive = rng.uniform(0.05, 2.5, size=(m, k))
    P = np.round(np.vstack([anywhere, positive]), 2)
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
