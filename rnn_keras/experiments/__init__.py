"""Experiments: one module per experiment, each with ``DESCRIPTION`` and
``run(profile, data_dir, out_dir, seed) -> dict`` of headline metrics.

They back both the notebooks and the CLI (``python -m rnn_keras run NAME``).
"""

import importlib

EXPERIMENTS = {
    "topologies": "rnn_keras.experiments.topologies",
}


def get(name):
    """Returns the experiment module called ``name``."""
    if name not in EXPERIMENTS:
        raise KeyError(name)
    return importlib.import_module(EXPERIMENTS[name])
