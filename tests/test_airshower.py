"""The toy air-shower simulation against its documented physics, its determinism and its argument checks."""

import numpy as np
import pytest

from utils import airshower

SHAPE = (airshower.ROWS, airshower.COLS)


@pytest.fixture(scope="module")
def events():
    """20 000 recorded showers with the default settings."""
    return airshower.simulate(20_000, seed=4)


def test_shapes_dtypes_and_ranges(events):
    n = 20_000
    for key in ("signal", "time", "expected_signal", "noiseless_time"):
        assert events[key].shape == (n, *SHAPE) and events[key].dtype == np.float32, key
    for key in ("energy", "zenith", "azimuth", "s1000"):
        assert events[key].shape == (n,), key
    assert events["core"].shape == (n, 2) and events["direction"].shape == (n, 3)
    assert events["positions"].shape == (*SHAPE, 2)
    low, high = airshower.ENERGY_RANGE
    assert low <= events["energy"].min() and events["energy"].max() <= high
    assert 0 <= events["zenith"].min() and events["zenith"].max() <= airshower.MAX_ZENITH
    assert 0 <= events["azimuth"].min() and events["azimuth"].max() < 2 * np.pi
    assert np.abs(events["core"]).max() <= airshower.CORE_HALF_WIDTH
    np.testing.assert_allclose(np.linalg.norm(events["direction"], axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(events["direction"], airshower.direction_vector(events["zenith"], events["azimuth"]))


def test_axis_distance():
    core = np.array([[0.0, 0.0], [1500.0, 0.0]])
    vertical, inclined = airshower.direction_vector([0.0, np.pi / 3], [0.0, 0.0])
    r = airshower.axis_distance(core, np.array([vertical, inclined]))
    assert r[0, 4, 6] == pytest.approx(2 * airshower.SPACING)  # vertical: the distance on the ground
    assert r[1, 4, 4] == pytest.approx(1500.0 * np.cos(np.pi / 3))  # along the azimuth: shortened by cos(θ)
    assert r[1, 5, 5] == pytest.approx(1500.0)  # across the azimuth: not shortened
    assert r[1, 4, 5] == pytest.approx(0.0, abs=1e-9)  # the core itself


def test_station_grid():
    positions = airshower.station_positions()
    assert positions[4, 4].tolist() == [0.0, 0.0]
    assert positions[4, 5].tolist() == [airshower.SPACING, 0.0]  # the column index runs along x
    assert positions[5, 4].tolist() == [0.0, airshower.SPACING]  # the row index runs along y
    assert positions[0, 0].tolist() == [-4 * airshower.SPACING, -4 * airshower.SPACING]


def test_stations_below_threshold_read_nothing(events):
    signal, time = events["signal"], events["time"]
    empty = signal == 0
    assert np.all(signal[~empty] >= airshower.THRESHOLD)
    assert np.all(time[empty] == 0) and np.all(time[~empty] != 0)
    assert np.all(signal == np.round(signal))  # whole numbers of particles
    assert np.count_nonzero(signal, axis=(1, 2)).min() >= airshower.MIN_STATIONS
    assert 0.3 < empty.mean() < 0.99  # most stations are empty, but not all


def test_expected_signal_follows_the_lateral_distribution(events):
    r = airshower.axis_distance(events["core"], events["direction"])
    expected = airshower.lateral_distribution(r, events["s1000"][:, None, None])
    np.testing.assert_allclose(events["expected_signal"], expected, rtol=1e-5)
    assert airshower.lateral_distribution(1000.0, 7.0) == pytest.approx(7.0)
    np.testing.assert_allclose(events["s1000"], airshower.s1000(events["energy"], events["zenith"]))


def test_s1000_is_proportional_to_energy_and_falls_with_zenith():
    energy = np.array([1.0, 10.0, 100.0])
    vertical = airshower.s1000(energy, 0.0)
    np.testing.assert_allclose(vertical / energy, airshower.S1000_PER_EEV)
    assert airshower.s1000(10.0, np.radians(60)) == pytest.approx(vertical[1] * np.exp(-airshower.ATTENUATION))


def test_signals_are_poisson_around_the_expectation(events):
    mu, counts = events["expected_signal"], events["signal"]
    bright = mu > 30  # far above threshold: never cut away
    pulls = (counts[bright] - mu[bright]) / np.sqrt(mu[bright])
    assert bright.sum() > 5000
    assert abs(pulls.mean()) < 0.05 and pulls.std() == pytest.approx(1.0, abs=0.05)


def test_mean_total_signal_grows_linearly_with_energy(events):
    """Above 3 EeV (every shower triggers): binned means on a straight line through the origin."""
    energy, total = events["energy"], events["signal"].sum(axis=(1, 2))
    edges = np.geomspace(3.0, 100.0, 8)
    bins = [(energy >= low) & (energy < high) for low, high in zip(edges[:-1], edges[1:])]
    mean_energy = np.array([energy[b].mean() for b in bins])
    mean_total = np.array([total[b].mean() for b in bins])
    error = np.array([total[b].std() / np.sqrt(b.sum()) for b in bins])
    slope, intercept = np.polyfit(mean_energy, mean_total, 1, w=1 / error)
    residuals = mean_total - (slope * mean_energy + intercept)
    assert np.all(np.abs(residuals) / mean_total < 0.05)
    assert np.sum((residuals / error) ** 2) / (len(bins) - 2) < 3.0
    assert abs(intercept / slope) < 0.5  # the line meets zero signal within 0.5 EeV of zero energy
    assert slope > 0


def test_noiseless_plane_front_times_lie_on_the_plane_of_the_direction():
    events = airshower.simulate(300, seed=1, jitter=False, curvature=False)
    c = airshower.SPEED_OF_LIGHT
    xy = events["positions"].reshape(-1, 2)
    for time, mask, direction, core in zip(events["time"].reshape(300, -1), events["signal"].reshape(300, -1) > 0,
                                           events["direction"], events["core"]):
        # t = -(x - core) . n / c at every triggered station: time * c + x . n is the same everywhere
        on_plane = time[mask] * c + xy[mask] @ direction[:2]
        np.testing.assert_allclose(on_plane, core @ direction[:2], atol=0.01)  # metres
        design = np.column_stack([np.ones(mask.sum()), -xy[mask] / c])
        _, nx, ny = np.linalg.lstsq(design, time[mask].astype(float), rcond=None)[0]
        np.testing.assert_allclose([nx, ny], direction[:2], atol=1e-5)


def test_curved_front_is_a_sphere_behind_the_plane():
    curved = airshower.simulate(200, seed=2, jitter=False)
    plane = airshower.simulate(200, seed=2, jitter=False, curvature=False)
    np.testing.assert_array_equal(curved["energy"], plane["energy"])  # the same showers, another front
    radius, c = airshower.FRONT_RADIUS, airshower.SPEED_OF_LIGHT
    offset = np.zeros((200, *SHAPE, 3))
    offset[..., :2] = curved["positions"][None] - curved["core"][:, None, None, :]
    centre = radius * curved["direction"][:, None, None, :]  # on the axis, R above the core
    # the front reaches every station at the same distance R + c t from the centre of the sphere
    np.testing.assert_allclose(np.linalg.norm(offset - centre, axis=-1) - radius, c * curved["noiseless_time"],
                               atol=0.01)
    delay = curved["noiseless_time"].astype(float) - plane["noiseless_time"]
    assert np.all(delay > -1e-2) and delay.max() > 50  # later than the plane, by up to hundreds of ns


def test_time_jitter_falls_with_the_signal(events):
    signal = events["signal"]
    triggered = signal > 0
    pulls = ((events["time"] - events["noiseless_time"])[triggered]
             / airshower.time_jitter(signal[triggered]))
    assert pulls.std() == pytest.approx(1.0, abs=0.03) and abs(pulls.mean()) < 0.03
    assert airshower.time_jitter(3.0) > airshower.time_jitter(100.0) > airshower.TIME_FLOOR


def test_zenith_density_is_sin_cos(events):
    """Kolmogorov-Smirnov against F(θ) = sin²θ / sin²θ_max, above 3 EeV where the trigger keeps every shower."""
    zenith = np.sort(events["zenith"][events["energy"] > 3.0])
    n = len(zenith)
    model = np.sin(zenith) ** 2 / np.sin(airshower.MAX_ZENITH) ** 2
    distance = max(np.max(np.arange(1, n + 1) / n - model), np.max(model - np.arange(n) / n))
    assert n > 3000
    assert distance < 1.63 / np.sqrt(n)  # accepted at the 1 % level
    # the same test would reject a density uniform in cos(θ) (sin θ alone)
    uniform_in_cos = (1 - np.cos(zenith)) / (1 - np.cos(airshower.MAX_ZENITH))
    assert np.max(np.abs(np.arange(1, n + 1) / n - uniform_in_cos)) > 1.63 / np.sqrt(n)


def test_trigger_keeps_most_showers_at_one_eev_and_all_above_three():
    rng = np.random.default_rng(0)
    showers = airshower._showers(40_000, rng, jitter=True, curvature=True)
    recorded = np.count_nonzero(showers["signal"], axis=(1, 2)) >= airshower.MIN_STATIONS
    energy = showers["energy"]
    assert 0.7 < recorded[energy < 1.2].mean() < 0.95
    assert recorded[energy > 3].all()


def test_same_seed_same_events_other_seed_other_events():
    first, second = airshower.simulate(500, seed=7), airshower.simulate(500, seed=7)
    other = airshower.simulate(500, seed=8)
    assert first.keys() == second.keys()
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
    assert not np.array_equal(first["signal"], other["signal"])
    assert not np.array_equal(first["energy"], other["energy"])


@pytest.mark.parametrize("args, kwargs, fragment", [
    ((0,), {}, "n_events"),
    ((-5,), {}, "n_events"),
    ((2.5,), {}, "n_events"),
    (("100",), {}, "n_events"),
    ((True,), {}, "n_events"),
    ((10,), {"seed": -1}, "seed"),
    ((10,), {"seed": 1.5}, "seed"),
    ((10,), {"jitter": "no"}, "jitter"),
    ((10,), {"noise": False}, "unknown keyword 'noise'"),
])
def test_bad_arguments_raise_one_clear_value_error(args, kwargs, fragment):
    with pytest.raises(ValueError, match="simulate\\(n_events, seed=0, jitter=True, curvature=True\\)") as error:
        airshower.simulate(*args, **kwargs)
    assert fragment in str(error.value)
    assert "\n" not in str(error.value)


def test_numpy_integers_are_whole_numbers():
    assert airshower.simulate(np.int64(5), seed=np.int32(3))["signal"].shape == (5, *SHAPE)


def test_network_inputs_are_the_inputs_of_notebook_15(events):
    """The helper for notebooks after 15 passes check 15.1 and has its channels, dtype and shape."""
    from tests.check_cases import assert_verdict
    from utils import check
    from utils.check.core import Status

    assert_verdict(check.preprocess_showers, (airshower.network_inputs,), Status.PASSED)
    signal, time = events["signal"][:500], events["time"][:500]
    before = signal.copy(), time.copy()
    inputs = airshower.network_inputs(signal, time)
    np.testing.assert_array_equal(signal, before[0])
    np.testing.assert_array_equal(time, before[1])
    assert inputs.shape == (500, *SHAPE, 3) and inputs.dtype == np.float32
    mask = signal > 0
    np.testing.assert_array_equal(inputs[..., 2], mask)
    np.testing.assert_allclose(inputs[..., 0], np.log10(1 + signal), rtol=1e-6)
    scaled = inputs[..., 1]
    assert np.all(scaled[~mask] == 0)
    np.testing.assert_allclose(np.sum(scaled, axis=(1, 2)), 0.0, atol=1e-4)  # centred on the triggered stations
    for event in range(5):  # the difference of two stations' times, in crossing times
        first, second = np.argwhere(mask[event])[:2]
        difference = (time[event][tuple(first)] - time[event][tuple(second)]) / airshower.CROSSING_TIME
        assert scaled[event][tuple(first)] - scaled[event][tuple(second)] == pytest.approx(difference, rel=1e-4)
