import keras

from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import output_head
from rnn_keras.models.common import recurrent_stack
from rnn_keras.models.common import sequence_input


def many_to_many(num_outputs, *, vocab_size=None, input_dim=None, embedding_dim=64,
                 timesteps=None, cell="lstm", units=64, num_layers=1,
                 bidirectional=False, dropout=0.0, recurrent_dropout=0.0,
                 implementation="fused", mask_value=None, output_activation=None,
                 name="many_to_many"):
    """Aligned sequence to sequence: one output per input step.

    Tagging each word or frame, next-step prediction (music, video), the
    running answer of a stream. For sequences of *another* length use
    :func:`rnn_keras.models.seq2seq`.

    With ``bidirectional=True`` each output sees the whole sequence, past
    and future: right for tagging a finished sequence, wrong for prediction
    of the next step (it would see the answer).

    Args:
        num_outputs: outputs per step (classes or regression targets).
        vocab_size, input_dim, embedding_dim, timesteps, mask_value: the
            input, as in :func:`many_to_one`.
        cell, units, num_layers, bidirectional, dropout, recurrent_dropout, implementation:
            the shared recurrent arguments.
        output_activation: activation of the per-step outputs.
        name: the model's name.

    Returns:
        A built `keras.Model`: ``(batch, timesteps[, input_dim])`` to
        ``(batch, timesteps, num_outputs)``. Padded steps still get an output:
        weight the loss with ``sample_weight`` (0 on padding).

    Example:

    >>> tagger = many_to_many(5, vocab_size=1000, bidirectional=True)
    """
    args = check_recurrent_args(cell, units, num_layers, bidirectional, dropout,
                                recurrent_dropout, implementation)
    inputs, x = sequence_input(vocab_size=vocab_size, input_dim=input_dim,
                               embedding_dim=embedding_dim, timesteps=timesteps,
                               mask_value=mask_value)
    x = recurrent_stack(x, **args, return_sequences=True)
    outputs = output_head(x, num_outputs, output_activation)
    return keras.Model(inputs, outputs, name=name)
