import keras

from rnn_keras.layers.attention_rnn import AttentionRNN
from rnn_keras.layers.bahdanau_attention import BahdanauAttention
from rnn_keras.layers.luong_attention import LuongAttention
from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import make_cell
from rnn_keras.models.common import output_layer
from rnn_keras.models.common import recurrent_stack
from rnn_keras.models.common import sequence_input
from rnn_keras.models.encoder_decoder import EncoderDecoder
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_positive_int

ATTENTIONS = ("none", "bahdanau", "luong")



def seq2seq(target_vocab_size, *, source_vocab_size=None, source_input_dim=None,
            embedding_dim=64, cell="gru", units=64, num_layers=1, bidirectional=False,
            dropout=0.0, recurrent_dropout=0.0, implementation="fused",
            attention=None, attention_units=None, name="seq2seq"):
    """Encoder-decoder: a sequence in, a sequence of another length out.

    The encoder stack reads the source; each encoder layer's final states
    start the matching decoder layer (Sutskever et al., 2014; Cho et al.,
    2014). The decoder is trained with teacher forcing: it reads ``<start>``
    followed by the target shifted right and predicts the target, one token
    per step.

    Without attention the whole source must pass through the final states
    (the *bottleneck*). With attention the decoder also reads a weighted mean
    of all encoder outputs at every step:

    - ``attention="bahdanau"``: additive attention inside the decoder step
      (`rnn_keras.layers.AttentionRNN`, first decoder layer): the previous
      state queries the source, the context joins the input. Its time loop
      is this package's, so it never takes the cuDNN kernel.
    - ``attention="luong"``: the decoder stack runs first (Keras's fused
      layers stay cuDNN-eligible), then `LuongAttention` lets every output
      query the source at once, and ``tanh(W_c [s_t; c_t])`` feeds the
      output layer.

    Padded source positions (token id 0) get zero attention. With
    ``bidirectional=True`` the encoder reads both ways; the two directions'
    final states are concatenated, so the decoder has ``2 * units``.

    Returns a :class:`Seq2Seq`, a functional `keras.Model` that keeps handles
    to its encoder, decoder and attention layers (so
    `rnn_keras.decoding.StepDecoder` and :meth:`Seq2Seq.generate` decode it
    step by step, also after a reload) and returns these arguments from
    ``get_config()``.

    Args:
        target_vocab_size: size of the target vocabulary (0 = padding).
        source_vocab_size: for token-id sources, their vocabulary size.
        source_input_dim: for float feature sources, features per step. Give
            exactly one of the two.
        embedding_dim: width of the token embeddings.
        cell, units, num_layers, bidirectional, dropout, recurrent_dropout, implementation:
            the shared recurrent arguments (``bidirectional``
            applies to the encoder; ``implementation`` picks the cells of the
            Bahdanau decoder too: Keras's or this package's).
        attention: ``None``/``"none"``, ``"bahdanau"`` or ``"luong"``.
        attention_units: width of Bahdanau's scoring layer (default: the
            decoder's width). Only with ``attention="bahdanau"``.
        name: the model's name.

    Returns:
        A built :class:`Seq2Seq`. Its inputs are a dict of ``encoder_inputs``
        ``(batch, S)`` and ``decoder_inputs`` ``(batch, T)``; its outputs are
        ``(batch, T, target_vocab_size)`` logits. Weight the loss with ``sample_weight``
        (0 on padded target steps).

    Example:

    >>> model = seq2seq(5000, source_vocab_size=5000, units=256, attention="luong")

    References:
        Sutskever, Vinyals and Le, NeurIPS 2014; Bahdanau, Cho and Bengio,
        ICLR 2015; Luong, Pham and Manning, EMNLP 2015.
    """
    return Seq2Seq(target_vocab_size, source_vocab_size=source_vocab_size,
                   source_input_dim=source_input_dim, embedding_dim=embedding_dim, cell=cell,
                   units=units, num_layers=num_layers, bidirectional=bidirectional,
                   dropout=dropout, recurrent_dropout=recurrent_dropout,
                   implementation=implementation, attention=attention,
                   attention_units=attention_units, name=name)


@keras.saving.register_keras_serializable(package="rnn_keras")
class Seq2Seq(EncoderDecoder):
    """A recurrent encoder-decoder, with or without attention (see :func:`seq2seq`).

    Args: those of :func:`seq2seq` (``name`` and ``trainable`` as for any
    Keras model).

    Call arguments:
        inputs: ``{"encoder_inputs": (batch, S) ids or (batch, S, features),
            "decoder_inputs": (batch, T) ids}`` (``<start>`` + the target).

    Returns ``(batch, T, target_vocab_size)`` logits. :meth:`generate`
    writes outputs without a target (greedy, beam search or sampling).

    Example:

    >>> model = Seq2Seq(5000, source_vocab_size=5000, units=128, attention="luong")
    >>> model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    >>> ids = model.generate(source_ids, strategy="beam", beam_width=5)  # doctest: +SKIP
    """

    def __init__(self, target_vocab_size, *, source_vocab_size=None, source_input_dim=None,
                 embedding_dim=64, cell="gru", units=64, num_layers=1, bidirectional=False,
                 dropout=0.0, recurrent_dropout=0.0, implementation="fused",
                 attention=None, attention_units=None, name="seq2seq", **kwargs):
        args = check_recurrent_args(cell, units, num_layers, bidirectional, dropout,
                                    recurrent_dropout, implementation)
        check_positive_int("target_vocab_size", target_vocab_size)
        attention = check_choice("attention", "none" if attention is None else attention,
                                 ATTENTIONS)
        check_positive_int("attention_units", attention_units, allow_none=True)
        if attention_units is not None and attention != "bahdanau":
            raise ValueError(
                f"Received attention_units={attention_units!r} with attention={attention!r}: "
                "`attention_units` sizes Bahdanau's scoring layer; pass attention='bahdanau' "
                "or leave attention_units out."
            )
        decoder_units = args["units"] * (2 if args["bidirectional"] else 1)
        decoder_args = dict(args, bidirectional=False, units=decoder_units)

        # === Layers and Functional Model ===
        # Built together: the recurrent stacks make their layers as they wire
        # them (models.common.recurrent_stack) and report them in `created`.
        encoder_created, decoder_created = [], []
        uses_attention = attention != "none"
        source, x = sequence_input(
            vocab_size=source_vocab_size, input_dim=source_input_dim,
            embedding_dim=embedding_dim, timesteps=None, name="encoder_inputs",
            embedding_name="encoder_embedding",
        )
        memory, encoder_states = recurrent_stack(x, **args, return_sequences=True,
                                                 return_state=True, prefix="encoder",
                                                 created=encoder_created)
        # True on real source tokens: padding gets zero attention.
        memory_mask = None if source_vocab_size is None else keras.ops.not_equal(source, 0)
        memory_layer = None
        if uses_attention:
            memory_layer = keras.layers.Identity(name="encoder_outputs")
            memory = memory_layer(memory)
        target = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
        decoder_embedding = keras.layers.Embedding(
            target_vocab_size, embedding_dim, mask_zero=True, name="decoder_embedding")
        y = decoder_embedding(target)
        decoder_layers = []
        if attention == "bahdanau":
            decoder_cell = make_cell(args["cell"], decoder_units, args["implementation"],
                                     dropout=args["dropout"],
                                     recurrent_dropout=args["recurrent_dropout"])
            first = AttentionRNN(decoder_cell,
                                 BahdanauAttention(attention_units or decoder_units),
                                 name="decoder_1")
            decoder_layers.append(first)
            y = first(y, memory, memory_mask=memory_mask, initial_state=encoder_states[0])
            if args["num_layers"] > 1:
                y = recurrent_stack(y, **dict(decoder_args, num_layers=args["num_layers"] - 1),
                                    return_sequences=True, initial_states=encoder_states[1:],
                                    prefix="decoder", first_index=2, created=decoder_created)
        else:
            y = recurrent_stack(y, **decoder_args, return_sequences=True,
                                initial_states=encoder_states, prefix="decoder",
                                created=decoder_created)
        decoder_layers += [layer for layer, _ in decoder_created]
        encoder_layers = [layer for layer, _ in encoder_created]
        encoder_state_layers = [states for _, states in encoder_created]
        luong_attention = attention_concat = attention_combine = None
        if attention == "luong":
            luong_attention = LuongAttention(name="attention")
            attention_concat = keras.layers.Concatenate(name="attention_concat")
            attention_combine = keras.layers.Dense(decoder_units, activation="tanh",
                                                   name="attention_combine")
            # Asked for the weights too, so that the step decoder's call of this
            # layer has the same outputs (a Keras functional graph needs that).
            context, _ = luong_attention([y, memory], mask=[None, memory_mask],
                                         return_attention_scores=True)
            y = attention_combine(attention_concat([y, context]))
        logits_layer = output_layer(target_vocab_size, None, name="logits")
        outputs = logits_layer(y)
        # === Handles (what StepDecoder and generate() use) ===
        self.keep_handles(
            source_name="encoder_inputs", uses_attention=uses_attention,
            memory_layer=memory_layer, encoder_layers=encoder_layers,
            encoder_state_layers=encoder_state_layers, decoder_embedding=decoder_embedding,
            decoder_layers=decoder_layers, luong_attention=luong_attention,
            attention_concat=attention_concat, attention_combine=attention_combine,
            logits_layer=logits_layer)
        super().__init__({"encoder_inputs": source, "decoder_inputs": target}, outputs,
                         name=name, **kwargs)

        # === Config ===
        self.target_vocab_size = target_vocab_size
        self.source_vocab_size = source_vocab_size
        self.source_input_dim = source_input_dim
        self.embedding_dim = embedding_dim
        self.cell = args["cell"]
        self.units = args["units"]
        self.num_layers = args["num_layers"]
        self.bidirectional = args["bidirectional"]
        self.dropout = args["dropout"]
        self.recurrent_dropout = args["recurrent_dropout"]
        self.implementation = args["implementation"]
        self.attention = attention
        self.attention_units = attention_units

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "target_vocab_size": self.target_vocab_size,
            "source_vocab_size": self.source_vocab_size,
            "source_input_dim": self.source_input_dim,
            "embedding_dim": self.embedding_dim,
            "cell": self.cell,
            "units": self.units,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "implementation": self.implementation,
            "attention": self.attention,
            "attention_units": self.attention_units,
        }
