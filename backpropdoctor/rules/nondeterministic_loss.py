"""The loss (or gradient) changes between two calls at the same parameters.

## What it means
backpropdoctor calls your loss twice without changing anything and gets
two different numbers. That is randomness inside the loss, usually
dropout or noise drawn from numpy's global generator. When fixing numpy's
global seed before every call makes the loss repeatable, the check goes on
that way and this is a warning; when it does not, nothing can be checked.

## Why it breaks training
Training itself can cope with noise, but a gradient check cannot: finite
differences divide a tiny change in the loss by a tiny step, and random
noise in the loss swamps it. Worse, if the loss and the gradient draw
different dropout masks, the gradient belongs to a different network.

## How it looks in code
```python
def loss(params, X, y):
    h = relu(X @ params["W1"])
    h *= np.random.rand(*h.shape) > 0.5       # dropout on every call
    ...
```

## The fix
```python
def loss(params, X, y, train=False):
    h = relu(X @ params["W1"])
    if train:                                 # no dropout while checking
        h *= rng.random(h.shape) > 0.5
```
Turn dropout and other noise off for the check, or draw the mask once and
reuse it in both the loss and the gradient.
"""

from .base import Context, Rule


def detect(ctx: Context):
    nd = ctx.measurement.get("nondeterminism")
    if not nd:
        return []
    what = "loss" if nd.get("loss") else "gradient"
    if nd.get("fixed_by_seeding") or not nd.get("loss"):
        message = (f"The {what} gives different values for the same parameters (randomness such as dropout). "
                   "The check went on with numpy's global seed fixed before every call.")
    else:
        message = f"The {what} gives different values for the same parameters."
    fix = "Turn dropout and other randomness off while checking gradients (or reuse one mask in loss and gradient)."
    return [ctx.finding(RULE, [], message, fix, dict(nd), claim=False)]


RULE = Rule(name="nondeterministic-loss", severity="warning", category="gradient",
            summary="The loss or gradient is random: two calls at the same point differ.", doc=__doc__, detect=detect)
