"""A gradient's shape differs from its parameter's.

## What it means
The gradient returned for a parameter has a different shape and cannot be the
same numbers laid out differently: `dL/dW` always has exactly the shape of `W`.
A common case is a batch axis that was never summed, like `db2` of shape
(64, 10) for `b2` of shape (10,). A gradient with the same elements and an
extra axis of length 1, like (1, n) for a bias of shape (n,), is still checked
and reported only as a warning, because numpy in-place updates then fail:
`b -= lr * db` with `b` of shape (n,) and `db` of shape (1, n) raises
"non-broadcastable output operand".

## Why it breaks training
With `W = W - lr * dW`, numpy broadcasting may silently turn `W` into a bigger
array of the wrong shape, and the next forward pass fails or computes nonsense;
with `W -= lr * dW`, the update raises. Either way the gradient cannot be
compared entry by entry with finite differences.

## How it looks in code
```python
dZ2 = (P - Y) / N                 # (N, 10)
dW2 = H.T @ dZ2                   # (128, 10), like W2
db2 = dZ2                         # WRONG: (N, 10), the batch axis is still there
return {"W2": dW2, "b2": db2}
```

## The fix
```python
dZ2 = (P - Y) / N                 # (N, 10)
dW2 = H.T @ dZ2                   # (128, 10), like W2
db2 = dZ2.sum(axis=0)             # (10,), like b2
return {"W2": dW2, "b2": db2}
```
"""

from .base import Context, Rule


def detect(ctx: Context):
    """Gradients with the right elements but an extra or missing axis: checked, and warned about."""
    findings = []
    for p in ctx.params:
        note = p.shape_note
        if note and note.get("kind") == "reshaped":
            message = (f"The gradient of {p.name} has shape {tuple(note['got'])} but {p.name} has shape "
                       f"{tuple(note['expected'])}; its values were checked after reshaping.")
            fix = (f"Return it with {p.name}'s shape (for example .reshape({p.name}.shape) or sum with "
                   "keepdims matching the parameter), or an in-place update `param -= lr * grad` will fail.")
            findings.append(ctx.finding(RULE, [p], message, fix, dict(note), claim=False, severity="warning"))
    return findings


RULE = Rule(
    name="shape-mismatch",
    severity="error",
    category="input",
    summary="A gradient's shape differs from its parameter's shape.",
    doc=__doc__,
    detect=detect,
)
