"""Training that survives a crash: ``model.fit`` with backups, best weights on disk, atomic saves.

:func:`fit` is ``model.fit`` plus, when given a ``run_dir``:

- ``keras.callbacks.BackupAndRestore`` (two checkpoints kept, so a kill
  during a save still leaves one that loads): rerun the same command after a
  crash and training continues from the last finished epoch, with the same
  optimizer state;
- early stopping and best weights whose state lives on disk too (Keras's
  ``EarlyStopping`` forgets its best epoch when the process dies), written
  to a temporary name and renamed, so the latest file is never half written;
- a fingerprint of the model and the fit settings: a backup left by a
  different model is set aside instead of loaded into the wrong weights.

:func:`save_model` saves a ``.keras`` file the same atomic way.
"""

import dataclasses
import hashlib
import json
import pathlib
import re
import shutil
import tempfile
import time

import keras
import numpy as np

from rnn_keras import _files
from rnn_keras import keras_calls
from rnn_keras import _keras_compat
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_positive_int

BACKUP_FOLDER = ".backup"


@dataclasses.dataclass
class Training:
    """What :func:`fit` returns.

    ``history``: every epoch's logs, including those before a crash;
    ``best_epoch``: 1-based epoch whose weights the model holds (or the last);
    ``resumed_from``: epochs already done when this process started (0 = fresh);
    ``seconds``: wall time of this process's part of the training;
    ``fit_call``: the ``model.fit(...)`` call that ran, as text
    (:func:`rnn_keras.keras_calls.fit_call`: data by shape, callbacks named).
    """

    history: dict
    seconds: float
    best_epoch: int
    resumed_from: int = 0
    fit_call: str = ""

    @property
    def epochs(self):
        return len(next(iter(self.history.values()), []))


def _write_json(path, value):
    _files.write_text(path, json.dumps(value))


def save_model(model, path):
    """``model.save(path)`` through a temporary file and a rename (atomic on one disk)."""
    path = pathlib.Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"Expected a path ending in '.keras', got {str(path)!r}.")
    with _files.replacing(path, suffix=".keras") as tmp:
        model.save(tmp)
    return path


def fingerprint(model, **settings):
    """A short hash of the model's layers and weight shapes, its optimizer and ``settings``.

    Layer names are left out: Keras numbers them per process (``dense_3``), and
    the same model built again must match its own backup.
    """
    optimizer = None
    if model.optimizer is not None:
        optimizer = {k: v for k, v in model.optimizer.get_config().items() if k != "name"}
    layers = [type(layer).__name__ for layer in _keras_compat.flatten_layers(model)]
    shapes = [list(w.shape) for w in model.weights]
    text = json.dumps([layers, shapes, optimizer, settings], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_MAXIMISED = ("acc", "auc", "precision", "recall", "f1", "bleu")
_MINIMISED = ("loss", "error", "mse", "mae", "mape", "crossentropy", "hinge")


def resolve_mode(monitor, mode="auto"):
    """``"min"`` or ``"max"``: the direction in which ``monitor`` improves.

    ``"auto"`` reads it off the name (``val_`` aside): losses and errors go
    down; accuracy, AUC, precision, recall, F1 and BLEU go up. Any other
    name needs ``mode="min"`` or ``"max"``.
    """
    mode = check_choice("mode", mode, ("auto", "min", "max"))
    if mode != "auto":
        return mode
    name = str(monitor).lower().removeprefix("val_")
    if any(word in name for word in _MAXIMISED):
        return "max"
    if any(word in name for word in _MINIMISED):
        return "min"
    raise ValueError(
        f"Cannot tell whether monitor={monitor!r} should go up or down; "
        "pass mode='min' or mode='max'.")


class _MonitorError(ValueError):
    """The monitored value is missing from the logs or is not one number."""


def _loggable(value):
    """One epoch's logged value for the JSON history: a float, or a list for a
    vector-valued metric (F1 per class); NaN and infinity become None."""
    array = np.asarray(value, dtype="float64")
    if array.ndim == 0:
        value = float(array)
        return value if np.isfinite(value) else None
    return [float(v) if np.isfinite(v) else None for v in array.ravel()]


class _Progress(keras.callbacks.Callback):
    """Early stopping and best weights with their state on disk.

    Must come after ``BackupAndRestore`` in the callback list: it reads the
    epoch that callback restored and forgets any epoch logged after it.
    """

    def __init__(self, folder, monitor, patience, restore_best_weights, verbose, mode="auto"):
        super().__init__()
        self.folder = pathlib.Path(folder)
        self.monitor = monitor  # None: nothing tracked, the last epoch is kept
        self.mode = resolve_mode(monitor, mode) if monitor is not None else None
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.verbose = verbose
        self.state_path = self.folder / "progress.json"
        self.weights_path = self.folder / "best.weights.h5"
        self.resumed_from = 0

    def _better(self, value, best):
        # Strictly better: on a tie the earlier epoch stays best, live and on resume.
        if best is None:
            return True
        return value > best if self.mode == "max" else value < best

    def on_train_begin(self, logs=None):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.resumed_from = _keras_compat.initial_epoch(self.model)
        state = {"history": {}, "best": None, "best_epoch": 0, "weights_epoch": 0}
        if self.resumed_from and self.state_path.exists():
            state = json.loads(self.state_path.read_text())
            # epochs logged after the last backup are run again: forget them
            state["history"] = {k: v[:self.resumed_from] for k, v in state["history"].items()}
            # The best epoch is found again by the rule the live run used.
            state["best"], state["best_epoch"] = None, 0
            for epoch, value in enumerate(state["history"].get(self.monitor, [])
                                          if self.monitor else [], start=1):
                if isinstance(value, float) and self._better(value, state["best"]):
                    state["best"], state["best_epoch"] = value, epoch
        # A kill between Keras's backup and this file's write leaves epochs that the
        # backup holds but whose logs were lost: they stay in the history as None, so
        # the history keeps one entry per epoch.
        for values in state["history"].values():
            values.extend([None] * (self.resumed_from - len(values)))
        self.state = state
        if self.resumed_from and self.verbose:
            print(f"[resume] restored epoch {self.resumed_from} from {self.folder.parent}; "
                  "training continues", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for key, value in logs.items():
            self.state["history"].setdefault(key, [None] * self.resumed_from).append(
                _loggable(value))
        if self.monitor is None:
            _write_json(self.state_path, self.state)
            return
        if self.monitor not in logs:
            raise _MonitorError(
                f"monitor={self.monitor!r} is not among the values this fit logs "
                f"({', '.join(sorted(logs)) or 'none'}); pass validation data for a 'val_' "
                "name, or monitor one of those.")
        value = np.asarray(logs[self.monitor], dtype="float64")
        if value.ndim != 0:
            raise _MonitorError(
                f"monitor={self.monitor!r} logs {value.size} values per epoch (shape "
                f"{value.shape}); early stopping and best weights follow one number: "
                "monitor a scalar metric (e.g. an averaged F1).")
        value = float(value)
        if np.isfinite(value) and self._better(value, self.state["best"]):
            self.state["best"], self.state["best_epoch"] = float(value), epoch + 1
            if self.restore_best_weights:
                with _files.replacing(self.weights_path) as tmp:
                    self.model.save_weights(tmp)
                self.state["weights_epoch"] = epoch + 1
        _write_json(self.state_path, self.state)
        if self.patience is not None and self.state["best_epoch"]:
            if epoch + 1 - self.state["best_epoch"] >= self.patience:
                self.model.stop_training = True

    def on_train_end(self, logs=None):
        last = len(next(iter(self.state["history"].values()), []))
        best = self.state["best_epoch"]
        if (self.restore_best_weights and best and best != last
                and self.state["weights_epoch"] == best and self.weights_path.exists()):
            self.model.load_weights(self.weights_path)
        else:
            self.state["best_epoch"] = last


def _fit(model, x, y, callbacks, verbose, kwargs):
    """``model.fit``; a monitor problem is reported as one ValueError, not Keras's traceback."""
    try:
        model.fit(x, y, callbacks=callbacks, verbose=verbose, **kwargs)
    except _MonitorError as error:
        raise ValueError(str(error)) from None


def fit(model, x=None, y=None, *, run_dir=None, name="model", monitor=None,
        mode="auto", patience=None, restore_best_weights=True, callbacks=(), verbose=0,
        **kwargs):
    """``model.fit`` with early stopping and, given ``run_dir``, resume after a crash.

    Args:
        model: a built, compiled Keras model.
        x, y, **kwargs: as for ``model.fit`` (``epochs``, ``batch_size``,
            ``validation_data``...).
        run_dir: folder of the run. Backups live in ``run_dir/.backup/name``
            while training runs and are removed when it ends. ``None``: a
            plain fit that cannot resume.
        name: names this training within the run (a run may train several;
            characters other than letters, digits and ``_.+-`` become ``-``).
        monitor: the logged value early stopping and best weights follow
            (one number per epoch). Default: ``"val_loss"`` when validation
            data is given (``validation_data`` or ``validation_split``),
            otherwise nothing is tracked and the last epoch is kept. A
            monitor the fit does not log, or a vector-valued one, is a
            ``ValueError`` after the first epoch.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (as ``keras.callbacks.EarlyStopping``:
            losses and errors are minimised; accuracy, AUC, precision,
            recall, F1, BLEU maximised; another name needs an explicit mode).
            On a tie the earlier epoch stays the best.
        patience: stop after this many epochs without improvement (``None``:
            never stop early).
        restore_best_weights: end with the weights of the best epoch.
        callbacks: more callbacks.
        verbose: as for ``model.fit``; also says when a run resumes.

    Returns:
        A :class:`Training` (history of every epoch, seconds, best epoch,
        epoch resumed from).

    Example:

    >>> result = fit(model, x, y, validation_split=0.1, epochs=20, patience=3,
    ...              run_dir="runs/mine")                # doctest: +SKIP
    """
    check_positive_int("patience", patience, allow_none=True)
    if monitor is None and (kwargs.get("validation_data") is not None
                            or kwargs.get("validation_split")):
        monitor = "val_loss"
    if monitor is None and patience is not None:
        raise ValueError(f"patience={patience} needs a value to follow: pass validation data "
                         "(then val_loss is followed) or a monitor such as monitor='loss'.")
    mode = resolve_mode(monitor, mode) if monitor is not None else None
    _keras_compat.mend_multi_worker_build(model)
    start = time.perf_counter()
    tracker = (f"<best-epoch tracker, like keras.callbacks.EarlyStopping(monitor={monitor!r}, "
               f"mode={mode!r}, "
               f"patience={patience}, restore_best_weights={restore_best_weights}), "
               f"its state on disk>") if monitor is not None else (
        "<epoch logger, its state on disk; no monitor: the last epoch is kept>")
    named = [type(c).__name__ for c in callbacks]
    if run_dir is None:
        # The best weights go through a file (as with a run folder), so the
        # same tracker serves both cases.
        with tempfile.TemporaryDirectory(prefix="rnn-keras-best-") as folder:
            progress = _Progress(folder, monitor, patience, restore_best_weights, verbose=0,
                                 mode=mode)
            _fit(model, x, y, [*callbacks, progress], verbose, kwargs)
        return Training(progress.state["history"], time.perf_counter() - start,
                        progress.state["best_epoch"],
                        fit_call=keras_calls.fit_call(x, y, [*named, tracker], kwargs))

    name = re.sub(r"[^A-Za-z0-9_.+-]+", "-", str(name)).strip("-") or "model"
    folder = pathlib.Path(run_dir) / BACKUP_FOLDER / name
    stamp = fingerprint(model, monitor=monitor, mode=mode, patience=patience,
                        **{k: v for k, v in kwargs.items() if k in ("epochs", "batch_size")})
    stamp_path = folder / "fingerprint"
    if folder.exists() and (not stamp_path.exists() or stamp_path.read_text() != stamp):
        stale = folder.with_name(f"{name}.stale-{int(time.time())}")
        folder.rename(stale)
        print(f"[resume] a backup in {folder} belongs to another model or other settings; "
              f"moved it to {stale} and training starts afresh", flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    stamp_path.write_text(stamp)
    backup = keras.callbacks.BackupAndRestore(str(folder / "state"), double_checkpoint=True)
    progress = _Progress(folder / "progress", monitor, patience, restore_best_weights,
                         verbose, mode=mode)
    _fit(model, x, y, [*callbacks, backup, progress], verbose, kwargs)
    backup_text = (f"keras.callbacks.BackupAndRestore({str(folder / 'state')!r}, "
                   "double_checkpoint=True)")
    result = Training(progress.state["history"], time.perf_counter() - start,
                      progress.state["best_epoch"], progress.resumed_from,
                      keras_calls.fit_call(x, y, [*named, backup_text, tracker], kwargs))
    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.parent.rmdir()  # the .backup folder, once no training uses it
    except OSError:
        pass
    return result
