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
