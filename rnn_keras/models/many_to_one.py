import keras

from rnn_keras.models.common import POOLINGS
from rnn_keras.validation import check_choice
from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import output_head
from rnn_keras.models.common import pool_over_time
from rnn_keras.models.common import recurrent_stack
from rnn_keras.models.common import sequence_input


def many_to_one(num_outputs, *, vocab_size=None, input_dim=None, embedding_dim=64,
                timesteps=None, cell="lstm", units=64, num_layers=1, bidirectional=False,
                dropout=0.0, recurrent_dropout=0.0, implementation="fused",
                pooling="last", mask_value=None, output_activation=None,
                name="many_to_one"):
    """A sequence in, one output: classification or regression of sequences.

    Sentiment of a review, the class of a video clip, the sum in the adding
    problem. The recurrent stack reads the whole sequence; the summary is its
    last state (``pooling="last"``), or the mean (``"mean"``), the maximum
    (``"max"``) or both concatenated (``"mean_max"``) of its outputs over
    the real, unmasked steps; ``"concat"`` joins the last state, the mean and
    the maximum (ULMFiT's concat pooling, Howard and Ruder 2018).

    Args:
        num_outputs: size of the output layer.
        vocab_size: for token-id inputs (0 = padding, right-padded): size of
            the vocabulary; the ids are embedded with a mask.
        input_dim: for float feature inputs: features per step. Give exactly
            one of ``vocab_size`` and ``input_dim``.
        embedding_dim: embedding width for token inputs.
        timesteps: fixed sequence length, or ``None`` for any length.
        cell, units, num_layers, bidirectional, dropout, recurrent_dropout, implementation:
            the shared recurrent arguments
            (see `rnn_keras.models.common`).
        pooling: ``"last"``, ``"mean"``, ``"max"``, ``"mean_max"`` or ``"concat"``.
        mask_value: for feature inputs, steps whose features all equal it
            are masked (padding).
        output_activation: ``None`` (logits/regression), ``"sigmoid"``,
            ``"softmax"``...
        name: the model's name.

    Returns:
        A built `keras.Model`: ``(batch, timesteps[, input_dim])`` to
        ``(batch, num_outputs)``. Its recurrent layers are ``rnn_1`` ...

    Example:

    >>> model = many_to_one(1, vocab_size=20000, cell="gru", bidirectional=True)
    """
    args = check_recurrent_args(cell, units, num_layers, bidirectional, dropout,
                                recurrent_dropout, implementation)
    pooling = check_choice("pooling", pooling, POOLINGS)
    inputs, x = sequence_input(vocab_size=vocab_size, input_dim=input_dim,
                               embedding_dim=embedding_dim, timesteps=timesteps,
                               mask_value=mask_value)
    if pooling == "concat":
        # the last layer's final h is the output of the last real (unmasked) step
        x, states = recurrent_stack(x, **args, return_sequences=True, return_state=True)
        x = keras.layers.Concatenate(name="last_mean_max")(
            [states[-1][0], pool_over_time(x, "mean_max")])
    else:
        x = recurrent_stack(x, **args, return_sequences=pooling != "last")
    if pooling not in ("last", "concat"):
        x = pool_over_time(x, pooling)
    outputs = output_head(x, num_outputs, output_activation)
    return keras.Model(inputs, outputs, name=name)
