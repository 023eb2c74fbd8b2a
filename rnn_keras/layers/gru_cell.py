from keras import activations
from keras import ops
from keras.saving import register_keras_serializable

from rnn_keras.layers.base_cell import BaseCell


@register_keras_serializable(package="rnn_keras")
class GRUCell(BaseCell):
    """Gated recurrent unit, written from scratch in `keras.ops`.

    One state ``h`` and two gates. With ``reset_after=True`` (the default,
    Keras's and cuDNN's variant) the reset gate scales the recurrent
    contribution *after* its matmul:

        z_t = sigmoid(x_t W_z + b_z + h_{t-1} U_z + r_z)         update gate
        r_t = sigmoid(x_t W_r + b_r + h_{t-1} U_r + r_r)         reset gate
        n_t = tanh(x_t W_h + b_h + r_t * (h_{t-1} U_h + r_h))    candidate
        h_t = z_t * h_{t-1} + (1 - z_t) * n_t

    With ``reset_after=False`` (Cho et al., 2014) the candidate is
    ``tanh(x_t W_h + (r_t * h_{t-1}) U_h + b_h)`` and there is one bias.
    ``z_t`` near 1 copies the state forward unchanged: the GRU's path for
    long memory, with three gate blocks instead of the LSTM's four (about
    3/4 of its parameters).

    Gate order is Keras's **z, r, h**: ``kernel`` ``(input_dim, 3 units)``,
    ``recurrent_kernel`` ``(units, 3 units)``, ``bias`` ``(2, 3 units)``
    (input and recurrent biases) with ``reset_after=True``, else
    ``(3 units,)``; the same as `keras.layers.GRUCell`.

    Args:
        units: Positive integer, size of ``h``.
        activation: Activation of the candidate. Default ``"tanh"``.
        recurrent_activation: Activation of the gates. Default ``"sigmoid"``.
        reset_after: Where the reset gate applies (see above). Default True.
        use_bias, kernel_initializer, recurrent_initializer,
        bias_initializer, kernel_regularizer, recurrent_regularizer,
        bias_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout, seed: as in
        `SimpleRNNCell`.

    Call arguments:
        inputs: ``(batch, input_dim)``.
        states: ``[h_{t-1}]``, ``(batch, units)``.
        training: Python boolean, whether dropout is active.

    Returns:
        ``(h_t, [h_t])``. `step()` also returns the gates ``update``,
        ``reset`` and ``candidate``.

    Example:

    >>> gru = keras.layers.RNN(GRUCell(16))
    >>> gru(np.zeros((4, 10, 3), "float32")).shape
    (4, 16)

    References:
        Cho et al., "Learning phrase representations using RNN
        encoder-decoder for statistical machine translation", EMNLP 2014.
    """

    gate_names = ("update", "reset", "candidate")

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        reset_after=True,
        **kwargs,
    ):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)
        self.state_size = self.units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self._add_kernels(input_dim, 3)
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_bias(shape)

    def step(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        h_tm1 = states[0] if nested else states
        inputs, h_rec = self._dropped(inputs, h_tm1, training)
        u = self.units
        kernel = self._w(self.kernel)
        recurrent_kernel = self._w(self.recurrent_kernel)
        input_bias = recurrent_bias = None
        if self.use_bias:
            bias = self._w(self.bias)
            if self.reset_after:
                input_bias, recurrent_bias = bias[0], bias[1]
            else:
                input_bias = bias

        x = ops.matmul(inputs, kernel)
        if input_bias is not None:
            x = x + input_bias
        x_z, x_r, x_h = ops.split(x, 3, axis=-1)

        if self.reset_after:
            rec = ops.matmul(h_rec, recurrent_kernel)
            if recurrent_bias is not None:
                rec = rec + recurrent_bias
            rec_z, rec_r, rec_h = ops.split(rec, 3, axis=-1)
            update_gate = self.recurrent_activation(x_z + rec_z)
            reset_gate = self.recurrent_activation(x_r + rec_r)
            candidate = self.activation(x_h + reset_gate * rec_h)
        else:
            rec = ops.matmul(h_rec, recurrent_kernel[:, : 2 * u])
            rec_z, rec_r = ops.split(rec, 2, axis=-1)
            update_gate = self.recurrent_activation(x_z + rec_z)
            reset_gate = self.recurrent_activation(x_r + rec_r)
            candidate = self.activation(
                x_h + ops.matmul(reset_gate * h_rec, recurrent_kernel[:, 2 * u :])
            )
        h = update_gate * h_tm1 + (1.0 - update_gate) * candidate
        gates = {"update": update_gate, "reset": reset_gate, "candidate": candidate}
        return h, ([h] if nested else h), gates

    def get_config(self):
        config = {
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }
        return {**super().get_config(), **config}
