import keras

from rnn_keras.validation import check_positive_int


@keras.saving.register_keras_serializable(package="rnn_keras")
class GroupedSparseCategoricalCrossentropy(keras.losses.Loss):
    """Mean cross-entropy of ``groups`` softmaxes read from one vector of logits.

    A model that predicts several categorical values per step (the four
    voices of a chorale, one of 47 notes each) emits ``groups * classes``
    logits; this loss reads them as ``groups`` blocks of ``classes`` and
    averages the sparse cross-entropies of the blocks:

    .. math::
        \\ell = \\frac{1}{G} \\sum_{g=1}^{G} -\\log \\mathrm{softmax}(z_g)_{y_g}

    Args:
        groups: how many values each step predicts (``G``).
        from_logits: ``y_pred`` holds logits (the default) or probabilities.
        reduction, name: as for any ``keras.losses.Loss``.

    Call arguments:
        y_true: integer classes ``(..., groups)``.
        y_pred: ``(..., groups * classes)``.

    Returns (before reduction) ``(...)``: one loss per step.

    Example:

    >>> loss = GroupedSparseCategoricalCrossentropy(groups=4)
    >>> model.compile("adam", loss=loss)  # doctest: +SKIP
    """

    def __init__(self, groups, from_logits=True, reduction="sum_over_batch_size",
                 name="grouped_sparse_categorical_crossentropy"):
        super().__init__(reduction=reduction, name=name)
        self.groups = check_positive_int("groups", groups)
        self.from_logits = bool(from_logits)

    def call(self, y_true, y_pred):
        shape = keras.ops.shape(y_pred)
        width = y_pred.shape[-1]
        if width is not None and width % self.groups:
            raise ValueError(f"Expected y_pred's last axis to hold {self.groups} equal blocks "
                             f"of logits, got width {width}.")
        blocks = keras.ops.reshape(
            y_pred, (*[shape[i] for i in range(len(y_pred.shape) - 1)], self.groups, -1))
        return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(
            y_true, blocks, from_logits=self.from_logits), axis=-1)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "from_logits": self.from_logits}
