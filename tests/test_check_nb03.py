"""Checks of notebook 03 on typical mistakes (the solutions and stubs are covered by test_check_basics)."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status


def _sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


@pytest.mark.parametrize("relu, fragment", [
    (lambda z: (np.maximum(z, 0), np.ones_like(z)), "derivative there is 0"),
    (lambda z: (np.maximum(z, 0), (z < 0).astype(float)), "other way round"),
    (lambda z: (z, (z > 0).astype(float)), "pass through"),
    (lambda z: (np.maximum(z, 0),), "tuple of 2"),
    (lambda z: (np.maximum(z, 0), np.ones(3)), "shape"),
])
def test_relu_mistakes(relu, fragment):
    assert_verdict(check.relu_activation, (relu,), Status.FAILED, fragment)


def _relu_in_place(z):
    """A ReLU that assigns into its input (and so also fails on a single number)."""
    z[z < 0] = 0.0
    return z, (z > 0).astype(float)


def _relu_with_copy_method(z):
    """A ReLU that copies with the array method: fine on arrays, fails on a Python number."""
    value = z.copy()
    value[value < 0] = 0.0
    return value, (value > 0).astype(float)


def test_relu_in_place_and_on_numbers():
    assert_verdict(check.relu_activation, (_relu_in_place,), Status.FAILED, "in place")
    assert_verdict(check.relu_activation, (_relu_with_copy_method,), Status.FAILED, "single number")
    assert_verdict(check.relu_activation, (lambda z: (z * (z > 0), 1.0 * (z > 0)),), Status.PASSED)
    assert_verdict(check.relu_activation, (lambda z: (np.maximum(z, 0), np.heaviside(z, 0)),), Status.PASSED)


def _tanh_in_place(z):
    """A tanh written into its input array."""
    np.tanh(z, out=z)
    return z, 1 - z**2


def test_sigmoid_and_tanh_in_place_and_on_numbers():
    assert_verdict(check.tanh_activation, (_tanh_in_place,), Status.FAILED, "in place")
    assert_verdict(check.sigmoid_activation, (lambda z: (_sigmoid(z), (_sigmoid(z) * (1 - _sigmoid(z))).tolist()),),
                   Status.PASSED)
    assert_verdict(check.sigmoid_activation, (lambda z: tuple(np.atleast_1d(_sigmoid(z)) for _ in range(2))
                   if np.ndim(z) == 0 else (_sigmoid(z), _sigmoid(z) * (1 - _sigmoid(z))),), Status.FAILED, "shape")


@pytest.mark.parametrize("sigmoid, fragment", [
    (lambda z: (_sigmoid(z), _sigmoid(z)), "sigmoid itself"),
    (lambda z: (_sigmoid(z), 1 - _sigmoid(z)), "factor s is missing"),
    (lambda z: (_sigmoid(-z), _sigmoid(z) * (1 - _sigmoid(z))), "sign in the exponent"),
    (lambda z: (_sigmoid(z), 0.5 * _sigmoid(z) * (1 - _sigmoid(z))), "constant factor"),
])
def test_sigmoid_mistakes(sigmoid, fragment):
    assert_verdict(check.sigmoid_activation, (sigmoid,), Status.FAILED, fragment)


@pytest.mark.parametrize("tanh, fragment", [
    (lambda z: (np.tanh(z), 1 - np.tanh(z)), "square is missing"),
    (lambda z: (np.tanh(z), 1 - z**2), "not z"),
    (lambda z: (np.tanh(z), np.tanh(z)), "tanh itself"),
])
def test_tanh_mistakes(tanh, fragment):
    assert_verdict(check.tanh_activation, (tanh,), Status.FAILED, fragment)


def _chain(activation, x, weights, biases, use_weight=True, use_slope=True, use_bias=True):
    a, gradient = x, 1.0
    for w, b in zip(weights, biases):
        value, slope = activation(w * a + (b if use_bias else 0))
        gradient *= (w if use_weight else 1) * (slope if use_slope else value)
        a = value
    return float(gradient)


def test_chain_gradient_mistakes():
    assert_verdict(check.chain_gradient, (_chain,), Status.PASSED)
    assert_verdict(check.chain_gradient, (lambda *args: _chain(*args, use_weight=False),), Status.FAILED,
                   "weights are missing")
    assert_verdict(check.chain_gradient, (lambda *args: _chain(*args, use_slope=False),), Status.FAILED,
                   "not the value")
    assert_verdict(check.chain_gradient, (lambda *args: _chain(*args, use_bias=False),), Status.FAILED,
                   "biases are missing")
    assert_verdict(check.chain_gradient, (lambda *args: -_chain(*args),), Status.FAILED, "sign")


def _classifier(activation, hidden=None, output="sigmoid", units=(8, 8), optimizer="sgd", loss="binary_crossentropy",
                compiled=True, metrics=("accuracy",), separate=False):
    """A 2-8-8-1 classifier with one of the typical mistakes (or an equivalent spelling) switched on."""
    import keras
    layers = [keras.Input(shape=(2,))]
    for n in units:
        if separate:  # Dense(8) followed by its own activation layer
            layers += [keras.layers.Dense(n), keras.layers.Activation(hidden or activation)]
        else:
            layers.append(keras.layers.Dense(n, activation=hidden or activation))
    model = keras.Sequential(layers + [keras.layers.Dense(1, activation=output)])
    if compiled:
        optimizers = {"sgd": keras.optimizers.SGD(learning_rate=0.1), "adam": keras.optimizers.Adam(),
                      "sgd_slow": keras.optimizers.SGD(learning_rate=0.01),
                      "momentum": keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)}
        losses = {"object": keras.losses.BinaryCrossentropy(), "function": keras.losses.binary_crossentropy}
        model.compile(optimizer=optimizers[optimizer], loss=losses.get(loss, loss), metrics=list(metrics))
    return model


@pytest.mark.parametrize("options", [
    {},
    {"separate": True},
    {"loss": "object"},
    {"loss": "function"},
    {"metrics": ("binary_accuracy",)},
    {"metrics": ("acc", "AUC")},
])
def test_build_classifier_equivalent_forms_pass(options):
    assert_verdict(check.build_activation_classifier, (lambda activation: _classifier(activation, **options),),
                   Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({"hidden": "relu"}, "activation=activation"),
    ({"hidden": "relu", "separate": True}, "activation=activation"),
    ({"output": None}, "sigmoid activation"),
    ({"units": (8,)}, "two hidden layers"),
    ({"optimizer": "adam"}, "optimiser Adam"),
    ({"optimizer": "sgd_slow"}, "learning rate is 0.01"),
    ({"optimizer": "momentum"}, "no momentum"),
    ({"loss": "mse"}, "loss 'mean_squared_error'"),
    ({"compiled": False}, "not compiled"),
    ({"metrics": ()}, "metric 'accuracy'"),
    ({"metrics": ("mae",)}, "metric 'accuracy'"),
])
def test_build_classifier_mistakes(options, fragment):
    assert_verdict(check.build_activation_classifier, (lambda activation: _classifier(activation, **options),),
                   Status.FAILED, fragment)


@pytest.mark.parametrize("dead_fraction, fragment", [
    (lambda H: float(np.mean(H <= 0)), "zero entries"),
    (lambda H: float(np.mean(np.all(H <= 0, axis=1))), "columns"),
    (lambda H: float(np.mean(np.any(H > 0, axis=0))), "fire, not"),
    (lambda H: int(np.sum(np.all(H <= 0, axis=0))), "not a count"),
])
def test_dead_fraction_mistakes(dead_fraction, fragment):
    assert_verdict(check.dead_relu_fraction, (dead_fraction,), Status.FAILED, fragment)


def test_dead_fraction_that_writes_into_h_is_named():
    def clipping(H):
        H[H > 0] = 1.0  # marks firing entries, in the data it was given
        return float(np.mean(np.all(H <= 0, axis=0)))
    assert_verdict(check.dead_relu_fraction, (clipping,), Status.FAILED, "in place")
