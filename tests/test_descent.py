"""utils.descent: plain full-batch gradient descent, step by step as in NumPy."""

import keras
import numpy as np

from utils.descent import full_batch_descent


def _mse(y, prediction):
    return keras.ops.mean((keras.ops.reshape(prediction, (-1,)) - y) ** 2)


def test_takes_the_gradient_descent_steps_of_a_linear_model():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)).astype("float32"), rng.normal(size=30).astype("float32")
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    w, b = (value.astype(float) for value in model.get_weights())
    losses = full_batch_descent(model, X, y, _mse, steps=5, learning_rate=0.1)
    expected = []
    for _ in range(5):  # the same steps in NumPy: dL/dw = 2/n X^T r, dL/db = 2/n sum(r)
        residual = X @ w[:, 0] + b[0] - y
        expected.append(np.mean(residual**2))
        w[:, 0] -= 0.1 * 2 * X.T @ residual / len(y)
        b -= 0.1 * 2 * residual.mean()
    np.testing.assert_allclose(losses, expected, rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-5, atol=1e-6)


def test_zero_learning_rate_leaves_the_model_unchanged():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(10, 2)).astype("float32"), rng.normal(size=10).astype("float32")
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    before = model.get_weights()
    losses = full_batch_descent(model, X, y, _mse, steps=3, learning_rate=0.0)
    assert losses.shape == (3,) and np.allclose(losses, losses[0])
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
