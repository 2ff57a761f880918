"""The Keras side of the playground: the same network as a keras.Model, saveable as .keras."""

from __future__ import annotations

import keras

from utils.playground.config import FEATURE_NAMES, PlaygroundConfig


@keras.saving.register_keras_serializable(package="course_playground")
class PlaygroundFeatures(keras.layers.Layer):
    """Turn raw points (x1, x2) into the chosen playground features, e.g. x1*x2 or sin(x1)."""

    def __init__(self, features=("x1", "x2"), **kwargs) -> None:
        super().__init__(**kwargs)
        unknown = [name for name in features if name not in FEATURE_NAMES]
        if unknown:
            raise ValueError(f"PlaygroundFeatures: unknown features {unknown}; choose from {list(FEATURE_NAMES)}")
        self.features = tuple(features)

    def call(self, points):
        x1, x2 = points[:, 0:1], points[:, 1:2]
        columns = {"x1": lambda: x1, "x2": lambda: x2, "x1^2": lambda: x1 * x1, "x2^2": lambda: x2 * x2,
                   "x1*x2": lambda: x1 * x2, "sin(x1)": lambda: keras.ops.sin(x1),
                   "sin(x2)": lambda: keras.ops.sin(x2)}
        return keras.ops.concatenate([columns[name]() for name in self.features], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.features))

    def get_config(self) -> dict:
        return {**super().get_config(), "features": list(self.features)}


def keras_regularizer(config: PlaygroundConfig):
    """The Keras regulariser with the playground's penalty: L1 rate*|w|, L2 rate*w^2/2 (so dR/dw = rate*w)."""
    rate = float(config.regularization_rate)
    if config.regularization is None or rate == 0:
        return None
    if config.regularization == "l1":
        return keras.regularizers.L1(rate)
    if config.regularization == "l2":
        return keras.regularizers.L2(rate / 2)
    return keras.regularizers.L1L2(l1=rate, l2=rate / 2)


def build_keras_model(config: PlaygroundConfig) -> keras.Model:
    """Raw points (n, 2) -> features -> hidden Dense layers -> one output (tanh or linear).

    Initialisers and regularisers follow the config, so the model also trains
    like the playground with Keras (apart from the L1 zero-clipping rule); the
    playground writes its trained weights into it.
    """
    if config.init == "playground":
        kernel = keras.initializers.RandomUniform(-0.5, 0.5, seed=config.seed)
        bias = keras.initializers.Constant(0.1)
    else:
        kernel = keras.initializers.GlorotUniform(seed=config.seed)
        bias = keras.initializers.Zeros()
    regularizer = keras_regularizer(config)
    inputs = keras.Input(shape=(2,), name="points")
    x = PlaygroundFeatures(config.features, name="features")(inputs)
    for index, width in enumerate(config.hidden_layers, start=1):
        x = keras.layers.Dense(width, activation=config.activation, kernel_initializer=kernel,
                               bias_initializer=bias, kernel_regularizer=regularizer, name=f"hidden_{index}")(x)
        if config.dropout:
            x = keras.layers.Dropout(config.dropout, seed=config.seed, name=f"dropout_{index}")(x)
    output_activation = "tanh" if config.problem == "classification" else "linear"
    outputs = keras.layers.Dense(1, activation=output_activation, kernel_initializer=kernel, bias_initializer=bias,
                                 kernel_regularizer=regularizer, name="output")(x)
    return keras.Model(inputs, outputs, name=f"playground_{config.dataset}")


def load_model(path) -> keras.Model:
    """Load a model exported by the playground (``result.save(folder)``): ``load_model(folder / "model.keras")``."""
    return keras.models.load_model(path)
