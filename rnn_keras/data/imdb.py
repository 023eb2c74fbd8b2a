"""The Large Movie Review Dataset (IMDB): 25,000 training and 25,000 test reviews.

Maas et al., "Learning Word Vectors for Sentiment Analysis", ACL 2011.
Labels: 1 = positive (rating >= 7), 0 = negative (rating <= 4).

Sources, in order (docs/design.md):

1. a local copy in the data directory: the ``aclImdb/`` folder, the official
   ``aclImdb_v1.tar.gz`` (sha256 checked), or ``aclImdb_labeled.tgz`` (its
   labeled part repacked with the same layout, sha256 checked); archives are
   read in place, never extracted;
2. the official archive, downloaded with its checksum and a bounded timeout;
   or, with ``source="tfds"``, TensorFlow Datasets' ``imdb_reviews``;
3. a :class:`~rnn_keras.data.DataNotFoundError` naming ``RNN_KERAS_DATA_DIR``,
   the file names and the URL.

Standardization (:func:`standardize`, used inside ``TextVectorization`` so a
saved end-to-end model applies it too): lower case; HTML line breaks
(``<br />``) and other tags become spaces; ``!`` and ``?`` become tokens of
their own; every other character except letters, digits and apostrophes
inside words (``don't``) becomes a space.

The validation split is carved from the training reviews with a fixed seed,
never from the test set. Reviews of one movie can land on both sides of it,
so validation accuracy overstates test accuracy by a point or more: judge
models on the test split.
"""

import dataclasses
import pathlib
import re
import tarfile

import keras
import numpy as np

from rnn_keras.data import sources
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.data.errors import DataNotFoundError
from rnn_keras.validation import check_choice

ARCHIVE = sources.Archive(
    name="IMDB reviews (aclImdb)",
    filename="aclImdb_v1.tar.gz",
    url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
    sha256="c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
    folder="aclImdb",
    alternates=(
        ("aclImdb_labeled.tgz",
         "a7d31815b182de72e7d78e068e2706cf5c03c58a4205f0c7332f3a0a44a1dd90"),
    ),
)
SPLITS = ("train", "test")
_REVIEW = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


@dataclasses.dataclass
class Reviews:
    """One split as arrays: texts (str), labels (0/1), ratings (1-10), ids."""

    texts: np.ndarray
    labels: np.ndarray
    ratings: np.ndarray
    ids: np.ndarray

    def __len__(self):
        return len(self.labels)

    @classmethod
    def from_texts(cls, texts, labels=None, prefix="text"):
        """Reviews from bare texts (unknown ratings; labels 0 unless given)."""
        n = len(texts)
        labels = np.zeros(n, "int32") if labels is None else np.asarray(labels, "int32")
        return cls(np.array(list(texts), dtype=object), labels, np.zeros(n, "int32"),
                   np.array([f"{prefix}/{i}" for i in range(n)], dtype=object))

    def subset(self, index):
        return Reviews(self.texts[index], self.labels[index], self.ratings[index],
                       self.ids[index])


def _collect(entries):
    """Builds {split: Reviews} from (relative path, bytes) pairs."""
    rows = {split: [] for split in SPLITS}
    for name, read in entries:
        match = _REVIEW.match(name)
        if not match:
            continue
        split, polarity, review_id, rating = match.groups()
        text = read().decode("utf-8", errors="replace")
        rows[split].append((polarity, int(review_id), int(rating), text))
    out = {}
    for split, items in rows.items():
        if not items:
            raise DataCorruptError(
                f"{ARCHIVE.name}: no reviews found under aclImdb/{split}/pos|neg/. "
                f"Expected the layout of {ARCHIVE.filename} ({ARCHIVE.url})."
            )
        items.sort(key=lambda r: (r[0], r[1]))  # deterministic order
        out[split] = Reviews(
            texts=np.array([r[3] for r in items], dtype=object),
            labels=np.array([int(r[0] == "pos") for r in items], dtype="int32"),
            ratings=np.array([r[2] for r in items], dtype="int32"),
            ids=np.array([f"{r[0]}/{r[1]}" for r in items], dtype=object),
        )
    return out


def read_reviews(path):
    """Reads an ``aclImdb`` folder or archive into ``{"train": Reviews, "test": Reviews}``."""
    path = pathlib.Path(path)
    if path.is_dir():
        root = path if path.name == "aclImdb" else path / "aclImdb"
        files = sorted(root.glob("*/*/*.txt"))
        entries = (("aclImdb/" + f.relative_to(root).as_posix(), f.read_bytes) for f in files)
        return _collect(entries)
    try:
        with tarfile.open(path, "r:*") as archive:
            def entries():
                for member in archive:
                    if member.isfile() and member.name.endswith(".txt"):
                        yield member.name, archive.extractfile(member).read
            return _collect(entries())
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DataCorruptError(
            f"{ARCHIVE.name}: cannot read {str(path)!r} as a tar archive ({error}). "
            f"Replace it with a fresh copy of {ARCHIVE.url}."
        ) from None


# Run in a child process: tfds has no timeout of its own (with no network it
# retries for minutes), and a socket timeout set there cannot leak into ours.
_TFDS_PREPARE = (
    "import socket, sys; socket.setdefaulttimeout(float(sys.argv[1])); "
    "import tensorflow_datasets as tfds; tfds.builder('imdb_reviews').download_and_prepare()")


def _tfds_reviews(timeout):
    """``imdb_reviews`` from TensorFlow Datasets: prepared copy first, then download."""
    import tensorflow_datasets as tfds

    def as_reviews(dataset):
        texts, labels = [], []
        for text, label in tfds.as_numpy(dataset):
            texts.append(text.decode("utf-8", errors="replace"))
            labels.append(int(label))
        return Reviews.from_texts(texts, labels, prefix="tfds")

    try:
        train, test = tfds.load("imdb_reviews", split=["train", "test"], as_supervised=True,
                                download=False)
    except AssertionError:  # tfds's "could not find data": not prepared here, so download
        if sources.offline():
            raise DataNotFoundError(sources.missing_message(
                ARCHIVE, reason=f"tfds imdb_reviews is not prepared and "
                f"{sources.OFFLINE_ENV}=1 disables downloads")) from None
        sources.run_bounded(_TFDS_PREPARE, timeout, ARCHIVE, what="tfds imdb_reviews")
        train, test = tfds.load("imdb_reviews", split=["train", "test"], as_supervised=True,
                                download=False)
    return {"train": as_reviews(train), "test": as_reviews(test)}


def load_reviews(data_dir=None, source="auto", allow_download=True, timeout=60):
    """Loads the train and test reviews as :class:`Reviews`.

    Args:
        data_dir: folder with a local copy; default ``$RNN_KERAS_DATA_DIR``.
        source: ``"auto"`` (local copy, else the official archive) or
            ``"tfds"`` (TensorFlow Datasets' ``imdb_reviews``).
        allow_download: whether step 2 may use the network.
        timeout: network timeout in seconds.
    """
    source = check_choice("source", source, ("auto", "tfds"))
    if source == "tfds":
        return _tfds_reviews(timeout)
    path = sources.resolve(ARCHIVE, data_dir=data_dir, allow_download=allow_download,
                           timeout=timeout)
    return read_reviews(path)


def split_train(reviews, validation_fraction=0.1, seed=0):
    """Carves a validation split from the training reviews: ``(train, validation)``."""
    if not 0 < validation_fraction < 1:
        raise ValueError(f"Expected `validation_fraction` in (0, 1), got {validation_fraction!r}.")
    order = np.random.default_rng(seed).permutation(len(reviews))
    n_val = int(round(len(reviews) * validation_fraction))
    return reviews.subset(np.sort(order[n_val:])), reviews.subset(np.sort(order[:n_val]))


def sample(reviews, n, seed=0):
    """A random subset of ``n`` reviews (all of them when ``n`` is None or larger)."""
    if n is None or n >= len(reviews):
        return reviews
    order = np.random.default_rng(seed).permutation(len(reviews))
    return reviews.subset(np.sort(order[:n]))


def load_datasets(data_dir=None, validation_fraction=0.1, seed=0, source="auto"):
    """The reviews as ``tf.data`` datasets of ``(text, label)`` pairs.

    Returns ``{"train", "validation", "test"}``: validation is carved from
    the training reviews with ``seed`` (see :func:`split_train`), test is the
    official test split. Texts are raw strings; apply :func:`standardize`
    (or a ``TextVectorization`` using it) downstream.
    """
    import tensorflow as tf

    reviews = load_reviews(data_dir=data_dir, source=source)
    train, validation = split_train(reviews["train"], validation_fraction, seed)
    return {
        name: tf.data.Dataset.from_tensor_slices((list(part.texts), part.labels))
        for name, part in (("train", train), ("validation", validation),
                           ("test", reviews["test"]))
    }


@keras.saving.register_keras_serializable(package="rnn_keras")
def standardize(text):
    """The IMDB standardization, in TensorFlow string ops (see the module doc)."""
    import tensorflow as tf

    text = tf.strings.lower(text)
    text = tf.strings.regex_replace(text, r"<[^>]*>", " ")
    text = tf.strings.regex_replace(text, r"([!?])", r" \1 ")
    text = tf.strings.regex_replace(text, r"[^a-z0-9'!? ]", " ")
    text = tf.strings.regex_replace(text, r"(^|\s)'+|'+(\s|$)", " ")
    return text


def standardize_py(text):
    """:func:`standardize` for one Python string (for tests and display)."""
    return standardize_many([text])[0]


def standardize_many(texts):
    """:func:`standardize` for a sequence of Python strings, in one batched op."""
    import tensorflow as tf

    return [t.decode() for t in standardize(tf.constant(list(texts))).numpy()]


def text_vectorizer(texts, vocab_size=20000):
    """A ``TextVectorization`` layer adapted on ``texts`` (the training split only).

    Ids: 0 padding, 1 out-of-vocabulary, then words by frequency.
    """
    import tensorflow as tf

    vectorizer = keras.layers.TextVectorization(max_tokens=vocab_size, standardize=standardize,
                                                output_mode="int")
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(list(texts)).batch(512))
    return vectorizer


LENGTH_BUCKETS = (64, 128, 192, 256, 384, 512, 768)


def token_ids(reviews, vectorizer, max_length=400, chunk=1000):
    """Token ids of every review, each cut to its **last** ``max_length`` tokens.

    The end of a review is where it gives its verdict; Keras's
    ``pad_sequences`` truncates the same way. Returns a list of int32 arrays.
    """
    out = []
    for start in range(0, len(reviews), chunk):
        batch = keras.ops.convert_to_numpy(vectorizer(list(reviews.texts[start:start + chunk])))
        lengths = (batch > 0).sum(axis=1)
        out.extend(row[:n][-max_length:].astype("int32") for row, n in zip(batch, lengths))
    return out


def to_dataset(reviews, vectorizer, max_length=400, batch_size=64, shuffle=False, seed=0):
    """A ``tf.data.Dataset`` of ``(token ids, label)`` batches, with a known length.

    Reviews are vectorized once (:func:`token_ids`). Reviews of similar
    length are batched together and padded on the right to the longest in
    their batch, so short reviews cost short loops and the fused layers stay
    cuDNN-eligible. With ``shuffle=True`` the order changes every epoch.
    """
    import tensorflow as tf

    ids = token_ids(reviews, vectorizer, max_length)
    lengths = np.array([max(len(i), 1) for i in ids])
    ids = [i if len(i) else np.ones(1, "int32") for i in ids]  # an empty review: one [UNK]
    ragged = tf.RaggedTensor.from_row_lengths(np.concatenate(ids), lengths)
    ds = tf.data.Dataset.from_tensor_slices((ragged, reviews.labels))
    if shuffle:
        ds = ds.shuffle(len(reviews), seed=seed, reshuffle_each_iteration=True)
    # Slices of a ragged tensor are ragged-rank-0 values; passing them through a
    # map turns them into plain tensors, which bucketing needs.
    ds = ds.map(lambda x, y: (x, y), num_parallel_calls=tf.data.AUTOTUNE)
    boundaries = [b for b in LENGTH_BUCKETS if b <= max_length] + [max_length + 1]
    boundaries = sorted(set(boundaries))
    ds = ds.bucket_by_sequence_length(
        element_length_func=lambda x, y: tf.shape(x)[0],
        bucket_boundaries=boundaries,
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
    )
    bucket = np.searchsorted(boundaries, lengths, side="right")
    n_batches = int(sum(np.ceil(np.bincount(bucket) / batch_size)))
    ds = ds.apply(tf.data.experimental.assert_cardinality(n_batches))
    return ds.prefetch(tf.data.AUTOTUNE)
