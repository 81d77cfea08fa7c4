"""The deeplearning.ai course style: a `parameters` dict W1, b1, ..., samples in columns.

`L_model_forward(X, parameters) -> (AL, caches)`, `compute_cost(AL, Y)` and
`L_model_backward(AL, Y, caches) -> grads` with `dW1, db1, ...` (or the
two-layer week's `forward_propagation` / `backward_propagation(parameters,
cache, X, Y)`). Arguments are passed by the course's own parameter names.
The parameters are the module's `parameters` dict, else what
`initialize_parameters*` returns for the layer sizes the file defines. The
helper pairs (`linear_forward`/`linear_backward`, `relu`/`relu_backward`,
...) are checked one by one as well.
"""

from __future__ import annotations

import ast
import inspect
import types
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from . import batch as batches
from . import function_pairs
from .base import LayerUnit, LoadedModel, UserCodeError, as_pair, call_user, validate_params

NAME = "deeplearning-ai"
FORWARD = ("L_model_forward", "forward_propagation", "forward_prop")
BACKWARD = ("L_model_backward", "backward_propagation", "backward_prop")
COST = ("compute_cost", "cost")
DEFAULT_DIMS = [4, 5, 1]


def _find(module: types.ModuleType, names: tuple[str, ...]) -> Callable | None:
    functions = function_pairs._own_functions(module)
    return next((functions[n] for n in names if n in functions), None)


def _initializer(module: types.ModuleType) -> Callable | None:
    functions = function_pairs._own_functions(module)
    found = [fn for name, fn in functions.items() if name.startswith("initialize_parameters")]
    return next((fn for fn in found if fn.__name__.endswith("deep")), found[0] if found else None)


def matches(module: types.ModuleType) -> bool:
    has_params = isinstance(getattr(module, "parameters", None), Mapping) or _initializer(module) is not None
    return bool(has_params and _find(module, FORWARD) and _find(module, BACKWARD) and _find(module, COST))


def _dims(module: types.ModuleType, file: str, init: Callable) -> tuple[list[int], str]:
    """Layer sizes: a call `initialize_parameters_deep([...])` or `(name)` in the file, else a module-level list."""
    lists = {n: v for n, v in vars(module).items()
             if isinstance(v, list) and len(v) >= 2 and all(isinstance(e, int) for e in v)}
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        tree = None
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == init.__name__ and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Name) and arg.id in lists:
                return lists[arg.id], arg.id
            try:
                value = ast.literal_eval(arg)
            except ValueError:
                continue
            if isinstance(value, list) and all(isinstance(e, int) for e in value):
                return value, "the sizes your file passes it"
    if lists:
        name, value = next(iter(lists.items()))
        return value, name
    return DEFAULT_DIMS, "small default sizes (none found in the file)"


def _parameters(module: types.ModuleType, file: str) -> tuple[dict, str, list[str]]:
    if isinstance(getattr(module, "parameters", None), Mapping):
        return module.parameters, "parameters", []
    init = _initializer(module)
    n_args = len([p for p in inspect.signature(init).parameters.values() if p.default is p.empty])
    dims, where = _dims(module, file, init)
    args = [dims] if n_args == 1 else dims[:n_args]
    text = f"{init.__name__}({', '.join(map(str, args))})"
    np.random.seed(1)  # the course seeds before initialising
    params = call_user(text, file, init, *args)
    return params, text, [f"No module-level `parameters`: backpropdoctor called {text}, with {where}."]


def _bind_args(fn: Callable, values: dict[str, Any]) -> list[Any]:
    """Arguments by the course's names: parameters, cache(s), X, Y, and the output activation A..."""
    args = []
    for p in inspect.signature(fn).parameters.values():
        if p.default is not p.empty:
            continue
        name = p.name.lower()
        if name.startswith("param"):
            args.append(values["parameters"])
        elif "cache" in name:
            args.append(values["caches"])
        elif name == "x":
            args.append(values["X"])
        elif name == "y":
            args.append(values["Y"])
        elif name.startswith("a"):
            args.append(values["AL"])
        else:
            raise UserCodeError("protocol-mismatch", f"{fn.__name__}: no course name matches its argument {p.name!r}",
                                fn.__code__.co_filename, fn.__code__.co_firstlineno)
    return args


def _signature(fn: Callable) -> str:
    return f"{fn.__name__}({', '.join(p for p in inspect.signature(fn).parameters)})"


def load(module: types.ModuleType, file: str) -> LoadedModel:
    forward, backward, cost = _find(module, FORWARD), _find(module, BACKWARD), _find(module, COST)
    raw, where, notes = _parameters(module, file)
    params = validate_params(raw, where, file)
    weights = sorted((k for k in params if k[:1] == "W" and k[1:].isdigit()), key=lambda k: int(k[1:]))
    if not weights:
        raise UserCodeError("protocol-mismatch", f"{where} has no W1, W2, ...: not the deeplearning.ai layout", file)

    def run(X: Any) -> tuple[Any, Any]:
        return as_pair(call_user(_signature(forward), file, forward, *_bind_args(forward, {
            "X": X, "parameters": params})), _signature(forward), file)

    def cost_of(X: Any, Y: Any) -> Any:
        AL, caches = run(X)
        return call_user(_signature(cost), file, cost, *_bind_args(cost, {"AL": AL, "Y": Y, "parameters": params,
                                                                         "caches": caches, "X": X}))

    data = batches.find(module, file, sample_axis=1)
    mapping = {"params": where}
    if data is not None:
        X, Y, mapping["batch"], data_notes = data
        notes += data_notes
    else:
        X, Y, labels = _synthesise(params, weights, cost_of)
        mapping["batch"] = "synthesised"
        notes.append(batches.synthetic_note(X.shape, labels) + " (samples in columns, as the course has them)")

    mapping["loss"] = f"{_signature(cost)} after {_signature(forward)}"
    mapping["gradients"] = _signature(backward)
    for k in params:
        mapping[k] = f"{backward.__name__}(...)['d{k}']"

    def loss() -> Any:
        return cost_of(X, Y)

    def gradients() -> Any:
        AL, caches = run(X)
        return call_user(_signature(backward), file, backward, *_bind_args(backward, {
            "AL": AL, "Y": Y, "caches": caches, "parameters": params, "X": X}))

    units, unit_notes = function_pairs.units(module, file)
    notes += unit_notes
    units = [_course_scaled(u) for u in units]
    return LoadedModel(NAME, file, params, X, Y, loss, gradients, mapping=mapping, notes=notes, units=units)


def _synthesise(params: dict, weights: list[str], cost_of: Callable) -> tuple[np.ndarray, np.ndarray, str]:
    """X of shape (n_x, m) from W1, labels shaped like AL, in the first format compute_cost accepts."""
    rng = batches.rng()
    m = batches.SYNTHETIC
    X = rng.standard_normal((params[weights[0]].shape[1], m))
    outputs = params[weights[-1]].shape[0]
    last_error: UserCodeError | None = None
    for y, labels in batches.label_candidates(outputs, m, rng):
        Y = y.reshape(1, m) if outputs == 1 else y.T if y.ndim == 2 else y.reshape(1, m)
        try:
            value = float(np.asarray(cost_of(X, Y)).reshape(()))
        except UserCodeError as err:
            last_error = err
            continue
        except (TypeError, ValueError):
            continue
        if np.isfinite(value):
            return X, Y, labels
    raise last_error or UserCodeError("protocol-mismatch", "no batch could be made up that the cost accepts", None)


def _course_scaled(unit: LayerUnit) -> LayerUnit:
    """The course's linear_backward returns dW, db of the batch mean (1/m inside), dA_prev of the sum.

    Its dW and db are multiplied by m (the columns of A_prev) before the
    check, so a correct course function passes and a missing or extra 1/m
    still shows.
    """
    keys = list(unit.inputs)
    if len(keys) < 2:
        return unit
    x_key, inner = keys[0], unit.backward

    def backward(dout: np.ndarray) -> dict[str, Any]:
        grads = inner(dout)
        m = unit.inputs[x_key].shape[-1]
        return {k: (g if k == x_key else np.asarray(g, dtype=np.float64) * m) for k, g in grads.items()}

    mapping = {k: (v if k == x_key else f"{v} x m (the course averages over the m samples there)")
               for k, v in unit.mapping.items()}
    return LayerUnit(unit.name, unit.file, unit.line, unit.inputs, unit.forward, backward, mapping, unit.kind)
