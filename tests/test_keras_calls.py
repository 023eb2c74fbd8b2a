"""The plain-Keras calls a notebook shows are read off the live model and training."""

import keras
import numpy as np
import pytest

from rnn_keras import keras_calls
from rnn_keras import training


def _model():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    model.compile(optimizer=keras.optimizers.Adam(3e-3, global_clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def test_compile_call_shows_the_non_default_arguments_and_recompiles_the_same():
    model = _model()
    text = keras_calls.compile_call(model)
    assert text == (
        "model.compile(\n"
        "    optimizer=keras.optimizers.Adam(learning_rate=0.003, global_clipnorm=1),\n"
        "    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),\n"
        "    metrics=['accuracy'],\n"
        ")")
    # The text is a call that compiles a model the same way.
    other = keras.Model(model.inputs, model.outputs)
    eval(text, {"keras": keras, "model": other})
    assert keras_calls.compile_call(other) == text


def test_compile_call_names_a_plain_loss_function():
    model = _model()
    model.compile(optimizer="sgd", loss=keras.losses.mean_squared_error)
    assert "loss=keras.src.losses.losses.mean_squared_error" in keras_calls.compile_call(model)
    assert "optimizer=keras.optimizers.SGD()" in keras_calls.compile_call(model)


def test_an_uncompiled_model_is_refused_with_the_fix():
    inputs = keras.Input((2,))
    with pytest.raises(ValueError, match="has not been compiled: call model.compile"):
        keras_calls.compile_call(keras.Model(inputs, keras.layers.Dense(1)(inputs)))


def test_training_records_the_fit_call_that_ran(tmp_path):
    model = _model()
    x = np.zeros((8, 4), "float32")
    y = np.zeros((8,), "int32")
    result = training.fit(model, x, y, epochs=2, batch_size=4, validation_split=0.25,
                          patience=3, run_dir=tmp_path, name="m")
    text = result.fit_call
    assert text.startswith("model.fit(\n    x=<array (8, 4) float32>,\n    y=<array (8,) int32>,\n")
    for part in ("epochs=2,", "batch_size=4,", "validation_split=0.25,",
                 "keras.callbacks.BackupAndRestore(", "monitor='val_loss', mode='min', patience=3"):
        assert part in text, text
    plain = training.fit(model, x, y, epochs=1, batch_size=4)
    assert "BackupAndRestore" not in plain.fit_call
    assert "no monitor: the last epoch is kept" in plain.fit_call  # no validation data


def test_metric_arguments_are_shown_so_the_printed_call_is_the_one_that_ran():
    # BinaryAccuracy on logits needs threshold=0: a call without it would differ.
    model = _model()
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
    text = keras_calls.compile_call(model)
    assert "metrics=[keras.metrics.BinaryAccuracy(name='accuracy', threshold=0)]" in text
    other = keras.Model(model.inputs, model.outputs)
    eval(text, {"keras": keras, "model": other})
    assert keras_calls.compile_call(other) == text
