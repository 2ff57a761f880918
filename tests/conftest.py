"""Fixtures for the check tests: the functions of a notebook's solution and exercise versions."""

import pytest

from tests.notebook_code import notebook_namespace


@pytest.fixture(scope="module")
def solution(request):
    """Functions and answer values of solutions/<NAME>.ipynb, NAME from the test module."""
    return notebook_namespace("solutions", request.module.NAME)


@pytest.fixture(scope="module")
def exercise(request):
    """The generated stubs of notebooks/<NAME>.ipynb, NAME from the test module."""
    return notebook_namespace("notebooks", request.module.NAME)
