"""Tests of writing a report set: every file is replaced, or none is.

These pin the report of a new user: re-rendering into a directory whose
``report.html`` was a directory replaced ``report.json`` and ``report.md``, left
an older ``report.junit.xml`` beside them and ended in a traceback.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orthoproof.cli import main
from orthoproof.errors import InvalidArgument, OrthoproofError
from orthoproof.report import (
    RunInfo,
    dumps_document,
    render_formats,
    report_document,
    rerender_reports,
    write_reports,
)
from orthoproof.report.output import FILE_NAMES, check_out_dir
from orthoproof.verdicts import ClaimResult, Evidence, Verdict

SHA = "0123456789abcdef" * 4
NAMES = sorted(FILE_NAMES.values())


def _results(statement: str = "(PA)ᵀ(PB) = AᵀB for PᵀP = I") -> list[ClaimResult]:
    evidence = Evidence("symbolic", Verdict.PROVED, "lhs − rhs is 0")
    claim = ClaimResult(
        id="product-invariance",
        statement=statement,
        group="O",
        expected=Verdict.PROVED,
        verdict=Verdict.PROVED,
        evidence=(evidence,),
    )
    return [claim]


def _run(seed: int = 1) -> RunInfo:
    return RunInfo(
        seed=seed,
        input_source="stdlib-docstrings",
        input_sha256=SHA,
        input_shape=(5, 4),
        config={"k": 4},
        timings={"prove": 1.0},
        versions={"python": "3.11.7"},
    )


def _snapshot(directory: Path) -> dict[str, bytes | None]:
    """Every entry of ``directory``, hidden ones too; ``None`` for a directory."""
    return {
        path.name: None if path.is_dir() else path.read_bytes()
        for path in directory.iterdir()
    }


@pytest.fixture
def new_json(tmp_path: Path) -> Path:
    """A stored report whose every format differs from the old set's."""
    path = tmp_path / "new.json"
    doc = report_document(_results("a newer statement"), _run(seed=2))
    path.write_text(dumps_document(doc), encoding="utf-8")
    return path


@pytest.fixture
def old_set(tmp_path: Path, new_json: Path) -> Path:
    """An output directory holding an older, complete report set."""
    out = tmp_path / "out"
    write_reports(_results(), _run(seed=1), out)
    new = render_formats(json.loads(new_json.read_text(encoding="utf-8")))
    # Otherwise a test could pass because nothing would have changed anyway.
    for fmt, name in FILE_NAMES.items():
        assert (out / name).read_bytes() != new[fmt].encode("utf-8")
    return out


def _rerender(new_json: Path, out: Path) -> None:
    rerender_reports(new_json, out)


def _write(new_json: Path, out: Path) -> None:
    write_reports(_results("a newer statement"), _run(seed=2), out)


WRITERS = [pytest.param(_rerender, id="rerender"), pytest.param(_write, id="write")]
Writer = Callable[[Path, Path], None]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_directory_in_place_of_a_report_leaves_the_old_set_whole(
    writer: Writer, new_json: Path, old_set: Path
) -> None:
    """A target that is a directory is refused, naming it, before any file changes."""
    (old_set / "report.html").unlink()
    (old_set / "report.html").mkdir()
    before = _snapshot(old_set)
    with pytest.raises(InvalidArgument, match=r"^out=.*report\.html"):
        writer(new_json, old_set)
    assert _snapshot(old_set) == before


@pytest.mark.parametrize("writer", WRITERS)
def test_a_failure_while_writing_temporaries_leaves_the_old_set(
    writer: Writer, new_json: Path, old_set: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Running out of space on the third file removes every temporary, names `out`."""
    before = _snapshot(old_set)
    real_fsync, calls = os.fsync, []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(InvalidArgument, match=r"^out=.*No space left"):
        writer(new_json, old_set)
    assert _snapshot(old_set) == before


def _failing_replace(
    monkeypatch: pytest.MonkeyPatch, target: str
) -> Callable[[Any, Any], None]:
    """Make putting a new ``target`` in place fail; every other rename works."""
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst).name == target and Path(src).name.endswith(".tmp"):
            raise PermissionError(errno.EACCES, "file is locked", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return replace


@pytest.mark.parametrize("writer", WRITERS)
def test_a_failed_replacement_puts_the_earlier_files_back(
    writer: Writer, new_json: Path, old_set: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the third rename fails, the two already replaced get their old text back."""
    before = _snapshot(old_set)
    _failing_replace(monkeypatch, FILE_NAMES["html"])
    with pytest.raises(InvalidArgument, match=r"^out=.*file is locked"):
        writer(new_json, old_set)
    assert _snapshot(old_set) == before


def test_a_report_that_was_absent_is_absent_again_after_a_failure(
    new_json: Path, old_set: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rolling back removes a file the failed write created where there was none."""
    (old_set / FILE_NAMES["markdown"]).unlink()
    before = _snapshot(old_set)
    _failing_replace(monkeypatch, FILE_NAMES["junit"])
    with pytest.raises(InvalidArgument):
        rerender_reports(new_json, old_set)
    assert _snapshot(old_set) == before


def test_a_successful_rewrite_leaves_only_the_new_reports(
    new_json: Path, old_set: Path
) -> None:
    """Over an old set, the new set is written whole and no backup stays behind."""
    rerender_reports(new_json, old_set)
    new = render_formats(json.loads(new_json.read_text(encoding="utf-8")))
    assert _snapshot(old_set) == {
        name: new[fmt].encode("utf-8") for fmt, name in FILE_NAMES.items()
    }


def test_check_out_dir_names_a_directory_in_place_of_a_report(tmp_path: Path) -> None:
    """The check a caller can run before long work names the offending path."""
    check_out_dir(tmp_path / "missing")
    (tmp_path / "report.junit.xml").mkdir()
    with pytest.raises(InvalidArgument, match=r"report\.junit\.xml.*is a directory"):
        check_out_dir(tmp_path)


def test_cli_report_into_a_blocked_set_exits_2_naming_the_path(
    new_json: Path, old_set: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`orthoproof report` answers the user's case with exit 2 and a message."""
    (old_set / "report.html").unlink()
    (old_set / "report.html").mkdir()
    before = _snapshot(old_set)
    assert main(["report", str(new_json), "--out", str(old_set)]) == 2
    err = capsys.readouterr().err.replace("\n", "")
    assert "report.html" in err
    assert "Traceback" not in err
    assert _snapshot(old_set) == before


def test_a_lone_surrogate_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    r"""A ``\ud800`` escape in a stored report is an error, not a traceback."""
    doc = report_document(_results(), _run())
    text = dumps_document(doc).replace("(PA)", "\\ud800(PA)")
    stored = tmp_path / "surrogate.json"
    stored.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(OrthoproofError, match=r"report\.json.*surrogate"):
        rerender_reports(stored, out)
    assert not out.exists()
