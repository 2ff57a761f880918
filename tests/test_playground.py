"""The playground engine: configuration errors, the original's training rule, the lecture's claims, export."""

import json

import numpy as np
import pytest

from utils.playground import LEARNING_RATES, PlaygroundConfig, feature_matrix, train
from utils.playground.engine import Playground

# ---- configuration ---------------------------------------------------------------------------------------

BAD_CONFIGS = [
    ({"dataset": "donut"}, "dataset", "circle"),
    ({"features": ("x1", "x3")}, "features", "sin(x1)"),
    ({"features": ()}, "features", "x1*x2"),
    ({"learning_rate": -0.1}, "learning_rate", "0.03"),
    ({"regularization_rate": -1.0}, "regularization_rate", "0.003"),
    ({"hidden_layers": (4, 0)}, "hidden_layers", "1 to"),
    ({"activation": "softplus"}, "activation", "relu"),
    ({"regularization": "l3"}, "regularization", "l1"),
    ({"noise": 50}, "noise", "0.5"),
    ({"train_fraction": 0.95}, "train_fraction", "0.9"),
    ({"batch_size": 0}, "batch_size", "1"),
    ({"optimizer": "rmsprop"}, "optimizer", "adam"),
    ({"problem": "regression"}, "dataset", "plane"),
    ({"learning_rate": 0.05, "parity": True}, "learning_rate", "0.03"),
    ({"optimizer": "adam", "parity": True}, "optimizer", "sgd"),
]


@pytest.mark.parametrize("changes, field, allowed", BAD_CONFIGS)
def test_bad_configuration_names_field_and_allowed_values(changes, field, allowed):
    with pytest.raises(ValueError, match=f"PlaygroundConfig.{field} must be") as error:
        PlaygroundConfig(**changes)
    assert allowed in str(error.value)


def test_defaults_are_the_original_start_page():
    config = PlaygroundConfig()
    assert (config.dataset, config.noise, config.train_fraction, config.batch_size) == ("circle", 0.0, 0.5, 10)
    assert config.features == ("x1", "x2") and config.hidden_layers == (4, 2)
    assert (config.activation, config.learning_rate, config.regularization) == ("tanh", 0.03, None)
    assert config.problem == "classification" and config.on_original_page()
    assert not config.replace(optimizer="adam").on_original_page()
    assert 0.03 in LEARNING_RATES


def test_config_json_round_trip(tmp_path):
    config = PlaygroundConfig(dataset="spiral", features=("x1", "sin(x2)"), hidden_layers=(8, 3), noise=0.25,
                              regularization="l2", regularization_rate=0.003, optimizer="adam", seed=7)
    assert PlaygroundConfig.from_json(config.to_json()) == config
    assert PlaygroundConfig.load(config.save(tmp_path / "config.json")) == config
    with pytest.raises(ValueError, match="no field"):
        PlaygroundConfig.from_dict({**config.to_dict(), "colour": "red"})


def test_features_are_the_originals():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    names = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    expected = np.column_stack([X[:, 0], X[:, 1], X[:, 0] ** 2, X[:, 1] ** 2, X[:, 0] * X[:, 1],
                                np.sin(X[:, 0]), np.sin(X[:, 1])])
    np.testing.assert_allclose(feature_matrix(X, names), expected)


# ---- the original's training rule --------------------------------------------------------------------------

def _reference_epochs(weights, biases, F, y, batch_size, lr, regularization, rate, epochs, output="tanh"):
    """nn.ts, one point at a time: accumulate derivatives, update every batch_size points, L1 clips at zero."""
    weights = [W.copy() for W in weights]
    biases = [b.copy() for b in biases]
    acc_w = [np.zeros_like(W) for W in weights]
    acc_b = [np.zeros_like(b) for b in biases]
    count = 0
    dead = [np.zeros(W.shape, bool) for W in weights]
    for _ in range(epochs):
        for i, (x, target) in enumerate(zip(F, y)):
            outs = [x]
            for layer, (W, b) in enumerate(zip(weights, biases)):
                z = outs[-1] @ W + b
                outs.append(np.tanh(z) if layer < len(weights) - 1 or output == "tanh" else z)
            delta = outs[-1] - target
            for layer in range(len(weights) - 1, -1, -1):
                is_linear = layer == len(weights) - 1 and output == "linear"
                delta = delta * (1.0 if is_linear else 1 - outs[layer + 1] ** 2)
                acc_w[layer] += np.outer(outs[layer], delta)
                acc_b[layer] += delta
                delta = weights[layer] @ delta
            count += 1
            if (i + 1) % batch_size == 0:
                for layer, W in enumerate(weights):
                    biases[layer] -= lr * acc_b[layer] / count
                    for j, k in np.ndindex(W.shape):
                        if dead[layer][j, k]:
                            continue
                        w = W[j, k]
                        der = {"l1": -1.0 if w < 0 else 1.0, "l2": w, None: 0.0}[regularization]
                        w = w - lr / count * acc_w[layer][j, k]
                        new = w - lr * rate * der
                        if regularization == "l1" and w * new < 0:
                            new, dead[layer][j, k] = 0.0, True
                        W[j, k] = new
                    acc_w[layer][:] = 0
                    acc_b[layer][:] = 0
                count = 0
    return weights, biases


@pytest.mark.parametrize("regularization, rate, batch_size", [(None, 0.0, 7), ("l1", 0.03, 4), ("l2", 0.3, 10)])
def test_training_step_is_the_originals(regularization, rate, batch_size):
    """Batches that do not divide the data (leftovers carried over), L1 clipping and L2 decay, as in nn.ts."""
    config = PlaygroundConfig(dataset="gauss", train_fraction=0.1, hidden_layers=(3, 2), batch_size=batch_size,
                              regularization=regularization, regularization_rate=rate, learning_rate=0.1, seed=3)
    playground = Playground(config)
    start = playground.weights()
    playground.train(3)
    expected_w, expected_b = _reference_epochs([W for W, _ in start], [b for _, b in start], playground.F_train,
                                               playground.y_train, batch_size, 0.1, regularization, rate, 3)
    for (W, b), W_ref, b_ref in zip(playground.weights(), expected_w, expected_b):
        np.testing.assert_allclose(W, W_ref, atol=1e-12)
        np.testing.assert_allclose(b, b_ref, atol=1e-12)


def test_initialisation_and_loss_are_the_originals():
    playground = Playground(PlaygroundConfig(hidden_layers=(8, 8, 8)))
    weights = np.concatenate([W.ravel() for W, _ in playground.weights()])
    assert np.abs(weights).max() <= 0.5 and weights.std() > 0.2
    assert all(np.all(b == 0.1) for _, b in playground.weights())
    output = playground.net.predict(playground.F_train)
    assert playground.losses()[0] == pytest.approx(0.5 * np.mean((output - playground.y_train) ** 2))


def test_regression_output_is_linear():
    result = train(dataset="multi_gauss", hidden_layers=(), features=("x1",), epochs=0)
    W, b = result.playground.weights()[0]
    X = result.data["X_test"][:5]
    np.testing.assert_allclose(result.playground.predict(X), X[:, :1] @ W[:, 0] + b[0])
    assert result.test_accuracy is None


# ---- the lecture's claims --------------------------------------------------------------------------------

def test_xor_is_solved_by_x1_times_x2_without_hidden_layer():
    result = train(dataset="xor", features=("x1*x2",), hidden_layers=(), epochs=30)
    assert result.test_accuracy > 0.95


def test_xor_is_not_solved_by_x1_x2_without_hidden_layer():
    result = train(dataset="xor", features=("x1", "x2"), hidden_layers=(), epochs=100)
    assert result.test_accuracy < 0.8


def test_relu_network_solves_the_checkerboard():
    result = train(dataset="xor", activation="relu", hidden_layers=(4,), epochs=200)
    assert result.test_accuracy > 0.95
    board = train(dataset="checkerboard", checkerboard_cells=4, activation="relu", hidden_layers=(8, 8),
                  features=("x1", "x2", "sin(x1)", "sin(x2)"), optimizer="adam", learning_rate=0.01, epochs=150)
    assert board.test_accuracy > 0.85


def test_l1_leaves_more_near_zero_weights_than_l2():
    base = {"dataset": "circle", "hidden_layers": (8, 8), "epochs": 150, "regularization_rate": 0.01,
            "features": ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")}
    near_zero = {}
    for kind in ("l1", "l2"):
        weights = np.concatenate([W.ravel() for W, _ in train(regularization=kind, **base).playground.weights()])
        near_zero[kind] = np.mean(np.abs(weights) < 1e-3)
    assert near_zero["l1"] > near_zero["l2"] + 0.2


def test_optimisers_dropout_and_elastic_net_train():
    for changes in ({"optimizer": "adam", "learning_rate": 0.01}, {"optimizer": "momentum", "learning_rate": 0.01},
                    {"dropout": 0.2, "hidden_layers": (8, 8)},
                    {"regularization": "elastic_net", "regularization_rate": 0.001}):
        result = train(epochs=60, **changes)
        assert result.test_accuracy > 0.9, changes
        assert result.history["test_loss"][-1] < result.history["test_loss"][0]


# ---- reproducibility and export --------------------------------------------------------------------------

def test_same_seed_same_result_other_seed_other_result():
    config = PlaygroundConfig(dataset="spiral", noise=0.2, shuffle=True, dropout=0.1, epochs=20, seed=11)
    first, second, other = train(config), train(config), train(config.replace(seed=12))
    np.testing.assert_array_equal(first.history["test_loss"], second.history["test_loss"])
    np.testing.assert_array_equal(first.data["X_train"], second.data["X_train"])
    assert not np.array_equal(first.history["test_loss"], other.history["test_loss"])
    assert len(first.history["epoch"]) == 21 and first.history["epoch"][-1] == 20


def test_learning_rate_changes_while_training():
    playground = Playground(PlaygroundConfig())
    playground.train(5)
    playground.set_learning_rate(0.3)
    playground.train(5)
    assert playground.epoch == 10 and playground.config.learning_rate == 0.3


def predictions_in_a_fresh_interpreter(directory, X) -> np.ndarray:
    """Load model.keras with utils.playground.load_model in a new Python process (nothing registered yet)."""
    import subprocess
    import sys
    from pathlib import Path

    np.save(directory / "inputs.npy", X)
    code = ("import numpy as np; from utils.playground import load_model; "
            f"model = load_model({str(directory / 'model.keras')!r}); "
            f"np.save({str(directory / 'outputs.npy')!r}, model.predict(np.load({str(directory / 'inputs.npy')!r}), "
            "verbose=0)[:, 0])")
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, check=True,
                   capture_output=True)
    return np.load(directory / "outputs.npy")


def test_keras_model_predicts_what_the_playground_shows_and_round_trips(tmp_path):
    import keras

    result = train(dataset="circle", features=("x1", "x2", "x1^2", "sin(x2)"), hidden_layers=(5, 3),
                   regularization="l2", regularization_rate=0.001, dropout=0.1, epochs=20)
    X = result.data["X_test"]
    expected = result.playground.predict(X)
    model = result.model
    assert isinstance(model, keras.Model)
    np.testing.assert_allclose(model.predict(X, verbose=0)[:, 0], expected, atol=1e-5)
    directory = result.save(tmp_path / "run")
    np.testing.assert_allclose(predictions_in_a_fresh_interpreter(directory, X), expected, atol=1e-5)
    assert PlaygroundConfig.load(directory / "config.json") == result.config
    with np.load(directory / "data.npz") as data:
        np.testing.assert_array_equal(data["X_test"], X)
        assert data["y_train"].shape == (250,)
    history = json.loads((directory / "history.json").read_text())
    assert history["test_loss"] == pytest.approx(list(result.history["test_loss"]))


def test_benchmark_command_prints_epochs_per_second_last():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, "-m", "utils.playground", "--benchmark", "--seconds", "0.2"], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert last.endswith(" epochs/s") and float(last.split()[0]) > 0
