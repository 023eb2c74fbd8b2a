"""Moving MNIST, generated from real MNIST digits (Srivastava et al., 2015).

Digits bounce inside a square frame; each clip is ``(frames, size, size, 1)``
floats in [0, 1]. The published file (``mnist_test_seq.npy``, 10,000 clips
of 20 frames 64×64, 800 MB) is one fixed draw of this process; generating
clips from the digits gives the same task at any size, any length and with
labels.

Digits, by ``source``:

- ``"mnist"`` (default): the MNIST **test** set, 10,000 digits 28×28:
  ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` in the
  data directory (or its ``mnist/`` folder), checked by sha256; else the
  public mirror (bounded timeout); else a clear error.
- ``"sklearn"``: scikit-learn's bundled 1,797 digits (8×8, shown 2× larger),
  offline, asked for by name.

:func:`split_digits` keeps the digit images of test clips out of training.
:func:`generate` returns the clips with their labels: the digits in each
clip, every digit's path, and the clip's **initial direction** (one of
four diagonal headings), a label only the order of the frames reveals.
:func:`read_published` reads ``mnist_test_seq.npy`` when you have it, and
:func:`read_tfds` the TFDS ``moving_mnist`` set when it is already prepared
in a TFDS data directory (it is never downloaded here).
"""

import gzip
import pathlib

import numpy as np

from rnn_keras import config
from rnn_keras.data import sources
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.data.errors import DataNotFoundError

MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"
IMAGES = sources.Archive(
    name="MNIST test images", filename="t10k-images-idx3-ubyte.gz",
    url=MIRROR + "t10k-images-idx3-ubyte.gz",
    sha256="b3d1ecee69772f10ad3399fcfc183a460646f07b37c22f1e3902096b8afcbc32", folder="mnist")
LABELS = sources.Archive(
    name="MNIST test labels", filename="t10k-labels-idx1-ubyte.gz",
    url=MIRROR + "t10k-labels-idx1-ubyte.gz",
    sha256="f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", folder="mnist")
PUBLISHED = "mnist_test_seq.npy"
PUBLISHED_URL = "http://www.cs.toronto.edu/~nitish/unsupervised_video/mnist_test_seq.npy"
DIRECTIONS = ("up-left", "up-right", "down-left", "down-right")
SOURCES = ("mnist", "sklearn")


# ---------------------------------------------------------------------------
# Digits
# ---------------------------------------------------------------------------


def read_idx(path):
    """Reads an idx file (``.gz`` or plain) into a NumPy array, checking its size.

    A truncated or foreign file raises :class:`DataCorruptError` naming the file.
    """
    path = pathlib.Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as error:
        raise DataCorruptError(f"{path} cannot be read as an idx file ({error}); the file is "
                               "damaged: download it again.") from None
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != 0x08:
        raise DataCorruptError(f"{path} is not an idx file of unsigned bytes (bad magic "
                               f"number {data[:4].hex()!r}); use the MNIST idx files.")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataCorruptError(f"{path} ends inside its header: the file is truncated; "
                               "download it again.")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise DataCorruptError(f"{path} holds {len(data)} bytes but its header promises "
                               f"{expected} (shape {shape}): the file is truncated or damaged; "
                               "download it again.")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def _idx_path(archive, data_dir, allow_download, timeout):
    data_dir = config.get_data_dir(data_dir)
    if data_dir is not None:
        for candidate in (pathlib.Path(data_dir) / archive.folder / archive.filename,
                          pathlib.Path(data_dir) / archive.filename):
            if candidate.is_file():
                return sources.verify(candidate, archive.sha256, archive)
    if not allow_download:
        raise DataNotFoundError(sources.missing_message(archive, data_dir,
                                                        reason="downloads disabled"))
    return sources.download(archive, timeout=timeout, data_dir=data_dir)


def load_digits(source="mnist", data_dir=None, allow_download=True, timeout=60):
    """``(images uint8 (n, h, w), labels int)`` of the digits clips are made from."""
    if source not in SOURCES:
        raise ValueError(f"Unknown digit source {source!r}; choose one of {SOURCES} "
                         "('sklearn': scikit-learn's bundled 8x8 digits, offline).")
    if source == "sklearn":
        from sklearn.datasets import load_digits as sklearn_digits

        digits = sklearn_digits()
        images = np.kron(digits.images, np.ones((2, 2)))  # 16x16
        return (images * (255 / 16)).round().astype("uint8"), digits.target.astype("int32")
    images = read_idx(_idx_path(IMAGES, data_dir, allow_download, timeout))
    labels = read_idx(_idx_path(LABELS, data_dir, allow_download, timeout))
    if images.ndim != 3 or labels.shape != (images.shape[0],):
        raise DataCorruptError(f"MNIST images {images.shape} and labels {labels.shape} do not "
                               "match; use the t10k images and labels files together.")
    return images, labels.astype("int32")


def split_digits(n, test_fraction=0.2, seed=0):
    """Disjoint ``(train, test)`` index arrays over ``n`` digit images."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"Expected 0 < test_fraction < 1, got {test_fraction!r}.")
    order = np.random.default_rng(seed).permutation(n)
    cut = int(round(n * test_fraction))
    return np.sort(order[cut:]), np.sort(order[:cut])


# ---------------------------------------------------------------------------
# Clips
# ---------------------------------------------------------------------------


def bounce(start, velocity, steps, limit):
    """Positions of a point moving at ``velocity``, reflected at 0 and ``limit``.

    ``start``, ``velocity``: ``(..., 2)`` floats; returns ``(steps, ..., 2)``
    positions, all within ``[0, limit]``, and the velocities used at each step.
    """
    position = np.array(start, "float64")
    velocity = np.array(velocity, "float64")
    positions, velocities = [], []
    for _ in range(steps):
        positions.append(position.copy())
        velocities.append(velocity.copy())
        position = position + velocity
        low, high = position < 0, position > limit
        position = np.where(low, -position, np.where(high, 2 * limit - position, position))
        velocity = np.where(low | high, -velocity, velocity)
    return np.stack(positions), np.stack(velocities)


def direction_class(velocity):
    """Index into :data:`DIRECTIONS` of a ``(dy, dx)`` velocity (rows grow downward)."""
    velocity = np.asarray(velocity)
    return (2 * (velocity[..., 0] > 0) + (velocity[..., 1] > 0)).astype("int32")


def generate(images, labels, n, *, frames=20, size=64, digits=2, speed=(2.0, 4.0),
             digit_size=None, seed=0):
    """``n`` clips of ``digits`` digits bouncing in a ``size``×``size`` frame.

    Args:
        images, labels: the digits to draw from (e.g. one side of
            :func:`split_digits`).
        n: number of clips.
        frames: frames per clip.
        size: frame side in pixels.
        digits: digits per clip.
        speed: ``(low, high)`` pixels per frame, drawn per digit; the heading
            is a random diagonal-ish angle (never axis-parallel, so the
            initial direction is always one of the four :data:`DIRECTIONS`).
        digit_size: side of a digit in the frame (default: ``size * 28 / 64``).
        seed: the same seed gives the same clips.

    Returns:
        A dict: ``frames`` float32 ``(n, frames, size, size, 1)`` in [0, 1]
        (overlapping digits combine by maximum), ``digits`` int32
        ``(n, digits)``, ``image_ids`` int32 ``(n, digits)`` (rows of
        ``images`` drawn), ``positions`` float32 ``(n, frames, digits, 2)``
        (top-left corner, row then column), ``direction`` int32 ``(n,)``:
        the first digit's initial heading.
    """
    if n < 1 or frames < 1 or digits < 1:
        raise ValueError(f"Expected n, frames and digits >= 1, got {n}, {frames}, {digits}.")
    digit_size = int(digit_size or round(size * 28 / 64))
    if not 4 <= digit_size <= size:
        raise ValueError(f"Expected 4 <= digit_size <= size ({size}), got {digit_size}.")
    if not 0 < speed[0] <= speed[1]:
        raise ValueError(f"Expected speed (low, high) with 0 < low <= high, got {speed!r}.")
    rng = np.random.default_rng(seed)
    glyphs = resize_digits(images, digit_size)
    limit = size - digit_size
    picks = rng.integers(0, len(images), size=(n, digits))
    start = rng.uniform(0, limit, size=(n, digits, 2))
    angle = rng.uniform(0.15, np.pi / 2 - 0.15, size=(n, digits))
    angle = angle + (np.pi / 2) * rng.integers(0, 4, size=(n, digits))
    magnitude = rng.uniform(speed[0], speed[1], size=(n, digits))
    velocity = np.stack([magnitude * np.sin(angle), magnitude * np.cos(angle)], axis=-1)
    positions, _ = bounce(start, velocity, frames, limit)  # (frames, n, digits, 2)
    positions = positions.transpose(1, 0, 2, 3)
    out = np.zeros((n, frames, size, size), "float32")
    corners = np.rint(positions).astype(int)
    for i in range(n):
        for d in range(digits):
            glyph = glyphs[picks[i, d]]
            for t in range(frames):
                r, c = corners[i, t, d]
                window = out[i, t, r:r + digit_size, c:c + digit_size]
                np.maximum(window, glyph, out=window)
    return {"frames": out[..., None], "digits": labels[picks].astype("int32"),
            "image_ids": picks.astype("int32"),
            "positions": positions.astype("float32"),
            "direction": direction_class(velocity[:, 0])}


def resize_digits(images, side):
    """Digits as float32 ``(n, side, side)`` in [0, 1] (bilinear, via Keras)."""
    import keras

    images = np.asarray(images, "float32")[..., None] / 255.0
    if images.shape[1:3] != (side, side):
        images = keras.ops.convert_to_numpy(keras.ops.image.resize(images, (side, side)))
    return np.clip(images[..., 0], 0.0, 1.0)


def make_splits(n_train, n_test, *, source="mnist", data_dir=None, test_fraction=0.2,
                seed=0, **clip_args):
    """Train and test clips whose digits come from disjoint sets of digit images.

    Returns ``{"train": clips, "test": clips}`` as :func:`generate` makes
    them; their ``image_ids`` index the whole digit set, so the split can be
    checked.
    """
    images, labels = load_digits(source, data_dir)
    train_index, test_index = split_digits(len(images), test_fraction, seed)
    splits = {}
    for name, index, n, offset in (("train", train_index, n_train, 0),
                                   ("test", test_index, n_test, 1)):
        clips = generate(images[index], labels[index], n, seed=seed + offset, **clip_args)
        clips["image_ids"] = index[clips["image_ids"]]  # rows of the whole digit set
        splits[name] = clips
    return splits


def read_published(data_dir=None):
    """The published ``mnist_test_seq.npy`` as float32 ``(10000, 20, 64, 64, 1)``.

    The file is 800 MB and is not downloaded here: put it in the data directory.
    """
    data_dir = config.get_data_dir(data_dir)
    path = None if data_dir is None else pathlib.Path(data_dir) / PUBLISHED
    if path is None or not path.is_file():
        raise DataNotFoundError(
            f"{PUBLISHED} not found in {data_dir or 'a data directory'}; download it from "
            f"{PUBLISHED_URL} (800 MB) into the folder named by {config.DATA_DIR_ENV}, "
            "or generate clips with rnn_keras.data.moving_mnist.make_splits().")
    try:
        array = np.load(path, mmap_mode="r")
    except ValueError as error:
        raise DataCorruptError(f"{path} is not a NumPy array file ({error}).") from None
    if array.ndim != 4 or array.shape[2:] != (64, 64):
        raise DataCorruptError(f"{path} has shape {array.shape}; expected (20, clips, 64, 64).")
    return (np.asarray(array, "float32").transpose(1, 0, 2, 3) / 255.0)[..., None]


def read_tfds(data_dir=None, split="test"):
    """TFDS ``moving_mnist`` (10,000 clips of 20 frames 64×64) as float32 ``(n, 20, 64, 64, 1)``.

    Reads a copy already prepared under ``data_dir`` (a TFDS data directory,
    default ``RNN_KERAS_DATA_DIR``); it is not downloaded here, because TFDS
    retries for minutes on a machine without network.
    """
    data_dir = config.get_data_dir(data_dir)
    if data_dir is None or not (pathlib.Path(data_dir) / "moving_mnist").is_dir():
        raise DataNotFoundError(
            f"TFDS moving_mnist is not prepared in {data_dir or 'a data directory'}: run "
            "`tfds build moving_mnist --data_dir DIR` where there is network, then point "
            f"{config.DATA_DIR_ENV} at DIR; or generate clips with make_splits().")
    import tensorflow_datasets as tfds

    dataset = tfds.load("moving_mnist", split=split, data_dir=str(data_dir), download=False)
    clips = np.stack([example["image_sequence"] for example in tfds.as_numpy(dataset)])
    return clips.astype("float32") / 255.0
