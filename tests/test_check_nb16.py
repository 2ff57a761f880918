"""Checks of notebook 16 (uncertainty and interpretability): the solutions pass, other correct forms pass, typical
mistakes are named."""

from statistics import NormalDist

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import airshower, check
from utils.check.core import Status

NAME = "16_uncertainty_and_interpretability"
CHECKS = ("gaussian_nll", "combine_members", "observed_coverage", "occlusion_map")


def test_solutions_pass(solution):
    for name in CHECKS:
        assert_verdict(getattr(check, name), (solution[name],), Status.PASSED)


def test_stubs_wait(exercise):
    for name in CHECKS:
        assert_verdict(getattr(check, name), (exercise[name],), Status.NOT_DONE, "not done yet")


# --- 16.1 the Gaussian negative log-likelihood ---------------------------------------------------------------------

def _nll(half=0.5, constant=0.0, scale="log", reduce="mean", backend="keras"):
    """A loss written with keras.ops (or NumPy), with one of the typical mistakes switched on."""
    import keras

    ops = keras.ops if backend == "keras" else np

    def loss(y, mean, log_sigma):
        if scale == "log":
            first, inverse_variance = log_sigma, ops.exp(-2.0 * log_sigma)
        elif scale == "sigma":
            first, inverse_variance = ops.log(log_sigma), 1.0 / ops.square(log_sigma)
        elif scale == "sigma in the square":
            first, inverse_variance = log_sigma, 1.0 / ops.square(log_sigma)
        elif scale == "log variance":
            first, inverse_variance = log_sigma, ops.exp(-log_sigma)
        else:  # sigma as the first term
            first, inverse_variance = ops.exp(log_sigma), ops.exp(-2.0 * log_sigma)
        terms = first + half * ops.square(y - mean) * inverse_variance + constant
        if reduce == "none":
            return terms
        return ops.sum(terms) if reduce == "sum" else ops.mean(terms)
    return loss


def test_nll_accepts_the_constant_and_other_spellings():
    import keras
    import tensorflow as tf

    def with_distribution(y, mean, log_sigma):
        sigma = keras.ops.exp(log_sigma)
        return -keras.ops.mean(-0.5 * keras.ops.square((y - mean) / sigma) - keras.ops.log(sigma)
                               - 0.5 * np.log(2 * np.pi))

    def with_tf(y, mean, log_sigma):
        return tf.reduce_mean(log_sigma + 0.5 * tf.square(y - mean) / tf.exp(2 * log_sigma))

    for loss in (_nll(), _nll(constant=0.5 * np.log(2 * np.pi)), with_distribution, with_tf):
        assert_verdict(check.gaussian_nll, (loss,), Status.PASSED)
    assert_verdict(check.gaussian_nll, (_nll(constant=0.5 * np.log(2 * np.pi)),), Status.PASSED, "with the constant")
    assert_verdict(check.gaussian_nll, (_nll(),), Status.PASSED, "without the constant")


@pytest.mark.parametrize("options, fragment", [
    ({"half": 1.0}, "factor 1/2"),
    ({"half": 1.0, "constant": 0.5 * np.log(2 * np.pi)}, "factor 1/2"),
    ({"scale": "sigma in the square"}, "sigma itself in the squared term"),
    ({"scale": "log variance"}, "logarithm of the variance"),
    ({"scale": "sigma first"}, "first term is sigma"),
    ({"scale": "sigma"}, "nan"),
    ({"reduce": "sum"}, "sums over the events"),
    ({"reduce": "sum", "constant": 0.5 * np.log(2 * np.pi)}, "sums over the events"),
    ({"reduce": "none"}, "one per event"),
    ({"backend": "numpy"}, "keras.ops"),
])
def test_nll_mistakes(options, fragment):
    assert_verdict(check.gaussian_nll, (_nll(**options),), Status.FAILED, fragment)


def test_nll_twice_the_loss_is_named():
    def chi_square_form(y, mean, log_sigma):
        import keras
        return keras.ops.mean(2 * log_sigma + keras.ops.square(y - mean) * keras.ops.exp(-2 * log_sigma))
    assert_verdict(check.gaussian_nll, (chi_square_form,), Status.FAILED, "-2 log L")


def test_nll_that_changes_its_input_is_named():
    import keras

    def in_place(y, mean, log_sigma):
        y -= mean
        return keras.ops.mean(log_sigma + 0.5 * keras.ops.square(y) * keras.ops.exp(-2 * log_sigma))
    assert_verdict(check.gaussian_nll, (in_place,), Status.FAILED, "in place")


# --- 16.2 combining the members ------------------------------------------------------------------------------------

def test_combine_accepts_ddof_one_and_lists():
    def with_ddof(means, sigmas):
        return means.mean(0), np.sqrt((sigmas**2).mean(0)), means.std(0, ddof=1)

    def as_list(means, sigmas):
        return [np.mean(means, axis=0), np.sqrt(np.mean(np.square(sigmas), axis=0)), np.std(means, axis=0)]
    for function in (with_ddof, as_list):
        assert_verdict(check.combine_members, (function,), Status.PASSED)


def _combine(aleatoric="rms", epistemic="std", axis=0):
    """A combination with one of the typical mistakes switched on."""
    def combine(means, sigmas):
        centre = means.mean(axis=axis)
        spread = {"std": means.std(axis=axis), "var": means.var(axis=axis), "sigmas": sigmas.std(axis=axis),
                  "total": np.sqrt((sigmas**2).mean(axis=axis) + means.var(axis=axis)),
                  "mad": np.mean(np.abs(means - means.mean(axis=0)), axis=0)}[epistemic]
        noise = {"rms": np.sqrt((sigmas**2).mean(axis=axis)), "mean": sigmas.mean(axis=axis),
                 "variance": (sigmas**2).mean(axis=axis), "sum": np.sqrt((sigmas**2).sum(axis=axis))}[aleatoric]
        return centre, noise, spread
    return combine


@pytest.mark.parametrize("options, fragment", [
    ({"aleatoric": "mean"}, "averages the sigmas"),
    ({"aleatoric": "variance"}, "square root"),
    ({"aleatoric": "sum"}, "adds the variances"),
    ({"epistemic": "var"}, "variance of the members' means"),
    ({"epistemic": "sigmas"}, "spread of the members' sigmas"),
    ({"epistemic": "total"}, "total uncertainty"),
    ({"epistemic": "mad"}, "mean absolute deviation"),
    ({"axis": 1}, "one per member"),
])
def test_combine_mistakes(options, fragment):
    assert_verdict(check.combine_members, (_combine(**options),), Status.FAILED, fragment)


def test_combine_returning_two_values_is_explained():
    assert_verdict(check.combine_members, (lambda means, sigmas: (means.mean(0), sigmas.mean(0)),), Status.FAILED,
                   "tuple of 3")


# --- 16.3 observed coverage ----------------------------------------------------------------------------------------

def test_coverage_accepts_a_loop_and_scipy_style_bounds():
    def loop(pulls, levels):
        result = []
        for level in levels:
            bound = NormalDist().inv_cdf(0.5 + level / 2)
            result.append(np.count_nonzero((pulls >= -bound) & (pulls <= bound)) / len(pulls))
        return result
    assert_verdict(check.observed_coverage, (loop,), Status.PASSED)


def _coverage(sided=2, inside=True, absolute=True, in_place=False):
    """A coverage function with one of the typical mistakes switched on."""
    def coverage(pulls, levels):
        if in_place:
            np.abs(pulls, out=pulls)
        bounds = [NormalDist().inv_cdf((1 + q) / 2 if sided == 2 else q) for q in levels]
        values = np.abs(pulls) if absolute else pulls
        fraction = np.array([np.mean(values <= bound) for bound in bounds])
        return fraction if inside else 1 - fraction
    return coverage


@pytest.mark.parametrize("options, fragment", [
    ({"sided": 1}, "one-sided"),
    ({"inside": False}, "outside"),
    ({"absolute": False}, "|pull|"),
    ({"in_place": True}, "in place"),
])
def test_coverage_mistakes(options, fragment):
    assert_verdict(check.observed_coverage, (_coverage(**options),), Status.FAILED, fragment)


def test_coverage_of_one_level_only_is_explained():
    assert_verdict(check.observed_coverage, (lambda pulls, levels: np.mean(np.abs(pulls) <= 1),), Status.FAILED,
                   "shape")


# --- 16.4 occlusion ------------------------------------------------------------------------------------------------

def _occlusion(sign=1.0, rebuild=True, keep_only=False, in_place=False, empty_value=None):
    """An occlusion map, one predict call per station, with one of the typical mistakes switched on."""
    def occlusion(predict, signal, time):
        reference = np.ravel(predict(airshower.network_inputs(signal[None], time[None])))[0]
        result = np.zeros(signal.shape) if empty_value is None else np.full(signal.shape, empty_value)
        for row, col in zip(*np.nonzero(signal.copy())):
            if keep_only:
                changed = np.zeros_like(signal)
                changed[row, col] = signal[row, col]
                inputs = airshower.network_inputs(changed[None], time[None])
            elif rebuild:
                changed = signal if in_place else signal.copy()  # without the copy, removed stations stay removed
                changed[row, col] = 0
                inputs = airshower.network_inputs(changed[None], time[None])
            else:
                inputs = airshower.network_inputs(signal[None], time[None])
                inputs[0, row, col] = 0
            result[row, col] = sign * (reference - np.ravel(predict(inputs))[0])
        return result
    return occlusion


def test_occlusion_per_station_calls_pass():
    assert_verdict(check.occlusion_map, (_occlusion(),), Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({"sign": -1.0}, "wrong sign"),
    ({"rebuild": False}, "network_inputs"),
    ({"keep_only": True}, "keeps only one station"),
    ({"in_place": True}, "in place"),
    ({"empty_value": np.nan}, "nan"),
    ({"empty_value": 1.0}, "empty stations"),
])
def test_occlusion_mistakes(options, fragment):
    assert_verdict(check.occlusion_map, (_occlusion(**options),), Status.FAILED, fragment)


def test_occlusion_with_a_broken_predict_call_is_explained():
    def wrong_shape(predict, signal, time):
        return predict(airshower.network_inputs(signal, time))  # forgot the event axis
    assert_verdict(check.occlusion_map, (wrong_shape,), Status.FAILED, "raised")

