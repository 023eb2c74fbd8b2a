"""Turning a trained decoder into sequences: greedy, beam search, sampling.

Two ways to decode:

- :func:`greedy_decode` works with any teacher-forced model (an
  encoder-decoder from `rnn_keras.models.seq2seq`, or `one_to_many` in
  language-model mode): it feeds the tokens produced so far back in and runs
  the whole model on the prefix at every step (quadratic in the output
  length; fine for short outputs and a handy cross-check).
- :class:`StepDecoder` takes the trained encoder-decoder apart into an
  encoder and a one-step decoder (same layers, same weights) and
  :func:`greedy_search`, :func:`beam_search` and :func:`sample_search`
  advance it one token at a time, as translation systems do.

For language models (:func:`rnn_keras.models.language_model`),
:func:`sample_text` primes a stateful copy with a prompt and feeds each
sampled token back in, one step per token.

For CTC models (speech), :func:`ctc_greedy` and :func:`ctc_beam` turn
frame-wise logits into label sequences: repeats merged, blanks removed.
"""

import numpy as np

from rnn_keras.text import sample_from_logits
from rnn_keras.validation import check_nonnegative
from rnn_keras.validation import check_positive_int


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
    check_positive_int("max_length", max_length)
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


# ---------------------------------------------------------------------------
# Step-by-step decoding: one encoder pass, then one decoder step per token.
# ---------------------------------------------------------------------------


class StepDecoder:
    """Step-by-step inference models taken from a trained encoder-decoder.

    `rnn_keras.models.seq2seq` trains with teacher forcing: the whole target
    goes in at once. To translate, the decoder must instead run one token at
    a time and read its own previous output. This class builds two Keras
    models that share the trained model's layers (and weights), without
    retraining, also for a model loaded from a ``.keras`` file:

    - ``encoder``: source ids -> ``memory`` (the encoder outputs) and each
      layer's final states;
    - ``step``: one token per row, the decoder's states, the memory and its
      mask -> next-token ``logits``, the new states and (with attention) the
      attention weights over the source.

    Every decoder layer is advanced one step by a twin layer over its trained
    cell (``layer.cell``, a Keras or `rnn_keras` cell: shared weights), the
    Bahdanau decoder by an `AttentionRNN` twin.
    Both models are called through ``predict_on_batch``, so each is compiled
    once per shape.

    It implements the protocol that :func:`greedy_search`,
    :func:`beam_search` and :func:`sample_search` use:
    ``start(inputs) -> (context, states)`` and ``step(tokens, context,
    states) -> (logits, states, attention)``, with ``context`` constant per
    row and ``states`` reordered by beam search.

    Example:

    >>> decoder = StepDecoder.from_model(model)
    >>> ids = greedy_search(decoder, {"encoder_inputs": source}, start_id=1,
    ...                     end_id=2, max_length=20)
    """

    def __init__(self, encoder, step_model, state_names, attention, source_key):
        self.encoder = encoder
        self.step_model = step_model
        self.state_names = list(state_names)
        self.attention = attention
        self.source_key = source_key
        self._source_width = None  # set by start(): step() cuts attention back to it

    @classmethod
    def from_model(cls, model):
        """Builds the encoder and step models from an encoder-decoder's handles.

        ``model``: a :class:`rnn_keras.models.EncoderDecoder` (what
        `models.seq2seq` and `models.image_captioner` return, also after a
        reload); its handles name the parts, so no layer is looked up by name.
        """
        import keras

        from rnn_keras.layers.attention_rnn import AttentionRNN
        from rnn_keras.models.encoder_decoder import EncoderDecoder

        if not isinstance(model, EncoderDecoder):
            raise ValueError(
                f"StepDecoder.from_model needs an encoder-decoder built by "
                f"rnn_keras.models.seq2seq or rnn_keras.models.image_captioner (an "
                f"rnn_keras.models.EncoderDecoder); got {type(model).__name__} "
                f"{getattr(model, 'name', '')!r}.")
        source = model.input[model.source_name]
        encoder_outputs, state_names = {}, []
        if model.uses_attention:
            encoder_outputs["memory"] = model.memory_layer.output
        for i, group in enumerate(model.encoder_state_layers, start=1):
            for k, state_layer in enumerate(group):
                name = f"state_{i}_{k}"
                state_names.append(name)
                encoder_outputs[name] = state_layer.output
        encoder = keras.Model(source, encoder_outputs, name="encoder")

        bahdanau = isinstance(model.decoder_layers[0], AttentionRNN)
        luong = model.luong_attention is not None
        token = keras.Input(shape=(1,), dtype="int32", name="token")
        memory_inputs = {}
        if model.uses_attention:
            step_memory = keras.Input(shape=(None, encoder_outputs["memory"].shape[-1]),
                                      name="memory")
            memory_mask = keras.Input(shape=(None,), name="memory_mask")
            memory_inputs = {"memory": step_memory, "memory_mask": memory_mask}
        states_in = {name: keras.Input(shape=(encoder_outputs[name].shape[-1],), name=name)
                     for name in state_names}
        x = model.decoder_embedding(token)
        outputs, weights = {}, None
        for i, decoder_layer in enumerate(model.decoder_layers, start=1):
            names = [n for n in state_names if n.startswith(f"state_{i}_")]
            states = [states_in[n] for n in names]
            if i == 1 and bahdanau:
                # A twin over the same cell and attention (shared weights)
                # that also returns its states and weights.
                twin = AttentionRNN(decoder_layer.cell, decoder_layer.attention,
                                    return_state=True, return_attention=True,
                                    name="decoder_1_step")
                x, *new_states, weights = twin(x, step_memory, memory_mask=memory_mask,
                                               initial_state=states)
                x, weights = x[:, 0], weights[:, 0]
            else:
                # A one-step twin over the trained cell (shared weights) that
                # returns its states; Keras's fused layers have such a cell too.
                if len(x.shape) == 2:
                    x = keras.ops.expand_dims(x, 1)
                twin = keras.layers.RNN(decoder_layer.cell, return_state=True,
                                        name=f"decoder_{i}_step")
                x, *new_states = twin(x, initial_state=states)
            outputs.update(zip(names, new_states))
        if luong:
            context, weights = model.luong_attention(
                [x, step_memory], mask=[None, memory_mask], return_attention_scores=True)
            x = model.attention_combine(model.attention_concat([x, context]))
        outputs["logits"] = model.logits_layer(x)
        if weights is not None:
            outputs["attention"] = weights
        inputs = {"token": token, **memory_inputs, **states_in}
        step_model = keras.Model(inputs, outputs, name="decoder_step")
        return cls(encoder, step_model, state_names, model.uses_attention, model.source_name)

    def start(self, inputs):
        source = np.asarray(inputs[self.source_key])
        self._source_width = source.shape[1] if source.ndim == 2 else None
        if source.ndim == 2 and source.shape[1] % _LENGTH_STEP:
            # Token ids, right-padded with 0 (masked): a few more padding
            # steps change nothing, and sources of 1-8, 9-16, ... tokens then
            # share one compiled encoder and step instead of one per length.
            width = -(-source.shape[1] // _LENGTH_STEP) * _LENGTH_STEP
            source = np.pad(source, ((0, 0), (0, width - source.shape[1])))
        encoded = self.encoder.predict_on_batch(source)
        context = {}
        if self.attention:
            if source.ndim == 2:  # token ids: 0 is padding
                mask = (source != 0).astype("float32")
            else:  # images, feature vectors: every memory position is real
                mask = np.ones(np.shape(encoded["memory"])[:2], "float32")
            context = {"memory": np.asarray(encoded["memory"]), "memory_mask": mask}
        states = {name: np.asarray(encoded[name]) for name in self.state_names}
        return context, states

    def step(self, tokens, context, states):
        out = self.step_model.predict_on_batch(
            {"token": np.asarray(tokens, "int32")[:, None], **context, **states})
        new_states = {name: np.asarray(out[name]) for name in self.state_names}
        attention = None
        if "attention" in out:
            attention = np.asarray(out["attention"])[..., :self._source_width]
        return np.asarray(out["logits"], "float32"), new_states, attention


_LENGTH_STEP = 8


def max_output_length(source_ids):
    """The default decoding limit for token sources: twice the longest source, plus ten."""
    return int((np.asarray(source_ids) != 0).sum(axis=1).max(initial=0)) * 2 + 10


def _check_search_args(inputs, max_length, batch_size):
    if not isinstance(inputs, dict) or not inputs:
        raise ValueError(
            "Expected `inputs` as a dict of the encoder's inputs, e.g. "
            f"{{'encoder_inputs': ids}}; got {type(inputs).__name__}."
        )
    check_positive_int("max_length", max_length)
    check_positive_int("batch_size", batch_size)
    sizes = {len(np.asarray(v)) for v in inputs.values()}
    if len(sizes) != 1:
        raise ValueError(f"All inputs need the same number of rows; got sizes {sorted(sizes)}.")
    return sizes.pop()


def _chunks(inputs, n, batch_size):
    for begin in range(0, n, batch_size):
        yield {k: np.asarray(v)[begin:begin + batch_size] for k, v in inputs.items()}


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _finish(ids, attention, end_id, return_attention):
    """Ids: zeros from each row's end token on. Attention: zeros after it (the
    step that chose the end token keeps its weights)."""
    is_end = ids == end_id
    ended = np.cumsum(is_end, axis=1) > 0
    ids = np.where(ended, 0, ids).astype("int32")
    if not return_attention:
        return ids
    if attention is not None:
        attention = np.where((ended & ~is_end)[:, :, None], 0.0, attention)
    return ids, attention


def _run_search(decoder, inputs, choose, *, start_id, end_id, max_length, batch_size,
                return_attention):
    """Greedy-style search (one hypothesis per row); ``choose(logits) -> ids``."""
    n = _check_search_args(inputs, max_length, batch_size)
    all_ids, all_attention = [], []
    for chunk in _chunks(inputs, n, batch_size):
        context, states = decoder.start(chunk)
        rows = len(next(iter(chunk.values())))
        tokens = np.full(rows, start_id, "int32")
        done = np.zeros(rows, bool)
        ids = np.zeros((rows, max_length), "int32")
        attention = []
        for t in range(max_length):
            logits, states, weights = decoder.step(tokens, context, states)
            tokens = np.where(done, 0, choose(logits)).astype("int32")
            ids[:, t] = tokens
            if weights is not None:
                attention.append(weights)
            done |= tokens == end_id
            if done.all():
                break
        all_ids.append(ids)
        if attention:
            stacked = np.stack(attention, axis=1)
            padded = np.zeros((rows, max_length, stacked.shape[-1]), "float32")
            padded[:, :stacked.shape[1]] = stacked
            all_attention.append(padded)
    ids = np.concatenate(all_ids)
    attention = None
    if all_attention:
        width = max(a.shape[-1] for a in all_attention)
        attention = np.concatenate([np.pad(a, ((0, 0), (0, 0), (0, width - a.shape[-1])))
                                    for a in all_attention])
    return _finish(ids, attention, end_id, return_attention)


def greedy_search(decoder, inputs, *, start_id, end_id, max_length, batch_size=256,
                  return_attention=False):
    """Greedy decoding, one step per token: always the most likely next token.

    Args:
        decoder: a :class:`StepDecoder` (or any object with its ``start`` /
            ``step`` protocol).
        inputs: dict of encoder inputs, e.g. ``{"encoder_inputs": ids}``.
        start_id, end_id: the ``<start>`` and ``<end>`` token ids.
        max_length: the most tokens to produce.
        batch_size: rows decoded together.
        return_attention: also return the attention weights ``(n,
            max_length, S)`` (``None`` for a model without attention).

    Returns:
        ``(n, max_length)`` int ids; the end token and what follows are 0.
    """
    return _run_search(decoder, inputs, lambda logits: logits.argmax(axis=-1),
                       start_id=start_id, end_id=end_id, max_length=max_length,
                       batch_size=batch_size, return_attention=return_attention)


def sample_search(decoder, inputs, *, start_id, end_id, max_length, temperature=1.0,
                  seed=None, batch_size=256, return_attention=False):
    """Samples each next token from ``softmax(logits / temperature)``.

    ``temperature`` near 0 approaches greedy decoding (0 is exactly greedy);
    1 samples from the model's distribution; above 1 flattens it. Seeded by
    ``seed`` (NumPy), so a run repeats. The draw is
    :func:`rnn_keras.text.sample_from_logits`, the package's one sampler.
    """
    check_nonnegative("temperature", temperature)
    rng = np.random.default_rng(seed)

    def choose(logits):
        return sample_from_logits(logits, temperature, rng)

    return _run_search(decoder, inputs, choose, start_id=start_id, end_id=end_id,
                       max_length=max_length, batch_size=batch_size,
                       return_attention=return_attention)


def sample_text(model, prompt_ids, length, *, temperature=1.0, top_k=None, top_p=None,
                seed=None, num_samples=1, forbid=()):
    """Continues ``prompt_ids`` with ``length`` tokens sampled from a language model.

    The model reads the prompt once, then each sampled token is fed back in
    with the recurrent states carried between steps by the caller
    (:func:`rnn_keras.models.step_model`, so the trained model is left as
    it was and every backend samples the same way). Each draw is
    :func:`rnn_keras.text.sample_from_logits` (``temperature``, ``top_k``,
    ``top_p``), seeded by ``seed``: the same call gives the same text.

    Args:
        model: a language model, ids ``(batch, steps)`` to logits ``(batch, steps, vocab)``.
        prompt_ids: at least one id to start from.
        length: how many tokens to sample.
        num_samples: independent continuations, sampled side by side.
        forbid: ids never drawn (their probability is set to 0 before the
            draw), e.g. the unknown-word id of a word model.

    Returns:
        ``int64`` array ``(num_samples, length)`` of sampled ids (the prompt not included).
    """
    from rnn_keras.models.language_model import run_with_states
    from rnn_keras.models.language_model import step_model

    check_positive_int("length", length)
    check_positive_int("num_samples", num_samples)
    prompt_ids = np.asarray(prompt_ids, "int32").ravel()
    if prompt_ids.size == 0:
        raise ValueError("sample_text needs a prompt of at least one id (the first "
                         "character or word to continue from); got an empty prompt.")
    rng = np.random.default_rng(seed)
    stepper = step_model(model)
    logits, states = run_with_states(stepper, np.tile(prompt_ids, (num_samples, 1)))
    forbid = np.asarray(forbid, "int64").ravel()
    if forbid.size and not (0 <= forbid.min() and forbid.max() < logits.shape[-1]
                            and forbid.size < logits.shape[-1]):
        raise ValueError(f"`forbid` must name some, not all, of the model's "
                         f"{logits.shape[-1]} ids; got {forbid.tolist()}.")
    out = np.zeros((num_samples, length), "int64")
    for t in range(length):
        last = logits[:, -1].astype("float64")
        last[:, forbid] = -np.inf
        out[:, t] = sample_from_logits(last, temperature, rng, top_k=top_k, top_p=top_p)
        if t + 1 < length:
            logits, states = run_with_states(stepper, out[:, t:t + 1], states)
    return out


def length_penalty(length, alpha):
    """GNMT's length normalisation ``((5 + length) / 6) ** alpha`` (Wu et al., 2016)."""
    return ((5.0 + np.asarray(length, "float64")) / 6.0) ** alpha


def beam_search(decoder, inputs, *, start_id, end_id, max_length, beam_width=3,
                alpha=0.6, batch_size=64, return_scores=False):
    """Beam search: keeps the ``beam_width`` best partial outputs at each step.

    At every step each hypothesis is extended by every token; the
    ``beam_width`` best by total log-probability survive. A hypothesis that
    produced ``end_id`` is finished: it keeps its score and its slot. At the
    end the hypotheses are ranked by log-probability divided by
    :func:`length_penalty` (``alpha=0``: raw log-probability, which favours
    short outputs). ``beam_width=1`` is greedy search.

    Args:
        decoder: a :class:`StepDecoder` or an object with its protocol.
        inputs: dict of encoder inputs.
        start_id, end_id, max_length: as :func:`greedy_search`.
        beam_width: hypotheses kept per row.
        alpha: length-normalisation strength (0.6 in GNMT).
        batch_size: source rows decoded together (each becomes
            ``beam_width`` rows).
        return_scores: also return each best hypothesis's normalised score.

    Returns:
        ``(n, max_length)`` ids of the best hypothesis per row (end token and
        what follows are 0), and the scores if asked for.
    """
    n = _check_search_args(inputs, max_length, batch_size)
    check_positive_int("beam_width", beam_width)
    check_nonnegative("alpha", alpha)
    width = beam_width
    best_ids, best_scores = [], []
    for chunk in _chunks(inputs, n, batch_size):
        context, states = decoder.start(chunk)
        rows = len(next(iter(chunk.values())))
        context = {k: np.repeat(v, width, axis=0) for k, v in context.items()}
        states = {k: np.repeat(v, width, axis=0) for k, v in states.items()}
        tokens = np.full(rows * width, start_id, "int32")
        history = np.zeros((rows * width, max_length), "int32")
        # Only the first copy of each row is live at the start: the others
        # would repeat it.
        scores = np.tile(np.r_[0.0, np.full(width - 1, -np.inf)], rows)
        finished = np.zeros(rows * width, bool)
        lengths = np.zeros(rows * width, "int64")
        for t in range(max_length):
            logits, states, _ = decoder.step(tokens, context, states)
            log_p = _log_softmax(logits.astype("float64"))
            vocab = log_p.shape[-1]
            # A finished hypothesis extends only by padding, at no cost.
            log_p[finished] = -np.inf
            log_p[finished, 0] = 0.0
            candidates = (scores[:, None] + log_p).reshape(rows, width * vocab)
            top = np.argpartition(-candidates, width - 1, axis=1)[:, :width]
            top_scores = np.take_along_axis(candidates, top, axis=1)
            order = np.argsort(-top_scores, axis=1, kind="stable")
            top = np.take_along_axis(top, order, axis=1)
            source_beam = (top // vocab + np.arange(rows)[:, None] * width).reshape(-1)
            new_tokens = (top % vocab).reshape(-1).astype("int32")
            scores = np.take_along_axis(candidates, top, axis=1).reshape(-1)
            history = history[source_beam]
            history[:, t] = new_tokens
            was_finished = finished[source_beam]
            lengths = lengths[source_beam] + (~was_finished)
            finished = was_finished | (new_tokens == end_id)
            states = {k: v[source_beam] for k, v in states.items()}
            tokens = np.where(finished, 0, new_tokens).astype("int32")
            if finished.all():
                break
        normalised = (scores / length_penalty(lengths, alpha)).reshape(rows, width)
        best = np.argmax(normalised, axis=1)
        pick = np.arange(rows) * width + best
        best_ids.append(history[pick])
        best_scores.append(normalised[np.arange(rows), best])
    ids = _finish(np.concatenate(best_ids), None, end_id, False)
    if return_scores:
        return ids, np.concatenate(best_scores)
    return ids


# ---------------------------------------------------------------------------
# CTC: frame-wise logits to label sequences
# ---------------------------------------------------------------------------


def ctc_collapse(path, blank=0):
    """The labels of one CTC path: repeats merged, then blanks removed.

    ``[1, 1, 0, 1, 2, 2, 0] -> [1, 1, 2]`` (the blank between the two 1s keeps
    them apart).
    """
    path = np.asarray(path)
    if path.size == 0:
        return path.astype("int64")
    keep = np.ones(len(path), bool)
    keep[1:] = path[1:] != path[:-1]
    out = path[keep]
    return out[out != blank].astype("int64")


def _ctc_logits(logits, lengths):
    logits = np.asarray(logits, "float32")
    if logits.ndim != 3:
        raise ValueError(f"Expected CTC logits of shape (batch, frames, classes), got "
                         f"{logits.shape}.")
    if lengths is None:
        lengths = np.full(len(logits), logits.shape[1], "int32")
    lengths = np.asarray(lengths, "int32")
    if lengths.shape != (len(logits),) or (lengths < 0).any() or \
            (lengths > logits.shape[1]).any():
        raise ValueError(f"`lengths` must hold one frame count in [0, {logits.shape[1]}] per "
                         f"utterance ({len(logits)}); got {lengths.tolist()}.")
    return logits, lengths


def ctc_greedy(logits, lengths=None, blank=0):
    """Best path decoding: the most likely class of every frame, collapsed.

    Args:
        logits: ``(batch, frames, classes)`` (logits or probabilities: only
            the argmax counts).
        lengths: real frames per utterance (default: all; with
            :class:`rnn_keras.layers.BlankPadding` the padding decodes to nothing anyway).
        blank: the blank class.

    Returns:
        A list of int arrays of class ids, one per utterance.
    """
    logits, lengths = _ctc_logits(logits, lengths)
    best = logits.argmax(-1)
    return [ctc_collapse(row[:n], blank) for row, n in zip(best, lengths)]


def ctc_beam(logits, lengths=None, blank=0, beam_width=16):
    """Beam search over label prefixes (``keras.ops.ctc_decode``), which sums the
    probability of all paths of a prefix; greedy decoding follows one path.

    Same arguments and result as :func:`ctc_greedy`, plus ``beam_width``.
    """
    import keras

    logits, lengths = _ctc_logits(logits, lengths)
    check_positive_int("beam_width", beam_width)
    decoded, _ = keras.ops.ctc_decode(logits, lengths, strategy="beam_search",
                                      beam_width=beam_width, top_paths=1, mask_index=blank)
    best = keras.ops.convert_to_numpy(decoded)[0]
    return [row[row >= 0].astype("int64") for row in best]
