from keras import ops
from keras.layers import Layer
from keras.saving import register_keras_serializable

from rnn_keras.validation import check_positive_int


@register_keras_serializable(package="rnn_keras")
class LastTokens(Layer):
    """Keeps the last ``max_length`` tokens of each right-padded row of ids.

    A model trained on the last ``N`` tokens of each review (as
    ``rnn_keras.data.imdb.token_ids`` and ``pad_sequences(truncating="pre")``
    cut them) must read the same ``N`` tokens when it is served raw text:
    ``TextVectorization`` gives every token of the text, right-padded with 0,
    and this layer cuts them the way training did:

        kept_b = ids_b[max(0, n_b - N) : n_b]        n_b = number of ids != 0

    right-padded with 0 to width ``N`` (a padding the model's
    ``Embedding(mask_zero=True)`` masks).

    Args:
        max_length: ``N``, tokens kept from the end of each row.

    Call arguments:
        inputs: int ids ``(batch, steps)``, 0 only as right padding.

    Returns:
        ``(batch, max_length)`` ids of the same dtype.

    Example:

    >>> LastTokens(3)(np.array([[5, 6, 7, 8, 0], [9, 0, 0, 0, 0]]))
    array([[6, 7, 8], [9, 0, 0]])
    """

    def __init__(self, max_length, **kwargs):
        super().__init__(**kwargs)
        self.max_length = check_positive_int("max_length", max_length)

    def call(self, inputs):
        ids = ops.convert_to_tensor(inputs)
        # one zero column: a row of no tokens (an empty text) still has a step to read
        ids = ops.pad(ids, [[0, 0], [0, 1]])
        lengths = ops.sum(ops.cast(ops.not_equal(ids, 0), "int32"), axis=1)
        start = ops.maximum(lengths - self.max_length, 0)
        positions = start[:, None] + ops.arange(self.max_length, dtype="int32")[None, :]
        real = positions < lengths[:, None]
        positions = ops.minimum(positions, ops.shape(ids)[1] - 1)
        kept = ops.take_along_axis(ids, positions, axis=1)
        return ops.where(real, kept, ops.zeros_like(kept))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.max_length)

    def get_config(self):
        return {**super().get_config(), "max_length": self.max_length}
