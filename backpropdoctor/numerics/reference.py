"""A reference network that computes the user's loss: identified from numbers alone.

Given the parameter tensors (grouped into dense layers), the batch and the
user's loss as a black box, try each dense stack the usual ingredients can
build (hidden activation, output head) and keep the one whose loss equals
the user's, up to a constant factor c and an L2 term lambda * sum(W**2),
at several random parameter points. The winner gives the forward
intermediates (pre-activations z, activations a) and the exact gradient of
every layer, which the diagnosis compares the user's numbers against.

Everything is computed in "rows" layout (samples in rows, W of shape
(in, out)); samples in columns, and weights stored as (out, in), are
transposed in and out.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .structure import Layer


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _leaky(alpha: float):
    return (lambda z: np.where(z > 0, z, alpha * z), lambda z: np.where(z > 0, 1.0, alpha))


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "leaky_relu(0.01)": _leaky(0.01),
    "leaky_relu(0.1)": _leaky(0.1),
    "leaky_relu(0.2)": _leaky(0.2),
}

EPS = 1e-300


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _head_loss(head: str, z: np.ndarray, t: np.ndarray) -> float:
    """Per-batch loss, summed over samples (the fitted factor c takes care of means)."""
    if head == "softmax-ce":
        zs = z - z.max(axis=1, keepdims=True)
        logp = zs - np.log(np.exp(zs).sum(axis=1, keepdims=True))
        return float(-np.sum(t * logp))
    if head == "sigmoid-bce":
        # log(sigmoid(z)) = -logaddexp(0, -z), exact for large |z|
        return float(np.sum(t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z)))
    if head == "sigmoid-mse":
        return float(np.sum((_sigmoid(z) - t) ** 2))
    if head == "softmax-mse":
        return float(np.sum((_softmax(z) - t) ** 2))
    if head == "linear-mse":
        return float(np.sum((z - t) ** 2))
    raise ValueError(head)


def head_delta(head: str, z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """d(summed loss)/dz for each sample."""
    if head == "softmax-ce":
        s = _softmax(z)
        return s * t.sum(axis=1, keepdims=True) - t
    if head == "sigmoid-bce":
        return _sigmoid(z) - t
    if head == "sigmoid-mse":
        s = _sigmoid(z)
        return 2 * (s - t) * s * (1 - s)
    if head == "softmax-mse":
        s = _softmax(z)
        g = 2 * (s - t)
        return s * (g - np.sum(g * s, axis=1, keepdims=True))
    if head == "linear-mse":
        return 2 * (z - t)
    raise ValueError(head)


def head_output(head: str, z: np.ndarray) -> np.ndarray:
    if head.startswith("softmax"):
        return _softmax(z)
    if head.startswith("sigmoid"):
        return _sigmoid(z)
    return z


HEADS = ("softmax-ce", "sigmoid-bce", "sigmoid-mse", "softmax-mse", "linear-mse")


@dataclass
class Forward:
    inputs: np.ndarray  # (N, D), rows layout
    z: list[np.ndarray] = field(default_factory=list)  # pre-activation of each layer
    a: list[np.ndarray] = field(default_factory=list)  # activation of each layer (last: head output)


@dataclass
class Reference:
    """An identified dense network and the factors tying its loss to the user's."""

    layout: str  # "rows" | "columns"
    weights: list[str]
    biases: list[str | None]
    activations: list[str]  # one per hidden layer
    head: str
    scale: float  # user loss = scale * summed head loss + l2 * sum(W**2)
    l2: float
    targets: np.ndarray  # (N, C) rows layout
    residual: float = 0.0
    weights_out_in: bool | None = None  # weights stored (out, in); default: as samples in columns do
    folded: list[bool] | None = None  # per layer: bias stored as the weight's first input row/column

    def __post_init__(self):
        if self.weights_out_in is None:
            self.weights_out_in = self.layout == "columns"
        if self.folded is None:
            self.folded = [False] * len(self.weights)

    @property
    def batch_size(self) -> int:
        return int(self.targets.shape[0])

    def describe(self) -> str:
        acts = ", ".join(self.activations) or "none"
        orientation = "weights (out, in)" if self.weights_out_in else "weights (in, out)"
        return (f"{len(self.weights)} dense layers (samples in {self.layout}, {orientation}), "
                f"hidden {acts}, head {self.head}")

    def layers(self) -> list[Layer]:
        """The layers as the report counts them (from 1, at the input)."""
        return [Layer(i + 1, w, [b] if b else []) for i, (w, b) in enumerate(zip(self.weights, self.biases))]

    def to_dict(self) -> dict:
        return {"layout": self.layout, "weights_out_in": self.weights_out_in, "folded": self.folded,
                "weights": self.weights,
                "biases": self.biases,
                "activations": self.activations, "head": self.head, "scale": self.scale, "l2": self.l2,
                "residual": self.residual}

    @classmethod
    def from_dict(cls, d: dict, params, X, y) -> "Reference | None":
        """Rebuild from `to_dict` and the batch itself; None if they do not fit together."""
        try:
            ref = cls(str(d["layout"]), [str(w) for w in d["weights"]], [None if b is None else str(b) for b in d["biases"]],
                      [str(a) for a in d["activations"]], str(d["head"]), float(d["scale"]), float(d["l2"]),
                      np.zeros((0, 0)), float(d.get("residual", 0.0)), bool(d.get("weights_out_in")),
                      [bool(f) for f in d.get("folded") or [False] * len(d["weights"])])
        except (KeyError, TypeError, ValueError):
            return None
        known = ref.head in HEADS and all(a in ACTIVATIONS for a in ref.activations) and ref.layout in ("rows", "columns")
        names = set(ref.weights) | {b for b in ref.biases if b}
        if not known or not names <= set(params) or len(ref.activations) != len(ref.weights) - 1 \
                or len(ref.folded) != len(ref.weights):
            return None
        x_shape = np.shape(flat_samples(np.asarray(X)))
        if len(x_shape) != 2:
            return None
        batch = x_shape[0] if ref.layout == "rows" else x_shape[1]
        last = np.shape(params[ref.weights[-1]])
        outputs = 1 if len(last) == 1 else (last[0] if ref.weights_out_in else last[1])
        targets = targets_for(y, batch, outputs)
        if targets is None:
            return None
        ref.targets = targets
        return ref

    def _full(self, params, i: int) -> np.ndarray:
        """Layer i's stored weight as (inputs, outputs), folded bias row included."""
        w = np.asarray(params[self.weights[i]], dtype=np.float64)
        if w.ndim == 1:  # a single output unit's weights, stored as a vector
            return w.reshape(-1, 1)
        return w.T if self.weights_out_in else w

    def _w(self, params, i: int) -> np.ndarray:
        full = self._full(params, i)
        return full[1:] if self.folded[i] else full

    def _b(self, params, i: int, width: int) -> np.ndarray:
        if self.folded[i]:
            return self._full(params, i)[0]
        name = self.biases[i]
        return np.zeros(width) if name is None else np.asarray(params[name], dtype=np.float64).reshape(-1)

    def forward(self, params, X) -> Forward:
        inputs = flat_samples(np.asarray(X, dtype=np.float64))
        inputs = inputs if self.layout == "rows" else inputs.T
        fwd = Forward(inputs=inputs)
        h = inputs
        for i in range(len(self.weights)):
            w = self._w(params, i)
            z = h @ w + self._b(params, i, w.shape[1])
            fwd.z.append(z)
            h = ACTIVATIONS[self.activations[i]][0](z) if i < len(self.activations) else head_output(self.head, z)
            fwd.a.append(h)
        return fwd

    def loss(self, params, X) -> float:
        fwd = self.forward(params, X)
        reg = sum(float(np.sum(self._w(params, i) ** 2)) for i in range(len(self.weights)))
        return self.scale * _head_loss(self.head, fwd.z[-1], self.targets) + self.l2 * reg

    def output_delta(self, fwd: Forward) -> np.ndarray:
        """dL/dz of the output layer, per sample (rows), including the loss's factor c."""
        return self.scale * head_delta(self.head, fwd.z[-1], self.targets)

    def derivative(self, layer: int, fwd: Forward) -> np.ndarray:
        """f'(z) of hidden layer `layer` (0-based)."""
        return ACTIVATIONS[self.activations[layer]][1](fwd.z[layer])

    def to_user(self, name: str, rows_grad: np.ndarray, params) -> np.ndarray:
        """A rows-layout gradient in the shape of the user's parameter."""
        shape = np.shape(params[name])
        if name in self.weights and self.weights_out_in:
            rows_grad = rows_grad.T
        return np.asarray(rows_grad).reshape(shape)

    def gradients(self, params, X) -> dict[str, np.ndarray]:
        """The exact gradient of the user's loss, in the user's shapes."""
        fwd = self.forward(params, X)
        delta = self.output_delta(fwd)
        out: dict[str, np.ndarray] = {}
        for i in reversed(range(len(self.weights))):
            prev = fwd.inputs if i == 0 else fwd.a[i - 1]
            dw = prev.T @ delta + 2 * self.l2 * self._w(params, i)
            if self.folded[i]:
                dw = np.vstack([delta.sum(axis=0)[None, :], dw])
            out[self.weights[i]] = self.to_user(self.weights[i], dw, params)
            if self.biases[i] is not None:
                out[self.biases[i]] = self.to_user(self.biases[i], delta.sum(axis=0), params)
            if i > 0:
                delta = (delta @ self._w(params, i).T) * self.derivative(i - 1, fwd)
        return out


def targets_for(y, batch: int, outputs: int) -> np.ndarray | None:
    """y as an (N, C) array in rows layout: labels become one-hot."""
    t = np.asarray(y)
    if t.ndim == 1 and t.shape[0] == batch:
        if outputs > 1 and np.issubdtype(t.dtype, np.number) and np.all(t == np.round(t)) and t.min() >= 0 \
                and t.max() < outputs:
            return np.eye(outputs)[t.astype(int)]
        return t.reshape(batch, 1).astype(float) if outputs == 1 else None
    if t.ndim == 2:
        if t.shape == (batch, outputs):
            return t.astype(float)
        if t.shape == (outputs, batch):
            return t.T.astype(float)
    return None


def _layout(layers: list[Layer], shapes: dict[str, tuple[int, ...]], x_shape: tuple[int, ...]):
    """(samples in "rows" or "columns", weights stored (out, in)?), read from X and the first weight."""
    first = layers[0]
    if first.fan_in is None or len(x_shape) != 2:
        return None
    inputs = first.fan_in + (1 if first.folded else 0)
    out_in = first.out_in if first.out_in is not None else (
        shapes[first.weight][1] == inputs and shapes[first.weight][0] != inputs)
    if x_shape[1] == first.fan_in:
        return "rows", out_in
    if x_shape[0] == first.fan_in:
        return "columns", out_in
    return None


def _structures(layers: list[Layer], shapes: dict[str, tuple[int, ...]]):
    """The layer grouping from the shapes, then the readings shapes alone cannot rule out.

    A single-logit output weight stored as a vector (n,) looks exactly like
    a bias of the layer below; which one it is, the loss decides.
    """
    dense = [lay for lay in layers if lay.weight is not None]
    if dense and len(dense) == len(layers):
        yield dense
    if not dense:
        return
    width = dense[-1].fan_out or shapes[dense[-1].weight][-1]
    vectors = [n for lay in layers for n in lay.biases if shapes[n] == (width,)]
    singles = [n for lay in layers for n in lay.biases if int(np.prod(shapes[n])) == 1]
    for vector in vectors:
        rebuilt = [Layer(lay.index, lay.weight, [b for b in lay.biases if b != vector and b not in singles],
                         lay.fan_in, lay.fan_out) for lay in dense]
        rebuilt.append(Layer(len(rebuilt) + 1, vector, singles[:1], width, 1))
        yield rebuilt


def flat_samples(X: np.ndarray) -> np.ndarray:
    """Samples of more than one axis (images, (N, 1, features) rows) as rows, as an affine layer flattens them."""
    return X.reshape(len(X), -1) if X.ndim > 2 else X


def identify(params: dict[str, np.ndarray], layers: list[Layer], X, y, user_loss: Callable[[], float],
             rng: np.random.Generator, points: int = 6, tolerance: float = 1e-6) -> Reference | None:
    """The dense network whose loss matches the user's at several random points, if any."""
    shapes = {k: tuple(np.shape(v)) for k, v in params.items()}
    candidates = [d for d in _structures(layers, shapes)
                  if all(len(shapes[lay.weight]) in (1, 2) for lay in d) and all(len(lay.biases) <= 1 for lay in d)
                  and {n for lay in d for n in [lay.weight, *lay.biases]} == set(shapes)]
    if not candidates:
        return None

    saved = {k: v.copy() for k, v in params.items()}
    samples = []
    try:
        for k in range(points):
            if k:
                for name, arr in params.items():
                    spread = float(np.sqrt(np.mean(saved[name].astype(np.float64) ** 2))) or 0.1
                    np.copyto(arr, saved[name] + 0.1 * spread * rng.standard_normal(arr.shape), casting="unsafe")
            value = float(user_loss())
            if not np.isfinite(value):
                return None
            samples.append(({n: a.astype(np.float64, copy=True) for n, a in params.items()}, value))
    finally:
        for name, arr in params.items():
            np.copyto(arr, saved[name])

    for dense in candidates:
        ref = _search(dense, shapes, X, y, samples, tolerance)
        if ref is not None:
            return ref
    return None


def _search(dense: list[Layer], shapes, X, y, samples, tolerance: float) -> Reference | None:
    """Try every activation and head on one layer structure."""
    x_shape = tuple(np.shape(X))
    found = _layout(dense, shapes, x_shape)
    if found is None:
        return None
    layout, out_in = found
    batch = x_shape[0] if layout == "rows" else x_shape[1]
    targets = targets_for(y, batch, dense[-1].fan_out)
    if targets is None:
        return None
    weights = [lay.weight for lay in dense]
    biases = [lay.biases[0] if lay.biases else None for lay in dense]
    folded = [lay.folded for lay in dense]

    hidden = len(dense) - 1
    uniform = [(act,) * hidden for act in ACTIVATIONS]
    per_layer = list(itertools.product(ACTIVATIONS, repeat=hidden)) if 1 < hidden <= 3 else []
    best: Reference | None = None
    for acts in uniform + [a for a in per_layer if len(set(a)) > 1]:
        for head in HEADS:
            ref = Reference(layout, weights, biases, list(acts), head, 1.0, 0.0, targets, weights_out_in=out_in,
                            folded=folded)
            fit = _fit_factors(ref, samples, X)
            if fit is None:
                continue
            ref.scale, ref.l2, ref.residual = fit
            if ref.residual <= tolerance and (best is None or ref.residual < best.residual):
                best = ref
        if best is not None and best.residual <= tolerance * 1e-3:
            break
    return best


def _fit_factors(ref: Reference, samples, X) -> tuple[float, float, float] | None:
    """Least squares for (c, lambda) in user = c * head_loss + lambda * sum(W**2)."""
    rows = []
    for values, _ in samples:
        try:
            with np.errstate(all="ignore"):
                fwd_loss = _head_loss(ref.head, ref.forward(values, X).z[-1], ref.targets)
        except ValueError:  # shapes that do not chain under this reading
            return None
        if not np.isfinite(fwd_loss):
            return None
        reg = sum(float(np.sum(ref._w(values, i) ** 2)) for i in range(len(ref.weights)))
        rows.append((fwd_loss, reg))
    A = np.array(rows)
    b = np.array([v for _, v in samples])
    scale_only, *_ = np.linalg.lstsq(A[:, :1], b, rcond=None)
    resid_scale = np.linalg.norm(A[:, :1] @ scale_only - b) / max(np.linalg.norm(b), EPS)
    both, *_ = np.linalg.lstsq(A, b, rcond=None)
    resid_both = np.linalg.norm(A @ both - b) / max(np.linalg.norm(b), EPS)
    if resid_scale <= max(resid_both * 10, 1e-12):
        c, lam, resid = float(scale_only[0]), 0.0, float(resid_scale)
    else:
        c, lam, resid = float(both[0]), float(both[1]), float(resid_both)
    if c <= 0:
        return None
    return c, lam, resid
