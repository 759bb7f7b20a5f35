"""Hypothesis settings profiles, chosen by an environment variable.

``dev``
    Quick local runs: few examples, the example database kept so that a
    failure found once is replayed first next time.
``ci``
    Reproducible runs: derandomised, no database, no deadline (shared runners
    have noisy clocks).
``thorough``
    Many more examples with fresh randomness, for an occasional deep search.

Set ``ORTHOPROOF_HYPOTHESIS_PROFILE`` to one of these names and call
:func:`hypothesis_profile` (a test suite's ``conftest.py`` is the place).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from orthoproof.errors import InvalidArgument

__all__ = ["DEFAULT_PROFILE", "ENV_VAR", "PROFILES", "hypothesis_profile"]

#: Environment variable that selects the profile.
ENV_VAR = "ORTHOPROOF_HYPOTHESIS_PROFILE"
#: Profile used when neither an argument nor the variable names one.
DEFAULT_PROFILE = "dev"
#: Names of the profiles :func:`hypothesis_profile` registers.
PROFILES = ("dev", "ci", "thorough")


def _register() -> None:
    # Generating exact rationals and arrays is slow by Hypothesis's standards;
    # that is the nature of the inputs, not a mistake worth failing over.
    slow = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile(
        "dev", max_examples=50, deadline=None, suppress_health_check=slow
    )
    settings.register_profile(
        "ci",
        max_examples=200,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=slow,
    )
    settings.register_profile(
        "thorough",
        max_examples=2000,
        database=None,
        deadline=None,
        suppress_health_check=slow,
    )


def hypothesis_profile(name: str | None = None) -> str:
    """Register the profiles and load one; return the name of the loaded profile.

    Parameters
    ----------
    name
        A profile of :data:`PROFILES`; by default the value of
        ``ORTHOPROOF_HYPOTHESIS_PROFILE``, else ``dev``.
    """
    _register()
    chosen = name if name is not None else os.environ.get(ENV_VAR, DEFAULT_PROFILE)
    if chosen not in PROFILES:
        source = "name" if name is not None else ENV_VAR
        raise InvalidArgument.of(source, chosen, f"one of {PROFILES}")
    settings.load_profile(chosen)
    return chosen
