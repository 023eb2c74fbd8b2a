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

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import metrics as rk_metrics
from rnn_keras import training
from rnn_keras.data import moving_mnist as mm
from rnn_keras.models import video as vm

CONTEXT, HORIZON = 10, 10
SETTINGS = {
    # 32x32 frames, one digit, small models: notebook 08 in about 90 s on 2 cores.
    # Too little to learn motion (the rollout blurs; notebook 08 says so); the
    # full profile is the real attempt (README).
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


def prepare(profile=None, data_dir=None, source="mnist", seed=0):
    """Prediction clips (``CONTEXT + HORIZON`` frames) and one-digit classification clips."""
    s = dict(SETTINGS[config.get_profile(profile)])
    clip = dict(size=s["size"], speed=s["speed"], source=source, data_dir=data_dir, seed=seed)
    frames = mm.make_splits(s["n_train"], s["n_test"], frames=CONTEXT + HORIZON,
                            digits=s["digits"], **clip)
    clips = mm.make_splits(s["clf_train"], s["clf_test"], frames=s["clf_frames"], digits=1,
                           **dict(clip, seed=seed + 100))
    return {"frames": frames, "clips": clips, "settings": s}


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
    """Teacher forcing: frames ``0..T-2`` in, ``1..T-1`` out; 10% of train for validation."""
    s = data["settings"]
    clips = data["frames"]["train"]["frames"]
    keras.utils.set_random_seed(seed)
    model = build_predictor(s)
    result = training.fit(model, clips[:, :-1], clips[:, 1:], validation_split=0.1,
                          epochs=s["epochs"], batch_size=s["batch_size"],
                          patience=s["patience"], verbose=verbose, run_dir=run_dir,
                          name="next-frame")
    return model, result


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


def evaluate_predictor(model, clips, batch_size=32):
    """Rollout of ``HORIZON`` frames after ``CONTEXT``, scored with both baselines."""
    context, true = clips[:, :CONTEXT], clips[:, CONTEXT:CONTEXT + HORIZON]
    predicted = np.concatenate([vm.rollout(model, context[i:i + batch_size], HORIZON)
                                for i in range(0, len(context), batch_size)])
    scores = {"model": frame_scores(predicted, true)}
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
    """Initial-direction classifier; ``shuffled=True`` trains and tests the control."""
    s = data["settings"]
    train, test = data["clips"]["train"], data["clips"]["test"]
    x, tx = train["frames"], test["frames"]
    if shuffled:
        x, tx = shuffle_frames(x, seed), shuffle_frames(tx, seed + 1)
    keras.utils.set_random_seed(seed)
    size = s["size"]
    model = vm.clip_classifier((size, size, 1), len(mm.DIRECTIONS),
                               cnn_filters=tuple(s["cnn_filters"]), cell=cell,
                               units=s["clf_units"], implementation=implementation)
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    result = training.fit(model, x, train["direction"], validation_split=0.1,
                          epochs=s["clf_epochs"], batch_size=32, patience=s["patience"],
                          monitor="val_accuracy", verbose=verbose, run_dir=run_dir,
                          name="shuffled" if shuffled else "ordered")
    logits = model.predict(tx, batch_size=64, verbose=0)
    accuracy = float((logits.argmax(-1) == test["direction"]).mean())
    return model, result, accuracy


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, cell=None,
        implementation=None):
    """Both questions; writes the predictor, the classifier and a rollout figure's data."""
    data = prepare(profile=profile, data_dir=data_dir, seed=seed)
    s = data["settings"]
    print(f"[video] {s['size']}x{s['size']} frames; {s['n_train']}/{s['n_test']} prediction "
          f"clips, {s['clf_train']}/{s['clf_test']} classification clips; digit images of "
          "test clips unseen in training", flush=True)
    predictor, fitted = train_predictor(data, seed=seed, verbose=verbose, run_dir=out_dir)
    _, scores = evaluate_predictor(predictor, data["frames"]["test"]["frames"])
    variant = dict(cell=cell or "gru", implementation=implementation or "fused")
    classifier, _, accuracy = train_classifier(data, seed=seed, verbose=verbose,
                                               run_dir=out_dir, **variant)
    _, _, control = train_classifier(data, shuffled=True, seed=seed, verbose=verbose,
                                     run_dir=out_dir, **variant)
    model_mse = float(scores["model"]["mse"].mean())
    copy_mse = float(scores["copy_last"]["mse"].mean())
    metrics = {
        "rollout_mse": round(model_mse, 5),
        "copy_last_mse": round(copy_mse, 5),
        "linear_mse": round(float(scores["linear"]["mse"].mean()), 5),
        "mse_ratio_to_copy_last": round(model_mse / copy_mse, 3),
        "rollout_ssim": round(float(scores["model"]["ssim"].mean()), 4),
        "copy_last_ssim": round(float(scores["copy_last"]["ssim"].mean()), 4),
        "linear_ssim": round(float(scores["linear"]["ssim"].mean()), 4),
        "blank_mse": round(float(scores["blank"]["mse"].mean()), 5),
        **{f"mse_step_{k + 1}": round(float(v), 5)
           for k, v in enumerate(scores["model"]["mse"])},
        "direction_accuracy": round(accuracy, 4),
        "direction_accuracy_shuffled_frames": round(control, 4),
        "predictor_epochs": fitted.epochs,
        "predictor_best_epoch": fitted.best_epoch,
        "test_clips": s["n_test"],
    }
    if out_dir is not None:
        training.save_model(predictor, out_dir / "next_frame.keras")
        training.save_model(classifier, out_dir / "direction.keras")
    return metrics
