"""Checks of notebook 18 (a VAE for Ising lattices): the solutions pass, other correct forms pass, typical mistakes
are named."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status

NAME = "18_generative_ising"
FUNCTIONS = ("sample_latent", "gaussian_kl", "reconstruction_loss", "build_decoder", "sample_spins")


def _ops():
    import keras

    return keras.ops


def test_solutions_pass(solution):
    for name in FUNCTIONS:
        assert_verdict(getattr(check, name), (solution[name],), Status.PASSED)


def test_stubs_wait(exercise):
    for name in FUNCTIONS:
        assert_verdict(getattr(check, name), (exercise[name],), Status.NOT_DONE, "not done yet")


# --- 18.1 the reparameterisation trick ------------------------------------------------------------------------------

def test_sample_latent_accepts_other_forms():
    ops = _ops()
    for function in (lambda m, v, e: m + ops.sqrt(ops.exp(v)) * e,
                     lambda m, v, e: ops.add(m, ops.multiply(e, ops.exp(v / 2))),
                     lambda m, v, e: m + e * ops.power(ops.exp(v), 0.5)):
        assert_verdict(check.sample_latent, (function,), Status.PASSED)


def _own_noise(m, v, e):
    import keras

    return m + keras.ops.exp(0.5 * v) * keras.random.normal(keras.ops.shape(m))


def _in_place(m, v, e):
    m += np.exp(0.5 * v) * e
    return m


@pytest.mark.parametrize("function, fragment", [
    (lambda m, v, e: m + _ops().exp(v) * e, "variance"),
    (lambda m, v, e: m + v * e, "log_var itself"),
    (lambda m, v, e: _ops().exp(0.5 * v) * e, "mean is missing"),
    (lambda m, v, e: m + _ops().exp(0.5 * v), "noise is missing"),
    (lambda m, v, e: m - _ops().exp(0.5 * v) * e, "subtracts"),
    (_own_noise, "own random numbers"),
    (lambda m, v, e: m + np.exp(0.5 * v) * e, "keras.ops"),
    (lambda m, v, e: np.sum(m + np.exp(0.5 * v) * e), "shape"),
    (_in_place, "changed the arrays it was given in place"),
])
def test_sample_latent_mistakes(function, fragment):
    assert_verdict(check.sample_latent, (function,), Status.FAILED, fragment)


# --- 18.2 the KL term -------------------------------------------------------------------------------------------------

def test_gaussian_kl_accepts_other_forms():
    ops = _ops()

    def with_sigma(m, v):
        sigma = ops.exp(v / 2)
        return ops.sum(-ops.log(sigma) + (sigma**2 + m**2) / 2 - 0.5, axis=1)

    assert_verdict(check.gaussian_kl, (with_sigma,), Status.PASSED)
    assert_verdict(check.gaussian_kl, (lambda m, v: -0.5 * ops.sum(1 + v - m**2 - ops.exp(v), axis=-1),),
                   Status.PASSED)


def _kl(m, v, factor=0.5, reduce="sum", variance=None, minus_one=True, log_sigma=False):
    ops = _ops()
    if log_sigma:
        v = 2 * v
    var = ops.exp(v) if variance is None else variance(v)
    terms = factor * (m**2 + var - v - (1.0 if minus_one else 0.0))
    return {"sum": ops.sum(terms, axis=-1), "mean": ops.mean(terms, axis=-1), "all": ops.sum(terms),
            "batch mean": ops.mean(ops.sum(terms, axis=-1))}[reduce]


@pytest.mark.parametrize("options, fragment", [
    ({"factor": 1.0}, "factor of 2"),
    ({"factor": -0.5}, "wrong sign"),
    ({"reduce": "mean"}, "averages over the latent"),
    ({"reduce": "all"}, "one number for the whole batch"),
    ({"reduce": "batch mean"}, "one number for the whole batch"),
    ({"variance": lambda v: _ops().exp(v / 2)}, "standard deviation"),
    ({"minus_one": False}, "-1 is missing"),
    ({"log_sigma": True}, "log of the standard deviation"),
])
def test_gaussian_kl_mistakes(options, fragment):
    assert_verdict(check.gaussian_kl, (lambda m, v: _kl(m, v, **options),), Status.FAILED, fragment)


def test_gaussian_kl_in_numpy_is_named():
    def numpy_kl(m, v):
        return 0.5 * np.sum(m**2 + np.exp(v) - v - 1, axis=-1)
    assert_verdict(check.gaussian_kl, (numpy_kl,), Status.FAILED, "keras.ops")


# --- 18.3 the reconstruction term ------------------------------------------------------------------------------------

def test_reconstruction_accepts_other_stable_forms():
    ops = _ops()

    def stable(x, logits):
        return ops.sum(ops.maximum(logits, 0) - logits * x + ops.log1p(ops.exp(-ops.abs(logits))), axis=-1)

    def keras_loss_times_spins(x, logits):
        import keras

        return keras.losses.binary_crossentropy(x, logits, from_logits=True) * ops.cast(ops.shape(x)[-1], "float32")

    for function in (stable, keras_loss_times_spins,
                     lambda x, l: -ops.sum(x * ops.log_sigmoid(l) + (1 - x) * ops.log_sigmoid(-l), axis=-1)):
        assert_verdict(check.reconstruction_loss, (function,), Status.PASSED)


@pytest.mark.parametrize("function, fragment", [
    (lambda x, l: __import__("keras").losses.binary_crossentropy(x, l, from_logits=True), "averages over the spins"),
    (lambda x, l: _ops().mean(_ops().softplus(l) - x * l, axis=-1), "averages over the spins"),
    (lambda x, l: _ops().sum(x * l - _ops().softplus(l), axis=-1), "negative"),
    (lambda x, l: _ops().sum(_ops().softplus(l) - x * l), "one number"),
    (lambda x, l: -_ops().sum(x * _ops().log(_ops().sigmoid(l)), axis=-1), "bit 0"),
    (lambda x, l: -_ops().sum(x * _ops().log(l) + (1 - x) * _ops().log(1 - l), axis=-1), "NaN"),
    (lambda x, l: -_ops().sum(x * _ops().log(_ops().sigmoid(l)) + (1 - x) * _ops().log(1 - _ops().sigmoid(l)),
                               axis=-1), "large logits"),
    (lambda x, l: np.sum(np.logaddexp(0, l) - x * l, axis=-1), "keras.ops"),
])
def test_reconstruction_mistakes(function, fragment):
    assert_verdict(check.reconstruction_loss, (function,), Status.FAILED, fragment)


# --- 18.4 the decoder -----------------------------------------------------------------------------------------------

def _decoder(hidden=128, activation="relu", output_activation=None, order="z first", use_temperature=True,
             separate_relu=False, extra_layer=False, fixed_latent=None, fixed_spins=None):
    """A decoder builder with one typical mistake (or another correct spelling) switched on."""
    import keras

    def build(latent_dim, n_spins):
        z = keras.Input(shape=(fixed_latent or latent_dim,))
        t = keras.Input(shape=(1,))
        x = keras.layers.Concatenate()([z, t]) if use_temperature else z
        if separate_relu:
            x = keras.layers.ReLU()(keras.layers.Dense(hidden)(x))
        else:
            x = keras.layers.Dense(hidden, activation=activation)(x)
        if extra_layer:
            x = keras.layers.Dense(64, activation="relu")(x)
        out = keras.layers.Dense(fixed_spins or n_spins, activation=output_activation)(x)
        inputs = [z, t] if order == "z first" else [t, z]
        return keras.Model(inputs, out)
    return build


def test_decoder_accepts_other_spellings():
    import keras

    def with_function(latent_dim, n_spins):
        z, t = keras.Input((latent_dim,)), keras.Input((1,))
        hidden = keras.layers.Dense(128)(keras.layers.concatenate([z, t]))
        return keras.Model([z, t], keras.layers.Dense(n_spins)(keras.layers.Activation("relu")(hidden)))

    for build in (_decoder(separate_relu=True), with_function):
        assert_verdict(check.build_decoder, (build,), Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({"output_activation": "sigmoid"}, "logits"),
    ({"output_activation": "tanh"}, "no activation"),
    ({"activation": "tanh"}, "ReLU"),
    ({"hidden": 64}, "units"),
    ({"extra_layer": True}, "units"),
    ({"order": "t first"}, "wrong order"),
    ({"fixed_latent": 4}, "latent_dim"),
    ({"fixed_spins": 256}, "n_spins"),
])
def test_decoder_mistakes(options, fragment):
    assert_verdict(check.build_decoder, (_decoder(**options),), Status.FAILED, fragment)


def test_decoder_that_ignores_the_temperature_is_named():
    import keras

    def build(latent_dim, n_spins):
        z, t = keras.Input((latent_dim,)), keras.Input((1,))
        zero_t = keras.layers.Lambda(lambda v: v * 0.0)(t)
        hidden = keras.layers.Dense(128, activation="relu")(keras.layers.Concatenate()([z, zero_t]))
        return keras.Model([z, t], keras.layers.Dense(n_spins)(hidden))

    assert_verdict(check.build_decoder, (build,), Status.FAILED, "does not change with the temperature")


def test_sequential_decoder_is_refused_with_one_sentence():
    import keras

    def build(latent_dim, n_spins):
        return keras.Sequential([keras.Input((latent_dim + 1,)), keras.layers.Dense(128, activation="relu"),
                                 keras.layers.Dense(n_spins)])

    assert_verdict(check.build_decoder, (build,), Status.FAILED, "two")


# --- 18.5 sampling the spins -----------------------------------------------------------------------------------------

def _spins_in_place(p, u):
    p[...] = np.where(u < p, 1, -1)
    return p


@pytest.mark.parametrize("function, fragment", [
    (lambda p, u: np.where(p > 0.5, 1, -1), "rounds the probabilities"),
    (lambda p, u: np.where(u > p, 1, -1), "1 - p"),
    (lambda p, u: np.where(u <= p, 1, -1), "strictly"),
    (lambda p, u: (u < p).astype(int), "0 and 1"),
    (lambda p, u: np.where(u < p, 1, -1)[0], "shape"),
    (_spins_in_place, "in place"),
])
def test_sample_spins_mistakes(function, fragment):
    assert_verdict(check.sample_spins, (function,), Status.FAILED, fragment)


def test_sample_spins_accepts_other_forms():
    for function in (lambda p, u: 2 * (u < p) - 1, lambda p, u: np.sign(p - u - 1e-300).astype(float),
                     lambda p, u: np.where(p > u, 1.0, -1.0)):
        assert_verdict(check.sample_spins, (function,), Status.PASSED)
