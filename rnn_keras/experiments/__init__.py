"""Experiments: one module per experiment, each with
``run(profile, data_dir, out_dir, seed) -> dict`` of headline metrics, and
registered below with a one-line description.

They back both the notebooks and the CLI (``python -m rnn_keras run NAME``).
"""

import importlib

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
    "music": ("rnn_keras.experiments.music",
              "Bach chorales: next-note accuracy vs copy baseline, a sampled MIDI/WAV (notebook 07)"),
    "translation": ("rnn_keras.experiments.translation",
                    "Tatoeba sentence pairs, encoder-decoder: BLEU greedy vs beam (notebook 06)"),
    "captioning": ("rnn_keras.experiments.captioning",
                   "scenes of MNIST digits, CNN + attention decoder: BLEU, exact, attention on "
                   "object (notebook 05)"),
    "video": ("rnn_keras.experiments.video",
              "Moving MNIST: ConvLSTM rollout MSE/SSIM vs copy-last; clip direction (notebook 08)"),
}


def get(name):
    """Returns the experiment module called ``name``."""
    return importlib.import_module(EXPERIMENTS[name][0])
