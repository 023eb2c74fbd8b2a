"""Speech models on raw audio: isolated words (many-to-one) and label strings with CTC.

Both start from :class:`rnn_keras.layers.LogMelSpectrogram` inside the model,
so a saved model takes right-padded waveforms (``(batch, samples)``) and runs
on any backend; the recurrent layers skip the padded frames through the
mask the front end emits.
"""

import keras

from rnn_keras.layers.blank_padding import BlankPadding
from rnn_keras.layers.log_mel_spectrogram import LogMelSpectrogram
from rnn_keras.layers.spec_augment import SpecAugment
from rnn_keras.models.common import POOLINGS
from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import output_head
from rnn_keras.models.common import pool_over_time
from rnn_keras.models.common import recurrent_stack
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_positive_int
from rnn_keras.validation import check_positive_ints

KINDS = ("rnn", "cnn")


def _front_end(samples, features, spec_augment, mask_padding=True):
    inputs = keras.Input((samples,), name="audio")
    frames = LogMelSpectrogram(**features, mask_padding=mask_padding, name="log_mel")(inputs)
    if spec_augment:
        if not isinstance(spec_augment, dict):
            raise ValueError("`spec_augment` takes a dict of SpecAugment arguments (e.g. "
                             "{'freq_masks': 2, 'freq_width': 6, 'time_masks': 2, "
                             f"'time_width': 5}}) or None; got {spec_augment!r}.")
        frames = SpecAugment(**spec_augment, name="spec_augment")(frames)
    return inputs, frames


def word_classifier(num_classes=10, *, kind="rnn", samples=None, sampling_rate=8000,
                    frame_length=200, frame_step=80, fft_length=256, num_mel_bins=40,
                    cell="gru", units=64, num_layers=2, bidirectional=True, dropout=0.0,
                    recurrent_dropout=0.0, implementation="fused", pooling="mean_max",
                    cnn_filters=(16, 32, 64), spec_augment=None, name=None):
    """A spoken word's class from its waveform (many-to-one).

    ``kind="rnn"``: log-mel frames -> the recurrent stack (``cell``, ``units``,
    ``num_layers``, ``bidirectional``, ``implementation`` as every builder) ->
    the mean and max of its outputs over the real frames (``pooling``, or the
    last state) -> logits. ``kind="cnn"``: the same frames as an image, 3×3
    convolution blocks (each ``ReLU``, batch norm, 2×2 max pooling), global
    max pooling -> logits; it sees the padding as silence (zeros), so give it
    clips of one length.

    Args:
        num_classes: output classes (logits).
        kind: ``"rnn"`` or ``"cnn"``.
        samples: fixed waveform length, or ``None`` for any.
        sampling_rate, frame_length, frame_step, fft_length, num_mel_bins:
            the front end (:class:`rnn_keras.layers.LogMelSpectrogram`).
        cell, units, num_layers, bidirectional, dropout, recurrent_dropout, implementation:
            the shared recurrent arguments (``kind="rnn"``).
        pooling: ``"last"``, ``"mean"``, ``"max"`` or ``"mean_max"``.
        cnn_filters: channels of the convolution blocks (``kind="cnn"``).
        spec_augment: ``None``, or the arguments of a
            :class:`rnn_keras.layers.SpecAugment` after the front end
            (masking in training only).
        name: the model's name (default ``"{kind}_word_classifier"``).

    Returns:
        A built `keras.Model`: ``(batch, samples)`` to ``(batch, num_classes)``.

    Example:

    >>> model = word_classifier(10, cell="lstm", units=32, bidirectional=False)
    """
    kind = check_choice("kind", kind, KINDS)
    check_positive_int("num_classes", num_classes)
    check_positive_int("samples", samples, allow_none=True)
    features = dict(sampling_rate=sampling_rate, frame_length=frame_length,
                    frame_step=frame_step, fft_length=fft_length, num_mel_bins=num_mel_bins)
    inputs, x = _front_end(samples, features, spec_augment, mask_padding=kind == "rnn")
    if kind == "rnn":
        args = check_recurrent_args(cell, units, num_layers, bidirectional, dropout,
                                    recurrent_dropout, implementation)
        pooling = check_choice("pooling", pooling, POOLINGS)
        x = recurrent_stack(x, **args, return_sequences=pooling != "last")
        if pooling != "last":
            x = pool_over_time(x, pooling)
    else:
        cnn_filters = check_positive_ints("cnn_filters", cnn_filters)
        x = keras.layers.Reshape((-1, num_mel_bins, 1), name="as_image")(x)
        for i, width in enumerate(cnn_filters):
            x = keras.layers.Conv2D(width, 3, padding="same", activation="relu",
                                    name=f"conv_{i + 1}")(x)
            x = keras.layers.BatchNormalization(name=f"norm_{i + 1}")(x)
            x = keras.layers.MaxPooling2D(2, padding="same", name=f"pool_{i + 1}")(x)
        x = keras.layers.GlobalMaxPooling2D(name="max_over_image")(x)
    outputs = output_head(x, num_classes, None)
    return keras.Model(inputs, outputs, name=name or f"{kind}_word_classifier")


def ctc_recognizer(num_labels=10, *, sampling_rate=8000, frame_length=200, frame_step=80,
                   fft_length=256, num_mel_bins=40, cell="gru", units=64, num_layers=2,
                   bidirectional=True, dropout=0.0, recurrent_dropout=0.0,
                   implementation="fused", spec_augment=None, name="ctc_recognizer"):
    """An acoustic model for CTC (many-to-many): per-frame logits over blank + labels.

    Log-mel frames -> the recurrent stack (every frame's output) -> a Dense
    layer of ``num_labels + 1`` logits per frame, class 0 the blank and label
    ``d`` class ``d + 1`` -> :class:`rnn_keras.layers.BlankPadding` (padded
    frames become certain blanks). Train with :class:`rnn_keras.losses.CTCLoss`;
    decode with :func:`rnn_keras.decoding.ctc_greedy` or :func:`~rnn_keras.decoding.ctc_beam`.

    Args:
        num_labels: how many labels (10 digits).
        sampling_rate, frame_length, frame_step, fft_length, num_mel_bins:
            the front end.
        cell, units, num_layers, bidirectional, dropout, recurrent_dropout, implementation:
            the shared recurrent arguments.
        spec_augment: ``None`` or :class:`rnn_keras.layers.SpecAugment` arguments.
        name: the model's name.

    Returns:
        A built `keras.Model`: ``(batch, samples)`` to ``(batch, frames, num_labels + 1)``.

    Example:

    >>> model = ctc_recognizer(10, frame_step=160, units=96)
    """
    check_positive_int("num_labels", num_labels)
    args = check_recurrent_args(cell, units, num_layers, bidirectional, dropout,
                                recurrent_dropout, implementation)
    features = dict(sampling_rate=sampling_rate, frame_length=frame_length,
                    frame_step=frame_step, fft_length=fft_length, num_mel_bins=num_mel_bins)
    inputs, x = _front_end(None, features, spec_augment)
    x = recurrent_stack(x, **args, return_sequences=True)
    x = output_head(x, num_labels + 1, None, name="frame_logits")
    outputs = BlankPadding(blank=0, name="blank_padding")(x)
    return keras.Model(inputs, outputs, name=name)
