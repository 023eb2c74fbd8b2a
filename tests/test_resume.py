"""Resume after a crash: `training.fit` in process, then the CLI killed with SIGKILL."""

import json
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from helpers import driver_command
from helpers import driver_env
from helpers import last_json
from helpers import write_reviews
from rnn_keras import training
from rnn_keras.experiments import sentiment


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 6)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


class _Crash(keras.callbacks.Callback):
    """Stands in for a crash: raises in the middle of epoch ``at`` (0-based)."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_train_batch_end(self, batch, logs=None):
        if self._epoch == self.at and batch == 2:
            raise RuntimeError("simulated crash")

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch


def test_fit_resumes_where_a_crashed_fit_stopped(tmp_path):
    x, y = _data()
    kwargs = dict(validation_split=0.25, epochs=6, batch_size=16, run_dir=tmp_path)
    with pytest.raises(RuntimeError, match="simulated crash"):
        training.fit(_model(), x, y, callbacks=[_Crash(at=3)], **kwargs)
    backup = tmp_path / training.BACKUP_FOLDER / "model"
    metadata = json.loads((backup / "state" / "training_metadata.json").read_text())
    assert metadata["epoch"] == 3  # three epochs finished before the crash

    fresh = _model(seed=1)  # a new process would start from new weights
    result = training.fit(fresh, x, y, **kwargs)
    assert result.resumed_from == 3
    assert result.epochs == 6 and len(result.history["val_loss"]) == 6
    assert not (tmp_path / training.BACKUP_FOLDER).exists()  # cleaned once finished

    # The first resumed epoch continues from the crashed run's weights: its loss is
    # near the loss of epoch 3 before the crash, far below a fresh start's first epoch.
    losses = result.history["loss"]
    restart = training.fit(_model(seed=1), x, y, validation_split=0.25, epochs=1,
                           batch_size=16).history["loss"][0]
    assert losses[3] < 0.5 * restart, (losses, restart)
    assert abs(losses[3] - losses[2]) < abs(restart - losses[2]), (losses, restart)


def test_resume_keeps_the_best_epoch_across_the_crash(tmp_path):
    x, y = _data()
    kwargs = dict(validation_split=0.25, epochs=5, batch_size=16, run_dir=tmp_path,
                  patience=50)
    with pytest.raises(RuntimeError):
        training.fit(_model(), x, y, callbacks=[_Crash(at=2)], **kwargs)
    progress = json.loads((tmp_path / training.BACKUP_FOLDER / "model" / "progress"
                           / "progress.json").read_text())
    assert progress["best_epoch"] >= 1
    result = training.fit(_model(), x, y, **kwargs)
    losses = result.history["val_loss"]
    assert result.best_epoch == int(np.argmin(losses)) + 1


def test_a_backup_of_another_model_is_set_aside_not_loaded(tmp_path, capsys):
    x, y = _data()
    with pytest.raises(RuntimeError):
        training.fit(_model(), x, y, epochs=3, batch_size=16, run_dir=tmp_path,
                     callbacks=[_Crash(at=1)], verbose=1)
    other = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    other.compile(optimizer="adam", loss="mse")
    result = training.fit(other, x, y, epochs=2, batch_size=16, run_dir=tmp_path)
    assert result.resumed_from == 0 and result.epochs == 2
    assert "belongs to another model" in capsys.readouterr().out
    assert list((tmp_path / training.BACKUP_FOLDER).glob("model.stale-*"))


def test_fit_without_run_dir_stops_early_and_restores_best():
    x, y = _data()
    model = _model()
    result = training.fit(model, x, y, validation_split=0.25, epochs=4, batch_size=16,
                          patience=1)
    assert 1 <= result.best_epoch <= result.epochs <= 4
    with pytest.raises(ValueError, match="patience"):
        training.fit(model, x, y, epochs=1, patience=0)


def test_a_monitor_the_fit_does_not_log_is_a_clear_error(tmp_path):
    """Regression: an explicit monitor missing from the logs (a typo, or no validation
    data) silently tracked nothing: no early stopping, no best weights."""
    x, y = _data()
    for run_dir in (None, tmp_path):
        with pytest.raises(ValueError, match=r"monitor='val_acuracy' is not among .*val_loss"):
            training.fit(_model(), x, y, validation_split=0.25, epochs=2, batch_size=16,
                         monitor="val_acuracy", mode="max", patience=1, run_dir=run_dir)
    with pytest.raises(ValueError,
                       match=r"monitor=.val_loss. is not among the values this fit logs \(loss\)"):
        training.fit(_model(), x, y, epochs=2, batch_size=16, monitor="val_loss")
    with pytest.raises(ValueError, match="patience=2 needs a value to follow"):
        training.fit(_model(), x, y, epochs=2, batch_size=16, patience=2)


def test_without_validation_data_the_last_epoch_is_kept():
    x, y = _data()
    result = training.fit(_model(), x, y, epochs=3, batch_size=16)
    assert result.best_epoch == result.epochs == 3
    assert "no monitor: the last epoch is kept" in result.fit_call


def test_vector_valued_metrics_are_logged_and_refused_as_a_monitor(tmp_path):
    """Regression: ``float(value)`` crashed on a metric that logs one value per class."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = keras.utils.to_categorical((x[:, 0] > 0).astype(int) + (x[:, 1] > 0), 3)

    def model():
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        m.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=[keras.metrics.F1Score(average=None, name="f1")])
        return m

    result = training.fit(model(), x, y, validation_split=0.25, epochs=2, batch_size=16,
                          run_dir=tmp_path)
    assert [len(v) for v in result.history["val_f1"]] == [3, 3]
    assert all(isinstance(v, float) and 0 <= v <= 1 for v in result.history["f1"][0])
    with pytest.raises(ValueError, match="monitor='val_f1' logs 3 values per epoch"):
        training.fit(model(), x, y, validation_split=0.25, epochs=1, batch_size=16,
                     monitor="val_f1")


def test_save_model_is_atomic_and_checks_the_suffix(tmp_path):
    model = _model()
    path = training.save_model(model, tmp_path / "m.keras")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]
    keras.saving.load_model(path, safe_mode=True)
    with pytest.raises(ValueError, match=".keras"):
        training.save_model(model, tmp_path / "m.h5")


# ---------------------------------------------------------------------------
# The CLI, killed for real
# ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.subprocess
def test_cli_killed_mid_epoch_resumes_and_finishes_with_a_loadable_model(tmp_path):
    data_dir = write_reviews(tmp_path / "data", n=1200)
    out = tmp_path / "run"
    env = driver_env(tmp_path)
    epochs = sentiment.SETTINGS["smoke"]["epochs"]
    metadata = out / training.BACKUP_FOLDER / "model" / "state" / "training_metadata.json"
    with open(tmp_path / "first.log", "w") as log:
        proc = subprocess.Popen(driver_command(out, data_dir), stdout=log,
                                stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if metadata.exists() and json.loads(metadata.read_text() or "{}").get("epoch", 0):
                break
            time.sleep(0.02)
        assert proc.poll() is None, (tmp_path / "first.log").read_text()[-3000:]
        proc.send_signal(signal.SIGKILL)  # early in the next epoch
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    saved = json.loads(metadata.read_text())["epoch"]
    assert 1 <= saved < epochs
    assert not (out / "model.keras").exists() and not (out / "metrics.json").exists()

    second = subprocess.run(driver_command(out, data_dir), capture_output=True, text=True,
                            env=env, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"[resume] restored epoch {saved}" in second.stdout
    summary = last_json(second.stdout)
    assert summary["resumed_from_epoch"] == saved and summary["epochs"] == epochs
    # Restored weights, not a restart: the first resumed epoch's loss continues the
    # crashed run's (a fresh start would repeat the first epoch's loss).
    losses = summary["loss_per_epoch"]
    assert losses[saved] < 0.7 * losses[0], losses
    assert summary["test_accuracy"] > 0.9  # the two marker words decide every review
    assert not (out / training.BACKUP_FOLDER).exists()
    # (That the saved model loads in a fresh process: tests/test_reload.py.)
    keras.saving.load_model(out / "model.keras", safe_mode=True)


def test_best_weights_come_back_even_when_training_never_stops_early(tmp_path):
    # Keras's EarlyStopping would keep the last epoch's weights here.
    model = _model()
    progress = training._Progress(tmp_path, "val_loss", patience=5, restore_best_weights=True,
                                  verbose=0)
    progress.set_model(model)
    progress.on_train_begin()
    kernel = model.layers[-1].kernel
    for epoch, (loss, marker) in enumerate([(3.0, 1.0), (1.0, 2.0), (2.0, 3.0)]):
        kernel.assign(np.full(kernel.shape, marker, "float32"))
        progress.on_epoch_end(epoch, {"loss": loss, "val_loss": loss})
    assert not model.stop_training
    progress.on_train_end()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(kernel), 2.0)
    assert progress.state["best_epoch"] == 2
