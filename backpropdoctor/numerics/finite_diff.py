"""Central differences that perturb the user's own arrays in place.

Everything here works on a loss closure and a live ndarray: no files, no
processes. Each probe displaces the array along one direction (a single
coordinate or a random unit direction), measures the loss on both sides and
restores the array bit for bit, so arrays that alias a user's object
attributes are left exactly as they were found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

LossFn = Callable[[], float]


@dataclass(frozen=True)
class Precision:
    """Step and tolerances suited to the dtype the loss is computed in."""

    name: str
    eps: float
    rel_tol: float
    kink_rel: float

    def step(self, scale: float) -> float:
        """Central-difference step: cbrt(eps) balances truncation against round-off."""
        return float(np.cbrt(self.eps)) * max(1.0, abs(scale))

    def noise_floor(self, loss_value: float, step: float) -> float:
        """Absolute error below which two derivatives cannot be told apart."""
        return 100.0 * self.eps * max(abs(loss_value), 1e-3) / step

    def error(self, analytic: float, numeric: float, loss_value: float, step: float) -> float:
        """Relative error, where a difference within the noise floor counts as agreement (error <= rel_tol)."""
        return relative_error(analytic, numeric, self.noise_floor(loss_value, step) / self.rel_tol)


FLOAT64 = Precision("float64", float(np.finfo(np.float64).eps), rel_tol=1e-5, kink_rel=1e-3)
FLOAT32 = Precision("float32", float(np.finfo(np.float32).eps), rel_tol=2e-2, kink_rel=0.1)


def precision_for(*dtypes: np.dtype) -> Precision:
    """The coarsest precision among the dtypes that take part in the loss."""
    if any(np.dtype(d).itemsize < 8 for d in dtypes if np.issubdtype(np.dtype(d), np.floating)):
        return FLOAT32
    return FLOAT64


@dataclass(frozen=True)
class Probe:
    """One finite-difference measurement of a directional derivative."""

    analytic: float
    numeric: float
    forward: float
    backward: float
    step: float
    kink: bool

    def to_list(self) -> list[float]:
        return [self.analytic, self.numeric, self.forward, self.backward, self.step, float(self.kink)]

    @classmethod
    def from_list(cls, values: list[float]) -> "Probe":
        a, n, f, b, s, k = values
        return cls(float(a), float(n), float(f), float(b), float(s), bool(k))


def relative_error(analytic: float, numeric: float, floor: float) -> float:
    """|a - n| / max(|a| + |n|, floor): two near-zero derivatives agree."""
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), floor)


class _Coordinate:
    """Moves a single element and puts the original value back exactly."""

    def __init__(self, array: np.ndarray, index: int, gradient: np.ndarray):
        self.array, self.index = array, index
        self.saved = array.flat[index]
        self.slope = float(gradient.flat[index])

    def move(self, t: float) -> tuple[float, float]:
        """Displace by t; return (distance actually moved, predicted loss change)."""
        self.array.flat[self.index] = self.saved + t
        moved = float(self.array.flat[self.index]) - float(self.saved)
        return moved, self.slope * moved

    def restore(self) -> None:
        self.array.flat[self.index] = self.saved


class _Direction:
    """Moves a whole array along a direction and puts it back exactly."""

    def __init__(self, array: np.ndarray, direction: np.ndarray, gradient: np.ndarray):
        self.array, self.direction, self.gradient = array, direction, gradient
        self.saved = array.copy()

    def move(self, t: float) -> tuple[float, float]:
        np.copyto(self.array, self.saved + t * self.direction, casting="unsafe")
        delta = self.array.astype(np.float64) - self.saved.astype(np.float64)
        moved = float(np.vdot(delta.ravel(), self.direction.ravel()))
        return moved, float(np.vdot(self.gradient.ravel(), delta.ravel()))

    def restore(self) -> None:
        np.copyto(self.array, self.saved)


def _one_sided(loss: LossFn, disp, t: float, base_loss: float):
    """Loss on both sides of the point, and the analytic slope over the same span."""
    try:
        h_up, predicted_up = disp.move(t)
        loss_up = loss()
        h_down, predicted_down = disp.move(-t)
        loss_down = loss()
    finally:
        disp.restore()
    span = h_up - h_down
    if span == 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    forward = (loss_up - base_loss) / h_up
    backward = (base_loss - loss_down) / -h_down
    numeric = (loss_up - loss_down) / span
    analytic = (predicted_up - predicted_down) / span
    return analytic, numeric, forward, backward, span / 2.0


def probe(
    loss: LossFn,
    array: np.ndarray,
    direction: np.ndarray | int,
    gradient: np.ndarray,
    base_loss: float,
    precision: Precision,
) -> Probe:
    """Directional derivative of the loss along `direction`, with kink detection.

    A mismatch whose one-sided differences disagree is retried with a step
    eight times smaller: a kink a little way off the point (ReLU, max, clip)
    drops out of the smaller interval and the retry is exact. If the sides
    still disagree and the analytic value lies between them, the point sits
    on the kink itself and the coordinate cannot be judged.
    """
    scale = float(np.max(np.abs(array))) if isinstance(direction, np.ndarray) else float(array.flat[int(direction)])
    t = precision.step(scale)
    result = _measure(loss, array, direction, gradient, base_loss, precision, t)
    if result.kink:
        retry = _measure(loss, array, direction, gradient, base_loss, precision, t / 8.0)
        if not retry.kink or _agrees(retry, base_loss, precision):
            return retry
        return _on_kink(retry, base_loss, precision)
    if not _agrees(result, base_loss, precision) and _near_miss(result, base_loss, precision):
        # A small disagreement that shrinks with the step is the difference quotient's own error
        # (curvature, or ReLU kinks crossed by a step large next to tiny weights); a bug does not shrink.
        for shrink in (8.0, 64.0):
            retry = _measure(loss, array, direction, gradient, base_loss, precision, t / shrink)
            if _agrees(retry, base_loss, precision):
                return retry
            if retry.kink:
                return _on_kink(retry, base_loss, precision)
    return result


NEAR_MISS = 0.05  # relative error below which a mismatch is re-measured with smaller steps


def _near_miss(p: Probe, base_loss: float, precision: Precision) -> bool:
    return precision.error(p.analytic, p.numeric, base_loss, p.step) < NEAR_MISS


def _on_kink(p: Probe, base_loss: float, precision: Precision) -> Probe:
    """At a kink, the analytic value is fine if it lies between the two one-sided slopes."""
    lo, hi = sorted((p.forward, p.backward))
    slack = precision.rel_tol * (abs(lo) + abs(hi)) + precision.noise_floor(base_loss, p.step)
    inside = lo - slack <= p.analytic <= hi + slack
    return Probe(p.analytic, p.numeric, p.forward, p.backward, p.step, inside)


def _agrees(p: Probe, base_loss: float, precision: Precision) -> bool:
    return precision.error(p.analytic, p.numeric, base_loss, p.step) <= precision.rel_tol


def _measure(loss, array, direction, gradient, base_loss, precision, t) -> Probe:
    if isinstance(direction, np.ndarray):
        disp = _Direction(array, direction, gradient)
    else:
        disp = _Coordinate(array, int(direction), gradient)
    analytic, numeric, forward, backward, step = _one_sided(loss, disp, t, base_loss)
    p = Probe(analytic, numeric, forward, backward, step, False)
    if _agrees(p, base_loss, precision):
        return p
    floor = precision.noise_floor(base_loss, step)
    sides_disagree = abs(forward - backward) > max(precision.kink_rel * (abs(forward) + abs(backward)), 2 * floor)
    return Probe(analytic, numeric, forward, backward, step, sides_disagree)


def directional_derivative(loss: LossFn, arrays: list[np.ndarray], steps: list[np.ndarray], precision: Precision) -> float:
    """Derivative of the loss along a joint step of several arrays (per unit of step).

    Used to tell whether an update moves downhill: the sign is what matters.
    """
    saved = [a.copy() for a in arrays]
    norm = float(np.sqrt(sum(float(np.vdot(s, s)) for s in steps)))
    if norm == 0.0:
        return 0.0
    scale = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    t = precision.step(scale) / norm
    try:
        for a, a0, s in zip(arrays, saved, steps):
            np.copyto(a, a0 + t * s, casting="unsafe")
        up = loss()
        for a, a0, s in zip(arrays, saved, steps):
            np.copyto(a, a0 - t * s, casting="unsafe")
        down = loss()
    finally:
        for a, a0 in zip(arrays, saved):
            np.copyto(a, a0)
    return (up - down) / (2.0 * t * norm)
