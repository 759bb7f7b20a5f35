"""Tests of the HTML report, its plots and formulas, and the JUnit report."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from orthoproof.errors import OrthoproofError
from orthoproof.report import (
    RunInfo,
    load_document,
    render_html,
    report_document,
    rerender_reports,
    to_junit,
    write_reports,
)
from orthoproof.report.formulas import _BUILDERS, claim_formulas, matrix_mathml
from orthoproof.report.html import TIMINGS_MARKER
from orthoproof.report.plots import trajectory_svg
from orthoproof.report.study_plot import basis_study_svg
from orthoproof.verdicts import ClaimResult, Evidence, Verdict

COMMITTED = Path(__file__).resolve().parent.parent / "reports" / "report.json"
SHA = "0123456789abcdef" * 4
CURVES = {"15": [[1, 1e-16], [2, 2e-16]], "30": [[1, 1e-31], [2, 0.0]]}


def _results(adam_verdict: Verdict = Verdict.REFUTED) -> list[ClaimResult]:
    proof = Evidence(
        "symbolic",
        Verdict.PROVED,
        "proved for k=3",
        dimensions={"k": 3},
        certificate={
            "parts": [
                {
                    "claim": "product-invariance",
                    "dimensions": {"k": 3},
                    "ideal": "PᵀP − I",
                    "generators": 6,
                    "nonzero_cofactors": 24,
                    "kernel": {"accepted": True, "monomials": 240},
                    "steps": ["1. expand the product", "2. reduce modulo PᵀP − I"],
                }
            ]
        },
    )
    fuzz = Evidence(
        "fuzz",
        Verdict.HOLDS,
        "150 examples within bound",
        errors=(0.09,),
        details={"examples": 150, "worst": {"k": 3, "error": 1e-16, "ratio": 0.09}},
    )
    trajectory = Evidence(
        "trajectory",
        Verdict.UNDECIDED,
        "deviation persists",
        precision=(15, 30),
        errors=(0.2, 0.2),
        details={"slope": 0.0, "curves": {"15": [[1, 0.1], [2, 0.2]]}},
    )
    ball = Evidence(
        "certificate",
        Verdict.REFUTED,
        "the ball lies above 0",
        counterexample={
            "group_element": [["3/5", "-4/5"], ["4/5", "3/5"]],
            "command": "orthoproof verify --seed 0 --only adam",
        },
        certificate={"ball": "[4.69 +/- 1e-11]", "certified": True},
    )
    return [
        ClaimResult(
            "product-invariance",
            "(PA)ᵀ(PB) = AᵀB <for> every P & Q",
            "O",
            Verdict.PROVED,
            Verdict.PROVED,
            (proof, fuzz),
        ),
        ClaimResult(
            "trajectory-equivariance/adam/glove",
            "adam trajectories move in step",
            "O",
            Verdict.REFUTED,
            adam_verdict,
            (trajectory, ball) if adam_verdict == Verdict.REFUTED else (trajectory,),
        ),
        ClaimResult(
            "trajectory-equivariance/adam/glove",
            "adam trajectories move in step under signed permutations",
            "signed-perm",
            Verdict.HOLDS,
            Verdict.HOLDS,
            (
                Evidence(
                    "trajectory",
                    Verdict.HOLDS,
                    "deviation shrinks",
                    precision=(15, 30),
                    errors=(1e-16, 1e-31),
                    details={"slope": -1.0, "curves": CURVES},
                ),
            ),
        ),
    ]


def _run(seconds: float = 1.0) -> RunInfo:
    return RunInfo(
        seed=0,
        input_source="test",
        input_sha256=SHA,
        input_shape=(4, 4),
        config={"k": 2},
        timings={"proofs": seconds, "proofs/product-invariance": seconds / 2},
    )


def _doc(adam_verdict: Verdict = Verdict.REFUTED, seconds: float = 1.0) -> Any:
    # Through JSON text, as every renderer sees a document.
    return json.loads(
        json.dumps(report_document(_results(adam_verdict), _run(seconds)))
    )


@pytest.fixture(scope="module")
def committed() -> tuple[dict[str, Any], str]:
    doc = load_document(COMMITTED)
    return doc, render_html(doc)


def test_html_names_every_claim_and_verdict(committed: tuple[dict[str, Any], str]):
    """The committed report's page shows each claim id, group and verdict."""
    doc, page = committed
    for claim in doc["claims"]:
        assert claim["id"] in page
        assert f'{claim["verdict"]} <span class="mark">✓</span>' in page
    assert f"✓ All {len(doc['claims'])} claims came out as expected" in page


def test_overview_links_every_claim_once(committed: tuple[dict[str, Any], str]):
    """The overview, above every detail, links to each claim's section exactly once."""
    doc, page = committed
    overview = page[page.index('<h2 id="overview">') : page.index('id="optimisers"')]
    links = re.findall(r'href="#(claim-\d+)"', overview)
    assert sorted(links) == sorted(f"claim-{i + 1}" for i in range(len(doc["claims"])))
    # the families are counted from the committed report, which grows with
    # the catalogue; their headings must all be there with a count
    for family in ("Optimisers", "Initialisations", "Models"):
        assert re.search(rf"{family} \(\d+\)", overview)


def test_overview_sorts_claims_by_family_and_marks_a_miss() -> None:
    """Trajectories and steps share optimiser rows; a miss is framed, ✗, in words."""
    doc = _doc(adam_verdict=Verdict.HOLDS)
    doc["claims"].append(
        {**doc["claims"][0], "id": "step-equivariance/adam", "evidence": []}
    )
    doc["claims"].append(
        {**doc["claims"][0], "id": "init-invariance/zero", "evidence": []}
    )
    for key in ("claims", "as_expected"):
        doc["summary"][key] += 2
    doc["summary"]["by_verdict"]["proved"] += 2
    page = render_html(doc)
    overview = page[page.index('<h2 id="overview">') : page.index('id="optimisers"')]
    adam = re.search(r'<tr><th class="row">adam</th>(.*?)</tr>', overview)
    assert adam is not None
    assert adam[1].count("<td") == 3  # one step, O(k), signed permutations
    assert 'class="cell v-holds mismatch"' in adam[1]
    assert "expected refuted" in adam[1]
    assert "Initialisations (1)" in overview
    assert '<th class="row">zero</th>' in overview
    assert "Other claims (1)" in overview
    assert "<code>product-invariance</code>" in overview


def test_overview_lists_a_missed_theory_claim_with_a_cross() -> None:
    """In the compact list a miss shows ✗, the expected verdict and a frame."""
    doc = _doc()
    claim = doc["claims"][0]
    claim["verdict"], claim["as_expected"] = "holds", False
    doc["summary"].update(as_expected=2, ok=False)
    doc["summary"]["by_verdict"].update(proved=0, holds=2)
    page = render_html(doc)
    assert (
        '<span class="chip v-holds mismatch">holds <span class="mark">✗</span> '
        "expected proved</span><code>product-invariance</code>"
    ) in page


def test_html_is_self_contained(committed: tuple[dict[str, Any], str]) -> None:
    """No script, no web address, no external resource; plots and formulas inline."""
    _, page = committed
    assert "<script" not in page.lower()
    assert "http://" not in page
    assert "https://" not in page
    assert not re.search(r"<(link|img|iframe|object)\b", page)
    assert " src=" not in page
    # ten trajectories, the fuzzing chart and the basis-alignment study
    assert page.count("<svg") >= 12
    assert "<math" in page
    assert "<mfrac>" in page


def test_html_ids_are_unique_and_references_resolve(
    committed: tuple[dict[str, Any], str],
) -> None:
    """Inline plots do not share ids, and every #reference has its target."""
    _, page = committed
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    references = re.findall(r'(?:url\(#|href="#)([^)"]+)', page)
    assert references
    assert set(references) <= set(ids)


def test_html_is_byte_reproducible_apart_from_timings() -> None:
    """Equal documents give equal pages; timings change only the final block."""
    first, again = render_html(_doc()), render_html(_doc())
    assert first == again
    slower = render_html(_doc(seconds=7.5))
    head, tail = first.split(TIMINGS_MARKER)
    slow_head, slow_tail = slower.split(TIMINGS_MARKER)
    assert head == slow_head
    assert tail != slow_tail
    assert "7.5" in slow_tail


def test_html_escapes_text_from_the_document() -> None:
    """Statements are text, never markup."""
    page = render_html(_doc())
    assert "&lt;for&gt; every P &amp; Q" in page
    assert "<for>" not in page


def test_html_shows_proof_steps_replay_and_matrices() -> None:
    """Certificate steps, the replay command and exact matrices are all shown."""
    page = render_html(_doc())
    assert "<li>expand the product</li>" in page
    assert "orthoproof verify --seed 0 --only adam" in page
    assert "<mfrac><mn>3</mn><mn>5</mn></mfrac>" in page
    assert "slope +0.00" in page
    assert "slope -1.00" in page


def test_html_marks_the_claim_that_missed_its_expectation() -> None:
    """A broken twin shows ✗, the expected verdict and a failing banner."""
    page = render_html(_doc(adam_verdict=Verdict.HOLDS))
    assert "✗ 1 of 3 claims did not come out as expected" in page
    assert 'class="cell v-holds mismatch"' in page
    assert "expected refuted" in page


def test_renderers_reject_an_invalid_document() -> None:
    """A document that breaks the schema is refused, not half rendered."""
    doc = _doc()
    del doc["claims"][0]["verdict"]
    with pytest.raises(OrthoproofError, match="invalid report"):
        render_html(doc)
    with pytest.raises(OrthoproofError, match="invalid report"):
        to_junit(doc)


@pytest.mark.parametrize("family", sorted(_BUILDERS))
def test_every_claim_family_has_a_formula(family: str) -> None:
    """Each family of DESIGN §1 prints as MathML; O(k) adds PᵀP = I."""
    plain, rotated = claim_formulas(family, "signed-perm"), claim_formulas(family, "O")
    assert plain
    assert all(f.startswith('<math display="block">') for f in plain)
    assert len(rotated) == len(plain) + 1
    assert "&InvisibleTimes;" not in "".join(rotated)


def test_formula_fallbacks() -> None:
    """Unknown families have no formula; inexact matrices are not typeset."""
    assert claim_formulas("no-such-family/x", "O") == []
    assert matrix_mathml([["x", "1"]]) is None
    assert "<mfrac>" in (matrix_mathml([["1/2"]]) or "")


def test_trajectory_plot_skips_values_a_log_scale_cannot_show() -> None:
    """Zero and non-finite deviations are left out, and the SVG is inline-ready."""
    svg = trajectory_svg(
        {"15": [[1, 0.0], [2, "nan"], [3, 1e-16]]},
        [15, 30],
        [0.0, "inf"],
        None,
        prefix="t",
        title="test",
    )
    assert svg.startswith('<svg class="plot" role="img" aria-label="test"')
    assert "<metadata" not in svg
    assert "xmlns" not in svg
    assert "<?xml" not in svg
    assert all(i.startswith("t-") for i in re.findall(r'\sid="([^"]+)"', svg))


def test_junit_has_one_case_per_claim_and_no_failure_when_all_agree() -> None:
    """Every (claim, group) is a test case; all as expected means no failure."""
    root = ET.fromstring(to_junit(_doc()))
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [
        "product-invariance [O]",
        "trajectory-equivariance/adam/glove [O]",
        "trajectory-equivariance/adam/glove [signed-perm]",
    ]
    assert root.get("tests") == "3"
    assert root.get("failures") == "0"
    assert not root.findall(".//failure")
    assert "the ball lies above 0" in (cases[1].findtext("system-out") or "")


def test_junit_broken_twin_fails_exactly_the_differing_claim() -> None:
    """A twin whose one claim missed its expectation has exactly one failure."""
    root = ET.fromstring(to_junit(_doc(adam_verdict=Verdict.HOLDS)))
    failed = [
        case.get("name")
        for case in root.iter("testcase")
        if case.find("failure") is not None
    ]
    assert failed == ["trajectory-equivariance/adam/glove [O]"]
    assert root.get("failures") == "1"
    failure = root.find(".//failure")
    assert failure is not None
    assert failure.get("message") == "verdict holds, expected refuted"


def test_junit_survives_characters_xml_cannot_hold() -> None:
    """A control character in a summary is replaced, so the XML still parses."""
    doc = _doc()
    doc["claims"][0]["evidence"][0]["summary"] = "bad \x01 byte"
    text = to_junit(doc)
    assert "bad \ufffd byte" in ET.fromstring(text).findtext(".//system-out", "")


def test_write_reports_writes_every_format_and_rerenders_them(tmp_path: Path):
    """All four files are written; re-rendering the JSON gives the same bytes."""
    paths = write_reports(_results(), _run(), tmp_path / "a")
    assert sorted(p.name for p in paths.values()) == [
        "report.html",
        "report.json",
        "report.junit.xml",
        "report.md",
    ]
    again = rerender_reports(paths["json"], tmp_path / "b")
    for fmt, path in paths.items():
        assert again[fmt].read_bytes() == path.read_bytes(), fmt


def test_rerender_refuses_a_broken_json_and_writes_nothing(tmp_path: Path) -> None:
    """An invalid stored report leaves the output directory untouched."""
    paths = write_reports(_results(), _run(), tmp_path / "a")
    doc = copy.deepcopy(json.loads(paths["json"].read_text(encoding="utf-8")))
    doc["summary"]["ok"] = not doc["summary"]["ok"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(OrthoproofError):
        rerender_reports(broken, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def _study_data() -> dict[str, Any]:
    def part(effect: Any) -> dict[str, Any]:
        return {
            "statistic": 1.0,
            "null_mean": 0.5,
            "p_value": 0.5,
            "effect_size": effect,
        }

    runs = [
        {"initial_A": part(9.0), "A": part(0.5), "A+B": part(-0.3)},
        {"initial_A": part("nan"), "A": part(1.5), "A+B": part(None)},
    ]
    combined = {"initial_A": 1e-6, "A": 0.4, "A+B": 0.0}
    return {
        "regimes": {
            "a: adagrad": {"runs": runs, "combined_p": combined},
            "b: sgd": {"runs": [], "combined_p": {}},
        }
    }


def test_study_plot_is_reproducible_inline_svg() -> None:
    """The basis study plot: same data, same bytes; inline-ready, no date."""
    first = basis_study_svg(_study_data(), prefix="s1", title="basis study")
    again = basis_study_svg(_study_data(), prefix="s1", title="basis study")
    assert first == again
    assert first.startswith('<svg class="plot" role="img" aria-label="basis study"')
    assert "<metadata" not in first
    assert "xmlns" not in first
    assert "a: adagrad" in first
    assert "b: sgd" in first
    assert all(i.startswith("s1-") for i in re.findall(r'\sid="([^"]+)"', first))


@pytest.mark.parametrize("data", [{}, {"regimes": []}, {"raw": [1, 2]}])
def test_study_plot_draws_nothing_for_another_layout(data: dict[str, Any]) -> None:
    """A study whose data is not laid out by regime gets no plot, and no error."""
    assert basis_study_svg(data, prefix="s", title="t") == ""


def test_committed_page_plots_the_study(committed: tuple[dict[str, Any], str]):
    """The studies section of the committed page carries its plot and its table."""
    doc, page = committed
    studies = page[page.index('<h2 id="studies">') : page.index('<h2 id="run">')]
    assert studies.count("<svg") == len(doc["studies"])
    for regime in doc["studies"]["basis-alignment"]["data"]["regimes"]:
        assert regime in studies
