"""Checks of notebook 02 (XOR): linear limits, hand-set weights, a first hidden layer."""

from __future__ import annotations

import numpy as np

from utils.check.core import (
    Mistake,
    as_array,
    as_tuple,
    call,
    compare,
    exercise_check,
    expect_function,
)
from utils.check.keras_models import built_model, expect_compiled, weight_blocks
from utils.datasets import xor_truth_table


def _relu(z: np.ndarray) -> np.ndarray:
    """max(0, z) element-wise."""
    return np.maximum(z, 0.0)


@exercise_check("2.1", "best linear fit")
def best_linear_fit(function) -> str:
    """Compare the learner's least-squares (w, b) with NumPy's on random data."""
    function = expect_function(function, "best_linear_fit")
    rng = np.random.default_rng()
    X = rng.normal(size=(20, 2)) + 1.0
    y = X @ np.array([0.7, -1.2]) + 0.4 + 0.1 * rng.normal(size=20)
    w, b = as_tuple(call(function, X, y), "best_linear_fit(X, y)", 2)
    w, b = as_array(w, "w", shape=(2,)), as_array(b, "b", shape=())
    augmented = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(augmented, y, rcond=None)[0]
    through_origin = np.linalg.lstsq(X, y, rcond=None)[0]
    compare(np.append(w, b), solution, "the fitted (w, b)", rtol=1e-5, known_mistakes={
        "it fits a line through the origin: add a column of ones to X for the intercept.":
            np.append(through_origin, 0.0),
    })
    return "correct: it finds the least-squares line on random data."


@exercise_check("2.2", "two linear layers collapse into one")
def collapse_linear_layers(function) -> str:
    """Check that (W, b) reproduces two stacked linear layers on random inputs."""
    function = expect_function(function, "collapse_linear_layers")
    rng = np.random.default_rng()
    W1, b1 = rng.normal(size=(3, 4)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=2)
    W, b = as_tuple(call(function, W1, b1, W2, b2), "collapse_linear_layers(W1, b1, W2, b2)", 2)
    W, b = as_array(W, "W", shape=(3, 2)), as_array(b, "b", shape=(2,))
    compare(W, W1 @ W2, "W")
    compare(b, b1 @ W2 + b2, "b", known_mistakes={
        "the first layer's bias is lost: b1 also passes through the second layer's weights.": b2,
    })
    x = rng.normal(size=(5, 3))
    compare(x @ W + b, (x @ W1 + b1) @ W2 + b2, "the collapsed layer's output")
    return "correct: one linear layer does exactly what the two did."


XOR_OUTPUT_TOLERANCE = 1e-6


@exercise_check("2.3", "XOR weights by hand")
def xor_weights(function) -> str:
    """Run the 2-2-1 ReLU network with the learner's weights on the four XOR points."""
    function = expect_function(function, "xor_weights")
    W, c, w, b = as_tuple(call(function), "xor_weights()", 4)
    W = as_array(W, "W", shape=(2, 2))
    c, w, b = as_array(c, "c", shape=(2,)), as_array(w, "w", shape=(2,)), as_array(b, "b", shape=())
    X, y = xor_truth_table()
    output = _relu(X @ W + c) @ w + b
    wrong = [f"({int(x1)}, {int(x2)})" for (x1, x2), out, target in zip(X, output, y)
             if abs(out - target) > XOR_OUTPUT_TOLERANCE]
    if wrong:
        raise Mistake(f"the network's output is not XOR for input {', '.join(wrong)}. "
                      "Work out h = relu(x W + c) by hand for each point.")
    if _is_textbook_network(W, c, w, b):
        raise Mistake("that is the textbook's network (Goodfellow et al.), perhaps with its hidden units swapped: "
                      "the task asks for a different one.")
    return "correct: the network computes XOR exactly on all four inputs, and it is not the textbook's."


# Goodfellow, Bengio, Courville, Deep Learning (2016), sec. 6.1: the network exercise 2.3 must not copy.
TEXTBOOK_XOR = (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0]), np.array([1.0, -2.0]), 0.0)


def _is_textbook_network(W: np.ndarray, c: np.ndarray, w: np.ndarray, b: float) -> bool:
    """True when (W, c, w, b) is the textbook's XOR network, with its two hidden units in either order."""
    W_ref, c_ref, w_ref, b_ref = TEXTBOOK_XOR
    return any(np.allclose(W, W_ref[:, order]) and np.allclose(c, c_ref[order]) and np.allclose(w, w_ref[order])
               and np.isclose(b, b_ref) for order in ([0, 1], [1, 0]))


@exercise_check("2.4", "hidden layer")
def hidden_layer(function) -> str:
    """Check relu(X W + c) on random inputs with negative pre-activations."""
    function = expect_function(function, "hidden_layer")
    rng = np.random.default_rng()
    X, W, c = rng.normal(size=(6, 2)), rng.normal(size=(2, 3)), rng.normal(size=3)
    value = as_array(call(function, X, W, c), "hidden_layer(X, W, c)", shape=(6, 3))
    compare(value, _relu(X @ W + c), "the output of hidden_layer", known_mistakes={
        "negative values pass through: apply the ReLU after the affine map.": X @ W + c,
        "the bias is added after the ReLU; it belongs inside.": _relu(X @ W) + c,
        "the bias c is missing.": _relu(X @ W),
    })
    return "correct."


@exercise_check("2.5", "Keras model for XOR")
def build_xor_model(function) -> str:
    """Read the learner's model: input 2, one hidden ReLU layer of n_hidden units, one linear output, Adam + MSE."""
    function = expect_function(function, "build_xor_model")
    for n_hidden in (3, 5):
        model = built_model(function, (n_hidden,), "build_xor_model")
        dense = weight_blocks(model)
        if len(dense) != 2:
            raise Mistake(f"the model has {len(dense)} Dense layers; it needs a hidden layer and an output layer.")
        hidden, output = dense
        if tuple(model.input_shape) != (None, 2):
            raise Mistake(f"the model's input shape is {model.input_shape}: each example has 2 inputs.")
        if hidden.size != n_hidden:
            raise Mistake(f"build_xor_model({n_hidden}) has {hidden.size} hidden units: use the argument n_hidden.")
        if hidden.activation != "relu":
            raise Mistake(f"the hidden layer applies {hidden.activation!r}; the task asks for the ReLU.")
        if output.size != 1 or output.activation != "linear":
            raise Mistake("the output layer should be one unit without activation (linear), like the hand-set network.")
        expect_compiled(model, "build_xor_model", optimizer="Adam", rate=0.05, loss="mse")
    return "correct: 2 inputs, n_hidden ReLU units, one linear output, Adam at the asked rate and the MSE."
