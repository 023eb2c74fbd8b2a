"""Language models: the corpus batchers, stateful training, the step model, the sampler,
the n-gram baseline, discriminative fine-tuning and the pretraining's data boundary."""

import dataclasses

import keras
import pathlib

import numpy as np
import pytest

from helpers import write_reviews
from rnn_keras import decoding
from rnn_keras import models
from rnn_keras import text
from rnn_keras import training
from rnn_keras.data import text_corpus as tc
from rnn_keras.ngram import NGramModel


def shakespeare_like(n_lines=900, seed=0):
    rng = np.random.default_rng(seed)
    names, words = ["ROMEO", "JULIET", "NURSE"], "thou art my love and i the night sweet".split()
    lines = [f"{names[rng.integers(3)]}:\n" + " ".join(rng.choice(words, 6)) + ".\n"
             for _ in range(n_lines)]
    return "\n".join(lines)


# --- corpus ------------------------------------------------------------------------

def test_contiguous_batches_continue_each_row_in_the_next_batch():
    ids = np.arange(1000)
    batch, steps = 4, 7
    x, y = tc.contiguous_batches(ids, batch, steps)
    batches = x.reshape(-1, batch, steps)
    for i in range(1, len(batches)):
        # row b of batch i starts right where row b of batch i - 1 ended
        np.testing.assert_array_equal(batches[i][:, 0], batches[i - 1][:, -1] + 1)
    np.testing.assert_array_equal(y, x + 1)          # targets: the next id of each stream
    assert len(np.unique(x)) == x.size               # no id used twice as an input


def test_windows_are_shifted_by_one_and_errors_name_the_fix():
    x, y = tc.windows(np.arange(50), 10)
    assert x.shape == (4, 10)
    np.testing.assert_array_equal(y, x + 1)
    with pytest.raises(ValueError, match="too short"):
        tc.windows(np.arange(5), 10)


def test_char_vocabulary_round_trip_and_unknown_character(tmp_path):
    vocab = tc.CharVocabulary.from_text("to be or not")
    assert vocab.decode(vocab.encode("not to be")) == "not to be"
    with pytest.raises(ValueError, match="'z' is not in this vocabulary"):
        vocab.encode("zebra")
    assert tc.CharVocabulary.load(vocab.save(tmp_path / "v.json")) == vocab


def test_split_is_chronological_and_folder_copy_loads(tmp_path):
    train, validation = tc.split("abcdefghij", 0.1)
    assert (train, validation) == ("abcdefghi", "j")
    (tmp_path / "tinyshakespeare").mkdir()
    (tmp_path / "tinyshakespeare" / "input.txt").write_text("First Citizen:\n")
    assert tc.load_shakespeare(tmp_path, allow_download=False) == "First Citizen:\n"


def test_a_corrupt_file_copy_is_refused(tmp_path):
    from rnn_keras.data import DataCorruptError

    (tmp_path / "tinyshakespeare.txt").write_text("not the corpus")
    with pytest.raises(DataCorruptError, match="sha256"):
        tc.load_shakespeare(tmp_path, allow_download=False)


# --- models ------------------------------------------------------------------------

@pytest.mark.parametrize("cell,implementation", [("lstm", "fused"), ("gru", "scratch")])
def test_step_model_carries_the_states_exactly(cell, implementation, rng):
    model = models.language_model(20, units=8, num_layers=2, cell=cell,
                                  implementation=implementation)
    x = rng.integers(0, 20, (3, 12)).astype("int32")
    whole = model.predict_on_batch(x)
    stepper = models.step_model(model)
    first, states = models.run_with_states(stepper, x[:, :5])
    second, _ = models.run_with_states(stepper, x[:, 5:], states)
    np.testing.assert_allclose(np.concatenate([first, second], 1), whole, atol=1e-5)


def test_stateful_model_carries_state_and_reset_zeroes_it(rng):
    model = models.language_model(20, units=8, stateful=True, batch_size=2)
    x = rng.integers(0, 20, (2, 6)).astype("int32")
    first = model.predict_on_batch(x)
    assert not np.allclose(model.predict_on_batch(x), first)   # second call starts elsewhere
    models.reset_states(model)
    np.testing.assert_allclose(model.predict_on_batch(x), first, atol=1e-6)
    # ResetStates makes each evaluation start from zero: the same loss twice
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    xs, ys = tc.contiguous_batches(rng.integers(0, 20, 200), 2, 6)
    model.fit(xs, ys, batch_size=2, shuffle=False, epochs=1, verbose=0,
              callbacks=[models.ResetStates()])
    losses = [model.evaluate(xs, ys, batch_size=2, verbose=0, callbacks=[models.ResetStates()])
              for _ in range(2)]
    assert losses[0] == pytest.approx(losses[1])
    carried_on = model.evaluate(xs, ys, batch_size=2, verbose=0)   # no reset: another start
    assert carried_on != pytest.approx(losses[0], abs=1e-7)


def test_language_model_refuses_what_cannot_work():
    with pytest.raises(ValueError, match="cannot be bidirectional"):
        models.language_model(10, bidirectional=True)
    with pytest.raises(ValueError, match="fixed `batch_size`"):
        models.language_model(10, stateful=True)


def test_transfer_weights_moves_embedding_and_recurrent_layers():
    lm = models.language_model(30, embedding_dim=8, units=6, output_size=12)
    clf = models.many_to_one(1, vocab_size=30, embedding_dim=8, units=6, pooling="concat")
    assert models.transfer_weights(lm, clf) == ["embedding", "rnn_1"]
    for name in ("embedding", "rnn_1"):
        for a, b in zip(lm.get_layer(name).get_weights(), clf.get_layer(name).get_weights()):
            np.testing.assert_array_equal(a, b)
    wrong = models.many_to_one(1, vocab_size=30, embedding_dim=8, units=7)
    with pytest.raises(ValueError, match="rnn_1"):
        models.transfer_weights(lm, wrong)


def test_discriminative_adam_scales_each_layer_and_round_trips(rng):
    model = models.many_to_one(1, vocab_size=20, units=4, embedding_dim=4)
    before = {n: model.get_layer(n).get_weights()[0].copy() for n in ("embedding", "outputs")}
    optimizer = training.DiscriminativeAdam(1e-2, multipliers={"embedding": 0.0})
    model.compile(optimizer, "mse", jit_compile=True)
    model.fit(rng.integers(1, 20, (16, 5)), rng.random((16, 1)), epochs=1, verbose=0)
    np.testing.assert_array_equal(model.get_layer("embedding").get_weights()[0],
                                  before["embedding"])
    assert not np.allclose(model.get_layer("outputs").get_weights()[0], before["outputs"])
    again = training.DiscriminativeAdam.from_config(optimizer.get_config())
    assert again.multipliers == {"embedding": 0.0}
    with pytest.raises(ValueError, match="multipliers"):
        training.DiscriminativeAdam(multipliers={"rnn_1": -1})


def test_a_factor_of_zero_freezes_under_weight_decay_and_decay_follows_the_factor(rng):
    """Regression: Keras's weight decay used the base rate for every layer, so a frozen
    layer (factor 0) still shrank each step."""
    tokens = keras.Input((5,), dtype="int32")
    x = keras.layers.Embedding(20, 4, name="embedding")(tokens)
    x = keras.layers.Dense(4, name="middle")(keras.layers.Flatten()(x))
    model = keras.Model(tokens, keras.layers.Dense(1, name="outputs")(x))
    before = {name: model.get_layer(name).get_weights()[0].copy()
              for name in ("embedding", "middle", "outputs")}
    optimizer = training.DiscriminativeAdam(1e-2, multipliers={"embedding": 0.0, "middle": 0.5},
                                            weight_decay=0.5)
    model.compile(optimizer, "mse")
    model.fit(rng.integers(1, 20, (16, 5)), rng.random((16, 1)), epochs=1, batch_size=16,
              verbose=0)
    np.testing.assert_array_equal(model.get_layer("embedding").get_weights()[0],
                                  before["embedding"])
    assert not np.allclose(model.get_layer("middle").get_weights()[0], before["middle"])
    config = optimizer.get_config()
    assert config["weight_decay"] == 0.5 and config["multipliers"]["middle"] == 0.5
    again = training.DiscriminativeAdam.from_config(config)
    assert again.layer_weight_decay == 0.5 and again.weight_decay is None
    with pytest.raises(NotImplementedError, match="factor 0"):
        again.exclude_from_weight_decay(var_names=["bias"])


def test_weight_decay_is_scaled_by_the_layers_factor():
    """One step with a zero gradient: w <- w * (1 - decay * rate * factor), exactly."""
    keras.utils.set_random_seed(0)
    weights = {"a": keras.Variable(np.ones((3,), "float32"), name="kernel"),
               "b": keras.Variable(np.ones((3,), "float32"), name="kernel")}
    optimizer = training.DiscriminativeAdam(0.1, weight_decay=0.2)
    optimizer.factor = lambda variable: 0.5 if variable is weights["b"] else 1.0
    optimizer.build(list(weights.values()))
    optimizer.apply([np.zeros(3, "float32")] * 2, list(weights.values()))
    np.testing.assert_allclose(np.asarray(weights["a"]), 1 - 0.2 * 0.1, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(weights["b"]), 1 - 0.2 * 0.1 * 0.5, rtol=1e-6)


# --- sampling ----------------------------------------------------------------------

def test_sampler_limits():
    logits = np.log(np.array([[0.5, 0.3, 0.15, 0.05]] * 400))
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(text.sample_from_logits(logits, 0), np.zeros(400))
    np.testing.assert_array_equal(text.sample_from_logits(logits, 1e-4, rng), np.zeros(400))
    top2 = text.sample_from_logits(logits, 1.0, rng, top_k=2)
    assert set(top2) == {0, 1}                      # never outside the k most likely
    nucleus = text.sample_from_logits(logits, 1.0, rng, top_p=0.75)
    assert set(nucleus) == {0, 1}                   # 0.5 + 0.3 reach 0.75
    assert set(text.sample_from_logits(logits, 1.0, rng, top_p=0.5)) == {0}
    everything = text.sample_from_logits(logits, 1.0, rng, top_k=4, top_p=1.0)
    assert set(everything) == {0, 1, 2, 3}
    for bad in ({"top_k": 0}, {"top_p": 0.0}, {"top_p": 1.5}):
        with pytest.raises(ValueError):
            text.sample_from_logits(logits, 1.0, rng, **bad)


def test_sample_text_is_seeded_and_leaves_the_model_alone(rng):
    model = models.language_model(15, units=6)
    weights = [w.copy() for w in model.get_weights()]
    a = decoding.sample_text(model, [1, 2], 12, seed=3, num_samples=2, top_k=5)
    b = decoding.sample_text(model, [1, 2], 12, seed=3, num_samples=2, top_k=5)
    assert a.shape == (2, 12) and (a == b).all()
    for w, v in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(w, v)
    with pytest.raises(ValueError, match="empty prompt"):
        decoding.sample_text(model, [], 3)
    # forbidden ids are never drawn, even at a temperature that flattens everything
    hot = decoding.sample_text(model, [1, 2], 200, seed=0, num_samples=4, temperature=50.0,
                               forbid=(0, 1))
    assert hot.min() >= 2 and len(np.unique(hot)) > 8
    with pytest.raises(ValueError, match="some, not all"):
        decoding.sample_text(model, [1], 2, forbid=range(15))


# --- n-grams -----------------------------------------------------------------------

def test_ngram_baselines_against_hand_counts():
    ids = [0, 1, 0, 1, 0, 2]
    unigram = NGramModel(1, 3).fit(ids)
    np.testing.assert_allclose(unigram.distribution([]), [4 / 9, 3 / 9, 2 / 9])  # add-one
    bigram = NGramModel(2, 3).fit(ids)
    # after 0: 0 1 twice, 0 2 once; D = n1 / (n1 + 2 n2) = 1 / 5; the lower order
    # (continuation counts, each symbol follows one distinct symbol) is uniform
    lower = 1 / 3
    expected = [0.2 * 2 / 3 * lower, (2 - 0.2) / 3 + 0.2 * 2 / 3 * lower,
                (1 - 0.2) / 3 + 0.2 * 2 / 3 * lower]
    np.testing.assert_allclose(bigram.distribution([0]), expected)
    corpus = np.random.default_rng(0).integers(0, 5, 300)
    for order in (1, 2, 3, 5):
        model = NGramModel(order, 5).fit(corpus)
        assert model.distribution(corpus[10:14]).sum() == pytest.approx(1.0)
    ce = bigram.cross_entropy([1], context=[0])
    assert ce == pytest.approx(-np.log(expected[1]))
    with pytest.raises(ValueError, match="not fitted"):
        NGramModel(2, 3).distribution([0])


# --- experiments -------------------------------------------------------------------

def test_charlm_vocabulary_and_reported_row_never_come_from_the_validation_text(monkeypatch):
    """Regression: the vocabulary was built from training + validation text, and
    ``--part truncation`` reported the row that scored best on the validation text."""
    from rnn_keras.experiments import charlm

    text = shakespeare_like()
    at = int(len(text) * 0.9) + 50
    text = text[:at] + "QZ" + text[at:]  # two letters only the validation text has
    train, validation = charlm.tc.split(text, 0.1)
    assert not {"Q", "Z"} & set(train) and validation[:100].count("QZ") == 1
    data = charlm.prepare("smoke", text=text)
    assert "Q" not in data.vocab.chars and "Z" not in data.vocab.chars
    assert data.unseen_validation_chars == 2
    assert data.vocab == charlm.tc.CharVocabulary.from_text(data.train_text)

    # whichever row scores best, the reported one is the longest stateful truncation
    losses = iter([0.5, 3.0, 0.1, 2.0])  # rows (8, F), (8, T), (16, F), (16, T)
    monkeypatch.setattr(charlm, "compare_truncation", lambda data, **k: [
        {"timesteps": t, "stateful": st, "windows_loss": 1.0, "carried_loss": next(losses),
         "seconds": 0.0, "model": charlm.build_model(data, timesteps=t)}
        for t in (8, 16) for st in (False, True)])
    metrics = charlm.run("smoke", out_dir=None, part="truncation", verbose=0,
                         data_dir=_text_folder(text))
    assert metrics["reported_row"] == "stateful-t16" and metrics["validation_loss"] == 2.0


def _text_folder(text):
    import tempfile

    folder = pathlib.Path(tempfile.mkdtemp()) / "tinyshakespeare"
    folder.mkdir()
    (folder / "input.txt").write_text(text)
    return folder.parent


def test_charlm_loss_by_position_reads_windows_and_carried_streams():
    from rnn_keras.experiments import charlm

    data = charlm.prepare("smoke", text=shakespeare_like())
    model = charlm.build_model(data, timesteps=16)
    charlm.train(data, model, timesteps=16, seed=0)
    windows = charlm.loss_by_position(model, data.validation, 16, carry_state=False)
    carried = charlm.loss_by_position(model, data.validation, 16, carry_state=True, streams=4)
    assert windows.shape == carried.shape == (16,)
    # from a zero state the first character is the hardest; a carried state helps it most
    assert windows[0] > windows[1:].mean()
    assert carried[0] < windows[0]
    baselines = charlm.ngram_baselines(data, orders=(1, 3))
    assert baselines[3] < baselines[1]


def test_training_samples_at_chosen_steps_and_compare_truncation_checks_its_rows():
    from rnn_keras.experiments import charlm

    data = charlm.prepare("smoke", text=shakespeare_like())
    steps = -(-len(tc.windows(data.train, 16)[0]) // data.settings["batch_size"])  # ceil
    during = charlm.TrainingSamples(data.vocab, length=30, seed=0, at_steps=(2, steps))
    rows = charlm.compare_truncation(data, timesteps=(16,), samples={(16, False): during})
    assert [(r["timesteps"], r["stateful"]) for r in rows] == [(16, False), (16, True)]
    assert [step for step, _ in during.samples] == [2, steps]  # only where asked, in order
    assert all(len(sample) == 30 and set(sample) <= set(data.vocab.chars)
               for _, sample in during.samples)
    assert len(during.losses) == steps  # one running loss per training step
    assert charlm.steps_per_epoch(data, 16, stateful=False) == steps
    # contiguous batches hold whole batches only: never more updates than the windows
    assert 0 < charlm.steps_per_epoch(data, 16, stateful=True) <= steps
    assert during.samples[0][1] != during.samples[1][1]  # the weights changed in between
    # a row the comparison does not train is refused before any training starts
    with pytest.raises(ValueError, match=r"\(25, False\)"):
        charlm.compare_truncation(data, timesteps=(16,), samples={(25, False): during})


def test_generated_text_measures():
    from rnn_keras import metrics

    known = "thou art my love, and I the night's sweet rose"
    assert metrics.words("Thou ART, night's!") == ["thou", "art", "night's"]
    assert metrics.real_word_share("thou art", known) == 1.0
    # weighted by letters: "a" found by chance weighs 1 of 1 + 6 letters
    assert metrics.real_word_share("a qzxwvk", {"a"}) == pytest.approx(1 / 7)
    assert metrics.distinct_ngram_share("the the the the", 2) == pytest.approx(1 / 3)
    assert metrics.distinct_ngram_share("to be or not to be", 2) == pytest.approx(4 / 5)
    with pytest.raises(ValueError, match="no words"):
        metrics.real_word_share("123 !!", known)
    with pytest.raises(ValueError, match="fewer than 2 words"):
        metrics.distinct_ngram_share("alone", 2)


@pytest.mark.slow
def test_pretraining_reads_no_validation_or_test_text(tmp_path):
    from rnn_keras.experiments import sentiment

    data = sentiment.prepare("smoke", write_reviews(tmp_path, n=200))
    frequent = " ".join(data.vectorizer.get_vocabulary()[2:12])
    poisoned = dataclasses.replace(
        data, validation=dataclasses.replace(data.validation, texts=np.array(
            [frequent] * len(data.validation), dtype=object)),
        test=dataclasses.replace(data.test, texts=np.array([frequent] * len(data.test),
                                                           dtype=object)))
    streams = [sentiment.lm_stream(d) for d in (data, poisoned)]
    for a, b in zip(*streams):
        np.testing.assert_array_equal(a, b)
    weights = [sentiment.pretrain_language_model(d, seed=0)[0].get_weights()
               for d in (data, poisoned)]
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)
    # the test can fail: poisoning the training reviews does change the stream
    train_poisoned = dataclasses.replace(data, train=dataclasses.replace(
        data.train, texts=np.array([frequent] * len(data.train), dtype=object)))
    assert not np.array_equal(sentiment.lm_stream(train_poisoned)[0], streams[0][0])
