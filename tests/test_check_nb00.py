"""Checks of notebook 00 on the solution, the generated stub, typical mistakes and bad input."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status


@pytest.mark.parametrize("mistake, fragment", [
    (lambda t, p: np.sum((p - t) ** 2), "sums instead"),
    (lambda t, p: np.mean(p - t), "not squared"),
    (lambda t, p: np.mean(p - t) ** 2, "squares the mean"),
    (lambda t, p: np.mean((p - t) ** 2) + 0.1, "not right"),
    (lambda t, p: np.sqrt(np.mean((p - t) ** 2)), "square root"),
    (lambda t, p: np.mean((p - t) ** 2, axis=0), "shape"),
])
def test_mean_squared_error_mistakes(mistake, fragment):
    assert_verdict(check.mean_squared_error, (mistake,), Status.FAILED, fragment)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda X, W, b: X @ W, "bias b is missing"),
    (lambda X, W, b: W @ X + b, "raised ValueError"),
    (lambda X, W, b: X @ W - b, "subtracted"),
])
def test_predict_linear_mistakes(mistake, fragment):
    assert_verdict(check.predict_linear, (mistake,), Status.FAILED, fragment)


def _checked_mse(t, p):
    """The solution's idea with the shape test the task asks for."""
    if np.shape(t) != np.shape(p):
        raise ValueError("shapes differ")
    return np.mean((np.asarray(p) - np.asarray(t)) ** 2)


def test_mean_squared_error_names_the_broadcasting_trap():
    assert_verdict(check.mean_squared_error, (_checked_mse,), Status.PASSED)
    assert_verdict(check.mean_squared_error, (lambda t, p: np.mean((p - t) ** 2),), Status.FAILED, "broadcasts")

    def asserts(t, p):
        assert np.shape(t) == np.shape(p)
        return np.mean((p - t) ** 2)

    assert_verdict(check.mean_squared_error, (asserts,), Status.FAILED, "asks for a ValueError")
