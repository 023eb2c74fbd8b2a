from keras import ops
from keras.saving import register_keras_serializable

from rnn_keras.layers.base_cell import BaseCell


@register_keras_serializable(package="rnn_keras")
class SimpleRNNCell(BaseCell):
    """The vanilla (Elman) recurrent cell, written from scratch in `keras.ops`.

    At each step the new hidden state mixes the current input with the
    previous state through the *same* two matrices at every step (parameter
    sharing):

        h_t = tanh(x_t W + h_{t-1} U + b)

    and the output is the state, ``y_t = h_t``. Weights have the layout of
    `keras.layers.SimpleRNNCell` (``kernel`` W: ``(input_dim, units)``,
    ``recurrent_kernel`` U: ``(units, units)``, ``bias`` b: ``(units,)``), so
    ``set_weights`` moves them between the two.

    Args:
        units: Positive integer, size of the hidden state.
        activation: Activation of the state. Default: ``"tanh"``.
        use_bias: Whether to add the bias ``b``. Default: ``True``.
        kernel_initializer, recurrent_initializer, bias_initializer:
            Initializers for W, U and b (defaults ``"glorot_uniform"``,
            ``"orthogonal"``, ``"zeros"``).
        kernel_regularizer, recurrent_regularizer, bias_regularizer:
            Optional regularizers for W, U and b.
        kernel_constraint, recurrent_constraint, bias_constraint:
            Optional constraints for W, U and b.
        dropout: Float in [0, 1). Fraction of the input units dropped; one
            mask per sequence, the same at every step.
        recurrent_dropout: Float in [0, 1). Fraction of the state units
            dropped before the recurrent matmul; one mask per sequence.
        seed: Optional integer, seed of the dropout masks.

    Call arguments:
        inputs: ``(batch, input_dim)``, the input at one step.
        states: list of one tensor ``(batch, units)``, the previous state.
        training: Python boolean, whether dropout is active.

    Returns:
        ``(h_t, [h_t])``.

    Example:

    >>> rnn = keras.layers.RNN(SimpleRNNCell(8), return_sequences=True)
    >>> rnn(np.zeros((2, 5, 3), "float32")).shape
    (2, 5, 8)

    Reference:
        Elman, "Finding structure in time", Cognitive Science 14 (1990).
    """

    gate_names = ()

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.state_size = self.units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self._add_kernels(input_dim, 1)
        self._add_bias((self.units,))

    def step(self, inputs, states, training=False):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        inputs, h_rec = self._dropped(inputs, h_tm1, training)
        z = ops.matmul(inputs, self._w(self.kernel))
        if self.use_bias:
            z = z + self._w(self.bias)
        z = z + ops.matmul(h_rec, self._w(self.recurrent_kernel))
        h = self.activation(z) if self.activation is not None else z
        new_states = [h] if isinstance(states, (list, tuple)) else h
        return h, new_states, {}
