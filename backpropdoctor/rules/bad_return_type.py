"""A function returned the wrong kind of value.

## What it means
One of your functions returned something of the wrong type. `loss` must return
one number (a float, a NumPy scalar or a one-element array); `grads` must
return a dict with one array per parameter, keyed like `params`;
`loss_and_grads` and `model.loss` must return a pair `(loss, grads)`; `batch()`
must return `(X, y)`. The report says what came back instead, for instance an
array of 64 per-sample losses, `None` from a function without `return`, or a
list of gradients.

## Why it breaks training
It often works in your own script by accident: an array of per-sample losses
still prints, and a list of gradients works if you unpack it in the same
order. The check needs exact values: a finite difference
`(L(w + h) - L(w - h)) / (2 * h)` needs `L` to be one number, and each gradient
is matched to its parameter by name.

## How it looks in code
```python
def loss(params, X, y):
    P = forward(params, X)
    return -np.log(P[np.arange(len(y)), y])       # WRONG: one loss per sample

def grads(params, X, y):
    return [dW1, db1, dW2, db2]                   # WRONG: a list, not a dict
```

## The fix
```python
def loss(params, X, y):
    P = forward(params, X)
    return -np.log(P[np.arange(len(y)), y]).mean()   # one number

def grads(params, X, y):
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
```
"""

from .base import Rule

RULE = Rule(
    name="bad-return-type",
    severity="error",
    category="input",
    summary="loss not one number, grads not a dict of arrays, or not a pair.",
    doc=__doc__,
)
