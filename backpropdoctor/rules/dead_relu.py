"""ReLU units that are off for every sample.

## What it means
A ReLU unit is dead on the checked batch when its pre-activation is `z <= 0`
for every sample. The threshold comes from the activation itself: `relu'(z)` is
exactly 0 for `z <= 0`, so such a unit passes no gradient at all to its
incoming weights and bias. The rule reports, per layer, how many units are dead
on the whole batch.

## Why it breaks training
A dead unit's weights get a gradient of exactly zero, so no gradient step can
bring it back: it stays off for good and the layer effectively shrinks. If a
whole layer dies, nothing below it learns, the loss stops moving at once, and
the output is the same for every input. Common causes are a large negative
bias, badly scaled or all-positive weights, and one learning-rate step so large
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

from .base import Rule

RULE = Rule(
    name="dead-relu",
    severity="warning",
    category="health",
    summary="ReLU units with z <= 0 on every sample: zero gradient, never recover.",
    doc=__doc__,
)
