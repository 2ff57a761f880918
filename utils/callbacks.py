"""Keras callbacks for notebooks: a live loss plot instead of progress-bar spam."""

from __future__ import annotations

import time

import keras
import matplotlib.pyplot as plt

from utils import plots


def _in_notebook() -> bool:
    """True when running inside a Jupyter kernel (JupyterLab, Colab, VS Code, nbval)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class LiveLossPlot(keras.callbacks.Callback):
    """Draw training (and validation) loss in one figure that updates in place.

    Use with ``model.fit(..., verbose=0, callbacks=[LiveLossPlot()])``. The
    figure is redrawn at most every ``refresh_seconds`` while training and
    once more at the end, so it costs little time. Outside a notebook it only
    collects the history.
    """

    def __init__(self, title: str = "Loss during training", log: bool = True, refresh_seconds: float = 1.0):
        super().__init__()
        self.title = title
        self.log = log
        self.refresh_seconds = refresh_seconds
        self.logs: dict[str, list[float]] = {}
        self._display = None
        self._last_draw = 0.0

    def on_train_begin(self, logs=None) -> None:
        """Start a fresh history and an empty display slot."""
        self.logs = {}
        self._display = None
        self._last_draw = time.monotonic()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """Record the epoch's losses and redraw if enough time has passed."""
        for key, value in (logs or {}).items():
            if key == "loss" or key == "val_loss":
                self.logs.setdefault(key, []).append(float(value))
        if time.monotonic() - self._last_draw >= self.refresh_seconds:
            self.draw()

    def on_train_end(self, logs=None) -> None:
        """Draw the final curves."""
        self.draw()

    def figure(self) -> plt.Figure:
        """A new figure with the curves recorded so far."""
        fig, ax = plt.subplots(figsize=(6.0, 3.4))
        if self.logs.get("loss"):
            plots.history_curves(self.logs, ax=ax, title=self.title, log=self.log)
            epochs = len(self.logs["loss"])
            summary = f"epoch {epochs}: training {self.logs['loss'][-1]:.4g}"
            if self.logs.get("val_loss"):
                summary += f", validation {self.logs['val_loss'][-1]:.4g}"
            ax.set_title(f"{self.title}\n{summary}")
        fig.tight_layout()
        return fig

    def draw(self) -> None:
        """Show the current curves in the notebook, replacing the previous drawing."""
        self._last_draw = time.monotonic()
        if not _in_notebook() or not self.logs.get("loss"):
            return
        from IPython.display import display

        fig = self.figure()
        if self._display is None:
            self._display = display(fig, display_id=True)
        else:
            self._display.update(fig)
        plt.close(fig)
