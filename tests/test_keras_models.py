"""The shared reading of learners' Keras models: equivalent spellings read the same, real differences do not."""

import keras
import pytest
import tensorflow as tf

from utils.check.core import Mistake
from utils.check.keras_models import (
    blocks,
    canonical_name,
    expect_compiled,
    metric_names,
    nested_blocks,
    weight_blocks,
)

SPELLINGS_OF_A_RELU_LAYER = [
    [keras.layers.Dense(8, activation="relu")],
    [keras.layers.Dense(8, activation=tf.nn.relu)],
    [keras.layers.Dense(8, activation=keras.activations.relu)],
    [keras.layers.Dense(8), keras.layers.Activation("relu")],
    [keras.layers.Dense(8), keras.layers.ReLU()],
]


def classifier(hidden, loss="sparse_categorical_crossentropy", metrics=("accuracy",), rate=2e-3, compiled=True):
    """A small classifier with the given hidden layers, compiled with Adam at the given rate."""
    model = keras.Sequential([keras.Input((4,)), *hidden, keras.layers.Dense(2), keras.layers.Softmax()])
    if compiled:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=rate), loss=loss, metrics=list(metrics))
    return model


@pytest.mark.parametrize("hidden", SPELLINGS_OF_A_RELU_LAYER)
def test_every_spelling_of_a_relu_layer_reads_the_same(hidden):
    summary = [(block.kind, block.size, block.activation) for block in blocks(classifier(hidden))]
    assert summary == [("Dense", 8, "relu"), ("Dense", 2, "softmax")]


def test_layers_without_weights_are_kept_and_a_lone_activation_is_its_own_block():
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3), keras.layers.MaxPooling2D(),
                              keras.layers.Activation("tanh"), keras.layers.GlobalAveragePooling2D()])
    assert [(b.kind, b.activation) for b in blocks(model)] == [
        ("Conv2D", "linear"), ("MaxPooling2D", "linear"), ("Activation", "tanh"), ("GlobalAveragePooling2D", "linear")]
    assert [b.size for b in weight_blocks(model)] == [4]


@pytest.mark.parametrize("loss", ["mse", "mean_squared_error", keras.losses.MeanSquaredError(),
                                  keras.losses.mean_squared_error])
def test_every_spelling_of_a_loss_is_accepted(loss):
    assert canonical_name(loss) == "mean_squared_error"
    expect_compiled(classifier([], loss=loss), "f", optimizer="Adam", rate=2e-3, loss="mse")


def test_metrics_in_any_spelling_and_accuracy_in_its_specific_forms():
    model = classifier([], metrics=["acc", keras.metrics.MeanAbsoluteError()])
    assert metric_names(model) == ["accuracy", "mean_absolute_error"]
    expect_compiled(classifier([], metrics=[keras.metrics.SparseCategoricalAccuracy()]), "f", metrics=["accuracy"])


def test_a_model_compiled_without_an_optimiser_names_keras_default():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")  # no optimiser given: Keras picks RMSprop
    with pytest.raises(Mistake, match="optimiser RMSprop"):
        expect_compiled(model, "f", optimizer="Adam", rate=0.05, loss="mse")


@pytest.mark.parametrize("model, requirement, fragment", [
    (classifier([], compiled=False), {}, "not compiled"),
    (classifier([]), {"optimizer": "SGD"}, "optimiser Adam"),
    (classifier([], rate=1e-3), {"rate": 2e-3}, "learning rate is 0.001"),
    (classifier([], loss="categorical_crossentropy"), {"loss": "sparse_categorical_crossentropy"}, "loss"),
    (classifier([], metrics=["mae"]), {"metrics": ["accuracy"]}, "metric 'accuracy'"),
])
def test_each_difference_in_the_compile_settings_is_named(model, requirement, fragment):
    with pytest.raises(Mistake, match=fragment):
        expect_compiled(model, "f", **requirement)


def test_a_model_used_as_a_layer_is_read_in_place():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.ReLU()])
    outer = keras.Sequential([keras.Input((4,)), inner, keras.layers.Dense(3)])
    read = [(block.kind, block.size, block.activation) for block in nested_blocks(outer)]
    assert read == [("Dense", 8, "relu"), ("Dense", 3, "linear")]
    assert [b.kind for b in blocks(outer)] == ["Sequential", "Dense"]
