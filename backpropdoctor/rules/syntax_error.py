"""The file is not valid Python.

## What it means
Python could not parse your file, so none of it ran and nothing could be
checked. The report gives the line where Python gave up and its message; an
unclosed bracket is often reported on the line after it. A common case in older
tutorials is Python 2 syntax, such as `print x` without parentheses (Python 3
needs `print(x)`) or `except ValueError, e:`. Like every input problem, this
ends the check with exit code 2.

## Why it breaks training
It never gets that far: the file cannot be imported, so neither the gradient
check nor your own script can run. Python reports only the first syntax error,
so fixing it may reveal the next one.

## How it looks in code
```python
def loss(params, X, y):
    P = forward(params, X)
    print "loss computed"                           # WRONG: Python 2 print statement
    return -np.log(P[np.arange(len(y)), y]).mean()
```

## The fix
```python
def loss(params, X, y):
    P = forward(params, X)
    print("loss computed")                          # Python 3: print is a function
    return -np.log(P[np.arange(len(y)), y]).mean()
```
"""

from .base import Rule

RULE = Rule(
    name="syntax-error",
    severity="error",
    category="input",
    summary="The file does not parse as Python 3 (e.g. Python 2 `print x`).",
    doc=__doc__,
)
