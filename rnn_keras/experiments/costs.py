"""What recurrent networks cost: time and memory against length, data, and tuning.

Three questions (notebook 12):

- **Cost.** How do training and inference time per sequence grow with the
  length ``T`` for SimpleRNN, LSTM and GRU (Keras's fused layers and this
  package's from-scratch cells), a 1-D CNN and one self-attention layer on
  this CPU, and how does the memory they keep grow? A recurrent layer must
  run its ``T`` steps one after another (``h_t`` needs ``h_{t-1}``); the
  CNN's and attention's steps are independent of each other, so their work
  is a few large matrix products, at the price of attention's ``T x T``
  weights.
- **Data.** Learning curves: test accuracy against the number of training
  examples (several seeds) for a recurrent classifier and its linear
  baseline, on IMDB (GRU vs NB-LR) and spoken digits (GRU on log-mel
  frames vs MFCC statistics + logistic regression). Where, if anywhere,
  does the network cross the baseline?
- **Tuning.** A budgeted KerasTuner random search over the spoken-digit GRU
  (units, learning rate, cell, bidirectional), picked on validation; the
  tuned and the default setting are then retrained with several seeds: the
  gain from tuning against the spread across seeds, and which
  hyperparameter moved the validation score most.

Used by notebook 12 and ``python -m rnn_keras run costs``.
"""

import dataclasses
import pathlib
import tempfile
import time

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import models
from rnn_keras import training
from rnn_keras.data import imdb as imdb_data
from rnn_keras.data import spoken_digits as sd
from rnn_keras.experiments import rounded
from rnn_keras.layers.log_mel_spectrogram import LogMelSpectrogram
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_positive_int

# Recurrent kinds are "<cell>" (Keras's fused layer) or "<cell>_scratch" (this
# package's cell in keras.layers.RNN); then the two that parallelise over steps.
PARALLEL_KINDS = ("cnn", "attention")
KINDS = ("simple", "lstm", "gru", "simple_scratch", "lstm_scratch", "gru_scratch",
         *PARALLEL_KINDS)
# The search space of the tuning part, and the untuned starting point it is compared with:
# a unidirectional GRU of 32 units at Adam's default learning rate (Keras's 0.001).
SEARCH_SPACE = {"units": (16, 32, 64), "learning_rate": (1e-3, 3e-3, 1e-2),
                "cell": ("gru", "lstm"), "bidirectional": (False, True)}
DEFAULT_SETTING = {"units": 32, "learning_rate": 1e-3, "cell": "gru", "bidirectional": False}

SETTINGS = {
    # Notebook 12 in about 90 s on 2 cores.
    "quick": {"lengths": (32, 128, 512), "batch": 16, "features": 8, "units": 32, "heads": 2,
              "repeats": 3, "kinds": ("simple", "lstm", "gru", "lstm_scratch", "cnn",
                                      "attention"),
              "imdb_sizes": (250, 1000), "imdb_test": 1000, "imdb_epochs": 3,
              "fsdd_sizes": (100, 300, 900), "fsdd_epochs": 8, "seeds": (0, 1),
              "tuning_size": 600, "tuner_trials": 4, "tuner_epochs": 4, "tuning_seeds": (0, 1)},
    "full": {"lengths": (50, 200, 500, 1000, 2000), "batch": 16, "features": 8, "units": 64,
             "heads": 2, "repeats": 5, "kinds": KINDS,
             # None: the whole training split (22,500 reviews; 2,460 clips). One epoch, as
             # notebook 04's full profile (its test accuracy peaked after the first).
             "imdb_sizes": (500, 2000, 5000, 10000, None), "imdb_test": None, "imdb_epochs": 1,
             "fsdd_sizes": (100, 300, 1000, None), "fsdd_epochs": 20, "seeds": (0, 1, 2),
             "tuning_size": None, "tuner_trials": 16, "tuner_epochs": 15, "tuning_seeds": (0, 1, 2, 3, 4)},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"lengths": (4, 8), "batch": 4, "features": 3, "units": 4, "heads": 2,
              "repeats": 1, "kinds": ("gru", "lstm_scratch", "cnn", "attention"),
              "imdb_sizes": (40, 80), "imdb_test": None, "imdb_epochs": 1,
              "fsdd_sizes": (20, 40), "fsdd_epochs": 1, "seeds": (0,),
              "tuning_size": 30, "tuner_trials": 2, "tuner_epochs": 1, "tuning_seeds": (0,)},
}


# ---------------------------------------------------------------------------
# Cost: time and memory against length
# ---------------------------------------------------------------------------


def cost_model(kind, features=8, units=32, heads=2):
    """A sequence regressor ``(batch, T, features) -> (batch, 1)`` built around one ``kind``.

    Recurrent kinds: :func:`rnn_keras.models.many_to_one` (last state ->
    output). ``"cnn"``: three causal ``Conv1D`` layers (kernel 3, dilations
    1, 2, 4) and global max pooling. ``"attention"``: a ``Dense``
    projection, one ``MultiHeadAttention`` self-attention layer (``heads``
    heads) and global average pooling. Compiled (Adam, MSE).
    """
    kind = check_choice("kind", kind, KINDS)
    check_positive_int("units", units)
    if kind in PARALLEL_KINDS:
        inputs = keras.Input((None, features), name="inputs")
        if kind == "cnn":
            x = inputs
            for rate in (1, 2, 4):
                x = keras.layers.Conv1D(units, 3, padding="causal", dilation_rate=rate,
                                        activation="relu", name=f"conv_{rate}")(x)
            x = keras.layers.GlobalMaxPooling1D(name="pool")(x)
        else:
            if units % heads:
                raise ValueError(f"units={units} must be a multiple of heads={heads}.")
            x = keras.layers.Dense(units, name="project")(inputs)
            x = keras.layers.MultiHeadAttention(heads, units // heads, name="attention")(x, x)
            x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
        model = keras.Model(inputs, keras.layers.Dense(1, name="outputs")(x), name=kind)
    else:
        cell, _, scratch = kind.partition("_")
        model = models.many_to_one(1, input_dim=features, cell=cell, units=units,
                                   implementation="scratch" if scratch else "fused", name=kind)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    return model


def time_per_sequence(model, timesteps, batch=16, repeats=3, seed=0):
    """Median seconds per sequence of one training step and of one inference call at ``T``.

    One warm-up call of each first (it traces and compiles for the shape);
    then ``repeats`` timed calls; the median over them, divided by ``batch``.
    Returns ``(train_seconds, inference_seconds, spread)``, ``spread`` the
    largest relative distance of a timed call (training or inference) from its median.
    """
    rng = np.random.default_rng(seed)
    features = model.input_shape[-1]
    x = rng.normal(size=(batch, timesteps, features)).astype("float32")
    y = rng.normal(size=(batch, 1)).astype("float32")
    model.train_on_batch(x, y)
    model.predict_on_batch(x)
    train, infer = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        model.train_on_batch(x, y)
        train.append(time.perf_counter() - start)
        start = time.perf_counter()
        model.predict_on_batch(x)
        infer.append(time.perf_counter() - start)
    spread = max(float(np.max(np.abs(np.array(times) - np.median(times))) / np.median(times))
                 for times in (train, infer))
    return float(np.median(train)) / batch, float(np.median(infer)) / batch, spread


def state_bytes(kind, timesteps, batch=16, features=8, units=32, heads=2, seed=0):
    """Bytes of the activation that grows fastest with ``T``: ``.nbytes`` of one array.

    ``"attention"``: the attention weights a ``MultiHeadAttention`` layer
    returns (``batch x heads x T x T``). Every other kind: the output
    sequence of one layer of that type (``batch x T x units``; a
    recurrent layer keeps at least this for backpropagation through time,
    an LSTM or GRU also its gates, several such tensors). Not the peak
    memory of the whole model: a lower bound that shows how it grows.
    """
    kind = check_choice("kind", kind, KINDS)
    x = np.random.default_rng(seed).normal(size=(batch, timesteps, features)).astype("float32")
    if kind == "attention":
        h = keras.layers.Dense(units)(x)
        _, scores = keras.layers.MultiHeadAttention(heads, units // heads)(
            h, h, return_attention_scores=True)
        return int(keras.ops.convert_to_numpy(scores).nbytes)
    if kind == "cnn":
        layer = keras.layers.Conv1D(units, 3, padding="causal")
    else:
        layer = {"simple": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                 "gru": keras.layers.GRU}[kind.partition("_")[0]](units, return_sequences=True)
    return int(keras.ops.convert_to_numpy(layer(x)).nbytes)


def cost_table(settings, seed=0, verbose=0):
    """Every kind of the profile at every length: rows of ``{"kind", "timesteps",
    "train_ms", "inference_ms", "spread", "state_bytes"}`` (milliseconds per sequence)."""
    s = settings
    rows = []
    for kind in s["kinds"]:
        keras.utils.set_random_seed(seed)
        model = cost_model(kind, s["features"], s["units"], s["heads"])
        for timesteps in s["lengths"]:
            train, infer, spread = time_per_sequence(model, timesteps, s["batch"], s["repeats"],
                                                     seed=seed)
            rows.append({"kind": kind, "timesteps": timesteps, "train_ms": 1e3 * train,
                         "inference_ms": 1e3 * infer, "spread": spread,
                         "state_bytes": state_bytes(kind, timesteps, s["batch"], s["features"],
                                                    s["units"], s["heads"], seed=seed)})
            if verbose:
                print(f"[costs] {kind:<15} T={timesteps:<5} train {1e3 * train:8.3f} ms, "
                      f"inference {1e3 * infer:8.3f} ms per sequence", flush=True)
    return rows


def growth(rows, kind, key="train_ms"):
    """``key`` at the longest length over ``key`` at the shortest, for one kind."""
    mine = sorted((r["timesteps"], r[key]) for r in rows if r["kind"] == kind)
    return mine[-1][1] / mine[0][1]


def format_cost_table(rows, key="train_ms"):
    """One row per kind, one column per length (``key``: train_ms, inference_ms, state_bytes)."""
    lengths = sorted({r["timesteps"] for r in rows})
    kinds = list(dict.fromkeys(r["kind"] for r in rows))
    value = {(r["kind"], r["timesteps"]): r[key] for r in rows}
    label = {"train_ms": "training, ms/sequence", "inference_ms": "inference, ms/sequence",
             "state_bytes": "activation bytes"}[key]
    lines = [f"{label:<24}" + "".join(f"{'T=' + str(t):>12}" for t in lengths)]
    for kind in kinds:
        cells = (f"{value[(kind, t)]:>12,.0f}" if key == "state_bytes" else
                 f"{value[(kind, t)]:>12.3f}" for t in lengths)
        lines.append(f"{kind:<24}" + "".join(cells))
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Data: the two data sets, learning curves
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Data:
    """IMDB (``imdb``: notebook 04's :class:`rnn_keras.experiments.sentiment.Data`) and
    spoken digits: log-mel frames ``x`` and digits ``y`` per split (``"train"``,
    ``"validation"``, ``"test"``), MFCC statistics ``mfcc`` for the baseline."""

    imdb: object
    x: dict
    y: dict
    mfcc: dict
    settings: dict


def log_mel_frames(audio, batch_size=256):
    """Standardised log-mel frames of right-padded 1-second clips, notebook 11's quick front
    end (:func:`rnn_keras.experiments.speech.front_end`): ``(n, frames, 40)``."""
    from rnn_keras.experiments import speech

    layer = LogMelSpectrogram(sampling_rate=sd.SAMPLING_RATE,
                              **speech.front_end(speech.SETTINGS["quick"]), mask_padding=False)
    chunks = [keras.ops.convert_to_numpy(layer(audio[i:i + batch_size]))
              for i in range(0, len(audio), batch_size)]
    return np.concatenate(chunks).astype("float32")


def prepare(profile=None, data_dir=None, seed=0, imdb=True):
    """IMDB as notebook 04 reads it at the same profile (its training reviews are the pool
    the curve samples from; the profile's ``imdb_test`` of its test reviews, all for
    ``None``, the test) and the spoken digits' official split as log-mel frames and MFCC
    statistics.

    ``imdb=False``: the spoken digits only (``data.imdb`` is ``None``).
    """
    from rnn_keras.experiments import sentiment
    from rnn_keras.experiments import speech

    name = config.get_profile(profile)
    s = dict(SETTINGS[name])
    reviews = None
    if imdb:
        reviews = sentiment.prepare(name, data_dir=data_dir, seed=seed)
        reviews = dataclasses.replace(reviews, test=imdb_data.sample(reviews.test, s["imdb_test"],
                                                                    seed=seed))
    digits = speech.prepare(name, data_dir=data_dir, seed=seed, task="digits")
    parts = ("train", "validation", "test")
    x = {part: log_mel_frames(digits.x[part]) for part in parts}
    mfcc = {part: speech.mfcc_statistics(list(digits.x[part]), speech.SETTINGS["quick"])
            for part in parts}
    return Data(reviews, x, {part: digits.y[part] for part in parts}, mfcc, s)


def build_model(data, *, units=None, learning_rate=None, cell=None, bidirectional=None):
    """The spoken-digit classifier on log-mel frames (mean and max pooled), compiled.

    Defaults: :data:`DEFAULT_SETTING`.
    """
    setting = dict(DEFAULT_SETTING)
    setting.update({k: v for k, v in dict(units=units, learning_rate=learning_rate, cell=cell,
                                          bidirectional=bidirectional).items() if v is not None})
    model = models.many_to_one(10, input_dim=data.x["train"].shape[-1], cell=setting["cell"],
                               units=setting["units"], bidirectional=setting["bidirectional"],
                               pooling="mean_max", name="digit_classifier")
    model.compile(keras.optimizers.Adam(setting["learning_rate"]),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def train(data, model, *, seed=None, verbose=0, run_dir=None, name="model", size=None,
          epochs=None, sample_seed=None):
    """The profile's epochs (batch 32) on ``size`` training clips (the first of a
    permutation drawn with ``sample_seed``, default ``seed``); the epoch with the best
    validation accuracy is kept."""
    if seed is not None:
        keras.utils.set_random_seed(seed)
    rows = subset(len(data.y["train"]), size, sample_seed if sample_seed is not None else seed or 0)
    return training.fit(model, data.x["train"][rows], data.y["train"][rows],
                        validation_data=(data.x["validation"], data.y["validation"]),
                        epochs=epochs or data.settings["fsdd_epochs"], batch_size=32,
                        monitor="val_accuracy", verbose=verbose, run_dir=run_dir, name=name)


def evaluate(model, data):
    """Test accuracy of the digit classifier (chance 0.1)."""
    _, accuracy = model.evaluate(data.x["test"], data.y["test"], verbose=0, batch_size=256)
    return {"test_accuracy": float(accuracy), "chance_accuracy": 0.1}


def subset(n, size, seed):
    """The first ``size`` of a seeded permutation of ``range(n)`` (all of them for ``None``)."""
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[:size if size is not None else n])


def fsdd_curve(data, sizes=None, seeds=None, verbose=0):
    """Rows ``{"size", "seed", "rnn", "linear"}``: test accuracy of the GRU and of MFCC
    statistics + logistic regression trained on the same ``size`` clips."""
    from rnn_keras.experiments import speech

    s = data.settings
    rows = []
    for size in sizes or s["fsdd_sizes"]:
        for seed in seeds or s["seeds"]:
            keras.utils.set_random_seed(seed)
            model = build_model(data)
            train(data, model, seed=seed, size=size)
            picked = subset(len(data.y["train"]), size, seed)
            linear = speech.mfcc_classifier(data.mfcc["train"][picked],
                                            data.y["train"][picked], seed=seed)
            rows.append({"size": int(len(picked)), "seed": seed,
                         "rnn": evaluate(model, data)["test_accuracy"],
                         "linear": float(linear.score(data.mfcc["test"], data.y["test"]))})
            if verbose:
                print(f"[costs] digits n={len(picked):<5} seed {seed}: GRU "
                      f"{rows[-1]['rnn']:.3f}, MFCC+LR {rows[-1]['linear']:.3f}", flush=True)
    return rows


def imdb_curve(data, sizes=None, seeds=None, verbose=0):
    """Rows ``{"size", "seed", "rnn", "linear"}``: IMDB test accuracy of a unidirectional
    GRU (notebook 04's classifier, on the last ``max_length`` tokens of notebook 04's
    profile: 150 quick, 400 full) and of NB-LR on the same ``size`` reviews."""
    from rnn_keras.experiments import sentiment

    s = data.settings
    rows = []
    for size in sizes or s["imdb_sizes"]:
        for seed in seeds or s["seeds"]:
            part = dataclasses.replace(data.imdb, train=imdb_data.sample(data.imdb.train, size,
                                                                         seed=seed))
            result = sentiment.train_variant(part, cell="gru", bidirectional=False,
                                             epochs=s["imdb_epochs"], seed=seed)
            rows.append({"size": len(part.train), "seed": seed,
                         "rnn": result["test_accuracy"],
                         "linear": sentiment.nblr_baseline(part)["test_accuracy"]})
            if verbose:
                print(f"[costs] IMDB n={len(part.train):<6} seed {seed}: GRU "
                      f"{rows[-1]['rnn']:.3f}, NB-LR {rows[-1]['linear']:.3f}", flush=True)
    return rows


def curve_summary(rows):
    """Per size: mean and standard deviation over seeds of both models:
    ``{size: {"rnn": (mean, std), "linear": (mean, std)}}`` (sizes ascending)."""
    out = {}
    for size in sorted({r["size"] for r in rows}):
        mine = [r for r in rows if r["size"] == size]
        out[size] = {k: (float(np.mean([r[k] for r in mine])), float(np.std([r[k] for r in mine])))
                     for k in ("rnn", "linear")}
    return out


def crossing(summary):
    """The smallest size from which the network's mean stays above the baseline's, or None."""
    sizes = list(summary)
    for i, size in enumerate(sizes):
        if all(summary[z]["rnn"][0] > summary[z]["linear"][0] for z in sizes[i:]):
            return size
    return None


# ---------------------------------------------------------------------------
# Tuning: a budgeted random search, then seeds
# ---------------------------------------------------------------------------


def tune(data, trials=None, epochs=None, seed=0, directory=None, verbose=0):
    """KerasTuner random search over :data:`SEARCH_SPACE`, by validation accuracy.

    Returns ``(best_setting, trials)``: the setting of the best trial and one
    ``{**setting, "score"}`` per trial (its best epoch's validation accuracy).
    ``directory``: where the tuner keeps its trials (a temporary folder by default).
    """
    import keras_tuner

    s = data.settings

    def choice(hp, name, values):
        if all(isinstance(v, bool) for v in values):
            return bool(hp.Boolean(name))
        return hp.Choice(name, list(values))

    def hypermodel(hp):
        return build_model(data, **{name: choice(hp, name, values)
                                    for name, values in SEARCH_SPACE.items()})

    with tempfile.TemporaryDirectory() as scratch:
        tuner = keras_tuner.RandomSearch(
            hypermodel, objective="val_accuracy", max_trials=trials or s["tuner_trials"],
            # KerasTuner reads seed=0 as "no seed" (it draws one): offset by one
            seed=seed + 1, directory=str(directory or scratch), project_name="costs-tuning",
            overwrite=True)
        keras.utils.set_random_seed(seed)
        clips = subset(len(data.y["train"]), s["tuning_size"], seed)
        tuner.search(data.x["train"][clips], data.y["train"][clips], batch_size=32,
                     validation_data=(data.x["validation"], data.y["validation"]),
                     epochs=epochs or s["tuner_epochs"], verbose=verbose)
        done = [t for t in tuner.oracle.trials.values() if t.score is not None]
        rows = [{**{name: _plain(t.hyperparameters.get(name), SEARCH_SPACE[name])
                    for name in SEARCH_SPACE}, "score": float(t.score)} for t in done]
    if not rows:
        raise RuntimeError("No trial of the search finished: KerasTuner printed each trial's "
                           "error above (a missing package, such as tensorboard, is the "
                           "usual one: pip install 'rnn-keras' brings it).")
    best = max(rows, key=lambda r: r["score"])
    return {name: best[name] for name in SEARCH_SPACE}, rows


def _plain(value, values):
    """A tuner's value as the search space spells it (Python bool, int, float or str)."""
    return bool(value) if isinstance(values[0], bool) else type(values[0])(value)


def tried(trials):
    """How many trials drew each value: ``{name: {value: count}}`` (values never drawn left out)."""
    return {name: {value: sum(t[name] == value for t in trials) for value in values
                   if any(t[name] == value for t in trials)}
            for name, values in SEARCH_SPACE.items()}


def importance(trials):
    """Per hyperparameter: the largest gap between the mean validation scores of its values
    among the trials (0 when the trials tried one value only)."""
    out = {}
    for name in SEARCH_SPACE:
        means = [np.mean([t["score"] for t in trials if t[name] == value])
                 for value in SEARCH_SPACE[name] if any(t[name] == value for t in trials)]
        out[name] = float(max(means) - min(means)) if means else 0.0
    return out


def seeds_of(data, setting, seeds, epochs=None, seed=0):
    """Test accuracy of ``setting`` retrained from each of ``seeds`` on the clips the search
    used (the profile's ``tuning_size`` of them, drawn with ``seed``)."""
    scores = []
    for each in seeds:
        keras.utils.set_random_seed(each)
        model = build_model(data, **setting)
        train(data, model, seed=each, size=data.settings["tuning_size"], sample_seed=seed,
              epochs=epochs or data.settings["tuner_epochs"])
        scores.append(evaluate(model, data)["test_accuracy"])
    return scores


def tuning_study(data, seed=0, verbose=0):
    """The search, then the default and the tuned setting over the profile's seeds, all on
    the same ``tuning_size`` training clips (validation picks; test reports).

    Returns a dict: ``best`` (setting), ``trials``, ``importance``,
    ``default_scores`` and ``tuned_scores`` (test accuracy per seed), ``linear`` (MFCC
    statistics + logistic regression on the same ``clips``),
    ``gain`` (difference of their means) and ``seed_spread`` (standard
    deviation of the tuned setting's scores).
    """
    best, trials = tune(data, seed=seed)
    seeds = data.settings["tuning_seeds"]
    default = seeds_of(data, DEFAULT_SETTING, seeds, seed=seed)
    tuned = default if best == DEFAULT_SETTING else seeds_of(data, best, seeds, seed=seed)
    from rnn_keras.experiments import speech

    clips = subset(len(data.y["train"]), data.settings["tuning_size"], seed)
    linear = speech.mfcc_classifier(data.mfcc["train"][clips], data.y["train"][clips], seed=seed)
    result = {"best": best, "trials": trials, "importance": importance(trials),
              "linear": float(linear.score(data.mfcc["test"], data.y["test"])),
              "clips": int(len(clips)),
              "default_scores": default, "tuned_scores": tuned,
              "gain": float(np.mean(tuned) - np.mean(default)),
              "seed_spread": float(np.std(tuned))}
    if verbose:
        print(f"[costs] tuned {best}: test accuracy {np.mean(tuned):.3f} +- {np.std(tuned):.3f} "
              f"vs default {np.mean(default):.3f}", flush=True)
    return result


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2):
    """The three parts; returns their headline numbers."""
    s = SETTINGS[config.get_profile(profile)]
    rows = cost_table(s, seed=seed, verbose=verbose)
    print(format_cost_table(rows), flush=True)
    data = prepare(profile, data_dir=data_dir, seed=seed)
    curves = {"imdb": curve_summary(imdb_curve(data, verbose=verbose)),
              "fsdd": curve_summary(fsdd_curve(data, verbose=verbose))}
    study = tuning_study(data, seed=seed, verbose=verbose)
    longest, shortest = max(s["lengths"]), min(s["lengths"])
    metrics = {"lengths": list(s["lengths"])}
    for r in rows:
        for key in ("train_ms", "inference_ms"):
            metrics[f"{r['kind']}_{key}_T{r['timesteps']}"] = r[key]
    for kind in s["kinds"]:
        metrics[f"{kind}_train_growth"] = growth(rows, kind)
    recurrent = next(k for k in s["kinds"] if k not in PARALLEL_KINDS)
    metrics["attention_state_bytes"] = [r["state_bytes"] for r in rows if r["kind"] == "attention"]
    metrics["rnn_state_bytes"] = [r["state_bytes"] for r in rows if r["kind"] == recurrent]
    for name, summary in curves.items():
        metrics[f"{name}_sizes"] = list(summary)
        metrics[f"{name}_rnn_accuracy"] = [v["rnn"][0] for v in summary.values()]
        metrics[f"{name}_linear_accuracy"] = [v["linear"][0] for v in summary.values()]
        metrics[f"{name}_crossing_size"] = crossing(summary)
    largest = max(curves["fsdd"])
    metrics.update({
        "fsdd_linear_largest": curves["fsdd"][largest]["linear"][0],
        "tuned_accuracy": float(np.mean(study["tuned_scores"])),
        "default_accuracy": float(np.mean(study["default_scores"])),
        "tuning_gain": study["gain"], "tuned_seed_spread": study["seed_spread"],
        "tuning_linear_accuracy": study["linear"], "tuning_clips": study["clips"],
        "best_setting": study["best"],
        "importance": study["importance"],
        "longest": longest, "shortest": shortest,
    })
    if out_dir is not None:
        out_dir = pathlib.Path(out_dir)
        (out_dir / "cost_table.txt").write_text(
            "\n\n".join(format_cost_table(rows, key) for key in
                        ("train_ms", "inference_ms", "state_bytes")) + "\n")
    return rounded(metrics)
