"""The initial cross-entropy is far from ln C.

## What it means
The cross-entropy at the initial parameters is far from `ln C`, where `C` is
the number of classes. The reference comes from the loss: small random weights
give nearly equal logits, so softmax assigns about `1 / C` to every class and
the cross-entropy is `-ln(1 / C) = ln C`: 0.693 for 2 classes, 2.303 for 10,
3.258 for 26. A starting loss well above that means the network is confidently
wrong before training begins; one clearly below it usually means the loss is
scaled differently than it claims, for example divided by the number of
classes as well as the batch size.

## Why it breaks training
A high starting loss means large initial logits: the softmax is saturated, the
first steps are spent just shrinking the logits (the "hockey stick" loss
curve), and with a saturated output the network may never recover. A loss that
starts in the wrong place is also a cheap hint of a bug in the loss itself.

## How it looks in code
```python
W2 = np.random.randn(128, 10)                    # WRONG: std 1, logits far from 0
b2 = np.zeros(10)
P = softmax(H @ W2 + b2)
loss = -np.log(P[np.arange(N), y]).mean()        # starts far above ln 10 = 2.30
```

## The fix
```python
W2 = np.random.randn(128, 10) * 0.01             # small last layer: logits near 0
b2 = np.zeros(10)
P = softmax(H @ W2 + b2)
loss = -np.log(P[np.arange(N), y]).mean()        # starts near ln 10 = 2.30
```
"""

from .base import Rule

RULE = Rule(
    name="loss-at-init",
    severity="warning",
    category="health",
    summary="Initial cross-entropy far from ln C, its value for small random weights.",
    doc=__doc__,
)
