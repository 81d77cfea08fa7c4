"""The loss goes up during a short training run, at every step size tried.

## What it means
Once the gradient has passed the check (and only then), backpropdoctor runs a
short training run on the checked batch: 10 steps from your initial
parameters with your own `update` on your gradient, or your `train_step`, or
else plain gradient descent on your gradient. Runs are repeated from the same
parameters (seeded) at step sizes on the grid 1, 0.3, 0.1, 0.03, 0.01, 0.003,
0.001: starting at 0.1, going up while the loss falls at every step, and
down until it does. The reference is the loss at the start: with a correct
gradient, a small enough step must lower the loss. The rule fires when every
run, down to 0.001, ends higher than it started. The report says which of
the numbers points where: a first step that grows less than 10 times from
lr 0.001 to lr 0.1 (a step that follows lr grows 100 times: your update
ignores its `lr`), a loss that falls at first
and then climbs (your update keeps state, such as momentum or a gradient
accumulator that is never reset, that turns it uphill), or a loss that rises
from the very first tiny step (see `learning-rate`). An update that climbs
from its first step is reported as `update-ascends` instead.

## Why it breaks training
Each step makes the predictions worse: the loss grows without bound, outputs
saturate and the network ends up confidently predicting one class. This is
the "loss keeps increasing" and "converges to one class at 100%" that
students report.

## How it looks in code
```python
LEARNING_RATE = 5.0

def update(params, grads, lr):
    for k in params:
        params[k] -= LEARNING_RATE * grads[k]    # WRONG: ignores lr, and 5.0 is far too large
```

## The fix
```python
def update(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]               # the step size the caller asks for
```
For an update with state (momentum, Adam), reset the state where a new run
starts and check that every term steps against the gradient.
"""

from . import _health
from .base import Context, Rule, fmt

IGNORES_LR = 10.0  # lr spans 100x from 0.001 to 0.1; a first step that grows less than 10x does not follow lr
SMALLEST_LR = 0.001  # the bottom of the probe's grid: every step size down to here was tried


def detect(ctx: Context):
    summary = _health.training(ctx)
    if summary is None:
        return _health.probe_missing(ctx, RULE.name)
    if not _health.gradient_verified(ctx):
        return _health.skip(ctx, RULE.name, _health.UNVERIFIED)
    runs = [r for r in summary["runs"] if r["trend"] != "error"]
    if not runs or any(r["trend"] != "diverges" for r in runs) or min(r["lr"] for r in runs) > SMALLEST_LR:
        return []
    source = _health.source_words(summary["source"])
    big, small = max(runs, key=lambda r: r["lr"]), min(runs, key=lambda r: r["lr"])
    ratio = None
    if big.get("first_step_norm") and small.get("first_step_norm"):
        ratio = big["first_step_norm"] / small["first_step_norm"]
    first = small["losses"][1] if len(small["losses"]) > 1 else None
    if ratio is not None and ratio < IGNORES_LR:
        why = (f"its first step is about as large at lr {small['lr']:g} as at lr {big['lr']:g} (ratio {fmt(ratio)} "
               f"where the step sizes differ {big['lr'] / small['lr']:g}x): {source} does not scale its step by lr")
        fix = "Use the lr argument in the step (params[k] -= lr * grads[k]) instead of a fixed rate of your own."
    elif first is not None and first < small["losses"][0] and summary["source"] != "gradient descent":
        why = (f"at lr {small['lr']:g} the first step lowers it ({fmt(small['losses'][0])} -> {fmt(first)}) and the "
               f"later steps raise it: {source} carries state from step to step that turns uphill")
        fix = ("Check the state your update keeps between calls (momentum, a gradient accumulator that is never "
               "reset, a growing step size): every step must move against the current gradient.")
    else:
        why = f"even the first step at lr {small['lr']:g} raises it"
        fix = ("The loss is far steeper than usual: use a much smaller step size, average the loss over the batch "
               "instead of summing it, and scale the inputs to unit size.")
    message = (f"The loss goes up in a {summary['steps']}-step run with {source} at every step size tried, "
               f"{big['lr']:g} down to {small['lr']:g} (lr {small['lr']:g}: {_end(small)}); {why}.")
    f = ctx.finding(RULE, [], message, fix, {"source": summary["source"], "first_step_ratio": ratio}, claim=False)
    return [f]


def _end(run) -> str:
    start, last = run["losses"][0], run["losses"][-1]
    return f"{fmt(start)} -> {'NaN/inf' if last is None else fmt(last)}"


RULE = Rule(
    name="loss-increasing",
    severity="warning",
    category="health",
    summary="A short training run makes the loss go up at every step size, with a verified gradient.",
    doc=__doc__,
    detect=detect,
)
