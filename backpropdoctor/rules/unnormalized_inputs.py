"""The inputs are far from unit scale.

## What it means
The inputs `X` are on a scale far from 1: raw pixel values 0-255, prices in
the thousands, or features whose standard deviation or largest absolute value
is far from 1. The reference value 1 comes from weight initialization: schemes
like `1 / sqrt(fan_in)` assume inputs of roughly unit variance so that the
pre-activation `z` also has roughly unit scale. Inputs 255 times too large
make `z` about 255 times too large, far past `|z| = 4`, where sigmoid's
derivative has dropped below 7% of its peak.

## Why it breaks training
Units saturate on the very first batch, and since the first layer's weight
gradient is proportional to the inputs, its steps are hundreds of times larger
than the other layers': the loss jumps to huge values, softmax overflows to
NaN, or training crawls because no single learning rate suits all layers.
Features on very different scales also make gradient descent zig-zag across a
narrow valley.

## How it looks in code
```python
X = images.reshape(len(images), -1).astype(float)   # WRONG: pixels still 0-255
W1 = np.random.randn(784, 128) / np.sqrt(784)
h = sigmoid(X @ W1)                                 # |z| in the tens or hundreds
```

## The fix
```python
X = images.reshape(len(images), -1).astype(float) / 255.0   # pixels in [0, 1]
W1 = np.random.randn(784, 128) / np.sqrt(784)
h = sigmoid(X @ W1)
```
For general features, standardize: `X = (X - mu) / (sd + 1e-8)`, with `mu`
and `sd` computed per feature on the training set and reused for test data.
"""

from .base import Rule

RULE = Rule(
    name="unnormalized-inputs",
    severity="warning",
    category="health",
    summary="Inputs far from unit scale (e.g. pixels 0-255 not divided by 255).",
    doc=__doc__,
)
