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

# The oldest versions the notebooks are written for (Keras 3 API throughout;
# ipywidgets: only the API that 7.7, Colab's version, shares with 8.x). The
# same lower bounds as requirements.txt (a test keeps them equal); the newest
# releases and Colab's versions are tested in CI (see README).
MINIMUM_VERSIONS = {
    "numpy": "1.26",
    "tensorflow": "2.16",
    "keras": "3.3",
    "matplotlib": "3.8",
    "scikit-learn": "1.4",
    "ipywidgets": "7.7",
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
                     python: tuple[int, int] = MINIMUM_PYTHON,
                     installed: dict[str, str | None] | None = None,
                     python_version: str | None = None) -> list[str]:
    """One sentence for every package that is missing or older than the course needs.

    ``installed`` (package -> version, None for missing) and ``python_version``
    describe another environment, e.g. Colab's; by default this one.
    """
    minimum = MINIMUM_VERSIONS if minimum is None else minimum
    python_version = platform.python_version() if python_version is None else python_version
    problems = []
    if version_tuple(python_version)[:2] < python:
        problems.append(f"Python {python_version} is older than "
                        f"{python[0]}.{python[1]}, the oldest this course supports.")
    for package, oldest in minimum.items():
        found = installed.get(package) if installed is not None else installed_version(package)
        if found is None:
            problems.append(f"{package} is not installed (the course needs {oldest} or newer).")
        elif version_tuple(found) < version_tuple(oldest):
            problems.append(f"{package} {found} is older than {oldest}, the oldest this course supports.")
    return problems


def version_advice(problems: list[str], in_colab: bool) -> str:
    """The setup cell's warning: what is too old and what to do about it, here (Colab or local)."""
    if in_colab:
        todo = ("In Colab, do not pip-install TensorFlow, Keras or NumPy yourself (Colab's own versions work and "
                "a reinstall forces a restart): start a fresh runtime (Runtime > Disconnect and delete runtime) "
                "and run this cell again.")
    else:
        todo = ("On your own machine, run `pip install -r requirements.txt` in the course folder (in its virtual "
                "environment), then restart the kernel and run this cell again.")
    lines = ["⚠️  Some packages are older than this course supports:"]
    lines += [f"   - {problem}" for problem in problems]
    lines.append(f"   {todo}")
    return "\n".join(lines)


_warned_at_import = False


def warn_about_versions(at_import: bool = False) -> list[str]:
    """Print what is too old and what to do about it; return the problems.

    The setup cell gets this twice: when it imports ``utils`` (before any other
    helper module, whose import an old package could break) and in ``setup()``,
    which stays quiet right after the import warned but repeats the warning on a
    re-run of the cell (when the import is cached).
    """
    global _warned_at_import
    if not at_import and _warned_at_import:
        _warned_at_import = False
        return []
    problems = version_problems()
    if problems:
        print(version_advice(problems, running_in_colab()))
    _warned_at_import = at_import and bool(problems)
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


def make_deterministic(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's kernels give the same result on every run.

    The seed alone is not enough: multi-threaded CPU kernels may add partial sums
    in a different order from run to run, so printed numbers would change in the
    last digits. Op determinism picks one order.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow in one call
    tf.config.experimental.enable_op_determinism()


def setup(seed: int = DEFAULT_SEED, report: bool = True) -> None:
    """Seed everything, make TensorFlow deterministic, quiet it, set the plot style and print the environment."""
    warn_about_versions()
    import keras  # noqa: F401  (imports TensorFlow, whose import resets its logger's level)

    _quiet_tensorflow()
    make_deterministic(seed)
    from utils import plots

    plots.apply_style()
    if report:
        print(environment_report(seed))
