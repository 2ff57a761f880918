"""Checks of notebook 05 (backpropagation): a one-hidden-layer ReLU network by hand."""

from __future__ import annotations

import contextlib

import numpy as np

from utils.check.core import (
    Mistake,
    NotDone,
    as_array,
    as_tuple,
    call,
    close,
    compare,
    describe,
    exercise_check,
    expect_function,
)

PARAMETER_NAMES = ("W1", "b1", "W2", "b2")
FORWARD_FIRST = "The backward pass uses your forward: make sure its check says ✅ first."


def _problem(rng: np.random.Generator, n: int = 7, d: int = 3, h: int = 5, k: int = 2):
    """Random parameters and a batch with non-square shapes (so transposes show) and mixed-sign activations."""
    params = {"W1": rng.normal(size=(d, h)), "b1": rng.normal(size=h),
              "W2": rng.normal(size=(h, k)), "b2": rng.normal(size=k)}
    return params, rng.normal(size=(n, d)), rng.normal(size=(n, k))


def _forward(params: dict, X: np.ndarray, relu: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference forward pass: (Z1, H, Y_hat); relu=False forgets the activation (a typical mistake)."""
    Z1 = X @ params["W1"] + params["b1"]
    H = np.maximum(Z1, 0.0) if relu else Z1
    return Z1, H, H @ params["W2"] + params["b2"]


def _loss(params: dict, X: np.ndarray, Y: np.ndarray) -> float:
    """Reference MSE over all entries."""
    return float(np.mean((_forward(params, X)[2] - Y) ** 2))


def _backward(params: dict, X: np.ndarray, Y: np.ndarray, mask: bool = True, relu: bool = True) -> dict:
    """Reference gradients of the MSE; mask=False forgets the ReLU derivative, relu=False the whole ReLU."""
    Z1, H, Y_hat = _forward(params, X, relu)
    G2 = 2.0 * (Y_hat - Y) / Y_hat.size
    dH = G2 @ params["W2"].T
    G1 = dH * (Z1 > 0) if mask and relu else dH
    return {"W1": X.T @ G1, "b1": G1.sum(axis=0), "W2": H.T @ G2, "b2": G2.sum(axis=0)}


def _gradient_dict(value, what: str, params: dict) -> dict[str, np.ndarray]:
    """The learner's dictionary of gradients, with the keys and shapes of params."""
    if value is Ellipsis:
        raise NotDone
    if value is None:
        raise Mistake(f"{what} is None: did you forget a `return`?")
    if not isinstance(value, dict):
        raise Mistake(f"{what} should be a dictionary with the keys of params ('W1', 'b1', 'W2', 'b2'), "
                      f"not {describe(value)}.")
    missing = [name for name in params if name not in value]
    if missing:
        raise Mistake(f"{what} has no entry for {', '.join(missing)}: return one gradient per parameter.")
    gradients = {}
    for name in params:
        shape = np.shape(params[name])
        array = as_array(value[name], f"{what}['{name}']")
        if array.shape != shape:
            hint = ""
            if name.startswith("b"):
                hint = " A bias gradient is a sum over the examples of the batch: sum over axis 0."
            elif array.shape == shape[::-1]:
                hint = " It is transposed: the weight gradient is (layer input).T @ (gradient of the layer output)."
            raise Mistake(f"{what}['{name}'] has shape {array.shape} but should have shape {shape} like "
                          f"params['{name}'].{hint}")
        gradients[name] = array
    return gradients


def _copy(params: dict) -> dict:
    """A deep copy of a parameter dictionary, so a learner's in-place change cannot spoil the reference."""
    return {name: np.array(value, dtype=float) for name, value in params.items()}


@exercise_check("5.1", "forward pass")
def mlp_forward(function) -> str:
    """Compare (Z1, H, Y_hat) with the reference on a random batch with non-square shapes."""
    function = expect_function(function, "forward")
    rng = np.random.default_rng()
    params, X, _ = _problem(rng)
    Z1_ref, H_ref, Y_ref = _forward(params, X)
    result = as_tuple(call(function, _copy(params), X.copy()), "forward(params, X)", 3)
    Z1 = as_array(result[0], "Z1", shape=Z1_ref.shape)
    H = as_array(result[1], "H", shape=H_ref.shape)
    Y_hat = as_array(result[2], "Y_hat", shape=Y_ref.shape)
    compare(Z1, Z1_ref, "Z1", known_mistakes={"the bias b1 is missing.": X @ params["W1"],
                                              "Z1 is the pre-activation: apply the ReLU only to get H.": H_ref})
    compare(H, H_ref, "H", known_mistakes={
        "negative values pass through: H = relu(Z1) = max(Z1, 0).": Z1_ref,
        "the ReLU sets negative values to 0 and keeps positive ones (np.maximum(Z1, 0)), not the other way round.":
            np.minimum(Z1_ref, 0.0),
    })
    compare(Y_hat, Y_ref, "Y_hat", known_mistakes={
        "the bias b2 is missing.": H_ref @ params["W2"],
        "the output layer must act on H (after the ReLU), not on Z1.": Z1_ref @ params["W2"] + params["b2"],
    })
    return "correct: Z1, H and Y_hat for a batch of 7 examples."


@exercise_check("5.2", "backward pass")
def mlp_backward(function) -> str:
    """Compare every gradient with the reference; diagnose the typical slips of the chain rule."""
    function = expect_function(function, "backward")
    rng = np.random.default_rng()
    for _ in range(50):  # a batch on which the typical mask mistakes give different answers
        params, X, Y = _problem(rng)
        variants = [_backward(params, X, Y)["W1"], _backward(params, X, Y, mask=False)["W1"],
                    _masked_by_relu_of_gradient(params, X, Y)["W1"]]
        if not any(close(a, b, 1e-4, 1e-6) for i, a in enumerate(variants) for b in variants[i + 1:]):
            break
    n, k = Y.shape
    exact = _backward(params, X, Y)
    unmasked = _backward(params, X, Y, mask=False)
    gradients = _gradient_dict(call(function, _copy(params), X.copy(), Y.copy()), "backward(params, X, Y)", params)
    for name in ("W2", "b2", "W1", "b1"):  # in the order backpropagation computes them
        mistakes = {
            "the factor 2 from the square is missing.": exact[name] / 2,
            "it sums over the examples instead of averaging: the loss has a factor 1/(n k).": exact[name] * n * k,
            "it averages over the examples only: the loss is the mean over all n * k entries.": exact[name] * k,
            "the residual has the wrong sign: it is Y_hat - Y.": -exact[name],
        }
        if name.startswith("b"):
            mistakes["it averages the bias gradient over the batch on top of the 1/(n k) of the loss: "
                     "sum over the examples instead."] = exact[name] / n
        if name in ("W1", "b1"):
            mistakes = {"the ReLU derivative is missing: multiply the gradient by (Z1 > 0), "
                        "units that are switched off pass no gradient back.": unmasked[name], **mistakes}
            mistakes["the mask is wrong: multiply by the ReLU derivative (Z1 > 0), do not apply relu to "
                     "the gradient."] = _masked_by_relu_of_gradient(params, X, Y)[name]
        compare(gradients[name], exact[name], f"dL/d{name}", known_mistakes=mistakes,
                advice=FORWARD_FIRST if name == "W2" else "")
    return "correct: all four gradients agree with the chain rule on a random batch."


def _masked_by_relu_of_gradient(params: dict, X: np.ndarray, Y: np.ndarray) -> dict:
    """Gradients when relu is applied to dL/dH instead of multiplying by the ReLU derivative."""
    Z1, H, Y_hat = _forward(params, X)
    G2 = 2.0 * (Y_hat - Y) / Y_hat.size
    G1 = np.maximum(G2 @ params["W2"].T, 0.0)
    return {"W1": X.T @ G1, "b1": G1.sum(axis=0), "W2": H.T @ G2, "b2": G2.sum(axis=0)}


def _smooth_loss(params: dict) -> float:
    """A smooth test function of a parameter dictionary with a known gradient."""
    A, c = params["A"], params["c"]
    return float(np.sum(np.sin(A) * A) + np.sum(c**3) + A[0, 1] * c[0])


def _smooth_gradient(params: dict) -> dict:
    """The exact gradient of _smooth_loss."""
    A, c = params["A"], params["c"]
    dA = np.sin(A) + A * np.cos(A)
    dA[0, 1] += c[0]
    dc = 3 * c**2
    dc[0] += A[0, 1]
    return {"A": dA, "c": dc}


def _one_sided(params: dict, h: float) -> dict:
    """Forward differences (a typical mistake: error of order h)."""
    base = _smooth_loss(params)
    result = {}
    for name, value in params.items():
        gradient = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            shifted = _copy(params)
            shifted[name][index] += h
            gradient[index] = (_smooth_loss(shifted) - base) / h
        result[name] = gradient
    return result


@exercise_check("5.3", "numerical gradients")
def numerical_gradients(function) -> str:
    """Run the learner's finite differences on a smooth function with a known gradient."""
    function = expect_function(function, "numerical_gradients")
    rng = np.random.default_rng()
    params = {"A": rng.uniform(-2, 2, size=(2, 3)), "c": rng.uniform(-1, 1, size=4)}
    original = _copy(params)
    h = 1e-3  # large enough that a one-sided difference shows its error of order h
    result = _gradient_dict(call(function, _smooth_loss, params, h), "numerical_gradients(loss, params, h)", params)
    # Restoring by arithmetic (+h, -2h, +h) may leave a rounding error of 1e-16: that is put back, within tolerance.
    if any(not np.allclose(params[name], original[name], rtol=1e-12, atol=1e-12) for name in params):
        raise Mistake("params has changed after the call: put every nudged entry back to its original value.")
    exact = _smooth_gradient(original)
    one_sided = _one_sided(original, h)
    for name in params:
        compare(result[name], exact[name], f"the numerical gradient of '{name}'", rtol=1e-5, atol=1e-6,
                known_mistakes={
                    "it divides by h instead of 2h: the two nudged points are 2h apart.": 2 * exact[name],
                    "it looks like a one-sided difference [L(θ + h) - L(θ)] / h; use the central difference "
                    "[L(θ + h) - L(θ - h)] / 2h, whose error is of order h².": one_sided[name],
                }, advice="Nudge one entry at a time by +h and -h and use the h passed as argument.")
    return "correct: central differences for every entry, and params is left unchanged."


@contextlib.contextmanager
def _counting_tape_gradients(tf):
    """Count the calls of tf.GradientTape.gradient while the block runs (the list holds one entry per call)."""
    calls: list[int] = []
    original = tf.GradientTape.gradient

    def gradient(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    tf.GradientTape.gradient = gradient
    try:
        yield calls
    finally:
        tf.GradientTape.gradient = original


@exercise_check("5.4", "gradients with tf.GradientTape")
def tape_gradients(function) -> str:
    """Compare the learner's automatic-differentiation gradients with the reference backward pass."""
    function = expect_function(function, "tape_gradients")
    import tensorflow as tf

    rng = np.random.default_rng()
    params, X, Y = _problem(rng)
    exact, without_relu = _backward(params, X, Y), _backward(params, X, Y, relu=False)
    with _counting_tape_gradients(tf) as calls:
        answer = call(function, _copy(params), X.copy(), Y.copy())
    if isinstance(answer, dict):
        unwatched = [name for name in PARAMETER_NAMES if name in answer and answer[name] is None]
        if unwatched:
            raise Mistake(f"tape.gradient gave None for {', '.join(unwatched)}: the tape only records operations on "
                          "watched tensors. Make every parameter a tf.Variable (or call tape.watch on it) and compute "
                          "the forward pass from those, with TensorFlow operations, inside the `with` block.")
    gradients = _gradient_dict(answer, "tape_gradients(params, X, Y)", params)
    if not calls:
        raise Mistake("these gradients were not computed by automatic differentiation (tape.gradient was never "
                      "called): record the forward pass inside `with tf.GradientTape() as tape:` and ask "
                      "tape.gradient for the gradients.")
    for name in PARAMETER_NAMES:
        mistakes = {"it looks like the sum of squares: use tf.reduce_mean for the mean squared error.":
                    exact[name] * Y.size,
                    "the forward pass inside the tape has no ReLU: use tf.nn.relu on the hidden layer.":
                    without_relu[name]}
        compare(gradients[name], exact[name], f"dL/d{name}", rtol=1e-6, atol=1e-9, known_mistakes=mistakes,
                advice="Compute the same forward pass and MSE as in 5.1 inside `with tf.GradientTape() as tape:`, "
                       "in float64.")
    return "correct: automatic differentiation gives the backpropagation gradients."


@exercise_check("5.5", "SGD training of the network")
def train_mlp_sgd(function) -> str:
    """Record the mini-batches the learner's loop asks gradients for, then replay the updates."""
    function = expect_function(function, "train_sgd")
    rng = np.random.default_rng()
    n, batch_size, n_epochs, rate = 10, 4, 3, 0.01
    params, _, Y = _problem(rng, n=n, d=2, h=4, k=1)
    X = np.column_stack([np.arange(n, dtype=float), rng.normal(size=n)]) / np.array([n, 1.0])
    initial = _copy(params)
    batches: list[np.ndarray] = []

    def gradient(params_now, X_batch, Y_batch):
        """The reference gradient, recording which examples it was given."""
        X_batch = np.asarray(X_batch, dtype=float)
        batches.append(np.rint(X_batch[:, 0] * n).astype(int))
        return _backward({name: np.asarray(value, dtype=float) for name, value in params_now.items()},
                         X_batch, np.asarray(Y_batch, dtype=float))

    result = as_tuple(call(function, params, X, Y, gradient, rate, batch_size, n_epochs, 0),
                      "train_sgd(...)", 2)
    if any(not np.array_equal(params[name], initial[name]) for name in params):
        raise Mistake("the params passed in were changed: train a copy, "
                      "{name: value.copy() for name, value in params.items()}.")
    trained = _gradient_dict(result[0], "the returned params", params)
    losses = as_array(result[1], "the loss history", shape=(n_epochs + 1,))
    per_epoch = -(-n // batch_size)
    if len(batches) != n_epochs * per_epoch:
        raise Mistake(f"the gradient was evaluated {len(batches)} times in {n_epochs} epochs of {n} examples "
                      f"with batch size {batch_size}: one evaluation per mini-batch is expected.")
    epochs = [np.concatenate(batches[e * per_epoch:(e + 1) * per_epoch]) for e in range(n_epochs)]
    if any(sorted(epoch) != list(range(n)) for epoch in epochs):
        raise Mistake("within one epoch every example must be used exactly once.")
    if all(np.array_equal(epoch, epochs[0]) for epoch in epochs):
        raise Mistake("the examples come in the same order every epoch: draw a new permutation at the start "
                      "of each epoch.")
    replay, replay_losses = _copy(initial), [_loss(initial, X, Y)]
    for index, batch in enumerate(batches):
        grads = _backward(replay, X[batch], Y[batch])
        replay = {name: replay[name] - rate * grads[name] for name in replay}
        if (index + 1) % per_epoch == 0:
            replay_losses.append(_loss(replay, X, Y))
    uphill = _copy(initial)
    with np.errstate(all="ignore"):  # walking uphill may overflow
        for batch in batches:
            grads = _backward(uphill, X[batch], Y[batch])
            uphill = {name: uphill[name] + rate * grads[name] for name in uphill}
    for name in PARAMETER_NAMES:
        compare(trained[name], replay[name], f"the trained {name}", rtol=1e-6, known_mistakes={
            "it steps uphill: subtract learning_rate * gradient.": uphill[name],
        }, advice="Update every parameter once per mini-batch with the gradient of that mini-batch.")
    compare(losses, np.array(replay_losses), "the loss history (one value before training, one after each epoch)",
            rtol=1e-6, known_mistakes={
                "it is missing the loss before training (or has one value too many at the end).":
                    np.roll(replay_losses, -1),
            })
    again = as_tuple(call(function, params, X, Y, gradient, rate, batch_size, n_epochs, 0), "train_sgd(...)", 2)
    if not np.allclose(as_array(again[1], "the loss history"), losses):
        raise Mistake("two runs with the same seed give different results: draw the permutations from "
                      "np.random.default_rng(seed), created once before the first epoch.")
    return "correct: every example once per epoch, shuffled, one update per mini-batch, reproducible."
