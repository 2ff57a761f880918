"""The self-check machinery: verdicts, bad input, diagnoses, strict mode."""

import numpy as np
import pytest

from utils.check import core
from utils.check.core import (
    CheckFailed,
    Mistake,
    Status,
    as_array,
    as_tuple,
    call,
    compare,
    evaluate,
    exercise_check,
    expect_function,
)


@exercise_check("9.9", "double")
def double_check(function):
    """A toy check: function(x) must return 2 x."""
    function = expect_function(function, "double")
    x = np.arange(1.0, 4.0)
    compare(as_array(call(function, x), "double(x)", shape=x.shape), 2 * x, "the result")
    return "correct."


def stub(x):
    raise NotImplementedError("Exercise 9.9: double")


@pytest.mark.parametrize("answer, status, fragment", [
    (lambda x: 2 * x, Status.PASSED, "correct"),
    (stub, Status.NOT_DONE, "not done yet"),
    (..., Status.NOT_DONE, "not done yet"),
    (None, Status.FAILED, "got None instead of the function"),
    (42, Status.FAILED, "got an int"),
    (lambda x: None, Status.FAILED, "forget a `return`"),
    (lambda x: x / 0 * np.nan, Status.FAILED, "NaN"),
    (lambda x: 1 / 0, Status.FAILED, "raised ZeroDivisionError"),
    (lambda x: "text", Status.FAILED, "should be a number"),
    (lambda x: 2 * x[:2], Status.FAILED, "shape (2,)"),
    (lambda x: -2 * x, Status.FAILED, "wrong sign"),
    (lambda x: 4 * x, Status.FAILED, "constant factor of 2"),
    (lambda x: 2 * x + 1, Status.FAILED, "not right"),
])
def test_every_kind_of_answer_gets_one_verdict(answer, status, fragment):
    with np.errstate(all="ignore"):
        verdict = double_check.evaluate(answer)
    assert verdict.status is status
    assert fragment in verdict.message
    assert "\n" not in verdict.message, "a verdict is one line"


def test_check_prints_one_line_and_returns_nothing(capsys, monkeypatch):
    monkeypatch.delenv(core.STRICT_ENVIRONMENT_VARIABLE, raising=False)
    assert double_check(lambda x: 3 * x) is None
    out = capsys.readouterr().out
    assert out.startswith("❌ Exercise 9.9 (double):") and out.count("\n") == 1


def test_strict_mode_raises_on_mistakes_only(monkeypatch, capsys):
    monkeypatch.setenv(core.STRICT_ENVIRONMENT_VARIABLE, "1")
    with pytest.raises(CheckFailed, match="9.9"):
        double_check(lambda x: 3 * x)
    double_check(stub)  # ⏳ is not a failure: exercise notebooks run in strict mode too
    double_check(lambda x: 2 * x)
    monkeypatch.setenv(core.STRICT_ENVIRONMENT_VARIABLE, "0")
    double_check(lambda x: 3 * x)
    assert "⏳" in capsys.readouterr().out


def test_a_bug_in_the_check_is_reported_not_blamed_on_the_learner():
    def broken(answer):
        raise KeyError("oops")
    verdict = evaluate("9.8", "broken", broken, 1)
    assert verdict.status is Status.FAILED and "tell your instructor" in verdict.message


def test_known_mistakes_are_named_and_the_expected_value_is_never_shown():
    expected = np.array([1.2345, 6.789])
    with pytest.raises(Mistake) as caught:
        compare(expected * 0 + 7.0, expected, "x", known_mistakes={"forgot the bias": np.array([7.0, 7.0])})
    assert "forgot the bias" in str(caught.value)
    with pytest.raises(Mistake) as caught:
        compare(np.array([0.1, 0.2]), expected, "x")
    assert "1.23" not in str(caught.value) and "6.78" not in str(caught.value)


def test_a_single_wrong_number_is_no_constant_factor_unless_a_whole_one():
    with pytest.raises(Mistake, match="not right"):
        compare(np.array(0.123), np.array(0.456), "the loss")
    with pytest.raises(Mistake, match="factor of 0.5"):
        compare(np.array(0.228), np.array(0.456), "the loss")
    with pytest.raises(Mistake, match="factor of 50"):
        compare(np.array(22.8), np.array(0.456), "the loss")


def test_as_tuple_and_as_array_reject_wrong_structure():
    with pytest.raises(Mistake, match="tuple of 2"):
        as_tuple(np.zeros(3), "result", 2)
    with pytest.raises(Mistake, match="shape"):
        as_array([[1, 2]], "x", shape=(2,))
    with pytest.raises(core.NotDone):
        as_array(..., "x")


def test_call_turns_not_implemented_into_not_done():
    with pytest.raises(core.NotDone):
        call(stub, 1.0)
    with pytest.raises(core.NotDone):
        call(lambda x: ..., 1.0)  # a value placeholder returned from inside a function


def test_expect_unchanged_names_in_place_changes_only():
    before = np.arange(4.0)
    core.expect_unchanged(before, before.copy(), "f")
    changed = before.copy()
    changed[0] -= 1
    with pytest.raises(Mistake, match=r"`f` changed the image in place: make a copy\.$"):
        core.expect_unchanged(before, changed, "f", "the image", "make a copy")
