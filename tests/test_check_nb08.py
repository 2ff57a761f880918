"""Checks of notebook 08 on typical mistakes (the solutions and stubs are covered by test_check_basics)."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status


def _relu_net(hidden_units, activation="relu", output=None, input_size=1, loss="mse", rate=0.02,
              optimizer="adam", fixed_width=None, compiled=True):
    """A Keras network for exercise 8.1 with one of the typical mistakes switched on."""
    import keras
    layers = [keras.Input(shape=(input_size,))]
    layers += [keras.layers.Dense(fixed_width or units, activation=activation) for units in hidden_units]
    layers.append(keras.layers.Dense(1, activation=output))
    model = keras.Sequential(layers)
    if compiled:
        chosen = (keras.optimizers.Adam(learning_rate=rate) if optimizer == "adam"
                  else keras.optimizers.SGD(learning_rate=rate))
        model.compile(optimizer=chosen, loss=loss)
    return model


def test_relu_net_with_loss_object_passes():
    import keras
    assert_verdict(check.relu_net, (lambda hidden: _relu_net(hidden, loss=keras.losses.MeanSquaredError()),),
                   Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({"fixed_width": 30}, "widths"),
    ({"activation": "tanh"}, "ReLU networks"),
    ({"activation": None}, "linear activation"),
    ({"output": "relu"}, "without activation"),
    ({"input_size": 2}, "input shape"),
    ({"loss": "mae"}, "mean squared error"),
    ({"rate": 0.001}, "learning rate"),
    ({"optimizer": "sgd"}, "optimiser SGD"),
    ({"compiled": False}, "not compiled"),
])
def test_relu_net_mistakes(options, fragment):
    assert_verdict(check.relu_net, (lambda hidden: _relu_net(hidden, **options),), Status.FAILED, fragment)


def test_relu_net_ignoring_the_argument():
    assert_verdict(check.relu_net, (lambda hidden: _relu_net([30, 30]),), Status.FAILED, "one Dense layer per entry")


@pytest.mark.parametrize("mistake, fragment", [
    (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])), "biases are missing"),
    (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes), "input layer has no biases"),
    (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes[1:-1]), "output layer"),
    (lambda sizes: sum(a * a + a for a in sizes), "n_in * n_out"),
    (lambda sizes: [a * b + b for a, b in zip(sizes[:-1], sizes[1:])], "shape"),
])
def test_count_parameters_mistakes(mistake, fragment):
    assert_verdict(check.dense_parameter_count, (mistake,), Status.FAILED, fragment)


def _rmse_parts(x, y_true, y_pred, low, high, inclusive=True, squared=False, total=False):
    """Inside/outside error with one of the typical mistakes switched on."""
    inside = (x >= low) & (x <= high) if inclusive else (x > low) & (x < high)
    error = (y_pred - y_true) ** 2
    parts = [error[inside], error[~inside]]
    means = [part.sum() / x.size if total else part.mean() for part in parts]
    return tuple(means) if squared else tuple(np.sqrt(means))


@pytest.mark.parametrize("mistake, fragment", [
    (lambda *args: _rmse_parts(*args, squared=True), "square root"),
    (lambda *args: _rmse_parts(*args)[::-1], "swapped"),
    (lambda *args: _rmse_parts(*args, inclusive=False), "on the edge"),
    (lambda *args: _rmse_parts(*args, total=True), "its own points"),
    (lambda *args: _rmse_parts(*args)[0], "tuple of 2"),
])
def test_inside_outside_rmse_mistakes(mistake, fragment):
    assert_verdict(check.inside_outside_rmse, (mistake,), Status.FAILED, fragment)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda p: int(np.sum(np.any(p[1:] != p[:-1], axis=1))) + 1, "linear pieces"),
    (lambda p: int(np.sum(p[1:] != p[:-1])), "every unit that switches"),
    (lambda p: int(np.sum(np.any(p[1:] != p[:-1], axis=0))), "not right"),
    (lambda p: np.any(p[1:] != p[:-1], axis=1), "shape"),
])
def test_count_kinks_mistakes(mistake, fragment):
    assert_verdict(check.count_kinks, (mistake,), Status.FAILED, fragment)


def test_count_kinks_with_diff_passes():
    def via_diff(patterns):
        return np.count_nonzero(np.abs(np.diff(np.asarray(patterns, float), axis=0)).sum(axis=1))
    assert_verdict(check.count_kinks, (via_diff,), Status.PASSED)


def test_noisy_wiggle_is_reproducible_and_sorted():
    from utils import datasets
    x, y = datasets.noisy_wiggle(n=50, seed=3)
    x_again, y_again = datasets.noisy_wiggle(n=50, seed=3)
    assert np.array_equal(x, x_again) and np.array_equal(y, y_again)
    assert np.all(np.diff(x) >= 0) and -4 <= x.min() and x.max() <= 4
    assert np.std(y - datasets.wiggly_function(x)) == pytest.approx(0.1, rel=0.35)


def test_relu_net_equivalent_forms_pass():
    import keras

    def separate(hidden_units, layer=keras.layers.ReLU):
        model = keras.Sequential([keras.Input(shape=(1,))])
        for units in hidden_units:
            model.add(keras.layers.Dense(units))
            model.add(layer())
        model.add(keras.layers.Dense(1))
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss=keras.losses.mean_squared_error)
        return model
    assert_verdict(check.relu_net, (separate,), Status.PASSED)
    assert_verdict(check.relu_net, (lambda hidden: separate(hidden, lambda: keras.layers.Activation("relu")),),
                   Status.PASSED)
    for loss in (keras.losses.mean_squared_error, "mean_squared_error", keras.losses.MeanSquaredError()):
        assert_verdict(check.relu_net, (lambda hidden: _relu_net(hidden, loss=loss),), Status.PASSED)


def test_relu_net_output_activation_as_separate_layer_is_named():
    import keras

    def sigmoid_output(hidden_units):
        model = _relu_net(hidden_units)
        model.add(keras.layers.Activation("sigmoid"))
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss="mse")
        return model
    assert_verdict(check.relu_net, (sigmoid_output,), Status.FAILED, "without activation")


def test_inside_outside_rmse_equivalent_forms_pass():
    assert_verdict(check.inside_outside_rmse, (lambda *args: np.array(_rmse_parts(*args)),), Status.PASSED)
    assert_verdict(check.inside_outside_rmse, (lambda *args: list(_rmse_parts(*args)),), Status.PASSED)
    assert_verdict(check.inside_outside_rmse, (lambda *args: np.array([_rmse_parts(*args)]),), Status.FAILED,
                   "tuple of 2")
