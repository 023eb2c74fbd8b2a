"""Training: resumable ``fit``, atomic saving, and data-parallel scale-out.

- :mod:`rnn_keras.training.resume`: :func:`fit` (``model.fit`` + backups, best
  weights and early stopping whose state lives on disk), :class:`Training`,
  :func:`save_model`, :func:`fingerprint`;
- :mod:`rnn_keras.training.distribution`: :func:`distribution_scope`,
  :func:`start_distribution`, :class:`Distribution`;
- :class:`DiscriminativeAdam`: Adam with a learning-rate factor per layer
  (ULMFiT's discriminative fine-tuning);
- :mod:`rnn_keras._keras_compat` (beside this package): the only code that
  touches Keras's private parts, each piece gated on the Keras release and
  tested.
"""

from rnn_keras.training.discriminative_adam import DiscriminativeAdam
from rnn_keras.training.distribution import Distribution
from rnn_keras.training.distribution import distribution_scope
from rnn_keras.training.distribution import start_distribution
from rnn_keras.training.resume import BACKUP_FOLDER
from rnn_keras.training.resume import Training
from rnn_keras.training.resume import _Progress  # noqa: F401 (tests drive it directly)
from rnn_keras.training.resume import fingerprint
from rnn_keras.training.resume import fit
from rnn_keras.training.resume import resolve_mode
from rnn_keras.training.resume import save_model

__all__ = ["BACKUP_FOLDER", "DiscriminativeAdam", "Distribution", "Training", "distribution_scope", "fingerprint",
           "fit", "resolve_mode", "save_model", "start_distribution"]
