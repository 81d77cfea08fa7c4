"""The gradient passes through a nonlinearity without its derivative.

## What it means
Backpropagating through `a = f(z)` needs `dz = da * f'(z)`. This rule fires
when a layer's gradient matches `dz = da`, as if the activation were the
identity: the parameters that read `a` check out, while the ones that produce
`z` (and everything before them) do not. For sigmoid the missing factor is
`s * (1 - s)`, at most 0.25, so those gradients come out at least 4 times too
large; for tanh it is `1 - tanh(z)**2`, at most 1; for ReLU, units with
`z <= 0` get a gradient where the true one is exactly 0.

## Why it breaks training
The earlier layers are trained as if the network were linear. Their steps
ignore which units are saturated or switched off, and with sigmoid they are 4
or more times too big, so the loss jumps around or rises. Even when the loss
does go down, the hidden layer adds little: the network behaves much like a
linear model and plateaus early.

## How it looks in code
```python
z1 = X @ W1 + b1
h = np.tanh(z1)
z2 = h @ W2 + b2
dz2 = (softmax(z2) - Y) / N
dh = dz2 @ W2.T
dz1 = dh                          # WRONG: tanh'(z1) is missing
dW1 = X.T @ dz1
```

## The fix
```python
z1 = X @ W1 + b1
h = np.tanh(z1)
z2 = h @ W2 + b2
dz2 = (softmax(z2) - Y) / N
dh = dz2 @ W2.T
dz1 = dh * (1 - h ** 2)           # tanh'(z1) = 1 - tanh(z1)**2
dW1 = X.T @ dz1
```
Every nonlinearity in the forward pass needs one matching multiplication in
the backward pass.
"""

import ast

import numpy as np

from ..lines import names_showing
from ..numerics.backward import Step, Variant
from ..repair import Edit, Site, assigned_value, expression
from .base import Rule, explained_bugs, locate_choice


def _missing(step: Step) -> list[np.ndarray]:
    if step.upstream is None or step.activation in ("identity", "softmax", "linear"):
        return []
    return [step.upstream]


def _factor_text(activation: str, a: str) -> str | None:
    """f'(z) written with the activation a = f(z) the user already has."""
    if activation == "sigmoid":
        return f"{a} * (1 - {a})"
    if activation == "tanh":
        return f"(1 - {a} ** 2)"
    if activation == "relu":
        return f"({a} > 0)"
    if activation.startswith("leaky_relu("):
        return f"np.where({a} > 0, 1.0, {activation[len('leaky_relu('):-1]})"
    return None


def repairs(ctx, finding, site: Site) -> list[Edit]:
    """Multiply the value handed on by f'(z), written with the user's own activation variable."""
    choice, fwd, value = finding.origin, ctx.forward(), assigned_value(site.stmt)
    if choice is None or fwd is None or value is None:
        return []
    ref, layer = ctx.reference, choice.layer
    activation = ref.activations[layer] if layer < len(ref.activations) else ref.head.split("-")[0]
    edits = []
    for a in names_showing(ctx.trace, fwd.a[layer], finding.line)[:2]:
        factor = _factor_text(activation, a)
        if factor:
            edits += site.rewrites(f"multiply by the derivative, {factor}", lambda n: n is value,
                                   lambda n, f=factor: ast.BinOp(left=n, op=ast.Mult(), right=expression(f)))
    return edits


VARIANTS = (
    Variant("missing-activation-derivative", "derivative", "missing",
            "passes the gradient through the activation without multiplying by its derivative f'(z)",
            "Multiply by the derivative: delta = upstream * f_prime(z).", _missing, where="last-alias"),
    Variant("missing-activation-derivative", "output", "missing",
            "uses dL/da as the output error without multiplying by the output activation's derivative",
            "Multiply by the sigmoid's derivative: delta = dL_da * a * (1 - a) (or use sigmoid + cross-entropy, "
            "where delta = a - y).", _missing, where="last-alias"),
)


RULE = Rule(
    name="missing-activation-derivative",
    severity="error",
    category="diagnosis",
    summary="Upstream gradient passed through an activation without f'(z).",
    doc=__doc__,
    detect=lambda ctx: explained_bugs(ctx, RULE),
    variants=VARIANTS,
    locate=locate_choice,
    repairs=repairs,
)
