"""Why does language-model pretraining hurt the IMDB classifier here? A probe.

``sentiment --pretrain lm`` ends below the same classifier from random
weights, at both profiles (README, *Sentiment*). This script varies what
the full recipe fixes and reports, for each language model:

- its held-out loss next to the unigram's (did it learn context?);
- its LSTM's outputs on 64 test reviews: the mean |h| over units and steps,
  and how much each unit's per-review mean varies across the reviews (if the
  spread is tiny next to |h|, every review gets nearly the same features);
- the test accuracy after fine-tuning with what is transferred
  (``embedding+lstm``, ``lstm`` or nothing) and how (``ulmfit``: gradual
  unfreezing and discriminative rates; ``plain``: three stages of Adam at one
  rate, nothing frozen).

Progress goes to stderr; the last line of stdout is one JSON object.

    python benchmarks/pretrain_probe.py --data-dir ../shared/data          # quick profile, ~4 min
    python benchmarks/pretrain_probe.py --lm '[{"lm_timesteps": 150}]' --transfer lstm
"""

import argparse
import json
import sys
import time

import keras
import numpy as np

from rnn_keras import models
from rnn_keras.experiments import sentiment

DEFAULT_LMS = [{}, {"lm_timesteps": 150}, {"lm_learning_rate": 3e-3}]
TRANSFERS = {"embedding+lstm": {"names": ("embedding",), "prefix": "rnn_"},
             "lstm": {"names": (), "prefix": "rnn_"},
             "none": None}
RECIPES = {"ulmfit": {}, "plain": {"gradual": False, "discriminative": False}}


def feature_spread(language_model, datasets):
    """Mean |h| of the LSTM's outputs, and the across-review spread of each unit's mean."""
    x = next(iter(datasets["test"]))[0]
    mask = keras.ops.convert_to_numpy(x) != 0
    h = language_model.get_layer("rnn_1")(language_model.get_layer("embedding")(x), mask=mask)
    h = keras.ops.convert_to_numpy(h[0] if isinstance(h, (list, tuple)) else h)
    per_review = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return float(np.abs(h[mask]).mean()), float(per_review.std(axis=0).mean())


def fine_tuned_accuracy(data, datasets, language_model, transfer, recipe):
    model = sentiment.build_lm_classifier(data)
    if TRANSFERS[transfer] is not None:
        models.transfer_weights(language_model, model, **TRANSFERS[transfer])
    stages = sentiment.fine_tune(data, model, seed=0, datasets=datasets, **RECIPES[recipe])
    return {"stage_val_accuracy": [round(max(r.history["val_accuracy"]), 3) for r in stages],
            "test_accuracy": sentiment.evaluate(model, data, datasets=datasets)["test_accuracy"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="quick", choices=("smoke", "quick", "full"))
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--lm", default=json.dumps(DEFAULT_LMS),
                        help="JSON list of overrides of settings['pretrain'], one LM each")
    parser.add_argument("--transfer", nargs="+", default=list(TRANSFERS), choices=list(TRANSFERS))
    parser.add_argument("--recipe", nargs="+", default=list(RECIPES), choices=list(RECIPES))
    args = parser.parse_args(argv)
    try:
        lms = json.loads(args.lm)
        assert isinstance(lms, list) and all(isinstance(o, dict) for o in lms)
    except (ValueError, AssertionError):
        parser.error(f"--lm must be a JSON list of dicts, got {args.lm!r}")
    known = sentiment.SETTINGS[args.profile]["pretrain"]
    unknown = {k for o in lms for k in o} - set(known)
    if unknown:
        parser.error(f"--lm: unknown settings {sorted(unknown)}; known: {sorted(known)}")
    data = sentiment.prepare(profile=args.profile, data_dir=args.data_dir)
    datasets = sentiment.make_datasets(data, data.settings["max_length"], seed=0)
    base = dict(data.settings["pretrain"])
    rows = []
    for overrides in lms:
        data.settings["pretrain"] = {**base, **overrides}
        start = time.time()
        lm, _, scores = sentiment.pretrain_language_model(data, seed=0)
        mean_abs, spread = feature_spread(lm, datasets)
        row = {"lm": overrides, "lm_heldout_loss": scores["lm_heldout_loss"],
               "lm_unigram_loss": scores["lm_unigram_loss"], "mean_abs_h": mean_abs,
               "spread_across_reviews": spread, "runs": {}}
        for transfer in args.transfer:
            for recipe in args.recipe:
                if transfer == "none" and rows:
                    continue  # random init does not depend on the language model
                row["runs"][f"{transfer}/{recipe}"] = fine_tuned_accuracy(
                    data, datasets, lm, transfer, recipe)
                print(overrides, transfer, recipe, row["runs"][f"{transfer}/{recipe}"],
                      file=sys.stderr, flush=True)
        row["seconds"] = time.time() - start
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    data.settings["pretrain"] = base
    print(json.dumps({"profile": args.profile, "seed": 0, "rows": rows}))


if __name__ == "__main__":
    main()
