"""Checks of notebook 17 (phases without labels): typical mistakes and equivalent answers of every exercise."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status
from utils.check.nb17_unsupervised_phases import _two_means as lloyd

NAME = "17_unsupervised_phases"


def test_solutions_pass_and_stubs_wait(solution, exercise):
    for name in ("pca", "build_autoencoder", "reconstruction_errors", "two_means"):
        assert_verdict(getattr(check, name), (solution[name],), Status.PASSED)
        assert_verdict(getattr(check, name), (exercise[name],), Status.NOT_DONE, "not done yet")


# --- 17.1: PCA by SVD ----------------------------------------------------------------------------------------------

def _pca(centre="columns", take="vt", order="descending", scale=False, project="centred", transpose=False,
         count=0, in_place=False):
    """A pca function with one of the typical mistakes switched on."""
    def pca(X, n_components):
        if in_place:
            X -= X.mean(axis=0)
            centred = X
        elif centre == "columns":
            centred = X - X.mean(axis=0)
        elif centre == "rows":
            centred = X - X.mean(axis=1, keepdims=True)
        else:
            centred = X
        u, s, vt = np.linalg.svd(centred, full_matrices=False)
        if order == "ascending":
            u, s, vt = u[:, ::-1], s[::-1], vt[::-1]
        k = n_components + count
        components = u[:, :k].T if take == "u" else vt[:k]
        if order == "reversed":
            components = components[::-1]
        if scale:
            components = components * s[:k, None]
        if project == "centred":
            projections = centred @ vt[:k].T if take == "u" else centred @ components.T
        elif project == "u":
            projections = u[:, :k]
        else:
            projections = X @ components.T
        return (components.T if transpose else components), projections
    return pca


@pytest.mark.parametrize("options, fragment", [
    ({"centre": None}, "subtract the mean of every feature"),
    ({"centre": "rows"}, "mean of each row"),
    ({"take": "u"}, "left singular vectors"),
    ({"transpose": True}, "transpose"),
    ({"order": "ascending"}, "smallest variance"),
    ({"order": "reversed"}, "wrong order"),
    ({"count": 1}, "instead of"),
    ({"scale": True}, "unit vector"),
    ({"project": "u"}, "columns of U"),
    ({"project": "raw"}, "project the raw data"),
    ({"in_place": True}, "in place"),
])
def test_pca_mistakes(options, fragment):
    assert_verdict(check.pca, (_pca(**options),), Status.FAILED, fragment)


def test_pca_by_eigenvectors_of_the_covariance_passes():
    def by_covariance(X, n_components):
        centred = X - X.mean(axis=0)
        values, vectors = np.linalg.eigh(np.cov(centred, rowvar=False))
        components = -vectors[:, ::-1][:, :n_components].T  # sorted downwards, and the opposite sign
        return components, centred @ components.T

    assert_verdict(check.pca, (by_covariance,), Status.PASSED)


def test_pca_with_mismatched_signs_is_named():
    def mismatched(X, n_components):
        components, projections = _pca()(X, n_components)
        return -components, projections  # a component flipped without its projections

    assert_verdict(check.pca, (mismatched,), Status.FAILED, "flip the sign")


# --- 17.2: the autoencoder -----------------------------------------------------------------------------------------

def _autoencoder(n_latent, *, hidden=32, activation="tanh", latent_activation=None, output_activation="tanh",
                 bias=False, separate=False, shared=True, functional=False, rate=3e-3, loss="mse", compiled=True,
                 n_inputs=1024):
    """(encoder, autoencoder) for exercise 17.2 with one typical mistake (or an equivalent spelling) switched on."""
    import keras

    def dense(units, act):
        if separate and act == "tanh":
            return [keras.layers.Dense(units, use_bias=bias), keras.layers.Activation("tanh")]
        return [keras.layers.Dense(units, activation=act, use_bias=bias)]

    encoder = keras.Sequential([keras.Input(shape=(n_inputs,)), *dense(hidden, activation),
                                *dense(n_latent, latent_activation)])
    decoder = keras.Sequential([keras.Input(shape=(n_latent,)), *dense(hidden, activation),
                                *dense(1024, output_activation)])
    if not shared:
        copy = keras.Sequential([keras.Input(shape=(n_inputs,)), *dense(hidden, activation),
                                 *dense(n_latent, latent_activation)])
        autoencoder = keras.Sequential([copy, decoder])
    elif functional:
        inputs = keras.Input(shape=(n_inputs,))
        autoencoder = keras.Model(inputs, decoder(encoder(inputs)))
    else:
        autoencoder = keras.Sequential([encoder, decoder])
    if compiled:
        autoencoder.compile(optimizer=keras.optimizers.Adam(learning_rate=rate), loss=loss)
    return encoder, autoencoder


@pytest.mark.parametrize("options, fragment", [
    ({"bias": True}, "biases"),
    ({"activation": "relu"}, "odd"),
    ({"activation": "sigmoid"}, "'sigmoid'"),
    ({"latent_activation": "tanh"}, "leave it linear"),
    ({"output_activation": None}, "'linear'"),
    ({"hidden": 64}, "units"),
    ({"shared": False}, "does not use the encoder's layers"),
    ({"rate": 1e-3}, "learning rate"),
    ({"loss": "mae"}, "loss"),
    ({"compiled": False}, "not compiled"),
    ({"n_inputs": 32}, "flattened lattices"),
])
def test_build_autoencoder_mistakes(options, fragment):
    assert_verdict(check.build_autoencoder, (lambda n: _autoencoder(n, **options),), Status.FAILED, fragment)


def test_build_autoencoder_with_a_fixed_latent_size_is_named():
    assert_verdict(check.build_autoencoder, (lambda n: _autoencoder(2),), Status.FAILED, "bottleneck")


def test_build_autoencoder_returning_one_model_is_named():
    assert_verdict(check.build_autoencoder, (lambda n: _autoencoder(n)[1],), Status.FAILED, "tuple of 2")


@pytest.mark.parametrize("options", [{"separate": True}, {"functional": True},
                                     {"loss": "mean_squared_error"}])
def test_build_autoencoder_accepts_equivalent_spellings(options):
    assert_verdict(check.build_autoencoder, (lambda n: _autoencoder(n, **options),), Status.PASSED)


def test_build_autoencoder_accepts_a_loss_object():
    import keras

    assert_verdict(check.build_autoencoder, (lambda n: _autoencoder(n, loss=keras.losses.MeanSquaredError()),),
                   Status.PASSED)


# --- 17.3: reconstruction errors -----------------------------------------------------------------------------------

def _in_place(x, x_hat):
    x -= x_hat
    x **= 2
    return x.reshape(len(x), -1).mean(axis=1)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda x, x_hat: np.mean((x - x_hat) ** 2), "one number"),
    (lambda x, x_hat: np.mean((x - x_hat) ** 2, axis=0), "over the lattices"),
    (lambda x, x_hat: ((x - x_hat) ** 2).reshape(len(x), -1).sum(axis=1), "sums"),
    (lambda x, x_hat: np.abs(x - x_hat).reshape(len(x), -1).mean(axis=1), "absolute"),
    (lambda x, x_hat: np.sqrt(((x - x_hat) ** 2).reshape(len(x), -1).mean(axis=1)), "square root"),
    (_in_place, "in place"),
])
def test_reconstruction_errors_mistakes(mistake, fragment):
    assert_verdict(check.reconstruction_errors, (mistake,), Status.FAILED, fragment)


def test_reconstruction_errors_with_last_axis_mean_is_named_on_square_lattices():
    # for flat lattices the mean over the last axis is right; square lattices reveal it
    def last_axis(x, x_hat):
        return np.mean((x - x_hat) ** 2, axis=-1)

    assert_verdict(check.reconstruction_errors, (last_axis,), Status.FAILED, "both lattice axes")


def test_reconstruction_errors_written_with_keras_pass():
    import keras

    def with_keras(x, x_hat):
        flat = (len(x), -1)
        return keras.ops.convert_to_numpy(keras.losses.mean_squared_error(x.reshape(flat), x_hat.reshape(flat)))

    assert_verdict(check.reconstruction_errors, (with_keras,), Status.PASSED)


# --- 17.4: two-means -----------------------------------------------------------------------------------------------

def _two_means(values, rounds=1000, update=np.mean, swap=False, in_place=False, centres_from="means"):
    """Lloyd's algorithm with two centres (the check's reference), or one of the typical mistakes."""
    if in_place:
        values.sort()
    centres, labels = lloyd(values, update=update, max_rounds=rounds)
    if centres_from == "medians":
        centres = np.array([np.median(values[labels == 0]), np.median(values[labels == 1])])
    if swap:
        return centres[::-1], 1 - labels
    return centres, labels


@pytest.mark.parametrize("options, fragment", [
    ({"rounds": 1}, "first step only"),
    ({"update": np.median}, "is not right"),
    ({"centres_from": "medians"}, "medians"),
    ({"swap": True}, "other way round"),
    ({"in_place": True}, "in place"),
])
def test_two_means_mistakes(options, fragment):
    if options.get("update") is np.median:
        fragment = ""  # the labels may or may not differ from the means' labels: either diagnosis is fine
    assert_verdict(check.two_means, (lambda v: _two_means(v, **options),), Status.FAILED, fragment)


def test_two_means_split_at_the_mean_is_named():
    def at_mean(values):
        labels = (values > values.mean()).astype(int)
        return np.array([values[labels == 0].mean(), values[labels == 1].mean()]), labels

    assert_verdict(check.two_means, (at_mean,), Status.FAILED, "mean of all values")


def test_two_means_with_boolean_labels_and_sklearn_pass():
    from sklearn.cluster import KMeans

    def with_sklearn(values):
        start = np.array([[values.min()], [values.max()]])
        model = KMeans(n_clusters=2, init=start, n_init=1, tol=0).fit(values[:, None])
        centres = model.cluster_centers_[:, 0]
        order = np.argsort(centres)
        return centres[order], np.argsort(order)[model.labels_]

    assert_verdict(check.two_means, (with_sklearn,), Status.PASSED)
    assert_verdict(check.two_means, (lambda v: (_two_means(v)[0], _two_means(v)[1] == 1),), Status.PASSED)
