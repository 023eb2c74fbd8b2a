"""Runs the experiment CLI in a subprocess on a review folder written by the tests.

The driver swaps the sentiment experiment's quick settings for tiny ones
(a subprocess cannot be monkeypatched), then calls the real CLI.
"""

import json
import os
import socket
import sys

import numpy as np

from rnn_keras.data import sources

DRIVER = (
    "import json, sys\n"
    "from rnn_keras.experiments import sentiment\n"
    "sentiment.SETTINGS['quick'] = json.loads(sys.argv[1])\n"
    "from rnn_keras.__main__ import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)
SETTINGS = {"n_train": None, "n_test": None, "vocab_size": 200, "max_length": 80, "epochs": 6,
            "units": 16, "embedding_dim": 16, "learning_rate": 1e-2, "batch_size": 4}
WORDS = {1: ["great", "wonderful", "loved", "superb"], 0: ["awful", "boring", "hated", "dull"]}


def write_reviews(root, n=600, seed=0, flip=0.0):
    """An aclImdb-shaped folder of ``n`` reviews per split.

    Two marker words give a review's label away, except in a share ``flip``
    of reviews, where they are the other label's (so the best accuracy is
    about ``1 - flip``).
    """
    rng = np.random.default_rng(seed)
    filler = [f"w{i}" for i in range(150)]
    for split in ("train", "test"):
        for i in range(n):
            label = i % 2
            folder = root / "aclImdb" / split / ("pos" if label else "neg")
            folder.mkdir(parents=True, exist_ok=True)
            marker = 1 - label if rng.random() < flip else label
            words = list(rng.choice(filler, 60)) + list(rng.choice(WORDS[marker], 2))
            rng.shuffle(words)
            (folder / f"{i}_{8 if label else 2}.txt").write_text(" ".join(words) + ".")
    return root


def driver_command(out, data_dir, settings=SETTINGS, extra=()):
    return [sys.executable, "-c", DRIVER, json.dumps(settings), "run", "sentiment",
            "--profile", "quick", "--data-dir", str(data_dir), "--out", str(out), *extra]


def driver_env(tmp_path):
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    env[sources.CACHE_ENV] = str(tmp_path / "cache")
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])
