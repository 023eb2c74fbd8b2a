"""When the answer lies in the future: unidirectional vs bidirectional RNNs.

Question: tagging each step with whether a marker appears *later*, how well
does a left-to-right GRU do compared with a bidirectional one, over the whole
sequence and on its first quarter, where a left-to-right reader has seen
almost nothing that tells the answer?

Used by notebook 03 and ``python -m rnn_keras run bidirectional``.
"""

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import models
from rnn_keras.data import toy

SETTINGS = {
    "quick": {"n_train": 3000, "epochs": 6},
    "full": {"n_train": 10000, "epochs": 15},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"n_train": 256, "epochs": 1, "n_test": 64},
}
TIMESTEPS = 40
VOCAB_SIZE = 10
UNITS = 32


def evaluate(model, tokens, tags):
    """Accuracy over all steps and over the first quarter of the sequence."""
    pred = model.predict(tokens, verbose=0, batch_size=256).argmax(-1)
    correct = pred == tags
    quarter = tags.shape[1] // 4
    return {"accuracy": float(correct.mean()),
            "first_quarter_accuracy": float(correct[:, :quarter].mean())}


def chance_first_quarter(tags_train, tags_test):
    """Accuracy of the best guess that ignores the tokens: the majority tag at each step."""
    majority = (tags_train.mean(axis=0) >= 0.5).astype(int)
    quarter = tags_test.shape[1] // 4
    return float((tags_test[:, :quarter] == majority[None, :quarter]).mean())


def train_pair(profile=None, seed=0, verbose=0, cell="gru"):
    """Trains the unidirectional and the bidirectional tagger on the same data.

    Returns ``(results, models, test)`` where ``results`` maps ``"uni"`` and
    ``"bi"`` to their metrics and ``test`` is ``(tokens, tags, positions)``.
    """
    s = SETTINGS[config.get_profile(profile)]
    tokens, tags, _ = toy.marker_later(n=s["n_train"], timesteps=TIMESTEPS,
                                       vocab_size=VOCAB_SIZE, seed=seed)
    test = toy.marker_later(n=s.get("n_test", 2000), timesteps=TIMESTEPS, vocab_size=VOCAB_SIZE,
                            seed=seed + 1000)
    results, trained = {}, {}
    for name, bidirectional in (("uni", False), ("bi", True)):
        keras.utils.set_random_seed(seed)
        model = models.many_to_many(2, vocab_size=VOCAB_SIZE, embedding_dim=8, cell=cell,
                                    units=UNITS, bidirectional=bidirectional)
        model.compile(optimizer=keras.optimizers.Adam(3e-3),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(tokens, tags, epochs=s["epochs"], batch_size=64, verbose=verbose,
                  shuffle=True)
        results[name] = evaluate(model, test[0], test[1])
        trained[name] = model
        print(f"[bidirectional] {name}: {results[name]}", flush=True)
    results["chance_first_quarter_accuracy"] = chance_first_quarter(tags, test[1])
    return results, trained, test


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=0):
    del data_dir  # generated data only
    results, trained, _ = train_pair(profile=profile, seed=seed, verbose=verbose)
    metrics = {}
    for name in ("uni", "bi"):
        for key, value in results[name].items():
            metrics[f"{name}_{key}"] = float(f"{value:.4g}")
    metrics["chance_first_quarter_accuracy"] = float(
        f"{results['chance_first_quarter_accuracy']:.4g}")
    if out_dir is not None:
        for name, model in trained.items():
            model.save(out_dir / f"{name}.keras")
    return metrics
