"""The gradient is zero where the loss does depend on the parameter.

## What it means
Finite differences show that moving this parameter changes the loss, but
your gradient for it is exactly zero (all of it, or the entries that fail
the check while the others are right).

## Why it breaks training
A parameter with a zero gradient is never updated. A bias that stays at
its initial value, or a layer that never learns, limits what the network
can fit; the loss plateaus early and nobody knows why.

## How it looks in code
```python
grads = {k: np.zeros_like(v) for k, v in params.items()}
grads["W1"] = X.T @ delta1
grads["W2"] = h.T @ delta2               # db1, db2 never filled in
```

## The fix
```python
grads["b1"] = delta1.sum(axis=0)
grads["b2"] = delta2.sum(axis=0)
```
Fill in a gradient for every parameter the loss uses, biases included.
"""

import numpy as np

from .base import Context, Rule, locate_final, describe_params


def detect(ctx: Context):
    hits = []
    for p in ctx.unexplained_failures():
        c = p.comparison
        k = len(c.indices)  # coordinates come first, then random directions
        bad = c.errors[:k] > ctx.precision.rel_tol
        if bad.any() and np.all(c.analytic[:k][bad] == 0.0) and np.any(c.numeric[:k][bad] != 0.0):
            hits.append(p)
    if not hits:
        return []
    partial = [p for p in hits if np.any(p.comparison.analytic[: len(p.comparison.indices)] != 0.0)]
    what = "is zero" if not partial else "is zero in places"
    message = f"The gradient of {describe_params(hits)} {what}, but finite differences show the loss depends on it."
    fix = "Compute and return the gradient for every parameter the loss uses (biases included)."
    return [ctx.finding(RULE, hits, message, fix, {"partial": [p.name for p in partial]})]


RULE = Rule(name="missing-gradient", severity="error", category="gradient",
            summary="The analytic gradient is zero where the loss depends on the parameter.",
            doc=__doc__, detect=detect, locate=locate_final)
