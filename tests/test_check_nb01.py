"""Checks of notebook 01 on the solution, the generated stub, typical mistakes and bad input."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check, datasets
from utils.check.core import Status
from utils.check.nb01_gradient_descent import reference_gradient, reference_linear_gradient

NAME = "01_gradient_descent"


def test_predict_mistakes():
    assert_verdict(check.predict, (lambda x, w, b: w * x,), Status.FAILED, "intercept b is missing")
    assert_verdict(check.predict, (lambda x, w, b: b * x + w,), Status.FAILED, "swapped")


def test_mse_loss_mistakes():
    assert_verdict(check.mse_loss, (lambda x, y, w, b: np.sum((w * x + b - y) ** 2),), Status.FAILED, "sums")
    assert_verdict(check.mse_loss, (lambda x, y, w, b: np.mean((w * x - y) ** 2),), Status.FAILED, "intercept")


@pytest.mark.parametrize("mistake, fragment", [
    (lambda x, y, w, b: tuple(np.array(reference_gradient(x, y, w, b)) / 2), "factor 2"),
    (lambda x, y, w, b: reference_gradient(x, y, w, b)[::-1], "swapped"),
    (lambda x, y, w, b: tuple(-np.array(reference_gradient(x, y, w, b))), "sign"),
    (lambda x, y, w, b: (2 * np.mean(w * x + b - y), 2 * np.mean(w * x + b - y)), "factor x"),
    (lambda x, y, w, b: 2 * np.mean((w * x + b - y) * x), "tuple of 2"),
])
def test_mse_gradient_mistakes(mistake, fragment):
    assert_verdict(check.mse_gradient, (mistake,), Status.FAILED, fragment)


def test_gradient_descent_mistakes(solution):
    gradient = solution["mse_gradient"]
    loss = solution["mse_loss"]

    def uphill(x, y, w, b, rate, n_steps):
        losses, path = [loss(x, y, w, b)], [(w, b)]
        for _ in range(n_steps):
            dw, db = gradient(x, y, w, b)
            w, b = w + rate * dw, b + rate * db
            losses.append(loss(x, y, w, b))
            path.append((w, b))
        return np.array(losses), np.array(path)

    def without_start(x, y, w, b, rate, n_steps):
        losses, path = uphill(x, y, w, b, -rate, n_steps)
        return losses[1:], path[1:]

    def with_wrong_gradient(x, y, w, b, rate, n_steps):
        return uphill(x, y, w, b, -rate / 2, n_steps)  # as if mse_gradient missed its factor 2

    def aliased(x, y, w, b, rate, n_steps):
        params = np.array([w, b], dtype=float)
        losses, path = [loss(x, y, w, b)], [params]
        for _ in range(n_steps):
            params -= rate * np.array(gradient(x, y, *params))  # in place: every entry of path is this array
            losses.append(loss(x, y, *params))
            path.append(params)
        return np.array(losses), np.array(path)

    def copied(x, y, w, b, rate, n_steps):
        params = np.array([w, b], dtype=float)
        losses, path = [loss(x, y, w, b)], [params.copy()]
        for _ in range(n_steps):
            params -= rate * np.array(gradient(x, y, *params))
            losses.append(loss(x, y, *params))
            path.append(params.copy())
        return np.array(losses), np.array(path)

    assert_verdict(check.gradient_descent, (copied,), Status.PASSED)
    assert_verdict(check.gradient_descent, (aliased,), Status.FAILED, "in place")
    assert_verdict(check.gradient_descent, (uphill,), Status.FAILED, "uphill")
    assert_verdict(check.gradient_descent, (without_start,), Status.FAILED, "shape")
    assert_verdict(check.gradient_descent, (with_wrong_gradient,), Status.FAILED, "make sure their checks say ✅")


def test_learning_rates():
    x, y = datasets.noisy_line(n=50, slope=2.0, intercept=1.0, noise=0.5, seed=1)
    good = {"too small": 0.005, "good": 0.1, "too large": 0.9}
    assert_verdict(check.learning_rates, (good, x, y), Status.PASSED)
    assert_verdict(check.learning_rates, ({"too small": ..., "good": ..., "too large": ...}, x, y), Status.NOT_DONE)
    assert_verdict(check.learning_rates, (..., x, y), Status.NOT_DONE)
    assert_verdict(check.learning_rates, ({**good, "too large": 0.5}, x, y), Status.FAILED, "does not diverge")
    assert_verdict(check.learning_rates, ({**good, "too small": 0.1}, x, y), Status.FAILED, "already converges")
    assert_verdict(check.learning_rates, ({**good, "good": 0.001}, x, y), Status.FAILED, "does not reach")
    assert_verdict(check.learning_rates, ({**good, "good": -1}, x, y), Status.FAILED, "positive")
    assert_verdict(check.learning_rates, ({"good": 0.1}, x, y), Status.FAILED, "keys")
    for bad in (None, 0.1, [0.1, 0.2, 0.3], {**good, "good": "fast"}):
        assert_verdict(check.learning_rates, (bad, x, y), Status.FAILED)


def test_learning_rates_solution_function(solution, exercise):
    x, y = datasets.noisy_line(n=50, slope=2.0, intercept=1.0, noise=0.5, seed=1)
    assert_verdict(check.learning_rates, (solution["choose_learning_rates"], x, y), Status.PASSED)
    assert_verdict(check.learning_rates, (exercise["choose_learning_rates"], x, y), Status.NOT_DONE)
    assert_verdict(check.learning_rates, (lambda: {"too small": 0.005, "good": 0.1, "too large": 0.5}, x, y),
                   Status.FAILED, "does not diverge")
    assert_verdict(check.learning_rates, (lambda: None, x, y), Status.FAILED, "dict")


def test_linear_model_gradient_mistakes():
    def per_example_mean(X, Y, W, b):
        residual = X @ W + b - Y
        return 2 / len(X) * X.T @ residual, 2 / len(X) * residual.sum(axis=0)

    def without_bias(X, Y, W, b):
        return reference_linear_gradient(X, Y, W, 0 * b)

    def transposed(X, Y, W, b):
        dW, db = reference_linear_gradient(X, Y, W, b)
        return dW.T, db

    assert_verdict(check.linear_model_gradient, (per_example_mean,), Status.FAILED, "n * m")
    assert_verdict(check.linear_model_gradient, (without_bias,), Status.FAILED, "missing the bias")
    assert_verdict(check.linear_model_gradient, (transposed,), Status.FAILED, "shape")


def _sgd(shuffle=True, seeded=True, per_batch=True):
    """A mini-batch SGD with one of the typical mistakes switched on."""
    def minibatch_sgd(X, Y, W, b, gradient, rate, batch_size, n_epochs, seed=0):
        rng = np.random.default_rng(seed if seeded else None)
        losses = [np.mean((X @ W + b - Y) ** 2)]
        for _ in range(n_epochs):
            order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
            batches = [order[i:i + batch_size] for i in range(0, len(X), batch_size)] if per_batch else [order]
            for batch in batches:
                dW, db = gradient(X[batch], Y[batch], W, b)
                W, b = W - rate * dW, b - rate * db
            losses.append(np.mean((X @ W + b - Y) ** 2))
        return W, b, np.array(losses)
    return minibatch_sgd


def test_minibatch_sgd_mistakes():
    assert_verdict(check.minibatch_sgd, (_sgd(),), Status.PASSED)
    assert_verdict(check.minibatch_sgd, (_sgd(shuffle=False),), Status.FAILED, "shuffle")
    assert_verdict(check.minibatch_sgd, (_sgd(seeded=False),), Status.FAILED, "same seed")
    assert_verdict(check.minibatch_sgd, (_sgd(per_batch=False),), Status.FAILED, "one evaluation per mini-batch")
