"""The activation derivative is evaluated on the wrong tensor.

## What it means
The chain rule through `a = f(z)` needs `upstream * f'(z)`: the derivative
evaluated at the pre-activation `z`. This rule fires when a layer's gradient
instead matches `f'` evaluated on the wrong thing: a helper `s * (1 - s)` that
expects `s = sigmoid(z)` but is given `z`; `sigmoid(a) * (1 - sigmoid(a))`
given the output `a`; or `f'(upstream)` in place of `upstream * f'(z)`. For
sigmoid, `sigmoid(a) * (1 - sigmoid(a))` with `a` in (0, 1) always lies between
0.197 and 0.25, a near constant instead of the real `a * (1 - a)`. For ReLU,
`relu'(a)` equals `relu'(z)` (both are 1 exactly where `z > 0`), so that one
mix-up gives the right gradient and the check cannot see it.

## Why it breaks training
The earlier layers get a gradient of the wrong size for each unit, and with
`f'(upstream)` they lose the sign of the error altogether: sigmoid's derivative
is always positive, so every unit is pushed the same way whatever the mistake
was. The loss falls slowly, wanders, or goes up, and the hidden layer never
learns useful features.

## How it looks in code
```python
def dsigmoid(s):                    # expects s = sigmoid(z)
    return s * (1 - s)

z1 = X @ W1 + b1
h = sigmoid(z1)
dz1 = (dz2 @ W2.T) * dsigmoid(z1)   # WRONG: given the pre-activation z1, not h
```

## The fix
```python
def dsigmoid(s):                    # expects s = sigmoid(z)
    return s * (1 - s)

z1 = X @ W1 + b1
h = sigmoid(z1)
dz1 = (dz2 @ W2.T) * dsigmoid(h)    # s * (1 - s) with s = sigmoid(z1)
```
Name helpers by what they take (`dsigmoid_from_z`, `dsigmoid_from_output`), and
multiply by the upstream gradient rather than passing it in.
"""

from .base import Rule

RULE = Rule(
    name="activation-derivative-wrong-tensor",
    severity="error",
    category="diagnosis",
    summary="Activation derivative taken at the output or upstream grad, not at z.",
    doc=__doc__,
)
