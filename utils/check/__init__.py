"""Self-checks of the exercises, one function per exercise, grouped by notebook.

Use them as one line under an exercise: ``check.mse_gradient(mse_gradient)``.
Each prints ✅ (correct), ❌ with a diagnosis, or ⏳ (not done yet).

The checks live in one module per notebook (``nb03_activations.py``, ...);
every check defined there with :func:`~utils.check.core.exercise_check` is
collected here, so a new notebook only adds its module.
"""

import importlib
import pkgutil

from utils.check.core import CheckFailed, Status, Verdict, strict_mode

__all__ = ["CheckFailed", "Status", "Verdict", "strict_mode"]


def _collect_checks() -> None:
    """Import every ``nbNN_*`` module and re-export its checks, refusing duplicate names."""
    owners: dict[str, str] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if not module_info.name.startswith("nb"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or not hasattr(value, "evaluate") or value.__module__ != module.__name__:
                continue
            if name in owners:
                raise ImportError(f"two checks are called {name!r}: in {owners[name]} and {module.__name__}")
            owners[name] = module.__name__
            globals()[name] = value
            __all__.append(name)


_collect_checks()
