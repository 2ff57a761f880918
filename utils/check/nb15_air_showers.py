"""Checks of notebook 15 (air showers): preprocessing, the two CNN builders, the angle between directions, and
the classic reconstructions (total-signal calibration, plane fit of the arrival times)."""

from __future__ import annotations

import numpy as np

from utils import airshower
from utils.check.core import Mistake, as_array, call, compare, exercise_check, expect_function, expect_unchanged
from utils.check.keras_models import built_model, expect_compiled, nested_blocks

TIME_UNIT = airshower.CROSSING_TIME
LEARNING_RATE = 2e-3


def _call_on_copies(function, name: str, *arrays: np.ndarray):
    """Call the learner's function on copies of the arrays; a Mistake if it changed them, or if it returned None."""
    given = tuple(array.copy() for array in arrays)
    result = call(function, *given)
    for array, passed in zip(arrays, given):
        expect_unchanged(array, passed, name, "the arrays it was given",
                         "an operation such as -= or a[...] = on an input writes into the caller's data; work on "
                         "new arrays, the caller still needs the raw data")
    if result is None:
        raise Mistake(f"{name} returned None: did you forget a `return`?")
    return result


# --- 15.1 preprocessing ----------------------------------------------------------------------------------------

def _showers(rng: np.random.Generator, n: int, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Random float32 (signal, time) arrays with empty stations (0) and at least two triggered stations per event."""
    signal = rng.poisson(rng.uniform(0.5, 60.0, (n, rows, cols))).astype("float32")
    signal[signal < 3] = 0
    for event in range(n):
        signal[event, rng.integers(rows), rng.integers(cols)] = 40.0
        signal[event, rng.integers(rows), rng.integers(cols)] = 7.0
    offset = rng.uniform(-9000.0, 9000.0, (n, 1, 1))
    time = np.where(signal > 0, offset + rng.normal(0.0, 4000.0, signal.shape), 0.0).astype("float32")
    return signal, time


def _preprocessed(signal: np.ndarray, time: np.ndarray, reference: str = "mean", empty_times: str = "zero",
                  unit: float = TIME_UNIT) -> np.ndarray:
    """The three channels as the task defines them, or with one of the typical mistakes in the time channel."""
    mask = signal > 0
    count = mask.sum(axis=(1, 2), keepdims=True)
    if reference == "mean":
        zero = np.where(mask, time, 0.0).sum(axis=(1, 2), keepdims=True) / count
    elif reference == "mean of all stations":
        zero = time.mean(axis=(1, 2), keepdims=True)
    elif reference == "earliest":
        zero = np.where(mask, time, np.inf).min(axis=(1, 2), keepdims=True)
    else:  # the mean over the whole batch
        zero = np.where(mask, time, 0.0).sum() / mask.sum()
    shifted = (time - zero) / unit
    return np.stack([np.log10(1.0 + signal), shifted if empty_times == "kept" else np.where(mask, shifted, 0.0),
                     mask.astype(float)], axis=-1)


@exercise_check("15.1", "preprocessing: scaled channels and a mask")
def preprocess_showers(function) -> str:
    """Fresh random events on grids of several sizes: the three channels, empty stations, no change to the input."""
    function = expect_function(function, "preprocess_showers")
    rng = np.random.default_rng()
    for n, rows, cols in ((int(rng.integers(3, 7)), 9, 9), (1, int(rng.integers(4, 8)), int(rng.integers(4, 8)))):
        signal, time = _showers(rng, n, rows, cols)
        result = np.asarray(_call_on_copies(function, "preprocess_showers", signal, time), dtype=float)
        if result.shape == (n, 3, rows, cols):
            raise Mistake("the channels come first (n, 3, rows, cols); Keras wants them last: (n, rows, cols, 3), "
                          "e.g. np.stack([...], axis=-1).")
        if result.shape != (n, rows, cols, 3):
            raise Mistake(f"for {n} events on a {rows} x {cols} grid the result has shape {result.shape}, not "
                          f"{(n, rows, cols, 3)}: one (rows, cols, 3) image per event, whatever the grid size.")
        if np.any(np.isinf(result[..., 0])) or np.any(np.isnan(result[..., 0])):
            raise Mistake("the signal channel holds -inf or NaN at the empty stations: log10(0) is -inf, which is "
                          "why the task takes the logarithm of 1 + signal.")
        result = as_array(result, "the preprocessed events")
        expected = _preprocessed(signal, time)
        mask = signal > 0
        compare(result[..., 2], expected[..., 2], "the mask channel (2)", atol=1e-6, known_mistakes={
            "it is 1 at the empty stations and 0 at the triggered ones; the other way round, please.": ~mask,
        })
        compare(result[..., 0], expected[..., 0], "the signal channel (0)", rtol=1e-5, atol=1e-6, known_mistakes={
            "it uses the natural logarithm; the task asks for log10.": np.log(1.0 + signal),
            "the signals are not scaled: take log10(1 + signal).": signal,
        })
        compare(result[..., 1], expected[..., 1], "the time channel (1)", rtol=1e-4, atol=1e-5, known_mistakes={
            "the times are measured from the mean over all stations, empty ones (time 0) included: average only "
            "the triggered stations.": _preprocessed(signal, time, "mean of all stations")[..., 1],
            "the times are measured from the earliest station; the task measures them from the event's mean "
            "arrival time.": _preprocessed(signal, time, "earliest")[..., 1],
            "the times are measured from one mean over the whole batch: each event needs its own mean (its "
            "clock's zero is arbitrary).": _preprocessed(signal, time, "batch")[..., 1],
            "the empty stations get a time too: set the time channel to 0 where a station is empty.":
                _preprocessed(signal, time, empty_times="kept")[..., 1],
            "the times are still in ns: divide by airshower.CROSSING_TIME.":
                _preprocessed(signal, time, unit=1.0)[..., 1],
        })
    return "correct: log signals, centred and scaled times, a mask, zeros at empty stations, inputs untouched."


# --- 15.2 and 15.4: the CNN builders -----------------------------------------------------------------------------

def _expect_input(model, shape: tuple[int, ...], name: str) -> None:
    """Raise a Mistake unless the model reads events of the given shape."""
    if tuple(model.input_shape) != (None, *shape):
        raise Mistake(f"{name}({shape}, ...) has the input shape {tuple(model.input_shape)}: start with "
                      "keras.Input(shape=input_shape), using the argument.")


def _expect_shower_layers(model, n_outputs: int, name: str) -> None:
    """Raise a Mistake unless the layers are the task's three convolutions, Flatten and two Dense layers."""
    layers = nested_blocks(model)
    kinds = [block.kind for block in layers]
    if any("Pooling" in kind for kind in kinds):
        raise Mistake("the model has a pooling layer; the task's network has none: the grid is only 9 x 9 and "
                      "the flattened features keep where each feature sits.")
    if "Flatten" not in kinds:
        raise Mistake("the model does not flatten the feature maps before the Dense layers (keras.layers.Flatten).")
    convolutions = [block for block in layers if block.kind == "Conv2D"]
    dense = [block for block in layers if block.kind == "Dense"]
    if len(convolutions) != 3:
        raise Mistake(f"the model has {len(convolutions)} Conv2D layers; the task asks for three.")
    if kinds.index("Flatten") < max(index for index, kind in enumerate(kinds) if kind == "Conv2D"):
        raise Mistake("Flatten comes before a convolution: the convolutions work on the grid, Flatten follows them.")
    if [block.size for block in convolutions] != [16, 16, 32]:
        raise Mistake(f"the convolutions have {[block.size for block in convolutions]} filters, not the numbers "
                      "the task asks for.")
    if any(tuple(block.layer.kernel_size) != (3, 3) or tuple(block.layer.strides) != (1, 1) for block in convolutions):
        raise Mistake("every convolution should have a 3 x 3 kernel and stride 1.")
    if any(block.layer.padding != "valid" for block in convolutions):
        raise Mistake("a convolution pads the grid (padding='same'); the task's convolutions each shrink it by one "
                      "station on each side (padding='valid'), 9 x 9 to 7 x 7 to 5 x 5 to 3 x 3.")
    if len(dense) != 2 or dense[0].size != 32:
        raise Mistake(f"after Flatten the task has a Dense layer of 32 units and the output layer; found Dense "
                      f"layers of sizes {[block.size for block in dense]}.")
    hidden = convolutions + dense[:1]
    if any(block.activation != "relu" for block in hidden):
        raise Mistake("the convolutions and the hidden Dense layer should all use ReLU.")
    output = dense[-1]
    if output.size != n_outputs:
        raise Mistake(f"{name} asked for {n_outputs} outputs has an output layer of {output.size} units: use the "
                      "argument n_outputs.")
    if output.activation != "linear":
        raise Mistake(f"the output layer applies {output.activation!r}: a regression output must be free to take "
                      "any value, so it has no activation (linear).")


@exercise_check("15.2", "a CNN for the shower grid")
def build_shower_cnn(function) -> str:
    """Inspect layers, padding, sizes and compile settings for two input shapes and output sizes."""
    function = expect_function(function, "build_shower_cnn")
    for shape, n_outputs in (((9, 9, 3), 1), ((7, 8, 2), 3)):
        model = built_model(function, (shape, n_outputs), "build_shower_cnn")
        _expect_input(model, shape, "build_shower_cnn")
        _expect_shower_layers(model, n_outputs, "build_shower_cnn")
        expect_compiled(model, "build_shower_cnn", optimizer="Adam", rate=LEARNING_RATE, loss="mean_squared_error")
        if tuple(model.output_shape) != (None, n_outputs):
            raise Mistake(f"the model's output shape is {tuple(model.output_shape)}, not (None, {n_outputs}).")
    return "correct: three 3 x 3 ReLU convolutions without padding, Flatten, Dense(32), linear outputs, compiled."


@exercise_check("15.4", "a CNN that predicts unit vectors")
def build_direction_cnn(function) -> str:
    """The shower CNN with three outputs and a final normalisation: unit outputs on random events, compiled."""
    function = expect_function(function, "build_direction_cnn")
    import keras

    rng = np.random.default_rng()
    for shape in ((9, 9, 3), (7, 8, 2)):
        model = built_model(function, (shape,), "build_direction_cnn")
        _expect_input(model, shape, "build_direction_cnn")
        if tuple(model.output_shape) != (None, 3):
            raise Mistake(f"the model's output shape is {tuple(model.output_shape)}: a direction has three "
                          "components, (None, 3).")
        outputs = keras.ops.convert_to_numpy(model(rng.normal(size=(5, *shape)).astype("float32"), training=False))
        lengths = np.linalg.norm(outputs, axis=1)
        if np.allclose(outputs.sum(axis=1), 1.0, atol=1e-4) and np.all(outputs >= 0):
            raise Mistake("the outputs add up to 1, like probabilities (softmax): a direction needs length 1, "
                          "the sum of squares equal to 1.")
        if not np.allclose(lengths, 1.0, atol=1e-4):
            raise Mistake(f"the outputs are not unit vectors (lengths from {lengths.min():.3g} to "
                          f"{lengths.max():.3g}): the last layer should divide the three outputs by their length.")
        _expect_shower_layers(model, 3, "build_direction_cnn")
        expect_compiled(model, "build_direction_cnn", optimizer="Adam", rate=LEARNING_RATE, loss="mean_squared_error")
    return "correct: the shower CNN with three outputs scaled to unit length, compiled."


# --- 15.3 the angle between two directions -----------------------------------------------------------------------

def _vectors(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of vectors of random lengths, with parallel, antiparallel and perpendicular pairs among them."""
    u = rng.normal(size=(n, 3)) * rng.uniform(0.3, 4.0, (n, 1))
    v = rng.normal(size=(n, 3)) * rng.uniform(0.3, 4.0, (n, 1))
    u[0] = [-0.314, 1.458, 1.96]  # parallel to v[0]: the computed cosine is 1 + 2e-16 whichever way it is written
    v[0] = 2.7 * u[0]
    v[1] = -0.6 * u[1]  # antiparallel
    v[2] = np.cross(u[2], rng.normal(size=3))  # perpendicular
    u[3] = v[3] = np.array([0.3, -0.4, 0.866])
    return u, v


def _angle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The angle between the rows of u and v in degrees."""
    cosine = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


@exercise_check("15.3", "the angle between two directions")
def angle_between(function) -> str:
    """Fresh vectors of any length, including parallel and antiparallel pairs: degrees, no NaN, inputs untouched."""
    function = expect_function(function, "angle_between")
    rng = np.random.default_rng()
    n = int(rng.integers(8, 15))
    u, v = _vectors(rng, n)
    result = np.asarray(_call_on_copies(function, "angle_between", u, v), dtype=float)
    if result.shape == (n,) and np.isnan(result).any():
        raise Mistake("some angles are NaN, for example between parallel vectors: rounding can put the cosine "
                      "just above 1, where arccos is undefined. Clip the cosine to [-1, 1] first.")
    result = as_array(result, f"angle_between(u, v) for {n} pairs", shape=(n,))
    expected = _angle(u, v)
    dot = np.sum(u * v, axis=1)
    compare(result, expected, "the angle", rtol=1e-6, atol=1e-6, known_mistakes={
        "it is in radians; the task asks for degrees (np.degrees).": np.radians(expected),
        "the vectors are not normalised: divide the dot product by both lengths.":
            np.degrees(np.arccos(np.clip(dot, -1.0, 1.0))),
        "it returns the cosine of the angle, not the angle.": np.cos(np.radians(expected)),
    })
    return "correct: degrees, any vector length, and no NaN for parallel or antiparallel vectors."


# --- 15.5 calibration of the total signal --------------------------------------------------------------------------

@exercise_check("15.5", "calibration of the total signal")
def calibrate_total_signal(function) -> str:
    """Fresh (total signal, energy) pairs with a heavy tail: the constant minimising the squared error of log10 E."""
    function = expect_function(function, "calibrate_total_signal")
    rng = np.random.default_rng()
    n = int(rng.integers(300, 600))
    energy = 1.0 / (1.0 - rng.uniform(0.0, 0.99, n))  # E^-2 from 1 to 100 EeV
    scatter = 10 ** rng.normal(0.0, 0.15, n) * np.where(rng.random(n) < 0.1, rng.uniform(2.0, 6.0, n), 1.0)
    total = rng.uniform(20.0, 60.0) * energy * scatter
    value = as_array(_call_on_copies(function, "calibrate_total_signal", total, energy),
                     "calibrate_total_signal(total_signal, energy)", shape=())
    ratio = total / energy
    expected = 10 ** np.mean(np.log10(ratio))
    compare(value, expected, "the calibration constant", rtol=1e-6, known_mistakes={
        "it averages the ratios S/E themselves: a few events with a station next to the core pull that mean up. "
        "The task averages in log10, like the network's loss.": np.mean(ratio),
        "it is the median of the ratios; the task asks for the constant that minimises the squared error of "
        "log10 E.": np.median(ratio),
        "it is the ratio of the summed signals to the summed energies; the task works in log10.":
            total.sum() / energy.sum(),
        "it is the least-squares slope of S against E (linear, not in log10).": total @ energy / (energy @ energy),
        "it converts the other way: the constant is in VEM per EeV, total signal = k x energy.": 1.0 / expected,
        "it returns log10 of the constant, not the constant.": np.log10(expected),
    })
    return "correct: the constant minimises the squared error of log10 E on the training events."


# --- 15.6 the plane fit ---------------------------------------------------------------------------------------------

def _plane_fit(positions: np.ndarray, times: np.ndarray, mask: np.ndarray, speed: float = airshower.SPEED_OF_LIGHT,
               offset: bool = True) -> np.ndarray:
    """Least-squares plane fit, or one of its typical mistakes (another speed of light, no time offset)."""
    xy = positions.reshape(-1, 2)
    directions = []
    for t, m in zip(times.reshape(len(times), -1).astype(float), mask.reshape(len(mask), -1)):
        columns = [np.ones(m.sum())] if offset else []
        design = np.column_stack(columns + [-xy[m] / speed])
        nx, ny = np.linalg.lstsq(design, t[m], rcond=None)[0][-2:]
        horizontal = np.hypot(nx, ny)
        if horizontal > 1:
            nx, ny = nx / horizontal, ny / horizontal
        directions.append([nx, ny, np.sqrt(max(0.0, 1.0 - nx**2 - ny**2))])
    return np.array(directions)


def _plane_events(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Exact plane fronts on a random grid (size, spacing, origin), random clock offsets and random empty stations."""
    rows, cols = (int(value) for value in rng.integers(5, 10, 2))
    spacing = rng.uniform(1000.0, 2000.0)
    y, x = np.meshgrid(np.arange(rows) * spacing, np.arange(cols) * spacing, indexing="ij")
    positions = np.stack([x, y], axis=-1) + rng.uniform(-4000.0, 4000.0, 2)
    direction = airshower.direction_vector(np.arcsin(np.sqrt(rng.uniform(0.05, 0.75, n))),
                                           rng.uniform(0, 2 * np.pi, n))
    mask = rng.random((n, rows, cols)) < 0.5
    mask[:, 0, 0] = mask[:, 0, 1] = mask[:, 1, 0] = True  # never all on one line
    clock = rng.uniform(-20000.0, 20000.0, (n, 1, 1))
    times = clock - np.einsum("ijk,nk->nij", positions, direction[:, :2]) / airshower.SPEED_OF_LIGHT
    return positions, np.where(mask, times, 0.0).astype("float32"), mask, direction


def _fitted(function, positions, times, mask, what: str) -> np.ndarray:
    """The learner's directions for these events, with their shape checked and the inputs left as they were."""
    return as_array(_call_on_copies(function, "plane_fit", positions, times, mask), what, shape=(len(times), 3))


@exercise_check("15.6", "the plane fit of the arrival times")
def plane_fit(function) -> str:
    """Exact plane fronts on random grids and the generator's noiseless events; unit vectors also for noisy times."""
    function = expect_function(function, "plane_fit")
    rng = np.random.default_rng()
    positions, times, mask, truth = _plane_events(rng, int(rng.integers(6, 12)))
    result = _fitted(function, positions, times, mask, "plane_fit(positions, times, mask)")
    for extreme, condition in (("vertical", np.allclose(result[:, :2], 0.0, atol=1e-3)),
                               ("horizontal", np.allclose(result[:, 2], 0.0, atol=1e-3))):
        if condition:
            raise Mistake(f"every direction comes out {extreme}: the fitted slopes are far too small or too large, "
                          "a sign that the speed of light is in other units. Times are in ns and positions in m: "
                          "c = 0.2998 m/ns (airshower.SPEED_OF_LIGHT).")
    upside_down = "it points the way the shower travels; the task wants the direction it came from: check the " \
                  "sign in t = t0 - (x n_x + y n_y) / c"
    compare(result, truth, "the fitted direction", rtol=0, atol=1e-5, known_mistakes={
        f"{upside_down}.": -truth,
        f"{upside_down} (the horizontal components have the wrong sign).": truth * [-1, -1, 1],
        "x and y are swapped: positions[..., 0] is x and positions[..., 1] is y.": truth[:, [1, 0, 2]],
        "the empty stations take part in the fit: use only the stations where mask is True.":
            _plane_fit(positions, times, np.ones_like(mask)),
        "the fit has no time offset t0: the clock's zero is arbitrary, so fit t0 together with the direction.":
            _plane_fit(positions, times, mask, offset=False),
    }, advice="Fit t = t0 - (x n_x + y n_y) / c to the triggered stations of each event.")
    events = airshower.simulate(30, seed=int(rng.integers(10**6)), jitter=False, curvature=False)
    noiseless = _fitted(function, events["positions"], events["time"], events["signal"] > 0,
                        "plane_fit on the generator's noiseless events")
    if np.max(_angle(noiseless, events["direction"])) > 1e-3:
        raise Mistake("on noiseless plane-front events from airshower.simulate(..., jitter=False, curvature=False) "
                      "the fit misses the true direction.")
    # a "front faster than light", slopes (1.1, 0.2): noise can make the fitted (n_x, n_y) longer than 1
    steep = (-(positions @ [1.1, 0.2]) / airshower.SPEED_OF_LIGHT)[None].astype("float32")
    unit = np.asarray(call(function, positions.copy(), steep, np.ones(steep.shape, dtype=bool)), dtype=float)
    if unit.shape != (1, 3) or not np.all(np.isfinite(unit)) or not np.isclose(np.linalg.norm(unit), 1.0) \
            or unit[0, 2] < 0:
        raise Mistake("when noise makes the fitted (n_x, n_y) longer than 1, the result is not a unit vector with "
                      "n_z >= 0 (the square root of a negative number is NaN): scale (n_x, n_y) down to length 1 "
                      "and set n_z = 0 in that case.")
    return "correct: exact on plane fronts of any grid, the empty stations left out, unit vectors pointing up."
