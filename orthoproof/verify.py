"""``orthoproof verify``: every claim of the catalogue, settled on real input.

The pipeline loads the input, builds its GloVe problem, runs each selected
stage of :data:`orthoproof.stages.STAGES` on the claims it settles, and
combines each claim's evidence into its verdict. It reports progress through a
callback and logs; it never prints (the CLI owns the terminal).
"""

from __future__ import annotations

import difflib
import logging
import shlex
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from orthoproof.claims import ClaimSpec, expected_for
from orthoproof.config import ALL_STAGES, TRAJECTORY_HYPER, InvalidSetting, VerifyConfig
from orthoproof.data import Cooccurrence, load
from orthoproof.data.counting import VocabularyTooLarge
from orthoproof.errors import DataError
from orthoproof.options import os_reason
from orthoproof.problem import GloveProblem, glove_problem
from orthoproof.report import RunInfo
from orthoproof.stages import STAGES, Context, Found, Progress, catalogue
from orthoproof.verdicts import ClaimResult, Evidence, combine

__all__ = [
    "ALL_STAGES",
    "TRAJECTORY_HYPER",
    "GloveProblem",
    "VerifyConfig",
    "glove_problem",
    "verify",
]

log = logging.getLogger(__name__)

#: Keys of evidence details that hold wall-clock times; they move to the run's
#: timings so everything else in a report is reproducible byte for byte.
TIMING_KEYS = ("timings_s", "seconds")


@dataclass
class _Clock:
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        begin = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - begin, 3)


def _without_timings(
    evidence: list[Evidence], label: str, stage: str, timings: dict[str, float]
) -> list[Evidence]:
    kept = []
    for item in evidence:
        for key in TIMING_KEYS:
            value = item.details.get(key)
            if isinstance(value, dict):
                value = value.get("total", sum(float(v) for v in value.values()))
            if value is not None:
                name = f"{stage}/{label} ({item.kind})"
                timings[name] = round(timings.get(name, 0.0) + float(value), 3)
        details = {k: v for k, v in item.details.items() if k not in TIMING_KEYS}
        kept.append(replace(item, details=details))
    return kept


def _result(
    spec: ClaimSpec, evidence: list[Evidence], k: int, steps: int
) -> ClaimResult:
    # A claim may gather runs of several lengths (the core stage runs --steps,
    # the optimiser table its own); the longest decides what to expect.
    runs = [
        int(e.details["steps"])
        for e in evidence
        if e.kind == "trajectory" and isinstance(e.details.get("steps"), int)
    ]
    return ClaimResult(
        id=spec.id,
        statement=spec.statement,
        group=spec.group,
        expected=expected_for(spec, k, max(runs, default=steps)),
        verdict=combine(evidence),
        evidence=tuple(evidence),
    )


def _quiet(stage: str, done: int, total: int, label: str) -> None:
    log.info("%s %d/%d %s", stage, done, total, label)


def _wanted(
    config: VerifyConfig, only: str | None, group: str | None
) -> frozenset[tuple[str, str]]:
    """The (claim, group) pairs this run settles; refuse a selection that is empty.

    Everything here is known before the input is read, so an impossible
    ``only``, ``group`` or ``stages`` costs no work and overwrites no report.
    """
    claims = catalogue()
    if only is not None:
        ids = sorted({s.id for s in claims})
        if only not in ids:
            raise InvalidSetting("only", only, _claim_ids_hint(only, ids))
    wanted = frozenset(
        (s.id, s.group)
        for s in claims
        if (only is None or s.id == only) and (group is None or s.group == group)
    )
    if not wanted:
        stated = sorted({s.group for s in claims if only is None or s.id == only})
        what = f"{only} is" if only is not None else "claims are"
        raise InvalidSetting(
            "group", group, f"a group {what} stated for: {', '.join(stated)}"
        )
    settling = [
        s.name for s in STAGES if any((c.id, c.group) in wanted for c in s.claims)
    ]
    if not set(settling) & set(config.stages):
        what = only if only is not None else f"a claim for group {group}"
        raise InvalidSetting(
            "stages",
            config.stages,
            f"a list with a stage that settles {what}: {', '.join(settling)}",
        )
    return wanted


def _claim_ids_hint(only: str, ids: list[str]) -> str:
    """What --only could have been, in a line: the count, where to look, near misses."""
    hint = f"one of the {len(ids)} claim ids, which `orthoproof claims` lists"
    close = difflib.get_close_matches(only, ids, n=3)
    return f"{hint}; closest: {', '.join(close)}" if close else hint


def _load(config: VerifyConfig) -> Cooccurrence:
    try:
        return load(config.data, vocab_size=config.vocab_size, window=config.window)
    except VocabularyTooLarge as error:
        # Known only once the tokens are counted, but the fault is the option's.
        raise InvalidSetting(
            "vocab_size",
            error.requested,
            f"at most {error.available}, the distinct words of the input",
        ) from error
    except DataError as error:
        if config.data is None:
            raise
        # The readers name the file; the user typed it as --data, so say that.
        message, named = str(error), str(Path(config.data))
        rest = message[len(named) :] if message.startswith(named) else f": {message}"
        raise DataError(f"--data={shlex.quote(config.data)}{rest}") from error
    except OSError as error:
        # The readers report files that are missing or unreadable; a path the
        # system cannot even look up (a name too long, a loop) fails in stat.
        if config.data is None:
            raise
        raise InvalidSetting(
            "data", config.data, f"a readable file ({os_reason(error)})"
        ) from error


def _check_k(config: VerifyConfig, data: Cooccurrence) -> None:
    m, n = data.shape
    if config.k > min(m, n):
        raise InvalidSetting(
            "k", config.k, f"at most {min(m, n)}, the smaller side of the {m}×{n} input"
        )


def verify(
    config: VerifyConfig,
    progress: Progress | None = None,
    only: str | None = None,
    group: str | None = None,
) -> tuple[list[ClaimResult], RunInfo, dict[str, Any]]:
    """Run the selected stages; return claim results, run metadata and studies.

    ``only`` restricts the run to the claims whose id equals it, and ``group``
    to those stated for that group (for replay); the studies run only when
    every claim is asked for and ``config.study`` is set. Stages that settle
    none of the selected claims are skipped.

    Raises
    ------
    InvalidSetting
        Before any work, if ``only`` names no claim, ``group`` leaves nothing
        of it, or no stage of ``config.stages`` settles the selection; after
        reading the input, if ``config.data`` cannot be looked up or ``k``
        exceeds the input's smaller side.
    DataError
        If the input file is missing or unusable.
    """
    wanted = _wanted(config, only, group)
    clock = _Clock()
    with clock.stage("input"):
        data = _load(config)
        _check_k(config, data)
        problem = glove_problem(data, config.k, config.seed, config.x_max, config.alpha)

    ctx = Context(config, data, problem, wanted, progress or _quiet)
    evidence: Found = {}
    per_claim: dict[str, float] = {}
    for stage in STAGES:
        # A stage that settles none of the wanted claims would only cost time.
        if stage.name not in config.stages or not ctx.settle(stage.claims):
            continue
        with clock.stage(stage.name):
            found = stage.run(ctx)
        for key, items in found.items():
            kept = _without_timings(items, key[0], stage.name, per_claim)
            evidence.setdefault(key, []).extend(kept)

    studies: dict[str, Any] = {}
    if config.study and only is None and group is None:
        from orthoproof.study import run_study, study_section

        ctx.progress("study", 0, 1, "training GloVe under four regimes")
        with clock.stage("study"):
            studies["basis-alignment"] = study_section(
                run_study(config.study_profile, config.seed)
            )
        ctx.progress("study", 1, 1, "done")

    # A claim with no evidence is reported (as undecided) only when every
    # stage ran: then the silence is a fault worth seeing, not a choice.
    complete = set(config.stages) == set(ALL_STAGES)
    results = [
        _result(spec, evidence.get((spec.id, spec.group), []), config.k, config.steps)
        for spec in catalogue()
        if (spec.id, spec.group) in wanted
        and (complete or (spec.id, spec.group) in evidence)
    ]
    run = RunInfo(
        seed=config.seed,
        input_source=data.source,
        input_sha256=data.sha256,
        input_shape=data.shape,
        config=config.to_json(),
        timings={**clock.timings, **per_claim},
    )
    return results, run, studies
