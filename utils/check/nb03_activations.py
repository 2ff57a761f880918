"""Checks of notebook 03 (activations): functions and slopes, gradient through a chain, a classifier, dead units."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from utils.check.core import (
    Mistake,
    NotDone,
    as_array,
    as_tuple,
    call,
    compare,
    exercise_check,
    expect_function,
    expect_unchanged,
)
from utils.check.keras_models import built_model, expect_compiled, weight_blocks


def _test_inputs(rng: np.random.Generator) -> np.ndarray:
    """A (3, 5) array of pre-activations with both signs, none exactly zero."""
    z = rng.uniform(0.2, 5.0, size=(3, 5)) * rng.choice([-1.0, 1.0], size=(3, 5))
    z[0, :2] = (-0.7, 0.7)  # both signs present for sure
    return z


def _value_and_slope(function, z: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Call the learner's activation on a copy of z; name a change of z in place; return (value, slope)."""
    function = expect_function(function, name)
    given = z.copy()
    value, slope = as_tuple(call(function, given), f"{name}(z)", 2)
    expect_unchanged(z, given, name, "the array z it was given",
                     "compute the result in a new array (np.maximum, np.where) instead of assigning into z")
    return (as_array(value, f"the value returned by {name}(z)", shape=z.shape),
            as_array(slope, f"the derivative returned by {name}(z)", shape=z.shape))


def _expect_numbers_work(function, name: str, reference: Callable[[float], tuple[float, float]]) -> None:
    """Raise a Mistake unless the activation also gives the right (value, slope) for single numbers."""
    for number in (-0.7, 1.3):
        try:
            result = function(number)
        except NotImplementedError:
            raise NotDone from None
        except Exception as error:
            raise Mistake(f"{name}({number}) raised {type(error).__name__}: it must work on a single number too "
                          "(chain_gradient passes numbers); NumPy functions such as np.maximum and np.where "
                          "accept both.") from None
        parts = as_tuple(result, f"{name}({number})", 2)
        got = np.array([as_array(part, f"{name}({number})", shape=()) for part in parts])
        compare(got, np.array(reference(number)), f"(value, slope) of {name}({number})")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic sigmoid."""
    return 1.0 / (1.0 + np.exp(-z))


@exercise_check("3.1", "ReLU and its derivative")
def relu_activation(function) -> str:
    """Value max(0, z) and slope 1/0 on random inputs of both signs."""
    z = _test_inputs(np.random.default_rng())
    value, slope = _value_and_slope(function, z, "relu")
    compare(value, np.maximum(z, 0.0), "relu(z)", known_mistakes={
        "negative inputs must give 0, not pass through unchanged.": z,
        "negative inputs must give 0, not their absolute value.": np.abs(z),
    })
    compare(slope, (z > 0).astype(float), "the ReLU derivative", known_mistakes={
        "for negative z the ReLU is flat, so its derivative there is 0, not 1.": np.ones_like(z),
        "the derivative is 1 for z > 0 and 0 for z < 0; yours is the other way round.": (z < 0).astype(float),
        "that is the ReLU value, not its slope: the slope is 1 or 0.": np.maximum(z, 0.0),
    })
    _expect_numbers_work(function, "relu", lambda v: (max(v, 0.0), float(v > 0)))
    return "correct: value and slope for both signs, on arrays and single numbers."


@exercise_check("3.1", "sigmoid and its derivative")
def sigmoid_activation(function) -> str:
    """Value 1 / (1 + e^-z) and slope s (1 - s) on random inputs."""
    z = _test_inputs(np.random.default_rng())
    value, slope = _value_and_slope(function, z, "sigmoid")
    s = _sigmoid(z)
    compare(value, s, "sigmoid(z)", known_mistakes={
        "the sign in the exponent is flipped: sigmoid(z) = 1 / (1 + exp(-z)) grows with z.": _sigmoid(-z),
    })
    compare(slope, s * (1 - s), "the sigmoid derivative", known_mistakes={
        "that is the sigmoid itself: its derivative is s (1 - s) with s = sigmoid(z).": s,
        "the factor s is missing: the derivative is s (1 - s), not just (1 - s).": 1 - s,
        "use s (1 - s) with s = sigmoid(z), not z (1 - z).": z * (1 - z),
        "the sign inside is wrong: s (1 - s), not s (1 + s).": s * (1 + s),
    })
    _expect_numbers_work(function, "sigmoid", lambda v: (_sigmoid(v), _sigmoid(v) * (1 - _sigmoid(v))))
    return "correct: value and slope, on arrays and single numbers."


@exercise_check("3.1", "tanh and its derivative")
def tanh_activation(function) -> str:
    """Value tanh(z) and slope 1 - tanh^2 on random inputs."""
    z = _test_inputs(np.random.default_rng())
    value, slope = _value_and_slope(function, z, "tanh")
    t = np.tanh(z)
    compare(value, t, "tanh(z)")
    compare(slope, 1 - t**2, "the tanh derivative", known_mistakes={
        "the square is missing: the derivative is 1 - tanh(z)**2.": 1 - t,
        "that is the tanh itself, not its derivative.": t,
        "square the tanh, not z: the derivative is 1 - tanh(z)**2.": 1 - z**2,
        "the sign is wrong: 1 - tanh(z)**2, not 1 + tanh(z)**2.": 1 + t**2,
    })
    _expect_numbers_work(function, "tanh", lambda v: (np.tanh(v), 1 - np.tanh(v) ** 2))
    return "correct: value and slope, on arrays and single numbers."


def _chain(x: float, weights: np.ndarray, biases: np.ndarray, slope_factor: bool = True,
           use_weights: bool = True, use_biases: bool = True, use_values: bool = False) -> float:
    """d a_L / d x through a sigmoid chain, with switches that reproduce typical mistakes."""
    a, gradient = x, 1.0
    for w, b in zip(weights, biases):
        s = _sigmoid(w * a + (b if use_biases else 0.0))
        factor = s if use_values else s * (1 - s)
        gradient *= (w if use_weights else 1.0) * (factor if slope_factor else 1.0)
        a = s
    return float(gradient)


def _reference_sigmoid(z):
    """Sigmoid value and slope, handed to the learner's chain_gradient."""
    s = _sigmoid(np.asarray(z, dtype=float))
    return s, s * (1 - s)


@exercise_check("3.2", "gradient through a chain of units")
def chain_gradient(function) -> str:
    """Compare with the product of w * slope along random sigmoid chains, and with finite differences."""
    function = expect_function(function, "chain_gradient")
    rng = np.random.default_rng()
    for depth in (1, 4):
        weights, biases = rng.uniform(0.5, 2.5, size=depth), rng.normal(size=depth)
        x = float(rng.normal())
        value = as_array(call(function, _reference_sigmoid, x, weights, biases),
                         "chain_gradient(activation, x, weights, biases)", shape=())
        compare(value, _chain(x, weights, biases), f"the gradient through {depth} unit(s)", known_mistakes={
            "the weights are missing: each layer contributes w * phi'(z), not only phi'(z).":
                _chain(x, weights, biases, use_weights=False),
            "each layer contributes the slope phi'(z) (the second value the activation returns), "
            "not the value phi(z).": _chain(x, weights, biases, use_values=True),
            "the biases are missing in z = w a + b.": _chain(x, weights, biases, use_biases=False),
        }, advice="Check that each unit takes the previous unit's output as its input.")
    return "correct: it agrees with the chain rule on random chains."


@exercise_check("3.3", "one network, any activation")
def build_activation_classifier(function) -> str:
    """Read the learner's model for two activations: 2-8-8-1, hidden activation, sigmoid output, SGD, BCE, accuracy."""
    function = expect_function(function, "build_classifier")
    for activation in ("tanh", "relu"):
        model = built_model(function, (activation,), "build_classifier")
        dense = weight_blocks(model)
        if [block.size for block in dense] != [8, 8, 1]:
            raise Mistake(f"the Dense layers have {[block.size for block in dense]} units; "
                          "the task asks for two hidden layers of 8 and one output unit.")
        if tuple(model.input_shape) != (None, 2):
            raise Mistake(f"the model's input shape is {model.input_shape}: each example has 2 inputs.")
        if any(block.activation != activation for block in dense[:2]):
            raise Mistake(f"build_classifier({activation!r}) does not use {activation!r} in both hidden layers: "
                          "pass activation=activation to them.")
        if dense[2].activation != "sigmoid":
            raise Mistake("the output unit of a two-class classifier needs the sigmoid activation.")
        expect_compiled(model, "build_classifier", optimizer="SGD", rate=0.1, loss="binary_crossentropy",
                        metrics=["accuracy"])
        if float(getattr(model.optimizer, "momentum", 0) or 0) != 0 or getattr(model.optimizer, "nesterov", False):
            raise Mistake("compile with plain SGD (no momentum), so that all four networks train alike.")
    return ("correct: 2-8-8-1 with the chosen hidden activation, a sigmoid output, SGD at the asked rate, "
            "binary cross-entropy and accuracy.")


@exercise_check("3.4", "fraction of dead units")
def dead_relu_fraction(function) -> str:
    """Compare on random ReLU activations with known dead columns, and on other shapes."""
    function = expect_function(function, "dead_fraction")
    rng = np.random.default_rng()
    for n_examples, n_units, n_dead in ((40, 10, 3), (7, 25, 11)):
        H = np.maximum(rng.normal(size=(n_examples, n_units)), 0.0)
        H[rng.integers(n_examples), :] = rng.uniform(0.1, 1.0, size=n_units)  # every unit fires once ...
        dead_units = rng.choice(n_units, size=n_dead, replace=False)
        H[:, dead_units] = 0.0                                                  # ... except the dead ones
        given = H.copy()
        value = as_array(call(function, given), "dead_fraction(H)", shape=())
        expect_unchanged(H, given, "dead_fraction", "the activations H it was given",
                         "compare with a new boolean array (H <= 0) instead of assigning into H")
        compare(value, n_dead / n_units, "the dead fraction", rtol=1e-9, known_mistakes={
            "that is the fraction of zero entries; count whole units (columns) that are zero for every example.":
                np.mean(H <= 0),
            "rows are examples and columns are units: count the columns that are zero in every row.":
                np.mean(np.all(H <= 0, axis=1)),
            "that is the fraction of units that fire, not of those that never fire.":
                1 - n_dead / n_units,
            "give a fraction between 0 and 1, not a count of units.": n_dead,
        })
    return "correct."
