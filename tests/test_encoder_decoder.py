"""Seq2Seq and ImageCaptioner: functional subclasses that know their parts and generate."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from helpers import SOURCE
from rnn_keras import decoding
from rnn_keras import models

pytestmark = pytest.mark.jax  # backend-neutral: also runs in the JAX pass

ARGS = dict(source_vocab_size=11, embedding_dim=6, units=5, bidirectional=True)


def _translator(attention, **kwargs):
    keras.utils.set_random_seed(0)
    return models.seq2seq(9, **{**ARGS, **kwargs}, attention=attention)


@pytest.mark.parametrize("attention", ["none", "bahdanau", "luong"])
def test_seq2seq_knows_its_hyperparameters_and_round_trips_its_config(attention):
    model = _translator(attention, num_layers=2, cell="lstm")
    assert isinstance(model, models.Seq2Seq) and isinstance(model, models.EncoderDecoder)
    config = model.get_config()
    assert {k: config[k] for k in ("units", "num_layers", "cell", "bidirectional", "attention")} \
        == {"units": 5, "num_layers": 2, "cell": "lstm", "bidirectional": True,
            "attention": attention}
    assert model.units == 5 and model.attention == attention
    again = models.Seq2Seq.from_config(config)
    assert again.count_params() == model.count_params()
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]
    # The handles point at the layers of the graph (no name lookups).
    assert len(model.decoder_layers) == 2 and len(model.encoder_state_layers) == 2
    assert model.decoder_embedding is model.get_layer("decoder_embedding")
    assert (model.memory_layer is None) == (attention == "none")


@pytest.mark.parametrize("attention", ["none", "bahdanau", "luong"])
def test_generate_is_the_searches_of_its_step_decoder(attention):
    model = _translator(attention)
    decoder = decoding.StepDecoder.from_model(model)
    inputs = {"encoder_inputs": SOURCE}
    common = dict(start_id=1, end_id=2, max_length=7)
    np.testing.assert_array_equal(model.generate(SOURCE, max_length=7),
                                  decoding.greedy_search(decoder, inputs, **common))
    np.testing.assert_array_equal(
        model.generate(inputs, strategy="beam", beam_width=3, max_length=7),
        decoding.beam_search(decoder, inputs, beam_width=3, **common))
    sampled = model.generate(SOURCE, strategy="sample", temperature=1.0, seed=3, max_length=7)
    np.testing.assert_array_equal(
        sampled, model.generate(SOURCE, strategy="sample", temperature=1.0, seed=3,
                                max_length=7))
    assert model.step_decoder() is model.step_decoder()  # built once
    default = model.generate(SOURCE)  # max_length: twice the longest source + 10
    assert default.shape == (len(SOURCE), 2 * int((SOURCE != 0).sum(1).max()) + 10)


def test_generate_checks_its_arguments():
    model = _translator("luong")
    with pytest.raises(ValueError, match="`strategy`: 'nucleus'"):
        model.generate(SOURCE, strategy="nucleus")
    with pytest.raises(ValueError, match="beam search returns ids only"):
        model.generate(SOURCE, strategy="beam", return_attention=True)
    with pytest.raises(ValueError, match="under 'encoder_inputs'"):
        model.generate({"source": SOURCE})
    captioner = models.image_captioner(12, (16, 16, 1), cnn_filters=(4,), units=8,
                                       embedding_dim=4)
    with pytest.raises(ValueError, match="Pass `max_length`"):
        captioner.generate(np.zeros((1, 16, 16, 1), "float32"))


def test_image_captioner_with_its_own_encoder_saves_and_loads(tmp_path):
    encoder = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(6, 4, strides=4)])
    keras.utils.set_random_seed(0)
    model = models.image_captioner(20, (16, 16, 1), units=8, encoder=encoder)
    assert isinstance(model, models.ImageCaptioner)
    images = np.random.default_rng(0).random((2, 16, 16, 1)).astype("float32")
    ids = model.generate(images, max_length=5)
    model.save(tmp_path / "captioner.keras")
    loaded = keras.saving.load_model(tmp_path / "captioner.keras", safe_mode=True)
    assert isinstance(loaded, models.ImageCaptioner) and loaded.units == 8
    np.testing.assert_array_equal(loaded.generate(images, max_length=5), ids)


RELOAD = r"""
import json, sys
import numpy as np
import keras
import rnn_keras
model = keras.saving.load_model(sys.argv[1], safe_mode=True)
source = np.array(json.loads(sys.argv[2]), "int32")
print(json.dumps({"class": type(model).__name__, "units": model.units,
                  "greedy": model.generate(source, max_length=7).tolist(),
                  "beam": model.generate(source, strategy="beam", max_length=7).tolist()}))
"""


@pytest.mark.subprocess
@pytest.mark.parametrize("attention", ["bahdanau", "luong"])
def test_a_reloaded_seq2seq_generates_the_same_tokens_in_a_fresh_process(tmp_path, attention):
    model = _translator(attention)
    model.save(tmp_path / "model.keras")
    proc = subprocess.run([sys.executable, "-c", RELOAD, str(tmp_path / "model.keras"),
                           json.dumps(SOURCE.tolist())],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["class"] == "Seq2Seq" and report["units"] == 5
    assert report["greedy"] == model.generate(SOURCE, max_length=7).tolist()
    assert report["beam"] == model.generate(SOURCE, strategy="beam", max_length=7).tolist()


def test_decoding_looks_no_layer_up_by_name():
    import inspect

    source = inspect.getsource(decoding)
    assert "get_layer" not in source and "encoder_{i}_state" not in source
