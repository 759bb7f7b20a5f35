"""The command line: exit statuses, bad input, reports never half-written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from orthoproof.cli import main

FAST = ["--stages", "trajectories", "--vocab-size", "10", "--k", "2", "--steps", "4"]


def _verify(tmp_path: Path, *extra: str) -> int:
    return main(["verify", *FAST, "--out", str(tmp_path / "out"), *extra])


def test_verify_trajectories_writes_reports_and_exits_zero(tmp_path: Path) -> None:
    """A small trajectory-only run settles every trajectory claim as expected."""
    assert _verify(tmp_path) == 0
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    verdicts = {(c["id"], c["group"]): c["verdict"] for c in doc["claims"]}
    assert verdicts[("trajectory-equivariance/adam/glove", "O")] == "refuted"
    assert verdicts[("trajectory-equivariance/sgd/glove", "O")] == "holds"
    assert verdicts[("trajectory-equivariance/adam/glove", "signed-perm")] == "holds"
    assert doc["run"]["input"]["shape"] == [10, 10]
    assert len(doc["run"]["input"]["sha256"]) == 64
    assert (tmp_path / "out" / "report.md").read_text().count(
        "trajectory-equivariance"
    ) >= 10


def test_only_replays_one_claim(tmp_path: Path) -> None:
    """--only settles just the named claim, under each of its groups."""
    assert _verify(tmp_path, "--only", "trajectory-equivariance/sgd/glove") == 0
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    assert {c["id"] for c in doc["claims"]} == {"trajectory-equivariance/sgd/glove"}
    assert {c["group"] for c in doc["claims"]} == {"O", "signed-perm"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--k", "0"], "--k=0"),
        (["--k", "11"], "--k=11"),
        (["--vocab-size", "0"], "--vocab-size=0"),
        (["--dps", "30"], "--dps=30"),
        (["--stages", "nonsense"], "--stages=nonsense"),
        (["--only", "no-such-claim"], "--only=no-such-claim"),
        (["--data", "/nonexistent/cooccur.bin"], "cooccur.bin"),
        (["--seed", "-1"], "--seed=-1"),
        (["--only", "product-invariance"], "--stages=trajectories"),
    ],
)
def test_bad_arguments_exit_two_and_name_the_cause(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    """Each bad argument gives exit status 2, a message naming it, and no report."""
    assert _verify(tmp_path, *args) == 2
    assert fragment in capsys.readouterr().err.replace("\n", "")
    assert not (tmp_path / "out").exists()


def _write_bin(path: Path, records: list[tuple[int, int, float]]) -> Path:
    dtype = np.dtype([("word", "<i4"), ("context", "<i4"), ("value", "<f8")])
    np.array(records, dtype=dtype).tofile(path)
    return path


@pytest.mark.parametrize(
    ("records", "cut", "fragment"),
    [
        ([(1, 1, 2.0), (1, 2, 1.0), (2, 1, 1.0), (2, 2, 3.0)], 5, "truncated"),
        ([(1, 1, 2.0), (1, 2, float("nan")), (2, 1, 1.0), (2, 2, 3.0)], 0, "nan"),
        ([(1, 1, 2.0), (1, 2, -1.0), (2, 1, 1.0), (2, 2, 3.0)], 0, "-1"),
    ],
)
def test_broken_data_files_are_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    records: list[tuple[int, int, float]],
    cut: int,
    fragment: str,
) -> None:
    """A truncated file, a NaN count or a negative count stops the run with exit 2."""
    path = _write_bin(tmp_path / "cooccur.bin", records)
    if cut:
        path.write_bytes(path.read_bytes()[:-cut])
    status = main(
        [
            "verify",
            "--stages",
            "trajectories",
            "--k",
            "2",
            "--steps",
            "2",
            "--data",
            str(path),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert status == 2
    assert fragment in capsys.readouterr().err.lower().replace("\n", "")
    assert not (tmp_path / "out").exists()


def test_user_file_runs_end_to_end(tmp_path: Path) -> None:
    """A user's GloVe .bin file is read, hashed and trained on."""
    rng = np.random.default_rng(3)
    records = [
        (i, j, float(rng.integers(1, 200))) for i in range(1, 7) for j in range(1, 7)
    ]
    path = _write_bin(tmp_path / "cooccur.bin", records)
    status = main(
        [
            "verify",
            "--stages",
            "trajectories",
            "--k",
            "2",
            "--steps",
            "3",
            "--data",
            str(path),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert status == 0
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    assert doc["run"]["input"]["shape"] == [6, 6]
    assert doc["run"]["input"]["source"].endswith("cooccur.bin")


def test_out_that_is_a_file_is_refused_and_kept(tmp_path: Path) -> None:
    """--out naming an existing file exits 2 and leaves that file as it was."""
    target = tmp_path / "out"
    target.write_text("keep me")
    assert _verify(tmp_path) == 2
    assert target.read_text() == "keep me"


def test_report_rerenders_markdown_from_json(tmp_path: Path) -> None:
    """`orthoproof report` rebuilds every format from report.json alone, identically."""
    assert _verify(tmp_path) == 0
    assert (
        main(
            [
                "report",
                str(tmp_path / "out" / "report.json"),
                "--out",
                str(tmp_path / "again"),
            ]
        )
        == 0
    )
    for name in ("report.md", "report.html", "report.junit.xml"):
        first = (tmp_path / "out" / name).read_text()
        assert (tmp_path / "again" / name).read_text() == first


def test_claims_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    """`orthoproof claims` prints every claim id of the catalogue."""
    from orthoproof.claims import CATALOGUE

    assert main(["claims"]) == 0
    out = capsys.readouterr().out
    assert all(spec.id in out for spec in CATALOGUE)
    # the optimisers' expected symmetry table follows the catalogue
    assert "expected symmetry of each optimiser" in out
    assert "shampoo" in out


def test_uncreatable_out_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out below a regular file is refused up front, naming --out."""
    (tmp_path / "afile").write_text("x")
    status = main(["verify", *FAST, "--out", str(tmp_path / "afile" / "sub")])
    assert status == 2
    err = capsys.readouterr().err
    assert "--out=" in err.replace("\n", "")
    assert "timings" not in err


def test_group_narrows_only_to_one_claim(tmp_path: Path) -> None:
    """--only with --group settles exactly one (id, group) pair."""
    only = ["--only", "trajectory-equivariance/adam/glove", "--group", "signed-perm"]
    assert _verify(tmp_path, *only) == 0
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [(c["id"], c["group"]) for c in doc["claims"]] == [
        ("trajectory-equivariance/adam/glove", "signed-perm")
    ]


def test_reports_are_identical_apart_from_timings(tmp_path: Path) -> None:
    """Two runs with one seed give the same JSON once the timings are removed."""
    docs = []
    for name in ("one", "two"):
        args = ["verify", "--vocab-size", "8", "--k", "2", "--steps", "3"]
        args += ["--fuzz-examples", "5", "--out", str(tmp_path / name)]
        assert main(args) == 0
        doc = json.loads((tmp_path / name / "report.json").read_text())
        assert doc["run"].pop("timings")
        docs.append(doc)
    assert docs[0] == docs[1]
    md = [
        (tmp_path / n / "report.md").read_text().split("## Timings")[0]
        for n in ("one", "two")
    ]
    assert md[0] == md[1]


def test_basis_detects_planted_axes_and_passes_a_rotated_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`orthoproof basis` flags heavy-tailed axes and not their rotated copy."""
    from orthoproof.groups import haar_orthogonal

    rng = np.random.default_rng(0)
    planted = rng.laplace(size=(400, 5))
    np.save(tmp_path / "planted.npy", planted)
    np.save(tmp_path / "rotated.npy", planted @ haar_orthogonal(5, rng).T)
    assert (
        main(
            ["basis", str(tmp_path / "planted.npy"), "--json", str(tmp_path / "b.json")]
        )
        == 0
    )
    assert "the axes are privileged" in capsys.readouterr().out
    assert json.loads((tmp_path / "b.json").read_text())["p_value"] <= 0.01
    assert main(["basis", str(tmp_path / "rotated.npy")]) == 0
    assert "no evidence" in capsys.readouterr().out


def test_basis_on_a_missing_file_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing vector file is a usage error naming the file."""
    assert main(["basis", "/nonexistent/vectors.txt"]) == 2
    assert "vectors.txt" in capsys.readouterr().err
