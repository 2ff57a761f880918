"""The TensorFlow Playground data sets: counts, ranges, label rules and noise behaviour."""

import numpy as np
import pytest

from utils import datasets

CLASSIFICATION = [name for name, (problem, _) in datasets.PLAYGROUND_DATASETS.items() if problem == "classification"]
REGRESSION = [name for name, (problem, _) in datasets.PLAYGROUND_DATASETS.items() if problem == "regression"]
ORIGINAL = ["circle", "xor", "gauss", "spiral", "plane", "multi_gauss"]


def test_original_sets_are_all_there():
    assert set(ORIGINAL) <= set(datasets.PLAYGROUND_DATASETS)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_counts_and_labels(name):
    X, y = datasets.make_playground(name, noise=0.3, seed=3)
    assert X.shape == (500, 2) and y.shape == (500,)
    assert set(np.unique(y)) == {-1.0, 1.0}
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_counts_and_ranges(name):
    X, y = datasets.make_playground(name, noise=0.0, seed=3)
    assert X.shape == (1200, 2) and y.shape == (1200,)
    assert np.abs(X).max() <= datasets.PLAYGROUND_RADIUS
    assert np.abs(y).max() <= 1.2 + 1e-12  # (x1 + x2) / 10 reaches 1.2 in the corners


@pytest.mark.parametrize("name", ORIGINAL + ["checkerboard", "moons"])
def test_same_seed_same_data_other_seed_other_data(name):
    first, second, other = (datasets.make_playground(name, noise=0.2, seed=s) for s in (5, 5, 6))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], other[0])


def test_circle_geometry_and_label_rule_without_noise():
    X, y = datasets.make_playground("circle", noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r[y > 0] < 2.5) and np.all((r[y < 0] >= 3.5) & (r[y < 0] <= 5.0))
    assert (y > 0).sum() == 250


def test_xor_padding_and_quadrant_rule_without_noise():
    X, y = datasets.make_playground("xor", noise=0.0, seed=0)
    assert np.abs(X).min() >= 0.3 and np.abs(X).max() <= 5.3
    np.testing.assert_array_equal(y, np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0))


def test_checkerboard_with_two_cells_follows_the_quadrant_rule():
    X, y = datasets.make_playground("checkerboard", noise=0.0, seed=0, cells=2)
    np.testing.assert_array_equal(y, np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0))


def test_label_noise_flips_labels_but_keeps_points():
    clean_X, clean_y = datasets.make_playground("xor", noise=0.0, seed=1)
    noisy_X, noisy_y = datasets.make_playground("xor", noise=0.5, seed=1)
    np.testing.assert_array_equal(clean_X, noisy_X)
    wrong = np.mean(noisy_y != clean_y)
    assert 0.1 < wrong < 0.5


def test_gauss_noise_widens_the_clouds():
    def spread(noise):
        X, y = datasets.make_playground("gauss", noise=noise, seed=2)
        return (X - 2.0 * y[:, None]).std()  # distance from each point's own centre (2, 2) or (-2, -2)

    assert spread(0.0) == pytest.approx(np.sqrt(0.5), rel=0.1)
    assert spread(0.5) == pytest.approx(2.0, rel=0.1)


def test_spiral_radius_and_jitter():
    X, _ = datasets.make_playground("spiral", noise=0.0, seed=0)
    assert np.hypot(X[:, 0], X[:, 1]).max() < 5.0
    noisy, _ = datasets.make_playground("spiral", noise=0.5, seed=0)
    assert np.abs(noisy - X).max() <= 0.5 * np.sqrt(2) + 1e-12


def test_multi_gauss_peaks_at_the_bump_centres():
    X, y = datasets.make_playground("multi_gauss", n=5000, noise=0.0, seed=0)
    near = np.linalg.norm(X - np.array([-4.0, 2.5]), axis=1) < 0.2
    assert near.any() and np.all(y[near] > 0.85)


def test_split_takes_the_first_share_for_training():
    X, y = datasets.make_playground("circle", seed=0)
    X_train, y_train, X_test, y_test = datasets.split_playground(X, y, 0.3)
    assert len(X_train) == 150 and len(X_test) == 350
    np.testing.assert_array_equal(np.concatenate([X_train, X_test]), X)


@pytest.mark.parametrize("kwargs, field", [
    ({"name": "circles"}, "dataset"),
    ({"name": "circle", "noise": 0.8}, "noise"),
    ({"name": "circle", "n": 1}, "n"),
])
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        datasets.make_playground(**kwargs)


def test_split_rejects_fraction_outside_zero_one():
    X, y = datasets.make_playground("gauss", seed=0)
    with pytest.raises(ValueError, match="train_fraction"):
        datasets.split_playground(X, y, 1.5)
