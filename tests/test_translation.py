"""Translation: the pair-file reader, the split by source, text handling, the
numbers corpus, BLEU, step-by-step decoding (greedy, beam, sampling).
(The translator's reload in a fresh process: tests/test_reload.py.)"""

import zipfile

import keras
import numpy as np
import pytest

from helpers import SOURCE
from rnn_keras import decoding
from rnn_keras import metrics
from rnn_keras import models
from rnn_keras.data import DataCorruptError
from rnn_keras.data import DataNotFoundError
from rnn_keras.data import translation as tr
from rnn_keras.experiments import translation as experiment



# --- reading pair files ------------------------------------------------------


def test_parses_tabs_and_ignores_extra_columns(tmp_path):
    path = tmp_path / "spa.txt"
    path.write_text("Go.\tVe.\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272\n"
                    "Hi.\tHola.\n\n", encoding="utf-8")
    assert tr.read_pair_file(path) == [("Go.", "Ve."), ("Hi.", "Hola.")]


@pytest.mark.parametrize("text, line, problem", [
    ("Go.\tVe.\n\nHi.\tHola.\n", 2, "blank line"),
    ("Go.\tVe.\nHi. Hola.\n", 2, "expected 'english<TAB>translation'"),
    ("Go.\tVe.\nHi.\t\n", 2, "expected 'english<TAB>translation'"),
    ("\tVe.\n", 1, "expected 'english<TAB>translation'"),
])
def test_malformed_lines_name_file_and_line(tmp_path, text, line, problem):
    path = tmp_path / "spa.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataCorruptError, match=f"line {line}: .*{problem}") as info:
        tr.read_pair_file(path)
    assert str(path) in str(info.value)


def test_empty_undecodable_and_truncated_files_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    with pytest.raises(DataCorruptError, match="no sentence pairs"):
        tr.read_pair_file(empty)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Hi.\tżHola?\n".encode("latin-1", errors="replace") + b"\xff\n")
    with pytest.raises(DataCorruptError, match="not UTF-8"):
        tr.read_pair_file(latin)
    archive = tmp_path / "spa-eng.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("spa-eng/spa.txt", "Go.\tVe.\n" * 100)
    archive.write_bytes(archive.read_bytes()[:60])
    with pytest.raises(DataCorruptError, match="truncated or corrupt"):
        tr.read_pair_file(archive)


def test_loads_zip_folder_or_bare_text_from_the_data_dir(tmp_path):
    content = "Go.\tVe.\nHi.\tHola.\n"
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "spa.txt").write_text(content)
    folder = tmp_path / "folder" / "spa-eng"
    folder.mkdir(parents=True)
    (folder / "spa.txt").write_text(content)
    for data_dir in (bare, folder.parent):
        assert tr.load_pairs("spa-eng", data_dir=data_dir) == [("Ve.", "Go."), ("Hola.", "Hi.")]
    assert tr.load_pairs("spa-eng", data_dir=bare, reverse=True)[0] == ("Go.", "Ve.")


def test_archive_with_the_wrong_hash_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "spa-eng.zip", "w") as z:
        z.writestr("spa-eng/spa.txt", "Go.\tVe.\n")
    with pytest.raises(DataCorruptError, match="corrupt or incomplete"):
        tr.load_pairs("spa-eng", data_dir=tmp_path)


def test_missing_data_names_the_variable_files_and_url(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        tr.load_pairs("fra-eng", data_dir=tmp_path, allow_download=False)
    message = str(info.value)
    assert "fra-eng.zip" in message and "RNN_KERAS_DATA_DIR" in message
    assert "manythings.org/anki/fra-eng.zip" in message


def test_unknown_pair_is_a_clear_error():
    with pytest.raises(ValueError, match="argument `pair`: 'deu-eng'"):
        tr.load_pairs("deu-eng")


# --- text, splits, vocabularies -----------------------------------------------


@pytest.mark.parametrize("raw, tokens, text", [
    ("¿Dónde está?", ["¿", "dónde", "está", "?"], "¿dónde está?"),
    ("I don\u2019t know.", ["i", "don't", "know", "."], "i don't know."),
    ("Cours\u202f!", ["cours", "!"], "cours!"),
    ("He's dead-tired.", ["he's", "dead", "-", "tired", "."], "he's dead-tired."),
    ("It's 3:10.", ["it's", "3", ":", "10", "."], "it's 3:10."),
])
def test_tokenize_and_detokenize(raw, tokens, text):
    assert tr.tokenize(raw) == tokens
    assert tr.detokenize(tokens) == text


def test_split_by_source_shares_no_source_sentence():
    pairs = [(f"s{i % 40}", f"t{i}") for i in range(200)] + [("S1", "again")]
    splits = tr.split_by_source(pairs, validation_fraction=0.1, test_fraction=0.2, seed=3)
    sources = {k: {tr.normalize(s) for s, _ in v} for k, v in splits.items()}
    assert not sources["train"] & sources["test"]
    assert not sources["train"] & sources["validation"]
    assert not sources["validation"] & sources["test"]
    assert sum(len(v) for v in splits.values()) == len(pairs)
    assert len(sources["test"]) == 8 and len(sources["validation"]) == 4
    assert splits == tr.split_by_source(pairs, validation_fraction=0.1, test_fraction=0.2,
                                        seed=3)
    with pytest.raises(ValueError, match="must leave training data"):
        tr.split_by_source(pairs, validation_fraction=0.5, test_fraction=0.5)


@pytest.mark.requires_data("spa-eng")
def test_real_corpus_split_and_round_trip():
    pairs = tr.load_pairs("spa-eng")
    assert len(pairs) == 118964
    corpus = tr.make_corpus(pairs, seed=0)
    train = {tr.normalize(s) for s, _ in corpus.splits["train"]}
    assert not train & {tr.normalize(s) for s, _ in corpus.splits["test"]}
    sources, references = corpus.references("test")
    assert len(sources) == len(references) and any(len(r) > 1 for r in references)
    same = np.mean([tr.detokenize(tr.tokenize(t)) == tr.normalize(t) for _, t in pairs])
    assert same > 0.99


def test_vocabulary_and_arrays():
    corpus = tr.make_corpus([("a b", "x y"), ("a c", "x z"), ("b", "y")] * 10,
                            validation_fraction=0.0, test_fraction=0.0, min_count=1)
    assert corpus.target_vocab.tokens[:4] == list(tr.SPECIALS)
    arrays = corpus.arrays("train")
    row = arrays["decoder_inputs"][0]
    assert row[0] == tr.START
    np.testing.assert_array_equal(arrays["targets"][0][:2], row[1:3])
    assert arrays["targets"][0][np.argmax(arrays["targets"][0] == tr.END)] == tr.END
    np.testing.assert_array_equal(arrays["weights"], arrays["targets"] != 0)
    assert corpus.encode_sources(["a unseen"])[0, 1] == tr.UNK
    assert corpus.decode_targets([[corpus.target_vocab.index["x"], tr.END, 5]]) == ["x"]
    batches = tr.LengthBatches(arrays, batch_size=7, shuffle=True, seed=0)
    seen = sum(len(batches[i][1]) for i in range(len(batches)))
    assert seen == len(arrays["targets"])
    # The first batch is longer than any (Keras's TF adapter then keeps the
    # lengths unknown): the extra steps are padding with zero weight.
    for epoch in range(3):
        first = batches[0]
        for i in range(1, len(batches)):
            assert first[1].shape[1] > batches[i][1].shape[1]
            assert first[0]["encoder_inputs"].shape[1] > batches[i][0]["encoder_inputs"].shape[1]
        batches.on_epoch_end()
    assert np.all(first[2][:, -1] == 0) and np.all(first[0]["encoder_inputs"][:, -1] == 0)


def test_length_pools_set_how_alike_the_lengths_in_a_batch_are():
    pairs = [("a " * (i % 9 + 1), "x " * (i % 9 + 1)) for i in range(640)]
    arrays = tr.make_corpus(pairs, validation_fraction=0.0, test_fraction=0.0).arrays("train")

    def mean_spread(batches):  # longest minus shortest source in a batch, batch 0 aside
        lengths = batches.source_lengths
        return np.mean([np.ptp(lengths[rows]) for rows in batches.groups[1:]])

    sorted_ = tr.LengthBatches(arrays, batch_size=32, seed=0)  # the whole set in one pool
    random_ = tr.LengthBatches(arrays, batch_size=32, seed=0, pool_batches=1)
    assert mean_spread(sorted_) < 1 < 6 < mean_spread(random_)
    assert sorted(np.concatenate(random_.groups)) == list(range(len(pairs)))
    with pytest.raises(ValueError, match="`pool_batches`: 0"):
        tr.LengthBatches(arrays, pool_batches=0)


def test_sorted_batches_of_any_length_feed_fit():
    # Regression: unshuffled validation batches of equal length came first and
    # fixed the dataset's shapes on TensorFlow; a longer batch then failed.
    pairs = [("a " * (i % 3 + 1) + "b " * (i % 5), "x " * (i % 7 + 1)) for i in range(300)]
    corpus = tr.make_corpus(pairs, validation_fraction=0.0, test_fraction=0.0)
    model = models.seq2seq(len(corpus.target_vocab), source_vocab_size=len(corpus.source_vocab),
                           embedding_dim=4, units=4)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    batches = tr.LengthBatches(corpus.arrays("train"), batch_size=16, shuffle=False)
    shuffled = tr.LengthBatches(corpus.arrays("train"), batch_size=16, shuffle=True, seed=1)
    history = model.fit(shuffled, validation_data=batches, epochs=2, verbose=0)
    assert np.isfinite(history.history["val_loss"][0])


# --- the numbers corpus -------------------------------------------------------


def test_number_pairs_split_german_words_and_reorder():
    from num2words import num2words

    pairs = dict(tr.number_pairs(max_number=2000, seed=0))
    assert len(pairs) == 2000
    assert pairs["twenty-one"] == "ein und zwanzig"
    assert pairs["three hundred and forty-two"] == "drei hundert zwei und vierzig"
    for n in range(1, 2001):  # the German parts join back into num2words' word
        assert pairs[num2words(n)].replace(" ", "") == num2words(n, lang="de")
    with pytest.raises(ValueError, match="not a German number word"):
        tr.split_german_number("dreiundxyz")


# --- BLEU ----------------------------------------------------------------------


def test_corpus_bleu_matches_sacrebleu_and_takes_several_references():
    import sacrebleu

    hyps = ["the cat sat on the mat.", "hello there!"]
    refs = [["The cat is on the mat.", "A cat sat on the mat."], ["Hello there!"]]
    expected = sacrebleu.corpus_bleu(hyps, [["The cat is on the mat.", "Hello there!"],
                                            ["A cat sat on the mat.", None]],
                                     lowercase=True).score
    assert metrics.corpus_bleu(hyps, refs) == pytest.approx(expected)
    assert metrics.corpus_bleu(["a b c d"], ["a b c d"]) == pytest.approx(100.0)
    assert metrics.corpus_bleu(hyps, refs) > metrics.corpus_bleu(hyps, [r[:1] for r in refs])
    with pytest.raises(ValueError, match="2 hypotheses but 1 reference"):
        metrics.corpus_bleu(hyps, refs[:1])


# --- decoding -------------------------------------------------------------------

A, B = 3, 4


class ToyDecoder:
    """A fixed next-token table: greedy goes A A <end> (p = .216), the best
    sequence is B <end> (p = .36)."""

    table = {
        (None, 1): {A: .6, B: .4},
        (1, A): {A: .36, B: .34, 2: .30},
        (A, A): {2: 1.0},
        (A, B): {2: 1.0},
        (1, B): {2: .9, A: .1},
    }

    def start(self, inputs):
        n = len(inputs["encoder_inputs"])
        return {}, {"previous": np.full(n, -1)}

    def step(self, tokens, context, states):
        logits = np.full((len(tokens), 5), -30.0)
        for row, (prev, token) in enumerate(zip(states["previous"], tokens)):
            key = (None if prev == -1 else int(prev), int(token))
            for t, p in self.table.get(key, {2: 1.0}).items():
                logits[row, t] = np.log(p)
        return logits, {"previous": np.asarray(tokens)}, None


def test_beam_search_finds_the_best_sequence_where_greedy_does_not():
    inputs = {"encoder_inputs": np.zeros((3, 2))}
    common = dict(start_id=1, end_id=2, max_length=5)
    greedy = decoding.greedy_search(ToyDecoder(), inputs, **common)
    np.testing.assert_array_equal(greedy[0], [A, A, 0, 0, 0])
    beam, scores = decoding.beam_search(ToyDecoder(), inputs, beam_width=2,
                                        return_scores=True, **common)
    np.testing.assert_array_equal(beam, [[B, 0, 0, 0, 0]] * 3)
    np.testing.assert_allclose(scores, np.log(.36) / decoding.length_penalty(2, 0.6))
    np.testing.assert_array_equal(decoding.beam_search(ToyDecoder(), inputs, beam_width=1,
                                                       **common), greedy)


def test_sampling_temperature_zero_is_greedy_and_a_seed_repeats():
    inputs = {"encoder_inputs": np.zeros((2000, 2))}
    common = dict(start_id=1, end_id=2, max_length=4)
    greedy = decoding.greedy_search(ToyDecoder(), inputs, **common)
    np.testing.assert_array_equal(
        decoding.sample_search(ToyDecoder(), inputs, temperature=0, **common), greedy)
    first = decoding.sample_search(ToyDecoder(), inputs, temperature=1.0, seed=5, **common)
    np.testing.assert_array_equal(
        first, decoding.sample_search(ToyDecoder(), inputs, temperature=1.0, seed=5, **common))
    assert abs((first[:, 0] == A).mean() - 0.6) < 0.05  # samples the model's distribution
    with pytest.raises(ValueError, match="temperature"):
        decoding.sample_search(ToyDecoder(), inputs, temperature=-1, **common)


def test_search_arguments_are_checked():
    with pytest.raises(ValueError, match="dict of the encoder's inputs"):
        decoding.greedy_search(ToyDecoder(), np.zeros((2, 2)), start_id=1, end_id=2,
                               max_length=3)
    with pytest.raises(ValueError, match="beam_width"):
        decoding.beam_search(ToyDecoder(), {"encoder_inputs": np.zeros((2, 2))}, start_id=1,
                             end_id=2, max_length=3, beam_width=0)
    with pytest.raises(ValueError, match="needs an encoder-decoder built by rnn_keras.models.seq2seq"):
        decoding.StepDecoder.from_model(keras.Sequential([keras.Input((3,)),
                                                          keras.layers.Dense(2)]))


def _tiny_translator(attention, cell="gru", bidirectional=False, num_layers=1):
    keras.utils.set_random_seed(0)
    return models.seq2seq(9, source_vocab_size=11, embedding_dim=6, units=5, cell=cell,
                          bidirectional=bidirectional, num_layers=num_layers,
                          attention=attention)




@pytest.mark.parametrize("attention, cell, bidirectional, layers", [
    (None, "lstm", True, 1), ("bahdanau", "gru", False, 2), ("bahdanau", "lstm", True, 1),
    ("luong", "gru", True, 2), ("luong", "simple", False, 1),
])
def test_step_decoder_matches_teacher_forced_decoding(attention, cell, bidirectional, layers):
    model = _tiny_translator(attention, cell, bidirectional, layers)
    step = decoding.StepDecoder.from_model(model)
    common = dict(start_id=1, end_id=2, max_length=7)
    by_step, weights = decoding.greedy_search(step, {"encoder_inputs": SOURCE},
                                              return_attention=True, **common)
    by_prefix = decoding.greedy_decode(model, {"encoder_inputs": SOURCE}, **common)
    np.testing.assert_array_equal(by_step, by_prefix)
    if attention is None:
        assert weights is None
    else:
        assert weights.shape == (3, 7, 6)
        assert np.all(weights[1, :, 2:] == 0)  # padding gets no attention
        live = (by_step != 0) | (np.arange(7) == (by_step != 0).sum(1, keepdims=True))
        np.testing.assert_allclose(weights.sum(-1)[live], 1.0, atol=1e-5)
    beams = decoding.beam_search(step, {"encoder_inputs": SOURCE}, beam_width=3, **common)
    assert beams.shape == (3, 7) and beams.dtype == np.int32


@pytest.mark.slow
def test_numbers_corpus_is_learned_to_near_perfect_accuracy_in_seconds():
    data = experiment.prepare(profile="quick", pair="numbers-en-de", seed=0)
    model = experiment.build_model(data, attention="luong")
    experiment.train(data, model, seed=0)
    scores = experiment.evaluate(model, data, beam_widths=(1,))
    exact = np.mean([h in r for h, r in zip(scores["hypotheses"][1], scores["references"])])
    assert scores["token_accuracy"] > 0.98 and exact > 0.9, (scores["token_accuracy"], exact)
    assert scores["bleu"][1] > 90
