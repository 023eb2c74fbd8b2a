"""Shared machinery of `BahdanauAttention` and `LuongAttention`."""

import keras
from keras import ops

# Added to the scores of padded source positions: exp() of it underflows to
# exactly 0 in float32, so padding gets zero weight (and, unlike -inf, a row
# with no real position gives uniform weights instead of NaN).
_MASKED_SCORE = -1e9


def masked_softmax(scores, mask=None):
    """Softmax over the last axis (in float32), zero where ``mask`` is False.

    ``scores``: ``(..., S)``; ``mask``: ``(batch, S)`` broadcast over the
    middle axes, or None.
    """
    scores = ops.cast(scores, "float32")
    if mask is not None:
        mask = ops.cast(mask, "bool")
        while len(mask.shape) < len(scores.shape):
            mask = ops.expand_dims(mask, 1)
        scores = ops.where(mask, scores, _MASKED_SCORE)
    return ops.softmax(scores, axis=-1)


class BaseAttention(keras.layers.Layer):
    """Attention of queries over a memory (the encoder's outputs).

    Subclasses implement ``project_keys(value)`` (work done once per source
    sentence) and ``score(query, keys)`` giving ``(batch, Tq, S)``. This class
    turns scores into weights (masked softmax) and weights into a context
    vector, the weighted mean of the memory.

    Call arguments:
        inputs: ``[query, value]``: query ``(batch, Tq, dq)`` or ``(batch,
            dq)`` (one query per example), value ``(batch, S, dv)``.
        mask: optional ``[query_mask, value_mask]``; ``value_mask`` ``(batch,
            S)`` is True on real source positions (padding gets weight 0).
        return_attention_scores: also return the weights.

    Returns:
        ``context`` of shape ``(batch, Tq, dv)`` (``(batch, dv)`` for a 2D
        query), and with ``return_attention_scores=True`` the weights
        ``(batch, Tq, S)`` (``(batch, S)``), which sum to 1 over ``S``.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def project_keys(self, value):
        raise NotImplementedError

    def score(self, query, keys):
        raise NotImplementedError

    def attend(self, query, keys, value, value_mask=None):
        """Context and weights for ``query`` ``(batch, Tq, dq)`` over projected keys."""
        weights = masked_softmax(self.score(query, keys), value_mask)
        context = ops.matmul(ops.cast(weights, value.dtype), value)
        return context, weights

    def _check_pair(self, inputs, what="tensors"):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2 \
                or not all(isinstance(i, (list, tuple)) or hasattr(i, "shape")
                           for i in inputs):
            raise ValueError(
                f"{type(self).__name__} expects inputs=[query, value], a list of two "
                f"{what}; received {inputs!r:.80}."
            )
        return inputs

    def _check_inputs(self, inputs):
        query, value = self._check_pair(inputs)
        if len(value.shape) != 3:
            raise ValueError(
                f"{type(self).__name__}: `value` must be (batch, source_steps, features); "
                f"received shape {tuple(value.shape)}."
            )
        if len(query.shape) not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: `query` must be (batch, features) or (batch, "
                f"steps, features); received shape {tuple(query.shape)}."
            )
        return query, value

    def call(self, inputs, mask=None, return_attention_scores=False):
        query, value = self._check_inputs(inputs)
        value_mask = None
        if mask is not None:
            value_mask = mask[1] if isinstance(mask, (list, tuple)) else mask
        single = len(query.shape) == 2
        if single:
            query = ops.expand_dims(query, 1)
        context, weights = self.attend(query, self.project_keys(value), value, value_mask)
        if single:
            context, weights = context[:, 0], weights[:, 0]
        if return_attention_scores:
            return context, weights
        return context

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(mask, (list, tuple)):
            return None
        return mask[0]  # the context follows the query's steps
