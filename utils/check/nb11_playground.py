"""Checks of notebook 11 (the playground): each trains the learner's choice with the playground's API."""

from __future__ import annotations

import numpy as np

from utils.check.core import Mistake, NotDone, as_array, call, compare, describe, exercise_check, expect_function

SOLVED_ACCURACY = 0.95
SPIRAL_ACCURACY = 0.9
SMALL_NETWORK_NEURONS = 3  # three ReLU neurons in one layer solve it in most runs


def _hidden_layers(value, what: str) -> tuple[int, ...]:
    """A learner's hidden-layer tuple, or one sentence on what is wrong with it."""
    if value is Ellipsis:
        raise NotDone
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        raise Mistake(f"{what} is the number {value}; return a tuple of neuron counts, e.g. (5,) for one layer of 5.")
    if not isinstance(value, (tuple, list)):
        raise Mistake(f"{what} should be a tuple of neuron counts such as (5, 3), not {describe(value)}.")
    if not all(isinstance(width, (int, np.integer)) and not isinstance(width, bool) and width >= 1
               for width in value):
        raise Mistake(f"{what} should hold whole numbers >= 1 (neurons per hidden layer), not {tuple(value)!r}.")
    return tuple(int(width) for width in value)


@exercise_check("11.1", "smallest ReLU network for the checkerboard")
def smallest_relu_network(function) -> str:
    """Train the learner's hidden layers (ReLU, inputs x1, x2) on the XOR checkerboard with five seeds."""
    from utils.playground import train

    function = expect_function(function, "smallest_relu_network")
    layers = _hidden_layers(call(function), "smallest_relu_network()")
    if not layers:
        raise Mistake("without a hidden layer the network is linear in x1 and x2 and cannot separate the "
                      "checkerboard's four quadrants; add a hidden layer.")
    if len(layers) > 6 or max(layers) > 8:
        raise Mistake(f"{layers} is larger than the playground allows (6 layers of at most 8 neurons); "
                      "the task asks for the smallest network.")
    solved = failed = 0
    for seed in range(5):  # stop as soon as the verdict is clear
        accuracy = train(dataset="xor", activation="relu", hidden_layers=layers, epochs=300, seed=seed).test_accuracy
        solved, failed = solved + (accuracy >= SOLVED_ACCURACY), failed + (accuracy < SOLVED_ACCURACY)
        if solved == 3 or failed == 3:
            break
    if solved < 3:
        raise Mistake(f"hidden layers {layers} miss {SOLVED_ACCURACY:.0%} test accuracy in {failed} training runs "
                      "(different seeds); it needs more neurons to cut out the quadrants reliably.")
    if sum(layers) > SMALL_NETWORK_NEURONS:
        raise Mistake(f"{layers} solves it, but with {sum(layers)} neurons; a network with fewer neurons does too "
                      "(in at least three of five runs, as the check counts): take neurons away one at a time and "
                      "try each size with several seeds before you stop.")
    return f"correct: {layers} solves the checkerboard reliably with {sum(layers)} ReLU neurons."


@exercise_check("11.2", "most useful extra feature")
def best_extra_feature(function) -> str:
    """Train a network without hidden layer on x1, x2 and the learner's feature; it must solve XOR."""
    from utils.playground import FEATURE_NAMES, train

    function = expect_function(function, "best_extra_feature")
    name = call(function)
    if not isinstance(name, str):
        raise Mistake(f"best_extra_feature() should return one feature name (a string) such as 'x1^2', "
                      f"not {describe(name)}.")
    if name not in FEATURE_NAMES:
        raise Mistake(f"{name!r} is not a playground feature; choose one of {list(FEATURE_NAMES)}.")
    if name in ("x1", "x2"):
        raise Mistake(f"{name!r} is already an input; the task asks for an extra feature.")
    result = train(dataset="xor", features=("x1", "x2", name), hidden_layers=(), epochs=100)
    if result.test_accuracy < SOLVED_ACCURACY:
        raise Mistake(f"with x1, x2 and {name} and no hidden layer the test accuracy is only "
                      f"{result.test_accuracy:.0%}: this feature has the same sign in quadrants of different class.")
    return f"correct: with {name} even a network without hidden layer reaches {result.test_accuracy:.0%}."


def _spiral_accuracy(function, name: str):
    """The learner's spiral configuration and its lower test accuracy over its own seed and the next one."""
    from utils.playground import PlaygroundConfig, train

    function = expect_function(function, name)
    config = call(function)
    if not isinstance(config, PlaygroundConfig):
        raise Mistake(f"{name}() should return a PlaygroundConfig(...), not {describe(config)}.")
    if config.dataset != "spiral":
        raise Mistake(f"the configuration trains on {config.dataset!r}; set dataset='spiral'.")
    if config.noise > 0.0:
        raise Mistake("keep the noise at 0 for this task: noisy spirals cannot be solved to the accuracy asked.")
    if config.epochs > 1000 or sum(config.hidden_layers) > 64:
        raise Mistake("keep it to at most 1000 epochs and 64 hidden neurons, so the check finishes quickly.")
    return config, lambda: min(train(config.replace(seed=seed)).test_accuracy for seed in (config.seed, config.seed + 1))


def _too_low(accuracy: float) -> Mistake:
    return Mistake(f"the test accuracy is only {accuracy:.0%} with one of two seeds (needed: {SPIRAL_ACCURACY:.0%}); "
                   "try more neurons or layers, more epochs, another learning rate or optimiser.")


@exercise_check("11.3", "a network that solves the spiral")
def spiral_config(function) -> str:
    """Train the learner's configuration on the spiral with its own seed and a second one."""
    _, accuracy = _spiral_accuracy(function, "spiral_config")
    worst = accuracy()
    if worst < SPIRAL_ACCURACY:
        raise _too_low(worst)
    return f"correct: {worst:.0%} or better test accuracy with two different seeds."


@exercise_check("11.4", "the spiral from x1, x2 alone")
def spiral_config_without_features(function) -> str:
    """The bonus: like 11.3, but the inputs must be exactly x1 and x2."""
    config, accuracy = _spiral_accuracy(function, "spiral_config_without_features")
    if set(config.features) != {"x1", "x2"}:
        extra = sorted(set(config.features) - {"x1", "x2"})
        raise Mistake(f"the configuration uses the features {extra or list(config.features)}; this task allows "
                      "only features=('x1', 'x2').")
    worst = accuracy()
    if worst < SPIRAL_ACCURACY:
        raise _too_low(worst)
    return f"correct: {worst:.0%} or better test accuracy from x1, x2 alone, with two different seeds."


def _near_zero_fraction(weights, tolerance: float) -> float:
    """Reference: share of connection weights (not biases) with |w| < tolerance."""
    values = np.concatenate([np.ravel(W) for W, _ in weights])
    return float(np.mean(np.abs(values) < tolerance))


@exercise_check("11.5", "share of near-zero weights")
def near_zero_fraction(function) -> str:
    """Compare the learner's share of near-zero weights with the reference on random networks."""
    function = expect_function(function, "near_zero_fraction")
    rng = np.random.default_rng()
    for sizes in ((2, 4, 2, 1), (3, 8, 1)):
        weights = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            W = rng.normal(scale=0.01, size=(n_in, n_out)) * (rng.random((n_in, n_out)) < 0.5)
            weights.append((W, np.full(n_out, 1e-5)))  # tiny biases: they must not be counted
        tolerance = 0.005
        value = as_array(call(function, weights, tolerance), "near_zero_fraction(weights, tolerance)", shape=())
        values = np.concatenate([W.ravel() for W, _ in weights])
        everything = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in weights])
        compare(value, _near_zero_fraction(weights, tolerance), "the share of near-zero weights", known_mistakes={
            "it counts weights rather than giving their share: divide by the number of weights.":
                np.sum(np.abs(values) < tolerance),
            "negative weights all count as near zero: compare the absolute value |w| with the tolerance.":
                np.mean(values < tolerance),
            "the biases are counted too: only the connection weights W belong in it.":
                np.mean(np.abs(everything) < tolerance),
            "it averages the layers' shares, so a small layer counts as much as a big one: pool all weights first.":
                np.mean([np.mean(np.abs(W) < tolerance) for W, _ in weights]),
        })
    return "correct."
