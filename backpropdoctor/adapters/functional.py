"""The functional protocol: module-level params, loss, grads (or train_step), batch."""

from __future__ import annotations

import types
from typing import Any, Mapping

from .base import LoadedModel, UserCodeError, as_pair, call_user, validate_params

NAME = "functional"
NAMES = ("params", "init_params", "loss", "grads", "loss_and_grads", "train_step", "X", "y", "batch", "update")

EXPECTED = """\
params = {"W1": ..., "b1": ..., ...}      # or: def init_params(): return {...}
def loss(params, X, y): ...                # -> float
def grads(params, X, y): ...               # -> dict, same keys and shapes as params
    # or: def loss_and_grads(params, X, y) -> (float, dict)
    # or: def train_step(params, X, y, lr)  # updates params in place
X, y = ...                                 # or: def batch(): return X, y
def update(params, grads, lr): ...         # optional: your own update rule"""


def _callable(module: types.ModuleType, name: str):
    value = getattr(module, name, None)
    return value if callable(value) else None


def matches(module: types.ModuleType) -> bool:
    has_loss = _callable(module, "loss") or _callable(module, "loss_and_grads")
    has_params = isinstance(getattr(module, "params", None), Mapping) or _callable(module, "init_params")
    return bool(has_loss and has_params)


def missing(module: types.ModuleType) -> list[str]:
    """What of the functional protocol the module lacks, in the user's terms."""
    gaps = []
    if not (isinstance(getattr(module, "params", None), Mapping) or _callable(module, "init_params")):
        gaps.append("`params` (a dict of arrays) or `init_params()`")
    if not (_callable(module, "loss") or _callable(module, "loss_and_grads")):
        gaps.append("`loss(params, X, y)`")
    if not (_callable(module, "grads") or _callable(module, "loss_and_grads") or _callable(module, "train_step")):
        gaps.append("`grads(params, X, y)`, `loss_and_grads(params, X, y)` or `train_step(params, X, y, lr)`")
    if not (_callable(module, "batch") or (hasattr(module, "X") and hasattr(module, "y"))):
        gaps.append("`X` and `y`, or `batch()`")
    return gaps


def load_batch(module: types.ModuleType, file: str) -> tuple[Any, Any]:
    """The batch to check on: batch() or module-level X and y."""
    batch = _callable(module, "batch")
    if batch is not None:
        result = call_user("batch()", file, batch)
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise UserCodeError("bad-return-type", f"batch() returned {type(result).__name__}; it must return (X, y)", file)
        return result[0], result[1]
    if hasattr(module, "X") and hasattr(module, "y"):
        return module.X, module.y
    raise UserCodeError("protocol-mismatch", "no batch to check on: define module-level `X` and `y`, or `batch()`",
                        file, hint="X = np.random.default_rng(0).normal(size=(8, 4))\ny = np.array([0, 1, 2, 0, 1, 2, 0, 1])")


def load(module: types.ModuleType, file: str) -> LoadedModel:
    init = _callable(module, "init_params")
    if isinstance(getattr(module, "params", None), Mapping):
        params, where = module.params, "params"
    else:
        params, where = call_user("init_params()", file, init), "init_params()"
    params = validate_params(params, where, file)
    X, y = load_batch(module, file)
    gaps = missing(module)
    if gaps:
        raise UserCodeError("protocol-mismatch", "the file defines part of the protocol but lacks " + "; ".join(gaps),
                            file, hint=EXPECTED)

    loss_fn, grads_fn = _callable(module, "loss"), _callable(module, "grads")
    both_fn, step_fn = _callable(module, "loss_and_grads"), _callable(module, "train_step")
    update_fn = _callable(module, "update")
    mapping = {"params": where, "batch": "batch()" if _callable(module, "batch") else "X, y"}

    if loss_fn is not None:
        loss = lambda: call_user("loss(params, X, y)", file, loss_fn, params, X, y)  # noqa: E731
        mapping["loss"] = "loss(params, X, y)"
    else:
        loss = lambda: as_pair(call_user("loss_and_grads(params, X, y)", file, both_fn, params, X, y), "loss_and_grads", file)[0]  # noqa: E731
        mapping["loss"] = "loss_and_grads(params, X, y)[0]"

    gradients = None
    if grads_fn is not None:
        gradients = lambda: call_user("grads(params, X, y)", file, grads_fn, params, X, y)  # noqa: E731
        mapping["gradients"] = "grads(params, X, y)"
    elif both_fn is not None:
        gradients = lambda: as_pair(call_user("loss_and_grads(params, X, y)", file, both_fn, params, X, y), "loss_and_grads", file)[1]  # noqa: E731
        mapping["gradients"] = "loss_and_grads(params, X, y)[1]"

    train_step = None
    if step_fn is not None:
        train_step = lambda lr: call_user("train_step(params, X, y, lr)", file, step_fn, params, X, y, lr)  # noqa: E731
        mapping["train_step"] = "train_step(params, X, y, lr)"
    update = None
    if update_fn is not None:
        update = lambda g, lr: call_user("update(params, grads, lr)", file, update_fn, params, g, lr)  # noqa: E731
        mapping["update"] = "update(params, grads, lr)"
    return LoadedModel(NAME, file, params, X, y, loss, gradients, train_step, update, mapping)
