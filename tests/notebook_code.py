"""Load the functions a notebook defines, so checks can be tested on the real solutions and stubs."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from utils.build import BEGIN_MARKER, SETUP_TAG

ROOT = Path(__file__).resolve().parent.parent


def notebook_path(folder: str, name: str) -> Path:
    """Path of e.g. solutions/01_gradient_descent.ipynb."""
    return ROOT / folder / f"{name}.ipynb"


def _definitions(source: str) -> list[ast.stmt]:
    """Imports, function definitions and answer assignments of a cell, nothing that runs a demo."""
    tree = ast.parse(source)
    keep = []
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef)):
            keep.append(statement)
        elif isinstance(statement, ast.Assign) and BEGIN_MARKER in source:
            keep.append(statement)
    return keep


def notebook_namespace(folder: str, name: str) -> dict:
    """Execute the imports, functions and answer values of a notebook (not its demos); return the namespace.

    The exercise notebook has no BEGIN markers left, so its answer values are
    found by the names the solution assigns inside its solution regions.
    """
    notebook = nbformat.read(notebook_path(folder, name), as_version=4)
    namespace: dict = {}
    answer_names = _answer_names(name)
    for cell in notebook.cells:
        if cell.cell_type != "code" or SETUP_TAG in cell.metadata.get("tags", []):
            continue
        tree = ast.parse(cell.source)
        statements = [s for s in tree.body
                      if isinstance(s, (ast.Import, ast.ImportFrom, ast.FunctionDef))
                      or (isinstance(s, ast.Assign) and _assigned_names(s) & answer_names)]
        module = ast.Module(body=statements, type_ignores=[])
        exec(compile(module, f"{folder}/{name}.ipynb", "exec"), namespace)
    return namespace


def _assigned_names(statement: ast.Assign) -> set[str]:
    """Plain names a statement assigns to."""
    return {target.id for target in statement.targets if isinstance(target, ast.Name)}


def _answer_names(name: str) -> set[str]:
    """Names assigned inside solution regions of a solution notebook (value exercises)."""
    notebook = nbformat.read(notebook_path("solutions", name), as_version=4)
    names: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type == "code" and BEGIN_MARKER in cell.source:
            for statement in _definitions(cell.source):
                if isinstance(statement, ast.Assign):
                    names |= _assigned_names(statement)
    return names
