"""Optional compiled backends (the ``symgd[fast]`` extra: numba).

Importing :mod:`symgd` never imports numba; each module here imports it
only when a compiled function is first built.
"""
