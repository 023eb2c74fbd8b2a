"""Losses (registered, so models compiled with them reload after ``import rnn_keras``)."""

from rnn_keras.losses.ctc_loss import CTCLoss
from rnn_keras.losses.grouped_sparse_categorical_crossentropy import (
    GroupedSparseCategoricalCrossentropy,
)

__all__ = ["CTCLoss", "GroupedSparseCategoricalCrossentropy"]
