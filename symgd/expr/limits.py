"""The parser's safety limits: how much text, nesting and number size it accepts.

Every limit bounds the work or memory one input can cost (a number of
10,000 digits, a power ``x**10**9`` expanded, a nesting that exhausts the
interpreter's stack); the parser refuses beyond them with a message that
names the limit.
"""

from __future__ import annotations

__all__ = ["MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT", "MAX_NUMBER_BITS", "MAX_NAME_LENGTH",
           "MAX_DIGITS"]

MAX_LENGTH = 50_000      # characters of input: Rosenbrock in 1,000 variables fits; the slowest
                         # inputs of this length parse in about 5 s (benchmarks/bench_text.py)
MAX_DEPTH = 64           # nested parentheses, calls, powers and signs
MAX_EXPONENT = 1_000     # largest |n| in x**n when n is a number
MAX_NUMBER_BITS = 1_024  # numerators and denominators within float64's range (~1.8e308)
MAX_NAME_LENGTH = 64     # characters of one name
MAX_DIGITS = 330         # digits of one number as typed
