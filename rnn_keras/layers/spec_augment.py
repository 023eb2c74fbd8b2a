import keras
from keras import ops
from keras.saving import register_keras_serializable

from rnn_keras.validation import check_nonnegative
from rnn_keras.validation import check_seed


@register_keras_serializable(package="rnn_keras")
class SpecAugment(keras.layers.Layer):
    """Masks random bands of frequency and spans of time, in training only.

    SpecAugment's masking (Park et al. 2019): each training example gets
    ``freq_masks`` bands of up to ``freq_width`` consecutive mel bands and
    ``time_masks`` spans of up to ``time_width`` consecutive frames set to
    ``0`` (the mean, after per-utterance normalisation). The model cannot
    lean on any one band or moment, which helps most where test voices
    differ from training ones. At inference (``training=False``) it passes
    its input through unchanged. The mask of the input (padding) passes on.

    Args:
        freq_masks: bands masked per example.
        freq_width: the widest band, in mel bands (each width is drawn from
            ``0..freq_width``).
        time_masks: spans masked per example.
        time_width: the longest span, in frames.
        seed: seed of the layer's random draws.

    Call arguments:
        inputs: ``(batch, frames, bands)``.
        training: mask only when True.

    Example:

    >>> frames = LogMelSpectrogram()(audio)
    >>> frames = SpecAugment(freq_masks=2, freq_width=6, time_masks=2, time_width=5)(frames)

    References:
        Park et al., "SpecAugment: A Simple Data Augmentation Method for
        Automatic Speech Recognition", Interspeech 2019.
    """

    def __init__(self, freq_masks=2, freq_width=6, time_masks=2, time_width=5, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        for name, value in (("freq_masks", freq_masks), ("freq_width", freq_width),
                            ("time_masks", time_masks), ("time_width", time_width)):
            check_nonnegative(name, value)
            if int(value) != value:
                raise ValueError(f"`{name}` must be a whole number >= 0; got {value!r}.")
        self.freq_masks, self.freq_width = int(freq_masks), int(freq_width)
        self.time_masks, self.time_width = int(time_masks), int(time_width)
        self.seed = check_seed("seed", seed)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def _spans(self, batch, length, count, width):
        """``(batch, length)`` True inside ``count`` random spans of up to ``width``."""
        positions = ops.arange(length, dtype="float32")[None, None, :]
        size = ops.shape(positions)[-1]
        widths = ops.floor(keras.random.uniform((batch, count, 1), 0, width + 1,
                                                seed=self.seed_generator))
        starts = ops.floor(keras.random.uniform((batch, count, 1), 0, 1,
                                                seed=self.seed_generator)
                           * ops.maximum(ops.cast(size, "float32") - widths, 1.0))
        inside = ops.logical_and(positions >= starts, positions < starts + widths)
        return ops.any(inside, axis=1)

    def call(self, inputs, training=False):
        if not training or (self.freq_masks == 0 and self.time_masks == 0):
            return inputs
        shape = ops.shape(inputs)
        batch, frames, bands = shape[0], shape[1], shape[2]
        drop = ops.zeros((batch, frames, bands), dtype="bool")
        if self.freq_masks and self.freq_width:
            drop = ops.logical_or(drop, self._spans(batch, bands, self.freq_masks,
                                                    self.freq_width)[:, None, :])
        if self.time_masks and self.time_width:
            drop = ops.logical_or(drop, self._spans(batch, frames, self.time_masks,
                                                    self.time_width)[:, :, None])
        return ops.where(drop, ops.zeros_like(inputs), inputs)

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "freq_masks": self.freq_masks,
                "freq_width": self.freq_width, "time_masks": self.time_masks,
                "time_width": self.time_width, "seed": self.seed}
