"""Figures used across the notebooks, drawn in one colour-blind-safe palette."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, ListedColormap

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every
# common form of colour blindness, and in greyscale by lightness.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
COLORS = [PALETTE[name] for name in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]

# Two classes: blue (0 / negative) and orange (1 / positive), as in the
# TensorFlow Playground; the map runs through white at the decision boundary.
CLASS_COLORS = (PALETTE["blue"], PALETTE["orange"])
CLASS_CMAP = LinearSegmentedColormap.from_list("course_classes", [PALETTE["blue"], "#FFFFFF", PALETTE["orange"]])

# Spins -1 / +1: dark grey and white, so that spin colours never look like the class colours.
SPIN_CMAP = ListedColormap(["#333333", "#FFFFFF"], name="course_spins")


def apply_style() -> None:
    """Set the course's matplotlib defaults: palette, sizes, grid."""
    mpl.rcParams.update({
        "axes.prop_cycle": mpl.cycler(color=COLORS),
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 100,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": "medium",
        "legend.frameon": False,
        "image.cmap": "viridis",
    })


def _axes(ax: plt.Axes | None, figsize: tuple[float, float] = (6.4, 4.0)) -> plt.Axes:
    """The given axes, or the axes of a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def loss_curves(curves: Mapping[str, Sequence[float]], ax: plt.Axes | None = None,
                xlabel: str = "epoch", ylabel: str = "loss", title: str = "Loss during training",
                log: bool = True) -> plt.Axes:
    """Draw several loss histories (label -> values) on one axes, log scale by default."""
    ax = _axes(ax)
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(len(values)), values, label=label, lw=2)
    if log:
        log_axis(ax, "y")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend()
    return ax


def log_axis(ax: plt.Axes, which: str = "y") -> None:
    """Switch an axis to log scale with plain tick labels (0.2, 0.5, 1) instead of 2x10^-1."""
    getattr(ax, f"set_{which}scale")("log")
    axis = ax.yaxis if which == "y" else ax.xaxis
    plain = mticker.FuncFormatter(lambda value, _: f"{value:g}")
    axis.set_major_formatter(plain)

    def minor_label(value: float, _) -> str:
        """Label 2s, 3s and 5s between powers of ten on a short axis (2s and 5s up to 1.5 decades)."""
        low, high = sorted(axis.get_view_interval())
        if low <= 0 or high / low >= 40:
            return ""
        label = f"{value:.2g}"
        shown = ("2", "3", "5") if high / low < 15 else ("2", "5")
        return label if label.lstrip("0.")[:1] in shown else ""

    axis.set_minor_formatter(mticker.FuncFormatter(minor_label))


def history_curves(history, ax: plt.Axes | None = None, title: str = "Loss during training",
                   log: bool = True) -> plt.Axes:
    """Draw training (and validation, if recorded) loss from a Keras History or its dict."""
    logs = getattr(history, "history", history)
    curves = {"training": logs["loss"]}
    if "val_loss" in logs:
        curves["validation"] = logs["val_loss"]
    return loss_curves(curves, ax=ax, title=title, log=log)


def loss_contour(loss: Callable[[np.ndarray, np.ndarray], np.ndarray], w_range: tuple[float, float],
                 b_range: tuple[float, float], ax: plt.Axes | None = None, levels: int = 25,
                 resolution: int = 200, labels: tuple[str, str] = ("$w$", "$b$"),
                 title: str = "Loss surface") -> plt.Axes:
    """Contour lines of loss(w, b) (vectorised over grids) in the parameter plane, log-spaced."""
    ax = _axes(ax, figsize=(5.6, 4.6))
    w = np.linspace(*w_range, resolution)
    b = np.linspace(*b_range, resolution)
    ww, bb = np.meshgrid(w, b)
    values = np.asarray(loss(ww, bb), dtype=float)
    low, high = np.nanmin(values), np.nanmax(values)
    spaced = np.geomspace(max(low, 1e-12 + 1e-3 * (high - low)), high, levels)
    contour = ax.contour(ww, bb, values, levels=spaced, cmap="Greys_r", linewidths=0.8, alpha=0.8)
    ax.clabel(contour, contour.levels[::4], fontsize=7, fmt="%.2g")
    ax.set(xlabel=labels[0], ylabel=labels[1], title=title)
    ax.grid(False)
    return ax


def parameter_paths(paths: Mapping[str, np.ndarray], ax: plt.Axes, marker_every: int = 1,
                    optimum: Sequence[float] | None = None) -> plt.Axes:
    """Overlay parameter paths (label -> array of shape (steps, 2)) on an axes, e.g. a loss contour."""
    for color, (label, path) in zip(COLORS, paths.items()):
        path = np.asarray(path, dtype=float)
        ax.plot(path[:, 0], path[:, 1], "-", color=color, lw=1.5, label=label)
        ax.plot(path[::marker_every, 0], path[::marker_every, 1], "o", color=color, ms=3)
        ax.plot(*path[0], "s", color=color, ms=7, mec="black")
    if optimum is not None:
        ax.plot(*optimum, "*", color=PALETTE["black"], ms=14, label="minimum")
    ax.legend(loc="best", fontsize="small")
    return ax


def _predict_on_grid(model_or_function, grid: np.ndarray) -> np.ndarray:
    """Outputs of a Keras model (via predict) or a plain function on grid points."""
    if hasattr(model_or_function, "predict"):
        out = model_or_function.predict(grid, verbose=0, batch_size=4096)
    else:
        out = model_or_function(grid)
    out = np.asarray(out, dtype=float)
    if out.ndim == 2 and out.shape[1] > 1:  # several classes: the predicted class
        return np.argmax(out, axis=1).astype(float)
    return out.reshape(len(grid))


def decision_boundary(model_or_function, X: np.ndarray, y: np.ndarray | None = None,
                      ax: plt.Axes | None = None, resolution: int = 200, margin: float = 0.5,
                      threshold: float = 0.5, title: str = "Decision boundary",
                      labels: tuple[str, str] = ("$x_1$", "$x_2$"), colorbar: bool = False,
                      value_range: tuple[float, float] = (0.0, 1.0)) -> plt.Axes:
    """Shade the output of any model or function f(points (n, 2)) over the plane around 2-D data.

    The colour shows the output (blue low, orange high), the black line the
    decision threshold, and the points their labels in the same colours.
    """
    ax = _axes(ax, figsize=(5.0, 4.4))
    X = np.asarray(X, dtype=float)
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    values = _predict_on_grid(model_or_function, grid).reshape(g1.shape)
    image = ax.pcolormesh(g1, g2, values, cmap=CLASS_CMAP, vmin=value_range[0], vmax=value_range[1],
                          shading="auto", alpha=0.75, rasterized=True)
    if np.nanmin(values) < threshold < np.nanmax(values):
        ax.contour(g1, g2, values, levels=[threshold], colors="black", linewidths=1.5)
    if y is not None:
        y = np.asarray(y).reshape(-1)
        classes = (y > threshold).astype(int)
        size = 90 if len(X) <= 20 else 28  # a handful of points deserves big markers
        for cls, color in enumerate(CLASS_COLORS):
            mask = classes == cls
            ax.scatter(X[mask, 0], X[mask, 1], c=color, edgecolors="black", linewidths=0.6, s=size,
                       label=f"class {cls}", zorder=3)
        ax.legend(loc="upper right", fontsize="small", framealpha=0.8, frameon=True)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="network output")
    ax.set(xlabel=labels[0], ylabel=labels[1], title=title, xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    ax.set_aspect("equal")
    ax.grid(False)
    return ax


def confusion_matrix(counts: np.ndarray, class_names: Sequence[str] | None = None, ax: plt.Axes | None = None,
                     title: str = "Confusion matrix", xlabel: str = "predicted class",
                     ylabel: str = "true class") -> plt.Axes:
    """Draw a confusion matrix (rows: true class, columns: predicted class) with the count in each cell."""
    counts = np.asarray(counts)
    ax = _axes(ax, figsize=(5.6, 4.8))
    names = [str(index) for index in range(len(counts))] if class_names is None else list(class_names)
    image = ax.imshow(counts, cmap="Blues", vmin=0)
    threshold = counts.max() / 2 if counts.size else 0
    for (row, column), value in np.ndenumerate(counts):
        if value:
            ax.text(column, row, f"{value:g}", ha="center", va="center", fontsize=8,
                    color="white" if value > threshold else "black")
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label="number of examples", fraction=0.046, pad=0.04)
    return ax


def spin_lattice(spins: np.ndarray, ax: plt.Axes | None = None, title: str | None = None) -> plt.Axes:
    """Draw one lattice of spins +-1 (dark: -1, white: +1) without ticks, framed so white sites stay visible."""
    ax = _axes(ax, figsize=(3, 3))
    ax.imshow(np.asarray(spins), cmap=SPIN_CMAP, vmin=-1, vmax=1, interpolation="nearest")
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(PALETTE["black"])
    if title:
        ax.set_title(title)
    return ax
