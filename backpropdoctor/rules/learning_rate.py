"""The gradient is right, but the usual step sizes make the loss oscillate or diverge.

## What it means
Your gradients pass the finite-difference check, but in a short training run
(10 steps from your initial parameters on the checked batch, with your own
`update` or `train_step`, else plain gradient descent on your gradient) the
loss oscillates or diverges at 0.1, 0.03 and 0.01, the bottom of the range
people use for plain gradient descent on small networks (0.01 to 1), while a
smaller step size (0.003 or 0.001) lowers it at every step. Runs start from
the same parameters each time (seeded); the step size starts at 0.1 and goes
down the grid 0.1, 0.03, 0.01, 0.003, 0.001 until the loss falls at every
step (or up through 0.3 and 1 while it does), and the report suggests the
largest step size for which it falls at every step. When 0.01 or more
already works, trouble with a larger rate is a choice of rate, not a defect:
the report's loss curves show which rates work.

## Why it breaks training
Gradient descent only goes reliably downhill for steps below about
`2 / (largest curvature of the loss)`; past that, each step overshoots the
bottom of the valley and lands higher on the other side. A loss whose
curvature is so large that 0.01 overshoots usually has a scale problem:
summing the loss over the batch instead of averaging makes every step N times
larger, and inputs far from unit scale make the first layer's steps larger
by the square of their scale. Students see a zig-zag loss curve, a loss that
explodes to NaN after a few epochs, or ReLU units killed by one huge step.

## How it looks in code
```python
def loss(params, X, y):
    P = forward(params, X)
    return -np.log(P[np.arange(len(y)), y]).sum()   # summed: N times steeper than the mean
...
lr = 0.1                                          # loss jumps up and down, then NaN
```

## The fix
```python
def loss(params, X, y):
    P = forward(params, X)
    return -np.log(P[np.arange(len(y)), y]).mean()  # averaged over the batch
...
lr = 0.1                                          # now in the range that works
```
Or keep the loss as it is and use a step size no larger than the one the
report names.
"""

import numpy as np

from . import _health
from .base import Context, Rule, fmt

SUMMED = 1.5  # the loss is more than this many times the per-sample mean of its head loss: not a mean
USUAL_LR_MIN = 0.01  # the smallest step size in the range people use for plain gradient descent (0.01 to 1)


def detect(ctx: Context):
    summary = _health.training(ctx)
    if summary is None:
        return _health.probe_missing(ctx, RULE.name)
    if not _health.gradient_verified(ctx):
        return _health.skip(ctx, RULE.name, _health.UNVERIFIED)
    runs = [r for r in summary["runs"] if r["trend"] != "error"]
    usual = [r for r in runs if r["lr"] >= USUAL_LR_MIN]
    smaller = [r for r in runs if r["lr"] < USUAL_LR_MIN and r["trend"] == "steady"]
    if not usual or any(r["trend"] == "steady" for r in usual) or not smaller:
        return []
    best = max(smaller, key=lambda r: r["lr"])
    works = best["lr"]
    at_min = min(usual, key=lambda r: r["lr"])
    source = _health.source_words(summary["source"])
    verbs = {"diverges": "diverges", "unsteady": "oscillates"}
    tried = ", ".join(f"{verbs.get(r['trend'], r['trend'])} at {r['lr']:g}"
                      for r in sorted(usual, key=lambda r: -r["lr"]))
    message = (f"The gradient is right, but with {source} the loss does not fall steadily at any usual step size: "
               f"it {tried} (lr {at_min['lr']:g}: {_shape(at_min)}). Step size {works:g} lowers it at every step "
               f"({fmt(best['losses'][0])} -> {fmt(best['losses'][-1])}).")
    fix = f"Use a step size of at most {works:g}." + _why(ctx)
    evidence = {"largest_steady_lr": works, "source": summary["source"],
                "trends": {f"{r['lr']:g}": r["trend"] for r in runs}}
    return [ctx.finding(RULE, [], message, fix, evidence, claim=False)]


def _shape(run) -> str:
    values = run["losses"]
    shown = " -> ".join("NaN/inf" if v is None else fmt(v) for v in values[:4])
    return shown + (" ..." if len(values) > 4 else "")


def _why(ctx: Context) -> str:
    """The scale behind a steep loss, when the numbers show one."""
    ref = ctx.reference
    hints = []
    if ref is not None and ref.batch_size > 1 and ref.scale * ref.batch_size > SUMMED:
        hints.append(f"your loss is {fmt(ref.scale * ref.batch_size)} times the per-sample mean of the {ref.head} "
                     f"loss (summed over the {ref.batch_size} samples, not averaged), and so is every step: "
                     f"divide it by the batch size")
    X = ctx.arrays.get("X")
    if X is not None and X.size and np.all(np.isfinite(X)):
        rms = float(np.sqrt(np.mean(X ** 2)))
        if rms > 3:
            hints.append(f"your inputs have rms {fmt(rms)}: scale them to unit size")
    return (" Better, remove the cause: " + "; ".join(hints) + ".") if hints else ""


RULE = Rule(
    name="learning-rate",
    severity="warning",
    category="health",
    summary="Gradient is right, but every usual step size makes the loss oscillate or diverge.",
    doc=__doc__,
    detect=detect,
)
