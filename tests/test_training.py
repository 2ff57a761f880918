"""utils.training: side-by-side training does what Keras' fit does, and keeps the models apart."""

import keras
import numpy as np
import pytest

from utils.training import train_parallel, train_side_by_side


def _model(regularizer=None, output=None, seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(2,)),
                             keras.layers.Dense(5, activation="tanh", kernel_regularizer=regularizer),
                             keras.layers.Dense(1, activation=output, kernel_regularizer=regularizer)])


@pytest.mark.parametrize("regularizer, output, loss", [
    (None, None, "mse"),
    (keras.regularizers.L1L2(l1=0.01, l2=0.02), "sigmoid", "binary_crossentropy"),
])
def test_matches_full_batch_fit(regularizer, output, loss):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2)).astype("float32")
    y = (X[:, 0] * X[:, 1] > 0).astype("float32")
    reference, ours = _model(regularizer, output), _model(regularizer, output)
    reference.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=loss)
    fit = reference.fit(X, y, batch_size=len(X), epochs=20, shuffle=False, verbose=0)
    history = train_side_by_side([ours], X, y, epochs=20, learning_rate=0.01)[0]
    for expected, actual in zip(reference.get_weights(), ours.get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)
    # Keras reports loss + penalty before the epoch's step; we report them separately
    np.testing.assert_allclose(history["loss"] + history["penalty"], fit.history["loss"], rtol=1e-4)


def test_copies_do_not_interact():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    alone = train_parallel(X, y, (2, 4, 1), epochs=30, seeds=[3])
    together = train_parallel(X, y, (2, 4, 1), epochs=30, copies=3, seeds=[3, 4, 5], l2=[0.0, 0.1, 0.0],
                              dropout=[0, 0, 0.3])
    np.testing.assert_allclose(together.histories[0]["loss"], alone.histories[0]["loss"], rtol=1e-5)
    assert not np.allclose(together.histories[1]["loss"], together.histories[0]["loss"])


def test_rejects_models_of_different_shapes():
    other = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="same shape"):
        train_side_by_side([_model(), other], np.zeros((4, 2)), np.zeros(4), epochs=1)


def test_separate_activation_layers_train_like_the_dense_activation():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(30, 2)).astype("float32"), rng.integers(0, 2, 30).astype("float32")
    inside = _model(output="sigmoid")
    keras.utils.set_random_seed(0)
    separate = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(5), keras.layers.Activation("tanh"),
                                 keras.layers.Dense(1), keras.layers.Activation("sigmoid")])
    separate.set_weights(inside.get_weights())
    histories = train_side_by_side([inside, separate], X, y, epochs=15)
    np.testing.assert_allclose(histories[1]["loss"], histories[0]["loss"], rtol=1e-6)
    for expected, actual in zip(inside.get_weights(), separate.get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-6)


def test_rejects_models_with_other_activations():
    relu = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(5), keras.layers.ReLU(),
                             keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="one hidden activation"):
        train_side_by_side([_model(), relu], np.zeros((4, 2)), np.zeros(4), epochs=1)
    softmax = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(5, activation="tanh"),
                                keras.layers.Dense(1, activation="softmax")])
    with pytest.raises(ValueError, match="sigmoid or linear output"):
        train_side_by_side([softmax], np.zeros((4, 2)), np.zeros(4), epochs=1)
