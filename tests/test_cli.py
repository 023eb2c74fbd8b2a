"""The experiment CLI, run the way a user runs it: in a subprocess."""

import json
import subprocess
import sys

import keras
import pytest


def cli(*args, env=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "rnn_keras", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_list_names_the_experiments():
    proc = cli("list")
    assert proc.returncode == 0, proc.stderr
    names = [line.split("\t")[0] for line in proc.stdout.splitlines()]
    assert names == sorted(["topologies", "gradient-flow", "adding-problem", "bidirectional",
                            "sentiment", "translation", "music", "captioning", "video"])


@pytest.mark.parametrize(
    "args, message",
    [
        (("run", "nope"), "unknown experiment 'nope'; choose one of: adding-problem, "
                          "bidirectional, captioning, gradient-flow, music, sentiment, "
                          "topologies, translation, video"),
        (("run", "translation", "--beam", "0"), "argument --beam: expected a whole number >= 1"),
        (("run", "translation", "--pair", "deu-eng"), "argument --pair: invalid choice"),
        (("run", "topologies", "--attention", "luong"),
         "experiment 'topologies' has no --attention option"),
        (("run", "topologies", "--profile", "fast"), "Unknown profile 'fast'"),
        (("run", "topologies", "--data-dir", "/no/such/dir"), "/no/such/dir"),
        (("run",), "required: experiment"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args, message, tmp_path):
    proc = cli(*args, "--out", str(tmp_path / "out")) if args[:1] == ("run",) and len(args) > 1 else cli(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    errors = [line for line in proc.stderr.splitlines() if line.startswith("rnn_keras: error:")]
    assert len(errors) == 1 and message in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_profile_from_environment_is_validated(monkeypatch):
    import os

    env = dict(os.environ, RNN_KERAS_PROFILE="medium")
    proc = cli("run", "topologies", env=env)
    assert proc.returncode == 2
    assert "RNN_KERAS_PROFILE" in proc.stderr


@pytest.mark.slow
def test_run_topologies_quick_ends_with_json(tmp_path):
    proc = cli("run", "topologies", "--profile", "quick", "--out", str(tmp_path), "--seed", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["experiment"] == "topologies"
    assert summary["profile"] == "quick"
    assert summary["seed"] == 1
    assert summary["seconds"] > 0
    assert "[topologies] training seq2seq" in proc.stdout  # progress is shown
    # Every model beats its trivial baseline, by a margin.
    assert summary["one_to_one_accuracy"] > summary["one_to_one_baseline_accuracy"] + 0.5
    assert summary["many_to_one_accuracy"] > summary["many_to_one_baseline_accuracy"] + 0.4
    assert summary["one_to_many_mse"] < 0.25 * summary["one_to_many_baseline_mse"]
    assert summary["many_to_many_token_accuracy"] > summary["many_to_many_baseline_token_accuracy"]
    assert summary["seq2seq_exact_match"] > 0.3
    assert json.loads((tmp_path / "metrics.json").read_text()) == summary
    assert (tmp_path / "training_curves.png").stat().st_size > 1000
    model = keras.saving.load_model(tmp_path / "seq2seq.keras", safe_mode=True)
    assert model.output_shape[-1] > 10
