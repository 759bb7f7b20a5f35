"""pytest plugin: symmetry assertions for a project's own losses and optimisers.

Loaded through the ``pytest11`` entry point ``orthoproof =
orthoproof.pytest_plugin`` once orthoproof is installed; importing it is cheap
(no torch, no user code). It offers

* :func:`assert_loss_invariant`, :func:`assert_optimiser_equivariant` and
  :func:`assert_optimiser_broken`, whose failure messages carry the group
  element, seed, shapes, dtypes, the first deviating step and the
  ``orthoproof check`` command that replays the failure;
* the fixture ``orthoproof_check``: the same helpers bound to the seed given
  by ``--orthoproof-seed`` (default 0), so a CI job can vary the seed without
  editing tests;
* the Hypothesis settings profile ``orthoproof-ci`` (derandomised, no
  database, no deadline), chosen with ``--hypothesis-profile=orthoproof-ci``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from orthoproof.gate import check_loss, check_optimiser
from orthoproof.gate.results import CheckReport

__all__ = [
    "CI_PROFILE",
    "SymmetryGate",
    "assert_loss_invariant",
    "assert_optimiser_broken",
    "assert_optimiser_equivariant",
]

#: Name of the Hypothesis profile registered for CI runs.
CI_PROFILE = "orthoproof-ci"

settings.register_profile(
    CI_PROFILE,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

__tracebackhide__ = True


def _fail_unless(report: CheckReport, wanted: str) -> CheckReport:
    __tracebackhide__ = True  # pytest shows the message, not this frame
    wrong = [g for g in report.groups if g.verdict != wanted]
    if wrong:
        details = "\n\n".join(
            report.failure_message(g.with_expectation(wanted)) for g in wrong
        )
        raise AssertionError(
            f"expected {wanted} under {', '.join(g.group for g in wrong)}\n{details}"
        )
    return report


def _groups(group: str | Sequence[str]) -> tuple[str, ...]:
    return (group,) if isinstance(group, str) else tuple(group)


def assert_loss_invariant(
    loss: Callable[..., Any],
    grad: Callable[..., Any] | None = None,
    *,
    group: str | Sequence[str] = "O",
    seed: int = 0,
    **kwargs: Any,
) -> CheckReport:
    """Fail unless the loss is invariant (and its gradient equivariant).

    Keyword arguments go to :func:`orthoproof.gate.check_loss` (``k``, ``m``,
    ``n``, ``data_keys``, ``target``, ...). Returns the report on success.
    """
    __tracebackhide__ = True
    report = check_loss(loss, grad, groups=_groups(group), seed=seed, **kwargs)
    return _fail_unless(report, "equivariant")


def assert_optimiser_equivariant(
    opt: Any,
    *,
    group: str | Sequence[str] = "O",
    options: Mapping[str, Any] | None = None,
    steps: int = 20,
    seed: int = 0,
    **kwargs: Any,
) -> CheckReport:
    """Fail unless ``opt`` is equivariant under every listed group."""
    __tracebackhide__ = True
    report = check_optimiser(
        opt, groups=_groups(group), options=options, steps=steps, seed=seed, **kwargs
    )
    return _fail_unless(report, "equivariant")


def assert_optimiser_broken(
    opt: Any,
    *,
    group: str | Sequence[str] = "O",
    options: Mapping[str, Any] | None = None,
    steps: int = 20,
    seed: int = 0,
    **kwargs: Any,
) -> CheckReport:
    """Fail unless ``opt`` measurably breaks every listed group.

    Use it to pin a privileged basis a project relies on (e.g. Adam's).
    """
    __tracebackhide__ = True
    report = check_optimiser(
        opt, groups=_groups(group), options=options, steps=steps, seed=seed, **kwargs
    )
    return _fail_unless(report, "broken")


class SymmetryGate:
    """The assertion helpers bound to one seed; what ``orthoproof_check`` gives.

    Parameters
    ----------
    seed
        Seed of the problem and the group elements, unless a call names one.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def loss_invariant(
        self,
        loss: Callable[..., Any],
        grad: Callable[..., Any] | None = None,
        **kw: Any,
    ) -> CheckReport:
        """:func:`assert_loss_invariant` with this gate's seed."""
        __tracebackhide__ = True
        return assert_loss_invariant(loss, grad, **{"seed": self.seed, **kw})

    def optimiser_equivariant(self, opt: Any, **kw: Any) -> CheckReport:
        """:func:`assert_optimiser_equivariant` with this gate's seed."""
        __tracebackhide__ = True
        return assert_optimiser_equivariant(opt, **{"seed": self.seed, **kw})

    def optimiser_broken(self, opt: Any, **kw: Any) -> CheckReport:
        """:func:`assert_optimiser_broken` with this gate's seed."""
        __tracebackhide__ = True
        return assert_optimiser_broken(opt, **{"seed": self.seed, **kw})


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--orthoproof-seed``."""
    parser.getgroup("orthoproof").addoption(
        "--orthoproof-seed",
        type=int,
        default=0,
        help="seed of the orthoproof_check fixture's problems and group elements",
    )


@pytest.fixture
def orthoproof_check(request: pytest.FixtureRequest) -> SymmetryGate:
    """Symmetry assertions seeded by ``--orthoproof-seed``."""
    return SymmetryGate(request.config.getoption("orthoproof_seed"))
