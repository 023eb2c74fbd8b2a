from keras import backend
from keras import ops
from keras.layers import Layer
from keras.saving import register_keras_serializable


# The lowest finite value of each float dtype (numpy.finfo(dtype).min;
# bfloat16 has float32's exponent range).
_LOWEST = {"float16": -65504.0, "bfloat16": -3.3895313892515355e38,
           "float32": -3.4028234663852886e38, "float64": -1.7976931348623157e308}


@register_keras_serializable(package="rnn_keras")
class MaskedGlobalMaxPooling1D(Layer):
    """Max over time that skips masked (padded) steps.

    ``keras.layers.GlobalMaxPooling1D`` ignores the mask in Keras 3.15: the
    zeros of padded steps join the max. This layer sets masked steps to the
    lowest value of the dtype first, so only real steps count. A sequence
    with no real step at all gives zeros.

    Call arguments:
        inputs: ``(batch, timesteps, features)``.
        mask: optional boolean ``(batch, timesteps)``, True on real steps.

    Returns:
        ``(batch, features)``.

    Example:

    >>> x = keras.layers.Embedding(100, 8, mask_zero=True)(tokens)
    >>> pooled = MaskedGlobalMaxPooling1D()(keras.layers.GRU(16, return_sequences=True)(x))
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), -1)
        dtype = backend.standardize_dtype(inputs.dtype)
        if dtype not in _LOWEST:
            raise ValueError(f"MaskedGlobalMaxPooling1D expects float inputs, got dtype {dtype!r}.")
        lowest = ops.full_like(inputs, _LOWEST[dtype])
        pooled = ops.max(ops.where(keep, inputs, lowest), axis=1)
        any_real = ops.any(keep, axis=1)
        return ops.where(any_real, pooled, ops.zeros_like(pooled))

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])
