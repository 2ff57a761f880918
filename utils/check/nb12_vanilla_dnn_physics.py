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
from utils.check.keras_models import (
    built_model,
    expect_compiled,
    loss_name,
    weight_blocks,
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


LEARNING_RATE = 2e-3


@exercise_check("12.2", "fully-connected phase classifier")
def build_phase_classifier(function) -> str:
    """Inspect the model: n_inputs, one hidden ReLU layer with an L2 penalty, 2 softmax outputs, compile settings."""
    function = expect_function(function, "build_phase_classifier")
    for n_inputs, n_hidden, l2 in ((12, 5, 1e-3), (20, 7, 3e-4)):
        model = built_model(function, (n_inputs, n_hidden, l2), "build_phase_classifier")
        if tuple(model.input_shape) != (None, n_inputs):
            raise Mistake(f"build_phase_classifier({n_inputs}, ...) has input shape {model.input_shape}: "
                          "use keras.Input(shape=(n_inputs,)) with the argument n_inputs.")
        dense = weight_blocks(model, ["Dense"])
        if len(dense) != 2:
            raise Mistake(f"the model has {len(dense)} Dense layers; it needs one hidden layer and one output layer.")
        hidden, output = dense
        if hidden.size != n_hidden:
            raise Mistake(f"the hidden layer has {hidden.size} units: use the argument n_hidden.")
        if hidden.activation != "relu":
            raise Mistake("the hidden layer should use the ReLU activation: without a non-linearity the network "
                          "cannot compute |m|, which does not depend on the sign of the spins.")
        regularizer = hidden.layer.kernel_regularizer
        if regularizer is None:
            raise Mistake("the hidden layer has no weight penalty: pass "
                          "kernel_regularizer=keras.regularizers.L2(l2).")
        strength = getattr(regularizer, "l2", None)
        if strength is None or not np.isclose(float(strength), l2, rtol=1e-4) or getattr(regularizer, "l1", 0.0):
            raise Mistake("the hidden layer's penalty should be an L2 penalty with the strength given by the "
                          "argument l2.")
        if output.size != 2 or output.activation != "softmax":
            raise Mistake("the output layer should have 2 units with the softmax activation: one probability "
                          "for each phase, summing to 1.")
        expect_compiled(model, "build_phase_classifier", optimizer="Adam", rate=LEARNING_RATE, metrics=["accuracy"])
        if loss_name(model) != "sparse_categorical_crossentropy":
            raise Mistake("the labels are the integers 0 (ordered) and 1 (disordered) and the output has two "
                          "probabilities: compile with the sparse categorical cross-entropy (as a string, an object "
                          "or a function).")
    return "correct: one hidden ReLU layer with an L2 penalty and two softmax outputs, compiled as asked."


def _small_classifier(n_inputs: int):
    """A tiny compiled softmax classifier that overfits random labels within a few epochs."""
    import keras

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss="sparse_categorical_crossentropy")
    return model


def _recording_fit(model) -> dict:
    """Wrap model.fit so that the check can see the arguments the learner passed; returns the record."""
    import inspect

    record: dict = {}
    original = model.fit

    def fit(*args, **kwargs):
        try:
            record.update(inspect.signature(original).bind(*args, **kwargs).arguments)
        except TypeError:
            record.update(kwargs)
        record["called"] = True
        return original(*args, **kwargs)

    model.fit = fit
    return record


def _early_stopping(record: dict):
    """The EarlyStopping callback passed to fit, or None."""
    import keras

    callbacks = record.get("callbacks") or []
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    return next((callback for callback in callbacks if isinstance(callback, keras.callbacks.EarlyStopping)), None)


@exercise_check("12.3", "training with validation and early stopping")
def train_phase_classifier(function) -> str:
    """Train tiny models on random labels with two patiences: arguments, early stop, patience, best weights."""
    function = expect_function(function, "train_phase_classifier")
    import keras

    rng = np.random.default_rng()
    X_train, X_val = rng.normal(size=(200, 16)).astype("float32"), rng.normal(size=(100, 16)).astype("float32")
    y_train, y_val = rng.integers(0, 2, 200), rng.integers(0, 2, 100)  # nothing to learn: the model can only overfit
    max_epochs = 30
    for patience in (2, 5):
        model = _small_classifier(16)
        record = _recording_fit(model)
        before = [weight.copy() for weight in model.get_weights()]
        history = call(function, model, X_train, y_train, X_val, y_val, max_epochs, patience)
        if not isinstance(history, keras.callbacks.History):
            raise Mistake(f"train_phase_classifier should return the History that model.fit returns, "
                          f"not {describe(history)}.")
        if not record.get("called") or all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())):
            raise Mistake("the model's weights did not change: train the model you were given with model.fit.")
        if record.get("validation_split") and record.get("validation_data") is None:
            raise Mistake("validation_split cuts its validation set off the training data, so the validation set "
                          "you were given is never used: pass validation_data=(X_val, y_val) instead.")
        if "val_loss" not in history.history:
            raise Mistake("the history has no validation loss: pass validation_data=(X_val, y_val) to fit.")
        if history.params.get("epochs") != max_epochs:
            raise Mistake("fit should run for at most max_epochs epochs: pass epochs=max_epochs.")
        stop = _early_stopping(record)
        if stop is None:
            raise Mistake("fit got no EarlyStopping callback: pass callbacks=[keras.callbacks.EarlyStopping("
                          "monitor='val_loss', ...)].")
        if stop.monitor != "val_loss":
            raise Mistake(f"EarlyStopping watches {stop.monitor!r}; the training loss keeps falling while the model "
                          "over-fits, so it must watch the validation loss: monitor='val_loss'.")
        if stop.patience != patience:
            raise Mistake(f"EarlyStopping waits {stop.patience} epochs whatever patience the function is given: "
                          "pass patience=patience.")
        if not stop.restore_best_weights:
            raise Mistake("the model keeps the weights of the last epoch, not of the best one: pass "
                          "restore_best_weights=True to EarlyStopping.")
        val_loss = float(model.evaluate(X_val, y_val, verbose=0))
        best = float(np.min(history.history["val_loss"]))
        if not np.isclose(val_loss, best, rtol=1e-3, atol=1e-4):
            raise Mistake("the validation loss in the history is not the loss on (X_val, y_val) of the weights "
                          "kept: validate on the validation set you were given, validation_data=(X_val, y_val).")
        if len(history.epoch) >= max_epochs:
            raise Mistake("training ran all max_epochs epochs although the validation loss got worse: check the "
                          "EarlyStopping callback.")
    return "correct: validation loss monitored, training stopped after the given patience, best weights restored."


MAX_CANDIDATES = 4


def _whole_number(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


@exercise_check("12.4", "choose on the validation set")
def candidate_settings(function) -> str:
    """Two to four distinct (n_hidden, l2, patience) settings within the notebook's budget."""
    function = expect_function(function, "candidate_settings")
    settings = call(function)
    if not isinstance(settings, (list, tuple)) or not all(isinstance(item, (list, tuple)) for item in settings):
        raise Mistake(f"candidate_settings() should return a list of (n_hidden, l2, patience) tuples, not "
                      f"{describe(settings)}.")
    settings = [tuple(item) for item in settings]
    if not 2 <= len(settings) <= MAX_CANDIDATES:
        raise Mistake(f"it returns {len(settings)} settings: compare at least 2 (a choice needs alternatives) and "
                      f"at most {MAX_CANDIDATES} (each trains once; the notebook has a time budget).")
    for item in settings:
        if len(item) != 3:
            raise Mistake(f"{item!r} should be a triple (n_hidden, l2, patience).")
        n_hidden, l2, patience = item
        if not _whole_number(n_hidden) or not 1 <= n_hidden <= 128:
            raise Mistake(f"n_hidden in {item!r} should be a whole number of units from 1 to 128 (more would not "
                          "fit the time budget).")
        if isinstance(l2, bool) or not isinstance(l2, (int, float, np.floating)) or not 0 <= l2 < 1:
            raise Mistake(f"l2 in {item!r} should be a penalty strength >= 0 and well below 1.")
        if not _whole_number(patience) or not 1 <= patience <= 10:
            raise Mistake(f"patience in {item!r} should be a whole number of epochs from 1 to 10.")
    if len(set(settings)) < len(settings):
        raise Mistake("two of the settings are the same: each candidate should differ from the others.")
    return f"correct: {len(settings)} distinct settings to compare on the validation set."


def _crossing(temperatures: np.ndarray, p: np.ndarray) -> float:
    """Linear interpolation where p first rises through 0.5 (from below to at or above); nan if it never does."""
    rises = np.flatnonzero((p[:-1] < 0.5) & (p[1:] >= 0.5))
    if len(rises) == 0:
        return np.nan
    i = rises[0] + 1
    t0, t1, p0, p1 = temperatures[i - 1], temperatures[i], p[i - 1], p[i]
    return float(t0 + (0.5 - p0) * (t1 - t0) / (p1 - p0))


def _curves(rng):
    """(name, temperatures, p) test curves: smooth, noisy and falling again, starting above 1/2, never crossing."""
    for kind in ("smooth", "noisy", "falls again", "starts above", "never rises"):
        temperatures = np.sort(rng.uniform(1.0, 3.5, 21))
        crossing = rng.uniform(1.9, 2.7)
        p = 0.5 * (1.0 + np.tanh((temperatures - crossing) / rng.uniform(0.15, 0.4)))
        if kind == "noisy":  # a dip after the crossing, as averages over few lattices give
            i = int(np.argmax(p >= 0.5))
            p[min(i + 1, len(p) - 1)] = 0.3
        if kind == "falls again":  # the curve rises through 1/2, then falls far back at high T
            p = np.where(temperatures > crossing + 0.5, 0.55 - 0.4 * (temperatures - crossing - 0.5), p)
            p = np.clip(p, 0.0, 1.0)
        if kind == "starts above":  # the first points sit above 1/2, then the curve dips and rises
            p[:2] = (0.7, 0.6)
        if kind == "never rises":
            p = 0.3 * p
        yield kind, temperatures, p


@exercise_check("12.5", "where the probabilities cross")
def crossing_temperature(function) -> str:
    """Fresh curves on uneven grids, also non-monotone ones and ones that start above 1/2 or never cross."""
    function = expect_function(function, "crossing_temperature")
    rng = np.random.default_rng()
    for kind, temperatures, p in _curves(rng):
        raw = call(function, temperatures.copy(), p.copy())
        if isinstance(raw, (float, np.floating)) and np.isnan(raw):
            answer = np.float64(np.nan)  # as_array refuses nan, but here it is the answer for "no crossing"
        else:
            answer = as_array(raw, "crossing_temperature(temperatures, p)", shape=())
        expected = _crossing(temperatures, p)
        if np.isnan(expected):
            if not np.isnan(answer):
                raise Mistake("on a curve that stays below 0.5 it returns a number; there is no crossing there: "
                              "return np.nan.")
            continue
        if np.isnan(answer):
            raise Mistake(f"it returns nan on a curve that does rise through 0.5 ({kind}).")
        if kind == "starts above" and answer <= temperatures[1] + 1e-12:
            raise Mistake("on a curve whose first points are already above 0.5 it reports a crossing at the start: "
                          "the first point is no crossing; look for the first rise from below 0.5 to 0.5 or above.")
        i = int(np.flatnonzero((p[:-1] < 0.5) & (p[1:] >= 0.5))[0]) + 1
        nearest = temperatures[i - 1] if abs(p[i - 1] - 0.5) < abs(p[i] - 0.5) else temperatures[i]
        known = {
            "it returns a grid temperature: interpolate linearly between the two temperatures around 0.5.":
                nearest,
            "it returns the middle of the two temperatures around 0.5: weight them by how far p is from 0.5.":
                0.5 * (temperatures[i - 1] + temperatures[i]),
            "it returns an index, not a temperature.": float(i),
        }
        if kind in ("noisy", "falls again", "starts above"):
            interp = float(np.interp(0.5, p, temperatures))
            if not np.isclose(interp, expected):
                known["np.interp(0.5, p, T) assumes that p rises monotonically, which a real curve need not do "
                      "(it dips, falls again, or starts high): find the first rise through 0.5 yourself."] = interp
        compare(answer, expected, f"the crossing temperature ({kind} curve)", rtol=1e-6, known_mistakes=known,
                advice="Find the first point where p rises from below 0.5 to 0.5 or above, and interpolate "
                       "linearly from the point before it.")
    return "correct: it finds the first rise through 0.5 on smooth, noisy and non-monotone curves, nan without one."
