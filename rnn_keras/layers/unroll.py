"""Unrolling a cell over time in plain Python, for teaching and diagnostics.

`keras.layers.RNN` runs a compiled loop (``tf.while_loop``, ``jax.lax.scan``)
and only hands back outputs and final states. For plots and gradient studies
we want every intermediate: the state at each step and the gates inside the
cell. :func:`unroll` walks the sequence step by step with the cell's own
``step()`` and keeps them; :func:`record_gates` is its convenience wrapper.
Both accept a package cell, `keras.layers.RNN` around one, or Keras's own
layers and cells (`SimpleRNN`, `LSTM`, `GRU`, fused or not), whose weights are
copied into the matching from-scratch cell: the layouts are the same.
"""

import keras
import numpy as np
from keras import ops

from rnn_keras.layers.base_cell import BaseCell
from rnn_keras.layers.gru_cell import GRUCell
from rnn_keras.layers.lstm_cell import LSTMCell
from rnn_keras.layers.simple_rnn_cell import SimpleRNNCell

_KERAS_TO_SCRATCH = (
    (keras.layers.LSTMCell, LSTMCell),
    (keras.layers.GRUCell, GRUCell),
    (keras.layers.SimpleRNNCell, SimpleRNNCell),
)


def as_scratch_cell(layer):
    """Returns ``(cell, go_backwards)`` for a recurrent layer or cell.

    Args:
        layer: a package cell, a `keras.layers.RNN` wrapping one, or one of
            Keras's `SimpleRNN`/`LSTM`/`GRU` layers or cells. Keras's layers
            must be built; their weights are copied into a new package cell
            with the same configuration.

    Raises:
        ValueError: for anything else (a `Bidirectional` layer: pass its
            ``forward_layer`` or ``backward_layer``).
    """
    go_backwards = False
    if isinstance(layer, keras.layers.Bidirectional):
        raise ValueError(
            "Received a `Bidirectional` layer; unroll each direction on its own: "
            "pass `layer.forward_layer` or `layer.backward_layer`."
        )
    if isinstance(layer, keras.layers.RNN):
        go_backwards = bool(layer.go_backwards)
        layer = layer.cell
    if isinstance(layer, BaseCell):
        return layer, go_backwards
    for keras_cls, scratch_cls in _KERAS_TO_SCRATCH:
        if isinstance(layer, keras_cls):
            if not layer.built:
                raise ValueError(
                    f"The Keras cell {layer.name!r} is not built yet: call the "
                    "layer on data (or build the model) before unrolling it."
                )
            allowed = scratch_cls(1).get_config().keys()
            config = {k: v for k, v in layer.get_config().items() if k in allowed}
            config.pop("name", None)
            cell = scratch_cls(**config)
            cell.build((None, layer.kernel.shape[0]))
            cell.set_weights(layer.get_weights())
            return cell, go_backwards
    raise ValueError(
        "Expected a recurrent cell or layer (rnn_keras.layers.SimpleRNNCell/"
        "LSTMCell/GRUCell, keras.layers.RNN around one, or keras.layers."
        f"SimpleRNN/LSTM/GRU), got {type(layer).__name__}."
    )


def sequence_and_cell(layer, inputs):
    """``(cell, go_backwards, inputs as a tensor)``, checking ``inputs`` is 3-D."""
    cell, go_backwards = as_scratch_cell(layer)
    inputs = ops.convert_to_tensor(inputs, dtype=cell.compute_dtype)
    if len(inputs.shape) != 3:
        raise ValueError(
            "Expected `inputs` of shape (batch, timesteps, features), got shape "
            f"{tuple(inputs.shape)}."
        )
    return cell, go_backwards, inputs


def unroll(layer, inputs, initial_state=None, mask=None, state_offsets=None):
    """Runs a cell over a sequence one step at a time, keeping everything.

    Args:
        layer: see :func:`as_scratch_cell`.
        inputs: ``(batch, timesteps, features)`` array or tensor.
        initial_state: optional list of state tensors, else zeros.
        mask: optional boolean ``(batch, timesteps)``; at a masked step the
            states are carried forward unchanged, as `keras.layers.RNN` does.
        state_offsets: optional ``(timesteps, batch, units)`` tensor added to
            the first state (``h``) after each step. Zero offsets change
            nothing, and the gradient with respect to them is the gradient
            with respect to each step's hidden state (see `rnn_keras.bptt`).

    Returns:
        A dict with ``"outputs"`` ``(batch, timesteps, units)``, ``"states"``
        (the list of final states) and one ``(batch, timesteps, units)``
        tensor per gate name of the cell, in time order of the input (also
        when the layer runs backwards).
    """
    cell, go_backwards, inputs = sequence_and_cell(layer, inputs)
    batch, timesteps = inputs.shape[0], inputs.shape[1]
    if not cell.built:
        cell.build(inputs.shape[:1] + inputs.shape[2:])
    states = (
        list(initial_state)
        if initial_state is not None
        else cell.get_initial_state(batch_size=batch)
    )
    if mask is not None:
        mask = ops.convert_to_tensor(mask, dtype="bool")
    order = range(timesteps - 1, -1, -1) if go_backwards else range(timesteps)
    outputs, gates = {}, {name: {} for name in cell.gate_names}
    for t in order:
        output, new_states, step_gates = cell.step(inputs[:, t, :], states)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [
            new_states
        ]
        if state_offsets is not None:
            new_states[0] = new_states[0] + state_offsets[t]
            output = new_states[0]
        if mask is not None:
            keep = ops.expand_dims(mask[:, t], -1)
            new_states = [ops.where(keep, n, s) for n, s in zip(new_states, states)]
            output = new_states[0]
        states = new_states
        outputs[t] = output
        for name, value in step_gates.items():
            gates[name][t] = value
    result = {
        "outputs": ops.stack([outputs[t] for t in range(timesteps)], axis=1),
        "states": states,
    }
    for name, per_step in gates.items():
        result[name] = ops.stack([per_step[t] for t in range(timesteps)], axis=1)
    return result


def record_gates(layer, inputs, initial_state=None, mask=None):
    """Returns each step's gate activations as NumPy arrays, for plots.

    Args:
        layer, inputs, initial_state, mask: as in :func:`unroll`.

    Returns:
        A dict of ``(batch, timesteps, units)`` arrays: ``"hidden"`` (h_t)
        and the cell's gates: LSTM ``input``, ``forget``, ``candidate``,
        ``output``, ``cell`` (the memory c_t); GRU ``update``, ``reset``,
        ``candidate``; SimpleRNN has none.

    Example:

    >>> model = rnn_keras.models.many_to_one(input_dim=1, num_outputs=1, cell="lstm")
    >>> layer = model.get_layer("rnn_1")
    >>> gates = record_gates(layer, x[:1])   # gates["forget"].shape == (1, T, units)
    """
    result = unroll(layer, inputs, initial_state=initial_state, mask=mask)
    recorded = {"hidden": keras.ops.convert_to_numpy(result.pop("outputs"))}
    result.pop("states")
    recorded.update({k: np.asarray(keras.ops.convert_to_numpy(v)) for k, v in result.items()})
    return recorded
