"""The playground's settings as one validated, JSON-serialisable dataclass.

The defaults are the original's start page (playground.tensorflow.org): circle,
no noise, 50 % training data, batch 10, inputs X1 and X2, hidden layers [4, 2],
tanh, learning rate 0.03, no regularisation, plain SGD.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from utils.datasets import PLAYGROUND_DATASETS

# The menus of the original web page (src/state.ts and index.html).
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
ORIGINAL_DATASETS = ("circle", "xor", "gauss", "spiral", "plane", "multi_gauss")
ORIGINAL_MAX_LAYERS = 6
ORIGINAL_MAX_NEURONS = 8
ORIGINAL_MAX_BATCH = 30

FEATURE_NAMES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = (None, "l1", "l2", "elastic_net")
OPTIMIZERS = ("sgd", "momentum", "adam")
INITIALIZATIONS = ("playground", "glorot")
PROBLEMS = ("classification", "regression")
MAX_LAYERS = 10
MAX_NEURONS = 64


def _fail(name: str, allowed: str, value) -> None:
    """Raise the one ValueError format used for every bad setting."""
    raise ValueError(f"PlaygroundConfig.{name} must be {allowed}, not {value!r}")


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything that defines a playground run; invalid values raise one ValueError naming the field.

    Fractions are fractions (noise=0.5 is the original's 50 %). `parity=True`
    additionally insists on settings that exist on the original web page.
    """

    dataset: str = "circle"
    noise: float = 0.0
    train_fraction: float = 0.5
    batch_size: int = 10
    features: tuple[str, ...] = ("x1", "x2")
    hidden_layers: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    learning_rate: float = 0.03
    regularization: str | None = None
    regularization_rate: float = 0.0
    problem: str | None = None
    optimizer: str = "sgd"
    dropout: float = 0.0
    init: str = "playground"
    shuffle: bool = False
    checkerboard_cells: int = 4
    epochs: int = 100
    seed: int = 0
    parity: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features) if not isinstance(self.features, str)
                           else (self.features,))
        object.__setattr__(self, "hidden_layers", tuple(self.hidden_layers))
        if self.problem is None and self.dataset in PLAYGROUND_DATASETS:
            object.__setattr__(self, "problem", PLAYGROUND_DATASETS[self.dataset][0])
        validate(self)

    @property
    def n_samples(self) -> int:
        """500 points for classification, 1200 for regression, as in the original."""
        return 500 if self.problem == "classification" else 1200

    def replace(self, **changes) -> PlaygroundConfig:
        """A copy with some fields changed (validated again); a new data set brings its own problem type."""
        if "dataset" in changes and "problem" not in changes:
            changes["problem"] = None
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain dictionary of all settings (JSON-ready)."""
        data = dataclasses.asdict(self)
        data["features"] = list(self.features)
        data["hidden_layers"] = list(self.hidden_layers)
        return data

    def to_json(self) -> str:
        """The settings as a JSON string."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> PlaygroundConfig:
        """Settings from a dictionary; unknown keys raise a ValueError naming them."""
        known = {f.name for f in dataclasses.fields(cls) if f.init}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"PlaygroundConfig has no field(s) {unknown}; the fields are {sorted(known)}")
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> PlaygroundConfig:
        """Settings from a JSON string written by to_json."""
        return cls.from_dict(json.loads(text))

    def save(self, path: str | Path) -> Path:
        """Write the settings to a JSON file and return its path."""
        path = Path(path)
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> PlaygroundConfig:
        """Read settings saved with save()."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def on_original_page(self) -> bool:
        """True when every setting can be made on playground.tensorflow.org as well."""
        try:
            _check_parity(self)
        except ValueError:
            return False
        return True


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def validate(config: PlaygroundConfig) -> None:
    """Raise ValueError naming the first bad field and its allowed values."""
    if config.dataset not in PLAYGROUND_DATASETS:
        _fail("dataset", f"one of {sorted(PLAYGROUND_DATASETS)}", config.dataset)
    if config.problem not in PROBLEMS:
        _fail("problem", f"one of {list(PROBLEMS)} or None (taken from the data set)", config.problem)
    if PLAYGROUND_DATASETS[config.dataset][0] != config.problem:
        matching = sorted(name for name, (kind, _) in PLAYGROUND_DATASETS.items() if kind == config.problem)
        _fail("dataset", f"a {config.problem} data set, one of {matching}", config.dataset)
    if not _is_number(config.noise) or not 0 <= config.noise <= 0.5:
        _fail("noise", "a fraction from 0 to 0.5 (0.5 = 50 %)", config.noise)
    if not _is_number(config.train_fraction) or not 0.1 <= config.train_fraction <= 0.9:
        _fail("train_fraction", "a fraction from 0.1 to 0.9 (0.5 = 50 %)", config.train_fraction)
    if not isinstance(config.batch_size, int) or isinstance(config.batch_size, bool) or config.batch_size < 1:
        _fail("batch_size", "a whole number >= 1 (the original offers 1 to 30)", config.batch_size)
    if not config.features:
        _fail("features", f"at least one of {list(FEATURE_NAMES)}", config.features)
    for name in config.features:
        if name not in FEATURE_NAMES:
            _fail("features", f"a selection of {list(FEATURE_NAMES)}", config.features)
    if len(set(config.features)) != len(config.features):
        _fail("features", f"a selection of {list(FEATURE_NAMES)} without repeats", config.features)
    if len(config.hidden_layers) > MAX_LAYERS:
        _fail("hidden_layers", f"at most {MAX_LAYERS} layers (the original allows 6)", config.hidden_layers)
    for width in config.hidden_layers:
        if not isinstance(width, int) or isinstance(width, bool) or not 1 <= width <= MAX_NEURONS:
            _fail("hidden_layers", f"a tuple of neuron counts from 1 to {MAX_NEURONS} (the original: 1 to 8)",
                  config.hidden_layers)
    if config.activation not in ACTIVATIONS:
        _fail("activation", f"one of {list(ACTIVATIONS)}", config.activation)
    if not _is_number(config.learning_rate) or config.learning_rate <= 0:
        _fail("learning_rate", f"a positive number (the original offers {list(LEARNING_RATES)})",
              config.learning_rate)
    if config.regularization not in REGULARIZATIONS:
        _fail("regularization", f"one of {list(REGULARIZATIONS)}", config.regularization)
    if not _is_number(config.regularization_rate) or config.regularization_rate < 0:
        _fail("regularization_rate", f"a number >= 0 (the original offers {list(REGULARIZATION_RATES)})",
              config.regularization_rate)
    if config.optimizer not in OPTIMIZERS:
        _fail("optimizer", f"one of {list(OPTIMIZERS)}", config.optimizer)
    if not _is_number(config.dropout) or not 0 <= config.dropout < 1:
        _fail("dropout", "a fraction from 0 up to (not including) 1", config.dropout)
    if config.init not in INITIALIZATIONS:
        _fail("init", f"one of {list(INITIALIZATIONS)}", config.init)
    if not isinstance(config.checkerboard_cells, int) or not 2 <= config.checkerboard_cells <= 20:
        _fail("checkerboard_cells", "a whole number from 2 to 20", config.checkerboard_cells)
    if not isinstance(config.epochs, int) or isinstance(config.epochs, bool) or config.epochs < 0:
        _fail("epochs", "a whole number >= 0", config.epochs)
    if not isinstance(config.seed, int) or isinstance(config.seed, bool) or config.seed < 0:
        _fail("seed", "a whole number >= 0", config.seed)
    if config.parity:
        _check_parity(config)


def _check_parity(config: PlaygroundConfig) -> None:
    """Raise ValueError when a setting does not exist on the original page."""
    if config.dataset not in ORIGINAL_DATASETS:
        _fail("dataset", f"one of the original's {list(ORIGINAL_DATASETS)} when parity=True", config.dataset)
    if round(config.noise * 100) != config.noise * 100 or round(config.noise * 100) % 5:
        _fail("noise", "a multiple of 0.05 when parity=True", config.noise)
    if config.batch_size > ORIGINAL_MAX_BATCH:
        _fail("batch_size", f"from 1 to {ORIGINAL_MAX_BATCH} when parity=True", config.batch_size)
    if len(config.hidden_layers) > ORIGINAL_MAX_LAYERS or max(config.hidden_layers, default=1) > ORIGINAL_MAX_NEURONS:
        _fail("hidden_layers", f"up to {ORIGINAL_MAX_LAYERS} layers of 1 to {ORIGINAL_MAX_NEURONS} neurons "
              "when parity=True", config.hidden_layers)
    if config.learning_rate not in LEARNING_RATES:
        _fail("learning_rate", f"one of {list(LEARNING_RATES)} when parity=True", config.learning_rate)
    if config.regularization == "elastic_net":
        _fail("regularization", "None, 'l1' or 'l2' when parity=True", config.regularization)
    if config.regularization_rate not in REGULARIZATION_RATES:
        _fail("regularization_rate", f"one of {list(REGULARIZATION_RATES)} when parity=True",
              config.regularization_rate)
    for name, value, original in (("optimizer", config.optimizer, "sgd"), ("dropout", config.dropout, 0.0),
                                  ("init", config.init, "playground"), ("shuffle", config.shuffle, False)):
        if value != original:
            _fail(name, f"{original!r} when parity=True (the original has no other)", value)
