import keras
from keras import ops
from keras.saving import register_keras_serializable

from rnn_keras.validation import check_bool
from rnn_keras.validation import check_positive_int


@register_keras_serializable(package="rnn_keras")
class LogMelSpectrogram(keras.layers.Layer):
    """Raw audio in, normalised log-mel frames out, with a mask on the padding.

    Puts the speech front end inside the model, so a saved model takes
    waveforms and runs on any backend:

    1. the power spectrogram of frames of ``frame_length`` samples every
       ``frame_step`` (Hann window, ``keras.layers.MelSpectrogram``),
       pooled into ``num_mel_bins`` triangular mel bands;
    2. ``x = log(mel + floor)`` per frame and band;
    3. with ``normalize=True``, per-utterance mean and variance
       normalisation of every band over the utterance's real frames
       (``(x - mean) / (std + 1e-3)``), which takes out the loudness and
       the microphone's colour of each recording;
    4. padded frames set to 0, and masked.

    The length of an utterance is read from the audio itself: up to its
    last non-zero sample (so right-pad with zeros: :func:`rnn_keras.data.spoken_digits.pad`).
    A frame counts as real when its whole window lies inside that length,
    so the features of the real frames do not depend on how much padding
    follows.

    ``keras.layers.MelSpectrogram``'s own decibel scaling clips at
    ``top_db`` below the maximum **of the whole batch**, so an utterance's
    features would change with the batch it is in; this layer takes the
    logarithm per element instead.

    Args:
        sampling_rate: of the audio, in Hz.
        frame_length: samples per analysis frame (200 = 25 ms at 8 kHz).
        frame_step: samples between frames (80 = 10 ms at 8 kHz).
        fft_length: FFT size, at least ``frame_length``.
        num_mel_bins: mel bands.
        min_freq, max_freq: the band edges in Hz (``max_freq=None``: half
            the sampling rate).
        normalize: per-utterance mean/variance normalisation.
        floor: added to the mel power before the logarithm.
        mask_padding: emit the frame mask (``False`` for layers that cannot
            take one, such as convolutions; padded frames stay zeros).

    Call arguments:
        inputs: ``(batch, samples)`` float waveforms, right-padded with zeros.

    Returns:
        ``(batch, frames, num_mel_bins)`` with ``frames = samples // frame_step + 1``
        and (``mask_padding=True``) a boolean mask ``(batch, frames)``.

    Example:

    >>> audio = keras.Input((None,))
    >>> frames = LogMelSpectrogram(sampling_rate=8000, num_mel_bins=40)(audio)
    >>> outputs = keras.layers.GRU(64)(frames)  # the GRU skips the padding
    """

    def __init__(self, sampling_rate=8000, frame_length=200, frame_step=80, fft_length=256,
                 num_mel_bins=40, min_freq=20.0, max_freq=None, normalize=True, floor=1e-6,
                 mask_padding=True, **kwargs):
        super().__init__(**kwargs)
        self.sampling_rate = check_positive_int("sampling_rate", sampling_rate)
        self.frame_length = check_positive_int("frame_length", frame_length)
        self.frame_step = check_positive_int("frame_step", frame_step)
        self.fft_length = check_positive_int("fft_length", fft_length)
        if fft_length < frame_length:
            raise ValueError(f"fft_length ({fft_length}) must be at least frame_length "
                             f"({frame_length}); use the next power of two.")
        self.num_mel_bins = check_positive_int("num_mel_bins", num_mel_bins)
        nyquist = sampling_rate / 2
        max_freq = nyquist if max_freq is None else float(max_freq)
        if not 0 <= float(min_freq) < max_freq <= nyquist:
            raise ValueError(f"Expected 0 <= min_freq < max_freq <= {nyquist} (half the "
                             f"sampling rate); got min_freq={min_freq!r}, max_freq={max_freq!r}.")
        self.min_freq, self.max_freq = float(min_freq), max_freq
        self.normalize = check_bool("normalize", normalize)
        if not float(floor) > 0:
            raise ValueError(f"`floor` must be > 0 (it keeps log finite); got {floor!r}.")
        self.floor = float(floor)
        self.mask_padding = check_bool("mask_padding", mask_padding)
        self.mel = keras.layers.MelSpectrogram(
            fft_length=fft_length, sequence_stride=frame_step, sequence_length=frame_length,
            sampling_rate=sampling_rate, num_mel_bins=num_mel_bins, min_freq=self.min_freq,
            max_freq=max_freq, power_to_db=False, dtype="float32", name="mel")
        self.supports_masking = True

    def build(self, input_shape):
        # The mel layer holds no weights; building it here spares Keras a
        # trace of call() on symbolic shapes (which JAX cannot pad by reflection).
        self.mel.build(input_shape)
        self.built = True

    def frame_mask(self, inputs):
        """``(batch, frames)``: True where a frame's window ends inside the utterance."""
        # Frame f is centred on sample f * step: its window covers
        # [f * step - frame_length // 2, f * step + frame_length - frame_length // 2)
        # (centred STFT). Frames that reach past the last non-zero sample see
        # padding, so they are masked: padding more changes nothing. Written
        # without the (possibly unknown) number of samples, so it also runs on
        # symbolic inputs: positions[t] = t + 1.
        positions = ops.cumsum(ops.ones_like(inputs, dtype="int32"), axis=1)
        length = ops.max(ops.where(ops.not_equal(inputs, 0), positions, 0), axis=1)
        centres = ops.pad(positions, [[0, 0], [1, 0]])[:, ::self.frame_step]
        reach = self.frame_length - self.frame_length // 2
        return ops.less_equal(centres + reach, length[:, None])

    def call(self, inputs):
        inputs = ops.cast(inputs, "float32")
        power = ops.transpose(self.mel(inputs), (0, 2, 1))  # (batch, frames, bins)
        x = ops.log(power + self.floor)
        mask = self.frame_mask(inputs)
        keep = ops.cast(mask, x.dtype)[:, :, None]
        if self.normalize:
            count = ops.maximum(ops.sum(keep, axis=1, keepdims=True), 1.0)
            mean = ops.sum(x * keep, axis=1, keepdims=True) / count
            var = ops.sum(ops.square(x - mean) * keep, axis=1, keepdims=True) / count
            x = (x - mean) / (ops.sqrt(var) + 1e-3)
        return ops.cast(x * keep, self.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        return self.frame_mask(inputs) if self.mask_padding else None

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        frames = None if samples is None else samples // self.frame_step + 1
        return (input_shape[0], frames, self.num_mel_bins)

    def get_config(self):
        config = super().get_config()
        config.update(sampling_rate=self.sampling_rate, frame_length=self.frame_length,
                      frame_step=self.frame_step, fft_length=self.fft_length,
                      num_mel_bins=self.num_mel_bins, min_freq=self.min_freq,
                      max_freq=self.max_freq, normalize=self.normalize, floor=self.floor,
                      mask_padding=self.mask_padding)
        return config
