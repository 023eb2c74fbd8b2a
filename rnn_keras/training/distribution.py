"""Scale-out without a rewrite: the backend's own data-parallel engine.

:func:`distribution_scope` runs model building under
``tf.distribute.MultiWorkerMirroredStrategy`` on TensorFlow (workers described
by ``TF_CONFIG``, read through :func:`rnn_keras.config.tf_config`) and
``keras.distribution.DataParallel`` over all local devices on JAX. Keras 3.15
needs two mends to fit under the TensorFlow strategy; they live in
:mod:`rnn_keras._keras_compat`.
"""

import contextlib
import dataclasses
import json

import keras

from rnn_keras import config as rk_config
from rnn_keras import _keras_compat

@dataclasses.dataclass
class Distribution:
    """Where a distributed run stands: engine, replicas, and whether this process is chief."""

    engine: str
    replicas: int
    is_chief: bool = True


def _tf_config_task():
    try:
        config = json.loads(rk_config.tf_config() or "{}")
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
        _keras_compat.mend_multi_worker_logs()
        try:
            _STRATEGY.append(tf.distribute.MultiWorkerMirroredStrategy())
        except RuntimeError as error:
            raise ValueError(
                "MultiWorkerMirroredStrategy must be created before TensorFlow runs anything "
                "(it said: " + str(error) + "); call rnn_keras.training.start_distribution() "
                "at the top of the program, or restart the kernel and do so.") from None
    return _STRATEGY[0]


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
