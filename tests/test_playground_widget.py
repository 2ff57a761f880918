"""The playground widget builds, steps and reacts to its controls without a browser (ipywidgets 7.7 and 8.x)."""

import re

import numpy as np
import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from utils.playground import PlaygroundConfig, PlaygroundWidget  # noqa: E402
from utils.playground.render import css_color, loss_image, points_overlay  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_widget_builds_steps_and_plays():
    widget = PlaygroundWidget(PlaygroundConfig(seed=1), epochs_per_frame=5, interval_ms=60_000)  # no frame capping
    assert isinstance(widget.root, ipywidgets.VBox)
    assert widget.epoch == 0 and bytes(widget.images["loss"].value).startswith(PNG_SIGNATURE)
    assert "<svg" in widget.views["output"].value and "<svg" in widget.views["network"].value
    first_picture = widget.views["output"].value
    widget.step()
    assert widget.epoch == 1
    widget.play(3)
    assert widget.epoch == 16 and "Epoch 16" in widget.status.value and "test accuracy" in widget.status.value
    assert widget.views["output"].value != first_picture
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


def test_play_widget_has_a_tooltip_and_no_repeat_button():
    widget = PlaygroundWidget()
    play = widget.play_widget
    assert getattr(play, "tooltip", None) or getattr(play, "description_tooltip", None)
    assert play.show_repeat is False


def test_every_control_has_a_tooltip():
    widget = PlaygroundWidget()
    controls = [*widget.controls.values(), *widget.feature_boxes.values(), *widget.view_boxes.values(),
                *widget.buttons.values(), widget.play_widget, *[b for pair in widget.neuron_buttons for b in pair]]
    assert len(widget.neuron_buttons) == 2  # one +/- pair per hidden layer of the default [4, 2]
    for control in controls:
        text = getattr(control, "tooltip", None) or getattr(control, "description_tooltip", None)
        assert text and len(text) > 5, f"{type(control).__name__} {control.description!r} has no tooltip"


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
    overlay = points_overlay(widget.playground)
    assert overlay.shape == (300, 300, 4) and 0 < np.mean(overlay[..., 3] > 0) < 0.5  # points on a clear layer
    output = widget.views["output"].value
    for label in ("x1", "x2", "−1", "+1", ">-6<", ">6<", "pg-legend"):  # axes with ticks and a colour legend
        assert label in output
    assert loss_image(widget.playground.history).shape == (90, 300, 3)
    assert (css_color(-1.0), css_color(0.0), css_color(1.0)) == ("#0072b2", "#fefefe", "#e69f00")  # blue, white, orange


def _links(html: str) -> list[tuple[str, float, str, float]]:
    """(title, weight from the title, stroke colour, stroke width) of every link in the diagram."""
    pattern = (r"<g class='w'><title>([^<]*): (-?[0-9.]+)</title><path class='pg-link' d='[^']*' fill='none' "
               r"stroke='(#[0-9a-f]{6})' stroke-opacity='[0-9.]+' stroke-width='([0-9.]+)'/>")
    return [(title, float(w), colour, float(width)) for title, w, colour, width in re.findall(pattern, html)]


def test_diagram_draws_one_link_per_weight_coloured_by_sign_with_its_value():
    widget = PlaygroundWidget(PlaygroundConfig(features=("x1", "x2", "sin(x1)"), hidden_layers=(4, 3)))
    widget.play(2)
    html = widget.views["network"].value
    links = _links(html)
    weights = widget.playground.weights()
    assert len(links) == html.count("class='pg-link'") == sum(W.size for W, _ in weights) == 3 * 4 + 4 * 3 + 3
    values = np.concatenate([W.ravel() for W, _ in weights])  # the diagram walks sources, then targets: row-major
    np.testing.assert_allclose([w for _, w, _, _ in links], values, atol=6e-4)
    colours = {colour for _, w, colour, _ in links if w >= 0}, {colour for _, w, colour, _ in links if w < 0}
    assert len(colours[0]) == 1 and len(colours[1]) == 1 and colours[0] != colours[1]
    biggest = max(links, key=lambda link: abs(link[1]))
    smallest = min(links, key=lambda link: abs(link[1]))
    assert biggest[3] > smallest[3]  # thicker for larger |w|
    assert links[0][0] == "weight X1 → layer 1 neuron 1" and links[-1][0] == "weight layer 2 neuron 3 → output"
    for label in ("X1", "X2", "X1²", "X2²", "X1·X2", "sin X1", "sin X2"):  # all seven inputs, labelled
        assert f">{label}</text>" in html
    assert html.count("class='pg-node off'") == 4  # the four unused features are faded
    assert html.count("class='pg-node") == 7 + 4 + 3 + 1  # inputs, hidden neurons, output: each a small map
    assert html.count("tabindex='0'") == 15 and ".pg-node:hover,.pgw-net .pg-node:focus{" in html  # large on hover/click
    assert html.count("title='layer 2 neuron 3, bias ") == 1 and html.count("title='input X1'") == 1
    before = html
    widget.play(3)  # the links follow training
    assert _links(widget.views["network"].value) != _links(before)


def test_plus_minus_buttons_change_layers_and_neurons():
    widget = PlaygroundWidget()
    widget.step()
    widget.buttons["add_layer"].click()
    assert widget.config.hidden_layers == (4, 2, 2) and widget.epoch == 0
    assert widget.controls["hidden_layers"].value == "4, 2, 2" and len(widget.neuron_buttons) == 3
    plus, minus = widget.neuron_buttons[0]
    plus.click()
    assert widget.config.hidden_layers == (5, 2, 2)
    widget.neuron_buttons[2][1].click()
    assert widget.config.hidden_layers == (5, 2, 1) and widget.neuron_buttons[2][1].disabled  # 1 is the minimum
    widget.neuron_buttons[2][1].click()
    assert widget.config.hidden_layers == (5, 2, 1)
    for _ in range(3):
        widget.buttons["remove_layer"].click()
    assert widget.config.hidden_layers == () and widget.buttons["remove_layer"].disabled
    assert widget.neuron_buttons == [] and len(_links(widget.views["network"].value)) == 2  # inputs -> output
    widget.controls["hidden_layers"].value = "3, 3"  # the text field still works and rebuilds the buttons
    assert len(widget.neuron_buttons) == 2


def test_an_error_in_a_callback_shows_one_sentence_and_the_widget_goes_on(monkeypatch):
    widget = PlaygroundWidget()

    def broken(epochs=1):
        raise FloatingPointError("overflow in the weights\nsecond line")

    monkeypatch.setattr(widget.playground, "train", broken)
    widget.buttons["step"].click()  # no exception escapes to the front end's log
    message = widget.message.value
    assert "Step failed: FloatingPointError: overflow in the weights." in message and "second line" not in message
    widget.play_widget.value = 1  # a tick fails the same way and pauses playing
    assert "A training frame failed" in widget.message.value
    monkeypatch.undo()
    widget.buttons["step"].click()  # not frozen: the next action works and clears the line
    assert widget.epoch == 1 and widget.message.value == ""


def test_wide_layers_keep_positive_tiles_inside_the_diagram():
    widget = PlaygroundWidget(PlaygroundConfig(hidden_layers=(64,)))
    html = widget.views["network"].value
    assert len(_links(html)) == 2 * 64 + 64
    height = float(re.search(r"class='pgw-net' style='width:[0-9.]+px;height:([0-9.]+)px'", html).group(1))
    sizes = [float(size) for size in re.findall(r"width:(-?[0-9.]+)px;height:-?[0-9.]+px;transform", html)]
    tops = [float(top) for top in re.findall(r"top:(-?[0-9.]+)px;width", html)]
    assert min(sizes) > 3 and max(t + s for t, s in zip(tops, sizes)) <= height
