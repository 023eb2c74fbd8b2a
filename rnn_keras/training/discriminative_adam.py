"""Adam with a learning rate per layer: ULMFiT's discriminative fine-tuning."""

import keras


@keras.saving.register_keras_serializable(package="rnn_keras")
class DiscriminativeAdam(keras.optimizers.Adam):
    """Adam whose step for each layer's weights is scaled by that layer's factor.

    Fine-tuning a pretrained model, the layers nearest the input hold the
    most general knowledge and should move least (Howard and Ruder 2018,
    "Universal Language Model Fine-tuning", section 3.2): layer ``l`` uses
    ``learning_rate * multipliers[l]``. ULMFiT divides the rate by 2.6 per
    layer going down. A factor of 0 freezes a layer's weights without
    recompiling.

    Args:
        learning_rate: the base rate (a float or a schedule), as for Adam.
        multipliers: ``{layer name: factor}``; a weight belongs to the layer
            named first in its path (``"rnn_1/lstm_cell/kernel"`` -> ``rnn_1``).
            Layers not named keep factor 1.
        **kwargs: the other arguments of `keras.optimizers.Adam`.

    Example:

    >>> optimizer = DiscriminativeAdam(1e-3, multipliers={"embedding": 1 / 2.6**2,
    ...                                                    "rnn_1": 1 / 2.6})
    """

    def __init__(self, learning_rate=0.001, multipliers=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        multipliers = dict(multipliers or {})
        for name, factor in multipliers.items():
            if (not isinstance(name, str) or isinstance(factor, bool)
                    or not isinstance(factor, (int, float)) or factor < 0):
                raise ValueError("`multipliers` maps layer names to factors >= 0; got "
                                 f"{name!r}: {factor!r}.")
        self.multipliers = {name: float(factor) for name, factor in multipliers.items()}

    def factor(self, variable):
        """The learning-rate factor of a model's ``variable`` (by the first part of its path)."""
        return self.multipliers.get(variable.path.split("/")[0], 1.0)

    def build(self, var_list):
        # The backend may hand update_step its own variable object (TensorFlow
        # does), so the factors are looked up by the optimizer's variable index.
        self._factors = [self.factor(v) for v in var_list]
        super().build(var_list)

    def update_step(self, gradient, variable, learning_rate):
        factor = self._factors[self._get_variable_index(variable)]
        if factor != 1.0:
            learning_rate = learning_rate * factor
        super().update_step(gradient, variable, learning_rate)

    def get_config(self):
        return {**super().get_config(), "multipliers": dict(self.multipliers)}
