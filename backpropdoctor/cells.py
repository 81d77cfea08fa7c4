"""Name notebook cells in a Report (parent side).

A notebook is checked as the script its code cells make (see
`adapters.notebook`), so the child, the tracer and the rules all count
script lines. This is the one place those lines become what the student
sees: the cell, the line within it, and the cell's own text around it.
"""

from __future__ import annotations

from pathlib import Path

from .adapters.loader import PROTOCOL_NAMES
from .adapters.notebook import NotebookError, is_notebook, read
from .report import Report


def name_cells(report: Report) -> Report:
    """Turn script lines into (cell, line in cell) on every finding about the notebook itself."""
    if not is_notebook(report.file):
        return report
    try:
        script = read(report.file, PROTOCOL_NAMES)
    except NotebookError:  # the loader already reported it as malformed-notebook
        return report
    home = Path(report.file).resolve()
    for f in report.findings:
        if not f.file or Path(f.file).resolve() != home:
            continue
        found = script.where(f.line)
        f.cell, f.line = found if found else (None, None)
        f.source = script.excerpt(*found) if found else []
    report.notes = script.notes() + report.notes
    return report
