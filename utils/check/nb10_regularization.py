"""Checks of notebook 10 (regularisation): weight penalties, weight decay, sparsity, dropout, validation loss."""

from __future__ import annotations

import numpy as np

from utils.check.core import (
    Mistake,
    as_array,
    as_tuple,
    call,
    compare,
    exercise_check,
    expect_function,
)
from utils.check.keras_models import blocks, built_model, weight_blocks


def _random_weights(rng: np.random.Generator) -> np.ndarray:
    """A weight matrix without exact zeros (where |w| has no derivative)."""
    w = rng.normal(size=(4, 3))
    return np.where(np.abs(w) < 1e-3, 0.5, w)


def _keras_penalty(w: np.ndarray, l1: float, l2: float) -> tuple[float, np.ndarray]:
    """Value and gradient of keras.regularizers.L1L2(l1, l2) at w (float64 through TensorFlow)."""
    import keras
    import tensorflow as tf

    variable = tf.Variable(w, dtype=tf.float64)
    with tf.GradientTape() as tape:
        value = keras.regularizers.L1L2(l1=l1, l2=l2)(variable)
    return float(value), tape.gradient(value, variable).numpy()


def _penalty_answer(function, name: str, w: np.ndarray, *rates) -> tuple[np.ndarray, np.ndarray]:
    """Call a learner's penalty function and return (value, gradient) as arrays of the right shapes."""
    value, gradient = as_tuple(call(function, w.copy(), *rates), f"{name}(w, ...)", 2)
    return as_array(value, "the penalty", shape=()), as_array(gradient, "the gradient", shape=w.shape)


@exercise_check("10.1", "L1 penalty")
def l1_penalty(function) -> str:
    """Value and gradient against keras.regularizers.L1 on a random matrix."""
    function = expect_function(function, "l1_penalty")
    rng = np.random.default_rng()
    w, rate = _random_weights(rng), float(rng.uniform(0.01, 0.1))
    value, gradient = _penalty_answer(function, "l1_penalty", w, rate)
    reference_value, reference_gradient = _keras_penalty(w, rate, 0.0)
    compare(value, reference_value, "the L1 penalty", rtol=1e-6, known_mistakes={
        "the absolute values are missing: a negative weight must add to the penalty, not cancel a positive one.":
            rate * np.sum(w),
        "it averages over the weights; Keras sums over them.": rate * np.mean(np.abs(w)),
    })
    compare(gradient, reference_gradient, "the gradient of the L1 penalty", rtol=1e-6, known_mistakes={
        "that is the gradient of an L2 penalty, which grows with the weight; the pull of L1 has the same size for "
        "every weight.": rate * w,
        "the gradient is the same for every weight; for a negative weight the derivative of |w| is negative.":
            rate * np.ones_like(w),
    })
    return "correct: value and gradient agree with keras.regularizers.L1."


@exercise_check("10.1", "L2 penalty")
def l2_penalty(function) -> str:
    """Value and gradient against keras.regularizers.L2 (no factor 1/2) on a random matrix."""
    function = expect_function(function, "l2_penalty")
    rng = np.random.default_rng()
    w, rate = _random_weights(rng), float(rng.uniform(0.01, 0.1))
    value, gradient = _penalty_answer(function, "l2_penalty", w, rate)
    reference_value, reference_gradient = _keras_penalty(w, 0.0, rate)
    compare(value, reference_value, "the L2 penalty", rtol=1e-6, known_mistakes={
        "it carries the factor 1/2 of some textbooks, which Keras' L2 does not have.": 0.5 * rate * np.sum(w ** 2),
        "it takes the square root of the sum of squares (the norm); Keras' L2 penalises the sum of squares itself.":
            rate * np.sqrt(np.sum(w ** 2)),
    })
    compare(gradient, reference_gradient, "the gradient of the L2 penalty", rtol=1e-6, known_mistakes={
        "a factor is missing: the one that comes from differentiating the square.": rate * w,
        "that is the gradient of an L1 penalty; the gradient of L2 grows with the weight.": rate * np.sign(w),
    })
    return "correct: value and gradient agree with keras.regularizers.L2."


@exercise_check("10.1", "elastic-net penalty")
def elastic_net_penalty(function) -> str:
    """Value and gradient against keras.regularizers.L1L2 with both rates, and each rate alone."""
    function = expect_function(function, "elastic_net_penalty")
    rng = np.random.default_rng()
    w = _random_weights(rng)
    l1, l2 = float(rng.uniform(0.01, 0.1)), float(rng.uniform(0.01, 0.1))
    for rates in ((l1, l2), (l1, 0.0), (0.0, l2)):
        value, gradient = as_tuple(call(function, w.copy(), *rates), "elastic_net_penalty(w, l1, l2)", 2)
        value = as_array(value, "the penalty", shape=())
        gradient = as_array(gradient, "the gradient", shape=w.shape)
        reference_value, reference_gradient = _keras_penalty(w, *rates)
        compare(value, reference_value, f"the penalty for l1 = {rates[0]:.3g}, l2 = {rates[1]:.3g}", rtol=1e-6,
                known_mistakes={
                    "the two rates are swapped: each belongs to its own penalty term, l1 to the L1 part and l2 to the L2 part.":
                        rates[1] * np.sum(np.abs(w)) + rates[0] * np.sum(w ** 2),
                })
        compare(gradient, reference_gradient, "the gradient of the elastic-net penalty", rtol=1e-6)
    return "correct: value and gradient agree with keras.regularizers.L1L2."


HIDDEN_LAYERS, HIDDEN_UNITS = 6, 8


def _regularizer_rates(regularizer) -> tuple[float, float] | None:
    """(l1, l2) of a Keras regulariser, None for no regulariser."""
    if regularizer is None:
        return None
    config = regularizer.get_config()
    return float(config.get("l1", 0.0)), float(config.get("l2", 0.0))


@exercise_check("10.2", "a deep classifier")
def build_deep_classifier(function) -> str:
    """Read the model: 2 inputs, 6 tanh layers of 8, one sigmoid unit, the regulariser on every kernel."""
    function = expect_function(function, "build_deep_classifier")
    import keras

    for regularizer in (None, keras.regularizers.L2(0.0123), keras.regularizers.L1(0.0045)):
        model = built_model(function, (regularizer,), "build_deep_classifier")
        if tuple(model.input_shape) != (None, 2):
            raise Mistake(f"the model's input shape is {model.input_shape}: each point has 2 coordinates.")
        if any(block.kind != "Dense" for block in blocks(model)):
            raise Mistake("the model should contain only Dense layers and their activations (dropout comes later).")
        dense = weight_blocks(model)
        hidden, output = dense[:-1], dense[-1] if dense else None
        if len(hidden) != HIDDEN_LAYERS or any(block.size != HIDDEN_UNITS for block in hidden):
            raise Mistake(f"the model has hidden layers of {[block.size for block in hidden]} units; "
                          f"the task asks for {HIDDEN_LAYERS} hidden layers of {HIDDEN_UNITS} units.")
        if any(block.activation != "tanh" for block in hidden):
            raise Mistake("every hidden layer should use the tanh activation, as in the playground.")
        if output.size != 1 or output.activation != "sigmoid":
            raise Mistake("the output should be one unit with the sigmoid activation (a class probability).")
        layers = [block.layer for block in dense]
        wanted = _regularizer_rates(regularizer)
        found = [_regularizer_rates(layer.kernel_regularizer) for layer in layers]
        if any(getattr(layer, "activity_regularizer", None) is not None for layer in layers) and wanted:
            raise Mistake("the penalty is on the activations (activity_regularizer): pass it as "
                          "kernel_regularizer, it penalises the weights.")
        if wanted is None and any(rates is not None for rates in found):
            raise Mistake("build_deep_classifier(None) adds a regulariser anyway: use the argument.")
        if wanted is not None:
            if all(rates is None for rates in found):
                raise Mistake("the regulariser is not used: pass kernel_regularizer=regularizer to the Dense layers.")
            if any(rates is None for rates in found):
                raise Mistake("only some layers carry the regulariser: give kernel_regularizer=regularizer "
                              "to every Dense layer, the output layer included.")
            if any(not np.allclose(rates, wanted) for rates in found):
                raise Mistake("the layers carry a different penalty than the one passed in: use the argument.")
    return "correct: a deep tanh network with a sigmoid output and the penalty on every weight matrix."


@exercise_check("10.3", "one step of weight decay")
def weight_decay_step(function) -> str:
    """One gradient-descent step on loss + l2 * sum(w**2), on random numbers."""
    function = expect_function(function, "weight_decay_step")
    rng = np.random.default_rng()
    w, gradient = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    rate, l2 = float(rng.uniform(0.01, 0.1)), float(rng.uniform(0.01, 0.2))
    answer = as_array(call(function, w.copy(), gradient.copy(), rate, l2), "weight_decay_step(...)", shape=w.shape)
    compare(answer, w - rate * (gradient + 2 * l2 * w), "the updated weights", rtol=1e-6, known_mistakes={
        "the penalty's gradient lacks the factor that comes from differentiating the square (compare your "
        "l2_penalty).": w - rate * (gradient + l2 * w),
        "the penalty's gradient is not scaled by the learning rate.": w - rate * gradient - 2 * l2 * w,
        "the step goes uphill: subtract the gradient.": w + rate * (gradient + 2 * l2 * w),
        "the penalty is missing: the step follows the gradient of the loss plus the penalty.": w - rate * gradient,
        "the penalty's gradient has the wrong sign: it must shrink the weights.": w - rate * (gradient - 2 * l2 * w),
    })
    return "correct: each step shrinks w by the factor (1 - 2 * learning_rate * l2) before the usual update."


@exercise_check("10.4", "fraction of weights near zero")
def fraction_near_zero(function) -> str:
    """A list of weight matrices of different sizes, negative weights included."""
    function = expect_function(function, "fraction_near_zero")
    rng = np.random.default_rng()
    shapes = [(2, 8), (8, 8), (8, 8), (8, 1)]
    weights = [rng.normal(scale=0.3, size=shape) * (rng.random(shape) < 0.6) for shape in shapes]
    weights[0] = weights[0] * 0 + rng.normal(size=shapes[0])  # one dense layer without zeros
    threshold = 0.05
    value = as_array(call(function, [w.copy() for w in weights], threshold), "fraction_near_zero(...)", shape=())
    everything = np.concatenate([w.ravel() for w in weights])
    expected = np.mean(np.abs(everything) < threshold)
    compare(value, expected, "the fraction", rtol=1e-9, known_mistakes={
        "it averages the per-layer fractions, so a small layer counts as much as a large one: "
        "count over all weights together.": np.mean([np.mean(np.abs(w) < threshold) for w in weights]),
        "negative weights count as near zero: compare |w| with the threshold.": np.mean(everything < threshold),
        "that is a percentage: return a fraction between 0 and 1.": 100 * expected,
        "that is a count: divide by the number of weights.": np.sum(np.abs(everything) < threshold),
    })
    return "correct."


@exercise_check("10.5", "inverted dropout")
def inverted_dropout(function) -> str:
    """Statistics of the mask in training, identity at inference, reproducible from the generator."""
    function = expect_function(function, "inverted_dropout")
    rng = np.random.default_rng()
    h = rng.uniform(0.5, 2.0, size=(400, 50))
    rate = float(rng.uniform(0.2, 0.4))
    seed = int(rng.integers(0, 10_000))
    out = as_array(call(function, h.copy(), rate, True, np.random.default_rng(seed)),
                   "inverted_dropout(h, rate, training=True, rng)", shape=h.shape)
    dropped = np.mean(out == 0)
    kept = out != 0
    if abs(dropped - (1 - rate)) < 0.02 and abs(rate - 0.5) > 0.05:
        raise Mistake(f"about {dropped:.0%} of the units are dropped with rate = {rate:.2f}: rate is the fraction "
                      "that is dropped, not kept.")
    if abs(dropped - rate) > 0.02:
        raise Mistake(f"with rate = {rate:.2f} a fraction {dropped:.2f} of the units is zero; "
                      "each unit should be dropped with probability rate.")
    if np.allclose(out[kept], h[kept]):
        raise Mistake("the surviving units are not rescaled: divide them by (1 - rate), so that the "
                      "expected output equals h and nothing has to change at inference.")
    if np.allclose(out[kept], h[kept] * (1 - rate)):
        raise Mistake("the survivors are multiplied by (1 - rate); inverted dropout divides by (1 - rate).")
    if not np.allclose(out[kept], h[kept] / (1 - rate)):
        raise Mistake("the surviving units should be h / (1 - rate).")
    again = as_array(call(function, h.copy(), rate, True, np.random.default_rng(seed)), "a second call")
    if not np.array_equal(again, out):
        raise Mistake("two calls with generators of the same seed drop different units: draw the mask "
                      "from the rng argument (rng.random(h.shape)).")
    test = as_array(call(function, h.copy(), rate, False, np.random.default_rng(seed)),
                    "inverted_dropout(h, rate, training=False, rng)", shape=h.shape)
    if np.allclose(test, h * (1 - rate)):
        raise Mistake("with training=False the output is scaled by (1 - rate); with inverted dropout "
                      "inference returns h unchanged.")
    if not np.array_equal(test, h):
        raise Mistake("with training=False (inference) dropout must be off: return h unchanged.")
    return "correct: random units dropped and the rest rescaled in training, nothing changed at inference."


CLIP = 1e-7
"""Keras clips probabilities to [1e-7, 1 - 1e-7] before taking logarithms."""


def _cross_entropy(p: np.ndarray, labels: np.ndarray) -> float:
    """Mean binary cross entropy of probabilities p for labels +1 / -1, clipped as in Keras."""
    t = (labels + 1) / 2
    p = np.clip(p, CLIP, 1 - CLIP)
    return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))


@exercise_check("10.6", "validation loss with playground labels")
def playground_cross_entropy(function) -> str:
    """Mean binary cross entropy for labels +1/-1, including probabilities of exactly 0 and 1."""
    function = expect_function(function, "playground_cross_entropy")
    rng = np.random.default_rng()
    labels = rng.choice([-1.0, 1.0], size=40)
    p = rng.uniform(0.05, 0.95, size=40)
    value = as_array(call(function, p.copy(), labels.copy()), "playground_cross_entropy(p, y)", shape=())
    t = (labels + 1) / 2
    expected = _cross_entropy(p, labels)
    compare(value, expected, "the cross entropy", rtol=1e-6, known_mistakes={
        "the labels are used as they are (+1 / -1): turn them into 0 / 1 first, t = (y + 1) / 2.":
            -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)),
        "the classes are swapped: p is the probability of the label +1.": _cross_entropy(1 - p, labels),
        "it sums over the examples: take the mean.": -np.sum(t * np.log(p) + (1 - t) * np.log(1 - p)),
    })
    extreme = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    extreme_labels = np.array([-1.0, 1.0, -1.0, 1.0, 1.0])   # two certain and wrong predictions
    with np.errstate(all="ignore"):
        value = call(function, extreme.copy(), extreme_labels.copy())
    value = np.asarray(value, dtype=float)
    if value.shape != () or not np.isfinite(value):
        raise Mistake("for probabilities of exactly 0 or 1 the result is not a finite number: clip p to "
                      "[1e-7, 1 - 1e-7] before the logarithm, as Keras does.")
    compare(value, _cross_entropy(extreme, extreme_labels), "the cross entropy for probabilities of 0 and 1",
            rtol=1e-4, advice="Clip p to [1e-7, 1 - 1e-7], as Keras does.")
    return "correct, also for overconfident predictions."
