"""Side-by-side timings of the number systems on the same gradient descent.

Run with ``python -m orthoproof.bench`` (the ``bench`` nox session). Absolute
times on shared machines vary; the ratios, measured in one run on the same
work, are what to read. Nothing here asserts a speed.

Four number systems run the same model and optimiser code: numpy float64,
FLINT's nfloat (:mod:`orthoproof.nfloat`, the suite's fast backend), the
python-flint ``arb_mat`` backend (:mod:`orthoproof.flintmat`) and numpy
object arrays of gmpy2 ``mpfr``; mpmath's own matrices run the same update
for comparison. nfloat is the fastest because its numbers are a fixed number
of words stored inline: no allocation and no radius per operation, and
FLINT's vector and matrix loops are written for those sizes. At 50 digits an
entry is still three words (nfloat works in whole words: 192 bits), so a
multiply-add costs about nine word products against one vectorised float64
fused multiply-add in BLAS; that sets the floor of the large case.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import mpmath
import numpy as np

from orthoproof.backends import Backend, Float64Backend, MpfrBackend
from orthoproof.flintmat import FlintBackend
from orthoproof.groups import exact_element
from orthoproof.models import PlainModel
from orthoproof.nfloat import NfloatBackend
from orthoproof.optimisers import SGD, Adam
from orthoproof.trajectory.certify import certify_deviation

__all__ = ["Case", "main", "run_case"]


@dataclass(frozen=True)
class Case:
    """One workload: plain GD on a random k×m, k×n factor pair."""

    name: str
    k: int
    m: int
    n: int
    steps: int
    dps: int = 50


def _problem(case: Case) -> tuple[PlainModel, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    model = PlainModel(np.ones((case.m, case.n)), rng.standard_normal((case.m, case.n)))
    start = {
        "A": rng.standard_normal((case.k, case.m)) / np.sqrt(case.k),
        "B": rng.standard_normal((case.k, case.n)) / np.sqrt(case.k),
    }
    return model, start


def _ours(xp: Backend, case: Case) -> float:
    model, start = _problem(case)
    optimiser = SGD(lr="0.001")
    with xp.context():
        data = model.data(xp)
        theta = {k: xp.asarray(v) for k, v in start.items()}
        state = optimiser.init(xp, theta)
        begin = time.perf_counter()
        for _ in range(case.steps):
            theta, state = optimiser.step(
                xp, theta, model.gradient(xp, theta, data), state
            )
        return time.perf_counter() - begin


def _mpmath(case: Case) -> float:
    model, start = _problem(case)
    with mpmath.workdps(case.dps):
        a, b = mpmath.matrix(start["A"].tolist()), mpmath.matrix(start["B"].tolist())
        target = mpmath.matrix(np.asarray(model.target, dtype=float).tolist())
        lr = mpmath.mpf("0.001")
        begin = time.perf_counter()
        for _ in range(case.steps):
            g = a.T * b - target
            a, b = a - lr * (b * g.T), b - lr * (a * g)
        return time.perf_counter() - begin


def _certify_seconds() -> float:
    """Time to certify Adam's refutation under a rotation (k = 2, 3 steps)."""
    case = Case("certify", 2, 4, 4, 3)
    model, start = _problem(case)
    p = exact_element("O", 2, np.random.default_rng(1))
    begin = time.perf_counter()
    cert = certify_deviation(model, Adam(lr="0.01"), start, p, steps=3, prec=128)
    seconds = time.perf_counter() - begin
    if not cert.certified:
        raise AssertionError(f"Adam was not certified broken: {cert.reason}")
    return seconds


def _free_proof_seconds() -> tuple[float, int]:
    """Time to prove, and have the checker replay, every dimension-free claim."""
    from orthoproof.prove import FREE_CLAIMS, prove_free
    from orthoproof.verdicts import Verdict

    prove_free(FREE_CLAIMS[0])  # the first call pays for imports and caches
    begin = time.perf_counter()
    verdicts = [prove_free(claim).verdict for claim in FREE_CLAIMS]
    seconds = time.perf_counter() - begin
    if any(v != Verdict.PROVED for v in verdicts):
        raise AssertionError(f"a dimension-free claim was not proved: {verdicts}")
    return seconds, len(verdicts)


def _systems(case: Case, with_mpmath: bool) -> dict[str, Callable[[], float]]:
    """Each number system's run of ``case``, returning seconds."""
    timed: dict[str, Callable[[], float]] = {
        "float64": lambda: _ours(Float64Backend(), case),
        f"nfloat backend ({case.dps} dps)": lambda: _ours(
            NfloatBackend.from_dps(case.dps), case
        ),
        "nfloat backend, one thread": lambda: _ours(
            NfloatBackend.from_dps(case.dps, threads=1), case
        ),
        f"flint arb_mat ({case.dps} dps)": lambda: _ours(
            FlintBackend.from_dps(case.dps), case
        ),
        f"mpfr backend ({case.dps} dps)": lambda: _ours(
            MpfrBackend.from_dps(case.dps), case
        ),
    }
    if with_mpmath:
        timed[f"mpmath.matrix ({case.dps} dps)"] = lambda: _mpmath(case)
    return timed


def run_case(case: Case, with_mpmath: bool = True, repeats: int = 3) -> dict[str, Any]:
    """Seconds per step for each number system, best of ``repeats`` runs.

    Every system first runs two untimed steps: the first run of each pays for
    imports, caches and FLINT's contexts (a first float64 run once measured
    14 times its usual time). The systems then take turns within each repeat,
    so a burst of load on a shared machine hits them alike; the best run is
    the least disturbed one.
    """
    for warm_up in _systems(replace(case, steps=2), with_mpmath).values():
        warm_up()
    timed = _systems(case, with_mpmath)
    best = {name: float("inf") for name in timed}
    for _ in range(repeats):
        for name, run in timed.items():
            best[name] = min(best[name], run() / case.steps)
    return {"case": case, "per_step": best}


def _report(result: dict[str, Any]) -> list[str]:
    case, per_step = result["case"], result["per_step"]
    float64, nfloat_, single, arb_, mpfr_, *mpmath_ = list(per_step.values())
    lines = [f"{case.name}: k={case.k}, m={case.m}, n={case.n}, {case.steps} steps"]
    lines += [f"  {name:28s} {1e3 * t:10.3f} ms/step" for name, t in per_step.items()]
    lines.append(f"  nfloat backend / float64    {nfloat_ / float64:10.1f}×")
    lines.append(f"  (one thread) / float64      {single / float64:10.1f}×")
    lines.append(f"  flint arb_mat / float64     {arb_ / float64:10.1f}×")
    lines.append(f"  mpfr backend / float64      {mpfr_ / float64:10.1f}×")
    if mpmath_:
        lines.append(f"  mpmath.matrix / nfloat      {mpmath_[0] / nfloat_:10.1f}×")
        lines.append(f"  mpmath.matrix / flint       {mpmath_[0] / arb_:10.1f}×")
        lines.append(f"  mpmath.matrix / mpfr        {mpmath_[0] / mpfr_:10.1f}×")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Print the side-by-side ratios; ``--quick`` shortens every case."""
    parser = argparse.ArgumentParser(prog="python -m orthoproof.bench")
    parser.add_argument("--quick", action="store_true", help="fewer steps")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per system; the best counts"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, not {args.repeats}")
    small = Case("small", 4, 10, 10, 20 if args.quick else 200)
    large = Case("large", 8, 100, 100, 1 if args.quick else 3)
    cases = (small, large)
    for line in [
        line for c in cases for line in _report(run_case(c, repeats=args.repeats))
    ]:
        print(line)  # the bench is a command: it owns the terminal
    print(f"certified refutation (Adam, k=2, arb 128 bits): {_certify_seconds():.3f} s")
    seconds, count = _free_proof_seconds()
    print(f"dimension-free proofs, all {count} claims, checked: {seconds:.3f} s")
    print(
        "targets (issue 4): mpmath/nfloat ≥ 30×; "
        "nfloat/float64 ≤ 15× small, ≤ 100× large"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
