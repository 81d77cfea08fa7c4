"""exp() overflows: the softmax is not shifted by its max.

## What it means
`np.exp` overflows: in float64, `exp(x)` is `inf` for `x` above about 709.78
(the log of the largest float64; 88.7 in float32), and `inf / inf` is NaN. This
rule fires when the loss is NaN or inf at the checked point, or when it is
finite there but a probe with large logits (hundreds) turns it into NaN or inf,
which shows that your softmax does not subtract the maximum logit before
exponentiating. Softmax does not change when every logit of a sample is shifted
by the same amount, so subtracting the max is free and keeps every exponent at
or below 0.

## Why it breaks training
Once one logit grows past about 710, the loss and every gradient become NaN,
and a single NaN update spreads to all the weights: from then on the network
outputs NaN, the loss prints `nan`, and accuracy freezes (the argmax of NaNs is
class 0). It often works for a few epochs and breaks as the weights grow. It is
an error rather than a warning because a NaN loss leaves nothing to check.

## How it looks in code
```python
def softmax(z):
    e = np.exp(z)                                   # WRONG: inf once any z > 709
    return e / e.sum(axis=1, keepdims=True)

loss = -np.log(softmax(Z2)[np.arange(N), y]).mean()
```

## The fix
```python
def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)            # shift each row by its own max
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

loss = -log_softmax(Z2)[np.arange(N), y].mean()
```
Take the max per sample (`axis=1, keepdims=True`): one max over the whole
batch can underflow other rows to all zeros and give `log(0)`.
"""

from .base import Rule

RULE = Rule(
    name="softmax-overflow",
    severity="error",
    category="health",
    summary="exp() overflows: NaN/inf loss, or softmax not shifted by its max.",
    doc=__doc__,
)
