"""Checks of notebook 13 (convolutions by hand): conv2d, output sizes, the Ising energy, borders, pooling,
parameter counts, the input gradient and the kernel-learning model."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from utils.check.core import (
    Mistake,
    as_array,
    call,
    compare,
    describe,
    exercise_check,
    expect_function,
    expect_unchanged,
)
from utils.check.keras_models import built_model, expect_compiled, weight_blocks

PADDINGS = ("valid", "same", "periodic")


# ---------------------------------------------------------------------------
# References (the check's own answers, never shown)
# ---------------------------------------------------------------------------

def _pad_widths(size: int, extra_first: bool = False) -> tuple[int, int]:
    """Padding before and after along one axis for 'same' output; extra_first puts an even kernel's extra row on top."""
    before, after = (size - 1) // 2, size // 2
    return (after, before) if extra_first else (before, after)


def _correlate(image: np.ndarray, kernel: np.ndarray, padding: str, extra_first: bool = False) -> np.ndarray:
    """Reference 2-D cross-correlation with 'valid', 'same' (zeros) or 'periodic' (wrap) padding."""
    k_h, k_w = kernel.shape
    if padding != "valid":
        widths = (_pad_widths(k_h, extra_first), _pad_widths(k_w, extra_first))
        image = np.pad(image, widths, mode="constant" if padding == "same" else "wrap")
    out_h, out_w = image.shape[0] - k_h + 1, image.shape[1] - k_w + 1
    output = np.zeros((out_h, out_w))
    for a in range(k_h):
        for b in range(k_w):
            output += kernel[a, b] * image[a:a + out_h, b:b + out_w]
    return output


def _neighbours(spins: np.ndarray, periodic: bool = True, diagonal: bool = False) -> np.ndarray:
    """Reference sum of the four (or, with diagonal, eight) neighbours of each site."""
    padded = np.pad(spins.astype(float), 1, mode="wrap" if periodic else "constant")
    window = np.ones((3, 3)) if diagonal else np.array([[0.0, 1, 0], [1, 0, 1], [0, 1, 0]])
    window[1, 1] = 0.0
    return _correlate(padded, window, "valid")


def _bond_energy(spins: np.ndarray) -> int:
    """Reference total energy: minus the sum over right and down bonds of a periodic lattice."""
    spins = spins.astype(np.int64)
    return int(-np.sum(spins * (np.roll(spins, -1, axis=0) + np.roll(spins, -1, axis=1))))


def _random_spins(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """A random lattice of int8 spins +-1."""
    return rng.choice(np.array([-1, 1], dtype=np.int8), size=shape)


def _whole_number(value, what: str) -> int:
    """A learner's count as an int, or one sentence when it is not a single whole number."""
    number = as_array(value, what, shape=())
    if number != np.round(number):
        raise Mistake(f"{what} = {float(number):g} is not a whole number: count positions, do not divide "
                      "without rounding.")
    return int(round(float(number)))


def _check_counts(function, name: str, cases: list[tuple], expected: Callable[..., int],
                  mistakes: dict[str, Callable[..., int | None]], advice: str) -> None:
    """Compare a counting function with the expected count on every case; name the mistake that explains all misses.

    A hint is reported only if its wrong formula reproduces every wrong answer (several mistakes can agree on one
    case); otherwise the first wrong case is shown with the hint that matches it, or the advice.
    """
    wrong = []
    for args in cases:
        what = f"{name}({', '.join(repr(arg) for arg in args)})"
        answer = _whole_number(call(function, *args), what)
        if answer != expected(*args):
            wrong.append((what, answer, args))
    if not wrong:
        return
    what, answer, args = wrong[0]
    explaining = [hint for hint, formula in mistakes.items()
                  if all(formula(*case) == value for _, value, case in wrong)]
    matching = [hint for hint, formula in mistakes.items() if formula(*args) == answer]
    hint = (explaining or matching or [advice])[0]
    raise Mistake(f"{what} = {answer} is not right: {hint}")


# ---------------------------------------------------------------------------
# 13.1 conv2d
# ---------------------------------------------------------------------------

def _conv2d_result(function: Callable, image: np.ndarray, kernel: np.ndarray, padding: str) -> np.ndarray:
    """Call conv2d on copies, insist the inputs stay unchanged, return the result as a float array."""
    image_copy, kernel_copy = image.copy(), kernel.copy()
    result = call(function, image_copy, kernel_copy, padding)
    expect_unchanged(image, image_copy, "conv2d", "the image")
    expect_unchanged(kernel, kernel_copy, "conv2d", "the kernel")
    what = f"conv2d(image of shape {image.shape}, kernel of shape {kernel.shape}, {padding!r})"
    output = as_array(result, what)
    expected_shape = _correlate(np.zeros(image.shape), np.zeros(kernel.shape), padding).shape
    if output.shape != expected_shape:
        (h, w), (k_h, k_w) = image.shape, kernel.shape
        if padding == "valid" and output.shape == (h - k_h, w - k_w):
            hint = "one position short along each axis: count the first position, where the kernel's corner sits " \
                   "on the image's corner, too."
        elif padding == "valid" and output.shape == image.shape:
            hint = "'valid' keeps only the positions where the whole kernel lies on the image, so the output is " \
                   "smaller than the image."
        elif padding == "valid" and output.shape == (h - k_w + 1, w - k_h + 1):
            hint = "the kernel's rows and columns are mixed up: its first axis runs along the image's rows."
        elif padding == "valid":
            hint = "'valid' keeps the positions where the whole kernel lies on the image."
        else:
            hint = f"with padding {padding!r} the output has the shape of the image: pad k - 1 rows and k - 1 " \
                   "columns in total."
        raise Mistake(f"{what} has shape {output.shape}, not {expected_shape}: {hint}")
    return output


@exercise_check("13.1", "cross-correlation by hand")
def conv2d(function) -> str:
    """Fresh images and kernels (odd, even, non-square) in every padding; flips, padding mix-ups, dtype, mutation."""
    function = expect_function(function, "conv2d")
    rng = np.random.default_rng()
    shapes = [((int(rng.integers(7, 12)), int(rng.integers(12, 16))), kernel)
              for kernel in ((3, 3), (2, 4), (3, 2), (1, 1), (5, 3))]
    for image_shape, kernel_shape in shapes:
        image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
        for padding in PADDINGS:
            output = _conv2d_result(function, image, kernel, padding)
            expected = _correlate(image, kernel, padding)
            other = {"same": "periodic", "periodic": "same"}.get(padding)
            mistakes = {}
            if kernel.size > 1:
                mistakes["the kernel is flipped (rotated by 180 degrees): that is the convolution of mathematics. "
                          "The layers of deep learning slide the kernel as it is."] = \
                    _correlate(image, kernel[::-1, ::-1], padding)
            if padding == "periodic":
                mistakes["the edge sees zeros: periodic padding takes the missing rows and columns from the "
                         "opposite edge of the image."] = _correlate(image, kernel, other)
            if padding == "same":
                mistakes["the padding wraps around to the opposite edge: 'same' pads with zeros."] = \
                    _correlate(image, kernel, other)
            if padding != "valid" and (kernel_shape[0] % 2 == 0 or kernel_shape[1] % 2 == 0):
                mistakes["for an even kernel size the extra padding row (column) is on the wrong side: Keras and "
                         "SciPy put it at the bottom (right)."] = _correlate(image, kernel, padding, extra_first=True)
            compare(output, expected, f"conv2d(..., {padding!r}) with a {kernel_shape[0]}x{kernel_shape[1]} kernel",
                    known_mistakes=mistakes, advice="Compare it with scipy.signal.correlate2d on a small example.")
    spins = _random_spins(rng, (9, 13))
    fractions = np.array([[0.5, -0.25], [0.75, 0.125]])
    for padding in PADDINGS:
        raw = call(function, spins.copy(), np.array([[0, 1, 0], [1, -2, 1], [0, 1, 1]]), padding)
        as_array(raw, f"conv2d(int8 spins, integer kernel, {padding!r})")
        if not np.issubdtype(np.asarray(raw).dtype, np.floating):
            raise Mistake(f"conv2d returns an array of dtype {np.asarray(raw).dtype} for a spin lattice and an "
                          "integer kernel: return floats, as the task asks (and as a layer computes).")
        expected = _correlate(spins.astype(float), fractions, padding)
        compare(_conv2d_result(function, spins, fractions, padding), expected,
                f"conv2d(int8 spins, float kernel, {padding!r})", known_mistakes={
                    "the values are cut to integers: an output array made like the int8 input (np.zeros_like) "
                    "keeps its integer dtype; make a float array.": np.trunc(expected),
                })
    return "correct: it matches a reference cross-correlation in every padding, for odd and even kernels."


# ---------------------------------------------------------------------------
# 13.2 output size
# ---------------------------------------------------------------------------

@exercise_check("13.2", "output size")
def output_size(function) -> str:
    """Fresh (n, k, stride) in both paddings, with the boundaries n = k, k = 1 and strides that do not divide."""
    function = expect_function(function, "output_size")
    rng = np.random.default_rng()
    triples = [(int(n), int(k), int(s)) for n, k, s in zip(rng.integers(9, 60, 12), rng.integers(1, 8, 12),
                                                           rng.integers(1, 5, 12))]
    triples += [(7, 7, 1), (10, 3, 3), (11, 4, 2), (16, 1, 3), (9, 2, 4), (13, 5, 4), (32, 3, 2), (33, 3, 2)]
    cases = [(n, k, padding, s) for n, k, s in triples for padding in ("valid", "same")]

    def valid(formula):
        """A wrong formula for padding 'valid' only (None, never matching, for 'same')."""
        return lambda n, k, padding, s: formula(n, k, s) if padding == "valid" else None

    def same(formula):
        """A wrong formula for padding 'same' only."""
        return lambda n, k, padding, s: formula(n, k, s) if padding == "same" else None

    mistakes = {
        "one output short: count the first position of the kernel too.": valid(lambda n, k, s: (n - k) // s),
        "a last step that would leave the image is counted: round down.": valid(lambda n, k, s: -(-(n - k) // s) + 1),
        "the stride is ignored: the kernel jumps `stride` sites at a time.": valid(lambda n, k, s: n - k + 1),
        "this is the size for 'same' padding; 'valid' does not pad.": valid(lambda n, k, s: -(-n // s)),
        "the stride is ignored: 'same' keeps the input's length only for stride 1.": same(lambda n, k, s: n),
        "a last, partial step is dropped: 'same' pads so that it is kept (round up).": same(lambda n, k, s: n // s),
        "this is the size for 'valid'; 'same' pads the input first.": same(lambda n, k, s: (n - k) // s + 1),
    }
    _check_counts(function, "output_size", cases,
                  lambda n, k, padding, s: (n - k) // s + 1 if padding == "valid" else -(-n // s), mistakes,
                  "compare with the shape of a Keras Conv2D output for these numbers.")
    return "correct for both paddings, any stride, and the boundary cases."


# ---------------------------------------------------------------------------
# 13.3 the Ising energy as a convolution
# ---------------------------------------------------------------------------

def _test_lattices(rng: np.random.Generator) -> list[np.ndarray]:
    """Random lattices (square and not), plus the ordered ground state and the checkerboard."""
    lattices = [_random_spins(rng, (size, size)) for size in rng.integers(4, 20, 3)]
    lattices.append(_random_spins(rng, (int(rng.integers(4, 9)), int(rng.integers(10, 15)))))
    size = 2 * int(rng.integers(3, 8))
    lattices.append(np.ones((size, size), dtype=np.int8))
    lattices.append(np.where(np.add.outer(np.arange(size), np.arange(size)) % 2 == 0, 1, -1).astype(np.int8))
    return lattices


@exercise_check("13.3", "neighbour sum as a convolution")
def neighbour_sum(function) -> str:
    """Fresh random lattices: the four nearest neighbours with periodic wrap, not the site or the diagonals."""
    function = expect_function(function, "neighbour_sum")
    rng = np.random.default_rng()
    for spins in _test_lattices(rng)[:4]:
        given = spins.copy()
        result = as_array(call(function, given), f"neighbour_sum(lattice of shape {spins.shape})")
        expect_unchanged(spins, given, "neighbour_sum", "the lattice")
        expected = _neighbours(spins)
        if result.shape != spins.shape:
            raise Mistake(f"neighbour_sum returns shape {result.shape} for a lattice of shape {spins.shape}: every "
                          "site has a neighbour sum, so pad periodically to keep the lattice's shape.")
        compare(result, expected, "the neighbour sum", known_mistakes={
            "the site itself is counted: the centre of the kernel must be 0.": expected + spins,
            "the diagonal neighbours are counted: only up, down, left and right are nearest neighbours.":
                _neighbours(spins, diagonal=True),
            "sites at the edge miss neighbours: the lattice is periodic, so pad with the spins of the opposite "
            "edge.": _neighbours(spins, periodic=False),
        }, advice="Look at the neighbour sum of one site of a small lattice.")
    return "correct: the four nearest neighbours of every site, with periodic boundaries."


@exercise_check("13.3", "Ising energy from the neighbour sum")
def ising_energy(function) -> str:
    """Random lattices, the ground state and the checkerboard: the exact integer bond sum."""
    function = expect_function(function, "ising_energy")
    rng = np.random.default_rng()
    results = []
    for spins in _test_lattices(rng):
        given = spins.copy()
        result = call(function, given)
        expect_unchanged(spins, given, "ising_energy", "the lattice")
        what = f"ising_energy(lattice of shape {spins.shape})"
        if np.ndim(result) != 0 and not (isinstance(result, np.ndarray) and result.size == 1):
            raise Mistake(f"{what} returns {describe(result)}: the energy of a lattice is one number, the sum over "
                          "all sites.")
        energy = float(as_array(np.reshape(result, ()) if isinstance(result, np.ndarray) else result, what, shape=()))
        expected = _bond_energy(spins)
        results.append((what, energy, expected, {
            "every bond is counted twice, once from each of its two sites.": 2 * expected,
            "it has the wrong sign: aligned neighbours lower the energy (J > 0).": -expected,
            "the site itself is counted as its own neighbour (the kernel's centre must be 0): each site adds "
            "s_i^2 = 1.": expected - spins.size / 2,
            "bonds across the edge are missing: the lattice is periodic.":
                -0.5 * float(np.sum(spins * _neighbours(spins, periodic=False))),
            "this is the energy per spin; the task asks for the total energy.": expected / spins.size,
        }))
    wrong = [result for result in results if abs(result[1] - result[2]) > 1e-9]
    if wrong:  # name a mistake only if it explains every wrong energy (one lattice can fit two mistakes)
        what, energy, expected, mistakes = wrong[0]
        explaining = [hint for hint in mistakes if all(abs(e - m[hint]) <= 1e-9 for _, e, _, m in wrong)]
        if explaining:
            raise Mistake(f"{what} is not right: {explaining[0]}")
        compare(energy, expected, what, rtol=0.0, atol=1e-9,
                advice="It uses your neighbour_sum: get that check to ✅ first. Then try the fully ordered "
                       "lattice: its energy is -2 per site.")
    return "correct: the exact bond sum on random lattices, the ordered lattice and the checkerboard."


# ---------------------------------------------------------------------------
# 13.4 the border that zero padding creates
# ---------------------------------------------------------------------------

@exercise_check("13.4", "sites that see the padding")
def border_sites(function) -> str:
    """Fresh (L, k) with odd and even k, and the boundaries k = 1 and k = L."""
    function = expect_function(function, "border_sites")
    rng = np.random.default_rng()
    sizes = [int(size) for size in rng.integers(8, 64, 4)]
    cases = [(size, int(k)) for size, k in zip(sizes, (3, 5, 2, 4))] + [(sizes[0], 1), (7, 7), (10, 6), (12, 3)]
    _check_counts(function, "border_sites", cases, lambda L, k: L * L - (L - k + 1) ** 2, {
        "this counts the sites that do not see the padding.": lambda L, k: (L - k + 1) ** 2,
        "wrong for even kernels: an even kernel is padded by (k - 1) // 2 on one side and k // 2 on the other.":
            lambda L, k: L * L - (L - 2 * (k // 2)) ** 2,
        "the corner sites are counted twice.": lambda L, k: 4 * (k // 2) * L,
        "only the outermost ring is counted; a wider kernel reaches further in.": lambda L, k: 4 * (L - 1),
    }, "count the sites whose kernel window reaches past the edge.")
    return "correct for odd and even kernels, including k = 1 and a kernel as large as the lattice."


# ---------------------------------------------------------------------------
# 13.5 pooling
# ---------------------------------------------------------------------------

def _pool(image: np.ndarray, size: int, reduce: Callable, stride: int | None = None, keep_edge: bool = False):
    """Reference pooling over size x size windows with the given stride (default size); keep_edge keeps partial ones."""
    stride = stride or size
    height, width = image.shape
    if keep_edge:
        rows, columns = range(0, height, stride), range(0, width, stride)
    else:
        rows, columns = range(0, height - size + 1, stride), range(0, width - size + 1, stride)
    return np.array([[reduce(image[i:i + size, j:j + size]) for j in columns] for i in rows])


def _pool_check(function, name: str, reduce: Callable, other: Callable, other_name: str) -> str:
    """Shared test of max and average pooling: leftover edges, stride, the other reduction, mutation."""
    function = expect_function(function, name)
    rng = np.random.default_rng()
    cases = [((int(rng.integers(9, 15)), int(rng.integers(9, 15))), 4), ((10, 7), 3), ((12, 8), 2), ((6, 5), 1)]
    for shape, size in cases:
        for image in (rng.normal(size=shape), _random_spins(rng, shape)):
            given = image.copy()
            what = f"{name}(image of shape {shape}, {size})"
            result = as_array(call(function, given, size), what)
            expect_unchanged(image, given, name, "the image")
            expected = _pool(image.astype(float), size, reduce)
            if result.shape != expected.shape:
                if result.shape == _pool(image, size, reduce, stride=1).shape:
                    hint = "the windows overlap (stride 1): pooling moves by the window size."
                elif result.shape == _pool(image, size, reduce, keep_edge=True).shape:
                    hint = "the leftover rows or columns at the edge are kept: drop them, as Keras does with " \
                           "padding='valid'."
                else:
                    hint = "each output is one size x size block of the image."
                raise Mistake(f"{what} has shape {result.shape}, not {expected.shape}: {hint}")
            compare(result, expected, what, known_mistakes={
                f"it computes the {other_name} of each block.": _pool(image.astype(float), size, other),
            }, advice="Check which sites form the first block: rows 0 to size - 1 and columns 0 to size - 1.")
    return "correct: non-overlapping blocks, leftover rows and columns dropped, the input left unchanged."


@exercise_check("13.5", "max pooling")
def max_pool(function) -> str:
    """Fresh images with leftover rows and columns; the maximum of each block."""
    return _pool_check(function, "max_pool", np.max, np.mean, "mean")


@exercise_check("13.5", "average pooling")
def average_pool(function) -> str:
    """Fresh images with leftover rows and columns; the mean of each block."""
    return _pool_check(function, "average_pool", np.mean, np.max, "maximum")


# ---------------------------------------------------------------------------
# 13.6 parameter counts and the receptive field
# ---------------------------------------------------------------------------

@exercise_check("13.6", "parameters of a convolutional layer")
def conv_parameters(function) -> str:
    """Fresh kernel sizes, input channels (never equal to k) and filters against weights plus a bias per filter."""
    function = expect_function(function, "conv_parameters")
    rng = np.random.default_rng()
    sizes = rng.integers(2, 8, 5)
    cases = [(int(k), int(k + offset), int(f)) for k, offset, f in zip(sizes, rng.integers(1, 12, 5),
                                                                       rng.integers(2, 65, 5))]
    _check_counts(function, "conv_parameters", cases, lambda k, c, f: (k * k * c + 1) * f, {
        "the biases are missing: each filter has one.": lambda k, c, f: k * k * c * f,
        "there is one bias per filter, not one per input channel.": lambda k, c, f: (k * k + 1) * c * f,
        "each filter has a k x k kernel for every input channel.": lambda k, c, f: (k * k + 1) * f,
        "a kernel is k x k, not k.": lambda k, c, f: (k * c + 1) * f,
    }, "count the kernel entries of one filter, then its bias.")
    return "correct: a k x k kernel for every input channel, plus a bias, per filter."


@exercise_check("13.6", "parameters of a dense layer")
def dense_parameters(function) -> str:
    """Fresh input and output sizes against weights plus one bias per output unit."""
    function = expect_function(function, "dense_parameters")
    rng = np.random.default_rng()
    cases = [(int(n_in), int(n_out)) for n_in, n_out in zip(rng.integers(2, 5000, 5), rng.integers(2, 300, 5))]
    _check_counts(function, "dense_parameters", cases, lambda n_in, n_out: (n_in + 1) * n_out, {
        "the biases are missing: each output unit has one.": lambda n_in, n_out: n_in * n_out,
        "there is one bias per output unit, not one per input.": lambda n_in, n_out: n_in * (n_out + 1),
        "only the output units have biases.": lambda n_in, n_out: (n_in + 1) * (n_out + 1),
    }, "every input connects to every output unit.")
    return "correct: every input connected to every output unit, plus one bias per unit."


def _gradient_model(height: int, width: int):
    """A small random convolutional model (tanh, 'same' padding) whose output has the input's size."""
    import keras

    return keras.Sequential([keras.Input(shape=(height, width, 1)),
                             keras.layers.Conv2D(2, 3, padding="same", activation="tanh"),
                             keras.layers.Conv2D(1, 3, padding="same")])


def _reference_gradient(model, image: np.ndarray, output: Callable) -> np.ndarray:
    """Gradient of output(model(x)) with respect to the (H, W) input x."""
    import tensorflow as tf

    x = tf.constant(image[None, :, :, None].astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = output(model(x))
    return tape.gradient(value, x).numpy()[0, :, :, 0].astype(float)


@exercise_check("13.6", "gradient of one output pixel")
def input_gradient(function) -> str:
    """A fresh random model and non-square image: the gradient of one output pixel, not of the sum."""
    function = expect_function(function, "input_gradient")
    import tensorflow as tf

    rng = np.random.default_rng()
    height, width = int(rng.integers(9, 13)), int(rng.integers(14, 18))
    model = _gradient_model(height, width)
    image = rng.normal(size=(height, width))
    row, column = (int(index) for index in rng.choice(np.arange(2, height - 2), size=2, replace=False))
    given = image.copy()
    try:
        result = call(function, model, given, row, column)
    except Mistake as mistake:
        if "NoneType" in str(mistake):
            raise Mistake("the tape gave None as the gradient: it follows only variables unless you ask it to "
                          "watch the input, and only operations recorded inside the `with` block.") from None
        raise
    expect_unchanged(image, given, "input_gradient", "the image")
    what = f"input_gradient(model, image of shape {image.shape}, {row}, {column})"
    if result is None:
        raise Mistake(f"{what} is None: did you forget a `return`?")
    gradient = np.asarray(result.numpy() if isinstance(result, tf.Tensor) else result)
    if gradient.shape == (1, height, width, 1):
        raise Mistake(f"{what} has shape {gradient.shape}: drop the batch and channel axes and return an array of "
                      "the image's shape.")
    gradient = as_array(gradient, what, shape=(height, width))
    expected = _reference_gradient(model, image, lambda y: y[0, row, column, 0])
    compare(gradient, expected, what, rtol=1e-4, atol=1e-6, known_mistakes={
        "it is the gradient of the sum of all output pixels, not of the one at (row, column).":
            _reference_gradient(model, image, tf.reduce_sum),
        "row and column are swapped: the first index of an image is the row.":
            _reference_gradient(model, image, lambda y: y[0, column, row, 0]),
    }, advice="Differentiate the model's output at [0, row, column, 0] with respect to the input tensor.")
    return "correct: the gradient of one output pixel with respect to every input site."


# ---------------------------------------------------------------------------
# 13.7 a layer that learns the kernel
# ---------------------------------------------------------------------------

KERNEL_LEARNING_RATE = 0.2


@exercise_check("13.7", "a Conv2D layer that learns the kernel")
def build_kernel_model(function) -> str:
    """Build for two lattice sizes: padded input, one 3x3 filter without bias, 'valid', linear, SGD and MSE."""
    function = expect_function(function, "build_kernel_model")
    for size in (8, 13):
        name = f"build_kernel_model({size})"
        model = built_model(function, (size,), name)
        padded = size + 2
        if tuple(model.input_shape) != (None, padded, padded, 1):
            hint = " The input is the lattice padded by one site on every side." \
                if tuple(model.input_shape) == (None, size, size, 1) else ""
            raise Mistake(f"{name} has input shape {model.input_shape}, not (None, {padded}, {padded}, 1): use "
                          f"keras.Input(shape=(L + 2, L + 2, 1)).{hint}")
        blocks = weight_blocks(model)
        if len(blocks) != 1 or blocks[0].kind != "Conv2D":
            kinds = ", ".join(block.kind for block in blocks) or "no layer with weights"
            raise Mistake(f"{name} has {kinds}: the model is one Conv2D layer and nothing else.")
        block = blocks[0]
        layer = block.layer
        if block.size != 1:
            raise Mistake(f"the Conv2D layer has {block.size} filters: one filter gives one output map, the "
                          "neighbour sum.")
        if tuple(layer.kernel_size) != (3, 3):
            raise Mistake(f"the kernel is {layer.kernel_size[0]}x{layer.kernel_size[1]}: nearest neighbours fit in a "
                          "3x3 kernel.")
        if layer.use_bias:
            raise Mistake("the layer has a bias: the neighbour sum has none, so switch it off (use_bias=False).")
        if layer.padding != "valid":
            raise Mistake(f"the layer pads the input ({layer.padding!r}), which adds zeros around the lattice. The "
                          "input is already padded periodically: keep the default padding='valid'.")
        if tuple(layer.strides) != (1, 1) or tuple(layer.dilation_rate) != (1, 1):
            raise Mistake("the layer should visit every site: strides and dilation 1.")
        if block.activation != "linear":
            raise Mistake(f"the layer applies the activation {block.activation!r}: the neighbour sum is a linear "
                          "map, and it can be negative.")
        if tuple(model.output_shape) != (None, size, size, 1):
            raise Mistake(f"{name} has output shape {model.output_shape}, not (None, {size}, {size}, 1) like the "
                          "targets.")
        expect_compiled(model, name, optimizer="SGD", rate=KERNEL_LEARNING_RATE, loss="mse")
    return "correct: a padded lattice in, one 3x3 filter without bias or activation, SGD on the squared error."
