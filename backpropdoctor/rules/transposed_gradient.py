"""The gradient of a weight matrix comes back transposed.

## What it means
The gradient for a weight matrix W holds the right numbers in the wrong
places: entry [i, j] of your gradient equals the true dL/dW[j, i]. For a
non-square W this shows as a gradient of shape W.T; for a square W,
backpropdoctor probes the mirrored entries and finds they agree.

## Why it breaks training
For a non-square matrix the update `W -= lr * dW` fails with a broadcast
error or silently broadcasts wrongly. For a square matrix it runs, and
every weight is pushed by the gradient of another weight: the loss
wanders instead of falling.

## How it looks in code
```python
# forward: h = X @ W1 (samples in rows, W1 has shape (n_in, n_hidden))
dW1 = delta1.T @ X          # wrong: shape (n_hidden, n_in)
```

## The fix
```python
dW1 = X.T @ delta1          # same shape as W1: (n_in, n_hidden)
```
The gradient of W always has W's shape: for `z = X @ W` it is
`X.T @ dz`; for `z = W @ x` (samples in columns) it is `dz @ x.T`.
"""

import ast

from ..repair import Edit, Site, assigned_value
from .base import Context, Rule, locate_final, describe_params


def detect(ctx: Context):
    hits = []
    for p in ctx.params:
        if p.shape_note and p.shape_note.get("kind") == "transposed":
            hits.append(p)
        elif p.failed and p.name not in ctx.claimed and p.transposed is not None and p.transposed.passed:
            hits.append(p)
    if not hits:
        return []
    shapes = "; ".join(f"{p.name} has shape {tuple(p.shape)}" + (
        f", its gradient {tuple(p.shape_note['got'])}" if p.shape_note else ", its gradient matches the transpose")
        for p in hits)
    message = f"The gradient of {describe_params(hits)} is transposed ({shapes})."
    fix = "Swap the operands of the outer product so the gradient has the weight's shape (z = X @ W gives dW = X.T @ dz)."
    # A transposed shape is a finding in its own right even when the values (transposed back) are right.
    return [ctx.finding(RULE, hits, message, fix, {"shapes": {p.name: list(p.shape) for p in hits}})]


def repairs(ctx: Context, finding, site: Site) -> list[Edit]:
    value = assigned_value(site.stmt)
    if value is None:
        return []
    return site.rewrites("transpose the gradient", lambda n: n is value,
                         lambda n: ast.Attribute(value=n, attr="T", ctx=ast.Load()))


RULE = Rule(name="transposed-gradient", severity="error", category="gradient",
            summary="A weight's gradient is the transpose of the true gradient.", doc=__doc__, detect=detect, locate=locate_final, repairs=repairs)
