"""Checks of notebook 09 on the solution, the generated stub, typical mistakes and bad input."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status

NAME = "09_overfitting_and_validation"


def _split(shuffle=True, seeded=True, one_permutation=True, same_order=True, use_seed=True):
    """A train/validation/test split with one of the typical mistakes switched on."""
    def split(X, y, seed, val_fraction=0.2, test_fraction=0.2):
        n = len(X)
        rng = np.random.default_rng((seed if use_seed else 0) if seeded else None)
        n_test, n_val = round(test_fraction * n), round(val_fraction * n)
        if not one_permutation:  # each part drawn on its own: parts overlap
            parts = [rng.choice(n, size, replace=False) for size in (n - n_test - n_val, n_val, n_test)]
        else:
            order = rng.permutation(n) if shuffle else np.arange(n)
            parts = [order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]]
        y_order = rng.permutation(n) if not same_order else None
        return tuple((X[part], y[part] if y_order is None else y[y_order[part]]) for part in parts)
    return split


@pytest.mark.parametrize("options, fragment", [
    ({"shuffle": False}, "not shuffled"),
    ({"seeded": False}, "same seed"),
    ({"one_permutation": False}, "overlap"),
    ({"same_order": False}, "no longer belong"),
    ({"use_seed": False}, "use the argument seed"),
])
def test_split_mistakes(options, fragment):
    assert_verdict(check.split_train_val_test, (_split(**options),), Status.FAILED, fragment)


def test_split_passes_and_bad_shapes():
    assert_verdict(check.split_train_val_test, (_split(),), Status.PASSED)

    def two_parts(X, y, seed, val_fraction=0.2, test_fraction=0.2):
        return _split()(X, y, seed, val_fraction, test_fraction)[:2]

    def lost_rows(X, y, seed, val_fraction=0.2, test_fraction=0.2):
        (X_train, y_train), val, test = _split()(X, y, seed, val_fraction, test_fraction)
        return (X_train[:-5], y_train[:-5]), val, test

    def wrong_sizes(X, y, seed, val_fraction=0.2, test_fraction=0.2):
        return _split()(X, y, seed, test_fraction, val_fraction)

    assert_verdict(check.split_train_val_test, (two_parts,), Status.FAILED, "tuple of 3")
    assert_verdict(check.split_train_val_test, (lost_rows,), Status.FAILED, "fractions")
    assert_verdict(check.split_train_val_test, (wrong_sizes,), Status.FAILED, "fractions")


def _scaler(statistics):
    """A standardisation whose statistics come from the given function of the three sets."""
    def standardize(X_train, X_val, X_test):
        sets = (X_train, X_val, X_test)
        return tuple((X - statistics(sets, X)[0]) / statistics(sets, X)[1] for X in sets)
    return standardize


@pytest.mark.parametrize("statistics, fragment", [
    (lambda sets, X: (np.concatenate(sets).mean(axis=0), np.concatenate(sets).std(axis=0)), "all data"),
    (lambda sets, X: (X.mean(axis=0), X.std(axis=0)), "its own"),
    (lambda sets, X: (sets[1].mean(axis=0), sets[1].std(axis=0)), "validation set"),
    (lambda sets, X: (X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)), "per row"),
    (lambda sets, X: (sets[0].mean(), sets[0].std()), "one mean"),
    (lambda sets, X: (sets[0].mean(axis=0), 1.0), "divide"),
])
def test_standardize_mistakes(statistics, fragment):
    assert_verdict(check.standardize_from_training, (_scaler(statistics),), Status.FAILED, fragment)


def test_standardize_accepts_sample_std_and_rejects_in_place():
    ddof1 = _scaler(lambda sets, X: (sets[0].mean(axis=0), sets[0].std(axis=0, ddof=1)))
    assert_verdict(check.standardize_from_training, (ddof1,), Status.PASSED)

    def in_place(X_train, X_val, X_test):
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        for X in (X_val, X_test, X_train):
            X -= mean
            X /= std
        return X_train, X_val, X_test

    assert_verdict(check.standardize_from_training, (in_place,), Status.FAILED, "in place")


def _poly(transform):
    def polynomial_errors(x_train, y_train, x_val, y_val, degree):
        return transform(x_train, y_train, x_val, y_val, degree)
    return polynomial_errors


def _errors(fit_x, fit_y, x_train, y_train, x_val, y_val, degree):
    c = np.polyfit(fit_x, fit_y, degree)
    return np.mean((np.polyval(c, x_train) - y_train) ** 2), np.mean((np.polyval(c, x_val) - y_val) ** 2)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda xt, yt, xv, yv, d: _errors(xt, yt, xt, yt, xv, yv, d)[::-1], "swapped"),
    (lambda xt, yt, xv, yv, d: tuple(np.sqrt(_errors(xt, yt, xt, yt, xv, yv, d))), "root-mean-square"),
    (lambda xt, yt, xv, yv, d: _errors(xt, yt, xt, yt, xv, yv, d - 1), "one degree too few"),
    (lambda xt, yt, xv, yv, d: _errors(xv, yv, xt, yt, xv, yv, d), "validation set"),
])
def test_polynomial_errors_mistakes(mistake, fragment):
    assert_verdict(check.polynomial_errors, (_poly(mistake),), Status.FAILED, fragment)


def test_polynomial_errors_accepts_polynomial_class():
    def with_class(x_train, y_train, x_val, y_val, degree):
        p = np.polynomial.Polynomial.fit(x_train, y_train, degree)
        return np.mean((p(x_train) - y_train) ** 2), np.mean((p(x_val) - y_val) ** 2)
    assert_verdict(check.polynomial_errors, (with_class,), Status.PASSED)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda history: int(np.argmin(history["loss"])), "training loss"),
    (lambda history: int(np.argmax(history["val_loss"])), "highest"),
    (lambda history: int(np.argmin(history["val_loss"])) + 1, "off by one"),
    (lambda history: float(np.min(history["val_loss"])), "loss value"),
    (lambda history: "epoch", "integer"),
])
def test_overtraining_epoch_mistakes(mistake, fragment):
    assert_verdict(check.overtraining_epoch, (mistake,), Status.FAILED, fragment)


@pytest.mark.parametrize("options, fragment", [
    ({"monitor": "loss", "restore_best_weights": True}, "validation loss"),
    ({"monitor": "val_loss"}, "restore_best_weights"),
    ({"monitor": "val_loss", "restore_best_weights": True, "patience": 10}, "use the argument"),
    ({"monitor": "val_loss", "restore_best_weights": True, "mode": "max"}, "mode='max'"),
    ({"monitor": "val_loss", "restore_best_weights": True, "min_delta": 0.05}, "min_delta"),
    ({"monitor": "val_loss", "restore_best_weights": True, "min_delta": 1e-2}, "min_delta"),
])
def test_early_stopping_mistakes(options, fragment):
    import keras

    def callback(patience):
        settings = {"patience": patience, **options}
        return keras.callbacks.EarlyStopping(**settings)

    assert_verdict(check.early_stopping_callback, (callback,), Status.FAILED, fragment)
    assert_verdict(check.early_stopping_callback, (lambda patience: keras.callbacks.History(),),
                   Status.FAILED, "EarlyStopping")


def test_model_mse_mistakes():
    def broadcast(model, X, y):
        return np.mean((model.predict(X, verbose=0) - y) ** 2)

    def rmse(model, X, y):
        return np.sqrt(np.mean((model.predict(X, verbose=0).ravel() - y) ** 2))

    def with_call(model, X, y):
        return np.mean((np.asarray(model(X)).ravel() - y) ** 2)

    assert_verdict(check.model_mse, (broadcast,), Status.FAILED, "(n, n)")
    assert_verdict(check.model_mse, (rmse,), Status.FAILED, "square root")
    assert_verdict(check.model_mse, (with_call,), Status.PASSED)


def test_early_stopping_equivalent_forms_pass():
    import keras
    for extra in ({"mode": "min"}, {"mode": "auto"}, {"min_delta": 1e-6}, {"verbose": 0}):
        def callback(patience, extra=extra):
            return keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True,
                                                 **extra)
        assert_verdict(check.early_stopping_callback, (callback,), Status.PASSED)


def test_model_mse_with_evaluate_passes():
    def with_evaluate(model, X, y):
        return model.evaluate(X, y, verbose=0)

    def with_keras_metric(model, X, y):
        import keras
        return float(keras.ops.convert_to_numpy(keras.losses.MeanSquaredError()(y, model.predict(X, verbose=0))))

    assert_verdict(check.model_mse, (with_evaluate,), Status.PASSED)
    assert_verdict(check.model_mse, (with_keras_metric,), Status.PASSED)


def test_mean_and_spread_mistakes():
    assert_verdict(check.mean_and_spread, (lambda v: (np.mean(v), np.std(v)),), Status.FAILED, "ddof=1")
    assert_verdict(check.mean_and_spread, (lambda v: (np.mean(v), np.std(v, ddof=1) / np.sqrt(len(v))),),
                   Status.FAILED, "standard error")
    assert_verdict(check.mean_and_spread, (lambda v: (np.mean(v), np.var(v, ddof=1)),), Status.FAILED, "variance")
    assert_verdict(check.mean_and_spread, (lambda v: np.mean(v),), Status.FAILED, "tuple of 2")


def test_split_solution_and_stub(solution, exercise):
    assert_verdict(check.split_train_val_test, (solution["split_train_val_test"],), Status.PASSED)
    assert_verdict(check.split_train_val_test, (exercise["split_train_val_test"],), Status.NOT_DONE)
