"""Fast training of several small fully-connected networks side by side, in one compiled graph.

Keras' ``fit`` spends tens of milliseconds of bookkeeping per epoch, far more
than a step of a tiny network on a few hundred points takes. Studies that need
a thousand epochs of several networks (overtraining, seeds, regularisation)
would blow the notebook budget. :func:`train_parallel` trains ``copies``
networks of the same shape at once: their weights are stacked along a first
axis, one batched matrix product per layer serves all of them, and the whole
training runs as one TensorFlow graph. The maths is that of Keras: Glorot-uniform
weights and zero biases, full-batch Adam (one step per epoch), the penalties of
``keras.regularizers.L1L2`` on the weight matrices (not the biases), inverted
dropout on the hidden layers during training only.

:func:`train_side_by_side` does the same for Keras models you built yourself:
it reads their weights, penalties and dropout rates, trains them together and
writes the trained weights back, so afterwards they are ordinary trained Keras
models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf


@dataclass
class ParallelRun:
    """What :func:`train_parallel` returns: the histories and final weights of every copy."""

    histories: list[dict[str, np.ndarray]]
    weights: list[list[tuple[np.ndarray, np.ndarray]]]


def _per_copy(value: float | Sequence[float], copies: int, name: str) -> np.ndarray:
    """A setting given once for all copies, or once per copy, as a float32 array of length copies."""
    array = np.broadcast_to(np.asarray(value, dtype=np.float32), (copies,)) if np.ndim(value) == 0 \
        else np.asarray(value, dtype=np.float32)
    if array.shape != (copies,):
        raise ValueError(f"{name} needs one value or {copies} values, not {np.shape(value)}")
    return np.array(array)


def glorot_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Weights uniform in +-sqrt(6 / (n_in + n_out)), Keras' default initialiser."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def train_parallel(X: np.ndarray, y: np.ndarray, layer_sizes: Sequence[int], epochs: int,
                   validation_data: tuple[np.ndarray, np.ndarray] | None = None, copies: int = 1,
                   seeds: Sequence[int] | None = None, task: str = "regression", activation: str = "relu",
                   l1: float | Sequence[float] = 0.0, l2: float | Sequence[float] = 0.0,
                   dropout: float | Sequence[float] = 0.0, learning_rate: float = 0.01,
                   initial_weights: Sequence[Sequence[tuple[np.ndarray, np.ndarray]]] | None = None) -> ParallelRun:
    """Train `copies` networks with layers `layer_sizes` (inputs first, one output last), full-batch Adam.

    `task` is "regression" (linear output, mean squared error) or
    "classification" (sigmoid output, binary cross entropy, labels 0/1).
    `seeds` (one per copy, default 0, 1, ...) fix each copy's initial weights
    unless `initial_weights` (per copy, a list of (kernel, bias) per layer) are given;
    `l1`, `l2` and `dropout` are one value for all copies or one per copy.
    Each history holds "loss" (the data loss on the training set, before the
    epoch's update, as Keras reports it), "penalty" and, with validation data,
    "val_loss" (after the update, no dropout).
    """
    if task not in ("regression", "classification"):
        raise ValueError(f"task must be 'regression' or 'classification', not {task!r}")
    sizes = tuple(int(size) for size in layer_sizes)
    seeds = list(range(copies)) if seeds is None else list(seeds)
    if len(seeds) != copies:
        raise ValueError(f"seeds needs {copies} values, not {len(seeds)}")
    l1s, l2s, rates = (_per_copy(value, copies, name) for value, name in ((l1, "l1"), (l2, "l2"),
                                                                         (dropout, "dropout")))
    if initial_weights is None:
        initial_weights = [[(glorot_uniform(n_in, n_out, np.random.default_rng([seed, layer])), np.zeros(n_out))
                            for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))] for seed in seeds]
    kernels = [tf.Variable(np.stack([copy[layer][0] for copy in initial_weights]).astype(np.float32))
               for layer in range(len(sizes) - 1)]
    biases = [tf.Variable(np.stack([copy[layer][1] for copy in initial_weights]).astype(np.float32)[:, None, :])
              for layer in range(len(sizes) - 1)]
    variables = kernels + biases
    moments = [(tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in variables]
    act = keras.activations.get(activation)
    l1_t, l2_t = tf.constant(l1s[:, None, None]), tf.constant(l2s[:, None, None])
    keep_t = tf.constant(1.0 - rates[:, None, None])
    use_dropout = bool(np.any(rates > 0))

    def tiled(array: np.ndarray) -> tf.Tensor:
        """Inputs (n, features) repeated for every copy: (copies, n, features)."""
        return tf.tile(tf.constant(np.asarray(array, np.float32)[None]), (copies, 1, 1))

    def column(array: np.ndarray) -> tf.Tensor:
        """Targets (n,) as (1, n, 1), broadcast over the copies."""
        return tf.constant(np.asarray(array, np.float32).reshape(1, -1, 1))

    X_train, y_train = tiled(X), column(y)
    has_validation = validation_data is not None
    X_val, y_val = (tiled(validation_data[0]), column(validation_data[1])) if has_validation else (X_train, y_train)

    def forward(inputs: tf.Tensor, step: tf.Tensor | None) -> tf.Tensor:
        """Output before the final activation, (copies, n, 1); dropout on the hidden layers when step is given."""
        h = inputs
        for layer, (kernel, bias) in enumerate(zip(kernels, biases)):
            h = tf.matmul(h, kernel) + bias
            if layer < len(kernels) - 1:
                h = act(h)
                if step is not None and use_dropout:
                    noise = tf.random.stateless_uniform(tf.shape(h), seed=tf.stack([step, layer]))
                    h = tf.where(noise < keep_t, h / keep_t, 0.0)
        return h

    def data_loss(output: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
        """Mean loss of each copy, shape (copies,)."""
        if task == "regression":
            per_example = tf.square(output - target)
        else:
            per_example = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.broadcast_to(target, tf.shape(output)),
                                                                   logits=output)
        return tf.reduce_mean(per_example, axis=[1, 2])

    def penalty() -> tf.Tensor:
        """Keras' L1L2 penalty of each copy's weight matrices, shape (copies,)."""
        total = 0.0
        for kernel in kernels:
            total += tf.reduce_sum(l1_t * tf.abs(kernel) + l2_t * tf.square(kernel), axis=[1, 2])
        return total

    beta1, beta2, epsilon = 0.9, 0.999, 1e-7

    @tf.function
    def run() -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """All epochs in one graph: data loss, penalty and validation loss of every copy per epoch."""
        records = [tf.TensorArray(tf.float32, size=epochs) for _ in range(3)]
        for epoch in tf.range(epochs):
            with tf.GradientTape() as tape:
                losses = data_loss(forward(X_train, epoch), y_train)
                penalties = penalty()
                total = tf.reduce_sum(losses + penalties)  # the copies do not interact: sum = train each
            gradients = tape.gradient(total, variables)
            t = tf.cast(epoch + 1, tf.float32)
            rate = learning_rate * tf.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
            for variable, gradient, (m, v) in zip(variables, gradients, moments):
                m.assign(beta1 * m + (1 - beta1) * gradient)
                v.assign(beta2 * v + (1 - beta2) * tf.square(gradient))
                variable.assign_sub(rate * m / (tf.sqrt(v) + epsilon))
            validation = data_loss(forward(X_val, None), y_val)
            records = [record.write(epoch, values) for record, values in zip(records, (losses, penalties, validation))]
        return tuple(record.stack() for record in records)

    train_loss, penalties, val_loss = (np.asarray(values) for values in run())
    histories = []
    for copy in range(copies):
        history = {"loss": train_loss[:, copy], "penalty": penalties[:, copy]}
        if has_validation:
            history["val_loss"] = val_loss[:, copy]
        histories.append(history)
    weights = [[(kernel.numpy()[copy], bias.numpy()[copy, 0]) for kernel, bias in zip(kernels, biases)]
               for copy in range(copies)]
    return ParallelRun(histories, weights)


def _dense_and_dropout(model: keras.Model) -> tuple[list, list[str], float]:
    """The Dense layers of a sequential model, their activations and the rate of its Dropout layers (0 without).

    A separate activation layer (``Dense(8)`` then ``Activation("tanh")`` or ``ReLU()``) counts as the
    activation of the Dense layer before it, as in the course's checks.
    """
    from utils.check.keras_models import blocks

    dense = [block for block in blocks(model) if isinstance(block.layer, keras.layers.Dense)]
    rates = {float(layer.rate) for layer in model.layers if isinstance(layer, keras.layers.Dropout)}
    if len(rates) > 1:
        raise ValueError("all Dropout layers of a model need the same rate")
    return [block.layer for block in dense], [block.activation for block in dense], rates.pop() if rates else 0.0


def _penalty_rates(layer: keras.layers.Dense) -> tuple[float, float]:
    """(l1, l2) of a Dense layer's kernel regulariser (Keras' L1, L2 or L1L2), (0, 0) without."""
    regularizer = layer.kernel_regularizer
    if regularizer is None:
        return 0.0, 0.0
    config = regularizer.get_config()
    return float(config.get("l1", 0.0)), float(config.get("l2", 0.0))


def train_side_by_side(models: Sequence[keras.Model], X: np.ndarray, y: np.ndarray, epochs: int,
                       validation_data: tuple[np.ndarray, np.ndarray] | None = None,
                       learning_rate: float = 0.01) -> list[dict[str, np.ndarray]]:
    """Train Keras models of one shape (Dense layers, optional Dropout) together; return their histories.

    The models start from their own initial weights, keep their own kernel
    penalties and dropout rates, and receive their trained weights back. A
    sigmoid output means binary cross entropy (labels 0/1), a linear output the
    mean squared error. See :func:`train_parallel` for what a history holds.
    """
    layouts = [_dense_and_dropout(model) for model in models]
    first, activations, _ = layouts[0]
    sizes = (first[0].kernel.shape[0], *(layer.units for layer in first))
    for dense, layer_activations, _ in layouts:
        if (dense[0].kernel.shape[0], *(layer.units for layer in dense)) != sizes:
            raise ValueError("train_side_by_side needs models of the same shape")
        if layer_activations != activations or len(set(activations[:-1])) > 1:
            raise ValueError("train_side_by_side needs one hidden activation, the same in every model")
    output = activations[-1]
    if output not in ("sigmoid", "linear"):
        raise ValueError(f"train_side_by_side needs a sigmoid or linear output, not {output}")
    penalties = []
    for dense, _, _ in layouts:
        rates = {_penalty_rates(layer) for layer in dense}
        if len(rates) > 1:
            raise ValueError("every Dense layer of a model needs the same kernel regulariser")
        penalties.append(rates.pop())
    task = "classification" if output == "sigmoid" else "regression"
    run = train_parallel(X, y, sizes, epochs, validation_data, copies=len(models), task=task,
                         activation=activations[0] if len(activations) > 1 else "linear",
                         l1=[p[0] for p in penalties], l2=[p[1] for p in penalties],
                         dropout=[rate for _, _, rate in layouts], learning_rate=learning_rate,
                         initial_weights=[[layer.get_weights() for layer in dense] for dense, _, _ in layouts])
    for (dense, _, _), trained in zip(layouts, run.weights):
        for layer, (kernel, bias) in zip(dense, trained):
            layer.set_weights([kernel, bias])
    return run.histories
