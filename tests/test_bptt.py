"""BPTT diagnostics and gradient clipping, on whichever backend is active."""

import keras
import numpy as np
import pytest

from rnn_keras import bptt
from rnn_keras.layers import LSTMCell, SimpleRNNCell

pytestmark = pytest.mark.jax  # backend-neutral: also runs in the JAX pass


def linear_rnn(units=4, features=3, scale=0.9, seed=0):
    """A linear RNN whose recurrent matrix has spectral radius ``scale``."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(units, units)))
    cell = SimpleRNNCell(units, activation=None)
    cell.build((None, features))
    cell.kernel.assign(rng.normal(size=(features, units)).astype("float32"))
    cell.recurrent_kernel.assign((scale * q).astype("float32"))
    return cell, (scale * q)


def test_state_gradient_norms_match_closed_form():
    # h_T = h_t U^(T-t) + ..., L = sum(h_T)  =>  dL/dh_t = U^(T-t) @ 1.
    cell, u = linear_rnn(scale=0.8)
    timesteps = 6
    x = np.random.default_rng(1).normal(size=(2, timesteps, 3)).astype("float32")
    norms = bptt.state_gradient_norms(cell, x)
    expected = [
        np.linalg.norm(np.linalg.matrix_power(u, timesteps - 1 - t) @ np.ones(4))
        for t in range(timesteps)
    ]
    np.testing.assert_allclose(norms, expected, rtol=1e-4)
    # An orthogonal matrix scaled by 0.8 shrinks every vector by 0.8 a step.
    assert bptt.decay_rate(norms) == pytest.approx(0.8, rel=1e-3)


@pytest.mark.parametrize("scale, vanishing", [(0.5, True), (1.5, False)])
def test_spectral_radius_decides_vanishing_or_exploding(scale, vanishing):
    cell, _ = linear_rnn(scale=scale)
    x = np.random.default_rng(2).normal(size=(2, 10, 3)).astype("float32")
    norms = bptt.state_gradient_norms(cell, x)
    assert (norms[0] < norms[-1]) == vanishing


def test_lstm_and_keras_layers_are_accepted():
    layer = keras.layers.LSTM(4)
    x = np.random.default_rng(3).normal(size=(2, 5, 3)).astype("float32")
    layer(x)
    norms_fused = bptt.state_gradient_norms(layer, x)
    scratch = keras.layers.RNN(LSTMCell(4))
    scratch(x)
    scratch.set_weights(layer.get_weights())
    norms_scratch = bptt.state_gradient_norms(scratch, x)
    assert norms_fused.shape == (5,)
    np.testing.assert_allclose(norms_fused, norms_scratch, rtol=1e-5)
    assert np.all(norms_fused > 0)


def test_custom_loss_on_every_step():
    cell, _ = linear_rnn(scale=0.5)
    x = np.zeros((1, 4, 3), "float32")
    # Loss on the first step's output only: later states do not matter.
    norms = bptt.state_gradient_norms(cell, x, loss_fn=lambda out: keras.ops.sum(out[:, 0]))
    assert norms[0] > 0
    np.testing.assert_array_equal(norms[1:], 0.0)


def test_decay_rate_rejects_bad_input():
    with pytest.raises(ValueError, match="at least 2 norms"):
        bptt.decay_rate([1.0])


def grads():
    return [np.array([3.0, 4.0], "float32"), None, np.array([[0.0, -12.0]], "float32")]


def to_np(values):
    return [None if v is None else keras.ops.convert_to_numpy(v) for v in values]


def test_clip_by_value():
    out = to_np(bptt.clip_gradients(grads(), clipvalue=3.5))
    np.testing.assert_allclose(out[0], [3.0, 3.5])
    assert out[1] is None
    np.testing.assert_allclose(out[2], [[0.0, -3.5]])


def test_clip_by_norm_each():
    out = to_np(bptt.clip_gradients(grads(), clipnorm=1.0))
    np.testing.assert_allclose(out[0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(out[2], [[0.0, -1.0]], rtol=1e-6)


def test_clip_by_global_norm_keeps_direction():
    out = to_np(bptt.clip_gradients(grads(), global_clipnorm=6.5))  # global norm 13
    np.testing.assert_allclose(out[0], [1.5, 2.0], rtol=1e-6)
    np.testing.assert_allclose(out[2], [[0.0, -6.0]], rtol=1e-6)
    unchanged = to_np(bptt.clip_gradients(grads(), global_clipnorm=100.0))
    np.testing.assert_allclose(unchanged[0], [3.0, 4.0])


def test_clip_arguments_are_checked():
    with pytest.raises(ValueError, match="at most one of"):
        bptt.clip_gradients(grads(), clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="argument `clipnorm`.*got -1"):
        bptt.clip_gradients(grads(), clipnorm=-1)
    with pytest.raises(ValueError, match="Unknown optimizer 'adamm'"):
        bptt.clipped_optimizer("adamm", global_clipnorm=1.0)


def test_clipped_optimizer_clips_inside_fit():
    optimizer = bptt.clipped_optimizer("sgd", learning_rate=1.0, global_clipnorm=0.5)
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert optimizer.global_clipnorm == 0.5
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False,
                                                                     kernel_initializer="zeros")])
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(np.ones((4, 1)), np.full((4, 1), 100.0), epochs=1, batch_size=4, verbose=0)
    # Unclipped the step would be 200; clipped it is exactly the norm bound.
    assert float(model.get_weights()[0][0, 0]) == pytest.approx(0.5, rel=1e-5)
