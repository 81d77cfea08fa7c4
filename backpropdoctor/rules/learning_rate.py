"""The gradient is right, but the step size is not.

## What it means
Your gradients pass the finite-difference check, but with your learning rate
the loss oscillates (up and down from step to step) or diverges (grows, often
to inf or NaN) during a short training run. The reference comes from the loss
itself: backpropdoctor repeats the same short run from the same starting point
with a few step sizes on a log scale (for example 1, 0.3, 0.1, 0.03, 0.01) and
suggests the largest one for which the loss decreases at every step.

## Why it breaks training
Gradient descent only goes reliably downhill for steps below about
`2 / (largest curvature of the loss)`; past that, each step overshoots the
bottom of the valley and lands higher on the other side. Students see a
zig-zag loss curve, a loss that explodes to NaN after a few epochs, or ReLU
units killed by one huge step. Summing the gradient over the batch instead of
averaging makes the step N times larger, so a rate that worked at one batch
size can break at another.

## How it looks in code
```python
lr = 5.0                                  # WRONG: far too large for this model
for step in range(100):
    loss, g = loss_and_grads(params, X, y)
    for k in params:
        params[k] -= lr * g[k]            # loss jumps up and down, then NaN
```

## The fix
```python
lr = 0.1                                  # largest tried rate that lowers the loss each step
for step in range(100):
    loss, g = loss_and_grads(params, X, y)
    for k in params:
        params[k] -= lr * g[k]
```
"""

from .base import Rule

RULE = Rule(
    name="learning-rate",
    severity="warning",
    category="health",
    summary="Gradient is right, but the step size makes the loss oscillate or diverge.",
    doc=__doc__,
)
