"""Command-line options checked before any work, and named as the user typed them.

A bad option is reported as ``--flag=value: expected …``, the value quoted as a
shell would need it, so the message can be read against the command line and
the corrected command pasted back. Output paths are tried here too: a report
that could not be written would cost the whole run, so a directory or file
that cannot be created is refused before the run starts.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from orthoproof.errors import InvalidArgument

__all__ = [
    "InvalidOption",
    "check_output_directory",
    "check_output_file",
    "option_text",
    "os_reason",
]

#: Longest value shown whole in a message; a 5000-character path would bury
#: the explanation, so longer ones keep their two ends.
_SHOWN = 160


def option_text(value: Any) -> str:
    """``value`` as it is typed on the command line: ``30,60`` for ``(30, 60)``."""
    if value is None:
        return ""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ",".join(str(part) for part in value)
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def _shown(value: Any) -> str:
    quoted = shlex.quote(option_text(value))
    if len(quoted) <= _SHOWN:
        return quoted
    return f"{quoted[:100]}…({len(quoted)} characters)…{quoted[-40:]}"


class InvalidOption(InvalidArgument):
    """A command-line option is invalid: ``--flag=value: [problem; ]expected …``."""

    def __init__(
        self, flag: str, value: Any, valid: str, problem: str | None = None
    ) -> None:
        said = f"{problem}; " if problem else ""
        super().__init__(f"{flag}={_shown(value)}: {said}expected {valid}")
        self.flag, self.value, self.valid = flag, value, valid


def os_reason(error: OSError) -> str:
    """The operating system's own words for ``error``, e.g. 'File name too long'."""
    return error.strerror or str(error)


def check_output_directory(flag: str, text: str) -> Path:
    """Return ``text`` as a path in which a run's reports can be written.

    It may exist (as a directory) or not yet; then its nearest existing
    ancestor must be a directory. Either way a probe file is created and
    removed there, so that permissions, read-only mounts and over-long names
    all show now rather than at the end of the run.

    Raises
    ------
    InvalidOption
        Naming ``flag``: an empty path, a dangling or looping symbolic link,
        a file in the way, or a directory that refuses new files.
    """
    valid = "a directory that can be created and written"
    if not text:
        # Path("") is the current directory: the reports would land among the
        # user's own files under names nobody asked for.
        raise InvalidOption(flag, text, f"{valid}; give . for the current one")
    return _checked(flag, text, valid, _directory_problem)


def _checked(
    flag: str, text: str, valid: str, problem_of: Callable[[Path], str | None]
) -> Path:
    """``text`` as a path, or InvalidOption with what ``problem_of`` found."""
    path = Path(text)
    try:
        problem = problem_of(path)
    except OSError as error:
        problem = f"cannot be looked up ({os_reason(error)})"
    if problem:
        raise InvalidOption(flag, text, valid, problem)
    return path


def _directory_problem(path: Path) -> str | None:
    if _broken_link(path):
        return "is a symbolic link to nothing (dangling, or a loop)"
    if path.exists():
        return "exists and is not a directory" if not path.is_dir() else _probe(path)
    for parent in path.parents:
        if _broken_link(parent):
            return f"{str(parent)!r} is a symbolic link to nothing"
        if parent.exists():
            if not parent.is_dir():
                return f"{str(parent)!r} is not a directory"
            return _probe(parent)
    return None


def check_output_file(flag: str, text: str) -> Path:
    """Return ``text`` as a path where a file can be written atomically.

    Its directory must exist already (as for any ``--json`` of the suite), and
    a probe named as the atomic writer's temporary file is created and removed
    there, which checks the name's length as well as the permissions.

    Raises
    ------
    InvalidOption
        Naming ``flag``: an empty path, a directory, a missing directory or
        one that refuses new files.
    """
    valid = "a file path in an existing directory that can be written"
    if not text:
        raise InvalidOption(flag, text, valid, "an empty path")
    return _checked(flag, text, valid, _file_problem)


def _file_problem(path: Path) -> str | None:
    if path.is_dir():
        return "is a directory"
    if path.exists() and not path.is_file():
        # Replacing a device or a pipe with a file is never what was meant.
        return "exists and is not a regular file"
    directory = path.parent
    if not directory.exists():
        return f"its directory {str(directory)!r} does not exist"
    if not directory.is_dir():
        return f"{str(directory)!r} is not a directory"
    return _probe(directory, f".{path.name}")


def _broken_link(path: Path) -> bool:
    # exists() follows the link and is False for a dangling one or a loop.
    return path.is_symlink() and not path.exists()


def _probe(directory: Path, stem: str = ".orthoproof-probe") -> str | None:
    """Why no file can be created in ``directory``, or None when one can.

    The probe is created exclusively under a random name (no existing file can
    be touched) and removed at once.
    """
    probe = directory / f"{stem}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        return f"cannot create files in {str(directory)!r} ({os_reason(error)})"
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return None
