"""All units of a layer start with identical weights.

## What it means
Every unit of a layer has the same incoming weights, as with a weight matrix of
zeros or one filled with a constant. The number behind it is exact: the spread
between the units' weight columns is 0. Identical units compute identical
activations, receive identical gradients and take identical steps, so they stay
identical forever. Biases starting at zero are fine; it is the weights that
must differ. (An all-zero last layer on top of random hidden layers recovers,
since its units receive different errors; hidden layers do not.)

## Why it breaks training
A layer of 64 identical units is one unit copied 64 times, so the network has
the capacity of a much smaller one: the loss plateaus high and accuracy stays
low. With zero weights in every layer, the first step moves only the last
layer, and from then on the hidden units remain exact copies of each other.

## How it looks in code
```python
W1 = np.zeros((784, 64))          # WRONG: every hidden unit identical
b1 = np.zeros(64)
W2 = np.zeros((64, 10))           # WRONG: same for the output layer's inputs
b2 = np.zeros(10)
```

## The fix
```python
rng = np.random.default_rng(0)
W1 = rng.normal(0, 1 / np.sqrt(784), (784, 64))   # random weights break the symmetry
b1 = np.zeros(64)                                 # zero biases are fine
W2 = rng.normal(0, 1 / np.sqrt(64), (64, 10))
b2 = np.zeros(10)
```
"""

from .base import Rule

RULE = Rule(
    name="symmetric-init",
    severity="warning",
    category="health",
    summary="Identical weights across a layer's units: they can never differ.",
    doc=__doc__,
)
