"""The interactive playground: ipywidgets controls around the NumPy engine, pictures as PNG images.

Only the ipywidgets API shared by 7.7 (Colab) and 8.x is used: a ``Play``
widget whose ticks each train a few epochs and redraw (no background thread),
``Image`` widgets for the pictures, ``observe(..., names="value")``.
Everything also runs without a browser: ``PlaygroundWidget().step()`` and
``.play(frames)`` train and redraw programmatically (tests, CI).
"""

from __future__ import annotations

import time
from html import escape

import ipywidgets as widgets

from utils.playground.config import (
    ACTIVATIONS,
    FEATURE_NAMES,
    LEARNING_RATES,
    MAX_LAYERS,
    MAX_NEURONS,
    OPTIMIZERS,
    REGULARIZATION_RATES,
    PlaygroundConfig,
)
from utils.playground.diagram import FEATURE_LABELS, INPUT_PITCH, LABEL_WIDTH, TILE, column_pitch
from utils.playground.engine import Playground
from utils.playground.render import FrameRenderer

DATASET_CHOICES = [("circle", "circle"), ("XOR (checkerboard 2x2)", "xor"), ("Gaussians", "gauss"),
                   ("spiral", "spiral"), ("checkerboard n x n", "checkerboard"), ("moons", "moons"),
                   ("regression: plane", "plane"), ("regression: multi-Gaussian", "multi_gauss")]
TOOLTIPS = {
    "dataset": "the data set (classification: colour = class; regression: colour = target value)",
    "noise": "noise added to the data, in % (new data)",
    "train_fraction": "share of the points used for training; the rest is the test set (new data)",
    "batch_size": "points per gradient step",
    "checkerboard_cells": "cells per side of the n x n checkerboard data set",
    "seed": "random seed of data and initial weights: the same seed gives the same run",
    "hidden_layers": "neurons per hidden layer, separated by commas (e.g. 4, 2); empty: no hidden layer",
    "activation": "activation function of the hidden neurons",
    "learning_rate": "step size of gradient descent (changes live, without a reset)",
    "regularization": "penalty on the weights added to the loss",
    "regularization_rate": "strength of the regularisation penalty",
    "optimizer": "the update rule: plain SGD (as the original), momentum or Adam",
    "dropout": "fraction of hidden neurons switched off at random in each training step",
    "speed": "epochs trained per picture while playing (fewer when a big network would stall the picture)",
}
EPOCHS_PER_FRAME = (1, 2, 5, 10, 20, 50, 100)
# Settings that need new data, and those that need new initial weights (the original resets on both).
DATA_FIELDS = ("dataset", "noise", "train_fraction", "seed", "checkerboard_cells")
NETWORK_FIELDS = ("batch_size", "features", "hidden_layers", "activation", "regularization",
                  "regularization_rate", "optimizer", "dropout")


def _tip(widget: widgets.Widget, text: str) -> None:
    """A hover text: `tooltip` (ipywidgets 8, and buttons in 7.7) or `description_tooltip` (7.7)."""
    setattr(widget, "tooltip" if widget.has_trait("tooltip") else "description_tooltip", text)


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
                 interval_ms: int = 50, **changes) -> None:
        self.playground = Playground(config, **changes)
        self.show_test = False
        self.discretize = False
        self.frame_times: list[float] = []
        self._last_frame_end = float("-inf")
        self._interval = interval_ms / 1000
        self._epoch_seconds = 0.0  # running estimate of the time per epoch, to size the frames
        self._syncing = False
        self.renderer = FrameRenderer()
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
        pictures = self.renderer.frame(self.playground, show_test=self.show_test, discretize=self.discretize)
        self.views["output"].value = pictures["output"]
        self.views["network"].value = pictures["network"]
        self.images["loss"].value = pictures["loss"]
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
        """Create every control (with its tooltip), the diagram, the output and the layout of the widget."""
        c = self.config
        field = widgets.Layout(width="auto", min_width="200px", max_width="260px")
        slider = widgets.Layout(width="260px")  # a slider given "auto" shrinks to its handle
        style = {"description_width": "95px"}
        w = {
            "dataset": widgets.Dropdown(options=DATASET_CHOICES, value=c.dataset, description="Data",
                                        layout=widgets.Layout(width="auto", min_width="270px"), style=style),
            "noise": widgets.IntSlider(value=round(c.noise * 100), min=0, max=50, step=5, description="Noise %",
                                       continuous_update=False, layout=slider, style=style),
            "train_fraction": widgets.IntSlider(value=round(c.train_fraction * 100), min=10, max=90, step=10,
                                                description="Training %", continuous_update=False,
                                                layout=slider, style=style),
            "batch_size": widgets.IntSlider(value=c.batch_size, min=1, max=30, description="Batch size",
                                            continuous_update=False, layout=slider, style=style),
            "checkerboard_cells": widgets.IntSlider(value=c.checkerboard_cells, min=2, max=10,
                                                    description="Cells (n x n)", continuous_update=False,
                                                    layout=slider, style=style),
            "seed": widgets.IntText(value=c.seed, description="Seed", layout=field, style=style),
            "hidden_layers": widgets.Text(value=", ".join(map(str, c.hidden_layers)), description="sizes",
                                          placeholder="e.g. 4, 2 (empty: none)", continuous_update=False,
                                          layout=widgets.Layout(width="auto", min_width="150px", max_width="200px"),
                                          style={"description_width": "40px"}),
            "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=c.activation, description="Activation",
                                           layout=field, style=style),
            "learning_rate": widgets.Dropdown(options=sorted(set(LEARNING_RATES) | {c.learning_rate}),
                                              value=c.learning_rate, description="Learning rate",
                                              layout=field, style=style),
            "regularization": widgets.Dropdown(options=[("none", "none"), ("L1", "l1"), ("L2", "l2"),
                                                        ("elastic net", "elastic_net")],
                                               value=c.regularization or "none", description="Regularisation",
                                               layout=field, style=style),
            "regularization_rate": widgets.Dropdown(
                options=sorted(set(REGULARIZATION_RATES) | {c.regularization_rate}), value=c.regularization_rate,
                description="Reg. rate", layout=field, style=style),
            "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=c.optimizer, description="Optimiser",
                                          layout=field, style=style),
            "dropout": widgets.Dropdown(options=sorted({0.0, 0.1, 0.2, 0.3, 0.5, c.dropout}), value=c.dropout,
                                        description="Dropout", layout=field, style=style),
            "speed": widgets.Dropdown(options=list(EPOCHS_PER_FRAME), value=epochs_per_frame,
                                      description="Epochs / frame", layout=field,
                                      style={"description_width": "initial"}),
        }
        toggle_layout = dict(width="68px", height=f"{INPUT_PITCH - 4}px", margin="2px 0px")
        self.feature_boxes = {name: widgets.ToggleButton(value=name in c.features, description=FEATURE_LABELS[name],
                                                         layout=widgets.Layout(**toggle_layout))
                              for name in FEATURE_NAMES}
        self.controls = w
        for name, control in w.items():
            _tip(control, TOOLTIPS[name])
            if name != "speed":
                control.observe(self._guard(self._on_control, "changing a setting"), names="value")
        for name, box in self.feature_boxes.items():
            _tip(box, f"use {FEATURE_LABELS[name]} as an input of the network (on/off)")
            box.observe(self._guard(self._on_control, "switching a feature"), names="value")

        play_options = {"show_repeat": False} if widgets.Play().has_trait("show_repeat") else {}
        self.play_widget = widgets.Play(value=0, min=0, max=10**9, step=1, interval=interval_ms,
                                        description="Play", **play_options)
        _tip(self.play_widget, "play / pause training (each tick trains 'epochs per frame' epochs and redraws); "
                               "stop also pauses")
        self.play_widget.observe(self._guard(self._on_tick, "a training frame", clears=False), names="value")
        small = widgets.Layout(width="auto", min_width="60px")
        step_button = widgets.Button(description="Step", tooltip="train one epoch", layout=small)
        reset_button = widgets.Button(description="Reset", tooltip="new initial weights, epoch 0", layout=small)
        regen_button = widgets.Button(description="New data", tooltip="regenerate the data (next seed)",
                                      layout=small)
        step_button.on_click(self._guard(lambda _: self.step(), "Step"))
        reset_button.on_click(self._guard(lambda _: self.reset(), "Reset"))
        regen_button.on_click(self._guard(lambda _: self.regenerate(), "New data"))
        button = widgets.Layout(width="32px", padding="0px")
        add_layer = widgets.Button(description="+", tooltip="add a hidden layer (2 neurons)", layout=button)
        remove_layer = widgets.Button(description="-", tooltip="remove the last hidden layer", layout=button)
        add_layer.on_click(self._guard(lambda _: self._change_layers(+1), "adding a layer"))
        remove_layer.on_click(self._guard(lambda _: self._change_layers(-1), "removing a layer"))
        self.buttons = {"step": step_button, "reset": reset_button, "regenerate": regen_button,
                        "add_layer": add_layer, "remove_layer": remove_layer}
        self.layers_label = widgets.HTML()
        self.neuron_buttons: list[tuple[widgets.Button, widgets.Button]] = []
        self.layer_row = widgets.HBox(layout=widgets.Layout(width="auto", overflow="visible"))
        test_box = widgets.Checkbox(value=False, description="Show test data", indent=False,
                                    layout=widgets.Layout(width="auto"))
        discrete_box = widgets.Checkbox(value=False, description="Discretise output", indent=False,
                                        layout=widgets.Layout(width="auto"))
        _tip(test_box, "also draw the test points (black edge)")
        _tip(discrete_box, "show only the sign of the output (and of every neuron): the decision regions")
        test_box.observe(self._guard(self._on_view, "changing the view"), names="value")
        discrete_box.observe(self._guard(self._on_view, "changing the view"), names="value")
        self.view_boxes = {"show_test": test_box, "discretize": discrete_box}

        self.views = {"output": widgets.HTML(), "network": widgets.HTML(layout=widgets.Layout(overflow="visible"))}
        self.images = {"loss": widgets.Image(format="png", layout=widgets.Layout(width="300px", height="90px"))}
        self.status = widgets.HTML(layout=widgets.Layout(width="auto"))
        self.message = widgets.HTML(layout=widgets.Layout(width="auto"))

        def heading(text: str) -> widgets.HTML:
            """A bold section heading that does not wrap."""
            return widgets.HTML(f"<b style='white-space:nowrap'>{text}</b>")

        wrap = dict(flex_flow="row wrap", align_items="center", width="auto")
        data_box = widgets.HBox([w["dataset"], w["noise"], w["train_fraction"], w["batch_size"],
                                 w["checkerboard_cells"], w["seed"]], layout=widgets.Layout(**wrap))
        layer_controls = widgets.HBox([remove_layer, add_layer, self.layers_label, w["hidden_layers"]],
                                      layout=widgets.Layout(**wrap))
        caption = widgets.HTML(
            "<small style='white-space:nowrap'>left: input features (buttons switch them on and off); "
            "columns: hidden layers, output.</small><br><small style='white-space:nowrap'>Each map: a neuron's "
            "output over x1, x2 in [&minus;6, 6], blue&nbsp;&minus;1, white&nbsp;0, orange&nbsp;+1.</small><br>"
            "<small style='white-space:nowrap'>Links: orange w&nbsp;&gt;&nbsp;0, blue w&nbsp;&lt;&nbsp;0, "
            "thicker for larger |w|; hover for values.</small>")
        network_box = widgets.VBox([
            heading("Network"), layer_controls, self.layer_row,
            widgets.HBox([widgets.VBox(list(self.feature_boxes.values()),
                                       layout=widgets.Layout(width="auto", margin="0px")),
                          self.views["network"]], layout=widgets.Layout(width="auto", overflow="visible")),
            caption], layout=widgets.Layout(width="auto", margin="0px 8px 0px 0px", overflow="visible"))
        output_box = widgets.VBox([heading("Output"), self.views["output"], widgets.HBox([test_box, discrete_box]),
                                   heading("Loss (test black, training grey)"), self.images["loss"]],
                                  layout=widgets.Layout(width="auto"))
        top = widgets.HBox([self.play_widget, step_button, reset_button, regen_button, w["speed"], self.status],
                           layout=widgets.Layout(**wrap))
        training = widgets.HBox([w["learning_rate"], w["activation"], w["regularization"],
                                 w["regularization_rate"], w["optimizer"], w["dropout"]],
                                layout=widgets.Layout(**wrap))
        self.root = widgets.VBox([top, self.message, heading("Data"), data_box, heading("Training"), training,
                                  widgets.HBox([network_box, output_box],
                                               layout=widgets.Layout(flex_flow="row wrap", width="auto",
                                                                     align_items="flex-start"))],
                                 layout=widgets.Layout(width="auto", max_width="100%"))
        self._update_layer_controls()

    # ---- hidden layers: +/- buttons ------------------------------------------------------------------
    def _change_layers(self, delta: int) -> None:
        """Add a hidden layer of 2 neurons at the end (delta +1) or remove the last one (delta -1)."""
        layers = list(self.config.hidden_layers)
        if delta > 0 and len(layers) < MAX_LAYERS:
            layers.append(2)
        elif delta < 0 and layers:
            layers.pop()
        self.set(hidden_layers=tuple(layers))

    def _change_neurons(self, layer: int, delta: int) -> None:
        """One neuron more or fewer in hidden layer `layer` (0-based), between 1 and the maximum."""
        layers = list(self.config.hidden_layers)
        layers[layer] = min(max(layers[layer] + delta, 1), MAX_NEURONS)
        self.set(hidden_layers=tuple(layers))

    def _update_layer_controls(self) -> None:
        """One +/- pair per hidden layer, above its column of the diagram; labels and limits up to date."""
        layers = self.config.hidden_layers
        self.layers_label.value = (f"<span style='white-space:nowrap'>{len(layers)} hidden "
                                   f"layer{'' if len(layers) == 1 else 's'}</span>")
        self.buttons["add_layer"].disabled = len(layers) >= MAX_LAYERS
        self.buttons["remove_layer"].disabled = not layers
        pitch = column_pitch(len(layers))
        if len(self.neuron_buttons) != len(layers) or getattr(self, "_pitch", None) != pitch:
            self._pitch = pitch
            self.neuron_buttons, columns = [], []
            button = widgets.Layout(width="26px", padding="0px", margin="1px")
            for index in range(len(layers)):
                plus = widgets.Button(description="+", tooltip=f"one more neuron in hidden layer {index + 1}",
                                      layout=button)
                minus = widgets.Button(description="-", tooltip=f"one neuron fewer in hidden layer {index + 1}",
                                       layout=button)
                plus.on_click(self._guard(lambda _, i=index: self._change_neurons(i, +1), "adding a neuron"))
                minus.on_click(self._guard(lambda _, i=index: self._change_neurons(i, -1), "removing a neuron"))
                self.neuron_buttons.append((plus, minus))
                columns.append(widgets.VBox([widgets.HBox([minus, plus]), widgets.HTML()],
                                            layout=widgets.Layout(width=f"{pitch}px", align_items="center",
                                                                  margin="0px")))
            spacer = widgets.HTML(layout=widgets.Layout(width=f"{68 + LABEL_WIDTH + TILE // 2 + pitch // 2}px",
                                                        margin="0px"))
            self.layer_row.children = [spacer] + columns
        for index, (plus, minus) in enumerate(self.neuron_buttons):
            plus.disabled = layers[index] >= MAX_NEURONS
            minus.disabled = layers[index] <= 1
            self.layer_row.children[index + 1].children[1].value = (
                f"<small style='white-space:nowrap'>{layers[index]} neuron{'s' if layers[index] > 1 else ''}</small>")

    # ---- errors --------------------------------------------------------------------------------------
    def _guard(self, callback, action: str, clears: bool = True):
        """Wrap a widget callback: an exception shows as one sentence in the message line and stops playing.

        A callback that `clears` empties the message line first (a new action by the learner); ticks do not.
        """
        def guarded(*args):
            """Run the callback; turn an exception into the message line instead of a silent freeze."""
            if clears:
                self.message.value = ""
            try:
                callback(*args)
            except ValueError as error:  # a bad setting: its message is the sentence
                self._show_error(str(error))
            except Exception as error:  # noqa: BLE001 - any error must reach the learner, not only the log
                first_line = (str(error).strip().splitlines() or [""])[0]
                self._show_error(f"{action[0].upper() + action[1:]} failed: {type(error).__name__}"
                                 f"{': ' + first_line if first_line else ''}. Training is paused; change a "
                                 "setting or press Reset to go on.")
                self.pause()
        return guarded

    def _show_error(self, sentence: str) -> None:
        """Show one sentence in the message line, in the warning colour."""
        self.message.value = f"<span style='color:#D55E00'>{escape(sentence)}</span>"

    def pause(self) -> None:
        """Stop the Play widget (ipywidgets 8: `playing`, 7.7: `_playing`)."""
        for name in ("playing", "_playing"):
            if self.play_widget.has_trait(name):
                setattr(self.play_widget, name, False)

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
        """A setting changed: rebuild the playground from the controls."""
        if self._syncing:
            return
        config = self._config_from_controls()  # a ValueError here becomes the message line (see _guard)
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
        self._update_layer_controls()
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
        """Show test data or discretise output was toggled: redraw."""
        self.show_test = self.view_boxes["show_test"].value
        self.discretize = self.view_boxes["discretize"].value
        self.redraw()
