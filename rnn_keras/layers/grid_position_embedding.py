from keras import initializers
from keras import ops
from keras.layers import Layer
from keras.saving import register_keras_serializable


@register_keras_serializable(package="rnn_keras")
class GridPositionEmbedding(Layer):
    """Adds a learned vector per position to a sequence of grid cells.

    A CNN's feature grid, flattened to ``(batch, cells, features)`` for
    attention, forgets where each cell was; an attention decoder asked for
    "the digit to the left" needs to know. This layer adds a trainable
    ``(cells, features)`` table to the features (as a Transformer adds
    position embeddings), so each cell's key says where it sits.

    Args:
        initializer: initializer of the table (default: small normal).

    Call arguments:
        inputs: ``(batch, cells, features)`` with a fixed number of cells.

    Example:

    >>> grid = keras.layers.Reshape((64, 128))(cnn_features)   # an 8x8 grid
    >>> memory = GridPositionEmbedding()(grid)
    """

    def __init__(self, initializer="random_normal", **kwargs):
        super().__init__(**kwargs)
        self.initializer = initializers.get(initializer)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[1] is None or input_shape[2] is None:
            raise ValueError("GridPositionEmbedding expects (batch, cells, features) inputs "
                             f"with a known number of cells and features, got {input_shape}.")
        self.positions = self.add_weight(shape=tuple(input_shape[1:]), name="positions",
                                         initializer=self.initializer)

    def call(self, inputs):
        return inputs + ops.cast(self.positions, inputs.dtype)[None]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"initializer": initializers.serialize(self.initializer)})
        return config
