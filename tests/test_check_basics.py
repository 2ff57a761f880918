"""Every one-argument self-check used in a solution notebook, on the real solution and the real stub."""

import re

import nbformat
import pytest

from tests.check_cases import assert_function_check_basics
from tests.notebook_code import ROOT, notebook_namespace
from utils import check

CHECK_LINE = re.compile(r"^check\.(\w+)\((\w+)\)\s*$", re.MULTILINE)


def function_checks():
    """(notebook, check name, function name) for every line like check.mse_loss(mse_loss)."""
    found = []
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                found += [(path.stem, name, argument) for name, argument in CHECK_LINE.findall(cell.source)]
    return found


CASES = function_checks()


def test_every_notebook_so_far_has_function_checks():
    assert {notebook for notebook, _, _ in CASES} >= {"00_start_here", "01_gradient_descent", "02_xor"}
    assert len(CASES) >= 13


@pytest.mark.parametrize("notebook, check_name, function_name", CASES)
def test_solution_passes_stub_waits_bad_input_is_explained(notebook, check_name, function_name):
    solution = notebook_namespace("solutions", notebook)
    exercise = notebook_namespace("notebooks", notebook)
    assert_function_check_basics(getattr(check, check_name), solution[function_name], exercise[function_name])
