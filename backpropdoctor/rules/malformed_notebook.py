"""The notebook file cannot be read as a Jupyter notebook.

## What it means
A `.ipynb` file is JSON: a list of cells, each with its source text.
backpropdoctor reads it with the standard library and runs its code cells top
to bottom. This file is not valid JSON (often a notebook damaged by a merge
conflict, a manual edit or a download that stopped half-way), is in the old
notebook format 3, or has a cell without text. The message says which, and
where the JSON breaks. Like every input problem, this ends the check with exit
code 2.

## Why it breaks training
It never gets that far: without the cells there is no code to run. Jupyter
itself usually refuses to open such a file, or opens it empty.

## How it looks in code
```
{
 "cells": [
  {"cell_type": "code", "source": ["import numpy as np\n"]}
<<<<<<< HEAD                          WRONG: a merge conflict left in the JSON
```

## The fix
Open the notebook in Jupyter and save it again (an old-format notebook is
converted to format 4 on saving), or restore it from a good copy.
`python -m json.tool model.ipynb` shows the line where the JSON breaks.
"""

from .base import Rule

RULE = Rule(
    name="malformed-notebook",
    severity="error",
    category="input",
    summary="A .ipynb file that is not a readable Jupyter notebook (bad JSON, format 3, a cell without text).",
    doc=__doc__,
)
