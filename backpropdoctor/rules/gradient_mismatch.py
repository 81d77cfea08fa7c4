"""The gradient disagrees with finite differences, in no pattern backpropdoctor recognises.

## What it means
For this parameter your gradient and the finite-difference gradient
differ by more than the tolerance, and the difference is not a flipped
sign, a constant factor, a missing gradient, a transpose or an L2 term.
The report gives the relative error, the cosine between the two and the
worst entries, so you can see how far off it is and where.

## Why it breaks training
Gradient descent follows whatever direction you hand it. A wrong gradient
trains a different function from your loss: the loss may fall for a
while, stall, or rise.

## How it looks in code
```python
dz1 = (delta2 @ W2.T) * sigmoid(z1)          # wrong: derivative is s * (1 - s)
grads["W1"] = X.T @ dz1
```

## The fix
```python
s1 = sigmoid(z1)
dz1 = (delta2 @ W2.T) * s1 * (1 - s1)
grads["W1"] = X.T @ dz1
```
Start from the layer nearest the output that fails: the bug is in that
layer's backward step or just above it, since errors flow toward the input.
"""

from .base import Context, Rule, describe_params, fmt


def detect(ctx: Context):
    failing = list(ctx.unexplained_failures())
    if not failing:
        return []
    top = max((p.layer or 0) for p in failing)
    worst = max(failing, key=lambda p: p.comparison.rel_error)
    message = (f"The gradient of {describe_params(failing)} disagrees with finite differences "
               f"(worst: {worst.name}, relative error {fmt(worst.comparison.rel_error)}, "
               f"cosine {fmt(worst.comparison.cosine)}, norm ratio {fmt(worst.comparison.norm_ratio)}).")
    if worst.comparison.worst:
        w = worst.comparison.worst[0]
        message += (f" Largest disagreement at {worst.name}[{', '.join(map(str, w['index']))}]: "
                    f"yours {fmt(w['analytic'])}, finite differences {fmt(w['numeric'])}.")
    if ctx.measurement.get("layer_check"):
        pass  # one layer checked alone: there is no network to recognise
    elif ctx.reference is None:
        message += (" The network was not recognised as a stack of dense layers with the usual activations and "
                    "heads, so the diagnosis is partial: only the signatures above could be tested.")
    else:
        layers_above = {p.layer for p in ctx.params if p.layer and p.layer > top}
        right = sorted(n for n in layers_above if all(not p.failed for p in ctx.params if p.layer == n))
        message += (f" backpropdoctor recognised the network ({ctx.reference.describe()})"
                    + (f" and layer{'s' if len(right) > 1 else ''} {', '.join(map(str, right))} "
                       f"{'are' if len(right) > 1 else 'is'} right" if right else "")
                    + ", but no known mistake explains this layer's gradient: the diagnosis is partial.")
    fix = (f"Start at layer {top}, the failing layer nearest the output: the bug is in its backward step or just "
           "above it. Check each factor of the chain rule there against the forward pass.") if top else None
    evidence = {p.name: {"rel_error": p.comparison.rel_error, "cosine": p.comparison.cosine,
                         "norm_ratio": p.comparison.norm_ratio} for p in failing}
    return [ctx.finding(RULE, failing, message, fix, evidence)]


RULE = Rule(name="gradient-mismatch", severity="error", category="gradient",
            summary="The analytic gradient disagrees with finite differences (no known pattern).",
            doc=__doc__, detect=detect)
