import keras

from rnn_keras.validation import check_positive_int
from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import output_head
from rnn_keras.models.common import recurrent_stack
from rnn_keras.models.common import sequence_input


def seq2seq(target_vocab_size, *, source_vocab_size=None, source_input_dim=None,
            embedding_dim=64, cell="gru", units=64, num_layers=1, bidirectional=False,
            dropout=0.0, recurrent_dropout=0.0, implementation="fused",
            name="seq2seq"):
    """Encoder-decoder: a sequence in, a sequence of another length out.

    The encoder stack reads the source; each encoder layer's final states
    start the matching decoder layer (Sutskever et al., 2014; Cho et al.,
    2014). The decoder is trained with teacher forcing: it reads ``<start>``
    followed by the target shifted right and predicts the target, one token
    per step.

    With ``bidirectional=True`` the encoder reads both ways; the two
    directions' final states are concatenated, so the decoder has
    ``2 * units``. The encoder's output sequence (layer ``encoder_N``,
    ``return_sequences=True``) stays in the graph for attention to use.

    Args:
        target_vocab_size: size of the target vocabulary (0 = padding).
        source_vocab_size: for token-id sources, their vocabulary size.
        source_input_dim: for float feature sources, features per step. Give
            exactly one of the two.
        embedding_dim: width of the token embeddings.
        cell, units, num_layers, bidirectional, dropout, recurrent_dropout,
        implementation: the shared recurrent arguments (``bidirectional``
            applies to the encoder).
        name: the model's name.

    Returns:
        A built `keras.Model` on ``{"encoder_inputs": (batch, S),
        "decoder_inputs": (batch, T)}`` giving ``(batch, T,
        target_vocab_size)`` logits. Weight the loss with ``sample_weight``
        (0 on padded target steps).

    Example:

    >>> model = seq2seq(5000, source_vocab_size=5000, cell="gru", units=256)
    """
    args = check_recurrent_args(cell, units, num_layers, bidirectional, dropout,
                                recurrent_dropout, implementation)
    check_positive_int("target_vocab_size", target_vocab_size)
    source, x = sequence_input(
        vocab_size=source_vocab_size, input_dim=source_input_dim,
        embedding_dim=embedding_dim, timesteps=None, name="encoder_inputs",
        embedding_name="encoder_embedding",
    )
    _, encoder_states = recurrent_stack(x, **args, return_sequences=True,
                                        return_state=True, prefix="encoder")
    decoder_args = dict(args, bidirectional=False,
                        units=args["units"] * (2 if args["bidirectional"] else 1))
    target = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
    y = keras.layers.Embedding(target_vocab_size, embedding_dim, mask_zero=True,
                               name="decoder_embedding")(target)
    y = recurrent_stack(y, **decoder_args, return_sequences=True,
                        initial_states=encoder_states, prefix="decoder")
    outputs = output_head(y, target_vocab_size, None, name="logits")
    return keras.Model({"encoder_inputs": source, "decoder_inputs": target}, outputs,
                       name=name)
