"""NaN or inf in the loss, the gradients or the parameters.

## What it means
NaN or inf turned up where the check needs finite numbers: the loss at your
initial parameters, one of the returned gradients, or a parameter before any
step was taken. A finite difference subtracts two nearby losses, and anything
minus inf or NaN is NaN, so there is nothing to compare. The usual sources are
`np.log(0)`, which is -inf, when a predicted probability is exactly 0 or 1;
`np.exp` of a large number (inf above about 709.78 in float64); `0 / 0`; and
`np.sqrt` of a negative number.

## Why it breaks training
One NaN in an update spreads to every weight it touches within a step or two;
after that every output is NaN, the loss prints `nan`, and accuracy freezes
(the argmax of NaNs is always class 0). If the NaN only appears after some
epochs, see `softmax-overflow` and `learning-rate`.

## How it looks in code
```python
def loss(params, X, y):
    p = sigmoid(X @ params["W"] + params["b"])
    # WRONG: p is exactly 1.0 once z > ~37, and log(1 - p) is -inf
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
```

## The fix
```python
def loss(params, X, y):
    z = X @ params["W"] + params["b"]
    # -log(sigmoid(z)) = logaddexp(0, -z): computed without ever forming log(0)
    return np.mean(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))
```
A quicker patch is `p = np.clip(p, 1e-12, 1 - 1e-12)` before the logs.
"""

from .base import Rule

RULE = Rule(
    name="non-finite",
    severity="error",
    category="input",
    summary="NaN or inf in the loss, gradients or parameters at the checked point.",
    doc=__doc__,
)
