"""Checks of notebook 10 on the solution, the generated stub, typical mistakes and bad input."""

import numpy as np
import pytest

from tests.check_cases import assert_verdict
from utils import check
from utils.check.core import Status

NAME = "10_regularization"


@pytest.mark.parametrize("mistake, fragment", [
    (lambda w, l1: (l1 * np.sum(w), l1 * np.sign(w)), "absolute values"),
    (lambda w, l1: (l1 * np.mean(np.abs(w)), l1 * np.sign(w)), "averages"),
    (lambda w, l1: (l1 * np.sum(np.abs(w)), l1 * w), "gradient of an L2"),
    (lambda w, l1: (l1 * np.sum(np.abs(w)), l1 * np.ones_like(w)), "negative weight"),
    (lambda w, l1: l1 * np.sum(np.abs(w)), "tuple of 2"),
])
def test_l1_mistakes(mistake, fragment):
    assert_verdict(check.l1_penalty, (mistake,), Status.FAILED, fragment)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda w, l2: (0.5 * l2 * np.sum(w ** 2), l2 * w), "factor 1/2"),
    (lambda w, l2: (l2 * np.linalg.norm(w), 2 * l2 * w), "square root"),
    (lambda w, l2: (l2 * np.sum(w ** 2), l2 * w), "differentiating the square"),
    (lambda w, l2: (l2 * np.sum(w ** 2), (2 * l2 * w).ravel()), "shape"),
])
def test_l2_mistakes(mistake, fragment):
    assert_verdict(check.l2_penalty, (mistake,), Status.FAILED, fragment)


def test_elastic_net_mistakes():
    def swapped(w, l1, l2):
        return l2 * np.sum(np.abs(w)) + l1 * np.sum(w ** 2), l2 * np.sign(w) + 2 * l1 * w

    def l2_only(w, l1, l2):
        return l2 * np.sum(w ** 2), 2 * l2 * w

    assert_verdict(check.elastic_net_penalty, (swapped,), Status.FAILED, "swapped")
    assert_verdict(check.elastic_net_penalty, (l2_only,), Status.FAILED, "penalty for l1")


def _classifier(hidden=6, units=8, activation="tanh", output="sigmoid", where="all", kind="kernel", extra=False):
    """A deep classifier builder with one of the typical mistakes switched on."""
    import keras

    def build(regularizer=None):
        layers = [keras.Input(shape=(2,))]
        for index in range(hidden):
            options = {}
            if where == "all" or (where == "first" and index == 0):
                options = {f"{kind}_regularizer": regularizer}
            layers.append(keras.layers.Dense(units, activation=activation, **options))
            if extra:
                layers.append(keras.layers.Dropout(0.1))
        last = {f"{kind}_regularizer": regularizer} if where == "all" else {}
        layers.append(keras.layers.Dense(1, activation=output, **last))
        return keras.Sequential(layers)
    return build


@pytest.mark.parametrize("options, fragment", [
    ({"hidden": 3}, "6 hidden layers"),
    ({"units": 16}, "6 hidden layers"),
    ({"activation": "relu"}, "tanh"),
    ({"output": None}, "sigmoid"),
    ({"where": "first"}, "every dense layer"),
    ({"where": "none"}, "not used"),
    ({"kind": "activity"}, "activity_regularizer"),
    ({"extra": True}, "only dense"),
])
def test_build_deep_classifier_mistakes(options, fragment):
    assert_verdict(check.build_deep_classifier, (_classifier(**options),), Status.FAILED, fragment)


def test_build_deep_classifier_passes_and_fixed_penalty():
    import keras
    assert_verdict(check.build_deep_classifier, (_classifier(),), Status.PASSED)
    fixed = _classifier()
    assert_verdict(check.build_deep_classifier, (lambda r=None: fixed(keras.regularizers.L2(0.01)),),
                   Status.FAILED, "use the argument")


@pytest.mark.parametrize("mistake, fragment", [
    (lambda w, g, eta, l2: w - eta * (g + l2 * w), "differentiating the square"),
    (lambda w, g, eta, l2: w - eta * g - 2 * l2 * w, "learning rate"),
    (lambda w, g, eta, l2: w + eta * (g + 2 * l2 * w), "uphill"),
    (lambda w, g, eta, l2: w - eta * g, "penalty is missing"),
    (lambda w, g, eta, l2: w - eta * (g - 2 * l2 * w), "wrong sign"),
])
def test_weight_decay_mistakes(mistake, fragment):
    assert_verdict(check.weight_decay_step, (mistake,), Status.FAILED, fragment)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda ws, t: np.mean([np.mean(np.abs(w) < t) for w in ws]), "per-layer"),
    (lambda ws, t: np.mean(np.concatenate([w.ravel() for w in ws]) < t), "negative"),
    (lambda ws, t: 100 * np.mean(np.abs(np.concatenate([w.ravel() for w in ws])) < t), "percentage"),
    (lambda ws, t: np.sum(np.abs(np.concatenate([w.ravel() for w in ws])) < t), "count"),
])
def test_fraction_near_zero_mistakes(mistake, fragment):
    assert_verdict(check.fraction_near_zero, (mistake,), Status.FAILED, fragment)


def _dropout(scale="inverse", inference="identity", keep_rate=False, use_rng=True):
    def dropout(h, rate, training, rng):
        generator = rng if use_rng else np.random.default_rng()
        if not training:
            return h if inference == "identity" else h * (1 - rate)
        p = 1 - rate if keep_rate else rate
        keep = generator.random(h.shape) >= p
        factor = {"inverse": 1 / (1 - p), "none": 1.0, "times": 1 - p}[scale]
        return np.where(keep, h * factor, 0.0)
    return dropout


@pytest.mark.parametrize("options, fragment", [
    ({"scale": "none"}, "not rescaled"),
    ({"scale": "times"}, "multiplied by (1 - rate)"),
    ({"inference": "scaled"}, "unchanged"),
    ({"keep_rate": True}, "not kept"),
    ({"use_rng": False}, "rng argument"),
])
def test_inverted_dropout_mistakes(options, fragment):
    assert_verdict(check.inverted_dropout, (_dropout(**options),), Status.FAILED, fragment)


def test_inverted_dropout_passes():
    assert_verdict(check.inverted_dropout, (_dropout(),), Status.PASSED)


def _bce(p, t):
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


@pytest.mark.parametrize("mistake, fragment", [
    (lambda p, y: _bce(np.clip(p, 1e-7, 1 - 1e-7), y), "+1 / -1"),
    (lambda p, y: _bce(np.clip(1 - p, 1e-7, 1 - 1e-7), (y + 1) / 2), "swapped"),
    (lambda p, y: len(p) * _bce(np.clip(p, 1e-7, 1 - 1e-7), (y + 1) / 2), "sums"),
    (lambda p, y: _bce(p, (y + 1) / 2), "clip"),
    (lambda p, y: _bce(np.clip(p, 1e-3, 1 - 1e-3), (y + 1) / 2), "clip p"),
])
def test_playground_cross_entropy_mistakes(mistake, fragment):
    assert_verdict(check.playground_cross_entropy, (mistake,), Status.FAILED, fragment)


def test_deep_classifier_solution_and_stub(solution, exercise):
    assert_verdict(check.build_deep_classifier, (solution["build_deep_classifier"],), Status.PASSED)
    assert_verdict(check.build_deep_classifier, (exercise["build_deep_classifier"],), Status.NOT_DONE)


FORMULA_FRAGMENTS = ("sum(", "sign(w)", "2 * l2", "2 w", "* w", "(1 - 2")


@pytest.mark.parametrize("check_name, mistake", [
    ("l1_penalty", lambda w, l1: (l1 * np.sum(w), l1 * np.sign(w))),
    ("l1_penalty", lambda w, l1: (l1 * np.sum(np.abs(w)), l1 * w)),
    ("l1_penalty", lambda w, l1: (l1 * np.sum(np.abs(w)), l1 * np.ones_like(w))),
    ("l2_penalty", lambda w, l2: (0.5 * l2 * np.sum(w ** 2), l2 * w)),
    ("l2_penalty", lambda w, l2: (l2 * np.linalg.norm(w), 2 * l2 * w)),
    ("l2_penalty", lambda w, l2: (l2 * np.sum(w ** 2), l2 * w)),
    ("l2_penalty", lambda w, l2: (l2 * np.sum(w ** 2), l2 * np.sign(w))),
    ("elastic_net_penalty", lambda w, l1, l2: (l2 * np.sum(np.abs(w)) + l1 * np.sum(w ** 2), 0 * w)),
    ("weight_decay_step", lambda w, g, eta, l2: w - eta * (g + l2 * w)),
    ("weight_decay_step", lambda w, g, eta, l2: w - eta * g),
    ("weight_decay_step", lambda w, g, eta, l2: w - eta * g - 2 * l2 * w),
])
def test_penalty_hints_never_print_the_formula(check_name, mistake):
    verdict = getattr(check, check_name).evaluate(mistake)
    assert verdict.status is Status.FAILED
    assert not any(fragment in verdict.message for fragment in FORMULA_FRAGMENTS), verdict.message


def _separate_activations(activation_layer):
    """A correct deep classifier written with Dense layers followed by separate activation layers."""
    import keras

    def build(regularizer=None):
        layers = [keras.Input(shape=(2,))]
        for _ in range(6):
            layers += [keras.layers.Dense(8, kernel_regularizer=regularizer), activation_layer("tanh")]
        layers += [keras.layers.Dense(1, kernel_regularizer=regularizer), activation_layer("sigmoid")]
        return keras.Sequential(layers)
    return build


def test_build_deep_classifier_with_activation_layers_passes():
    import keras
    assert_verdict(check.build_deep_classifier, (_separate_activations(keras.layers.Activation),), Status.PASSED)
    assert_verdict(check.build_deep_classifier,
                   (_separate_activations(lambda name: keras.layers.Activation(getattr(keras.activations, name))),),
                   Status.PASSED)


def test_build_deep_classifier_separate_wrong_activation_is_named():
    import keras
    relu_hidden = _separate_activations(lambda name: keras.layers.Activation("relu" if name == "tanh" else name))
    assert_verdict(check.build_deep_classifier, (relu_hidden,), Status.FAILED, "tanh")
