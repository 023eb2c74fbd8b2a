"""When the answer lies in the future: unidirectional vs bidirectional RNNs.

Question: tagging each step with whether a marker appears *later*, how well
does a left-to-right GRU do compared with a bidirectional one, over the whole
sequence and on its first quarter, where a left-to-right reader has seen
almost nothing that tells the answer?

Used by notebook 03 and ``python -m rnn_keras run bidirectional``.
"""

import dataclasses

import keras

from rnn_keras import config
from rnn_keras import models
from rnn_keras import training
from rnn_keras.data import toy
from rnn_keras.experiments import rounded

SETTINGS = {
    "quick": {"n_train": 3000, "epochs": 6},
    "full": {"n_train": 10000, "epochs": 15},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"n_train": 256, "epochs": 1, "n_test": 64},
}
TIMESTEPS = 40
VOCAB_SIZE = 10
UNITS = 32


def chance_first_quarter(tags_train, tags_test):
    """Accuracy of the best guess that ignores the tokens: the majority tag at each step."""
    majority = (tags_train.mean(axis=0) >= 0.5).astype(int)
    quarter = tags_test.shape[1] // 4
    return float((tags_test[:, :quarter] == majority[None, :quarter]).mean())


@dataclasses.dataclass
class Data:
    """``train``: ``(tokens, tags, positions)``; ``test`` likewise (positions of the markers)."""

    train: tuple
    test: tuple
    settings: dict


def prepare(profile=None, data_dir=None, seed=0):
    """The marker-later tagging task: training and test sequences of 40 steps."""
    del data_dir  # generated data only
    s = dict(SETTINGS[config.get_profile(profile)])
    train = toy.marker_later(n=s["n_train"], timesteps=TIMESTEPS, vocab_size=VOCAB_SIZE,
                             seed=seed)
    test = toy.marker_later(n=s.get("n_test", 2000), timesteps=TIMESTEPS,
                            vocab_size=VOCAB_SIZE, seed=seed + 1000)
    return Data(train, test, s)


def build_model(data=None, *, bidirectional=False, cell="gru", implementation="fused"):
    """A many-to-many tagger (embedding 8, 32 units), compiled (Adam 3e-3, logits)."""
    del data
    model = models.many_to_many(2, vocab_size=VOCAB_SIZE, embedding_dim=8, cell=cell,
                                units=UNITS, bidirectional=bidirectional,
                                implementation=implementation)
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def train(data, model, *, seed=None, verbose=0, run_dir=None, name="model"):
    """The profile's epochs, batch 64, shuffled, no validation split (last weights)."""
    if seed is not None:
        keras.utils.set_random_seed(seed)
    tokens, tags, _ = data.train
    return training.fit(model, tokens, tags, epochs=data.settings["epochs"], batch_size=64,
                        verbose=verbose, shuffle=True, monitor="loss",
                        restore_best_weights=False, run_dir=run_dir, name=name)


def evaluate(model, data):
    """Accuracy over all steps and over the first quarter of the sequence, and chance."""
    tokens, tags = data.test[:2]
    pred = model.predict(tokens, verbose=0, batch_size=256).argmax(-1)
    correct = pred == tags
    quarter = tags.shape[1] // 4
    return {"accuracy": float(correct.mean()),
            "first_quarter_accuracy": float(correct[:, :quarter].mean()),
            "chance_first_quarter_accuracy": chance_first_quarter(data.train[1], tags)}


def train_pair(profile=None, seed=0, verbose=0, cell="gru", run_dir=None):
    """Trains the unidirectional and the bidirectional tagger on the same data.

    Returns ``(results, models, test)`` where ``results`` maps ``"uni"`` and
    ``"bi"`` to their metrics and ``test`` is ``(tokens, tags, positions)``.
    """
    data = prepare(profile, seed=seed)
    results, trained = {}, {}
    for name, bidirectional in (("uni", False), ("bi", True)):
        keras.utils.set_random_seed(seed)
        model = build_model(data, bidirectional=bidirectional, cell=cell)
        train(data, model, verbose=verbose, run_dir=run_dir, name=name)
        scores = evaluate(model, data)
        results["chance_first_quarter_accuracy"] = scores.pop("chance_first_quarter_accuracy")
        results[name] = scores
        trained[name] = model
        print(f"[bidirectional] {name}: {results[name]}", flush=True)
    return results, trained, data.test


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2):
    del data_dir  # generated data only
    results, trained, _ = train_pair(profile=profile, seed=seed, verbose=verbose,
                                     run_dir=out_dir)
    metrics = {}
    for name in ("uni", "bi"):
        for key, value in results[name].items():
            metrics[f"{name}_{key}"] = value
    metrics["chance_first_quarter_accuracy"] = results["chance_first_quarter_accuracy"]
    if out_dir is not None:
        for name, model in trained.items():
            training.save_model(model, out_dir / f"{name}.keras")
    return rounded(metrics)
