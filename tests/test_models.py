"""The topology builders: every cell x implementation x direction builds and
trains a step (tests/test_reload.py saves them and loads them back in a fresh
process with safe mode on)."""

import keras
import numpy as np
import pytest

from helpers import CELLS
from helpers import COMBOS
from helpers import example
from helpers import padded_tokens
from rnn_keras import models


@pytest.mark.slow
def test_every_combination_builds_and_trains_a_step(rng):
    for builder, cell, impl, bi in COMBOS:
        keras.utils.set_random_seed(0)
        model, x, y = example(builder, cell, impl, bi, rng)
        loss = "mse" if builder in ("many_to_many", "one_to_many") else \
            keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        # Eager: the step's maths is the same, and 54 graph traces would cost
        # ~80 s; compiled training is covered by test_cells and the experiments.
        model.compile(optimizer="adam", loss=loss, run_eagerly=True)
        before = [w.copy() for w in model.get_weights()]
        logs = model.train_on_batch(x, y, return_dict=True)
        assert np.isfinite(logs["loss"]), (builder, cell, impl, bi)
        assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize("cell", CELLS)
def test_fused_and_scratch_give_the_same_model(cell, rng):
    keras.utils.set_random_seed(0)
    fused = models.many_to_one(2, input_dim=3, cell=cell, units=5, num_layers=2,
                               bidirectional=True, implementation="fused")
    scratch = models.many_to_one(2, input_dim=3, cell=cell, units=5, num_layers=2,
                                 bidirectional=True, implementation="scratch")
    assert fused.count_params() == scratch.count_params()
    scratch.set_weights(fused.get_weights())
    x = rng.normal(size=(3, 7, 3)).astype("float32")
    np.testing.assert_allclose(scratch.predict(x, verbose=0), fused.predict(x, verbose=0), atol=1e-5)


def test_shapes_of_each_topology():
    assert models.one_to_one(64, 10).output_shape == (None, 10)
    assert models.one_to_one((8, 8), 10, num_layers=0).output_shape == (None, 10)
    assert models.one_to_many(3, 2, steps=9).output_shape == (None, 9, 2)
    assert models.many_to_one(1, vocab_size=100).output_shape == (None, 1)
    assert models.many_to_many(4, input_dim=2, timesteps=11).output_shape == (None, 11, 4)
    assert models.seq2seq(30, source_vocab_size=40).output_shape == (None, None, 30)


def test_bidirectional_encoder_doubles_decoder_width():
    model = models.seq2seq(30, source_vocab_size=40, cell="lstm", units=8, bidirectional=True)
    assert model.get_layer("decoder_1").cell.units == 16
    assert model.get_layer("encoder_1").forward_layer.units == 8


def test_mask_reaches_the_recurrent_layer(rng):
    keras.utils.set_random_seed(0)
    model = models.many_to_one(1, vocab_size=30, cell="gru", units=4)
    x = padded_tokens(rng, 30, 2, 6)
    x[1, 3:] = 0
    longer = np.concatenate([x, np.zeros((2, 4), "int32")], axis=1)
    # Extra right padding changes nothing when the mask is honoured.
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(longer, verbose=0), atol=1e-6)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: models.many_to_one(2, vocab_size=10, cell="transformer"),
         r"argument `cell`: 'transformer'. Expected one of \('simple', 'lstm', 'gru'\)"),
        (lambda: models.many_to_one(2, vocab_size=10, implementation="cudnn"),
         r"argument `implementation`: 'cudnn'. Expected one of \('fused', 'scratch'\)"),
        (lambda: models.many_to_one(2, vocab_size=10, units=0), r"argument `units`: 0"),
        (lambda: models.many_to_one(2, vocab_size=10, num_layers=1.5), r"argument `num_layers`: 1.5"),
        (lambda: models.many_to_one(2, vocab_size=10, dropout=1.0), r"argument `dropout`: 1.0"),
        (lambda: models.many_to_one(2, vocab_size=10, bidirectional="yes"),
         r"argument `bidirectional`: 'yes'"),
        (lambda: models.many_to_one(2, vocab_size=10, pooling="median"), r"argument `pooling`: 'median'"),
        (lambda: models.many_to_one(2), r"exactly one of `vocab_size`.*`input_dim`"),
        (lambda: models.many_to_one(2, vocab_size=10, input_dim=3), r"exactly one of"),
        (lambda: models.many_to_many(0, input_dim=3), r"argument `num_outputs`: 0"),
        (lambda: models.many_to_many(2, input_dim=3, output_activation="sofmax"),
         r"argument `output_activation`: 'sofmax'"),
        (lambda: models.one_to_many(3, 2), r"needs `steps`"),
        (lambda: models.one_to_many(3, vocab_size=9, bidirectional=True),
         r"bidirectional=True for a token generator"),
        (lambda: models.one_to_many(3, 4, vocab_size=9), r"num_outputs=4"),
        (lambda: models.one_to_one("64", 10), r"argument `input_shape`: '64'"),
        (lambda: models.one_to_one(64, 10, num_layers=-1), r"argument `num_layers`: -1"),
        (lambda: models.seq2seq(0, source_vocab_size=5), r"argument `target_vocab_size`: 0"),
    ],
)
def test_bad_arguments_name_the_problem(build, message):
    with pytest.raises(ValueError, match=message):
        build()
