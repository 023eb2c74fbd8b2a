"""The sentiment experiment on a review folder written by the tests (tests/helpers.py:
two marker words decide every label, so a working model must get nearly all right).
(Reloading: tests/test_reload.py; usage errors: tests/test_cli.py.)"""

import numpy as np

from rnn_keras.experiments import sentiment


def test_run_learns_the_marker_words_and_saves(review_dir, tmp_path, offline_cache):
    metrics = sentiment.run(profile="smoke", data_dir=review_dir, out_dir=tmp_path, verbose=0,
                            cell="lstm", bidirectional=False)
    assert metrics["variant"] == "lstm-fused-mean_max"
    assert metrics["test_reviews"] == 400
    # chance is 0.5; a model that ignores its input stays there
    assert metrics["test_accuracy"] > 0.9, metrics
    losses = metrics["loss_per_epoch"]
    assert len(losses) == metrics["epochs"] and losses[-1] < losses[0]
    assert (tmp_path / "model.keras").exists() and (tmp_path / "model_from_text.keras").exists()
    vocabulary = (tmp_path / "vocabulary.txt").read_text().split("\n")
    assert vocabulary[:2] == ["", "[UNK]"] and "great" in vocabulary


def test_validation_comes_from_train_only(review_dir):
    data = sentiment.prepare(profile="smoke", data_dir=review_dir)
    assert len(data.train) + len(data.validation) == 400 and len(data.test) == 400
    assert not set(data.train.ids) & set(data.validation.ids)


def test_predict_texts_ranks_by_the_sentiment_words(review_dir):
    data = sentiment.prepare(profile="smoke", data_dir=review_dir)
    result = sentiment.train_variant(data)
    p = sentiment.predict_texts(result["model"], data.vectorizer,
                                ["w1 great wonderful w2", "w1 awful boring w2"] * 2, 20)
    assert p.shape == (4,)
    assert p[0] > 0.5 > p[1]  # the sentiment words are all it can learn from
    np.testing.assert_allclose(p[:2], p[2:])  # a text's score does not depend on its batch


def test_tfidf_baseline_on_separable_reviews(review_dir):
    data = sentiment.prepare(profile="smoke", data_dir=review_dir)
    assert sentiment.tfidf_baseline(data)["test_accuracy"] > 0.9
