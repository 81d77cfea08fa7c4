"""The loss goes up during a short training run.

## What it means
backpropdoctor runs a short training run from your initial parameters with
your own update (your `update` or `train_step`), and the loss on the batch goes
up instead of down. The reference is the loss at the start: with a correct
gradient and a small enough step, a plain step `W -= lr * dW` must lower the
loss, so a rise means the step's direction or its size is wrong. When your
gradients pass the check, look at the update's sign (`+=` instead of `-=`) or
at the step size (see `learning-rate`).

## Why it breaks training
Each step makes the predictions worse: gradient ascent on cross-entropy drives
the probability of the true class toward 0, so the loss grows without bound,
outputs saturate and the network ends up confidently predicting one class.
This is the "loss keeps increasing" and "converges to one class at 100%"
that students report.

## How it looks in code
```python
def update(params, grads, lr):
    for k in params:
        params[k] += lr * grads[k]       # WRONG: steps uphill
```

## The fix
```python
def update(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]       # gradient descent: against the gradient
```
If you flipped the gradient itself (`Y - P` instead of `P - Y`) to make `+=`
work, flip both back: the gradient check confirms the gradient, and this rule
confirms the step.
"""

from .base import Rule

RULE = Rule(
    name="loss-increasing",
    severity="warning",
    category="health",
    summary="A short training run with your own update makes the loss go up.",
    doc=__doc__,
)
