"""Data on a Dask cluster: a LocalCluster of two worker processes.

The statistics of the MSE are one tree reduction over the partitions; a
row-by-row loss sums its value and gradient over the partitions at every
step. Oracles: least squares from exactly rounded sums (math.fsum) and
NumPy's lstsq, and the in-memory path on the same rows.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import symgd
from symgd.errors import DataError

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=50)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def fsum_fit(x, y):
    n = len(x)
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    dx, dy = x - mx, y - my
    w = math.fsum(dx * dy) / math.fsum(dx * dx)
    return w, my - w * mx


def test_mse_over_ten_million_rows_is_least_squares(client):
    """10^7 rows in 10 partitions on two workers, x offset by 10^4 (the Gram
    matrix's condition number is then about 10^16): the fit to 1e-9 relative."""
    n = 10 ** 7
    rng = da.random.RandomState(7)           # the rows are made on the workers
    x = rng.normal(size=n, chunks=n // 10) + 1e4
    y = 1.5 * x - 4.0 + rng.normal(size=n, chunks=n // 10)
    data = da.stack([x, y], axis=1).persist()
    L = symgd.mse("w*x + b", data, names=["x", "y"], params=["w", "b"])
    x, y = (np.asarray(c) for c in dask.compute(x, y))
    assert "Dask reduction over 10 partitions" in L.evaluation
    assert L.rows == n
    w, b = fsum_fit(x, y)
    np.testing.assert_allclose(L.least_squares(), [w, b], rtol=1e-9)


def test_dask_dataframe_statistics_equal_in_memory(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x1": rng.normal(size=50_000), "x2": rng.normal(size=50_000) + 1e4,
                          "y": rng.normal(size=50_000)})
    frame["y"] += 2 * frame["x1"] - 0.5 * frame["x2"]
    ddf = dd.from_pandas(frame, npartitions=7)
    distributed_loss = symgd.mse("linear", ddf)
    memory = symgd.mse("linear", {c: frame[c].to_numpy() for c in frame.columns})
    np.testing.assert_allclose(distributed_loss.least_squares(), memory.least_squares(),
                               rtol=1e-10)
    X = np.column_stack([frame["x1"], frame["x2"], np.ones(len(frame))])
    np.testing.assert_allclose(distributed_loss.least_squares(),
                               np.linalg.lstsq(X, frame["y"].to_numpy(), rcond=None)[0],
                               rtol=1e-8)


def test_log_loss_steps_are_dask_reductions(client):
    rng = np.random.default_rng(2)
    n = 40_000
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(2 * x - 0.3)))).astype(float)
    data = da.from_array(np.column_stack([x, y]), chunks=(n // 4, 2)).persist()
    remote = symgd.log_loss("sigmoid(w*x + b)", data, names=["x", "y"], params=["w", "b"])
    local = symgd.log_loss("sigmoid(w*x + b)", {"x": x, "y": y}, params=["w", "b"])
    assert "row by row at each step, a Dask reduction" in remote.evaluation
    np.testing.assert_allclose(remote.grad([0.3, 0.1]), local.grad([0.3, 0.1]), rtol=1e-12)
    a = symgd.descend(remote, [0.0, 0.0], lr=1.0, max_iter=10, tol=None)
    b = symgd.descend(local, [0.0, 0.0], lr=1.0, max_iter=10, tol=None)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12)
    np.testing.assert_allclose(a.history.loss, b.history.loss, rtol=1e-12)


def test_missing_value_in_a_partition_is_named(client):
    rng = np.random.default_rng(3)
    values = np.column_stack([rng.normal(size=1000), rng.normal(size=1000)])
    values[612, 1] = np.nan
    data = da.from_array(values, chunks=(250, 2))
    with pytest.raises(DataError, match=r"partition 3, row 113: column 'y' is missing"):
        symgd.mse("w*x + b", data, names=["x", "y"])


def test_array_without_names_is_refused():
    data = da.zeros((10, 2), chunks=(5, 2))
    with pytest.raises(DataError, match=r"needs column names: names=\[\.\.\.\] with 2 names"):
        symgd.mse("w*x + b", data)


def test_rows_stay_on_the_cluster():
    data = da.ones((10, 2), chunks=(5, 2)) * np.arange(10)[:, None]
    L = symgd.mse("w*x + b", data, names=["x", "y"])
    with pytest.raises(DataError, match="stays on its cluster"):
        L.data["x"]
