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
                loss="sparse_categorical_crossentropy", compiled=True, use_inputs=True, rate=2e-3,
                metrics=("accuracy",), separate_relu=False, optimizer="adam"):
    """A phase classifier with one of the typical mistakes (or an equivalent spelling) switched on."""
    import keras
    penalty = {"l2": keras.regularizers.L2(l2), "l1": keras.regularizers.L1(l2), "fixed": keras.regularizers.L2(0.01),
               None: None}[regularizer]
    hidden = [keras.layers.Dense(n_hidden, kernel_regularizer=penalty), keras.layers.ReLU()] if separate_relu else [
        keras.layers.Dense(n_hidden, activation=hidden_activation, kernel_regularizer=penalty)]
    model = keras.Sequential([
        keras.Input(shape=(n_inputs if use_inputs else 1024,)),
        *hidden,
        keras.layers.Dense(output[0], activation=output[1]),
    ])
    if compiled:
        chosen = keras.optimizers.Adam(learning_rate=rate) if optimizer == "adam" else keras.optimizers.SGD(rate)
        model.compile(optimizer=chosen, loss=loss, metrics=list(metrics))
    return model


def _losses():
    import keras
    return {"object": keras.losses.SparseCategoricalCrossentropy(),
            "function": keras.losses.sparse_categorical_crossentropy}


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"separate_relu": True}, ""),
    ({"loss": "object"}, ""),
    ({"loss": "function"}, ""),
    ({"metrics": ("sparse_categorical_accuracy",)}, ""),
    ({"metrics": ("accuracy", "AUC")}, ""),
])
def test_build_phase_classifier_equivalent_forms_pass(options, fragment):
    options = dict(options)
    if options.get("loss") in ("object", "function"):
        options["loss"] = _losses()[options["loss"]]
    assert_verdict(check.build_phase_classifier, (lambda n, h, l2: _classifier(n, h, l2, **options),),
                   Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({"use_inputs": False}, "input shape"),
    ({"hidden_activation": None}, "ReLU"),
    ({"regularizer": None}, "no weight penalty"),
    ({"regularizer": "l1"}, "L2 penalty"),
    ({"regularizer": "fixed"}, "argument l2"),
    ({"output": (1, "sigmoid")}, "2 units"),
    ({"loss": "binary_crossentropy"}, "sparse categorical cross-entropy"),
    ({"compiled": False}, "not compiled"),
    ({"rate": 1e-3}, "learning rate"),
    ({"optimizer": "sgd"}, "Adam"),
    ({"metrics": ()}, "accuracy"),
])
def test_build_phase_classifier_mistakes(options, fragment):
    assert_verdict(check.build_phase_classifier, (lambda n, h, l2: _classifier(n, h, l2, **options),), Status.FAILED,
                   fragment)


def _trainer(validation=True, stop=True, restore=True, epochs=None, fit=True, result=True, monitor="val_loss",
             patience=None, split=False, positional=False):
    """A training function with one of the typical mistakes (or an equivalent spelling) switched on."""
    import keras

    def train(model, X_train, y_train, X_val, y_val, max_epochs, wait):
        callbacks = [keras.callbacks.EarlyStopping(monitor=monitor, patience=patience or wait,
                                                   restore_best_weights=restore)] if stop else []
        history = None
        if fit and positional:
            history = model.fit(X_train, y_train, 64, max_epochs, 0, callbacks, 0.0, (X_val, y_val))
        elif fit:
            where = {"validation_split": 0.3} if split else {
                "validation_data": (X_val, y_val) if validation else None}
            history = model.fit(X_train, y_train, **where, epochs=epochs or max_epochs, batch_size=64,
                                callbacks=callbacks, verbose=0)
        return history if result else None
    return train


@pytest.mark.parametrize("options, fragment", [
    ({"validation": False}, "validation_data"),
    ({"split": True}, "validation_split"),
    ({"monitor": "loss"}, "monitor='val_loss'"),
    ({"patience": 4}, "patience=patience"),
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


def test_train_phase_classifier_positional_arguments_pass():
    assert_verdict(check.train_phase_classifier, (_trainer(positional=True),), Status.PASSED)


def test_train_phase_classifier_validating_on_training_data_is_named():
    import keras

    def on_training_data(model, X_train, y_train, X_val, y_val, max_epochs, patience):
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
        return model.fit(X_train, y_train, validation_data=(X_train, y_train), epochs=max_epochs, callbacks=[stop],
                         verbose=0)
    assert_verdict(check.train_phase_classifier, (on_training_data,), Status.FAILED, "validation set you were given")


@pytest.mark.parametrize("settings, fragment", [
    ([(16, 1e-4, 4)], "at least 2"),
    ([(16, 1e-4, 4)] * 2, "the same"),
    ([(16, 1e-4, 4), (16, 1e-4, 5), (8, 0.0, 3), (32, 1e-3, 2), (4, 1e-3, 2)], "at most"),
    ([(16, 1e-4), (32, 1e-4)], "triple"),
    ([(16.5, 1e-4, 4), (32, 1e-4, 4)], "n_hidden"),
    ([(16, -1.0, 4), (32, 1e-4, 4)], "l2"),
    ([(16, 1e-4, 0), (32, 1e-4, 4)], "patience"),
    ([(16, 1e-4, 50), (32, 1e-4, 4)], "patience"),
    ((16, 1e-4, 4), "list of"),
])
def test_candidate_settings_mistakes(settings, fragment):
    assert_verdict(check.candidate_settings, (lambda: settings,), Status.FAILED, fragment)


def test_candidate_settings_equivalent_forms_pass():
    assert_verdict(check.candidate_settings, (lambda: ([16, 0, 3], (np.int64(64), 1e-3, 5)),), Status.PASSED)


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


def _first_above(temperatures, p):
    """The old rule: first index with p >= 0.5, interpolated from the point before it (wraps at the start)."""
    i = int(np.argmax(p >= 0.5))
    return temperatures[i - 1] + (0.5 - p[i - 1]) * (temperatures[i] - temperatures[i - 1]) / (p[i] - p[i - 1])


def _first_above_nan(temperatures, p):
    """The old rule with a nan when nothing reaches 0.5: still wrong when the curve starts above 0.5."""
    return _first_above(temperatures, p) if np.any(p >= 0.5) else np.nan


def test_crossing_rejects_np_interp_on_non_monotone_curves():
    assert_verdict(check.crossing_temperature, (lambda temperatures, p: np.interp(0.5, p, temperatures),),
                   Status.FAILED, "np.interp")


def test_crossing_curve_starting_above_half_is_named():
    assert_verdict(check.crossing_temperature, (_first_above_nan,), Status.FAILED, "first points are already above")


def test_crossing_without_a_rise_must_be_nan():
    def never_nan(temperatures, p):
        value = _first_above(temperatures, p) if np.any(p >= 0.5) else temperatures[-1]
        return value

    verdict = check.crossing_temperature.evaluate(never_nan)
    assert verdict.status is Status.FAILED


def test_crossing_equivalent_forms_pass():
    def with_a_loop(temperatures, p):
        for i in range(1, len(p)):
            if p[i - 1] < 0.5 <= p[i]:
                return float(np.interp(0.5, [p[i - 1], p[i]], [temperatures[i - 1], temperatures[i]]))
        return float("nan")
    assert_verdict(check.crossing_temperature, (with_a_loop,), Status.PASSED)


def test_solutions_pass(solution):
    assert_verdict(check.split_configurations, (solution["split_configurations"],), Status.PASSED)
    assert_verdict(check.crossing_temperature, (solution["crossing_temperature"],), Status.PASSED)
    assert_verdict(check.candidate_settings, (solution["candidate_settings"],), Status.PASSED)
