"""The local step bound recorded at every iterate (record_bound=True) holds a
bounded block of Hessians at a time, not one per iterate."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import symgd
from symgd.analysis import bounds


def test_blocks_give_the_same_bounds_as_one_stack(monkeypatch):
    points = np.random.default_rng(1).normal(size=(37, 3))
    whole = bounds.local_bounds("x^4 + x*y^2 + z^4 + y^2", points)
    monkeypatch.setattr(bounds, "HESSIAN_CHUNK_VALUES", 20)       # two points a block
    blocked = bounds.local_bounds("x^4 + x*y^2 + z^4 + y^2", points)
    np.testing.assert_array_equal(whole, blocked)
    # the oracle: 2 / the largest eigenvalue of the Hessian written by hand
    x, y, z = points.T
    H = np.zeros((len(points), 3, 3))
    H[:, 0, 0], H[:, 0, 1], H[:, 1, 0] = 12 * x ** 2, 2 * y, 2 * y
    H[:, 1, 1], H[:, 2, 2] = 2 * x + 2, 12 * z ** 2
    lam = np.linalg.eigvalsh(H)[:, -1]
    np.testing.assert_allclose(whole, np.where(lam > 0, 2 / lam, np.inf), rtol=1e-12)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and ru_maxrss in kB")
def test_a_long_recorded_run_of_100_variables_stays_small():
    code = textwrap.dedent("""
        import resource, numpy as np
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
        import symgd
        names = [f"x{i}" for i in range(1, 101)]
        res = symgd.descend(" + ".join(f"{v}^2" for v in names), np.ones(100), lr=1e-4,
                            max_iter=20000, tol=None, record_bound=True)
        bound = res.history.extra["lr_bound"]
        assert np.allclose(bound[np.isfinite(bound)], 1.0), bound[:3]   # 2 / lambda_max = 2/2
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.split()[-1]) < 1024        # MB; it held 2.4 GB of Hessians before


def test_running_out_of_memory_on_the_command_line_is_one_line(monkeypatch):
    import io
    from symgd.cli import commands, main

    def greedy(args, out):
        raise MemoryError
    monkeypatch.setitem(commands.COMMANDS, "descend", greedy)
    monkeypatch.setattr("symgd.cli.main.COMMANDS", commands.COMMANDS, raising=False)
    out, err = io.StringIO(), io.StringIO()
    code = main(["descend", "x^2", "--start", "1"], out=out, err=err)
    assert code == 2
    assert err.getvalue().startswith("symgd: error: out of memory in 'symgd descend'")
    assert err.getvalue().count("\n") == 1 and "Traceback" not in err.getvalue()
