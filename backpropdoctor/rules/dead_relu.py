"""ReLU units that are off for every sample.

## What it means
A ReLU unit is dead on the checked batch when its pre-activation is `z <= 0`
for every sample: `relu'(z)` is exactly 0 there, so the unit passes no
gradient at all to its incoming weights and bias. The rule warns when more
than half of a ReLU layer is dead. That number comes from the symmetry of a
zero-centred init: `w` and `-w` are equally likely, and if `w` is off for
every sample then `-w` is on for every sample, so each unit starts dead with
probability at most 1/2 whatever the inputs look like. A few dead units are
normal (inputs that all share a positive mean, like pixels in [0, 1], leave
about one unit in eight off for a whole batch); more than half means a
negative bias, shifted weights or a destructive step put them there.
Leaky ReLU units never die (their slope below 0 is not 0) and are not judged.

## Why it breaks training
A dead unit's weights get a gradient of exactly zero, so no gradient step can
bring it back: it stays off for good and the layer effectively shrinks. If a
whole layer dies, nothing below it learns, the loss stops moving at once, and
the output is the same for every input. Common causes are a large negative
bias, badly scaled or all-negative weights, and one learning-rate step so large
that it threw the units far into the negative range.

## How it looks in code
```python
W1 = np.random.randn(784, 256) * 0.01
b1 = np.full(256, -1.0)            # WRONG: z = X @ W1 - 1 is negative for every sample
h = np.maximum(0, X @ W1 + b1)
```

## The fix
```python
W1 = np.random.randn(784, 256) * np.sqrt(2 / 784)   # He initialization for ReLU
b1 = np.zeros(256)                                  # or a small positive value like 0.01
h = np.maximum(0, X @ W1 + b1)
```
If units die during training rather than at the start, lower the learning rate;
a leaky ReLU (`np.where(z > 0, z, 0.01 * z)`) also keeps a small gradient.
"""

from ..numerics.health import DEAD_SHARE, dead_units
from . import _health
from .base import Context, Rule


def detect(ctx: Context):
    ref = ctx.reference
    if ref is None:
        return _health.skip(ctx, RULE.name, _health.NOT_RECOGNISED)
    fwd = ctx.forward()
    layers = _health.dense_layers(ctx)
    findings = []
    for i, act in enumerate(ref.activations):
        if act != "relu":
            continue
        dead = dead_units(fwd.z[i])
        units, count = int(dead.size), int(dead.sum())
        if count <= DEAD_SHARE * units:
            continue
        layer = layers[i]
        which = "every unit" if count == units else f"{count} of its {units} units"
        message = (f"Layer {layer.number} is a ReLU layer with {which} dead: z <= 0 for all "
                   f"{fwd.z[i].shape[0]} samples, so relu'(z) = 0 and their weights get no gradient. "
                   f"A zero-centred init leaves at most half a layer dead.")
        bias_note = ""
        if layer.b is not None and float(layer.b[dead].mean()) < 0:
            bias_note = f" Its biases average {float(layer.b[dead].mean()):.3g} on the dead units: start them at 0 or 0.01."
        fix = (f"Initialize {layer.weight} centred on 0 with std np.sqrt(2 / fan_in) (fan_in = {layer.w.shape[0]}) "
               f"and the biases at 0.{bias_note}")
        evidence = {"dead": count, "units": units, "dead_units": [int(j) for j in dead.nonzero()[0]],
                    "samples": int(fwd.z[i].shape[0])}
        f = ctx.finding(RULE, _health.param_checks(ctx, layer.weight, layer.bias), message, fix, evidence, claim=False)
        f.layers = [layer.number]
        findings.append(f)
    return findings


RULE = Rule(
    name="dead-relu",
    severity="warning",
    category="health",
    summary="More than half of a ReLU layer has z <= 0 on every sample: zero gradient, never recovers.",
    doc=__doc__,
    detect=detect,
)
