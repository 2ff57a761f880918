"""Checks of notebook 04 on typical mistakes (the solutions and stubs are covered by test_check_basics)."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status


def _mlp(n_inputs, widths, activation, initializer, output_initializer=True, output_activation=None,
         bias_initializer="zeros", hidden_activation=None, skip_last_hidden=False, separate_activation=False):
    import keras
    layers = [keras.Input(shape=(n_inputs,))]
    for width in widths[:-1] if skip_last_hidden else widths:
        if separate_activation:  # Dense, then Activation(...) or ReLU(): the same network
            layers.append(keras.layers.Dense(width, kernel_initializer=initializer, bias_initializer=bias_initializer))
            layers.append(keras.layers.ReLU() if activation == "relu" else keras.layers.Activation(activation))
            continue
        layers.append(keras.layers.Dense(width, activation=hidden_activation or activation,
                                         kernel_initializer=initializer, bias_initializer=bias_initializer))
    layers.append(keras.layers.Dense(1, activation=output_activation,
                                     kernel_initializer=initializer if output_initializer else "glorot_uniform"))
    return keras.Sequential(layers)


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"separate_activation": True}, ""),
    ({"output_initializer": False}, "output layer does not start"),
    ({"output_activation": "sigmoid"}, "no activation"),
    ({"bias_initializer": "ones"}, "biases"),
    ({"hidden_activation": "sigmoid"}, "activation=activation"),
    ({"skip_last_hidden": True}, "one hidden layer per entry"),
])
def test_build_mlp_mistakes(options, fragment):
    status = Status.FAILED if fragment else Status.PASSED
    assert_verdict(check.mlp_with_initializer, (lambda *args: _mlp(*args, **options),), status, fragment)


@pytest.mark.parametrize("glorot, fragment", [
    (lambda n_in, n_out: np.sqrt(1 / n_in), "both n_in and n_out"),
    (lambda n_in, n_out: np.sqrt(2 / n_in), "He's scale"),
    (lambda n_in, n_out: np.sqrt(1 / (n_in + n_out)), "factor 2 is missing"),
    (lambda n_in, n_out: 2 / (n_in + n_out), "variance"),
    (lambda n_in, n_out: np.sqrt(6 / (n_in + n_out)), "uniform limit"),
    (lambda n_in, n_out: (n_in, n_out), "shape"),
])
def test_glorot_std_mistakes(glorot, fragment):
    assert_verdict(check.glorot_std, (glorot,), Status.FAILED, fragment)


@pytest.mark.parametrize("he, fragment", [
    (lambda n_in: np.sqrt(1 / n_in), "factor 2 is missing"),
    (lambda n_in: 2 / n_in, "variance"),
    (lambda n_in: np.sqrt(6 / n_in), "uniform limit"),
])
def test_he_std_mistakes(he, fragment):
    assert_verdict(check.he_std, (he,), Status.FAILED, fragment)


@pytest.mark.parametrize("limit, fragment", [
    (lambda std: 3 * std, "not 3 * std"),
    (lambda std: std / np.sqrt(3), "std / sqrt(3)"),
    (lambda std: std, "too narrow"),
    (lambda std: 2 * std, "constant factor"),
])
def test_uniform_limit_mistakes(limit, fragment):
    assert_verdict(check.uniform_limit, (limit,), Status.FAILED, fragment)


def _spreads(X, weights, activation, pre=False, transpose=False, with_input=False, statistic=np.std):
    h, result = X, [statistic(X)] if with_input else []
    for W in weights:
        z = h @ (W.T if transpose else W)
        h = activation(z)
        result.append(statistic(z if pre else h))
    return np.array(result)


@pytest.mark.parametrize("options, fragment", [
    ({"pre": True}, "pre-activations"),
    ({"transpose": True}, "transposed"),
    ({"with_input": True}, "without the input"),
    ({"statistic": np.mean}, "mean"),
    ({"statistic": np.var}, "variances"),
    ({"statistic": lambda h: np.std(h, ddof=1)}, ""),
])
def test_activation_spreads_mistakes(options, fragment):
    status = Status.FAILED if fragment else Status.PASSED
    assert_verdict(check.activation_spreads, (lambda *args: _spreads(*args, **options),), status, fragment)


def _gradient_norms(model, loss_function, X, y, biases=False, squared=False, reverse=False, sum_loss=False):
    import tensorflow as tf
    variables = model.trainable_variables if biases else [layer.kernel for layer in model.layers]
    with tf.GradientTape() as tape:
        loss = loss_function(y, model(X)) * (len(X) if sum_loss else 1)
    norms = np.array([float(tf.norm(g)) for g in tape.gradient(loss, variables)])
    norms = norms**2 if squared else norms
    return norms[::-1] if reverse else norms


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"biases": True}, "biases included"),
    ({"squared": True}, "squared norms"),
    ({"reverse": True}, "reverse order"),
    ({"sum_loss": True}, "constant factor"),
])
def test_gradient_norms_mistakes(options, fragment):
    status = Status.FAILED if options else Status.PASSED
    assert_verdict(check.gradient_norms, (lambda *args: _gradient_norms(*args, **options),), status, fragment)


def test_initializer_for_mistakes():
    import keras
    by_name = {"relu": "he_uniform", "tanh": "glorot_uniform"}
    assert_verdict(check.initializer_for, (by_name.get,), Status.PASSED)
    assert_verdict(check.initializer_for, (lambda activation: keras.initializers.GlorotNormal(),), Status.FAILED,
                   "half of what ReLU needs")
    assert_verdict(check.initializer_for, (lambda activation: keras.initializers.HeNormal(),), Status.FAILED,
                   "for tanh this has He's variance")
    assert_verdict(check.initializer_for, (lambda activation: keras.initializers.RandomNormal(stddev=0.01),),
                   Status.FAILED, "times the He variance")
    assert_verdict(check.initializer_for, (lambda activation: "no such initialiser",), Status.FAILED,
                   "should return a Keras initialiser")
