from keras import initializers
from keras import ops
from keras.saving import register_keras_serializable

from rnn_keras.layers.base_attention import BaseAttention
from rnn_keras.validation import check_choice

SCORES = ("general", "dot")


@register_keras_serializable(package="rnn_keras")
class LuongAttention(BaseAttention):
    """Multiplicative attention (Luong et al., 2015).

    The query is the decoder's *current* output ``s_t`` (the decoder RNN runs
    first, so it can be Keras's fused, cuDNN-eligible layer, and attention is
    computed for all target steps at once in training):

        e_tj = s_t^T W h_j       ("general")  or  s_t^T h_j  ("dot")
        a_tj = softmax_j(e_tj)   (0 on padded positions)
        c_t  = sum_j a_tj h_j

    In `rnn_keras.models.seq2seq` the decoder then predicts from
    ``tanh(W_c [s_t; c_t])``, Luong's "attentional hidden state".

    Args:
        score: ``"general"`` (a learned ``W``; query and memory widths may
            differ) or ``"dot"`` (no weights; equal widths).
        kernel_initializer: initializer of ``W``.
        **kwargs: base `Layer` arguments.

    Call arguments, returns: as `BahdanauAttention`.

    Example:

    >>> attention = LuongAttention()
    >>> attention([np.zeros((2, 5, 16)), np.zeros((2, 7, 24))]).shape
    (2, 5, 24)

    References:
        Luong, Pham and Manning, "Effective approaches to attention-based
        neural machine translation", EMNLP 2015.
    """

    def __init__(self, score="general", kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.score_function = check_choice("score", score, SCORES)
        self.kernel_initializer = initializers.get(kernel_initializer)

    def build(self, inputs_shape):
        query_shape, value_shape = self._check_pair(inputs_shape, "shapes")
        if self.score_function == "dot":
            if query_shape[-1] != value_shape[-1]:
                raise ValueError(
                    f"LuongAttention(score='dot') needs query and value of the same width; "
                    f"received query width {query_shape[-1]} and value width "
                    f"{value_shape[-1]}. Use score='general'."
                )
            self.kernel = None
        else:
            self.kernel = self.add_weight(
                shape=(value_shape[-1], query_shape[-1]), initializer=self.kernel_initializer,
                name="kernel")

    def project_keys(self, value):
        """``W h_j`` for every source position: ``(batch, S, dq)``."""
        if self.kernel is None:
            return value
        return ops.matmul(value, self.kernel)

    def score(self, query, keys):
        """``e = s^T keys``: ``(batch, Tq, S)``."""
        return ops.matmul(query, ops.transpose(keys, (0, 2, 1)))

    def get_config(self):
        config = super().get_config()
        config.update({
            "score": self.score_function,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
        })
        return config
