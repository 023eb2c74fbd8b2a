"""Every kind of model the package saves loads back in ONE fresh process, with
only ``import rnn_keras`` and safe mode on, and predicts (and decodes) exactly
what it did in this process.

One process for all of them: a fresh Python with TensorFlow costs seconds, and
the question ("is every class registered, does every config round-trip?") is
the same for each model.
"""

import json
import pickle
import subprocess
import sys

import keras
import numpy as np
import pytest

from helpers import COMBOS
from helpers import SOURCE
from helpers import example
from rnn_keras import decoding
from rnn_keras import models
from rnn_keras.experiments import sentiment
from rnn_keras.layers import GRUCell
from rnn_keras.layers import LSTMCell
from rnn_keras.layers import SimpleRNNCell
from rnn_keras.models import video

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]

RELOAD = r"""
import json, pickle, sys
import numpy as np
import keras
import rnn_keras  # registers every class; nothing else of the package is imported
from rnn_keras import decoding
folder = sys.argv[1]
with open(folder + "/cases.pkl", "rb") as f:
    cases = pickle.load(f)
report = {}
for name, case in cases.items():
    model = keras.saving.load_model(f"{folder}/{name}.keras", safe_mode=True)
    x = case["x"]
    if case.get("text"):
        import tensorflow as tf
        x = tf.constant(x)
    got = keras.ops.convert_to_numpy(model(x))
    entry = {"diff": float(np.abs(got - case["expected"]).max())}
    if case.get("loss"):
        entry["loss"] = type(model.loss).__name__
    if "decode" in case:
        step = decoding.StepDecoder.from_model(model)
        search = getattr(decoding, case["decode"]["search"])
        ids = search(step, {"encoder_inputs": x["encoder_inputs"]}, **case["decode"]["kwargs"])
        entry["ids"] = np.asarray(ids).tolist()
    report[name] = entry
print(json.dumps(report))
"""



def _cases(rng, review_dir):
    """``name -> (model, case)``: inputs, outputs here, and what to decode."""
    out = {}

    def add(name, model, x, **extra):
        out[name] = (model, dict(x=x, expected=keras.ops.convert_to_numpy(model(x)), **extra))

    # The three cells, stacked and bidirectional, with dropout configured.
    x = rng.normal(size=(3, 7, 4)).astype("float32")
    for kind, cls in (("simple", SimpleRNNCell), ("lstm", LSTMCell), ("gru", GRUCell)):
        add(f"cell-{kind}", keras.Sequential([
            keras.Input((7, 4)),
            keras.layers.Bidirectional(keras.layers.RNN(cls(5, dropout=0.1),
                                                        return_sequences=True)),
            keras.layers.RNN(cls(3))]), x)
    # Every builder x cell x implementation x direction.
    for builder, cell, impl, bi in COMBOS:
        keras.utils.set_random_seed(0)
        model, x, _ = example(builder, cell, impl, bi, rng)
        add(f"{builder}-{cell}-{impl}-{'bi' if bi else 'uni'}", model, x)
    # Translators with attention: decoded step by step after reloading.
    beam = dict(start_id=1, end_id=2, max_length=7, beam_width=3)
    for attention in ("bahdanau", "luong"):
        keras.utils.set_random_seed(0)
        model = models.seq2seq(9, source_vocab_size=11, embedding_dim=6, units=5,
                               bidirectional=True, attention=attention)
        ids = decoding.beam_search(decoding.StepDecoder.from_model(model),
                                   {"encoder_inputs": SOURCE}, **beam)
        add(f"translator-{attention}", model,
            {"encoder_inputs": SOURCE, "decoder_inputs": SOURCE[:, :4] % 9},
            decode={"search": "beam_search", "kwargs": beam, "ids": ids.tolist()})
    # The image captioner (CNN grid + attention decoder), decoded greedily.
    keras.utils.set_random_seed(0)
    captioner = models.image_captioner(12, (32, 32, 1), cnn_filters=(4, 8), units=8,
                                       embedding_dim=4)
    images = rng.random((3, 32, 32, 1)).astype("float32")
    greedy = dict(start_id=1, end_id=2, max_length=6)
    ids = decoding.greedy_search(decoding.StepDecoder.from_model(captioner),
                                 {"encoder_inputs": images}, **greedy)
    add("captioner", captioner,
        {"encoder_inputs": images, "decoder_inputs": np.ones((3, 4), "int32")},
        decode={"search": "greedy_search", "kwargs": greedy, "ids": ids.tolist()})
    # A model compiled with the package's registered loss (the joint chorale form):
    # load_model compiles it again, so the loss must come with `import rnn_keras`.
    from rnn_keras.losses import GroupedSparseCategoricalCrossentropy

    joint = models.many_to_many(8, input_dim=8, units=4)
    joint.compile("adam", loss=GroupedSparseCategoricalCrossentropy(groups=2))
    add("grouped-loss", joint, rng.random((2, 5, 8)).astype("float32"), loss=True)
    # The video models.
    clips = rng.random((2, 3, 8, 8, 1)).astype("float32")
    add("next-frame", video.next_frame_model((8, 8, 1), filters=(4,), patch_size=2), clips)
    add("clip-classifier", video.clip_classifier((8, 8, 1), 4, cnn_filters=(4,), units=4), clips)
    # The forecasters: level offset (keras.ops in the graph) and a linear skip.
    from rnn_keras.models.forecaster import forecaster

    window = rng.random((3, 12, 3)).astype("float32")
    add("forecaster-rnn", forecaster(12, 3, 4, units=4, steps_per_input=3, level_steps=3),
        window)
    add("forecaster-encoder-decoder", forecaster(12, 3, 4, units=4,
                                                 strategy="encoder_decoder"), window)
    add("forecaster-cnn", forecaster(12, 3, 4, kind="cnn", units=4, level_steps=1), window)
    # The speech models: raw audio in (the log-mel front end is a layer); the CTC
    # model compiled with the package's CTC loss.
    from rnn_keras.losses import CTCLoss
    from rnn_keras.models import speech

    audio = np.zeros((2, 2400), "float32")
    audio[0] = rng.normal(size=2400)
    audio[1, :1500] = rng.normal(size=1500)
    add("speech-rnn", speech.word_classifier(10, units=4, num_layers=1, num_mel_bins=8), audio)
    add("speech-cnn", speech.word_classifier(10, kind="cnn", num_mel_bins=8, cnn_filters=(4,)),
        audio)
    ctc = speech.ctc_recognizer(10, units=4, num_layers=1, num_mel_bins=8)
    ctc.compile("adam", loss=CTCLoss())
    add("speech-ctc", ctc, audio, loss=True)
    # Language models: the character LM and a classifier fine-tuned from a word LM
    # (concat pooling; compiled with DiscriminativeAdam, which must load too).
    from rnn_keras import training

    ids = rng.integers(0, 20, (2, 9)).astype("int32")
    add("language-model", models.language_model(20, units=4, num_layers=2, output_size=12), ids)
    fine_tuned = models.many_to_one(1, vocab_size=20, units=4, pooling="concat")
    models.transfer_weights(models.language_model(20, embedding_dim=64, units=4), fine_tuned)
    fine_tuned.compile(training.DiscriminativeAdam(1e-3, multipliers={"embedding": 0.1}), "mse")
    add("fine-tuned-classifier", fine_tuned, np.where(np.arange(9) < 6, ids + 1, 0))
    # The sentiment model that reads raw text (TextVectorization inside).
    data = sentiment.prepare(profile="smoke", data_dir=review_dir)
    trained = sentiment.train_variant(data)
    add("sentiment-from-text", sentiment.end_to_end_model(data.vectorizer, trained["model"], 4),
        np.array([["great wonderful superb"], ["awful boring dull"]]), text=True)
    return out


def test_every_saved_model_reloads_in_a_fresh_process_and_predicts_the_same(
        tmp_path, rng, review_dir):
    cases = {}
    for name, (model, case) in _cases(rng, review_dir).items():
        model.save(tmp_path / f"{name}.keras")
        cases[name] = case
    with open(tmp_path / "cases.pkl", "wb") as f:
        pickle.dump(cases, f)
    proc = subprocess.run([sys.executable, "-c", RELOAD, str(tmp_path)], capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(report) == set(cases)
    bad = {k: v["diff"] for k, v in report.items() if not v["diff"] < 1e-5}
    assert not bad, bad
    assert report["grouped-loss"]["loss"] == "GroupedSparseCategoricalCrossentropy"
    assert report["speech-ctc"]["loss"] == "CTCLoss"
    for name, case in cases.items():
        if "decode" in case:
            assert report[name]["ids"] == case["decode"]["ids"], name
    # The text model is a real classifier, not a constant: the words decide.
    p = cases["sentiment-from-text"]["expected"].ravel()
    assert p[0] > p[1]
