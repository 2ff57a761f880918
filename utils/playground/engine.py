"""The playground's training engine: an exact NumPy mirror of a small Keras MLP.

Why NumPy: the networks are tiny (a few dozen weights) and the original takes
a gradient step every 10 points, so one epoch of the default is 25 steps. A
Keras ``fit`` costs ~25 ms per call here; this engine does an SGD step in tens
of microseconds. The Keras model is built from the same architecture and gets
the trained weights written into it (:meth:`Playground.to_keras`), so the
exported ``keras.Model`` predicts what the playground shows.

Training rule in the default (parity) setting, as in the original's nn.ts:
weights uniform in [-0.5, 0.5], biases 0.1; hidden activation as chosen, output
tanh (classification) or linear (regression); error 1/2 (output - target)^2;
the gradient is summed over a batch of ``batch_size`` points in the fixed
order of the training set and the step is ``learning_rate * mean``; points
left over at the end of an epoch are carried into the first batch of the next
one; after the gradient step each weight (not the biases) takes a separate
regularisation step ``w -= learning_rate * rate * dR/dw`` with dR/dw evaluated
before the gradient step (L1: sign(w) with sign(0) = +1; L2: w, i.e.
R = w^2 / 2), and under L1 a weight pushed across zero by that step is set to 0
and frozen. The reported loss is the mean of 1/2 (output - target)^2.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from utils.datasets import PLAYGROUND_RADIUS, make_playground, split_playground
from utils.playground.config import FEATURE_NAMES, PlaygroundConfig

FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
"""The seven input features of the original, computed from the raw coordinates (no scaling)."""

FEATURE_LABELS = {"x1": "$X_1$", "x2": "$X_2$", "x1^2": "$X_1^2$", "x2^2": "$X_2^2$", "x1*x2": "$X_1X_2$",
                  "sin(x1)": r"$\sin X_1$", "sin(x2)": r"$\sin X_2$"}
assert tuple(FEATURES) == FEATURE_NAMES


def feature_matrix(X: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """The chosen features of points X (n, 2) as columns, in the order given."""
    X = np.asarray(X, dtype=float)
    return np.column_stack([FEATURES[name](X[:, 0], X[:, 1]) for name in features])


def _activate(name: str, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Apply an activation to z (overwritten) and return the result, written into `out` if given."""
    out = z if out is None else out
    if name == "tanh":
        return np.tanh(z, out=out)
    if name == "relu":
        return np.maximum(z, 0.0, out=out)
    if name == "sigmoid":
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1.0
        return np.reciprocal(z, out=out)
    if out is not z:
        np.copyto(out, z)
    return out


def _derivative(name: str, a: np.ndarray):
    """d activation / d input, written in terms of the output a (None means 1)."""
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return a > 0  # the original: der(0) = 0
    if name == "sigmoid":
        return a * (1.0 - a)
    return None


def with_ones(X: np.ndarray) -> np.ndarray:
    """X with a column of ones appended (the bias input)."""
    return np.column_stack([X, np.ones(len(X))])


class Network:
    """A fully connected net whose parameters live in one flat vector.

    Layer l is a block of shape (inputs + 1, outputs) in that vector: the
    weights W, then the bias b as the last row. Training feeds every layer its
    inputs with a column of ones appended, so one matrix product gives the
    pre-activations and one gives the gradients of W and b together.
    """

    def __init__(self, sizes: list[int], activation: str, output_activation: str) -> None:
        self.sizes = sizes
        self.activations = [activation] * (len(sizes) - 2) + [output_activation]
        self.theta = np.zeros(sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])))
        self.grad = np.zeros_like(self.theta)
        self.is_weight = np.zeros_like(self.theta)  # 1 for connection weights (regularised), 0 for biases
        self.blocks, self.grad_blocks, self.W, self.b, self.WT = [], [], [], [], []
        at = 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            size = (n_in + 1) * n_out
            block = self.theta[at:at + size].reshape(n_in + 1, n_out)
            self.blocks.append(block)
            self.grad_blocks.append(self.grad[at:at + size].reshape(n_in + 1, n_out))
            self.W.append(block[:-1])
            self.b.append(block[-1])
            self.WT.append(block[:-1].T)
            self.is_weight[at:at + n_in * n_out] = 1.0
            at += size
        self._buffers: dict[int, list[np.ndarray]] = {}

    def _layer_buffers(self, batch: int) -> list[np.ndarray]:
        """Reusable arrays (batch, neurons + 1) for the hidden layers' outputs, the last column all ones."""
        if batch not in self._buffers:
            self._buffers[batch] = [np.ones((batch, n + 1)) for n in self.sizes[1:-1]]
        return self._buffers[batch]

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Outputs of every layer for inputs X, the inputs first and the network output last."""
        outputs = [X]
        a = X
        for W, b, name in zip(self.W, self.b, self.activations):
            z = np.dot(a, W)
            z += b
            a = _activate(name, z)
            outputs.append(a)
        return outputs

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Network output (n,) for feature rows X."""
        return self.forward(X)[-1][:, 0]

    def gradient(self, X1: np.ndarray, y: np.ndarray, dropout: float = 0.0,
                 rng: np.random.Generator | None = None) -> None:
        """Fill self.grad with the gradient of sum 1/2 (output - y)^2 over a batch.

        X1: the batch's features with a column of ones appended; y: targets (n, 1).
        """
        buffers = self._layer_buffers(len(X1))
        inputs, outputs, masks = [X1], [], []
        last = len(self.blocks) - 1
        for index, (block, name) in enumerate(zip(self.blocks, self.activations)):
            z = np.dot(inputs[-1], block)  # np.dot has less overhead than @ on tiny arrays
            if index == last:
                outputs.append(_activate(name, z))
                break
            buffer = buffers[index]
            a = _activate(name, z, out=buffer[:, :-1])
            if dropout:  # inverted dropout on hidden outputs, training only
                outputs.append(a.copy())
                mask = (rng.random(a.shape) >= dropout) / (1.0 - dropout)
                masks.append(mask)
                a *= mask
            else:
                outputs.append(a)
            inputs.append(buffer)
        delta = outputs[-1] - y
        for index in range(last, -1, -1):
            if masks and index < last:
                delta *= masks[index]
            derivative = _derivative(self.activations[index], outputs[index])
            if derivative is not None:
                delta *= derivative
            np.dot(inputs[index].T, delta, out=self.grad_blocks[index])
            if index:
                delta = np.dot(delta, self.WT[index])


class Playground:
    """One playground session: data, network, optimiser state, epoch counter and loss history."""

    def __init__(self, config: PlaygroundConfig | None = None, **changes) -> None:
        config = PlaygroundConfig() if config is None else config
        self.config = config.replace(**changes) if changes else config
        self.restarts = 0  # how often reset(new_weights=True) drew other initial weights for this seed
        self.reset_data()

    # ---- set-up --------------------------------------------------------------------------------------
    def reset_data(self) -> None:
        """Generate the data from the config's seed, split it, and reset the network."""
        c = self.config
        options = {"cells": c.checkerboard_cells} if c.dataset == "checkerboard" else {}
        X, y = make_playground(c.dataset, n=c.n_samples, noise=c.noise, seed=c.seed, **options)
        self.X_train, self.y_train, self.X_test, self.y_test = split_playground(X, y, c.train_fraction)
        self.reset()

    def reset(self, new_weights: bool = False) -> None:
        """Initial weights from the seed (the next set if new_weights), epoch 0, empty history; data stay."""
        c = self.config
        self.restarts += bool(new_weights)
        self.F_train = feature_matrix(self.X_train, c.features)
        self.F_test = feature_matrix(self.X_test, c.features)
        self.F1_train = with_ones(self.F_train)
        sizes = [len(c.features), *c.hidden_layers, 1]
        output = "tanh" if c.problem == "classification" else "linear"
        self.net = Network(sizes, c.activation, output)
        init_rng = np.random.default_rng([c.seed, 1, self.restarts])
        for W, b in zip(self.net.W, self.net.b):
            if c.init == "playground":
                W[...] = init_rng.uniform(-0.5, 0.5, W.shape)
                b[...] = 0.1
            else:  # Keras's default: Glorot uniform weights, zero biases
                limit = np.sqrt(6.0 / (W.shape[0] + W.shape[1]))
                W[...] = init_rng.uniform(-limit, limit, W.shape)
                b[...] = 0.0
        self.dead = np.zeros(self.net.theta.shape, dtype=bool)  # L1: weights pushed across zero stay 0
        self.any_dead = False
        self.moment1 = np.zeros_like(self.net.theta)
        self.moment2 = np.zeros_like(self.net.theta)
        self.steps = 0
        self.epoch = 0
        self.carry = np.zeros(0, dtype=int)  # indices of points whose gradient waits for the next batch
        self.shuffle_rng = np.random.default_rng([c.seed, 2])
        self.dropout_rng = np.random.default_rng([c.seed, 3])
        self._keras_model = None
        self._keras_version = -1
        self.version = 0  # counts weight updates, so the Keras copy is refreshed only when needed
        train_loss, test_loss = self.losses()
        self.history = {"epoch": [0], "train_loss": [train_loss], "test_loss": [test_loss]}

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate while training (the original allows this too)."""
        self.config = self.config.replace(learning_rate=learning_rate)

    def set_regularization_rate(self, rate: float) -> None:
        """Change the regularisation rate without resetting the weights."""
        self.config = self.config.replace(regularization_rate=rate)

    # ---- training ------------------------------------------------------------------------------------
    def _batches(self) -> list:
        """This epoch's batches (slices, or index arrays when shuffled or carrying points over).

        As in the original, a short last batch is not applied at the end of the
        epoch: its points join the first batch of the next epoch.
        """
        c = self.config
        n = len(self.F_train)
        size = c.batch_size
        full = n - n % size
        if c.shuffle:
            order = self.shuffle_rng.permutation(n)
            batches = [order[start:start + size] for start in range(0, full, size)]
            leftover = order[full:]
        else:
            batches = [slice(start, start + size) for start in range(0, full, size)]
            leftover = np.arange(full, n)
        if len(self.carry):
            if batches:
                first = batches[0]
                first = np.arange(first.start, first.stop) if isinstance(first, slice) else first
                batches[0] = np.concatenate([self.carry, first])
            else:
                leftover = np.concatenate([self.carry, leftover])
        self.carry = leftover
        return batches

    def _update(self, batch_size: int) -> None:
        """One optimiser step from self.net.grad (a sum over batch_size points), then regularisation."""
        c = self.config
        net = self.net
        theta, grad = net.theta, net.grad
        lr = c.learning_rate
        regularized = c.regularization is not None and c.regularization_rate > 0
        if regularized:  # dR/dw at the weights before this step, as in the original; 0 for biases
            if c.regularization == "l2":
                penalty = theta * net.is_weight
            else:
                penalty = np.where(theta < 0, -1.0, 1.0) * net.is_weight  # L1: sign(w), sign(0) = +1
                if c.regularization == "elastic_net":  # |w| + w^2 / 2
                    penalty += theta * net.is_weight
        if c.optimizer == "sgd":
            theta -= (lr / batch_size) * grad
        else:
            grad *= 1.0 / batch_size
            self.steps += 1
            if c.optimizer == "momentum":
                self.moment1 *= 0.9
                self.moment1 += grad
                theta -= lr * self.moment1
            else:  # Adam with Keras's defaults
                b1, b2, eps = 0.9, 0.999, 1e-7
                self.moment1 *= b1
                self.moment1 += (1 - b1) * grad
                self.moment2 *= b2
                self.moment2 += (1 - b2) * grad * grad
                step = lr * np.sqrt(1 - b2 ** self.steps) / (1 - b1 ** self.steps)
                theta -= step * self.moment1 / (np.sqrt(self.moment2) + eps)
        if regularized:
            before = theta.copy() if c.regularization != "l2" else None
            theta -= (lr * c.regularization_rate) * penalty
            if before is not None:
                crossed = before * theta < 0
                if crossed.any():
                    self.dead |= crossed
                    self.any_dead = True
        if self.any_dead:
            theta[self.dead] = 0.0
        self.version += 1

    def train(self, epochs: int = 1) -> None:
        """Train for some epochs, appending the losses after each epoch to the history."""
        c = self.config
        F, y = self.F1_train, self.y_train[:, None]
        dropout, rng = c.dropout, self.dropout_rng
        for _ in range(int(epochs)):
            for index in self._batches():
                yb = y[index]
                self.net.gradient(F[index], yb, dropout, rng)
                self._update(len(yb))
            self.epoch += 1
            train_loss, test_loss = self.losses()
            self.history["epoch"].append(self.epoch)
            self.history["train_loss"].append(train_loss)
            self.history["test_loss"].append(test_loss)

    # ---- evaluation ----------------------------------------------------------------------------------
    def predict(self, X: np.ndarray) -> np.ndarray:
        """Network output for raw points X (n, 2)."""
        return self.net.predict(feature_matrix(X, self.config.features))

    def losses(self) -> tuple[float, float]:
        """Mean 1/2 (output - target)^2 on the training and the test points."""
        train = self.net.predict(self.F_train) - self.y_train
        test = self.net.predict(self.F_test) - self.y_test
        return 0.5 * float(np.mean(train * train)), 0.5 * float(np.mean(test * test))

    def accuracy(self, which: str = "test") -> float | None:
        """Share of points whose output has the label's sign (classification only)."""
        if self.config.problem != "classification":
            return None
        F, y = (self.F_test, self.y_test) if which == "test" else (self.F_train, self.y_train)
        return float(np.mean(np.sign(self.net.predict(F)) == y))

    def grid(self, resolution: int = 50) -> tuple[np.ndarray, np.ndarray]:
        """Raw points of a resolution x resolution grid over [-6, 6]^2 (row 0 at the top) and the axis."""
        axis = np.linspace(-PLAYGROUND_RADIUS, PLAYGROUND_RADIUS, resolution)
        g1, g2 = np.meshgrid(axis, axis[::-1])
        return np.column_stack([g1.ravel(), g2.ravel()]), axis

    def output_map(self, resolution: int = 50) -> np.ndarray:
        """The network output on the grid as an image (resolution, resolution), top row x2 = +6."""
        points, _ = self.grid(resolution)
        return self.predict(points).reshape(resolution, resolution)

    def neuron_maps(self, resolution: int = 20) -> list[np.ndarray]:
        """For each hidden layer, the outputs of its neurons on the grid: array (neurons, res, res)."""
        points, _ = self.grid(resolution)
        outputs = self.net.forward(feature_matrix(points, self.config.features))
        return [layer.T.reshape(-1, resolution, resolution) for layer in outputs[1:-1]]

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of (W, b) for every layer, W of shape (inputs, outputs)."""
        return [(W.copy(), b.copy()) for W, b in zip(self.net.W, self.net.b)]

    # ---- export --------------------------------------------------------------------------------------
    def to_keras(self):
        """The keras.Model of this architecture holding the current weights (rebuilt only when needed)."""
        from utils.playground.keras_model import build_keras_model

        if self._keras_model is None:
            self._keras_model = build_keras_model(self.config)
        if self._keras_version != self.version:
            dense = [layer for layer in self._keras_model.layers if layer.__class__.__name__ == "Dense"]
            for layer, (W, b) in zip(dense, self.weights()):
                layer.set_weights([W.astype("float32"), b.astype("float32")])
            self._keras_version = self.version
        return self._keras_model

    def data(self) -> dict[str, np.ndarray]:
        """The raw data as arrays: X_train, y_train, X_test, y_test."""
        return {"X_train": self.X_train, "y_train": self.y_train, "X_test": self.X_test, "y_test": self.y_test}


@dataclass
class TrainResult:
    """What train() returns: final losses, accuracy, history, the session and its Keras model."""

    config: PlaygroundConfig
    train_loss: float
    test_loss: float
    train_accuracy: float | None
    test_accuracy: float | None
    history: dict[str, np.ndarray]
    playground: Playground

    @property
    def model(self):
        """The trained keras.Model (raw points (n, 2) in, network output (n, 1) out)."""
        return self.playground.to_keras()

    @property
    def data(self) -> dict[str, np.ndarray]:
        """X_train, y_train, X_test, y_test."""
        return self.playground.data()

    def save(self, directory: str | Path) -> Path:
        """Write model.keras, config.json, data.npz and history.json into a directory.

        Read the model back with ``utils.playground.load_model(directory / "model.keras")`` (its first
        layer is the playground's own ``PlaygroundFeatures`` layer, which that function registers).
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.model.save(directory / "model.keras")
        self.config.save(directory / "config.json")
        np.savez(directory / "data.npz", **self.data)
        history = {key: np.asarray(value).tolist() for key, value in self.history.items()}
        (directory / "history.json").write_text(json.dumps(history) + "\n", encoding="utf-8")
        return directory

    def summary(self) -> str:
        """One line: epochs, losses and (for classification) test accuracy."""
        text = f"epoch {self.playground.epoch}: training loss {self.train_loss:.3f}, test loss {self.test_loss:.3f}"
        if self.test_accuracy is not None:
            text += f", test accuracy {self.test_accuracy:.0%}"
        return text


def result_of(playground: Playground) -> TrainResult:
    """Freeze a session's current state into a TrainResult."""
    train_loss, test_loss = playground.losses()
    history = {key: np.asarray(value) for key, value in playground.history.items()}
    return TrainResult(playground.config, train_loss, test_loss, playground.accuracy("train"),
                       playground.accuracy("test"), history, playground)


def train(config: PlaygroundConfig | None = None, **changes) -> TrainResult:
    """Generate the data, build the network and train it for config.epochs epochs.

    ``train(PlaygroundConfig(dataset="xor", features=("x1*x2",), hidden_layers=()))``
    or, equivalently, ``train(dataset="xor", ...)``.
    """
    playground = Playground(config, **changes)
    playground.train(playground.config.epochs)
    return result_of(playground)


def config_fields() -> list[str]:
    """Names of the settings a PlaygroundConfig takes."""
    return [f.name for f in dataclasses.fields(PlaygroundConfig)]
