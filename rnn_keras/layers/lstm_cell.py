from keras import activations
from keras import initializers
from keras import ops
from keras.saving import register_keras_serializable

from rnn_keras.layers.base_cell import BaseCell


@register_keras_serializable(package="rnn_keras")
class LSTMCell(BaseCell):
    """Long short-term memory cell, written from scratch in `keras.ops`.

    The cell keeps two states, the hidden state ``h`` and the memory cell
    ``c``. Three gates, each a sigmoid in (0, 1), decide what the memory
    keeps, takes in and shows:

        i_t = sigmoid(x_t W_i + h_{t-1} U_i + b_i)      input gate
        f_t = sigmoid(x_t W_f + h_{t-1} U_f + b_f)      forget gate
        g_t = tanh(x_t W_c + h_{t-1} U_c + b_c)         candidate memory
        o_t = sigmoid(x_t W_o + h_{t-1} U_o + b_o)      output gate
        c_t = f_t * c_{t-1} + i_t * g_t                 memory: an additive path
        h_t = o_t * tanh(c_t)

    Because ``c_t`` is updated by addition, the gradient through the memory
    is ``f_t`` per step instead of a product of Jacobians with ``tanh'``: with
    the forget gate near 1, it survives hundreds of steps.

    The four gate blocks are fused into one matrix in Keras's order
    **i, f, c, o**: ``kernel`` ``(input_dim, 4 units)``, ``recurrent_kernel``
    ``(units, 4 units)``, ``bias`` ``(4 units,)``, the same layout as
    `keras.layers.LSTMCell` and the cuDNN-backed `keras.layers.LSTM`.

    Args:
        units: Positive integer, size of ``h`` and ``c``.
        activation: Activation of the candidate and of the output memory.
            Default ``"tanh"``.
        recurrent_activation: Activation of the gates. Default ``"sigmoid"``.
        use_bias: Whether the gates have biases. Default ``True``.
        unit_forget_bias: If ``True`` (default), the forget-gate bias starts
            at 1 (Jozefowicz et al., 2015), so the memory is kept at first.
        kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint, dropout,
        recurrent_dropout, seed: as in `SimpleRNNCell`.

    Call arguments:
        inputs: ``(batch, input_dim)``.
        states: ``[h_{t-1}, c_{t-1}]``, each ``(batch, units)``.
        training: Python boolean, whether dropout is active.

    Returns:
        ``(h_t, [h_t, c_t])``. `step()` also returns the gates ``input``,
        ``forget``, ``candidate``, ``output`` and the memory ``cell``.

    Example:

    >>> lstm = keras.layers.RNN(LSTMCell(16), return_state=True)
    >>> h, h_again, c = lstm(np.zeros((4, 10, 3), "float32"))

    References:
        Hochreiter & Schmidhuber, "Long short-term memory", Neural
        Computation 9 (1997); Gers et al., "Learning to forget" (2000).
    """

    gate_names = ("input", "forget", "candidate", "output", "cell")

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        unit_forget_bias=True,
        **kwargs,
    ):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self._add_kernels(input_dim, 4)
        initializer = None
        if self.use_bias and self.unit_forget_bias:
            units, base = self.units, self.bias_initializer

            def initializer(_, *args, **kwargs):
                return ops.concatenate(
                    [
                        base((units,), *args, **kwargs),
                        initializers.get("ones")((units,), *args, **kwargs),
                        base((2 * units,), *args, **kwargs),
                    ]
                )

        self._add_bias((4 * self.units,), initializer)

    def step(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        inputs, h_rec = self._dropped(inputs, h_tm1, training)
        z = ops.matmul(inputs, self._w(self.kernel)) + ops.matmul(
            h_rec, self._w(self.recurrent_kernel)
        )
        if self.use_bias:
            z = z + self._w(self.bias)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        input_gate = self.recurrent_activation(z_i)
        forget_gate = self.recurrent_activation(z_f)
        candidate = self.activation(z_c)
        output_gate = self.recurrent_activation(z_o)
        c = forget_gate * c_tm1 + input_gate * candidate
        h = output_gate * self.activation(c)
        gates = {
            "input": input_gate,
            "forget": forget_gate,
            "candidate": candidate,
            "output": output_gate,
            "cell": c,
        }
        return h, [h, c], gates

    def get_config(self):
        config = {
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }
        return {**super().get_config(), **config}
