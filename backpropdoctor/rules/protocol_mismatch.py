"""The file does not define what backpropdoctor looks for.

## What it means
The file loaded, but it does not match either protocol. The functional one
needs `params` (a dict of float arrays) or `init_params()`,
`loss(params, X, y)`, one of `grads(params, X, y)`,
`loss_and_grads(params, X, y)` or `train_step(params, X, y, lr)`, and a batch
as module-level `X` and `y` or `batch()`. The model-object one needs a
module-level `model` with a `.params` dict and `.loss(X, y)` returning
`(loss, grads)`. This rule also fires when a returned gradient dict has no
entry for one of the parameters. The report lists what is missing.

## Why it breaks training
It says nothing about your training yet: without parameters and gradients
there is nothing to compare. The usual causes are an instance named `net`
rather than `model`, or weights kept as attributes (`self.W1`) instead of in a
`params` dict. A missing gradient key often means a parameter that is never
trained at all.

## How it looks in code
```python
class Net:
    def __init__(self):
        self.W1 = np.random.randn(2, 8) * 0.5    # WRONG: no params dict
        self.W2 = np.random.randn(8, 2) * 0.5
    def loss(self, X, y): ...                    # returns (loss, grads)
net = Net()                                      # WRONG: looked up as `model`
```

## The fix
```python
class Net:
    def __init__(self):
        self.params = {"W1": np.random.randn(2, 8) * 0.5,
                       "W2": np.random.randn(8, 2) * 0.5}
    def loss(self, X, y): ...                    # (loss, {"W1": dW1, "W2": dW2})
model = Net()
X, y = np.array([[0., 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
```
"""

from .base import Rule

RULE = Rule(
    name="protocol-mismatch",
    severity="error",
    category="input",
    summary="The file lacks params, loss, grads or a batch, or grads lack a key.",
    doc=__doc__,
)
