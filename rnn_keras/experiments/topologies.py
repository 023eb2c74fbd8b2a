"""The four RNN topologies, each on a small problem, with a measured answer.

Question: does each topology learn the task it is built for, and by how much
does it beat the trivial baseline for that task?

=============  ===================================  ==============================
topology        task                                 metric (baseline)
=============  ===================================  ==============================
one-to-one      8x8 digit image -> class             accuracy (majority class)
one-to-many     3 curve parameters -> 24-step curve  MSE (predict the mean curve)
many-to-one     digit read row by row -> class       accuracy (majority class)
many-to-many    tag each token "seen before?"        token accuracy (majority tag)
seq2seq         digits -> English number words       exact match, greedy (0)
=============  ===================================  ==============================

Used by notebook 01 and by ``python -m rnn_keras run topologies``.
"""

import dataclasses
import time

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import decoding
from rnn_keras import metrics as rk_metrics
from rnn_keras import models
from rnn_keras.data import toy

PROBLEMS = ("one_to_one", "one_to_many", "many_to_one", "many_to_many", "seq2seq")

# The models are the same in both profiles (so their shapes and parameter
# counts are too); the full profile trains longer on more data. The quick
# profile runs in about half a minute on 2 CPU cores.
UNITS = 32
CURVE_STEPS = 24
NUMBER_VOCAB_SIZE = len(toy.number_words(max_number=1000)["vocab"])
SETTINGS = {
    "quick": {"epochs": {"one_to_one": 10, "one_to_many": 15, "many_to_one": 20,
                         "many_to_many": 30, "seq2seq": 25},
              "curves": 1500, "sequences": 4000},
    "full": {"epochs": {"one_to_one": 40, "one_to_many": 60, "many_to_one": 60,
                        "many_to_many": 60, "seq2seq": 80},
             "curves": 5000, "sequences": 8000},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"epochs": {"one_to_one": 1, "one_to_many": 1, "many_to_one": 1,
                         "many_to_many": 1, "seq2seq": 1},
              "curves": 64, "sequences": 64},
}


# 9 possible tokens in sequences of 5 to 15: about half the steps repeat.
SEEN_BEFORE = {"vocab_size": 10, "max_length": 15}


@dataclasses.dataclass
class Result:
    """What training one problem produced."""

    name: str
    model: keras.Model
    history: dict
    metrics: dict
    example: dict  # a few inputs/targets/predictions from the test split
    seconds: float


def _sparse_loss():
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def _fit(model, x, y, epochs, verbose, sample_weight=None, batch_size=64):
    history = model.fit(x, y, sample_weight=sample_weight, epochs=epochs,
                        batch_size=batch_size, validation_split=0.1,
                        verbose=verbose, shuffle=True)
    return history.history


def _majority_accuracy(y_train, y_test, weights=None):
    values, counts = np.unique(y_train if weights is None else y_train[weights[0] > 0],
                               return_counts=True)
    majority = values[np.argmax(counts)]
    if weights is None:
        return float(np.mean(y_test == majority))
    return rk_metrics.token_accuracy(y_test, np.full_like(y_test, majority), weights[1])


def position_majority_accuracy(y_train, y_test, weights):
    """Token accuracy of guessing, at each position, the tag most frequent there in train.

    The strongest baseline that ignores the tokens: a tagger whose output is
    a function of the position only cannot beat it.
    """
    w_train, w_test = weights
    guess = np.zeros(y_train.shape[1], y_train.dtype)
    for t in range(y_train.shape[1]):
        real = w_train[:, t] > 0
        if real.any():
            values, counts = np.unique(y_train[real, t], return_counts=True)
            guess[t] = values[np.argmax(counts)]
    return rk_metrics.token_accuracy(y_test, np.broadcast_to(guess, y_test.shape), w_test)


def build_model(name, cell="gru", implementation="fused", units=None):
    """The default model of each problem, built with the package builders."""
    units = units or UNITS
    recurrent = dict(cell=cell, implementation=implementation, units=units)
    if name == "one_to_one":
        return models.one_to_one(64, 10, units=units)
    if name == "many_to_one":
        return models.many_to_one(10, input_dim=8, timesteps=8, **recurrent)
    if name == "one_to_many":
        return models.one_to_many(3, 1, steps=CURVE_STEPS, **recurrent)
    if name == "many_to_many":
        return models.many_to_many(2, vocab_size=SEEN_BEFORE["vocab_size"],
                                   embedding_dim=16, **recurrent)
    if name == "seq2seq":
        return models.seq2seq(NUMBER_VOCAB_SIZE, source_vocab_size=13, embedding_dim=32,
                              **recurrent)
    raise ValueError(f"Unknown problem {name!r}. Expected one of {PROBLEMS}.")


def run_problem(name, model=None, profile=None, seed=0, cell="gru",
                implementation="fused", verbose=0):
    """Builds, trains and evaluates one topology's problem.

    Args:
        name: one of ``PROBLEMS``.
        model: a model to train instead of ``build_model(name, cell,
            implementation)``; it must take the problem's inputs.
        profile: ``"quick"`` or ``"full"`` (default: ``$RNN_KERAS_PROFILE``).
        seed: seeds data splits, initial weights and shuffling.
        cell, implementation: passed to the builders.
        verbose: Keras ``fit`` verbosity.

    Returns:
        A :class:`Result`.
    """
    if name not in PROBLEMS:
        raise ValueError(f"Unknown problem {name!r}. Expected one of {PROBLEMS}.")
    profile = config.get_profile(profile)
    s = SETTINGS[profile]
    epochs = s["epochs"][name]
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    if model is None:
        model = build_model(name, cell=cell, implementation=implementation)

    if name in ("one_to_one", "many_to_one"):
        (x_tr, y_tr), (x_te, y_te) = toy.digits(as_sequence=name == "many_to_one", seed=seed)
        model.compile(optimizer="adam", loss=_sparse_loss(), metrics=["accuracy"])
        history = _fit(model, x_tr, y_tr, epochs, verbose)
        pred = model.predict(x_te, verbose=0).argmax(-1)
        result_metrics = {"accuracy": float(np.mean(pred == y_te)),
                          "baseline_accuracy": _majority_accuracy(y_tr, y_te)}
        example = {"inputs": x_te[:8], "targets": y_te[:8], "predictions": pred[:8]}

    elif name == "one_to_many":
        params, waves = toy.curves(n=s["curves"], steps=CURVE_STEPS, seed=seed)
        n_test = len(params) // 5
        x_tr, y_tr, x_te, y_te = params[n_test:], waves[n_test:], params[:n_test], waves[:n_test]
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
        history = _fit(model, x_tr, y_tr, epochs, verbose, batch_size=32)
        pred = model.predict(x_te, verbose=0)
        mean_curve = y_tr.mean(axis=0, keepdims=True)
        result_metrics = {"mse": float(np.mean((pred - y_te) ** 2)),
                          "baseline_mse": float(np.mean((mean_curve - y_te) ** 2))}
        example = {"inputs": x_te[:4], "targets": y_te[:4], "predictions": pred[:4]}

    elif name == "many_to_many":
        tokens, tags, weights = toy.seen_before(n=s["sequences"], seed=seed, **SEEN_BEFORE)
        n_test = len(tokens) // 5
        x_tr, y_tr, w_tr = tokens[n_test:], tags[n_test:], weights[n_test:]
        x_te, y_te, w_te = tokens[:n_test], tags[:n_test], weights[:n_test]
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=_sparse_loss())
        history = _fit(model, x_tr, y_tr, epochs, verbose, sample_weight=w_tr)
        pred = model.predict(x_te, verbose=0).argmax(-1)
        result_metrics = {
            "token_accuracy": rk_metrics.token_accuracy(y_te, pred, w_te),
            # the strongest trivial baseline: the majority tag at each position
            "baseline_token_accuracy": position_majority_accuracy(y_tr, y_te, (w_tr, w_te)),
            "majority_token_accuracy": _majority_accuracy(y_tr, y_te, (w_tr, w_te)),
        }
        example = {"inputs": x_te[:4], "targets": y_te[:4], "predictions": pred[:4]}

    else:  # seq2seq
        data = toy.number_words(max_number=1000, seed=seed)
        train, test, vocab = data["train"], data["test"], data["vocab"]
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=_sparse_loss())
        x_tr = {k: train[k] for k in ("encoder_inputs", "decoder_inputs")}
        history = _fit(model, x_tr, train["targets"], epochs, verbose,
                       sample_weight=train["weights"], batch_size=32)
        x_te = {k: test[k] for k in ("encoder_inputs", "decoder_inputs")}
        forced = model.predict(x_te, verbose=0)
        decoded = decoding.greedy_decode(
            model, {"encoder_inputs": test["encoder_inputs"]}, start_id=toy.START,
            end_id=toy.END, max_length=test["targets"].shape[1])
        truth = np.where(test["targets"] == toy.END, 0, test["targets"])
        result_metrics = {
            "token_accuracy": rk_metrics.token_accuracy(test["targets"], forced,
                                                        test["weights"]),
            # teacher forced; baseline: the most frequent word at each position
            "baseline_token_accuracy": position_majority_accuracy(
                train["targets"], test["targets"], (train["weights"], test["weights"])),
            "exact_match": rk_metrics.sequence_accuracy(truth, decoded),
        }
        example = {
            "numbers": test["numbers"][:8],
            "targets": [" ".join(vocab.decode(t)) for t in test["targets"][:8]],
            "predictions": [" ".join(vocab.decode(p)) for p in decoded[:8]],
        }

    return Result(name=name, model=model, history=history, metrics=result_metrics,
                  example=example, seconds=time.perf_counter() - start)


def shape_table(results):
    """Rows ``(topology, input shape, output shape, parameters)`` as text."""
    rows = [("topology", "input shape", "output shape", "parameters")]
    for r in results:
        in_text = ", ".join(
            (f"{t.name} " if len(r.model.inputs) > 1 else "") + str(tuple(t.shape))
            for t in r.model.inputs
        )
        rows.append((r.name, in_text, str(tuple(r.model.output_shape)),
                     f"{r.model.count_params():,}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                     for row in rows)


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2):
    """Trains all five problems; saves models and a curves plot to ``out_dir``.

    Returns the headline metrics as a flat dict (``{problem}_{metric}``).
    """
    del data_dir  # toy problems need no data files
    results = []
    for name in PROBLEMS:
        print(f"[topologies] training {name} ...", flush=True)
        result = run_problem(name, profile=profile, seed=seed, verbose=verbose)
        print(f"[topologies] {name}: {result.metrics} ({result.seconds:.1f} s)", flush=True)
        results.append(result)
    flat = {}
    for r in results:
        for key, value in r.metrics.items():
            flat[f"{r.name}_{key}"] = float(f"{float(value):.4g}")
    if out_dir is not None:
        from rnn_keras import viz

        for r in results:
            r.model.save(out_dir / f"{r.name}.keras")
        fig = viz.plot_histories({r.name: r.history for r in results})
        fig.savefig(out_dir / "training_curves.png", dpi=100)
        (out_dir / "shapes.txt").write_text(shape_table(results) + "\n")
    return flat
