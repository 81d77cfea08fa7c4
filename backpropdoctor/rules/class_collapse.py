"""After a short training run, every prediction is the same class.

## What it means
After the training probe's best run (10 steps from your initial parameters
with your own update, at the step size that lowered the loss most while
lowering it at every step), the network's prediction (the argmax of its
output; `p > 0.5` for a single sigmoid output) is the same class for every
sample of the batch, although the labels contain more than one class, and
its loss is no better than that of the best constant guess: predicting the
batch's class frequencies for every input (for cross-entropy, the entropy of
the label distribution; for squared error, the targets' variance), and its
outputs are the same for every sample up to rounding (their spread across the
batch is below 1000 units in the last place of their own scale): the output
does not depend on the input at all. A network that has learned anything
about its inputs beats the constant guess; one that predicts the majority
class while its outputs still vary with the input, however little (a tiny
initialization learning the class frequencies first), is early in training,
and is not reported. Only judged once the gradient has passed the check.

## Why it breaks training
Once the outputs settle on one class, the gradient that would pull them apart
is tiny: saturated or dead hidden units pass almost nothing back, so the
network's output no longer depends on its input. Accuracy sits at the
constant-guess rate while the loss flattens. Common causes are unnormalized
inputs, all-positive weights from `np.random.rand`, saturating or dead hidden
layers, and hidden units that are copies of each other. Other findings in
the same report usually name the cause.

## How it looks in code
```python
params = {"W1": np.random.randn(784, 128) * 5,    # WRONG: saturates every hidden unit
          "W2": np.random.randn(128, 10) * 0.01}
h = sigmoid(X @ params["W1"])                    # 0 or 1 whatever the input
```

## The fix
```python
params = {"W1": np.random.randn(784, 128) / np.sqrt(784),   # fan-in scaled
          "W2": np.random.randn(128, 10) / np.sqrt(128)}
h = sigmoid(X @ params["W1"])
```
"""

from ..numerics.health import class_targets, constant_guess_loss, input_independent
from . import _health
from .base import Context, Rule, fmt


def detect(ctx: Context):
    summary = _health.training(ctx)
    if summary is None:
        return _health.probe_missing(ctx, RULE.name)
    ref = ctx.reference
    if ref is None:
        return _health.skip(ctx, RULE.name, _health.NOT_RECOGNISED)
    if not _health.gradient_verified(ctx):
        return _health.skip(ctx, RULE.name, _health.UNVERIFIED)
    labels = class_targets(ref.targets)
    if labels is None or len(set(labels.tolist())) < 2 or summary["best_lr"] is None:
        return []
    run = next(r for r in summary["runs"] if r["lr"] == summary["best_lr"])
    counts, loss = run.get("class_counts"), run.get("data_loss")
    guess = constant_guess_loss(ref.head, ref.targets)
    if counts is None or loss is None or guess is None:
        return []
    predicted = [k for k, c in enumerate(counts) if c > 0]
    if len(predicted) != 1 or loss < guess:
        return []
    if not input_independent(run.get("output_spread", 1.0), run.get("output_rms", 0.0), ctx.precision.name):
        return []  # still input-dependent, if weakly (a tiny init learning the class prior first): not stuck
    k = predicted[0]
    share = float((labels == k).mean())
    message = (f"After {summary['steps']} steps at lr {run['lr']:g} (the step size that lowered the loss most), "
               f"the network predicts class {k} for all {sum(counts)} samples, although the batch has "
               f"{len(set(labels.tolist()))} classes (class {k} is {share:.0%} of it). Its loss per sample "
               f"({fmt(loss)}) is no better than always guessing the class frequencies ({fmt(guess)}): "
               f"the output does not depend on the input.")
    fix = ("Look at the other warnings in this report for the cause (saturated or dead hidden units, "
           "non-centred or symmetric weights, unnormalized inputs); fan-in-scaled, zero-centred weights and "
           "inputs near unit scale let the output depend on the input.")
    evidence = {"lr": run["lr"], "class": k, "class_counts": counts, "loss": loss, "constant_guess": guess,
                "output_spread": run.get("output_spread")}
    return [ctx.finding(RULE, [], message, fix, evidence, claim=False)]


RULE = Rule(
    name="class-collapse",
    severity="warning",
    category="health",
    summary="After a short training run, all predictions are one class and the output ignores the input.",
    doc=__doc__,
    detect=detect,
)
