"""Settings of a ``verify`` run, validated once and recorded in the report.

Every setting is also a command-line option (:data:`FLAGS`), so an invalid
one is an :class:`InvalidSetting` that can be worded as the option the user
typed, and a run's settings can be written back as the options of a replay.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from orthoproof.data.loading import DEFAULT_VOCAB_SIZE, READERS
from orthoproof.errors import InvalidArgument
from orthoproof.optimisers import optimiser_by_name
from orthoproof.options import InvalidOption, option_text
from orthoproof.trajectory.evidence import HIGH_PRECISION, backends_for

__all__ = [
    "ALL_STAGES",
    "FLAGS",
    "MAX_DPS",
    "MAX_FUZZ_EXAMPLES",
    "MAX_STEPS",
    "MAX_WINDOW",
    "TRAJECTORY_HYPER",
    "InvalidSetting",
    "VerifyConfig",
    "option_args",
]

#: Evidence stages of ``verify``, in the order they run (see orthoproof.stages).
ALL_STAGES = (
    "theory",
    "proofs",
    "fuzzing",
    "trajectories",
    "optimisers",
    "initialisations",
)

#: Learning rates for full-batch training on GloVe's summed cost. Framework
#: defaults are kept where the run stays bounded (Adagrad, GloVe, Adam); plain
#: and momentum steps are scaled to the summed loss so that 50 steps descend.
TRAJECTORY_HYPER: Mapping[str, Mapping[str, str]] = {
    "sgd": {"lr": "0.002"},
    "momentum": {"lr": "0.0005", "momentum": "0.9"},
    "adagrad": {},
    "glove-adagrad": {},
    "adam": {"lr": "0.01"},
}

#: The command-line option of each setting, and of verify's own arguments.
FLAGS: Mapping[str, str] = {
    "seed": "--seed",
    "data": "--data",
    "vocab_size": "--vocab-size",
    "window": "--window",
    "k": "--k",
    "steps": "--steps",
    "dps": "--dps",
    "backend": "--backend",
    "fuzz_examples": "--fuzz-examples",
    "stages": "--stages",
    "study_profile": "--study-profile",
    "only": "--only",
    "group": "--group",
}

# Upper bounds. They are there to catch a slipped digit, which would otherwise
# run silently for hours, not to forbid a long run someone means.
#: Digits of the highest precision. mpfr's cost grows with the digits: at 1000
#: the default trajectories take about twice as long as at 60, while the
#: scaling test needs only a few precisions above float64's 16.
#: Deviations near 10^-dps are reported as float64 numbers, whose smallest
#: normal value is about 1e-308: beyond 300 digits they would read as zero.
MAX_DPS = 300
#: Trajectory steps. At the default size 50 steps take about half a minute, so
#: 100 000 is hours already; a tiny problem may still want that many.
MAX_STEPS = 100_000
#: Co-occurrence window of the built-in corpus. Each unit of width is one more
#: pass over its ~130 000 tokens (about a second per thousand), and its
#: docstrings are far shorter than 1000 tokens: a wider window only pairs words
#: of unrelated docstrings. (GloVe's own default is 15.)
MAX_WINDOW = 1000
#: Hypothesis examples per fuzzed claim. 150 take about 10 s in all, so 10 000
#: is some ten minutes.
MAX_FUZZ_EXAMPLES = 10_000
#: What --data may be: a file with a suffix of orthoproof.data.loading.READERS.
_DATA_FORMS = (
    "a file ending in .bin (GloVe cooccur records), .mtx or .mm (Matrix Market) "
    "or .npy (NumPy); without --data the built-in stdlib corpus is used"
)


class InvalidSetting(InvalidArgument):
    """A setting of ``verify`` is invalid.

    Its message names the setting as Python does (``k=0 (int): expected …``);
    :meth:`as_option` words it as the command line does (``--k=0: expected …``).
    """

    def __init__(self, name: str, value: Any, valid: str) -> None:
        super().__init__(f"{name}={value!r} ({type(value).__name__}): expected {valid}")
        self.name, self.value, self.valid = name, value, valid

    def as_option(self) -> InvalidOption:
        """The same complaint about the option that set the value."""
        return InvalidOption(FLAGS.get(self.name, self.name), self.value, self.valid)


def _int_in(name: str, value: Any, low: int, high: int | None, why: str = "") -> None:
    """Refuse ``value`` unless it is an int (not a bool) from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        ok = False
    else:
        ok = low <= value and (high is None or value <= high)
    if not ok:
        span = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise InvalidSetting(name, value, f"an int {span}{why}")


@dataclass(frozen=True)
class VerifyConfig:
    """Settings of one ``verify`` run; every field is recorded in the report."""

    seed: int = 0
    data: str | None = None
    #: words kept; None keeps all of a file and 40 of the built-in corpus
    vocab_size: int | None = None
    window: int = 10
    k: int = 4
    steps: int = 50
    dps: tuple[int, ...] = (30, 60)
    #: high-precision number system of the trajectory stage: "mpfr" (numpy
    #: object arrays), "flint" (python-flint arb matrices) or "nfloat" (FLINT's
    #: fixed-word floats, the fastest; precision in whole 64-bit words)
    backend: str = "mpfr"
    fuzz_examples: int = 150
    proof_dims: tuple[int, int, int] = (3, 2, 2)
    record_every: int = 5
    x_max: float = 100.0
    alpha: float = 0.75
    stages: tuple[str, ...] = ALL_STAGES
    #: run the basis-alignment study (issue 7) after the claims, at this profile
    study: bool = True
    study_profile: str = "small"

    def __post_init__(self) -> None:
        if (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, int)
            or self.seed < 0
        ):
            raise InvalidSetting("seed", self.seed, "a non-negative int")
        self._check_data()
        if self.vocab_size is not None:
            _int_in("vocab_size", self.vocab_size, 1, None)
        _int_in("window", self.window, 1, MAX_WINDOW)
        # k = 1 leaves only the sign flips ±1: every group of the catalogue
        # collapses to them, and the trajectory claims' expectations switch
        # (claims.expected_for) while the optimiser table and the initialisation
        # claims are settled at their own k, so half the verdicts would differ.
        _int_in("k", self.k, 2, None, " (at k = 1 every group is just ±1)")
        self._check_k_fits()
        _int_in("steps", self.steps, 1, MAX_STEPS)
        _int_in("fuzz_examples", self.fuzz_examples, 1, MAX_FUZZ_EXAMPLES)
        self._check_dps()
        if self.backend not in HIGH_PRECISION:
            names = " or ".join(repr(name) for name in HIGH_PRECISION)
            raise InvalidSetting("backend", self.backend, names)
        try:
            backends_for(self.dps, self.backend)
        except InvalidArgument as error:
            valid = str(error).split("expected ", 1)[-1]
            raise InvalidSetting("dps", self.dps, valid) from None
        if self.study_profile not in ("small", "thorough"):
            raise InvalidSetting(
                "study_profile", self.study_profile, "'small' or 'thorough'"
            )
        self._check_stages()

    def _check_data(self) -> None:
        # The suffix picks the reader, so an unknown one is known to fail now,
        # before the slower checks of the file itself.
        if self.data is None:
            return
        if not isinstance(self.data, str | os.PathLike) or (
            Path(self.data).suffix.lower() not in READERS
        ):
            raise InvalidSetting("data", self.data, _DATA_FORMS)

    def _check_k_fits(self) -> None:
        # A file's size is known only once it is read; these two cases now.
        words = self.vocab_size
        if words is None and self.data is None:
            words = DEFAULT_VOCAB_SIZE
        if words is not None and self.k > words:
            raise InvalidSetting(
                "k", self.k, f"at most {words}, the number of words kept"
            )

    def _check_dps(self) -> None:
        dps = self.dps
        valid = (
            "two or more distinct ints from 17 (above float64's 16 digits) "
            f"to {MAX_DPS} (deviations near 10^-dps are reported as float64), "
            "e.g. 30,60"
        )
        if (
            not isinstance(dps, tuple)
            or len(set(dps)) < 2
            or len(set(dps)) != len(dps)
            or any(isinstance(d, bool) or not isinstance(d, int) for d in dps)
            or not all(17 <= d <= MAX_DPS for d in dps)
        ):
            raise InvalidSetting("dps", dps, valid)

    def _check_stages(self) -> None:
        unknown = [s for s in self.stages if s not in ALL_STAGES]
        if unknown or not self.stages:
            raise InvalidSetting(
                "stages",
                self.stages,
                f"one or more of {','.join(ALL_STAGES)}, separated by commas",
            )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["dps"], out["proof_dims"] = list(self.dps), list(self.proof_dims)
        out["stages"] = list(self.stages)
        out["trajectory_hyperparameters"] = {
            name: optimiser_by_name(name, **hyper).hyper
            for name, hyper in TRAJECTORY_HYPER.items()
        }
        return out


def option_args(
    config: VerifyConfig, names: Iterable[str], *, changed_only: bool = True
) -> list[str]:
    """Command-line arguments that set each of ``names`` to its value in ``config``.

    With ``changed_only`` (the default) settings at their defaults are left
    out, so that a replay command stays as short as the run allows.
    """
    defaults = {f.name: f.default for f in fields(VerifyConfig)}
    args: list[str] = []
    for name in names:
        value = getattr(config, name)
        if changed_only and value == defaults[name]:
            continue
        args += [FLAGS[name], option_text(value)]
    return args
