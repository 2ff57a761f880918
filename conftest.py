"""Test configuration shared by the unit tests and the notebooks run under nbval.

- Strict self-checks: a ❌ raises, so a broken solution fails CI even under
  ``--nbval-lax`` (kernels inherit this process's environment).
- Exercise notebooks: nbval lets a ``raises-exception`` cell pass whether or not
  it raises; here such a cell must raise ``NotImplementedError`` (an unfinished
  exercise), nothing else and not nothing. And every self-check of an untouched
  exercise notebook must say ⏳ (not done yet).
"""

import os

import pytest

from utils.check.core import STRICT_ENVIRONMENT_VARIABLE

os.environ[STRICT_ENVIRONMENT_VARIABLE] = "1"


def raised_not_implemented(outputs) -> str | None:
    """None if the outputs show a NotImplementedError, else what happened instead."""
    errors = [out for out in outputs or [] if out.get("output_type") == "error"]
    if not errors:
        return "the cell ran without error"
    if any(error.get("ename") == "NotImplementedError" for error in errors):
        return None
    return "the cell raised " + ", ".join(f"{e.get('ename')}: {e.get('evalue')}" for e in errors)


def calls_a_check(source: str) -> bool:
    """True for a cell with a self-check line such as ``check.mse_loss(mse_loss)``."""
    return any(line.startswith("check.") for line in source.splitlines())


def check_outputs_not_done(outputs) -> bool:
    """True when the printed verdicts of a cell are all ⏳."""
    text = "".join(out.get("text", "") for out in outputs or [] if out.get("output_type") == "stream")
    return "⏳" in text and "✅" not in text and "❌" not in text


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After an nbval cell of an exercise notebook has run, apply the exercise-notebook rules."""
    result = yield
    options = getattr(item, "options", None)
    if not isinstance(options, dict) or item.path.parent.name != "notebooks":
        return result
    outputs = getattr(item, "test_outputs", None)
    if options.get("check_exception"):
        problem = raised_not_implemented(outputs)
        if problem is not None:
            pytest.fail(f"{item.name}: tagged raises-exception, so it must raise the NotImplementedError of an "
                        f"unfinished exercise, but {problem}.\n--- cell source ---\n{item.cell.source}",
                        pytrace=False)
    elif calls_a_check(item.cell.source) and not check_outputs_not_done(outputs):
        pytest.fail(f"{item.name}: a self-check in an untouched exercise notebook must say ⏳ (not done yet).\n"
                    f"--- cell source ---\n{item.cell.source}", pytrace=False)
    return result
