"""Explain a wrong gradient as a correct backward pass with a few steps swapped.

The backward pass of a dense stack is a chain of small steps, each at a
*site*: the output error ("output"), the activation derivative of each
hidden layer ("derivative"), each bias gradient ("bias") and each weight
gradient ("weight"). A *variant* replaces one step with a classic mistake
(the softmax Jacobian applied again, a derivative taken on the wrong
tensor, the last sample's bias gradient...). Rules declare their variants;
`explain` walks from the output to the input and, at each layer, keeps the
variant whose gradients match the user's, each tensor up to a constant
factor (a sign or a 1/N the signature rules then name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .reference import ACTIVATIONS, Forward, Reference

SITES = ("output", "derivative", "bias", "weight")


@dataclass
class Step:
    """What a variant sees at its site (all arrays in rows layout: samples in rows)."""

    ref: Reference
    fwd: Forward
    layer: int  # 0-based
    upstream: np.ndarray | None = None  # dL/da of this layer's activation (None: not elementwise, e.g. softmax-ce)
    delta: np.ndarray | None = None  # dL/dz of this layer, as the user's pass computed it
    prev: np.ndarray | None = None  # input activation of this layer

    @property
    def z(self) -> np.ndarray:
        return self.fwd.z[self.layer]

    @property
    def a(self) -> np.ndarray:
        return self.fwd.a[self.layer]

    @property
    def is_output(self) -> bool:
        return self.layer == len(self.ref.weights) - 1

    @property
    def activation(self) -> str:
        """The elementwise nonlinearity of this layer ('sigmoid' for a sigmoid head, 'softmax' for softmax)."""
        if not self.is_output:
            return self.ref.activations[self.layer]
        return self.ref.head.split("-")[0]

    def derivative_of(self, values: np.ndarray) -> np.ndarray | None:
        """f'(x) of this layer's activation, evaluated on any tensor x."""
        name = "sigmoid" if self.activation == "sigmoid" else self.activation
        if name not in ACTIVATIONS or name == "identity":
            return None
        return ACTIVATIONS[name][1](values)


@dataclass(frozen=True)
class Variant:
    """One classic mistake at one site; `compute` returns candidate replacements (may be empty)."""

    rule: str
    site: str
    name: str
    describe: str  # what the user's code does, e.g. "applies the softmax Jacobian on top of probs - targets"
    fix: str  # what to write instead
    compute: Callable[[Step], list[np.ndarray]]
    marker: Callable[[Step], list[np.ndarray]] | None = None  # first wrong intermediate, if not the result itself
    where: str = "first"  # "first": the line that computes it; "last-alias": the last line that hands it on


@dataclass
class Choice:
    site: str
    layer: int
    variant: Variant | None  # None: the correct step
    residual: float
    value: np.ndarray | None = None  # what the chosen step computes (rows layout)
    correct: np.ndarray | None = None  # what the correct step computes from the same inputs
    markers: list[np.ndarray] = field(default_factory=list)  # intermediates that first show the mistake


@dataclass
class Explanation:
    """Which step went wrong where, and each tensor's constant factor against that explanation."""

    choices: list[Choice] = field(default_factory=list)
    scales: dict[str, float] = field(default_factory=dict)
    residuals: dict[str, float] = field(default_factory=dict)
    explained: set[str] = field(default_factory=set)
    unexplained_from: int | None = None  # first layer (0-based, from the output down) nothing explained
    output_forms: list[np.ndarray] = field(default_factory=list)  # correct dL/dz and dL/da at the output
    deltas: dict[int, np.ndarray] = field(default_factory=dict)  # dL/dz per layer, as the user's pass has it
    upstreams: dict[int, np.ndarray] = field(default_factory=dict)  # dL/da per layer (None-free), ditto

    def bugs(self) -> list[Choice]:
        return [c for c in self.choices if c.variant is not None]

    def affected(self, choice: Choice, ref: Reference) -> list[str]:
        """Parameters whose gradient a wrong step corrupts: its layer and (except a bias or weight step) all below."""
        if choice.site == "bias":
            return [ref.biases[choice.layer]] if ref.biases[choice.layer] else []
        if choice.site == "weight":
            return [ref.weights[choice.layer]]
        names = []
        for i in range(choice.layer, -1, -1):
            names.append(ref.weights[i])
            if ref.biases[i]:
                names.append(ref.biases[i])
        return names


def _fit(user: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """(s, relative residual) for user = s * predicted."""
    u, p = user.ravel(), predicted.ravel()
    pp = float(np.dot(p, p))
    uu = float(np.linalg.norm(u))
    if pp == 0.0:
        return 0.0, (0.0 if uu == 0.0 else 1.0)
    s = float(np.dot(u, p)) / pp
    return s, float(np.linalg.norm(u - s * p)) / max(uu, abs(s) * np.sqrt(pp), 1e-300)


def output_upstream(ref: Reference, fwd: Forward) -> np.ndarray | None:
    """dL/da for the head's output activation, when the head is elementwise."""
    a, t, c = fwd.a[-1], ref.targets, ref.scale
    if ref.head in ("sigmoid-mse", "linear-mse", "softmax-mse"):
        return c * 2 * (a - t)
    if ref.head == "sigmoid-bce":
        with np.errstate(all="ignore"):
            return c * (-(t / a) + (1 - t) / (1 - a))
    return None


def explain(ref: Reference, params, X, user_grads: dict[str, np.ndarray], variants: list[Variant],
            tolerance: float) -> Explanation:
    """Walk the layers from the output down, choosing at each site the step that matches the user."""
    fwd = ref.forward(params, X)
    by_site = {site: [v for v in variants if v.site == site] for site in SITES}
    user = {name: _rows(ref, name, g) for name, g in user_grads.items()}
    out = Explanation()
    n = len(ref.weights)
    upstream = output_upstream(ref, fwd)
    correct_delta = ref.output_delta(fwd)
    out.output_forms = [correct_delta] + ([upstream] if upstream is not None else [])
    single_biases: list = []
    for i in reversed(range(n)):
        prev = fwd.inputs if i == 0 else fwd.a[i - 1]
        step = Step(ref, fwd, i, upstream=upstream, prev=prev)
        site = "output" if i == n - 1 else "derivative"
        correct = correct_delta if i == n - 1 else upstream * ref.derivative(i, fwd)
        candidates = [(None, correct)] + [(v, arr) for v in by_site[site] for arr in v.compute(step)]
        wname, bname = ref.weights[i], ref.biases[i]
        fitted = []
        for variant, delta in candidates:
            if delta is None or delta.shape != correct.shape or not np.all(np.isfinite(delta)):
                continue
            step.delta = delta
            # The L2 term as the loss has it; or missing, or doubled: a separate bug on this tensor
            # (regularization-gradient names it) must not hide the steps below it.
            # A square weight's gradient may also come back transposed (transposed-gradient names it).
            mine = user[wname]
            readings = [mine] + ([mine.T] if mine.ndim == 2 and mine.shape[0] == mine.shape[1] else [])
            for l2_factor, reading in [(f, r) for r in readings for f in ((1.0, 0.0, 2.0) if ref.l2 else (1.0,))]:
                choice, wscale, wres = _best(step, by_site["weight"], lambda st: st.prev.T @ st.delta,
                                             reading, tolerance, l2=2 * l2_factor * ref.l2 * ref._w(params, i))
                if wres <= tolerance:
                    break
            fitted.append((variant, delta, (choice, wscale), wres))
            if variant is None and wres <= tolerance:
                break
        best = _prefer(fitted, tolerance)
        variant, delta, (wchoice, wscale), wres = best
        if wres > tolerance:
            out.unexplained_from = i
            break
        step.delta = delta
        markers = variant.marker(step) if variant is not None and variant.marker is not None else []
        out.choices.append(Choice(site, i, variant, wres, value=delta, correct=correct, markers=markers))
        out.deltas[i] = delta
        if upstream is not None:
            out.upstreams[i] = upstream
        if wchoice is not None:
            out.choices.append(Choice("weight", i, wchoice, wres))
        out.scales[wname], out.residuals[wname] = wscale, wres
        out.explained.add(wname)
        if bname is not None:
            bchoice, bscale, bres = _best(step, by_site["bias"], lambda st: st.delta.sum(axis=0), user[bname], tolerance,
                                          prefer_scale=wscale)
            if bres <= tolerance:
                out.scales[bname], out.residuals[bname] = bscale, bres
                out.explained.add(bname)
                if bchoice is not None:
                    out.choices.append(Choice("bias", i, bchoice, bres))
                    if user[bname].size == 1:
                        single_biases.append((i, bname, step))
        if i > 0:
            upstream = delta @ ref._w(params, i).T
    _settle_single_biases(ref, out, single_biases, user, by_site["bias"], tolerance)
    return out


def _settle_single_biases(ref: Reference, out: Explanation, singles: list, user: dict, variants: list,
                          tolerance: float) -> None:
    """A one-element bias fits every step with some factor: when the plain step fits it with the factor
    the larger biases share (a stray 1/N on every bias), that reading wins over a named mistake."""
    varied = {c.layer for c in out.choices if c.site == "bias"}
    larger = [b for i, b in enumerate(ref.biases)
              if b and b in out.explained and user[b].size > 1 and i not in varied]
    shared = {round(out.scales[b], 6) for b in larger}
    if len(shared) != 1 or not singles:
        return
    factor = shared.pop()
    for i, name, step in singles:
        choice, scale, res = _best(step, variants, lambda st: st.delta.sum(axis=0), user[name], tolerance,
                                   prefer_scale=factor)
        if choice is None and res <= tolerance:
            out.scales[name], out.residuals[name] = scale, res
            out.choices = [c for c in out.choices if not (c.site == "bias" and c.layer == i)]


def _prefer(fitted: list, tolerance: float):
    """The correct step if it fits; else, of the steps that fit, the one whose factor is nearest 1.

    Some mistakes are proportional to each other (for ReLU, relu'(g) and
    relu'(g/c) differ by a constant): the one that leaves no stray factor
    is the simpler explanation.
    """
    good = [f for f in fitted if f[3] <= tolerance]
    if not good:
        return min(fitted, key=lambda f: f[3])
    if good[0][0] is None:
        return good[0]
    return min(good, key=lambda f: (abs(np.log(abs(f[2][1]))) if f[2][1] else np.inf, f[3]))


def _best(step: Step, variants: list[Variant], correct: Callable[[Step], np.ndarray], user: np.ndarray,
          tolerance: float, l2: np.ndarray | None = None, prefer_scale: float | None = None):
    """The step that fits the user's tensor: (variant or None, scale, residual).

    Among the steps that fit, the correct one wins; with `prefer_scale` (the
    factor of the layer's weight gradient), the one whose factor agrees with
    it wins instead, which settles tensors too small to tell steps apart.
    """
    extra = 0.0 if l2 is None else l2
    options = [(None, correct(step))] + [(v, arr) for v in variants for arr in v.compute(step)]
    fitted = []
    for variant, predicted in options:
        if predicted is None or predicted.size != user.size or not np.all(np.isfinite(predicted)):
            continue
        scale, res = _fit(user, predicted.reshape(user.shape) + extra)
        fitted.append((variant, scale, res))
    if not fitted:
        return None, 0.0, 1.0
    good = [f for f in fitted if f[2] <= tolerance]
    if not good:
        return min(fitted, key=lambda f: f[2])
    if prefer_scale:
        def distance(f):
            return abs(np.log(abs(f[1]) / abs(prefer_scale))) if f[1] and np.sign(f[1]) == np.sign(prefer_scale) else np.inf
        closest = min(good, key=distance)
        if distance(closest) < distance(good[0]) - 1e-6:
            return closest
    return good[0]


def _rows(ref: Reference, name: str, grad: np.ndarray) -> np.ndarray:
    g = np.asarray(grad, dtype=np.float64)
    if name in ref.weights:
        rows = g.reshape(-1, 1) if g.ndim == 1 else (g.T if ref.weights_out_in else g)
        return rows[1:] if ref.folded[ref.weights.index(name)] else rows  # the folded bias row is not dW
    return g.reshape(-1)

