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


def test_the_model_served_on_text_reads_the_last_tokens_as_training_did(review_dir):
    """Regression: the saved text model read whole reviews while training (and
    predict_texts) kept the last ``max_length`` tokens, so long reviews scored differently."""
    import tensorflow as tf

    data = sentiment.prepare(profile="smoke", data_dir=review_dir)
    result = sentiment.train_variant(data)
    texts = ["great wonderful superb " * 10 + "w1 w2 awful boring dull",
             "awful boring dull " * 10 + "w1 w2 great wonderful superb", "", "great"]
    served = sentiment.end_to_end_model(data.vectorizer, result["model"], 5)
    p_served = np.asarray(served(tf.constant([[t] for t in texts])))[:, 0]
    p_training = sentiment.predict_texts(result["model"], data.vectorizer, texts, 5)
    np.testing.assert_allclose(p_served, p_training, atol=1e-5)
    assert p_served[0] < 0.5 < p_served[1]  # only the endings are read


def test_last_tokens_cuts_like_the_training_pipeline():
    from rnn_keras.layers import LastTokens

    ids = np.array([[5, 6, 7, 8, 0], [9, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(np.asarray(LastTokens(3)(ids)),
                                  [[6, 7, 8], [9, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(np.asarray(LastTokens(7)(ids))[:, :5], ids)
    assert LastTokens.from_config(LastTokens(3).get_config()).max_length == 3


def test_tfidf_baseline_on_separable_reviews(review_dir):
    data = sentiment.prepare(profile="smoke", data_dir=review_dir)
    assert sentiment.tfidf_baseline(data)["test_accuracy"] > 0.9
