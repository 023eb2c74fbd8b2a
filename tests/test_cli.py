"""The experiment CLI: usage errors, and every experiment end to end in the smoke profile.

Everything runs in this process through ``main(argv)`` (a TensorFlow import per
case would cost seconds each); one test starts the real command in a
subprocess to check what only a process shows: the exit status and stderr.
The experiments' quick profiles run in the notebooks, not here: a smoke run
checks the wiring (every step runs, every file is written, the numbers it
reports are those of what it wrote); learning is asserted where the smoke data
makes it certain (sentiment's marker words, the copy baseline of held chords).
"""

import json

import numpy as np
import pytest

from helpers import cli
from rnn_keras import experiments
from rnn_keras.__main__ import main

ALL = ["adding-problem", "bidirectional", "captioning", "charlm", "costs", "gradient-flow",
       "music", "sentiment",
       "speech", "timeseries", "topologies", "translation", "video"]


def test_list_names_the_experiments(capsys):
    assert main(["list"]) == 0
    names = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ALL == sorted(experiments.EXPERIMENTS)


# --- usage errors: exit 2, one line, nothing left behind -------------------------

USAGE = [
    ("unknown experiment", ["run", "nope"],
     "unknown experiment 'nope'; choose one of: " + ", ".join(ALL)),
    ("no experiment", ["run"], "required: experiment"),
    ("unknown command", ["frobnicate"], "invalid choice: 'frobnicate'"),
    ("bad profile", ["run", "topologies", "--profile", "fast"], "Unknown profile 'fast'"),
    ("beam of zero", ["run", "translation", "--beam", "0"], "expected a whole number >= 1"),
    ("unknown pair", ["run", "translation", "--pair", "deu-eng"], "argument --pair: invalid choice"),
    ("option the experiment lacks", ["run", "topologies", "--attention", "luong"],
     "experiment 'topologies' has no --attention option"),
    ("variant option on a fixed experiment", ["run", "topologies", "--cell", "lstm"],
     "experiment 'topologies' has no --cell option"),
    ("bidirectional music", ["run", "music", "--bidirectional"],
     "experiment 'music' has no --bidirectional option"),
    ("distribute where not offered", ["run", "topologies", "--distribute"],
     "experiment 'topologies' has no --distribute option"),
    ("luong attention for captioning", ["run", "captioning", "--attention", "luong"],
     "Expected one of ('none', 'bahdanau')"),
    ("missing data directory", ["run", "sentiment", "--data-dir", "/no/such/dir"],
     "'/no/such/dir'"),
    ("missing chorales", ["run", "music", "--profile", "smoke", "--data-dir", "EMPTY"],
     "jsb_chorales.tgz"),
    ("missing reviews", ["run", "sentiment", "--profile", "smoke", "--data-dir", "EMPTY"],
     "aclImdb_v1.tar.gz"),
    ("missing sentence pairs", ["run", "translation", "--profile", "smoke", "--data-dir",
                                "EMPTY"], "spa-eng.zip"),
    ("unknown series", ["run", "timeseries", "--series", "sunspot"],
     "argument --series: invalid choice"),
    ("series of another experiment", ["run", "sentiment", "--series", "msft"],
     "experiment 'sentiment' has no --series option"),
    ("missing Jena", ["run", "timeseries", "--series", "jena", "--profile", "smoke",
                      "--data-dir", "EMPTY"], "jena_climate_2009_2016.csv.zip"),
    ("missing FSDD", ["run", "speech", "--profile", "smoke", "--data-dir", "EMPTY"],
     "fsdd-1.0.10.tgz"),
    ("unknown speaker", ["run", "speech", "--split", "speaker", "--speaker", "zohar"],
     "argument --speaker: invalid choice"),
    ("speech option elsewhere", ["run", "video", "--task", "strings"],
     "experiment 'video' has no --task option"),
    ("unwritable output folder", ["run", "topologies", "--out", "FILE/out"],
     "cannot write to the output folder"),
]


@pytest.mark.parametrize("name, args, message", USAGE, ids=[case[0] for case in USAGE])
def test_usage_errors_exit_2_with_one_line(name, args, message, tmp_path, capsys,
                                           offline_cache):
    (tmp_path / "EMPTY").mkdir()
    (tmp_path / "FILE").write_text("a file, not a folder")
    args = [a.replace("EMPTY", str(tmp_path / "EMPTY")).replace("FILE", str(tmp_path / "FILE"))
            for a in args]
    out = tmp_path / "fresh" / "out"
    if args[:1] == ["run"] and len(args) > 1 and "--out" not in args:
        args += ["--out", str(out)]
    assert main(args) == 2
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("rnn_keras: error:")]
    assert len(errors) == 1 and message in errors[0], captured.err[-2000:]
    assert "Traceback" not in captured.err
    assert not (tmp_path / "fresh").exists()  # no partial output left behind


def test_nan_nested_in_lists_never_reaches_the_json_line(monkeypatch, capsys, tmp_path):
    """Regression: only top-level NaN became null; a NaN inside a list of per-epoch
    losses printed as ``NaN``, which strict JSON parsers refuse."""
    from rnn_keras import experiments

    module = experiments.get("topologies")
    nan, inf = float("nan"), float("inf")
    monkeypatch.setattr(module, "run", lambda **kwargs: {
        "loss": nan, "val_loss_per_epoch": [0.5, nan, inf], "rows": [{"mae": np.float32(nan)}],
        "table": {"a": (1.0, -inf)}, "accuracy": np.float64(0.25)})
    assert main(["run", "topologies", "--profile", "smoke", "--out", str(tmp_path)]) == 0

    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")

    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1], parse_constant=refuse)
    saved = json.loads((tmp_path / "metrics.json").read_text(), parse_constant=refuse)
    for summary in (line, saved):
        assert summary["loss"] is None and summary["val_loss_per_epoch"] == [0.5, None, None]
        assert summary["rows"] == [{"mae": None}] and summary["table"] == {"a": [1.0, None]}
        assert summary["accuracy"] == 0.25
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]  # no temporary left


def test_full_profile_writes_a_results_record(monkeypatch, capsys, tmp_path):
    """A full-profile run writes one record to results/ (relative to the working folder):
    the arguments, every metric, the headline against its baseline, commit, machine,
    seconds, peak memory, date; --no-record writes none; --record DIR writes any profile."""
    from rnn_keras import experiments
    from rnn_keras import results

    module = experiments.get("video")
    metrics = {"rollout_mse": 0.02, "copy_last_mse": 0.03, "blank_mse": 0.025}
    monkeypatch.setattr(module, "run", lambda **kwargs: dict(metrics))
    monkeypatch.chdir(tmp_path)
    assert main(["run", "video", "--profile", "full", "--out", "o"]) == 0
    assert "results record: results/video.json" in capsys.readouterr().out
    (record,) = results.load_records(tmp_path / "results")
    assert record["arguments"] == {"profile": "full", "seed": 0}
    assert record["metrics"] == metrics
    empty_frame, goal = results.headline_numbers(record)
    assert empty_frame["holds"] is True and empty_frame["baseline"] == 0.025
    assert goal["holds"] is False and goal["baseline"] == 0.03  # the goal needs half the copy's
    assert record["commit"] and record["machine"]["cores"] >= 1 and record["peak_rss_mb"] > 0
    assert record["date"].startswith("20") and record["seconds"] >= 0
    (tmp_path / "results" / "video.json").unlink()
    assert main(["run", "video", "--profile", "full", "--out", "o", "--no-record"]) == 0
    assert not list((tmp_path / "results").glob("*.json"))
    assert main(["run", "video", "--profile", "smoke", "--out", "s"]) == 0
    assert not list((tmp_path / "results").glob("*.json"))  # quick/smoke: none by default
    assert main(["run", "video", "--profile", "smoke", "--out", "s", "--record", "r"]) == 0
    assert [p.name for p in (tmp_path / "r").iterdir()] == ["video.json"]


def test_record_names_carry_the_options():
    from rnn_keras import results

    assert results.record_name("timeseries", {"profile": "full", "seed": 0,
                                              "series": "taylor"}) == "timeseries--series-taylor.json"
    assert results.record_name("sentiment", {"pretrain": "lm", "cell": None}) == \
        "sentiment--pretrain-lm.json"


def test_profile_from_the_environment_is_validated(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("RNN_KERAS_PROFILE", "medium")
    assert main(["run", "topologies", "--out", str(tmp_path / "o")]) == 2
    assert "RNN_KERAS_PROFILE" in capsys.readouterr().err


@pytest.mark.subprocess
def test_the_real_command_exits_2_with_one_line_and_no_traceback(tmp_path):
    proc = cli("run", "music", "--profile", "smoke", "--data-dir", tmp_path, "--out",
               tmp_path / "out")
    assert proc.returncode == 2
    assert proc.stderr.count("rnn_keras: error:") == 1 and "jsb_chorales.tgz" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


# --- every experiment end to end, smoke profile ---------------------------------


@pytest.fixture
def smoke(tmp_path, capsys, request):
    """Runs ``python -m rnn_keras run NAME --profile smoke`` in process; returns
    (summary, out folder, stdout)."""

    def run(name, *extra):
        out = tmp_path / name
        code = main(["run", name, "--profile", "smoke", "--out", str(out), "--seed", "1",
                     *map(str, extra)])
        captured = capsys.readouterr()
        assert code == 0, captured.err[-3000:]
        summary = json.loads(captured.out.strip().splitlines()[-1])
        assert summary["experiment"] == name and summary["profile"] == "smoke"
        assert summary["seed"] == 1 and summary["seconds"] > 0
        assert json.loads((out / "metrics.json").read_text()) == summary
        return summary, out, captured.out

    return run


@pytest.mark.slow
def test_topologies(smoke):
    summary, out, stdout = smoke("topologies")
    assert "[topologies] training seq2seq" in stdout  # progress is shown
    for problem in ("one_to_one", "many_to_one"):
        assert summary[f"{problem}_baseline_accuracy"] < 0.2  # ten balanced classes
    assert (out / "seq2seq.keras").exists() and (out / "training_curves.png").exists()


@pytest.mark.slow
def test_gradient_flow(smoke):
    summary, out, _ = smoke("gradient-flow")
    # Linear RNN, no saturation: each step back multiplies the norm by the radius.
    for radius in (0.9, 1.0, 1.1):
        assert summary[f"linear_radius_{radius}_decay_rate"] == pytest.approx(radius, rel=1e-2)
    assert (out / "gradient_norms.png").exists() and (out / "clipping.png").exists()


@pytest.mark.slow
def test_adding_problem(smoke):
    summary, out, _ = smoke("adding-problem")
    assert {f"{c}_T{t}_mse" for c in ("simple", "lstm", "gru", "irnn") for t in (6, 8)} <= set(summary)
    table = (out / "table.txt").read_text()
    assert "T=6" in table and "baseline" in table and "lstm" in table


@pytest.mark.slow
def test_bidirectional(smoke):
    summary, out, _ = smoke("bidirectional")
    assert {"uni_first_quarter_accuracy", "bi_first_quarter_accuracy",
            "chance_first_quarter_accuracy"} <= set(summary)
    assert (out / "bi.keras").exists() and (out / "uni.keras").exists()


@pytest.mark.slow
def test_sentiment_pretrained_on_its_own_reviews(smoke, review_dir):
    summary, out, _ = smoke("sentiment", "--data-dir", review_dir, "--pretrain", "lm")
    for key in ("pretrained_accuracy", "random_init_accuracy", "nblr_accuracy",
                "lm_heldout_loss", "lm_unigram_loss", "lm_seconds", "fine_tune_seconds"):
        assert key in summary, key
    assert summary["nblr_accuracy"] > 0.9  # the marker words decide every review
    assert summary["sample"].startswith("this movie was ")
    assert (out / "language_model.keras").exists() and (out / "model.keras").exists()


@pytest.mark.slow
def test_charlm(smoke, tmp_path):
    from test_language_models import shakespeare_like

    (tmp_path / "data" / "tinyshakespeare").mkdir(parents=True)
    (tmp_path / "data" / "tinyshakespeare" / "input.txt").write_text(shakespeare_like())
    summary, out, stdout = smoke("charlm", "--data-dir", tmp_path / "data")
    assert "n-gram validation nats/char" in stdout
    assert [(r["timesteps"], r["stateful"]) for r in summary["truncation"]] == [
        (8, False), (8, True), (16, False), (16, True)]
    assert summary["ngram_loss"]["3"] < summary["ngram_loss"]["1"]
    assert summary["validation_bits"] == pytest.approx(summary["validation_loss"] / np.log(2),
                                                       rel=1e-3)
    assert summary["sample"].startswith("ROMEO:\n") and len(summary["samples"]) == 1
    assert summary["reported_row"] == "headline" and summary["unseen_validation_chars"] == 0
    assert (out / "model.keras").exists() and (out / "vocabulary.json").exists()


@pytest.mark.slow
def test_sentiment(smoke, review_dir):
    summary, out, stdout = smoke("sentiment", "--data-dir", review_dir, "--cell", "lstm")
    assert summary["variant"].startswith("bilstm") and summary["test_reviews"] == 400
    assert summary["test_accuracy"] > 0.9  # the marker words decide every review
    assert "[resume]" not in stdout and summary["resumed_from_epoch"] == 0
    assert (out / "model.keras").exists()


@pytest.mark.slow
def test_translation_on_the_numbers(smoke):
    summary, out, _ = smoke("translation", "--pair", "numbers-en-de", "--attention",
                            "bahdanau", "--beam", "2")
    assert summary["pair"] == "numbers-en-de" and summary["beam"] == 2
    assert summary["variant"].endswith("attention-bahdanau")
    lines = (out / "translations.tsv").read_text().splitlines()
    assert len(lines) >= summary["test_sentences"] > 0
    assert (out / "model.keras").exists()


@pytest.mark.slow
def test_music(smoke, chorale_dir):
    summary, out, _ = smoke("music", "--data-dir", chorale_dir)
    # The written chorales hold each chord for four steps: copying the previous
    # step is right 3 times in 4, a bound the copy baseline must find.
    assert summary["joint_copy_baseline"] == pytest.approx(0.75, abs=0.05)
    assert (out / "sample.mid").stat().st_size > 0
    assert (out / "sample.wav").stat().st_size > 1000
    assert (out / "notes_model.keras").exists()


@pytest.mark.slow
def test_captioning(smoke, fake_mnist):
    import sacrebleu

    summary, out, _ = smoke("captioning", "--beam", "2")
    rows = [line.split("\t") for line in (out / "captions.tsv").read_text().splitlines()]
    assert len(rows) == 16
    # The reported scores are those of the captions written out, on a 0-1 scale.
    exact = sum(h == r for h, r in rows) / len(rows)
    assert summary["exact_match_greedy"] == pytest.approx(exact, abs=1e-3)
    bleu = sacrebleu.corpus_bleu([h for h, _ in rows], [[r for _, r in rows]]).score / 100
    assert summary["bleu_4_greedy"] == pytest.approx(bleu, abs=0.02)
    assert (out / "captioner.keras").exists()


@pytest.mark.slow
def test_video(smoke, fake_mnist):
    summary, out, _ = smoke("video")
    assert [k for k in summary if k.startswith("mse_step_")] == [
        f"mse_step_{k}" for k in range(1, 11)]
    assert (out / "next_frame.keras").exists() and (out / "direction.keras").exists()


@pytest.mark.slow
def test_costs(smoke, review_fsdd_dir):
    from rnn_keras.experiments import costs

    summary, out, stdout = smoke("costs", "--data-dir", review_fsdd_dir)
    assert "[costs] IMDB n=" in stdout and "[costs] digits n=" in stdout  # progress is shown
    short, long = summary["lengths"]
    for kind in costs.SETTINGS["smoke"]["kinds"]:
        assert summary[f"{kind}_train_ms_T{long}"] > 0 and summary[f"{kind}_inference_ms_T{short}"] > 0
    # measured bytes: attention's weights grow with T squared, the kept states with T
    attention, rnn = summary["attention_state_bytes"], summary["rnn_state_bytes"]
    assert attention[1] / attention[0] == (long / short) ** 2 and rnn[1] / rnn[0] == long / short
    assert set(summary["best_setting"]) == set(costs.SEARCH_SPACE)
    assert set(summary["importance"]) == set(costs.SEARCH_SPACE)
    # the fixture's tones: the pitch names the digit, so MFCC statistics get every one
    assert summary["tuning_linear_accuracy"] == 1.0 and summary["fsdd_linear_largest"] == 1.0
    assert 0 <= summary["tuned_accuracy"] <= 1 and summary["tuning_clips"] == 30
    assert "attention" in (out / "cost_table.txt").read_text()


@pytest.mark.slow
def test_speech_digits(smoke, fsdd_dir):
    summary, out, stdout = smoke("speech", "--data-dir", fsdd_dir)
    assert summary["task"] == "digits" and summary["split"] == "official"
    # The fixture's tones: the pitch says the digit, so MFCC statistics name every one.
    assert summary["mfcc_lr"] == 1.0
    assert 0 <= summary["rnn"] <= 1 and 0 <= summary["cnn"] <= 1
    assert (out / "digits-official.keras").exists()


@pytest.mark.slow
def test_speech_strings_one_unseen_speaker(smoke, fsdd_dir):
    summary, out, stdout = smoke("speech", "--data-dir", fsdd_dir, "--task", "strings",
                                 "--split", "speaker", "--speaker", "theo")
    assert "held out: theo" in stdout and summary["speaker"] == "theo"
    # Clean tones with silent pauses: cutting at the pauses finds every digit.
    assert summary["der_pipeline"] <= 0.1 and summary["der_empty"] == 1.0
    assert 0.5 <= summary["der_constant"] <= 1.5  # one digit repeated: mostly wrong
    assert summary["der_greedy"] >= 0 and 0 <= summary["exact_beam"] <= 1
    assert (out / "strings-theo.keras").exists()


@pytest.mark.slow
def test_timeseries(smoke):
    summary, out, stdout = smoke("timeseries", "--series", "taylor")
    assert "seasonal naive (same time last week)" in stdout  # the table is shown
    # Baselines do not depend on the profile: the weekly seasonal naive's test MAE on
    # the last two weeks of Taylor's series (measured independently: 513.9 MW).
    assert summary["seasonal_naive_same_time_last_week_mae"] == pytest.approx(513.9)
    # The contenders are picked on the validation MAE, never on the test's.
    assert summary["picked_on"] == "validation"
    networks = {v: summary[f"{v}_val_mae"] for v in ("mlp", "rnn")}
    assert summary["best_neural"] == min(networks, key=networks.get)
    assert summary["best_neural_mae"] == summary[f"{summary['best_neural']}_mae"]
    baselines = {k.removesuffix("_val_mae"): v for k, v in summary.items()
                 if k.endswith("_val_mae") and k.removesuffix("_val_mae") not in (
                     "mlp", "rnn", "linear_skip_alone_ridge_the_networks_units")}
    assert len(baselines) == 4, baselines  # naive, 2 seasonal naive, ridge (smoke: no HW)
    picked = min(baselines, key=baselines.get)
    assert summary["best_baseline_mae"] == summary[f"{picked}_mae"]
    assert 0 <= summary["dm_p_value"] <= 1 and 0 <= summary["dm_vs_skip_p_value"] <= 1
    assert summary["skip_mae"] == summary["linear_skip_alone_ridge_the_networks_units_mae"]
    assert (out / "taylor-rnn.keras").exists() and (out / "table.txt").exists()


@pytest.mark.slow
def test_timeseries_stock_direction(smoke):
    summary, _, _ = smoke("timeseries", "--series", "msft", "--cell", "lstm")
    assert summary["random_walk_tomorrow_today_mae"] > 0
    assert 0.4 < summary["always_up_accuracy"] < 0.6  # up days of the test period
    assert 0 <= summary["direction_p_value"] <= 1
