"""Backpropagation through time, made visible; and gradient clipping.

:func:`state_gradient_norms` answers the question behind vanishing and
exploding gradients: how strongly does the loss at the end of a sequence
depend on the hidden state ``k`` steps earlier? It unrolls the cell with a
zero offset added to each step's hidden state (:func:`rnn_keras.layers.unroll`)
and differentiates the loss with respect to those offsets, which is exactly
``dL/dh_t`` for every ``t``, on TensorFlow, JAX or torch.

:func:`clip_gradients` is the remedy for the exploding side, written in
`keras.ops` (any backend); :func:`clipped_optimizer` builds a Keras optimizer
that applies the same clipping inside ``fit``.
"""

import keras
import numpy as np
from keras import ops

from rnn_keras.layers.unroll import sequence_and_cell
from rnn_keras.layers.unroll import unroll


def gradient(fn, x):
    """d fn(x) / dx for a scalar function ``fn`` of one tensor, on any backend.

    Uses `tf.GradientTape`, `jax.grad` or `torch.autograd.grad`, whichever
    backend Keras runs on. ``fn`` must be written in `keras.ops`.
    """
    x = ops.convert_to_tensor(x)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            value = fn(x)
        return tape.gradient(value, x)
    if backend == "jax":
        import jax

        return jax.grad(fn)(x)
    if backend == "torch":
        import torch

        x = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(fn(x), x)
        return grad
    raise ValueError(
        f"gradient() supports the tensorflow, jax and torch backends; "
        f"the active backend is {backend!r}."
    )


def _last_output_sum(outputs):
    return ops.sum(outputs[:, -1, :])


def state_gradient_norms(layer, inputs, loss_fn=None, initial_state=None):
    """The norm of ``dL/dh_t`` at every step ``t``: BPTT made visible.

    Args:
        layer: a recurrent cell or layer (see
            `rnn_keras.layers.as_scratch_cell`): a package cell, an `RNN`
            around one, or Keras's `SimpleRNN`/`LSTM`/`GRU`.
        inputs: ``(batch, timesteps, features)``.
        loss_fn: a function of the output sequence ``(batch, timesteps,
            units)`` returning a scalar. Default: the sum of the last step's
            output, so the norms show how the last step depends on each
            earlier state.
        initial_state: optional list of initial states.

    Returns:
        A NumPy array of shape ``(timesteps,)``: for each step, the norm of
        the gradient with respect to that step's hidden state, averaged over
        the batch. For LSTMs this is the gradient with respect to ``h_t``
        (the memory ``c_t`` is not perturbed).

    Example:

    >>> layer = keras.layers.SimpleRNN(16)
    >>> layer(x)  # build it
    >>> norms = state_gradient_norms(layer, x)
    >>> decay_rate(norms)  # the factor per step back
    """
    cell, _, inputs = sequence_and_cell(layer, inputs)
    loss_fn = loss_fn or _last_output_sum
    batch, timesteps = inputs.shape[0], inputs.shape[1]
    offsets = ops.zeros((timesteps, batch, cell.units), dtype=cell.compute_dtype)

    def loss_of_offsets(state_offsets):
        result = unroll(
            layer, inputs, initial_state=initial_state, state_offsets=state_offsets
        )
        return loss_fn(result["outputs"])

    grads = ops.convert_to_numpy(gradient(loss_of_offsets, offsets))
    return np.linalg.norm(grads, axis=-1).mean(axis=-1)


def decay_rate(norms):
    """Per-step growth factor of gradient norms, from a log-linear fit.

    Returns ``r`` such that ``norm(dL/dh_{T-k}) ~ C r^k``: below 1 the
    gradient vanishes going back in time, above 1 it explodes.
    """
    norms = np.asarray(norms, dtype="float64")
    if norms.ndim != 1 or len(norms) < 2:
        raise ValueError(f"Expected a 1-D array of at least 2 norms, got shape {norms.shape}.")
    distance = np.arange(len(norms))[::-1]  # steps back from the last one
    keep = norms > 0
    if keep.sum() < 2:
        return 0.0
    slope = np.polyfit(distance[keep], np.log(norms[keep]), 1)[0]
    return float(np.exp(slope))


def global_norm(gradients):
    """The L2 norm of all gradients together (``None`` entries skipped)."""
    squares = [ops.sum(ops.square(g)) for g in gradients if g is not None]
    if not squares:
        return ops.convert_to_tensor(0.0)
    return ops.sqrt(ops.sum(ops.stack(squares)))


def clip_gradients(gradients, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """Clips a list of gradients the way Keras optimizers do, in `keras.ops`.

    Args:
        gradients: list of tensors (``None`` entries are passed through).
        clipnorm: rescale each gradient whose own norm exceeds this.
        clipvalue: clip each element into ``[-clipvalue, clipvalue]``.
        global_clipnorm: rescale all gradients together when their global
            norm exceeds this (keeps the direction; the usual choice for RNNs,
            Pascanu et al., 2013).

    At most one of the three may be set, as in `keras.optimizers.Optimizer`.
    """
    chosen = {
        k: v
        for k, v in dict(
            clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm
        ).items()
        if v is not None
    }
    if len(chosen) > 1:
        raise ValueError(
            f"Set at most one of clipnorm, clipvalue, global_clipnorm; got {chosen}."
        )
    for name, value in chosen.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(
                f"Received an invalid value for argument `{name}`, expected a "
                f"positive number, got {value!r}."
            )
    gradients = list(gradients)
    if clipvalue is not None:
        return [None if g is None else ops.clip(g, -clipvalue, clipvalue) for g in gradients]
    if clipnorm is not None:
        out = []
        for g in gradients:
            if g is None:
                out.append(None)
                continue
            norm = ops.sqrt(ops.sum(ops.square(g)))
            out.append(g * ops.minimum(1.0, clipnorm / ops.maximum(norm, 1e-12)))
        return out
    if global_clipnorm is not None:
        norm = global_norm(gradients)
        scale = ops.minimum(1.0, global_clipnorm / ops.maximum(norm, 1e-12))
        return [None if g is None else g * scale for g in gradients]
    return gradients


def clipped_optimizer(
    name="adam", learning_rate=1e-3, clipnorm=None, clipvalue=None, global_clipnorm=None
):
    """A Keras optimizer (by name) that clips its gradients.

    Example: ``model.compile(optimizer=clipped_optimizer("sgd", 0.1,
    global_clipnorm=1.0), loss="mse")``.
    """
    clip_gradients([], clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm)
    try:
        cls = type(keras.optimizers.get(name))
    except ValueError as error:
        raise ValueError(
            f"Unknown optimizer {name!r}: use a Keras optimizer name such as "
            "'adam', 'sgd' or 'rmsprop'."
        ) from error
    return cls(
        learning_rate=learning_rate,
        clipnorm=clipnorm,
        clipvalue=clipvalue,
        global_clipnorm=global_clipnorm,
    )
