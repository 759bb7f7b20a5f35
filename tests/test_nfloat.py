"""The nfloat backend: FLINT's fixed-word floats behind the shared model code.

Numbers must enter and leave exactly (checked against FLINT's own conversion
and against mpfr's rounding), every operation the models use must match
numpy's values, whole optimiser runs must agree with mpfr to about 2^-prec,
the precision-scaling classifier must read the same slopes through it, and
whatever it cannot do must be refused loudly.
"""

from __future__ import annotations

import ctypes
import math
from fractions import Fraction
from typing import Any

import flint
import gmpy2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orthoproof.backends import Float64Backend, MpfrBackend
from orthoproof.config import InvalidSetting, VerifyConfig
from orthoproof.errors import InvalidArgument
from orthoproof.flintmat import FlintBackend
from orthoproof.groups import exact_element
from orthoproof.models import PlainModel
from orthoproof.nfloat import NfloatArray, NfloatBackend
from orthoproof.nfloat import library as nlib
from orthoproof.nfloat.array import from_floats, from_values
from orthoproof.optimisers import OPTIMISERS, Optimiser
from orthoproof.trajectory.classify import classify_scaling
from orthoproof.trajectory.evidence import backends_for, trajectory_evidence
from orthoproof.trajectory.run import run_pair
from orthoproof.verdicts import Verdict
from tests.backend_cases import glove_problem, train, train_to_float


def _exact_end(xp: Any, model: Any, optimiser: Optimiser, start: Any) -> Any:
    """Ten steps; every entry of the end point as an exact Fraction."""
    theta = train(xp, model, optimiser, start, 10)
    return {
        n: [
            Fraction(*v.as_integer_ratio())
            for v in (v.entries() if isinstance(v, NfloatArray) else v.ravel())
        ]
        for n, v in theta.items()
    }


def _largest_gap(ours: Any, ref: Any) -> float:
    return max(
        float(abs(a - b))
        for key in ref
        for a, b in zip(ours[key], ref[key], strict=True)
    )


# --- numbers in and out ----------------------------------------------------------
finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(finite, min_size=1, max_size=12), limbs=st.integers(1, 4))
def test_floats_enter_exactly_as_flint_itself_enters_them(
    values: list[float], limbs: int
) -> None:
    """The vectorised float64 encoding gives FLINT's own words, zero included."""
    ctx = nlib.context(limbs)
    ours = from_floats(ctx, np.array(values), (len(values),)).mat.raw()
    theirs = b""
    for v in values:
        # A fresh buffer: FLINT leaves a special value's mantissa as it was.
        element = ctypes.create_string_buffer(ctx.size)
        nlib.check(ctx.lib.nfloat_set_d(element, v, ctx.ptr), "set_d")
        theirs += element.raw
    assert ours == theirs


@settings(max_examples=200, deadline=None)
@given(
    q=st.fractions(max_denominator=10**40).filter(lambda q: abs(q) < 10**30),
    limbs=st.integers(1, 3),
)
def test_rationals_round_once_to_nearest_like_mpfr(q: Fraction, limbs: int) -> None:
    """A p/q enters rounded to nearest at 64·limbs bits, exactly as mpfr rounds."""
    xp = NfloatBackend(64 * limbs)
    with xp.context():
        (entry,) = from_values(xp.ctx, [q], (1,)).entries()
        # Re-read the stored words, not the cached scalar.
        stored = xp.asarray(np.array([q], dtype=object)) * 1
        (read_back,) = stored.entries()
        reference = gmpy2.mpfr(gmpy2.mpq(q.numerator, q.denominator))
    assert entry == reference
    assert read_back == reference


def test_layout_check_catches_a_wrong_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Broken twin: if words were laid out otherwise, the context refuses to run."""

    def reversed_words(self: Any, sign: int, mantissa: int, exponent: int) -> bytes:
        good = ORIGINAL(self, sign, mantissa, exponent)
        return good[8:16] + good[:8] + good[16:]

    ORIGINAL = nlib.Context.encode
    monkeypatch.setattr(nlib.Context, "encode", reversed_words)
    with pytest.raises(nlib.NfloatUnavailable, match="laid out"):
        nlib.Context(2)


def test_old_flint_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flint, "__FLINT_VERSION__", "3.0.1")
    with pytest.raises(nlib.NfloatUnavailable, match=r"FLINT 3\.0\.1.*3\.3 or newer"):
        nlib.library.__wrapped__()


def test_missing_library_is_refused_with_what_was_tried(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    fake = tmp_path / "libflint-fake.so"
    fake.write_bytes(b"not a library")
    monkeypatch.setattr(nlib, "_candidates", lambda: [fake])
    with pytest.raises(nlib.NfloatUnavailable, match=r"libflint-fake\.so"):
        nlib.library.__wrapped__()


# --- operations --------------------------------------------------------------------
small = st.floats(-4, 4, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(
    a=st.lists(small, min_size=6, max_size=6),
    b=st.lists(small, min_size=3, max_size=3),
    c=st.lists(small, min_size=2, max_size=2),
)
def test_operations_match_float64(
    a: list[float], b: list[float], c: list[float]
) -> None:
    """Broadcasting, axis sums, entrywise functions: numpy's values."""
    xp = NfloatBackend(128)
    m = np.array(a).reshape(3, 2)
    bb, cc = np.array(b), np.array(c)
    with xp.context():
        fm, fb, fc = xp.asarray(m), xp.asarray(bb), xp.asarray(cc)
        cases = {
            "bias": (fm + fb[:, None] + fc[None, :], m + bb[:, None] + cc[None, :]),
            "rsub": (1 - fm, 1 - m),
            "rdiv": (3 / (fm * fm + 1), 3 / (m * m + 1)),
            "neg": (-fm, -m),
            "sum0": (fm.sum(axis=0), m.sum(axis=0)),
            "sum1": (fm.sum(axis=1), m.sum(axis=1)),
            "hadamard": (fm * fm - fm / 2, m * m - m / 2),
            "matmul": (fm.T @ fm, m.T @ m),
            "vector": (fm @ fc, m @ cc),
            "abs": (xp.abs(fm), np.abs(m)),
            "sign": (xp.sign(fm), np.sign(m)),
            "clip": (xp.clip(fm, "1.5"), np.clip(m, -1.5, 1.5)),
            "sqrt": (xp.sqrt(fm * fm + 1), np.sqrt(m * m + 1)),
            "square": (fm**2, m**2),
            "cube": (fm**3, m**3),
            "zeroth": (fm**0, m**0),
        }
        for name, (ours, ref) in cases.items():
            got = xp.to_float(ours)
            assert got.shape == ref.shape, name
            np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-13, err_msg=name)
        assert float(fm.sum()) == pytest.approx(m.sum(), abs=1e-12)


def test_clip_and_sign_keep_exact_values() -> None:
    """Entries inside the bound are untouched to the last bit; zero has sign 0."""
    xp = NfloatBackend(192)
    with xp.context():
        x = xp.asarray(np.array([Fraction(1, 3), Fraction(-7, 3), 0], dtype=object))
        clipped = xp.clip(x, "2").entries()
        assert clipped[0] == x.entries()[0]
        assert clipped[1] == -2
        assert [float(v) for v in xp.sign(x).entries()] == [1.0, -1.0, 0.0]


def test_uniform_weights_scale_without_work() -> None:
    xp = NfloatBackend(128)
    with xp.context():
        ones = xp.asarray(np.ones((2, 3)))
        r = xp.asarray(np.arange(6.0).reshape(2, 3))
        assert ones * r is r
        halves = xp.full((2, 3), "0.5")
        np.testing.assert_array_equal(
            xp.to_float(halves * r), np.arange(6.0).reshape(2, 3) / 2
        )
        assert xp.asarray([[1.0, 2.0]]).uniform is None


def test_unsupported_operations_raise_instead_of_falling_back() -> None:
    xp = NfloatBackend(128)
    with xp.context():
        x = xp.asarray(np.ones((2, 2)))
        with pytest.raises(TypeError):
            np.exp(x)  # type: ignore[call-overload]
        with pytest.raises(TypeError):
            x[0, 1]
        with pytest.raises(TypeError):
            x.sum(axis=2)
        with pytest.raises(TypeError):
            x + "1"
        with pytest.raises(ValueError, match="broadcast"):
            x + xp.asarray(np.ones((3, 3)))
        with pytest.raises(ValueError, match="do not multiply"):
            x @ xp.asarray(np.ones((3, 3)))
        other = NfloatBackend(256)
        with other.context():
            y = other.asarray(np.ones((2, 2)))
        with pytest.raises(ValueError, match="do not combine"):
            x + y


def test_division_by_zero_is_a_named_error() -> None:
    """nfloat carries no infinities: 1/0 stops with the operation named."""
    xp = NfloatBackend(128)
    with xp.context():
        x = xp.asarray(np.array([1.0, 2.0]))
        with pytest.raises(FloatingPointError, match=r"nfloat div.*division by zero"):
            x / xp.asarray(np.array([1.0, 0.0]))
        with pytest.raises(FloatingPointError, match="nfloat sqrt"):
            xp.sqrt(-x)
        with pytest.raises(FloatingPointError, match="no infinities or NaNs"):
            x * gmpy2.mpfr("inf")
        with pytest.raises(FloatingPointError, match="no infinities or NaNs"):
            x + gmpy2.mpfr("nan")


@pytest.mark.parametrize("prec", [0, 1, "64", 2.5, None, 64 * 67])
def test_bad_precision_named(prec: Any) -> None:
    with pytest.raises(InvalidArgument, match="prec"):
        NfloatBackend(prec)


@pytest.mark.parametrize("threads", [0, -1, 1.5, True])
def test_bad_thread_count_named(threads: Any) -> None:
    with pytest.raises(InvalidArgument, match="threads"):
        NfloatBackend(64, threads=threads)


def test_precision_is_reported_in_whole_words() -> None:
    xp = NfloatBackend.from_dps(50)
    assert (xp.requested, xp.prec, xp.dps) == (169, 192, 57)


def test_context_restores_threads_and_mpfr_precision() -> None:
    threads, prec = flint.ctx.threads, gmpy2.get_context().precision
    with NfloatBackend(256, threads=threads + 1).context():
        assert flint.ctx.threads == threads + 1
        assert gmpy2.get_context().precision == 256
    assert (flint.ctx.threads, gmpy2.get_context().precision) == (threads, prec)


def test_arrays_are_independent_of_their_inputs() -> None:
    """An array owns its words: later arrays never change an earlier one."""
    xp = NfloatBackend(128)
    with xp.context():
        v = xp.asarray(np.array([1.0, 2.0]))
        column = v[:, None]
        row = v[None, :]
        total = column + row
        assert isinstance(total, NfloatArray)
        np.testing.assert_array_equal(xp.to_float(v), [1.0, 2.0])
        np.testing.assert_array_equal(xp.to_float(total), [[2, 3], [3, 4]])


# --- whole runs ------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(OPTIMISERS))
def test_agrees_with_mpfr_on_glove(name: str) -> None:
    """Ten steps of every core optimiser: the two backends agree to ~2^-prec.

    Compared exactly, not through float64, so that 2^-150 is a bound a
    disagreement could break.
    """
    model, start = glove_problem()
    ours = _exact_end(NfloatBackend(192), model, OPTIMISERS[name](), start)
    ref = _exact_end(MpfrBackend(192), model, OPTIMISERS[name](), start)
    assert _largest_gap(ours, ref) <= 2.0**-150


def test_agreement_check_catches_a_backend_at_one_word() -> None:
    """Broken twin: 64-bit nfloat against 192-bit mpfr breaks the same bound."""
    model, start = glove_problem()
    low = _exact_end(NfloatBackend(64), model, OPTIMISERS["adam"](), start)
    high = _exact_end(MpfrBackend(192), model, OPTIMISERS["adam"](), start)
    assert _largest_gap(low, high) > 2.0**-150


@pytest.mark.parametrize(("name", "kind"), [("sgd", "shrinks"), ("adam", "persists")])
def test_precision_scaling_through_nfloat(name: str, kind: str) -> None:
    model, start = glove_problem()
    p = exact_element("O", 3, np.random.default_rng(5))
    backends = backends_for((30, 60), "nfloat")
    pairs = [run_pair(xp, model, OPTIMISERS[name](), start, p, 8) for xp in backends]
    assert [pr.backend for pr in pairs] == ["float64", "nfloat", "nfloat"]
    assert [pr.dps for pr in pairs] == [15, 38, 76]
    scaling = classify_scaling([15, 38, 76], [pr.deviation for pr in pairs])
    assert scaling.kind == kind


def test_trajectory_evidence_with_nfloat_certifies_adam() -> None:
    model, start = glove_problem()
    p = exact_element("O", 3, np.random.default_rng(5))
    evidence = trajectory_evidence(
        model, OPTIMISERS["adam"](), start, p, steps=6, backend="nfloat"
    )
    assert evidence[0].details["backends"] == ["float64", "nfloat", "nfloat"]
    assert evidence[-1].verdict == Verdict.REFUTED


def test_precisions_that_share_a_word_count_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="30 and 35 digits both run at 128"):
        backends_for((30, 35), "nfloat")
    with pytest.raises(InvalidSetting, match="dps"):
        VerifyConfig(dps=(30, 35), backend="nfloat")
    assert VerifyConfig(dps=(30, 35), backend="mpfr").dps == (30, 35)


def test_plain_model_on_a_large_pair_matches_float64() -> None:
    """A 60×50 product runs FLINT's blocked algorithm; values still agree."""
    rng = np.random.default_rng(1)
    model = PlainModel(np.ones((60, 50)), rng.standard_normal((60, 50)))
    start = {"A": rng.standard_normal((4, 60)), "B": rng.standard_normal((4, 50))}
    ours = train_to_float(
        NfloatBackend(128), model, OPTIMISERS["sgd"](lr="0.001"), start, 3
    )
    ref = train_to_float(
        MpfrBackend(128), model, OPTIMISERS["sgd"](lr="0.001"), start, 3
    )
    for key in start:
        np.testing.assert_allclose(ours[key], ref[key], rtol=0, atol=1e-25)


# --- found by a fresh-user trial -------------------------------------------------
def test_product_of_different_precisions_is_refused_not_crashed() -> None:
    """It once read the narrower array's words as the wider's: a segfault."""
    a = NfloatBackend(128).asarray(np.ones((2, 3)))
    b = NfloatBackend(64).asarray(np.ones((3, 2)))
    with pytest.raises(ValueError, match="do not combine"):
        a @ b


@pytest.mark.parametrize(
    "make",
    [
        lambda xp: xp.full((2,), gmpy2.mpfr("inf")),
        lambda xp: xp.asarray(np.array([gmpy2.mpfr("-inf"), 1], dtype=object)),
        lambda xp: xp.asarray([[1.0, 2.0]]) * gmpy2.mpfr("inf"),
    ],
)
def test_infinite_scalars_are_refused_everywhere(make: Any) -> None:
    xp = NfloatBackend(128)
    with xp.context(), pytest.raises(FloatingPointError, match="no infinities"):
        make(xp)


@pytest.mark.parametrize("threads", [65, 1000])
def test_more_threads_than_flint_allows_are_refused(threads: int) -> None:
    with pytest.raises(InvalidArgument, match="threads"):
        NfloatBackend(128, threads=threads)


def test_default_threads_stay_within_flints_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 256)
    xp = NfloatBackend(128)
    assert xp.threads == 64
    with xp.context():
        assert flint.ctx.threads == 64


def test_numpy_functions_are_refused_not_misread() -> None:
    """np.dot once treated the array as one scalar and multiplied entrywise."""
    xp = NfloatBackend(128)
    with xp.context():
        a = xp.asarray(np.array([[1.0, 2.0], [3.0, 4.0]]))
        with pytest.raises(TypeError):
            np.dot(a, a)
        with pytest.raises(TypeError):
            np.sum(a)


def test_arrays_have_no_truth_value_or_equality() -> None:
    xp = NfloatBackend(128)
    with xp.context():
        a = xp.asarray(np.array([0.0]))
        with pytest.raises(TypeError, match="truth value"):
            bool(a)
        with pytest.raises(TypeError, match="compare"):
            a == a  # noqa: B015 - the comparison itself must refuse


def test_to_float_rounds_with_every_word() -> None:
    """1 + 2^-53 + 2^-100 is nearer 1 + 2^-52 than 1: the low words decide."""
    xp = NfloatBackend(192)
    with xp.context():
        q = 1 + Fraction(1, 2**53) + Fraction(1, 2**100)
        got = xp.to_float(xp.asarray(np.array([q, -q], dtype=object)))
    assert got.tolist() == [1 + 2.0**-52, -(1 + 2.0**-52)]


@settings(max_examples=200, deadline=None)
@given(q=st.fractions(max_denominator=10**30).filter(lambda q: 0 < abs(q) < 10**30))
def test_to_float_is_the_nearest_float(q: Fraction) -> None:
    xp = NfloatBackend(192)
    with xp.context():
        got = xp.to_float(xp.asarray(np.array([q], dtype=object)))[0]
    assert got == float(gmpy2.mpfr(gmpy2.mpq(q.numerator, q.denominator), 192))


def test_wider_mpfr_inputs_are_rounded_to_the_backend() -> None:
    xp = NfloatBackend(128)
    wide = gmpy2.mpfr(gmpy2.mpq(1, 3), 400)
    with xp.context():
        (entry,) = xp.asarray(np.array([wide], dtype=object)).entries()
        assert entry == gmpy2.mpfr(gmpy2.mpq(1, 3), 128)
        assert xp.number(wide) == entry


@pytest.mark.parametrize("shape", [(-2, 3), (2.5, 2), (2, "3"), (1, 2, 3)])
def test_bad_shapes_are_named(shape: Any) -> None:
    with pytest.raises(InvalidArgument, match="shape"):
        NfloatBackend(128).full(shape, 1)


def test_square_root_of_a_negative_says_so() -> None:
    xp = NfloatBackend(128)
    with xp.context(), pytest.raises(FloatingPointError, match="negative"):
        xp.sqrt(xp.asarray(np.array([4.0, -1.0])))


def test_numpy_integer_powers_and_single_entry_broadcasts() -> None:
    xp = NfloatBackend(128)
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    with xp.context():
        a = xp.asarray(m)
        np.testing.assert_array_equal(xp.to_float(a ** np.int64(2)), m**2)
        for single in (np.array([[2.0]]), np.array([2.0])):
            got = xp.to_float(a * xp.asarray(single) + xp.asarray(single))
            np.testing.assert_array_equal(got, m * single + single)


def test_arrays_pickle_and_copy_exactly() -> None:
    import copy
    import pickle

    xp = NfloatBackend(192)
    with xp.context():
        a = xp.asarray(np.array([[Fraction(1, 3), 2]], dtype=object))
        for twin in (pickle.loads(pickle.dumps(a)), copy.deepcopy(a)):
            assert twin.shape == a.shape
            assert twin.entries() == a.entries()
            assert twin.mat.raw() == a.mat.raw()


# --- found by the second trial -----------------------------------------------------
def test_uniform_factor_of_another_precision_is_refused() -> None:
    """The uniform shortcut ran before the precision check: 128-bit accuracy."""
    wide = NfloatBackend(192).asarray(np.array([1.0, 2.0, 3.0]))
    narrow = NfloatBackend(128).full((3,), Fraction(1, 3))
    with pytest.raises(ValueError, match="do not combine"):
        wide * narrow
    with pytest.raises(ValueError, match="do not combine"):
        narrow * wide


@pytest.mark.parametrize(
    "q",
    [
        Fraction(1, 2**1075) * (1 + Fraction(1, 2**55)),  # just above half the least
        3 * Fraction(1, 2**1075) - Fraction(1, 2**1140),  # just below 1.5 of it
        Fraction(1, 2**1030) * 3,  # subnormal, exact
        Fraction(2**1100),  # beyond float64: inf
        Fraction(1, 2**1200),  # far below: zero
    ],
)
def test_to_float_rounds_subnormals_and_overflow_once(q: Fraction) -> None:
    xp = NfloatBackend(192)
    with xp.context():
        got = xp.to_float(xp.asarray(np.array([q, -q], dtype=object)))
    try:
        want = float(q)
    except OverflowError:
        want = math.inf
    assert got.tolist() == [want, -want]


def test_values_beyond_mpfrs_range_are_refused_when_read() -> None:
    """2^(1000·2^21) is an nfloat but no mpfr: it once read back as inf."""
    xp = NfloatBackend(128)
    with xp.context():
        for start in (2.0**1000, 2.0**-1000):
            y = xp.asarray(np.array([start])) ** (2**21)
            with pytest.raises(FloatingPointError, match="exponent range"):
                y.entries()
            with pytest.raises(FloatingPointError, match="exponent range"):
                y.sum()
            assert xp.to_float(y)[0] in (math.inf, 0.0)  # reporting still works


def test_extended_precision_inputs_enter_exactly() -> None:
    tiny = np.longdouble(2.0) ** -60
    if np.finfo(np.longdouble).nmant < 60:
        pytest.skip("long double is float64 here")
    for xp in (NfloatBackend(128), MpfrBackend(128)):
        with xp.context():
            assert xp.number(np.longdouble(1) + tiny) - 1 == gmpy2.mpfr(2) ** -60


def test_gmpy2_numbers_are_scalars_everywhere() -> None:
    nb, mb = NfloatBackend(128), MpfrBackend(128)
    with nb.context():
        x = nb.asarray(np.array([1.0, 2.0]))
        np.testing.assert_array_equal(nb.to_float(x * gmpy2.mpz(5)), [5.0, 10.0])
    assert mb.number(gmpy2.mpfr("0.5")) == nb.number(gmpy2.mpfr("0.5"))


@pytest.mark.parametrize(
    "make",
    [
        lambda: NfloatBackend(128),
        lambda: MpfrBackend(128),
        lambda: FlintBackend(128),
        lambda: Float64Backend(),
    ],
)
def test_negative_clip_bounds_are_refused(make: Any) -> None:
    xp = make()
    with xp.context(), pytest.raises(InvalidArgument, match="bound"):
        xp.clip(xp.asarray(np.array([1.0, -3.0])), "-1")


def test_entries_read_outside_the_context_keep_their_precision() -> None:
    """A negative entry was negated after the context closed: 53 bits were left."""
    xp = NfloatBackend(192)
    with xp.context():
        x = xp.asarray(np.array([Fraction(-1, 3), Fraction(1, 3)], dtype=object)) * 1
    negative, positive = x.entries()
    assert negative.precision == positive.precision == 192
    # exact comparison: an mpfr negation here would round at 53 bits itself
    assert Fraction(*negative.as_integer_ratio()) == -Fraction(
        *positive.as_integer_ratio()
    )
