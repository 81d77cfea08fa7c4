"""The batch a style's network is checked on: the file's own, or a small synthesised one.

Course files name their data in a handful of conventional ways (X/y,
x_train/t_train, ...). When a file defines none (the data is loaded under
`if __name__ == "__main__":`), a small batch of the right shape is made up
and the report says so.
"""

from __future__ import annotations

import types
from typing import Any, Iterator

import numpy as np

from .base import UserCodeError, call_user

NAMES = (("X", "y"), ("X", "Y"), ("x", "y"), ("x", "t"), ("x_train", "y_train"), ("x_train", "t_train"),
         ("X_train", "y_train"), ("X_train", "Y_train"), ("train_X", "train_y"), ("train_x", "train_y"),
         ("inputs", "targets"))
KEEP = 16  # samples kept from a large data set: enough for a gradient check, fast to probe
LARGE = 64
SYNTHETIC = 8  # samples in a made-up batch
SEED = 0


def find(module: types.ModuleType, file: str, sample_axis: int = 0) -> tuple[Any, Any, str, list[str]] | None:
    """(X, y, where, notes): batch(), or module-level data under a conventional name; None if there is none."""
    batch = getattr(module, "batch", None)
    if callable(batch):
        result = call_user("batch()", file, batch)
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise UserCodeError("bad-return-type", f"batch() returned {type(result).__name__}; it must return (X, y)",
                                file)
        return _trim(result[0], result[1], "batch()", sample_axis)
    for x_name, y_name in NAMES:
        X, y = getattr(module, x_name, None), getattr(module, y_name, None)
        if _numeric(X) and _numeric(y):
            return _trim(np.asarray(X), np.asarray(y), f"{x_name}, {y_name}", sample_axis)
    for owner, namespace in _holders(module):  # data = {"X_train": ...}, solver.X_train
        for x_name, y_name in NAMES:
            X, y = namespace.get(x_name), namespace.get(y_name)
            if _numeric(X) and _numeric(y):
                where = (f"{owner}[{x_name!r}], {owner}[{y_name!r}]" if isinstance(getattr(module, owner), dict)
                         else f"{owner}.{x_name}, {owner}.{y_name}")
                return _trim(np.asarray(X), np.asarray(y), where, sample_axis)
    return None


def _holders(module: types.ModuleType) -> Iterator[tuple[str, dict[str, Any]]]:
    """Module-level dicts and objects, with what they hold by name: data kept in a dict or on a trainer."""
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, (type, types.ModuleType, types.FunctionType)):
            continue
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            yield name, value
        elif isinstance(getattr(value, "__dict__", None), dict):
            yield name, vars(value)


def _numeric(value: Any) -> bool:
    if isinstance(value, (str, bytes)) or value is None or callable(value):
        return False
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - not array-like
        return False
    return arr.dtype.kind in "biuf" and arr.size > 0


def _trim(X: Any, y: Any, where: str, axis: int) -> tuple[Any, Any, str, list[str]]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or X.shape[axis] <= LARGE:
        return X, y, where, []
    keep = [slice(None)] * X.ndim
    keep[axis] = slice(0, KEEP)
    y_keep = [slice(None)] * y.ndim
    if y.ndim:
        y_keep[min(axis, y.ndim - 1) if y.shape[min(axis, y.ndim - 1)] == X.shape[axis] else 0] = slice(0, KEEP)
    note = f"The data ({where}) has {X.shape[axis]} samples; the check uses the first {KEEP}."
    return X[tuple(keep)], y[tuple(y_keep)], where, [note]


def rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def label_candidates(outputs: np.ndarray, n: int, generator: np.random.Generator) -> Iterator[tuple[np.ndarray, str]]:
    """Targets for `n` samples whose network outputs have `outputs` columns, most common format first.

    One-hot rows suit cross-entropy and squared error alike; then integer
    class labels; a single output gets 0/1 labels shaped like the output.
    """
    classes = generator.integers(0, max(outputs, 2), size=n)
    if outputs == 1:
        yield classes.reshape(n, 1).astype(float), "0/1 labels"
        yield classes.astype(float), "0/1 labels"
        return
    yield np.eye(outputs)[classes], f"one-hot labels over {outputs} classes"
    yield classes, f"integer labels over {outputs} classes"


def synthetic_note(x_shape: tuple[int, ...], labels: str, why: str = "the file defines no batch") -> str:
    return (f"No data to check on ({why}): backpropdoctor made up a batch X of shape "
            f"{'x'.join(map(str, x_shape))} (standard normal) with random {labels}. Define X and y (or batch()) at "
            "module level to check on your own data.")
