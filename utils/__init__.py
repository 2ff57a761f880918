"""Shared helpers of the deep-learning course: setup, data, plots, self-checks.

Importing this package sets TensorFlow's quiet start-up variables before
anything can import TensorFlow, so ``from utils import setup`` in the setup
cell keeps the log clean.
"""

import os

# Must happen before TensorFlow is imported anywhere in the process.
# Hide C++ log lines up to ERROR: with op determinism on (see setup()), TensorFlow
# logs a harmless "NodeDef mentions attribute use_unbounded_threadpool" error each
# time Keras builds an input pipeline. Real failures still raise in Python.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # oneDNN reorders sums: results would vary
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from utils.environment import environment_report, setup, warn_about_versions  # noqa: E402

warn_about_versions(at_import=True)  # says what is too old before another import can fail on it

__all__ = ["environment_report", "setup"]
