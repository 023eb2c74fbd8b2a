import keras

from rnn_keras.validation import check_positive_int
from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import output_head
from rnn_keras.models.common import recurrent_stack

_STATES_PER_CELL = {"simple": 1, "lstm": 2, "gru": 1}


def one_to_many(input_dim, num_outputs=None, *, steps=None, vocab_size=None,
                embedding_dim=64, cell="lstm", units=64, num_layers=1,
                bidirectional=False, dropout=0.0, recurrent_dropout=0.0,
                implementation="fused", output_activation=None, name="one_to_many"):
    """One vector in, a sequence out: generation and captioning.

    Two ways to turn a vector into a sequence, chosen by ``vocab_size``:

    - ``vocab_size=None`` (**repeat**): the vector is fed at every one of
      ``steps`` steps and the stack emits ``num_outputs`` values per step.
      Fixed length, all steps at once; e.g. a curve from its parameters.
    - ``vocab_size=N`` (**conditioned language model**): the vector sets the
      initial state of every layer (a learned ``tanh`` projection), and the
      model reads the previous tokens (teacher forcing: ``<start>`` then the
      target shifted right) to predict the next one, ``N`` logits per step.
      Generates sequences of any length step by step; the captioning
      decoder. Inputs are a dict ``{"features", "tokens"}``.

    Args:
        input_dim: size of the input vector.
        num_outputs: outputs per step in repeat mode (must be ``None`` or
            equal to ``vocab_size`` in language-model mode).
        steps: length of the output sequence in repeat mode.
        vocab_size: size of the output vocabulary (language-model mode).
        embedding_dim: token embedding width (language-model mode).
        cell, units, num_layers, bidirectional, dropout, recurrent_dropout,
        implementation: the shared recurrent arguments. A step-by-step
            generator cannot be bidirectional (it would read tokens it has not
            produced yet).
        output_activation: activation of the outputs; ``None`` gives logits.
        name: the model's name.

    Returns:
        A built `keras.Model`: ``(batch, input_dim)`` to ``(batch, steps,
        num_outputs)`` in repeat mode; ``{"features": (batch, input_dim),
        "tokens": (batch, T)}`` to ``(batch, T, vocab_size)`` otherwise.

    Example:

    >>> curve = one_to_many(3, 1, steps=20, cell="gru")
    >>> captioner = one_to_many(256, vocab_size=5000, cell="lstm")
    """
    args = check_recurrent_args(cell, units, num_layers, bidirectional, dropout,
                                recurrent_dropout, implementation)
    check_positive_int("input_dim", input_dim)
    features = keras.Input(shape=(input_dim,), name="features")
    if vocab_size is None:
        if steps is None or num_outputs is None:
            raise ValueError(
                "one_to_many in repeat mode needs `steps` (output length) and "
                f"`num_outputs` (values per step); got steps={steps!r}, "
                f"num_outputs={num_outputs!r}. Or pass `vocab_size` for a "
                "token generator."
            )
        check_positive_int("steps", steps)
        x = keras.layers.RepeatVector(steps, name="repeat")(features)
        x = recurrent_stack(x, **args, return_sequences=True)
        outputs = output_head(x, num_outputs, output_activation)
        return keras.Model(features, outputs, name=name)

    check_positive_int("vocab_size", vocab_size)
    if num_outputs not in (None, vocab_size):
        raise ValueError(
            f"With `vocab_size`={vocab_size} the model predicts one of "
            f"{vocab_size} tokens per step; got num_outputs={num_outputs!r}. "
            "Leave num_outputs=None."
        )
    if args["bidirectional"]:
        raise ValueError(
            "Received bidirectional=True for a token generator (vocab_size is "
            "set): it produces one token at a time and cannot read the future. "
            "Use bidirectional=False."
        )
    check_positive_int("embedding_dim", embedding_dim)
    tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True,
                               name="embedding")(tokens)
    initial_states = [
        [
            keras.layers.Dense(args["units"], activation="tanh",
                               name=f"init_state_{layer + 1}_{k}")(features)
            for k in range(_STATES_PER_CELL[args["cell"]])
        ]
        for layer in range(args["num_layers"])
    ]
    x = recurrent_stack(x, **args, return_sequences=True, initial_states=initial_states)
    outputs = output_head(x, vocab_size, output_activation, name="logits")
    return keras.Model({"features": features, "tokens": tokens}, outputs, name=name)
