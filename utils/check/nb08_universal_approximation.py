"""Checks of notebook 08 (universal approximation): the 2 x 30 network, parameter counts, extrapolation, kinks."""

from __future__ import annotations

import numpy as np

from utils.check.core import (
    Mistake,
    as_array,
    as_tuple,
    call,
    compare,
    describe,
    exercise_check,
    expect_function,
)
from utils.check.keras_models import activation_name


def _as_float(value) -> float | None:
    """A Keras variable or tensor as a Python float (the conversions differ between Keras versions), or None."""
    for convert in (float, lambda v: float(v.numpy()), lambda v: float(np.asarray(v))):
        try:
            return convert(value)
        except Exception:  # noqa: BLE001 - try the next conversion
            continue
    return None


@exercise_check("8.1", "a ReLU network for 1-D regression")
def relu_net(function) -> str:
    """Build networks for several hidden-layer lists and inspect every layer, the loss and the optimiser."""
    function = expect_function(function, "build_relu_net")
    import keras

    for hidden_units in ([30, 30], [5], [7, 4, 3]):
        model = call(function, list(hidden_units))
        if not isinstance(model, keras.Model):
            raise Mistake(f"build_relu_net should return a Keras model, not {describe(model)}.")
        if tuple(model.input_shape) != (None, 1):
            raise Mistake(f"the model's input shape is {model.input_shape}: each example is one number x, "
                          "so use keras.Input(shape=(1,)).")
        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        widths = [layer.units for layer in dense[:-1]]
        if widths != list(hidden_units):
            raise Mistake(f"build_relu_net({hidden_units}) has hidden layers of widths {widths}: make one "
                          "Dense layer per entry of hidden_units, with that many units.")
        for layer in dense[:-1]:
            name = activation_name(layer, model)
            if name != "relu":
                raise Mistake(f"a hidden layer uses the {name} activation; this notebook studies ReLU networks.")
        output = dense[-1]
        output_activation = activation_name(output, model)
        if output.units != 1 or output_activation != "linear":
            raise Mistake("the output layer should be one unit without activation: this is regression.")
        if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", False):
            raise Mistake("the model is not compiled: call model.compile(...) before returning it.")
        if not isinstance(model.optimizer, keras.optimizers.Adam):
            raise Mistake(f"the model uses the optimiser {type(model.optimizer).__name__}; use "
                          "keras.optimizers.Adam(learning_rate=0.02).")
        rate = _as_float(model.optimizer.learning_rate)
        if rate is None:
            raise Mistake("use a fixed learning rate: keras.optimizers.Adam(learning_rate=0.02).")
        if not np.isclose(rate, 0.02):
            raise Mistake(f"the learning rate is {rate:g}; use keras.optimizers.Adam(learning_rate=0.02).")
        loss = model.loss if isinstance(model.loss, str) else getattr(model.loss, "name", "")
        if loss not in ("mse", "mean_squared_error"):
            raise Mistake(f"the model is compiled with the loss {model.loss!r}; use the mean squared error 'mse'.")
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
    result = as_tuple(call(function, x.copy(), y_true.copy(), y_pred.copy(), low, high),
                      "inside_outside_rmse(x, y_true, y_pred, low, high)", 2)
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
