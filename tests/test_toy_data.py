import numpy as np
import pytest

from rnn_keras.data import toy


def test_digits_shapes_and_split():
    (x_tr, y_tr), (x_te, y_te) = toy.digits(seed=0)
    assert x_tr.shape[1:] == (64,) and len(x_tr) + len(x_te) == 1797
    (s_tr, _), _ = toy.digits(as_sequence=True, seed=0)
    assert s_tr.shape[1:] == (8, 8)
    np.testing.assert_array_equal(s_tr.reshape(len(s_tr), 64), x_tr)
    assert 0 <= x_tr.min() and x_tr.max() <= 1


def test_curves_are_deterministic_and_follow_the_formula():
    p1, w1 = toy.curves(n=10, steps=12, seed=3)
    p2, w2 = toy.curves(n=10, steps=12, seed=3)
    np.testing.assert_array_equal(w1, w2)
    a, f, d = p1[0, 0] * 0.5 + 1.0, p1[0, 1] * 1.25 + 1.75, p1[0, 2] * 1.5 + 1.5
    t = np.arange(12) / 12
    np.testing.assert_allclose(w1[0, :, 0], a * np.exp(-d * t) * np.sin(2 * np.pi * f * t), atol=1e-5)


def test_seen_before_tags_are_correct():
    tokens, tags, weights = toy.seen_before(n=50, max_length=12, vocab_size=6, seed=1)
    for seq, tag, w in zip(tokens, tags, weights):
        n = int(w.sum())
        assert (seq[:n] > 0).all() and (seq[n:] == 0).all()
        expected = [int(seq[t] in seq[:t]) for t in range(n)]
        assert list(tag[:n]) == expected


@pytest.mark.parametrize("n, words", [
    (0, "zero"), (7, "seven"), (13, "thirteen"), (40, "forty"), (42, "forty two"),
    (100, "one hundred"), (342, "three hundred forty two"), (1000, "one thousand"),
    (21017, "twenty one thousand seventeen"),
])
def test_spell_number(n, words):
    assert toy.spell_number(n) == words


def test_number_words_pairs_and_split():
    data = toy.number_words(max_number=200, seed=0)
    train, test, vocab = data["train"], data["test"], data["vocab"]
    assert not set(train["numbers"]) & set(test["numbers"])
    i = 0
    n = test["numbers"][i]
    digits = [d - 3 for d in test["encoder_inputs"][i] if d]
    assert int("".join(map(str, digits))) == n
    assert " ".join(vocab.decode(test["targets"][i])) == toy.spell_number(int(n))
    assert test["decoder_inputs"][i][0] == toy.START
    np.testing.assert_array_equal(test["decoder_inputs"][i][1:], np.where(test["targets"][i] == toy.END, 0, test["targets"][i])[:-1])
    with pytest.raises(ValueError, match="0..999999"):
        toy.spell_number(-1)


def test_adding_problem_structure_and_baseline():
    x, y = toy.adding_problem(n=100_000, timesteps=10, seed=0)
    assert x.shape == (100_000, 10, 2) and y.shape == (100_000, 1)
    markers = x[..., 1]
    assert (markers.sum(axis=1) == 2).all()
    assert (markers[:, :5].sum(axis=1) == 1).all()  # one marker in each half
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * markers).sum(axis=1), atol=1e-5)
    # Always answering 1.0 scores Var(U + U') = 1/6.
    assert np.mean((y - 1.0) ** 2) == pytest.approx(toy.ADDING_BASELINE_MSE, abs=0.003)
    with pytest.raises(ValueError, match="timesteps >= 2"):
        toy.adding_problem(n=1, timesteps=1)


def test_marker_later_tags_look_ahead():
    tokens, tags, position = toy.marker_later(n=500, timesteps=12, seed=3)
    assert 0.35 < (position >= 0).mean() < 0.65
    for seq, tag, pos in zip(tokens, tags, position):
        assert (seq == 1).sum() == (1 if pos >= 0 else 0)
        expected = [int(pos > t) for t in range(12)]
        assert list(tag) == expected
