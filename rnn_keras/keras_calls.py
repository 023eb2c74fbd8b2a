"""The plain Keras calls behind an experiment, written out from the live objects.

The experiments compile their models and train them through
:func:`rnn_keras.training.fit`; a notebook shows what that amounts to in plain
Keras, read off the model and the training itself (so it cannot drift from
what ran):

    print(keras_calls.compile_call(model))   # model.compile(optimizer=..., loss=..., ...)
    print(fitted.fit_call)                   # model.fit(x=..., epochs=..., callbacks=[...])

Only arguments that differ from Keras's defaults are shown.
"""

import numbers

import numpy as np

_INDENT = "    "


def _number(value):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    return repr(value)


def _nondefault(obj):
    """``key=value`` for the entries of ``obj.get_config()`` that its class's default lacks.

    ``name`` is shown for metrics (it names the logged value), not for the rest.
    """
    config = obj.get_config()
    try:
        default = type(obj)().get_config()
    except TypeError:  # a class without a no-argument default: show every entry
        default = {}
    shown = []
    for key, value in config.items():
        if (key == "name" and not _is_metric(obj)) or (
                key in default and _same(default[key], value)):
            continue
        if isinstance(value, dict) and "class_name" in value:  # a schedule, an initializer
            value = f"<{value['class_name']}>"
        elif not isinstance(value, str):
            value = _number(value) if isinstance(value, numbers.Number) else repr(value)
        else:
            value = repr(value)
        shown.append(f"{key}={value}")
    return ", ".join(shown)


def _is_metric(obj):
    import keras

    return isinstance(obj, keras.metrics.Metric)


def _same(a, b):
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return bool(np.isclose(float(a), float(b), rtol=1e-6, atol=0.0))
    return a == b


def _keras_object(obj, namespace):
    if obj is None:
        return "None"
    if isinstance(obj, str):
        return repr(obj)
    if callable(obj) and not hasattr(obj, "get_config"):  # a plain loss function
        return f"{obj.__module__}.{obj.__name__}"
    module = type(obj).__module__
    prefix = namespace if module.startswith("keras") else module
    return f"{prefix}.{type(obj).__name__}({_nondefault(obj)})"


def _metric(entry):
    if isinstance(entry, str):
        return repr(entry)
    if isinstance(entry, dict):  # a serialized metric object: rebuilt, then shown
        import keras

        return _keras_object(keras.saving.deserialize_keras_object(entry), "keras.metrics")
    if isinstance(entry, (list, tuple)):
        return "[" + ", ".join(_metric(e) for e in entry) + "]"
    return _keras_object(entry, "keras.metrics")


def compile_call(model):
    """The ``model.compile(...)`` call that leaves ``model`` compiled as it is.

    Args:
        model: a compiled Keras model.

    Returns:
        The call as Python source text (non-default arguments only).

    Raises:
        ValueError: if the model is not compiled.
    """
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise ValueError(
            f"Expected a compiled model, got {getattr(model, 'name', model)!r}, which has not "
            "been compiled: call model.compile(...) (or the experiment's build_model) first.")
    lines = [f"optimizer=keras.optimizers.{type(model.optimizer).__name__}("
             f"{_nondefault(model.optimizer)})",
             f"loss={_keras_object(model.loss, 'keras.losses')}"]
    config = model.get_compile_config()
    for key in ("metrics", "weighted_metrics"):
        if config.get(key):
            lines.append(f"{key}={_metric(config[key])}")
    return "model.compile(\n" + "".join(f"{_INDENT}{line},\n" for line in lines) + ")"


def describe_value(value):
    """A short description of a ``fit`` argument: arrays by shape, datasets by kind."""
    if value is None or isinstance(value, (bool, numbers.Number, str)):
        return _number(value) if isinstance(value, numbers.Number) else repr(value)
    if isinstance(value, np.ndarray) or (hasattr(value, "shape") and hasattr(value, "dtype")):
        return f"<array {tuple(int(d) for d in value.shape)} {value.dtype}>"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(describe_value(v) for v in value) + ")"
    if hasattr(value, "element_spec"):
        return "<tf.data.Dataset>"
    import keras

    if isinstance(value, keras.utils.PyDataset):
        return f"<{type(value).__name__}: a keras.utils.PyDataset of {len(value)} batches>"
    return f"<{type(value).__name__}>"


def fit_call(x, y, callbacks, kwargs):
    """The ``model.fit(...)`` call as text: the data described, the callbacks named.

    Args:
        x, y: the data passed to ``fit``.
        callbacks: strings naming each callback (with its settings).
        kwargs: the other arguments passed to ``fit``.
    """
    lines = [f"x={describe_value(x)}"]
    if y is not None:
        lines.append(f"y={describe_value(y)}")
    lines += [f"{key}={describe_value(value)}" for key, value in kwargs.items()]
    if callbacks:
        lines.append("callbacks=[" + ", ".join(callbacks) + "]")
    return "model.fit(\n" + "".join(f"{_INDENT}{line},\n" for line in lines) + ")"
