"""Checks of notebook 13 (convolutions by hand): each typical mistake gets its own diagnosis."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status

NAME = "13_convolutions"
PLUS = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])


def _conv(image, kernel, padding, flip=False, pad_mode=None, short=False, extra_first=False, dtype=float,
          transposed=False):
    """A conv2d with one typical mistake switched on."""
    kernel = np.asarray(kernel, dtype=float)
    kernel = kernel[::-1, ::-1] if flip else kernel
    k_h, k_w = kernel.shape[::-1] if transposed else kernel.shape
    if padding != "valid":
        def widths(k):
            return (k // 2, (k - 1) // 2) if extra_first else ((k - 1) // 2, k // 2)
        mode = pad_mode or ("constant" if padding == "same" else "wrap")
        image = np.pad(image, (widths(k_h), widths(k_w)), mode=mode)
    out_h, out_w = image.shape[0] - k_h + 1 - short, image.shape[1] - k_w + 1 - short
    output = np.zeros((out_h, out_w), dtype=dtype if dtype is not None else image.dtype)
    for a in range(min(k_h, kernel.shape[0])):
        for b in range(min(k_w, kernel.shape[1])):
            output += (kernel[a, b] * image[a:a + out_h, b:b + out_w]).astype(output.dtype)
    return output


def _aliasing_conv(image, kernel, padding):
    """Accumulates into a slice of the input (a view), so the caller's image changes."""
    image, kernel = np.asarray(image), np.asarray(kernel, dtype=float)
    correct = _conv(image.copy(), kernel, padding)
    view = image[:correct.shape[0], :correct.shape[1]]
    view *= 0.0
    view += correct
    return correct


@pytest.mark.parametrize("function, fragment", [
    (lambda image, kernel, padding: _conv(image, kernel, padding, flip=True), "flipped"),
    (lambda image, kernel, padding: _conv(image, kernel, padding, pad_mode="constant"), "opposite edge"),
    (lambda image, kernel, padding: _conv(image, kernel, padding, pad_mode="wrap"), "'same' pads with zeros"),
    (lambda image, kernel, padding: _conv(image, kernel, padding, short=padding == "valid"), "one position short"),
    (lambda image, kernel, padding: _conv(image, kernel, padding, extra_first=True), "wrong side"),
    (lambda image, kernel, padding: _conv(image, kernel, padding, dtype=None), "dtype"),
    (lambda image, kernel, padding: _conv(image, kernel, padding, transposed=True), "mixed up"),
    (lambda image, kernel, padding: _conv(image, kernel, "same" if padding == "valid" else padding), "smaller"),
    (_aliasing_conv, "in place"),
])
def test_conv2d_mistakes(function, fragment):
    assert_verdict(check.conv2d, (function,), Status.FAILED, fragment)


def test_conv2d_integer_output_that_truncates_is_named():
    def truncating(image, kernel, padding):
        result = _conv(image, kernel, padding)
        return result if np.issubdtype(np.asarray(image).dtype, np.floating) else np.trunc(result)
    assert_verdict(check.conv2d, (truncating,), Status.FAILED, "cut to integers")


def test_conv2d_accepts_scipy():
    from scipy import signal

    def with_scipy(image, kernel, padding):
        mode, boundary = ("valid", "fill") if padding == "valid" else ("same", {"same": "fill"}.get(padding, "wrap"))
        return signal.correlate2d(image, kernel, mode=mode, boundary=boundary).astype(float)
    assert_verdict(check.conv2d, (with_scipy,), Status.PASSED)


def _size(n, k, padding, s, mistake=None):
    """output_size with one typical mistake switched on."""
    if padding == "valid":
        return {"plus_one": (n - k) // s, "no_floor": (n - k) / s + 1}.get(mistake, (n - k) // s + 1)
    return {"ignore_stride": n, "floor": n // s, "as_valid": (n - k) // s + 1}.get(mistake, -(-n // s))


@pytest.mark.parametrize("mistake, fragment", [
    ("plus_one", "one output short"),
    ("no_floor", "not a whole number"),
    ("ignore_stride", "stride is ignored"),
    ("floor", "round up"),
    ("as_valid", "size for 'valid'"),
])
def test_output_size_mistakes(mistake, fragment):
    assert_verdict(check.output_size, (lambda n, k, padding, s: _size(n, k, padding, s, mistake),), Status.FAILED,
                   fragment)


def test_output_size_accepts_math_ceil_and_floats():
    import math

    def written_differently(n, k, padding, s):
        return float(math.floor((n - k) / s) + 1) if padding == "valid" else math.ceil(n / s)
    assert_verdict(check.output_size, (written_differently,), Status.PASSED)


def _neighbours(spins, centre=False, diagonal=False, mode="wrap"):
    """Neighbour sum with one typical mistake switched on."""
    kernel = np.ones((3, 3)) if diagonal else PLUS.astype(float)
    kernel[1, 1] = 1.0 if centre else 0.0
    padded = np.pad(np.asarray(spins, dtype=float), 1, mode=mode)
    return _conv(padded, kernel, "valid")


@pytest.mark.parametrize("options, fragment", [
    ({"centre": True}, "site itself"),
    ({"diagonal": True}, "diagonal"),
    ({"mode": "constant"}, "opposite edge"),
])
def test_neighbour_sum_mistakes(options, fragment):
    assert_verdict(check.neighbour_sum, (lambda spins: _neighbours(spins, **options),), Status.FAILED, fragment)


def test_neighbour_sum_rejects_a_valid_output():
    assert_verdict(check.neighbour_sum, (lambda spins: _conv(spins, PLUS, "valid"),), Status.FAILED, "pad")


def _energy(spins, half=0.5, sign=-1.0, per_spin=False, **neighbour_options):
    """Ising energy with one typical mistake switched on."""
    energy = sign * half * np.sum(spins * _neighbours(spins, **neighbour_options))
    return energy / spins.size if per_spin else energy


@pytest.mark.parametrize("function, fragment", [
    (lambda spins: _energy(spins, half=1.0), "counted twice"),
    (lambda spins: _energy(spins, sign=1.0), "wrong sign"),
    (lambda spins: _energy(spins, centre=True), "its own neighbour"),
    (lambda spins: _energy(spins, mode="constant"), "across the edge"),
    (lambda spins: _energy(spins, per_spin=True), "per spin"),
    (lambda spins: -0.5 * spins * _neighbours(spins), "one number"),
])
def test_ising_energy_mistakes(function, fragment):
    assert_verdict(check.ising_energy, (function,), Status.FAILED, fragment)


def test_ising_energy_accepts_an_integer_and_a_one_element_array():
    assert_verdict(check.ising_energy, (lambda spins: int(_energy(spins)),), Status.PASSED)
    assert_verdict(check.ising_energy, (lambda spins: np.array([_energy(spins)]),), Status.PASSED)


@pytest.mark.parametrize("function, fragment", [
    (lambda L, k: (L - k + 1) ** 2, "do not see the padding"),
    (lambda L, k: L * L - (L - 2 * (k // 2)) ** 2, "even kernels"),
    (lambda L, k: 4 * (k // 2) * L, "counted twice"),
    (lambda L, k: 4 * (L - 1), "outermost ring"),
    (lambda L, k: L * L - (L - k + 1) ** 2 + 0.5, "whole number"),
])
def test_border_sites_mistakes(function, fragment):
    assert_verdict(check.border_sites, (function,), Status.FAILED, fragment)


def _pool(image, size, reduce=np.max, stride=None, keep_edge=False, mutate=False):
    """Pooling with one typical mistake switched on."""
    image = np.asarray(image) if mutate else np.asarray(image, dtype=float).copy()
    stride = stride or size
    height, width = image.shape
    last_row, last_column = (height, width) if keep_edge else (height - size + 1, width - size + 1)
    result = np.array([[reduce(image[i:i + size, j:j + size]) for j in range(0, last_column, stride)]
                       for i in range(0, last_row, stride)], dtype=float)
    if mutate:
        image[:] = 0
    return result


@pytest.mark.parametrize("check_name, options, fragment", [
    ("max_pool", {"stride": 1}, "overlap"),
    ("max_pool", {"keep_edge": True}, "leftover"),
    ("max_pool", {"reduce": np.mean}, "mean"),
    ("average_pool", {"reduce": np.max}, "maximum"),
    ("average_pool", {"reduce": np.mean, "mutate": True}, "in place"),
])
def test_pooling_mistakes(check_name, options, fragment):
    assert_verdict(getattr(check, check_name), (lambda image, size: _pool(image, size, **options),), Status.FAILED,
                   fragment)


def test_pooling_accepts_loops():
    assert_verdict(check.max_pool, (lambda image, size: _pool(image, size, np.max),), Status.PASSED)
    assert_verdict(check.average_pool, (lambda image, size: _pool(image, size, np.mean),), Status.PASSED)


@pytest.mark.parametrize("function, fragment", [
    (lambda k, c, f: k * k * c * f, "biases are missing"),
    (lambda k, c, f: (k * k + 1) * c * f, "one bias per filter"),
    (lambda k, c, f: (k * k + 1) * f, "every input channel"),
    (lambda k, c, f: (k * c + 1) * f, "k x k"),
])
def test_conv_parameters_mistakes(function, fragment):
    assert_verdict(check.conv_parameters, (function,), Status.FAILED, fragment)


@pytest.mark.parametrize("function, fragment", [
    (lambda n_in, n_out: n_in * n_out, "biases are missing"),
    (lambda n_in, n_out: n_in * (n_out + 1), "one bias per output unit"),
])
def test_dense_parameters_mistakes(function, fragment):
    assert_verdict(check.dense_parameters, (function,), Status.FAILED, fragment)


def _gradient(model, image, row, column, target="pixel", watch=True, squeeze=True, dtype="float32"):
    """input_gradient with one typical mistake switched on."""
    import tensorflow as tf

    x = tf.constant(np.asarray(image, dtype=dtype)[None, :, :, None])
    with tf.GradientTape() as tape:
        if watch:
            tape.watch(x)
        y = model(x)
        value = {"pixel": y[0, row, column, 0], "sum": tf.reduce_sum(y), "swapped": y[0, column, row, 0]}[target]
    gradient = tape.gradient(value, x)
    return gradient.numpy()[0, :, :, 0] if squeeze else gradient.numpy()


@pytest.mark.parametrize("options, fragment", [
    ({"target": "sum"}, "sum of all output pixels"),
    ({"target": "swapped"}, "swapped"),
    ({"watch": False}, "watch"),
    ({"squeeze": False}, "batch and channel axes"),
])
def test_input_gradient_mistakes(options, fragment):
    assert_verdict(check.input_gradient, (lambda *args: _gradient(*args, **options),), Status.FAILED, fragment)


def test_input_gradient_accepts_a_tensor_and_float64_input():
    import tensorflow as tf

    def as_tensor(model, image, row, column):
        return tf.constant(_gradient(model, image, row, column))
    assert_verdict(check.input_gradient, (as_tensor,), Status.PASSED)
    assert_verdict(check.input_gradient, (lambda *args: _gradient(*args, dtype="float64"),), Status.PASSED)


def _kernel_model(L, padding="valid", use_bias=False, activation=None, kernel_size=3, filters=1, pad_input=True,
                  optimizer="sgd", rate=0.2, loss="mse", compiled=True, functional=False, extra_layer=False):
    """The kernel-learning model with one typical mistake (or an equivalent spelling) switched on."""
    import keras

    size = L + 2 if pad_input else L
    layers = [keras.layers.Conv2D(filters, kernel_size, padding=padding, use_bias=use_bias, activation=activation)]
    if extra_layer:
        layers.append(keras.layers.Dense(1))
    if functional:
        inputs = keras.Input(shape=(size, size, 1))
        model = keras.Model(inputs, layers[0](inputs))
    else:
        model = keras.Sequential([keras.Input(shape=(size, size, 1)), *layers])
    if compiled:
        chosen = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}[optimizer](learning_rate=rate)
        model.compile(optimizer=chosen, loss=loss)
    return model


@pytest.mark.parametrize("options, fragment", [
    ({"padding": "same"}, "already padded"),
    ({"use_bias": True}, "bias"),
    ({"activation": "relu"}, "can be negative"),
    ({"kernel_size": 5}, "3x3"),
    ({"filters": 2}, "2 filters"),
    ({"pad_input": False}, "padded by one site"),
    ({"extra_layer": True}, "nothing else"),
    ({"compiled": False}, "not compiled"),
    ({"optimizer": "adam"}, "SGD"),
    ({"rate": 0.1}, "learning rate"),
    ({"loss": "mae"}, "loss"),
])
def test_build_kernel_model_mistakes(options, fragment):
    assert_verdict(check.build_kernel_model, (lambda L: _kernel_model(L, **options),), Status.FAILED, fragment)


@pytest.mark.parametrize("options", [
    {"functional": True},
    {"activation": "linear"},
    {"loss": "mean_squared_error"},
])
def test_build_kernel_model_accepts_equivalent_forms(options):
    assert_verdict(check.build_kernel_model, (lambda L: _kernel_model(L, **options),), Status.PASSED)


def test_build_kernel_model_accepts_a_loss_object():
    import keras

    def with_object(L):
        model = _kernel_model(L, compiled=False)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.2), loss=keras.losses.MeanSquaredError())
        return model
    assert_verdict(check.build_kernel_model, (with_object,), Status.PASSED)


def test_solutions_pass_and_stubs_wait(solution, exercise):
    for name in ("conv2d", "output_size", "neighbour_sum", "ising_energy", "border_sites", "max_pool", "average_pool",
                 "conv_parameters", "dense_parameters", "input_gradient", "build_kernel_model"):
        assert_verdict(getattr(check, name), (solution[name],), Status.PASSED)
        assert_verdict(getattr(check, name), (exercise[name],), Status.NOT_DONE)


def test_energy_check_needs_the_learners_neighbour_sum(solution, exercise):
    """ising_energy calls neighbour_sum: with the neighbour sum still a stub, the energy check waits too."""
    namespace = dict(solution)
    namespace["neighbour_sum"] = exercise["neighbour_sum"]
    energy = type(solution["ising_energy"])(solution["ising_energy"].__code__, namespace)
    assert_verdict(check.ising_energy, (energy,), Status.NOT_DONE)
