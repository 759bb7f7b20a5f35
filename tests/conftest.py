"""Shared fixtures: every test leaves the number systems' precision as it found it."""

from __future__ import annotations

from collections.abc import Iterator

import flint
import gmpy2
import pytest

from orthoproof.fuzz.profiles import hypothesis_profile


@pytest.fixture(autouse=True)
def _restore_precision() -> Iterator[None]:
    """Restore gmpy2's current context and flint's working precision after each test."""
    saved_context = gmpy2.get_context().copy()
    saved_flint_prec = flint.ctx.prec
    try:
        yield
    finally:
        gmpy2.set_context(saved_context)
        flint.ctx.prec = saved_flint_prec


# Hypothesis settings come from ORTHOPROOF_HYPOTHESIS_PROFILE (dev, ci, thorough);
# the nox `tests` session selects the derandomised `ci` profile.
hypothesis_profile()
