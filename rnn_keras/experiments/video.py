"""Video frames: ConvLSTM next-frame prediction and clip classification (Moving MNIST).

Questions, on clips whose digit images were never seen in training
(:mod:`rnn_keras.data.moving_mnist`):

1. **Many-to-many.** Shown 10 frames, how well does a ConvLSTM predict the
   next 10 when it feeds its own predictions back (autoregressive rollout)?
   Measured per predicted frame by MSE and SSIM, against two baselines that
   know physics only crudely: copy the last frame, and extrapolate the last
   two linearly.
2. **Many-to-one.** Can a frame CNN + GRU tell a clip's initial direction of
   motion (four diagonal headings)? The same model trained and tested on
   clips with their frames shuffled is the control: it sees the same images
   but not their order, so the gap is what order is worth.

Used by notebook 08 and ``python -m rnn_keras run video``.
"""

import dataclasses

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import metrics as rk_metrics
from rnn_keras import training
from rnn_keras.data import moving_mnist as mm
from rnn_keras.experiments import rounded
from rnn_keras.models import video as vm
from rnn_keras.validation import check_choice

CONTEXT, HORIZON = 10, 10
SETTINGS = {
    # 32x32 frames, one digit, small models: notebook 08 in about 90 s on 2 cores.
    # Too little to learn motion (the rollout blurs; notebook 08 says so); the
    # full profile is the real attempt (docs/results.md).
    "quick": {"size": 32, "digits": 1, "speed": (1.0, 2.0), "n_train": 400, "n_test": 60,
              "filters": (16, 16), "patch_size": 2, "epochs": 5, "batch_size": 8,
              "learning_rate": 3e-3,
              "patience": 3,
              "clf_train": 800, "clf_test": 200, "clf_frames": 8, "clf_epochs": 10,
              "clf_units": 32, "cnn_filters": (8, 16)},
    "full": {"size": 64, "digits": 2, "speed": (2.0, 4.0), "n_train": 2000, "n_test": 300,
             "filters": (48, 48), "patch_size": 4, "epochs": 10, "batch_size": 16,
             "learning_rate": 1e-3,
             "patience": 3,
             "clf_train": 5000, "clf_test": 1000, "clf_frames": 10, "clf_epochs": 20,
             "clf_units": 64, "cnn_filters": (16, 32)},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"size": 16, "digits": 1, "speed": (1.0, 2.0), "n_train": 24, "n_test": 4,
              "filters": (4,), "patch_size": 2, "epochs": 1, "batch_size": 8,
              "learning_rate": 1e-3, "patience": 2, "clf_train": 40, "clf_test": 8,
              "clf_frames": 4, "clf_epochs": 1, "clf_units": 4, "cnn_filters": (4,)},
}


TASKS = ("next_frame", "direction")


@dataclasses.dataclass
class Data:
    """``frames``: prediction clips, ``clips``: classification clips (each ``train``/``test``)."""

    frames: dict
    clips: dict
    settings: dict


def prepare(profile=None, data_dir=None, seed=0, source="mnist"):
    """Prediction clips (``CONTEXT + HORIZON`` frames) and one-digit classification clips."""
    s = dict(SETTINGS[config.get_profile(profile)])
    clip = dict(size=s["size"], speed=s["speed"], source=source, data_dir=data_dir, seed=seed)
    frames = mm.make_splits(s["n_train"], s["n_test"], frames=CONTEXT + HORIZON,
                            digits=s["digits"], **clip)
    clips = mm.make_splits(s["clf_train"], s["clf_test"], frames=s["clf_frames"], digits=1,
                           **dict(clip, seed=seed + 100))
    return Data(frames, clips, s)


def build_model(data, *, task="next_frame", cell="gru", implementation="fused"):
    """``task="next_frame"``: the ConvLSTM predictor; ``"direction"``: the clip
    classifier (frame CNN + ``cell``). Compiled."""
    task = check_choice("task", task, TASKS)
    if task == "next_frame":
        return build_predictor(data.settings)
    s = data.settings
    model = vm.clip_classifier((s["size"], s["size"], 1), len(mm.DIRECTIONS),
                               cnn_filters=tuple(s["cnn_filters"]), cell=cell,
                               units=s["clf_units"], implementation=implementation)
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def _direction_frames(data, split, shuffled, seed):
    """A split's classification frames; for the control, each clip's frames shuffled
    (drawn from ``seed`` for train, ``seed + 1`` for test)."""
    frames = data.clips[split]["frames"]
    if not shuffled:
        return frames
    return shuffle_frames(frames, seed + (split == "test"))


def train(data, model, *, task="next_frame", shuffled=False, frame_seed=0, seed=None,
          verbose=0, run_dir=None, name=None):
    """Early stopping, best weights, 10% of train for validation.

    ``next_frame``: teacher forcing, frames ``0..T-2`` in and ``1..T-1`` out;
    ``direction``: the first digit's initial heading (``shuffled``: with the
    frames of every clip in random order, drawn from ``frame_seed``: the
    control). ``seed`` reseeds before the fit when given.
    """
    task = check_choice("task", task, TASKS)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    s = data.settings
    if task == "next_frame":
        clips = data.frames["train"]["frames"]
        return training.fit(model, clips[:, :-1], clips[:, 1:], validation_split=0.1,
                            epochs=s["epochs"], batch_size=s["batch_size"],
                            patience=s["patience"], verbose=verbose, run_dir=run_dir,
                            name=name or "next-frame")
    x = _direction_frames(data, "train", shuffled, frame_seed)
    return training.fit(model, x, data.clips["train"]["direction"], validation_split=0.1,
                        epochs=s["clf_epochs"], batch_size=32, patience=s["patience"],
                        monitor="val_accuracy", verbose=verbose, run_dir=run_dir,
                        name=name or ("shuffled" if shuffled else "ordered"))


def evaluate(model, data, *, task="next_frame", shuffled=False, frame_seed=0):
    """``next_frame``: rollout and one-step MSE and SSIM against copy-last, linear and
    empty frames;
    ``direction``: test accuracy against chance (1/4)."""
    task = check_choice("task", task, TASKS)
    if task == "next_frame":
        _, scores = evaluate_predictor(model, data.frames["test"]["frames"])
        out = {}
        for name, key in (("rollout", "model"), ("one_step", "one_step"),
                          ("copy_last", "copy_last"), ("linear", "linear"), ("blank", "blank")):
            out[f"{name}_mse"] = float(scores[key]["mse"].mean())
            out[f"{name}_ssim"] = float(scores[key]["ssim"].mean())
        return out
    tx = _direction_frames(data, "test", shuffled, frame_seed)
    logits = model.predict(tx, batch_size=64, verbose=0)
    return {"accuracy": float((logits.argmax(-1) == data.clips["test"]["direction"]).mean()),
            "chance": 1 / len(mm.DIRECTIONS)}


# ---------------------------------------------------------------------------
# Next frames
# ---------------------------------------------------------------------------


def build_predictor(settings):
    size = settings["size"]
    model = vm.next_frame_model((size, size, 1), filters=tuple(settings["filters"]),
                                patch_size=settings["patch_size"])
    model.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]),
                  loss="binary_crossentropy")
    return model


def train_predictor(data, seed=0, verbose=0, run_dir=None):
    """build_model and train the next-frame predictor: ``(model, Training)``."""
    keras.utils.set_random_seed(seed)
    model = build_model(data, task="next_frame")
    return model, train(data, model, task="next_frame", verbose=verbose, run_dir=run_dir)


def baselines(context, horizon=HORIZON):
    """Frames a model must beat, each ``(batch, horizon, h, w, c)``.

    ``copy_last``: the last frame again; ``linear``: the last two frames
    extrapolated pixel by pixel (clipped to [0, 1]); ``blank``: an empty
    frame. Copying is the issue's yardstick, but once the digits have moved
    away it errs twice (a digit where none is, none where one is), so even
    the blank frame halves its error late in the rollout: a model has to
    beat the blank frame too, and SSIM tells blur from structure.
    """
    last, before = context[:, -1:], context[:, -2:-1]
    steps = np.arange(1, horizon + 1, dtype="float32")[None, :, None, None, None]
    return {"copy_last": np.repeat(last, horizon, axis=1),
            "linear": np.clip(last + steps * (last - before), 0.0, 1.0),
            "blank": np.zeros_like(np.repeat(last, horizon, axis=1))}


def frame_scores(predicted, true):
    """Per-step MSE and SSIM, each averaged over the clips: ``{"mse": (steps,), "ssim": ...}``."""
    mse = ((predicted - true) ** 2).mean(axis=(0, 2, 3, 4))
    return {"mse": mse, "ssim": rk_metrics.ssim(predicted, true).mean(axis=0)}


def one_step_predictions(model, clips, batch_size=32):
    """Each of the rollout's ``HORIZON`` frames predicted from the *true* frames before it.

    Teacher forced, as in training: no prediction is fed back. Set against
    the rollout, it separates what feeding back the model's own frames costs
    (exposure bias) from what the model cannot predict even from the truth.
    """
    inputs = clips[:, :CONTEXT + HORIZON - 1]
    out = np.concatenate([model.predict(inputs[i:i + batch_size], verbose=0)
                          for i in range(0, len(inputs), batch_size)])
    return out[:, CONTEXT - 1:CONTEXT - 1 + HORIZON]  # output t predicts frame t + 1


def evaluate_predictor(model, clips, batch_size=32):
    """Rollout of ``HORIZON`` frames after ``CONTEXT``, scored with the baselines and with
    the teacher-forced one-step predictions of the same frames (``"one_step"``)."""
    context, true = clips[:, :CONTEXT], clips[:, CONTEXT:CONTEXT + HORIZON]
    predicted = np.concatenate([vm.rollout(model, context[i:i + batch_size], HORIZON)
                                for i in range(0, len(context), batch_size)])
    scores = {"model": frame_scores(predicted, true),
              "one_step": frame_scores(one_step_predictions(model, clips, batch_size), true),
              # its baseline: each frame copied from the true frame before it
              "copy_previous_true": frame_scores(clips[:, CONTEXT - 1:CONTEXT + HORIZON - 1],
                                                 true)}
    for name, frames in baselines(context).items():
        scores[name] = frame_scores(frames, true)
    return predicted, scores


# ---------------------------------------------------------------------------
# Clip classification
# ---------------------------------------------------------------------------


def shuffle_frames(clips, seed=0):
    """The same clips with the order of their frames permuted, each clip its own way."""
    rng = np.random.default_rng(seed)
    return np.stack([clip[rng.permutation(len(clip))] for clip in clips])


def train_classifier(data, shuffled=False, seed=0, verbose=0, run_dir=None, cell="gru",
                     implementation="fused"):
    """Initial-direction classifier; ``shuffled=True`` trains and tests the control.

    Returns ``(model, Training, test accuracy)``.
    """
    keras.utils.set_random_seed(seed)
    model = build_model(data, task="direction", cell=cell, implementation=implementation)
    result = train(data, model, task="direction", shuffled=shuffled, frame_seed=seed,
                   verbose=verbose, run_dir=run_dir)
    accuracy = evaluate(model, data, task="direction", shuffled=shuffled,
                        frame_seed=seed)["accuracy"]
    return model, result, accuracy


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, cell=None,
        implementation=None):
    """Both questions; writes the predictor, the classifier and a rollout figure's data."""
    data = prepare(profile=profile, data_dir=data_dir, seed=seed)
    s = data.settings
    print(f"[video] {s['size']}x{s['size']} frames; {s['n_train']}/{s['n_test']} prediction "
          f"clips, {s['clf_train']}/{s['clf_test']} classification clips; digit images of "
          "test clips unseen in training", flush=True)
    predictor, fitted = train_predictor(data, seed=seed, verbose=verbose, run_dir=out_dir)
    _, scores = evaluate_predictor(predictor, data.frames["test"]["frames"])
    variant = dict(cell=cell or "gru", implementation=implementation or "fused")
    classifier, _, accuracy = train_classifier(data, seed=seed, verbose=verbose,
                                               run_dir=out_dir, **variant)
    _, _, control = train_classifier(data, shuffled=True, seed=seed, verbose=verbose,
                                     run_dir=out_dir, **variant)
    model_mse = float(scores["model"]["mse"].mean())
    copy_mse = float(scores["copy_last"]["mse"].mean())
    metrics = {
        "rollout_mse": model_mse,
        "copy_last_mse": copy_mse,
        "linear_mse": float(scores["linear"]["mse"].mean()),
        "mse_ratio_to_copy_last": model_mse / copy_mse,
        "rollout_ssim": float(scores["model"]["ssim"].mean()),
        "copy_last_ssim": float(scores["copy_last"]["ssim"].mean()),
        "linear_ssim": float(scores["linear"]["ssim"].mean()),
        "blank_mse": float(scores["blank"]["mse"].mean()),
        "one_step_mse": float(scores["one_step"]["mse"].mean()),
        "one_step_ssim": float(scores["one_step"]["ssim"].mean()),
        **{f"mse_step_{k + 1}": float(v)
           for k, v in enumerate(scores["model"]["mse"])},
        "direction_accuracy": accuracy,
        "direction_accuracy_shuffled_frames": control,
        "predictor_epochs": fitted.epochs,
        "predictor_best_epoch": fitted.best_epoch,
        "test_clips": s["n_test"],
    }
    if out_dir is not None:
        training.save_model(predictor, out_dir / "next_frame.keras")
        training.save_model(classifier, out_dir / "direction.keras")
    return rounded(metrics)
