"""Jupyter notebooks as scripts: the code cells top to bottom, with IPython-only lines left out.

Pure: reads the .ipynb JSON (nbformat 4) with the standard library and
returns the script together with where each of its lines came from, so
every line a check reports can be named the way the student sees it:
cell 4, line 7. No user code runs here.

Cells are numbered from 1 at the top of the notebook, markdown cells
included, as a reader counts them. Line magics (`%matplotlib inline`),
shell lines (`!pip install ...`, `files = !ls`), help (`np.dot?`) and
`get_ipython()` calls become `pass` at their own indentation, so the
script keeps one line per cell line and stays valid inside an indented
block; a cell that starts with a cell magic (`%%time`) is run by IPython,
not Python, and is left out whole.

Given the names the check reads (`params`, `loss`, `grads`, `X`...), the
script stops after the last cell that binds one of them: what follows
(training loops, plots, evaluation) cannot define the network and would
only move its parameters away from where the notebook created them. A
cell that does not parse counts as binding, so its error is reported.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import re
import tokenize
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

SUFFIX = ".ipynb"
_ASSIGNED_MAGIC = re.compile(r"^[A-Za-z_][\w.,\s\[\]()*]*=\s*[%!]")  # `out = !ls`, `t = %timeit -o f()`
_IPYTHON_CALL = re.compile(r"^get_ipython\(\)")
_HELP = re.compile(r"^(\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$")  # `np.dot?`, `??forward`: IPython's help
LOADING_TIMEOUT_HINT = (
    "Cell {cell} was still running when the check stopped: it defines a name the check reads, so it runs on every "
    "check, training loop and all. Move the loop to a cell of its own below the last cell that defines params, loss, "
    "grads, X, y... (those cells are not run), or put it under `if __name__ == \"__main__\":` (Jupyter still runs "
    "it: a notebook's __name__ is \"__main__\"), or raise --timeout.")


class NotebookError(ValueError):
    """The file is not a notebook that can be read (bad JSON, not nbformat 4, a cell without text)."""


@dataclass(frozen=True)
class NotebookScript:
    """The script a notebook runs as, and the cell and line each script line came from."""

    text: str
    cells: dict[int, list[str]]  # code cell number -> its lines as written
    origin: list[tuple[int, int]]  # script line n (from 1) -> origin[n - 1] = (cell number, line in cell)
    left_out: list[tuple[int, int, str]] = field(default_factory=list)  # (cell, line, text) of IPython-only lines
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (cell, its cell magic) of cells left out whole
    not_run: list[int] = field(default_factory=list)  # code cells after the last one binding a name the check reads
    last_binding: int | None = None  # that last cell

    def where(self, line: int | None) -> tuple[int, int] | None:
        """(cell, line in cell) of a script line."""
        if not line or not 1 <= line <= len(self.origin):
            return None
        return self.origin[line - 1]

    def place(self, line: int | None) -> str:
        """A script line in the student's terms: 'cell 4, line 7'."""
        found = self.where(line)
        return f"line {line}" if found is None else f"cell {found[0]}, line {found[1]}"

    def excerpt(self, cell: int, line: int, around: int = 2) -> list[tuple[int, str]]:
        """Lines of one cell around `line`, numbered within the cell, as the student wrote them."""
        lines = self.cells.get(cell, [])
        return [(n, lines[n - 1]) for n in range(max(1, line - around), min(len(lines), line + around) + 1)]

    def notes(self) -> list[str]:
        """What of the notebook did not run, in words."""
        notes = []
        if self.left_out:
            shown = ", ".join(f"cell {c} line {n} `{t.strip()}`" for c, n, t in self.left_out[:4])
            more = f" and {len(self.left_out) - 4} more" if len(self.left_out) > 4 else ""
            notes.append(f"Notebook: IPython-only lines were left out (magics, shell commands): {shown}{more}.")
        for cell, magic in self.skipped:
            notes.append(f"Notebook: cell {cell} was not run: it starts with the cell magic {magic}, "
                         "which IPython runs, not Python.")
        if self.not_run:
            cells = ", ".join(map(str, self.not_run))
            notes.append(f"Notebook: cell{'s' if len(self.not_run) > 1 else ''} {cells} not run: cell "
                         f"{self.last_binding} is the last to define a name the check reads (params, loss, grads, "
                         "X, y, model...); a training cell after it would only move the parameters away from where "
                         "your notebook creates them.")
        return notes


def is_notebook(path: str | Path) -> bool:
    return str(path).lower().endswith(SUFFIX)


def read(path: str | Path, reads: Collection[str] = ()) -> NotebookScript:
    """The notebook at `path` as a script; NotebookError says what is wrong with a malformed one."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise NotebookError(f"cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"is not UTF-8 text (byte {exc.start}), so it is not a Jupyter notebook") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} of the "
                            ".ipynb file (a notebook damaged by a merge or a manual edit?)") from None
    return to_script(data, reads)


def to_script(data: object, reads: Collection[str] = ()) -> NotebookScript:
    """A parsed nbformat-4 document as a script (see the module doc for what is left out).

    `reads`: the names the check reads; without them every code cell runs.
    """
    if not isinstance(data, dict):
        raise NotebookError(f"holds a JSON {type(data).__name__}, not a notebook (a JSON object with `cells`)")
    version = data.get("nbformat")
    if "worksheets" in data or (isinstance(version, int) and version < 4):
        raise NotebookError(f"is in the old notebook format {version}; open and save it in a current Jupyter, "
                            "which converts it to format 4")
    cells = data.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("has no `cells` list, so it is not a Jupyter notebook (nbformat 4)")
    runnable: dict[int, list[str]] = {}  # cell -> its lines as Python (IPython-only lines made `pass`)
    code: dict[int, list[str]] = {}
    left_out: list[tuple[int, int, str]] = []
    skipped: list[tuple[int, str]] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"cell {number} is not a cell (a JSON object with a `cell_type`)")
        if cell["cell_type"] != "code":
            continue
        lines = _cell_lines(cell.get("source", ""), number)
        code[number] = lines
        first = next((line.strip() for line in lines if line.strip()), "")
        if first.startswith("%%"):
            skipped.append((number, first.split()[0]))
            continue
        kept: list[str] = []
        for n, line in enumerate(lines, start=1):
            if _ipython_only(line) and not _continues(kept):
                left_out.append((number, n, line))
                line = line[: len(line) - len(line.lstrip())] + "pass"
            kept.append(line)
        runnable[number] = kept
    binding = [number for number, lines in runnable.items() if _binds_any(lines, set(reads))]
    last = binding[-1] if reads and binding else None
    not_run = [number for number in runnable if last is not None and number > last]
    script: list[str] = []
    origin: list[tuple[int, int]] = []
    for number, lines in runnable.items():
        if number not in not_run:
            script.extend(lines)
            origin.extend((number, n) for n in range(1, len(lines) + 1))
    left_out = [entry for entry in left_out if entry[0] not in not_run]
    return NotebookScript("".join(line + "\n" for line in script), code, origin, left_out, skipped, not_run, last)


def _binds_any(lines: list[str], names: set[str]) -> bool:
    """The cell binds one of `names` at module level (assigns, defines, imports it; a star import may),
    or does not parse."""
    try:
        tree = ast.parse("".join(line + "\n" for line in lines))
    except (SyntaxError, ValueError):
        return True
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = {node.name}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = {alias.asname or alias.name.split(".")[0] for alias in node.names}
            if "*" in bound:
                return True
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound = {node.id}
        else:
            bound = set()
            if not isinstance(node, ast.Lambda):
                stack.extend(ast.iter_child_nodes(node))
        if bound & names:
            return True
    return False


def _cell_lines(source: object, number: int) -> list[str]:
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise NotebookError(f"cell {number} has a `source` of type {type(source).__name__}, not text")
    return source.splitlines()


def _ipython_only(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(("%", "!")) or any(p.match(stripped) for p in (_IPYTHON_CALL, _ASSIGNED_MAGIC, _HELP))


def _continues(previous: list[str]) -> bool:
    """The lines so far leave a statement open (a bracket, a string, a backslash): the next line belongs to it."""
    try:
        for _ in tokenize.generate_tokens(io.StringIO("".join(line + "\n" for line in previous)).readline):
            pass
    except tokenize.TokenError:
        return True
    except SyntaxError:
        return False
    return False


def edited_cells(path: str | Path, text: str) -> dict[int, tuple[list[str], list[str]]]:
    """Cell -> (lines before, lines after) for an edit of the notebook's script that keeps every line in place.

    Fixes are edits of one line of the script; this carries them back into
    the cells they came from. Empty when the edit adds or removes lines.
    """
    script = read(path)
    new = text.splitlines()
    if len(new) != len(script.origin):
        return {}
    changed: dict[int, tuple[list[str], list[str]]] = {}
    for (cell, line), before, after in zip(script.origin, script.text.splitlines(), new):
        if before != after:
            old_lines = script.cells[cell]
            changed.setdefault(cell, (old_lines, list(old_lines)))[1][line - 1] = after
    return changed


def edited_notebook(path: str | Path, text: str) -> str | None:
    """The notebook's JSON with an edited script carried back into its cells (None: the edit cannot be)."""
    changed = edited_cells(path, text)
    if not changed:
        return None
    data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    for number, (_, lines) in changed.items():
        data["cells"][number - 1]["source"] = [line + "\n" for line in lines[:-1]] + lines[-1:]
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def cell_patch(path: str | Path, text: str) -> str:
    """A unified diff of the cells an edited script changes, each hunk headed by its cell."""
    name = Path(path).name
    out = [f"--- a/{name}\n", f"+++ b/{name}\n"]
    for number, (before, after) in sorted(edited_cells(path, text).items()):
        for line in list(difflib.unified_diff(before, after, n=1, lineterm=""))[2:]:
            out.append((f"@@ cell {number} " + line[3:] if line.startswith("@@ ") else line) + "\n")
    return "".join(out)


def python_source(path: str | Path) -> str:
    """The Python text a file runs as: the file itself, or a notebook's script."""
    if is_notebook(path):
        return read(path).text
    return Path(path).read_text(encoding="utf-8")


def loading_timeout_hint(path: str | Path, line: int) -> str | None:
    """What to do when the check timed out while a cell was still running (at script `line`)."""
    try:
        found = read(path).where(line)
    except NotebookError:
        return None
    return None if found is None else LOADING_TIMEOUT_HINT.format(cell=found[0])


def place(path: str | Path, line: int | None) -> str:
    """A line of the file that ran, in the user's terms ('line 12', or 'cell 4, line 7' in a notebook)."""
    if is_notebook(path):
        try:
            return read(path).place(line)
        except NotebookError:
            pass
    return f"line {line}"
