"""Your update step moves the parameters uphill: the loss rises for a small step.

## What it means
backpropdoctor applies your own update rule (`update(params, grads, lr)`,
fed with your own gradients, or your `train_step`) with a small learning
rate and measures the slope of the loss along the step it took. A
positive slope means the step goes uphill. When your gradients already
have the wrong sign and your update adds them, the two cancel and this
rule stays quiet (the gradient gets `flipped-sign` instead).

## Why it breaks training
Every step makes the loss larger. Accuracy drops to chance, the
predictions collapse onto one class, and the loss grows without bound.

## How it looks in code
```python
def update(params, grads, lr):
    for k in params:
        params[k] += lr * grads[k]       # wrong: gradient ascent
```

## The fix
```python
def update(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]       # descend: subtract the gradient
```
"""

import numpy as np

from ..numerics.signatures import scale_fit
from .base import Context, Rule, fmt


def _gradient_flipped(ctx: Context) -> bool:
    """Across all parameters, does the user's gradient point against the numeric one?"""
    a = np.concatenate([p.comparison.analytic for p in ctx.params])
    n = np.concatenate([p.comparison.numeric for p in ctx.params])
    return scale_fit(a, n).coefficient < 0


def detect(ctx: Context):
    update = ctx.measurement.get("update") or {}
    if "slope" not in update or update["slope"] <= 0 or update.get("step_norm", 0) == 0:
        return []
    if update["source"] == "update" and _gradient_flipped(ctx):
        return []  # update is right; the gradient's sign is the bug (flipped-sign reports it)
    if update["source"] == "train_step":
        claimed = [p for p in ctx.unexplained_failures()
                   if scale_fit(p.comparison.analytic, p.comparison.numeric).coefficient < 0]
        what = (ctx.measurement.get("mapping") or {}).get("train_step", "train_step(params, X, y, lr)")
        fix = ("The step must subtract the gradient: params -= lr * grad. Check the sign of the output error "
               "(probs - targets) and of the update itself; one of them is flipped.")
    else:
        claimed = []
        what = "update(params, grads, lr)"
        fix = "Subtract the gradient in update(): params[k] -= lr * grads[k]."
    message = (f"{what} moves uphill: along the step it takes, the loss rises "
               f"(slope {fmt(update['slope'])} per unit step; a descent step has a negative slope).")
    finding = ctx.finding(RULE, claimed, message, fix, {"slope": update["slope"], "step_norm": update["step_norm"]})
    finding.layers = []
    return [finding]


RULE = Rule(name="update-ascends", severity="error", category="gradient",
            summary="The user's update or train_step moves uphill.", doc=__doc__, detect=detect)
