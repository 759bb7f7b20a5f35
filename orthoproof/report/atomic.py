"""Atomic file replacement: a reader sees the old report or the new, never half.

A CI job may read ``report.json`` while a run is rewriting it, and a run may be
killed mid-write. Writing to a temporary file beside the target and renaming it
over the target (atomic on POSIX and Windows within one file system) means the
target is always either the complete old text or the complete new text.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["write_text_atomic"]

_ATTEMPTS = 100


def write_text_atomic(path: Path | str, text: str) -> None:
    """Replace the contents of ``path`` with ``text`` (UTF-8) atomically.

    Parameters
    ----------
    path
        The file to create or replace; its directory must exist.
    text
        The new contents, written exactly (no newline translation).

    Raises
    ------
    OSError
        If the file cannot be written. The temporary file is removed and an
        existing ``path`` is left untouched.
    UnicodeEncodeError
        If ``text`` cannot be encoded (e.g. lone surrogates); nothing is written.
    """
    path = Path(path)
    # Encode first: a failure here should not even create a temporary file.
    data = text.encode("utf-8")
    fd, temporary = _create_temporary(path)
    try:
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            # Without fsync the rename can reach the disk before the data, and a
            # crash would leave an empty file under the final name.
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(path.parent)


def _create_temporary(path: Path) -> tuple[int, Path]:
    """Create a fresh hidden file beside ``path``.

    ``tempfile.mkstemp`` would do, but it creates files readable by the owner
    only; opening with mode 0o666 lets the umask decide, as for any other file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable, where the platform allows it.

    The new file is already in place, so failing here (Windows cannot open a
    directory) is no reason to report the write as failed.
    """
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
