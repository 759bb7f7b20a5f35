"""High-precision trajectories, the precision-scaling classifier, ball certificates."""

from orthoproof.trajectory.certify import BallCertificate, certify_deviation
from orthoproof.trajectory.classify import Scaling, classify_scaling
from orthoproof.trajectory.evidence import trajectory_evidence
from orthoproof.trajectory.run import TrajectoryPair, run_pair

__all__ = [
    "BallCertificate",
    "Scaling",
    "TrajectoryPair",
    "certify_deviation",
    "classify_scaling",
    "run_pair",
    "trajectory_evidence",
]
