"""Adam with a learning rate per layer: ULMFiT's discriminative fine-tuning."""

import keras
from keras import ops

from rnn_keras import _keras_compat
from rnn_keras.validation import check_nonnegative


@keras.saving.register_keras_serializable(package="rnn_keras")
class DiscriminativeAdam(keras.optimizers.Adam):
    """Adam whose step for each layer's weights is scaled by that layer's factor.

    Fine-tuning a pretrained model, the layers nearest the input hold the
    most general knowledge and should move least (Howard and Ruder 2018,
    "Universal Language Model Fine-tuning", section 3.2): layer ``l`` uses
    ``learning_rate * multipliers[l]``. ULMFiT divides the rate by 2.6 per
    layer going down. A factor of 0 freezes a layer's weights without
    recompiling, weight decay included.

    Weight decay is Keras's decoupled form, ``w <- w - w * weight_decay *
    rate``, with the layer's own rate (``learning_rate * factor``), so it
    too is 0 for a frozen layer. It applies to every trainable weight
    (``exclude_from_weight_decay`` is not supported: it would be ignored).

    Args:
        learning_rate: the base rate (a float or a schedule), as for Adam.
        multipliers: ``{layer name: factor}``; a weight belongs to the layer
            named first in its path (``"rnn_1/lstm_cell/kernel"`` -> ``rnn_1``).
            Layers not named keep factor 1.
        weight_decay: ``None`` or a float >= 0, scaled per layer as above.
        **kwargs: the other arguments of `keras.optimizers.Adam`.

    Example:

    >>> optimizer = DiscriminativeAdam(1e-3, multipliers={"embedding": 1 / 2.6**2,
    ...                                                    "rnn_1": 1 / 2.6})
    """

    def __init__(self, learning_rate=0.001, multipliers=None, weight_decay=None, **kwargs):
        # Keras's own decay would use the base rate for every layer: this class applies it.
        super().__init__(learning_rate=learning_rate, weight_decay=None, **kwargs)
        multipliers = dict(multipliers or {})
        for name, factor in multipliers.items():
            if (not isinstance(name, str) or isinstance(factor, bool)
                    or not isinstance(factor, (int, float)) or factor < 0):
                raise ValueError("`multipliers` maps layer names to factors >= 0; got "
                                 f"{name!r}: {factor!r}.")
        self.multipliers = {name: float(factor) for name, factor in multipliers.items()}
        self.layer_weight_decay = (None if weight_decay is None
                                   else float(check_nonnegative("weight_decay", weight_decay)))

    def factor(self, variable):
        """The learning-rate factor of a model's ``variable`` (by the first part of its path)."""
        return self.multipliers.get(variable.path.split("/")[0], 1.0)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        raise NotImplementedError("DiscriminativeAdam decays every trainable weight at its "
                                  "layer's rate; give a layer factor 0 to freeze it instead.")

    def build(self, var_list):
        # The backend may hand update_step its own variable object (TensorFlow
        # does), so the factors are looked up by the optimizer's variable index.
        self._factors = [self.factor(v) for v in var_list]
        super().build(var_list)

    def update_step(self, gradient, variable, learning_rate):
        factor = self._factors[_keras_compat.optimizer_variable_index(self, variable)]
        if factor != 1.0:
            learning_rate = learning_rate * factor
        if self.layer_weight_decay and factor:
            rate = ops.cast(learning_rate, variable.dtype)
            self.assign_sub(variable, variable * ops.cast(self.layer_weight_decay,
                                                          variable.dtype) * rate)
        super().update_step(gradient, variable, learning_rate)

    def get_config(self):
        return {**super().get_config(), "multipliers": dict(self.multipliers),
                "weight_decay": self.layer_weight_decay}
