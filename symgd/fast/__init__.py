"""Optional compiled backends (the ``symgd[fast]`` extra: numba).

Importing :mod:`symgd` never imports numba; each module here imports it
only when a compiled function is first built.

:mod:`~symgd.fast.choice` decides what runs a descent (``backend="auto" |
"numpy" | "numba"`` of :func:`symgd.descend` and :func:`symgd.descend_many`),
:mod:`~symgd.fast.loops` compiles the descent loops, and
:mod:`~symgd.fast.rows` the fused per-row kernels of data losses, with
the numba source they share in :mod:`~symgd.fast.kernel_math`.
"""
