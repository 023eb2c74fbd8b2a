from keras import ops
from keras.layers import Layer
from keras.saving import register_keras_serializable

from rnn_keras.validation import check_nonnegative_int

# Logit of every non-blank class on a padded frame: e^-1e4 underflows to 0 in
# float32, so the blank has probability 1 there.
_CERTAIN = 1e4


@register_keras_serializable(package="rnn_keras")
class BlankPadding(Layer):
    """Makes every masked (padded) frame a certain CTC blank, and drops the mask.

    CTC sums over all alignments of the labels to the frames; an alignment may
    end with any number of blanks. Frames after the end of an utterance whose
    blank probability is 1 therefore change neither the probability of the
    labels nor the best path: with this layer, the CTC loss and the decoders
    can take every utterance of a batch at the padded length, and need no
    lengths (``tests/test_speech.py`` checks the loss against
    ``keras.ops.ctc_loss`` given the true lengths).

    .. math::
        z'_{t,k} = \\begin{cases} z_{t,k} & t \\text{ real} \\\\
        0 \\text{ if } k = \\text{blank}, -10^4 \\text{ otherwise} & t \\text{ padded} \\end{cases}

    Args:
        blank: index of the blank class.

    Call arguments:
        inputs: logits ``(batch, frames, classes)``.
        mask: boolean ``(batch, frames)``, True on real frames.

    Returns:
        The logits, same shape, with no mask.

    Example:

    >>> logits = keras.layers.Dense(11)(recurrent_outputs)   # carries the frame mask
    >>> logits = BlankPadding(blank=0)(logits)
    """

    def __init__(self, blank=0, **kwargs):
        super().__init__(**kwargs)
        self.blank = check_nonnegative_int("blank", blank)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return inputs
        classes = ops.shape(inputs)[-1]
        padded = ops.where(ops.arange(classes) == self.blank, 0.0, -_CERTAIN)
        padded = ops.cast(padded, inputs.dtype)
        keep = ops.expand_dims(ops.cast(mask, "bool"), -1)
        return ops.where(keep, inputs, padded[None, None, :])

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "blank": self.blank}
