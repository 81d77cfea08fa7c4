"""The batch is reduced at the wrong point of the chain rule.

## What it means
Each sample contributes its own product of input and error, and the sum over
the batch comes last: `dW = X.T @ dZ`, that is the sum over samples n of
`outer(x_n, dz_n)`. This rule fires when the gradient matches a version where
the batch was summed or averaged too early, for example the error `P - Y`
summed over samples before it is multiplied by per-sample factors (the
activation derivative, the layer's inputs), or when a sum runs over the wrong
axis. A telltale sign: such a gradient agrees with finite differences on a
batch of one sample and disagrees on larger batches.

## Why it breaks training
Summing first mixes the samples: the update becomes (sum of inputs) times (sum
of errors) instead of the sum of each input times its own error. Errors of
opposite sign cancel before they reach the weights, so the network can only
learn the average target: the loss stalls near the value of a constant
prediction and every input gets the same answer, often a single class.

## How it looks in code
```python
# H: (N, 128) hidden activations, P: (N, 10) sigmoid outputs, Y: (N, 10) one-hot
err = (P - Y).sum(axis=0, keepdims=True)   # WRONG: batch summed before the chain rule
dZ2 = err * P * (1 - P)
dW2 = H.T @ dZ2
db2 = dZ2.sum(axis=0)
```

## The fix
```python
# H: (N, 128) hidden activations, P: (N, 10) sigmoid outputs, Y: (N, 10) one-hot
err = P - Y                                # one row per sample
dZ2 = err * P * (1 - P)
dW2 = H.T @ dZ2                            # the sum over samples happens here
db2 = dZ2.sum(axis=0)
```
Keep the batch axis until the final product with the layer's inputs; only
bias gradients are summed directly.
"""

from .base import Rule

RULE = Rule(
    name="wrong-reduction",
    severity="error",
    category="diagnosis",
    summary="Batch summed or averaged before the chain rule, or over the wrong axis.",
    doc=__doc__,
)
