"""Nielsen's `Network` ("Neural Networks and Deep Learning"): `weights`/`biases` lists and `backprop(x, y)`.

Samples are column vectors and `backprop` handles one sample, returning
`(nabla_b, nabla_w)`; the mini-batch gradient is the mean over samples,
as `update_mini_batch` uses it. The loss is the network's `cost.fn(a, y)`
(network2.py) or, with `cost_derivative(a, y) = a - y` (network.py), the
quadratic cost 1/2 ||a - y||^2 that derivative implies, averaged over the
batch. The instance is the one at module level, else the class is
instantiated with the sizes the file passes it (or small default sizes).
"""

from __future__ import annotations

import ast
import inspect
import types
from pathlib import Path
from typing import Any

import numpy as np

from ..numerics.layerwise import jittered
from . import batch as batches
from .base import LayerUnit, LoadedModel, UserCodeError, call_user, result_line, validate_params

NAME = "nielsen"
DEFAULT_SIZES = [4, 6, 3]


def _is_network_class(value: Any) -> bool:
    return isinstance(value, type) and callable(getattr(value, "backprop", None)) and callable(
        getattr(value, "feedforward", None))


def _is_network(value: Any) -> bool:
    return (not isinstance(value, type) and _is_network_class(type(value))
            and isinstance(getattr(value, "weights", None), list) and isinstance(getattr(value, "biases", None), list))


def matches(module: types.ModuleType) -> bool:
    return any(_is_network(v) or _is_network_class(v) and v.__module__ == module.__name__
               for v in vars(module).values())


def _sizes_in_source(file: str, class_name: str) -> list[int] | None:
    """The first `ClassName([a, b, c])` in the file (usually under `if __name__ == "__main__":`)."""
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.List)):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name != class_name:
            continue
        try:
            sizes = [int(ast.literal_eval(e)) for e in node.args[0].elts]
        except (ValueError, TypeError):
            continue
        if len(sizes) >= 2:
            return sizes
    return None


def _instance(module: types.ModuleType, file: str) -> tuple[Any, str, list[str]]:
    for name, value in vars(module).items():
        if _is_network(value):
            return value, name, []
    cls = next(v for v in vars(module).values() if _is_network_class(v) and v.__module__ == module.__name__)
    sizes = _sizes_in_source(file, cls.__name__)
    where = "the sizes your file passes it" if sizes else "small default sizes (no call with a list of sizes found)"
    sizes = sizes or DEFAULT_SIZES
    net = call_user(f"{cls.__name__}({sizes})", file, cls, list(sizes))
    note = (f"No {cls.__name__} instance at module level: backpropdoctor made one, {cls.__name__}({sizes}), "
            f"with {where}.")
    return net, f"{cls.__name__}({sizes})", [note]


def _column_data(module: types.ModuleType, n_in: int, n_out: int) -> tuple[list, str] | None:
    """Module-level (x, y) pairs of column vectors, as Nielsen's data loaders return them."""
    for name, value in vars(module).items():
        if name.startswith("_") or not isinstance(value, (list, tuple)) or not value:
            continue
        first = value[0]
        if (isinstance(first, tuple) and len(first) == 2 and np.shape(first[0]) == (n_in, 1)
                and np.shape(first[1]) == (n_out, 1)):
            return list(value[: batches.KEEP]), name
    return None


def load(module: types.ModuleType, file: str) -> LoadedModel:
    net, where, notes = _instance(module, file)
    n_layers = len(net.weights)
    if n_layers == 0 or len(net.biases) != n_layers:
        raise UserCodeError("protocol-mismatch", f"{where}.weights and .biases must be lists of one array per layer",
                            file)
    params: dict[str, np.ndarray] = {}
    for i in range(n_layers):
        params[f"weights[{i}]"], params[f"biases[{i}]"] = net.weights[i], net.biases[i]
    params = validate_params(params, where, file)
    n_in, n_out = net.weights[0].shape[1], net.weights[-1].shape[0]
    mapping = {"network": f"{where} ({type(net).__name__})"}
    for i in range(n_layers):
        mapping[f"weights[{i}]"] = f"backprop(x, y)[1][{i}] (nabla_w), mean over samples"
        mapping[f"biases[{i}]"] = f"backprop(x, y)[0][{i}] (nabla_b), mean over samples"

    data = _column_data(module, n_in, n_out)
    if data is not None:
        samples, mapping["batch"] = data
    else:
        rng = batches.rng()
        classes = rng.integers(0, n_out, size=batches.SYNTHETIC)
        targets = np.eye(n_out)[classes] if n_out > 1 else classes.reshape(-1, 1).astype(float)
        samples = [(rng.standard_normal((n_in, 1)), t.reshape(n_out, 1)) for t in targets]
        mapping["batch"] = "synthesised"
        labels = f"one-hot labels over {n_out} classes" if n_out > 1 else "0/1 labels"
        notes.append(batches.synthetic_note((n_in, len(samples)), labels, "no list of (x, y) column vectors") +
                     " (samples are column vectors, as backprop(x, y) takes them)")

    cost = getattr(net, "cost", None)
    cost_fn = getattr(cost, "fn", None)
    if callable(cost_fn):
        def sample_loss(a: Any, y: Any) -> Any:
            return call_user("cost.fn(a, y)", file, cost_fn, a, y)
        mapping["loss"] = f"{getattr(cost, '__name__', type(cost).__name__)}.fn(feedforward(x), y), mean over samples"
    else:
        def sample_loss(a: Any, y: Any) -> Any:
            return 0.5 * float(np.sum((np.asarray(a) - y) ** 2))
        mapping["loss"] = ("quadratic cost 1/2 ||feedforward(x) - y||^2 (implied by cost_derivative = a - y), "
                           "mean over samples")
        notes.append("No cost object: the loss is the quadratic cost 1/2 ||a - y||^2 per sample, averaged over the "
                     "batch, whose derivative is cost_derivative's output_activations - y.")
    mapping["gradients"] = "mean over samples of backprop(x, y) -> (nabla_b, nabla_w)"
    weight_keys = [f"weights[{i}]" for i in range(n_layers)]
    bias_keys = [f"biases[{i}]" for i in range(n_layers)]

    def bind() -> None:
        net.weights = [params[k] for k in weight_keys]
        net.biases = [params[k] for k in bias_keys]

    def loss() -> float:
        bind()
        return float(np.mean([float(np.asarray(sample_loss(call_user("feedforward(x)", file, net.feedforward, x), y))
                                    .reshape(())) for x, y in samples]))

    def gradients() -> dict[str, Any]:
        bind()
        total: dict[str, Any] = {k: 0.0 for k in params}
        for x, y in samples:
            result = call_user("backprop(x, y)", file, net.backprop, x, y)
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise UserCodeError("bad-return-type", f"backprop(x, y) returned {type(result).__name__}; it must "
                                    "return (nabla_b, nabla_w)", file, _line(net.backprop))
            nabla_b, nabla_w = result
            for k, g in zip(bias_keys, nabla_b):
                total[k] = total[k] + np.asarray(g, dtype=np.float64) / len(samples)
            for k, g in zip(weight_keys, nabla_w):
                total[k] = total[k] + np.asarray(g, dtype=np.float64) / len(samples)
        return total

    units = [] if callable(cost_fn) else _cost_derivative_unit(net, samples, file)
    X = np.hstack([np.asarray(x, dtype=np.float64) for x, _ in samples])
    y = np.hstack([np.asarray(t, dtype=np.float64) for _, t in samples])
    return LoadedModel(NAME, file, params, X, y, loss, gradients, mapping=mapping, notes=notes, units=units)


def _cost_derivative_unit(net: Any, samples: list, file: str) -> list[LayerUnit]:
    """cost_derivative(a, y) checked alone against the quadratic cost it stands for, on the first sample's output:
    a wrong sign or factor is then named in cost_derivative itself, not in backprop that calls it."""
    derivative = getattr(net, "cost_derivative", None)
    if not callable(derivative) or not samples:
        return []
    x, target = samples[0]
    try:
        output = np.array(call_user("feedforward(x)", file, net.feedforward, x), dtype=np.float64)
    except UserCodeError:
        return []
    tensors = {"input": jittered(output, np.random.default_rng(0))}

    def backward(dout: Any) -> dict[str, Any]:
        grad = call_user("cost_derivative(a, y)", file, derivative, tensors["input"], target)
        return {"input": np.asarray(grad, dtype=np.float64) * dout}

    return [LayerUnit("cost_derivative", file, result_line(derivative), tensors,
                      lambda: 0.5 * float(np.sum((tensors["input"] - target) ** 2)), backward,
                      {"input": "cost_derivative(a, y)"}, "derivative of the quadratic cost 1/2 ||a - y||^2")]


def _line(method: Any) -> int | None:
    try:
        return inspect.getsourcelines(method)[1]
    except (OSError, TypeError):
        return None
