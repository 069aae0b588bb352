"""Exact counts of the symmetry-induced subspaces (Şimşek et al. 2021, Brea et al. 2019),
computed by the library in GMP/MPFR: integers as Python ints, ratios as decimal strings at
the precision asked for (decimal.Decimal(s) keeps every digit), Brea's ratio as an exact
fractions.Fraction.

    landsym.count.T(3, 4) == 60      # Theorem 3.1 / Proposition 4.5
    landsym.count.G(3, 4) == 36      # Proposition 4.3: r! S(m, r)
    landsym.count.R(3, 5, k=1)       # equation 5, a decimal string
"""
from fractions import Fraction

from ._core import check, cstr, ffi, lib

__all__ = ["T", "G", "g", "stirling2", "R", "ratios", "brea_ratio", "brea_bound"]


def _int(which, a, b):
    err = ffi.new("ls_error *")
    p = lib.lsp_count_int(which, int(a), int(b), err)
    if p == ffi.NULL:
        check(err.code or 2, err)
    try:
        return int(cstr(p))
    finally:
        lib.lsp_free(p)


def T(r, m):
    """T(r, m): affine subspaces of the expansion manifold (Theorem 3.1, Prop. 4.5)."""
    return _int(0, r, m)


def G(r, m):
    """G(r, m) = r! S(m, r): symmetry-induced critical subspaces (Proposition 4.3)."""
    return _int(1, r, m)


def g(u):
    """g(u) = sum_j G(j, u) / j! = Bell number B_u (u >= 1), g(0) = 0 (Prop. 4.5)."""
    return _int(2, u, 0)


def stirling2(n, k):
    """Stirling number of the second kind S(n, k)."""
    return _int(3, n, k)


_WEIGHTS = {"ones": 0, "binom": 1}


def ratios(rstar, m, kmax=None, digits=30, weights="ones", depth=2):
    """R_k(r*, m) = G(r*-k, m) / T(r*, m) for k = 1..kmax (equation 5) and the total
    sum_k a_k R_k over k = 1..r*-1 (equation 6; a_k = 1 for "ones", C(r*-1, k-1) for
    "binom"), raised to the power depth-1 for `depth` layers (section 5). Returns
    {"R": [str, ...], "total": str}, each with `digits` significant digits."""
    kmax = int(rstar) - 1 if kmax is None else int(kmax)
    if weights not in _WEIGHTS:
        raise ValueError("weights: expected 'ones' or 'binom', got %r" % (weights,))
    if kmax < 1:
        raise ValueError("kmax: must be >= 1 (r* >= 2), got %d" % kmax)
    err = ffi.new("ls_error *")
    R = ffi.new("char *[]", kmax)
    tot = ffi.new("char **")
    st = lib.lsp_count_ratio(int(rstar), int(m), kmax, int(digits), _WEIGHTS[weights],
                             int(depth), R, tot, err)
    try:
        check(st, err)
        return {"R": [cstr(R[k]) for k in range(kmax)], "total": cstr(tot[0])}
    finally:
        for k in range(kmax):
            if R[k] != ffi.NULL:
                lib.lsp_free(R[k])
        if tot[0] != ffi.NULL:
            lib.lsp_free(tot[0])


def R(rstar, m, k=1, digits=30):
    """R_k(r*, m) (equation 5) as a decimal string of `digits` significant digits."""
    return ratios(rstar, m, kmax=int(k), digits=digits)["R"][int(k) - 1]


def _frac(K, n, bound):
    err = ffi.new("ls_error *")
    p = lib.lsp_count_brea(int(K), int(n), 1 if bound else 0, err)
    if p == ffi.NULL:
        check(err.code or 2, err)
    try:
        return Fraction(cstr(p))
    finally:
        lib.lsp_free(p)


def brea_ratio(K, n):
    """T_B(K, n) = G(n-K, n) / n! exactly (Brea et al. 2019, Proposition 3)."""
    return _frac(K, n, False)


def brea_bound(K, n):
    """The lower bound C(n-K, K) / 2^K of Proposition 3(ii), exactly."""
    return _frac(K, n, True)
