"""The supported version range: oldest supported (setup cell's check) up to Colab's and the newest releases.

One source per fact: the lower bounds in requirements.txt, Colab's versions in
constraints-colab.txt (CI's second stage installs them), and the README table
that states both; these tests keep the version check and the README in line.
"""

from __future__ import annotations

import ast
import re
import sys
import types

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.code_sources import code_pieces, python_only
from utils import environment
from utils.build import ROOT

COLAB_PYTHON = "3.13"


def requirements() -> list[Requirement]:
    """The requirements of requirements.txt."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def lower_bounds() -> dict[str, str]:
    """The '>=' bound of every requirement, tensorflow-cpu counted as tensorflow."""
    bounds = {}
    for requirement in requirements():
        name = "tensorflow" if requirement.name == "tensorflow-cpu" else requirement.name
        found = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert len(found) == 1, f"requirements.txt: {requirement} needs one '>=' lower bound"
        assert bounds.setdefault(name, found[0]) == found[0], f"requirements.txt: two lower bounds for {name}"
    return bounds


def colab_versions() -> dict[str, str]:
    """Colab's versions, as pinned in constraints-colab.txt (tensorflow-cpu counted as tensorflow)."""
    pins = {}
    for line in (ROOT / "constraints-colab.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip()] = version.strip()
    assert pins.pop("tensorflow-cpu") == pins["tensorflow"], "tensorflow and tensorflow-cpu: one Colab version"
    return pins


def one_below(version: str) -> str:
    """A version just below ``version``: '2.16' -> '2.15.99', '3.0' -> '2.999'."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return f"{major}.{minor - 1}.99" if minor else f"{major - 1}.999"


def readme_versions() -> dict[str, list[str]]:
    """The README's version table: name -> [oldest supported, Colab, newest tested]."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("<!-- versions:start -->")[1].split("<!-- versions:end -->")[0]
    rows = [line.strip().strip("|").split("|") for line in section.strip().splitlines()[2:]]
    return {cells[0].strip(): [cell.strip() for cell in cells[1:]] for cells in rows}


def test_the_version_check_and_requirements_agree_on_the_oldest_versions():
    bounds = lower_bounds()
    for package, oldest in environment.MINIMUM_VERSIONS.items():
        assert bounds.get(package) == oldest, f"{package}: setup cell checks >= {oldest}, requirements.txt says " \
                                              f">= {bounds.get(package)}"


def test_colab_pins_are_inside_the_supported_range():
    pins = colab_versions()
    assert set(environment.MINIMUM_VERSIONS) <= set(pins), "constraints-colab.txt must pin every checked package"
    for requirement in requirements():
        name = "tensorflow" if requirement.name == "tensorflow-cpu" else requirement.name
        if name in pins:
            assert Version(pins[name]) in requirement.specifier, f"Colab's {name} {pins[name]} vs {requirement}"


def test_colab_versions_pass_the_check():
    assert environment.version_problems(installed=colab_versions(), python_version=COLAB_PYTHON + ".0") == []


def test_the_newest_installed_versions_pass_the_check():
    assert environment.version_problems() == []


def test_the_oldest_supported_versions_pass_the_check():
    oldest = dict(environment.MINIMUM_VERSIONS)
    python = ".".join(map(str, environment.MINIMUM_PYTHON))
    assert environment.version_problems(installed=oldest, python_version=python) == []


@pytest.mark.parametrize("package", sorted(environment.MINIMUM_VERSIONS))
def test_one_version_below_the_oldest_is_named(package):
    installed = {**colab_versions(), package: one_below(environment.MINIMUM_VERSIONS[package])}
    problems = environment.version_problems(installed=installed, python_version=COLAB_PYTHON)
    assert len(problems) == 1
    assert problems[0].startswith(f"{package} {installed[package]} is older than "
                                  f"{environment.MINIMUM_VERSIONS[package]}")


def test_keras_2_and_a_missing_package_and_an_old_python_are_named():
    installed = {**colab_versions(), "keras": "2.15.0", "ipywidgets": None}
    problems = environment.version_problems(installed=installed, python_version="3.9.18")
    assert len(problems) == 3
    assert problems[0].startswith("Python 3.9.18 is older than 3.10")
    assert problems[1].startswith("keras 2.15.0 is older than 3.3")
    assert problems[2].startswith("ipywidgets is not installed")


@pytest.mark.parametrize("in_colab, advice, not_there", [
    (True, "fresh runtime", "requirements.txt"),
    (False, "pip install -r requirements.txt", "runtime"),
])
def test_the_advice_fits_where_the_notebook_runs(in_colab, advice, not_there):
    text = environment.version_advice(["keras 2.15.0 is older than 3.3, the oldest this course supports."], in_colab)
    assert "keras 2.15.0 is older than 3.3" in text and advice in text and not_there not in text
    if in_colab:
        assert "do not pip-install TensorFlow" in text


@pytest.fixture
def too_new_minimum(monkeypatch):
    """Pretend the course needs a NumPy from the future."""
    monkeypatch.setitem(environment.MINIMUM_VERSIONS, "numpy", "999.0")
    monkeypatch.setattr(environment, "_warned_at_import", False)


@pytest.mark.parametrize("in_colab", [True, False])
def test_setup_warns_with_the_package_and_what_to_do(too_new_minimum, monkeypatch, capsys, in_colab):
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    environment.setup(report=False)
    printed = capsys.readouterr().out
    assert re.search(r"numpy \S+ is older than 999\.0", printed)
    assert ("fresh runtime" in printed) == in_colab and ("requirements.txt" in printed) == (not in_colab)


def test_the_setup_cell_warns_once_per_run(too_new_minimum, capsys):
    environment.warn_about_versions(at_import=True)  # first run of the setup cell: `import utils` warns...
    environment.setup(report=False)  # ...and setup() right after it does not repeat it
    assert capsys.readouterr().out.count("older than 999.0") == 1
    environment.setup(report=False)  # a re-run: the import is cached, setup() warns
    assert capsys.readouterr().out.count("older than 999.0") == 1


def test_readme_states_the_supported_range_and_the_tested_versions():
    table = readme_versions()
    python = ".".join(map(str, environment.MINIMUM_PYTHON))
    assert table["Python"][:2] == [python, COLAB_PYTHON]
    pins = colab_versions()
    names = {"TensorFlow": "tensorflow", "Keras": "keras", "NumPy": "numpy", "matplotlib": "matplotlib",
             "scikit-learn": "scikit-learn", "ipywidgets": "ipywidgets"}
    assert set(table) == {"Python", *names}
    for label, package in names.items():
        assert table[label][:2] == [environment.MINIMUM_VERSIONS[package], pins[package]], label
        assert Version(table[label][2]) >= Version(pins[package]), f"{label}: newest tested is older than Colab's"


NEWER_THAN_310 = "|".join([  # standard-library names added in Python 3.11 and later
    r"\btomllib\b", r"\bStrEnum\b", r"\bExceptionGroup\b", r"\bTaskGroup\b", r"\bdatetime\.UTC\b",
    r"\bitertools\.batched\b", r"\bfrom itertools import [^\n]*\bbatched\b",
    r"\btyping\.(?:Self|override|LiteralString)\b", r"\bfrom typing import [^\n]*\b(?:Self|override|LiteralString)\b",
])


def newer_than_310(source: str) -> list[str]:
    """What in a piece of code needs a Python newer than 3.10 (grammar as far as this parser tells, names)."""
    problems = []
    try:
        ast.parse(python_only(source), feature_version=environment.MINIMUM_PYTHON)
    except SyntaxError as error:
        problems.append(f"line {error.lineno}: {error.msg}")
    return problems + [f"{name.group()} is newer than Python 3.10" for name in re.finditer(NEWER_THAN_310, source)]


def test_learner_code_runs_on_the_oldest_supported_python():
    problems = [f"{where}, {problem}" for where, source in code_pieces(instructor_tools=False)
                for problem in newer_than_310(source)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("snippet, problem", [
    ("try:\n    pass\nexcept* ValueError:\n    pass", "Exception groups"),
    ("def first[T](items: list[T]) -> T:\n    return items[0]", "line 1"),
    ("import tomllib", "tomllib"),
    ("from typing import Any, Self", "Self"),
    ("chunks = itertools.batched(data, 3)", "batched"),
])
def test_the_python_310_guard_finds_newer_code(snippet, problem):
    found = newer_than_310(snippet)
    assert len(found) == 1 and problem in found[0], found


def test_the_python_310_guard_accepts_310_code():
    assert newer_than_310("%matplotlib inline\nmatch x:\n    case [a, *rest]:\n        y: int | None = a\n"
                          "batched = x[:8]\nfrom typing import Any") == []
