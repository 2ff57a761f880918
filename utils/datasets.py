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
