"""Checks of notebook 14 (a CNN for the Ising phases): the builder, the symmetry copies, nested training sets,
the fitted crossing and its extrapolation to the infinite lattice."""

from __future__ import annotations

import numpy as np

from utils.check.core import (
    Mistake,
    as_array,
    as_tuple,
    call,
    compare,
    describe,
    exercise_check,
    expect_function,
    expect_unchanged,
)
from utils.check.keras_models import blocks, built_model, expect_compiled

_STRIDED_POOLING = ("MaxPooling2D", "AveragePooling2D")


def _lattices(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """Random float32 spin lattices (n, size, size, 1)."""
    return rng.choice(np.array([-1.0, 1.0], dtype="float32"), size=(n, size, size, 1))


def _outputs(model, x: np.ndarray) -> np.ndarray:
    """The model's outputs on x as a NumPy array (a direct call: no predict graph to build)."""
    import keras

    return keras.ops.convert_to_numpy(model(x, training=False))


def _expect_cnn_layers(model, n_filters: int, kernel_size: int) -> None:
    """Raise a Mistake unless the layers are periodic padding, one valid ReLU convolution, GAP, 2 softmax units."""
    layers = blocks(model)
    kinds = [block.kind for block in layers]
    if "Flatten" in kinds:
        raise Mistake("the model flattens the feature maps: that ties it to one lattice size and to positions "
                      "on the lattice. Average every feature map over the sites with GlobalAveragePooling2D.")
    if any(kind in _STRIDED_POOLING for kind in kinds):
        raise Mistake("a pooling layer with a stride keeps only every other position, so shifting the lattice by "
                      "one site changes the output; the task has no such layer.")
    if "ZeroPadding2D" in kinds:
        raise Mistake("the model pads with zeros: the lattice has periodic boundaries, so its edges should wrap "
                      "around. Use PeriodicPadding2D.")
    convolutions = [index for index, kind in enumerate(kinds) if kind == "Conv2D"]
    if len(convolutions) != 1:
        raise Mistake(f"the model has {len(convolutions)} Conv2D layers; the task asks for one.")
    index = convolutions[0]
    conv = layers[index]
    if conv.size != n_filters or tuple(conv.layer.kernel_size) != (kernel_size, kernel_size):
        raise Mistake(f"build_cnn({n_filters}, {kernel_size}) has a convolution with {conv.size} filters of size "
                      f"{tuple(conv.layer.kernel_size)}: use the arguments n_filters and kernel_size.")
    if conv.layer.padding != "valid":
        raise Mistake("the convolution pads with zeros (padding='same'): on a periodic lattice the border sites "
                      "then see zeros instead of their neighbours. Pad periodically first and use padding='valid'.")
    if conv.activation != "relu":
        raise Mistake(f"the convolution uses the activation {conv.activation!r}; the task asks for ReLU.")
    padding = layers[index - 1] if index > 0 else None
    if padding is None or padding.kind != "PeriodicPadding2D":
        raise Mistake("there is no PeriodicPadding2D layer right before the convolution: with padding='valid' "
                      "alone the feature maps shrink and the border sites are lost.")
    if padding.layer.width != kernel_size // 2:
        raise Mistake(f"with kernel_size={kernel_size} the padding adds {padding.layer.width} sites on each side: "
                      "a k x k kernel needs k // 2 extra sites per side so that the feature map keeps the "
                      "lattice size.")
    after = kinds[index + 1:]
    if not after or after[0] != "GlobalAveragePooling2D":
        found = after[0] if after else "nothing"
        raise Mistake(f"after the convolution comes {found}; the task averages each feature map over all sites "
                      "with GlobalAveragePooling2D.")
    output = layers[-1]
    if output.kind != "Dense" or output.size != 2 or output.activation != "softmax" or len(after) != 2:
        raise Mistake("after the average pooling the model should end in one Dense layer of 2 softmax units: one "
                      "probability for each phase.")


@exercise_check("14.1", "a CNN with periodic padding")
def build_cnn(function) -> str:
    """Inspect the layers and compile settings; test translation invariance and other sizes on fresh lattices."""
    function = expect_function(function, "build_cnn")
    rng = np.random.default_rng()
    for n_filters, kernel_size in ((int(rng.integers(3, 7)), 3), (int(rng.integers(2, 5)), 5)):
        model = built_model(function, (n_filters, kernel_size), "build_cnn")
        _expect_cnn_layers(model, n_filters, kernel_size)
        shape = tuple(model.input_shape)
        if len(shape) != 4 or shape[-1] != 1:
            raise Mistake(f"the model's input shape is {shape}: a lattice enters as rows x columns x 1 channel, "
                          "keras.Input(shape=(None, None, 1)).")
        if shape[1:3] != (None, None):
            raise Mistake(f"the input shape {shape} fixes the lattice size: use keras.Input(shape=(None, None, 1)) "
                          "so that the same network reads lattices of any size.")
        expect_compiled(model, "build_cnn", optimizer="Adam", rate=3e-2, loss="sparse_categorical_crossentropy",
                        metrics=["accuracy"])
        size = int(rng.choice([6, 8, 10]))
        lattices = _lattices(rng, 3, size)
        shift = tuple(int(value) for value in rng.integers(1, size, 2))
        change = np.max(np.abs(_outputs(model, np.roll(lattices, shift, axis=(1, 2))) - _outputs(model, lattices)))
        if change > 1e-5:
            raise Mistake(f"rolling the lattices by {shift} sites changes the output by up to {change:.2g}: the "
                          "network is not invariant under translations. Check the padding.")
        other = _outputs(model, _lattices(rng, 2, size + 4))
        if other.shape != (2, 2) or not np.allclose(other.sum(axis=1), 1.0, atol=1e-5):
            raise Mistake("on lattices of another size the model does not give two probabilities per lattice.")
    return "correct: periodic padding, a valid ReLU convolution, average pooling and two softmax outputs, compiled."


def _group_images(spins: np.ndarray) -> list[np.ndarray]:
    """The 16 images of a batch (n, L, L) under the rotations, reflections and the spin flip."""
    images = []
    for sign in (1, -1):
        for reflect in (False, True):
            turned = np.flip(spins, axis=2) if reflect else spins
            images += [sign * np.rot90(turned, k, axes=(1, 2)) for k in range(4)]
    return images


def _which_symmetry(copy: np.ndarray, images: list[np.ndarray]) -> int | None:
    """The index of the symmetry that maps the batch onto copy, or None."""
    for index, image in enumerate(images):
        if copy.shape == image.shape and np.array_equal(copy, image):
            return index
    return None


def _expect_symmetry_copies(function, spins: np.ndarray) -> None:
    """Raise a Mistake unless function(spins) holds the 16 images of the batch, each once, copy 0 the identity."""
    n, size = spins.shape[:2]
    before = spins.copy()
    result = call(function, spins)
    expect_unchanged(before, spins, "symmetry_copies", "the lattices it was given",
                     "a flip or rotation must make new arrays, e.g. -spins instead of spins *= -1")
    copies = as_array(result, "symmetry_copies(spins)")
    if copies.shape != (16, n, size, size):
        if copies.ndim == 3 and copies.shape[0] == 16 * n:
            raise Mistake("the copies are stacked along the lattice axis: return a new first axis of 16 copies, "
                          "shape (16, n, L, L), e.g. with np.stack.")
        raise Mistake(f"for {n} lattices of {size} x {size} spins the result has shape {copies.shape}, not "
                      f"(16, {n}, {size}, {size}): one copy of every lattice per symmetry.")
    images = _group_images(spins.astype(float))
    if not np.array_equal(copies[0], images[0]):
        raise Mistake("copy 0 should be the lattices themselves (the identity).")
    found = []
    for index, copy in enumerate(copies):
        symmetry = _which_symmetry(copy, images)
        if symmetry is None:
            raise Mistake(f"copy {index} is not one symmetry of the square applied to every lattice: each copy "
                          "must rotate (by a multiple of 90 degrees), reflect and/or flip all lattices the same "
                          "way, and only along the two lattice axes, e.g. np.rot90(spins, k, axes=(1, 2)).")
        found.append(symmetry)
    if len(set(found)) < 16:
        first = next(index for index, symmetry in enumerate(found) if found.index(symmetry) != index)
        if not any(symmetry >= 8 for symmetry in found):
            raise Mistake("none of the copies flips the spins: s -> -s does not change the energy, so it is a "
                          "symmetry too.")
        if not any(symmetry % 8 >= 4 for symmetry in found):
            raise Mistake("none of the copies is a reflection: the four rotations alone are only half of the "
                          "symmetries of the square.")
        raise Mistake(f"copies {found.index(found[first])} and {first} are the same transformation (for example "
                      "a 180-degree rotation equals reflecting both axes): list every symmetry exactly once.")


@exercise_check("14.2", "the 16 symmetry copies")
def symmetry_copies(function) -> str:
    """Fresh random lattices without symmetries of their own: every copy one symmetry, all 16 once, input unchanged.

    The first batch holds as many lattices as a lattice has rows, so that rotating the wrong axes gives arrays of
    the right shape and a diagnosis instead of a NumPy error; the second batch has another number of lattices.
    """
    function = expect_function(function, "symmetry_copies")
    rng = np.random.default_rng()
    size = int(rng.integers(5, 9))
    for n in (size, int(rng.integers(2, 5))):
        _expect_symmetry_copies(function, rng.choice(np.array([-1, 1], dtype=np.int8), size=(n, size, size)))
    return "correct: all 16 symmetries, each once, copy 0 the identity, the input unchanged."


def _index_array(value, what: str, n_max: int) -> np.ndarray:
    """A learner's index set as a 1-D integer array into range(n_max), or one sentence on what is wrong."""
    array = as_array(value, what)
    if array.ndim != 1 or np.any(array != np.round(array)):
        raise Mistake(f"{what} should be a 1-D array of whole-number indices.")
    if array.size and (array.min() < 0 or array.max() >= n_max):
        raise Mistake(f"{what} holds indices outside 0 ... n_train - 1.")
    return array.astype(int)


def _subsets(function, n_train: int, sizes: list[int], seed: int) -> list[np.ndarray]:
    """Call nested_subsets and read its result as a list of index arrays, one per size."""
    result = call(function, n_train, list(sizes), seed)
    if result is None:
        raise Mistake("nested_subsets returned None: did you forget a `return`?")
    if not isinstance(result, (list, tuple)) or len(result) != len(sizes):
        raise Mistake(f"nested_subsets should return a list of {len(sizes)} index arrays, one per size; got "
                      f"{describe(result)}.")
    return [_index_array(part, f"the subset of size {size}", n_train) for part, size in zip(result, sizes)]


@exercise_check("14.3", "nested training sets")
def nested_subsets(function) -> str:
    """Fresh sizes and seeds: exact sizes, no repeats, each set inside the next, shuffled, reproducible."""
    function = expect_function(function, "nested_subsets")
    rng = np.random.default_rng()
    n_train = int(rng.integers(400, 700))
    sizes = sorted(int(size) for size in rng.choice(np.arange(10, n_train), size=4, replace=False))
    sizes[-1] = n_train  # the last set is the whole training set: a boundary worth testing
    seed = int(rng.integers(1000))
    subsets = _subsets(function, n_train, sizes, seed)
    for part, size in zip(subsets, sizes):
        if len(np.unique(part)) < len(part):
            raise Mistake(f"the subset of size {size} holds some lattices twice: draw without replacement, e.g. "
                          "from one permutation of range(n_train).")
        if len(part) != size:
            raise Mistake(f"the subset for size {size} holds {len(part)} lattices.")
    for small, large, size in zip(subsets[:-1], subsets[1:], sizes[1:]):
        if not set(small) <= set(large):
            raise Mistake(f"the subset of size {size} does not contain the smaller ones: each size draws its own "
                          "lattices, so the curve mixes the effect of more data with that of other lattices. Take "
                          "the first `size` entries of one permutation.")
    if np.array_equal(np.sort(subsets[0]), np.arange(sizes[0])):
        raise Mistake("the subsets are the first lattices of the training set in its stored order (sorted by "
                      "temperature: all of them ordered). Shuffle first.")
    again = _subsets(function, n_train, sizes, seed)
    if not all(np.array_equal(a, b) for a, b in zip(subsets, again)):
        raise Mistake("two calls with the same seed give different subsets: make the generator from the "
                      "argument seed, np.random.default_rng(seed).")
    other = _subsets(function, n_train, sizes, seed + 1)
    if np.array_equal(np.sort(other[0]), np.sort(subsets[0])):
        raise Mistake("another seed gives the same subsets: use the argument seed.")
    return "correct: exact sizes, no repeats, each set inside the next, shuffled and reproducible."


def _step(temperatures: np.ndarray, crossing: float, width: float) -> np.ndarray:
    """The task's curve (1 + tanh((T - T_c) / w)) / 2."""
    return 0.5 * (1.0 + np.tanh((temperatures - crossing) / width))


def _least_squares(temperatures: np.ndarray, p: np.ndarray, start: tuple[float, float]) -> np.ndarray:
    """The least-squares (crossing, width) of the tanh step, by SciPy's curve_fit."""
    from scipy.optimize import curve_fit

    parameters, _ = curve_fit(_step, temperatures, p, p0=start)
    return parameters


def _noisy_curve(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float, float]:
    """A noisy, non-monotone step on an even grid with one stray point above 0.5 far below the crossing."""
    temperatures = np.round(np.arange(2.025, 2.58, 0.025), 4)
    crossing, width = rng.uniform(2.22, 2.38), rng.uniform(0.05, 0.15)
    p = np.clip(_step(temperatures, crossing, width) + rng.normal(0, 0.03, temperatures.size), 0, 1)
    p[1] = rng.uniform(0.55, 0.7)  # a noisy point crosses 0.5 long before the real crossing
    return temperatures, p, crossing, width


@exercise_check("14.4", "the crossing from a fit")
def fit_crossing(function) -> str:
    """Fresh noisy curves with a stray point: compare with the least-squares fit of the tanh step."""
    function = expect_function(function, "fit_crossing")
    rng = np.random.default_rng()
    for _ in range(3):
        temperatures, p, _, _ = _noisy_curve(rng)
        expected = _least_squares(temperatures, p, (temperatures.mean(), 0.1))
        result = as_tuple(call(function, temperatures.copy(), p.copy()), "fit_crossing(temperatures, p)", 2)
        answer = np.array([as_array(result[0], "the crossing temperature", shape=()),
                           as_array(result[1], "the width", shape=())])
        i = int(np.argmax(p >= 0.5))
        first = temperatures[i - 1] + (0.5 - p[i - 1]) * (temperatures[i] - temperatures[i - 1]) / (p[i] - p[i - 1])
        if abs(answer[0] - first) < 1e-6:
            raise Mistake("the crossing is the first point where the curve passes 0.5; on these noisy curves a "
                          "stray point gets there long before the transition. Fit the curve through all points.")
        if np.isclose(answer[0], expected[1], rtol=1e-2) and np.isclose(answer[1], expected[0], rtol=1e-2):
            raise Mistake("crossing and width are swapped: return (T_cross, width).")
        if answer[1] <= 0:
            raise Mistake("the width should be positive for a curve that rises from 0 to 1.")
        compare(answer[0], expected[0], "the crossing temperature", rtol=0, atol=2e-3,
                advice="Fit (1 + tanh((T - T_cross) / w)) / 2 to all points by least squares, starting from the "
                       "middle of the temperature range and w = 0.1.")
        compare(answer[1], expected[1], "the width", rtol=2e-2, known_mistakes={
            "it is half the width of the task's curve: a logistic 1 / (1 + exp(-(T - T_c) / w)) rises twice as "
            "fast as (1 + tanh((T - T_c) / w)) / 2 for the same w.": expected[1] / 2,
        }, advice="Return the w of (1 + tanh((T - T_cross) / w)) / 2.")
    return "correct: a least-squares fit through all points, unmoved by a stray point."


@exercise_check("14.5", "extrapolation to the infinite lattice")
def extrapolate_crossing(function) -> str:
    """Fresh crossings T(L) = T_inf + a / L + noise; compare with the straight-line fit against 1 / L."""
    function = expect_function(function, "extrapolate_crossing")
    rng = np.random.default_rng()
    for n_sizes in (3, 5):
        sizes = np.sort(rng.choice([8, 12, 16, 24, 32, 48, 64, 128], size=n_sizes, replace=False))
        t_inf, slope = rng.uniform(2.1, 2.4), rng.uniform(0.3, 1.5) * rng.choice([-1, 1])
        crossings = t_inf + slope / sizes + rng.normal(0, 0.003, n_sizes)
        result = as_tuple(call(function, sizes.copy(), crossings.copy()), "extrapolate_crossing(sizes, crossings)",
                          2)
        answer = np.array([as_array(value, name, shape=()) for value, name in
                           zip(result, ("the extrapolated crossing", "the slope"))])
        expected = np.polyfit(1.0 / sizes, crossings, 1)[::-1]
        compare(answer, expected, "(T_infinity, slope)", rtol=1e-6, known_mistakes={
            "the two values are swapped: np.polyfit returns the slope first, then the intercept; return the "
            "intercept (the value at 1/L = 0) first.": expected[::-1],
            "the fit is against L; the finite-size shift shrinks like 1/L, so fit against 1/L.":
                np.polyfit(sizes, crossings, 1)[::-1],
            "the fit is against 1/L^2; the finite-size shift of the crossing goes like 1/L.":
                np.polyfit(1.0 / sizes**2, crossings, 1)[::-1],
        }, advice="Fit a straight line to the crossings against 1/L and return its value at 1/L = 0 and its slope.")
    return "correct: a straight line against 1/L, read off at 1/L = 0."

