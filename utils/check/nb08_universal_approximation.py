"""Checks of notebook 08 (universal approximation): the 2 x 30 network, parameter counts, extrapolation, kinks."""

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
from utils.check.keras_models import built_model, expect_compiled, loss_name, weight_blocks


@exercise_check("8.1", "a ReLU network for 1-D regression")
def relu_net(function) -> str:
    """Build networks for several hidden-layer lists and read every layer, the loss, the optimiser and its rate."""
    function = expect_function(function, "build_relu_net")
    for hidden_units in ([30, 30], [5], [7, 4, 3]):
        model = built_model(function, (list(hidden_units),), "build_relu_net")
        if tuple(model.input_shape) != (None, 1):
            raise Mistake(f"the model's input shape is {model.input_shape}: each example is one number x, "
                          "so use keras.Input(shape=(1,)).")
        layers = weight_blocks(model)
        widths = [block.size for block in layers[:-1]]
        if widths != list(hidden_units):
            raise Mistake(f"build_relu_net({hidden_units}) has hidden layers of widths {widths}: make one "
                          "Dense layer per entry of hidden_units, with that many units.")
        for block in layers[:-1]:
            if block.activation != "relu":
                raise Mistake(f"a hidden layer uses the {block.activation} activation; this notebook studies ReLU "
                              "networks.")
        output = layers[-1]
        if output.size != 1 or output.activation != "linear":
            raise Mistake("the output layer should be one unit without activation: this is regression.")
        loss = loss_name(model)
        if loss and loss != "mean_squared_error":
            raise Mistake(f"the model is compiled with the loss {loss!r}; use the mean squared error 'mse'.")
        expect_compiled(model, "build_relu_net", optimizer="Adam", rate=0.02, loss="mse")
    return "correct: one ReLU layer per entry of hidden_units, a linear output, Adam and the MSE."


def _parameter_count(layer_sizes: list[int]) -> int:
    """Weights plus biases of a chain of fully connected layers."""
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])))


@exercise_check("8.2", "parameter count")
def dense_parameter_count(function) -> str:
    """Random layer-size lists, compared with the weights-plus-biases formula."""
    function = expect_function(function, "count_parameters")
    rng = np.random.default_rng()
    cases = [[int(size) for size in rng.integers(1, 40, size=depth)] for depth in (3, 5, 2)]
    counts = [as_array(call(function, list(sizes)), f"count_parameters({sizes})", shape=()) for sizes in cases]
    weights = np.array([sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) for sizes in cases])
    # All cases compared at once: a factor is diagnosed only when it holds for every one, not by coincidence.
    compare(counts, [_parameter_count(sizes) for sizes in cases],
            "count_parameters(" + "), count_parameters(".join(map(str, cases)) + ")", known_mistakes={
                "the biases are missing: every unit of every layer except the input has one.": weights,
                "the input layer has no biases; only layers that compute something do.":
                    weights + [sum(sizes) for sizes in cases],
                "the output layer's biases are missing.": weights + [sum(sizes[1:-1]) for sizes in cases],
            }, advice="A layer from n_in to n_out units has n_in * n_out weights and n_out biases.")
    return "correct: weights plus biases of every layer."


@exercise_check("8.3", "error inside and outside the training range")
def inside_outside_rmse(function) -> str:
    """Random points, some inside and some outside [low, high], with errors of different size in each part."""
    function = expect_function(function, "inside_outside_rmse")
    rng = np.random.default_rng()
    low, high = -1.0, 2.0
    x = np.concatenate([rng.uniform(low, high, 15), rng.uniform(high + 0.1, 5, 6), rng.uniform(-4, low - 0.1, 6),
                        [low, high]])
    rng.shuffle(x)
    y_true = np.sin(x)
    inside = (x >= low) & (x <= high)
    y_pred = y_true + np.where(inside, 0.1, 1.5) * rng.normal(size=x.size)
    result = call(function, x.copy(), y_true.copy(), y_pred.copy(), low, high)
    if isinstance(result, np.ndarray) and result.shape == (2,):
        result = tuple(result)  # an array of the two numbers is as good as a tuple
    result = as_tuple(result, "inside_outside_rmse(x, y_true, y_pred, low, high)", 2)
    values = np.array([as_array(result[0], "the RMSE inside", shape=()),
                       as_array(result[1], "the RMSE outside", shape=())])
    error = y_pred - y_true

    def rmse(mask):
        return np.sqrt(np.mean(error[mask] ** 2))

    expected = np.array([rmse(inside), rmse(~inside)])
    open_inside = (x > low) & (x < high)
    compare(values, expected, "(RMSE inside, RMSE outside)", rtol=1e-6, known_mistakes={
        "these are mean squared errors; take the square root (RMSE).": expected**2,
        "the two values are swapped: return the error inside the range first.": expected[::-1],
        "a point exactly on the edge low or high counts as inside (use >= and <=).":
            np.array([rmse(open_inside), rmse(~open_inside)]),
        "each RMSE should average over its own points only, not divide by the total number of points.":
            np.array([np.sqrt(np.sum(error[inside] ** 2) / x.size), np.sqrt(np.sum(error[~inside] ** 2) / x.size)]),
    })
    return "correct."


@exercise_check("8.4", "counting kinks")
def count_kinks(function) -> str:
    """Random activation patterns with a known number of changes between neighbouring grid points."""
    function = expect_function(function, "count_kinks")
    rng = np.random.default_rng()
    n_points, n_units = 60, 5
    patterns = np.zeros((n_points, n_units), dtype=bool)
    state = rng.random(n_units) < 0.5
    changes = np.sort(rng.choice(np.arange(1, n_points), size=7, replace=False))
    row = 0
    for change in list(changes) + [n_points]:
        patterns[row:change] = state
        flips = rng.choice(n_units, size=2 if row == 0 else rng.integers(1, 3), replace=False)  # 1 or 2 switch
        state = state.copy()
        state[flips] = ~state[flips]
        row = change
    differing = np.any(patterns[1:] != patterns[:-1], axis=1)
    expected = int(differing.sum())
    switched_units = int(np.sum(patterns[1:] != patterns[:-1]))
    for given in (patterns, patterns.astype(float)):
        value = as_array(call(function, given.copy()), "count_kinks(patterns)", shape=())
        compare(value, expected, "the number of kinks", known_mistakes={
            "that is the number of linear pieces; the kinks are the boundaries between them (one fewer).":
                expected + 1,
            "it counts every unit that switches; when several switch between the same two grid points, that is "
            "still one kink.": switched_units,
        }, advice="Count the neighbouring pairs of rows that differ in at least one unit.")
    constant = np.tile(patterns[:1], (10, 1))
    value = as_array(call(function, constant), "count_kinks for a pattern that never changes", shape=())
    if value != 0:
        raise Mistake("a pattern that never changes along the grid has no kinks, but count_kinks does not return 0.")
    return "correct: one kink wherever the activation pattern changes between neighbouring points."
