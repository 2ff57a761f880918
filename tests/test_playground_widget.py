"""The playground widget builds, steps and reacts to its controls without a browser (ipywidgets 7.7 and 8.x)."""

import numpy as np
import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from utils.playground import PlaygroundConfig, PlaygroundWidget  # noqa: E402
from utils.playground.render import loss_image, neuron_image, output_image  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_widget_builds_steps_and_plays():
    widget = PlaygroundWidget(PlaygroundConfig(seed=1), epochs_per_frame=5, interval_ms=60_000)  # no frame capping
    assert isinstance(widget.root, ipywidgets.VBox)
    assert widget.epoch == 0 and all(bytes(image.value).startswith(PNG_SIGNATURE) for image in widget.images.values())
    first_picture = widget.images["output"].value
    widget.step()
    assert widget.epoch == 1
    widget.play(3)
    assert widget.epoch == 16 and "Epoch 16" in widget.status.value and "test accuracy" in widget.status.value
    assert bytes(widget.images["output"].value) != bytes(first_picture)
    widget.buttons["step"].click()
    assert widget.epoch == 17
    before = widget.playground.weights()[0][0]
    widget.buttons["reset"].click()  # a restart: epoch 0 and new initial weights, as on the web page
    assert widget.epoch == 0 and not np.array_equal(before, widget.playground.weights()[0][0])
    assert "restart 1" in widget.status.value


def test_play_widget_ticks_train_and_redraw():
    widget = PlaygroundWidget(epochs_per_frame=2, interval_ms=60_000)
    widget.play_widget.value = 1  # what a tick from the front end does
    assert widget.epoch == 2
    widget.play_widget.value = 0  # rewinding the Play widget trains nothing
    assert widget.epoch == 2
    widget.play_widget.value = 2  # a tick right after a frame is one that queued up behind it: skipped
    assert widget.epoch == 2


def test_slow_networks_train_fewer_epochs_per_frame():
    widget = PlaygroundWidget(epochs_per_frame=50, interval_ms=100)
    widget._epoch_seconds = 0.03  # as if one epoch took 30 ms: only 2 fit into 60 % of a 100 ms frame
    widget.play(1)
    assert widget.epoch == 2


def test_controls_change_data_network_and_learning_rate():
    widget = PlaygroundWidget()
    widget.step()
    widget.controls["dataset"].value = "xor"
    assert widget.config.dataset == "xor" and widget.epoch == 0
    widget.feature_boxes["x1*x2"].value = True
    assert widget.config.features == ("x1", "x2", "x1*x2")
    widget.controls["hidden_layers"].value = "3"
    assert widget.config.hidden_layers == (3,) and widget.playground.net.sizes == [3, 3, 1]
    widget.step()
    widget.controls["learning_rate"].value = 0.1  # changes live, like the original: no reset
    assert widget.epoch == 1 and widget.config.learning_rate == 0.1
    widget.controls["regularization"].value = "l1"
    assert widget.config.regularization == "l1" and widget.epoch == 0
    widget.controls["regularization"].value = "none"
    assert widget.config.regularization is None
    widget.controls["noise"].value = 25
    assert widget.config.noise == 0.25
    widget.controls["dataset"].value = "plane"
    assert widget.config.problem == "regression" and len(widget.playground.X_train) == 600
    assert "accuracy" not in widget.status.value


def test_bad_input_shows_a_message_and_keeps_the_network():
    widget = PlaygroundWidget()
    widget.controls["hidden_layers"].value = "4, x"
    assert "hidden layers" in widget.message.value and widget.config.hidden_layers == (4, 2)
    widget.controls["hidden_layers"].value = "4, 2"
    assert widget.message.value == ""
    for box in widget.feature_boxes.values():
        box.value = False
    assert "features" in widget.message.value and widget.config.features == ("x2",)
    widget.feature_boxes["x1"].value = True
    assert widget.message.value == "" and widget.config.features == ("x1",)


def test_set_updates_controls_and_regenerate_changes_the_data():
    widget = PlaygroundWidget()
    widget.set(dataset="spiral", hidden_layers=(8, 8), learning_rate=0.05, features=("x1", "sin(x1)"))
    assert widget.controls["hidden_layers"].value == "8, 8" and widget.controls["learning_rate"].value == 0.05
    assert widget.feature_boxes["sin(x1)"].value and not widget.feature_boxes["x2"].value
    before = widget.playground.X_train.copy()
    widget.regenerate()
    assert widget.config.seed == 1 and not np.array_equal(before, widget.playground.X_train)
    widget.view_boxes["show_test"].value = True
    widget.view_boxes["discretize"].value = True
    assert widget.show_test and widget.discretize


def test_pictures_have_the_expected_sizes():
    widget = PlaygroundWidget(PlaygroundConfig(hidden_layers=(8, 3)))
    assert output_image(widget.playground).shape == (300, 300, 3)
    mosaic = neuron_image(widget.playground)
    assert mosaic.shape[0] > 8 * 40 and mosaic.shape[2] == 3  # the tallest column has 8 neurons
    assert loss_image(widget.playground.history).shape == (90, 300, 3)
