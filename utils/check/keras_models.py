"""One place that decides what a learner's Keras model is, whatever way it was written.

Checks of model builders call :func:`built_model`, read the model as a list of
:class:`Block` (a weight layer with the activation that follows it folded in,
so ``Dense(8, activation="relu")``, ``Dense(8)`` + ``Activation("relu")``,
``Dense(8)`` + ``ReLU()`` and ``activation=tf.nn.relu`` all read the same) and
verify the compile settings with :func:`expect_compiled` (optimiser, learning
rate, loss as a string, an object or a function, metrics). Every helper raises
:class:`~utils.check.core.Mistake` with one sentence, never the whole answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from utils.check.core import Mistake, call, describe

# Names that mean the same loss or metric in Keras: every spelling maps to the first one.
_ALIASES = {
    "mean_squared_error": ("mse", "MeanSquaredError"),
    "mean_absolute_error": ("mae", "MeanAbsoluteError"),
    "binary_crossentropy": ("BinaryCrossentropy",),
    "categorical_crossentropy": ("CategoricalCrossentropy",),
    "sparse_categorical_crossentropy": ("SparseCategoricalCrossentropy",),
    "accuracy": ("acc", "Accuracy"),
    "binary_accuracy": ("BinaryAccuracy",),
    "categorical_accuracy": ("CategoricalAccuracy",),
    "sparse_categorical_accuracy": ("SparseCategoricalAccuracy",),
}
_CANONICAL = {alias: name for name, aliases in _ALIASES.items() for alias in (name, *aliases)}

# Layers that only apply an activation, with the activation they apply.
_ACTIVATION_LAYERS = {"ReLU": "relu", "Softmax": "softmax", "LeakyReLU": "leaky_relu", "ELU": "elu"}


@dataclass
class Block:
    """One layer of a model as a check sees it: its kind, size, activation and the Keras layer itself."""

    kind: str  # the Keras class name: "Dense", "Conv2D", "Flatten", "GlobalAveragePooling2D", ...
    size: int | None  # units of a Dense layer, filters of a convolution, None otherwise
    activation: str  # "linear" for layers without one
    layer: object


def canonical_name(value) -> str:
    """The one name of a loss, metric or activation given as a string, an object, a class or a function."""
    if value is None:
        return ""
    if isinstance(value, str):
        name = value
    elif isinstance(value, dict):  # a serialised object from get_compile_config()
        name = value.get("class_name", "")
        if name in ("function", "") or value.get("module") == "builtins":
            name = value.get("config", name) if isinstance(value.get("config"), str) else name
        else:
            name = value.get("config", {}).get("name", name) if name not in _CANONICAL else name
    else:
        name = getattr(value, "__name__", None) or getattr(value, "name", None) or type(value).__name__
    return _CANONICAL.get(name, name)


def built_model(function: Callable, args: Sequence, name: str):
    """Call a model builder with ``args`` and make sure it returned a Keras model."""
    import keras  # here, not at the top: `from utils import check` must not start TensorFlow before setup()

    model = call(function, *args)
    if not isinstance(model, keras.Model):
        raise Mistake(f"{name} should return a Keras model, not {describe(model)}.")
    return model


def blocks(model) -> list[Block]:
    """The model's layers in order, with separate activation layers folded into the layer before them."""
    import keras

    result: list[Block] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.layers.Activation) or kind in _ACTIVATION_LAYERS:
            applied = _ACTIVATION_LAYERS.get(kind) or canonical_name(layer.activation)
            if result and result[-1].activation == "linear" and result[-1].size is not None:
                result[-1].activation = applied
            else:
                result.append(Block("Activation", None, applied, layer))
            continue
        size = getattr(layer, "units", None) or getattr(layer, "filters", None)
        activation = canonical_name(getattr(layer, "activation", None)) or "linear"
        result.append(Block(kind, size, activation, layer))
    return result


def nested_blocks(model) -> list[Block]:
    """The model's blocks, with the layers of nested models (a model used as a layer) read in place."""
    import keras

    result: list[Block] = []
    for block in blocks(model):
        result += nested_blocks(block.layer) if isinstance(block.layer, keras.Model) else [block]
    return result


def weight_blocks(model, kinds: Sequence[str] | None = None) -> list[Block]:
    """The blocks with a size (Dense, convolutions), or only those of the given kinds."""
    return [block for block in blocks(model) if block.size is not None and (kinds is None or block.kind in kinds)]


def activation_name(layer, model=None) -> str:
    """The activation a layer applies, including one applied by an activation layer right after it."""
    for block in blocks(model) if model is not None else []:
        if block.layer is layer:
            return block.activation
    return canonical_name(getattr(layer, "activation", None)) or "linear"


def compile_settings(model) -> dict:
    """The model's compile settings (optimizer, loss, metrics), or {} when it was not compiled."""
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", False):
        return {}
    try:
        settings = model.get_compile_config() or {}
    except (AttributeError, NotImplementedError):
        settings = {}
    return {"optimizer": model.optimizer, "loss": getattr(model, "loss", None),
            "metrics": settings.get("metrics") or []}


def loss_name(model) -> str:
    """The canonical name of the loss a model was compiled with ('' when not compiled)."""
    return canonical_name(getattr(model, "loss", None))


def metric_names(model) -> list[str]:
    """The canonical names of the metrics given to compile (nested lists flattened)."""
    metrics = compile_settings(model).get("metrics", [])
    if isinstance(metrics, dict):
        metrics = [item for value in metrics.values() for item in (value if isinstance(value, list) else [value])]
    return [canonical_name(metric) for metric in metrics]


def learning_rate(optimizer) -> float | None:
    """The optimiser's fixed learning rate, or None when it follows a schedule."""
    rate = getattr(optimizer, "learning_rate", None)
    try:
        return float(np.asarray(rate))
    except (TypeError, ValueError):
        return None


def expect_compiled(model, name: str, optimizer: str | None = None, rate: float | None = None,
                    loss: str | None = None, metrics: Sequence[str] = ()) -> None:
    """Raise a Mistake unless ``model`` is compiled with this optimiser (class name), rate, loss and metrics."""
    settings = compile_settings(model)
    if not settings:
        raise Mistake(f"the model of {name} is not compiled: call model.compile(...) before returning it.")
    used = type(settings["optimizer"]).__name__
    if optimizer is not None and used.lower() != optimizer.lower():
        raise Mistake(f"the model of {name} uses the optimiser {used}; the task asks for {optimizer}.")
    if rate is not None:
        actual = learning_rate(settings["optimizer"])
        if actual is None or not np.isclose(actual, rate, rtol=1e-4):
            shown = "a schedule" if actual is None else f"{actual:g}"
            raise Mistake(f"the optimiser's learning rate is {shown}, not the one the task asks for.")
    if loss is not None:
        used_loss = loss_name(model)
        if used_loss != canonical_name(loss):
            raise Mistake(f"the model of {name} is compiled with the loss {used_loss or 'None'!r}, not the one the "
                          "task asks for.")
        if getattr(model.loss, "from_logits", False):
            raise Mistake("the loss is told to expect logits (from_logits=True), but the output layer already "
                          "applies its activation.")
    used_metrics = metric_names(model)
    missing = [metric for metric in metrics if not _metric_present(canonical_name(metric), used_metrics)]
    if missing:
        raise Mistake(f"the model of {name} does not report the metric {missing[0]!r}: pass it in "
                      "compile(metrics=[...]).")


def _metric_present(wanted: str, used: list[str]) -> bool:
    """True when ``wanted`` is among ``used``; "accuracy" is also met by its binary/categorical/sparse forms."""
    if wanted == "accuracy":
        return any(name == "accuracy" or name.endswith("_accuracy") for name in used)
    return wanted in used
