"""Tests of the number-system backends: exact input, scoped precision, honest balls."""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import gmpy2
import mpmath.libmp
import numpy as np
import pytest

from orthoproof.backends import (
    ArbBackend,
    ExactBackend,
    Float64Backend,
    MpfrBackend,
    SympyBackend,
    dps_to_prec,
    prec_to_dps,
)
from orthoproof.errors import InvalidArgument, Uncertain

#: float64 values that are awkward in decimal but exact as dyadic rationals.
DYADICS = (0.1, -1 / 3, math.pi, 2.0**-60 + 1.0, 1e300, 5e-324, -123456.789)


def mpfr_fraction(x: gmpy2.mpfr) -> Fraction:
    """The exact rational value of an mpfr number."""
    numerator, denominator = x.as_integer_ratio()
    return Fraction(int(numerator), int(denominator))


def arb_exact(x: flint.arb) -> Fraction:
    """The exact rational value of an arb number with radius zero (or its midpoint)."""
    mantissa, exponent = x.mid().man_exp()
    return Fraction(int(mantissa)) * Fraction(2) ** int(exponent)


def arb_radius(x: flint.arb) -> Fraction:
    """The exact radius of an arb ball."""
    mantissa, exponent = x.rad().man_exp()
    return Fraction(int(mantissa)) * Fraction(2) ** int(exponent)


def arb_array(*balls: flint.arb) -> np.ndarray:
    """A one-dimensional object array of the given balls."""
    out = np.empty(len(balls), dtype=object)
    for i, ball in enumerate(balls):
        out[i] = ball
    return out


# --- exact conversion of float64 --------------------------------------------


@pytest.mark.parametrize("value", DYADICS)
@pytest.mark.parametrize("prec", [53, 200])
def test_mpfr_converts_float64_exactly(value: float, prec: int) -> None:
    """A float64 enters MpfrBackend at 53 bits or more as exactly the same dyadic."""
    x = MpfrBackend(prec).number(value)
    assert isinstance(x, type(gmpy2.mpfr(0)))
    assert mpfr_fraction(x) == Fraction(value)


@pytest.mark.parametrize("value", DYADICS)
def test_arb_converts_float64_to_an_exact_ball(value: float) -> None:
    """A float64 enters ArbBackend as a ball of radius zero centred on the dyadic."""
    x = ArbBackend(128).number(value)
    assert x.is_exact()
    assert arb_exact(x) == Fraction(value)


@pytest.mark.parametrize("value", DYADICS)
def test_exact_backend_converts_float64_exactly(value: float) -> None:
    """ExactBackend turns a float64 into the Fraction equal to its dyadic value."""
    x = ExactBackend().number(value)
    assert isinstance(x, Fraction)
    assert x == Fraction(value)


def test_asarray_converts_every_entry_exactly() -> None:
    """asarray keeps the shape and converts each float64 entry without rounding."""
    values = np.array([[0.1, 0.2, 0.3], [1e-20, -7.5, 2.0**70]])
    for xp in (MpfrBackend(64), ExactBackend()):
        out = xp.asarray(values)
        assert out.shape == (2, 3)
        assert out.dtype == object
        for index, value in np.ndenumerate(values):
            got = out[index]
            exact = got if isinstance(got, Fraction) else mpfr_fraction(got)
            assert exact == Fraction(float(value))


def test_sympy_backend_converts_float64_to_an_exact_rational() -> None:
    """SympyBackend makes a float64 into the sympy Rational of its dyadic value."""
    x = SympyBackend().number(0.1)
    assert Fraction(int(x.p), int(x.q)) == Fraction(0.1)


# --- decimal strings are rounded once, at the backend's precision ------------


def test_mpfr_rounds_decimal_strings_at_its_own_precision() -> None:
    """'0.1' at 30 and 60 digits is 1/10 to within half an ulp of 103 and 203 bits."""
    tenth = Fraction(1, 10)
    errors = {}
    for dps in (30, 60):
        xp = MpfrBackend.from_dps(dps)
        x = xp.number("0.1")  # outside any context: number() scopes itself
        assert x.precision == xp.prec
        error = abs(mpfr_fraction(x) - tenth)
        # 1/10 lies in [2^-4, 2^-3), so half an ulp at p bits is 2^-(4 + p).
        assert 0 < error <= Fraction(1, 2 ** (4 + xp.prec))
        errors[dps] = error
    assert 1e-34 < errors[30] < 1e-31
    assert 1e-64 < errors[60] < 1e-61
    # Not the float64 0.1 in disguise: that one is 5.55e-18 away.
    assert errors[30] < abs(Fraction(0.1) - tenth) * Fraction(1, 10**13)


def test_mpfr_rounds_fractions_once_at_its_precision() -> None:
    """A Fraction 1/3 enters MpfrBackend rounded to nearest at the backend's bits."""
    xp = MpfrBackend(100)
    x = xp.number(Fraction(1, 3))
    error = abs(mpfr_fraction(x) - Fraction(1, 3))
    # 1/3 lies in [2^-2, 2^-1): half an ulp at 100 bits is 2^-(2 + 100).
    assert 0 < error <= Fraction(1, 2**102)


def test_arb_ball_of_a_decimal_string_encloses_the_exact_value() -> None:
    """'0.1' in ArbBackend is a ball that contains 1/10 and has a radius of ~2^-prec."""
    for prec, limit in ((64, 1e-19), (200, 1e-60)):
        x = ArbBackend(prec).number("0.1")
        mid, rad = arb_exact(x), arb_radius(x)
        assert 0 < rad < limit
        assert abs(mid - Fraction(1, 10)) <= rad


def test_float64_backend_rounds_decimal_strings_correctly() -> None:
    """Float64Backend turns '0.1' and Fraction(1, 3) into the nearest float64."""
    xp = Float64Backend()
    assert xp.number("0.1") == 0.1
    assert xp.number(Fraction(1, 3)) == 1 / 3
    assert xp.number(3) == 3.0


# --- precision is scoped -------------------------------------------------------


def test_mpfr_context_is_scoped_and_restored() -> None:
    """MpfrBackend(200).context() sets 200 bits for its block only, nested or not."""
    before = gmpy2.get_context().precision
    with MpfrBackend(200).context():
        assert gmpy2.get_context().precision == 200
        third = gmpy2.mpfr(1) / 3
        with MpfrBackend(80).context():
            assert gmpy2.get_context().precision == 80
        assert gmpy2.get_context().precision == 200
    assert gmpy2.get_context().precision == before
    assert third.precision == 200
    assert abs(mpfr_fraction(third) - Fraction(1, 3)) < Fraction(1, 2**200)


def test_mpfr_context_is_restored_after_an_exception() -> None:
    """An exception inside the scope still restores gmpy2's precision."""
    before = gmpy2.get_context().precision
    seen = []

    def fail_inside() -> None:
        with MpfrBackend(300).context():
            seen.append(gmpy2.get_context().precision)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_inside()
    assert seen == [300]
    assert gmpy2.get_context().precision == before


def test_mpfr_number_does_not_change_the_global_precision() -> None:
    """Converting numbers at 500 bits leaves the current gmpy2 precision untouched."""
    before = gmpy2.get_context().precision
    MpfrBackend(500).asarray([["0.1", 1], [Fraction(2, 7), 0.5]])
    assert gmpy2.get_context().precision == before


def test_arb_context_is_scoped_and_restored() -> None:
    """ArbBackend(300).context() sets flint to 300 bits for its block only."""
    before = flint.ctx.prec
    with ArbBackend(300).context():
        assert flint.ctx.prec == 300
    assert flint.ctx.prec == before
    ArbBackend(400).number("0.3")
    assert flint.ctx.prec == before


def test_float64_and_exact_contexts_do_not_touch_precision() -> None:
    """Float64Backend and ExactBackend have no-op contexts."""
    gmpy_before, flint_before = gmpy2.get_context().precision, flint.ctx.prec
    for xp in (Float64Backend(), ExactBackend()):
        with xp.context():
            assert gmpy2.get_context().precision == gmpy_before
            assert flint.ctx.prec == flint_before


# --- balls never guess ----------------------------------------------------------


def test_arb_clip_raises_uncertain_on_a_ball_straddling_the_bound() -> None:
    """ArbBackend.clip raises Uncertain for balls that contain ±bound inside them."""
    xp = ArbBackend(64)
    with xp.context():
        straddlers = (
            flint.arb(100, "0.5"),
            flint.arb("99.9", "0.2"),
            flint.arb(-100, "1e-10"),
            flint.arb(0, 1000),
        )
        for ball in straddlers:
            with pytest.raises(Uncertain, match="within"):
                xp.clip(arb_array(ball), 100)


def test_arb_clip_is_exact_when_the_comparison_is_certain() -> None:
    """Clipped balls become the exact bound; balls inside come back unchanged."""
    xp = ArbBackend(64)
    with xp.context():
        inside = flint.arb("3.5", "0.1")
        out = xp.clip(
            arb_array(flint.arb(150), flint.arb("-150.25", 1), inside, flint.arb(100)),
            "100",
        )
    assert out[0].is_exact()
    assert arb_exact(out[0]) == 100
    assert out[1].is_exact()
    assert arb_exact(out[1]) == -100
    assert arb_exact(out[2]) == arb_exact(inside)
    assert arb_radius(out[2]) == arb_radius(inside)
    assert arb_exact(out[3]) == 100


def test_arb_sign_raises_uncertain_for_a_ball_containing_zero() -> None:
    """The sign of a ball around zero is not guessed; clear signs come back as ±1."""
    xp = ArbBackend(64)
    with xp.context():
        with pytest.raises(Uncertain, match="sign"):
            xp.sign(arb_array(flint.arb(0, "1e-30")))
        with pytest.raises(Uncertain):
            xp.sign(arb_array(flint.arb("1e-40", "1e-30")))
        signs = xp.sign(arb_array(flint.arb("1e-40", "1e-50"), flint.arb(-2, 1)))
    assert [arb_exact(s) for s in signs] == [1, -1]
    assert all(s.is_exact() for s in signs)


def test_arb_sign_of_an_exact_zero_is_zero() -> None:
    """The sign of the exact ball 0 is 0, as in every other backend."""
    xp = ArbBackend(64)
    with xp.context():
        sign = xp.sign(arb_array(flint.arb(0)))[0]
    assert sign.is_exact()
    assert arb_exact(sign) == 0


def test_mpfr_and_float64_sign_and_clip_agree() -> None:
    """MpfrBackend and Float64Backend agree on sign and clip for clear-cut values."""
    values = [-250.0, -100.0, -3.0, 0.0, 2.5, 100.0, 1e5]
    mp = MpfrBackend(80)
    with mp.context():
        got_sign = mp.to_float(mp.sign(mp.asarray(values)))
        got_clip = mp.to_float(mp.clip(mp.asarray(values), "100"))
    f64 = Float64Backend()
    np.testing.assert_array_equal(got_sign, [-1, -1, -1, 0, 1, 1, 1])
    np.testing.assert_array_equal(got_sign, f64.sign(np.array(values)))
    np.testing.assert_array_equal(got_clip, [-100, -100, -3, 0, 2.5, 100, 100])
    np.testing.assert_array_equal(got_clip, f64.clip(np.array(values), "100"))


# --- invalid arguments ----------------------------------------------------------


@pytest.mark.parametrize("prec", [0, 1, -5, 2.5, "64", None])
@pytest.mark.parametrize("backend", [MpfrBackend, ArbBackend])
def test_bad_prec_is_rejected(backend: type, prec: object) -> None:
    """A precision that is not an int of at least 2 bits raises InvalidArgument."""
    with pytest.raises(InvalidArgument, match=r"^prec="):
        backend(prec)


@pytest.mark.parametrize("dps", [0, -1, 3.5, "30"])
def test_bad_dps_is_rejected(dps: object) -> None:
    """MpfrBackend.from_dps rejects anything but a positive int, naming dps."""
    with pytest.raises(InvalidArgument, match=r"^dps="):
        MpfrBackend.from_dps(dps)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan")])
@pytest.mark.parametrize(
    "make", [lambda: MpfrBackend(64), lambda: ArbBackend(64), ExactBackend]
)
def test_non_finite_input_is_rejected(make: object, value: float) -> None:
    """NaN and infinities raise InvalidArgument in the mpfr, arb and exact backends."""
    xp = make()  # type: ignore[operator]
    with pytest.raises(InvalidArgument, match="finite"):
        xp.number(value)
    with pytest.raises(InvalidArgument, match="finite"):
        xp.asarray([1.0, value])


@pytest.mark.parametrize("value", [object(), 1 + 2j, [0.5], None])
def test_unsupported_types_are_rejected(value: object) -> None:
    """Values that are not numbers raise InvalidArgument naming value."""
    with pytest.raises(InvalidArgument, match=r"^value="):
        MpfrBackend(64).number(value)


def test_float64_backend_rejects_nan_like_the_others() -> None:
    """Float64Backend raises InvalidArgument for NaN, as the other backends do."""
    with pytest.raises(InvalidArgument):
        Float64Backend().number(math.nan)


def test_malformed_decimal_string_raises_invalid_argument() -> None:
    """A string that is not a decimal raises InvalidArgument, not a bare ValueError."""
    with pytest.raises(InvalidArgument, match=r"^value="):
        MpfrBackend(64).number("0.1x")


@pytest.mark.parametrize("text", ["1e100000000", "-2.5E-99999999", "3e+5000"])
def test_decimal_exponents_beyond_reason_are_refused_at_once(text: str) -> None:
    """Fraction would expand 10^100000000 exactly: minutes of work for one number."""
    with pytest.raises(InvalidArgument, match="exponent"):
        MpfrBackend(64).number(text)


def test_decimal_exponents_in_range_still_enter() -> None:
    assert MpfrBackend(64).number("1e-4000") > 0
    assert MpfrBackend(64).number("2.5e3") == 2500


def test_exact_backend_refuses_square_roots() -> None:
    """ExactBackend has no square root and says so with InvalidArgument."""
    xp = ExactBackend()
    with pytest.raises(InvalidArgument, match="square root"):
        xp.sqrt(xp.asarray([4]))


# --- precision bookkeeping --------------------------------------------------------


def test_dps_to_prec_matches_mpmath() -> None:
    """dps_to_prec and prec_to_dps count digits and bits exactly as mpmath does."""
    for dps in range(1, 500):
        assert dps_to_prec(dps) == mpmath.libmp.dps_to_prec(dps)
    for prec in range(1, 1700):
        assert prec_to_dps(prec) == mpmath.libmp.prec_to_dps(prec)
    assert (dps_to_prec(15), dps_to_prec(30), dps_to_prec(60)) == (53, 103, 203)
    assert prec_to_dps(53) == 15


def test_dps_prec_round_trip() -> None:
    """Digits survive a trip through bits exactly; bits come back within a few."""
    for dps in range(1, 500):
        assert prec_to_dps(dps_to_prec(dps)) == dps
    for prec in range(10, 1700):
        assert abs(dps_to_prec(prec_to_dps(prec)) - prec) <= 4


def test_backend_dps_reports_its_precision() -> None:
    """A backend's dps follows from its bits; exact backends report None."""
    assert MpfrBackend.from_dps(40).dps == 40
    assert MpfrBackend.from_dps(40).prec == dps_to_prec(40)
    assert Float64Backend().dps == 15
    assert ArbBackend(203).dps == 60
    assert ExactBackend().dps is None
    assert SympyBackend().prec is None
