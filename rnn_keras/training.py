"""Training that survives a crash and scales out without a rewrite.

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

:func:`distribution_scope` runs model building under the engine's own
data-parallel machinery: ``tf.distribute.MultiWorkerMirroredStrategy`` on
TensorFlow (workers described by ``TF_CONFIG``) and
``keras.distribution.DataParallel`` over all local devices on JAX.
"""

import contextlib
import dataclasses
import hashlib
import json
import os
import pathlib
import re
import shutil
import tempfile
import time

import keras
import numpy as np

BACKUP_FOLDER = ".backup"


@dataclasses.dataclass
class Training:
    """What :func:`fit` returns.

    ``history``: every epoch's logs, including those before a crash;
    ``best_epoch``: 1-based epoch whose weights the model holds (or the last);
    ``resumed_from``: epochs already done when this process started (0 = fresh);
    ``seconds``: wall time of this process's part of the training.
    """

    history: dict
    seconds: float
    best_epoch: int
    resumed_from: int = 0

    @property
    def epochs(self):
        return len(next(iter(self.history.values()), []))


def _write_json(path, value):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value))
    os.replace(tmp, path)


def save_model(model, path):
    """``model.save(path)`` through a temporary file and a rename (atomic on one disk)."""
    path = pathlib.Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"Expected a path ending in '.keras', got {str(path)!r}.")
    tmp = path.with_name(path.stem + ".partial.keras")
    model.save(tmp)
    os.replace(tmp, path)
    return path


def fingerprint(model, **settings):
    """A short hash of the model's layers and weight shapes, its optimizer and ``settings``.

    Layer names are left out: Keras numbers them per process (``dense_3``), and
    the same model built again must match its own backup.
    """
    optimizer = None
    if model.optimizer is not None:
        optimizer = {k: v for k, v in model.optimizer.get_config().items() if k != "name"}
    layers = [type(layer).__name__ for layer in model._flatten_layers()]
    shapes = [list(w.shape) for w in model.weights]
    text = json.dumps([layers, shapes, optimizer, settings], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Progress(keras.callbacks.Callback):
    """Early stopping and best weights with their state on disk.

    Must come after ``BackupAndRestore`` in the callback list: it reads the
    epoch that callback restored and forgets any epoch logged after it.
    """

    def __init__(self, folder, monitor, patience, restore_best_weights, verbose):
        super().__init__()
        self.folder = pathlib.Path(folder)
        self.monitor = monitor
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.verbose = verbose
        self.state_path = self.folder / "progress.json"
        self.weights_path = self.folder / "best.weights.h5"
        self.resumed_from = 0

    def _better(self, value, best):
        if best is None:
            return True
        return value > best if "acc" in self.monitor else value < best

    def on_train_begin(self, logs=None):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.resumed_from = int(getattr(self.model, "_initial_epoch", 0) or 0)
        state = {"history": {}, "best": None, "best_epoch": 0, "weights_epoch": 0}
        if self.resumed_from and self.state_path.exists():
            state = json.loads(self.state_path.read_text())
            # epochs logged after the last backup are run again: forget them
            state["history"] = {k: v[:self.resumed_from] for k, v in state["history"].items()}
            values = state["history"].get(self.monitor, [])
            finite = [(v, i + 1) for i, v in enumerate(values) if v is not None]
            best = min(finite) if finite and "acc" not in self.monitor else (
                max(finite) if finite else (None, 0))
            state["best"], state["best_epoch"] = best
        self.state = state
        if self.resumed_from and self.verbose:
            print(f"[resume] restored epoch {self.resumed_from} from {self.folder.parent}; "
                  "training continues", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for key, value in logs.items():
            value = float(value)
            self.state["history"].setdefault(key, []).append(
                value if np.isfinite(value) else None)
        value = logs.get(self.monitor)
        if value is not None and np.isfinite(value) and self._better(value, self.state["best"]):
            self.state["best"], self.state["best_epoch"] = float(value), epoch + 1
            if self.restore_best_weights:
                tmp = self.folder / "best.partial.weights.h5"
                self.model.save_weights(tmp)
                os.replace(tmp, self.weights_path)
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


def fit(model, x=None, y=None, *, run_dir=None, name="model", monitor="val_loss",
        patience=None, restore_best_weights=True, callbacks=(), verbose=0, **kwargs):
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
        monitor: the logged value early stopping and best weights follow;
            accuracies are maximised, anything else minimised.
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
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, int)
                                 or patience < 1):
        raise ValueError(f"Expected `patience` to be None or an int >= 1, got {patience!r}.")
    _mend_multi_worker_build(model)
    start = time.perf_counter()
    if run_dir is None:
        # Keras's EarlyStopping restores the best weights only when it stops
        # early; this ends on the best epoch's weights either way.
        with tempfile.TemporaryDirectory(prefix="rnn-keras-best-") as folder:
            progress = _Progress(folder, monitor, patience, restore_best_weights, verbose=0)
            model.fit(x, y, callbacks=[*callbacks, progress], verbose=verbose, **kwargs)
        return Training(progress.state["history"], time.perf_counter() - start,
                        progress.state["best_epoch"])

    name = re.sub(r"[^A-Za-z0-9_.+-]+", "-", str(name)).strip("-") or "model"
    folder = pathlib.Path(run_dir) / BACKUP_FOLDER / name
    stamp = fingerprint(model, monitor=monitor, patience=patience,
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
                         verbose)
    model.fit(x, y, callbacks=[*callbacks, backup, progress], verbose=verbose, **kwargs)
    result = Training(progress.state["history"], time.perf_counter() - start,
                      progress.state["best_epoch"], progress.resumed_from)
    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.parent.rmdir()  # the .backup folder, once no training uses it
    except OSError:
        pass
    return result


# ---------------------------------------------------------------------------
# Scale-out
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Distribution:
    """Where a distributed run stands: engine, replicas, and whether this process is chief."""

    engine: str
    replicas: int
    is_chief: bool = True


def _tf_config_task():
    try:
        config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    except json.JSONDecodeError as error:
        raise ValueError(f"TF_CONFIG is not valid JSON ({error}); it should look like "
                         '{"cluster": {"worker": ["host1:port", "host2:port"]}, '
                         '"task": {"type": "worker", "index": 0}}.') from None
    task, cluster = config.get("task", {}), config.get("cluster", {})
    if cluster and task.get("type") not in cluster:
        raise ValueError(f"TF_CONFIG names task {task!r}, which is not in its cluster "
                         f"{sorted(cluster)}; set task.type to one of them.")
    return task, cluster


_STRATEGY = []


def start_distribution():
    """Creates the data-parallel engine; call it before any other TensorFlow work.

    On TensorFlow, ``MultiWorkerMirroredStrategy`` must exist before the
    first TensorFlow op runs (collective ops are configured at start-up),
    so the CLI calls this first thing when given ``--distribute``. Returns
    the strategy (TensorFlow) or ``None`` (JAX needs nothing early).
    """
    if keras.backend.backend() != "tensorflow":
        return None
    if not _STRATEGY:
        import tensorflow as tf

        _tf_config_task()
        _mend_multi_worker_logs()
        try:
            _STRATEGY.append(tf.distribute.MultiWorkerMirroredStrategy())
        except RuntimeError as error:
            raise ValueError(
                "MultiWorkerMirroredStrategy must be created before TensorFlow runs anything "
                "(it said: " + str(error) + "); call rnn_keras.training.start_distribution() "
                "at the top of the program, or restart the kernel and do so.") from None
    return _STRATEGY[0]


def _mend_multi_worker_logs():
    """Lets Keras 3 average a step's scalar logs across workers.

    Keras 3.15's TensorFlow trainer reduces each step's logs (loss,
    metrics: scalars) across workers with ``strategy.reduce("MEAN", v,
    axis=0)``, which fails on a scalar ("Invalid reduction dimension 0 for
    input with 0 dimensions") whenever there are two workers or more
    (keras-team/keras#20585). Scalars are averaged with ``axis=None``
    instead; everything else goes to Keras unchanged. Installed only by
    :func:`start_distribution`, i.e. only for ``--distribute`` runs.
    """
    try:
        from keras.src.backend.tensorflow import trainer
    except ImportError:  # a Keras that moved it: nothing to mend
        return
    original = getattr(trainer, "reduce_per_replica", None)
    if original is None or getattr(original, "_rnn_keras_mended", False):
        return
    import tensorflow as tf

    def reduce_per_replica(values, strategy, reduction="auto"):
        multi_worker = trainer._collective_all_reduce_multi_worker(strategy)
        if multi_worker and reduction in ("auto", "mean"):
            def mean(v):
                if isinstance(v, tf.distribute.DistributedValues) or tf.is_tensor(v):
                    rank = v.shape.rank if tf.is_tensor(v) else (
                        strategy.experimental_local_results(v)[0].shape.rank)
                    if rank == 0:
                        return strategy.reduce("MEAN", v, axis=None)
                return original(v, strategy, reduction)
            return keras.tree.map_structure(mean, values)
        return original(values, strategy, reduction)

    reduce_per_replica._rnn_keras_mended = True
    trainer.reduce_per_replica = reduce_per_replica


def _mend_multi_worker_build(model):
    """Lets a model made under ``MultiWorkerMirroredStrategy`` fit in Keras 3.

    Keras 3's TensorFlow trainer peeks at the first batch to build metrics
    and optimizer and, under a strategy, averages that batch across replicas
    with ``strategy.reduce`` -- which fails for a ``(x, y)`` tuple as soon
    as there are two workers ("Attempt to convert a value (PerReplica...)",
    keras-team/keras#20585, open). A batch of this worker's first replica
    has the same shapes, which is all the build needs. Patches only this
    model instance, and only where Keras still has the hook.
    """
    if keras.backend.backend() != "tensorflow" or getattr(model, "_distribute_strategy",
                                                         None) is None:
        return
    original = getattr(type(model), "_maybe_symbolic_build", None)
    if original is None or "_maybe_symbolic_build" in vars(model):
        return
    import types

    import tensorflow as tf

    def symbolic_build(self, iterator=None, data_batch=None):
        if iterator is not None:
            for _, _, it in iterator:
                data_batch = keras.tree.map_structure(
                    lambda v: (self.distribute_strategy.experimental_local_results(v)[0]
                               if isinstance(v, tf.distribute.DistributedValues) else v),
                    next(it))
                break
        return original(self, iterator=None, data_batch=data_batch)

    model._maybe_symbolic_build = types.MethodType(symbolic_build, model)


@contextlib.contextmanager
def distribution_scope(distribute=False):
    """Builds and compiles models under the backend's data-parallel engine.

    ``distribute=False``: does nothing (yields ``Distribution("none", 1)``).
    ``True``: TensorFlow backend: ``tf.distribute.MultiWorkerMirroredStrategy``
    (workers from the ``TF_CONFIG`` environment variable; without it, one
    worker); JAX backend: ``keras.distribution.DataParallel`` over every
    local device (set ``XLA_FLAGS=--xla_force_host_platform_device_count=N``
    for N CPU devices). Models must be created inside the scope; batches are
    global (each replica gets ``batch_size / replicas``).
    """
    if not distribute:
        yield Distribution("none", 1)
        return
    backend = keras.backend.backend()
    if backend == "tensorflow":
        strategy = start_distribution()
        task, cluster = _tf_config_task()
        chief = task.get("type", "worker") in ("chief", "worker") and (
            task.get("type") == "chief" or ("chief" not in cluster and task.get("index", 0) == 0))
        with strategy.scope():
            yield Distribution("tf.distribute.MultiWorkerMirroredStrategy",
                               strategy.num_replicas_in_sync, chief)
    elif backend == "jax":
        devices = keras.distribution.list_devices()
        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        try:
            yield Distribution("keras.distribution.DataParallel", len(devices))
        finally:
            keras.distribution.set_distribution(previous)
    else:
        raise ValueError(f"Distributed training is wired for the TensorFlow and JAX backends; "
                         f"this is {backend!r}. Set KERAS_BACKEND=tensorflow or jax.")
