"""Helpers shared by the tests (fixtures live in conftest.py).

Data writers make tiny fixtures in a folder of the test's own (never the
shared data sets); ``cli`` runs the real command in a subprocess;
``driver_command`` runs the sentiment CLI on such a folder, for the tests that
must kill or distribute a real process.
"""

import gzip
import json
import os
import socket
import subprocess
import sys

import numpy as np

from rnn_keras import models

from rnn_keras.data import sources

WORDS = {1: ["great", "wonderful", "loved", "superb"], 0: ["awful", "boring", "hated", "dull"]}


def cli(*args, env=None, timeout=300):
    """``python -m rnn_keras ARGS`` in a fresh process (downloads stay off)."""
    env = dict(os.environ if env is None else env, TF_CPP_MIN_LOG_LEVEL="2")
    env[sources.OFFLINE_ENV] = "1"
    return subprocess.run([sys.executable, "-m", "rnn_keras", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env)


def last_json(text):
    """The JSON object on the last line of a run's standard output."""
    return json.loads(text.strip().splitlines()[-1])


def write_reviews(root, n=600, seed=0, flip=0.0, filler_words=150, length=60):
    """An aclImdb-shaped folder of ``n`` reviews per split; returns ``root``.

    Two marker words give a review's label away, except in a share ``flip``
    of reviews, where they are the other label's (so the best accuracy is
    about ``1 - flip``).
    """
    rng = np.random.default_rng(seed)
    filler = [f"w{i}" for i in range(filler_words)]
    for split in ("train", "test"):
        for i in range(n):
            label = i % 2
            folder = root / "aclImdb" / split / ("pos" if label else "neg")
            folder.mkdir(parents=True, exist_ok=True)
            marker = 1 - label if rng.random() < flip else label
            words = list(rng.choice(filler, length)) + list(rng.choice(WORDS[marker], 2))
            rng.shuffle(words)
            (folder / f"{i}_{8 if label else 2}.txt").write_text(" ".join(words) + ".<br />")
    return root


def fake_digits(n=50, side=28, seed=0):
    """``n`` MNIST-shaped images (a bright block) and labels 0..9 in turn."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, side, side), np.uint8)
    images[:, 6:22, 10:18] = rng.integers(128, 256, size=(n, 16, 8))
    return images, (np.arange(n) % 10).astype("int32")


def wav_bytes(samples, rate=8000, channels=1, width=2, declared=None):
    """A WAV file's bytes: int16 ``samples`` (a ``declared`` frame count in the header
    larger than the data makes it truncated)."""
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(np.asarray(samples).astype(f"<i{width}").tobytes())
    data = buffer.getvalue()
    if declared is not None:  # patch the header's data size, keep the short data
        size = declared * channels * width
        data = data[:4] + (36 + size).to_bytes(4, "little") + data[8:40] + \
            size.to_bytes(4, "little") + data[44:]
    return data


def tone(digit, speaker, index, seconds=0.12, rate=8000):
    """A made-up recording: a tone whose pitch says the digit, a little per speaker."""
    t = np.arange(int(seconds * rate * (1 + 0.1 * (index % 3)))) / rate
    wave_ = np.sin(2 * np.pi * (300 + 250 * digit + 15 * speaker) * t)
    return (8000 * wave_ * np.hanning(len(t))).astype("int16") + 1


def write_fsdd(root, speakers=("george", "jackson", "lucas", "nicolas", "theo", "yweweler"),
               digits=range(10), per=50, seconds=0.12):
    """An FSDD-shaped folder ``free-spoken-digit-dataset-1.0.10/recordings`` of tones."""
    folder = root / "free-spoken-digit-dataset-1.0.10" / "recordings"
    folder.mkdir(parents=True)
    for s, speaker in enumerate(speakers):
        for digit in digits:
            for index in range(per):
                (folder / f"{digit}_{speaker}_{index}.wav").write_bytes(
                    wav_bytes(tone(digit, s, index, seconds)))
    return root


def write_idx(path, array):
    """An idx file (MNIST's format), gzipped."""
    array = np.asarray(array, np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


def write_chorales(root, per_split=4, steps=64, seed=0):
    """A JSB-layout folder (``train/valid/test/chorale_NNN.csv``); returns ``root``."""
    rng = np.random.default_rng(seed)
    for split in ("train", "valid", "test"):
        (root / split).mkdir(parents=True, exist_ok=True)
        for k in range(per_split):
            chords = np.repeat(rng.integers(48, 76, size=(steps // 4, 4)), 4, axis=0)
            rows = "\n".join(",".join(map(str, row)) for row in chords)
            (root / split / f"chorale_{k:03d}.csv").write_text(
                "note0,note1,note2,note3\n" + rows + "\n")
    return root


# --- the sentiment CLI in a subprocess, on a written review folder -----------


def driver_command(out, data_dir, extra=()):
    """The sentiment CLI in its smoke profile on the reviews in ``data_dir``."""
    return [sys.executable, "-m", "rnn_keras", "run", "sentiment", "--profile", "smoke",
            "--data-dir", str(data_dir), "--out", str(out), *extra]


def driver_env(tmp_path):
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    env[sources.CACHE_ENV] = str(tmp_path / "cache")
    env[sources.OFFLINE_ENV] = "1"
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- one small model per builder and configuration ---------------------------

CELLS = ("simple", "lstm", "gru")
IMPLEMENTATIONS = ("fused", "scratch")
BUILDERS = ("many_to_one", "many_to_many", "one_to_many", "seq2seq")
BATCH, T_IN, T_OUT = 4, 6, 5
# Three right-padded source sentences of token ids, for the translators' tests.
SOURCE = np.array([[3, 4, 5, 6, 0, 0], [7, 8, 0, 0, 0, 0], [9, 10, 3, 4, 5, 6]], "int32")
COMBOS = [
    (builder, cell, impl, bi)
    for builder in BUILDERS
    for cell in CELLS for impl in IMPLEMENTATIONS for bi in (False, True)
] + [("one_to_many_lm", cell, impl, False) for cell in CELLS for impl in IMPLEMENTATIONS]


def padded_tokens(rng, vocab, batch, timesteps):
    tokens = rng.integers(1, vocab, size=(batch, timesteps)).astype("int32")
    tokens[1, timesteps - 2:] = 0  # right padding
    return tokens


def example(builder, cell, implementation, bidirectional, rng):
    """(model, x, y) for one builder and configuration."""
    # Two layers where the stack wiring differs (states handed on, no reverse).
    shared = dict(cell=cell, implementation=implementation, units=4,
                  num_layers=1 if bidirectional else 2,
                  bidirectional=bidirectional, dropout=0.1)
    if builder == "many_to_one":
        model = models.many_to_one(3, vocab_size=20, embedding_dim=8, pooling="mean_max", **shared)
        x = padded_tokens(rng, 20, BATCH, T_IN)
        y = rng.integers(0, 3, size=(BATCH,))
    elif builder == "many_to_many":
        model = models.many_to_many(2, input_dim=3, **shared)
        x = rng.normal(size=(BATCH, T_IN, 3)).astype("float32")
        y = rng.normal(size=(BATCH, T_IN, 2)).astype("float32")
    elif builder == "one_to_many":
        model = models.one_to_many(3, 2, steps=T_OUT, **shared)
        x = rng.normal(size=(BATCH, 3)).astype("float32")
        y = rng.normal(size=(BATCH, T_OUT, 2)).astype("float32")
    elif builder == "one_to_many_lm":
        shared.pop("bidirectional")
        model = models.one_to_many(3, vocab_size=12, embedding_dim=8, **shared)
        x = {"features": rng.normal(size=(BATCH, 3)).astype("float32"),
             "tokens": padded_tokens(rng, 12, BATCH, T_OUT)}
        y = rng.integers(0, 12, size=(BATCH, T_OUT))
    elif builder == "seq2seq":
        model = models.seq2seq(12, source_vocab_size=20, embedding_dim=8, **shared)
        x = {"encoder_inputs": padded_tokens(rng, 20, BATCH, T_IN),
             "decoder_inputs": padded_tokens(rng, 12, BATCH, T_OUT)}
        y = rng.integers(0, 12, size=(BATCH, T_OUT))
    else:
        raise AssertionError(builder)
    return model, x, y
