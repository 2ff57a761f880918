"""The interactive playground: ipywidgets controls around the NumPy engine, pictures as PNG images.

Only the ipywidgets API shared by 7.7 (Colab) and 8.x is used: a ``Play``
widget whose ticks each train a few epochs and redraw (no background thread),
``Image`` widgets for the pictures, ``observe(..., names="value")``.
Everything also runs without a browser: ``PlaygroundWidget().step()`` and
``.play(frames)`` train and redraw programmatically (tests, CI).
"""

from __future__ import annotations

import time

import ipywidgets as widgets

from utils.playground.config import (
    ACTIVATIONS,
    FEATURE_NAMES,
    LEARNING_RATES,
    OPTIMIZERS,
    REGULARIZATION_RATES,
    PlaygroundConfig,
)
from utils.playground.engine import Playground
from utils.playground.render import render_frame

DATASET_CHOICES = [("circle", "circle"), ("XOR (checkerboard 2x2)", "xor"), ("Gaussians", "gauss"),
                   ("spiral", "spiral"), ("checkerboard n x n", "checkerboard"), ("moons", "moons"),
                   ("regression: plane", "plane"), ("regression: multi-Gaussian", "multi_gauss")]
FEATURE_DESCRIPTIONS = {"x1": "X1", "x2": "X2", "x1^2": "X1²", "x2^2": "X2²", "x1*x2": "X1·X2",
                        "sin(x1)": "sin X1", "sin(x2)": "sin X2"}
EPOCHS_PER_FRAME = (1, 2, 5, 10, 20, 50, 100)
# Settings that need new data, and those that need new initial weights (the original resets on both).
DATA_FIELDS = ("dataset", "noise", "train_fraction", "seed", "checkerboard_cells")
NETWORK_FIELDS = ("batch_size", "features", "hidden_layers", "activation", "regularization",
                  "regularization_rate", "optimizer", "dropout")


def _parse_layers(text: str) -> tuple[int, ...]:
    """'4, 2' -> (4, 2); '' or 'none' -> () (no hidden layer)."""
    text = text.strip().strip("[]()")
    if text.lower() in ("", "none", "0"):
        return ()
    try:
        return tuple(int(part) for part in text.replace(";", ",").split(",") if part.strip())
    except ValueError:
        raise ValueError(f"hidden layers must be neuron counts with commas, e.g. '4, 2': not {text!r}") from None


class PlaygroundWidget:
    """TensorFlow-Playground-like widget: data, features, network, play/step/reset, live pictures."""

    def __init__(self, config: PlaygroundConfig | None = None, epochs_per_frame: int = 20,
                 interval_ms: int = 80, **changes) -> None:
        self.playground = Playground(config, **changes)
        self.show_test = False
        self.discretize = False
        self.frame_times: list[float] = []
        self._last_frame_end = float("-inf")
        self._interval = interval_ms / 1000
        self._epoch_seconds = 0.0  # running estimate of the time per epoch, to size the frames
        self._syncing = False
        self._build_controls(epochs_per_frame, interval_ms)
        self.redraw()

    # ---- public API ----------------------------------------------------------------------------------
    @property
    def config(self) -> PlaygroundConfig:
        """The current settings."""
        return self.playground.config

    @property
    def epoch(self) -> int:
        """Epochs trained since the last reset."""
        return self.playground.epoch

    def step(self) -> None:
        """Train one epoch and redraw (the original's step button)."""
        self.playground.train(1)
        self.redraw()

    def play(self, frames: int = 10) -> None:
        """Run `frames` frames of `epochs per frame` epochs each, redrawing after every frame."""
        for _ in range(int(frames)):
            self._frame()

    def reset(self) -> None:
        """New initial weights, epoch 0; the data stay (the original's reset button)."""
        self.playground.reset(new_weights=True)
        self.redraw()

    def regenerate(self) -> None:
        """New data (the next seed) and new weights, like the original's regenerate button."""
        self.controls["seed"].value = self.config.seed + 1

    def set(self, **changes) -> None:
        """Change settings as if through the controls (e.g. set(dataset='xor', hidden_layers=(8, 8)))."""
        self._apply(self.config.replace(**changes))
        self._sync_controls()

    def show(self) -> None:
        """Display the widget in the notebook."""
        from IPython.display import display

        display(self.root)

    def _ipython_display_(self) -> None:
        self.show()

    # ---- frames --------------------------------------------------------------------------------------
    def _frame(self) -> None:
        """Train `epochs per frame` epochs (fewer if a big network would stall the picture) and redraw."""
        epochs = self.controls["speed"].value
        if self._epoch_seconds > 0:  # keep training within 60 % of the frame interval: >= 10 pictures/s
            epochs = max(1, min(epochs, int(0.6 * self._interval / self._epoch_seconds)))
        start = time.perf_counter()
        self.playground.train(epochs)
        trained = time.perf_counter()
        self.redraw()
        per_epoch = (trained - start) / epochs
        self._epoch_seconds = per_epoch if not self._epoch_seconds else 0.7 * self._epoch_seconds + 0.3 * per_epoch
        self.frame_times.append(time.perf_counter() - start)

    def _on_tick(self, change) -> None:
        """A tick of the Play widget: one frame, unless the tick waited in the queue behind a slow frame."""
        if change["new"] == 0:  # the Play widget was rewound: nothing to do
            return
        now = time.perf_counter()
        if now - self._last_frame_end < 0.3 * self._interval:
            return  # a tick that queued up while the last frame ran: skip it so pause reacts at once
        self._frame()
        self._last_frame_end = time.perf_counter()

    def redraw(self) -> None:
        """Update the pictures and the numbers from the engine's current state."""
        pictures = render_frame(self.playground, show_test=self.show_test, discretize=self.discretize)
        for name, data in pictures.items():
            self.images[name].value = data
        train_loss, test_loss = self.playground.history["train_loss"][-1], self.playground.history["test_loss"][-1]
        text = (f"<b>Epoch {self.epoch:,}</b> &nbsp; training loss <b>{train_loss:.3f}</b> &nbsp; "
                f"test loss <b>{test_loss:.3f}</b>")
        accuracy = self.playground.accuracy()
        if accuracy is not None:
            text += f" &nbsp; test accuracy <b>{accuracy:.1%}</b>"
        restarts = f", restart {self.playground.restarts}" if self.playground.restarts else ""
        self.status.value = text + f" &nbsp; <small>(seed {self.config.seed}{restarts})</small>"

    # ---- controls ------------------------------------------------------------------------------------
    def _build_controls(self, epochs_per_frame: int, interval_ms: int) -> None:
        c = self.config
        narrow = widgets.Layout(width="250px")
        style = {"description_width": "110px"}
        w = {
            "dataset": widgets.Dropdown(options=DATASET_CHOICES, value=c.dataset, description="Data",
                                        layout=narrow, style=style),
            "noise": widgets.IntSlider(value=round(c.noise * 100), min=0, max=50, step=5, description="Noise %",
                                       continuous_update=False, layout=narrow, style=style),
            "train_fraction": widgets.IntSlider(value=round(c.train_fraction * 100), min=10, max=90, step=10,
                                                description="Training %", continuous_update=False,
                                                layout=narrow, style=style),
            "batch_size": widgets.IntSlider(value=c.batch_size, min=1, max=30, description="Batch size",
                                            continuous_update=False, layout=narrow, style=style),
            "checkerboard_cells": widgets.IntSlider(value=c.checkerboard_cells, min=2, max=10,
                                                    description="Cells (n x n)", continuous_update=False,
                                                    layout=narrow, style=style),
            "seed": widgets.IntText(value=c.seed, description="Seed", layout=narrow, style=style),
            "hidden_layers": widgets.Text(value=", ".join(map(str, c.hidden_layers)), description="Hidden layers",
                                          placeholder="e.g. 4, 2 (empty: none)", continuous_update=False,
                                          layout=narrow, style=style),
            "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=c.activation, description="Activation",
                                           layout=narrow, style=style),
            "learning_rate": widgets.Dropdown(options=sorted(set(LEARNING_RATES) | {c.learning_rate}),
                                              value=c.learning_rate, description="Learning rate",
                                              layout=narrow, style=style),
            "regularization": widgets.Dropdown(options=[("none", "none"), ("L1", "l1"), ("L2", "l2"),
                                                        ("elastic net", "elastic_net")],
                                               value=c.regularization or "none", description="Regularisation",
                                               layout=narrow, style=style),
            "regularization_rate": widgets.Dropdown(
                options=sorted(set(REGULARIZATION_RATES) | {c.regularization_rate}), value=c.regularization_rate,
                description="Reg. rate", layout=narrow, style=style),
            "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=c.optimizer, description="Optimiser",
                                          layout=narrow, style=style),
            "dropout": widgets.Dropdown(options=sorted({0.0, 0.1, 0.2, 0.3, 0.5, c.dropout}), value=c.dropout,
                                        description="Dropout", layout=narrow, style=style),
            "speed": widgets.Dropdown(options=list(EPOCHS_PER_FRAME), value=epochs_per_frame,
                                      description="Epochs / frame", layout=narrow, style=style),
        }
        self.feature_boxes = {name: widgets.Checkbox(value=name in c.features, description=FEATURE_DESCRIPTIONS[name],
                                                     indent=False, layout=widgets.Layout(width="110px"))
                              for name in FEATURE_NAMES}
        self.controls = w
        for name, control in w.items():
            if name != "speed":
                control.observe(self._on_control, names="value")
        for box in self.feature_boxes.values():
            box.observe(self._on_control, names="value")

        self.play_widget = widgets.Play(value=0, min=0, max=10**9, step=1, interval=interval_ms,
                                        description="Play")
        self.play_widget.observe(self._on_tick, names="value")
        step_button = widgets.Button(description="Step", tooltip="train one epoch", layout=widgets.Layout(width="80px"))
        reset_button = widgets.Button(description="Reset", tooltip="new initial weights, epoch 0",
                                      layout=widgets.Layout(width="80px"))
        regen_button = widgets.Button(description="New data", tooltip="regenerate the data (next seed)",
                                      layout=widgets.Layout(width="90px"))
        step_button.on_click(lambda _: self.step())
        reset_button.on_click(lambda _: self.reset())
        regen_button.on_click(lambda _: self.regenerate())
        self.buttons = {"step": step_button, "reset": reset_button, "regenerate": regen_button}
        test_box = widgets.Checkbox(value=False, description="Show test data", indent=False)
        discrete_box = widgets.Checkbox(value=False, description="Discretise output", indent=False)
        test_box.observe(self._on_view, names="value")
        discrete_box.observe(self._on_view, names="value")
        self.view_boxes = {"show_test": test_box, "discretize": discrete_box}

        self.images = {"output": widgets.Image(format="png", layout=widgets.Layout(width="300px", height="300px")),
                       "neurons": widgets.Image(format="png"),
                       "loss": widgets.Image(format="png", layout=widgets.Layout(width="300px", height="90px"))}
        self.status = widgets.HTML()
        self.message = widgets.HTML()

        def heading(text: str) -> widgets.HTML:
            return widgets.HTML(f"<b>{text}</b>")

        data_box = widgets.VBox([heading("Data"), w["dataset"], w["noise"], w["train_fraction"], w["batch_size"],
                                 w["checkerboard_cells"], w["seed"], heading("Input features"),
                                 widgets.VBox(list(self.feature_boxes.values()))])
        network_box = widgets.VBox([heading("Network and training"), w["hidden_layers"], w["activation"],
                                    w["learning_rate"], w["regularization"], w["regularization_rate"],
                                    w["optimizer"], w["dropout"], w["speed"], heading("Neurons"),
                                    widgets.HTML("<small>columns: inputs, hidden layers, output; "
                                                 "blue -1, white 0, orange +1</small>"),
                                    self.images["neurons"]])
        output_box = widgets.VBox([heading("Output over x1, x2 in [-6, 6]"), self.images["output"],
                                   widgets.HBox([test_box, discrete_box]),
                                   heading("Loss (test black, training grey)"), self.images["loss"]])
        top = widgets.HBox([self.play_widget, step_button, reset_button, regen_button, self.status])
        self.root = widgets.VBox([top, self.message, widgets.HBox([data_box, network_box, output_box])])

    def _config_from_controls(self) -> PlaygroundConfig:
        """A config from the controls' values (raises ValueError with a clear message when invalid)."""
        w = self.controls
        features = tuple(name for name, box in self.feature_boxes.items() if box.value)
        return self.config.replace(
            dataset=w["dataset"].value, noise=w["noise"].value / 100, train_fraction=w["train_fraction"].value / 100,
            batch_size=w["batch_size"].value, checkerboard_cells=w["checkerboard_cells"].value,
            seed=max(int(w["seed"].value), 0), hidden_layers=_parse_layers(w["hidden_layers"].value),
            activation=w["activation"].value, learning_rate=w["learning_rate"].value,
            regularization=None if w["regularization"].value == "none" else w["regularization"].value,
            regularization_rate=w["regularization_rate"].value,
            optimizer=w["optimizer"].value, dropout=w["dropout"].value, features=features, problem=None)

    def _on_control(self, change) -> None:
        if self._syncing:
            return
        try:
            config = self._config_from_controls()
        except ValueError as error:
            self.message.value = f"<span style='color:#D55E00'>{error}</span>"
            return
        self.message.value = ""
        self._apply(config)

    def _apply(self, config: PlaygroundConfig) -> None:
        """Switch to new settings: new data, new weights, or only a new learning rate."""
        old = self.config
        changed = {name for name in config.to_dict() if getattr(config, name) != getattr(old, name)}
        self.playground.config = config
        if changed & set(DATA_FIELDS):
            self.playground.reset_data()
        elif changed & set(NETWORK_FIELDS):
            self.playground.reset()
        self._epoch_seconds = 0.0
        self.redraw()

    def _sync_controls(self) -> None:
        """Show the current settings in the controls without triggering resets."""
        c = self.config
        values = {"dataset": c.dataset, "noise": round(c.noise * 100), "train_fraction": round(c.train_fraction * 100),
                  "batch_size": c.batch_size, "checkerboard_cells": c.checkerboard_cells, "seed": c.seed,
                  "hidden_layers": ", ".join(map(str, c.hidden_layers)), "activation": c.activation,
                  "regularization": c.regularization or "none", "optimizer": c.optimizer}
        self._syncing = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
            for name, options in (("learning_rate", LEARNING_RATES), ("regularization_rate", REGULARIZATION_RATES),
                                  ("dropout", (0.0, 0.1, 0.2, 0.3, 0.5))):
                value = getattr(c, name)
                self.controls[name].options = sorted(set(options) | {value})
                self.controls[name].value = value
            for name, box in self.feature_boxes.items():
                box.value = name in c.features
        finally:
            self._syncing = False

    def _on_view(self, change) -> None:
        self.show_test = self.view_boxes["show_test"].value
        self.discretize = self.view_boxes["discretize"].value
        self.redraw()
