"""The Ising generator against exact physics, its determinism, and the checksummed loader of the shipped set."""

import shutil

import numpy as np
import pytest

from utils import ising

SMALL = {"L": 16, "chains": 16, "samples_per_chain": 5, "equilibration_steps": 30, "steps_between_samples": 4}
TEMPERATURES = np.array([1.5, 2.0, 3.0, 3.5])


@pytest.fixture(scope="module")
def small_set():
    """A small set regenerated with the shipped algorithm: 16 x 16 spins, 80 lattices per temperature."""
    return ising.simulate(TEMPERATURES, seed=11, **SMALL)


def _per_temperature(data, observable):
    """The mean of observable(spins) at each temperature of TEMPERATURES."""
    values = observable(data["spins"])
    return np.array([values[data["temperature"] == t].mean() for t in TEMPERATURES])


def test_shapes_and_spin_values(small_set):
    n = len(TEMPERATURES) * SMALL["chains"] * SMALL["samples_per_chain"]
    assert small_set["spins"].shape == (n, 16, 16) and small_set["spins"].dtype == np.int8
    assert set(np.unique(small_set["spins"])) == {-1, 1}
    assert small_set["temperature"].shape == small_set["chain"].shape == (n,)
    assert len(np.unique(small_set["chain"])) == len(TEMPERATURES) * SMALL["chains"]


def test_magnetisation_ordered_and_disordered(small_set):
    abs_m = _per_temperature(small_set, lambda s: np.abs(ising.magnetisation(s)))
    assert abs_m[0] > 0.95  # T = 1.5, exact spontaneous magnetisation 0.986
    assert abs_m[-1] < 0.25  # T = 3.5: only the finite-size fluctuation ~ 1/sqrt(N) remains
    assert np.all(np.diff(abs_m) < 0)


def test_energy_matches_onsager(small_set):
    measured = _per_temperature(small_set, ising.energy)
    np.testing.assert_allclose(measured, ising.onsager_energy(TEMPERATURES), atol=0.04)


def test_metropolis_alone_samples_the_right_energy():
    temperatures = np.array([1.5, 3.0])
    data = ising.simulate(temperatures, L=16, chains=32, samples_per_chain=5, equilibration_steps=150,
                          steps_between_samples=10, seed=5, step=ising.metropolis_sweep)
    energies = ising.energy(data["spins"])
    measured = [energies[data["temperature"] == t].mean() for t in temperatures]
    np.testing.assert_allclose(measured, ising.onsager_energy(temperatures), atol=0.04)


def test_deterministic_for_a_seed():
    first = ising.simulate([1.8, 2.6], seed=3, **SMALL)
    second = ising.simulate([1.8, 2.6], seed=3, **SMALL)
    other = ising.simulate([1.8, 2.6], seed=4, **SMALL)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
    assert not np.array_equal(first["spins"], other["spins"])


def test_odd_lattice_refused():
    with pytest.raises(ValueError, match="even"):
        ising.simulate([2.0], L=15, chains=1, samples_per_chain=1, equilibration_steps=1)


def test_exact_results():
    assert ising.CRITICAL_TEMPERATURE == pytest.approx(2.269185, abs=1e-6)
    assert ising.onsager_energy(ising.CRITICAL_TEMPERATURE - 1e-9) == pytest.approx(-np.sqrt(2), abs=1e-3)
    assert ising.onsager_energy(0.2) == pytest.approx(-2.0, abs=1e-6)  # ground state: two bonds per spin
    hot = 50.0
    assert ising.onsager_energy(hot) == pytest.approx(-2 * np.tanh(1 / hot), rel=1e-3)  # high-T expansion
    assert ising.onsager_magnetisation([1.0, 2.0, 2.3]) == pytest.approx([0.99927, 0.91132, 0.0], abs=1e-4)
    scipy_special = pytest.importorskip("scipy.special")
    k = np.array([0.1, 0.5, 0.9, 0.999])
    np.testing.assert_allclose(ising._elliptic_k(k), scipy_special.ellipk(k**2), rtol=1e-12)


def test_autocorrelation_time_of_a_known_process():
    rng = np.random.default_rng(0)
    phi, n = 0.8, 200_000
    noise = rng.normal(size=n)
    x = np.empty(n)
    x[0] = noise[0]
    for i in range(1, n):
        x[i] = phi * x[i - 1] + noise[i]
    assert ising.autocorrelation_time(x) == pytest.approx((1 + phi) / (2 * (1 - phi)), rel=0.1)
    assert ising.autocorrelation_time(rng.normal(size=10_000)) == pytest.approx(0.5, abs=0.1)


def test_pack_round_trip():
    spins = np.where(np.random.default_rng(1).random((7, 8, 8)) < 0.5, -1, 1).astype(np.int8)
    packed = ising.pack(spins)
    assert packed.shape == (7, 8) and packed.dtype == np.uint8
    np.testing.assert_array_equal(ising.unpack(packed, 8), spins)


def test_save_is_byte_reproducible_and_loads(tmp_path):
    data = ising.simulate([1.5, 3.0], L=8, chains=2, samples_per_chain=3, equilibration_steps=2,
                          steps_between_samples=1, seed=0)
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    ising.save(first, data, {"seed": 0})
    ising.save(second, data, {"seed": 0})
    assert ising.sha256(first) == ising.sha256(second)
    loaded = ising.load(first, expected_sha256=ising.sha256(first))
    np.testing.assert_array_equal(loaded["spins"], data["spins"])
    np.testing.assert_allclose(loaded["temperature"], data["temperature"])
    np.testing.assert_array_equal(loaded["chain"], data["chain"])


def test_shipped_file_loads_and_is_documented():
    data = ising.load()
    n = len(ising.DEFAULT_TEMPERATURES) * ising.DEFAULT_SETTINGS["chains"] * ising.DEFAULT_SETTINGS["samples_per_chain"]
    assert data["spins"].shape == (n, 32, 32)
    np.testing.assert_allclose(np.unique(data["temperature"]), ising.DEFAULT_TEMPERATURES, atol=1e-6)
    readme = (ising.DATA_DIR / "README.md").read_text()
    assert ising.SHA256[ising.DATA_FILE] in readme
    assert ising.REGENERATE_COMMANDS[ising.DATA_FILE] in readme
    path = ising.DATA_DIR / ising.DATA_FILE
    assert path.stat().st_size < 3_000_000


def test_corrupted_file_is_refused(tmp_path):
    copy = tmp_path / ising.DATA_FILE
    shutil.copy(ising.DATA_DIR / ising.DATA_FILE, copy)
    content = bytearray(copy.read_bytes())
    content[len(content) // 2] ^= 0xFF  # flip the bits of one byte in the middle
    copy.write_bytes(bytes(content))
    with pytest.raises(ising.DataFileError) as error:
        ising.load(copy)
    message = str(error.value)
    assert str(copy) in message and ising.REGENERATE_COMMANDS[ising.DATA_FILE] in message and "SHA-256" in message


def test_missing_file_is_refused(tmp_path):
    missing = tmp_path / ising.DATA_FILE
    with pytest.raises(ising.DataFileError) as error:
        ising.load(missing)
    message = str(error.value)
    assert str(missing) in message and "missing" in message and ising.REGENERATE_COMMANDS[ising.DATA_FILE] in message


@pytest.mark.parametrize("L, per_temperature", [(16, 250), (64, 60)])
def test_other_sizes_load_and_are_documented(L, per_temperature):
    path = ising.data_path(L)
    data = ising.load(path)  # checks the file's own SHA-256
    assert data["spins"].shape == (len(ising.WINDOW_TEMPERATURES) * per_temperature, L, L)
    assert set(np.unique(data["spins"])) == {-1, 1}
    np.testing.assert_allclose(np.unique(data["temperature"]), ising.WINDOW_TEMPERATURES, atol=1e-6)
    readme = (ising.DATA_DIR / "README.md").read_text()
    assert ising.SHA256[path.name] in readme and ising.REGENERATE_COMMANDS[path.name] in readme
    assert path.stat().st_size < 1_000_000


@pytest.mark.parametrize("path", [ising.data_path(16), ising.data_path(64), ising.data_path(16, all_temperatures=True)])
def test_damaged_file_of_another_size_is_refused_with_its_own_command(tmp_path, path):
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    content = bytearray(copy.read_bytes())
    content[len(content) // 3] ^= 0xFF
    copy.write_bytes(bytes(content))
    with pytest.raises(ising.DataFileError) as error:
        ising.load(copy)
    assert ising.REGENERATE_COMMANDS[copy.name] in str(error.value) and "SHA-256" in str(error.value)


def test_command_line_writes_the_window_of_temperatures(tmp_path, capsys):
    output = tmp_path / "window.npz"
    ising.main(["--output", str(output), "--L", "8", "--temperatures", "window", "--chains", "1",
                "--samples-per-chain", "2", "--equilibration-steps", "2", "--steps-between-samples", "1"])
    assert ising.sha256(output) in capsys.readouterr().out
    data = ising.load(output, expected_sha256=ising.sha256(output))
    assert data["spins"].shape == (2 * len(ising.WINDOW_TEMPERATURES), 8, 8)
    np.testing.assert_allclose(np.unique(data["temperature"]), ising.WINDOW_TEMPERATURES)


def test_all_temperatures_at_L16_load_are_documented_and_agree_with_a_quick_run(small_set):
    path = ising.data_path(16, all_temperatures=True)
    assert path.name == "ising_L16_all.npz" and ising.data_path(32, all_temperatures=True) == ising.data_path(32)
    data = ising.load(path)  # checks the file's own SHA-256
    per_temperature = ising.DEFAULT_SETTINGS["chains"] * ising.DEFAULT_SETTINGS["samples_per_chain"]
    assert data["spins"].shape == (len(ising.DEFAULT_TEMPERATURES) * per_temperature, 16, 16)
    np.testing.assert_allclose(np.unique(data["temperature"]), ising.DEFAULT_TEMPERATURES, atol=1e-6)
    with np.load(path) as archive:  # the settings the regeneration command uses (the defaults)
        for name, value in ising.DEFAULT_SETTINGS.items():
            assert name == "L" or int(archive[f"setting_{name}"]) == value
    readme = (ising.DATA_DIR / "README.md").read_text()
    assert ising.SHA256[path.name] in readme and ising.REGENERATE_COMMANDS[path.name] in readme
    assert path.stat().st_size < 1_000_000
    for t in (1.5, 3.0):  # the shipped lattices and a quick independent run of the same algorithm agree
        shipped, quick = data["spins"][data["temperature"] == t], small_set["spins"][small_set["temperature"] == t]
        assert abs(ising.energy(shipped).mean() - ising.energy(quick).mean()) < 0.04
        assert abs(np.abs(ising.magnetisation(shipped)).mean() - np.abs(ising.magnetisation(quick)).mean()) < 0.05
