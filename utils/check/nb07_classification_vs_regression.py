"""Checks of notebook 07 (classification vs regression): softmax, cross entropy, one-hot, Keras models, bins."""

from __future__ import annotations

import numpy as np

from utils.check.core import (
    Mistake,
    as_array,
    call,
    close,
    compare,
    describe,
    exercise_check,
    expect_function,
)
from utils.check.keras_models import built_model, expect_compiled, loss_name, weight_blocks

CLIP = 1e-7
"""Keras' default epsilon: probabilities are clipped to [CLIP, 1 - CLIP] before the logarithm."""


def _softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """Stable softmax along an axis."""
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _finite_array(value, what: str, shape: tuple[int, ...], overflow_hint: str) -> np.ndarray:
    """as_array, but NaN or infinity gets the given hint instead of the generic sentence."""
    if value is not None and value is not Ellipsis:
        try:
            raw = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raw = None
        if raw is not None and raw.shape == shape and not np.all(np.isfinite(raw)):
            raise Mistake(f"{what} contains NaN or infinity: {overflow_hint}")
    return as_array(value, what, shape=shape)


@exercise_check("7.1", "numerically stable softmax")
def stable_softmax(function) -> str:
    """Random logits, huge logits (1000, -1000) and a batch whose rows live on very different scales."""
    function = expect_function(function, "softmax")
    rng = np.random.default_rng()
    z = rng.normal(scale=2.0, size=(5, 4))
    value = _finite_array(call(function, z.copy()), "softmax(z)", z.shape, "check the exponentials.")
    expected = _softmax(z)
    if not close(value, expected, rtol=1e-5, atol=1e-8):
        row_sums = value.sum(axis=-1, keepdims=True)
        if np.allclose(value.sum(axis=0), 1.0):
            raise Mistake("each column of softmax(z) sums to 1, but each row (one example) should: normalise over "
                          "the last axis (axis=-1, keepdims=True).")
        if np.isclose(value.sum(), 1.0):
            raise Mistake("the whole batch of softmax(z) sums to 1, but each row (one example) should: sum over "
                          "the last axis only (axis=-1, keepdims=True).")
        if np.all(value > 0) and close(value / row_sums, expected, rtol=1e-5, atol=1e-8):
            raise Mistake("the rows of softmax(z) do not sum to 1: divide the exponentials by their sum over "
                          "the classes.")
    compare(value, expected, "softmax(z) for a batch of 5 examples with 4 classes", rtol=1e-5, atol=1e-8)
    huge = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    value = _finite_array(call(function, huge.copy()), "softmax(z) for logits like 1000 and -1000", huge.shape,
                          "exp(1000) overflows. Subtract the largest logit of each row before exponentiating "
                          "(softmax does not change when you shift all logits of a row by the same number).")
    compare(value, _softmax(huge), "softmax(z) for logits like 1000 and -1000", rtol=1e-6, atol=1e-12)
    scales = np.array([[2000.0, 1999.0, 1998.0], [-2000.0, -2001.0, -2003.0]])
    value = _finite_array(call(function, scales.copy()), "softmax(z) for rows around +2000 and -2000",
                          scales.shape, "subtract the maximum of each row (max over axis=-1 with "
                          "keepdims=True), not the maximum of the whole batch.")
    compare(value, _softmax(scales), "softmax(z) for rows around +2000 and -2000", rtol=1e-6, atol=1e-12,
            advice="Subtract the maximum of each row, not of the whole batch.")
    return "correct: rows sum to 1, and logits of ±1000 neither overflow nor give NaN."


def _cross_entropy(y_true: np.ndarray, p: np.ndarray) -> float:
    """Mean over the batch of -sum_k y_k log p_k, with p clipped like Keras."""
    return float(np.mean(-np.sum(y_true * np.log(np.clip(p, CLIP, 1 - CLIP)), axis=-1)))


@exercise_check("7.1", "categorical cross entropy")
def categorical_cross_entropy(function) -> str:
    """Random one-hot targets and probabilities; a predicted probability of exactly 0 for the true class."""
    function = expect_function(function, "categorical_cross_entropy")
    rng = np.random.default_rng()
    n, k = 6, 4
    y_true = np.eye(k)[rng.integers(0, k, size=n)]
    p = _softmax(rng.normal(size=(n, k)))
    raw = call(function, y_true.copy(), p.copy())
    try:
        finite = bool(np.all(np.isfinite(np.asarray(raw, dtype=float))))
    except (TypeError, ValueError):
        finite = True  # as_array below explains the type
    if not finite:
        raise Mistake("the loss is NaN or infinite although no predicted probability is 0: are the arguments "
                      "swapped? The logarithm is taken of p_pred, not of the one-hot y_true.")
    if np.ndim(raw) == 1 and np.shape(raw) == (n,):
        raise Mistake("categorical_cross_entropy returns one loss per example: average them over the batch "
                      "to get one number.")
    value = as_array(raw, "categorical_cross_entropy(y_true, p_pred)", shape=())
    log_p = np.log(p)
    with np.errstate(all="ignore"):
        swapped = float(np.mean(-np.sum(p * np.log(np.clip(y_true, CLIP, 1 - CLIP)), axis=-1)))
    compare(value, _cross_entropy(y_true, p), "the cross entropy", rtol=1e-5, known_mistakes={
        "it sums the losses of the examples; take the mean over the batch.": float(-np.sum(y_true * log_p)),
        "it averages over the classes as well; sum over the classes, then average over the examples.":
            float(-np.mean(y_true * log_p)),
        "the arguments are swapped: the logarithm is taken of the predicted probabilities p_pred, "
        "and the targets y_true weight it.": swapped,
        "it uses log(1 - p) or the wrong class: only the predicted probability of the true class counts.":
            float(np.mean(-np.sum(y_true * np.log(1 - p), axis=-1))),
    })
    p_zero = p.copy()
    p_zero[0] = y_true[1] if np.argmax(y_true[1]) != np.argmax(y_true[0]) else np.roll(y_true[0], 1)
    value = call(function, y_true.copy(), p_zero)
    try:
        loss = float(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise Mistake(f"categorical_cross_entropy returned {describe(value)} instead of a number.") from None
    if not np.isfinite(loss):
        raise Mistake("a predicted probability of exactly 0 for the true class gives log(0) = -inf: clip the "
                      "probabilities to [1e-7, 1 - 1e-7] (np.clip) before taking the logarithm.")
    if loss < 1.0:
        raise Mistake("a predicted probability of 0 for the true class should give a very large loss; "
                      "clip the probabilities to a small number like 1e-7, not to something large.")
    return "correct: mean over the batch, and a probability of 0 gives a large but finite loss."


@exercise_check("7.2", "one-hot encoding")
def one_hot(function) -> str:
    """Random integer labels, some classes absent, the number of classes given separately."""
    function = expect_function(function, "one_hot")
    rng = np.random.default_rng()
    n_classes = 7
    labels = rng.integers(0, n_classes - 2, size=9)  # the two largest classes never occur
    labels[0] = 0
    value = call(function, labels.copy(), n_classes)
    if value is None:
        raise Mistake("one_hot returned None: did you forget a `return`?")
    raw = np.asarray(value)
    if raw.shape == (n_classes, len(labels)):
        raise Mistake("the result is transposed: one row per example, one column per class.")
    if raw.ndim == 2 and raw.shape[0] == len(labels) and raw.shape[1] == labels.max() + 1:
        raise Mistake(f"one_hot(labels, {n_classes}) has {raw.shape[1]} columns: use the argument n_classes, "
                      "not the largest label present (some classes may not occur in a batch).")
    if raw.ndim == 2 and raw.shape[0] == len(labels) and raw.shape[1] != n_classes:
        raise Mistake(f"one_hot(labels, {n_classes}) has {raw.shape[1]} columns but should have one per class "
                      f"({n_classes}).")
    array = as_array(raw, "one_hot(labels, n_classes)", shape=(len(labels), n_classes))
    if raw.dtype.kind not in "f":
        raise Mistake(f"the one-hot array has dtype {raw.dtype}; Keras compares it with probabilities, so make "
                      "it floating point (e.g. dtype='float32').")
    expected = np.eye(n_classes)[labels]
    compare(array, expected, "the one-hot array", known_mistakes={
        "the ones sit one column too far left: class 0 belongs in column 0.":
            np.eye(n_classes)[(labels - 1) % n_classes],
        "the ones sit one column too far right: class 0 belongs in column 0.":
            np.eye(n_classes)[(labels + 1) % n_classes],
    }, advice="Each row should hold a single 1, in the column of its label.")
    return "correct: one row per example, one column per class, a single 1.0 per row."


HIDDEN_UNITS, RATE = 64, 0.01
"""Width of every hidden layer and Adam's learning rate in exercises 7.3 and 7.4."""


def _expect_body(model, name: str, n_inputs: int, n_hidden: int) -> list:
    """Input shape, then n_hidden hidden layers of HIDDEN_UNITS ReLU units; return the model's weight blocks."""
    if tuple(model.input_shape) != (None, n_inputs):
        raise Mistake(f"{name} has input shape {model.input_shape}: use keras.Input(shape=(n_inputs,)).")
    layers = weight_blocks(model)
    hidden = layers[:-1]
    if not hidden:
        raise Mistake(f"the model of {name} has no hidden Dense layer; the task asks for "
                      f"{'one' if n_hidden == 1 else n_hidden} with the ReLU activation.")
    if any(block.activation == "linear" for block in hidden):
        raise Mistake(f"a hidden layer of {name} has no activation: without one the layers collapse "
                      "into a linear model (notebook 02). Use activation='relu'.")
    if len(hidden) != n_hidden:
        raise Mistake(f"the model of {name} has {len(hidden)} hidden layers; the task asks for "
                      f"{'one' if n_hidden == 1 else n_hidden}.")
    widths = [block.size for block in hidden]
    if any(width != HIDDEN_UNITS for width in widths):
        raise Mistake(f"the hidden layers of {name} have {widths} units; the task asks for {HIDDEN_UNITS} each.")
    for block in hidden:
        if block.activation != "relu":
            raise Mistake(f"a hidden layer of {name} uses the {block.activation} activation; the task asks for ReLU.")
    return layers


@exercise_check("7.3", "softmax classifier in Keras")
def softmax_classifier(function) -> str:
    """Build models for two input sizes and class counts; read layers, widths, activations and compile settings."""
    function = expect_function(function, "build_classifier")
    for n_inputs, n_classes in ((64, 10), (5, 3)):
        model = built_model(function, (n_inputs, n_classes), "build_classifier")
        output = _expect_body(model, f"build_classifier({n_inputs}, {n_classes})", n_inputs, 1)[-1]
        if output.size != n_classes:
            raise Mistake(f"build_classifier({n_inputs}, {n_classes}) has {output.size} output units: "
                          "one per class, from the argument n_classes.")
        if output.activation != "softmax":
            raise Mistake(f"the output layer uses the {output.activation} activation; for one class out of several "
                          "use softmax, which turns the outputs into probabilities that sum to 1.")
        loss = loss_name(model)
        if loss == "sparse_categorical_crossentropy":
            raise Mistake("the sparse cross entropy expects integer labels; our targets are one-hot, so use "
                          "'categorical_crossentropy'.")
        if loss and loss != "categorical_crossentropy":
            raise Mistake(f"the model is compiled with the loss {loss!r}; a softmax classifier is trained on "
                          "the categorical cross entropy.")
        if getattr(model.loss, "_fn_kwargs", {}).get("from_logits"):
            raise Mistake("the loss has from_logits=True, but the softmax already makes probabilities.")
        expect_compiled(model, "build_classifier", optimizer="Adam", rate=RATE, loss="categorical_crossentropy",
                        metrics=["accuracy"])
    return "correct: one hidden ReLU layer, softmax output with one unit per class, Adam, cross entropy, accuracy."


@exercise_check("7.3", "confusion matrix")
def confusion_counts(function) -> str:
    """Random true and predicted labels; rows must be the true class."""
    function = expect_function(function, "confusion_matrix")
    rng = np.random.default_rng()
    n_classes = 4
    true = rng.integers(0, n_classes, size=40)
    predicted = np.where(rng.random(40) < 0.6, true, rng.integers(0, n_classes, size=40))
    predicted[:3] = (true[:3] + 1) % n_classes  # make sure the matrix is not symmetric by accident
    value = as_array(call(function, true.copy(), predicted.copy(), n_classes),
                     "confusion_matrix(true, predicted, n_classes)", shape=(n_classes, n_classes))
    expected = np.zeros((n_classes, n_classes))
    np.add.at(expected, (true, predicted), 1)
    compare(value, expected, "the confusion matrix", known_mistakes={
        "it is transposed: row i is the true class, column j the predicted class.": expected.T,
        "it holds fractions; count the examples instead.": expected / len(true),
        "it holds the fraction of each true class; count the examples instead.":
            expected / expected.sum(axis=1, keepdims=True),
    }, advice="Entry [i, j] counts the examples of true class i predicted as class j.")
    return "correct: rows are true classes, columns predicted classes."


@exercise_check("7.4", "regression model in Keras")
def regression_model(function) -> str:
    """Build models for two input sizes; two hidden ReLU layers of 64, one linear output unit, Adam, the MSE."""
    function = expect_function(function, "build_regression_model")
    for n_inputs in (2, 6):
        model = built_model(function, (n_inputs,), "build_regression_model")
        output = _expect_body(model, f"build_regression_model({n_inputs})", n_inputs, 2)[-1]
        if output.size != 1:
            raise Mistake(f"the output layer has {output.size} units; one number is predicted, so use one.")
        if output.activation != "linear":
            raise Mistake(f"the output layer uses the {output.activation} activation, which limits the values it can "
                          "predict; a regression output has no activation (linear).")
        loss = loss_name(model)
        if loss and loss != "mean_squared_error":
            raise Mistake(f"the model is compiled with the loss {loss!r}; use the mean squared error ('mse') "
                          "for regression.")
        expect_compiled(model, "build_regression_model", optimizer="Adam", rate=RATE, loss="mse")
    return "correct: two hidden ReLU layers of 64 units, one linear output unit, Adam and the mean squared error."


@exercise_check("7.5", "binning a continuous target")
def bin_targets(function) -> str:
    """Values inside, on the edges and outside the bins."""
    function = expect_function(function, "bin_targets")
    rng = np.random.default_rng()
    edges = np.sort(rng.uniform(-2, 2, size=5))
    inside = rng.uniform(edges[0], edges[-1], size=12)
    y = np.concatenate([inside, edges[:-1], [edges[0] - 1.0, edges[-1] + 1.0, edges[-1]]])
    value = call(function, y.copy(), edges.copy())
    raw = np.asarray(value) if value is not None else None
    array = as_array(value, "bin_targets(y, edges)", shape=y.shape)
    if raw.dtype.kind not in "iu":
        raise Mistake(f"the classes have dtype {raw.dtype}; class labels are integers (use .astype(int)).")
    n_bins = len(edges) - 1
    raw_index = np.digitize(y, edges)
    expected = np.clip(raw_index - 1, 0, n_bins - 1)
    compare(array[:len(inside) + n_bins], expected[:len(inside) + n_bins],
            "the class of the values inside the bins", known_mistakes={
                "the classes start at 1; the first bin should be class 0.": raw_index[:len(inside) + n_bins],
            }, advice="Value y belongs to class i when edges[i] <= y < edges[i + 1].")
    if array.min() < 0 or array.max() > n_bins - 1:
        raise Mistake(f"values outside the outermost edges give classes outside 0 to {n_bins - 1}: put them into "
                      "the first or the last bin (np.clip).")
    compare(array, expected, "the class of the values outside or on the outer edges",
            advice="Values below edges[0] belong to the first bin, values at or above edges[-1] to the last.")
    return "correct: integer classes 0 to n_bins - 1, values outside the edges go to the outer bins."
