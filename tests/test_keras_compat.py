"""The work-arounds of rnn_keras._keras_compat, and tripwires for the day Keras fixes them."""

import inspect

import keras
import numpy as np
import pytest

from rnn_keras import training
from rnn_keras import _keras_compat


def test_only_the_compat_module_imports_keras_src():
    import pathlib

    package = pathlib.Path(training.__file__).resolve().parents[1]
    users = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                   if "keras.src" in p.read_text() and p.name != "_keras_compat.py")
    assert users == [], users


def test_no_module_but_the_compat_module_calls_a_private_keras_method():
    """``self._name`` or ``super()._name`` that the package never defines is Keras's
    private API (DiscriminativeAdam used to call ``self._get_variable_index``)."""
    import pathlib
    import re

    package = pathlib.Path(training.__file__).resolve().parents[1]
    defined, used = set(), {}
    for path in package.rglob("*.py"):
        text = path.read_text()
        for pattern in (r"def (_\w+)", r"class (_\w+)", r"self\.(_\w+)\s*=",
                        r"setattr\(self, \"(_\w+)\""):
            defined |= set(re.findall(pattern, text))
        if path.name != "_keras_compat.py":
            for name in re.findall(r"(?:self|super\(\))\.(_\w+)", text):
                used.setdefault(name, set()).add(path.name)
    private = {name: sorted(files) for name, files in used.items()
               if name not in defined and not name.startswith("__")}
    assert private == {}, private


def test_optimizer_variable_index_is_still_private_api():
    """Tripwire: when Keras renames its lookup, optimizer_variable_index must follow."""
    optimizer = keras.optimizers.Adam()
    variables = [keras.Variable(np.zeros(2)), keras.Variable(np.ones(3))]
    optimizer.build(variables)
    assert [_keras_compat.optimizer_variable_index(optimizer, v) for v in variables] == [0, 1]


def test_the_multi_worker_bug_is_still_in_this_keras():
    """Tripwire for keras-team/keras#20585: fails once Keras reduces scalar logs itself.

    When it fails, check the issue, drop mend_multi_worker_logs (or narrow
    MULTI_WORKER_BUG) and rerun tests/test_distribute.py.
    """
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the mends are for the TensorFlow trainer")
    from keras.src.backend.tensorflow import trainer

    source = inspect.getsource(trainer.reduce_per_replica)
    assert _keras_compat.MULTI_WORKER_BUG[0] <= _keras_compat.keras_version() \
        <= _keras_compat.MULTI_WORKER_BUG[1]
    assert "axis=0" in source  # the reduction that fails on a scalar with 2+ workers
    assert hasattr(type(keras.Model()), "_maybe_symbolic_build")


def test_mends_do_nothing_outside_a_strategy_or_outside_the_buggy_releases(monkeypatch):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    assert _keras_compat.mend_multi_worker_build(model) is False  # no strategy
    assert "_maybe_symbolic_build" not in vars(model)
    monkeypatch.setattr(_keras_compat, "MULTI_WORKER_BUG", ((3, 0), (3, 0)))
    assert _keras_compat.mend_multi_worker_logs() is False


def test_flatten_layers_public_fallback_finds_the_same_layer_types(monkeypatch):
    tokens = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(10, 4, mask_zero=True)(tokens)
    x = keras.layers.Bidirectional(keras.layers.GRU(3))(x)
    model = keras.Model(tokens, keras.layers.Dense(2)(x))
    private = {type(layer).__name__ for layer in _keras_compat.flatten_layers(model)}
    monkeypatch.setattr(type(model), "_flatten_layers", None, raising=False)
    public = {type(layer).__name__ for layer in _keras_compat.flatten_layers(model)}
    assert {"Embedding", "Bidirectional", "GRU", "Dense"} <= public <= private


def test_initial_epoch_is_zero_for_a_fresh_model():
    assert _keras_compat.initial_epoch(keras.Sequential()) == 0


@pytest.mark.parametrize("monitor, mode", [
    ("val_loss", "min"), ("loss", "min"), ("val_accuracy", "max"), ("val_auc", "max"),
    ("val_sparse_categorical_accuracy", "max"), ("val_mae", "min"), ("bleu", "max")])
def test_auto_mode_reads_the_direction_off_the_name(monitor, mode):
    assert training.resolve_mode(monitor) == mode


def test_unknown_monitor_needs_an_explicit_mode():
    with pytest.raises(ValueError, match="pass mode='min' or mode='max'"):
        training.resolve_mode("val_score")
    assert training.resolve_mode("val_score", "max") == "max"
    with pytest.raises(ValueError, match="`mode`: 'up'"):
        training.resolve_mode("val_loss", "up")


def _model():
    inputs = keras.Input((1,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile("sgd", "mse")
    return model


@pytest.mark.parametrize("mode, values, best", [
    ("max", [0.5, 0.8, 0.8, 0.7], 2), ("min", [0.9, 0.4, 0.4, 0.6], 2)])
def test_ties_keep_the_earlier_epoch_live_and_on_resume(tmp_path, mode, values, best):
    monitor = "val_auc" if mode == "max" else "val_loss"
    live = training._Progress(tmp_path / "live", monitor, None, False, 0)
    live.set_model(_model())
    live.on_train_begin()
    for epoch, value in enumerate(values):
        live.on_epoch_end(epoch, {monitor: value})
    assert live.state["best_epoch"] == best
    # A process that resumes after the last epoch finds the same best epoch.
    resumed = training._Progress(tmp_path / "live", monitor, None, False, 0)
    model = _model()
    model._initial_epoch = len(values)
    resumed.set_model(model)
    resumed.on_train_begin()
    assert resumed.resumed_from == len(values) and resumed.state["best_epoch"] == best
    assert np.isclose(resumed.state["best"], values[best - 1])
