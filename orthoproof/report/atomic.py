"""Atomic file replacement: a reader sees the old reports or the new, never a mix.

A CI job may read ``report.json`` while a run is rewriting it, and a run may be
killed mid-write. Writing to a temporary file beside the target and renaming it
over the target (atomic on POSIX and Windows within one file system) means the
target is always either the complete old text or the complete new text.

A report set is several files, and no file system renames several at once. So
:func:`replace_files_atomic` writes every temporary before it renames any, and
if a rename fails part-way it renames the old files back from hard-link backups
taken beforehand. Only a crash between the renames can still leave a mixed set.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["replace_files_atomic", "write_text_atomic"]

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
        If the file cannot be written, or ``path`` is a directory. The temporary
        file is removed and an existing ``path`` is left untouched.
    UnicodeEncodeError
        If ``text`` cannot be encoded (e.g. lone surrogates); nothing is written.
    """
    replace_files_atomic({Path(path): text})


def replace_files_atomic(texts: Mapping[Path, str]) -> None:
    """Replace several files with new UTF-8 texts, all of them or none.

    Parameters
    ----------
    texts
        The new contents of each file, written exactly; every file's directory
        must exist. Files are renamed into place in this order.

    Raises
    ------
    OSError
        If a file cannot be written or renamed into place, or a target is a
        directory. Every file then holds its old contents again (a file that
        did not exist is removed) and no temporary remains. Should putting an
        old file back fail too, the error carries a note naming it.
    UnicodeEncodeError
        If a text cannot be encoded (e.g. lone surrogates); nothing is written.
    """
    # Encode and check every target first: a failure here creates no file at all.
    data = {Path(path): text.encode("utf-8") for path, text in texts.items()}
    for path in data:
        _refuse_directory(path)
    temporaries: dict[Path, Path] = {}
    try:
        for path, blob in data.items():
            temporaries[path] = _write_temporary(path, blob)
    except BaseException:
        _remove(temporaries.values())
        raise
    _rename_all(temporaries)
    for directory in dict.fromkeys(path.parent for path in data):
        _fsync_directory(directory)


def _refuse_directory(path: Path) -> None:
    # A rename cannot replace a directory, and failing only when the rename is
    # reached would come after other files of the set had been replaced.
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISDIR(os.lstat(path).st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))


def _write_temporary(path: Path, data: bytes) -> Path:
    """A hidden file beside ``path`` holding ``data``, safely on disk."""
    fd, temporary = _create_temporary(path, ".tmp")
    try:
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            # Without fsync the rename can reach the disk before the data, and a
            # crash would leave an empty file under the final name.
            os.fsync(handle.fileno())
    except BaseException:
        _remove([temporary])
        raise
    return temporary


def _rename_all(temporaries: Mapping[Path, Path]) -> None:
    """Rename each temporary over its target, undoing them all if one fails."""
    # Once the last rename succeeds nothing is left to fail, so it needs no backup.
    backups = _back_up(list(temporaries)[:-1])
    done: list[Path] = []
    try:
        for path, temporary in temporaries.items():
            os.replace(temporary, path)
            done.append(path)
    except BaseException as exc:
        _remove(temporaries[p] for p in temporaries if p not in done)
        _restore(done, backups, exc)
        raise
    finally:
        _remove(backup for backup in backups.values() if backup is not None)


def _back_up(paths: Iterable[Path]) -> dict[Path, Path | None]:
    """A second name for each existing file; ``None`` where there is no file."""
    backups: dict[Path, Path | None] = {}
    try:
        for path in paths:
            backups[path] = _link_or_copy(path) if os.path.lexists(path) else None
    except BaseException:
        _remove(backup for backup in backups.values() if backup is not None)
        raise
    return backups


def _link_or_copy(path: Path) -> Path:
    # A hard link costs no space and keeps the old file exactly; file systems
    # without links (FAT, some network shares) get a copy instead.
    for _ in range(_ATTEMPTS):
        backup = _hidden_name(path, ".old")
        try:
            os.link(path, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:
            break
    fd, backup = _create_temporary(path, ".old")
    os.close(fd)
    try:
        shutil.copy2(path, backup, follow_symlinks=False)
    except BaseException:
        _remove([backup])
        raise
    return backup


def _restore(
    done: list[Path], backups: Mapping[Path, Path | None], exc: BaseException
) -> None:
    """Put back the old file of every target already replaced."""
    for path in done:
        backup = backups[path]
        try:
            if backup is None:
                os.unlink(path)
            else:
                os.replace(backup, path)
        except OSError as failure:
            exc.add_note(
                f"{path} could not be restored and holds the new text ({failure})"
            )


def _create_temporary(path: Path, suffix: str) -> tuple[int, Path]:
    """Create a fresh hidden file beside ``path``.

    ``tempfile.mkstemp`` would do, but it creates files readable by the owner
    only; opening with mode 0o666 lets the umask decide, as for any other file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        temporary = _hidden_name(path, suffix)
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _hidden_name(path: Path, suffix: str) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}{suffix}")


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


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
