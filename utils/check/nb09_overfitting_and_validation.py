"""Checks of notebook 09 (overfitting and validation): splits, leakage-free scaling, capacity, early stopping."""

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


def _split_parts(function, X, y, seed: int, val_fraction: float, test_fraction: float) -> list[tuple]:
    """Call the learner's split and return [(X_part, y_part)] * 3 as arrays, with shapes checked."""
    result = as_tuple(call(function, X, y, seed=seed, val_fraction=val_fraction, test_fraction=test_fraction),
                      "split_train_val_test(X, y, ...)", 3)
    parts = []
    for name, part in zip(("training", "validation", "test"), result):
        X_part, y_part = as_tuple(part, f"the {name} part", 2)
        X_part = as_array(X_part, f"X of the {name} part")
        y_part = as_array(y_part, f"y of the {name} part")
        if X_part.ndim != 2 or X_part.shape[1] != X.shape[1]:
            raise Mistake(f"X of the {name} part has shape {X_part.shape}: keep whole rows, "
                          f"each with its {X.shape[1]} features.")
        if y_part.shape != (len(X_part),):
            raise Mistake(f"the {name} part has {len(X_part)} rows of X but y of shape {y_part.shape}.")
        parts.append((X_part, y_part))
    return parts


@exercise_check("9.1", "train / validation / test split")
def split_train_val_test(function) -> str:
    """Split labelled rows and test: rows intact, sizes, shuffled, no overlap, all used, reproducible, seed used."""
    function = expect_function(function, "split_train_val_test")
    rng = np.random.default_rng()
    n = int(rng.integers(90, 130))
    ids = rng.permutation(n) + 1000.0          # every example has a unique id ...
    X = np.column_stack([ids, -ids, rng.normal(size=n)])
    y = ids.copy()                             # ... stored in X and in y, so mixed-up rows show
    seed = int(rng.integers(0, 10_000))
    parts = _split_parts(function, X, y, seed, 0.2, 0.3)
    for name, (X_part, y_part) in zip(("training", "validation", "test"), parts):
        if not np.array_equal(X_part[:, 0], y_part):
            raise Mistake(f"in the {name} part the rows of X no longer belong to their labels y: "
                          "shuffle X and y with one permutation of the indices, not each on its own.")
    sizes = [len(y_part) for _, y_part in parts]
    expected = [n - round(0.2 * n) - round(0.3 * n), round(0.2 * n), round(0.3 * n)]
    if any(abs(size - want) > 1 for size, want in zip(sizes, expected)):
        raise Mistake(f"with n = {n}, val_fraction = 0.2 and test_fraction = 0.3 the parts have "
                      f"{sizes[0]}, {sizes[1]} and {sizes[2]} rows; the fractions are not respected.")
    used = np.concatenate([y_part for _, y_part in parts])
    if len(np.unique(used)) < len(used):
        raise Mistake("some examples appear in two parts (or twice in one): the parts overlap. "
                      "Cut one permutation of the indices into three pieces instead of drawing each part.")
    if len(used) != n or set(used) != set(ids):
        raise Mistake("not every example ended up in exactly one part: some rows are missing.")
    positions = np.sort(np.searchsorted(np.sort(y), parts[0][1]))  # where the training rows were ...
    order = np.argsort(y)
    positions = np.sort(order[positions])                            # ... in the original X
    if np.array_equal(positions, np.arange(len(positions))) or \
            np.array_equal(positions, np.arange(n - len(positions), n)):
        raise Mistake("the examples keep their original order: the split is not shuffled.")
    again = _split_parts(function, X, y, seed, 0.2, 0.3)
    if any(not np.array_equal(a[1], b[1]) for a, b in zip(parts, again)):
        raise Mistake("two calls with the same seed gave different splits: draw the permutation from "
                      "np.random.default_rng(seed), not from an unseeded generator.")
    other = _split_parts(function, X, y, seed + 1, 0.2, 0.3)
    if all(np.array_equal(a[1], b[1]) for a, b in zip(parts, other)):
        raise Mistake("a different seed gives the same split: use the argument seed.")
    return "correct: shuffled, rows intact, no overlap, nothing lost, reproducible from the seed."


def _standardized(X, mean, std):
    """(X - mean) / std with the given statistics."""
    return (X - mean) / std


@exercise_check("9.2", "standardisation fitted on the training set")
def standardize_from_training(function) -> str:
    """Three sets with different column scales and shifted validation/test sets: diagnose leaking statistics."""
    function = expect_function(function, "standardize_from_training")
    rng = np.random.default_rng()
    scales, offsets = np.array([1.0, 30.0, 0.02]), np.array([5.0, -200.0, 0.3])
    X_train = offsets + scales * rng.normal(size=(40, 3))
    X_val = offsets + scales * (rng.normal(size=(15, 3)) + 0.8)     # shifted on purpose: a leak shows
    X_test = offsets + scales * (1.5 * rng.normal(size=(12, 3)) - 0.5)
    copies = [X.copy() for X in (X_train, X_val, X_test)]
    result = as_tuple(call(function, X_train, X_val, X_test), "standardize_from_training(X_train, X_val, X_test)", 3)
    if any(not np.array_equal(X, copy) for X, copy in zip((X_train, X_val, X_test), copies)):
        raise Mistake("the function changed its input arrays in place: return new arrays instead.")
    names = ("training", "validation", "test")
    outputs = [as_array(value, f"the standardised {name} set", shape=X.shape)
               for value, name, X in zip(result, names, (X_train, X_val, X_test))]
    every = np.concatenate([X_train, X_val, X_test])
    for ddof in (0, 1):
        mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=ddof)
        if all(np.allclose(out, _standardized(X, mean, std), rtol=1e-6, atol=1e-9)
               for out, X in zip(outputs, (X_train, X_val, X_test))):
            return "correct: one mean and spread per column, measured on the training set only."
    mistakes = {
        "it uses the mean and spread of all data (training + validation + test): that leaks information "
        "from the held-out sets into the preprocessing. Measure them on X_train only.":
            [_standardized(X, every.mean(axis=0), every.std(axis=0)) for X in (X_train, X_val, X_test)],
        "each set is scaled with its own mean and spread: the validation and test sets must be scaled "
        "with the training set's statistics, as new data would be.":
            [_standardized(X, X.mean(axis=0), X.std(axis=0)) for X in (X_train, X_val, X_test)],
        "it uses the statistics of the validation set: measure them on the training set only.":
            [_standardized(X, X_val.mean(axis=0), X_val.std(axis=0)) for X in (X_train, X_val, X_test)],
        "the statistics are taken per row (axis=1); each feature (column, axis=0) needs its own mean and spread.":
            [_standardized(X, X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True))
             for X in (X_train, X_val, X_test)],
        "one mean and spread for all numbers of X_train: each feature (column, axis=0) needs its own.":
            [_standardized(X, X_train.mean(), X_train.std()) for X in (X_train, X_val, X_test)],
        "it only subtracts the mean: also divide by the standard deviation.":
            [X - X_train.mean(axis=0) for X in (X_train, X_val, X_test)],
    }
    for hint, wrong in mistakes.items():
        if all(np.allclose(out, value, rtol=1e-6, atol=1e-9) for out, value in zip(outputs, wrong)):
            raise Mistake(hint)
    if not np.allclose(outputs[0].mean(axis=0), 0, atol=1e-6) or not np.allclose(outputs[0].std(axis=0), 1, atol=0.05):
        raise Mistake("the standardised training set should have mean 0 and standard deviation 1 in every column.")
    raise Mistake("the validation or test set is not scaled with the training set's mean and standard deviation.")


def _reference_poly_errors(x_train, y_train, x_val, y_val, degree):
    """Training and validation MSE of a least-squares polynomial of the given degree."""
    coefficients = np.polyfit(x_train, y_train, degree)
    return (np.mean((np.polyval(coefficients, x_train) - y_train) ** 2),
            np.mean((np.polyval(coefficients, x_val) - y_val) ** 2))


@exercise_check("9.3", "training and validation error of a polynomial")
def polynomial_errors(function) -> str:
    """Compare with np.polyfit on random data for several degrees; diagnose swapped, RMSE, wrong degree."""
    function = expect_function(function, "polynomial_errors")
    rng = np.random.default_rng()
    x_train, x_val = rng.uniform(-1.5, 1.5, 30), rng.uniform(-1.5, 1.5, 20)
    truth = lambda x: np.sin(2 * x) + 0.5 * x  # noqa: E731
    y_train, y_val = truth(x_train) + 0.2 * rng.normal(size=30), truth(x_val) + 0.2 * rng.normal(size=20)
    for degree in (1, 3, 7):
        errors = as_tuple(call(function, x_train, y_train, x_val, y_val, degree),
                          f"polynomial_errors(..., degree={degree})", 2)
        errors = np.array([as_array(value, "each error", shape=()) for value in errors])
        train_error, val_error = _reference_poly_errors(x_train, y_train, x_val, y_val, degree)
        expected = np.array([train_error, val_error])
        lower = _reference_poly_errors(x_train, y_train, x_val, y_val, degree - 1)
        on_validation = np.polyfit(x_val, y_val, degree)
        compare(errors, expected, f"(training error, validation error) for degree {degree}", rtol=1e-5,
                known_mistakes={
                    "the two errors are swapped: return (training error, validation error).": expected[::-1],
                    "these are root-mean-square errors: return the mean squared errors.": np.sqrt(expected),
                    "the polynomial has one degree too few: degree d has d + 1 coefficients "
                    "(np.polyfit(x, y, degree) takes care of that).": np.array(lower),
                    "the polynomial was fitted on the validation set: fit on the training set only.":
                        np.array([np.mean((np.polyval(on_validation, x_train) - y_train) ** 2),
                                  np.mean((np.polyval(on_validation, x_val) - y_val) ** 2)]),
                })
    return "correct: it fits on the training set and measures both errors."


@exercise_check("9.4", "the overtraining epoch")
def overtraining_epoch(function) -> str:
    """Random U-shaped validation curves: the index of the lowest validation loss."""
    function = expect_function(function, "overtraining_epoch")
    rng = np.random.default_rng()
    for _ in range(3):
        epochs = int(rng.integers(60, 200))
        t = np.arange(epochs)
        best = int(rng.integers(epochs // 2 + 5, epochs - 20))  # worst validation loss at epoch 0
        training = 1.0 / (1 + 0.05 * t) + 0.01 * rng.random(epochs)
        validation = 0.5 + 1e-4 * (t - best) ** 2 + 0.002 * rng.random(epochs)
        history = {"loss": list(training), "val_loss": list(validation)}
        answer = call(function, history)
        if isinstance(answer, float) and not float(answer).is_integer():
            raise Mistake(f"overtraining_epoch returned {answer:.4g}, a loss value: return the epoch index "
                          "(an integer), e.g. with np.argmin.")
        try:
            epoch = int(answer)
        except (TypeError, ValueError):
            raise Mistake(f"overtraining_epoch should return an integer epoch index, not {describe(answer)}.") from None
        right = int(np.argmin(validation))
        if epoch == right:
            continue
        if epoch == int(np.argmin(training)):
            raise Mistake("that is where the training loss is lowest (it keeps falling): "
                          "overtraining shows in the validation loss, history['val_loss'].")
        if epoch == int(np.argmax(validation)):
            raise Mistake("that is where the validation loss is highest: look for its minimum.")
        if epoch == right + 1:
            raise Mistake("off by one: return the position in history['val_loss'] (counting from 0, "
                          "as Keras' EarlyStopping.best_epoch does).")
        raise Mistake("the returned epoch is not the one with the lowest validation loss.")
    return "correct."


MAX_MIN_DELTA = 1e-4
"""Largest min_delta that still lets small improvements of a validation loss near 0.05 count."""


@exercise_check("9.4", "early stopping that restores the best weights")
def early_stopping_callback(function) -> str:
    """Inspect the callback: EarlyStopping on val_loss, the given patience, restore_best_weights=True."""
    function = expect_function(function, "early_stopping_callback")
    import keras

    for patience in (7, 25):
        callback = call(function, patience)
        if not isinstance(callback, keras.callbacks.EarlyStopping):
            raise Mistake(f"early_stopping_callback should return a keras.callbacks.EarlyStopping, "
                          f"not {describe(callback)}.")
        if callback.monitor != "val_loss":
            raise Mistake(f"the callback monitors {callback.monitor!r}: overtraining shows in the "
                          "validation loss, monitor='val_loss'.")
        if callback.patience != patience:
            raise Mistake(f"early_stopping_callback({patience}) waits {callback.patience} epochs: "
                          "use the argument patience.")
        if not callback.restore_best_weights:
            raise Mistake("without restore_best_weights=True the model keeps the weights of the last "
                          "epoch, which are already overtrained.")
        if getattr(callback, "mode", "auto") == "max":
            raise Mistake("with mode='max' the callback treats a rising loss as an improvement: a loss is to be "
                          "minimised, so leave mode at 'auto' (or 'min').")
        if abs(float(getattr(callback, "min_delta", 0.0))) > MAX_MIN_DELTA:
            raise Mistake(f"min_delta={callback.min_delta:g} counts only improvements larger than that; our "
                          "validation losses are about 0.05 and improve by much less per epoch, so training would "
                          "stop after `patience` epochs whatever happens. Leave min_delta at its default, 0.")
    return "correct: it stops when the validation loss stops improving and goes back to the best epoch."


def _linear_model(w: np.ndarray, b: float):
    """A small Keras regression model y = X w + b, compiled with the MSE, like the model the notebook passes in."""
    import keras

    model = keras.Sequential([keras.Input(shape=(len(w),)), keras.layers.Dense(1)])
    model.layers[0].set_weights([np.asarray(w, dtype="float32")[:, None], np.array([b], dtype="float32")])
    model.compile(optimizer="adam", loss="mse")
    return model


@exercise_check("9.5", "mean squared error of a model")
def model_mse(function) -> str:
    """MSE of a model's (n, 1) predictions against targets of shape (n,); diagnose broadcasting to (n, n)."""
    function = expect_function(function, "model_mse")
    rng = np.random.default_rng()
    X = rng.normal(size=(25, 3))
    model = _linear_model(rng.normal(size=3), float(rng.normal()))
    prediction = model.predict(X, verbose=0).astype(float)
    y = prediction[:, 0] + rng.normal(scale=0.5, size=25)
    value = as_array(call(function, model, X, y), "model_mse(model, X, y)", shape=())
    expected = np.mean((prediction[:, 0] - y) ** 2)
    compare(value, expected, "the mean squared error", rtol=1e-5, known_mistakes={
        "predictions of shape (n, 1) minus targets of shape (n,) broadcast to an (n, n) table: "
        "flatten the predictions first (.ravel() or [:, 0]).": np.mean((prediction - y) ** 2),
        "this is the root-mean-square error: do not take the square root.": np.sqrt(expected),
        "this is the mean absolute error: square the differences.": np.mean(np.abs(prediction[:, 0] - y)),
    })
    return "correct."


@exercise_check("9.6", "mean and spread of repeated runs")
def mean_and_spread(function) -> str:
    """Mean and sample standard deviation (ddof=1) of a few numbers."""
    function = expect_function(function, "mean_and_spread")
    rng = np.random.default_rng()
    values = rng.normal(0.05, 0.01, size=5)
    mean, spread = as_tuple(call(function, values.copy()), "mean_and_spread(values)", 2)
    answer = np.array([as_array(mean, "the mean", shape=()), as_array(spread, "the spread", shape=())])
    expected = np.array([values.mean(), values.std(ddof=1)])
    compare(answer, expected, "(mean, spread)", rtol=1e-6, known_mistakes={
        "the spread divides by n: for the spread of a few runs use the sample standard deviation "
        "(ddof=1, dividing by n - 1).": np.array([values.mean(), values.std()]),
        "the spread is the standard error of the mean (std / sqrt(n)); the question is how much single runs "
        "differ, their standard deviation.": np.array([values.mean(), values.std(ddof=1) / np.sqrt(5)]),
        "the spread is a variance: take its square root.": np.array([values.mean(), values.var(ddof=1)]),
    })
    return "correct."
