"""The gradient points uphill: analytic = -c x numeric.

## What it means
Your gradient is the exact opposite of the one finite differences measure:
the analytic and numeric vectors have cosine close to -1 and a ratio of
norms close to 1 (backpropdoctor fits analytic = c x numeric and finds c < 0).
Every entry has the right size and the wrong sign.

## Why it breaks training
Gradient descent subtracts the gradient to go downhill. With the sign
flipped, `params -= lr * grads` climbs: the loss rises every step and the
network ends up confidently predicting one class. Often a second sign
error elsewhere (an update that adds the gradient) cancels it on a small
problem, which is why it "works on XOR" and fails on real data.

## How it looks in code
```python
probs = softmax(h @ W2)
delta_out = onehot - probs          # wrong: dL/dz = probs - onehot
grads["W2"] = h.T @ delta_out / n
params["W2"] += lr * grads["W2"]    # a second flip hides the first
```

## The fix
```python
delta_out = probs - onehot          # d(cross-entropy)/d(logits)
grads["W2"] = h.T @ delta_out / n
params["W2"] -= lr * grads["W2"]    # descend: subtract the gradient
```
Fix the sign where the output error is formed, and make the update
subtract; change both together if they were cancelling each other.
"""

from ..numerics.signatures import named_scale, scale_fit
import ast

from ..lines import first_line
from ..repair import Edit, Site, assigned_value, is_sub, swapped
from .base import Context, Rule, describe_params, fmt


def detect(ctx: Context):
    hits = ctx.signature_hits(lambda p: scale_fit(p.comparison.analytic, p.comparison.numeric), lambda c: c < 0)
    seen = {p.name for p, _ in hits}
    hits += [(p, c) for p, c in ctx.explained_scales(lambda c: c < 0) if p.name not in seen]
    if not hits:
        return []
    params = [p for p, _ in hits]
    scales = sorted({round(-c, 6) for _, c in hits})
    extra = ""
    if any(abs(s - 1) > 1e-3 for s in scales):
        names = [named_scale(s, ctx.batch_size) for s in scales]
        extra = " and scaled by " + ", ".join(n or fmt(s) for s, n in zip(scales, names))
    message = (f"The gradient of {describe_params(params)} has the wrong sign{extra}: "
               f"analytic = {fmt(hits[0][1])} x numeric (cosine {fmt(min(p.comparison.cosine for p in params))}).")
    update = ctx.measurement.get("update") or {}
    fix = "Flip the sign where the output error is formed (for softmax or sigmoid with cross-entropy, dL/dz = probs - targets)."
    if update.get("source") == "update" and update.get("slope", 0.0) < 0:
        fix += (" Your update() adds the gradient, so the two sign errors cancel in training; "
                "fix both together: return the true gradient and subtract it (params -= lr * grads).")
    evidence = {"scale": [c for _, c in hits], "cosine": [p.comparison.cosine for p in params]}
    return [ctx.finding(RULE, params, message, fix, evidence)]


def locate(ctx: Context, finding) -> int | None:
    """The first line holding the output error with its sign reversed."""
    e = ctx.explanation
    if e is None:
        return None
    targets = [-f for f in e.output_forms]
    top = next((c for c in e.choices if c.site == "output"), None)
    if top is not None and top.variant is not None:
        targets += [-m for m in top.markers] + [-top.value]
    return first_line(ctx.trace, targets, accept=lambda c: c > 0)


def _descending_update(source: str, ctx: Context) -> str | None:
    """The source with the user's update() subtracting instead of adding (for a compensated pair)."""
    update = ctx.measurement.get("update") or {}
    if update.get("source") != "update" or update.get("slope", 0.0) >= 0:
        return None
    tree = ast.parse(source)
    func = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "update"), None)
    adds = [n for n in ast.walk(func) if isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Add)] if func else []
    if not adds:
        return None
    lines = source.splitlines(keepends=True)
    for node in adds:
        i = node.lineno - 1
        lines[i] = lines[i].replace("+=", "-=", 1)
    return "".join(lines)


def repairs(ctx: Context, finding, site: Site) -> list[Edit]:
    value = assigned_value(site.stmt)
    edits = site.rewrites("swap the operands of the subtraction", is_sub, swapped)
    if value is not None:
        edits += site.rewrites("negate the value", lambda n: n is value, lambda n: ast.UnaryOp(op=ast.USub(), operand=n))
    paired = []
    for edit in edits:
        both = _descending_update(edit.source, ctx)
        if both is not None:
            paired.append(Edit(edit.description + " and make update() subtract the gradient", both))
    return paired or edits


RULE = Rule(name="flipped-sign", severity="error", category="gradient",
            summary="The analytic gradient is the negative of the true gradient.", doc=__doc__, detect=detect,
            locate=locate, repairs=repairs)
