"""The inputs are far from unit scale.

## What it means
The inputs `X` are on a scale far above 1: raw pixel values 0-255, prices in
the thousands, ages in years. The scale is the root mean square of all
entries of `X`. The reference value comes from weight initialization and the
first layer's activation: `1 / sqrt(fan_in)` scaling gives the pre-activation
`z` the inputs' own scale, and half of normally distributed `z` lie beyond
0.6745 times that scale. So once the inputs' rms exceeds
`4 / 0.6745 = 5.93` for a sigmoid first layer (`2 / 0.6745 = 2.97` for tanh),
more than half the units of a correctly initialized first layer have `|z|`
past 4 (2), where the derivative has dropped below 7% of its peak (see
`saturating-init`). For a first layer that never saturates (ReLU) the
sigmoid's limit, 5.93, is used: there the harm is the first layer's
curvature, which grows with the square of the inputs' scale (35 times that
of unit-scale inputs at 5.93).

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

import numpy as np

from ..numerics.health import input_scale_limit, looks_like_pixels, saturation_point
from .base import Context, Rule, fmt


def _first_activation(ctx: Context) -> str | None:
    ref = ctx.reference
    if ref is None:
        return None
    if ref.activations:
        return ref.activations[0]
    return "sigmoid" if ref.head.startswith("sigmoid") else None


def detect(ctx: Context):
    X = ctx.arrays.get("X")
    if X is None or X.ndim != 2 or X.size == 0 or not np.all(np.isfinite(X)):
        return []
    rms = float(np.sqrt(np.mean(X ** 2)))
    act = _first_activation(ctx)
    limit = input_scale_limit(act)
    if rms <= limit:
        return []
    columns = ctx.reference is not None and ctx.reference.layout == "columns"
    per_feature = np.sqrt(np.mean(X ** 2, axis=1 if columns else 0))
    pixels = looks_like_pixels(X)
    what = "raw 8-bit pixel values (whole numbers from 0 to 255)" if pixels else "far from unit scale"
    if saturation_point(act or "") is not None:
        why = f"where more than half the units of a 1/sqrt(fan_in)-scaled {act} first layer would saturate"
    else:
        why = (f"the limit for a 1/sqrt(fan_in)-scaled sigmoid layer; the first layer's gradient grows with the "
               f"inputs, so its curvature is {fmt(rms ** 2)} times that of unit-scale inputs and no single step "
               f"size suits every layer")
    message = (f"The inputs are {what}: their rms is {fmt(rms)} (largest feature {fmt(float(per_feature.max()))}), "
               f"above {limit:.2f}, {why}.")
    fix = ("Divide the pixels by 255 (X = X / 255.0)." if pixels else
           "Standardize each feature: X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8), with the mean and "
           "standard deviation taken on the training set.")
    evidence = {"rms": rms, "limit": limit, "activation": act, "max_feature_rms": float(per_feature.max()),
                "min": float(X.min()), "max": float(X.max()), "pixels": pixels}
    f = ctx.finding(RULE, [], message, fix, evidence, claim=False)
    f.layers = [1]
    return [f]


RULE = Rule(
    name="unnormalized-inputs",
    severity="warning",
    category="health",
    summary="Inputs far from unit scale (e.g. pixels 0-255 not divided by 255).",
    doc=__doc__,
    detect=detect,
)
