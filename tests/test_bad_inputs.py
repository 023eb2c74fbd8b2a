"""A sweep of bad inputs: builders, layers, loaders and the CLI.

Each must fail with a message that names the problem (and, for data, the
fix), raised from this package or Keras's own argument checks, never from
inside TensorFlow. (The CLI's usage errors: tests/test_cli.py.)
"""

import io
import tarfile
import traceback
import zipfile

import numpy as np
import pytest

from rnn_keras import config
from rnn_keras import models
from rnn_keras.data import DataCorruptError
from rnn_keras.data import DataNotFoundError
from rnn_keras.data import chorales
from rnn_keras.data import imdb
from rnn_keras.data import translation
from rnn_keras.layers import AttentionRNN
from rnn_keras.layers import BahdanauAttention
from rnn_keras.layers import GRUCell
from rnn_keras.layers import LSTMCell
from rnn_keras.layers import LuongAttention


def predict_wrong_width():
    models.many_to_many(2, input_dim=3).predict(np.zeros((2, 4, 5)), verbose=0)


API_CASES = [
    # builders and layers
    ("unknown cell", lambda: models.many_to_one(2, vocab_size=10, cell="transformer"),
     ValueError, r"argument `cell`: 'transformer'. Expected one of"),
    ("zero units", lambda: models.many_to_many(2, input_dim=3, units=0),
     ValueError, r"argument `units`: 0"),
    ("negative dropout", lambda: models.many_to_one(1, input_dim=3, dropout=-0.1),
     ValueError, r"argument `dropout`: -0.1. Expected a float in \[0, 1\)"),
    ("dropout of 1.5", lambda: models.seq2seq(5, source_vocab_size=5, recurrent_dropout=1.5),
     ValueError, r"argument `recurrent_dropout`: 1.5"),
    ("zero layers", lambda: models.one_to_many(3, 2, steps=4, num_layers=0),
     ValueError, r"argument `num_layers`: 0"),
    ("unknown implementation", lambda: models.many_to_one(1, input_dim=3,
                                                          implementation="cudnn"),
     ValueError, r"argument `implementation`: 'cudnn'"),
    ("bidirectional not a bool", lambda: models.many_to_one(1, input_dim=3,
                                                            bidirectional="yes"),
     ValueError, r"argument `bidirectional`: 'yes'. Expected True or False"),
    ("bidirectional token generator", lambda: models.one_to_many(3, vocab_size=12,
                                                                 bidirectional=True),
     ValueError, r"cannot read the future. Use bidirectional=False"),
    ("both input kinds", lambda: models.many_to_one(1, vocab_size=10, input_dim=3),
     ValueError, r"Pass exactly one of `vocab_size`"),
    ("unknown attention", lambda: models.seq2seq(5, source_vocab_size=5, attention="cosine"),
     ValueError, r"argument `attention`: 'cosine'"),
    ("attention_units without bahdanau", lambda: models.seq2seq(
        5, source_vocab_size=5, attention="luong", attention_units=8),
     ValueError, r"pass attention='bahdanau' or leave attention_units out"),
    ("unknown output activation", lambda: models.many_to_one(1, input_dim=3,
                                                             output_activation="nope"),
     ValueError, r"argument `output_activation`: 'nope'"),
    ("zero target vocabulary", lambda: models.seq2seq(0, source_vocab_size=5),
     ValueError, r"argument `target_vocab_size`: 0"),
    ("attention cell is a string", lambda: AttentionRNN("gru", BahdanauAttention(4)),
     ValueError, r"argument `cell`: 'gru'"),
    ("attention of the wrong kind", lambda: AttentionRNN(GRUCell(4), LSTMCell(4)),
     ValueError, r"argument `attention`"),
    ("dot attention, mismatched widths", lambda: LuongAttention("dot")(
        [np.zeros((2, 3, 4)), np.zeros((2, 5, 6))]),
     ValueError, r"same width.*Use score='general'"),
    ("mismatched input shape", predict_wrong_width,
     ValueError, r"expected shape=\(None, None, 3\), found shape=\(2, 4, 5\)"),
    # loaders
    ("data directory that does not exist", lambda: config.get_data_dir("/no/such/dir"),
     ValueError, r"'/no/such/dir'.*does not exist. Point RNN_KERAS_DATA_DIR"),
    ("unknown translation pair", lambda: translation.load_pairs("deu-eng"),
     ValueError, r"argument `pair`: 'deu-eng'"),
    ("unknown chorale source", lambda: chorales.load(source="midi"),
     ValueError, r"argument `source`: 'midi'"),
]


@pytest.mark.parametrize("name, call, error, message", API_CASES,
                         ids=[case[0] for case in API_CASES])
def test_api_errors_name_the_problem(name, call, error, message):
    with pytest.raises(error, match=message) as info:
        call()
    frames = traceback.extract_tb(info.value.__traceback__)
    assert not any("/tensorflow/" in f.filename for f in frames[-1:]), frames[-1]


def _zip(path, text):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("spa-eng/spa.txt", text)


def _tgz(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))


def _loader_cases(tmp):
    empty = tmp / "empty"
    empty.mkdir()
    wrong_hash = tmp / "hash"
    wrong_hash.mkdir()
    _zip(wrong_hash / "spa-eng.zip", "Go.\tVe.\n")
    (wrong_hash / "aclImdb_labeled.tgz").write_bytes(b"not the archive")
    (wrong_hash / "jsb_chorales.tgz").write_bytes(b"not the archive")
    truncated = tmp / "truncated.zip"
    _zip(truncated, "Go.\tVe.\n" * 50)
    truncated.write_bytes(truncated.read_bytes()[:40])
    empty_file = tmp / "spa.txt"
    empty_file.write_text("")
    malformed = tmp / "malformed.txt"
    malformed.write_text("Go.\tVe.\nHi Hola\n")
    bad_csv = tmp / "bad.tgz"
    _tgz(bad_csv, {f"{s}/chorale_001.csv": "note0,note1,note2,note3\n60,55,x,48\n"
                   for s in chorales.SPLITS})
    half = tmp / "half.tgz"
    _tgz(half, {"train/chorale_001.csv": "note0,note1,note2,note3\n60,55,52,48\n"})
    half.write_bytes(half.read_bytes()[:30])
    return [
        ("imdb missing", lambda: imdb.load_reviews(data_dir=empty,
                                                   allow_download=False),
         DataNotFoundError, r"RNN_KERAS_DATA_DIR"),
        ("spa-eng missing", lambda: translation.load_pairs("spa-eng", data_dir=empty,
                                                           allow_download=False),
         DataNotFoundError, r"spa-eng.zip.*RNN_KERAS_DATA_DIR.*download.tensorflow.org"),
        ("chorales missing", lambda: chorales.load(data_dir=empty, allow_download=False),
         DataNotFoundError, r"jsb_chorales.tgz.*RNN_KERAS_DATA_DIR"),
        ("spa-eng wrong hash", lambda: translation.load_pairs("spa-eng", data_dir=wrong_hash),
         DataCorruptError, r"corrupt or incomplete.*Replace it with a fresh copy"),
        ("imdb wrong hash", lambda: imdb.load_reviews(data_dir=wrong_hash),
         DataCorruptError, r"corrupt or incomplete"),
        ("chorales wrong hash", lambda: chorales.load(data_dir=wrong_hash),
         DataCorruptError, r"corrupt or incomplete"),
        ("truncated zip", lambda: translation.read_pair_file(truncated),
         DataCorruptError, r"truncated or corrupt"),
        ("empty pair file", lambda: translation.read_pair_file(empty_file),
         DataCorruptError, r"no sentence pairs"),
        ("malformed pair line", lambda: translation.read_pair_file(malformed),
         DataCorruptError, r"line 2: expected 'english<TAB>translation'"),
        ("malformed chorale row", lambda: chorales.read_jsb(bad_csv),
         DataCorruptError, r"chorale_001.csv, line 2: expected four MIDI pitches"),
        ("truncated chorale archive", lambda: chorales.read_jsb(half),
         DataCorruptError, r"not a readable .tgz archive"),
    ]


LOADER_NAMES = ["imdb missing", "spa-eng missing", "chorales missing", "spa-eng wrong hash",
                "imdb wrong hash", "chorales wrong hash", "truncated zip", "empty pair file",
                "malformed pair line", "malformed chorale row", "truncated chorale archive"]


@pytest.mark.parametrize("name", LOADER_NAMES)
def test_loader_errors_name_the_problem_and_the_fix(tmp_path, offline_cache, name):
    cases = {case[0]: case[1:] for case in _loader_cases(tmp_path)}
    assert set(cases) == set(LOADER_NAMES)
    call, error, message = cases[name]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(error, match=message):
        call()
    # nothing the user had is deleted
    assert set(before) <= {p.name for p in tmp_path.rglob("*")}


def test_safe_loading_refuses_an_injected_lambda_layer(tmp_path):
    """A .keras file whose config gained a Lambda (arbitrary code) is refused in safe mode."""
    import json

    import keras

    # A functional graph (a Seq2Seq stores its constructor's arguments instead, which
    # cannot carry a layer): the tagger's config lists its layers.
    model = models.many_to_many(7, vocab_size=9, embedding_dim=4, units=4)
    path = tmp_path / "tagger.keras"
    model.save(path)
    assert keras.saving.load_model(path, safe_mode=True) is not None  # ours load safely
    # An attacker's copy: the same archive with a Lambda layer spliced in after the logits.
    evil = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda x: x * 2)])
    evil.save(tmp_path / "evil.keras")
    with zipfile.ZipFile(tmp_path / "evil.keras") as z:
        lambda_config = [layer for layer in json.loads(z.read("config.json"))["config"]["layers"]
                         if layer["class_name"] == "Lambda"][0]
    with zipfile.ZipFile(path) as z:
        files = {name: z.read(name) for name in z.namelist()}
    config_ = json.loads(files["config.json"])
    layers = config_["config"]["layers"]
    logits = next(layer for layer in layers if layer["name"] == "outputs")
    lambda_config["name"] = "injected"
    lambda_config["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__", "config": {
        "shape": [None, None, 7], "dtype": "float32",
        "keras_history": ["outputs", 0, 0]}}], "kwargs": {}}]
    layers.append(lambda_config)
    config_["config"]["output_layers"] = [["injected", 0, 0]]
    files["config.json"] = json.dumps(config_).encode()
    tampered = tmp_path / "tampered.keras"
    with zipfile.ZipFile(tampered, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.saving.load_model(tampered, safe_mode=True)
    assert logits["class_name"] == "Dense"
    # The injection is well formed: trusting the file runs the attacker's code.
    x = np.array([[3, 4, 0]])
    unsafe = keras.saving.load_model(tampered, safe_mode=False)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(unsafe(x)),
                               2 * keras.ops.convert_to_numpy(model(x)), rtol=1e-5)
