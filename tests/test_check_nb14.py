"""Checks of notebook 14 (a CNN for the Ising phases): typical mistakes and equivalent answers of every exercise."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status

NAME = "14_cnn_ising"


# --- 14.1: the CNN builder ---------------------------------------------------------------------------------------

def _cnn(n_filters, kernel_size, *, input_shape=(None, None, 1), padding="periodic", width=None, conv_padding="valid",
         activation="relu", separate_activation=None, pooling="average", extra=None, output=(2, "softmax"),
         filters=None, rate=3e-2, loss="sparse_categorical_crossentropy", metrics=("accuracy",), compiled=True):
    """A CNN for exercise 14.1 with one of the typical mistakes (or an equivalent spelling) switched on."""
    import keras

    from utils.layers import PeriodicPadding2D

    layers = [keras.Input(shape=input_shape)]
    if padding == "periodic":
        layers.append(PeriodicPadding2D(kernel_size // 2 if width is None else width))
    elif padding == "zeros":
        layers.append(keras.layers.ZeroPadding2D(kernel_size // 2))
    layers.append(keras.layers.Conv2D(filters or n_filters, kernel_size, padding=conv_padding,
                                      activation=None if separate_activation else activation))
    if separate_activation == "ReLU":
        layers.append(keras.layers.ReLU())
    elif separate_activation == "Activation":
        layers.append(keras.layers.Activation("relu"))
    if extra == "max_pool":
        layers.append(keras.layers.MaxPooling2D(2))
    layers.append({"average": keras.layers.GlobalAveragePooling2D, "max": keras.layers.GlobalMaxPooling2D,
                   "flatten": keras.layers.Flatten}[pooling]())
    if extra == "hidden":
        layers.append(keras.layers.Dense(8, activation="relu"))
    layers.append(keras.layers.Dense(output[0], activation=output[1]))
    model = keras.Sequential(layers)
    if compiled:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=rate), loss=loss, metrics=list(metrics))
    return model


@pytest.mark.parametrize("options, fragment", [
    ({"padding": None, "conv_padding": "same"}, "padding='same'"),
    ({"conv_padding": "same"}, "padding='same'"),
    ({"padding": None}, "no PeriodicPadding2D"),
    ({"padding": "zeros"}, "pads with zeros"),
    ({"width": 1}, "k // 2"),
    ({"width": "kernel"}, "k // 2"),
    ({"input_shape": (32, 32, 1), "pooling": "flatten"}, "flattens"),
    ({"pooling": "max"}, "GlobalAveragePooling2D"),
    ({"extra": "max_pool"}, "stride"),
    ({"extra": "hidden"}, "one Dense layer of 2 softmax"),
    ({"activation": "tanh"}, "ReLU"),
    ({"output": (1, "sigmoid")}, "2 softmax units"),
    ({"filters": 8}, "use the arguments"),
    ({"input_shape": (32, 32, 1)}, "fixes the lattice size"),
    ({"rate": 1e-3}, "learning rate"),
    ({"loss": "binary_crossentropy"}, "loss"),
    ({"metrics": ()}, "accuracy"),
    ({"compiled": False}, "not compiled"),
])
def test_build_cnn_mistakes(options, fragment):
    def build(n_filters, kernel_size):
        chosen = dict(options)
        if chosen.get("width") == "kernel":
            chosen["width"] = kernel_size
        return _cnn(n_filters, kernel_size, **chosen)

    assert_verdict(check.build_cnn, (build,), Status.FAILED, fragment)


@pytest.mark.parametrize("options", [
    {"separate_activation": "ReLU"},
    {"separate_activation": "Activation"},
    {"metrics": ("acc",)},
])
def test_build_cnn_accepts_equivalent_spellings(options):
    assert_verdict(check.build_cnn, (lambda n, k: _cnn(n, k, **options),), Status.PASSED)


def test_build_cnn_accepts_a_loss_object_and_the_functional_api():
    import keras

    from utils.layers import PeriodicPadding2D

    def functional(n_filters, kernel_size):
        inputs = keras.Input(shape=(None, None, 1))
        x = PeriodicPadding2D(kernel_size // 2)(inputs)
        x = keras.layers.Conv2D(n_filters, kernel_size, activation="relu")(x)
        outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling2D()(x))
        model = keras.Model(inputs, outputs)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.03),
                      loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
        return model

    assert_verdict(check.build_cnn, (functional,), Status.PASSED)


# --- 14.2: the symmetry copies ----------------------------------------------------------------------------------

def _rotations(spins):
    return [np.rot90(spins, k, axes=(1, 2)) for k in range(4)]


def _in_place_flip(spins):
    squares = [np.rot90(turned, k, axes=(1, 2)) for turned in (spins, np.flip(spins, axis=2)) for k in range(4)]
    copies = squares + [-square for square in squares]
    spins *= -1  # the typical mistake: the caller's lattices are flipped too
    return np.stack(copies)


def _with_duplicate(spins):
    squares = _rotations(spins) + [np.flip(spins, axis=2), np.flip(spins, axis=1), np.flip(spins, axis=(1, 2)),
                                   np.transpose(spins, (0, 2, 1))]  # flipping both axes is the 180-degree rotation
    return np.stack(squares + [-square for square in squares])


@pytest.mark.parametrize("mistake, fragment", [
    (lambda s: np.stack(2 * ([np.rot90(t, k, axes=(1, 2)) for t in (s, np.flip(s, axis=2)) for k in range(4)])),
     "flips the spins"),
    (lambda s: np.stack(2 * (_rotations(s) + [-r for r in _rotations(s)])), "reflection"),
    (_with_duplicate, "same transformation"),
    (_in_place_flip, "changed the lattices"),
    (lambda s: np.concatenate(_rotations(s) + _rotations(np.flip(s, axis=2)) + [-r for r in _rotations(s)]
                              + [-r for r in _rotations(np.flip(s, axis=2))]), "new first axis"),
    (lambda s: -np.stack(_rotations(s) + _rotations(np.flip(s, axis=2)) + [-r for r in _rotations(s)]
                         + [-r for r in _rotations(np.flip(s, axis=2))]), "copy 0"),
    (lambda s: np.stack([np.rot90(s, k) for k in range(4)] * 4), "axes=(1, 2)"),  # rotates the batch axis
    (lambda s: np.stack([s] * 16), "flips the spins"),
])
def test_symmetry_copies_mistakes(mistake, fragment):
    assert_verdict(check.symmetry_copies, (mistake,), Status.FAILED, fragment)


def test_symmetry_copies_in_another_order_pass():
    def reordered(spins):
        copies = [sign * np.rot90(np.flip(spins, axis=1) if mirrored else spins, k, axes=(1, 2))
                  for sign in (1, -1) for k in (0, 3, 2, 1) for mirrored in (False, True)]
        return copies  # a list of 16 arrays is as good as one array

    assert_verdict(check.symmetry_copies, (reordered,), Status.PASSED)


# --- 14.3: nested training sets ---------------------------------------------------------------------------------

def _first_entries(order, sizes):
    return [order[:size] for size in sizes]


@pytest.mark.parametrize("mistake, fragment", [
    (lambda n, sizes, seed: [np.random.default_rng([seed, size]).permutation(n)[:size] for size in sizes],
     "does not contain the smaller ones"),
    (lambda n, sizes, seed: [np.random.default_rng(seed).integers(0, n, size) for size in sizes], "twice"),
    (lambda n, sizes, seed: [np.arange(size) for size in sizes], "shuffle"),
    (lambda n, sizes, seed: _first_entries(np.random.default_rng().permutation(n), sizes), "same seed"),
    (lambda n, sizes, seed: [np.random.default_rng(0).permutation(n)[:size] for size in sizes], "another seed"),
    (lambda n, sizes, seed: [np.random.default_rng(seed).permutation(n)[:size - 1] for size in sizes], "holds"),
    (lambda n, sizes, seed: [np.random.default_rng(seed).permutation(n + 5)[:size] for size in sizes], "outside"),
    (lambda n, sizes, seed: np.random.default_rng(seed).permutation(n)[:sizes[0]], "list of"),
])
def test_nested_subsets_mistakes(mistake, fragment):
    assert_verdict(check.nested_subsets, (mistake,), Status.FAILED, fragment)


def test_nested_subsets_drawn_by_choice_pass():
    def by_choice(n, sizes, seed):
        largest = np.random.default_rng(seed).choice(n, size=max(sizes), replace=False)
        return tuple(largest[:size] for size in sizes)

    assert_verdict(check.nested_subsets, (by_choice,), Status.PASSED)


# --- 14.4: the crossing from a fit ------------------------------------------------------------------------------

def _first_crossing(temperatures, p):
    i = int(np.argmax(p >= 0.5))
    t0, t1, p0, p1 = temperatures[i - 1], temperatures[i], p[i - 1], p[i]
    return t0 + (0.5 - p0) * (t1 - t0) / (p1 - p0), 0.1


def _fit(temperatures, p, logistic=False):
    from scipy.optimize import curve_fit

    def step(T, crossing, width):
        return 1 / (1 + np.exp(-(T - crossing) / width)) if logistic else 0.5 * (1 + np.tanh((T - crossing) / width))

    (crossing, width), _ = curve_fit(step, temperatures, p, p0=(np.mean(temperatures), 0.1))
    return crossing, width


@pytest.mark.parametrize("mistake, fragment", [
    (_first_crossing, "stray point"),
    (lambda t, p: _fit(t, p)[::-1], "swapped"),
    (lambda t, p: _fit(t, p, logistic=True), "half the width"),
    (lambda t, p: (t[np.argmin(np.abs(p - 0.5))], 0.1), "is not right"),
    (lambda t, p: _fit(t, p)[0], "tuple of 2"),
    (lambda t, p: (_fit(t, p)[0], -_fit(t, p)[1]), "positive"),
])
def test_fit_crossing_mistakes(mistake, fragment):
    assert_verdict(check.fit_crossing, (mistake,), Status.FAILED, fragment)


def test_fit_crossing_with_scipy_least_squares_passes():
    from scipy.optimize import least_squares

    def fit(temperatures, p):
        def residuals(parameters):
            return 0.5 * (1 + np.tanh((temperatures - parameters[0]) / parameters[1])) - p
        return tuple(least_squares(residuals, x0=(np.mean(temperatures), 0.1)).x)

    assert_verdict(check.fit_crossing, (fit,), Status.PASSED)


# --- 14.5: extrapolation ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mistake, fragment", [
    (lambda sizes, t: tuple(np.polyfit(1 / np.asarray(sizes, float), t, 1)), "swapped"),
    (lambda sizes, t: tuple(np.polyfit(np.asarray(sizes, float), t, 1)[::-1]), "against L"),
    (lambda sizes, t: tuple(np.polyfit(1 / np.asarray(sizes, float) ** 2, t, 1)[::-1]), "1/L^2"),
    (lambda sizes, t: (t[-1], 0.0), "not right"),
    (lambda sizes, t: np.polyfit(1 / np.asarray(sizes, float), t, 1)[1], "tuple of 2"),
])
def test_extrapolate_crossing_mistakes(mistake, fragment):
    assert_verdict(check.extrapolate_crossing, (mistake,), Status.FAILED, fragment)


def test_extrapolate_crossing_with_lstsq_passes():
    def by_lstsq(sizes, crossings):
        design = np.column_stack([np.ones(len(sizes)), 1 / np.asarray(sizes, float)])
        intercept, slope = np.linalg.lstsq(design, crossings, rcond=None)[0]
        return intercept, slope

    assert_verdict(check.extrapolate_crossing, (by_lstsq,), Status.PASSED)


def test_solutions_pass_and_stubs_wait(solution, exercise):
    for name in ("build_cnn", "symmetry_copies", "nested_subsets", "fit_crossing", "extrapolate_crossing"):
        assert_verdict(getattr(check, name), (solution[name],), Status.PASSED)
        assert_verdict(getattr(check, name), (exercise[name],), Status.NOT_DONE, "not done yet")
