"""Errors that belong to the code under check rather than to orthoproof."""

from __future__ import annotations

from orthoproof.errors import OrthoproofError

__all__ = ["UserCodeError"]


class UserCodeError(OrthoproofError):
    """The checked code raised, returned NaN, or returned the wrong shape.

    It is an input error (exit status 2), not a verdict: a loss that raises says
    nothing about symmetry, so no group can be called broken because of it.
    """
