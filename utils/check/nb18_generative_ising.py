"""Checks of notebook 18 (a variational autoencoder for Ising lattices): the reparameterisation trick, the KL term
of a Gaussian latent, the Bernoulli reconstruction term, the decoder and the sampling of spins."""

from __future__ import annotations

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
from utils.check.keras_models import built_model, weight_blocks

HIDDEN_UNITS = 128


def _numbers(value, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """A learner's result (NumPy array or tensor) as a float array of the given shape, or a Mistake."""
    if value is not None and not isinstance(value, (str, dict)):
        value = np.asarray(value, dtype=float) if np.size(value) == 1 else value  # tensors and NumPy scalars
    if isinstance(value, np.ndarray) and value.size == 1 and len(shape) == 1 and shape[0] > 1:
        raise Mistake(f"{what} is one number for the whole batch: return one value per row, shape {shape}, by "
                      "reducing over the last axis only (axis=-1); the model averages over the batch itself.")
    return as_array(value, what, shape)


def _call_on_copies(function, name: str, *arrays: np.ndarray):
    """Call the learner's function on copies of the arrays; a Mistake if it changed them in place."""
    given = tuple(array.copy() for array in arrays)
    result = call(function, *given)
    for array, passed in zip(arrays, given):
        expect_unchanged(array, passed, name, "the arrays it was given")
    return result


def _in_graph(function, name: str, *arrays: np.ndarray) -> None:
    """Run the learner's function on symbolic tensors, as inside a model's train_step; a Mistake if it cannot."""
    import tensorflow as tf

    traced = tf.function(lambda *tensors: function(*tensors), autograph=False)
    try:
        traced(*(tf.constant(array, dtype=tf.float32) for array in arrays))
    except Exception as error:  # NumPy functions cannot read symbolic tensors (they raise NotImplementedError)
        raise Mistake(f"`{name}` works on NumPy arrays but not on the tensors inside the model's training step "
                      f"({type(error).__name__}): write it with keras.ops (ops.exp, ops.sum, ...) instead of "
                      "np.") from error


# --- 18.1 the reparameterisation trick -----------------------------------------------------------------------------

@exercise_check("18.1", "the reparameterisation trick")
def sample_latent(function) -> str:
    """Fresh means, log-variances and noise of several shapes: z = mean + sigma * noise, the noise taken as given."""
    function = expect_function(function, "sample_latent")
    rng = np.random.default_rng()
    for shape in ((int(rng.integers(3, 9)), int(rng.integers(2, 6))), (1, 1)):
        mean = rng.normal(0.0, 1.5, shape).astype("float32")
        log_var = rng.uniform(-3.0, 2.0, shape).astype("float32")
        noise = rng.normal(size=shape).astype("float32")
        result = _numbers(_call_on_copies(function, "sample_latent", mean, log_var, noise),
                          f"sample_latent for arrays of shape {shape}", shape)
        again = _numbers(call(function, mean, log_var, noise), "a second call with the same arguments", shape)
        if not np.allclose(result, again, rtol=1e-5, atol=1e-6):
            raise Mistake("two calls with the same mean, log_var and noise give different z: the function draws its "
                          "own random numbers. Use the noise it is given; that is the trick (the randomness comes "
                          "from outside, so z is a plain function of mean and log_var).")
        sigma = np.exp(0.5 * log_var)
        compare(result, mean + sigma * noise, "z", rtol=1e-4, atol=1e-5, known_mistakes={
            "it scales the noise by the variance exp(log_var); the noise needs the standard deviation, the square "
            "root of the variance.": mean + np.exp(log_var) * noise,
            "it scales the noise by log_var itself; log_var is the logarithm of the variance, so undo the "
            "logarithm first and take the square root.": mean + log_var * noise,
            "the mean is missing.": sigma * noise,
            "the noise is missing: z should scatter around the mean.": mean + sigma,
            "it subtracts the scaled noise; add it (z = mean + sigma * noise).": mean - sigma * noise,
        })
    _in_graph(function, "sample_latent", mean, log_var, noise)
    return "correct: z = mean + exp(log_var / 2) * noise, on arrays and on tensors inside a model."


# --- 18.2 the KL term -----------------------------------------------------------------------------------------------

def _kl(mean: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """KL(N(mean, exp(log_var)) || N(0, 1)) of each row, summed over the latent dimensions."""
    return 0.5 * np.sum(mean**2 + np.exp(log_var) - log_var - 1.0, axis=-1)


@exercise_check("18.2", "the KL term of a Gaussian latent")
def gaussian_kl(function) -> str:
    """Fresh means and log-variances: one KL per row, summed over the latent axis, zero for the prior itself."""
    function = expect_function(function, "gaussian_kl")
    rng = np.random.default_rng()
    n, d = int(rng.integers(4, 9)), int(rng.integers(2, 6))
    mean = rng.normal(0.0, 1.5, (n, d)).astype("float32")
    log_var = rng.uniform(-3.0, 2.0, (n, d)).astype("float32")
    mean[0], log_var[0] = 0.0, 0.0  # the prior itself: KL = 0
    result = _call_on_copies(function, "gaussian_kl", mean, log_var)
    expected = _kl(mean.astype(float), log_var.astype(float))
    result = _numbers(result, f"gaussian_kl for {n} rows of {d} latent variables", (n,))
    variance = np.exp(log_var.astype(float))
    compare(result, expected, "the KL term", rtol=1e-4, atol=1e-5, known_mistakes={
        "it averages over the latent variables; the KL of independent variables is their sum.": expected / d,
        "the variance enters as exp(log_var / 2), the standard deviation; the formula needs the variance.":
            0.5 * np.sum(mean**2 + np.sqrt(variance) - log_var - 1.0, axis=-1),
        "the -1 is missing: the KL of the prior itself, mean 0 and log_var 0, must be 0.": expected + d / 2,
        "it treats log_var as the log of the standard deviation: log_var is the log of the variance.":
            0.5 * np.sum(mean**2 + np.exp(2 * log_var) - 2 * log_var - 1.0, axis=-1),
    }, advice="A check you can do by hand: mean 0 and log_var 0 (the prior itself) must give 0, and the KL is never "
              "negative.")
    _in_graph(function, "gaussian_kl", mean, log_var)
    return "correct: one KL per row, summed over the latent variables, zero for the prior itself."


# --- 18.3 the reconstruction term -----------------------------------------------------------------------------------

def _bernoulli_nll(bits: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """-log p(bits | logits) of each row for independent Bernoulli variables, in a numerically stable form."""
    return np.sum(np.logaddexp(0.0, logits) - bits * logits, axis=-1)


@exercise_check("18.3", "the reconstruction term")
def reconstruction_loss(function) -> str:
    """Fresh bits and logits, moderate and large: one -log p per row, summed over the spins, finite everywhere."""
    function = expect_function(function, "reconstruction_loss")
    rng = np.random.default_rng()
    n, spins = int(rng.integers(3, 7)), int(rng.integers(6, 20))
    bits = rng.integers(0, 2, (n, spins)).astype("float32")
    logits = rng.normal(0.0, 2.0, (n, spins)).astype("float32")
    expected = _bernoulli_nll(bits.astype(float), logits.astype(float))
    result = _call_on_copies(function, "reconstruction_loss", bits, logits)
    values = np.asarray(result, dtype=float) if not isinstance(result, (str, dict)) and result is not None else None
    if values is not None and values.shape == (n,) and np.isnan(values).any():
        raise Mistake("the result contains NaN: logits can be any real number, they are not probabilities; take "
                      "the logarithm of the sigmoid of the logits (or use the formula written with the logits).")
    result = _numbers(result, f"reconstruction_loss for {n} lattices of {spins} spins", (n,))
    probability = 1 / (1 + np.exp(-logits.astype(float)))
    compare(result, expected, "the reconstruction term", rtol=1e-4, atol=1e-4, known_mistakes={
        "it averages over the spins; the log-probability of independent spins is a sum over them (with a mean the "
        "KL term weighs as much as all the spins together).": expected / spins,
        "it is the log-likelihood itself; the loss is its negative.": -expected,
        "the term for spins that are down (bit 0) is missing.": -np.sum(bits * np.log(probability), axis=-1),
    })
    large = np.array([[40.0, -40.0, 25.0, -25.0, 0.0]], dtype="float32")
    targets = np.array([[1.0, 1.0, 0.0, 1.0, 1.0]], dtype="float32")
    stable = ("In float32 sigmoid(40) rounds to exactly 1, so log(1 - sigmoid) is log(0): write the loss with the "
              "logits directly, e.g. softplus(logits) - bits * logits.")
    extreme = call(function, targets, large)
    if not np.all(np.isfinite(np.asarray(extreme, dtype=float))):
        raise Mistake(f"for large logits (+-25, +-40) the result is infinite or NaN. {stable}")
    compare(_numbers(extreme, "reconstruction_loss for logits of size 40", (1,)),
            _bernoulli_nll(targets.astype(float), large.astype(float)),
            "the reconstruction term for large logits (+-25, +-40)", rtol=1e-3, atol=1e-2, advice=stable)
    _in_graph(function, "reconstruction_loss", bits, logits)
    return "correct: -log p summed over the spins of each lattice, stable for large logits."


# --- 18.4 the decoder -----------------------------------------------------------------------------------------------

@exercise_check("18.4", "the decoder")
def build_decoder(function) -> str:
    """Inputs z and temperature, a 128-unit ReLU layer, one logit per spin, for two sizes; the temperature is used."""
    function = expect_function(function, "build_decoder")
    import keras

    rng = np.random.default_rng()
    for latent_dim, n_spins in ((4, 256), (int(rng.integers(2, 4)), int(rng.integers(20, 60)))):
        model = built_model(function, (latent_dim, n_spins), "build_decoder")
        inputs = [tuple(tensor.shape) for tensor in model.inputs]
        if inputs == [(None, 1), (None, latent_dim)] and latent_dim != 1:
            raise Mistake("the inputs come in the wrong order: first z, then the temperature, "
                          "keras.Model([z, temperature], ...).")
        if inputs != [(None, latent_dim), (None, 1)]:
            raise Mistake(f"build_decoder({latent_dim}, {n_spins}) has the inputs {inputs}; it needs two, z of shape "
                          f"(None, {latent_dim}) (use the argument latent_dim) and the temperature of shape (None, 1).")
        if tuple(model.output_shape) != (None, n_spins):
            raise Mistake(f"build_decoder({latent_dim}, {n_spins}) has the output shape {tuple(model.output_shape)}, "
                          f"not (None, {n_spins}): one logit per spin (use the argument n_spins).")
        dense = weight_blocks(model)
        other = [block.kind for block in dense if block.kind != "Dense"]
        if other:
            raise Mistake(f"the decoder has a {other[0]} layer; the task asks for Dense layers only.")
        if [block.size for block in dense] != [HIDDEN_UNITS, n_spins]:
            raise Mistake(f"the decoder's Dense layers have {[block.size for block in dense]} units; the task asks "
                          f"for one hidden layer of {HIDDEN_UNITS} and the output layer of n_spins.")
        if dense[0].activation != "relu":
            raise Mistake(f"the hidden layer uses {dense[0].activation!r}; the task asks for ReLU.")
        if dense[1].activation == "sigmoid":
            raise Mistake("the output layer applies a sigmoid: the decoder should return logits, the loss turns "
                          "them into probabilities in a numerically stable way.")
        if dense[1].activation != "linear":
            raise Mistake(f"the output layer applies {dense[1].activation!r}; logits need no activation.")
        z = rng.normal(size=(6, latent_dim)).astype("float32")
        cold, hot = np.full((6, 1), -1.0, dtype="float32"), np.full((6, 1), 1.0, dtype="float32")
        outputs = [keras.ops.convert_to_numpy(model([z, t], training=False)) for t in (cold, hot)]
        if np.allclose(outputs[0], outputs[1]):
            raise Mistake("the output does not change with the temperature input: concatenate z and the temperature "
                          "and feed both to the hidden layer.")
    return "correct: z and the temperature, concatenated, a 128-unit ReLU layer, one logit per spin."


# --- 18.5 sampling the spins ------------------------------------------------------------------------------------------

@exercise_check("18.5", "sampling the spins")
def sample_spins(function) -> str:
    """Fresh probabilities and uniform numbers, with exact 0 and 1: spin +1 where uniform < p, else -1."""
    function = expect_function(function, "sample_spins")
    rng = np.random.default_rng()
    shape = (int(rng.integers(2, 5)), int(rng.integers(3, 7)), int(rng.integers(3, 7)))
    probability = rng.random(shape)
    uniform = rng.random(shape)
    probability[0, 0, :2], uniform[0, 0, :2] = (0.0, 1.0), (0.0, 0.999)  # never up, always up
    result = _call_on_copies(function, "sample_spins", probability, uniform)
    if result is None or isinstance(result, (str, dict)):
        raise Mistake(f"sample_spins returned {describe(result)}; it should return an array of spins.")
    result = as_array(result, f"sample_spins for arrays of shape {shape}", shape)
    expected = np.where(uniform < probability, 1.0, -1.0)
    if set(np.unique(result)) <= {0.0, 1.0}:
        raise Mistake("the result holds 0 and 1: spins are -1 and +1.")
    if not set(np.unique(result)) <= {-1.0, 1.0}:
        raise Mistake("the result holds values other than -1 and +1: each spin is either up or down.")
    compare(result, expected, "the sampled spins", known_mistakes={
        "it rounds the probabilities (p > 0.5 is up) instead of drawing: that gives the most likely spin, not a "
        "sample; compare each probability with its uniform number.": np.where(probability > 0.5, 1.0, -1.0),
        "a spin comes out up with probability 1 - p: it should be up with probability p.":
            np.where(uniform > probability, 1.0, -1.0),
        "a spin whose probability of being up is 0 came out up: compare uniform < p strictly.":
            np.where(uniform <= probability, 1.0, -1.0),
    })
    return "correct: each spin up with its own probability, decided by its uniform number."
