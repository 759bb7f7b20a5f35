"""The initialisers orthoproof knows, by the names used in claim ids."""

from __future__ import annotations

from orthoproof.errors import InvalidArgument
from orthoproof.inits.laws import (
    GensimUniform,
    GloveUniform,
    HaarOrthogonal,
    HeNormal,
    Initialiser,
    IsotropicGaussian,
    Word2vecC,
    Word2vecGrid,
    XavierNormal,
    XavierUniform,
    Zero,
)

__all__ = ["INITIALISERS", "initialiser_by_name"]

INITIALISERS: dict[str, Initialiser] = {
    init.name: init
    for init in (
        IsotropicGaussian(),
        XavierNormal(),
        HeNormal(),
        Zero(),
        HaarOrthogonal(),
        XavierUniform(),
        GensimUniform(),
        GloveUniform(),
        Word2vecGrid(),
        Word2vecC(),
    )
}


def initialiser_by_name(name: str) -> Initialiser:
    """The initialiser registered under ``name``."""
    if name not in INITIALISERS:
        raise InvalidArgument.of("init", name, f"one of {sorted(INITIALISERS)}")
    return INITIALISERS[name]
