"""Notebook start-up: seeds, quiet TensorFlow, plot style, versions report."""

from __future__ import annotations

import importlib.metadata
import logging
import os
import platform
import re
import sys
import warnings

DEFAULT_SEED = 42

# The oldest versions the notebooks are written for (Keras 3 API throughout).
MINIMUM_VERSIONS = {
    "numpy": "1.26",
    "tensorflow": "2.16",
    "keras": "3.3",
    "matplotlib": "3.8",
}
MINIMUM_PYTHON = (3, 10)


def version_tuple(version: str) -> tuple[int, ...]:
    """Turn '2.16.1' or '2.21.0rc1' into (2, 16, 1) / (2, 21, 0) for comparisons."""
    numbers = []
    for part in version.split(".")[:3]:
        match = re.match(r"\d+", part)
        if match is None:
            break
        numbers.append(int(match.group()))
    return tuple(numbers)


def installed_version(package: str) -> str | None:
    """The installed version of a distribution, or None when it is missing."""
    names = [package, f"{package}-cpu"] if package == "tensorflow" else [package]
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def version_problems(minimum: dict[str, str] | None = None,
                     python: tuple[int, int] = MINIMUM_PYTHON) -> list[str]:
    """One sentence for every package that is missing or older than the course needs."""
    minimum = MINIMUM_VERSIONS if minimum is None else minimum
    problems = []
    if sys.version_info[:2] < python:
        problems.append(f"Python {platform.python_version()} is older than "
                        f"{python[0]}.{python[1]}, the oldest this course supports.")
    for package, oldest in minimum.items():
        found = installed_version(package)
        if found is None:
            problems.append(f"{package} is not installed (the course needs {oldest} or newer).")
        elif version_tuple(found) < version_tuple(oldest):
            problems.append(f"{package} {found} is older than {oldest}, the oldest this course supports.")
    return problems


def _quiet_tensorflow() -> None:
    """Silence TensorFlow's Python-side warnings (its C++ log level is set when utils is imported)."""
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="keras.src.backend.tensorflow")
    warnings.filterwarnings("ignore", message=".*np.object.*")


def running_in_colab() -> bool:
    """True inside a Google Colab runtime."""
    return "google.colab" in sys.modules


def device_summary() -> str:
    """'CPU only (2 cores)' or the GPUs TensorFlow can see."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return f"GPU: {len(gpus)} device(s)"
    return f"CPU only ({os.cpu_count()} cores)"


def environment_report(seed: int | None = None) -> str:
    """A one-line summary of the software and hardware this notebook runs on."""
    parts = [f"Python {platform.python_version()}"]
    for label, package in (("TensorFlow", "tensorflow"), ("Keras", "keras"), ("NumPy", "numpy")):
        parts.append(f"{label} {installed_version(package) or 'missing'}")
    parts.append(device_summary())
    parts.append("Colab" if running_in_colab() else "local")
    if seed is not None:
        parts.append(f"seed {seed}")
    return " | ".join(parts)


def setup(seed: int = DEFAULT_SEED, report: bool = True) -> None:
    """Seed everything, quiet TensorFlow, set the plot style and print the environment."""
    problems = version_problems()
    if problems:
        print("⚠️  Some packages are older than this course expects:")
        for problem in problems:
            print(f"   - {problem}")
        print("   Locally: run `pip install -r requirements.txt` in the course folder. "
              "In Colab: use a fresh runtime (Runtime > Disconnect and delete runtime).")
    import keras

    _quiet_tensorflow()  # after the import: importing TensorFlow resets its logger's level
    keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow in one call
    from utils import plots

    plots.apply_style()
    if report:
        print(environment_report(seed))
