"""All weights of a layer have the same sign.

## What it means
Every weight of a layer is positive (or every one negative), as
`np.random.rand` produces: uniform on [0, 1), mean 0.5. The rule looks at
layers of at least 10 weights: a zero-centred init gives `n` weights one
sign with probability `2**(1 - n)`, 0.2% for 10 weights, so one sign
throughout is no accident. (A layer filled with a single constant is
reported as `symmetric-init` instead.) All terms of the pre-activation then push the
same way: with `fan_in` positive inputs of mean `m`, `z` averages about
`fan_in * m * 0.5`, which grows with the layer's width instead of staying
near 0 (about 50 for 784 MNIST pixels scaled to [0, 1]). Where that matters
comes from the activation: past `|z|` of about 4 (sigmoid) or 2 (tanh) the
units are saturated (see `saturating-init`); ReLU units are all on together
and act like one linear unit.

## Why it breaks training
Every unit starts pushed to the same side, and the output logits are large and
alike across inputs, so the network predicts one class with near certainty
from the first epoch. The starting loss is large, gradients through saturated
units are tiny, and training may never recover: the classic "it always
predicts the same class".

## How it looks in code
```python
W1 = np.random.rand(784, 128)          # WRONG: all in [0, 1), mean 0.5
W2 = np.random.rand(128, 10)           # WRONG: same
h = sigmoid(X @ W1)                    # z averages about 50: every h is 1
```

## The fix
```python
W1 = np.random.randn(784, 128) / np.sqrt(784)   # centered on 0, std 1/sqrt(fan_in)
W2 = np.random.randn(128, 10) / np.sqrt(128)
h = sigmoid(X @ W1)
```
A symmetric uniform works too: `np.random.uniform(-r, r, shape)` with
`r = np.sqrt(3 / fan_in)` has the same standard deviation.
"""

from ..numerics.health import ONE_SIGN_MIN_WEIGHTS, one_sign
from . import _health
from .base import Context, Rule, describe_params, fmt


def detect(ctx: Context):
    hits, evidence = [], {}
    for layer in _health.dense_layers(ctx):
        sign = one_sign(layer.w)
        if sign == 0:
            continue
        hits.append(layer)
        evidence[layer.weight] = {"sign": sign, "size": int(layer.w.size), "min": float(layer.w.min()),
                                  "max": float(layer.w.max()), "mean": float(layer.w.mean())}
    if not hits:
        return []
    params = _health.param_checks(ctx, *(layer.weight for layer in hits))
    parts = [f"all {layer.w.size} weights of {layer.weight} are {'positive' if evidence[layer.weight]['sign'] > 0 else 'negative'} "
             f"(from {fmt(evidence[layer.weight]['min'])} to {fmt(evidence[layer.weight]['max'])})" for layer in hits]
    message = (f"Non-centred initial weights in {describe_params(params) if params else ', '.join(h.weight for h in hits)}: "
               + "; ".join(parts) + f". A zero-centred init gives one sign to {ONE_SIGN_MIN_WEIGHTS} or more weights "
               f"with probability below 0.2%, as np.random.rand does every time.")
    fix = ("Draw weights centred on 0: rng.standard_normal(shape) * np.sqrt(1 / fan_in) "
           "(or np.sqrt(2 / fan_in) before a ReLU) instead of np.random.rand.")
    f = ctx.finding(RULE, params, message, fix, {"layers": evidence}, claim=False)
    f.layers = sorted({layer.number for layer in hits})
    return [f]


RULE = Rule(
    name="non-centered-init",
    severity="warning",
    category="health",
    summary="All weights of a layer share one sign (e.g. np.random.rand).",
    doc=__doc__,
    detect=detect,
)
