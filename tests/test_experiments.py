"""The fundamentals experiments (notebooks 02-03) on tiny settings, and one CLI run."""

import json
import subprocess
import sys

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


def test_adding_problem_run_reports_every_cell_and_length(monkeypatch, tmp_path):
    monkeypatch.setitem(adding_problem.SETTINGS, "quick",
                        {"lengths": (6, 8), "n_train": 256, "epochs": 1})
    metrics = adding_problem.run(profile="quick", out_dir=tmp_path)
    expected = {f"{c}_T{t}_mse" for c in adding_problem.CELLS for t in (6, 8)}
    assert expected <= set(metrics)
    assert all(np.isfinite(metrics[k]) for k in expected)
    table = (tmp_path / "table.txt").read_text()
    assert "T=6" in table and "baseline" in table and "lstm" in table


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


@pytest.mark.slow
def test_bidirectional_cli_run(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rnn_keras", "run", "bidirectional",
                           "--profile", "quick", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["experiment"] == "bidirectional" and summary["profile"] == "quick"
    # The bidirectional tagger reads the future; the left-to-right one cannot.
    assert summary["bi_first_quarter_accuracy"] > 0.95
    assert summary["uni_first_quarter_accuracy"] < summary["chance_first_quarter_accuracy"] + 0.1
    assert (tmp_path / "bi.keras").exists() and (tmp_path / "metrics.json").exists()
