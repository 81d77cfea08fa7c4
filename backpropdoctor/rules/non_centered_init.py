"""All weights of a layer have the same sign.

## What it means
Every weight of a layer is positive (or every one negative), as
`np.random.rand` produces: uniform on [0, 1), mean 0.5. Then all terms of the
pre-activation push the same way: with `fan_in` positive inputs of mean `m`,
`z` averages about `fan_in * m * 0.5`, which grows with the layer's width
instead of staying near 0 (about 50 for 784 MNIST pixels scaled to [0, 1]).
Where that matters comes from the activation: past `|z|` of about 4 (sigmoid)
or 2 (tanh) the units are saturated (see `saturating-init`); ReLU units are all
on together and act like one linear unit.

## Why it breaks training
Every unit starts pushed to the same side, and the output logits are large and
alike across inputs, so the network predicts one class with near certainty
from the first epoch. The starting loss is large, gradients through saturated
units are tiny, and training may never recover: the classic "it always
predicts the same class".

## How it looks in code
```python
W1 = np.random.rand(784, 128)          # WRONG: all in [0, 1), mean 0.5
W2 = np.random.rand(128, 10)           # WRONG: same
h = sigmoid(X @ W1)                    # z averages about 50: every h is 1
```

## The fix
```python
W1 = np.random.randn(784, 128) / np.sqrt(784)   # centered on 0, std 1/sqrt(fan_in)
W2 = np.random.randn(128, 10) / np.sqrt(128)
h = sigmoid(X @ W1)
```
A symmetric uniform works too: `np.random.uniform(-r, r, shape)` with
`r = np.sqrt(3 / fan_in)` has the same standard deviation.
"""

from .base import Rule

RULE = Rule(
    name="non-centered-init",
    severity="warning",
    category="health",
    summary="All weights of a layer share one sign (e.g. np.random.rand).",
    doc=__doc__,
)
