"""Checks of notebook 15 (air showers): the solutions pass, other correct forms pass, typical mistakes are named."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import airshower, check
from utils.check.core import Status

NAME = "15_air_showers"
UNIT = airshower.CROSSING_TIME


def test_solutions_pass(solution):
    for name in ("preprocess_showers", "build_shower_cnn", "angle_between", "calibrate_total_signal", "plane_fit"):
        assert_verdict(getattr(check, name), (solution[name],), Status.PASSED)


def test_direction_builder_solution_passes(solution):
    # build_direction_cnn calls the notebook's build_shower_cnn, which lives in the same namespace
    assert_verdict(check.build_direction_cnn, (solution["build_direction_cnn"],), Status.PASSED)


def test_stubs_wait(exercise):
    for name in ("preprocess_showers", "build_shower_cnn", "angle_between", "build_direction_cnn",
                 "calibrate_total_signal", "plane_fit"):
        assert_verdict(getattr(check, name), (exercise[name],), Status.NOT_DONE, "not done yet")


# --- 15.1 preprocessing ------------------------------------------------------------------------------------------

def _preprocess(log=np.log10, reference="mean", zero_empty=True, unit=UNIT, inverted_mask=False, channels_last=True,
                in_place=False):
    """A preprocessing function with one of the typical mistakes switched on."""
    def preprocess(signal, time):
        mask = signal > 0
        if reference == "mean":
            zero = np.sum(np.where(mask, time, 0), axis=(1, 2), keepdims=True) / mask.sum(axis=(1, 2), keepdims=True)
        elif reference == "all":
            zero = time.mean(axis=(1, 2), keepdims=True)
        elif reference == "earliest":
            zero = np.min(np.where(mask, time, np.inf), axis=(1, 2), keepdims=True)
        else:
            zero = time[mask].mean()
        if in_place:
            time -= zero
            shifted = time / unit
        else:
            shifted = (time - zero) / unit
        channels = [log(1 + signal) if log is not None else signal, np.where(mask, shifted, 0) if zero_empty
                    else shifted, ~mask if inverted_mask else mask]
        return np.stack(channels, axis=-1 if channels_last else 1)
    return preprocess


def test_preprocess_accepts_other_correct_forms():
    def with_nan_mean(signal, time):
        times = np.where(signal > 0, time, np.nan)
        centred = (times - np.nanmean(times, axis=(1, 2), keepdims=True)) / UNIT
        return np.stack([np.log10(signal + 1), np.nan_to_num(centred), (signal > 0).astype("float32")], axis=3)
    assert_verdict(check.preprocess_showers, (with_nan_mean,), Status.PASSED)
    assert_verdict(check.preprocess_showers, (_preprocess(log=lambda x: np.log10(x).astype("float64")),), Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({"log": np.log}, "natural logarithm"),
    ({"log": None}, "not scaled"),
    ({"log": lambda x: np.log10(x - 1)}, "-inf"),
    ({"reference": "all"}, "empty ones (time 0) included"),
    ({"reference": "earliest"}, "earliest station"),
    ({"reference": "batch"}, "whole batch"),
    ({"zero_empty": False}, "empty stations get a time"),
    ({"unit": 1.0}, "still in ns"),
    ({"inverted_mask": True}, "other way round"),
    ({"channels_last": False}, "channels come first"),
    ({"in_place": True}, "changed the arrays"),
])
def test_preprocess_mistakes(options, fragment):
    assert_verdict(check.preprocess_showers, (_preprocess(**options),), Status.FAILED, fragment)


def test_preprocess_for_one_grid_size_only_fails():
    def nine_by_nine(signal, time):
        return _preprocess()(signal, time).reshape(-1, 9, 9, 3)
    assert_verdict(check.preprocess_showers, (nine_by_nine,), Status.FAILED)


# --- 15.2 and 15.4: the builders -----------------------------------------------------------------------------------

def _builder(filters=(16, 16, 32), kernel=3, padding="valid", flatten="Flatten", hidden=32, output_activation=None,
             fixed_outputs=None, activation="relu", rate=2e-3, optimizer="Adam", loss="mse", compiled=True,
             fixed_shape=False, separate_activations=False, unit=False):
    """A shower CNN builder (input_shape, n_outputs) with one of the typical mistakes switched on."""
    import keras

    def build(input_shape, n_outputs):
        layers = [keras.Input(shape=(9, 9, 3) if fixed_shape else input_shape)]
        for size in filters:
            if separate_activations:
                layers += [keras.layers.Conv2D(size, kernel, padding=padding), keras.layers.ReLU()]
            else:
                layers.append(keras.layers.Conv2D(size, kernel, padding=padding, activation=activation))
        layers.append(getattr(keras.layers, flatten)())
        layers += [keras.layers.Dense(hidden, activation=activation),
                   keras.layers.Dense(fixed_outputs or n_outputs, activation=output_activation)]
        if unit:
            layers.append(keras.layers.UnitNormalization())
        model = keras.Sequential(layers)
        if compiled:
            model.compile(optimizer=getattr(keras.optimizers, optimizer)(learning_rate=rate), loss=loss)
        return model
    return build


def test_builder_accepts_other_spellings():
    import keras
    for options in ({"separate_activations": True}, {"loss": keras.losses.MeanSquaredError()},
                    {"loss": "mean_squared_error"}):
        assert_verdict(check.build_shower_cnn, (_builder(**options),), Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({"padding": "same"}, "padding='same'"),
    ({"filters": (16, 32)}, "2 Conv2D layers"),
    ({"filters": (8, 16, 32)}, "filters"),
    ({"flatten": "GlobalAveragePooling2D"}, "pooling"),
    ({"hidden": 64}, "32 units"),
    ({"output_activation": "relu"}, "linear"),
    ({"fixed_outputs": 1}, "n_outputs"),
    ({"activation": "tanh"}, "ReLU"),
    ({"rate": 1e-3}, "learning rate"),
    ({"optimizer": "SGD"}, "optimiser"),
    ({"loss": "mae"}, "loss"),
    ({"compiled": False}, "not compiled"),
    ({"fixed_shape": True}, "input shape"),
])
def test_builder_mistakes(options, fragment):
    assert_verdict(check.build_shower_cnn, (_builder(**options),), Status.FAILED, fragment)


def test_builder_kernel_size_is_checked():
    import keras

    def build(input_shape, n_outputs):
        model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Conv2D(16, 2, activation="relu"),
                                  keras.layers.Conv2D(16, 2, activation="relu"),
                                  keras.layers.Conv2D(32, 2, activation="relu"), keras.layers.Flatten(),
                                  keras.layers.Dense(32, activation="relu"), keras.layers.Dense(n_outputs)])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=2e-3), loss="mse")
        return model
    assert_verdict(check.build_shower_cnn, (build,), Status.FAILED, "3 x 3 kernel")


def test_direction_builder_accepts_nested_and_lambda_forms():
    import keras

    def nested(input_shape):
        model = keras.Sequential([_builder()(input_shape, 3), keras.layers.UnitNormalization()])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=2e-3), loss="mean_squared_error")
        return model

    def functional(input_shape):
        inputs = keras.Input(shape=input_shape)
        base = _builder(compiled=False)(input_shape, 3)
        outputs = keras.layers.Lambda(lambda v: keras.ops.normalize(v, axis=-1))(base(inputs))
        model = keras.Model(inputs, outputs)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=2e-3), loss=keras.losses.MeanSquaredError())
        return model

    for build in (nested, functional, lambda shape: _builder(unit=True)(shape, 3)):
        assert_verdict(check.build_direction_cnn, (build,), Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({}, "not unit vectors"),
    ({"output_activation": "softmax"}, "add up to 1"),
    ({"unit": True, "rate": 1e-2}, "learning rate"),
    ({"unit": True, "loss": "cosine_similarity"}, "loss"),
    ({"unit": True, "padding": "same"}, "padding"),
    ({"unit": True, "compiled": False}, "not compiled"),
    ({"unit": True, "fixed_outputs": 2}, "output shape"),
])
def test_direction_builder_mistakes(options, fragment):
    builder = _builder(**options)
    assert_verdict(check.build_direction_cnn, (lambda input_shape: builder(input_shape, 3),), Status.FAILED, fragment)


# --- 15.3 the angle ------------------------------------------------------------------------------------------------

def _cosine(u, v):
    return np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))


def _in_place(u, v):
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return np.degrees(np.arccos(np.clip(np.sum(u * v, axis=1), -1, 1)))


def test_angle_accepts_arctan2():
    def with_arctan2(u, v):
        return np.degrees(np.arctan2(np.linalg.norm(np.cross(u, v), axis=1), np.sum(u * v, axis=1)))
    assert_verdict(check.angle_between, (with_arctan2,), Status.PASSED)


@pytest.mark.parametrize("function, fragment", [
    (lambda u, v: np.arccos(np.clip(_cosine(u, v), -1, 1)), "radians"),
    (lambda u, v: np.degrees(np.arccos(np.clip(np.sum(u * v, axis=1), -1, 1))), "not normalised"),
    (lambda u, v: np.degrees(np.arccos(_cosine(u, v))), "NaN"),
    (lambda u, v: _cosine(u, v), "cosine"),
    (lambda u, v: np.degrees(np.arccos(np.clip(_cosine(u, v), -1, 1)))[:, None], "shape"),
    (_in_place, "changed the arrays"),
])
def test_angle_mistakes(function, fragment):
    assert_verdict(check.angle_between, (function,), Status.FAILED, fragment)


# --- 15.5 the calibration ------------------------------------------------------------------------------------------

def test_calibration_accepts_natural_logs():
    assert_verdict(check.calibrate_total_signal, (lambda s, e: np.exp(np.mean(np.log(s) - np.log(e))),),
                   Status.PASSED)


@pytest.mark.parametrize("function, fragment", [
    (lambda s, e: np.mean(s / e), "ratios s/e themselves"),
    (lambda s, e: np.median(s / e), "median"),
    (lambda s, e: s.sum() / e.sum(), "summed signals"),
    (lambda s, e: s @ e / (e @ e), "least-squares slope"),
    (lambda s, e: 10 ** np.mean(np.log10(e / s)), "other way"),
    (lambda s, e: np.mean(np.log10(s / e)), "log10 of the constant"),
    (lambda s, e: s / e, "shape"),
])
def test_calibration_mistakes(function, fragment):
    assert_verdict(check.calibrate_total_signal, (function,), Status.FAILED, fragment)


# --- 15.6 the plane fit --------------------------------------------------------------------------------------------

def _plane_fit(sign=-1.0, speed=airshower.SPEED_OF_LIGHT, use_mask=True, offset=True, swap=False, clip=True,
               in_place=False):
    """A plane fit with one of the typical mistakes switched on."""
    def fit(positions, times, mask):
        xy = positions.reshape(-1, 2)[:, ::-1] if swap else positions.reshape(-1, 2)
        result = []
        if in_place:
            times[~mask] = np.nan
        for t, hit in zip(times.reshape(len(times), -1), mask.reshape(len(mask), -1)):
            hit = hit if use_mask else np.ones_like(hit)
            columns = [np.ones(hit.sum())] if offset else []
            design = np.column_stack(columns + [sign * xy[hit] / speed])
            nx, ny = np.linalg.lstsq(design, t[hit], rcond=None)[0][-2:]
            length = np.hypot(nx, ny)
            if clip and length > 1:
                nx, ny = nx / length, ny / length
            result.append([nx, ny, np.sqrt(1 - nx**2 - ny**2) if not clip else np.sqrt(max(0, 1 - nx**2 - ny**2))])
        return np.array(result)
    return fit


def test_plane_fit_accepts_a_vectorised_solution():
    def normal_equations(positions, times, mask):
        weights = mask.reshape(len(mask), -1).astype(float)
        x, y = positions.reshape(-1, 2).T / airshower.SPEED_OF_LIGHT
        design = np.stack([np.ones_like(x), -x, -y], axis=1)
        matrix = np.einsum("ns,si,sj->nij", weights, design, design)
        vector = np.einsum("ns,si,ns->ni", weights, design, times.reshape(len(times), -1))
        _, nx, ny = np.linalg.solve(matrix, vector[..., None])[..., 0].T
        length = np.maximum(np.hypot(nx, ny), 1.0)
        nx, ny = nx / length, ny / length
        return np.stack([nx, ny, np.sqrt(np.clip(1 - nx**2 - ny**2, 0, None))], axis=1)
    assert_verdict(check.plane_fit, (normal_equations,), Status.PASSED)


@pytest.mark.parametrize("options, fragment", [
    ({"sign": 1.0}, "travels"),
    ({"speed": 299_792_458.0}, "horizontal"),
    ({"speed": 2.998e-4}, "vertical"),
    ({"use_mask": False}, "empty stations take part"),
    ({"offset": False}, "no time offset"),
    ({"swap": True}, "swapped"),
    ({"clip": False}, "unit vector"),
    ({"in_place": True}, "changed the arrays"),
])
def test_plane_fit_mistakes(options, fragment):
    assert_verdict(check.plane_fit, (_plane_fit(**options),), Status.FAILED, fragment)
