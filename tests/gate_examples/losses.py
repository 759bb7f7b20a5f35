"""Example losses written as a user would write them (numpy, hidden dim first)."""

from __future__ import annotations

import numpy as np


def plain(A, B, X):
    """½‖AᵀB − X‖²: depends on the factors only through AᵀB."""
    r = A.T @ B - X
    return 0.5 * np.sum(r * r)


def plain_grad(A, B, X):
    g = A.T @ B - X
    return B @ g.T, A @ g


def l1(A, B, X):
    """Adds an L1 penalty: rotations change it, signed permutations do not."""
    return plain(A, B, X) + 0.1 * (np.sum(np.abs(A)) + np.sum(np.abs(B)))


def raises(A, B, X):
    raise RuntimeError("deliberate failure in user code")


def nan(A, B, X):
    return plain(A, B, X) * float("nan")
