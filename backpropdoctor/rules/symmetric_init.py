"""Hidden units of a layer start as exact copies of each other.

## What it means
Two or more units of a hidden layer have identical incoming weights, the same
bias and identical outgoing weights, as with weight matrices of zeros or
filled with one constant. The number behind it is exact: the difference
between the two units' weights is 0. Such units compute identical
activations, receive identical gradients and take identical steps, so they
stay identical forever. (Units whose incoming weights are equal but whose
outgoing weights differ are not reported: they receive different errors and
drift apart after the first step. Biases starting at zero are fine.)

## Why it breaks training
A layer of 64 identical units is one unit copied 64 times, so the network has
the capacity of a much smaller one: the loss plateaus high and accuracy stays
low. With zero weights in every layer, the first step moves only the last
layer, and from then on the hidden units remain exact copies of each other.

## How it looks in code
```python
W1 = np.zeros((784, 64))          # WRONG: every hidden unit identical
b1 = np.zeros(64)
W2 = np.zeros((64, 10))           # WRONG: same for the output layer's inputs
b2 = np.zeros(10)
```

## The fix
```python
rng = np.random.default_rng(0)
W1 = rng.normal(0, 1 / np.sqrt(784), (784, 64))   # random weights break the symmetry
b1 = np.zeros(64)                                 # zero biases are fine
W2 = rng.normal(0, 1 / np.sqrt(64), (64, 10))
b2 = np.zeros(10)
```
"""

from ..numerics.health import identical_units
from . import _health
from .base import Context, Rule


def detect(ctx: Context):
    layers = _health.dense_layers(ctx)
    findings = []
    for i, layer in enumerate(layers[:-1]):
        nxt = layers[i + 1]
        if nxt.w.shape[0] != layer.w.shape[1]:
            continue
        groups = identical_units(layer.w, layer.b, nxt.w)
        if not groups:
            continue
        units = layer.w.shape[1]
        copies = sum(len(g) for g in groups)
        if len(groups) == 1 and copies == units:
            what = f"all {units} units of layer {layer.number} are identical"
        else:
            shown = "; ".join("units " + ", ".join(str(j + 1) for j in g) for g in groups[:3])
            what = f"{copies} of the {units} units of layer {layer.number} are copies of each other ({shown})"
        message = (f"{what[0].upper()}{what[1:]}: same incoming weights ({layer.weight}), bias and outgoing weights "
                   f"({nxt.weight}), so they get the same gradient and can never differ.")
        fix = (f"Initialize {layer.weight} (and {nxt.weight}) with random numbers, e.g. "
               f"rng.standard_normal(shape) * np.sqrt(1 / fan_in); zero biases are fine.")
        evidence = {"groups": [[int(j) for j in g] for g in groups], "units": int(units)}
        f = ctx.finding(RULE, _health.param_checks(ctx, layer.weight, nxt.weight), message, fix, evidence, claim=False)
        f.layers = [layer.number]
        findings.append(f)
    return findings


RULE = Rule(
    name="symmetric-init",
    severity="warning",
    category="health",
    summary="Hidden units with identical weights in and out: they can never differ.",
    doc=__doc__,
    detect=detect,
)
