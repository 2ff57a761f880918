"""Command line: ``python -m utils.playground --benchmark`` measures training throughput and drawing speed."""

from __future__ import annotations

import argparse
import os
import time

from utils.playground.config import PlaygroundConfig
from utils.playground.engine import Playground


def benchmark(seconds: float = 3.0) -> float:
    """Epochs per second of the original's default setting (circle, 50 % train, batch 10, [4, 2], tanh, 0.03)."""
    playground = Playground(PlaygroundConfig())
    playground.train(5)  # warm-up
    epochs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        playground.train(50)
        epochs += 50
    rate = epochs / (time.perf_counter() - start)
    print(f"after {playground.epoch} epochs: training loss {playground.losses()[0]:.4f}, "
          f"test accuracy {playground.accuracy():.0%}")
    return rate


def drawing_benchmark(frames: int = 30, epochs_per_frame: int = 20) -> tuple[float, float]:
    """Frames/s of the widget's kernel side while playing (train epochs_per_frame epochs, then draw the output map,
    network diagram and loss chart into the widget), and drawing alone."""
    try:
        from utils.playground.widget import PlaygroundWidget
    except ImportError:  # no ipywidgets: time the pictures without the widget
        from utils.playground.render import FrameRenderer

        playground, renderer = Playground(PlaygroundConfig()), FrameRenderer()
        train, draw = playground.train, lambda: renderer.frame(playground)
    else:
        widget = PlaygroundWidget(PlaygroundConfig())
        train, draw = widget.playground.train, widget.redraw
    draw()
    start = time.perf_counter()
    for _ in range(frames):
        train(epochs_per_frame)
        draw()
    playing = frames / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(frames):
        draw()
    return playing, frames / (time.perf_counter() - start)


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m utils.playground", description=__doc__)
    parser.add_argument("--benchmark", action="store_true", help="measure epochs/s and the frames/s the kernel can draw")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to train for the measurement")
    args = parser.parse_args()
    if not args.benchmark:
        parser.print_help()
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) before the run: {load:.2f} on {os.cpu_count()} cores")
    playing, drawing = drawing_benchmark()
    print(f"drawing alone: {drawing:.0f} frames/s ({1000 / drawing:.1f} ms per frame); playing with 20 epochs per "
          f"frame: {playing:.1f} frames/s = {20 * playing:.0f} epochs/s (the widget asks for one frame every 50 ms, "
          "20 frames/s)")
    rate = benchmark(args.seconds)
    print(f"{rate:.0f} epochs/s")


if __name__ == "__main__":
    main()
