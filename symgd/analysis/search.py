r"""The numeric search for stationary points: Newton's method on :math:`\nabla f = 0`.

* **Starts**: the centre of the box, then a seeded, randomly shifted Halton
  sequence (a space-filling design); their number is the budget, whatever
  the dimension.
* **Newton**: every run of a chunk at once, each step at most a quarter of
  the box, a run stopping when its step no longer moves it; chunks keep
  the memory bounded by the chunk, not by the number of starts.
* **Merge**: runs that ended within ``radius`` (max-norm) of each other are
  one point: sorted along one direction, only neighbours in that order are
  compared (O(k log k)).
* **Degenerate sets**: a point whose Hessian has null directions is on a
  curve or surface of stationary points when a step along a null direction,
  corrected across it, is again stationary with the same value; such points
  with the same value joined through stationary midpoints are one set.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .._progress import Progress
from ..objective.core import Objective
from .numeric import hessians, values_and_gradients

__all__ = ["halton", "design", "newton_search", "merge", "degenerate_sets"]

_MAX_STEPS = 200             # Newton iterations per run, at most
_CHUNK_ENTRIES = 2 ** 21     # Hessian entries held at once (16 MB)
_GRAD_TOL = 1e-8             # |grad| <= tol * (1 + |x|): stationary
_NULL_TOL = 1e-6             # |eigenvalue| <= tol * max(1, |eigenvalues|): a null direction
_LINKS = 4                   # failed joins per point before giving up
_ROUNDS = 40                 # rounds of joining, at most


def _primes(count: int) -> list[int]:
    primes: list[int] = []
    candidate = 2
    while len(primes) < count:
        if all(candidate % p for p in primes if p * p <= candidate):
            primes.append(candidate)
        candidate += 1
    return primes


def halton(count: int, n: int, seed: int = 0) -> np.ndarray:
    """``count`` points of the ``n``-dimensional Halton sequence in the unit cube,
    shifted by a seeded random vector (modulo 1).

    >>> halton(4, 2, seed=None).round(4).tolist()
    [[0.5, 0.3333], [0.25, 0.6667], [0.75, 0.1111], [0.125, 0.4444]]
    """
    index = np.arange(1, count + 1)
    out = np.empty((count, n))
    for j, base in enumerate(_primes(n)):
        i, value, scale = index.copy(), np.zeros(count), 1.0
        while i.any():
            scale /= base
            i, digit = np.divmod(i, base)
            value += digit * scale
        out[:, j] = value
    if seed is not None:
        out = (out + np.random.default_rng(seed).random(n)) % 1.0
    return out


def design(box: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """The starts: the box's centre, then ``count - 1`` Halton points in the box."""
    low, high = box[:, 0], box[:, 1]
    centre = (low + high)[None, :] / 2
    return np.vstack([centre, low + halton(max(count - 1, 0), len(box), seed) * (high - low)])


def _solve_stacked(H: np.ndarray, G: np.ndarray, least_norm: bool = False) -> np.ndarray:
    """The Newton step H⁻¹g for every run (the least-norm one with
    ``least_norm``, or where H is singular); runs with non-finite numbers stay put."""
    bad = ~np.isfinite(H).all(axis=(1, 2)) | ~np.isfinite(G).all(axis=1)
    H, G = np.where(bad[:, None, None], np.eye(H.shape[1]), H), np.where(bad[:, None], 0, G)
    if not least_norm:
        try:
            return np.linalg.solve(H, G[..., None])[..., 0]
        except np.linalg.LinAlgError:
            pass
    return (np.linalg.pinv(H, rcond=1e-8 if least_norm else 1e-12) @ G[..., None])[..., 0]


def _newton(obj: Objective, X: np.ndarray, box: np.ndarray,
            settled: Callable[[int], None] | None = None) -> np.ndarray:
    """Newton's method from every row of X; a run stops when its step vanishes
    or it leaves the box widened by its width on each side. ``settled`` is
    told after each step how many runs have stopped."""
    X = X.copy()
    width = float(np.max(box[:, 1] - box[:, 0]))
    far_low, far_high = box[:, 0] - width, box[:, 1] + width
    active = np.ones(len(X), dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(_MAX_STEPS):
            idx = np.flatnonzero(active)
            if not len(idx):
                break
            Xa = X[idx]
            step = _solve_stacked(hessians(obj, Xa), values_and_gradients(obj, Xa)[:, 1:])
            length = np.linalg.norm(step, axis=1)
            step *= np.minimum(1.0, 0.25 * width / np.maximum(length, 1e-300))[:, None]
            Xa = Xa - step
            X[idx] = Xa
            still = (length > 1e-14 * (1 + np.abs(Xa).max(axis=1))) & np.isfinite(Xa).all(axis=1)
            still &= np.all((Xa >= far_low) & (Xa <= far_high), axis=1)
            active[idx[~still]] = False
            if settled is not None:
                settled(len(X) - int(active.sum()))
    return X


def _stationary(obj: Objective, X: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        G = values_and_gradients(obj, X)[:, 1:]
        return np.isfinite(G).all(axis=1) & (
            np.linalg.norm(G, axis=1) <= _GRAD_TOL * (1 + np.abs(X).max(axis=1)))


def newton_search(obj: Objective, box: np.ndarray, starts: int, seed: int = 0,
                  progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The distinct stationary points Newton reaches from ``starts`` starts in the
    box, and how many starts reached each: ``(points (k, n), counts (k,))``.
    ``progress`` is told how many starts have settled."""
    n = obj.n
    X0 = design(box, starts, seed)
    chunk = max(1, _CHUNK_ENTRIES // (n * n + n + 1))
    width = float(np.max(box[:, 1] - box[:, 0]))
    found = []
    for first in range(0, len(X0), chunk):
        settled = None if progress is None else \
            (lambda done, first=first: progress.update(first + done))
        X = _newton(obj, X0[first:first + chunk], box, settled)
        inside = np.all((X >= box[:, 0] - 1e-9 * width) & (X <= box[:, 1] + 1e-9 * width),
                        axis=1)
        X = X[inside]
        found.append(X[_stationary(obj, X)])
    points = np.vstack(found) if found else np.empty((0, n))
    with np.errstate(all="ignore"):
        residual = np.linalg.norm(values_and_gradients(obj, points)[:, 1:], axis=1)
    return merge(points, 1e-6 * width, residual)


def _components(k: int, pairs: object) -> np.ndarray:
    """A component label (its smallest member) for each of ``k`` items joined
    by ``pairs``: minimum labels spread along the pairs, with pointer jumping.

    >>> _components(5, [(0, 3), (3, 4)]).tolist()
    [0, 1, 2, 0, 0]
    """
    labels = np.arange(k)
    pairs = np.asarray(pairs, dtype=int).reshape(-1, 2)
    a, b = pairs[:, 0], pairs[:, 1]
    while len(a):
        low = np.minimum(labels[a], labels[b])
        new = labels.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        while not np.array_equal(new, new[new]):
            new = new[new]
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def merge(points: np.ndarray, radius: float,
          score: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One point per cluster of points joined by max-norm distances <= ``radius``
    (the member with the lowest ``score``, e.g. the gradient norm, if given),
    with the cluster's size; lexicographic order.

    >>> P = np.array([[0, 0], [1, 1], [1e-9, 0], [1, 1 + 1e-9]])
    >>> merge(P, 1e-6)
    (array([[0., 0.],
           [1., 1.]]), array([2, 2]))
    """
    k, n = points.shape
    if k == 0:
        return points, np.zeros(0, dtype=int)
    direction = 0.5 + (np.arange(1, n + 1) * 0.6180339887498949) % 1.0
    direction /= np.linalg.norm(direction)
    projection = points @ direction
    order = np.argsort(projection, kind="stable")
    sorted_points, sorted_proj = points[order], projection[order]
    window = radius * float(np.abs(direction).sum())      # |u·d| <= |u|_1 |d|_inf
    pairs = [np.empty((0, 2), dtype=int)]
    offset = 1
    while offset < k:
        near = sorted_proj[offset:] - sorted_proj[:-offset] <= window
        if not near.any():
            break
        i = np.flatnonzero(near)
        i = i[np.abs(sorted_points[i + offset] - sorted_points[i]).max(axis=1) <= radius]
        pairs.append(np.column_stack([i, i + offset]))
        offset += 1
    labels = _components(k, np.vstack(pairs))
    if score is not None:         # the best member first within each cluster
        within = np.lexsort((np.asarray(score, dtype=float)[order], labels))
        labels, sorted_points = labels[within], sorted_points[within]
    roots, first, counts = np.unique(labels, return_index=True, return_counts=True)
    reps = sorted_points[first]
    lex = np.lexsort(reps.T[::-1])
    return reps[lex], counts[lex]


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b) <= 1e-8 * (1 + np.abs(b))


def _on_a_set(obj: Objective, P: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the number of null directions of its Hessian, and whether
    a step along the first of them, corrected across them, is stationary again
    with the same value (the point then lies on a curve or surface of them)."""
    k, n = P.shape
    if k == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=bool)
    with np.errstate(all="ignore"):
        H = hessians(obj, P)
    finite = np.isfinite(H).all(axis=(1, 2))
    eig, vecs = np.linalg.eigh(np.where(finite[:, None, None], H, np.eye(n)))
    scale = np.maximum(1.0, np.abs(eig).max(axis=1))
    null = (np.abs(eig) <= _NULL_TOL * scale[:, None]) & finite[:, None]
    dims = null.sum(axis=1)
    on = np.zeros(k, dtype=bool)
    h = 1e-3 * float(np.max(box[:, 1] - box[:, 0]))
    f0 = values_and_gradients(obj, P)[:, 0]
    for d in set(dims.tolist()) - {0}:
        idx = np.flatnonzero(dims == d)
        V = np.stack([vecs[i][:, null[i]] for i in idx])           # (m, n, d)
        W = np.stack([vecs[i][:, ~null[i]] for i in idx])          # (m, n, n - d)
        Y = P[idx] + h * V[:, :, 0]
        with np.errstate(all="ignore"):
            for _ in range(30 if d < n else 0):
                G = values_and_gradients(obj, Y)[:, 1:]
                A = np.einsum("mia,mij,mjb->mab", W, hessians(obj, Y), W)
                b = np.einsum("mia,mi->ma", W, G)
                delta = _solve_stacked(A, b)
                Y = Y - np.einsum("mia,ma->mi", W, delta)
            fy = values_and_gradients(obj, Y)[:, 0]
        on[idx] = _stationary(obj, Y) & _same(fy, f0[idx])
    return dims, on


def _joined(obj: Objective, P: np.ndarray, i: np.ndarray, j: np.ndarray,
            level: np.ndarray) -> np.ndarray:
    """Whether the midpoint of P[i] and P[j] leads (least-norm Newton) to a
    stationary point at the same level close to the midpoint."""
    mid = (P[i] + P[j]) / 2
    Z = mid.copy()
    with np.errstate(all="ignore"):
        for _ in range(30):
            G = values_and_gradients(obj, Z)[:, 1:]
            Z = Z - _solve_stacked(hessians(obj, Z), G, least_norm=True)
        fz = values_and_gradients(obj, Z)[:, 0]
        near = np.linalg.norm(Z - mid, axis=1) <= 0.3 * np.linalg.norm(P[i] - P[j], axis=1)
    return _stationary(obj, Z) & _same(fz, level) & near


def degenerate_sets(obj: Objective, P: np.ndarray,
                    box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A set label per point (-1: an isolated point) and the null dimension.

    Points on a set (see :func:`_on_a_set`) with the same value and null
    dimension are joined when a stationary point lies near the middle of
    the segment between them, trying each point's nearest neighbours.
    """
    dims, on = _on_a_set(obj, P, box)
    labels = np.full(len(P), -1, dtype=int)
    if not on.any():
        return labels, dims
    idx = np.flatnonzero(on)
    f = values_and_gradients(obj, P[idx])[:, 0]
    order = idx[np.lexsort((f, dims[idx]))]
    fo = values_and_gradients(obj, P[order])[:, 0]
    groups, start = [], 0
    for a in range(1, len(order) + 1):      # runs of equal value and dimension
        if a == len(order) or dims[order[a]] != dims[order[a - 1]] or \
                not _same(fo[a], fo[a - 1]):
            groups.append(order[start:a])
            start = a
    next_label = 0
    for g in groups:
        comp = _join(obj, P[g])
        for c in np.unique(comp):
            labels[g[comp == c]] = next_label
            next_label += 1
    return labels, dims


def _join(obj: Objective, Q: np.ndarray) -> np.ndarray:
    """Component labels of points on sets at one level: each round, every
    component tries its nearest point in another component (Borůvka)."""
    m = len(Q)
    comp = np.arange(m)
    level = values_and_gradients(obj, Q)[:, 0]
    tried: set[tuple[int, int]] = set()
    for _ in range(_ROUNDS):
        best: dict[int, tuple[float, int, int]] = {}
        rows = max(1, _CHUNK_ENTRIES // (m * Q.shape[1]))
        for first in range(0, m, rows):
            D = np.linalg.norm(Q[first:first + rows, None, :] - Q[None, :, :], axis=2)
            D[comp[first:first + rows, None] == comp[None, :]] = np.inf
            for r, j in enumerate(np.argmin(D, axis=1)):
                i, c = first + r, int(comp[first + r])
                pair = (min(i, int(j)), max(i, int(j)))
                if np.isfinite(D[r, j]) and pair not in tried and \
                        (c not in best or D[r, j] < best[c][0]):
                    best[c] = (float(D[r, j]), i, int(j))
        if not best:
            return comp
        ii = np.array([b[1] for b in best.values()])
        jj = np.array([b[2] for b in best.values()])
        tried.update((min(i, j), max(i, j)) for i, j in zip(ii.tolist(), jj.tolist()))
        ok = _joined(obj, Q, ii, jj, level[ii])
        if not ok.any() and len(tried) >= m * _LINKS:
            return comp
        pairs = list(zip(ii[ok].tolist(), jj[ok].tolist()))
        labels = _components(m, [(int(comp[i]), int(comp[j])) for i, j in pairs] +
                             [(i, int(comp[i])) for i in range(m)])
        comp = labels
    return comp
