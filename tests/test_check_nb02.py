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
    absolute = (np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros(2), np.ones(2), 0.0)  # relu(x1-x2) + relu(x2-x1)
    assert_verdict(check.xor_weights, (lambda: absolute,), Status.PASSED)
    assert_verdict(check.xor_weights, (lambda: (2 * W, 2 * c, w / 2, 0.0),), Status.PASSED)  # scaled: another net
    assert_verdict(check.xor_weights, (lambda: (W, c, w, 0.0),), Status.FAILED, "textbook")
    assert_verdict(check.xor_weights, (lambda: (W[:, ::-1], c[::-1], w[::-1], 0),), Status.FAILED, "swapped")
    assert_verdict(check.xor_weights, (lambda: (W, np.zeros(2), w, 0.0),), Status.FAILED, "(1, 1)")
    assert_verdict(check.xor_weights, (lambda: (W, c, w),), Status.FAILED, "tuple of 4")
    assert_verdict(check.xor_weights, (lambda: (W, c, w, ...),), Status.NOT_DONE)


def test_hidden_layer_mistakes():
    assert_verdict(check.hidden_layer, (lambda X, W, c: X @ W + c,), Status.FAILED, "ReLU")
    assert_verdict(check.hidden_layer, (lambda X, W, c: np.maximum(X @ W, 0) + c,), Status.FAILED, "inside")


def _xor_model(n_hidden, output_activation=None, compiled=True, loss="mse", use_argument=True, hidden="relu",
               separate=None, optimizer="adam", rate=0.05):
    """A Keras model for XOR with one of the typical mistakes (or an equivalent spelling) switched on."""
    import keras
    import tensorflow as tf
    activation = {"relu": "relu", "tf.nn.relu": tf.nn.relu, "tanh": "tanh", None: None}[hidden]
    after = {None: [], "Activation": [keras.layers.Activation("relu")], "ReLU": [keras.layers.ReLU()]}[separate]
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(n_hidden if use_argument else 2, activation=activation),
        *after,
        keras.layers.Dense(1, activation=output_activation),
    ])
    if compiled:
        chosen = {"adam": keras.optimizers.Adam(learning_rate=rate), "sgd": keras.optimizers.SGD(learning_rate=rate),
                  "missing": None}[optimizer]
        model.compile(**({"optimizer": chosen} if chosen else {}),
                      loss={"object": keras.losses.MeanSquaredError(), "function": keras.losses.mean_squared_error}
                      .get(loss, loss))
    return model


@pytest.mark.parametrize("options", [
    {},
    {"hidden": None, "separate": "Activation"},
    {"hidden": None, "separate": "ReLU"},
    {"hidden": "tf.nn.relu"},
    {"loss": "object"},
    {"loss": "function"},
    {"loss": "mean_squared_error"},
])
def test_build_xor_model_equivalent_forms_pass(options):
    assert_verdict(check.build_xor_model, (lambda n: _xor_model(n, **options),), Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({"output_activation": "sigmoid"}, "without activation"),
    ({"compiled": False}, "not compiled"),
    ({"loss": "binary_crossentropy"}, "loss 'binary_crossentropy'"),
    ({"use_argument": False}, "use the argument"),
    ({"hidden": "tanh"}, "asks for the ReLU"),
    ({"hidden": None}, "asks for the ReLU"),
    ({"optimizer": "missing"}, "optimiser RMSprop"),
    ({"optimizer": "sgd"}, "optimiser SGD"),
    ({"rate": 0.01}, "learning rate is 0.01"),
])
def test_build_xor_model_mistakes(options, fragment):
    assert_verdict(check.build_xor_model, (lambda n: _xor_model(n, **options),), Status.FAILED, fragment)
