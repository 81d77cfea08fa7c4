"""The gradient differs from the true one by a multiple of the parameter: an L2 term is off.

## What it means
analytic - numeric = lambda x parameter, for one lambda across the whole
tensor. If lambda < 0, the loss has an L2 penalty (lambda/2 x sum W^2)
that your gradient leaves out; if lambda > 0, your gradient adds a
weight-decay term the loss does not have, or adds it twice.

## Why it breaks training
The network is trained on a different objective from the one you report:
with the term missing the weights grow without the penalty you asked for;
with it doubled they shrink too hard. The reported loss and the training
behaviour disagree, and tuning the regularization strength seems to do
nothing sensible.

## How it looks in code
```python
loss = data_loss + 0.5 * reg * np.sum(W1 * W1)
grads["W1"] = X.T @ dz1                  # forgot reg * W1
```

## The fix
```python
grads["W1"] = X.T @ dz1 + reg * W1       # d/dW (0.5 * reg * W^2) = reg * W
```
Regularize in one place: either the loss and its gradient both have the
term, or neither does (and the update applies weight decay explicitly).
"""

from ..numerics.signatures import regularization_fit
from .base import Context, Rule, locate_final, describe_params, fmt


def detect(ctx: Context):
    hits = ctx.signature_hits(
        lambda p: regularization_fit(p.comparison.analytic, p.comparison.numeric, p.comparison.values),
        lambda lam: lam != 0.0)
    findings = []
    for sign in (-1, 1):
        group = [(p, lam) for p, lam in hits if (lam < 0) == (sign < 0)]
        if not group:
            continue
        params = [p for p, _ in group]
        lams = ", ".join(f"{p.name}: {fmt(lam)}" for p, lam in group)
        adds = ", ".join(f"{fmt(abs(lam))} * {p.name}" for p, lam in group)
        if sign < 0:
            message = (f"The gradient of {describe_params(params)} lacks an L2 term the loss has: "
                       f"analytic - numeric = lambda x parameter ({lams}).")
            fix = (f"Add the derivative of the penalty to the gradient ({adds}): for loss += reg * sum(W**2) "
                   "it is 2 * reg * W; for 0.5 * reg * sum(W**2), reg * W.")
        else:
            message = (f"The gradient of {describe_params(params)} has an L2 term the loss lacks, or has it twice: "
                       f"analytic - numeric = lambda x parameter ({lams}).")
            fix = (f"The gradient carries an extra {adds}: add the penalty to the loss once, or remove the extra "
                   "term from the gradient.")
        findings.append(ctx.finding(RULE, params, message, fix, {"lambda": {p.name: lam for p, lam in group}}))
    return findings


RULE = Rule(name="regularization-gradient", severity="error", category="gradient",
            summary="analytic - numeric is proportional to the parameter: an L2 term missing or doubled.",
            doc=__doc__, detect=detect, locate=locate_final)
