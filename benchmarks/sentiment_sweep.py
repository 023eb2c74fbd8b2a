"""IMDB test accuracy after each epoch, for a few settings of the sentiment model.

The search behind the full profile of the ``sentiment`` experiment: each
trial trains on the 22,500 training reviews (validation: the other 2,500,
seed 0) and is scored on all 25,000 test reviews after every epoch.
Progress goes to stderr; the last line of stdout is one JSON object with
every trial's per-epoch accuracies.

    python benchmarks/sentiment_sweep.py --data-dir ../shared/data
    python benchmarks/sentiment_sweep.py --trials '[{"model": {"cell": "lstm"}, "epochs": 1}]'

A trial is a dict: ``model`` (keyword arguments of ``models.many_to_one``:
cell, bidirectional, pooling, dropout...), ``settings`` (overrides of the
full profile: max_length, units, embedding_dim...), ``learning_rate``,
``weight_decay`` (AdamW when set), ``policy`` (a Keras dtype policy) and
``epochs``.
"""

import argparse
import json
import sys
import time

import keras

from rnn_keras.experiments import sentiment

BIGRU = {"cell": "gru", "bidirectional": True, "pooling": "mean_max"}
DEFAULT_TRIALS = [
    {"model": {**BIGRU, "dropout": 0.3}, "epochs": 2},
    {"model": {**BIGRU, "dropout": 0.3}, "policy": "mixed_bfloat16", "epochs": 2},
    {"model": {**BIGRU, "dropout": 0.5}, "settings": {"max_length": 600}, "epochs": 3},
    {"model": {**BIGRU, "cell": "lstm", "dropout": 0.5}, "settings": {"max_length": 600},
     "epochs": 1},
    {"model": {**BIGRU, "dropout": 0.5}, "settings": {"max_length": 800},
     "weight_decay": 0.05, "epochs": 2},
    {"model": {**BIGRU, "pooling": "max", "dropout": 0.5}, "settings": {"max_length": 800},
     "weight_decay": 0.05, "epochs": 1},
]


def run_trial(data, trial, seed=0):
    s = {**data.settings, **trial.get("settings", {})}
    keras.mixed_precision.set_global_policy(trial.get("policy", "float32"))
    keras.utils.set_random_seed(seed)
    datasets = sentiment.make_datasets(data, s["max_length"], seed=seed,
                                       batch_size=s["batch_size"])
    learning_rate = trial.get("learning_rate", s["learning_rate"])
    optimizer = (keras.optimizers.AdamW(learning_rate, weight_decay=trial["weight_decay"])
                 if trial.get("weight_decay") else keras.optimizers.Adam(learning_rate))
    model = sentiment.compile_model(s, optimizer=optimizer, **trial["model"])
    epochs = []
    start = time.perf_counter()
    for epoch in range(trial.get("epochs", 1)):
        history = model.fit(datasets["train"], validation_data=datasets["validation"],
                            epochs=1, verbose=0, shuffle=False)
        _, test_accuracy = model.evaluate(datasets["test"], verbose=0)
        epochs.append({"epoch": epoch + 1, "seconds": round(time.perf_counter() - start),
                       "validation_accuracy": round(history.history["val_accuracy"][-1], 4),
                       "test_accuracy": round(float(test_accuracy), 4)})
        print(json.dumps({"trial": trial, **epochs[-1]}), file=sys.stderr, flush=True)
    keras.mixed_precision.set_global_policy("float32")
    return {"trial": trial, "epochs": epochs}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--trials", default=None, help="JSON list of trials")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    trials = json.loads(args.trials) if args.trials else DEFAULT_TRIALS
    data = sentiment.prepare(profile="full", data_dir=args.data_dir, seed=args.seed)
    results = [run_trial(data, trial, seed=args.seed) for trial in trials]
    print(json.dumps({"benchmark": "sentiment_sweep", "split": "IMDB test, 25,000 reviews",
                      "seed": args.seed, "results": results}))


if __name__ == "__main__":
    main()
