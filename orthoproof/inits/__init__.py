"""Initialisation laws and whether they prefer a basis.

Initialisers (:mod:`.laws`, registered in :mod:`.catalogue`) carry a sampler
and a statement of their law; :func:`init_claims` lists the
``init-invariance/<init>`` claims per group and :func:`init_evidence` settles
them with exact proofs or counterexamples (:mod:`.exact`) and a rotation test
on samples (:mod:`.statistical`).
"""

from __future__ import annotations

from orthoproof.inits.catalogue import INITIALISERS, initialiser_by_name
from orthoproof.inits.claims import EXPECTED, init_claims, init_evidence
from orthoproof.inits.elements import INIT_GROUPS, group_element
from orthoproof.inits.laws import Initialiser
from orthoproof.inits.word2vec import word2vec_matrix

__all__ = [
    "EXPECTED",
    "INITIALISERS",
    "INIT_GROUPS",
    "Initialiser",
    "group_element",
    "init_claims",
    "init_evidence",
    "initialiser_by_name",
    "word2vec_matrix",
]
