"""Data sets: one module per data set (real source + local copy), and toy problems."""

from rnn_keras.data import imdb  # registers its standardization for .keras loading
from rnn_keras.data import chorales
from rnn_keras.data import coco_captions
from rnn_keras.data import moving_mnist
from rnn_keras.data import scenes
from rnn_keras.data import series
from rnn_keras.data import spoken_digits
from rnn_keras.data import text_corpus
from rnn_keras.data import toy
from rnn_keras.data import translation
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.data.errors import DataNotFoundError

__all__ = ["chorales", "coco_captions", "imdb", "moving_mnist", "scenes", "series", "spoken_digits", "text_corpus", "toy",
           "translation", "DataNotFoundError", "DataCorruptError"]
