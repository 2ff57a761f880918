"""Checks of notebook 12 (Ising phases): typical mistakes in the split, the model, the training call, the crossing."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status

NAME = "12_vanilla_dnn_physics"


def _split(order, n, val_fraction, test_fraction):
    """Cut an index order into (train, val, test) with the given fractions."""
    n_val, n_test = round(val_fraction * n), round(test_fraction * n)
    return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]


@pytest.mark.parametrize("split, fragment", [
    (lambda n, v, t, seed: _split(np.arange(n), n, v, t), "not shuffled"),
    (lambda n, v, t, seed: _split(np.random.default_rng(seed).permutation(n), n, t, v), "order of the arguments"),
    (lambda n, v, t, seed: _split(np.random.default_rng(seed).integers(0, n, n), n, v, t), "twice"),
    (lambda n, v, t, seed: _split(np.random.default_rng(seed).permutation(n)[:-5], n, v, t), "every example"),
    (lambda n, v, t, seed: _split(np.random.default_rng().permutation(n), n, v, t), "same seed"),
    (lambda n, v, t, seed: _split(np.random.default_rng(0).permutation(n), n, v, t), "different seed"),
    (lambda n, v, t, seed: _split(np.random.default_rng(seed).permutation(n), n, v, t)[:2], "tuple of 3"),
])
def test_split_mistakes(split, fragment):
    assert_verdict(check.split_configurations, (split,), Status.FAILED, fragment)


def _classifier(n_inputs, n_hidden, l2, hidden_activation="relu", regularizer="l2", output=(2, "softmax"),
                loss="sparse_categorical_crossentropy", compiled=True, use_inputs=True):
    """A phase classifier with one of the typical mistakes switched on."""
    import keras
    penalty = {"l2": keras.regularizers.L2(l2), "l1": keras.regularizers.L1(l2), "fixed": keras.regularizers.L2(0.01),
               None: None}[regularizer]
    model = keras.Sequential([
        keras.Input(shape=(n_inputs if use_inputs else 1024,)),
        keras.layers.Dense(n_hidden, activation=hidden_activation, kernel_regularizer=penalty),
        keras.layers.Dense(output[0], activation=output[1]),
    ])
    if compiled:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=2e-3), loss=loss)
    return model


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"use_inputs": False}, "input shape"),
    ({"hidden_activation": None}, "ReLU"),
    ({"regularizer": None}, "no weight penalty"),
    ({"regularizer": "l1"}, "L2 penalty"),
    ({"regularizer": "fixed"}, "argument l2"),
    ({"output": (1, "sigmoid")}, "2 units"),
    ({"loss": "binary_crossentropy"}, "sparse_categorical_crossentropy"),
    ({"compiled": False}, "not compiled"),
])
def test_build_phase_classifier_mistakes(options, fragment):
    status = Status.PASSED if not options else Status.FAILED
    assert_verdict(check.build_phase_classifier, (lambda n, h, l2: _classifier(n, h, l2, **options),), status,
                   fragment)


def _trainer(validation=True, stop=True, restore=True, epochs=None, fit=True, result=True):
    """A training function with one of the typical mistakes switched on."""
    import keras

    def train(model, X_train, y_train, X_val, y_val, max_epochs):
        callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss" if validation else "loss", patience=3,
                                                   restore_best_weights=restore)] if stop else []
        history = None
        if fit:
            history = model.fit(X_train, y_train, validation_data=(X_val, y_val) if validation else None,
                                epochs=epochs or max_epochs, batch_size=64, callbacks=callbacks, verbose=0)
        return history if result else None
    return train


@pytest.mark.parametrize("options, fragment", [
    ({"validation": False}, "validation_data"),
    ({"stop": False}, "EarlyStopping"),
    ({"restore": False}, "restore_best_weights"),
    ({"epochs": 3}, "epochs=max_epochs"),
    ({"fit": False, "result": True}, "weights did not change"),
    ({"result": False}, "History"),
])
def test_train_phase_classifier_mistakes(options, fragment):
    if options == {"fit": False, "result": True}:
        import keras

        def returns_history_without_training(model, *args):
            return keras.callbacks.History()
        assert_verdict(check.train_phase_classifier, (returns_history_without_training,), Status.FAILED, fragment)
        return
    assert_verdict(check.train_phase_classifier, (_trainer(**options),), Status.FAILED, fragment)


def _nearest(temperatures, p):
    return temperatures[np.argmin(np.abs(p - 0.5))]


def _midpoint(temperatures, p):
    i = int(np.argmax(p >= 0.5))
    return 0.5 * (temperatures[i - 1] + temperatures[i])


@pytest.mark.parametrize("function, fragment", [
    (_nearest, "grid temperature"),
    (_midpoint, "middle"),
    (lambda temperatures, p: float(np.argmax(p >= 0.5)), "index"),
    (lambda temperatures, p: (temperatures[0], temperatures[-1]), "shape"),
])
def test_crossing_mistakes(function, fragment):
    assert_verdict(check.crossing_temperature, (function,), Status.FAILED, fragment)


def test_crossing_accepts_np_interp():
    assert_verdict(check.crossing_temperature, (lambda temperatures, p: np.interp(0.5, p, temperatures),),
                   Status.PASSED)


def test_solutions_pass(solution):
    assert_verdict(check.split_configurations, (solution["split_configurations"],), Status.PASSED)
    assert_verdict(check.crossing_temperature, (solution["crossing_temperature"],), Status.PASSED)
