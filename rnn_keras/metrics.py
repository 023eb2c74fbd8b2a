"""Metrics: exact token and sequence scores, BLEU, SSIM, edit distance, the forecasters'
errors and tests, and two measures of generated text."""

import re

import numpy as np


def token_accuracy(y_true, y_pred, sample_weight=None):
    """Accuracy over real tokens only.

    Keras's ``accuracy`` on padded sequences averages each sample over its
    padded length before weighting; this counts every real token once.

    Args:
        y_true: ``(batch, T)`` int ids.
        y_pred: ``(batch, T)`` ids or ``(batch, T, classes)`` scores.
        sample_weight: ``(batch, T)``, 1 on real tokens and 0 on padding.
            Default: every token counts.
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_pred.ndim == y_true.ndim + 1:
        y_pred = y_pred.argmax(axis=-1)
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"y_true has shape {y_true.shape} but y_pred gives {y_pred.shape}; "
            "pass ids of the same shape or scores with one more axis."
        )
    weight = np.ones(y_true.shape) if sample_weight is None else np.asarray(sample_weight)
    total = weight.sum()
    if total == 0:
        raise ValueError("sample_weight is zero everywhere: no real token to score.")
    return float(((y_pred == y_true) * weight).sum() / total)


def sequence_accuracy(y_true, y_pred, pad_id=0):
    """Fraction of sequences reproduced exactly (padding ignored at the end)."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    length = max(y_true.shape[1], y_pred.shape[1])

    def pad(a):
        return np.pad(a, ((0, 0), (0, length - a.shape[1])), constant_values=pad_id)

    return float(np.all(pad(y_true) == pad(y_pred), axis=1).mean())


def corpus_bleu(hypotheses, references, *, max_order=4, lowercase=True, tokenize="13a"):
    """Corpus BLEU (0-100) with sacreBLEU, the field's reference implementation.

    Args:
        hypotheses: one output text per example.
        references: for each example, one reference text or a list of them
            (any number per example: Tatoeba lists several translations of
            some sentences).
        max_order: longest n-gram (4 for BLEU-4; 1..4 for BLEU-1..BLEU-4).
        lowercase: case-insensitive (the package's tokenizers lowercase).
        tokenize: sacreBLEU's tokenizer (``"13a"``, its default).

    Returns:
        The BLEU score as a float in [0, 100].
    """
    import sacrebleu

    hypotheses = list(hypotheses)
    references = [[r] if isinstance(r, str) else list(r) for r in references]
    if len(hypotheses) != len(references):
        raise ValueError(f"Got {len(hypotheses)} hypotheses but {len(references)} reference "
                         "sets; pass one (list of) reference(s) per hypothesis.")
    if not hypotheses:
        raise ValueError("No hypotheses to score.")
    if any(not r for r in references):
        raise ValueError("Every hypothesis needs at least one reference.")
    width = max(len(r) for r in references)
    # sacreBLEU takes reference *streams*; None fills in where an example has fewer.
    streams = [[r[k] if k < len(r) else None for r in references] for k in range(width)]
    bleu = sacrebleu.metrics.BLEU(max_ngram_order=max_order, lowercase=lowercase,
                                  tokenize=tokenize)
    return float(bleu.corpus_score(hypotheses, streams).score)


def ssim(x, y, data_range=1.0, sigma=1.5):
    """Structural similarity of image pairs (Wang et al., 2004), one value per image.

    Gaussian window (sigma 1.5, 11 pixels wide), constants ``K1 = 0.01``,
    ``K2 = 0.03``, averaged over the image and its channels: the usual
    definition (``tf.image.ssim`` differs only at the borders, where it
    crops instead of reflecting).

    Args:
        x, y: ``(..., height, width, channels)`` arrays of the same shape.
        data_range: the pixel range (1.0 for images in [0, 1]).

    Returns:
        ``x.shape[:-3]``-shaped array; 1.0 for identical images.
    """
    from scipy.ndimage import gaussian_filter

    x = np.asarray(x, "float64")
    y = np.asarray(y, "float64")
    if x.shape != y.shape or x.ndim < 3:
        raise ValueError(f"Expected two (..., h, w, c) arrays of one shape, got {x.shape} "
                         f"and {y.shape}.")
    sigmas = [0] * (x.ndim - 3) + [sigma, sigma, 0]

    def blur(a):
        return gaussian_filter(a, sigmas, truncate=3.5, mode="reflect")

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    value = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return value.mean(axis=(-3, -2, -1))


# --- forecasting -------------------------------------------------------------

def _paired(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has {y_pred.shape}; "
                         "pass forecasts of the same, non-empty shape.")
    return y_true, y_pred


def mae(y_true, y_pred):
    """Mean absolute error, in the series' own unit."""
    y_true, y_pred = _paired(y_true, y_pred)
    return float(np.abs(y_true - y_pred).mean())


def seasonal_naive_scale(train, season=1):
    """MAE of the in-sample seasonal naive forecast ``y[t-season]`` on ``train``:
    the denominator of :func:`mase` (Hyndman and Koehler 2006)."""
    train = np.asarray(train, dtype=float)
    if season < 1 or len(train) <= season:
        raise ValueError(f"the training part has {len(train)} values; the seasonal naive "
                         f"scale needs more than season={season}.")
    return float(np.abs(train[season:] - train[:-season]).mean())


def mase(y_true, y_pred, train, season=1):
    r"""Mean absolute scaled error.

    .. math:: \mathrm{MASE} = \frac{\frac1n\sum_t |y_t - \hat y_t|}
              {\frac{1}{T-m}\sum_{t=m+1}^{T} |y_t - y_{t-m}|}

    the test MAE divided by the MAE of the seasonal naive forecast (season
    ``m``) inside the training part: below 1, the forecast beats what
    "same time last season" did on the data it was fitted on; free of the
    series' unit, so errors of different series compare.
    """
    return mae(y_true, y_pred) / seasonal_naive_scale(train, season)


def smape(y_true, y_pred):
    r"""Symmetric mean absolute percentage error, in percent (0-200).

    .. math:: \mathrm{sMAPE} = \frac{100}{n}\sum_t \frac{2|y_t - \hat y_t|}{|y_t| + |\hat y_t|}

    Terms where truth and forecast are both 0 count as 0. Meaningless for
    series that cross zero (returns): use MAE or MASE there.
    """
    y_true, y_pred = _paired(y_true, y_pred)
    denominator = np.abs(y_true) + np.abs(y_pred)
    terms = np.divide(2 * np.abs(y_true - y_pred), denominator,
                      out=np.zeros_like(denominator), where=denominator > 0)
    return float(100 * terms.mean())


def diebold_mariano(errors_a, errors_b, horizon=1, power=1):
    r"""Diebold-Mariano test that forecasts ``a`` and ``b`` are equally accurate.

    With the loss differential :math:`d_t = |e^a_t|^p - |e^b_t|^p`, its mean
    :math:`\bar d` and the long-run variance from the autocovariances
    :math:`\hat\gamma_k` of :math:`d` up to lag ``horizon - 1``:

    .. math:: DM = \frac{\bar d}{\sqrt{(\hat\gamma_0 + 2\sum_{k=1}^{h-1}\hat\gamma_k)/n}}

    with the small-sample correction of Harvey, Leybourne and Newbold (1997):
    :math:`DM^* = DM\sqrt{(n + 1 - 2h + h(h-1)/n)/n}`, compared with Student's
    t on ``n - 1`` degrees of freedom.

    Args:
        errors_a, errors_b: forecast errors of the two methods on the same
            targets (1-D, the same length).
        horizon: the forecast horizon ``h`` the errors belong to (the errors
            of ``h``-step forecasts are correlated up to lag ``h - 1``).
        power: 1 (absolute loss) or 2 (squared loss).

    Returns:
        ``{"statistic", "p_value", "n", "mean_difference"}``: a negative
        statistic means ``a`` has the smaller loss; ``p_value`` is two-sided.
    """
    from scipy import stats

    a, b = _paired(errors_a, errors_b)
    if a.ndim != 1 or len(a) < 3:
        raise ValueError(f"expected two 1-D error series of 3 or more values, got shape "
                         f"{a.shape}.")
    if power not in (1, 2) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"expected power 1 or 2 and a whole horizon >= 1, got power={power!r}, "
                         f"horizon={horizon!r}.")
    d = np.abs(a) ** power - np.abs(b) ** power
    n = len(d)
    centred = d - d.mean()
    gamma = [float(centred[k:] @ centred[:n - k]) / n for k in range(horizon)]
    variance = (gamma[0] + 2 * sum(gamma[1:])) / n
    if variance <= 0:
        raise ValueError("the loss differential has no variance (the two forecasts' losses "
                         "are identical, or differ by a constant): the test is undefined.")
    correction = np.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
    statistic = float(d.mean() / np.sqrt(variance) * correction)
    p_value = float(2 * stats.t.sf(abs(statistic), df=n - 1))
    return {"statistic": statistic, "p_value": p_value, "n": n,
            "mean_difference": float(d.mean())}


def directional_accuracy(y_true, y_pred):
    """How often the forecast has the sign of the truth, with a binomial test against 50%.

    For returns (changes): steps where the truth is exactly 0 are left out.
    Returns ``{"accuracy", "hits", "n", "p_value"}`` (two-sided exact binomial
    test of "no better or worse than a coin").
    """
    from scipy import stats

    y_true, y_pred = _paired(y_true, y_pred)
    keep = y_true != 0
    hits = int((np.sign(y_true[keep]) == np.sign(y_pred[keep])).sum())
    n = int(keep.sum())
    if n == 0:
        raise ValueError("the truth is 0 everywhere: there is no direction to forecast.")
    return {"accuracy": hits / n, "hits": hits, "n": n,
            "p_value": float(stats.binomtest(hits, n, 0.5).pvalue)}


def edit_distance(reference, hypothesis):
    """Levenshtein distance: the fewest substitutions, deletions and insertions that
    turn ``hypothesis`` into ``reference`` (any sequences of comparable items)."""
    reference, hypothesis = list(reference), list(hypothesis)
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def error_rate(references, hypotheses):
    """Edit distances summed over a corpus, over the number of reference items.

    Word error rate on words, character error rate on characters, digit
    error rate on digits. Can exceed 1 (insertions).
    """
    references, hypotheses = list(references), list(hypotheses)
    if len(references) != len(hypotheses):
        raise ValueError(f"Got {len(references)} references but {len(hypotheses)} hypotheses.")
    total = sum(len(r) for r in references)
    if total == 0:
        raise ValueError("The references hold no items: an error rate is undefined.")
    return sum(edit_distance(r, h) for r, h in zip(references, hypotheses)) / total


def position_majority_accuracy(y_train, y_test, weights):
    """Token accuracy of guessing, at each position, the token most frequent there in train.

    The strongest baseline that ignores the input: a model whose output is a
    function of the position only cannot beat it. ``weights``: ``(w_train,
    w_test)``, 1 on real tokens. Arrays of different widths are compared up
    to the test's width (a position unseen in training guesses 0).
    """
    w_train, w_test = weights
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    guess = np.zeros(y_test.shape[1], y_train.dtype)
    for t in range(min(y_train.shape[1], y_test.shape[1])):
        real = np.asarray(w_train)[:, t] > 0
        if real.any():
            values, counts = np.unique(y_train[real, t], return_counts=True)
            guess[t] = values[np.argmax(counts)]
    return token_accuracy(y_test, np.broadcast_to(guess, y_test.shape), w_test)


def paired_sign_test(errors_a, errors_b):
    """Which of two systems errs less on the same items, beyond chance? (exact sign test)

    ``errors_a``, ``errors_b``: each item's error count under system A and B
    (e.g. edit distances per test string). Items where both err equally tell
    nothing and are left out; on the others, "A better" and "B better" are
    equally likely under the null hypothesis.

    Returns ``{"a_better", "b_better", "ties", "p_value"}`` (two-sided).
    """
    from scipy import stats

    a, b = np.asarray(errors_a, dtype=float), np.asarray(errors_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"Expected two 1-D arrays of the same length; got shapes {a.shape} "
                         f"and {b.shape}.")
    a_better, b_better = int((a < b).sum()), int((b < a).sum())
    n = a_better + b_better
    p_value = 1.0 if n == 0 else float(stats.binomtest(a_better, n, 0.5).pvalue)
    return {"a_better": a_better, "b_better": b_better, "ties": int(len(a) - n),
            "p_value": p_value}


def words(text):
    """The lowercased words of ``text``: runs of letters, with an inner apostrophe kept."""
    return re.findall(r"[a-z]+(?:'[a-z]+)?", str(text).lower())


def real_word_share(text, known):
    """Share of the letters of ``text`` that belong to words found in ``known``.

    ``known``: a set of words, or a text to take them from (the training
    text: a sample's words that the corpus never uses are invented). Words
    are :func:`words`; each counts by its length, so the short words a
    random string hits by chance ("a", "o", "at") weigh little. A measure
    of generated text that needs no model: 1 when every word is a real one.
    Raises when ``text`` has no words.
    """
    known = set(words(known)) if isinstance(known, str) else set(known)
    found = words(text)
    if not found:
        raise ValueError(f"{text[:40]!r} has no words (runs of letters) to check.")
    return sum(len(w) for w in found if w in known) / sum(len(w) for w in found)


def distinct_ngram_share(text, n=2):
    """Distinct word ``n``-grams over all word ``n``-grams of ``text`` ("distinct-n",
    Li et al. 2016): 1 when no phrase repeats, low when the text loops."""
    found = words(text)
    grams = [tuple(found[i:i + n]) for i in range(len(found) - n + 1)]
    if not grams:
        raise ValueError(f"{text[:40]!r} has fewer than {n} words.")
    return len(set(grams)) / len(grams)
