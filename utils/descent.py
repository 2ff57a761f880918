"""Full-batch gradient descent on a Keras model, compiled into one TensorFlow graph (notebook 04).

Notebook 04 trains a dozen deep networks for a few hundred plain gradient-descent
steps each. Keras' ``fit`` would add tens of milliseconds of bookkeeping per step;
this loop computes the gradients with ``tf.GradientTape`` (notebook 05 explains
how) and runs all steps inside one ``tf.function``, so a run takes about a second.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf


def full_batch_descent(model: keras.Model, X: np.ndarray, y: np.ndarray, loss: Callable, steps: int,
                       learning_rate: float) -> np.ndarray:
    """Take ``steps`` steps w <- w - learning_rate * dL/dw on L = loss(y, model(X)); return L before every step."""
    X, y = tf.constant(X, tf.float32), tf.constant(y, tf.float32)
    variables = model.trainable_variables

    @tf.function
    def run() -> tf.Tensor:
        """All steps in one graph: the loss before each step."""
        losses = tf.TensorArray(tf.float32, size=steps)
        for step in tf.range(steps):
            with tf.GradientTape() as tape:
                value = loss(y, model(X))
            for variable, gradient in zip(variables, tape.gradient(value, variables)):
                variable.assign_sub(learning_rate * gradient)
            losses = losses.write(step, value)
        return losses.stack()

    return run().numpy()
