import keras
from keras import ops

from rnn_keras.validation import check_nonnegative_int


@keras.saving.register_keras_serializable(package="rnn_keras")
class CTCLoss(keras.losses.Loss):
    """Connectionist temporal classification (Graves et al. 2006) for ``fit``.

    The negative log probability of the label sequence, summed over every
    alignment of it to the frames (a label may last several frames; blanks
    may sit between labels, and must between two equal labels):

    .. math::
        \\ell = -\\log \\sum_{\\pi \\in \\mathcal{B}^{-1}(y)} \\prod_t p_t(\\pi_t)

    where :math:`\\mathcal{B}` removes repeats, then blanks. Computed by
    ``keras.ops.ctc_loss`` (any backend). Every frame of ``y_pred`` counts:
    make padded frames certain blanks first (:class:`rnn_keras.layers.BlankPadding`),
    which leaves the loss of each utterance unchanged.

    Args:
        blank: index of the blank class (0: digit d is class d + 1).
        reduction, name: as for any ``keras.losses.Loss``.

    Call arguments:
        y_true: int ``(batch, max_labels)``, right-padded with the blank
            index (:func:`rnn_keras.data.spoken_digits.pad_labels`).
        y_pred: logits ``(batch, frames, classes)``.

    Returns (before reduction) ``(batch,)``: one loss per utterance.

    Example:

    >>> model.compile("adam", loss=CTCLoss(blank=0))  # doctest: +SKIP

    References:
        Graves, Fernández, Gomez, Schmidhuber, "Connectionist Temporal
        Classification", ICML 2006.
    """

    def __init__(self, blank=0, reduction="sum_over_batch_size", name="ctc_loss"):
        super().__init__(reduction=reduction, name=name)
        self.blank = check_nonnegative_int("blank", blank)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, "int32")
        label_length = ops.sum(ops.cast(ops.not_equal(y_true, self.blank), "int32"), axis=1)
        shape = ops.shape(y_pred)
        frames = ops.full((shape[0],), shape[1], dtype="int32")
        return ops.ctc_loss(y_true, ops.cast(y_pred, "float32"), label_length, frames,
                            mask_index=self.blank)

    def get_config(self):
        return {"blank": self.blank, "reduction": self.reduction, "name": self.name}
