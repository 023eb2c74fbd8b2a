import keras

from rnn_keras.models.common import STATES_PER_CELL
from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import output_head
from rnn_keras.models.common import recurrent_stack
from rnn_keras.validation import check_positive_int


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
        cell, units, num_layers, bidirectional, dropout, recurrent_dropout, implementation:
            the shared recurrent arguments. A step-by-step
            generator cannot be bidirectional (it would read tokens it has not
            produced yet).
        output_activation: activation of the outputs; ``None`` gives logits.
        name: the model's name.

    Returns:
        A built `keras.Model`: ``(batch, input_dim)`` to
        ``(batch, steps, num_outputs)`` in repeat mode; ``{"features": (batch, input_dim),
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
            for k in range(STATES_PER_CELL[args["cell"]])
        ]
        for layer in range(args["num_layers"])
    ]
    x = recurrent_stack(x, **args, return_sequences=True, initial_states=initial_states)
    outputs = output_head(x, vocab_size, output_activation, name="logits")
    return keras.Model({"features": features, "tokens": tokens}, outputs, name=name)


def image_captioner(vocab_size, image_shape, *, cnn_filters=(32, 64, 128), embedding_dim=64,
                    cell="gru", units=128, dropout=0.0, implementation="fused",
                    attention="bahdanau", attention_units=None, encoder=None,
                    name="image_captioner"):
    """Show, attend and tell (Xu et al., 2015): an image in, a caption out (one-to-many).

    A small CNN trained from scratch turns the image into a grid of feature
    vectors (each conv block halves the image), flattened to
    ``cells = (h / 2**blocks) * (w / 2**blocks)`` memory vectors with a
    learned position per cell (:class:`rnn_keras.layers.GridPositionEmbedding`).
    The decoder's initial state is a ``tanh`` projection of the whole grid.
    With ``attention="bahdanau"`` each decoder step scores every cell with
    additive attention (:class:`rnn_keras.layers.AttentionRNN`), so each
    word can look at its own part of the image; with ``None`` the decoder
    sees the image only through its initial state.

    Returns an :class:`ImageCaptioner`, an encoder-decoder on the same base
    as :class:`rnn_keras.models.Seq2Seq`: it keeps handles to its parts, so
    :class:`rnn_keras.decoding.StepDecoder` and ``generate()`` decode it
    greedily, by beam search or by sampling (with the attention over the
    grid), also after a reload.

    Args:
        vocab_size: caption vocabulary (0 = padding).
        image_shape: ``(height, width, channels)``; height and width must be
            divisible by ``2 ** len(cnn_filters)``.
        cnn_filters: channels of the conv blocks (conv, conv, max-pool each).
        embedding_dim: word embedding width.
        cell, units, dropout, implementation: the decoder's recurrent
            arguments (one layer, unidirectional: it writes one word at a time).
        attention: ``"bahdanau"`` or ``None``.
        attention_units: width of the attention's scoring layer (default ``units``).
        encoder: a Keras model from images to a feature grid ``(batch, gh, gw,
            channels)`` used instead of the conv blocks: e.g. a pretrained
            ``keras.applications.MobileNetV3Small(include_top=False,
            weights=PATH)`` when you have its weights (freeze it with
            ``encoder.trainable = False``). ``cnn_filters`` is then unused.
        name: the model's name.

    Returns:
        A built :class:`ImageCaptioner`. Its inputs are a dict of ``encoder_inputs``
        ``(batch, h, w, c)`` and ``decoder_inputs`` ``(batch, T)`` (teacher forcing,
        the caption shifted right after ``<start>``); its outputs are
        ``(batch, T, vocab_size)`` logits.

    Example:

    >>> model = image_captioner(30, (64, 64, 1), attention="bahdanau")

    References:
        Xu et al., "Show, Attend and Tell", ICML 2015; Vinyals et al.,
        "Show and Tell", CVPR 2015.
    """
    from rnn_keras.models.image_captioner import ImageCaptioner

    return ImageCaptioner(vocab_size, image_shape, cnn_filters=cnn_filters,
                          embedding_dim=embedding_dim, cell=cell, units=units, dropout=dropout,
                          implementation=implementation, attention=attention,
                          attention_units=attention_units, encoder=encoder, name=name)
