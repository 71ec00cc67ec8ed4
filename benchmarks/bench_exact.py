"""Time of the exact-arithmetic rows of a descent (``descend(..., exact=N)``)
with the table printed from them, each case in a fresh process so that
SymPy's caches do not carry over. The rows stop before fractions of more than
MAX_EXACT_DIGITS digits (or values of more than MAX_EXACT_OPERATIONS
operations); the rows kept are reported.
Run: python benchmarks/bench_exact.py
"""

from __future__ import annotations

import subprocess
import sys

CASES = {
    "x^4 from 1, lr 0.1, exact=12": "symgd.descend('x^4', 1, lr=0.1, exact=12)",
    "x^4 from 1, lr 0.1, exact=14": "symgd.descend('x^4', 1, lr=0.1, exact=14)",
    "x^3 - 3x + y^2 from 0.5, lr 0.1, exact=10":
        "symgd.descend('x^3 - 3x + y^2', 0.5, lr=0.1, exact=10)",
    "car MSE w*weight + b, lr 0.01, exact=100":
        "symgd.descend(symgd.mse('w*weight + b', 'cars', target='mpg', params=['w', 'b']), "
        "[0, 0], lr=0.01, max_iter=100, exact=100)",
    "exp(x) + x^2 from 1, lr 0.1, exact=20": "symgd.descend('exp(x) + x^2', 1, lr=0.1, exact=20)",
}

CHILD = """
import sys, time
import symgd
t0 = time.perf_counter()
res = eval(sys.stdin.read())
res.table(exact=True)
print(time.perf_counter() - t0, len(res.history.exact))
"""


def main() -> None:
    print(f"{'case':45s} {'seconds':>8s} {'rows':>5s}")
    for name, call in CASES.items():
        out = subprocess.run([sys.executable, "-c", CHILD], input=call, text=True,
                             capture_output=True, timeout=600, check=True).stdout.split()
        print(f"{name:45s} {float(out[0]):8.3f} {int(out[1]):5d}")


if __name__ == "__main__":
    main()
