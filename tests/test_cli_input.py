"""Bad input on the command line: exit 2, a message in the user's own words, no loss.

Each test pins one report of a new user's first session (problems 1 to 11 of
the CLI review): the option as typed, its value, what would be valid, and no
work started or report touched when the input is already known to be bad.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from orthoproof.cli import _config, _parser, main
from orthoproof.config import VerifyConfig

FAST = ["--stages", "trajectories", "--vocab-size", "10", "--k", "2", "--steps", "4"]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    # rich wraps long messages; the tests read them as one line
    return status, captured.out, captured.err.replace("\n", "")


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if verify reaches its first piece of work, loading the input."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.fail("the input was loaded: bad input was not caught up front")

    monkeypatch.setattr("orthoproof.verify.load", refuse)


@pytest.fixture
def no_measure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if basis starts measuring."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.fail("basis measured: bad input was not caught up front")

    monkeypatch.setattr("orthoproof.basis.command.measure_basis", refuse)


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody may create files in, even root (chattr +i) where needed."""
    directory = tmp_path / "locked"
    directory.mkdir()
    directory.chmod(0o555)
    immutable = False
    if _can_create_in(directory):
        immutable = (
            subprocess.run(
                ["chattr", "+i", str(directory)], capture_output=True
            ).returncode
            == 0
        )
    try:
        if _can_create_in(directory):
            pytest.skip("cannot make a directory unwritable here")
        yield directory
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
        directory.chmod(0o755)


def _can_create_in(directory: Path) -> bool:
    try:
        (directory / "probe").touch()
    except OSError:
        return False
    (directory / "probe").unlink()
    return True


# -- 1, 8, 9: ranges, in the options' own words ---------------------------------


@pytest.mark.parametrize(
    ("args", "shown", "valid"),
    [
        (["--k", "1"], "--k=1: expected", "at least 2"),
        (["--k", "0"], "--k=0: expected", "at least 2"),
        (["--k", "11"], "--k=11: expected", "at most 10"),
        (["--vocab-size", "0"], "--vocab-size=0: expected", "at least 1"),
        (["--window", "0"], "--window=0: expected", "from 1 to 1000"),
        (["--window", "1000000"], "--window=1000000: expected", "from 1 to 1000"),
        (["--steps", "0"], "--steps=0: expected", "from 1 to 100000"),
        (["--steps", "100000000"], "--steps=100000000", "from 1 to 100000"),
        (["--fuzz-examples", "0"], "--fuzz-examples=0: expected", "from 1 to"),
        (["--seed", "-1"], "--seed=-1: expected", "non-negative"),
        (["--dps", "5"], "--dps=5: expected", "two or more distinct"),
        (["--dps", "30"], "--dps=30: expected", "two or more distinct"),
        (["--dps", "30,30"], "--dps=30,30: expected", "two or more distinct"),
        (["--dps", "100000,200000"], "--dps=100000,200000: expected", "to 300"),
        # a deviation near 10^-330 would be a float64 zero: refused, not misread
        (["--dps", "30,330"], "--dps=30,330: expected", "float64"),
        (["--stages", "nonsense"], "--stages=nonsense: expected", "theory"),
        (["--stages", ","], "--stages='': expected", "theory"),
        (["--data", "counts.csv"], "--data=counts.csv: expected", ".npy"),
    ],
)
def test_settings_are_refused_in_the_words_of_their_option(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_work: None,
    args: list[str],
    shown: str,
    valid: str,
) -> None:
    """A setting out of range names its option and value as typed, before any work."""
    out = tmp_path / "out"
    status, _, err = _run(capsys, "verify", *FAST, *args, "--out", str(out))
    assert status == 2
    assert shown in err
    assert valid in err
    # neither Python's field names nor its types reach the user
    assert "(int)" not in err
    assert "(tuple)" not in err
    assert "Traceback" not in err
    assert not out.exists()


def test_k_one_is_refused_though_expectations_would_switch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    """--k 1 is refused up front (problem 1), not run into 52 differing verdicts."""
    status, _, err = _run(capsys, "verify", "--k", "1", "--out", str(tmp_path / "o"))
    assert status == 2
    assert "--k=1" in err
    assert "differ" not in err


def test_unknown_data_suffix_names_no_python_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    """The valid forms of --data are ones a user can type: no `None` (problem 11)."""
    status, _, err = _run(capsys, "verify", "--data", "c.txt", "--out", str(tmp_path))
    assert status == 2
    assert "None" not in err
    assert "without --data" in err


# -- 2: replay commands ---------------------------------------------------------


def test_replay_options_rebuild_the_same_settings() -> None:
    """A replay's options parse back to the settings that produced the evidence."""
    from orthoproof.stages.core import replay_command

    config = VerifyConfig(
        seed=3,
        data="/tmp/my data/counts [final].npy",
        vocab_size=8,
        window=5,
        k=3,
        steps=7,
        dps=(40, 25),
        backend="flint",
        fuzz_examples=20,
        stages=("trajectories",),
    )
    command = replay_command(config, "trajectory-equivariance/adam/glove", "O")
    argv = shlex.split(command)
    assert argv[:2] == ["orthoproof", "verify"]
    args = _parser().parse_args([*argv[1:], "--out", "/tmp/unused"])
    assert (args.only, args.group) == ("trajectory-equivariance/adam/glove", "O")
    again = _config(args)
    assert dataclasses.replace(again, study=config.study) == config


def test_replay_of_a_default_run_is_unchanged() -> None:
    """Settings at their defaults add nothing to the replay command."""
    from orthoproof.stages.core import replay_command

    assert replay_command(VerifyConfig(), "x/y", "O") == (
        "orthoproof verify --seed 0 --k 4 --steps 50 --only x/y --group O"
    )


def _commands(doc: Any) -> list[str]:
    if isinstance(doc, dict):
        found = [doc["command"]] if isinstance(doc.get("command"), str) else []
        return found + [c for v in doc.values() for c in _commands(v)]
    if isinstance(doc, list):
        return [c for v in doc for c in _commands(v)]
    return []


def test_replay_runs_on_the_same_data(tmp_path: Path) -> None:
    """The report's replay command reads the same file at the same size (problem 2)."""
    rng = np.random.default_rng(5)
    counts = rng.integers(1, 50, size=(9, 9)).astype(float)
    data = tmp_path / "my counts" / "c[1].npy"
    data.parent.mkdir()
    np.save(data, counts + counts.T)
    first = tmp_path / "first"
    argv = ["verify", "--data", str(data), "--vocab-size", "6", "--window", "3"]
    argv += ["--k", "2", "--steps", "3", "--stages", "trajectories"]
    argv += ["--only", "trajectory-equivariance/adam/glove", "--group", "O"]
    assert main([*argv, "--out", str(first)]) == 0
    doc = json.loads((first / "report.json").read_text())
    (command,) = set(_commands(doc))
    assert shlex.split(command)[shlex.split(command).index("--data") + 1] == str(data)
    assert "--vocab-size 6" in command
    assert "--window 3" in command

    second = tmp_path / "second"
    assert main([*shlex.split(command)[1:], "--out", str(second)]) == 0
    replayed = json.loads((second / "report.json").read_text())
    assert replayed["run"]["input"] == doc["run"]["input"]
    assert replayed["claims"] == doc["claims"]


# -- 3: user text is never read as rich markup ------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "--data", "{tmp}/x/[/]x.npy"],
        ["verify", "--only", "[/]"],
        ["verify", "--only", "[bold]claim"],
        ["verify", "--out", "{tmp}/afile/[/]"],
        ["basis", "{tmp}/[/]v.txt"],
    ],
)
def test_markup_in_user_text_is_shown_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """Square brackets in a path or id are printed as typed, not parsed as markup."""
    (tmp_path / "afile").write_text("x")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    typed = argv[-1].rsplit("/", 1)[-1]
    if argv[0] == "verify" and "--out" not in argv:
        argv += ["--out", str(tmp_path / "out")]
    status, _, err = _run(capsys, *argv)
    assert status == 2
    assert typed in err


def test_a_real_file_with_brackets_is_named_in_full(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`counts[final].npy` is named as itself in the error, not as `counts.npy`."""
    path = tmp_path / "counts[final].npy"
    path.write_bytes(b"not an array")
    status, _, err = _run(capsys, "verify", "--data", str(path), "--out", str(tmp_path))
    assert status == 2
    assert "counts[final].npy" in err


def test_basis_title_keeps_brackets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The basis table's title shows the path as given, `[b]` included."""
    path = tmp_path / "vec[b].npy"
    np.save(path, np.random.default_rng(0).normal(size=(30, 3)))
    status, out, _ = _run(capsys, "basis", str(path), "--rotations", "9")
    assert status == 0
    assert "vec[b].npy" in out.replace("\n", "")


# -- 4, 5, 10: output paths, checked before the work -----------------------------


def test_unwritable_out_is_refused_before_any_work(
    unwritable: Path, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    """--out in a directory that refuses new files exits 2 up front, no traceback."""
    for out in (unwritable, unwritable / "sub" / "dir"):
        status, _, err = _run(capsys, "verify", "--stages", "theory", "--out", str(out))
        assert status == 2
        assert f"--out={out}" in err
        assert "cannot create files" in err


def test_a_failed_write_after_the_work_exits_two_and_keeps_the_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the reports still cannot be written, the verdicts are printed, then exit 2."""

    def fail(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "out"))

    monkeypatch.setattr("orthoproof.report.write_reports", fail)
    status, out, err = _run(
        capsys,
        "verify",
        *FAST,
        "--only",
        "trajectory-equivariance/sgd/glove",
        "--out",
        str(tmp_path / "out"),
    )
    assert status == 2
    assert "trajectory-equivariance/sgd/glove" in out
    assert "--out=" in err
    assert "Permission denied" in err


@pytest.mark.parametrize("kind", ["dangling", "loop", "dangling-parent"])
def test_broken_symlink_out_is_refused_up_front(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: None, kind: str
) -> None:
    """A dangling or looping --out symlink is caught before the work, as --out."""
    link = tmp_path / "link"
    if kind == "loop":
        link.symlink_to(link)
    else:
        link.symlink_to(tmp_path / "missing")
    out = link / "sub" if kind == "dangling-parent" else link
    status, _, err = _run(capsys, "verify", "--out", str(out))
    assert status == 2
    assert f"--out={out}" in err
    assert "symbolic link" in err
    assert "(str)" not in err


def test_empty_out_is_refused_and_nothing_is_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    no_work: None,
) -> None:
    """--out '' would write into the current directory: it is refused (problem 10)."""
    monkeypatch.chdir(tmp_path)
    status, _, err = _run(capsys, "verify", "--out", "")
    assert status == 2
    assert "--out=''" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--out", "--data"])
def test_names_longer_than_the_system_allows_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    """A path the OS cannot even look up is an input error, not a traceback."""
    long = str(tmp_path / ("x" * 300 + ".npy"))
    argv = ["verify", "--stages", "theory", option, long]
    if option == "--data":
        argv += ["--out", str(tmp_path / "out")]
    status, _, err = _run(capsys, *argv)
    assert status == 2
    assert f"{option}=" in err
    assert "too long" in err


def test_report_out_is_checked_like_verify_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`orthoproof report --out ''` is refused as verify's is."""
    status, _, err = _run(capsys, "report", str(tmp_path / "r.json"), "--out", "")
    assert status == 2
    assert "--out=''" in err


# -- 4: basis --json and the vector path -----------------------------------------


@pytest.fixture
def vectors(tmp_path: Path) -> Path:
    path = tmp_path / "v.npy"
    np.save(path, np.random.default_rng(1).normal(size=(40, 3)))
    return path


@pytest.mark.parametrize("where", ["missing-parent", "directory", "empty", "long"])
def test_basis_json_target_is_checked_before_measuring(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_measure: None,
    vectors: Path,
    where: str,
) -> None:
    """--json in a missing directory, on a directory, empty or too long: exit 2."""
    target = {
        "missing-parent": str(tmp_path / "nope" / "b.json"),
        "directory": str(tmp_path),
        "empty": "",
        "long": str(tmp_path / ("b" * 300 + ".json")),
    }[where]
    status, _, err = _run(capsys, "basis", str(vectors), "--json", target)
    assert status == 2
    assert "--json=" in err
    assert "Traceback" not in err


def test_basis_json_in_an_unwritable_directory_is_refused(
    unwritable: Path,
    capsys: pytest.CaptureFixture[str],
    no_measure: None,
    vectors: Path,
) -> None:
    """--json where no file can be created exits 2 before the measurement."""
    target = unwritable / "b.json"
    status, _, err = _run(capsys, "basis", str(vectors), "--json", str(target))
    assert status == 2
    assert f"--json={target}" in err


def test_basis_path_too_long_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A vector path longer than a file name may be is a usage error, exit 2."""
    status, _, err = _run(capsys, "basis", str(tmp_path / ("v" * 300 + ".txt")))
    assert status == 2
    assert "too long" in err


@pytest.mark.parametrize(
    ("args", "shown"),
    [(["--rotations", "0"], "--rotations=0"), (["--seed", "-2"], "--seed=-2")],
)
def test_basis_options_are_named_as_typed(
    capsys: pytest.CaptureFixture[str],
    no_measure: None,
    vectors: Path,
    args: list[str],
    shown: str,
) -> None:
    """basis's own ranges name the option, not the Python argument."""
    status, _, err = _run(capsys, "basis", str(vectors), *args)
    assert status == 2
    assert shown in err


# -- 6, 7: --only and --group ------------------------------------------------------


def test_a_pair_outside_the_catalogue_touches_no_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    """--only with a --group it is not stated for exits 2; old reports stay."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("old")
    status, _, err = _run(
        capsys,
        "verify",
        "--only",
        "product-invariance",
        "--group",
        "perm",
        "--out",
        str(out),
    )
    assert status == 2
    assert "--group=perm" in err
    assert "stated for: O" in err
    assert (out / "report.json").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]


def test_unknown_only_is_short_and_suggests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    """An unknown --only says how many ids exist and suggests close ones."""
    from orthoproof.stages import catalogue

    count = len({s.id for s in catalogue()})
    status, _, err = _run(
        capsys, "verify", "--only", "product-invariants", "--out", str(tmp_path)
    )
    assert status == 2
    assert "--only=product-invariants" in err
    assert f"{count} claim ids" in err
    assert "orthoproof claims" in err
    assert "product-invariance" in err
    assert len(err) < 400


def test_replaying_one_claim_runs_only_the_stages_that_settle_it(
    tmp_path: Path,
) -> None:
    """--only ID --group G skips every stage that settles no selected claim."""
    out = tmp_path / "out"
    argv = ["verify", "--vocab-size", "10", "--k", "2", "--steps", "3"]
    argv += ["--only", "soundness/false-identities", "--group", "O"]
    assert main([*argv, "--out", str(out)]) == 0
    timings = json.loads((out / "report.json").read_text())["run"]["timings"]
    assert {name for name in timings if "/" not in name} == {"input", "theory"}


def test_one_table_cell_runs_alone(tmp_path: Path) -> None:
    """A table claim replayed alone settles its one cell, not the whole table."""
    out = tmp_path / "out"
    argv = ["verify", "--vocab-size", "10", "--k", "2", "--steps", "3"]
    argv += ["--only", "trajectory-equivariance/signsgd/glove", "--group", "perm"]
    assert main([*argv, "--stages", "optimisers", "--out", str(out)]) == 0
    doc = json.loads((out / "report.json").read_text())
    assert [(c["id"], c["group"]) for c in doc["claims"]] == [
        ("trajectory-equivariance/signsgd/glove", "perm")
    ]
    assert doc["run"]["timings"]["optimisers"] < 10


# -- 11: data messages ------------------------------------------------------------


def test_all_zero_counts_suggest_nothing_useless(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An all-zero matrix is called that, with no advice to shrink the vocabulary."""
    path = tmp_path / "zero.npy"
    np.save(path, np.zeros((4, 4)))
    status, _, err = _run(capsys, "verify", "--data", str(path), "--out", str(tmp_path))
    assert status == 2
    assert "every entry is zero" in err
    assert "vocab" not in err


def test_garbage_npy_gives_no_numpy_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that is no .npy array is called that; numpy's advice is not passed on."""
    path = tmp_path / "garbage.npy"
    path.write_bytes(b"garbage, not numpy")
    status, _, err = _run(capsys, "verify", "--data", str(path), "--out", str(tmp_path))
    assert status == 2
    assert "garbage.npy" in err
    assert "pickle" not in err
    assert "numpy.save" in err


def test_too_large_vocab_size_is_named_as_its_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """More words than the corpus has: the complaint names --vocab-size, as typed."""
    status, _, err = _run(
        capsys, "verify", "--vocab-size", "100000", "--out", str(tmp_path / "out")
    )
    assert status == 2
    assert "--vocab-size=100000: expected" in err
    assert "vocab_size=" not in err
