"""The results registry: one JSON record per full-profile run, and the tables made from them.

Every ``python -m rnn_keras run EXPERIMENT --profile full`` writes a record
to ``results/`` (``--record DIR`` elsewhere, ``--no-record`` not at all):
the experiment, its arguments, every metric, the headline metric beside its
strongest trivial baseline, the commit, the machine, the seconds, the peak
resident memory and the date. Records are committed; the README's headline
table and the site's registry page are generated from them
(``python scripts/site_tables.py``), and a test fails when a table and its
records disagree, so no headline number is typed by hand.

>>> spec = HEADLINES["video"][0]
>>> spec.metric, spec.baseline, spec.higher_is_better
('rollout_mse', 'blank_mse', False)
"""

import dataclasses
import datetime
import json
import os
import pathlib
import platform
import re
import resource
import subprocess
import sys

from rnn_keras import _files

RECORD_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Headline:
    """One headline number of an experiment: ``metric`` against ``baseline`` (metric keys)."""

    label: str
    metric: str
    baseline: str | None
    baseline_label: str
    higher_is_better: bool = True
    # "beats it" needs the model's error at most ``(1 - margin)`` of the baseline's
    # (or its score ``(1 + margin)`` of it): 0.5 = halves the error, "solves" it.
    margin: float = 0.0
    # metric key of a test of the difference (Diebold-Mariano p): a gap with p >= 0.05
    # is reported as a tie, not as a win.
    p_value: str | None = None


# The headline of each experiment, against its strongest trivial baseline.
HEADLINES = {
    "topologies": [Headline("many-to-one digits-by-rows accuracy", "many_to_one_accuracy",
                            "many_to_one_baseline_accuracy", "majority class")],
    "gradient-flow": [Headline("LSTM's per-step gradient factor at initialisation",
                               "lstm_decay_rate", "simple_decay_rate", "SimpleRNN's")],
    "adding-problem": [Headline("LSTM MSE at the longest T (beats = halves the baseline's)",
                                "lstm_T{T}_mse", "baseline_mse", "predict the mean",
                                higher_is_better=False, margin=0.5)],
    "bidirectional": [Headline("bidirectional tagger, first-quarter accuracy",
                               "bi_first_quarter_accuracy", "chance_first_quarter_accuracy",
                               "majority tag")],
    "sentiment": [Headline("IMDB test accuracy", "test_accuracy", "tfidf_accuracy",
                           "TF-IDF + logistic regression"),
                  Headline("IMDB test accuracy, LM-pretrained", "pretrained_accuracy",
                           "random_init_accuracy", "same LSTM, random init")],
    "translation": [Headline("BLEU, beam search", "bleu_beam", None, "none recorded")],
    "music": [Headline("next-step note accuracy (joint)", "joint_accuracy",
                       "joint_copy_baseline", "copy the previous step")],
    "captioning": [Headline("BLEU-4, beam search", "bleu_4_beam", "bleu_4_layout_oracle",
                            "layout oracle (best constant digits)")],
    "video": [Headline("10-frame rollout MSE", "rollout_mse", "blank_mse",
                       "an empty frame, the strongest by MSE",
                       higher_is_better=False),
              Headline("10-frame rollout MSE (goal: half the copy's)", "rollout_mse",
                       "copy_last_mse", "copy the last frame", higher_is_better=False,
                       margin=0.5)],
    "timeseries": [Headline("best network's test MAE (picked on validation)", "best_neural_mae",
                            "best_baseline_mae", "best forecasters' baseline (validation)",
                            higher_is_better=False, p_value="dm_p_value")]
    + [Headline(f"best network's MAE, last {years} years (picked on validation)",
                f"best_neural_mae_{years}", f"best_baseline_mae_{years}",
                "best forecasters' baseline (validation)", higher_is_better=False,
                p_value=f"dm_p_value_{years}")
       for years in (67, 35)],
    "speech": [Headline("digit accuracy, bidirectional GRU", "rnn", "mfcc_lr",
                        "MFCC statistics + logistic regression"),
               Headline("digit error rate, CTC (greedy)", "der_greedy", "der_pipeline",
                        "pause-cutting pipeline", higher_is_better=False),
               # --split speaker: the mean over the six held-out voices
               Headline("digit accuracy on an unseen voice, mean of six", "rnn_mean",
                        "mfcc_lr_mean", "MFCC statistics + logistic regression"),
               Headline("digit error rate on an unseen voice, CTC, mean of six",
                        "der_greedy_mean", "der_pipeline_mean", "pause-cutting pipeline",
                        higher_is_better=False)],
    "charlm": [Headline("validation loss (nats/char)", "validation_loss", "best_ngram_loss",
                        "best n-gram (Kneser-Ney)", higher_is_better=False)],
    "costs": [Headline("spoken digits, GRU after a budgeted search (mean over seeds)",
                       "tuned_accuracy", "tuning_linear_accuracy",
                       "MFCC statistics + logistic regression, same clips")],
}


def _metric_key(template, metrics):
    """``lstm_T{T}_mse`` names the largest ``T`` the record has; other keys are themselves."""
    if "{T}" not in template:
        return template
    pattern = re.compile(re.escape(template).replace(r"\{T\}", r"(\d+)") + "$")
    found = sorted((int(m.group(1)), key) for key in metrics if (m := pattern.match(key)))
    return found[-1][1] if found else template


def headline_numbers(record):
    """``[{label, metric, value, baseline_label, baseline, holds, p_value}]`` of a record.

    ``holds`` says whether the model beats its baseline by the headline's
    margin (``None`` where either number is missing); ``p_value`` is the
    record's test of the gap, where it has one. Derived from the metrics each
    time (records store no verdict); a headline whose metric the record lacks
    is left out.
    """
    rows = []
    metrics = record["metrics"]
    for spec in HEADLINES.get(record["experiment"], []):
        key = _metric_key(spec.metric, metrics)
        value = metrics.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        base = metrics.get(spec.baseline) if spec.baseline else None
        base = base if isinstance(base, (int, float)) and not isinstance(base, bool) else None
        holds = None if base is None else (value > base * (1 + spec.margin)
                                           if spec.higher_is_better
                                           else value < base * (1 - spec.margin))
        p_value = metrics.get(spec.p_value) if spec.p_value else None
        rows.append({"label": spec.label, "metric": key, "value": value,
                     "baseline_label": spec.baseline_label, "baseline": base, "holds": holds,
                     "p_value": p_value if isinstance(p_value, (int, float)) else None})
    return rows


def _commit():
    root = pathlib.Path(__file__).resolve().parents[1]
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return sha + ("+uncommitted changes" if dirty else "")


def _cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine():
    """What ran it: processor, cores, OS, Python, Keras and its backend, TensorFlow, GPUs."""
    import keras

    info = {"cpu": _cpu_model(), "cores": os.cpu_count(), "system": platform.platform(),
            "python": platform.python_version(), "keras": keras.__version__,
            "backend": keras.backend.backend()}
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        info["tensorflow"] = tf.__version__
        info["gpus"] = len(tf.config.list_physical_devices("GPU"))
    return info


def peak_rss_mb():
    """Peak resident memory of this process so far, in MB (Linux reports kB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


def make_record(experiment, arguments, metrics, seconds, commit=None):
    """A record of one run (see the module docstring); ``metrics`` must be JSON-ready.

    ``commit``: the checkout's commit when the run started (read now if None).
    """
    record = {"version": RECORD_VERSION, "experiment": experiment, "arguments": arguments,
              "metrics": metrics, "commit": commit or _commit(), "machine": machine(),
              "seconds": round(seconds, 1), "peak_rss_mb": peak_rss_mb(),
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    return record


def command_options(arguments):
    """The CLI options of a record's ``arguments`` that change what runs, as typed."""
    words = []
    for key, value in sorted(arguments.items()):
        if key in ("profile", "seed", "out", "data_dir") or value is None:
            continue
        flag = "--" + key.replace("_", "-")
        words.append(flag if value is True else f"--no-{flag[2:]}" if value is False
                     else f"{flag} {value}")
    return " ".join(words)


def record_name(experiment, arguments):
    """``sentiment--pretrain-lm.json``: the experiment and the options that change what runs.

    The profile, seed and output folder are left out: a later full run of the
    same experiment and options replaces the record (git keeps the old one).
    """
    parts = [experiment] + [f"{k}-{v}" for k, v in sorted(arguments.items())
                            if k not in ("profile", "seed", "out", "data_dir") and v is not None]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "--".join(parts)) + ".json"


def write_record(directory, record):
    """Writes ``record`` under ``directory`` (made if missing), atomically; returns the path."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / record_name(record["experiment"], record["arguments"])
    _files.write_text(path, json.dumps(record, indent=2, allow_nan=False) + "\n")
    return path


def load_records(directory):
    """Every record under ``directory``, sorted by file name; a malformed one is an error."""
    records = []
    for path in sorted(pathlib.Path(directory).glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except ValueError as error:
            raise ValueError(f"{path} is not valid JSON ({error}): fix or delete it.") from None
        missing = {"experiment", "arguments", "metrics", "commit", "date"} - set(record)
        if missing:
            raise ValueError(f"{path} is not a results record: it lacks {sorted(missing)}.")
        record["file"] = path.name
        records.append(record)
    return records


def _fmt(value):
    """Four significant digits, trailing zeros kept (1.000, 339.0); thousands with commas."""
    if value is None:
        return "—"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:#.4g}".rstrip(".")


def _link(name, prefix):
    return prefix.format(file=name) if "{file}" in prefix else f"[{name}]({prefix}{name})"


def headline_table(records, link_prefix="results/"):
    """The markdown headline table: one row per headline of each record.

    Each row links its record as ``link_prefix + file name``; a ``link_prefix``
    holding ``{file}`` is formatted with the file name instead.
    """
    lines = ["| experiment | metric | model | baseline | beats it | record |",
             "|---|---|---|---|---|---|"]
    for record in records:
        options = command_options(record["arguments"])
        name = f"`{record['experiment']}{' ' + options if options else ''}`"
        for row in headline_numbers(record):
            verdict = {True: "yes", False: "**no**", None: "—"}[row["holds"]]
            if row["holds"] and row["p_value"] is not None and row["p_value"] >= 0.05:
                verdict = f"tie (DM p = {row['p_value']:.2f})"
            lines.append(f"| {name} | {row['label']} | {_fmt(row['value'])} | "
                         f"{_fmt(row['baseline'])} ({row['baseline_label']}) | {verdict} | "
                         f"{_link(record['file'], link_prefix)}, "
                         f"{record['date'][:10]} |")
    return "\n".join(lines) + "\n"
