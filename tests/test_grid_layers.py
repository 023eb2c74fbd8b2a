"""FramePatches and GridPositionEmbedding, on whichever backend runs the tests (TF and JAX)."""

import keras
import numpy as np
import pytest

from rnn_keras.layers import FramePatches
from rnn_keras.layers import GridPositionEmbedding

pytestmark = pytest.mark.jax  # backend-neutral: also runs in the JAX pass


def test_frame_patches_fold_and_unfold_exactly():
    x = np.random.default_rng(0).random((2, 3, 8, 12, 2)).astype("float32")
    folded = keras.ops.convert_to_numpy(FramePatches(4)(x))
    assert folded.shape == (2, 3, 2, 3, 32)
    np.testing.assert_array_equal(folded[0, 0, 0, 0].reshape(4, 4, 2), x[0, 0, :4, :4])
    back = keras.ops.convert_to_numpy(FramePatches(4, inverse=True)(folded))
    np.testing.assert_array_equal(back, x)
    layer = FramePatches(2, inverse=True, name="unfold")
    assert FramePatches.from_config(layer.get_config()).get_config() == layer.get_config()
    assert FramePatches(4).compute_output_shape((None, None, 8, 12, 2)) == (None, None, 2, 3, 32)
    with pytest.raises(ValueError, match="patch_size"):
        FramePatches(0)
    with pytest.raises(ValueError, match="divides"):
        FramePatches(3)(x)
    with pytest.raises(ValueError, match="multiple of 4"):
        FramePatches(2, inverse=True)(x[..., :1])


def test_grid_position_embedding_adds_one_vector_per_cell():
    layer = GridPositionEmbedding(initializer="ones")
    x = np.zeros((2, 5, 3), "float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), np.ones((2, 5, 3)))
    assert tuple(layer.positions.shape) == (5, 3)
    config = layer.get_config()
    assert GridPositionEmbedding.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="known number of cells"):
        GridPositionEmbedding()(keras.Input((None, 3)))


def _model():
    frames = keras.Input((3, 8, 8, 1))
    x = FramePatches(2)(frames)
    x = keras.layers.Reshape((3 * 16, 4))(x)
    x = GridPositionEmbedding()(x)
    x = keras.layers.Dense(4)(x)
    x = keras.layers.Reshape((3, 4, 4, 4))(x)
    return keras.Model(frames, FramePatches(2, inverse=True)(x))


def test_fit_step_with_jit_compile_and_keras_file_round_trip(tmp_path):
    keras.utils.set_random_seed(0)
    model = _model()
    model.compile(optimizer="adam", loss="mse", jit_compile=True)
    x = np.random.default_rng(0).random((4, 3, 8, 8, 1)).astype("float32")
    before = model.evaluate(x, x, verbose=0)
    model.fit(x, x, epochs=3, verbose=0)
    assert model.evaluate(x, x, verbose=0) < before
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-6)
