"""The self-check machinery: run a learner's answer through tests, print one verdict.

A check is a plain test function decorated with :func:`exercise_check`. Inside
it, helpers turn every kind of bad answer into one clear sentence:

- :class:`NotDone` (the stub still raises ``NotImplementedError`` or the value
  is ``...``) prints ⏳,
- :class:`Mistake` (a diagnosis such as "wrong sign") prints ❌,
- a test that runs through prints ✅.

Checks never print the expected answer. With the environment variable
``COURSE_STRICT_CHECKS=1`` (set by the test configuration) a ❌ also raises
:class:`CheckFailed`, so a broken solution notebook fails CI.
"""

from __future__ import annotations

import enum
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

STRICT_ENVIRONMENT_VARIABLE = "COURSE_STRICT_CHECKS"


class Status(enum.Enum):
    """The three outcomes of a self-check."""

    PASSED = "✅"
    FAILED = "❌"
    NOT_DONE = "⏳"


@dataclass(frozen=True)
class Verdict:
    """What a check found: its status and one explanatory sentence."""

    exercise: str
    title: str
    status: Status
    message: str

    def __str__(self) -> str:
        return f"{self.status.value} Exercise {self.exercise} ({self.title}): {self.message}"


class NotDone(Exception):
    """The answer is still the placeholder of the exercise notebook."""


class Mistake(Exception):
    """The answer is wrong; the message says how, never what the right answer is."""


class CheckFailed(AssertionError):
    """Raised in strict mode when a check finds a mistake."""


def strict_mode() -> bool:
    """True when failed checks must raise (set by the test configuration)."""
    return os.environ.get(STRICT_ENVIRONMENT_VARIABLE, "").strip().lower() in {"1", "true", "yes", "on"}


NOT_DONE_MESSAGE = "not done yet: fill in the exercise above, run its cell, then run this check again."


def evaluate(exercise: str, title: str, test: Callable[..., str | None], *answers) -> Verdict:
    """Run ``test(*answers)`` and turn whatever happens into a verdict (never raises)."""
    try:
        if any(answer is Ellipsis for answer in answers):
            raise NotDone
        success = test(*answers)
    except NotDone:
        return Verdict(exercise, title, Status.NOT_DONE, NOT_DONE_MESSAGE)
    except Mistake as mistake:
        return Verdict(exercise, title, Status.FAILED, str(mistake))
    except Exception as error:  # a bug in the check itself: say so instead of blaming the learner
        return Verdict(exercise, title, Status.FAILED,
                       f"the check could not finish ({type(error).__name__}: {error}). "
                       "Please tell your instructor.")
    return Verdict(exercise, title, Status.PASSED, success or "correct.")


def exercise_check(exercise: str, title: str) -> Callable:
    """Turn a test function into a learner-facing check that prints one verdict.

    The returned check also has ``.evaluate(*answers) -> Verdict`` for tests.
    """

    def decorate(test: Callable[..., str | None]) -> Callable[..., None]:
        @functools.wraps(test)
        def check(*answers) -> None:
            verdict = evaluate(exercise, title, test, *answers)
            print(verdict)
            if verdict.status is Status.FAILED and strict_mode():
                raise CheckFailed(str(verdict))

        check.evaluate = functools.partial(evaluate, exercise, title, test)
        return check

    return decorate


# ---------------------------------------------------------------------------
# Helpers for writing checks: each raises NotDone or Mistake with one sentence.
# ---------------------------------------------------------------------------

def expect_function(answer, name: str) -> Callable:
    """Make sure the learner passed a function (not its result, not None)."""
    if answer is Ellipsis:
        raise NotDone
    if answer is None:
        raise Mistake(f"got None instead of the function `{name}`; pass the function itself, "
                      f"as in `check.{name}({name})`.")
    if not callable(answer):
        raise Mistake(f"expected the function `{name}` but got {describe(answer)}; pass the "
                      f"function itself, without calling it: `check.{name}({name})`.")
    return answer


def call(function: Callable, *args, **kwargs):
    """Call the learner's function; a stub (raising NotImplementedError or returning ...) becomes NotDone."""
    name = getattr(function, "__name__", "your function")
    try:
        result = function(*args, **kwargs)
    except NotImplementedError as error:
        raise NotDone from error
    except Exception as error:
        raise Mistake(f"`{name}` raised {type(error).__name__}: {error}. "
                      "Try it on a small example to find the line.") from error
    if result is Ellipsis:
        raise NotDone
    return result


def expect_unchanged(before: np.ndarray, after: np.ndarray, name: str, what: str = "its input",
                     advice: str = "work on a new array and leave the input as it was") -> None:
    """Name in-place mutation: raise a Mistake when an array the learner's function was given has changed."""
    if not np.array_equal(before, after):
        raise Mistake(f"`{name}` changed {what} in place: {advice}.")


def as_array(value, what: str, shape: Sequence[int] | None = None) -> np.ndarray:
    """Convert a learner's value to a float array, checking None, type, shape and NaN."""
    if value is Ellipsis:
        raise NotDone
    if value is None:
        raise Mistake(f"{what} is None: did you forget a `return`?")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Mistake(f"{what} should be a number or an array of numbers, "
                      f"not {describe(value)}.") from None
    if shape is not None and array.shape != tuple(shape):
        raise Mistake(f"{what} has shape {array.shape} but should have shape {tuple(shape)}.")
    if not np.all(np.isfinite(array)):
        raise Mistake(f"{what} contains NaN or infinity.")
    return array


def as_tuple(value, what: str, length: int) -> tuple:
    """Make sure a learner's function returned a tuple/list of the given length."""
    if value is Ellipsis:
        raise NotDone
    if value is None:
        raise Mistake(f"{what} is None: did you forget a `return`?")
    if not isinstance(value, (tuple, list)) or len(value) != length:
        raise Mistake(f"{what} should be a tuple of {length} values, like `return a, b`; "
                      f"got {describe(value)}.")
    return tuple(value)


def describe(value) -> str:
    """A short description of a value's type and size, for messages."""
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} values"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    name = type(value).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def close(actual, expected, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """True when two arrays agree to the given tolerances (shapes must match)."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and bool(np.allclose(actual, expected, rtol=rtol, atol=atol))


def compare(actual: np.ndarray, expected: np.ndarray, what: str, rtol: float = 1e-6, atol: float = 1e-9,
            known_mistakes: dict[str, np.ndarray] | None = None, advice: str = "") -> None:
    """Raise a Mistake with a diagnosis unless ``actual`` matches ``expected``.

    ``known_mistakes`` maps a hint (e.g. "the bias is missing") to the value
    that mistake would produce; the first match is reported. Otherwise the
    diagnosis tries a wrong sign and a constant factor, then the size of the
    error, followed by ``advice`` if given. The expected value itself is never shown.
    """
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        raise Mistake(f"{what} has shape {actual.shape} but should have shape {expected.shape}.")
    if close(actual, expected, rtol, atol):
        return
    for hint, wrong_value in (known_mistakes or {}).items():
        if close(actual, wrong_value, rtol, atol):
            raise Mistake(f"{what} is not right: {hint}")
    if np.any(expected != 0) and close(actual, -expected, rtol, atol):
        raise Mistake(f"{what} has the wrong sign.")
    factor = _constant_factor(actual, expected)
    if factor is not None:
        raise Mistake(f"{what} is off by a constant factor of {factor:.3g}: "
                      "check for a missing or extra factor (a 2, a 1/n, a sum instead of a mean).")
    error = np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), atol)
    raise Mistake(f"{what} is not right (largest relative difference {error:.2g}).{' ' + advice if advice else ''}")


def _constant_factor(actual: np.ndarray, expected: np.ndarray) -> float | None:
    """The factor c with actual = c * expected, if there is a telling one (not 1, not 0).

    For a single number every wrong value is "a factor" of the right one, so
    there only whole-number factors and their inverses (2, 1/2, n, 1/n) count.
    """
    nonzero = np.abs(expected) > 1e-12
    if not np.any(nonzero) or np.any(np.abs(actual[~nonzero]) > 1e-9):
        return None
    ratios = actual[nonzero] / expected[nonzero]
    factor = float(np.median(ratios))
    if abs(factor) < 1e-9 or abs(factor - 1) < 1e-6 or not np.allclose(ratios, factor, rtol=1e-6):
        return None
    if ratios.size < 2 and not any(_whole(value) for value in (factor, 1 / factor)):
        return None
    return factor


def _whole(value: float) -> bool:
    """True for a whole number from 2 to 1000 (up to rounding), either sign."""
    return 2 <= abs(value) <= 1000 and abs(abs(value) - round(abs(value))) < 1e-6
