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
    """Frames/s of the widget while playing (train epochs_per_frame epochs, draw all pictures as PNG), and draw-only."""
    from utils.playground.render import render_frame

    playground = Playground(PlaygroundConfig())
    render_frame(playground)
    start = time.perf_counter()
    for _ in range(frames):
        playground.train(epochs_per_frame)
        render_frame(playground)
    playing = frames / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(frames):
        render_frame(playground)
    return playing, frames / (time.perf_counter() - start)


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(prog="python -m utils.playground", description=__doc__)
    parser.add_argument("--benchmark", action="store_true", help="measure epochs/s and frames/s")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to train for the measurement")
    args = parser.parse_args()
    if not args.benchmark:
        parser.print_help()
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) before the run: {load:.2f} on {os.cpu_count()} cores")
    playing, drawing = drawing_benchmark()
    print(f"pictures alone: {drawing:.0f} frames/s; playing with 20 epochs per frame: {playing:.1f} frames/s "
          f"(the widget asks for one frame every 80 ms, 12.5 frames/s)")
    rate = benchmark(args.seconds)
    print(f"{rate:.0f} epochs/s")


if __name__ == "__main__":
    main()
