"""A toy surface detector for cosmic-ray air showers: signals and arrival times on a square grid of stations.

A fast, vectorised stand-in for the simulations behind the air-shower exercise of Erdmann et al., *Deep
Learning for Physics Research* (World Scientific, 2021), laid out like the surface detector of the Pierre
Auger Observatory. Every number below is a module constant; ``simulate(n)`` draws n recorded events.

**Array.** 9 x 9 stations on a square grid with 1500 m spacing, centred on the origin: station (row, col)
sits at x = (col - 4) * 1500 m, y = (row - 4) * 1500 m, all at height 0 (``station_positions()``).

**Primary energy.** 1 to 100 EeV from dN/dE ∝ E^-2. The measured spectrum falls faster (about E^-3 here);
the flatter one keeps enough high-energy events in a few tens of thousands (about 10 % above 10 EeV).

**Arrival direction.** Isotropic flux on a flat array: zenith density sin(θ) cos(θ) up to θ = 60°
(sin²θ uniform), azimuth φ uniform in [0, 2π), measured from the x axis towards y. The unit vector
``direction`` = (sin θ cos φ, sin θ sin φ, cos θ) points from the ground back to where the shower came
from; the shower moves along -direction.

**Core.** Where the shower axis hits the ground: uniform in the square |x|, |y| <= 1500 m around the central
station, so that the footprint stays on the grid.

**Signal scale.** In vertical-equivalent muons (VEM, the signal of one vertical muon). The signal at 1000 m
from the axis, S1000 = 6 VEM x (E / EeV) x exp(-0.7 (sec θ - 1)): proportional to the energy, with the
vertical value close to the Auger one and an attenuation through the extra atmosphere an inclined shower
crosses (slant depth ∝ sec θ; a factor 0.5 at 60°).

**Lateral distribution.** NKG-like, as a function of the distance r from the shower axis (measured in
the plane perpendicular to it): S(r) = S1000 ((r + 700 m) / 1700 m)^-4. Far out it falls like r^-4, as the
function Auger fits, S1000 (r / 1000 m)^-β ((r + 700 m) / 1700 m)^-β with β ≈ 2; inside about 700 m it is
flatter than that one, which keeps rising towards the core. (With the steeper core the one station next to the
core would carry most of an event's total signal, and a total-signal calibration would scatter by about 60 %
instead of 35 %.)

**Signal fluctuations.** The expected signal of a station is S(r) (``expected_signal``); the recorded
one is a Poisson number of particles with that mean, one particle counting 1 VEM. There are no
shower-to-shower fluctuations, so for a known geometry the total signal measures the energy with a relative
error of at least 1 / sqrt(sum of expected signals): the Poisson limit.

**Arrival times** in ns, 0 when the core reaches the ground. The front is a sphere of radius R = 30 km
centred on the axis, slightly curved (real fronts have 10-20 km): t = (|d - R n| - R) / c for a station at d
from the core, direction n, c = 0.2998 m/ns; that is the plane front t = -(d · n) / c plus a delay of about
r² / (2 R c) at distance r from the axis (56 ns at 1 km, 500 ns at 3 km). With ``curvature=False`` the front
is the plane. Each recorded time has a Gaussian jitter
of standard deviation sqrt((20 ns)² + (300 ns)² / (S / VEM)): 175 ns at 3 VEM, 36 ns at 100 VEM
(``jitter=False`` switches it off; ``noiseless_time`` is always without it).

**Trigger.** A station with a signal below 3 VEM reads nothing: signal and time 0. An event is recorded
when at least 3 stations trigger and they are not all on one line (enough for a plane fit); showers that
fail are replaced by new ones. The trigger keeps about 4 in 5 showers at 1-1.2 EeV, 98 % at 1.5-2 EeV and
all above 3 EeV, so the recorded showers below 2 EeV lean towards upward fluctuations.

Cost: about 1.5 s for 40 000 events on one core. The same seed gives the same events.
"""

from __future__ import annotations

import numpy as np

ROWS = COLS = 9
SPACING = 1500.0
"""Distance between neighbouring stations (m)."""
SPEED_OF_LIGHT = 0.299792458
"""In m/ns: times are in ns, distances in m."""
CROSSING_TIME = SPACING / SPEED_OF_LIGHT
"""Light's travel time from one station to the next (ns), 5.0 µs: a natural unit for arrival-time differences."""
ENERGY_RANGE = (1.0, 100.0)
"""Primary energies (EeV), drawn from dN/dE ∝ E^-SPECTRAL_INDEX."""
SPECTRAL_INDEX = 2.0
MAX_ZENITH = np.radians(60.0)
CORE_HALF_WIDTH = 1500.0
"""The core is uniform in |x|, |y| <= CORE_HALF_WIDTH (m)."""
S1000_PER_EEV = 6.0
"""S1000 of a vertical shower per EeV (VEM)."""
ATTENUATION = 0.7
"""S1000 falls as exp(-ATTENUATION (sec θ - 1))."""
LDF_SCALE = 700.0
LDF_SLOPE = 4.0
FRONT_RADIUS = 30_000.0
"""Radius of curvature of the shower front (m)."""
TIME_FLOOR = 20.0
TIME_SPREAD = 300.0
"""Time jitter (ns): sqrt(TIME_FLOOR² + TIME_SPREAD² / (S / VEM))."""
THRESHOLD = 3.0
"""Station trigger threshold (VEM)."""
MIN_STATIONS = 3
"""Event trigger: at least this many stations, not all on one line."""


def station_positions() -> np.ndarray:
    """The (x, y) of every station in metres, shape (ROWS, COLS, 2), row index along y."""
    y, x = np.meshgrid((np.arange(ROWS) - (ROWS - 1) / 2) * SPACING, (np.arange(COLS) - (COLS - 1) / 2) * SPACING,
                       indexing="ij")
    return np.stack([x, y], axis=-1)


def direction_vector(zenith, azimuth) -> np.ndarray:
    """Unit vectors (..., 3) pointing from the ground towards where the showers came from."""
    zenith, azimuth = np.asarray(zenith, dtype=float), np.asarray(azimuth, dtype=float)
    return np.stack([np.sin(zenith) * np.cos(azimuth), np.sin(zenith) * np.sin(azimuth), np.cos(zenith)], axis=-1)


def _geometry(core: np.ndarray, direction: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, ...]:
    """For every shower and station: d . n, |d|² and the distance from the axis, d = station - core on the ground."""
    offset = positions[None] - core[:, None, None, :]  # (n, rows, cols, 2)
    along = np.einsum("nijk,nk->nij", offset, direction[:, :2])
    squared = np.sum(offset**2, axis=-1)
    return along, squared, np.sqrt(np.maximum(squared - along**2, 0.0))


def axis_distance(core, direction, positions=None) -> np.ndarray:
    """Distance (m) of every station from each shower's axis, shape (n, rows, cols), for cores (n, 2) in m."""
    positions = station_positions() if positions is None else np.asarray(positions, dtype=float)
    return _geometry(np.asarray(core, dtype=float), np.asarray(direction, dtype=float), positions)[2]


def s1000(energy, zenith) -> np.ndarray:
    """The expected signal at 1000 m from the axis (VEM) for energies in EeV and zeniths in radians."""
    return S1000_PER_EEV * np.asarray(energy, dtype=float) * np.exp(-ATTENUATION * (1.0 / np.cos(zenith) - 1.0))


def lateral_distribution(r, s1000_value) -> np.ndarray:
    """The expected signal (VEM) at distance r (m) from the axis: S1000 ((r + 700 m) / 1700 m)^-4."""
    return np.asarray(s1000_value) * ((np.asarray(r) + LDF_SCALE) / (1000.0 + LDF_SCALE)) ** -LDF_SLOPE


def time_jitter(signal) -> np.ndarray:
    """Standard deviation (ns) of a station's arrival time for a signal in VEM (> 0)."""
    return np.sqrt(TIME_FLOOR**2 + TIME_SPREAD**2 / np.asarray(signal, dtype=float))


def _check_arguments(n_events, seed, jitter, curvature, unknown: dict) -> None:
    """Raise one ValueError that says what is allowed, for any bad argument of simulate."""
    allowed = "simulate(n_events, seed=0, jitter=True, curvature=True)"
    if unknown:
        raise ValueError(f"unknown keyword {sorted(unknown)[0]!r}: the call is {allowed}.")
    if isinstance(n_events, bool) or not isinstance(n_events, (int, np.integer)) or n_events <= 0:
        raise ValueError(f"n_events must be a positive whole number, not {n_events!r}: the call is {allowed}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, not {seed!r}: the call is {allowed}.")
    for name, value in (("jitter", jitter), ("curvature", curvature)):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, not {value!r}: the call is {allowed}.")


def _showers(n: int, rng: np.random.Generator, jitter: bool, curvature: bool) -> dict[str, np.ndarray]:
    """Draw n showers and their station readings, before the event trigger."""
    low, high = ENERGY_RANGE
    a = 1.0 - SPECTRAL_INDEX  # inverse of the cumulative distribution of E^-SPECTRAL_INDEX
    energy = (low**a + rng.random(n) * (high**a - low**a)) ** (1.0 / a)
    zenith = np.arcsin(np.sqrt(rng.random(n)) * np.sin(MAX_ZENITH))
    azimuth = rng.uniform(0.0, 2.0 * np.pi, n)
    core = rng.uniform(-CORE_HALF_WIDTH, CORE_HALF_WIDTH, (n, 2))
    direction = direction_vector(zenith, azimuth)

    along, squared, r = _geometry(core, direction, station_positions())
    if curvature:  # (|d - R n| - R) / c, written without the cancellation of two large numbers
        front = (squared - 2 * FRONT_RADIUS * along) / (
            np.sqrt(FRONT_RADIUS**2 - 2 * FRONT_RADIUS * along + squared) + FRONT_RADIUS)
    else:
        front = -along
    noiseless_time = front / SPEED_OF_LIGHT

    s1000_value = s1000(energy, zenith)
    expected = lateral_distribution(r, s1000_value[:, None, None])
    counts = rng.poisson(expected).astype(float)
    triggered = counts >= THRESHOLD
    noise = rng.standard_normal(counts.shape) * time_jitter(np.maximum(counts, 1.0)) if jitter else 0.0
    return {
        "signal": np.where(triggered, counts, 0.0).astype(np.float32),
        "time": np.where(triggered, noiseless_time + noise, 0.0).astype(np.float32),
        "expected_signal": expected.astype(np.float32),
        "noiseless_time": noiseless_time.astype(np.float32),
        "energy": energy,
        "zenith": zenith,
        "azimuth": azimuth,
        "direction": direction,
        "core": core,
        "s1000": s1000_value,
    }


def _recorded(triggered: np.ndarray) -> np.ndarray:
    """The event trigger: at least MIN_STATIONS triggered stations (n, rows, cols), not all on one line."""
    count = np.count_nonzero(triggered, axis=(1, 2))
    xy = np.where(triggered[..., None], station_positions() / SPACING, 0.0)
    mean = xy.sum(axis=(1, 2)) / np.maximum(count, 1)[:, None]
    centred = np.where(triggered[..., None], xy - mean[:, None, None, :], 0.0)
    spread = np.einsum("nijk,nijl->nkl", centred, centred)  # the 2 x 2 scatter matrix of the stations
    return (count >= MIN_STATIONS) & (np.linalg.det(spread) > 1e-6)


def simulate(n_events: int, seed: int = 0, jitter: bool = True, curvature: bool = True,
             **unknown) -> dict[str, np.ndarray]:
    """Draw n_events recorded showers (at least 3 triggered stations each); the same seed gives the same events.

    Returns a dictionary of arrays (n = n_events; see the module docstring for the physics):
    ``signal`` (n, 9, 9) float32 in VEM and ``time`` (n, 9, 9) float32 in ns, both 0 where a station did
    not trigger; ``expected_signal`` (n, 9, 9) float32, the Poisson mean of every station's signal;
    ``noiseless_time`` (n, 9, 9) float32, the front's arrival time at every station without jitter;
    ``energy`` (n,) in EeV; ``zenith`` and ``azimuth`` (n,) in radians; ``direction`` (n, 3) unit vectors
    towards the source; ``core`` (n, 2) in m; ``s1000`` (n,) in VEM; ``positions`` (9, 9, 2) in m.
    ``jitter=False`` and ``curvature=False`` give exact times on a plane front. Anything else raises
    one ValueError.
    """
    _check_arguments(n_events, seed, jitter, curvature, unknown)
    rng = np.random.default_rng(seed)
    parts, recorded = [], 0
    while recorded < n_events:  # redraw the showers the event trigger rejected, a batch at a time
        batch = _showers(int(1.2 * (n_events - recorded)) + 16, rng, bool(jitter), bool(curvature))
        keep = _recorded(batch["signal"] > 0)
        parts.append({key: value[keep] for key, value in batch.items()})
        recorded += int(np.count_nonzero(keep))
    events = {key: np.concatenate([part[key] for part in parts])[:n_events] for key in parts[0]}
    events["positions"] = station_positions()
    return events


def network_inputs(signal, time) -> np.ndarray:
    """The inputs of notebook 15 (Exercise 15.1's answer), for the notebooks after it: (n, rows, cols, 3) float32.

    Channels: log10(1 + signal); the time minus the mean time of the event's triggered stations, divided by
    CROSSING_TIME, 0 at empty stations; the mask (1 for a triggered station). The arrays given are not changed.
    """
    signal, time = np.asarray(signal), np.asarray(time)
    mask = signal > 0
    n_triggered = np.maximum(np.sum(mask, axis=(1, 2), keepdims=True), 1)
    mean_time = np.sum(np.where(mask, time, 0.0), axis=(1, 2), keepdims=True) / n_triggered
    scaled_time = np.where(mask, (time - mean_time) / CROSSING_TIME, 0.0)
    return np.stack([np.log10(1.0 + signal), scaled_time, mask], axis=-1).astype("float32")
