"""Health probes that need the user's own code: run in the child, next to it.

Three short, deterministic experiments, each leaving every parameter as it
found it, bit for bit:

* `training`: a few steps from the initial parameters with the user's own
  `update` (on the user's gradient) or `train_step`, else plain gradient
  descent on the user's gradient, once per step size of a fixed grid.
* `softmax_shift`: the loss with every logit shifted by the same large
  amount (through the output bias). Softmax does not change under such a
  shift, so only an implementation that exponentiates unshifted logits
  notices.
* `rescue`: when the loss is already NaN or inf, find a scaled-down point
  where it is finite and identify the network there, so the parent can see
  whether the logits at the real point leave exp's range.

Only raw numbers go back; the parent (`rules/`) judges them.
"""

from __future__ import annotations

import copy
import random
from typing import Any, Callable

import numpy as np

from .adapters.base import UserCodeError
from .numerics.finite_diff import precision_for
from .numerics.health import curve_tolerance, curve_trend
from .numerics.reference import Reference

GRID = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001)  # half-decades: the usual range of plain-SGD step sizes
START = 0.1  # the search starts here and walks up while runs fall steadily, down until one does
STEPS = 10
BLOW_UP = 10.0  # a run stops once its loss exceeds the start by this many times the start's magnitude
SHIFT = 800.0  # > ln(largest float64) = 709.78 (88.72 for float32): exp of a shifted logit overflows
RESCUE_SCALES = tuple(0.5 ** k for k in range(1, 13))


def _seed() -> None:
    np.random.seed(0)
    random.seed(0)


def _reference(ref: dict[str, Any] | None, params, X, y) -> Reference | None:
    if not ref:
        return None
    try:
        return Reference.from_dict(ref, {k: np.asarray(v, dtype=np.float64) for k, v in params.items()},
                                   np.asarray(X, dtype=np.float64), y)
    except (TypeError, ValueError):
        return None


def _outputs(ref: Reference | None, params, X) -> dict[str, Any]:
    """Predicted class counts and the head's per-sample loss at the current parameters."""
    if ref is None:
        return {}
    from .numerics.health import output_spread, per_sample_loss, predicted_classes

    values = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    with np.errstate(all="ignore"):
        z = ref.forward(values, X).z[-1]
    if not np.all(np.isfinite(z)):
        return {}
    classes = predicted_classes(ref.head, z)
    width = max(z.shape[1], 2)
    return {"class_counts": np.bincount(classes, minlength=width).tolist(),
            "data_loss": per_sample_loss(ref.head, z, ref.targets), "output_spread": output_spread(z),
            "output_rms": float(np.sqrt(np.mean(z ** 2)))}


def _stepper(session) -> tuple[str, Callable[[float], None]] | None:
    """How one training step is taken: the user's update, their train_step, or gradient descent."""
    model = session.model
    if model.gradients is not None and model.update is not None:
        def step(lr: float) -> None:
            _, _, raw = session.gradients()
            model.update(raw, lr)
        return "update", step
    if model.train_step is not None:
        return "train_step", lambda lr: model.train_step(lr)
    if model.gradients is not None:
        buffers: dict[str, np.ndarray] = {}

        def descend(lr: float) -> None:
            grads, _, _ = session.gradients()
            for name, arr in model.params.items():
                buf = buffers.setdefault(name, np.empty(arr.shape, dtype=np.float64))
                np.multiply(grads[name], lr, out=buf)
                np.subtract(arr, buf, out=arr, casting="unsafe")
        return "gradient descent", descend
    return None


def _run(session, step: Callable[[float], None], lr: float, base_loss: float, ref: Reference | None) -> dict[str, Any]:
    """STEPS steps at one step size from the initial parameters; the parameters are restored after."""
    from .measure import _restore, _snapshot

    params = session.model.params
    snap = _snapshot(params)
    record: dict[str, Any] = {"lr": lr, "losses": [base_loss]}
    _seed()
    try:
        with np.errstate(all="ignore"):
            for t in range(STEPS):
                step(lr)
                if t == 0:
                    moved = sum(float(np.sum((np.asarray(params[n], dtype=np.float64) - saved.astype(np.float64)) ** 2))
                                for n, (_, saved) in snap.items())
                    record["first_step_norm"] = float(np.sqrt(moved))
                loss = session.loss()
                record["losses"].append(loss)
                if loss > base_loss + BLOW_UP * max(abs(base_loss), 1e-3):
                    break
        record.update(_outputs(ref, params, session.model.X))
    except UserCodeError as err:
        if err.kind == "non-finite":
            record["losses"].append(None)
        else:
            record["error"] = {"kind": err.kind, "message": err.message, "line": err.line}
    finally:
        _restore(params, snap)
    return record


def training(session, reference: dict[str, Any] | None, base_loss: float) -> dict[str, Any] | None:
    """Loss curves of short runs, with the predictions each run ends on.

    Step sizes are searched on GRID from START: upward while the loss falls at
    every step, downward until it does. Which run comes next only steers the
    measurement (the loss of a big model costs time); the parent re-derives
    every trend from the curves.
    """
    how = _stepper(session)
    if how is None:
        return None
    source, step = how
    model = session.model
    ref = _reference(reference, model.params, model.X, model.y)
    rel_tol = curve_tolerance(precision_for(session.loss_dtype, *(p.dtype for p in model.params.values())).name)

    def steady(run: dict[str, Any]) -> bool:
        return "error" not in run and curve_trend(run["losses"], rel_tol) == "steady"

    stateful = _stateful(session) if source == "update" else None
    start = GRID.index(START)
    runs = [_run(session, step, GRID[start], base_loss, ref)]
    order = range(start - 1, -1, -1) if steady(runs[0]) else range(start + 1, len(GRID))
    for i in order:
        runs.append(_run(session, step, GRID[i], base_loss, ref))
        if steady(runs[-1]) != steady(runs[0]) or "error" in runs[-1]:
            break
    runs.sort(key=lambda r: -r["lr"])
    return {"source": source, "steps": STEPS, "runs": runs, "stateful_update": stateful,
            "initial": _outputs(ref, model.params, model.X)}


def _stateful(session) -> bool | None:
    """Whether two update() calls with the same gradient, from the same parameters, move them differently
    (momentum, Adam): then each run continues from the state the one before left."""
    from .measure import _restore, _same_bits, _snapshot

    params = session.model.params
    snap = _snapshot(params)
    moved = []
    try:
        _, _, raw = session.gradients()
        for _ in range(2):
            session.model.update(copy.deepcopy(raw), START)
            moved.append({n: np.array(params[n], copy=True) for n in snap})
            _restore(params, snap)
    except UserCodeError:
        return None
    finally:
        _restore(params, snap)
    return not all(_same_bits(moved[0][n], moved[1][n]) for n in snap)


def softmax_shift(session, reference: dict[str, Any] | None) -> dict[str, Any] | None:
    """The user's loss with SHIFT added to every logit through the output bias (then undone)."""
    from .measure import _restore, _snapshot

    if not reference or not str(reference.get("head", "")).startswith("softmax"):
        return None
    bias = (reference.get("biases") or [None])[-1]
    if bias is None or bias not in session.model.params:
        return {"skipped": "no-output-bias"}
    params = session.model.params
    snap = _snapshot(params)
    record: dict[str, Any] = {"bias": bias, "shift": SHIFT}
    try:
        np.add(params[bias], SHIFT, out=params[bias], casting="unsafe")
        with np.errstate(all="ignore"):
            record["loss"] = session.loss()
    except UserCodeError as err:
        record["loss"] = None
        if err.kind != "non-finite":
            record["error"] = err.kind
    finally:
        _restore(params, snap)
    return record


def measure_health(session, reference: dict[str, Any] | None, base_loss: float) -> dict[str, Any]:
    """Everything the health rules need from the child, for a model whose loss is finite.

    The probes are extras: should one of them fail on an input nobody
    foresaw, the gradient check still stands (every probe restores the
    parameters in a `finally`), and the report says the probe could not run.
    """
    try:
        return {"training": training(session, reference, base_loss),
                "softmax_shift": softmax_shift(session, reference)}
    except Exception as exc:  # noqa: BLE001 - our own fault; the gradient check is unaffected
        return {"training": None, "softmax_shift": None, "error": f"{type(exc).__name__}: {exc}"}


def rescue(session, error: UserCodeError, rng: np.random.Generator,
           identify: Callable[[Any, np.random.Generator], dict[str, Any] | None]) -> dict[str, Any]:
    """The loss is NaN or inf: identify the network at a scaled-down point where it is finite."""
    from .measure import _restore, _snapshot

    params = session.model.params
    snap = _snapshot(params)
    record: dict[str, Any] = {"error": error.to_dict(),
                              "dtype": precision_for(*(p.dtype for p in params.values())).name}
    try:
        with np.errstate(all="ignore"):
            for scale in RESCUE_SCALES:
                for name, (arr, saved) in snap.items():
                    np.multiply(saved, scale, out=arr, casting="unsafe")
                try:
                    loss = session.loss()
                except UserCodeError as err:
                    if err.kind == "non-finite":
                        continue
                    break
                record.update({"scale": scale, "scaled_loss": loss, "reference": identify(session, rng)})
                break
    finally:
        _restore(params, snap)
    return record
