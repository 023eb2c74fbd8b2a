"""Sentence pairs for translation: Tatoeba/Anki files, and a generated number corpus.

Real data (`load_pairs`): the Tatoeba sentence pairs that manythings.org/anki
publishes, one pair per line, ``english<TAB>translation`` (newer releases add
an attribution column, which is ignored). From the data directory
(``spa-eng.zip``/``fra-eng.zip``, the extracted folder, or the bare
``spa.txt``/``fra.txt``), else the archive TensorFlow's NMT tutorial
downloads (sha256-checked, bounded time), else a clear error.

Offline substitute, asked for by name (``pair="numbers-en-de"``,
:func:`number_pairs`): English number words and their German spelling,
generated with ``num2words``. German says the units before the tens
(``"twenty-one"`` -> ``"ein und zwanzig"``) and writes a number as one word,
which :func:`split_german_number` cuts into its parts; the alignment is not
monotonic, so attention has something to show.

Text handling (:func:`normalize`, :func:`tokenize`, :func:`detokenize`, from
:mod:`rnn_keras.text`, the package's one text toolkit): Unicode NFC (accents kept: ``"está"`` and ``"esta"`` are different words),
typographic quotes and apostrophes mapped to ASCII, every kind of space to
one space, lowercase; tokens are words (with inner apostrophes: ``"don't"``)
and single punctuation marks (``"¿"``, ``"?"``).

Splits (:func:`split_by_source`): by unique *source* sentence. Tatoeba lists
many sentences with several translations; a split by line would put the same
source sentence in training and test. Every translation of a test sentence is
kept as a reference for BLEU.
"""

import collections
import dataclasses
import pathlib
import re
import zipfile

import keras
import numpy as np

from rnn_keras import config
from rnn_keras.data import sources
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.validation import check_choice
from rnn_keras.text import END  # noqa: F401 (the special ids, defined once in rnn_keras.text)
from rnn_keras.text import PAD
from rnn_keras.text import SPECIALS  # noqa: F401
from rnn_keras.text import START  # noqa: F401
from rnn_keras.text import UNK
from rnn_keras.text import Vocabulary
from rnn_keras.text import detokenize
from rnn_keras.text import normalize
from rnn_keras.text import pad as _pad
from rnn_keras.text import teacher_forcing
from rnn_keras.text import tokenize
from rnn_keras.validation import check_positive_int
from rnn_keras.validation import check_rate

ARCHIVES = {
    "spa-eng": sources.Archive(
        name="Tatoeba English-Spanish pairs (spa-eng.zip)",
        filename="spa-eng.zip",
        url="https://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip",
        sha256="f80e581ae291aa34dd3aba7bd98b5e9505234da4318e2f3295df70a1520c7f61",
        folder="spa-eng",
    ),
    "fra-eng": sources.Archive(
        name="Tatoeba English-French pairs, 2019 release (fra-eng.zip)",
        filename="fra-eng.zip",
        # manythings.org republishes this file as Tatoeba grows: a newer copy
        # fails the checksum of the release the results page's numbers come from.
        url="https://www.manythings.org/anki/fra-eng.zip",
        sha256="5fef03fd9c5bbe0e26849df137944dbdb0b7b05977d0a19dc3ba8743fde6befe",
        folder="fra-eng",
    ),
}
TEXT_FILES = {"spa-eng": "spa.txt", "fra-eng": "fra.txt"}
PAIRS = ("spa-eng", "fra-eng", "numbers-en-de")
# (source, target) language codes of each pair in its default direction:
# into English for the Tatoeba files (the usual benchmark direction), English
# into German for the numbers.
DIRECTIONS = {"spa-eng": ("spa", "eng"), "fra-eng": ("fra", "eng"),
              "numbers-en-de": ("eng", "deu")}

# ---------------------------------------------------------------------------
# Reading pair files
# ---------------------------------------------------------------------------


def parse_pairs(lines, origin="<lines>"):
    """Parses ``english<TAB>translation[<TAB>anything]`` lines.

    Args:
        lines: an iterable of strings (a file's lines).
        origin: the file name, for error messages.

    Returns:
        A list of ``(english, translation)`` string pairs, as written.

    Raises:
        DataCorruptError: a blank line before the end of the file, or a line
            without a tab or with an empty side; the message names the file
            and the line number.
    """
    pairs, blank_at = [], None
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            blank_at = blank_at or number
            continue
        if blank_at is not None:
            raise DataCorruptError(
                f"{origin}, line {blank_at}: blank line inside the pair file. Each line "
                "must be 'english<TAB>translation'; delete the blank line."
            )
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            shown = line if len(line) <= 60 else line[:57] + "..."
            raise DataCorruptError(
                f"{origin}, line {number}: expected 'english<TAB>translation', got "
                f"{shown!r}. Fix or delete that line (columns after the second are ignored)."
            )
        pairs.append((fields[0].strip(), fields[1].strip()))
    if not pairs:
        raise DataCorruptError(f"{origin}: no sentence pairs in the file. "
                               "Replace it with a fresh copy of the data set.")
    return pairs


def read_pair_file(path, member=None):
    """Reads pairs from a ``.txt`` file or a member of a ``.zip`` archive."""
    path = pathlib.Path(path)
    try:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.endswith(member or ".txt")
                         and not n.endswith("_about.txt")]
                if not names:
                    raise DataCorruptError(
                        f"{path}: the archive holds no {member or '.txt'} pair file. "
                        "Replace it with a fresh copy of the data set.")
                text = archive.read(names[0]).decode("utf-8")
                origin = f"{path}:{names[0]}"
        else:
            text = path.read_text(encoding="utf-8")
            origin = str(path)
    except zipfile.BadZipFile:
        raise DataCorruptError(f"{path}: not a readable zip archive (truncated or corrupt). "
                               "Replace it with a fresh copy.") from None
    except UnicodeDecodeError as error:
        raise DataCorruptError(f"{path}: not UTF-8 text ({error.reason} at byte "
                               f"{error.start}). Replace it with a fresh copy.") from None
    return parse_pairs(text.splitlines(), origin)


def _local_text_file(pair, data_dir):
    if data_dir is None:
        return None
    data_dir = pathlib.Path(data_dir)
    name = TEXT_FILES[pair]
    for candidate in (data_dir / name, data_dir / ARCHIVES[pair].folder / name):
        if candidate.is_file():
            return candidate
    return None


def load_pairs(pair="spa-eng", data_dir=None, reverse=False, allow_download=True,
               max_number=9999, seed=0):
    """Sentence pairs ``(source, target)`` in the pair's direction.

    Args:
        pair: ``"spa-eng"``, ``"fra-eng"`` (Tatoeba, into English by
            default) or ``"numbers-en-de"`` (generated, English words into
            German; see :func:`number_pairs`).
        data_dir: folder with local copies; default ``$RNN_KERAS_DATA_DIR``.
        reverse: translate the other way (e.g. English into Spanish).
        allow_download: fall back to the public archive.
        max_number, seed: for ``"numbers-en-de"``.

    Returns:
        A list of ``(source_text, target_text)`` pairs, as written.
    """
    pair = check_choice("pair", pair, PAIRS)
    if pair == "numbers-en-de":
        pairs = number_pairs(max_number=max_number, seed=seed)
    else:
        data_dir = config.get_data_dir(data_dir)
        path = _local_text_file(pair, data_dir)
        if path is None:
            path = sources.resolve(ARCHIVES[pair], data_dir, allow_download=allow_download)
            if path.is_dir():
                path = path / TEXT_FILES[pair]
        english_first = read_pair_file(path, member=TEXT_FILES[pair])
        pairs = [(foreign, english) for english, foreign in english_first]
    if reverse:
        pairs = [(target, source) for source, target in pairs]
    return pairs


def languages(pair, reverse=False):
    """``(source, target)`` language codes, e.g. ``("spa", "eng")``."""
    source, target = DIRECTIONS[check_choice("pair", pair, PAIRS)]
    return (target, source) if reverse else (source, target)


# ---------------------------------------------------------------------------
# The generated number corpus
# ---------------------------------------------------------------------------

_GERMAN_PARTS = sorted(
    """null eins ein eine zwei drei vier fünf sechs sieben acht neun zehn elf zwölf
    dreizehn vierzehn fünfzehn sechzehn siebzehn achtzehn neunzehn zwanzig dreißig
    vierzig fünfzig sechzig siebzig achtzig neunzig hundert tausend und""".split(),
    key=len, reverse=True)
_GERMAN_PART = re.compile("|".join(_GERMAN_PARTS))


def split_german_number(word):
    """Cuts a German number word into its parts, longest part first.

    ``"dreihundertzweiundvierzig"`` -> ``["drei", "hundert", "zwei", "und",
    "vierzig"]``. Raises `ValueError` if the word is not made of known parts.
    """
    parts = _GERMAN_PART.findall(word)
    if "".join(parts) != word:
        raise ValueError(f"{word!r} is not a German number word made of {_GERMAN_PARTS}.")
    return parts


def number_pairs(max_number=9999, seed=0):
    """English number words and their German spelling, ``1..max_number``.

    ``("three hundred and forty-two", "drei hundert zwei und vierzig")``.
    Made on the spot with ``num2words`` (a registry package): no download.
    Shuffled with ``seed``.
    """
    try:
        from num2words import num2words
    except ImportError:
        raise ImportError("The numbers corpus needs num2words: pip install num2words") \
            from None
    if isinstance(max_number, bool) or not isinstance(max_number, int) or max_number < 10:
        raise ValueError(f"Expected `max_number` >= 10, got {max_number!r}.")
    pairs = [(num2words(n, lang="en"), " ".join(split_german_number(num2words(n, lang="de"))))
             for n in range(1, max_number + 1)]
    order = np.random.default_rng(seed).permutation(len(pairs))
    return [pairs[i] for i in order]


# ---------------------------------------------------------------------------
# Splits, vocabularies, arrays
# ---------------------------------------------------------------------------


def split_by_source(pairs, validation_fraction=0.05, test_fraction=0.05, seed=0):
    """Splits pairs into train/validation/test by unique normalised source sentence.

    All translations of one source sentence land in the same split, so no
    test sentence is seen in training. Deterministic for ``seed``.

    Returns:
        ``{"train": [...], "validation": [...], "test": [...]}`` lists of pairs.
    """
    check_rate("validation_fraction", validation_fraction)
    check_rate("test_fraction", test_fraction)
    if validation_fraction + test_fraction >= 1:
        raise ValueError("validation_fraction + test_fraction must leave training data "
                         f"(got {validation_fraction} + {test_fraction}).")
    keys = sorted({normalize(source) for source, _ in pairs})
    order = np.random.default_rng(seed).permutation(len(keys))
    n_test = int(round(len(keys) * test_fraction))
    n_validation = int(round(len(keys) * validation_fraction))
    split_of = {}
    for rank, index in enumerate(order):
        split_of[keys[index]] = ("test" if rank < n_test else
                                 "validation" if rank < n_test + n_validation else "train")
    splits = {"train": [], "validation": [], "test": []}
    for pair in pairs:
        splits[split_of[normalize(pair[0])]].append(pair)
    return splits


@dataclasses.dataclass
class Corpus:
    """A pair corpus split, tokenized and mapped to ids.

    Attributes:
        splits: ``{"train"|"validation"|"test": [(source, target), ...]}``.
        source_vocab, target_vocab: :class:`rnn_keras.text.Vocabulary` of the
            training split (by frequency, with ``<unk>``).
        languages: ``(source, target)`` codes.
    """

    splits: dict
    source_vocab: Vocabulary
    target_vocab: Vocabulary
    languages: tuple = ("src", "tgt")

    def arrays(self, split, max_length=None):
        """Right-padded id arrays of a split.

        Returns a dict: ``encoder_inputs`` (source ids), ``decoder_inputs``
        (``<start>`` + target), ``targets`` (target + ``<end>``), ``weights``
        (1 on real target tokens). With ``max_length``, pairs whose source or
        target has more tokens are left out (for training).
        """
        src, tgt = [], []
        for source, target in self.splits[split]:
            s, t = tokenize(source), tokenize(target)
            if max_length is not None and (len(s) > max_length or len(t) > max_length):
                continue
            src.append(self.source_vocab.encode(s))
            tgt.append(self.target_vocab.encode(t))
        inputs, targets, weights = teacher_forcing(tgt)
        return {"encoder_inputs": _pad(src), "decoder_inputs": inputs, "targets": targets,
                "weights": weights}

    def references(self, split):
        """Unique sources of a split and, for each, every translation in the corpus.

        Returns ``(sources, references)``: a list of source texts and a list
        of lists of target texts (one or more per source), normalised.
        """
        grouped = collections.OrderedDict()
        for source, target in self.splits[split]:
            grouped.setdefault(normalize(source), []).append(normalize(target))
        return list(grouped), [sorted(set(r)) for r in grouped.values()]

    def encode_sources(self, texts):
        """Right-padded source ids of raw texts (unknown words become ``<unk>``)."""
        return _pad([self.source_vocab.encode(tokenize(t)) or [UNK] for t in texts])

    def decode_targets(self, ids):
        """Texts of target id rows (stopping at ``<end>``)."""
        return [detokenize(self.target_vocab.decode(row)) for row in np.asarray(ids)]


def make_corpus(pairs, *, validation_fraction=0.05, test_fraction=0.05, seed=0,
                source_vocab_size=None, target_vocab_size=None, min_count=1,
                languages=("src", "tgt")):
    """Splits pairs by source (:func:`split_by_source`) and builds vocabularies on train."""
    splits = split_by_source(pairs, validation_fraction, test_fraction, seed)
    train = splits["train"]
    source_vocab = Vocabulary.from_texts((tokenize(s) for s, _ in train),
                                         max_size=source_vocab_size, min_count=min_count)
    target_vocab = Vocabulary.from_texts((tokenize(t) for _, t in train),
                                         max_size=target_vocab_size, min_count=min_count)
    return Corpus(splits, source_vocab, target_vocab, tuple(languages))


class LengthBatches(keras.utils.PyDataset):
    """Length-sorted batches for ``fit`` (any backend).

    Pairs of similar length go together (sorted within pools of
    ``pool_batches`` batches, batch order shuffled), each batch cut to its
    longest sentence, so short sentences cost short loops. Yields ``({"encoder_inputs",
    "decoder_inputs"}, targets, weights)``; reshuffled every epoch.

    Args:
        arrays: a dict from :meth:`Corpus.arrays`.
        batch_size: pairs per batch.
        shuffle: new batches every epoch (for training).
        seed: seeds the shuffling.
        pool_batches: how many batches' worth of pairs are sorted by length
            together. 1 gives random batches (each still cut to its longest
            pair): use it where length tells the content, as with the
            generated numbers, whose length-sorted batches each hold numbers
            of one shape and trained the plain encoder-decoder much worse.
    """

    def __init__(self, arrays, batch_size=64, shuffle=True, seed=0, pool_batches=50):
        super().__init__()
        check_positive_int("batch_size", batch_size)
        check_positive_int("pool_batches", pool_batches)
        self.arrays = arrays
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.pool_batches = pool_batches
        self.rng = np.random.default_rng(seed)
        self.source_lengths = (arrays["encoder_inputs"] != PAD).sum(axis=1)
        self.target_lengths = (arrays["targets"] != PAD).sum(axis=1)
        self._plan()

    def _plan(self):
        n = len(self.source_lengths)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        pool = self.batch_size * self.pool_batches
        groups = []
        for begin in range(0, n, pool):
            chunk = order[begin:begin + pool]
            key = self.source_lengths[chunk] * 1000 + self.target_lengths[chunk]
            chunk = chunk[np.argsort(key, kind="stable")]
            groups += [chunk[i:i + self.batch_size]
                       for i in range(0, len(chunk), self.batch_size)]
        if self.shuffle:
            groups = [groups[i] for i in self.rng.permutation(len(groups))]
        self.groups = groups

    def __len__(self):
        return len(self.groups)

    def __getitem__(self, index):
        rows = self.groups[index]
        s = max(int(self.source_lengths[rows].max()), 1)
        t = max(int(self.target_lengths[rows].max()), 1)
        a = self.arrays
        if index == 0:
            # Keras's TensorFlow adapter fixes the dataset's shapes from the
            # first two batches: padding this one beyond the longest pair
            # makes them differ, so lengths stay unknown (None) for all later
            # batches, whatever the shuffle.
            s = a["encoder_inputs"].shape[1] + 1
            t = a["targets"].shape[1] + 1

        def cut(array, width):
            array = array[rows, :width]
            return np.pad(array, ((0, 0), (0, width - array.shape[1])))

        return ({"encoder_inputs": cut(a["encoder_inputs"], s),
                 "decoder_inputs": cut(a["decoder_inputs"], t)},
                cut(a["targets"], t), cut(a["weights"], t))

    def on_epoch_end(self):
        if self.shuffle:
            self._plan()
