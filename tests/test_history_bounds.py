"""Memory bounds of recorded histories: the local bound 2/λmax of a long run
keeps one number a row (its Hessians are computed in blocks), descend_many
refuses a history above MANY_HISTORY_MAX_VALUES before allocating it, and
running out of memory is a ResourceError, never a raw MemoryError.

The large cases run in child processes under an address-space limit
(``RLIMIT_AS``) set just above what the child holds.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import symgd
from symgd.analysis import bounds as bounds_module
from symgd.analysis.numeric import hessians
from symgd.descent import many as many_module
from symgd.errors import ResourceError, SymgdError

resource = pytest.importorskip("resource")
ROOT = pathlib.Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys
import symgd

def vm_bytes():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024

case, extra = sys.argv[1], int(sys.argv[2])
names = " + ".join(f"x{i}^2" for i in range(100))
limit = vm_bytes() + extra
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
try:
    if case == "bound":
        res = symgd.descend(names, [1.0] * 100, lr=1e-5, max_iter=3000, tol=0,
                            record_bound=True)
        b = res.history.extra["lr_bound"]
        print(json.dumps({"rows": len(res.history), "bounds": len(b),
                          "min": float(b.min()), "max": float(b.max())}))
    else:
        symgd.descend_many("x^2 + y^2", [[1.0, 1.0]] * 10_000, lr=0.01,
                           max_iter=10_000, tol=0, history=True)
        print(json.dumps({"done": True}))
except symgd.SymgdError as err:
    print(json.dumps({"error": str(err), "type": type(err).__name__}))
"""


def run_child(case: str, extra: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, "-c", CHILD, case, str(extra)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def unchunked_bounds(obj, X):
    """The bound as computed from all Hessians at once (the reference)."""
    H = hessians(obj, X)
    lam = np.linalg.eigvalsh(H)[:, -1]
    return np.where(lam > 0, 2.0 / lam, np.inf)


def test_small_run_history_unchanged():
    expr = "x^4 + x*y + 2*y^2 + z^2*x^2 + z^2"
    res = symgd.descend(expr, [1.0, -0.5, 0.7], lr=0.01, max_iter=50, tol=0,
                        record_bound=True)
    obj = symgd.Objective(expr)
    assert len(res.history) == 51
    got = res.history.extra["lr_bound"]
    np.testing.assert_array_equal(got, unchunked_bounds(obj, res.history.x))
    # independent oracle: one eigenvalue problem per row of obj.hess
    oracle = [2.0 / np.linalg.eigvalsh(obj.hess(x))[-1] for x in res.history.x]
    np.testing.assert_allclose(got, oracle, rtol=1e-12)


def test_chunked_bounds_equal_unchunked(monkeypatch):
    obj = symgd.Objective("x^4 + y^2*x^2 + y^2 + z^2")
    X = np.random.default_rng(3).normal(size=(40, 3))
    whole = bounds_module.local_bounds(obj, X)
    monkeypatch.setattr(bounds_module, "HESSIAN_CHUNK_VALUES", 9 * 7)   # 7 rows a block
    np.testing.assert_array_equal(bounds_module.local_bounds(obj, X), whole)
    np.testing.assert_array_equal(whole, unchunked_bounds(obj, X))


def test_record_bound_100_variables_within_limit():
    # 3001 Hessians of 100 x 100 at once would be 240 MB (and copies): the
    # child has 150 MB beyond what it holds at the start
    got = run_child("bound", 150 * 2**20)
    assert "error" not in got, got
    assert got["rows"] == got["bounds"] == 3001
    assert got["min"] == pytest.approx(1.0) and got["max"] == pytest.approx(1.0)


def test_many_history_refused_before_allocating():
    got = run_child("many", 200 * 2**20)
    assert got.get("type") == "ResourceError", got
    assert "MANY_HISTORY_MAX_VALUES" in got["error"] and "history=False" in got["error"]


def test_many_history_at_bound_allowed():
    k = many_module.MANY_HISTORY_MAX_VALUES // (6 * 11)
    many_module._check_history_size((k, 2), 10, True)
    with pytest.raises(ResourceError, match="MANY_HISTORY_MAX_VALUES"):
        many_module._check_history_size((k + 1, 2), 10, True)
    many_module._check_history_size((10 * k, 2), 10, False)


def test_memory_error_becomes_resource_error(monkeypatch):
    def exhausted(*args, **kwargs):
        raise MemoryError
    monkeypatch.setattr(many_module, "_many_loop", exhausted)
    with pytest.raises(ResourceError, match="out of memory") as info:
        symgd.descend_many("x^2 + y^2", [[1, 1], [2, 2]])
    assert isinstance(info.value, SymgdError)
    from symgd.descent import loop as loop_module
    monkeypatch.setattr(loop_module, "run", exhausted)
    with pytest.raises(ResourceError, match="history=False"):
        symgd.descend("x^2 + y^2", [1, 1])
