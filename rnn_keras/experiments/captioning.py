"""Image captioning (one-to-many): a CNN encoder and an attention decoder, trained from scratch.

Question: on scenes of MNIST digits whose digit images were never seen in
training (:mod:`rnn_keras.data.scenes`), how well does a show-attend-tell
captioner describe them (BLEU-1..4, exact captions), what do attention and
beam search each add, and does each digit word's attention fall on that
digit (attention-on-object rate)?

Used by notebook 05 and ``python -m rnn_keras run captioning``.
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
from rnn_keras.data import coco_captions
from rnn_keras.data import scenes as sc
from rnn_keras.experiments import rounded
from rnn_keras.text import END
from rnn_keras.text import START
from rnn_keras.text import Vocabulary
from rnn_keras.text import teacher_forcing
from rnn_keras.text import tokenize
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_option
from rnn_keras.validation import check_positive_int

# The scene grammar's closed vocabulary: no <unk>, ids 3... are its words.
VOCAB = Vocabulary(sc.WORDS, unknown=False)
VOCABULARY = tuple(VOCAB.tokens)
MAX_WORDS = 17  # three digits: 3 * 3 + 2 * 4
SETTINGS = {
    # Small scenes set and CNN: notebook 05 in about 90 s on 2 cores.
    "quick": {"n_train": 3000, "n_valid": 200, "n_test": 200, "cnn_filters": (8, 16, 32),
              "units": 64, "embedding_dim": 32, "epochs": 6, "batch_size": 32,
              "learning_rate": 2e-3, "patience": 3},
    "full": {"n_train": 10000, "n_valid": 1000, "n_test": 1000, "cnn_filters": (24, 48, 96),
             "units": 128, "embedding_dim": 64, "epochs": 15, "batch_size": 64,
             "learning_rate": 1e-3, "patience": 3},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"n_train": 64, "n_valid": 16, "n_test": 16, "cnn_filters": (4, 4, 8),
              "units": 8, "embedding_dim": 4, "epochs": 1, "batch_size": 16,
              "learning_rate": 1e-3, "patience": 2},
}


def encode(captions):
    """Teacher-forcing arrays: ``decoder_inputs``, ``targets``, ``weights`` ``(n, MAX+1)``."""
    rows = []
    for caption in captions:
        words = caption.split()
        if len(words) > MAX_WORDS:
            raise ValueError(f"Caption {caption!r} has {len(words)} words; at most "
                             f"{MAX_WORDS} fit.")
        rows.append(VOCAB.encode(words))
    return teacher_forcing(rows, width=MAX_WORDS + 1)


def decode(ids):
    """Caption strings from id rows (stops at the end token or padding)."""
    return [" ".join(VOCAB.decode(row, stop_at_pad=True)) for row in np.asarray(ids)]


@dataclasses.dataclass
class Data:
    """Caption scenes: ``splits`` maps ``train``/``validation``/``test`` to
    :func:`rnn_keras.data.scenes.make_splits`'s dicts (images, captions, layouts)."""

    splits: dict
    settings: dict


def prepare(profile=None, data_dir=None, seed=0, source="mnist"):
    """Scenes of real MNIST digits (digit images of test scenes unseen in training)."""
    s = dict(SETTINGS[config.get_profile(profile)])
    splits = sc.make_splits(s["n_train"], s["n_valid"], s["n_test"], source=source,
                            data_dir=data_dir, seed=seed)
    return Data(splits, s)


def build_model(data, *, attention="bahdanau", cell="gru", implementation="fused"):
    """The profile's CNN + GRU captioner (``attention``: ``"bahdanau"`` or ``None``), compiled."""
    settings = data.settings
    model = models.image_captioner(len(VOCABULARY), (64, 64, 1),
                                   cnn_filters=tuple(settings["cnn_filters"]),
                                   embedding_dim=settings["embedding_dim"],
                                   units=settings["units"], cell=cell,
                                   implementation=implementation, attention=attention)
    model.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"], clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model


def train(data, model, *, seed=None, verbose=0, run_dir=None, name="captioner"):
    """Teacher forcing with early stopping on validation loss (best weights kept);
    ``seed`` reseeds before the fit when given."""
    s = data.settings
    if seed is not None:
        keras.utils.set_random_seed(seed)

    def arrays(split):
        scenes = data.splits[split]
        inputs, targets, weights = encode(scenes["captions"])
        return {"encoder_inputs": scenes["images"], "decoder_inputs": inputs}, targets, weights

    x, y, w = arrays("train")
    validation = arrays("validation")
    return training.fit(model, x, y, sample_weight=w, validation_data=validation,
                        epochs=s["epochs"], batch_size=s["batch_size"], patience=s["patience"],
                        verbose=verbose, run_dir=run_dir, name=name)


def caption(decoder, images, beam_width=1, return_attention=False):
    """Captions of ``images`` (greedy, or beam search of ``beam_width``)."""
    inputs = {"encoder_inputs": np.asarray(images, "float32")}
    args = dict(start_id=START, end_id=END, max_length=MAX_WORDS + 1)
    if beam_width == 1:
        result = decoding.greedy_search(decoder, inputs, return_attention=return_attention,
                                        **args)
        if return_attention:
            ids, attention = result
            return decode(ids), attention
        return decode(result)
    if return_attention:
        raise ValueError("Attention maps come with greedy decoding (beam_width=1).")
    return decode(decoding.beam_search(decoder, inputs, beam_width=beam_width, **args))


def _digit_words(captions, layouts):
    """``(caption index, word step, box or None)`` for every digit word.

    The ``k``-th digit word of a caption names the ``k``-th digit of the
    layout from the left; a digit word beyond the scene's digits has no box.
    """
    for i, (text, layout) in enumerate(zip(captions, layouts)):
        digit_k = 0
        for step, word in enumerate(text.split()):
            if word.isdigit():
                yield i, step, layout[digit_k]["box"] if digit_k < len(layout) else None
                digit_k += 1


def _grid_side(cells):
    side = int(round(np.sqrt(cells)))
    if side * side != cells:
        raise ValueError(f"Expected a square grid of attention cells, got {cells}.")
    return side


def attention_on_object(captions, attention, layouts, image_size=64):
    """Share of digit words whose attention peak lies inside the box of the digit they name.

    The ``k``-th digit word of a caption names the ``k``-th digit of the
    layout from the left (if the caption has more digits than the scene,
    the extra words count as misses). ``attention``: ``(n, steps, cells)``
    of a square grid.
    """
    side = _grid_side(attention.shape[-1])
    pixel = image_size / side
    hits = total = 0
    for i, step, box in _digit_words(captions, layouts):
        total += 1
        if box is not None and step < len(attention[i]):
            peak = int(np.argmax(attention[i][step]))
            r, c = (peak // side + 0.5) * pixel, (peak % side + 0.5) * pixel
            top, left, size = box
            hits += top <= r < top + size and left <= c < left + size
    return hits / total if total else 0.0


def attention_chance(captions, layouts, cells=64, image_size=64):
    """The attention-on-object rate of a peak placed on a uniformly random cell.

    For each digit word, the share of the grid's cells whose centre lies in
    the box of the digit it names (the chance level of
    :func:`attention_on_object`, same counting rules).
    """
    side = _grid_side(cells)
    centres = (np.arange(side) + 0.5) * image_size / side
    shares = []
    for _, _, box in _digit_words(captions, layouts):
        share = 0.0
        if box is not None:
            top, left, size = box
            rows = ((centres >= top) & (centres < top + size)).sum()
            cols = ((centres >= left) & (centres < left + size)).sum()
            share = rows * cols / cells
        shares.append(share)
    return float(np.mean(shares)) if shares else 0.0


def scores(captions, scenes):
    """BLEU-1..4 (0-1), exact-match rate and parse rate of generated captions."""
    references = scenes["captions"]
    out = {f"bleu_{n}": rk_metrics.corpus_bleu(captions, references, max_order=n) / 100
           for n in range(1, 5)}
    out["exact_match"] = float(np.mean([c == r for c, r in zip(captions, references)]))
    parsed = 0
    for text in captions:
        try:
            sc.parse_caption(text)
            parsed += 1
        except ValueError:
            pass
    out["grammatical"] = parsed / len(captions)
    return out


def layout_captions(layouts, digit):
    """Each scene's caption with its true layout (count, sizes, order) and every digit
    called ``digit``: what knowing the layout, and nothing about the digits, scores."""
    return [sc.caption_for([{**item, "digit": digit} for item in layout]) for layout in layouts]


def constant_candidates():
    """Every caption the grammar can write with one digit word repeated:
    1-3 digits, each small or large, all called ``d`` (140 captions)."""
    import itertools

    out = []
    for count in (1, 2, 3):
        for sizes in itertools.product(("small", "large"), repeat=count):
            for digit in range(10):
                out.append(sc.caption_for([{"size": z, "digit": digit} for z in sizes]))
    return out


def trivial_baselines(data, pick_on="validation"):
    """The two strongest trivial captioners, each picked on ``pick_on`` (never the test).

    - ``constant``: one caption for every scene, the one of
      :func:`constant_candidates` with the highest BLEU-4 on ``pick_on``
      (ties: the higher BLEU-1);
    - ``layout``: :func:`layout_captions`, the true layout with every digit
      called the digit that scores best on ``pick_on``: an *oracle* of the
      layout that knows nothing of the digits.

    Returns ``{"constant": caption, "layout_digit": d}``; score them on the
    test with :func:`scores`.
    """
    scenes = data.splits[check_choice("pick_on", pick_on, ("train", "validation"))]

    def key(captions):
        s = scores(captions, scenes)
        return (s["bleu_4"], s["bleu_1"])

    constant = max(constant_candidates(), key=lambda c: key([c] * len(scenes["captions"])))
    digit = max(range(10), key=lambda d: key(layout_captions(scenes["layouts"], d)))
    return {"constant": constant, "layout_digit": digit}


def _with_layouts(captions, layouts):
    """``(said, layout)`` per caption that parses, ``said`` the ``[(size, digit)]`` it says."""
    for text, layout in zip(captions, layouts):
        try:
            yield sc.parse_caption(text), layout
        except ValueError:
            continue


def _same_layout(said, layout):
    return [z for z, _ in said] == [item["size"] for item in layout]


def digit_accuracy(captions, layouts):
    """Share of digits named right, over the scenes whose caption has the right layout
    (count and sizes), position by position; chance is 0.1. ``None`` if no scene has."""
    right = total = 0
    for said, layout in _with_layouts(captions, layouts):
        if _same_layout(said, layout):
            right += sum(d == item["digit"] for (_, d), item in zip(said, layout))
            total += len(layout)
    return right / total if total else None


def layout_accuracy(captions, layouts):
    """Share of captions whose parsed layout (count, sizes, order) is the scene's."""
    right = sum(_same_layout(said, layout) for said, layout in _with_layouts(captions, layouts))
    return right / max(len(captions), 1)


def evaluate(model, data, beam_width=3, split="test"):
    """Greedy and beam scores, attention-on-object (attention models), captions."""
    scenes = data.splits[split]
    decoder = decoding.StepDecoder.from_model(model)
    start = time.perf_counter()
    greedy, attention = caption(decoder, scenes["images"], return_attention=True)
    seconds = time.perf_counter() - start
    result = {"greedy": scores(greedy, scenes), "captions": {"greedy": greedy},
              "seconds_greedy": seconds}
    result["greedy"]["digit_accuracy"] = digit_accuracy(greedy, scenes["layouts"])
    result["greedy"]["layout_accuracy"] = layout_accuracy(greedy, scenes["layouts"])
    if attention is not None:
        result["attention_on_object"] = attention_on_object(greedy, attention,
                                                            scenes["layouts"])
        result["attention"] = attention
    if beam_width > 1:
        beam = caption(decoder, scenes["images"], beam_width=beam_width)
        result["beam"] = scores(beam, scenes)
        result["captions"]["beam"] = beam
    return result


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, cell=None,
        implementation=None, attention=None, beam=None):
    """Trains one captioner (default: GRU with Bahdanau attention) and scores it."""
    attention = check_option(check_choice, "attention",
                             "bahdanau" if attention is None else attention, ("none", "bahdanau"))
    beam = check_option(check_positive_int, "beam", 3 if beam is None else beam)
    data = prepare(profile=profile, data_dir=data_dir, seed=seed)
    s = data.settings
    print(f"[captioning] {s['n_train']}/{s['n_valid']}/{s['n_test']} scenes; attention "
          f"{attention}; digit images of test scenes unseen in training", flush=True)
    keras.utils.set_random_seed(seed)
    model = build_model(data, attention=None if attention == "none" else attention,
                        cell=cell or "gru", implementation=implementation or "fused")
    fitted = train(data, model, seed=seed, verbose=verbose, run_dir=out_dir)
    result = evaluate(model, data, beam_width=beam)
    metrics = {f"{k}_greedy": v for k, v in result["greedy"].items()}
    if "beam" in result:
        metrics.update({f"{k}_beam": v for k, v in result["beam"].items()})
    metrics.update({"beam": beam, "attention": attention, "epochs": fitted.epochs,
                    "best_epoch": fitted.best_epoch, "train_seconds": fitted.seconds,
                    "test_scenes": s["n_test"], "parameters": int(model.count_params())})
    if "attention_on_object" in result:
        metrics["attention_on_object"] = result["attention_on_object"]
    trivial = trivial_baselines(data)
    test = data.splits["test"]
    for name, captions in (("constant", [trivial["constant"]] * len(test["captions"])),
                           ("layout_oracle", layout_captions(test["layouts"],
                                                             trivial["layout_digit"]))):
        metrics.update({f"{k}_{name}": v for k, v in scores(captions, test).items()
                        if k in ("bleu_1", "bleu_4", "exact_match")})
    metrics["constant_caption"] = trivial["constant"]
    if out_dir is not None:
        training.save_model(model, out_dir / "captioner.keras")
        (out_dir / "captions.tsv").write_text("".join(
            f"{g}\t{r}\n" for g, r in zip(result["captions"]["greedy"],
                                          data.splits["test"]["captions"])))
    return rounded(metrics)


def coco_run(data_dir=None, epochs=3, units=64, max_words=16, seed=0, verbose=0,
             encoder=None):
    """The same captioner on real photos (COCO format): a working path, not a benchmark.

    Trains on ``train2017`` of the local COCO copy (every reference caption
    is one example), captions ``val2017`` greedily and scores BLEU-4 (0-1)
    against its references. On the 159-image ``coco_mini.tgz`` this shows the
    pipeline runs end to end; quality needs the full set and a pretrained
    ``encoder`` (see :func:`rnn_keras.models.image_captioner`).
    """
    train = coco_captions.load("train2017", data_dir)
    valid = coco_captions.load("val2017", data_dir)
    texts = [tokenize(c)[:max_words] for captions in train["captions"] for c in captions]
    vocab = Vocabulary.from_texts(texts, min_count=2)
    images = np.repeat(train["images"], [len(c) for c in train["captions"]], axis=0)
    inputs, targets, weights = teacher_forcing([vocab.encode(w) for w in texts],
                                               width=max_words + 1)
    keras.utils.set_random_seed(seed)
    model = models.image_captioner(len(vocab), train["images"].shape[1:],
                                   cnn_filters=(16, 32, 64), units=units, embedding_dim=32,
                                   encoder=encoder)
    model.compile(optimizer=keras.optimizers.Adam(2e-3, clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit({"encoder_inputs": images, "decoder_inputs": inputs}, targets,
                        sample_weight=weights, epochs=epochs,
                        batch_size=32, verbose=verbose).history
    decoder = decoding.StepDecoder.from_model(model)
    ids = decoding.greedy_search(decoder, {"encoder_inputs": valid["images"]},
                                 start_id=START, end_id=END, max_length=max_words + 1)
    captions = [" ".join(vocab.decode(row)) for row in ids]
    references = [[" ".join(tokenize(c)) for c in refs] for refs in valid["captions"]]
    return {"model": model, "history": history, "captions": captions, "valid": valid,
            "bleu_4": rk_metrics.corpus_bleu(captions, references) / 100,
            "vocabulary_size": len(vocab), "train_pairs": len(texts)}
