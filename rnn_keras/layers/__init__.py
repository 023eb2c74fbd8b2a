"""Recurrent cells written from scratch in `keras.ops`, attention, and tools to look inside them."""

from rnn_keras.layers.attention_rnn import AttentionRNN
from rnn_keras.layers.blank_padding import BlankPadding
from rnn_keras.layers.bahdanau_attention import BahdanauAttention
from rnn_keras.layers.frame_patches import FramePatches
from rnn_keras.layers.grid_position_embedding import GridPositionEmbedding
from rnn_keras.layers.gru_cell import GRUCell
from rnn_keras.layers.lstm_cell import LSTMCell
from rnn_keras.layers.last_tokens import LastTokens
from rnn_keras.layers.log_mel_spectrogram import LogMelSpectrogram
from rnn_keras.layers.luong_attention import LuongAttention
from rnn_keras.layers.masked_global_max_pooling1d import MaskedGlobalMaxPooling1D
from rnn_keras.layers.spec_augment import SpecAugment
from rnn_keras.layers.simple_rnn_cell import SimpleRNNCell
from rnn_keras.layers.unroll import as_scratch_cell, record_gates, unroll

__all__ = [
    "SimpleRNNCell",
    "LSTMCell",
    "GRUCell",
    "MaskedGlobalMaxPooling1D",
    "BahdanauAttention",
    "LuongAttention",
    "AttentionRNN",
    "FramePatches",
    "GridPositionEmbedding",
    "LogMelSpectrogram",
    "BlankPadding",
    "LastTokens",
    "SpecAugment",
    "as_scratch_cell",
    "record_gates",
    "unroll",
]
