"""The base of the package's encoder-decoder models: handles to their parts, and generate()."""

import keras
import numpy as np

from rnn_keras import text
from rnn_keras.validation import check_choice

STRATEGIES = ("greedy", "beam", "sample")


@keras.saving.register_keras_serializable(package="rnn_keras")
class EncoderDecoder(keras.Model):
    """A functional encoder-decoder that knows its parts, so it can decode step by step.

    Subclasses (:class:`rnn_keras.models.Seq2Seq`,
    :class:`rnn_keras.models.ImageCaptioner`) create their layers, wire the
    teacher-forced graph, keep a handle to each part (:meth:`keep_handles`)
    and call ``super().__init__(inputs=..., outputs=...)``, in the manner of
    keras-hub's backbones. The handles:

    - ``source_name``: the key of the source in the model's input dict;
    - ``memory_layer``: the layer whose output attention reads (``None``
      when the model has no attention), and ``uses_attention``;
    - ``encoder_state_layers``: one list per decoder layer of the layers
      whose outputs start it (its initial states);
    - ``decoder_embedding``, ``decoder_layers`` (the first may be an
      :class:`rnn_keras.layers.AttentionRNN`), ``logits_layer``;
    - ``luong_attention``, ``attention_concat``, ``attention_combine``
      (Luong attention after the decoder; ``None`` otherwise).

    :class:`rnn_keras.decoding.StepDecoder` builds its encoder and one-step
    decoder from these handles (shared weights), and :meth:`generate` runs a
    search with it. A model reloaded from a ``.keras`` file is built again
    by its constructor, so it has the same handles.
    """

    HANDLES = ("source_name", "uses_attention", "memory_layer", "encoder_layers",
               "encoder_state_layers", "decoder_embedding", "decoder_layers",
               "luong_attention", "attention_concat", "attention_combine", "logits_layer")

    def keep_handles(self, **handles):
        """Stores the handles (every name of :attr:`HANDLES`, no other).

        They are kept out of Keras's attribute tracking: the layers belong
        to the functional graph already, which keeps the weights in graph
        order (as a plain functional model has them) and saves each once.
        """
        if set(handles) != set(self.HANDLES):
            raise ValueError(f"keep_handles needs exactly {sorted(self.HANDLES)}; missing "
                             f"{sorted(set(self.HANDLES) - set(handles))}, unknown "
                             f"{sorted(set(handles) - set(self.HANDLES))}.")
        for name, value in handles.items():
            object.__setattr__(self, name, list(value) if isinstance(value, list) else value)

    def step_decoder(self):
        """The :class:`rnn_keras.decoding.StepDecoder` of this model (built once, then reused)."""
        from rnn_keras.decoding import StepDecoder

        decoder = self.__dict__.get("_rnn_keras_step_decoder")
        if decoder is None:
            decoder = StepDecoder.from_model(self)
            # Kept out of Keras's attribute tracking: the decoder's models
            # share this model's weights and must not be saved with it.
            object.__setattr__(self, "_rnn_keras_step_decoder", decoder)
        return decoder

    def generate(self, inputs, *, strategy="greedy", max_length=None, beam_width=3,
                 alpha=0.6, temperature=1.0, seed=None, start_id=text.START,
                 end_id=text.END, batch_size=None, return_attention=False):
        """Writes the output sequence of each source, one token at a time.

        Args:
            inputs: the sources (token ids ``(n, S)``, right-padded with 0, or
                images ``(n, h, w, c)``), or a dict holding them under the
                model's source key.
            strategy: ``"greedy"`` (the most likely token each step),
                ``"beam"`` (:func:`rnn_keras.decoding.beam_search`) or
                ``"sample"`` (:func:`rnn_keras.text.sample_from_logits`).
            max_length: tokens to write at most (default for token sources:
                twice the longest source plus 10; images need it given).
            beam_width, alpha: the beam search's width and length penalty.
            temperature, seed: the sampler's temperature and seed.
            start_id, end_id: the ``<start>`` and ``<end>`` ids.
            batch_size: rows decoded together (default 256, beam 64).
            return_attention: also return the attention weights (greedy and
                sample only; ``None`` for a model without attention).

        Returns:
            ``(n, max_length)`` int32 ids; the end token and what follows
            are 0.
        """
        from rnn_keras import decoding

        strategy = check_choice("strategy", strategy, STRATEGIES)
        if not isinstance(inputs, dict):
            inputs = {self.source_name: inputs}
        if self.source_name not in inputs:
            raise ValueError(f"Expected the sources under {self.source_name!r}, got the keys "
                             f"{sorted(inputs)}.")
        source = np.asarray(inputs[self.source_name])
        if max_length is None:
            if source.ndim != 2:
                raise ValueError("Pass `max_length` (the longest output to write): it has no "
                                 f"default for sources of shape {source.shape}.")
            max_length = decoding.max_output_length(source)
        if return_attention and strategy == "beam":
            raise ValueError("return_attention=True works with strategy='greedy' or 'sample'; "
                             "beam search returns ids only.")
        common = dict(start_id=start_id, end_id=end_id, max_length=max_length)
        decoder = self.step_decoder()
        if strategy == "beam":
            return decoding.beam_search(decoder, inputs, beam_width=beam_width, alpha=alpha,
                                        batch_size=batch_size or 64, **common)
        if strategy == "sample":
            return decoding.sample_search(decoder, inputs, temperature=temperature, seed=seed,
                                          batch_size=batch_size or 256,
                                          return_attention=return_attention, **common)
        return decoding.greedy_search(decoder, inputs, batch_size=batch_size or 256,
                                      return_attention=return_attention, **common)

    @classmethod
    def from_config(cls, config):
        """Rebuilds the model from :meth:`get_config` (the constructor's arguments)."""
        return cls(**config)
