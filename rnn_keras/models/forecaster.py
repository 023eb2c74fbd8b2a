"""Forecasters: a window of the past in, the next ``horizon`` values out.

One builder for the neural models of notebook 09, so that RNN, CNN and MLP
are compared on the same inputs, the same normalisation and the same output:

- ``kind="rnn"``: a recurrent stack (``cell``, ``units``, ``num_layers``,
  ``bidirectional``, ``dropout``, ``implementation``: the shared arguments of
  the builders) read over the window;

  - ``strategy="direct"``: many-to-one, the last state to a vector of all
    ``horizon`` values at once;
  - ``strategy="recursive"``: many-to-one with ``horizon=1``, rolled out one
    step at a time by the caller (each forecast fed back as an input);
  - ``strategy="encoder_decoder"``: the encoder's last state repeated over
    the ``horizon`` future steps and read by a decoder stack
    (many-to-many), one value per step;

- ``kind="cnn"``: 1-D convolutions and pooling over the window, then a dense
  vector output;
- ``kind="mlp"``: the flattened window through a hidden layer.

Two choices shared by all kinds, because both decide more of the error than
the kind does on short, drifting series:

- **level offset** (``level_steps``): the mean of the target channel over
  the last ``level_steps`` inputs is subtracted from that channel and added
  back to the outputs, so the network models the *shape* of what comes next
  relative to the current level (a series that drifts through a level never
  seen in training is still in the range the network was trained on);
- **linear skip** (``linear_skip``): a linear map from the target channel
  of the window to the outputs, added to the network's (the autoregressive
  "highway" of LSTNet, Lai et al. 2018): the network only has to learn what a
  linear model of the lags misses.

Both are plain layers and ``keras.ops`` inside the model, so the saved model
takes raw (scaled) windows and needs nothing else to forecast.
"""

import keras

from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import recurrent_stack
from rnn_keras.validation import check_bool
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_positive_int
from rnn_keras.validation import check_rate

KINDS = ("rnn", "cnn", "mlp")
STRATEGIES = ("direct", "recursive", "encoder_decoder")


def forecaster(input_width, input_dim, horizon, *, kind="rnn", strategy="direct", cell="gru",
               units=64, num_layers=2, bidirectional=False, dropout=0.1,
               implementation="fused", steps_per_input=1, level_steps=1, linear_skip=True,
               name=None):
    """A forecaster from ``(batch, input_width, input_dim)`` windows to ``(batch, horizon)``.

    Args:
        input_width: steps in the window.
        input_dim: features per step; feature 0 is the series itself (scaled),
            the others are covariates (calendar, volume...).
        horizon: steps forecast (1 for ``strategy="recursive"``).
        kind: ``"rnn"``, ``"cnn"`` or ``"mlp"``.
        strategy: for ``kind="rnn"``: ``"direct"``, ``"recursive"`` or
            ``"encoder_decoder"``.
        cell, units, num_layers, bidirectional, dropout, implementation: the
            recurrent stack's (``units`` is also the width of the CNN's and
            MLP's layers; ``dropout`` their dropout).
        steps_per_input: the recurrent stack reads ``steps_per_input``
            consecutive steps as one (a day of 48 half-hours becomes one step
            of 48 x ``input_dim`` values): a week is 7 steps instead of 336.
        level_steps: steps at the end of the window whose mean is the level
            offset (``None``: no offset).
        linear_skip: add a linear map of the target channel to the output.
        name: the model's name (default ``"{kind}_{strategy}"``).

    Returns:
        A built `keras.Model` (not compiled).

    Example:

    >>> model = forecaster(336, 10, 48, kind="rnn", cell="gru", steps_per_input=48,
    ...                    level_steps=48)
    """
    input_width = check_positive_int("input_width", input_width)
    input_dim = check_positive_int("input_dim", input_dim)
    horizon = check_positive_int("horizon", horizon)
    kind = check_choice("kind", kind, KINDS)
    strategy = check_choice("strategy", strategy, STRATEGIES)
    steps_per_input = check_positive_int("steps_per_input", steps_per_input)
    level_steps = check_positive_int("level_steps", level_steps, allow_none=True)
    linear_skip = check_bool("linear_skip", linear_skip)
    dropout = check_rate("dropout", dropout)
    if strategy == "recursive" and horizon != 1:
        raise ValueError(f"strategy='recursive' forecasts one step (horizon=1) and is rolled "
                         f"out by the caller; got horizon={horizon}.")
    if kind != "rnn" and strategy != "direct":
        raise ValueError(f"kind={kind!r} forecasts directly; strategy={strategy!r} is for "
                         "kind='rnn'.")
    if input_width % steps_per_input:
        raise ValueError(f"input_width={input_width} is not a multiple of "
                         f"steps_per_input={steps_per_input}.")
    if level_steps is not None and level_steps > input_width:
        raise ValueError(f"level_steps={level_steps} is longer than the window "
                         f"({input_width}).")

    inputs = keras.Input((input_width, input_dim), name="window")
    target = inputs[:, :, :1]
    level = None
    x = inputs
    if level_steps is not None:
        level = keras.ops.mean(target[:, -level_steps:, :], axis=1)  # (batch, 1)
        target = target - level[:, None, :]
        x = keras.layers.Concatenate(name="offset_window")([target, inputs[:, :, 1:]]) \
            if input_dim > 1 else target

    if kind == "mlp":
        h = keras.layers.Flatten(name="flatten")(x)
        h = keras.layers.Dense(units, activation="relu", name="hidden")(h)
        h = keras.layers.Dropout(dropout, name="dropout")(h)
        outputs = keras.layers.Dense(horizon, name="forecast")(h)
    elif kind == "cnn":
        h = x
        for i in range(2):
            h = keras.layers.Conv1D(units, 5, padding="same", activation="relu",
                                    name=f"conv_{i + 1}")(h)
            if h.shape[1] >= 8:
                h = keras.layers.MaxPooling1D(4, name=f"pool_{i + 1}")(h)
        h = keras.layers.Flatten(name="flatten")(h)
        h = keras.layers.Dropout(dropout, name="dropout")(h)
        outputs = keras.layers.Dense(horizon, name="forecast")(h)
    else:
        args = check_recurrent_args(cell, units, num_layers, bidirectional, dropout, 0.0,
                                    implementation)
        if steps_per_input > 1:
            x = keras.layers.Reshape((input_width // steps_per_input,
                                      steps_per_input * input_dim), name="steps")(x)
        if strategy == "encoder_decoder":
            summary = recurrent_stack(x, **args, return_sequences=False, prefix="encoder")
            h = keras.layers.RepeatVector(horizon, name="repeat")(summary)
            h = recurrent_stack(h, **args, return_sequences=True, prefix="decoder")
            h = keras.layers.Dense(1, name="per_step")(h)
            outputs = keras.layers.Flatten(name="forecast")(h)
        else:
            h = recurrent_stack(x, **args, return_sequences=False)
            outputs = keras.layers.Dense(horizon, name="forecast")(h)
    if linear_skip:
        lags = keras.layers.Flatten(name="lags")(target)
        skip = keras.layers.Dense(horizon, name="linear_skip")(lags)
        outputs = keras.layers.Add(name="network_plus_linear")([outputs, skip])
    if level is not None:
        outputs = outputs + level
    return keras.Model(inputs, outputs, name=name or f"{kind}_{strategy}")
