"""The threads that run a fused kernel's blocks (:mod:`symgd.fast.rows`):
the compiled function releases the GIL, so contiguous runs of blocks on a
few Python threads run in parallel."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["THREADS", "threads"]


class _Threads:
    """Runs a kernel's blocks on threads: ``_blocks`` releases the GIL, so
    contiguous runs of blocks on a few Python threads run in parallel, and
    only one function is compiled (numba's ``parallel=True`` compiled a
    second copy of the kernel with its parfor passes: 2.2 s of the 4.6 s a
    log-loss kernel took to compile). The pool is made again after a fork."""

    def __init__(self) -> None:
        self._pool: Any = None
        self._size = 0
        self._pid = 0
        self._lock = threading.Lock()

    def pool(self, workers: int) -> Any:
        with self._lock:
            if self._pool is None or self._pid != os.getpid() or self._size < workers:
                if self._pool is not None and self._pid == os.getpid():
                    self._pool.shutdown(wait=False)
                self._pool = ThreadPoolExecutor(max_workers=workers,
                                                thread_name_prefix="symgd-kernel")
                self._size, self._pid = workers, os.getpid()
            return self._pool

    def run(self, kernel: Any, args: tuple, blocks: int, threads: int) -> None:
        """``kernel(*args, first, stop)`` over ``range(blocks)`` cut into
        ``threads`` contiguous runs; the caller's thread takes the first."""
        if not kernel.signatures:
            kernel(*args, 0, 0)          # compiled here, not by several threads at once
        bounds = [blocks * t // threads for t in range(threads + 1)]
        futures = [self.pool(threads - 1).submit(kernel, *args, bounds[t], bounds[t + 1])
                   for t in range(1, threads)]
        try:
            kernel(*args, bounds[0], bounds[1])
        finally:
            for f in futures:
                f.result()


THREADS = _Threads()
"""The pool every fused kernel's blocks run on."""


def threads() -> int:
    """The threads a parallel pass uses: numba's thread count
    (``NUMBA_NUM_THREADS``, or :func:`numba.set_num_threads` in this thread)."""
    import numba
    return max(1, int(numba.get_num_threads()))
