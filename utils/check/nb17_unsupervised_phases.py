"""Checks of notebook 17 (the Ising phases without labels): PCA by SVD, a sign-symmetric autoencoder, the
reconstruction error of each lattice and two-means clustering in one dimension."""

from __future__ import annotations

import numpy as np

from utils.check.core import (
    Mistake,
    as_array,
    as_tuple,
    call,
    close,
    compare,
    describe,
    exercise_check,
    expect_function,
    expect_unchanged,
)
from utils.check.keras_models import blocks, expect_compiled, nested_blocks

HIDDEN_UNITS = 32
N_SPINS = 1024
LEARNING_RATE = 3e-3


def _call_on_copy(function, name: str, arrays: tuple[np.ndarray, ...], *others):
    """Call function(*copies of arrays, *others); a Mistake for in-place changes of the arrays or a missing return."""
    given = tuple(array.copy() for array in arrays)
    result = call(function, *given, *others)
    for array, passed in zip(arrays, given):
        expect_unchanged(array, passed, name, "the array it was given",
                         "an operation such as -= or .sort() writes into the caller's data; work on a new array")
    if result is None:
        raise Mistake(f"{name} returned None: did you forget a `return`?")
    return result


# --- 17.1 PCA by SVD -----------------------------------------------------------------------------------------------

def _data(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Correlated data with well separated variances and a large offset from the origin (so centring matters)."""
    scales = np.sort(rng.uniform(0.3, 1.0, d))[::-1] * np.geomspace(4.0, 0.5, d)
    rotation, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (rng.normal(size=(n, d)) * scales) @ rotation.T + rng.uniform(3.0, 6.0, d)


def _sklearn_pca(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Components (k, d) and projections (n, k) from scikit-learn's PCA, the reference."""
    from sklearn.decomposition import PCA

    model = PCA(n_components=k, svd_solver="full").fit(X)
    return model.components_, model.transform(X)


def _aligned(components: np.ndarray, projections: np.ndarray, reference: np.ndarray):
    """Flip each learner component (and its projections) to point the way of the reference: PCA fixes no sign."""
    signs = np.where(np.sum(components * reference, axis=1) < 0, -1.0, 1.0)
    return components * signs[:, None], projections * signs[None, :]


def _pca_components(function, X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Call pca(X, k) and read (components, projections) with a sentence for a wrong form or shape."""
    n, d = X.shape
    result = as_tuple(_call_on_copy(function, "pca", (X,), k), "pca(X, n_components)", 2)
    components = as_array(result[0], "the components")
    projections = as_array(result[1], "the projections")
    if components.shape == (d, k) != (k, d):
        raise Mistake(f"the components have shape {components.shape}: one component per row, shape "
                      f"(n_components, n_features) = ({k}, {d}); transpose.")
    if components.shape in ((n, k), (k, n)):
        raise Mistake(f"the components have one entry per data point (shape {components.shape}): those are "
                      "columns of U, the left singular vectors. The principal directions live in the space of the "
                      "features: the rows of Vt.")
    if components.ndim == 2 and components.shape[1] == d and components.shape[0] != k:
        raise Mistake(f"pca(X, {k}) returned {components.shape[0]} components instead of {k}: keep only the "
                      "first n_components.")
    if components.shape != (k, d):
        raise Mistake(f"for X of shape {X.shape} and n_components = {k} the components should have shape "
                      f"({k}, {d}), not {components.shape}.")
    if projections.shape != (n, k):
        if projections.shape == (k, n):
            raise Mistake(f"the projections have shape {projections.shape}: one row per data point, shape "
                          f"({n}, {k}); transpose.")
        raise Mistake(f"the projections should have shape ({n}, {k}), one row per data point, not "
                      f"{projections.shape}.")
    return components, projections


@exercise_check("17.1", "PCA by SVD")
def pca(function) -> str:
    """Fresh data with an offset, several sizes (including one component and all of them): scikit-learn up to sign."""
    function = expect_function(function, "pca")
    rng = np.random.default_rng()
    for n, d, k in ((int(rng.integers(40, 80)), int(rng.integers(6, 10)), 2), (30, 5, 1), (25, 4, 4)):
        X = _data(rng, n, d)
        components, projections = _pca_components(function, X, k)
        reference, expected = _sklearn_pca(X, k)
        lengths = np.linalg.norm(components, axis=1)
        _, _, vt = np.linalg.svd(X, full_matrices=False)
        if close(np.abs(components), np.abs(vt[:k]), rtol=1e-5, atol=1e-7) and not close(
                np.abs(components), np.abs(reference), rtol=1e-5, atol=1e-7):
            raise Mistake("these are the directions of the raw data: subtract the mean of every feature (column) "
                          "before the SVD, otherwise the first direction points at the mean, not along the spread.")
        _, _, vt_rows = np.linalg.svd(X - X.mean(axis=1, keepdims=True), full_matrices=False)
        if close(np.abs(components), np.abs(vt_rows[:k]), rtol=1e-5, atol=1e-7):
            raise Mistake("the data were centred with the mean of each row (each data point); subtract the mean of "
                          "each column (each feature), X.mean(axis=0).")
        _, singular_values, vt_centred = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
        if k < d and close(np.abs(components), np.abs(vt_centred[::-1][:k]), rtol=1e-5, atol=1e-7):
            raise Mistake("these are the directions of the smallest variance: order the components by decreasing "
                          "singular value (np.linalg.svd already does; np.linalg.eigh sorts eigenvalues upwards).")
        if k > 1 and close(np.abs(components), np.abs(vt_centred[:k][::-1]), rtol=1e-5, atol=1e-7):
            raise Mistake("the right components come in the wrong order: the first row should be the direction of "
                          "the largest variance, then decreasing.")
        if not np.allclose(lengths, 1.0, rtol=1e-5):
            raise Mistake(f"the components have lengths from {lengths.min():.3g} to {lengths.max():.3g}: each "
                          "principal direction is a unit vector (a row of Vt, not scaled by its singular value).")
        components, projections = _aligned(components, projections, reference)
        compare(components, reference, "the components", rtol=1e-5, atol=1e-7,
                advice="Take the first n_components rows of Vt from the SVD of the centred data.")
        unscaled = expected / singular_values[:k]
        if any(close(projections[:, j], -expected[:, j], rtol=1e-5, atol=1e-7) for j in range(k)):
            raise Mistake("a component and its projections have opposite signs: flip the sign of a component "
                          "together with its projections.")
        compare(projections, expected, "the projections", rtol=1e-5, atol=1e-7, known_mistakes={
            "they are the columns of U, of unit length: scale them by the singular values, or project the centred "
            "data onto the components, (X - mean) @ components.T.": unscaled,
            "they project the raw data: project the centred data, (X - mean) @ components.T, so that the "
            "projections have mean zero.": X @ components.T,
        }, advice="Project the centred data onto the components: (X - mean) @ components.T.")
    return "correct: centred, decomposed, sorted, and the same as scikit-learn's PCA up to the sign of each component."


# --- 17.2 the autoencoder ------------------------------------------------------------------------------------------

def _outputs(model, x: np.ndarray) -> np.ndarray:
    """The model's outputs on x as a NumPy array (a direct call)."""
    import keras

    return keras.ops.convert_to_numpy(model(x, training=False))


def _expect_dense_stack(layers, expected: list[tuple[int, str]], what: str, n_latent: int) -> None:
    """Raise a Mistake unless the blocks are Dense layers of the expected (units, activation), without biases."""
    kinds = [block.kind for block in layers]
    if any(kind != "Dense" for kind in kinds):
        other = next(kind for kind in kinds if kind != "Dense")
        raise Mistake(f"the {what} holds a {other} layer; the task's {what} has only Dense layers.")
    sizes = [block.size for block in layers]
    if sizes != [units for units, _ in expected]:
        raise Mistake(f"with n_latent = {n_latent} the {what} has Dense layers of {sizes} units, not "
                      f"{[units for units, _ in expected]}.")
    for block, (units, activation) in zip(layers, expected):
        if block.activation != activation:
            if activation == "linear":
                raise Mistake(f"the latent layer applies {block.activation!r}: leave it linear, so that the latent "
                              "variable can take any value.")
            if block.activation == "relu":
                raise Mistake(f"the {what} uses ReLU; the task asks for tanh, which is odd (tanh(-x) = -tanh(x)), "
                              "so that a flipped lattice gives the flipped latent.")
            raise Mistake(f"a Dense layer of {units} units in the {what} applies {block.activation!r}; the task "
                          f"asks for {activation!r}.")
        if getattr(block.layer, "use_bias", False):
            raise Mistake(f"the Dense layers of the {what} have biases: with a bias the encoder of a flipped "
                          "lattice is no longer minus the encoder of the lattice. Use use_bias=False everywhere.")


def _model_pair(function, n_latent: int):
    """Call build_autoencoder(n_latent) and return (encoder, autoencoder), two Keras models."""
    import keras

    result = as_tuple(call(function, n_latent), f"build_autoencoder({n_latent})", 2)
    for model, name in zip(result, ("encoder", "autoencoder")):
        if not isinstance(model, keras.Model):
            raise Mistake(f"build_autoencoder should return (encoder, autoencoder), two Keras models; the {name} "
                          f"is {describe(model)}.")
    return result


@exercise_check("17.2", "an autoencoder with a small bottleneck")
def build_autoencoder(function) -> str:
    """Layers, sizes, biases, activations, the shared encoder, the spin-flip symmetry and the compile settings."""
    function = expect_function(function, "build_autoencoder")
    rng = np.random.default_rng()
    for n_latent in (1, int(rng.integers(2, 4))):
        encoder, autoencoder = _model_pair(function, n_latent)
        if tuple(encoder.input_shape) != (None, N_SPINS) or tuple(autoencoder.input_shape) != (None, N_SPINS):
            raise Mistake(f"the encoder and the autoencoder should read flattened lattices, "
                          f"keras.Input(shape=({N_SPINS},)); found {tuple(encoder.input_shape)} and "
                          f"{tuple(autoencoder.input_shape)}.")
        if tuple(encoder.output_shape) != (None, n_latent):
            raise Mistake(f"build_autoencoder({n_latent}) gives an encoder with output shape "
                          f"{tuple(encoder.output_shape)}: the bottleneck should have n_latent units.")
        if tuple(autoencoder.output_shape) != (None, N_SPINS):
            raise Mistake(f"the autoencoder's output shape is {tuple(autoencoder.output_shape)}: it should give "
                          f"back a whole lattice, (None, {N_SPINS}).")
        _expect_dense_stack(blocks(encoder), [(HIDDEN_UNITS, "tanh"), (n_latent, "linear")], "encoder", n_latent)
        _expect_dense_stack(nested_blocks(autoencoder), [(HIDDEN_UNITS, "tanh"), (n_latent, "linear"),
                                                         (HIDDEN_UNITS, "tanh"), (N_SPINS, "tanh")],
                            "autoencoder", n_latent)
        shared = {id(variable) for variable in autoencoder.weights}
        if not all(id(variable) in shared for variable in encoder.weights):
            raise Mistake("the autoencoder does not use the encoder's layers (it has weights of its own): build it "
                          "from the encoder, e.g. keras.Sequential([encoder, decoder]), so that training the "
                          "autoencoder trains the encoder you read the latent from.")
        x = rng.choice(np.array([-1.0, 1.0], dtype="float32"), size=(4, N_SPINS))
        for model, name in ((encoder, "encoder"), (autoencoder, "autoencoder")):
            if not np.allclose(_outputs(model, -x), -_outputs(model, x), atol=1e-5):
                raise Mistake(f"the {name} of a flipped lattice is not minus the {name} of the lattice: the layers "
                              "must have no biases and odd activations (tanh, or none).")
        expect_compiled(autoencoder, "build_autoencoder", optimizer="Adam", rate=LEARNING_RATE,
                        loss="mean_squared_error")
    return ("correct: 1024 -> 32 tanh -> n_latent -> 32 tanh -> 1024 tanh without biases, the encoder shared, "
            "odd under the spin flip, compiled.")


# --- 17.3 reconstruction errors ------------------------------------------------------------------------------------

@exercise_check("17.3", "the reconstruction error of each lattice")
def reconstruction_errors(function) -> str:
    """Flattened and square lattices of fresh sizes: the mean squared difference over the spins of each lattice."""
    function = expect_function(function, "reconstruction_errors")
    rng = np.random.default_rng()
    n, side = int(rng.integers(5, 12)), int(rng.integers(4, 8))  # n differs from side and side * side
    for shape in ((n, side * side), (n, side, side)):
        x = rng.choice(np.array([-1.0, 1.0]), size=shape)
        x_hat = np.tanh(rng.normal(0.0, 1.5, size=shape))
        errors = as_array(_call_on_copy(function, "reconstruction_errors", (x, x_hat)),
                          "reconstruction_errors(x, x_hat)")
        spin_axes = tuple(range(1, len(shape)))
        if errors.ndim == 0:
            raise Mistake("the result is one number for the whole batch: return one error per lattice, the mean "
                          "over the spins of each lattice only.")
        if errors.shape == shape[1:]:
            raise Mistake(f"the result has shape {errors.shape}: that is an average over the lattices (axis 0); "
                          "average over the spins of each lattice instead.")
        if len(shape) == 3 and errors.shape == (n, side):
            raise Mistake(f"for lattices of shape {shape} the result has shape {errors.shape}: average over both "
                          "lattice axes (all spins), not over the last one only.")
        squared = (x - x_hat) ** 2
        compare(errors, squared.mean(axis=spin_axes), "the errors", rtol=1e-6, known_mistakes={
            "they are sums over the spins: take the mean, so that lattices of any size compare.":
                squared.sum(axis=spin_axes),
            "they average the absolute differences: square the differences.": np.abs(x - x_hat).mean(axis=spin_axes),
            "they are the square root of the mean squared difference: the task asks for the mean itself.":
                np.sqrt(squared.mean(axis=spin_axes)),
        }, advice="For each lattice, average (x - x_hat) ** 2 over all its spins.")
    return "correct: the mean squared difference over the spins of each lattice, for flat and square lattices."


# --- 17.4 two-means clustering -------------------------------------------------------------------------------------

def _two_means(values: np.ndarray, update=np.mean, max_rounds: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's algorithm with two centres started at the smallest and the largest value (ties go to the low one)."""
    centres = np.array([values.min(), values.max()])
    labels = None
    for _ in range(max_rounds):
        new = (np.abs(values - centres[1]) < np.abs(values - centres[0])).astype(int)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        centres = np.array([update(values[labels == 0]), update(values[labels == 1])])
    return centres, labels


def _clustered_values(rng: np.random.Generator) -> np.ndarray:
    """A wide large group and a narrow small one of fresh sizes, shuffled: the first split, halfway between the
    extremes, cuts through the wide group, so that the converged clusters differ from those of the first step."""
    wide = rng.normal(0.0, rng.uniform(0.8, 1.2), int(rng.integers(150, 250)))
    narrow = rng.normal(rng.uniform(3.5, 4.5), rng.uniform(0.1, 0.3), int(rng.integers(40, 80)))
    return rng.permutation(np.concatenate([wide, narrow]))


@exercise_check("17.4", "two clusters in one dimension")
def two_means(function) -> str:
    """Fresh lopsided data whose first split is far from the converged one: centres, labels, input unchanged."""
    function = expect_function(function, "two_means")
    rng = np.random.default_rng()
    for _ in range(3):
        values = _clustered_values(rng)
        result = as_tuple(_call_on_copy(function, "two_means", (values,)), "two_means(values)", 2)
        centres = as_array(result[0], "the centres")
        labels = as_array(result[1], "the labels")
        if centres.shape != (2,):
            raise Mistake(f"the centres have shape {centres.shape}: return the two centres as an array of 2 values.")
        if labels.shape != values.shape:
            raise Mistake(f"the labels have shape {labels.shape}: one label (0 or 1) per value, shape "
                          f"{values.shape}.")
        if not np.all(np.isin(labels, (0, 1))):
            raise Mistake("the labels should be 0 (the cluster with the lower centre) or 1, one per value.")
        expected_centres, expected_labels = _two_means(values)
        if np.array_equal(labels, 1 - expected_labels) or centres[0] > centres[1]:
            raise Mistake("the clusters are the other way round: label 0 and the first centre belong to the "
                          "cluster with the lower centre.")
        first_split = (values > 0.5 * (values.min() + values.max())).astype(int)
        if np.array_equal(labels, first_split) and not np.array_equal(first_split, expected_labels):
            raise Mistake("the clusters are those of the first step only (split halfway between the smallest and "
                          "the largest value): repeat assigning and moving the centres until the labels stop "
                          "changing.")
        at_mean = (values > values.mean()).astype(int)
        if np.array_equal(labels, at_mean) and not np.array_equal(at_mean, expected_labels):
            raise Mistake("the split is at the mean of all values; two-means moves two centres, each to the mean of "
                          "its own cluster, and splits halfway between them, until nothing changes.")
        _, median_labels = _two_means(values, update=np.median)
        if np.array_equal(labels, median_labels) and not np.array_equal(labels, expected_labels):
            raise Mistake("the centres move to the median of their cluster: k-means moves each to the mean.")
        if not np.array_equal(labels, expected_labels):
            wrong = int(np.sum(labels != expected_labels))
            raise Mistake(f"{wrong} of {len(values)} values are in the wrong cluster: start from the smallest and "
                          "the largest value, give each value to the nearer centre, move each centre to the mean of "
                          "its values, and repeat until the labels stop changing.")
        compare(centres, expected_centres, "the centres", rtol=1e-6, known_mistakes={
            "they are the medians of the final clusters: return their means.":
                np.array([np.median(values[labels == 0]), np.median(values[labels == 1])]),
        }, advice="Return the mean of the values of each final cluster, low one first.")
    return "correct: iterated to convergence, centres the means of their clusters, label 0 the lower one."
