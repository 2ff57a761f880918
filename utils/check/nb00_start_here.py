"""Checks of notebook 00 (start here): NumPy warm-up."""

from __future__ import annotations

import numpy as np

from utils.check.core import Mistake, NotDone, as_array, call, compare, describe, exercise_check, expect_function


@exercise_check("0.1", "mean squared error")
def mean_squared_error(function) -> str:
    """Compare the learner's MSE with the definition on random vectors and matrices."""
    function = expect_function(function, "mean_squared_error")
    rng = np.random.default_rng()
    for shape in [(7,), (4, 3)]:
        y_true, y_pred = rng.normal(size=shape), rng.normal(size=shape)
        error = y_pred - y_true
        value = as_array(call(function, y_true, y_pred), "mean_squared_error(y_true, y_pred)", shape=())
        compare(value, np.mean(error**2), "the mean squared error", known_mistakes={
            "the differences are not squared.": np.mean(error),
            "it squares the mean difference; square each difference first, then average.": np.mean(error) ** 2,
            "it takes absolute differences instead of squares.": np.mean(np.abs(error)),
            "it takes the square root at the end (that is the RMSE).": np.sqrt(np.mean(error**2)),
            "it sums instead of taking the mean.": np.sum(error**2),
        })
    _expect_shape_mismatch_refused(function, rng)
    return "correct on random vectors and matrices, and it refuses targets and predictions of different shapes."


def _expect_shape_mismatch_refused(function, rng: np.random.Generator) -> None:
    """Raise a Mistake unless the MSE raises ValueError for targets (n,) against predictions (n, 1)."""
    n = 6
    y_true, y_pred = rng.normal(size=n), rng.normal(size=(n, 1))
    try:
        value = function(y_true, y_pred)
    except NotImplementedError:
        raise NotDone from None
    except ValueError:
        return
    except Exception as error:
        raise Mistake(f"for targets of shape ({n},) and predictions of shape ({n}, 1) it raised "
                      f"{type(error).__name__}; the task asks for a ValueError.") from None
    raise Mistake(f"for targets of shape ({n},) and predictions of shape ({n}, 1) it returned {describe(value)} "
                  f"instead of raising a ValueError: NumPy broadcasts the difference into a ({n}, {n}) table, "
                  "so that number means nothing. Compare the two shapes first.")


@exercise_check("0.2", "prediction of a linear layer")
def predict_linear(function) -> str:
    """Check X @ W + b with non-square shapes so that transposes show up as errors."""
    function = expect_function(function, "predict_linear")
    rng = np.random.default_rng()
    n, n_in, n_out = 5, 3, 2
    X, W, b = rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    value = as_array(call(function, X, W, b), "predict_linear(X, W, b)", shape=(n, n_out))
    compare(value, X @ W + b, "the prediction", known_mistakes={
        "the bias b is missing.": X @ W,
        "the bias is subtracted instead of added.": X @ W - b,
    })
    return f"correct: {n} examples with {n_in} inputs give {n} rows of {n_out} outputs."
