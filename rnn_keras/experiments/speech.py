"""Speech: spoken digits (many-to-one) and connected digit strings with CTC (FSDD).

Questions, on the Free Spoken Digit Dataset (:mod:`rnn_keras.data.spoken_digits`):

1. **Isolated digits** (``task="digits"``). How accurately does a recurrent
   network over log-mel frames name the digit, against a CNN on the same
   spectrogram and a non-neural baseline (MFCC statistics + logistic
   regression)? On the official split (the same six speakers in training
   and test) and on unseen speakers (one held out; six folds: mean and spread).
2. **Digit strings** (``task="strings"``). Strings of 3-7 digits made by
   joining one speaker's recordings with pauses (test strings only from test
   recordings): a recurrent acoustic model trained with CTC, decoded greedily
   and by beam search, scored by the digit error rate (edit distance over the
   reference digits), against a pipeline without a sequence model: cut the
   string at its pauses (energy), name each piece with the MFCC baseline.

Every model takes raw audio: the front end is a layer
(:class:`rnn_keras.layers.LogMelSpectrogram`). Used by notebook 11 and
``python -m rnn_keras run speech [--task strings] [--split speaker]``.
"""

import dataclasses

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import decoding
from rnn_keras import metrics as rk_metrics
from rnn_keras import training
from rnn_keras.data import spoken_digits as sd
from rnn_keras.experiments import rounded
from rnn_keras.layers.log_mel_spectrogram import LogMelSpectrogram
from rnn_keras.losses.ctc_loss import CTCLoss
from rnn_keras.models import speech as sm
from rnn_keras.validation import check_choice

TASKS = ("digits", "strings")
KINDS = sm.KINDS
_FRONT = ("frame_length", "frame_step", "fft_length", "num_mel_bins")

SETTINGS = {
    # Notebook 11 on 2 cores: small BiGRU, CNN and CTC models; strings of 3-5
    # digits (full: 3-7), CTC batches of 16 (more updates: it leaves its
    # all-blank plateau within the budget; the full profile's 2,000 strings
    # in batches of 32 did better than in batches of 16, docs/results.md).
    "quick": {"seconds": 1.0, "frame_length": 320, "frame_step": 160, "fft_length": 512,
              "num_mel_bins": 40, "units": 32, "num_layers": 1, "epochs": 4,
              "cnn_filters": (8, 16, 32), "cnn_epochs": 4, "batch_size": 32,
              "learning_rate": 3e-3, "patience": None, "validation": 0.1,
              "dropout": 0.0, "spec_augment": None,
              "n_train": 600, "n_validation": 100, "n_test": 150, "min_digits": 3,
              "max_digits": 5, "pause": (0.05, 0.3), "snr_db": None, "ctc_step": 240,
              "ctc_units": 48, "ctc_layers": 2, "ctc_epochs": 7, "ctc_batch_size": 16,
              "ctc_learning_rate": 4e-3, "beam_width": 8},
    "full": {"seconds": 1.0, "frame_length": 320, "frame_step": 160, "fft_length": 512,
             "num_mel_bins": 40, "units": 64, "num_layers": 2, "epochs": 20,
             "cnn_filters": (16, 32, 64), "cnn_epochs": 20, "batch_size": 32,
             "learning_rate": 2e-3, "patience": 5, "validation": 0.1,
             "dropout": 0.0, "spec_augment": None,
             "n_train": 2000, "n_validation": 200, "n_test": 500, "min_digits": 3,
             "max_digits": 7, "pause": (0.05, 0.3), "snr_db": None, "ctc_step": 240,
             "ctc_units": 64, "ctc_layers": 2, "ctc_epochs": 12, "ctc_batch_size": 32,
             "ctc_learning_rate": 2e-3, "beam_width": 16},
    # Tests only: every step in seconds; the numbers mean nothing.
    "smoke": {"seconds": 0.25, "frame_length": 160, "frame_step": 80, "fft_length": 256,
              "num_mel_bins": 16, "units": 4, "num_layers": 1, "epochs": 1,
              "cnn_filters": (4,), "cnn_epochs": 1, "batch_size": 64,
              "learning_rate": 3e-3, "patience": None, "validation": 0.1,
              "dropout": 0.0, "spec_augment": None,
              "n_train": 40, "n_validation": 8, "n_test": 8, "min_digits": 2,
              "max_digits": 3, "pause": (0.06, 0.1), "snr_db": None, "ctc_step": 160,
              "ctc_units": 4, "ctc_layers": 1, "ctc_epochs": 1, "ctc_batch_size": 16,
              "ctc_learning_rate": 3e-3, "beam_width": 2},
}


@dataclasses.dataclass
class Data:
    """One split of FSDD for one task.

    ``recordings``: all of FSDD; ``index``: ``{"train", "validation", "test"}``
    indices into it; ``x``/``y``: (digits) waveforms padded or cut to
    ``settings["seconds"]`` and digits, per part; ``strings``: (strings)
    :class:`~rnn_keras.data.spoken_digits.DigitStrings` per part.
    """

    recordings: sd.Recordings
    task: str
    split: str
    speaker: str
    index: dict
    x: dict
    y: dict
    strings: dict
    settings: dict


def prepare(profile=None, data_dir=None, seed=0, task="digits", split="official",
            speaker=None, snr_db=None, pause=None, recordings=None):
    """The data of one task, split and (for ``split="speaker"``) held-out speaker.

    The validation part comes from the training speakers' recordings (10%,
    every speaker and digit alike), never from test. ``snr_db``: noise on
    the strings (default the profile's: none); ``pause``: ``(shortest,
    longest)`` pause between digits in seconds (default the profile's). ``recordings``: FSDD already
    loaded (else it is read from ``data_dir``).
    """
    task = check_choice("task", task, TASKS)
    split = check_choice("split", split, sd.SPLITS)
    if split == "speaker" and speaker is None:
        speaker = sd.SPEAKERS[0]
    s = dict(SETTINGS[config.get_profile(profile)])
    if snr_db is not None:
        s["snr_db"] = float(snr_db)
    if pause is not None:
        s["pause"] = tuple(float(p) for p in pause)
    recordings = sd.load(data_dir=data_dir) if recordings is None else recordings
    train, test = sd.split(recordings, split, speaker=speaker)
    train, validation = sd.validation_split(recordings, train, s["validation"], seed=seed)
    index = {"train": train, "validation": validation, "test": test}
    x, y, strings = {}, {}, {}
    if task == "digits":
        length = int(round(s["seconds"] * recordings.rate))
        for part, rows in index.items():
            x[part] = sd.pad(recordings.audio[rows], length)
            y[part] = recordings.digits[rows]
    else:
        for k, part in enumerate(("train", "validation", "test")):
            strings[part] = sd.digit_strings(
                recordings, index[part], s[f"n_{part}"], min_digits=s["min_digits"],
                max_digits=s["max_digits"], pause=tuple(s["pause"]), snr_db=s["snr_db"],
                seed=seed * 10 + k)
            y[part] = sd.pad_labels(strings[part].labels)
    return Data(recordings, task, split, speaker, index, x, y, strings, s)


def front_end(settings, step_key="frame_step"):
    """The front end's arguments in a profile: frame length, step, FFT size, mel bins."""
    out = {k: settings[k] for k in _FRONT}
    if step_key != "frame_step":  # the CTC model hops further (30 ms): shorter sequences
        out["frame_step"] = settings[step_key]
        out["frame_length"] = 2 * settings[step_key]
        out["fft_length"] = max(out["fft_length"], 1 << (out["frame_length"] - 1).bit_length())
    return out


def build_model(data, *, kind="rnn", cell="gru", bidirectional=True, implementation="fused"):
    """``task="digits"``: a word classifier (``kind`` rnn or cnn); ``"strings"``: the CTC
    recognizer (recurrent only). Compiled (Adam, gradients clipped to norm 5 for CTC)."""
    kind = check_choice("kind", kind, KINDS)
    s = data.settings
    recurrent = dict(cell=cell, bidirectional=bidirectional, implementation=implementation)
    if data.task == "strings":
        if kind != "rnn":
            raise ValueError("The strings task trains a recurrent CTC model only; got "
                             f"kind={kind!r}. Use kind='rnn'.")
        model = sm.ctc_recognizer(10, sampling_rate=data.recordings.rate,
                                  **front_end(s, "ctc_step"), units=s["ctc_units"],
                                  num_layers=s["ctc_layers"], **recurrent)
        model.compile(keras.optimizers.Adam(s["ctc_learning_rate"], clipnorm=5.0),
                      CTCLoss(blank=0))
        return model
    model = sm.word_classifier(10, kind=kind, samples=data.x["train"].shape[1],
                               sampling_rate=data.recordings.rate, **front_end(s),
                               units=s["units"], num_layers=s["num_layers"],
                               cnn_filters=tuple(s["cnn_filters"]),
                               spec_augment=s["spec_augment"],
                               dropout=s["dropout"] if kind == "rnn" else 0.0,
                               **recurrent)
    model.compile(keras.optimizers.Adam(s["learning_rate"]),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def _batches(data, part, shuffle, seed=0):
    return sd.padded_batches(data.strings[part].audio, data.y[part],
                             batch_size=data.settings["ctc_batch_size"], round_to=8000,
                             shuffle=shuffle, seed=seed)


def train(data, model, *, kind="rnn", seed=None, verbose=0, run_dir=None, name=None):
    """Digits: accuracy on the validation part picks the epoch; strings: the CTC loss."""
    if seed is not None:
        keras.utils.set_random_seed(seed)
    s = data.settings
    if data.task == "strings":
        return training.fit(model, _batches(data, "train", True, seed or 0),
                            validation_data=_batches(data, "validation", False),
                            epochs=s["ctc_epochs"], patience=s["patience"], verbose=verbose,
                            run_dir=run_dir, name=name or "ctc")
    epochs = s["epochs"] if kind == "rnn" else s["cnn_epochs"]
    return training.fit(model, data.x["train"], data.y["train"],
                        validation_data=(data.x["validation"], data.y["validation"]),
                        epochs=epochs, batch_size=s["batch_size"], patience=s["patience"],
                        monitor="val_accuracy", verbose=verbose, run_dir=run_dir,
                        name=name or kind)


def ctc_logits(model, audio, batch_size=32):
    """Per-waveform logits (``(frames, 11)`` each, padding cut off), in the order of ``audio``
    (a sequence of 1-D float waveforms, e.g. ``DigitStrings.audio``)."""
    batches = sd.padded_batches(audio, None, batch_size=batch_size, round_to=8000,
                                shuffle=False)
    audio = batches.audio
    out = [None] * len(audio)
    step = model.get_layer("log_mel").frame_step
    for i in range(len(batches)):
        x = batches[i]
        logits = keras.ops.convert_to_numpy(model(x, training=False))
        for row, k in zip(logits, batches.batches[i]):
            out[k] = row[:len(audio[k]) // step + 1]
    return out


def _digits(logits, beam_width=None):
    """One utterance's ``(frames, 11)`` logits to digits (class d + 1 is digit d):
    greedy decoding, or beam search with ``beam_width``."""
    path = (decoding.ctc_greedy(logits[None]) if beam_width is None
            else decoding.ctc_beam(logits[None], beam_width=beam_width))[0]
    return path - 1


def transcribe(model, audio, beam_width=None):
    """The digits a CTC model hears in each raw waveform (8 kHz, float in [-1, 1)):
    greedy decoding, or beam search with ``beam_width``."""
    return [_digits(row, beam_width) for row in ctc_logits(model, audio)]


def decode_strings(model, strings, beam_width=8):
    """Greedy and beam-search digits of every string: ``{"greedy": [...], "beam": [...]}``
    (digit arrays), plus the logits."""
    logits = ctc_logits(model, strings.audio)
    return {"greedy": [_digits(row) for row in logits],
            "beam": [_digits(row, beam_width) for row in logits], "logits": logits}


def spike_statistics(logits, strings, frame_step):
    """Where CTC's non-blank frames fall, over a set of strings.

    Returns ``{"labelled_frames"}`` (frames whose best class is a digit),
    ``"digit_frames"`` (frames whose centre lies inside a recording's span)
    and ``"mean_top_probability"`` (the top class's probability, averaged
    over the frames inside the digits only: padded frames are certain blanks
    and the silent pauses near-certain ones, so they would flatter it).
    """
    labelled = inside = 0
    tops = []
    for logit, spans in zip(logits, strings.segments):
        logit = np.asarray(logit)
        centres = np.arange(len(logit)) * frame_step
        in_digit = np.any([(centres >= a) & (centres < b) for a, b in spans], axis=0)
        inside += int(in_digit.sum())
        labelled += int((logit.argmax(-1) != 0).sum())
        shifted = np.exp(logit - logit.max(-1, keepdims=True))
        tops.append((shifted / shifted.sum(-1, keepdims=True)).max(-1)[in_digit])
    return {"labelled_frames": labelled, "digit_frames": inside,
            "mean_top_probability": float(np.concatenate(tops).mean())}


def _exact_share(references, hypotheses):
    """Share of strings transcribed exactly."""
    return float(np.mean([np.array_equal(r, h) for r, h in zip(references, hypotheses)]))


def evaluate(model, data, *, beam_width=None, decoded=None):
    """Digits: test accuracy (chance 0.1); strings: digit error rate, greedy and beam,
    and the share of strings decoded exactly (``decoded``: :func:`decode_strings`'s
    result for the test strings, if already computed)."""
    if data.task == "digits":
        predicted = model.predict(data.x["test"], batch_size=128, verbose=0).argmax(-1)
        return {"accuracy": float((predicted == data.y["test"]).mean()), "chance": 0.1}
    decoded = decoded or decode_strings(model, data.strings["test"],
                                        beam_width or data.settings["beam_width"])
    refs = list(data.strings["test"].labels)
    out = {}
    for how in ("greedy", "beam"):
        out[f"der_{how}"] = rk_metrics.error_rate(refs, decoded[how])
        out[f"exact_{how}"] = _exact_share(refs, decoded[how])
    return out


# ---------------------------------------------------------------------------
# The non-neural baselines
# ---------------------------------------------------------------------------


def mfcc_statistics(audio, settings, rate=sd.SAMPLING_RATE, coefficients=13, batch_size=256):
    """Per recording: mean and standard deviation of 13 MFCCs over its frames, and
    their means over each third of the recording (a coarse time course): 65 numbers.

    MFCC = DCT-II of the log-mel frames (the same front end, unnormalised).
    """
    from scipy.fft import dct

    layer = LogMelSpectrogram(sampling_rate=rate, **front_end(settings), normalize=False)
    rows = []
    for i in range(0, len(audio), batch_size):
        chunk = list(audio[i:i + batch_size])
        x = sd.pad(chunk)
        frames = keras.ops.convert_to_numpy(layer(x))
        mask = keras.ops.convert_to_numpy(layer.compute_mask(x))
        ceps = dct(frames, type=2, norm="ortho", axis=-1)[..., :coefficients]
        for c, m in zip(ceps, mask):
            real = c[m] if m.any() else c[:1]
            thirds = [part.mean(0) for part in np.array_split(real, 3) if len(part)]
            thirds += [thirds[-1]] * (3 - len(thirds))
            rows.append(np.concatenate([real.mean(0), real.std(0), *thirds]))
    return np.array(rows, "float32")


def mfcc_classifier(features, digits, seed=0):
    """Standardisation + logistic regression on MFCC statistics, fitted."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    classifier = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000,
                                                                    random_state=seed))
    return classifier.fit(features, digits)


def fit_mfcc_baseline(data, seed=0):
    """The MFCC baseline trained on the training part of ``data``."""
    rec = data.recordings
    train = data.index["train"]
    return mfcc_classifier(mfcc_statistics(rec.audio[train], data.settings),
                           rec.digits[train], seed)


def mfcc_accuracy(classifier, data):
    """The MFCC baseline's accuracy on the test part of ``data``."""
    rec = data.recordings
    test = data.index["test"]
    predicted = classifier.predict(mfcc_statistics(rec.audio[test], data.settings))
    return float((predicted == rec.digits[test]).mean())


def mfcc_by_fold(recordings, settings, seed=0):
    """The MFCC baseline on every split: ``{"official": acc, speaker: acc, ...}``.

    Features are computed once for all recordings; each fold fits on its
    training part (without its validation part, as the networks).
    """
    features = mfcc_statistics(recordings.audio, settings)
    out = {}
    for speaker in (None, *sd.SPEAKERS):
        train, test = sd.split(recordings, "official" if speaker is None else "speaker",
                               speaker=speaker)
        train, _ = sd.validation_split(recordings, train, settings["validation"], seed=seed)
        classifier = mfcc_classifier(features[train], recordings.digits[train], seed)
        out[speaker or "official"] = float(
            (classifier.predict(features[test]) == recordings.digits[test]).mean())
    return out


def cut_at_pauses(wav, rate=sd.SAMPLING_RATE, frame=0.01, threshold_db=-35.0, min_pause=0.04,
                  min_word=0.06):
    """Pieces of ``wav`` between pauses: ``[(start, end), ...]`` in samples.

    A 10 ms frame is silent when its energy is ``threshold_db`` below the
    loudest frame; runs of silence of at least ``min_pause`` split the
    string; pieces shorter than ``min_word`` are dropped.
    """
    hop = int(frame * rate)
    n = len(wav) // hop
    energy = (wav[:n * hop].reshape(n, hop) ** 2).mean(1) + 1e-12
    loud = 10 * np.log10(energy / energy.max()) > threshold_db
    pieces, start, quiet = [], None, 0
    for i, on in enumerate(loud):
        if on:
            start = i if start is None else start
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet * frame >= min_pause:
                pieces.append((start, i - quiet + 1))
                start, quiet = None, 0
    if start is not None:
        pieces.append((start, n - quiet))
    return [(a * hop, b * hop) for a, b in pieces if (b - a) * frame >= min_word]


def pipeline_digits(classifier, strings, settings):
    """The no-sequence-model baseline: cut each string at its pauses, name each piece
    with the isolated-digit classifier (the pieces of all strings in one batch)."""
    cuts = [cut_at_pauses(wav, strings.rate) for wav in strings.audio]
    pieces = [wav[a:b] for wav, spans in zip(strings.audio, cuts) for a, b in spans]
    named = (classifier.predict(mfcc_statistics(pieces, settings)).astype("int64") if pieces
             else np.zeros(0, "int64"))
    ends = np.cumsum([len(spans) for spans in cuts])
    return list(np.split(named, ends[:-1]))


def constant_guess(data):
    """The best constant transcript made of one digit, by the training strings: their
    most frequent digit, repeated the number of times (0 to the longest string) whose
    digit error rate on the training strings is lowest."""
    labels = list(data.strings["train"].labels)
    digit = np.bincount(np.concatenate(labels), minlength=10).argmax()
    longest = max(len(seq) for seq in labels)
    candidates = [np.full(n, digit, "int64") for n in range(longest + 1)]
    return min(candidates, key=lambda c: rk_metrics.error_rate(labels, [c] * len(labels)))


def confusion(true, predicted, classes=10):
    """``(classes, classes)`` counts: row = true digit, column = predicted."""
    out = np.zeros((classes, classes), "int64")
    np.add.at(out, (np.asarray(true), np.asarray(predicted)), 1)
    return out


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------


def run_digits(data, seed=0, verbose=0, run_dir=None, kinds=KINDS, **variant):
    """Trains each of ``kinds`` and the MFCC baseline on one split:
    ``({name: accuracy}, {name: model}, {name: Training})``."""
    accuracy, trained, fits = {}, {}, {}
    for kind in kinds:
        keras.utils.set_random_seed(seed)
        model = build_model(data, kind=kind, **variant)
        fits[kind] = train(data, model, kind=kind, verbose=verbose, run_dir=run_dir,
                           name=f"{kind}-{data.speaker or 'official'}")
        accuracy[kind] = evaluate(model, data)["accuracy"]
        trained[kind] = model
    trained["mfcc_lr"] = fit_mfcc_baseline(data, seed=seed)
    accuracy["mfcc_lr"] = mfcc_accuracy(trained["mfcc_lr"], data)
    return accuracy, trained, fits


def run_strings(data, seed=0, verbose=0, run_dir=None, **variant):
    """The CTC model and its baselines on one split: ``(metrics, model, Training)``.

    Baselines: the pause-cutting pipeline (``der_pipeline``), saying nothing
    (``der_empty``, 1 by definition) and one constant string
    (``der_constant``, :func:`constant_guess`). ``ctc_vs_pipeline``: the
    exact sign test of CTC (greedy) against the pipeline over the test
    strings (:func:`rnn_keras.metrics.paired_sign_test` of their edit
    distances; ``a`` is CTC).
    """
    keras.utils.set_random_seed(seed)
    model = build_model(data, **variant)
    fitted = train(data, model, verbose=verbose, run_dir=run_dir,
                   name=f"ctc-{data.speaker or 'official'}")
    decoded = decode_strings(model, data.strings["test"], data.settings["beam_width"])
    scores = evaluate(model, data, decoded=decoded)
    baseline = fit_mfcc_baseline(data, seed=seed)
    refs = list(data.strings["test"].labels)
    piped = pipeline_digits(baseline, data.strings["test"], data.settings)
    scores["der_pipeline"] = rk_metrics.error_rate(refs, piped)
    scores["exact_pipeline"] = _exact_share(refs, piped)
    scores["ctc_vs_pipeline"] = rk_metrics.paired_sign_test(
        [rk_metrics.edit_distance(r, h) for r, h in zip(refs, decoded["greedy"])],
        [rk_metrics.edit_distance(r, h) for r, h in zip(refs, piped)])
    scores["der_empty"] = rk_metrics.error_rate(refs, [[] for _ in refs])  # 1 by definition
    scores["der_constant"] = rk_metrics.error_rate(refs, [constant_guess(data)] * len(refs))
    scores["epochs"] = fitted.epochs
    return scores, model, fitted


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, task="digits",
        split="official", speaker=None, snr=None, cell=None, bidirectional=None,
        implementation=None):
    """One task on one split; ``split="speaker"`` without ``speaker`` runs all six folds
    and reports their mean, minimum and maximum."""
    task = check_choice("task", task, TASKS)
    split = check_choice("split", split, sd.SPLITS)
    variant = dict(cell=cell or "gru", implementation=implementation or "fused",
                   bidirectional=True if bidirectional is None else bidirectional)
    recordings = sd.load(data_dir=data_dir)
    folds = [None] if split == "official" else ([speaker] if speaker else list(sd.SPEAKERS))
    per_fold = {}
    for held_out in folds:
        data = prepare(profile=profile, seed=seed, task=task, split=split, speaker=held_out,
                       snr_db=snr, recordings=recordings)
        label = held_out or "official"
        print(f"[speech] task={task} split={split}{' held out: ' + held_out if held_out else ''}"
              f"; train {len(data.index['train'])}, validation {len(data.index['validation'])}, "
              f"test {len(data.index['test'])} recordings", flush=True)
        if task == "digits":
            scores, trained, _ = run_digits(data, seed=seed, verbose=verbose, run_dir=out_dir,
                                            **variant)
            model = trained["rnn"]
        else:
            scores, model, _ = run_strings(data, seed=seed, verbose=verbose, run_dir=out_dir,
                                           **variant)
        print(f"[speech] {label}: " + ", ".join(f"{k} {v:.4g}" for k, v in scores.items()
                                          if not isinstance(v, dict)),
              flush=True)
        per_fold[label] = scores
        if out_dir is not None:
            training.save_model(model, out_dir / f"{task}-{label}.keras")
    keys = [k for k, v in next(iter(per_fold.values())).items() if not isinstance(v, dict)]
    metrics = {"task": task, "split": split}
    if len(per_fold) == 1:
        metrics.update(next(iter(per_fold.values())))
        if speaker:
            metrics["speaker"] = speaker
    else:
        for key in keys:
            values = np.array([fold[key] for fold in per_fold.values()], float)
            metrics[f"{key}_mean"] = float(values.mean())
            metrics[f"{key}_min"] = float(values.min())
            metrics[f"{key}_max"] = float(values.max())
        metrics["folds"] = {label: rounded(fold) for label, fold in per_fold.items()}
    return rounded(metrics)
