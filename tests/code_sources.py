"""The code learners' kernels run: notebook code cells and the utils modules, for the guard tests."""

from __future__ import annotations

import re

import nbformat

from utils.build import ROOT

IPYTHON_LINE = re.compile(r"^\s*[%!]")  # magics and shell lines are not Python
INSTRUCTOR_ONLY = {"utils/build.py"}  # the build tool, which only instructors run (on Python 3.11+)


def python_only(source: str) -> str:
    """A cell's source with IPython's magic and shell lines blanked (line numbers kept)."""
    return "\n".join("" if IPYTHON_LINE.match(line) else line for line in source.split("\n"))


def code_pieces(instructor_tools: bool = True) -> list[tuple[str, str]]:
    """(where, code) for every code cell of every notebook and every Python file in utils."""
    pieces = []
    for folder in ("solutions", "notebooks"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            cells = nbformat.read(path, as_version=4).cells
            pieces += [(f"{folder}/{path.name}, cell {number}", cell.source)
                       for number, cell in enumerate(cells) if cell.cell_type == "code"]
    for path in sorted((ROOT / "utils").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        if instructor_tools or where not in INSTRUCTOR_ONLY:
            pieces.append((where, path.read_text(encoding="utf-8")))
    return pieces
