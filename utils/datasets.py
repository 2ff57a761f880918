"""Small data sets generated on the fly: reproducible from a seed, no downloads."""

from __future__ import annotations

import numpy as np


def noisy_line(n: int = 50, slope: float = 2.0, intercept: float = 1.0, noise: float = 0.5,
               x_range: tuple[float, float] = (-2.0, 2.0), seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points (x, y) with y = slope * x + intercept + Gaussian noise; x uniform in x_range."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(*x_range, size=n)
    y = slope * x + intercept + noise * rng.normal(size=n)
    return x, y


def noisy_linear(n: int = 200, n_inputs: int = 3, n_outputs: int = 2, noise: float = 0.1,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A multi-output linear data set Y = X W + b + noise.

    Returns X (n, n_inputs), Y (n, n_outputs) and the true W (n_inputs,
    n_outputs) and b (n_outputs,), with the Keras convention that a batch is
    one example per row.
    """
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(n_inputs, n_outputs))
    b = rng.normal(size=n_outputs)
    X = rng.normal(size=(n, n_inputs))
    Y = X @ W + b + noise * rng.normal(size=(n, n_outputs))
    return X, Y, W, b


def xor_truth_table() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points: X (4, 2) with inputs in {0, 1}, y (4,) = x1 XOR x2."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    return X, y


def noisy_xor(n_per_corner: int = 50, spread: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds around the four XOR corners, labelled by the XOR of their corner."""
    rng = np.random.default_rng(seed)
    corners, labels = xor_truth_table()
    X = np.repeat(corners, n_per_corner, axis=0) + spread * rng.normal(size=(4 * n_per_corner, 2))
    y = np.repeat(labels, n_per_corner)
    return X, y


# --- The TensorFlow Playground data sets -------------------------------------
# Rebuilt from the definitions of playground.tensorflow.org (src/dataset.ts):
# the same shapes, radii, point counts and noise rules, generated with NumPy.
# Noise is a fraction in [0, 0.5] (the web page's 0-50 %). Labels are +1 / -1
# for classification and real numbers for regression.

PLAYGROUND_RADIUS = 6.0
"""The playground draws its input plane as the square [-6, 6] x [-6, 6]."""

PLAYGROUND_SAMPLES = {"classification": 500, "regression": 1200}
"""How many points the playground generates for each problem type."""


def _label_shift(rng: np.random.Generator, n: int, half_width: float, noise: float) -> np.ndarray:
    """Random offsets used only for labelling: the playground's label-noise rule."""
    return rng.uniform(-half_width, half_width, size=(n, 2)) * noise


def playground_circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A disc of radius 2.5 (label +1) inside a ring 3.5 to 5 (label -1); noise shifts the labelling point."""
    radius = 5.0
    half = n // 2
    r = np.concatenate([rng.uniform(0, 0.5 * radius, half), rng.uniform(0.7 * radius, radius, n - half)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = X + _label_shift(rng, n, radius, noise)
    y = np.where(np.hypot(shifted[:, 0], shifted[:, 1]) < 0.5 * radius, 1.0, -1.0)
    return X, y


def playground_xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points on [-5, 5]^2 pushed 0.3 away from the axes, label +1 where x1 * x2 >= 0."""
    X = rng.uniform(-5, 5, size=(n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    shifted = X + _label_shift(rng, n, 5.0, noise)
    y = np.where(shifted[:, 0] * shifted[:, 1] >= 0, 1.0, -1.0)
    return X, y


def playground_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clouds at (2, 2) (+1) and (-2, -2) (-1); noise widens them (variance 0.5 to 4)."""
    variance = 0.5 + 7.0 * noise
    half = n // 2
    centres = np.repeat(np.array([[2.0, 2.0], [-2.0, -2.0]]), [half, n - half], axis=0)
    X = centres + np.sqrt(variance) * rng.normal(size=(n, 2))
    y = np.repeat([1.0, -1.0], [half, n - half])
    return X, y


def playground_spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of 1.75 turns out to radius 5; noise jitters the points."""
    half = n // 2
    parts = []
    for count, phase in ((half, 0.0), (n - half, np.pi)):
        fraction = np.arange(count) / count
        r = 5.0 * fraction
        t = 1.75 * 2 * np.pi * fraction + phase
        jitter = rng.uniform(-1, 1, size=(count, 2)) * noise
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]) + jitter)
    y = np.repeat([1.0, -1.0], [half, n - half])
    return np.concatenate(parts), y


def playground_checkerboard(n: int, noise: float, rng: np.random.Generator,
                            cells: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """A cells x cells checkerboard on [-5, 5]^2 with the xor set's noise rule (cells=2 is xor without padding)."""
    X = rng.uniform(-5, 5, size=(n, 2))
    shifted = X + _label_shift(rng, n, 5.0, noise)
    index = np.floor((shifted + 5.0) * cells / 10.0).astype(int)
    y = np.where(index.sum(axis=1) % 2 == 0, 1.0, -1.0)
    return X, y


def playground_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interlocking half circles of radius 4 (+1 upper, -1 lower); noise jitters the points."""
    half = n // 2
    t = np.concatenate([rng.uniform(0, np.pi, half), rng.uniform(0, np.pi, n - half)])
    upper = np.column_stack([4 * np.cos(t[:half]) - 2, 4 * np.sin(t[:half]) - 1])
    lower = np.column_stack([2 - 4 * np.cos(t[half:]), 1 - 4 * np.sin(t[half:])])
    X = np.concatenate([upper, lower]) + 2.0 * noise * rng.normal(size=(n, 2))
    y = np.repeat([1.0, -1.0], [half, n - half])
    return X, y


def playground_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression on a tilted plane: target (x1 + x2) / 10 at a noise-shifted point."""
    X = rng.uniform(-PLAYGROUND_RADIUS, PLAYGROUND_RADIUS, size=(n, 2))
    shifted = X + _label_shift(rng, n, PLAYGROUND_RADIUS, noise)
    return X, shifted.sum(axis=1) / 10.0


_GAUSSIAN_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                            [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=float)


def playground_multi_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression on six signed cones of radius 2: the target is the bump largest in absolute value."""
    X = rng.uniform(-PLAYGROUND_RADIUS, PLAYGROUND_RADIUS, size=(n, 2))
    shifted = X + _label_shift(rng, n, PLAYGROUND_RADIUS, noise)
    distance = np.linalg.norm(shifted[:, None, :] - _GAUSSIAN_BUMPS[None, :, :2], axis=2)
    bumps = _GAUSSIAN_BUMPS[:, 2] * np.clip(1 - distance / 2, 0, 1)
    strongest = np.argmax(np.abs(bumps), axis=1)
    return X, bumps[np.arange(n), strongest]


PLAYGROUND_DATASETS = {
    "circle": ("classification", playground_circle),
    "xor": ("classification", playground_xor),
    "gauss": ("classification", playground_gauss),
    "spiral": ("classification", playground_spiral),
    "checkerboard": ("classification", playground_checkerboard),
    "moons": ("classification", playground_moons),
    "plane": ("regression", playground_plane),
    "multi_gauss": ("regression", playground_multi_gauss),
}
"""Name -> (problem type, generator). The first four and the two regression sets are the original's."""


def playground_problem(name: str) -> str:
    """'classification' or 'regression' for a playground data set name."""
    if name not in PLAYGROUND_DATASETS:
        raise ValueError(f"dataset must be one of {sorted(PLAYGROUND_DATASETS)}, not {name!r}")
    return PLAYGROUND_DATASETS[name][0]


def make_playground(name: str, n: int | None = None, noise: float = 0.0, seed: int = 0,
                    **options) -> tuple[np.ndarray, np.ndarray]:
    """One playground data set as (X (n, 2), y (n,)), shuffled, reproducible from the seed.

    `n` defaults to the playground's 500 points (classification) or 1200
    (regression); `noise` is a fraction from 0 to 0.5; `options` go to the
    generator (e.g. ``cells=6`` for the checkerboard).
    """
    problem = playground_problem(name)
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise must be a fraction between 0 and 0.5, not {noise!r}")
    n = PLAYGROUND_SAMPLES[problem] if n is None else int(n)
    if n < 2:
        raise ValueError(f"n must be at least 2, not {n!r}")
    rng = np.random.default_rng(seed)
    X, y = PLAYGROUND_DATASETS[name][1](n, noise, rng, **options)
    order = rng.permutation(n)
    return X[order], y[order]


def split_playground(X: np.ndarray, y: np.ndarray,
                     train_fraction: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split shuffled data as the playground does: the first share for training, the rest for testing."""
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be between 0 and 1, not {train_fraction!r}")
    cut = int(np.floor(len(X) * train_fraction))
    return X[:cut], y[:cut], X[cut:], y[cut:]


# --- A 1-D function for regression demos (notebook 08) ------------------------

def wiggly_function(x: np.ndarray) -> np.ndarray:
    """A smooth 1-D function with wiggles of several widths and a slow trend: hard for a small network."""
    x = np.asarray(x, dtype=float)
    return np.sin(2.0 * x) + 0.6 * np.sin(5.0 * x) * np.exp(-0.1 * x**2) + 0.1 * x**2


def noisy_wiggle(n: int = 300, noise: float = 0.1, x_range: tuple[float, float] = (-4.0, 4.0),
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points (x, y) with y = wiggly_function(x) + Gaussian noise; x uniform in x_range, sorted."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(*x_range, size=n))
    return x, wiggly_function(x) + noise * rng.normal(size=n)
