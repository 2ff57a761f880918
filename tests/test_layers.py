"""The periodic padding layer: NumPy's wrap padding, exact translation equivariance, shapes, saving."""

import keras
import numpy as np
import pytest

from utils.layers import PeriodicPadding2D


def _lattices(shape, seed=0):
    """Random float32 values of the given (batch, rows, columns, channels) shape."""
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize("width", [0, 1, 2, 5])
def test_matches_numpy_wrap_padding_on_rectangles_with_channels(width):
    x = _lattices((3, 6, 9, 2))
    padded = keras.ops.convert_to_numpy(PeriodicPadding2D(width)(x))
    expected = np.pad(x, ((0, 0), (width, width), (width, width), (0, 0)), mode="wrap")
    np.testing.assert_array_equal(padded, expected)


def test_wraps_the_opposite_edge_onto_each_side():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    padded = keras.ops.convert_to_numpy(PeriodicPadding2D(1)(x))[0, :, :, 0]
    np.testing.assert_array_equal(padded[0, 1:-1], x[0, -1, :, 0])  # above the first row: the last row
    np.testing.assert_array_equal(padded[1:-1, -1], x[0, :, 0, 0])  # right of the last column: the first column
    assert padded[0, 0] == x[0, -1, -1, 0]  # corners come from the opposite corner


def test_convolution_after_periodic_padding_is_exactly_translation_equivariant():
    x = _lattices((2, 8, 8, 1), seed=1)
    model = keras.Sequential([keras.Input(shape=(None, None, 1)), PeriodicPadding2D(1),
                              keras.layers.Conv2D(3, 3, padding="valid")])
    shifted = np.roll(x, (3, -2), axis=(1, 2))
    out, out_shifted = (keras.ops.convert_to_numpy(model(value)) for value in (x, shifted))
    assert out.shape == x.shape[:3] + (3,)
    np.testing.assert_allclose(out_shifted, np.roll(out, (3, -2), axis=(1, 2)), atol=1e-6)


def test_output_shape_keeps_unknown_sizes_unknown():
    assert PeriodicPadding2D(2).compute_output_shape((None, None, None, 1)) == (None, None, None, 1)
    assert PeriodicPadding2D(2).compute_output_shape((None, 32, 16, 3)) == (None, 36, 20, 3)
    model = keras.Sequential([keras.Input(shape=(None, None, 1)), PeriodicPadding2D(1)])
    for size in (4, 7):
        assert model(np.zeros((1, size, size, 1), "float32")).shape == (1, size + 2, size + 2, 1)


@pytest.mark.parametrize("width", [-1, 1.5, True, "1"])
def test_bad_width_is_refused(width):
    with pytest.raises(ValueError, match="width"):
        PeriodicPadding2D(width)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="rows, columns, channels"):
        PeriodicPadding2D(1)(np.zeros((4, 4), "float32"))
    with pytest.raises(ValueError, match="cannot wrap"):
        PeriodicPadding2D(3)(np.zeros((1, 2, 8, 1), "float32"))


def test_gradient_flows_back_to_every_site():
    import tensorflow as tf

    x = tf.Variable(_lattices((1, 5, 5, 1), seed=2))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(PeriodicPadding2D(1)(x))
    counts = tape.gradient(total, x).numpy()[0, :, :, 0]
    # each site appears once, edge sites once more per side they are copied to, corners four times
    expected = np.ones((5, 5))
    expected[[0, -1], :] += 1
    expected[:, [0, -1]] *= 2
    np.testing.assert_array_equal(counts, expected)


def test_model_with_the_layer_saves_and_loads(tmp_path):
    model = keras.Sequential([keras.Input(shape=(None, None, 1)), PeriodicPadding2D(2),
                              keras.layers.Conv2D(2, 5), keras.layers.GlobalAveragePooling2D()])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = _lattices((2, 6, 6, 1), seed=3)
    assert loaded.layers[0].width == 2
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)))
