"""A TensorFlow-Playground-like lab: the original's data, networks and training rule, fast, with a widget.

Non-interactive use::

    from utils.playground import PlaygroundConfig, train
    result = train(PlaygroundConfig(dataset="xor", features=("x1*x2",), hidden_layers=(), epochs=50))
    result.test_accuracy, result.model   # a number, a keras.Model

Interactive use: ``PlaygroundWidget(config).show()`` (ipywidgets 7.7 and 8.x).
Benchmark: ``python -m utils.playground --benchmark``.
"""

from utils.playground.config import (
    ACTIVATIONS,
    FEATURE_NAMES,
    LEARNING_RATES,
    OPTIMIZERS,
    REGULARIZATION_RATES,
    REGULARIZATIONS,
    PlaygroundConfig,
)
from utils.playground.engine import FEATURES, Playground, TrainResult, feature_matrix, result_of, train
from utils.playground.figures import plot_history, plot_neurons, plot_output

__all__ = [
    "ACTIVATIONS", "FEATURES", "FEATURE_NAMES", "LEARNING_RATES", "OPTIMIZERS", "REGULARIZATIONS",
    "REGULARIZATION_RATES", "Playground", "PlaygroundConfig", "PlaygroundWidget", "TrainResult", "feature_matrix",
    "load_model", "plot_history", "plot_neurons", "plot_output", "result_of", "train",
]


def __getattr__(name: str):
    """Import the widget (ipywidgets) and the model loader (Keras) only when they are asked for."""
    if name == "PlaygroundWidget":
        from utils.playground.widget import PlaygroundWidget

        return PlaygroundWidget
    if name == "load_model":  # imports Keras and registers the playground's feature layer
        from utils.playground.keras_model import load_model

        return load_model
    raise AttributeError(f"module 'utils.playground' has no attribute {name!r}")
