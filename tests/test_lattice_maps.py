"""The pictures of notebook 13: maps of numbers on lattice sites and small kernels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

from utils.lattice_maps import SPIN_MEAN_CMAP, kernel_map, site_map  # noqa: E402
from utils.plots import SPIN_CMAP  # noqa: E402


def test_site_map_is_symmetric_about_zero_by_default_and_labels_its_colour_bar():
    _, ax = plt.subplots()
    site_map(np.array([[-1.0, 3.0], [0.5, 2.0]]), ax, "a map", "value")
    image = ax.images[0]
    assert image.norm.vmin == -3.0 and image.norm.vmax == 3.0
    assert ax.get_title() == "a map" and ax.get_xlabel() and ax.get_ylabel()
    assert image.colorbar is not None and image.colorbar.ax.get_ylabel() == "value"
    plt.close("all")


def test_site_map_keeps_a_given_norm_and_shows_missing_values_as_blank():
    _, ax = plt.subplots()
    norm = LogNorm(1e-3, 1.0)
    site_map(np.array([[np.nan, 0.1], [0.01, 1.0]]), ax, "gradient", "|g|", cmap="viridis", norm=norm)
    assert ax.images[0].norm is norm
    assert np.ma.is_masked(ax.images[0].get_array()[0, 0]) or np.isnan(ax.images[0].get_array()[0, 0])
    plt.close("all")


def test_kernel_map_writes_every_entry_without_negative_zeros():
    _, ax = plt.subplots()
    kernel_map(np.array([[0.0, 1.0], [-0.0, -4.0]]), ax, "kernel")
    assert [text.get_text() for text in ax.texts] == ["0", "1", "0", "-4"]
    plt.close("all")


def test_spin_mean_colours_run_from_the_spin_colours():
    assert np.allclose(SPIN_MEAN_CMAP(0.0), SPIN_CMAP(0)) and np.allclose(SPIN_MEAN_CMAP(1.0), SPIN_CMAP(1))
