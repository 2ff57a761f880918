"""Fast pictures for the live widget, drawn with NumPy and encoded as PNG (a few ms per frame).

Matplotlib needs tens of milliseconds per redraw; to refresh the picture at
least ten times a second while training, the widget paints the heat maps,
points and loss chart straight into RGB arrays.
"""

from __future__ import annotations

import base64
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


def css_color(value: float) -> str:
    """The playground colour of a value in [-1, 1] (blue -1, white 0, orange +1) as CSS "#rrggbb"."""
    return "#%02x%02x%02x" % tuple(int(channel) for channel in colorize(value))


def png_uri(rgb: np.ndarray) -> str:
    """An RGB(A) uint8 image as a PNG data URI, for <img>/<image> in an HTML widget."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(rgb)).decode("ascii")


def points_overlay(playground, size: int = 300, show_test: bool = False) -> np.ndarray:
    """The data points on a transparent RGBA image (drawn once per data set, laid over the heat map)."""
    rgb = np.zeros((size, size, 3), np.uint8)
    mask = np.zeros((size, size, 3), np.uint8)
    regression = playground.config.problem == "regression"
    sets = [(playground.X_train, playground.y_train, GREY if regression else WHITE)]
    if show_test:
        sets.append((playground.X_test, playground.y_test, BLACK))
    for X, y, edge in sets:
        draw_points(rgb, X, y, edge)
        draw_points(mask, X, np.full(len(X), 1.0), WHITE)  # any colour != 0 marks a drawn pixel
    alpha = np.where(mask.any(axis=2), 255, 0).astype(np.uint8)
    return np.dstack([rgb, alpha])


MAP_SIZE, MAP_LEFT, MAP_TOP = 300, 36, 6


def output_svg(heat_uri: str, points_uri: str, discretize: bool = False) -> str:
    """The output map as SVG: heat map, points, axes x1 and x2 with ticks, and a colour legend below."""
    blue, white, orange = (css_color(value) for value in (-1.0, 0.0, 1.0))
    s, left, top = MAP_SIZE, MAP_LEFT, MAP_TOP
    width, height = left + s + 12, top + s + 82
    radius = PLAYGROUND_RADIUS
    rendering = "pixelated" if discretize else "auto"
    parts = [f"<svg class='pg-output' width='{width}' height='{height}' style='font:11px sans-serif'>",
             f"<image href='{heat_uri}' x='{left}' y='{top}' width='{s}' height='{s}' preserveAspectRatio='none' "
             f"style='image-rendering:{rendering}'/>",
             f"<line x1='{left}' x2='{left + s}' y1='{top + s / 2}' y2='{top + s / 2}' stroke='#0003'/>",
             f"<line y1='{top}' y2='{top + s}' x1='{left + s / 2}' x2='{left + s / 2}' stroke='#0003'/>",
             f"<image href='{points_uri}' x='{left}' y='{top}' width='{s}' height='{s}'/>",
             f"<rect x='{left}' y='{top}' width='{s}' height='{s}' fill='none' stroke='#666'/>"]
    for value in range(-6, 7, 3):
        offset = (value + radius) / (2 * radius) * s
        x, y = left + offset, top + s - offset
        parts.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{top + s}' y2='{top + s + 4}' stroke='#666'/>"
                     f"<text x='{x:.1f}' y='{top + s + 15}' text-anchor='middle'>{value}</text>"
                     f"<line x1='{left - 4}' x2='{left}' y1='{y:.1f}' y2='{y:.1f}' stroke='#666'/>"
                     f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end'>{value}</text>")
    parts.append(f"<text x='{left + s / 2}' y='{top + s + 29}' text-anchor='middle'>x1</text>"
                 f"<text x='10' y='{top + s / 2}' text-anchor='middle' "
                 f"transform='rotate(-90 10 {top + s / 2})'>x2</text>")
    bar_top = top + s + 40
    parts.append("<defs><linearGradient id='pg-legend-gradient'>"
                 f"<stop offset='0' stop-color='{blue}'/><stop offset='0.5' stop-color='{white}'/>"
                 f"<stop offset='1' stop-color='{orange}'/></linearGradient></defs>"
                 f"<g class='pg-legend'><rect x='{left + 50}' y='{bar_top}' width='{s - 100}' height='10' "
                 f"fill='url(#pg-legend-gradient)' stroke='#666'/>")
    for value, text in ((-1, "−1"), (0, "0"), (1, "+1")):
        x = left + 50 + (value + 1) / 2 * (s - 100)
        parts.append(f"<text x='{x:.1f}' y='{bar_top + 23}' text-anchor='middle'>{text}</text>")
    parts.append(f"<text x='{left + s / 2}' y='{bar_top + 36}' text-anchor='middle' style='white-space:nowrap'>"
                 "network output (points: data, white edge training, black edge test)</text></g></svg>")
    return "".join(parts)


class FrameRenderer:
    """Draws the widget's pictures, caching what only changes with the data (the points) or never (inputs)."""

    def __init__(self) -> None:
        from utils.playground.diagram import NetworkDiagram

        self.diagram = NetworkDiagram()
        self._points: tuple | None = None

    def output(self, playground, show_test: bool = False, discretize: bool = False, resolution: int = 100) -> str:
        """SVG of the output map with axes and legend; the map is sent at `resolution` px and scaled by the browser."""
        key = (id(playground.X_train), len(playground.X_train), float(playground.X_train[0, 0]), show_test)
        if self._points is None or self._points[0] != key:
            self._points = (key, png_uri(points_overlay(playground, MAP_SIZE, show_test)))
        values = playground.output_map(resolution)
        if discretize:
            values = np.where(values >= 0, 1.0, -1.0)
        return output_svg(png_uri(colorize(values, pale=True)), self._points[1], discretize)

    def frame(self, playground, show_test: bool = False, discretize: bool = False) -> dict:
        """Everything one frame draws: 'output' (SVG), 'network' (HTML+SVG), 'loss' (PNG bytes)."""
        return {"output": self.output(playground, show_test, discretize),
                "network": self.diagram.html(playground, discretize),
                "loss": png_bytes(loss_image(playground.history))}
