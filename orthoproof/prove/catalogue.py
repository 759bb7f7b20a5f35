"""Which claims the prover and the exact checker accept, and their models.

A claim id is ``product-invariance`` or ``<kind>/<model>`` with ``<model>`` one
of ``plain``, ``glove`` or the broken twin ``glove+l1`` (GloVe plus
``λ‖A‖₁``). Both the symbolic prover and the exact checker build their models
here, so they examine the same object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orthoproof.errors import InvalidArgument
from orthoproof.models import GloveModel, L1Penalised, Model, PlainModel
from orthoproof.models_extra import L2Model, MaskedModel, WeightedModel

__all__ = [
    "BROKEN_CLAIMS",
    "EXTRA_CLAIMS",
    "MODELS",
    "MODEL_KINDS",
    "SYMBOLIC_CLAIMS",
    "TRUE_CLAIMS",
    "build_model",
    "parse_claim",
]

ModelFactory = Callable[[Any, Any], Model]

#: Claim kinds that take a model (``product-invariance`` takes none).
MODEL_KINDS = ("loss-invariance", "gradient-equivariance", "orbit-orthogonality")

#: Models by claim-id name; ``strength`` is λ of the L1 twin.
MODELS: dict[str, Callable[..., Model]] = {
    "plain": lambda w, t, strength=1: PlainModel(w, t),
    "glove": lambda w, t, strength=1: GloveModel(w, t),
    "glove+l1": lambda w, t, strength=1: L1Penalised(GloveModel(w, t), strength),
    "weighted": lambda w, t, strength=1: WeightedModel(w, t),
    "masked": lambda w, t, strength=1: MaskedModel(w, t),
    "l2": lambda w, t, strength=1: L2Model(w, t, strength),
}

#: Claims the mathematics says hold (DESIGN §1).
TRUE_CLAIMS: tuple[str, ...] = (
    "product-invariance",
    *(f"{kind}/{model}" for model in ("plain", "glove") for kind in MODEL_KINDS),
)

#: Broken twins: stated like the true claims, false because of the L1 penalty.
BROKEN_CLAIMS: tuple[str, ...] = (
    "loss-invariance/glove+l1",
    "gradient-equivariance/glove+l1",
)

#: Every id :func:`orthoproof.prove.prove_claim` and ``exact_check`` accept.
SYMBOLIC_CLAIMS: tuple[str, ...] = TRUE_CLAIMS + BROKEN_CLAIMS


#: Claims of :mod:`orthoproof.models_extra` that :func:`prove_claim` accepts.
#: Kept out of :data:`SYMBOLIC_CLAIMS`: ``exact_check``'s random weights are
#: not masks, and these are settled by :mod:`orthoproof.prove.extra` instead.
EXTRA_CLAIMS: tuple[str, ...] = tuple(
    f"{kind}/{model}" for model in ("weighted", "masked", "l2") for kind in MODEL_KINDS
)


def parse_claim(claim_id: str) -> tuple[str, str | None]:
    """Split a claim id into its kind and model name (``None`` for the product).

    >>> parse_claim("loss-invariance/glove")
    ('loss-invariance', 'glove')
    """
    if claim_id not in SYMBOLIC_CLAIMS + EXTRA_CLAIMS:
        raise InvalidArgument.of("claim_id", claim_id, f"one of {SYMBOLIC_CLAIMS}")
    if claim_id == "product-invariance":
        return claim_id, None
    kind, model = claim_id.split("/", 1)
    return kind, model


def build_model(name: str, weights: Any, target: Any, strength: Any = 1) -> Model:
    """The model a claim id names, on the given weights and target."""
    if name not in MODELS:
        raise InvalidArgument.of("model", name, f"one of {sorted(MODELS)}")
    return MODELS[name](weights, target, strength=strength)
