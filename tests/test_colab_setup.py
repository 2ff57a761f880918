"""The Colab branch of the setup cell, run for real in a Jupyter kernel that believes it is in Colab.

Each test takes the setup cell exactly as the notebooks carry it, points its
repository address at a local git repository (or at an unreachable one), and
runs it in a fresh kernel whose working folder plays Colab's ``/content``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from utils.build import ROOT, SETUP_TAG, load_settings

SETTINGS = load_settings()
FAKE_COLAB = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'
REPORT = """import json, sys, utils
print(json.dumps({"utils": utils.__file__, "path": sys.path}))"""
STAND_IN_UTILS = '''"""A stand-in course package: the setup cell's imports and its setup() call."""
check = datasets = plots = None


def setup():
    print("stand-in setup() ran")
'''
UNREACHABLE = "http://127.0.0.1:9/deep-learning-fundamentals.git"  # nothing listens on port 9 here


def setup_cell_source(repository: str) -> str:
    """The setup cell of notebook 00 (the same in every notebook), cloning from another address."""
    notebook = nbformat.read(ROOT / "solutions" / "00_start_here.ipynb", as_version=4)
    source = next(c.source for c in notebook.cells if SETUP_TAG in c.metadata.get("tags", []))
    line = f'COURSE_REPOSITORY = "{SETTINGS.repository}"'
    assert source.count(line) == 1, "the setup cell must set COURSE_REPOSITORY once"
    return source.replace(line, f'COURSE_REPOSITORY = "{repository}"')


def run_in_kernel(cells: list[str], folder: Path) -> list[nbformat.NotebookNode]:
    """Run code cells in a new kernel whose working folder is ``folder``; return the executed cells."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook.cells


def text(cell) -> str:
    """Everything a cell printed."""
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")


def errors(cell) -> list[str]:
    """'Name: value' of every error a cell raised."""
    return [f"{out.ename}: {out.evalue}" for out in cell.outputs if out.output_type == "error"]


def git(*args: str, cwd: Path) -> None:
    """Run a git command with a fixed identity (CI machines may have none)."""
    subprocess.run(["git", "-c", "user.name=Course CI", "-c", "user.email=ci@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True)


def make_repository(path: Path, files: dict[str, str] | None = None, copy_from_course: bool = False) -> str:
    """A git repository on the course's branch holding ``files`` (or a copy of this course); its file:// address."""
    path.mkdir()
    if copy_from_course:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for folder in ("utils", "data"):
            shutil.copytree(ROOT / folder, path / folder, ignore=ignore)
        shutil.copy(ROOT / "pyproject.toml", path)
    for name, content in (files or {}).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(content)
    git("init", "--quiet", "--initial-branch", SETTINGS.branch, cwd=path)
    git("add", ".", cwd=path)
    git("commit", "--quiet", "-m", "course files", cwd=path)
    return path.as_uri()


def snapshot(folder: Path, skip: str) -> dict[str, tuple[bytes, int]]:
    """Content and modification time of every file under ``folder`` outside ``skip``."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.relative_to(folder).parts[0] != skip}


@pytest.fixture
def content(tmp_path, monkeypatch):
    """Colab's working folder with a learner's own files in it."""
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")  # a failing clone must never wait for a password
    monkeypatch.delenv("PYTHONPATH", raising=False)  # the kernel must not see this repository
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "my_notes.txt").write_text("my own notes")
    (folder / "my_model.keras").write_bytes(b"not really a model")
    (folder / "sample_data").mkdir()
    (folder / "sample_data" / "mine.csv").write_text("x,y\n1,2\n")
    return folder


def test_clones_once_puts_the_course_on_the_path_and_leaves_the_learners_files_alone(tmp_path, content):
    origin = tmp_path / "origin"
    address = make_repository(origin, {"utils/__init__.py": STAND_IN_UTILS})
    cell = setup_cell_source(address)
    clone = content / SETTINGS.folder
    before = snapshot(content, skip=SETTINGS.folder)

    first, again, report = run_in_kernel([FAKE_COLAB, cell, cell, REPORT], content)[1:]

    assert errors(first) == [] and text(first) == "stand-in setup() ran\n"
    assert errors(again) == [] and text(again) == "stand-in setup() ran\n", "a re-run must just work"
    assert (clone / ".git").is_dir() and (clone / "utils" / "__init__.py").is_file()
    found = json.loads(text(report))
    assert Path(found["utils"]) == clone / "utils" / "__init__.py", "utils must come from the clone"
    assert found["path"].count(str(clone)) == 1, "a re-run must not add the clone to sys.path again"
    assert snapshot(content, skip=SETTINGS.folder) == before, "the learner's files must stay untouched"
    assert sorted(p.name for p in content.iterdir()) == sorted(["my_notes.txt", "my_model.keras", "sample_data",
                                                                 SETTINGS.folder])


def test_a_new_runtime_session_reuses_the_clone_without_downloading(tmp_path, content):
    address = make_repository(tmp_path / "origin", {"utils/__init__.py": STAND_IN_UTILS})
    cell = setup_cell_source(address)
    run_in_kernel([FAKE_COLAB, cell], content)
    head = (content / SETTINGS.folder / ".git" / "HEAD").read_text()
    shutil.rmtree(tmp_path / "origin")  # any second download would now fail

    setup = run_in_kernel([FAKE_COLAB, cell, REPORT], content)  # "Restart session": files stay, kernel is new
    assert errors(setup[1]) == [] and text(setup[1]) == "stand-in setup() ran\n"
    assert Path(json.loads(text(setup[2]))["utils"]).parent.parent == content / SETTINGS.folder
    assert (content / SETTINGS.folder / ".git" / "HEAD").read_text() == head


def test_without_network_the_cell_stops_with_one_clear_sentence(content):
    before = snapshot(content, skip=SETTINGS.folder)
    cell = run_in_kernel([FAKE_COLAB, setup_cell_source(UNREACHABLE)], content)[1]

    assert errors(cell) == [f"SystemExit: Could not download the course files from {UNREACHABLE}: check the "
                            "runtime's internet connection and run this cell again."]
    shown = "".join(line for out in cell.outputs if out.output_type == "error" for line in out.traceback)
    assert "Traceback" not in shown and 'File "' not in shown, "IPython's short form, no traceback wall"
    assert not (content / SETTINGS.folder).exists(), "a failed download must leave nothing behind"
    assert snapshot(content, skip=SETTINGS.folder) == before


def test_the_real_course_package_works_from_a_clone(tmp_path, content):
    """The helpers, copied from this working tree into a repository, run the real setup() as in Colab."""
    address = make_repository(tmp_path / "origin", copy_from_course=True)
    cell = run_in_kernel([FAKE_COLAB, setup_cell_source(address)], content)[1]

    assert errors(cell) == []
    report = text(cell).strip().splitlines()
    assert len(report) == 1, f"the setup cell should print one line, not:\n{text(cell)}"
    assert report[0].startswith("Python ") and "| Colab |" in report[0] and report[0].endswith("seed 42")


def test_a_rerun_from_inside_the_clone_finds_it_instead_of_cloning_again(tmp_path, content):
    """A learner who did `%cd course/notebooks` and runs the cell again gets the same course folder."""
    files = {"utils/__init__.py": STAND_IN_UTILS, "utils/check/__init__.py": "", "notebooks/README.md": "exercises"}
    cell = setup_cell_source(make_repository(tmp_path / "origin", files))
    clone = content / SETTINGS.folder
    move_inside = f"import os\nos.chdir({str(clone / 'notebooks')!r})"

    cells = run_in_kernel([FAKE_COLAB, cell, move_inside, cell, REPORT], content)

    assert [errors(c) for c in cells] == [[]] * len(cells)
    assert not (clone / "notebooks" / SETTINGS.folder).exists(), "no second clone inside the first"
    assert Path(json.loads(text(cells[-1]))["utils"]) == clone / "utils" / "__init__.py"
