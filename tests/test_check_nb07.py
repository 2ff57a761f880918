"""Checks of notebook 07 on typical mistakes (the solutions and stubs are covered by test_check_basics)."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status


def _exp_normalised(z, axis=-1, shift="row"):
    """Softmax variants: shift by the row maximum, the batch maximum or nothing, normalise over an axis."""
    if shift == "row":
        z = z - z.max(axis=-1, keepdims=True)
    elif shift == "batch":
        z = z - z.max()
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda z: _exp_normalised(z, shift=None), "overflows"),
    (lambda z: _exp_normalised(z, axis=0), "each column"),
    (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)), "divide the exponentials"),
    (lambda z: np.exp(z) / np.exp(z).sum(), "whole batch"),
    (lambda z: _exp_normalised(z, shift="batch"), "maximum of each row"),
    (lambda z: np.exp(z - z.max(axis=-1)) / np.exp(z - z.max(axis=-1)).sum(axis=-1), "raised ValueError"),
])
def test_softmax_mistakes(mistake, fragment):
    assert_verdict(check.stable_softmax, (mistake,), Status.FAILED, fragment)


def test_softmax_with_scipy_style_logsumexp_passes():
    def via_logsumexp(z):
        m = z.max(axis=1, keepdims=True)
        return np.exp(z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True)))
    assert_verdict(check.stable_softmax, (via_logsumexp,), Status.PASSED)


def _clipped(p):
    return np.clip(p, 1e-7, 1 - 1e-7)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda y, p: -np.sum(y * np.log(_clipped(p))), "sums the losses"),
    (lambda y, p: -np.mean(y * np.log(_clipped(p))), "averages over the classes"),
    (lambda y, p: -np.sum(y * np.log(_clipped(p)), axis=-1), "one loss per example"),
    (lambda y, p: np.mean(np.sum(y * np.log(_clipped(p)), axis=-1)), "wrong sign"),
    (lambda y, p: np.mean(-np.sum(p * np.log(y), axis=-1)), "swapped"),
    (lambda y, p: np.mean(-np.sum(p * np.log(_clipped(y)), axis=-1)), "swapped"),
    (lambda y, p: np.mean(-np.sum(y * np.log(p), axis=-1)), "clip"),
    (lambda y, p: np.mean(-np.sum(y * np.log(np.clip(p, 0.5, 1)), axis=-1)), "not right"),
])
def test_cross_entropy_mistakes(mistake, fragment):
    assert_verdict(check.categorical_cross_entropy, (mistake,), Status.FAILED, fragment)


def test_cross_entropy_with_other_clipping_passes():
    def shifted_log(y, p):
        return np.mean(-np.sum(y * np.log(p + 1e-12), axis=-1))
    assert_verdict(check.categorical_cross_entropy, (shifted_log,), Status.PASSED)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda labels, n: np.eye(labels.max() + 1)[labels], "use the argument n_classes"),
    (lambda labels, n: np.eye(n)[labels].T, "transposed"),
    (lambda labels, n: np.eye(n, dtype=int)[labels], "dtype int"),
    (lambda labels, n: np.eye(n, dtype=bool)[labels], "dtype bool"),
    (lambda labels, n: np.eye(n)[(labels + 1) % n], "one column too far right"),
    (lambda labels, n: np.eye(n + 1)[labels], "one per class"),
    (lambda labels, n: labels, "shape"),
])
def test_one_hot_mistakes(mistake, fragment):
    assert_verdict(check.one_hot, (mistake,), Status.FAILED, fragment)


def test_one_hot_with_keras_passes():
    import keras
    assert_verdict(check.one_hot, (lambda labels, n: keras.utils.to_categorical(labels, n),), Status.PASSED)


def _classifier(n_inputs, n_classes, hidden="relu", output="softmax", loss="categorical_crossentropy",
                metrics=("accuracy",), compiled=True, units=None, hidden_layers=1, width=64, optimizer="adam",
                rate=0.01, separate=False):
    """A Keras classifier with one of the typical mistakes (or an equivalent spelling) switched on."""
    import keras
    layers = [keras.Input(shape=(n_inputs,))]
    for _ in range(hidden_layers):
        layers += [keras.layers.Dense(width), keras.layers.Activation(hidden)] if separate else [
            keras.layers.Dense(width, activation=hidden)]
    layers.append(keras.layers.Dense(units or n_classes, activation=output))
    model = keras.Sequential(layers)
    if compiled:
        chosen = keras.optimizers.Adam(learning_rate=rate) if optimizer == "adam" else keras.optimizers.SGD(rate)
        model.compile(optimizer=chosen, loss=loss, metrics=list(metrics))
    return model


@pytest.mark.parametrize("options, fragment", [
    ({"output": "sigmoid"}, "softmax"),
    ({"output": None}, "softmax"),
    ({"loss": "mse"}, "cross entropy"),
    ({"loss": "sparse_categorical_crossentropy"}, "one-hot"),
    ({"metrics": ()}, "accuracy"),
    ({"compiled": False}, "not compiled"),
    ({"units": 10}, "one per class"),
    ({"hidden": None}, "collapse"),
    ({"hidden_layers": 0}, "no hidden"),
    ({"hidden_layers": 2}, "2 hidden layers"),
    ({"width": 16}, "64 each"),
    ({"hidden": "tanh"}, "ReLU"),
    ({"hidden": "sigmoid", "separate": True}, "ReLU"),
    ({"optimizer": "sgd"}, "Adam"),
    ({"rate": 1e-3}, "learning rate"),
])
def test_classifier_mistakes(options, fragment):
    assert_verdict(check.softmax_classifier, (lambda n_in, n_out: _classifier(n_in, n_out, **options),),
                   Status.FAILED, fragment)


def test_classifier_with_loss_object_passes():
    import keras
    loss = keras.losses.CategoricalCrossentropy()
    assert_verdict(check.softmax_classifier, (lambda n_in, n_out: _classifier(n_in, n_out, loss=loss),),
                   Status.PASSED)
    logits_loss = keras.losses.CategoricalCrossentropy(from_logits=True)
    assert_verdict(check.softmax_classifier, (lambda n_in, n_out: _classifier(n_in, n_out, loss=logits_loss),),
                   Status.FAILED, "from_logits")


@pytest.mark.parametrize("options", [
    {"separate": True},
    {"metrics": ("categorical_accuracy",)},
    {"metrics": ("acc", "AUC")},
])
def test_classifier_equivalent_forms_pass(options):
    assert_verdict(check.softmax_classifier, (lambda n_in, n_out: _classifier(n_in, n_out, **options),),
                   Status.PASSED)


def test_classifier_with_loss_function_passes():
    import keras
    loss = keras.losses.categorical_crossentropy
    assert_verdict(check.softmax_classifier, (lambda n_in, n_out: _classifier(n_in, n_out, loss=loss),),
                   Status.PASSED)


def _counts(true, predicted, n):
    counts = np.zeros((n, n))
    np.add.at(counts, (true, predicted), 1)
    return counts


@pytest.mark.parametrize("mistake, fragment", [
    (lambda t, p, n: _counts(t, p, n).T, "transposed"),
    (lambda t, p, n: _counts(t, p, n) / len(t), "fractions"),
    (lambda t, p, n: _counts(t, p, n) / _counts(t, p, n).sum(axis=1, keepdims=True), "fraction of each"),
    (lambda t, p, n: _counts(t, p, n + 1), "shape"),
])
def test_confusion_matrix_mistakes(mistake, fragment):
    assert_verdict(check.confusion_counts, (mistake,), Status.FAILED, fragment)


def _regressor(n_inputs, output=None, loss="mse", units=1, widths=(64, 64), hidden="relu", rate=0.01,
               optimizer="adam", separate=False):
    """A Keras regression model with one of the typical mistakes (or an equivalent spelling) switched on."""
    import keras
    layers = [keras.Input(shape=(n_inputs,))]
    for width in widths:
        layers += [keras.layers.Dense(width), keras.layers.ReLU()] if separate else [
            keras.layers.Dense(width, activation=hidden)]
    model = keras.Sequential([*layers, keras.layers.Dense(units, activation=output)])
    chosen = keras.optimizers.Adam(learning_rate=rate) if optimizer == "adam" else keras.optimizers.RMSprop(rate)
    model.compile(optimizer=chosen, loss=loss)
    return model


@pytest.mark.parametrize("options, fragment", [
    ({"output": "relu"}, "relu activation"),
    ({"output": "sigmoid"}, "no activation"),
    ({"loss": "mae"}, "mean squared error"),
    ({"units": 2}, "one number"),
    ({"widths": (64,)}, "1 hidden layers"),
    ({"widths": (64, 64, 64)}, "3 hidden layers"),
    ({"widths": (32, 64)}, "64 each"),
    ({"hidden": "tanh"}, "ReLU"),
    ({"optimizer": "rmsprop"}, "Adam"),
    ({"rate": 0.1}, "learning rate"),
])
def test_regression_model_mistakes(options, fragment):
    assert_verdict(check.regression_model, (lambda n: _regressor(n, **options),), Status.FAILED, fragment)


def test_regression_model_equivalent_forms_pass():
    import keras
    for options in ({"separate": True}, {"loss": keras.losses.MeanSquaredError()},
                    {"loss": keras.losses.mean_squared_error}, {"loss": "mean_squared_error"}):
        assert_verdict(check.regression_model, (lambda n: _regressor(n, **options),), Status.PASSED)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda y, edges: np.digitize(y, edges), "start at 1"),
    (lambda y, edges: np.digitize(y, edges) - 1, "outside the outermost edges"),
    (lambda y, edges: np.clip(np.digitize(y, edges) - 1, 0, len(edges) - 2).astype(float), "integers"),
    (lambda y, edges: np.clip(np.digitize(y, edges, right=True) - 1, 0, len(edges) - 2), "edges[i] <= y"),
])
def test_bin_targets_mistakes(mistake, fragment):
    assert_verdict(check.bin_targets, (mistake,), Status.FAILED, fragment)


def test_bin_targets_inner_edges_passes():
    assert_verdict(check.bin_targets, (lambda y, edges: np.digitize(y, edges[1:-1]),), Status.PASSED)


def test_confusion_matrix_plot_writes_every_nonzero_count():
    import matplotlib.pyplot as plt

    from utils import plots
    counts = np.array([[5, 1, 0], [0, 7, 2], [1, 0, 9]])
    ax = plots.confusion_matrix(counts, class_names=["a", "b", "c"])
    assert sorted(text.get_text() for text in ax.texts) == sorted(str(v) for v in counts.ravel() if v)
    assert [label.get_text() for label in ax.get_xticklabels()] == ["a", "b", "c"]
    plt.close(ax.figure)


def test_classifier_with_separate_softmax_layer_passes():
    import keras

    def separate(n_inputs, n_classes):
        model = keras.Sequential([keras.Input(shape=(n_inputs,)), keras.layers.Dense(64), keras.layers.ReLU(),
                                  keras.layers.Dense(n_classes), keras.layers.Softmax()])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy", metrics=["acc"])
        return model
    assert_verdict(check.softmax_classifier, (separate,), Status.PASSED)
