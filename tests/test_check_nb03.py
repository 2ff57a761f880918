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
                compiled=True):
    import keras
    model = keras.Sequential([keras.Input(shape=(2,))]
                             + [keras.layers.Dense(n, activation=hidden or activation) for n in units]
                             + [keras.layers.Dense(1, activation=output)])
    if compiled:
        optimizers = {"sgd": keras.optimizers.SGD(learning_rate=0.1), "adam": keras.optimizers.Adam(),
                      "sgd_slow": keras.optimizers.SGD(learning_rate=0.01)}
        model.compile(optimizer=optimizers[optimizer], loss=loss, metrics=["accuracy"])
    return model


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"hidden": "relu"}, "activation=activation"),
    ({"output": None}, "sigmoid activation"),
    ({"units": (8,)}, "two hidden layers"),
    ({"optimizer": "adam"}, "plain keras.optimizers.SGD"),
    ({"optimizer": "sgd_slow"}, "learning_rate=0.1"),
    ({"loss": "mse"}, "binary_crossentropy"),
    ({"compiled": False}, "not compiled"),
])
def test_build_classifier_mistakes(options, fragment):
    status = Status.PASSED if not options else Status.FAILED
    assert_verdict(check.build_activation_classifier, (lambda activation: _classifier(activation, **options),),
                   status, fragment)


@pytest.mark.parametrize("dead_fraction, fragment", [
    (lambda H: float(np.mean(H <= 0)), "zero entries"),
    (lambda H: float(np.mean(np.all(H <= 0, axis=1))), "columns"),
    (lambda H: float(np.mean(np.any(H > 0, axis=0))), "fire, not"),
    (lambda H: int(np.sum(np.all(H <= 0, axis=0))), "not a count"),
])
def test_dead_fraction_mistakes(dead_fraction, fragment):
    assert_verdict(check.dead_relu_fraction, (dead_fraction,), Status.FAILED, fragment)
