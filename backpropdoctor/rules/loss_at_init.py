"""The initial cross-entropy is far above ln C.

## What it means
The cross-entropy at the initial parameters is far above `ln C`, where `C` is
the number of classes. The reference comes from the loss: small random weights
give nearly equal logits, so softmax assigns about `1 / C` to every class and
the cross-entropy is `-ln(1 / C) = ln C`: 0.693 for 2 classes, 2.303 for 10
(`ln 2` per output for sigmoid outputs with binary cross-entropy). Logits of
standard deviation `s` raise the average to about `ln C + (1 - 1/C) * s**2 / 2`
for small `s`. A fan-in-scaled output layer gives logits of standard deviation up to
about 2 (its inputs' rms, at most about 1.4 after He-scaled ReLU layers, times
a gain of up to `sqrt(2)`), so the rule fires only above the average
cross-entropy of logits with standard deviation 4, twice that: 2.37 for 2
classes, 3.56 for 3, 4.33 for 4, 6.53 for 10, and 1.75 per sigmoid output.
The value is the head's loss per sample, whatever factor your loss divides by.

## Why it breaks training
A high starting loss means large initial logits: the softmax is saturated, the
first steps are spent just shrinking the logits (the "hockey stick" loss
curve), and with a saturated output the network may never recover. A loss that
starts in the wrong place is also a cheap hint of a bug in the loss itself.

## How it looks in code
```python
W2 = np.random.randn(128, 10)                    # WRONG: std 1, logits far from 0
b2 = np.zeros(10)
P = softmax(H @ W2 + b2)
loss = -np.log(P[np.arange(N), y]).mean()        # starts far above ln 10 = 2.30
```

## The fix
```python
W2 = np.random.randn(128, 10) * 0.01             # small last layer: logits near 0
b2 = np.zeros(10)
P = softmax(H @ W2 + b2)
loss = -np.log(P[np.arange(N), y]).mean()        # starts near ln 10 = 2.30
```
"""

import math

import numpy as np

from ..numerics.health import LOGIT_SCALE_LIMIT, expected_cross_entropy, per_sample_loss
from . import _health
from .base import Context, Rule, fmt


def detect(ctx: Context):
    ref = ctx.reference
    if ref is None:
        return _health.skip(ctx, RULE.name, _health.NOT_RECOGNISED)
    if ref.head not in ("softmax-ce", "sigmoid-bce"):
        return []
    z = ctx.forward().z[-1]
    outputs = z.shape[1]
    if ref.head == "softmax-ce":
        if outputs < 2:
            return []
        floor, limit = math.log(outputs), expected_cross_entropy(outputs)
        what = f"ln {outputs} = {floor:.3f}, its value for equal logits over {outputs} classes"
    else:
        floor, limit = outputs * math.log(2), outputs * expected_cross_entropy(1)
        what = (f"ln 2 = {floor:.3f}" if outputs == 1 else f"{outputs} x ln 2 = {floor:.3f}") + \
            ", its value for outputs of 0.5"
    loss0 = per_sample_loss(ref.head, z, ref.targets)
    if not np.isfinite(loss0) or loss0 <= limit:
        return []
    logit_rms = float(np.sqrt(np.mean(z ** 2)))
    last = _health.dense_layers(ctx)[-1]
    message = (f"The initial cross-entropy is {fmt(loss0)} per sample, far above {what}; even logits of standard "
               f"deviation {LOGIT_SCALE_LIMIT:g} would give only {limit:.2f} on average. Your logits start at rms "
               f"{fmt(logit_rms)}: the network is confidently wrong before training begins.")
    fix = (f"Start the output layer small: scale the initial {last.weight} by np.sqrt(1 / fan_in) "
           f"(fan_in = {last.w.shape[0]}) or by 0.01, with a zero bias, so the first loss is near {floor:.2f}.")
    evidence = {"loss": loss0, "reference": floor, "limit": limit, "logit_rms": logit_rms, "classes": outputs}
    f = ctx.finding(RULE, _health.param_checks(ctx, last.weight), message, fix, evidence, claim=False)
    f.layers = [last.number]
    return [f]


RULE = Rule(
    name="loss-at-init",
    severity="warning",
    category="health",
    summary="Initial cross-entropy far above ln C, its value for small random weights.",
    doc=__doc__,
    detect=detect,
)
