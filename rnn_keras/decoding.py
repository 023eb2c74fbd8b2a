"""Turning a trained decoder into sequences.

:func:`greedy_decode` works with any teacher-forced encoder-decoder built by
`rnn_keras.models.seq2seq` (or `one_to_many` in language-model mode): it feeds
the tokens produced so far back in and takes the most likely next token.
Because the decoder is causal (never bidirectional), running the whole
training model on the prefix gives exactly the step-by-step prediction; it
recomputes the prefix at each step (quadratic in the output length), which is
fine for short outputs.
"""

import numpy as np


def greedy_decode(model, inputs, *, start_id, end_id, max_length,
                  decoder_key="decoder_inputs", batch_size=256):
    """Greedy decoding with a teacher-forced model.

    Args:
        model: a `keras.Model` taking a dict of inputs, one of them the
            decoder's token prefix (``decoder_key``), and returning logits
            ``(batch, T, vocab)``.
        inputs: dict of the other inputs (e.g. ``{"encoder_inputs": ...}``
            or ``{"features": ...}``), each with a leading batch axis.
        start_id, end_id: the ``<start>`` and ``<end>`` token ids.
        max_length: the most tokens to produce.
        decoder_key: the name of the decoder's input (``"tokens"`` for
            `one_to_many`).
        batch_size: batch size of the model calls.

    Returns:
        ``(batch, max_length)`` int array of produced ids; the ``end_id``
        token and everything after it are 0 (padding).
    """
    if not isinstance(inputs, dict) or not inputs:
        raise ValueError(
            "greedy_decode expects `inputs` as a dict of the model's non-decoder "
            f"inputs, e.g. {{'encoder_inputs': ...}}; got {type(inputs).__name__}."
        )
    if decoder_key in inputs:
        raise ValueError(
            f"`inputs` must not contain the decoder input {decoder_key!r}: "
            "greedy_decode produces it."
        )
    if max_length < 1:
        raise ValueError(f"Expected `max_length` >= 1, got {max_length!r}.")
    batch = len(next(iter(inputs.values())))
    # A fixed-size prefix array, filled step by step: the decoder is causal,
    # so the logits at step t depend only on tokens 0..t, and one shape means
    # one traced predict function.
    prefix = np.zeros((batch, max_length), dtype="int32")
    prefix[:, 0] = start_id
    done = np.zeros(batch, dtype=bool)
    produced = np.zeros((batch, max_length), dtype="int32")
    for t in range(max_length):
        logits = model.predict({**inputs, decoder_key: prefix}, batch_size=batch_size,
                               verbose=0)
        next_ids = np.argmax(logits[:, t, :], axis=-1).astype("int32")
        next_ids[done] = 0
        produced[:, t] = next_ids
        done |= next_ids == end_id
        if done.all():
            break
        if t + 1 < max_length:
            prefix[:, t + 1] = np.where(done, 0, next_ids)
    produced[produced == end_id] = 0
    return produced
