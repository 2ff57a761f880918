"""Shared assertions for the tests of each notebook's checks."""

from __future__ import annotations

import numpy as np

from utils.check.core import Status

# Answers that are not what any check wants; each must give one clear verdict, never an exception.
BAD_ANSWERS = [None, 42, "text", np.nan, [1, 2, 3]]


def assert_verdict(check, answers, status: Status, fragment: str = "") -> None:
    """Run check.evaluate(*answers) and compare status and message."""
    with np.errstate(all="ignore"):
        verdict = check.evaluate(*answers)
    assert verdict.status is status, f"{check.__name__}: expected {status}, got {verdict}"
    assert fragment.lower() in verdict.message.lower(), f"{check.__name__}: {fragment!r} not in {verdict}"
    assert "\n" not in verdict.message


def assert_function_check_basics(check, solution, stub) -> None:
    """✅ on the solution, ⏳ on the stub and on ..., one-sentence ❌ on bad input."""
    assert_verdict(check, (solution,), Status.PASSED)
    assert_verdict(check, (stub,), Status.NOT_DONE, "not done yet")
    assert_verdict(check, (...,), Status.NOT_DONE)
    for bad in BAD_ANSWERS:
        assert_verdict(check, (bad,), Status.FAILED)

    def raises(*args, **kwargs):
        raise ValueError("boom")

    assert_verdict(check, (raises,), Status.FAILED, "raised ValueError: boom")
    assert_verdict(check, (lambda *args, **kwargs: None,), Status.FAILED)
