"""The bias gradient is wrong while the weight gradient is right.

## What it means
For `z = X @ W + b`, the bias gradient is the gradient `dz` summed over the
batch: `db = dz.sum(axis=0)`. This rule fires when the bias gradient departs from the error signal dz that
the layer's weight gradient uses, in one of two known patterns: db holds one
sample's dz instead of the sum (assigned with = inside a per-sample loop, so
only the last sample survives), or db was taken from the gradient before the
activation derivative was applied (da instead of dz). Summing dz over the
wrong axis changes its shape, which `shape-mismatch` reports.

## Why it breaks training
The biases move in a direction set by one sample, or with the wrong size and
sign, so each step undoes part of what the weights learned. Training often
almost works: accuracy plateaus below what the model should reach, or the loss
falls for a while and then starts to rise. The weight gradients being right
makes this one easy to overlook.

## How it looks in code
```python
dW1 = np.zeros_like(W1)
db1 = np.zeros_like(b1)
for x, dz in zip(X, dZ1):         # one sample at a time
    dW1 += np.outer(x, dz)
    db1 = dz                      # WRONG: overwrites, keeps the last sample only
```

## The fix
```python
dW1 = np.zeros_like(W1)
db1 = np.zeros_like(b1)
for x, dz in zip(X, dZ1):         # one sample at a time
    dW1 += np.outer(x, dz)
    db1 += dz                     # accumulate, like dW1
```
Without the loop: `dW1 = X.T @ dZ1` and `db1 = dZ1.sum(axis=0)`, with `dZ1`
taken after multiplying by the activation derivative.
"""

import ast

import numpy as np

from ..lines import names_showing
from ..numerics.backward import Step, Variant
from ..repair import Edit, Site, expression
from .base import Rule, explained_bugs, locate_choice


def _last_sample(step: Step) -> list[np.ndarray]:
    return [step.delta[-1]] if step.delta.shape[0] > 1 else []


def _pre_derivative(step: Step) -> list[np.ndarray]:
    if step.upstream is None or step.upstream.shape != step.delta.shape:
        return []
    # The upstream may or may not carry the loss's 1/N, as the user computed it.
    return [k * step.upstream.sum(axis=0) for k in (1.0, 1.0 / step.ref.scale)] + [step.upstream[-1]]


def repairs(ctx, finding, site: Site) -> list[Edit]:
    if finding.evidence.get("variant") == "last-sample":
        edit = site.augmented("accumulate with += instead of overwriting with =")
        return [edit] if edit else []
    choice = finding.origin
    if choice is None or ctx.explanation is None or choice.layer not in ctx.explanation.upstreams:
        return []
    upstream = ctx.explanation.upstreams[choice.layer]
    # The user's upstream may carry the loss's 1/N or not: accept either.
    here = finding.line
    bad_names = names_showing(ctx.trace, upstream, here, any_factor=True)
    good = names_showing(ctx.trace, ctx.explanation.deltas[choice.layer], here, any_factor=True)
    edits = []
    for bad in dict.fromkeys(bad_names):
        for name in good:
            edits += site.rewrites(f"sum {name} (after the activation derivative) instead of {bad}",
                                   lambda n, b=bad: ast.unparse(n) == b, lambda n, g=name: expression(g))
    return edits


VARIANTS = (
    Variant("bias-gradient", "bias", "last-sample",
            "keeps only the last sample's bias gradient (assigned with = inside the loop over samples, "
            "so each sample overwrites the one before)",
            "Accumulate: db += delta inside the loop (or db = delta.sum(axis=0) for the whole batch).", _last_sample),
    Variant("bias-gradient", "bias", "pre-derivative",
            "builds the bias gradient from the incoming gradient before the activation derivative is applied",
            "Sum the same delta the weight gradient uses (after multiplying by f'(z)): db = delta.sum(axis=0).",
            _pre_derivative),
)


RULE = Rule(
    name="bias-gradient",
    severity="error",
    category="diagnosis",
    summary="Bias gradient from one sample, the wrong tensor or the wrong axis.",
    doc=__doc__,
    detect=lambda ctx: explained_bugs(ctx, RULE),
    variants=VARIANTS,
    locate=locate_choice,
    repairs=repairs,
)
