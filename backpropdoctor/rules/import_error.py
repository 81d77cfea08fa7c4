"""Loading the file raised an error.

## What it means
Your file parsed, but running it top to bottom, the way backpropdoctor loads
it, raised. Typical causes: a module-level statement that fails (a data file
that is not found from the current directory, a shape error in setup code), a
`sys.exit()` at module level, or an `import` of a package that is not installed
in the environment backpropdoctor runs in. The file is loaded as a module, not
as `__main__`, so code under `if __name__ == "__main__":` is skipped.

## Why it breaks training
Nothing can be checked until the file loads. The report names the failing line
and the exception; for a missing package, install it in the same environment
(`pip install ...`) or move that import to where it is actually needed.

## How it looks in code
```python
import sys
import numpy as np
import matplotlib.pyplot as plt            # WRONG if matplotlib is not installed
data = np.load("train.npz")                # WRONG: relative to where you ran it
X, y = data["x"][:64] / 255.0, data["y"][:64]
sys.exit(0)                                # WRONG: ends the import
```

## The fix
```python
from pathlib import Path
import numpy as np
data = np.load(Path(__file__).parent / "train.npz")   # relative to this file
X, y = data["x"][:64] / 255.0, data["y"][:64]

if __name__ == "__main__":                 # plots and exits only when run directly
    import matplotlib.pyplot as plt
```
"""

from .base import Rule

RULE = Rule(
    name="import-error",
    severity="error",
    category="input",
    summary="Loading the file raised (module-level error, sys.exit, missing package).",
    doc=__doc__,
)
