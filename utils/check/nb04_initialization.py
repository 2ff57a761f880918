"""Checks of notebook 04 (initialisation): initialisers in Keras, Glorot/He scales, spreads, gradient norms."""

from __future__ import annotations

import numpy as np

from utils.check.core import (
    Mistake,
    as_array,
    call,
    close,
    compare,
    describe,
    exercise_check,
    expect_function,
)
from utils.check.keras_models import built_model, canonical_name, weight_blocks

CONSTANT_WEIGHT = 0.37


@exercise_check("4.1", "a network with a chosen initialiser")
def mlp_with_initializer(function) -> str:
    """Build two networks with a constant initialiser and inspect layers, activations and initial weights."""
    function = expect_function(function, "build_mlp")
    import keras

    for n_inputs, widths, activation in ((3, [5, 4], "tanh"), (2, [6], "relu")):
        model = built_model(function, (n_inputs, widths, activation, keras.initializers.Constant(CONSTANT_WEIGHT)),
                            f"build_mlp({n_inputs}, {widths}, {activation!r}, initializer)")
        dense = weight_blocks(model, ["Dense"])  # a separate Activation or ReLU layer counts as the Dense's
        units = [block.size for block in dense]
        if units != [*widths, 1]:
            raise Mistake(f"build_mlp(..., widths={widths}, ...) has Dense layers with {units} units; "
                          "it needs one hidden layer per entry of widths and one output unit.")
        if tuple(model.input_shape) != (None, n_inputs):
            raise Mistake(f"the input shape is {model.input_shape}; use keras.Input(shape=(n_inputs,)).")
        if any(block.activation != canonical_name(activation) for block in dense[:-1]):
            raise Mistake("the hidden layers must use the activation passed in: activation=activation.")
        if dense[-1].activation != "linear":
            raise Mistake("the output unit has no activation (linear).")
        for index, layer in enumerate(block.layer for block in dense):
            kernel = keras.ops.convert_to_numpy(layer.kernel)
            if not np.allclose(kernel, CONSTANT_WEIGHT):
                where = "the output layer" if index == len(dense) - 1 else f"hidden layer {index + 1}"
                raise Mistake(f"{where} does not start with the weights of the initializer passed in: "
                              "give every Dense layer kernel_initializer=initializer.")
            if layer.use_bias and not np.allclose(keras.ops.convert_to_numpy(layer.bias), 0.0):
                raise Mistake("leave the biases at Keras' default (zeros); only the kernels use the initializer.")
    return "correct: the layers, activations and initial weights are as asked."


def _glorot(n_in, n_out):
    """The Glorot standard deviation."""
    return np.sqrt(2.0 / (n_in + n_out))


@exercise_check("4.2", "Glorot standard deviation")
def glorot_std(function) -> str:
    """Compare on random fan-in/fan-out pairs, with n_in != n_out to catch one-sided fans."""
    function = expect_function(function, "glorot_std")
    rng = np.random.default_rng()
    n_in, n_out = rng.choice(np.arange(10, 500), size=2, replace=False)
    value = as_array(call(function, int(n_in), int(n_out)), f"glorot_std({n_in}, {n_out})", shape=())
    compare(value, _glorot(n_in, n_out), "the Glorot standard deviation", known_mistakes={
        "that is the variance 2 / (n_in + n_out); the function returns the standard deviation (its square root).":
            2.0 / (n_in + n_out),
        "Glorot uses both n_in and n_out, their average: sigma^2 = 2 / (n_in + n_out).": np.sqrt(1.0 / n_in),
        "Glorot uses both n_in and n_out (not only n_out): sigma^2 = 2 / (n_in + n_out).": np.sqrt(1.0 / n_out),
        "that is He's scale, which uses only n_in; Glorot averages n_in and n_out.": np.sqrt(2.0 / n_in),
        "the factor 2 is missing: sigma^2 = 2 / (n_in + n_out).": np.sqrt(1.0 / (n_in + n_out)),
        "that is the uniform limit sqrt(6 / (n_in + n_out)); the normal standard deviation is smaller by sqrt(3).":
            np.sqrt(6.0 / (n_in + n_out)),
    })
    compare(as_array(call(function, 100, 100), "glorot_std(100, 100)", shape=()), _glorot(100, 100),
            "glorot_std(100, 100)")
    return "correct."


@exercise_check("4.2", "He standard deviation")
def he_std(function) -> str:
    """Compare on random fan-ins."""
    function = expect_function(function, "he_std")
    rng = np.random.default_rng()
    for n_in in rng.integers(10, 1000, size=2):
        value = as_array(call(function, int(n_in)), f"he_std({n_in})", shape=())
        compare(value, np.sqrt(2.0 / n_in), "the He standard deviation", known_mistakes={
            "that is the variance 2 / n_in; return the standard deviation (its square root).": 2.0 / n_in,
            "the factor 2 is missing: He's variance is 2 / n_in (twice LeCun's 1 / n_in), because ReLU "
            "zeroes half of its inputs.": np.sqrt(1.0 / n_in),
            "that is the uniform limit sqrt(6 / n_in); the normal standard deviation is smaller by sqrt(3).":
                np.sqrt(6.0 / n_in),
        })
    return "correct."


@exercise_check("4.2", "uniform limit")
def uniform_limit(function) -> str:
    """Compare with sqrt(3) * std, and check that a uniform sample on [-a, a] really has that std."""
    function = expect_function(function, "uniform_limit")
    rng = np.random.default_rng()
    std = np.asarray(rng.uniform(0.01, 2.0, size=4))
    values = np.array([as_array(call(function, float(s)), f"uniform_limit({s:.3f})", shape=()) for s in std])
    compare(values, np.sqrt(3.0) * std, "the uniform limit", known_mistakes={
        "the variance of the uniform distribution on [-a, a] is a^2 / 3, so a = sqrt(3) * std, not 3 * std.":
            3.0 * std,
        "that is std / sqrt(3); the limit is larger than the standard deviation: a = sqrt(3) * std.":
            std / np.sqrt(3.0),
        "a = sqrt(3) * std: the 3 goes under the square root together with the variance, not 3 * std**2.":
            3.0 * std**2,
        "the limit is not the standard deviation itself: a uniform distribution on [-std, std] is too narrow.":
            std,
    })
    return "correct: a uniform sample on [-a, a] has the given standard deviation."


def _relu(z: np.ndarray) -> np.ndarray:
    """max(0, z) element-wise."""
    return np.maximum(z, 0.0)


def _spreads(X, weights, activation, transpose: bool = False, pre_activation: bool = False,
             with_input: bool = False, statistic=np.std) -> np.ndarray:
    """Spread per layer, with switches that reproduce typical mistakes."""
    h, result = X, [statistic(X)] if with_input else []
    for W in weights:
        z = h @ (W.T if transpose else W)
        h = activation(z)
        result.append(statistic(z if pre_activation else h))
    return np.array(result)


@exercise_check("4.3", "activation spread per layer")
def activation_spreads(function) -> str:
    """Compare on random non-square and square layers with tanh and ReLU."""
    function = expect_function(function, "activation_spreads")
    rng = np.random.default_rng()
    for activation in (np.tanh, _relu):
        X = rng.normal(size=(50, 6))
        weights = [rng.normal(scale=0.6, size=(6, 6)) for _ in range(4)]
        value = as_array(call(function, X.copy(), [W.copy() for W in weights], activation),
                         "activation_spreads(X, weights, activation)")
        if value.shape == (len(weights) + 1,):
            raise Mistake("return one spread per layer (4 layers give 4 numbers), without the input's spread.")
        if close(value, _spreads(X, weights, activation, statistic=lambda h: np.std(h, ddof=1)), rtol=1e-6):
            continue  # the sample standard deviation (ddof=1): over 300 numbers it differs by 0.2 %, fine here
        compare(value, _spreads(X, weights, activation), "the list of spreads", rtol=1e-6, known_mistakes={
            "those are the spreads of the pre-activations h @ W; record the spread after the activation.":
                _spreads(X, weights, activation, pre_activation=True),
            "that is the mean of the activations; the spread is their standard deviation, h.std().":
                _spreads(X, weights, activation, statistic=np.mean),
            "those are variances; return standard deviations (h.std()).":
                _spreads(X, weights, activation, statistic=np.var),
            "the matrix is transposed: with one example per row the layer is h @ W.":
                _spreads(X, weights, activation, transpose=True),
        }, advice="Each layer takes the previous layer's activations as its input.")
    return "correct."


def _small_model(keras, rng: np.random.Generator):
    """A random 3-5-4-2 tanh network with non-zero biases."""
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(5, activation="tanh"),
                              keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(2)])
    for layer in model.layers:
        layer.kernel.assign(rng.normal(size=tuple(layer.kernel.shape)).astype("float32"))
        layer.bias.assign(rng.normal(size=tuple(layer.bias.shape)).astype("float32"))
    return model


@exercise_check("4.4", "gradient norm per layer")
def gradient_norms(function) -> str:
    """Compare with the kernel gradients TensorFlow computes for a small random model and the MSE."""
    function = expect_function(function, "gradient_norms")
    import keras
    import tensorflow as tf

    rng = np.random.default_rng()
    model = _small_model(keras, rng)
    X = rng.normal(size=(16, 3)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")

    def loss_function(target, prediction):
        """Mean squared error."""
        return keras.ops.mean((prediction - target) ** 2)

    with tf.GradientTape() as tape:
        loss = loss_function(y, model(X))
    kernels = [layer.kernel for layer in model.layers]
    variables = [v for layer in model.layers for v in (layer.kernel, layer.bias)]
    gradients = tape.gradient(loss, variables)
    all_norms = np.array([float(tf.norm(g)) for g in gradients])
    expected = all_norms[::2]
    value = as_array(call(function, model, loss_function, X, y), "gradient_norms(model, loss_function, X, y)")
    if value.shape == (2 * len(kernels),):
        raise Mistake("there is one norm per variable, biases included; take the gradient with respect to "
                      "the kernels only (layer.kernel), one per layer.")
    compare(value, expected, "the array of gradient norms", rtol=1e-4, atol=1e-7, known_mistakes={
        "the layers are in reverse order: the first layer's norm comes first.": expected[::-1],
        "those are squared norms; take the square root (tf.norm).": expected**2,
        "those are the norms of the bias gradients; take the kernels (layer.kernel).": all_norms[1::2],
    }, advice="Compute the loss inside the `with tf.GradientTape() as tape:` block and take tape.gradient "
              "with respect to the kernels.")
    return "correct: the norms match TensorFlow's gradients."


def _sampled_variance(initializer, shape: tuple[int, int]) -> float:
    """The variance of a sample of the initialiser of the given shape."""
    import keras

    return float(np.var(keras.ops.convert_to_numpy(initializer(shape))))


@exercise_check("4.5", "the right initialiser")
def initializer_for(function) -> str:
    """Sample the learner's initialisers for ReLU and tanh and compare their variance with He's and Glorot's."""
    function = expect_function(function, "initializer_for")
    import keras

    n_in, n_out = 300, 100
    targets = {"relu": ("He", 2.0 / n_in), "tanh": ("Glorot", 2.0 / (n_in + n_out))}
    for activation, (name, variance) in targets.items():
        answer = call(function, activation)
        try:
            initializer = keras.initializers.get(answer)
        except Exception:  # keras raises ValueError or TypeError for anything it cannot interpret
            initializer = None
        if initializer is None or not callable(initializer):
            raise Mistake(f"initializer_for({activation!r}) should return a Keras initialiser such as "
                          f"keras.initializers.GlorotUniform(), not {describe(answer)}.")
        sampled = _sampled_variance(initializer, (n_in, n_out))
        if abs(sampled / variance - 1) < 0.08:
            continue
        if activation == "relu" and abs(sampled / targets["tanh"][1] - 1) < 0.08:
            raise Mistake("for ReLU this has Glorot's variance, about half of what ReLU needs: use He's scale.")
        if activation == "tanh" and abs(sampled / targets["relu"][1] - 1) < 0.08:
            raise Mistake("for tanh this has He's variance, made for ReLU (which zeroes half its inputs): "
                          "use Glorot's scale.")
        raise Mistake(f"the weights of initializer_for({activation!r}) have a variance {sampled / variance:.2g} "
                      f"times the {name} variance; use the {name} scale for {activation}.")
    return "correct: He's variance for ReLU, Glorot's for tanh."
