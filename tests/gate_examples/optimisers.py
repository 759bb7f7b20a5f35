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


class RoundedSGD:
    """Momentum SGD whose update is rounded to 8 significant bits, like bfloat16.

    Equivariant in exact arithmetic; the rounding inside sits far above the
    parameters' precision, so its deviation cannot fall along the ladder. Runs
    on numpy float dtypes only (``frexp``); mpfr rungs are skipped.
    """

    def __init__(self, lr=0.02, momentum=0.5, bits=8):
        self.lr, self.momentum, self.bits = lr, momentum, bits

    def init(self, params):
        return {key: value * 0 for key, value in params.items()}

    def _round(self, x):
        mantissa, exponent = np.frexp(x)
        scale = 2.0**self.bits
        return np.ldexp(np.round(mantissa * scale) / scale, exponent).astype(x.dtype)

    def step(self, params, grads, state):
        velocity = {key: self.momentum * state[key] + grads[key] for key in params}
        new = {
            key: params[key] - self._round(self.lr * velocity[key]) for key in params
        }
        return new, velocity


class Adagrad:
    """Diagonal Adagrad with an initial accumulator: broken under rotations.

    A large initial accumulator makes the per-coordinate scaling nearly
    constant, so the break is weak (deviation about 1e-6) but real.
    """

    def __init__(self, lr=0.05, initial=1e6):
        self.lr, self.initial = lr, initial

    def init(self, params):
        return {key: value * 0 + self.initial for key, value in params.items()}

    def step(self, params, grads, state):
        acc = {key: state[key] + grads[key] * grads[key] for key in params}
        new = {
            key: params[key] - self.lr * grads[key] / acc[key] ** 0.5 for key in params
        }
        return new, acc


rounded_sgd = RoundedSGD()
weak_adagrad = Adagrad()
