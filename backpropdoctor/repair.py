"""Candidate edits of one line of the user's file, and their verification.

A rule that can express its fix as an edit proposes candidates (swap the
operands of a subtraction, turn `=` into `+=`, drop a Jacobian product...).
Each candidate is applied to a copy of the file and the copy is checked
again in a child process; a fix is reported as verified only when the
repaired copy no longer shows the finding and shows nothing new. The
edit is rendered as a unified diff.
"""

from __future__ import annotations

import ast
import copy
import difflib
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .adapters.notebook import cell_patch, edited_notebook, is_notebook, python_source

MAX_CANDIDATES = 6  # per finding
MAX_RUNS = 16  # per file


@dataclass
class Site:
    """The user's file and the statement a finding points at."""

    file: str
    source: str
    tree: ast.AST
    stmt: ast.stmt

    @classmethod
    def at(cls, file: str, line: int | None) -> "Site | None":
        if not line:
            return None
        try:
            source = python_source(file)
            tree = ast.parse(source)
        except (OSError, SyntaxError, ValueError):
            return None
        stmt = statement_at(tree, line)
        return None if stmt is None else cls(file, source, tree, stmt)

    def rewrites(self, description: str, match: Callable[[ast.AST], bool],
                 build: Callable[[ast.AST], ast.AST | None]) -> list["Edit"]:
        """One edit per node of the statement that `match`es, replacing just that node's text.

        Splicing the node's own characters keeps the rest of the line (its
        parentheses, spacing and comments) exactly as the user wrote it.
        """
        edits = []
        for node in [n for n in ast.walk(self.stmt) if match(n)]:
            replacement = build(copy.deepcopy(node))
            if replacement is None or node.lineno != node.end_lineno:
                continue
            text = ast.unparse(replacement)
            if _needs_parentheses(self.stmt, node, replacement):
                text = f"({text})"
            edits.append(Edit(description, self.splice(node.lineno, node.col_offset, node.end_col_offset, text)))
        return edits

    def splice(self, line: int, start: int, end: int, text: str) -> str:
        """Replace columns [start, end) of `line` (UTF-8 byte offsets, as ast gives them)."""
        lines = self.source.splitlines(keepends=True)
        raw = lines[line - 1].encode("utf-8")
        lines[line - 1] = (raw[:start] + text.encode("utf-8") + raw[end:]).decode("utf-8")
        return "".join(lines)

    def augmented(self, description: str) -> "Edit | None":
        """`x = value` written as `x += value`."""
        stmt = self.stmt
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and stmt.lineno == stmt.targets[0].end_lineno):
            return None
        target = stmt.targets[0]
        line = self.source.splitlines(keepends=True)[stmt.lineno - 1].encode("utf-8")
        eq = line.index(b"=", target.end_col_offset)
        return Edit(description, self.splice(stmt.lineno, eq, eq + 1, "+="))


def _needs_parentheses(root: ast.AST, node: ast.AST, replacement: ast.AST) -> bool:
    """An operator expression spliced in as the operand of another operator must keep its own grouping."""
    if not isinstance(replacement, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp)):
        return False
    for parent in ast.walk(root):
        if isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare)) and node in ast.iter_child_nodes(parent):
            return True
        if isinstance(parent, (ast.Attribute, ast.Subscript)) and getattr(parent, "value", None) is node:
            return True
        if isinstance(parent, ast.Call) and parent.func is node:
            return True
    return False


@dataclass(frozen=True)
class Edit:
    """A whole new source text, and what it changes in words."""

    description: str
    source: str


def statement_at(tree: ast.AST, line: int) -> ast.stmt | None:
    """The innermost simple statement that covers `line`."""
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not hasattr(node, "body"):
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                if best is None or node.lineno >= best.lineno:
                    best = node
    return best


def is_sub(node: ast.AST) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)


def swapped(node: ast.BinOp) -> ast.BinOp:
    return ast.BinOp(left=node.right, op=node.op, right=node.left)


def product_operands(node: ast.AST) -> list[ast.AST]:
    """Operands of a product: a @ b, a * b, np.dot(a, b), a.dot(b), np.matmul(a, b)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.MatMult, ast.Mult)):
        return [node.left, node.right]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("dot", "matmul", "multiply") and len(node.args) == 2:
            return list(node.args)
        if node.func.attr == "dot" and len(node.args) == 1:
            return [node.func.value, node.args[0]]
    return []


def reduction_operand(node: ast.AST) -> ast.AST | None:
    """The summed expression of np.sum(x, ...), np.mean(x, ...), x.sum(...), x.mean(...), with .reshape dropped."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    if node.func.attr == "reshape":
        return reduction_operand(node.func.value)
    if node.func.attr in ("sum", "mean"):
        if node.args and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"):
            return node.args[0]
        if not node.args:
            return node.func.value
    return None


def assigned_value(stmt: ast.stmt) -> ast.AST | None:
    return stmt.value if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)) else None


def expression(text: str) -> ast.AST:
    return ast.parse(text, mode="eval").body


def patch(original: str, repaired: str, file: str) -> str:
    if is_notebook(file):
        return cell_patch(file, repaired)
    name = Path(file).name
    return "".join(difflib.unified_diff(original.splitlines(keepends=True), repaired.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}", n=1))


def verify(file: str, findings: list, checker: Callable[[str, str], object], still_there: Callable) -> None:
    """Try each finding's candidate edits on a copy of the file; keep the first that checks clean.

    `checker(path, search_dir)` checks a file and returns a Report;
    `still_there(finding, report)` says whether the report still shows
    the finding (or something new). Candidates run two at a time.
    """
    original = python_source(file)
    jobs = [(f, edit, text) for f in findings for edit in getattr(f, "candidates", [])[:MAX_CANDIDATES]
            for text in [edited_notebook(file, edit.source) if is_notebook(file) else edit.source]
            if text is not None][:MAX_RUNS]
    if not jobs:
        return
    with tempfile.TemporaryDirectory(prefix="backpropdoctor-fix-") as tmp:
        def run(index_job):
            index, (finding, edit, text) = index_job
            copy_path = Path(tmp) / str(index) / Path(file).name
            copy_path.parent.mkdir()
            copy_path.write_text(text, encoding="utf-8")
            return finding, edit, checker(str(copy_path), str(Path(file).resolve().parent))

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(run, enumerate(jobs)))
    for finding, edit, report in results:
        if finding.verified:
            continue
        if not still_there(finding, report):
            finding.verified = True
            finding.patch = patch(original, edit.source, file)
            finding.evidence["verified_edit"] = edit.description
