"""Fast pictures for the live widget, drawn with NumPy and encoded as PNG (a few ms per frame).

Matplotlib needs tens of milliseconds per redraw; to refresh the picture at
least ten times a second while training, the widget paints the heat maps,
points and loss chart straight into RGB arrays.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from utils.datasets import PLAYGROUND_RADIUS
from utils.plots import CLASS_CMAP

_LUT = (CLASS_CMAP(np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
_PALE_LUT = (0.65 * _LUT + 0.35 * 255).astype(np.uint8)  # the background map, paler than the points
WHITE, BLACK, GREY = np.array([255, 255, 255], np.uint8), np.array([0, 0, 0], np.uint8), np.array([150] * 3, np.uint8)


def colorize(values: np.ndarray, pale: bool = False) -> np.ndarray:
    """Map values in [-1, 1] to RGB (blue -1, white 0, orange +1); values outside are clipped."""
    index = np.clip((np.asarray(values) + 1.0) * 127.5, 0, 255).astype(np.intp)
    return (_PALE_LUT if pale else _LUT)[index]


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an RGB uint8 image as PNG (fast compression)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _disc(radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel offsets of a filled disc."""
    dy, dx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    inside = dx * dx + dy * dy <= radius * radius + radius
    return dy[inside], dx[inside]


_DISCS = {"large": (_disc(4), _disc(3)), "small": (_disc(3), _disc(2))}


def draw_points(image: np.ndarray, X: np.ndarray, y: np.ndarray, edge: np.ndarray) -> None:
    """Stamp points (raw coordinates in [-6, 6]^2) coloured by target, with an edge colour, into an image."""
    size = image.shape[0]
    outer, inner = _DISCS["small" if len(X) > 400 else "large"]  # regression sets have 600 training points
    scale = (size - 1) / (2 * PLAYGROUND_RADIUS)
    cols = np.round((X[:, 0] + PLAYGROUND_RADIUS) * scale).astype(int)
    rows = np.round((PLAYGROUND_RADIUS - X[:, 1]) * scale).astype(int)
    for (dy, dx), colors in ((outer, edge[None, :]), (inner, colorize(y))):
        rr = np.clip(rows[:, None] + dy[None, :], 0, size - 1)
        cc = np.clip(cols[:, None] + dx[None, :], 0, size - 1)
        image[rr, cc] = colors[:, None, :] if colors.shape[0] == len(X) else colors


def output_image(playground, size: int = 300, resolution: int = 100, show_test: bool = False,
                 discretize: bool = False) -> np.ndarray:
    """The output heat map over [-6, 6]^2 with training (white edge) and test (black edge) points."""
    values = playground.output_map(resolution)
    if discretize:
        values = np.where(values >= 0, 1.0, -1.0)
    repeat = max(size // resolution, 1)
    image = colorize(values, pale=True).repeat(repeat, axis=0).repeat(repeat, axis=1)
    middle = image.shape[0] // 2
    image[middle, :] = image[:, middle] = (0.8 * image[middle, :]).astype(np.uint8)  # faint axes through 0
    regression = playground.config.problem == "regression"  # targets near 0 are white: give them a grey edge
    draw_points(image, playground.X_train, playground.y_train, GREY if regression else WHITE)
    if show_test:
        draw_points(image, playground.X_test, playground.y_test, BLACK)
    return image


def neuron_image(playground, tile: int = 40, gap: int = 6, discretize: bool = False) -> np.ndarray:
    """Heat maps of every input feature, hidden neuron and the output: one column per layer."""
    resolution = tile // 2
    points, _ = playground.grid(resolution)
    from utils.playground.engine import feature_matrix

    layers = playground.net.forward(feature_matrix(points, playground.config.features))
    columns = [layer.T.reshape(-1, resolution, resolution) for layer in layers]
    rows = max(len(column) for column in columns)
    height = rows * (tile + gap) + gap
    width = len(columns) * (tile + 3 * gap) + 2 * gap
    image = np.full((height, width, 3), 255, np.uint8)
    hidden_activation = playground.config.activation
    for c, column in enumerate(columns):
        x0 = 2 * gap + c * (tile + 3 * gap)
        y_offset = (rows - len(column)) * (tile + gap) // 2
        for r, values in enumerate(column):
            if c == 0 or (0 < c < len(columns) - 1 and hidden_activation != "tanh"):
                values = values / max(np.abs(values).max(), 1e-9)  # inputs, relu, sigmoid: own scale
            if discretize:
                values = np.where(values >= 0, 1.0, -1.0)
            y0 = gap + y_offset + r * (tile + gap)
            image[y0 - 1:y0 + tile + 1, x0 - 1:x0 + tile + 1] = GREY
            image[y0:y0 + tile, x0:x0 + tile] = colorize(values).repeat(2, axis=0).repeat(2, axis=1)
    return image


def loss_image(history: dict, width: int = 300, height: int = 90) -> np.ndarray:
    """The loss chart: test loss black, training loss grey, y from 0 to the largest loss so far."""
    image = np.full((height, width, 3), 255, np.uint8)
    epochs = np.asarray(history["epoch"], dtype=float)
    top = max(max(history["test_loss"]), max(history["train_loss"]), 1e-9)
    image[-1, :] = image[:, 0] = GREY
    if len(epochs) < 2:
        return image
    columns = np.linspace(epochs[0], epochs[-1], width)
    row_index = np.arange(height)[:, None]
    for key, color in (("train_loss", GREY), ("test_loss", BLACK)):
        values = np.interp(columns, epochs, np.asarray(history[key], dtype=float))
        ys = (height - 2) - values / top * (height - 3)
        previous = np.concatenate([ys[:1], ys[:-1]])
        low = np.floor(np.minimum(ys, previous)) - 0.5
        high = np.ceil(np.maximum(ys, previous)) + 0.5
        image[(row_index >= low) & (row_index <= high)] = color
    return image


def render_frame(playground, show_test: bool = False, discretize: bool = False) -> dict[str, bytes]:
    """PNG bytes of the widget's three pictures: 'output', 'neurons', 'loss'."""
    return {
        "output": png_bytes(output_image(playground, show_test=show_test, discretize=discretize)),
        "neurons": png_bytes(neuron_image(playground, discretize=discretize)),
        "loss": png_bytes(loss_image(playground.history)),
    }
