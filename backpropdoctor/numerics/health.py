"""Statistics behind the initialization, numerics and training-health rules.

Pure numerics: arrays in, numbers out. Every threshold is derived here from
the activation functions or the loss themselves (not tuned on deep models),
so the rule docs can say where each number comes from:

* saturation: a sigmoid or tanh unit is saturated where its derivative has
  fallen below `SATURATION_RATIO` (= sech(2)^2, about 7%) of its peak. Solving
  f'(z) = ratio * f'(0) on the functions gives |z| > 4 for sigmoid and
  |z| > 2 for tanh.
* "half the units": for normally distributed z of standard deviation s, half
  of |z| lies beyond `HALF_NORMAL_MEDIAN` * s (0.6745, the median of |N(0, 1)|).
  A weight gain (rms(W) * sqrt(fan_in), 1 under fan-in scaling) above
  z_sat / 0.6745 saturates half the units even for inputs of unit scale.
* exp range: exp(x) overflows above ln(largest float) and underflows to 0
  below ln(smallest subnormal).
* loss at init: the cross-entropy that logits of standard deviation
  `LOGIT_SCALE_LIMIT` would give on average (twice the largest logit scale a
  fan-in-scaled output layer gives).
* dead units: a zero-centred init kills at most half a ReLU layer (w and -w
  are equally likely), so more than half is no accident.
* collapse: no better than the best constant guess (the class frequencies),
  with outputs equal across the batch up to rounding.
* loss curves: a run is steady when the loss falls at every step, beyond
  rounding.

Everything works in rows layout (samples in rows), as numerics.reference does.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any, Sequence

import numpy as np

from .reference import ACTIVATIONS, _head_loss

SATURATION_RATIO = 1.0 / math.cosh(2.0) ** 2  # 0.0707: sigmoid'(4) / sigmoid'(0) = tanh'(2) / tanh'(0)
HALF_NORMAL_MEDIAN = 0.6744897501960817  # median of |N(0, 1)|
SATURATED_SHARE = 0.5  # a layer is saturated when at least half its (sample, unit) pre-activations are
DEAD_SHARE = 0.5  # a zero-centred init kills at most half the units of a layer on any batch (see dead_units)
ONE_SIGN_MIN_WEIGHTS = 10  # a zero-centred init gives one sign to n weights with probability 2**(1-n) <= 0.2%
LOGIT_SCALE_LIMIT = 4.0  # twice the ~2 a fan-in-scaled output layer on He-scaled ReLU features reaches
EXP_LIMITS = {  # (ln of the largest float, -ln of the smallest subnormal)
    "float64": (float(np.log(np.finfo(np.float64).max)), -float(np.log(np.nextafter(np.float64(0), np.float64(1))))),
    "float32": (float(np.log(np.finfo(np.float32).max)), -float(np.log(np.nextafter(np.float32(0), np.float32(1))))),
}


# --- activations --------------------------------------------------------------------------------


@cache
def saturation_point(activation: str) -> float | None:
    """|z| beyond which f'(z) < SATURATION_RATIO * f'(0); None if f' never drops that low (ReLU, identity)."""
    if activation not in ACTIVATIONS:
        return None
    deriv = ACTIVATIONS[activation][1]
    peak = float(deriv(np.array([0.0]))[0])
    far = float(deriv(np.array([50.0]))[0])
    if peak <= 0 or far >= SATURATION_RATIO * peak:
        return None
    lo, hi = 0.0, 50.0
    for _ in range(80):  # bisection: f' falls monotonically on z > 0 for sigmoid and tanh
        mid = 0.5 * (lo + hi)
        if float(deriv(np.array([mid]))[0]) > SATURATION_RATIO * peak:
            lo = mid
        else:
            hi = mid
    return round(0.5 * (lo + hi), 6)


def gain_limit(activation: str) -> float | None:
    """The weight gain at which half the units of a unit-scale-input layer sit past the saturation point."""
    point = saturation_point(activation)
    return None if point is None else point / HALF_NORMAL_MEDIAN


def saturated_share(activation: str, z: np.ndarray) -> float | None:
    """Share of (sample, unit) pre-activations past the saturation point."""
    point = saturation_point(activation)
    if point is None or z.size == 0:
        return None
    return float(np.mean(np.abs(z) > point))


def gain(weight_rows: np.ndarray) -> float:
    """rms(W) * sqrt(fan_in): 1 under 1/sqrt(fan_in) scaling, whatever the sign pattern."""
    fan_in = weight_rows.shape[0]
    return float(np.sqrt(np.mean(np.square(weight_rows))) * np.sqrt(fan_in))


def dead_units(z: np.ndarray) -> np.ndarray:
    """Units (columns) whose pre-activation is <= 0 for every sample: relu'(z) = 0 on the whole batch.

    With weights drawn symmetrically around 0, w and -w are equally likely,
    and if w is off for every sample then -w is on for every sample (unless
    all inputs are 0), so a zero-centred init leaves each unit dead with
    probability at most 1/2, whatever the inputs. More than half a layer
    dead is therefore not bad luck: a negative bias, shifted weights or a
    destructive step put it there.
    """
    return np.all(z <= 0, axis=0)


def identical_units(w_in: np.ndarray, bias: np.ndarray | None, w_out: np.ndarray | None) -> list[list[int]]:
    """Groups (of 2 or more) of hidden units with identical incoming weights, bias and outgoing weights.

    w_in: (fan_in, units), w_out: (units, next units), rows layout. Units equal in
    all three compute the same value and receive the same gradient, so no
    step can ever tell them apart. (Equal incoming weights alone are broken
    by different outgoing weights after one step.)
    """
    units = w_in.shape[1]
    keys: dict[bytes, list[int]] = {}
    for j in range(units):
        parts = [np.ascontiguousarray(w_in[:, j], dtype=np.float64)]
        if bias is not None:
            parts.append(np.asarray([bias[j]], dtype=np.float64))
        if w_out is not None:
            parts.append(np.ascontiguousarray(w_out[j, :], dtype=np.float64))
        key = np.concatenate(parts) + 0.0  # -0.0 and 0.0 are the same weight
        keys.setdefault(key.tobytes(), []).append(j)
    return [group for group in keys.values() if len(group) > 1]


def one_sign(weights: np.ndarray) -> int:
    """+1 if every weight is > 0, -1 if every one is < 0, else 0 (zeros count as neither).

    A layer filled with one constant is left to the symmetry check: its spread,
    not its sign, is what stops it learning.
    """
    if weights.size < ONE_SIGN_MIN_WEIGHTS or np.ptp(weights) == 0:
        return 0
    if np.all(weights > 0):
        return 1
    if np.all(weights < 0):
        return -1
    return 0


def input_scale_limit(first_activation: str | None) -> float:
    """Largest input rms for which a fan-in-scaled first layer keeps more than half its units unsaturated.

    Under 1/sqrt(fan_in) scaling z has the inputs' rms, so the limit is the
    gain limit of the first layer's activation; for one that never saturates
    (ReLU, identity) the sigmoid's value, the more lenient of the two.
    """
    limit = gain_limit(first_activation) if first_activation else None
    return limit if limit is not None else gain_limit("sigmoid")  # type: ignore[return-value]


def looks_like_pixels(X: np.ndarray) -> bool:
    """Integer-valued inputs in [0, 255] that go above 1: raw 8-bit pixel values."""
    finite = X[np.isfinite(X)]
    return bool(finite.size and np.all(finite == np.round(finite)) and finite.min() >= 0 and 1 < finite.max() <= 255)


# --- loss and outputs -----------------------------------------------------------------------------


@cache
def expected_cross_entropy(classes: int, sigma: float = LOGIT_SCALE_LIMIT) -> float:
    """Mean cross-entropy per sample for C logits drawn i.i.d. from N(0, sigma^2).

    classes == 1 means one sigmoid output (binary cross-entropy). A fixed
    seed keeps the value, and so every report, deterministic.
    """
    rng = np.random.default_rng(0)
    if classes == 1:
        z = rng.standard_normal(200_000) * sigma
        return float(np.mean(np.logaddexp(0.0, z)))
    z = rng.standard_normal((200_000 // classes + 1000, classes)) * sigma
    top = z.max(axis=1)
    lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
    return float(np.mean(lse - z[:, 0]))


def per_sample_loss(head: str, z: np.ndarray, targets: np.ndarray) -> float:
    """The head's loss averaged over samples (summed over outputs): independent of the user's 1/N or 1/C."""
    with np.errstate(all="ignore"):
        return _head_loss(head, z, targets) / max(targets.shape[0], 1)


def is_one_hot(targets: np.ndarray) -> bool:
    """Rows with a single 1 and zeros elsewhere."""
    if targets.ndim != 2 or targets.shape[1] < 2:
        return False
    return bool(np.all((targets == 0) | (targets == 1)) and np.all(targets.sum(axis=1) == 1))


def class_targets(targets: np.ndarray) -> np.ndarray | None:
    """Class index per sample, if the targets are classes: one-hot rows or one binary column."""
    if is_one_hot(targets):
        return targets.argmax(axis=1)
    if targets.ndim == 2 and targets.shape[1] == 1 and np.all((targets == 0) | (targets == 1)):
        return targets[:, 0].astype(int)
    return None


def predicted_classes(head: str, z: np.ndarray) -> np.ndarray:
    """argmax of the outputs; for one sigmoid output, p > 0.5 (z > 0)."""
    if z.shape[1] == 1:
        return (z[:, 0] > 0).astype(int)
    return z.argmax(axis=1)


def output_spread(z: np.ndarray) -> float:
    """How much the outputs vary from sample to sample: rms deviation from the batch mean.

    Logits are centred per sample first (softmax ignores a shift shared by a
    sample's logits). 0 means the output does not depend on the input at all.
    """
    if z.shape[1] > 1:
        z = z - z.mean(axis=1, keepdims=True)
    return float(np.sqrt(np.mean((z - z.mean(axis=0, keepdims=True)) ** 2)))


def input_independent(spread: float, rms: float, precision: str) -> bool:
    """The outputs are the same for every sample up to rounding (1000 ulps of the outputs' own scale)."""
    eps = float(np.finfo(np.float32 if precision == "float32" else np.float64).eps)
    return spread <= 1000 * eps * max(rms, 1.0)


def constant_guess_loss(head: str, targets: np.ndarray) -> float | None:
    """Per-sample loss of the best input-independent prediction: the batch's class frequencies.

    Cross-entropy: the entropy of the label distribution; squared error: the
    targets' variance. A network that does no better has learned nothing
    about its inputs.
    """
    pi = np.clip(targets.mean(axis=0), 0.0, 1.0)
    if head == "softmax-ce":
        nz = pi[pi > 0]
        return float(-np.sum(nz * np.log(nz)))
    if head == "sigmoid-bce":
        q = pi[(pi > 0) & (pi < 1)]
        return float(-np.sum(q * np.log(q) + (1 - q) * np.log(1 - q)))
    if head in ("sigmoid-mse", "softmax-mse", "linear-mse"):
        return float(np.sum(np.mean((targets - pi) ** 2, axis=0)))
    return None


def exp_range(z: np.ndarray, targets: np.ndarray, dtype: str) -> dict[str, float]:
    """How far the logits leave exp's range: the largest logit and the largest gap below a sample's max
    at a target class (exp of minus that gap is the target's probability, 0 past the underflow limit)."""
    over, under = EXP_LIMITS.get(dtype, EXP_LIMITS["float64"])
    with np.errstate(all="ignore"):
        top = z.max(axis=1)
        masked = np.where(targets > 0, z, np.inf)
        gap = top - masked.min(axis=1)
    gap = gap[np.isfinite(gap)]
    return {"max_logit": float(np.max(z)), "max_gap": float(gap.max()) if gap.size else 0.0,
            "overflow_at": over, "underflow_at": under}


# --- the training probe's loss curves ------------------------------------------------------------------


def curve_tolerance(precision: str) -> float:
    """Relative change a loss value can show from rounding alone, in the loss's precision."""
    return 1e-9 if precision == "float64" else 1e-5


def curve_trend(losses: Sequence[float | None], rel_tol: float) -> str:
    """'steady' (falls at every step), 'unsteady' (ends lower, rises on the way) or 'diverges'.

    A rise smaller than rel_tol * |loss| is rounding, not a rise.
    """
    values = [v for v in losses if v is not None]
    if len(values) < len(losses) or len(values) < 2 or not all(math.isfinite(v) for v in values):
        return "diverges"
    first, last = values[0], values[-1]
    noise = lambda v: rel_tol * max(abs(v), 1e-12)  # noqa: E731
    if last > first - noise(first):
        return "diverges"
    if any(b > a + noise(a) for a, b in zip(values, values[1:])):
        return "unsteady"
    return "steady"


def summarize_training(raw: dict[str, Any] | None, rel_tol: float) -> dict[str, Any] | None:
    """The child's loss curves with each run's trend and the step sizes that work (for the report)."""
    if not raw or not raw.get("runs"):
        return None
    runs = []
    for r in raw["runs"]:
        losses = [None if v is None or not math.isfinite(v) else float(v) for v in r.get("losses", [])]
        runs.append({**r, "losses": losses, "trend": "error" if r.get("error") else curve_trend(losses, rel_tol)})
    steady = [r for r in runs if r["trend"] == "steady"]
    return {
        "source": raw.get("source"), "steps": raw.get("steps"), "runs": runs,
        "stateful_update": bool(raw.get("stateful_update")), "initial": raw.get("initial") or {},
        "largest_steady_lr": max((r["lr"] for r in steady), default=None),
        "best_lr": min(steady, key=lambda r: (r["losses"][-1], -r["lr"]))["lr"] if steady else None,
    }
