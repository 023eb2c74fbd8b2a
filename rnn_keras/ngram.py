"""Counting language models: the baselines a neural language model has to beat.

:class:`NGramModel` predicts the next symbol (a character, a word id) from
the previous ``order - 1`` symbols, with interpolated Kneser-Ney smoothing
(Kneser and Ney 1995; Chen and Goodman 1999, eq. 16). For order ``n`` and
the history ``h`` (its last ``n - 1`` symbols) and its shortening ``h'``
(the last ``n - 2``):

.. math::

    P(w \\mid h) = \\frac{\\max(c(h w) - D, 0)}{c(h)}
                 + \\frac{D \\, N_{1+}(h \\bullet)}{c(h)} \\, P(w \\mid h')

where ``c`` counts n-grams in the training text at the top order and
*continuation counts* (the number of distinct symbols seen before) at the
lower orders, ``N_{1+}(h •)`` is the number of distinct symbols seen after
``h``, and ``D = n_1 / (n_1 + 2 n_2)`` per order (``n_k``: n-grams counted
exactly ``k`` times). The recursion ends at the uniform distribution over
the vocabulary; a history never seen passes all its mass down. Order 1 is the
unigram model with add-one smoothing (a symbol of the vocabulary never seen
in training keeps a probability above zero).

Every distribution sums to one over the vocabulary (tests check it), so
:meth:`NGramModel.cross_entropy` is a true loss in nats per symbol, the
same unit as a Keras language model's sparse categorical cross-entropy.

Example:

>>> model = NGramModel(order=2, vocab_size=3).fit([0, 1, 2, 0, 1, 2, 0, 1])
>>> round(model.probability(1, [0]), 3) > 0.5
True
"""

import collections
import math

import numpy as np

from rnn_keras.validation import check_positive_int


class NGramModel:
    """An interpolated Kneser-Ney (or, for ``order=1``, add-one unigram) model.

    Args:
        order: the n of the n-grams (1 unigram, 2 bigram, ... 5 is usual for characters).
        vocab_size: symbols are the integers ``0 .. vocab_size - 1``.
    """

    def __init__(self, order, vocab_size):
        self.order = check_positive_int("order", order)
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.fitted = False

    def fit(self, ids):
        """Counts the n-grams of the training stream ``ids`` (a sequence of ints)."""
        ids = [int(i) for i in np.asarray(ids).ravel()]
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"ids must lie in 0..{self.vocab_size - 1}; got {bad[0]}.")
        if len(ids) < self.order:
            raise ValueError(f"A training stream of {len(ids)} ids is too short for "
                             f"order {self.order}.")
        n = self.order
        self.unigram = np.bincount(ids, minlength=self.vocab_size).astype("float64")
        # counts[k]: k-gram (tuple) -> count used at order k. The top order counts
        # occurrences; lower orders count distinct left neighbours (continuation).
        top = collections.Counter(tuple(ids[i:i + n]) for i in range(len(ids) - n + 1))
        self.counts = {n: top}
        for k in range(n - 1, 0, -1):
            self.counts[k] = collections.Counter(gram[1:] for gram in self.counts[k + 1])
        # next[k]: history (k-1 symbols) -> {symbol: count}, for the sums of eq. 16
        self.next, self.discount = {}, {}
        for k in range(2, n + 1):
            table = collections.defaultdict(dict)
            for gram, count in self.counts[k].items():
                table[gram[:-1]][gram[-1]] = count
            self.next[k] = {h: (np.array(list(f.keys())), np.array(list(f.values()), "float64"))
                            for h, f in table.items()}
            self.discount[k] = self._discount_of(self.counts[k])
        if n > 1:
            lowest = np.zeros(self.vocab_size)
            for (w,), count in self.counts[1].items():
                lowest[w] = count
            d1 = self._discount_of(self.counts[1])
            total = lowest.sum()
            seen = np.count_nonzero(lowest)
            # order 1 of Kneser-Ney: discounted continuation counts + the uniform floor
            self.lowest = (np.maximum(lowest - d1, 0) + d1 * seen / self.vocab_size) / total
        self.fitted = True
        return self

    @staticmethod
    def _discount_of(counts):
        n1 = sum(1 for c in counts.values() if c == 1)
        n2 = sum(1 for c in counts.values() if c == 2)
        return n1 / (n1 + 2 * n2) if n1 + n2 else 0.5

    def _check_fitted(self):
        if not self.fitted:
            raise ValueError("This NGramModel is not fitted yet: call .fit(training_ids) first.")

    def distribution(self, history):
        """``P(. | history)``, an array of ``vocab_size`` probabilities summing to 1."""
        self._check_fitted()
        if self.order == 1:
            return (self.unigram + 1) / (self.unigram.sum() + self.vocab_size)
        history = tuple(int(i) for i in history)[max(len(history) - (self.order - 1), 0):]
        p = self.lowest.copy()
        for k in range(2, len(history) + 2):
            seen = self.next[k].get(history[len(history) - (k - 1):])
            if seen is None:
                continue  # an unseen history passes all its mass down
            symbols, counts = seen
            total, d = counts.sum(), self.discount[k]
            p = p * (d * len(symbols) / total)
            p[symbols] += np.maximum(counts - d, 0) / total
        return p

    def probability(self, symbol, history):
        """``P(symbol | history)``."""
        return float(self.distribution(history)[int(symbol)])

    def cross_entropy(self, ids, context=()):
        """Mean ``-log P(id | previous ids)`` in nats over the stream ``ids``.

        ``context``: ids that come just before ``ids`` (the end of the training
        text, say), used as history for the first predictions but not scored.
        """
        self._check_fitted()
        ids = [int(i) for i in np.asarray(ids).ravel()]
        if not ids:
            raise ValueError("cross_entropy needs at least one id to score.")
        stream = [int(i) for i in context][-(self.order - 1) or len(context):] + ids
        offset = len(stream) - len(ids)
        cache = {}
        total = 0.0
        for t in range(offset, len(stream)):
            history = tuple(stream[max(t - self.order + 1, 0):t]) if self.order > 1 else ()
            if history not in cache:
                cache[history] = self.distribution(history)
            total -= math.log(cache[history][stream[t]])
        return total / len(ids)
