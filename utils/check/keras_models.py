"""Helpers for checks that inspect a learner's Keras model: which activation a layer applies, which loss."""

from __future__ import annotations


def activation_name(layer, model=None) -> str:
    """The activation of a Dense layer ('relu', 'softmax', 'linear', ...), or of an activation layer right after it."""
    import keras  # here, not at the top: `from utils import check` must not start TensorFlow before setup()

    name = getattr(layer.activation, "__name__", str(layer.activation))
    layers = list(getattr(model, "layers", []))
    following = layers[layers.index(layer) + 1] if layer in layers[:-1] else None
    if name == "linear" and isinstance(following, keras.layers.Activation):
        return getattr(following.activation, "__name__", str(following.activation))
    if name == "linear" and isinstance(following, (keras.layers.ReLU, keras.layers.Softmax)):
        return "relu" if isinstance(following, keras.layers.ReLU) else "softmax"
    return name


def loss_name(model) -> str:
    """The name of the loss a model was compiled with, in snake case ('' when not compiled)."""
    loss = getattr(model, "loss", None)
    if loss is None:
        return ""
    if isinstance(loss, str):
        return loss
    name = getattr(loss, "name", None) or getattr(loss, "__name__", "") or type(loss).__name__
    return {"CategoricalCrossentropy": "categorical_crossentropy", "MeanSquaredError": "mean_squared_error",
            "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy"}.get(name, name)
