"""Tests of the report package: JSON contract, schema, Markdown and file writing."""

from __future__ import annotations

import copy
import doctest
import html
import json
import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import orthoproof.report as report
from orthoproof.errors import InvalidArgument, OrthoproofError
from orthoproof.report import (
    RunInfo,
    collect_versions,
    dumps_document,
    load_document,
    markdown_text,
    output,
    render_markdown,
    report_document,
    sanitise,
    validate,
    write_reports,
    write_text_atomic,
)
from orthoproof.report.markdown import MAX_BLOCK_LINES, TIMINGS_HEADING
from orthoproof.report.run import _version_of
from orthoproof.verdicts import ClaimResult, Evidence, Verdict

SHA = "0123456789abcdef" * 4
VERSIONS = {"python": "3.11.7", "orthoproof": "0.1.0", "numpy": "2.0.0"}


def _results() -> list[ClaimResult]:
    proved = ClaimResult(
        id="product-invariance",
        statement="(PA)ᵀ(PB) = AᵀB for PᵀP = I",
        group="O(k)",
        expected=Verdict.PROVED,
        verdict=Verdict.PROVED,
        evidence=(
            Evidence(
                "symbolic",
                Verdict.PROVED,
                "The trace normal form of lhs − rhs is 0.",
                certificate={"steps": ["transpose", "PᵀP = I"], "checked": True},
            ),
        ),
    )
    refuted = ClaimResult(
        id="step-equivariance/adam",
        statement="Adam steps commute with rotations",
        group="O(k)",
        expected=Verdict.REFUTED,
        verdict=Verdict.REFUTED,
        evidence=(
            Evidence(
                "trajectory",
                Verdict.REFUTED,
                "Deviation ball excludes zero.",
                dimensions={"k": 2, "m": 3, "n": 3},
                counterexample={"P": [[0, 1], [-1, 0]], "seed": np.int64(7)},
            ),
        ),
    )
    holds = ClaimResult(
        id="trajectory-equivariance/sgd/plain",
        statement="SGD trajectories are rotated copies",
        group="O(k) | SO(k)",
        expected=Verdict.HOLDS,
        verdict=Verdict.HOLDS,
        evidence=(
            Evidence(
                "trajectory",
                Verdict.HOLDS,
                "Deviation falls like 10^-dps.",
                precision=(30, 60),
                errors=(1.5e-31, 2.5e-61, float("nan")),
            ),
        ),
    )
    undecided = ClaimResult(
        id="loss-invariance/glove",
        statement="E(PA, PB) = E(A, B)",
        group="O(k)",
        expected=Verdict.PROVED,
        verdict=Verdict.UNDECIDED,
        evidence=(Evidence("symbolic", Verdict.UNDECIDED, "Simplification stopped."),),
    )
    return [proved, refuted, holds, undecided]


def _run(**timings: float) -> RunInfo:
    return RunInfo(
        seed=1234,
        input_source="stdlib-docstrings",
        input_sha256=SHA,
        input_shape=(50, 40),
        config={"k": 4, "dps": (30, 60), "lr": 0.05},
        timings=timings or {"prove": 1.25, "fuzz": 3.5},
        versions=VERSIONS,
    )


@pytest.fixture
def doc() -> dict[str, Any]:
    return report_document(_results(), _run())


def test_exports_are_pinned() -> None:
    """The public surface of the package is exactly the documented names."""
    assert sorted(report.__all__) == sorted(
        [
            "SCHEMA_VERSION",
            "RunInfo",
            "collect_versions",
            "dumps_document",
            "load_document",
            "package_version",
            "render_formats",
            "render_html",
            "render_markdown",
            "report_document",
            "rerender_reports",
            "to_junit",
            "sanitise",
            "validate",
            "write_reports",
            "write_text_atomic",
        ]
    )


def test_document_validates_and_has_the_contract_layout(doc: dict[str, Any]) -> None:
    """A built document passes the schema and has the contract's keys in order."""
    assert validate(doc) == []
    assert list(doc) == ["orthoproof", "schema", "run", "summary", "claims"]
    assert doc["schema"] == 1
    assert list(doc["run"]) == ["seed", "versions", "input", "config", "timings"]
    assert doc["run"]["input"] == {
        "source": "stdlib-docstrings",
        "sha256": SHA,
        "shape": [50, 40],
    }
    assert doc["run"]["config"]["dps"] == [30, 60]
    assert [c["id"] for c in doc["claims"]] == [r.id for r in _results()]


def test_summary_counts_and_not_ok_when_a_claim_differs(doc: dict[str, Any]) -> None:
    """The summary counts each verdict and is not ok when one claim is unexpected."""
    assert doc["summary"] == {
        "claims": 4,
        "as_expected": 3,
        "by_verdict": {"proved": 1, "holds": 1, "refuted": 1, "undecided": 1},
        "ok": False,
    }


def test_summary_ok_only_when_all_as_expected_and_nonempty() -> None:
    """Ok is true when every claim is as expected, and false for an empty run."""
    assert report_document(_results()[:3], _run())["summary"]["ok"] is True
    empty = report_document([], _run())
    assert empty["summary"]["ok"] is False
    assert validate(empty) == []


def _drop_claims(doc: dict[str, Any]) -> str:
    del doc["claims"]
    return '"claims"'


def _bad_verdict(doc: dict[str, Any]) -> str:
    doc["claims"][1]["verdict"] = "disproved"
    return "claims[1].verdict"


def _evidence_without_kind(doc: dict[str, Any]) -> str:
    del doc["claims"][0]["evidence"][0]["kind"]
    return "claims[0].evidence[0]"


def _shape_of_three(doc: dict[str, Any]) -> str:
    doc["run"]["input"]["shape"] = [50, 40, 1]
    return "run.input.shape"


def _summary_lies(doc: dict[str, Any]) -> str:
    doc["summary"]["ok"] = True
    return "summary.ok"


@pytest.mark.parametrize(
    "breaker",
    [
        _drop_claims,
        _bad_verdict,
        _evidence_without_kind,
        _shape_of_three,
        _summary_lies,
    ],
)
def test_schema_catches_broken_twin(doc: dict[str, Any], breaker: Any) -> None:
    """Each kind of damage to a valid document is reported with its path."""
    twin = copy.deepcopy(doc)
    where = breaker(twin)
    problems = validate(twin)
    assert problems
    assert where in problems[0]


def test_schema_flags_missing_evidence_kind_by_name(doc: dict[str, Any]) -> None:
    """An evidence item without a kind is reported as missing the key kind."""
    del doc["claims"][0]["evidence"][0]["kind"]
    assert validate(doc) == ['claims[0].evidence[0]: missing key "kind"']


def test_schema_allows_one_id_under_two_groups_but_not_twice_under_one() -> None:
    """A claim id may repeat for another group, but not for the same group."""
    claim = _results()[0]
    twin = ClaimResult(
        claim.id, claim.statement, "±perm(k)", claim.expected, claim.verdict, ()
    )
    doc = report_document([claim, twin], _run())
    assert validate(doc) == []
    assert f"### `{claim.id}` under ±perm(k)" in render_markdown(doc)
    doc["claims"][1]["group"] = claim.group
    assert validate(doc) == [
        "claims[1]: claim 'product-invariance' appears twice for group 'O(k)'"
    ]


def test_schema_rejects_non_documents() -> None:
    """Anything but an object is rejected without raising."""
    assert validate([]) == ["document: expected an object, got []"]


def test_json_text_round_trips_with_nan_as_string(doc: dict[str, Any]) -> None:
    """The JSON text is strict JSON, decodes to the document, and NaN is 'nan'."""
    text = dumps_document(doc)

    def reject(name: str) -> None:
        raise AssertionError(f"non-standard constant {name}")

    decoded = json.loads(text, parse_constant=reject)
    assert decoded == doc
    assert decoded["claims"][2]["evidence"][0]["errors"] == [1.5e-31, 2.5e-61, "nan"]
    assert "AᵀB" in text  # ensure_ascii=False keeps the mathematics readable


def test_sanitise_converts_numpy_non_finite_and_rationals() -> None:
    """Numpy values become Python ones; infinities and rationals become strings."""
    value = {
        "a": np.array([[1.0, np.inf], [-np.inf, 0.5]]),
        "b": np.float32(0.5),
        "c": Fraction(1, 3),
        3: (np.bool_(True), None),
    }
    clean = sanitise(value)
    assert clean == {
        "a": [[1.0, "inf"], ["-inf", 0.5]],
        "b": 0.5,
        "c": "1/3",
        "3": [True, None],
    }
    assert type(clean["b"]) is float
    assert type(clean["3"][0]) is bool


@pytest.mark.parametrize("bad", [object(), {1, 2}, 1j])
def test_sanitise_rejects_what_json_cannot_hold(bad: object) -> None:
    """Sets, complex numbers and arbitrary objects raise with the value's path."""
    with pytest.raises(InvalidArgument, match=r"x\.cert\[1\]"):
        sanitise({"cert": [0, bad]}, "x")


def test_load_document_round_trips(tmp_path: Path, doc: dict[str, Any]) -> None:
    """A written document loads back equal to itself."""
    path = tmp_path / "report.json"
    path.write_text(dumps_document(doc), encoding="utf-8")
    assert load_document(path) == doc


def test_load_document_names_path_and_problem(
    tmp_path: Path, doc: dict[str, Any]
) -> None:
    """An invalid stored report raises naming the file and the first problem."""
    doc["claims"][0]["expected"] = "maybe"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(OrthoproofError, match=r"broken\.json") as info:
        load_document(path)
    assert "claims[0].expected" in str(info.value)


def test_load_document_rejects_bare_nan(tmp_path: Path, doc: dict[str, Any]) -> None:
    """A file holding a bare NaN token is not strict JSON and is refused."""
    path = tmp_path / "nan.json"
    path.write_text(dumps_document(doc).replace('"nan"', "NaN"), encoding="utf-8")
    with pytest.raises(OrthoproofError, match="NaN"):
        load_document(path)


def test_markdown_lists_every_claim_with_its_table_row(doc: dict[str, Any]) -> None:
    """Each claim has a summary-table row and its own section."""
    text = render_markdown(doc)
    rows = [
        "| `product-invariance` | O(k) | proved | proved | ✓ |",
        "| `step-equivariance/adam` | O(k) | refuted | refuted | ✓ |",
        "| `trajectory-equivariance/sgd/plain` | O(k) \\| SO(k) | holds | holds | ✓ |",
        "| `loss-invariance/glove` | O(k) | proved | undecided | ✗ |",
    ]
    for row in rows:
        assert row in text.splitlines()
    for claim in doc["claims"]:
        assert f"### `{claim['id']}` under {claim['group']}" in text


def test_markdown_puts_timings_after_all_claims(doc: dict[str, Any]) -> None:
    """The Timings section comes after every claim section and holds the stages."""
    text = render_markdown(doc)
    timings_at = text.index(TIMINGS_HEADING)
    assert text.count(TIMINGS_HEADING) == 1
    for claim in doc["claims"]:
        assert text.index(f"### `{claim['id']}`") < timings_at
    assert "| prove | 1.250 |" in text[timings_at:]
    assert "1.250" not in text[:timings_at]


def test_markdown_shows_evidence_details(doc: dict[str, Any]) -> None:
    """Evidence shows dimensions, precision, short errors and fenced JSON."""
    text = render_markdown(doc)
    assert "  - Dimensions: k=2, m=3, n=3" in text
    assert "  - Precision (dps): 30, 60" in text
    assert "  - Errors: 1.50e-31, 2.50e-61, nan" in text
    assert (
        '    ```json\n    {\n      "P": [\n        [0, 1],\n        [-1, 0]\n      ],'
        in text
    )
    assert '"steps": [' in text


def test_markdown_truncates_huge_json_blocks(doc: dict[str, Any]) -> None:
    """A certificate longer than the limit shows its first lines and a note."""
    steps = [{"rule": "cyclic", "at": i} for i in range(50)]
    doc["claims"][0]["evidence"][0]["certificate"] = {"steps": steps}
    text = render_markdown(doc)
    block = text.split("```json\n", 1)[1].split("    ```", 1)[0]
    assert len(block.splitlines()) == MAX_BLOCK_LINES
    assert "(144 more lines not shown; report.json has them all.)" in text


def test_markdown_differs_only_in_timings_between_runs() -> None:
    """Two runs with different timings render identically up to the Timings."""
    first = render_markdown(report_document(_results(), _run(prove=1.0)))
    second = render_markdown(report_document(_results(), _run(prove=2.0, fuzz=9.0)))
    head_1, tail_1 = first.split(TIMINGS_HEADING)
    head_2, tail_2 = second.split(TIMINGS_HEADING)
    assert head_1 == head_2
    assert tail_1 != tail_2


def test_markdown_refuses_invalid_document(doc: dict[str, Any]) -> None:
    """Rendering a document that breaks the schema raises instead of guessing."""
    del doc["summary"]
    with pytest.raises(OrthoproofError, match="summary"):
        render_markdown(doc)


def _with_text(text: str) -> dict[str, Any]:
    """A valid document with ``text`` in every free-text field the Markdown shows."""
    doc = report_document(_results(), _run(), _study())
    doc["orthoproof"] = text
    doc["run"]["versions"] = {text: text}
    doc["run"]["timings"] = {text: 1.0}
    for claim in doc["claims"]:
        claim["statement"] = claim["group"] = text
        for item in claim["evidence"]:
            item["kind"] = item["summary"] = text
            item["dimensions"] = {text: 1}
    study = doc["studies"]["basis"]
    study["title"] = study["conclusion"] = text
    study["table"] = {"columns": [text], "rows": [[text]]}
    assert validate(doc) == []
    return doc


def _parse(markdown: str) -> list[Any]:
    # GitHub's Markdown is CommonMark with tables; markdown-it implements both.
    return MarkdownIt("commonmark").enable("table").parse(markdown)


def test_markdown_shows_html_in_claim_text_as_text(doc: dict[str, Any]) -> None:
    """A hand-edited statement holding an <img> tag is shown, not run (user report)."""
    attack = "<img src=x onerror=alert(1)>"
    doc["claims"][0]["statement"] = attack
    doc["claims"][0]["evidence"][0]["summary"] = f"see {attack}"
    doc["claims"][0]["group"] = "<b>O</b>"
    rendered = MarkdownIt("commonmark").enable("table").render(render_markdown(doc))
    assert "<img" not in rendered
    assert "<b>" not in rendered
    assert f"<p>{html.escape(attack, quote=False)}</p>" in rendered


def test_markdown_text_keeps_entities_backslashes_and_pipes_literal() -> None:
    """`&lt;`, a backslash and a pipe in a table cell come out as typed."""
    text = r"a &lt; b \| c # [d](e)"
    rendered = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(render_markdown(_with_text(text)))
    )
    shown = html.escape(text, quote=False)
    assert f"<p>{shown}</p>" in rendered
    assert f"<td>{shown}</td>" in rendered
    assert f"under {shown}</h3>" in rendered


_MARKUP = st.text(alphabet="<>&[]()!|\\`*_~#-+=:. ab1", min_size=1, max_size=24)


@given(_MARKUP.filter(str.strip))
def test_markdown_free_text_never_becomes_markup_beyond_inline_style(
    text: str,
) -> None:
    """Any text adds no HTML, link, image, block or table cell, and shows as typed.

    Emphasis, code and strike-through markers (``*``, ``_``, backticks, ``~``)
    are left as they are: the catalogue writes subscripts such as ``∇_A``, and the
    worst they do is style a word.
    """
    tokens = _parse(render_markdown(_with_text(text)))
    plain = _parse(render_markdown(_with_text("Zq")))
    assert [t.type for t in tokens] == [t.type for t in plain]
    inline = {child.type for t in tokens for child in t.children or []}
    assert not inline & {"html_inline", "link_open", "image"}
    if not set(text) & set("*_`~"):
        # Token by token, the page reads as the plain one with the text put in.
        shown = " ".join(text.split())
        for token, twin in zip(tokens, plain, strict=True):
            assert _words(token) == _words(twin).replace("Zq", shown)


def _words(token: Any) -> str:
    """The text a reader sees in an inline token, markup and code left out."""
    children = token.children or []
    return "".join(c.content for c in children if c.type in ("text", "text_special"))


def test_markdown_text_doctests() -> None:
    """The escaping examples in markdown_text's docstrings hold."""
    assert doctest.testmod(markdown_text).failed == 0


def test_write_text_atomic_replaces_contents(tmp_path: Path) -> None:
    """A successful write replaces the file and leaves only that file."""
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")
    write_text_atomic(target, "néw\n")
    assert target.read_bytes() == "néw\n".encode()
    assert os.listdir(tmp_path) == ["report.md"]


def test_write_text_atomic_keeps_old_file_when_replace_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the final rename fails, the old file stays and no temporary remains."""
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["report.json"]


def test_write_reports_writes_both_and_rerenders(tmp_path: Path) -> None:
    """Every format is written, and the Markdown re-renders from the stored JSON."""
    paths = write_reports(_results(), _run(), tmp_path / "a" / "b")
    assert paths == {
        "json": tmp_path / "a" / "b" / "report.json",
        "markdown": tmp_path / "a" / "b" / "report.md",
        "html": tmp_path / "a" / "b" / "report.html",
        "junit": tmp_path / "a" / "b" / "report.junit.xml",
    }
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert render_markdown(load_document(paths["json"])) == markdown
    assert sorted(os.listdir(tmp_path / "a" / "b")) == sorted(
        ["report.json", "report.md", "report.html", "report.junit.xml"]
    )


def test_write_reports_leaves_old_reports_when_rendering_fails(tmp_path: Path) -> None:
    """An unencodable value fails before any file changes and leaves no temporary."""
    write_reports(_results(), _run(), tmp_path)
    before = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}
    broken = _results()
    broken[0] = ClaimResult(
        id="x",
        statement="s",
        group="g",
        expected=Verdict.PROVED,
        verdict=Verdict.PROVED,
        evidence=(Evidence("symbolic", Verdict.PROVED, "s", certificate={"o": {1}}),),
    )
    with pytest.raises(InvalidArgument, match="certificate"):
        write_reports(broken, _run(), tmp_path)
    after = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}
    assert after == before


def test_write_reports_renders_markdown_before_writing_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the Markdown cannot be rendered, not even report.json is replaced."""
    write_reports(_results(), _run(), tmp_path)
    before = (tmp_path / "report.json").read_bytes()

    def fail(doc: object) -> str:
        raise OrthoproofError("cannot render")

    monkeypatch.setattr(output, "render_markdown", fail)
    with pytest.raises(OrthoproofError, match="cannot render"):
        write_reports(_results(), _run(prove=99.0), tmp_path)
    assert (tmp_path / "report.json").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["report.json", "report.md", "report.html", "report.junit.xml"]
    )


def test_write_reports_into_a_file_names_out(tmp_path: Path) -> None:
    """An output path that is an existing file is rejected naming `out`."""
    target = tmp_path / "not-a-dir"
    target.write_text("keep", encoding="utf-8")
    with pytest.raises(InvalidArgument, match=r"^out="):
        write_reports(_results(), _run(), target)
    assert target.read_text(encoding="utf-8") == "keep"


def test_collect_versions_has_every_key_and_marks_absent() -> None:
    """Versions cover the fixed set of packages, and a missing one is 'absent'."""
    versions = collect_versions()
    assert list(versions) == [
        "python",
        "orthoproof",
        "numpy",
        "sympy",
        "mpmath",
        "gmpy2",
        "python-flint",
        "hypothesis",
    ]
    assert versions["numpy"] == np.__version__
    assert _version_of("no-such-distribution-xyz", "no_such_module_xyz") == "absent"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("input_shape", (3,)),
        ("input_shape", (3, -1)),
        ("input_sha256", "abc"),
        ("seed", True),
        ("timings", {"prove": math.nan}),
    ],
)
def test_run_info_rejects_bad_metadata(field: str, value: object) -> None:
    """Malformed run metadata is refused when the RunInfo is made, naming the field."""
    fields: dict[str, Any] = {
        "seed": 1,
        "input_source": "s",
        "input_sha256": SHA,
        "input_shape": (2, 2),
        "config": {},
        "timings": {},
        "versions": VERSIONS,
    }
    fields[field] = value
    with pytest.raises(InvalidArgument, match=field):
        RunInfo(**fields)


def _study() -> dict[str, Any]:
    return {
        "basis": {
            "title": "A study",
            "conclusion": "No evidence either way.",
            "table": {"columns": ["regime", "p"], "rows": [["a", 0.5], ["b", 0.01]]},
            "data": {"raw": [1, 2]},
        }
    }


def test_studies_render_in_markdown_and_html() -> None:
    """A studies section appears before the timings in Markdown and in HTML."""
    from orthoproof.report import render_html

    doc = report_document(_results(), _run(), _study())
    assert validate(doc) == []
    markdown = render_markdown(doc)
    assert markdown.index("## Studies") < markdown.index("## Timings")
    assert "No evidence either way." in markdown
    assert "| b | 0.01 |" in markdown
    assert "No evidence either way." in render_html(doc)


def test_schema_rejects_a_study_without_conclusion_or_with_ragged_rows() -> None:
    """The studies section is checked like the rest of the contract."""
    doc = report_document(_results(), _run(), _study())
    del doc["studies"]["basis"]["conclusion"]
    doc["studies"]["basis"]["table"]["rows"].append(["c"])
    problems = validate(doc)
    assert any("conclusion" in p for p in problems)
    assert any("row does not match" in p for p in problems)
