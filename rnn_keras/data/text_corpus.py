"""Character corpora for language models: tiny Shakespeare, a character vocabulary, batching.

Tiny Shakespeare (1,115,394 characters, 65 distinct) is the corpus of
Karpathy's char-rnn and of nanoGPT. Sources, in order (docs/design.md):

1. a local copy in the data directory: ``tinyshakespeare.txt`` (sha256
   checked) or a ``tinyshakespeare/`` folder holding ``input.txt`` (an
   extracted copy, as for every loader, read as it is);
2. char-rnn's ``data/tinyshakespeare/input.txt`` on GitHub, downloaded with
   its checksum and a bounded timeout;
3. a :class:`~rnn_keras.data.DataNotFoundError` naming ``RNN_KERAS_DATA_DIR``.

:func:`split` cuts it as nanoGPT does (first 90 % train, last 10 %
validation), so validation losses compare with nanoGPT's 1.4697 nats/char.

Two ways to cut a stream of ids into training examples:

- :func:`windows` for a **stateless** model: independent windows (any
  order); each starts from a zero state, so the first characters of a
  window are predicted from almost no context.
- :func:`contiguous_batches` for a **stateful** model (Keras
  ``stateful=True``): the stream is cut into ``batch_size`` parallel
  streams, and row ``b`` of batch ``i`` continues row ``b`` of batch
  ``i - 1``, so the state a batch ends with is the right start for the
  next one. Gradients still stop at each window's start: that is
  truncated backpropagation through time (BPTT) with truncation length
  ``timesteps``.

Example:

>>> vocab = CharVocabulary.from_text("to be or not to be")
>>> vocab.decode(vocab.encode("to be"))
'to be'
>>> x, y = contiguous_batches(vocab.encode("to be or not to be"), batch_size=2, timesteps=4)
>>> x.shape, y.shape
((4, 4), (4, 4))
"""

import pathlib

import numpy as np

from rnn_keras import text
from rnn_keras.data import sources
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.validation import check_positive_int

ARCHIVE = sources.Archive(
    name="Tiny Shakespeare",
    filename="tinyshakespeare.txt",
    url="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
    sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    folder="tinyshakespeare",
)
FOLDER_FILE = "input.txt"  # char-rnn's name inside data/tinyshakespeare/


def load_shakespeare(data_dir=None, allow_download=True, timeout=60):
    """The whole of tiny Shakespeare as one string (1,115,394 characters)."""
    path = sources.resolve(ARCHIVE, data_dir=data_dir, allow_download=allow_download,
                           timeout=timeout)
    if path.is_dir():
        path = path / FOLDER_FILE
        if not path.is_file():
            raise DataCorruptError(f"{ARCHIVE.name}: the folder {str(path.parent)!r} has no "
                                   f"{FOLDER_FILE}; put char-rnn's input.txt there or "
                                   f"{ARCHIVE.filename} in the data directory.")
    return read_text(path)


def read_text(path):
    """A UTF-8 text file as a string, with a clear error for a file that is not text."""
    try:
        return pathlib.Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataCorruptError(f"{str(path)!r} is not UTF-8 text (byte {error.start}): "
                               "replace it with a fresh copy.") from None


def split(text, validation_fraction=0.1):
    """``(train, validation)``: the first ``1 - validation_fraction`` of the text and the rest.

    A chronological cut, as nanoGPT's ``prepare.py`` makes it: no shuffling,
    so no line of the validation text is also in the training text.
    """
    if not 0 < validation_fraction < 1:
        raise ValueError(f"`validation_fraction` must be between 0 and 1 (exclusive); "
                         f"got {validation_fraction!r}.")
    cut = int(len(text) * (1 - validation_fraction))
    return text[:cut], text[cut:]


class CharVocabulary:
    """Character ids ``0 .. n-1`` in sorted order, with no special ids.

    Every id is a character of the corpus, so a loss in nats per id is a loss
    in nats per character. Encoding a character the vocabulary lacks is an
    error naming it (a language model has no ``<unk>`` to fall back on).

    Args:
        chars: the characters (duplicates dropped; kept sorted).
    """

    def __init__(self, chars):
        self.chars = sorted(set(chars))
        if not self.chars:
            raise ValueError("A character vocabulary needs at least one character; got none.")
        self.index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text):
        """The characters of ``text`` (the training text: the validation text may not add any)."""
        return cls(text)

    def __len__(self):
        return len(self.chars)

    def __eq__(self, other):
        return isinstance(other, CharVocabulary) and other.chars == self.chars

    def encode(self, text):
        """``int32`` ids of the characters of ``text``."""
        try:
            return np.fromiter((self.index[c] for c in text), "int32", count=len(text))
        except KeyError as error:
            raise ValueError(f"The character {error.args[0]!r} is not in this vocabulary of "
                             f"{len(self)} characters: encode text written with "
                             f"{''.join(self.chars)[:40]!r}...") from None

    def decode(self, ids):
        """The text of a sequence of ids."""
        return "".join(self.chars[int(i)] for i in ids)

    def get_config(self):
        return {"chars": self.chars}

    def save(self, path):
        """Writes the vocabulary as JSON (next to the model that uses it)."""
        return text.save_vocabulary(path, self.get_config())

    @classmethod
    def load(cls, path):
        """Reads a vocabulary written by :meth:`save`."""
        return text.load_vocabulary(path, cls)


def _check_stream(ids, timesteps, needed):
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"Expected a 1-D stream of ids; got shape {ids.shape}.")
    check_positive_int("timesteps", timesteps)
    if len(ids) < needed:
        raise ValueError(f"A stream of {len(ids)} ids is too short for these windows: "
                         f"it needs at least {needed} (timesteps + 1 per stream); "
                         "use shorter windows or fewer streams.")
    return ids


def windows(ids, timesteps, stride=None):
    """Independent ``(x, y)`` windows for stateless training: ``y`` is ``x`` shifted by one.

    Row ``k`` is ``ids[k*stride : k*stride + timesteps]`` and its targets
    the next ids. ``stride`` defaults to ``timesteps`` (each id is a target
    once per epoch, as with :func:`contiguous_batches`).

    Returns:
        ``x, y``: ``int32`` arrays ``(windows, timesteps)``.
    """
    ids = _check_stream(ids, timesteps, timesteps + 1)
    stride = check_positive_int("stride", stride or timesteps)
    starts = np.arange(0, len(ids) - timesteps, stride)
    index = starts[:, None] + np.arange(timesteps)[None, :]
    return ids[index].astype("int32"), ids[index + 1].astype("int32")


def contiguous_batches(ids, batch_size, timesteps):
    """``(x, y)`` rows ordered for stateful training with ``model.fit(..., shuffle=False)``.

    The stream is cut into ``batch_size`` equal parallel streams (the tail
    that does not fill a window is dropped); rows ``i * batch_size + b``
    hold window ``i`` of stream ``b``. Fitting with ``batch_size`` and
    ``shuffle=False`` therefore gives batches in which row ``b`` of batch
    ``i`` continues row ``b`` of batch ``i - 1`` exactly.

    Returns:
        ``x, y``: ``int32`` arrays ``(batches * batch_size, timesteps)``;
        ``y`` is ``x`` shifted by one id along each stream.
    """
    check_positive_int("batch_size", batch_size)
    ids = _check_stream(ids, timesteps, batch_size * (timesteps + 1))
    length = (len(ids) - 1) // batch_size  # ids per stream (one more is the last target)
    n_batches = length // timesteps
    starts = np.arange(batch_size) * length
    # streams[b, t] = ids[b*length + t]
    index = starts[:, None] + np.arange(n_batches * timesteps)[None, :]
    x = ids[index].reshape(batch_size, n_batches, timesteps).transpose(1, 0, 2)
    y = ids[index + 1].reshape(batch_size, n_batches, timesteps).transpose(1, 0, 2)
    return (x.reshape(-1, timesteps).astype("int32"), y.reshape(-1, timesteps).astype("int32"))
