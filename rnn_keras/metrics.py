"""Metrics computed exactly over real (unpadded) tokens."""

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
