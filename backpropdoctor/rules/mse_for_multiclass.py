"""Squared error on one-hot targets with more than two classes.

## What it means
The loss is squared error between the network's outputs (sigmoid, softmax or
linear) and one-hot targets over more than two classes: the identified
network's head is squared error, and every target row holds a single 1. The problem shows in the loss's gradient: with a
sigmoid output `a = sigmoid(z)`, squared error gives
`dL/dz = 2 * (a - y) * a * (1 - a)`, and the factor `a * (1 - a)` (at most 0.25)
goes to 0 as outputs saturate near 0 or 1, even when they saturate at the wrong
value. The softmax Jacobian does the same to softmax outputs. With softmax and
cross-entropy, `dL/dz = p - y`: there is no such factor, and the gradient stays
large exactly when the prediction is wrong.

## Why it breaks training
An output that is confidently wrong barely learns, so training slows and
stalls early. With many classes, the cheapest way to reduce squared error is to
push every output toward 0, the target for all but one class, so the network
ends up predicting nearly 0 everywhere and its accuracy sits near chance or on
one class. The loss falls a little and then flattens.

## How it looks in code
```python
A2 = sigmoid(H @ W2 + b2)                        # 10 classes
loss = np.mean((A2 - Y) ** 2)                    # WRONG: squared error on one-hot Y
dZ2 = 2 * (A2 - Y) * A2 * (1 - A2) / A2.size     # vanishes where A2 saturates
```

## The fix
```python
P = softmax(H @ W2 + b2)                         # 10 classes
loss = -np.log(P[np.arange(N), y]).mean()        # cross-entropy, y = class indices
dZ2 = (P - Y) / N                                # no saturating factor
```
"""

from ..numerics.health import is_one_hot
from . import _health
from .base import Context, Rule


def detect(ctx: Context):
    ref = ctx.reference
    if ref is None:
        return _health.skip(ctx, RULE.name, _health.NOT_RECOGNISED)
    if not ref.head.endswith("-mse") or not is_one_hot(ref.targets) or ref.targets.shape[1] <= 2:
        return []
    classes = ref.targets.shape[1]
    out = ref.head.split("-")[0]
    factor = {"sigmoid": " times sigmoid'(z) = a * (1 - a)", "softmax": " times the softmax Jacobian"}.get(out, "")
    message = (f"The loss is squared error on one-hot targets over {classes} classes ({out} outputs): its gradient "
               f"at the output is 2 * (a - y){factor}, which vanishes as outputs saturate, even at the wrong value, "
               f"and pushes every output toward 0.")
    fix = ("Use softmax with cross-entropy for classification: P = softmax(z); loss = -mean(log P[range(N), y]); "
           "the output error is then simply (P - Y) / N.")
    last = _health.dense_layers(ctx)[-1]
    f = ctx.finding(RULE, _health.param_checks(ctx, last.weight, last.bias), message, fix,
                    {"head": ref.head, "classes": classes}, claim=False)
    f.layers = [last.number]
    return [f]


RULE = Rule(
    name="mse-for-multiclass",
    severity="warning",
    category="health",
    summary="Squared error on one-hot targets with more than two classes.",
    doc=__doc__,
    detect=detect,
)
