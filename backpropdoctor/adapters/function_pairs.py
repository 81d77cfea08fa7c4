"""cs231n's layers.py: function pairs `P_forward(x, ...) -> (out, cache)` / `P_backward(dout, cache)`.

Such a file has no network to run: each pair is checked on its own, with
random inputs of a shape the forward accepts and a random upstream
gradient (see `layerwise`). A `P_loss(x, y) -> (loss, dx)` is checked the
same way, with integer labels. The pairs of other styles (deeplearning.ai's
`linear_forward`/`linear_backward`, `sigmoid`/`sigmoid_backward`) are found
by the same code.
"""

from __future__ import annotations

import inspect
import types
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..numerics.layerwise import BATCH, WIDTH, argument_shapes
from .base import LayerUnit, LoadedModel, UserCodeError, call_user

NAME = "function-pairs"
SUFFIXES = ("_forward", "")  # P_forward or plain P, paired with P_backward


def _own_functions(module: types.ModuleType) -> dict[str, Callable]:
    """Functions defined in the user's file itself (not imported)."""
    target = str(Path(module.__file__).resolve()) if getattr(module, "__file__", None) else None
    return {name: fn for name, fn in vars(module).items()
            if isinstance(fn, types.FunctionType) and fn.__code__.co_filename == target}


def pairs(module: types.ModuleType) -> list[tuple[str, Callable, Callable]]:
    """(stem, forward, backward) for every P_backward with a P_forward (or P) beside it."""
    functions = _own_functions(module)
    found = []
    for name, backward in functions.items():
        if not name.endswith("_backward"):
            continue
        stem = name[: -len("_backward")]
        forward = next((functions[stem + s] for s in SUFFIXES if stem + s in functions), None)
        if forward is not None and _required(backward) == 2:
            found.append((stem, forward, backward))
    return found


def _losses(module: types.ModuleType) -> list[tuple[str, Callable]]:
    return [(name, fn) for name, fn in _own_functions(module).items()
            if name.endswith("_loss") and _required(fn) == 2]


def _required(fn: Callable) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return -1
    return sum(1 for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def matches(module: types.ModuleType) -> bool:
    return bool(pairs(module))


def _options(name: str) -> Any:
    """A `*_param` argument (cs231n's bn_param, conv_param): a dict, in training mode."""
    return {"mode": "train"}


def _output(value: Any) -> Any:
    return value[0] if isinstance(value, tuple) else value


def _finite(value: Any) -> bool:
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    except (TypeError, ValueError):
        return False


def pair_unit(stem: str, forward: Callable, backward: Callable, file: str,
              rng: np.random.Generator) -> LayerUnit | None:
    """A LayerUnit for one pair, with input shapes the forward accepts; None when none is found."""
    names = [p.name for p in inspect.signature(forward).parameters.values() if p.default is p.empty]
    arrays = [n for n in names if not n.endswith("param")]
    options = {n: _options(n) for n in names if n.endswith("param")}
    for shapes in argument_shapes(len(arrays)):
        inputs = {n: rng.standard_normal(s) for n, s in zip(arrays, shapes)}
        args = lambda inputs=inputs: [inputs[n] if n in inputs else options[n] for n in names]  # noqa: E731
        try:
            out = forward(*args())
        except Exception:  # noqa: BLE001 - a shape the forward rejects: try the next one
            continue
        if _finite(_output(out)) and np.ndim(_output(out)) > 0:
            break
    else:
        return None
    fname, bname = forward.__name__, backward.__name__

    def run_forward() -> Any:
        return _output(call_user(f"{fname}({', '.join(names)})", file, forward, *args()))

    def run_backward(dout: np.ndarray) -> dict[str, Any]:
        result = call_user(f"{fname}({', '.join(names)})", file, forward, *args())
        if not (isinstance(result, tuple) and len(result) == 2):
            raise UserCodeError("bad-return-type", f"{fname} returned {type(result).__name__}; the pair style "
                                "needs (out, cache)", file, forward.__code__.co_firstlineno)
        grads = call_user(f"{bname}(dout, cache)", file, backward, dout, result[1])
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) < len(arrays):
            raise UserCodeError("bad-return-type", f"{bname} returned {len(grads)} gradient(s) for "
                                f"{len(arrays)} input(s) of {fname} ({', '.join(arrays)})", file,
                                backward.__code__.co_firstlineno)
        return dict(zip(arrays, grads))

    mapping = {n: f"{bname}(dout, cache)[{i}]" for i, n in enumerate(arrays)}
    return LayerUnit(bname, file, backward.__code__.co_firstlineno, inputs, run_forward, run_backward, mapping)


def loss_unit(name: str, fn: Callable, file: str, rng: np.random.Generator) -> LayerUnit | None:
    """A LayerUnit for `P_loss(x, y) -> (loss, dx)`: integer labels, upstream gradient 1."""
    inputs = {"x": rng.standard_normal((BATCH, WIDTH))}
    labels = rng.integers(0, WIDTH, size=BATCH)
    try:
        result = fn(inputs["x"], labels)
    except Exception:  # noqa: BLE001 - not a loss of this shape
        return None
    if not (isinstance(result, tuple) and len(result) == 2 and np.shape(result[1]) == (BATCH, WIDTH)):
        return None

    def run(dout: Any) -> dict[str, Any]:
        loss, dx = call_user(f"{name}(x, y)", file, fn, inputs["x"], labels)
        return {"x": np.asarray(dx, dtype=np.float64) * dout}

    return LayerUnit(name, file, fn.__code__.co_firstlineno, inputs,
                     lambda: call_user(f"{name}(x, y)", file, fn, inputs["x"], labels)[0], run,
                     {"x": f"{name}(x, y)[1]"})


def units(module: types.ModuleType, file: str, seed: int = 0) -> tuple[list[LayerUnit], list[str]]:
    """Every pair and loss function of the module as a unit, and notes on those that could not be set up."""
    rng = np.random.default_rng(seed)
    found, notes = [], []
    for stem, forward, backward in pairs(module):
        unit = pair_unit(stem, forward, backward, file, rng)
        if unit is None:
            notes.append(f"{forward.__name__}/{backward.__name__}: no input shape tried (x {BATCH}x{WIDTH} with "
                         "affine or per-feature parameters) runs the forward, so this pair was not checked.")
        else:
            found.append(unit)
    for name, fn in _losses(module):
        unit = loss_unit(name, fn, file, rng)
        if unit is not None:
            found.append(unit)
    return found, notes


def load(module: types.ModuleType, file: str) -> LoadedModel:
    found, notes = units(module, file)
    mapping = {u.name: ", ".join(f"{k} -> {v}" for k, v in u.mapping.items()) for u in found}
    notes = ["No network to run: each layer function was checked alone, with random inputs and a random upstream "
             "gradient dout (its gradients must equal those of sum(forward(...) * dout))."] + notes
    return LoadedModel(NAME, file, {}, None, None, None, mapping=mapping, notes=notes, units=found)
