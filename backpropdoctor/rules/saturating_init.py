"""Sigmoid or tanh units start out saturated.

## What it means
Many sigmoid or tanh units have pre-activations so large in magnitude on the
checked batch that their derivative is nearly zero. The thresholds come from
the activation functions: for sigmoid, `|z| > 4` gives `sigmoid'(z) < 0.018`,
about 7% of its peak 0.25 at `z = 0`; for tanh, `|z| > 2` gives
`tanh'(z) < 0.071`, about 7% of its peak 1. The rule also fires when a layer's
weights are far larger than fan-in scaling: with `fan_in` inputs of unit scale,
a weight standard deviation of about `1 / sqrt(fan_in)` keeps `z` near unit
scale, and many times that pushes `z` into the flat tails.

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

from .base import Rule

RULE = Rule(
    name="saturating-init",
    severity="warning",
    category="health",
    summary="Many sigmoid/tanh units saturated at init: weights too large for fan-in.",
    doc=__doc__,
)
