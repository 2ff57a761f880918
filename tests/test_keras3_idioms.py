"""Guard: no Keras 2 idioms in the notebooks' code or in utils (Keras 3 removed or renamed them).

Colab and the newest releases both run Keras 3, where these fail or warn:
``lr=`` (now ``learning_rate=``), ``input_dim=`` / ``input_shape=`` on a layer
(now ``keras.Input(shape=...)`` first), ``.hdf5`` files (now ``.keras`` or
``.weights.h5``), ``fit_generator`` & co. (``fit`` takes generators), and the
Keras 2 package ``tf_keras``. Markdown cells are prose and may warn about them.
"""

from __future__ import annotations

import ast
import re

import pytest

from tests.code_sources import code_pieces, python_only

KEYWORDS = {  # keyword arguments Keras 3 does not take
    "lr": "learning_rate=",
    "input_dim": "keras.Input(shape=...) as the first layer",
    "input_shape": "keras.Input(shape=...) as the first layer",
    "nb_epoch": "epochs=",
}
ATTRIBUTES = {"lr": "optimizer.learning_rate"}  # e.g. model.optimizer.lr
PATTERNS = {  # anywhere in the code (comments and strings too)
    r"\.hdf5\b": ".keras (whole model) or .weights.h5 (weights only)",
    r"\b(?:fit|predict|evaluate)_generator\b": "fit / predict / evaluate, which take generators and tf.data",
    r"\bpredict_classes\b": "np.argmax(model.predict(x, verbose=0), axis=-1)",
    r"\btf_keras\b": "import keras (Keras 3)",
    r"\bTF_USE_LEGACY_KERAS\b": "import keras (Keras 3)",
    r"\boptimizers\.legacy\b": "keras.optimizers.SGD, Adam, ...",
}


def keras2_idioms(source: str) -> list[str]:
    """'line N: `idiom` -> use ...' for every Keras 2 idiom in a piece of Python code."""
    found = []
    for pattern, instead in PATTERNS.items():
        for match in re.finditer(pattern, source):
            found.append((source.count("\n", 0, match.start()) + 1, match.group(), instead))
    try:
        tree = ast.parse(python_only(source))
    except SyntaxError:  # not plain Python: fall back to the text, keyword style `name=` after ( or ,
        for match in re.finditer(rf"[(,]\s*({'|'.join(KEYWORDS)})\s*=(?!=)", source):
            found.append((source.count("\n", 0, match.start(1)) + 1, f"{match.group(1)}=", KEYWORDS[match.group(1)]))
    else:
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg in KEYWORDS:
                found.append((node.value.lineno, f"{node.arg}=", KEYWORDS[node.arg]))
            elif isinstance(node, ast.Attribute) and node.attr in ATTRIBUTES:
                found.append((node.lineno, f".{node.attr}", ATTRIBUTES[node.attr]))
    return [f"line {line}: `{idiom}` -> use {instead}" for line, idiom, instead in sorted(found)]


def test_no_keras2_idioms_in_notebooks_or_utils():
    pieces = code_pieces()
    assert any(where.startswith("solutions/") for where, _ in pieces) and any(w.startswith("utils/") for w, _ in pieces)
    problems = [f"{where}, {idiom}" for where, source in pieces for idiom in keras2_idioms(source)]
    assert not problems, "Keras 2 idioms (Keras 3 removed them):\n" + "\n".join(problems)


@pytest.mark.parametrize("snippet, idiom", [
    ("optimizer = keras.optimizers.SGD(lr=0.1)", "`lr=`"),
    ("model.compile(optimizer=keras.optimizers.Adam(\n    lr = 1e-3), loss='mse')", "`lr=`"),
    ("print(model.optimizer.lr)", "`.lr`"),
    ("layer = keras.layers.Dense(4, input_dim=2)", "`input_dim=`"),
    ("keras.Sequential([keras.layers.Dense(4, input_shape=(2,))])", "`input_shape=`"),
    ("model.fit(x, y, nb_epoch=10)", "`nb_epoch=`"),
    ("model.save('model.hdf5')", "`.hdf5`"),
    ("model.fit_generator(batches, epochs=3)", "`fit_generator`"),
    ("model.predict_generator(batches)", "`predict_generator`"),
    ("labels = model.predict_classes(x)", "`predict_classes`"),
    ("import tf_keras as keras", "`tf_keras`"),
    ("os.environ['TF_USE_LEGACY_KERAS'] = '1'", "`TF_USE_LEGACY_KERAS`"),
    ("opt = keras.optimizers.legacy.SGD()", "`optimizers.legacy`"),
    ("%matplotlib inline\nmodel = build(lr=0.5)", "`lr=`"),  # a magic line does not hide the rest
    ("!ls\nmodel.fit(x, y, lr=0.5", "`lr=`"),  # not even a syntax error does
])
def test_the_guard_finds_keras2_idioms(snippet, idiom):
    found = keras2_idioms(snippet)
    assert len(found) == 1 and idiom in found[0], found


@pytest.mark.parametrize("snippet", [
    "optimizer = keras.optimizers.SGD(learning_rate=0.1)",
    "clr=0.1\nmy_lr=2\nf(clr=1, base_lr=2)",
    "lr = optimizer.learning_rate  # a local name is fine\ntheta -= lr * grad",
    "inputs = keras.Input(shape=(2,))\ninput_dim = 2\nf(n_input_dims=3)",
    "model.save('model.keras')\nmodel.save_weights('xor.weights.h5')\nhdf5_path = 'x'",
    "model.fit(dataset, epochs=3)\nmy_fit_generator_demo = None",
    "import keras\nkeras.utils.set_random_seed(42)",
    "lr_schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.9)",
])
def test_the_guard_leaves_keras3_code_alone(snippet):
    assert keras2_idioms(snippet) == []
