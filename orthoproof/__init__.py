"""orthoproof: prove, fuzz and measure the rotation symmetry of factorisation models.

A loss that depends on a factor pair only through ``AᵀB`` cannot tell ``(A, B)``
from ``(PA, PB)`` for orthogonal ``P``; whether training keeps that symmetry
depends on the optimiser and the initialisation. orthoproof states each such
fact as a claim and settles it with evidence: symbolic proofs with re-checked
certificates, property-based fuzzing, and high-precision trajectories.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orthoproof")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
