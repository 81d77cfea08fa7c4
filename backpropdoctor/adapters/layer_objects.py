"""Layer objects with `forward(x)` / `backward(dout)`, in a list, a model object, or at module level.

Two families share this shape:

* gradient attributes: backward stores the gradient next to each parameter
  (`weights`/`dweights`, `W`/`dW`, a `params` dict with a `grads` dict), as
  in "Neural Networks from Scratch", Saito's "Deep Learning from Scratch"
  and joelnet;
* in-place updates: `backward(grad, learning_rate)` changes the weights
  itself and never exposes a gradient (many tutorials); the gradient is
  then read from the step it takes, as for the protocol's `train_step`.

The loss is a layer whose forward takes (x, y) (a softmax-with-loss
layer), an object with `loss`/`grad` methods, or a pair of functions
`f(a, b)` / `f_prime(a, b)`. This adapter drives the user's layers itself:
forward in order, the loss's gradient, then backward in reverse order,
reading each layer's returned gradient or its `dinputs`.
"""

from __future__ import annotations

import inspect
import types
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..numerics.layerwise import jittered
from . import batch as batches
from .base import LayerUnit, LoadedModel, UserCodeError, call_user, result_line
from .function_pairs import _required

NAME = "layer-objects"
GRADIENT_NAMES = ("d{}", "d_{}", "grad_{}", "{}_grad", "grad{}")
PRIME_NAMES = ("{}_prime", "{}_derivative", "{}_deriv", "{}_grad", "d{}", "d_{}")
FORWARD_NAMES = ("forward", "forward_propagation", "forward_prop", "forward_pass", "fprop")
BACKWARD_NAMES = ("backward", "backward_propagation", "backward_prop", "backward_pass", "bprop")
PREDICTION_WORDS = ("pred", "hat", "output", "activ", "out")
TARGET_WORDS = ("true", "target", "actual", "label")
UNIT_SAMPLES = 6  # samples of a batch a layer is checked on alone
PROBE_LR = 1e-3  # learning rate that reveals which arrays an in-place backward updates


def _method(obj: Any, names: tuple[str, ...], takes: tuple[int, ...]) -> Any:
    """The first of the names that is a method of obj taking that many arguments (the call shape decides)."""
    for name in names:
        method = getattr(obj, name, None)
        if inspect.ismethod(method):
            try:
                if _required(method) in takes:
                    return method
            except (TypeError, ValueError):
                continue
    return None


def _forward(layer: Any) -> Any:
    return _method(layer, FORWARD_NAMES, (1, 2))


def _backward(layer: Any) -> Any:
    return _method(layer, BACKWARD_NAMES, (0, 1, 2))


def is_layer(obj: Any) -> bool:
    """An instance with a forward and a backward method (`forward`/`backward`, `forward_propagation`/...)."""
    if isinstance(obj, (type, types.ModuleType, types.FunctionType)):
        return False
    return _forward(obj) is not None and _backward(obj) is not None


def _is_loss_layer(obj: Any) -> bool:
    return is_layer(obj) and _required(_forward(obj)) == 2


@dataclass
class Loss:
    """How the network's output becomes a loss, and the loss's gradient w.r.t. that output."""

    where: str
    label: str  # short name, for the layer-by-layer table
    kind: str  # what computes its gradient, for messages: "SoftmaxWithLoss.backward", "mse_prime"
    value: Callable[[Any, Any], Any]
    gradient: Callable[[Any, Any], Any]
    unit_line: int | None = None
    holder: Any = None  # the loss object, when the loss is one (its regularization_loss(layer) may be needed)


def _sequences(value: Any) -> list[tuple[str, Any]] | None:
    if isinstance(value, (list, tuple)) and value and all(is_layer(v) for v in value):
        return [(f"[{i}]", v) for i, v in enumerate(value)]
    if isinstance(value, dict) and value and all(is_layer(v) for v in value.values()):
        return [(f"[{k!r}]", v) for k, v in value.items()]
    return None


def find_layers(module: types.ModuleType) -> tuple[list[tuple[str, Any]], Any, str] | None:
    """(path, layer) in forward order, the object holding them (if any) and where they were found."""
    public = [(n, v) for n, v in vars(module).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)]
    for name, value in public:
        found = _sequences(value)
        if found:
            return [(name + p, v) for p, v in found], None, f"the list {name}"
    for name, value in public:  # a model object holding its layers (it may have forward/backward of its own)
        if isinstance(value, (type, types.FunctionType)) or not hasattr(value, "__dict__"):
            continue
        for attr, inner in vars(value).items():
            found = _sequences(inner)
            if found:
                return [(f"{name}.{attr}" + p, v) for p, v in found], value, f"{name}.{attr}"
        held = [(f"{name}.{attr}", v) for attr, v in vars(value).items() if is_layer(v)]
        if len([h for h in held if not _is_loss_layer(h[1])]) >= 2:  # self.fc1, self.relu, self.fc2, ...
            return held, value, f"the layers {name} holds"
    loose, seen = [], set()
    for n, v in public:  # a loop variable left over from training (`for layer in ...`) names a layer again
        if is_layer(v) and id(v) not in seen:
            loose.append((n, v))
            seen.add(id(v))
    if len(loose) >= 2:
        return loose, None, "the layer objects defined at module level"
    return None


def _split(layers: list[tuple[str, Any]]) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    plain = [(p, v) for p, v in layers if not _is_loss_layer(v)]
    return plain, [(p, v) for p, v in layers if _is_loss_layer(v)]


def _prediction_first(fn: Callable) -> bool:
    """Whether fn takes (prediction, target), read from its parameter names; else (target, prediction)."""
    names = [p.name.lower() for p in inspect.signature(fn).parameters.values()][:2]
    if len(names) < 2:
        return True
    if any(w in names[1] for w in PREDICTION_WORDS) or any(w in names[0] for w in TARGET_WORDS):
        return False
    return True


def _mean(value: Any) -> Any:
    arr = np.asarray(value)
    return arr.mean() if arr.ndim and arr.size > 1 else value


def find_loss(module: types.ModuleType, owner: Any, loss_layers: list[tuple[str, Any]], file: str) -> Loss | None:
    """The loss, from a loss layer, a loss object, or a function pair."""
    candidates = list(loss_layers)
    if owner is not None:
        candidates += [(f"{_name_of(module, owner)}.{a}", v) for a, v in vars(owner).items() if _is_loss_layer(v)]
    candidates += [(n, v) for n, v in vars(module).items() if not n.startswith("_") and _is_loss_layer(v)]
    if candidates:
        return _layer_loss(*candidates[-1], file)
    for name, value in [*vars(module).items(), *_default_arguments(module)]:
        if is_layer(value) or isinstance(value, (type, types.ModuleType)):
            continue
        loss_fn, grad_fn = getattr(value, "loss", None), getattr(value, "grad", None)
        if inspect.ismethod(loss_fn) and inspect.ismethod(grad_fn) and _required(loss_fn) == _required(grad_fn) == 2:
            found = _function_loss(f"{name}.loss", f"{name}.grad", loss_fn, grad_fn, file)
            found.holder = value
            return found
    held = _function_pair(vars(owner) if owner is not None else {}, f"{_name_of(module, owner)}.", file)
    return held or _function_pair(vars(module), "", file)


def _function_pair(namespace: dict[str, Any], prefix: str, file: str) -> Loss | None:
    """A loss function and its derivative, named f and f_prime (or set as a model's `loss`/`loss_prime`)."""
    for name, prime_name, fn, prime in derivative_pairs(namespace, 2):
        return _function_loss(prefix + name, prefix + prime_name, fn, prime, file)
    return None


def derivative_pairs(namespace: dict[str, Any], arguments: int) -> list[tuple[str, str, Callable, Callable]]:
    """(name, prime name, f, f_prime): functions named f and f_prime (f_derivative, df, ...) taking that many
    arguments."""
    functions = {n: v for n, v in namespace.items() if isinstance(v, types.FunctionType)}
    pairs = []
    for name, fn in functions.items():
        for pattern in PRIME_NAMES:
            prime = functions.get(pattern.format(name))
            if prime is not None and prime is not fn and _required(fn) == _required(prime) == arguments:
                pairs.append((name, pattern.format(name), fn, prime))
                break
    return pairs


def _default_arguments(module: types.ModuleType) -> list[tuple[str, Any]]:
    """Objects that exist only as default arguments of the module's functions (`def train(net, loss=MSE())`)."""
    found = []
    for name, fn in vars(module).items():
        if not isinstance(fn, types.FunctionType) or getattr(fn, "__module__", None) != module.__name__:
            continue
        params = [p for p in inspect.signature(fn).parameters.values() if p.default is not inspect.Parameter.empty]
        found += [(f"{name}({p.name}={type(p.default).__name__}())", p.default) for p in params]
    return found


def _name_of(module: types.ModuleType, obj: Any) -> str:
    return next((n for n, v in vars(module).items() if v is obj), type(obj).__name__)


def _function_loss(name: str, prime_name: str, fn: Callable, prime: Callable, file: str) -> Loss:
    first = _prediction_first(fn)
    order = (lambda out, y: (out, y)) if first else (lambda out, y: (y, out))
    args = "(prediction, target)" if first else "(target, prediction)"
    return Loss(f"{name}{args}, gradient {prime_name}{args}", prime_name, f"loss gradient {prime_name}",
                lambda out, y: _mean(call_user(f"{name}{args}", file, fn, *order(out, y))),
                lambda out, y: call_user(f"{prime_name}{args}", file, prime, *order(out, y)),
                result_line(prime))


def _layer_loss(path: str, layer: Any, file: str) -> Loss:
    needs = _required(_backward(layer))

    def value(out: Any, y: Any) -> Any:
        return _mean(call_user(f"{path}.forward(x, y)", file, _forward(layer), out, y))

    def gradient(out: Any, y: Any) -> Any:
        value(out, y)
        if needs == 0:
            result = call_user(f"{path}.backward()", file, _backward(layer))
        elif needs == 1:
            result = call_user(f"{path}.backward(1)", file, _backward(layer), 1.0)
        else:
            # "Neural Networks from Scratch": backward(dvalues, y_true), dvalues being what forward output
            dvalues = getattr(layer, "output", None)
            dvalues = out if dvalues is None else dvalues
            result = call_user(f"{path}.backward(dvalues, y)", file, _backward(layer), dvalues, y)
        return _returned_or_dinputs(result, layer, f"{path}.backward", file)

    return Loss(f"{path}.forward(x, y) ({type(layer).__name__})", path, f"{type(layer).__name__}.backward", value,
                gradient, _backward_line(layer), layer)


def _returned_or_dinputs(result: Any, layer: Any, what: str, file: str) -> Any:
    if result is not None:
        return result
    dinputs = getattr(layer, "dinputs", None)
    if dinputs is None:
        raise UserCodeError("protocol-mismatch", f"{what} returned None and set no .dinputs: backpropdoctor cannot "
                            "pass the gradient on to the layer before it", file, _backward_line(layer),
                            hint="Return the gradient of the layer's input (or store it in self.dinputs).")
    return dinputs


class Network:
    """The user's layers driven in order: forward, loss, backward."""

    def __init__(self, layers: list[tuple[str, Any]], loss: Loss | None, file: str):
        self.layers, self.loss, self.file = layers, loss, file
        self.in_place = any(_required(_backward(layer)) == 2 for _, layer in layers)

    def forward(self, x: Any, record: list | None = None) -> Any:
        for path, layer in self.layers:
            if record is not None:
                record.append(x)
            result = call_user(f"{path}.forward(x)", self.file, _forward(layer), x)
            x = result if result is not None else getattr(layer, "output", None)
            if x is None:
                raise UserCodeError("protocol-mismatch", f"{path}.forward returned None and set no .output", self.file,
                                    _forward(layer).__func__.__code__.co_firstlineno,
                                    hint="Return the layer's output (or store it in self.output).")
        return x

    def backward(self, grad: Any, lr: float | None = None) -> Any:
        for path, layer in reversed(self.layers):
            if _required(_backward(layer)) == 2:
                result = call_user(f"{path}.backward(grad, lr)", self.file, _backward(layer), grad, lr or 0.0)
            else:
                result = call_user(f"{path}.backward(grad)", self.file, _backward(layer), grad)
            grad = _returned_or_dinputs(result, layer, f"{path}.backward", self.file)
        return grad


def _float_arrays(layer: Any) -> dict[str, np.ndarray]:
    found = {a: v for a, v in vars(layer).items()
             if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating) and v.ndim in (1, 2)}
    params = getattr(layer, "params", None)
    if isinstance(params, dict):
        found.update({f"params[{k!r}]": v for k, v in params.items()
                      if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)})
    return found


def _get(layer: Any, attr: str) -> Any:
    if attr.startswith("params["):
        return layer.params[_key(attr)]
    return getattr(layer, attr, None)


def _key(attr: str) -> Any:
    import ast

    return ast.literal_eval(attr[attr.index("[") + 1: -1])


def _set(layer: Any, attr: str, value: np.ndarray) -> None:
    if attr.startswith("params["):
        layer.params[_key(attr)] = value
    else:
        setattr(layer, attr, value)


def _gradient_of(layer: Any, attr: str, shape: tuple[int, ...]) -> str | None:
    """The attribute (or grads entry) the backward filled with attr's gradient."""
    if attr.startswith("params["):
        grads = getattr(layer, "grads", None)
        key = _key(attr)
        return f"grads[{key!r}]" if isinstance(grads, dict) and isinstance(grads.get(key), np.ndarray) else None
    for pattern in GRADIENT_NAMES:
        name = pattern.format(attr)
        value = getattr(layer, name, None)
        if isinstance(value, np.ndarray) and value.size == int(np.prod(shape)):
            return name
    return None


def _read_gradient(layer: Any, grad_attr: str) -> np.ndarray:
    if grad_attr.startswith("grads["):
        return np.array(layer.grads[_key(grad_attr)], dtype=np.float64)
    return np.array(getattr(layer, grad_attr), dtype=np.float64)


@dataclass
class Param:
    key: str  # name in LoadedModel.params
    index: int  # which layer
    attr: str
    gradient: str | None  # attribute holding its gradient (None: in-place update)


def matches(module: types.ModuleType) -> bool:
    return find_layers(module) is not None


def _samples(X: Any, y: Any) -> list[tuple[Any, Any]]:
    """Per-sample column vectors (X of shape (N, features, 1)) or one batch."""
    X = np.asarray(X)
    if X.ndim == 3:
        return [(X[i], None if y is None else np.asarray(y)[i]) for i in range(X.shape[0])]
    return [(X, y)]


def _synthesise(net: Network, rng: np.random.Generator) -> tuple[Any, Any, str | None] | None:
    """A batch the layers accept: input width from the first weight, labels the loss accepts.

    Without a loss (or when no labels suit it) the labels are None; when
    the layers do not run end to end, X is what the first layer accepts, so
    each layer up to the break can still be checked alone.
    """
    first = next((v for _, layer in net.layers for v in _float_arrays(layer).values() if v.ndim == 2), None)
    if first is None:
        return None
    n = batches.SYNTHETIC
    shapes = []
    for shape in ((n, first.shape[0]), (n, first.shape[1]), (n, first.shape[1], 1), (n, first.shape[0], 1)):
        if shape not in shapes:
            shapes.append(shape)
    partial = None
    for shape in shapes:
        X = rng.standard_normal(shape)
        sample = X[0] if len(shape) == 3 else X
        try:
            out = np.asarray(net.forward(sample))
        except UserCodeError:
            if partial is None and _first_layer_accepts(net, sample):
                partial = (X, None, None)
            continue
        if not np.all(np.isfinite(out)) or out.ndim != 2:
            continue
        if net.loss is None:
            return X, None, None
        per_sample = len(shape) == 3
        width = out.shape[0] if per_sample else out.shape[1]
        for y, labels in batches.label_candidates(width, n, rng):
            if per_sample:
                y = y.reshape(n, width, 1) if y.ndim == 2 else y.reshape(n, 1, 1)
            try:
                value = float(np.mean([float(np.asarray(net.loss.value(net.forward(x), t)).reshape(()))
                                       for x, t in _samples(X, y)]))
            except (UserCodeError, TypeError, ValueError):
                continue
            if np.isfinite(value):
                return X, y, labels
        partial = partial or (X, None, None)
    return partial


def _first_layer_accepts(net: Network, x: Any) -> bool:
    path, layer = net.layers[0]
    try:
        call_user(f"{path}.forward(x)", net.file, _forward(layer), x)
    except UserCodeError:
        return False
    return True


def load(module: types.ModuleType, file: str) -> LoadedModel:
    found = find_layers(module)
    if found is None:
        raise UserCodeError("protocol-mismatch", "no layer objects with forward() and backward() found", file)
    layers, owner, where = found
    plain, loss_layers = _split(layers)
    net = Network(plain, find_loss(module, owner, loss_layers, file), file)
    mapping = {"layers": f"{where}: " + ", ".join(f"{p} ({type(v).__name__})" for p, v in plain)}
    notes: list[str] = []
    if net.loss is None:
        notes.append("No loss found (a layer whose forward takes (x, y), an object with loss/grad methods, or a "
                     "pair f / f_prime): only each layer was checked on its own.")
    data = batches.find(module, file)
    if data is not None:
        X, y, mapping["batch"], data_notes = data
        notes += data_notes
    else:
        made = _synthesise(net, batches.rng())
        X, y, labels = made if made is not None else (None, None, None)
        if made is None:
            notes.append("No data found and no input the layers accept could be made up: nothing could be checked.")
        elif labels is None:
            mapping["batch"] = "synthesised input"
            notes.append(f"No data found: each layer was checked on a made-up input of shape "
                         f"{'x'.join(map(str, np.shape(X)))} (standard normal)"
                         + ("." if net.loss is None else "; the layers do not run end to end on it, or no labels "
                            "suit the loss, so the whole network could not be checked."))
        else:
            mapping["batch"] = "synthesised"
            notes.append(batches.synthetic_note(np.shape(X), labels))
    samples = _samples(X, y) if X is not None else []
    params, inputs = _discover(net, samples[0] if samples else None, file)
    penalty = _regularization(net, params, file) if samples and y is not None else None
    if penalty is not None:
        data_loss, (total_penalty, where, _) = net.loss.value, penalty
        net.loss.value = lambda out, y: data_loss(out, y) + total_penalty()
        mapping["regularization"] = where
        notes.append(f"Your layers carry regularizers: the loss checked is the data loss plus {where}, as your "
                     "backward adds the regularizer's gradient (checked alone, a layer's backward is taken without "
                     "it: its gradient for a zero upstream gradient is subtracted).")
    units = _units(net, params, inputs, samples, file, penalty[2] if penalty else set())
    live = {p.key: _get(net.layers[p.index][1], p.attr) for p in params}
    for p in params:
        mapping[p.key] = (f"{net.layers[p.index][0]}.{p.gradient}" if p.gradient else
                          f"-(step of {net.layers[p.index][0]}.backward(grad, lr)) / lr")
    if not samples or not params or net.loss is None or y is None:
        if samples and not params:
            notes.append("No layer holds a parameter its backward updates or fills a gradient for: only each layer "
                         "was checked on its own.")
        return LoadedModel(NAME, file, {}, None, None, None, mapping=mapping, notes=notes, units=units)

    def bind() -> None:
        for p in params:
            layer = net.layers[p.index][1]
            if _get(layer, p.attr) is not live[p.key]:
                _set(layer, p.attr, live[p.key])

    def loss() -> float:
        bind()
        return float(np.mean([float(np.asarray(net.loss.value(net.forward(x), t)).reshape(())) for x, t in samples]))

    def gradients() -> dict[str, np.ndarray]:
        bind()
        total = {p.key: 0.0 for p in params}
        for x, t in samples:
            net.backward(net.loss.gradient(net.forward(x), t))
            for p in params:
                total[p.key] = total[p.key] + _read_gradient(net.layers[p.index][1], p.gradient) / len(samples)
        return total

    def train_step(lr: float) -> None:
        """One step on the batch: each sample's in-place step taken from the same point, then summed."""
        bind()
        start = {k: v.copy() for k, v in live.items()}
        total = {k: np.zeros(v.shape, dtype=np.float64) for k, v in live.items()}
        for x, t in samples:
            net.backward(net.loss.gradient(net.forward(x), t), lr / len(samples))
            bind_back()
            for k, v in live.items():
                total[k] += v - start[k]
                np.copyto(v, start[k])
        for k, v in live.items():
            np.copyto(v, start[k] + total[k], casting="unsafe")

    def bind_back() -> None:  # an update that rebinds (w = w - lr * g) is copied into the live arrays
        for p in params:
            current = _get(net.layers[p.index][1], p.attr)
            if current is not live[p.key]:
                np.copyto(live[p.key], current)
                _set(net.layers[p.index][1], p.attr, live[p.key])

    order = " -> ".join(path for path, _ in net.layers)
    per_sample = " per sample, averaged" if len(samples) > 1 else ""
    mapping["loss"] = f"{net.loss.where} after {order}{per_sample}"
    backward_order = " -> ".join(p for p, _ in reversed(net.layers))
    if net.in_place:
        mapping["train_step"] = f"backward(grad, lr) of {backward_order}{per_sample}"
    else:
        mapping["gradients"] = f"the loss's gradient, then backward() of {backward_order}{per_sample}"
    flat_X, flat_y = np.asarray(X), np.asarray(y)
    if flat_X.ndim == 3:
        flat_X, flat_y = flat_X.reshape(len(flat_X), -1), flat_y.reshape(len(flat_y), -1)
    if net.in_place:
        notes.append("Your layers update their weights inside backward(grad, lr): the gradient was read from the step "
                     "they take (gradient = -(params after - params before) / lr), with your parameters restored.")
        return LoadedModel(NAME, file, live, flat_X, flat_y, loss, train_step=train_step, mapping=mapping,
                           notes=notes, units=units)
    return LoadedModel(NAME, file, live, flat_X, flat_y, loss, gradients, mapping=mapping, notes=notes, units=units)


REGULARIZATION_NAMES = ("regularization_loss", "reg_loss", "regularization")


def _regularization(net: Network, params: list[Param], file: str
                    ) -> tuple[Callable[[], float], str, set[str]] | None:
    """The loss object's own penalty of each layer with parameters (NNFS: loss.regularization_loss(layer)),
    when it is non-zero for some layer: the loss the layers' backward differentiates includes it."""
    holder = net.loss.holder if net.loss is not None else None
    method = next((m for n in REGULARIZATION_NAMES for m in [getattr(holder, n, None)]
                   if inspect.ismethod(m) and _required(m) == 1), None)
    if method is None:
        return None
    paths = {net.layers[p.index][0]: net.layers[p.index][1] for p in params}
    counted = {}
    for path, layer in paths.items():
        try:
            value = float(np.asarray(call_user(f"{method.__name__}({path})", file, method, layer)).reshape(()))
        except (UserCodeError, TypeError, ValueError):
            continue
        if np.isfinite(value):
            counted[path] = layer
    if not counted:
        return None
    probe = sum(float(np.asarray(method(layer)).reshape(())) for layer in counted.values())
    if probe == 0.0:
        return None

    def total() -> float:
        return sum(float(np.asarray(call_user(f"{method.__name__}({path})", file, method, layer)).reshape(()))
                   for path, layer in counted.items())

    owner = net.loss.label if net.loss is not None else type(holder).__name__
    return total, f"{owner}.{method.__name__}(layer) of " + ", ".join(counted), set(counted)


def _discover(net: Network, sample: tuple[Any, Any] | None, file: str) -> tuple[list[Param], list[Any]]:
    """Every layer's parameters, found layer by layer on the inputs one forward pass gives each layer.

    The forward pass stops at the first layer that fails; the layers before
    it are still examined (and checked alone).
    """
    if sample is None:
        return [], []
    inputs: list[Any] = []
    try:
        net.forward(sample[0], inputs)
    except UserCodeError:
        inputs = inputs[:-1]  # the failing layer has no output to learn from
    rng = np.random.default_rng(0)
    params: list[Param] = []
    for i, x in enumerate(inputs):
        try:
            params += _layer_params(net.layers[i][0], i, net.layers[i][1], jittered(x, rng), rng, file)
        except UserCodeError:
            continue
    return params, inputs


def _layer_params(path: str, index: int, layer: Any, x: Any, rng: np.random.Generator, file: str) -> list[Param]:
    """A layer's parameters: arrays its backward fills a gradient for, or (in place) changes.

    Arrays the forward (re)assigns, and the layer's own input, are caches.
    """
    before = _float_arrays(layer)
    result = call_user(f"{path}.forward(x)", file, _forward(layer), x)
    out = result if result is not None else getattr(layer, "output", None)
    kept = {a: v for a, v in before.items() if _get(layer, a) is v and v is not x}
    in_place = _required(_backward(layer)) == 2
    saved = {a: (v, v.copy()) for a, v in kept.items()}
    dout = rng.standard_normal(np.shape(out))
    try:
        call_user(f"{path}.backward", file, _backward(layer), *((dout, PROBE_LR) if in_place else (dout,)))
        changed = [a for a, (v, copy) in saved.items()
                   if _get(layer, a) is not v or not np.array_equal(np.asarray(_get(layer, a)), copy)]
    finally:
        for a, (v, copy) in saved.items():
            np.copyto(v, copy)
            _set(layer, a, v)
    if in_place:
        return [Param(f"{path}.{a}", index, a, None) for a in changed]
    found = []
    for a, v in kept.items():
        gradient = _gradient_of(layer, a, v.shape)
        if gradient is not None:
            found.append(Param(f"{path}.{a}", index, a, gradient))
    return found


def _backward_line(layer: Any) -> int | None:
    return _backward(layer).__func__.__code__.co_firstlineno


def _units(net: Network, params: list[Param], inputs: list[Any], samples: list[tuple[Any, Any]],
           file: str, regularized: set[str] = frozenset()) -> list[LayerUnit]:
    """Each layer (and the loss) as a unit checked alone, on the input it saw in the network."""
    units = []
    sample = samples[0] if samples else None
    batch_mode = sample is not None and np.ndim(sample[0]) == 2 and len(sample[0]) > UNIT_SAMPLES
    for i, (path, layer) in enumerate(net.layers):
        if i >= len(inputs):
            break
        own = [p for p in params if p.index == i]
        tensors = {"input": _few(inputs[i], batch_mode)}
        tensors.update({p.attr: _get(layer, p.attr) for p in own})
        mapping = {"input": f"{path}.backward(dout)" + (" returned (or .dinputs)")}
        mapping.update({p.attr: f"{path}.{p.gradient}" if p.gradient else "-(step of backward(dout, lr)) / lr"
                        for p in own})
        forward, backward = _unit_calls(path, layer, own, tensors, file)
        if path in regularized:
            backward = _without_penalty(backward, [p.attr for p in own])
        units.append(LayerUnit(path, file, _backward_line(layer), tensors, forward, backward, mapping,
                               f"{type(layer).__name__}.{_backward(layer).__name__}"))
    units = _derivative_units(net, inputs, batch_mode, file) + units  # a helper at fault is named before its layer
    if net.loss is not None and sample is not None and len(inputs) == len(net.layers):
        try:
            unit = _loss_unit(net, net.loss, samples, batch_mode, file)
        except UserCodeError:
            return units
        units.append(unit)
    return units


def _derivative_units(net: Network, inputs: list[Any], batch_mode: bool, file: str) -> list[LayerUnit]:
    """An activation layer's own f / f_prime (joelnet's Activation(f, f_prime)) checked alone, elementwise, on the
    input the layer saw: a wrong derivative formula is then named in the helper that computes it."""
    units, seen = [], set()
    for i, (path, layer) in enumerate(net.layers[: len(inputs)]):
        for name, prime_name, fn, prime in derivative_pairs(vars(layer), 1):
            if id(prime) in seen:
                continue
            seen.add(id(prime))
            tensors = {"input": _few(inputs[i], batch_mode)}

            def forward(fn=fn, tensors=tensors) -> Any:
                return call_user(f"{fn.__name__}(x)", file, fn, tensors["input"])

            def backward(dout: Any, prime=prime, tensors=tensors) -> dict[str, Any]:
                derivative = call_user(f"{prime.__name__}(x)", file, prime, tensors["input"])
                return {"input": np.asarray(derivative, dtype=np.float64) * dout}

            units.append(LayerUnit(prime.__name__, file, result_line(prime), tensors, forward, backward,
                                   {"input": f"{path}.{prime_name}(x) * dout"},
                                   f"derivative of {fn.__name__}, used by {path}"))
    return units


def _without_penalty(backward: Callable, attrs: list[str]) -> Callable:
    """A regularized layer's backward minus what it gives for a zero upstream gradient: the penalty's gradient,
    which belongs to the whole loss, not to sum(output * dout)."""
    def data_part(dout: Any) -> dict[str, Any]:
        penalty = backward(np.zeros_like(np.asarray(dout, dtype=np.float64)))
        penalty = {a: np.array(penalty[a], dtype=np.float64, copy=True) for a in attrs}
        grads = backward(dout)
        return {**grads, **{a: np.asarray(grads[a], dtype=np.float64) - penalty[a] for a in attrs}}

    return data_part


def _loss_unit(net: Network, loss: Loss, samples: list[tuple[Any, Any]], batch_mode: bool, file: str) -> LayerUnit:
    """The loss checked alone: on the first samples' outputs together when the network takes one sample at a time,
    so a one-number output still gives a tensor large enough to show a sign or a scale."""
    mapping = {"input": "the loss's gradient"}
    if len(samples) > 1:
        chosen = samples[:UNIT_SAMPLES]
        stacked = {"input": _few(np.stack([np.asarray(net.forward(x), dtype=np.float64) for x, _ in chosen]), False)}
        targets = [t for _, t in chosen]

        def total() -> float:
            return sum(float(np.asarray(loss.value(out, t)).reshape(())) for out, t in zip(stacked["input"], targets))

        def gradient(dout: Any) -> dict[str, np.ndarray]:
            grads = [np.asarray(loss.gradient(out, t), dtype=np.float64) for out, t in zip(stacked["input"], targets)]
            return {"input": np.stack(grads) * dout}

        return LayerUnit(loss.label, file, loss.unit_line, stacked, total, gradient, mapping, loss.kind)
    out = net.forward(samples[0][0])
    target = samples[0][1]
    tensors = {"input": _few(out, batch_mode)}
    if batch_mode and np.ndim(target) and len(target) == len(out):
        target = target[: len(tensors["input"])]
    return LayerUnit(loss.label, file, loss.unit_line, tensors, lambda: loss.value(tensors["input"], target),
                     lambda dout: {"input": np.asarray(loss.gradient(tensors["input"], target),
                                                       dtype=np.float64) * dout},
                     mapping, loss.kind)


def _few(x: Any, batch_mode: bool) -> np.ndarray:
    """A layer's input as seen in the network, moved off exact kinks; of a batch in rows, its first few samples."""
    x = np.array(x, dtype=np.float64, copy=True)
    return jittered(x[:UNIT_SAMPLES] if batch_mode else x, np.random.default_rng(0))


def _unit_calls(name: str, layer: Any, own: list[Param], tensors: dict[str, np.ndarray], file: str):
    in_place = _required(_backward(layer)) == 2

    def forward() -> Any:
        result = call_user(f"{name}.forward(x)", file, _forward(layer), tensors["input"])
        return result if result is not None else getattr(layer, "output", None)

    def backward(dout: np.ndarray) -> dict[str, Any]:
        forward()
        if not in_place:
            result = call_user(f"{name}.backward(dout)", file, _backward(layer), dout)
            grads = {p.attr: _read_gradient(layer, p.gradient) for p in own}
            return {"input": _returned_or_dinputs(result, layer, f"{name}.backward", file), **grads}
        lr = 1e-6 if all(tensors[p.attr].dtype == np.float64 for p in own) else 1e-2
        saved = {p.attr: (tensors[p.attr], tensors[p.attr].copy()) for p in own}
        try:
            result = call_user(f"{name}.backward(dout, lr)", file, _backward(layer), dout, lr)
            grads = {a: -(np.asarray(_get(layer, a), dtype=np.float64) - copy.astype(np.float64)) / lr
                     for a, (_, copy) in saved.items()}
        finally:
            for a, (arr, copy) in saved.items():
                np.copyto(arr, copy)
                _set(layer, a, arr)
        return {"input": _returned_or_dinputs(result, layer, f"{name}.backward", file), **grads}

    return forward, backward
