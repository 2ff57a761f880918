"""Checks of notebook 06 on typical mistakes of the optimiser steps, runs, Keras training and callbacks."""

import time

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status

NAME = "06_optimizers"


def _sgd_in_place(w, g, lr):
    w -= lr * g
    return w


def test_sgd_step_mistakes():
    assert_verdict(check.sgd_step, (lambda w, g, lr: w + lr * g,), Status.FAILED, "uphill")
    assert_verdict(check.sgd_step, (_sgd_in_place,), Status.FAILED, "changed the w passed in in place")
    assert_verdict(check.sgd_step, (lambda w, g, lr: w - 2 * lr * g,), Status.FAILED, "factor of 2")
    assert_verdict(check.sgd_step, (lambda w, g, lr: (w - lr * g, None),), Status.FAILED, "should be a number")


def _momentum(kind="keras"):
    """Momentum steps: the Keras rule or a typical mistake."""
    def momentum_step(w, v, g, lr, momentum):
        if kind == "torch":  # v = momentum v + g, w -= lr v: the same path for a constant learning rate
            v = momentum * v + g
            return w - lr * v, v
        if kind == "plain":
            return w - lr * g, v
        if kind == "lagged":
            return w + v, momentum * v - lr * g
        if kind == "ema":
            v = momentum * v + (1 - momentum) * g
            return w - lr * v, v
        if kind == "sign":
            v = momentum * v + lr * g
            return w + v, v
        if kind == "in_place":  # the velocity updated in place
            v *= momentum
            v -= lr * g
            return w + v, v
        if kind == "scalar_only":  # works for numbers, not for one rate per row
            if momentum == 0:
                return w - lr * g, v
            v = float(momentum) * v - float(lr) * g
            return w + v, v
        v = momentum * v - lr * g
        return w + v, v
    return momentum_step


@pytest.mark.parametrize("kind, status, fragment", [
    ("keras", Status.PASSED, ""),
    ("torch", Status.PASSED, ""),
    ("plain", Status.FAILED, "plain SGD"),
    ("lagged", Status.FAILED, "old velocity"),
    ("ema", Status.FAILED, "averaged form"),
    ("sign", Status.FAILED, "wrong sign"),
    ("in_place", Status.FAILED, "changed the velocity passed in in place"),
    ("scalar_only", Status.FAILED, "one per row"),
])
def test_momentum_step(kind, status, fragment):
    assert_verdict(check.momentum_step, (_momentum(kind),), status, fragment)


def _adam(kind="keras"):
    """Adam steps: the Keras rule or a typical mistake."""
    def adam_step(w, m, v, g, step, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        if kind == "in_place":  # m updated in place: m *= beta_1; m += ...
            m *= beta_1
            m += (1 - beta_1) * g
        else:
            m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        if kind == "uncorrected":
            return w - lr * m / (np.sqrt(v) + epsilon), m, v
        if kind == "textbook":
            m_hat, v_hat = m / (1 - beta_1**step), v / (1 - beta_2**step)
            return w - lr * m_hat / (np.sqrt(v_hat) + epsilon), m, v
        if kind == "frozen":
            step = 1
        if kind == "from_zero":  # treats the step passed in as counting from 0
            step = step + 1
        if kind == "default_betas":
            beta_1, beta_2 = 0.9, 0.999
        alpha = lr * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
        return w - alpha * m / (np.sqrt(v) + epsilon), m, v
    return adam_step


@pytest.mark.parametrize("kind, status, fragment", [
    ("keras", Status.PASSED, ""),
    ("uncorrected", Status.FAILED, "bias correction is missing"),
    ("textbook", Status.FAILED, "Algorithm 1"),
    ("frozen", Status.FAILED, "always uses step 1"),
    ("from_zero", Status.FAILED, "as if the counter started at 0"),
    ("in_place", Status.FAILED, "changed the m passed in in place"),
    ("default_betas", Status.FAILED, "adam_step"),
])
def test_adam_step(kind, status, fragment):
    assert_verdict(check.adam_step, (_adam(kind),), status, fragment)


def _optimize(reset=False, include_start=True, counter_fixed=False, first_step=1, in_place=False, alias_w0=False):
    """An optimiser runner with one of the typical mistakes switched on."""
    sgd, momentum, adam = (lambda w, g, lr: w - lr * g), _momentum(), _adam()

    def optimize(method, gradient, w0, n_steps, learning_rate, **options):
        w = w0 if alias_w0 else np.array(w0, dtype=float)
        velocity, m, v = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
        path = [w] if include_start else []
        for step in range(first_step, n_steps + first_step):
            if reset:
                velocity, m, v = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
            g = gradient(w)
            if method == "sgd" and (in_place or alias_w0):  # w -= ..., then the same array appended
                w -= learning_rate * g
            elif method == "sgd":
                w = sgd(w, g, learning_rate)
            elif method == "momentum":
                w, velocity = momentum(w, velocity, g, learning_rate, **options)
            else:
                w, m, v = adam(w, m, v, g, 1 if counter_fixed else step, learning_rate, **options)
            path.append(w)
        return np.array(path)
    return optimize


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"reset": True}, "reset in every step"),
    ({"include_start": False}, "starts with w0"),
    ({"counter_fixed": True}, "counter does not advance"),
    ({"first_step": 0}, "starts at 0"),
    ({"first_step": 2}, "starts at 2"),
    ({"in_place": True}, "changed in place"),
    ({"alias_w0": True}, "changed the w0 passed in"),
])
def test_optimizer_path(options, fragment):
    status = Status.PASSED if not options else Status.FAILED
    assert_verdict(check.optimizer_path, (_optimize(**options),), status, fragment)


def _steps(offset=0, plain=False, never=None, short_loop=False):
    """Step counting with one of the typical mistakes switched on (short_loop: range(max_steps) skips the last test)."""
    def steps_to_tolerance(loss, gradient, w0, learning_rate, momentum, tolerance, max_steps):
        w = np.array(w0, dtype=float)
        velocity = np.zeros_like(w)
        for step in range(max_steps if short_loop else max_steps + 1):
            if loss(w) <= tolerance:
                return step + offset
            velocity = (0.0 if plain else momentum) * velocity - learning_rate * gradient(w)
            w = w + velocity
        return max_steps if never == "max_steps" else np.inf
    return steps_to_tolerance


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"offset": 1}, "off by one"),
    ({"plain": True}, "plain gradient descent"),
    ({"never": "max_steps"}, "np.inf"),
    ({"short_loop": True}, "last allowed step"),
])
def test_steps_to_tolerance(options, fragment):
    status = Status.PASSED if not options else Status.FAILED
    assert_verdict(check.steps_to_tolerance, (_steps(**options),), status, fragment)


def _train_with(set_weights=True, loss="mse", use_optimizer=True, pass_batch=True, pass_callbacks=True):
    """train_with with one of the typical mistakes switched on."""
    import keras

    def train_with(optimizer, build_model, initial_weights, X, y, epochs, batch_size, callbacks=()):
        model = build_model()
        if set_weights:
            model.set_weights(initial_weights)
        model.compile(optimizer=optimizer if use_optimizer else keras.optimizers.Adam(), loss=loss)
        history = model.fit(X, y, epochs=epochs, batch_size=batch_size if pass_batch else None, verbose=0,
                            callbacks=list(callbacks) if pass_callbacks else None)
        return history.history["loss"]
    return train_with


@pytest.mark.parametrize("options, fragment", [
    ({"set_weights": False}, "set_weights"),
    ({"loss": "mae"}, "mean squared error"),
    ({"use_optimizer": False}, "optimizer passed in"),
    ({"pass_batch": False}, "batch_size"),
    ({"pass_callbacks": False}, "callbacks"),
])
def test_train_with_mistakes(options, fragment):
    assert_verdict(check.train_with_optimizer, (_train_with(**options),), Status.FAILED, fragment)


def _timer(reset=True, elapsed=True):
    """EpochTimer with one of the typical mistakes switched on."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        times = []

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()
            if reset:
                self.times = []

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            self.times.append(now - self.start if elapsed else now)
    return EpochTimer


def test_epoch_timer_mistakes():
    assert_verdict(check.epoch_timer, (_timer(),), Status.PASSED)
    assert_verdict(check.epoch_timer, (_timer(reset=False),), Status.FAILED, "new list")
    assert_verdict(check.epoch_timer, (_timer(elapsed=False),), Status.FAILED, "seconds since")

    class NotACallback:
        pass
    assert_verdict(check.epoch_timer, (NotACallback,), Status.FAILED, "keras callback")


def _schedule(early=False, reset=True, min_delta_used=True):
    """plateau_schedule with one of the typical mistakes switched on."""
    def plateau_schedule(losses, learning_rate, factor, patience, min_delta=1e-4):
        best, wait, schedule = np.inf, 0, []
        for loss in losses:
            if not early:
                schedule.append(learning_rate)
            if loss < best - (min_delta if min_delta_used else 0.0):
                best, wait = loss, 0
            else:
                wait += 1
                if wait >= patience:
                    learning_rate *= factor
                    wait = 0 if reset else wait
            if early:
                schedule.append(learning_rate)
        return schedule
    return plateau_schedule


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"early": True}, "one epoch too early"),
    ({"reset": False}, "wait = 0"),
    ({"min_delta_used": False}, "min_delta"),
])
def test_plateau_schedule(options, fragment):
    status = Status.PASSED if not options else Status.FAILED
    assert_verdict(check.plateau_schedule, (_schedule(**options),), status, fragment)


def test_plateau_schedule_matches_keras():
    """The rule the notebook teaches is what keras.callbacks.ReduceLROnPlateau does (cooldown 0, min_lr 0)."""
    import keras

    losses = [1.0, 0.9, 0.95, 0.9, 0.85, 0.86, 0.87, 0.88, 0.8, 0.80005, 0.9, 0.9, 0.9]
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.4), loss="mse")
    callback = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2)
    callback.set_model(model)
    callback.on_train_begin()
    used = []
    for epoch, loss in enumerate(losses):
        used.append(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
        callback.on_epoch_end(epoch, {"loss": loss})
    np.testing.assert_allclose(_schedule()(losses, 0.4, 0.5, 2), used, rtol=1e-6)
