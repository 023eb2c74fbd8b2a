"""The text toolkit: one normaliser and tokenizer, one vocabulary, teacher forcing, one sampler.

Every sequence task of the package (translation, captioning, the toy number
words, music's note tokens) uses these, so the special ids are defined once:

- ``PAD = 0`` (padding, masked), ``START = 1`` (``<start>``, the decoder's
  first input), ``END = 2`` (``<end>``, the last target) and, in a
  vocabulary built with ``unknown=True``, ``UNK = 3`` (``<unk>``, any word
  not in the vocabulary).

Example:

>>> vocab = Vocabulary.from_texts([tokenize("Go now."), tokenize("Go!")])
>>> decoder_inputs, targets, weights = teacher_forcing([vocab.encode(["go", "!"])])
>>> vocab.decode(targets[0])
['go', '!']
"""

import collections
import json
import pathlib
import re
import unicodedata

import numpy as np

from rnn_keras import _files
from rnn_keras.validation import check_nonnegative

PAD, START, END, UNK = 0, 1, 2, 3
SPECIALS = ("<pad>", "<start>", "<end>", "<unk>")

# ---------------------------------------------------------------------------
# Normalising and tokenizing
# ---------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"',
                         "\u00bb": '"'})
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def normalize(text):
    """NFC, ASCII quotes, single spaces (also for no-break spaces), lowercase."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    return _SPACES.sub(" ", text).strip().lower()


def tokenize(text):
    """Words (``"don't"`` is one) and single punctuation marks of :func:`normalize`'d text."""
    return _TOKEN.findall(normalize(text))


_NO_SPACE_BEFORE = re.compile(r" ([.,!?;:%)\]}…])")
_NO_SPACE_AFTER = re.compile(r"([¿¡(\[{$]) ")


def detokenize(tokens):
    """Joins tokens into text: no space before ``.,!?;:`` or after ``¿¡(``.

    The inverse of :func:`tokenize` for almost every Tatoeba sentence (the
    tests measure it); BLEU then re-tokenizes it the standard way.
    """
    text = " ".join(tokens)
    text = re.sub(r"(?<=\d) ([:.,]) (?=\d)", r"\1", text)  # 3 : 10 -> 3:10
    text = _NO_SPACE_BEFORE.sub(r"\1", text)
    text = _NO_SPACE_AFTER.sub(r"\1", text)
    text = re.sub(r'" (.*?) "', r'"\1"', text)
    text = re.sub(r"(?<=\w) - (?=\w)", "-", text)  # dead - tired -> dead-tired
    return text


# ---------------------------------------------------------------------------
# The vocabulary
# ---------------------------------------------------------------------------


class Vocabulary:
    """Token ids: ``<pad>`` 0, ``<start>`` 1, ``<end>`` 2, [``<unk>`` 3], then the tokens.

    Args:
        tokens: the vocabulary's tokens in id order (the specials are added
            in front; a token listed twice keeps its first id).
        unknown: reserve ``UNK = 3`` for tokens outside the vocabulary. Without
            it, encoding an unknown token is an error (for closed
            vocabularies such as a caption grammar's words).

    Use :meth:`from_texts` to rank the tokens of a corpus by frequency.

    Example:

    >>> vocab = Vocabulary(["one", "two"], unknown=False)
    >>> vocab.encode(["two", "one"])
    [4, 3]
    """

    def __init__(self, tokens, *, unknown=True):
        specials = SPECIALS if unknown else SPECIALS[:UNK]
        ordered = list(dict.fromkeys(t for t in tokens if t not in specials))
        self.unknown = bool(unknown)
        self.tokens = list(specials) + ordered
        self.index = {t: i for i, t in enumerate(self.tokens)}

    @classmethod
    def from_texts(cls, token_lists, *, max_size=None, min_count=1, unknown=True):
        """Tokens of ``token_lists`` ranked by count (ties alphabetical).

        Args:
            token_lists: tokenized texts (the training split's).
            max_size: keep at most this many ids, specials included.
            min_count: drop tokens seen fewer times (they become ``<unk>``).
            unknown: as for the constructor.
        """
        counts = collections.Counter(t for tokens in token_lists for t in tokens)
        ranked = sorted((t for t, c in counts.items() if c >= min_count),
                        key=lambda t: (-counts[t], t))
        if max_size is not None:
            ranked = ranked[:max(max_size - (UNK + 1 if unknown else UNK), 0)]
        return cls(ranked, unknown=unknown)

    def __len__(self):
        return len(self.tokens)

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and other.tokens == self.tokens

    def encode(self, tokens):
        """Ids of ``tokens`` (a list of strings; split a text first)."""
        if self.unknown:
            return [self.index.get(t, UNK) for t in tokens]
        missing = [t for t in tokens if t not in self.index]
        if missing:
            raise ValueError(f"Tokens {missing[:5]!r} are not in this closed vocabulary of "
                             f"{len(self)} tokens (built with unknown=False); use words "
                             f"from it or build the vocabulary with unknown=True.")
        return [self.index[t] for t in tokens]

    def decode(self, ids, *, stop_at_pad=False):
        """Tokens up to the first ``<end>``, without padding and ``<start>``.

        ``stop_at_pad``: end at the first padding id as well (for rows that
        are padded after the last token rather than closed by ``<end>``).
        """
        out = []
        for i in ids:
            i = int(i)
            if i == END or (stop_at_pad and i == PAD):
                break
            if i not in (PAD, START):
                out.append(self.tokens[i])
        return out

    def get_config(self):
        return {"tokens": self.tokens[UNK + 1 if self.unknown else UNK:],
                "unknown": self.unknown}

    def save(self, path):
        """Writes the vocabulary as JSON (next to the model that uses it)."""
        return save_vocabulary(path, self.get_config())

    @classmethod
    def load(cls, path):
        """Reads a vocabulary written by :meth:`save`."""
        return load_vocabulary(path, cls)


def save_vocabulary(path, config):
    """Writes a vocabulary's ``get_config()`` as JSON, atomically (a temporary file renamed)."""
    path = pathlib.Path(path)
    return _files.write_text(path, json.dumps(config, ensure_ascii=False))


def load_vocabulary(path, cls):
    """``cls(**config)`` of a file written by :func:`save_vocabulary`, with clear errors."""
    path = pathlib.Path(path)
    try:
        return cls(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise FileNotFoundError(f"No vocabulary file at {str(path)!r}: it is written "
                                f"next to the model ({cls.__name__}.save).") from None
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{str(path)!r} is not a vocabulary file written by "
                         f"{cls.__name__}.save ({type(error).__name__}: {error}).") from None


# ---------------------------------------------------------------------------
# Teacher forcing
# ---------------------------------------------------------------------------


def pad(rows, width=None):
    """Right-padded ``int32`` array of id lists (cut to ``width`` when given)."""
    width = width or max((len(r) for r in rows), default=1)
    out = np.zeros((len(rows), max(width, 1)), "int32")
    for i, row in enumerate(rows):
        out[i, :len(row)] = row[:width]
    return out


def teacher_forcing(rows, width=None):
    """Right-padded ``(decoder_inputs, targets, weights)`` of target id lists.

    ``decoder_inputs``: ``<start>`` + ids; ``targets``: ids + ``<end>`` (the
    same sequence shifted left by one step); ``weights``: 1 on real target
    tokens. ``width``: fixed length (default: the longest row + 1).
    """
    rows = [list(r) for r in rows]
    targets = pad([r + [END] for r in rows], width)
    inputs = pad([[START] + r for r in rows], width)
    return inputs, targets, (targets != PAD).astype("float32")


# ---------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------


def sample_from_logits(logits, temperature=1.0, rng=None, *, top_k=None, top_p=None):
    """One id per row of ``logits``, drawn from ``softmax(logits / temperature)``.

    The package's one sampler (translation, captioning, music, language
    models). ``temperature`` 0 is the most likely id (greedy); 1 samples the
    model's distribution; above 1 flattens it. Two truncations, applied after
    the temperature and before the draw (the kept probabilities are
    renormalised):

    - ``top_k``: only the ``k`` most likely ids of each row can be drawn
      (Fan et al. 2018);
    - ``top_p`` (nucleus sampling, Holtzman et al. 2020): only the smallest
      set of most likely ids whose probabilities sum to at least ``p`` (the
      most likely id is always kept).

    ``rng``: a ``numpy.random.Generator`` (seed it for a run that repeats).
    The draw is NumPy's own ``Generator.choice(n, p=...)``, one uniform
    number per row, so without truncation a sampler written with
    ``rng.choice`` gives the same samples.

    Args:
        logits: ``(n,)`` or ``(rows, n)``.

    Returns:
        An ``int`` for 1-D logits, else an ``int64`` array of ``rows`` ids.
    """
    check_nonnegative("temperature", temperature)
    logits = np.asarray(logits, "float64")
    single = logits.ndim == 1
    logits = np.atleast_2d(logits)
    n = logits.shape[-1]
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer))
                              or top_k < 1):
        raise ValueError(f"`top_k` must be a positive integer or None; got {top_k!r}.")
    if top_p is not None and not (isinstance(top_p, (int, float)) and 0 < top_p <= 1):
        raise ValueError(f"`top_p` must be a probability in (0, 1] or None; got {top_p!r}.")
    if temperature == 0:
        ids = logits.argmax(axis=-1)
    else:
        rng = rng if rng is not None else np.random.default_rng()
        p = np.exp((logits - logits.max(axis=-1, keepdims=True)) / temperature)
        p /= p.sum(axis=-1, keepdims=True)
        if top_k is not None and top_k < n:
            order = np.argsort(-p, axis=-1, kind="stable")
            np.put_along_axis(p, order[:, top_k:], 0.0, axis=-1)
        if top_p is not None and top_p < 1:
            order = np.argsort(-p, axis=-1, kind="stable")
            ranked = np.take_along_axis(p, order, axis=-1)
            ranked /= ranked.sum(axis=-1, keepdims=True)
            before = np.cumsum(ranked, axis=-1) - ranked  # mass of the ids ranked above
            np.put_along_axis(p, order, np.where(before < top_p, ranked, 0.0), axis=-1)
        cdf = np.cumsum(p / p.sum(axis=-1, keepdims=True), axis=-1)
        cdf /= cdf[:, -1:]
        ids = np.array([np.searchsorted(row, rng.random(), side="right") for row in cdf])
        # (an id of probability 0 adds a flat step to the cdf: never the first above u)
        ids = np.minimum(ids, n - 1)
    return int(ids[0]) if single else ids.astype("int64")
