"""The benchmark scripts run and print one JSON line (numbers are measured, not asserted)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(script, *args, timeout=600):
    proc = subprocess.run([sys.executable, str(BENCHMARKS / script), *args],
                          capture_output=True, text=True, timeout=timeout)
    return proc


def test_cell_speed_prints_train_and_predict_ratios_for_every_cell():
    proc = _run("cell_speed.py", "--batch", "4", "--timesteps", "6", "--units", "4",
                "--vocab", "30", "--embedding", "4", "--repeats", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert [r["cell"] for r in result["rows"]] == ["simple", "lstm", "gru"]
    for row in result["rows"]:
        for key in ("fused_train_ms", "scratch_train_ms", "fused_predict_ms",
                    "scratch_predict_ms", "train_scratch_over_fused"):
            assert row[key] > 0


@pytest.mark.slow
def test_runtimes_times_an_experiment_and_reads_its_metrics(tmp_path):
    proc = _run("runtimes.py", "--experiments", "gradient-flow", "--profile", "smoke",
                "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    (row,) = result["rows"]
    assert row["experiment"] == "gradient-flow" and row["ok"]
    assert row["seconds"] > 0 and row["peak_mb"] > 100  # TensorFlow alone takes more
    assert row["metrics"]
    assert (tmp_path / "gradient-flow" / "metrics.json").exists()


def test_runtimes_refuses_an_unknown_experiment():
    proc = _run("runtimes.py", "--experiments", "nope")
    assert proc.returncode == 2 and "unknown experiment 'nope'" in proc.stderr


def test_pretrain_probe_refuses_bad_language_model_settings_before_reading_data():
    proc = _run("pretrain_probe.py", "--lm", '[{"lm_window": 9}]', "--data-dir", "/nonexistent")
    assert proc.returncode == 2 and "unknown settings ['lm_window']" in proc.stderr
    assert "lm_timesteps" in proc.stderr  # the fix: the names it knows
    proc = _run("pretrain_probe.py", "--lm", "{not json")
    assert proc.returncode == 2 and "--lm must be a JSON list of dicts" in proc.stderr


@pytest.mark.slow
def test_ctc_settings_scores_candidates_on_validation_strings(fsdd_dir):
    proc = _run("ctc_settings.py", "--profile", "smoke", "--data-dir", str(fsdd_dir),
                "--candidates", '[{}, {"ctc_learning_rate": 0.001}]')
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["split"] == "validation strings"
    assert [r["overrides"] for r in result["rows"]] == [{}, {"ctc_learning_rate": 0.001}]
    best = min(result["rows"], key=lambda r: r["validation_der"])
    assert result["best"] == best["overrides"]


def test_ctc_settings_refuses_unknown_settings_before_reading_data():
    proc = _run("ctc_settings.py", "--candidates", '[{"ctc_speed": 2}]', "--data-dir",
                "/nonexistent")
    assert proc.returncode == 2 and "unknown settings ['ctc_speed']" in proc.stderr
