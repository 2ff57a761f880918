"""Same numbers on every run: a solution notebook executed twice, in fresh kernels, prints the same text.

The Keras seed alone is not enough for this (TensorFlow's multi-threaded CPU
kernels may sum in another order on each run); ``setup()`` also switches on op
determinism. Notebook 04 is the one whose printed numbers changed between runs
before that, and it trains Keras models in several ways (fit, GradientTape).
"""

import copy
import os
import subprocess
import sys

import nbformat
import pytest

from utils.build import ROOT, merge_streams

REPRODUCED = ["04_initialization"]


def printed_text(notebook: nbformat.NotebookNode) -> list[str]:
    """What each code cell printed (stdout and stderr), one string per cell."""
    return ["".join(output.get("text", "") for output in cell.get("outputs", []) if output.output_type == "stream")
            for cell in merge_streams(notebook).cells if cell.cell_type == "code"]


def executed(path) -> nbformat.NotebookNode:
    """A fresh copy of the notebook, run top to bottom in a new kernel."""
    from nbclient import NotebookClient

    notebook = copy.deepcopy(nbformat.read(path, as_version=4))
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


@pytest.mark.parametrize("name", REPRODUCED)
def test_two_runs_print_the_same_numbers(name):
    path = ROOT / "solutions" / f"{name}.ipynb"
    first, second = printed_text(executed(path)), printed_text(executed(path))
    differing = [number for number, (a, b) in enumerate(zip(first, second)) if a != b]
    assert not differing, "code cells " + ", ".join(
        f"{number}: {first[number]!r} then {second[number]!r}" for number in differing[:3])


def test_deterministic_training_prints_no_log_lines(tmp_path):
    """Op determinism makes TensorFlow log a harmless C++ error per input pipeline; learners must not see it."""
    script = tmp_path / "fit.py"
    script.write_text("import numpy as np\nfrom utils import setup\nsetup(report=False)\nimport keras\n"
                      "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
                      "model.compile(optimizer='adam', loss='mse')\n"
                      "model.fit(np.ones((10, 3)), np.ones((10, 2)), epochs=2, verbose=0)\nprint('trained')\n")
    environment = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    environment["PYTHONPATH"] = str(ROOT)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=environment, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "trained\n" and run.stderr == "", run.stderr
