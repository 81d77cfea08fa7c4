"""The course style: a module-level `model` with `.params` and `.loss(X, y) -> (loss, grads)`."""

from __future__ import annotations

import types
from typing import Mapping

from . import batch as batches
from . import function_pairs
from .base import LoadedModel, UserCodeError, as_pair, call_user, validate_params
from .functional import load_batch

NAME = "model-object"
NAMES = ("model", "X", "y", "batch")

EXPECTED = """\
class TwoLayerNet:
    def __init__(self): self.params = {"W1": ..., "b1": ..., ...}
    def loss(self, X, y): ...              # -> (loss, grads), grads keyed like params
model = TwoLayerNet()
X, y = ...                                 # or: def batch(): return X, y"""


def matches(module: types.ModuleType) -> bool:
    model = getattr(module, "model", None)
    return model is not None and isinstance(getattr(model, "params", None), Mapping) and callable(getattr(model, "loss", None))


def load(module: types.ModuleType, file: str) -> LoadedModel:
    model = module.model
    params = validate_params(model.params, "model.params", file)
    try:
        X, y = load_batch(module, file)
        where = "batch()" if callable(getattr(module, "batch", None)) else "X, y"
    except UserCodeError as err:  # data under a course's own names (X_train, data["X_train"], solver.X_train)
        found = batches.find(module, file)
        if found is None:
            raise err from None
        X, y, where, _ = found

    def both():
        return as_pair(call_user("model.loss(X, y)", file, model.loss, X, y), "model.loss(X, y)", file)

    mapping = {"params": "model.params", "loss": "model.loss(X, y)[0]", "gradients": "model.loss(X, y)[1]",
               "batch": where}
    units, notes = function_pairs.units(module, file)  # the course's layer functions, each also checked alone
    return LoadedModel(NAME, file, params, X, y, loss=lambda: both()[0], gradients=lambda: both()[1], mapping=mapping,
                       notes=notes, units=units)
