"""One of your functions raised while being called.

## What it means
Your file loaded, but a function backpropdoctor called raised an exception:
`loss`, `grads`, `loss_and_grads`, `train_step`, `update`, `batch()` or
`model.loss`. The report names the call, the exception and the deepest line of
your file in the traceback. Typical ones: a shape error in a matrix product
(`ValueError: shapes (64,784) and (128,784) not aligned`), a `KeyError` from a
misspelled parameter name, an `IndexError` from a hard-coded batch size, or
`sys.exit()` inside a function.

## Why it breaks training
The same call would fail in your own training loop, perhaps on a path your
script does not reach. backpropdoctor calls your functions exactly as the
protocol says, for example `loss(params, X, y)` with the parameters it is
checking and the batch you provided, so code that ignores its arguments or
assumes a fixed batch size fails here first.

## How it looks in code
```python
N = 60000                                        # size of the full training set
def loss(params, X, y):
    P = forward(params, X)
    return -np.log(P[np.arange(N), y]).mean()    # WRONG: IndexError on any other batch
```

## The fix
```python
def loss(params, X, y):
    P = forward(params, X)
    N = X.shape[0]                               # the batch actually passed in
    return -np.log(P[np.arange(N), y]).mean()
```
"""

from ..report import Finding
from .base import Context, Rule


def detect(ctx: Context):
    """An update() that raises does not stop the gradient check; it is reported beside it."""
    error = (ctx.measurement.get("update") or {}).get("error")
    if not error:
        return []
    return [Finding(rule=RULE.name, severity=RULE.severity, message=error["message"], file=error.get("file") or ctx.file,
                    line=error.get("line"), fix=error.get("hint") or "Fix update() so it can apply your gradients.",
                    evidence={"detail": error.get("detail")} if error.get("detail") else {})]


RULE = Rule(
    name="user-exception",
    severity="error",
    category="input",
    summary="loss, grads, train_step or update raised while being called.",
    doc=__doc__,
    detect=detect,
)
