"""The instructor's build tool: exercise notebooks are generated from the solutions.

    python -m utils.build              stamp headers into solutions/, write notebooks/
    python -m utils.build --check      exit 1, naming notebook and cell, if anything is out of date
    python -m utils.build --execute    also run the solution notebooks and keep their outputs

What it does to ``solutions/NN_topic.ipynb`` (the source, edited by hand):
- stamps the shared header: a Colab badge cell first, the setup cell after the title;

and what it writes to ``notebooks/NN_topic.ipynb`` (never edited by hand):
- every region between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes a
  placeholder: ``raise NotImplementedError("Exercise 1.3: ...")`` inside
  functions, ``name = ...`` for plain values (dict literals keep their keys);
- markdown cells tagged ``solution`` become a "*Your answer:*" cell;
- code cells tagged ``calls-exercise`` are tagged ``raises-exception`` (nbval
  then allows their NotImplementedError);
- outputs and execution counts are cleared.

It also writes the notebook table of README.md (between the
``<!-- notebooks:start -->`` and ``<!-- notebooks:end -->`` lines), whose
badges must follow the same setting: the repository address and branch (for
the badges and the Colab setup cell) are one setting, ``[tool.course]`` in
pyproject.toml.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import tomllib

from utils.check.core import STRICT_ENVIRONMENT_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = "solutions"
NOTEBOOKS = "notebooks"

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
HEADER_TAG = "course-header"
SETUP_TAG = "course-setup"
SOLUTION_TAG = "solution"
CALLS_EXERCISE_TAG = "calls-exercise"
RAISES_TAG = "raises-exception"
EXERCISE_HEADING = re.compile(r"^#{2,4}\s+(Exercise\s+\d+\.\d+\s*:.*?)\s*$", re.MULTILINE)
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}

BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
README = "README.md"
TABLE_START = "<!-- notebooks:start -->"
TABLE_END = "<!-- notebooks:end -->"
TIME_LINE = re.compile(r"\*\*Time:\*\*\s*(.*?)\.?\s*$", re.MULTILINE)

SETUP_TEMPLATE = '''\
# Setup: run this cell first. In Colab it downloads the course files once.
import subprocess
import sys
from pathlib import Path

COURSE_REPOSITORY = "{repository}"
COURSE_BRANCH = "{branch}"

# The course folder: this notebook's folder or a parent (locally), else the copy fetched into Colab.
course_root = next((p for p in (Path.cwd(), *Path.cwd().parents) if (p / "utils" / "check").is_dir()),
                   Path.cwd() / "{folder}")
if "google.colab" in sys.modules and not (course_root / "utils").is_dir():  # fetch once, next to your files
    clone = subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", COURSE_BRANCH,
                            COURSE_REPOSITORY, str(course_root)], capture_output=True, text=True)
    if clone.returncode != 0:
        raise SystemExit(f"Could not download the course files from {{COURSE_REPOSITORY}}: "
                         "check the runtime's internet connection and run this cell again.")
if str(course_root) not in sys.path:
    sys.path.insert(0, str(course_root))

from utils import check, datasets, plots, setup

setup()'''


@dataclass(frozen=True)
class Settings:
    """Where the course repository lives (for badges and the Colab setup cell)."""

    repository: str
    branch: str

    @property
    def github_path(self) -> str:
        """'owner/name' of a GitHub repository address."""
        match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?/?", self.repository)
        if match is None:
            raise SystemExit(f"[tool.course] repository = {self.repository!r} in pyproject.toml must be a "
                             "GitHub address like https://github.com/OWNER/NAME (Colab opens GitHub notebooks).")
        return match.group(1)

    @property
    def folder(self) -> str:
        """The folder name the Colab setup cell clones into."""
        return self.github_path.split("/")[1]

    def colab_url(self, relative_path: str) -> str:
        """The 'Open in Colab' address of a notebook in the repository."""
        return f"https://colab.research.google.com/github/{self.github_path}/blob/{self.branch}/{relative_path}"

    def colab_badge(self, relative_path: str) -> str:
        """The markdown 'Open in Colab' badge of a notebook in the repository."""
        return f"[![Open In Colab]({BADGE})]({self.colab_url(relative_path)})"


def load_settings(root: Path = ROOT) -> Settings:
    """Read [tool.course] repository and branch from pyproject.toml."""
    with open(root / "pyproject.toml", "rb") as file:
        course = tomllib.load(file).get("tool", {}).get("course", {})
    try:
        return Settings(repository=course["repository"], branch=course["branch"])
    except KeyError as missing:
        raise SystemExit(f"pyproject.toml: [tool.course] needs {missing.args[0]} = \"...\"") from None


# ---------------------------------------------------------------------------
# Header cells
# ---------------------------------------------------------------------------

def header_cell(settings: Settings, folder: str, name: str) -> nbformat.NotebookNode:
    """The badge cell: open this very notebook in Colab, and a link to its twin."""
    own = f"{folder}/{name}"
    if folder == SOLUTIONS:
        exercise_url = settings.colab_url(f"{NOTEBOOKS}/{name}")
        twin = f"Solution notebook. The exercise version is [notebooks/{name}]({exercise_url})."
    else:
        twin = (f"Exercise notebook. Stuck? The solution is in "
                f"[solutions/{name}]({settings.colab_url(f'{SOLUTIONS}/{name}')}).")
    source = f"{settings.colab_badge(own)} {twin}"
    cell = nbformat.v4.new_markdown_cell(source, id=HEADER_TAG)
    cell.metadata = {"tags": [HEADER_TAG]}
    return cell


def setup_cell(settings: Settings) -> nbformat.NotebookNode:
    """The setup cell, identical in every notebook."""
    source = SETUP_TEMPLATE.format(repository=settings.repository, branch=settings.branch, folder=settings.folder)
    cell = nbformat.v4.new_code_cell(source, id=SETUP_TAG)
    cell.metadata = {"tags": [SETUP_TAG]}
    return cell


def _tags(cell) -> list[str]:
    """The tags of a cell (empty list if none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def stamp_headers(notebook: nbformat.NotebookNode, settings: Settings, folder: str, name: str) -> nbformat.NotebookNode:
    """A copy with fresh header cells: badge first, then the title, then the setup cell.

    A setup cell whose source did not change keeps its outputs.
    """
    notebook = copy.deepcopy(notebook)
    old_setup = next((c for c in notebook.cells if SETUP_TAG in _tags(c)), None)
    cells = [c for c in notebook.cells if not {HEADER_TAG, SETUP_TAG} & set(_tags(c))]
    if not cells or cells[0].cell_type != "markdown" or not cells[0].source.lstrip().startswith("# "):
        raise SystemExit(f"{folder}/{name}: the first cell must be the title, a markdown cell starting with '# '.")
    setup = setup_cell(settings)
    if old_setup is not None and old_setup.source == setup.source:
        setup.outputs = old_setup.get("outputs", [])
        setup.execution_count = old_setup.get("execution_count")
    notebook.cells = [header_cell(settings, folder, name), cells[0], setup, *cells[1:]]
    notebook.metadata = copy.deepcopy(NOTEBOOK_METADATA)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # run timings would change on every execution
    return notebook


# ---------------------------------------------------------------------------
# Exercise generation
# ---------------------------------------------------------------------------

def placeholder_for_values(region: str, exercise: str) -> list[str] | None:
    """'name = ...' lines for a top-level region of plain assignments, else None."""
    try:
        statements = ast.parse(region).body
    except SyntaxError:
        return None
    if not statements or not all(isinstance(s, ast.Assign) for s in statements):
        return None
    lines = [f"# {exercise.split(':')[0]}: replace each ... with your value."]
    for statement in statements:
        targets = " = ".join(ast.unparse(target) for target in statement.targets)
        if isinstance(statement.value, ast.Dict) and None not in statement.value.keys:
            keys = ", ".join(f"{ast.unparse(key)}: ..." for key in statement.value.keys)
            lines.append(f"{targets} = {{{keys}}}")
        else:
            lines.append(f"{targets} = ...")
    return lines


def replace_solutions(source: str, exercise: str | None, where: str) -> str:
    """Replace every BEGIN/END SOLUTION region of a code cell with its placeholder."""
    lines = source.split("\n")
    result: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.strip() != BEGIN_MARKER:
            if line.strip() == END_MARKER:
                raise SystemExit(f"{where}: '{END_MARKER}' without '{BEGIN_MARKER}'.")
            result.append(line)
            index += 1
            continue
        if exercise is None:
            raise SystemExit(f"{where}: a solution region comes before any '### Exercise N.M: ...' heading.")
        end = next((j for j in range(index + 1, len(lines)) if lines[j].strip() == END_MARKER), None)
        if end is None:
            raise SystemExit(f"{where}: '{BEGIN_MARKER}' without '{END_MARKER}'.")
        indent = line[: len(line) - len(line.lstrip())]
        region = "\n".join(lines[index + 1:end])
        values = placeholder_for_values(region, exercise) if not indent else None
        if values is not None:
            result.extend(values)
        else:
            message = exercise.replace("\\", "\\\\").replace('"', '\\"')
            result.append(f"{indent}# {exercise.split(':')[0]}: write your code here, then delete the next line.")
            result.append(f'{indent}raise NotImplementedError("{message}")')
        index = end + 1
    return "\n".join(result)


def answer_cell(cell_id: str) -> nbformat.NotebookNode:
    """The empty markdown cell that replaces a written answer."""
    return nbformat.v4.new_markdown_cell("*Your answer:*", id=f"{cell_id}-answer"[:64])


def make_exercise(solution: nbformat.NotebookNode, settings: Settings, name: str) -> nbformat.NotebookNode:
    """The exercise notebook generated from a (stamped) solution notebook."""
    notebook = nbformat.v4.new_notebook(metadata=copy.deepcopy(NOTEBOOK_METADATA))
    exercise = None
    for number, cell in enumerate(solution.cells):
        tags = _tags(cell)
        if HEADER_TAG in tags:
            notebook.cells.append(header_cell(settings, NOTEBOOKS, name))
            continue
        if cell.cell_type == "markdown":
            headings = EXERCISE_HEADING.findall(cell.source)
            exercise = headings[-1] if headings else exercise
            if SOLUTION_TAG in tags:
                notebook.cells.append(answer_cell(cell.id))
            else:
                new = nbformat.v4.new_markdown_cell(cell.source, id=cell.id)
                new.metadata = {"tags": tags} if tags else {}
                notebook.cells.append(new)
            continue
        where = f"{SOLUTIONS}/{name}, cell {number}"
        new = nbformat.v4.new_code_cell(replace_solutions(cell.source, exercise, where), id=cell.id)
        new_tags = [RAISES_TAG if tag == CALLS_EXERCISE_TAG else tag for tag in tags]
        new.metadata = {"tags": new_tags} if new_tags else {}
        notebook.cells.append(new)
    return notebook


# ---------------------------------------------------------------------------
# README table
# ---------------------------------------------------------------------------

def notebook_table(solutions: dict[str, nbformat.NotebookNode], settings: Settings) -> str:
    """The README's markdown table: one row per notebook with both Colab badges."""
    rows = ["| # | Notebook | Time | Exercise | Solution |", "|---|---|---|---|---|"]
    for name, notebook in solutions.items():
        title_cell = notebook.cells[1]  # stamped notebooks: badge, title, setup
        number, _, topic = title_cell.source.splitlines()[0].lstrip("# ").partition(" · ")
        time_match = TIME_LINE.search(title_cell.source)
        minutes = time_match.group(1) if time_match else ""
        badges = [settings.colab_badge(f"{folder}/{name}") for folder in (NOTEBOOKS, SOLUTIONS)]
        rows.append(f"| {number} | [{topic}]({NOTEBOOKS}/{name}) | {minutes} | {badges[0]} | {badges[1]} |")
    return "\n".join(rows)


def with_table(readme: str, table: str) -> str:
    """README text with the generated table between its two marker lines."""
    if TABLE_START not in readme or TABLE_END not in readme:
        raise SystemExit(f"{README}: the lines '{TABLE_START}' and '{TABLE_END}' must frame the notebook table.")
    head, rest = readme.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return f"{head}{TABLE_START}\n{table}\n{TABLE_END}{tail}"


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

def notebook_text(notebook: nbformat.NotebookNode) -> str:
    """The exact text a notebook is saved as (stable, so --check can compare)."""
    return nbformat.writes(notebook, version=4) + "\n"


def read(path: Path) -> nbformat.NotebookNode:
    """Read a notebook file."""
    return nbformat.read(path, as_version=4)


def expected_files(root: Path, settings: Settings) -> dict[Path, str]:
    """Every file the build should leave behind, with its text: solutions, exercises, README."""
    files, solutions = {}, {}
    for path in sorted((root / SOLUTIONS).glob("[0-9][0-9]_*.ipynb")):
        solution = stamp_headers(read(path), settings, SOLUTIONS, path.name)
        solutions[path.name] = solution
        files[path] = notebook_text(solution)
        files[root / NOTEBOOKS / path.name] = notebook_text(make_exercise(solution, settings, path.name))
    readme = root / README
    files[readme] = with_table(readme.read_text(encoding="utf-8"), notebook_table(solutions, settings))
    return files


def first_difference(path: Path, expected_text: str, actual_text: str) -> str:
    """Where a committed file differs from what the build would write."""
    if path.suffix != ".ipynb":
        return "the generated notebook table differs"
    expected = nbformat.reads(expected_text, as_version=4)
    try:
        actual = nbformat.reads(actual_text, as_version=4)
    except Exception as error:  # unreadable JSON: say so
        return f"cannot be read ({error})"
    for number, (want, have) in enumerate(zip(expected.cells, actual.cells)):
        for field in ("cell_type", "source", "metadata", "outputs"):
            if want.get(field) != have.get(field):
                first_line = want.source.splitlines()[0] if want.source else ""
                return f"cell {number} ({first_line[:60]!r}) differs in its {field}"
    if len(expected.cells) != len(actual.cells):
        return f"has {len(actual.cells)} cells, the build makes {len(expected.cells)}"
    return "differs in notebook metadata or formatting"


def check(root: Path = ROOT) -> list[str]:
    """One line for every notebook that is not what the build would write."""
    settings = load_settings(root)
    problems = []
    files = expected_files(root, settings)
    for path, expected in files.items():
        relative = path.relative_to(root)
        if not path.exists():
            problems.append(f"{relative}: missing")
            continue
        text = path.read_text(encoding="utf-8")
        if text != expected:
            problems.append(f"{relative}: {first_difference(path, expected, text)}")
    for path in sorted((root / NOTEBOOKS).glob("*.ipynb")):
        if path not in files:
            problems.append(f"{path.relative_to(root)}: has no solution notebook (remove it)")
    return problems


def build(root: Path = ROOT) -> list[Path]:
    """Write every out-of-date file; return the paths written."""
    settings = load_settings(root)
    (root / NOTEBOOKS).mkdir(exist_ok=True)
    written = []
    for path, text in expected_files(root, settings).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def merge_streams(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Join consecutive prints to the same stream: the kernel splits them by timing, differently per run."""
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                    and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged
    return notebook


def execute(paths: list[Path], timeout: int = 600) -> None:
    """Run solution notebooks top to bottom (strict checks) and save their outputs."""
    from nbclient import NotebookClient

    os.environ[STRICT_ENVIRONMENT_VARIABLE] = "1"  # the kernels inherit it
    for path in paths:
        notebook = read(path)
        started = time.perf_counter()
        NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        print(f"executed {path.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
        path.write_text(notebook_text(merge_streams(notebook)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m utils.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if any notebook is out of date; write nothing")
    parser.add_argument("--execute", nargs="*", metavar="NAME",
                        help="run solution notebooks (all, or those whose names contain NAME) and keep outputs")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem)
        if problems:
            print("Out of date: run `python -m utils.build` (and commit the result).")
            return 1
        print("All notebooks are up to date.")
        return 0
    written = build()
    if args.execute is not None:
        chosen = [p for p in sorted((ROOT / SOLUTIONS).glob("[0-9][0-9]_*.ipynb"))
                  if not args.execute or any(name in p.name for name in args.execute)]
        execute(chosen)
        written += build()
    for path in dict.fromkeys(written):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
