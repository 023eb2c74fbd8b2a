"""The sentiment experiment end to end, on a tiny review folder written here."""

import json
import subprocess
import sys

import numpy as np
import pytest

from rnn_keras.data import sources
from rnn_keras.experiments import sentiment

WORDS = {1: ["great", "wonderful", "loved", "superb"], 0: ["awful", "boring", "hated", "dull"]}


@pytest.fixture
def review_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(sources.CACHE_ENV, str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for i in range(40):
            label = i % 2
            folder = tmp_path / "data" / "aclImdb" / split / ("pos" if label else "neg")
            folder.mkdir(parents=True, exist_ok=True)
            words = list(rng.choice(["the", "film", "was", "and", "plot"], 12))
            words += list(rng.choice(WORDS[label], 3))
            (folder / f"{i}_{8 if label else 2}.txt").write_text(" ".join(words) + ".<br />")
    return tmp_path / "data"


@pytest.fixture
def tiny_settings(monkeypatch):
    monkeypatch.setitem(sentiment.SETTINGS, "quick", {
        "n_train": None, "n_test": None, "vocab_size": 50, "max_length": 20, "epochs": 3,
        "units": 8, "embedding_dim": 8, "learning_rate": 1e-2, "batch_size": 8})


def test_run_trains_reports_and_saves(review_dir, tiny_settings, tmp_path):
    metrics = sentiment.run(profile="quick", data_dir=review_dir, out_dir=tmp_path, verbose=0,
                            cell="lstm", bidirectional=False)
    assert metrics["variant"] == "lstm-fused-mean_max"
    assert metrics["test_reviews"] == 40
    assert 0 <= metrics["test_accuracy"] <= 1 and metrics["parameters"] > 0
    assert (tmp_path / "model.keras").exists()
    vocabulary = (tmp_path / "vocabulary.txt").read_text().split("\n")
    assert vocabulary[:2] == ["", "[UNK]"] and "great" in vocabulary


def test_end_to_end_text_model_reloads_in_a_fresh_process(review_dir, tiny_settings, tmp_path):
    sentiment.run(profile="quick", data_dir=review_dir, out_dir=tmp_path, verbose=0)
    script = (
        "import sys, keras, tensorflow as tf, rnn_keras\n"
        "m = keras.saving.load_model(sys.argv[1], safe_mode=True)\n"
        "p = m.predict(tf.constant([['great wonderful superb'], ['awful boring dull']]), verbose=0)\n"
        "print(p.ravel().tolist())\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "model_from_text.keras")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    p = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(p) == 2 and all(0 <= v <= 1 for v in p)


def test_validation_comes_from_train_only(review_dir, tiny_settings):
    data = sentiment.prepare(profile="quick", data_dir=review_dir)
    assert len(data.train) + len(data.validation) == 40 and len(data.test) == 40
    assert not set(data.train.ids) & set(data.validation.ids)


def test_predict_texts_gives_probabilities(review_dir, tiny_settings):
    data = sentiment.prepare(profile="quick", data_dir=review_dir)
    result = sentiment.train_variant(data, epochs=10)
    p = sentiment.predict_texts(result["model"], data.vectorizer,
                                ["great wonderful superb loved", "awful boring dull hated"], 20)
    assert p.shape == (2,) and np.all((0 <= p) & (p <= 1))
    assert p[0] > p[1]  # the sentiment words are all it can learn from


def test_tfidf_baseline_on_separable_reviews(review_dir, tiny_settings):
    data = sentiment.prepare(profile="quick", data_dir=review_dir)
    assert sentiment.tfidf_baseline(data)["test_accuracy"] > 0.9


def test_cli_refuses_variant_options_where_they_do_not_apply():
    proc = subprocess.run([sys.executable, "-m", "rnn_keras", "run", "topologies", "--cell", "lstm"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "experiment 'topologies' has no --cell option" in proc.stderr


def test_cli_missing_imdb_data_exits_2_with_one_line(tmp_path, monkeypatch):
    import os

    env = dict(os.environ, RNN_KERAS_CACHE_DIR=str(tmp_path / "cache"))
    empty = tmp_path / "empty"
    empty.mkdir()
    # Block the download so the test never touches the network.
    env["HTTPS_PROXY"] = env["HTTP_PROXY"] = "http://127.0.0.1:9"
    proc = subprocess.run([sys.executable, "-m", "rnn_keras", "run", "sentiment", "--profile",
                           "quick", "--data-dir", str(empty), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    errors = [l for l in proc.stderr.splitlines() if l.startswith("rnn_keras: error:")]
    assert len(errors) == 1
    assert "RNN_KERAS_DATA_DIR" in errors[0] and "aclImdb_v1.tar.gz" in errors[0]
    assert "Traceback" not in proc.stderr
