"""What the health rules share: the network's layers as numbers, and when a rule may speak.

Not a rule (no RULE object): helpers for the rule modules of the "health"
category, all reading the same Context the other detectors read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..numerics.health import curve_tolerance, summarize_training
from .base import Context, ParamCheck

UNVERIFIED = "the gradient did not pass the check, and a wrong gradient explains any training trouble"
NOT_RECOGNISED = ("the network was not recognised as a dense stack whose loss matches yours, "
                  "so its activations and output head are unknown")


@dataclass
class DenseLayer:
    """One layer in rows layout (W: fan_in x units), as the health rules see it."""

    number: int  # counted from the input, as the report counts layers
    weight: str
    w: np.ndarray
    bias: str | None
    b: np.ndarray | None


def skip(ctx: Context, rule: str, reason: str) -> list:
    """Record that `rule` could not look, and why (diagnose turns this into a note); no findings."""
    names = ctx.skipped.setdefault(reason, [])
    if rule not in names:
        names.append(rule)
    return []


def params_of(ctx: Context) -> dict[str, np.ndarray]:
    return {k.split(":", 1)[1]: v for k, v in ctx.arrays.items() if k.startswith("param:")}


def dense_layers(ctx: Context) -> list[DenseLayer]:
    """Weights (and biases) of each dense layer, rows layout: from the identified network, else from shapes."""
    params = params_of(ctx)
    layers: list[DenseLayer] = []
    ref = ctx.reference
    if ref is not None:
        for i, name in enumerate(ref.weights):
            bias = ref.biases[i]
            layers.append(DenseLayer(ctx.layer_number(i), name, ref._w(params, i), bias,
                                     None if bias is None else np.asarray(params[bias], dtype=np.float64).reshape(-1)))
        return layers
    columns = _columns_layout(ctx)
    for lay in ctx.layers:
        if lay.weight is None or lay.weight not in params or params[lay.weight].ndim != 2:
            continue
        w = params[lay.weight]
        w = w.T if columns else w
        bias = lay.biases[0] if len(lay.biases) == 1 and params[lay.biases[0]].size == w.shape[1] else None
        layers.append(DenseLayer(lay.index, lay.weight, w, bias,
                                 None if bias is None else params[bias].reshape(-1)))
    return layers


def _columns_layout(ctx: Context) -> bool:
    """Samples in columns: the first weight's second side is the input width (and the first is not)."""
    first = next((lay for lay in ctx.layers if lay.weight is not None), None)
    params = params_of(ctx)
    if first is None or first.fan_in is None or first.weight not in params:
        return False
    shape = params[first.weight].shape
    if shape[0] != shape[1]:
        return shape[1] == first.fan_in
    x = ctx.arrays.get("X")
    return x is not None and x.ndim == 2 and x.shape[0] == first.fan_in and x.shape[1] != first.fan_in


def param_checks(ctx: Context, *names: str | None) -> list[ParamCheck]:
    by_name = {p.name: p for p in ctx.params}
    return [by_name[n] for n in names if n in by_name]


def gradient_verified(ctx: Context) -> bool:
    """Every gradient matched finite differences and no gradient or backprop rule reported an error.

    Training-health verdicts are only fair on a verified gradient: a sign bug
    must never be blamed on the learning rate.
    """
    if any(p.failed for p in ctx.params):
        return False
    from . import get

    for f in ctx.findings:
        rule = get(f.rule)
        if f.severity == "error" and (rule is None or rule.category in ("gradient", "diagnosis")):
            return False
    return True


def training(ctx: Context) -> dict[str, Any] | None:
    """The probe's loss curves with each run's trend (numerics.health.summarize_training)."""
    raw = (ctx.measurement.get("health") or {}).get("training")
    return summarize_training(raw, curve_tolerance(ctx.precision.name))


def probe_missing(ctx: Context, rule: str) -> list:
    """No training probe to judge: say why when the probe itself failed (no findings either way)."""
    error = (ctx.measurement.get("health") or {}).get("error")
    return skip(ctx, rule, f"the training probe failed inside backpropdoctor: {error}") if error else []


def source_words(source: str | None) -> str:
    return {"update": "your update()", "train_step": "your train_step()",
            "gradient descent": "plain gradient descent on your gradient"}.get(source or "", "the training step")
