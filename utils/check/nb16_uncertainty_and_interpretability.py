"""Checks of notebook 16 (uncertainty and interpretability): the Gaussian negative log-likelihood, the combination
of an ensemble's members, the observed coverage of the pulls, and the occlusion map of one event's stations."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from utils import airshower
from utils.check.core import Mistake, as_array, as_tuple, call, compare, exercise_check, expect_function, \
    expect_unchanged

HALF_LOG_TWO_PI = 0.5 * np.log(2 * np.pi)


def _numbers(value, what: str) -> np.ndarray:
    """A learner's result (NumPy array, tensor or number) as a float array."""
    if value is not None and value is not Ellipsis and hasattr(value, "numpy"):
        value = value.numpy()
    return as_array(value, what)


# --- 16.1 the Gaussian negative log-likelihood ------------------------------------------------------------------

def _nll(y: np.ndarray, mean: np.ndarray, log_sigma: np.ndarray, half: float = 0.5, scale: str = "log",
         reduce=np.mean) -> float:
    """The mean negative log-likelihood without its constant, or with one of the typical mistakes switched on."""
    squared = (y - mean) ** 2
    if scale == "log":  # the right one: log_sigma is log(sigma)
        first, variance = log_sigma, np.exp(2 * log_sigma)
    elif scale == "sigma in the square":
        first, variance = log_sigma, log_sigma**2
    elif scale == "log variance":
        first, variance = log_sigma, np.exp(log_sigma)
    else:  # sigma itself as the first term
        first, variance = np.exp(log_sigma), np.exp(2 * log_sigma)
    return float(reduce(first + half * squared / variance))


def _graph_result(function, y: np.ndarray, mean: np.ndarray, log_sigma: np.ndarray) -> np.ndarray:
    """The learner's loss called inside a TensorFlow graph, as Keras calls a loss during fit."""
    import tensorflow as tf

    traced = tf.function(lambda a, b, c: function(a, b, c))
    try:
        result = traced(tf.constant(y), tf.constant(mean), tf.constant(log_sigma))
    except Exception as error:
        raise Mistake(f"gaussian_nll works on NumPy arrays but not on the tensors Keras passes it during fit "
                      f"({type(error).__name__}): write it with keras.ops (keras.ops.exp, keras.ops.square, "
                      "keras.ops.mean), which work on both.") from None
    return _numbers(result, "gaussian_nll on tensors")


@exercise_check("16.1", "the Gaussian negative log-likelihood")
def gaussian_nll(function) -> str:
    """Fresh residuals and log sigmas: the mean of log sigma + (y - mean)² / (2 sigma²), with or without the constant;
    then the same inside a TensorFlow graph."""
    function = expect_function(function, "gaussian_nll")
    rng = np.random.default_rng()
    n = int(rng.integers(40, 90))
    log_sigma = rng.uniform(-3.0, 0.5, n).astype("float32")  # sigma from 0.05 to 1.6, as for log10 E
    mean = rng.uniform(0.0, 2.0, n).astype("float32")
    y = (mean + np.exp(log_sigma) * rng.normal(0.0, 1.5, n)).astype("float32")
    given = [array.copy() for array in (y, mean, log_sigma)]
    result = call(function, *given)
    for before, after in zip((y, mean, log_sigma), given):
        expect_unchanged(before, np.asarray(after), "gaussian_nll", "the arrays it was given")
    if result is None:
        raise Mistake("gaussian_nll returned None: did you forget a `return`?")
    try:
        raw = np.asarray(result.numpy() if hasattr(result, "numpy") else result, dtype=float)
    except (TypeError, ValueError):
        raise Mistake(f"gaussian_nll should return a number, not {type(result).__name__}.") from None
    if raw.size == n:
        raise Mistake(f"gaussian_nll returns {n} numbers, one per event; a loss is one number: the mean over the "
                      "events.")
    if raw.size != 1:
        raise Mistake(f"gaussian_nll returns an array of shape {raw.shape}; a loss is one number: the mean over "
                      "the events.")
    if not np.isfinite(raw).all():
        raise Mistake("gaussian_nll gives NaN or infinity when log_sigma is below 0 (sigma < 1): log_sigma is "
                      "already the logarithm of sigma; did you take its logarithm or square root again?")
    value = raw.reshape(())
    expected = _nll(y, mean, log_sigma)
    with_constant = expected + HALF_LOG_TWO_PI
    if not (np.isclose(value, expected, rtol=1e-4, atol=1e-5) or np.isclose(value, with_constant, rtol=1e-4,
                                                                              atol=1e-5)):
        mistakes = {
            "the squared term lacks its factor 1/2: the Gaussian's exponent is (y - mean)² / (2 sigma²).":
                _nll(y, mean, log_sigma, half=1.0),
            "it is twice the negative log-likelihood (-2 log L, the chi-square form); the task asks for -log L.":
                2 * expected,
            "log_sigma is used as sigma itself in the squared term: sigma = exp(log_sigma).":
                _nll(y, mean, log_sigma, scale="sigma in the square"),
            "log_sigma is treated as the logarithm of the variance: it is the logarithm of sigma, so sigma² = "
            "exp(2 log_sigma).": _nll(y, mean, log_sigma, scale="log variance"),
            "the first term is sigma itself; the Gaussian's normalisation gives log sigma.":
                _nll(y, mean, log_sigma, scale="sigma"),
            "it sums over the events; take the mean, so that the loss does not depend on the batch size.":
                _nll(y, mean, log_sigma, reduce=np.sum),
        }
        for hint, wrong in mistakes.items():
            if any(np.isclose(value, wrong + constant, rtol=1e-4, atol=1e-5)
                   for constant in (0.0, HALF_LOG_TWO_PI, 2 * HALF_LOG_TWO_PI, n * HALF_LOG_TWO_PI)):
                raise Mistake(f"the loss is not right: {hint}")
        raise Mistake("the loss is not right: check each term of -log of a Gaussian with mean `mean` and standard "
                      "deviation exp(log_sigma), averaged over the events.")
    graph = _graph_result(function, y, mean, log_sigma)
    if graph.size != 1 or not np.isclose(graph.reshape(()), value, rtol=1e-4, atol=1e-5):
        raise Mistake("gaussian_nll gives another value on tensors than on NumPy arrays: use keras.ops throughout.")
    constant = "with" if np.isclose(value, with_constant, rtol=1e-4, atol=1e-5) else "without"
    return (f"correct ({constant} the constant log sqrt(2 pi), which does not change the fit), and it works on NumPy "
            "arrays and inside Keras' graph.")


# --- 16.2 combining the members of an ensemble --------------------------------------------------------------------

@exercise_check("16.2", "the mean and the two uncertainties of an ensemble")
def combine_members(function) -> str:
    """Fresh members' means and sigmas: the mean, the rms of the sigmas, the spread of the means (ddof 0 or 1)."""
    function = expect_function(function, "combine_members")
    rng = np.random.default_rng()
    members, n = int(rng.integers(3, 7)), int(rng.integers(20, 40))
    means = rng.normal(1.0, 0.5, (1, n)) + rng.normal(0.0, 0.05, (members, n))
    sigmas = rng.uniform(0.02, 0.3, (members, n))
    given = (means.copy(), sigmas.copy())
    result = as_tuple(call(function, *given), "combine_members(means, sigmas)", 3)
    expect_unchanged(means, given[0], "combine_members", "the arrays it was given")
    expect_unchanged(sigmas, given[1], "combine_members", "the arrays it was given")
    shapes = [np.shape(_numbers(value, "a result")) for value in result]
    if any(shape == (members,) for shape in shapes):
        raise Mistake(f"a result has {members} values, one per member: average over the members (axis 0), so that "
                      f"each of the {n} events gets its own numbers.")
    mean, aleatoric, epistemic = (_numbers(value, what) for value, what in zip(
        result, ("the mean (first result)", "the aleatoric sigma (second)", "the epistemic sigma (third)")))
    compare(mean, means.mean(axis=0), "the mean (first result)", rtol=1e-6)
    compare(aleatoric, np.sqrt(np.mean(sigmas**2, axis=0)), "the aleatoric sigma (second result)", rtol=1e-6,
            known_mistakes={
                "it averages the sigmas; average the variances sigma², then take the square root.":
                    sigmas.mean(axis=0),
                "it is a variance: take the square root of the mean of sigma².": np.mean(sigmas**2, axis=0),
                "it adds the variances of the members; average them.": np.sqrt(np.sum(sigmas**2, axis=0)),
            })
    if not (np.allclose(epistemic, means.std(axis=0), rtol=1e-6) or np.allclose(epistemic, means.std(axis=0, ddof=1),
                                                                                 rtol=1e-6)):
        compare(epistemic, means.std(axis=0), "the epistemic sigma (third result)", rtol=1e-6, known_mistakes={
            "it is the variance of the members' means; the task asks for their standard deviation.":
                means.var(axis=0),
            "it is the mean absolute deviation of the means; take their standard deviation.":
                np.mean(np.abs(means - means.mean(axis=0)), axis=0),
            "it is the spread of the members' sigmas; the model uncertainty is the spread of their means.":
                sigmas.std(axis=0),
            "it is the total uncertainty (aleatoric and epistemic together); return the spread of the means alone.":
                np.sqrt(np.mean(sigmas**2, axis=0) + means.var(axis=0)),
        })
    return "correct: the members' average, the rms of their sigmas, and the spread of their means."


# --- 16.3 observed coverage -----------------------------------------------------------------------------------------

def _coverage(pulls: np.ndarray, levels: np.ndarray, sided: int = 2) -> np.ndarray:
    """The fraction of |pull| within the central interval of each nominal probability (one-sided if asked)."""
    unit = NormalDist()
    z = [unit.inv_cdf((1 + p) / 2) if sided == 2 else unit.inv_cdf(p) for p in levels]
    return np.array([np.mean(np.abs(pulls) <= bound) for bound in z])


@exercise_check("16.3", "observed coverage of central intervals")
def observed_coverage(function) -> str:
    """Fresh pulls (too wide, asymmetric) and levels: the fraction inside each central Gaussian interval."""
    function = expect_function(function, "observed_coverage")
    rng = np.random.default_rng()
    n = int(rng.integers(2000, 4000))
    pulls = np.concatenate([rng.normal(0.3, 1.3, n), [0.0]])  # wider than a unit Gaussian, shifted
    levels = np.sort(np.concatenate([rng.uniform(0.05, 0.95, 6), [0.6827, 0.9545]]))
    given = (pulls.copy(), levels.copy())
    result = call(function, *given)
    expect_unchanged(pulls, given[0], "observed_coverage", "the pulls it was given",
                     "np.abs(pulls) gives a new array; abs on the pulls in place, or sorting them in place, changes "
                     "the caller's data")
    expect_unchanged(levels, given[1], "observed_coverage", "the levels it was given")
    result = as_array(result, f"observed_coverage(pulls, levels) for {len(levels)} levels", shape=levels.shape)
    compare(result, _coverage(pulls, levels), "the observed coverage", rtol=0, atol=1.5 / n, known_mistakes={
        "it uses the one-sided quantile Phi^-1(p); a central interval holding p has half-width Phi^-1((1 + p) / 2).":
            _coverage(pulls, levels, sided=1),
        "it is the fraction outside the interval; the coverage is the fraction inside.":
            1 - _coverage(pulls, levels),
        "it counts only pulls below +z, negative ones included, without the lower bound -z: use |pull|.":
            np.array([np.mean(pulls <= NormalDist().inv_cdf((1 + p) / 2)) for p in levels]),
    })
    return "correct: the fraction of |pull| inside the central interval of each nominal probability."


# --- 16.4 occlusion ------------------------------------------------------------------------------------------------

def _weights(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """Random station weights for the stand-in network."""
    return rng.uniform(0.2, 1.0, (rows, cols, 3))


def _stand_in(weights: np.ndarray):
    """A nonlinear stand-in 'network' (k, rows, cols, 3) -> (k,) that also reads the time channel."""
    def predict(inputs):
        x = np.asarray(getattr(inputs, "numpy", lambda: inputs)(), dtype=float)
        if x.ndim != 4 or x.shape[1:] != weights.shape:
            raise ValueError(f"the network reads inputs of shape (k, {', '.join(map(str, weights.shape))}), "
                             f"not {x.shape}")
        linear = np.sum(x * weights, axis=(1, 2, 3))
        return np.tanh(0.3 * linear) + 0.2 * np.sum(x[..., 1] ** 2 * weights[..., 1], axis=(1, 2))
    return predict


def _occlusion(predict, signal: np.ndarray, time: np.ndarray, rebuild: bool = True, sign: float = 1.0,
               keep_only: bool = False) -> np.ndarray:
    """Prediction of the event minus the prediction with each triggered station removed (or the typical mistakes)."""
    full = airshower.network_inputs(signal[None], time[None])
    reference = predict(full)[0]
    result = np.zeros(signal.shape)
    for row, col in zip(*np.nonzero(signal)):
        if keep_only:
            removed = np.zeros_like(signal)
            removed[row, col] = signal[row, col]
            inputs = airshower.network_inputs(removed[None], time[None])
        elif rebuild:
            removed = signal.copy()
            removed[row, col] = 0
            inputs = airshower.network_inputs(removed[None], time[None])
        else:
            inputs = full.copy()
            inputs[0, row, col] = 0
        result[row, col] = sign * (reference - predict(inputs)[0])
    return result


@exercise_check("16.4", "the occlusion map of one event")
def occlusion_map(function) -> str:
    """A stand-in network on fresh events of two grid sizes: the change of the prediction per removed station."""
    function = expect_function(function, "occlusion_map")
    rng = np.random.default_rng()
    for rows, cols in ((9, 9), (int(rng.integers(5, 8)), int(rng.integers(5, 8)))):
        signal = rng.poisson(rng.uniform(0.0, 40.0, (rows, cols))).astype("float32")
        signal[signal < 3] = 0
        signal[0, 0], signal[rows - 1, cols - 1], signal[rows // 2, cols // 2] = 0.0, 12.0, 90.0
        time = np.where(signal > 0, rng.normal(3000.0, 4000.0, signal.shape), 0.0).astype("float32")
        predict = _stand_in(_weights(rng, rows, cols))
        given = (signal.copy(), time.copy())
        result = call(function, predict, *given)
        expect_unchanged(signal, given[0], "occlusion_map", "the event's signals",
                         "copy the signals before you remove a station (signal.copy())")
        expect_unchanged(time, given[1], "occlusion_map", "the event's times", "copy the times first")
        result = as_array(result, f"occlusion_map on a {rows} x {cols} event", shape=(rows, cols))
        if np.any(result[signal == 0] != 0):
            raise Mistake("the map is not 0 at the empty stations: there is nothing to remove there.")
        compare(result, _occlusion(predict, signal, time), "the occlusion map", rtol=1e-4, atol=1e-5,
                known_mistakes={
                    "it has the wrong sign: take the prediction of the whole event minus the prediction without the "
                    "station.": _occlusion(predict, signal, time, sign=-1.0),
                    "the station is zeroed in the network inputs, so the other stations' times keep the old mean: "
                    "remove it from the signals and build the inputs again with airshower.network_inputs.":
                        _occlusion(predict, signal, time, rebuild=False),
                    "it keeps only one station instead of removing one: occlusion takes one station away from the "
                    "event.": _occlusion(predict, signal, time, keep_only=True),
                })
    return "correct: for each triggered station, how much the prediction drops when that station reads nothing."

