import numpy as np
import pytest

from rnn_keras import decoding, metrics


class CountingModel:
    """Emits token 3 + (sum of the encoder inputs) + t at step t; <end> (2) at step 3."""

    def __init__(self, vocab=20):
        self.vocab = vocab
        self.calls = 0

    def predict(self, inputs, batch_size=None, verbose=0):
        self.calls += 1
        prefix = inputs["decoder_inputs"]
        base = inputs["encoder_inputs"].sum(axis=1)
        batch, length = prefix.shape
        logits = np.zeros((batch, length, self.vocab))
        for t in range(length):
            produced = (prefix[:, : t + 1] > 0).sum(axis=1)  # tokens read so far
            ids = np.where(produced >= 4, 2, 3 + base + t)
            logits[np.arange(batch), t, ids] = 1.0
        return logits


def test_greedy_decode_feeds_its_own_output_back_and_stops_at_end():
    model = CountingModel()
    enc = np.array([[0], [1]])
    out = decoding.greedy_decode(model, {"encoder_inputs": enc}, start_id=1, end_id=2, max_length=8)
    np.testing.assert_array_equal(out, [[3, 4, 5, 0, 0, 0, 0, 0], [4, 5, 6, 0, 0, 0, 0, 0]])
    assert model.calls == 4  # stops once every sequence has ended


def test_greedy_decode_checks_its_inputs():
    with pytest.raises(ValueError, match="dict of the model's non-decoder inputs"):
        decoding.greedy_decode(CountingModel(), np.zeros((1, 1)), start_id=1, end_id=2, max_length=3)
    with pytest.raises(ValueError, match="must not contain the decoder input"):
        decoding.greedy_decode(CountingModel(), {"decoder_inputs": np.zeros((1, 1))}, start_id=1,
                               end_id=2, max_length=3)


def test_token_accuracy_counts_real_tokens_once():
    y_true = np.array([[1, 2, 0, 0], [3, 3, 3, 3]])
    y_pred = np.array([[1, 0, 9, 9], [3, 3, 3, 0]])
    weights = (y_true > 0).astype(float)
    # 1 + 3 correct real tokens out of 6.
    assert metrics.token_accuracy(y_true, y_pred, weights) == pytest.approx(4 / 6)
    scores = np.eye(10)[y_pred]
    assert metrics.token_accuracy(y_true, scores, weights) == pytest.approx(4 / 6)
    with pytest.raises(ValueError, match="same shape"):
        metrics.token_accuracy(y_true, y_pred[:, :2])
    with pytest.raises(ValueError, match="zero everywhere"):
        metrics.token_accuracy(y_true, y_pred, np.zeros_like(weights))


def test_sequence_accuracy_ignores_trailing_padding():
    assert metrics.sequence_accuracy([[4, 5, 0]], [[4, 5]]) == 1.0
    assert metrics.sequence_accuracy([[4, 5, 0], [1, 1, 1]], [[4, 6, 0], [1, 1, 1]]) == 0.5


def test_paired_sign_test_by_hand():
    from rnn_keras import metrics

    # A better on 3 items, B better on 1, 2 ties: p = P(|X - 2| >= 1) for X ~ Bin(4, 1/2)
    # = 1 - P(X = 2) = 1 - 6/16 = 0.625
    result = metrics.paired_sign_test([0, 1, 0, 2, 1, 1], [1, 2, 1, 0, 1, 1])
    assert (result["a_better"], result["b_better"], result["ties"]) == (3, 1, 2)
    assert result["p_value"] == pytest.approx(0.625)
    assert metrics.paired_sign_test([1, 1], [1, 1])["p_value"] == 1.0
    # 10 of 10 one way: 2 / 2**10
    assert metrics.paired_sign_test([0] * 10, [1] * 10)["p_value"] == pytest.approx(2 / 1024)
    with pytest.raises(ValueError, match="same length"):
        metrics.paired_sign_test([1, 2], [1])


def test_position_majority_accuracy_compares_up_to_the_test_width():
    from rnn_keras import metrics

    y_train = np.array([[5, 7], [5, 8], [6, 8]])          # majority 5, then 8
    w_train = np.ones_like(y_train)
    y_test = np.array([[5, 8, 9], [6, 7, 0]])
    w_test = np.array([[1, 1, 1], [1, 1, 0]])
    # guesses 5, 8, 0: right on 5, 8 (row 1) and nothing in row 2: 2 of 5 real tokens
    assert metrics.position_majority_accuracy(y_train, y_test, (w_train, w_test)) == \
        pytest.approx(2 / 5)
