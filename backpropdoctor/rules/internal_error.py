"""backpropdoctor itself failed.

## What it means
An exception was raised inside backpropdoctor's own code while it checked your
file, not inside yours. The result says nothing about your network: it is a bug
in the tool. The report includes backpropdoctor's traceback.

## Why it breaks training
It does not: your training may be fine or not, and the check simply could not
tell. Nothing in your file has to change because of this finding.

## How it looks in code
```python
import numpy as np
# Any file can hit this, including a perfectly valid one like this:
params = {"W": np.random.randn(2, 1) * 0.5, "b": np.zeros(1)}
def loss(params, X, y): ...
def grads(params, X, y): ...
X, y = np.ones((4, 2)), np.ones((4, 1))
```

## The fix
Please report it to the backpropdoctor maintainers, with the file (or a smaller
one that still fails), the full output including the traceback, and your
versions:
```python
import sys, numpy
print(sys.version, numpy.__version__)   # include this in the report
```
"""

from .base import Rule

RULE = Rule(
    name="internal-error",
    severity="error",
    category="input",
    summary="backpropdoctor itself failed; please report it with the file.",
    doc=__doc__,
)
