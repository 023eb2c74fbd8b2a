"""rnn_keras: recurrent neural networks in Keras 3, from scratch and at scale.

Importing the package registers its layers with Keras's serialization, so a
saved ``.keras`` model loads in a fresh process after ``import rnn_keras``.
"""

import os

# Hide TensorFlow's C++ INFO lines (oneDNN, CPU features) unless the user set
# a level; warnings and errors still show. Only effective before TF loads.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

__version__ = "0.1.0"

from rnn_keras import _quiet_import  # noqa: E402

if _quiet_import.keras_backend() == "tensorflow":
    # Before Keras loads TensorFlow: its C++ start-up lines are held back here.
    _quiet_import.import_tensorflow()

from rnn_keras import bptt
from rnn_keras import config
from rnn_keras import data
from rnn_keras import decoding
from rnn_keras import forecasting
from rnn_keras import layers
from rnn_keras import losses
from rnn_keras import metrics
from rnn_keras import models
from rnn_keras.training import discriminative_adam  # noqa: F401 (registers the optimizer)

__all__ = ["bptt", "config", "data", "decoding", "forecasting", "layers", "losses", "metrics", "models",
           "__version__"]
