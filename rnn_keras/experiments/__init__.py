"""Experiments: one module per experiment, registered below with a one-line description.

They back both the notebooks and the CLI (``python -m rnn_keras run NAME``).

The protocol
------------
Every experiment module follows one shape, so a new experiment (and a reader)
knows where everything is:

- ``SETTINGS``: ``{"quick": {...}, "full": {...}, "smoke": {...}}``, the
  budget of each profile (:mod:`rnn_keras.config`).
- ``prepare(profile=None, data_dir=None, seed=0, **options) -> Data``: the
  data of a profile (loaded, split, encoded), with the profile's settings as
  ``data.settings``. Splits are called ``"train"``, ``"validation"`` and
  ``"test"``.
- ``build_model(data, **variant) -> keras.Model``: the model of one variant
  (``cell``, ``implementation``, ... where they apply), **compiled**.
- ``train(data, model, *, seed=0, verbose=0, run_dir=None, name=...)
  -> rnn_keras.training.Training``: always through
  :func:`rnn_keras.training.fit`, so with a ``run_dir`` every experiment
  backs up each epoch and resumes after a crash; ``Training.fit_call`` is
  the ``model.fit`` call that ran.
- ``evaluate(model, data, **options) -> dict``: the metrics of a trained
  model on the test split, next to the baselines they are judged against.
- ``run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2,
  **variant) -> dict``: the whole experiment (``verbose=2``: one line per
  epoch, the CLI's progress; the other functions default to silence) (several models where the
  question needs them), saving models atomically
  (:func:`rnn_keras.training.save_model`) under ``out_dir``; returns the
  headline metrics, rounded by :func:`rounded`, which the CLI prints as its
  last JSON line.

Where an experiment trains several kinds of model (``adding-problem``: one
per cell and length; ``music``: two forms; ``video``: a predictor and a
classifier; ``speech``: rnn or cnn), ``build_model``, ``train`` and ``evaluate`` take the selector as
a keyword (``timesteps=``, ``form=``, ``task=``).
``tests/test_experiments.py`` runs the protocol of every registered experiment in the smoke
profile.
"""

import importlib
import math

# name -> (module, one-line description)
EXPERIMENTS = {
    "topologies": ("rnn_keras.experiments.topologies",
                   "the four topologies on toy problems (notebook 01): metric vs baseline"),
    "gradient-flow": ("rnn_keras.experiments.gradient_flow",
                      "gradient norm decay per cell and spectral radius; clipping (notebook 02)"),
    "adding-problem": ("rnn_keras.experiments.adding_problem",
                       "long memory: test MSE per cell and sequence length (notebook 03)"),
    "bidirectional": ("rnn_keras.experiments.bidirectional",
                      "a task whose answer lies in the future: uni vs bidirectional (notebook 03)"),
    "sentiment": ("rnn_keras.experiments.sentiment",
                  "IMDB reviews, many-to-one: test accuracy of one variant (notebook 04)"),
    "charlm": ("rnn_keras.experiments.charlm",
               "tiny Shakespeare character LSTM: nats/char vs n-grams and nanoGPT, stateless vs "
               "stateful truncated BPTT, samples (notebook 10)"),
    "music": ("rnn_keras.experiments.music",
              "Bach chorales: next-note accuracy vs copy baseline, a sampled MIDI/WAV (notebook 07)"),
    "translation": ("rnn_keras.experiments.translation",
                    "Tatoeba sentence pairs, encoder-decoder: BLEU greedy vs beam (notebook 06)"),
    "captioning": ("rnn_keras.experiments.captioning",
                   "scenes of MNIST digits, CNN + attention decoder: BLEU, exact, attention on "
                   "object (notebook 05)"),
    "timeseries": ("rnn_keras.experiments.timeseries",
                   "forecasting demand, sunspots, MSFT: RNN vs CNN vs MLP vs forecasters' "
                   "baselines, rolling origins, Diebold-Mariano (notebook 09)"),
    "speech": ("rnn_keras.experiments.speech",
               "spoken digits (RNN vs CNN vs MFCC+LR) and digit strings with CTC: accuracy, "
               "digit error rate, official and unseen-speaker splits (notebook 11)"),
    "video": ("rnn_keras.experiments.video",
              "Moving MNIST: ConvLSTM rollout MSE/SSIM vs copy-last; clip direction (notebook 08)"),
    "costs": ("rnn_keras.experiments.costs",
              "what RNNs cost: time and memory vs length (RNN, CNN, attention), learning curves "
              "vs linear baselines (IMDB, spoken digits), a KerasTuner search (notebook 12)"),
}


def get(name):
    """Returns the experiment module called ``name``."""
    return importlib.import_module(EXPERIMENTS[name][0])


def rounded(value, digits=4):
    """``value`` with every float kept to ``digits`` significant digits (dicts, lists too).

    The one rounding of the experiments' metrics (the CLI's JSON line):
    ``0.882345 -> 0.8823``, ``40.3312 -> 40.33``, ``0.0209231 -> 0.02092``.
    Non-finite floats and everything else pass unchanged.
    """
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(rounded(v, digits) for v in value)
    if isinstance(value, bool) or not isinstance(value, float):
        if hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0:  # numpy scalars
            return rounded(value.item(), digits)
        return value
    if not math.isfinite(value) or value == 0:
        return value
    return float(f"{value:.{digits}g}")
