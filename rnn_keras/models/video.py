"""Recurrent models over video frames: next-frame prediction and clip classification."""

import keras
import numpy as np

from rnn_keras.layers.frame_patches import FramePatches
from rnn_keras.models.many_to_one import many_to_one
from rnn_keras.validation import check_image_shape
from rnn_keras.validation import check_positive_int
from rnn_keras.validation import check_positive_ints


def next_frame_model(frame_shape, *, filters=(32, 32), kernel_size=3, patch_size=1,
                     dropout=0.0, name="next_frame"):
    """ConvLSTM frame predictor (many-to-many, Shi et al. 2015): frame ``t`` -> ``t + 1``.

    A stack of ``keras.layers.ConvLSTM2D`` (its state is an image: the
    recurrence is a convolution, so it tracks where things are), each
    followed by batch normalisation, then a 3D convolution to one sigmoid
    image per step. With ``patch_size`` p > 1, frames are folded into
    p×p patches first (:class:`rnn_keras.layers.FramePatches`) and unfolded
    at the end: p² fewer positions to convolve. Trained with teacher forcing on frames ``0..T-2`` to
    predict ``1..T-1``; :func:`rollout` feeds its own predictions back.

    Args:
        frame_shape: ``(height, width, channels)``, pixel values in [0, 1].
        filters: channels of each ConvLSTM layer (its length is the depth).
        kernel_size: spatial kernel of the ConvLSTM layers.
        patch_size: fold p×p pixel patches into channels (must divide h and w).
        dropout: input dropout of the ConvLSTM layers.
        name: the model's name.

    Returns:
        A built `keras.Model`: ``(batch, time, h, w, c)`` to the same shape.

    Example:

    >>> model = next_frame_model((32, 32, 1), filters=(16, 16))
    """
    frame_shape = check_image_shape("frame_shape", frame_shape)
    filters = check_positive_ints("filters", filters)
    check_positive_int("kernel_size", kernel_size)
    check_positive_int("patch_size", patch_size)
    if frame_shape[0] % patch_size or frame_shape[1] % patch_size:
        raise ValueError(f"patch_size {patch_size} does not divide the frame size "
                         f"{frame_shape[:2]}; choose one that divides both sides.")
    inputs = keras.Input((None, *frame_shape), name="frames")
    x = FramePatches(patch_size, name="to_patches")(inputs) if patch_size > 1 else inputs
    channels = frame_shape[-1] * patch_size ** 2
    for i, width in enumerate(filters):
        x = keras.layers.ConvLSTM2D(width, kernel_size, padding="same", return_sequences=True,
                                    dropout=dropout, name=f"conv_lstm_{i + 1}")(x)
        x = keras.layers.BatchNormalization(name=f"norm_{i + 1}")(x)
    x = keras.layers.Conv3D(channels, (1, 3, 3), padding="same", activation="sigmoid",
                            name="next_patches" if patch_size > 1 else "next_frames")(x)
    if patch_size > 1:
        x = FramePatches(patch_size, inverse=True, name="next_frames")(x)
    outputs = x
    return keras.Model(inputs, outputs, name=name)


def rollout(model, context, steps):
    """Predicts ``steps`` frames after ``context``, feeding each prediction back in.

    ``context``: ``(batch, t, h, w, c)``. Returns ``(batch, steps, h, w, c)``.
    """
    check_positive_int("steps", steps)
    frames = np.asarray(context, "float32")
    if frames.ndim != 5:
        raise ValueError(f"Expected context of shape (batch, time, h, w, c), got {frames.shape}.")
    predicted = []
    for _ in range(steps):
        nxt = keras.ops.convert_to_numpy(model(frames, training=False))[:, -1:]
        predicted.append(nxt)
        frames = np.concatenate([frames, nxt], axis=1)
    return np.concatenate(predicted, axis=1)


def clip_classifier(frame_shape, num_classes, *, cnn_filters=(16, 32), cell="gru", units=64,
                    num_layers=1, bidirectional=False, dropout=0.0, implementation="fused",
                    name="clip_classifier"):
    """Frame CNN + recurrent many-to-one: the class of a clip (many-to-one).

    Each frame goes through the same small CNN (``TimeDistributed``:
    convolutions, pooling, a flat feature vector); the sequence of feature
    vectors goes to :func:`rnn_keras.models.many_to_one`, whose recurrent
    layer sees the frames in order.

    Args:
        frame_shape: ``(height, width, channels)``.
        num_classes: number of classes (the output is logits).
        cnn_filters: channels of the convolution blocks (each halves the image).
        cell, units, num_layers, bidirectional, dropout, implementation:
            passed to ``many_to_one``.
        name: the model's name.

    Returns:
        A built `keras.Model`: ``(batch, time, h, w, c)`` to ``(batch, num_classes)``.
    """
    frame_shape = check_image_shape("frame_shape", frame_shape)
    check_positive_int("num_classes", num_classes)
    cnn_filters = check_positive_ints("cnn_filters", cnn_filters)
    cnn = keras.Sequential(name="frame_cnn")
    cnn.add(keras.Input(frame_shape))
    for width in cnn_filters:
        cnn.add(keras.layers.Conv2D(width, 3, padding="same", activation="relu"))
        cnn.add(keras.layers.MaxPooling2D(2))
    cnn.add(keras.layers.Flatten())
    features = int(np.prod(cnn.compute_output_shape((1, *frame_shape))[1:]))
    recurrent = many_to_one(num_classes, input_dim=features, cell=cell, units=units,
                            num_layers=num_layers, bidirectional=bidirectional,
                            dropout=dropout, implementation=implementation,
                            name="over_time")
    inputs = keras.Input((None, *frame_shape), name="frames")
    x = keras.layers.TimeDistributed(cnn, name="per_frame")(inputs)
    outputs = recurrent(x)
    return keras.Model(inputs, outputs, name=name)
