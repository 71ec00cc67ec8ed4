"""How a benchmark says one time against another: "N× faster" or "N× slower",
never "0.7x faster"; and a process's own peak memory."""

from __future__ import annotations

import resource

__all__ = ["speed", "peak_bytes"]


def peak_bytes() -> int:
    """This process's peak resident memory, in bytes. VmHWM belongs to the
    process's own memory map; ``ru_maxrss`` carries the parent's peak over
    a fork and exec (482 MB for every case of bench_text when run after
    other benchmarks; 320 MB for bench_bigdata's fit, its parent's peak
    while writing the file)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def speed(name: str, seconds: float, other_seconds: float) -> str:
    """``name`` against the other time, in words, the ratio always 1 or more.

    >>> speed("symgd", 1.0, 3.0), speed("symgd", 1.0, 0.7), speed("symgd", 1.0, 1.0)
    ('symgd is 3.0× faster', 'symgd is 1.4× slower', 'symgd is as fast (1.0×)')
    """
    if seconds <= 0 or other_seconds <= 0:
        return f"{name}: too fast to compare"
    ratio = other_seconds / seconds
    if round(ratio, 1) == 1.0:
        return f"{name} is as fast (1.0×)"
    if ratio > 1:
        return f"{name} is {ratio:.1f}× faster"
    return f"{name} is {1 / ratio:.1f}× slower"
