"""Checks of notebook 02 on the solution, the generated stub, typical mistakes and bad input."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status


def test_best_linear_fit_without_intercept():
    def through_origin(X, y):
        return np.linalg.lstsq(X, y, rcond=None)[0], 0.0
    assert_verdict(check.best_linear_fit, (through_origin,), Status.FAILED, "column of ones")


def test_collapse_mistakes():
    assert_verdict(check.collapse_linear_layers, (lambda W1, b1, W2, b2: (W1 @ W2, b2),), Status.FAILED,
                   "first layer's bias")
    assert_verdict(check.collapse_linear_layers, (lambda W1, b1, W2, b2: (W2 @ W1, b2),), Status.FAILED,
                   "raised ValueError")


def test_xor_weights_mistakes():
    W, c, w = np.ones((2, 2)), np.array([0.0, -1.0]), np.array([1.0, -2.0])
    assert_verdict(check.xor_weights, (lambda: (W, c, w, 0.0),), Status.PASSED)
    assert_verdict(check.xor_weights, (lambda: (W, np.zeros(2), w, 0.0),), Status.FAILED, "(1, 1)")
    assert_verdict(check.xor_weights, (lambda: (W, c, w),), Status.FAILED, "tuple of 4")
    assert_verdict(check.xor_weights, (lambda: (W, c, w, ...),), Status.NOT_DONE)


def test_hidden_layer_mistakes():
    assert_verdict(check.hidden_layer, (lambda X, W, c: X @ W + c,), Status.FAILED, "ReLU")
    assert_verdict(check.hidden_layer, (lambda X, W, c: np.maximum(X @ W, 0) + c,), Status.FAILED, "inside")


def _xor_model(n_hidden, output_activation=None, compiled=True, loss="mse", use_argument=True):
    """A Keras model for XOR with one of the typical mistakes switched on."""
    import keras
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(n_hidden if use_argument else 2, activation="relu"),
        keras.layers.Dense(1, activation=output_activation),
    ])
    if compiled:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss=loss)
    return model


@pytest.mark.parametrize("options, fragment", [
    ({"output_activation": "sigmoid"}, "without activation"),
    ({"compiled": False}, "not compiled"),
    ({"loss": "binary_crossentropy"}, "mean squared error"),
    ({"use_argument": False}, "use the argument"),
])
def test_build_xor_model_mistakes(options, fragment):
    assert_verdict(check.build_xor_model, (lambda n: _xor_model(n, **options),), Status.FAILED, fragment)
