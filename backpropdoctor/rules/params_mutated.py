"""Computing the loss or the gradient changed the parameters.

## What it means
backpropdoctor compares every parameter array bit for bit before and
after each call to your loss and gradient functions. Here a call left
them changed (an update applied inside the gradient function, an
in-place `+=` on a parameter, a parameter rebound to a new array). The
tool restored them and went on, so the gradient figures are still valid.

## Why it breaks training
Training applies the update twice (once hidden in the gradient, once in
the loop), or the parameters drift every time you merely evaluate the
loss, for example when printing it. Results then depend on how often you
look.

## How it looks in code
```python
def grads(params, X, y):
    ...
    params["W1"] -= 0.1 * dW1         # an update hidden in the gradient
    return {"W1": dW1, "b1": db1}
```

## The fix
```python
def grads(params, X, y):
    ...
    return {"W1": dW1, "b1": db1}     # compute only; update elsewhere
```
Keep loss and gradient functions free of side effects on the parameters.
"""

from .base import Context, Rule


def detect(ctx: Context):
    findings = []
    by_name = {p.name: p for p in ctx.params}
    for mutation in ctx.measurement.get("mutations") or []:
        params = [by_name[n] for n in mutation["parameters"] if n in by_name]
        names = ", ".join(mutation["parameters"])
        message = f"Calling {mutation['by']} changed {names}; backpropdoctor restored them before going on."
        fix = f"Make {mutation['by']} compute without modifying the parameters; apply updates in one place."
        findings.append(ctx.finding(RULE, params, message, fix, dict(mutation), claim=False))
    drifted = ctx.measurement.get("restored_after_probing") or []
    if drifted and not findings:
        params = [by_name[n] for n in drifted if n in by_name]
        message = (f"{', '.join(drifted)} changed while the check ran (some call to your loss or gradient modifies "
                   "them, not every time); backpropdoctor restored them.")
        fix = "Make loss and gradient functions compute without modifying the parameters."
        findings.append(ctx.finding(RULE, params, message, fix, {"parameters": drifted}, claim=False))
    return findings


RULE = Rule(name="params-mutated", severity="error", category="gradient",
            summary="Calling loss or grads modified the parameters.", doc=__doc__, detect=detect)
