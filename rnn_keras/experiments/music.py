"""Music (many-to-many next-step prediction, then one-to-many sampling): Bach chorales.

Question: how well does an LSTM predict the next notes of a Bach chorale it
has never heard, measured against the honest baseline (copy the previous
step), and what does sampling from it sound like?

Two measures on the official test split (:mod:`rnn_keras.data.chorales`):

- **Hands-On ML form** (Géron, 3rd ed., ch. 15), for comparison with its
  0.816: chords flattened into one note sequence (soprano, alto, tenor,
  bass, next chord...), windows of 33 chords advancing by 16, pitches mapped
  to 47 classes (``pitch - 35`` for 36..81, 0 for a rest), next-note accuracy
  over the 131 targets of each window. Within a chord the model already
  knows the voices above the one it predicts.
- **Joint form**: all four voices of the next step predicted from past steps
  only; accuracy per voice and mean.

Each is reported next to the copy-previous-step baseline in the same form,
and as the share of that baseline's error the model removes.

Model: ``models.many_to_many`` (LSTM). In the HOML form each note's token
also says which voice it is (``voice * 47 + class + 1``: a position input
through the embedding); in the joint form the input is the four voices'
one-hot vectors and the 188 outputs are read as four 47-way softmaxes.
"""


import dataclasses

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import models
from rnn_keras import training
from rnn_keras.data import chorales as ch
from rnn_keras.experiments import rounded
from rnn_keras.losses import GroupedSparseCategoricalCrossentropy
from rnn_keras.text import sample_from_logits
from rnn_keras.validation import check_choice

N_CLASSES = 47        # 0 = rest, 1..46 = MIDI 36..81
LOWEST = 36
WINDOW, SHIFT = 33, 16

SETTINGS = {
    # All chorales, a smaller LSTM, a few epochs: notebook 07 in about two minutes.
    "quick": {"n_train": None, "n_test": None, "units": 128, "embedding_dim": 16,
              "dropout": 0.0, "epochs": 8, "batch_size": 32, "learning_rate": 3e-3,
              "seeds": 1, "patience": 3},
    "full": {"n_train": None, "n_test": None, "units": 256, "embedding_dim": 32,
             "dropout": 0.2, "epochs": 30, "batch_size": 32, "learning_rate": 1e-3,
             "seeds": 3, "patience": 4},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"n_train": 4, "n_test": 2, "units": 8, "embedding_dim": 4,
              "dropout": 0.0, "epochs": 1, "batch_size": 32, "learning_rate": 3e-3,
              "seeds": 1, "patience": 2},
}


def to_classes(voices):
    """MIDI pitches (0 = rest) to the 47 classes; pitches outside 36..81 are an error."""
    voices = np.asarray(voices)
    sounding = voices[voices > 0]
    if sounding.size and (sounding.min() < LOWEST or sounding.max() > LOWEST + N_CLASSES - 2):
        raise ValueError(f"Pitches must lie in {LOWEST}..{LOWEST + N_CLASSES - 2} (or 0 for a "
                         f"rest); got {sounding.min()}..{sounding.max()}.")
    return np.where(voices == 0, 0, voices - LOWEST + 1).astype("int32")


def from_classes(classes):
    classes = np.asarray(classes)
    return np.where(classes == 0, 0, classes + LOWEST - 1).astype("int32")


# ---------------------------------------------------------------------------
# The Hands-On ML form: flattened notes, windows of 33 chords
# ---------------------------------------------------------------------------


def chord_windows(chorales, window=WINDOW, shift=SHIFT):
    """Windows of ``window`` chords every ``shift`` steps: ``(n, window, 4)`` classes."""
    windows = [to_classes(chorale)[start:start + window]
               for chorale in chorales
               for start in range(0, len(chorale) - window + 1, shift)]
    return np.asarray(windows, "int32").reshape(-1, window, 4)


def homl_windows(chorales, window=WINDOW, shift=SHIFT):
    """``(inputs, targets)`` of shape ``(windows, 4 * window - 1)``, as classes."""
    notes = chord_windows(chorales, window, shift).reshape(-1, 4 * window)
    return notes[:, :-1], notes[:, 1:]


def transpose(chorales, semitones=range(-5, 7)):
    """Every chorale moved by each shift in ``semitones`` that keeps it in 36..81.

    Data augmentation for training: a chorale in another key is still a
    chorale. Shift 0 returns the originals; rests stay rests.
    """
    out = []
    low, high = LOWEST, LOWEST + N_CLASSES - 2
    for chorale in chorales:
        sounding = chorale[chorale > 0]
        for shift in semitones:
            if sounding.size and (sounding.min() + shift < low or sounding.max() + shift > high):
                continue
            out.append(np.where(chorale > 0, chorale + shift, 0).astype("int32"))
    return out


def voice_tokens(classes, offset=0):
    """Token ids that also say which voice a note is: ``voice * 47 + class + 1``.

    Position ``i`` of a flattened window is voice ``(i + offset) % 4``
    (``offset``: the window's first note's place in its chord). 0 stays free
    for padding, so ``Embedding(mask_zero=True)`` never masks a rest.
    """
    classes = np.asarray(classes)
    voice = (np.arange(classes.shape[-1]) + offset) % 4
    return (voice * N_CLASSES + classes + 1).astype("int32")


def homl_copy_baseline(inputs, targets):
    """Accuracy of predicting each note as the same voice's note one chord earlier.

    Target ``j`` of a window is note ``j + 1``; the same voice one chord
    earlier is note ``j - 3``. The first chord's last three notes have no
    earlier chord in the window: they copy the note before them.
    """
    notes = np.concatenate([inputs[:, :1], targets], axis=1)  # notes 0..131 of each window
    source = np.arange(targets.shape[1]) + 1 - 4
    source = np.where(source >= 0, source, np.arange(targets.shape[1]))
    return float((notes[:, source] == targets).mean())


# ---------------------------------------------------------------------------
# The joint form: four voices of the next step from past steps only
# ---------------------------------------------------------------------------


def joint_windows(chorales, window=WINDOW, shift=SHIFT):
    """``(inputs, targets)``: steps ``t`` (``(n, window - 1, 4)`` classes) and ``t + 1``."""
    chords = chord_windows(chorales, window, shift)
    return chords[:, :-1], chords[:, 1:]


def one_hot_voices(classes):
    """``(..., 4)`` classes to ``(..., 4 * 47)`` float one-hot features."""
    return keras.utils.to_categorical(classes, N_CLASSES).reshape(
        classes.shape[:-1] + (4 * N_CLASSES,)).astype("float32")


# The joint form's loss: four 47-way softmaxes from 188 logits per step.
four_voice_loss = GroupedSparseCategoricalCrossentropy(groups=4)


def joint_accuracy(model, inputs, targets, batch_size=64):
    """Per-voice and mean accuracy of the joint model."""
    logits = model.predict(one_hot_voices(inputs), batch_size=batch_size, verbose=0)
    predicted = logits.reshape(logits.shape[:-1] + (4, N_CLASSES)).argmax(-1)
    per_voice = (predicted == targets).mean(axis=(0, 1))
    return per_voice, float(per_voice.mean())


# ---------------------------------------------------------------------------
# Models and training
# ---------------------------------------------------------------------------


def build_homl_model(settings, cell="lstm", implementation="fused"):
    model = models.many_to_many(N_CLASSES, vocab_size=4 * N_CLASSES + 1,
                                embedding_dim=settings["embedding_dim"], cell=cell,
                                units=settings["units"], dropout=settings["dropout"],
                                implementation=implementation, name="chorale_notes")
    model.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def build_joint_model(settings, cell="lstm", implementation="fused"):
    model = models.many_to_many(4 * N_CLASSES, input_dim=4 * N_CLASSES, cell=cell,
                                units=settings["units"], dropout=settings["dropout"],
                                implementation=implementation, name="chorale_steps")
    model.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]),
                  loss=four_voice_loss)
    return model


FORMS = ("homl", "joint")


@dataclasses.dataclass
class Data:
    """Chorales of the official split, ``(steps, 4)`` MIDI pitches each, and the settings."""

    train: list
    validation: list
    test: list
    settings: dict


def prepare(profile=None, data_dir=None, seed=0, source="jsb"):
    """The chorales of a profile (the first ``n_train`` / ``n_test`` in the quick one)."""
    s = dict(SETTINGS[config.get_profile(profile)])
    data = ch.load(source=source, data_dir=data_dir, seed=seed)
    n_train, n_test = s["n_train"], s["n_test"]
    if n_train is None:
        return Data(data["train"], data["valid"], data["test"], s)
    return Data(data["train"][:n_train], data["valid"][:n_test], data["test"][:n_test], s)


def _windows(chorales, form):
    if form == "homl":
        x, y = homl_windows(chorales)
        return voice_tokens(x), y
    x, y = joint_windows(chorales)
    return one_hot_voices(x), y


def build_model(data, *, form="homl", cell="lstm", implementation="fused"):
    """The model of a form (``"homl"``: one note per step; ``"joint"``: four voices), compiled."""
    form = check_choice("form", form, FORMS)
    build = build_homl_model if form == "homl" else build_joint_model
    return build(data.settings, cell, implementation)


def train(data, model, *, form="homl", seed=None, verbose=0, run_dir=None, name=None):
    """Early stopping on validation loss, best weights kept; ``seed`` reseeds first.

    The HOML form trains on transposed copies too when the settings ask for it.
    """
    form = check_choice("form", form, FORMS)
    s = data.settings
    chorales = data.train
    if form == "homl" and s.get("transpose"):
        chorales = transpose(chorales, s["transpose"])
    x, y = _windows(chorales, form)
    validation = _windows(data.validation, form)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    return training.fit(model, x, y, validation_data=validation, epochs=s["epochs"],
                        batch_size=s["batch_size"], patience=s["patience"], verbose=verbose,
                        run_dir=run_dir, name=name or f"{form}-seed{seed}")


def evaluate(model, data, *, form="homl"):
    """Test next-note accuracy against copying the previous step (per voice in the joint form)."""
    form = check_choice("form", form, FORMS)
    if form == "homl":
        accuracy, baseline = evaluate_homl(model, data.test)
        return {"test_accuracy": accuracy, "copy_baseline": baseline}
    tx, ty = joint_windows(data.test)
    per_voice, mean = joint_accuracy(model, tx, ty)
    copy = (tx == ty).mean(axis=(0, 1))
    return {"test_accuracy": mean, "per_voice": per_voice, "copy_per_voice": copy,
            "copy_baseline": float(copy.mean())}


def evaluate_homl(model, chorales):
    x, y = homl_windows(chorales)
    logits = model.predict(voice_tokens(x), batch_size=64, verbose=0)
    return float((logits.argmax(-1) == y).mean()), homl_copy_baseline(x, y)


def _probabilities(logits, groups=1):
    """Softmax over the last axis, read as ``groups`` blocks of 47 classes."""
    logits = logits.reshape(logits.shape[:-1] + (groups, N_CLASSES)).astype("float64")
    p = np.exp(logits - logits.max(-1, keepdims=True))
    return p / p.sum(-1, keepdims=True)


def ensemble_accuracy(results, chorales, form="homl"):
    """Test accuracy of the mean predicted distribution of several trained models.

    ``results``: what :func:`train_homl` or :func:`train_joint` returned, one
    per seed. Averaging probabilities (not logits) is the usual ensemble.
    """
    if not results:
        raise ValueError("Give at least one trained model to ensemble.")
    if form == "homl":
        x, y = homl_windows(chorales)
        inputs, groups = voice_tokens(x), 1
    elif form == "joint":
        x, y = joint_windows(chorales)
        inputs, groups = one_hot_voices(x), 4
    else:
        raise ValueError(f"Expected form 'homl' or 'joint', got {form!r}.")
    p = np.mean([_probabilities(r["model"].predict(inputs, batch_size=64, verbose=0), groups)
                 for r in results], axis=0)
    predicted = p.argmax(-1)
    if groups == 1:
        predicted = predicted[..., 0]
    return float((predicted == y).mean())


def train_homl(data, seed=0, verbose=0, cell="lstm", implementation="fused", run_dir=None):
    """build_model, train and evaluate the HOML form.

    Returns a dict: ``model``, ``history``, ``seconds``, ``fit_call``,
    ``test_accuracy``, ``copy_baseline``. ``run_dir``: back up each epoch
    there, so a crashed run resumes (:func:`rnn_keras.training.fit`).
    """
    return _train_form(data, "homl", seed, verbose, cell, implementation, run_dir)


def train_joint(data, seed=0, verbose=0, cell="lstm", implementation="fused", run_dir=None):
    """As :func:`train_homl` for the joint form, plus ``per_voice`` and ``copy_per_voice``."""
    return _train_form(data, "joint", seed, verbose, cell, implementation, run_dir)


def _train_form(data, form, seed, verbose, cell, implementation, run_dir):
    model = build_model(data, form=form, cell=cell, implementation=implementation)
    fitted = train(data, model, form=form, seed=seed, verbose=verbose, run_dir=run_dir)
    return {"model": model, "history": fitted.history, "seconds": fitted.seconds,
            "fit_call": fitted.fit_call, "best_epoch": fitted.best_epoch,
            "val_loss": min(v for v in fitted.history["val_loss"] if v is not None),
            **evaluate(model, data, form=form)}


def error_removed(accuracy, baseline):
    """Share of the baseline's error the model removes: 1 - (1 - acc) / (1 - base)."""
    return 1.0 - (1.0 - accuracy) / (1.0 - baseline)


# ---------------------------------------------------------------------------
# Generation and what it sounds like
# ---------------------------------------------------------------------------


def generate(model, seed_voices, chords=64, temperature=1.0, seed=None):
    """Samples ``chords`` new chords note by note after ``seed_voices`` (HOML model).

    Each note is drawn from ``softmax(logits / temperature)`` given the last
    131 notes (temperature 0: the most likely note). Returns the seed and
    the continuation, ``(len(seed) + chords, 4)`` MIDI pitches.
    """
    rng = np.random.default_rng(seed)
    notes = list(to_classes(seed_voices).reshape(-1))
    if not notes:
        raise ValueError("Give at least one seed chord (e.g. a test chorale's first chord).")
    context = 4 * WINDOW - 1
    for _ in range(4 * chords):
        window = np.asarray(notes[-context:], "int32")
        # each token carries the voice of its absolute position in the piece
        tokens = voice_tokens(window[None], offset=(len(notes) - len(window)) % 4)
        logits = model.predict_on_batch(tokens)[0, -1]
        notes.append(sample_from_logits(logits, temperature, rng))
    return from_classes(np.asarray(notes).reshape(-1, 4))


def music_statistics(voices, reference):
    """Simple music-aware statistics of ``voices`` against a reference set.

    Returns a dict: ``pitch_class_distance`` (total variation between the
    pitch-class histograms, 0 = same, 1 = disjoint), ``in_range`` (share of
    notes inside each voice's range in the reference), ``rests`` (share of
    rest steps), ``mean_run`` (mean length, in 16ths, of a held or repeated
    pitch).
    """
    voices = np.asarray(voices)
    reference = np.concatenate([np.asarray(r) for r in reference])

    def pitch_classes(a):
        sounding = a[a > 0]
        histogram = np.bincount(sounding % 12, minlength=12).astype("float64")
        return histogram / max(histogram.sum(), 1)

    low = np.array([reference[reference[:, v] > 0, v].min() for v in range(4)])
    high = np.array([reference[:, v].max() for v in range(4)])
    sounding = voices > 0
    in_range = ((voices >= low) & (voices <= high))[sounding].mean() if sounding.any() else 0.0
    runs = [end - begin for v in range(4) for _, begin, end in ch.held_notes(voices[:, v])]
    return {
        "pitch_class_distance": float(0.5 * np.abs(pitch_classes(voices)
                                                   - pitch_classes(reference)).sum()),
        "in_range": float(in_range),
        "rests": float((voices == 0).mean()),
        "mean_run": float(np.mean(runs)) if runs else 0.0,
    }


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, cell=None,
        implementation=None):
    """Both forms, mean over the profile's seeds; writes a sample as MIDI and WAV."""
    data = prepare(profile=profile, data_dir=data_dir, seed=seed)
    s = data.settings
    print(f"[music] {len(data.train)}/{len(data.validation)}/{len(data.test)} chorales; "
          f"{s['seeds']} seed(s)", flush=True)
    variant = dict(cell=cell or "lstm", implementation=implementation or "fused")
    homl, joint = [], []
    for k in range(s["seeds"]):
        homl.append(train_homl(data, seed=seed + k, verbose=verbose, run_dir=out_dir,
                               **variant))
        joint.append(train_joint(data, seed=seed + k, verbose=verbose, run_dir=out_dir,
                                 **variant))
    homl_accuracy = float(np.mean([r["test_accuracy"] for r in homl]))
    joint_accuracy_ = float(np.mean([r["test_accuracy"] for r in joint]))
    per_voice = np.mean([r["per_voice"] for r in joint], axis=0)
    metrics = {
        "homl_accuracy": homl_accuracy,
        "homl_copy_baseline": homl[0]["copy_baseline"],
        "homl_error_removed": error_removed(homl_accuracy, homl[0]["copy_baseline"]),
        "joint_accuracy": joint_accuracy_,
        **{f"joint_accuracy_{v}": float(a) for v, a in zip(ch.VOICES, per_voice)},
        "joint_copy_baseline": joint[0]["copy_baseline"],
        "joint_error_removed": error_removed(joint_accuracy_, joint[0]["copy_baseline"]),
        "seeds": s["seeds"],
    }
    if s["seeds"] > 1:
        for form, results, base in (("homl", homl, metrics["homl_copy_baseline"]),
                                    ("joint", joint, metrics["joint_copy_baseline"])):
            accuracy = ensemble_accuracy(results, data.test, form)
            metrics[f"{form}_ensemble_accuracy"] = accuracy
            metrics[f"{form}_ensemble_error_removed"] = error_removed(accuracy, base)
    best = min(homl, key=lambda r: r["val_loss"])  # the sampling model: picked on validation
    sample = generate(best["model"], data.test[0][:8], chords=32, temperature=1.0,
                      seed=seed)
    metrics.update({f"sample_{k}": v
                    for k, v in music_statistics(sample[8:], data.train).items()})
    if out_dir is not None:
        training.save_model(best["model"], out_dir / "notes_model.keras")
        ch.to_midi(sample, out_dir / "sample.mid")
        ch.write_wav(ch.synthesize(sample), out_dir / "sample.wav")
        metrics["midi"] = str(out_dir / "sample.mid")
        metrics["wav"] = str(out_dir / "sample.wav")
    return rounded(metrics)
