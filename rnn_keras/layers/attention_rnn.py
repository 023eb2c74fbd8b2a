import keras
from keras import ops
from keras.saving import register_keras_serializable

from rnn_keras.layers.base_attention import BaseAttention
from rnn_keras.layers.base_cell import DropoutRNNCell  # Keras's dropout protocol
from rnn_keras.validation import check_bool


@register_keras_serializable(package="rnn_keras")
class AttentionRNN(keras.layers.Layer):
    """A recurrent layer whose cell attends over a memory at every step.

    The decoder of Bahdanau et al. (2015): at step ``t`` the previous state
    ``s_{t-1}`` queries the encoder outputs ``H`` (the *memory*), and the
    context vector joins the step's input:

        c_t, a_t = attention(s_{t-1}, H)          a_t: weights over the source
        s_t      = cell([x_t; c_t], s_{t-1})
        y_t      = [s_t; c_t]                     what the output layer reads

    Why a layer of its own: Keras 3's ``keras.layers.RNN`` has no
    ``constants`` argument, so a cell wrapped in it cannot see a tensor that is
    the same at every step. This layer runs the time loop itself with
    `keras.ops.scan` (any backend), keeps the memory and its projected keys
    outside the loop (projected once per batch), and follows ``RNN``'s rules:
    a masked step keeps the previous state and outputs zeros, dropout masks
    of the cell are drawn once per batch. ``jit_compile`` works on JAX; on
    TensorFlow Keras trains it without XLA (XLA needs a loop bound that
    ``ops.scan`` does not set there).

    Args:
        cell: a recurrent cell (`rnn_keras.layers.GRUCell`, `LSTMCell`,
            `SimpleRNNCell` or a Keras cell); its first state is the query.
        attention: a `BahdanauAttention` or `LuongAttention` layer.
        return_sequences: return every step's output (default) or the last.
        return_state: also return the cell's final states.
        return_attention: also return the attention weights ``(batch, T, S)``.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: ``(batch, T, features)``, e.g. embedded target tokens.
        memory: ``(batch, S, memory_features)``, the encoder's outputs.
        memory_mask: optional ``(batch, S)``, True on real source positions.
        initial_state: optional list of the cell's states (e.g. the encoder's
            final states); zeros otherwise.
        mask: optional ``(batch, T)`` mask of the inputs (from an
            ``Embedding(mask_zero=True)``).
        training: Python boolean, whether dropout is active.

    Returns:
        ``(batch, T, units + memory_features)`` (or ``(batch, units +
        memory_features)`` without ``return_sequences``), then the final
        states and the weights if asked for.

    Example:

    >>> decoder = AttentionRNN(GRUCell(32), BahdanauAttention(16))
    >>> decoder(np.zeros((2, 5, 8)), np.zeros((2, 7, 24))).shape
    (2, 5, 56)

    A second layer over the same ``cell`` and ``attention`` shares their
    weights: `rnn_keras.decoding.StepDecoder` builds one with
    ``return_state=True, return_attention=True`` to decode step by step.

    References:
        Bahdanau, Cho and Bengio, "Neural machine translation by jointly
        learning to align and translate", ICLR 2015.
    """

    def __init__(self, cell, attention, return_sequences=True, return_state=False,
                 return_attention=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, dict):
            cell = keras.saving.deserialize_keras_object(cell)
        if isinstance(attention, dict):
            attention = keras.saving.deserialize_keras_object(attention)
        if not (isinstance(cell, keras.layers.Layer) and hasattr(cell, "state_size")):
            raise ValueError(
                "Received an invalid value for argument `cell`: "
                f"{cell!r}. Expected a recurrent cell layer such as "
                "rnn_keras.layers.GRUCell(64)."
            )
        if not isinstance(attention, BaseAttention):
            raise ValueError(
                "Received an invalid value for argument `attention`: "
                f"{attention!r}. Expected rnn_keras.layers.BahdanauAttention(...) or "
                "LuongAttention(...)."
            )
        self.cell = cell
        self.attention = attention
        self.return_sequences = check_bool("return_sequences", return_sequences)
        self.return_state = check_bool("return_state", return_state)
        self.return_attention = check_bool("return_attention", return_attention)
        self.supports_masking = True
        # XLA on TensorFlow needs a bound on the loop's length that
        # `ops.scan` does not set: Keras then trains this model without XLA
        # (with a warning if jit_compile=True was asked for). JAX compiles it.
        self.supports_jit = keras.backend.backend() != "tensorflow"
        state_size = cell.state_size
        self._state_sizes = list(state_size) if isinstance(state_size, (list, tuple)) \
            else [state_size]

    @property
    def units(self):
        return self._state_sizes[0]

    def build(self, inputs_shape, memory_shape):
        batch = inputs_shape[0]
        # (sub-layers restored from a .keras file arrive already built)
        if not self.attention.built:
            self.attention.build([(batch, None, self.units), tuple(memory_shape)])
        if not self.cell.built:
            self.cell.build((batch, inputs_shape[-1] + memory_shape[-1]))

    def get_initial_state(self, batch_size):
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype)
                for size in self._state_sizes]

    def _prepare_dropout(self, step_input, state, training):
        if isinstance(self.cell, DropoutRNNCell) and training:
            self.cell.get_dropout_mask(step_input)
            self.cell.get_recurrent_dropout_mask(state)

    def _reset_dropout(self):
        if isinstance(self.cell, DropoutRNNCell):
            self.cell.reset_dropout_mask()
            self.cell.reset_recurrent_dropout_mask()

    def call(self, inputs, memory, memory_mask=None, initial_state=None, mask=None,
             training=False):
        if len(inputs.shape) != 3 or len(memory.shape) != 3:
            raise ValueError(
                "AttentionRNN expects inputs (batch, steps, features) and memory (batch, "
                f"source_steps, features); received {tuple(inputs.shape)} and "
                f"{tuple(memory.shape)}."
            )
        batch = ops.shape(inputs)[0]
        if initial_state is None:
            states = self.get_initial_state(batch)
        else:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            if len(states) != len(self._state_sizes):
                raise ValueError(
                    f"AttentionRNN's cell has {len(self._state_sizes)} state(s); "
                    f"`initial_state` holds {len(states)}."
                )
        states = [ops.cast(s, self.compute_dtype) for s in states]
        keys = self.attention.project_keys(memory)
        if memory_mask is not None:
            memory_mask = ops.cast(memory_mask, "bool")
        self._prepare_dropout(
            ops.concatenate([inputs[:, 0], memory[:, 0]], axis=-1), states[0], training)

        def step(carry, x):
            previous_output, previous_weights, *previous_states = carry
            x_t, keep = x[:, :-1], x[:, -1] > 0.5
            query = ops.expand_dims(previous_states[0], 1)
            context, weights = self.attention.attend(query, keys, memory, memory_mask)
            context, weights = context[:, 0], weights[:, 0]
            cell_input = ops.concatenate([x_t, ops.cast(context, x_t.dtype)], axis=-1)
            h, new_states = self.cell(cell_input, previous_states, training=training)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) \
                else [new_states]
            output = ops.concatenate([h, ops.cast(context, h.dtype)], axis=-1)
            weights = ops.cast(weights, previous_weights.dtype)
            k = ops.expand_dims(keep, -1)
            new_states = [ops.where(k, n, p) for n, p in zip(new_states, previous_states)]
            output = ops.where(k, output, ops.zeros_like(output))
            weights = ops.where(k, weights, ops.zeros_like(weights))
            carry = [output, weights, *new_states]
            return carry, carry

        out_width = self.units + memory.shape[-1]
        init = [ops.zeros((batch, out_width), dtype=self.compute_dtype),
                ops.zeros_like(ops.cast(memory[:, :, 0], "float32")), *states]
        # The step mask rides along as one more input feature: `ops.scan` on
        # TensorFlow (Keras 3.15) fails on several inputs of unknown length.
        keep = ops.ones(ops.shape(inputs)[:2], dtype=inputs.dtype) if mask is None \
            else ops.cast(mask, inputs.dtype)
        time_major = ops.transpose(
            ops.concatenate([inputs, ops.expand_dims(keep, -1)], axis=-1), (1, 0, 2))
        last, sequence = ops.scan(step, init, time_major)
        self._reset_dropout()
        outputs = ops.transpose(sequence[0], (1, 0, 2))
        weights = ops.transpose(sequence[1], (1, 0, 2))
        if not self.return_sequences:
            # the last real step's output and weights, wherever the padding is
            outputs = _at_last_real_step(outputs, mask)
            weights = _at_last_real_step(weights, mask)
        results = [outputs]
        if self.return_state:
            results += list(last[2:])
        if self.return_attention:
            results.append(weights)
        return results[0] if len(results) == 1 else tuple(results)

    def compute_mask(self, inputs, mask=None):
        if not self.return_sequences or mask is None:
            return None
        return mask

    def get_config(self):
        config = super().get_config()
        config.update({
            "cell": keras.saving.serialize_keras_object(self.cell),
            "attention": keras.saving.serialize_keras_object(self.attention),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "return_attention": self.return_attention,
        })
        return config


def _at_last_real_step(sequence, mask):
    """``sequence[:, t]`` at each row's last unmasked step ``t`` (zeros for a row with none).

    Padding may sit on either side: a left-padded row's last real step is the
    last step, a right-padded row's is before its padding. (Masked steps hold
    zeros, so the last step of a right-padded row is not its answer.)
    """
    if mask is None:
        return sequence[:, -1]
    mask = ops.cast(mask, "bool")
    steps = ops.shape(mask)[1]
    positions = ops.arange(steps, dtype="int32")[None, :]
    last = ops.max(ops.where(mask, positions, -1), axis=1)  # -1: no real step
    picked = ops.take_along_axis(sequence, ops.maximum(last, 0)[:, None, None], axis=1)[:, 0]
    return ops.where(ops.expand_dims(last >= 0, -1), picked, ops.zeros_like(picked))
