"""Self-checks of the exercises, one function per exercise, grouped by notebook.

Use them as one line under an exercise: ``check.mse_gradient(mse_gradient)``.
Each prints ✅ (correct), ❌ with a diagnosis, or ⏳ (not done yet).
"""

from utils.check.core import CheckFailed, Status, Verdict, strict_mode
from utils.check.nb00_start_here import mean_squared_error, predict_linear
from utils.check.nb01_gradient_descent import (
    gradient_descent,
    learning_rates,
    linear_model_gradient,
    minibatch_sgd,
    mse_gradient,
    mse_loss,
    predict,
)
from utils.check.nb02_xor import best_linear_fit, build_xor_model, collapse_linear_layers, hidden_layer, xor_weights

__all__ = [
    "CheckFailed", "Status", "Verdict", "strict_mode",
    "mean_squared_error", "predict_linear",
    "predict", "mse_loss", "mse_gradient", "gradient_descent", "learning_rates",
    "linear_model_gradient", "minibatch_sgd",
    "best_linear_fit", "collapse_linear_layers", "xor_weights", "hidden_layer", "build_xor_model",
]
