"""Pictures of numbers on lattice sites and of small kernels, for the notebooks on convolutions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Colormap, LinearSegmentedColormap, Normalize

from utils.plots import PALETTE, SPIN_CMAP

SIGNED_CMAP = "PuOr_r"
"""Diverging colours (ColorBrewer, colour-blind safe) for values of either sign: purple below 0, orange above."""

SPIN_MEAN_CMAP = LinearSegmentedColormap.from_list("course_spin_mean", list(SPIN_CMAP.colors))
"""Averages of spins from -1 to +1 in the colours of plots.spin_lattice: dark at -1, white at +1."""


def site_map(values: np.ndarray, ax: plt.Axes, title: str, label: str, cmap: str | Colormap = SIGNED_CMAP,
             norm: Normalize | None = None) -> plt.Axes:
    """Draw one number per lattice site with a labelled colour bar; by default a colour range symmetric about 0."""
    values = np.asarray(values, dtype=float)
    if norm is None:
        limit = max(float(np.max(np.abs(values))), 1e-12)
        norm = Normalize(-limit, limit)
    image = ax.imshow(values, cmap=cmap, norm=norm, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label=label, fraction=0.046, pad=0.04)
    ax.set(xticks=[], yticks=[], xlabel="column", ylabel="row", title=title)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(PALETTE["black"])
    return ax


def kernel_map(kernel: np.ndarray, ax: plt.Axes, title: str, limit: float | None = None,
               fmt: str = "{:.4g}") -> plt.Axes:
    """Draw a small kernel as coloured cells (diverging about 0) with each entry written in its cell."""
    kernel = np.asarray(kernel, dtype=float)
    limit = limit or max(float(np.max(np.abs(kernel))), 1e-12)
    ax.imshow(kernel, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
    for (row, column), value in np.ndenumerate(kernel):
        ax.text(column, row, fmt.format(value + 0.0), ha="center", va="center", fontsize=10,
                color="white" if abs(value) > 0.6 * limit else "black")
    ax.set_xticks(range(kernel.shape[1]))
    ax.set_yticks(range(kernel.shape[0]))
    ax.set(xlabel="kernel column", ylabel="kernel row", title=title)
    ax.grid(False)
    return ax
