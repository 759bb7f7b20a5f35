"""Example optimisers with the gate's ``init``/``step`` protocol."""

from __future__ import annotations

import numpy as np


class SGD:
    """Plain gradient descent with heavy-ball momentum: equivariant under O(k)."""

    def __init__(self, lr=0.02, momentum=0.5):
        self.lr, self.momentum = lr, momentum

    def init(self, params):
        return {key: value * 0 for key, value in params.items()}

    def step(self, params, grads, state):
        velocity = {key: self.momentum * state[key] + grads[key] for key in params}
        new = {key: params[key] - self.lr * velocity[key] for key in params}
        return new, velocity


class SignSGD:
    """Steps along the elementwise sign: equivariant only under signed perms."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def init(self, params):
        return None

    def step(self, params, grads, state):
        return {
            key: params[key] - self.lr * np.sign(grads[key]) for key in params
        }, state


sgd = SGD()
sign_sgd = SignSGD()


class Muon:
    """Muon's update at the parameters' own precision (no bfloat16 cast).

    Nesterov momentum, then five quintic Newton–Schulz steps with the
    coefficients (3.4445, −4.7750, 2.0315) on the Frobenius-normalised update.
    A polynomial in XXᵀ times X, so equivariant under O(k) acting on the rows.
    """

    def __init__(self, lr=0.02, momentum=0.95, steps=5):
        self.lr, self.momentum, self.steps = lr, momentum, steps

    def init(self, params):
        return {key: value * 0 for key, value in params.items()}

    def _orthogonalise(self, u):
        a, b, c = 3.4445, -4.7750, 2.0315
        tall = u.shape[0] > u.shape[1]
        x = u.T if tall else u
        # Frobenius norm by sum of squares so mpfr object arrays work too.
        x = x / (np.sum(x * x) ** 0.5)
        for _ in range(self.steps):
            gram = x @ x.T
            x = a * x + (b * gram + c * (gram @ gram)) @ x
        return x.T if tall else x

    def step(self, params, grads, state):
        buf = {
            key: state[key] + (1 - self.momentum) * (grads[key] - state[key])
            for key in params
        }
        new = {}
        for key, value in params.items():
            update = grads[key] + self.momentum * (buf[key] - grads[key])
            scale = max(1.0, value.shape[0] / value.shape[1]) ** 0.5
            new[key] = value - self.lr * scale * self._orthogonalise(update)
        return new, buf


muon = Muon()
