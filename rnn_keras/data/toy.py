"""Small problems, one per topology, made on the spot (no download).

Each function is deterministic for its ``seed`` and returns NumPy arrays
ready for ``fit``. They feed notebooks 01-03 and their experiments.

- :func:`digits` - the 1,797 real 8x8 handwritten digits that scikit-learn
  ships; as flat vectors (one-to-one) or as 8 rows of 8 pixels read top to
  bottom (many-to-one).
- :func:`curves` - a damped sine wave generated from its 3 parameters
  (one-to-many).
- :func:`seen_before` - tag each token of a sequence with whether it
  appeared earlier (many-to-many, aligned; needs memory).
- :func:`number_words` - digits to English words, ``"3 4 2"`` to ``"three
  hundred forty two"`` (sequence to sequence of another length).
- :func:`adding_problem` - long memory: sum the two marked numbers of a long
  sequence (notebook 03).
- :func:`marker_later` - tag each step with whether a marker comes later:
  the answer lies in the future (bidirectional RNNs, notebook 03).
"""

import numpy as np

from rnn_keras.text import END  # noqa: F401 (the special ids, defined once in rnn_keras.text)
from rnn_keras.text import PAD
from rnn_keras.text import START  # noqa: F401
from rnn_keras.text import Vocabulary
from rnn_keras.text import teacher_forcing


def _split(n, test_fraction, rng):
    order = rng.permutation(n)
    n_test = int(round(n * test_fraction))
    return order[n_test:], order[:n_test]


def digits(as_sequence=False, test_fraction=0.25, seed=0):
    """scikit-learn's 8x8 digits, scaled to [0, 1].

    Returns ``(x_train, y_train), (x_test, y_test)`` with ``x`` of shape
    ``(n, 64)`` or, with ``as_sequence=True``, ``(n, 8, 8)``: 8 time steps
    (rows, top to bottom) of 8 features (pixels).
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.images / 16.0).astype("float32")
    y = bunch.target.astype("int32")
    if not as_sequence:
        x = x.reshape(len(x), 64)
    train, test = _split(len(x), test_fraction, np.random.default_rng(seed))
    return (x[train], y[train]), (x[test], y[test])


def curves(n=2000, steps=24, seed=0):
    """Damped sine waves from their parameters.

    ``params[i] = (amplitude, frequency, damping)``, each in a known range;
    ``waves[i, t] = a * exp(-d t / steps) * sin(2 pi f t / steps)``.

    Returns ``params (n, 3)`` (scaled to [-1, 1] for the network) and
    ``waves (n, steps, 1)``.
    """
    rng = np.random.default_rng(seed)
    amplitude = rng.uniform(0.5, 1.5, n)
    frequency = rng.uniform(0.5, 3.0, n)
    damping = rng.uniform(0.0, 3.0, n)
    t = np.arange(steps)[None, :] / steps
    waves = (amplitude[:, None] * np.exp(-damping[:, None] * t)
             * np.sin(2 * np.pi * frequency[:, None] * t))
    params = np.stack([
        (amplitude - 1.0) / 0.5,
        (frequency - 1.75) / 1.25,
        (damping - 1.5) / 1.5,
    ], axis=1)
    return params.astype("float32"), waves[..., None].astype("float32")


def seen_before(n=4000, max_length=20, vocab_size=30, min_length=5, seed=0):
    """Token sequences tagged per step: has this token appeared before?

    Tokens are ``1..vocab_size-1`` (0 is padding); lengths vary between
    ``min_length`` and ``max_length``, right-padded. A step's tag depends on
    everything before it: a model needs memory, not just the current token.

    Returns ``tokens (n, max_length)``, ``tags (n, max_length)`` and
    ``weights (n, max_length)`` (1 on real steps, 0 on padding).
    """
    rng = np.random.default_rng(seed)
    tokens = np.zeros((n, max_length), "int32")
    tags = np.zeros((n, max_length), "int32")
    lengths = rng.integers(min_length, max_length + 1, n)
    for i, length in enumerate(lengths):
        seq = rng.integers(1, vocab_size, length)
        tokens[i, :length] = seq
        seen = set()
        for t, token in enumerate(seq):
            tags[i, t] = int(token in seen)
            seen.add(token)
    weights = (tokens != PAD).astype("float32")
    return tokens, tags, weights


_ONES = "zero one two three four five six seven eight nine".split()
_TEENS = ("ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
          "eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def spell_number(n):
    """English words for ``0 <= n < 1_000_000``, e.g. 342 -> 'three hundred forty two'."""
    if not 0 <= n < 1_000_000:
        raise ValueError(f"spell_number covers 0..999999, got {n}.")
    if n < 10:
        return _ONES[n]
    if n < 20:
        return _TEENS[n - 10]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + spell_number(rest))
    rest = n % 1000
    return spell_number(n // 1000) + " thousand" + ("" if rest == 0 else " " + spell_number(rest))


def number_words(max_number=1000, test_fraction=0.2, seed=0):
    """Digits to words: a sequence-to-sequence task with outputs of another length.

    Source: the digits of ``n`` as tokens (``digit + 3``, so 0 stays padding),
    right-padded. Target: its English words, framed by ``<start>``/``<end>``.
    Numbers are split into train and test, so the test numbers are unseen.

    Returns a dict with ``train`` and ``test``, each a dict of
    ``encoder_inputs``, ``decoder_inputs`` (``<start>`` + words), ``targets``
    (words + ``<end>``), ``weights`` and ``numbers``; plus ``vocab`` (the
    target :class:`rnn_keras.text.Vocabulary`, closed: no ``<unk>``) and
    ``source_vocab_size``.
    """
    numbers = np.arange(max_number)
    vocab = Vocabulary(sorted({w for n in numbers for w in spell_number(int(n)).split()}),
                       unknown=False)
    src_len = len(str(max_number - 1))
    enc = np.zeros((max_number, src_len), "int32")
    for i, n in enumerate(numbers):
        digits_ = [int(c) + 3 for c in str(n)]
        enc[i, : len(digits_)] = digits_
    dec_in, dec_out, weights = teacher_forcing(
        [vocab.encode(spell_number(int(n)).split()) for n in numbers])
    train, test = _split(max_number, test_fraction, np.random.default_rng(seed))

    def part(index):
        return {
            "encoder_inputs": enc[index],
            "decoder_inputs": dec_in[index],
            "targets": dec_out[index],
            "weights": weights[index],
            "numbers": numbers[index],
        }

    return {"train": part(train), "test": part(test), "vocab": vocab,
            "source_vocab_size": 13}


def adding_problem(n=10000, timesteps=100, seed=0):
    """The adding problem (Hochreiter & Schmidhuber, 1997).

    Each step carries two features: a value drawn uniformly from [0, 1] and
    a marker, 1 at exactly two steps (one in each half of the sequence) and 0
    elsewhere. The target is the sum of the two marked values. Answering 1.0
    always scores MSE = Var(U + U') = 1/6 = 0.167: a model must carry the
    first marked value across up to ``timesteps`` steps to do better.

    Returns ``x (n, timesteps, 2)`` and ``y (n, 1)``.
    """
    if timesteps < 2:
        raise ValueError(f"The adding problem needs timesteps >= 2, got {timesteps}.")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, timesteps))
    half = timesteps // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, timesteps, n)
    markers = np.zeros((n, timesteps))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype("float32")
    y = (values[rows, first] + values[rows, second])[:, None].astype("float32")
    return x, y


ADDING_BASELINE_MSE = 1.0 / 6.0


def marker_later(n=4000, timesteps=40, vocab_size=10, marker_probability=0.5, seed=0):
    """Tag each step: does the marker token appear *later* in the sequence?

    Tokens are ``2..vocab_size-1``; with probability ``marker_probability``
    one position holds the marker, token 1. The tag of step ``t`` is 1 when
    the marker sits at a position after ``t``. The answer lies in the future:
    a left-to-right RNN at an early step can only guess (about chance), a
    bidirectional one reads it.

    Returns ``tokens (n, timesteps)``, ``tags (n, timesteps)`` and
    ``marker_position (n,)`` (-1 when there is none).
    """
    rng = np.random.default_rng(seed)
    tokens = rng.integers(2, vocab_size, size=(n, timesteps)).astype("int32")
    has_marker = rng.uniform(size=n) < marker_probability
    position = np.where(has_marker, rng.integers(0, timesteps, n), -1)
    tokens[has_marker, position[has_marker]] = 1
    steps = np.arange(timesteps)[None, :]
    tags = (position[:, None] > steps).astype("int32")
    return tokens, tags, position
