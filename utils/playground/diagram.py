"""The network diagram of the widget as HTML + SVG, like playground.tensorflow.org's.

Input features are labelled thumbnails (all seven; switched-off ones faded), hidden
neurons and the output are small maps of their output over the plane, in one column
per layer, and every weight is a link coloured by its sign (orange +, blue -) and
drawn thicker for a larger |w|, with its value in a ``<title>`` (shown on hover).
Plain HTML/SVG/CSS only, so it works in an ``HTML`` widget of ipywidgets 7.7 and 8:
a map grows on hover, or stays large after a click until the next frame or a click
elsewhere (CSS :hover and :focus), no JavaScript.
"""

from __future__ import annotations

from html import escape

import numpy as np

from utils.playground.config import FEATURE_NAMES
from utils.playground.engine import feature_matrix
from utils.playground.render import colorize, css_color, png_uri

FEATURE_LABELS = {"x1": "X1", "x2": "X2", "x1^2": "X1²", "x2^2": "X2²", "x1*x2": "X1·X2",
                  "sin(x1)": "sin X1", "sin(x2)": "sin X2"}
TILE = 36           # px, side of a neuron map
INPUT_PITCH = 44    # px from one input row to the next (the feature toggles use the same pitch)
MAX_HEIGHT = 8 * INPUT_PITCH  # taller layers get smaller tiles
LABEL_WIDTH = 52    # px left of the input tiles for their labels
RESOLUTION = 20     # pixels of a neuron map (drawn at TILE px, smoothed by the browser)
CSS = ("<style>.pgw-net{position:relative;font:11px sans-serif;overflow:visible}"
       ".pgw-net .pg-node{position:absolute;border:1px solid #999;box-sizing:border-box;cursor:zoom-in}"
       ".pgw-net .pg-node:hover,.pgw-net .pg-node:focus{outline:none;transform:scale(4.5);z-index:20;box-shadow:0 0 6px #555;border-color:#333}"
       ".pgw-net .off{opacity:.25}"
       ".pgw-net .hit{stroke:transparent;fill:none}"
       ".pgw-net g.w:hover .pg-link{stroke-opacity:1;filter:drop-shadow(0 0 1px #000)}"
       "</style>")


def column_pitch(n_hidden: int) -> int:
    """Horizontal px between layer columns: narrower for deep networks so that 6 layers fit in about 600 px."""
    return int(max(64, min(96, 560 / (n_hidden + 1))))


def _map_uri(values: np.ndarray, discretize: bool) -> str:
    """A map of values in [-1, 1] as a PNG data URI in the playground colours (only the sign if discretize)."""
    if discretize:
        values = np.where(values >= 0, 1.0, -1.0)
    return png_uri(colorize(values))


class NetworkDiagram:
    """Draws the diagram of a Playground; caches the input thumbnails (they never change)."""

    def __init__(self) -> None:
        self._inputs: dict[bool, dict[str, str]] = {}

    def _input_uris(self, points: np.ndarray, discretize: bool) -> dict[str, str]:
        """The thumbnail of every input feature as a PNG data URI, computed once per discretise setting."""
        if discretize not in self._inputs:
            uris = {}
            for name in FEATURE_NAMES:
                values = feature_matrix(points, (name,))[:, 0]
                values = values / max(np.abs(values).max(), 1e-9)
                uris[name] = _map_uri(values.reshape(RESOLUTION, RESOLUTION), discretize)
            self._inputs[discretize] = uris
        return self._inputs[discretize]

    def html(self, playground, discretize: bool = False) -> str:
        """The diagram as one HTML string: a <div> holding the links' <svg> and the maps."""
        negative, positive = css_color(-1.0), css_color(1.0)
        config = playground.config
        points, _ = playground.grid(RESOLUTION)
        layers = playground.net.forward(feature_matrix(points, config.features))
        hidden = list(config.hidden_layers)
        pitch_x = column_pitch(len(hidden))
        pitch_y = min(INPUT_PITCH, MAX_HEIGHT / max(max(hidden, default=1), 1))
        tile = max(min(TILE, pitch_y - 6), 0.75 * pitch_y)  # 64 neurons: 4 px tiles, still visible
        height = max(len(FEATURE_NAMES) * INPUT_PITCH, max(hidden, default=1) * pitch_y) + 2
        width = LABEL_WIDTH + TILE + (len(hidden) + 1) * pitch_x + 6

        # Node boxes (x, y, size) per layer: inputs (active ones only carry links), hidden, output.
        input_boxes = {name: (LABEL_WIDTH, i * INPUT_PITCH + (INPUT_PITCH - TILE) / 2, TILE)
                       for i, name in enumerate(FEATURE_NAMES)}
        columns = [[input_boxes[name] for name in config.features]]
        for c, n in enumerate(hidden + [1]):
            size = tile if c < len(hidden) else TILE
            x = LABEL_WIDTH + (c + 1) * pitch_x + (TILE - size) / 2
            top = (height - n * (pitch_y if c < len(hidden) else INPUT_PITCH)) / 2
            step = pitch_y if c < len(hidden) else INPUT_PITCH
            columns.append([(x, top + r * step + (step - size) / 2, size) for r in range(n)])

        parts = [CSS, f"<div class='pgw-net' style='width:{width}px;height:{height}px'>",
                 f"<svg width='{width}' height='{height}' style='position:absolute;left:0;top:0'>"]
        layer_names = ["input"] + [f"layer {c + 1}" for c in range(len(hidden))] + ["output"]
        for c, (W, b) in enumerate(zip(playground.net.W, playground.net.b)):
            sources, targets = columns[c], columns[c + 1]
            for i, (sx, sy, ss) in enumerate(sources):
                source = (FEATURE_LABELS[config.features[i]] if c == 0 else f"{layer_names[c]} neuron {i + 1}")
                x0, y0 = sx + ss, sy + ss / 2
                for j, (tx, ty, ts) in enumerate(targets):
                    w = float(W[i, j])
                    x1, y1 = tx, ty + ts / 2
                    mid = (x0 + x1) / 2
                    d = f"M{x0:.1f},{y0:.1f}C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
                    target = "output" if c == len(hidden) else f"{layer_names[c + 1]} neuron {j + 1}"
                    parts.append(
                        f"<g class='w'><title>weight {escape(source)} → {target}: {w:.3f}</title>"
                        f"<path class='pg-link' d='{d}' fill='none' stroke='{positive if w >= 0 else negative}' "
                        f"stroke-opacity='0.8' stroke-width='{0.6 + 0.9 * min(abs(w), 5.0):.2f}'/>"
                        f"<path class='hit' d='{d}' stroke-width='7'/></g>")
        for i, name in enumerate(FEATURE_NAMES):
            y = i * INPUT_PITCH + INPUT_PITCH / 2 + 4
            weight = "bold" if name in config.features else "normal"
            parts.append(f"<text class='pg-label' x='{LABEL_WIDTH - 5}' y='{y:.1f}' text-anchor='end' "
                         f"font-weight='{weight}'>{escape(FEATURE_LABELS[name])}</text>")
        parts.append("</svg>")

        for name, uri in self._input_uris(points, discretize).items():
            x, y, size = input_boxes[name]
            state = "" if name in config.features else " off"
            note = "" if name in config.features else " (off)"
            parts.append(self._node("img", x, y, size, f"input {FEATURE_LABELS[name]}{note}", "left", height,
                                    "", f" src='{uri}'", state))
        # Hidden neurons and output: one PNG for all maps (one encoding per frame), each node a <div> showing
        # its tile of it; every tile carries a 1-pixel copy of its edge so that smoothing does not bleed.
        maps, nodes = [], []
        for c in range(1, len(layers)):
            last = c == len(layers) - 1
            for r, box in enumerate(columns[c]):
                v = layers[c][:, r].reshape(RESOLUTION, RESOLUTION)
                if not last and config.activation != "tanh":
                    v = v / max(np.abs(v).max(), 1e-9)  # relu, sigmoid, linear: each map on its own scale
                maps.append(np.pad(v, 1, mode="edge"))
                bias = float(playground.net.b[c - 1][r])
                title = ("output" if last else f"{layer_names[c]} neuron {r + 1}") + f", bias {bias:.3f}"
                nodes.append((box, title, "right" if last else "center"))
        parts.append(f"<style>.pgw-net .pg-map{{background-image:url({_map_uri(np.concatenate(maps), discretize)})}}"
                     "</style>")  # the data URI once, not once per node
        cell = RESOLUTION + 2
        for k, ((x, y, size), title, horizontal) in enumerate(nodes):
            scale = size / RESOLUTION
            background = (f"background-position:{-scale:.2f}px {-(k * cell + 1) * scale:.2f}px;"
                          f"background-size:{cell * scale:.2f}px {len(nodes) * cell * scale:.2f}px")
            parts.append(self._node("div", x, y, size, title, horizontal, height, background, "></div", " pg-map"))
        parts.append("</div>")
        return "".join(parts)

    @staticmethod
    def _node(tag: str, x: float, y: float, size: float, title: str, horizontal: str, height: float,
              style: str = "", rest: str = "", classes: str = "") -> str:
        """A neuron map (<img> or <div> with a background); it grows on hover from the side inside the diagram."""
        vertical = "top" if y < height / 3 else ("bottom" if y > 2 * height / 3 else "center")
        return (f"<{tag} class='pg-node{classes}' tabindex='0' title='{escape(title)}' style='left:{x:.1f}px;top:{y:.1f}px;"
                f"width:{size:.1f}px;height:{size:.1f}px;transform-origin:{horizontal} {vertical};{style}'{rest}>")
