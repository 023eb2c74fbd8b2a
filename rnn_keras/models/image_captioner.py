import keras

from rnn_keras.layers.attention_rnn import AttentionRNN
from rnn_keras.layers.bahdanau_attention import BahdanauAttention
from rnn_keras.layers.grid_position_embedding import GridPositionEmbedding
from rnn_keras.models.common import STATES_PER_CELL
from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import make_cell
from rnn_keras.models.common import output_layer
from rnn_keras.models.common import recurrent_stack
from rnn_keras.models.encoder_decoder import EncoderDecoder
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_image_shape
from rnn_keras.validation import check_positive_int
from rnn_keras.validation import check_positive_ints


@keras.saving.register_keras_serializable(package="rnn_keras")
class ImageCaptioner(EncoderDecoder):
    """A CNN encoder and a recurrent decoder that attends over the image grid.

    See :func:`rnn_keras.models.image_captioner` for the architecture and the
    arguments. Same base as :class:`rnn_keras.models.Seq2Seq`: handles to its
    parts, ``get_config()`` returning the constructor's arguments (a
    pretrained ``encoder`` is serialized with it), and :meth:`generate`.

    Call arguments:
        inputs: ``{"encoder_inputs": (batch, h, w, c) images,
            "decoder_inputs": (batch, T) ids}`` (``<start>`` + the caption).

    Returns ``(batch, T, vocab_size)`` logits.

    Example:

    >>> model = ImageCaptioner(30, (64, 64, 1), cnn_filters=(16, 32), units=64)
    >>> ids = model.generate(images, max_length=18)  # doctest: +SKIP
    """

    def __init__(self, vocab_size, image_shape, *, cnn_filters=(32, 64, 128), embedding_dim=64,
                 cell="gru", units=128, dropout=0.0, implementation="fused",
                 attention="bahdanau", attention_units=None, encoder=None,
                 name="image_captioner", **kwargs):
        args = check_recurrent_args(cell, units, 1, False, dropout, 0.0, implementation)
        check_positive_int("vocab_size", vocab_size)
        check_positive_int("embedding_dim", embedding_dim)
        attention = check_choice("attention", "none" if attention is None else attention,
                                 ("none", "bahdanau"))
        check_positive_int("attention_units", attention_units, allow_none=True)
        image_shape = check_image_shape("image_shape", image_shape)
        if isinstance(encoder, dict):  # from get_config
            encoder = keras.saving.deserialize_keras_object(encoder)

        # === Layers and Functional Model ===
        image = keras.Input(shape=image_shape, name="encoder_inputs")
        if encoder is not None:
            x = encoder(image)
            if len(x.shape) != 4 or None in x.shape[1:]:
                raise ValueError(f"The encoder must map {image_shape} images to a (batch, "
                                 f"height, width, channels) grid of known size; it gives "
                                 f"{x.shape}.")
        else:
            cnn_filters = check_positive_ints("cnn_filters", cnn_filters)
            scale = 2 ** len(cnn_filters)
            if image_shape[0] % scale or image_shape[1] % scale:
                raise ValueError(f"{len(cnn_filters)} conv blocks halve the image "
                                 f"{len(cnn_filters)} times: height and width must be "
                                 f"divisible by {scale}, got {image_shape[:2]}. Resize the "
                                 "images or use fewer blocks.")
            x = image
            for i, width in enumerate(cnn_filters, start=1):
                x = keras.layers.Conv2D(width, 3, padding="same", activation="relu",
                                        name=f"conv_{i}a")(x)
                x = keras.layers.Conv2D(width, 3, padding="same", activation="relu",
                                        name=f"conv_{i}b")(x)
                x = keras.layers.MaxPooling2D(2, name=f"pool_{i}")(x)
        x = keras.layers.Reshape((x.shape[1] * x.shape[2], x.shape[3]), name="grid")(x)
        x = keras.layers.Dense(units, activation="relu", name="grid_projection")(x)
        memory_layer = keras.layers.Identity(name="encoder_outputs")
        memory = memory_layer(GridPositionEmbedding(name="grid_positions")(x))
        # The whole grid, flattened, sets the initial state: unlike the mean cell
        # it keeps where things are, which a decoder without attention needs.
        summary = keras.layers.Flatten(name="flat_grid")(memory)
        state_layers = [keras.layers.Dense(units, activation="tanh", name=f"encoder_1_state_{k}")
                        for k in range(STATES_PER_CELL[args["cell"]])]
        states = [layer(summary) for layer in state_layers]
        tokens = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
        decoder_embedding = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True,
                                                   name="decoder_embedding")
        y = decoder_embedding(tokens)
        if attention == "bahdanau":
            decoder_cell = make_cell(args["cell"], units, args["implementation"],
                                     dropout=args["dropout"])
            decoder = AttentionRNN(decoder_cell, BahdanauAttention(attention_units or units),
                                   name="decoder_1")
            y = decoder(y, memory, initial_state=states)
        else:
            created = []
            y = recurrent_stack(y, **args, return_sequences=True, initial_states=[states],
                                prefix="decoder", created=created)
            decoder = created[0][0]
        logits_layer = output_layer(vocab_size, None, name="logits")
        outputs = logits_layer(y)

        # === Handles (what StepDecoder and generate() use) ===
        self.keep_handles(
            source_name="encoder_inputs", uses_attention=attention == "bahdanau",
            memory_layer=memory_layer, encoder_layers=[], encoder_state_layers=[state_layers],
            decoder_embedding=decoder_embedding, decoder_layers=[decoder],
            luong_attention=None, attention_concat=None, attention_combine=None,
            logits_layer=logits_layer)
        super().__init__({"encoder_inputs": image, "decoder_inputs": tokens}, outputs,
                         name=name, **kwargs)

        # === Config ===
        self.vocab_size = vocab_size
        self.image_shape = tuple(image_shape)
        self.cnn_filters = tuple(cnn_filters)
        self.embedding_dim = embedding_dim
        self.cell = args["cell"]
        self.units = args["units"]
        self.dropout = args["dropout"]
        self.implementation = args["implementation"]
        self.attention = attention
        self.attention_units = attention_units
        object.__setattr__(self, "encoder", encoder)  # already a layer of the graph

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "vocab_size": self.vocab_size,
            "image_shape": list(self.image_shape),
            "cnn_filters": list(self.cnn_filters),
            "embedding_dim": self.embedding_dim,
            "cell": self.cell,
            "units": self.units,
            "dropout": self.dropout,
            "implementation": self.implementation,
            "attention": self.attention,
            "attention_units": self.attention_units,
            "encoder": (None if self.encoder is None
                        else keras.saving.serialize_keras_object(self.encoder)),
        }
