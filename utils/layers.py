"""Keras layers the course adds: periodic padding, for lattices with periodic boundaries (notebook 14).

Built from ``keras.ops`` only, so the layer runs on every Keras 3 backend.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="course")
class PeriodicPadding2D(keras.layers.Layer):
    """Pad the two spatial axes of (batch, rows, columns, channels) by `width` sites, wrapping around the edges.

    Row ``-1`` (the last) goes above row 0 and row 0 below the last row, and the
    same for the columns, as on a torus. Followed by a convolution with
    ``padding="valid"`` and kernel size ``2 * width + 1``, the output has the
    input's size and is exactly equivariant under translations of the lattice.
    """

    def __init__(self, width: int = 1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(width, bool) or not isinstance(width, int) or width < 0:
            raise ValueError(f"width must be a whole number >= 0, not {width!r}")
        self.width = width

    def build(self, input_shape) -> None:
        """Refuse inputs that are not (batch, rows, columns, channels) or smaller than the padding."""
        if len(input_shape) != 4:
            raise ValueError(f"PeriodicPadding2D expects (batch, rows, columns, channels), got {input_shape}")
        if any(size is not None and size < self.width for size in input_shape[1:3]):
            raise ValueError(f"a lattice of {input_shape[1:3]} sites cannot wrap {self.width} sites around")

    def call(self, inputs):
        """The input with `width` wrapped-around rows and columns added on every side."""
        w = self.width
        if w == 0:
            return inputs
        rows = ops.concatenate([inputs[:, -w:], inputs, inputs[:, :w]], axis=1)
        return ops.concatenate([rows[:, :, -w:], rows, rows[:, :, :w]], axis=2)

    def compute_output_shape(self, input_shape) -> tuple:
        """Rows and columns grow by 2 * width; unknown sizes (None) stay unknown."""
        batch, rows, columns, channels = input_shape
        return (batch, *(None if n is None else n + 2 * self.width for n in (rows, columns)), channels)

    def get_config(self) -> dict:
        """The layer's settings, so that a saved model can be loaded again."""
        return {**super().get_config(), "width": self.width}
