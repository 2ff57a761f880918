"""Checks of notebook 06 (optimizers): update rules against keras.optimizers, runs, callbacks."""

from __future__ import annotations

import math
import time

import numpy as np

from utils.check.core import (
    Mistake,
    NotDone,
    as_array,
    as_tuple,
    call,
    close,
    compare,
    describe,
    exercise_check,
    expect_function,
    expect_unchanged,
)

TOLERANCE = 1e-6  # the notebook's promise: NumPy steps match keras.optimizers to 1e-6
STEPS_FIRST = "It uses your functions from 6.1: make sure their checks say ✅ first."
IN_PLACE_ADVICE = ("return new arrays (w = w - ..., not w -= ...): a caller that keeps the old w, like the path of "
                   "6.2, would see it change")


def _f32(value: float) -> float:
    """The float32 number Keras uses for a hyperparameter (so the comparison can be exact in float64)."""
    return float(np.float32(value))


def _keras_path(optimizer, w0: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Parameters after each of Keras' updates with the given gradients (float64 variable)."""
    import keras

    variable = keras.Variable(w0, dtype="float64")
    path = []
    for gradient in gradients:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient, dtype="float64"), variable)])
        path.append(keras.ops.convert_to_numpy(variable))
    return np.array(path)


def _problem(rng: np.random.Generator, n_steps: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """A start and a sequence of gradients whose entries span three orders of magnitude."""
    w0 = rng.normal(size=(3, 2))
    gradients = rng.normal(size=(n_steps, 3, 2)) * 10 ** rng.uniform(-3, 0, size=(n_steps, 3, 2))
    return w0, gradients


def _run(step, what: str, w0: np.ndarray, gradients: np.ndarray, n_state: int, *hyper, adam: bool = False,
         **options) -> np.ndarray:
    """Feed the learner's step function the gradients one by one, carrying its state; return the path."""
    w, state = w0.copy(), [np.zeros_like(w0) for _ in range(n_state)]
    names = ["w", *(["m", "v"] if adam else ["velocity"] if n_state else []), "gradient"]
    path = []
    for t, gradient in enumerate(gradients, start=1):
        args = (w, *state, gradient.copy(), *((t,) if adam else ()), *hyper)
        before = [np.array(array) for array in args[:n_state + 2]]
        result = call(step, *args, **options)
        for name, old, new in zip(names, before, args):
            expect_unchanged(old, new, what.split("(")[0], f"the {name} passed in", IN_PLACE_ADVICE)
        if adam and t == 1 and isinstance(result, (tuple, list)) and result and \
                not np.all(np.isfinite(np.asarray(result[0], dtype=float))):
            raise Mistake("adam_step gives NaN or infinity in the first step: the bias correction divides by "
                          "1 - beta_1**step, which is 0 for step 0. Use the step passed in; it counts from 1.")
        if n_state == 0:
            w = as_array(result, f"the value returned by {what}", shape=w0.shape)
        else:
            parts = as_tuple(result, f"the value returned by {what}", n_state + 1)
            w = as_array(parts[0], f"the new w returned by {what}", shape=w0.shape)
            state = [as_array(part, f"the new state returned by {what}", shape=w0.shape) for part in parts[1:]]
        path.append(w)
    return np.array(path)


def _compare_path(path: np.ndarray, expected: np.ndarray, what: str, mistakes: dict[str, np.ndarray]) -> None:
    """Compare parameter paths (start included) to 1e-6; diagnose through the updates (sign, factor)."""
    if close(path, expected, rtol=TOLERANCE, atol=TOLERANCE):
        return
    for hint, wrong in mistakes.items():
        if close(path, wrong, rtol=TOLERANCE, atol=TOLERANCE):
            raise Mistake(f"{what} is not right: {hint}")
    compare(np.diff(path, axis=0), np.diff(expected, axis=0), f"the updates of {what}", rtol=1e-4, atol=1e-12)
    raise Mistake(f"{what} differs from keras.optimizers by up to {np.abs(path - expected).max():.1g} "
                  f"(allowed: {TOLERANCE:g}).")


@exercise_check("6.1", "SGD step")
def sgd_step(function) -> str:
    """Compare several SGD steps with keras.optimizers.SGD fed the same gradients."""
    function = expect_function(function, "sgd_step")
    import keras

    rng = np.random.default_rng()
    w0, gradients = _problem(rng)
    rate = _f32(rng.uniform(0.01, 0.2))
    expected = _keras_path(keras.optimizers.SGD(learning_rate=rate), w0, gradients)
    path = _run(function, "sgd_step", w0, gradients, 0, rate)
    uphill = w0 + rate * np.cumsum(gradients, axis=0)
    _compare_path(np.concatenate([w0[None], path]), np.concatenate([w0[None], expected]), "sgd_step", {
        "it steps uphill: subtract learning_rate * gradient.": np.concatenate([w0[None], uphill]),
    })
    return "correct: matches keras.optimizers.SGD on 6 steps."


def _momentum_variants(w0: np.ndarray, gradients: np.ndarray, rate: float, mu: float) -> dict[str, np.ndarray]:
    """Paths of typical momentum mistakes."""
    variants: dict[str, list[np.ndarray]] = {"lagged": [w0], "ema": [w0], "sgd": [w0]}
    v_lag, v_ema = np.zeros_like(w0), np.zeros_like(w0)
    for g in gradients:
        variants["lagged"].append(variants["lagged"][-1] + v_lag)
        v_lag = mu * v_lag - rate * g
        v_ema = mu * v_ema + (1 - mu) * g
        variants["ema"].append(variants["ema"][-1] - rate * v_ema)
        variants["sgd"].append(variants["sgd"][-1] - rate * g)
    return {key: np.array(value) for key, value in variants.items()}


@exercise_check("6.1", "SGD with momentum step")
def momentum_step(function) -> str:
    """Compare several momentum steps with keras.optimizers.SGD(momentum=...) fed the same gradients."""
    function = expect_function(function, "momentum_step")
    import keras

    rng = np.random.default_rng()
    w0, gradients = _problem(rng)
    rate, mu = _f32(rng.uniform(0.01, 0.2)), _f32(rng.uniform(0.5, 0.95))
    expected = _keras_path(keras.optimizers.SGD(learning_rate=rate, momentum=mu), w0, gradients)
    path = _run(function, "momentum_step", w0, gradients, 1, rate, mu)
    wrong = _momentum_variants(w0, gradients, rate, mu)
    _compare_path(np.concatenate([w0[None], path]), np.concatenate([w0[None], expected]), "momentum_step", {
        "the velocity has no effect: this is plain SGD. Update v = momentum * v - learning_rate * gradient "
        "and move w by the new v.": wrong["sgd"],
        "w moves by the old velocity: first update the velocity, then add the new one to w.": wrong["lagged"],
        "this is the averaged form v = momentum * v + (1 - momentum) * gradient; Keras adds the whole "
        "learning_rate * gradient to the velocity.": wrong["ema"],
    })
    _expect_elementwise(function, rng)
    return "correct: matches keras.optimizers.SGD(momentum=...) on 6 steps, also with one rate per row."


def _expect_elementwise(function, rng: np.random.Generator) -> None:
    """Section 3 runs many settings at once: rows of w with a column of learning rates and momenta."""
    w, velocity, gradient = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    rates, mus = rng.uniform(0.01, 0.2, size=(4, 1)), rng.uniform(0.0, 0.95, size=(4, 1))
    try:
        result = function(w.copy(), velocity.copy(), gradient.copy(), rates, mus)
        new_w = np.asarray(as_tuple(result, "the value returned by momentum_step", 2)[0], dtype=float)
    except NotImplementedError as error:
        raise NotDone from error
    except Mistake:
        raise
    except Exception as error:
        raise Mistake(f"momentum_step fails ({type(error).__name__}) when learning_rate and momentum are arrays, "
                      "one per row of w (section 3 uses this): use element-wise arithmetic only, no float() "
                      "or if on them.") from error
    expected = np.array([np.asarray(as_tuple(call(function, w[row].copy(), velocity[row].copy(), gradient[row].copy(),
                                                  float(rates[row, 0]), float(mus[row, 0])),
                                             "the value returned by momentum_step", 2)[0], dtype=float)
                         for row in range(len(w))])  # the same steps, one row at a time with plain numbers
    if new_w.shape != w.shape or not np.allclose(new_w, expected, rtol=1e-9, atol=1e-12):
        raise Mistake("momentum_step gives other results when learning_rate and momentum are arrays, one per row "
                      "of w (section 3 uses this): use element-wise arithmetic only.")


def _adam_path(w0, gradients, rate, beta_1, beta_2, epsilon, corrected=True, counter=None, textbook=False,
               shift=0):
    """Reference Adam and its typical variants (no bias correction, frozen or shifted counter, the paper's epsilon)."""
    w, m, v, path = w0.copy(), np.zeros_like(w0), np.zeros_like(w0), []
    for t, g in enumerate(gradients, start=1):
        t = counter or t + shift
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        if textbook:
            w = w - rate * (m / (1 - beta_1**t)) / (np.sqrt(v / (1 - beta_2**t)) + epsilon)
        elif corrected:
            w = w - rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (np.sqrt(v) + epsilon)
        else:
            w = w - rate * m / (np.sqrt(v) + epsilon)
        path.append(w)
    return np.concatenate([w0[None], np.array(path)])


@exercise_check("6.1", "Adam step")
def adam_step(function) -> str:
    """Compare several Adam steps with keras.optimizers.Adam, with default and with other hyperparameters."""
    function = expect_function(function, "adam_step")
    import keras

    rng = np.random.default_rng()
    for beta_1, beta_2, epsilon in ((0.9, 0.999, 1e-7), (0.8, 0.99, 1e-3)):
        w0, gradients = _problem(rng)
        rate, beta_1, beta_2 = _f32(rng.uniform(0.01, 0.2)), _f32(beta_1), _f32(beta_2)
        optimizer = keras.optimizers.Adam(learning_rate=rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        expected = np.concatenate([w0[None], _keras_path(optimizer, w0, gradients)])
        path = np.concatenate([w0[None], _run(function, "adam_step", w0, gradients, 2, rate, adam=True,
                                              beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)])
        hyper = (rate, beta_1, beta_2, epsilon)
        _compare_path(path, expected, "adam_step", {
            "the bias correction is missing: multiply the learning rate by sqrt(1 - beta_2**step) / "
            "(1 - beta_1**step).": _adam_path(w0, gradients, *hyper, corrected=False),
            "the bias correction always uses step 1: use the step number passed in.":
                _adam_path(w0, gradients, *hyper, counter=1),
            "the bias correction uses step + 1, as if the counter started at 0: the step passed in already "
            "counts from 1, use it as it is.": _adam_path(w0, gradients, *hyper, shift=1),
            "this is the paper's Algorithm 1 (epsilon added to the bias-corrected sqrt(v_hat)); Keras folds the "
            "correction into the learning rate and adds epsilon to sqrt(v): "
            "w - alpha * m / (sqrt(v) + epsilon).": _adam_path(w0, gradients, *hyper, textbook=True),
        })
    return "correct: matches keras.optimizers.Adam on 6 steps, with default and with other hyperparameters."


def _quadratic_gradient(scales: np.ndarray):
    """Gradient of 0.5 * sum(scales * w^2)."""
    return lambda w: scales * np.asarray(w, dtype=float)


def _reference_optimize(method: str, gradient, w0, n_steps: int, rate: float, reset: bool = False,
                        counter: int | None = None, shift: int = 0, **options) -> np.ndarray:
    """Reference runner (and typical mistakes: state reset every step, frozen or shifted step counter)."""
    w = np.array(w0, dtype=float)
    velocity, m, v, path = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w), [w]
    for step in range(1, n_steps + 1):
        if reset:
            velocity, m, v = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
        g = gradient(w)
        if method == "sgd":
            w = w - rate * g
        elif method == "momentum":
            velocity = options["momentum"] * velocity - rate * g
            w = w + velocity
        else:
            t = counter or step + shift
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g**2
            w = w - rate * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-7)
        path.append(w)
    return np.array(path)


@exercise_check("6.2", "running an optimiser")
def optimizer_path(function) -> str:
    """Run the learner's optimize for each method on a random quadratic and compare the paths."""
    function = expect_function(function, "optimize")
    rng = np.random.default_rng()
    gradient = _quadratic_gradient(rng.uniform(0.5, 5.0, size=2))
    w0, n_steps = rng.normal(size=2), 7
    for method, rate, options in (("sgd", 0.1, {}), ("momentum", 0.05, {"momentum": 0.8}), ("adam", 0.1, {})):
        start = w0.copy()
        result = call(function, method, gradient, start, n_steps, rate, **options)
        expect_unchanged(w0, start, "optimize", "the w0 passed in",
                         "start from a copy, w = np.array(w0, dtype=float), and update it with w = w - ...")
        if method == "adam" and not np.all(np.isfinite(np.asarray(result, dtype=float))):
            raise Mistake('optimize("adam", ...) gives NaN or infinity: the step counter starts at 0, where '
                          "Adam's bias correction divides by 1 - beta_1**0 = 0. Count the steps 1, 2, 3, ...")
        path = as_array(result, f'optimize("{method}", ...)')
        if path.shape == (n_steps, 2):
            raise Mistake(f'optimize("{method}", ...) returned {n_steps} points for {n_steps} steps: '
                          "the path starts with w0.")
        path = as_array(path, f'optimize("{method}", ...)', shape=(n_steps + 1, 2))
        if np.allclose(path, path[-1]) and not np.allclose(w0, path[-1]):
            raise Mistake(f'every point of the path of optimize("{method}", ...) is the final w: the same array was '
                          "appended at every step and then changed in place (w -= ... or a step function that "
                          "modifies its input). Append a new array in every step: w = w - ...")
        if not np.allclose(path[0], w0):
            raise Mistake("the path should start with w0.")
        mistakes = {
            "the optimiser's state is reset in every step: create the velocity (or m and v) once, before the "
            "loop, and keep the values the step function returns.":
                _reference_optimize(method, gradient, w0, n_steps, rate, reset=True, **options),
        }
        if method == "adam":
            mistakes["the step counter does not advance: pass 1, 2, 3, ... to adam_step."] = \
                _reference_optimize(method, gradient, w0, n_steps, rate, counter=1)
            mistakes["the step counter starts at 2: pass 1, 2, 3, ... to adam_step."] = \
                _reference_optimize(method, gradient, w0, n_steps, rate, shift=1)
        expected = _reference_optimize(method, gradient, w0, n_steps, rate, **options)
        compare(path, expected, f'the path of optimize("{method}", ...)', rtol=1e-6, atol=1e-9,
                known_mistakes=mistakes if method != "sgd" else {}, advice=STEPS_FIRST)
    return "correct for SGD, momentum and Adam: the state survives from step to step."


def _reference_steps(loss, gradient, w0, rate, mu, tolerance, max_steps) -> float:
    """Reference count of momentum steps until loss <= tolerance (inf if not within max_steps)."""
    w = np.array(w0, dtype=float)
    velocity = np.zeros_like(w)
    for step in range(max_steps + 1):
        if loss(w) <= tolerance:
            return step
        velocity = mu * velocity - rate * gradient(w)
        w = w + velocity
    return math.inf


@exercise_check("6.3", "steps to a tolerance")
def steps_to_tolerance(function) -> str:
    """Compare step counts with a reference on random bowls, including 0 steps and never."""
    function = expect_function(function, "steps_to_tolerance")
    rng = np.random.default_rng()
    scales = np.array([1.0, rng.uniform(5, 20)])

    def loss(w):
        return 0.5 * float(np.sum(scales * np.asarray(w, dtype=float) ** 2))

    gradient = _quadratic_gradient(scales)
    w0 = rng.uniform(0.5, 1.5, size=2)
    needed = int(_reference_steps(loss, gradient, w0, 1 / scales[1], 0.6, 1e-6, 2000))
    cases = [  # (learning rate, momentum, tolerance, max_steps)
        (1 / scales[1], 0.0, 1e-6, 2000),
        (1 / scales[1], 0.6, 1e-6, 2000),
        (1 / scales[1], 0.6, 10.0 * loss(w0), 50),  # already there: 0 steps
        (1 / scales[1], 0.6, 1e-6, 5),  # too few steps: never
        (1 / scales[1], 0.6, 1e-6, needed),  # reached in the last allowed step
        (1 / scales[1], 0.6, 1e-6, needed - 1),  # one step short: never
    ]
    for rate, mu, tolerance, max_steps in cases:
        expected = _reference_steps(loss, gradient, w0, rate, mu, tolerance, max_steps)
        got = call(function, loss, gradient, w0.copy(), rate, mu, tolerance, max_steps)
        if got is None:
            raise Mistake("steps_to_tolerance returned None: return the number of steps, or np.inf if the "
                          "tolerance is not reached.")
        if isinstance(got, (str, bytes, list, tuple, dict)) or np.ndim(got) != 0:
            raise Mistake(f"steps_to_tolerance should return one number, not {describe(got)}.")
        got = float(got)
        if math.isinf(expected):
            if not math.isinf(got):
                raise Mistake(f"with only {max_steps} steps the tolerance is not reached, so the answer should be "
                              "np.inf, not a number of steps.")
            continue
        if math.isinf(got) and expected == max_steps:
            raise Mistake("the tolerance is reached exactly in the last allowed step (step max_steps), but it returns "
                          "np.inf: the loop stops one test too early; test the loss after the last allowed step too.")
        if math.isinf(got) or math.isnan(got):
            raise Mistake(f"it returns {got} although the tolerance is reached within max_steps. {STEPS_FIRST}")
        if got == expected:
            continue
        if got == expected + 1 or got == expected - 1:
            raise Mistake("the count is off by one: test the loss before every step and return how many "
                          "steps were taken (0 if w0 already meets the tolerance).")
        if mu > 0 and got == _reference_steps(loss, gradient, w0, rate, 0.0, tolerance, max_steps):
            raise Mistake("the count is that of plain gradient descent: pass the momentum to momentum_step "
                          "and keep the velocity from step to step.")
        raise Mistake(f"the number of steps is not right (off by {got - expected:+g}). {STEPS_FIRST}")
    return "correct: counts steps like the reference, including 0 and never (np.inf)."


def _tiny_regression(rng: np.random.Generator):
    """A tiny data set, a model builder and its initial weights for quick Keras runs."""
    import keras

    X = rng.uniform(-1, 1, size=(16, 2))
    y = X[:, 0] - 0.5 * X[:, 1] ** 2

    def build():
        return keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(4, activation="tanh"),
                                 keras.layers.Dense(1)])

    weights = [rng.normal(0.0, 0.7, size=w.shape).astype("float32") for w in build().get_weights()]
    return X, y, build, weights


def _build_with(build, weights):
    """A model from build() with the given weights."""
    model = build()
    model.set_weights(weights)
    return model


def _outputs(model, X: np.ndarray) -> np.ndarray:
    """A Keras model's outputs as a flat NumPy array."""
    import keras

    return keras.ops.convert_to_numpy(model(X)).ravel()


@exercise_check("6.4", "training with a given optimiser")
def train_with_optimizer(function) -> str:
    """Train a tiny model through the learner's function and check start, loss, optimiser, epochs, batches."""
    function = expect_function(function, "train_with")
    import keras

    rng = np.random.default_rng()
    X, y, build, weights = _tiny_regression(rng)
    start_outputs = _outputs(_build_with(build, weights), X)
    optimizer, seen = keras.optimizers.SGD(learning_rate=0.0), []
    probe = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    frozen = as_array(call(function, optimizer, build, weights, X, y, 3, 4, [probe]), "the returned losses")
    if frozen.shape != (3,):
        raise Mistake(f"it returned {frozen.size} losses for 3 epochs: return history.history['loss'].")
    steps = int(keras.ops.convert_to_numpy(optimizer.iterations))
    if steps == 0:
        raise Mistake("the optimizer passed in was not used: compile the model with optimizer=optimizer.")
    if steps != 3 * 4:
        raise Mistake(f"3 epochs of 16 examples with batch_size=4 should take 12 steps, but the optimizer took "
                      f"{steps}: pass epochs and batch_size on to fit.")
    if len(seen) != 3:
        raise Mistake("the callbacks were not used: pass callbacks=list(callbacks) on to fit.")
    if not np.allclose(frozen, np.mean((start_outputs - y) ** 2), rtol=1e-4):
        if np.allclose(frozen, np.mean(np.abs(start_outputs - y)), rtol=1e-4):
            raise Mistake('the loss is not the mean squared error: compile with loss="mse".')
        raise Mistake("with learning rate 0 the loss should stay at the loss of initial_weights: load them with "
                      'model.set_weights(initial_weights), and compile with loss="mse".')
    losses = as_array(call(function, keras.optimizers.SGD(learning_rate=0.1), build, weights, X, y, 4, 16),
                      "the returned losses", shape=(4,))
    reference = _build_with(build, weights)
    reference.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    expected = np.array(reference.fit(X, y, epochs=4, batch_size=16, verbose=0).history["loss"])
    compare(losses, expected, "the losses with SGD(learning_rate=0.1)", rtol=1e-4, atol=1e-6)
    return "correct: fresh model, given start, optimiser, epochs, batch size and callbacks."


@exercise_check("6.5", "timing callback")
def epoch_timer(cls) -> str:
    """Drive the learner's callback by hand: begin, two epochs with a pause, begin again."""
    cls = expect_function(cls, "EpochTimer")
    import keras

    timer = call(cls)
    if not isinstance(timer, keras.callbacks.Callback):
        raise Mistake(f"EpochTimer() should create a keras callback (class EpochTimer(keras.callbacks.Callback)), "
                      f"not {describe(timer)}.")
    for _ in range(2):  # the second round checks that a new training run starts a fresh list
        call(timer.on_train_begin, {})
        time.sleep(0.02)
        call(timer.on_epoch_end, 0, {"loss": 1.0})
        time.sleep(0.03)
        call(timer.on_epoch_end, 1, {"loss": 0.5})
        times = getattr(timer, "times", None)
        if times is None:
            raise Mistake("the callback has no attribute `times`: create self.times = [] in on_train_begin.")
        times = as_array(times, "self.times")
        if times.shape != (2,):
            raise Mistake(f"after a new on_train_begin and 2 epochs, self.times holds {times.size} values: start a "
                          "new list in on_train_begin and append one value per epoch.")
        if not (0.015 < times[0] < 5 and times[1] - times[0] > 0.025):
            raise Mistake("self.times should hold the seconds since on_train_begin at the end of each epoch "
                          "(time.perf_counter() now minus at the start), not durations of single epochs or "
                          "absolute clock readings.")
    return "correct: one elapsed time per epoch, measured from the start of training."


def _plateau(losses, rate, factor, patience, min_delta, record_after=False, reset_wait=True) -> list[float]:
    """Reference reduce-on-plateau rule (Keras' with cooldown 0 and min_lr 0).

    The two flags switch on typical mistakes: ``record_after`` records the rate
    after the epoch's loss was looked at, ``reset_wait=False`` forgets to reset
    the wait counter after a reduction.
    """
    best, wait, schedule = math.inf, 0, []
    for loss in losses:
        if not record_after:
            schedule.append(rate)
        if loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                rate *= factor
                wait = 0 if reset_wait else wait
        if record_after:
            schedule.append(rate)
    return schedule


@exercise_check("6.6", "the plateau rule")
def plateau_schedule(function) -> str:
    """Replay random loss curves with plateaus through the learner's rule and the reference."""
    function = expect_function(function, "plateau_schedule")
    rng = np.random.default_rng()
    creeping = [1.0, 0.9, 0.89999, 0.89998, 0.89997, 0.89996, 0.8, 0.79999, 0.79998, 0.79997]  # tiny gains only
    for patience, factor, losses in ((2, 0.5, creeping), (2, 0.5, None), (3, 0.2, None)):
        if losses is None:
            losses = list(1.0 + np.cumsum(rng.choice([-0.05, -1e-5, 0.02], size=30, p=[0.4, 0.3, 0.3])))
        rate = float(rng.uniform(0.01, 0.5))
        expected = _plateau(losses, rate, factor, patience, 1e-4)
        got = as_array(call(function, losses, rate, factor, patience), "plateau_schedule(...)")
        if got.shape != (len(losses),):
            raise Mistake(f"plateau_schedule returned {got.size} learning rates for {len(losses)} epochs: "
                          "one per epoch.")
        compare(got, np.array(expected), "the schedule", rtol=1e-9, known_mistakes={
            "a reduction takes effect one epoch too early: record the epoch's rate before looking at its loss.":
                np.array(_plateau(losses, rate, factor, patience, 1e-4, record_after=True)),
            "the counter keeps running after a reduction: set wait = 0 when you lower the rate.":
                np.array(_plateau(losses, rate, factor, patience, 1e-4, reset_wait=False)),
            "an improvement smaller than min_delta should not count: compare with best - min_delta.":
                np.array(_plateau(losses, rate, factor, patience, 0.0)),
        })
    return "correct: the same reductions as Keras' ReduceLROnPlateau."
