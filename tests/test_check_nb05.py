"""Checks of notebook 05 on typical mistakes of the forward pass, backpropagation and gradient checking."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status

NAME = "05_backpropagation"


def _forward(params, X, relu=True, bias=True):
    Z1 = X @ params["W1"] + (params["b1"] if bias else 0)
    H = np.maximum(Z1, 0) if relu else Z1
    return Z1, H, H @ params["W2"] + (params["b2"] if bias else 0)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda p, X: _forward(p, X, relu=False), "negative values pass through"),
    (lambda p, X: _forward(p, X, bias=False), "bias b1 is missing"),
    (lambda p, X: _forward(p, X)[2], "tuple of 3"),
    (lambda p, X: _forward(p, X.T), "raised ValueError"),
])
def test_forward_mistakes(mistake, fragment):
    assert_verdict(check.mlp_forward, (mistake,), Status.FAILED, fragment)


def _backward(mask=True, scale=1.0, bias_axis=0, transpose_W1=False, relu_of_gradient=False, residual_sign=1.0):
    """A backward pass with one of the typical mistakes switched on."""
    def backward(params, X, Y):
        Z1, H, Y_hat = _forward(params, X)
        G2 = scale * residual_sign * 2 * (Y_hat - Y) / Y_hat.size
        dH = G2 @ params["W2"].T
        if relu_of_gradient:
            G1 = np.maximum(dH, 0)
        else:
            G1 = dH * (Z1 > 0) if mask else dH
        dW1 = G1.T @ X if transpose_W1 else X.T @ G1
        return {"W1": dW1, "b1": G1.sum(axis=bias_axis), "W2": H.T @ G2, "b2": G2.sum(axis=0)}
    return backward


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"mask": False}, "ReLU derivative is missing"),
    ({"relu_of_gradient": True}, "do not apply relu to the gradient"),
    ({"scale": 0.5}, "factor 2"),
    ({"scale": 7 * 2}, "sums over the examples"),
    ({"scale": 2}, "mean over all n * k"),
    ({"residual_sign": -1.0}, "wrong sign"),
    ({"bias_axis": 1}, "sum over axis 0"),
    ({"transpose_W1": True}, "transposed"),
])
def test_backward_mistakes(options, fragment):
    status = Status.PASSED if not options else Status.FAILED
    assert_verdict(check.mlp_backward, (_backward(**options),), status, fragment)


def test_backward_not_a_dict():
    def as_tuple(params, X, Y):
        gradients = _backward()(params, X, Y)
        return tuple(gradients.values())
    assert_verdict(check.mlp_backward, (as_tuple,), Status.FAILED, "dictionary")
    assert_verdict(check.mlp_backward, (lambda p, X, Y: {"W1": 0},), Status.FAILED, "no entry for b1")


def _numerical(central=True, divisor=2.0, restore=True, arithmetic=False):
    """Finite differences with one of the typical mistakes switched on (arithmetic: nudge by +h, -2h, +h)."""
    def numerical_gradients(loss, params, h=1e-6):
        result = {}
        for name, value in params.items():
            gradient = np.zeros_like(value)
            for index in np.ndindex(value.shape):
                if arithmetic:  # restores up to a rounding error of the last digit
                    value[index] += h
                    plus = loss(params)
                    value[index] -= 2 * h
                    minus = loss(params)
                    value[index] += h
                    gradient[index] = (plus - minus) / (2 * h)
                    continue
                original = value[index]
                value[index] = original + h
                plus = loss(params)
                value[index] = original - h if central else original
                minus = loss(params)
                if restore:
                    value[index] = original
                gradient[index] = (plus - minus) / ((divisor if central else 1.0) * h)
            result[name] = gradient
        return result
    return numerical_gradients


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"central": False}, "one-sided"),
    ({"divisor": 1.0}, "instead of 2h"),
    ({"restore": False}, "put every nudged entry back"),
    ({"arithmetic": True}, ""),
])
def test_numerical_gradients_mistakes(options, fragment):
    status = Status.FAILED if fragment else Status.PASSED
    assert_verdict(check.numerical_gradients, (_numerical(**options),), status, fragment)


def test_arithmetic_restoring_really_leaves_rounding_errors():
    """The case above is a real one: +h, -2h, +h does not always give back the same float."""
    params = {"A": np.random.default_rng(0).uniform(-2, 2, size=(5, 5))}
    original = params["A"].copy()
    _numerical(arithmetic=True)(lambda p: float(np.sum(p["A"] ** 2)), params, 1e-3)
    assert not np.array_equal(params["A"], original) and np.allclose(params["A"], original, rtol=1e-12)


def _tape(relu=True, reduce="mean", wrap=None):
    import tensorflow as tf

    def tape_gradients(params, X, Y):
        variables = {name: (wrap or tf.Variable)(value) for name, value in params.items()}
        with tf.GradientTape() as tape:
            Z1 = X @ variables["W1"] + variables["b1"]
            H = tf.nn.relu(Z1) if relu else Z1
            squares = (H @ variables["W2"] + variables["b2"] - Y) ** 2
            loss = tf.reduce_mean(squares) if reduce == "mean" else tf.reduce_sum(squares)
        return {name: None if g is None else g.numpy() for name, g in tape.gradient(loss, variables).items()}
    return tape_gradients


def _constant(value):
    import tensorflow as tf
    return tf.constant(value)


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"relu": False}, "no ReLU"),
    ({"reduce": "sum"}, "reduce_mean"),
    ({"wrap": _constant}, "watched tensors"),
])
def test_tape_gradients_mistakes(options, fragment):
    status = Status.PASSED if not options else Status.FAILED
    assert_verdict(check.tape_gradients, (_tape(**options),), status, fragment)


def test_tape_gradients_names_a_result_not_from_autodiff():
    """The hand-written backward pass of 5.2 gives the right numbers, but it is not the exercise."""
    assert_verdict(check.tape_gradients, (_backward(),), Status.FAILED, "not computed by automatic differentiation")


def _train(copy=True, shuffle=True, seeded=True, sign=-1.0, per_batch=True):
    """SGD on the network with one of the typical mistakes switched on."""
    def train_sgd(params, X, Y, gradient, learning_rate, batch_size, n_epochs, seed=0):
        if copy:
            params = {name: value.copy() for name, value in params.items()}
        rng = np.random.default_rng(seed if seeded else None)

        def loss():
            return np.mean((_forward(params, X)[2] - Y) ** 2)
        losses = [loss()]
        for _ in range(n_epochs):
            order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
            batches = [order[i:i + batch_size] for i in range(0, len(X), batch_size)] if per_batch else [order]
            for batch in batches:
                grads = gradient(params, X[batch], Y[batch])
                for name in params:
                    params[name] += sign * learning_rate * grads[name]
            losses.append(loss())
        return params, np.array(losses)
    return train_sgd


@pytest.mark.parametrize("options, fragment", [
    ({}, ""),
    ({"copy": False}, "train a copy"),
    ({"shuffle": False}, "same order"),
    ({"seeded": False}, "same seed"),
    ({"sign": 1.0}, "uphill"),
    ({"per_batch": False}, "one evaluation per mini-batch"),
])
def test_train_sgd_mistakes(options, fragment):
    status = Status.PASSED if not options else Status.FAILED
    assert_verdict(check.train_mlp_sgd, (_train(**options),), status, fragment)


def test_solution_backward_passes_its_own_gradient_check(solution):
    """The notebook's claim: backprop and finite differences agree to < 1e-6 in float64."""
    rng = np.random.default_rng(3)
    params = solution["init_params"](3, 5, 2, rng)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    analytic = solution["backward"](params, X, Y)
    numeric = solution["numerical_gradients"](lambda p: np.mean((solution["forward"](p, X)[2] - Y) ** 2), params)
    for name in params:
        assert solution["relative_error"](analytic[name], numeric[name]) < 1e-6
