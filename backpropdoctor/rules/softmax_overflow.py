"""exp() overflows: the softmax is not shifted by its max.

## What it means
`np.exp` leaves the float range: in float64, `exp(x)` is `inf` for `x` above
709.78 (the log of the largest float64; 88.72 in float32), and `inf / inf` is
NaN; below -744.44 (the log of the smallest float64, -103.28 in float32)
`exp(x)` is exactly 0, and `log(0)` is -inf. The rule looks in two places:

- **The loss is NaN or inf at your initial parameters** (an error: nothing can
  be checked). backpropdoctor scales the parameters down until your loss is
  finite, recognises the network there, and computes the logits at your real
  parameters: the rule fires when the largest logit is above 709.78 (exp
  overflows) or a target class's logit lies more than 744.44 below its
  sample's largest (its probability underflows to 0 and its log is -inf).
  A NaN from anything else (a sigmoid output of exactly 1 in `log(1 - p)`,
  say) is reported as `non-finite`.
- **The loss is finite, but would not be with large logits** (a warning):
  backpropdoctor adds 800 to the output bias, which shifts every logit of
  every sample by 800. Softmax does not change under such a shift, so a
  correct loss keeps its value; if yours turns into NaN or inf, your softmax
  exponentiates the logits without subtracting their maximum first. (Skipped
  when the output layer has no bias to shift.)

Subtracting each sample's max is free and keeps every exponent at or below 0.

## Why it breaks training
Once one logit grows past about 710, the loss and every gradient become NaN,
and a single NaN update spreads to all the weights: from then on the network
outputs NaN, the loss prints `nan`, and accuracy freezes (the argmax of NaNs is
class 0). It often works for a few epochs and breaks as the weights grow.

## How it looks in code
```python
def softmax(z):
    e = np.exp(z)                                   # WRONG: inf once any z > 709
    return e / e.sum(axis=1, keepdims=True)

loss = -np.log(softmax(Z2)[np.arange(N), y]).mean()
```

## The fix
```python
def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)            # shift each row by its own max
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

loss = -log_softmax(Z2)[np.arange(N), y].mean()
```
Take the max per sample (`axis=1, keepdims=True`): one max over the whole
batch can underflow other rows to all zeros and give `log(0)`.
"""

from typing import Any

import numpy as np

from ..numerics.health import exp_range
from ..numerics.reference import Reference
from ..report import Finding
from . import _health
from .base import Context, Rule, fmt

FIX = ("Subtract each sample's largest logit before exponentiating (z = z - z.max(axis=1, keepdims=True)), "
       "or compute the loss from log-softmax: z - log(sum(exp(z))) on the shifted z.")


def detect(ctx: Context):
    """The latent case: a finite loss that a uniform shift of the logits turns into NaN or inf."""
    ref = ctx.reference
    if ref is None:
        return _health.skip(ctx, RULE.name, _health.NOT_RECOGNISED)
    if not ref.head.startswith("softmax"):
        return []
    probe = (ctx.measurement.get("health") or {}).get("softmax_shift") or {}
    if probe.get("skipped") == "no-output-bias":
        return _health.skip(ctx, RULE.name, "the output layer has no bias to shift the logits with")
    if probe.get("bias") != ref.biases[-1] or "loss" not in probe or probe.get("error"):
        return []
    loss = probe["loss"]
    if loss is not None and np.isfinite(loss):
        return []
    message = (f"Your loss is finite here, but adding {fmt(probe['shift'])} to every logit (through the output bias "
               f"{probe['bias']}) makes it {'NaN or inf' if loss is None else loss}. Softmax is unchanged by such a "
               f"shift, so your softmax exponentiates the logits unshifted: it will overflow as soon as a logit passes "
               f"709.78 during training.")
    f = ctx.finding(RULE, _health.param_checks(ctx, probe["bias"]), message, FIX,
                    {"shift": probe["shift"], "bias": probe["bias"], "shifted_loss": loss}, claim=False,
                    severity="warning")
    f.layers = [len(ref.weights)]
    return [f]


def judge_non_finite(file: str, record: dict[str, Any], arrays: dict[str, np.ndarray]) -> Finding | None:
    """The loss is NaN or inf: a finding if the logits at the real parameters leave exp's range."""
    ref_dict = record.get("reference")
    if not ref_dict or "X" not in arrays or "y" not in arrays:
        return None
    params = {k.split(":", 1)[1]: v for k, v in arrays.items() if k.startswith("param:")}
    ref = Reference.from_dict(ref_dict, params, arrays["X"], arrays["y"])
    if ref is None or not ref.head.startswith("softmax"):
        return None
    scale = float(record["scale"])
    with np.errstate(all="ignore"):
        scaled = {k: v * scale for k, v in params.items()}
        fitted = ref.loss(scaled, arrays["X"])
        rtol = 1e-3 if record.get("dtype") == "float32" else 1e-6
        if not np.isclose(fitted, float(record["scaled_loss"]), rtol=rtol, atol=1e-9):
            return None  # the network recognised at the scaled point does not reproduce the user's loss
        z = ref.forward(params, arrays["X"]).z[-1]
    seen = exp_range(z, ref.targets, record.get("dtype", "float64"))
    overflow = seen["max_logit"] > seen["overflow_at"]
    underflow = seen["max_gap"] > seen["underflow_at"]
    if not (overflow or underflow):
        return None
    why = []
    if overflow:
        why.append(f"the largest logit is {fmt(seen['max_logit'])}, and exp() overflows to inf above "
                   f"{seen['overflow_at']:.2f} ({record.get('dtype', 'float64')}), so softmax computes inf / inf = NaN")
    if underflow and not overflow:
        why.append(f"a target class's logit lies {fmt(seen['max_gap'])} below its sample's largest, so its probability "
                   f"underflows to exactly 0 (past {seen['underflow_at']:.2f}) and log(0) = -inf")
    error = record.get("error") or {}
    message = (f"{error.get('message') or 'The loss is not finite'}: " + "".join(why) + ". "
               f"Nothing could be checked. (Recognised network: {ref.describe()}.)")
    fix = FIX + " Then start with smaller weights (std np.sqrt(1 / fan_in)) and inputs near unit scale."
    evidence = {**seen, "scale": scale, "network": ref.describe()}
    return Finding(rule=RULE.name, severity="error", message=message, parameters=[ref.weights[-1]],
                   layers=[len(ref.weights)], file=file, fix=fix, evidence=evidence)


RULE = Rule(
    name="softmax-overflow",
    severity="error",
    category="health",
    summary="exp() overflows: NaN/inf loss (error), or a softmax not shifted by its max (warning).",
    doc=__doc__,
    detect=detect,
)
