"""The numba source of the functions every fused kernel calls
(:mod:`symgd.fast.rows`): exp and log1p in two versions, tanh, the activation
helpers, and the sums of a buffer in vector lanes. Source text, compiled
with each kernel (the sums once per process)."""

from __future__ import annotations

__all__ = ["EXP_REDUCED", "VECTOR_MATH", "LIBM_MATH", "TANH_MATH", "TANH_ROWS", "HELPERS", "SUMS"]

EXP_REDUCED = '''
@njit(fastmath=False, error_model="numpy", inline="always")
def _exp_reduced(xc):
    # exp's reduction without branches, for finite xc in [-746, 710]: xc = k ln2
    # + r, |r| <= ln2/2 (Cody-Waite, k rounded by adding 1.5 * 2**52); returns
    # k (as int64 bits) and e^r - 1 = r + r**2 T(r), T Taylor's terms to r**13
    # (truncation below 5e-18) by Estrin's scheme (short dependency chains)
    kf = xc * 1.4426950408889634 + 6755399441055744.0
    kbits = np.float64(kf).view(np.int64) - np.int64(0x4338000000000000)
    k = kf - 6755399441055744.0
    r = (xc - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
    r2 = r * r
    r4 = r2 * r2
    a0 = 0.5 + 0.16666666666666666 * r
    a1 = 0.041666666666666664 + 0.008333333333333333 * r
    a2 = 0.001388888888888889 + 0.0001984126984126984 * r
    a3 = 2.48015873015873e-05 + 2.7557319223985893e-06 * r
    a4 = 2.755731922398589e-07 + 2.505210838544172e-08 * r
    a5 = 2.08767569878681e-09 + 1.6059043836821613e-10 * r
    b0 = a0 + a1 * r2
    b1 = a2 + a3 * r2
    b2 = a4 + a5 * r2
    return kbits, r + r2 * (b0 + (b1 + b2 * r4) * r4)
'''
"""The reduction and polynomial that symgd's exp and tanh's expm1 share."""

# exp, and log1p in softplus, for a kernel in vector lanes (rows.VECTOR_MARK):
# without branches, to a bound of 1 and 2 ulp (tests/test_fast_rows.py checks
# them against mpmath), so that the loop over the rows is vectorised.
VECTOR_MATH = EXP_REDUCED + '''
@njit(fastmath=False, error_model="numpy", inline="always")
def _exp(x):
    # exp without branches, so that a loop of it is vectorised (libm's is a
    # call per row): 1 + (e^r - 1) from _exp_reduced, times 2**k as two
    # powers of 2 (so that subnormal results round once).
    # Within 1 ulp of exp; inf above 709.78, 0 below -745.13, nan for nan.
    xc = x if x > -746.0 else -746.0
    xc = xc if xc < 710.0 else 710.0
    kbits, pm1 = _exp_reduced(xc)
    p = 1.0 + pm1
    k1 = kbits >> 1
    s1 = np.int64((k1 + 1023) << 52).view(np.float64)
    s2 = np.int64((kbits - k1 + 1023) << 52).view(np.float64)
    y = (p * s1) * s2
    return y if x == x else x

@njit(fastmath=False, error_model="numpy", inline="always")
def _log1p01(e):
    # log1p(e) for 0 <= e <= 1 without branches (softplus's e = exp(-|t|)):
    # 1 + e = 2**j m with m in [1/sqrt2, sqrt2], s = (m - 1)/(m + 1) formed
    # from e without rounding 1 + e, log m = 2 atanh s = 2s (1 + q), q =
    # w/3 + ... + w**9/19 in w = s**2 by Estrin's scheme (|s| <= 0.1716,
    # truncation below 1e-17). Within 2 ulp.
    big = e > 0.41421356237309503
    s = (e - 1.0) / (e + 3.0) if big else e / (e + 2.0)
    w = s * s
    w2 = w * w
    w4 = w2 * w2
    w8 = w4 * w4
    g0 = 0.3333333333333333 * w + 0.2 * w2
    g1 = 0.14285714285714285 + 0.1111111111111111 * w
    g2 = 0.09090909090909091 + 0.07692307692307693 * w
    g3 = 0.06666666666666667 + 0.058823529411764705 * w
    h0 = g0 + g1 * (w2 * w)
    h1 = g2 + g3 * w2
    q = h0 + h1 * (w4 * w) + 0.05263157894736842 * (w8 * w)
    two_s = s + s
    return (0.6931471805599453 if big else 0.0) + (two_s + two_s * q)

'''

LIBM_MATH = '''
@njit(fastmath=False, error_model="numpy", inline="always")
def _exp(x):
    return math.exp(x)

@njit(fastmath=False, error_model="numpy", inline="always")
def _log1p01(e):
    return math.log1p(e)
'''
"""exp and log1p for a kernel in one loop (``rows.ONE_LOOP_MARK``): libm's."""

TANH_MATH = EXP_REDUCED + '''
@njit(fastmath=False, error_model="numpy", inline="always")
def _expm1_neg(x):
    # expm1(x) for x <= 0 without branches (tanh's expm1(-2|t|)): from _exp's
    # reduction, 2**k (e^r - 1) + (2**k - 1); both terms have the sign of x,
    # so nothing cancels
    xc = x if x > -60.0 else -60.0      # expm1(-60) is -1 to double precision
    kbits, pm1 = _exp_reduced(xc)
    s = np.int64((kbits + 1023) << 52).view(np.float64)
    return s * pm1 + (s - 1.0)

@njit(fastmath=False, error_model="numpy", inline="always")
def _tanh(t):
    # tanh without branches: -expm1(-2|t|) / (2 + expm1(-2|t|)), with the
    # sign of t (0.0 - e: +0 at t = 0; t itself for ±0 and nan)
    e = _expm1_neg(-2.0 * abs(t))
    y = (0.0 - e) / (2.0 + e)
    return y if t > 0.0 else (-y if t < 0.0 else t)
'''
"""tanh without branches, within 3 ulp (tests/test_fast_rows.py checks it
against mpmath), for the lanes of a kernel in one loop (``rows._lanes``):
1.6 ns a value in vector lanes against 16-21 ns for libm's, one call a row."""

# The helpers, by the formulas of NumPy's implementations in symgd.expr.registry,
# with NaN propagated as NumPy does; _exp and _log1p01 come from one of the two above.
HELPERS = '''
@njit(fastmath=False, error_model="numpy", inline="always")
def _sigmoid(t):
    return 1.0 / (1.0 + _exp(-t))

@njit(fastmath=False, error_model="numpy", inline="always")
def _softplus(t):
    m = t if t > 0.0 or t != t else 0.0
    return _log1p01(_exp(-abs(t))) + m

@njit(fastmath=False, error_model="numpy", inline="always")
def _relu(t):
    return t if t > 0.0 or t != t else 0.0

@njit(fastmath=False, error_model="numpy", inline="always")
def _heaviside(t, h0=0.5):
    # as SymPy prints it for NumPy: 0 below 0, h0 at 0, 1 elsewhere (nan too)
    return 0.0 if t < 0.0 else (h0 if t == 0.0 else 1.0)

@njit(fastmath=False, error_model="numpy", inline="always")
def _sigmoid_e(t, e):
    # e = exp(-|t|), shared with softplus(t): 1/(1 + e^-t) for t >= 0, e^t/(1 + e^t) below
    return 1.0 / (1.0 + e) if t >= 0.0 else e / (1.0 + e)

@njit(fastmath=False, error_model="numpy", inline="always")
def _softplus_e(t, e):
    m = t if t > 0.0 or t != t else 0.0
    return _log1p01(e) + m

@njit(fastmath=False, error_model="numpy", inline="always")
def _sign(t):
    if t != t:
        return t
    return 1.0 if t > 0.0 else (-1.0 if t < 0.0 else 0.0)
'''

SUMS = '''
def _sums(buf, n, left, right, out):
    for k in range(left.shape[0]):
        a = out[k]
        r = buf[right[k]]
        if left[k] < 0:
            for j in range(n):
                a += r[j]
        else:
            c = buf[left[k]]
            for j in range(n):
                a += c[j] * r[j]
        out[k] = a
'''
"""The one function that adds up the buffer of every kernel in vector lanes,
compiled once per process: each output a sum, or a dot product, of rows of
the buffer."""

TANH_ROWS = '''
def _tanh_rows(buf, first, stop, n):
    for m in range(first, stop):
        row = buf[m]
        for j in range(n):
            row[j] = _tanh(row[j])
'''
"""tanh in place over rows ``first`` to ``stop`` of a kernel's lane buffer,
in vector lanes: one function for every kernel, compiled once per process."""
