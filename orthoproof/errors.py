"""The exceptions orthoproof raises.

Everything the suite raises on purpose derives from :class:`OrthoproofError`, so a
caller can catch the suite's complaints without catching its bugs.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DataError", "InvalidArgument", "OrthoproofError", "Uncertain"]


class OrthoproofError(Exception):
    """Root of every error orthoproof raises deliberately."""


class InvalidArgument(OrthoproofError, ValueError):
    """An argument is outside what the function accepts.

    The message names the argument, shows the offending value and its type, and
    says what would have been valid.
    """

    @classmethod
    def of(cls, name: str, value: Any, valid: str) -> InvalidArgument:
        """Build the standard message: ``name=value (type): expected valid``."""
        return cls(f"{name}={value!r} ({type(value).__name__}): expected {valid}")


class DataError(OrthoproofError, ValueError):
    """An input file or matrix cannot be used: truncated, malformed, NaN, ..."""


class Uncertain(OrthoproofError):
    """Ball arithmetic could not decide a comparison (the ball straddles it).

    Raised instead of guessing; the caller turns it into an ``undecided`` verdict.
    """
