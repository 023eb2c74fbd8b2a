"""The from-scratch cells against Keras's own, on whichever backend is active.

scripts/test.sh runs this file on TensorFlow and again with KERAS_BACKEND=jax.
"""


import keras
import numpy as np
import pytest

import rnn_keras
from rnn_keras.layers import GRUCell, LSTMCell, SimpleRNNCell, record_gates
from rnn_keras.layers.base_cell import BaseCell

pytestmark = pytest.mark.jax  # backend-neutral: also runs in the JAX pass

CELLS = {
    "simple": (SimpleRNNCell, keras.layers.SimpleRNN, keras.layers.SimpleRNNCell),
    "lstm": (LSTMCell, keras.layers.LSTM, keras.layers.LSTMCell),
    "gru": (GRUCell, keras.layers.GRU, keras.layers.GRUCell),
}
N_STATES = {"simple": 1, "lstm": 2, "gru": 1}
ATOL = 1e-5


def data(batch=3, timesteps=7, features=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(batch, timesteps, features)).astype("float32")


def right_padded_mask(batch=3, timesteps=7):
    lengths = np.array([timesteps, 4, 2][:batch])
    return np.arange(timesteps)[None, :] < lengths[:, None]


def scratch_and_keras(kind, units=5, features=4, **layer_kwargs):
    """A scratch RNN and the Keras layer holding the same (random) weights."""
    scratch_cls, keras_cls, _ = CELLS[kind]
    scratch = keras.layers.RNN(scratch_cls(units), **layer_kwargs)
    reference = keras_cls(units, **layer_kwargs)
    x = data(features=features)
    scratch(x)
    reference(x)
    rng = np.random.default_rng(1)
    weights = [rng.normal(scale=0.5, size=w.shape).astype("float32")
               for w in reference.get_weights()]
    reference.set_weights(weights)
    scratch.set_weights(reference.get_weights())
    return scratch, reference


def as_list(result):
    return [keras.ops.convert_to_numpy(r) for r in (result if isinstance(result, (list, tuple)) else [result])]


@pytest.mark.parametrize("kind", CELLS)
def test_config_round_trip(kind):
    cls = CELLS[kind][0]
    cell = cls(7, dropout=0.2, recurrent_dropout=0.1, seed=3, use_bias=False,
               kernel_regularizer="l2", name="c")
    config = cell.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config
    assert config["units"] == 7 and config["dropout"] == 0.2 and config["seed"] == 3
    # Every constructor argument is in the config.
    import inspect
    params = set()
    for klass in cls.__mro__:
        if klass in (BaseCell, cls):
            params |= set(inspect.signature(klass.__init__).parameters) - {"self", "kwargs"}
    assert params <= set(config)


@pytest.mark.parametrize("kind", CELLS)
def test_registered_for_serialization(kind):
    cls = CELLS[kind][0]
    assert keras.saving.get_registered_name(cls) == f"rnn_keras>{cls.__name__}"
    # Bidirectional round-trips its layer through the config at construction.
    keras.layers.Bidirectional(keras.layers.RNN(cls(4)))


@pytest.mark.parametrize("kind", CELLS)
def test_output_shapes_and_state_size(kind):
    cls = CELLS[kind][0]
    cell = cls(6)
    layer = keras.layers.RNN(cell, return_sequences=True, return_state=True)
    outputs = as_list(layer(data()))
    assert outputs[0].shape == (3, 7, 6)
    assert len(outputs) == 1 + N_STATES[kind]
    assert all(s.shape == (3, 6) for s in outputs[1:])
    assert cell.output_size == 6
    init = cell.get_initial_state(batch_size=3)
    assert [tuple(s.shape) for s in init] == [(3, 6)] * N_STATES[kind]


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize(
    "options",
    [{}, {"return_sequences": True}, {"go_backwards": True, "return_sequences": True},
     {"return_state": True}],
    ids=["last", "sequences", "go_backwards", "return_state"],
)
def test_matches_keras_layer(kind, options):
    scratch, reference = scratch_and_keras(kind, **options)
    x = data(seed=5)
    for ours, theirs in zip(as_list(scratch(x)), as_list(reference(x))):
        np.testing.assert_allclose(ours, theirs, atol=ATOL)


@pytest.mark.parametrize("kind", CELLS)
def test_matches_keras_with_initial_state_and_mask(kind):
    scratch, reference = scratch_and_keras(kind, return_sequences=True, return_state=True)
    x = data(seed=6)
    rng = np.random.default_rng(2)
    init = [rng.normal(size=(3, 5)).astype("float32") for _ in range(N_STATES[kind])]
    mask = right_padded_mask()
    ours = as_list(scratch(x, initial_state=init, mask=mask))
    theirs = as_list(reference(x, initial_state=init, mask=mask))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=ATOL)


@pytest.mark.parametrize("kind", CELLS)
def test_masked_step_carries_state_forward(kind):
    cls = CELLS[kind][0]
    layer = keras.layers.RNN(cls(5), return_sequences=True, return_state=True)
    x = data()
    mask = right_padded_mask()
    outputs, *states = as_list(layer(x, mask=mask))
    # Sample 1 has 4 real steps: its final state is the state after step 4,
    # and the same as running the first 4 steps alone.
    short = as_list(layer(x[1:2, :4]))
    np.testing.assert_allclose(states[0][1], short[1][0], atol=ATOL)
    np.testing.assert_allclose(outputs[1, 3], outputs[1, 6], atol=ATOL)
    np.testing.assert_allclose(outputs[2, 1], outputs[2, 5], atol=ATOL)


@pytest.mark.parametrize("kind", CELLS)
def test_weights_move_both_ways(kind):
    scratch, reference = scratch_and_keras(kind)
    assert [w.shape for w in scratch.get_weights()] == [w.shape for w in reference.get_weights()]
    # and back: Keras layer takes the scratch layer's weights.
    _, keras_cls, _ = CELLS[kind]
    fresh = keras_cls(5)
    fresh(data())
    fresh.set_weights(scratch.get_weights())
    x = data(seed=9)
    np.testing.assert_allclose(as_list(fresh(x))[0], as_list(scratch(x))[0], atol=ATOL)


def test_gru_reset_before_matches_keras():
    scratch = keras.layers.RNN(GRUCell(5, reset_after=False))
    reference = keras.layers.GRU(5, reset_after=False)
    x = data()
    scratch(x)
    reference(x)
    scratch.set_weights(reference.get_weights())
    np.testing.assert_allclose(as_list(scratch(x))[0], as_list(reference(x))[0], atol=ATOL)


def test_lstm_forget_bias_starts_at_one():
    cell = LSTMCell(3)
    cell.build((None, 2))
    bias = keras.ops.convert_to_numpy(cell.bias)
    np.testing.assert_array_equal(bias[3:6], 1.0)
    np.testing.assert_array_equal(bias[:3], 0.0)


@pytest.mark.parametrize("kind", CELLS)
def test_cells_use_keras_dropout_protocol(kind):
    # keras.layers.RNN draws the masks before its loop only for cells that are
    # Keras's DropoutRNNCell; that keeps jit_compile working on JAX.
    from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

    assert isinstance(CELLS[kind][0](2), DropoutRNNCell)


@pytest.mark.parametrize("kind", CELLS)
def test_dropout_only_in_training(kind):
    cls = CELLS[kind][0]
    layer = keras.layers.RNN(cls(5, dropout=0.5, recurrent_dropout=0.5, seed=1))
    plain = keras.layers.RNN(cls(5))
    x = data()
    layer(x)
    plain(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(as_list(layer(x, training=False))[0], as_list(plain(x))[0], atol=ATOL)
    assert not np.allclose(as_list(layer(x, training=True))[0], as_list(plain(x))[0], atol=1e-3)


@pytest.mark.parametrize("kind", CELLS)
def test_fit_step_with_jit_compile_and_dropout(kind):
    keras.utils.set_random_seed(0)
    cls = CELLS[kind][0]
    model = keras.Sequential([
        keras.Input((7, 4)),
        keras.layers.RNN(cls(8, dropout=0.2, recurrent_dropout=0.2, seed=0)),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse", jit_compile=True)
    x, y = data(batch=16), np.ones((16, 1), "float32")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize("kind", CELLS)
def test_record_gates(kind):
    scratch, reference = scratch_and_keras(kind, return_sequences=True)
    x = data(seed=4)
    gates = record_gates(scratch, x)
    np.testing.assert_allclose(gates["hidden"], as_list(scratch(x))[0], atol=ATOL)
    assert set(gates) == {"hidden", *CELLS[kind][0].gate_names}
    # The fused Keras layer is converted to a scratch cell with its weights.
    np.testing.assert_allclose(record_gates(reference, x)["hidden"], gates["hidden"], atol=ATOL)
    for name in ("input", "forget", "output", "update", "reset"):
        if name in gates:
            assert gates[name].shape == (3, 7, 5)
            assert gates[name].min() > 0 and gates[name].max() < 1


def test_record_gates_backwards_and_masked():
    scratch, _ = scratch_and_keras("lstm", return_sequences=True, go_backwards=True)
    x = data(seed=8)
    mask = right_padded_mask()
    gates = record_gates(scratch, x, mask=mask)
    # keras returns backwards sequences in processing order; record_gates in time order.
    reference = as_list(scratch(x, mask=mask))[0][:, ::-1]
    np.testing.assert_allclose(gates["hidden"], reference, atol=ATOL)


def test_record_gates_rejects_non_recurrent_layers():
    with pytest.raises(ValueError, match="Expected a recurrent cell or layer"):
        record_gates(keras.layers.Dense(3), data())
    with pytest.raises(ValueError, match="forward_layer"):
        record_gates(keras.layers.Bidirectional(keras.layers.LSTM(3)), data())


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"units": 0}, "argument `units`: 0. Expected a positive integer"),
        ({"units": "8"}, "argument `units`: '8'"),
        ({"units": 4, "dropout": 1.5}, "argument `dropout`: 1.5. Expected a float in \\[0, 1\\)"),
        ({"units": 4, "recurrent_dropout": -0.1}, "argument `recurrent_dropout`"),
        ({"units": 4, "activation": "no_such_fn"}, "no_such_fn"),
        ({"units": 4, "seed": "x"}, "argument `seed`"),
    ],
)
@pytest.mark.parametrize("kind", CELLS)
def test_bad_arguments(kind, kwargs, message):
    with pytest.raises(ValueError, match=message):
        CELLS[kind][0](**kwargs)
