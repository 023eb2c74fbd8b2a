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
from rnn_keras import training
from rnn_keras.data import toy
from rnn_keras.experiments import rounded

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


def _majority_accuracy(y_train, y_test, weights=None):
    values, counts = np.unique(y_train if weights is None else y_train[weights[0] > 0],
                               return_counts=True)
    majority = values[np.argmax(counts)]
    if weights is None:
        return float(np.mean(y_test == majority))
    return rk_metrics.token_accuracy(y_test, np.full_like(y_test, majority), weights[1])


# The strongest baseline that ignores the tokens (kept here under its old name).
position_majority_accuracy = rk_metrics.position_majority_accuracy


@dataclasses.dataclass
class Data:
    """One problem's data: ``train``/``test`` dicts of ``x``, ``y`` (and ``weights``)."""

    problem: str
    train: dict
    test: dict
    settings: dict
    vocab: object = None  # the seq2seq problem's target vocabulary


def prepare(profile=None, data_dir=None, seed=0, problem="seq2seq"):
    """The data of one of ``PROBLEMS`` (generated, or scikit-learn's digits)."""
    del data_dir  # toy problems need no data files
    if problem not in PROBLEMS:
        raise ValueError(f"Unknown problem {problem!r}. Expected one of {PROBLEMS}.")
    s = dict(SETTINGS[config.get_profile(profile)])
    vocab = None
    if problem in ("one_to_one", "many_to_one"):
        (x_tr, y_tr), (x_te, y_te) = toy.digits(as_sequence=problem == "many_to_one",
                                                seed=seed)
        train, test = {"x": x_tr, "y": y_tr}, {"x": x_te, "y": y_te}
    elif problem == "one_to_many":
        params, waves = toy.curves(n=s["curves"], steps=CURVE_STEPS, seed=seed)
        n_test = len(params) // 5
        train = {"x": params[n_test:], "y": waves[n_test:]}
        test = {"x": params[:n_test], "y": waves[:n_test]}
    elif problem == "many_to_many":
        tokens, tags, weights = toy.seen_before(n=s["sequences"], seed=seed, **SEEN_BEFORE)
        n_test = len(tokens) // 5
        train = {"x": tokens[n_test:], "y": tags[n_test:], "weights": weights[n_test:]}
        test = {"x": tokens[:n_test], "y": tags[:n_test], "weights": weights[:n_test]}
    else:  # seq2seq
        numbers = toy.number_words(max_number=1000, seed=seed)
        vocab = numbers["vocab"]
        train, test = ({"x": {k: part[k] for k in ("encoder_inputs", "decoder_inputs")},
                        "y": part["targets"], "weights": part["weights"],
                        "numbers": part["numbers"]}
                       for part in (numbers["train"], numbers["test"]))
    return Data(problem, train, test, s, vocab)


_COMPILE = {  # problem -> (optimizer, loss, metrics, batch size)
    "one_to_one": ("adam", "sparse", ["accuracy"], 64),
    "many_to_one": ("adam", "sparse", ["accuracy"], 64),
    "one_to_many": (3e-3, "mse", None, 32),
    "many_to_many": (3e-3, "sparse", None, 64),
    "seq2seq": (3e-3, "sparse", None, 32),
}


def build_model(data, *, cell="gru", implementation="fused", units=None):
    """The default model of ``data.problem`` (package builders), compiled."""
    name = data.problem if isinstance(data, Data) else data
    units = units or UNITS
    recurrent = dict(cell=cell, implementation=implementation, units=units)
    if name == "one_to_one":
        model = models.one_to_one(64, 10, units=units)
    elif name == "many_to_one":
        model = models.many_to_one(10, input_dim=8, timesteps=8, **recurrent)
    elif name == "one_to_many":
        model = models.one_to_many(3, 1, steps=CURVE_STEPS, **recurrent)
    elif name == "many_to_many":
        model = models.many_to_many(2, vocab_size=SEEN_BEFORE["vocab_size"],
                                    embedding_dim=16, **recurrent)
    elif name == "seq2seq":
        model = models.seq2seq(NUMBER_VOCAB_SIZE, source_vocab_size=13, embedding_dim=32,
                               **recurrent)
    else:
        raise ValueError(f"Unknown problem {name!r}. Expected one of {PROBLEMS}.")
    compile_model(model, name)
    return model


def compile_model(model, problem):
    """Compiles ``model`` for ``problem`` (Adam; sparse cross-entropy on logits or MSE)."""
    optimizer, loss, metrics_, _ = _COMPILE[problem]
    model.compile(optimizer=(optimizer if isinstance(optimizer, str)
                             else keras.optimizers.Adam(optimizer)),
                  loss=_sparse_loss() if loss == "sparse" else loss, metrics=metrics_)
    return model


def train(data, model, *, seed=None, verbose=0, run_dir=None, name=None, epochs=None):
    """The profile's epochs, 10% of train for validation, shuffled (last weights kept).

    ``seed``: reseeds before the fit when given (``None``: the caller seeded
    before building the model).
    """
    if seed is not None:
        keras.utils.set_random_seed(seed)
    tr = data.train
    return training.fit(model, tr["x"], tr["y"], sample_weight=tr.get("weights"),
                        epochs=epochs or data.settings["epochs"][data.problem],
                        batch_size=_COMPILE[data.problem][3], validation_split=0.1,
                        verbose=verbose, shuffle=True, restore_best_weights=False,
                        run_dir=run_dir, name=name or data.problem)


def _evaluate(model, data):
    tr, te = data.train, data.test
    name = data.problem
    if name in ("one_to_one", "many_to_one"):
        pred = model.predict(te["x"], verbose=0).argmax(-1)
        result = {"accuracy": float(np.mean(pred == te["y"])),
                  "baseline_accuracy": _majority_accuracy(tr["y"], te["y"])}
        example = {"inputs": te["x"][:8], "targets": te["y"][:8], "predictions": pred[:8]}
    elif name == "one_to_many":
        pred = model.predict(te["x"], verbose=0)
        mean_curve = tr["y"].mean(axis=0, keepdims=True)
        result = {"mse": float(np.mean((pred - te["y"]) ** 2)),
                  "baseline_mse": float(np.mean((mean_curve - te["y"]) ** 2))}
        example = {"inputs": te["x"][:4], "targets": te["y"][:4], "predictions": pred[:4]}
    elif name == "many_to_many":
        pred = model.predict(te["x"], verbose=0).argmax(-1)
        weights = (tr["weights"], te["weights"])
        result = {
            "token_accuracy": rk_metrics.token_accuracy(te["y"], pred, te["weights"]),
            # the strongest trivial baseline: the majority tag at each position
            "baseline_token_accuracy": position_majority_accuracy(tr["y"], te["y"], weights),
            "majority_token_accuracy": _majority_accuracy(tr["y"], te["y"], weights),
        }
        example = {"inputs": te["x"][:4], "targets": te["y"][:4], "predictions": pred[:4]}
    else:  # seq2seq
        forced = model.predict(te["x"], verbose=0)
        decoded = decoding.greedy_decode(
            model, {"encoder_inputs": te["x"]["encoder_inputs"]}, start_id=toy.START,
            end_id=toy.END, max_length=te["y"].shape[1])
        truth = np.where(te["y"] == toy.END, 0, te["y"])
        result = {
            "token_accuracy": rk_metrics.token_accuracy(te["y"], forced, te["weights"]),
            # teacher forced; baseline: the most frequent word at each position
            "baseline_token_accuracy": position_majority_accuracy(
                tr["y"], te["y"], (tr["weights"], te["weights"])),
            "exact_match": rk_metrics.sequence_accuracy(truth, decoded),
        }
        example = {
            "numbers": te["numbers"][:8],
            "targets": [" ".join(data.vocab.decode(t)) for t in te["y"][:8]],
            "predictions": [" ".join(data.vocab.decode(p)) for p in decoded[:8]],
        }
    return result, example


def evaluate(model, data):
    """The problem's test metric next to its strongest trivial baseline."""
    return _evaluate(model, data)[0]


def run_problem(name, model=None, profile=None, seed=0, cell="gru",
                implementation="fused", verbose=0, run_dir=None):
    """prepare, build, train and evaluate one topology's problem.

    Args:
        name: one of ``PROBLEMS``.
        model: a model to train instead of ``build_model(data, cell=...,
            implementation=...)``; it must take the problem's inputs (it is
            compiled here).
        profile: ``"quick"`` or ``"full"`` (default: ``$RNN_KERAS_PROFILE``).
        seed: seeds data splits, initial weights and shuffling.
        cell, implementation: passed to the builders.
        verbose: Keras ``fit`` verbosity.
        run_dir: back up each epoch there and resume after a crash.

    Returns:
        A :class:`Result`.
    """
    data = prepare(profile, seed=seed, problem=name)
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    if model is None:
        model = build_model(data, cell=cell, implementation=implementation)
    else:
        compile_model(model, name)
    fitted = train(data, model, verbose=verbose, run_dir=run_dir)
    result_metrics, example = _evaluate(model, data)
    return Result(name=name, model=model, history=fitted.history, metrics=result_metrics,
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
        result = run_problem(name, profile=profile, seed=seed, verbose=verbose, run_dir=out_dir)
        print(f"[topologies] {name}: {result.metrics} ({result.seconds:.1f} s)", flush=True)
        results.append(result)
    flat = {}
    for r in results:
        for key, value in r.metrics.items():
            flat[f"{r.name}_{key}"] = float(value)
    if out_dir is not None:
        from rnn_keras import viz

        for r in results:
            training.save_model(r.model, out_dir / f"{r.name}.keras")
        fig = viz.plot_histories({r.name: r.history for r in results})
        fig.savefig(out_dir / "training_curves.png", dpi=100)
        (out_dir / "shapes.txt").write_text(shape_table(results) + "\n")
    return rounded(flat)
