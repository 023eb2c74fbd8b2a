"""The fundamentals experiments (notebooks 02-03): the measures on tiny settings.
(Each experiment end to end: tests/test_cli.py.)"""


import numpy as np
import pytest

from rnn_keras import bptt
from rnn_keras.experiments import adding_problem, bidirectional, gradient_flow


@pytest.mark.parametrize("radius", [0.8, 1.0, 1.2])
def test_linear_rnn_decay_rate_is_the_spectral_radius(radius):
    sweep = gradient_flow.radius_sweep(radii=(radius,), timesteps=20, activation=None, batch=4)
    norms, rate = sweep[radius]
    assert rate == pytest.approx(radius, rel=1e-3)
    # Each step back multiplies the norm by exactly the radius.
    np.testing.assert_allclose(norms[:-1] / norms[1:], radius, rtol=1e-3)


def test_saturation_makes_tanh_gradients_vanish():
    small = gradient_flow.radius_sweep(radii=(1.1,), timesteps=30, input_scale=0.1, batch=4)
    large = gradient_flow.radius_sweep(radii=(1.1,), timesteps=30, input_scale=3.0, batch=4)
    assert large[1.1][1] < 0.7 * small[1.1][1]


def test_cell_norms_cover_three_cells():
    result = gradient_flow.cell_norms(timesteps=12, units=8, batch=2)
    assert set(result) == {"simple", "lstm", "gru"}
    for norms, rate in result.values():
        assert norms.shape == (12,) and np.all(norms > 0) and 0 < rate < 1


@pytest.mark.slow
def test_clipping_keeps_a_diverging_run_finite():
    runs = gradient_flow.clipping_runs(epochs=1)
    assert not np.isfinite(runs["none"]["batch_loss"]).all()
    assert np.isfinite(runs["global_norm"]["batch_loss"]).all()
    assert np.isfinite(runs["value"]["batch_loss"]).all()


def test_format_table_layout():
    rows = [{"cell": c, "timesteps": t, "test_mse": 0.01 * i, "seconds": 1.0}
            for i, (c, t) in enumerate([("simple", 5), ("lstm", 5)])]
    lines = adding_problem.format_table(rows).splitlines()
    assert lines[0].split() == ["test", "MSE", "T=5"]
    assert lines[1].split() == ["simple", "0.0000"] and lines[2].split() == ["lstm", "0.0100"]
    assert lines[3].split() == ["baseline", "0.1667"]


def test_chance_of_the_first_quarter():
    tags = np.array([[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 0]])
    # Majority per step on train: step 0 -> 1 (2 of 3), step 1 -> 1.
    assert bidirectional.chance_first_quarter(tags, tags) == pytest.approx(4 / 6)


def test_per_position_majority_baseline():
    from rnn_keras.experiments import topologies

    train = np.array([[0, 1, 1], [0, 1, 0], [1, 0, 0]])
    w_train = np.array([[1, 1, 1], [1, 1, 1], [1, 1, 0]])
    # majority per position over real train steps: 0, 1, and a tie (one 1, one 0) that
    # goes to the smaller tag, 0
    test = np.array([[0, 1, 0], [1, 1, 1]])
    w_test = np.array([[1, 1, 1], [1, 1, 0]])
    # guesses 0, 1, 0: right on 3 of 3 real steps in row 1, 1 of 2 in row 2
    assert topologies.position_majority_accuracy(train, test, (w_train, w_test)) == \
        pytest.approx(4 / 5)
