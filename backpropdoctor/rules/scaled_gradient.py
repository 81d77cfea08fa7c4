"""The gradient has the right direction and the wrong size: analytic = c x numeric.

## What it means
The analytic and numeric gradients are parallel (cosine 1) but differ by a
constant factor c. backpropdoctor names c when it is one of the usual
suspects: the batch size (the loss averages over the batch, the gradient
sums), 1/batch size (the reverse), 2 (the 2 of a squared error counted
twice or never) or 1/2.

## Why it breaks training
Training still goes downhill, but with an effective learning rate c times
the one you set. With c = batch size, a learning rate that should work
makes the loss explode; with c = 1/batch size, training crawls. Changing
the batch size then changes the behaviour, which is a telltale sign.

## How it looks in code
```python
loss = np.mean((pred - y) ** 2)          # averages over the batch
dpred = 2 * (pred - y)                   # wrong: forgot the 1/n of the mean
grads["W"] = X.T @ dpred
```

## The fix
```python
dpred = 2 * (pred - y) / len(X)          # the same 1/n as the loss
grads["W"] = X.T @ dpred
```
Make every factor in the loss appear once in its gradient: the 1/n of a
mean, the 2 of a square, the 1/2 you may have put in front of it.
"""

from ..numerics.signatures import named_scale, scale_fit
import ast

from ..lines import first_line
from ..repair import Edit, Site, assigned_value
from .base import Context, Rule, describe_params, fmt, locate_final


def detect(ctx: Context):
    groups: dict[float, list] = {}
    hits = ctx.signature_hits(lambda p: scale_fit(p.comparison.analytic, p.comparison.numeric),
                              lambda c: c > 0 and abs(c - 1) > ctx.fit_tolerance)
    seen = {p.name for p, _ in hits}
    hits += [(p, c) for p, c in ctx.explained_scales(lambda c: c > 0 and abs(c - 1) > ctx.fit_tolerance)
             if p.name not in seen]
    besides = {p.name for p, _ in hits} - seen  # factors on top of a named bug
    for p, c in hits:
        key = next((k for k in groups if abs(k - c) <= ctx.fit_tolerance * k), c)
        groups.setdefault(key, []).append(p)
    findings = []
    for c, params in groups.items():
        fan_ins = {lay.fan_in for lay in ctx.layers if lay.index in {p.layer for p in params}}
        name = named_scale(c, ctx.batch_size, fan_ins.pop() if len(fan_ins) == 1 else None)
        factor = f"{fmt(c)} times the true gradient" + (f" ({name})" if name else "")
        if any(p.name in besides for p in params):
            message = (f"Besides the bug named above, the gradient of {describe_params(params)} carries a stray "
                       f"factor: it is {factor}.")
        else:
            message = (f"The gradient of {describe_params(params)} is {factor}: "
                       f"right direction (cosine {fmt(min(p.comparison.cosine for p in params))}), wrong size.")
        if name and "batch size" in name and c > 1:
            fix = "Divide the gradient by the batch size, as the loss averages over the batch (or make the loss a sum)."
        elif name and "batch size" in name:
            fix = "The gradient is divided by the batch size once too often, or the loss is a sum while the gradient averages."
        elif name and "of features" in name:
            fix = ("Divide by the number of samples (the batch axis of the layer's input), not by its number of "
                   "features: check which axis your .shape[...] reads.")
        elif name == "2":
            fix = "A factor 2 is counted twice: the loss has a 1/2 in front of the square, or the 2 of the square is applied twice."
        elif name == "1/2":
            fix = "A factor 2 is missing: d/dx (x^2) = 2x; keep the 2, or put 0.5 in front of the squared-error loss."
        else:
            fix = f"Find the extra factor {fmt(c)}: compare every constant in the loss with its gradient."
        findings.append(ctx.finding(RULE, params, message, fix, {"scale": c, "named": name}))
    return findings


def locate(ctx: Context, finding) -> int | None:
    """Where the stray factor enters: the first error signal carrying it, else the final gradient's line."""
    e, scale = ctx.explanation, finding.evidence.get("scale")
    top = next((lay for lay in ctx.layers if finding.layers and lay.index == max(finding.layers)), None)
    whole_layer = top is not None and set(top.names) <= set(finding.parameters)
    if e is not None and scale and finding.layers and whole_layer:  # else the factor is in one tensor's own line
        delta = e.deltas.get(max(finding.layers) - 1)
        if delta is not None:
            line = first_line(ctx.trace, [delta], accept=lambda c: abs(c / scale - 1) < 1e-4)
            if line is not None:
                return line
    return locate_final(ctx, finding)


def _is_shape_index(n) -> bool:
    return (isinstance(n, ast.Subscript) and isinstance(n.value, ast.Attribute) and n.value.attr == "shape"
            and isinstance(n.slice, ast.Constant) and n.slice.value in (0, 1))


def _other_axis(n):
    n.slice = ast.Constant(1 - n.slice.value)
    return n


def repairs(ctx: Context, finding, site: Site) -> list[Edit]:
    """Read the other axis's size (samples, not features), or undo the factor outright."""
    edits = site.rewrites("take the size of the other axis (the samples, not the features)", _is_shape_index, _other_axis)
    scale, value = finding.evidence.get("scale"), assigned_value(site.stmt)
    if scale and value is not None:
        for k, op in ((scale, ast.Div()), (1.0 / scale, ast.Mult())):
            if round(k) >= 2 and abs(k - round(k)) <= 1e-6 * k:  # only whole factors make a readable fix
                word = "divide by" if isinstance(op, ast.Div) else "multiply by"
                edits += site.rewrites(f"{word} {round(k)}", lambda n: n is value,
                                       lambda n, o=op, k=round(k): ast.BinOp(left=n, op=o, right=ast.Constant(k)))
    return edits


RULE = Rule(name="scaled-gradient", severity="error", category="gradient",
            summary="The analytic gradient is a constant multiple of the true gradient.", doc=__doc__, detect=detect,
            locate=locate, repairs=repairs)
