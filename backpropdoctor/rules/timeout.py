"""The check did not finish in time.

## What it means
The check did not finish within the limit set by `--timeout` (in seconds).
backpropdoctor runs your file in a separate process, stops it when the limit
passes, and reports the line of your file it was running, when it can tell.
Usual causes: training at import time (a loop over epochs at module level,
which runs every time the file is loaded), an endless `while` loop, or a model
so large that each loss evaluation is slow, since finite differences call your
loss twice for every entry they check.

## Why it breaks training
Your training is not necessarily wrong, but the check never reaches your
gradients. Loading a file runs everything at its top level, so a training loop
there reruns whenever anything imports the file, including tests and
backpropdoctor.

## How it looks in code
```python
params = init_params()
X, y = load_batch()
for epoch in range(1000):                 # WRONG: trains whenever the file is loaded
    g = grads(params, X, y)
    for k in params:
        params[k] -= 0.1 * g[k]
```

## The fix
```python
params = init_params()
X, y = load_batch()
if __name__ == "__main__":                # runs only with `python model.py`
    for epoch in range(1000):
        g = grads(params, X, y)
        for k in params:
            params[k] -= 0.1 * g[k]
```
backpropdoctor loads the file as a module, so the guarded loop is skipped. For
a genuinely slow model, check on a small batch (8 to 32 samples) or raise
`--timeout`.
"""

from .base import Rule

RULE = Rule(
    name="timeout",
    severity="error",
    category="input",
    summary="The check did not finish within --timeout seconds.",
    doc=__doc__,
)
