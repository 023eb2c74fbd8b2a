from keras import ops
from keras.layers import Layer
from keras.saving import register_keras_serializable

from rnn_keras.validation import check_positive_int


@register_keras_serializable(package="rnn_keras")
class FramePatches(Layer):
    """Folds each frame's ``p``×``p`` pixel patches into channels, or back.

    ``(batch, time, h, w, c)`` becomes ``(batch, time, h/p, w/p, c*p*p)``
    (space-to-depth, as PredRNN does for Moving MNIST): a ConvLSTM on the
    folded frames costs ``p**2`` times fewer positions and each kernel sees
    ``p`` times farther. ``inverse=True`` unfolds. The two are exact
    inverses: no pixel is lost.

    Args:
        patch_size: ``p``, a positive int dividing the frame's height and width.
        inverse: unfold instead of fold.

    Call arguments:
        inputs: ``(batch, time, height, width, channels)``.

    Example:

    >>> folded = FramePatches(4)(frames)          # (b, t, 64, 64, 1) -> (b, t, 16, 16, 16)
    >>> frames = FramePatches(4, inverse=True)(folded)
    """

    def __init__(self, patch_size, inverse=False, **kwargs):
        super().__init__(**kwargs)
        check_positive_int("patch_size", patch_size)
        self.patch_size = patch_size
        self.inverse = bool(inverse)

    def build(self, input_shape):
        if len(input_shape) != 5:
            raise ValueError(f"FramePatches expects (batch, time, height, width, channels) "
                             f"inputs, got shape {input_shape}.")
        p = self.patch_size
        h, w, c = input_shape[2:]
        if self.inverse:
            if c is not None and c % (p * p):
                raise ValueError(f"Cannot unfold {c} channels into {p}x{p} patches: "
                                 f"channels must be a multiple of {p * p}.")
        elif (h is not None and h % p) or (w is not None and w % p):
            raise ValueError(f"Frames of {h}x{w} do not split into {p}x{p} patches; choose "
                             "a patch_size that divides both sides.")

    def call(self, inputs):
        p = self.patch_size
        shape = ops.shape(inputs)
        b, t, h, w, c = shape[0], shape[1], shape[2], shape[3], shape[4]
        if self.inverse:
            x = ops.reshape(inputs, (b, t, h, w, p, p, c // (p * p)))
            x = ops.transpose(x, (0, 1, 2, 4, 3, 5, 6))
            return ops.reshape(x, (b, t, h * p, w * p, c // (p * p)))
        x = ops.reshape(inputs, (b, t, h // p, p, w // p, p, c))
        x = ops.transpose(x, (0, 1, 2, 4, 3, 5, 6))
        return ops.reshape(x, (b, t, h // p, w // p, p * p * c))

    def compute_output_shape(self, input_shape):
        b, t, h, w, c = input_shape
        p = self.patch_size

        def scale(d, f):
            return None if d is None else int(d * f)

        if self.inverse:
            return (b, t, scale(h, p), scale(w, p), scale(c, 1 / (p * p)))
        return (b, t, scale(h, 1 / p), scale(w, 1 / p), scale(c, p * p))

    def get_config(self):
        config = super().get_config()
        config.update({"patch_size": self.patch_size, "inverse": self.inverse})
        return config
