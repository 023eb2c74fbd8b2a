from keras import initializers
from keras import ops
from keras.saving import register_keras_serializable

from rnn_keras.layers.base_attention import BaseAttention
from rnn_keras.validation import check_positive_int


@register_keras_serializable(package="rnn_keras")
class BahdanauAttention(BaseAttention):
    """Additive attention (Bahdanau et al., 2015).

    Each source position ``j`` (an encoder output ``h_j``) gets a score from a
    one-hidden-layer network of the query ``s`` (the decoder's state):

        e_j   = v^T tanh(W_q s + W_k h_j + b)
        a_j   = exp(e_j) / sum_k exp(e_k)        (0 on padded positions)
        c     = sum_j a_j h_j                    the context vector

    ``W_k h_j`` does not depend on the query, so :meth:`project_keys` computes
    it once per source sentence; a decoder step then costs one small matmul.
    The query and memory may have different widths.

    Args:
        units: width of the scoring network's hidden layer.
        kernel_initializer: initializer of ``W_q``, ``W_k`` and ``v``.
        **kwargs: base `Layer` arguments (``name``, ``dtype``).

    Call arguments:
        inputs: ``[query, value]``: query ``(batch, Tq, dq)`` or ``(batch,
            dq)``, value ``(batch, S, dv)``.
        mask: optional ``[query_mask, value_mask]``, ``value_mask`` ``(batch,
            S)`` True on real positions.
        return_attention_scores: also return the weights ``(batch, Tq, S)``.

    Returns:
        The context ``(batch, Tq, dv)`` (``(batch, dv)`` for a 2D query), and
        the weights if asked for.

    Example:

    >>> attention = BahdanauAttention(32)
    >>> context, weights = attention([np.zeros((2, 16)), np.zeros((2, 7, 24))],
    ...                              return_attention_scores=True)
    >>> context.shape, weights.shape
    ((2, 24), (2, 7))

    References:
        Bahdanau, Cho and Bengio, "Neural machine translation by jointly
        learning to align and translate", ICLR 2015.
    """

    def __init__(self, units, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int("units", units)
        self.kernel_initializer = initializers.get(kernel_initializer)

    def build(self, inputs_shape):
        query_shape, value_shape = self._check_pair(inputs_shape, "shapes")
        self.query_kernel = self.add_weight(
            shape=(query_shape[-1], self.units), initializer=self.kernel_initializer,
            name="query_kernel")
        self.key_kernel = self.add_weight(
            shape=(value_shape[-1], self.units), initializer=self.kernel_initializer,
            name="key_kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self.score_vector = self.add_weight(
            shape=(self.units,), initializer=self.kernel_initializer, name="score_vector")

    def project_keys(self, value):
        """``W_k h_j + b`` for every source position: ``(batch, S, units)``."""
        return ops.matmul(value, self.key_kernel) + self.bias

    def score(self, query, keys):
        """``e = v^T tanh(W_q s + keys)``: ``(batch, Tq, S)``."""
        q = ops.matmul(query, self.query_kernel)                 # (batch, Tq, units)
        hidden = ops.tanh(ops.expand_dims(q, 2) + ops.expand_dims(keys, 1))
        return ops.sum(hidden * self.score_vector, axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
        })
        return config
