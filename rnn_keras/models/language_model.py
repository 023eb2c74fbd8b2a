"""Language models: many-to-many next-token prediction, then one-to-many sampling.

A language model reads ``x_1 .. x_t`` and gives, at every step, the logits of
``P(x_{t+1} | x_1 .. x_t)``; training minimises the cross-entropy of the
next token (teacher forcing: the inputs are the text itself, the targets
the text shifted by one). Generation feeds each sampled token back in
(:func:`rnn_keras.decoding.sample_text`, through :func:`step_model`).

The layers are named as in :func:`rnn_keras.models.many_to_one`
(``embedding``, ``rnn_1`` ... ``rnn_N``), so a language model's weights
move into a classifier of the same sizes by name (the Dai-Le / ULMFiT recipe,
:func:`transfer_weights`).
"""

import keras
import numpy as np

from rnn_keras.models.common import check_recurrent_args
from rnn_keras.models.common import output_layer
from rnn_keras.models.common import recurrent_stack
from rnn_keras.validation import check_bool
from rnn_keras.validation import check_positive_int
from rnn_keras.validation import check_rate


def language_model(vocab_size, *, embedding_dim=64, cell="lstm", units=256, num_layers=1,
                   bidirectional=False, dropout=0.0, recurrent_dropout=0.0,
                   output_dropout=0.0, implementation="fused", stateful=False,
                   batch_size=None, timesteps=None, mask_zero=False, output_size=None,
                   name="language_model"):
    """Token ids ``(batch, timesteps)`` to next-token logits ``(batch, timesteps, vocab_size)``.

    Args:
        vocab_size: number of token ids (the output classes too).
        embedding_dim: width of the token embedding.
        cell, units, num_layers, dropout, recurrent_dropout, implementation:
            the shared recurrent arguments.
        bidirectional: must stay False: a language model that reads the
            future sees the token it is asked to predict.
        output_dropout: dropout on the last recurrent layer's outputs.
        stateful: each batch starts from the states the previous batch ended
            with (train on :func:`rnn_keras.data.text_corpus.contiguous_batches`;
            reset the states each epoch); needs ``batch_size``.
        batch_size: fixed batch size (required when ``stateful``).
        timesteps: fixed window length (``None``: any).
        mask_zero: treat id 0 as padding (word models on padded rows); a
            character model has no padding id.
        output_size: number of predicted ids (default ``vocab_size``): a word
            model may read every word of its vocabulary but predict only the
            most frequent ones (ids ``0 .. output_size - 1``; map the rarer
            targets to an unknown id), a much cheaper softmax.
        name: the model's name.

    Example:

    >>> model = language_model(65, units=128)
    >>> model.output_shape
    (None, None, 65)
    """
    if check_bool("bidirectional", bidirectional):
        raise ValueError("A language model cannot be bidirectional (bidirectional=True): its "
                         "backward half would read the very token each step must predict. "
                         "Train a second model on reversed text instead (ULMFiT does).")
    args = check_recurrent_args(cell, units, num_layers, False, dropout, recurrent_dropout,
                                implementation)
    check_positive_int("vocab_size", vocab_size)
    check_positive_int("embedding_dim", embedding_dim)
    check_rate("output_dropout", output_dropout)
    check_positive_int("timesteps", timesteps, allow_none=True)
    check_positive_int("batch_size", batch_size, allow_none=True)
    check_positive_int("output_size", output_size, allow_none=True)
    if check_bool("stateful", stateful) and keras.backend.backend() == "jax":
        raise ValueError("stateful=True does not carry states on the JAX backend (Keras 3 "
                         "keeps RNN states outside the variables JAX updates, so every batch "
                         "would silently start from zero): train stateful models with "
                         "KERAS_BACKEND=tensorflow, or carry the states yourself with "
                         "step_model().")
    if stateful and batch_size is None:
        raise ValueError("A stateful language model needs a fixed `batch_size` (each row of a "
                         "batch keeps its own state); got stateful=True, batch_size=None.")
    inputs = keras.Input(batch_shape=(batch_size, timesteps), dtype="int32", name="inputs")
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=bool(mask_zero),
                               name="embedding")(inputs)
    x = recurrent_stack(x, **args, return_sequences=True, stateful=stateful)
    if output_dropout:
        x = keras.layers.Dropout(output_dropout, name="output_dropout")(x)
    outputs = output_layer(output_size or vocab_size, None)(x)
    return keras.Model(inputs, outputs, name=name)


def step_model(model):
    """The language model as ``(ids, *states) -> (logits, *new_states)``, same weights.

    Each recurrent layer is rebuilt from its config with ``return_state=True``
    and ``stateful=False`` and called with ``initial_state``, so the caller
    carries the states: reading a long text window by window, or sampling one
    token at a time, the same way on every backend (Keras 3's ``stateful=True``
    keeps no state on JAX). Inputs: ids ``(batch, steps)`` and, per layer,
    its states (``h`` or ``h, c``), ``(batch, units)`` each; zeros start a text.

    Returns:
        A ``keras.Model``; ``model.state_shapes`` lists the state widths.
    """
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x, state_inputs, state_outputs, widths = ids, [], [], []
    for layer in model.layers[1:]:
        if not isinstance(layer, keras.layers.RNN):
            x = layer(x)
            continue
        config = dict(layer.get_config(), return_state=True, stateful=False,
                      return_sequences=True)
        twin = layer.__class__.from_config(config)
        sizes = layer.cell.state_size
        sizes = list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]
        states = [keras.Input(shape=(n,), name=f"{layer.name}_state_{k}")
                  for k, n in enumerate(sizes)]
        out = twin(x, initial_state=states if len(states) > 1 else states[0])
        twin.set_weights(layer.get_weights())
        x = out[0]
        state_inputs += states
        state_outputs += list(out[1:])
        widths += sizes
    stepper = keras.Model([ids, *state_inputs], [x, *state_outputs], name=f"{model.name}_step")
    stepper.state_shapes = widths
    return stepper


def run_with_states(stepper, ids, states=None):
    """Runs a :func:`step_model` on ``ids`` ``(batch, steps)``; returns ``(logits, states)``."""
    ids = np.asarray(ids, "int32")
    if states is None:
        states = [np.zeros((len(ids), n), "float32") for n in stepper.state_shapes]
    out = stepper.predict_on_batch([ids, *states])
    return np.asarray(out[0]), [np.asarray(s) for s in out[1:]]


def reset_states(model):
    """Sets the states of every stateful recurrent layer of ``model`` to zero."""
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()


class ResetStates(keras.callbacks.Callback):
    """Zeroes the states of a stateful model at the start of every epoch and evaluation.

    Each epoch then reads every stream from its beginning, and validation
    (a contiguous validation stream) starts from zero as well, not from
    wherever the training streams ended.
    """

    def on_epoch_begin(self, epoch, logs=None):
        reset_states(self.model)

    def on_test_begin(self, logs=None):
        reset_states(self.model)

    def on_predict_begin(self, logs=None):
        reset_states(self.model)


def transfer_weights(source, target, names=("embedding",), prefix="rnn_"):
    """Copies the weights of layers present in both models by name; returns the names copied.

    By default the embedding and every recurrent layer ``rnn_1`` ... (the
    parts a language model shares with a classifier built at the same
    sizes). Shapes must agree: a mismatch is an error naming the layer.
    """
    copied = []
    target_layers = {layer.name: layer for layer in target.layers}
    for layer in source.layers:
        if layer.name not in target_layers or not (layer.name in names
                                                   or layer.name.startswith(prefix)):
            continue
        into = target_layers[layer.name]
        shapes = [tuple(w.shape) for w in layer.get_weights()]
        wanted = [tuple(w.shape) for w in into.get_weights()]
        if shapes != wanted:
            raise ValueError(f"Layer {layer.name!r} has weights of shapes {shapes} in the "
                             f"source and {wanted} in the target: build both models with the "
                             "same vocab_size, embedding_dim, cell and units.")
        into.set_weights(layer.get_weights())
        copied.append(layer.name)
    if not copied:
        raise ValueError(f"No layer named {names} or {prefix}* is in both models: build the "
                         "target with rnn_keras.models builders (they name them so).")
    return copied
