"""Checks of notebook 01 (gradient descent): linear regression by hand."""

from __future__ import annotations

import math

import numpy as np

from utils.check.core import Mistake, NotDone, as_array, as_tuple, call, compare, exercise_check, expect_function


def _random_problem(rng: np.random.Generator, n: int = 12) -> tuple[np.ndarray, np.ndarray, float, float]:
    """A small random 1-D regression problem and a random parameter point."""
    x = rng.uniform(-2, 2, size=n)
    y = 1.5 * x - 0.5 + 0.3 * rng.normal(size=n)
    return x, y, float(rng.normal()), float(rng.normal())


def reference_gradient(x: np.ndarray, y: np.ndarray, w: float, b: float) -> tuple[float, float]:
    """The gradient of mean((w x + b - y)^2) with respect to (w, b)."""
    residual = w * x + b - y
    return float(2 * np.mean(residual * x)), float(2 * np.mean(residual))


def reference_descent(x, y, w, b, learning_rate: float, n_steps: int, sign: float = 1.0):
    """Gradient descent on the 1-D MSE: losses and path including the start."""
    losses, path = [], []
    for step in range(n_steps + 1):
        losses.append(np.mean((w * x + b - y) ** 2))
        path.append((w, b))
        if step < n_steps:
            dw, db = reference_gradient(x, y, w, b)
            w, b = w - sign * learning_rate * dw, b - sign * learning_rate * db
    return np.array(losses), np.array(path)


@exercise_check("1.1", "linear model")
def predict(function) -> str:
    """Check w * x + b on arrays and on a single number."""
    function = expect_function(function, "predict")
    rng = np.random.default_rng()
    x, _, w, b = _random_problem(rng)
    value = as_array(call(function, x, w, b), "predict(x, w, b)", shape=x.shape)
    compare(value, w * x + b, "the prediction", known_mistakes={
        "the intercept b is missing.": w * x,
        "w and b are swapped: the slope multiplies x.": b * x + w,
    })
    single = as_array(call(function, 2.0, w, b), "predict(2.0, w, b)")
    compare(single, 2.0 * w + b, "the prediction for a single number")
    return "correct for arrays and single numbers."


@exercise_check("1.2", "mean squared error loss")
def mse_loss(function) -> str:
    """Check the loss of (w, b) on random data."""
    function = expect_function(function, "mse_loss")
    rng = np.random.default_rng()
    x, y, w, b = _random_problem(rng)
    residual = w * x + b - y
    value = as_array(call(function, x, y, w, b), "mse_loss(x, y, w, b)", shape=())
    compare(value, np.mean(residual**2), "the loss", known_mistakes={
        "the residuals are not squared.": np.mean(residual),
        "it sums over the points instead of averaging.": np.sum(residual**2),
        "it takes the square root (that is the RMSE).": np.sqrt(np.mean(residual**2)),
        "the intercept b is missing from the prediction.": np.mean((w * x - y) ** 2),
    })
    return "correct."


@exercise_check("1.3", "gradient of the MSE")
def mse_gradient(function) -> str:
    """Compare (dL/dw, dL/db) with the exact gradient on several random problems."""
    function = expect_function(function, "mse_gradient")
    rng = np.random.default_rng()
    for _ in range(3):
        x, y, w, b = _random_problem(rng)
        dw, db = as_tuple(call(function, x, y, w, b), "mse_gradient(x, y, w, b)", 2)
        got = np.array([as_array(dw, "dL/dw", shape=()), as_array(db, "dL/db", shape=())])
        exact = np.array(reference_gradient(x, y, w, b))
        residual = w * x + b - y
        compare(got, exact, "the gradient (dL/dw, dL/db)", rtol=1e-5, known_mistakes={
            "the two components are swapped: return dL/dw first, then dL/db.": exact[::-1],
            "dL/dw is missing the factor x from the inner derivative.": np.array([exact[1], exact[1]]),
            "the residual has the wrong sign: it is prediction minus target.": -exact,
            "it sums over the points instead of averaging.": exact * len(x),
            "the factor 2 from the square is missing.": exact / 2,
            "dL/db should not contain x.": np.array([exact[0], 2 * np.mean(residual * x)]),
        })
    return "correct: it agrees with the exact gradient on random problems."


@exercise_check("1.4", "gradient-descent loop")
def gradient_descent(function) -> str:
    """Run the learner's loop and a reference loop from the same start."""
    function = expect_function(function, "gradient_descent")
    rng = np.random.default_rng()
    x, y, w0, b0 = _random_problem(rng)
    n_steps, rate = 7, 0.1
    result = as_tuple(call(function, x, y, w0, b0, rate, n_steps), "gradient_descent(...)", 2)
    losses = as_array(result[0], "the loss history", shape=(n_steps + 1,))
    path = as_array(result[1], "the parameter path", shape=(n_steps + 1, 2))
    ref_losses, ref_path = reference_descent(x, y, w0, b0, rate, n_steps)
    if np.allclose(path[1:], path[-1]) and not np.allclose(ref_path[1:], ref_path[-1]):
        raise Mistake("every row of the path after the start holds the same parameters: the loop changes one "
                      "array in place (params -= ...) and appends that same array each step, so all entries "
                      "are one object. Append a copy, or build a new array each step (params = params - ...).")
    if not np.allclose(path[0], [w0, b0]):
        raise Mistake("the path should start with the initial parameters (w0, b0).")
    _, uphill_path = reference_descent(x, y, w0, b0, rate, n_steps, sign=-1.0)
    depends = "The loop uses your mse_loss and mse_gradient: make sure their checks say ✅ first."
    compare(path, ref_path, "the parameter path", rtol=1e-5, advice=depends, known_mistakes={
        "it steps uphill: move against the gradient, w - rate * dL/dw.": uphill_path,
    })
    compare(losses, ref_losses, "the loss history", rtol=1e-5, advice=depends)
    return f"correct: {n_steps} steps give {n_steps + 1} losses and points, starting at (w0, b0)."


def _final_loss(x, y, learning_rate: float, n_steps: int, start: tuple[float, float]) -> float:
    """Loss after n_steps of gradient descent (inf once it overflows)."""
    with np.errstate(all="ignore"):
        losses, _ = reference_descent(x, y, *start, learning_rate, n_steps)
    final = losses[-1]
    return float(final) if np.isfinite(final) else math.inf


@exercise_check("1.5", "learning-rate study")
def learning_rates(rates, x, y, n_steps: int = 100, start: tuple[float, float] = (-2.0, 3.0)) -> str:
    """Judge the three chosen rates (a dict, or a function returning it) by what they do on the data in n_steps."""
    if callable(rates):
        rates = call(rates)
    if rates is Ellipsis or isinstance(rates, dict) and any(value is Ellipsis for value in rates.values()):
        raise NotDone
    if not isinstance(rates, dict) or set(rates) != {"too small", "good", "too large"}:
        raise Mistake('learning_rates should be a dict with the keys "too small", "good" and "too large".')
    values = {key: as_array(value, f'learning_rates["{key}"]', shape=()) for key, value in rates.items()}
    if any(value <= 0 for value in values.values()):
        raise Mistake("learning rates must be positive numbers.")
    x, y = np.asarray(x, float), np.asarray(y, float)
    best = np.mean((np.polyval(np.polyfit(x, y, 1), x) - y) ** 2)
    start_loss = _final_loss(x, y, 1.0, 0, start)
    small, good, large = (_final_loss(x, y, float(values[k]), n_steps, start)
                          for k in ("too small", "good", "too large"))
    if large <= start_loss:
        raise Mistake(f'"too large" does not diverge: after {n_steps} steps the loss is lower than at '
                      "the start. Increase it until the loss grows.")
    if good > 1.01 * best:
        raise Mistake(f'"good" does not reach the minimum within 1 % in {n_steps} steps: '
                      "it is either too small or close to the divergence threshold.")
    if small <= 1.01 * best:
        raise Mistake(f'"too small" already converges within {n_steps} steps: make it much smaller '
                      "so that the slow progress is visible.")
    if not values["too small"] < values["good"] < values["too large"]:
        raise Mistake("the three rates should be in increasing order.")
    return "correct: one crawls, one converges, one diverges."


def reference_linear_gradient(X, Y, W, b) -> tuple[np.ndarray, np.ndarray]:
    """The gradient of mean over all entries of (X W + b - Y)^2 with respect to W and b."""
    residual = X @ W + b - Y
    scale = 2.0 / residual.size
    return scale * X.T @ residual, scale * residual.sum(axis=0)


@exercise_check("1.6", "gradient of a multi-output linear model")
def linear_model_gradient(function) -> str:
    """Check (dL/dW, dL/db) for non-square shapes (transposes must show)."""
    function = expect_function(function, "linear_model_gradient")
    rng = np.random.default_rng()
    n, n_in, n_out = 8, 4, 3
    X, Y = rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out))
    W, b = rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    dW, db = as_tuple(call(function, X, Y, W, b), "linear_model_gradient(X, Y, W, b)", 2)
    dW = as_array(dW, "dL/dW", shape=W.shape)
    db = as_array(db, "dL/db", shape=b.shape)
    exact_W, exact_b = reference_linear_gradient(X, Y, W, b)
    no_bias_W, no_bias_b = reference_linear_gradient(X, Y, W, np.zeros_like(b))
    compare(dW, exact_W, "dL/dW", known_mistakes={
        "the prediction inside the gradient is missing the bias b.": no_bias_W,
        "it averages over the examples only: the loss is the mean over all n * m entries.": exact_W * n_out,
    })
    compare(db, exact_b, "dL/db", known_mistakes={
        "it averages over the examples only: the loss is the mean over all n * m entries.": exact_b * n_out,
        "the prediction inside the gradient is missing the bias b.": no_bias_b,
    })
    return "correct for a batch of 8 examples with 4 inputs and 3 outputs."


@exercise_check("1.7", "mini-batch SGD")
def minibatch_sgd(function) -> str:
    """Watch which examples the learner's loop hands to the gradient, then replay the updates."""
    function = expect_function(function, "minibatch_sgd")
    rng = np.random.default_rng()
    n, n_in, n_out, batch_size, n_epochs, rate = 10, 2, 1, 4, 3, 0.05
    X = np.column_stack([np.arange(n, dtype=float), rng.normal(size=(n, n_in - 1))])
    Y, W0, b0 = rng.normal(size=(n, n_out)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    batches: list[np.ndarray] = []

    def gradient(X_batch, Y_batch, W, b):
        """The reference gradient, recording which examples it was given."""
        X_batch = np.asarray(X_batch, dtype=float)
        batches.append(np.rint(X_batch[:, 0]).astype(int))
        return reference_linear_gradient(X_batch, np.asarray(Y_batch, dtype=float), W, b)

    result = as_tuple(call(function, X, Y, W0.copy(), b0.copy(), gradient, rate, batch_size, n_epochs, 0),
                      "minibatch_sgd(...)", 3)
    W, b = as_array(result[0], "the returned W", shape=W0.shape), as_array(result[1], "the returned b", shape=b0.shape)
    losses = as_array(result[2], "the loss history", shape=(n_epochs + 1,))
    per_epoch = math.ceil(n / batch_size)
    if len(batches) != n_epochs * per_epoch:
        raise Mistake(f"the gradient was evaluated {len(batches)} times in {n_epochs} epochs of {n} examples "
                      f"with batch size {batch_size}: one evaluation per mini-batch is expected.")
    if any(len(batch) > batch_size or len(batch) == 0 for batch in batches):
        raise Mistake("a mini-batch is empty or larger than batch_size.")
    epochs = [np.concatenate(batches[e * per_epoch:(e + 1) * per_epoch]) for e in range(n_epochs)]
    if any(sorted(epoch) != list(range(n)) for epoch in epochs):
        raise Mistake("within one epoch every example must be used exactly once.")
    if all(np.array_equal(epoch, epochs[0]) for epoch in epochs):
        raise Mistake("the examples come in the same order every epoch: shuffle them at the start of each epoch.")
    W_ref, b_ref, loss_ref = W0.copy(), b0.copy(), [np.mean((X @ W0 + b0 - Y) ** 2)]
    for index, batch in enumerate(batches):
        dW, db = reference_linear_gradient(X[batch], Y[batch], W_ref, b_ref)
        W_ref, b_ref = W_ref - rate * dW, b_ref - rate * db
        if (index + 1) % per_epoch == 0:
            loss_ref.append(np.mean((X @ W_ref + b_ref - Y) ** 2))
    compare(np.concatenate([W.ravel(), b]), np.concatenate([W_ref.ravel(), b_ref]),
            "the final (W, b)", rtol=1e-5)
    compare(losses, np.array(loss_ref), "the loss history (one value before training and one after each epoch)",
            rtol=1e-5)
    again = as_tuple(call(function, X, Y, W0.copy(), b0.copy(), gradient, rate, batch_size, n_epochs, 0),
                     "minibatch_sgd(...)", 3)
    if not np.allclose(as_array(again[2], "the loss history"), losses):
        raise Mistake("two runs with the same seed give different results: draw the shuffles from "
                      "np.random.default_rng(seed).")
    return "correct: every example once per epoch, shuffled, one update per mini-batch, reproducible."
