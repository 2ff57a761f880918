"""Matplotlib figures of a playground run: output heat map with data, loss curves, hidden-neuron maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from utils.datasets import PLAYGROUND_RADIUS
from utils.plots import CLASS_CMAP, CLASS_COLORS, PALETTE

EXTENT = (-PLAYGROUND_RADIUS, PLAYGROUND_RADIUS, -PLAYGROUND_RADIUS, PLAYGROUND_RADIUS)


def _session(source):
    """The Playground behind a TrainResult (or the Playground itself)."""
    return getattr(source, "playground", source)


def _points(ax: plt.Axes, X: np.ndarray, y: np.ndarray, edge: str, label: str, size: float = 16) -> None:
    """Scatter points coloured by target (blue -1 ... orange +1), with an edge colour per split."""
    ax.scatter(X[:, 0], X[:, 1], c=np.clip(y, -1, 1), cmap=CLASS_CMAP, vmin=-1, vmax=1, s=size,
               edgecolors=edge, linewidths=0.7, label=label, zorder=3)


def plot_output(source, ax: plt.Axes | None = None, show_test: bool = False, discretize: bool = False,
                title: str | None = None, resolution: int = 100, colorbar: bool = False) -> plt.Axes:
    """The network output over the plane [-6, 6]^2 (blue -1, orange +1) with the training points."""
    playground = _session(source)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.4, 4.2))
    values = playground.output_map(resolution)
    if discretize:
        values = np.where(values >= 0, 1.0, -1.0)
    image = ax.imshow(values, extent=EXTENT, cmap=CLASS_CMAP, vmin=-1, vmax=1, alpha=0.8,
                      interpolation="nearest" if discretize else "bilinear")
    _points(ax, playground.X_train, playground.y_train, "white", "training points")
    if show_test:
        _points(ax, playground.X_test, playground.y_test, "black", "test points")
        handles = [Line2D([], [], ls="", marker="o", color="#BBBBBB", markeredgecolor=edge, label=label)
                   for edge, label in (("white", "training points"), ("black", "test points"))]
        ax.legend(handles=handles, loc="lower right", fontsize="x-small", frameon=True, framealpha=0.8)
    if title is None:
        train_loss, test_loss = playground.losses()
        title = f"epoch {playground.epoch}: train {train_loss:.3f}, test {test_loss:.3f}"
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title, xlim=EXTENT[:2], ylim=EXTENT[2:])
    ax.grid(False)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="network output", shrink=0.8)
    return ax


def plot_history(source, ax: plt.Axes | None = None, title: str = "Loss (1/2 squared error)",
                 label: str = "", log: bool = False) -> plt.Axes:
    """Training and test loss against epoch, as the original's small chart (test solid, training dashed)."""
    history = source.history
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.2))
    prefix = f"{label}: " if label else ""
    lines = ax.plot(history["epoch"], history["test_loss"], lw=2, label=f"{prefix}test")
    ax.plot(history["epoch"], history["train_loss"], lw=1.5, ls="--", color=lines[0].get_color(),
            label=f"{prefix}training")
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.legend(fontsize="small")
    return ax


def plot_neurons(source, resolution: int = 40, size: float = 1.1, title: str | None = None) -> plt.Figure:
    """Every hidden neuron's output over the input plane: one column per hidden layer."""
    playground = _session(source)
    maps = playground.neuron_maps(resolution)
    if not maps:
        raise ValueError("this network has no hidden layer, so there are no hidden neurons to show")
    rows = max(len(layer) for layer in maps)
    fig, axes = plt.subplots(rows, len(maps), figsize=(size * len(maps) + 0.6, size * rows + 0.6), squeeze=False)
    low = -1.0 if playground.config.activation == "tanh" else None
    for column, layer in enumerate(maps):
        for row in range(rows):
            ax = axes[row, column]
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if row >= len(layer):
                ax.set_axis_off()
                continue
            values = layer[row]
            scale = max(np.abs(values).max(), 1e-9) if low is None else 1.0
            ax.imshow(values, extent=EXTENT, cmap=CLASS_CMAP, vmin=-scale, vmax=scale)
            for spine in ax.spines.values():
                spine.set_visible(True)
                spine.set_color(PALETTE["black"])
        axes[0, column].set_title(f"layer {column + 1}", fontsize="small")
    fig.suptitle(title or f"Hidden neurons (output over $x_1, x_2$ in [-6, 6]), epoch {playground.epoch}",
                 fontsize="medium")
    fig.tight_layout()
    return fig


__all__ = ["CLASS_COLORS", "plot_history", "plot_neurons", "plot_output"]
