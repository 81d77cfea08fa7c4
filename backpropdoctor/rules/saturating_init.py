"""Sigmoid or tanh units start out saturated.

## What it means
Many sigmoid or tanh units have pre-activations so large in magnitude on the
checked batch that their derivative is nearly zero. The numbers come from the
activation functions: a unit counts as saturated where its derivative has
fallen below 7% (`sech(2)**2 = 0.0707`) of its peak. Solving `f'(z) = 0.0707 *
f'(0)` on the functions themselves gives `|z| > 4` for sigmoid
(`sigmoid'(4) = 0.018`, peak 0.25) and `|z| > 2` for tanh (`tanh'(2) = 0.071`,
peak 1). The rule warns about a hidden sigmoid or tanh layer (and a sigmoid
output trained with squared error, whose gradient also goes through
`sigmoid'`) when either:

- at least half of its (sample, unit) pre-activations on the batch are past
  that point; or
- its weights are too large for the fan-in: the gain `rms(W) * sqrt(fan_in)`
  (1 under `1 / sqrt(fan_in)` scaling, where `z` keeps the scale of the
  inputs) exceeds `4 / 0.6745 = 5.93` (sigmoid) or `2 / 0.6745 = 2.97`
  (tanh). 0.6745 is the median of `|N(0, 1)|`: at that gain, half the units
  are saturated even on inputs of unit scale.

A layer with 10% of its units past the point (a fan-in scale of 2.5, say) is
not reported: it trains.

## Why it breaks training
Every gradient that passes through a saturated unit is multiplied by that tiny
derivative, so the layers below barely move: the loss sits on a plateau for
many epochs, and may then lurch. Saturated output units can also be
confidently wrong from the first step, which gives a large initial loss.

## How it looks in code
```python
W1 = np.random.randn(784, 128)        # WRONG: std 1 with fan-in 784, z has std ~28
b1 = np.zeros(128)
h = sigmoid(X @ W1 + b1)              # nearly every h is 0 or 1
```

## The fix
```python
W1 = np.random.randn(784, 128) / np.sqrt(784)   # std 1/sqrt(fan_in): z near unit scale
b1 = np.zeros(128)
h = sigmoid(X @ W1 + b1)
```
This assumes inputs of roughly unit scale (see `unnormalized-inputs`). For
ReLU layers use `np.sqrt(2 / fan_in)` instead.
"""

from ..numerics.health import SATURATED_SHARE, gain, gain_limit, saturated_share, saturation_point
from . import _health
from .base import Context, Rule, fmt


def detect(ctx: Context):
    ref = ctx.reference
    if ref is None:
        return _health.skip(ctx, RULE.name, _health.NOT_RECOGNISED)
    fwd = ctx.forward()
    layers = _health.dense_layers(ctx)
    findings = []
    for i, layer in enumerate(layers):
        if i < len(ref.activations):
            act = ref.activations[i]
        elif ref.head == "sigmoid-mse":
            act = "sigmoid"
        else:
            continue
        point, limit = saturation_point(act), gain_limit(act)
        if point is None or limit is None:
            continue
        share = saturated_share(act, fwd.z[i])
        g = gain(layer.w)
        if share is None or (share < SATURATED_SHARE and g <= limit):
            continue
        units = layer.w.shape[1]
        where = "the output layer" if i == len(layers) - 1 else f"layer {layer.number}"
        reasons = []
        if share >= SATURATED_SHARE:
            reasons.append(f"{share:.0%} of its pre-activations on the batch have |z| > {point:g}, where "
                           f"{act}'(z) is below 7% of its peak")
        if g > limit:
            reasons.append(f"its weights have {fmt(g)} times the 1/sqrt(fan_in) scale (fan-in {layer.w.shape[0]}); "
                           f"above {limit:.2f} half of the units saturate even on unit-scale inputs")
        message = (f"The {units} {act} units of {where} start out saturated: " + "; ".join(reasons)
                   + ". Gradients through them are multiplied by nearly 0.")
        scale = "np.sqrt(1 / fan_in)" if act in ("sigmoid", "tanh") else "np.sqrt(2 / fan_in)"
        fix = (f"Scale the initial weights of {layer.weight} by {scale} (fan_in = {layer.w.shape[0]}): "
               f"W = rng.standard_normal(shape) * {scale}, and keep the inputs near unit scale.")
        evidence = {"activation": act, "saturated_share": share, "saturation_point": point, "gain": g,
                    "gain_limit": limit, "fan_in": int(layer.w.shape[0]),
                    "z_rms": float((fwd.z[i] ** 2).mean() ** 0.5)}
        f = ctx.finding(RULE, _health.param_checks(ctx, layer.weight, layer.bias), message, fix, evidence, claim=False)
        f.layers = [layer.number]
        findings.append(f)
    return findings


RULE = Rule(
    name="saturating-init",
    severity="warning",
    category="health",
    summary="Many sigmoid/tanh units saturated at init: weights too large for fan-in.",
    doc=__doc__,
    detect=detect,
)
