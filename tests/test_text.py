"""rnn_keras.text: the one vocabulary, teacher forcing and sampler every task uses."""

import pathlib
import re

import numpy as np
import pytest

from rnn_keras import text

PACKAGE = pathlib.Path(text.__file__).parent


def test_open_vocabulary_ranks_by_count_and_maps_unknown_words():
    vocab = text.Vocabulary.from_texts([["b", "a", "b"], ["c", "b", "a"], ["d"]], min_count=2)
    assert vocab.tokens == ["<pad>", "<start>", "<end>", "<unk>", "b", "a"]
    assert vocab.encode(["a", "zebra"]) == [5, text.UNK]
    assert vocab.decode([text.START, 4, 0, 5, text.END, 4]) == ["b", "a"]
    assert vocab.decode([4, 0, 5], stop_at_pad=True) == ["b"]
    assert len(text.Vocabulary.from_texts([["b", "a", "b", "c"]], max_size=5)) == 5


def test_closed_vocabulary_keeps_ids_and_refuses_unknown_words_by_name():
    vocab = text.Vocabulary(["one", "two", "one"], unknown=False)
    assert vocab.tokens == ["<pad>", "<start>", "<end>", "one", "two"]
    assert vocab.encode(["two", "one"]) == [4, 3]
    with pytest.raises(ValueError, match=r"\['three'\] are not in this closed vocabulary"):
        vocab.encode(["one", "three"])


def test_vocabulary_saves_and_loads(tmp_path):
    for vocab in (text.Vocabulary(["é", "a"]), text.Vocabulary(["x"], unknown=False)):
        path = vocab.save(tmp_path / "vocab.json")
        assert text.Vocabulary.load(path) == vocab
    with pytest.raises(FileNotFoundError, match="No vocabulary file"):
        text.Vocabulary.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text('{"words": []}')
    with pytest.raises(ValueError, match="is not a vocabulary file"):
        text.Vocabulary.load(tmp_path / "bad.json")


def test_teacher_forcing_shifts_the_target_by_one_step():
    inputs, targets, weights = text.teacher_forcing([[5, 6, 7], [8]])
    np.testing.assert_array_equal(inputs, [[text.START, 5, 6, 7], [text.START, 8, 0, 0]])
    np.testing.assert_array_equal(targets, [[5, 6, 7, text.END], [8, text.END, 0, 0]])
    np.testing.assert_array_equal(inputs[:, 1:], np.where(targets == text.END, 0, targets)[:, :-1])
    np.testing.assert_array_equal(weights, targets != text.PAD)


def test_tokenize_and_detokenize():
    assert text.tokenize("¿Dónde   está?  Don't!") == ["¿", "dónde", "está", "?", "don't", "!"]
    assert text.detokenize(["¿", "dónde", "está", "?"]) == "¿dónde está?"


def test_sampler_draws_what_numpy_choice_draws():
    logits = np.random.default_rng(0).normal(size=(200, 7)) * 3
    for temperature in (0.5, 1.0, 1.5):
        ours, numpy_ = np.random.default_rng(1), np.random.default_rng(1)
        for row in logits:
            p = np.exp((row - row.max()) / temperature)
            assert text.sample_from_logits(row, temperature, ours) == numpy_.choice(
                len(row), p=p / p.sum())
    batch = text.sample_from_logits(logits, 1.0, np.random.default_rng(1))
    assert batch.shape == (200,) and batch.dtype == np.int64
    np.testing.assert_array_equal(text.sample_from_logits(logits, 0), logits.argmax(-1))
    # Low temperature concentrates the draws on the most likely id.
    cold = text.sample_from_logits(logits, 0.05, np.random.default_rng(2))
    assert (cold == logits.argmax(-1)).mean() > 0.95
    with pytest.raises(ValueError, match="`temperature`: -1. Expected a number >= 0"):
        text.sample_from_logits(logits, -1)


def _package_sources():
    return {p: p.read_text() for p in PACKAGE.rglob("*.py")}


def test_one_vocabulary_one_set_of_special_ids_one_sampler():
    sources = _package_sources()
    vocab_classes = [p.name for p, s in sources.items() if re.search(r"^class \w*Vocab", s, re.M)]
    specials = [p.name for p, s in sources.items()
                if re.search(r"^\s*PAD\s*(,[^=]*)?=\s*0", s, re.M)]
    samplers = [p.name for p, s in sources.items()  # inverse-CDF draws from a softmax
                if re.search(r"rng\.random\(\)|choice\([^)]*\bp=|cumulative", s)]
    # text_corpus.CharVocabulary is the one other: characters only, no special ids, so a
    # language model's loss per id is its loss per character
    assert sorted(vocab_classes) == ["text.py", "text_corpus.py"] and specials == ["text.py"], (
        vocab_classes, specials)
    assert samplers == ["text.py"], samplers
