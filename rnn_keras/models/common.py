"""What the topology builders share: argument checks, inputs, recurrent stacks.

Every builder takes the same recurrent keyword arguments:

- ``cell``: ``"simple"``, ``"lstm"`` or ``"gru"``;
- ``units``: width of each recurrent layer (per direction);
- ``num_layers``: how many recurrent layers are stacked;
- ``bidirectional``: wrap each layer in `keras.layers.Bidirectional`;
- ``dropout``: input dropout of each recurrent layer (one mask per sequence;
  keeps the fused path cuDNN-eligible);
- ``recurrent_dropout``: dropout on the recurrent state (note: any value
  above 0 makes Keras leave the cuDNN kernel);
- ``implementation``: ``"fused"`` for Keras's own `SimpleRNN`/`LSTM`/`GRU`
  layers (cuDNN on a GPU), ``"scratch"`` for this package's cells inside
  `keras.layers.RNN`. Both have the same weights.
"""

import keras

from rnn_keras.layers.gru_cell import GRUCell
from rnn_keras.layers.lstm_cell import LSTMCell
from rnn_keras.layers.masked_global_max_pooling1d import MaskedGlobalMaxPooling1D
from rnn_keras.layers.simple_rnn_cell import SimpleRNNCell
from rnn_keras.validation import check_bool
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_positive_int
from rnn_keras.validation import check_rate

CELLS = ("simple", "lstm", "gru")
IMPLEMENTATIONS = ("fused", "scratch")
POOLINGS = ("last", "mean", "max", "mean_max", "concat")

_FUSED = {"simple": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
SCRATCH_CELLS = {"simple": SimpleRNNCell, "lstm": LSTMCell, "gru": GRUCell}
STATES_PER_CELL = {"simple": 1, "lstm": 2, "gru": 1}  # h; h and c; h
KERAS_CELLS = {"simple": keras.layers.SimpleRNNCell, "lstm": keras.layers.LSTMCell,
               "gru": keras.layers.GRUCell}


def make_cell(cell, units, implementation, **kwargs):
    """One cell (Keras's for ``"fused"``, this package's for ``"scratch"``), for a custom loop."""
    return (SCRATCH_CELLS if implementation == "scratch" else KERAS_CELLS)[cell](units, **kwargs)


def check_recurrent_args(cell, units, num_layers, bidirectional, dropout,
                         recurrent_dropout, implementation):
    """Validates the shared recurrent keyword arguments; returns them normalised."""
    return dict(
        cell=check_choice("cell", cell, CELLS),
        units=check_positive_int("units", units),
        num_layers=check_positive_int("num_layers", num_layers),
        bidirectional=check_bool("bidirectional", bidirectional),
        dropout=check_rate("dropout", dropout),
        recurrent_dropout=check_rate("recurrent_dropout", recurrent_dropout),
        implementation=check_choice("implementation", implementation, IMPLEMENTATIONS),
    )


def recurrent_layer(cell, units, implementation, *, return_sequences, return_state=False,
                    dropout=0.0, recurrent_dropout=0.0, name=None, seed=None, stateful=False):
    """One recurrent layer, fused (Keras) or from scratch (this package).

    ``stateful``: each batch starts from the state the previous batch ended
    with (Keras ``stateful=True``; the batch size must then be fixed).
    """
    if implementation == "fused":
        return _FUSED[cell](
            units,
            return_sequences=return_sequences,
            return_state=return_state,
            stateful=stateful,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            name=name,
        )
    return keras.layers.RNN(
        SCRATCH_CELLS[cell](units, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed),
        return_sequences=return_sequences,
        return_state=return_state,
        stateful=stateful,
        name=name,
    )


def recurrent_stack(x, *, cell, units, num_layers, bidirectional, dropout,
                    recurrent_dropout, implementation, return_sequences,
                    return_state=False, initial_states=None, prefix="rnn", first_index=1,
                    created=None, stateful=False):
    """Stacks ``num_layers`` recurrent layers on ``x``.

    Layers are named ``{prefix}_1`` ... ``{prefix}_N`` (numbering from
    ``first_index``). All but the last return sequences. ``initial_states``,
    if given, holds one list of states per layer. With ``return_state=True``
    returns ``(output, states)`` where ``states`` holds each layer's final
    states, as the outputs of layers named ``{prefix}_{i}_state_{k}`` (both
    directions concatenated for a bidirectional layer, so they fit a decoder
    of twice the width). ``created``: a list that receives, per layer,
    ``(recurrent layer, [its state layers])`` -- the handles an
    encoder-decoder keeps for step-by-step decoding. ``stateful``: as for
    :func:`recurrent_layer`.
    """
    all_states = []
    for index in range(num_layers):
        last = index == num_layers - 1
        layer = recurrent_layer(
            cell,
            units,
            implementation,
            return_sequences=return_sequences or not last,
            return_state=return_state,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            name=None if bidirectional else f"{prefix}_{index + first_index}",
            stateful=stateful,
        )
        if bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"{prefix}_{index + first_index}")
        kwargs = {}
        if initial_states is not None:
            kwargs["initial_state"] = initial_states[index]
        result = layer(x, **kwargs)
        state_layers = []
        if return_state:
            x, states = result[0], list(result[1:])
            if bidirectional:
                half = len(states) // 2
                state_layers = [
                    keras.layers.Concatenate(name=f"{prefix}_{index + first_index}_state_{k}")
                    for k in range(half)]
                states = [join([states[k], states[half + k]])
                          for k, join in enumerate(state_layers)]
            else:
                state_layers = [
                    keras.layers.Identity(name=f"{prefix}_{index + first_index}_state_{k}")
                    for k in range(len(states))]
                states = [keep(s) for keep, s in zip(state_layers, states)]
            all_states.append(states)
        else:
            x = result
        if created is not None:
            created.append((layer, state_layers))
    if return_state:
        return x, all_states
    return x


def pool_over_time(x, pooling):
    """The summary of a sequence of outputs over its real (unmasked) steps:
    ``"mean"``, ``"max"`` or both concatenated (``"mean_max"``)."""
    pooling = check_choice("pooling", pooling, POOLINGS[1:4])
    if pooling in ("mean", "mean_max"):
        mean = keras.layers.GlobalAveragePooling1D(name="mean_over_time")(x)
    if pooling in ("max", "mean_max"):
        peak = MaskedGlobalMaxPooling1D(name="max_over_time")(x)
    if pooling == "mean":
        return mean
    if pooling == "max":
        return peak
    return keras.layers.Concatenate(name="mean_and_max")([mean, peak])


def sequence_input(*, vocab_size, input_dim, embedding_dim, timesteps, name="inputs",
                   embedding_name="embedding", mask_value=None):
    """The input of a sequence model: token ids or feature vectors.

    Exactly one of ``vocab_size`` (integer token ids, 0 = padding, embedded
    with a mask; pad on the right so the fused path stays cuDNN-eligible) or
    ``input_dim`` (float features per step, passed straight in; with
    ``mask_value``, steps equal to it everywhere are masked) must be given.
    Returns ``(input_tensor, sequence_tensor)``.
    """
    if (vocab_size is None) == (input_dim is None):
        raise ValueError(
            "Pass exactly one of `vocab_size` (integer token ids, 0 = padding) "
            f"or `input_dim` (float features per step); got vocab_size={vocab_size!r}, "
            f"input_dim={input_dim!r}."
        )
    check_positive_int("timesteps", timesteps, allow_none=True)
    if vocab_size is not None:
        check_positive_int("vocab_size", vocab_size)
        check_positive_int("embedding_dim", embedding_dim)
        inputs = keras.Input(shape=(timesteps,), dtype="int32", name=name)
        x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True,
                                   name=embedding_name)(inputs)
        return inputs, x
    check_positive_int("input_dim", input_dim)
    inputs = keras.Input(shape=(timesteps, input_dim), name=name)
    x = inputs
    if mask_value is not None:
        x = keras.layers.Masking(mask_value=mask_value, name="masking")(x)
    return inputs, x


def output_layer(num_outputs, output_activation, name="outputs"):
    """The Dense output layer, kept in float32 under mixed precision for a stable loss."""
    check_positive_int("num_outputs", num_outputs)
    try:
        keras.activations.get(output_activation)
    except ValueError as error:
        raise ValueError(
            f"Received an invalid value for argument `output_activation`: "
            f"{output_activation!r}. Use a Keras activation name such as "
            "'softmax', 'sigmoid' or None (linear: logits or regression)."
        ) from error
    return keras.layers.Dense(num_outputs, activation=output_activation,
                              dtype="float32", name=name)


def output_head(x, num_outputs, output_activation, name="outputs"):
    """:func:`output_layer` applied to ``x``."""
    return output_layer(num_outputs, output_activation, name=name)(x)
