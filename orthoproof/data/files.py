"""Reading an input file once, for both its digest and its contents."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from orthoproof.errors import DataError

__all__ = ["read_input"]


def read_input(path: str | os.PathLike[str]) -> tuple[bytes, str]:
    """Read a whole input file and hash it.

    The bytes are read once and both hashed and parsed from memory, so the
    recorded digest is guaranteed to describe the data actually used.

    Parameters
    ----------
    path
        The file to read.

    Returns
    -------
    data : bytes
        The file's contents, never empty.
    sha256 : str
        Hex SHA-256 digest of ``data``.

    Raises
    ------
    DataError
        If the file is missing, is not a regular file, cannot be read, or is
        empty.
    """
    file = Path(path)
    try:
        exists, regular = file.exists(), file.is_file()
    except OSError as error:
        # e.g. a name longer than the system allows: not a file one can name.
        reason = error.strerror or str(error)
        raise DataError(
            f"{file}: cannot be looked up ({reason}); expected an existing data file"
        ) from None
    if not exists:
        raise DataError(f"{file}: no such file; expected an existing data file")
    if not regular:
        raise DataError(f"{file}: not a regular file; expected a data file")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise DataError(f"{file}: cannot be read ({error})") from error
    if not data:
        raise DataError(f"{file}: empty file (0 bytes); expected a data file")
    return data, hashlib.sha256(data).hexdigest()
