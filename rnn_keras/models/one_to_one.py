import keras

from rnn_keras.validation import check_positive_int
from rnn_keras.validation import check_rate
from rnn_keras.models.common import output_head


def one_to_one(input_shape, num_outputs, *, units=64, num_layers=1, dropout=0.0,
               activation="relu", output_activation=None, name="one_to_one"):
    """One input, one output: a feed-forward network (no time axis).

    The degenerate RNN topology, a recurrent step run once from a zero state,
    is exactly a dense layer; this builder is the baseline the other
    topologies are compared against.

    Args:
        input_shape: integer (features) or tuple (e.g. ``(8, 8)`` images,
            flattened first).
        num_outputs: size of the output layer (classes or regression targets).
        units: width of each hidden dense layer.
        num_layers: number of hidden layers (0 is allowed: a linear model).
        dropout: dropout rate after each hidden layer.
        activation: activation of the hidden layers.
        output_activation: activation of the outputs; ``None`` gives logits
            (use ``from_logits=True`` in the loss) or regression values.
        name: the model's name.

    Returns:
        A built `keras.Model`: ``(batch, *input_shape)`` to ``(batch, num_outputs)``.

    Example:

    >>> model = one_to_one(64, 10)        # 8x8 digits, flattened
    """
    if isinstance(input_shape, int) and not isinstance(input_shape, bool):
        input_shape = (input_shape,)
    if not isinstance(input_shape, (tuple, list)) or not input_shape or not all(
        isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in input_shape
    ):
        raise ValueError(
            f"Received an invalid value for argument `input_shape`: {input_shape!r}. "
            "Expected a positive integer or a tuple of them."
        )
    check_positive_int("units", units)
    if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 0:
        raise ValueError(
            f"Received an invalid value for argument `num_layers`: {num_layers!r}. "
            "Expected an integer >= 0."
        )
    dropout = check_rate("dropout", dropout)
    inputs = keras.Input(shape=tuple(input_shape), name="inputs")
    x = keras.layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    for index in range(num_layers):
        x = keras.layers.Dense(units, activation=activation, name=f"dense_{index + 1}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout_{index + 1}")(x)
    outputs = output_head(x, num_outputs, output_activation)
    return keras.Model(inputs, outputs, name=name)
