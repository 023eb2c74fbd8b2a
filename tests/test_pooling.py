import keras
import numpy as np
import pytest

from rnn_keras.layers import MaskedGlobalMaxPooling1D

pytestmark = pytest.mark.jax  # backend-neutral: also runs in the JAX pass


def test_padded_steps_do_not_join_the_max():
    x = np.array([[[-1.0, -5.0], [-2.0, -3.0], [0.0, 0.0]]], "float32")  # last step is padding
    mask = np.array([[True, True, False]])
    pooled = keras.ops.convert_to_numpy(MaskedGlobalMaxPooling1D()(x, mask=mask))
    np.testing.assert_allclose(pooled, [[-1.0, -3.0]])
    # Behind the same mask, Keras's own layer lets the padded zeros win: the reason
    # this layer exists.
    inputs = keras.Input((3, 2))
    masked = keras.layers.Masking(0.0)(inputs)
    ours = keras.Model(inputs, MaskedGlobalMaxPooling1D()(masked))
    theirs = keras.Model(inputs, keras.layers.GlobalMaxPooling1D()(masked))
    np.testing.assert_allclose(ours.predict(x, verbose=0), [[-1.0, -3.0]])
    np.testing.assert_allclose(theirs.predict(x, verbose=0), [[0.0, 0.0]])


def test_without_mask_and_fully_masked_rows():
    x = np.arange(12, dtype="float32").reshape(2, 3, 2) - 20
    layer = MaskedGlobalMaxPooling1D()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), x.max(axis=1))
    mask = np.array([[False, False, False], [True, False, False]])
    out = keras.ops.convert_to_numpy(layer(x, mask=mask))
    np.testing.assert_allclose(out, [[0.0, 0.0], x[1, 0]])


def test_mask_from_embedding_and_config():
    tokens = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(10, 4, mask_zero=True)(tokens)
    out = MaskedGlobalMaxPooling1D(name="pool")(x)
    model = keras.Model(tokens, out)
    ids = np.array([[3, 4, 0, 0]])
    longer = np.array([[3, 4, 0, 0, 0, 0]])
    np.testing.assert_allclose(model.predict(ids, verbose=0), model.predict(longer, verbose=0))
    layer = model.get_layer("pool")
    assert MaskedGlobalMaxPooling1D.from_config(layer.get_config()).get_config() == layer.get_config()
    assert layer.compute_output_shape((2, 7, 4)) == (2, 4)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32"])
def test_padding_sits_below_every_real_value_of_the_dtype(dtype):
    # Real steps far below zero (bfloat16 reaches -3e38): the padded step must
    # still lose; the old fill of -6e4 won against -1e5 in bfloat16.
    low = {"bfloat16": -1e5, "float16": -6e4, "float32": -1e35}[dtype]
    x = keras.ops.cast(np.array([[[low], [2 * low if dtype != "float16" else -65000.0], [0.0]]]),
                       dtype)
    mask = np.array([[True, True, False]])
    pooled = keras.ops.convert_to_numpy(
        keras.ops.cast(MaskedGlobalMaxPooling1D(dtype=dtype)(x, mask=mask), "float32"))
    np.testing.assert_allclose(pooled, [[low]], rtol=1e-2)


def test_integer_inputs_are_refused_with_the_dtype():
    with pytest.raises(ValueError, match="expects float inputs, got dtype 'int32'"):
        MaskedGlobalMaxPooling1D()(np.zeros((1, 2, 1), "int32"), mask=np.array([[True, False]]))
