"""Translation (many-to-many encoder-decoder): what do attention and beam search add?

Question: on sentences never seen in training (Tatoeba, split by source
sentence), how good is a GRU encoder-decoder by corpus BLEU, the way the
field measures translation, and how much do attention (Luong after a fused
decoder, Bahdanau inside the decoder step) and beam search each add over the
plain encoder-decoder with greedy decoding?

Pipeline: :mod:`rnn_keras.data.translation` (pairs, split by unique source,
vocabularies on train), `models.seq2seq` trained with teacher forcing on
length-sorted batches (early stopping on validation loss, best weights
kept), then :class:`rnn_keras.decoding.StepDecoder` with greedy and beam
search, sacreBLEU (case-insensitive, 13a) against every reference of each
test sentence, and token accuracy (teacher forced, real tokens only) for
comparison with published numbers.

Used by notebook 06 and ``python -m rnn_keras run translation``.
"""

import dataclasses
import time

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import decoding
from rnn_keras import metrics as rk_metrics
from rnn_keras import models
from rnn_keras import training
from rnn_keras.data import translation as tr
from rnn_keras.experiments import rounded
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_option
from rnn_keras.validation import check_positive_int

SETTINGS = {
    # A few thousand short real sentences: the notebook's whole comparison in
    # minutes on 2 CPU cores; the numbers show the method, not the ceiling.
    "quick": {"n_pairs": 10000, "max_source_tokens": 6, "n_test": 400, "min_count": 2,
              "units": 128, "embedding_dim": 128, "dropout": 0.0, "epochs": 5, "batch_size": 64,
              "learning_rate": 3e-3, "max_train_length": 25, "patience": 2},
    # Every pair. Training stops when the validation loss stops improving.
    "full": {"n_pairs": None, "max_source_tokens": None, "n_test": None, "min_count": 2,
             "units": 256, "embedding_dim": 256, "dropout": 0.2, "epochs": 12,
             "batch_size": 128,
             "learning_rate": 2e-3, "max_train_length": 25, "patience": 2},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"n_pairs": 300, "max_source_tokens": 6, "n_test": 30, "min_count": 1,
              "units": 8, "embedding_dim": 8, "dropout": 0.0, "epochs": 1, "batch_size": 32,
              "learning_rate": 3e-3, "max_train_length": 25, "patience": 2},
}
# The generated numbers learn in seconds at any size.
NUMBER_SETTINGS = {
    "quick": {"max_number": 3000, "units": 64, "embedding_dim": 32, "dropout": 0.0, "epochs": 10,
              "batch_size": 64, "learning_rate": 5e-3, "length_pool": 1},
    "full": {"max_number": 9999, "units": 64, "embedding_dim": 32, "dropout": 0.0, "epochs": 20,
             "batch_size": 64, "learning_rate": 5e-3, "length_pool": 1},
    "smoke": {"max_number": 200, "units": 8, "embedding_dim": 8, "dropout": 0.0, "epochs": 1,
              "batch_size": 32, "learning_rate": 5e-3, "length_pool": 1},
}
DEFAULT_VARIANT = dict(cell="gru", bidirectional=True, implementation="fused",
                       attention="luong")
BEAM_WIDTHS = (1, 3, 5)


@dataclasses.dataclass
class Data:
    corpus: tr.Corpus
    settings: dict
    pair: str


def prepare(profile=None, data_dir=None, seed=0, pair="spa-eng", reverse=False):
    """Pairs, the split by source sentence and the vocabularies of a profile."""
    profile = config.get_profile(profile)
    s = dict(SETTINGS[profile])
    pair = check_choice("pair", pair, tr.PAIRS)
    if pair == "numbers-en-de":
        s.update(NUMBER_SETTINGS[profile], n_pairs=None, max_source_tokens=None,
                 n_test=None, min_count=1)
        pairs = tr.load_pairs(pair, reverse=reverse, max_number=s["max_number"], seed=seed)
    else:
        pairs = tr.load_pairs(pair, data_dir=data_dir, reverse=reverse)
    if s["max_source_tokens"] is not None:
        pairs = [p for p in pairs if len(tr.tokenize(p[0])) <= s["max_source_tokens"]]
    if s["n_pairs"] is not None and len(pairs) > s["n_pairs"]:
        keep = np.sort(np.random.default_rng(seed).choice(len(pairs), s["n_pairs"],
                                                          replace=False))
        pairs = [pairs[i] for i in keep]
    corpus = tr.make_corpus(pairs, seed=seed, min_count=s["min_count"],
                            languages=tr.languages(pair, reverse))
    if s["n_test"] is not None:
        corpus.splits["test"] = _first_sources(corpus.splits["test"], s["n_test"])
    return Data(corpus, s, pair)


def _first_sources(pairs, n):
    """The pairs of the first ``n`` distinct sources (all their translations)."""
    chosen, out = set(), []
    for source, target in pairs:
        key = tr.normalize(source)
        if key not in chosen and len(chosen) >= n:
            continue
        chosen.add(key)
        out.append((source, target))
    return out


def build_model(data, *, cell="gru", bidirectional=True, implementation="fused",
                attention="luong"):
    """``models.seq2seq`` at the profile's size, compiled for logits."""
    s, corpus = data.settings, data.corpus
    model = models.seq2seq(len(corpus.target_vocab), source_vocab_size=len(corpus.source_vocab),
                           embedding_dim=s["embedding_dim"], units=s["units"], cell=cell,
                           bidirectional=bidirectional, implementation=implementation,
                           attention=attention, dropout=s["dropout"])
    model.compile(optimizer=keras.optimizers.Adam(s["learning_rate"], clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model


def train(data, model, *, seed=None, verbose=0, run_dir=None, name="model", epochs=None):
    """Teacher-forced training with early stopping on validation loss (best weights kept).

    ``seed``: reseeds before the fit when given (and seeds the batch order).
    ``run_dir``: back up each epoch there, so a crashed run resumes
    (:func:`rnn_keras.training.fit`; ``name`` tells several trainings in
    one folder apart). Returns the :class:`rnn_keras.training.Training`.
    """
    s = data.settings
    if seed is not None:
        keras.utils.set_random_seed(seed)
    train_batches = tr.LengthBatches(
        data.corpus.arrays("train", max_length=s.get("max_train_length")),
        s["batch_size"], shuffle=True, seed=seed or 0, pool_batches=s.get("length_pool", 50))
    validation_batches = tr.LengthBatches(data.corpus.arrays("validation"), 256,
                                          shuffle=False)
    return training.fit(model, train_batches, validation_data=validation_batches,
                        epochs=epochs or s["epochs"], patience=s.get("patience", 2),
                        verbose=verbose, run_dir=run_dir, name=name)


def position_baseline(corpus, split="test"):
    """Teacher-forced token accuracy of writing, at each position, the target word most
    frequent there in the training pairs: the baseline of :func:`token_accuracy`."""
    train, test = corpus.arrays("train"), corpus.arrays(split)
    return rk_metrics.position_majority_accuracy(train["targets"], test["targets"],
                                                 (train["weights"], test["weights"]))


def token_accuracy(model, corpus, split="test"):
    """Teacher-forced next-token accuracy over real target tokens (exact count)."""
    correct = total = 0
    for inputs, targets, weights in tr.LengthBatches(corpus.arrays(split), 256, shuffle=False):
        predicted = model.predict_on_batch(inputs).argmax(axis=-1)
        correct += float(((predicted == targets) * weights).sum())
        total += float(weights.sum())
    return correct / total


def translate_ids(decoder, source_ids, *, beam_width=1, max_length=None, batch_size=None,
                  return_attention=False):
    """Target ids for source id rows: greedy (width 1) or beam search.

    Rows are decoded shortest first (less padding per batch) and returned in
    the given order.
    """
    source_ids = np.asarray(source_ids)
    max_length = max_length or decoding.max_output_length(source_ids)
    order = np.argsort((source_ids != 0).sum(axis=1), kind="stable")
    inputs = {"encoder_inputs": source_ids[order]}
    common = dict(start_id=tr.START, end_id=tr.END, max_length=max_length)
    attention = None
    if beam_width == 1:
        result = decoding.greedy_search(decoder, inputs, batch_size=batch_size or 256,
                                        return_attention=return_attention, **common)
        ids, attention = result if return_attention else (result, None)
    else:
        ids = decoding.beam_search(decoder, inputs, beam_width=beam_width,
                                   batch_size=batch_size or 64, **common)
    restore = np.argsort(order)
    ids = ids[restore]
    if return_attention:
        return ids, None if attention is None else attention[restore]
    return ids


def translate(decoder, corpus, texts, beam_width=1):
    """Translations of raw source texts."""
    ids = translate_ids(decoder, corpus.encode_sources(texts), beam_width=beam_width)
    return corpus.decode_targets(ids)


def attention_map(decoder, corpus, text):
    """``(source tokens, output tokens, weights (out, src))`` of a greedy translation."""
    source_ids = corpus.encode_sources([text])
    ids, weights = translate_ids(decoder, source_ids, return_attention=True)
    if weights is None:
        raise ValueError("This model has no attention to show (attention=None).")
    source_tokens = [corpus.source_vocab.tokens[i] for i in source_ids[0] if i != 0]
    output_tokens = corpus.target_vocab.decode(ids[0])
    return source_tokens, output_tokens + ["<end>"], \
        weights[0, :len(output_tokens) + 1, :len(source_tokens)]


def evaluate(model, data, beam_widths=BEAM_WIDTHS, split="test"):
    """BLEU of each decoding on a split's unique sources, and token accuracy.

    Returns a dict: ``token_accuracy``, ``bleu`` (``{width: BLEU}``, width 1
    = greedy), ``sources``, ``references``, ``hypotheses`` (``{width:
    texts}``) and ``seconds`` (``{width: decoding seconds}``).
    """
    corpus = data.corpus
    sources, references = corpus.references(split)
    source_ids = corpus.encode_sources(sources)
    decoder = decoding.StepDecoder.from_model(model)
    result = {"token_accuracy": token_accuracy(model, corpus, split), "bleu": {},
              "hypotheses": {}, "seconds": {}, "sources": sources,
              "references": references}
    for width in beam_widths:
        start = time.perf_counter()
        hypotheses = corpus.decode_targets(translate_ids(decoder, source_ids,
                                                         beam_width=width))
        result["seconds"][width] = time.perf_counter() - start
        result["hypotheses"][width] = hypotheses
        result["bleu"][width] = rk_metrics.corpus_bleu(hypotheses, references)
    return result


def bleu_by_length(sources, hypotheses, references, edges=(1, 4, 6, 8, 11, 16, 100)):
    """Corpus BLEU of the sentences in each source-length bin.

    Returns a list of ``(label, n_sentences, BLEU)``; empty bins are left out.
    """
    lengths = np.array([len(tr.tokenize(s)) for s in sources])
    rows = []
    for low, high in zip(edges[:-1], edges[1:]):
        index = np.flatnonzero((lengths >= low) & (lengths < high))
        if len(index):
            label = f"{low}-{high - 1}" if high < 100 else f"{low}+"
            rows.append((label, len(index), rk_metrics.corpus_bleu(
                [hypotheses[i] for i in index], [references[i] for i in index])))
    return rows


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, cell=None,
        bidirectional=None, implementation=None, pair=None, attention=None, beam=None):
    """Trains one variant (default: bidirectional GRU encoder, Luong attention) and scores it.

    ``beam``: the beam width reported as ``bleu_beam`` (default 5).
    """
    variant = dict(DEFAULT_VARIANT)
    for key, value in (("cell", cell), ("bidirectional", bidirectional),
                       ("implementation", implementation), ("attention", attention)):
        if value is not None:
            variant[key] = value
    beam = check_option(check_positive_int, "beam", 5 if beam is None else beam)
    data = prepare(profile=profile, data_dir=data_dir, pair=pair or "spa-eng", seed=seed)
    corpus = data.corpus
    sizes = {k: len(v) for k, v in corpus.splits.items()}
    print(f"[translation] {data.pair} {corpus.languages[0]}->{corpus.languages[1]}: "
          f"{sizes} pairs; vocab {len(corpus.source_vocab)}/{len(corpus.target_vocab)}; "
          f"variant {variant}", flush=True)
    keras.utils.set_random_seed(seed)
    model = build_model(data, **variant)
    trained = train(data, model, seed=seed, verbose=verbose, run_dir=out_dir)
    widths = sorted({1, beam})
    scores = evaluate(model, data, beam_widths=widths)
    metrics = {
        "pair": data.pair,
        "variant": ("bi" if variant["bidirectional"] else "") + variant["cell"] + "-"
                   + variant["implementation"] + "-attention-" + str(variant["attention"]),
        "bleu_greedy": scores["bleu"][1],
        "bleu_beam": scores["bleu"][beam],
        "beam": beam,
        "token_accuracy": scores["token_accuracy"],
        "test_sentences": len(scores["sources"]),
        "test_pairs": sizes["test"],
        "train_pairs": sizes["train"],
        "epochs": trained.epochs,
        "best_epoch": trained.best_epoch,
        "resumed_from_epoch": trained.resumed_from,
        "train_seconds": trained.seconds,
        "decode_seconds_beam": scores["seconds"][beam],
        "parameters": int(model.count_params()),
    }
    if out_dir is not None:
        training.save_model(model, out_dir / "model.keras")
        (out_dir / "translations.tsv").write_text("".join(
            f"{s}\t{h}\t{' | '.join(r)}\n" for s, h, r in
            zip(scores["sources"], scores["hypotheses"][beam], scores["references"])))
        for name, vocab in (("source", corpus.source_vocab), ("target", corpus.target_vocab)):
            vocab.save(out_dir / f"{name}_vocabulary.json")  # text.Vocabulary.load reads it
    return rounded(metrics)
