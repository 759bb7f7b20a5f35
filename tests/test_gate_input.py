"""Bad input to ``orthoproof check``: exit status 2 and one line naming the flag.

Each test pins one report from a new user's first week with the gate: user code
that exits or warns, numbers numpy refuses, output paths that are directories,
contradictory or misplaced options, and rich markup in user-supplied text.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orthoproof.cli import main as cli_main
from orthoproof.errors import InvalidArgument
from orthoproof.gate import UserCodeError, check_loss, check_optimiser
from orthoproof.gate.cli import main
from tests.gate_examples import losses, optimisers

REPO = Path(__file__).resolve().parents[1]

#: A module the way a user would write one, each class misbehaving in one way.
USER_CODE = textwrap.dedent(
    '''
    import sys
    import warnings

    import numpy as np


    class SGD:
        def __init__(self, lr=0.02):
            self.lr = lr

        def init(self, params):
            return None

        def step(self, params, grads, state):
            return {k: params[k] - self.lr * grads[k] for k in params}, state


    class Exits(SGD):
        def step(self, params, grads, state):
            sys.exit(0)


    class Interrupted(SGD):
        def step(self, params, grads, state):
            raise KeyboardInterrupt


    class _ExitsOnConversion:
        def __array__(self, dtype=None, copy=None):
            sys.exit(0)


    class ExitsOnConversion(SGD):
        """Exits when the gate converts the result, not inside step itself."""

        def step(self, params, grads, state):
            new, state = super().step(params, grads, state)
            return {"A": _ExitsOnConversion(), "B": new["B"]}, state


    class _ExitsOnLookup(dict):
        def get(self, key, default=None):
            sys.exit(0)


    class ExitsOnLookup(SGD):
        """Exits when the gate reads the returned mapping."""

        def step(self, params, grads, state):
            new, state = super().step(params, grads, state)
            return _ExitsOnLookup(new), state


    class Ragged(SGD):
        def step(self, params, grads, state):
            return {"A": [[1.0, 2.0], [3.0]], "B": params["B"]}, state


    class Warns(SGD):
        def step(self, params, grads, state):
            np.exp(np.float64(1000.0))
            np.array([1 + 1j]).astype(np.float64)
            warnings.warn("[bold]careful[/bold] with [/]", UserWarning)
            return super().step(params, grads, state)


    class Float32Fails(SGD):
        def step(self, params, grads, state):
            if params["A"].dtype == np.float32:
                raise ValueError("[/bad] closing tag, [red]colour and :fire:")
            return super().step(params, grads, state)


    def plain(A, B, X):
        r = A.T @ B - X
        return 0.5 * np.sum(r * r)


    def exits_loss(A, B, X):
        sys.exit(0)


    def ragged_loss(A, B, X):
        return [[1.0], [1.0, 2.0]]


    def warns_then_nan(A, B, X):
        return plain(A, B, X) * (np.exp(np.float64(1000.0)) * 0.0)


    sgd = SGD()
    '''
)

MISSING = "no_such_user_module_anywhere:thing"


@pytest.fixture
def user_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, str], str]]:
    """Write a user module into a fresh directory on ``sys.path``; return its name."""
    written: list[str] = []
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(name: str, source: str = USER_CODE) -> str:
        (tmp_path / f"{name}.py").write_text(source)
        written.append(name)
        return name

    yield write
    for name in written:
        sys.modules.pop(name, None)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _only_error_line(err: str) -> str:
    """The one line of a usage error (no traceback, no second line)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    return lines[0]


# 1. User code that raises SystemExit must not pass the gate silently.


def test_step_calling_sys_exit_exits_2(
    user_code: Callable[..., str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An optimiser whose step calls sys.exit(0) is an input error, not a pass."""
    mod = user_code("exits_step")
    out = tmp_path / "check.json"
    code, _, err = _run(capsys, "--optimiser", f"{mod}:Exits", "--json", str(out))
    assert code == 2
    assert "step raised SystemExit(0)" in _only_error_line(err)
    assert not out.exists()


def test_sys_exit_as_the_optimiser_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """``--optimiser sys:exit`` is called as a factory; that call is named."""
    code, _, err = _run(capsys, "--optimiser", "sys:exit")
    assert code == 2
    assert "optimiser factory raised SystemExit(None)" in _only_error_line(err)


def test_loss_calling_sys_exit_is_a_user_code_error(
    user_code: Callable[..., str],
) -> None:
    """In Python too: the library turns SystemExit from a loss into UserCodeError."""
    mod = __import__(user_code("exits_loss"))
    with pytest.raises(UserCodeError, match=r"loss raised SystemExit\(0\)"):
        check_loss(mod.exits_loss, groups=("O",))


def test_module_exiting_on_import_exits_2(
    user_code: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Importing a module that calls sys.exit names --loss and the path typed."""
    mod = user_code("exits_on_import", "import sys\nsys.exit(0)\n")
    code, _, err = _run(capsys, "--loss", f"{mod}:f")
    line = _only_error_line(err)
    assert code == 2
    assert f"--loss='{mod}:f'" in line
    assert "SystemExit(0)" in line


def test_exit_converting_a_result_exits_2(
    user_code: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """SystemExit from a returned object's ``__array__`` is the step's fault."""
    mod = user_code("exits_conversion")
    code, _, err = _run(capsys, "--optimiser", f"{mod}:ExitsOnConversion")
    line = _only_error_line(err)
    assert code == 2
    assert "step (params A) returned" in line
    assert "SystemExit(0)" in line


def test_exit_outside_a_named_call_still_exits_2(
    user_code: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """SystemExit from user code the gate runs indirectly is caught as well."""
    mod = user_code("exits_lookup")
    code, _, err = _run(capsys, "--optimiser", f"{mod}:ExitsOnLookup")
    line = _only_error_line(err)
    assert code == 2
    assert "the checked code raised SystemExit(0)" in line


@pytest.mark.parametrize(
    ("kind", "name"), [("--optimiser", "Ragged"), ("--loss", "ragged_loss")]
)
def test_ragged_result_exits_2(
    user_code: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    kind: str,
    name: str,
) -> None:
    """A ragged nested list is an input error, not a numpy traceback."""
    mod = user_code(f"ragged_{name.lower()}")
    code, _, err = _run(capsys, kind, f"{mod}:{name}", "--group", "O")
    line = _only_error_line(err)
    assert code == 2
    assert "is not an array (ValueError:" in line


def test_keyboard_interrupt_still_interrupts(
    user_code: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C inside user code stops the check with status 130, in both entries."""
    mod = user_code("interrupted")
    argv = ["check", "--optimiser", f"{mod}:Interrupted", "--group", "O"]
    assert main(argv) == 130
    assert cli_main(argv) == 130
    assert "interrupted" in capsys.readouterr().err


def _subprocess(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(tmp_path), str(REPO), os.environ.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "orthoproof", "check", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        cwd=tmp_path,
        check=False,
        timeout=300,
    )


#: A sign step: broken under O(k), so a gate that says "equivariant" fails.
SIGN = textwrap.dedent(
    """
    import numpy as np


    class Sign:
        def __init__(self, lr=0.01):
            self.lr = lr

        def init(self, params):
            return None

        def step(self, params, grads, state):
            return {k: params[k] - self.lr * np.sign(grads[k]) for k in params}, state
    """
)

#: Arguments that expect O-equivariance of the named optimiser.
EXPECT_O = ("--group", "O", "--expect", "O=equivariant")


HARD_EXITS = SIGN + textwrap.dedent(
    """
    import os


    class HardExit(Sign):
        def step(self, params, grads, state):
            os._exit(0)


    class _ExitsOnConversion:
        def __array__(self, dtype=None, copy=None):
            os._exit(0)


    class HardExitOnConversion(Sign):
        # exits when the gate converts the result, outside the step call

        def step(self, params, grads, state):
            return {"A": _ExitsOnConversion(), "B": params["B"]}, state
    """
)


@pytest.mark.parametrize(
    ("source", "argv", "shown"),
    [
        (HARD_EXITS, ["--optimiser", "hard_exit:HardExit"], "step raised os._exit(0)"),
        (
            HARD_EXITS,
            ["--optimiser", "hard_exit:HardExitOnConversion"],
            "os._exit(0)",
        ),
        (
            HARD_EXITS + "\nos._exit(0)\n",
            ["--optimiser", "hard_exit:HardExit"],
            "cannot import module 'hard_exit' (os._exit(0))",
        ),
    ],
)
def test_os_exit_in_user_code_does_not_end_the_gate_with_0(
    tmp_path: Path, source: str, argv: list[str], shown: str
) -> None:
    """os._exit skips every handler: left alone it ended CI's gate with status 0."""
    (tmp_path / "hard_exit.py").write_text(source)
    done = _subprocess(tmp_path, *argv)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert shown in _only_error_line(done.stderr)


def test_os_exit_is_restored_after_the_check(
    user_code: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In Python too; the stand-in below keeps a regression from ending pytest."""

    def reached(status: int) -> None:
        pytest.fail(f"the real os._exit({status}) was reached")

    monkeypatch.setattr(os, "_exit", reached)
    mod = __import__(user_code("hard_exit", HARD_EXITS))
    with pytest.raises(UserCodeError, match=r"os\._exit\(0\)"):
        check_optimiser(mod.HardExit, groups=("O",))
    assert os._exit is reached


def test_process_exit_status_is_2_when_user_code_exits(tmp_path: Path) -> None:
    """What CI sees: the process itself exits 2, with one line on stderr."""
    done = _subprocess(tmp_path, "--optimiser", "sys:exit")
    assert done.returncode == 2, done.stderr
    assert "SystemExit" in _only_error_line(done.stderr)


# 2. Every numeric option is checked, naming its flag, before any work.


@pytest.mark.parametrize(
    ("kind", "flag", "value", "valid"),
    [
        ("--optimiser", "--seed", "-1", "a non-negative integer"),
        ("--loss", "--seed", "-7", "a non-negative integer"),
        ("--optimiser", "--steps", "0", "a positive integer"),
        ("--optimiser", "--steps", "-3", "a positive integer"),
        ("--loss", "--k", "1", "an integer of at least 2"),
        ("--optimiser", "--k", "0", "an integer of at least 2"),
        ("--loss", "--m", "0", "a positive integer"),
        ("--optimiser", "--n", "-2", "a positive integer"),
    ],
)
def test_bad_number_names_its_flag(
    capsys: pytest.CaptureFixture[str], kind: str, flag: str, value: str, valid: str
) -> None:
    """Checked before the target is imported, so the number is blamed, not the path."""
    code, _, err = _run(capsys, kind, MISSING, flag, value)
    line = _only_error_line(err)
    assert code == 2
    assert line.startswith(f"error: {flag}={value}")
    assert valid in line


def test_non_integer_seed_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse refuses a non-integer with status 2 and names --seed."""
    with pytest.raises(SystemExit) as caught:
        main(["check", "--loss", MISSING, "--seed", "1.5"])
    assert caught.value.code == 2
    assert "--seed" in capsys.readouterr().err


def test_library_rejects_negative_seed() -> None:
    """check_loss and check_optimiser name seed, rather than letting numpy raise."""
    with pytest.raises(InvalidArgument, match="seed=-1"):
        check_loss(losses.plain, seed=-1)
    with pytest.raises(InvalidArgument, match="seed=-1"):
        check_optimiser(optimisers.sgd, seed=-1)


# 3. Output paths are checked before any work and named as typed.


@pytest.mark.parametrize("flag", ["--json", "--junit"])
def test_output_path_that_is_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    """A directory is named with its flag, not by a temporary file's name."""
    code, _, err = _run(capsys, "--loss", MISSING, flag, str(tmp_path))
    line = _only_error_line(err)
    assert code == 2
    # Shell-quoted as typed (a plain path needs no quotes), as every flag is.
    assert line.startswith(
        f"error: {flag}={shlex.quote(str(tmp_path))}: is a directory"
    )
    assert ".tmp" not in line.replace(str(tmp_path), "")


def test_output_path_in_a_missing_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report that could not be written is refused before the check runs."""
    target = tmp_path / "missing" / "check.json"
    code, _, err = _run(capsys, "--loss", MISSING, "--json", str(target))
    line = _only_error_line(err)
    assert code == 2
    assert "--json=" in line
    assert "does not exist" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_output_path_that_is_no_regular_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pipe or device (``/dev/null``) would be replaced by the atomic rename."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    code, _, err = _run(capsys, "--loss", MISSING, "--json", str(pipe))
    assert code == 2
    assert "not a regular file" in _only_error_line(err)
    assert not pipe.is_file()


def test_json_and_junit_on_one_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two reports on one path would leave only the second: refused."""
    target = str(tmp_path / "check.out")
    code, _, err = _run(capsys, "--loss", MISSING, "--json", target, "--junit", target)
    line = _only_error_line(err)
    assert code == 2
    assert "--junit" in line
    assert "--json" in line


def test_write_failure_after_the_check_keeps_the_results(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write that fails late names --json and still prints what was found."""
    import orthoproof.gate.output as output

    def refuse(path: Path | str, text: str) -> None:
        raise PermissionError(13, "Permission denied", f"{path}.0123abcd.tmp")

    monkeypatch.setattr(output, "write_text_atomic", refuse)
    target = tmp_path / "check.json"
    code, out, err = _run(
        capsys,
        "--loss",
        "tests.gate_examples.losses:plain",
        "--group",
        "O",
        "--json",
        str(target),
    )
    line = _only_error_line(err)
    assert code == 2
    assert line.startswith(f"error: --json={str(target)!r}: cannot write")
    assert "Permission denied" in line
    assert ".tmp" not in line
    assert "orthoproof check: loss" in out


# 4. Contradictory or unusable expectations.


def test_contradictory_expectations_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """O cannot be expected both equivariant and broken; the last no longer wins."""
    code, _, err = _run(
        capsys, "--loss", MISSING, "--expect", "O=equivariant", "--expect", "O=broken"
    )
    line = _only_error_line(err)
    assert code == 2
    assert "--expect='O=broken'" in line
    assert "O=equivariant" in line


def test_repeated_expectation_is_no_contradiction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """'invariant' is a synonym: saying the same thing twice is accepted."""
    code, _, _ = _run(
        capsys,
        "--loss",
        "tests.gate_examples.losses:plain",
        "--group",
        "O",
        "--expect",
        "O=invariant",
        "--expect",
        "O=equivariant",
    )
    assert code == 0


def test_expectation_for_an_unchecked_group(capsys: pytest.CaptureFixture[str]) -> None:
    """Refused before the check runs, naming --expect and the groups checked."""
    code, _, err = _run(
        capsys, "--loss", MISSING, "--group", "perm", "--expect", "O=broken"
    )
    line = _only_error_line(err)
    assert code == 2
    assert "--expect='O=broken'" in line
    assert "perm" in line


# 5. Options that belong to the other kind of check.


@pytest.mark.parametrize(
    ("kind", "flag", "value", "owner"),
    [
        ("--optimiser", "--grad", "pkg:grad", "--loss"),
        ("--optimiser", "--data-keys", "X,W", "--loss"),
        ("--loss", "--steps", "5", "--optimiser"),
        ("--loss", "--options", '{"lr": 0.1}', "--optimiser"),
        ("--loss", "--params", "array", "--optimiser"),
    ],
)
def test_option_of_the_other_kind_exits_2(
    capsys: pytest.CaptureFixture[str], kind: str, flag: str, value: str, owner: str
) -> None:
    """An option the check would silently ignore is refused instead."""
    code, _, err = _run(capsys, kind, MISSING, flag, value)
    line = _only_error_line(err)
    assert code == 2
    assert f"{flag} applies to {owner} only" in line


def test_unknown_data_key_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """--data-keys is checked before any work, under its own name."""
    code, _, err = _run(capsys, "--loss", MISSING, "--data-keys", "X,Q")
    line = _only_error_line(err)
    assert code == 2
    assert line.startswith("error: --data-keys='X,Q'")
    assert "X, W, b, c" in line


def test_repeated_group_is_checked_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--group O --group O gives one claim, not two claims under one id."""
    target = tmp_path / "check.json"
    code, _, _ = _run(
        capsys,
        "--loss",
        "tests.gate_examples.losses:plain",
        "--group",
        "O",
        "--group",
        "O",
        "--json",
        str(target),
    )
    assert code == 0
    assert [c["group"] for c in json.loads(target.read_text())["claims"]] == ["O"]


# 6. --options must be finite JSON.


@pytest.mark.parametrize(
    "text", ['{"lr": NaN}', '{"lr": Infinity}', '{"betas": [0.9, -Infinity]}']
)
def test_non_finite_options_exit_2(
    capsys: pytest.CaptureFixture[str], text: str
) -> None:
    """NaN is not valid JSON; accepting it blamed the optimiser for our input."""
    code, _, err = _run(capsys, "--optimiser", MISSING, "--options", text)
    line = _only_error_line(err)
    assert code == 2
    assert line.startswith(f"error: --options={text!r}")
    assert "finite" in line


def test_options_for_a_built_optimiser_name_the_flag(
    user_code: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """An instance takes no options; the message says --options, as typed."""
    mod = user_code("built")
    code, _, err = _run(capsys, "--optimiser", f"{mod}:sgd", "--options", '{"lr": 1}')
    line = _only_error_line(err)
    assert code == 2
    assert line.startswith("error: --options=")
    assert "already built" in line


# 7. Warnings from user code are reported once, in one note.


def test_warnings_become_one_note(
    user_code: Callable[..., str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    recwarn: pytest.WarningsRecorder,
) -> None:
    """No raw warning reaches stderr; the note names each kind and its place."""
    mod = user_code("warns")
    target = tmp_path / "check.json"
    code, out, err = _run(
        capsys,
        "--optimiser",
        f"{mod}:Warns",
        "--group",
        "sign",
        "--steps",
        "2",
        "--json",
        str(target),
    )
    assert code == 0, err
    assert err == ""
    assert len(recwarn) == 0
    notes = [line for line in out.splitlines() if "warning" in line]
    assert len(notes) == 1, out
    for needed in ("RuntimeWarning", "ComplexWarning", "UserWarning", f"{mod}.py:"):
        assert needed in notes[0]
    assert "[bold]careful[/bold] with [/]" in notes[0]
    doc = json.loads(target.read_text())
    assert any("RuntimeWarning" in n for n in doc["run"]["config"]["notes"])


def test_warnings_before_an_error_follow_it(
    user_code: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    recwarn: pytest.WarningsRecorder,
) -> None:
    """The error line comes first; the warnings that may explain it, after."""
    mod = user_code("warns_nan")
    code, _, err = _run(capsys, "--loss", f"{mod}:warns_then_nan", "--group", "O")
    lines = err.strip().splitlines()
    assert code == 2
    assert lines[0].startswith("error: loss returned nan"), err
    assert len(lines) == 2
    assert lines[1].startswith("note: ")
    assert "RuntimeWarning" in lines[1]
    assert len(recwarn) == 0


def test_warnings_stay_off_the_process_stderr(
    user_code: Callable[..., str], tmp_path: Path
) -> None:
    """End to end: stderr of a passing check with a warning-heavy optimiser is empty."""
    mod = user_code("warns_process")
    done = _subprocess(
        tmp_path, "--optimiser", f"{mod}:Warns", "--group", "sign", "--steps", "2"
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "RuntimeWarning" in done.stdout


# 8. Rich markup in user-supplied text is printed literally.


def test_target_with_brackets_in_the_table_title(
    user_code: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A module file named ``mod[bold].py`` imports; its name must print as typed."""
    mod = user_code("markup[bold]")
    code, out, _ = _run(capsys, "--loss", f"{mod}:plain", "--group", "O")
    assert code == 0
    assert f"{mod}:plain" in out


def test_error_naming_a_target_with_brackets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The import error shows ``pkg[x]:f`` whole, under the flag the user typed."""
    code, _, err = _run(capsys, "--loss", "pkg[x]:f")
    line = _only_error_line(err)
    assert code == 2
    assert line.startswith("error: --loss='pkg[x]:f'")


def test_emoji_codes_in_an_error_print_literally(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``:fire:`` in a mistyped path stays as typed rather than becoming an emoji."""
    code, _, err = _run(capsys, "--loss", "pkg:fire:x")
    assert code == 2
    assert "--loss='pkg:fire:x'" in _only_error_line(err)


def test_notes_with_markup_print_literally(
    user_code: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A skipped rung's message with a stray closing tag neither crashes nor styles."""
    mod = user_code("float32_fails")
    code, out, err = _run(
        capsys,
        "--optimiser",
        f"{mod}:Float32Fails",
        "--group",
        "sign",
        "--steps",
        "2",
    )
    assert code == 0, err
    assert "[/bad] closing tag, [red]colour and :fire:" in out


DTYPE_PATHS = SIGN + textwrap.dedent(
    """
    class FloatsTakeSigns(Sign):
        # plain gradient steps for object arrays (mpfr), sign steps for floats
        def step(self, params, grads, state):
            if params["A"].dtype == object:
                return {k: params[k] - self.lr * grads[k] for k in params}, state
            return super().step(params, grads, state)
    """
)


def test_code_broken_only_for_floats_is_not_called_equivariant(
    user_code: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """float32/float64 at 0.18, mpfr at 1e-61: the fit fell, the gate passed it."""
    mod = user_code("dtype_paths", DTYPE_PATHS)
    code, out, _ = _run(capsys, "--optimiser", f"{mod}:FloatsTakeSigns", *EXPECT_O)
    assert code == 1, out
    assert "far above" in out.replace("\n", " ")


UNPRINTABLE = SIGN + textwrap.dedent(
    """
    import sys
    import warnings


    class ExitingWarning(UserWarning):
        def __str__(self):
            raise SystemExit(0)


    class WarnsUnprintably(Sign):
        def init(self, params):
            warnings.warn("deprecated option", ExitingWarning)


    class _Code:
        def __repr__(self):
            raise SystemExit(0)


    class ExitsWithUnprintableCode(Sign):
        def step(self, params, grads, state):
            sys.exit(_Code())
    """
)


@pytest.mark.parametrize(
    ("name", "status"), [("WarnsUnprintably", 1), ("ExitsWithUnprintableCode", 2)]
)
def test_user_objects_that_exit_when_shown_do_not_pass_the_gate(
    user_code: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    name: str,
    status: int,
) -> None:
    """Their __str__ or __repr__ raised SystemExit(0) while the gate wrote text."""
    mod = user_code("unprintable", UNPRINTABLE)
    code, _, _ = _run(capsys, "--optimiser", f"{mod}:{name}", *EXPECT_O)
    assert code == status


ESCAPES = SIGN + textwrap.dedent(
    """
    import atexit
    import ctypes
    import os
    import posix
    import threading
    import time


    class PosixExit(Sign):
        def step(self, params, grads, state):
            posix._exit(0)


    class LibcExit(Sign):
        def step(self, params, grads, state):
            ctypes.CDLL(None)._exit(0)


    class Exec(Sign):
        def step(self, params, grads, state):
            os.execv("/bin/true", ["true"])


    class ExitAtExit(Sign):
        def init(self, params):
            atexit.register(lambda: os._exit(0))


    def _later():
        time.sleep(0.5)
        os._exit(0)


    class ExitFromThread(Sign):
        def init(self, params):
            threading.Thread(target=_later).start()
    """
)


@pytest.mark.parametrize(
    ("name", "statuses"),
    [
        ("PosixExit", {2}),
        ("LibcExit", {2}),
        ("Exec", {2}),
        ("ExitAtExit", {1}),  # after the verdict: the verdict's status stands
        ("ExitFromThread", {1, 2}),  # during the check (2) or after it (1)
    ],
)
def test_no_way_out_of_the_process_passes_the_gate(
    tmp_path: Path, name: str, statuses: set[int]
) -> None:
    """Every way of ending the process with 0 that the trap cannot see.

    The command runs the check in a child process and takes the status the
    child reports, not the one it exits with.
    """
    (tmp_path / "escapes.py").write_text(ESCAPES)
    done = _subprocess(tmp_path, "--optimiser", f"escapes:{name}", *EXPECT_O)
    assert done.returncode in statuses, (done.returncode, done.stdout, done.stderr)


def test_posix_exit_is_trapped_in_python_too(
    user_code: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API has no child process: posix._exit is trapped like os._exit."""
    import posix

    def reached(status: int) -> None:
        pytest.fail(f"the real _exit({status}) was reached")

    monkeypatch.setattr(os, "_exit", reached)
    monkeypatch.setattr(posix, "_exit", reached)
    mod = __import__(user_code("escapes_api", ESCAPES))
    with pytest.raises(UserCodeError, match=r"os\._exit\(0\)"):
        check_optimiser(mod.PosixExit, groups=("O",))
    assert posix._exit is reached
