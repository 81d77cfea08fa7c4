"""After a short training run, every prediction is the same class.

## What it means
After a short training run with your own update, the network's prediction (the
argmax of its output) is the same class for every sample of the batch, although
the labels contain more than one class. The reference number is the accuracy of
such a constant guess: that class's share of the batch, for instance 50% on
balanced binary data or 10% on ten balanced classes.

## Why it breaks training
Once the outputs saturate on one class, the gradient that would pull them back
is either tiny (a saturated sigmoid or softmax) or points the wrong way, so the
network stays stuck: accuracy sits at the constant-guess rate while the loss
grows or flattens. Common causes are a flipped gradient or update sign, the
softmax Jacobian applied twice, unnormalized inputs, all-positive weights from
`np.random.rand`, or one step so large that it saturates the output. Other
findings in the same report usually name the cause.

## How it looks in code
```python
params = {"W1": np.random.rand(784, 128),        # WRONG: all positive
          "W2": np.random.rand(128, 10)}
for epoch in range(5):
    g = grads(params, X, y)
    for k in params:
        params[k] += lr * g[k]                   # WRONG: ascends the loss
```

## The fix
```python
params = {"W1": np.random.randn(784, 128) / np.sqrt(784),   # centered, fan-in scaled
          "W2": np.random.randn(128, 10) / np.sqrt(128)}
for epoch in range(5):
    g = grads(params, X, y)
    for k in params:
        params[k] -= lr * g[k]                   # descend
```
"""

from .base import Rule

RULE = Rule(
    name="class-collapse",
    severity="warning",
    category="health",
    summary="After a short training run, all predictions are one class.",
    doc=__doc__,
)
