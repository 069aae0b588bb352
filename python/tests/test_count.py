"""Exact counts against closed forms and independent integer arithmetic (Şimşek et al.
2021, Propositions 4.3 and 4.5, equation 5; Brea et al. 2019, Proposition 3)."""
from decimal import Decimal, getcontext
from fractions import Fraction
from math import comb, factorial

import pytest

from landsym import count, InputError


def stirling2(n, k):
    """S(n, k) by the explicit alternating sum (independent of the library)."""
    return sum((-1) ** (k - i) * comb(k, i) * i ** n for i in range(k + 1)) // factorial(k)


def bell(u):
    return sum(stirling2(u, j) for j in range(u + 1))


def T_ref(r, m):
    """Proposition 4.5: T(r,m) = G(r,m) + sum_{u=1}^{m-r} C(m,u) G(r,m-u) g(u)."""
    G = lambda r, m: factorial(r) * stirling2(m, r)
    return G(r, m) + sum(comb(m, u) * G(r, m - u) * bell(u) for u in range(1, m - r + 1))


def test_paper_values():
    assert count.T(3, 4) == 60
    assert count.G(3, 4) == 36          # 3! S(4,3) = 6 * 6
    assert [count.g(u) for u in range(7)] == [0, 1, 2, 5, 15, 52, 203]  # Bell numbers
    assert count.T(2, 3) == 12 and count.T(1, 2) == 3


@pytest.mark.parametrize("r", [1, 2, 3, 5, 8])
def test_closed_forms(r):
    for m in range(r, r + 7):
        assert count.G(r, m) == factorial(r) * stirling2(m, r)
        assert count.T(r, m) == T_ref(r, m)
        assert count.stirling2(m, r) == stirling2(m, r)
    assert count.T(r, r) == factorial(r)  # only the permutations of an irreducible point


def test_big_integers_are_exact():
    t = count.T(20, 60)
    assert isinstance(t, int) and t == T_ref(20, 60) and t.bit_length() > 200


def test_ratios_full_precision():
    getcontext().prec = 60
    rstar, m = 4, 9
    res = count.ratios(rstar, m, digits=50)
    T = T_ref(rstar, m)
    for k in range(1, rstar):
        exact = Fraction(factorial(rstar - k) * stirling2(m, rstar - k), T)
        got = Decimal(res["R"][k - 1])
        want = Decimal(exact.numerator) / Decimal(exact.denominator)
        assert abs(got - want) <= abs(want) * Decimal("1e-49")
        assert len(res["R"][k - 1].split("e")[0].replace(".", "").lstrip("-")) == 50
    total = sum(Fraction(factorial(rstar - k) * stirling2(m, rstar - k), T) for k in range(1, rstar))
    want = Decimal(total.numerator) / Decimal(total.denominator)
    assert abs(Decimal(res["total"]) - want) <= want * Decimal("1e-49")
    assert count.R(3, 5, k=1, digits=20) == "6.6666666666666666667e-02"  # G(2,5)/T(3,5) = 30/450


def test_brea():
    for n in range(2, 8):
        for K in range(1, n):
            assert count.brea_ratio(K, n) == Fraction(factorial(n - K) * stirling2(n, n - K),
                                                      factorial(n))
            assert count.brea_bound(K, n) == Fraction(comb(n - K, K), 2 ** K)


def test_bad_sizes():
    with pytest.raises(InputError):
        count.T(5, 3)
    with pytest.raises(InputError):
        count.G(-1, 3)
    with pytest.raises(ValueError):
        count.ratios(1, 3)
