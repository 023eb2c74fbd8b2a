"""Shared machinery of the from-scratch recurrent cells."""

import keras
from keras import activations
from keras import constraints
from keras import initializers
from keras import ops
from keras import regularizers

from rnn_keras._keras_compat import DropoutRNNCell  # Keras's dropout-mask protocol
from rnn_keras.validation import check_positive_int
from rnn_keras.validation import check_rate
from rnn_keras.validation import check_seed


class BaseCell(keras.layers.Layer, DropoutRNNCell):
    """Base class of `SimpleRNNCell`, `LSTMCell` and `GRUCell`.

    It holds what the three cells share: argument checks, initializers and
    regularizers resolved with ``*.get()``, dropout masks drawn once per
    batch (Keras's `DropoutRNNCell` protocol, so `keras.layers.RNN` draws them
    before its time loop and the step stays traceable under `jit_compile` on
    JAX), and the split between ``step()``, which also returns the gate
    activations, and ``call()``, which the RNN layer uses.

    Subclasses set ``gate_names`` and implement ``build()``, ``step()`` and
    ``state_size``.
    """

    gate_names = ()

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_positive_int("units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate("dropout", dropout)
        self.recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout)
        self.seed = check_seed("seed", seed)
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.supports_masking = True
        self.output_size = self.units

    # -- helpers for subclasses -------------------------------------------
    def _add_kernels(self, input_dim, n_gates):
        self.kernel = self.add_weight(
            shape=(input_dim, self.units * n_gates),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units * n_gates),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )

    def _add_bias(self, shape, initializer=None):
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=shape,
                name="bias",
                initializer=initializer or self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _w(self, variable):
        """A weight in the compute dtype (for mixed precision and `step()`)."""
        return ops.cast(variable, self.compute_dtype)

    def _dropped(self, inputs, h_tm1, training):
        """Applies the per-batch input and recurrent dropout masks."""
        if training and self.dropout > 0:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and self.recurrent_dropout > 0:
            h_tm1 = h_tm1 * self.get_recurrent_dropout_mask(h_tm1)
        return inputs, h_tm1

    # -- the cell API ------------------------------------------------------
    def step(self, inputs, states, training=False):
        """One time step. Returns ``(output, new_states, gates)``.

        ``gates`` maps each name in ``gate_names`` to its activation, shape
        ``(batch, units)``. `call()` is this without the gates.
        """
        raise NotImplementedError

    def call(self, inputs, states, training=False):
        output, new_states, _ = self.step(inputs, states, training=training)
        return output, new_states

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [
            self.state_size
        ]
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in sizes]

    def get_config(self):
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        base_config = super().get_config()
        return {**base_config, **config}
