"""Checks of notebook 11 (playground) on typical mistakes; solution and stub are tested by test_check_basics."""

import numpy as np

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status
from utils.playground import PlaygroundConfig


def test_smallest_relu_network_mistakes():
    assert_verdict(check.smallest_relu_network, (lambda: (2,),), Status.FAILED, "more neurons")
    assert_verdict(check.smallest_relu_network, (lambda: (8, 8),), Status.FAILED, "fewer neurons")
    assert_verdict(check.smallest_relu_network, (lambda: (),), Status.FAILED, "add a hidden layer")
    assert_verdict(check.smallest_relu_network, (lambda: 3,), Status.FAILED, "tuple")
    assert_verdict(check.smallest_relu_network, (lambda: (0, 2),), Status.FAILED, ">= 1")
    # four neurons solve it in every run, but three do in most: the check must not let learners stop at four
    assert_verdict(check.smallest_relu_network, (lambda: (4,),), Status.FAILED, "fewer neurons")
    assert_verdict(check.smallest_relu_network, (lambda: [3],), Status.PASSED)


def test_best_extra_feature_mistakes():
    assert_verdict(check.best_extra_feature, (lambda: "x1^2",), Status.FAILED, "same sign")
    assert_verdict(check.best_extra_feature, (lambda: "sin(x2)",), Status.FAILED, "only")
    assert_verdict(check.best_extra_feature, (lambda: "x1",), Status.FAILED, "already an input")
    assert_verdict(check.best_extra_feature, (lambda: "x1x2",), Status.FAILED, "not a playground feature")
    assert_verdict(check.best_extra_feature, (lambda: 5,), Status.FAILED, "a string")


def test_spiral_config_mistakes():
    weak = PlaygroundConfig(dataset="spiral", hidden_layers=(2,), epochs=50)
    assert_verdict(check.spiral_config, (lambda: weak,), Status.FAILED, "test accuracy")
    assert_verdict(check.spiral_config, (lambda: PlaygroundConfig(),), Status.FAILED, "dataset='spiral'")
    assert_verdict(check.spiral_config, (lambda: weak.replace(noise=0.2),), Status.FAILED, "noise")
    assert_verdict(check.spiral_config, (lambda: weak.replace(epochs=5000),), Status.FAILED, "1000 epochs")
    assert_verdict(check.spiral_config, (lambda: {"dataset": "spiral"},), Status.FAILED, "PlaygroundConfig")


def test_near_zero_fraction_mistakes():
    def counts(weights, tolerance=1e-3):
        return np.sum(np.abs(np.concatenate([np.ravel(W) for W, _ in weights])) < tolerance)

    def no_abs(weights, tolerance=1e-3):
        return np.mean(np.concatenate([np.ravel(W) for W, _ in weights]) < tolerance)

    def with_biases(weights, tolerance=1e-3):
        return np.mean(np.abs(np.concatenate([np.concatenate([np.ravel(W), b]) for W, b in weights])) < tolerance)

    def layer_average(weights, tolerance=1e-3):
        return np.mean([np.mean(np.abs(W) < tolerance) for W, _ in weights])

    assert_verdict(check.near_zero_fraction, (counts,), Status.FAILED, "share")
    assert_verdict(check.near_zero_fraction, (layer_average,), Status.FAILED, "pool all weights")
    assert_verdict(check.near_zero_fraction, (no_abs,), Status.FAILED, "absolute value")
    assert_verdict(check.near_zero_fraction, (with_biases,), Status.FAILED, "biases")


def test_spiral_config_without_features_mistakes():
    with_sines = PlaygroundConfig(dataset="spiral", features=("x1", "x2", "sin(x1)", "sin(x2)"), hidden_layers=(8, 8),
                                  epochs=300)
    assert_verdict(check.spiral_config_without_features, (lambda: with_sines,), Status.FAILED, "only features")
    weak = PlaygroundConfig(dataset="spiral", hidden_layers=(2,), epochs=50)
    assert_verdict(check.spiral_config_without_features, (lambda: weak,), Status.FAILED, "test accuracy")
    assert_verdict(check.spiral_config_without_features, (lambda: weak.replace(epochs=5000),), Status.FAILED,
                   "1000 epochs")
    # the same inputs in the other order are the same task
    solved = PlaygroundConfig(dataset="spiral", features=("x2", "x1"), hidden_layers=(8, 8, 8, 8),
                              activation="relu", optimizer="adam", learning_rate=0.01, epochs=300)
    assert_verdict(check.spiral_config_without_features, (lambda: solved,), Status.PASSED)
