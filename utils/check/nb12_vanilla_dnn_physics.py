"""Checks of notebook 12 (Ising phases): the split, the classifier, its training call, the crossing point."""

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


def _index_array(value, what: str) -> np.ndarray:
    """A learner's index set as a 1-D integer array, or one sentence on what is wrong with it."""
    array = as_array(value, what)
    if array.ndim != 1:
        raise Mistake(f"{what} should be a 1-D array of indices, not an array of shape {array.shape}.")
    if np.any(array != np.round(array)):
        raise Mistake(f"{what} should hold whole-number indices into the data set.")
    return array.astype(int)


@exercise_check("12.1", "train / validation / test split")
def split_configurations(function) -> str:
    """Split n sorted examples: sizes, disjoint and complete, shuffled, reproducible for a seed."""
    function = expect_function(function, "split_configurations")
    rng = np.random.default_rng()
    n = int(rng.integers(800, 1200))
    seed = int(rng.integers(1000))
    parts = as_tuple(call(function, n, 0.2, 0.1, seed), "split_configurations(n, 0.2, 0.1, seed)", 3)
    train, val, test = (_index_array(part, name) for part, name in zip(parts, ("train", "validation", "test")))
    everything = np.concatenate([train, val, test])
    if everything.min() < 0 or everything.max() >= n:
        raise Mistake(f"the indices should run from 0 to n - 1; found {everything.min()} to {everything.max()}.")
    if len(np.unique(everything)) < len(everything):
        raise Mistake("some examples appear twice (in two sets, or twice in one): draw the indices from one "
                      "permutation of range(n) and cut it into pieces.")
    if len(everything) != n:
        raise Mistake(f"the three sets hold {len(everything)} of the {n} examples: every example should be in "
                      "exactly one set.")
    for part, fraction, name in ((val, 0.2, "validation"), (test, 0.1, "test")):
        if abs(len(part) - fraction * n) > 1:
            raise Mistake(f"the {name} set holds {len(part)} of {n} examples, not the fraction {fraction} "
                          "asked for: check the order of the arguments.")
    if any(np.array_equal(np.sort(part), np.arange(part.min(), part.min() + len(part))) for part in (train, val, test)):
        raise Mistake("the split is not shuffled: the data are sorted by temperature, so the last examples "
                      "(the hottest lattices) would all land in one set. Permute the indices first.")
    again = as_tuple(call(function, n, 0.2, 0.1, seed), "split_configurations(n, 0.2, 0.1, seed)", 3)
    if not all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(again, parts)):
        raise Mistake("two calls with the same seed give different splits: make the generator from the "
                      "argument seed, e.g. np.random.default_rng(seed).")
    other = as_tuple(call(function, n, 0.2, 0.1, seed + 1), "split_configurations(n, 0.2, 0.1, seed + 1)", 3)
    if np.array_equal(np.asarray(other[2]), test):
        raise Mistake("a different seed gives the same split: use the argument seed.")
    return "correct: disjoint, complete, shuffled and reproducible for a seed."


def _dense_layers(model) -> list:
    """The Dense layers of a Keras model, in order."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


@exercise_check("12.2", "fully-connected phase classifier")
def build_phase_classifier(function) -> str:
    """Inspect the model: n_inputs, one hidden ReLU layer with an L2 penalty, 2 softmax outputs, compiled."""
    function = expect_function(function, "build_phase_classifier")
    import keras

    for n_inputs, n_hidden, l2 in ((12, 5, 1e-3), (20, 7, 3e-4)):
        model = call(function, n_inputs, n_hidden, l2)
        if not isinstance(model, keras.Model):
            raise Mistake(f"build_phase_classifier should return a keras model, not {describe(model)}.")
        if tuple(model.input_shape) != (None, n_inputs):
            raise Mistake(f"build_phase_classifier({n_inputs}, ...) has input shape {model.input_shape}: "
                          "use keras.Input(shape=(n_inputs,)) with the argument n_inputs.")
        dense = _dense_layers(model)
        if len(dense) != 2:
            raise Mistake(f"the model has {len(dense)} Dense layers; it needs one hidden layer and one output layer.")
        hidden, output = dense
        if hidden.units != n_hidden:
            raise Mistake(f"the hidden layer has {hidden.units} units: use the argument n_hidden.")
        if hidden.activation is not keras.activations.relu:
            raise Mistake("the hidden layer should use the ReLU activation: without a non-linearity the network "
                          "cannot compute |m|, which does not depend on the sign of the spins.")
        regularizer = hidden.kernel_regularizer
        if regularizer is None:
            raise Mistake("the hidden layer has no weight penalty: pass "
                          "kernel_regularizer=keras.regularizers.L2(l2).")
        strength = getattr(regularizer, "l2", None)
        if strength is None or not np.isclose(float(strength), l2, rtol=1e-4):
            raise Mistake("the hidden layer's penalty should be an L2 penalty with the strength given by the "
                          "argument l2.")
        if output.units != 2 or output.activation is not keras.activations.softmax:
            raise Mistake("the output layer should have 2 units with the softmax activation: one probability "
                          "for each phase, summing to 1.")
        if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", False):
            raise Mistake("the model is not compiled: call model.compile(...) before returning it.")
        loss = getattr(model, "loss", None)
        if loss not in ("sparse_categorical_crossentropy",) and not isinstance(
                loss, keras.losses.SparseCategoricalCrossentropy):
            raise Mistake("the labels are the integers 0 (ordered) and 1 (disordered) and the output has two "
                          "probabilities: compile with loss='sparse_categorical_crossentropy'.")
    return "correct: one hidden ReLU layer with an L2 penalty and two softmax outputs, compiled."


def _small_classifier(n_inputs: int):
    """A tiny compiled softmax classifier that overfits random labels within a few epochs."""
    import keras

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss="sparse_categorical_crossentropy")
    return model


@exercise_check("12.3", "training with validation and early stopping")
def train_phase_classifier(function) -> str:
    """Train a tiny model on random labels: validation loss recorded, early stop, best weights restored."""
    function = expect_function(function, "train_phase_classifier")
    import keras

    rng = np.random.default_rng()
    X_train, X_val = rng.normal(size=(200, 16)).astype("float32"), rng.normal(size=(100, 16)).astype("float32")
    y_train, y_val = rng.integers(0, 2, 200), rng.integers(0, 2, 100)  # nothing to learn: the model can only overfit
    model = _small_classifier(16)
    before = [weight.copy() for weight in model.get_weights()]
    max_epochs = 30
    history = call(function, model, X_train, y_train, X_val, y_val, max_epochs)
    if not isinstance(history, keras.callbacks.History):
        raise Mistake(f"train_phase_classifier should return the History that model.fit returns, "
                      f"not {describe(history)}.")
    if all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())):
        raise Mistake("the model's weights did not change: train the model you were given with model.fit.")
    if "val_loss" not in history.history:
        raise Mistake("the history has no validation loss: pass validation_data=(X_val, y_val) to fit.")
    if history.params.get("epochs") != max_epochs:
        raise Mistake("fit should run for at most max_epochs epochs: pass epochs=max_epochs.")
    if len(history.epoch) >= max_epochs:
        raise Mistake("training ran all max_epochs epochs although the validation loss got worse: add the "
                      "callback keras.callbacks.EarlyStopping(monitor='val_loss', ...).")
    val_loss = float(model.evaluate(X_val, y_val, verbose=0))
    best = float(np.min(history.history["val_loss"]))
    if not np.isclose(val_loss, best, rtol=1e-3, atol=1e-4):
        raise Mistake("the model keeps the weights of the last epoch, not of the best one: pass "
                      "restore_best_weights=True to EarlyStopping.")
    return "correct: validation loss monitored, training stopped early, best weights restored."


def _crossing(temperatures: np.ndarray, p: np.ndarray) -> float:
    """Linear interpolation of the first point where p reaches 0.5."""
    i = int(np.argmax(p >= 0.5))
    t0, t1, p0, p1 = temperatures[i - 1], temperatures[i], p[i - 1], p[i]
    return float(t0 + (0.5 - p0) * (t1 - t0) / (p1 - p0))


@exercise_check("12.4", "where the probabilities cross")
def crossing_temperature(function) -> str:
    """Fresh sigmoid-like curves on uneven grids with a known crossing; compare with linear interpolation."""
    function = expect_function(function, "crossing_temperature")
    rng = np.random.default_rng()
    for _ in range(5):
        temperatures = np.sort(rng.uniform(1.0, 3.5, 17))
        true_crossing = rng.uniform(1.9, 2.7)
        p = 0.5 * (1.0 + np.tanh((temperatures - true_crossing) / rng.uniform(0.15, 0.4)))
        answer = as_array(call(function, temperatures.copy(), p.copy()), "crossing_temperature(temperatures, p)",
                          shape=())
        expected = _crossing(temperatures, p)
        i = int(np.argmax(p >= 0.5))
        nearest = temperatures[i - 1] if abs(p[i - 1] - 0.5) < abs(p[i] - 0.5) else temperatures[i]
        compare(answer, expected, "the crossing temperature", rtol=1e-6, known_mistakes={
            "it returns a grid temperature: interpolate linearly between the two temperatures around 0.5.":
                nearest,
            "it returns the middle of the two temperatures around 0.5: weight them by how far p is from 0.5.":
                0.5 * (temperatures[i - 1] + temperatures[i]),
            "it returns an index, not a temperature.": float(i),
        }, advice="Find the first point with p >= 0.5 and interpolate linearly from the point before it.")
    return "correct: it finds the crossing on fresh curves with a known answer."
