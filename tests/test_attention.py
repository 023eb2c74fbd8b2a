"""Attention layers and the attention decoder: maths against Keras, masks,
config, jit_compile training, .keras round trip. Runs on TF and on JAX."""

import keras
import numpy as np
import pytest

from rnn_keras.layers import AttentionRNN
from rnn_keras.layers import BahdanauAttention
from rnn_keras.layers import GRUCell
from rnn_keras.layers import LSTMCell
from rnn_keras.layers import LuongAttention
from rnn_keras.layers import SimpleRNNCell

pytestmark = pytest.mark.jax  # backend-neutral: also runs in the JAX pass

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws from a generator of its own: inputs do not depend on test order."""
    global RNG
    RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.normal(size=shape).astype("float32")


def source_mask(batch=3, steps=6):
    mask = np.ones((batch, steps), bool)
    mask[1, 4:] = False
    mask[2, 2:] = False
    return mask


def np_(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("make", [lambda: BahdanauAttention(8), lambda: LuongAttention(),
                                  lambda: LuongAttention("dot")])
def test_weights_sum_to_one_and_are_zero_on_padding(make):
    layer = make()
    query, value, mask = rand(3, 5, 4), rand(3, 6, 4), source_mask()
    context, weights = layer([query, value], mask=[None, mask], return_attention_scores=True)
    weights = np_(weights)
    assert np_(context).shape == (3, 5, 4) and weights.shape == (3, 5, 6)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)
    assert np.all(weights[~np.broadcast_to(mask[:, None, :], weights.shape)] == 0.0)
    # the context is the weighted mean of the memory
    np.testing.assert_allclose(np_(context), np.einsum("bts,bsd->btd", weights, value),
                               atol=1e-5)


def test_single_query_gives_single_context():
    context, weights = BahdanauAttention(8)([rand(3, 4), rand(3, 6, 5)],
                                            return_attention_scores=True)
    assert np_(context).shape == (3, 5) and np_(weights).shape == (3, 6)


def test_bahdanau_equals_keras_additive_attention_with_identity_projections():
    query, value, mask = rand(3, 5, 4), rand(3, 6, 4), source_mask()
    ours = BahdanauAttention(4)
    ours([query, value])
    scale = rand(4)
    ours.set_weights([np.eye(4, dtype="float32"), np.eye(4, dtype="float32"),
                      np.zeros(4, "float32"), scale])
    reference = keras.layers.AdditiveAttention(use_scale=True)
    reference([query, value])
    reference.set_weights([scale])
    expected = reference([query, value], mask=[None, mask])
    np.testing.assert_allclose(np_(ours([query, value], mask=[None, mask])), np_(expected),
                               atol=1e-5)


def test_luong_dot_equals_keras_attention():
    query, value, mask = rand(3, 5, 4), rand(3, 6, 4), source_mask()
    expected = keras.layers.Attention()([query, value], mask=[None, mask])
    got = LuongAttention("dot")([query, value], mask=[None, mask])
    np.testing.assert_allclose(np_(got), np_(expected), atol=1e-5)


def test_bad_attention_arguments_name_the_problem():
    with pytest.raises(ValueError, match="argument `units`: 0"):
        BahdanauAttention(0)
    with pytest.raises(ValueError, match="argument `score`: 'cosine'"):
        LuongAttention("cosine")
    with pytest.raises(ValueError, match="same width"):
        LuongAttention("dot")([rand(2, 3, 4), rand(2, 5, 6)])
    with pytest.raises(ValueError, match=r"inputs=\[query, value\]"):
        LuongAttention()(rand(2, 3, 4))
    with pytest.raises(ValueError, match="argument `cell`"):
        AttentionRNN("gru", BahdanauAttention(4))
    with pytest.raises(ValueError, match="argument `attention`"):
        AttentionRNN(GRUCell(4), keras.layers.Attention())


@pytest.mark.parametrize("cell_class", [SimpleRNNCell, LSTMCell, GRUCell,
                                        keras.layers.GRUCell])
def test_attention_rnn_equals_a_hand_written_loop(cell_class):
    cell, attention = cell_class(6), BahdanauAttention(5)
    layer = AttentionRNN(cell, attention, return_state=True, return_attention=True)
    x, memory, mask = rand(3, 4, 2), rand(3, 6, 7), source_mask()
    states0 = [rand(3, 6) for _ in np.atleast_1d(cell.state_size)]
    outputs, *final_states, weights = layer(x, memory, memory_mask=mask,
                                            initial_state=states0)
    states = states0
    keys = attention.project_keys(memory)
    for t in range(4):
        context, w = attention.attend(states[0][:, None], keys, memory, mask)
        h, states = cell(np.concatenate([x[:, t], np_(context)[:, 0]], -1), states)
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        np.testing.assert_allclose(np_(outputs)[:, t], np.concatenate(
            [np_(h), np_(context)[:, 0]], -1), atol=1e-5)
        np.testing.assert_allclose(np_(weights)[:, t], np_(w)[:, 0], atol=1e-6)
    for got, want in zip(final_states, states):
        np.testing.assert_allclose(np_(got), np_(want), atol=1e-5)


def test_attention_rnn_masked_steps_keep_the_state():
    layer = AttentionRNN(GRUCell(6), BahdanauAttention(5), return_state=True,
                         return_attention=True)
    x, memory = rand(2, 5, 3), rand(2, 4, 7)
    step_mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]], bool)
    outputs, state, weights = layer(x, memory, mask=step_mask)
    short, short_state, _ = layer(x[1:, :2], memory[1:], mask=None)
    np.testing.assert_allclose(np_(state)[1], np_(short_state)[0], atol=1e-5)
    assert np.all(np_(outputs)[1, 2:] == 0) and np.all(np_(weights)[1, 2:] == 0)
    np.testing.assert_allclose(np_(outputs)[1, :2], np_(short)[0], atol=1e-5)


@pytest.mark.parametrize("padding", ["right", "left"])
def test_attention_rnn_last_output_is_the_last_real_steps_on_either_padding(padding):
    """Regression: without return_sequences the layer took step ``length - 1``, which for
    a left-padded row is a padded step (zeros out, zero weights)."""
    full = AttentionRNN(GRUCell(6), BahdanauAttention(5), return_attention=True)
    last = AttentionRNN(full.cell, full.attention, return_sequences=False,
                        return_attention=True)
    x, memory = rand(3, 5, 3), rand(3, 4, 7)
    real = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 0, 0, 0, 0]], bool)
    step_mask = real if padding == "right" else real[:, ::-1]
    outputs, weights = full(x, memory, mask=step_mask)
    final, final_weights = last(x, memory, mask=step_mask)
    for row, t in ((0, 4), (1, 2 if padding == "right" else 4)):
        np.testing.assert_allclose(np_(final)[row], np_(outputs)[row, t], atol=1e-6)
        np.testing.assert_allclose(np_(final_weights)[row], np_(weights)[row, t], atol=1e-6)
        assert abs(np_(final_weights)[row].sum() - 1) < 1e-5  # real weights, not padding's
    assert np.all(np_(final)[2] == 0) and np.all(np_(final_weights)[2] == 0)  # no real step


def test_attention_rnn_config_round_trip():
    layer = AttentionRNN(LSTMCell(6, dropout=0.1), BahdanauAttention(5), return_state=True,
                         name="decoder")
    clone = AttentionRNN.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    for make in (lambda: BahdanauAttention(7, name="a"), lambda: LuongAttention("dot")):
        original = make()
        assert type(original).from_config(original.get_config()).get_config() == \
            original.get_config()


def _decoder_model(cell):
    source = keras.Input((None,), dtype="int32")
    target = keras.Input((None,), dtype="int32")
    memory = keras.layers.Embedding(11, 8, mask_zero=True)(source)
    y = keras.layers.Embedding(11, 4, mask_zero=True)(target)
    y = AttentionRNN(cell, BahdanauAttention(5))(y, memory,
                                                 memory_mask=keras.ops.not_equal(source, 0))
    return keras.Model([source, target], keras.layers.Dense(11)(y))


def test_fit_with_jit_compile_and_dropout():
    keras.utils.set_random_seed(0)
    model = _decoder_model(GRUCell(6, dropout=0.2, recurrent_dropout=0.2, seed=1))
    if keras.backend.backend() == "tensorflow":
        # XLA on TF needs a loop bound ops.scan does not set: Keras falls back.
        with pytest.warns(UserWarning, match="jit_compile"):
            model.compile("adam", keras.losses.SparseCategoricalCrossentropy(
                from_logits=True), jit_compile=True)
        assert model.jit_compile is False
    else:
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      jit_compile=True)
        assert model.jit_compile is True
    x = [RNG.integers(0, 11, (8, 6)), RNG.integers(1, 11, (8, 4))]
    y = RNG.integers(0, 11, (8, 4))
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights())
               if a.size > 1)


def test_keras_file_round_trip(tmp_path):
    model = _decoder_model(LSTMCell(6))
    x = [RNG.integers(0, 11, (3, 6)), RNG.integers(1, 11, (3, 4))]
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(np_(loaded(x)), np_(model(x)), atol=1e-6)


def test_luong_config_key_is_the_constructor_argument():
    from rnn_keras.layers import LuongAttention

    config = LuongAttention(score="dot", name="att").get_config()
    assert config["score"] == "dot" and "score_function" not in config
    assert LuongAttention.from_config(config).get_config() == config
