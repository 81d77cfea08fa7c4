"""The softmax Jacobian is applied twice, or only its diagonal is used.

## What it means
With softmax outputs `p` and cross-entropy loss, the gradient with respect to
the logits is already `p - onehot` (divided by the batch size if the loss is a
mean): the softmax Jacobian is folded into that formula. This rule fires when
the output layer's gradient matches `p - onehot` multiplied by the Jacobian once
more (or by its diagonal `p * (1 - p)`), which scales each logit's gradient by a
factor of at most 0.25, the peak of `p * (1 - p)`. It also covers the opposite
case: a loss other than cross-entropy on softmax outputs, where the full
Jacobian `diag(p) - p p^T` is needed and only its diagonal `p * (1 - p)` was
applied, dropping the cross terms `-p_i * p_j`.

## Why it breaks training
The extra factor is small and differs from class to class, so the output layer
learns slowly and in a distorted direction: classes the network is already
confident about, right or wrong, get almost no gradient. Students see the loss
stall or creep up while accuracy is stuck, often with the network settling on
one class. Because the sign is usually still right, the model may half work,
which hides the bug for a long time.

## How it looks in code
```python
p = softmax(z2)                   # (N, C)
dz2 = (p - Y) / N                 # already dL/dz2 for softmax + cross-entropy
dz2 = dz2 * p * (1 - p)           # WRONG: softmax derivative applied a second time
dW2 = h.T @ dz2
db2 = dz2.sum(axis=0)
```

## The fix
```python
p = softmax(z2)                   # (N, C)
dz2 = (p - Y) / N                 # nothing more to apply
dW2 = h.T @ dz2
db2 = dz2.sum(axis=0)
```
If your loss is not cross-entropy (say squared error on `p`, with `dp` = dL/dp),
apply the full Jacobian per sample:
`dz2 = p * (dp - np.sum(dp * p, axis=1, keepdims=True))`.
"""

from .base import Rule

RULE = Rule(
    name="softmax-jacobian",
    severity="error",
    category="diagnosis",
    summary="Softmax Jacobian applied on top of p - y, or only its diagonal used.",
    doc=__doc__,
)
