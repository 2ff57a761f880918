"""The 2-D Ising model: a Monte-Carlo generator, Onsager's exact results and the shipped data set.

Spins s = ±1 on an L x L square lattice with periodic boundaries, energy
E = -J sum_<ij> s_i s_j over nearest neighbours, J = k_B = 1. The critical
temperature is Onsager's T_c = 2 / ln(1 + sqrt 2) = 2.269.

The generator runs many independent Markov chains at once, one NumPy array of
shape (chains, L, L). One Monte-Carlo *step* is a Swendsen-Wang cluster update
(all Fortuin-Kasteleyn clusters, each flipped with probability 1/2; the
multi-cluster relative of Wolff's algorithm, which beats critical slowing
down near T_c) followed by one checkerboard Metropolis sweep (local moves, all
sites of one colour at once). The cluster labelling uses SciPy's connected
components; only the generator needs SciPy, loading the data needs NumPy alone.

Cost: one step costs about 0.3 µs per spin (CPU time), so the shipped set
(44 temperatures x 25 chains x 32 x 32 spins, 300 steps) takes about 33 s of CPU
time, 1-3 minutes of wall-clock time on a busy 2-core machine; see
data/README.md for the measured times and autocorrelation.

Regenerate the shipped files with the commands in ``REGENERATE_COMMANDS`` (also in data/README.md):
``python -m utils.ising --output data/ising_L32.npz`` for notebook 12's set; the smaller sets of other
lattice sizes (notebook 14) cover only the window of temperatures around T_c, except the L = 16 set of all
44 temperatures that notebook 18's generative model learns from.
"""

from __future__ import annotations

import argparse
import hashlib
import time
import zipfile
from pathlib import Path

import numpy as np

CRITICAL_TEMPERATURE = 2.0 / np.log(1.0 + np.sqrt(2.0))
"""Onsager's exact T_c of the square-lattice Ising model (J = k_B = 1): 2.26918..."""

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATA_FILE = "ising_L32.npz"
REGENERATE_COMMANDS = {
    DATA_FILE: "python -m utils.ising --output data/ising_L32.npz",
    "ising_L16.npz": "python -m utils.ising --output data/ising_L16.npz --L 16 --temperatures window",
    "ising_L64.npz": ("python -m utils.ising --output data/ising_L64.npz --L 64 --temperatures window "
                      "--chains 20 --samples-per-chain 3"),
    "ising_L16_all.npz": "python -m utils.ising --output data/ising_L16_all.npz --L 16",
}
"""The command that regenerates each shipped Ising file (run in the course folder)."""
SHA256 = {DATA_FILE: "faea2cc60bb868e8d5c5eb75a2bb70f40a8cf1d23762e3b33ee85baf69aeb61a",
          "ising_L16.npz": "c78c9735667d6caf0ea22d210114a25e32cd04d58010e71472f0fc6eaa22a633",
          "ising_L64.npz": "2dd40be230142f6e9a1215386f4e9c1dcb580cbb003cf9efb8326606b3e8bdf3",
          "ising_L16_all.npz": "e25496fa0b053bc36ebeba1059c0db39b14eef8c44a99ee142ad25952f33d56a"}
"""The SHA-256 of every shipped Ising file, checked on load (also listed in data/README.md)."""

# The shipped set: denser near T_c, no temperature exactly at T_c.
DEFAULT_TEMPERATURES = np.round(np.concatenate([
    np.linspace(1.0, 1.9, 10),     # ordered, steps of 0.1
    np.linspace(2.0, 2.6, 25),     # around T_c, steps of 0.025
    np.linspace(2.7, 3.5, 9),      # disordered, steps of 0.1
]), 4)
WINDOW_TEMPERATURES = DEFAULT_TEMPERATURES[(DEFAULT_TEMPERATURES >= 2.0) & (DEFAULT_TEMPERATURES <= 2.6)]
"""The 25 temperatures 2.0, 2.025, ..., 2.6 around T_c: the sets of other lattice sizes hold only these."""
DEFAULT_SETTINGS = {"L": 32, "chains": 25, "samples_per_chain": 10, "equilibration_steps": 100,
                    "steps_between_samples": 20, "seed": 2017}


# --- Exact results ------------------------------------------------------------

def _elliptic_k(k: np.ndarray) -> np.ndarray:
    """Complete elliptic integral of the first kind K(k) (modulus k < 1) by the arithmetic-geometric mean."""
    a, b = np.ones_like(k), np.sqrt(1.0 - k**2)
    for _ in range(40):  # the AGM converges quadratically: a handful of rounds reach machine precision
        a, b = 0.5 * (a + b), np.sqrt(a * b)
    return np.pi / (2.0 * a)


def onsager_energy(temperature) -> np.ndarray:
    """Exact energy per spin of the infinite lattice (Onsager 1944), J = k_B = 1."""
    beta = 2.0 / np.asarray(temperature, dtype=float)  # 2 beta J
    k = 2.0 * np.sinh(beta) / np.cosh(beta) ** 2
    k = np.minimum(k, 1.0 - 1e-15)  # K diverges at T_c, where its prefactor vanishes
    return -(1.0 + (2.0 / np.pi) * (2.0 * np.tanh(beta) ** 2 - 1.0) * _elliptic_k(k)) / np.tanh(beta)


def onsager_magnetisation(temperature) -> np.ndarray:
    """Exact spontaneous magnetisation per spin of the infinite lattice (Yang 1952): 0 above T_c."""
    temperature = np.asarray(temperature, dtype=float)
    ordered = temperature < CRITICAL_TEMPERATURE
    safe = np.where(ordered, temperature, 1.0)
    return np.where(ordered, np.clip(1.0 - np.sinh(2.0 / safe) ** -4, 0.0, None) ** 0.125, 0.0)


# --- Observables ----------------------------------------------------------------

def magnetisation(spins: np.ndarray) -> np.ndarray:
    """Magnetisation per spin m = mean of s over each lattice (the last two axes)."""
    return spins.mean(axis=(-2, -1))


def energy(spins: np.ndarray) -> np.ndarray:
    """Energy per spin -sum_<ij> s_i s_j / N of each lattice, every bond counted once (periodic)."""
    spins = np.asarray(spins, dtype=np.int64)
    bonds = spins * (np.roll(spins, 1, axis=-1) + np.roll(spins, 1, axis=-2))
    return -bonds.mean(axis=(-2, -1))


def autocorrelation_time(series: np.ndarray, window_factor: float = 5.0) -> float:
    """Integrated autocorrelation time of a 1-D series (Sokal's self-consistent window), in steps."""
    x = np.asarray(series, dtype=float) - np.mean(series)
    n = len(x)
    spectrum = np.fft.rfft(x, 2 * n)
    rho = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    if rho[0] == 0:
        return 0.5
    rho /= rho[0]
    tau = 0.5
    for window in range(1, n):
        tau += rho[window]
        if window >= window_factor * tau:
            break
    return float(tau)


# --- Monte Carlo ----------------------------------------------------------------

def metropolis_sweep(spins: np.ndarray, beta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One checkerboard Metropolis sweep of every lattice in spins (chains, L, L) at inverse temperatures beta."""
    size = spins.shape[-1]
    colour = np.add.outer(np.arange(size), np.arange(size)) % 2
    beta = np.asarray(beta, dtype=float)[:, None, None]
    for parity in (0, 1):  # sites of one colour have no neighbours of the same colour: update them all at once
        field = (np.roll(spins, 1, axis=1) + np.roll(spins, -1, axis=1)
                 + np.roll(spins, 1, axis=2) + np.roll(spins, -1, axis=2))
        cost = 2.0 * spins * field  # energy change of flipping each spin
        accept = (rng.random(spins.shape) < np.exp(-beta * cost)) & (colour == parity)
        spins = np.where(accept, -spins, spins).astype(np.int8)
    return spins


def swendsen_wang_step(spins: np.ndarray, beta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One Swendsen-Wang update: bond equal neighbours with p = 1 - exp(-2 beta), flip each cluster with p = 1/2."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_spins = spins.size
    index = np.arange(n_spins).reshape(spins.shape)
    p_bond = 1.0 - np.exp(-2.0 * np.asarray(beta, dtype=float))[:, None, None]
    rows, cols = [], []
    for axis in (1, 2):
        bonded = (spins == np.roll(spins, -1, axis=axis)) & (rng.random(spins.shape) < p_bond)
        rows.append(index[bonded])
        cols.append(np.roll(index, -1, axis=axis)[bonded])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n_spins, n_spins))
    n_clusters, label = connected_components(graph, directed=False)
    flip = rng.random(n_clusters) < 0.5
    return np.where(flip[label].reshape(spins.shape), -spins, spins).astype(np.int8)


def monte_carlo_step(spins: np.ndarray, beta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One step of the generator: a Swendsen-Wang cluster update, then a Metropolis sweep."""
    return metropolis_sweep(swendsen_wang_step(spins, beta, rng), beta, rng)


def initial_spins(temperatures: np.ndarray, chains: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Starting lattices (len(temperatures) * chains, L, L): all up below T_c, random above."""
    temperature = np.repeat(temperatures, chains)
    random = rng.choice(np.array([-1, 1], dtype=np.int8), size=(len(temperature), size, size))
    return np.where((temperature < CRITICAL_TEMPERATURE)[:, None, None], np.int8(1), random).astype(np.int8)


def simulate(temperatures=DEFAULT_TEMPERATURES, L: int = 32, chains: int = 25, samples_per_chain: int = 10,
             equilibration_steps: int = 100, steps_between_samples: int = 20, seed: int = 0,
             step=monte_carlo_step) -> dict[str, np.ndarray]:
    """Sample equilibrated lattices: independent chains per temperature, all updated together.

    Returns spins (n, L, L) int8, temperature (n,) and chain (n,) (the Markov
    chain each sample comes from), with n = len(temperatures) * chains *
    samples_per_chain, ordered by temperature, then chain, then time.
    Deterministic for a given seed. Cost: (equilibration_steps +
    samples_per_chain * steps_between_samples) steps of all
    len(temperatures) * chains lattices, roughly 0.3 µs of CPU time per spin and step.
    """
    if L % 2:
        raise ValueError("the checkerboard update needs an even lattice size L")
    temperatures = np.asarray(temperatures, dtype=float)
    rng = np.random.default_rng(seed)
    beta = np.repeat(1.0 / temperatures, chains)
    spins = initial_spins(temperatures, chains, L, rng)
    for _ in range(equilibration_steps):
        spins = step(spins, beta, rng)
    samples = []
    for _ in range(samples_per_chain):
        for _ in range(steps_between_samples):
            spins = step(spins, beta, rng)
        samples.append(spins)
    n_temperatures = len(temperatures)
    stacked = np.stack(samples, axis=1).reshape(n_temperatures, chains, samples_per_chain, L, L)
    chain = np.broadcast_to(np.arange(n_temperatures * chains).reshape(n_temperatures, chains, 1),
                            (n_temperatures, chains, samples_per_chain))
    return {
        "spins": stacked.reshape(-1, L, L),
        "temperature": np.repeat(temperatures, chains * samples_per_chain),
        "chain": chain.reshape(-1).copy(),
    }


def measure_autocorrelation(temperatures=(2.0, 2.25, 2.275, 2.3, 2.5), L: int = 32, chains: int = 8,
                            steps: int = 2000, seed: int = 1, step=monte_carlo_step) -> dict[float, tuple]:
    """Integrated autocorrelation times (|m|, energy) in steps, averaged over chains, after 100 steps of warm-up."""
    temperatures = np.asarray(temperatures, dtype=float)
    rng = np.random.default_rng(seed)
    beta = np.repeat(1.0 / temperatures, chains)
    spins = initial_spins(temperatures, chains, L, rng)
    for _ in range(100):
        spins = step(spins, beta, rng)
    abs_m, e = [], []
    for _ in range(steps):
        spins = step(spins, beta, rng)
        abs_m.append(np.abs(magnetisation(spins)))
        e.append(energy(spins))
    abs_m = np.array(abs_m).T.reshape(len(temperatures), chains, -1)  # (temperature, chain, time)
    e = np.array(e).T.reshape(len(temperatures), chains, -1)
    return {float(t): (float(np.mean([autocorrelation_time(x) for x in abs_m[i]])),
                       float(np.mean([autocorrelation_time(x) for x in e[i]])))
            for i, t in enumerate(temperatures)}


# --- Files -----------------------------------------------------------------------

def pack(spins: np.ndarray) -> np.ndarray:
    """Pack lattices of ±1 spins (n, L, L) into bits (n, L * L / 8), one bit per spin (1 = up)."""
    return np.packbits((spins > 0).reshape(len(spins), -1), axis=1)


def unpack(packed: np.ndarray, L: int) -> np.ndarray:
    """Inverse of pack: bits (n, L * L / 8) back to int8 spins ±1 of shape (n, L, L)."""
    bits = np.unpackbits(packed, axis=1, count=L * L)
    return (2 * bits.astype(np.int8) - 1).reshape(len(packed), L, L)


def save(path: str | Path, data: dict[str, np.ndarray], settings: dict) -> None:
    """Write a simulation as a compressed .npz whose bytes depend only on its content (fixed zip timestamps)."""
    L = data["spins"].shape[-1]
    arrays = {
        "spins_packed": pack(data["spins"]),
        "temperature": data["temperature"].astype(np.float64),
        "chain": data["chain"].astype(np.int32),
        "L": np.array(L, dtype=np.int32),
        **{f"setting_{name}": np.array(value) for name, value in settings.items() if name != "L"},
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():  # np.savez would stamp the current time into the archive
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                np.lib.format.write_array(member, np.asarray(array, order="C"), allow_pickle=False)


def sha256(path: str | Path) -> str:
    """The SHA-256 hex digest of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class DataFileError(RuntimeError):
    """A shipped data file is missing or does not match its checksum."""


def load(path: str | Path | None = None, expected_sha256: str | None = None) -> dict[str, np.ndarray]:
    """Load the shipped Ising set after checking its SHA-256; returns spins (n, L, L) int8 ±1, temperature, chain.

    A missing file or a wrong checksum raises DataFileError naming the file
    and the command that regenerates it.
    """
    path = Path(path) if path is not None else DATA_DIR / DATA_FILE
    expected = expected_sha256 or SHA256.get(path.name, SHA256[DATA_FILE])
    name = path.name if path.name in REGENERATE_COMMANDS else DATA_FILE
    regenerate = (f"Regenerate it from the course folder with `{REGENERATE_COMMANDS[name]}` (a few minutes), "
                  f"or restore it with `git checkout -- data/{name}`")
    if not path.is_file():
        raise DataFileError(f"The Ising data file {path} is missing. {regenerate}.")
    found = sha256(path)
    if found != expected:
        raise DataFileError(f"The Ising data file {path} is damaged or changed: its SHA-256 is {found}, "
                            f"expected {expected}. {regenerate}.")
    with np.load(path, allow_pickle=False) as archive:
        L = int(archive["L"])
        return {"spins": unpack(archive["spins_packed"], L), "temperature": archive["temperature"].astype(float),
                "chain": archive["chain"].copy()}


def data_path(L: int = 32, all_temperatures: bool = False) -> Path:
    """The shipped file of lattice size L (32: notebook 12's set; 16 and 64: the window around T_c; 16 with
    all_temperatures=True: the 44 temperatures of the L = 32 set, for notebook 18)."""
    return DATA_DIR / (f"ising_L{L}_all.npz" if all_temperatures and L != 32 else f"ising_L{L}.npz")


def main(argv: list[str] | None = None) -> None:
    """Command line: generate the data set (default: the shipped one) or measure autocorrelation times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=f"data/{DATA_FILE}", help="where to write the .npz file")
    for name, value in DEFAULT_SETTINGS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=value,
                            help=f"generator setting (default {value}, as in the shipped file)")
    parser.add_argument("--temperatures", choices=("all", "window"), default="all",
                        help="all 44 temperatures 1.0-3.5 (default) or the 25 from 2.0 to 2.6 around T_c")
    parser.add_argument("--autocorrelation", action="store_true",
                        help="only measure the autocorrelation times near T_c and print them")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.autocorrelation:
        for temperature, (tau_m, tau_e) in measure_autocorrelation(L=args.L).items():
            print(f"T = {temperature:.3f}: tau_int(|m|) = {tau_m:.2f} steps, tau_int(E) = {tau_e:.2f} steps")
    else:
        settings = {name: getattr(args, name) for name in DEFAULT_SETTINGS}
        temperatures = WINDOW_TEMPERATURES if args.temperatures == "window" else DEFAULT_TEMPERATURES
        data = simulate(temperatures, **settings)
        save(args.output, data, settings)
        print(f"wrote {len(data['spins'])} lattices of {args.L} x {args.L} spins to {args.output}")
        print(f"SHA-256: {sha256(args.output)}")
    print(f"time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
