"""Everything in rnn_keras that reaches into Keras's private parts, in one place.

Each entry names what it works around, the Keras releases it applies to, and
a test in ``tests/test_keras_compat.py`` that fails once upstream changes,
so the day Keras fixes a bug the work-around is seen and removed:

- :func:`mend_multi_worker_logs` and :func:`mend_multi_worker_build`:
  keras-team/keras#20585 (open): Keras 3's TensorFlow trainer cannot fit
  under ``MultiWorkerMirroredStrategy`` with two workers or more. Applied
  only to ``--distribute`` runs, on the Keras releases in
  :data:`MULTI_WORKER_BUG` (the pin in ``pyproject.toml`` keeps newer ones
  out until they are tested).
- ``DropoutRNNCell``: Keras's dropout-mask mixin for cells (not exported
  publicly), so that ``keras.layers.RNN`` draws the masks of this package's
  cells once per batch, before its time loop, as for its own cells; a
  fallback class keeps the cells working where Keras moves it.
- :func:`flatten_layers` and :func:`initial_epoch`: two private attributes
  Keras has no public twin for (every nested layer of a model; the epoch
  ``BackupAndRestore`` resumes from), read with a public fallback.
- :func:`optimizer_variable_index`: the optimizer's private lookup of a
  variable's slot (``training.DiscriminativeAdam`` keys its factors by it).

No other module of the package imports ``keras.src`` or reads a private
Keras attribute.
"""

import keras
from keras import ops

try:  # Keras's own mixin: `keras.layers.RNN` draws its masks before the loop.
    from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell
except ImportError:  # pragma: no cover - a Keras release that moved it
    # Without the mixin the masks are drawn lazily inside the first step:
    # correct on TensorFlow, but not traceable by `jit_compile` on JAX.
    # tests/test_cells.py::test_cells_use_keras_dropout_protocol catches this.
    class DropoutRNNCell:
        def get_dropout_mask(self, step_input):
            if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
                self._dropout_mask = keras.random.dropout(
                    ops.ones_like(step_input), self.dropout, seed=self.seed_generator
                )
            return getattr(self, "_dropout_mask", None)

        def get_recurrent_dropout_mask(self, step_input):
            if (
                getattr(self, "_recurrent_dropout_mask", None) is None
                and self.recurrent_dropout > 0
            ):
                self._recurrent_dropout_mask = keras.random.dropout(
                    ops.ones_like(step_input),
                    self.recurrent_dropout,
                    seed=self.seed_generator,
                )
            return getattr(self, "_recurrent_dropout_mask", None)

        def reset_dropout_mask(self):
            self._dropout_mask = None

        def reset_recurrent_dropout_mask(self):
            self._recurrent_dropout_mask = None


# Keras releases known to have keras-team/keras#20585 (first and last, inclusive).
MULTI_WORKER_BUG = ((3, 0), (3, 15))


def keras_version():
    """``keras.__version__`` as a tuple of its first two numbers, e.g. ``(3, 15)``."""
    return tuple(int(part) for part in keras.__version__.split(".")[:2])


def _has_multi_worker_bug():
    first, last = MULTI_WORKER_BUG
    return first <= keras_version() <= last


def flatten_layers(model):
    """Every layer of ``model``, nested ones included, in Keras's order."""
    walk = getattr(model, "_flatten_layers", None)
    if walk is not None:
        return list(walk())
    # Public fallback: the layers of models and wrappers, depth first.
    found, stack = [], [model]
    while stack:
        layer = stack.pop()
        found.append(layer)
        children = list(getattr(layer, "layers", []) or [])
        for attribute in ("layer", "forward_layer", "backward_layer", "cell"):
            child = getattr(layer, attribute, None)
            if isinstance(child, keras.layers.Layer):
                children.append(child)
        stack.extend(reversed(children))
    return found


def optimizer_variable_index(optimizer, variable):
    """Where ``variable`` sits in the list ``optimizer`` was built on.

    An optimizer's ``update_step`` may receive the backend's own variable
    object (TensorFlow's), not the Keras variable it was built on; Keras finds
    its index with a private method, which this calls (tripwire test:
    ``test_optimizer_variable_index_is_still_private_api``).
    """
    return optimizer._get_variable_index(variable)


def initial_epoch(model):
    """The epoch ``keras.callbacks.BackupAndRestore`` restored for this ``fit`` (0 = fresh)."""
    return int(getattr(model, "_initial_epoch", 0) or 0)


def mend_multi_worker_logs():
    """Lets Keras 3 average a step's scalar logs across workers.

    Keras's TensorFlow trainer reduces each step's logs (loss, metrics:
    scalars) across workers with ``strategy.reduce("MEAN", v, axis=0)``,
    which fails on a scalar ("Invalid reduction dimension 0 for input with 0
    dimensions") whenever there are two workers or more
    (keras-team/keras#20585). Scalars are averaged with ``axis=None``
    instead; everything else goes to Keras unchanged. Returns whether the
    mend is in place.
    """
    if not _has_multi_worker_bug():
        return False
    try:
        from keras.src.backend.tensorflow import trainer
    except ImportError:  # a Keras that moved it: nothing to mend
        return False
    original = getattr(trainer, "reduce_per_replica", None)
    if original is None:
        return False
    if getattr(original, "_rnn_keras_mended", False):
        return True
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
    return True


def mend_multi_worker_build(model):
    """Lets a model made under ``MultiWorkerMirroredStrategy`` fit in Keras 3.

    Keras's TensorFlow trainer peeks at the first batch to build metrics and
    optimizer and, under a strategy, averages that batch across replicas with
    ``strategy.reduce``, which fails for a ``(x, y)`` tuple as soon as there
    are two workers ("Attempt to convert a value (PerReplica...)",
    keras-team/keras#20585). A batch of this worker's first replica has the
    same shapes, which is all the build needs. Patches only this model
    instance, only under a strategy, and only where Keras still has the hook.
    """
    if (keras.backend.backend() != "tensorflow" or not _has_multi_worker_bug()
            or getattr(model, "_distribute_strategy", None) is None):
        return False
    original = getattr(type(model), "_maybe_symbolic_build", None)
    if original is None:
        return False
    if "_maybe_symbolic_build" in vars(model):
        return True
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
    return True
