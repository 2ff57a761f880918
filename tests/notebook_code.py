"""Load the functions a notebook defines, so checks can be tested on the real solutions and stubs."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from utils.build import BEGIN_MARKER, SETUP_TAG

ROOT = Path(__file__).resolve().parent.parent


def _code_cells(folder: str, name: str) -> list[str]:
    """Sources of the code cells of a notebook, without the shared setup cell."""
    notebook = nbformat.read(ROOT / folder / f"{name}.ipynb", as_version=4)
    return [cell.source for cell in notebook.cells
            if cell.cell_type == "code" and SETUP_TAG not in cell.metadata.get("tags", [])]


def _assigned_names(statement: ast.stmt) -> set[str]:
    """Plain names an assignment binds (empty for other statements)."""
    if not isinstance(statement, ast.Assign):
        return set()
    return {target.id for target in statement.targets if isinstance(target, ast.Name)}


def _answer_names(name: str) -> set[str]:
    """Names the solution notebook assigns at top level in cells with a solution region (value exercises)."""
    return {assigned for source in _code_cells("solutions", name) if BEGIN_MARKER in source
            for statement in ast.parse(source).body for assigned in _assigned_names(statement)}


def notebook_namespace(folder: str, name: str) -> dict:
    """Run a notebook's imports, function and class definitions and answer values (not its demos); return them.

    The answer values are found by the names the solution assigns in its
    solution regions, so the same names pick the placeholders (``...``) out of
    the exercise notebook.
    """
    answers = _answer_names(name)
    namespace: dict = {}
    for source in _code_cells(folder, name):
        kept = [statement for statement in ast.parse(source).body
                if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))
                or _assigned_names(statement) & answers]
        exec(compile(ast.Module(body=kept, type_ignores=[]), f"{folder}/{name}.ipynb", "exec"), namespace)
    return namespace
