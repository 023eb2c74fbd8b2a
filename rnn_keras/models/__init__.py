"""Model builders for the four RNN topologies, plus the encoder-decoder, video, forecasting and speech models."""

from rnn_keras.models.encoder_decoder import EncoderDecoder
from rnn_keras.models.forecaster import forecaster
from rnn_keras.models.image_captioner import ImageCaptioner
from rnn_keras.models.language_model import ResetStates
from rnn_keras.models.language_model import language_model
from rnn_keras.models.language_model import reset_states
from rnn_keras.models.language_model import transfer_weights
from rnn_keras.models.language_model import run_with_states
from rnn_keras.models.language_model import step_model
from rnn_keras.models.many_to_many import many_to_many
from rnn_keras.models.many_to_one import many_to_one
from rnn_keras.models.one_to_many import image_captioner
from rnn_keras.models.one_to_many import one_to_many
from rnn_keras.models.one_to_one import one_to_one
from rnn_keras.models.seq2seq import Seq2Seq
from rnn_keras.models.seq2seq import seq2seq
from rnn_keras.models.speech import ctc_recognizer
from rnn_keras.models.speech import word_classifier
from rnn_keras.models.video import clip_classifier
from rnn_keras.models.video import next_frame_model
from rnn_keras.models.video import rollout

__all__ = ["one_to_one", "one_to_many", "many_to_one", "many_to_many", "seq2seq",
           "image_captioner", "forecaster", "next_frame_model", "rollout", "clip_classifier",
           "word_classifier", "ctc_recognizer", "language_model", "step_model", "run_with_states",
           "reset_states", "transfer_weights", "ResetStates",
           "EncoderDecoder", "Seq2Seq", "ImageCaptioner"]
