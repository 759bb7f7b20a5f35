"""The committed default report in ``reports/`` stays in step with the code.

The fast tests check the stored files against the current catalogue and the
current renderers; the slow test runs the default ``verify`` afresh and compares
its verdicts (and only its verdicts: evidence and timings may move with
library versions) with the committed ones. When one of these fails after a
deliberate change, regenerate the reports with ``nox -s verify``, or, for a
renderer change alone, ``orthoproof report reports/report.json --out reports``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orthoproof.report import load_document, render_formats, validate
from orthoproof.report.output import FILE_NAMES
from orthoproof.stages import catalogue

REPORTS = Path(__file__).resolve().parent.parent / "reports"

Verdicts = dict[tuple[str, str], str]


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    # Read as plain JSON, so the schema test sees the file exactly as stored.
    return json.loads((REPORTS / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return render_formats(load_document(REPORTS / "report.json"))


def _verdicts(doc: dict[str, Any]) -> Verdicts:
    return {(c["id"], c["group"]): c["verdict"] for c in doc["claims"]}


def test_committed_report_validates_against_the_schema(committed: dict[str, Any]):
    """The stored report.json keeps the CI contract."""
    assert validate(committed) == []


def test_committed_report_covers_exactly_the_catalogue(committed: dict[str, Any]):
    """Every (claim, group) of the catalogue appears once, and nothing else does."""
    stored = [(c["id"], c["group"]) for c in committed["claims"]]
    wanted = [(spec.id, spec.group) for spec in catalogue()]
    assert len(stored) == len(set(stored))
    assert set(stored) - set(wanted) == set(), "claims no longer in the catalogue"
    assert set(wanted) - set(stored) == set(), "catalogue claims missing"


def test_committed_verdicts_are_the_expected_ones(committed: dict[str, Any]):
    """Each stored verdict is what the catalogue expects, today."""
    expected = {(s.id, s.group): s.expected.value for s in catalogue()}
    missed = {
        pair: (verdict, expected.get(pair))
        for pair, verdict in _verdicts(committed).items()
        if verdict != expected.get(pair)
    }
    assert missed == {}
    assert committed["summary"]["ok"] is True


@pytest.mark.parametrize("fmt", [f for f in FILE_NAMES if f != "json"])
def test_committed_formats_rerender_byte_identically(
    fmt: str, rendered: dict[str, str]
) -> None:
    """report.md, report.html and report.junit.xml are what the JSON renders to now."""
    stored = (REPORTS / FILE_NAMES[fmt]).read_bytes()
    # Compared as one boolean: a diff of two megabyte pages helps nobody.
    in_step = stored == rendered[fmt].encode("utf-8")
    assert in_step, (
        f"reports/{FILE_NAMES[fmt]} is stale: run "
        "`orthoproof report reports/report.json --out reports`"
    )


def test_committed_json_is_in_canonical_form(rendered: dict[str, str]) -> None:
    """report.json is byte for byte what orthoproof writes for its own content."""
    in_step = (REPORTS / "report.json").read_bytes() == rendered["json"].encode()
    assert in_step


@pytest.mark.slow
def test_a_fresh_default_run_gives_the_committed_verdicts(
    committed: dict[str, Any], tmp_path: Path
) -> None:
    """`orthoproof verify` today reaches the same verdicts as the committed run."""
    from orthoproof.cli import main

    status = main(["verify", "--out", str(tmp_path)])
    fresh = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert status == 0
    old, new = _verdicts(committed), _verdicts(fresh)
    changed = {
        pair: (old.get(pair), new.get(pair))
        for pair in old.keys() | new.keys()
        if old.get(pair) != new.get(pair)
    }
    assert changed == {}, "regenerate reports/ with `nox -s verify`"
