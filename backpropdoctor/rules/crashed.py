"""The process running your file died.

## What it means
The process that loaded and checked your file ended without reporting back,
so no result exists. Either it was killed by a signal, `SIGSEGV` (a
segmentation fault in native code, `ctypes` or a corrupted array) or `SIGKILL`
(most often the machine running out of memory), or your code ended it with
`os._exit()`. The report gives the signal or exit status and, when it can, the
line of your file that was running.

## Why it breaks training
A crash here usually happens in your own runs too, given the same data. With
numpy the common one is memory: an intermediate array with a batch axis and two
layer axes, like per-sample outer products of shape (N, 784, 128), needs
N * 784 * 128 * 8 bytes, about 8 GB for N = 10000.

## How it looks in code
```python
def grads(params, X, y):
    dZ1 = hidden_error(params, X, y)              # (N, 128)
    outer = X[:, :, None] * dZ1[:, None, :]       # WRONG: (N, 784, 128), 8 GB at N = 10000
    return {"W1": outer.sum(axis=0), "b1": dZ1.sum(axis=0)}
```

## The fix
```python
def grads(params, X, y):
    dZ1 = hidden_error(params, X, y)              # (N, 128)
    dW1 = X.T @ dZ1                               # (784, 128): the same sum, no big array
    return {"W1": dW1, "b1": dZ1.sum(axis=0)}
```
Also remove any `os._exit()` from code the check runs.
"""

from .base import Rule

RULE = Rule(
    name="crashed",
    severity="error",
    category="input",
    summary="The process running your file died (segfault, out of memory, os._exit).",
    doc=__doc__,
)
